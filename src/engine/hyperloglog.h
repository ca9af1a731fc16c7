// HyperLogLog values as Redis 7.0.15 stores them in strings (PFADD, PFCOUNT,
// PFMERGE, PFDEBUG; cmd_hll.cc), written here from the documented format:
//
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 zero bytes | cached cardinality
//   (8 bytes little endian; bit 7 of the last byte set: the cache is invalid)
//   | registers
//
// 16384 registers (P = 14) of 6 bits. Dense: the registers packed LSB first,
// 12288 bytes. Sparse: a run-length code of opcodes, ZERO (00xxxxxx: 1..64
// zero registers), XZERO (01xxxxxx yyyyyyyy: 1..16384 zero registers) and VAL
// (1vvvvvxx: 1..4 registers of value 1..32). An element's register and count
// come from MurmurHash64A (seed 0xadc83b19): the low 14 bits pick the
// register, the count is 1 + the number of zero bits above them. The
// estimator is Ertl's (arXiv:1702.01284), as 7.0.15's hllCount.
//
// The functions work on the stored bytes the way the server's do, corrupted
// values included (same results, same errors, same bytes written), and never
// read or write outside the value. The server is Debian's 7.0.15, which
// carries the CVE-2025-32023 fix: reading a sparse code (to dense, merging,
// counting) fails at the first opcode that runs past register 16383, where
// upstream 7.0.15 checked VAL opcodes only.
#ifndef RESPFUZZ_ENGINE_HYPERLOGLOG_H_
#define RESPFUZZ_ENGINE_HYPERLOGLOG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace respfuzz::engine::hll {

inline constexpr int kP = 14;
inline constexpr int kQ = 64 - kP;
inline constexpr int kRegisters = 1 << kP;  // 16384
inline constexpr int kBits = 6;
inline constexpr int kRegisterMax = (1 << kBits) - 1;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * kBits + 7) / 8;  // 12304
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;
inline constexpr int kSparseValMaxValue = 32;
inline constexpr int kSparseValMaxLen = 4;
inline constexpr int kSparseZeroMaxLen = 64;
inline constexpr int kSparseXZeroMaxLen = 16384;
// hll-sparse-max-bytes's default (CONFIG SET bounds it to 0..LONG_MAX).
inline constexpr int64_t kDefaultSparseMaxBytes = 3000;

inline constexpr std::string_view kErrInvalidObj = "INVALIDOBJ Corrupted HLL object detected";
inline constexpr std::string_view kErrNotHll =
    "WRONGTYPE Key is not a valid HyperLogLog string value.";

// MurmurHash2, 64-bit version (little endian reading, as Redis's is
// endian-neutral).
uint64_t MurmurHash64A(std::string_view data, uint32_t seed);
// hllPatLen: the register of `ele` in *reg, returns its count (1..51).
int PatLen(std::string_view ele, long* reg);

// createHLLObject: an empty sparse HLL (XZERO:16384), 18 bytes.
std::string CreateSparse();
// isHLLObjectOrReply's checks on a string: at least 16 bytes, the magic,
// an encoding of 0 or 1, and a dense value exactly kDenseSize bytes.
bool LooksLikeHll(std::string_view v);
inline uint8_t Encoding(std::string_view v) { return static_cast<uint8_t>(v[4]); }
inline bool CacheValid(std::string_view v) { return (static_cast<uint8_t>(v[15]) & 0x80) == 0; }
inline void InvalidateCache(std::string& v) { v[15] = static_cast<char>(v[15] | 0x80); }
uint64_t CachedCard(std::string_view v);
void SetCachedCard(std::string& v, uint64_t card);

// Dense register access (the value must be dense and kDenseSize long).
int DenseGet(std::string_view v, int reg);
void DenseSet(std::string& v, int reg, int val);

// hllSparseToDense: false (value untouched) when the sparse code does not
// cover exactly 16384 registers. A dense value is left as it is.
bool SparseToDense(std::string& v);
// hllAdd: 1 when a register changed, 0 when not, -1 on a corrupted value
// (which may have been changed by then, as the server's is). A sparse value
// becomes dense when a count exceeds 32 or it would grow past
// `sparse_max_bytes`.
//
// `tail` is the byte the server keeps after the value's last byte (its
// string's terminator, 0 to begin with). A split of an XZERO opcode cut
// short at the value's end writes its last byte there, and the next add
// reads it back, so a command passes the same `tail` to each add it makes.
// (Across commands it is not kept: the engine's strings end in a 0.)
int Add(std::string& v, std::string_view ele, int64_t sparse_max_bytes, uint8_t* tail);
// hllSparseSet / hllDenseSet of one register (PFMERGE's destination).
int SparseSet(std::string& v, long index, int count, int64_t sparse_max_bytes, uint8_t* tail);
int DenseSetMax(std::string& v, long index, int count);

// hllMerge: max[i] = max(max[i], register i); false on a corrupted sparse
// value (max may be partly updated).
bool Merge(uint8_t max[kRegisters], std::string_view v);
// hllCount of a dense or sparse value; *invalid set (when given) for a
// sparse code that does not cover 16384 registers.
uint64_t Count(std::string_view v, bool* invalid);
// hllCount of raw 8-bit registers (PFCOUNT of several keys).
uint64_t CountRaw(const uint8_t regs[kRegisters]);

// PFDEBUG DECODE's text of a sparse value ("z:n", "Z:n", "v:val,len").
std::string DecodeSparse(std::string_view v);

// PFSELFTEST: "" when it passes, else the error reply's text. `rand` stands
// for libc's rand() (any values pass the test).
std::string SelfTest(int64_t sparse_max_bytes, const std::function<uint32_t()>& rand);

}  // namespace respfuzz::engine::hll

#endif  // RESPFUZZ_ENGINE_HYPERLOGLOG_H_
