// Tests for the string and key command families (cmd_strings.cc,
// cmd_keys.cc) that are not recordings: what depends on the exact time on
// the virtual clock (TTL rounding, expiry boundaries, overflow against
// "now"; checked on redis-server 7.0.15 inside EVAL, where the time does not
// move), the key events behind WATCH, SCAN's documented simplification and
// the keyspace after COPY and RENAME. The replies recorded from
// redis-server 7.0.15 are in tests/recordings/ (strings.json, keys.json,
// transactions.json) and played by tests/recordings_test.cc.
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

std::string Describe(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    for (char ch : a) {
      if (ch >= 32 && ch < 127) {
        s += ch;
      } else {
        char buf[8];
        snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(ch));
        s += buf;
      }
    }
  }
  return s;
}

class StrKeysTest : public ::testing::Test {
 protected:
  // One engine; every command is followed by Validate().
  std::string Cmd(int s, std::vector<std::string> argv) {
    std::string out;
    engine_.Execute(s, argv, &out);
    const absl::Status valid = engine_.Validate();
    EXPECT_TRUE(valid.ok()) << valid;
    return out;
  }
  Engine engine_;
  int a_ = engine_.OpenSession();
};

// ---------------------------------------------------------------------------
// Hand-written: exact times on the virtual clock. The engine starts at
// kNow = 1'700'000'000'000 ms. The boundary cases were checked on
// redis-server 7.0.15 inside EVAL (where the time does not move).
// ---------------------------------------------------------------------------

constexpr int64_t kNow = EngineOptions::kDefaultStartMs;
const std::string kMaxMinusNow = std::to_string(INT64_MAX - kNow);
const std::string kMaxMinusNowPlus1 = std::to_string(INT64_MAX - kNow + 1);

TEST_F(StrKeysTest, TtlRoundsToTheNearestSecond) {
  Cmd(a_, {"SET", "k", "v"});
  EXPECT_EQ(Cmd(a_, {"PEXPIRE", "k", "1500"}), ":1\r\n");
  EXPECT_EQ(Cmd(a_, {"TTL", "k"}), ":2\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":1500\r\n");
  engine_.AdvanceClock(1);
  EXPECT_EQ(Cmd(a_, {"TTL", "k"}), ":1\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":1499\r\n");
  engine_.AdvanceClock(999);
  EXPECT_EQ(Cmd(a_, {"TTL", "k"}), ":1\r\n");  // 500 ms left
  engine_.AdvanceClock(1);
  EXPECT_EQ(Cmd(a_, {"TTL", "k"}), ":0\r\n");  // 499 ms left
  engine_.AdvanceClock(499);
  // The expire time is now: not yet expired (Redis expires when now > time).
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":0\r\n");
  EXPECT_EQ(Cmd(a_, {"EXISTS", "k"}), ":1\r\n");
  engine_.AdvanceClock(1);
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":-2\r\n");
  EXPECT_EQ(Cmd(a_, {"TTL", "k"}), ":-2\r\n");
}

TEST_F(StrKeysTest, TimesNotInTheFutureDeleteExceptForSet) {
  const std::string now = std::to_string(kNow);
  const std::string next = std::to_string(kNow + 1);
  // EXPIRE family and GETEX EXAT/PXAT: when <= now deletes the key at once.
  Cmd(a_, {"SET", "k", "v"});
  EXPECT_EQ(Cmd(a_, {"PEXPIREAT", "k", now}), ":1\r\n");
  EXPECT_EQ(engine_.keyspace().Peek(0, "k"), nullptr);
  Cmd(a_, {"SET", "k", "v"});
  EXPECT_EQ(Cmd(a_, {"EXPIREAT", "k", std::to_string(kNow / 1000)}), ":1\r\n");
  EXPECT_EQ(engine_.keyspace().Peek(0, "k"), nullptr);
  Cmd(a_, {"SET", "k", "v"});
  EXPECT_EQ(Cmd(a_, {"PEXPIREAT", "k", next}), ":1\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":1\r\n");
  EXPECT_EQ(Cmd(a_, {"GETEX", "k", "PXAT", now}), "$1\r\nv\r\n");
  EXPECT_EQ(engine_.keyspace().Peek(0, "k"), nullptr);
  Cmd(a_, {"SET", "k", "v"});
  EXPECT_EQ(Cmd(a_, {"GETEX", "k", "PXAT", next}), "$1\r\nv\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":1\r\n");
  // SET stores the time as is; the key lives until now > time.
  EXPECT_EQ(Cmd(a_, {"SET", "j", "v", "PXAT", now}), "+OK\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "j"}), ":0\r\n");
  EXPECT_EQ(Cmd(a_, {"SET", "i", "v", "PXAT", "1"}), "+OK\r\n");
  EXPECT_EQ(Cmd(a_, {"DBSIZE"}), ":3\r\n");  // k, j and the expired i
  engine_.AdvanceClock(1);
  EXPECT_EQ(Cmd(a_, {"EXISTS", "j", "i"}), ":0\r\n");
  EXPECT_EQ(Cmd(a_, {"DBSIZE"}), ":1\r\n");
}

TEST_F(StrKeysTest, ExpireOverflowIsCheckedAgainstNow) {
  Cmd(a_, {"SET", "k", "v"});
  EXPECT_EQ(Cmd(a_, {"SET", "k", "v", "PX", kMaxMinusNow}), "+OK\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":" + kMaxMinusNow + "\r\n");
  EXPECT_EQ(Cmd(a_, {"SET", "k", "v", "PX", kMaxMinusNowPlus1}),
            "-ERR invalid expire time in 'set' command\r\n");
  EXPECT_EQ(Cmd(a_, {"PSETEX", "k", kMaxMinusNowPlus1, "v"}),
            "-ERR invalid expire time in 'psetex' command\r\n");
  EXPECT_EQ(Cmd(a_, {"GETEX", "k", "PX", kMaxMinusNowPlus1}),
            "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(Cmd(a_, {"GETEX", "k", "PX", kMaxMinusNow}), "$1\r\nv\r\n");
  EXPECT_EQ(Cmd(a_, {"PEXPIRE", "k", kMaxMinusNowPlus1}),
            "-ERR invalid expire time in 'pexpire' command\r\n");
  EXPECT_EQ(Cmd(a_, {"PEXPIRE", "k", kMaxMinusNow}), ":1\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":" + kMaxMinusNow + "\r\n");
  // 9223372036854775 s fits once scaled, but not once now is added.
  EXPECT_EQ(Cmd(a_, {"EXPIRE", "k", "9223372036854775"}),
            "-ERR invalid expire time in 'expire' command\r\n");
  EXPECT_EQ(Cmd(a_, {"EXPIREAT", "k", "9223372036854775"}), ":1\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "k"}), ":" + std::to_string(9223372036854775000 - kNow) + "\r\n");
}

// Records the key events the commands raise.
class StrKeysEventTest : public StrKeysTest {
 protected:
  void SetUp() override {
    engine_.AddKeyEventListener([this](const KeyEvent& ev) {
      events_.push_back(std::to_string(ev.db) + ":" + std::string(ev.key) + ":" +
                        std::string(KeyEventKindName(ev.kind)));
    });
  }
  std::vector<std::string> Events(std::vector<std::string> argv) {
    events_.clear();
    Cmd(a_, std::move(argv));
    return std::move(events_);
  }
  using V = std::vector<std::string>;
  std::vector<std::string> events_;
};

TEST_F(StrKeysEventTest, OneEventPerModification) {
  EXPECT_EQ(Events({"SET", "k", "v", "EX", "100"}), V({"0:k:written"}));
  EXPECT_EQ(Events({"SETEX", "j", "100", "v"}), V({"0:j:written"}));
  // The source, then the destination, as Redis signals them (tracking.json's MultiKeyOrder).
  EXPECT_EQ(Events({"RENAME", "k", "r"}), V({"0:k:deleted", "0:r:written"}));
  EXPECT_EQ(Events({"COPY", "r", "c", "DB", "3"}), V({"3:c:written"}));
  EXPECT_EQ(Events({"APPEND", "r", ""}), V({"0:r:written"}));
  EXPECT_EQ(Events({"INCRBYFLOAT", "n", "1"}), V({"0:n:written"}));
  EXPECT_EQ(Events({"EXPIRE", "n", "0"}), V({"0:n:deleted"}));
  EXPECT_EQ(Events({"GETEX", "r", "EXAT", "1"}), V({"0:r:deleted"}));
  EXPECT_EQ(Events({"GETDEL", "j"}), V({"0:j:deleted"}));
  EXPECT_EQ(Events({"MSET", "a", "1", "b", "2"}), V({"0:a:written", "0:b:written"}));
  EXPECT_EQ(Events({"SWAPDB", "0", "3"}), V({"0::swapped", "3::swapped"}));
  EXPECT_EQ(Events({"FLUSHALL"}), V({"0::flushed", "3::flushed"}));
}

TEST_F(StrKeysEventTest, NoEventWithoutModification) {
  Cmd(a_, {"SET", "k", "abc"});
  for (const V& argv : std::vector<V>{{"SET", "k", "v", "NX"},
                                      {"SET", "x", "v", "XX"},
                                      {"SETNX", "k", "v"},
                                      {"MSETNX", "x", "1", "k", "2"},
                                      {"SETRANGE", "k", "5", ""},
                                      {"SETRANGE", "x", "5", ""},
                                      {"INCR", "k"},
                                      {"GETEX", "k"},
                                      {"GETEX", "k", "PERSIST"},
                                      {"EXPIRE", "x", "10"},
                                      {"EXPIRE", "k", "10", "XX"},
                                      {"PERSIST", "k"},
                                      {"RENAME", "k", "k"},
                                      {"RENAMENX", "k", "k"},
                                      {"COPY", "x", "y"},
                                      {"DEL", "x"},
                                      {"SWAPDB", "0", "0"},
                                      {"FLUSHDB"},
                                      {"GETEX", "k", "EX", "0"},
                                      {"KEYS", "*"},
                                      {"SCAN", "0"},
                                      {"DBSIZE"},
                                      {"FLUSHALL", "x"},
                                      {"SWAPDB", "0", "16"}}) {
    if (argv[0] == "FLUSHDB") Cmd(a_, {"SELECT", "5"});
    EXPECT_EQ(Events(argv), V()) << Describe(argv);
    if (argv[0] == "FLUSHDB") Cmd(a_, {"SELECT", "0"});
  }
}

TEST_F(StrKeysEventTest, KeysSkipsExpiredKeysAndScanExpiresThem) {
  Cmd(a_, {"SET", "e", "v", "PX", "1"});
  Cmd(a_, {"SET", "f", "v", "PX", "1"});
  engine_.AdvanceClock(2);
  EXPECT_EQ(Events({"KEYS", "*"}), V());
  EXPECT_EQ(Cmd(a_, {"DBSIZE"}), ":2\r\n");
  EXPECT_EQ(Events({"SCAN", "0", "MATCH", "f"}), V({"0:f:expired"}));
  EXPECT_EQ(Cmd(a_, {"DBSIZE"}), ":1\r\n");
  events_.clear();
  EXPECT_EQ(Cmd(a_, {"SCAN", "0", "TYPE", "none"}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\ne\r\n");
  EXPECT_EQ(events_, V({"0:e:expired"}));
}

// SCAN walks in pages of COUNT keys; MATCH filters each page afterwards.
TEST_F(StrKeysTest, ScanWalksEveryKeyInPages) {
  for (int i = 0; i < 100; ++i) Cmd(a_, {"SET", "key:" + std::to_string(i), "v"});
  Cmd(a_, {"SET", "other", "v"});
  size_t bulks = 0, calls = 0;
  std::string cursor = "0";
  do {
    const std::string out = Cmd(a_, {"SCAN", cursor, "MATCH", "key:*", "COUNT", "1"});
    ASSERT_EQ(out.substr(0, 5), "*2\r\n$");
    const size_t len_end = out.find("\r\n", 5);
    const size_t len = std::stoul(out.substr(5, len_end - 5));
    cursor = out.substr(len_end + 2, len);
    const size_t keys = out.find("*1\r\n", len_end + 2 + len) != std::string::npos ? 1 : 0;
    bulks += keys;
    ++calls;
  } while (cursor != "0" && calls < 1000);
  EXPECT_EQ(bulks, 100u);  // every key:N once; "other" filtered out
  EXPECT_EQ(calls, 102u);  // 101 full pages of one key, then an empty one
  // A db with fewer keys than COUNT comes whole with cursor 0.
  EXPECT_EQ(Cmd(a_, {"SCAN", "0", "MATCH", "other", "COUNT", "1000"}),
            "*2\r\n$1\r\n0\r\n*1\r\n$5\r\nother\r\n");
}

TEST_F(StrKeysTest, CopyIsDeep) {
  Keyspace& ks = engine_.keyspace();
  ks.Store(0, "l", Object(List{"a", "b"}), false);
  ks.Store(0, "s", Object(Set{"m"}), false);
  Hash h;
  h.Set("f", "v");
  ks.Store(0, "h", Object(h), false);
  ZSet z;
  z.Set("m", 1.5);
  ks.Store(0, "z", Object(z), false);
  for (const char* key : {"l", "s", "h", "z"}) {
    EXPECT_EQ(Cmd(a_, {"COPY", key, std::string(key) + "2", "DB", "1"}), ":1\r\n");
  }
  As<List>(*ks.Find(0, "l")).push_back("c");
  As<Set>(*ks.Find(0, "s")).insert("n");
  As<Hash>(*ks.Find(0, "h")).Set("g", "w");
  As<ZSet>(*ks.Find(0, "z")).Set("n", 2);
  EXPECT_EQ(As<List>(*ks.Find(1, "l2")), (List{"a", "b"}));
  EXPECT_EQ(As<Set>(*ks.Find(1, "s2")).size(), 1u);
  EXPECT_EQ(As<Hash>(*ks.Find(1, "h2")).size(), 1u);
  EXPECT_EQ(As<ZSet>(*ks.Find(1, "z2")).size(), 1u);
  EXPECT_EQ(*As<ZSet>(*ks.Find(1, "z2")).Score("m"), 1.5);
}

TEST_F(StrKeysTest, RenameMovesAggregatesAndTheirTtl) {
  Keyspace& ks = engine_.keyspace();
  ks.Store(0, "l", Object(List{"a", "b"}), false);
  Cmd(a_, {"PEXPIRE", "l", "5000"});
  Cmd(a_, {"SET", "dst", "old", "EX", "1"});
  EXPECT_EQ(Cmd(a_, {"RENAME", "l", "dst"}), "+OK\r\n");
  EXPECT_EQ(Cmd(a_, {"TYPE", "dst"}), "+list\r\n");
  EXPECT_EQ(Cmd(a_, {"PTTL", "dst"}), ":5000\r\n");
  EXPECT_EQ(As<List>(*ks.Find(0, "dst")), (List{"a", "b"}));
  EXPECT_EQ(Cmd(a_, {"EXISTS", "l"}), ":0\r\n");
}

}  // namespace
}  // namespace respfuzz::engine
