// The command oracle's TIME comparison (tools/oracle_time.h): a reply with
// TIME's shape and a time within the op's window is masked; a wrong shape
// or a time outside the window is left as it is, so it shows as a
// divergence.
#include "tools/oracle_time.h"

#include <initializer_list>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace respfuzz::oracle {
namespace {

using resp::Type;
using resp::Value;

Value Time(std::string s, std::string us) {
  return Value::Aggregate(Type::kArray, {Value::Bulk(std::move(s)), Value::Bulk(std::move(us))});
}

constexpr int64_t kStart = 1'700'000'000'250;  // ms

TEST(OracleTime, ShapeIsRead) {
  EXPECT_EQ(TimeReplyMicros(Time("1700000000", "250000")), 1'700'000'000'250'000);
  EXPECT_EQ(TimeReplyMicros(Time("1", "0")), 1'000'000);
  EXPECT_FALSE(TimeReplyMicros(Time("1700000000", "1000000")));
  EXPECT_FALSE(TimeReplyMicros(Time("1700000000", "-1")));
  EXPECT_FALSE(TimeReplyMicros(Time("01700000000", "0")));
  EXPECT_FALSE(TimeReplyMicros(Time("", "0")));
  EXPECT_FALSE(TimeReplyMicros(Time("1700000000x", "0")));
  EXPECT_FALSE(TimeReplyMicros(Value::Aggregate(Type::kArray, {Value::Bulk("1")})));
  EXPECT_FALSE(TimeReplyMicros(
      Value::Aggregate(Type::kArray, {Value::Integer(1700000000), Value::Bulk("0")})));
  EXPECT_FALSE(TimeReplyMicros(Value::Error("ERR unknown command 'TIME'")));
}

TEST(OracleTime, InsideTheWindowIsMasked) {
  // The op started at kStart and took 3 ms; margin 50 ms.
  for (const auto& [s, us] : std::initializer_list<std::pair<const char*, const char*>>{
           {"1700000000", "250000"}, {"1700000000", "200000"}, {"1700000000", "303999"}}) {
    Value v = Time(s, us);
    EXPECT_TRUE(MaskTimeReply(&v, kStart, 3, 50)) << s << " " << us;
    EXPECT_EQ(v, Time("(time)", "(time)"));
  }
}

// The deliberately wrong clocks: a second late, a millisecond too early,
// a millisecond past the window's end; and a wrong shape.
TEST(OracleTime, OutsideTheWindowOrWrongShapeIsKept) {
  for (const Value& wrong :
       {Time("1700000001", "250000"), Time("1700000000", "199999"), Time("1700000000", "304000"),
        Time("1700000000", "x"), Value::Error("ERR unknown command")}) {
    Value v = wrong;
    EXPECT_FALSE(MaskTimeReply(&v, kStart, 3, 50)) << resp::ToDebugString(wrong);
    EXPECT_EQ(v, wrong);
  }
}

}  // namespace
}  // namespace respfuzz::oracle
