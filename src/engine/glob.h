// Redis 7.0's glob-style matching (stringmatchlen), as KEYS and SCAN's MATCH
// use it (case-sensitive) and CONFIG GET (nocase: ASCII letters compared in
// lower case, range bounds lowered after they are ordered, as Redis does):
//
//   *        any run of bytes (consecutive stars are one group)
//   ?        any one byte
//   [abc]    one byte of the set; [^abc] one byte not in it; [a-z] a range
//            (bounds compared as *signed* chars, reversed bounds swapped);
//            \x inside brackets is the literal x
//   \x       the literal x (a trailing backslash is a literal backslash)
//
// Quirks reproduced from redis-server 7.0.15:
//   - An empty string matches only the empty pattern: "**" does not match "".
//     (KEYS and SCAN short-cut the pattern "*" themselves and list "" too.)
//   - An unclosed '[' takes the rest of the pattern as its set; "[a-]" is the
//     range ']'..'a' and leaves the bracket unclosed.
//   - Protection against abusive patterns: Redis stops recursing past 1000
//     nested stars, so a pattern with more than 1000 star groups followed by
//     something else never matches anything.
//
// The pattern is compiled once into tokens and matched iteratively (the
// classic last-star backtracking), O(pattern * string) in the worst case and
// with no recursion, whatever the pattern.
#ifndef RESPFUZZ_ENGINE_GLOB_H_
#define RESPFUZZ_ENGINE_GLOB_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::engine {

class GlobPattern {
 public:
  // Redis's limit on nested '*' (star groups followed by more pattern).
  static constexpr int kMaxStarNesting = 1000;

  explicit GlobPattern(std::string_view pattern, bool nocase = false);

  bool Matches(std::string_view s) const;
  // True when the pattern is exactly "*", which KEYS and SCAN treat as "list
  // everything" without matching (so it also lists the empty key).
  bool MatchesEverything() const { return match_all_; }

 private:
  enum class Kind : uint8_t { kStar, kAny, kLiteral, kClass };
  struct ClassItem {
    signed char lo, hi;  // a single byte has lo == hi
  };
  struct Token {
    Kind kind;
    bool negated = false;  // kClass: [^...]
    char literal = 0;      // kLiteral
    uint32_t first = 0;    // kClass: items_[first, first + count)
    uint32_t count = 0;
  };

  bool TokenMatches(const Token& t, char c) const;

  std::vector<Token> tokens_;
  std::vector<ClassItem> items_;
  bool empty_ = false;
  bool match_all_ = false;
  bool too_nested_ = false;
  bool nocase_ = false;
};

// One-shot convenience: GlobPattern(pattern).Matches(s).
bool GlobMatch(std::string_view pattern, std::string_view s);

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_GLOB_H_
