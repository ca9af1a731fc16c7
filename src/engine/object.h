// The value types a key can hold. Empty lists, hashes, sets and sorted sets
// never exist in a keyspace: the command that empties one deletes the key.
#ifndef RESPFUZZ_ENGINE_OBJECT_H_
#define RESPFUZZ_ENGINE_OBJECT_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "src/engine/hash_object.h"
#include "src/engine/stream.h"
#include "src/engine/zskiplist.h"

namespace respfuzz::engine {

// Transparent hashing on std::string_view. (Debian's abseil has its own
// absl::string_view, so its default string hasher does not take
// std::string_view lookups.)
struct StrHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};
struct StrEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
template <typename V>
using StrMap = absl::flat_hash_map<std::string, V, StrHash, StrEq>;
template <typename V>
using StrNodeMap = absl::node_hash_map<std::string, V, StrHash, StrEq>;
using StrSet = absl::flat_hash_set<std::string, StrHash, StrEq>;

enum class ObjType : uint8_t { kString, kList, kHash, kSet, kZSet, kStream };

// TYPE's answer: "string", "list", "hash", "set", "zset", "stream".
std::string_view ObjTypeName(ObjType t);

using List = std::deque<std::string>;
using Set = StrSet;

// A sorted set: member -> score for O(1) lookups, plus an ordered index by
// (score, member) for ranges and ranks: an order-statistic skip list
// (zskiplist.h), so ranks and rank offsets cost O(log n). Members order
// bytewise on equal scores, as Redis's skiplist does. Scores are never NaN.
class ZSet {
 public:
  using Entry = ZSkipList::Entry;
  using Index = ZSkipList;

  size_t size() const { return scores_.size(); }
  bool empty() const { return scores_.empty(); }
  const double* Score(std::string_view member) const;
  // Inserts or updates; returns true when the member is new.
  bool Set(std::string_view member, double score);
  bool Erase(std::string_view member);
  const Index& index() const { return index_; }
  const StrMap<double>& scores() const { return scores_; }
  // 0-based rank in ascending order; -1 when absent. O(log n).
  int64_t Rank(std::string_view member) const;
  // Checks the index's own invariants (order, spans, links) and that the map
  // and the index hold the same entries; the reason when not.
  std::string Check() const;

  // Redis 7.0 keeps a sorted set in a listpack until a member longer than
  // zset-max-listpack-value bytes (64) or one more than
  // zset-max-listpack-entries members (128) is added, and never converts
  // back (but a stored result is built as a skiplist and converted to a
  // listpack when small enough). A listpack stores scores as text, which
  // turns -0 into 0; a skiplist keeps -0. Sorted-set commands track this to
  // reply -0 exactly when Redis does, and OBJECT ENCODING reports it.
  bool listpack() const { return listpack_; }
  void set_listpack(bool v) { listpack_ = v; }

 private:
  StrMap<double> scores_;
  Index index_;
  bool listpack_ = true;
};

// A list, a hash (hash_object.h: a deque and an index) or a sorted set is
// held through one pointer. A variant is as large as its largest
// alternative, and a std::deque (80 bytes) or a ZSet (88) inline made every
// key's Object 96 bytes; held this way it is 48 (a Set's 40 and the index),
// which takes 48 bytes off every key, whatever its type: a third of the
// memory of a key with a short string value.
template <typename T>
class Boxed {
 public:
  Boxed() : p_(std::make_unique<T>()) {}
  Boxed(T v) : p_(std::make_unique<T>(std::move(v))) {}  // NOLINT(google-explicit-constructor)
  Boxed(const Boxed& o) : p_(std::make_unique<T>(*o.p_)) {}
  Boxed& operator=(const Boxed& o) {
    if (this != &o) p_ = std::make_unique<T>(*o.p_);
    return *this;
  }
  // A moved-from Boxed holds nothing; like any moved-from value it may only
  // be assigned to or destroyed.
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(Boxed&&) noexcept = default;
  ~Boxed() = default;

  T& get() { return *p_; }
  const T& get() const { return *p_; }

 private:
  std::unique_ptr<T> p_;
};

using ObjectVariant =
    std::variant<std::string, Boxed<List>, Boxed<Hash>, Set, Boxed<ZSet>, Boxed<Stream>>;

// How Redis 7.0.15 would encode a string (OBJECT ENCODING, REFCOUNT): what
// made it, from which the encoding follows.
enum class StrEnc : uint8_t {
  kTry = 0,  // tryObjectEncoding (SET, MSET, INCR, ...): int, embstr or raw by content
  kPlain,    // createStringObject (INCRBYFLOAT): embstr up to 44 bytes, else raw
  kRaw,      // written in place (APPEND to a key, SETRANGE, SETBIT, BITFIELD, BITOP): raw
};

// A value: the alternatives in ObjType's order. Read them with Is<T> and
// As<T> (T is std::string, List, Hash, Set or ZSet), which see through the
// boxes. The object also carries what Redis's robj encoding would be where
// the contents alone do not say it (a listpack or intset converts to a hash
// table and never back): bytes in the variant's tail padding, so with
// libstdc++ an Object is no larger than the variant (static_assert below).
class Object : public ObjectVariant {
 public:
  using ObjectVariant::ObjectVariant;
  Object() = default;

  // Strings.
  StrEnc str_enc() const { return str_enc_; }
  void set_str_enc(StrEnc e) { str_enc_ = e; }
  // A copy of an integer (COPY's dupStringObject) is not Redis's shared
  // integer object, whatever its value.
  bool unshared() const { return unshared_; }
  void set_unshared(bool v) { unshared_ = v; }
  // Hashes (listpack until converted), sets (intset until converted).
  bool hashtable() const { return hashtable_; }
  void set_hashtable(bool v) { hashtable_ = v; }
  // Redis's robj lru: the LRU clock (LruClock) when the value was created
  // or last looked up by a command that touches it (OBJECT IDLETIME).
  uint32_t lru() const { return lru_; }
  void set_lru(uint32_t v) { lru_ = v; }

 private:
  StrEnc str_enc_ = StrEnc::kTry;
  bool unshared_ = false;
  bool hashtable_ = false;
  uint32_t lru_ = 0;
};
// libstdc++'s variant leaves the tail padding these bytes use; libc++'s (the
// OSS-Fuzz build) does not, so there an Object is larger than the variant.
// The memory-per-key figures are libstdc++'s.
#if defined(__GLIBCXX__)
static_assert(sizeof(Object) == sizeof(ObjectVariant), "the encoding bytes must fit the padding");
#endif

inline ObjType TypeOf(const Object& o) { return static_cast<ObjType>(o.index()); }
// A list, hash, set or sorted set with no element left (Redis deletes such a
// key); a string or a stream never is (an empty stream stays).
bool IsEmptyAggregate(const Object& o);

// OBJECT ENCODING's answer for a value under the engine's limits (a list is
// always a quicklist in Redis 7.0), and OBJECT REFCOUNT's (2147483647 for
// Redis's shared integers 0 to 9999, else 1).
std::string_view EncodingName(const Object& o);
int64_t RefCount(const Object& o);
// Redis's LRU clock (LRU_CLOCK, 24 bits of seconds) at `now_ms`, and
// OBJECT IDLETIME's answer (estimateObjectIdleTime / 1000) for a value.
uint32_t LruClock(int64_t now_ms);
int64_t IdleSeconds(const Object& o, int64_t now_ms);
// Under an LFU maxmemory-policy (evict.cc): LFUGetTimeInMinutes at now_ms,
// and OBJECT FREQ's answer (LFUDecrAndReturn: the counter less one per
// minute since its last access, lfu-decay-time 1).
uint32_t LfuMinutes(int64_t now_ms);
int64_t LfuDecayedCounter(const Object& o, int64_t now_ms);
// objectSetLRUOrLFU, for a value loaded from an RDB payload (RESTORE, the
// RDB file): under an LFU policy its saved counter (-1: none), with its
// decay time set to now; else its saved idle seconds (-1: none) before
// `lru_clock`, wrapping as the 24-bit clock does. Without a saved field the
// stamp the value has is kept.
void SetLruOrLfu(Object* o, bool lfu, int64_t lfu_freq, int64_t lru_idle, uint32_t lru_clock,
                 int64_t now_ms);
// lazyfreeGetFreeEffort (lazyfree.cc): the allocations freeing the value
// takes, as Redis 7.0.15 estimates them (a list's: its quicklist nodes under
// list-max-listpack-size, as built by RPUSH).
size_t LazyfreeEffort(const Object& o, int64_t list_max_listpack_size);
// The quicklist of a list built by RPUSH of its elements in order
// (quicklistPushTail and _quicklistNodeAllowInsert; quicklistSetFill clamps
// the fill to -5 .. 32767; an element of `packed_threshold` bytes or more
// takes a plain node): its node count and the bytes of its nodes (each
// listpack's total bytes, a plain node's element). Redis's own layout
// depends on how the list was built (LPUSH, LINSERT, LREM and LTRIM's
// merges): this is the layout of a list built from scratch at the tail.
struct QuicklistShape {
  size_t nodes = 0;
  size_t bytes = 0;
};
// The node rule under both (QuicklistLayout, DUMP's list payload): fed the
// elements in order, Next says where each one goes.
class QuicklistTail {
 public:
  enum class Place { kSameNode, kNewNode, kPlainNode };
  QuicklistTail(int64_t fill, uint64_t packed_threshold);
  Place Next(std::string_view e);
  // The listpack bytes of the open (packed, last) node; 0 without one.
  size_t open_node_bytes() const { return open_ ? node_bytes_ : 0; }

 private:
  int64_t fill_;
  uint64_t packed_threshold_;
  bool open_ = false;
  size_t node_bytes_ = 0;
  int64_t node_count_ = 0;
};
QuicklistShape QuicklistLayout(const List& list, int64_t fill,
                               uint64_t packed_threshold = uint64_t{1} << 30);
// isSdsRepresentableAsLongLong: what an intset can hold.
bool IsIntsetMember(std::string_view s);

namespace object_internal {
template <typename T>
struct Stored {
  using type = T;
};
template <>
struct Stored<List> {
  using type = Boxed<List>;
};
template <>
struct Stored<Hash> {
  using type = Boxed<Hash>;
};
template <>
struct Stored<ZSet> {
  using type = Boxed<ZSet>;
};
template <>
struct Stored<Stream> {
  using type = Boxed<Stream>;
};
template <typename T>
struct Unbox {
  static T& Get(T& v) { return v; }
  static const T& Get(const T& v) { return v; }
};
template <typename T>
struct Unbox<Boxed<T>> {
  static T& Get(Boxed<T>& v) { return v.get(); }
  static const T& Get(const Boxed<T>& v) { return v.get(); }
};
}  // namespace object_internal

template <typename T>
bool Is(const Object& o) {
  return std::holds_alternative<typename object_internal::Stored<T>::type>(o);
}
template <typename T>
T& As(Object& o) {
  using S = typename object_internal::Stored<T>::type;
  return object_internal::Unbox<S>::Get(std::get<S>(o));
}
template <typename T>
const T& As(const Object& o) {
  using S = typename object_internal::Stored<T>::type;
  return object_internal::Unbox<S>::Get(std::get<S>(o));
}

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_OBJECT_H_
