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

Keyspace::Keyspace(int num_dbs, VirtualClock* clock) : dbs_(num_dbs), clock_(clock) {}

void Keyspace::Emit(int db, std::string_view key, KeyEventKind kind, int other_db) {
  const KeyEvent ev{db, key, kind, other_db};
  for (const auto& l : listeners_) l(ev);
}

bool Keyspace::IsExpired(int db, std::string_view key) const {
  const Db& d = dbs_[db];
  if (d.expires.empty()) return false;
  auto it = d.expires.find(key);
  return it != d.expires.end() && now_ms() > it->second;
}

bool Keyspace::ExpireIfNeeded(int db, std::string_view key) {
  if (!IsExpired(db, key)) return false;
  Db& d = dbs_[db];
  // The event may be read after the erase: keep the name alive until then.
  std::string name(key);
  d.expires.erase(name);
  d.dict.erase(name);
  Emit(db, name, KeyEventKind::kExpired);
  return true;
}

Object* Keyspace::Find(int db, std::string_view key) {
  ExpireIfNeeded(db, key);
  Db& d = dbs_[db];
  auto it = d.dict.find(key);
  return it == d.dict.end() ? nullptr : &it->second;
}

const Object* Keyspace::Peek(int db, std::string_view key) const {
  const Db& d = dbs_[db];
  auto it = d.dict.find(key);
  return it == d.dict.end() ? nullptr : &it->second;
}

Object& Keyspace::Store(int db, std::string_view key, Object value, bool keep_ttl) {
  ExpireIfNeeded(db, key);  // Redis's setKey looks the key up (lazily expiring it) first
  Db& d = dbs_[db];
  auto [it, inserted] = d.dict.try_emplace(key);
  it->second = std::move(value);
  if (!keep_ttl) d.expires.erase(key);
  Emit(db, it->first, KeyEventKind::kWritten);
  return it->second;
}

Object& Keyspace::StoreWithExpire(int db, std::string_view key, Object value, int64_t when_ms) {
  ExpireIfNeeded(db, key);
  Db& d = dbs_[db];
  auto [it, inserted] = d.dict.try_emplace(key);
  it->second = std::move(value);
  if (when_ms < 0) {
    d.expires.erase(key);
  } else {
    d.expires[key] = when_ms;
  }
  Emit(db, it->first, KeyEventKind::kWritten);
  return it->second;
}

bool Keyspace::Delete(int db, std::string_view key) {
  if (ExpireIfNeeded(db, key)) return false;  // as Redis's DEL: expired keys count as absent
  Db& d = dbs_[db];
  auto it = d.dict.find(key);
  if (it == d.dict.end()) return false;
  std::string name(it->first);
  d.dict.erase(it);
  d.expires.erase(name);
  Emit(db, name, KeyEventKind::kDeleted);
  return true;
}

int64_t Keyspace::GetExpire(int db, std::string_view key) const {
  const Db& d = dbs_[db];
  auto it = d.expires.find(key);
  return it == d.expires.end() ? -1 : it->second;
}

void Keyspace::SetExpire(int db, std::string_view key, int64_t when_ms) {
  dbs_[db].expires[key] = when_ms;
  Emit(db, key, KeyEventKind::kWritten);
}

bool Keyspace::Persist(int db, std::string_view key) {
  if (dbs_[db].expires.erase(key) == 0) return false;
  Emit(db, key, KeyEventKind::kWritten);
  return true;
}

void Keyspace::TouchedMaybeEmpty(int db, std::string_view key) {
  const Object* o = Peek(db, key);
  if (o == nullptr) return;
  bool empty = false;
  switch (TypeOf(*o)) {
    case ObjType::kString:
      break;
    case ObjType::kList:
      empty = std::get<List>(*o).empty();
      break;
    case ObjType::kHash:
      empty = std::get<Hash>(*o).empty();
      break;
    case ObjType::kSet:
      empty = std::get<Set>(*o).empty();
      break;
    case ObjType::kZSet:
      empty = std::get<ZSet>(*o).empty();
      break;
  }
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
  d.dict.clear();
  d.expires.clear();
}

void Keyspace::FlushAll() {
  for (int i = 0; i < num_dbs(); ++i) FlushDb(i);
}

void Keyspace::SwapDb(int a, int b) {
  Emit(a, "", KeyEventKind::kSwapped, b);
  if (b != a) Emit(b, "", KeyEventKind::kSwapped, a);
  std::swap(dbs_[a], dbs_[b]);
}

size_t Keyspace::ActiveExpire() {
  size_t n = 0;
  for (int i = 0; i < num_dbs(); ++i) {
    std::vector<std::string> due;
    for (const auto& [key, when] : dbs_[i].expires) {
      if (now_ms() > when) due.push_back(key);
    }
    // Deterministic event order whatever the hash order.
    std::sort(due.begin(), due.end());
    for (const std::string& key : due) n += ExpireIfNeeded(i, key) ? 1 : 0;
  }
  return n;
}

std::string Keyspace::Check() const {
  for (int i = 0; i < num_dbs(); ++i) {
    const Db& d = dbs_[i];
    for (const auto& [key, when] : d.expires) {
      if (!d.dict.contains(key))
        return "db " + std::to_string(i) + ": TTL for missing key '" + key + "'";
    }
    for (const auto& [key, obj] : d.dict) {
      std::string why;
      switch (TypeOf(obj)) {
        case ObjType::kString:
          break;
        case ObjType::kList:
          if (std::get<List>(obj).empty()) why = "empty list";
          break;
        case ObjType::kHash:
          if (std::get<Hash>(obj).empty()) why = "empty hash";
          break;
        case ObjType::kSet:
          if (std::get<Set>(obj).empty()) why = "empty set";
          break;
        case ObjType::kZSet: {
          const ZSet& z = std::get<ZSet>(obj);
          why = z.empty() ? "empty zset" : z.Check();
          break;
        }
      }
      if (!why.empty()) return "db " + std::to_string(i) + " key '" + key + "': " + why;
    }
  }
  return "";
}

}  // namespace respfuzz::engine
