// The op-level mutator (harnesses/common/op_mutator.h) over the four
// program harnesses: every mutated input decodes to a program within the
// caps and the byte limit, the same seed gives the same output, crossover
// splices ops of its parents, and the mutation reach check (each way of
// changing a program is seen) fails for a broken mutator whose argument
// changes never land.
#include "harnesses/common/op_mutator.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harnesses/cluster_routing/checks.h"
#include "harnesses/command_handler/checks.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/connection/checks.h"
#include "harnesses/invalidation/checks.h"
#include "src/engine/numbers.h"
#include "src/resp/numbers.h"

namespace respfuzz::harnesses {
namespace {

// A stand-in for LLVMFuzzerMutate that depends on its input alone (so runs
// repeat): flips one byte and, when there is room, appends one.
size_t FakeByteMutator(uint8_t* data, size_t size, size_t max_size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  if (size > 0) data[h % size] ^= static_cast<uint8_t>(1 + (h >> 8) % 255);
  if (size < max_size && (h >> 16) % 2 == 0) data[size++] = static_cast<uint8_t>(h >> 24);
  return size;
}

// A byte mutator that changes nothing: with it, whatever a run changes comes
// from the op-level mutator's own moves.
size_t NoByteMutator(uint8_t*, size_t size, size_t) { return size; }

template <typename Program>
std::vector<std::string> SeedInputs(const ProgramCodec<Program>& codec, const std::string& name) {
  std::vector<std::string> inputs = {""};
  const std::filesystem::path dir = std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / name;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    absl::StatusOr<Program> p = codec.parse(ss.str());
    if (p.ok()) inputs.push_back(codec.encode(*p));
    if (inputs.size() >= 12) break;
  }
  return inputs;
}

template <typename Program>
OpMutationHooks<Program, OpOf<Program>> HooksOf(const ProgramCodec<Program>& codec) {
  return {codec.decode, codec.encode, codec.args, codec.max_ops};
}

// What a run of mutations did, and every limit it broke.
struct Reach {
  size_t calls = 0;
  size_t changed = 0;  // output differs from input
  size_t grew = 0;     // more ops
  size_t shrank = 0;   // fewer ops
  size_t one_op = 0;   // the same number of ops, exactly one different
  std::vector<std::string> violations;
};

// Mutates each input `per_input` times (seeds 0..per_input-1) with max_size
// `max_size`, checking each output against the limits.
template <typename Program>
Reach Drive(const ProgramCodec<Program>& codec,
            const OpMutationHooks<Program, OpOf<Program>>& hooks,
            const std::vector<std::string>& inputs, size_t max_size, unsigned per_input,
            ByteMutator bytes = FakeByteMutator) {
  Reach r;
  const OpMutator<Program, OpOf<Program>> m(hooks);
  for (const std::string& input : inputs) {
    if (input.size() > max_size) continue;
    const Program before = codec.decode(input);
    for (unsigned seed = 0; seed < per_input; ++seed) {
      std::string buf = input;
      buf.resize(max_size);
      const size_t n =
          m.Mutate(reinterpret_cast<uint8_t*>(buf.data()), input.size(), max_size, seed, bytes);
      ++r.calls;
      if (n > max_size) {
        r.violations.push_back("output of " + std::to_string(n) + " bytes > max_size");
        continue;
      }
      buf.resize(n);
      Program after = codec.decode(buf);
      if (after.ops.size() > codec.max_ops) r.violations.push_back("more ops than the cap");
      if (codec.decode(codec.encode(after)) != after) {
        r.violations.push_back("a decoded output does not re-encode to itself");
      }
      for (auto& op : after.ops) {
        std::vector<ArgSlot> slots;
        codec.args(&op, &slots);
        for (const ArgSlot& s : slots) {
          if (s.text != nullptr && s.text->size() > s.max_len) {
            r.violations.push_back("an argument longer than its slot's max_len");
          }
          const int64_t v = s.u32 != nullptr ? int64_t{*s.u32} : s.i32 != nullptr ? *s.i32 : 0;
          if ((s.u32 != nullptr || s.i32 != nullptr) && (v < s.min || v > s.max)) {
            r.violations.push_back("a number outside its slot's range");
          }
        }
      }
      if (buf != input) ++r.changed;
      if (after.ops.size() > before.ops.size()) ++r.grew;
      if (after.ops.size() < before.ops.size()) ++r.shrank;
      if (after.ops.size() == before.ops.size()) {
        size_t differ = 0;
        for (size_t i = 0; i < after.ops.size(); ++i) differ += !(after.ops[i] == before.ops[i]);
        if (differ == 1) ++r.one_op;
      }
    }
  }
  return r;
}

// The reach check: most calls change the input, and among them ops are
// added, removed, and single ops changed in place (an argument) in at least
// a tenth of the calls each. Returns what it misses.
std::vector<std::string> MissingReach(const Reach& r) {
  std::vector<std::string> missing;
  if (r.changed * 10 < r.calls * 9) missing.push_back("fewer than 90% of calls change the input");
  if (r.grew * 10 < r.calls) missing.push_back("ops inserted in fewer than 10% of calls");
  if (r.shrank * 20 < r.calls) missing.push_back("ops removed in fewer than 5% of calls");
  if (r.one_op * 10 < r.calls) missing.push_back("one argument changed in fewer than 10% of calls");
  return missing;
}

template <typename Program>
void ExpectMutatorWithinLimitsAndReaching(const ProgramCodec<Program>& codec,
                                          const std::string& name) {
  ASSERT_NE(codec.args, nullptr) << name;
  ASSERT_GT(codec.max_ops, 0u) << name;
  const auto inputs = SeedInputs(codec, name);
  ASSERT_GT(inputs.size(), 1u) << name << ": no seeds read";
  const Reach r = Drive(codec, HooksOf(codec), inputs, 4096, 200);
  EXPECT_TRUE(r.violations.empty()) << name << ": " << r.violations.front();
  EXPECT_TRUE(MissingReach(r).empty()) << name << ": " << MissingReach(r).front();
  // A tight byte limit: outputs are cut at op boundaries to fit.
  const Reach tight = Drive(codec, HooksOf(codec), inputs, 48, 50);
  EXPECT_TRUE(tight.violations.empty()) << name << " (48 bytes): " << tight.violations.front();
}

TEST(OpMutator, CommandHandlerOutputsDecodeWithinLimitsAndReachEveryChange) {
  ExpectMutatorWithinLimitsAndReaching(kCommandHandlerProgram, "command_handler");
}
TEST(OpMutator, InvalidationOutputsDecodeWithinLimitsAndReachEveryChange) {
  ExpectMutatorWithinLimitsAndReaching(invalidation::kInvalidationProgram, "invalidation");
}
TEST(OpMutator, ConnectionOutputsDecodeWithinLimitsAndReachEveryChange) {
  ExpectMutatorWithinLimitsAndReaching(kConnectionProgram, "connection");
}
TEST(OpMutator, ClusterRoutingOutputsDecodeWithinLimitsAndReachEveryChange) {
  ExpectMutatorWithinLimitsAndReaching(kClusterRoutingProgram, "cluster_routing");
}

// The broken piece: argument slots that point into a copy of the op (kept
// alive for the test's length), so the mutator's argument changes never
// reach the program.
template <const auto& kCodec>
void SlotsOfACopy(OpOf<typename std::remove_cvref_t<decltype(kCodec)>::Program>* op,
                  std::vector<ArgSlot>* out) {
  static std::deque<OpOf<typename std::remove_cvref_t<decltype(kCodec)>::Program>> copies;
  copies.push_back(*op);
  kCodec.args(&copies.back(), out);
}

TEST(OpMutator, TheReachCheckFailsAMutatorWhoseArgumentChangesNeverLand) {
  const auto inputs = SeedInputs(kCommandHandlerProgram, "command_handler");
  auto hooks = HooksOf(kCommandHandlerProgram);
  const Reach healthy = Drive(kCommandHandlerProgram, hooks, inputs, 4096, 200);
  EXPECT_TRUE(MissingReach(healthy).empty());
  hooks.args = SlotsOfACopy<kCommandHandlerProgram>;
  const Reach broken = Drive(kCommandHandlerProgram, hooks, inputs, 4096, 200);
  EXPECT_TRUE(broken.violations.empty());
  // With the byte-level fallback there, the broken mutator still changes one
  // op in place through it (in some 16% of the calls with the GEO, HLL and
  // slow-log seeds, about half what the healthy one does).
  EXPECT_LT(broken.one_op * 10, healthy.one_op * 6)
      << "broken " << broken.one_op << " of " << broken.calls << ", healthy " << healthy.one_op
      << " of " << healthy.calls;
  // Without the fallback (a byte mutator that changes nothing), what changes
  // one op in place is the mutator's argument changes alone: none land when
  // they are broken.
  auto plain = HooksOf(kCommandHandlerProgram);
  const Reach healthy_own = Drive(kCommandHandlerProgram, plain, inputs, 4096, 200, NoByteMutator);
  const Reach broken_own = Drive(kCommandHandlerProgram, hooks, inputs, 4096, 200, NoByteMutator);
  EXPECT_GT(healthy_own.one_op * 10, healthy_own.calls)
      << "healthy " << healthy_own.one_op << " of " << healthy_own.calls;
  EXPECT_LT(broken_own.one_op * 20, healthy_own.one_op)
      << "broken " << broken_own.one_op << " of " << broken_own.calls << ", healthy "
      << healthy_own.one_op << " of " << healthy_own.calls;
}

TEST(OpMutator, TheSameSeedGivesTheSameOutput) {
  const auto inputs = SeedInputs(invalidation::kInvalidationProgram, "invalidation");
  const OpMutator<invalidation::Program, invalidation::Op> m(
      HooksOf(invalidation::kInvalidationProgram));
  for (unsigned seed = 0; seed < 50; ++seed) {
    std::string a = inputs[1], b = inputs[1];
    a.resize(4096);
    b.resize(4096);
    const size_t na = m.Mutate(reinterpret_cast<uint8_t*>(a.data()), inputs[1].size(), 4096, seed,
                               FakeByteMutator);
    const size_t nb = m.Mutate(reinterpret_cast<uint8_t*>(b.data()), inputs[1].size(), 4096, seed,
                               FakeByteMutator);
    a.resize(na);
    b.resize(nb);
    EXPECT_EQ(a, b) << "seed " << seed;
  }
}

TEST(OpMutator, CrossOverSplicesOpsOfBothParentsWithinLimits) {
  const auto& codec = kCommandHandlerProgram;
  const auto inputs = SeedInputs(codec, "command_handler");
  const OpMutator<CommandProgram, Op> m(HooksOf(codec));
  size_t from_both = 0, calls = 0;
  for (size_t i = 1; i + 1 < inputs.size(); ++i) {
    const std::string& a = inputs[i];
    const std::string& b = inputs[i + 1];
    const CommandProgram pa = codec.decode(a), pb = codec.decode(b);
    for (unsigned seed = 0; seed < 40; ++seed) {
      for (size_t max_out : {size_t{4096}, size_t{40}}) {
        std::string out(max_out, '\0');
        const size_t n = m.CrossOver(reinterpret_cast<const uint8_t*>(a.data()), a.size(),
                                     reinterpret_cast<const uint8_t*>(b.data()), b.size(),
                                     reinterpret_cast<uint8_t*>(out.data()), max_out, seed);
        ASSERT_LE(n, max_out);
        out.resize(n);
        const CommandProgram c = codec.decode(out);
        ASSERT_LE(c.ops.size(), codec.max_ops);
        bool has_a = false, has_b = false;
        for (const Op& op : c.ops) {
          const bool in_a = std::find(pa.ops.begin(), pa.ops.end(), op) != pa.ops.end();
          const bool in_b = std::find(pb.ops.begin(), pb.ops.end(), op) != pb.ops.end();
          EXPECT_TRUE(in_a || in_b) << "an op of neither parent";
          has_a |= in_a && !in_b;
          has_b |= in_b && !in_a;
        }
        ++calls;
        from_both += has_a && has_b;
      }
    }
  }
  EXPECT_GT(from_both * 5, calls) << "crossover rarely mixes the parents";
}

TEST(OpMutator, ArgumentsKeepTheirBoundsAndReachEveryWay) {
  MutationRng rng(7);
  std::string text = "k1";
  const std::string_view pool[] = {"a", "b"};
  const ArgSlot slot = ArgSlot::Text(&text, ValueKind::kInteger, pool, 5);
  uint32_t number = 10;
  const uint32_t steps[] = {3, 4};
  const ArgSlot num = ArgSlot::Number(&number, 2, 20, steps);
  const std::vector<std::string> reuse = {"reused"};
  bool seen[4] = {};
  for (int i = 0; i < 400; ++i) {
    ArgMutation how;
    if (MutateArg(slot, reuse, rng, FakeByteMutator, &how)) seen[static_cast<int>(how)] = true;
    EXPECT_LE(text.size(), 5u);
    MutateArg(num, {}, rng, FakeByteMutator);
    EXPECT_GE(number, 2u);
    EXPECT_LE(number, 20u);
  }
  for (int w = 0; w < 4; ++w) EXPECT_TRUE(seen[w]) << "argument mutation way " << w << " unseen";
}

TEST(OpMutator, AListSlotChangesTheArityWithinItsBounds) {
  MutationRng rng(11);
  std::vector<std::string> argv = {"SET", "k1", "v"};
  const std::string_view pool[] = {"EX", "10"};
  const ArgSlot slot = ArgSlot::List(&argv, 1, 5, pool, 4);
  const std::vector<std::string> reuse = {"reused-and-long"};
  size_t inserted = 0, deleted = 0, at_cap = 0, at_first = 0;
  for (int i = 0; i < 400; ++i) {
    ArgMutation how;
    const size_t before = argv.size();
    ASSERT_TRUE(MutateArg(slot, reuse, rng, FakeByteMutator, &how));
    ASSERT_EQ(argv[0], "SET") << "an item before `first` changed";
    ASSERT_LE(argv.size(), 5u);
    ASSERT_GE(argv.size(), 1u);
    for (const std::string& a : argv) ASSERT_LE(a.size(), 4u);
    if (how == ArgMutation::kInsert) {
      ++inserted;
      EXPECT_EQ(argv.size(), before + 1);
    } else {
      ASSERT_EQ(how, ArgMutation::kDelete);
      ++deleted;
      EXPECT_EQ(argv.size(), before - 1);
    }
    at_cap += argv.size() == 5;
    at_first += argv.size() == 1;
  }
  EXPECT_GT(inserted, 50u);
  EXPECT_GT(deleted, 50u);
  EXPECT_GT(at_cap, 0u) << "the list never reached its cap";
  EXPECT_GT(at_first, 0u) << "the list never lost every item after `first`";
}

TEST(OpMutator, EveryKindHasEdgeValuesAndGuessesNumbers) {
  for (ValueKind k : {ValueKind::kBytes, ValueKind::kKey, ValueKind::kInteger, ValueKind::kFloat,
                      ValueKind::kWord, ValueKind::kPattern, ValueKind::kRange}) {
    EXPECT_GE(EdgeValues(k).size(), 10u);
  }
  EXPECT_EQ(GuessKind("-12"), ValueKind::kInteger);
  EXPECT_EQ(GuessKind("1.5e3"), ValueKind::kFloat);
  EXPECT_EQ(GuessKind("k1"), ValueKind::kBytes);
}

// The edge values per kind, listed against the engine's own parsers: each
// special case Redis's string2ll (resp::ParseInt64) and getDoubleFromObject
// / getLongDoubleFromObject (engine::ParseDouble, ParseLongDouble) make is
// represented, and the parser decides each listed value as redis-server
// 7.0.15 does. A new case in those parsers needs a line here and a value in
// EdgeValues.
bool HasEdge(ValueKind kind, std::string_view v) {
  const auto edges = EdgeValues(kind);
  return std::find(edges.begin(), edges.end(), v) != edges.end();
}

TEST(OpMutatorEdges, IntegerEdgesCoverEveryCaseOfString2ll) {
  struct Case {
    std::string_view value;
    bool accepted;
    const char* why;
  };
  const Case cases[] = {
      {"0", true, "zero alone"},
      {"-1", true, "a negative"},
      {"9223372036854775807", true, "INT64_MAX"},
      {"-9223372036854775808", true, "INT64_MIN"},
      {"9223372036854775808", false, "INT64_MAX + 1"},
      {"-9223372036854775809", false, "INT64_MIN - 1"},
      {"18446744073709551616", false, "past UINT64_MAX"},
      {"-0", false, "minus zero"},
      {"+1", false, "a plus sign"},
      {"01", false, "a leading zero"},
      {" 1", false, "a leading space"},
      {"1 ", false, "a trailing space"},
      {"", false, "empty"},
      {"-", false, "a sign alone"},
      {"1e3", false, "an exponent"},
      {"0x10", false, "hex"},
      {"1.0", false, "a fraction"},
      {"2147483648", true, "INT32_MAX + 1 (LONG range commands)"},
      {"4294967296", true, "UINT32_MAX + 1"},
      {"10000", true, "OBJ_SHARED_INTEGERS"},
  };
  for (const Case& c : cases) {
    EXPECT_TRUE(HasEdge(ValueKind::kInteger, c.value)) << c.why << ": '" << c.value << "'";
    EXPECT_EQ(resp::ParseInt64(c.value).has_value(), c.accepted) << c.why;
  }
}

TEST(OpMutatorEdges, FloatEdgesCoverEveryCaseOfGetDoubleFromObject) {
  struct Case {
    std::string_view value;
    bool accepted;  // by ParseDouble and ParseLongDouble alike
    const char* why;
  };
  const Case cases[] = {
      {"-0", true, "minus zero"},
      {"inf", true, "inf"},
      {"-inf", true, "-inf"},
      {"+inf", true, "a plus sign"},
      {"INF", true, "inf in upper case"},
      {"infinity", true, "infinity spelled out"},
      {"nan", false, "nan"},
      {"-nan", false, "a signed nan"},
      {"1.7976931348623157e308", true, "DBL_MAX"},
      {".5", true, "no integer part"},
      {"5.", true, "no fraction digits"},
      {"0x1p3", true, "a hex float"},
      {"1e", false, "an exponent with no digits"},
      {" 1", false, "a leading space"},
      {"1 ", false, "a trailing space"},
      {"", false, "empty"},
  };
  for (const Case& c : cases) {
    EXPECT_TRUE(HasEdge(ValueKind::kFloat, c.value)) << c.why << ": '" << c.value << "'";
    EXPECT_EQ(engine::ParseDouble(c.value).has_value(), c.accepted) << c.why;
    EXPECT_EQ(engine::ParseLongDouble(c.value).has_value(), c.accepted) << c.why;
  }
  // Past DBL_MAX, and below the smallest denormal: strtod's ERANGE, which
  // the double parser refuses (HUGE_VAL, or zero) and strtold, with its
  // wider range, reads.
  for (std::string_view v : {"1e309", "-1e309", "1e-400"}) {
    EXPECT_TRUE(HasEdge(ValueKind::kFloat, v)) << v;
    EXPECT_FALSE(engine::ParseDouble(v).has_value()) << v;
    EXPECT_TRUE(engine::ParseLongDouble(v).has_value()) << v;
  }
  // A denormal: ERANGE, but not zero, so accepted.
  EXPECT_TRUE(HasEdge(ValueKind::kFloat, "4.9e-324"));
  EXPECT_TRUE(engine::ParseDouble("4.9e-324").has_value());
}

TEST(OpMutatorEdges, ByteEdgesSitAtTheEncodingBoundaries) {
  // embstr up to 44 bytes (OBJ_ENCODING_EMBSTR_SIZE_LIMIT), listpack values
  // up to 64 (hash-/zset-max-listpack-value): each limit and one past.
  for (size_t n : {44, 45, 64, 65}) {
    EXPECT_TRUE(HasEdge(ValueKind::kBytes, std::string(n, 'a'))) << n << " bytes";
  }
  EXPECT_TRUE(HasEdge(ValueKind::kBytes, ""));
  EXPECT_TRUE(HasEdge(ValueKind::kBytes, "\r\n"));
}

TEST(OpMutatorEdges, WordEdgesHoldOptionsInEveryCase) {
  EXPECT_TRUE(HasEdge(ValueKind::kWord, "get"));
  EXPECT_TRUE(HasEdge(ValueKind::kWord, "GET"));
  EXPECT_TRUE(HasEdge(ValueKind::kWord, "gEt"));
  EXPECT_TRUE(HasEdge(ValueKind::kWord, ""));
}

}  // namespace
}  // namespace respfuzz::harnesses
