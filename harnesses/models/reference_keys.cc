// Key space commands of the reference model (db.c, expire.c): DEL UNLINK
// EXISTS TYPE EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME
// PEXPIRETIME PERSIST TOUCH RENAME RENAMENX COPY KEYS SCAN DBSIZE FLUSHDB
// FLUSHALL SELECT SWAPDB.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

const char* TypeName(const Object* o) {
  if (o == nullptr) return "none";
  switch (o->kind) {
    case Kind::kString:
      return "string";
    case Kind::kList:
      return "list";
    case Kind::kSet:
      return "set";
    case Kind::kZSet:
      return "zset";
    case Kind::kHash:
      return "hash";
    case Kind::kStream:
      return "stream";
  }
  return "unknown";
}

Value Del(Ctx& c) {
  int64_t numdel = 0;
  for (size_t j = 1; j < c.argc(); ++j) {
    ExpireIfNeeded(c.st, c.db(), c.argv[j]);
    if (DbDelete(c.st, c.db(), c.argv[j])) {
      SignalModifiedKey(c.st, c.db(), c.argv[j]);
      c.Notify(kNotifyGeneric, "del", c.argv[j]);
      numdel++;
    }
  }
  return c.Int(numdel);
}

Value Exists(Ctx& c) {
  int64_t count = 0;
  for (size_t j = 1; j < c.argc(); ++j) {
    if (LookupKeyNoTouch(c.st, c.db(), c.argv[j])) count++;
  }
  return c.Int(count);
}

Value TypeCmd(Ctx& c) { return Value::Simple(TypeName(LookupKeyNoTouch(c.st, c.db(), c.argv[1]))); }

// expireGenericCommand (expire.c). `basetime` is 0 for the *AT forms.
Value ExpireGeneric(Ctx& c, int64_t basetime, bool seconds, const char* fullname) {
  const std::string& key = c.argv[1];
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t j = 3; j < c.argc(); ++j) {
    const std::string& opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      xx = true;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      gt = true;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      lt = true;
    } else {
      return c.Err(SanitizeErrorText("Unsupported option " + CString(opt)));
    }
  }
  if ((nx && xx) || (nx && gt) || (nx && lt)) {
    return c.Err("NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) return c.Err("GT and LT options at the same time are not compatible");

  int64_t when;
  Value err;
  if (!c.GetLongLong(c.argv[2], &when, &err)) return err;
  Value expire_err = c.Err(std::string("invalid expire time in '") + fullname + "' command");
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) return expire_err;
    when *= 1000;
  }
  if (when > LLONG_MAX - basetime) return expire_err;
  when += basetime;

  if (LookupKey(c.st, c.db(), key) == nullptr) return c.Int(0);
  if (nx || xx || gt || lt) {
    int64_t current = GetExpire(c.st, c.db(), key);
    if (nx && current != -1) return c.Int(0);
    if (xx && current == -1) return c.Int(0);
    if (gt && (when <= current || current == -1)) return c.Int(0);
    if (lt && current != -1 && when >= current) return c.Int(0);
  }
  if (when <= c.st.now) {  // checkAlreadyExpired
    DbDelete(c.st, c.db(), key);
    SignalModifiedKey(c.st, c.db(), key);
    c.Notify(kNotifyGeneric, "del", key);
    return c.Int(1);
  }
  SetExpire(c.st, c.db(), key, when);
  SignalModifiedKey(c.st, c.db(), key);
  c.Notify(kNotifyGeneric, "expire", key);
  return c.Int(1);
}

Value Expire(Ctx& c) { return ExpireGeneric(c, c.st.now, true, "expire"); }
Value PExpire(Ctx& c) { return ExpireGeneric(c, c.st.now, false, "pexpire"); }
Value ExpireAt(Ctx& c) { return ExpireGeneric(c, 0, true, "expireat"); }
Value PExpireAt(Ctx& c) { return ExpireGeneric(c, 0, false, "pexpireat"); }

// ttlGenericCommand: TTL rounds to the nearest second ((ms + 500) / 1000).
Value TtlGeneric(Ctx& c, bool output_ms) {
  if (LookupKeyNoTouch(c.st, c.db(), c.argv[1]) == nullptr) return c.Int(-2);
  int64_t expire = GetExpire(c.st, c.db(), c.argv[1]);
  int64_t ttl = -1;
  if (expire != -1) {
    ttl = expire - c.st.now;
    if (ttl < 0) ttl = 0;
  }
  if (ttl == -1) return c.Int(-1);
  return c.Int(output_ms ? ttl : (ttl + 500) / 1000);
}

Value Ttl(Ctx& c) { return TtlGeneric(c, false); }
Value PTtl(Ctx& c) { return TtlGeneric(c, true); }

// ttlGenericCommand with output_abs: the stored expire itself, seconds
// rounded the same way.
Value ExpireTimeGeneric(Ctx& c, bool output_ms) {
  if (LookupKeyNoTouch(c.st, c.db(), c.argv[1]) == nullptr) return c.Int(-2);
  int64_t expire = GetExpire(c.st, c.db(), c.argv[1]);
  if (expire == -1) return c.Int(-1);
  int64_t t = expire;
  if (t < 0) t = 0;
  if (output_ms) return c.Int(t);
  // Half up, without adding 500 first (t can be INT64_MAX).
  int64_t seconds = t / 1000;
  if (t % 1000 >= 500) ++seconds;
  return c.Int(seconds);
}

Value ExpireTime(Ctx& c) { return ExpireTimeGeneric(c, false); }
Value PExpireTime(Ctx& c) { return ExpireTimeGeneric(c, true); }

// touchCommand: counts the arguments whose lookup finds a key.
Value Touch(Ctx& c) {
  int64_t touched = 0;
  for (size_t j = 1; j < c.argc(); j++) {
    if (LookupKey(c.st, c.db(), c.argv[j]) != nullptr) touched++;
  }
  return c.Int(touched);
}

Value Persist(Ctx& c) {
  if (LookupKey(c.st, c.db(), c.argv[1]) == nullptr) return c.Int(0);
  if (!RemoveExpire(c.st, c.db(), c.argv[1])) return c.Int(0);
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  c.Notify(kNotifyGeneric, "persist", c.argv[1]);
  return c.Int(1);
}

Value RenameGeneric(Ctx& c, bool nx) {
  const std::string& src = c.argv[1];
  const std::string& dst = c.argv[2];
  bool samekey = src == dst;
  Object* o = LookupKey(c.st, c.db(), src);
  if (o == nullptr) return c.Err("no such key");
  if (samekey) return nx ? c.Int(0) : c.Ok();
  Object value = *o;
  int64_t expire = GetExpire(c.st, c.db(), src);
  if (LookupKey(c.st, c.db(), dst) != nullptr) {
    if (nx) return c.Int(0);
    DbDelete(c.st, c.db(), dst);
  }
  DbAddKeepingLru(c.st, c.db(), dst, std::move(value));
  if (expire != -1) SetExpire(c.st, c.db(), dst, expire);
  DbDelete(c.st, c.db(), src);
  SignalModifiedKey(c.st, c.db(), src);
  SignalModifiedKey(c.st, c.db(), dst);
  c.Notify(kNotifyGeneric, "rename_from", src);
  c.Notify(kNotifyGeneric, "rename_to", dst);
  return nx ? c.Int(1) : c.Ok();
}

Value Rename(Ctx& c) { return RenameGeneric(c, false); }
Value RenameNx(Ctx& c) { return RenameGeneric(c, true); }

Value Copy(Ctx& c) {
  int src = c.db();
  int dst = c.db();
  bool replace = false;
  Value err;
  for (size_t j = 3; j < c.argc(); ++j) {
    size_t additional = c.argc() - j - 1;
    if (EqualsIgnoreCase(c.argv[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(c.argv[j], "db") && additional >= 1) {
      int dbid;
      if (!c.GetInt(c.argv[j + 1], &dbid, &err)) return err;
      if (dbid < 0 || dbid >= kNumDbs) return c.Err("DB index is out of range");
      dst = dbid;
      j++;
    } else {
      return c.Syntax();
    }
  }
  const std::string& key = c.argv[1];
  const std::string& newkey = c.argv[2];
  if (src == dst && key == newkey) return c.Err("source and destination objects are the same");
  Object* o = LookupKey(c.st, src, key);
  if (o == nullptr) return c.Int(0);
  int64_t expire = GetExpire(c.st, src, key);
  bool del = false;
  if (LookupKey(c.st, dst, newkey) != nullptr) {
    if (!replace) return c.Int(0);
    del = true;
  }
  Object copy = *o;
  copy.str_dup = true;  // dupStringObject: never the shared integer
  if (del) DbDelete(c.st, dst, newkey);
  DbAdd(c.st, dst, newkey, std::move(copy));
  if (expire != -1) SetExpire(c.st, dst, newkey, expire);
  SignalModifiedKey(c.st, dst, newkey);
  NotifyKeyspaceEvent(c.st, kNotifyGeneric, "copy_to", newkey, dst);
  return c.Int(1);
}

// KEYS lists keys that are not logically expired, without deleting any.
Value Keys(Ctx& c) {
  const std::string& pattern = c.argv[1];
  bool allkeys = pattern == "*";
  std::vector<Value> out;
  for (const auto& [key, obj] : c.st.dbs[c.db()].dict) {
    if (allkeys || StringMatch(pattern, key)) {
      if (!KeyIsExpired(c.st, c.db(), key)) out.push_back(c.Bulk(key));
    }
  }
  return c.Array(std::move(out));
}

// The hash that orders SCAN (docs/fidelity.md): SipHash-2-4 as its paper
// describes it, under the 16-byte key 00 01 02 ... 0f, the result read
// little-endian. The message is padded with zeros to 8 bytes short of a
// multiple of 8 ... plus one byte: the last byte of the last word is the
// length mod 256.
uint64_t SipHash24(const std::string& msg) {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
  for (int i = 0; i < 8; i++) {
    k0 |= static_cast<uint64_t>(i) << (8 * i);
    k1 |= static_cast<uint64_t>(i + 8) << (8 * i);
  }
  uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
  uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
  uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
  uint64_t v3 = k1 ^ 0x7465646279746573ULL;
  auto rotl = [](uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
  auto sipround = [&]() {
    v0 += v1;
    v2 += v3;
    v1 = rotl(v1, 13);
    v3 = rotl(v3, 16);
    v1 ^= v0;
    v3 ^= v2;
    v0 = rotl(v0, 32);
    v2 += v1;
    v0 += v3;
    v1 = rotl(v1, 17);
    v3 = rotl(v3, 21);
    v1 ^= v2;
    v3 ^= v0;
    v2 = rotl(v2, 32);
  };
  std::string m = msg;
  size_t padded = (msg.size() / 8 + 1) * 8;
  m.resize(padded, '\0');
  m[padded - 1] = static_cast<char>(msg.size() & 0xff);
  for (size_t off = 0; off < padded; off += 8) {
    uint64_t word = 0;
    for (int i = 0; i < 8; i++) {
      word |= static_cast<uint64_t>(static_cast<unsigned char>(m[off + i])) << (8 * i);
    }
    v3 ^= word;
    sipround();
    sipround();
    v0 ^= word;
  }
  v2 ^= 0xff;
  for (int i = 0; i < 4; i++) sipround();
  return v0 ^ v1 ^ v2 ^ v3;
}

// SCAN: Redis's argument checks (parseScanCursorOrReply, scanGenericCommand),
// then the documented walk (docs/fidelity.md): the db's keys ordered by
// (SipHash24, key bytes), starting at the first whose hash is >= the
// cursor; keys are taken until COUNT (default 10, at most 65536) are taken
// and the next key's hash differs from the last one taken. The reply's
// cursor is that last hash + 1, or 0 when the keys ran out before COUNT was
// reached (or the last hash is 2^64-1). Filters then run on the taken keys
// in that order, as Redis's: pattern, TYPE (a lookup, which deletes an
// expired key and then sees "none"), expiry (deletes).
Value Scan(Ctx& c) {
  const char* cur = c.argv[1].c_str();
  errno = 0;
  char* eptr;
  unsigned long cursor = strtoul(cur, &eptr, 10);
  if (isspace(static_cast<unsigned char>(cur[0])) || eptr[0] != '\0' || errno == ERANGE) {
    return c.Err("invalid cursor");
  }
  const std::string* pat = nullptr;
  const std::string* type = nullptr;
  int64_t count = 10;
  Value err;
  size_t i = 2;
  while (i < c.argc()) {
    size_t j = c.argc() - i;
    if (EqualsIgnoreCase(c.argv[i], "count") && j >= 2) {
      if (!c.GetLong(c.argv[i + 1], &count, &err)) return err;
      if (count < 1) return c.Syntax();
      i += 2;
    } else if (EqualsIgnoreCase(c.argv[i], "match") && j >= 2) {
      pat = &c.argv[i + 1];
      i += 2;
    } else if (EqualsIgnoreCase(c.argv[i], "type") && j >= 2) {
      type = &c.argv[i + 1];
      i += 2;
    } else {
      return c.Syntax();
    }
  }
  if (count > 65536) count = 65536;
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& [key, obj] : c.st.dbs[c.db()].dict) {
    uint64_t h = SipHash24(key);
    if (h >= cursor) order.emplace_back(h, key);
  }
  std::sort(order.begin(), order.end());
  std::vector<std::string> keys;
  uint64_t last = 0;
  for (const auto& [h, key] : order) {
    if (static_cast<int64_t>(keys.size()) >= count && h != last) break;
    keys.push_back(key);
    last = h;
  }
  uint64_t next = last + 1;
  if (static_cast<int64_t>(keys.size()) < count || last == UINT64_MAX) next = 0;
  bool use_pattern = pat != nullptr && *pat != "*";
  std::vector<Value> out;
  for (const std::string& key : keys) {
    bool filter = false;
    if (use_pattern && !StringMatch(*pat, key)) filter = true;
    if (!filter && type != nullptr) {
      const char* name = TypeName(LookupKeyNoTouch(c.st, c.db(), key));
      if (!EqualsIgnoreCase(*type, name)) filter = true;
    }
    if (!filter && ExpireIfNeeded(c.st, c.db(), key)) filter = true;
    if (!filter) out.push_back(c.Bulk(key));
  }
  return c.Array({c.Bulk(std::to_string(next)), c.Array(std::move(out))});
}

Value DbSize(Ctx& c) { return c.Int(static_cast<int64_t>(c.st.dbs[c.db()].dict.size())); }

bool FlushArgsOk(Ctx& c) {
  if (c.argc() == 2 &&
      (EqualsIgnoreCase(c.argv[1], "sync") || EqualsIgnoreCase(c.argv[1], "async")))
    return true;
  return c.argc() == 1;
}

void EmptyDb(State& st, int db) {
  SignalDeletedStreams(st, db, -1);
  TouchAllWatchedKeysInDb(st, db, -1);
  st.dbs[db].dict.clear();
  st.dbs[db].expires.clear();
}

Value FlushDb(Ctx& c) {
  if (!FlushArgsOk(c)) return c.Syntax();
  EmptyDb(c.st, c.db());
  SignalFlushedDb(c.st, c.db());
  return c.Ok();
}

Value FlushAll(Ctx& c) {
  if (!FlushArgsOk(c)) return c.Syntax();
  // signalFlushedDb(-1) touches the watchers of every db before any is emptied.
  for (int db = 0; db < kNumDbs; ++db) {
    SignalDeletedStreams(c.st, db, -1);
    TouchAllWatchedKeysInDb(c.st, db, -1);
  }
  SignalFlushedDb(c.st, -1);
  for (int db = 0; db < kNumDbs; ++db) {
    c.st.dbs[db].dict.clear();
    c.st.dbs[db].expires.clear();
  }
  return c.Ok();
}

Value Select(Ctx& c) {
  int id;
  Value err;
  if (!c.GetInt(c.argv[1], &id, &err)) return err;
  if (id < 0 || id >= kNumDbs) return c.Err("DB index is out of range");
  c.s().db = id;
  return c.Ok();
}

Value SwapDb(Ctx& c) {
  int id1, id2;
  Value err;
  if (!c.GetInt(c.argv[1], &id1, &err, "invalid first DB index")) return err;
  if (!c.GetInt(c.argv[2], &id2, &err, "invalid second DB index")) return err;
  if (id1 < 0 || id1 >= kNumDbs || id2 < 0 || id2 >= kNumDbs) {
    return c.Err("DB index is out of range");
  }
  if (id1 != id2) {
    TouchAllWatchedKeysInDb(c.st, id1, id2);
    TouchAllWatchedKeysInDb(c.st, id2, id1);
    SignalDeletedStreams(c.st, id1, id2);
    SignalDeletedStreams(c.st, id2, id1);
    // Contents move; sessions and watched keys stay with the db index.
    std::swap(c.st.dbs[id1], c.st.dbs[id2]);
    // scanDatabaseForReadyKeys on both: every key a session blocks on in
    // either db, if it now holds a value there.
    for (int db : {id1, id2}) {
      std::vector<std::string> waited;
      for (const auto& [where, sessions] : c.st.blocking_keys) {
        if (where.first == db) waited.push_back(where.second);
      }
      for (const std::string& key : waited) {
        auto it = c.st.dbs[db].dict.find(key);
        if (it != c.st.dbs[db].dict.end()) SignalKeyAsReady(c.st, db, key, it->second.kind);
      }
    }
  }
  return c.Ok();
}

// MOVE key db (moveCommand): the db index (an int, an existing db, not the
// current one), then the key; 0 when it is missing or the target db has it.
// The TTL moves along. Signals the source db's key, then the target's.
Value Move(Ctx& c) {
  int dbid;
  Value err;
  if (!c.GetInt(c.argv[2], &dbid, &err)) return err;
  if (dbid < 0 || dbid >= kNumDbs) return c.Err("DB index is out of range");
  if (dbid == c.db()) return c.Err("source and destination objects are the same");
  const std::string& key = c.argv[1];
  Object* o = LookupKey(c.st, c.db(), key);
  if (o == nullptr) return c.Int(0);
  int64_t expire = GetExpire(c.st, c.db(), key);
  if (LookupKey(c.st, dbid, key) != nullptr) return c.Int(0);
  Object moved = *o;
  DbAddKeepingLru(c.st, dbid, key, std::move(moved));
  if (expire != -1) SetExpire(c.st, dbid, key, expire);
  DbDelete(c.st, c.db(), key);
  SignalModifiedKey(c.st, c.db(), key);
  SignalModifiedKey(c.st, dbid, key);
  c.Notify(kNotifyGeneric, "move_from", key);
  NotifyKeyspaceEvent(c.st, kNotifyGeneric, "move_to", key, dbid);
  return c.Int(1);
}

// SSCAN / HSCAN / ZSCAN key cursor [MATCH pattern] [COUNT count]. Checks as
// sscanCommand & co.: the cursor, then the key (missing: ["0", []] whatever
// the options), its type, then the options (COUNT >= 1, MATCH; nothing
// else). The walk is SCAN's rule above over the elements (members or
// fields): (SipHash24, element) order from the cursor, COUNT a call plus any
// element sharing the last one's hash. MATCH then drops elements (with their
// value or score). A ZSCAN score is text: a listpack stores an integral score
// within +-(2^63-1)/2 as an integer, which prints as one; any other score
// prints as %.17g. A listpack hash is returned whole, in its order, and so
// are an intset set and a listpack sorted set, each in its own order.
Value ElementScan(Ctx& c, Kind kind) {
  const char* cur = c.argv[2].c_str();
  errno = 0;
  char* eptr;
  unsigned long cursor = strtoul(cur, &eptr, 10);
  if (isspace(static_cast<unsigned char>(cur[0])) || eptr[0] != '\0' || errno == ERANGE) {
    return c.Err("invalid cursor");
  }
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) return c.Array({c.Bulk("0"), c.Array()});
  if (o->kind != kind) return c.WrongType();
  const std::string* pat = nullptr;
  int64_t count = 10;
  Value err;
  size_t i = 3;
  while (i < c.argc()) {
    size_t j = c.argc() - i;
    if (EqualsIgnoreCase(c.argv[i], "count") && j >= 2) {
      if (!c.GetLong(c.argv[i + 1], &count, &err)) return err;
      if (count < 1) return c.Syntax();
      i += 2;
    } else if (EqualsIgnoreCase(c.argv[i], "match") && j >= 2) {
      pat = &c.argv[i + 1];
      i += 2;
    } else {
      return c.Syntax();
    }
  }
  if (kind == Kind::kHash && !o->hash_hashtable) {
    // A listpack hash: all of it in its order, cursor 0 (scanGenericCommand
    // walks the listpack whatever the cursor and COUNT).
    std::vector<Value> out;
    for (const std::string& f : o->hash_order) {
      if (pat != nullptr && *pat != "*" && !StringMatch(*pat, f)) continue;
      out.push_back(c.Bulk(f));
      out.push_back(c.Bulk(o->hash.at(f)));
    }
    return c.Array({c.Bulk("0"), c.Array(std::move(out))});
  }
  // An intset set (ascending integers) and a listpack sorted set (ascending
  // score, then member) are walked whole too, cursor 0.
  if (kind == Kind::kSet && !o->set_hashtable) {
    std::vector<std::pair<long long, std::string>> members;
    for (const std::string& m : o->set) {
      if (pat != nullptr && *pat != "*" && !StringMatch(*pat, m)) continue;
      members.emplace_back(std::strtoll(m.c_str(), nullptr, 10), m);
    }
    std::sort(members.begin(), members.end());
    std::vector<Value> out;
    for (const auto& [v, m] : members) out.push_back(c.Bulk(m));
    return c.Array({c.Bulk("0"), c.Array(std::move(out))});
  }
  if (kind == Kind::kZSet && !o->zset_skiplist) {
    std::vector<std::pair<double, std::string>> entries;
    for (const auto& [m, s] : o->zset) {
      if (pat != nullptr && *pat != "*" && !StringMatch(*pat, m)) continue;
      entries.emplace_back(s, m);
    }
    std::sort(entries.begin(), entries.end());
    std::vector<Value> out;
    const double half = static_cast<double>(INT64_MAX / 2);
    for (const auto& [s, m] : entries) {
      out.push_back(c.Bulk(m));
      const bool as_integer =
          s >= -half && s <= half && static_cast<double>(static_cast<int64_t>(s)) == s;
      out.push_back(
          c.Bulk(as_integer ? std::to_string(static_cast<int64_t>(s)) : FormatDouble17g(s)));
    }
    return c.Array({c.Bulk("0"), c.Array(std::move(out))});
  }
  if (count > 65536) count = 65536;
  std::vector<std::string> elements;
  if (kind == Kind::kSet) elements.assign(o->set.begin(), o->set.end());
  if (kind == Kind::kHash) {
    for (const auto& [f, v] : o->hash) elements.push_back(f);
  }
  if (kind == Kind::kZSet) {
    for (const auto& [m, s] : o->zset) elements.push_back(m);
  }
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const std::string& e : elements) {
    uint64_t h = SipHash24(e);
    if (h >= cursor) order.emplace_back(h, e);
  }
  std::sort(order.begin(), order.end());
  std::vector<std::string> taken;
  uint64_t last = 0;
  for (const auto& [h, e] : order) {
    if (static_cast<int64_t>(taken.size()) >= count && h != last) break;
    taken.push_back(e);
    last = h;
  }
  uint64_t next = last + 1;
  if (static_cast<int64_t>(taken.size()) < count || last == UINT64_MAX) next = 0;
  std::vector<Value> out;
  for (const std::string& e : taken) {
    if (pat != nullptr && *pat != "*" && !StringMatch(*pat, e)) continue;
    out.push_back(c.Bulk(e));
    if (kind == Kind::kHash) out.push_back(c.Bulk(o->hash.at(e)));
    if (kind == Kind::kZSet) {
      double s = o->zset.at(e);
      const double half = static_cast<double>(INT64_MAX / 2);
      bool as_integer = !o->zset_skiplist && s >= -half && s <= half &&
                        static_cast<double>(static_cast<int64_t>(s)) == s;
      out.push_back(
          c.Bulk(as_integer ? std::to_string(static_cast<int64_t>(s)) : FormatDouble17g(s)));
    }
  }
  return c.Array({c.Bulk(std::to_string(next)), c.Array(std::move(out))});
}

Value SScan(Ctx& c) { return ElementScan(c, Kind::kSet); }
Value HScan(Ctx& c) { return ElementScan(c, Kind::kHash); }
Value ZScan(Ctx& c) { return ElementScan(c, Kind::kZSet); }

}  // namespace

std::vector<CommandSpec> KeyCommands() {
  std::vector<CommandSpec> table = {
      {"del", -2, Del},           {"unlink", -2, Del},          {"exists", -2, Exists},
      {"type", 2, TypeCmd},       {"expire", -3, Expire},       {"pexpire", -3, PExpire},
      {"expireat", -3, ExpireAt}, {"pexpireat", -3, PExpireAt}, {"ttl", 2, Ttl},
      {"pttl", 2, PTtl},          {"persist", 2, Persist},      {"rename", 3, Rename},
      {"renamenx", 3, RenameNx},  {"copy", -3, Copy},           {"keys", 2, Keys},
      {"scan", -2, Scan},         {"dbsize", 1, DbSize},        {"flushdb", -1, FlushDb},
      {"flushall", -1, FlushAll}, {"select", 2, Select},        {"swapdb", 3, SwapDb},
  };
  table.push_back({"expiretime", 2, ExpireTime});
  table.push_back({"pexpiretime", 2, PExpireTime});
  table.push_back({"touch", -2, Touch});
  table.push_back({"move", 3, Move});
  table.push_back({"sscan", -3, SScan});
  table.push_back({"hscan", -3, HScan});
  table.push_back({"zscan", -3, ZScan});
  return table;
}

}  // namespace respfuzz::models::refmodel
