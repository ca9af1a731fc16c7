// String commands of the reference model (t_string.c): GET SET SETNX SETEX
// PSETEX MGET MSET MSETNX APPEND STRLEN INCR INCRBY DECR DECRBY INCRBYFLOAT
// GETRANGE SETRANGE GETDEL GETEX GETSET LCS.
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

constexpr int kSetNx = 1 << 0;
constexpr int kSetXx = 1 << 1;
constexpr int kEx = 1 << 2;
constexpr int kPx = 1 << 3;
constexpr int kKeepTtl = 1 << 4;
constexpr int kSetGet = 1 << 5;
constexpr int kExAt = 1 << 6;
constexpr int kPxAt = 1 << 7;
constexpr int kPersist = 1 << 8;

Object StringObject(const std::string& s) {
  Object o;
  o.kind = Kind::kString;
  o.str = s;
  return o;
}

// The command's name as Redis prints it in errors (argv[0] in lower case).
std::string FullName(Ctx& c) {
  std::string name = c.argv[0];
  for (char& ch : name) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return name;
}

// checkStringLength: the result must fit proto-max-bulk-len.
bool CheckStringLength(Ctx& c, int64_t size, int64_t append, Value* err) {
  uint64_t total64 = static_cast<uint64_t>(size) + static_cast<uint64_t>(append);
  int64_t total = static_cast<int64_t>(total64);
  if (total > c.st.max_string_len || total < size || total < append) {
    *err = c.Err("string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
  }
  return true;
}

// parseExtendedStringArgumentsOrReply, option by option as Redis reads them
// (C strings: an argument is compared up to its first NUL).
bool ParseExtended(Ctx& c, bool is_set, int* flags, bool* unit_ms, const std::string** expire,
                   Value* err) {
  for (size_t j = is_set ? 3 : 2; j < c.argc(); ++j) {
    const char* opt = c.argv[j].c_str();
    const std::string* next = (j == c.argc() - 1) ? nullptr : &c.argv[j + 1];
    auto is = [](char ch, char lower) { return ch == lower || ch == lower - 'a' + 'A'; };
    if (is(opt[0], 'n') && is(opt[1], 'x') && opt[2] == '\0' && !(*flags & kSetXx) && is_set) {
      *flags |= kSetNx;
    } else if (is(opt[0], 'x') && is(opt[1], 'x') && opt[2] == '\0' && !(*flags & kSetNx) &&
               is_set) {
      *flags |= kSetXx;
    } else if (is(opt[0], 'g') && is(opt[1], 'e') && is(opt[2], 't') && opt[3] == '\0' && is_set) {
      *flags |= kSetGet;
    } else if (EqualsIgnoreCase(c.argv[j], "KEEPTTL") && !(*flags & kPersist) && !(*flags & kEx) &&
               !(*flags & kExAt) && !(*flags & kPx) && !(*flags & kPxAt) && is_set) {
      *flags |= kKeepTtl;
    } else if (EqualsIgnoreCase(c.argv[j], "PERSIST") && !is_set && !(*flags & kEx) &&
               !(*flags & kExAt) && !(*flags & kPx) && !(*flags & kPxAt) && !(*flags & kKeepTtl)) {
      *flags |= kPersist;
    } else if (is(opt[0], 'e') && is(opt[1], 'x') && opt[2] == '\0' && !(*flags & kKeepTtl) &&
               !(*flags & kPersist) && !(*flags & kExAt) && !(*flags & kPx) && !(*flags & kPxAt) &&
               next) {
      *flags |= kEx;
      *expire = next;
      j++;
    } else if (is(opt[0], 'p') && is(opt[1], 'x') && opt[2] == '\0' && !(*flags & kKeepTtl) &&
               !(*flags & kPersist) && !(*flags & kEx) && !(*flags & kExAt) && !(*flags & kPxAt) &&
               next) {
      *flags |= kPx;
      *unit_ms = true;
      *expire = next;
      j++;
    } else if (is(opt[0], 'e') && is(opt[1], 'x') && is(opt[2], 'a') && is(opt[3], 't') &&
               opt[4] == '\0' && !(*flags & kKeepTtl) && !(*flags & kPersist) && !(*flags & kEx) &&
               !(*flags & kPx) && !(*flags & kPxAt) && next) {
      *flags |= kExAt;
      *expire = next;
      j++;
    } else if (is(opt[0], 'p') && is(opt[1], 'x') && is(opt[2], 'a') && is(opt[3], 't') &&
               opt[4] == '\0' && !(*flags & kKeepTtl) && !(*flags & kPersist) && !(*flags & kEx) &&
               !(*flags & kExAt) && !(*flags & kPx) && next) {
      *flags |= kPxAt;
      *unit_ms = true;
      *expire = next;
      j++;
    } else {
      *err = c.Syntax();
      return false;
    }
  }
  return true;
}

// getExpireMillisecondsOrReply: an absolute unix time in ms. The relative
// forms add the clock with Redis's wrapping signed addition; a result <= 0 is
// an "invalid expire time".
bool ExpireMilliseconds(Ctx& c, const std::string& arg, int flags, bool unit_ms, int64_t* ms,
                        Value* err) {
  if (!c.GetLongLong(arg, ms, err)) return false;
  Value expire_err = c.Err("invalid expire time in '" + FullName(c) + "' command");
  if (*ms <= 0 || (!unit_ms && *ms > LLONG_MAX / 1000)) {
    *err = expire_err;
    return false;
  }
  if (!unit_ms) *ms *= 1000;
  if ((flags & kPx) || (flags & kEx)) {
    *ms = static_cast<int64_t>(static_cast<uint64_t>(*ms) + static_cast<uint64_t>(c.st.now));
  }
  if (*ms <= 0) {
    *err = expire_err;
    return false;
  }
  return true;
}

// getGenericCommand: false (with the WRONGTYPE reply) for a non-string.
bool GetGeneric(Ctx& c, Value* reply) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) {
    *reply = c.Null();
    return true;
  }
  if (o->kind != Kind::kString) {
    *reply = c.WrongType();
    return false;
  }
  *reply = c.Bulk(o->str);
  return true;
}

// setGenericCommand. ok_reply / abort_reply: nullptr for +OK / null.
Value SetGeneric(Ctx& c, int flags, const std::string& key, const std::string& val,
                 const std::string* expire, bool unit_ms, const Value* ok_reply,
                 const Value* abort_reply) {
  int64_t ms = 0;
  Value err;
  if (expire && !ExpireMilliseconds(c, *expire, flags, unit_ms, &ms, &err)) return err;
  Value get_reply;
  if (flags & kSetGet) {
    if (!GetGeneric(c, &get_reply)) return get_reply;
  }
  bool found = LookupKey(c.st, c.db(), key) != nullptr;
  if (((flags & kSetNx) && found) || ((flags & kSetXx) && !found)) {
    if (!(flags & kSetGet)) return abort_reply ? *abort_reply : c.Null();
    return get_reply;
  }
  SetKey(c.st, c.db(), key, StringObject(val), (flags & kKeepTtl) != 0, found ? 1 : 0);
  c.Notify(kNotifyString, "set", key);
  if (expire) {
    SetExpire(c.st, c.db(), key, ms);
    c.Notify(kNotifyGeneric, "expire", key);
  }
  if (!(flags & kSetGet)) return ok_reply ? *ok_reply : c.Ok();
  return get_reply;
}

Value Get(Ctx& c) {
  Value reply;
  GetGeneric(c, &reply);
  return reply;
}

Value Set(Ctx& c) {
  int flags = 0;
  bool unit_ms = false;
  const std::string* expire = nullptr;
  Value err;
  if (!ParseExtended(c, true, &flags, &unit_ms, &expire, &err)) return err;
  return SetGeneric(c, flags, c.argv[1], c.argv[2], expire, unit_ms, nullptr, nullptr);
}

Value SetNx(Ctx& c) {
  Value one = c.Int(1), zero = c.Int(0);
  return SetGeneric(c, kSetNx, c.argv[1], c.argv[2], nullptr, false, &one, &zero);
}

Value SetEx(Ctx& c) {
  return SetGeneric(c, kEx, c.argv[1], c.argv[3], &c.argv[2], false, nullptr, nullptr);
}

Value PSetEx(Ctx& c) {
  return SetGeneric(c, kPx, c.argv[1], c.argv[3], &c.argv[2], true, nullptr, nullptr);
}

Value GetEx(Ctx& c) {
  int flags = 0;
  bool unit_ms = false;
  const std::string* expire = nullptr;
  Value err;
  if (!ParseExtended(c, false, &flags, &unit_ms, &expire, &err)) return err;
  const std::string& key = c.argv[1];
  Object* o = LookupKey(c.st, c.db(), key);
  if (o == nullptr) return c.Null();
  if (o->kind != Kind::kString) return c.WrongType();
  int64_t ms = 0;
  if (expire && !ExpireMilliseconds(c, *expire, flags, unit_ms, &ms, &err)) return err;
  Value reply = c.Bulk(o->str);
  if (((flags & kPxAt) || (flags & kExAt)) && ms <= c.st.now) {
    DbDelete(c.st, c.db(), key);
    SignalModifiedKey(c.st, c.db(), key);
    c.Notify(kNotifyGeneric, "del", key);
  } else if (expire) {
    SetExpire(c.st, c.db(), key, ms);
    SignalModifiedKey(c.st, c.db(), key);
    c.Notify(kNotifyGeneric, "expire", key);
  } else if (flags & kPersist) {
    if (RemoveExpire(c.st, c.db(), key)) {
      SignalModifiedKey(c.st, c.db(), key);
      c.Notify(kNotifyGeneric, "persist", key);
    }
  }
  return reply;
}

Value GetDel(Ctx& c) {
  Value reply;
  if (!GetGeneric(c, &reply)) return reply;
  if (DbDelete(c.st, c.db(), c.argv[1])) {
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  return reply;
}

Value GetSet(Ctx& c) {
  Value reply;
  if (!GetGeneric(c, &reply)) return reply;
  SetKey(c.st, c.db(), c.argv[1], StringObject(c.argv[2]), false, -1);
  c.Notify(kNotifyString, "set", c.argv[1]);
  return reply;
}

Value SetRange(Ctx& c) {
  const std::string& key = c.argv[1];
  const std::string& value = c.argv[3];
  int64_t offset;
  Value err;
  if (!c.GetLong(c.argv[2], &offset, &err)) return err;
  if (offset < 0) return c.Err("offset is out of range");
  Object* o = LookupKey(c.st, c.db(), key);
  int64_t vlen = static_cast<int64_t>(value.size());
  if (o == nullptr) {
    if (value.empty()) return c.Int(0);
    if (!CheckStringLength(c, offset, vlen, &err)) return err;
    o = &DbAdd(c.st, c.db(), key,
               StringObject(std::string(static_cast<size_t>(offset + vlen), '\0')));
  } else {
    if (o->kind != Kind::kString) return c.WrongType();
    int64_t olen = static_cast<int64_t>(o->str.size());
    if (value.empty()) return c.Int(olen);
    if (!CheckStringLength(c, offset, vlen, &err)) return err;
  }
  o->str_made = 2;  // createObject(OBJ_STRING, sdsnewlen) / dbUnshareStringValue: raw
  size_t need = static_cast<size_t>(offset + vlen);
  if (o->str.size() < need) o->str.resize(need, '\0');
  o->str.replace(static_cast<size_t>(offset), value.size(), value);
  SignalModifiedKey(c.st, c.db(), key);
  c.Notify(kNotifyString, "setrange", key);
  return c.Int(static_cast<int64_t>(o->str.size()));
}

Value GetRange(Ctx& c) {
  int64_t start, end;
  Value err;
  if (!c.GetLongLong(c.argv[2], &start, &err)) return err;
  if (!c.GetLongLong(c.argv[3], &end, &err)) return err;
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) return c.Bulk("");
  if (o->kind != Kind::kString) return c.WrongType();
  int64_t strlen = static_cast<int64_t>(o->str.size());
  if (start < 0 && end < 0 && start > end) return c.Bulk("");
  if (start < 0) start = strlen + start;
  if (end < 0) end = strlen + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (static_cast<uint64_t>(end) >= static_cast<uint64_t>(strlen)) end = strlen - 1;
  if (start > end || strlen == 0) return c.Bulk("");
  return c.Bulk(o->str.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

Value MGet(Ctx& c) {
  std::vector<Value> out;
  for (size_t j = 1; j < c.argc(); ++j) {
    Object* o = LookupKey(c.st, c.db(), c.argv[j]);
    if (o == nullptr || o->kind != Kind::kString) {
      out.push_back(c.Null());
    } else {
      out.push_back(c.Bulk(o->str));
    }
  }
  return c.Array(std::move(out));
}

Value MSetGeneric(Ctx& c, bool nx) {
  if (c.argc() % 2 == 0) return c.ArityErr();
  if (nx) {
    for (size_t j = 1; j < c.argc(); j += 2) {
      if (LookupKey(c.st, c.db(), c.argv[j]) != nullptr) return c.Int(0);
    }
  }
  for (size_t j = 1; j < c.argc(); j += 2) {
    SetKey(c.st, c.db(), c.argv[j], StringObject(c.argv[j + 1]), false, -1);
    c.Notify(kNotifyString, "set", c.argv[j]);
  }
  return nx ? c.Int(1) : c.Ok();
}

Value MSet(Ctx& c) { return MSetGeneric(c, false); }
Value MSetNx(Ctx& c) { return MSetGeneric(c, true); }

Value IncrDecr(Ctx& c, int64_t incr) {
  const std::string& key = c.argv[1];
  Object* o = LookupKey(c.st, c.db(), key);
  if (o != nullptr && o->kind != Kind::kString) return c.WrongType();
  int64_t value = 0;
  if (o != nullptr && !String2ll(o->str, &value)) {
    return c.Err("value is not an integer or out of range");
  }
  int64_t oldvalue = value;
  if ((incr < 0 && oldvalue < 0 && incr < (LLONG_MIN - oldvalue)) ||
      (incr > 0 && oldvalue > 0 && incr > (LLONG_MAX - oldvalue))) {
    return c.Err("increment or decrement would overflow");
  }
  value += incr;
  if (o != nullptr) {
    o->str = std::to_string(value);  // dbOverwrite: the TTL stays
    o->str_made = 0;                 // an integer object (shared from 0 to 9999)
    o->str_dup = false;
  } else {
    DbAdd(c.st, c.db(), key, StringObject(std::to_string(value)));
  }
  SignalModifiedKey(c.st, c.db(), key);
  c.Notify(kNotifyString, "incrby", key);
  return c.Int(value);
}

Value Incr(Ctx& c) { return IncrDecr(c, 1); }
Value Decr(Ctx& c) { return IncrDecr(c, -1); }

Value IncrBy(Ctx& c) {
  int64_t incr;
  Value err;
  if (!c.GetLongLong(c.argv[2], &incr, &err)) return err;
  return IncrDecr(c, incr);
}

Value DecrBy(Ctx& c) {
  int64_t incr;
  Value err;
  if (!c.GetLongLong(c.argv[2], &incr, &err)) return err;
  if (incr == LLONG_MIN) return c.Err("decrement would overflow");
  return IncrDecr(c, -incr);
}

Value IncrByFloat(Ctx& c) {
  const std::string& key = c.argv[1];
  Object* o = LookupKey(c.st, c.db(), key);
  if (o != nullptr && o->kind != Kind::kString) return c.WrongType();
  long double value = 0, incr;
  Value err;
  if (o != nullptr && !c.GetLongDouble(o->str, &value, &err)) return err;
  if (!c.GetLongDouble(c.argv[2], &incr, &err)) return err;
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    return c.Err("increment would produce NaN or Infinity");
  }
  std::string text = FormatLongDoubleHuman(value);
  // createStringObjectFromLongDouble: embstr or raw, by length.
  if (o != nullptr) {
    o->str = text;
    o->str_made = 1;
    o->str_dup = false;
  } else {
    DbAdd(c.st, c.db(), key, StringObject(text)).str_made = 1;
  }
  SignalModifiedKey(c.st, c.db(), key);
  c.Notify(kNotifyString, "incrbyfloat", key);
  return c.Bulk(text);
}

Value Append(Ctx& c) {
  const std::string& key = c.argv[1];
  Object* o = LookupKey(c.st, c.db(), key);
  int64_t totlen;
  if (o == nullptr) {
    DbAdd(c.st, c.db(), key, StringObject(c.argv[2]));
    totlen = static_cast<int64_t>(c.argv[2].size());
  } else {
    if (o->kind != Kind::kString) return c.WrongType();
    Value err;
    if (!CheckStringLength(c, static_cast<int64_t>(o->str.size()),
                           static_cast<int64_t>(c.argv[2].size()), &err))
      return err;
    o->str += c.argv[2];
    o->str_made = 2;  // dbUnshareStringValue: raw
    totlen = static_cast<int64_t>(o->str.size());
  }
  SignalModifiedKey(c.st, c.db(), key);
  c.Notify(kNotifyString, "append", key);
  return c.Int(totlen);
}

Value StrLen(Ctx& c) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) return c.Int(0);
  if (o->kind != Kind::kString) return c.WrongType();
  return c.Int(static_cast<int64_t>(o->str.size()));
}

// lcsCommand.
Value Lcs(Ctx& c) {
  Object* oa = LookupKey(c.st, c.db(), c.argv[1]);
  Object* ob = LookupKey(c.st, c.db(), c.argv[2]);
  if ((oa != nullptr && oa->kind != Kind::kString) ||
      (ob != nullptr && ob->kind != Kind::kString)) {
    return c.Err("The specified keys must contain string values");
  }
  std::string a = oa != nullptr ? oa->str : "";
  std::string b = ob != nullptr ? ob->str : "";
  bool getlen = false, getidx = false, withmatchlen = false;
  int64_t minmatchlen = 0;
  for (size_t j = 3; j < c.argc(); j++) {
    bool moreargs = j + 1 < c.argc();
    if (EqualsIgnoreCase(c.argv[j], "IDX")) {
      getidx = true;
    } else if (EqualsIgnoreCase(c.argv[j], "LEN")) {
      getlen = true;
    } else if (EqualsIgnoreCase(c.argv[j], "WITHMATCHLEN")) {
      withmatchlen = true;
    } else if (EqualsIgnoreCase(c.argv[j], "MINMATCHLEN") && moreargs) {
      Value err;
      if (!c.GetLongLong(c.argv[j + 1], &minmatchlen, &err)) return err;
      if (minmatchlen < 0) minmatchlen = 0;
      j++;
    } else {
      return c.Syntax();
    }
  }
  if (getlen && getidx) {
    return c.Err("If you want both the length and indexes, please just use IDX.");
  }
  size_t alen = a.size(), blen = b.size();
  // The table has (alen + 1) * (blen + 1) cells of 4 bytes; Redis refuses
  // more than proto-max-bulk-len bytes of it.
  uint64_t table_bytes = static_cast<uint64_t>(alen + 1) * (blen + 1) * 4;
  if (table_bytes > static_cast<uint64_t>(c.st.max_string_len)) {
    return c.Err("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  // len[i][j]: the LCS length of a[0..i) and b[0..j).
  std::vector<std::vector<uint32_t>> len(alen + 1, std::vector<uint32_t>(blen + 1, 0));
  for (size_t i = 1; i <= alen; i++) {
    for (size_t j = 1; j <= blen; j++) {
      if (a[i - 1] == b[j - 1]) {
        len[i][j] = len[i - 1][j - 1] + 1;
      } else if (len[i - 1][j] > len[i][j - 1]) {
        len[i][j] = len[i - 1][j];
      } else {
        len[i][j] = len[i][j - 1];
      }
    }
  }
  if (getlen) return c.Int(len[alen][blen]);
  // Back from the end: matched characters (collected in reverse), and the
  // runs of consecutive matches, each closed at the first mismatch after it
  // or when it reaches the start of either string.
  std::string reversed;
  std::vector<Value> matches;
  bool in_run = false;
  size_t a_start = 0, a_end = 0, b_start = 0, b_end = 0;
  auto emit = [&]() {
    int64_t match_len = static_cast<int64_t>(a_end - a_start + 1);
    if (minmatchlen == 0 || match_len >= minmatchlen) {
      std::vector<Value> m;
      m.push_back(
          c.Array({c.Int(static_cast<int64_t>(a_start)), c.Int(static_cast<int64_t>(a_end))}));
      m.push_back(
          c.Array({c.Int(static_cast<int64_t>(b_start)), c.Int(static_cast<int64_t>(b_end))}));
      if (withmatchlen) m.push_back(c.Int(match_len));
      matches.push_back(c.Array(std::move(m)));
    }
    in_run = false;
  };
  size_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      reversed.push_back(a[i - 1]);
      if (!in_run) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
        in_run = true;
      } else {
        a_start = i - 1;
        b_start = j - 1;
      }
      i--;
      j--;
      if (a_start == 0 || b_start == 0) emit();
    } else {
      if (len[i - 1][j] > len[i][j - 1]) {
        i--;
      } else {
        j--;
      }
      if (in_run) emit();
    }
  }
  if (!getidx) return c.Bulk(std::string(reversed.rbegin(), reversed.rend()));
  return c.Map(
      {c.Bulk("matches"), c.Array(std::move(matches)), c.Bulk("len"), c.Int(len[alen][blen])});
}

}  // namespace

std::vector<CommandSpec> StringCommands() {
  return {
      {"get", 2, Get},           {"set", -3, Set},        {"setnx", 3, SetNx},
      {"setex", 4, SetEx},       {"psetex", 4, PSetEx},   {"mget", -2, MGet},
      {"mset", -3, MSet},        {"msetnx", -3, MSetNx},  {"append", 3, Append},
      {"strlen", 2, StrLen},     {"incr", 2, Incr},       {"incrby", 3, IncrBy},
      {"decr", 2, Decr},         {"decrby", 3, DecrBy},   {"incrbyfloat", 3, IncrByFloat},
      {"getrange", 4, GetRange}, {"substr", 4, GetRange}, {"setrange", 4, SetRange},
      {"getdel", 2, GetDel},     {"getex", -2, GetEx},    {"getset", 3, GetSet},
      {"lcs", -3, Lcs},
  };
}

}  // namespace respfuzz::models::refmodel
