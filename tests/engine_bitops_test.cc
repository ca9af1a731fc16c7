// Tests for the bit commands (cmd_bitops.cc), TIME, TOUCH, EXPIRETIME and
// PEXPIRETIME that are not recordings: what depends on the virtual clock's
// exact time, the key events each bit write raises or does not raise, and
// the string limit that bounds how much memory a bit offset can claim. The
// replies recorded from redis-server 7.0.15 are in tests/recordings/
// (bitops.json, keys.json) and played by tests/recordings_test.cc.
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

class BitopsTest : public ::testing::Test {
 protected:
  explicit BitopsTest(EngineOptions o = {}) : engine_(o) {
    engine_.keyspace().AddListener([this](const KeyEvent& e) {
      events_.push_back(std::string(e.key) + ":" + std::to_string(static_cast<int>(e.kind)));
    });
  }
  std::string Cmd(std::vector<std::string> argv) {
    std::string out;
    engine_.Execute(s_, argv, &out);
    const absl::Status valid = engine_.Validate();
    EXPECT_TRUE(valid.ok()) << valid;
    return out;
  }
  std::vector<std::string> TakeEvents() { return std::exchange(events_, {}); }

  Engine engine_;
  int s_ = engine_.OpenSession();
  std::vector<std::string> events_;
};

const std::string kWritten = std::to_string(static_cast<int>(KeyEventKind::kWritten));
const std::string kDeleted = std::to_string(static_cast<int>(KeyEventKind::kDeleted));

// TIME reads the virtual clock: seconds and microseconds (milliseconds *
// 1000), as two bulk strings in RESP2 and RESP3 alike.
TEST_F(BitopsTest, TimeReadsTheVirtualClock) {
  // 1'700'000'000'000 ms
  EXPECT_EQ(Cmd({"TIME"}), "*2\r\n$10\r\n1700000000\r\n$1\r\n0\r\n");
  engine_.AdvanceClock(1234);
  EXPECT_EQ(Cmd({"time"}), "*2\r\n$10\r\n1700000001\r\n$6\r\n234000\r\n");
  engine_.AdvanceClock(766);
  EXPECT_EQ(Cmd({"TIME"}), "*2\r\n$10\r\n1700000002\r\n$1\r\n0\r\n");
  Cmd({"HELLO", "3"});
  EXPECT_EQ(Cmd({"TIME"}), "*2\r\n$10\r\n1700000002\r\n$1\r\n0\r\n");
  EXPECT_EQ(Cmd({"TIME", "x"}), "-ERR wrong number of arguments for 'time' command\r\n");
}

// EXPIRETIME rounds the stored ms to the nearest second, as TTL rounds what
// is left; both answer -1 without a TTL and -2 without the key, including a
// key that has just expired.
TEST_F(BitopsTest, ExpiretimeOnTheClock) {
  Cmd({"SET", "k", "v", "PX", "1499"});  // expires at ...001499
  EXPECT_EQ(Cmd({"PEXPIRETIME", "k"}), ":1700000001499\r\n");
  EXPECT_EQ(Cmd({"EXPIRETIME", "k"}), ":1700000001\r\n");
  Cmd({"PEXPIRE", "k", "1500"});
  EXPECT_EQ(Cmd({"EXPIRETIME", "k"}), ":1700000002\r\n");
  engine_.AdvanceClock(1500);  // now == expire: still there
  EXPECT_EQ(Cmd({"PEXPIRETIME", "k"}), ":1700000001500\r\n");
  engine_.AdvanceClock(1);
  EXPECT_EQ(Cmd({"PEXPIRETIME", "k"}), ":-2\r\n");
  Cmd({"SET", "k", "v"});
  EXPECT_EQ(Cmd({"EXPIRETIME", "k"}), ":-1\r\n");
}

// TOUCH counts found keys (a key named twice twice); an expired key is
// deleted by the lookup and not counted. It writes nothing.
TEST_F(BitopsTest, TouchCountsWhatExists) {
  Cmd({"SET", "a", "1"});
  Cmd({"SET", "b", "1", "PX", "10"});
  TakeEvents();
  EXPECT_EQ(Cmd({"TOUCH", "a", "b", "c", "a"}), ":3\r\n");
  EXPECT_TRUE(TakeEvents().empty());
  engine_.AdvanceClock(11);
  EXPECT_EQ(Cmd({"TOUCH", "a", "b"}), ":1\r\n");
  EXPECT_EQ(Cmd({"EXISTS", "b"}), ":0\r\n");
}

// SETBIT raises an event when it creates the key, grows it, or flips the
// bit; writing the bit's current value inside the string raises none.
TEST_F(BitopsTest, SetbitEventsOnlyForChanges) {
  EXPECT_EQ(Cmd({"SETBIT", "k", "3", "0"}), ":0\r\n");  // created: an event
  EXPECT_EQ(TakeEvents(), std::vector<std::string>{"k:" + kWritten});
  EXPECT_EQ(Cmd({"SETBIT", "k", "3", "0"}), ":0\r\n");
  EXPECT_TRUE(TakeEvents().empty());
  EXPECT_EQ(Cmd({"SETBIT", "k", "3", "1"}), ":0\r\n");
  EXPECT_EQ(TakeEvents(), std::vector<std::string>{"k:" + kWritten});
  EXPECT_EQ(Cmd({"SETBIT", "k", "20", "0"}), ":0\r\n");  // grown
  EXPECT_EQ(TakeEvents(), std::vector<std::string>{"k:" + kWritten});
  EXPECT_EQ(Cmd({"STRLEN", "k"}), ":3\r\n");
}

// BITFIELD creates its key before running its ops; when every op fails
// (OVERFLOW FAIL) the key stays, with no event. An op that writes its
// field's current value raises none either, unless the string grew.
TEST_F(BitopsTest, BitfieldEventsOnlyForWrites) {
  EXPECT_EQ(Cmd({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"}), "*1\r\n$-1\r\n");
  EXPECT_TRUE(TakeEvents().empty());
  EXPECT_EQ(Cmd({"STRLEN", "k"}), ":1\r\n");
  EXPECT_EQ(Cmd({"BITFIELD", "k", "SET", "u8", "0", "0"}), "*1\r\n:0\r\n");
  EXPECT_TRUE(TakeEvents().empty());
  EXPECT_EQ(Cmd({"BITFIELD", "k", "SET", "u8", "8", "0"}), "*1\r\n:0\r\n");  // grown
  EXPECT_EQ(TakeEvents(), std::vector<std::string>{"k:" + kWritten});
  EXPECT_EQ(Cmd({"BITFIELD", "k", "GET", "u8", "0", "GET", "u8", "#9"}), "*2\r\n:0\r\n:0\r\n");
  EXPECT_TRUE(TakeEvents().empty());
}

// BITOP's empty result deletes the destination even when it is logically
// expired (Redis's dbDelete): a command's deletion, not an expiry.
TEST_F(BitopsTest, BitopDeletesAnExpiredDestination) {
  Cmd({"SET", "d", "x", "PX", "5"});
  engine_.AdvanceClock(6);
  TakeEvents();
  EXPECT_EQ(Cmd({"BITOP", "AND", "d", "nokey"}), ":0\r\n");
  EXPECT_EQ(TakeEvents(), std::vector<std::string>{"d:" + kDeleted});
  EXPECT_EQ(Cmd({"BITOP", "AND", "d", "nokey"}), ":0\r\n");
  EXPECT_TRUE(TakeEvents().empty());
}

// The string limit bounds every bit offset: with proto-max-bulk-len L the
// last addressable bit is 8L - 1, so SETBIT grows a string to L bytes at
// most, and a BITFIELD write to L + 8 (a 64-bit field starting at bit
// 8L - 1). Beyond, the reply is Redis's offset error and nothing is stored.
class BitopsLimitTest : public BitopsTest {
 protected:
  static EngineOptions Small() {
    EngineOptions o;
    o.max_string_len = 64 * 1024;
    return o;
  }
  BitopsLimitTest() : BitopsTest(Small()) {}
};

TEST_F(BitopsLimitTest, OffsetsStopAtTheStringLimit) {
  const std::string err = "-ERR bit offset is not an integer or out of range\r\n";
  EXPECT_EQ(Cmd({"SETBIT", "k", "524288", "1"}), err);
  EXPECT_EQ(Cmd({"SETBIT", "k", "9223372036854775807", "1"}), err);
  EXPECT_EQ(Cmd({"GETBIT", "k", "524288"}), err);
  EXPECT_EQ(Cmd({"EXISTS", "k"}), ":0\r\n");
  EXPECT_EQ(Cmd({"SETBIT", "k", "524287", "1"}), ":0\r\n");
  EXPECT_EQ(Cmd({"STRLEN", "k"}), ":65536\r\n");
  EXPECT_EQ(Cmd({"GETBIT", "k", "524287"}), ":1\r\n");
  EXPECT_EQ(Cmd({"BITFIELD", "b", "SET", "u8", "#65536", "1"}), err);
  EXPECT_EQ(Cmd({"BITFIELD", "b", "SET", "u1", "#524288", "1"}), err);
  // #N counts fields of the type's width: 2^57 - 1 fields of 64 bits lie
  // past the limit, and 2^57 of them wrap to a negative offset.
  EXPECT_EQ(Cmd({"BITFIELD", "b", "GET", "i64", "#144115188075855871"}), err);
  EXPECT_EQ(Cmd({"BITFIELD", "b", "GET", "i64", "#144115188075855872"}), err);
  EXPECT_EQ(Cmd({"EXISTS", "b"}), ":0\r\n");
  EXPECT_EQ(Cmd({"BITFIELD", "b", "SET", "u8", "#65535", "1"}), "*1\r\n:0\r\n");
  EXPECT_EQ(Cmd({"STRLEN", "b"}), ":65536\r\n");
  // The field's first bit is the one set above: as an i64, the minimum.
  EXPECT_EQ(Cmd({"BITFIELD", "b", "SET", "i64", "524287", "-1"}),
            "*1\r\n:-9223372036854775808\r\n");
  EXPECT_EQ(Cmd({"STRLEN", "b"}), ":65544\r\n");
  EXPECT_EQ(Cmd({"BITCOUNT", "b"}), ":64\r\n");
}

}  // namespace
}  // namespace respfuzz::engine
