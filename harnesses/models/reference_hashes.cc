// Hash commands of the reference model (t_hash.c): HSET HSETNX HGET HMGET
// HMSET HDEL HEXISTS HLEN HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HSTRLEN.
#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

// hashTypeLookupWriteOrCreate: nullptr (and WRONGTYPE in *err) for another type.
Object* LookupWriteOrCreate(Ctx& c, Value* err) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr) {
    if (o->kind != Kind::kHash) {
      *err = c.WrongType();
      return nullptr;
    }
    return o;
  }
  Object h;
  h.kind = Kind::kHash;
  return &DbAdd(c.st, c.db(), c.argv[1], std::move(h));
}

// lookupKeyReadOrReply + checkType: nullptr with *reply set when done.
Object* LookupHash(Ctx& c, const Value& missing, Value* reply) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) {
    *reply = missing;
    return nullptr;
  }
  if (o->kind != Kind::kHash) {
    *reply = c.WrongType();
    return nullptr;
  }
  return o;
}

// hashTypeTryConversion: a listpack becomes a hashtable when one of
// argv[start..end] is longer than hash-max-listpack-value.
void HashTypeTryConversion(Ctx& c, Object* o, size_t start, size_t end) {
  if (o->hash_hashtable) return;
  for (size_t i = start; i <= end; i++) {
    if (static_cast<int64_t>(c.argv[i].size()) > c.st.config.hash_max_listpack_value) {
      o->hash_hashtable = true;
      return;
    }
  }
}

// hashTypeSet: the field/value length check before, the entries check after.
void HashTypeSet(Ctx& c, Object* o, const std::string& field, const std::string& value) {
  const Config& cfg = c.st.config;
  if (!o->hash_hashtable && (static_cast<int64_t>(field.size()) > cfg.hash_max_listpack_value ||
                             static_cast<int64_t>(value.size()) > cfg.hash_max_listpack_value)) {
    o->hash_hashtable = true;
  }
  if (o->hash.count(field) == 0) o->hash_order.push_back(field);
  o->hash[field] = value;
  if (!o->hash_hashtable && static_cast<int64_t>(o->hash.size()) > cfg.hash_max_listpack_entries) {
    o->hash_hashtable = true;
  }
}

// HSET and HMSET (one implementation in Redis; the reply follows the name).
Value HSet(Ctx& c) {
  if (c.argc() % 2 == 1) return c.ArityErr();
  Value err;
  Object* o = LookupWriteOrCreate(c, &err);
  if (o == nullptr) return err;
  HashTypeTryConversion(c, o, 2, c.argc() - 1);
  int64_t created = 0;
  for (size_t i = 2; i < c.argc(); i += 2) {
    if (o->hash.count(c.argv[i]) == 0) created++;
    HashTypeSet(c, o, c.argv[i], c.argv[i + 1]);
  }
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  c.Notify(kNotifyHash, "hset", c.argv[1]);
  const std::string& name = c.argv[0];
  if (name.size() > 1 && (name[1] == 's' || name[1] == 'S')) return c.Int(created);
  return c.Ok();
}

Value HSetNx(Ctx& c) {
  Value err;
  Object* o = LookupWriteOrCreate(c, &err);
  if (o == nullptr) return err;
  if (o->hash.count(c.argv[2])) return c.Int(0);
  HashTypeTryConversion(c, o, 2, 3);
  HashTypeSet(c, o, c.argv[2], c.argv[3]);
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  c.Notify(kNotifyHash, "hset", c.argv[1]);
  return c.Int(1);
}

Value HIncrBy(Ctx& c) {
  int64_t incr, value = 0;
  Value err;
  if (!c.GetLongLong(c.argv[3], &incr, &err)) return err;
  Object* o = LookupWriteOrCreate(c, &err);
  if (o == nullptr) return err;
  auto it = o->hash.find(c.argv[2]);
  if (it != o->hash.end()) {
    if (!String2ll(it->second, &value)) return c.Err("hash value is not an integer");
  }
  int64_t oldvalue = value;
  if ((incr < 0 && oldvalue < 0 && incr < (LLONG_MIN - oldvalue)) ||
      (incr > 0 && oldvalue > 0 && incr > (LLONG_MAX - oldvalue))) {
    return c.Err("increment or decrement would overflow");
  }
  value += incr;
  HashTypeSet(c, o, c.argv[2], std::to_string(value));
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  c.Notify(kNotifyHash, "hincrby", c.argv[1]);
  return c.Int(value);
}

Value HIncrByFloat(Ctx& c) {
  long double value = 0, incr;
  Value err;
  if (!c.GetLongDouble(c.argv[3], &incr, &err)) return err;
  if (std::isnan(incr) || std::isinf(incr)) return c.Err("value is NaN or Infinity");
  Object* o = LookupWriteOrCreate(c, &err);
  if (o == nullptr) return err;
  auto it = o->hash.find(c.argv[2]);
  if (it != o->hash.end()) {
    if (!String2ld(it->second, &value)) return c.Err("hash value is not a float");
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    return c.Err("increment would produce NaN or Infinity");
  }
  std::string text = FormatLongDoubleHuman(value);
  HashTypeSet(c, o, c.argv[2], text);
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  c.Notify(kNotifyHash, "hincrbyfloat", c.argv[1]);
  return c.Bulk(text);
}

Value HGet(Ctx& c) {
  Value reply;
  Object* o = LookupHash(c, c.Null(), &reply);
  if (o == nullptr) return reply;
  auto it = o->hash.find(c.argv[2]);
  if (it == o->hash.end()) return c.Null();
  return c.Bulk(it->second);
}

Value HMGet(Ctx& c) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kHash) return c.WrongType();
  std::vector<Value> out;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (o == nullptr) {
      out.push_back(c.Null());
      continue;
    }
    auto it = o->hash.find(c.argv[i]);
    out.push_back(it == o->hash.end() ? c.Null() : c.Bulk(it->second));
  }
  return c.Array(std::move(out));
}

Value HDel(Ctx& c) {
  Value reply;
  Object* o = LookupHash(c, c.Int(0), &reply);
  if (o == nullptr) return reply;
  int64_t deleted = 0;
  bool keyremoved = false;
  for (size_t j = 2; j < c.argc(); ++j) {
    if (o->hash.erase(c.argv[j])) {
      o->hash_order.erase(std::find(o->hash_order.begin(), o->hash_order.end(), c.argv[j]));
      deleted++;
      if (o->hash.empty()) {
        DbDelete(c.st, c.db(), c.argv[1]);
        keyremoved = true;
        break;
      }
    }
  }
  if (deleted) {
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyHash, "hdel", c.argv[1]);
    if (keyremoved) c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  return c.Int(deleted);
}

Value HLen(Ctx& c) {
  Value reply;
  Object* o = LookupHash(c, c.Int(0), &reply);
  if (o == nullptr) return reply;
  return c.Int(static_cast<int64_t>(o->hash.size()));
}

Value HStrLen(Ctx& c) {
  Value reply;
  Object* o = LookupHash(c, c.Int(0), &reply);
  if (o == nullptr) return reply;
  auto it = o->hash.find(c.argv[2]);
  return c.Int(it == o->hash.end() ? 0 : static_cast<int64_t>(it->second.size()));
}

Value HExists(Ctx& c) {
  Value reply;
  Object* o = LookupHash(c, c.Int(0), &reply);
  if (o == nullptr) return reply;
  return c.Int(o->hash.count(c.argv[2]) ? 1 : 0);
}

// genericHgetallCommand: HGETALL is a map (empty map for a missing key),
// HKEYS and HVALS are arrays, in the order the fields were added (a
// listpack's; the model keeps it for a hashtable too, as the engine does).
Value HKeys(Ctx& c) {
  Value reply;
  Object* o = LookupHash(c, c.Array(), &reply);
  if (o == nullptr) return reply;
  std::vector<Value> out;
  for (const std::string& field : o->hash_order) out.push_back(c.Bulk(field));
  return c.Array(std::move(out));
}

Value HVals(Ctx& c) {
  Value reply;
  Object* o = LookupHash(c, c.Array(), &reply);
  if (o == nullptr) return reply;
  std::vector<Value> out;
  for (const std::string& field : o->hash_order) out.push_back(c.Bulk(o->hash.at(field)));
  return c.Array(std::move(out));
}

Value HGetAll(Ctx& c) {
  Value reply;
  Object* o = LookupHash(c, c.Map({}), &reply);
  if (o == nullptr) return reply;
  std::vector<Value> out;
  for (const std::string& field : o->hash_order) {
    out.push_back(c.Bulk(field));
    out.push_back(c.Bulk(o->hash.at(field)));
  }
  return c.Map(std::move(out));
}

}  // namespace

std::vector<CommandSpec> HashCommands() {
  return {
      {"hset", -4, HSet},
      {"hsetnx", 4, HSetNx},
      {"hget", 3, HGet},
      {"hmget", -3, HMGet},
      {"hmset", -4, HSet},
      {"hdel", -3, HDel},
      {"hexists", 3, HExists},
      {"hlen", 2, HLen},
      {"hkeys", 2, HKeys},
      {"hvals", 2, HVals},
      {"hgetall", 2, HGetAll},
      {"hincrby", 4, HIncrBy},
      {"hincrbyfloat", 4, HIncrByFloat},
      {"hstrlen", 3, HStrLen},
  };
}

}  // namespace respfuzz::models::refmodel
