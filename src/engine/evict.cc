// Eviction (docs/fidelity.md, "Memory accounting"): maxmemory and
// maxmemory-policy as Redis 7.0.15's evict.c and processCommand use them,
// over the engine's own accounting (Engine::UsedMemory, memory.cc).
//
// Before every command, with maxmemory set, PerformEvictions deletes keys
// while used_memory is above maxmemory; a command flagged denyoom (or any
// command but EXEC / DISCARD / RESET queued inside MULTI, or an EXEC whose
// transaction holds a denyoom command) is then rejected with the OOM error
// if that failed. Which key goes is the policy's choice over every
// candidate key of every db (Redis samples maxmemory-samples keys per db
// into its eviction pool; the engine looks at all of them, so its choice is
// the best of Redis's possible choices):
//   *-lru     the key idle longest by the LRU clock (OBJECT IDLETIME)
//   *-lfu     the key with the smallest decayed LFU counter (OBJECT FREQ)
//   *-ttl     the key whose expire time is nearest
//   *-random  a key drawn with the engine's NextRandom from the candidates
//             in (db, key bytes) order
// ties going to the smallest (db, key bytes). allkeys-* choose among all
// keys, volatile-* among those with a TTL. An evicted key is deleted as by
// DEL (tracking invalidation, WATCH) and counted in INFO's evicted_keys; its
// invalidation reaches the session whose command caused the eviction before
// that command's reply (redis issue 9116).
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "src/engine/command_facts.h"
#include "src/engine/engine.h"
#include "src/engine/notify.h"

namespace respfuzz::engine {

namespace {

constexpr uint32_t kLfuInitVal = 5;       // LFU_INIT_VAL
constexpr double kLfuLogFactor = 10.0;    // lfu-log-factor's default
constexpr uint32_t kLfuDecayMinutes = 1;  // lfu-decay-time's default

// LFUTimeElapsed: minutes since `ldt`, on a 16-bit clock that wraps.
uint32_t LfuElapsed(uint32_t ldt, int64_t now_ms) {
  const uint32_t now = LfuMinutes(now_ms);
  if (now >= ldt) return now - ldt;
  return 65535 - ldt + now;
}

}  // namespace

uint32_t LfuMinutes(int64_t now_ms) { return static_cast<uint32_t>((now_ms / 1000 / 60) & 65535); }

int64_t LfuDecayedCounter(const Object& o, int64_t now_ms) {
  const uint32_t ldt = o.lru() >> 8;
  const uint32_t counter = o.lru() & 255;
  const uint32_t periods = LfuElapsed(ldt, now_ms) / kLfuDecayMinutes;
  return periods > counter ? 0 : counter - periods;
}

uint32_t Keyspace::NewAccessStamp() const {
  if (lfu()) return (LfuMinutes(now_ms()) << 8) | kLfuInitVal;
  return LruClock(now_ms());
}

void Keyspace::Touch(Object& o) {
  if (!lfu()) {
    o.set_lru(LruClock(now_ms()));
    return;
  }
  // updateLFU: decay, then LFULogIncr (a draw of the engine's random source
  // in [0, 1) against 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1)).
  uint32_t counter = static_cast<uint32_t>(LfuDecayedCounter(o, now_ms()));
  if (counter < 255) {
    const double r = static_cast<double>(lfu_random_() >> 11) * 0x1.0p-53;
    const double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
    if (r < 1.0 / (base * kLfuLogFactor + 1)) ++counter;
  }
  o.set_lru((LfuMinutes(now_ms()) << 8) | counter);
}

void Engine::SetMaxmemoryPolicy(MaxmemoryPolicy p) {
  policy_ = p;
  if (lfu_policy()) {
    // LFULogIncr's draws: splitmix64 on a stream of their own (starting at
    // 0), so that touching keys does not move the commands' random choices.
    keyspace_.SetLfu([this] {
      uint64_t z = (lfu_random_state_ += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    });
  } else {
    keyspace_.SetLfu(nullptr);
  }
}

bool Engine::PerformEvictions() {
  if (maxmemory_ == 0) return true;
  const uint64_t used = UsedMemory();
  NotePeakMemory(used);
  // isSafeToPerformEvictions: nothing is evicted while clients are paused
  // (client_pause.cc), and performEvictions reports EVICT_OK.
  if (pause_type_ != PauseType::kOff) return true;
  if (used <= maxmemory_) return true;
  if (policy_ == MaxmemoryPolicy::kNoeviction) return false;
  const uint64_t to_free = used - maxmemory_;
  const bool volatile_only =
      policy_ == MaxmemoryPolicy::kVolatileLru || policy_ == MaxmemoryPolicy::kVolatileLfu ||
      policy_ == MaxmemoryPolicy::kVolatileRandom || policy_ == MaxmemoryPolicy::kVolatileTtl;
  const int64_t now = now_ms();
  uint64_t freed = 0;
  // performEvictions ends with propagatePendingCommands: the evicted keys'
  // DELs, one by one (propagate_no_multi), however it returns. Inside a
  // command (CONFIG SET maxmemory, which Redis leaves to a time event) they
  // wait until the command's own ops have gone.
  struct Flush {
    Engine* e;
    size_t first;
    ~Flush() {
      if (e->call_depth_ == 0) {
        e->PropagatePending(/*no_multi=*/true);
        return;
      }
      auto from = e->also_propagate_.begin() + static_cast<ptrdiff_t>(first);
      std::move(from, e->also_propagate_.end(), std::back_inserter(e->deferred_ops_));
      e->also_propagate_.erase(from, e->also_propagate_.end());
    }
  } flush{this, also_propagate_.size()};
  while (freed < to_free) {
    // The candidates, in (db, key bytes) order.
    std::vector<std::pair<int, std::string_view>> keys;
    for (int db = 0; db < keyspace_.num_dbs(); ++db) {
      const Db& d = keyspace_.db(db);
      const size_t first = keys.size();
      if (volatile_only) {
        for (const auto [key, when] : d.expires) keys.emplace_back(db, key);
      } else {
        for (const auto& [key, value] : d.dict) keys.emplace_back(db, key);
      }
      std::sort(keys.begin() + static_cast<ptrdiff_t>(first), keys.end());
    }
    if (keys.empty()) return false;  // cant_free
    size_t pick = 0;
    if (policy_ == MaxmemoryPolicy::kVolatileRandom || policy_ == MaxmemoryPolicy::kAllkeysRandom) {
      pick = static_cast<size_t>(NextRandom() % keys.size());
    } else {
      // Redis's "idle" score: the highest is evicted; the first of equals.
      auto score = [&](const std::pair<int, std::string_view>& k) -> uint64_t {
        const Db& d = keyspace_.db(k.first);
        switch (policy_) {
          case MaxmemoryPolicy::kVolatileTtl:
            return UINT64_MAX - static_cast<uint64_t>(d.expires.Get(k.second));
          case MaxmemoryPolicy::kVolatileLfu:
          case MaxmemoryPolicy::kAllkeysLfu:
            return 255 -
                   static_cast<uint64_t>(LfuDecayedCounter(d.dict.find(k.second)->value, now));
          default:
            return static_cast<uint64_t>(IdleSeconds(d.dict.find(k.second)->value, now));
        }
      };
      uint64_t best = score(keys[0]);
      for (size_t i = 1; i < keys.size(); ++i) {
        const uint64_t v = score(keys[i]);
        if (v > best) {
          best = v;
          pick = i;
        }
      }
    }
    const int db = keys[pick].first;
    const std::string key(keys[pick].second);
    freed += KeyMemoryUsage(key, keyspace_.db(db).dict.find(key)->value);
    // dbSyncDelete and signalModifiedKey(NULL, ...): deleted whether or not
    // its time has passed, with the event of a deletion (tracking, WATCH)
    // caused by no client (BCAST NOLOOP clients hear of it; the running
    // client's NOLOOP still skips it, as trackingInvalidateKey compares with
    // server.current_client).
    keyspace_.DeleteQuietly(db, key);
    const int running = std::exchange(current_session_, -1);
    keyspace_.Emit(db, key, KeyEventKind::kDeleted);
    current_session_ = running;
    ++stats_.evicted_keys;
    NotifyKeyspaceEvent(kNotifyEvicted, "evicted", key, db);
    if (propagating()) AlsoPropagate(db, {lazyfree_lazy_eviction_ ? "UNLINK" : "DEL", key});
  }
  return true;
}

bool Engine::IsWriteForDispatch(const Session& s, const CommandSpec& spec,
                                std::span<const std::string> argv) const {
  if ((FlagsForArgv(spec, argv) & kCmdWrite) != 0 || ScriptCommandWrites(spec, argv)) {
    return true;
  }
  if (spec.name != "exec") return false;
  for (const std::vector<std::string>& q : s.queued) {
    const CommandSpec* qs = FindCommand(q[0]);
    if (qs != nullptr && ((FlagsForArgv(*qs, q) & kCmdWrite) != 0 || ScriptCommandWrites(*qs, q))) {
      return true;
    }
  }
  return false;
}

std::string Engine::OomCheck(const Session& s, const CommandSpec& spec,
                             std::span<const std::string> argv) {
  const bool out_of_memory = !PerformEvictions();
  // Kept for the script's own calls (scriptVerifyOOM), for the script
  // commands and EXEC.
  if (IsScriptCommand(spec.name) || spec.name == "exec") script_pre_oom_ = out_of_memory;
  if (!out_of_memory) return {};
  bool reject = (FlagsForArgv(spec, argv) & kCmdDenyOom) != 0 || ScriptCommandDeniesOom(spec, argv);
  if (spec.name == "exec") {
    for (const std::vector<std::string>& argv : s.queued) {
      const CommandSpec* q = FindCommand(argv[0]);
      if (q != nullptr && (FlagsForArgv(*q, argv) & kCmdDenyOom) != 0) reject = true;
    }
  }
  // Queueing inside MULTI takes memory: refused, but for EXEC, DISCARD, RESET.
  if (s.in_multi && spec.name != "exec" && spec.name != "discard" && spec.name != "reset") {
    reject = true;
  }
  return reject ? "OOM command not allowed when used memory > 'maxmemory'." : "";
}

}  // namespace respfuzz::engine
