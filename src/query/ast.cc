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
      "AND",    "OR",     "NOT",   "OPTIONAL", "FIELD",   "ALL",       "TERM", "PREFIX", "SUFFIX",
      "INFIX",  "FUZZY",  "WILDCARD", "PHRASE", "TAG",  "NUMERIC", "GEO", "ISMISSING", "KNN"};
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
  const bool same_weight = weight.has_value() == o.weight.has_value() &&
                           (!weight || SameBits(*weight, *o.weight));
  return same_weight && slop == o.slop && inorder == o.inorder && phonetic == o.phonetic;
}

bool Node::SamePayload(const Node& o) const {
  if (kind != o.kind || !(attrs == o.attrs)) return false;
  switch (kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
    case NodeKind::kOptional:
    case NodeKind::kAll:
      return true;
    case NodeKind::kField:
    case NodeKind::kPhrase:
      return words == o.words;
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
    case NodeKind::kSuffix:
    case NodeKind::kInfix:
    case NodeKind::kWildcard:
      return term == o.term;
    case NodeKind::kFuzzy:
      return term == o.term && fuzzy == o.fuzzy;
    case NodeKind::kTag:
      return field == o.field && tags == o.tags;
    case NodeKind::kNumeric:
      return field == o.field && range == o.range;
    case NodeKind::kGeo:
      return field == o.field && geo == o.geo;
    case NodeKind::kMissing:
      return field == o.field;
    case NodeKind::kKnn:
      return knn == o.knn;
  }
  return false;
}

uint32_t Ast::Add(Node node, std::span<const uint32_t> children) {
  node.first_child = static_cast<uint32_t>(children_.size());
  node.num_children = static_cast<uint32_t>(children.size());
  children_.insert(children_.end(), children.begin(), children.end());
  nodes_.push_back(std::move(node));
  return static_cast<uint32_t>(nodes_.size() - 1);
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
      return absl::InternalError(absl::StrCat("node ", i, " (", std::string(NodeKindName(n.kind)), ") has ",
                                              n.num_children, " children"));
    }
    bool payload_ok = true;
    switch (n.kind) {
      case NodeKind::kField:
      case NodeKind::kPhrase:
        payload_ok = !n.words.empty();
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
        payload_ok = !n.tags.empty() && !n.field.empty();
        break;
      case NodeKind::kNumeric:
      case NodeKind::kGeo:
      case NodeKind::kMissing:
        payload_ok = !n.field.empty();
        break;
      case NodeKind::kKnn:
        payload_ok = i == root() && !n.knn.field.empty() && n.knn.blob.is_ref();
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
    if (nx.num_children != ny.num_children || !nx.SamePayload(ny)) return false;
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
