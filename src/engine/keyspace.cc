#include "src/engine/keyspace.h"

#include <algorithm>

namespace respfuzz::engine {

std::string_view KeyEventKindName(KeyEventKind k) {
  switch (k) {
    case KeyEventKind::kWritten:
      return "written";
    case KeyEventKind::kDeleted:
      return "deleted";
    case KeyEventKind::kExpired:
      return "expired";
    case KeyEventKind::kFlushed:
      return "flushed";
    case KeyEventKind::kSwapped:
      return "swapped";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// TtlTable.

int64_t TtlTable::Get(std::string_view key) const {
  auto it = map_.find(key);
  return it == map_.end() ? -1 : it->second.when_ms;
}

void TtlTable::Set(std::string_view key, int64_t when_ms) {
  auto [it, inserted] = map_.try_emplace(key, Slot{when_ms, order_.size()});
  if (inserted) {
    order_.push_back(&*it);
  } else {
    it->second.when_ms = when_ms;
  }
}

bool TtlTable::Erase(std::string_view key) {
  auto it = map_.find(key);
  if (it == map_.end()) return false;
  const size_t pos = it->second.pos;
  order_[pos] = order_.back();
  order_[pos]->second.pos = pos;
  order_.pop_back();
  map_.erase(it);
  return true;
}

void TtlTable::clear() {
  map_.clear();
  order_.clear();
}

std::string TtlTable::Check() const {
  if (map_.size() != order_.size()) {
    return "TTL map has " + std::to_string(map_.size()) + " keys, its array " +
           std::to_string(order_.size());
  }
  for (size_t i = 0; i < order_.size(); ++i) {
    if (order_[i]->second.pos != i) return "TTL array slot of '" + order_[i]->first + "' is wrong";
    auto it = map_.find(order_[i]->first);
    if (it == map_.end() || &*it != order_[i]) {
      return "TTL array entry '" + order_[i]->first + "' is not the map's";
    }
  }
  return "";
}

// ---------------------------------------------------------------------------
// ScanHash: SipHash-2-4, written from the paper's description.

namespace {

inline uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

inline void SipRound(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
  v0 += v1;
  v1 = Rotl(v1, 13);
  v1 ^= v0;
  v0 = Rotl(v0, 32);
  v2 += v3;
  v3 = Rotl(v3, 16);
  v3 ^= v2;
  v0 += v3;
  v3 = Rotl(v3, 21);
  v3 ^= v0;
  v2 += v1;
  v1 = Rotl(v1, 17);
  v1 ^= v2;
  v2 = Rotl(v2, 32);
}

inline uint64_t ReadLe64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

uint64_t ScanHash(std::string_view key) {
  // k0, k1: the bytes 00..07 and 08..0f, little-endian.
  constexpr uint64_t k0 = 0x0706050403020100ULL;
  constexpr uint64_t k1 = 0x0f0e0d0c0b0a0908ULL;
  uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
  uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
  uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
  uint64_t v3 = k1 ^ 0x7465646279746573ULL;
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  const size_t n = key.size();
  const size_t whole = n & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) {
    const uint64_t m = ReadLe64(p + i);
    v3 ^= m;
    SipRound(v0, v1, v2, v3);
    SipRound(v0, v1, v2, v3);
    v0 ^= m;
  }
  // The last block: the remaining bytes, and the length's low byte on top.
  uint64_t b = static_cast<uint64_t>(n & 0xff) << 56;
  for (size_t i = whole; i < n; ++i) b |= static_cast<uint64_t>(p[i]) << (8 * (i - whole));
  v3 ^= b;
  SipRound(v0, v1, v2, v3);
  SipRound(v0, v1, v2, v3);
  v0 ^= b;
  v2 ^= 0xff;
  for (int r = 0; r < 4; ++r) SipRound(v0, v1, v2, v3);
  return v0 ^ v1 ^ v2 ^ v3;
}

// ---------------------------------------------------------------------------
// Keyspace.

Keyspace::Keyspace(int num_dbs, VirtualClock* clock) : dbs_(num_dbs), clock_(clock) {}

void Keyspace::AddToScanOrder(Db& d, const KeyEntry& entry) {
  d.scan_order.insert(ScanSlot{ScanHash(entry.key()), &entry});
}

void Keyspace::EraseKey(Db& d, std::string_view name) {
  auto it = d.dict.find(name);
  StreamGone(d, name, it->value);
  d.scan_order.erase(ScanSlot{ScanHash(name), &*it});  // before the entry is freed
  d.expires.Erase(name);
  d.dict.erase(it);
}

void Keyspace::Emit(int db, std::string_view key, KeyEventKind kind, int other_db) {
  const KeyEvent ev{db, key, kind, other_db};
  for (const auto& l : listeners_) l(ev);
}

bool Keyspace::IsExpired(int db, std::string_view key) const {
  const Db& d = dbs_[db];
  if (d.expires.empty() || loading_) return false;
  const int64_t when = d.expires.Get(key);
  return when >= 0 && now_ms() > when;
}

bool Keyspace::ExpireIfNeeded(int db, std::string_view key) {
  if (!IsExpired(db, key)) return false;
  if (expire_paused_) return true;
  Db& d = dbs_[db];
  // The event may be read after the erase: keep the name alive until then.
  std::string name(key);
  if (expired_hook_) expired_hook_(d.dict.find(name)->value);
  EraseKey(d, name);
  Emit(db, name, KeyEventKind::kExpired);
  return true;
}

Object* Keyspace::Find(int db, std::string_view key) {
  Object* o = FindNoTouch(db, key);
  if (o != nullptr) Touch(*o);
  return o;
}

Object* Keyspace::FindNoTouch(int db, std::string_view key) {
  Object* o = nullptr;
  if (!ExpireIfNeeded(db, key)) {  // an expired key kept by a pause is absent too
    Db& d = dbs_[db];
    auto it = d.dict.find(key);
    if (it != d.dict.end()) o = &it->value;
  }
  if (count_reads_) ++(o != nullptr ? hits_ : misses_);
  return o;
}

const Object* Keyspace::Peek(int db, std::string_view key) const {
  const Db& d = dbs_[db];
  auto it = d.dict.find(key);
  return it == d.dict.end() ? nullptr : &it->value;
}

Object& Keyspace::Store(int db, std::string_view key, Object value, bool keep_ttl) {
  ExpireIfNeeded(db, key);  // Redis's setKey looks the key up (lazily expiring it) first
  Db& d = dbs_[db];
  auto [it, inserted] = d.dict.try_emplace(key);
  if (inserted) AddToScanOrder(d, *it);
  // A new value (createObject); dbOverwrite keeps the old LFU counter.
  const uint32_t stamp = !inserted && lfu() ? it->value.lru() : NewAccessStamp();
  if (!inserted) StreamGone(d, it->key(), it->value);
  it->value = std::move(value);
  it->value.set_lru(stamp);
  if (inserted && added_hook_) added_hook_(db, it->key(), it->value);
  if (!keep_ttl) d.expires.Erase(key);
  Emit(db, it->key(), KeyEventKind::kWritten);
  return it->value;
}

Object& Keyspace::SetKey(int db, std::string_view key, Object value) {
  Find(db, key);  // lookupKeyWrite: lazy expiry, and a touch of an existing key
  return Store(db, key, std::move(value), /*keep_ttl=*/false);
}

Object& Keyspace::StoreWithExpire(int db, std::string_view key, Object value, int64_t when_ms,
                                  Stamp stamp) {
  ExpireIfNeeded(db, key);
  Db& d = dbs_[db];
  auto [it, inserted] = d.dict.try_emplace(key);
  if (inserted) AddToScanOrder(d, *it);
  uint32_t lru = value.lru();
  if (stamp == Stamp::kNew || (stamp == Stamp::kNewOrOverwrite && (inserted || !lfu()))) {
    lru = NewAccessStamp();  // a new value (createObject)
  } else if (stamp == Stamp::kNewOrOverwrite) {
    lru = it->value.lru();  // dbOverwrite under an LFU policy
  }
  if (!inserted) StreamGone(d, it->key(), it->value);
  it->value = std::move(value);
  it->value.set_lru(lru);
  if (inserted && added_hook_) added_hook_(db, it->key(), it->value);
  if (when_ms < 0) {
    d.expires.Erase(key);
  } else {
    d.expires.Set(key, when_ms);
  }
  Emit(db, it->key(), KeyEventKind::kWritten);
  return it->value;
}

Object& Keyspace::AddQuietly(int db, std::string_view key, Object value) {
  Db& d = dbs_[db];
  auto [it, inserted] = d.dict.try_emplace(key);
  if (inserted) AddToScanOrder(d, *it);
  if (!inserted) StreamGone(d, it->key(), it->value);
  it->value = std::move(value);
  it->value.set_lru(NewAccessStamp());  // a new value (createObject)
  if (inserted && added_hook_) added_hook_(db, it->key(), it->value);
  return it->value;
}

Object* Keyspace::LoadKey(int db, std::string_view key, Object value, int64_t when_ms,
                          bool replace) {
  Db& d = dbs_[db];
  auto [it, inserted] = d.dict.try_emplace(key);
  if (!inserted) {
    if (!replace) return nullptr;
    StreamGone(d, it->key(), it->value);
  } else {
    AddToScanOrder(d, *it);
  }
  it->value = std::move(value);
  it->value.set_lru(NewAccessStamp());
  if (when_ms < 0) {
    d.expires.Erase(key);
  } else {
    d.expires.Set(key, when_ms);
  }
  return &it->value;
}

bool Keyspace::Delete(int db, std::string_view key) {
  // As Redis's DEL: expired keys count as absent; but one kept by a pause
  // (only inside the EXEC that paused) is deleted and counted, as DEL's
  // dbSyncDelete after expireIfNeeded does.
  if (ExpireIfNeeded(db, key) && !expire_paused_) return false;
  Db& d = dbs_[db];
  auto it = d.dict.find(key);
  if (it == d.dict.end()) return false;
  std::string name(it->key());
  EraseKey(d, name);
  Emit(db, name, KeyEventKind::kDeleted);
  return true;
}

void Keyspace::DeleteQuietly(int db, std::string_view key) {
  Db& d = dbs_[db];
  if (d.dict.find(key) == d.dict.end()) return;
  std::string name(key);
  EraseKey(d, name);
}

bool Keyspace::DeleteStored(int db, std::string_view key) {
  Db& d = dbs_[db];
  auto it = d.dict.find(key);
  if (it == d.dict.end()) return false;
  std::string name(it->key());
  EraseKey(d, name);
  Emit(db, name, KeyEventKind::kDeleted);
  return true;
}

int64_t Keyspace::GetExpire(int db, std::string_view key) const {
  return dbs_[db].expires.Get(key);
}

void Keyspace::SetExpire(int db, std::string_view key, int64_t when_ms) {
  dbs_[db].expires.Set(key, when_ms);
  Emit(db, key, KeyEventKind::kWritten);
}

bool Keyspace::Persist(int db, std::string_view key) {
  if (!dbs_[db].expires.Erase(key)) return false;
  Emit(db, key, KeyEventKind::kWritten);
  return true;
}

void Keyspace::TouchedMaybeEmpty(int db, std::string_view key) {
  const Object* o = Peek(db, key);
  if (o == nullptr) return;
  const bool empty = IsEmptyAggregate(*o);
  if (empty) {
    Delete(db, key);
  } else {
    Touched(db, key);
  }
}

void Keyspace::FlushDb(int db) {
  Db& d = dbs_[db];
  if (d.dict.empty()) return;
  Emit(db, "", KeyEventKind::kFlushed);
  d.scan_order.clear();
  d.expires.clear();
  d.dict.clear();
}

void Keyspace::FlushAll() {
  for (int i = 0; i < num_dbs(); ++i) FlushDb(i);
}

void Keyspace::SwapDb(int a, int b) {
  Emit(a, "", KeyEventKind::kSwapped, b);
  if (b != a) Emit(b, "", KeyEventKind::kSwapped, a);
  std::swap(dbs_[a], dbs_[b]);
}

size_t Keyspace::ExpireAllDue() {
  size_t n = 0;
  if (expire_paused_) return 0;
  for (int i = 0; i < num_dbs(); ++i) {
    std::vector<std::string> due;
    for (const auto [key, when] : dbs_[i].expires) {
      if (now_ms() > when) due.push_back(key);
    }
    // Deterministic event order whatever the hash order.
    std::sort(due.begin(), due.end());
    for (const std::string& key : due) n += ExpireIfNeeded(i, key) ? 1 : 0;
  }
  return n;
}

uint64_t Keyspace::NextRandom() {
  rng_ += 0x9e3779b97f4a7c15ULL;  // splitmix64
  uint64_t z = rng_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Keyspace::ExpireCycleStats Keyspace::ActiveExpireCycle() {
  ExpireCycleStats st;
  if (expire_paused_) return st;  // activeExpireCycle returns at once while paused
  const int dbs = std::min(num_dbs(), kExpireCycleDbsPerCall);
  for (int j = 0; j < dbs && !st.hit_limit; ++j) {
    const int db = expire_cycle_db_;
    expire_cycle_db_ = (expire_cycle_db_ + 1) % num_dbs();
    Db& d = dbs_[db];
    while (!d.expires.empty()) {
      const size_t num = std::min(d.expires.size(), kExpireCycleKeysPerLoop);
      size_t sampled = 0, expired = 0;
      for (; sampled < num && !d.expires.empty(); ++sampled) {
        const auto [key, when] = d.expires.at(NextRandom() % d.expires.size());
        if (now_ms() > when) {
          const std::string name(key);  // the event may be read after the erase
          if (expired_hook_) expired_hook_(d.dict.find(name)->value);
          EraseKey(d, name);
          Emit(db, name, KeyEventKind::kExpired);
          ++expired;
        }
      }
      ++st.loops;
      st.sampled += sampled;
      st.expired += expired;
      if (st.loops >= kExpireCycleMaxLoopsPerCall) {
        st.hit_limit = true;
        break;
      }
      if (expired * 100 / sampled <= kExpireCycleAcceptableStalePercent) break;
    }
  }
  return st;
}

Keyspace::ScanPage Keyspace::ScanKeys(int db, uint64_t cursor, size_t count) const {
  ScanPage page;
  const ScanOrder& order = dbs_[db].scan_order;
  auto it = order.lower_bound(ScanSlot{cursor, nullptr});
  uint64_t last = 0;
  while (it != order.end() && (page.keys.size() < count || it->hash == last)) {
    page.keys.emplace_back(it->entry->key());
    last = it->hash;
    ++it;
  }
  const bool done = page.keys.size() < count || last == ~uint64_t{0};
  page.next_cursor = done ? 0 : last + 1;
  return page;
}

std::string Keyspace::Check() const {
  for (int i = 0; i < num_dbs(); ++i) {
    const Db& d = dbs_[i];
    // Built only for a failure: a harness validates after every op, and
    // building this prefix for each of the 16 dbs was half of Check().
    const auto where = [i] { return "db " + std::to_string(i) + ": "; };
    std::string why = d.expires.Check();
    if (!why.empty()) return where() + why;
    for (const auto [key, when] : d.expires) {
      if (!d.dict.contains(key)) return where() + "TTL for missing key '" + key + "'";
    }
    if (d.scan_order.size() != d.dict.size()) {
      return where() + "SCAN order holds " + std::to_string(d.scan_order.size()) + " keys, dict " +
             std::to_string(d.dict.size());
    }
    for (const KeyEntry& e : d.dict) {
      auto it = d.scan_order.find(ScanSlot{ScanHash(e.key()), &e});
      if (it == d.scan_order.end() || it->entry != &e) {
        return where() + "key '" + std::string(e.key()) + "' missing from the SCAN order";
      }
    }
    for (const auto& [key, obj] : d.dict) {
      std::string why;
      switch (TypeOf(obj)) {
        case ObjType::kString:
          break;
        case ObjType::kList:
          if (As<List>(obj).empty()) why = "empty list";
          break;
        case ObjType::kHash: {
          const Hash& h = As<Hash>(obj);
          why = h.empty() ? "empty hash" : h.Check();
          break;
        }
        case ObjType::kSet:
          if (As<Set>(obj).empty()) why = "empty set";
          break;
        case ObjType::kZSet: {
          const ZSet& z = As<ZSet>(obj);
          why = z.empty() ? "empty zset" : z.Check();
          break;
        }
        case ObjType::kStream:
          why = As<Stream>(obj).Check();
          break;
      }
      if (!why.empty()) {
        return "db " + std::to_string(i) + " key '" + std::string(key) + "': " + why;
      }
    }
  }
  return "";
}

}  // namespace respfuzz::engine
