#include "src/query/ast.h"

#include <algorithm>
#include <bit>
#include <utility>

#include "absl/strings/str_cat.h"

namespace respfuzz::query {

namespace {

bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

bool SameDoubleParam(const Param<double>& a, const Param<double>& b) {
  return SameBits(a.value, b.value) && a.name == b.name && a.resolved == b.resolved;
}

}  // namespace

std::string_view NodeKindName(NodeKind kind) {
  static constexpr std::string_view kNames[] = {
      "AND",   "OR",    "NOT",      "OPTIONAL", "FIELD", "ALL",     "TERM", "PREFIX",    "SUFFIX",
      "INFIX", "FUZZY", "WILDCARD", "PHRASE",   "TAG",   "NUMERIC", "GEO",  "ISMISSING", "KNN"};
  return kNames[static_cast<size_t>(kind)];
}

std::string_view GeoUnitName(GeoUnit unit) {
  static constexpr std::string_view kNames[] = {"m", "km", "mi", "ft"};
  return kNames[static_cast<size_t>(unit)];
}

double GeoUnitMeters(GeoUnit unit) {
  static constexpr double kMeters[] = {1.0, 1000.0, 1609.34, 0.3048};
  return kMeters[static_cast<size_t>(unit)];
}

bool Bound::operator==(const Bound& o) const {
  return SameDoubleParam(value, o.value) && exclusive == o.exclusive;
}

bool GeoFilter::operator==(const GeoFilter& o) const {
  return SameDoubleParam(lon, o.lon) && SameDoubleParam(lat, o.lat) &&
         SameDoubleParam(radius, o.radius) && unit == o.unit;
}

bool Attributes::operator==(const Attributes& o) const {
  const bool same_weight =
      weight.has_value() == o.weight.has_value() && (!weight || SameBits(*weight, *o.weight));
  return same_weight && slop == o.slop && inorder == o.inorder && phonetic == o.phonetic;
}

const NodeExtra Ast::kEmptyExtra;

bool SameNode(const Ast& a, uint32_t i, const Ast& b, uint32_t j) {
  const Node& x = a.node(i);
  const Node& y = b.node(j);
  if (x.kind != y.kind) return false;
  const NodeExtra& ex = a.extra(i);
  const NodeExtra& ey = b.extra(j);
  if (!(ex.attrs == ey.attrs)) return false;
  switch (x.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
    case NodeKind::kOptional:
    case NodeKind::kAll:
      return true;
    case NodeKind::kField:
    case NodeKind::kPhrase:
      return ex.words == ey.words;
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
    case NodeKind::kSuffix:
    case NodeKind::kInfix:
    case NodeKind::kWildcard:
      return x.term == y.term;
    case NodeKind::kFuzzy:
      return x.term == y.term && x.fuzzy == y.fuzzy;
    case NodeKind::kTag:
      return ex.field == ey.field && ex.tags == ey.tags;
    case NodeKind::kNumeric:
      return ex.field == ey.field && ex.range == ey.range;
    case NodeKind::kGeo:
      return ex.field == ey.field && ex.geo == ey.geo;
    case NodeKind::kMissing:
      return ex.field == ey.field;
    case NodeKind::kKnn:
      return ex.knn == ey.knn;
  }
  return false;
}

uint32_t Ast::Add(Node node, std::span<const uint32_t> children) {
  node.first_child = static_cast<uint32_t>(children_.size());
  node.num_children = static_cast<uint32_t>(children.size());
  node.extra = Node::kNoExtra;
  children_.insert(children_.end(), children.begin(), children.end());
  nodes_.push_back(std::move(node));
  return static_cast<uint32_t>(nodes_.size() - 1);
}

uint32_t Ast::Add(Node node, NodeExtra extra, std::span<const uint32_t> children) {
  const uint32_t i = Add(std::move(node), children);
  nodes_[i].extra = static_cast<uint32_t>(extras_.size());
  extras_.push_back(std::move(extra));
  return i;
}

NodeExtra& Ast::mutable_extra(uint32_t i) {
  if (nodes_[i].extra == Node::kNoExtra) {
    nodes_[i].extra = static_cast<uint32_t>(extras_.size());
    extras_.emplace_back();
  }
  return extras_[nodes_[i].extra];
}

uint32_t Ast::AppendCopy(const Ast& from, uint32_t node) {
  // The subtree's nodes in index order, which puts children before parents.
  std::vector<uint32_t> members;
  std::vector<uint32_t> stack = {node};
  while (!stack.empty()) {
    const uint32_t i = stack.back();
    stack.pop_back();
    members.push_back(i);
    for (uint32_t c : from.children(i)) stack.push_back(c);
  }
  std::sort(members.begin(), members.end());
  std::vector<uint32_t> copy_of(node + 1);
  std::vector<uint32_t> kids;
  for (uint32_t i : members) {
    kids.clear();
    for (uint32_t c : from.children(i)) kids.push_back(copy_of[c]);
    const Node& n = from.node(i);
    copy_of[i] = n.extra == Node::kNoExtra ? Add(n, kids) : Add(n, from.extra(i), kids);
  }
  return copy_of[node];
}

int Ast::Height(uint32_t i) const {
  // Children precede parents: one forward pass over [0, i].
  std::vector<int> height(i + 1, 1);
  for (uint32_t n = 0; n <= i; ++n) {
    for (uint32_t c : children(n)) {
      if (c < n) height[n] = std::max(height[n], height[c] + 1);
    }
  }
  return height[i];
}

absl::Status Ast::Validate() const {
  if (nodes_.empty()) return absl::InvalidArgumentError("empty AST");
  std::vector<uint32_t> parents(nodes_.size(), 0);
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (n.extra != Node::kNoExtra && n.extra >= extras_.size()) {
      return absl::InternalError(absl::StrCat("node ", i, ": extra payload out of bounds"));
    }
    const NodeExtra& x = extra(i);
    if (static_cast<uint64_t>(n.first_child) + n.num_children > children_.size()) {
      return absl::InternalError(absl::StrCat("node ", i, ": child range out of bounds"));
    }
    for (uint32_t c : children(i)) {
      if (c >= i) return absl::InternalError(absl::StrCat("node ", i, ": child ", c, " after it"));
      ++parents[c];
    }
    size_t want_min = 0, want_max = 0;
    switch (n.kind) {
      case NodeKind::kAnd:
      case NodeKind::kOr:
        want_min = 2;
        want_max = SIZE_MAX;
        break;
      case NodeKind::kNot:
      case NodeKind::kOptional:
      case NodeKind::kField:
      case NodeKind::kKnn:
        want_min = want_max = 1;
        break;
      default:
        break;
    }
    if (n.num_children < want_min || n.num_children > want_max) {
      return absl::InternalError(absl::StrCat("node ", i, " (", std::string(NodeKindName(n.kind)),
                                              ") has ", n.num_children, " children"));
    }
    bool payload_ok = true;
    switch (n.kind) {
      case NodeKind::kField:
      case NodeKind::kPhrase:
        payload_ok = !x.words.empty();
        break;
      case NodeKind::kTerm:
      case NodeKind::kPrefix:
      case NodeKind::kSuffix:
      case NodeKind::kInfix:
      case NodeKind::kWildcard:
        payload_ok = !n.term.value.empty() || (n.term.is_ref() && !n.term.resolved);
        break;
      case NodeKind::kFuzzy:
        payload_ok = !n.term.value.empty() && n.fuzzy >= 1 && n.fuzzy <= 3;
        break;
      case NodeKind::kTag:
        payload_ok = !x.tags.empty() && !x.field.empty();
        break;
      case NodeKind::kNumeric:
      case NodeKind::kGeo:
      case NodeKind::kMissing:
        payload_ok = !x.field.empty();
        break;
      case NodeKind::kKnn:
        payload_ok = i == root() && !x.knn.field.empty() && x.knn.blob.is_ref();
        break;
      default:
        break;
    }
    if (!payload_ok) {
      return absl::InternalError(
          absl::StrCat("node ", i, " (", std::string(NodeKindName(n.kind)), "): invalid payload"));
    }
  }
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    const uint32_t want = i == root() ? 0 : 1;
    if (parents[i] != want) {
      return absl::InternalError(absl::StrCat("node ", i, " has ", parents[i], " parents"));
    }
  }
  return absl::OkStatus();
}

bool SubtreeEqual(const Ast& a, uint32_t i, const Ast& b, uint32_t j) {
  std::vector<std::pair<uint32_t, uint32_t>> stack = {{i, j}};
  while (!stack.empty()) {
    const auto [x, y] = stack.back();
    stack.pop_back();
    const Node& nx = a.node(x);
    const Node& ny = b.node(y);
    if (nx.num_children != ny.num_children || !SameNode(a, x, b, y)) return false;
    const auto cx = a.children(x);
    const auto cy = b.children(y);
    for (size_t c = 0; c < cx.size(); ++c) stack.emplace_back(cx[c], cy[c]);
  }
  return true;
}

bool operator==(const Ast& a, const Ast& b) {
  if (a.empty() || b.empty()) return a.empty() && b.empty();
  if (a.size() != b.size()) return false;
  return SubtreeEqual(a, a.root(), b, b.root());
}

}  // namespace respfuzz::query
