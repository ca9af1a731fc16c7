// KeyTable: a db's keys and their values, one heap block per key.
//
// Each key is one KeyEntry: the Object and, right after it in the same
// allocation, the key's bytes. The table itself is a flat hash set of entry
// pointers (8 bytes and a control byte per slot). A node_hash_map<std::string,
// Object> spends a node (the key's std::string and the Object) plus, for a key
// longer than std::string's 15 inline bytes (redis-benchmark's are 16), a
// second block for the key's bytes: 32 bytes more per key under glibc, which
// was a quarter of the memory of a key with a short value.
//
// Entries never move: an Object& stays valid while other keys are inserted or
// erased (RENAME, SMOVE, LMOVE hold two at once), until its own key is erased
// or the table cleared.
//
// The interface is the subset of a map that the keyspace uses. Iteration
// yields KeyEntry&, whose key() is a std::string_view; structured bindings
// give (key, value): `for (auto& [key, value] : table)`.
#ifndef RESPFUZZ_ENGINE_KEY_TABLE_H_
#define RESPFUZZ_ENGINE_KEY_TABLE_H_

#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "src/engine/object.h"

namespace respfuzz::engine {

class KeyEntry {
 public:
  Object value;

  std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_len_}; }

  // Structured bindings: get<0> is the key, get<1> the value.
  template <size_t I>
  decltype(auto) get() const {
    if constexpr (I == 0) {
      return key();
    } else {
      return static_cast<const Object&>(value);
    }
  }
  template <size_t I>
  decltype(auto) get() {
    if constexpr (I == 0) {
      return key();
    } else {
      return static_cast<Object&>(value);
    }
  }

 private:
  friend class KeyTable;
  explicit KeyEntry(size_t key_len) : key_len_(key_len) {}
  ~KeyEntry() = default;
  // One block: the entry, then the key's bytes.
  static KeyEntry* Make(std::string_view key);
  static void Free(KeyEntry* e);

  size_t key_len_;
};

class KeyTable {
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return StrHash{}(k); }
    size_t operator()(const KeyEntry* e) const { return StrHash{}(e->key()); }
  };
  struct Eq {
    using is_transparent = void;
    static std::string_view K(std::string_view k) { return k; }
    static std::string_view K(const KeyEntry* e) { return e->key(); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return K(a) == K(b);
    }
  };
  using Set = absl::flat_hash_set<KeyEntry*, Hash, Eq>;

  template <typename SetIt, typename E>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = KeyEntry;
    using difference_type = std::ptrdiff_t;
    using pointer = E*;
    using reference = E&;

    Iter() = default;
    explicit Iter(SetIt it) : it_(it) {}
    // iterator -> const_iterator
    template <typename S, typename F>
    Iter(const Iter<S, F>& o) : it_(o.it_) {}  // NOLINT(google-explicit-constructor)

    E& operator*() const { return **it_; }
    E* operator->() const { return *it_; }
    Iter& operator++() {
      ++it_;
      return *this;
    }
    Iter operator++(int) {
      Iter t = *this;
      ++it_;
      return t;
    }
    friend bool operator==(const Iter& a, const Iter& b) { return a.it_ == b.it_; }
    friend bool operator!=(const Iter& a, const Iter& b) { return a.it_ != b.it_; }

   private:
    friend class KeyTable;
    template <typename, typename>
    friend class Iter;
    SetIt it_;
  };

 public:
  using iterator = Iter<Set::iterator, KeyEntry>;
  using const_iterator = Iter<Set::const_iterator, const KeyEntry>;

  KeyTable() = default;
  ~KeyTable() { clear(); }
  KeyTable(KeyTable&& o) noexcept : set_(std::move(o.set_)) { o.set_.clear(); }
  KeyTable& operator=(KeyTable&& o) noexcept {
    if (this != &o) {
      clear();
      set_ = std::move(o.set_);
      o.set_.clear();
    }
    return *this;
  }
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  size_t size() const { return set_.size(); }
  bool empty() const { return set_.empty(); }
  iterator begin() { return iterator(set_.begin()); }
  iterator end() { return iterator(set_.end()); }
  const_iterator begin() const { return const_iterator(set_.begin()); }
  const_iterator end() const { return const_iterator(set_.end()); }

  iterator find(std::string_view key) { return iterator(set_.find(key)); }
  const_iterator find(std::string_view key) const { return const_iterator(set_.find(key)); }
  bool contains(std::string_view key) const { return set_.contains(key); }

  // The key's entry, created with an empty string value when absent; true
  // when created.
  std::pair<iterator, bool> try_emplace(std::string_view key);
  void erase(iterator it);
  size_t erase(std::string_view key);
  void clear();

 private:
  Set set_;
};

}  // namespace respfuzz::engine

// KeyEntry is tuple-like for structured bindings.
template <>
struct std::tuple_size<respfuzz::engine::KeyEntry> : std::integral_constant<size_t, 2> {};
template <>
struct std::tuple_element<0, respfuzz::engine::KeyEntry> {
  using type = std::string_view;
};
template <>
struct std::tuple_element<1, respfuzz::engine::KeyEntry> {
  using type = respfuzz::engine::Object;
};
// (The standard library derives the const versions.)

#endif  // RESPFUZZ_ENGINE_KEY_TABLE_H_
