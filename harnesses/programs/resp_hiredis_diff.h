// The resp_hiredis_diff harness: raw RESP2 reply bytes through our reader and
// through hiredis 0.14.1's redisReader, compared value by value.
//
// Input layout: [hiredis feed byte][payload]
//   bit 7 set : hiredis gets the payload in one redisReaderFeed
//   otherwise : hiredis gets chunks of (byte & 63) + 1 bytes, raised to
//               ceil(payload / 64) so there are never more than 64 feeds
// Our reader always reads the payload whole, RESP2-strict, under
// HiredisDiffLimits().
//
// Oracle: both accept or both reject, and the values both produced (ours up
// to our error, hiredis's up to its error) are equal trees, in order, with
// nulls normalized (hiredis has one nil; we have $-1 and *-1). When they
// disagree, the disagreement is Ok only if an entry of the divergence table
// (HiredisDivergences()) explains its first point; everything else fails.
#ifndef RESPFUZZ_HARNESSES_PROGRAMS_RESP_HIREDIS_DIFF_H_
#define RESPFUZZ_HARNESSES_PROGRAMS_RESP_HIREDIS_DIFF_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/programs/reply_parser.h"
#include "harnesses/support/verdict.h"
#include "src/resp/reader.h"
#include "src/resp/value.h"

namespace respfuzz::programs {

// Inputs are skipped (Ok without feeding hiredis) above these: hiredis 0.14.1
// callocs a pointer array for every declared multi-bulk count before any
// element arrives, so declared counts are capped one by one and in total.
inline constexpr size_t kHiredisDiffMaxPayload = 64 * 1024;
inline constexpr int64_t kHiredisDiffMaxBulkLen = 1024 * 1024;
inline constexpr int64_t kHiredisDiffMaxAggregateLen = 4096;
inline constexpr int64_t kHiredisDiffMaxDeclaredElements = 16384;  // sum over the input
inline constexpr size_t kHiredisDiffMaxDepth = 64;

// Our reader's limits on this harness: the caps above, default line length
// (never reached: a payload of at most 64 KiB has no 64 KiB line).
resp::ReaderLimits HiredisDiffLimits();

// hiredis's redisReader with the default reply object functions, as a
// ReplyParser. RESP2 only: Start() ignores the protocol and the limits.
// error() carries hiredis's errstr as the reason, the nearest code, and as
// offset the number of bytes fed when hiredis reported it (hiredis keeps no
// error offset). NIL becomes kNullBulk.
std::unique_ptr<ReplyParser> MakeHiredisParser();

struct HiredisDiffCase {
  bool hiredis_whole = true;
  size_t hiredis_chunk = 0;  // bytes per redisReaderFeed when !hiredis_whole
  std::string_view payload;
};

HiredisDiffCase DecodeHiredisDiffCase(std::string_view input);
// The feed byte for a chunk size (1..64), or 0x80 (whole) for chunk == 0.
std::string EncodeHiredisDiffCase(size_t hiredis_chunk, std::string_view payload);
// The chunk size the decoder derives for a payload of `size` bytes.
size_t HiredisChunkFor(size_t feed_chunk, size_t size);

// Why `payload` is not compared, or "" when it is: longer than
// kHiredisDiffMaxPayload, or a '*' or '$' anywhere (not only at line starts:
// hiredis reads a type byte wherever its lenient framing lands) followed by a
// count above the caps, or declared '*' counts summing above the budget.
std::string HiredisDiffSkipReason(std::string_view payload);

// One side's result, nulls normalized (kNullArray read as kNullBulk).
struct DiffSide {
  std::vector<resp::Value> values;
  resp::ReaderError error;  // code kNone when no error
  bool idle = false;
  bool failed() const { return error.code != resp::ReaderErrorCode::kNone; }
};

inline constexpr uint64_t kNoError = ~uint64_t{0};

// What the classifiers see when the two sides disagree.
struct HiredisDisagreement {
  std::string_view payload;
  DiffSide ours;
  DiffSide theirs;
  size_t first_diff = 0;  // index of the first unequal value (or of the first extra one)
  // The byte at which each side's error became certain: ours is its error
  // offset; hiredis's is the last byte of the shortest prefix hiredis rejects
  // (found by feeding it prefixes). kNoError when the side did not fail.
  uint64_t ours_error_at = kNoError;
  uint64_t theirs_error_at = kNoError;
};

// One known, intended divergence between our strict reader and hiredis
// 0.14.1. `explains` is true when the first point of the disagreement is this
// quirk and every value before it is equal on both sides.
struct HiredisDivergence {
  std::string_view name;
  std::string_view description;
  bool (*explains)(const HiredisDisagreement& d);
};

// The table: every known divergence, in one place.
std::span<const HiredisDivergence> HiredisDivergences();

struct HiredisDiffOutcome {
  bool skipped = false;
  std::string skip_reason;
  bool agree = true;            // equal values and the same accept/reject (no table needed)
  std::string_view divergence;  // the table entry that explained a disagreement, if any
  fuzz::Verdict verdict;        // Ok when skipped, agreeing or explained
  DiffSide ours;
  DiffSide theirs;
};

// Runs `payload` through `ours` (whole, RESP2, HiredisDiffLimits()) and
// `theirs` (in hiredis_chunk-byte feeds; 0 = whole) and classifies any
// disagreement with the table. `theirs` is also re-run on prefixes to find
// where its error became certain. With use_table false no disagreement is
// excused (the tests use this to show each entry is needed).
HiredisDiffOutcome CompareHiredisDiff(ReplyParser& ours, ReplyParser& theirs,
                                      std::string_view payload, size_t hiredis_chunk = 0,
                                      bool use_table = true);
fuzz::Verdict CheckHiredisDiff(ReplyParser& ours, ReplyParser& theirs, std::string_view payload,
                               size_t hiredis_chunk = 0);

}  // namespace respfuzz::programs

#endif  // RESPFUZZ_HARNESSES_PROGRAMS_RESP_HIREDIS_DIFF_H_
