#include "src/resp/reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "absl/strings/charconv.h"
#include "absl/strings/str_cat.h"

namespace respfuzz::resp {

// Chunking invariance: every decision below (accept, wait, or fail at an
// offset) depends only on bytes already available, so feeding the same stream
// in any chunking gives the same events and the same error. Framing errors
// are raised at the first offending byte; a line's content is judged once its
// CRLF is in, a bulk (and a verbatim's "xxx:") once its payload and CRLF are.

std::string_view ReaderErrorCodeName(ReaderErrorCode c) {
  switch (c) {
    case ReaderErrorCode::kNone:
      return "none";
    case ReaderErrorCode::kUnknownType:
      return "unknown-type";
    case ReaderErrorCode::kBadTerminator:
      return "bad-terminator";
    case ReaderErrorCode::kCharInLine:
      return "char-in-line";
    case ReaderErrorCode::kLineTooLong:
      return "line-too-long";
    case ReaderErrorCode::kBadInteger:
      return "bad-integer";
    case ReaderErrorCode::kBadLength:
      return "bad-length";
    case ReaderErrorCode::kBulkTooLong:
      return "bulk-too-long";
    case ReaderErrorCode::kAggregateTooLong:
      return "aggregate-too-long";
    case ReaderErrorCode::kTooDeep:
      return "too-deep";
    case ReaderErrorCode::kBadDouble:
      return "bad-double";
    case ReaderErrorCode::kBadBoolean:
      return "bad-boolean";
    case ReaderErrorCode::kBadNull:
      return "bad-null";
    case ReaderErrorCode::kBadBigNumber:
      return "bad-big-number";
    case ReaderErrorCode::kBadVerbatim:
      return "bad-verbatim";
    case ReaderErrorCode::kBadStreamChunk:
      return "bad-stream-chunk";
    case ReaderErrorCode::kUnexpectedEnd:
      return "unexpected-end";
    case ReaderErrorCode::kDanglingAttribute:
      return "dangling-attribute";
  }
  return "?";
}

namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// [+-]digits (sign only if allowed) within int64, in one pass.
bool ParseNumber(std::string_view s, bool allow_sign, int64_t* out) {
  bool neg = false;
  if (allow_sign && !s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  size_t zeros = 0;
  while (zeros + 1 < s.size() && s[zeros] == '0') ++zeros;
  s.remove_prefix(zeros);
  if (s.size() > 19) return false;  // 19 digits hold every int64 and cannot wrap a uint64
  uint64_t v = 0;
  for (char c : s) {
    const unsigned d = static_cast<unsigned char>(c) - static_cast<unsigned>('0');
    if (d > 9) return false;
    v = v * 10 + d;
  }
  if (v > (neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) return false;
  *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool ParseInteger(std::string_view s, int64_t* out) { return ParseNumber(s, true, out); }
bool ParseDigits(std::string_view s, int64_t* out) { return ParseNumber(s, false, out); }

// A declared length: digits, or "-1" (returned as -1), or "?" (returned as -2).
bool ParseLength(std::string_view s, bool allow_streamed, int64_t* out) {
  if (s.size() == 2 && s[0] == '-' && s[1] == '1') {
    *out = -1;
    return true;
  }
  if (allow_streamed && s.size() == 1 && s[0] == '?') {
    *out = -2;
    return true;
  }
  return ParseDigits(s, out);
}

bool IsNanText(std::string_view s);

// RESP3 double: [+-]digits[.digits][(e|E)[+-]digits], or inf, -inf, or a NaN
// (IsNanText). Values above the double range are rejected rather than
// rounded to an infinity; values below it read as zero (as strtod does).
bool ParseDouble(std::string_view s, double* out) {
  if (s == "inf") {
    *out = HUGE_VAL;
    return true;
  }
  if (s == "-inf") {
    *out = -HUGE_VAL;
    return true;
  }
  if (IsNanText(s)) {
    *out = std::nan("");
    return true;
  }
  std::string_view body = s;
  size_t i = 0;
  if (!body.empty() && body[0] == '+') {
    body.remove_prefix(1);  // from_chars takes no '+'; at most one sign either way
  } else if (!body.empty() && body[0] == '-') {
    i = 1;
  }
  size_t digits = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++digits;
  if (digits == 0) return false;
  if (i < body.size() && body[i] == '.') {
    ++i;
    size_t frac = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++frac;
    if (frac == 0) return false;
  }
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    size_t exp = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  if (i != body.size()) return false;
  // absl's from_chars: libc++ (OSS-Fuzz builds) lacks the floating-point one.
  auto res = absl::from_chars(body.data(), body.data() + body.size(), *out);
  if (res.ptr != body.data() + body.size()) return false;
  if (res.ec == std::errc::result_out_of_range) {
    // Rare: tell underflow (a zero or subnormal, kept) from overflow.
    const std::string text(body);
    const double d = std::strtod(text.c_str(), nullptr);
    if (std::isinf(d)) return false;
    *out = d;
    return true;
  }
  return res.ec == std::errc();
}

// The NaN texts the RESP3 spec asks clients to read: "nan", and since Redis
// before 7.2 prints NaN as libc does, "-nan" (what redis-server 7.0.15 sends
// for a Lua 0/0), any case, and "nan(n-char-sequence)".
bool IsNanText(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.size() < 3) return false;
  for (size_t i = 0; i < 3; ++i) {
    if ((s[i] | 0x20) != "nan"[i]) return false;
  }
  s.remove_prefix(3);
  if (s.empty()) return true;
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return false;
  for (char c : s.substr(1, s.size() - 2)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool ValidBigNumber(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return IsDigits(s);
}

// Type bytes valid at a value position: bit 0 in RESP2, bit 1 in RESP3.
constexpr std::array<uint8_t, 256> kTypeTable = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned char c : std::string_view("+-:$*")) t[c] = 3;
  for (unsigned char c : std::string_view("_#,(!=%~|>.")) t[c] = 2;
  return t;
}();

bool ValidType(Protocol protocol, char t) {
  return kTypeTable[static_cast<unsigned char>(t)] & (protocol == Protocol::kResp3 ? 2 : 1);
}

std::string PrintableByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return absl::StrCat("'", std::string(1, c), "'");
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", u);
  return buf;
}

}  // namespace

Reader::Reader(Protocol protocol, ReaderLimits limits) : protocol_(protocol), limits_(limits) {
  if (limits_.max_depth > ReaderLimits::kMaxDepthCeiling) {
    limits_.max_depth = ReaderLimits::kMaxDepthCeiling;
  }
}

void Reader::Reset(Protocol protocol, const ReaderLimits& limits) {
  protocol_ = protocol;
  limits_ = limits;
  if (limits_.max_depth > ReaderLimits::kMaxDepthCeiling) {
    limits_.max_depth = ReaderLimits::kMaxDepthCeiling;
  }
  Reset();
}

void Reader::Reset() {
  error_ = ReaderError{};
  stack_.clear();
  top_attribute_pending_ = false;
  state_ = State::kHeader;
  bulk_len_ = 0;
  stream_buf_.clear();
  buf_.clear();
  handed_off_ = false;
  line_scanned_ = 0;
  consumed_ = 0;
  values_ = 0;
}

absl::Status Reader::status() const {
  if (!failed()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("protocol error at offset ", error_.offset, ": ", error_.reason));
}

bool Reader::idle() const {
  return !failed() && state_ == State::kHeader && stack_.empty() && buf_.empty() &&
         !top_attribute_pending_;
}

// Errors are built out of line, so the parsing paths keep small frames.
template <typename... Parts>
__attribute__((noinline, cold)) bool Reader::Fail(ReaderErrorCode code, uint64_t offset,
                                                  const Parts&... parts) {
  error_.code = code;
  error_.offset = offset;
  error_.reason = absl::StrCat(parts...);
  return false;
}

__attribute__((noinline, cold)) bool Reader::FailByte(ReaderErrorCode code, uint64_t offset,
                                                      const char* what, char byte) {
  return Fail(code, offset, what, PrintableByte(byte));
}

bool Reader::Feed(std::string_view data, Visitor& visitor) {
  if (failed()) return false;
  if (buf_.empty()) {
    // Fast path: parse straight from the caller's bytes, keep only the tail.
    size_t used = Parse(data.data(), data.size(), visitor);
    if (failed()) return false;
    buf_.assign(data.data() + used, data.size() - used);
  } else {
    // A bulk payload being gathered in buf_: take only the bytes up to its
    // end (the CRLF included) into buf_, so that what follows it in `data`
    // is parsed in place rather than copied behind it and then moved to the
    // front of the next buffer. Feeding in two parts is the same as in one.
    if (state_ == State::kBulk) {
      const size_t len = static_cast<size_t>(bulk_len_);
      const size_t want = len + 2;
      if (buf_.size() < want && data.size() > want - buf_.size()) {
        const size_t head = want - buf_.size();
        return Feed(data.substr(0, head), visitor) && Feed(data.substr(head), visitor);
      }
      if (buf_.capacity() - buf_.size() < data.size()) visitor.OnBufferGrowth(&buf_);
      if (buf_.size() + data.size() <= len) {
        // Still inside the payload (its CR not here yet): nothing to parse.
        buf_.append(data);
        return true;
      }
    }
    buf_.append(data);
    const char* const p = buf_.data();
    const size_t n = buf_.size();
    size_t used = Parse(p, n, visitor);
    if (handed_off_) {
      // The visitor took the buffer (and left another, empty one in buf_);
      // what is left of the bytes is still readable where it was.
      handed_off_ = false;
      buf_.assign(p + (failed() ? 0 : used), n - (failed() ? 0 : used));
      return !failed();
    }
    if (failed()) return false;
    buf_.erase(0, used);
  }
  return true;
}

bool* Reader::AttributePendingSlot() {
  return stack_.empty() ? &top_attribute_pending_ : &stack_.back().attribute_pending;
}

void Reader::ValueDone(Visitor& visitor) {
  while (true) {
    if (stack_.empty()) {
      top_attribute_pending_ = false;
      ++values_;
      return;
    }
    Frame& f = stack_.back();
    f.attribute_pending = false;
    if (f.streamed) {
      if (f.type == Type::kMap) f.mid_pair = !f.mid_pair;
      return;
    }
    if (--f.remaining > 0) return;
    bool attribute = f.type == Type::kAttribute;
    stack_.pop_back();
    visitor.OnEnd();
    if (attribute) {
      // An attribute is not an element: the slot it precedes is still due.
      *AttributePendingSlot() = true;
      return;
    }
  }
}

bool Reader::Open(Type type, int64_t len, uint64_t offset, Visitor& visitor) {
  if (stack_.size() + 1 > limits_.max_depth) {
    return Fail(ReaderErrorCode::kTooDeep, offset, "nesting deeper than ", limits_.max_depth);
  }
  visitor.OnBegin(type, len);
  bool pairs = type == Type::kMap || type == Type::kAttribute;
  if (len == 0) {
    visitor.OnEnd();
    if (type == Type::kAttribute) {
      *AttributePendingSlot() = true;
    } else {
      ValueDone(visitor);
    }
    return true;
  }
  stack_.push_back(Frame{type, len < 0, false, false, len < 0 ? 0 : (pairs ? 2 * len : len)});
  return true;
}

bool Reader::Header(char t, std::string_view content, uint64_t offset, Visitor& visitor) {
  const uint64_t content_offset = offset + 1;
  switch (t) {
    case '+':
    case '-': {
      visitor.OnString(t == '+' ? Type::kSimpleString : Type::kError, content);
      ValueDone(visitor);
      return true;
    }
    case ':': {
      int64_t v;
      if (!ParseInteger(content, &v)) {
        return Fail(ReaderErrorCode::kBadInteger, content_offset, "invalid integer");
      }
      visitor.OnInteger(v);
      ValueDone(visitor);
      return true;
    }
    case '(': {
      if (!ValidBigNumber(content)) {
        return Fail(ReaderErrorCode::kBadBigNumber, content_offset, "invalid big number");
      }
      visitor.OnString(Type::kBigNumber, content);
      ValueDone(visitor);
      return true;
    }
    case ',': {
      double d;
      if (!ParseDouble(content, &d)) {
        return Fail(ReaderErrorCode::kBadDouble, content_offset, "invalid double");
      }
      visitor.OnDouble(d);
      ValueDone(visitor);
      return true;
    }
    case '#': {
      if (content != "t" && content != "f") {
        return Fail(ReaderErrorCode::kBadBoolean, content_offset, "invalid boolean");
      }
      visitor.OnBoolean(content == "t");
      ValueDone(visitor);
      return true;
    }
    case '_': {
      if (!content.empty()) {
        return Fail(ReaderErrorCode::kBadNull, content_offset, "null with a payload");
      }
      visitor.OnNull(Type::kNull);
      ValueDone(visitor);
      return true;
    }
    case '$':
    case '!':
    case '=': {
      int64_t len;
      bool streamable = t == '$' && protocol_ == Protocol::kResp3;
      if (!ParseLength(content, streamable, &len) || (len == -1 && t != '$')) {
        return Fail(ReaderErrorCode::kBadLength, content_offset, "invalid bulk length");
      }
      if (len == -1) {
        visitor.OnNull(Type::kNullBulk);
        ValueDone(visitor);
        return true;
      }
      if (len == -2) {
        state_ = State::kStreamedString;
        stream_buf_.clear();
        return true;
      }
      if (len > limits_.max_bulk_len) {
        return Fail(ReaderErrorCode::kBulkTooLong, content_offset, "bulk length ", len,
                    " above the limit of ", limits_.max_bulk_len);
      }
      bulk_type_ = t == '$' ? Type::kBulkString : t == '!' ? Type::kBulkError : Type::kVerbatim;
      bulk_len_ = len;
      state_ = State::kBulk;
      return true;
    }
    case '*':
    case '%':
    case '~':
    case '|':
    case '>': {
      int64_t len;
      bool streamable = (t == '*' || t == '%' || t == '~') && protocol_ == Protocol::kResp3;
      if (!ParseLength(content, streamable, &len) || (len == -1 && t != '*')) {
        return Fail(ReaderErrorCode::kBadLength, content_offset, "invalid aggregate length");
      }
      if (len == -1) {
        visitor.OnNull(Type::kNullArray);
        ValueDone(visitor);
        return true;
      }
      if (len > limits_.max_aggregate_len) {
        return Fail(ReaderErrorCode::kAggregateTooLong, content_offset, "aggregate length ", len,
                    " above the limit of ", limits_.max_aggregate_len);
      }
      Type type = t == '*'   ? Type::kArray
                  : t == '%' ? Type::kMap
                  : t == '~' ? Type::kSet
                  : t == '|' ? Type::kAttribute
                             : Type::kPush;
      return Open(type, len == -2 ? -1 : len, offset, visitor);
    }
    case '.': {
      if (stack_.empty() || !stack_.back().streamed) {
        return Fail(ReaderErrorCode::kUnexpectedEnd, offset,
                    "end marker outside a streamed aggregate");
      }
      if (!content.empty()) {
        return Fail(ReaderErrorCode::kUnexpectedEnd, content_offset, "end marker with a payload");
      }
      if (stack_.back().attribute_pending) {
        return Fail(ReaderErrorCode::kDanglingAttribute, offset,
                    "attribute followed by an end marker instead of a value");
      }
      if (stack_.back().mid_pair) {
        return Fail(ReaderErrorCode::kUnexpectedEnd, offset,
                    "end marker between a key and its value");
      }
      stack_.pop_back();
      visitor.OnEnd();
      ValueDone(visitor);
      return true;
    }
    default:
      return FailByte(ReaderErrorCode::kUnknownType, offset, "unknown type byte ", t);
  }
}

size_t Reader::Parse(const char* p, size_t n, Visitor& visitor) {
  const uint64_t base = consumed_;
  size_t pos = 0;
  while (pos < n) {
    if (state_ == State::kBulk) {
      // Payload, then CRLF. Fail at the first wrong terminator byte as soon as
      // it is there; otherwise wait for all bulk_len_ + 2 bytes.
      const size_t len = static_cast<size_t>(bulk_len_);
      const size_t avail = n - pos;
      if (avail > len && p[pos + len] != '\r') {
        Fail(ReaderErrorCode::kBadTerminator, base + pos + len, "bulk payload not followed by CR");
        break;
      }
      if (avail > len + 1 && p[pos + len + 1] != '\n') {
        Fail(ReaderErrorCode::kBadTerminator, base + pos + len + 1,
             "bulk payload CR not followed by LF");
        break;
      }
      if (avail < len + 2) break;
      std::string_view payload(p + pos, len);
      if (bulk_type_ == Type::kNull) {
        // A part of a streamed string.
        stream_buf_.append(payload);
        state_ = State::kStreamedString;
      } else if (bulk_type_ == Type::kVerbatim && (len < 4 || payload[3] != ':')) {
        Fail(ReaderErrorCode::kBadVerbatim, base + pos, "verbatim string without 'xxx:' format");
        break;
      } else {
        state_ = State::kHeader;
        // A payload that arrived over several Feeds fills the start of buf_:
        // the visitor may take the buffer instead of copying it. The bytes
        // after it stay where they are (the visitor keeps the storage alive
        // until Feed returns), and Feed() takes the rest from there.
        if (p == buf_.data() && pos == 0 && len >= kMinHandOff && !handed_off_ &&
            visitor.OnStringBuffer(bulk_type_, &buf_, len)) {
          handed_off_ = true;
        } else {
          visitor.OnString(bulk_type_, payload);
        }
        ValueDone(visitor);
      }
      pos += len + 2;
      continue;
    }

    // A header line: type byte, content, CRLF.
    const char t = p[pos];
    if (state_ == State::kStreamedString ? t != ';' : !ValidType(protocol_, t)) {
      if (state_ == State::kStreamedString) {
        FailByte(ReaderErrorCode::kBadStreamChunk, base + pos,
                 "expected ';' in a streamed string, got ", t);
      } else {
        FailByte(ReaderErrorCode::kUnknownType, base + pos, "unknown type byte ", t);
      }
      break;
    }
    const size_t start = pos + 1;
    const size_t avail = n - start;
    // Bytes that can hold the CR: the line and its CR (max_line_len may be SIZE_MAX).
    const size_t window = limits_.max_line_len >= avail ? avail : limits_.max_line_len + 1;
    const char* cr = nullptr;
    const char* lf = nullptr;
    if (line_scanned_ < window) {
      // Find the first CR or LF: an LF before the CR (or before anything is
      // known) fails the line now. Most lines are short, so a byte loop covers
      // them; a long one falls through to memchr.
      const char* q = p + start + line_scanned_;
      const char* end = p + start + window;
      const char* stop = std::min(end, q + 32);
      while (q < stop && *q != '\r' && *q != '\n') ++q;
      if (q < stop) {
        (*q == '\n' ? lf : cr) = q;
      } else if (q < end) {
        cr = static_cast<const char*>(std::memchr(q, '\r', static_cast<size_t>(end - q)));
        lf = static_cast<const char*>(
            std::memchr(q, '\n', static_cast<size_t>((cr != nullptr ? cr : end) - q)));
      }
    }
    if (lf != nullptr) {
      Fail(ReaderErrorCode::kCharInLine, base + (lf - p), "LF inside a line");
      break;
    }
    if (cr == nullptr) {
      if (avail > limits_.max_line_len) {
        Fail(ReaderErrorCode::kLineTooLong, base + start + limits_.max_line_len,
             "line longer than ", limits_.max_line_len, " bytes");
      } else {
        line_scanned_ = window;  // the next Feed resumes the search here
      }
      break;
    }
    const size_t cr_index = static_cast<size_t>(cr - p);
    if (cr_index + 1 >= n) {
      line_scanned_ = cr_index - start;
      break;
    }
    if (p[cr_index + 1] != '\n') {
      Fail(ReaderErrorCode::kBadTerminator, base + cr_index + 1, "CR not followed by LF");
      break;
    }
    line_scanned_ = 0;
    std::string_view content(p + start, cr_index - start);
    const uint64_t offset = base + pos;
    pos = cr_index + 2;
    ahead_ = n - pos;
    if (state_ == State::kStreamedString) {
      int64_t len;
      if (!ParseDigits(content, &len)) {
        Fail(ReaderErrorCode::kBadStreamChunk, offset + 1, "invalid streamed string part length");
        break;
      }
      if (len == 0) {
        state_ = State::kHeader;
        visitor.OnString(Type::kBulkString, stream_buf_);
        stream_buf_.clear();
        ValueDone(visitor);
        continue;
      }
      if (len > limits_.max_bulk_len - static_cast<int64_t>(stream_buf_.size())) {
        Fail(ReaderErrorCode::kBulkTooLong, offset + 1, "streamed string longer than the limit of ",
             limits_.max_bulk_len);
        break;
      }
      bulk_type_ = Type::kNull;  // marks a streamed part
      bulk_len_ = len;
      state_ = State::kBulk;
      continue;
    }
    if (!Header(t, content, offset, visitor)) break;
  }
  if (failed()) return pos;
  consumed_ = base + pos;
  return pos;
}

// --- TreeBuilder ---------------------------------------------------------------

Value& TreeBuilder::Place(bool scalar) {
  Value* slot;
  if (!open_.empty()) {
    open_.back()->elems.emplace_back();
    slot = &open_.back()->elems.back();
  } else if (scalar) {
    // A top-level scalar is complete at once: straight into the output.
    slot = &out_->emplace_back();
  } else {
    // A top-level aggregate is built aside, so out_ only ever holds complete values.
    slot = &root_;
  }
  if (!pending_attrs_.empty() && pending_attrs_.back().first == open_.size()) {
    slot->has_attributes = true;
    slot->attributes = std::move(pending_attrs_.back().second);
    pending_attrs_.pop_back();
  }
  return *slot;
}

void TreeBuilder::FinishAggregate() {
  if (open_.empty()) {
    out_->push_back(std::move(root_));
    root_ = Value();
  }
}

void TreeBuilder::OnString(Type type, std::string_view payload) {
  Value& v = Place(true);
  v.type = type;
  v.str =
      std::string(payload.data(), payload.size());  // constructs; assign() goes through _M_replace
}

void TreeBuilder::OnInteger(int64_t value) {
  Value& v = Place(true);
  v.type = Type::kInteger;
  v.integer = value;
}

void TreeBuilder::OnDouble(double value) {
  Value& v = Place(true);
  v.type = Type::kDouble;
  v.dbl = value;
}

void TreeBuilder::OnBoolean(bool value) {
  Value& v = Place(true);
  v.type = Type::kBoolean;
  v.boolean = value;
}

void TreeBuilder::OnNull(Type type) { Place(true).type = type; }

void TreeBuilder::OnBegin(Type type, int64_t len) {
  if (type == Type::kAttribute) {
    attr_holders_.push_back(std::make_unique<Value>());
    attr_holders_.back()->type = Type::kAttribute;
    open_.push_back(attr_holders_.back().get());
    reserved_.push_back(0);
    return;
  }
  Value& v = Place(false);
  v.type = type;
  // Room up front saves regrowth, but never more than could already be here:
  // every element takes at least 3 bytes, and the slots reserved by all open
  // aggregates together stay within the bytes ahead / 3, so nesting cannot
  // multiply them. A declared *2147483647 costs nothing until its elements arrive.
  size_t reserved = 0;
  if (len > 0) {
    constexpr size_t kReserveWithoutReader = 8;
    size_t budget = reader_ != nullptr ? reader_->bytes_ahead() / 3 : kReserveWithoutReader;
    budget = budget > reserved_total_ ? budget - reserved_total_ : 0;
    const size_t per = type == Type::kMap ? 2 : 1;
    reserved = std::min(static_cast<size_t>(len), budget / per) * per;
    if (reserved > 1) v.elems.reserve(reserved);
  }
  reserved_.push_back(reserved);
  reserved_total_ += reserved;
  open_.push_back(&v);
}

void TreeBuilder::OnEnd() {
  Value* closed = open_.back();
  open_.pop_back();
  reserved_total_ -= reserved_.back();
  reserved_.pop_back();
  if (closed->type == Type::kAttribute) {
    std::vector<Value> pairs = std::move(closed->elems);
    attr_holders_.pop_back();
    if (!pending_attrs_.empty() && pending_attrs_.back().first == open_.size()) {
      auto& merged = pending_attrs_.back().second;
      for (Value& p : pairs) merged.push_back(std::move(p));
    } else {
      pending_attrs_.emplace_back(open_.size(), std::move(pairs));
    }
    return;
  }
  FinishAggregate();
}

void TreeBuilder::Clear() {
  root_ = Value();
  open_.clear();
  reserved_.clear();
  reserved_total_ = 0;
  attr_holders_.clear();
  pending_attrs_.clear();
}

// --- ReplyBuilder --------------------------------------------------------------

ReplyNode& ReplyBuilder::Place(Type type) {
  // A pending attribute's run ends right here: this is its value.
  pending_attr_ = kNone;
  if (!open_.empty()) ++Open(open_.back()).a;
  ReplyNode& n = out_->nodes_.emplace_back();
  n.type = type;
  return n;
}

void ReplyBuilder::OnString(Type type, std::string_view payload) {
  std::string& arena = out_->arena_;
  ReplyNode& n = Place(type);
  n.a = arena.size();
  n.b = payload.size();
  arena.append(payload.data(), payload.size());
  if (open_.empty()) out_->Commit();
}

bool ReplyBuilder::OnStringBuffer(Type type, std::string* buffer, size_t len) {
  std::vector<std::string>& blocks = out_->blocks_;
  if (blocks.size() >= UINT32_MAX - 1) return false;  // the node's block index is 32 bits
  ReplyNode& n = Place(type);
  n.block = static_cast<uint32_t>(blocks.size() + 1);
  n.a = 0;
  n.b = len;
  // Moving a std::string keeps its heap storage where it is (a payload of
  // kMinHandOff bytes or more is never in the short-string buffer).
  blocks.push_back(std::move(*buffer));
  // No spare here: the tree may still hold a reply whose storage becomes the
  // spare when it is dropped, which OnBufferGrowth then hands back.
  *buffer = std::string();
  if (open_.empty()) out_->Commit();
  return true;
}

void ReplyBuilder::OnBufferGrowth(std::string* buffer) {
  if (out_ == nullptr) return;
  std::string& spare = out_->spare_block_;
  if (spare.capacity() <= buffer->capacity()) return;
  spare.assign(*buffer);
  buffer->swap(spare);
  spare = std::string();
}

void ReplyBuilder::OnInteger(int64_t value) {
  Place(Type::kInteger).a = static_cast<uint64_t>(value);
  if (open_.empty()) out_->Commit();
}

void ReplyBuilder::OnDouble(double value) {
  std::memcpy(&Place(Type::kDouble).a, &value, sizeof value);
  if (open_.empty()) out_->Commit();
}

void ReplyBuilder::OnBoolean(bool value) {
  Place(Type::kBoolean).a = value ? 1 : 0;
  if (open_.empty()) out_->Commit();
}

void ReplyBuilder::OnNull(Type type) {
  Place(type);
  if (open_.empty()) out_->Commit();
}

void ReplyBuilder::OnBegin(Type type, int64_t) {
  if (type == Type::kAttribute) {
    if (pending_attr_ != kNone) {
      // A second attribute before the same value: its pairs extend the first.
      open_.push_back(pending_attr_);
      pending_attr_ = kNone;
      return;
    }
    // An attribute is not an element (its value, which follows, is one).
    out_->nodes_.emplace_back().type = Type::kAttribute;
  } else {
    Place(type);
  }
  open_.push_back(out_->nodes_.size() - 1 - out_->done_nodes_);
}

void ReplyBuilder::OnEnd() {
  const uint64_t rel = open_.back();
  open_.pop_back();
  ReplyNode& n = Open(rel);
  n.b = out_->nodes_.size() - out_->done_nodes_ - rel;
  if (n.type == Type::kAttribute) {
    pending_attr_ = rel;
    return;
  }
  if (open_.empty()) out_->Commit();
}

void ReplyBuilder::Clear() { SetOutput(out_); }

void ReplyBuilder::SetOutput(ReplyTree* out) {
  if (out != nullptr && out->building()) {
    out->nodes_.resize(out->done_nodes_);
    out->arena_.resize(out->done_bytes_);
  }
  out_ = out;
  open_.clear();
  pending_attr_ = kNone;
}

namespace {

// The reader's events for one node; aggregates only open.
void ReplayNode(Type type, int64_t integer, double dbl, bool boolean, std::string_view str,
                int64_t declared, Visitor& visitor) {
  switch (type) {
    case Type::kInteger:
      visitor.OnInteger(integer);
      break;
    case Type::kDouble:
      visitor.OnDouble(dbl);
      break;
    case Type::kBoolean:
      visitor.OnBoolean(boolean);
      break;
    case Type::kNull:
    case Type::kNullBulk:
    case Type::kNullArray:
      visitor.OnNull(type);
      break;
    case Type::kArray:
    case Type::kMap:
    case Type::kSet:
    case Type::kPush:
    case Type::kAttribute:
      visitor.OnBegin(type, declared);
      break;
    default:
      visitor.OnString(type, str);
      break;
  }
}

int64_t Declared(Type type, size_t elems) {
  return static_cast<int64_t>(type == Type::kMap || type == Type::kAttribute ? elems / 2 : elems);
}

}  // namespace

void Replay(ReplyRef v, Visitor& visitor) {
  // The run is in wire order: one pass, closing aggregates as their spans end.
  const ReplyTree& t = v.tree();
  std::vector<uint64_t> ends;  // where each open aggregate's run ends
  for (uint64_t i = v.begin(); i < v.end(); ++i) {
    while (!ends.empty() && ends.back() == i) {
      ends.pop_back();
      visitor.OnEnd();
    }
    const ReplyNode& n = t.node(i);
    double d;
    std::memcpy(&d, &n.a, sizeof d);
    ReplayNode(n.type, static_cast<int64_t>(n.a), d, n.a != 0,
               IsStringLike(n.type) ? t.payload(n) : std::string_view(),
               Declared(n.type, n.aggregate() ? n.a : 0), visitor);
    if (n.aggregate()) ends.push_back(i + n.b);
  }
  while (!ends.empty()) {
    ends.pop_back();
    visitor.OnEnd();
  }
}

void Replay(const Value& root, Visitor& visitor) {
  struct Item {
    const Value* v;
    bool attributes_done;
    bool end;  // an OnEnd() marker
  };
  std::vector<Item> work{{&root, false, false}};
  while (!work.empty()) {
    Item item = work.back();
    work.pop_back();
    if (item.end) {
      visitor.OnEnd();
      continue;
    }
    const Value& v = *item.v;
    if (v.has_attributes && !item.attributes_done) {
      visitor.OnBegin(Type::kAttribute, Declared(Type::kAttribute, v.attributes.size()));
      work.push_back({&v, true, false});
      work.push_back({nullptr, false, true});
      for (size_t i = v.attributes.size(); i-- > 0;)
        work.push_back({&v.attributes[i], false, false});
      continue;
    }
    // Only the union member the type makes meaningful is read.
    ReplayNode(v.type, v.type == Type::kInteger ? v.integer : 0,
               v.type == Type::kDouble ? v.dbl : 0.0, v.type == Type::kBoolean && v.boolean, v.str,
               Declared(v.type, v.elems.size()), visitor);
    if (IsAggregate(v.type)) {
      work.push_back({nullptr, false, true});
      for (size_t i = v.elems.size(); i-- > 0;) work.push_back({&v.elems[i], false, false});
    }
  }
}

void ReadAll(std::string_view data, Protocol protocol, const ReaderLimits& limits, ReplyTree* out,
             ReaderError* error, bool* complete) {
  Reader reader(protocol, limits);
  ReplyBuilder builder(out);
  if (!reader.Feed(data, builder) || !reader.idle()) builder.Clear();
  if (error != nullptr) *error = reader.error();
  if (complete != nullptr) *complete = reader.idle();
}

std::vector<Value> ReadAll(std::string_view data, Protocol protocol, const ReaderLimits& limits,
                           ReaderError* error, bool* complete) {
  std::vector<Value> values;
  Reader reader(protocol, limits);
  TreeBuilder builder(&values, &reader);
  reader.Feed(data, builder);
  if (error != nullptr) *error = reader.error();
  if (complete != nullptr) *complete = reader.idle();
  return values;
}

}  // namespace respfuzz::resp
