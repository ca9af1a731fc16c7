#include "harnesses/common/op_mutator.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace respfuzz::harnesses {

namespace {

// Empty, control bytes, CRLF, quotes, and lengths at the embstr limit (44
// bytes) and the listpack value limit (64 bytes), and one past each.
constexpr std::array<std::string_view, 18> kBytesEdges = {
    "",
    std::string_view("\0", 1),
    "\r\n",
    " ",
    "\xff",
    "\"",
    "'",
    "\\",
    "0",
    "-",
    "*1\r\n$1\r\na\r\n",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",                       // 44
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",                      // 45
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",    // 63
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",   // 64
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  // 65
    // 20 digits: the longest string2ll reads (LONG_STR_SIZE - 1), and 21.
    "12345678901234567890",
    "123456789012345678901",
};
// Hash tags (the cluster slot is the tag's), case, a NUL, a trailing space.
constexpr std::array<std::string_view, 12> kKeyEdges = {
    "", "k1", "K1", "k1 ", "{k1}", "{k1}x", "x{k1}", "{}", "{", "}{k1}", "k", "k1k1",
};
// string2ll's corners: signs, -0, leading zeros and spaces, the 64-bit and
// 32-bit limits and one past each, exponents and hex, which it refuses; the
// shared integers' limit (OBJ_SHARED_INTEGERS, 10000).
constexpr std::array<std::string_view, 47> kIntegerEdges = {
    "0",
    "-0",
    "+0",
    "1",
    "-1",
    "+1",
    "01",
    "00",
    " 1",
    "1 ",
    "",
    "-",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "1e3",
    "0x10",
    "1.0",
    "99999999999999999999",
    "9999",
    "10000",
    // Encoding widths, each limit and one past: listpack's 7-bit and 13-bit
    // integers, 16-bit (intset int16 too), 24-bit; the entry counts where
    // zset/set listpacks and hash/intset encodings convert (128, 512).
    "127",
    "128",
    "4095",
    "4096",
    "-4096",
    "-4097",
    "32767",
    "32768",
    "-32768",
    "-32769",
    "8388607",
    "8388608",
    "-8388608",
    "-8388609",
    "129",
    "512",
    "513",
};
// strtod's corners as Redis checks them: inf in its spellings, nan, -0,
// DBL_MAX and past it, denormals, a lone dot or exponent, spaces.
constexpr std::array<std::string_view, 36> kFloatEdges = {
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1.7976931348623157e308",
    "1e308",
    "1e309",
    "-1e309",
    "inf",
    "-inf",
    "+inf",
    "Inf",
    "INF",
    "infinity",
    "-infinity",
    "nan",
    "NaN",
    "-nan",
    "4.9e-324",
    "1e-400",
    ".5",
    "5.",
    "1e",
    "e1",
    "1e+",
    "0x1p3",
    " 1",
    "1 ",
    "",
    "1.5",
    // Exponents in both cases and signs, signs on fractions, leading zeros,
    // DBL_MIN.
    "1E3",
    "1e-3",
    "+1.5",
    "-.5",
    "007.5",
    "2.2250738585072014e-308",
};
// Option words in lower, upper and mixed case (Redis compares them with
// strcasecmp), and near misses.
constexpr std::array<std::string_view, 67> kWordEdges = {
    "",        "ex",         "EX",         "Ex",         "px",    "PX",      "Px",      "exat",
    "EXAT",    "ExAt",       "pxat",       "PXAT",       "PxAt",  "nx",      "NX",      "Nx",
    "xx",      "XX",         "Xx",         "get",        "GET",   "GeT",     "keepttl", "KEEPTTL",
    "KeEpTtL", "withscores", "WITHSCORES", "WiThScOrEs", "limit", "LIMIT",   "LiMiT",   "count",
    "COUNT",   "CoUnT",      "match",      "MATCH",      "MaTcH", "type",    "TYPE",    "TyPe",
    "ch",      "CH",         "Ch",         "gt",         "GT",    "Gt",      "lt",      "LT",
    "Lt",      "incr",       "INCR",       "InCr",       "rev",   "REV",     "ReV",     "byscore",
    "BYSCORE", "ByScOrE",    "bylex",      "BYLEX",      "ByLeX", "persist", "PERSIST", "PeRsIsT",
    "gEt",     "EXX",        "e",
};
// Glob patterns: escapes, open and reversed classes, stars.
constexpr std::array<std::string_view, 16> kPatternEdges = {
    "*",    "?",     "[",     "[]", "[^]", "[a-", "\\",   "*\\",
    "[\\]", "[a-z]", "[z-a]", "**", "?*?", "",    "[^a]", "\\*",
};
// Score and lex range bounds: exclusive and inclusive forms, infinities.
constexpr std::array<std::string_view, 22> kRangeEdges = {
    "-",    "+",   "[",    "(", "[a", "(a", "(1", "[1",  "(-inf", "(+inf", "-inf",
    "+inf", "inf", "(nan", "0", "-1", "1",  "(0", "(-0", "",      "((1",   "[-",
};

}  // namespace

std::span<const std::string_view> EdgeValues(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBytes:
      return kBytesEdges;
    case ValueKind::kKey:
      return kKeyEdges;
    case ValueKind::kInteger:
      return kIntegerEdges;
    case ValueKind::kFloat:
      return kFloatEdges;
    case ValueKind::kWord:
      return kWordEdges;
    case ValueKind::kPattern:
      return kPatternEdges;
    case ValueKind::kRange:
      return kRangeEdges;
  }
  return kBytesEdges;
}

ValueKind GuessKind(std::string_view value) {
  if (value.empty()) return ValueKind::kBytes;
  int64_t i;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), i);
  if (ec == std::errc() && end == value.data() + value.size()) return ValueKind::kInteger;
  // strtod, not std::from_chars: libc++ (OSS-Fuzz) has no floating-point
  // from_chars.
  const std::string text(value);
  char* parsed_to = nullptr;
  std::strtod(text.c_str(), &parsed_to);
  if (parsed_to == text.c_str() + text.size() && text[0] != ' ') return ValueKind::kFloat;
  return ValueKind::kBytes;
}

uint64_t MutationRng::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

namespace {

bool MutateText(const ArgSlot& slot, std::span<const std::string> reuse, MutationRng& rng,
                ByteMutator bytes, ArgMutation* how) {
  std::string& v = *slot.text;
  const std::string old = v;
  // Pool, edge, reuse, bytes; a way with no values falls to bytes.
  ArgMutation way = static_cast<ArgMutation>(rng.Below(4));
  if (way == ArgMutation::kPool && slot.pool.empty()) way = ArgMutation::kEdge;
  if (way == ArgMutation::kReuse && reuse.empty()) way = ArgMutation::kBytes;
  switch (way) {
    case ArgMutation::kPool:
      v = slot.pool[rng.Below(slot.pool.size())];
      break;
    case ArgMutation::kEdge: {
      // The slot's kind, and sometimes the kind the value looks like.
      const ValueKind kind = rng.OneIn(3) ? GuessKind(old) : slot.kind;
      const auto edges = EdgeValues(kind);
      v = edges[rng.Below(edges.size())];
      break;
    }
    case ArgMutation::kReuse:
      v = reuse[rng.Below(reuse.size())];
      break;
    case ArgMutation::kBytes: {
      if (slot.max_len == 0) return false;
      std::string buf = v;
      if (buf.empty()) buf.push_back(static_cast<char>(rng.Below(256)));
      const size_t size = std::min(buf.size(), slot.max_len);
      buf.resize(slot.max_len);
      buf.resize(bytes(reinterpret_cast<uint8_t*>(buf.data()), size, slot.max_len));
      v = std::move(buf);
      break;
    }
    case ArgMutation::kInsert:
    case ArgMutation::kDelete:
      return false;  // list slots only (MutateList)
  }
  if (v.size() > slot.max_len) v.resize(slot.max_len);
  if (how != nullptr) *how = way;
  return v != old;
}

bool MutateNumber(const ArgSlot& slot, MutationRng& rng, ArgMutation* how) {
  const int64_t old = slot.u32 != nullptr ? int64_t{*slot.u32} : int64_t{*slot.i32};
  int64_t v = old;
  if (slot.max < slot.min) return false;
  const uint64_t span = static_cast<uint64_t>(slot.max - slot.min);
  ArgMutation way = static_cast<ArgMutation>(rng.Below(3));
  if (way == ArgMutation::kPool && slot.steps.empty()) way = ArgMutation::kEdge;
  switch (way) {
    case ArgMutation::kPool:
      v = slot.steps[rng.Below(slot.steps.size())];
      break;
    case ArgMutation::kEdge: {
      // The bounds, one inside each, 0 and 1, and powers of two and their
      // neighbours.
      switch (rng.Below(5)) {
        case 0:
          v = slot.min + static_cast<int64_t>(rng.Below(2));
          break;
        case 1:
          v = slot.max - static_cast<int64_t>(rng.Below(2));
          break;
        case 2:
          v = static_cast<int64_t>(rng.Below(2));
          break;
        default:
          v = (int64_t{1} << rng.Below(33)) + static_cast<int64_t>(rng.Below(3)) - 1;
          break;
      }
      break;
    }
    default: {
      // A small step, a flipped bit, or anywhere in the range.
      switch (rng.Below(3)) {
        case 0:
          v = old + static_cast<int64_t>(rng.Below(33)) - 16;
          break;
        case 1:
          v = old ^ (int64_t{1} << rng.Below(32));
          break;
        default:
          v = slot.min +
              static_cast<int64_t>(span == UINT64_MAX ? rng.Next() : rng.Below(span + 1));
          break;
      }
      way = ArgMutation::kBytes;
      break;
    }
  }
  v = std::clamp(v, slot.min, slot.max);
  if (slot.u32 != nullptr) {
    *slot.u32 = static_cast<uint32_t>(v);
  } else {
    *slot.i32 = static_cast<int>(v);
  }
  if (how != nullptr) *how = way;
  return v != old;
}

// Inserts an item into a list slot (a pool value, an edge value of the kind
// its neighbour looks like, a value of the program or a copy of an item) or
// deletes one, keeping items before `first` and the item cap.
bool MutateList(const ArgSlot& slot, std::span<const std::string> reuse, MutationRng& rng,
                ArgMutation* how) {
  std::vector<std::string>& v = *slot.list;
  const size_t first = std::min(slot.first, v.size());
  const bool can_insert = v.size() < slot.max_items;
  const bool can_delete = v.size() > first;
  if (!can_insert && !can_delete) return false;
  const auto at = [&](size_t i) { return v.begin() + static_cast<std::ptrdiff_t>(i); };
  if (!can_insert || (can_delete && rng.OneIn(3))) {
    v.erase(at(first + rng.Below(v.size() - first)));
    if (how != nullptr) *how = ArgMutation::kDelete;
    return true;
  }
  const size_t pos = first + rng.Below(v.size() - first + 1);
  std::string item;
  switch (rng.Below(4)) {
    case 0:
      if (!slot.pool.empty()) {
        item = slot.pool[rng.Below(slot.pool.size())];
        break;
      }
      [[fallthrough]];
    case 1: {
      const ValueKind kind = pos > first ? GuessKind(v[pos - 1]) : slot.kind;
      const auto edges = EdgeValues(rng.OneIn(2) ? kind : slot.kind);
      item = edges[rng.Below(edges.size())];
      break;
    }
    case 2:
      if (!reuse.empty()) {
        item = reuse[rng.Below(reuse.size())];
        break;
      }
      [[fallthrough]];
    default:
      if (!v.empty()) item = v[rng.Below(v.size())];
      break;
  }
  if (item.size() > slot.max_len) item.resize(slot.max_len);
  v.insert(at(pos), std::move(item));
  if (how != nullptr) *how = ArgMutation::kInsert;
  return true;
}

}  // namespace

bool MutateArg(const ArgSlot& slot, std::span<const std::string> reuse, MutationRng& rng,
               ByteMutator bytes, ArgMutation* how) {
  if (slot.list != nullptr) return MutateList(slot, reuse, rng, how);
  if (slot.text != nullptr) return MutateText(slot, reuse, rng, bytes, how);
  if (slot.u32 != nullptr || slot.i32 != nullptr) return MutateNumber(slot, rng, how);
  return false;
}

std::string FreshOpBytes(MutationRng& rng) {
  std::string out(4 + rng.Below(28), '\0');
  for (char& c : out) c = static_cast<char>(rng.OneIn(4) ? rng.Below(256) : rng.Below(0x80));
  return out;
}

}  // namespace respfuzz::harnesses
