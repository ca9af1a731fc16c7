// Bit commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO,
// with Redis 7.0.15's replies, errors and key events.
//
// Bit offsets are limited as Redis limits them: offset / 8 must be below
// proto-max-bulk-len (CommandContext::max_string_len), so a bitmap never
// grows past that many bytes, plus at most 8 for a BITFIELD write that
// starts just below the limit (its field reaches up to 63 bits further).
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

namespace {

constexpr std::string_view kErrBitOffset = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kErrBitValue = "ERR bit is not an integer or out of range";
constexpr std::string_view kErrBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
    "is.";

// Redis's getBitOffsetFromArgument. With `hash` (BITFIELD), "#N" means
// N * bits; the product wraps as the C multiplication does in practice.
bool BitOffsetArg(CommandContext& c, size_t i, bool hash, int bits, uint64_t* out) {
  std::string_view a = c.arg(i);
  const bool use_hash = hash && bits > 0 && !a.empty() && a[0] == '#';
  if (use_hash) a.remove_prefix(1);
  std::optional<int64_t> v = resp::ParseInt64(a);
  if (!v) {
    c.reply.Error(kErrBitOffset);
    return false;
  }
  int64_t off = *v;
  if (use_hash)
    off = static_cast<int64_t>(static_cast<uint64_t>(off) * static_cast<uint64_t>(bits));
  if (off < 0 || (off >> 3) >= c.max_string_len) {
    c.reply.Error(kErrBitOffset);
    return false;
  }
  *out = static_cast<uint64_t>(off);
  return true;
}

// Redis's lookupStringForBitCommand: the string at the key, created or
// zero-padded so that bit `max_bit` exists. *dirty says whether it was
// created or grew. Replies WRONGTYPE and returns nullptr for other types.
// Raises no event: the command signals when it changed something.
std::string* StringForBits(CommandContext& c, uint64_t max_bit, bool* dirty) {
  const size_t need = static_cast<size_t>(max_bit >> 3) + 1;
  std::string* s;
  Object* obj;
  if (!c.FindAs(c.arg(1), &s, &obj)) return nullptr;
  // A new string is raw; an existing one is made raw (dbUnshareStringValue).
  if (s == nullptr) {
    *dirty = true;
    Object& fresh = c.ks.AddQuietly(c.db, c.arg(1), Object(std::string(need, '\0')));
    fresh.set_str_enc(StrEnc::kRaw);
    return &As<std::string>(fresh);
  }
  obj->set_str_enc(StrEnc::kRaw);
  *dirty = s->size() < need;
  if (*dirty) s->resize(need, '\0');
  return s;
}

int BitAt(std::string_view s, uint64_t bit) {
  const uint64_t byte = bit >> 3;
  if (byte >= s.size()) return 0;
  return (static_cast<uint8_t>(s[byte]) >> (7 - (bit & 7))) & 1;
}

// SETBIT key offset 0|1: replies the bit's old value. The key is signalled
// when it was created or grew, or the bit changed.
void CmdSetbit(CommandContext& c) {
  uint64_t offset;
  if (!BitOffsetArg(c, 2, false, 0, &offset)) return;
  int64_t on;
  if (!c.IntArg(3, &on, kErrBitValue)) return;
  if (on != 0 && on != 1) {
    c.reply.Error(kErrBitValue);
    return;
  }
  bool dirty;
  std::string* s = StringForBits(c, offset, &dirty);
  if (s == nullptr) return;
  const int old = BitAt(*s, offset);
  if (dirty || old != on) {
    char& byte = (*s)[offset >> 3];
    const uint8_t mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
    byte = static_cast<char>(on ? (static_cast<uint8_t>(byte) | mask)
                                : (static_cast<uint8_t>(byte) & ~mask));
    c.ks.Touched(c.db, c.arg(1));
    c.Notify(kNotifyString, "setbit", c.arg(1));
    c.Dirty();
  }
  c.reply.Integer(old);
}

// GETBIT key offset: the offset is checked before the key is looked up.
void CmdGetbit(CommandContext& c) {
  uint64_t offset;
  if (!BitOffsetArg(c, 2, false, 0, &offset)) return;
  std::string* s;
  if (!c.FindAs(c.arg(1), &s)) return;
  c.reply.Integer(s == nullptr ? 0 : BitAt(*s, offset));
}

// A range of bits, first..last inclusive, resolved from BITCOUNT's and
// BITPOS's start/end arguments as Redis does: negative indexes count from
// the end (in bytes, or in bits with BIT), then both are clamped into the
// string. `empty` when nothing is left.
struct BitRange {
  bool empty = true;
  uint64_t first = 0;
  uint64_t last = 0;
};

BitRange ResolveRange(int64_t len_bytes, int64_t start, int64_t end, bool is_bit) {
  const int64_t total = is_bit ? len_bytes * 8 : len_bytes;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  BitRange r;
  if (start > end) return r;
  r.empty = false;
  r.first = static_cast<uint64_t>(is_bit ? start : start * 8);
  r.last = static_cast<uint64_t>(is_bit ? end : end * 8 + 7);
  return r;
}

// BIT or BYTE (any case); replies a syntax error for anything else.
bool UnitArg(CommandContext& c, size_t i, bool* is_bit) {
  if (c.ArgIs(i, "bit")) {
    *is_bit = true;
  } else if (c.ArgIs(i, "byte")) {
    *is_bit = false;
  } else {
    c.reply.Error(kErrSyntax);
    return false;
  }
  return true;
}

uint64_t CountBits(std::string_view s, uint64_t first, uint64_t last) {
  uint64_t n = 0;
  uint64_t bit = first;
  // Whole bytes once aligned, bit by bit at the edges.
  while (bit <= last && (bit & 7) != 0) n += BitAt(s, bit++);
  while (bit + 7 <= last) {
    n += static_cast<uint64_t>(__builtin_popcount(static_cast<uint8_t>(s[bit >> 3])));
    bit += 8;
  }
  while (bit <= last) n += BitAt(s, bit++);
  return n;
}

// BITCOUNT key [start end [BYTE|BIT]]. The key is looked up first (a
// missing key is 0 whatever the arguments); two negative indexes with start
// after end are 0 before the unit word is read.
void CmdBitcount(CommandContext& c) {
  std::string* s;
  if (!c.FindAs(c.arg(1), &s)) return;
  if (s == nullptr) {
    c.reply.Integer(0);
    return;
  }
  const int64_t len = static_cast<int64_t>(s->size());
  BitRange r;
  if (c.argc() == 4 || c.argc() == 5) {
    int64_t start, end;
    if (!c.IntArg(2, &start) || !c.IntArg(3, &end)) return;
    if (start < 0 && end < 0 && start > end) {
      c.reply.Integer(0);
      return;
    }
    bool is_bit = false;
    if (c.argc() == 5 && !UnitArg(c, 4, &is_bit)) return;
    r = ResolveRange(len, start, end, is_bit);
  } else if (c.argc() == 2) {
    r = ResolveRange(len, 0, -1, false);
  } else {
    c.reply.Error(kErrSyntax);
    return;
  }
  c.reply.Integer(r.empty ? 0 : static_cast<int64_t>(CountBits(*s, r.first, r.last)));
}

// BITPOS key 0|1 [start [end [BYTE|BIT]]]. A missing key is all zeros: 0
// for a clear bit, -1 for a set one. When no clear bit is found and no end
// was given, the string counts as padded with zeros: the bit after the range.
void CmdBitpos(CommandContext& c) {
  int64_t bit;
  if (!c.IntArg(2, &bit)) return;
  if (bit != 0 && bit != 1) {
    c.reply.Error("ERR The bit argument must be 1 or 0.");
    return;
  }
  std::string* s;
  if (!c.FindAs(c.arg(1), &s)) return;
  if (s == nullptr) {
    c.reply.Integer(bit ? -1 : 0);
    return;
  }
  const int64_t len = static_cast<int64_t>(s->size());
  BitRange r;
  bool end_given = false;
  if (c.argc() >= 4 && c.argc() <= 6) {
    int64_t start, end;
    if (!c.IntArg(3, &start)) return;
    bool is_bit = false;
    if (c.argc() == 6 && !UnitArg(c, 5, &is_bit)) return;
    if (c.argc() >= 5) {
      if (!c.IntArg(4, &end)) return;
      end_given = true;
    } else {
      end = is_bit ? len * 8 + 7 : len - 1;
    }
    r = ResolveRange(len, start, end, is_bit);
  } else if (c.argc() == 3) {
    r = ResolveRange(len, 0, -1, false);
  } else {
    c.reply.Error(kErrSyntax);
    return;
  }
  if (r.empty) {
    c.reply.Integer(-1);
    return;
  }
  for (uint64_t b = r.first; b <= r.last; ++b) {
    // Skip whole bytes that cannot hold the bit looked for.
    if ((b & 7) == 0 && b + 7 <= r.last) {
      const uint8_t byte = static_cast<uint8_t>((*s)[b >> 3]);
      if (byte == (bit ? 0x00 : 0xff)) {
        b += 7;
        continue;
      }
    }
    if (BitAt(*s, b) == bit) {
      c.reply.Integer(static_cast<int64_t>(b));
      return;
    }
  }
  c.reply.Integer(bit == 0 && !end_given ? static_cast<int64_t>(r.last + 1) : -1);
}

// BITOP AND|OR|XOR|NOT destkey key...: missing keys are empty strings; the
// result is as long as the longest source (shorter ones padded with zeros).
// An empty result deletes the destination, as Redis's dbDelete does even
// when it is logically expired. Replies the result's length.
void CmdBitop(CommandContext& c) {
  enum class Op { kAnd, kOr, kXor, kNot } op;
  if (c.ArgIs(1, "and")) {
    op = Op::kAnd;
  } else if (c.ArgIs(1, "or")) {
    op = Op::kOr;
  } else if (c.ArgIs(1, "xor")) {
    op = Op::kXor;
  } else if (c.ArgIs(1, "not")) {
    op = Op::kNot;
  } else {
    c.reply.Error(kErrSyntax);
    return;
  }
  if (op == Op::kNot && c.argc() != 4) {
    c.reply.Error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  // Every source is looked up (expiring it lazily, checking its type)
  // before any is read: a lookup may delete another key.
  for (size_t i = 3; i < c.argc(); ++i) {
    std::string* s;
    if (!c.FindAs(c.arg(i), &s)) return;
  }
  std::vector<const std::string*> srcs;
  srcs.reserve(c.argc() - 3);
  size_t max_len = 0;
  for (size_t i = 3; i < c.argc(); ++i) {
    const Object* o = c.ks.Peek(c.db, c.arg(i));
    const std::string* s = o == nullptr ? nullptr : &As<std::string>(*o);
    srcs.push_back(s);
    if (s != nullptr) max_len = std::max(max_len, s->size());
  }
  auto byte_of = [](const std::string* s, size_t j) -> uint8_t {
    return s == nullptr || j >= s->size() ? 0 : static_cast<uint8_t>((*s)[j]);
  };
  std::string res(max_len, '\0');
  for (size_t j = 0; j < max_len; ++j) {
    uint8_t out = byte_of(srcs[0], j);
    if (op == Op::kNot) out = static_cast<uint8_t>(~out);
    for (size_t k = 1; k < srcs.size(); ++k) {
      const uint8_t b = byte_of(srcs[k], j);
      if (op == Op::kAnd) out &= b;
      if (op == Op::kOr) out |= b;
      if (op == Op::kXor) out ^= b;
    }
    res[j] = static_cast<char>(out);
  }
  if (max_len > 0) {
    c.ks.SetKey(c.db, c.arg(2), Object(std::move(res))).set_str_enc(StrEnc::kRaw);
    c.Notify(kNotifyString, "set", c.arg(2));
    c.Dirty();
  } else if (c.ks.DeleteStored(c.db, c.arg(2))) {
    c.Notify(kNotifyGeneric, "del", c.arg(2));
    c.Dirty();
  }
  c.reply.Integer(static_cast<int64_t>(max_len));
}

// BITFIELD and BITFIELD_RO.
enum class Overflow { kWrap, kSat, kFail };
enum class FieldOp { kGet, kSet, kIncrby };

struct Field {
  FieldOp op;
  Overflow overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;  // SET's value or INCRBY's increment
};

// The `bits` bits at `offset`, most significant first; bits past the end
// of the string read as 0.
uint64_t GetField(std::string_view s, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i) v = v << 1 | static_cast<uint64_t>(BitAt(s, offset + i));
  return v;
}

// Writes the low `bits` bits of v at `offset` (the string is long enough).
void SetField(std::string* s, uint64_t offset, int bits, uint64_t v) {
  for (int i = 0; i < bits; ++i) {
    const uint64_t b = offset + i;
    const uint8_t mask = static_cast<uint8_t>(1u << (7 - (b & 7)));
    char& byte = (*s)[b >> 3];
    const bool on = (v >> (bits - 1 - i)) & 1;
    byte = static_cast<char>(on ? (static_cast<uint8_t>(byte) | mask)
                                : (static_cast<uint8_t>(byte) & ~mask));
  }
}

// A field's value as the integer it stands for.
int64_t FieldValue(uint64_t raw, bool is_signed, int bits) {
  if (!is_signed || bits == 64) return static_cast<int64_t>(raw);
  if ((raw >> (bits - 1)) & 1) raw |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(raw);
}

// The value to store for `want` (exact, 128-bit) in a field of the given
// width, or false for FAIL on an overflow. The result is the raw bits.
bool Fit(__int128 want, bool is_signed, int bits, Overflow ow, uint64_t* raw) {
  const __int128 one = 1;
  const __int128 max = is_signed ? (one << (bits - 1)) - 1 : (one << bits) - 1;
  const __int128 min = is_signed ? -(one << (bits - 1)) : 0;
  __int128 v = want;
  if (want > max || want < min) {
    if (ow == Overflow::kFail) return false;
    if (ow == Overflow::kSat) v = want > max ? max : min;
  }
  // Wrapping keeps the low bits (two's complement modulo 2^bits).
  const uint64_t low = static_cast<uint64_t>(v);
  *raw = bits == 64 ? low : low & ((uint64_t{1} << bits) - 1);
  return true;
}

bool FieldTypeArg(CommandContext& c, size_t i, bool* is_signed, int* bits) {
  // The width is read as a C string (up to a NUL byte).
  const std::string_view a = CStr(c.arg(i));
  if (a.empty() || (a[0] != 'i' && a[0] != 'u')) {
    c.reply.Error(kErrBitfieldType);
    return false;
  }
  *is_signed = a[0] == 'i';
  const std::optional<int64_t> n = resp::ParseInt64(a.substr(1));
  if (!n || *n < 1 || (*is_signed && *n > 64) || (!*is_signed && *n > 63)) {
    c.reply.Error(kErrBitfieldType);
    return false;
  }
  *bits = static_cast<int>(*n);
  return true;
}

// BITFIELD key [GET type offset | SET type offset value | INCRBY type offset
// incr | OVERFLOW WRAP|SAT|FAIL]...: every op is parsed (and every error
// replied) before the key is touched; a write creates or pads the string to
// its farthest field first, and the key is signalled only if an op wrote
// (a created key whose every op failed stays, unsignalled).
void BitfieldGeneric(CommandContext& c, bool read_only_command) {
  std::vector<Field> fields;
  Overflow overflow = Overflow::kWrap;
  bool read_only = true;
  uint64_t highest_write = 0;
  for (size_t j = 2; j < c.argc(); ++j) {
    const size_t rem = c.argc() - j - 1;
    FieldOp op;
    if (c.ArgIs(j, "get") && rem >= 2) {
      op = FieldOp::kGet;
    } else if (c.ArgIs(j, "set") && rem >= 3) {
      op = FieldOp::kSet;
    } else if (c.ArgIs(j, "incrby") && rem >= 3) {
      op = FieldOp::kIncrby;
    } else if (c.ArgIs(j, "overflow") && rem >= 1) {
      ++j;
      if (c.ArgIs(j, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (c.ArgIs(j, "sat")) {
        overflow = Overflow::kSat;
      } else if (c.ArgIs(j, "fail")) {
        overflow = Overflow::kFail;
      } else {
        c.reply.Error("ERR Invalid OVERFLOW type specified");
        return;
      }
      continue;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
    Field f{op, overflow, false, 0, 0, 0};
    if (!FieldTypeArg(c, j + 1, &f.is_signed, &f.bits)) return;
    if (!BitOffsetArg(c, j + 2, true, f.bits, &f.offset)) return;
    if (op != FieldOp::kGet) {
      read_only = false;
      highest_write = std::max(highest_write, f.offset + f.bits - 1);
      if (!c.IntArg(j + 3, &f.value)) return;
    }
    fields.push_back(f);
    j += op == FieldOp::kGet ? 2 : 3;
  }

  std::string* s = nullptr;
  bool dirty = false;
  if (read_only) {
    if (!c.FindAs(c.arg(1), &s)) return;
  } else {
    if (read_only_command) {
      c.reply.Error("ERR BITFIELD_RO only supports the GET subcommand");
      return;
    }
    s = StringForBits(c, highest_write, &dirty);
    if (s == nullptr) return;
  }

  c.reply.ArrayHeader(static_cast<int64_t>(fields.size()));
  int changes = 0;
  for (const Field& f : fields) {
    if (f.op == FieldOp::kGet) {
      const uint64_t raw = s == nullptr ? 0 : GetField(*s, f.offset, f.bits);
      c.reply.Integer(FieldValue(raw, f.is_signed, f.bits));
      continue;
    }
    const uint64_t old_raw = GetField(*s, f.offset, f.bits);
    const int64_t old = FieldValue(old_raw, f.is_signed, f.bits);
    __int128 want;
    if (f.op == FieldOp::kIncrby) {
      want = static_cast<__int128>(old) + f.value;
    } else if (f.is_signed) {
      want = f.value;
    } else {
      // An unsigned field's SET reads the value as an unsigned 64-bit
      // number: a negative one is above every width's maximum.
      want = static_cast<__int128>(static_cast<uint64_t>(f.value));
    }
    uint64_t raw;
    if (!Fit(want, f.is_signed, f.bits, f.overflow, &raw)) {
      c.reply.Null();
      continue;
    }
    c.reply.Integer(f.op == FieldOp::kIncrby ? FieldValue(raw, f.is_signed, f.bits) : old);
    SetField(s, f.offset, f.bits, raw);
    if (dirty || raw != old_raw) ++changes;
  }
  if (changes > 0) {
    c.ks.Touched(c.db, c.arg(1));
    c.Notify(kNotifyString, "setbit", c.arg(1));
    c.Dirty(changes);
  }
}

void CmdBitfield(CommandContext& c) { BitfieldGeneric(c, false); }
void CmdBitfieldRo(CommandContext& c) { BitfieldGeneric(c, true); }

// clang-format off
constexpr std::array<CommandSpec, 7> kCommands = {{
    {"setbit", 4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdSetbit},
    {"getbit", 3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdGetbit},
    {"bitcount", -2, kCmdReadonly, 1, 1, 1, CmdBitcount},
    {"bitpos", -3, kCmdReadonly, 1, 1, 1, CmdBitpos},
    {"bitop", -4, kCmdWrite|kCmdDenyOom, 2, -1, 1, CmdBitop},
    {"bitfield", -2, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdBitfield},
    {"bitfield_ro", -2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdBitfieldRo},
}};
// clang-format on

}  // namespace

std::span<const CommandSpec> BitCommands() { return kCommands; }

}  // namespace respfuzz::engine
