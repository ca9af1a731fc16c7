// Set commands: SADD SREM SISMEMBER SMISMEMBER SMEMBERS SCARD SMOVE SINTER
// SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SINTERCARD, as Redis 7.0.
//
// Replies of SMEMBERS/SINTER/SUNION/SDIFF list members in hash order, as
// Redis does (it does not order them either); everything else, including
// which elements a command touches, is independent of that order.
#include <algorithm>
#include <array>
#include <limits>
#include <vector>

#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

// The intset -> hashtable conversion (never back) of Redis 7.0.15's
// setTypeAdd, after members were added to a set that starts as an intset
// (setTypeCreate, createIntsetObject): a member that is no integer converts
// it, and so does a new member that takes it past set-max-intset-entries
// (capped at 2^30). `non_int`: some member added was no integer; `added`:
// some member was new.
void SetConvertIfNeeded(CommandContext& c, Object& o, bool non_int, bool added) {
  if (o.hashtable()) return;
  const int64_t max = std::min<int64_t>(c.engine.limits().set_max_intset_entries, int64_t{1} << 30);
  if (non_int || (added && static_cast<int64_t>(As<Set>(o).size()) > max)) o.set_hashtable(true);
}

void CmdSadd(CommandContext& c) {
  const std::string& key = c.arg(1);
  Set* set = nullptr;
  Object* obj;
  if (!c.FindAs(key, &set, &obj)) return;
  bool non_int = false;
  for (size_t i = 2; i < c.argc() && !non_int; ++i) non_int = !IsIntsetMember(c.arg(i));
  int64_t added = 0;
  if (set == nullptr) {
    Set fresh;
    for (size_t i = 2; i < c.argc(); ++i) added += fresh.insert(c.arg(i)).second ? 1 : 0;
    SetConvertIfNeeded(c, c.ks.Store(c.db, key, Object(std::move(fresh)), /*keep_ttl=*/false),
                       non_int, true);
  } else {
    for (size_t i = 2; i < c.argc(); ++i) added += set->insert(c.arg(i)).second ? 1 : 0;
    SetConvertIfNeeded(c, *obj, non_int, added > 0);
    // Redis signals the key only when a member was really added.
    if (added > 0) c.ks.Touched(c.db, key);
  }
  if (added > 0) c.Notify(kNotifySet, "sadd", key);
  c.Dirty(added);
  c.reply.Integer(added);
}

void CmdSrem(CommandContext& c) {
  const std::string& key = c.arg(1);
  Set* set = nullptr;
  if (!c.FindAs(key, &set)) return;
  int64_t removed = 0;
  if (set != nullptr) {
    for (size_t i = 2; i < c.argc() && !set->empty(); ++i) removed += set->erase(c.arg(i));
    if (removed > 0) c.TouchedNotify(kNotifySet, "srem", key);
    c.Dirty(removed);
  }
  c.reply.Integer(removed);
}

void CmdSismember(CommandContext& c) {
  Set* set = nullptr;
  if (!c.FindAs(c.arg(1), &set)) return;
  c.reply.Integer(set != nullptr && set->contains(c.arg(2)) ? 1 : 0);
}

void CmdSmismember(CommandContext& c) {
  Set* set = nullptr;
  if (!c.FindAs(c.arg(1), &set)) return;
  c.reply.ArrayHeader(static_cast<int64_t>(c.argc() - 2));
  for (size_t i = 2; i < c.argc(); ++i) {
    c.reply.Integer(set != nullptr && set->contains(c.arg(i)) ? 1 : 0);
  }
}

void CmdScard(CommandContext& c) {
  Set* set = nullptr;
  if (!c.FindAs(c.arg(1), &set)) return;
  c.reply.Integer(set == nullptr ? 0 : static_cast<int64_t>(set->size()));
}

void CmdSmove(CommandContext& c) {
  const std::string& src_key = c.arg(1);
  const std::string& dst_key = c.arg(2);
  const std::string& member = c.arg(3);
  // Both keys are looked up (and lazily expired) first, as Redis does.
  Object* src_obj = c.Find(src_key);
  Object* dst_obj = c.Find(dst_key);
  if (src_obj == nullptr) {  // a missing source wins over a wrong-typed destination
    c.reply.Integer(0);
    return;
  }
  if (!Is<Set>(*src_obj) || (dst_obj != nullptr && !Is<Set>(*dst_obj))) {
    c.reply.Error(kErrWrongType);
    return;
  }
  Set& src = As<Set>(*src_obj);
  if (src_obj == dst_obj) {  // same key: a no-op that only reports membership
    c.reply.Integer(src.contains(member) ? 1 : 0);
    return;
  }
  if (src.erase(member) == 0) {
    c.reply.Integer(0);
    return;
  }
  // Db is a node map: dst_obj stays valid when the emptied source is deleted.
  // smoveCommand: "srem" (and "del"), the destination's dbAdd ("new"),
  // then the source's signal.
  c.Notify(kNotifySet, "srem", src_key);
  if (src.empty()) c.Notify(kNotifyGeneric, "del", src_key);
  if (dst_obj == nullptr) c.engine.AnnounceNew(c.db, dst_key);
  c.ks.TouchedMaybeEmpty(c.db, src_key);
  c.Dirty();
  bool added = true;
  if (dst_obj == nullptr) {
    Set fresh;
    fresh.insert(member);
    SetConvertIfNeeded(c, c.ks.Store(c.db, dst_key, Object(std::move(fresh)), /*keep_ttl=*/false),
                       !IsIntsetMember(member), true);
    c.engine.EndAnnounce();
  } else if (As<Set>(*dst_obj).insert(member).second) {
    SetConvertIfNeeded(c, *dst_obj, !IsIntsetMember(member), true);
    c.ks.Touched(c.db, dst_key);
  } else {
    added = false;
  }
  if (added) {
    c.Notify(kNotifySet, "sadd", dst_key);
    c.Dirty();
  }
  c.reply.Integer(1);
}

// Looks up the sets named by argv[first..last): every key is type-checked
// (even after a missing one) before anything else. nullptr for a missing key.
// Replies WRONGTYPE and returns false on the first key of another type.
bool LookupSets(CommandContext& c, size_t first, size_t last, std::vector<const Set*>* sets) {
  sets->clear();
  sets->reserve(last - first);
  for (size_t i = first; i < last; ++i) {
    Set* s = nullptr;
    if (!c.FindAs(c.arg(i), &s)) return false;
    sets->push_back(s);
  }
  return true;
}

// The intersection as pointers into the smallest set, up to `limit` members
// (0: all). Empty when any set is missing.
std::vector<const std::string*> Intersect(std::vector<const Set*> sets, size_t limit) {
  std::vector<const std::string*> out;
  if (sets.empty()) return out;
  for (const Set* s : sets) {
    if (s == nullptr) return out;
  }
  std::sort(sets.begin(), sets.end(),
            [](const Set* a, const Set* b) { return a->size() < b->size(); });
  for (const std::string& m : *sets[0]) {
    bool everywhere = true;
    for (size_t j = 1; j < sets.size() && everywhere; ++j) {
      if (sets[j] != sets[0]) everywhere = sets[j]->contains(m);
    }
    if (!everywhere) continue;
    out.push_back(&m);
    if (limit != 0 && out.size() >= limit) break;
  }
  return out;
}

void ReplySetMembers(CommandContext& c, const std::vector<const std::string*>& members) {
  c.reply.SetHeader(static_cast<int64_t>(members.size()));
  for (const std::string* m : members) c.reply.Bulk(*m);
}

// Replaces dst with `result`, or deletes it when `result` is empty; replies
// the result's size; then notifies `event` (or "del").
// `missing_source`: SINTERSTORE named a missing key, where Redis deletes
// the destination before it replies.
void StoreSetResult(CommandContext& c, const std::string& dst, Set result, std::string_view event,
                    bool missing_source = false) {
  const int64_t n = static_cast<int64_t>(result.size());
  if (n > 0) {
    // Built as a new intset, member by member (createIntsetObject).
    bool non_int = false;
    for (const std::string& m : result) {
      if (!IsIntsetMember(m)) {
        non_int = true;
        break;
      }
    }
    SetConvertIfNeeded(c, c.ks.SetKey(c.db, dst, Object(std::move(result))), non_int, true);
    c.reply.Integer(n);
    c.Notify(kNotifySet, event, dst);
    c.Dirty();
  } else {
    if (!missing_source) c.reply.Integer(n);
    if (c.ks.Delete(c.db, dst)) {  // raises an event only when dst existed
      c.Notify(kNotifyGeneric, "del", dst);
      c.Dirty();
    }
    if (missing_source) c.reply.Integer(n);
  }
}

void CmdSinter(CommandContext& c) {
  std::vector<const Set*> sets;
  if (!LookupSets(c, 1, c.argc(), &sets)) return;
  ReplySetMembers(c, Intersect(std::move(sets), 0));
}

// SMEMBERS is SINTER of one key in Redis 7.0 (an empty set when missing).
void CmdSmembers(CommandContext& c) { CmdSinter(c); }

void CmdSinterstore(CommandContext& c) {
  std::vector<const Set*> sets;
  if (!LookupSets(c, 2, c.argc(), &sets)) return;
  const bool missing = std::find(sets.begin(), sets.end(), nullptr) != sets.end();
  Set result;
  for (const std::string* m : Intersect(std::move(sets), 0)) result.insert(*m);
  StoreSetResult(c, c.arg(1), std::move(result), "sinterstore", missing);
}

enum class SetOp { kUnion, kDiff };

Set UnionOrDiff(const std::vector<const Set*>& sets, SetOp op) {
  Set result;
  if (op == SetOp::kUnion) {
    for (const Set* s : sets) {
      if (s != nullptr) result.insert(s->begin(), s->end());
    }
    return result;
  }
  const Set* first = sets[0];
  if (first == nullptr) return result;
  for (const std::string& m : *first) {
    bool elsewhere = false;
    for (size_t j = 1; j < sets.size() && !elsewhere; ++j) {
      elsewhere = sets[j] != nullptr && sets[j]->contains(m);
    }
    if (!elsewhere) result.insert(m);
  }
  return result;
}

void UnionDiffCommand(CommandContext& c, SetOp op) {
  std::vector<const Set*> sets;
  if (!LookupSets(c, 1, c.argc(), &sets)) return;
  const Set result = UnionOrDiff(sets, op);
  c.reply.SetHeader(static_cast<int64_t>(result.size()));
  for (const std::string& m : result) c.reply.Bulk(m);
}

void UnionDiffStoreCommand(CommandContext& c, SetOp op) {
  std::vector<const Set*> sets;
  if (!LookupSets(c, 2, c.argc(), &sets)) return;
  StoreSetResult(c, c.arg(1), UnionOrDiff(sets, op),
                 op == SetOp::kUnion ? "sunionstore" : "sdiffstore");
}

void CmdSunion(CommandContext& c) { UnionDiffCommand(c, SetOp::kUnion); }
void CmdSdiff(CommandContext& c) { UnionDiffCommand(c, SetOp::kDiff); }
void CmdSunionstore(CommandContext& c) { UnionDiffStoreCommand(c, SetOp::kUnion); }
void CmdSdiffstore(CommandContext& c) { UnionDiffStoreCommand(c, SetOp::kDiff); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdSintercard(CommandContext& c) {
  int64_t numkeys;
  if (!c.RangeArg(1, 1, std::numeric_limits<int64_t>::max(), &numkeys,
                  "ERR numkeys should be greater than 0")) {
    return;
  }
  if (numkeys > static_cast<int64_t>(c.argc()) - 2) {
    c.reply.Error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const size_t keys_end = 2 + static_cast<size_t>(numkeys);
  int64_t limit = 0;
  for (size_t j = keys_end; j < c.argc(); ++j) {
    if (c.ArgIs(j, "limit") && j + 1 < c.argc()) {
      if (!c.NonNegativeArg(++j, &limit, "ERR LIMIT can't be negative")) return;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  std::vector<const Set*> sets;
  if (!LookupSets(c, 2, keys_end, &sets)) return;
  c.reply.Integer(
      static_cast<int64_t>(Intersect(std::move(sets), static_cast<size_t>(limit)).size()));
}

constexpr std::array<CommandSpec, 14> kCommands = {{
    {"sadd", -3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdSadd},
    {"srem", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdSrem},
    {"sismember", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdSismember},
    {"smismember", -3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdSmismember},
    {"smembers", 2, kCmdReadonly, 1, 1, 1, CmdSmembers},
    {"scard", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdScard},
    {"smove", 4, kCmdWrite | kCmdFast, 1, 2, 1, CmdSmove},
    {"sinter", -2, kCmdReadonly, 1, -1, 1, CmdSinter},
    {"sunion", -2, kCmdReadonly, 1, -1, 1, CmdSunion},
    {"sdiff", -2, kCmdReadonly, 1, -1, 1, CmdSdiff},
    {"sinterstore", -3, kCmdWrite | kCmdDenyOom, 1, -1, 1, CmdSinterstore},
    {"sunionstore", -3, kCmdWrite | kCmdDenyOom, 1, -1, 1, CmdSunionstore},
    {"sdiffstore", -3, kCmdWrite | kCmdDenyOom, 1, -1, 1, CmdSdiffstore},
    {"sintercard", -3, kCmdReadonly | kCmdMovableKeys, 0, 0, 0, CmdSintercard},
}};

}  // namespace

std::span<const CommandSpec> SetCommands() { return kCommands; }

}  // namespace respfuzz::engine
