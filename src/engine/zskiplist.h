// An order-statistic skip list of (score, member) entries: the ordered index
// of a sorted set (ZSet), in the order Redis's skiplist keeps (score, then
// member bytewise). Every forward link carries its span, the number of
// entries it steps over, so rank lookups (Rank, AtRank) cost O(log n) like
// search, insert and erase.
//
// Deterministic: a node's height comes from a PRNG (splitmix64) that each
// list owns, seeded with a constant, so the same sequence of operations
// always builds the same structure (no global randomness). A copy is built
// by inserting the entries in order with the copy's own PRNG.
#ifndef RESPFUZZ_ENGINE_ZSKIPLIST_H_
#define RESPFUZZ_ENGINE_ZSKIPLIST_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace respfuzz::engine {

class ZSkipList {
 public:
  using Entry = std::pair<double, std::string>;
  // Redis's ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P (1/4).
  static constexpr int kMaxLevel = 32;
  static constexpr uint64_t kSeed = 0x5eed'2a11'0f5c'0a7eULL;

 private:
  struct Node;

 public:
  class const_iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = Entry;
    using difference_type = std::ptrdiff_t;
    using pointer = const Entry*;
    using reference = const Entry&;

    const_iterator() = default;
    reference operator*() const;
    pointer operator->() const { return &**this; }
    const_iterator& operator++();
    const_iterator& operator--();  // end() steps back to the last entry
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    const_iterator operator--(int) {
      const_iterator old = *this;
      --*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return node_ == o.node_; }
    bool operator!=(const const_iterator& o) const { return node_ != o.node_; }

   private:
    friend class ZSkipList;
    const_iterator(const ZSkipList* list, const Node* node) : list_(list), node_(node) {}
    const ZSkipList* list_ = nullptr;
    const Node* node_ = nullptr;  // nullptr: end()
  };

  ZSkipList() = default;
  ~ZSkipList();
  ZSkipList(const ZSkipList& other);
  ZSkipList& operator=(const ZSkipList& other);
  ZSkipList(ZSkipList&& other) noexcept;
  ZSkipList& operator=(ZSkipList&& other) noexcept;

  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }
  const_iterator begin() const;
  const_iterator end() const { return const_iterator(this, nullptr); }

  // Adds (score, member), which must not be in the list yet.
  void Insert(double score, std::string_view member);
  // Removes (score, member); false when it is not there.
  bool Erase(double score, std::string_view member);
  // Gives the entry (old_score, member), which must be there, a new score;
  // in place when its position does not change.
  void UpdateScore(double old_score, std::string_view member, double new_score);
  // The first entry not below (score, member) / above it; end() when none.
  const_iterator lower_bound(double score, std::string_view member) const;
  const_iterator upper_bound(double score, std::string_view member) const;
  // The 0-based rank of an entry of this list; size() for end(). O(log n).
  size_t Rank(const_iterator it) const;
  // The rank of (score, member), or -1 when it is not in the list. O(log n).
  int64_t RankOf(double score, std::string_view member) const;
  // The entry at a 0-based rank; end() when rank >= size(). O(log n).
  const_iterator AtRank(size_t rank) const;
  void clear();

  // The invariants: entries strictly ascending, spans equal to the distance
  // they step over (a link to nowhere spans the entries after its node),
  // backward links and the tail, heights within 1..kMaxLevel, the level and
  // the length. Empty when they hold, else the first broken one.
  std::string Check() const;
  // The height of every entry's node, in order: the structure's shape
  // (tests compare it to show the same operations build the same list).
  std::vector<int> Heights() const;

 private:
  friend struct ZSkipListTestPeer;  // tests break an invariant to see Check() fail
  struct Link {
    Node* next;
    size_t span;
  };
  struct Node {
    Entry entry;
    Node* backward;
    int height;
    Link* links() { return reinterpret_cast<Link*>(this + 1); }
    const Link* links() const { return reinterpret_cast<const Link*>(this + 1); }
  };
  static Node* NewNode(int height, double score, std::string_view member);
  static void FreeNode(Node* n);
  int RandomHeight();
  void GrowHeader(int height);
  // Fills update[i] with the last node at level i that is below (score,
  // member) and rank[i] with its rank (header = 0); returns the next node.
  Node* FindPredecessors(double score, std::string_view member, Node** update, size_t* rank) const;
  void Unlink(Node* x, Node** update);
  void CopyFrom(const ZSkipList& other);

  Node* header_ = nullptr;  // height header_height_; allocated on the first insert
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;          // levels in use (Redis's zsl->level)
  int header_height_ = 0;  // levels allocated in the header
  uint64_t rng_ = kSeed;
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_ZSKIPLIST_H_
