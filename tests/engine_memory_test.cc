// Memory accounting and eviction (src/engine/memory.cc, evict.cc): MEMORY
// USAGE's formula and arguments, used_memory, maxmemory and the eight
// policies, the OOM rejection, LFU counters, and the order of an evicted
// key's invalidation and the reply of the command that evicted it (redis
// issue 9116, unit/tracking's "Tracking invalidation message of eviction
// keys should be before response"). Error texts and reply shapes were
// checked against redis-server 7.0.15; which key goes and the numbers are
// the engine's own (docs/fidelity.md, "Memory accounting").
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

class MemoryTest : public ::testing::Test {
 protected:
  std::string Cmd(std::vector<std::string> argv, int s = -1) {
    std::string out;
    engine_.Execute(s < 0 ? a_ : s, argv, &out);
    const absl::Status valid = engine_.Validate();
    EXPECT_TRUE(valid.ok()) << valid;
    return out;
  }
  int64_t Usage(const std::string& key) {
    const std::string r = Cmd({"MEMORY", "USAGE", key});
    EXPECT_EQ(r[0], ':') << r;
    return std::stoll(r.substr(1));
  }
  // maxmemory so that `spare` more bytes fit.
  void Limit(int64_t spare) {
    EXPECT_EQ(Cmd({"CONFIG", "SET", "maxmemory",
                   std::to_string(static_cast<int64_t>(engine_.UsedMemory()) + spare)}),
              "+OK\r\n");
  }
  Engine engine_;
  int a_ = engine_.OpenSession();
};

const std::string kOom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

TEST_F(MemoryTest, UsageIsTheFormula) {
  Cmd({"SET", "k", "v"});
  EXPECT_EQ(Usage("k"), 81 + 1);  // the value fits std::string's inline bytes
  Cmd({"SET", "k", std::string(16, 'x')});
  EXPECT_EQ(Usage("k"), 81 + 1 + 17);
  Cmd({"RPUSH", "l", "a", std::string(20, 'b')});
  EXPECT_EQ(Usage("l"), 81 + 1 + 80 + 32 + 32 + 21);
  Cmd({"HSET", "h", "f", "v", std::string(16, 'f'), std::string(17, 'v')});
  EXPECT_EQ(Usage("h"), 81 + 1 + 65 + 65 + 17 + 18);
  Cmd({"SADD", "s", "1", std::string(16, 'm')});
  EXPECT_EQ(Usage("s"), 81 + 1 + 33 + 33 + 17);
  Cmd({"ZADD", "z", "1", "a", "2", std::string(16, 'm')});
  EXPECT_EQ(Usage("z"), 81 + 1 + 88 + 113 + 113 + 2 * 17);
  // used_memory: the baseline and every key of every db.
  const uint64_t db0 = Usage("k") + Usage("l") + Usage("h") + Usage("s") + Usage("z");
  Cmd({"SELECT", "3"});
  Cmd({"SET", "other", "v"});
  EXPECT_EQ(Usage("other"), 81 + 5);
  EXPECT_EQ(engine_.UsedMemory(), kBaselineMemoryBytes + db0 + 86);
}

// A bigger value never reports less (unit/type/hash only needs > 0).
TEST_F(MemoryTest, UsageIsMonotone) {
  int64_t last = 0;
  for (int n = 0; n < 40; ++n) {
    Cmd({"SET", "k", std::string(static_cast<size_t>(n), 'x')});
    EXPECT_GE(Usage("k"), last);
    last = Usage("k");
  }
  last = 0;
  for (int n = 0; n < 30; ++n) {
    Cmd({"HSET", "h", "f" + std::to_string(n), "v"});
    EXPECT_GT(Usage("h"), last);
    last = Usage("h");
  }
}

TEST_F(MemoryTest, UsageArguments) {
  EXPECT_EQ(Cmd({"MEMORY", "USAGE"}),
            "-ERR wrong number of arguments for 'memory|usage' command\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "USAGE", "nokey"}), "$-1\r\n");
  Cmd({"SET", "k", "v"});
  EXPECT_EQ(Cmd({"MEMORY", "USAGE", "k", "samples"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "USAGE", "k", "samples", "-1"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "USAGE", "k", "samples", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "USAGE", "k", "foo"}), "-ERR syntax error\r\n");
  // The options are read before the key is looked up.
  EXPECT_EQ(Cmd({"MEMORY", "USAGE", "nokey", "samples", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "USAGE", "k", "SAMPLES", "0", "samples", "3"}), ":82\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "foo"}), "-ERR unknown subcommand 'foo'. Try MEMORY HELP.\r\n");
  // STATS, DOCTOR and MALLOC-STATS (a libc build's answers; the figures are
  // in command_handler_memory_test.cc, against the reference model).
  EXPECT_EQ(Cmd({"MEMORY", "stats", "x"}),
            "-ERR wrong number of arguments for 'memory|stats' command\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "stats"}).rfind("*56\r\n$14\r\npeak.allocated\r\n", 0), 0u);
  EXPECT_EQ(Cmd({"MEMORY", "Malloc-Stats"}),
            "$45\r\nStats not supported for the current allocator\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "doctor"}).rfind("$268\r\nHi Sam, this instance is empty", 0), 0u);
  // A subcommand 7.0.15 has and the engine does not: its arity and ACL
  // checks, then the unknown-subcommand error.
  EXPECT_EQ(Cmd({"SCRIPT", "debug"}),
            "-ERR wrong number of arguments for 'script|debug' command\r\n");
  EXPECT_EQ(Cmd({"SCRIPT", "debug", "yes"}),
            "-ERR unknown subcommand 'debug'. Try SCRIPT HELP.\r\n");
  EXPECT_EQ(Cmd({"MEMORY"}), "-ERR wrong number of arguments for 'memory' command\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "PURGE", "x"}),
            "-ERR wrong number of arguments for 'memory|purge' command\r\n");
  EXPECT_EQ(Cmd({"MEMORY", "purge"}), "+OK\r\n");
  EXPECT_EQ(
      Cmd({"MEMORY", "help"})
          .rfind("*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n", 0),
      0u);
  // An expired key not yet deleted still has its bytes (dictFind).
  Cmd({"SET", "e", "v", "PX", "1"});
  engine_.AdvanceClock(10);
  EXPECT_EQ(Cmd({"MEMORY", "USAGE", "e"}), ":82\r\n");
}

TEST_F(MemoryTest, ConfigParameters) {
  EXPECT_EQ(Cmd({"CONFIG", "GET", "maxmemory"}), "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "SET", "maxmemory", "100mb"}), "+OK\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "maxmemory"}), "*2\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "SET", "maxmemory", "18446744073709551615"}), "+OK\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "maxmemory"}),
            "*2\r\n$9\r\nmaxmemory\r\n$20\r\n18446744073709551615\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "SET", "maxmemory", "-1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be "
            "a memory value\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"}), "+OK\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "maxmemory-policy"}),
            "*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "SET", "maxmemory-policy", "foo"}),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - "
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
            "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
            "noeviction\r\n");
  // A refused value restores the others of the same call.
  Cmd({"CONFIG", "SET", "maxmemory", "0"});
  EXPECT_EQ(Cmd({"CONFIG", "SET", "maxmemory", "5", "maxmemory-policy", "x"}).substr(0, 20),
            "-ERR CONFIG SET fail");
  EXPECT_EQ(engine_.maxmemory(), 0u);
  const std::string info = Cmd({"INFO", "memory"});
  EXPECT_NE(info.find("maxmemory_policy:allkeys-lru\r\n"), std::string::npos);
  EXPECT_NE(info.find("mem_not_counted_for_evict:0\r\n"), std::string::npos);
  EXPECT_NE(info.find("used_memory:" + std::to_string(engine_.UsedMemory()) + "\r\n"),
            std::string::npos);
}

TEST_F(MemoryTest, NoevictionRefusesDenyoomCommands) {
  Cmd({"SET", "k", "v"});
  Limit(-1);
  EXPECT_EQ(Cmd({"SET", "a", "b"}), kOom);
  EXPECT_EQ(Cmd({"GET", "k"}), "$1\r\nv\r\n");  // not denyoom
  EXPECT_EQ(Cmd({"DEL", "nokey"}), ":0\r\n");
  // Inside MULTI every command is refused but EXEC, DISCARD and RESET.
  EXPECT_EQ(Cmd({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Cmd({"GET", "k"}), kOom);
  EXPECT_EQ(Cmd({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  // A transaction queued in time holding a denyoom command: EXEC is refused
  // (another session lowers the limit meanwhile).
  const int b = engine_.OpenSession();
  Cmd({"CONFIG", "SET", "maxmemory", "0"}, b);
  Cmd({"MULTI"});
  EXPECT_EQ(Cmd({"SET", "a", "b"}), "+QUEUED\r\n");
  Cmd({"CONFIG", "SET", "maxmemory", std::to_string(engine_.UsedMemory() - 1)}, b);
  EXPECT_EQ(Cmd({"EXEC"}),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.\r\n");
  EXPECT_EQ(Cmd({"GET", "a"}), "$-1\r\n");
  // DISCARD is never refused.
  Cmd({"CONFIG", "SET", "maxmemory", "0"}, b);
  Cmd({"MULTI"});
  Cmd({"CONFIG", "SET", "maxmemory", std::to_string(engine_.UsedMemory() - 1)}, b);
  EXPECT_EQ(Cmd({"PING"}), kOom);
  EXPECT_EQ(Cmd({"DISCARD"}), "+OK\r\n");
  EXPECT_NE(Cmd({"INFO", "stats"}).find("evicted_keys:0\r\n"), std::string::npos);
}

TEST_F(MemoryTest, AllkeysRandomEvictsUntilUnder) {
  auto run = [](Engine& e, int s) {
    std::string out;
    auto exec = [&](std::vector<std::string> argv) { e.Execute(s, argv, &out); };
    for (int i = 0; i < 10; ++i) exec({"SET", "k" + std::to_string(i), "v"});
    exec({"CONFIG", "SET", "maxmemory-policy", "allkeys-random"});
    exec({"CONFIG", "SET", "maxmemory", std::to_string(e.UsedMemory())});
    out.clear();
    exec({"SET", "new", "v"});  // at the limit: nothing to evict yet
    exec({"PING"});             // over it by "new": keys go first
    EXPECT_EQ(out, "+OK\r\n+PONG\r\n");
    EXPECT_LE(e.UsedMemory(), e.maxmemory());
    std::vector<std::string> keys;
    for (const auto& [key, value] : e.keyspace().db(0).dict) keys.emplace_back(key);
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  const std::vector<std::string> kept = run(engine_, a_);
  EXPECT_LT(engine_.keyspace().db(0).dict.size(), 11u);
  EXPECT_GE(engine_.stats().evicted_keys, 1u);
  EXPECT_NE(Cmd({"INFO", "stats"})
                .find("evicted_keys:" + std::to_string(engine_.stats().evicted_keys) + "\r\n"),
            std::string::npos);
  // The choice is the seeded random source's: the same on every run.
  Engine again;
  EXPECT_EQ(run(again, again.OpenSession()), kept);
}

TEST_F(MemoryTest, VolatilePoliciesOnlyTakeKeysWithTtl) {
  Cmd({"SET", "keep", "v"});
  Cmd({"SET", "late", "v", "EX", "100"});
  Cmd({"SET", "soon", "v", "EX", "10"});
  Cmd({"CONFIG", "SET", "maxmemory-policy", "volatile-ttl"});
  Limit(-1);
  EXPECT_EQ(Cmd({"GET", "keep"}), "$1\r\nv\r\n");
  EXPECT_EQ(Cmd({"EXISTS", "soon", "late"}), ":1\r\n");
  EXPECT_EQ(Cmd({"TTL", "late"}), ":100\r\n");  // the nearest expire went
  Limit(-1);
  Cmd({"PING"});
  EXPECT_EQ(Cmd({"DBSIZE"}), ":1\r\n");
  Limit(-1);
  EXPECT_EQ(Cmd({"SET", "x", "y"}), kOom);  // nothing volatile is left
  EXPECT_EQ(Cmd({"DBSIZE"}), ":1\r\n");
}

TEST_F(MemoryTest, AllkeysLruEvictsTheIdlest) {
  Cmd({"SET", "a", "v"});
  Cmd({"SET", "b", "v"});
  engine_.AdvanceClock(5000);
  Cmd({"GET", "a"});
  Cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  Limit(-1);
  Cmd({"PING"});
  EXPECT_EQ(Cmd({"EXISTS", "a", "b"}), ":1\r\n");
  EXPECT_EQ(Cmd({"EXISTS", "a"}), ":1\r\n");
}

TEST_F(MemoryTest, LfuCountersAndObjectErrors) {
  Cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  Cmd({"SET", "hot", "v"});
  Cmd({"SET", "cold", "v"});
  EXPECT_EQ(Cmd({"OBJECT", "FREQ", "hot"}), ":5\r\n");  // LFU_INIT_VAL
  for (int i = 0; i < 20; ++i) Cmd({"GET", "hot"});
  const std::string freq = Cmd({"OBJECT", "FREQ", "hot"});
  EXPECT_GT(std::stoll(freq.substr(1)), 5) << freq;
  EXPECT_EQ(Cmd({"OBJECT", "IDLETIME", "hot"}),
            "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time to "
            "adjust.\r\n");
  // One minute takes one off the counter (lfu-decay-time 1).
  engine_.AdvanceClock(60'000);
  EXPECT_EQ(Cmd({"OBJECT", "FREQ", "cold"}), ":4\r\n");
  Limit(-1);
  Cmd({"PING"});
  EXPECT_EQ(Cmd({"EXISTS", "hot"}), ":1\r\n");
  EXPECT_EQ(Cmd({"EXISTS", "cold"}), ":0\r\n");
  Cmd({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  EXPECT_EQ(Cmd({"OBJECT", "FREQ", "hot"}).substr(0, 40),
            "-ERR An LFU maxmemory policy is not sele");
}

// unit/tracking: the invalidation of a key evicted before a command reaches
// the client before that command's reply.
TEST_F(MemoryTest, EvictionInvalidationPrecedesTheReply) {
  Cmd({"HELLO", "3"});
  Cmd({"CLIENT", "TRACKING", "on"});
  Cmd({"SETEX", "volatile-key", "10000", "x"});
  Cmd({"GET", "volatile-key"});
  Cmd({"CONFIG", "SET", "maxmemory-policy", "volatile-random"});
  Limit(100 * 1024);
  Cmd({"SETBIT", "big-key", "1600000", "0"});  // 200 kB
  EXPECT_EQ(Cmd({"GETBIT", "big-key", "0"}),
            ">2\r\n$10\r\ninvalidate\r\n*1\r\n$12\r\nvolatile-key\r\n:0\r\n");
  EXPECT_NE(Cmd({"INFO", "stats"}).find("evicted_keys:1\r\n"), std::string::npos);
  // Eviction run by CONFIG SET maxmemory itself: inside the command, so the
  // own invalidation follows the reply.
  Cmd({"CONFIG", "SET", "maxmemory", "0"});
  Cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-random"});
  Cmd({"GET", "big-key"});
  EXPECT_EQ(Cmd({"CONFIG", "SET", "maxmemory", "1"}),
            "+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$7\r\nbig-key\r\n");
}

// Another session's WATCH sees the eviction.
TEST_F(MemoryTest, EvictionTouchesWatchers) {
  const int b = engine_.OpenSession();
  Cmd({"SET", "w", "v"});
  Cmd({"WATCH", "w"}, b);
  Cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  Limit(-1);
  Cmd({"PING"});
  Cmd({"CONFIG", "SET", "maxmemory", "0"});
  Cmd({"MULTI"}, b);
  Cmd({"PING"}, b);
  EXPECT_EQ(Cmd({"EXEC"}, b), "*-1\r\n");
}

}  // namespace
}  // namespace respfuzz::engine
