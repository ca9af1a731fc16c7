#include "harnesses/resp_hiredis12_diff/checks.h"

#include <strings.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "harnesses/common/registry.h"
#include "harnesses/resp_hiredis12_diff/hiredis12_parser.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses {

using resp::Protocol;
using resp::ReaderErrorCode;

resp::ReaderLimits Hiredis12DiffLimits() {
  resp::ReaderLimits l;
  l.max_depth = resp::ReaderLimits::kMaxDepthCeiling;
  return l;
}

Hiredis12DiffCase DecodeHiredis12DiffCase(std::string_view input) {
  Hiredis12DiffCase c;
  c.plan = TakeChunkPlan(&input);
  c.payload = input;
  return c;
}

std::string EncodeHiredis12DiffCase(const ChunkPlan& plan, std::string_view payload) {
  return EncodeChunkPlan(plan) + std::string(payload);
}

namespace {

constexpr uint64_t kNoError = kHiredis12NoError;

// A known finding in hiredis 1.2.0 (docs/fidelity.md, "hiredis 1.2.0"):
// processBulkItem (read.c:432) adds 2 to a bulk or verbatim length in long
// long, which overflows, undefined behaviour, for a length of
// 9223372036854775806 or 9223372036854775807. Such a header, a `$` or `=` at
// the start of a line followed by one of those numbers (string2ll's form:
// no sign, no leading zero) and CR, is not fed to hiredis: the input is
// skipped, which lets fuzzing go on past it. It may sit inside a payload,
// where hiredis would not read it as a header; skipping that input too
// costs little.
bool HasOverflowingBulkLength(std::string_view payload) {
  for (size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] != '$' && payload[i] != '=') continue;
    if (i != 0 && payload[i - 1] != '\n') continue;
    const std::string_view digits = payload.substr(i + 1, 19);
    if (digits.size() != 19 || i + 20 >= payload.size() || payload[i + 20] != '\r') continue;
    if (digits.find_first_not_of("0123456789") != std::string_view::npos) continue;
    if (digits >= "9223372036854775806" && digits <= "9223372036854775807") return true;
  }
  return false;
}

// --- where a byte sits ----------------------------------------------------------

// A length as both readers may read it for a bulk: digits (our reader allows
// leading zeros) within int64.
bool Digits(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (uint64_t{INT64_MAX} - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

// Where byte `x` sits in the RESP3 framing of `p`: the item (a line, or a
// bulk's payload or its CRLF) that holds it. Meaningful when our reader
// accepted every byte before x. Aggregates are header lines here; nothing
// below needs their nesting (hiredis 1.2.0 has no depth limit, and ours is
// never reached).
struct Spot {
  enum Kind : uint8_t { kUnknown, kLine, kBulkPayload, kBulkTerminator };
  Kind kind = kUnknown;
  size_t start = 0;  // the item's type byte
  char type = 0;
  size_t cr = std::string_view::npos;  // the line's first CR, npos if none yet
  std::string_view content;            // after the type byte, up to that CR (or the end)
  size_t bulk_end = 0;                 // kBulkPayload, kBulkTerminator: where the CRLF is due
};

Spot Locate(std::string_view p, uint64_t x) {
  constexpr size_t npos = std::string_view::npos;
  size_t pos = 0;
  while (pos < p.size() && pos <= x) {
    Spot s;
    s.start = pos;
    s.type = p[pos];
    s.cr = p.find('\r', pos + 1);
    s.content = p.substr(pos + 1, (s.cr == npos ? p.size() : s.cr) - pos - 1);
    if (s.cr == npos || x < s.cr + 2) {
      s.kind = Spot::kLine;
      return s;
    }
    if (p[s.cr + 1] != '\n') return {};
    size_t next = s.cr + 2;
    int64_t n = 0;
    // Bulk-like items: $ ! = and the parts (;N) of a streamed string.
    if ((s.type == '$' || s.type == '!' || s.type == '=' || s.type == ';') &&
        Digits(s.content, &n)) {
      const auto len = static_cast<size_t>(n);
      if (len > p.size()) return {};
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
    pos = next;
  }
  return {};
}

// The line holding byte x, when x is its LF (the byte that completes it).
bool LineEndsAt(const Hiredis12Disagreement& d, uint64_t x, Spot* s) {
  *s = Locate(d.payload, x);
  return s->kind == Spot::kLine && s->cr != std::string_view::npos && s->cr + 1 == x &&
         x < d.payload.size() && d.payload[x] == '\n';
}

// Our reader failed first: hiredis had not failed by then, and every value we
// produced hiredis produced too.
bool OursFirst(const Hiredis12Disagreement& d) {
  return d.ours.failed() && d.ours_certain_at != kNoError &&
         (!d.theirs.failed() ||
          (d.theirs_certain_at != kNoError && d.theirs_certain_at > d.ours_certain_at)) &&
         d.first_diff == d.ours.values.size() && d.theirs.values.size() >= d.ours.values.size();
}

// hiredis failed first, symmetrically.
bool TheirsFirst(const Hiredis12Disagreement& d) {
  return d.theirs.failed() && d.theirs_certain_at != kNoError &&
         (!d.ours.failed() || d.ours_certain_at > d.theirs_certain_at) &&
         d.first_diff == d.theirs.values.size() && d.ours.values.size() >= d.theirs.values.size();
}

// Our reader failed first, with `code`, certain at the LF of a line of a type
// in `types`; sets *s to that line.
bool OursRejectLine(const Hiredis12Disagreement& d, ReaderErrorCode code, std::string_view types,
                    Spot* s) {
  return OursFirst(d) && d.ours.error.code == code && LineEndsAt(d, d.ours_certain_at, s) &&
         types.find(s->type) != std::string_view::npos;
}

// hiredis failed first with `errstr`, certain at the LF of a line of a type
// in `types` that our reader accepted; sets *s to that line.
bool TheirsRejectLine(const Hiredis12Disagreement& d, std::string_view errstr,
                      std::string_view types, Spot* s) {
  return TheirsFirst(d) && d.theirs.error.reason == errstr &&
         LineEndsAt(d, d.theirs_certain_at, s) && types.find(s->type) != std::string_view::npos;
}

// What hiredis 1.2.0's processLineItem accepts as a ',' line (read.c): under
// 326 bytes; "inf", "-inf", "nan", "-nan" in any case; else what strtod reads
// whole (C locale: leading spaces, hex, "1.", ".5"...) to a finite value.
bool HiredisReadsDouble(std::string_view s) {
  if (s.size() >= 326) return false;
  const std::string buf(s);
  if (buf.size() == 3 &&
      (strcasecmp(buf.c_str(), "inf") == 0 || strcasecmp(buf.c_str(), "nan") == 0)) {
    return true;
  }
  if (buf.size() == 4 &&
      (strcasecmp(buf.c_str(), "-inf") == 0 || strcasecmp(buf.c_str(), "-nan") == 0)) {
    return true;
  }
  if (buf.empty() || std::strlen(buf.c_str()) != buf.size()) return false;  // a NUL stops strtod
  char* end = nullptr;
  const double v = std::strtod(buf.c_str(), &end);
  return end == buf.c_str() + buf.size() && std::isfinite(v);
}

// Our reader's ',' grammar, through our reader itself on the line alone.
bool OursReadsDouble(std::string_view content) {
  resp::Reader r(Protocol::kResp3, Hiredis12DiffLimits());
  resp::ReplyTree t;
  resp::ReplyBuilder b;
  b.SetOutput(&t);
  const std::string line = "," + std::string(content) + "\r\n";
  return r.Feed(line, b) && t.size() == 1;
}

bool OursReadsBigNumber(std::string_view content) {
  if (!content.empty() && (content[0] == '+' || content[0] == '-')) content.remove_prefix(1);
  if (content.empty()) return false;
  for (char c : content) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// --- the divergences --------------------------------------------------------------

// hiredis reads a line up to the first CRLF after its type byte, CRs and LFs
// before it included. It rejects such a line (a simple string's CR or LF,
// any number's bytes) or waits for its CRLF, building no value past ours;
// except a double: strtod skips leading whitespace, CR and LF among it, so
// ",\n1\r\n" reads as 1.
bool HiredisStopsInLine(const Hiredis12Disagreement& d, const Spot& s) {
  if (d.theirs.values.size() == d.ours.values.size()) return true;
  // hiredis reads the double and goes on (completing the reply around it and
  // more); nothing of that is compared.
  if (s.type != ',') return false;
  const size_t crlf = d.payload.find("\r\n", s.start + 1);
  return crlf != std::string_view::npos &&
         HiredisReadsDouble(d.payload.substr(s.start + 1, crlf - s.start - 1));
}

bool StrayCrInLine(const Hiredis12Disagreement& d) {
  if (!OursFirst(d) || d.ours.error.code != ReaderErrorCode::kBadTerminator) return false;
  Spot s = Locate(d.payload, d.ours_error_at);
  return s.kind == Spot::kLine && s.cr != std::string_view::npos && s.cr + 1 == d.ours_error_at &&
         d.payload[d.ours_error_at] != '\n' && HiredisStopsInLine(d, s);
}

bool BareLfInLine(const Hiredis12Disagreement& d) {
  if (!OursFirst(d) || d.ours.error.code != ReaderErrorCode::kCharInLine) return false;
  Spot s = Locate(d.payload, d.ours_error_at);
  return s.kind == Spot::kLine && s.start < d.ours_error_at &&
         (s.cr == std::string_view::npos || d.ours_error_at < s.cr) &&
         d.payload[d.ours_error_at] == '\n' && HiredisStopsInLine(d, s);
}

bool BulkTerminatorUnchecked(const Hiredis12Disagreement& d) {
  if (!OursFirst(d) || d.ours.error.code != ReaderErrorCode::kBadTerminator) return false;
  const uint64_t x = d.ours_error_at;
  Spot s = Locate(d.payload, x);
  if (s.kind != Spot::kBulkTerminator || (s.type != '$' && s.type != '=')) return false;
  return x == s.bulk_end ? d.payload[x] != '\r'
                         : d.payload[s.bulk_end] == '\r' && d.payload[x] != '\n';
}

bool BulkAboveOurLimit(const Hiredis12Disagreement& d) {
  Spot s;
  int64_t n = 0;
  return !d.theirs.failed() && OursRejectLine(d, ReaderErrorCode::kBulkTooLong, "$=", &s) &&
         Digits(s.content, &n) && n > Hiredis12DiffLimits().max_bulk_len;
}

bool IntegerNotCanonical(const Hiredis12Disagreement& d) {
  Spot s;
  if (!TheirsRejectLine(d, kHiredis12BadInteger, ":", &s)) return false;
  std::string_view c = s.content;
  // Our reader read it (the line is complete and we had not failed): only
  // the form can be what hiredis's string2ll refuses.
  if (c.empty()) return false;
  if (c[0] == '+') return true;
  std::string_view digits = c[0] == '-' ? c.substr(1) : c;
  return !digits.empty() && digits[0] == '0' && (digits.size() > 1 || c[0] == '-');
}

bool LengthLeadingZero(const Hiredis12Disagreement& d) {
  Spot s;
  int64_t n = 0;
  if (!TheirsRejectLine(d, kHiredis12BadBulkLength, "$=", &s) &&
      !TheirsRejectLine(d, kHiredis12BadMultiBulkLength, "*%~>", &s)) {
    return false;
  }
  return Digits(s.content, &n) && s.content.size() > 1 && s.content[0] == '0';
}

bool TypeHiredisLacks(const Hiredis12Disagreement& d) {
  if (!TheirsFirst(d) || !d.theirs.error.reason.starts_with(kHiredis12BadTypeByte)) return false;
  Spot s = Locate(d.payload, d.theirs_certain_at);
  return s.kind == Spot::kLine && s.start == d.theirs_certain_at &&
         (s.type == '|' || s.type == '!' || s.type == '.');
}

bool StreamedHeader(const Hiredis12Disagreement& d) {
  Spot s;
  if (!TheirsRejectLine(d, kHiredis12BadBulkLength, "$", &s) &&
      !TheirsRejectLine(d, kHiredis12BadMultiBulkLength, "*%~", &s)) {
    return false;
  }
  return s.content == "?";
}

bool Resp3AggregateNil(const Hiredis12Disagreement& d) {
  Spot s;
  return OursRejectLine(d, ReaderErrorCode::kBadLength, "%~>=", &s) && s.content == "-1";
}

bool DoubleHiredisOnly(const Hiredis12Disagreement& d) {
  Spot s;
  return OursRejectLine(d, ReaderErrorCode::kBadDouble, ",", &s) && HiredisReadsDouble(s.content) &&
         !OursReadsDouble(s.content);
}

bool DoubleOursOnly(const Hiredis12Disagreement& d) {
  Spot s;
  if (!TheirsRejectLine(d, kHiredis12BadDouble, ",", &s) &&
      !TheirsRejectLine(d, kHiredis12DoubleTooLarge, ",", &s)) {
    return false;
  }
  return OursReadsDouble(s.content) && !HiredisReadsDouble(s.content);
}

bool BooleanUppercase(const Hiredis12Disagreement& d) {
  Spot s;
  return OursRejectLine(d, ReaderErrorCode::kBadBoolean, "#", &s) &&
         (s.content == "T" || s.content == "F");
}

bool BooleanNulReadAsFalse(const Hiredis12Disagreement& d) {
  Spot s;
  return OursRejectLine(d, ReaderErrorCode::kBadBoolean, "#", &s) &&
         s.content == std::string_view("\0", 1);
}

bool BigNumberWithoutDigits(const Hiredis12Disagreement& d) {
  Spot s;
  return OursRejectLine(d, ReaderErrorCode::kBadBigNumber, "(", &s) &&
         (s.content.empty() || s.content == "-");
}

bool BigNumberPlusSign(const Hiredis12Disagreement& d) {
  Spot s;
  return TheirsRejectLine(d, kHiredis12BadBignum, "(", &s) && !s.content.empty() &&
         s.content[0] == '+' && OursReadsBigNumber(s.content);
}

// Every known divergence between our RESP3 reader and hiredis 1.2.0 (read.c
// of the pinned 1.2.0-6 source). Each has a test in
// tests/resp_hiredis12_diff_harness_test.cc; docs/fidelity.md has the table.
constexpr std::array<Hiredis12Divergence, 15> kDivergences = {{
    {"stray-cr-in-line",
     "A CR not followed by LF inside a line. We fail at the byte after the CR (the spec ends a "
     "line at CRLF only); hiredis reads on to the next CRLF and rejects the line there (\"Bad "
     "simple string value\", a bad number or length) or waits for it, except a double, which "
     "strtod reads past leading whitespace (\",\\r1\\r\\n\" is 1). Nothing after our error "
     "is compared.",
     StrayCrInLine},
    {"bare-lf-in-line",
     "An LF not preceded by CR inside a line. We fail at the LF; hiredis rejects the line at its "
     "CRLF (or waits for one), except a double led by whitespace, as above. Nothing after our "
     "error is compared.",
     BareLfInLine},
    {"bulk-crlf-unchecked",
     "The two bytes after a $ or = payload are not CRLF. We fail at the first wrong byte; "
     "hiredis skips the two bytes unread. Nothing after our error is compared.",
     BulkTerminatorUnchecked},
    {"bulk-above-our-limit",
     "A bulk length above our 512 MiB limit (Redis's proto-max-bulk-len). We fail at the "
     "header; hiredis takes any length up to LLONG_MAX and waits for the payload.",
     BulkAboveOurLimit},
    {"integer-not-canonical",
     "An integer with a '+' sign, a leading zero or \"-0\" (\":+5\", \":007\", \":-0\"). The "
     "spec's grammar allows an optional sign and digits; we read it; hiredis's string2ll takes "
     "only the canonical form and fails \"Bad integer value\".",
     IntegerNotCanonical},
    {"length-leading-zero",
     "A bulk or aggregate length with a leading zero (\"$03\", \"%01\"). We read it; hiredis "
     "fails \"Bad bulk string length\" / \"Bad multi-bulk length\".",
     LengthLeadingZero},
    {"type-hiredis-lacks",
     "The RESP3 types hiredis 1.2.0 does not read: attribute '|', blob error '!', and the "
     "streamed-aggregate end '.'. hiredis fails at the type byte (\"Protocol error, got ... as "
     "reply type byte\"); we read them as the spec defines them (or reject '.' outside a "
     "streamed aggregate, at its line's end).",
     TypeHiredisLacks},
    {"streamed-header",
     "A streamed string or aggregate header (\"$?\", \"*?\", \"%?\", \"~?\"), which the RESP3 "
     "spec defines. hiredis 1.2.0 has no streamed types and fails the length at the LF.",
     StreamedHeader},
    {"resp3-aggregate-nil",
     "\"%-1\", \"~-1\", \">-1\" or \"=-1\". The spec has -1 only for RESP2's $ and *; we fail "
     "the length; hiredis reads a nil.",
     Resp3AggregateNil},
    {"double-hiredis-only",
     "A double the spec's grammar does not allow but strtod reads: leading spaces, \".5\", "
     "\"5.\", hex (\"0x10\"), \"INF\"/\"Inf\". We fail; hiredis reads strtod's value.",
     DoubleHiredisOnly},
    {"double-ours-only",
     "A double we read that hiredis fails: \"nan(...)\" (glibc's NaN text), or 326 bytes or "
     "more (\"Double value is too large\"), e.g. a long run of decimals.",
     DoubleOursOnly},
    {"boolean-uppercase",
     "\"#T\" or \"#F\". The spec has only t and f; we fail; hiredis reads true or false.",
     BooleanUppercase},
    {"boolean-nul-read-as-false",
     "A boolean line whose one byte is NUL (\"#\\0\\r\\n\"). We fail; hiredis reads false: it "
     "checks the byte with strchr(\"tTfF\", p[0]), which finds the string's terminator for a "
     "NUL. A hiredis 1.2.0 bug (read.c processLineItem).",
     BooleanNulReadAsFalse},
    {"bignumber-without-digits",
     "\"(\" with no digits, or \"(-\". The spec wants digits; we fail; hiredis checks only that "
     "each byte is a digit (a '-' first) and reads \"\" or \"-\".",
     BigNumberWithoutDigits},
    {"bignumber-plus-sign",
     "\"(+123\". We read it (a sign, as for ':'); hiredis allows only '-' and fails \"Bad bignum "
     "value\".",
     BigNumberPlusSign},
}};

}  // namespace

std::span<const Hiredis12Divergence> Hiredis12Divergences() { return kDivergences; }

// --- the comparison ---------------------------------------------------------------

namespace {

bool Rejects(ReplyParser& parser, std::string_view payload, size_t len,
             const resp::ReaderLimits& limits, resp::ReplyTree* scratch) {
  scratch->Reset();
  parser.Start(Protocol::kResp3, limits);
  parser.Feed(payload.substr(0, len), scratch);
  return parser.error().code != ReaderErrorCode::kNone;
}

uint64_t CertainBySearch(ReplyParser& parser, std::string_view payload,
                         const resp::ReaderLimits& limits, resp::ReplyTree* scratch) {
  auto rejects = [&](size_t len) { return Rejects(parser, payload, len, limits, scratch); };
  if (payload.empty() || !rejects(payload.size())) return kNoError;
  size_t lo = 1, hi = payload.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (rejects(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo - 1;
}

std::string At(uint64_t x) { return x == kNoError ? std::string("-") : std::to_string(x); }

std::string DescribeSide(const char* who, const Hiredis12Side& s) {
  std::string out = std::string(who) + ": " + std::to_string(s.values.size()) + " values, error " +
                    DescribeError(s.error);
  if (!s.failed()) out += s.idle ? ", ends cleanly" : ", input ends inside a value";
  return out + "\n" + DescribeValues(s.values, 16);
}

// Feeds `payload` in the chunks of `plan`; returns the offset of the chunk
// the side failed on (0 when it did not fail).
size_t FeedSide(ReplyParser& p, std::string_view payload, const ChunkPlan& plan,
                Hiredis12Side* side) {
  p.Start(Protocol::kResp3, Hiredis12DiffLimits());
  size_t at = 0, failed_at = 0;
  for (std::string_view c : Chunks(payload, plan)) {
    if (!p.Feed(c, &side->values)) {
      failed_at = at;
      break;
    }
    at += c.size();
  }
  side->error = p.error();
  side->idle = p.idle();
  return failed_at;
}

Hiredis12Disagreement RunBoth(ReplyParser& ours, ReplyParser& theirs, std::string_view payload,
                              const ChunkPlan& plan) {
  const resp::ReaderLimits limits = Hiredis12DiffLimits();
  Hiredis12Disagreement d;
  d.payload = payload;
  FeedSide(ours, payload, plan, &d.ours);
  const size_t theirs_failed_chunk = FeedSide(theirs, payload, plan, &d.theirs);
  NormalizeNullsForHiredis12(&d.ours.values);
  const auto& ov = d.ours.values;
  const auto& tv = d.theirs.values;
  size_t k = 0;
  while (k < ov.size() && k < tv.size() && resp::Equal(ov[k], tv[k])) ++k;
  d.first_diff = k;
  if (d.ours.failed()) {
    d.ours_error_at = d.ours.error.offset;
    const uint64_t certain = Hiredis12CertainAt(ours, payload, limits, d.ours_error_at);
    d.ours_certain_at = certain == kNoError ? d.ours_error_at : std::max(certain, d.ours_error_at);
  }
  if (d.theirs.failed()) {
    d.theirs_certain_at = Hiredis12CertainAt(theirs, payload, limits, theirs_failed_chunk);
  }
  return d;
}

bool Agree(const Hiredis12Disagreement& d) {
  if (d.first_diff != d.ours.values.size() || d.first_diff != d.theirs.values.size()) return false;
  if (d.ours.failed() != d.theirs.failed()) return false;
  if (!d.ours.failed()) return d.ours.idle == d.theirs.idle;
  return d.ours_certain_at == d.theirs_certain_at;
}

std::string Mismatch(const Hiredis12Disagreement& d) {
  const auto& ov = d.ours.values;
  const auto& tv = d.theirs.values;
  const size_t k = d.first_diff;
  if (k < ov.size() && k < tv.size()) {
    return "value " + std::to_string(k) + " differs: ours " + resp::ToDebugString(ov[k], 512) +
           " vs hiredis " + resp::ToDebugString(tv[k], 512);
  }
  if (ov.size() != tv.size()) {
    return "ours gave " + std::to_string(ov.size()) + " values, hiredis " +
           std::to_string(tv.size());
  }
  if (d.ours.failed() != d.theirs.failed()) {
    return d.ours.failed() ? "ours rejects, hiredis accepts" : "hiredis rejects, ours accepts";
  }
  if (d.ours.failed()) {
    return std::string("both reject, but ") +
           (d.ours_certain_at < d.theirs_certain_at ? "ours" : "hiredis") + " first";
  }
  return std::string("same values, but the input ends cleanly for ") +
         (d.ours.idle ? "ours only" : "hiredis only");
}

std::string Details(const Hiredis12Disagreement& d) {
  return " (ours' error at byte " + At(d.ours_error_at) + ", certain at byte " +
         At(d.ours_certain_at) + ", hiredis's certain at byte " + At(d.theirs_certain_at) + ")\n" +
         DescribeSide("ours", d.ours) + DescribeSide("hiredis 1.2.0", d.theirs);
}

resp::ReplyTree& Scratch() {
  static resp::ReplyTree* const scratch = new resp::ReplyTree;
  return *scratch;
}

}  // namespace

uint64_t Hiredis12CertainAt(ReplyParser& parser, std::string_view payload,
                            const resp::ReaderLimits& limits, size_t from) {
  resp::ReplyTree& scratch = Scratch();
  scratch.Reset();
  parser.Start(Protocol::kResp3, limits);
  from = std::min(from, payload.size());
  const bool walked = from == 0 || parser.Feed(payload.substr(0, from), &scratch);
  uint64_t at = kNoError;
  for (size_t i = from; walked && i < payload.size(); ++i) {
    scratch.clear();
    if (!parser.Feed(payload.substr(i, 1), &scratch)) {
      at = i;
      break;
    }
  }
  if (walked) {
    if (at == kNoError) {
      if (!Rejects(parser, payload, payload.size(), limits, &scratch)) return kNoError;
    } else if (Rejects(parser, payload, at + 1, limits, &scratch) &&
               (at == 0 || !Rejects(parser, payload, at, limits, &scratch))) {
      return at;
    }
  }
  return CertainBySearch(parser, payload, limits, &scratch);
}

Hiredis12DiffOutcome CompareHiredis12Diff(ReplyParser& ours, ReplyParser& theirs,
                                          std::string_view payload, const ChunkPlan& plan,
                                          bool use_table) {
  Hiredis12DiffOutcome out;
  if (payload.size() > kHiredis12DiffMaxPayload) {
    out.skipped = true;
    out.skip_reason = "payload of " + std::to_string(payload.size()) + " bytes is above " +
                      std::to_string(kHiredis12DiffMaxPayload);
    return out;
  }
  if (HasOverflowingBulkLength(payload)) {
    out.skipped = true;
    out.skip_reason =
        "a bulk or verbatim length of 9223372036854775806 or more: hiredis 1.2.0 adds 2 to it in "
        "long long (read.c:432, undefined behaviour; a known finding), not fed";
    return out;
  }
  Hiredis12Disagreement d = RunBoth(ours, theirs, payload, plan);
  out.ours = d.ours;
  out.theirs = d.theirs;
  const auto step = static_cast<int64_t>(d.first_diff);
  auto fail = [&](std::string msg) {
    out.verdict = fuzz::Verdict::Fail("hiredis12-diff", step, std::move(msg) + Details(d));
    return out;
  };

  // hiredis's budget refused an aggregate: nothing from there on is compared,
  // unless our reader failed first.
  if (d.theirs.failed() && IsHiredis12BudgetRefusal(d.theirs.error) &&
      (!d.ours.failed() || d.ours_certain_at >= d.theirs_certain_at)) {
    if (d.first_diff != d.theirs.values.size() || d.ours.values.size() < d.theirs.values.size()) {
      return fail(Mismatch(d) + " before hiredis's budget refusal");
    }
    out.agree = false;
    out.skipped = true;
    out.skip_reason = d.theirs.error.reason + " at byte " + At(d.theirs_certain_at) +
                      ": not compared from there on";
    return out;
  }
  if (Agree(d)) return out;
  out.agree = false;
  if (!use_table) return fail(Mismatch(d) + "; no table used");
  for (const Hiredis12Divergence& e : Hiredis12Divergences()) {
    if (e.explains(d)) {
      out.divergence = e.name;
      return out;
    }
  }
  return fail(Mismatch(d) + "; no entry of the divergence table explains it");
}

fuzz::Verdict RunRespHiredis12Diff(std::string_view input) {
  const Hiredis12DiffCase c = DecodeHiredis12DiffCase(input);
  // Our parser is reused from input to input (Start() resets all but its
  // buffers); hiredis's reader is created by redisReaderCreate() at every
  // Start(), as a client gets it, and freed with the parser here.
  static ReplyParser* const ours = MakeReplyParser().release();
  AtEndOfInput release([] {
    ours->Start(Protocol::kResp3, Hiredis12DiffLimits());
    Scratch().Reset();
  });
  auto theirs = MakeHiredis12Parser();
  return CompareHiredis12Diff(*ours, *theirs, c.payload, c.plan).verdict;
}

std::string DescribeRespHiredis12Diff(std::string_view input) {
  const Hiredis12DiffCase c = DecodeHiredis12DiffCase(input);
  std::string out = "feeds: " + DescribeChunkPlan(c.plan) + "\npayload (" +
                    std::to_string(c.payload.size()) + " bytes): \"" + EscapeBytes(c.payload) +
                    "\"\n";
  auto ours = MakeReplyParser();
  auto theirs = MakeHiredis12Parser();
  const Hiredis12DiffOutcome o = CompareHiredis12Diff(*ours, *theirs, c.payload, c.plan);
  out += DescribeSide("ours (RESP3)", o.ours);
  out += DescribeSide("hiredis 1.2.0", o.theirs);
  if (o.skipped) {
    out += "verdict: skipped: " + o.skip_reason + "\n";
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
    resp_hiredis12_diff,
    Harness{"resp_hiredis12_diff",
            "raw RESP2 and RESP3 reply bytes, chunked, to our RESP3 reader and to hiredis 1.2.0",
            "both accept or both reject at the same byte; accepted replies are equal trees; "
            "every known divergence is listed in one table",
            RunRespHiredis12Diff, DescribeRespHiredis12Diff});

}  // namespace respfuzz::harnesses
