// The lean reply tree: what resp::ReplyBuilder (reader.h) builds from the
// reader's events, and what the RESP harnesses and the benchmarks read.
//
// A ReplyTree holds a sequence of complete top-level values. Every value is a
// run of fixed-size 24-byte nodes in one vector, in wire (pre-)order: an
// aggregate's node is followed by its elements' runs and knows its span (the
// nodes of its whole subtree), so the next sibling is one addition away and
// nothing is a pointer. String payloads are (offset, length) into one byte
// arena the tree owns. Attributes are kept out of the nodes and out of the
// element sequence: a value's attribute is a kAttribute node (its pairs
// following it) placed just before the value; element iteration steps over
// it, and only ReplyRef::attributes() sees it. Consecutive attributes before
// one value are merged into one, as resp::Value merges them.
//
// Building costs one node append per value and one arena append per payload;
// clear() keeps every buffer's capacity, so a reused tree allocates nothing
// once it has grown. resp::Value stays the owned, mutable type for code that
// builds values by hand; ToValue() and ReplyTree::Append(const Value&)
// convert between the two. Those conversions walk values with the reader's
// builders, so they are defined in respfuzz_resp (reply_convert.cc), not in
// respfuzz_resp_values: code that links only the values cannot call them.
#ifndef RESPFUZZ_RESP_REPLY_H_
#define RESPFUZZ_RESP_REPLY_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "src/resp/value.h"
#include "src/resp/writer.h"

namespace respfuzz::resp {

// One node. `a` and `b` by type:
//   kInteger                  a: the value (two's complement)
//   kDouble                   a: the bits of the double
//   kBoolean                  a: 0 or 1
//   string-like types         a: offset into the arena (or into block
//                             `block` - 1, a buffer taken from the reader
//                             for a big bulk), b: length
//   aggregates, kAttribute    a: elements (flat: keys and values of a map
//                             count one each), b: span (nodes of the
//                             subtree, this one included)
//   nulls                     nothing
struct ReplyNode {
  Type type = Type::kNull;
  uint32_t block = 0;  // string-like types: 0 = the arena, else a block's index + 1
  uint64_t a = 0;
  uint64_t b = 0;

  bool aggregate() const { return IsAggregate(type); }
  uint64_t span() const { return aggregate() ? b : 1; }
};
static_assert(sizeof(ReplyNode) == 24, "a reply node is 24 bytes");

class ReplyTree;
class ReplyElems;

// A read-only view of one value in a ReplyTree: two indices and a pointer,
// cheap to copy. Valid until the tree is changed (appended to, cleared or
// destroyed); str() views the tree's arena.
class ReplyRef {
 public:
  static constexpr uint64_t kNone = ~uint64_t{0};

  Type type() const { return node().type; }
  bool has_attributes() const { return attr_ != kNone; }
  int64_t integer() const { return static_cast<int64_t>(node().a); }
  double dbl() const {
    double d;
    std::memcpy(&d, &node().a, sizeof d);
    return d;
  }
  bool boolean() const { return node().a != 0; }
  // The payload of a string-like value; empty for any other type.
  std::string_view str() const;
  // Elements: flat (a map's keys and values count one each), and logical
  // (pairs for maps), as Value::elems.size() and Value::size().
  size_t elem_count() const { return node().aggregate() ? node().a : 0; }
  size_t size() const { return type() == Type::kMap ? elem_count() / 2 : elem_count(); }
  ReplyElems elems() const;
  // The i-th element (flat), i < elem_count(); O(i): elements are found by
  // skipping spans.
  ReplyRef elem(size_t i) const;
  // The attribute's flat key/value pairs; empty when there is none.
  ReplyElems attributes() const;
  // Nodes of this value, its attribute's and all elements' (a Value's
  // NodeCount() counts the same nodes but the attribute nodes, one for each
  // value with attributes).
  uint64_t nodes() const { return end() - begin(); }

  // The value's run of nodes, attribute first: [begin(), end()).
  uint64_t begin() const { return attr_ != kNone ? attr_ : node_; }
  uint64_t end() const { return node_ + node().span(); }
  const ReplyTree& tree() const { return *tree_; }
  uint64_t index() const { return node_; }

 private:
  friend class ReplyTree;
  friend class ReplyElems;
  ReplyRef(const ReplyTree* tree, uint64_t node, uint64_t attr)
      : tree_(tree), node_(node), attr_(attr) {}
  const ReplyNode& node() const;

  const ReplyTree* tree_;
  uint64_t node_;  // the value's node
  uint64_t attr_;  // its attribute node, or kNone
};

// The elements of an aggregate (or an attribute's pairs), in order.
class ReplyElems {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = ReplyRef;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = ReplyRef;

    ReplyRef operator*() const;
    iterator& operator++();
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& o) const { return left_ == o.left_; }

   private:
    friend class ReplyElems;
    iterator(const ReplyTree* tree, uint64_t pos, uint64_t left)
        : tree_(tree), pos_(pos), left_(left) {}
    const ReplyTree* tree_;
    uint64_t pos_;   // where the current element's run starts
    uint64_t left_;  // elements from the current one on
  };

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  iterator begin() const { return iterator(tree_, first_, count_); }
  iterator end() const { return iterator(tree_, 0, 0); }

 private:
  friend class ReplyRef;
  ReplyElems(const ReplyTree* tree, uint64_t first, uint64_t count)
      : tree_(tree), first_(first), count_(count) {}
  const ReplyTree* tree_;
  uint64_t first_;
  uint64_t count_;
};

class ReplyTree {
 public:
  ReplyTree() = default;
  ReplyTree(const ReplyTree&) = default;
  ReplyTree& operator=(const ReplyTree&) = default;
  ReplyTree(ReplyTree&&) noexcept = default;
  ReplyTree& operator=(ReplyTree&&) noexcept = default;

  // Complete top-level values.
  size_t size() const { return roots_.size(); }
  bool empty() const { return roots_.empty(); }
  ReplyRef operator[](size_t i) const { return At(roots_[i]); }
  ReplyRef front() const { return (*this)[0]; }
  ReplyRef back() const { return (*this)[size() - 1]; }

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = ReplyRef;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = ReplyRef;
    ReplyRef operator*() const { return (*tree_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    friend class ReplyTree;
    iterator(const ReplyTree* tree, size_t i) : tree_(tree), i_(i) {}
    const ReplyTree* tree_;
    size_t i_;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size()); }

  // Drops the complete values and keeps every buffer's capacity. A value a
  // ReplyBuilder is still building stays, and goes on being built.
  void clear();
  // Drops everything, a value still being built included, and frees the
  // big payloads' blocks (only the node and arena capacity stays); a builder
  // writing here must then be given the tree again (ReplyBuilder::SetOutput).
  void Reset();

  // Appends a copy of `v` as a new top-level value. Fails, appending
  // nothing, when `v` holds what a reply cannot: a value of type kAttribute
  // (attributes belong in Value::attributes) or attributes without
  // has_attributes. Also fails while a builder has a value in progress here.
  absl::Status Append(const Value& v);
  // Appends a copy of a value of any tree (this one included).
  void Append(ReplyRef v);

  // Nodes and arena bytes held, of complete values and any value in progress.
  size_t node_count() const { return nodes_.size(); }
  size_t arena_bytes() const { return arena_.size(); }
  const ReplyNode& node(uint64_t i) const { return nodes_[i]; }
  // A string-like node's payload.
  std::string_view payload(const ReplyNode& n) const {
    return std::string_view((n.block == 0 ? arena_.data() : blocks_[n.block - 1].data()) + n.a,
                            n.b);
  }
  // Buffers taken from the reader (ReplyBuilder::OnStringBuffer), each
  // holding one big payload.
  size_t blocks() const { return blocks_.size(); }

  // Turns every null of type `from` into `to`, both null types (kNull,
  // kNullBulk, kNullArray); other arguments change nothing.
  void RetypeNulls(Type from, Type to);

 private:
  friend class ReplyBuilder;
  friend class ReplyRef;
  friend class ReplyElems;

  // The value whose run starts at `pos` (its attribute, if any, comes first).
  ReplyRef At(uint64_t pos) const {
    return nodes_[pos].type == Type::kAttribute ? ReplyRef(this, pos + nodes_[pos].b, pos)
                                                : ReplyRef(this, pos, ReplyRef::kNone);
  }
  bool building() const { return nodes_.size() > done_nodes_; }
  // Inlined into the builder's hot paths (a call here cost 8% of small replies).
  __attribute__((always_inline)) void Commit() {
    roots_.push_back(done_nodes_);
    done_nodes_ = nodes_.size();
    done_bytes_ = arena_.size();
  }

  std::vector<ReplyNode> nodes_;
  std::string arena_;
  std::vector<uint64_t> roots_;  // where each complete value's run starts
  std::vector<std::string> blocks_;
  std::string spare_block_;  // a dropped block's storage, for the reader's next buffer
  // nodes_[done_nodes_, end) and arena_[done_bytes_, end) belong to a value
  // still being built.
  uint64_t done_nodes_ = 0;
  uint64_t done_bytes_ = 0;
};

inline const ReplyNode& ReplyRef::node() const { return tree_->nodes_[node_]; }

inline std::string_view ReplyRef::str() const {
  const ReplyNode& n = node();
  if (!IsStringLike(n.type)) return {};
  return tree_->payload(n);
}

inline ReplyElems ReplyRef::elems() const {
  const ReplyNode& n = node();
  return n.aggregate() ? ReplyElems(tree_, node_ + 1, n.a) : ReplyElems(tree_, 0, 0);
}

inline ReplyElems ReplyRef::attributes() const {
  if (attr_ == kNone) return ReplyElems(tree_, 0, 0);
  return ReplyElems(tree_, attr_ + 1, tree_->nodes_[attr_].a);
}

inline ReplyRef ReplyElems::iterator::operator*() const { return tree_->At(pos_); }

inline ReplyElems::iterator& ReplyElems::iterator::operator++() {
  const ReplyNode* n = &tree_->nodes_[pos_];
  if (n->type == Type::kAttribute) {
    pos_ += n->b;
    n = &tree_->nodes_[pos_];
  }
  pos_ += n->span();
  --left_;
  return *this;
}

// Structural equality with resp::Value's rules: doubles by value, NaN equal
// to NaN, 0.0 distinct from -0.0; attributes compared (an empty attribute is
// not no attribute); payloads by bytes, wherever they sit. Linear, no
// recursion.
bool Equal(ReplyRef a, ReplyRef b);
// The same against a Value (false when `b` holds what a reply cannot).
bool Equal(ReplyRef a, const Value& b);
inline bool operator==(ReplyRef a, ReplyRef b) { return Equal(a, b); }
inline bool operator==(ReplyRef a, const Value& b) { return Equal(a, b); }
// Same values in the same order.
bool operator==(const ReplyTree& a, const ReplyTree& b);
bool operator==(const ReplyTree& a, const std::vector<Value>& b);

// Conversions to the owned type.
Value ToValue(ReplyRef v);
std::vector<Value> ToValues(const ReplyTree& t);

// ToDebugString(ToValue(v)): the same one-line form as for a Value.
std::string ToDebugString(ReplyRef v, size_t max_len = 4096);

// Appends the encoding of `v` (writer.h's rules): one pass over its nodes,
// which are in wire order already (RESP2 skips the attribute nodes).
// Implemented in writer.cc.
void Write(ReplyRef v, Protocol protocol, std::string* out,
           DoubleStyle doubles = DoubleStyle::kShortest);
std::string Write(ReplyRef v, Protocol protocol, DoubleStyle doubles = DoubleStyle::kShortest);

}  // namespace respfuzz::resp

#endif  // RESPFUZZ_RESP_REPLY_H_
