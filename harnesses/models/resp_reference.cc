#include "harnesses/models/resp_reference.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace respfuzz::models {

namespace {

using resp::Protocol;
using resp::Type;
using resp::Value;

// How reading one piece ended.
enum class Step { kOk, kNeedMore, kError };

// Where a '.' (end marker) would be read.
enum class EndRule {
  kNotStreamed,  // not directly inside a streamed aggregate
  kElement,      // at an element of a streamed aggregate (or a streamed map's key)
  kMapValue,     // at a streamed map's value, after its key
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decimal digits (at least one) within [0, limit]; leading zeros allowed.
bool Digits(std::string_view s, uint64_t limit, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

class RefReader {
 public:
  RefReader(std::string_view in, Protocol protocol, const RespReferenceLimits& limits)
      : in_(in), protocol_(protocol), limits_(limits) {}

  RespReferenceResult Run() {
    RespReferenceResult r;
    // A stream is a sequence of top-level values; it may end cleanly only
    // between two of them.
    while (pos_ < in_.size()) {
      Value v;
      bool end = false;
      Step s = ReadValue(0, EndRule::kNotStreamed, &v, &end);
      if (s != Step::kOk) {
        if (s == Step::kError) {
          r.error = error_;
          r.error_offset = error_offset_;
        }
        return r;
      }
      r.values.push_back(std::move(v));
    }
    r.complete = true;
    return r;
  }

 private:
  Step Error(const char* kind, uint64_t offset) {
    error_ = kind;
    error_offset_ = offset;
    return Step::kError;
  }

  // RESP2 has + - : $ *; RESP3 adds _ , # ( ! = % ~ | > and the end marker '.'.
  bool ValidType(char t) const {
    std::string_view resp2 = "+-:$*";
    std::string_view resp3 = "_,#(!=%~|>.";
    if (resp2.find(t) != std::string_view::npos) return true;
    return protocol_ == Protocol::kResp3 && resp3.find(t) != std::string_view::npos;
  }

  // One line: a leading byte (already checked by the caller), its content,
  // then CR LF. The content may not hold CR or LF ("Simple strings cannot
  // contain the <CR> nor the <LF> characters"): a LF before the CR is an
  // error at that LF, and a CR must be followed by LF. choice: a content
  // longer than max_line_len fails at the first byte past the cap, as soon
  // as that byte is there; otherwise a line without its CR LF waits.
  Step ReadLine(std::string_view* content) {
    const size_t start = pos_ + 1;
    for (size_t i = start; i < in_.size(); ++i) {
      if (i - start > limits_.max_line_len) break;  // only the CR may sit at the cap
      if (in_[i] == '\n') return Error("char-in-line", i);
      if (in_[i] == '\r') {
        if (i + 1 >= in_.size()) return Step::kNeedMore;
        if (in_[i + 1] != '\n') return Error("bad-terminator", i + 1);
        *content = in_.substr(start, i - start);
        pos_ = i + 2;
        return Step::kOk;
      }
    }
    if (in_.size() - start > limits_.max_line_len) {
      return Error("line-too-long", start + limits_.max_line_len);
    }
    return Step::kNeedMore;
  }

  // `len` payload bytes at pos_, then CR LF (blob strings, blob errors,
  // verbatim strings, parts of streamed strings). A wrong terminator byte is
  // an error as soon as it is there.
  Step ReadPayload(uint64_t len, std::string_view* payload) {
    const size_t avail = in_.size() - pos_;
    if (avail > len && in_[pos_ + len] != '\r') return Error("bad-terminator", pos_ + len);
    if (avail > len + 1 && in_[pos_ + len + 1] != '\n') {
      return Error("bad-terminator", pos_ + len + 1);
    }
    if (avail < len + 2) return Step::kNeedMore;
    *payload = in_.substr(pos_, len);
    pos_ += len + 2;
    return Step::kOk;
  }

  // A declared length: "-1" (a RESP2 null, kept by RESP3 for $ and *),
  // "?" (streamed, RESP3), or decimal digits. choice: at most INT64_MAX,
  // leading zeros allowed; no sign.
  enum class Len { kBad, kNull, kStreamed, kCount };
  Len ParseLen(std::string_view s, bool null_ok, bool streamed_ok, int64_t* n) const {
    if (s == "-1") return null_ok ? Len::kNull : Len::kBad;
    if (s == "?") return streamed_ok ? Len::kStreamed : Len::kBad;
    uint64_t v;
    if (!Digits(s, INT64_MAX, &v)) return Len::kBad;
    *n = static_cast<int64_t>(v);
    return Len::kCount;
  }

  // Number: "Valid numbers are in the range of the signed 64 bit integer".
  // choice: an optional '+' or '-', then digits; leading zeros allowed.
  static bool ParseNumber(std::string_view s, int64_t* out) {
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
      negative = s[0] == '-';
      s.remove_prefix(1);
    }
    uint64_t magnitude;
    uint64_t limit = negative ? uint64_t{1} << 63 : INT64_MAX;
    if (!Digits(s, limit, &magnitude)) return false;
    *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
    return true;
  }

  // Double: "an integral part, an optional fractional part and an optional
  // exponent part. The integral part consists of one or more decimal digits.
  // The optional fractional part consists of a dot followed by one or more
  // decimal digits. The optional exponent part consists of E or e, an
  // optional + or - and one or more decimal digits. To just start with .
  // assuming an initial zero is invalid." Infinities are exactly "inf" and
  // "-inf". NaN: "nan"; "Redis prior to version 7.2 may return any
  // representation of NaN produced by libc, such as "-nan", "NAN" or
  // "nan(char-sequence)" ... client implementations should be able to handle
  // this" (redis-server 7.0.15 answers EVAL "redis.setresp(3); return
  // {double=0/0}" 0 with ",-nan"). choice: a sign ('+' or '-') may precede
  // the integral part; a value beyond the double range is an error.
  static bool ParseDouble(std::string_view s, double* out) {
    if (s == "inf") return *out = HUGE_VAL, true;
    if (s == "-inf") return *out = -HUGE_VAL, true;
    std::string_view nan = s;
    if (!nan.empty() && nan[0] == '-') nan.remove_prefix(1);
    if (nan.size() >= 3 && EqualsNoCase(nan.substr(0, 3), "nan")) {
      std::string_view rest = nan.substr(3);
      bool ok = rest.empty();
      if (rest.size() >= 2 && rest.front() == '(' && rest.back() == ')') {
        ok = true;  // C's n-char-sequence: letters, digits, '_'
        for (char c : rest.substr(1, rest.size() - 2)) {
          ok = ok && (IsDigit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
        }
      }
      if (!ok) return false;
      *out = std::nan("");
      return true;
    }
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t from = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == from) return false;  // the integral part: one or more digits
    if (i < s.size() && s[i] == '.') {
      from = ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i == from) return false;  // a dot and then one or more digits
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      from = i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i == from) return false;
    }
    if (i != s.size()) return false;
    std::string text(s);
    double d = std::strtod(text.c_str(), nullptr);
    if (std::isinf(d)) return false;  // beyond the double range
    *out = d;
    return true;
  }

  // Reads one value at pos_ (pos_ < in_.size() or a wait), preceded by any
  // number of attributes, which annotate it. `depth` counts the aggregates
  // open around it. Sets *end instead when an end marker closes the
  // enclosing streamed aggregate.
  Step ReadValue(size_t depth, EndRule end_rule, Value* out, bool* end) {
    std::vector<Value> attributes;
    bool annotated = false;
    while (true) {
      if (pos_ >= in_.size()) return Step::kNeedMore;
      const size_t type_at = pos_;
      const char t = in_[pos_];
      if (!ValidType(t)) return Error("unknown-type", type_at);
      std::string_view line;
      Step s = ReadLine(&line);
      if (s != Step::kOk) return s;
      const uint64_t content_at = type_at + 1;

      if (t == '|') {
        // Attribute: "exactly like the Map type" but "the client should not
        // consider such a dictionary part of the reply": its pairs annotate
        // the value that follows. choice: consecutive attributes merge.
        int64_t n = 0;
        if (ParseLen(line, false, false, &n) != Len::kCount) {
          return Error("bad-length", content_at);
        }
        if (n > limits_.max_aggregate_len) return Error("aggregate-too-long", content_at);
        if (depth + 1 > limits_.max_depth) return Error("too-deep", type_at);
        for (int64_t i = 0; i < 2 * n; ++i) {
          Value e;
          bool e_end = false;
          s = ReadValue(depth + 1, EndRule::kNotStreamed, &e, &e_end);
          if (s != Step::kOk) return s;
          attributes.push_back(std::move(e));
        }
        annotated = true;
        continue;
      }

      if (t == '.') {
        // End of a streamed aggregate: "*?" "%?" "~?" ... ".\r\n".
        if (end_rule == EndRule::kNotStreamed) return Error("unexpected-end", type_at);
        if (!line.empty()) return Error("unexpected-end", content_at);
        if (annotated) return Error("dangling-attribute", type_at);
        if (end_rule == EndRule::kMapValue) return Error("unexpected-end", type_at);
        *end = true;
        return Step::kOk;
      }

      Value v;
      s = ReadBody(t, line, type_at, depth, &v);
      if (s != Step::kOk) return s;
      if (annotated) {
        v.has_attributes = true;
        v.attributes = std::move(attributes);
      }
      *out = std::move(v);
      return Step::kOk;
    }
  }

  // The value whose header line (type t, content `line`) was just read.
  Step ReadBody(char t, std::string_view line, size_t type_at, size_t depth, Value* v) {
    const uint64_t content_at = type_at + 1;
    switch (t) {
      case '+':  // Simple string: "+<string>\r\n".
        *v = Value::Simple(std::string(line));
        return Step::kOk;
      case '-':  // Simple error: like a simple string.
        *v = Value::Error(std::string(line));
        return Step::kOk;
      case ':': {  // Number: ":<number>\r\n".
        int64_t n;
        if (!ParseNumber(line, &n)) return Error("bad-integer", content_at);
        *v = Value::Integer(n);
        return Step::kOk;
      }
      case '_':  // Null: "just as _\r\n".
        if (!line.empty()) return Error("bad-null", content_at);
        *v = Value::Null(Type::kNull);
        return Step::kOk;
      case ',': {  // Double: ",<floating-point-number>\r\n".
        double d;
        if (!ParseDouble(line, &d)) return Error("bad-double", content_at);
        *v = Value::Double(d);
        return Step::kOk;
      }
      case '#':  // Boolean: "#t\r\n" and "#f\r\n".
        if (line != "t" && line != "f") return Error("bad-boolean", content_at);
        *v = Value::Boolean(line == "t");
        return Step::kOk;
      case '(': {  // Big number: "can be positive or negative, but ... no decimal part".
        std::string_view digits = line;
        if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
        bool ok = !digits.empty();
        for (char c : digits) ok = ok && IsDigit(c);
        if (!ok) return Error("bad-big-number", content_at);
        *v = Value::Str(Type::kBigNumber, std::string(line));
        return Step::kOk;
      }
      case '$':
      case '!':
      case '=':
        return ReadBlob(t, line, content_at, v);
      default:  // '*' '%' '~' '>'
        return ReadAggregate(t, line, type_at, depth, v);
    }
  }

  // Blob string "$<length>\r\n<bytes>\r\n", blob error "!...", verbatim
  // string "=..." whose "first three bytes provide information about the
  // format ... The fourth byte is always :".
  Step ReadBlob(char t, std::string_view line, uint64_t content_at, Value* v) {
    int64_t n = 0;
    // "$-1" is RESP2's null bulk (choice: accepted in RESP3 too); "$?" a
    // streamed string (RESP3 only).
    Len kind = ParseLen(line, t == '$', t == '$' && protocol_ == Protocol::kResp3, &n);
    if (kind == Len::kBad) return Error("bad-length", content_at);
    if (kind == Len::kNull) {
      *v = Value::Null(Type::kNullBulk);
      return Step::kOk;
    }
    if (kind == Len::kStreamed) return ReadStreamedString(v);
    if (n > limits_.max_bulk_len) return Error("bulk-too-long", content_at);
    const size_t payload_at = pos_;
    std::string_view payload;
    Step s = ReadPayload(static_cast<uint64_t>(n), &payload);
    if (s != Step::kOk) return s;
    if (t == '=' && (payload.size() < 4 || payload[3] != ':')) {
      return Error("bad-verbatim", payload_at);
    }
    *v = Value::Str(t == '$'   ? Type::kBulkString
                    : t == '!' ? Type::kBulkError
                               : Type::kVerbatim,
                    std::string(payload));
    return Step::kOk;
  }

  // Streamed string: "$?\r\n" then parts ";<length>\r\n<bytes>\r\n", ended
  // by ";0\r\n". choice: the parts together are capped by max_bulk_len.
  Step ReadStreamedString(Value* v) {
    std::string text;
    while (true) {
      if (pos_ >= in_.size()) return Step::kNeedMore;
      const size_t part_at = pos_;
      if (in_[pos_] != ';') return Error("bad-stream-chunk", part_at);
      std::string_view line;
      Step s = ReadLine(&line);
      if (s != Step::kOk) return s;
      uint64_t n;
      if (!Digits(line, INT64_MAX, &n)) return Error("bad-stream-chunk", part_at + 1);
      if (n == 0) break;
      if (n > static_cast<uint64_t>(limits_.max_bulk_len) - text.size()) {
        return Error("bulk-too-long", part_at + 1);
      }
      std::string_view payload;
      s = ReadPayload(n, &payload);
      if (s != Step::kOk) return s;
      text.append(payload);
    }
    *v = Value::Bulk(std::move(text));
    return Step::kOk;
  }

  // Array "*<n>\r\n" then n values; map "%<n>" then n key/value pairs; set
  // "~<n>"; push ">"<n>". "*-1" is RESP2's null array (choice: accepted in
  // RESP3 too); "*?", "%?", "~?" (RESP3) are streamed: values until ".\r\n".
  Step ReadAggregate(char t, std::string_view line, size_t type_at, size_t depth, Value* v) {
    const uint64_t content_at = type_at + 1;
    const bool streamable = t != '>' && protocol_ == Protocol::kResp3;
    int64_t n = 0;
    Len kind = ParseLen(line, t == '*', streamable, &n);
    if (kind == Len::kBad) return Error("bad-length", content_at);
    if (kind == Len::kNull) {
      *v = Value::Null(Type::kNullArray);
      return Step::kOk;
    }
    if (kind == Len::kCount && n > limits_.max_aggregate_len) {
      return Error("aggregate-too-long", content_at);
    }
    if (depth + 1 > limits_.max_depth) return Error("too-deep", type_at);
    const Type type = t == '*'   ? Type::kArray
                      : t == '%' ? Type::kMap
                      : t == '~' ? Type::kSet
                                 : Type::kPush;
    Value agg = Value::Aggregate(type);
    if (kind == Len::kCount) {
      const int64_t items = type == Type::kMap ? 2 * n : n;
      for (int64_t i = 0; i < items; ++i) {
        Value e;
        bool end = false;
        Step s = ReadValue(depth + 1, EndRule::kNotStreamed, &e, &end);
        if (s != Step::kOk) return s;
        agg.elems.push_back(std::move(e));
      }
    } else {
      while (true) {
        const bool map_value = type == Type::kMap && agg.elems.size() % 2 == 1;
        Value e;
        bool end = false;
        Step s = ReadValue(depth + 1, map_value ? EndRule::kMapValue : EndRule::kElement, &e, &end);
        if (s != Step::kOk) return s;
        if (end) break;
        agg.elems.push_back(std::move(e));
      }
    }
    *v = std::move(agg);
    return Step::kOk;
  }

  std::string_view in_;
  Protocol protocol_;
  RespReferenceLimits limits_;
  size_t pos_ = 0;
  const char* error_ = "";
  uint64_t error_offset_ = 0;
};

}  // namespace

RespReferenceResult ReferenceReadResp(std::string_view input, resp::Protocol protocol,
                                      const RespReferenceLimits& limits) {
  return RefReader(input, protocol, limits).Run();
}

}  // namespace respfuzz::models
