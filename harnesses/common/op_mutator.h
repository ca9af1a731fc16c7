// The op-level mutator of the program harnesses (libFuzzer's
// LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver; docs/design.md,
// "Op-level mutation"). libFuzzer's byte mutator does not know where an op
// or an argument starts: a flipped byte in an op's header shifts every op
// after it. This mutator decodes the input as a program, changes it as a
// program and encodes it back:
//
//   ops:       insert a fresh op, delete one or a run of ops, duplicate,
//              move or swap ops;
//   arguments: replace one argument (ArgSlot) by a value of its pool, by an
//              edge value of its kind (EdgeValues), by a value the program
//              uses elsewhere, or by a byte-mutated copy (libFuzzer's own
//              LLVMFuzzerMutate on the argument alone); in an op whose
//              arguments are a list (ArgSlot::List), insert one such value,
//              a copy of a neighbour, or delete one, so an op's arity
//              changes without touching the ops after it;
//   header:    the part of the program that is not ops (the invalidation
//              harness's clients), byte-mutated in its encoded form;
//   crossover: two programs spliced at op boundaries;
//
// and hands a share of the calls (kByteMutationShare) to libFuzzer's own
// byte mutator, so nothing the byte-level fuzzer reaches is out of reach.
// Deterministic given the seed libFuzzer passes (and LLVMFuzzerMutate's own
// seeded state); bounded: the result never exceeds max_size bytes nor the
// harness's op cap (ProgramCodec::max_ops), and every argument stays within
// its slot's max_len or range.
#ifndef RESPFUZZ_HARNESSES_COMMON_OP_MUTATOR_H_
#define RESPFUZZ_HARNESSES_COMMON_OP_MUTATOR_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harnesses/common/registry.h"

namespace respfuzz::harnesses {

// What an argument is, for its edge values.
enum class ValueKind : uint8_t { kBytes, kKey, kInteger, kFloat, kWord, kPattern, kRange };
// The values Redis's parsing treats specially, per kind (empty, signs,
// leading zeros, -0, the 64-bit limits and one past, inf, exponents, ...).
std::span<const std::string_view> EdgeValues(ValueKind kind);
// The kind a value looks like (an integer, a float, else bytes).
ValueKind GuessKind(std::string_view value);

// One argument of an op the mutator may change: a text value or a number
// (uint32_t or int field), with where its values come from and its bounds;
// or an op's list of text arguments, whose length the mutator may change.
struct ArgSlot {
  std::string* text = nullptr;
  uint32_t* u32 = nullptr;
  int* i32 = nullptr;
  std::vector<std::string>* list = nullptr;
  ValueKind kind = ValueKind::kBytes;
  std::span<const std::string_view> pool;  // text, list: values of its kind
  size_t max_len = 0;                      // text, list: the longest value allowed
  std::span<const uint32_t> steps;         // number: the usual values
  int64_t min = 0, max = 0;                // number: the range allowed
  size_t first = 0;                        // list: items before it are kept
  size_t max_items = 0;                    // list: the most items allowed

  static ArgSlot Text(std::string* t, ValueKind kind, std::span<const std::string_view> pool,
                      size_t max_len) {
    ArgSlot s;
    s.text = t;
    s.kind = kind;
    s.pool = pool;
    s.max_len = max_len;
    return s;
  }
  static ArgSlot Number(uint32_t* v, int64_t min, int64_t max,
                        std::span<const uint32_t> steps = {}) {
    ArgSlot s;
    s.u32 = v;
    s.min = min;
    s.max = max;
    s.steps = steps;
    return s;
  }
  static ArgSlot Number(int* v, int64_t min, int64_t max) {
    ArgSlot s;
    s.i32 = v;
    s.min = min;
    s.max = max;
    return s;
  }
  // Items first.. of *v may be inserted (up to max_items in all) or deleted;
  // new items come from `pool`, the edge values of their neighbour's kind or
  // a copy of another item, at most max_len bytes.
  static ArgSlot List(std::vector<std::string>* v, size_t first, size_t max_items,
                      std::span<const std::string_view> pool, size_t max_len) {
    ArgSlot s;
    s.list = v;
    s.first = first;
    s.max_items = max_items;
    s.pool = pool;
    s.max_len = max_len;
    return s;
  }
};

// splitmix64: the mutator's only source of choices, seeded by libFuzzer.
class MutationRng {
 public:
  explicit MutationRng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n); 0 when n is 0.
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
  bool OneIn(size_t n) { return Below(n) == 0; }

 private:
  uint64_t state_;
};

// How each argument mutation chose its value (for tests and counts).
enum class ArgMutation : uint8_t { kPool, kEdge, kReuse, kBytes, kInsert, kDelete };

// Changes the argument in `slot` (one of the ArgMutation ways; `reuse`:
// values other ops of the program hold). Returns false when it could not
// change it (the value stays).
bool MutateArg(const ArgSlot& slot, std::span<const std::string> reuse, MutationRng& rng,
               ByteMutator bytes, ArgMutation* how = nullptr);

// Random bytes biased toward small values (pool tokens, table indices),
// from which a program decoder makes fresh ops.
std::string FreshOpBytes(MutationRng& rng);

// The share of calls handed whole to libFuzzer's byte mutator: 1 in N, by
// default (a harness may set its own: OpMutationHooks::byte_share).
inline constexpr size_t kByteMutationShare = 5;

// What the kit needs of a program harness to mutate its programs: decode,
// encode, the op cap and its argument slots (may be null: ops are then
// moved whole, never changed).
template <typename Program, typename Op>
struct OpMutationHooks {
  Program (*decode)(std::string_view bytes);
  std::string (*encode)(const Program& p);
  void (*args)(Op* op, std::vector<ArgSlot>* out);
  size_t max_ops;
  size_t byte_share = kByteMutationShare;  // 1 call in byte_share goes to bytes
};

// The program-level mutator over hooks `h`.
template <typename Program, typename Op>
class OpMutator {
 public:
  explicit OpMutator(const OpMutationHooks<Program, Op>& h) : h_(h) {}

  // LLVMFuzzerCustomMutator.
  size_t Mutate(uint8_t* data, size_t size, size_t max_size, unsigned seed,
                ByteMutator bytes) const {
    MutationRng rng(uint64_t{seed} * 0x9e3779b97f4a7c15ull + size);
    if (rng.OneIn(h_.byte_share)) return bytes(data, size, max_size);
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const Program original = h_.decode(in);
    for (int attempt = 0; attempt < 4; ++attempt) {
      Program p = original;
      const int rounds = 1 + static_cast<int>(rng.Below(2));
      for (int i = 0; i < rounds; ++i) MutateOnce(&p, rng, bytes);
      std::string out = Fit(&p, max_size);
      if (out.size() <= max_size && out != in && !out.empty()) {
        std::memcpy(data, out.data(), out.size());
        return out.size();
      }
    }
    return bytes(data, size, max_size);
  }

  // LLVMFuzzerCustomCrossOver: a's ops up to a cut, then a run of b's ops,
  // then (half the time) the rest of a's; a's header.
  size_t CrossOver(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size, uint8_t* out,
                   size_t max_out, unsigned seed) const {
    MutationRng rng(uint64_t{seed} * 0xd1b54a32d192ed03ull + a_size * 31 + b_size);
    Program pa = h_.decode(std::string_view(reinterpret_cast<const char*>(a), a_size));
    const Program pb = h_.decode(std::string_view(reinterpret_cast<const char*>(b), b_size));
    Program c = pa;
    const size_t cut = rng.Below(pa.ops.size() + 1);
    const size_t from = rng.Below(pb.ops.size() + 1);
    const size_t to = from + rng.Below(pb.ops.size() - from + 1);
    c.ops.assign(pa.ops.begin(), pa.ops.begin() + static_cast<std::ptrdiff_t>(cut));
    c.ops.insert(c.ops.end(), pb.ops.begin() + static_cast<std::ptrdiff_t>(from),
                 pb.ops.begin() + static_cast<std::ptrdiff_t>(to));
    if (rng.OneIn(2)) {
      c.ops.insert(c.ops.end(), pa.ops.begin() + static_cast<std::ptrdiff_t>(cut), pa.ops.end());
    }
    std::string bytes_out = Fit(&c, max_out);
    if (bytes_out.size() > max_out) return 0;
    std::memcpy(out, bytes_out.data(), bytes_out.size());
    return bytes_out.size();
  }

  // One program-level change (exposed for the tests).
  void MutateOnce(Program* p, MutationRng& rng, ByteMutator bytes) const {
    auto& ops = p->ops;
    const auto at = [&](size_t i) { return ops.begin() + static_cast<std::ptrdiff_t>(i); };
    switch (rng.Below(10)) {
      case 0:  // delete one op, or a run of them
        if (!ops.empty()) {
          const size_t i = rng.Below(ops.size());
          const size_t n = rng.OneIn(4) ? 1 + rng.Below(std::min<size_t>(ops.size() - i, 8)) : 1;
          ops.erase(at(i), at(i + n));
          return;
        }
        break;
      case 1:  // duplicate an op
        if (!ops.empty() && ops.size() < h_.max_ops) {
          const size_t i = rng.Below(ops.size());
          Op copy = ops[i];
          ops.insert(at(rng.Below(ops.size() + 1)), std::move(copy));
          return;
        }
        break;
      case 2:  // move an op
        if (ops.size() >= 2) {
          const size_t i = rng.Below(ops.size());
          Op moved = std::move(ops[i]);
          ops.erase(at(i));
          ops.insert(at(rng.Below(ops.size() + 1)), std::move(moved));
          return;
        }
        break;
      case 3:  // swap two ops
        if (ops.size() >= 2) {
          std::swap(ops[rng.Below(ops.size())], ops[rng.Below(ops.size())]);
          return;
        }
        break;
      case 4:  // the header (what is not ops), byte-mutated
        if (MutateHeader(p, bytes)) return;
        break;
      case 5:
      case 6:
      case 7:
      case 8:  // one argument
        if (MutateOneArg(p, rng, bytes)) return;
        break;
      default:
        break;
    }
    InsertFresh(p, rng);
  }

 private:
  // Inserts fresh ops (decoded from random bytes after this program's
  // header, so they fit its clients and tables) at a random place.
  void InsertFresh(Program* p, MutationRng& rng) const {
    if (p->ops.size() >= h_.max_ops) return;
    Program header = *p;
    header.ops.clear();
    const std::string prefix = h_.encode(header);
    for (int attempt = 0; attempt < 4; ++attempt) {
      Program fresh = h_.decode(prefix + FreshOpBytes(rng));
      if (fresh.ops.empty()) continue;
      const size_t n = std::min({fresh.ops.size(), 1 + rng.Below(2), h_.max_ops - p->ops.size()});
      p->ops.insert(p->ops.begin() + static_cast<std::ptrdiff_t>(rng.Below(p->ops.size() + 1)),
                    fresh.ops.begin(), fresh.ops.begin() + static_cast<std::ptrdiff_t>(n));
      return;
    }
  }

  bool MutateOneArg(Program* p, MutationRng& rng, ByteMutator bytes) const {
    if (h_.args == nullptr || p->ops.empty()) return false;
    std::vector<ArgSlot> slots;
    for (int attempt = 0; attempt < 4; ++attempt) {
      Op& op = p->ops[rng.Below(p->ops.size())];
      slots.clear();
      h_.args(&op, &slots);
      if (slots.empty()) continue;
      std::vector<std::string> reuse;
      if (rng.OneIn(2)) {
        std::vector<ArgSlot> others;
        for (Op& o : p->ops) {
          if (&o != &op) h_.args(&o, &others);
        }
        for (const ArgSlot& s : others) {
          if (s.text != nullptr) reuse.push_back(*s.text);
        }
      }
      if (MutateArg(slots[rng.Below(slots.size())], reuse, rng, bytes)) return true;
    }
    return false;
  }

  // The header's encoded bytes, byte-mutated, decoded with the ops' bytes
  // after them. False when the program has no header.
  bool MutateHeader(Program* p, ByteMutator bytes) const {
    Program header = *p;
    header.ops.clear();
    const std::string prefix = h_.encode(header);
    if (prefix.empty()) return false;
    const std::string whole = h_.encode(*p);
    if (whole.compare(0, prefix.size(), prefix) != 0) return false;
    std::string buf = prefix;
    buf.resize(prefix.size() + 8);
    buf.resize(bytes(reinterpret_cast<uint8_t*>(buf.data()), prefix.size(), buf.size()));
    Program q = h_.decode(buf + whole.substr(prefix.size()));
    if (q == *p) return false;
    *p = std::move(q);
    return true;
  }

  // Encodes p, dropping ops from the end until the bytes fit max_size.
  std::string Fit(Program* p, size_t max_size) const {
    if (p->ops.size() > h_.max_ops) p->ops.resize(h_.max_ops);
    std::string out = h_.encode(*p);
    while (out.size() > max_size && !p->ops.empty()) {
      // Drop about the share of ops that is over, at least one.
      const size_t over = (out.size() - max_size) * p->ops.size() / out.size() + 1;
      p->ops.resize(p->ops.size() - std::min(over, p->ops.size()));
      out = h_.encode(*p);
    }
    return out;
  }

  OpMutationHooks<Program, Op> h_;
};

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_COMMON_OP_MUTATOR_H_
