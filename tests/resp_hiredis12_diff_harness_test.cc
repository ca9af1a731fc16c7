// The resp_hiredis12_diff oracle: our RESP3 reader against hiredis 1.2.0.
// Every row of the divergence table has a minimal input that shows it (and
// that the oracle flags without the table); equal inputs pass, whole and a
// byte at a time; broken parsers on either side are caught, also when a
// known divergence follows the wrong value; the caps hold at their
// boundaries.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/common/registry.h"
#include "harnesses/resp_hiredis12_diff/checks.h"
#include "harnesses/resp_hiredis12_diff/hiredis12_parser.h"

namespace respfuzz::harnesses {
namespace {

using resp::Protocol;
using resp::ReaderErrorCode;

ChunkPlan Plan(uint8_t a, uint8_t b, uint8_t c) {
  ChunkPlan p;
  p.sizes[0] = a;
  p.sizes[1] = b;
  p.sizes[2] = c;
  return p;
}
const ChunkPlan kWhole = Plan(64, 64, 64);
const ChunkPlan kBytewise = Plan(1, 1, 1);

Hiredis12DiffOutcome Compare(ReplyParser& ours, ReplyParser& theirs, std::string_view payload,
                             const ChunkPlan& plan = kWhole, bool use_table = true) {
  return CompareHiredis12Diff(ours, theirs, payload, plan, use_table);
}

Hiredis12DiffOutcome Compare(std::string_view payload, const ChunkPlan& plan = kWhole,
                             bool use_table = true) {
  auto ours = MakeReplyParser();
  auto theirs = MakeHiredis12Parser();
  return Compare(*ours, *theirs, payload, plan, use_table);
}

std::string Describe(const Hiredis12DiffOutcome& o) {
  return "agree=" + std::to_string(o.agree) + " skipped=" + std::to_string(o.skipped) +
         " divergence=" + std::string(o.divergence) + " verdict=" + o.verdict.ToString();
}

// --- the table: one minimal input per row -----------------------------------------

struct Example {
  std::string_view divergence;
  std::string payload;
};

const std::vector<Example>& Examples() {
  static const std::vector<Example> examples = {
      {"stray-cr-in-line", "+a\rb\r\n"},
      {"bare-lf-in-line", "+a\nb\r\n"},
      {"bulk-crlf-unchecked", "$1\r\naXY+OK\r\n"},
      {"bulk-above-our-limit", "$536870913\r\n"},
      {"integer-not-canonical", ":+5\r\n"},
      {"length-leading-zero", "%01\r\n+a\r\n+b\r\n"},
      {"type-hiredis-lacks", "|1\r\n+ttl\r\n:3600\r\n+value\r\n"},
      {"streamed-header", "$?\r\n;4\r\nHell\r\n;0\r\n"},
      {"resp3-aggregate-nil", "%-1\r\n"},
      {"double-hiredis-only", ",0x10\r\n"},
      {"double-ours-only", ",nan(123)\r\n"},
      {"boolean-uppercase", "#T\r\n"},
      {"boolean-nul-read-as-false", std::string("#\0\r\n", 4)},
      {"bignumber-without-digits", "(\r\n"},
      {"bignumber-plus-sign", "(+5\r\n"},
  };
  return examples;
}

TEST(Hiredis12Divergence, EachRowExplainsItsExampleAndIsNeeded) {
  for (const Example& e : Examples()) {
    SCOPED_TRACE(std::string(e.divergence));
    for (const ChunkPlan& plan : {kWhole, kBytewise, Plan(2, 3, 5)}) {
      Hiredis12DiffOutcome o = Compare(e.payload, plan);
      EXPECT_TRUE(o.verdict.ok) << Describe(o);
      EXPECT_FALSE(o.agree);
      EXPECT_EQ(o.divergence, e.divergence) << Describe(o);
      Hiredis12DiffOutcome bare = Compare(e.payload, plan, /*use_table=*/false);
      EXPECT_FALSE(bare.verdict.ok) << "the oracle needs no table for this input";
      EXPECT_EQ(bare.verdict.check, "hiredis12-diff");
    }
  }
}

TEST(Hiredis12Divergence, EveryRowHasAnExample) {
  std::set<std::string_view> rows, examples;
  for (const Hiredis12Divergence& d : Hiredis12Divergences()) {
    EXPECT_TRUE(rows.insert(d.name).second) << "duplicate row " << d.name;
    EXPECT_NE(d.explains, nullptr);
    EXPECT_FALSE(d.description.empty());
  }
  for (const Example& e : Examples()) examples.insert(e.divergence);
  EXPECT_EQ(rows, examples);
}

// More members of each row's class than the minimal example.
TEST(Hiredis12Divergence, RowsCoverTheirClass) {
  const std::vector<Example> more = {
      {"stray-cr-in-line", ":1\r2\r\n"},
      {"stray-cr-in-line", "*1\r\n$3\rabc\r\n"},
      {"bare-lf-in-line", "-ERR a\nb\r\n"},
      {"bare-lf-in-line", ",\n\r-1\r\n"},  // strtod skips the whitespace: hiredis reads -1
      {"stray-cr-in-line", ",\r1\r\n+OK\r\n"},
      {"bare-lf-in-line", ">2\r\n,\n1\r\n:2\r\n"},  // hiredis completes the push
      {"bulk-crlf-unchecked", "=5\r\ntxt:xAB"},
      {"integer-not-canonical", ":007\r\n"},
      {"integer-not-canonical", ":-0\r\n"},
      {"length-leading-zero", "$03\r\nabc\r\n"},
      {"length-leading-zero", ">01\r\n+a\r\n"},
      {"type-hiredis-lacks", "!3\r\nERR\r\n"},
      {"type-hiredis-lacks", ".\r\n"},
      {"streamed-header", "*?\r\n:1\r\n.\r\n"},
      {"streamed-header", "~?\r\n"},
      {"resp3-aggregate-nil", "~-1\r\n"},
      {"resp3-aggregate-nil", ">-1\r\n"},
      {"resp3-aggregate-nil", "=-1\r\n"},
      {"double-hiredis-only", ",INF\r\n"},
      {"double-hiredis-only", ", 1\r\n"},
      {"double-hiredis-only", ",.5\r\n"},
      {"double-hiredis-only", ",5.\r\n"},
      {"double-ours-only", "," + std::string("0.") + std::string(330, '1') + "\r\n"},
      {"boolean-uppercase", "#F\r\n"},
      {"bignumber-without-digits", "(-\r\n"},
  };
  for (const Example& e : more) {
    SCOPED_TRACE(EscapeBytes(e.payload));
    Hiredis12DiffOutcome o = Compare(e.payload);
    EXPECT_TRUE(o.verdict.ok) << Describe(o);
    EXPECT_EQ(o.divergence, e.divergence) << Describe(o);
  }
}

// hiredis 1.2.0 reads "#\0" as false: the bug the row names, shown on
// hiredis alone.
TEST(Hiredis12Divergence, NulBooleanIsFalseInHiredis) {
  auto theirs = MakeHiredis12Parser();
  ParseResult r =
      ParseWhole(*theirs, std::string("#\0\r\n", 4), Protocol::kResp3, Hiredis12DiffLimits());
  ASSERT_EQ(r.error.code, ReaderErrorCode::kNone) << DescribeError(r.error);
  ASSERT_EQ(r.values.size(), 1u);
  EXPECT_EQ(r.values[0].type(), resp::Type::kBoolean);
  EXPECT_FALSE(r.values[0].boolean());
}

// --- what agrees --------------------------------------------------------------------

TEST(Hiredis12Diff, EqualInputsAgreeWholeAndBytewise) {
  const std::vector<std::string> inputs = {
      "",
      "+OK\r\n",
      ":-9223372036854775808\r\n",
      "$6\r\nfoobar\r\n$-1\r\n*-1\r\n_\r\n",
      ",3.14\r\n,-inf\r\n,inf\r\n,nan\r\n,-nan\r\n,1e-400\r\n,-0\r\n",
      "#t\r\n#f\r\n",
      "(-3492890328409238509324850943850943825024385\r\n",
      "=15\r\ntxt:Some string\r\n",
      "%2\r\n+first\r\n:1\r\n+second\r\n,2.5\r\n",
      "~3\r\n+orange\r\n#t\r\n_\r\n",
      ">3\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n$-1\r\n",
      "*3\r\n%1\r\n~1\r\n:1\r\n>1\r\n#f\r\n*2\r\n_\r\n=5\r\ntxt:x\r\n",
      "%1\r\n",         // partial: both wait
      "=10\r\ntxt:ab",  // partial
      "@\r\n",          // both reject at the type byte
      "_x\r\n",         // both reject at the LF
      "#x\r\n",
      ",1.2.3\r\n",
      "=3\r\ntxt\r\n",
      "*4294967296\r\n",  // above hiredis's maxelements and our INT_MAX: both at the LF
  };
  for (const std::string& in : inputs) {
    SCOPED_TRACE(EscapeBytes(in));
    for (const ChunkPlan& plan : {kWhole, kBytewise, Plan(2, 7, 3)}) {
      Hiredis12DiffOutcome o = Compare(in, plan, /*use_table=*/false);
      EXPECT_TRUE(o.verdict.ok) << Describe(o);
      EXPECT_TRUE(o.agree) << Describe(o);
    }
  }
}

// Every seed passes through the registry's entry point.
TEST(Hiredis12Diff, RegisteredAndRunsSeeds) {
  const Harness* h = FindHarness("resp_hiredis12_diff");
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->run(EncodeHiredis12DiffCase(kBytewise, "%1\r\n+k\r\n#t\r\n")).ok);
  EXPECT_NE(h->describe(EncodeHiredis12DiffCase(kWhole, "#T\r\n"))
                .find("known divergence boolean-uppercase"),
            std::string::npos);
}

TEST(Hiredis12Diff, DecodeTakesThePlanThenThePayload) {
  const std::string input = std::string("\x00\x3f\x40", 3) + "+OK\r\n";  // c views into it
  Hiredis12DiffCase c = DecodeHiredis12DiffCase(input);
  EXPECT_EQ(c.plan.sizes[0], 1);
  EXPECT_EQ(c.plan.sizes[1], 64);
  EXPECT_EQ(c.plan.sizes[2], 1);
  EXPECT_EQ(c.payload, "+OK\r\n");
  Hiredis12DiffCase e = DecodeHiredis12DiffCase("");
  EXPECT_EQ(e.payload, "");
  EXPECT_EQ(EncodeHiredis12DiffCase(Plan(2, 3, 5), "x"), std::string("\x01\x02\x04x", 4));
}

// --- the caps at their boundaries ----------------------------------------------------

TEST(Hiredis12Diff, PayloadCap) {
  const std::string header = "$" + std::to_string(kHiredis12DiffMaxPayload - 10) + "\r\n";
  ASSERT_EQ(header.size(), 8u);
  const std::string at_cap = header + std::string(kHiredis12DiffMaxPayload - 10, 'x') + "\r\n";
  ASSERT_EQ(at_cap.size(), kHiredis12DiffMaxPayload);
  Hiredis12DiffOutcome o = Compare(at_cap);
  EXPECT_FALSE(o.skipped) << Describe(o);
  EXPECT_TRUE(o.agree) << Describe(o);
  Hiredis12DiffOutcome over = Compare(at_cap + "+");
  EXPECT_TRUE(over.skipped);
  EXPECT_TRUE(over.verdict.ok);
}

// hiredis 1.2.0's signed overflow of a bulk length plus 2 (read.c:432, the
// fuzz-smoke run of the fresh-clone CI of 736e084 stopped on it under UBSan):
// such a header is not fed to hiredis, one below it is.
TEST(Hiredis12Diff, BulkLengthThatOverflowsHiredisIsNotFed) {
  for (const char* p :
       {"$9223372036854775807\r\n", "=9223372036854775806\r\n", "*1\r\n$9223372036854775807\r\n"}) {
    Hiredis12DiffOutcome o = Compare(p);
    EXPECT_TRUE(o.skipped) << p << " " << Describe(o);
    EXPECT_TRUE(o.verdict.ok) << p;
  }
  for (const char* p :
       {"$9223372036854775805\r\n", "$09223372036854775807\r\n", "+$9223372036854775807\r\n"}) {
    Hiredis12DiffOutcome o = Compare(p);
    EXPECT_FALSE(o.skipped) << p << " " << Describe(o);
  }
}

// The deepest reply a payload under the cap can hold stays within our depth
// ceiling: hiredis 1.2.0 has no depth limit, and neither side fails.
TEST(Hiredis12Diff, DepthWithinTheCap) {
  std::string deep;
  for (size_t i = 0; i + 1 < kHiredis12DiffMaxPayload / 4; ++i) deep += ">1\r\n";
  deep += "#t\r\n";
  ASSERT_EQ(deep.size(), kHiredis12DiffMaxPayload);
  ASSERT_EQ(Hiredis12DiffLimits().max_depth, kHiredis12DiffMaxPayload / 4);
  Hiredis12DiffOutcome o = Compare(deep, Plan(64, 13, 1), /*use_table=*/false);
  EXPECT_TRUE(o.agree) << Describe(o);
}

TEST(Hiredis12Diff, BudgetRefusalEndsTheComparisonAtItsBoundary) {
  const std::string at = "*" + std::to_string(kHiredis12MaxArrayLen) + "\r\n";
  Hiredis12DiffOutcome fits = Compare(at);
  EXPECT_FALSE(fits.skipped) << Describe(fits);
  EXPECT_TRUE(fits.agree) << Describe(fits);  // both wait for the elements
  Hiredis12DiffOutcome over =
      Compare("+a\r\n*" + std::to_string(kHiredis12MaxArrayLen + 1) + "\r\n");
  EXPECT_TRUE(over.skipped) << Describe(over);
  EXPECT_TRUE(over.verdict.ok);
  // The live budget: four nested arrays of 4096 fit, a fifth does not.
  std::string nested;
  for (int i = 0; i < 4; ++i) nested += at;
  ASSERT_EQ(kHiredis12MaxLiveElements, 4 * kHiredis12MaxArrayLen);
  Hiredis12DiffOutcome four = Compare(nested);
  EXPECT_FALSE(four.skipped) << Describe(four);
  EXPECT_TRUE(four.agree) << Describe(four);
  Hiredis12DiffOutcome five = Compare(nested + at);
  EXPECT_TRUE(five.skipped) << Describe(five);
  EXPECT_TRUE(five.verdict.ok);
}

// hiredis checks a map's count against maxelements before doubling it: the
// largest count it allows asks createArray for 2 * (2^32 - 1) pointers.
TEST(Hiredis12Diff, MapCountIsDoubledAfterTheMaxelementsCheck) {
  auto theirs = MakeHiredis12Parser();
  ParseResult r = ParseWhole(*theirs, "%4294967295\r\n", Protocol::kResp3, Hiredis12DiffLimits());
  ASSERT_TRUE(IsHiredis12BudgetRefusal(r.error)) << DescribeError(r.error);
  EXPECT_NE(r.error.reason.find("an aggregate of 8589934590 elements"), std::string::npos)
      << r.error.reason;
  ParseResult over =
      ParseWhole(*theirs, "%4294967296\r\n", Protocol::kResp3, Hiredis12DiffLimits());
  EXPECT_EQ(over.error.reason, "Multi-bulk length out of range");
}

// --- broken pieces are caught --------------------------------------------------------

// A parser that feeds its inner parser bytes rewritten by `edit`.
class EditingParser : public ReplyParser {
 public:
  using ReplyParser::Feed;
  EditingParser(std::unique_ptr<ReplyParser> inner, std::function<char(char)> edit)
      : inner_(std::move(inner)), edit_(std::move(edit)) {}
  void Start(Protocol p, const resp::ReaderLimits& l) override { inner_->Start(p, l); }
  bool Feed(std::string_view chunk, resp::ReplyTree* out) override {
    std::string c(chunk);
    for (char& ch : c) ch = edit_(ch);
    return inner_->Feed(c, out);
  }
  resp::ReaderError error() const override { return inner_->error(); }
  bool idle() const override { return inner_->idle(); }
  uint64_t consumed() const override { return inner_->consumed(); }
  size_t buffered() const override { return inner_->buffered(); }

 private:
  std::unique_ptr<ReplyParser> inner_;
  std::function<char(char)> edit_;
};

TEST(Hiredis12DiffBroken, WrongValuesOnEitherSideFail) {
  struct Case {
    const char* what;
    bool break_ours;
    std::function<char(char)> edit;
    std::string payload;
  };
  const std::vector<Case> cases = {
      {"ours reads t as f", true, [](char c) { return c == 't' ? 'f' : c; }, "#t\r\n"},
      {"ours reads a map as an array", true, [](char c) { return c == '%' ? '*' : c; },
       "%1\r\n+a\r\n:1\r\n"},
      {"ours reads a set as a push", true, [](char c) { return c == '~' ? '>' : c; },
       "~1\r\n:1\r\n"},
      {"hiredis reads doubles off by one digit", false, [](char c) { return c == '5' ? '6' : c; },
       ",2.5\r\n"},
      {"hiredis loses verbatim formats", false, [](char c) { return c == 'm' ? 't' : c; },
       "=7\r\nmkd:abc\r\n"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.what);
    auto ours = k.break_ours ? std::make_unique<EditingParser>(MakeReplyParser(), k.edit)
                             : MakeReplyParser();
    std::unique_ptr<ReplyParser> theirs =
        k.break_ours ? MakeHiredis12Parser()
                     : std::make_unique<EditingParser>(MakeHiredis12Parser(), k.edit);
    Hiredis12DiffOutcome o = Compare(*ours, *theirs, k.payload);
    EXPECT_FALSE(o.verdict.ok) << Describe(o);
  }
}

// A known divergence after a wrong value does not excuse the wrong value.
TEST(Hiredis12DiffBroken, AKnownDivergenceAfterAWrongValueStillFails) {
  auto ours =
      std::make_unique<EditingParser>(MakeReplyParser(), [](char c) { return c == 't' ? 'f' : c; });
  auto theirs = MakeHiredis12Parser();
  Hiredis12DiffOutcome o = Compare(*ours, *theirs, "#t\r\n#T\r\n");
  EXPECT_FALSE(o.verdict.ok) << Describe(o);
  auto good = MakeReplyParser();
  EXPECT_EQ(Compare(*good, *theirs, "#t\r\n#T\r\n").divergence, "boolean-uppercase");
}

// Both reject, but one later: the certain points differ and no row explains
// it ("#" with no payload is rejected at its LF, "@" at the type byte).
TEST(Hiredis12DiffBroken, AnErrorAtTheWrongByteFails) {
  for (bool break_ours : {true, false}) {
    SCOPED_TRACE(break_ours ? "ours late" : "hiredis late");
    auto edit = [](char c) { return c == '@' ? '#' : c; };
    std::unique_ptr<ReplyParser> ours = MakeReplyParser();
    std::unique_ptr<ReplyParser> theirs = MakeHiredis12Parser();
    if (break_ours) {
      ours = std::make_unique<EditingParser>(std::move(ours), edit);
    } else {
      theirs = std::make_unique<EditingParser>(std::move(theirs), edit);
    }
    Hiredis12DiffOutcome o = Compare(*ours, *theirs, "+a\r\n@\r\n", kBytewise);
    EXPECT_FALSE(o.verdict.ok) << Describe(o);
  }
}

// A side that accepts what the other rejects, with no row for it.
TEST(Hiredis12DiffBroken, AcceptingWhatTheOtherRejectsFails) {
  auto ours =
      std::make_unique<EditingParser>(MakeReplyParser(), [](char c) { return c == '@' ? '+' : c; });
  auto theirs = MakeHiredis12Parser();
  Hiredis12DiffOutcome o = Compare(*ours, *theirs, "@x\r\n");
  EXPECT_FALSE(o.verdict.ok) << Describe(o);
}

}  // namespace
}  // namespace respfuzz::harnesses
