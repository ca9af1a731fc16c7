#include "harnesses/models/query_reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

namespace respfuzz::models {

namespace {

using query::Ast;
using query::Document;
using query::Node;
using query::NodeKind;

// UTF-8 to code points; the inputs here are valid (the parser checks terms,
// the document pools are fixed), a stray byte stands for itself.
std::vector<uint32_t> Decode(const std::string& s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int extra = 0;
    uint32_t cp = c;
    if (c >= 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else if (c >= 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    }
    if (extra > 0 && i + extra >= s.size()) {  // truncated: the byte alone
      extra = 0;
      cp = c;
    }
    for (int k = 1; k <= extra; ++k) cp = cp * 64 + (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += 1 + extra;
  }
  return out;
}

size_t EditDistance(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t best = d[i - 1][j] + 1;
      best = std::min(best, d[i][j - 1] + 1);
      best = std::min(best, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
      d[i][j] = best;
    }
  }
  return d[a.size()][b.size()];
}

// Pattern element: 0 literal, 1 '?', 2 '*'.
struct PatternChar {
  int type;
  uint32_t cp;
};

bool Wildcard(const std::string& pattern, const std::string& word) {
  std::vector<uint32_t> raw = Decode(pattern);
  std::vector<PatternChar> p;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      p.push_back({0, raw[i + 1]});
      ++i;
    } else if (raw[i] == '*') {
      p.push_back({2, 0});
    } else if (raw[i] == '?') {
      p.push_back({1, 0});
    } else {
      p.push_back({0, raw[i]});
    }
  }
  std::vector<uint32_t> s = Decode(word);
  // m[i][j]: the first i pattern elements match the first j code points.
  std::vector<std::vector<bool>> m(p.size() + 1, std::vector<bool>(s.size() + 1, false));
  m[0][0] = true;
  for (size_t i = 1; i <= p.size(); ++i) {
    for (size_t j = 0; j <= s.size(); ++j) {
      if (p[i - 1].type == 2) {
        m[i][j] = m[i - 1][j] || (j > 0 && m[i][j - 1]);
      } else if (j > 0) {
        bool same = p[i - 1].type == 1 || p[i - 1].cp == s[j - 1];
        m[i][j] = same && m[i - 1][j - 1];
      }
    }
  }
  return m[p.size()][s.size()];
}

bool StartsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
bool EndsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
bool Contains(const std::string& s, const std::string& p) { return s.find(p) != std::string::npos; }

bool WordMatches(const Node& n, const std::string& word) {
  const std::string& t = n.term.value;
  if (n.kind == NodeKind::kTerm) return word == t;
  if (n.kind == NodeKind::kPrefix) return StartsWith(word, t);
  if (n.kind == NodeKind::kSuffix) return EndsWith(word, t);
  if (n.kind == NodeKind::kInfix) return Contains(word, t);
  if (n.kind == NodeKind::kFuzzy) return EditDistance(Decode(t), Decode(word)) <= n.fuzzy;
  return Wildcard(t, word);
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double to_rad = M_PI / 180.0;
  double a = lat1 * to_rad;
  double b = lat2 * to_rad;
  double x = std::sin((b - a) / 2);
  double y = std::sin((lon2 * to_rad - lon1 * to_rad) / 2);
  double h = x * x + std::cos(a) * std::cos(b) * y * y;
  return 2.0 * query::kEarthRadiusMeters * std::asin(std::sqrt(h));
}

// `fields`: the text fields allowed, or nullptr for all of them.
bool Matches(const Ast& ast, uint32_t i, const Document& doc,
             const std::vector<std::string>* fields) {
  const Node& n = ast.node(i);
  const query::NodeExtra& x = ast.extra(i);
  auto kids = ast.children(i);
  switch (n.kind) {
    case NodeKind::kAnd:
      for (uint32_t c : kids) {
        if (!Matches(ast, c, doc, fields)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (uint32_t c : kids) {
        if (Matches(ast, c, doc, fields)) return true;
      }
      return false;
    case NodeKind::kNot:
      return !Matches(ast, kids[0], doc, fields);
    case NodeKind::kOptional:
    case NodeKind::kAll:
      return true;
    case NodeKind::kField: {
      std::vector<std::string> narrowed;
      for (const std::string& f : x.words) {
        bool allowed =
            fields == nullptr || std::find(fields->begin(), fields->end(), f) != fields->end();
        if (allowed) narrowed.push_back(f);
      }
      return Matches(ast, kids[0], doc, &narrowed);
    }
    case NodeKind::kTag:
      for (const auto& [name, values] : doc.tags) {
        if (name != x.field) continue;
        for (const std::string& tag : values) {
          for (const query::TagValue& v : x.tags) {
            const std::string& t = v.text.value;
            bool hit = false;
            if (v.match == query::TagMatch::kExact) hit = tag == t;
            if (v.match == query::TagMatch::kPrefix) hit = StartsWith(tag, t);
            if (v.match == query::TagMatch::kSuffix) hit = EndsWith(tag, t);
            if (v.match == query::TagMatch::kInfix) hit = Contains(tag, t);
            if (hit) return true;
          }
        }
      }
      return false;
    case NodeKind::kNumeric:
      for (const auto& [name, value] : doc.numeric) {
        if (name != x.field) continue;
        double lo = x.range.min.value.value;
        double hi = x.range.max.value.value;
        bool low_ok = x.range.min.exclusive ? value > lo : value >= lo;
        bool high_ok = x.range.max.exclusive ? value < hi : value <= hi;
        return low_ok && high_ok;
      }
      return false;
    case NodeKind::kGeo:
      for (const auto& [name, p] : doc.geo) {
        if (name != x.field) continue;
        double limit = x.geo.radius.value * query::GeoUnitMeters(x.geo.unit);
        return Distance(p.lon, p.lat, x.geo.lon.value, x.geo.lat.value) <= limit;
      }
      return false;
    case NodeKind::kMissing: {
      for (const auto& f : doc.text) {
        if (f.first == x.field) return false;
      }
      for (const auto& f : doc.tags) {
        if (f.first == x.field) return false;
      }
      for (const auto& f : doc.numeric) {
        if (f.first == x.field) return false;
      }
      for (const auto& f : doc.geo) {
        if (f.first == x.field) return false;
      }
      for (const auto& f : doc.vectors) {
        if (f.first == x.field) return false;
      }
      return true;
    }
    case NodeKind::kKnn:
      return false;  // rejected before evaluation unless it is the root
    case NodeKind::kPhrase:
      for (const auto& [name, words] : doc.text) {
        if (fields && std::find(fields->begin(), fields->end(), name) == fields->end()) continue;
        for (size_t start = 0; start + x.words.size() <= words.size(); ++start) {
          bool all = true;
          for (size_t k = 0; k < x.words.size(); ++k) {
            if (words[start + k] != x.words[k]) all = false;
          }
          if (all) return true;
        }
      }
      return false;
    default:  // the single-word text leaves
      for (const auto& [name, words] : doc.text) {
        if (fields && std::find(fields->begin(), fields->end(), name) == fields->end()) continue;
        for (const std::string& w : words) {
          if (WordMatches(n, w)) return true;
        }
      }
      return false;
  }
}

bool Unresolved(const query::Param<std::string>& p) { return !p.name.empty() && !p.resolved; }
bool Unresolved(const query::Param<double>& p) { return !p.name.empty() && !p.resolved; }
bool Unresolved(const query::Param<int64_t>& p) { return !p.name.empty() && !p.resolved; }

bool HasUnresolved(const Node& n, const query::NodeExtra& x) {
  if (Unresolved(n.term)) return true;
  for (const query::TagValue& t : x.tags) {
    if (Unresolved(t.text)) return true;
  }
  if (Unresolved(x.range.min.value) || Unresolved(x.range.max.value)) return true;
  if (Unresolved(x.geo.lon) || Unresolved(x.geo.lat) || Unresolved(x.geo.radius)) return true;
  if (Unresolved(x.knn.k) || Unresolved(x.knn.blob)) return true;
  return x.knn.ef_runtime && Unresolved(*x.knn.ef_runtime);
}

}  // namespace

absl::StatusOr<std::vector<uint32_t>> ReferenceEvaluate(const query::Ast& ast,
                                                        std::span<const query::Document> docs) {
  if (!ast.Validate().ok()) return absl::InvalidArgumentError("invalid AST");
  for (uint32_t i = 0; i < ast.size(); ++i) {
    if (HasUnresolved(ast.node(i), ast.extra(i)))
      return absl::InvalidArgumentError("unresolved parameter");
  }
  std::vector<uint32_t> ids;
  const Node& root = ast.node(ast.root());
  const query::KnnClause& knn = ast.extra(ast.root()).knn;
  if (root.kind != NodeKind::kKnn) {
    for (const Document& d : docs) {
      if (Matches(ast, ast.root(), d, nullptr)) ids.push_back(d.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  // KNN: decode the blob (little-endian float32), rank the filtered documents.
  const std::string& blob = knn.blob.value;
  if (blob.empty() || blob.size() % 4 != 0) return absl::InvalidArgumentError("bad blob size");
  std::vector<float> q;
  for (size_t i = 0; i < blob.size(); i += 4) {
    uint32_t bits = static_cast<unsigned char>(blob[i]) |
                    static_cast<unsigned char>(blob[i + 1]) << 8 |
                    static_cast<unsigned char>(blob[i + 2]) << 16 |
                    static_cast<uint32_t>(static_cast<unsigned char>(blob[i + 3])) << 24;
    float f;
    std::memcpy(&f, &bits, 4);
    if (std::isnan(f) || std::isinf(f)) return absl::InvalidArgumentError("non-finite component");
    q.push_back(f);
  }
  std::vector<std::pair<double, uint32_t>> scored;  // (distance, id)
  for (const Document& d : docs) {
    if (!Matches(ast, ast.children(ast.root())[0], d, nullptr)) continue;
    for (const auto& [name, v] : d.vectors) {
      if (name != knn.field || v.size() != q.size()) continue;
      double sum = 0;
      for (size_t c = 0; c < q.size(); ++c) {
        double diff = static_cast<double>(q[c]) - static_cast<double>(v[c]);
        sum += diff * diff;
      }
      scored.push_back({sum, d.id});
    }
  }
  std::sort(scored.begin(), scored.end());
  for (size_t r = 0; r < scored.size() && static_cast<int64_t>(r) < knn.k.value; ++r) {
    ids.push_back(scored[r].second);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace respfuzz::models
