// The databases, the virtual clock, expiry and the key-event hook.
#ifndef RESPFUZZ_ENGINE_KEYSPACE_H_
#define RESPFUZZ_ENGINE_KEYSPACE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "src/engine/object.h"

namespace respfuzz::engine {

// What happened to a key. Every modification raises exactly one event.
enum class KeyEventKind : uint8_t {
  kWritten,  // created or changed in place (value, or TTL set/cleared)
  kDeleted,  // removed by a command (DEL, emptied aggregate, RENAME's source, ...)
  kExpired,  // removed because its time passed (lazily or by ActiveExpire)
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

struct Db {
  // node_hash_map: Object pointers stay valid while other keys are inserted
  // (RENAME, SMOVE, LMOVE hold two at once).
  StrNodeMap<Object> dict;
  StrMap<int64_t> expires;  // unix ms; only keys in dict
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
  // Deletes the key if it is expired (raising kExpired); true if it did.
  bool ExpireIfNeeded(int db, std::string_view key);
  // Lookup with lazy expiry; nullptr when absent or expired.
  Object* Find(int db, std::string_view key);
  // Lookup with no side effect (no lazy expiry): the key as stored.
  const Object* Peek(int db, std::string_view key) const;

  // Inserts or replaces the value; keeps the TTL unless `keep_ttl` is false.
  // Raises kWritten. Returns the stored object.
  Object& Store(int db, std::string_view key, Object value, bool keep_ttl);
  // Inserts or replaces the value and sets its TTL to `when_ms` (-1: none)
  // with a single kWritten event, as Redis signals SET ... EX or RENAME's
  // destination once. Returns the stored object.
  Object& StoreWithExpire(int db, std::string_view key, Object value, int64_t when_ms);
  // Removes the key and its TTL; raises kDeleted. False if it did not exist.
  bool Delete(int db, std::string_view key);
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

  // Deletes every expired key in every db (raising kExpired for each).
  size_t ActiveExpire();

  void AddListener(KeyEventListener l) { listeners_.push_back(std::move(l)); }
  void Emit(int db, std::string_view key, KeyEventKind kind, int other_db = -1);

  // Internal consistency: TTLs only for existing keys, no empty aggregates,
  // sorted-set map and index agree. Empty when consistent, else the reason.
  std::string Check() const;

 private:
  std::vector<Db> dbs_;
  VirtualClock* clock_;
  std::vector<KeyEventListener> listeners_;
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_KEYSPACE_H_
