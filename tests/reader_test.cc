#include "src/resp/reader.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/resp/writer.h"

namespace respfuzz::resp {
namespace {

using Code = ReaderErrorCode;

struct Parsed {
  std::vector<Value> values;
  ReaderError error;
  bool idle;
};

Parsed Read(std::string_view data, Protocol p = Protocol::kResp3, ReaderLimits l = {}) {
  Parsed r;
  r.values = ReadAll(data, p, l, &r.error, &r.idle);
  return r;
}

// Feeds one byte at a time.
Parsed ReadBytewise(std::string_view data, Protocol p = Protocol::kResp3, ReaderLimits l = {}) {
  Parsed r;
  Reader reader(p, l);
  TreeBuilder builder(&r.values);
  for (char c : data) {
    if (!reader.Feed(std::string_view(&c, 1), builder)) break;
  }
  r.error = reader.error();
  r.idle = reader.idle();
  return r;
}

Value One(std::string_view data, Protocol p = Protocol::kResp3) {
  Parsed r = Read(data, p);
  EXPECT_EQ(r.error.code, Code::kNone) << r.error.reason << " for " << data;
  EXPECT_TRUE(r.idle) << data;
  EXPECT_EQ(r.values.size(), 1u) << data;
  return r.values.empty() ? Value() : r.values[0];
}

ReaderError ErrorOf(std::string_view data, Protocol p = Protocol::kResp3, ReaderLimits l = {}) {
  Parsed whole = Read(data, p, l);
  Parsed bytewise = ReadBytewise(data, p, l);
  EXPECT_EQ(whole.error, bytewise.error) << "chunking changed the error for " << data;
  return whole.error;
}

TEST(Reader, EveryResp3Type) {
  EXPECT_EQ(One("+OK\r\n"), Value::Simple("OK"));
  EXPECT_EQ(One("-ERR bad\r\n"), Value::Error("ERR bad"));
  EXPECT_EQ(One(":-42\r\n"), Value::Integer(-42));
  EXPECT_EQ(One(":+7\r\n"), Value::Integer(7));
  EXPECT_EQ(One("$5\r\nhe\r\no\r\n"), Value::Bulk("he\r\no"));
  EXPECT_EQ(One("$0\r\n\r\n"), Value::Bulk(""));
  EXPECT_EQ(One("$-1\r\n"), Value::Null(Type::kNullBulk));
  EXPECT_EQ(One("*-1\r\n"), Value::Null(Type::kNullArray));
  EXPECT_EQ(One("_\r\n"), Value::Null());
  EXPECT_EQ(One("#t\r\n"), Value::Boolean(true));
  EXPECT_EQ(One("#f\r\n"), Value::Boolean(false));
  EXPECT_EQ(One(",1.5\r\n"), Value::Double(1.5));
  EXPECT_EQ(One(",-2E+3\r\n"), Value::Double(-2000));
  EXPECT_EQ(One(",inf\r\n"), Value::Double(HUGE_VAL));
  EXPECT_EQ(One(",-inf\r\n"), Value::Double(-HUGE_VAL));
  EXPECT_TRUE(std::isnan(One(",nan\r\n").dbl));
  EXPECT_EQ(One("(-3492890328409238509324850943850943825024385\r\n"),
            Value::Str(Type::kBigNumber, "-3492890328409238509324850943850943825024385"));
  EXPECT_EQ(One("!21\r\nSYNTAX invalid syntax\r\n"),
            Value::Str(Type::kBulkError, "SYNTAX invalid syntax"));
  EXPECT_EQ(One("=15\r\ntxt:Some string\r\n"), Value::Str(Type::kVerbatim, "txt:Some string"));
  EXPECT_EQ(One("*2\r\n:1\r\n$1\r\na\r\n"),
            Value::Aggregate(Type::kArray, {Value::Integer(1), Value::Bulk("a")}));
  EXPECT_EQ(One("%1\r\n+k\r\n:2\r\n"),
            Value::Aggregate(Type::kMap, {Value::Simple("k"), Value::Integer(2)}));
  EXPECT_EQ(One("~2\r\n+a\r\n+b\r\n"),
            Value::Aggregate(Type::kSet, {Value::Simple("a"), Value::Simple("b")}));
  EXPECT_EQ(One(">2\r\n+message\r\n+x\r\n"),
            Value::Aggregate(Type::kPush, {Value::Simple("message"), Value::Simple("x")}));
  EXPECT_EQ(One("*0\r\n"), Value::Aggregate(Type::kArray));
  EXPECT_EQ(One("%0\r\n"), Value::Aggregate(Type::kMap));
}

// The RESP3 spec: infinities are exactly "inf" and "-inf"; NaN is "nan", and
// since Redis before 7.2 prints NaN as libc does, clients must also read
// "-nan", "NAN" and "nan(char-sequence)". redis-server 7.0.15 answers
// EVAL "redis.setresp(3); return {double=0/0}" 0 with ",-nan\r\n".
TEST(Reader, DoublesReadEveryNanRedisSendsAndOnlyTheSpecInfinities) {
  for (const char* nan :
       {",nan\r\n", ",-nan\r\n", ",NAN\r\n", ",-NaN\r\n", ",nan(123_ab)\r\n", ",-nan()\r\n"}) {
    EXPECT_TRUE(std::isnan(One(nan).dbl)) << nan;
  }
  for (const char* bad : {",+nan\r\n", ",nan(\r\n", ",nan(-)\r\n", ",nanx\r\n", ",--nan\r\n",
                          ",+inf\r\n", ",INF\r\n", ",na\r\n"}) {
    EXPECT_EQ(ErrorOf(bad).code, Code::kBadDouble) << bad;
  }
  // Below the double range reads as (signed) zero, as strtod gives it;
  // above it is an error rather than an infinity.
  EXPECT_EQ(One(",1e-400\r\n"), Value::Double(0.0));
  EXPECT_EQ(One(",-1e-400\r\n"), Value::Double(-0.0));
  EXPECT_EQ(One(",4.9406564584124654e-324\r\n"), Value::Double(4.9406564584124654e-324));
  EXPECT_EQ(ErrorOf(",-1e400\r\n").code, Code::kBadDouble);
}

TEST(Reader, AttributesAnnotateTheNextValue) {
  Value v = One("|1\r\n+key-popularity\r\n*1\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n");
  EXPECT_EQ(v.type, Type::kArray);
  EXPECT_TRUE(v.has_attributes);
  ASSERT_EQ(v.attributes.size(), 2u);
  EXPECT_EQ(v.attributes[0], Value::Simple("key-popularity"));
  // Inside an aggregate the attribute does not count as an element.
  Value a = One("*2\r\n|1\r\n+ttl\r\n:3600\r\n+x\r\n+y\r\n");
  ASSERT_EQ(a.elems.size(), 2u);
  EXPECT_TRUE(a.elems[0].has_attributes);
  EXPECT_FALSE(a.elems[1].has_attributes);
  // An empty attribute is still an attribute; consecutive ones merge.
  EXPECT_TRUE(One("|0\r\n:1\r\n").has_attributes);
  EXPECT_EQ(One("|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n:1\r\n").attributes.size(), 4u);
  // A stream that ends after an attribute is not at a value boundary.
  Parsed p = Read("|1\r\n+a\r\n+b\r\n");
  EXPECT_TRUE(p.values.empty());
  EXPECT_FALSE(p.idle);
}

TEST(Reader, StreamedForms) {
  EXPECT_EQ(One("$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n"), Value::Bulk("Hello word"));
  EXPECT_EQ(One("*?\r\n:1\r\n:2\r\n.\r\n"),
            Value::Aggregate(Type::kArray, {Value::Integer(1), Value::Integer(2)}));
  EXPECT_EQ(One("%?\r\n+a\r\n:1\r\n.\r\n"),
            Value::Aggregate(Type::kMap, {Value::Simple("a"), Value::Integer(1)}));
  EXPECT_EQ(One("~?\r\n.\r\n"), Value::Aggregate(Type::kSet));
  EXPECT_EQ(ErrorOf("%?\r\n+a\r\n.\r\n").code, Code::kUnexpectedEnd);
  EXPECT_EQ(ErrorOf("*?\r\n|1\r\n+a\r\n+b\r\n.\r\n").code, Code::kDanglingAttribute);
  EXPECT_EQ(ErrorOf(".\r\n").code, Code::kUnexpectedEnd);
  EXPECT_EQ(ErrorOf("*1\r\n.\r\n").code, Code::kUnexpectedEnd);
  EXPECT_EQ(ErrorOf("$?\r\n+x\r\n").code, Code::kBadStreamChunk);
  EXPECT_EQ(ErrorOf("$?\r\n;-1\r\n").code, Code::kBadStreamChunk);
  // Streaming is RESP3 only.
  EXPECT_EQ(ErrorOf("$?\r\n", Protocol::kResp2).code, Code::kBadLength);
  EXPECT_EQ(ErrorOf("*?\r\n", Protocol::kResp2).code, Code::kBadLength);
}

TEST(Reader, Resp2StrictRejectsResp3Types) {
  for (char t : std::string("_#,(!=%~|>.")) {
    std::string in = std::string(1, t) + "1\r\n";
    ReaderError e = ErrorOf(in, Protocol::kResp2);
    EXPECT_EQ(e.code, Code::kUnknownType) << in;
    EXPECT_EQ(e.offset, 0u);
  }
  EXPECT_EQ(One("*2\r\n+a\r\n$-1\r\n", Protocol::kResp2).elems.size(), 2u);
}

TEST(Reader, ErrorsCarryTheOffsetOfTheOffendingByte) {
  ReaderError e = ErrorOf("+OK\r\n:12x\r\n");
  EXPECT_EQ(e.code, Code::kBadInteger);
  EXPECT_EQ(e.offset, 6u);
  e = ErrorOf("+OK\r\n?");
  EXPECT_EQ(e.code, Code::kUnknownType);
  EXPECT_EQ(e.offset, 5u);
  e = ErrorOf("+a\rb\r\n");
  EXPECT_EQ(e.code, Code::kBadTerminator);
  EXPECT_EQ(e.offset, 3u);
  e = ErrorOf("+a\nb\r\n");
  EXPECT_EQ(e.code, Code::kCharInLine);
  EXPECT_EQ(e.offset, 2u);
  // An LF fails the line as soon as it arrives, before any CR.
  e = ErrorOf("+a\nb");
  EXPECT_EQ(e.code, Code::kCharInLine);
  EXPECT_EQ(e.offset, 2u);
  EXPECT_EQ(ErrorOf("+a\nb\rX").offset, 2u);
  e = ErrorOf("$3\r\nabcX");
  EXPECT_EQ(e.code, Code::kBadTerminator);
  EXPECT_EQ(e.offset, 7u);
  e = ErrorOf("$3\r\nabc\rX");
  EXPECT_EQ(e.offset, 8u);
  EXPECT_EQ(ErrorOf(":9223372036854775808\r\n").code, Code::kBadInteger);
  EXPECT_EQ(ErrorOf(":-9223372036854775809\r\n").code, Code::kBadInteger);
  EXPECT_EQ(One(":-9223372036854775808\r\n").integer, INT64_MIN);
  EXPECT_EQ(ErrorOf(":\r\n").code, Code::kBadInteger);
  EXPECT_EQ(ErrorOf("$-2\r\n").code, Code::kBadLength);
  EXPECT_EQ(ErrorOf("$+1\r\n").code, Code::kBadLength);
  EXPECT_EQ(ErrorOf("%-1\r\n").code, Code::kBadLength);
  EXPECT_EQ(ErrorOf(",1.\r\n").code, Code::kBadDouble);
  EXPECT_EQ(ErrorOf(",.5\r\n").code, Code::kBadDouble);
  EXPECT_EQ(ErrorOf(",1e\r\n").code, Code::kBadDouble);
  EXPECT_EQ(ErrorOf(",infinity\r\n").code, Code::kBadDouble);
  EXPECT_EQ(ErrorOf(",1e400\r\n").code, Code::kBadDouble);
  EXPECT_EQ(ErrorOf(",+-1\r\n").code, Code::kBadDouble);
  EXPECT_EQ(ErrorOf(",-+1\r\n").code, Code::kBadDouble);
  EXPECT_EQ(One(",+1.5\r\n"), Value::Double(1.5));
  EXPECT_EQ(ErrorOf("#x\r\n").code, Code::kBadBoolean);
  EXPECT_EQ(ErrorOf("_x\r\n").code, Code::kBadNull);
  EXPECT_EQ(ErrorOf("(12a\r\n").code, Code::kBadBigNumber);
  EXPECT_EQ(ErrorOf("=3\r\ntxt\r\n").code, Code::kBadVerbatim);
  EXPECT_EQ(ErrorOf("=4\r\ntxt;\r\n").code, Code::kBadVerbatim);
}

TEST(Reader, ErrorsAreStickyUntilReset) {
  Reader reader(Protocol::kResp3);
  std::vector<Value> out;
  TreeBuilder builder(&out);
  EXPECT_FALSE(reader.Feed("?", builder));
  EXPECT_FALSE(reader.Feed("+OK\r\n", builder));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(reader.status().ok());
  reader.Reset();
  builder.Clear();
  EXPECT_TRUE(reader.Feed("+OK\r\n", builder));
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(reader.consumed(), 5u);
}

TEST(Reader, LineLengthLimitBoundary) {
  ReaderLimits l;
  l.max_line_len = 4;
  EXPECT_EQ(Read("+abcd\r\n", Protocol::kResp3, l).error.code, Code::kNone);
  ReaderError e = ErrorOf("+abcde\r\n", Protocol::kResp3, l);
  EXPECT_EQ(e.code, Code::kLineTooLong);
  EXPECT_EQ(e.offset, 5u);
  // Decided as soon as max_line_len + 1 bytes lack a CR, without waiting for the end.
  EXPECT_EQ(ErrorOf("+abcde", Protocol::kResp3, l).code, Code::kLineTooLong);
  EXPECT_EQ(ErrorOf("+abcd", Protocol::kResp3, l).code, Code::kNone);
  EXPECT_EQ(ReaderLimits{}.max_line_len, 64u * 1024);
  // The default, at and past the boundary.
  std::string at = "+" + std::string(64 * 1024, 'x') + "\r\n";
  EXPECT_EQ(Read(at).error.code, Code::kNone);
  std::string past = "+" + std::string(64 * 1024 + 1, 'x') + "\r\n";
  EXPECT_EQ(ErrorOf(past).code, Code::kLineTooLong);
  // No limit at all does not overflow the scan window.
  ReaderLimits unlimited;
  unlimited.max_line_len = SIZE_MAX;
  Parsed p = Read("+OK\r\n:1\r\n", Protocol::kResp3, unlimited);
  EXPECT_EQ(p.values.size(), 2u);
  EXPECT_TRUE(p.idle);
}

TEST(Reader, BulkLengthLimitBoundary) {
  ReaderLimits l;
  l.max_bulk_len = 3;
  EXPECT_EQ(Read("$3\r\nabc\r\n", Protocol::kResp3, l).error.code, Code::kNone);
  EXPECT_EQ(ErrorOf("$4\r\nabcd\r\n", Protocol::kResp3, l).code, Code::kBulkTooLong);
  EXPECT_EQ(ErrorOf("!4\r\nabcd\r\n", Protocol::kResp3, l).code, Code::kBulkTooLong);
  // A streamed string's parts add up against the same limit.
  EXPECT_EQ(Read("$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n", Protocol::kResp3, l).error.code,
            Code::kNone);
  EXPECT_EQ(ErrorOf("$?\r\n;2\r\nab\r\n;2\r\ncd\r\n;0\r\n", Protocol::kResp3, l).code,
            Code::kBulkTooLong);
  EXPECT_EQ(ReaderLimits{}.max_bulk_len, 512ll * 1024 * 1024);
}

TEST(Reader, AggregateLengthLimitBoundary) {
  ReaderLimits l;
  l.max_aggregate_len = 2;
  EXPECT_EQ(Read("*2\r\n:1\r\n:2\r\n", Protocol::kResp3, l).error.code, Code::kNone);
  EXPECT_EQ(ErrorOf("*3\r\n", Protocol::kResp3, l).code, Code::kAggregateTooLong);
  EXPECT_EQ(Read("%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n", Protocol::kResp3, l).error.code, Code::kNone);
  EXPECT_EQ(ErrorOf("%3\r\n", Protocol::kResp3, l).code, Code::kAggregateTooLong);
  // The default (INT_MAX, as Redis's multibulk limit): at it the reader waits
  // for elements, past it the header fails.
  Parsed at = Read("*2147483647\r\n");
  EXPECT_EQ(at.error.code, Code::kNone);
  EXPECT_FALSE(at.idle);
  EXPECT_EQ(ErrorOf("*2147483648\r\n").code, Code::kAggregateTooLong);
}

TEST(Reader, DepthLimitBoundary) {
  ReaderLimits l;
  l.max_depth = 3;
  EXPECT_EQ(Read("*1\r\n*1\r\n*1\r\n:1\r\n", Protocol::kResp3, l).error.code, Code::kNone);
  ReaderError e = ErrorOf("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", Protocol::kResp3, l);
  EXPECT_EQ(e.code, Code::kTooDeep);
  EXPECT_EQ(e.offset, 12u);
  // Attributes count as nesting too.
  EXPECT_EQ(ErrorOf("*1\r\n*1\r\n*1\r\n|0\r\n", Protocol::kResp3, l).code, Code::kTooDeep);
  // The default of 128, at and past the boundary.
  std::string deep;
  for (int i = 0; i < 128; ++i) deep += "*1\r\n";
  EXPECT_EQ(Read(deep + ":1\r\n").error.code, Code::kNone);
  EXPECT_EQ(ErrorOf(deep + "*1\r\n:1\r\n").code, Code::kTooDeep);
  // No configuration goes past the ceiling.
  ReaderLimits huge;
  huge.max_depth = 1'000'000;
  EXPECT_EQ(Reader(Protocol::kResp3, huge).limits().max_depth, ReaderLimits::kMaxDepthCeiling);
}

TEST(Reader, DeepNestingDoesNotRecurse) {
  ReaderLimits l;
  l.max_depth = ReaderLimits::kMaxDepthCeiling;
  std::string in;
  for (size_t i = 0; i < l.max_depth; ++i) in += "*1\r\n";
  in += ":1\r\n";
  Parsed p = Read(in, Protocol::kResp3, l);
  ASSERT_EQ(p.error.code, Code::kNone);
  ASSERT_EQ(p.values.size(), 1u);
  EXPECT_EQ(Depth(p.values[0]), l.max_depth + 1);
  std::string written = Write(p.values[0], Protocol::kResp3);
  EXPECT_EQ(written, in);
}

TEST(Reader, DeclaredSizesAreNotBufferedUpFront) {
  // Both declarations are within the default limits; the reader holds only
  // the bytes that arrived (heap use is measured in reader_memory_test.cc).
  Reader reader(Protocol::kResp2);
  std::vector<Value> out;
  TreeBuilder builder(&out);
  ASSERT_TRUE(reader.Feed("*2147483647\r\n$536870912\r\nabc", builder));
  EXPECT_LE(reader.buffered(), 3u);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(reader.idle());
}

TEST(Reader, AnyChunkingGivesTheSameValues) {
  const std::string stream =
      "+OK\r\n:1\r\n$3\r\nfoo\r\n*2\r\n%1\r\n+a\r\n,2.5\r\n~1\r\n#t\r\n|1\r\n+x\r\n+y\r\n"
      "$?\r\n;2\r\nab\r\n;0\r\n*?\r\n_\r\n.\r\n=7\r\ntxt:abc\r\n(123\r\n>1\r\n+p\r\n";
  Parsed whole = Read(stream);
  ASSERT_EQ(whole.error.code, Code::kNone);
  ASSERT_TRUE(whole.idle);
  for (size_t split = 0; split <= stream.size(); ++split) {
    std::vector<Value> out;
    Reader reader(Protocol::kResp3);
    TreeBuilder builder(&out);
    ASSERT_TRUE(reader.Feed(std::string_view(stream).substr(0, split), builder));
    ASSERT_TRUE(reader.Feed(std::string_view(stream).substr(split), builder));
    ASSERT_EQ(out.size(), whole.values.size()) << "split at " << split;
    for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], whole.values[i]) << split;
    EXPECT_EQ(reader.consumed(), stream.size());
  }
  Parsed bytewise = ReadBytewise(stream);
  ASSERT_EQ(bytewise.values.size(), whole.values.size());
  for (size_t i = 0; i < whole.values.size(); ++i) EXPECT_EQ(bytewise.values[i], whole.values[i]);
}

TEST(Writer, Resp3RoundTripsEveryType) {
  const std::string stream =
      "+OK\r\n-ERR x\r\n:-5\r\n$3\r\nfoo\r\n$-1\r\n*-1\r\n_\r\n#f\r\n,0.1\r\n,-0\r\n(99\r\n"
      "!3\r\nbad\r\n=7\r\nmkd:abc\r\n%1\r\n+a\r\n:1\r\n~1\r\n:2\r\n>1\r\n+p\r\n|1\r\n+k\r\n+v\r\n:"
      "3\r\n";
  Parsed p = Read(stream);
  ASSERT_EQ(p.error.code, Code::kNone);
  std::string out;
  for (const Value& v : p.values) Write(v, Protocol::kResp3, &out);
  EXPECT_EQ(out, stream);
}

TEST(Writer, Resp2IsRedisDowngrade) {
  Value map = Value::Aggregate(Type::kMap, {Value::Simple("k"), Value::Double(1.5)});
  EXPECT_EQ(Write(map, Protocol::kResp2), "*2\r\n+k\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(Write(Value::Boolean(true), Protocol::kResp2), ":1\r\n");
  EXPECT_EQ(Write(Value::Null(), Protocol::kResp2), "$-1\r\n");
  EXPECT_EQ(Write(Value::Aggregate(Type::kSet, {Value::Integer(1)}), Protocol::kResp2),
            "*1\r\n:1\r\n");
  EXPECT_EQ(Write(Value::Str(Type::kVerbatim, "txt:hi"), Protocol::kResp2), "$2\r\nhi\r\n");
  EXPECT_EQ(Write(Value::Str(Type::kBigNumber, "-12"), Protocol::kResp2), "$3\r\n-12\r\n");
  EXPECT_EQ(Write(Value::Str(Type::kBulkError, "A\r\nB"), Protocol::kResp2), "-A  B\r\n");
  Value attributed = Value::Integer(7);
  attributed.has_attributes = true;
  attributed.attributes = {Value::Simple("a"), Value::Simple("b")};
  EXPECT_EQ(Write(attributed, Protocol::kResp2), ":7\r\n");
  EXPECT_EQ(Write(Value::Double(HUGE_VAL), Protocol::kResp3), ",inf\r\n");
  // Downgrade() and the RESP2 writer agree.
  ReaderError e;
  auto back = ReadAll(Write(map, Protocol::kResp2), Protocol::kResp2, {}, &e);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], Downgrade(map));
}

TEST(Writer, EncodeCommandIsAMultibulkRequest) {
  EXPECT_EQ(EncodeCommand({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
  EXPECT_EQ(EncodeCommand({}), "*0\r\n");
}

TEST(Value, EqualityTreatsNanAsEqualAndSignedZeroAsDistinct) {
  EXPECT_EQ(Value::Double(std::nan("")), Value::Double(std::nan("")));
  EXPECT_FALSE(Value::Double(0.0) == Value::Double(-0.0));
  EXPECT_FALSE(Value::Null(Type::kNullBulk) == Value::Null(Type::kNullArray));
}

TEST(Value, InvalidNamesWhatCannotBeWritten) {
  EXPECT_EQ(Invalid(Value::Simple("ok")), "");
  EXPECT_NE(Invalid(Value::Simple("a\r\nb")), "");
  EXPECT_NE(Invalid(Value::Str(Type::kVerbatim, "txt")), "");
  EXPECT_NE(Invalid(Value::Str(Type::kBigNumber, "12a")), "");
  EXPECT_NE(Invalid(Value::Aggregate(Type::kMap, {Value::Integer(1)})), "");
}

TEST(Value, DebugStringIsReadable) {
  Value v = Value::Aggregate(
      Type::kMap,
      {Value::Simple("k"), Value::Aggregate(Type::kArray, {Value::Integer(1), Value::Bulk("x")})});
  EXPECT_EQ(ToDebugString(v), "{simple(\"k\"): [1, \"x\"]}");
}

}  // namespace
}  // namespace respfuzz::resp
