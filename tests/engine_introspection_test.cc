// Tests for CONFIG and OBJECT (cmd_connection.cc, cmd_keys.cc, config.cc,
// object.cc) that are not recordings: what depends on the virtual clock
// (OBJECT IDLETIME: which lookups touch a key), a server's own parameters
// (Engine::SetServerParams), memtoull's edges and the encoding byte's cost.
// The replies recorded from redis-server 7.0.15 are in
// tests/recordings/introspection.json, played by tests/recordings_test.cc.
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/config.h"
#include "src/engine/engine.h"
#include "src/engine/object.h"

namespace respfuzz::engine {
namespace {

class IntrospectionTest : public ::testing::Test {
 protected:
  std::string Cmd(std::vector<std::string> argv) {
    std::string out;
    engine_.Execute(a_, argv, &out);
    const absl::Status valid = engine_.Validate();
    EXPECT_TRUE(valid.ok()) << valid;
    return out;
  }
  Engine engine_;
  int a_ = engine_.OpenSession();
};

// The encoding bytes live in the variant's padding: no key grows.
TEST(ObjectLayout, EncodingCostsNoBytes) {
  static_assert(sizeof(Object) == sizeof(ObjectVariant));
  EXPECT_EQ(sizeof(Object), 48u);
}

// IDLETIME counts whole seconds of the LRU clock since the value was made
// or last looked up by a command that touches it; EXISTS, TYPE, TTL, PTTL,
// EXPIRETIME and OBJECT do not touch (LOOKUP_NOTOUCH), GET and TOUCH do.
TEST_F(IntrospectionTest, IdletimeFollowsTouchingLookups) {
  Cmd({"SET", "k", "v"});
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "k"}), ":0\r\n");
  engine_.AdvanceClock(999);
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "k"}), ":0\r\n");
  engine_.AdvanceClock(1);
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "k"}), ":1\r\n");
  engine_.AdvanceClock(5000);
  for (std::vector<std::string> read : {std::vector<std::string>{"EXISTS", "k"},
                                        {"TYPE", "k"},
                                        {"TTL", "k"},
                                        {"PTTL", "k"},
                                        {"EXPIRETIME", "k"},
                                        {"OBJECT", "ENCODING", "k"},
                                        {"SCAN", "0", "TYPE", "string"}}) {
    Cmd(read);
    EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "k"}), ":6\r\n") << read[0];
  }
  Cmd({"GET", "k"});
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "k"}), ":0\r\n");
  engine_.AdvanceClock(3000);
  Cmd({"TOUCH", "k"});
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "k"}), ":0\r\n");
  engine_.AdvanceClock(3000);
  // A new value is a new object; RENAME moves a value it just looked up.
  Cmd({"RENAME", "k", "k2"});
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "k2"}), ":0\r\n");
  engine_.AdvanceClock(2000);
  Cmd({"SET", "k2", "w"});
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "k2"}), ":0\r\n");
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "nokey"}), "$-1\r\n");
}

// The LRU clock is 24 bits of seconds: an idle time across its wrap.
TEST(ObjectLru, ClockWraps) {
  Object o(std::string("v"));
  const int64_t wrap_s = int64_t{1} << 24;
  o.set_lru(LruClock((wrap_s - 10) * 1000));
  EXPECT_EQ(o.lru(), (1u << 24) - 10);
  // 15 s later, past the wrap: Redis's estimate is one second short there.
  EXPECT_EQ(IdleSeconds(o, (wrap_s + 5) * 1000), 14);
}

// A server's own parameters: CONFIG GET reports them next to the engine's,
// CONFIG SET accepts only their current value.
TEST_F(IntrospectionTest, ServerParams) {
  engine_.SetServerParams({{"port", "7000"}, {"save", ""}});
  EXPECT_EQ(Cmd({"CONFIG", "GET", "save"}), "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
  EXPECT_EQ(Cmd({"config", "get", "Save"}), "*2\r\n$4\r\nSave\r\n$0\r\n\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "p*rt", "port"}), "*2\r\n$4\r\nport\r\n$4\r\n7000\r\n");
  // (appendonly and appendfsync are the engine's, appendfilename and
  // appenddirname kept immutable ones: src/engine/aof.cc.)
  EXPECT_EQ(Cmd({"CONFIG", "GET", "ap*", "save", "nope"}),
            "*10\r\n$10\r\nappendonly\r\n$2\r\nno\r\n$11\r\nappendfsync\r\n$8\r\neverysec\r\n"
            "$14\r\nappendfilename\r\n$14\r\nappendonly.aof\r\n$13\r\nappenddirname\r\n$13\r\n"
            "appendonlydir\r\n$4\r\nsave\r\n$0\r\n\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "SET", "save", "", "appendonly", "no"}), "+OK\r\n");
  // A refused server value restores the engine pairs before it.
  EXPECT_EQ(Cmd({"CONFIG", "SET", "set-max-intset-entries", "3", "port", "7001"}),
            "-ERR CONFIG SET failed (possibly related to argument 'port') - respfuzz serve cannot "
            "change this parameter\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "set-max-intset-entries"}),
            "*2\r\n$22\r\nset-max-intset-entries\r\n$3\r\n512\r\n");
  // A refused value restores requirepass too (redis-server 7.0.15: the
  // default user keeps no password).
  EXPECT_EQ(Cmd({"CONFIG", "SET", "requirepass", "x", "maxmemory-policy", "bad"}).substr(0, 45),
            "-ERR CONFIG SET failed (possibly related to a");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "requirepass"}), "*2\r\n$11\r\nrequirepass\r\n$0\r\n\r\n");
  EXPECT_EQ(Cmd({"ACL", "LIST"}), "*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n");
  // Every parameter: 44 names of the engine (the 33 of config.cc, 5 of them
  // with their ziplist alias, busy-reply-threshold with lua-time-limit and
  // the two min-replicas-* with their min-slaves-* alias;
  // notify-keyspace-events, requirepass and
  // latency-tracking-info-percentiles), the 16 kept ones of config_kept.cc
  // (replicaof with its slaveof alias, repl-ping-replica-period with its
  // repl-ping-slave-period alias; key-load-delay is hidden) and the
  // server's 2.
  const std::string all = Cmd({"CONFIG", "GET", "*"});
  EXPECT_EQ(all.substr(0, 6), "*126\r\n");
  EXPECT_EQ(all.find("key-load-delay"), std::string::npos);
}

TEST(MemToULL, Units) {
  uint64_t v = 0;
  EXPECT_TRUE(MemToULL("", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(MemToULL("KB", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(MemToULL("3k", &v));
  EXPECT_EQ(v, 3000u);
  EXPECT_TRUE(MemToULL("3Kb", &v));
  EXPECT_EQ(v, 3072u);
  EXPECT_TRUE(MemToULL("2gb", &v));
  EXPECT_EQ(v, 2ull << 30);
  EXPECT_TRUE(MemToULL(std::string("7\0kb", 4), &v));  // a C string: "7"
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(MemToULL("99999999999999999999", &v));  // strtoull saturates
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_TRUE(MemToULL("18446744073709551615kb", &v));  // and the product wraps
  EXPECT_EQ(v, UINT64_MAX * 1024);
  EXPECT_FALSE(MemToULL("-1", &v));
  EXPECT_FALSE(MemToULL("+1", &v));
  EXPECT_FALSE(MemToULL(" 1", &v));
  EXPECT_FALSE(MemToULL("1 kb", &v));
  EXPECT_FALSE(MemToULL("1tb", &v));
  EXPECT_TRUE(MemToULL(std::string(127, '1'), &v));
  EXPECT_FALSE(MemToULL(std::string(128, '1'), &v));  // 128 digits and more
}

// Each encoding rule follows the limits in effect when the value changes.
TEST_F(IntrospectionTest, LimitsApplyAtTheNextWrite) {
  Cmd({"SADD", "s", "1", "2", "3"});
  Cmd({"CONFIG", "SET", "set-max-intset-entries", "2"});
  EXPECT_EQ(Cmd({"OBJECT", "ENCODING", "s"}), "$6\r\nintset\r\n");
  Cmd({"SADD", "s", "3"});  // not new: no conversion
  EXPECT_EQ(Cmd({"OBJECT", "ENCODING", "s"}), "$6\r\nintset\r\n");
  Cmd({"SADD", "s", "4"});
  EXPECT_EQ(Cmd({"OBJECT", "ENCODING", "s"}), "$9\r\nhashtable\r\n");
  Cmd({"CONFIG", "SET", "set-max-intset-entries", "512"});
  Cmd({"SREM", "s", "4"});
  EXPECT_EQ(Cmd({"OBJECT", "ENCODING", "s"}), "$9\r\nhashtable\r\n");
}

// The fields of one INFO reply, by name.
std::map<std::string, std::string> InfoFields(const std::string& reply) {
  std::map<std::string, std::string> out;
  size_t pos = reply.find("\r\n") + 2;  // past the bulk or verbatim header
  while (pos < reply.size()) {
    const size_t end = reply.find("\r\n", pos);
    if (end == std::string::npos) break;
    const std::string line = reply.substr(pos, end - pos);
    const size_t colon = line.find(':');
    if (colon != std::string::npos && line[0] != '#')
      out[line.substr(0, colon)] = line.substr(colon + 1);
    pos = end + 2;
  }
  return out;
}

// INFO's counters are true: commands (each inside EXEC too, EXEC itself,
// not INFO's own call), rejections and failures per command, error codes,
// read hits and misses, expired keys, the keyspace per db.
TEST_F(IntrospectionTest, InfoCounters) {
  Cmd({"SET", "k", "v"});
  Cmd({"GET", "k"});
  Cmd({"GET", "nokey"});
  Cmd({"LPUSH", "k", "x"});  // WRONGTYPE: a failed call
  Cmd({"NOSUCH"});           // not a command: an error, no call
  Cmd({"GET"});              // arity: a rejected call
  Cmd({"OBJECT", "NOPE"});   // unknown subcommand: object's rejection
  Cmd({"SET", "e", "1", "PX", "5"});
  engine_.AdvanceClock(10);
  Cmd({"EXISTS", "e"});  // a miss, and the key expires
  Cmd({"MULTI"});
  Cmd({"INCR", "n"});
  Cmd({"CONFIG", "GET", "set-max-intset-entries"});
  Cmd({"EXEC"});
  auto f = InfoFields(Cmd({"INFO", "stats", "keyspace", "commandstats", "errorstats"}));
  // SET GET GET LPUSH SET EXISTS MULTI INCR CONFIG EXEC
  EXPECT_EQ(f["total_commands_processed"], "10");
  EXPECT_EQ(f["keyspace_hits"], "1");
  EXPECT_EQ(f["keyspace_misses"], "2");
  EXPECT_EQ(f["expired_keys"], "1");
  EXPECT_EQ(f["total_error_replies"], "4");
  EXPECT_EQ(f["errorstat_ERR"], "count=3");
  EXPECT_EQ(f["errorstat_WRONGTYPE"], "count=1");
  EXPECT_EQ(f["cmdstat_get"], "calls=2,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
  EXPECT_EQ(f["cmdstat_lpush"],
            "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1");
  EXPECT_EQ(f["cmdstat_object"],
            "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
  EXPECT_EQ(f["cmdstat_config|get"],
            "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  EXPECT_EQ(f["cmdstat_exec"], "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  EXPECT_EQ(f.count("cmdstat_info"), 0u);             // its own call is counted after it replied
  EXPECT_EQ(f["db0"], "keys=2,expires=0,avg_ttl=0");  // k and n (e expired)
  EXPECT_EQ(f.count("redis_version"), 0u);            // only the sections asked for
  f = InfoFields(Cmd({"INFO", "commandstats"}));
  EXPECT_EQ(f["cmdstat_info"], "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  EXPECT_EQ(Cmd({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  f = InfoFields(Cmd({"INFO", "stats", "commandstats"}));
  EXPECT_EQ(f["total_commands_processed"], "1");  // RESETSTAT itself, counted after the reset
  EXPECT_EQ(f["total_error_replies"], "0");
  EXPECT_EQ(f.count("cmdstat_get"), 0u);
}

// INFO's tracking totals, each step's values as redis-server 7.0.15 gave
// them for the same commands (2026-11-25): tracking_total_keys counts table
// keys, tracking_total_items the (key, client id) pairs, a closed client's
// ids included (the table keeps them until the key is invalidated),
// tracking_total_prefixes the BCAST prefixes some client still has.
TEST_F(IntrospectionTest, InfoTrackingTotals) {
  const int b = engine_.OpenSession(), c = engine_.OpenSession(), d = engine_.OpenSession();
  auto totals = [&] {
    auto f = InfoFields(Cmd({"INFO", "stats"}));
    return f["tracking_total_keys"] + " " + f["tracking_total_items"] + " " +
           f["tracking_total_prefixes"];
  };
  auto run = [&](int s, std::vector<std::string> argv) {
    std::string out;
    engine_.Execute(s, argv, &out);
  };
  const int a = engine_.OpenSession();
  run(a, {"CLIENT", "TRACKING", "on"});
  run(a, {"MGET", "k1", "k2", "k3"});
  run(b, {"CLIENT", "TRACKING", "on"});
  run(b, {"GET", "k1"});
  EXPECT_EQ(totals(), "3 4 0");
  run(c, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:", "PREFIX", "q:"});
  run(d, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:"});
  EXPECT_EQ(totals(), "3 4 2");
  Cmd({"SET", "k1", "x"});
  EXPECT_EQ(totals(), "2 2 2");
  engine_.CloseSession(b);
  Cmd({"SET", "k2", "x"});
  EXPECT_EQ(totals(), "1 1 2");
  run(c, {"CLIENT", "TRACKING", "off"});
  EXPECT_EQ(totals(), "1 1 1");
  engine_.CloseSession(d);
  EXPECT_EQ(totals(), "1 1 0");
  run(a, {"GET", "k9"});
  engine_.CloseSession(a);
  EXPECT_EQ(totals(), "2 2 0");
  Cmd({"FLUSHALL"});
  EXPECT_EQ(totals(), "0 0 0");
}

// INFO's sections as Redis 7.0.15 selects them (genInfoSectionDict): the
// default set, all, everything, names in any case, unknown names; a
// verbatim string in RESP3.
TEST_F(IntrospectionTest, InfoSections) {
  auto has = [](const std::string& r, std::string_view s) {
    return r.find(s) != std::string::npos;
  };
  const std::string def = Cmd({"INFO"});
  EXPECT_TRUE(has(def, "# Server\r\nredis_version:7.0.15\r\n"));
  EXPECT_TRUE(has(def, "used_cpu_user"));
  EXPECT_TRUE(has(def, "used_memory"));
  EXPECT_TRUE(has(def, "# Keyspace\r\n"));
  EXPECT_FALSE(has(def, "# Commandstats"));
  EXPECT_FALSE(has(def, "rejected_calls"));
  // The same fields (their values moved on: the first INFO was counted).
  auto names = [](const std::map<std::string, std::string>& m) {
    std::vector<std::string> v;
    for (const auto& [k, _] : m) v.push_back(k);
    return v;
  };
  EXPECT_EQ(names(InfoFields(Cmd({"INFO", "default"}))), names(InfoFields(def)));
  for (const char* all : {"all", "everything", "ALL"}) {
    const std::string r = Cmd({"INFO", all});
    EXPECT_TRUE(has(r, "# Commandstats\r\n")) << all;
    EXPECT_TRUE(has(r, "# Latencystats\r\n")) << all;
    EXPECT_TRUE(has(r, "rejected_calls")) << all;
  }
  const std::string cpu = Cmd({"INFO", "cpu", "sentinel", "CPU"});
  EXPECT_TRUE(has(cpu, "$"));
  EXPECT_TRUE(has(cpu, "\r\n# CPU\r\nused_cpu_sys:0.000000\r\n"));
  EXPECT_FALSE(has(cpu, "used_memory"));
  EXPECT_EQ(Cmd({"INFO", "nosuch"}), "$0\r\n\r\n");
  Cmd({"HELLO", "3"});
  const std::string v = Cmd({"INFO", "cluster"});
  EXPECT_EQ(v, "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

}  // namespace
}  // namespace respfuzz::engine
