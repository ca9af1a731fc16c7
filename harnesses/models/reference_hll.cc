// HyperLogLog commands of the reference model (hyperloglog.c): PFADD,
// PFCOUNT, PFMERGE, PFDEBUG (PFSELFTEST is the engine's alone: a 0.3 s self
// test). Written from the HYLL format's description and redis-server
// 7.0.15's replies, never calling src/.
//
// A value is a string, and the model works on its bytes as the server
// leaves them:
//   "HYLL", an encoding byte (0 dense, 1 sparse), 3 unused bytes, the cached
//   cardinality as 8 little-endian bytes whose top bit (bit 7 of byte 15)
//   says the cache is stale; then the 16384 registers.
//   Dense: 6 bits a register, register i at bit 6*i counted from the least
//   significant bit of byte 16 (12304 bytes in all).
//   Sparse: opcodes, each a run of registers: 00xxxxxx ZERO (x+1 zeros),
//   01xxxxxx yyyyyyyy XZERO (a 14-bit x:y, plus 1, zeros), 1vvvvvll VAL (l+1
//   registers of value v+1). A value is valid when the runs cover exactly
//   16384 registers (7.0.15 with CVE-2025-32023's fix: any run past register
//   16383 makes it invalid).
// An element goes to register (h & 16383) with the value 1 + the number of
// trailing zero bits of h >> 14 (at most 51), h its 64-bit MurmurHash64A
// with seed 0xadc83b19.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

constexpr int kRegisters = 16384;
constexpr size_t kHeader = 16;
constexpr size_t kDenseSize = kHeader + kRegisters * 6 / 8;  // 12304
constexpr int kQ = 50;                                       // 64 - 14 hash bits
constexpr int kSparseMaxValue = 32;
const char* const kInvalid = "-INVALIDOBJ Corrupted HLL object detected";
const char* const kNotHll = "-WRONGTYPE Key is not a valid HyperLogLog string value.";

uint8_t ByteAt(const std::string& s, size_t i) { return static_cast<uint8_t>(s[i]); }

// MurmurHash64A (Austin Appleby), the variant that reads 8-byte blocks as
// little-endian words.
uint64_t Murmur64A(const std::string& data, uint64_t seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  const size_t len = data.size();
  uint64_t h = seed ^ (len * m);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; b--) k = (k << 8) | ByteAt(data, i + b);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t rest = len - i;
  if (rest > 0) {
    for (size_t b = rest; b > 0; b--)
      h ^= static_cast<uint64_t>(ByteAt(data, i + b - 1)) << (8 * (b - 1));
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

// The register an element lands in and the value it offers there.
void RegisterOf(const std::string& element, int* index, int* count) {
  uint64_t h = Murmur64A(element, 0xadc83b19ULL);
  *index = static_cast<int>(h & (kRegisters - 1));
  h >>= 14;
  h |= 1ULL << kQ;
  int n = 1;
  while ((h & 1) == 0) {
    n++;
    h >>= 1;
  }
  *count = n;
}

bool IsSparse(const std::string& s) { return ByteAt(s, 4) == 1; }
void InvalidateCache(std::string& s) { s[15] = static_cast<char>(ByteAt(s, 15) | 0x80); }

// Dense registers. Register 16383's upper neighbour byte is past the value
// (the server reads its string's terminating zero there): nothing to read.
int DenseGet(const std::string& s, int i) {
  const size_t bit = static_cast<size_t>(i) * 6;
  const size_t byte = kHeader + bit / 8;
  const int shift = static_cast<int>(bit % 8);
  unsigned v = ByteAt(s, byte) >> shift;
  if (byte + 1 < s.size()) v |= static_cast<unsigned>(ByteAt(s, byte + 1)) << (8 - shift);
  return static_cast<int>(v & 63);
}

void DensePut(std::string& s, int i, int value) {
  for (int b = 0; b < 6; b++) {
    const size_t bit = static_cast<size_t>(i) * 6 + b;
    const size_t byte = kHeader + bit / 8;
    const uint8_t mask = static_cast<uint8_t>(1 << (bit % 8));
    uint8_t x = ByteAt(s, byte);
    x = (value >> b) & 1 ? static_cast<uint8_t>(x | mask) : static_cast<uint8_t>(x & ~mask);
    s[byte] = static_cast<char>(x);
  }
}

// One sparse opcode at byte `at`: its kind and run. An XZERO whose second
// byte is past the end reads `past_end` there: the byte after the value,
// which is the string's terminating zero but for one case (SparseSet) that
// writes past it, read again by the rest of the same command.
struct Op {
  enum Kind { kZero, kXZero, kVal } kind;
  int run;
  int value;  // VAL only
  size_t size;
};

Op ReadOp(const std::string& s, size_t at, uint8_t past_end) {
  const uint8_t b = ByteAt(s, at);
  if (b & 0x80) return {Op::kVal, (b & 3) + 1, ((b >> 2) & 31) + 1, 1};
  if ((b & 0xc0) == 0) return {Op::kZero, (b & 63) + 1, 0, 1};
  const uint8_t low = at + 1 < s.size() ? ByteAt(s, at + 1) : past_end;
  return {Op::kXZero, (((b & 63) << 8) | low) + 1, 0, 2};
}

void PutZeros(std::string& out, int run) {
  if (run > 64) {
    out.push_back(static_cast<char>(0x40 | ((run - 1) >> 8)));
    out.push_back(static_cast<char>((run - 1) & 0xff));
  } else {
    out.push_back(static_cast<char>(run - 1));
  }
}
char ValByte(int value, int run) {
  return static_cast<char>(0x80 | ((value - 1) << 2) | (run - 1));
}

// The 16384 registers of a value, one a byte. False when the sparse runs do
// not cover exactly 16384 registers.
bool Registers(const std::string& s, std::vector<uint8_t>* regs, uint8_t past_end = 0) {
  regs->assign(kRegisters, 0);
  if (!IsSparse(s)) {
    for (int i = 0; i < kRegisters; i++) (*regs)[i] = static_cast<uint8_t>(DenseGet(s, i));
    return true;
  }
  int64_t idx = 0;
  for (size_t at = kHeader; at < s.size();) {
    Op op = ReadOp(s, at, past_end);
    at += op.size;
    if (idx + op.run > kRegisters) return false;
    for (int j = 0; j < op.run; j++) (*regs)[idx + j] = static_cast<uint8_t>(op.value);
    idx += op.run;
  }
  return idx == kRegisters;
}

// The sparse value made dense: the header kept (encoding 0), the registers
// written out. False (nothing changed) when the value is invalid.
bool ToDense(std::string& s, uint8_t past_end) {
  if (!IsSparse(s)) return true;
  std::vector<uint8_t> regs;
  if (!Registers(s, &regs, past_end)) return false;
  std::string dense = s.substr(0, kHeader);
  dense[4] = 0;
  dense.resize(kDenseSize, '\0');
  for (int i = 0; i < kRegisters; i++) {
    if (regs[i] != 0) DensePut(dense, i, regs[i]);
  }
  s = std::move(dense);
  return true;
}

// Register `index` raised to `count` in a dense value: 1 if it grew.
int DenseSet(std::string& s, int index, int count) {
  if (DenseGet(s, index) >= count) return 0;
  DensePut(s, index, count);
  return 1;
}

// Register `index` raised to `count` in a sparse value, as the server's
// incremental update does it: the run holding the register is rewritten in
// place (a run of one), or split into up to three opcodes; then adjacent VALs
// of one value are joined (up to 4 registers), looking at up to 5 opcodes
// from the one before the rewritten run. A value above 32, or a split that
// would make the value longer than hll-sparse-max-bytes, makes it dense
// first. 1: changed; 0: the register was already as high; -1: invalid.
// *past_end is the byte after the value (see ReadOp), kept for the rest of
// the command: a split writes it when the opcode split was an XZERO cut
// short by the end (its sequence's last byte lands there), else sets it to
// the terminating zero, as a join does.
int SparseSet(State& st, std::string& s, int index, int count, uint8_t* past_end) {
  if (count > kSparseMaxValue) {
    if (!ToDense(s, *past_end)) return -1;
    return DenseSet(s, index, count);
  }
  // The run holding the register.
  size_t at = kHeader;
  size_t prev = 0;
  bool has_prev = false;
  int64_t first = 0;
  Op op{Op::kZero, 0, 0, 1};
  while (at < s.size()) {
    op = ReadOp(s, at, *past_end);
    if (index <= first + op.run - 1) break;
    prev = at;
    has_prev = true;
    at += op.size;
    first += op.run;
  }
  if (op.run == 0 || at >= s.size()) return -1;
  const size_t next = at + op.size;
  const bool has_next = next < s.size();

  bool done = false;
  if (op.kind == Op::kVal) {
    if (op.value >= count) return 0;
    if (op.run == 1) {
      s[at] = ValByte(count, 1);
      done = true;
    }
  } else if (op.kind == Op::kZero && op.run == 1) {
    s[at] = ValByte(count, 1);
    done = true;
  }
  if (!done) {
    const int64_t last = first + op.run - 1;
    std::string seq;
    if (op.kind == Op::kVal) {
      if (index != first) seq.push_back(ValByte(op.value, static_cast<int>(index - first)));
      seq.push_back(ValByte(count, 1));
      if (index != last) seq.push_back(ValByte(op.value, static_cast<int>(last - index)));
    } else {
      if (index != first) PutZeros(seq, static_cast<int>(index - first));
      seq.push_back(ValByte(count, 1));
      if (index != last) PutZeros(seq, static_cast<int>(last - index));
    }
    const int64_t delta = static_cast<int64_t>(seq.size()) - static_cast<int64_t>(op.size);
    const int64_t new_len = static_cast<int64_t>(s.size()) + delta;
    if (delta > 0 && new_len > st.config.hll_sparse_max_bytes) {
      if (!ToDense(s, *past_end)) return -1;
      return DenseSet(s, index, count);
    }
    // What follows the run moves; an XZERO cut short by the end of the
    // value leaves the new length one short of the sequence written.
    std::string rebuilt = s.substr(0, at) + seq + (has_next ? s.substr(next) : std::string());
    *past_end = rebuilt.size() > static_cast<size_t>(new_len) ? ByteAt(rebuilt, new_len) : 0;
    rebuilt.resize(static_cast<size_t>(new_len));
    s = std::move(rebuilt);
  }
  // Join adjacent VALs of one value.
  size_t p = has_prev ? prev : kHeader;
  int scan = 5;
  while (p < s.size() && scan-- > 0) {
    Op cur = ReadOp(s, p, *past_end);
    if (cur.kind != Op::kVal) {
      p += cur.size;
      continue;
    }
    if (p + 1 < s.size() && (ByteAt(s, p + 1) & 0x80)) {
      Op nxt = ReadOp(s, p + 1, *past_end);
      if (nxt.value == cur.value && cur.run + nxt.run <= 4) {
        s[p + 1] = ValByte(cur.value, cur.run + nxt.run);
        s.erase(p, 1);
        *past_end = 0;
        continue;
      }
    }
    p++;
  }
  InvalidateCache(s);
  return 1;
}

int HllAdd(State& st, std::string& s, const std::string& element, uint8_t* past_end) {
  int index, count;
  RegisterOf(element, &index, &count);
  if (IsSparse(s)) return SparseSet(st, s, index, count, past_end);
  return DenseSet(s, index, count);
}

// Ertl's estimator ("New cardinality estimation algorithms for HyperLogLog
// sketches", arXiv:1702.01284) over the histogram of register values.
double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double y = 1;
  double z = x;
  double before;
  do {
    x *= x;
    before = z;
    z += x * y;
    y += y;
  } while (before != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double y = 1.0;
  double z = 1 - x;
  double before;
  do {
    x = std::sqrt(x);
    before = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (before != z);
  return z / 3;
}

uint64_t Estimate(const std::vector<uint8_t>& regs) {
  int histo[64] = {0};
  for (uint8_t r : regs) histo[r & 63]++;
  const double m = kRegisters;
  double z = m * Tau((m - histo[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * Sigma(histo[0] / m);
  const double alpha_inf = 0.721347520444481703680;  // 1 / (2 ln 2)
  return static_cast<uint64_t>(llroundl(alpha_inf * m * m / z));
}

// isHLLObjectOrReply: a string with the header, a known encoding, and a dense
// value's exact length. On failure *err holds the reply.
bool IsHll(Ctx& c, const Object& o, Value* err) {
  if (o.kind != Kind::kString) {
    *err = c.WrongType();
    return false;
  }
  const std::string& s = o.str;
  if (s.size() < kHeader || s.compare(0, 4, "HYLL") != 0 || ByteAt(s, 4) > 1 ||
      (ByteAt(s, 4) == 0 && s.size() != kDenseSize)) {
    *err = c.Err(kNotHll);
    return false;
  }
  return true;
}

// A new empty HLL: sparse, one XZERO of 16384, a raw string.
Object NewHll() {
  Object o;
  o.kind = Kind::kString;
  o.str = std::string("HYLL\x01", 5) + std::string(11, '\0') + "\x7f\xff";
  o.str_made = 2;
  return o;
}

Value PfAdd(Ctx& c) {
  const std::string& key = c.argv[1];
  Object* o = LookupKey(c.st, c.db(), key);
  int updated = 0;
  if (o == nullptr) {
    o = &DbAdd(c.st, c.db(), key, NewHll());
    updated++;
  } else {
    Value err;
    if (!IsHll(c, *o, &err)) return err;
    o->str_made = 2;  // dbUnshareStringValue
  }
  uint8_t past_end = 0;
  for (size_t j = 2; j < c.argc(); j++) {
    int r = HllAdd(c.st, o->str, c.argv[j], &past_end);
    if (r < 0) return c.Err(kInvalid);
    updated += r;
  }
  if (updated) {
    InvalidateCache(o->str);
    SignalModifiedKey(c.st, c.db(), key);
    c.Notify(kNotifyString, "pfadd", key);
  }
  return c.Int(updated ? 1 : 0);
}

Value PfCount(Ctx& c) {
  if (c.argc() > 2) {
    // Merged into one set of registers, nothing written.
    std::vector<uint8_t> max(kRegisters, 0), regs;
    for (size_t j = 1; j < c.argc(); j++) {
      Object* o = LookupKey(c.st, c.db(), c.argv[j]);
      if (o == nullptr) continue;
      Value err;
      if (!IsHll(c, *o, &err)) return err;
      if (!Registers(o->str, &regs)) return c.Err(kInvalid);
      for (int i = 0; i < kRegisters; i++) max[i] = std::max(max[i], regs[i]);
    }
    return c.Int(static_cast<int64_t>(Estimate(max)));
  }
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) return c.Int(0);
  Value err;
  if (!IsHll(c, *o, &err)) return err;
  o->str_made = 2;  // dbUnshareStringValue
  std::string& s = o->str;
  uint64_t card = 0;
  if ((ByteAt(s, 15) & 0x80) == 0) {
    for (int b = 7; b >= 0; b--) card = (card << 8) | ByteAt(s, 8 + b);
  } else {
    std::vector<uint8_t> regs;
    if (!Registers(s, &regs)) return c.Err(kInvalid);
    card = Estimate(regs);
    for (int b = 0; b < 8; b++) s[8 + b] = static_cast<char>((card >> (8 * b)) & 0xff);
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
  }
  return c.Int(static_cast<int64_t>(card));
}

Value PfMerge(Ctx& c) {
  std::vector<uint8_t> max(kRegisters, 0), regs;
  bool use_dense = false;
  // The destination is a source too.
  for (size_t j = 1; j < c.argc(); j++) {
    Object* o = LookupKey(c.st, c.db(), c.argv[j]);
    if (o == nullptr) continue;
    Value err;
    if (!IsHll(c, *o, &err)) return err;
    if (!IsSparse(o->str)) use_dense = true;
    if (!Registers(o->str, &regs)) return c.Err(kInvalid);
    for (int i = 0; i < kRegisters; i++) max[i] = std::max(max[i], regs[i]);
  }
  const std::string& key = c.argv[1];
  Object* o = LookupKey(c.st, c.db(), key);
  if (o == nullptr) {
    o = &DbAdd(c.st, c.db(), key, NewHll());
  } else {
    o->str_made = 2;  // dbUnshareStringValue
  }
  uint8_t past_end = 0;
  if (use_dense && !ToDense(o->str, past_end)) return c.Err(kInvalid);
  // Register by register, in order, as PFADD would set them.
  for (int i = 0; i < kRegisters; i++) {
    if (max[i] == 0) continue;
    if (IsSparse(o->str)) {
      SparseSet(c.st, o->str, i, max[i], &past_end);
    } else {
      DenseSet(o->str, i, max[i]);
    }
  }
  InvalidateCache(o->str);
  SignalModifiedKey(c.st, c.db(), key);
  c.Notify(kNotifyString, "pfadd", key);
  return c.Ok();
}

// PFDEBUG GETREG | DECODE | ENCODING | TODENSE key (arity 3, exactly:
// redis-server 7.0.15 refuses a fourth argument with the command's arity
// error). The key is looked up for writing first, then checked as an HLL,
// then the subcommand is read (an unknown one on a missing key is "does not
// exist"). GETREG and TODENSE make a sparse value dense (a change that
// signals nothing: WATCH stays clean); DECODE lists a sparse value's
// opcodes as "z:run" (ZERO), "Z:run" (XZERO) and "v:value,run" (VAL),
// separated by spaces; an XZERO cut short at the end reads the string's
// terminating zero as its second byte.
Value PfDebug(Ctx& c) {
  Object* o = LookupKey(c.st, c.db(), c.argv[2]);
  if (o == nullptr) return c.Err("The specified key does not exist");
  Value err;
  if (!IsHll(c, *o, &err)) return err;
  o->str_made = 2;  // dbUnshareStringValue
  std::string& s = o->str;
  const std::string& sub = c.argv[1];
  if (EqualsIgnoreCase(sub, "getreg")) {
    if (!ToDense(s, 0)) return c.Err(kInvalid);
    std::vector<Value> regs;
    regs.reserve(kRegisters);
    for (int i = 0; i < kRegisters; i++) regs.push_back(c.Int(DenseGet(s, i)));
    return c.Array(std::move(regs));
  }
  if (EqualsIgnoreCase(sub, "decode")) {
    if (!IsSparse(s)) return c.Err("HLL encoding is not sparse");
    std::string text;
    for (size_t at = kHeader; at < s.size();) {
      const Op op = ReadOp(s, at, 0);
      at += op.size;
      if (!text.empty()) text += ' ';
      if (op.kind == Op::kZero) {
        text += "z:" + std::to_string(op.run);
      } else if (op.kind == Op::kXZero) {
        text += "Z:" + std::to_string(op.run);
      } else {
        text += "v:" + std::to_string(op.value) + "," + std::to_string(op.run);
      }
    }
    return c.Bulk(text);
  }
  if (EqualsIgnoreCase(sub, "encoding")) return Value::Simple(IsSparse(s) ? "sparse" : "dense");
  if (EqualsIgnoreCase(sub, "todense")) {
    const bool sparse = IsSparse(s);
    if (!ToDense(s, 0)) return c.Err(kInvalid);
    return c.Int(sparse ? 1 : 0);
  }
  return c.Err(SanitizeErrorText("Unknown PFDEBUG subcommand '" + CString(sub) + "'"));
}

}  // namespace

std::vector<CommandSpec> HllCommands() {
  return {{"pfadd", -2, PfAdd},
          {"pfcount", -2, PfCount},
          {"pfmerge", -2, PfMerge},
          {"pfdebug", 3, PfDebug}};
}

}  // namespace respfuzz::models::refmodel
