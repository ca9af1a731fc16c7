// Commands that choose at random: SRANDMEMBER SPOP ZRANDMEMBER HRANDFIELD
// RANDOMKEY, with Redis 7.0.15's arguments, errors, reply shapes and effects.
//
// The choices are the engine's own, documented so that the reference model
// makes the same ones (docs/fidelity.md, "Random choices"): the candidates in
// a canonical order (set members and hash fields bytewise, sorted-set members
// by rank, a db's stored keys bytewise), and Engine::NextRandom (splitmix64
// from EngineOptions::random_seed) drawing indexes:
//   one element:          index r % n;
//   -m (repeats allowed): m indexes, each r % n, in drawing order;
//   m < n distinct:       a partial Fisher-Yates shuffle of 0..n-1: for i in
//                         [0, m), swap a[i] with a[i + r % (n - i)]; the
//                         picks are a[0..m) in that order;
//   m >= n:               every element, in the canonical order.
// redis-server draws from its own random source, so the oracle compares what
// does not depend on the draw: counts, membership, distinctness, pairing.
//
// A negative count asks for that many elements with repeats; Redis builds
// such a reply whatever its size. Here a count beyond
// EngineOptions::max_random_repeats (on a non-empty key) is refused with "ERR
// value is out of range", so a reply is bounded.
#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();
constexpr std::string_view kErrOutOfRange = "ERR value is out of range";

// The indexes of `count` picks among n > 0 candidates: repeats (negative
// count), or distinct; a distinct count >= n is every index in order.
std::vector<size_t> Draw(Engine& e, size_t n, int64_t count) {
  std::vector<size_t> picks;
  if (count < 0) {
    const auto m = static_cast<size_t>(-count);
    picks.reserve(m);
    for (size_t i = 0; i < m; ++i) picks.push_back(static_cast<size_t>(e.NextRandom() % n));
    return picks;
  }
  picks.resize(n);
  std::iota(picks.begin(), picks.end(), size_t{0});
  if (static_cast<uint64_t>(count) >= n) return picks;
  const auto m = static_cast<size_t>(count);
  for (size_t i = 0; i < m; ++i) {
    const size_t j = i + static_cast<size_t>(e.NextRandom() % (n - i));
    std::swap(picks[i], picks[j]);
  }
  picks.resize(m);
  return picks;
}

// Set members or hash fields in bytewise order.
template <typename Container>
std::vector<const std::string*> SortedNames(const Container& c) {
  std::vector<const std::string*> v;
  v.reserve(c.size());
  for (const auto& e : c) {
    if constexpr (std::is_same_v<Container, Set>) {
      v.push_back(&e);
    } else {
      v.push_back(&e.first);
    }
  }
  std::sort(v.begin(), v.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  return v;
}

// SRANDMEMBER key [count]
void CmdSrandmember(CommandContext& c) {
  if (c.argc() > 3) {
    c.reply.Error(kErrSyntax);
    return;
  }
  int64_t count = 0;
  const bool with_count = c.argc() == 3;
  if (with_count && !c.RangeArg(2, -kLongMax, kLongMax, &count)) return;
  Set* set = nullptr;
  if (!c.FindAs(c.arg(1), &set)) return;
  if (set == nullptr || (with_count && count == 0)) {
    if (with_count) {
      c.reply.ArrayHeader(0);
    } else {
      c.reply.Null();
    }
    return;
  }
  if (count < -c.engine.options().max_random_repeats) {
    c.reply.Error(kErrOutOfRange);
    return;
  }
  const std::vector<const std::string*> members = SortedNames(*set);
  if (!with_count) {
    c.reply.Bulk(*members[c.engine.NextRandom() % members.size()]);
    return;
  }
  const std::vector<size_t> picks = Draw(c.engine, members.size(), count);
  c.reply.ArrayHeader(static_cast<int64_t>(picks.size()));
  for (size_t i : picks) c.reply.Bulk(*members[i]);
}

// SPOP key [count]
void CmdSpop(CommandContext& c) {
  if (c.argc() > 3) {
    c.reply.Error(kErrSyntax);
    return;
  }
  const bool with_count = c.argc() == 3;
  int64_t count = 1;
  if (with_count && !c.NonNegativeArg(2, &count)) return;
  const std::string& key = c.arg(1);
  Set* set = nullptr;
  if (!c.FindAs(key, &set)) return;
  if (set == nullptr || (with_count && count == 0)) {
    if (with_count) {
      c.reply.SetHeader(0);
    } else {
      c.reply.Null();
    }
    return;
  }
  const std::vector<const std::string*> members = SortedNames(*set);
  std::vector<std::string> popped;
  if (!with_count) {
    popped.push_back(*members[c.engine.NextRandom() % members.size()]);
  } else {
    for (size_t i : Draw(c.engine, members.size(), count)) popped.push_back(*members[i]);
  }
  c.Notify(kNotifySet, "spop", key);  // before the reply, as spopCommand
  c.Dirty(static_cast<int64_t>(popped.size()));
  // Propagated as SREM key member (one pop), DEL key (the whole set), or
  // else an SREM per member popped, the SPOP itself not.
  if (!with_count) {
    c.PropagateAs({"SREM", key, popped[0]});
  } else if (popped.size() == members.size()) {
    c.PropagateAs({"DEL", key});
  } else {
    for (const std::string& m : popped) c.AlsoPropagate({"SREM", key, m});
    c.PreventPropagation();
  }
  if (with_count) c.reply.SetHeader(static_cast<int64_t>(popped.size()));
  for (const std::string& m : popped) {
    c.reply.Bulk(m);
    set->erase(m);
  }
  if (set->empty()) c.Notify(kNotifyGeneric, "del", key);
  c.ks.TouchedMaybeEmpty(c.db, key);
}

// ZRANDMEMBER key [count [WITHSCORES]] and HRANDFIELD key [count
// [WITHVALUES]]: the same argument rules (zrandmemberCommand,
// hrandfieldCommand).
bool ParseRandCount(CommandContext& c, std::string_view with_word, bool* with_count, int64_t* count,
                    bool* with) {
  *with_count = c.argc() >= 3;
  *with = false;
  if (!*with_count) return true;
  if (!c.RangeArg(2, -kLongMax, kLongMax, count)) return false;
  if (c.argc() > 4 || (c.argc() == 4 && !c.ArgIs(3, with_word))) {
    c.reply.Error(kErrSyntax);
    return false;
  }
  if (c.argc() == 4) {
    *with = true;
    if (*count < -kLongMax / 2 || *count > kLongMax / 2) {
      c.reply.Error(kErrOutOfRange);
      return false;
    }
  }
  return true;
}

// Writes the picks: RESP2 flattens (name, value) pairs, RESP3 nests them.
template <typename Name, typename Value>
void ReplyPicks(CommandContext& c, const std::vector<size_t>& picks, bool with, Name&& name,
                Value&& value) {
  const auto n = static_cast<int64_t>(picks.size());
  c.reply.ArrayHeader(with && !c.reply.resp3() ? n * 2 : n);
  for (size_t i : picks) {
    if (with && c.reply.resp3()) c.reply.ArrayHeader(2);
    c.reply.Bulk(name(i));
    if (with) value(i);
  }
}

void CmdZrandmember(CommandContext& c) {
  bool with_count = false, withscores = false;
  int64_t count = 0;
  if (!ParseRandCount(c, "withscores", &with_count, &count, &withscores)) return;
  ZSet* z = nullptr;
  if (!c.FindAs(c.arg(1), &z)) return;
  if (z == nullptr || (with_count && count == 0)) {
    if (with_count) {
      c.reply.ArrayHeader(0);
    } else {
      c.reply.Null();
    }
    return;
  }
  if (count < -c.engine.options().max_random_repeats) {
    c.reply.Error(kErrOutOfRange);
    return;
  }
  if (!with_count) {
    c.reply.Bulk(z->index().AtRank(c.engine.NextRandom() % z->size())->second);
    return;
  }
  const std::vector<size_t> picks = Draw(c.engine, z->size(), count);
  ReplyPicks(
      c, picks, withscores, [&](size_t i) { return z->index().AtRank(i)->second; },
      [&](size_t i) { c.reply.Double(z->index().AtRank(i)->first); });
}

void CmdHrandfield(CommandContext& c) {
  bool with_count = false, withvalues = false;
  int64_t count = 0;
  if (!ParseRandCount(c, "withvalues", &with_count, &count, &withvalues)) return;
  Hash* h = nullptr;
  Object* obj = nullptr;
  if (!c.FindAs(c.arg(1), &h, &obj)) return;
  if (h == nullptr || (with_count && count == 0)) {
    if (with_count) {
      c.reply.ArrayHeader(0);
    } else {
      c.reply.Null();
    }
    return;
  }
  if (count < -c.engine.options().max_random_repeats) {
    c.reply.Error(kErrOutOfRange);
    return;
  }
  std::vector<const std::string*> fields = SortedNames(*h);
  // A count covering a listpack hash returns the whole hash in its order
  // (hrandfieldWithCountCommand's case 2 iterates the hash), insertion order.
  if (with_count && count > 0 && static_cast<uint64_t>(count) >= fields.size() &&
      !obj->hashtable()) {
    fields.clear();
    for (const Hash::Entry& e : *h) fields.push_back(&e.first);
  }
  if (!with_count) {
    c.reply.Bulk(*fields[c.engine.NextRandom() % fields.size()]);
    return;
  }
  const std::vector<size_t> picks = Draw(c.engine, fields.size(), count);
  ReplyPicks(
      c, picks, withvalues, [&](size_t i) { return std::string_view(*fields[i]); },
      [&](size_t i) { c.reply.Bulk(*h->Find(*fields[i])); });
}

// RANDOMKEY (dbRandomKey): a stored key at random; one found expired is
// deleted (lazy expiry) and another drawn, until a live one or none is left.
// While CLIENT PAUSE keeps expired keys stored, a db of volatile keys that
// have all expired would be drawn from forever, as 7.0.15 does (redis issue
// 13862; tests/findings/client_pause.sh): here, as redis PR 13863 made
// it, the 100th draw of a volatile key is answered even if it has expired.
void CmdRandomkey(CommandContext& c) {
  const bool all_volatile = c.ks.db(c.db).dict.size() == c.ks.db(c.db).expires.size();
  int tries = 100;
  while (true) {
    const auto& dict = c.ks.db(c.db).dict;
    if (dict.empty()) {
      c.reply.Null();
      return;
    }
    std::vector<std::string_view> keys;
    keys.reserve(dict.size());
    for (const auto& [k, v] : dict) keys.push_back(k);
    const size_t i = static_cast<size_t>(c.engine.NextRandom() % keys.size());
    std::nth_element(keys.begin(), keys.begin() + static_cast<ptrdiff_t>(i), keys.end());
    const std::string key(keys[i]);
    if (all_volatile && c.ks.expire_paused() && --tries == 0) {
      c.reply.Bulk(key);
      return;
    }
    if (c.ks.ExpireIfNeeded(c.db, key)) continue;
    c.reply.Bulk(key);
    return;
  }
}

constexpr std::array<CommandSpec, 5> kCommands = {{
    {"srandmember", -2, kCmdReadonly, 1, 1, 1, CmdSrandmember},
    {"spop", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdSpop},
    {"zrandmember", -2, kCmdReadonly, 1, 1, 1, CmdZrandmember},
    {"hrandfield", -2, kCmdReadonly, 1, 1, 1, CmdHrandfield},
    {"randomkey", 1, kCmdReadonly, 0, 0, 0, CmdRandomkey},
}};

}  // namespace

std::span<const CommandSpec> RandomCommands() { return kCommands; }

}  // namespace respfuzz::engine
