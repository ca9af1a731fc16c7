// The reference model's streams where a recording of redis-server cannot
// pin the reply: IDs from `*` and the times of consumer groups (delivery
// time, idle, seen time) come from the model's virtual clock, which a live
// server's wall clock cannot match byte for byte. Everything else about
// streams is in tests/recordings/streams.json.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harnesses/models/reference_model.h"
#include "src/resp/value.h"

namespace respfuzz::models {
namespace {

using resp::Type;
using resp::Value;

Value Arr(std::vector<Value> v) { return Value::Aggregate(Type::kArray, std::move(v)); }
Value B(std::string s) { return Value::Bulk(std::move(s)); }
Value I(int64_t n) { return Value::Integer(n); }

constexpr int64_t kStart = 1'700'000'000'000;

TEST(ReferenceStreamsTest, StarIdsComeFromTheVirtualClock) {
  ReferenceOptions o;
  o.start_ms = kStart;
  ReferenceModel m(o);
  EXPECT_EQ(m.Execute(0, {"XADD", "s", "*", "f", "v"}), B("1700000000000-0"));
  EXPECT_EQ(m.Execute(0, {"XADD", "s", "*", "f", "v"}), B("1700000000000-1"));
  m.AdvanceClock(5);
  EXPECT_EQ(m.Execute(0, {"XADD", "s", "*", "f", "v"}), B("1700000000005-0"));
  // An explicit ID in the future wins over the clock, then `*` follows it.
  EXPECT_EQ(m.Execute(0, {"XADD", "s", "1700000000009-3", "f", "v"}), B("1700000000009-3"));
  EXPECT_EQ(m.Execute(0, {"XADD", "s", "*", "f", "v"}), B("1700000000009-4"));
  // The clock's entries trim like any other: MINID of the third one.
  EXPECT_EQ(m.Execute(0, {"XTRIM", "s", "MINID", "1700000000005"}), I(2));
}

TEST(ReferenceStreamsTest, GroupTimesComeFromTheVirtualClock) {
  ReferenceOptions o;
  o.start_ms = kStart;
  ReferenceModel m(o);
  m.Execute(0, {"XADD", "s", "1-1", "f", "v"});
  m.Execute(0, {"XADD", "s", "2-1", "f", "v"});
  m.Execute(0, {"XGROUP", "CREATE", "s", "g", "0"});
  m.Execute(0, {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  m.AdvanceClock(250);
  EXPECT_EQ(
      m.Execute(0, {"XPENDING", "s", "g", "-", "+", "10"}),
      Arr({Arr({B("1-1"), B("alice"), I(250), I(1)}), Arr({B("2-1"), B("alice"), I(250), I(1)})}));
  EXPECT_EQ(m.Execute(0, {"XPENDING", "s", "g", "IDLE", "251", "-", "+", "10"}), Arr({}));
  EXPECT_EQ(m.Execute(0, {"XINFO", "CONSUMERS", "s", "g"}),
            Arr({Arr({B("name"), B("alice"), B("pending"), I(2), B("idle"), I(250)})}));
  // A claim resets the delivery time and counts a delivery; min-idle-time
  // is compared with the idle time.
  EXPECT_EQ(m.Execute(0, {"XCLAIM", "s", "g", "bob", "251", "1-1", "JUSTID"}), Arr({}));
  EXPECT_EQ(m.Execute(0, {"XCLAIM", "s", "g", "bob", "250", "1-1"}),
            Arr({Arr({B("1-1"), Arr({B("f"), B("v")})})}));
  m.AdvanceClock(100);
  EXPECT_EQ(m.Execute(0, {"XCLAIM", "s", "g", "bob", "0", "2-1", "IDLE", "40", "RETRYCOUNT", "7",
                          "JUSTID"}),
            Arr({B("2-1")}));
  EXPECT_EQ(m.Execute(0, {"XPENDING", "s", "g", "-", "+", "10", "bob"}),
            Arr({Arr({B("1-1"), B("bob"), I(100), I(2)}), Arr({B("2-1"), B("bob"), I(40), I(7)})}));
  // XINFO STREAM FULL shows the times themselves (unix ms).
  const Value full = m.Execute(0, {"XINFO", "STREAM", "s", "FULL"});
  const std::string text = resp::ToDebugString(full);
  EXPECT_NE(text.find("1700000000310"), std::string::npos) << text;  // 2-1 delivered 40 ms ago
  EXPECT_NE(text.find("1700000000250"), std::string::npos) << text;  // 1-1 claimed at 250
  // XAUTOCLAIM moves what has been idle long enough: 1-1 (160 ms), not
  // 2-1 (100 ms).
  m.AdvanceClock(60);
  EXPECT_EQ(m.Execute(0, {"XAUTOCLAIM", "s", "g", "carol", "101", "0", "JUSTID"}),
            Arr({B("0-0"), Arr({B("1-1")}), Arr({})}));
}

// XAUTOCLAIM's COUNT: 7.0.15 allocates COUNT IDs up front and refuses when
// the allocation fails, a machine-dependent bound the model puts at 2^42
// (docs/fidelity.md); above LONG_MAX / 16 it is out of range.
TEST(ReferenceStreamsTest, AutoclaimCountBoundary) {
  ReferenceModel m;
  m.Execute(0, {"XADD", "s", "1-1", "f", "v"});
  m.Execute(0, {"XGROUP", "CREATE", "s", "g", "0"});
  const Value empty = Arr({B("0-0"), Arr({}), Arr({})});
  EXPECT_EQ(m.Execute(0, {"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "4398046511104"}), empty);
  EXPECT_EQ(m.Execute(0, {"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "4398046511105"}),
            Value::Error("ERR Insufficient memory, failed allocating transient memory, COUNT too "
                         "high."));
  EXPECT_EQ(m.Execute(0, {"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423488"}),
            Value::Error("ERR COUNT must be > 0"));
}

}  // namespace
}  // namespace respfuzz::models
