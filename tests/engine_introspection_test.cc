// Tests for CONFIG and OBJECT (cmd_connection.cc, cmd_keys.cc, config.cc,
// object.cc) that are not recordings: what depends on the virtual clock
// (OBJECT IDLETIME: which lookups touch a key), a server's own parameters
// (Engine::SetServerParams), memtoull's edges and the encoding byte's cost.
// The replies recorded from redis-server 7.0.15 are in
// tests/recordings/introspection.json, played by tests/recordings_test.cc.
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
  engine_.SetServerParams({{"appendonly", "no"}, {"port", "7000"}, {"save", ""}});
  EXPECT_EQ(Cmd({"CONFIG", "GET", "save"}), "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
  EXPECT_EQ(Cmd({"config", "get", "Save"}), "*2\r\n$4\r\nSave\r\n$0\r\n\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "p*rt", "port"}), "*2\r\n$4\r\nport\r\n$4\r\n7000\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "a*", "save", "nope"}),
            "*4\r\n$10\r\nappendonly\r\n$2\r\nno\r\n$4\r\nsave\r\n$0\r\n\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "SET", "save", "", "appendonly", "no"}), "+OK\r\n");
  // A refused server value restores the engine pairs before it.
  EXPECT_EQ(Cmd({"CONFIG", "SET", "set-max-intset-entries", "3", "port", "7001"}),
            "-ERR CONFIG SET failed (possibly related to argument 'port') - respfuzz serve cannot "
            "change this parameter\r\n");
  EXPECT_EQ(Cmd({"CONFIG", "GET", "set-max-intset-entries"}),
            "*2\r\n$22\r\nset-max-intset-entries\r\n$3\r\n512\r\n");
  // Every parameter: 13 of the engine (aliases included) and the server's 3.
  const std::string all = Cmd({"CONFIG", "GET", "*"});
  EXPECT_EQ(all.substr(0, 5), "*32\r\n");
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

}  // namespace
}  // namespace respfuzz::engine
