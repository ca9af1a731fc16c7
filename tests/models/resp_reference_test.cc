// The reference RESP reader (harnesses/models/resp_reference.h) on the RESP3
// spec's own examples and on each rule it writes down, on the models alone.
#include "harnesses/models/resp_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace respfuzz::models {
namespace {

using resp::Protocol;
using resp::Type;
using resp::Value;

RespReferenceResult Read(std::string_view s, Protocol p = Protocol::kResp3,
                         RespReferenceLimits l = {}) {
  return ReferenceReadResp(s, p, l);
}

Value One(std::string_view s) {
  RespReferenceResult r = Read(s);
  EXPECT_TRUE(r.complete) << s << ": " << r.error;
  EXPECT_EQ(r.values.size(), 1u) << s;
  return r.values.empty() ? Value() : r.values[0];
}

void ExpectError(std::string_view s, const std::string& kind, uint64_t offset,
                 Protocol p = Protocol::kResp3, RespReferenceLimits l = {}) {
  RespReferenceResult r = Read(s, p, l);
  EXPECT_EQ(r.error, kind) << s;
  EXPECT_EQ(r.error_offset, offset) << s;
  EXPECT_FALSE(r.complete) << s;
}

TEST(RespReference, TheSpecExamples) {
  EXPECT_EQ(One("$11\r\nhello world\r\n"), Value::Bulk("hello world"));
  EXPECT_EQ(One("$0\r\n\r\n"), Value::Bulk(""));
  EXPECT_EQ(One("+hello world\r\n"), Value::Simple("hello world"));
  EXPECT_EQ(One("-ERR this is the error description\r\n"),
            Value::Error("ERR this is the error description"));
  EXPECT_EQ(One(":1234\r\n"), Value::Integer(1234));
  EXPECT_EQ(One("_\r\n"), Value::Null());
  EXPECT_EQ(One(",1.23\r\n"), Value::Double(1.23));
  EXPECT_EQ(One(",10\r\n"), Value::Double(10));
  EXPECT_EQ(One(",inf\r\n"), Value::Double(HUGE_VAL));
  EXPECT_EQ(One(",-inf\r\n"), Value::Double(-HUGE_VAL));
  EXPECT_TRUE(std::isnan(One(",nan\r\n").dbl));
  EXPECT_TRUE(std::isnan(One(",-nan\r\n").dbl));  // what redis-server 7.0.15 sends for 0/0
  EXPECT_EQ(One("#t\r\n"), Value::Boolean(true));
  EXPECT_EQ(One("#f\r\n"), Value::Boolean(false));
  EXPECT_EQ(One("!21\r\nSYNTAX invalid syntax\r\n"),
            Value::Str(Type::kBulkError, "SYNTAX invalid syntax"));
  EXPECT_EQ(One("=15\r\ntxt:Some string\r\n"), Value::Str(Type::kVerbatim, "txt:Some string"));
  EXPECT_EQ(One("(3492890328409238509324850943850943825024385\r\n"),
            Value::Str(Type::kBigNumber, "3492890328409238509324850943850943825024385"));
  EXPECT_EQ(
      One("*3\r\n:1\r\n:2\r\n:3\r\n"),
      Value::Aggregate(Type::kArray, {Value::Integer(1), Value::Integer(2), Value::Integer(3)}));
  Value inner =
      Value::Aggregate(Type::kArray, {Value::Integer(1), Value::Bulk("hello"), Value::Integer(2)});
  EXPECT_EQ(One("*2\r\n*3\r\n:1\r\n$5\r\nhello\r\n:2\r\n#f\r\n"),
            Value::Aggregate(Type::kArray, {inner, Value::Boolean(false)}));
  EXPECT_EQ(One("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n"),
            Value::Aggregate(Type::kMap, {Value::Simple("first"), Value::Integer(1),
                                          Value::Simple("second"), Value::Integer(2)}));
  // Attributes annotate the value that follows.
  Value mget =
      One("|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n"
          "*2\r\n:2039123\r\n:9543892\r\n");
  EXPECT_EQ(mget.type, Type::kArray);
  ASSERT_TRUE(mget.has_attributes);
  EXPECT_EQ(mget.attributes.size(), 2u);
  EXPECT_EQ(mget.attributes[0], Value::Simple("key-popularity"));
  // Streamed strings and aggregates.
  EXPECT_EQ(One("$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n"), Value::Bulk("Hello word"));
  EXPECT_EQ(
      One("*?\r\n:1\r\n:2\r\n:3\r\n.\r\n"),
      Value::Aggregate(Type::kArray, {Value::Integer(1), Value::Integer(2), Value::Integer(3)}));
  EXPECT_EQ(One("%?\r\n+a\r\n:1\r\n.\r\n"),
            Value::Aggregate(Type::kMap, {Value::Simple("a"), Value::Integer(1)}));
}

TEST(RespReference, ErrorsAndTheirOffsets) {
  ExpectError("+OK\r\n:12x\r\n", "bad-integer", 6);
  ExpectError("+a\nb", "char-in-line", 2);
  ExpectError("+a\rb\r\n", "bad-terminator", 3);
  ExpectError("$3\r\nabcX", "bad-terminator", 7);
  ExpectError("$3\r\nabc\rX", "bad-terminator", 8);
  ExpectError(",.5\r\n", "bad-double", 1);    // "To just start with . ... is invalid"
  ExpectError(",1.\r\n", "bad-double", 1);    // a dot "followed by one or more decimal digits"
  ExpectError(",+inf\r\n", "bad-double", 1);  // infinities are exactly inf and -inf
  ExpectError(",1e400\r\n", "bad-double", 1);
  ExpectError("#x\r\n", "bad-boolean", 1);
  ExpectError("_x\r\n", "bad-null", 1);
  ExpectError("(1.5\r\n", "bad-big-number", 1);  // "must not include a decimal part"
  ExpectError("=3\r\ntxt\r\n", "bad-verbatim", 4);
  ExpectError("$?\r\n;x\r\n", "bad-stream-chunk", 5);
  ExpectError("$?\r\nx", "bad-stream-chunk", 4);
  ExpectError(".\r\n", "unexpected-end", 0);
  ExpectError("%?\r\n+k\r\n.\r\n", "unexpected-end", 8);
  ExpectError("*?\r\n|0\r\n.\r\n", "dangling-attribute", 8);
  ExpectError("%-1\r\n", "bad-length", 1);
  ExpectError("_\r\n", "unknown-type", 0, Protocol::kResp2);
  ExpectError("$?\r\n", "bad-length", 1, Protocol::kResp2);
  RespReferenceLimits tight;
  tight.max_depth = 1;
  tight.max_aggregate_len = 1;
  tight.max_bulk_len = 2;
  tight.max_line_len = 3;
  ExpectError("*1\r\n*0\r\n", "too-deep", 4, Protocol::kResp3, tight);
  ExpectError("*2\r\n", "aggregate-too-long", 1, Protocol::kResp3, tight);
  ExpectError("$3\r\n", "bulk-too-long", 1, Protocol::kResp3, tight);
  ExpectError("+abcd", "line-too-long", 4, Protocol::kResp3, tight);
  EXPECT_TRUE(Read("+abc\r\n", Protocol::kResp3, tight).complete);  // a line at the cap
  EXPECT_TRUE(Read("$2\r\nab\r\n", Protocol::kResp3, tight).complete);
}

TEST(RespReference, ValuesBeforeTheEndOrAnErrorAreKept) {
  RespReferenceResult r = Read("+a\r\n*2\r\n:1\r\n");
  EXPECT_EQ(r.values.size(), 1u);
  EXPECT_EQ(r.error, "");
  EXPECT_FALSE(r.complete);
  r = Read("+a\r\n|0\r\n");  // an attribute still waits for its value
  EXPECT_FALSE(r.complete);
  r = Read("+a\r\n:x\r\n");
  EXPECT_EQ(r.values.size(), 1u);
  EXPECT_EQ(r.error, "bad-integer");
}

}  // namespace
}  // namespace respfuzz::models
