// Numbers, glob patterns and reply shapes of the reference model, each a
// plain port of the Redis 7.0.15 function named in its comment.
#include <strings.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Type;
using resp::Value;

namespace {

constexpr size_t kMaxLongDoubleChars = 5 * 1024;  // MAX_LONG_DOUBLE_CHARS
constexpr size_t kLongStrSize = 21;               // LONG_STR_SIZE

// stringmatchlen_impl (util.c), pointer for pointer. Both strings are read
// through c_str(), so the one-past-the-end reads Redis makes see a NUL, as
// they do on an sds.
int MatchImpl(const char* pattern, int patternLen, const char* string, int stringLen, int nocase,
              int* skipLongerMatches) {
  while (patternLen && stringLen) {
    switch (pattern[0]) {
      case '*':
        while (patternLen && pattern[1] == '*') {
          pattern++;
          patternLen--;
        }
        if (patternLen == 1) return 1; /* match */
        while (stringLen) {
          if (MatchImpl(pattern + 1, patternLen - 1, string, stringLen, nocase, skipLongerMatches))
            return 1;                       /* match */
          if (*skipLongerMatches) return 0; /* no match */
          string++;
          stringLen--;
        }
        *skipLongerMatches = 1;
        return 0; /* no match */
      case '?':
        string++;
        stringLen--;
        break;
      case '[': {
        int isnot, match;
        pattern++;
        patternLen--;
        isnot = pattern[0] == '^';
        if (isnot) {
          pattern++;
          patternLen--;
        }
        match = 0;
        while (1) {
          if (pattern[0] == '\\' && patternLen >= 2) {
            pattern++;
            patternLen--;
            if (pattern[0] == string[0]) match = 1;
          } else if (pattern[0] == ']') {
            break;
          } else if (patternLen == 0) {
            pattern--;
            patternLen++;
            break;
          } else if (patternLen >= 3 && pattern[1] == '-') {
            int start = pattern[0];
            int end = pattern[2];
            int c = string[0];
            if (start > end) {
              int t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = tolower(start);
              end = tolower(end);
              c = tolower(c);
            }
            pattern += 2;
            patternLen -= 2;
            if (c >= start && c <= end) match = 1;
          } else {
            if (!nocase) {
              if (pattern[0] == string[0]) match = 1;
            } else {
              if (tolower((int)pattern[0]) == tolower((int)string[0])) match = 1;
            }
          }
          pattern++;
          patternLen--;
        }
        if (isnot) match = !match;
        if (!match) return 0; /* no match */
        string++;
        stringLen--;
        break;
      }
      case '\\':
        if (patternLen >= 2) {
          pattern++;
          patternLen--;
        }
        [[fallthrough]];
      default:
        if (!nocase) {
          if (pattern[0] != string[0]) return 0; /* no match */
        } else {
          if (tolower((int)pattern[0]) != tolower((int)string[0])) return 0; /* no match */
        }
        string++;
        stringLen--;
        break;
    }
    pattern++;
    patternLen--;
    if (stringLen == 0) {
      while (*pattern == '*') {
        pattern++;
        patternLen--;
      }
      break;
    }
  }
  if (patternLen == 0 && stringLen == 0) return 1;
  return 0;
}

}  // namespace

bool StringMatch(const std::string& pattern, const std::string& str, bool nocase) {
  int skip = 0;
  return MatchImpl(pattern.c_str(), static_cast<int>(pattern.size()), str.c_str(),
                   static_cast<int>(str.size()), nocase ? 1 : 0, &skip) != 0;
}

bool EqualsIgnoreCase(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

// string2ll (util.c).
bool String2ll(const std::string& str, int64_t* out) {
  const char* s = str.data();
  size_t slen = str.size();
  const char* p = s;
  size_t plen = 0;
  bool negative = false;
  unsigned long long v;

  if (plen == slen || slen >= kLongStrSize) return false;
  if (slen == 1 && p[0] == '0') {
    *out = 0;
    return true;
  }
  if (p[0] == '-') {
    negative = true;
    p++;
    plen++;
    if (plen == slen) return false;
  }
  if (p[0] >= '1' && p[0] <= '9') {
    v = p[0] - '0';
    p++;
    plen++;
  } else {
    return false;
  }
  while (plen < slen && p[0] >= '0' && p[0] <= '9') {
    if (v > (ULLONG_MAX / 10)) return false;
    v *= 10;
    if (v > (ULLONG_MAX - (p[0] - '0'))) return false;
    v += p[0] - '0';
    p++;
    plen++;
  }
  if (plen < slen) return false;
  if (negative) {
    if (v > ((unsigned long long)(-(LLONG_MIN + 1)) + 1)) return false;
    *out = static_cast<int64_t>(0ULL - v);
  } else {
    if (v > LLONG_MAX) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// string2ld (util.c): strtold on a NUL-terminated copy, nothing before or after.
bool String2ld(const std::string& s, long double* out) {
  char buf[kMaxLongDoubleChars];
  size_t slen = s.size();
  if (slen == 0 || slen >= sizeof(buf)) return false;
  std::memcpy(buf, s.data(), slen);
  buf[slen] = '\0';
  errno = 0;
  char* eptr;
  long double value = strtold(buf, &eptr);
  if (isspace(static_cast<unsigned char>(buf[0])) || eptr[0] != '\0' ||
      static_cast<size_t>(eptr - buf) != slen ||
      (errno == ERANGE &&
       (value == HUGE_VAL || value == -HUGE_VAL || std::fpclassify(value) == FP_ZERO)) ||
      errno == EINVAL || std::isnan(value))
    return false;
  *out = value;
  return true;
}

// string2d (util.c): strtod, the whole string, no leading space.
bool String2d(const std::string& s, double* out) {
  errno = 0;
  char* eptr;
  const char* p = s.c_str();
  double d = strtod(p, &eptr);
  if (s.empty() || isspace(static_cast<unsigned char>(p[0])) ||
      static_cast<size_t>(eptr - p) != s.size() ||
      (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL || std::fpclassify(d) == FP_ZERO)) ||
      std::isnan(d))
    return false;
  *out = d;
  return true;
}

// ld2string(..., LD_STR_HUMAN) (util.c).
std::string FormatLongDoubleHuman(long double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[kMaxLongDoubleChars];
  int n = snprintf(buf, sizeof(buf), "%.17Lf", value);
  if (n < 0 || static_cast<size_t>(n) + 1 > sizeof(buf)) return "";
  size_t l = static_cast<size_t>(n);
  if (std::strchr(buf, '.') != nullptr) {
    char* p = buf + l - 1;
    while (*p == '0') {
      p--;
      l--;
    }
    if (*p == '.') l--;
  }
  if (l == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    l = 1;
  }
  return std::string(buf, l);
}

// The text addReplyDouble sends in RESP2.
std::string FormatDouble17g(double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  int n = snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, static_cast<size_t>(n));
}

std::string SanitizeErrorText(std::string s) {
  // sdstrim(s, "\r\n") then sdsmapchars(s, "\r\n", "  ").
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  s = s.substr(b, e - b);
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

std::string CString(const std::string& s) { return std::string(s.c_str()); }

// ---------------------------------------------------------------------------
// Reply shapes (networking.c).

Value Ctx::Null() { return Value::Null(resp3() ? Type::kNull : Type::kNullBulk); }
Value Ctx::NullArray() { return Value::Null(resp3() ? Type::kNull : Type::kNullArray); }
Value Ctx::Array(std::vector<Value> elems) {
  return Value::Aggregate(Type::kArray, std::move(elems));
}
Value Ctx::Map(std::vector<Value> flat) {
  return Value::Aggregate(resp3() ? Type::kMap : Type::kArray, std::move(flat));
}
Value Ctx::SetOf(std::vector<Value> elems) {
  return Value::Aggregate(resp3() ? Type::kSet : Type::kArray, std::move(elems));
}
Value Ctx::Double(double d) {
  if (resp3()) return Value::Double(d);
  return Value::Bulk(FormatDouble17g(d));
}
Value Ctx::Err(const std::string& msg) {
  if (!msg.empty() && msg[0] == '-') return Value::Error(msg.substr(1));
  return Value::Error("ERR " + msg);
}
Value Ctx::WrongType() {
  return Value::Error("WRONGTYPE Operation against a key holding the wrong kind of value");
}
Value Ctx::ArityErr() {
  std::string name = argv[0];
  for (char& ch : name) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  return Err("wrong number of arguments for '" + name + "' command");
}

// ---------------------------------------------------------------------------
// Argument parsing (object.c).

bool Ctx::GetLongLong(const std::string& arg, int64_t* out, Value* err, const char* msg) {
  if (!String2ll(arg, out)) {
    *err = Err(msg ? msg : "value is not an integer or out of range");
    return false;
  }
  return true;
}

bool Ctx::GetLong(const std::string& arg, int64_t* out, Value* err, const char* msg) {
  int64_t v;
  if (!GetLongLong(arg, &v, err, msg)) return false;
  if (v < LONG_MIN || v > LONG_MAX) {
    *err = Err(msg ? msg : "value is out of range");
    return false;
  }
  *out = v;
  return true;
}

bool Ctx::GetRangeLong(const std::string& arg, int64_t min, int64_t max, int64_t* out, Value* err,
                       const char* msg) {
  if (!GetLong(arg, out, err, msg)) return false;
  if (*out < min || *out > max) {
    if (msg) {
      *err = Err(msg);
    } else {
      *err = Err("value is out of range, value must between " + std::to_string(min) + " and " +
                 std::to_string(max));
    }
    return false;
  }
  return true;
}

bool Ctx::GetPositiveLong(const std::string& arg, int64_t* out, Value* err, const char* msg) {
  return GetRangeLong(arg, 0, LONG_MAX, out, err,
                      msg ? msg : "value is out of range, must be positive");
}

bool Ctx::GetInt(const std::string& arg, int* out, Value* err, const char* msg) {
  int64_t v;
  if (!GetRangeLong(arg, INT_MIN, INT_MAX, &v, err, msg)) return false;
  *out = static_cast<int>(v);
  return true;
}

bool Ctx::GetDouble(const std::string& arg, double* out, Value* err) {
  if (!String2d(arg, out)) {
    *err = Err("value is not a valid float");
    return false;
  }
  return true;
}

bool Ctx::GetLongDouble(const std::string& arg, long double* out, Value* err) {
  if (!String2ld(arg, out)) {
    *err = Err("value is not a valid float");
    return false;
  }
  return true;
}

}  // namespace respfuzz::models::refmodel
