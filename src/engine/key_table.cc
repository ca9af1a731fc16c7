#include "src/engine/key_table.h"

#include <cstring>
#include <new>

namespace respfuzz::engine {

KeyEntry* KeyEntry::Make(std::string_view key) {
  void* block = ::operator new(sizeof(KeyEntry) + key.size());
  auto* e = new (block) KeyEntry(key.size());
  if (!key.empty()) std::memcpy(static_cast<void*>(e + 1), key.data(), key.size());
  return e;
}

void KeyEntry::Free(KeyEntry* e) {
  e->~KeyEntry();
  // Unsized: clang before 16 (AFL++'s afl-clang-fast++ here) has no sized
  // operator delete without -fsized-deallocation.
  ::operator delete(static_cast<void*>(e));
}

std::pair<KeyTable::iterator, bool> KeyTable::try_emplace(std::string_view key) {
  bool created = false;
  auto it = set_.lazy_emplace(key, [&](const Set::constructor& construct) {
    construct(KeyEntry::Make(key));
    created = true;
  });
  return {iterator(it), created};
}

void KeyTable::erase(iterator it) {
  KeyEntry* e = *it.it_;
  set_.erase(it.it_);
  KeyEntry::Free(e);
}

size_t KeyTable::erase(std::string_view key) {
  auto it = set_.find(key);
  if (it == set_.end()) return 0;
  erase(iterator(it));
  return 1;
}

void KeyTable::clear() {
  for (KeyEntry* e : set_) KeyEntry::Free(e);
  set_.clear();
}

}  // namespace respfuzz::engine
