// Hash commands: HSET HSETNX HGET HMGET HMSET HDEL HEXISTS HLEN HKEYS HVALS
// HGETALL HINCRBY HINCRBYFLOAT HSTRLEN, as Redis 7.0.15 replies to them
// (argument checks in Redis's order, key events only on real modifications).
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

// The listpack -> hashtable conversion (never back) of Redis 7.0.15's
// t_hash.c: hashTypeTryConversion converts before a write when an argument
// is longer than hash-max-listpack-value (`long_arg`), hashTypeSet when the
// field or value is, and after an insert when the hash holds more than
// hash-max-listpack-entries fields (HSETNX converts only when it writes).
// (Its lpSafeToAdd check, a listpack
// reaching 1 GB, is not modelled.)
void HashConvertIfNeeded(CommandContext& c, Object& o, bool long_arg) {
  const EncodingLimits& l = c.engine.limits();
  if (long_arg || static_cast<int64_t>(As<Hash>(o).size()) > l.hash_max_listpack_entries) {
    o.set_hashtable(true);
  }
}

bool LongerThanListpackValue(CommandContext& c, std::string_view s) {
  return static_cast<int64_t>(s.size()) > c.engine.limits().hash_max_listpack_value;
}

// HSET / HMSET key field value [field value ...]: a field without its value
// is an arity error (checked before the key's type). Always a modification.
void SetFields(CommandContext& c, bool reply_count) {
  if (c.argc() % 2 == 1) {
    c.ReplyArityError();
    return;
  }
  const std::string& key = c.arg(1);
  Hash* h;
  Object* obj;
  if (!c.FindAs(key, &h, &obj)) return;
  bool long_arg = false;
  for (size_t i = 2; i < c.argc() && !long_arg; ++i)
    long_arg = LongerThanListpackValue(c, c.arg(i));
  int64_t created = 0;
  if (h == nullptr) {
    Hash fresh;
    for (size_t i = 2; i < c.argc(); i += 2) {
      created += fresh.Set(c.arg(i), c.arg(i + 1)) ? 1 : 0;
    }
    HashConvertIfNeeded(c, c.ks.Store(c.db, key, Object(std::move(fresh)), false), long_arg);
  } else {
    for (size_t i = 2; i < c.argc(); i += 2) {
      created += h->Set(c.arg(i), c.arg(i + 1)) ? 1 : 0;
    }
    HashConvertIfNeeded(c, *obj, long_arg);
    c.ks.Touched(c.db, key);
  }
  if (reply_count) {
    c.reply.Integer(created);
  } else {
    c.reply.Ok();
  }
  c.Notify(kNotifyHash, "hset", key);  // after the reply, as hsetCommand
  c.Dirty(static_cast<int64_t>((c.argc() - 2) / 2));
}

void CmdHset(CommandContext& c) { SetFields(c, true); }
void CmdHmset(CommandContext& c) { SetFields(c, false); }

// HSETNX key field value: an existing field is no modification.
void CmdHsetnx(CommandContext& c) {
  const std::string& key = c.arg(1);
  Hash* h;
  Object* obj;
  if (!c.FindAs(key, &h, &obj)) return;
  // hashTypeTryConversion runs only when the field is new.
  const bool long_arg =
      LongerThanListpackValue(c, c.arg(2)) || LongerThanListpackValue(c, c.arg(3));
  if (h == nullptr) {
    HashConvertIfNeeded(c, c.ks.Store(c.db, key, Object(Hash{{c.arg(2), c.arg(3)}}), false),
                        long_arg);
  } else {
    if (!h->SetIfAbsent(c.arg(2), c.arg(3))) {
      c.reply.Integer(0);
      return;
    }
    HashConvertIfNeeded(c, *obj, long_arg);
    c.ks.Touched(c.db, key);
  }
  c.reply.Integer(1);
  c.Notify(kNotifyHash, "hset", key);
  c.Dirty();
}

// A field's value, or null when the hash (h may be nullptr) lacks it.
void ReplyField(CommandContext& c, const Hash* h, const std::string& field) {
  const std::string* v = h == nullptr ? nullptr : h->Find(field);
  if (v == nullptr) {
    c.reply.Null();
  } else {
    c.reply.Bulk(*v);
  }
}

void CmdHget(CommandContext& c) {
  Hash* h;
  if (!c.FindAs(c.arg(1), &h)) return;
  ReplyField(c, h, c.arg(2));
}

void CmdHmget(CommandContext& c) {
  Hash* h;
  if (!c.FindAs(c.arg(1), &h)) return;
  c.reply.ArrayHeader(static_cast<int64_t>(c.argc() - 2));
  for (size_t i = 2; i < c.argc(); ++i) ReplyField(c, h, c.arg(i));
}

// HDEL key field [field ...]: a modification only when a field went; the
// emptied hash is deleted.
void CmdHdel(CommandContext& c) {
  const std::string& key = c.arg(1);
  Hash* h;
  if (!c.FindAs(key, &h)) return;
  int64_t deleted = 0;
  if (h != nullptr) {
    for (size_t i = 2; i < c.argc() && !h->empty(); ++i) deleted += h->Erase(c.arg(i)) ? 1 : 0;
    if (deleted > 0) c.TouchedNotify(kNotifyHash, "hdel", key);
    c.Dirty(deleted);
  }
  c.reply.Integer(deleted);
}

void CmdHexists(CommandContext& c) {
  Hash* h;
  if (!c.FindAs(c.arg(1), &h)) return;
  c.reply.Integer(h != nullptr && h->Contains(c.arg(2)) ? 1 : 0);
}

void CmdHlen(CommandContext& c) {
  Hash* h;
  if (!c.FindAs(c.arg(1), &h)) return;
  c.reply.Integer(h == nullptr ? 0 : static_cast<int64_t>(h->size()));
}

void CmdHstrlen(CommandContext& c) {
  Hash* h;
  if (!c.FindAs(c.arg(1), &h)) return;
  int64_t n = 0;
  if (const std::string* v = h == nullptr ? nullptr : h->Find(c.arg(2))) {
    n = static_cast<int64_t>(v->size());
  }
  c.reply.Integer(n);
}

// HKEYS / HVALS / HGETALL, in the hash's order (hash_object.h): Redis 7.0.15
// replies in insertion order while the hash is a listpack, in dict order
// once it is a hashtable (which the engine does not follow: it keeps
// insertion order there too).
void ReplyFieldsOrValues(CommandContext& c, bool fields) {
  Hash* h;
  if (!c.FindAs(c.arg(1), &h)) return;
  if (h == nullptr) {
    c.reply.ArrayHeader(0);
    return;
  }
  c.reply.ArrayHeader(static_cast<int64_t>(h->size()));
  for (const auto& [field, value] : *h) c.reply.Bulk(fields ? field : value);
}

void CmdHkeys(CommandContext& c) { ReplyFieldsOrValues(c, true); }
void CmdHvals(CommandContext& c) { ReplyFieldsOrValues(c, false); }

// A map in RESP3 (an empty map for a missing key), a flat array in RESP2.
void CmdHgetall(CommandContext& c) {
  Hash* h;
  if (!c.FindAs(c.arg(1), &h)) return;
  if (h == nullptr) {
    c.reply.MapHeader(0);
    return;
  }
  c.reply.MapHeader(static_cast<int64_t>(h->size()));
  for (const auto& [field, value] : *h) {
    c.reply.Bulk(field);
    c.reply.Bulk(value);
  }
}

// HINCRBY key field increment: the increment is parsed before the key's type
// is checked; a missing field counts as 0. Errors leave the hash untouched.
void CmdHincrby(CommandContext& c) {
  int64_t incr;
  if (!c.IntArg(3, &incr)) return;
  const std::string& key = c.arg(1);
  Hash* h;
  Object* obj;
  if (!c.FindAs(key, &h, &obj)) return;
  const std::string* stored = h == nullptr ? nullptr : h->Find(c.arg(2));
  int64_t value;
  if (!c.AddToStoredInt(stored, incr, "ERR hash value is not an integer", &value)) return;
  // hashTypeSet: the field's and the new value's lengths count.
  std::string text = FormatInt64(value);
  const bool long_arg = LongerThanListpackValue(c, c.arg(2)) || LongerThanListpackValue(c, text);
  if (h == nullptr) {
    HashConvertIfNeeded(c, c.ks.Store(c.db, key, Object(Hash{{c.arg(2), std::move(text)}}), false),
                        long_arg);
  } else {
    h->Set(c.arg(2), std::move(text));
    HashConvertIfNeeded(c, *obj, long_arg);
    c.ks.Touched(c.db, key);
  }
  c.reply.Integer(value);
  c.Notify(kNotifyHash, "hincrby", key);
  c.Dirty();
}

// HINCRBYFLOAT key field increment: long double arithmetic; the reply (a bulk
// string in both protocols) and the stored value are the "human" text.
void CmdHincrbyfloat(CommandContext& c) {
  auto incr = ParseLongDouble(c.arg(3));
  if (!incr) {
    c.reply.Error(kErrNotFloat);
    return;
  }
  if (std::isinf(*incr)) {  // NaN never parses
    c.reply.Error("ERR value is NaN or Infinity");
    return;
  }
  const std::string& key = c.arg(1);
  Hash* h;
  Object* obj;
  if (!c.FindAs(key, &h, &obj)) return;
  long double value = 0;
  if (h != nullptr) {
    if (const std::string* stored = h->Find(c.arg(2))) {
      auto v = ParseLongDouble(*stored);
      if (!v) {
        c.reply.Error("ERR hash value is not a float");
        return;
      }
      value = *v;
    }
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    c.reply.Error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = FormatLongDoubleHuman(value);
  c.reply.Bulk(text);
  c.PropagateAs({"HSET", key, c.arg(2), text});  // always as HSET with the new value
  // hashTypeSet: the field's and the new value's lengths count.
  const bool long_arg = LongerThanListpackValue(c, c.arg(2)) || LongerThanListpackValue(c, text);
  if (h == nullptr) {
    HashConvertIfNeeded(c, c.ks.Store(c.db, key, Object(Hash{{c.arg(2), std::move(text)}}), false),
                        long_arg);
  } else {
    h->Set(c.arg(2), std::move(text));
    HashConvertIfNeeded(c, *obj, long_arg);
    c.ks.Touched(c.db, key);
  }
  c.Notify(kNotifyHash, "hincrbyfloat", key);
  c.Dirty();
}

constexpr std::array<CommandSpec, 14> kCommands = {{
    {"hset", -4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHset},
    {"hsetnx", 4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHsetnx},
    {"hget", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHget},
    {"hmget", -3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHmget},
    {"hmset", -4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHmset},
    {"hdel", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdHdel},
    {"hexists", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHexists},
    {"hlen", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHlen},
    {"hkeys", 2, kCmdReadonly, 1, 1, 1, CmdHkeys},
    {"hvals", 2, kCmdReadonly, 1, 1, 1, CmdHvals},
    {"hgetall", 2, kCmdReadonly, 1, 1, 1, CmdHgetall},
    {"hincrby", 4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHincrby},
    {"hincrbyfloat", 4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHincrbyfloat},
    {"hstrlen", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHstrlen},
}};

}  // namespace

std::span<const CommandSpec> HashCommands() { return kCommands; }

}  // namespace respfuzz::engine
