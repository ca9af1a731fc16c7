// Key commands: DEL UNLINK EXISTS TYPE EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL
// PTTL EXPIRETIME PEXPIRETIME PERSIST TOUCH RENAME RENAMENX COPY KEYS SCAN
// DBSIZE FLUSHDB FLUSHALL SWAPDB MOVE SSCAN HSCAN ZSCAN, with Redis 7.0.15's replies, errors and
// key events.
#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/glob.h"

namespace respfuzz::engine {

namespace {

// DEL and UNLINK: an expired key is deleted by expiry, not counted.
void CmdDel(CommandContext& c) {
  int64_t deleted = 0;
  // dbAsyncDelete for UNLINK, and for DEL under lazyfree-lazy-user-del
  // (lazyfree.cc).
  const bool lazy = c.spec.name == "unlink" || c.engine.lazyfree_lazy_user_del();
  for (size_t i = 1; i < c.argc(); ++i) {
    const Object* o = c.ks.Peek(c.db, c.arg(i));
    if (o != nullptr && !c.ks.IsExpired(c.db, c.arg(i))) c.engine.FreeValue(*o, lazy);
    if (c.ks.Delete(c.db, c.arg(i))) {
      c.Notify(kNotifyGeneric, "del", c.arg(i));
      c.Dirty();
      ++deleted;
    }
  }
  c.reply.Integer(deleted);
}

// A key named twice is counted twice.
void CmdExists(CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) {
    if (c.FindNoTouch(c.arg(i)) != nullptr) ++n;
  }
  c.reply.Integer(n);
}

void CmdType(CommandContext& c) {
  const Object* o = c.FindNoTouch(c.arg(1));
  c.reply.Simple(o == nullptr ? "none" : ObjTypeName(TypeOf(*o)));
}

enum ExpireFlag : uint32_t { kExpNx = 1, kExpXx = 2, kExpGt = 4, kExpLt = 8 };

// Redis's expireGenericCommand. `basetime` is now for EXPIRE/PEXPIRE and 0
// for the *AT forms. Options are checked first, then the number, then the
// overflow of scaling and adding basetime; only then the key. A resulting
// time not in the future (<= now) deletes the key and replies 1.
void ExpireGeneric(CommandContext& c, int64_t basetime, bool seconds) {
  uint32_t flags = 0;
  for (size_t j = 3; j < c.argc(); ++j) {
    const std::string& opt = c.arg(j);
    if (OptEquals(opt, "nx")) {
      flags |= kExpNx;
    } else if (OptEquals(opt, "xx")) {
      flags |= kExpXx;
    } else if (OptEquals(opt, "gt")) {
      flags |= kExpGt;
    } else if (OptEquals(opt, "lt")) {
      flags |= kExpLt;
    } else {
      c.reply.Error("ERR Unsupported option " + ErrorText(opt));
      return;
    }
  }
  if ((flags & kExpNx) && (flags & (kExpXx | kExpGt | kExpLt))) {
    c.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return;
  }
  if ((flags & kExpGt) && (flags & kExpLt)) {
    c.reply.Error("ERR GT and LT options at the same time are not compatible");
    return;
  }
  int64_t when;
  if (!c.IntArg(2, &when)) return;
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
      c.ReplyInvalidExpireTime();
      return;
    }
    when *= 1000;
  }
  if (when > INT64_MAX - basetime) {
    c.ReplyInvalidExpireTime();
    return;
  }
  when += basetime;

  const std::string& key = c.arg(1);
  if (c.Find(key) == nullptr) {
    c.reply.Integer(0);
    return;
  }
  if (flags != 0) {
    const int64_t current = c.ks.GetExpire(c.db, key);
    // No TTL counts as an infinite one: GT always fails, LT always passes.
    if (((flags & kExpNx) && current != -1) || ((flags & kExpXx) && current == -1) ||
        ((flags & kExpGt) && (current == -1 || when <= current)) ||
        ((flags & kExpLt) && current != -1 && when >= current)) {
      c.reply.Integer(0);
      return;
    }
  }
  c.Dirty();
  if (when <= c.now_ms()) {
    c.ks.Delete(c.db, key);
    // Propagated as an explicit DEL or UNLINK.
    c.PropagateAs({c.engine.lazyfree_lazy_expire() ? "UNLINK" : "DEL", key});
    c.Notify(kNotifyGeneric, "del", key);
    c.reply.Integer(1);
  } else {
    c.ks.SetExpire(c.db, key, when);
    // Propagated as PEXPIREAT with the absolute time (PEXPIREAT's own
    // argument as sent), its options kept.
    if (c.engine.propagating()) {
      std::vector<std::string> as(c.argv.begin(), c.argv.end());
      if (c.spec.name != "pexpireat") as[0] = "PEXPIREAT";
      if (basetime != 0 || seconds) as[2] = std::to_string(when);
      c.PropagateAs(std::move(as));
    }
    c.reply.Integer(1);  // Redis replies before it signals and notifies here
    c.Notify(kNotifyGeneric, "expire", key);
  }
}

void CmdExpire(CommandContext& c) { ExpireGeneric(c, c.now_ms(), true); }
void CmdPexpire(CommandContext& c) { ExpireGeneric(c, c.now_ms(), false); }
void CmdExpireat(CommandContext& c) { ExpireGeneric(c, 0, true); }
void CmdPexpireat(CommandContext& c) { ExpireGeneric(c, 0, false); }

// -2 missing, -1 no TTL; TTL rounds the ms left to the nearest second.
void TtlGeneric(CommandContext& c, bool ms) {
  const std::string& key = c.arg(1);
  if (c.FindNoTouch(key) == nullptr) {
    c.reply.Integer(-2);
    return;
  }
  const int64_t when = c.ks.GetExpire(c.db, key);
  if (when == -1) {
    c.reply.Integer(-1);
    return;
  }
  const int64_t left = std::max<int64_t>(when - c.now_ms(), 0);
  c.reply.Integer(ms ? left : (left + 500) / 1000);
}

void CmdTtl(CommandContext& c) { TtlGeneric(c, false); }
void CmdPttl(CommandContext& c) { TtlGeneric(c, true); }

// EXPIRETIME / PEXPIRETIME: the absolute expire (unix s or ms); -2 missing,
// -1 no TTL. Seconds round as TTL does: (ms + 500) / 1000.
void ExpiretimeGeneric(CommandContext& c, bool ms) {
  const std::string& key = c.arg(1);
  if (c.FindNoTouch(key) == nullptr) {
    c.reply.Integer(-2);
    return;
  }
  const int64_t when = c.ks.GetExpire(c.db, key);
  if (when == -1) {
    c.reply.Integer(-1);
    return;
  }
  const int64_t at = std::max<int64_t>(when, 0);
  // Seconds rounded half up, without at + 500 (which overflows for an
  // expire at INT64_MAX ms, PEXPIREAT k 9223372036854775807; redis-server
  // 7.0.15 replies 9223372036854776 there).
  c.reply.Integer(ms ? at : at / 1000 + (at % 1000 >= 500 ? 1 : 0));
}

void CmdExpiretime(CommandContext& c) { ExpiretimeGeneric(c, false); }
void CmdPexpiretime(CommandContext& c) { ExpiretimeGeneric(c, true); }

// TOUCH key...: how many of the named keys exist (a key named twice counts
// twice); each lookup lazily expires the key.
void CmdTouch(CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) n += c.Find(c.arg(i)) != nullptr;
  c.reply.Integer(n);
}

void CmdPersist(CommandContext& c) {
  const std::string& key = c.arg(1);
  if (c.Find(key) == nullptr) {
    c.reply.Integer(0);
    return;
  }
  if (!c.ks.Persist(c.db, key)) {
    c.reply.Integer(0);
    return;
  }
  c.Notify(kNotifyGeneric, "persist", key);
  c.reply.Integer(1);
  c.Dirty();
}

// RENAME / RENAMENX. A missing source is an error even when both names are
// the same; an existing key renamed onto itself is a no-op (no event). The
// TTL moves with the value; the destination's old value and TTL are gone.
void RenameGeneric(CommandContext& c, bool nx) {
  const std::string& src = c.arg(1);
  const std::string& dst = c.arg(2);
  Object* o = c.Find(src);
  if (o == nullptr) {
    c.reply.Error(kErrNoSuchKey);
    return;
  }
  if (src == dst) {
    if (nx) {
      c.reply.Integer(0);
    } else {
      c.reply.Ok();
    }
    return;
  }
  const int64_t expire = c.ks.GetExpire(c.db, src);
  if (c.Find(dst) != nullptr && nx) {
    c.reply.Integer(0);
    return;
  }
  // Redis signals the source, then the destination (renameGenericCommand):
  // the events, and so the invalidations, go in that order.
  Object value = std::move(*o);
  const bool replaced = c.ks.Peek(c.db, dst) != nullptr;
  // Redis deletes the destination and adds it anew (dbAdd): a replaced key
  // is a "new" one (notified first, as dbAdd runs first) and is signalled
  // to blocked clients as a new one is.
  c.engine.AnnounceNew(c.db, dst);
  c.ks.Delete(c.db, src);
  c.ks.StoreWithExpire(c.db, dst, std::move(value), expire, Keyspace::Stamp::kKeep);
  c.engine.EndAnnounce();
  if (replaced) c.engine.SignalKeyAsReady(c.db, dst);
  c.Notify(kNotifyGeneric, "rename_from", src);
  c.Notify(kNotifyGeneric, "rename_to", dst);
  c.Dirty();
  if (nx) {
    c.reply.Integer(1);
  } else {
    c.reply.Ok();
  }
}

void CmdRename(CommandContext& c) { RenameGeneric(c, false); }
void CmdRenamenx(CommandContext& c) { RenameGeneric(c, true); }

// COPY source destination [DB destination-db] [REPLACE]. Options are
// checked left to right (a bad DB index is reported where it appears).
void CmdCopy(CommandContext& c) {
  int dst_db = c.db;
  bool replace = false;
  for (size_t j = 3; j < c.argc(); ++j) {
    const size_t more = c.argc() - j - 1;
    if (OptEquals(c.arg(j), "replace")) {
      replace = true;
    } else if (OptEquals(c.arg(j), "db") && more >= 1) {
      int id;
      if (!c.Int32Arg(j + 1, &id)) return;
      if (id < 0 || id >= c.ks.num_dbs()) {
        c.reply.Error(kErrDbIndex);
        return;
      }
      dst_db = id;
      ++j;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  const std::string& src = c.arg(1);
  const std::string& dst = c.arg(2);
  if (dst_db == c.db && src == dst) {
    c.reply.Error("ERR source and destination objects are the same");
    return;
  }
  const Object* o = c.Find(src);
  if (o == nullptr) {
    c.reply.Integer(0);
    return;
  }
  const int64_t expire = c.ks.GetExpire(c.db, src);
  if (c.ks.Find(dst_db, dst) != nullptr && !replace) {
    c.reply.Integer(0);
    return;
  }
  const bool replaced = c.ks.Peek(dst_db, dst) != nullptr;
  if (replaced) c.engine.NotifyKeyspaceEvent(kNotifyNew, "new", dst, dst_db);  // dbAdd, as RENAME
  // dupStringObject: the same encoding, but an integer is never the shared one.
  c.ks.StoreWithExpire(dst_db, dst, Object(*o), expire, Keyspace::Stamp::kNew).set_unshared(true);
  if (replaced) c.engine.SignalKeyAsReady(dst_db, dst);  // dbDelete + dbAdd, as RENAME
  c.engine.NotifyKeyspaceEvent(kNotifyGeneric, "copy_to", dst, dst_db);
  c.Dirty();
  c.reply.Integer(1);
}

// KEYS skips expired keys without deleting them (no lazy expiry, no event).
void CmdKeys(CommandContext& c) {
  const GlobPattern pattern(c.arg(1));
  const bool all = pattern.MatchesEverything();
  std::vector<std::string_view> keys;
  for (const auto& [key, value] : c.ks.db(c.db).dict) {
    if ((all || pattern.Matches(key)) && !c.ks.IsExpired(c.db, key)) keys.push_back(key);
  }
  c.reply.ArrayHeader(static_cast<int64_t>(keys.size()));
  for (std::string_view k : keys) c.reply.Bulk(k);
}

// Redis's parseScanCursorOrReply: strtoul on the C string, so "", "+5" and
// "-1" are valid cursors (the last wraps to 2^64-1), " 1", "1 " and "0x1"
// are not, nor is an overflow. The cursor's value when valid.
bool ParseScanCursor(std::string_view arg, uint64_t* cursor) {
  const std::string buf(CStr(arg));
  if (!buf.empty() && std::isspace(static_cast<unsigned char>(buf[0]))) return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long v = std::strtoul(buf.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *cursor = v;
  return true;
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].
//
// The arguments are validated exactly as Redis does. The walk is
// Keyspace::ScanKeys (docs/fidelity.md, "SCAN"): the db's keys in the order
// of a documented 64-bit hash, the cursor being the hash to resume at, so a
// key present for the whole iteration is returned exactly once, and a db
// with fewer keys than COUNT returns them all with cursor 0, as
// redis-server does. COUNT (default 10, capped at kScanMaxCount) counts the
// keys walked, before filtering: as Redis's SCAN, a key that matches the
// pattern is then checked against TYPE (a lookup that lazily expires it; a
// missing key's type is "none") and lazily expired if still due; keys the
// pattern rejects are left alone. So "TYPE none" lists expired keys, which
// the lookup has just deleted (as Redis 7.0 does). Keys are filtered in the
// walk's order, so expiry events are deterministic.
void CmdScan(CommandContext& c) {
  uint64_t cursor = 0;
  if (!ParseScanCursor(c.arg(1), &cursor)) {
    c.reply.Error("ERR invalid cursor");
    return;
  }
  const std::string* pattern_arg = nullptr;
  const std::string* type = nullptr;
  int64_t count = 10;
  for (size_t i = 2; i < c.argc();) {
    const size_t left = c.argc() - i;
    if (OptEquals(c.arg(i), "count") && left >= 2) {
      if (!c.IntArg(i + 1, &count)) return;
      if (count < 1) {
        c.reply.Error(kErrSyntax);
        return;
      }
      i += 2;
    } else if (OptEquals(c.arg(i), "match") && left >= 2) {
      pattern_arg = &c.arg(i + 1);
      i += 2;
    } else if (OptEquals(c.arg(i), "type") && left >= 2) {
      type = &c.arg(i + 1);
      i += 2;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  const size_t take =
      static_cast<size_t>(std::min<int64_t>(count, static_cast<int64_t>(Keyspace::kScanMaxCount)));
  Keyspace::ScanPage page = c.ks.ScanKeys(c.db, cursor, take);
  const GlobPattern pattern(pattern_arg != nullptr ? std::string_view(*pattern_arg) : "*");
  const bool all = pattern.MatchesEverything();
  std::vector<const std::string*> keys;
  keys.reserve(page.keys.size());
  for (const std::string& key : page.keys) {
    if (!all && !pattern.Matches(key)) continue;
    if (type != nullptr) {
      const Object* o = c.FindNoTouch(key);
      const std::string_view name = o == nullptr ? "none" : ObjTypeName(TypeOf(*o));
      if (!OptEquals(*type, name)) continue;
    }
    if (c.ks.ExpireIfNeeded(c.db, key)) continue;
    keys.push_back(&key);
  }
  c.reply.ArrayHeader(2);
  c.reply.Bulk(std::to_string(page.next_cursor));
  c.reply.ArrayHeader(static_cast<int64_t>(keys.size()));
  for (const std::string* k : keys) c.reply.Bulk(*k);
}

// Keys not yet lazily deleted count, expired or not.
// SSCAN / HSCAN / ZSCAN key cursor [MATCH pattern] [COUNT count]: the
// cursor is checked first, then the key (missing: an empty scan, with no
// option checked), then its type, then the options (no TYPE here). The walk
// is SCAN's over the collection's elements (set members, hash fields,
// sorted-set members) in (ScanHash, element) order, COUNT elements a call
// (docs/fidelity.md, "SSCAN, HSCAN, ZSCAN"); MATCH filters the elements (a
// field's value or a member's score goes with it). O(n log n) a call. A
// listpack hash, an intset set and a listpack sorted set come back whole,
// as Redis returns them.
void ElementScan(CommandContext& c, ObjType type) {
  uint64_t cursor = 0;
  if (!ParseScanCursor(c.arg(2), &cursor)) {
    c.reply.Error("ERR invalid cursor");
    return;
  }
  const Object* o = c.Find(c.arg(1));
  if (o == nullptr) {
    c.reply.ArrayHeader(2);
    c.reply.Bulk("0");
    c.reply.ArrayHeader(0);
    return;
  }
  if (TypeOf(*o) != type) {
    c.reply.Error(kErrWrongType);
    return;
  }
  const std::string* pattern_arg = nullptr;
  int64_t count = 10;
  for (size_t i = 3; i < c.argc();) {
    const size_t left = c.argc() - i;
    if (OptEquals(c.arg(i), "count") && left >= 2) {
      if (!c.IntArg(i + 1, &count)) return;
      if (count < 1) {
        c.reply.Error(kErrSyntax);
        return;
      }
      i += 2;
    } else if (OptEquals(c.arg(i), "match") && left >= 2) {
      pattern_arg = &c.arg(i + 1);
      i += 2;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  // ZScoreText: a listpack keeps an integral score (|s| <= LLONG_MAX/2) as
  // an integer and ZSCAN prints it so; other scores print as %.17g.
  auto reply_score = [&](const ZSet& z, double s) {
    constexpr double kHalf = static_cast<double>(std::numeric_limits<int64_t>::max() / 2);
    if (z.listpack() && s >= -kHalf && s <= kHalf &&
        static_cast<double>(static_cast<int64_t>(s)) == s) {
      c.reply.Bulk(std::to_string(static_cast<int64_t>(s)));
    } else {
      c.reply.BulkDouble(s);
    }
  };
  // scanGenericCommand on a compact encoding (a listpack hash or sorted set,
  // an intset set): every element in one call, cursor 0, whatever the
  // cursor and COUNT say, in the encoding's order: a listpack hash in
  // insertion order, an intset ascending, a sorted listpack by (score,
  // member) (checked on redis-server 7.0.15: `ZSCAN z 0 COUNT 1` and
  // `SSCAN s 0 COUNT 1` over three elements). MATCH drops elements with
  // their values.
  if ((type == ObjType::kHash && !o->hashtable()) || (type == ObjType::kSet && !o->hashtable()) ||
      (type == ObjType::kZSet && As<ZSet>(*o).listpack())) {
    const GlobPattern pattern(pattern_arg != nullptr ? std::string_view(*pattern_arg) : "*");
    const bool all = pattern.MatchesEverything();
    c.reply.ArrayHeader(2);
    c.reply.Bulk("0");
    if (type == ObjType::kHash) {
      std::vector<const Hash::Entry*> picked;
      for (const Hash::Entry& e : As<Hash>(*o)) {
        if (all || pattern.Matches(e.first)) picked.push_back(&e);
      }
      c.reply.ArrayHeader(static_cast<int64_t>(picked.size() * 2));
      for (const Hash::Entry* e : picked) {
        c.reply.Bulk(e->first);
        c.reply.Bulk(e->second);
      }
    } else if (type == ObjType::kSet) {
      std::vector<std::pair<int64_t, const std::string*>> members;
      for (const std::string& m : As<Set>(*o)) {
        if (!all && !pattern.Matches(m)) continue;
        int64_t v = 0;
        (void)absl::SimpleAtoi(m, &v);  // an intset's members are integers
        members.emplace_back(v, &m);
      }
      std::sort(members.begin(), members.end());
      c.reply.ArrayHeader(static_cast<int64_t>(members.size()));
      for (const auto& [v, m] : members) c.reply.Bulk(*m);
    } else {
      const ZSet& z = As<ZSet>(*o);
      std::vector<const ZSet::Entry*> picked;
      for (const ZSet::Entry& e : z.index()) {
        if (all || pattern.Matches(e.second)) picked.push_back(&e);
      }
      c.reply.ArrayHeader(static_cast<int64_t>(picked.size() * 2));
      for (const ZSet::Entry* e : picked) {
        c.reply.Bulk(e->second);
        reply_score(z, e->first);
      }
    }
    return;
  }
  const size_t take =
      static_cast<size_t>(std::min<int64_t>(count, static_cast<int64_t>(Keyspace::kScanMaxCount)));
  std::vector<std::pair<uint64_t, const std::string*>> order;
  auto consider = [&](const std::string& e) {
    const uint64_t h = ScanHash(e);
    if (h >= cursor) order.emplace_back(h, &e);
  };
  switch (type) {
    case ObjType::kSet:
      for (const std::string& m : As<Set>(*o)) consider(m);
      break;
    case ObjType::kHash:
      for (const auto& [f, v] : As<Hash>(*o)) consider(f);
      break;
    case ObjType::kZSet:
      for (const auto& [m, s] : As<ZSet>(*o).scores()) consider(m);
      break;
    default:
      break;
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : *a.second < *b.second;
  });
  size_t n = 0;
  uint64_t last = 0;
  while (n < order.size() && (n < take || order[n].first == last)) last = order[n++].first;
  const uint64_t next = (n < take || last == ~uint64_t{0}) ? 0 : last + 1;
  const GlobPattern pattern(pattern_arg != nullptr ? std::string_view(*pattern_arg) : "*");
  const bool all = pattern.MatchesEverything();
  std::vector<const std::string*> picked;
  for (size_t i = 0; i < n; ++i) {
    if (all || pattern.Matches(*order[i].second)) picked.push_back(order[i].second);
  }
  const bool pairs = type != ObjType::kSet;
  c.reply.ArrayHeader(2);
  c.reply.Bulk(std::to_string(next));
  c.reply.ArrayHeader(static_cast<int64_t>(pairs ? picked.size() * 2 : picked.size()));
  for (const std::string* e : picked) {
    c.reply.Bulk(*e);
    if (type == ObjType::kHash) c.reply.Bulk(*As<Hash>(*o).Find(*e));
    if (type == ObjType::kZSet) reply_score(As<ZSet>(*o), *As<ZSet>(*o).Score(*e));
  }
}

void CmdSscan(CommandContext& c) { ElementScan(c, ObjType::kSet); }
void CmdHscan(CommandContext& c) { ElementScan(c, ObjType::kHash); }
void CmdZscan(CommandContext& c) { ElementScan(c, ObjType::kZSet); }

// MOVE key db: the db checked first (an int, in range, not the current one),
// then the key (0 when missing or already in the target db); the value moves
// with its TTL. Events as Redis signals them: the source, then the target.
void CmdMove(CommandContext& c) {
  int dst = 0;
  if (!c.Int32Arg(2, &dst)) return;
  if (dst < 0 || dst >= c.ks.num_dbs()) {
    c.reply.Error(kErrDbIndex);
    return;
  }
  if (dst == c.db) {
    c.reply.Error("ERR source and destination objects are the same");
    return;
  }
  const std::string& key = c.arg(1);
  Object* o = c.Find(key);
  if (o == nullptr) {
    c.reply.Integer(0);
    return;
  }
  const int64_t expire = c.ks.GetExpire(c.db, key);
  if (c.ks.Find(dst, key) != nullptr) {
    c.reply.Integer(0);
    return;
  }
  Object value = std::move(*o);
  c.engine.AnnounceNew(dst, key);  // dbAdd in the target db comes first
  c.ks.DeleteStored(c.db, key);
  c.ks.StoreWithExpire(dst, key, std::move(value), expire, Keyspace::Stamp::kKeep);
  c.engine.EndAnnounce();
  c.Notify(kNotifyGeneric, "move_from", key);
  c.engine.NotifyKeyspaceEvent(kNotifyGeneric, "move_to", key, dst);
  c.Dirty();
  c.reply.Integer(1);
}

void CmdDbsize(CommandContext& c) {
  c.reply.Integer(static_cast<int64_t>(c.ks.db(c.db).dict.size()));
}

// FLUSHDB / FLUSHALL [ASYNC|SYNC]: both modes empty the db at once here.
bool FlushArgsOk(CommandContext& c) {
  if (c.argc() == 1 ||
      (c.argc() == 2 && (OptEquals(c.arg(1), "sync") || OptEquals(c.arg(1), "async")))) {
    return true;
  }
  c.reply.Error(kErrSyntax);
  return false;
}

// getFlushCommandFlags: ASYNC, or no flag under lazyfree-lazy-user-flush,
// empties the db with emptyDbAsync, every key of it lazily freed
// (lazyfree.cc).
bool FlushAsync(CommandContext& c) {
  return c.argc() == 2 ? OptEquals(c.arg(1), "async") : c.engine.lazyfree_lazy_user_flush();
}

void CmdFlushdb(CommandContext& c) {
  if (!FlushArgsOk(c)) return;
  c.ForcePropagation();                    // propagated even when the db was empty
  c.engine.tracker().InvalidateOnFlush();  // even for an empty db
  c.Dirty(static_cast<int64_t>(c.ks.db(c.db).dict.size()));  // emptyData's count
  if (FlushAsync(c)) c.engine.LazyFreedKeys(c.ks.db(c.db).dict.size());
  c.ks.FlushDb(c.db);
  c.reply.Ok();
}

void CmdFlushall(CommandContext& c) {
  if (!FlushArgsOk(c)) return;
  c.ForcePropagation();
  const bool async = FlushAsync(c);
  for (int db = 0; db < c.ks.num_dbs(); ++db) {
    c.Dirty(static_cast<int64_t>(c.ks.db(db).dict.size()));
    if (async) c.engine.LazyFreedKeys(c.ks.db(db).dict.size());
  }
  c.engine.EmptyAllDbs();
  // flushAllDataAndResetRDB: with save points, an RDB save (which resets
  // the dirty counter) of the empty dataset (persist.cc).
  if (!c.engine.save_points().empty()) c.engine.SaveRdb();
  c.reply.Ok();
}

// SWAPDB index1 index2. Swapping a db with itself is a no-op (no event).
void CmdSwapdb(CommandContext& c) {
  int ids[2];
  for (int k = 0; k < 2; ++k) {
    if (!c.Int32Arg(1 + k, &ids[k],
                    k == 0 ? "ERR invalid first DB index" : "ERR invalid second DB index")) {
      return;
    }
  }
  for (int id : ids) {
    if (id < 0 || id >= c.ks.num_dbs()) {
      c.reply.Error(kErrDbIndex);
      return;
    }
  }
  if (ids[0] != ids[1]) {
    c.ks.SwapDb(ids[0], ids[1]);
    // Clients blocked in either db may find their keys there now
    // (scanDatabaseForReadyKeys).
    c.engine.ScanDbForReadyKeys(ids[0]);
    c.engine.ScanDbForReadyKeys(ids[1]);
  }
  c.Dirty();  // even for a db swapped with itself
  c.reply.Ok();
}

// OBJECT ENCODING / REFCOUNT / FREQ / IDLETIME key, OBJECT HELP (Redis
// 7.0.15's objectCommand; Dispatch checked the subcommand and its arity).
// The key is looked up without touching it; a missing key is a null reply.
void CmdObject(CommandContext& c) {
  const std::string& sub = c.arg(1);
  if (OptEquals(sub, "help")) {
    static constexpr std::string_view kHelp[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    };
    c.reply.ArrayHeader(std::size(kHelp));
    for (std::string_view line : kHelp) c.reply.Simple(line);
    return;
  }
  const Object* o = c.FindNoTouch(c.arg(2));
  if (o == nullptr) {
    c.reply.Null();
    return;
  }
  if (OptEquals(sub, "encoding")) {
    c.reply.Bulk(EncodingName(*o));
  } else if (OptEquals(sub, "refcount")) {
    c.reply.Integer(RefCount(*o));
  } else if (OptEquals(sub, "idletime")) {
    // Under an LFU maxmemory-policy robj.lru holds LFU data (evict.cc).
    if (c.engine.lfu_policy()) {
      c.reply.Error(
          "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
          "switching between policies at runtime LRU and LFU data will take some time to adjust.");
      return;
    }
    c.reply.Integer(IdleSeconds(*o, c.now_ms()));
  } else if (c.engine.lfu_policy()) {
    c.reply.Integer(LfuDecayedCounter(*o, c.now_ms()));
  } else {
    c.reply.Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
}

// clang-format off
constexpr std::array<CommandSpec, 28> kCommands = {{
    {"del", -2, kCmdWrite, 1, -1, 1, CmdDel},
    {"unlink", -2, kCmdWrite|kCmdFast, 1, -1, 1, CmdDel},
    {"exists", -2, kCmdReadonly|kCmdFast, 1, -1, 1, CmdExists},
    {"type", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdType},
    {"expire", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdExpire},
    {"pexpire", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdPexpire},
    {"expireat", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdExpireat},
    {"pexpireat", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdPexpireat},
    {"ttl", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdTtl},
    {"pttl", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdPttl},
    {"expiretime", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdExpiretime},
    {"pexpiretime", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdPexpiretime},
    {"touch", -2, kCmdReadonly|kCmdFast, 1, -1, 1, CmdTouch},
    {"persist", 2, kCmdWrite|kCmdFast, 1, 1, 1, CmdPersist},
    {"rename", 3, kCmdWrite, 1, 2, 1, CmdRename},
    {"renamenx", 3, kCmdWrite|kCmdFast, 1, 2, 1, CmdRenamenx},
    {"copy", -3, kCmdWrite|kCmdDenyOom, 1, 2, 1, CmdCopy},
    {"keys", 2, kCmdReadonly, 0, 0, 0, CmdKeys},
    {"scan", -2, kCmdReadonly, 0, 0, 0, CmdScan},
    {"dbsize", 1, kCmdReadonly|kCmdFast, 0, 0, 0, CmdDbsize},
    {"flushdb", -1, kCmdWrite, 0, 0, 0, CmdFlushdb},
    {"flushall", -1, kCmdWrite, 0, 0, 0, CmdFlushall},
    {"swapdb", 3, kCmdWrite|kCmdFast, 0, 0, 0, CmdSwapdb},
    {"move", 3, kCmdWrite|kCmdFast, 1, 1, 1, CmdMove},
    {"sscan", -3, kCmdReadonly, 1, 1, 1, CmdSscan},
    {"hscan", -3, kCmdReadonly, 1, 1, 1, CmdHscan},
    {"zscan", -3, kCmdReadonly, 1, 1, 1, CmdZscan},
    // A container: the flags and key are its subcommands' (object|encoding
    // and the others are read-only, their key argv[2]; OBJECT HELP has none).
    {"object", -2, kCmdReadonly, 2, 2, 1, CmdObject},
}};
// clang-format on

}  // namespace

std::span<const CommandSpec> KeyCommands() { return kCommands; }

}  // namespace respfuzz::engine
