// Memory accounting and eviction in the reference model: MEMORY USAGE /
// STATS / DOCTOR / MALLOC-STATS / PURGE / HELP (object.c's memoryCommand), used_memory by the
// estimate that docs/fidelity.md ("Memory accounting") states as a formula, and processCommand's
// maxmemory step (evict.c's performEvictions, the OOM rejection). Written from that formula and
// Redis 7.0.15's behaviour, apart from the engine's src/engine/memory.cc and evict.cc.
#include <algorithm>
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

// The command lookupCommand finds for argv is flagged denyoom in
// redis-server 7.0.15's COMMAND INFO (a container's subcommand: XGROUP
// CREATE is, XGROUP HELP is not).
bool IsDenyOom(const std::vector<std::string>& argv) {
  int arity = 0;
  uint32_t flags = 0;
  return CommandInfoOf(argv, &arity, &flags) && (flags & kInfoDenyOom) != 0;
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
  // While CLIENT PAUSE lasts nothing is evicted, nor refused (EVICT_OK).
  if (ExpirePaused(st)) return true;
  uint64_t used = UsedMemory(st);
  st.peak_memory = std::max(st.peak_memory, used);
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

std::string OomRejection(State& st, int session, const std::vector<std::string>& argv,
                         const std::string& name) {
  if (st.config.maxmemory == 0) return "";
  st.pre_command_oom = !PerformEvictions(st);
  if (!st.pre_command_oom) return "";
  const Session& s = st.sessions[session];
  bool reject = IsDenyOom(argv) || ScriptDeniesOom(st, argv, name);
  if (name == "exec") {
    for (const std::vector<std::string>& q : s.queued) {
      if (IsDenyOom(q) || ScriptDeniesOom(st, q, Lowered(q[0]))) reject = true;
    }
  }
  if (s.multi && name != "exec" && name != "discard" && name != "reset") reject = true;
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

// What getMemoryOverheadData reports when the only memory counted is the
// 1 MiB baseline (startup) plus each key (docs/fidelity.md): the per-key
// constant is the main table's overhead of the key's db, nothing else is
// an overhead, and with no process to sample (a harness) the allocator's
// and the process's figures all equal used_memory. Ratios are C floats.
struct Figures {
  uint64_t used, peak, keys = 0, overhead = kBaseline;
  std::vector<std::pair<int, uint64_t>> per_db;  // db, its key count
};

Figures Measure(State& st) {
  Figures f;
  f.used = UsedMemory(st);
  st.peak_memory = std::max(st.peak_memory, f.used);
  f.peak = st.peak_memory;
  for (int db = 0; db < kNumDbs; db++) {
    const uint64_t n = st.dbs[db].dict.size();
    if (n > 0) f.per_db.push_back({db, n});
    f.keys += n;
    f.overhead += n * kKeyBytes;
  }
  return f;
}

Value MemoryStats(Ctx& c) {
  const Figures f = Measure(c.st);
  const uint64_t net = f.used > kBaseline ? f.used - kBaseline : 1;
  const int64_t dataset = static_cast<int64_t>(f.used) - static_cast<int64_t>(f.overhead);
  std::vector<Value> m;
  auto num = [&](const char* k, int64_t v) {
    m.push_back(c.Bulk(k));
    m.push_back(c.Int(v));
  };
  auto real = [&](const char* k, float v) {
    m.push_back(c.Bulk(k));
    m.push_back(c.Double(static_cast<double>(v)));
  };
  num("peak.allocated", static_cast<int64_t>(f.peak));
  num("total.allocated", static_cast<int64_t>(f.used));
  num("startup.allocated", static_cast<int64_t>(kBaseline));
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", 0);
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (const auto& [db, n] : f.per_db) {
    m.push_back(c.Bulk("db." + std::to_string(db)));
    m.push_back(
        c.Map({c.Bulk("overhead.hashtable.main"), c.Int(static_cast<int64_t>(n * kKeyBytes)),
               c.Bulk("overhead.hashtable.expires"), c.Int(0),
               c.Bulk("overhead.hashtable.slot-to-keys"), c.Int(0)}));
  }
  num("overhead.total", static_cast<int64_t>(f.overhead));
  num("keys.count", static_cast<int64_t>(f.keys));
  num("keys.bytes-per-key", f.keys > 0 ? static_cast<int64_t>(net / f.keys) : 0);
  num("dataset.bytes", dataset);
  real("dataset.percentage", (float)dataset * 100 / (float)net);
  real("peak.percentage", (float)f.used * 100 / (float)f.peak);
  num("allocator.allocated", static_cast<int64_t>(f.used));
  num("allocator.active", static_cast<int64_t>(f.used));
  num("allocator.resident", static_cast<int64_t>(f.used));
  real("allocator-fragmentation.ratio", 1.0f);
  num("allocator-fragmentation.bytes", 0);
  real("allocator-rss.ratio", 1.0f);
  num("allocator-rss.bytes", 0);
  real("rss-overhead.ratio", 1.0f);
  num("rss-overhead.bytes", 0);
  real("fragmentation", 1.0f);
  num("fragmentation.bytes", 0);
  return c.Map(std::move(m));
}

// getMemoryDoctorReport with the figures above: under 5 MiB the instance
// is "empty"; otherwise a peak over 1.5 times the current use and more than
// 1000 cached scripts are the reports that can fire (every fragmentation,
// RSS, client and replica figure is 1 or 0).
Value MemoryDoctor(Ctx& c) {
  const Figures f = Measure(c.st);
  std::string text;
  if (f.used < 5ull * 1024 * 1024) {
    text = std::string("Hi Sam, this instance is empty or is using very little memory, ") +
           "my issues detector can't be used in these conditions. " +
           "Please, leave for your mission on Earth and fill it with some data. " +
           "The new Sam and I will be back to our programming as soon as I " +
           "finished rebooting.\n";
  } else {
    const bool peak = ((float)f.peak / (float)f.used) > 1.5;
    const bool scripts = c.st.scripts.size() > 1000;
    if (!peak && !scripts) {
      text = std::string("Hi Sam, I can't find any memory issue in your instance. ") +
             "I can only account for what occurs on this base.\n";
    } else {
      text = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
      if (peak) {
        text += std::string(" * Peak memory: In the past this instance used more than 150% the ") +
                "memory that is currently using. The allocator is normally not able to release " +
                "memory after a peak, so you can expect to see a big fragmentation ratio, " +
                "however this is actually harmless and is only due to the memory peak, and if " +
                "the Redis instance Resident Set Size (RSS) is currently bigger than expected, " +
                "the memory will be used as soon as you fill the Redis instance with more data. " +
                "If the memory peak was only occasional and you want to try to reclaim memory, " +
                "please try the MEMORY PURGE command, otherwise the only other option is to " +
                "shutdown and restart the instance.\n\n";
      }
      if (scripts) {
        text += std::string(" * Many scripts: There seem to be many cached scripts in this ") +
                "instance (more than 1000). This may be because scripts are generated and " +
                "`EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed " +
                "and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' " +
                "caches may end up consuming most of your memory.\n\n";
      }
      text += "I'm here to keep you safe, Sam. I want to help you.\n";
    }
  }
  if (c.resp3()) return Value::Str(resp::Type::kVerbatim, "txt:" + text);
  return c.Bulk(text);
}

// A build without jemalloc.
Value MemoryMallocStats(Ctx& c) { return c.Bulk("Stats not supported for the current allocator"); }

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
      {"memory|stats", {"memory|stats", 2, MemoryStats}},
      {"memory|doctor", {"memory|doctor", 2, MemoryDoctor}},
      {"memory|malloc-stats", {"memory|malloc-stats", 2, MemoryMallocStats}},
      {"memory|help", {"memory|help", 2, MemoryHelp}},
  };
  return subs;
}

}  // namespace respfuzz::models::refmodel
