// String commands: GET SET SETNX SETEX PSETEX MGET MSET MSETNX APPEND STRLEN
// INCR INCRBY DECR DECRBY INCRBYFLOAT GETRANGE SETRANGE GETDEL GETEX GETSET
// LCS, with Redis 7.0.15's replies, errors and key events.
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

// SET / GETEX options (Redis's OBJ_* flags).
enum SetFlag : uint32_t {
  kSetNx = 1u << 0,
  kSetXx = 1u << 1,
  kSetGet = 1u << 2,
  kSetKeepTtl = 1u << 3,
  kSetPersist = 1u << 4,
  kSetEx = 1u << 5,
  kSetPx = 1u << 6,
  kSetExat = 1u << 7,
  kSetPxat = 1u << 8,
};
constexpr uint32_t kSetAnyExpire = kSetEx | kSetPx | kSetExat | kSetPxat;

// Redis's getExpireMillisecondsOrReply: the expire argument must be a
// positive integer; seconds are scaled to ms (overflow checked first) and
// relative times (EX/PX) get the current time added, an overflow of which
// shows up as a non-positive result. Sets *when_ms to the absolute unix time.
bool ExpireArgMs(CommandContext& c, size_t i, bool seconds, bool relative, int64_t* when_ms) {
  int64_t v;
  if (!c.IntArg(i, &v)) return false;
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
    c.ReplyInvalidExpireTime();
    return false;
  }
  if (seconds) v *= 1000;
  // Two's complement wrap-around, as the C addition does in practice.
  if (relative)
    v = static_cast<int64_t>(static_cast<uint64_t>(v) + static_cast<uint64_t>(c.now_ms()));
  if (v <= 0) {
    c.ReplyInvalidExpireTime();
    return false;
  }
  *when_ms = v;
  return true;
}

// Redis's parseExtendedStringArgumentsOrReply, for SET (options from argv[3])
// and GETEX (from argv[2]). Option words compare as C strings. A repeated
// option is accepted (the last expire wins); conflicting ones are a syntax
// error. Replies the error and returns false on bad input.
bool ParseSetOptions(CommandContext& c, bool is_set, uint32_t* flags, size_t* expire_arg) {
  for (size_t j = is_set ? 3 : 2; j < c.argc(); ++j) {
    const std::string& opt = c.arg(j);
    const bool has_next = j + 1 < c.argc();
    const uint32_t f = *flags;
    if (is_set && OptEquals(opt, "nx") && !(f & kSetXx)) {
      *flags |= kSetNx;
    } else if (is_set && OptEquals(opt, "xx") && !(f & kSetNx)) {
      *flags |= kSetXx;
    } else if (is_set && OptEquals(opt, "get")) {
      *flags |= kSetGet;
    } else if (is_set && OptEquals(opt, "keepttl") && !(f & kSetPersist) && !(f & kSetAnyExpire)) {
      *flags |= kSetKeepTtl;
    } else if (!is_set && OptEquals(opt, "persist") && !(f & kSetAnyExpire) && !(f & kSetKeepTtl)) {
      *flags |= kSetPersist;
    } else if (OptEquals(opt, "ex") && !(f & (kSetKeepTtl | kSetPersist)) &&
               !(f & (kSetAnyExpire & ~kSetEx)) && has_next) {
      *flags |= kSetEx;
      *expire_arg = ++j;
    } else if (OptEquals(opt, "px") && !(f & (kSetKeepTtl | kSetPersist)) &&
               !(f & (kSetAnyExpire & ~kSetPx)) && has_next) {
      *flags |= kSetPx;
      *expire_arg = ++j;
    } else if (OptEquals(opt, "exat") && !(f & (kSetKeepTtl | kSetPersist)) &&
               !(f & (kSetAnyExpire & ~kSetExat)) && has_next) {
      *flags |= kSetExat;
      *expire_arg = ++j;
    } else if (OptEquals(opt, "pxat") && !(f & (kSetKeepTtl | kSetPersist)) &&
               !(f & (kSetAnyExpire & ~kSetPxat)) && has_next) {
      *flags |= kSetPxat;
      *expire_arg = ++j;
    } else {
      c.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// The expire of a parsed SET/GETEX, as an absolute unix ms time.
bool ParsedExpireMs(CommandContext& c, uint32_t flags, size_t expire_arg, int64_t* when_ms) {
  const bool seconds = (flags & (kSetEx | kSetExat)) != 0;
  const bool relative = (flags & (kSetEx | kSetPx)) != 0;
  return ExpireArgMs(c, expire_arg, seconds, relative, when_ms);
}

// Redis's getGenericCommand: replies the string value or null; false (after
// replying WRONGTYPE) when the key holds another type.
bool ReplyGet(CommandContext& c, const std::string& key) {
  std::string* s;
  if (!c.FindAs(key, &s)) return false;
  if (s == nullptr) {
    c.reply.Null();
  } else {
    c.reply.Bulk(*s);
  }
  return true;
}

void CmdGet(CommandContext& c) { ReplyGet(c, c.arg(1)); }

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]. An
// absolute time in the past is stored as is: the key is then lazily expired.
void CmdSet(CommandContext& c) {
  uint32_t flags = 0;
  size_t expire_arg = 0;
  if (!ParseSetOptions(c, true, &flags, &expire_arg)) return;
  int64_t when_ms = -1;
  if (expire_arg != 0 && !ParsedExpireMs(c, flags, expire_arg, &when_ms)) return;
  const std::string& key = c.arg(1);
  if ((flags & kSetGet) && !ReplyGet(c, key)) return;
  const bool found = c.Find(key) != nullptr;
  if (((flags & kSetNx) && found) || ((flags & kSetXx) && !found)) {
    if (!(flags & kSetGet)) c.reply.Null();
    return;
  }
  if (expire_arg != 0) {
    // Propagated as SET key value PXAT <ms>.
    c.PropagateAs({"SET", key, c.arg(2), "PXAT", std::to_string(when_ms)});
    c.ks.StoreWithExpire(c.db, key, Object(c.TakeArg(2)), when_ms);
  } else {
    if ((flags & kSetGet) && c.engine.propagating()) {
      // Propagated without its GET words (every one, from argv[3] on).
      std::vector<std::string> as;
      for (size_t j = 0; j < c.argc(); ++j) {
        if (j < 3 || !OptEquals(c.arg(j), "get")) as.push_back(c.arg(j));
      }
      c.PropagateAs(std::move(as));
    }
    c.ks.Store(c.db, key, Object(c.TakeArg(2)), (flags & kSetKeepTtl) != 0);
  }
  c.Dirty();
  c.Notify(kNotifyString, "set", key);
  if (expire_arg != 0) c.Notify(kNotifyGeneric, "expire", key);
  if (!(flags & kSetGet)) c.reply.Ok();
}

void CmdSetnx(CommandContext& c) {
  if (c.Find(c.arg(1)) != nullptr) {
    c.reply.Integer(0);
    return;
  }
  c.ks.Store(c.db, c.arg(1), Object(c.TakeArg(2)), false);
  c.Dirty();
  c.Notify(kNotifyString, "set", c.arg(1));
  c.reply.Integer(1);
}

void SetWithRelativeExpire(CommandContext& c, bool seconds) {
  int64_t when_ms;
  if (!ExpireArgMs(c, 2, seconds, true, &when_ms)) return;
  // setGenericCommand's lookupKeyWrite: it touches an existing key (an LFU
  // counter's draw, an expired key's deletion) as SET ... EX does.
  (void)c.Find(c.arg(1));
  c.PropagateAs({"SET", c.arg(1), c.arg(3), "PXAT", std::to_string(when_ms)});
  c.ks.StoreWithExpire(c.db, c.arg(1), Object(c.TakeArg(3)), when_ms);
  c.Dirty();
  c.Notify(kNotifyString, "set", c.arg(1));
  c.Notify(kNotifyGeneric, "expire", c.arg(1));
  c.reply.Ok();
}

void CmdSetex(CommandContext& c) { SetWithRelativeExpire(c, true); }
void CmdPsetex(CommandContext& c) { SetWithRelativeExpire(c, false); }

// Keys holding other types read as null, not as an error.
void CmdMget(CommandContext& c) {
  c.reply.ArrayHeader(static_cast<int64_t>(c.argc() - 1));
  for (size_t i = 1; i < c.argc(); ++i) {
    const Object* o = c.Find(c.arg(i));
    if (o != nullptr && Is<std::string>(*o)) {
      c.reply.Bulk(As<std::string>(*o));
    } else {
      c.reply.Null();
    }
  }
}

void MsetGeneric(CommandContext& c, bool nx) {
  if (c.argc() % 2 == 0) {
    c.ReplyArityError();
    return;
  }
  if (nx) {
    // Stops at the first existing key (later keys are not even looked up).
    for (size_t j = 1; j < c.argc(); j += 2) {
      if (c.Find(c.arg(j)) != nullptr) {
        c.reply.Integer(0);
        return;
      }
    }
  }
  for (size_t j = 1; j < c.argc(); j += 2) {
    c.ks.SetKey(c.db, c.arg(j), Object(c.TakeArg(j + 1)));
    c.Notify(kNotifyString, "set", c.arg(j));
  }
  c.Dirty(static_cast<int64_t>((c.argc() - 1) / 2));
  if (nx) {
    c.reply.Integer(1);
  } else {
    c.reply.Ok();
  }
}

void CmdMset(CommandContext& c) { MsetGeneric(c, false); }
void CmdMsetnx(CommandContext& c) { MsetGeneric(c, true); }

// Redis's checkStringLength: a result longer than proto-max-bulk-len is refused.
bool CheckStringLength(CommandContext& c, uint64_t size, uint64_t append) {
  const uint64_t total = size + append;
  if (total > static_cast<uint64_t>(c.max_string_len) || total < size) {
    c.reply.Error(kErrStringTooLong);
    return false;
  }
  return true;
}

// Appending to an existing key always counts as a modification (even of "").
void CmdAppend(CommandContext& c) {
  const std::string& key = c.arg(1);
  std::string* s;
  Object* obj;
  if (!c.FindAs(key, &s, &obj)) return;
  if (s == nullptr) {
    c.ks.Store(c.db, key, Object(c.arg(2)), false);
    c.Notify(kNotifyString, "append", key);
    c.Dirty();
    c.reply.Integer(static_cast<int64_t>(c.arg(2).size()));
    return;
  }
  if (!CheckStringLength(c, s->size(), c.arg(2).size())) return;
  obj->set_str_enc(StrEnc::kRaw);  // dbUnshareStringValue
  s->append(c.arg(2));
  c.ks.Touched(c.db, key);
  c.Notify(kNotifyString, "append", key);
  c.Dirty();
  c.reply.Integer(static_cast<int64_t>(s->size()));
}

void CmdStrlen(CommandContext& c) {
  std::string* s;
  if (!c.FindAs(c.arg(1), &s)) return;
  c.reply.Integer(s == nullptr ? 0 : static_cast<int64_t>(s->size()));
}

// Redis's incrDecrCommand. The TTL is kept.
void IncrDecr(CommandContext& c, int64_t incr) {
  const std::string& key = c.arg(1);
  std::string* s;
  Object* obj;
  if (!c.FindAs(key, &s, &obj)) return;
  int64_t value;
  if (!c.AddToStoredInt(s, incr, kErrNotInteger, &value)) return;
  if (s != nullptr) {
    *s = FormatInt64(value);
    obj->set_str_enc(StrEnc::kTry);  // an integer object, shared from 0 to 9999
    obj->set_unshared(false);
    c.ks.Touched(c.db, key);
  } else {
    c.ks.Store(c.db, key, Object(FormatInt64(value)), false);
  }
  c.Notify(kNotifyString, "incrby", key);
  c.Dirty();
  c.reply.Integer(value);
}

void CmdIncr(CommandContext& c) { IncrDecr(c, 1); }
void CmdDecr(CommandContext& c) { IncrDecr(c, -1); }

void CmdIncrby(CommandContext& c) {
  int64_t incr;
  if (!c.IntArg(2, &incr)) return;
  IncrDecr(c, incr);
}

void CmdDecrby(CommandContext& c) {
  int64_t decr;
  if (!c.IntArg(2, &decr)) return;
  if (decr == INT64_MIN) {
    c.reply.Error("ERR decrement would overflow");
    return;
  }
  IncrDecr(c, -decr);
}

// The type check comes first, then the stored value, then the increment.
void CmdIncrbyfloat(CommandContext& c) {
  const std::string& key = c.arg(1);
  std::string* s;
  Object* obj;
  if (!c.FindAs(key, &s, &obj)) return;
  long double value = 0;
  if (s != nullptr) {
    auto v = ParseLongDouble(*s);
    if (!v) {
      c.reply.Error(kErrNotFloat);
      return;
    }
    value = *v;
  }
  auto incr = ParseLongDouble(c.arg(2));
  if (!incr) {
    c.reply.Error(kErrNotFloat);
    return;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    c.reply.Error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = FormatLongDoubleHuman(value);
  // createStringObjectFromLongDouble: embstr or raw, never an integer.
  if (s != nullptr) {
    *s = text;
    obj->set_str_enc(StrEnc::kPlain);
    obj->set_unshared(false);
    c.ks.Touched(c.db, key);
  } else {
    c.ks.Store(c.db, key, Object(text), false).set_str_enc(StrEnc::kPlain);
  }
  c.Notify(kNotifyString, "incrbyfloat", key);
  c.Dirty();
  c.reply.Bulk(text);
  // Propagated as SET key <the new value> KEEPTTL (no float drift).
  c.PropagateAs({"SET", key, text, "KEEPTTL"});
}

// GETRANGE key start end: indexes are checked before the key is looked up.
void CmdGetrange(CommandContext& c) {
  int64_t start, end;
  if (!c.IntArg(2, &start) || !c.IntArg(3, &end)) return;
  std::string* s;
  if (!c.FindAs(c.arg(1), &s)) return;
  if (s == nullptr) {
    c.reply.Bulk("");
    return;
  }
  const int64_t len = static_cast<int64_t>(s->size());
  if (start < 0 && end < 0 && start > end) {
    c.reply.Bulk("");
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    c.reply.Bulk("");
    return;
  }
  c.reply.Bulk(std::string_view(*s).substr(start, end - start + 1));
}

// SETRANGE key offset value. An empty value changes nothing (no event) and
// never creates the key.
void CmdSetrange(CommandContext& c) {
  int64_t offset;
  if (!c.IntArg(2, &offset)) return;
  if (offset < 0) {
    c.reply.Error("ERR offset is out of range");
    return;
  }
  const std::string& key = c.arg(1);
  const std::string& value = c.arg(3);
  std::string* s;
  Object* obj;
  if (!c.FindAs(key, &s, &obj)) return;
  if (s == nullptr) {
    if (value.empty()) {
      c.reply.Integer(0);
      return;
    }
    if (!CheckStringLength(c, offset, value.size())) return;
    std::string fresh(static_cast<size_t>(offset), '\0');
    fresh += value;
    const int64_t n = static_cast<int64_t>(fresh.size());
    c.ks.Store(c.db, key, Object(std::move(fresh)), false).set_str_enc(StrEnc::kRaw);
    c.Notify(kNotifyString, "setrange", key);
    c.Dirty();
    c.reply.Integer(n);
    return;
  }
  if (value.empty()) {
    c.reply.Integer(static_cast<int64_t>(s->size()));
    return;
  }
  if (!CheckStringLength(c, offset, value.size())) return;
  const size_t need = static_cast<size_t>(offset) + value.size();
  obj->set_str_enc(StrEnc::kRaw);  // dbUnshareStringValue
  if (s->size() < need) s->resize(need, '\0');
  s->replace(static_cast<size_t>(offset), value.size(), value);
  c.ks.Touched(c.db, key);
  c.Notify(kNotifyString, "setrange", key);
  c.Dirty();
  c.reply.Integer(static_cast<int64_t>(s->size()));
}

void CmdGetdel(CommandContext& c) {
  const std::string& key = c.arg(1);
  std::string* s;
  if (!c.FindAs(key, &s)) return;
  if (s == nullptr) {
    c.reply.Null();
    return;
  }
  c.reply.Bulk(*s);
  c.ks.Delete(c.db, key);
  c.PropagateAs({c.engine.lazyfree_lazy_user_del() ? "UNLINK" : "DEL", key});
  c.Notify(kNotifyGeneric, "del", key);
  c.Dirty();
}

// GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]. Unlike SET, the key is
// looked up (and its type checked) before the expire value is validated, and
// an EXAT/PXAT time not in the future (<= now) deletes the key after the
// value is replied.
void CmdGetex(CommandContext& c) {
  uint32_t flags = 0;
  size_t expire_arg = 0;
  if (!ParseSetOptions(c, false, &flags, &expire_arg)) return;
  const std::string& key = c.arg(1);
  std::string* s;
  if (!c.FindAs(key, &s)) return;
  if (s == nullptr) {
    c.reply.Null();
    return;
  }
  int64_t when_ms = -1;
  if (expire_arg != 0 && !ParsedExpireMs(c, flags, expire_arg, &when_ms)) return;
  c.reply.Bulk(*s);
  // Never propagated as sent: as DEL / UNLINK, PEXPIREAT or PERSIST.
  if ((flags & (kSetExat | kSetPxat)) && when_ms <= c.now_ms()) {
    c.ks.Delete(c.db, key);
    c.PropagateAs({c.engine.lazyfree_lazy_expire() ? "UNLINK" : "DEL", key});
    c.Notify(kNotifyGeneric, "del", key);
    c.Dirty();
  } else if (expire_arg != 0) {
    c.ks.SetExpire(c.db, key, when_ms);
    c.PropagateAs({"PEXPIREAT", key, std::to_string(when_ms)});
    c.Notify(kNotifyGeneric, "expire", key);
    c.Dirty();
  } else if ((flags & kSetPersist) && c.ks.Persist(c.db, key)) {
    c.PropagateAs({"PERSIST", key});
    c.Notify(kNotifyGeneric, "persist", key);
    c.Dirty();
  }
}

// GETSET key value: SET without options (the TTL is dropped), replying the old value.
void CmdGetset(CommandContext& c) {
  if (!ReplyGet(c, c.arg(1))) return;
  c.PropagateAs({"SET", c.arg(1), c.arg(2)});  // propagated as SET
  c.ks.SetKey(c.db, c.arg(1), Object(c.TakeArg(2)));
  c.Notify(kNotifyString, "set", c.arg(1));
  c.Dirty();
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest
// common subsequence of two strings (missing keys are empty), by the
// textbook table of (len1 + 1) x (len2 + 1) lengths. That table is refused
// when its 4-byte cells would exceed proto-max-bulk-len, as Redis refuses
// it, which bounds the command's memory and time. IDX walks the table back
// from the end as Redis does (on a tie it steps back in the second string)
// and lists the contiguous matched runs, last first.
void CmdLcs(CommandContext& c) {
  // Both keys are looked up once each (a lookup may delete its key,
  // expired, and touches it: its LRU stamp, or an LFU draw and its hit)
  // before either is read.
  const Object* found_a = c.Find(c.arg(1));
  const bool string_a = found_a == nullptr || Is<std::string>(*found_a);
  const Object* found_b = c.Find(c.arg(2));
  const bool string_b = found_b == nullptr || Is<std::string>(*found_b);
  if (!string_a || !string_b) {
    c.reply.Error("ERR The specified keys must contain string values");
    return;
  }
  static const std::string kEmpty;
  const Object* oa = c.ks.Peek(c.db, c.arg(1));
  const Object* ob = c.ks.Peek(c.db, c.arg(2));
  const std::string& sa = oa != nullptr ? As<std::string>(*oa) : kEmpty;
  const std::string& sb = ob != nullptr ? As<std::string>(*ob) : kEmpty;
  bool get_len = false, get_idx = false, with_len = false;
  int64_t min_len = 0;
  for (size_t j = 3; j < c.argc(); ++j) {
    const bool more = j + 1 < c.argc();
    if (c.ArgIs(j, "idx")) {
      get_idx = true;
    } else if (c.ArgIs(j, "len")) {
      get_len = true;
    } else if (c.ArgIs(j, "withmatchlen")) {
      with_len = true;
    } else if (c.ArgIs(j, "minmatchlen") && more) {
      if (!c.IntArg(j + 1, &min_len)) return;
      if (min_len < 0) min_len = 0;
      ++j;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  if (get_len && get_idx) {
    c.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  const uint64_t alen = sa.size(), blen = sb.size();
  if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
    c.reply.Error("ERR String too long for LCS");
    return;
  }
  const uint64_t cells = (alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(c.max_string_len)) {
    c.reply.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  std::vector<uint32_t> t(cells, 0);
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return t[j + i * (blen + 1)]; };
  for (uint64_t i = 1; i <= alen; ++i) {
    for (uint64_t j = 1; j <= blen; ++j) {
      at(i, j) =
          sa[i - 1] == sb[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const uint32_t total = at(alen, blen);
  if (get_len) {
    c.reply.Integer(total);
    return;
  }
  // Walk back: the subsequence, and the runs (a_first, a_last, b_first, b_last).
  std::string lcs(total, '\0');
  struct Run {
    uint64_t a0, a1, b0, b1;
  };
  std::vector<Run> runs;
  bool open = false;
  Run cur{};
  auto close = [&] {
    if (min_len == 0 || static_cast<int64_t>(cur.a1 - cur.a0 + 1) >= min_len) runs.push_back(cur);
    open = false;
  };
  uint64_t i = alen, j = blen, k = total;
  while (i > 0 && j > 0) {
    if (sa[i - 1] == sb[j - 1]) {
      lcs[--k] = sa[i - 1];
      if (!open) {
        cur = {i - 1, i - 1, j - 1, j - 1};
        open = true;
      } else {
        cur.a0 = i - 1;
        cur.b0 = j - 1;
      }
      --i;
      --j;
      if (cur.a0 == 0 || cur.b0 == 0) close();
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (open) close();
    }
  }
  if (!get_idx) {
    c.reply.Bulk(lcs);
    return;
  }
  c.reply.MapHeader(2);
  c.reply.Bulk("matches");
  c.reply.ArrayHeader(static_cast<int64_t>(runs.size()));
  for (const Run& r : runs) {
    c.reply.ArrayHeader(with_len ? 3 : 2);
    c.reply.ArrayHeader(2);
    c.reply.Integer(static_cast<int64_t>(r.a0));
    c.reply.Integer(static_cast<int64_t>(r.a1));
    c.reply.ArrayHeader(2);
    c.reply.Integer(static_cast<int64_t>(r.b0));
    c.reply.Integer(static_cast<int64_t>(r.b1));
    if (with_len) c.reply.Integer(static_cast<int64_t>(r.a1 - r.a0 + 1));
  }
  c.reply.Bulk("len");
  c.reply.Integer(total);
}

// clang-format off
constexpr std::array<CommandSpec, 22> kCommands = {{
    {"get", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdGet},
    {"set", -3, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdSet},
    {"setnx", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdSetnx},
    {"setex", 4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdSetex},
    {"psetex", 4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdPsetex},
    {"mget", -2, kCmdReadonly|kCmdFast, 1, -1, 1, CmdMget},
    {"mset", -3, kCmdWrite|kCmdDenyOom, 1, -1, 2, CmdMset},
    {"msetnx", -3, kCmdWrite|kCmdDenyOom, 1, -1, 2, CmdMsetnx},
    {"append", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdAppend},
    {"strlen", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdStrlen},
    {"incr", 2, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdIncr},
    {"incrby", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdIncrby},
    {"decr", 2, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdDecr},
    {"decrby", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdDecrby},
    {"incrbyfloat", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdIncrbyfloat},
    {"getrange", 4, kCmdReadonly, 1, 1, 1, CmdGetrange},
    {"substr", 4, kCmdReadonly, 1, 1, 1, CmdGetrange},  // GETRANGE's old name
    {"setrange", 4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdSetrange},
    {"getdel", 2, kCmdWrite|kCmdFast, 1, 1, 1, CmdGetdel},
    {"getex", -2, kCmdWrite|kCmdFast, 1, 1, 1, CmdGetex},
    {"getset", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdGetset},
    {"lcs", -3, kCmdReadonly, 1, 2, 1, CmdLcs},
}};
// clang-format on

}  // namespace

std::span<const CommandSpec> StringCommands() { return kCommands; }

}  // namespace respfuzz::engine
