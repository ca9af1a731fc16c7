// Commands that choose at random, in the reference model: SRANDMEMBER SPOP
// ZRANDMEMBER HRANDFIELD RANDOMKEY (t_set.c, t_zset.c, t_hash.c, db.c).
//
// Arguments, errors and reply shapes are Redis 7.0.15's. The choices follow
// the rule docs/fidelity.md ("Random choices") sets for the engine, written
// here from that description:
//   - the candidates, in order: set members, hash fields and key names
//     sorted by their bytes, sorted-set members by (score, member);
//   - the random numbers: splitmix64 from the seed;
//   - one element: candidate number (r mod n);
//   - a negative count -m: m draws of (r mod n), repeats allowed;
//   - a count m >= n: every candidate, in order;
//   - a count m < n: the list 0..n-1 shuffled m steps (step i swaps entries i
//     and i + (r mod (n - i))), the first m entries.
// A negative count asking for more than max_random_repeats draws (100000 by
// default) on a non-empty key is "ERR value is out of range" (the engine's
// cap on a reply's size).
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

const int64_t kLongMax = INT64_MAX;

uint64_t Random(State& st) {
  st.random_state += 0x9e3779b97f4a7c15ULL;
  uint64_t z = st.random_state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Candidate numbers for `count` picks among n (n > 0).
std::vector<size_t> Pick(State& st, size_t n, int64_t count) {
  std::vector<size_t> out;
  if (count < 0) {
    for (int64_t i = 0; i < -count; i++) out.push_back(Random(st) % n);
    return out;
  }
  for (size_t i = 0; i < n; i++) out.push_back(i);
  if (static_cast<uint64_t>(count) >= n) return out;
  for (size_t i = 0; i < static_cast<size_t>(count); i++) {
    size_t j = i + Random(st) % (n - i);
    std::swap(out[i], out[j]);
  }
  out.resize(static_cast<size_t>(count));
  return out;
}

Value SRandMember(Ctx& c) {
  if (c.argc() > 3) return c.Syntax();
  bool has_count = c.argc() == 3;
  int64_t count = 0;
  Value err;
  if (has_count && !c.GetRangeLong(c.argv[2], -kLongMax, kLongMax, &count, &err)) return err;
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kSet) return c.WrongType();
  if (o == nullptr) return has_count ? c.Array() : c.Null();
  if (has_count && count == 0) return c.Array();
  if (count < -c.st.max_random_repeats) return c.Err("value is out of range");
  std::vector<std::string> members(o->set.begin(), o->set.end());  // already sorted
  if (!has_count) return c.Bulk(members[Random(c.st) % members.size()]);
  std::vector<Value> out;
  for (size_t i : Pick(c.st, members.size(), count)) out.push_back(c.Bulk(members[i]));
  return c.Array(std::move(out));
}

Value SPop(Ctx& c) {
  if (c.argc() > 3) return c.Syntax();
  bool has_count = c.argc() == 3;
  int64_t count = 1;
  Value err;
  if (has_count && !c.GetPositiveLong(c.argv[2], &count, &err)) return err;
  const std::string& key = c.argv[1];
  Object* o = LookupKey(c.st, c.db(), key);
  if (o != nullptr && o->kind != Kind::kSet) return c.WrongType();
  if (o == nullptr || (has_count && count == 0)) return has_count ? c.SetOf({}) : c.Null();
  std::vector<std::string> members(o->set.begin(), o->set.end());
  std::vector<std::string> popped;
  if (!has_count) {
    popped.push_back(members[Random(c.st) % members.size()]);
  } else {
    for (size_t i : Pick(c.st, members.size(), count)) popped.push_back(members[i]);
  }
  for (const std::string& m : popped) o->set.erase(m);
  c.Notify(kNotifySet, "spop", key);
  if (o->set.empty()) {
    DbDelete(c.st, c.db(), key);
    c.Notify(kNotifyGeneric, "del", key);
  }
  SignalModifiedKey(c.st, c.db(), key);
  if (!has_count) return c.Bulk(popped[0]);
  std::vector<Value> out;
  for (const std::string& m : popped) out.push_back(c.Bulk(m));
  return c.SetOf(std::move(out));
}

// The count arguments of ZRANDMEMBER and HRANDFIELD. Returns false with *err
// set on a bad argument.
bool RandCount(Ctx& c, const char* word, bool* has_count, int64_t* count, bool* with, Value* err) {
  *has_count = c.argc() >= 3;
  *with = false;
  if (!*has_count) return true;
  if (!c.GetRangeLong(c.argv[2], -kLongMax, kLongMax, count, err)) return false;
  if (c.argc() > 4 || (c.argc() == 4 && !EqualsIgnoreCase(c.argv[3], word))) {
    *err = c.Syntax();
    return false;
  }
  if (c.argc() == 4) {
    *with = true;
    if (*count < -kLongMax / 2 || *count > kLongMax / 2) {
      *err = c.Err("value is out of range");
      return false;
    }
  }
  return true;
}

// (name, value) pairs: flat in RESP2, [name, value] arrays in RESP3.
Value Pairs(Ctx& c, const std::vector<std::pair<Value, Value>>& picks, bool with) {
  std::vector<Value> out;
  for (const auto& [name, value] : picks) {
    if (with && c.resp3()) {
      out.push_back(c.Array({name, value}));
    } else {
      out.push_back(name);
      if (with) out.push_back(value);
    }
  }
  return c.Array(std::move(out));
}

Value ZRandMember(Ctx& c) {
  bool has_count = false, withscores = false;
  int64_t count = 0;
  Value err;
  if (!RandCount(c, "withscores", &has_count, &count, &withscores, &err)) return err;
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kZSet) return c.WrongType();
  if (o == nullptr) return has_count ? c.Array() : c.Null();
  if (has_count && count == 0) return c.Array();
  if (count < -c.st.max_random_repeats) return c.Err("value is out of range");
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [member, score] : o->zset) ranked.emplace_back(score, member);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second < b.second;
  });
  if (!has_count) return c.Bulk(ranked[Random(c.st) % ranked.size()].second);
  std::vector<std::pair<Value, Value>> picks;
  for (size_t i : Pick(c.st, ranked.size(), count)) {
    picks.emplace_back(c.Bulk(ranked[i].second), c.Double(ranked[i].first));
  }
  return Pairs(c, picks, withscores);
}

Value HRandField(Ctx& c) {
  bool has_count = false, withvalues = false;
  int64_t count = 0;
  Value err;
  if (!RandCount(c, "withvalues", &has_count, &count, &withvalues, &err)) return err;
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kHash) return c.WrongType();
  if (o == nullptr) return has_count ? c.Array() : c.Null();
  if (has_count && count == 0) return c.Array();
  if (count < -c.st.max_random_repeats) return c.Err("value is out of range");
  std::vector<std::pair<std::string, std::string>> fields(o->hash.begin(), o->hash.end());
  // hrandfieldWithCountCommand, case 2: a count covering the hash returns it
  // whole in its iteration order, a listpack's insertion order.
  if (has_count && count > 0 && static_cast<uint64_t>(count) >= fields.size() &&
      !o->hash_hashtable) {
    fields.clear();
    for (const std::string& f : o->hash_order) fields.emplace_back(f, o->hash.at(f));
  }
  if (!has_count) return c.Bulk(fields[Random(c.st) % fields.size()].first);
  std::vector<std::pair<Value, Value>> picks;
  for (size_t i : Pick(c.st, fields.size(), count)) {
    picks.emplace_back(c.Bulk(fields[i].first), c.Bulk(fields[i].second));
  }
  return Pairs(c, picks, withvalues);
}

// dbRandomKey: an expired pick is deleted and the draw repeated.
Value RandomKey(Ctx& c) {
  Db& db = c.st.dbs[c.db()];
  // While CLIENT PAUSE keeps expired keys stored, a db of volatile keys all
  // expired: the 100th draw is answered (redis PR 13863; 7.0.15 draws
  // forever, redis issue 13862, the engine's and model's documented
  // difference).
  const bool all_volatile = db.dict.size() == db.expires.size();
  int tries = 100;
  while (!db.dict.empty()) {
    std::vector<std::string> keys;
    for (const auto& [key, obj] : db.dict) keys.push_back(key);
    std::string key = keys[Random(c.st) % keys.size()];
    if (all_volatile && ExpirePaused(c.st) && --tries == 0) return c.Bulk(key);
    if (ExpireIfNeeded(c.st, c.db(), key)) continue;
    return c.Bulk(key);
  }
  return c.Null();
}

}  // namespace

std::vector<CommandSpec> RandomCommands() {
  return {
      {"srandmember", -2, SRandMember}, {"spop", -2, SPop},
      {"zrandmember", -2, ZRandMember}, {"hrandfield", -2, HRandField},
      {"randomkey", 1, RandomKey},
  };
}

}  // namespace respfuzz::models::refmodel
