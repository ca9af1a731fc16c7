// A hash's fields in Redis 7.0.15's listpack order: insertion order. A new
// field goes at the end, an existing field's value changes in place, a
// deleted field leaves the others in their order (t_hash.c's hashTypeSet and
// hashTypeDelete on a listpack). HGETALL, HKEYS, HVALS and DUMP read this
// order. Redis's hashtable encoding iterates in dict order, which depends on
// its per-process hash seed; the engine keeps insertion order there too (any
// order is as right as another, this one is deterministic).
//
// Lookups stay O(1): the entries live in a deque (push_back never moves an
// element, so an index of string_views into the fields stays valid), a
// deleted entry is a tombstone, and the deque is compacted when the
// tombstones outnumber the live entries (amortized O(1) per deletion).
#ifndef RESPFUZZ_ENGINE_HASH_OBJECT_H_
#define RESPFUZZ_ENGINE_HASH_OBJECT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace respfuzz::engine {

namespace hash_internal {
struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};
struct ViewEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
}  // namespace hash_internal

// A field and its value, and its place in the order (a deleted field's
// place is a tombstone until the next compaction).
using HashEntry = std::pair<std::string, std::string>;
struct HashSlot {
  HashEntry kv;
  bool live = true;
};

class Hash {
 public:
  using Entry = HashEntry;

  Hash() = default;
  Hash(std::initializer_list<Entry> entries);
  Hash(const Hash& o);
  Hash& operator=(const Hash& o);
  // A deque's move keeps its elements where they are, so the index moves
  // along with it.
  Hash(Hash&& o) noexcept = default;
  Hash& operator=(Hash&& o) noexcept = default;
  ~Hash() = default;

  size_t size() const { return index_.size(); }
  bool empty() const { return index_.empty(); }

  // The field's value, or nullptr.
  const std::string* Find(std::string_view field) const;
  std::string* Find(std::string_view field);
  bool Contains(std::string_view field) const { return index_.contains(field); }

  // Sets the field's value: a new field is appended (true), an existing one
  // changes in place (false).
  bool Set(std::string_view field, std::string value);
  // Appends the field when it is new (true); else changes nothing (false).
  bool SetIfAbsent(std::string_view field, std::string value);
  // Removes the field (true when it was there); the others keep their order.
  bool Erase(std::string_view field);

  // Iteration in order, over live entries only.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Entry;
    using difference_type = std::ptrdiff_t;
    using pointer = const Entry*;
    using reference = const Entry&;

    const_iterator() = default;
    reference operator*() const { return it_->kv; }
    pointer operator->() const { return &it_->kv; }
    const_iterator& operator++() {
      ++it_;
      Skip();
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator t = *this;
      ++*this;
      return t;
    }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }
    bool operator!=(const const_iterator& o) const { return it_ != o.it_; }

   private:
    friend class Hash;
    using Base = std::deque<HashSlot>::const_iterator;
    const_iterator(Base it, Base end) : it_(it), end_(end) { Skip(); }
    void Skip();
    Base it_{};
    Base end_{};
  };
  const_iterator begin() const { return const_iterator(slots_.begin(), slots_.end()); }
  const_iterator end() const { return const_iterator(slots_.end(), slots_.end()); }

  // The structure's own invariants (index and slots agree, the order has no
  // live duplicates); the reason when not, else "".
  std::string Check() const;

 private:
  void Rebuild();  // drops the tombstones and re-indexes

  std::deque<HashSlot> slots_;
  // field -> position in slots_; the view is of the slot's own field.
  absl::flat_hash_map<std::string_view, size_t, hash_internal::ViewHash, hash_internal::ViewEq>
      index_;
};

inline void Hash::const_iterator::Skip() {
  while (it_ != end_ && !it_->live) ++it_;
}

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_HASH_OBJECT_H_
