// The databases, the virtual clock, expiry and the key-event hook.
#ifndef RESPFUZZ_ENGINE_KEYSPACE_H_
#define RESPFUZZ_ENGINE_KEYSPACE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "src/engine/key_table.h"
#include "src/engine/object.h"

namespace respfuzz::engine {

// What happened to a key. Every modification raises exactly one event.
enum class KeyEventKind : uint8_t {
  kWritten,  // created or changed in place (value, or TTL set/cleared)
  kDeleted,  // removed by a command (DEL, emptied aggregate, RENAME's source, ...)
  kExpired,  // removed because its time passed (lazily, ExpireAllDue or ActiveExpireCycle)
  // Whole-db events, raised just *before* the change so a listener can still
  // see the keys: the key is empty.
  kFlushed,  // the db is about to be emptied (FLUSHDB/FLUSHALL)
  kSwapped,  // the db's contents are about to be swapped with other_db (SWAPDB)
};
std::string_view KeyEventKindName(KeyEventKind k);

struct KeyEvent {
  int db;
  std::string_view key;
  KeyEventKind kind;
  int other_db = -1;  // kSwapped: the db it is swapped with
};

using KeyEventListener = std::function<void(const KeyEvent&)>;

// A virtual clock in unix milliseconds, owned by the engine: time moves only
// when told, so programs are deterministic.
class VirtualClock {
 public:
  explicit VirtualClock(int64_t start_ms) : now_ms_(start_ms) {}
  int64_t now_ms() const { return now_ms_; }
  void Advance(int64_t ms) { now_ms_ += ms > 0 ? ms : 0; }

 private:
  int64_t now_ms_;
};

// The keys of a db that have a TTL, with their expire times (unix ms), also
// kept in an array so that active expiry samples a random one in O(1): a
// key's slot records its place in the array, and a removal moves the last
// entry into the hole (swap-remove). Iterating visits the array's order,
// which depends only on the sequence of operations.
class TtlTable {
 private:
  struct Slot {
    int64_t when_ms;
    size_t pos;  // index in order_
  };
  using Map = StrNodeMap<Slot>;  // nodes stay put: order_ points at them

 public:
  // One entry: the key and its expire time.
  using value_type = std::pair<const std::string&, int64_t>;
  class const_iterator {
   public:
    explicit const_iterator(const Map::value_type* const* p) : p_(p) {}
    value_type operator*() const { return {(*p_)->first, (*p_)->second.when_ms}; }
    const_iterator& operator++() {
      ++p_;
      return *this;
    }
    bool operator!=(const const_iterator& o) const { return p_ != o.p_; }
    bool operator==(const const_iterator& o) const { return p_ == o.p_; }

   private:
    const Map::value_type* const* p_;
  };

  size_t size() const { return order_.size(); }
  bool empty() const { return order_.empty(); }
  // The expire time of `key`, or -1 when it has none.
  int64_t Get(std::string_view key) const;
  bool Contains(std::string_view key) const { return map_.contains(key); }
  // Sets or replaces the expire time of `key`.
  void Set(std::string_view key, int64_t when_ms);
  // Removes the key's expire time; false when it had none.
  bool Erase(std::string_view key);
  void clear();
  // The entry at array position i < size() (active expiry's sample).
  value_type at(size_t i) const { return *const_iterator(order_.data() + i); }
  const_iterator begin() const { return const_iterator(order_.data()); }
  const_iterator end() const { return const_iterator(order_.data() + order_.size()); }
  // Map and array agree: the reason when not, else empty.
  std::string Check() const;

 private:
  Map map_;
  std::vector<Map::value_type*> order_;
};

// SCAN's order: SipHash-2-4 (Aumasson and Bernstein, 2012) of the key's
// bytes under the fixed 128-bit key 00 01 02 ... 0f, read as a
// little-endian 64-bit number. Documented in docs/fidelity.md; the
// reference model computes it on its own.
uint64_t ScanHash(std::string_view key);

// A key's place in SCAN's order: (ScanHash, key bytes), pointing at the
// key's entry in the db's KeyTable. A null entry is a probe that sorts
// before every key of its hash.
struct ScanSlot {
  uint64_t hash;
  const KeyEntry* entry;
};
struct ScanSlotLess {
  bool operator()(const ScanSlot& a, const ScanSlot& b) const {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (a.entry == nullptr || b.entry == nullptr) return a.entry == nullptr && b.entry != nullptr;
    return a.entry->key() < b.entry->key();
  }
};
using ScanOrder = absl::btree_set<ScanSlot, ScanSlotLess>;

struct Db {
  // One block per key (key_table.h): Object pointers stay valid while other
  // keys are inserted (RENAME, SMOVE, LMOVE hold two at once), and the
  // entries scan_order points at stay put.
  KeyTable dict;
  TtlTable expires;      // only keys in dict
  ScanOrder scan_order;  // every key of dict (pointing at its entry), SCAN's order
};

class Keyspace {
 public:
  Keyspace(int num_dbs, VirtualClock* clock);

  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  Db& db(int i) { return dbs_[i]; }
  const Db& db(int i) const { return dbs_[i]; }
  int64_t now_ms() const { return clock_->now_ms(); }

  // Redis 7.0's rule: a key is expired when now > its expire time.
  bool IsExpired(int db, std::string_view key) const;
  // Deletes the key if it is expired (raising kExpired); true if it is
  // expired. While expiry is paused (CLIENT PAUSE, expireIfNeeded's
  // checkClientPauseTimeoutAndReturnIfPaused) an expired key is reported
  // expired but stays stored, and the active cycles delete nothing.
  bool ExpireIfNeeded(int db, std::string_view key);
  void set_expire_paused(bool on) { expire_paused_ = on; }
  // While an AOF loads, no key is expired (keyIsExpired: "Don't expire
  // anything while loading").
  void set_loading(bool on) { loading_ = on; }
  bool expire_paused() const { return expire_paused_; }
  // Lookup with lazy expiry; nullptr when absent or expired. Updates the
  // value's LRU clock (lookupKey); FindNoTouch does not (LOOKUP_NOTOUCH:
  // EXISTS, TYPE, the TTL family, OBJECT).
  Object* Find(int db, std::string_view key);
  Object* FindNoTouch(int db, std::string_view key);
  // Memory accounting and eviction (evict.cc): under an LFU maxmemory-policy
  // robj.lru holds Redis's LFU data (minutes << 8 | counter), and a touch
  // raises the counter with a draw of `random` (evict.cc's LFU stream);
  // an empty `random` is LRU (the LRU clock).
  void SetLfu(std::function<uint64_t()> random) { lfu_random_ = std::move(random); }
  bool lfu() const { return static_cast<bool>(lfu_random_); }
  // createObject's lru and lookupKey's update of it (updateLFU or LRU_CLOCK).
  uint32_t NewAccessStamp() const;
  void Touch(Object& o);
  // INFO's keyspace_hits / keyspace_misses: lookups while counting is on
  // (the engine turns it on for read-only commands).
  void set_count_reads(bool on) { count_reads_ = on; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  void ResetReadStats() { hits_ = misses_ = 0; }
  // Lookup with no side effect (no lazy expiry): the key as stored.
  const Object* Peek(int db, std::string_view key) const;

  // The access stamp (LRU clock or LFU counter) a stored value gets.
  enum class Stamp : uint8_t {
    // A new object: createObject's stamp, except that a value replacing a
    // key keeps the old value's LFU counter under an LFU policy, as 7.0.15's
    // dbOverwrite copies old->lru (SET, MSET, INCR, the *STORE commands).
    kNewOrOverwrite,
    // A new object whatever was there (RESTORE, COPY: the destination is
    // deleted first, then dbAdd).
    kNew,
    // The value's own stamp (RENAME and MOVE: dbAdd of the source's object).
    kKeep,
  };
  // Inserts or replaces the value; keeps the TTL unless `keep_ttl` is false.
  // Raises kWritten. Returns the stored object.
  Object& Store(int db, std::string_view key, Object value, bool keep_ttl);
  // setKey with no flags (MSET, GETSET, the *STORE commands): the key is
  // looked up first (lookupKeyWrite: lazily expired, and touched when it
  // exists, one LFU draw), then stored as Store does.
  Object& SetKey(int db, std::string_view key, Object value);
  // Inserts or replaces the value and sets its TTL to `when_ms` (-1: none)
  // with a single kWritten event, as Redis signals SET ... EX or RENAME's
  // destination once. Returns the stored object.
  Object& StoreWithExpire(int db, std::string_view key, Object value, int64_t when_ms,
                          Stamp stamp = Stamp::kNewOrOverwrite);
  // Adds a key that does not exist (it must not: call Find first) and raises
  // no event, as Redis's dbAdd without signalModifiedKey: BITFIELD creates
  // its key before running its ops and signals only if one of them wrote.
  Object& AddQuietly(int db, std::string_view key, Object value);
  // rdbLoad's dbAddRDBLoad (with RDBFLAGS_ALLOW_DUP, dbSyncDelete first):
  // the key stored with its TTL (-1: none) and a new access stamp, with no
  // event and no client woken. The stored object; nullptr, and nothing
  // stored, when the key exists and `replace` is false.
  Object* LoadKey(int db, std::string_view key, Object value, int64_t when_ms, bool replace);
  // Removes a stored key and its TTL with no event, as Redis's dbDelete
  // without signalModifiedKey (a served BLPOP emptying its list).
  void DeleteQuietly(int db, std::string_view key);
  // Removes the key and its TTL; raises kDeleted. False if it did not exist.
  bool Delete(int db, std::string_view key);
  // Redis's dbDelete: removes the key even when it is logically expired
  // (BITOP's empty result), raising kDeleted. False if it was not stored.
  bool DeleteStored(int db, std::string_view key);
  // TTL handling; -1 = none. SetExpire raises kWritten, Persist raises kWritten
  // only when a TTL was removed.
  int64_t GetExpire(int db, std::string_view key) const;
  void SetExpire(int db, std::string_view key, int64_t when_ms);
  bool Persist(int db, std::string_view key);

  // Raise an event for an in-place modification made through Find().
  void Touched(int db, std::string_view key) { Emit(db, key, KeyEventKind::kWritten); }
  // Deletes the key when its aggregate became empty (kDeleted); else kWritten.
  void TouchedMaybeEmpty(int db, std::string_view key);

  void FlushDb(int db);       // raises kFlushed for that db if it held keys
  void FlushAll();            // kFlushed for every db that held keys
  void SwapDb(int a, int b);  // kSwapped for both (even if empty)

  // Deletes every expired key of every db now (raising kExpired for each,
  // db by db, keys in bytewise order). Not Redis's active expiry (that is
  // ActiveExpireCycle): the deterministic "everything due is gone" point
  // the harnesses, the reference model and the oracles rely on.
  size_t ExpireAllDue();

  // Redis 7.0's active expiry (activeExpireCycle, slow cycle, at the
  // default active-expire-effort 1): for up to kExpireCycleDbsPerCall dbs,
  // starting where the last call stopped, sample kExpireCycleKeysPerLoop
  // keys with a TTL at random (with replacement, from the keyspace's own
  // seeded PRNG), delete the expired ones (kExpired), and sample the db
  // again while more than kExpireCycleAcceptableStalePercent of a loop's
  // samples were expired. Redis stops a call after 25% of its 100 ms
  // period; here a call stops after kExpireCycleMaxLoopsPerCall loops, so
  // the work per call is bounded by a count (deterministic, whatever the
  // machine's speed).
  static constexpr size_t kExpireCycleKeysPerLoop = 20;  // ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
  static constexpr size_t kExpireCycleAcceptableStalePercent = 10;  // ..._ACCEPTABLE_STALE
  static constexpr int kExpireCycleDbsPerCall = 16;                 // CRON_DBS_PER_CALL
  static constexpr size_t kExpireCycleMaxLoopsPerCall = 1024;       // 20,480 samples
  static constexpr uint64_t kExpireCycleSeed = 0x0e8b'12e5'a3c1'7d09ULL;
  struct ExpireCycleStats {
    size_t loops = 0;        // sampling loops run
    size_t sampled = 0;      // keys with a TTL looked at
    size_t expired = 0;      // of which deleted
    bool hit_limit = false;  // stopped at kExpireCycleMaxLoopsPerCall
  };
  ExpireCycleStats ActiveExpireCycle();

  // SCAN's walk (docs/fidelity.md): the keys of `db` in (ScanHash, key)
  // order from the first whose hash is >= cursor, until `count` keys are
  // taken (and every key sharing the last one's hash, so a cursor never
  // splits a hash). The next cursor is the last hash + 1, or 0 when the walk
  // reached the end of the db with fewer than `count` keys (or the last
  // hash is 2^64-1). O(log n + count). No expiry, no event.
  // COUNT is a hint: SCAN takes at most this many keys per call (a named
  // cap, so a call's work is bounded whatever COUNT says).
  static constexpr size_t kScanMaxCount = size_t{1} << 16;
  struct ScanPage {
    std::vector<std::string> keys;
    uint64_t next_cursor = 0;
  };
  ScanPage ScanKeys(int db, uint64_t cursor, size_t count) const;

  void AddListener(KeyEventListener l) { listeners_.push_back(std::move(l)); }
  // Called when Store, StoreWithExpire or AddQuietly adds a key that was not
  // stored (Redis's dbAdd, which signals the key as ready for clients
  // blocked on it: src/engine/blocking.cc). Not called for an overwrite.
  using AddedHook = std::function<void(int db, std::string_view key, const Object& value)>;
  void SetAddedHook(AddedHook h) { added_hook_ = std::move(h); }
  // Called with an expired key's value just before it is deleted (lazily,
  // ExpireAllDue or ActiveExpireCycle): lazy freeing (lazyfree.cc).
  using ExpiredHook = std::function<void(const Object& value)>;
  void SetExpiredHook(ExpiredHook h) { expired_hook_ = std::move(h); }
  // Called just before a stream is removed (deleted, expired, evicted,
  // moved away) or replaced by another value: Redis's dbGenericDelete and
  // dbOverwrite signal it for the XREADGROUP sessions blocked on it
  // (src/engine/blocking.cc). A flush or SWAPDB is its own event.
  using StreamGoneHook = std::function<void(int db, std::string_view key)>;
  void SetStreamGoneHook(StreamGoneHook h) { stream_gone_hook_ = std::move(h); }
  void Emit(int db, std::string_view key, KeyEventKind kind, int other_db = -1);

  // Internal consistency: TTLs only for existing keys, no empty aggregates,
  // sorted-set map and index agree. Empty when consistent, else the reason.
  std::string Check() const;

 private:
  // Removes an existing key (and its TTL) from dict, expires and scan_order.
  void EraseKey(Db& d, std::string_view name);
  // A new key of dict enters scan_order.
  static void AddToScanOrder(Db& d, const KeyEntry& entry);
  uint64_t NextRandom();

  std::vector<Db> dbs_;
  VirtualClock* clock_;
  std::vector<KeyEventListener> listeners_;
  AddedHook added_hook_;
  ExpiredHook expired_hook_;
  StreamGoneHook stream_gone_hook_;
  // The stream gone hook for a value about to be removed or replaced.
  void StreamGone(const Db& d, std::string_view key, const Object& old) {
    if (stream_gone_hook_ && Is<Stream>(old))
      stream_gone_hook_(static_cast<int>(&d - dbs_.data()), key);
  }
  uint64_t rng_ = kExpireCycleSeed;  // active expiry's sampling
  bool count_reads_ = false;
  uint64_t hits_ = 0, misses_ = 0;
  bool expire_paused_ = false;            // CLIENT PAUSE: expired keys stay stored
  bool loading_ = false;                  // an AOF is loading: nothing is expired
  int expire_cycle_db_ = 0;               // the next db ActiveExpireCycle samples
  std::function<uint64_t()> lfu_random_;  // evict.cc: set under an LFU policy
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_KEYSPACE_H_
