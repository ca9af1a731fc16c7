// The server-side request parser against what redis-server 7.0 does (see the
// verified cases at the top of src/resp/request.cc), its limits at their
// boundaries, and its chunking invariance.
#include "src/resp/request.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::resp {

// Readable failures; static so no other test's printer can collide at link time.
[[maybe_unused]] static void PrintTo(const Request& r, std::ostream* os) {
  *os << (r.kind == RequestKind::kInline ? "inline" : "multibulk") << "@" << r.offset << "[";
  for (size_t i = 0; i < r.argv.size(); ++i)
    *os << (i ? " " : "") << testing::PrintToString(r.argv[i]);
  *os << "]";
}
[[maybe_unused]] static void PrintTo(const RequestError& e, std::ostream* os) {
  *os << "error@" << e.offset << " " << testing::PrintToString(e.message);
}

namespace {

using Argv = std::vector<std::string>;

struct Parsed {
  std::vector<Request> requests;
  std::optional<RequestError> error;
  uint64_t consumed = 0;
  size_t buffered = 0;
};

Parsed ParseWhole(std::string_view bytes, RequestLimits limits = {}) {
  RequestParser parser(limits);
  Parsed p;
  bool ok = parser.Feed(bytes, &p.requests);
  EXPECT_EQ(ok, !parser.error().has_value());
  p.error = parser.error();
  p.consumed = parser.consumed();
  p.buffered = parser.buffered();
  EXPECT_EQ(p.consumed + p.buffered, bytes.size());
  return p;
}

// Feeds `bytes` in pieces of `n` (stopping at the first error).
Parsed ParseChunked(std::string_view bytes, size_t n, RequestLimits limits = {}) {
  RequestParser parser(limits);
  Parsed p;
  uint64_t fed = 0;
  for (size_t i = 0; i < bytes.size(); i += n) {
    std::string_view piece = bytes.substr(i, n);
    fed += piece.size();
    bool ok = parser.Feed(piece, &p.requests);
    EXPECT_EQ(parser.consumed() + parser.buffered(), fed);
    if (!ok) break;
  }
  p.error = parser.error();
  p.consumed = parser.consumed();
  p.buffered = parser.buffered();
  return p;
}

std::string ErrorOf(std::string_view bytes, RequestLimits limits = {}) {
  Parsed p = ParseWhole(bytes, limits);
  return p.error ? p.error->message : "";
}

Request Multibulk(uint64_t offset, Argv argv) {
  return Request{RequestKind::kMultibulk, offset, std::move(argv)};
}
Request Inline(uint64_t offset, Argv argv) {
  return Request{RequestKind::kInline, offset, std::move(argv)};
}

RequestLimits SmallCaps() {
  RequestLimits l;
  l.max_inline_len = 64;
  l.max_multibulk_len = 8;
  l.max_bulk_len = 32;
  return l;
}

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

constexpr char kInvalidMultibulk[] = "Protocol error: invalid multibulk length";
constexpr char kInvalidBulk[] = "Protocol error: invalid bulk length";
constexpr char kTooBigMbulk[] = "Protocol error: too big mbulk count string";
constexpr char kTooBigBulk[] = "Protocol error: too big bulk count string";
constexpr char kTooBigInline[] = "Protocol error: too big inline request";
constexpr char kUnbalanced[] = "Protocol error: unbalanced quotes in request";

// ---- multibulk ------------------------------------------------------------

TEST(RequestParserTest, ParsesMultibulkPipeline) {
  std::string bytes = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\n";
  Parsed p = ParseWhole(bytes);
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests,
            (std::vector<Request>{Multibulk(0, {"SET", "k", ""}), Multibulk(26, {"PING"})}));
  EXPECT_EQ(p.consumed, bytes.size());
  EXPECT_EQ(p.buffered, 0u);
}

TEST(RequestParserTest, BinarySafeBulks) {
  std::string payload("a\0\r\n\xff b", 7);
  Parsed p = ParseWhole("*1\r\n" + Bulk(payload));
  ASSERT_EQ(p.requests.size(), 1u);
  EXPECT_EQ(p.requests[0].argv, Argv{payload});
}

TEST(RequestParserTest, ZeroAndNegativeCountsAreConsumedAndIgnored) {
  for (std::string_view header : {"*0\r\n", "*-1\r\n", "*-10\r\n", "*-9223372036854775808\r\n"}) {
    std::string bytes = std::string(header) + "PING\r\n";
    Parsed p = ParseWhole(bytes);
    ASSERT_FALSE(p.error) << header;
    EXPECT_EQ(p.requests, (std::vector<Request>{Inline(header.size(), {"PING"})})) << header;
    EXPECT_EQ(p.consumed, bytes.size());
  }
}

TEST(RequestParserTest, InvalidMultibulkLength) {
  // Each verified against redis-server 7.0.15.
  for (std::string_view bytes : {"*x\r\n", "*\r\n", "*01\r\n", "*+1\r\n", "*1 \r\n", "*-0\r\n",
                                 "*2147483648\r\n", "*99999999999999999999\r\n", "*1x\r\n"}) {
    Parsed p = ParseWhole(bytes);
    ASSERT_TRUE(p.error) << bytes;
    EXPECT_EQ(p.error->message, kInvalidMultibulk) << bytes;
    EXPECT_EQ(p.error->offset, 0u);
    EXPECT_EQ(p.consumed, 0u);
  }
}

TEST(RequestParserTest, ErrorOffsetIsTheStartOfTheOffendingLine) {
  // After a complete request: the *N header starts at 14.
  Parsed p = ParseWhole("*1\r\n$4\r\nPING\r\n*x\r\n");
  ASSERT_TRUE(p.error);
  EXPECT_EQ(*p.error, (RequestError{14, kInvalidMultibulk}));
  EXPECT_EQ(p.requests.size(), 1u);
  EXPECT_EQ(p.consumed, 14u);
  // A bulk header error points at its '$' line, after the consumed bulks.
  p = ParseWhole("*2\r\n$1\r\na\r\n$y\r\n");
  ASSERT_TRUE(p.error);
  EXPECT_EQ(*p.error, (RequestError{11, kInvalidBulk}));
  EXPECT_EQ(p.consumed, 11u);
}

TEST(RequestParserTest, ExpectedDollar) {
  EXPECT_EQ(ErrorOf("*1\r\nfoo\r\n"), "Protocol error: expected '$', got 'f'");
  EXPECT_EQ(ErrorOf("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"),
            "Protocol error: expected '$', got 'f'");
  // %c of the raw byte; \r and \n are mapped to spaces by addReplyErrorFormat.
  EXPECT_EQ(ErrorOf("*1\r\n\r\n"), "Protocol error: expected '$', got ' '");
  EXPECT_EQ(ErrorOf("*1\r\n\nfoo\r\n"), "Protocol error: expected '$', got ' '");
  EXPECT_EQ(ErrorOf("*1\r\n\x01\r\n"), "Protocol error: expected '$', got '\x01'");
  EXPECT_EQ(ErrorOf("*1\r\n\xff\r\n"), "Protocol error: expected '$', got '\xff'");
  EXPECT_EQ(ErrorOf("*1\r\n*1\r\n"), "Protocol error: expected '$', got '*'");
}

TEST(RequestParserTest, ExpectedDollarWaitsForTheWholeLine) {
  // Redis checks the '$' only once the header line is complete.
  Parsed p = ParseWhole("*1\r\nfoo");
  EXPECT_FALSE(p.error);
  EXPECT_EQ(p.consumed, 4u);
  p = ParseWhole("*1\r\nfoo\r");
  EXPECT_FALSE(p.error);
}

TEST(RequestParserTest, InvalidBulkLength) {
  for (std::string_view len :
       {"x", "-1", "", "01", "+1", "1 ", "536870913", "99999999999999999999"}) {
    std::string bytes = "*1\r\n$" + std::string(len) + "\r\n";
    EXPECT_EQ(ErrorOf(bytes), kInvalidBulk) << len;
  }
  // The bulk header line runs to the first '\r', wherever it is.
  EXPECT_EQ(ErrorOf("*1\r\n$4\nPING\r\n"), kInvalidBulk);
}

TEST(RequestParserTest, SkipsBytesAfterPayloadAndHeaderCrUnchecked) {
  // Verified: redis-server answers +PONG twice, then once.
  Parsed p = ParseWhole("*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n");
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests, (std::vector<Request>{Multibulk(0, {"PING"}), Multibulk(14, {"PING"})}));
  p = ParseWhole("*1\rX$4\rYPINGab");
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests, (std::vector<Request>{Multibulk(0, {"PING"})}));
}

TEST(RequestParserTest, HeaderWaitsForTheByteAfterCr) {
  Parsed p = ParseWhole("*1\r");
  EXPECT_FALSE(p.error);
  EXPECT_EQ(p.consumed, 0u);
  EXPECT_EQ(p.buffered, 3u);
  p = ParseWhole("*1\r\n$4\r");
  EXPECT_EQ(p.consumed, 4u);
  p = ParseWhole("*1\r\n$4\r\nPING\r");  // payload needs its 2 trailing bytes
  EXPECT_EQ(p.consumed, 8u);
  EXPECT_TRUE(p.requests.empty());
}

TEST(RequestParserTest, MultibulkCountLimitBoundary) {
  RequestLimits caps = SmallCaps();
  std::string eight = "*8\r\n";
  for (int i = 0; i < 8; ++i) eight += Bulk("a");
  Parsed p = ParseWhole(eight, caps);
  ASSERT_FALSE(p.error);
  ASSERT_EQ(p.requests.size(), 1u);
  EXPECT_EQ(p.requests[0].argv.size(), 8u);
  EXPECT_EQ(ErrorOf("*9\r\n", caps), kInvalidMultibulk);
  // Defaults: INT_MAX accepted (and not allocated), INT_MAX + 1 rejected.
  p = ParseWhole("*2147483647\r\n");
  EXPECT_FALSE(p.error);
  EXPECT_EQ(ErrorOf("*2147483648\r\n"), kInvalidMultibulk);
}

TEST(RequestParserTest, BulkLengthLimitBoundary) {
  RequestLimits caps = SmallCaps();
  std::string at_limit(32, 'b');
  Parsed p = ParseWhole("*1\r\n" + Bulk(at_limit), caps);
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests, (std::vector<Request>{Multibulk(0, {at_limit})}));
  EXPECT_EQ(ErrorOf("*1\r\n$33\r\n", caps), kInvalidBulk);
  EXPECT_FALSE(ParseWhole("*1\r\n$536870912\r\n").error);
  EXPECT_EQ(ErrorOf("*1\r\n$536870913\r\n"), kInvalidBulk);
}

TEST(RequestParserTest, MbulkCountLineLimitBoundary) {
  RequestLimits caps = SmallCaps();  // max_inline_len 64
  // 64 bytes before the '\r' ('*' included) is still a header line...
  std::string header = "*" + std::string(63, '1');
  Parsed p = ParseWhole(header, caps);
  EXPECT_FALSE(p.error);
  EXPECT_EQ(ErrorOf(header + "\r\n", caps), kInvalidMultibulk);  // the number is too long
  // ...65 is too big, whether the '\r' arrived with it or not (Redis would
  // accept it when the '\r' came in the same read).
  std::string too_long = "*" + std::string(64, '1');
  EXPECT_EQ(ErrorOf(too_long, caps), kTooBigMbulk);
  p = ParseWhole(too_long + "\r\n", caps);
  ASSERT_TRUE(p.error);
  EXPECT_EQ(*p.error, (RequestError{0, kTooBigMbulk}));
}

TEST(RequestParserTest, BulkCountLineLimitBoundary) {
  RequestLimits caps = SmallCaps();
  std::string at_limit = "*1\r\n$" + std::string(63, '1');
  EXPECT_FALSE(ParseWhole(at_limit, caps).error);
  EXPECT_EQ(ErrorOf(at_limit + "\r\n", caps), kInvalidBulk);
  Parsed p = ParseWhole("*1\r\n$" + std::string(64, '1') + "\r\n", caps);
  ASSERT_TRUE(p.error);
  EXPECT_EQ(*p.error, (RequestError{4, kTooBigBulk}));
  // Without any '\r', more than max bytes is "too big", not "expected '$'".
  EXPECT_EQ(ErrorOf("*1\r\n" + std::string(65, 'x'), caps), kTooBigBulk);
  EXPECT_FALSE(ParseWhole("*1\r\n" + std::string(64, 'x'), caps).error);
}

TEST(RequestParserTest, DefaultLineLimitIs64KiB) {
  const size_t max = RequestLimits::kDefaultMaxInlineLen;
  EXPECT_FALSE(ParseWhole(std::string(max, 'a')).error);
  EXPECT_EQ(ErrorOf(std::string(max + 1, 'a')), kTooBigInline);
  Parsed p = ParseWhole(std::string(max, 'a') + "\n");
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests.size(), 1u);
  EXPECT_EQ(ErrorOf(std::string(max, 'a') + "\r\n"), kTooBigInline);  // the '\r' counts
  EXPECT_EQ(ErrorOf("*" + std::string(max, '1')), kTooBigMbulk);
  EXPECT_FALSE(ParseWhole("*" + std::string(max - 1, '1')).error);
  EXPECT_EQ(ErrorOf("*1\r\n$" + std::string(max, '1')), kTooBigBulk);
}

TEST(RequestParserTest, NulHidesTheTerminatorLikeStrchr) {
  // Redis: no reply, the request never completes...
  Parsed p = ParseWhole(std::string("ECHO a\0b\r\nPING\r\n", 16));
  EXPECT_FALSE(p.error);
  EXPECT_TRUE(p.requests.empty());
  EXPECT_EQ(p.consumed, 0u);
  // ...until more than max_inline_len bytes follow its start.
  RequestLimits caps = SmallCaps();
  std::string stuck("a\0", 2);
  EXPECT_FALSE(ParseWhole(stuck + std::string(62, '\n'), caps).error);
  EXPECT_EQ(ErrorOf(stuck + std::string(63, '\n'), caps), kTooBigInline);
  EXPECT_EQ(ErrorOf(std::string("*1\0", 3) + std::string(62, '\r'), caps), kTooBigMbulk);
  EXPECT_EQ(ErrorOf(std::string("*1\r\n$\0", 6) + std::string(63, '\r'), caps), kTooBigBulk);
}

// ---- inline ---------------------------------------------------------------

TEST(RequestParserTest, ParsesInline) {
  Parsed p = ParseWhole("PING\r\nSET k v\nGET  k\r\r\n");
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests, (std::vector<Request>{Inline(0, {"PING"}), Inline(6, {"SET", "k", "v"}),
                                              Inline(14, {"GET", "k"})}));
}

TEST(RequestParserTest, EmptyInlineLinesProduceNothing) {
  Parsed p = ParseWhole("\r\n\n   \t \r\n\x0b\x0c\nPING\r\n");
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests, (std::vector<Request>{Inline(13, {"PING"})}));
}

TEST(RequestParserTest, InlineLineLimitBoundary) {
  RequestLimits caps = SmallCaps();
  std::string line64(64, 'a');
  Parsed p = ParseWhole(line64 + "\n", caps);
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests, (std::vector<Request>{Inline(0, {line64})}));
  EXPECT_EQ(ErrorOf(line64 + "a\n", caps), kTooBigInline);
  EXPECT_EQ(ErrorOf(line64 + "\r\n", caps), kTooBigInline);
  EXPECT_FALSE(ParseWhole(std::string(63, 'a') + "\r\n", caps).error);
  EXPECT_FALSE(ParseWhole(line64, caps).error);
  p = ParseWhole("PING\r\n" + line64 + "a", caps);
  ASSERT_TRUE(p.error);
  EXPECT_EQ(*p.error, (RequestError{6, kTooBigInline}));
  EXPECT_EQ(p.requests.size(), 1u);
}

TEST(RequestParserTest, UnbalancedQuotes) {
  for (std::string_view line : {"ECHO \"abc\r\n", "ECHO \"abc\"d\r\n", "RPUSH k \"a\\\"\r\n",
                                "RPUSH k \"y\"'\r\n", "ECHO 'abc\r\n", "ECHO 'a'b\r\n"}) {
    Parsed p = ParseWhole(line);
    ASSERT_TRUE(p.error) << line;
    EXPECT_EQ(*p.error, (RequestError{0, kUnbalanced})) << line;
  }
}

TEST(RequestParserTest, MixedInlineAndMultibulk) {
  std::string bytes = "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*0\r\nECHO \"x y\"\r\n";
  Parsed p = ParseWhole(bytes);
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.requests, (std::vector<Request>{Inline(0, {"PING"}), Multibulk(6, {"ECHO", "hi"}),
                                              Inline(32, {"ECHO", "x y"})}));
}

// ---- SplitInlineArgs / QuoteInlineArg -------------------------------------

std::optional<Argv> Split(std::string_view line) { return SplitInlineArgs(line); }

TEST(SplitInlineArgsTest, MatchesRedis) {
  // Each case verified through RPUSH + LRANGE on redis-server 7.0.15.
  EXPECT_EQ(Split("a\x0b"
                  "b c"),
            (Argv{"a\x0b"
                  "b",
                  "c"}));
  EXPECT_EQ(Split("\x0b\x0cx \x0c y"), (Argv{"x", "y"}));
  EXPECT_EQ(Split("\"a\"\x0b z"), (Argv{"a", "z"}));
  EXPECT_EQ(Split("'a'\x0c z"), (Argv{"a", "z"}));
  EXPECT_EQ(Split("\"\" '' x"), (Argv{"", "", "x"}));
  EXPECT_EQ(Split(R"("\xZZ" "\x4" "\xfF" "\q\\\"" "\a\b\t\r")"),
            (Argv{"xZZ", "x4", "\xff", "q\\\"", "\a\b\t\r"}));
  EXPECT_EQ(Split(R"('a\\b' 'c\'d' 'e\"')"), (Argv{"a\\\\b", "c'd", "e\\\""}));
  EXPECT_EQ(Split("a'b c' d"), (Argv{"ab c", "d"}));
  EXPECT_EQ(Split("x\"y\""), (Argv{"xy"}));
  EXPECT_EQ(Split("a\tb\rc"), (Argv{"a", "b", "c"}));
  EXPECT_EQ(Split("\x80\xff"), (Argv{"\x80\xff"}));
  EXPECT_EQ(Split(R"("\n\x41\x4g")"), (Argv{"\nAx4g"}));
  EXPECT_EQ(Split(""), Argv{});
  EXPECT_EQ(Split("   "), Argv{});
}

TEST(SplitInlineArgsTest, Unbalanced) {
  for (std::string_view line :
       {"\"abc", "\"abc\"d", "\"a\\\"", "\"y\"'", "'abc", "'a'b", "\"a\\", "a\"b", "'a\\'"}) {
    EXPECT_EQ(Split(line), std::nullopt) << line;
  }
}

TEST(SplitInlineArgsTest, StopsAtNul) {
  EXPECT_EQ(Split(std::string_view("a b\0c d", 7)), (Argv{"a", "b"}));
  // The NUL ends the string, so the quote is unterminated.
  EXPECT_EQ(Split(std::string_view("\"a\0\"", 4)), std::nullopt);
}

TEST(SplitInlineArgsTest, IntoAUsedVectorGivesTheSame) {
  // Splitting into a vector that holds an earlier line's arguments (the
  // parser's recycled argv) gives what a fresh split gives, whatever was
  // there: more arguments, fewer, longer ones, or a failed split's leftovers.
  const std::vector<std::string_view> lines = {
      "",
      "   ",
      "a",
      "set key value",
      "\"a b\" 'c d' e\"f\"",
      "x y z w v u t s r q",
      std::string_view("long-argument-that-does-not-fit-a-short-string x\0y", 51),
      "\"unbalanced",
      "'a\\'b' c",
      "\"\\x41\\n\" '\\''"};
  for (std::string_view first : lines) {
    for (std::string_view second : lines) {
      Argv used;
      SplitInlineArgs(first, &used);
      const bool ok = SplitInlineArgs(second, &used);
      const std::optional<Argv> want = Split(second);
      ASSERT_EQ(ok, want.has_value()) << first << " then " << second;
      if (ok) {
        EXPECT_EQ(used, *want) << first << " then " << second;
      }
    }
  }
}

TEST(QuoteInlineArgTest, QuotesAndEscapes) {
  EXPECT_EQ(QuoteInlineArg(""), "\"\"");
  EXPECT_EQ(QuoteInlineArg("abc"), "\"abc\"");
  EXPECT_EQ(QuoteInlineArg("a b"), "\"a b\"");
  EXPECT_EQ(QuoteInlineArg("\"\\"), R"("\"\\")");
  EXPECT_EQ(QuoteInlineArg("\n\r\t\a\b"), R"("\n\r\t\a\b")");
  EXPECT_EQ(QuoteInlineArg(std::string("\0\x7f\x80\xff\x0b", 5)), R"("\x00\x7f\x80\xff\x0b")");
  EXPECT_EQ(QuoteInlineArg("'"), "\"'\"");
}

TEST(QuoteInlineArgTest, EveryByteRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  Argv args = {all, "", " ", "\"", "'", "\\x41", "\\", "*3", "$"};
  std::string line;
  for (const std::string& a : args) line += (line.empty() ? "" : " ") + QuoteInlineArg(a);
  EXPECT_EQ(Split(line), args);
}

// ---- streaming ------------------------------------------------------------

const std::vector<std::string>& StreamCases() {
  static const auto* cases = new std::vector<std::string>{
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING\r\n*0\r\n*-5\r\nECHO 'a b' \"\\x41\"\n",
      "*1\r\n$4\r\nPINGxy*1\rX$4\rYPINGab\r\n\r\n",
      "GET k\r\n*1\r\n$3\r\nfoo\r\n*2\r\n$1\r\na\r\nb\r\n",
      "SET k \"unterminated\r\nPING\r\n",
      std::string(70, 'a') + "\r\nPING\r\n",
      "*1\r\n$" + std::string(70, '1') + "\r\n",
      std::string("ECHO a\0b\r\n", 10) + std::string(80, 'z'),
      "*2\r\n$3\r\nabc\r\n$33\r\n",
  };
  return *cases;
}

TEST(RequestParserStreamingTest, AnyChunkingGivesTheSameResult) {
  for (RequestLimits limits : {RequestLimits{}, SmallCaps()}) {
    for (const std::string& bytes : StreamCases()) {
      Parsed whole = ParseWhole(bytes, limits);
      for (size_t n = 1; n <= bytes.size(); ++n) {
        Parsed chunked = ParseChunked(bytes, n, limits);
        ASSERT_EQ(chunked.requests, whole.requests) << "chunk " << n << " of " << bytes;
        ASSERT_EQ(chunked.error, whole.error) << "chunk " << n << " of " << bytes;
        ASSERT_EQ(chunked.consumed, whole.consumed) << "chunk " << n << " of " << bytes;
      }
    }
  }
}

TEST(RequestParserStreamingTest, EverySplitPointOfAPipeline) {
  std::string bytes = "*2\r\n$4\r\nECHO\r\n$3\r\na b\r\nECHO \"x\\ty\" 'z'\r\n*1\r\n$0\r\n\r\n";
  Parsed whole = ParseWhole(bytes);
  ASSERT_EQ(whole.requests.size(), 3u);
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    RequestParser parser;
    std::vector<Request> out;
    ASSERT_TRUE(parser.Feed(std::string_view(bytes).substr(0, cut), &out));
    ASSERT_TRUE(parser.Feed(std::string_view(bytes).substr(cut), &out));
    EXPECT_EQ(out, whole.requests) << "cut at " << cut;
    EXPECT_TRUE(parser.idle());
  }
}

TEST(RequestParserStreamingTest, HugeDeclaredSizesDoNotAllocate) {
  // Off the big-argument path (which reserves up to kBigArgFirstReserve
  // from a declared size, see TheReservationFollowsTheBytesReceived),
  // nothing is reserved from a declared count or length.
  RequestLimits no_big;
  no_big.big_arg_min = INT64_MAX;
  RequestParser parser(no_big);
  std::vector<Request> out;
  ASSERT_TRUE(parser.Feed("*2147483647\r\n", &out));
  EXPECT_EQ(parser.buffered(), 0u);
  EXPECT_FALSE(parser.idle());
  ASSERT_TRUE(parser.Feed("$536870912\r\n", &out));
  EXPECT_EQ(parser.buffered(), 0u);
  ASSERT_TRUE(parser.Feed("abc", &out));
  EXPECT_EQ(parser.buffered(), 3u);
  EXPECT_EQ(parser.consumed(), 25u);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(parser.in_big_arg());
  // Many bulks of a huge multibulk: only what arrived is held.
  RequestParser many;
  ASSERT_TRUE(many.Feed("*2147483647\r\n", &out));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(many.Feed("$1\r\nx\r\n", &out));
  EXPECT_EQ(many.buffered(), 0u);
  EXPECT_TRUE(out.empty());
}

TEST(RequestParserStreamingTest, ErrorIsStickyUntilReset) {
  RequestParser parser;
  std::vector<Request> out;
  EXPECT_FALSE(parser.Feed("*x\r\n", &out));
  ASSERT_TRUE(parser.failed());
  const RequestError first = *parser.error();
  EXPECT_FALSE(parser.Feed("PING\r\n", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(*parser.error(), first);
  EXPECT_EQ(parser.consumed() + parser.buffered(), 4u);  // later data ignored

  parser.Reset();
  EXPECT_FALSE(parser.failed());
  EXPECT_TRUE(parser.idle());
  EXPECT_EQ(parser.consumed(), 0u);
  EXPECT_TRUE(parser.Feed("PING\r\n", &out));
  EXPECT_EQ(out, (std::vector<Request>{Inline(0, {"PING"})}));
}

TEST(RequestParserStreamingTest, ResetDropsAPartialRequest) {
  RequestParser parser(SmallCaps());
  std::vector<Request> out;
  ASSERT_TRUE(parser.Feed("*2\r\n$1\r\na\r\n$1", &out));
  parser.Reset();
  EXPECT_TRUE(parser.idle());
  EXPECT_EQ(parser.limits().max_bulk_len, 32);
  ASSERT_TRUE(parser.Feed("*1\r\n$1\r\nb\r\n", &out));
  EXPECT_EQ(out, (std::vector<Request>{Multibulk(0, {"b"})}));
}

TEST(RequestParserStreamingTest, LongPayloadFedByteByByteStaysCompact) {
  std::string payload(100000, 'p');
  std::string bytes = "*1\r\n" + Bulk(payload) + "PING\r\n";
  RequestParser parser;
  std::vector<Request> out;
  size_t most_held = 0;
  for (char c : bytes) {
    ASSERT_TRUE(parser.Feed(std::string_view(&c, 1), &out));
    most_held = std::max(most_held, parser.buffered());
  }
  // Consumed bytes are dropped: never more held than one bulk and its header.
  EXPECT_LE(most_held, payload.size() + 16);
  EXPECT_EQ(parser.buffered(), 0u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].argv, Argv{payload});
  EXPECT_EQ(out[1], Inline(bytes.size() - 6, {"PING"}));
  EXPECT_TRUE(parser.idle());
}

// ---- big arguments (RequestLimits::big_arg_min) ---------------------------

// A payload with CR, LF, NUL and '$' in it, so a parser that looked into it
// would be caught.
std::string BigPayload(size_t n) {
  std::string p(n, 'x');
  for (size_t i = 0; i < n; ++i) p[i] = "ab\r\n\0$*c"[i % 8];
  return p;
}

// Feeds `bytes` in the pieces `cuts` makes (ascending offsets), checking
// consumed() + buffered() == fed after each Feed. Records whether the parser
// was ever inside a big argument.
Parsed ParseAt(std::string_view bytes, const std::vector<size_t>& cuts, RequestLimits limits,
               bool* saw_big = nullptr) {
  RequestParser parser(limits);
  Parsed p;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (size_t to : ends) {
    to = std::min(std::max(to, from), bytes.size());
    const bool ok = parser.Feed(bytes.substr(from, to - from), &p.requests);
    from = to;
    EXPECT_EQ(parser.consumed() + parser.buffered(), from);
    EXPECT_TRUE(!parser.in_big_arg() || !parser.idle());
    if (saw_big != nullptr && parser.in_big_arg()) *saw_big = true;
    if (!ok) break;
  }
  p.error = parser.error();
  p.consumed = parser.consumed();
  p.buffered = parser.buffered();
  return p;
}

std::vector<size_t> EveryByte(size_t n) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < n; ++i) cuts.push_back(i);
  return cuts;
}

// Random slices of 1 to max_piece bytes, from a fixed seed.
std::vector<size_t> RandomSlices(size_t n, uint64_t seed, size_t max_piece) {
  std::vector<size_t> cuts;
  uint64_t state = seed;
  for (size_t at = 0;;) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    at += 1 + (state >> 33) % max_piece;
    if (at >= n) return cuts;
    cuts.push_back(at);
  }
}

TEST(RequestParserBigArgTest, BoundaryGivesTheSameArgvHoweverFed) {
  RequestLimits small;
  small.big_arg_min = 40;
  for (RequestLimits limits : {small, RequestLimits{}}) {
    const size_t min = static_cast<size_t>(limits.big_arg_min);
    for (size_t n : {min - 1, min, min + 1}) {
      const std::string value = BigPayload(n);
      const std::string bytes = "*3\r\n" + Bulk("SET") + Bulk("k") + Bulk(value) + "*2\r\n" +
                                Bulk("GET") + Bulk(value) + "PING\r\n";
      const std::vector<Request> expected = {
          Multibulk(0, {"SET", "k", value}),
          Multibulk(25 + std::to_string(n).size() + n, {"GET", value}),
          Inline(bytes.size() - 6, {"PING"}),
      };
      bool big_whole = false;
      Parsed whole = ParseAt(bytes, {}, limits, &big_whole);
      ASSERT_EQ(whole.requests, expected) << n;
      EXPECT_FALSE(whole.error.has_value());
      EXPECT_EQ(whole.consumed, bytes.size());
      EXPECT_FALSE(big_whole) << "a payload fed whole needs no big-argument path";
      for (const std::vector<size_t>& cuts :
           {EveryByte(bytes.size()), RandomSlices(bytes.size(), n, 7),
            RandomSlices(bytes.size(), n + 1, n / 3 + 1), RandomSlices(bytes.size(), 99, 4096)}) {
        bool big = false;
        Parsed p = ParseAt(bytes, cuts, limits, &big);
        ASSERT_EQ(p.requests, expected) << n << " in " << cuts.size() + 1 << " pieces";
        EXPECT_FALSE(p.error.has_value());
        EXPECT_EQ(p.consumed, bytes.size());
        EXPECT_EQ(p.buffered, 0u);
        if (cuts.size() + 1 >= bytes.size()) {
          // Byte by byte: the path is taken exactly from big_arg_min up.
          EXPECT_EQ(big, n >= min) << n;
        }
      }
    }
  }
}

TEST(RequestParserBigArgTest, HeldBytesCountAsBufferedNotConsumed) {
  RequestLimits limits;
  limits.big_arg_min = 8;
  RequestParser parser(limits);
  std::vector<Request> out;
  // "*2\r\n$4\r\nECHO\r\n$10\r\n" is 19 bytes, then 3 of the payload.
  ASSERT_TRUE(parser.Feed("*2\r\n$4\r\nECHO\r\n$10\r\nabc", &out));
  EXPECT_TRUE(parser.in_big_arg());
  EXPECT_EQ(parser.consumed(), 19u);
  EXPECT_EQ(parser.buffered(), 3u);
  EXPECT_FALSE(parser.idle());
  ASSERT_TRUE(parser.Feed("defghij\r", &out));  // all but the last trailing byte
  EXPECT_TRUE(parser.in_big_arg());
  EXPECT_EQ(parser.consumed(), 19u);
  EXPECT_EQ(parser.buffered(), 11u);
  EXPECT_TRUE(out.empty());
  // The last byte completes it; the rest of the same Feed is parsed as usual.
  ASSERT_TRUE(parser.Feed("\n*1\r\n$4\r\nPING\r\n*1\r\n$3\r\nab", &out));
  EXPECT_FALSE(parser.in_big_arg());
  EXPECT_EQ(out,
            (std::vector<Request>{Multibulk(0, {"ECHO", "abcdefghij"}), Multibulk(31, {"PING"})}));
  EXPECT_EQ(parser.consumed(), 45u + 8);  // and the next request's two headers
  EXPECT_EQ(parser.buffered(), 2u);
  parser.Reset();
  EXPECT_TRUE(parser.idle());
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(RequestParserBigArgTest, BigArgReservesTheDeclaredSizeOnce) {
  RequestParser parser;  // Redis's 32 KiB threshold
  std::vector<Request> out;
  const std::string value = BigPayload(100000);
  const std::string bytes = "*3\r\n" + Bulk("SET") + Bulk("k") + Bulk(value);
  // As a server reads it: 64 KiB at a time.
  for (size_t i = 0; i < bytes.size(); i += 65536) {
    ASSERT_TRUE(parser.Feed(std::string_view(bytes).substr(i, 65536), &out));
    EXPECT_TRUE(i > 0 || parser.in_big_arg());
  }
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].argv.size(), 3u);
  EXPECT_TRUE(out[0].argv[2] == value);
  // Reserved to the payload and its CRLF at once (the first 64 KiB read is
  // more than half of it; allocators may round up a little), never grown.
  EXPECT_GE(out[0].argv[2].capacity(), value.size() + 2);
  EXPECT_LE(out[0].argv[2].capacity(), value.size() + 2 + 64);
}

TEST(RequestParserBigArgTest, ProtocolErrorAfterABigArgHasTheRightOffset) {
  RequestLimits limits;
  limits.big_arg_min = 16;
  const std::string value = BigPayload(50);
  // A bad bulk header after a big argument of the same request...
  const std::string in_request = "*2\r\n" + Bulk(value) + "x\r\n";
  // ...and a bad count in the next request, after a complete one.
  const std::string next_request = "*1\r\n" + Bulk(value) + "*+1\r\n";
  const size_t after = 4 + 5 + value.size() + 2;  // "*N\r\n" "$50\r\n" payload CRLF
  for (const std::string* bytes : {&in_request, &next_request}) {
    Parsed whole = ParseAt(*bytes, {}, limits);
    ASSERT_TRUE(whole.error.has_value());
    EXPECT_EQ(whole.error->offset, after);
    EXPECT_EQ(whole.consumed, after);
    for (const std::vector<size_t>& cuts :
         {EveryByte(bytes->size()), RandomSlices(bytes->size(), 7, 9), std::vector<size_t>{12}}) {
      Parsed p = ParseAt(*bytes, cuts, limits);
      EXPECT_EQ(p.requests, whole.requests);
      EXPECT_EQ(p.error, whole.error);
      EXPECT_EQ(p.consumed, after);
    }
  }
  EXPECT_EQ(ParseAt(in_request, {12}, limits).error->message,
            "Protocol error: expected '$', got 'x'");
  EXPECT_EQ(ParseAt(next_request, {12}, limits).error->message, kInvalidMultibulk);
}

// A header alone reserves at most kBigArgFirstReserve; a bigger argument
// grows with its bytes (never past twice what it holds, or the first
// reservation), and one whose whole size fits that first reservation is
// reserved exactly once.
TEST(RequestParserBigArgTest, TheReservationFollowsTheBytesReceived) {
  constexpr size_t kFirst = RequestParser::kBigArgFirstReserve;
  {
    RequestParser parser;
    std::vector<Request> out;
    ASSERT_TRUE(parser.Feed("*1\r\n$536870912\r\nabc", &out));
    ASSERT_TRUE(parser.in_big_arg());
    EXPECT_EQ(parser.buffered(), 3u);
    EXPECT_EQ(parser.big_arg_reserved(), kFirst);
  }
  // Payloads whose CRLF ends at and one byte past the first reservation,
  // and a big one, fed a piece at a time (through the big-argument path
  // whatever their size): bounded at each step, grown by doubling, and
  // ending at the payload's size.
  RequestLimits limits;
  limits.big_arg_min = 1024;
  for (size_t payload : {kFirst - 2, kFirst - 1, size_t{1} << 20}) {
    const std::string value = BigPayload(payload);
    const std::string bytes = "*1\r\n" + Bulk(value);
    RequestParser parser(limits);
    std::vector<Request> out;
    bool big = false;
    for (size_t i = 0; i < bytes.size(); i += 16384) {
      ASSERT_TRUE(parser.Feed(std::string_view(bytes).substr(i, 16384), &out));
      if (!parser.in_big_arg()) continue;
      big = true;
      EXPECT_GE(parser.big_arg_reserved(), parser.buffered()) << payload << " at " << i;
      EXPECT_LE(parser.big_arg_reserved(), std::max(kFirst, 2 * parser.buffered()))
          << payload << " at " << i;
    }
    EXPECT_TRUE(big) << payload;
    ASSERT_EQ(out.size(), 1u) << payload;
    EXPECT_TRUE(out[0].argv[0] == value) << payload;
    if (payload + 2 <= kFirst) {
      EXPECT_EQ(out[0].argv[0].capacity(), payload + 2);  // reserved once, exactly
    } else {
      EXPECT_LE(out[0].argv[0].capacity(), std::max(kFirst, 2 * (payload + 2)));
    }
  }
}

TEST(RequestParserBigArgTest, TheBulkLengthCapStillApplies) {
  RequestLimits limits = SmallCaps();  // max_bulk_len 32
  limits.big_arg_min = 16;
  // At the cap: through the big-argument path.
  const std::string at = BigPayload(32);
  bool big = false;
  Parsed p = ParseAt("*1\r\n" + Bulk(at), {12}, limits, &big);
  EXPECT_TRUE(big);
  EXPECT_EQ(p.requests, (std::vector<Request>{Multibulk(0, {at})}));
  // Past the cap: rejected at the header, nothing reserved or held.
  RequestParser parser(limits);
  std::vector<Request> out;
  EXPECT_FALSE(parser.Feed("*1\r\n$33\r\nabc", &out));
  EXPECT_FALSE(parser.in_big_arg());
  EXPECT_EQ(*parser.error(), (RequestError{4, kInvalidBulk}));
  EXPECT_EQ(parser.consumed(), 4u);
  // A threshold above the cap never applies.
  limits.big_arg_min = 33;
  big = false;
  p = ParseAt("*1\r\n" + Bulk(at), EveryByte(at.size() + 11), limits, &big);
  EXPECT_FALSE(big);
  EXPECT_EQ(p.requests, (std::vector<Request>{Multibulk(0, {at})}));
  // 0 takes every bulk that is not all buffered, even an empty one.
  limits.big_arg_min = 0;
  big = false;
  p = ParseAt("*2\r\n$0\r\n\r\n$1\r\nz\r\n", EveryByte(17), limits, &big);
  EXPECT_TRUE(big);
  EXPECT_EQ(p.requests, (std::vector<Request>{Multibulk(0, {"", "z"})}));
}

TEST(RequestParserBigArgTest, RecycledArgvAndBigArgsMix) {
  RequestLimits limits;
  limits.big_arg_min = 8;
  RequestParser parser(limits);
  std::vector<Request> out;
  ASSERT_TRUE(parser.Feed("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", &out));
  parser.Recycle(&out);  // a 3-slot vector to reuse
  const std::string big = BigPayload(20);
  const std::string bytes = "*2\r\n" + Bulk(big) + Bulk("d");
  for (char c : bytes) ASSERT_TRUE(parser.Feed(std::string_view(&c, 1), &out));
  EXPECT_EQ(out, (std::vector<Request>{Multibulk(25, {big, "d"})}));
}

// Recycle(): handing requests back changes nothing in what Feed() produces,
// whatever the shapes of the requests that reuse the vectors.
TEST(RequestParserRecycleTest, RecycledArgvGiveTheSameRequests) {
  for (RequestLimits limits : {RequestLimits{}, SmallCaps()}) {
    for (const std::string& bytes : StreamCases()) {
      // Twice over, so the second pass runs on recycled vectors.
      const std::string twice = bytes + bytes;
      Parsed whole = ParseWhole(twice, limits);
      for (size_t n : {size_t{1}, size_t{3}, size_t{7}, twice.size()}) {
        RequestParser parser(limits);
        std::vector<Request> all, batch;
        for (size_t i = 0; i < twice.size(); i += n) {
          const bool ok = parser.Feed(std::string_view(twice).substr(i, n), &batch);
          all.insert(all.end(), batch.begin(), batch.end());
          parser.Recycle(&batch);
          ASSERT_TRUE(batch.empty());
          if (!ok) break;
        }
        ASSERT_EQ(all, whole.requests) << "chunk " << n << " of " << twice;
        ASSERT_EQ(parser.error(), whole.error) << "chunk " << n << " of " << twice;
      }
    }
  }
}

TEST(RequestParserRecycleTest, ShorterAndLongerRequestsAfterRecycling) {
  RequestParser parser;
  std::vector<Request> out;
  ASSERT_TRUE(parser.Feed("*3\r\n$3\r\nSET\r\n$20\r\nkkkkkkkkkkkkkkkkkkkk\r\n$1\r\nv\r\n", &out));
  parser.Recycle(&out);
  ASSERT_TRUE(parser.Feed("*1\r\n$4\r\nPING\r\n", &out));
  EXPECT_EQ(out, (std::vector<Request>{Multibulk(47, {"PING"})}));
  parser.Recycle(&out);
  ASSERT_TRUE(parser.Feed("*4\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbc\r\n$1\r\nd\r\n", &out));
  EXPECT_EQ(out, (std::vector<Request>{Multibulk(61, {"a", "", "bc", "d"})}));
  // Inline requests and big arguments are fine too (big ones are not kept).
  parser.Recycle(&out);
  const std::string big(4096, 'b');
  ASSERT_TRUE(parser.Feed("PING x\r\n*2\r\n$4\r\nECHO\r\n" + Bulk(big), &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].argv, (Argv{"PING", "x"}));
  EXPECT_EQ(out[1].argv, (Argv{"ECHO", big}));
  parser.Recycle(&out);
  ASSERT_TRUE(parser.Feed("*1\r\n$1\r\nz\r\n", &out));
  EXPECT_EQ(out[0].argv, Argv{"z"});
  // Inline lines split into recycled vectors too: a blank line (no
  // request), then fewer and more arguments than the vectors held.
  out.push_back(Request{RequestKind::kInline, 0, {"one", "two", "three", "four"}});
  parser.Recycle(&out);
  ASSERT_TRUE(parser.Feed("  \r\nGET k\r\nMSET a 1 b 2 c 3\r\n", &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].argv, (Argv{"GET", "k"}));
  EXPECT_EQ(out[1].argv, (Argv{"MSET", "a", "1", "b", "2", "c", "3"}));
}

}  // namespace
}  // namespace respfuzz::resp
