// Number parsing and printing exactly as Redis 7.0 does it for commands:
// strtod/strtold with Redis's extra checks for floats, and the "human
// friendly" long double text INCRBYFLOAT replies. Integers are read with
// resp::ParseInt64 (src/resp/numbers.h), the core's one string2ll.
#ifndef RESPFUZZ_ENGINE_NUMBERS_H_
#define RESPFUZZ_ENGINE_NUMBERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace respfuzz::engine {

// value + incr, or nullopt when it would overflow int64 (the check
// incrDecrCommand and hincrbyCommand make before adding).
std::optional<int64_t> CheckedAdd(int64_t value, int64_t incr);

// getDoubleFromObject: strtod accepts the whole string (hex floats, inf,
// infinity), not empty, no leading space, not NaN, no overflow, no underflow
// to zero.
std::optional<double> ParseDouble(std::string_view s);

// Redis's MAX_LONG_DOUBLE_CHARS: long double text of this length or more is
// not a valid float (string2ld's buffer).
inline constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// getLongDoubleFromObject: the same rules with strtold, and shorter than
// kMaxLongDoubleChars.
std::optional<long double> ParseLongDouble(std::string_view s);

// ld2string(..., LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a trailing
// '.') removed, "-0" printed as "0", infinities as inf / -inf.
std::string FormatLongDoubleHuman(long double v);

// Integer text as Redis writes it into a string value (ll2string).
std::string FormatInt64(int64_t v);

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_NUMBERS_H_
