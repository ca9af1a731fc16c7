// The resp_hiredis_diff oracle: our reader against hiredis 0.14.1. Every entry
// of the divergence table has a minimal input that shows it (and that the
// oracle would flag without the table); equal inputs pass; and broken parsers
// are caught, even when a known divergence follows the wrong value.
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/common/registry.h"
#include "harnesses/resp_hiredis_diff/checks.h"

namespace respfuzz::harnesses {
namespace {

using resp::Protocol;
using resp::ReaderErrorCode;
using resp::Type;
using resp::Value;

HiredisDiffOutcome Compare(std::string_view payload, size_t chunk = 0, bool use_table = true) {
  auto ours = MakeReplyParser();
  auto theirs = MakeHiredisParser();
  return CompareHiredisDiff(*ours, *theirs, payload, chunk, use_table);
}

std::string Describe(const HiredisDiffOutcome& o) {
  return "agree=" + std::to_string(o.agree) + " divergence=" + std::string(o.divergence) +
         " verdict=" + o.verdict.ToString();
}

std::string Nest(int depth, std::string_view inner) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "*1\r\n";
  return s + std::string(inner);
}

// The minimal input for each table entry.
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
      {"nesting-deeper-than-7", Nest(8, "*0\r\n")},
      {"integer-plus-sign", ":+5\r\n"},
      {"integer-leading-zero", ":007\r\n"},
      {"length-leading-zero", "$03\r\nabc\r\n"},
  };
  return examples;
}

// Shown by `payload`: a disagreement without the table, this entry with it,
// whole and in 1- and 3-byte hiredis feeds.
void ExpectDivergence(std::string_view name, std::string_view payload) {
  SCOPED_TRACE(std::string(name) + ": \"" + EscapeBytes(payload) + "\"");
  HiredisDiffOutcome raw = Compare(payload, 0, /*use_table=*/false);
  EXPECT_FALSE(raw.skipped);
  EXPECT_FALSE(raw.agree);
  EXPECT_FALSE(raw.verdict.ok) << "without the table this must be a violation";
  EXPECT_EQ(raw.verdict.check, "hiredis-diff");
  for (size_t chunk : {size_t{0}, size_t{1}, size_t{3}}) {
    HiredisDiffOutcome o = Compare(payload, chunk);
    EXPECT_FALSE(o.agree) << "chunk " << chunk;
    EXPECT_EQ(o.divergence, name) << "chunk " << chunk << ": " << Describe(o);
    EXPECT_TRUE(o.verdict.ok) << "chunk " << chunk << ": " << o.verdict.ToString();
  }
}

// --- one test per table entry -------------------------------------------------------

TEST(HiredisDivergence, StrayCrInLine) {
  ExpectDivergence("stray-cr-in-line", "+a\rb\r\n");
  // hiredis keeps the CR in an error string too, and waits when no CRLF follows.
  ExpectDivergence("stray-cr-in-line", "-ERR x\ry\r\n");
  ExpectDivergence("stray-cr-in-line", ":1\r2");
  // Both reject, but we do first (at the '2'; hiredis at the LF of "1\r2"):
  // not an agreement, this entry.
  ExpectDivergence("stray-cr-in-line", ":1\r2\r\n");
  // The same quirk after equal values, inside an array.
  ExpectDivergence("stray-cr-in-line", "+OK\r\n*2\r\n:1\r\n+a\rb\r\n");
  HiredisDiffOutcome o = Compare("+a\rb\r\n");
  ASSERT_EQ(o.theirs.values.size(), 1u);
  EXPECT_EQ(o.theirs.values[0], Value::Simple("a\rb"));
  EXPECT_EQ(o.ours.error.code, ReaderErrorCode::kBadTerminator);
}

TEST(HiredisDivergence, BareLfInLine) {
  ExpectDivergence("bare-lf-in-line", "+a\nb\r\n");
  ExpectDivergence("bare-lf-in-line", "$1\r\nx\r\n-E\nR\r\n");
  HiredisDiffOutcome o = Compare("+a\nb\r\n");
  ASSERT_EQ(o.theirs.values.size(), 1u);
  EXPECT_EQ(o.theirs.values[0], Value::Simple("a\nb"));
  EXPECT_EQ(o.ours.error.code, ReaderErrorCode::kCharInLine);
}

TEST(HiredisDivergence, BulkCrlfUnchecked) {
  ExpectDivergence("bulk-crlf-unchecked", "$1\r\naXY+OK\r\n");
  ExpectDivergence("bulk-crlf-unchecked", "$0\r\n\rX");  // CR then not LF
  ExpectDivergence("bulk-crlf-unchecked", "$1\r\n\rX");  // payload "\r", then no CR
  ExpectDivergence("bulk-crlf-unchecked", "*2\r\n$1\r\na\r\n$2\r\nbc\n\n");
  HiredisDiffOutcome o = Compare("$1\r\naXY+OK\r\n");
  ASSERT_EQ(o.theirs.values.size(), 2u);
  EXPECT_EQ(o.theirs.values[0], Value::Bulk("a"));
  EXPECT_EQ(o.theirs.values[1], Value::Simple("OK"));
}

TEST(HiredisDivergence, BulkAboveOurLimit) {
  ExpectDivergence("bulk-above-our-limit", "$536870913\r\n");
  ExpectDivergence("bulk-above-our-limit", "*2\r\n:1\r\n$9223372036854775807\r\nabc");
  ExpectDivergence("bulk-above-our-limit", "+OK\r\n$600000000\r\n");
  // At the limit both wait.
  EXPECT_TRUE(Compare("$536870912\r\n").agree);
}

TEST(HiredisDivergence, NestingDeeperThan7) {
  ExpectDivergence("nesting-deeper-than-7", Nest(8, "*0\r\n"));
  ExpectDivergence("nesting-deeper-than-7", Nest(8, "*-1\r\n"));  // even a null array
  ExpectDivergence("nesting-deeper-than-7", Nest(8, "*"));        // at the type byte
  ExpectDivergence("nesting-deeper-than-7", "*2\r\n:1\r\n" + Nest(7, "*1\r\n*1\r\n:1\r\n"));
  // Eight levels are fine for both.
  EXPECT_TRUE(Compare(Nest(8, ":1\r\n")).agree);
  EXPECT_TRUE(Compare(Nest(8, "$-1\r\n")).agree);
}

TEST(HiredisDivergence, IntegerPlusSign) {
  ExpectDivergence("integer-plus-sign", ":+5\r\n");
  ExpectDivergence("integer-plus-sign", ":+0\r\n");
  ExpectDivergence("integer-plus-sign", "*2\r\n:1\r\n:+9223372036854775807\r\n");
  EXPECT_EQ(Compare(":+5\r\n").ours.values[0], Value::Integer(5));
}

TEST(HiredisDivergence, IntegerLeadingZero) {
  ExpectDivergence("integer-leading-zero", ":007\r\n");
  ExpectDivergence("integer-leading-zero", ":-0\r\n");
  ExpectDivergence("integer-leading-zero", ":00\r\n");
  ExpectDivergence("integer-leading-zero", ":-01\r\n");
}

TEST(HiredisDivergence, LengthLeadingZero) {
  ExpectDivergence("length-leading-zero", "$03\r\nabc\r\n");
  ExpectDivergence("length-leading-zero", "$00\r\n\r\n");
  ExpectDivergence("length-leading-zero", "*01\r\n:1\r\n");
  ExpectDivergence("length-leading-zero", "*00\r\n");
}

TEST(HiredisDivergence, EveryTableEntryHasAnExample) {
  std::set<std::string_view> table, shown;
  for (const HiredisDivergence& d : HiredisDivergences()) {
    EXPECT_TRUE(table.insert(d.name).second) << "duplicate " << d.name;
    EXPECT_FALSE(d.description.empty()) << d.name;
  }
  for (const Example& e : Examples()) {
    shown.insert(e.divergence);
    ExpectDivergence(e.divergence, e.payload);
  }
  EXPECT_EQ(table, shown);
}

// --- classification picks the first point -------------------------------------------

TEST(HiredisDiff, TheFirstDisagreementDecides) {
  // Our reader fails at the stray CR before hiredis reaches the "+5".
  EXPECT_EQ(Compare("+a\rb\r\n:+5\r\n").divergence, "stray-cr-in-line");
  // hiredis fails at the "+5" before our reader reaches the stray CR.
  EXPECT_EQ(Compare(":+5\r\n+a\rb\r\n").divergence, "integer-plus-sign");
}

// --- agreement ----------------------------------------------------------------------

TEST(HiredisDiff, EqualInputsPass) {
  const std::vector<std::string> inputs = {
      "",
      "+OK\r\n",
      "-ERR unknown command 'foo'\r\n",
      ":0\r\n:-1\r\n:9223372036854775807\r\n:-9223372036854775808\r\n",
      "$6\r\nfoobar\r\n$0\r\n\r\n$4\r\na\r\nb\r\n",
      "$-1\r\n*-1\r\n",
      "*0\r\n*3\r\n:1\r\n$1\r\na\r\n*-1\r\n",
      "*2\r\n*2\r\n+a\r\n+b\r\n*1\r\n:3\r\n",
      Nest(8, ":1\r\n"),
      "+OK\r\n:1\r\n$3\r\nfoo\r\n*1\r\n-ERR x\r\n",
      // Partial input: both wait.
      "+OK",
      "+OK\r",
      "$5\r\nab",
      "$1\r\na",
      "$1\r\na\r",
      "*3\r\n:1\r\n",
      "*",
      // Both reject, with the error certain at the same byte.
      "?\r\n",
      "+OK\r\n!x\r\n",
      ":12x\r\n",
      ":9223372036854775808\r\n",
      "$-2\r\n",
      "*-2\r\n",
      "*2147483648\r\n",  // "Multi-bulk length out of range" / above INT_MAX
      "$0600000000\r\n",  // the leading zero for hiredis, above 512 MiB for us: same LF
      // Large declared lengths, compared: both wait.
      "$1048577\r\n",
      "$536870912\r\nab",
      "*4096\r\n:1\r\n",
  };
  for (const std::string& in : inputs) {
    for (size_t chunk : {size_t{0}, size_t{1}, size_t{2}, size_t{7}}) {
      HiredisDiffOutcome o = Compare(in, chunk);
      EXPECT_TRUE(o.agree) << "\"" << EscapeBytes(in) << "\" chunk " << chunk << ": "
                           << o.verdict.ToString();
      EXPECT_TRUE(o.verdict.ok);
    }
  }
}

TEST(HiredisDiff, NullsAreNormalized) {
  HiredisDiffOutcome o = Compare("*2\r\n$-1\r\n*-1\r\n");
  EXPECT_TRUE(o.agree) << o.verdict.ToString();
  ASSERT_EQ(o.theirs.values.size(), 1u);
  EXPECT_EQ(o.theirs.values[0].elem(1).type(), Type::kNullBulk);
}

// hiredis before 0.14 parsed numbers with readLongLong and took ":abc" as -1,
// "$x" as nil, any negative length as nil and ":" as 0. 0.14.1 uses a strict
// string2ll: these are agreements now, not table entries.
TEST(HiredisDiff, OldReadLongLongQuirksAreGone) {
  for (std::string_view in : {":abc\r\n", "$x\r\n", "*+3\r\n", "$+3\r\nabc\r\n", "$-5\r\n",
                              "*-5\r\n", ":\r\n", "$\r\n", "*\r\n", "$-0\r\n", "*-0\r\n"}) {
    HiredisDiffOutcome o = Compare(in);
    EXPECT_TRUE(o.agree) << "\"" << EscapeBytes(in) << "\": " << o.verdict.ToString();
    EXPECT_TRUE(o.ours.failed()) << EscapeBytes(in);
    EXPECT_TRUE(o.theirs.failed()) << EscapeBytes(in);
  }
}

// --- the hiredis parser itself --------------------------------------------------------

TEST(HiredisParser, ConvertsTreesAndTracksState) {
  auto p = MakeHiredisParser();
  std::vector<Value> out;
  p->Start(Protocol::kResp2, HiredisDiffLimits());
  EXPECT_TRUE(p->idle());
  ASSERT_TRUE(p->Feed("*3\r\n+s\r\n-e\r\n*2\r\n:7\r\n$2\r\nb", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(p->idle());
  ASSERT_TRUE(p->Feed("b\r\n$-1\r\n", &out));
  ASSERT_EQ(out.size(), 2u);
  Value want = Value::Aggregate(
      Type::kArray, {Value::Simple("s"), Value::Error("e"),
                     Value::Aggregate(Type::kArray, {Value::Integer(7), Value::Bulk("bb")})});
  EXPECT_EQ(out[0], want) << resp::ToDebugString(out[0]);
  EXPECT_EQ(out[1].type, Type::kNullBulk);
  EXPECT_TRUE(p->idle());
  EXPECT_EQ(p->buffered(), 0u);
  EXPECT_FALSE(p->Feed("%1\r\n", &out));
  EXPECT_EQ(p->error().code, ReaderErrorCode::kUnknownType);
  EXPECT_EQ(p->error().reason, "Protocol error, got \"%\" as reply type byte");
}

// --- the oracle can fail --------------------------------------------------------------

// Our reader, with every value run through `mutate` after it is read.
class MutatingParser : public ReplyParser {
 public:
  explicit MutatingParser(void (*mutate)(Value*)) : mutate_(mutate) {}
  void Start(Protocol p, const resp::ReaderLimits& l) override { real_->Start(p, l); }
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    size_t before = out->size();
    bool ok = real_->Feed(chunk, out);
    for (size_t i = before; i < out->size(); ++i) {
      std::vector<Value*> todo = {&(*out)[i]};
      while (!todo.empty()) {
        Value* v = todo.back();
        todo.pop_back();
        mutate_(v);
        for (Value& e : v->elems) todo.push_back(&e);
      }
    }
    return ok;
  }
  resp::ReaderError error() const override { return real_->error(); }
  bool idle() const override { return real_->idle(); }
  uint64_t consumed() const override { return real_->consumed(); }
  size_t buffered() const override { return real_->buffered(); }

 private:
  std::unique_ptr<ReplyParser> real_ = MakeReplyParser();
  void (*mutate_)(Value*);
};

void DropLastBulkByte(Value* v) {
  if (v->type == Type::kBulkString && !v->str.empty()) v->str.pop_back();
}
void IntegerPlusOne(Value* v) {
  if (v->type == Type::kInteger) ++v->integer;
}
void NegateIntegerDropBulkByte(Value* v) {
  if (v->type == Type::kInteger) v->integer = -v->integer;
  DropLastBulkByte(v);
}
void UppercaseSimple(Value* v) {
  if (v->type == Type::kSimpleString) {
    for (char& c : v->str) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
}

// --- skipping ------------------------------------------------------------------------

TEST(HiredisDiff, SkipsOnlyLongPayloads) {
  EXPECT_EQ(HiredisDiffSkipReason("*4097\r\n"), "");
  EXPECT_EQ(HiredisDiffSkipReason("$1048577\r\n"), "");
  EXPECT_EQ(HiredisDiffSkipReason(std::string(kHiredisDiffMaxPayload, '+')), "");
  EXPECT_NE(HiredisDiffSkipReason(std::string(kHiredisDiffMaxPayload + 1, '+')), "");
  HiredisDiffOutcome o = Compare(std::string(kHiredisDiffMaxPayload + 1, '+'));
  EXPECT_TRUE(o.skipped);
  EXPECT_TRUE(o.verdict.ok);
}

// Counts above the old byte-scan caps inside payloads are plain bytes: these
// are compared (they used to skip the whole input).
TEST(HiredisDiff, LargeCountsInsidePayloadsAreCompared) {
  for (std::string_view in :
       {"+price $1048577\r\n", "$16\r\n*9000 and *9000 \r\n", "$20\r\n*9000 and *9000 \r\n",
        "-ERR *99999 $2147483648\r\n", "$1\r\naXY*99999\r\n"}) {
    for (size_t chunk : {size_t{0}, size_t{1}, size_t{4}}) {
      HiredisDiffOutcome o = Compare(in, chunk);
      EXPECT_FALSE(o.skipped) << EscapeBytes(in) << ": " << o.skip_reason;
      EXPECT_TRUE(o.verdict.ok) << EscapeBytes(in) << ": " << o.verdict.ToString();
    }
  }
  EXPECT_TRUE(Compare("+price $1048577\r\n").agree);
  EXPECT_TRUE(Compare("$16\r\n*9000 and *9000 \r\n").agree);
  // And a broken reader is caught on them.
  auto theirs = MakeHiredisParser();
  MutatingParser broken(DropLastBulkByte);
  fuzz::Verdict v = CheckHiredisDiff(broken, *theirs, "$16\r\n*9000 and *9000 \r\n");
  EXPECT_FALSE(v.ok);
  MutatingParser upper(UppercaseSimple);
  v = CheckHiredisDiff(upper, *theirs, "+price $1048577\r\n");
  EXPECT_FALSE(v.ok);
}

// hiredis callocs a pointer array for a multi-bulk count before its elements
// arrive: the budgeted createArray refuses, and the comparison stops there.
TEST(HiredisDiff, ArrayBudgetStopsTheComparisonWhereHiredisReadsTheCount) {
  for (std::string_view in : {"*4097\r\n", "*99999\r\n:1\r\n", "+OK\r\n*2147483647\r\n"}) {
    HiredisDiffOutcome o = Compare(in, 3);
    EXPECT_TRUE(o.skipped) << EscapeBytes(in);
    EXPECT_TRUE(o.verdict.ok) << EscapeBytes(in) << ": " << o.verdict.ToString();
    EXPECT_TRUE(IsHiredisBudgetRefusal(o.theirs.error)) << DescribeError(o.theirs.error);
    EXPECT_NE(o.skip_reason.find("multi-bulk of"), std::string::npos) << o.skip_reason;
  }
  // Values before the refusal are compared.
  auto theirs = MakeHiredisParser();
  MutatingParser broken(DropLastBulkByte);
  HiredisDiffOutcome o = CompareHiredisDiff(broken, *theirs, "$3\r\nabc\r\n*5000\r\n");
  EXPECT_FALSE(o.verdict.ok);
  EXPECT_EQ(o.verdict.step, 0);
  // The budget counts the arrays alive in one reply, not all the input's.
  std::string pipeline;
  for (int i = 0; i < 5; ++i) {
    pipeline += "*3500\r\n";
    for (int j = 0; j < 3500; ++j) pipeline += "+\r\n";
  }
  ASSERT_LE(pipeline.size(), kHiredisDiffMaxPayload);
  o = Compare(pipeline, 64);
  EXPECT_FALSE(o.skipped) << o.skip_reason;
  EXPECT_TRUE(o.agree) << o.verdict.ToString();
  std::string nested;
  for (int i = 0; i < 5; ++i) nested += "*4000\r\n";
  o = Compare(nested);
  EXPECT_TRUE(o.skipped);
  EXPECT_TRUE(o.verdict.ok);
}

TEST(HiredisParser, BudgetedCreateArray) {
  auto p = MakeHiredisParser();
  std::vector<Value> out;
  p->Start(Protocol::kResp2, HiredisDiffLimits());
  EXPECT_TRUE(p->Feed("*4096\r\n", &out));
  p->Start(Protocol::kResp2, HiredisDiffLimits());
  EXPECT_FALSE(p->Feed("*2\r\n:1\r\n*4097\r\n", &out));
  EXPECT_TRUE(IsHiredisBudgetRefusal(p->error())) << DescribeError(p->error());
  EXPECT_EQ(p->error().code, ReaderErrorCode::kAggregateTooLong);
  EXPECT_TRUE(out.empty());
  // Within the budget the reader is the plain one, and reusable after a refusal.
  p->Start(Protocol::kResp2, HiredisDiffLimits());
  EXPECT_TRUE(p->Feed("*2\r\n*0\r\n*1\r\n:1\r\n", &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0],
            Value::Aggregate(Type::kArray, {Value::Aggregate(Type::kArray, {}),
                                            Value::Aggregate(Type::kArray, {Value::Integer(1)})}));
}

TEST(HiredisDiff, OracleCatchesABrokenReader) {
  auto theirs = MakeHiredisParser();
  {
    MutatingParser broken(DropLastBulkByte);
    fuzz::Verdict v = CheckHiredisDiff(broken, *theirs, "+OK\r\n$3\r\nabc\r\n");
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.check, "hiredis-diff");
    EXPECT_EQ(v.step, 1);
    EXPECT_NE(v.message.find("\"ab\""), std::string::npos) << v.message;
  }
  {
    MutatingParser broken(IntegerPlusOne);
    fuzz::Verdict v = CheckHiredisDiff(broken, *theirs, "*2\r\n:1\r\n:2\r\n", 3);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.step, 0);
  }
  // A known divergence after the wrong value does not excuse it: values before
  // the divergence point must still be equal.
  for (std::string_view tail : {"+a\rb\r\n", ":+5\r\n", "$1\r\naXY"}) {
    MutatingParser broken(DropLastBulkByte);
    std::string in = "$3\r\nabc\r\n" + std::string(tail);
    HiredisDiffOutcome o = CompareHiredisDiff(broken, *theirs, in);
    EXPECT_FALSE(o.verdict.ok) << EscapeBytes(in);
    EXPECT_TRUE(o.divergence.empty()) << o.divergence;
  }
  // The real reader on the same inputs: only the known divergences.
  auto ours = MakeReplyParser();
  EXPECT_TRUE(CheckHiredisDiff(*ours, *theirs, "+OK\r\n$3\r\nabc\r\n").ok);
  EXPECT_EQ(CompareHiredisDiff(*ours, *theirs, "$3\r\nabc\r\n:+5\r\n").divergence,
            "integer-plus-sign");
}

// hiredis, except that it rejects the integer 5: a disagreement that looks like
// integer-plus-sign (same error, same place) but whose line is canonical.
class RejectsFive : public ReplyParser {
 public:
  void Start(Protocol p, const resp::ReaderLimits& l) override {
    real_->Start(p, l);
    error_ = {};
  }
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    if (error_.code != ReaderErrorCode::kNone) return false;
    size_t before = out->size();
    bool ok = real_->Feed(chunk, out);
    for (size_t i = before; i < out->size(); ++i) {
      if ((*out)[i].type == Type::kInteger && (*out)[i].integer == 5) {
        out->resize(i);
        error_ = {ReaderErrorCode::kBadInteger, 0, "Bad integer value"};
        return false;
      }
    }
    return ok;
  }
  resp::ReaderError error() const override {
    return error_.code != ReaderErrorCode::kNone ? error_ : real_->error();
  }
  bool idle() const override { return error_.code == ReaderErrorCode::kNone && real_->idle(); }
  uint64_t consumed() const override { return real_->consumed(); }
  size_t buffered() const override { return real_->buffered(); }

 private:
  std::unique_ptr<ReplyParser> real_ = MakeHiredisParser();
  resp::ReaderError error_;
};

TEST(HiredisDiff, ClassifiersCheckTheBytes) {
  auto ours = MakeReplyParser();
  RejectsFive theirs;
  HiredisDiffOutcome o = CompareHiredisDiff(*ours, theirs, ":1\r\n:5\r\n");
  EXPECT_FALSE(o.agree);
  EXPECT_TRUE(o.divergence.empty()) << o.divergence;
  EXPECT_FALSE(o.verdict.ok);
  EXPECT_EQ(o.verdict.step, 1);
  // While a real plus sign is still classified.
  EXPECT_EQ(CompareHiredisDiff(*ours, theirs, ":1\r\n:+6\r\n").divergence, "integer-plus-sign");
}

// Our reader, but failing with `code` at byte `offset` whatever is there (fed
// whole, as the oracle feeds our side): a reader that rejects valid bytes.
class FailsAt : public ReplyParser {
 public:
  FailsAt(uint64_t offset, ReaderErrorCode code) : offset_(offset), code_(code) {}
  void Start(Protocol p, const resp::ReaderLimits& l) override { real_->Start(p, l); }
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    real_->Feed(chunk.substr(0, offset_), out);
    return false;
  }
  resp::ReaderError error() const override { return {code_, offset_, "fake"}; }
  bool idle() const override { return false; }
  uint64_t consumed() const override { return real_->consumed(); }
  size_t buffered() const override { return real_->buffered(); }

 private:
  std::unique_ptr<ReplyParser> real_ = MakeReplyParser();
  uint64_t offset_;
  ReaderErrorCode code_;
};

TEST(HiredisDiff, ClassifiersRejectErrorsAtValidBytes) {
  auto theirs = MakeHiredisParser();
  struct Case {
    std::string_view payload;
    uint64_t offset;
    ReaderErrorCode code;
  };
  for (const Case& c : {
           Case{"$3\r\nabc\r\n", 7, ReaderErrorCode::kBadTerminator},  // the bulk's CR
           Case{"$3\r\nabc\r\n", 8, ReaderErrorCode::kBadTerminator},  // the bulk's LF
           Case{"+OK\r\n+x\r\n", 4, ReaderErrorCode::kBadTerminator},  // a line's LF
           Case{"+OK\r\n+x\r\n", 3, ReaderErrorCode::kCharInLine},     // a line's CR
           Case{"+OK\r\n+x\r\n", 6, ReaderErrorCode::kCharInLine},     // a plain byte
       }) {
    FailsAt broken(c.offset, c.code);
    HiredisDiffOutcome o = CompareHiredisDiff(broken, *theirs, c.payload);
    EXPECT_FALSE(o.verdict.ok) << EscapeBytes(c.payload) << " @" << c.offset;
    EXPECT_TRUE(o.divergence.empty())
        << EscapeBytes(c.payload) << " @" << c.offset << ": " << o.divergence;
  }
  // The same parser failing where the bytes are wrong is excused.
  FailsAt right(7, ReaderErrorCode::kBadTerminator);
  EXPECT_EQ(CompareHiredisDiff(right, *theirs, "$3\r\nabcXY").divergence, "bulk-crlf-unchecked");
}

// --- the number repairs, the restarts, both-reject --------------------------------------

// hiredis fails at a non-canonical number; our reader reads on. The line is
// repaired and the whole payload compared again, so a reader that is wrong
// at or after that line is caught.
TEST(HiredisDiff, RepairedNumbersAreComparedAfterwards) {
  auto theirs = MakeHiredisParser();
  auto ours = MakeReplyParser();
  for (std::string_view in :
       {":+5\r\n:1\r\n$3\r\nabc\r\n", ":007\r\n:1\r\n", "$03\r\nabc\r\n:1\r\n",
        ":-0\r\n$1\r\nx\r\n", "*01\r\n$2\r\nab\r\n", "*2\r\n:1\r\n:+2\r\n$2\r\nxy\r\n"}) {
    for (size_t chunk : {size_t{0}, size_t{1}, size_t{3}}) {
      MutatingParser broken(NegateIntegerDropBulkByte);
      HiredisDiffOutcome o = CompareHiredisDiff(broken, *theirs, in, chunk);
      EXPECT_FALSE(o.verdict.ok) << EscapeBytes(in) << " chunk " << chunk;
      EXPECT_EQ(o.verdict.check, "hiredis-diff");
      // The real reader: the known divergence, then agreement.
      o = CompareHiredisDiff(*ours, *theirs, in, chunk);
      EXPECT_TRUE(o.verdict.ok) << EscapeBytes(in) << ": " << o.verdict.ToString();
      EXPECT_FALSE(o.agree);
      EXPECT_FALSE(o.divergence.empty());
      EXPECT_EQ(o.rounds.size(), 1u) << EscapeBytes(in);
    }
  }
  // Found by the fuzzer: the repaired header's bulk then fails our reader (at
  // its terminator); the header is still repaired, and what follows is the
  // bulk-crlf-unchecked divergence.
  for (size_t chunk : {size_t{0}, size_t{2}}) {
    const std::string bad_end = "$03\r\nabc\xff\xff\xff\r\n:1\r\n";
    HiredisDiffOutcome o = CompareHiredisDiff(*ours, *theirs, bad_end, chunk);
    EXPECT_TRUE(o.verdict.ok) << o.verdict.ToString();
    EXPECT_EQ(o.divergence, "length-leading-zero");
    ASSERT_EQ(o.rounds.size(), 1u);
    EXPECT_NE(o.rounds[0].find("\"$03\" -> \"$3\""), std::string::npos) << o.rounds[0];
  }
  // The broken reader is caught on the value at the repaired line itself.
  MutatingParser broken(NegateIntegerDropBulkByte);
  fuzz::Verdict v = CheckHiredisDiff(broken, *theirs, ":+5\r\n:0\r\n");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.step, 0);
  EXPECT_NE(v.message.find("integer-plus-sign"), std::string::npos) << v.message;
  // Many non-canonical lines: repaired in one round (no bound to hit), and
  // a wrong value after all of them is still caught.
  std::string many;
  for (int i = 0; i < 40; ++i) many += (i % 2 ? ":+" : ":0") + std::to_string(i + 1) + "\r\n";
  HiredisDiffOutcome o = Compare(many, 5);
  EXPECT_TRUE(o.verdict.ok) << o.verdict.ToString();
  EXPECT_EQ(o.rounds.size(), 1u);
  MutatingParser drop(DropLastBulkByte);
  v = CheckHiredisDiff(drop, *theirs, many + "$1\r\nz\r\n");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.step, 40);
}

// Our reader, but adding one to every integer of a chunk that holds ":+":
// wrong exactly on the lines hiredis rejects.
class MisreadsPlusSign : public ReplyParser {
 public:
  void Start(Protocol p, const resp::ReaderLimits& l) override { real_->Start(p, l); }
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    size_t before = out->size();
    bool ok = real_->Feed(chunk, out);
    if (chunk.find(":+") != std::string_view::npos) {
      for (size_t i = before; i < out->size(); ++i) {
        if ((*out)[i].type == Type::kInteger) ++(*out)[i].integer;
      }
    }
    return ok;
  }
  resp::ReaderError error() const override { return real_->error(); }
  bool idle() const override { return real_->idle(); }
  uint64_t consumed() const override { return real_->consumed(); }
  size_t buffered() const override { return real_->buffered(); }

 private:
  std::unique_ptr<ReplyParser> real_ = MakeReplyParser();
};

TEST(HiredisDiff, RepairMustNotChangeOurValues) {
  auto theirs = MakeHiredisParser();
  MisreadsPlusSign broken;
  HiredisDiffOutcome o = CompareHiredisDiff(broken, *theirs, ":+5\r\n");
  EXPECT_FALSE(o.verdict.ok);
  EXPECT_NE(o.verdict.message.find("our reader reads other values"), std::string::npos)
      << o.verdict.message;
}

// After a reply nested too deep for hiredis, the comparison starts again
// after that reply; inside it nothing is compared (documented in the table).
TEST(HiredisDiff, ValuesAfterATooDeepReplyAreCompared) {
  auto theirs = MakeHiredisParser();
  const std::string deep = Nest(9, ":1\r\n");
  for (const std::string& in : {deep + "$3\r\nabc\r\n", "+a\r\n" + deep + deep + "$3\r\nabc\r\n",
                                deep + ":+7\r\n$3\r\nabc\r\n"}) {
    MutatingParser broken(DropLastBulkByte);
    HiredisDiffOutcome o = CompareHiredisDiff(broken, *theirs, in, 2);
    EXPECT_FALSE(o.verdict.ok) << EscapeBytes(in);
    o = Compare(in, 2);
    EXPECT_TRUE(o.verdict.ok) << EscapeBytes(in) << ": " << o.verdict.ToString();
    EXPECT_EQ(o.divergence, "nesting-deeper-than-7");
  }
  // At our own depth limit: a null array still fits, an empty one does not.
  EXPECT_TRUE(Compare(Nest(64, "*-1\r\n") + ":1\r\n").verdict.ok);
  EXPECT_TRUE(Compare(Nest(64, "*0\r\n") + ":1\r\n").verdict.ok);
  // A wrong value inside the too-deep reply is the remaining exposure.
  MutatingParser broken(DropLastBulkByte);
  EXPECT_TRUE(CheckHiredisDiff(broken, *theirs, Nest(9, "$3\r\nabc\r\n")).ok);
  // More too-deep replies than restarts: the rest is excused, not failed.
  std::string lots;
  for (int i = 0; i < kHiredisMaxRestarts + 3; ++i) lots += deep;
  HiredisDiffOutcome o = Compare(lots + ":1\r\n");
  EXPECT_TRUE(o.verdict.ok) << o.verdict.ToString();
  EXPECT_EQ(o.rounds.size(), static_cast<size_t>(kHiredisMaxRestarts + 1));
}

// Both reject: an agreement only when both errors are certain at the same
// byte. Otherwise the first failure must be explained by the table.
TEST(HiredisDiff, BothRejectAgreeOnlyAtTheSameByte) {
  auto theirs = MakeHiredisParser();
  // Rejects the valid ":0" (byte 5); hiredis rejects ":+5" later, at byte 21.
  FailsAt broken(5, ReaderErrorCode::kBadInteger);
  HiredisDiffOutcome o = CompareHiredisDiff(broken, *theirs, "*3\r\n:0\r\n$1\r\na\r\n:+5\r\n");
  EXPECT_FALSE(o.agree);
  EXPECT_FALSE(o.verdict.ok);
  EXPECT_TRUE(o.divergence.empty()) << o.divergence;
  // Our reader blames the content of a bad number line but knows only at its
  // LF, as hiredis does: an agreement.
  o = Compare(":12x\r\n:+5\r\n");
  EXPECT_TRUE(o.agree) << o.verdict.ToString();
  EXPECT_EQ(o.ours.error.offset, 1u);
  // A reader that fails before the line is complete, on a valid line: caught.
  FailsAt too_early(1, ReaderErrorCode::kBadInteger);
  o = CompareHiredisDiff(too_early, *theirs, ":12\r\n:x\r\n");
  EXPECT_FALSE(o.verdict.ok);
  // hiredis first: through the hiredis-first entries, repair included.
  o = Compare(":+5\r\n:x\r\n");
  EXPECT_EQ(o.divergence, "integer-plus-sign");
  EXPECT_TRUE(o.verdict.ok);
}

// --- the harness entry points -----------------------------------------------------------

TEST(HiredisDiff, InputLayout) {
  // The decoded payload is a view into the input: keep the input alive.
  const std::string chunked = EncodeHiredisDiffCase(5, "+OK\r\n");
  HiredisDiffCase c = DecodeHiredisDiffCase(chunked);
  EXPECT_FALSE(c.hiredis_whole);
  EXPECT_EQ(c.hiredis_chunk, 5u);
  EXPECT_EQ(c.payload, "+OK\r\n");
  const std::string whole = EncodeHiredisDiffCase(0, "+OK\r\n");
  c = DecodeHiredisDiffCase(whole);
  EXPECT_EQ(c.payload, "+OK\r\n");
  EXPECT_TRUE(c.hiredis_whole);
  EXPECT_EQ(c.hiredis_chunk, 0u);
  // Never more than 64 feeds.
  std::string big(6400, '+');
  const std::string big_input = EncodeHiredisDiffCase(1, big);
  EXPECT_EQ(DecodeHiredisDiffCase(big_input).hiredis_chunk, 100u);
  EXPECT_TRUE(DecodeHiredisDiffCase("").payload.empty());
  EXPECT_TRUE(RunRespHiredisDiff("").ok);
}

TEST(HiredisDiff, DescribeNamesTheVerdict) {
  std::string d = DescribeRespHiredisDiff(EncodeHiredisDiffCase(0, ":+5\r\n"));
  EXPECT_NE(d.find("known divergence integer-plus-sign"), std::string::npos) << d;
  d = DescribeRespHiredisDiff(EncodeHiredisDiffCase(2, "+OK\r\n"));
  EXPECT_NE(d.find("verdict: agree"), std::string::npos) << d;
  EXPECT_NE(d.find("chunks of 2 bytes"), std::string::npos) << d;
}

// Pseudo-random token soup, chunked and whole: every outcome is an agreement or
// a table entry (a small, deterministic fuzz run inside the unit tests).
TEST(HiredisDiff, TokenSoupIsAlwaysExplained) {
  const std::vector<std::string_view> tokens = {
      "+",      "-",          ":",       "$",           "*",
      "\r\n",   "\r",         "\n",      "0",           "1",
      "2",      "3",          "-1",      "00",          "ERR",
      "OK",     "a",          "*1\r\n",  "$1\r\na\r\n", ":5\r\n",
      "*2\r\n", "$0\r\n\r\n", "*-1\r\n", ":+",          "*1\r\n*1\r\n*1\r\n*1\r\n"};
  uint32_t x = 12345;
  std::set<std::string_view> seen;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string in;
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    int n = 1 + static_cast<int>(x % 24);
    for (int i = 0; i < n; ++i) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      in += tokens[x % tokens.size()];
    }
    HiredisDiffOutcome o = Compare(in, iter % 4);
    ASSERT_TRUE(o.verdict.ok) << "\"" << EscapeBytes(in) << "\": " << o.verdict.ToString();
    if (!o.divergence.empty()) seen.insert(o.divergence);
  }
  // The soup reaches most of the table (not the rarer leading-zero forms).
  for (std::string_view name : {"stray-cr-in-line", "bare-lf-in-line", "bulk-crlf-unchecked",
                                "nesting-deeper-than-7", "integer-plus-sign"}) {
    EXPECT_TRUE(seen.count(name)) << name;
  }
}

TEST(HiredisDiff, SeedCorpusPasses) {
  std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "resp_hiredis_diff";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fuzz::Verdict v = RunRespHiredisDiff(bytes);
    EXPECT_TRUE(v.ok) << e.path() << ": " << v.ToString();
    ++n;
  }
  EXPECT_GT(n, 20u);
}

// --- where an error becomes certain: one walk, as the binary search found it ---

// The definition, written again: the last byte of the shortest prefix that
// the parser, fed whole, rejects (binary search over prefixes, rejection being
// monotone), or kNoError.
uint64_t CertainBySearch(ReplyParser& parser, std::string_view payload) {
  auto rejects = [&](size_t len) {
    return ParseWhole(parser, payload.substr(0, len), Protocol::kResp2, HiredisDiffLimits())
               .error.code != ReaderErrorCode::kNone;
  };
  if (payload.empty() || !rejects(payload.size())) return kNoError;
  size_t lo = 1, hi = payload.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (rejects(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo - 1;
}

std::vector<std::string> CertainAtInputs() {
  std::vector<std::string> inputs;
  std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "resp_hiredis_diff";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    inputs.emplace_back(DecodeHiredisDiffCase(bytes).payload);
  }
  const std::vector<std::string_view> tokens = {
      "+",  "-",  ":",  "$",      "*",  "\r\n",        "\r",     "\n",      "0", "1",
      "-1", "00", "OK", "*1\r\n", ":+", "$1\r\na\r\n", "*2\r\n", "*-1\r\n", "x"};
  uint32_t x = 99;
  // Up to 20 tokens; the last 500 inputs start with 4 to 19 whole values,
  // so their byte is mostly further in.
  const std::vector<std::string_view> values = {"+OK\r\n", ":12\r\n", "$3\r\nabc\r\n",
                                                "*2\r\n:1\r\n$-1\r\n", "-ERR x\r\n"};
  for (int iter = 0; iter < 3500; ++iter) {
    std::string in;
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    if (iter >= 3000) {
      for (uint32_t v = 0; v < 4 + x % 16; ++v) in += values[(x >> 8 ^ v) % values.size()];
    }
    const int n = 1 + static_cast<int>(x % 20);
    for (int i = 0; i < n; ++i) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      in += tokens[x % tokens.size()];
    }
    inputs.push_back(in);
  }
  return inputs;
}

TEST(HiredisCertainAt, TheWalkFindsWhatTheBinarySearchFinds) {
  auto ours = MakeReplyParser();
  auto theirs = MakeHiredisParser();
  size_t rejected = 0, far = 0;
  for (const std::string& in : CertainAtInputs()) {
    for (ReplyParser* p : {ours.get(), theirs.get()}) {
      const uint64_t want = CertainBySearch(*p, in);
      if (want != kNoError) ++rejected;
      if (want != kNoError && want >= 32) ++far;
      EXPECT_EQ(CertainAt(*p, in, HiredisDiffLimits()), want)
          << (p == ours.get() ? "ours" : "hiredis") << " on \"" << EscapeBytes(in) << "\"";
      // Starting the walk later changes nothing while it starts at or before
      // the answer.
      if (want != kNoError) {
        EXPECT_EQ(CertainAt(*p, in, HiredisDiffLimits(), want), want) << EscapeBytes(in);
      }
    }
  }
  EXPECT_GT(rejected, 1000u);
  EXPECT_GT(far, 200u);
}

// Rejects a '#' only when it arrives with other bytes in one Feed: a parser
// whose decision depends on the chunking. The walk (one byte per Feed) never
// sees it fail; the confirmation on whole-fed prefixes catches that, and the
// answer is still the definition's.
class ChunkSensitive : public ReplyParser {
 public:
  void Start(Protocol p, const resp::ReaderLimits& l) override {
    real_->Start(p, l);
    failed_ = false;
  }
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    if (failed_) return false;
    if (chunk.size() > 1 && chunk.find('#') != std::string_view::npos) {
      failed_ = true;
      return false;
    }
    return real_->Feed(chunk, out);
  }
  resp::ReaderError error() const override {
    return failed_ ? resp::ReaderError{ReaderErrorCode::kUnknownType, 0, "#"} : real_->error();
  }
  bool idle() const override { return !failed_ && real_->idle(); }
  uint64_t consumed() const override { return real_->consumed(); }
  size_t buffered() const override { return real_->buffered(); }

 private:
  std::unique_ptr<ReplyParser> real_ = MakeReplyParser();
  bool failed_ = false;
};

TEST(HiredisCertainAt, AChunkSensitiveParserFallsBackToTheSearch) {
  ChunkSensitive p;
  const std::string in = "+OK\r\n:12#\r\n";
  const uint64_t want = CertainBySearch(p, in);
  ASSERT_EQ(want, 8u);  // the prefix through the '#'
  EXPECT_EQ(CertainAt(p, in, HiredisDiffLimits()), want);
  EXPECT_EQ(CertainAt(p, "+OK\r\n", HiredisDiffLimits()), kNoError);
}

}  // namespace
}  // namespace respfuzz::harnesses
