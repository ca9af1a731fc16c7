// The program kit: what the program harnesses (command_handler,
// invalidation, connection, cluster_routing) share. A program harness's
// input is a program, a list of ops (and, for some, a header such as the
// invalidation harness's clients); the kit gives it
//
//   ByteReader        the one way its decoder consumes fuzzer bytes;
//   ForEachProgramLine / ProgramLineError / OpsToText
//                     the line discipline of its text form;
//   MinimizeOps       the one op-level minimizer, with one definition of
//                     "the same failure" (SameFailure);
//   ProgramCodec and RESPFUZZ_REGISTER_PROGRAM_HARNESS
//                     the one way to register it: the harness names its
//                     decode, encode, print (to text), parse (from text), run
//                     and explain once, and the registry's run, describe,
//                     encode_text, decode_text, explain and minimize are
//                     made from them; with its ops' argument slots and op
//                     cap, so is its op-level mutator (op_mutator.h).
#ifndef RESPFUZZ_HARNESSES_COMMON_PROGRAM_KIT_H_
#define RESPFUZZ_HARNESSES_COMMON_PROGRAM_KIT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "harnesses/common/op_mutator.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/verdict.h"

namespace respfuzz::harnesses {

// Reads a fuzzer input front to back. A read either takes everything it
// asks for and returns true, or takes nothing and returns false: the input
// ran out, and a decoder ends its program before the op it was reading.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  bool Byte(uint8_t* out);
  // The next n bytes, as they are.
  bool Bytes(size_t n, std::string* out);
  // Two bytes, most significant first (0..65535).
  bool U16BE(uint32_t* out);
  // Two bytes, least significant first (0..65535).
  bool U16LE(uint32_t* out);
  // Four bytes, least significant first.
  bool U32LE(uint32_t* out);

  size_t offset() const { return at_; }
  size_t remaining() const { return bytes_.size() - at_; }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

// The same failure, as every minimizer and `respfuzz freeze` understand it
// and as a campaign's report groups crashes: both verdicts failed, with the
// same check, at an op of the same kind (Verdict::op).
bool SameFailure(const fuzz::Verdict& a, const fuzz::Verdict& b);

// Text form: calls fn(line_no, line) for every line of `text` (numbered from
// 1) that holds an op, with a trailing '\r' removed; lines of spaces and
// tabs only, and lines whose first other character is '#', are skipped. The
// first error fn returns stops the walk and is returned.
absl::Status ForEachProgramLine(std::string_view text,
                                absl::FunctionRef<absl::Status(size_t, std::string_view)> fn);
// The error of a text program: "line N: why".
absl::Status ProgramLineError(size_t line_no, std::string_view why);

// The text form of a list of ops: each op's text, then a newline.
template <typename Op, typename ToText>
std::string OpsToText(const std::vector<Op>& ops, ToText&& op_to_text) {
  std::string out;
  for (const Op& op : ops) {
    out += op_to_text(op);
    out += '\n';
  }
  return out;
}

template <typename Program>
using OpOf = typename decltype(std::declval<Program&>().ops)::value_type;

template <typename Op>
bool NoShrink(Op*) {
  return false;
}

// Delta debugging over a failing program's ops. Everything but `ops` (the
// invalidation harness's clients, say) stays. `run` runs every check.
//
// A candidate is kept only when it fails the same way (SameFailure) as the
// program given: minimizing never trades one bug for another. First the ops
// after the failing step go (they cannot matter, but the candidate is run to
// be sure), then chunks of ops, halving the chunk size down to one op, until
// no single op can go; then `shrink_op` makes each op smaller (e.g. drops
// its last argument), one step at a time while it returns true and the
// program still fails the same way.
//
// nullopt when the program does not fail. The report (may be null) counts
// the ops before and after and the programs run, and holds the verdict of
// the program returned.
template <typename Program>
std::optional<Program> MinimizeOps(
    Program p, absl::FunctionRef<fuzz::Verdict(const Program&)> run, MinimizeReport* report,
    absl::FunctionRef<bool(OpOf<Program>*)> shrink_op = NoShrink<OpOf<Program>>) {
  MinimizeReport local;
  MinimizeReport& rep = report ? *report : local;
  rep = MinimizeReport{};
  rep.steps_before = p.ops.size();
  fuzz::Verdict v = run(p);
  rep.runs = 1;
  if (v.ok) return std::nullopt;
  const fuzz::Verdict first = v;
  auto still_fails = [&](const Program& c) {
    ++rep.runs;
    fuzz::Verdict cv = run(c);
    if (!SameFailure(first, cv)) return false;
    v = std::move(cv);
    return true;
  };
  if (v.step >= 0 && static_cast<size_t>(v.step) + 1 < p.ops.size()) {
    Program c = p;
    c.ops.resize(static_cast<size_t>(v.step) + 1);
    if (still_fails(c)) p = std::move(c);
  }
  for (size_t chunk = std::max<size_t>(p.ops.size() / 2, 1);; chunk /= 2) {
    bool removed = true;
    while (removed) {
      removed = false;
      for (size_t start = 0; start < p.ops.size();) {
        Program c = p;
        const size_t end = std::min(p.ops.size(), start + chunk);
        c.ops.erase(c.ops.begin() + static_cast<std::ptrdiff_t>(start),
                    c.ops.begin() + static_cast<std::ptrdiff_t>(end));
        if (!c.ops.empty() && still_fails(c)) {
          p = std::move(c);
          removed = true;
        } else {
          start += chunk;
        }
      }
    }
    if (chunk == 1) break;
  }
  for (size_t i = 0; i < p.ops.size(); ++i) {
    while (true) {
      Program c = p;
      if (!shrink_op(&c.ops[i]) || !still_fails(c)) break;
      p = std::move(c);
    }
  }
  rep.steps_after = p.ops.size();
  rep.verdict = v;
  return p;
}

// A program harness's own pieces, named once. Run and explain use the
// harness's default options (no broken piece plugged in).
template <typename P>
struct ProgramCodec {
  using Program = P;
  // Total: every byte string is a program (caps bound every count).
  Program (*decode)(std::string_view bytes);
  // decode(encode(p)) == p for every program decode or parse returns.
  std::string (*encode)(const Program& p);
  // The text form, one op a line (what corpus/ and tests/regressions/ hold).
  std::string (*print)(const Program& p);
  // The text form back; errors name the line ("line 3: ...").
  absl::StatusOr<Program> (*parse)(std::string_view text);
  // Every check.
  fuzz::Verdict (*run)(const Program& p);
  // Each op with what every side did, then the verdict (respfuzz run).
  std::string (*explain)(const Program& p);
  // What the fuzz entry point prints beside a failure; nullptr: print.
  std::string (*describe)(const Program& p) = nullptr;
  // Makes one op smaller for the minimizer; nullptr: ops are kept whole.
  bool (*shrink_op)(OpOf<Program>* op) = nullptr;
  // The op-level mutator's view of an op: the arguments it may change
  // (op_mutator.h); nullptr: ops are inserted, moved and dropped whole.
  void (*args)(OpOf<Program>* op, std::vector<ArgSlot>* out) = nullptr;
  // The decoder's op cap, which the mutator keeps to (0: the mutator is off).
  size_t max_ops = 0;
  // The op-level mutator hands 1 call in byte_share to libFuzzer's byte
  // mutator.
  size_t byte_share = kByteMutationShare;
};

// The registry's entry points of a program harness, made from its codec.
template <const auto& kCodec>
struct ProgramEntryPoints {
  using Program = typename std::remove_cvref_t<decltype(kCodec)>::Program;

  static fuzz::Verdict Run(std::string_view input) { return kCodec.run(kCodec.decode(input)); }
  static std::string Describe(std::string_view input) {
    const Program p = kCodec.decode(input);
    return kCodec.describe != nullptr ? kCodec.describe(p) : kCodec.print(p);
  }
  static absl::StatusOr<std::string> EncodeText(std::string_view text) {
    absl::StatusOr<Program> p = kCodec.parse(text);
    if (!p.ok()) return p.status();
    return kCodec.encode(*p);
  }
  static std::string DecodeText(std::string_view input) {
    return kCodec.print(kCodec.decode(input));
  }
  static std::string Explain(std::string_view input) {
    return kCodec.explain(kCodec.decode(input));
  }
  static std::optional<std::string> Minimize(std::string_view input, MinimizeReport* report) {
    std::optional<Program> small =
        kCodec.shrink_op != nullptr
            ? MinimizeOps<Program>(kCodec.decode(input), kCodec.run, report, kCodec.shrink_op)
            : MinimizeOps<Program>(kCodec.decode(input), kCodec.run, report);
    if (!small) return std::nullopt;
    return kCodec.encode(*small);
  }
  static OpMutator<Program, OpOf<Program>> Mutator() {
    return OpMutator<Program, OpOf<Program>>(
        {kCodec.decode, kCodec.encode, kCodec.args, kCodec.max_ops, kCodec.byte_share});
  }
  static size_t Mutate(uint8_t* data, size_t size, size_t max_size, unsigned seed,
                       ByteMutator bytes) {
    return Mutator().Mutate(data, size, max_size, seed, bytes);
  }
  static size_t CrossOver(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                          uint8_t* out, size_t max_out, unsigned seed) {
    return Mutator().CrossOver(a, a_size, b, b_size, out, max_out, seed);
  }
};

// The registry's descriptor of a program harness.
template <const auto& kCodec>
constexpr Harness ProgramHarness(std::string_view name, std::string_view feeds,
                                 std::string_view checks) {
  using E = ProgramEntryPoints<kCodec>;
  return Harness{name,
                 feeds,
                 checks,
                 E::Run,
                 E::Describe,
                 E::EncodeText,
                 E::DecodeText,
                 E::Explain,
                 E::Minimize,
                 kCodec.max_ops > 0 ? E::Mutate : nullptr,
                 kCodec.max_ops > 0 ? E::CrossOver : nullptr};
}

// RESPFUZZ_REGISTER_PROGRAM_HARNESS(name, feeds, checks, codec): registers
// program harness `name` (its folder's name) from its ProgramCodec, a
// namespace-scope object. Used once, at the end of the harness's checks.cc.
#define RESPFUZZ_REGISTER_PROGRAM_HARNESS(name, feeds, checks, codec) \
  RESPFUZZ_REGISTER_HARNESS(name,                                     \
                            ::respfuzz::harnesses::ProgramHarness<codec>(#name, feeds, checks))

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_COMMON_PROGRAM_KIT_H_
