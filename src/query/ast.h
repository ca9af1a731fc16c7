// The typed AST of a RediSearch-style (dialect 2) query.
//
// An Ast is a flat vector of nodes; a node names its children by index into
// one shared child list. Every child is added before its parent, so a child's
// index is always smaller than its parent's and the root is the last node.
// Walks that need bottom-up order (evaluation, depth) are one forward loop;
// nothing about the AST uses native recursion, and destroying an Ast of any
// depth destroys two vectors.
//
// Values that may come from a parameter ($name) are Param<T>: a literal
// (empty name), a resolved reference (name and value), or an unresolved
// reference (name only, when the query was parsed without a PARAMS list).
// The printer writes references as $name, so reparsing with the same PARAMS
// gives the same AST.
#ifndef RESPFUZZ_QUERY_AST_H_
#define RESPFUZZ_QUERY_AST_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace respfuzz::query {

enum class NodeKind : uint8_t {
  kAnd,       // children: 2 or more (implicit AND of adjacent operands)
  kOr,        // children: 2 or more ('|')
  kNot,       // one child ('-')
  kOptional,  // one child ('~')
  kField,     // one child; `fields` scope the text leaves under it ('@a|b:')
  kAll,       // '*': every document
  kTerm,      // `term`
  kPrefix,    // `term*`
  kSuffix,    // `*term`
  kInfix,     // `*term*`
  kFuzzy,     // %term%, %%term%%, %%%term%%% (`fuzzy` = 1..3)
  kWildcard,  // w'pattern' (`term` holds the pattern, see below)
  kPhrase,    // "w1 w2 ..." (`words`)
  kTag,       // @f:{a | b*} (`field`, `tags`)
  kNumeric,   // @f:[min max] (`field`, `range`)
  kGeo,       // @f:[lon lat radius unit] (`field`, `geo`)
  kMissing,   // ismissing(@f) (`field`)
  kKnn,       // filter=>[KNN k @v $B ...]: one child (the filter); root only
};

std::string_view NodeKindName(NodeKind kind);

// A literal, or a $name reference, resolved or not.
template <typename T>
struct Param {
  T value{};
  std::string name;  // empty: a literal
  bool resolved = true;

  bool is_ref() const { return !name.empty(); }
  bool operator==(const Param&) const = default;
};

enum class TagMatch : uint8_t { kExact, kPrefix, kSuffix, kInfix };

struct TagValue {
  Param<std::string> text;  // lowercased; a parameter only with kExact
  TagMatch match = TagMatch::kExact;
  bool operator==(const TagValue&) const = default;
};

struct Bound {
  Param<double> value;  // may be +-inf
  bool exclusive = false;
  bool operator==(const Bound& o) const;  // doubles compared bit for bit
};

struct NumericRange {
  Bound min, max;
  bool operator==(const NumericRange&) const = default;
};

enum class GeoUnit : uint8_t { kMeters, kKilometers, kMiles, kFeet };
std::string_view GeoUnitName(GeoUnit unit);
double GeoUnitMeters(GeoUnit unit);

struct GeoFilter {
  Param<double> lon, lat, radius;
  GeoUnit unit = GeoUnit::kMeters;
  bool operator==(const GeoFilter& o) const;
};

struct KnnClause {
  Param<int64_t> k;
  std::string field;        // the vector field
  Param<std::string> blob;  // always a parameter; value: the raw bytes
  std::string as;           // AS name; empty when absent
  std::optional<Param<int64_t>> ef_runtime;
  bool operator==(const KnnClause&) const = default;
};

// Query attributes, =>{$weight: 2; $slop: 1; $inorder: true; $phonetic: false}.
// Carried and printed; the evaluator does not score, so it ignores them.
struct Attributes {
  std::optional<double> weight;
  std::optional<int64_t> slop;
  std::optional<bool> inorder;
  std::optional<bool> phonetic;
  bool empty() const { return !weight && !slop && !inorder && !phonetic; }
  bool operator==(const Attributes& o) const;
};

// Payload that only some kinds carry, kept out of Node so nodes stay small.
struct NodeExtra {
  std::vector<std::string> words;  // kPhrase: lowercased words; kField: field names
  std::string field;               // kTag, kNumeric, kGeo, kMissing
  std::vector<TagValue> tags;      // kTag
  NumericRange range;              // kNumeric
  GeoFilter geo;                   // kGeo
  KnnClause knn;                   // kKnn
  Attributes attrs;                // any kind
};

struct Node {
  static constexpr uint32_t kNoExtra = UINT32_MAX;

  NodeKind kind = NodeKind::kAll;
  uint8_t fuzzy = 0;    // kFuzzy: the edit distance, 1..3
  uint32_t offset = 0;  // query byte where the node starts (not part of equality)
  uint32_t first_child = 0;
  uint32_t num_children = 0;
  uint32_t extra = kNoExtra;  // index of its NodeExtra in the Ast, if any
  // kTerm, kPrefix, kSuffix, kInfix, kFuzzy: the lowercased text (kTerm may
  // be a parameter). kWildcard: the lowercased pattern, where '*' and '?' are
  // wildcards and a backslash makes the next byte literal; the parser keeps a
  // backslash only before * ? \ and '.
  Param<std::string> term;
};

class Ast {
 public:
  // Appends `node` (and its extra payload) with these children (each an
  // existing index that has no parent yet, unchecked here; Validate()
  // checks) and returns its index. The last node added is the root.
  uint32_t Add(Node node, std::span<const uint32_t> children);
  uint32_t Add(Node node, NodeExtra extra, std::span<const uint32_t> children);

  size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }
  uint32_t root() const { return static_cast<uint32_t>(nodes_.size() - 1); }
  const Node& node(uint32_t i) const { return nodes_[i]; }
  Node& mutable_node(uint32_t i) { return nodes_[i]; }
  // The node's extra payload; an empty one when it has none.
  const NodeExtra& extra(uint32_t i) const {
    return nodes_[i].extra == Node::kNoExtra ? kEmptyExtra : extras_[nodes_[i].extra];
  }
  const Attributes& attrs(uint32_t i) const { return extra(i).attrs; }
  // Creates the payload when the node has none.
  NodeExtra& mutable_extra(uint32_t i);
  // Appends a copy of the subtree of `from` under `node` (children first, in
  // their original order) and returns the copy's root. `from` may not be
  // *this.
  uint32_t AppendCopy(const Ast& from, uint32_t node);
  void Reserve(size_t nodes) {
    nodes_.reserve(nodes);
    children_.reserve(nodes);
  }
  std::span<const uint32_t> children(uint32_t i) const {
    return {children_.data() + nodes_[i].first_child, nodes_[i].num_children};
  }
  // Replaces child `n` of node `i` (tests build broken trees with it).
  void set_child(uint32_t i, uint32_t n, uint32_t child) {
    children_[nodes_[i].first_child + n] = child;
  }

  // Height of the tree under `i` (a leaf is 1); Depth() is the root's.
  int Height(uint32_t i) const;
  int Depth() const { return empty() ? 0 : Height(root()); }

  // Structure: children before parents, every node but the root has exactly
  // one parent, arities and payloads fit the kinds, kKnn only at the root.
  absl::Status Validate() const;

 private:
  static const NodeExtra kEmptyExtra;

  std::vector<Node> nodes_;
  std::vector<uint32_t> children_;
  std::vector<NodeExtra> extras_;
};

// Same kind and payload (children and offsets aside).
bool SameNode(const Ast& a, uint32_t i, const Ast& b, uint32_t j);
// Structural equality of the trees under the roots (offsets ignored).
bool operator==(const Ast& a, const Ast& b);
// Equality of the subtrees under a[i] and b[j].
bool SubtreeEqual(const Ast& a, uint32_t i, const Ast& b, uint32_t j);

}  // namespace respfuzz::query

#endif  // RESPFUZZ_QUERY_AST_H_
