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
// Oracle: both accept, or both reject with the error certain at the same byte
// (the last byte of the shortest rejected prefix, found for each side by
// one byte-by-byte walk: CertainAt()), and the values both produced are equal trees, in
// order, with nulls normalized (hiredis has one nil; we have $-1 and *-1).
// When they disagree, the disagreement is Ok only if an entry of the
// divergence table (HiredisDivergences()) explains its first point (the side
// whose error is certain first decides which entries can); everything else
// fails. Some entries do not end the comparison there:
//   - a number hiredis rejects only for its form (":+5", ":007", ":-0", "$03",
//     "*01") is rewritten into its canonical form (which changes no value our
//     reader produces: checked), and the whole payload is compared again;
//   - after a reply nested deeper than hiredis's 7 levels, the comparison
//     starts again (fresh readers on both sides) after that top-level reply.
// hiredis runs with a budget on the reply pointer arrays it callocs for
// multi-bulk counts (createArray refuses above it): a refusal ends the
// comparison there, as a skip, once the values before it are equal.
#ifndef RESPFUZZ_HARNESSES_RESP_HIREDIS_DIFF_CHECKS_H_
#define RESPFUZZ_HARNESSES_RESP_HIREDIS_DIFF_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/common/hiredis_parser.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/common/verdict.h"
#include "src/resp/reader.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses {

// Inputs longer than this are skipped (Ok without feeding hiredis).
inline constexpr size_t kHiredisDiffMaxPayload = 64 * 1024;
inline constexpr size_t kHiredisDiffMaxDepth = 64;
// Our reader's limits on this harness: the defaults (512 MiB bulks, INT_MAX
// elements, 64 KiB lines: never reached by a 64 KiB payload), depth 64.
resp::ReaderLimits HiredisDiffLimits();

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

// Why `payload` is not compared at all, or "" when it is: only when it is
// longer than kHiredisDiffMaxPayload. (Large declared counts are no reason:
// hiredis allocates nothing for a bulk before its bytes arrive, and the
// budgeted createArray decides, where hiredis reads the count, whether an
// array is too large to build.)
std::string HiredisDiffSkipReason(std::string_view payload);

// One side's result, nulls normalized (kNullArray read as kNullBulk).
struct DiffSide {
  resp::ReplyTree values;
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
  // ours_error_at is our reader's error offset (where it locates the fault:
  // the content of a header line for a bad number or length). The *_certain
  // / theirs_error_at bytes are where each side's error became certain: the
  // last byte of the shortest prefix it rejects (found by one byte-by-byte
  // walk, confirmed on whole-fed prefixes; ours is never taken before its own
  // error offset). kNoError when
  // the side did not fail. Which side failed first is decided on these.
  uint64_t ours_error_at = kNoError;
  uint64_t ours_certain_at = kNoError;
  uint64_t theirs_error_at = kNoError;
};

// One known, intended divergence between our strict reader and hiredis
// 0.14.1. `explains` is true when the first point of the disagreement is this
// quirk and every value before it is equal on both sides.
// `then` says what the comparison does once the entry explained a
// disagreement: stop there (what is left is excused), or compare again on a
// rewritten payload.
enum class HiredisFollowUp : uint8_t {
  kStop,
  kCanonicalizeNumbers,  // rewrite non-canonical number lines, compare again
  kRestartAfterReply,    // compare again from the end of the offending top-level reply
};
struct HiredisDivergence {
  std::string_view name;
  std::string_view description;
  bool (*explains)(const HiredisDisagreement& d);
  HiredisFollowUp then = HiredisFollowUp::kStop;
};
// Bounds on the rounds of one comparison. Number repairs rewrite every
// non-canonical number line our reader accepted at once, so a second repair
// round needs a number hiredis reached only after a restart; hitting the
// bound fails. Restarts past their bound leave the rest excused.
inline constexpr int kHiredisMaxRepairs = 16;
inline constexpr int kHiredisMaxRestarts = 16;

// The table: every known divergence, in one place.
std::span<const HiredisDivergence> HiredisDivergences();

struct HiredisDiffOutcome {
  // Not compared (payload too long), or compared only up to a budget refusal.
  bool skipped = false;
  std::string skip_reason;
  bool agree = true;            // equal values and the same accept/reject (no table needed)
  std::string_view divergence;  // the table entry that explained the first disagreement, if any
  // One line per repair or restart round, in order (empty when none ran).
  std::vector<std::string> rounds;
  fuzz::Verdict verdict;  // Ok when skipped, agreeing or explained
  DiffSide ours;          // on the payload as given (before any repair or restart)
  DiffSide theirs;
};

// Runs `payload` through `ours` (whole, RESP2, HiredisDiffLimits()) and
// `theirs` (in hiredis_chunk-byte feeds; 0 = whole) and classifies any
// disagreement with the table. A side that failed is walked again byte by
// byte (CertainAt()) to find where its error became certain. With use_table false no disagreement
// is excused (the tests use this to show each entry is needed). The last byte of the shortest
// prefix of `payload` that `parser`, fed whole (RESP2, `limits`), rejects, or kNoError when it
// accepts the whole payload. Found by one walk (the first `from` bytes in one Feed, then one byte
// per Feed), confirmed on two whole-fed prefixes; if the confirmation fails (a parser that decides
// differently when fed in pieces), by binary search over whole-fed prefixes.
uint64_t CertainAt(ReplyParser& parser, std::string_view payload, const resp::ReaderLimits& limits,
                   size_t from = 0);

HiredisDiffOutcome CompareHiredisDiff(ReplyParser& ours, ReplyParser& theirs,
                                      std::string_view payload, size_t hiredis_chunk = 0,
                                      bool use_table = true);
fuzz::Verdict CheckHiredisDiff(ReplyParser& ours, ReplyParser& theirs, std::string_view payload,
                               size_t hiredis_chunk = 0);

// The registry's entry points (RESPFUZZ_REGISTER_HARNESS in checks.cc).
fuzz::Verdict RunRespHiredisDiff(std::string_view input);
std::string DescribeRespHiredisDiff(std::string_view input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_RESP_HIREDIS_DIFF_CHECKS_H_
