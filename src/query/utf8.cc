#include "src/query/utf8.h"

#include <cstdint>

namespace respfuzz::query {

namespace {

// Length of the well-formed sequence at s[i], or 0 (RFC 3629 table 3-7).
size_t SequenceLength(std::string_view s, size_t i) {
  const auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b = at(i);
  if (b < 0x80) return 1;
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;  // overlong
    if (b == 0xED) hi = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;  // overlong
    if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return len;
}

}  // namespace

size_t InvalidUtf8At(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = SequenceLength(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

void LowercaseUtf8(std::string* s) {
  for (size_t i = 0; i < s->size(); ++i) {
    char& c = (*s)[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (static_cast<uint8_t>(c) == 0xC3 && i + 1 < s->size()) {
      // U+00C0..U+00DE are C3 80..C3 9E; their lowercase forms are C3 A0..C3 BE.
      const uint8_t next = static_cast<uint8_t>((*s)[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97)
        (*s)[i + 1] = static_cast<char>(next + 0x20);
      ++i;
    }
  }
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  CodePoints(s, &out);
  return out;
}

void CodePoints(std::string_view s, std::vector<char32_t>* out) {
  out->clear();
  out->reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = SequenceLength(s, i);
    if (len == 0) {
      out->push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = static_cast<uint8_t>(s[i]);
    if (len > 1) {
      cp &= 0x7F >> len;
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
    }
    out->push_back(cp);
    i += len;
  }
}

}  // namespace respfuzz::query
