// The request_parser harness checks: each oracle fails on a parser broken in
// the way it guards against, and the real parser passes.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/common/chunking.h"
#include "harnesses/common/registry.h"
#include "harnesses/models/request_reference.h"
#include "harnesses/request_parser/checks.h"

namespace respfuzz::harnesses {
namespace {

std::string Input(uint8_t profile, ChunkPlan plan, std::string_view payload) {
  return std::string(1, static_cast<char>(profile)) + EncodeChunkPlan(plan) + std::string(payload);
}

ChunkPlan Plan(uint8_t a, uint8_t b, uint8_t c) {
  ChunkPlan plan;
  plan.sizes[0] = a;
  plan.sizes[1] = b;
  plan.sizes[2] = c;
  return plan;
}

fuzz::Verdict Check(RequestParserUnderTest& chunked, RequestParserUnderTest& whole,
                    const std::string& input) {
  return CheckRequestParser(chunked, whole, input);
}

// Loses the first byte of every Feed but the first after Start: bytes
// dropped at chunk boundaries.
class DropsByteAtChunkBoundary : public RealRequestParser {
 public:
  void Start(const resp::RequestLimits& limits) override {
    RealRequestParser::Start(limits);
    feeds_ = 0;
  }
  bool Feed(std::string_view data, std::vector<resp::Request>* out) override {
    if (feeds_++ > 0 && !data.empty()) data.remove_prefix(1);
    return RealRequestParser::Feed(data, out);
  }

 private:
  int feeds_ = 0;
};

// Reports one byte more buffered than it holds.
class MiscountsBuffered : public RealRequestParser {
 public:
  size_t buffered() const override { return RealRequestParser::buffered() + 1; }
};

// Drops the last argument of inline requests with more than one: chunking
// agrees (both sides lose it) and so does the multibulk round trip.
class LosesLastInlineArg : public RealRequestParser {
 public:
  bool Feed(std::string_view data, std::vector<resp::Request>* out) override {
    const size_t before = out->size();
    const bool ok = RealRequestParser::Feed(data, out);
    for (size_t i = before; i < out->size(); ++i) {
      resp::Request& r = (*out)[i];
      if (r.kind == resp::RequestKind::kInline && r.argv.size() > 1) r.argv.pop_back();
    }
    return ok;
  }
};

// Appends a byte to the last argument of multibulk requests.
class CorruptsMultibulkArg : public RealRequestParser {
 public:
  bool Feed(std::string_view data, std::vector<resp::Request>* out) override {
    const size_t before = out->size();
    const bool ok = RealRequestParser::Feed(data, out);
    for (size_t i = before; i < out->size(); ++i) {
      resp::Request& r = (*out)[i];
      if (r.kind == resp::RequestKind::kMultibulk) r.argv.back() += '!';
    }
    return ok;
  }
};

// A broken big-argument path: the argument a big-argument Feed completes
// loses its last byte (as a parser that stopped one byte short would). It
// marks the next request completed after a Feed that began inside a big
// argument, and drops the last byte of that request's last argument of at
// least big_arg_min bytes. Only the path's own Feeds are hit: fed whole, the
// same bytes never take it.
class DropsLastByteOfBigArgs : public RealRequestParser {
 public:
  void Start(const resp::RequestLimits& limits) override {
    RealRequestParser::Start(limits);
    big_arg_min_ = limits.big_arg_min;
    armed_ = false;
  }
  bool Feed(std::string_view data, std::vector<resp::Request>* out) override {
    if (parser().in_big_arg()) armed_ = true;
    const size_t before = out->size();
    const bool ok = RealRequestParser::Feed(data, out);
    if (armed_ && out->size() > before) {
      armed_ = false;
      std::vector<std::string>& argv = (*out)[before].argv;
      for (size_t i = argv.size(); i-- > 0;) {
        if (static_cast<int64_t>(argv[i].size()) >= big_arg_min_ && !argv[i].empty()) {
          argv[i].pop_back();
          break;
        }
      }
    }
    return ok;
  }

 private:
  int64_t big_arg_min_ = 0;
  bool armed_ = false;
};

// Quotes nothing: arguments with spaces or quotes come back different.
class QuotesNothing : public RealRequestParser {
 public:
  std::string QuoteInlineArg(std::string_view arg) const override { return std::string(arg); }
};

// Forgets to escape '"' (a plausible QuoteInlineArg bug).
class ForgetsToEscapeQuotes : public RealRequestParser {
 public:
  std::string QuoteInlineArg(std::string_view arg) const override {
    std::string out = "\"";
    for (char c : arg) {
      if (c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
};

TEST(RequestParserHarnessTest, ChunkingCatchesBytesLostAtChunkBoundaries) {
  DropsByteAtChunkBoundary chunked, whole;
  fuzz::Verdict v = Check(chunked, whole, Input(0, Plan(4, 4, 4), "PING\r\nPING\r\n"));
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "chunking") << v.ToString();
  EXPECT_EQ(v.step, 1) << v.ToString();
  // The same parser passes when there is a single chunk.
  EXPECT_TRUE(Check(chunked, whole, Input(0, Plan(64, 64, 64), "PING\r\nPING\r\n")).ok);
}

TEST(RequestParserHarnessTest, ChunkingCatchesADifferentError) {
  DropsByteAtChunkBoundary chunked;
  RealRequestParser whole;
  // Chunked loses the "*" and then the "\r": it sees a blank line where whole
  // sees an invalid "*" header.
  fuzz::Verdict v = Check(chunked, whole, Input(0, Plan(14, 1, 64), "*1\r\n$4\r\nPING\r\n*\r\n"));
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "chunking") << v.ToString();
}

TEST(RequestParserHarnessTest, AccountingCatchesMiscountedBytes) {
  MiscountsBuffered chunked, whole;
  fuzz::Verdict v = Check(chunked, whole, Input(0, Plan(3, 5, 7), "*1\r\n$4\r\nPING\r\n"));
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "accounting") << v.ToString();
}

TEST(RequestParserHarnessTest, MultibulkRoundtripCatchesCorruptedArgs) {
  CorruptsMultibulkArg chunked, whole;
  fuzz::Verdict v = Check(chunked, whole, Input(0, Plan(2, 3, 5), "*1\r\n$4\r\nPING\r\n"));
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "multibulk-roundtrip") << v.ToString();
  EXPECT_EQ(v.step, 0);
}

TEST(RequestParserHarnessTest, ChunkingCatchesABrokenBigArgPath) {
  const uint8_t profile = kRequestSmallBigArg | (8 << 2);  // big_arg_min 8
  const std::string payload = "*2\r\n$4\r\nECHO\r\n$20\r\nabcdefghij0123456789\r\nPING\r\n";
  DropsLastByteOfBigArgs chunked, whole;
  fuzz::Verdict v = Check(chunked, whole, Input(profile, Plan(3, 7, 5), payload));
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "chunking") << v.ToString();
  EXPECT_EQ(v.step, 0) << v.ToString();
  // Fed in one chunk the path is never taken: the broken parser passes.
  EXPECT_TRUE(Check(chunked, whole, Input(profile, Plan(63, 63, 63), payload)).ok);
  // Without the small threshold (Redis's 32 KiB), the same chunks pass too:
  // the profile bit is what puts the path in the fuzzer's reach.
  EXPECT_TRUE(Check(chunked, whole, Input(0, Plan(3, 7, 5), payload)).ok);
  // And the real parser passes where the broken one failed.
  RealRequestParser real_chunked, real_whole;
  EXPECT_TRUE(Check(real_chunked, real_whole, Input(profile, Plan(3, 7, 5), payload)).ok);
}

TEST(RequestParserHarnessTest, InlineRoundtripCatchesALostLastArg) {
  LosesLastInlineArg chunked, whole;
  fuzz::Verdict v = Check(chunked, whole, Input(0, Plan(1, 2, 3), "PING\r\nSET k v\r\n"));
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "inline-roundtrip") << v.ToString();
  EXPECT_EQ(v.step, 1) << v.ToString();
}

TEST(RequestParserHarnessTest, InlineRoundtripCatchesBrokenQuoting) {
  QuotesNothing chunked, whole;
  fuzz::Verdict v = Check(chunked, whole, Input(0, Plan(8, 8, 8), "ECHO \"a b\"\r\n"));
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "inline-roundtrip") << v.ToString();

  ForgetsToEscapeQuotes chunked2, whole2;
  EXPECT_TRUE(Check(chunked2, whole2, Input(0, Plan(8, 8, 8), "ECHO 'a\\b'\r\n")).ok);
  v = Check(chunked2, whole2, Input(0, Plan(8, 8, 8), "ECHO 'say \"hi\"'\r\n"));
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "inline-roundtrip") << v.ToString();
}

TEST(RequestParserHarnessTest, RealParserPasses) {
  const std::vector<std::string> payloads = {
      "",
      "PING\r\n",
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n",
      "ECHO \"a\\x41\\x4g\\n'\" 'it\\'s' \"\" ''\r\n",
      "*0\r\n*-1\r\nPING\r\n*1\r\n$0\r\n\r\n",
      "*1\r\n$4\r\nPINGxy*1\rX$4\rYPINGab",
      "*1\r\nfoo\r\n",
      "SET k \"v\r\n",
      std::string(70, 'a') + "\r\n",
      "*9\r\n",
      "*1\r\n$33\r\n",
      std::string("ECHO a\0b\r\n", 10) + std::string(70, 'x'),
      "\x0b\x0c x\x0by \"\\\\\" \r\n",
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$40\r\n0123456789abcdefghij0123456789ABCDEFGHIJ\r\n*1\r\n$"
      "4\r\nPING\r\n",
      "*2\r\n$4\r\nECHO\r\n$9\r\nab\r\ncd\r\ne\r\nx\r\n",
      "*2\r\n$4\r\nECHO\r\n$30\r\nabc",
  };
  // Small caps or not, with big_arg_min 0, 1, 8, 31, 63 or Redis's default.
  for (uint8_t profile : {0, 1, 2, 3, 2 | (1 << 2), 3 | (8 << 2), 2 | (31 << 2), 3 | (63 << 2)}) {
    for (const std::string& p : payloads) {
      for (ChunkPlan plan : {Plan(1, 1, 1), Plan(2, 7, 64), Plan(64, 64, 64), Plan(3, 1, 5)}) {
        fuzz::Verdict v = RunRequestParser(Input(profile, plan, p));
        EXPECT_TRUE(v.ok) << v.ToString() << "\n" << DescribeRequestParser(Input(profile, plan, p));
      }
    }
  }
}

// A cheap deterministic sweep: token soups from an LCG, both profiles, many
// plans. Not a fuzzer, but it runs every check on a few thousand shapes.
TEST(RequestParserHarnessTest, RealParserPassesATokenSweep) {
  const std::vector<std::string> tokens = {"*",
                                           "$",
                                           "\r\n",
                                           "\r",
                                           "\n",
                                           "1",
                                           "2",
                                           "3",
                                           "0",
                                           "-1",
                                           "8",
                                           "9",
                                           "32",
                                           "33",
                                           "64",
                                           "PING",
                                           "SET",
                                           " ",
                                           "\"",
                                           "'",
                                           "\\",
                                           "\\x",
                                           "4",
                                           "f",
                                           "\t",
                                           "\x0b",
                                           std::string(1, '\0'),
                                           "\xff",
                                           "a",
                                           "x y",
                                           "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
                                           "ECHO \"q\\\"\"\r\n"};
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  for (int i = 0; i < 3000; ++i) {
    std::string input;
    for (int b = 0; b < 4; ++b) input.push_back(static_cast<char>(next()));
    const int n = static_cast<int>(next() % 40);
    for (int t = 0; t < n; ++t) input += tokens[next() % tokens.size()];
    fuzz::Verdict v = RunRequestParser(input);
    ASSERT_TRUE(v.ok) << v.ToString() << "\n" << DescribeRequestParser(input);
  }
}

// --- the reference parser (harnesses/models/request_reference.h) -----------------

// A parser with one bug in one rule family, built on the real one.
class BrokenRequestParser : public RealRequestParser {
 public:
  enum Bug {
    kAcceptsMinusZeroCount,    // numbers: "*-0" read as "*0" (string2ll rejects "-0")
    kVerticalTabSplits,        // inline splitting: \v ends an unquoted argument
    kRawCrInExpectedDollar,    // error texts: "got '\r'" where Redis prints "got ' '"
    kBulkErrorAtRequestStart,  // error offsets: a bulk header error placed at the '*'
    kIgnoresLimits,            // limits: always Redis's defaults
    kDropsEmptyArgs,           // arguments: "$0" arguments vanish
  };
  explicit BrokenRequestParser(Bug bug) : bug_(bug) {}
  void Start(const resp::RequestLimits& limits) override {
    RealRequestParser::Start(bug_ == kIgnoresLimits ? resp::RequestLimits{} : limits);
    erased_ = 0;
  }
  bool Feed(std::string_view data, std::vector<resp::Request>* out) override {
    std::string bytes(data);
    if (bug_ == kAcceptsMinusZeroCount) {
      for (size_t at = bytes.find("*-0\r"); at != std::string::npos; at = bytes.find("*-0\r")) {
        bytes.erase(at + 1, 1);
        ++erased_;  // counted as consumed: the byte accounting stays whole
      }
    }
    if (bug_ == kVerticalTabSplits) {
      for (char& c : bytes) c = c == '\v' ? ' ' : c;  // same length: offsets unchanged
    }
    const size_t before = out->size();
    const bool ok = RealRequestParser::Feed(bytes, out);
    for (size_t i = before; bug_ == kDropsEmptyArgs && i < out->size(); ++i) {
      std::erase((*out)[i].argv, std::string());
    }
    return ok;
  }
  uint64_t consumed() const override { return RealRequestParser::consumed() + erased_; }
  std::optional<resp::RequestError> error() const override {
    std::optional<resp::RequestError> e = RealRequestParser::error();
    if (!e) return e;
    if (bug_ == kRawCrInExpectedDollar && e->message.ends_with("got ' '")) {
      e->message.replace(e->message.size() - 2, 1, "\r");
    }
    if (bug_ == kBulkErrorAtRequestStart &&
        (e->message.find("'$'") != std::string::npos || e->message.ends_with("bulk length"))) {
      e->offset = 0;
    }
    return e;
  }

 private:
  Bug bug_;
  uint64_t erased_ = 0;
};

TEST(RequestParserReference, CatchesAParserBrokenInEachRuleFamily) {
  struct Case {
    BrokenRequestParser::Bug bug;
    uint8_t profile;
    std::string payload;
  };
  const Case cases[] = {
      {BrokenRequestParser::kAcceptsMinusZeroCount, 0, "*-0\r\n"},
      {BrokenRequestParser::kVerticalTabSplits, 0, "SET a\vb c\r\n"},
      {BrokenRequestParser::kRawCrInExpectedDollar, 0, "*1\r\n\r\n"},
      {BrokenRequestParser::kBulkErrorAtRequestStart, 0, "*1\r\n$x\r\n"},
      {BrokenRequestParser::kIgnoresLimits, kRequestSmallCaps, "*9\r\n"},
      {BrokenRequestParser::kDropsEmptyArgs, 0, "*2\r\n$0\r\n\r\n$1\r\na\r\n"},
  };
  for (const Case& c : cases) {
    BrokenRequestParser chunked(c.bug), whole(c.bug);
    const fuzz::Verdict v = Check(chunked, whole, Input(c.profile, Plan(64, 64, 64), c.payload));
    EXPECT_FALSE(v.ok) << "bug " << c.bug;
    EXPECT_EQ(v.check, "reference") << "bug " << c.bug << ": " << v.ToString();
    RealRequestParser real_chunked, real_whole;
    const fuzz::Verdict real =
        Check(real_chunked, real_whole, Input(c.profile, Plan(64, 64, 64), c.payload));
    EXPECT_TRUE(real.ok) << real.ToString();
  }
}

// Redis 7.0.15's answers (checked on the server, see src/resp/request.cc)
// as the reference reads them.
TEST(RequestParserReference, RedisFacts) {
  auto parse = [](std::string_view bytes) {
    return models::ReferenceParseRequests(bytes, models::RequestReferenceLimits{});
  };
  models::RequestReferenceResult r = parse("*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(r.requests.size(), 2u);  // the two bytes after a payload are not looked at
  EXPECT_EQ(r.requests[1].offset, 14u);
  r = parse("*0\r\nPING\r\n*-1\r\nECHO \"a\\x41\" 'b\\'c'\r\n");
  ASSERT_EQ(r.requests.size(), 2u);
  EXPECT_EQ(r.requests[1].argv, (std::vector<std::string>{"ECHO", "aA", "b'c"}));
  r = parse("*1\r\nfoo\r\n");
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->message, "Protocol error: expected '$', got 'f'");
  EXPECT_EQ(r.error->offset, 4u);
  EXPECT_EQ(r.consumed, 4u);
  for (const char* bad : {"*x\r\n", "*01\r\n", "*+1\r\n", "*-0\r\n", "*2147483648\r\n"}) {
    r = parse(bad);
    ASSERT_TRUE(r.error.has_value()) << bad;
    EXPECT_EQ(r.error->message, "Protocol error: invalid multibulk length") << bad;
  }
  r = parse("*1\r\n$536870913\r\n");
  EXPECT_EQ(r.error->message, "Protocol error: invalid bulk length");
  r = parse("ECHO \"abc\r\n");
  EXPECT_EQ(r.error->message, "Protocol error: unbalanced quotes in request");
  r = parse("ECHO a\0b\r\nPING\r\n" + std::string(64 * 1024, 'x'));
  EXPECT_EQ(r.error->message, "Protocol error: too big inline request");
  EXPECT_TRUE(r.requests.empty());
  r = parse(std::string(64 * 1024, 'x') + "\n");  // a line at the cap runs
  EXPECT_FALSE(r.error.has_value());
  EXPECT_EQ(r.requests.size(), 1u);
}

TEST(RequestParserHarnessTest, DecodeIsTotalAndDescribeIsReadable) {
  RequestParserInput in = DecodeRequestParserInput("");
  EXPECT_EQ(in.profile, 0);
  EXPECT_EQ(in.limits.max_inline_len, resp::RequestLimits::kDefaultMaxInlineLen);
  EXPECT_TRUE(in.payload.empty());
  const std::string input = Input(kRequestSmallCaps, Plan(5, 6, 7), "PING\r\n");
  in = DecodeRequestParserInput(input);  // payload is a view into `input`
  EXPECT_EQ(in.limits.max_inline_len, 64u);
  EXPECT_EQ(in.limits.max_multibulk_len, 8);
  EXPECT_EQ(in.limits.max_bulk_len, 32);
  EXPECT_EQ(in.plan.sizes[0], 5);
  EXPECT_EQ(in.plan.sizes[2], 7);
  EXPECT_EQ(in.payload, "PING\r\n");

  EXPECT_EQ(in.limits.big_arg_min, resp::RequestLimits::kDefaultBigArgMin);
  // Bits 2-7 matter only with the big-argument bit.
  EXPECT_EQ(DecodeRequestParserInput(Input(5 << 2, Plan(1, 1, 1), "")).limits.big_arg_min,
            resp::RequestLimits::kDefaultBigArgMin);
  in = DecodeRequestParserInput(Input(kRequestSmallBigArg | (5 << 2), Plan(1, 1, 1), ""));
  EXPECT_EQ(in.limits.big_arg_min, 5);
  EXPECT_EQ(in.limits.max_bulk_len, resp::RequestLimits::kDefaultMaxBulkLen);
  in = DecodeRequestParserInput(Input(0xff, Plan(1, 1, 1), ""));
  EXPECT_EQ(in.limits.big_arg_min, 63);
  EXPECT_EQ(in.limits.max_bulk_len, 32);

  std::string d = DescribeRequestParser(Input(1, Plan(1, 1, 1), "PING\r\n*1\r\nx\r\n"));
  EXPECT_NE(d.find("small caps"), std::string::npos) << d;
  EXPECT_NE(d.find("inline @0 [\"PING\"]"), std::string::npos) << d;
  EXPECT_NE(d.find("Protocol error: expected '$', got 'x'"), std::string::npos) << d;
}

#ifdef RESPFUZZ_SOURCE_DIR
TEST(RequestParserHarnessTest, SeedsPass) {
  const std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "request_parser";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no seeds at " << dir;
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".bin") continue;
    std::ifstream f(entry.path(), std::ios::binary);
    std::string input((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    fuzz::Verdict v = RunRequestParser(input);
    EXPECT_TRUE(v.ok) << entry.path() << ": " << v.ToString();
    ++seeds;
  }
  EXPECT_GT(seeds, 0);
}
#endif

}  // namespace
}  // namespace respfuzz::harnesses
