#include "src/resp/numbers.h"

namespace respfuzz::resp {

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty() || s.size() >= kLongStrSize) return std::nullopt;
  if (s == "0") return 0;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return std::nullopt;
  }
  // The first digit is 1-9: a leading zero (and so "-0") is not a number.
  if (s[i] < '1' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  constexpr uint64_t kMaxMagnitude = static_cast<uint64_t>(INT64_MAX);
  if (negative) {
    if (v > kMaxMagnitude + 1) return std::nullopt;
    return static_cast<int64_t>(0 - v);  // modular, so INT64_MIN comes out right
  }
  if (v > kMaxMagnitude) return std::nullopt;
  return static_cast<int64_t>(v);
}

}  // namespace respfuzz::resp
