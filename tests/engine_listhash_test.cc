// Engine tests for the list and hash families that are not recordings: the
// exact TTL kept by writes, the key events behind WATCH, and big lists. The
// replies recorded from redis-server 7.0.15 are in tests/recordings/
// (lists.json, hashes.json, transactions.json) and played by
// tests/recordings_test.cc.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

class ListHashTest : public ::testing::Test {
 protected:
  // Runs argv; Validate() must hold after it.
  std::string Run2(const std::vector<std::string>& argv) {
    std::string out;
    e2_.Execute(s2_, argv, &out);
    const absl::Status st = e2_.Validate();
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  Engine e2_;
  int s2_ = e2_.OpenSession();
};

TEST_F(ListHashTest, WritesKeepTheTtl) {
  EXPECT_EQ(Run2({"rpush", "l", "a", "b"}), ":2\r\n");
  EXPECT_EQ(Run2({"hset", "h", "f", "1", "g", "2"}), ":2\r\n");
  const int64_t when = e2_.now_ms() + 1000;
  e2_.keyspace().SetExpire(0, "l", when);
  e2_.keyspace().SetExpire(0, "h", when);
  Run2({"lpush", "l", "x"});
  Run2({"lset", "l", "0", "y"});
  Run2({"ltrim", "l", "0", "1"});
  Run2({"lmove", "l", "l", "left", "right"});
  Run2({"hset", "h", "f", "2"});
  Run2({"hincrbyfloat", "h", "f", "1"});
  Run2({"hdel", "h", "g"});
  EXPECT_EQ(e2_.keyspace().GetExpire(0, "l"), when);
  EXPECT_EQ(e2_.keyspace().GetExpire(0, "h"), when);
}

struct RecordedEvent {
  std::string key;
  KeyEventKind kind;
  bool operator==(const RecordedEvent&) const = default;
};

class ListHashEventTest : public ::testing::Test {
 protected:
  ListHashEventTest() {
    engine_.AddKeyEventListener([this](const KeyEvent& ev) {
      events_.push_back({std::string(ev.key), ev.kind});
    });
  }
  std::vector<RecordedEvent> Run(std::vector<std::string> argv) {
    events_.clear();
    std::string out;
    engine_.Execute(s_, argv, &out);
    EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
    return events_;
  }
  Engine engine_;
  int s_ = engine_.OpenSession();
  std::vector<RecordedEvent> events_;
};

constexpr KeyEventKind kW = KeyEventKind::kWritten;
constexpr KeyEventKind kD = KeyEventKind::kDeleted;

// As Redis's signalModifiedKey: the destination first, then the source
// (deleted when emptied); one event per command for the same key.
TEST_F(ListHashEventTest, LmoveSignalsDestinationThenSource) {
  Run({"rpush", "src", "a", "b"});
  EXPECT_EQ(Run({"lmove", "src", "dst", "left", "right"}),
            (std::vector<RecordedEvent>{{"dst", kW}, {"src", kW}}));
  EXPECT_EQ(Run({"rpoplpush", "src", "dst"}),
            (std::vector<RecordedEvent>{{"dst", kW}, {"src", kD}}));
  EXPECT_EQ(Run({"lmove", "dst", "dst", "left", "right"}),
            (std::vector<RecordedEvent>{{"dst", kW}}));
  EXPECT_EQ(Run({"lmove", "nokey", "dst", "left", "right"}), std::vector<RecordedEvent>{});
}

TEST_F(ListHashEventTest, EmptiedAggregatesAreDeleted) {
  Run({"rpush", "l", "a", "b", "a"});
  EXPECT_EQ(Run({"lrem", "l", "0", "zz"}), std::vector<RecordedEvent>{});
  EXPECT_EQ(Run({"lrem", "l", "-1", "a"}), (std::vector<RecordedEvent>{{"l", kW}}));
  EXPECT_EQ(Run({"lpop", "l", "0"}), std::vector<RecordedEvent>{});
  EXPECT_EQ(Run({"ltrim", "l", "0", "-1"}), (std::vector<RecordedEvent>{{"l", kW}}));
  EXPECT_EQ(Run({"ltrim", "l", "1", "0"}), (std::vector<RecordedEvent>{{"l", kD}}));
  Run({"rpush", "l", "a"});
  EXPECT_EQ(Run({"rpop", "l", "3"}), (std::vector<RecordedEvent>{{"l", kD}}));
  Run({"rpush", "l", "a"});
  EXPECT_EQ(Run({"lrem", "l", "0", "a"}), (std::vector<RecordedEvent>{{"l", kD}}));
  EXPECT_EQ(Run({"hset", "h", "f", "1", "g", "2"}), (std::vector<RecordedEvent>{{"h", kW}}));
  EXPECT_EQ(Run({"hdel", "h", "zz"}), std::vector<RecordedEvent>{});
  EXPECT_EQ(Run({"hdel", "h", "f"}), (std::vector<RecordedEvent>{{"h", kW}}));
  EXPECT_EQ(Run({"hdel", "h", "g", "f"}), (std::vector<RecordedEvent>{{"h", kD}}));
  EXPECT_EQ(Run({"hsetnx", "h", "f", "1"}), (std::vector<RecordedEvent>{{"h", kW}}));
  EXPECT_EQ(Run({"hsetnx", "h", "f", "2"}), std::vector<RecordedEvent>{});
  EXPECT_EQ(Run({"hincrby", "h", "f", "x"}), std::vector<RecordedEvent>{});
}

// Big lists stay linear: LREM and LPOS over 200k elements.
TEST_F(ListHashTest, BigListOperations) {
  std::vector<std::string> push = {"rpush", "big"};
  for (int i = 0; i < 200000; ++i) push.push_back(i % 2 == 0 ? "a" : "b");
  EXPECT_EQ(Run2(push), ":200000\r\n");
  EXPECT_EQ(Run2({"lpos", "big", "b", "rank", "-1"}), ":199999\r\n");
  EXPECT_EQ(Run2({"lrem", "big", "0", "a"}), ":100000\r\n");
  EXPECT_EQ(Run2({"lrem", "big", "-5", "b"}), ":5\r\n");
  EXPECT_EQ(Run2({"llen", "big"}), ":99995\r\n");
  EXPECT_EQ(Run2({"ltrim", "big", "10", "-10"}), "+OK\r\n");
  EXPECT_EQ(Run2({"llen", "big"}), ":99976\r\n");
}

}  // namespace
}  // namespace respfuzz::engine
