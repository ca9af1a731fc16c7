#include "src/engine/glob.h"

#include <cstdint>
#include <utility>

namespace respfuzz::engine {

GlobPattern::GlobPattern(std::string_view p, bool nocase) : nocase_(nocase) {
  empty_ = p.empty();
  match_all_ = p == "*";
  const size_t n = p.size();
  // Redis reads the pattern as a NUL-terminated buffer: one byte past the
  // end reads as '\0'.
  auto at = [&](size_t k) -> char { return k < n ? p[k] : '\0'; };
  size_t i = 0;
  while (i < n) {
    const char c = p[i];
    Token t;
    if (c == '*') {
      t.kind = Kind::kStar;
      ++i;
    } else if (c == '?') {
      t.kind = Kind::kAny;
      ++i;
    } else if (c == '[') {
      t.kind = Kind::kClass;
      t.first = static_cast<uint32_t>(items_.size());
      ++i;
      if (at(i) == '^') {
        t.negated = true;
        ++i;
      }
      while (true) {
        const size_t left = n - i;
        if (at(i) == '\\' && left >= 2) {
          ++i;
          items_.push_back({static_cast<signed char>(p[i]), static_cast<signed char>(p[i])});
        } else if (at(i) == ']') {
          break;
        } else if (left == 0) {
          --i;  // unclosed: the step below lands exactly on the end
          break;
        } else if (left >= 3 && p[i + 1] == '-') {
          signed char lo = static_cast<signed char>(p[i]);
          signed char hi = static_cast<signed char>(p[i + 2]);
          if (lo > hi) std::swap(lo, hi);
          items_.push_back({lo, hi});
          i += 2;
        } else {
          items_.push_back({static_cast<signed char>(p[i]), static_cast<signed char>(p[i])});
        }
        ++i;
      }
      ++i;
      t.count = static_cast<uint32_t>(items_.size()) - t.first;
    } else if (c == '\\') {
      if (n - i >= 2) ++i;
      t.kind = Kind::kLiteral;
      t.literal = p[i];
      ++i;
    } else {
      t.kind = Kind::kLiteral;
      t.literal = c;
      ++i;
    }
    // Consecutive stars are one group.
    if (t.kind == Kind::kStar && !tokens_.empty() && tokens_.back().kind == Kind::kStar) continue;
    tokens_.push_back(t);
  }
  // Every star group followed by more pattern costs Redis one level of
  // recursion on the way to a match; past the limit it gives up.
  int nesting = 0;
  for (size_t k = 0; k + 1 < tokens_.size(); ++k) {
    if (tokens_[k].kind == Kind::kStar) ++nesting;
  }
  too_nested_ = nesting > kMaxStarNesting;
}

namespace {

// tolower() in the C locale: ASCII letters only.
signed char Lower(signed char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

}  // namespace

bool GlobPattern::TokenMatches(const Token& t, char c) const {
  if (nocase_) c = Lower(c);
  switch (t.kind) {
    case Kind::kStar:
      return true;
    case Kind::kAny:
      return true;
    case Kind::kLiteral:
      return (nocase_ ? Lower(t.literal) : t.literal) == c;
    case Kind::kClass: {
      const signed char sc = static_cast<signed char>(c);
      bool match = false;
      for (uint32_t k = t.first; k < t.first + t.count && !match; ++k) {
        const ClassItem& it = items_[k];
        match = nocase_ ? sc >= Lower(it.lo) && sc <= Lower(it.hi) : sc >= it.lo && sc <= it.hi;
      }
      return match != t.negated;
    }
  }
  return false;
}

bool GlobPattern::Matches(std::string_view s) const {
  if (s.empty()) return empty_;
  if (too_nested_) return false;
  // Classic glob matching with backtracking to the last star: a later star
  // subsumes any choice made for an earlier one, so only the last matters.
  size_t ti = 0, si = 0;
  size_t star_t = SIZE_MAX, star_s = 0;
  const size_t nt = tokens_.size();
  while (si < s.size()) {
    if (ti < nt && tokens_[ti].kind == Kind::kStar) {
      star_t = ti++;
      star_s = si;
    } else if (ti < nt && TokenMatches(tokens_[ti], s[si])) {
      ++ti;
      ++si;
    } else if (star_t != SIZE_MAX) {
      ti = star_t + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (ti < nt && tokens_[ti].kind == Kind::kStar) ++ti;
  return ti == nt;
}

bool GlobMatch(std::string_view pattern, std::string_view s) {
  return GlobPattern(pattern).Matches(s);
}

}  // namespace respfuzz::engine
