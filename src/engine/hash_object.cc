#include "src/engine/hash_object.h"

namespace respfuzz::engine {

namespace {
// Compaction starts once this many tombstones outnumber the live entries.
constexpr size_t kMinTombstones = 8;
}  // namespace

Hash::Hash(std::initializer_list<Entry> entries) {
  for (const Entry& e : entries) Set(e.first, e.second);
}

Hash::Hash(const Hash& o) {
  for (const Entry& e : o) {
    slots_.push_back(HashSlot{e, true});
    index_.emplace(slots_.back().kv.first, slots_.size() - 1);
  }
}

Hash& Hash::operator=(const Hash& o) {
  if (this != &o) {
    Hash copy(o);
    *this = std::move(copy);
  }
  return *this;
}

const std::string* Hash::Find(std::string_view field) const {
  auto it = index_.find(field);
  return it == index_.end() ? nullptr : &slots_[it->second].kv.second;
}

std::string* Hash::Find(std::string_view field) {
  auto it = index_.find(field);
  return it == index_.end() ? nullptr : &slots_[it->second].kv.second;
}

bool Hash::Set(std::string_view field, std::string value) {
  if (std::string* v = Find(field)) {
    *v = std::move(value);
    return false;
  }
  slots_.push_back(HashSlot{Entry(std::string(field), std::move(value)), true});
  index_.emplace(slots_.back().kv.first, slots_.size() - 1);
  return true;
}

bool Hash::SetIfAbsent(std::string_view field, std::string value) {
  if (Contains(field)) return false;
  return Set(field, std::move(value));
}

bool Hash::Erase(std::string_view field) {
  auto it = index_.find(field);
  if (it == index_.end()) return false;
  HashSlot& slot = slots_[it->second];
  index_.erase(it);  // before the view's string goes
  slot.live = false;
  slot.kv = Entry();
  const size_t dead = slots_.size() - index_.size();
  if (index_.empty()) {
    slots_.clear();
  } else if (dead >= kMinTombstones && dead > index_.size()) {
    Rebuild();
  }
  return true;
}

void Hash::Rebuild() {
  std::deque<HashSlot> live;
  for (HashSlot& s : slots_) {
    if (s.live) live.push_back(std::move(s));
  }
  index_.clear();
  slots_ = std::move(live);
  for (size_t i = 0; i < slots_.size(); ++i) index_.emplace(slots_[i].kv.first, i);
}

std::string Hash::Check() const {
  size_t live = 0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    const HashSlot& s = slots_[i];
    if (!s.live) continue;
    ++live;
    auto it = index_.find(s.kv.first);
    if (it == index_.end()) return "hash field '" + s.kv.first + "' is missing from the index";
    if (it->second != i) return "hash field '" + s.kv.first + "' is indexed at another place";
    if (it->first.data() != s.kv.first.data()) {
      return "hash field '" + s.kv.first + "' is indexed by a stale view";
    }
  }
  if (live != index_.size()) {
    return "hash index has " + std::to_string(index_.size()) + " fields, the order " +
           std::to_string(live);
  }
  return "";
}

}  // namespace respfuzz::engine
