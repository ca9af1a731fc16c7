#include "src/query/evaluator.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "src/query/utf8.h"

namespace respfuzz::query {

namespace {

// A set of document positions (indexes into the span, not ids); up to 128
// documents without a heap allocation.
class DocSet {
 public:
  DocSet() = default;
  DocSet(size_t n, bool all) : words_((n + 63) / 64, all ? ~uint64_t{0} : 0), n_(n) { Trim(); }

  bool Has(size_t i) const { return (words_[i / 64] >> (i % 64)) & 1; }
  void Set(size_t i) { words_[i / 64] |= uint64_t{1} << (i % 64); }
  void And(const DocSet& o) {
    for (size_t w = 0; w < words_.size(); ++w) words_[w] &= o.words_[w];
  }
  void Or(const DocSet& o) {
    for (size_t w = 0; w < words_.size(); ++w) words_[w] |= o.words_[w];
  }
  void Invert() {
    for (uint64_t& w : words_) w = ~w;
    Trim();
  }

 private:
  void Trim() {
    if (n_ % 64 != 0) words_.back() &= (uint64_t{1} << (n_ % 64)) - 1;
  }
  absl::InlinedVector<uint64_t, 2> words_;
  size_t n_ = 0;
};

// Text fields a leaf looks at: nullopt = every text field.
using Scope = std::optional<std::vector<std::string>>;

bool InScope(const Scope& scope, std::string_view field) {
  return !scope || std::find(scope->begin(), scope->end(), field) != scope->end();
}

Scope Narrow(const Scope& outer, const std::vector<std::string>& fields) {
  std::vector<std::string> out;
  for (const std::string& f : fields) {
    if (InScope(outer, f) && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  }
  return out;
}

// Levenshtein distance of a and b is at most `max`. `prev` and `cur` are the
// two rows' storage (a matcher reuses them token after token).
bool WithinDistance(const std::vector<char32_t>& a, const std::vector<char32_t>& b, size_t max,
                    std::vector<size_t>& prev, std::vector<size_t>& cur) {
  const size_t la = a.size(), lb = b.size();
  if ((la > lb ? la - lb : lb - la) > max) return false;
  prev.assign(lb + 1, 0);
  cur.assign(lb + 1, 0);
  for (size_t j = 0; j <= lb; ++j) prev[j] = j;
  for (size_t i = 1; i <= la; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= lb; ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({sub, prev[j] + 1, cur[j - 1] + 1});
    }
    std::swap(prev, cur);
  }
  return prev[lb] <= max;
}

// A wildcard pattern as code points: kAnyRun for '*', kAnyOne for '?'.
constexpr char32_t kAnyRun = 0xFFFFFFFE;
constexpr char32_t kAnyOne = 0xFFFFFFFF;

std::vector<char32_t> CompilePattern(std::string_view pattern) {
  const std::vector<char32_t> cps = CodePoints(pattern);
  std::vector<char32_t> out;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] == '\\' && i + 1 < cps.size()) {
      out.push_back(cps[++i]);
    } else if (cps[i] == '*') {
      out.push_back(kAnyRun);
    } else if (cps[i] == '?') {
      out.push_back(kAnyOne);
    } else {
      out.push_back(cps[i]);
    }
  }
  return out;
}

// Greedy match with backtracking to the last '*': O(|p| * |s|).
bool GlobMatch(const std::vector<char32_t>& p, const std::vector<char32_t>& s) {
  size_t pi = 0, si = 0;
  size_t star = SIZE_MAX, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == kAnyRun) {
      star = pi++;
      star_s = si;
    } else if (pi < p.size() && (p[pi] == kAnyOne || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (star != SIZE_MAX) {
      pi = star + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == kAnyRun) ++pi;
  return pi == p.size();
}

template <typename T>
const T* FindField(const std::vector<std::pair<std::string, T>>& fields, std::string_view name) {
  for (const auto& [f, v] : fields) {
    if (f == name) return &v;
  }
  return nullptr;
}

bool HasField(const Document& d, std::string_view f) {
  return FindField(d.text, f) || FindField(d.tags, f) || FindField(d.numeric, f) ||
         FindField(d.geo, f) || FindField(d.vectors, f);
}

bool TagMatches(const TagValue& v, std::string_view tag) {
  const std::string_view t = v.text.value;
  switch (v.match) {
    case TagMatch::kExact:
      return tag == t;
    case TagMatch::kPrefix:
      return tag.starts_with(t);
    case TagMatch::kSuffix:
      return tag.ends_with(t);
    case TagMatch::kInfix:
      return tag.find(t) != std::string_view::npos;
  }
  return false;
}

bool InRange(const NumericRange& r, double v) {
  const double lo = r.min.value.value, hi = r.max.value.value;
  const bool above = r.min.exclusive ? v > lo : v >= lo;
  const bool below = r.max.exclusive ? v < hi : v <= hi;
  return above && below;
}

// One text leaf, with its precomputed forms.
class TextMatcher {
 public:
  TextMatcher(const Node& n, const NodeExtra& x) : n_(n), words_(x.words) {
    if (n.kind == NodeKind::kFuzzy) term_cps_ = CodePoints(n.term.value);
    if (n.kind == NodeKind::kWildcard) pattern_ = CompilePattern(n.term.value);
  }

  bool Matches(const Document& d, const Scope& scope) const {
    for (const auto& [field, tokens] : d.text) {
      if (!InScope(scope, field)) continue;
      if (n_.kind == NodeKind::kPhrase) {
        if (PhraseIn(tokens)) return true;
        continue;
      }
      for (const std::string& tok : tokens) {
        if (TokenMatches(tok)) return true;
      }
    }
    return false;
  }

 private:
  bool TokenMatches(std::string_view tok) const {
    const std::string_view t = n_.term.value;
    switch (n_.kind) {
      case NodeKind::kTerm:
        return tok == t;
      case NodeKind::kPrefix:
        return tok.starts_with(t);
      case NodeKind::kSuffix:
        return tok.ends_with(t);
      case NodeKind::kInfix:
        return tok.find(t) != std::string_view::npos;
      case NodeKind::kFuzzy:
        CodePoints(tok, &tok_cps_);
        return WithinDistance(term_cps_, tok_cps_, n_.fuzzy, prev_, cur_);
      default:
        CodePoints(tok, &tok_cps_);
        return GlobMatch(pattern_, tok_cps_);  // kWildcard
    }
  }

  bool PhraseIn(const std::vector<std::string>& tokens) const {
    const std::vector<std::string>& w = words_;
    for (size_t start = 0; start + w.size() <= tokens.size(); ++start) {
      if (std::equal(w.begin(), w.end(), tokens.begin() + start)) return true;
    }
    return false;
  }

  const Node& n_;
  const std::vector<std::string>& words_;  // kPhrase
  std::vector<char32_t> term_cps_;
  std::vector<char32_t> pattern_;
  // Scratch reused from token to token (the matcher is const while matching).
  mutable std::vector<char32_t> tok_cps_;
  mutable std::vector<size_t> prev_, cur_;
};

bool IsTextLeaf(NodeKind k) {
  switch (k) {
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
    case NodeKind::kSuffix:
    case NodeKind::kInfix:
    case NodeKind::kFuzzy:
    case NodeKind::kWildcard:
    case NodeKind::kPhrase:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<std::vector<float>> DecodeBlob(std::string_view blob) {
  if (blob.empty() || blob.size() % 4 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("KNN vector blob of ", blob.size(), " bytes (need a positive multiple of 4)"));
  }
  std::vector<float> v;
  for (size_t i = 0; i < blob.size(); i += 4) {
    uint32_t bits = 0;
    for (size_t b = 0; b < 4; ++b) bits |= uint32_t{static_cast<uint8_t>(blob[i + b])} << (8 * b);
    const float f = std::bit_cast<float>(bits);
    if (!std::isfinite(f)) {
      return absl::InvalidArgumentError("KNN vector has a non-finite component");
    }
    v.push_back(f);
  }
  return v;
}

// The k nearest of `candidates` (document positions), as positions.
absl::StatusOr<DocSet> Nearest(const KnnClause& knn, const DocSet& candidates,
                               std::span<const Document> docs) {
  absl::StatusOr<std::vector<float>> query = DecodeBlob(knn.blob.value);
  if (!query.ok()) return query.status();
  std::vector<std::pair<double, size_t>> ranked;  // (distance, position)
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!candidates.Has(i)) continue;
    const std::vector<float>* v = FindField(docs[i].vectors, knn.field);
    if (v == nullptr || v->size() != query->size()) continue;
    double dist = 0;
    for (size_t c = 0; c < v->size(); ++c) {
      const double diff = static_cast<double>((*query)[c]) - static_cast<double>((*v)[c]);
      dist += diff * diff;
    }
    ranked.emplace_back(dist, i);
  }
  std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : docs[a.second].id < docs[b.second].id;
  });
  DocSet out(docs.size(), false);
  const size_t k = static_cast<size_t>(std::min<int64_t>(knn.k.value, ranked.size()));
  for (size_t r = 0; r < k; ++r) out.Set(ranked[r].second);
  return out;
}

}  // namespace

double GeoDistanceMeters(const GeoPoint& a, const GeoPoint& b) {
  constexpr double kRad = std::numbers::pi / 180.0;
  const double lat1 = a.lat * kRad, lat2 = b.lat * kRad;
  const double u = std::sin((lat2 - lat1) / 2);
  const double v = std::sin((b.lon * kRad - a.lon * kRad) / 2);
  const double h = u * u + std::cos(lat1) * std::cos(lat2) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(h));
}

std::string FirstUnresolvedParam(const Ast& ast) {
  const std::string* first = nullptr;
  const auto add = [&](const auto& p) {
    if (first == nullptr && p.is_ref() && !p.resolved) first = &p.name;
  };
  for (uint32_t i = 0; i < ast.size() && first == nullptr; ++i) {
    add(ast.node(i).term);
    const NodeExtra& x = ast.extra(i);
    for (const TagValue& t : x.tags) add(t.text);
    add(x.range.min.value);
    add(x.range.max.value);
    add(x.geo.lon);
    add(x.geo.lat);
    add(x.geo.radius);
    add(x.knn.k);
    add(x.knn.blob);
    if (x.knn.ef_runtime) add(*x.knn.ef_runtime);
  }
  return first == nullptr ? "" : "$" + *first;
}

absl::StatusOr<std::vector<uint32_t>> Evaluate(const Ast& ast, std::span<const Document> docs) {
  if (absl::Status s = ast.Validate(); !s.ok()) return s;
  if (std::string p = FirstUnresolvedParam(ast); !p.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("unresolved parameter ", p));
  }
  const size_t n = ast.size();
  // Scopes top-down: parents have larger indexes than their children.
  std::vector<Scope> scope(n);
  for (uint32_t i = static_cast<uint32_t>(n); i-- > 0;) {
    const Node& node = ast.node(i);
    for (uint32_t c : ast.children(i)) {
      scope[c] = node.kind == NodeKind::kField ? Narrow(scope[i], ast.extra(i).words) : scope[i];
    }
  }
  // Results bottom-up.
  std::vector<DocSet> result(n);
  for (uint32_t i = 0; i < n; ++i) {
    const Node& node = ast.node(i);
    const NodeExtra& x = ast.extra(i);
    const auto children = ast.children(i);
    DocSet& r = result[i];
    switch (node.kind) {
      case NodeKind::kAnd:
      case NodeKind::kOr:
        r = std::move(result[children[0]]);
        for (size_t c = 1; c < children.size(); ++c) {
          if (node.kind == NodeKind::kAnd) {
            r.And(result[children[c]]);
          } else {
            r.Or(result[children[c]]);
          }
        }
        continue;
      case NodeKind::kNot:
        r = std::move(result[children[0]]);
        r.Invert();
        continue;
      case NodeKind::kOptional:
      case NodeKind::kAll:
        r = DocSet(docs.size(), true);
        continue;
      case NodeKind::kField:
        r = std::move(result[children[0]]);
        continue;
      case NodeKind::kKnn: {
        absl::StatusOr<DocSet> nearest = Nearest(x.knn, result[children[0]], docs);
        if (!nearest.ok()) return nearest.status();
        r = *std::move(nearest);
        continue;
      }
      default:
        break;
    }
    r = DocSet(docs.size(), false);
    std::optional<TextMatcher> text;
    if (IsTextLeaf(node.kind)) text.emplace(node, x);
    for (size_t d = 0; d < docs.size(); ++d) {
      const Document& doc = docs[d];
      bool match = false;
      if (text) {
        match = text->Matches(doc, scope[i]);
      } else if (node.kind == NodeKind::kTag) {
        const auto* tags = FindField(doc.tags, x.field);
        match = tags && std::any_of(tags->begin(), tags->end(), [&](const std::string& tag) {
                  return std::any_of(x.tags.begin(), x.tags.end(),
                                     [&](const TagValue& v) { return TagMatches(v, tag); });
                });
      } else if (node.kind == NodeKind::kNumeric) {
        const double* v = FindField(doc.numeric, x.field);
        match = v && InRange(x.range, *v);
      } else if (node.kind == NodeKind::kGeo) {
        const GeoPoint* p = FindField(doc.geo, x.field);
        const GeoPoint center{x.geo.lon.value, x.geo.lat.value};
        match =
            p && GeoDistanceMeters(*p, center) <= x.geo.radius.value * GeoUnitMeters(x.geo.unit);
      } else {  // kMissing
        match = !HasField(doc, x.field);
      }
      if (match) r.Set(d);
    }
  }
  std::vector<uint32_t> ids;
  for (size_t d = 0; d < docs.size(); ++d) {
    if (result[ast.root()].Has(d)) ids.push_back(docs[d].id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace respfuzz::query
