#include "src/engine/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace respfuzz::engine::hll {

namespace {

// The sparse opcodes.
bool IsZero(uint8_t b) { return (b & 0xc0) == 0; }
bool IsXZero(uint8_t b) { return (b & 0xc0) == 0x40; }
bool IsVal(uint8_t b) { return (b & 0x80) != 0; }
int ZeroLen(uint8_t b) { return (b & 0x3f) + 1; }
int XZeroLen(uint8_t b0, uint8_t b1) { return (((b0 & 0x3f) << 8) | b1) + 1; }
int ValValue(uint8_t b) { return ((b >> 2) & 0x1f) + 1; }
int ValLen(uint8_t b) { return (b & 0x3) + 1; }
uint8_t ValByte(int val, int len) {
  return static_cast<uint8_t>((((val - 1) << 2) | (len - 1)) | 0x80);
}
uint8_t ZeroByte(int len) { return static_cast<uint8_t>(len - 1); }
void XZeroBytes(uint8_t* p, int len) {
  const int l = len - 1;
  p[0] = static_cast<uint8_t>((l >> 8) | 0x40);
  p[1] = static_cast<uint8_t>(l & 0xff);
}

// A byte of the value, or the string's terminating NUL past its end (the
// server reads an XZERO's second byte there when the value ends after its
// first).
uint8_t ByteAt(std::string_view v, size_t i) {
  return i < v.size() ? static_cast<uint8_t>(v[i]) : 0;
}

// The registers covered by the sparse opcode at p and its length in bytes.
void Opcode(std::string_view v, size_t p, int64_t* runlen, size_t* oplen) {
  const uint8_t b = ByteAt(v, p);
  if (IsZero(b)) {
    *runlen = ZeroLen(b);
    *oplen = 1;
  } else if (IsXZero(b)) {
    *runlen = XZeroLen(b, ByteAt(v, p + 1));
    *oplen = 2;
  } else {
    *runlen = ValLen(b);
    *oplen = 1;
  }
}

// Ertl's sigma and tau (arXiv:1702.01284), as hllSigma / hllTau.
double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prime;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prime = z;
    z += x * y;
    y += y;
  } while (z_prime != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prime;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prime = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prime != z);
  return z / 3;
}

constexpr double kAlphaInf = 0.721347520444481703680;  // 0.5 / ln(2)

uint64_t Estimate(const int64_t reghisto[64]) {
  const double m = kRegisters;
  double z = m * Tau((m - static_cast<double>(reghisto[kQ + 1])) / m);
  for (int j = kQ; j >= 1; --j) {
    z += static_cast<double>(reghisto[j]);
    z *= 0.5;
  }
  z += m * Sigma(static_cast<double>(reghisto[0]) / m);
  // Redis keeps llroundl's result in a double and casts that to uint64_t.
  // Out of range (z near 0) llroundl gives LLONG_MIN, whose double x86-64
  // converts to 2^63: the same as the integer conversion here, which, unlike
  // the double's, is defined behaviour.
  return static_cast<uint64_t>(std::llroundl(kAlphaInf * m * m / z));
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint32_t seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  const uint64_t len = data.size();
  uint64_t h = seed ^ (len * m);
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const size_t blocks = data.size() / 8;
  for (size_t i = 0; i < blocks; ++i, p += 8) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; --b) k = (k << 8) | p[b];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t tail = data.size() & 7;
  if (tail != 0) {
    for (size_t b = tail; b-- > 0;) h ^= static_cast<uint64_t>(p[b]) << (8 * b);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

int PatLen(std::string_view ele, long* reg) {
  uint64_t hash = MurmurHash64A(ele, 0xadc83b19U);
  const uint64_t index = hash & (kRegisters - 1);
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // the count is at most Q + 1
  uint64_t bit = 1;
  int count = 1;
  while ((hash & bit) == 0) {
    ++count;
    bit <<= 1;
  }
  *reg = static_cast<long>(index);
  return count;
}

std::string CreateSparse() {
  std::string v(kHeaderSize + 2, '\0');
  std::memcpy(v.data(), "HYLL", 4);
  v[4] = static_cast<char>(kSparse);
  XZeroBytes(reinterpret_cast<uint8_t*>(v.data()) + kHeaderSize, kRegisters);
  return v;
}

bool LooksLikeHll(std::string_view v) {
  if (v.size() < kHeaderSize) return false;
  if (v.substr(0, 4) != "HYLL") return false;
  if (Encoding(v) > kSparse) return false;
  if (Encoding(v) == kDense && v.size() != kDenseSize) return false;
  return true;
}

uint64_t CachedCard(std::string_view v) {
  uint64_t card = 0;
  for (int i = 7; i >= 0; --i) card = (card << 8) | static_cast<uint8_t>(v[8 + i]);
  return card;
}

void SetCachedCard(std::string& v, uint64_t card) {
  for (int i = 0; i < 8; ++i) v[8 + i] = static_cast<char>((card >> (8 * i)) & 0xff);
}

int DenseGet(std::string_view v, int reg) {
  const size_t byte = kHeaderSize + static_cast<size_t>(reg) * kBits / 8;
  const unsigned fb = static_cast<unsigned>(reg * kBits) & 7;
  const unsigned long b0 = ByteAt(v, byte);
  const unsigned long b1 = ByteAt(v, byte + 1);
  return static_cast<int>(((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax);
}

void DenseSet(std::string& v, int reg, int val) {
  const size_t byte = kHeaderSize + static_cast<size_t>(reg) * kBits / 8;
  const unsigned fb = static_cast<unsigned>(reg * kBits) & 7;
  const unsigned fb8 = 8 - fb;
  const unsigned long uv = static_cast<unsigned long>(val);
  auto* p = reinterpret_cast<uint8_t*>(v.data());
  p[byte] = static_cast<uint8_t>(p[byte] & ~(static_cast<unsigned long>(kRegisterMax) << fb));
  p[byte] = static_cast<uint8_t>(p[byte] | (uv << fb));
  // The last register's second byte is the string's terminator, which the
  // server's write leaves 0.
  if (byte + 1 < v.size()) {
    p[byte + 1] =
        static_cast<uint8_t>(p[byte + 1] & ~(static_cast<unsigned long>(kRegisterMax) >> fb8));
    p[byte + 1] = static_cast<uint8_t>(p[byte + 1] | (uv >> fb8));
  }
}

int DenseSetMax(std::string& v, long index, int count) {
  const int old = DenseGet(v, static_cast<int>(index));
  if (count > old) {
    DenseSet(v, static_cast<int>(index), count);
    return 1;
  }
  return 0;
}

bool SparseToDense(std::string& v) {
  if (Encoding(v) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), v.data(), kHeaderSize);  // magic and cached cardinality
  dense[4] = static_cast<char>(kDense);
  int64_t idx = 0;
  size_t p = kHeaderSize;
  while (p < v.size()) {
    const uint8_t b = static_cast<uint8_t>(v[p]);
    int64_t runlen;
    size_t oplen;
    Opcode(v, p, &runlen, &oplen);
    // Every opcode is checked against the end of the registers (Debian's
    // 7.0.15 carries the CVE-2025-32023 fix; upstream's checked VAL only).
    if (runlen + idx > kRegisters) return false;
    if (IsVal(b)) {
      const int regval = ValValue(b);
      while (runlen-- > 0) DenseSet(dense, static_cast<int>(idx++), regval);
    } else {
      idx += runlen;
    }
    p += oplen;
  }
  if (idx != kRegisters) return false;
  v = std::move(dense);
  return true;
}

int SparseSet(std::string& v, long index, int count, int64_t sparse_max_bytes, uint8_t* tail) {
  if (count <= kSparseValMaxValue) {
    // The server makes room for 3 more bytes first (the worst split, XZERO
    // into XZERO VAL XZERO) and keeps a NUL after the last byte: the work
    // buffer has both, and the value is cut back to its length at the end.
    size_t len = v.size();
    v.resize(len + 4, '\0');
    auto* b = reinterpret_cast<uint8_t*>(v.data());
    b[len] = *tail;
    // Back to the value's length, the byte after it kept in *tail.
    auto done = [&](size_t n) {
      *tail = b[n];
      v.resize(n);
    };
    const size_t sparse = kHeaderSize;
    size_t end = len;

    // Step 1: the opcode covering `index`.
    size_t p = sparse;
    int64_t first = 0, span = 0;
    bool has_prev = false;
    size_t prev = 0;
    while (p < end) {
      size_t oplen = 1;
      if (IsZero(b[p])) {
        span = ZeroLen(b[p]);
      } else if (IsVal(b[p])) {
        span = ValLen(b[p]);
      } else {
        span = XZeroLen(b[p], b[p + 1]);
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      has_prev = true;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span == 0 || p >= end) {
      done(len);
      return -1;  // invalid
    }
    const size_t next = IsXZero(b[p]) ? p + 2 : p + 1;
    const bool has_next = next < end;
    const bool is_zero = IsZero(b[p]), is_xzero = IsXZero(b[p]), is_val = IsVal(b[p]);
    const int64_t runlen = is_zero    ? ZeroLen(b[p])
                           : is_xzero ? XZeroLen(b[p], b[p + 1])
                                      : ValLen(b[p]);

    bool updated = false;
    if (is_val) {
      const int oldcount = ValValue(b[p]);
      if (oldcount >= count) {
        done(len);
        return 0;
      }
      if (runlen == 1) {
        b[p] = ValByte(count, 1);
        updated = true;
      }
    }
    if (!updated && is_zero && runlen == 1) {
      b[p] = ValByte(count, 1);
      updated = true;
    }
    bool promote = false;
    if (!updated) {
      // Split the opcode into up to three: before, ours, after.
      uint8_t seq[5];
      size_t n = 0;
      const int64_t last = first + span - 1;
      if (is_zero || is_xzero) {
        auto zeros = [&](int64_t run) {
          if (run > kSparseZeroMaxLen) {
            XZeroBytes(seq + n, static_cast<int>(run));
            n += 2;
          } else {
            seq[n++] = ZeroByte(static_cast<int>(run));
          }
        };
        if (index != first) zeros(index - first);
        seq[n++] = ValByte(count, 1);
        if (index != last) zeros(last - index);
      } else {
        const int curval = ValValue(b[p]);
        if (index != first) seq[n++] = ValByte(curval, static_cast<int>(index - first));
        seq[n++] = ValByte(count, 1);
        if (index != last) seq[n++] = ValByte(curval, static_cast<int>(last - index));
      }
      // Step 3: put the sequence in place of the opcode.
      const int64_t seqlen = static_cast<int64_t>(n);
      const int64_t oldlen = is_xzero ? 2 : 1;
      const int64_t delta = seqlen - oldlen;
      if (delta > 0 && static_cast<int64_t>(len) + delta > sparse_max_bytes) {
        promote = true;
      } else {
        if (delta != 0 && has_next) {
          std::memmove(b + next + delta, b + next, end - next);
        }
        len = static_cast<size_t>(static_cast<int64_t>(len) + delta);
        b[len] = 0;  // sdsIncrLen
        std::memcpy(b + p, seq, n);
        end = static_cast<size_t>(static_cast<int64_t>(end) + delta);
      }
    }
    if (!promote) {
      // Step 4: merge adjacent VAL opcodes of the same value, scanning up to
      // 5 opcodes from the previous one.
      p = has_prev ? prev : sparse;
      int scanlen = 5;
      while (p < end && scanlen-- != 0) {
        if (IsXZero(b[p])) {
          p += 2;
          continue;
        }
        if (IsZero(b[p])) {
          ++p;
          continue;
        }
        if (p + 1 < end && IsVal(b[p + 1])) {
          const int v1 = ValValue(b[p]);
          const int v2 = ValValue(b[p + 1]);
          if (v1 == v2) {
            const int merged = ValLen(b[p]) + ValLen(b[p + 1]);
            if (merged <= kSparseValMaxLen) {
              b[p + 1] = ValByte(v1, merged);
              std::memmove(b + p, b + p + 1, end - p);
              --len;
              --end;
              b[len] = 0;  // sdsIncrLen
              continue;
            }
          }
        }
        ++p;
      }
      done(len);
      InvalidateCache(v);
      return 1;
    }
    done(len);
  }
  // Promote to dense: the register is then set (it must change: a sparse
  // register is at most 32, and the split was for a larger count).
  if (!SparseToDense(v)) return -1;
  return DenseSetMax(v, index, count);
}

int Add(std::string& v, std::string_view ele, int64_t sparse_max_bytes, uint8_t* tail) {
  long index;
  const int count = PatLen(ele, &index);
  switch (Encoding(v)) {
    case kDense:
      return DenseSetMax(v, index, count);
    case kSparse:
      return SparseSet(v, index, count, sparse_max_bytes, tail);
    default:
      return -1;
  }
}

bool Merge(uint8_t max[kRegisters], std::string_view v) {
  if (Encoding(v) == kDense) {
    for (int i = 0; i < kRegisters; ++i) {
      const int val = DenseGet(v, i);
      if (val > max[i]) max[i] = static_cast<uint8_t>(val);
    }
    return true;
  }
  int64_t i = 0;
  size_t p = kHeaderSize;
  while (p < v.size()) {
    const uint8_t b = static_cast<uint8_t>(v[p]);
    int64_t runlen;
    size_t oplen;
    Opcode(v, p, &runlen, &oplen);
    if (runlen + i > kRegisters) return false;  // overflow (every opcode: CVE-2025-32023)
    if (IsVal(b)) {
      const int regval = ValValue(b);
      while (runlen-- > 0) {
        if (regval > max[i]) max[i] = static_cast<uint8_t>(regval);
        ++i;
      }
    } else {
      i += runlen;
    }
    p += oplen;
  }
  return i == kRegisters;
}

uint64_t Count(std::string_view v, bool* invalid) {
  int64_t reghisto[64] = {0};
  if (Encoding(v) == kDense) {
    for (int j = 0; j < kRegisters; ++j) ++reghisto[DenseGet(v, j)];
  } else {
    int64_t idx = 0;
    size_t p = kHeaderSize;
    while (p < v.size()) {
      const uint8_t b = static_cast<uint8_t>(v[p]);
      int64_t runlen;
      size_t oplen;
      Opcode(v, p, &runlen, &oplen);
      if (runlen + idx > kRegisters) {
        idx = -1;  // overflow (every opcode: CVE-2025-32023)
        break;
      }
      idx += runlen;
      reghisto[IsVal(b) ? ValValue(b) : 0] += runlen;
      p += oplen;
    }
    if (idx != kRegisters) {
      // The server computes a number from it and throws it away (PFCOUNT
      // replies the error); nothing here depends on it.
      if (invalid != nullptr) *invalid = true;
      return 0;
    }
  }
  return Estimate(reghisto);
}

uint64_t CountRaw(const uint8_t regs[kRegisters]) {
  int64_t reghisto[64] = {0};
  for (int j = 0; j < kRegisters; ++j) ++reghisto[regs[j] & 63];
  return Estimate(reghisto);
}

std::string DecodeSparse(std::string_view v) {
  std::string out;
  size_t p = kHeaderSize;
  while (p < v.size()) {
    const uint8_t b = static_cast<uint8_t>(v[p]);
    int64_t runlen;
    size_t oplen;
    Opcode(v, p, &runlen, &oplen);
    if (IsZero(b)) {
      out += "z:" + std::to_string(runlen) + " ";
    } else if (IsXZero(b)) {
      out += "Z:" + std::to_string(runlen) + " ";
    } else {
      out += "v:" + std::to_string(ValValue(b)) + "," + std::to_string(runlen) + " ";
    }
    p += oplen;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();  // sdstrim
  return out;
}

std::string SelfTest(int64_t sparse_max_bytes, const std::function<uint32_t()>& rand) {
  // Test 1: registers keep what is written to them and leave their
  // neighbours alone.
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), "HYLL", 4);
  std::vector<uint8_t> bytecounters(kRegisters);
  for (int cycle = 0; cycle < 1000; ++cycle) {
    for (int i = 0; i < kRegisters; ++i) {
      const int r = static_cast<int>(rand() & kRegisterMax);
      bytecounters[i] = static_cast<uint8_t>(r);
      DenseSet(dense, i, r);
    }
    for (int i = 0; i < kRegisters; ++i) {
      const int val = DenseGet(dense, i);
      if (val != bytecounters[i]) {
        return "TESTFAILED Register " + std::to_string(i) + " should be " +
               std::to_string(bytecounters[i]) + " but is " + std::to_string(val);
      }
    }
  }
  // Test 2: the estimate stays within 6 standard errors (1 at 10) at each
  // power of ten up to 10^7, and sparse and dense agree.
  std::memset(dense.data() + kHeaderSize, 0, kDenseSize - kHeaderSize);
  std::string sparse = CreateSparse();
  uint8_t tail = 0;
  const double relerr = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  int64_t checkpoint = 1;
  const uint64_t lo = rand();
  const uint64_t seed = lo | (static_cast<uint64_t>(rand()) << 32);
  for (uint64_t j = 1; j <= 10000000; ++j) {
    const uint64_t ele = j ^ seed;
    char bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = static_cast<char>((ele >> (8 * b)) & 0xff);
    const std::string_view e(bytes, 8);
    long index;
    const int count = PatLen(e, &index);
    DenseSetMax(dense, index, count);
    Add(sparse, e, sparse_max_bytes, &tail);
    if (static_cast<int64_t>(j) != checkpoint) continue;
    if (static_cast<int64_t>(j) < sparse_max_bytes / 2 && Encoding(sparse) != kSparse) {
      return "TESTFAILED sparse encoding not used";
    }
    if (Count(dense, nullptr) != Count(sparse, nullptr)) return "TESTFAILED dense/sparse disagree";
    int64_t abserr = checkpoint - static_cast<int64_t>(Count(dense, nullptr));
    uint64_t maxerr =
        static_cast<uint64_t>(std::ceil(relerr * 6 * static_cast<double>(checkpoint)));
    if (j == 10) maxerr = 1;
    if (abserr < 0) abserr = -abserr;
    if (abserr > static_cast<int64_t>(maxerr)) {
      return "TESTFAILED Too big error. card:" + std::to_string(checkpoint) +
             " abserr:" + std::to_string(abserr);
    }
    checkpoint *= 10;
  }
  return "";
}

}  // namespace respfuzz::engine::hll
