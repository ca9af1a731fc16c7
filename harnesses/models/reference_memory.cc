// Memory accounting and eviction in the reference model: MEMORY USAGE /
// PURGE / HELP (object.c's memoryCommand), used_memory by the estimate that
// docs/fidelity.md ("Memory accounting") states as a formula, and
// processCommand's maxmemory step (evict.c's performEvictions, the OOM
// rejection). Written from that formula and Redis 7.0.15's behaviour, apart
// from the engine's src/engine/memory.cc and evict.cc.
#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

// The formula's parts (docs/fidelity.md): a string's heap bytes beyond the
// 15 a std::string holds inline; the per-key and per-element constants.
uint64_t HeapBytes(const std::string& s) { return s.size() > 15 ? s.size() + 1 : 0; }

const uint64_t kKeyBytes = 81;
const uint64_t kBaseline = 1048576;  // 1 MiB

// The commands flagged denyoom in redis-server 7.0.15's COMMAND INFO.
bool IsDenyOom(const std::string& name) {
  static const char* const kNames[] = {
      "append",
      "bitfield",
      "bitop",
      "blmove",
      "brpoplpush",
      "copy",
      "decr",
      "decrby",
      "geoadd",
      "georadius",
      "georadiusbymember",
      "geosearchstore",
      "getset",
      "hincrby",
      "hincrbyfloat",
      "hmset",
      "hset",
      "hsetnx",
      "incr",
      "incrby",
      "incrbyfloat",
      "linsert",
      "lmove",
      "lpush",
      "lpushx",
      "lset",
      "mset",
      "msetnx",
      "pfadd",
      "pfdebug",
      "pfmerge",
      "psetex",
      "restore",
      "restore-asking",
      "rpoplpush",
      "rpush",
      "rpushx",
      "sadd",
      "sdiffstore",
      "set",
      "setbit",
      "setex",
      "setnx",
      "setrange",
      "sinterstore",
      "sort",
      "sunionstore",
      "xadd",
      "xsetid",
      "zadd",
      "zdiffstore",
      "zincrby",
      "zinterstore",
      "zrangestore",
      "zunionstore",
  };
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

// splitmix64 (the same generator as reference_random.cc's) on a state of its
// own: LFULogIncr's draws.
uint64_t LfuRandom(State& st) {
  st.lfu_random_state += 0x9e3779b97f4a7c15ULL;
  uint64_t z = st.lfu_random_state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t LfuMinutesNow(const State& st) { return (st.now / 1000 / 60) & 65535; }

}  // namespace

uint64_t ModelRandom(State& st) {
  st.random_state += 0x9e3779b97f4a7c15ULL;  // reference_random.cc's generator, same stream
  uint64_t z = st.random_state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool LfuPolicy(const State& st) {
  return st.config.maxmemory_policy == 1 || st.config.maxmemory_policy == 5;
}

int64_t LfuCounter(const State& st, const Object& o) {
  int64_t ldt = o.lru >> 8;
  int64_t counter = o.lru & 255;
  int64_t now = LfuMinutesNow(st);
  int64_t elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  return elapsed > counter ? 0 : counter - elapsed;
}

int64_t NewLru(const State& st) {
  if (LfuPolicy(st)) return (LfuMinutesNow(st) << 8) | 5;
  return LruClock(st);
}

void TouchLru(State& st, Object& o) {
  if (!LfuPolicy(st)) {
    o.lru = LruClock(st);
    return;
  }
  int64_t counter = LfuCounter(st, o);
  if (counter < 255) {
    double r = static_cast<double>(LfuRandom(st) >> 11) / 9007199254740992.0;  // / 2^53
    double baseval = counter > 5 ? static_cast<double>(counter - 5) : 0.0;
    double p = 1.0 / (baseval * 10 + 1);
    if (r < p) counter++;
  }
  o.lru = (LfuMinutesNow(st) << 8) | counter;
}

uint64_t KeyUsage(const std::string& key, const Object& o) {
  uint64_t n = kKeyBytes + key.size();
  switch (o.kind) {
    case Kind::kString:
      n += HeapBytes(o.str);
      break;
    case Kind::kList:
      n += 80;
      for (const std::string& e : o.list) n += 32 + HeapBytes(e);
      break;
    case Kind::kHash:
      for (const auto& [f, v] : o.hash) n += 65 + HeapBytes(f) + HeapBytes(v);
      break;
    case Kind::kSet:
      for (const std::string& m : o.set) n += 33 + HeapBytes(m);
      break;
    case Kind::kZSet:
      n += 88;
      for (const auto& [m, score] : o.zset) n += 113 + 2 * HeapBytes(m);
      break;
    case Kind::kStream:
      n += 160;
      for (const auto& [id, fields_values] : o.stream.entries) {
        n += 64;
        for (const std::string& f : fields_values) n += 32 + HeapBytes(f);
      }
      for (const auto& [name, group] : o.stream.groups) {
        n += 96 + HeapBytes(name) + 80 * group.pel.size();
        for (const auto& [consumer_name, consumer] : group.consumers) {
          n += 80 + HeapBytes(consumer_name) + 48 * consumer.pel.size();
        }
      }
      break;
  }
  return n;
}

uint64_t UsedMemory(const State& st) {
  uint64_t n = kBaseline;
  for (const Db& db : st.dbs) {
    for (const auto& [key, o] : db.dict) n += KeyUsage(key, o);
  }
  return n;
}

// performEvictions over the model's keyspace: while used_memory is above
// maxmemory, the policy's key goes (every key of every db is a candidate;
// the best by the policy, the first in (db, key) order among equals; the
// random policies draw with the commands' random source). False when it
// could not get under the limit.
bool PerformEvictions(State& st) {
  const uint64_t maxmemory = static_cast<uint64_t>(st.config.maxmemory);
  if (maxmemory == 0) return true;
  uint64_t used = UsedMemory(st);
  if (used <= maxmemory) return true;
  const int64_t policy = st.config.maxmemory_policy;
  if (policy == 7) return false;  // noeviction
  const bool volatile_only = policy <= 3;
  const uint64_t to_free = used - maxmemory;
  uint64_t freed = 0;
  bool evicted_any = false;
  while (freed < to_free) {
    std::vector<std::pair<int, std::string>> keys;
    for (int db = 0; db < kNumDbs; db++) {
      if (volatile_only) {
        for (const auto& [key, when] : st.dbs[db].expires) keys.push_back({db, key});
      } else {
        for (const auto& [key, o] : st.dbs[db].dict) keys.push_back({db, key});
      }
    }
    if (keys.empty()) break;
    size_t pick = 0;
    if (policy == 2 || policy == 6) {
      pick = static_cast<size_t>(ModelRandom(st) % keys.size());
    } else {
      // Redis's "idle" score: evict the highest.
      auto score = [&](const std::pair<int, std::string>& k) -> uint64_t {
        const Object& o = st.dbs[k.first].dict.at(k.second);
        if (policy == 3)
          return ULLONG_MAX - static_cast<uint64_t>(st.dbs[k.first].expires.at(k.second));
        if (policy == 1 || policy == 5) return static_cast<uint64_t>(255 - LfuCounter(st, o));
        int64_t clock = LruClock(st);
        int64_t max = (1 << 24) - 1;
        return static_cast<uint64_t>(clock >= o.lru ? clock - o.lru : clock + (max - o.lru));
      };
      uint64_t best = score(keys[0]);
      for (size_t i = 1; i < keys.size(); i++) {
        uint64_t v = score(keys[i]);
        if (v > best) {
          best = v;
          pick = i;
        }
      }
    }
    const auto [db, key] = keys[pick];
    freed += KeyUsage(key, st.dbs[db].dict.at(key));
    DbDelete(st, db, key);
    SignalModifiedKey(st, db, key, /*by_client=*/false);
    st.evicted_keys++;
    NotifyKeyspaceEvent(st, kNotifyEvicted, "evicted", key, db);
    evicted_any = true;
  }
  if (evicted_any && st.hooks.after_evictions) st.hooks.after_evictions();
  return freed >= to_free;
}

bool IsDenyOomCommand(const std::string& name) { return IsDenyOom(name); }

std::string OomRejection(State& st, int session, const std::vector<std::string>& argv,
                         const std::string& name) {
  if (st.config.maxmemory == 0) return "";
  st.pre_command_oom = !PerformEvictions(st);
  if (!st.pre_command_oom) return "";
  const Session& s = st.sessions[session];
  bool reject = IsDenyOom(name) || ScriptDeniesOom(st, argv, name);
  if (name == "exec") {
    for (const std::vector<std::string>& q : s.queued) {
      if (IsDenyOom(Lowered(q[0])) || ScriptDeniesOom(st, q, Lowered(q[0]))) reject = true;
    }
  }
  if (s.multi && name != "exec" && name != "discard" && name != "reset") reject = true;
  (void)argv;
  return reject ? "-OOM command not allowed when used memory > 'maxmemory'." : "";
}

namespace {

// MEMORY USAGE key [SAMPLES count]: the options are read before the key is
// looked up (dictFind: no expiry, no touch).
Value MemoryUsage(Ctx& c) {
  for (size_t j = 3; j < c.argc(); j++) {
    if (EqualsIgnoreCase(c.argv[j], "samples") && j + 1 < c.argc()) {
      int64_t samples;
      Value err;
      if (!c.GetLongLong(c.argv[j + 1], &samples, &err)) return err;
      if (samples < 0) return c.Syntax();
      j++;
    } else {
      return c.Syntax();
    }
  }
  auto it = c.st.dbs[c.db()].dict.find(c.argv[2]);
  if (it == c.st.dbs[c.db()].dict.end()) return c.Null();
  return c.Int(static_cast<int64_t>(KeyUsage(it->first, it->second)));
}

Value MemoryPurge(Ctx& c) { return c.Ok(); }

Value MemoryHelp(Ctx& c) {
  std::vector<Value> out;
  for (const char* l : {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR",
                        "    Return memory problems reports.", "MALLOC-STATS",
                        "    Return internal statistics report from the memory allocator.", "PURGE",
                        "    Attempt to purge dirty pages for reclamation by the allocator.",
                        "STATS", "    Return information about the memory usage of the server.",
                        "USAGE <key> [SAMPLES <count>]",
                        "    Return memory in bytes used by <key> and its value. Nested values are",
                        "    sampled up to <count> times (default: 5, 0 means sample all).", "HELP",
                        "    Prints this help."}) {
    out.push_back(Value::Simple(l));
  }
  return c.Array(std::move(out));
}

}  // namespace

const std::map<std::string, CommandSpec>& MemorySubcommands() {
  static const std::map<std::string, CommandSpec> subs = {
      {"memory|usage", {"memory|usage", -3, MemoryUsage}},
      {"memory|purge", {"memory|purge", 2, MemoryPurge}},
      {"memory|help", {"memory|help", 2, MemoryHelp}},
  };
  return subs;
}

}  // namespace respfuzz::models::refmodel
