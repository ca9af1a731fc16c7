// UTF-8 checks and the case folding the parser applies to terms and tags.
#ifndef RESPFUZZ_QUERY_UTF8_H_
#define RESPFUZZ_QUERY_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::query {

// Offset of the first byte that does not start a well-formed UTF-8 sequence
// (no overlong forms, no surrogates, nothing above U+10FFFF, no truncated
// sequence at the end), or npos when `s` is valid.
size_t InvalidUtf8At(std::string_view s);

// Lowercases valid UTF-8 in place: ASCII A-Z, and Latin-1 capitals
// U+00C0..U+00DE except U+00D7 (the multiplication sign). Both keep their
// encoded length. Other code points are left alone: full Unicode case
// mapping needs tables this module does not carry.
void LowercaseUtf8(std::string* s);

// ASCII case-insensitive equality (absl's takes absl::string_view, which is
// not std::string_view in Debian's abseil build).
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// The code points of valid UTF-8 (an invalid byte becomes U+FFFD).
std::vector<char32_t> CodePoints(std::string_view s);
// The same into *out (emptied first), reusing its capacity.
void CodePoints(std::string_view s, std::vector<char32_t>* out);

}  // namespace respfuzz::query

#endif  // RESPFUZZ_QUERY_UTF8_H_
