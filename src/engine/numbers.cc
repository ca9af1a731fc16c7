#include "src/engine/numbers.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace respfuzz::engine {

std::optional<int64_t> CheckedAdd(int64_t value, int64_t incr) {
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) ||
      (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    return std::nullopt;
  }
  return value + incr;
}

namespace {

// Both parsers need a NUL-terminated copy: the argument may hold NULs, which
// then stop strtod early and fail the whole-string check, as in Redis.
template <typename T, T (*Strto)(const char*, char**)>
std::optional<T> ParseFloating(std::string_view s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  const T v = Strto(buf.c_str(), &end);
  if (static_cast<size_t>(end - buf.c_str()) != buf.size()) return std::nullopt;
  if (errno == ERANGE && (std::isinf(v) || std::fpclassify(v) == FP_ZERO)) return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  return v;
}

double StrtodC(const char* p, char** end) { return std::strtod(p, end); }
long double StrtoldC(const char* p, char** end) { return std::strtold(p, end); }

}  // namespace

std::optional<double> ParseDouble(std::string_view s) { return ParseFloating<double, StrtodC>(s); }

std::optional<long double> ParseLongDouble(std::string_view s) {
  // string2ld copies into a MAX_LONG_DOUBLE_CHARS (5 KiB) buffer first:
  // longer text is rejected whatever it says.
  if (s.size() >= kMaxLongDoubleChars) return std::nullopt;
  return ParseFloating<long double, StrtoldC>(s);
}

std::string FormatLongDoubleHuman(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[kMaxLongDoubleChars + 64];
  int n = std::snprintf(buf, sizeof buf, "%.17Lf", v);
  if (n < 0 || static_cast<size_t>(n) >= sizeof buf) return "0";
  std::string out(buf, n);
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string FormatInt64(int64_t v) { return std::to_string(v); }

}  // namespace respfuzz::engine
