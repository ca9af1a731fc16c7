// The value types a key can hold. Empty lists, hashes, sets and sorted sets
// never exist in a keyspace: the command that empties one deletes the key.
#ifndef RESPFUZZ_ENGINE_OBJECT_H_
#define RESPFUZZ_ENGINE_OBJECT_H_

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
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

enum class ObjType : uint8_t { kString, kList, kHash, kSet, kZSet };

// TYPE's answer: "string", "list", "hash", "set", "zset".
std::string_view ObjTypeName(ObjType t);

using List = std::deque<std::string>;
using Hash = StrMap<std::string>;
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

  // Redis 7.0 keeps a sorted set in a listpack until a member longer than 64
  // bytes or a 129th member is added (zset-max-listpack-value/-entries), and
  // never converts back. A listpack stores scores as text, which turns -0
  // into 0; a skiplist keeps -0. Sorted-set commands track this to reply -0
  // exactly when Redis does.
  static constexpr size_t kListpackMaxEntries = 128;
  static constexpr size_t kListpackMaxValue = 64;
  bool listpack() const { return listpack_; }
  void set_listpack(bool v) { listpack_ = v; }

 private:
  StrMap<double> scores_;
  Index index_;
  bool listpack_ = true;
};

using Object = std::variant<std::string, List, Hash, Set, ZSet>;

inline ObjType TypeOf(const Object& o) { return static_cast<ObjType>(o.index()); }

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_OBJECT_H_
