#include "harnesses/models/request_reference.h"

#include <string>

namespace respfuzz::models {

namespace {

// isspace() in the C locale (redis-server sets only LC_COLLATE).
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// string2ll(): an optional '-', then "0" alone or a digit 1-9 and more
// digits; nothing else (no '+', no spaces, no leading zeros, no "-0"); fewer
// than 21 bytes; within the range of a long long.
bool String2ll(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() >= 21) return false;
  if (s == "0") {
    *out = 0;
    return true;
  }
  bool negative = s[0] == '-';
  std::string_view digits = negative ? s.substr(1) : s;
  if (digits.empty() || digits[0] < '1' || digits[0] > '9') return false;
  // The magnitude, compared with the limit as text of equal length.
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  const std::string_view limit = negative ? "9223372036854775808" : "9223372036854775807";
  if (digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit)) {
    return false;
  }
  uint64_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
  *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

class RefRequests {
 public:
  RefRequests(std::string_view in, const RequestReferenceLimits& limits)
      : in_(in), limits_(limits) {}

  RequestReferenceResult Run() {
    // processInputBuffer: while there are bytes, the first byte of a request
    // picks its form: '*' is multibulk, anything else inline.
    while (pos_ < in_.size()) {
      bool more = in_[pos_] == '*' ? Multibulk() : Inline();
      if (!more) break;
    }
    result_.consumed = pos_;
    return std::move(result_);
  }

 private:
  enum class Line { kFound, kWait, kTooBig };

  // Redis looks for the line's terminator with strchr() from the read
  // position: a NUL byte before it hides it for good. Without a terminator,
  // Redis fails once more than PROTO_INLINE_MAX_SIZE bytes are buffered past
  // the read position; as if each byte came in its own read, that is as soon
  // as the byte after the first max_inline_len is there (a terminator at
  // index max_inline_len is still found).
  Line FindLine(char terminator, size_t* len) const {
    for (size_t i = pos_; i < in_.size() && i - pos_ <= limits_.max_inline_len; ++i) {
      if (in_[i] == '\0') break;
      if (in_[i] == terminator) {
        *len = i - pos_;
        return Line::kFound;
      }
    }
    return in_.size() - pos_ > limits_.max_inline_len ? Line::kTooBig : Line::kWait;
  }

  bool Fail(std::string message) {
    result_.error = ReferenceRequestError{pos_, std::move(message)};
    return false;
  }

  // processInlineBuffer.
  bool Inline() {
    size_t len = 0;
    switch (FindLine('\n', &len)) {
      case Line::kWait:
        return false;
      case Line::kTooBig:
        return Fail("Protocol error: too big inline request");
      case Line::kFound:
        break;
    }
    // A '\r' just before the '\n' is part of the line ending.
    std::string_view line = in_.substr(pos_, len);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::optional<std::vector<std::string>> argv = ReferenceSplitArgs(line);
    if (!argv) return Fail("Protocol error: unbalanced quotes in request");
    const uint64_t start = pos_;
    pos_ += len + 1;
    // A line of no arguments is consumed and runs nothing.
    if (!argv->empty()) result_.requests.push_back(ReferenceRequest{true, start, std::move(*argv)});
    return true;
  }

  // processMultibulkBuffer.
  bool Multibulk() {
    const uint64_t start = pos_;
    // "*<count>\r": the count line ends at the first '\r', and Redis waits
    // for one more byte (meant to be '\n', never looked at).
    size_t len = 0;
    switch (FindLine('\r', &len)) {
      case Line::kWait:
        return false;
      case Line::kTooBig:
        return Fail("Protocol error: too big mbulk count string");
      case Line::kFound:
        break;
    }
    if (in_.size() - pos_ < len + 2) return false;
    int64_t count = 0;
    if (!String2ll(in_.substr(pos_ + 1, len - 1), &count) || count > limits_.max_multibulk_len) {
      return Fail("Protocol error: invalid multibulk length");
    }
    pos_ += len + 2;
    if (count <= 0) return true;  // *0 and *-N: consumed, nothing runs

    ReferenceRequest request{false, start, {}};
    for (int64_t i = 0; i < count; ++i) {
      // "$<length>\r": the same line rules, with its own "too big" text.
      switch (FindLine('\r', &len)) {
        case Line::kWait:
          return false;
        case Line::kTooBig:
          return Fail("Protocol error: too big bulk count string");
        case Line::kFound:
          break;
      }
      if (in_.size() - pos_ < len + 2) return false;
      if (in_[pos_] != '$') {
        // "expected '$', got '%c'": addReplyErrorFormat turns \r and \n into spaces.
        char got = in_[pos_] == '\r' || in_[pos_] == '\n' ? ' ' : in_[pos_];
        return Fail(std::string("Protocol error: expected '$', got '") + got + "'");
      }
      int64_t bulk = 0;
      if (!String2ll(in_.substr(pos_ + 1, len - 1), &bulk) || bulk < 0 ||
          bulk > limits_.max_bulk_len) {
        return Fail("Protocol error: invalid bulk length");
      }
      pos_ += len + 2;
      // The payload, then two bytes Redis skips without looking at them.
      if (in_.size() - pos_ < static_cast<uint64_t>(bulk) + 2) return false;
      request.argv.emplace_back(in_.substr(pos_, static_cast<size_t>(bulk)));
      pos_ += static_cast<size_t>(bulk) + 2;
    }
    result_.requests.push_back(std::move(request));
    return true;
  }

  std::string_view in_;
  RequestReferenceLimits limits_;
  size_t pos_ = 0;  // qb_pos
  RequestReferenceResult result_;
};

}  // namespace

std::optional<std::vector<std::string>> ReferenceSplitArgs(std::string_view line) {
  // A C string: it ends at the first NUL, and reading past the end gives NUL.
  const std::string s(line.substr(0, line.find('\0')));
  const char* p = s.c_str();
  std::vector<std::string> argv;
  while (true) {
    while (*p != '\0' && IsSpace(*p)) ++p;  // blanks between arguments: isspace()
    if (*p == '\0') return argv;
    std::string arg;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (p[0] == '\\' && p[1] == 'x' && HexDigit(p[2]) >= 0 && HexDigit(p[3]) >= 0) {
          // "\xHH" with two hex digits is that byte.
          arg.push_back(static_cast<char>(HexDigit(p[2]) * 16 + HexDigit(p[3])));
          p += 3;
        } else if (p[0] == '\\' && p[1] != '\0') {
          // \n \r \t \b \a are control bytes; any other escaped byte is itself.
          ++p;
          char c = *p == 'n'   ? '\n'
                   : *p == 'r' ? '\r'
                   : *p == 't' ? '\t'
                   : *p == 'b' ? '\b'
                   : *p == 'a' ? '\a'
                               : *p;
          arg.push_back(c);
        } else if (*p == '"') {
          // A closing quote must be followed by a blank or the end.
          if (p[1] != '\0' && !IsSpace(p[1])) return std::nullopt;
          done = true;
        } else if (*p == '\0') {
          return std::nullopt;  // the quote never closes
        } else {
          arg.push_back(*p);
        }
      } else if (in_single) {
        if (p[0] == '\\' && p[1] == '\'') {  // only \' is an escape in '...'
          ++p;
          arg.push_back('\'');
        } else if (*p == '\'') {
          if (p[1] != '\0' && !IsSpace(p[1])) return std::nullopt;
          done = true;
        } else if (*p == '\0') {
          return std::nullopt;
        } else {
          arg.push_back(*p);
        }
      } else if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '\0') {
        done = true;  // an unquoted argument ends only here (not at \v or \f)
      } else if (*p == '"') {
        in_double = true;  // a quote may open in the middle of an argument
      } else if (*p == '\'') {
        in_single = true;
      } else {
        arg.push_back(*p);
      }
      if (*p != '\0') ++p;
    }
    argv.push_back(std::move(arg));
  }
}

RequestReferenceResult ReferenceParseRequests(std::string_view input,
                                              const RequestReferenceLimits& limits) {
  return RefRequests(input, limits).Run();
}

}  // namespace respfuzz::models
