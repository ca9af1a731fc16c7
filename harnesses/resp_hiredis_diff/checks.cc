#include "harnesses/resp_hiredis_diff/checks.h"

#include <algorithm>
#include <array>
#include <utility>

#include "harnesses/common/hiredis_parser.h"
#include "harnesses/common/registry.h"

namespace respfuzz::harnesses {

using resp::Protocol;
using resp::ReaderError;
using resp::ReaderErrorCode;
using resp::Type;
using resp::Value;

resp::ReaderLimits HiredisDiffLimits() {
  resp::ReaderLimits l;
  l.max_depth = kHiredisDiffMaxDepth;
  return l;
}

// --- input layout ---------------------------------------------------------------

HiredisDiffCase DecodeHiredisDiffCase(std::string_view input) {
  HiredisDiffCase c;
  uint8_t feed = input.empty() ? 0x80 : static_cast<uint8_t>(input[0]);
  if (!input.empty()) input.remove_prefix(1);
  c.payload = input;
  c.hiredis_whole = (feed & 0x80) != 0;
  c.hiredis_chunk = c.hiredis_whole ? 0 : HiredisChunkFor((feed & 63) + 1, input.size());
  return c;
}

size_t HiredisChunkFor(size_t feed_chunk, size_t size) {
  return std::max(feed_chunk, (size + 63) / 64);
}

std::string EncodeHiredisDiffCase(size_t hiredis_chunk, std::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>(hiredis_chunk == 0 ? 0x80 : (hiredis_chunk - 1) % 64));
  out.append(payload);
  return out;
}

std::string HiredisDiffSkipReason(std::string_view payload) {
  if (payload.size() > kHiredisDiffMaxPayload) {
    return "payload of " + std::to_string(payload.size()) + " bytes is above " +
           std::to_string(kHiredisDiffMaxPayload);
  }
  return {};
}

// --- where a byte sits ----------------------------------------------------------

namespace {

// Our reader's length grammar: "-1", or digits within int64 (leading zeros allowed).
bool StrictLength(std::string_view s, int64_t* out) {
  if (s == "-1") {
    *out = -1;
    return true;
  }
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (uint64_t{INT64_MAX} - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

// Our reader's integer grammar: [+-]digits within int64.
bool StrictInteger(std::string_view s, int64_t* out = nullptr) {
  bool neg = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  uint64_t limit = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  if (out != nullptr) *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

// Where byte `x` sits in strict RESP2 framing. Meaningful when our reader
// accepted every byte before x: then the framing up to x is the strict one, and
// hiredis (lenient only where our reader fails) frames those bytes the same way.
struct Spot {
  enum Kind : uint8_t { kUnknown, kLine, kBulkPayload, kBulkTerminator };
  Kind kind = kUnknown;
  size_t start = 0;  // the item's type byte
  char type = 0;
  size_t cr = std::string_view::npos;  // the line's first CR, npos if none yet
  std::string_view content;            // after the type byte, up to that CR (or the end)
  size_t depth = 0;                    // arrays open around the item
  size_t bulk_end = 0;                 // kBulkPayload, kBulkTerminator: where the CRLF is due
};

Spot Locate(std::string_view p, uint64_t x) {
  constexpr size_t npos = std::string_view::npos;
  std::vector<int64_t> open;  // elements still due in each open array
  size_t pos = 0;
  while (pos < p.size() && pos <= x) {
    Spot s;
    s.start = pos;
    s.type = p[pos];
    s.depth = open.size();
    s.cr = p.find('\r', pos + 1);
    s.content = p.substr(pos + 1, (s.cr == npos ? p.size() : s.cr) - pos - 1);
    if (s.cr == npos || x < s.cr + 2) {
      s.kind = Spot::kLine;
      return s;
    }
    if (p[s.cr + 1] != '\n') return {};
    size_t next = s.cr + 2;
    bool item_done = true;
    int64_t n = 0;
    switch (s.type) {
      case '+':
      case '-':
      case ':':
        break;
      case '$':
        if (!StrictLength(s.content, &n)) return {};
        if (n >= 0) {
          const size_t len = static_cast<size_t>(n);
          s.bulk_end = next + len;
          if (x < next + len) {
            s.kind = Spot::kBulkPayload;
            return s;
          }
          if (x < next + len + 2) {
            s.kind = Spot::kBulkTerminator;
            return s;
          }
          if (p.substr(next + len, 2) != "\r\n") return {};
          next += len + 2;
        }
        break;
      case '*':
        if (!StrictLength(s.content, &n)) return {};
        if (n > 0) {
          open.push_back(n);
          item_done = false;
        }
        break;
      default:
        return {};
    }
    if (item_done) {
      while (!open.empty()) {
        if (--open.back() > 0) break;
        open.pop_back();
      }
    }
    pos = next;
  }
  return {};
}

// The header lines and top-level value ends of the strict RESP2 framing of
// `p` (under HiredisDiffLimits()), up to the first byte our strict reader
// would reject or the first item the input does not complete.
struct StrictLine {
  size_t start;  // the type byte; the content is [start + 1, cr)
  size_t cr;
};
struct StrictScan {
  std::vector<StrictLine> lines;
  std::vector<size_t> value_ends;  // one past each complete top-level value
};

StrictScan ScanStrict(std::string_view p) {
  constexpr size_t npos = std::string_view::npos;
  StrictScan out;
  std::vector<int64_t> open;  // elements still due in each open array
  size_t pos = 0;
  while (pos < p.size()) {
    const char type = p[pos];
    if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*') break;
    const size_t cr = p.find('\r', pos + 1);
    if (cr == npos || cr + 1 >= p.size() || p[cr + 1] != '\n') break;
    std::string_view content = p.substr(pos + 1, cr - pos - 1);
    if (content.find('\n') != npos) break;
    size_t next = cr + 2;
    bool item_done = true;
    int64_t n = 0;
    if (type == ':' && !StrictInteger(content)) break;
    if (type == '$' && (!StrictLength(content, &n) || n > HiredisDiffLimits().max_bulk_len)) break;
    if (type == '*') {
      if (!StrictLength(content, &n) || n > HiredisDiffLimits().max_aggregate_len ||
          (n >= 0 && open.size() >= HiredisDiffLimits().max_depth)) {
        break;
      }
      if (n > 0) {
        open.push_back(n);
        item_done = false;
      }
    }
    // The header line is one our reader accepts, whatever follows it.
    out.lines.push_back({pos, cr});
    if (type == '$' && n >= 0) {
      const size_t len = static_cast<size_t>(n);
      if (len > p.size() - next || p.size() - next - len < 2 || p.substr(next + len, 2) != "\r\n") {
        break;
      }
      next += len + 2;
    }
    if (item_done) {
      while (!open.empty()) {
        if (--open.back() > 0) break;
        open.pop_back();
      }
      if (open.empty()) out.value_ends.push_back(next);
    }
    pos = next;
  }
  return out;
}

// A number line's content in the form hiredis's string2ll accepts (the
// decimal of its value), or "" when it is in that form already or is no
// number our reader reads.
std::string CanonicalNumber(char type, std::string_view content) {
  int64_t v = 0;
  if (type == ':') {
    if (!StrictInteger(content, &v)) return {};
  } else if (type == '$' || type == '*') {
    if (!StrictLength(content, &v)) return {};
  } else {
    return {};
  }
  std::string canonical = std::to_string(v);
  return canonical == content ? std::string() : canonical;
}

// Our reader failed first: hiredis had not failed by then, and every value we
// produced (all before our error) hiredis produced too.
bool OursFirst(const HiredisDisagreement& d) {
  return d.ours.failed() && d.ours_certain_at != kNoError &&
         (!d.theirs.failed() ||
          (d.theirs_error_at != kNoError && d.theirs_error_at > d.ours_certain_at)) &&
         d.first_diff == d.ours.values.size() && d.theirs.values.size() >= d.ours.values.size();
}

// hiredis failed first, symmetrically.
bool TheirsFirst(const HiredisDisagreement& d) {
  return d.theirs.failed() && d.theirs_error_at != kNoError &&
         (!d.ours.failed() || d.ours_certain_at > d.theirs_error_at) &&
         d.first_diff == d.theirs.values.size() && d.ours.values.size() >= d.theirs.values.size();
}

// hiredis's error is certain at the LF that completes a line of `type`, and
// the line is one our reader accepted; sets `content` to the line's content.
bool TheirsRejectLine(const HiredisDisagreement& d, char type, std::string_view errstr,
                      std::string_view* content) {
  if (!TheirsFirst(d) || d.theirs.error.reason != errstr) return false;
  Spot s = Locate(d.payload, d.theirs_error_at);
  if (s.kind != Spot::kLine || s.type != type || s.cr == std::string_view::npos ||
      s.cr + 1 != d.theirs_error_at || d.payload[s.cr + 1] != '\n') {
    return false;
  }
  *content = s.content;
  return true;
}

// --- the divergences --------------------------------------------------------------

bool StrayCrInLine(const HiredisDisagreement& d) {
  if (!OursFirst(d) || d.ours.error.code != ReaderErrorCode::kBadTerminator) return false;
  Spot s = Locate(d.payload, d.ours_error_at);
  return s.kind == Spot::kLine && s.cr != std::string_view::npos && s.cr + 1 == d.ours_error_at &&
         d.payload[d.ours_error_at] != '\n';
}

bool BareLfInLine(const HiredisDisagreement& d) {
  if (!OursFirst(d) || d.ours.error.code != ReaderErrorCode::kCharInLine) return false;
  Spot s = Locate(d.payload, d.ours_error_at);
  // Our reader fails at the LF as soon as it arrives, CR or no CR after it.
  return s.kind == Spot::kLine && s.start < d.ours_error_at &&
         (s.cr == std::string_view::npos || d.ours_error_at < s.cr) &&
         d.payload[d.ours_error_at] == '\n';
}

bool BulkTerminatorUnchecked(const HiredisDisagreement& d) {
  if (!OursFirst(d) || d.ours.error.code != ReaderErrorCode::kBadTerminator) return false;
  const uint64_t x = d.ours_error_at;
  Spot s = Locate(d.payload, x);
  if (s.kind != Spot::kBulkTerminator) return false;
  // The byte we failed at really is wrong: not the CR, or a CR then not the LF.
  return x == s.bulk_end ? d.payload[x] != '\r'
                         : d.payload[s.bulk_end] == '\r' && d.payload[x] != '\n';
}

// Our reader rejects a bulk length above its limit at the header; hiredis
// takes any length up to LLONG_MAX and waits for the payload.
bool BulkAboveOurLimit(const HiredisDisagreement& d) {
  if (!OursFirst(d) || d.theirs.failed() || d.ours.error.code != ReaderErrorCode::kBulkTooLong) {
    return false;
  }
  Spot s = Locate(d.payload, d.ours_error_at);
  int64_t n;
  return s.kind == Spot::kLine && s.type == '$' && s.cr != std::string_view::npos &&
         s.cr + 1 == d.ours_certain_at && StrictLength(s.content, &n) &&
         n > HiredisDiffLimits().max_bulk_len;
}

bool NestingDeeperThan7(const HiredisDisagreement& d) {
  if (!TheirsFirst(d) || d.theirs.error.reason != kHiredisDepthError) return false;
  Spot s = Locate(d.payload, d.theirs_error_at);
  return s.kind == Spot::kLine && s.start == d.theirs_error_at && s.type == '*' && s.depth == 8;
}

bool IntegerPlusSign(const HiredisDisagreement& d) {
  std::string_view c;
  return TheirsRejectLine(d, ':', kHiredisBadInteger, &c) && StrictInteger(c) && c[0] == '+';
}

bool IntegerLeadingZero(const HiredisDisagreement& d) {
  std::string_view c;
  if (!TheirsRejectLine(d, ':', kHiredisBadInteger, &c) || !StrictInteger(c) || c[0] == '+') {
    return false;
  }
  bool negative = c[0] == '-';
  std::string_view digits = negative ? c.substr(1) : c;
  return digits[0] == '0' && (digits.size() > 1 || negative);
}

bool LengthLeadingZero(const HiredisDisagreement& d) {
  std::string_view c;
  int64_t n;
  if (!TheirsRejectLine(d, '$', kHiredisBadBulkLength, &c) &&
      !TheirsRejectLine(d, '*', kHiredisBadMultiBulkLength, &c)) {
    return false;
  }
  return StrictLength(c, &n) && n >= 0 && c.size() > 1 && c[0] == '0';
}

// Every known, intended divergence between our strict RESP2 reader and
// hiredis 0.14.1 (read.c at tag v0.14.1). Each has a test in
// tests/hiredis_diff_test.cc. Absent on purpose: the readLongLong quirks of
// hiredis before 0.14 (":abc" read as -1, "$x" as nil, any negative length as
// nil, ":" as 0); 0.14.1 parses with a strict string2ll and rejects them all,
// as we do.
constexpr std::array<HiredisDivergence, 8> kDivergences = {{
    {"stray-cr-in-line",
     "A CR not followed by LF inside a +, -, :, $ or * line. We fail at the byte after the CR; "
     "hiredis searches for \"\\r\\n\", so the CR becomes part of the line (a status or error "
     "string keeps it; a number fails later) or hiredis waits for a CRLF that never comes. "
     "Nothing after our error is compared.",
     StrayCrInLine},
    {"bare-lf-in-line",
     "An LF not preceded by CR inside a line. We fail at the LF; hiredis keeps it in the line "
     "(status and error strings contain it). Nothing after our error is compared.",
     BareLfInLine},
    {"bulk-crlf-unchecked",
     "The two bytes after a bulk payload are not CRLF. We fail at the first wrong byte; "
     "hiredis takes the payload and skips the two bytes unread. Nothing after our error is "
     "compared.",
     BulkTerminatorUnchecked},
    {"bulk-above-our-limit",
     "A bulk length above our 512 MiB limit (Redis's proto-max-bulk-len). We fail at the "
     "header; hiredis takes any length up to LLONG_MAX and waits for the payload, which no "
     "input of this harness completes.",
     BulkAboveOurLimit},
    {"nesting-deeper-than-7",
     "A '*' type byte inside 8 open arrays. hiredis has a 9-slot task stack and fails as soon "
     "as it reads the '*' (even for *0 and *-1): \"No support for nested multi bulk replies "
     "with depth > 7\". We allow 64 levels. Every top-level value before the too-deep reply is "
     "compared; the values inside that reply are NOT compared against hiredis (hiredis builds "
     "none of it). When our reader completes the reply, the comparison starts again after it "
     "(fresh readers on both sides, our values checked to be the ones it read in the whole "
     "stream), up to kHiredisMaxRestarts times; past that, and when our reader fails inside the "
     "reply, nothing after it is compared.",
     NestingDeeperThan7, HiredisFollowUp::kRestartAfterReply},
    {"integer-plus-sign",
     "An integer with a leading '+' (\":+5\"). We read it; hiredis's string2ll accepts only "
     "'-' and fails \"Bad integer value\". Repaired: the line is rewritten canonically "
     "(\":5\") and the whole payload compared again.",
     IntegerPlusSign, HiredisFollowUp::kCanonicalizeNumbers},
    {"integer-leading-zero",
     "An integer with a leading zero (\":007\", \":-01\", \":00\") or negative zero (\":-0\"). "
     "We read it; hiredis's string2ll accepts only the canonical form. Repaired: the line is "
     "rewritten canonically (\":7\", \":-1\", \":0\") and the whole payload compared again.",
     IntegerLeadingZero, HiredisFollowUp::kCanonicalizeNumbers},
    {"length-leading-zero",
     "A bulk or multi-bulk length with a leading zero (\"$03\", \"*00\"). We read it; hiredis "
     "fails \"Bad bulk string length\" / \"Bad multi-bulk length\". Repaired: the line is "
     "rewritten canonically (\"$3\", \"*0\") and the whole payload compared again.",
     LengthLeadingZero, HiredisFollowUp::kCanonicalizeNumbers},
}};

std::string DescribeSide(const char* who, const DiffSide& s) {
  std::string out = std::string(who) + ": " + std::to_string(s.values.size()) + " values, error " +
                    DescribeError(s.error);
  if (!s.failed()) out += s.idle ? ", ends cleanly" : ", input ends inside a value";
  return out + "\n" + DescribeValues(s.values, 16);
}

}  // namespace

std::span<const HiredisDivergence> HiredisDivergences() { return kDivergences; }

// --- the comparison ---------------------------------------------------------------

namespace {

// Whether `parser`, fed the first `len` bytes of `payload` whole, rejects them.
bool Rejects(ReplyParser& parser, std::string_view payload, size_t len,
             const resp::ReaderLimits& limits, resp::ReplyTree* scratch) {
  scratch->Reset();
  parser.Start(Protocol::kResp2, limits);
  parser.Feed(payload.substr(0, len), scratch);
  return parser.error().code != ReaderErrorCode::kNone;
}

// The last byte of the shortest prefix of `payload` that `parser` (fed whole)
// rejects, given that it rejects the whole payload; kNoError if it does not.
// Rejection is monotone in the prefix: more bytes never undo a step taken.
// By binary search: the definition, and the fallback of CertainAt().
uint64_t CertainAtBySearch(ReplyParser& parser, std::string_view payload,
                           const resp::ReaderLimits& limits, resp::ReplyTree* scratch) {
  auto rejects = [&](size_t len) { return Rejects(parser, payload, len, limits, scratch); };
  if (payload.empty() || !rejects(payload.size())) return kNoError;
  size_t lo = 1, hi = payload.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (rejects(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo - 1;
}

}  // namespace

namespace {

resp::ReplyTree& CertainAtScratch() {
  static resp::ReplyTree* const scratch = new resp::ReplyTree;
  return *scratch;
}

}  // namespace

uint64_t CertainAt(ReplyParser& parser, std::string_view payload, const resp::ReaderLimits& limits,
                   size_t from) {
  resp::ReplyTree& scratch = CertainAtScratch();
  // One walk: the bytes before `from` whole, then one Feed per byte; the
  // first Feed that fails is at the byte that made the error certain.
  scratch.Reset();
  parser.Start(Protocol::kResp2, limits);
  from = std::min(from, payload.size());
  bool walked = from == 0 || parser.Feed(payload.substr(0, from), &scratch);
  uint64_t at = kNoError;
  for (size_t i = from; walked && i < payload.size(); ++i) {
    scratch.clear();
    if (!parser.Feed(payload.substr(i, 1), &scratch)) {
      at = i;
      break;
    }
  }
  // Confirmed on whole-fed prefixes, which is what the answer means: the
  // prefix through `at` is rejected and the one before it is not (or, with
  // no failure on the walk, the whole payload is accepted). A parser whose
  // decisions depended on the chunking would fail this, and then the binary
  // search decides.
  if (walked) {
    if (at == kNoError) {
      if (!Rejects(parser, payload, payload.size(), limits, &scratch)) return kNoError;
    } else if (Rejects(parser, payload, at + 1, limits, &scratch) &&
               (at == 0 || !Rejects(parser, payload, at, limits, &scratch))) {
      return at;
    }
  }
  return CertainAtBySearch(parser, payload, limits, &scratch);
}

namespace {

std::string At(uint64_t x) { return x == kNoError ? std::string("-") : std::to_string(x); }

// Both sides on one payload; certain points only for a side that failed.
HiredisDisagreement RunBoth(ReplyParser& ours, ReplyParser& theirs, std::string_view payload,
                            size_t hiredis_chunk) {
  const resp::ReaderLimits limits = HiredisDiffLimits();
  HiredisDisagreement d;
  d.payload = payload;
  ours.Start(Protocol::kResp2, limits);
  ours.Feed(payload, &d.ours.values);
  d.ours.error = ours.error();
  d.ours.idle = ours.idle();

  theirs.Start(Protocol::kResp2, limits);
  size_t step = hiredis_chunk == 0 ? std::max<size_t>(payload.size(), 1) : hiredis_chunk;
  size_t failed_chunk = 0;  // where the chunk hiredis failed on starts
  for (size_t i = 0; i < payload.size(); i += step) {
    if (!theirs.Feed(payload.substr(i, step), &d.theirs.values)) {
      failed_chunk = i;
      break;
    }
  }
  d.theirs.error = theirs.error();
  d.theirs.idle = theirs.idle();

  NormalizeNullsForHiredis(&d.ours.values);
  NormalizeNullsForHiredis(&d.theirs.values);
  const auto& ov = d.ours.values;
  const auto& tv = d.theirs.values;
  size_t k = 0;
  while (k < ov.size() && k < tv.size() && resp::Equal(ov[k], tv[k])) ++k;
  d.first_diff = k;

  if (d.ours.failed()) {
    d.ours_error_at = d.ours.error.offset;
    // A reader never knows of an error before the byte it blames: the walk
    // starts there.
    uint64_t certain = CertainAt(ours, payload, limits, d.ours_error_at);
    d.ours_certain_at = certain == kNoError ? d.ours_error_at : std::max(certain, d.ours_error_at);
  }
  if (d.theirs.failed()) d.theirs_error_at = CertainAt(theirs, payload, limits, failed_chunk);
  return d;
}

bool Agree(const HiredisDisagreement& d) {
  const bool same_values =
      d.first_diff == d.ours.values.size() && d.first_diff == d.theirs.values.size();
  if (!same_values || d.ours.failed() != d.theirs.failed()) return false;
  if (!d.ours.failed()) return d.ours.idle == d.theirs.idle;
  // Both reject: only at the same byte. A side that fails earlier must be
  // explained by the table.
  return d.ours_certain_at == d.theirs_error_at;
}

std::string Mismatch(const HiredisDisagreement& d) {
  const auto& ov = d.ours.values;
  const auto& tv = d.theirs.values;
  const size_t k = d.first_diff;
  std::string msg;
  if (k < ov.size() && k < tv.size()) {
    msg = "value " + std::to_string(k) + " differs: ours " + resp::ToDebugString(ov[k], 512) +
          " vs hiredis " + resp::ToDebugString(tv[k], 512);
  } else if (ov.size() != tv.size()) {
    msg =
        "ours gave " + std::to_string(ov.size()) + " values, hiredis " + std::to_string(tv.size());
  } else if (d.ours.failed() != d.theirs.failed()) {
    msg = std::string(d.ours.failed() ? "ours rejects, hiredis accepts"
                                      : "hiredis rejects, ours accepts");
  } else if (d.ours.failed()) {
    msg = std::string("both reject, but ") +
          (d.ours_certain_at < d.theirs_error_at ? "ours" : "hiredis") + " first";
  } else {
    msg = std::string("same values, but the input ends cleanly for ") +
          (d.ours.idle ? "ours only" : "hiredis only");
  }
  return msg;
}

std::string Details(const HiredisDisagreement& d) {
  return " (ours' error at byte " + At(d.ours_error_at) + ", certain at byte " +
         At(d.ours_certain_at) + ", hiredis's certain at byte " + At(d.theirs_error_at) + ")\n" +
         DescribeSide("ours", d.ours) + DescribeSide("hiredis", d.theirs);
}

// What our reader must read on the next round's payload: `expect`, with its
// error offset already moved to the new payload. "" when it does.
std::string CheckOursAgain(const DiffSide& expect, const DiffSide& got) {
  if (!(got.values == expect.values)) {
    return "our reader reads other values (" + std::to_string(got.values.size()) + " vs " +
           std::to_string(expect.values.size()) + ")\nexpected:\n" +
           DescribeValues(expect.values, 16) + "got:\n" + DescribeValues(got.values, 16);
  }
  if (got.error.code != expect.error.code ||
      (expect.failed() && got.error.offset != expect.error.offset)) {
    return "our reader's error is " + DescribeError(got.error) + ", expected " +
           DescribeError(expect.error);
  }
  if (!expect.failed() && got.idle != expect.idle) {
    return std::string("our reader ") + (got.idle ? "ends cleanly" : "ends inside a value") +
           ", expected otherwise";
  }
  return {};
}

std::string Snippet(std::string_view s) {
  return EscapeBytes(s.substr(0, 40)) + (s.size() > 40 ? "..." : "");
}

}  // namespace

HiredisDiffOutcome CompareHiredisDiff(ReplyParser& ours, ReplyParser& theirs,
                                      std::string_view payload, size_t hiredis_chunk,
                                      bool use_table) {
  HiredisDiffOutcome out;
  out.skip_reason = HiredisDiffSkipReason(payload);
  if (!out.skip_reason.empty()) {
    out.skipped = true;
    return out;
  }

  std::string current(payload);  // the payload of this round
  size_t base = 0;               // index of its first value in the original stream
  int repairs = 0, restarts = 0;
  DiffSide expect;  // what our reader must read this round (after round 0)
  auto fail = [&](int64_t step, std::string msg) {
    std::string prefix;
    if (!out.rounds.empty()) {
      prefix = "after " + std::to_string(out.rounds.size()) + " round(s) of repair/restart (" +
               out.rounds.back() + "): ";
    }
    out.verdict = fuzz::Verdict::Fail("hiredis-diff", step, prefix + msg);
    return out;
  };

  for (int round = 0;; ++round) {
    HiredisDisagreement d = RunBoth(ours, theirs, current, hiredis_chunk);
    if (round == 0) {
      out.ours = d.ours;
      out.theirs = d.theirs;
    } else if (std::string why = CheckOursAgain(expect, d.ours); !why.empty()) {
      return fail(static_cast<int64_t>(base), why + "\non \"" + Snippet(current) + "\"");
    }
    const int64_t step = static_cast<int64_t>(base + d.first_diff);

    // hiredis's budget refused an array: nothing from there on is compared,
    // unless our reader failed first (then the table decides as usual).
    if (d.theirs.failed() && IsHiredisBudgetRefusal(d.theirs.error) &&
        (!d.ours.failed() || d.ours_certain_at >= d.theirs_error_at)) {
      if (d.first_diff != d.theirs.values.size() || d.ours.values.size() < d.theirs.values.size()) {
        return fail(step, Mismatch(d) + " before hiredis's budget refusal" + Details(d));
      }
      if (round == 0) out.agree = false;
      out.skipped = true;
      out.skip_reason = d.theirs.error.reason + " at byte " + At(d.theirs_error_at) +
                        (round == 0 ? "" : " of the payload after the repairs/restarts") +
                        ": not compared from there on";
      return out;
    }

    if (Agree(d)) return out;
    if (round == 0) out.agree = false;
    if (!use_table) {
      return fail(step, Mismatch(d) + "; no table used" + Details(d));
    }

    const HiredisDivergence* div = nullptr;
    for (const HiredisDivergence& e : kDivergences) {
      if (e.explains(d)) {
        div = &e;
        break;
      }
    }
    if (div == nullptr) {
      return fail(step,
                  Mismatch(d) + "; no entry of the divergence table explains it" + Details(d));
    }
    if (round == 0) out.divergence = div->name;

    if (div->then == HiredisFollowUp::kCanonicalizeNumbers) {
      if (++repairs > kHiredisMaxRepairs) {
        return fail(step, "more than " + std::to_string(kHiredisMaxRepairs) +
                              " rounds of number repairs; not excusing the rest" + Details(d));
      }
      // Every non-canonical number line our reader accepted, the offending one
      // among them, in one go.
      StrictScan scan = ScanStrict(current);
      std::string next;
      std::vector<std::pair<size_t, size_t>> removed;  // (old CR offset, bytes removed)
      size_t copied = 0;
      std::string first;
      for (const StrictLine& l : scan.lines) {
        std::string_view content =
            std::string_view(current).substr(l.start + 1, l.cr - l.start - 1);
        std::string canonical = CanonicalNumber(current[l.start], content);
        if (canonical.empty()) continue;
        if (first.empty()) {
          first = "\"" + EscapeBytes(current.substr(l.start, l.cr - l.start)) + "\" -> \"" +
                  current[l.start] + canonical + "\"";
        }
        next.append(current, copied, l.start + 1 - copied);
        next += canonical;
        copied = l.cr;
        removed.emplace_back(l.cr, content.size() - canonical.size());
      }
      if (removed.empty()) {
        return fail(step, std::string(div->name) +
                              " explains it, but there is no number line to repair" + Details(d));
      }
      next.append(current, copied);
      // Our reader reads the same values; its error moves with the bytes.
      expect = d.ours;
      if (expect.failed()) {
        uint64_t shift = 0;
        for (auto [cr, n] : removed) {
          if (cr <= expect.error.offset) shift += n;
        }
        expect.error.offset -= shift;
      }
      out.rounds.push_back(std::string(div->name) + ": repaired " + std::to_string(removed.size()) +
                           " number line(s), first " + first + ", compared again");
      current = std::move(next);
      continue;
    }

    if (div->then == HiredisFollowUp::kRestartAfterReply) {
      // The values inside the too-deep reply are not compared. If our reader
      // completed it, compare again from its end.
      const size_t k = d.first_diff;
      if (d.ours.values.size() <= k) return out;
      StrictScan scan = ScanStrict(current);
      if (scan.value_ends.size() <= k) {
        return fail(step, "our reader completed value " + std::to_string(base + k) +
                              " but its strict framing does not" + Details(d));
      }
      if (++restarts > kHiredisMaxRestarts) {
        out.rounds.push_back(std::string(div->name) + ": past " +
                             std::to_string(kHiredisMaxRestarts) +
                             " restarts, the rest is not compared");
        return out;
      }
      const size_t end = scan.value_ends[k];
      expect = d.ours;
      expect.values.Reset();
      for (size_t i = k + 1; i < d.ours.values.size(); ++i) expect.values.Append(d.ours.values[i]);
      if (expect.failed()) {
        if (expect.error.offset < end) {
          return fail(step, "our reader's error offset lies inside value " +
                                std::to_string(base + k) + ", which it completed" + Details(d));
        }
        expect.error.offset -= end;
      }
      out.rounds.push_back(std::string(div->name) + ": value " + std::to_string(base + k) +
                           " (to byte " + std::to_string(end) +
                           ") not compared; compared again after it");
      base += k + 1;
      current.erase(0, end);
      continue;
    }
    return out;
  }
}

fuzz::Verdict CheckHiredisDiff(ReplyParser& ours, ReplyParser& theirs, std::string_view payload,
                               size_t hiredis_chunk) {
  return CompareHiredisDiff(ours, theirs, payload, hiredis_chunk).verdict;
}

fuzz::Verdict RunRespHiredisDiff(std::string_view input) {
  HiredisDiffCase c = DecodeHiredisDiffCase(input);
  // Both parsers are reused from input to input: Start() resets everything
  // but their buffers (hiredis's reader included).
  static ReplyParser* const ours = MakeReplyParser().release();
  static ReplyParser* const theirs = MakeHiredisParser().release();
  AtEndOfInput release([] {
    ours->Start(Protocol::kResp2, HiredisDiffLimits());
    theirs->Start(Protocol::kResp2, HiredisDiffLimits());
    CertainAtScratch().Reset();
  });
  return CheckHiredisDiff(*ours, *theirs, c.payload, c.hiredis_chunk);
}

std::string DescribeRespHiredisDiff(std::string_view input) {
  HiredisDiffCase c = DecodeHiredisDiffCase(input);
  std::string out = "hiredis feeding: ";
  out += c.hiredis_whole ? std::string("whole")
                         : "chunks of " + std::to_string(c.hiredis_chunk) + " bytes";
  out += "\npayload (" + std::to_string(c.payload.size()) + " bytes): \"" + EscapeBytes(c.payload) +
         "\"\n";
  auto ours = MakeReplyParser();
  auto theirs = MakeHiredisParser();
  HiredisDiffOutcome o = CompareHiredisDiff(*ours, *theirs, c.payload, c.hiredis_chunk);
  if (!HiredisDiffSkipReason(c.payload).empty()) return out + "skipped: " + o.skip_reason + "\n";
  out += DescribeSide("ours (RESP2, strict)", o.ours);
  out += DescribeSide("hiredis 0.14.1", o.theirs);
  for (const std::string& r : o.rounds) out += "round: " + r + "\n";
  if (o.skipped) {
    out += "verdict: compared up to hiredis's budget refusal: " + o.skip_reason + "\n";
  } else if (o.agree) {
    out += "verdict: agree\n";
  } else if (!o.divergence.empty()) {
    out += "verdict: known divergence " + std::string(o.divergence) + "\n";
  } else {
    out += "verdict: " + o.verdict.ToString() + "\n";
  }
  return out;
}

RESPFUZZ_REGISTER_HARNESS(
    resp_hiredis_diff,
    Harness{"resp_hiredis_diff", "raw RESP2 reply bytes, to our reader and to hiredis 0.14.1",
            "both accept or both reject; accepted replies are equal trees; every known "
            "divergence is listed in one table",
            RunRespHiredisDiff, DescribeRespHiredisDiff});

}  // namespace respfuzz::harnesses
