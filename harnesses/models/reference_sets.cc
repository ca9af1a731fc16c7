// Set commands of the reference model (t_set.c): SADD SREM SISMEMBER
// SMISMEMBER SMEMBERS SCARD SMOVE SINTER SUNION SDIFF SINTERSTORE SUNIONSTORE
// SDIFFSTORE SINTERCARD.
#include <climits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

Object* LookupSet(Ctx& c, const std::string& key, const Value& missing, Value* reply) {
  Object* o = LookupKey(c.st, c.db(), key);
  if (o == nullptr) {
    *reply = missing;
    return nullptr;
  }
  if (o->kind != Kind::kSet) {
    *reply = c.WrongType();
    return nullptr;
  }
  return o;
}

// setTypeAdd's encoding part, for a member just offered to the set (`added`:
// it was new): an intset takes integers only (isSdsRepresentableAsLongLong)
// and at most set-max-intset-entries of them (capped at 2^30).
void SetTypeAdded(Ctx& c, Object* o, const std::string& member, bool added) {
  if (o->set_hashtable) return;
  int64_t ll;
  if (!String2ll(member, &ll)) {
    o->set_hashtable = true;
    return;
  }
  int64_t max_entries = c.st.config.set_max_intset_entries;
  if (max_entries >= (int64_t{1} << 30)) max_entries = int64_t{1} << 30;
  if (added && static_cast<int64_t>(o->set.size()) > max_entries) o->set_hashtable = true;
}

Value SAdd(Ctx& c) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kSet) return c.WrongType();
  if (o == nullptr) {
    Object s;
    s.kind = Kind::kSet;
    o = &DbAdd(c.st, c.db(), c.argv[1], std::move(s));
  }
  int64_t added = 0;
  for (size_t j = 2; j < c.argc(); ++j) {
    const bool is_new = o->set.insert(c.argv[j]).second;
    if (is_new) added++;
    SetTypeAdded(c, o, c.argv[j], is_new);
  }
  if (added) {
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifySet, "sadd", c.argv[1]);
  }
  return c.Int(added);
}

Value SRem(Ctx& c) {
  Value reply;
  Object* o = LookupSet(c, c.argv[1], c.Int(0), &reply);
  if (o == nullptr) return reply;
  int64_t deleted = 0;
  bool keyremoved = false;
  for (size_t j = 2; j < c.argc(); ++j) {
    if (o->set.erase(c.argv[j])) {
      deleted++;
      if (o->set.empty()) {
        DbDelete(c.st, c.db(), c.argv[1]);
        keyremoved = true;
        break;
      }
    }
  }
  if (deleted) {
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifySet, "srem", c.argv[1]);
    if (keyremoved) c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  return c.Int(deleted);
}

// SMOVE looks both keys up first; a missing source answers 0 before any
// type check of the destination.
Value SMove(Ctx& c) {
  const std::string& src = c.argv[1];
  const std::string& dst = c.argv[2];
  const std::string& ele = c.argv[3];
  Object* srcset = LookupKey(c.st, c.db(), src);
  Object* dstset = LookupKey(c.st, c.db(), dst);
  if (srcset == nullptr) return c.Int(0);
  if (srcset->kind != Kind::kSet) return c.WrongType();
  if (dstset != nullptr && dstset->kind != Kind::kSet) return c.WrongType();
  if (srcset == dstset) return c.Int(srcset->set.count(ele) ? 1 : 0);
  if (srcset->set.erase(ele) == 0) return c.Int(0);
  c.Notify(kNotifySet, "srem", src);
  if (srcset->set.empty()) {
    DbDelete(c.st, c.db(), src);
    c.Notify(kNotifyGeneric, "del", src);
  }
  if (dstset == nullptr) {
    Object s;
    s.kind = Kind::kSet;
    dstset = &DbAdd(c.st, c.db(), dst, std::move(s));
  }
  SignalModifiedKey(c.st, c.db(), src);
  const bool is_new = dstset->set.insert(ele).second;
  SetTypeAdded(c, dstset, ele, is_new);
  if (is_new) {
    SignalModifiedKey(c.st, c.db(), dst);
    c.Notify(kNotifySet, "sadd", dst);
  }
  return c.Int(1);
}

Value SIsMember(Ctx& c) {
  Value reply;
  Object* o = LookupSet(c, c.argv[1], c.Int(0), &reply);
  if (o == nullptr) return reply;
  return c.Int(o->set.count(c.argv[2]) ? 1 : 0);
}

Value SMIsMember(Ctx& c) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kSet) return c.WrongType();
  std::vector<Value> out;
  for (size_t j = 2; j < c.argc(); ++j) {
    out.push_back(c.Int(o != nullptr && o->set.count(c.argv[j]) ? 1 : 0));
  }
  return c.Array(std::move(out));
}

Value SCard(Ctx& c) {
  Value reply;
  Object* o = LookupSet(c, c.argv[1], c.Int(0), &reply);
  if (o == nullptr) return reply;
  return c.Int(static_cast<int64_t>(o->set.size()));
}

std::vector<Value> Members(Ctx& c, const std::set<std::string>& s) {
  std::vector<Value> out;
  for (const std::string& m : s) out.push_back(c.Bulk(m));
  return out;
}

// Looks up every key in order (a missing key is an empty set), stopping at
// the first of another type. false with *reply = WRONGTYPE then.
bool LookupSets(Ctx& c, size_t first, size_t count, std::vector<const Object*>* sets,
                Value* reply) {
  for (size_t j = first; j < first + count; ++j) {
    Object* o = LookupKey(c.st, c.db(), c.argv[j]);
    if (o != nullptr && o->kind != Kind::kSet) {
      *reply = c.WrongType();
      return false;
    }
    sets->push_back(o);
  }
  return true;
}

// The store step of SINTERSTORE / SUNIONSTORE / SDIFFSTORE: a non-empty
// result replaces the destination (setKey); an empty one deletes it without
// a lookup.
Value StoreResult(Ctx& c, const std::string& dstkey, std::set<std::string> result) {
  if (!result.empty()) {
    int64_t n = static_cast<int64_t>(result.size());
    // Built as an intset (createIntsetObject), member by member.
    Object s;
    s.kind = Kind::kSet;
    for (const std::string& m : result) {
      s.set.insert(m);
      SetTypeAdded(c, &s, m, true);
    }
    SetKey(c.st, c.db(), dstkey, std::move(s), false, -1);
    c.Notify(kNotifySet, Lowered(c.argv[0]), dstkey);
    return c.Int(n);
  }
  if (DbDelete(c.st, c.db(), dstkey)) {
    SignalModifiedKey(c.st, c.db(), dstkey);
    c.Notify(kNotifyGeneric, "del", dstkey);
  }
  return c.Int(0);
}

// sinterGenericCommand. dstkey: nullptr unless SINTERSTORE. limit: 0 = none.
Value SInterGeneric(Ctx& c, size_t first, size_t count, const std::string* dstkey,
                    bool cardinality_only, int64_t limit) {
  std::vector<const Object*> sets;
  Value reply;
  if (!LookupSets(c, first, count, &sets, &reply)) return reply;
  std::set<std::string> result;
  bool empty = false;
  for (const Object* o : sets) {
    if (o == nullptr) empty = true;
  }
  if (!empty) {
    for (const std::string& m : sets[0]->set) {
      bool in_all = true;
      for (const Object* o : sets) {
        if (o->set.count(m) == 0) {
          in_all = false;
          break;
        }
      }
      if (in_all) result.insert(m);
    }
  }
  if (cardinality_only) {
    int64_t n = static_cast<int64_t>(result.size());
    if (limit && n > limit) n = limit;
    return c.Int(n);
  }
  if (dstkey != nullptr) return StoreResult(c, *dstkey, std::move(result));
  return c.SetOf(Members(c, result));
}

Value SInter(Ctx& c) { return SInterGeneric(c, 1, c.argc() - 1, nullptr, false, 0); }

Value SInterStore(Ctx& c) { return SInterGeneric(c, 2, c.argc() - 2, &c.argv[1], false, 0); }

Value SInterCard(Ctx& c) {
  int64_t numkeys = 0, limit = 0;
  Value reply;
  if (!c.GetRangeLong(c.argv[1], 1, LONG_MAX, &numkeys, &reply, "numkeys should be greater than 0"))
    return reply;
  if (numkeys > static_cast<int64_t>(c.argc()) - 2) {
    return c.Err("Number of keys can't be greater than number of args");
  }
  for (size_t j = 2 + static_cast<size_t>(numkeys); j < c.argc(); ++j) {
    size_t moreargs = (c.argc() - 1) - j;
    if (EqualsIgnoreCase(c.argv[j], "LIMIT") && moreargs) {
      j++;
      if (!c.GetPositiveLong(c.argv[j], &limit, &reply, "LIMIT can't be negative")) return reply;
    } else {
      return c.Syntax();
    }
  }
  return SInterGeneric(c, 2, static_cast<size_t>(numkeys), nullptr, true, limit);
}

// sunionDiffGenericCommand.
Value SUnionDiffGeneric(Ctx& c, size_t first, size_t count, const std::string* dstkey, bool diff) {
  std::vector<const Object*> sets;
  Value reply;
  if (!LookupSets(c, first, count, &sets, &reply)) return reply;
  std::set<std::string> result;
  if (!diff) {
    for (const Object* o : sets) {
      if (o != nullptr) result.insert(o->set.begin(), o->set.end());
    }
  } else if (sets[0] != nullptr) {
    for (const std::string& m : sets[0]->set) {
      bool elsewhere = false;
      for (size_t j = 1; j < sets.size(); ++j) {
        if (sets[j] != nullptr && sets[j]->set.count(m)) {
          elsewhere = true;
          break;
        }
      }
      if (!elsewhere) result.insert(m);
    }
  }
  if (dstkey != nullptr) return StoreResult(c, *dstkey, std::move(result));
  return c.SetOf(Members(c, result));
}

Value SUnion(Ctx& c) { return SUnionDiffGeneric(c, 1, c.argc() - 1, nullptr, false); }
Value SUnionStore(Ctx& c) { return SUnionDiffGeneric(c, 2, c.argc() - 2, &c.argv[1], false); }
Value SDiff(Ctx& c) { return SUnionDiffGeneric(c, 1, c.argc() - 1, nullptr, true); }
Value SDiffStore(Ctx& c) { return SUnionDiffGeneric(c, 2, c.argc() - 2, &c.argv[1], true); }

}  // namespace

std::vector<CommandSpec> SetCommands() {
  return {
      {"sadd", -3, SAdd},
      {"srem", -3, SRem},
      {"sismember", 3, SIsMember},
      {"smismember", -3, SMIsMember},
      {"smembers", 2, SInter},
      {"scard", 2, SCard},
      {"smove", 4, SMove},
      {"sinter", -2, SInter},
      {"sunion", -2, SUnion},
      {"sdiff", -2, SDiff},
      {"sinterstore", -3, SInterStore},
      {"sunionstore", -3, SUnionStore},
      {"sdiffstore", -3, SDiffStore},
      {"sintercard", -3, SInterCard},
  };
}

}  // namespace respfuzz::models::refmodel
