// SYNC / PSYNC and the replication stream (src/engine/replication.cc), in
// process. The expected streams are redis-server 7.0.15's, recorded on
// 2026-11-28 over sockets (tests/replication_stream.py, which
// tests/serve_replication_test.sh runs against both servers), with the
// absolute times put in place:
//
//   SET a 1; SET b 2 EX 100; SELECT 3; INCRBYFLOAT f 1.5; EXPIRE f 100;
//   GETDEL f; SELECT 0; FLUSHALL ->
//     SELECT 0, set a 1, SET b 2 PXAT <t+100000>, SELECT 3,
//     SET f 1.5 KEEPTTL, PEXPIREAT f <t+100000>, DEL f, SELECT 0, flushall
//   MULTI; SET m 1; EXEC -> set m 1 (one op: no MULTI)
//   MULTI; SET m 1; SET n 2; GET m; EXEC -> MULTI, set m 1, set n 2, EXEC
//   EVAL "redis.call('set','x','1') redis.call('incr','x')" 0 ->
//     MULTI, set x 1, incr x, EXEC (never the EVAL)
//   a key expired (active expiry off): GET -> DEL k; SET over it ->
//     MULTI, DEL k, set k new, EXEC
//   BRPOP bl 0 blocked, then RPUSH bl x y -> rpush bl x y, RPOP bl
//   PSYNC ? x -> -ERR value is not an integer or out of range
//   PING then SYNC in one read -> +PONG, -ERR SYNC and PSYNC are invalid
//     with pending output
//   PSYNC ? -1 -> +FULLRESYNC <replid> <offset>, then $<len> and the file
//   CLIENT LIST TYPE replica -> the SYNC client, flags=S
//   INFO replication -> connected_slaves:1,
//     slave0:ip=...,port=0,state=online,offset=0,lag=..., repl_backlog_active:1
//   the replica's own GET -> no reply at all
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

constexpr int64_t kStart = 1'795'851'319'829;

std::string Cmd(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

std::string Multibulk(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

std::string Stream(const std::vector<std::vector<std::string>>& cmds) {
  std::string out;
  for (const auto& c : cmds) out += Multibulk(c);
  return out;
}

struct Replicated {
  Engine e{EngineOptions{.start_ms = kStart}};
  int a = e.OpenSession();
  int r = e.OpenSession();
  Replicated() {
    const std::string synced = Cmd(e, r, {"sync"});
    // $<len>\r\n then the RDB file, with no CRLF after it.
    EXPECT_EQ(synced.rfind("$", 0), 0u);
    const size_t eol = synced.find("\r\n");
    EXPECT_EQ(std::stoul(synced.substr(1, eol - 1)), synced.size() - eol - 2);
    EXPECT_EQ(synced.substr(eol + 2, 5), "REDIS");
    e.TakeOutput(r);
  }
  std::string Fed() { return e.TakeOutput(r); }
};

TEST(EngineReplication, CommandsGoAsRedisRewritesThem) {
  Replicated t;
  Engine& e = t.e;
  const std::string later = std::to_string(kStart + 100000);
  Cmd(e, t.a, {"set", "a", "1"});
  Cmd(e, t.a, {"set", "b", "2", "ex", "100"});
  Cmd(e, t.a, {"get", "a"});  // no change: nothing
  Cmd(e, t.a, {"select", "3"});
  Cmd(e, t.a, {"incrbyfloat", "f", "1.5"});
  Cmd(e, t.a, {"expire", "f", "100"});
  Cmd(e, t.a, {"getdel", "f"});
  Cmd(e, t.a, {"select", "0"});
  Cmd(e, t.a, {"flushall"});
  EXPECT_EQ(t.Fed(), Stream({{"SELECT", "0"},
                             {"set", "a", "1"},
                             {"SET", "b", "2", "PXAT", later},
                             {"SELECT", "3"},
                             {"SET", "f", "1.5", "KEEPTTL"},
                             {"PEXPIREAT", "f", later},
                             {"DEL", "f"},
                             {"SELECT", "0"},
                             {"flushall"}}));
}

TEST(EngineReplication, OneCommandsOpsGoTogether) {
  Replicated t;
  Engine& e = t.e;
  for (auto argv : std::vector<std::vector<std::string>>{{"multi"}, {"set", "m", "1"}, {"exec"}}) {
    Cmd(e, t.a, argv);
  }
  for (auto argv : std::vector<std::vector<std::string>>{
           {"multi"}, {"set", "m", "1"}, {"set", "n", "2"}, {"get", "m"}, {"exec"}}) {
    Cmd(e, t.a, argv);
  }
  Cmd(e, t.a, {"eval", "redis.call('set','x','1') redis.call('incr','x')", "0"});
  Cmd(e, t.a, {"eval", "return redis.call('get','x')", "0"});
  EXPECT_EQ(t.Fed(), Stream({{"SELECT", "0"},
                             {"set", "m", "1"},
                             {"MULTI"},
                             {"set", "m", "1"},
                             {"set", "n", "2"},
                             {"EXEC"},
                             {"MULTI"},
                             {"set", "x", "1"},
                             {"incr", "x"},
                             {"EXEC"}}));
}

TEST(EngineReplication, ExpiredKeysAndServedBlockedClients) {
  Replicated t;
  Engine& e = t.e;
  Cmd(e, t.a, {"debug", "set-active-expire", "0"});
  Cmd(e, t.a, {"set", "k", "v", "px", "50"});
  Cmd(e, t.a, {"set", "j", "v", "px", "50"});
  e.AdvanceClock(100);
  Cmd(e, t.a, {"get", "k"});
  Cmd(e, t.a, {"set", "j", "new"});
  const int b = e.OpenSession();
  Cmd(e, b, {"brpop", "bl", "0"});
  Cmd(e, t.a, {"rpush", "bl", "x", "y"});
  const std::string at = std::to_string(kStart + 50);
  EXPECT_EQ(t.Fed(), Stream({{"SELECT", "0"},
                             {"SET", "k", "v", "PXAT", at},
                             {"SET", "j", "v", "PXAT", at},
                             {"DEL", "k"},
                             {"MULTI"},
                             {"DEL", "j"},
                             {"set", "j", "new"},
                             {"EXEC"},
                             {"rpush", "bl", "x", "y"},
                             {"RPOP", "bl"}}));
}

TEST(EngineReplication, SyncRefusalsAndTheReplicaItself) {
  Engine e{EngineOptions{.start_ms = kStart}};
  const int a = e.OpenSession();
  EXPECT_EQ(Cmd(e, a, {"psync", "?", "x"}), "-ERR value is not an integer or out of range\r\n");
  Cmd(e, a, {"multi"});
  EXPECT_EQ(Cmd(e, a, {"sync"}), "-ERR Command not allowed inside a transaction\r\n");
  Cmd(e, a, {"discard"});
  e.SetUnsent(a, 7);  // a reply still unsent by the server
  EXPECT_EQ(Cmd(e, a, {"sync"}), "-ERR SYNC and PSYNC are invalid with pending output\r\n");
  e.SetUnsent(a, 0);
  EXPECT_EQ(e.replica_count(), 0u);
  const std::string full = Cmd(e, a, {"psync", "?", "-1"});
  EXPECT_EQ(full.rfind("+FULLRESYNC " + e.master_replid() + " 0\r\n$", 0), 0u) << full;
  EXPECT_NE(e.master_replid(), e.run_id());  // a new ID with the backlog
  EXPECT_EQ(e.replica_count(), 1u);
  e.TakeOutput(a);
  // The replica is answered nothing, and may not touch the keyspace.
  EXPECT_EQ(Cmd(e, a, {"get", "a"}), "");
  EXPECT_EQ(Cmd(e, a, {"ping"}), "");
  EXPECT_EQ(Cmd(e, a, {"sync"}), "");
  const int m = e.OpenSession();
  const std::string list = Cmd(e, m, {"client", "list", "type", "replica"});
  EXPECT_NE(list.find(" flags=S "), std::string::npos) << list;
  EXPECT_EQ(Cmd(e, m, {"client", "list", "type", "normal"}).find(" flags=S "), std::string::npos);
  const std::string info = Cmd(e, m, {"info", "replication"});
  EXPECT_NE(info.find("connected_slaves:1\r\nslave0:ip=,port=0,state=online,offset=0,lag=0\r\n"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("repl_backlog_active:1\r\n"), std::string::npos) << info;
  Cmd(e, m, {"set", "x", "1"});
  EXPECT_EQ(e.TakeOutput(a), Stream({{"SELECT", "0"}, {"set", "x", "1"}}));
  e.CloseSession(a);
  EXPECT_EQ(e.replica_count(), 0u);
  EXPECT_NE(Cmd(e, m, {"info", "replication"}).find("connected_slaves:0\r\n"), std::string::npos);
}

TEST(EngineReplication, PingEveryPeriodAndNoEarlierWrite) {
  Engine e{EngineOptions{.start_ms = kStart}};
  const int a = e.OpenSession();
  Cmd(e, a, {"set", "x", "1"});
  const int r = e.OpenSession();
  Cmd(e, r, {"sync"});
  e.TakeOutput(r);
  Cmd(e, a, {"config", "set", "repl-ping-replica-period", "2"});
  std::string pings;
  for (int s = 0; s < 6; ++s) {
    e.AdvanceClock(1000);
    e.Cron();
    pings += e.TakeOutput(r);
  }
  // The runs at seconds 2, 4 and 6 from the start; no SELECT before them.
  EXPECT_EQ(pings, Stream({{"ping"}, {"ping"}, {"ping"}}));
}

}  // namespace
}  // namespace respfuzz::engine
