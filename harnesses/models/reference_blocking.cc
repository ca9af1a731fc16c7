// Blocking commands of the reference model (t_list.c, t_zset.c, blocked.c,
// timeout.c): BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX BZMPOP,
// their non-blocking relatives LMPOP and ZMPOP, CLIENT UNBLOCK, and the
// serving of blocked sessions (of XREAD / XREADGROUP BLOCK's sessions too:
// the ready keys here, the streams' serving in reference_streams.cc).
// Written plainly from Redis 7.0.15's behaviour: the pops are written again
// here, not shared with reference_lists.cc / reference_zsets.cc.
#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Type;
using resp::Value;

// ---------------------------------------------------------------------------
// Argument parsing.

// getTimeoutFromObjectOrReply, seconds: ceill(seconds * 1000); a product
// outside the int64 range becomes LLONG_MIN (what x86-64's conversion
// gives), so it is "negative"; a positive one is added to now, wrapping.
// Milliseconds (WAIT, XREAD BLOCK): an integer.
bool GetTimeout(Ctx& c, const std::string& arg, int64_t* out, Value* err, bool milliseconds) {
  int64_t tval;
  if (milliseconds) {
    if (!c.GetLongLong(arg, &tval, err, "timeout is not an integer or out of range")) return false;
  } else {
    long double seconds;
    if (!String2ld(arg, &seconds)) {
      *err = c.Err("timeout is not a float or out of range");
      return false;
    }
    long double ms = ceill(seconds * 1000.0L);
    if (ms >= -9223372036854775808.0L && ms < 9223372036854775808.0L) {
      tval = static_cast<int64_t>(ms);
    } else {
      tval = LLONG_MIN;
    }
  }
  if (tval < 0) {
    *err = c.Err("timeout is negative");
    return false;
  }
  if (tval > 0) {
    uint64_t sum = static_cast<uint64_t>(tval) + static_cast<uint64_t>(c.st.now);
    tval = static_cast<int64_t>(sum);
  }
  *out = tval;
  return true;
}

namespace {

// The arguments from numkeys on (lmpopGenericCommand / zmpopGenericCommand):
// numkeys, keys, the end word, [COUNT n]. `words` are the two end words
// (LEFT/RIGHT or MIN/MAX); *first is whether the first one was given.
bool ParseMpop(Ctx& c, size_t numkeys_idx, const char* word0, const char* word1, int64_t* numkeys,
               bool* first, int64_t* count, Value* err) {
  if (!c.GetRangeLong(c.argv[numkeys_idx], 1, LONG_MAX, numkeys, err,
                      "numkeys should be greater than 0")) {
    return false;
  }
  // where_idx = numkeys_idx + numkeys + 1, past the end: a syntax error
  // (a numkeys so big the sum overflows included).
  int64_t args_left = static_cast<int64_t>(c.argc()) - static_cast<int64_t>(numkeys_idx) - 1;
  if (*numkeys >= args_left) {
    *err = c.Syntax();
    return false;
  }
  size_t where_idx = numkeys_idx + static_cast<size_t>(*numkeys) + 1;
  if (EqualsIgnoreCase(c.argv[where_idx], word0)) {
    *first = true;
  } else if (EqualsIgnoreCase(c.argv[where_idx], word1)) {
    *first = false;
  } else {
    *err = c.Syntax();
    return false;
  }
  *count = -1;
  for (size_t j = where_idx + 1; j < c.argc(); j++) {
    bool moreargs = j + 1 < c.argc();
    if (*count == -1 && EqualsIgnoreCase(c.argv[j], "count") && moreargs) {
      j++;
      if (!c.GetRangeLong(c.argv[j], 1, LONG_MAX, count, err, "count should be greater than 0")) {
        return false;
      }
    } else {
      *err = c.Syntax();
      return false;
    }
  }
  if (*count == -1) *count = 1;
  return true;
}

bool ParseLeftRight(const std::string& arg, bool* left) {
  if (EqualsIgnoreCase(arg, "left")) {
    *left = true;
    return true;
  }
  if (EqualsIgnoreCase(arg, "right")) {
    *left = false;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Pops.

std::string PopOne(Object* o, bool left) {
  std::string v;
  if (left) {
    v = o->list.front();
    o->list.erase(o->list.begin());
  } else {
    v = o->list.back();
    o->list.pop_back();
  }
  return v;
}

// listPopRangeAndReplyWithKey: [key, [elements]]; the key is deleted when
// emptied and signalled.
Value ListPopRange(Ctx& c, int db, const std::string& key, Object* o, bool left, int64_t count) {
  std::vector<Value> elems;
  while (count > 0 && !o->list.empty()) {
    elems.push_back(c.Bulk(PopOne(o, left)));
    count--;
  }
  NotifyKeyspaceEvent(c.st, kNotifyList, left ? "lpop" : "rpop", key, db);
  if (o->list.empty()) {
    DbDelete(c.st, db, key);
    NotifyKeyspaceEvent(c.st, kNotifyGeneric, "del", key, db);
  }
  SignalModifiedKey(c.st, db, key);
  return c.Array({c.Bulk(key), c.Array(std::move(elems))});
}

// genericZpopCommand with the key: [key, member, score] for one pop (the
// BZPOP* form) or [key, [[member, score], ...]] (nested).
Value ZPopWithKey(Ctx& c, int db, const std::string& key, Object* z, bool min, int64_t count,
                  bool nested) {
  if (count == -1) count = 1;
  std::vector<std::pair<double, std::string>> order;
  for (const auto& [member, score] : z->zset) order.push_back({score, member});
  std::sort(order.begin(), order.end());
  if (!min) std::reverse(order.begin(), order.end());
  std::vector<Value> out;
  out.push_back(c.Bulk(key));
  std::vector<Value> pairs;
  for (int64_t i = 0; i < count && i < static_cast<int64_t>(order.size()); i++) {
    const auto& [score, member] = order[static_cast<size_t>(i)];
    z->zset.erase(member);
    if (nested) {
      pairs.push_back(c.Array({c.Bulk(member), c.Double(score)}));
    } else {
      out.push_back(c.Bulk(member));
      out.push_back(c.Double(score));
    }
  }
  NotifyKeyspaceEvent(c.st, kNotifyZset, min ? "zpopmin" : "zpopmax", key, db);
  SignalModifiedKey(c.st, db, key);
  if (z->zset.empty()) {
    DbDelete(c.st, db, key);
    NotifyKeyspaceEvent(c.st, kNotifyGeneric, "del", key, db);
  }
  if (nested) out.push_back(c.Array(std::move(pairs)));
  return c.Array(std::move(out));
}

// ---------------------------------------------------------------------------
// Blocking a session.

void Block(Ctx& c, bool zset, const std::vector<std::string>& keys, int64_t timeout) {
  Blocked& b = c.s().blocked;
  b = Blocked();
  b.on = true;
  b.zset = zset;
  b.db = c.db();
  b.timeout = timeout;
  b.argv = c.argv;
  for (const std::string& k : keys) {
    if (std::find(b.keys.begin(), b.keys.end(), k) != b.keys.end()) continue;
    b.keys.push_back(k);
    c.st.blocking_keys[{b.db, k}].push_back(c.session);
  }
}

bool CanBlock(Ctx& c) { return !c.st.in_exec; }

// blocked_clients_by_type: whether some session is blocked for this type.
bool SomeoneBlockedFor(const State& st, Kind kind) {
  for (const Session& s : st.sessions) {
    const Blocked& b = s.blocked;
    if (!b.on || b.wait || b.postponed) continue;
    if (kind == Kind::kStream ? b.stream : !b.stream && b.zset == (kind == Kind::kZSet)) {
      return true;
    }
  }
  return false;
}

// WAIT numreplicas timeout (waitCommand). No replica acknowledges anything
// on this master: 0 at once when 0 is enough or inside EXEC (CLIENT_MULTI),
// otherwise blocked on no key until the timeout (milliseconds, the same
// absolute form as the others; 0: none) or CLIENT UNBLOCK, which reply 0.
Value Wait(Ctx& c) {
  int64_t numreplicas, tval;
  Value err;
  if (!c.GetLongLong(c.argv[1], &numreplicas, &err)) return err;
  if (!GetTimeout(c, c.argv[2], &tval, &err, /*milliseconds=*/true)) return err;
  if (numreplicas <= 0 || !CanBlock(c)) return c.Int(0);
  Block(c, false, {}, tval);
  c.s().blocked.wait = true;
  return Value();
}

// BLPOP / BRPOP / BLMPOP (blockingPopGenericCommand). count -1: BLPOP/BRPOP.
Value BlockingPop(Ctx& c, const std::vector<std::string>& keys, bool left,
                  const std::string& timeout_arg, int64_t count) {
  int64_t timeout;
  Value err;
  if (!GetTimeout(c, timeout_arg, &timeout, &err)) return err;
  for (const std::string& key : keys) {
    Object* o = LookupKey(c.st, c.db(), key);
    if (o == nullptr) continue;
    if (o->kind != Kind::kList) return c.WrongType();
    if (o->list.empty()) continue;
    if (count != -1) return ListPopRange(c, c.db(), key, o, left, count);
    std::string v = PopOne(o, left);
    c.Notify(kNotifyList, left ? "lpop" : "rpop", key);
    if (o->list.empty()) {
      DbDelete(c.st, c.db(), key);
      c.Notify(kNotifyGeneric, "del", key);
    }
    SignalModifiedKey(c.st, c.db(), key);
    return c.Array({c.Bulk(key), c.Bulk(v)});
  }
  if (!CanBlock(c)) return c.NullArray();
  Block(c, false, keys, timeout);
  return Value();
}

Value BLPop(Ctx& c) {
  std::vector<std::string> keys(c.argv.begin() + 1, c.argv.end() - 1);
  return BlockingPop(c, keys, true, c.argv.back(), -1);
}

Value BRPop(Ctx& c) {
  std::vector<std::string> keys(c.argv.begin() + 1, c.argv.end() - 1);
  return BlockingPop(c, keys, false, c.argv.back(), -1);
}

Value LMPop(Ctx& c) {
  int64_t numkeys, count;
  bool left;
  Value err;
  if (!ParseMpop(c, 1, "left", "right", &numkeys, &left, &count, &err)) return err;
  for (int64_t j = 0; j < numkeys; j++) {
    const std::string& key = c.argv[2 + static_cast<size_t>(j)];
    Object* o = LookupKey(c.st, c.db(), key);
    if (o == nullptr) continue;
    if (o->kind != Kind::kList) return c.WrongType();
    if (o->list.empty()) continue;
    return ListPopRange(c, c.db(), key, o, left, count);
  }
  return c.NullArray();
}

Value BLMPop(Ctx& c) {
  int64_t numkeys, count;
  bool left;
  Value err;
  if (!ParseMpop(c, 2, "left", "right", &numkeys, &left, &count, &err)) return err;
  std::vector<std::string> keys(c.argv.begin() + 3,
                                c.argv.begin() + 3 + static_cast<size_t>(numkeys));
  return BlockingPop(c, keys, left, c.argv[1], count);
}

// blmoveGenericCommand: an existing source is LMOVE (run as the LMOVE
// command would: the model's own LMOVE handler); a missing one blocks.
Value BlockingMove(Ctx& c, bool from_left, bool to_left, int64_t timeout) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kList) return c.WrongType();
  if (o != nullptr) {
    std::vector<std::string> lmove = {"lmove", c.argv[1], c.argv[2], from_left ? "left" : "right",
                                      to_left ? "left" : "right"};
    Ctx inner{c.st, c.session, lmove};
    for (const CommandSpec& spec : ListCommands()) {
      if (std::string(spec.name) == "lmove") return spec.handler(inner);
    }
  }
  if (!CanBlock(c)) return c.Null();
  Block(c, false, {c.argv[1]}, timeout);
  return Value();
}

Value BLMove(Ctx& c) {
  bool from, to;
  if (!ParseLeftRight(c.argv[3], &from) || !ParseLeftRight(c.argv[4], &to)) return c.Syntax();
  int64_t timeout;
  Value err;
  if (!GetTimeout(c, c.argv[5], &timeout, &err)) return err;
  return BlockingMove(c, from, to, timeout);
}

Value BRPopLPush(Ctx& c) {
  int64_t timeout;
  Value err;
  if (!GetTimeout(c, c.argv[3], &timeout, &err)) return err;
  return BlockingMove(c, false, true, timeout);
}

// blockingGenericZpopCommand. nested: BZMPOP.
Value BlockingZPop(Ctx& c, const std::vector<std::string>& keys, bool min,
                   const std::string& timeout_arg, int64_t count, bool nested) {
  int64_t timeout;
  Value err;
  if (!GetTimeout(c, timeout_arg, &timeout, &err)) return err;
  for (const std::string& key : keys) {
    Object* o = LookupKey(c.st, c.db(), key);
    if (o == nullptr) continue;
    if (o->kind != Kind::kZSet) return c.WrongType();
    if (o->zset.empty()) continue;
    return ZPopWithKey(c, c.db(), key, o, min, count, nested);
  }
  if (!CanBlock(c)) return c.NullArray();
  Block(c, true, keys, timeout);
  return Value();
}

Value BZPopMin(Ctx& c) {
  std::vector<std::string> keys(c.argv.begin() + 1, c.argv.end() - 1);
  return BlockingZPop(c, keys, true, c.argv.back(), -1, false);
}

Value BZPopMax(Ctx& c) {
  std::vector<std::string> keys(c.argv.begin() + 1, c.argv.end() - 1);
  return BlockingZPop(c, keys, false, c.argv.back(), -1, false);
}

Value ZMPop(Ctx& c) {
  int64_t numkeys, count;
  bool min;
  Value err;
  if (!ParseMpop(c, 1, "min", "max", &numkeys, &min, &count, &err)) return err;
  for (int64_t j = 0; j < numkeys; j++) {
    const std::string& key = c.argv[2 + static_cast<size_t>(j)];
    Object* o = LookupKey(c.st, c.db(), key);
    if (o == nullptr) continue;
    if (o->kind != Kind::kZSet) return c.WrongType();
    return ZPopWithKey(c, c.db(), key, o, min, count, true);
  }
  return c.NullArray();
}

Value BZMPop(Ctx& c) {
  int64_t numkeys, count;
  bool min;
  Value err;
  if (!ParseMpop(c, 2, "min", "max", &numkeys, &min, &count, &err)) return err;
  std::vector<std::string> keys(c.argv.begin() + 3,
                                c.argv.begin() + 3 + static_cast<size_t>(numkeys));
  return BlockingZPop(c, keys, min, c.argv[1], count, true);
}

// ---------------------------------------------------------------------------
// Serving.

void Deliver(State& st, int session, Value reply, bool by_command = false) {
  UnblockSession(st, session);
  if (st.hooks.unblocked) st.hooks.unblocked(session, reply, by_command);
  st.delivered.push_back({session, std::move(reply)});
}

// serveClientBlockedOnList / genericZpopCommand for one blocked session;
// true when the key was deleted.
bool Serve(State& st, int session, int db, const std::string& key) {
  Blocked b = st.sessions[session].blocked;  // a copy: UnblockSession clears it
  Ctx c{st, session, b.argv};
  std::string name = b.argv[0];
  for (char& ch : name) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  Object* o = &st.dbs[db].dict.find(key)->second;
  Value reply;
  if (b.zset) {
    // genericZpopCommand looks the key up for writing: a second touch of
    // its LRU / LFU after handleClientsBlockedOnKeys' (a list's serving
    // has none). redis-server 7.0.15, allkeys-lfu with lfu-log-factor 0: a
    // zset made by the ZADD that serves a BZPOPMAX or BZMPOP has frequency
    // 7, a list made by the RPUSH that serves a BLPOP 6.
    TouchLru(st, *o);
    // BZPOPMIN / BZPOPMAX pop one ([key, member, score]); BZMPOP its count.
    bool min = name == "bzpopmin";
    int64_t count = -1;
    bool nested = name == "bzmpop";
    if (nested) {
      int64_t numkeys;
      Value err;
      ParseMpop(c, 2, "min", "max", &numkeys, &min, &count, &err);
    }
    reply = ZPopWithKey(c, db, key, o, min, count, nested);
  } else if (name == "blpop" || name == "brpop") {
    // No signal: the push that made the key ready signalled it.
    std::string v = PopOne(o, name == "blpop");
    NotifyKeyspaceEvent(st, kNotifyList, name == "blpop" ? "lpop" : "rpop", key, db);
    if (o->list.empty()) {
      DbDelete(st, db, key);
      NotifyKeyspaceEvent(st, kNotifyGeneric, "del", key, db);
    }
    reply = c.Array({c.Bulk(key), c.Bulk(v)});
  } else if (name == "blmpop") {
    int64_t numkeys, count;
    bool left;
    Value err;
    ParseMpop(c, 2, "left", "right", &numkeys, &left, &count, &err);
    reply = ListPopRange(c, db, key, o, left, count);
  } else {
    // BLMOVE / BRPOPLPUSH: the destination's type first (WRONGTYPE, nothing
    // popped); the push signals the destination (and adds it, which may
    // make it ready); an emptied source is deleted without a signal.
    bool from_left = false, to_left = true;
    if (name == "blmove") {
      ParseLeftRight(b.argv[3], &from_left);
      ParseLeftRight(b.argv[4], &to_left);
    }
    const std::string& dst = b.argv[2];
    Object* d = LookupKey(st, db, dst);
    if (d != nullptr && d->kind != Kind::kList) {
      reply = c.WrongType();
    } else {
      std::string v = PopOne(o, from_left);
      if (d == nullptr) {
        Object fresh;
        fresh.kind = Kind::kList;
        d = &DbAdd(st, db, dst, std::move(fresh));
        o = &st.dbs[db].dict.find(key)->second;  // std::map: still valid; looked up for clarity
      }
      SignalModifiedKey(st, db, dst);
      if (to_left) {
        d->list.insert(d->list.begin(), v);
      } else {
        d->list.push_back(v);
      }
      NotifyKeyspaceEvent(st, kNotifyList, to_left ? "lpush" : "rpush", dst, db);
      NotifyKeyspaceEvent(st, kNotifyList, from_left ? "lpop" : "rpop", key, db);
      if (o->list.empty()) {
        DbDelete(st, db, key);
        NotifyKeyspaceEvent(st, kNotifyGeneric, "del", key, db);
      }
      reply = c.Bulk(v);
    }
  }
  FinishBlocked(st, session, std::move(reply));
  return st.dbs[db].dict.count(key) == 0;
}

}  // namespace

void SignalKeyAsReady(State& st, int db, const std::string& key, Kind kind) {
  if (kind != Kind::kList && kind != Kind::kZSet && kind != Kind::kStream) return;
  // Only when some session waits for this type (blocked_clients_by_type).
  if (!SomeoneBlockedFor(st, kind)) return;
  if (st.blocking_keys.find({db, key}) == st.blocking_keys.end()) return;
  std::pair<int, std::string> entry(db, key);
  if (std::find(st.ready_keys.begin(), st.ready_keys.end(), entry) != st.ready_keys.end()) return;
  st.ready_keys.push_back(entry);
}

void SignalDeletedStreams(State& st, int db, int replaced_with) {
  if (!SomeoneBlockedFor(st, Kind::kStream)) return;
  std::vector<std::string> keys;
  for (const auto& [where, sessions] : st.blocking_keys) {
    if (where.first == db) keys.push_back(where.second);
  }
  auto is_stream = [&st](int d, const std::string& key) {
    if (d < 0) return false;
    auto it = st.dbs[d].dict.find(key);
    return it != st.dbs[d].dict.end() && it->second.kind == Kind::kStream;
  };
  for (const std::string& key : keys) {
    if (is_stream(db, key) && !is_stream(replaced_with, key)) {
      SignalKeyAsReady(st, db, key, Kind::kStream);
    }
  }
}

void HandleClientsBlockedOnKeys(State& st) {
  while (!st.ready_keys.empty()) {
    std::vector<std::pair<int, std::string>> round = st.ready_keys;
    for (size_t i = 0; i < round.size(); i++) {
      // Out of the ready list before serving: serving may signal it again.
      st.ready_keys.erase(std::find(st.ready_keys.begin(), st.ready_keys.end(), round[i]));
      int db = round[i].first;
      const std::string& key = round[i].second;
      Object* o = LookupKey(st, db, key);
      if (o == nullptr) {
        // Gone (deleted, or expired by this very lookup): its XREADGROUP
        // sessions are unblocked with an error.
        UnblockDeletedStreamGroupWaiters(st, db, key);
        continue;
      }
      if (o->kind == Kind::kStream) {
        ServeStreamWaiters(st, db, key);
        continue;
      }
      if (o->kind == Kind::kList || o->kind == Kind::kZSet) {
        const bool zset = o->kind == Kind::kZSet;
        auto it = st.blocking_keys.find({db, key});
        std::vector<int> clients;
        if (it != st.blocking_keys.end()) clients = it->second;
        for (int session : clients) {
          const Blocked& b = st.sessions[session].blocked;
          if (!b.on || b.stream || b.zset != zset) continue;
          if (Serve(st, session, db, key)) break;
        }
      }
      // No longer a stream (overwritten): its XREADGROUP sessions go too.
      UnblockDeletedStreamGroupWaiters(st, db, key);
    }
  }
}

Blocked& BlockOnStreams(Ctx& c, const std::vector<std::string>& keys,
                        const std::vector<StreamId>& ids, int64_t timeout) {
  Block(c, false, keys, timeout);
  Blocked& b = c.s().blocked;
  b.stream = true;
  for (const std::string& key : b.keys) {
    const size_t first =
        static_cast<size_t>(std::find(keys.begin(), keys.end(), key) - keys.begin());
    b.stream_ids.push_back(ids[first]);
  }
  return b;
}

void FinishBlocked(State& st, int session, Value reply) {
  const std::vector<std::string> argv = st.sessions[session].blocked.argv;
  Deliver(st, session, std::move(reply));
  SlowlogBlockedServed(st, session, argv);  // reference_slowlog.cc
  LatencyRecordCall(st, Lowered(argv[0]));  // reference_latency.cc
}

void HandleBlockedClientsTimeout(State& st) {
  // Earliest timeout first (as unsigned, Redis's table order), then client id.
  while (true) {
    int pick = -1;
    for (size_t i = 0; i < st.sessions.size(); i++) {
      const Blocked& b = st.sessions[i].blocked;
      if (!b.on || b.timeout == 0) continue;
      if (!(static_cast<uint64_t>(b.timeout) < static_cast<uint64_t>(st.now))) continue;
      if (pick < 0) {
        pick = static_cast<int>(i);
        continue;
      }
      const Session& p = st.sessions[static_cast<size_t>(pick)];
      uint64_t a = static_cast<uint64_t>(b.timeout), bt = static_cast<uint64_t>(p.blocked.timeout);
      if (a < bt || (a == bt && st.sessions[i].id < p.id)) pick = static_cast<int>(i);
    }
    if (pick < 0) return;
    const Blocked& b = st.sessions[static_cast<size_t>(pick)].blocked;
    Ctx c{st, pick, b.argv};
    Deliver(st, pick, b.wait ? c.Int(0) : c.NullArray());
  }
}

void UnblockSession(State& st, int session) {
  Blocked& b = st.sessions[session].blocked;
  if (!b.on) return;
  if (b.postponed) ForgetPostponed(st, session);  // reference_pause.cc
  for (const std::string& k : b.keys) {
    std::vector<int>& list = st.blocking_keys[{b.db, k}];
    list.erase(std::remove(list.begin(), list.end(), session), list.end());
    if (list.empty()) st.blocking_keys.erase({b.db, k});
  }
  b = Blocked();
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]
Value ClientUnblock(Ctx& c) {
  if (c.argc() != 3 && c.argc() != 4) {
    return c.Err("unknown subcommand or wrong number of arguments for '" +
                 SanitizeErrorText(CString(c.argv[1]).substr(0, 128)) + "'. Try CLIENT HELP.");
  }
  bool error = false;
  if (c.argc() == 4) {
    if (EqualsIgnoreCase(c.argv[3], "timeout")) {
      error = false;
    } else if (EqualsIgnoreCase(c.argv[3], "error")) {
      error = true;
    } else {
      return c.Err("CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  }
  int64_t id;
  Value err;
  if (!c.GetLongLong(c.argv[2], &id, &err)) return err;
  for (size_t i = 0; i < c.st.sessions.size(); i++) {
    if (c.st.sessions[i].id != id || !c.st.sessions[i].blocked.on) continue;
    if (c.st.sessions[i].blocked.postponed) {
      // Postponed by CLIENT PAUSE (reference_pause.cc): ERROR sends the
      // error and the command runs again; TIMEOUT answers 0 (7.0.15 would
      // crash, docs/fidelity.md).
      if (!error) return c.Int(0);
      UnblockPostponedWithError(c.st, static_cast<int>(i));
      return c.Int(1);
    }
    Ctx target{c.st, static_cast<int>(i), c.st.sessions[i].blocked.argv};
    const std::string blocked_name = Lowered(c.st.sessions[i].blocked.argv[0]);
    Deliver(c.st, static_cast<int>(i),
            error ? Value::Error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
            : c.st.sessions[i].blocked.wait ? target.Int(0)
                                            : target.NullArray(),
            /*by_command=*/true);
    SlowlogBlockedUnblocked(c.st, static_cast<int>(i));  // reference_slowlog.cc
    LatencyRecordCall(c.st, blocked_name);               // reference_latency.cc
    return c.Int(1);
  }
  return c.Int(0);
}

std::vector<CommandSpec> BlockingCommands() {
  return {
      {"lmpop", -4, LMPop},   {"blpop", -3, BLPop},       {"brpop", -3, BRPop},
      {"blmpop", -5, BLMPop}, {"blmove", 6, BLMove},      {"brpoplpush", 4, BRPopLPush},
      {"zmpop", -4, ZMPop},   {"bzpopmin", -3, BZPopMin}, {"bzpopmax", -3, BZPopMax},
      {"bzmpop", -5, BZMPop}, {"wait", 3, Wait},
  };
}

}  // namespace respfuzz::models::refmodel
