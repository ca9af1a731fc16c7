#include "src/query/printer.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/query/lexer.h"

namespace respfuzz::query {

namespace {

// Binding levels: what an operand position accepts without parentheses.
constexpr int kLevelOr = 0;
constexpr int kLevelAnd = 1;
constexpr int kLevelUnary = 2;  // '-', '~', '@f:'
constexpr int kLevelPrimary = 3;

int Level(NodeKind kind) {
  switch (kind) {
    case NodeKind::kOr:
      return kLevelOr;
    case NodeKind::kAnd:
      return kLevelAnd;
    case NodeKind::kNot:
    case NodeKind::kOptional:
    case NodeKind::kField:
      return kLevelUnary;
    case NodeKind::kKnn:
      return kLevelOr;  // only ever the root
    default:
      return kLevelPrimary;
  }
}

void AppendEscaped(std::string_view s, std::string* out) {
  for (char c : s) {
    if (!IsTermChar(c)) *out += '\\';
    *out += c;
  }
}

void AppendPhraseWord(std::string_view s, std::string* out) {
  for (char c : s) {
    if (c == '"' || c == '\\' || IsQuerySpace(c)) *out += '\\';
    *out += c;
  }
}

void AppendTextParam(const Param<std::string>& p, std::string* out) {
  if (p.is_ref()) {
    absl::StrAppend(out, "$", p.name);
  } else {
    AppendEscaped(p.value, out);
  }
}

void AppendNumber(const Param<double>& p, std::string* out) {
  if (p.is_ref()) {
    absl::StrAppend(out, "$", p.name);
  } else {
    *out += FormatNumber(p.value);
  }
}

void AppendCount(const Param<int64_t>& p, std::string* out) {
  if (p.is_ref()) {
    absl::StrAppend(out, "$", p.name);
  } else {
    absl::StrAppend(out, p.value);
  }
}

std::string AttributesText(const Attributes& a) {
  std::vector<std::string> parts;
  if (a.weight) parts.push_back(absl::StrCat("$weight: ", FormatNumber(*a.weight)));
  if (a.slop) parts.push_back(absl::StrCat("$slop: ", *a.slop));
  if (a.inorder) parts.push_back(absl::StrCat("$inorder: ", *a.inorder ? "true" : "false"));
  if (a.phonetic) parts.push_back(absl::StrCat("$phonetic: ", *a.phonetic ? "true" : "false"));
  return absl::StrCat("=>{", absl::StrJoin(parts, "; "), "}");
}

std::string KnnText(const KnnClause& k) {
  std::string out = "=>[KNN ";
  AppendCount(k.k, &out);
  absl::StrAppend(&out, " @", k.field, " $", k.blob.name);
  if (k.ef_runtime) {
    out += " EF_RUNTIME ";
    AppendCount(*k.ef_runtime, &out);
  }
  if (!k.as.empty()) absl::StrAppend(&out, " AS ", k.as);
  return out + "]";
}

// Leaves are written directly.
void AppendLeaf(const Node& n, const NodeExtra& x, std::string* out) {
  switch (n.kind) {
    case NodeKind::kAll:
      *out += '*';
      break;
    case NodeKind::kTerm:
      AppendTextParam(n.term, out);
      break;
    case NodeKind::kPrefix:
      AppendEscaped(n.term.value, out);
      *out += '*';
      break;
    case NodeKind::kSuffix:
      *out += '*';
      AppendEscaped(n.term.value, out);
      break;
    case NodeKind::kInfix:
      *out += '*';
      AppendEscaped(n.term.value, out);
      *out += '*';
      break;
    case NodeKind::kFuzzy:
      out->append(n.fuzzy, '%');
      AppendEscaped(n.term.value, out);
      out->append(n.fuzzy, '%');
      break;
    case NodeKind::kWildcard:
      absl::StrAppend(out, "w'", n.term.value, "'");
      break;
    case NodeKind::kPhrase:
      *out += '"';
      for (size_t i = 0; i < x.words.size(); ++i) {
        if (i > 0) *out += ' ';
        AppendPhraseWord(x.words[i], out);
      }
      *out += '"';
      break;
    case NodeKind::kTag:
      *out += '@';
      AppendEscaped(x.field, out);
      *out += ":{";
      for (size_t i = 0; i < x.tags.size(); ++i) {
        const TagValue& v = x.tags[i];
        if (i > 0) *out += " | ";
        const bool lead = v.match == TagMatch::kSuffix || v.match == TagMatch::kInfix;
        const bool trail = v.match == TagMatch::kPrefix || v.match == TagMatch::kInfix;
        if (lead) *out += '*';
        AppendTextParam(v.text, out);
        if (trail) *out += '*';
      }
      *out += '}';
      break;
    case NodeKind::kNumeric:
      *out += '@';
      AppendEscaped(x.field, out);
      *out += ":[";
      if (x.range.min.exclusive) *out += '(';
      AppendNumber(x.range.min.value, out);
      *out += ' ';
      if (x.range.max.exclusive) *out += '(';
      AppendNumber(x.range.max.value, out);
      *out += ']';
      break;
    case NodeKind::kGeo:
      *out += '@';
      AppendEscaped(x.field, out);
      *out += ":[";
      AppendNumber(x.geo.lon, out);
      *out += ' ';
      AppendNumber(x.geo.lat, out);
      *out += ' ';
      AppendNumber(x.geo.radius, out);
      absl::StrAppend(out, " ", std::string(GeoUnitName(x.geo.unit)), "]");
      break;
    default:  // kMissing
      *out += "ismissing(@";
      AppendEscaped(x.field, out);
      *out += ')';
      break;
  }
}

struct Item {
  uint32_t node = 0;
  int min_level = kLevelOr;
  bool bare = false;  // print without the node's attributes (already handled)
  std::string text;   // when non-empty, literal text instead of a node
};

}  // namespace

std::string FormatNumber(double v) {
  if (std::isinf(v)) return v < 0 ? "-inf" : "+inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string PrintSubtree(const Ast& ast, uint32_t node) {
  std::string out;
  std::vector<Item> stack;
  stack.push_back(Item{node, kLevelOr, false, {}});
  while (!stack.empty()) {
    Item item = std::move(stack.back());
    stack.pop_back();
    if (!item.text.empty()) {
      out += item.text;
      continue;
    }
    const uint32_t i = item.node;
    const Node& n = ast.node(i);
    const NodeExtra& x = ast.extra(i);
    const auto children = ast.children(i);
    const int level = Level(n.kind);
    if (!item.bare && !x.attrs.empty()) {
      // Printed as a primary: (node)=>{...}, or node=>{...} if it is one.
      stack.push_back(Item{0, 0, false, AttributesText(x.attrs)});
      if (level < kLevelPrimary) {
        stack.push_back(Item{0, 0, false, ")"});
        stack.push_back(Item{i, kLevelOr, true, {}});
        stack.push_back(Item{0, 0, false, "("});
      } else {
        stack.push_back(Item{i, kLevelOr, true, {}});
      }
      continue;
    }
    if (level < item.min_level) {
      stack.push_back(Item{0, 0, false, ")"});
      stack.push_back(Item{i, kLevelOr, true, {}});
      stack.push_back(Item{0, 0, false, "("});
      continue;
    }
    switch (n.kind) {
      case NodeKind::kOr:
      case NodeKind::kAnd: {
        const bool is_or = n.kind == NodeKind::kOr;
        for (size_t c = children.size(); c-- > 0;) {
          stack.push_back(Item{children[c], is_or ? kLevelAnd : kLevelUnary, false, {}});
          if (c > 0) stack.push_back(Item{0, 0, false, is_or ? " | " : " "});
        }
        break;
      }
      case NodeKind::kNot:
      case NodeKind::kOptional:
      case NodeKind::kField:
        if (n.kind == NodeKind::kNot) {
          out += '-';
        } else if (n.kind == NodeKind::kOptional) {
          out += '~';
        } else {
          out += '@';
          for (size_t f = 0; f < x.words.size(); ++f) {
            if (f > 0) out += '|';
            AppendEscaped(x.words[f], &out);
          }
          out += ':';
        }
        stack.push_back(Item{children[0], kLevelUnary, false, {}});
        break;
      case NodeKind::kKnn:
        stack.push_back(Item{0, 0, false, KnnText(x.knn)});
        stack.push_back(Item{children[0], kLevelPrimary, false, {}});
        break;
      default:
        AppendLeaf(n, x, &out);
        break;
    }
  }
  return out;
}

std::string Print(const Ast& ast) { return ast.empty() ? "" : PrintSubtree(ast, ast.root()); }

}  // namespace respfuzz::query
