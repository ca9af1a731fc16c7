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
//   the replica's own PING -> no reply, and the replica is dropped
//     (connected_slaves:0 after it)
// and from the 7.0.15 sources (replication.c, t_set.c, evict.c, db.c): a
// replica's MONITOR and SYNC are ignored (CLIENT_SLAVE); PSYNC <id> <offset>
// FAILOVER to a master -> -ERR PSYNC FAILOVER can't be sent to a master.;
// the backlog outlives the replicas, the offset counting on; SPOP of fewer
// members than the set holds goes as one SREM per member, in MULTI/EXEC; an
// evicted key as DEL (UNLINK under lazyfree-lazy-eviction); an expired one
// as UNLINK under lazyfree-lazy-expire.
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
  // SYNC and MONITOR again: ignored, no reply, still a replica.
  EXPECT_EQ(Cmd(e, a, {"sync"}), "");
  EXPECT_EQ(Cmd(e, a, {"monitor"}), "");
  EXPECT_FALSE(e.session(a).close_after_reply);
  EXPECT_FALSE(e.session(a).monitor);
  const int m = e.OpenSession();
  e.SetAddresses(a, "127.0.0.1:40001", "127.0.0.1:6379");
  const std::string list = Cmd(e, m, {"client", "list", "type", "replica"});
  EXPECT_NE(list.find(" flags=S "), std::string::npos) << list;
  EXPECT_EQ(Cmd(e, m, {"client", "list", "type", "normal"}).find(" flags=S "), std::string::npos);
  e.AdvanceClock(2000);
  const std::string info = Cmd(e, m, {"info", "replication"});
  EXPECT_NE(info.find("connected_slaves:1\r\nslave0:ip=127.0.0.1,port=0,state=online,offset=0,"
                      "lag=2\r\n"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("repl_backlog_active:1\r\n"), std::string::npos) << info;
  EXPECT_EQ(Cmd(e, m, {"role"}),
            "*3\r\n$6\r\nmaster\r\n:0\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n"
            "$1\r\n0\r\n$1\r\n0\r\n");
  Cmd(e, m, {"set", "x", "1"});
  EXPECT_EQ(e.TakeOutput(a), Stream({{"SELECT", "0"}, {"set", "x", "1"}}));
  EXPECT_EQ(e.master_repl_offset(),
            static_cast<int64_t>(Stream({{"SELECT", "0"}, {"set", "x", "1"}}).size()));
  // A command that answers anything drops the replica, the reply unsent.
  EXPECT_EQ(Cmd(e, a, {"ping"}), "");
  EXPECT_TRUE(e.session(a).close_after_reply);
  e.CloseSession(a);
  EXPECT_EQ(e.replica_count(), 0u);
  EXPECT_NE(Cmd(e, m, {"info", "replication"}).find("connected_slaves:0\r\n"), std::string::npos);
  // The backlog lives on: the offset goes on counting the stream.
  const int64_t before = e.master_repl_offset();
  Cmd(e, m, {"set", "y", "1"});
  EXPECT_EQ(e.master_repl_offset(),
            before + static_cast<int64_t>(Multibulk({"set", "y", "1"}).size()));
  EXPECT_EQ(Cmd(e, m, {"psync", e.master_replid(), "1", "failover"}),
            "-ERR PSYNC FAILOVER can't be sent to a master.\r\n");
}

TEST(EngineReplication, SpopEvictionAndLazyfree) {
  Replicated t;
  Engine& e = t.e;
  Cmd(e, t.a, {"sadd", "s", "a", "b", "c", "d"});
  Cmd(e, t.a, {"spop", "s", "2"});
  const std::string fed = t.Fed();
  // SELECT, sadd, then MULTI, an SREM of each popped member, EXEC.
  const std::string head = Stream({{"SELECT", "0"}, {"sadd", "s", "a", "b", "c", "d"}, {"MULTI"}});
  ASSERT_EQ(fed.rfind(head, 0), 0u) << fed;
  ASSERT_TRUE(fed.ends_with(Multibulk({"EXEC"})));
  const std::string mid =
      fed.substr(head.size(), fed.size() - head.size() - Multibulk({"EXEC"}).size());
  EXPECT_EQ(mid.size(), 2 * Multibulk({"SREM", "s", "a"}).size()) << mid;
  std::string left;
  for (const char* m : {"a", "b", "c", "d"}) {
    if (mid.find(Multibulk({"SREM", "s", m})) == std::string::npos) left += m;
  }
  EXPECT_EQ(left.size(), 2u);
  // The two left are the set's members now.
  const std::string members = Cmd(e, t.a, {"smembers", "s"});
  for (char m : left) EXPECT_NE(members.find(std::string("\r\n") + m + "\r\n"), std::string::npos);
  // Lazy expiry under lazyfree-lazy-expire: UNLINK.
  Cmd(e, t.a, {"config", "set", "lazyfree-lazy-expire", "yes"});
  Cmd(e, t.a, {"debug", "set-active-expire", "0"});
  Cmd(e, t.a, {"set", "k", "v", "px", "10"});
  e.AdvanceClock(20);
  Cmd(e, t.a, {"get", "k"});
  EXPECT_EQ(t.Fed(),
            Stream({{"SET", "k", "v", "PXAT", std::to_string(kStart + 10)}, {"UNLINK", "k"}}));
  // Evictions (allkeys-random, a maxmemory below what is used): a DEL of
  // each key evicted, no MULTI, before the command that made room; UNLINK
  // under lazyfree-lazy-eviction.
  Cmd(e, t.a, {"flushall"});
  Cmd(e, t.a, {"set", "e1", std::string(2000, 'x')});
  Cmd(e, t.a, {"config", "set", "maxmemory-policy", "allkeys-random"});
  Cmd(e, t.a, {"config", "set", "lazyfree-lazy-eviction", "yes"});
  t.Fed();
  Cmd(e, t.a, {"config", "set", "maxmemory", "1"});
  Cmd(e, t.a, {"config", "set", "maxmemory", "0"});
  EXPECT_EQ(t.Fed(), Stream({{"UNLINK", "e1"}}));
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

namespace respfuzz::engine {
namespace {

// REPLCONF (replconfCommand) and WAIT's acknowledgements, from 7.0.15's
// replication.c: pairs of option and value (an even count is the syntax
// error), ACK answers nothing and counts only from a replica, GETACK
// answers nothing, an unknown option is named; WAIT counts the replicas
// whose acknowledged offset reached the session's last write, blocks
// otherwise with a REPLCONF GETACK * sent at the end of the turn, and is
// answered by the ACK that makes enough.
TEST(EngineReplication, ReplconfAcksAndWait) {
  Replicated t;
  Engine& e = t.e;
  EXPECT_EQ(Cmd(e, t.a, {"replconf", "listening-port"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Cmd(e, t.a, {"replconf", "listening-port", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Cmd(e, t.a, {"replconf", "listening-port", "6380", "capa", "eof", "capa", "psync2"}),
            "+OK\r\n");
  EXPECT_EQ(Cmd(e, t.a, {"replconf", "rdb-only", "2"}),
            "-ERR value is out of range, value must between 0 and 1\r\n");
  EXPECT_EQ(Cmd(e, t.a, {"replconf", "nope", "1"}), "-ERR Unrecognized REPLCONF option: nope\r\n");
  EXPECT_EQ(Cmd(e, t.a, {"replconf", "ack", "100"}), "");  // not a replica: nothing
  EXPECT_EQ(Cmd(e, t.a, {"replconf", "getack", "*"}), "");
  EXPECT_EQ(Cmd(e, t.a, {"set", "k", "v"}), "+OK\r\n");
  const int64_t woff = e.master_repl_offset();
  t.Fed();
  // Nothing acknowledged yet: WAIT 0 answers at once, WAIT 1 blocks.
  EXPECT_EQ(Cmd(e, t.a, {"wait", "0", "0"}), ":0\r\n");
  EXPECT_EQ(Cmd(e, t.a, {"wait", "1", "0"}), "");
  EXPECT_TRUE(e.session(t.a).blocked());
  e.EndTurn();
  EXPECT_EQ(t.Fed(), Stream({{"REPLCONF", "GETACK", "*"}}));
  // An ACK short of the offset: still blocked; the replica gets no reply
  // and stays a replica.
  EXPECT_EQ(Cmd(e, t.r, {"replconf", "ack", std::to_string(woff - 1)}), "");
  EXPECT_TRUE(e.session(t.a).blocked());
  EXPECT_EQ(Cmd(e, t.r, {"replconf", "ack", std::to_string(woff)}), "");
  EXPECT_FALSE(e.session(t.a).blocked());
  EXPECT_EQ(e.TakeOutput(t.a), ":1\r\n");
  EXPECT_EQ(e.replica_count(), 1u);
  EXPECT_EQ(Cmd(e, t.a, {"wait", "1", "0"}), ":1\r\n");
  // A timed-out WAIT answers the count then.
  Cmd(e, t.a, {"set", "k", "w"});
  EXPECT_EQ(Cmd(e, t.a, {"wait", "1", "10"}), "");
  e.AdvanceClock(20);
  e.HandleTimeouts();
  EXPECT_EQ(e.TakeOutput(t.a), ":0\r\n");
}

// beforeSleep sends the GETACK only when no pause holds the clients back;
// the request waits for the pause's end.
TEST(EngineReplication, GetackWaitsForThePausesEnd) {
  Replicated t;
  Engine& e = t.e;
  const int b = e.OpenSession();
  Cmd(e, t.a, {"set", "k", "v"});
  t.Fed();
  EXPECT_EQ(Cmd(e, b, {"client", "pause", "100000", "write"}), "+OK\r\n");
  EXPECT_EQ(Cmd(e, t.a, {"wait", "1", "0"}), "");
  e.EndTurn();
  EXPECT_EQ(t.Fed(), "");
  EXPECT_EQ(Cmd(e, b, {"client", "unpause"}), "+OK\r\n");
  e.EndTurn();
  EXPECT_EQ(t.Fed(), Stream({{"REPLCONF", "GETACK", "*"}}));
}

}  // namespace
}  // namespace respfuzz::engine
