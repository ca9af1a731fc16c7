// The program kit (harnesses/common/program_kit.h): the byte reader at its
// bounds, the minimizer's one rule of "the same failure" (a shrink that
// changes the check or the op kind is refused), the text-line discipline and
// a program harness registered from its codec alone.
#include "harnesses/common/program_kit.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace respfuzz::harnesses {
namespace {

// --- the byte reader ---

TEST(ByteReader, AnEmptyInputReadsNothingButNothing) {
  ByteReader r("");
  uint8_t b = 7;
  uint32_t v = 7;
  std::string s = "x";
  EXPECT_FALSE(r.Byte(&b));
  EXPECT_FALSE(r.U16BE(&v));
  EXPECT_FALSE(r.U16LE(&v));
  EXPECT_FALSE(r.U32LE(&v));
  EXPECT_FALSE(r.Bytes(1, &s));
  EXPECT_EQ(b, 7);
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(r.Bytes(0, &s));
  EXPECT_EQ(s, "");
  EXPECT_EQ(r.offset(), 0u);
}

TEST(ByteReader, ReadsExactlyToTheEndAndNotOneByteMore) {
  const std::string five("\x01\x02\x03\x04\x05", 5);
  ByteReader r(five);
  std::string s;
  EXPECT_FALSE(r.Bytes(6, &s));  // one past the end: nothing taken
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_TRUE(r.Bytes(5, &s));  // exactly what is left
  EXPECT_EQ(s, five);
  EXPECT_EQ(r.remaining(), 0u);
  uint8_t b;
  EXPECT_FALSE(r.Byte(&b));
}

TEST(ByteReader, ShortNumbersTakeNothing) {
  uint32_t v = 0;
  uint8_t b = 0;
  ByteReader one("\xab");
  EXPECT_FALSE(one.U16BE(&v));
  EXPECT_FALSE(one.U16LE(&v));
  EXPECT_EQ(one.offset(), 0u);
  ASSERT_TRUE(one.Byte(&b));  // the byte is still there
  EXPECT_EQ(b, 0xab);

  ByteReader three("\x01\x02\x03");
  EXPECT_FALSE(three.U32LE(&v));
  EXPECT_EQ(three.remaining(), 3u);
  EXPECT_TRUE(three.U16LE(&v));
  EXPECT_EQ(v, 0x0201u);
}

TEST(ByteReader, NumbersInTheirByteOrder) {
  uint32_t v = 0;
  ByteReader be("\xff\xfe");
  ASSERT_TRUE(be.U16BE(&v));
  EXPECT_EQ(v, 0xfffeu);
  ByteReader le("\xff\xfe");
  ASSERT_TRUE(le.U16LE(&v));
  EXPECT_EQ(v, 0xfeffu);
  ByteReader le32("\x78\x56\x34\xf2\x99");
  ASSERT_TRUE(le32.U32LE(&v));
  EXPECT_EQ(v, 0xf2345678u);
  EXPECT_EQ(le32.offset(), 4u);
  EXPECT_EQ(le32.remaining(), 1u);
}

// --- the same failure ---

fuzz::Verdict Failed(std::string check, int64_t step, std::string op) {
  fuzz::Verdict v = fuzz::Verdict::Fail(std::move(check), step, "message");
  v.op = std::move(op);
  return v;
}

TEST(SameFailure, IsTheSameCheckAtTheSameOpKind) {
  const fuzz::Verdict a = Failed("reference", 3, "GET");
  EXPECT_TRUE(SameFailure(a, Failed("reference", 9, "GET")));  // the step may move
  EXPECT_FALSE(SameFailure(a, Failed("validate", 3, "GET")));
  EXPECT_FALSE(SameFailure(a, Failed("reference", 3, "SET")));
  EXPECT_FALSE(SameFailure(a, fuzz::Verdict::Ok()));
  EXPECT_FALSE(SameFailure(fuzz::Verdict::Ok(), fuzz::Verdict::Ok()));
}

// --- the minimizer, on a toy program ---

struct ToyOp {
  int code = 0;
  int size = 0;
  bool operator==(const ToyOp&) const = default;
};
struct ToyProgram {
  int header = 0;  // stays as it is
  std::vector<ToyOp> ops;
  bool operator==(const ToyProgram&) const = default;
};

// 5 after a 3 fails check "a" at "five" ("five-small" when the 5's size is
// below 2; check "c" when the 3's size is 0). A 6 fails "a" at "six" and a 7
// fails "b" at "seven", unless a 4 came before them.
fuzz::Verdict RunToy(const ToyProgram& p) {
  const ToyOp* three = nullptr;
  bool four = false;
  for (size_t i = 0; i < p.ops.size(); ++i) {
    const ToyOp& op = p.ops[i];
    const auto at = static_cast<int64_t>(i);
    if (op.code == 3) three = &op;
    if (op.code == 4) four = true;
    if (op.code == 5 && three != nullptr) {
      if (three->size == 0) return Failed("c", at, "five");
      return Failed("a", at, op.size < 2 ? "five-small" : "five");
    }
    if (op.code == 6 && !four) return Failed("a", at, "six");
    if (op.code == 7 && !four) return Failed("b", at, "seven");
  }
  return fuzz::Verdict::Ok();
}

ToyProgram Toy(std::vector<int> codes, int size = 5) {
  ToyProgram p;
  p.header = 42;
  for (int c : codes) p.ops.push_back({c, size});
  return p;
}

std::vector<int> Codes(const ToyProgram& p) {
  std::vector<int> out;
  for (const ToyOp& op : p.ops) out.push_back(op.code);
  return out;
}

bool Smaller(ToyOp* op) {
  if (op->size == 0) return false;
  --op->size;
  return true;
}

TEST(MinimizeOps, KeepsOnlyTheSameCheckAtTheSameOpKind) {
  // Fails "a" at "five" (the 4 keeps the 6 and the 7 quiet). Dropping the 4
  // while the 6 is there gives "a" at "six" (the same check at another op
  // kind); dropping it while the 7 is there gives "b" at "seven" (another
  // check): both refused, so the 6 and the 7 must go before the 4 can.
  const ToyProgram p = Toy({4, 1, 6, 3, 7, 5, 9});
  ASSERT_EQ(RunToy(p).op, "five");
  MinimizeReport report;
  std::optional<ToyProgram> small = MinimizeOps<ToyProgram>(p, RunToy, &report);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(Codes(*small), (std::vector<int>{3, 5}));
  EXPECT_EQ(small->header, 42);  // what is not an op stays
  EXPECT_EQ(report.steps_before, 7u);
  EXPECT_EQ(report.steps_after, 2u);
  EXPECT_GT(report.runs, 2u);
  EXPECT_EQ(report.verdict.check, "a");
  EXPECT_EQ(report.verdict.op, "five");
  EXPECT_EQ(report.verdict.step, 1);
}

TEST(MinimizeOps, ShrinksOpsOnlyWhileTheFailureStaysTheSame) {
  // Shrinking the 5 below size 2 changes the op kind; shrinking the 3 to 0
  // changes the check. Both stop one step before.
  std::optional<ToyProgram> small = MinimizeOps<ToyProgram>(Toy({3, 5}), RunToy, nullptr, Smaller);
  ASSERT_TRUE(small.has_value());
  ASSERT_EQ(small->ops.size(), 2u);
  EXPECT_EQ(small->ops[0], (ToyOp{3, 1}));
  EXPECT_EQ(small->ops[1], (ToyOp{5, 2}));
  // Without a shrink the ops stay whole.
  small = MinimizeOps<ToyProgram>(Toy({3, 5}), RunToy, nullptr);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(small->ops[1], (ToyOp{5, 5}));
}

TEST(MinimizeOps, APassingProgramIsNothingToMinimize) {
  MinimizeReport report;
  report.runs = 99;
  EXPECT_FALSE(MinimizeOps<ToyProgram>(Toy({1, 2, 4, 6}), RunToy, &report).has_value());
  EXPECT_EQ(report.runs, 1u);
  EXPECT_EQ(report.steps_before, 4u);
  EXPECT_TRUE(report.verdict.ok);
}

// --- text lines ---

TEST(ProgramLines, SkipsBlanksAndCommentsAndNumbersEveryLine) {
  std::vector<std::string> seen;
  const absl::Status st = ForEachProgramLine(
      "a 1\r\n\n  \t\n  # note\nb 2\n#x\nc", [&](size_t n, std::string_view line) {
        seen.push_back(absl::StrCat(n, ":", std::string(line)));
        return absl::OkStatus();
      });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"1:a 1", "5:b 2", "7:c"}));
}

TEST(ProgramLines, TheFirstErrorStopsTheWalk) {
  int calls = 0;
  const absl::Status st = ForEachProgramLine("x\ny\nz\n", [&](size_t n, std::string_view) {
    ++calls;
    return n == 2 ? ProgramLineError(n, "bad") : absl::OkStatus();
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(st.message(), "line 2: bad");
}

// --- registration from a codec ---

// Byte form: one op a byte, code = byte % 10, size 5. Text form: the codes.
ToyProgram DecodeToy(std::string_view bytes) {
  ToyProgram p;
  p.header = 42;
  ByteReader r(bytes);
  uint8_t b;
  while (p.ops.size() < 16 && r.Byte(&b)) p.ops.push_back({b % 10, 5});
  return p;
}
std::string EncodeToy(const ToyProgram& p) {
  std::string out;
  for (const ToyOp& op : p.ops) out.push_back(static_cast<char>(op.code));
  return out;
}
std::string PrintToy(const ToyProgram& p) {
  return OpsToText(p.ops, [](const ToyOp& op) { return absl::StrCat("op ", op.code); });
}
absl::StatusOr<ToyProgram> ParseToy(std::string_view text) {
  ToyProgram p;
  p.header = 42;
  absl::Status st = ForEachProgramLine(text, [&](size_t n, std::string_view line) {
    if (line.size() != 4 || line.substr(0, 3) != "op " || line[3] < '0' || line[3] > '9') {
      return ProgramLineError(n, "expected 'op DIGIT'");
    }
    p.ops.push_back({line[3] - '0', 5});
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return p;
}
std::string ExplainToy(const ToyProgram& p) { return PrintToy(p) + RunToy(p).ToString() + "\n"; }

constexpr ProgramCodec<ToyProgram> kToyCodec = {
    .decode = DecodeToy,
    .encode = EncodeToy,
    .print = PrintToy,
    .parse = ParseToy,
    .run = RunToy,
    .explain = ExplainToy,
};
constexpr ProgramCodec<ToyProgram> kToyCodecShrinking = {
    .decode = DecodeToy,
    .encode = EncodeToy,
    .print = PrintToy,
    .parse = ParseToy,
    .run = RunToy,
    .explain = ExplainToy,
    .describe = [](const ToyProgram& p) { return absl::StrCat(p.ops.size(), " toy ops"); },
    .shrink_op = Smaller,
};

}  // namespace

RESPFUZZ_REGISTER_PROGRAM_HARNESS(toy_kit, "toy ops", "a toy check", kToyCodec);

namespace {

TEST(ProgramHarness, RegisteredFromItsCodecAlone) {
  const Harness& h = kRegisteredHarness_toy_kit;
  EXPECT_EQ(h.name, "toy_kit");
  EXPECT_EQ(h.feeds, "toy ops");
  EXPECT_EQ(h.checks, "a toy check");
  ASSERT_NE(h.encode_text, nullptr);
  ASSERT_NE(h.decode_text, nullptr);
  ASSERT_NE(h.explain, nullptr);
  ASSERT_NE(h.minimize, nullptr);

  absl::StatusOr<std::string> bytes = h.encode_text("op 4\n# c\nop 6\nop 7\nop 3\nop 5\n");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, std::string("\x04\x06\x07\x03\x05", 5));
  EXPECT_EQ(h.decode_text(*bytes), "op 4\nop 6\nop 7\nop 3\nop 5\n");
  EXPECT_EQ(h.describe(*bytes), h.decode_text(*bytes));  // no describe: the text
  const fuzz::Verdict v = h.run(*bytes);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.op, "five");
  EXPECT_NE(h.explain(*bytes).find("violation [a] at step 4"), std::string::npos);
  EXPECT_EQ(h.encode_text("op 4\nop x\n").status().message(), "line 2: expected 'op DIGIT'");

  MinimizeReport report;
  std::optional<std::string> small = h.minimize(*bytes, &report);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(h.decode_text(*small), "op 3\nop 5\n");
  EXPECT_EQ(report.steps_before, 5u);
  EXPECT_EQ(report.steps_after, 2u);
  EXPECT_EQ(h.minimize("\x01\x02", &report), std::nullopt);
}

TEST(ProgramHarness, DescribeAndShrinkComeFromTheCodecWhenGiven) {
  constexpr Harness h = ProgramHarness<kToyCodecShrinking>("toy", "", "");
  EXPECT_EQ(h.describe(std::string("\x03\x05\x01", 3)), "3 toy ops");
  // The decoder makes sizes 5; the shrink brings the 3 to 1 and the 5 to 2,
  // which the byte form cannot show, so the verdict tells it.
  MinimizeReport report;
  ASSERT_TRUE(h.minimize(std::string("\x03\x05", 2), &report).has_value());
  EXPECT_GT(report.runs, 8u);  // 4 shrinks of the 3, 3 of the 5, each run, and the refusals
  EXPECT_EQ(report.verdict.op, "five");
}

}  // namespace
}  // namespace respfuzz::harnesses
