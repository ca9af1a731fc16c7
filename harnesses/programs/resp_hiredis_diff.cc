#include "harnesses/programs/resp_hiredis_diff.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <utility>

#include "harnesses/programs/registry.h"

namespace respfuzz::programs {

using resp::Protocol;
using resp::ReaderError;
using resp::ReaderErrorCode;
using resp::Type;
using resp::Value;

resp::ReaderLimits HiredisDiffLimits() {
  resp::ReaderLimits l;
  l.max_bulk_len = kHiredisDiffMaxBulkLen;
  l.max_aggregate_len = kHiredisDiffMaxAggregateLen;
  l.max_depth = kHiredisDiffMaxDepth;
  return l;
}

// --- hiredis as a ReplyParser ---------------------------------------------------

namespace {

// hiredis 0.14.1's error strings (read.c).
constexpr std::string_view kHiredisDepthError =
    "No support for nested multi bulk replies with depth > 7";
constexpr std::string_view kHiredisBadInteger = "Bad integer value";
constexpr std::string_view kHiredisBadBulkLength = "Bad bulk string length";
constexpr std::string_view kHiredisBadMultiBulkLength = "Bad multi-bulk length";

ReaderErrorCode NearestCode(std::string_view errstr) {
  if (errstr.starts_with("Protocol error, got")) return ReaderErrorCode::kUnknownType;
  if (errstr == kHiredisBadInteger) return ReaderErrorCode::kBadInteger;
  if (errstr == kHiredisDepthError) return ReaderErrorCode::kTooDeep;
  // "Bad bulk string length", "Bulk string length out of range",
  // "Bad multi-bulk length", "Multi-bulk length out of range", and anything else
  // (only "Out of memory" is left in 0.14.1).
  return ReaderErrorCode::kBadLength;
}

// A redisReply tree as a resp::Value, without recursion.
Value ConvertReply(const redisReply* reply) {
  Value root;
  std::vector<std::pair<const redisReply*, Value*>> todo = {{reply, &root}};
  while (!todo.empty()) {
    auto [src, dst] = todo.back();
    todo.pop_back();
    switch (src->type) {
      case REDIS_REPLY_STRING:
        dst->type = Type::kBulkString;
        dst->str.assign(src->str, src->len);
        break;
      case REDIS_REPLY_STATUS:
        dst->type = Type::kSimpleString;
        dst->str.assign(src->str, src->len);
        break;
      case REDIS_REPLY_ERROR:
        dst->type = Type::kError;
        dst->str.assign(src->str, src->len);
        break;
      case REDIS_REPLY_INTEGER:
        dst->type = Type::kInteger;
        dst->integer = src->integer;
        break;
      case REDIS_REPLY_NIL:
        dst->type = Type::kNullBulk;
        break;
      case REDIS_REPLY_ARRAY:
        dst->type = Type::kArray;
        // Sized once, so the element pointers queued below stay valid.
        dst->elems.resize(src->elements);
        for (size_t i = src->elements; i-- > 0;) todo.push_back({src->element[i], &dst->elems[i]});
        break;
      default:  // 0.14.1 builds no other type; keep it visible in a diff.
        dst->type = Type::kNull;
        break;
    }
  }
  return root;
}

class HiredisParser : public ReplyParser {
 public:
  ~HiredisParser() override { Free(); }
  void Start(Protocol, const resp::ReaderLimits&) override {
    Free();
    reader_ = redisReaderCreate();
    fed_ = 0;
    error_ = ReaderError{};
  }
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    if (error_.code != ReaderErrorCode::kNone) return false;
    fed_ += chunk.size();
    if (redisReaderFeed(reader_, chunk.data(), chunk.size()) != REDIS_OK) return SetError();
    while (true) {
      void* reply = nullptr;
      if (redisReaderGetReply(reader_, &reply) != REDIS_OK) return SetError();
      if (reply == nullptr) return true;
      out->push_back(ConvertReply(static_cast<const redisReply*>(reply)));
      freeReplyObject(reply);
    }
  }
  ReaderError error() const override { return error_; }
  bool idle() const override {
    // Nothing buffered and no reply task in progress: the stack is empty, or
    // holds only the root task still waiting for its type byte.
    return error_.code == ReaderErrorCode::kNone && buffered() == 0 &&
           (reader_->ridx == -1 || (reader_->ridx == 0 && reader_->rstack[0].type < 0));
  }
  uint64_t consumed() const override { return fed_ - buffered(); }
  size_t buffered() const override {
    return reader_->buf == nullptr ? 0 : reader_->len - reader_->pos;
  }

 private:
  bool SetError() {
    std::string_view errstr = reader_->errstr;
    error_ = ReaderError{NearestCode(errstr), fed_, std::string(errstr)};
    return false;
  }
  void Free() {
    if (reader_ != nullptr) redisReaderFree(reader_);
    reader_ = nullptr;
  }
  redisReader* reader_ = nullptr;
  uint64_t fed_ = 0;
  ReaderError error_;
};

}  // namespace

std::unique_ptr<ReplyParser> MakeHiredisParser() { return std::make_unique<HiredisParser>(); }

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
  int64_t declared = 0;
  for (size_t i = 0; i < payload.size(); ++i) {
    char t = payload[i];
    if (t != '*' && t != '$') continue;
    size_t j = i + 1;
    if (j < payload.size() && payload[j] == '+') ++j;  // never valid, but count it anyway
    const size_t first_digit = j;
    int64_t n = 0;  // saturates: only the comparison with the caps matters
    for (; j < payload.size() && payload[j] >= '0' && payload[j] <= '9'; ++j) {
      n = std::min<int64_t>(n * 10 + (payload[j] - '0'), int64_t{1} << 40);
    }
    if (j == first_digit) continue;
    int64_t cap = t == '*' ? kHiredisDiffMaxAggregateLen : kHiredisDiffMaxBulkLen;
    if (n > cap) {
      std::string_view digits = payload.substr(first_digit, std::min<size_t>(j - first_digit, 24));
      return std::string("'") + t + "' count " + std::string(digits) +
             (j - first_digit > 24 ? "..." : "") + " at offset " + std::to_string(i) +
             " is above the cap of " + std::to_string(cap);
    }
    if (t == '*') declared += n;
  }
  if (declared > kHiredisDiffMaxDeclaredElements) {
    return "'*' counts sum to " + std::to_string(declared) + ", above the budget of " +
           std::to_string(kHiredisDiffMaxDeclaredElements);
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
bool StrictInteger(std::string_view s) {
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

// Our reader failed first: hiredis had not failed by then, and every value we
// produced (all before our error) hiredis produced too.
bool OursFirst(const HiredisDisagreement& d) {
  return d.ours.failed() && d.ours_error_at != kNoError &&
         (!d.theirs.failed() ||
          (d.theirs_error_at != kNoError && d.theirs_error_at > d.ours_error_at)) &&
         d.first_diff == d.ours.values.size() && d.theirs.values.size() >= d.ours.values.size();
}

// hiredis failed first, symmetrically.
bool TheirsFirst(const HiredisDisagreement& d) {
  return d.theirs.failed() && d.theirs_error_at != kNoError &&
         (!d.ours.failed() || d.ours_error_at > d.theirs_error_at) &&
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
constexpr std::array<HiredisDivergence, 7> kDivergences = {{
    {"stray-cr-in-line",
     "A CR not followed by LF inside a +, -, :, $ or * line. We fail at the byte after the CR; "
     "hiredis searches for \"\\r\\n\", so the CR becomes part of the line (a status or error "
     "string keeps it; a number fails later) or hiredis waits for a CRLF that never comes.",
     StrayCrInLine},
    {"bare-lf-in-line",
     "An LF not preceded by CR inside a line. We fail at the LF; hiredis keeps it in the line "
     "(status and error strings contain it).",
     BareLfInLine},
    {"bulk-crlf-unchecked",
     "The two bytes after a bulk payload are not CRLF. We fail at the first wrong byte; "
     "hiredis takes the payload and skips the two bytes unread.",
     BulkTerminatorUnchecked},
    {"nesting-deeper-than-7",
     "A '*' type byte inside 8 open arrays. hiredis has a 9-slot task stack and fails as soon "
     "as it reads the '*' (even for *0 and *-1): \"No support for nested multi bulk replies "
     "with depth > 7\". We allow 64 levels.",
     NestingDeeperThan7},
    {"integer-plus-sign",
     "An integer with a leading '+' (\":+5\"). We read it; hiredis's string2ll accepts only "
     "'-' and fails \"Bad integer value\".",
     IntegerPlusSign},
    {"integer-leading-zero",
     "An integer with a leading zero (\":007\", \":-01\", \":00\") or negative zero (\":-0\"). "
     "We read it; hiredis's string2ll accepts only the canonical form.",
     IntegerLeadingZero},
    {"length-leading-zero",
     "A bulk or multi-bulk length with a leading zero (\"$03\", \"*00\"). We read it; hiredis "
     "fails \"Bad bulk string length\" / \"Bad multi-bulk length\".",
     LengthLeadingZero},
}};

// kNullArray -> kNullBulk everywhere in the tree: hiredis has a single nil.
void NormalizeNulls(std::vector<Value>* values) {
  std::vector<Value*> todo;
  for (Value& v : *values) todo.push_back(&v);
  while (!todo.empty()) {
    Value* v = todo.back();
    todo.pop_back();
    if (v->type == Type::kNullArray) v->type = Type::kNullBulk;
    for (Value& e : v->elems) todo.push_back(&e);
  }
}

std::string DescribeSide(const char* who, const DiffSide& s) {
  std::string out = std::string(who) + ": " + std::to_string(s.values.size()) + " values, error " +
                    DescribeError(s.error);
  if (!s.failed()) out += s.idle ? ", ends cleanly" : ", input ends inside a value";
  return out + "\n" + DescribeValues(s.values, 16);
}

}  // namespace

std::span<const HiredisDivergence> HiredisDivergences() { return kDivergences; }

// --- the comparison ---------------------------------------------------------------

HiredisDiffOutcome CompareHiredisDiff(ReplyParser& ours, ReplyParser& theirs,
                                      std::string_view payload, size_t hiredis_chunk,
                                      bool use_table) {
  HiredisDiffOutcome out;
  out.skip_reason = HiredisDiffSkipReason(payload);
  if (!out.skip_reason.empty()) {
    out.skipped = true;
    return out;
  }
  const resp::ReaderLimits limits = HiredisDiffLimits();

  ParseResult o = ParseWhole(ours, payload, Protocol::kResp2, limits);
  out.ours = DiffSide{std::move(o.values), o.error, o.idle};

  theirs.Start(Protocol::kResp2, limits);
  size_t step = hiredis_chunk == 0 ? std::max<size_t>(payload.size(), 1) : hiredis_chunk;
  for (size_t i = 0; i < payload.size(); i += step) {
    if (!theirs.Feed(payload.substr(i, step), &out.theirs.values)) break;
  }
  out.theirs.error = theirs.error();
  out.theirs.idle = theirs.idle();

  NormalizeNulls(&out.ours.values);
  NormalizeNulls(&out.theirs.values);

  const auto& ov = out.ours.values;
  const auto& tv = out.theirs.values;
  size_t k = 0;
  while (k < ov.size() && k < tv.size() && ov[k] == tv[k]) ++k;
  const bool same_values = k == ov.size() && k == tv.size();
  out.agree = same_values && out.ours.failed() == out.theirs.failed() &&
              (out.ours.failed() || out.ours.idle == out.theirs.idle);
  if (out.agree) return out;

  HiredisDisagreement d;
  d.payload = payload;
  d.ours = out.ours;
  d.theirs = out.theirs;
  d.first_diff = k;
  if (d.ours.failed()) d.ours_error_at = d.ours.error.offset;
  if (d.theirs.failed()) {
    // The shortest prefix hiredis rejects (rejection is monotone in the prefix:
    // more bytes never undo a step hiredis already took).
    auto rejects = [&](size_t len) {
      return ParseWhole(theirs, payload.substr(0, len), Protocol::kResp2, limits).error.code !=
             ReaderErrorCode::kNone;
    };
    if (rejects(payload.size())) {
      size_t lo = 1, hi = payload.size();
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rejects(mid)) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      d.theirs_error_at = lo - 1;
    }
  }

  if (use_table) {
    for (const HiredisDivergence& div : kDivergences) {
      if (div.explains(d)) {
        out.divergence = div.name;
        return out;
      }
    }
  }

  std::string msg;
  if (k < ov.size() && k < tv.size()) {
    msg = "value " + std::to_string(k) + " differs: ours " + resp::ToDebugString(ov[k], 512) +
          " vs hiredis " + resp::ToDebugString(tv[k], 512);
  } else if (ov.size() != tv.size()) {
    msg =
        "ours gave " + std::to_string(ov.size()) + " values, hiredis " + std::to_string(tv.size());
  } else if (out.ours.failed() != out.theirs.failed()) {
    msg = std::string(out.ours.failed() ? "ours rejects, hiredis accepts"
                                        : "hiredis rejects, ours accepts");
  } else {
    msg = std::string("same values, but the input ends cleanly for ") +
          (out.ours.idle ? "ours only" : "hiredis only");
  }
  msg += " (ours' error certain at byte " +
         (d.ours_error_at == kNoError ? std::string("-") : std::to_string(d.ours_error_at)) +
         ", hiredis's at byte " +
         (d.theirs_error_at == kNoError ? std::string("-") : std::to_string(d.theirs_error_at)) +
         "; no entry of the divergence table explains it)\n";
  msg += DescribeSide("ours", out.ours) + DescribeSide("hiredis", out.theirs);
  out.verdict = fuzz::Verdict::Fail("hiredis-diff", static_cast<int64_t>(k), std::move(msg));
  return out;
}

fuzz::Verdict CheckHiredisDiff(ReplyParser& ours, ReplyParser& theirs, std::string_view payload,
                               size_t hiredis_chunk) {
  return CompareHiredisDiff(ours, theirs, payload, hiredis_chunk).verdict;
}

fuzz::Verdict RunRespHiredisDiff(std::string_view input) {
  HiredisDiffCase c = DecodeHiredisDiffCase(input);
  auto ours = MakeReplyParser();
  auto theirs = MakeHiredisParser();
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
  if (o.skipped) return out + "skipped: " + o.skip_reason + "\n";
  out += DescribeSide("ours (RESP2, strict)", o.ours);
  out += DescribeSide("hiredis 0.14.1", o.theirs);
  if (o.agree) {
    out += "verdict: agree\n";
  } else if (!o.divergence.empty()) {
    out += "verdict: known divergence " + std::string(o.divergence) + "\n";
  } else {
    out += "verdict: " + o.verdict.ToString() + "\n";
  }
  return out;
}

}  // namespace respfuzz::programs
