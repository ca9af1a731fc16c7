// Integer text as Redis reads it: one port of string2ll() (util.c) for the
// whole core. The request parser reads *N and $N with it; the engine reads
// command arguments and stored string values with it.
#ifndef RESPFUZZ_RESP_NUMBERS_H_
#define RESPFUZZ_RESP_NUMBERS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace respfuzz::resp {

// string2ll's LONG_STR_SIZE: text of this length or more is never a number.
inline constexpr size_t kLongStrSize = 21;

// Redis's string2ll: an optional '-', then decimal digits with no leading
// zero (a lone "0" is fine), nothing else: no '+', no spaces, no "-0", at
// most kLongStrSize - 1 bytes, within int64. nullopt otherwise.
std::optional<int64_t> ParseInt64(std::string_view s);

}  // namespace respfuzz::resp

#endif  // RESPFUZZ_RESP_NUMBERS_H_
