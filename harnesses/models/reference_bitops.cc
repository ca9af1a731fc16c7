// Bit commands of the reference model (bitops.c): SETBIT GETBIT BITCOUNT
// BITPOS BITOP BITFIELD BITFIELD_RO. Bits are numbered from the most
// significant bit of the first byte; everything is done one bit at a time.
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

const char* const kBitOffsetErr = "bit offset is not an integer or out of range";

// Bit `pos` of s; past the end a string reads as zeros.
int GetBit(const std::string& s, uint64_t pos) {
  uint64_t byte = pos / 8;
  if (byte >= s.size()) return 0;
  int shift = 7 - static_cast<int>(pos % 8);
  return (static_cast<unsigned char>(s[byte]) >> shift) & 1;
}

// Sets bit `pos` (s must be long enough).
void PutBit(std::string& s, uint64_t pos, int value) {
  uint64_t byte = pos / 8;
  int shift = 7 - static_cast<int>(pos % 8);
  unsigned char b = static_cast<unsigned char>(s[byte]);
  if (value) {
    b = static_cast<unsigned char>(b | (1 << shift));
  } else {
    b = static_cast<unsigned char>(b & ~(1 << shift));
  }
  s[byte] = static_cast<char>(b);
}

// getBitOffsetFromArgument: "#N" (BITFIELD only) is N fields of `bits` bits;
// the multiplication wraps like the C code's does on the machine. The offset
// in bytes must stay below proto-max-bulk-len.
bool GetBitOffset(Ctx& c, const std::string& arg, bool hash, int bits, uint64_t* offset,
                  Value* err) {
  bool usehash = hash && bits > 0 && !arg.empty() && arg[0] == '#';
  int64_t loffset;
  if (!String2ll(usehash ? arg.substr(1) : arg, &loffset)) {
    *err = c.Err(kBitOffsetErr);
    return false;
  }
  if (usehash) {
    uint64_t product = static_cast<uint64_t>(loffset) * static_cast<uint64_t>(bits);
    loffset = static_cast<int64_t>(product);
  }
  if (loffset < 0 || loffset / 8 >= c.st.max_string_len) {
    *err = c.Err(kBitOffsetErr);
    return false;
  }
  *offset = static_cast<uint64_t>(loffset);
  return true;
}

// lookupStringForBitCommand: the string object for a write up to bit
// `maxbit`: created (dbAdd, no signal) or padded with zero bytes.
// Returns nullptr for a key of another type. *dirty: created or grown.
Object* StringForWrite(Ctx& c, uint64_t maxbit, bool* dirty) {
  uint64_t bytes = maxbit / 8 + 1;
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kString) return nullptr;
  if (o == nullptr) {
    Object fresh;
    fresh.kind = Kind::kString;
    fresh.str.assign(bytes, '\0');
    fresh.str_made = 2;  // createObject: raw
    *dirty = true;
    return &DbAdd(c.st, c.db(), c.argv[1], fresh);
  }
  o->str_made = 2;  // dbUnshareStringValue: raw
  *dirty = false;
  if (o->str.size() < bytes) {
    o->str.resize(bytes, '\0');
    *dirty = true;
  }
  return o;
}

Value SetBit(Ctx& c) {
  const char* bit_err = "bit is not an integer or out of range";
  uint64_t offset;
  Value err;
  if (!GetBitOffset(c, c.argv[2], false, 0, &offset, &err)) return err;
  int64_t on;
  if (!c.GetLong(c.argv[3], &on, &err, bit_err)) return err;
  if (on != 0 && on != 1) return c.Err(bit_err);
  bool dirty = false;
  Object* o = StringForWrite(c, offset, &dirty);
  if (o == nullptr) return c.WrongType();
  int old = GetBit(o->str, offset);
  if (dirty || old != on) {
    PutBit(o->str, offset, static_cast<int>(on));
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyString, "setbit", c.argv[1]);
  }
  return c.Int(old);
}

Value GetBitCmd(Ctx& c) {
  uint64_t offset;
  Value err;
  if (!GetBitOffset(c, c.argv[2], false, 0, &offset, &err)) return err;
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) return c.Int(0);
  if (o->kind != Kind::kString) return c.WrongType();
  return c.Int(GetBit(o->str, offset));
}

// The start/end of BITCOUNT and BITPOS turned into bit positions
// [*from, *to]: negative values count back from the end (bytes, or bits for
// BIT), then they are clamped to the string. False for an empty range.
bool BitRange(int64_t strlen, int64_t start, int64_t end, bool isbit, uint64_t* from,
              uint64_t* to) {
  int64_t totlen = isbit ? strlen * 8 : strlen;
  if (start < 0) start = totlen + start;
  if (end < 0) end = totlen + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= totlen) end = totlen - 1;
  if (start > end) return false;
  if (isbit) {
    *from = static_cast<uint64_t>(start);
    *to = static_cast<uint64_t>(end);
  } else {
    *from = static_cast<uint64_t>(start) * 8;
    *to = static_cast<uint64_t>(end) * 8 + 7;
  }
  return true;
}

// The BIT / BYTE word: 1 for BIT, 0 for BYTE, -1 for anything else.
int UnitWord(const std::string& arg) {
  if (EqualsIgnoreCase(arg, "bit")) return 1;
  if (EqualsIgnoreCase(arg, "byte")) return 0;
  return -1;
}

Value BitCount(Ctx& c) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) return c.Int(0);
  if (o->kind != Kind::kString) return c.WrongType();
  const std::string& s = o->str;
  int64_t strlen = static_cast<int64_t>(s.size());
  uint64_t from = 0, to = 0;
  bool nonempty;
  if (c.argc() == 4 || c.argc() == 5) {
    int64_t start, end;
    Value err;
    if (!c.GetLongLong(c.argv[2], &start, &err)) return err;
    if (!c.GetLongLong(c.argv[3], &end, &err)) return err;
    if (start < 0 && end < 0 && start > end) return c.Int(0);
    bool isbit = false;
    if (c.argc() == 5) {
      int unit = UnitWord(c.argv[4]);
      if (unit < 0) return c.Syntax();
      isbit = unit == 1;
    }
    nonempty = BitRange(strlen, start, end, isbit, &from, &to);
  } else if (c.argc() == 2) {
    nonempty = BitRange(strlen, 0, strlen - 1, false, &from, &to);
  } else {
    return c.Syntax();
  }
  if (!nonempty) return c.Int(0);
  // Bit by bit, but a whole byte at once where the range covers it.
  int64_t count = 0;
  uint64_t pos = from;
  while (pos <= to) {
    if (pos % 8 == 0 && pos + 7 <= to) {
      count += __builtin_popcount(static_cast<unsigned char>(s[pos / 8]));
      pos += 8;
    } else {
      count += GetBit(s, pos);
      pos++;
    }
  }
  return c.Int(count);
}

Value BitPos(Ctx& c) {
  int64_t bit;
  Value err;
  if (!c.GetLong(c.argv[2], &bit, &err)) return err;
  if (bit != 0 && bit != 1) return c.Err("The bit argument must be 1 or 0.");
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) return c.Int(bit == 1 ? -1 : 0);
  if (o->kind != Kind::kString) return c.WrongType();
  const std::string& s = o->str;
  int64_t strlen = static_cast<int64_t>(s.size());
  uint64_t from = 0, to = 0;
  bool nonempty;
  bool end_given = false;
  if (c.argc() == 4 || c.argc() == 5 || c.argc() == 6) {
    int64_t start, end;
    if (!c.GetLongLong(c.argv[3], &start, &err)) return err;
    bool isbit = false;
    if (c.argc() == 6) {
      int unit = UnitWord(c.argv[5]);
      if (unit < 0) return c.Syntax();
      isbit = unit == 1;
    }
    if (c.argc() >= 5) {
      if (!c.GetLongLong(c.argv[4], &end, &err)) return err;
      end_given = true;
    } else {
      end = strlen - 1;  // BIT needs an end, so without one the unit is BYTE
    }
    nonempty = BitRange(strlen, start, end, isbit, &from, &to);
  } else if (c.argc() == 3) {
    nonempty = BitRange(strlen, 0, strlen - 1, false, &from, &to);
  } else {
    return c.Syntax();
  }
  if (!nonempty) return c.Int(-1);
  for (uint64_t pos = from; pos <= to; pos++) {
    if (GetBit(s, pos) == bit) return c.Int(static_cast<int64_t>(pos));
  }
  // Not found. Without an explicit end the string is taken as followed by
  // zero bits, so a clear bit is found right after the range.
  if (bit == 0 && !end_given) return c.Int(static_cast<int64_t>(to + 1));
  return c.Int(-1);
}

Value BitOp(Ctx& c) {
  std::string op = c.argv[1];
  int kind;  // 0 AND, 1 OR, 2 XOR, 3 NOT
  if (EqualsIgnoreCase(op, "and")) {
    kind = 0;
  } else if (EqualsIgnoreCase(op, "or")) {
    kind = 1;
  } else if (EqualsIgnoreCase(op, "xor")) {
    kind = 2;
  } else if (EqualsIgnoreCase(op, "not")) {
    kind = 3;
  } else {
    return c.Syntax();
  }
  if (kind == 3 && c.argc() != 4)
    return c.Err("BITOP NOT must be called with a single source key.");
  std::vector<std::string> sources;
  size_t maxlen = 0;
  for (size_t j = 3; j < c.argc(); j++) {
    Object* o = LookupKey(c.st, c.db(), c.argv[j]);
    if (o == nullptr) {
      sources.push_back("");
      continue;
    }
    if (o->kind != Kind::kString) return c.WrongType();
    sources.push_back(o->str);
    if (o->str.size() > maxlen) maxlen = o->str.size();
  }
  const std::string& target = c.argv[2];
  if (maxlen == 0) {
    if (DbDelete(c.st, c.db(), target)) {
      SignalModifiedKey(c.st, c.db(), target);
      c.Notify(kNotifyGeneric, "del", target);
    }
    return c.Int(0);
  }
  // Byte by byte; a source shorter than the result reads as zero bytes.
  std::string result(maxlen, '\0');
  for (size_t i = 0; i < maxlen; i++) {
    auto byte = [&](const std::string& src) -> unsigned {
      return i < src.size() ? static_cast<unsigned char>(src[i]) : 0u;
    };
    unsigned out = byte(sources[0]);
    if (kind == 3) out = ~out & 0xffu;
    for (size_t k = 1; k < sources.size(); k++) {
      if (kind == 0) out &= byte(sources[k]);
      if (kind == 1) out |= byte(sources[k]);
      if (kind == 2) out ^= byte(sources[k]);
    }
    result[i] = static_cast<char>(out);
  }
  Object value;
  value.kind = Kind::kString;
  value.str = result;
  value.str_made = 2;  // createObject: raw
  SetKey(c.st, c.db(), target, value, false, -1);
  c.Notify(kNotifyString, "set", target);
  return c.Int(static_cast<int64_t>(maxlen));
}

// ---------------------------------------------------------------------------
// BITFIELD.

enum { kWrap = 0, kSat = 1, kFail = 2 };
enum { kOpGet = 0, kOpSet = 1, kOpIncrBy = 2 };

struct FieldOp {
  int opcode;
  int owtype;
  bool sign;
  int bits;
  uint64_t offset;
  int64_t i64;
};

uint64_t ReadUnsigned(const std::string& s, uint64_t offset, int bits) {
  uint64_t value = 0;
  for (int j = 0; j < bits; j++)
    value = (value << 1) | static_cast<uint64_t>(GetBit(s, offset + j));
  return value;
}

int64_t ReadSigned(const std::string& s, uint64_t offset, int bits) {
  uint64_t u = ReadUnsigned(s, offset, bits);
  if (bits < 64 && (u & (uint64_t{1} << (bits - 1)))) u |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(u);
}

void WriteBits(std::string& s, uint64_t offset, int bits, uint64_t value) {
  for (int j = 0; j < bits; j++) {
    int b = static_cast<int>((value >> (bits - 1 - j)) & 1);
    PutBit(s, offset + j, b);
  }
}

// checkUnsignedBitfieldOverflow: 0 fits, 1 overflow, -1 underflow; on
// overflow *limit is what WRAP or SAT stores.
int UnsignedOverflow(uint64_t value, int64_t incr, int bits, int owtype, uint64_t* limit) {
  uint64_t max = (uint64_t{1} << bits) - 1;  // bits <= 63
  int result = 0;
  if (value > max || (incr > 0 && incr > static_cast<int64_t>(max - value))) {
    result = 1;
    if (owtype == kSat) *limit = max;
  } else if (incr < 0 && incr < -static_cast<int64_t>(value)) {
    result = -1;
    if (owtype == kSat) *limit = 0;
  }
  if (result != 0 && owtype == kWrap) {
    uint64_t sum = value + static_cast<uint64_t>(incr);
    *limit = sum & max;
  }
  return result;
}

// checkSignedBitfieldOverflow, with the same contract.
int SignedOverflow(int64_t value, int64_t incr, int bits, int owtype, int64_t* limit) {
  int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  int64_t min = -max - 1;
  // Whether value + incr leaves [min, max], without overflowing int64.
  bool over = value > max || (incr > 0 && value > max - incr);
  bool under = !over && (value < min || (incr < 0 && value < min - incr));
  if (!over && !under) return 0;
  if (owtype == kSat) *limit = over ? max : min;
  if (owtype == kWrap) {
    uint64_t sum = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      uint64_t low = sum & ((uint64_t{1} << bits) - 1);
      if (low & (uint64_t{1} << (bits - 1))) low |= ~uint64_t{0} << bits;
      sum = low;
    }
    *limit = static_cast<int64_t>(sum);
  }
  return over ? 1 : -1;
}

// getBitfieldTypeFromArgument: i1..i64 or u1..u63 (the width read as a C
// string).
bool GetFieldType(Ctx& c, const std::string& arg, bool* sign, int* bits, Value* err) {
  Value type_err = c.Err(
      "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
      "is.");
  std::string p = CString(arg);
  if (p.empty() || (p[0] != 'i' && p[0] != 'u')) {
    *err = type_err;
    return false;
  }
  *sign = p[0] == 'i';
  int64_t n;
  if (!String2ll(p.substr(1), &n) || n < 1 || (*sign && n > 64) || (!*sign && n > 63)) {
    *err = type_err;
    return false;
  }
  *bits = static_cast<int>(n);
  return true;
}

Value BitFieldGeneric(Ctx& c, bool ro_command) {
  std::vector<FieldOp> ops;
  int owtype = kWrap;
  bool readonly = true;
  uint64_t highest_write_offset = 0;
  Value err;
  for (size_t j = 2; j < c.argc(); j++) {
    size_t remargs = c.argc() - j - 1;
    const std::string& sub = c.argv[j];
    int opcode;
    if (EqualsIgnoreCase(sub, "get") && remargs >= 2) {
      opcode = kOpGet;
    } else if (EqualsIgnoreCase(sub, "set") && remargs >= 3) {
      opcode = kOpSet;
    } else if (EqualsIgnoreCase(sub, "incrby") && remargs >= 3) {
      opcode = kOpIncrBy;
    } else if (EqualsIgnoreCase(sub, "overflow") && remargs >= 1) {
      const std::string& name = c.argv[j + 1];
      j++;
      if (EqualsIgnoreCase(name, "wrap")) {
        owtype = kWrap;
      } else if (EqualsIgnoreCase(name, "sat")) {
        owtype = kSat;
      } else if (EqualsIgnoreCase(name, "fail")) {
        owtype = kFail;
      } else {
        return c.Err("Invalid OVERFLOW type specified");
      }
      continue;
    } else {
      return c.Syntax();
    }
    FieldOp op;
    op.opcode = opcode;
    op.owtype = owtype;
    op.i64 = 0;
    if (!GetFieldType(c, c.argv[j + 1], &op.sign, &op.bits, &err)) return err;
    if (!GetBitOffset(c, c.argv[j + 2], true, op.bits, &op.offset, &err)) return err;
    if (opcode != kOpGet) {
      readonly = false;
      uint64_t last = op.offset + static_cast<uint64_t>(op.bits) - 1;
      if (highest_write_offset < last) highest_write_offset = last;
      if (!c.GetLongLong(c.argv[j + 3], &op.i64, &err)) return err;
    }
    ops.push_back(op);
    j += opcode == kOpGet ? 2 : 3;
  }

  Object* o = nullptr;
  bool dirty = false;
  if (readonly) {
    o = LookupKey(c.st, c.db(), c.argv[1]);
    if (o != nullptr && o->kind != Kind::kString) return c.WrongType();
  } else {
    if (ro_command) return c.Err("BITFIELD_RO only supports the GET subcommand");
    o = StringForWrite(c, highest_write_offset, &dirty);
    if (o == nullptr) return c.WrongType();
  }

  std::vector<Value> replies;
  int changes = 0;
  std::string empty;
  for (const FieldOp& op : ops) {
    std::string& s = o != nullptr ? o->str : empty;
    if (op.opcode == kOpGet) {
      if (op.sign) {
        replies.push_back(c.Int(ReadSigned(s, op.offset, op.bits)));
      } else {
        replies.push_back(c.Int(static_cast<int64_t>(ReadUnsigned(s, op.offset, op.bits))));
      }
      continue;
    }
    if (op.sign) {
      int64_t oldval = ReadSigned(s, op.offset, op.bits);
      int64_t newval, retval, wrapped = 0;
      int overflow;
      if (op.opcode == kOpIncrBy) {
        overflow = SignedOverflow(oldval, op.i64, op.bits, op.owtype, &wrapped);
        newval = overflow ? wrapped : oldval + op.i64;
        retval = newval;
      } else {
        newval = op.i64;
        overflow = SignedOverflow(newval, 0, op.bits, op.owtype, &wrapped);
        if (overflow) newval = wrapped;
        retval = oldval;
      }
      if (overflow && op.owtype == kFail) {
        replies.push_back(c.Null());
        continue;
      }
      replies.push_back(c.Int(retval));
      WriteBits(s, op.offset, op.bits, static_cast<uint64_t>(newval));
      if (dirty || oldval != newval) changes++;
    } else {
      uint64_t oldval = ReadUnsigned(s, op.offset, op.bits);
      uint64_t newval, retval, wrapped = 0;
      int overflow;
      if (op.opcode == kOpIncrBy) {
        newval = oldval + static_cast<uint64_t>(op.i64);
        overflow = UnsignedOverflow(oldval, op.i64, op.bits, op.owtype, &wrapped);
        if (overflow) newval = wrapped;
        retval = newval;
      } else {
        newval = static_cast<uint64_t>(op.i64);
        overflow = UnsignedOverflow(newval, 0, op.bits, op.owtype, &wrapped);
        if (overflow) newval = wrapped;
        retval = oldval;
      }
      if (overflow && op.owtype == kFail) {
        replies.push_back(c.Null());
        continue;
      }
      replies.push_back(c.Int(static_cast<int64_t>(retval)));
      WriteBits(s, op.offset, op.bits, newval);
      if (dirty || oldval != newval) changes++;
    }
  }
  if (changes > 0) {
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyString, "setbit", c.argv[1]);
  }
  return c.Array(std::move(replies));
}

Value BitField(Ctx& c) { return BitFieldGeneric(c, false); }
Value BitFieldRo(Ctx& c) { return BitFieldGeneric(c, true); }

}  // namespace

std::vector<CommandSpec> BitCommands() {
  return {
      {"setbit", 4, SetBit},           {"getbit", 3, GetBitCmd}, {"bitcount", -2, BitCount},
      {"bitpos", -3, BitPos},          {"bitop", -4, BitOp},     {"bitfield", -2, BitField},
      {"bitfield_ro", -2, BitFieldRo},
  };
}

}  // namespace respfuzz::models::refmodel
