// The resp_hiredis12_diff harness: raw RESP2 and RESP3 reply bytes through our
// reader (RESP3 mode, which reads every RESP2 reply too) and through hiredis
// 1.2.0's redisReader (respfuzz_hiredis12, instrumented in the fuzz preset),
// compared value by value.
//
// Input layout: [3 chunk-plan bytes][payload]
//   The plan (harnesses/common/chunking.h) cuts the payload into the feeds
//   both readers get, each (byte % 64) + 1 bytes, cycled.
// hiredis runs with its real defaults (redisReaderCreate: maxelements 2^32-1,
// maxbuf 16 KiB) and a budget on the pointer arrays it callocs (see
// hiredis12_parser.h); our reader with Hiredis12DiffLimits().
//
// Oracle: both accept, or both reject with the error certain at the same byte
// (the last byte of the shortest rejected prefix: Hiredis12CertainAt()), and
// the values both produced are equal trees, in order, with nulls folded to one
// nil. A disagreement is Ok only when an entry of the divergence table
// (Hiredis12Divergences()) explains its first point; nothing after that point
// is compared. hiredis's budget refusal ends the comparison there, as a skip,
// once the values before it are equal.
#ifndef RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_CHECKS_H_
#define RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "harnesses/common/chunking.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/common/verdict.h"
#include "src/resp/reader.h"
#include "src/resp/reply.h"

namespace respfuzz::harnesses {

// Payloads longer than this are not compared (Ok).
inline constexpr size_t kHiredis12DiffMaxPayload = 16 * 1024;
// Our reader's limits here: the defaults (512 MiB bulks, INT_MAX elements,
// 64 KiB lines: a line never reaches it in a 16 KiB payload) and the depth
// ceiling, 4096, which a 16 KiB payload cannot pass (an aggregate header
// takes 4 bytes): hiredis 1.2.0 has no depth limit.
resp::ReaderLimits Hiredis12DiffLimits();

struct Hiredis12DiffCase {
  ChunkPlan plan;
  std::string_view payload;
};
Hiredis12DiffCase DecodeHiredis12DiffCase(std::string_view input);
std::string EncodeHiredis12DiffCase(const ChunkPlan& plan, std::string_view payload);

inline constexpr uint64_t kHiredis12NoError = ~uint64_t{0};

// One side's result.
struct Hiredis12Side {
  resp::ReplyTree values;
  resp::ReaderError error;  // code kNone when no error
  bool idle = false;
  bool failed() const { return error.code != resp::ReaderErrorCode::kNone; }
};

// What the table's entries see when the two sides disagree.
struct Hiredis12Disagreement {
  std::string_view payload;
  Hiredis12Side ours;
  Hiredis12Side theirs;
  size_t first_diff = 0;  // index of the first unequal (or extra) top-level value
  // Where each side's error became certain (kHiredis12NoError when it did
  // not fail); ours is never before its own error offset.
  uint64_t ours_error_at = kHiredis12NoError;  // our reader's error offset
  uint64_t ours_certain_at = kHiredis12NoError;
  uint64_t theirs_certain_at = kHiredis12NoError;
};

struct Hiredis12Divergence {
  std::string_view name;
  std::string_view description;  // input class; what hiredis does; the spec; why tolerated
  bool (*explains)(const Hiredis12Disagreement& d);
};
std::span<const Hiredis12Divergence> Hiredis12Divergences();

// The last byte of the shortest prefix of `payload` that `parser` (started
// RESP3 under `limits`, fed the prefix whole) rejects, or kHiredis12NoError.
// Found by one walk (the first `from` bytes at once, then a byte per Feed),
// confirmed on whole-fed prefixes, else by binary search over them.
uint64_t Hiredis12CertainAt(ReplyParser& parser, std::string_view payload,
                            const resp::ReaderLimits& limits, size_t from = 0);

struct Hiredis12DiffOutcome {
  bool skipped = false;  // not compared, or compared only up to a budget refusal
  std::string skip_reason;
  bool agree = true;
  std::string_view divergence;  // the entry that explained the disagreement, if any
  fuzz::Verdict verdict;
  Hiredis12Side ours;
  Hiredis12Side theirs;
};

// Both sides on `payload`, each fed the chunks of `plan`. With use_table false
// no disagreement is excused (the tests show each entry is needed).
Hiredis12DiffOutcome CompareHiredis12Diff(ReplyParser& ours, ReplyParser& theirs,
                                          std::string_view payload, const ChunkPlan& plan,
                                          bool use_table = true);

fuzz::Verdict RunRespHiredis12Diff(std::string_view input);
std::string DescribeRespHiredis12Diff(std::string_view input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_CHECKS_H_
