#include "src/query/parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/charconv.h"
#include "absl/strings/str_cat.h"
#include "src/query/utf8.h"

namespace respfuzz::query {

namespace {

constexpr double kGeoLatMax = 85.05112878;  // Redis's GEO_LAT_MAX
constexpr double kGeoLonMax = 180.0;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Non-negative decimal integer that fits int64.
std::optional<int64_t> ParseCount(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), IsDigit)) return std::nullopt;
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (EqualsIgnoreAsciiCase(s, "true")) return true;
  if (EqualsIgnoreAsciiCase(s, "false")) return false;
  return std::nullopt;
}

std::optional<GeoUnit> ParseGeoUnit(std::string_view s) {
  static constexpr std::pair<std::string_view, GeoUnit> kUnits[] = {{"m", GeoUnit::kMeters},
                                                                    {"km", GeoUnit::kKilometers},
                                                                    {"mi", GeoUnit::kMiles},
                                                                    {"ft", GeoUnit::kFeet}};
  for (const auto& [name, unit] : kUnits) {
    if (EqualsIgnoreAsciiCase(s, name)) return unit;
  }
  return std::nullopt;
}

// "$name" with a non-empty [A-Za-z0-9_] name: the name, else empty.
std::string_view ParamName(std::string_view word) {
  if (word.size() < 2 || word[0] != '$') return {};
  for (char c : word.substr(1)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return {};
  }
  return word.substr(1);
}

}  // namespace

std::optional<double> ParseQueryNumber(std::string_view s) {
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualsIgnoreAsciiCase(body, "inf")) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  // [digits][.digits][e[+-]digits], at least one mantissa digit.
  size_t i = 0, digits = 0;
  while (i < body.size() && IsDigit(body[i])) ++i, ++digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && IsDigit(body[i])) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    const size_t exp_start = i;
    while (i < body.size() && IsDigit(body[i])) ++i;
    if (i == exp_start) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;
  double v = 0;
  // absl's from_chars: libc++ (OSS-Fuzz builds) lacks the floating-point one.
  const auto [end, ec] = absl::from_chars(body.data(), body.data() + body.size(), v);
  // Overflow, underflow and subnormal results are all rejected, so every
  // accepted value prints (shortest form) back to a string that parses.
  if (ec != std::errc() || end != body.data() + body.size() || std::isinf(v) ||
      (v != 0 && std::fabs(v) < std::numeric_limits<double>::min())) {
    return std::nullopt;
  }
  return negative ? -v : v;
}

namespace {

class Parser {
 public:
  Parser(std::string_view query, const ParseOptions& options)
      : q_(query), options_(options), lex_(query) {}

  ParseResult Run();

 private:
  struct Prefix {
    NodeKind kind;
    uint32_t offset;
    std::vector<std::string> fields;  // kField
  };
  // One open group ('(' ... ')'), or the whole query at the bottom.
  struct Frame {
    uint32_t open_offset;
    size_t prefix_mark;          // prefixes_ below this belong to enclosing groups
    std::vector<uint32_t> ors;   // finished AND chains
    std::vector<uint32_t> ands;  // operands of the chain being read
  };

  bool Fail(size_t offset, std::string reason) {
    lex_.Fail(offset, std::move(reason));
    return false;
  }
  bool NewNode(Node node, std::optional<NodeExtra> extra, std::span<const uint32_t> children,
               uint32_t* id);
  bool NewNode(Node node, std::span<const uint32_t> children, uint32_t* id) {
    return NewNode(std::move(node), std::nullopt, children, id);
  }
  bool Leaf(Node node, uint32_t* id) { return NewNode(std::move(node), std::nullopt, {}, id); }
  bool Leaf(Node node, NodeExtra extra, uint32_t* id) {
    return NewNode(std::move(node), std::move(extra), {}, id);
  }
  bool NoPendingPrefix(size_t offset);
  bool FinishChain(Frame& f, uint32_t* id);
  bool FinishFrame(Frame& f, uint32_t* id);
  bool CompletePrimary(uint32_t node);
  bool ParseAttributes(Attributes* attrs);
  bool ParseKnn(uint32_t filter, uint32_t* id);
  bool ParseTag(const Token& field, uint32_t* id);
  bool ParseRange(const Token& field, uint32_t* id);
  bool LeafFromToken(const Token& t, uint32_t* id);

  // $name lookups. *value is untouched and *resolved false without PARAMS.
  bool Lookup(std::string_view name, size_t offset, std::string* value, bool* resolved);
  bool ResolveText(Param<std::string>* p, size_t offset);
  bool NumberParam(const RawWord& w, const char* what, Param<double>* out);
  bool CountParam(const RawWord& w, const char* what, Param<int64_t>* out);

  std::string_view q_;
  const ParseOptions& options_;
  Lexer lex_;
  Ast ast_;
  std::vector<int> heights_;
  std::vector<Frame> frames_;
  std::vector<Prefix> prefixes_;
  bool knn_done_ = false;
};

bool Parser::NewNode(Node node, std::optional<NodeExtra> extra, std::span<const uint32_t> children,
                     uint32_t* id) {
  if (ast_.size() >= options_.limits.max_nodes) {
    return Fail(node.offset,
                absl::StrCat("query has too many nodes (max ", options_.limits.max_nodes, ")"));
  }
  int height = 1;
  for (uint32_t c : children) height = std::max(height, heights_[c] + 1);
  if (height > options_.limits.max_depth) {
    return Fail(node.offset, absl::StrCat("query nested too deeply (max depth ",
                                          options_.limits.max_depth, ")"));
  }
  heights_.push_back(height);
  *id = extra ? ast_.Add(std::move(node), *std::move(extra), children)
              : ast_.Add(std::move(node), children);
  return true;
}

bool Parser::NoPendingPrefix(size_t offset) {
  if (prefixes_.size() <= frames_.back().prefix_mark) return true;
  static constexpr const char* kWhat[] = {"'-'", "'~'", "a field modifier"};
  const NodeKind k = prefixes_.back().kind;
  const size_t which = k == NodeKind::kNot ? 0 : k == NodeKind::kOptional ? 1 : 2;
  return Fail(offset, absl::StrCat("expected an operand after ", kWhat[which]));
}

bool Parser::FinishChain(Frame& f, uint32_t* id) {
  if (f.ands.size() == 1) {
    *id = f.ands[0];
  } else {
    Node n;
    n.kind = NodeKind::kAnd;
    n.offset = ast_.node(f.ands[0]).offset;
    if (!NewNode(std::move(n), f.ands, id)) return false;
  }
  f.ands.clear();
  return true;
}

bool Parser::FinishFrame(Frame& f, uint32_t* id) {
  uint32_t chain;
  if (!FinishChain(f, &chain)) return false;
  if (f.ors.empty()) {
    *id = chain;
    return true;
  }
  f.ors.push_back(chain);
  Node n;
  n.kind = NodeKind::kOr;
  n.offset = ast_.node(f.ors[0]).offset;
  return NewNode(std::move(n), f.ors, id);
}

bool Parser::Lookup(std::string_view name, size_t offset, std::string* value, bool* resolved) {
  *resolved = false;
  if (!options_.params) return true;
  const auto it = options_.params->find(name);
  if (it == options_.params->end()) {
    return Fail(offset, absl::StrCat("no such parameter '$", std::string(name), "'"));
  }
  *value = it->second;
  *resolved = true;
  return true;
}

bool Parser::ResolveText(Param<std::string>* p, size_t offset) {
  if (!Lookup(p->name, offset, &p->value, &p->resolved)) return false;
  if (!p->resolved) return true;
  if (p->value.empty()) return Fail(offset, absl::StrCat("parameter '$", p->name, "' is empty"));
  if (InvalidUtf8At(p->value) != std::string_view::npos) {
    return Fail(offset, absl::StrCat("parameter '$", p->name, "' is not valid UTF-8"));
  }
  LowercaseUtf8(&p->value);
  return true;
}

bool Parser::NumberParam(const RawWord& w, const char* what, Param<double>* out) {
  std::string text(w.text);
  if (const std::string_view name = ParamName(w.text); !name.empty()) {
    out->name = std::string(name);
    if (!Lookup(name, w.offset, &text, &out->resolved)) return false;
    if (!out->resolved) return true;
  }
  const std::optional<double> v = ParseQueryNumber(text);
  if (!v) {
    return Fail(w.offset, out->is_ref()
                              ? absl::StrCat("parameter '$", out->name, "' is not a number")
                              : absl::StrCat("invalid ", what, " (not a number, or out of range)"));
  }
  out->value = *v;
  return true;
}

bool Parser::CountParam(const RawWord& w, const char* what, Param<int64_t>* out) {
  std::string text(w.text);
  if (const std::string_view name = ParamName(w.text); !name.empty()) {
    out->name = std::string(name);
    if (!Lookup(name, w.offset, &text, &out->resolved)) return false;
    if (!out->resolved) return true;
  }
  const std::optional<int64_t> v = ParseCount(text);
  if (!v) return Fail(w.offset, absl::StrCat(what, " must be a non-negative integer"));
  out->value = *v;
  return true;
}

bool Parser::ParseAttributes(Attributes* attrs) {
  std::vector<RawAttribute> raw;
  if (!lex_.ScanAttributes(&raw)) return false;
  for (const RawAttribute& a : raw) {
    const std::string_view name = a.name.text;
    const std::string_view value = a.value.text;
    if (name == "weight") {
      const std::optional<double> v = ParseQueryNumber(value);
      if (!v || !std::isfinite(*v) || *v < 0) {
        return Fail(a.value.offset, "$weight must be a finite number >= 0");
      }
      attrs->weight = *v;
    } else if (name == "slop") {
      const std::optional<int64_t> v = ParseCount(value);
      if (!v) return Fail(a.value.offset, "$slop must be a non-negative integer");
      attrs->slop = *v;
    } else if (name == "inorder" || name == "phonetic") {
      const std::optional<bool> v = ParseBool(value);
      if (!v)
        return Fail(a.value.offset, absl::StrCat("$", std::string(name), " must be true or false"));
      (name == "inorder" ? attrs->inorder : attrs->phonetic) = *v;
    } else {
      return Fail(a.name.offset, absl::StrCat("unknown attribute '$", std::string(name), "'"));
    }
  }
  return true;
}

bool Parser::ParseKnn(uint32_t filter, uint32_t* id) {
  std::vector<RawWord> w;
  const size_t open = lex_.pos();
  if (!lex_.ScanBracket(&w)) return false;
  Node n;
  n.kind = NodeKind::kKnn;
  n.offset = ast_.node(filter).offset;
  NodeExtra x;
  KnnClause& knn = x.knn;
  if (w.empty() || !EqualsIgnoreAsciiCase(w[0].text, "KNN")) {
    return Fail(w.empty() ? open : w[0].offset, "expected 'KNN' after '=>['");
  }
  if (w.size() < 4) return Fail(open, "expected [KNN k @field $blob ...]");
  if (!CountParam(w[1], "KNN k", &knn.k)) return false;
  const std::string_view field = w[2].text;
  if (field.size() < 2 || field[0] != '@' ||
      !std::all_of(field.begin() + 1, field.end(), IsTermChar) ||
      InvalidUtf8At(field) != std::string_view::npos) {
    return Fail(w[2].offset, "expected '@field' (the vector field) after KNN k");
  }
  knn.field = std::string(field.substr(1));
  const std::string_view blob = ParamName(w[3].text);
  if (blob.empty()) return Fail(w[3].offset, "the KNN vector must be a parameter ($name)");
  knn.blob.name = std::string(blob);
  if (!Lookup(blob, w[3].offset, &knn.blob.value, &knn.blob.resolved)) return false;
  for (size_t i = 4; i < w.size(); i += 2) {
    const bool is_as = EqualsIgnoreAsciiCase(w[i].text, "AS");
    const bool is_ef = EqualsIgnoreAsciiCase(w[i].text, "EF_RUNTIME");
    if (!is_as && !is_ef) {
      return Fail(w[i].offset, "expected AS or EF_RUNTIME in the KNN clause");
    }
    if (i + 1 == w.size()) return Fail(w[i].offset, "expected a value after AS or EF_RUNTIME");
    if ((is_as && !knn.as.empty()) || (is_ef && knn.ef_runtime)) {
      return Fail(w[i].offset, "AS or EF_RUNTIME given twice");
    }
    if (is_as) {
      const std::string_view as = w[i + 1].text;
      if (!std::all_of(as.begin(), as.end(), IsTermChar) ||
          InvalidUtf8At(as) != std::string_view::npos) {
        return Fail(w[i + 1].offset, "invalid AS name");
      }
      knn.as = std::string(as);
    } else {
      knn.ef_runtime.emplace();
      if (!CountParam(w[i + 1], "EF_RUNTIME", &*knn.ef_runtime)) return false;
    }
  }
  const uint32_t children[] = {filter};
  return NewNode(std::move(n), std::move(x), children, id);
}

bool Parser::ParseTag(const Token& field, uint32_t* id) {
  if (field.words.size() != 1) return Fail(field.offset, "a tag filter takes one field");
  std::vector<RawTag> raw;
  if (!lex_.ScanTags(&raw)) return false;
  Node n;
  n.kind = NodeKind::kTag;
  n.offset = field.offset;
  NodeExtra x;
  x.field = field.words[0];
  for (RawTag& r : raw) {
    TagValue v;
    v.match = r.match;
    if (r.param.empty()) {
      v.text.value = std::move(r.text);
    } else {
      v.text.name = std::move(r.param);
      if (!ResolveText(&v.text, r.offset)) return false;
    }
    x.tags.push_back(std::move(v));
  }
  return Leaf(std::move(n), std::move(x), id);
}

bool Parser::ParseRange(const Token& field, uint32_t* id) {
  if (field.words.size() != 1) {
    return Fail(field.offset, "a numeric or geo filter takes one field");
  }
  std::vector<RawWord> w;
  const size_t open = lex_.pos();
  if (!lex_.ScanBracket(&w)) return false;
  Node n;
  n.offset = field.offset;
  NodeExtra x;
  x.field = field.words[0];
  if (w.size() == 2) {
    n.kind = NodeKind::kNumeric;
    Bound* bounds[] = {&x.range.min, &x.range.max};
    for (size_t i = 0; i < 2; ++i) {
      RawWord word = w[i];
      if (!word.text.empty() && word.text[0] == '(') {
        bounds[i]->exclusive = true;
        word.text.remove_prefix(1);
        ++word.offset;
      }
      if (!NumberParam(word, i == 0 ? "minimum" : "maximum", &bounds[i]->value)) return false;
    }
    return Leaf(std::move(n), std::move(x), id);
  }
  if (w.size() != 4) return Fail(open, "expected [min max] or [lon lat radius unit]");
  n.kind = NodeKind::kGeo;
  GeoFilter& g = x.geo;
  if (!NumberParam(w[0], "longitude", &g.lon) || !NumberParam(w[1], "latitude", &g.lat) ||
      !NumberParam(w[2], "radius", &g.radius)) {
    return false;
  }
  if (g.lon.resolved && !(std::fabs(g.lon.value) <= kGeoLonMax)) {
    return Fail(w[0].offset, "longitude must be within [-180, 180]");
  }
  if (g.lat.resolved && !(std::fabs(g.lat.value) <= kGeoLatMax)) {
    return Fail(w[1].offset, "latitude must be within [-85.05112878, 85.05112878]");
  }
  if (g.radius.resolved && !(g.radius.value >= 0 && std::isfinite(g.radius.value))) {
    return Fail(w[2].offset, "radius must be a finite number >= 0");
  }
  const std::optional<GeoUnit> unit = ParseGeoUnit(w[3].text);
  if (!unit) return Fail(w[3].offset, "geo unit must be m, km, mi or ft");
  g.unit = *unit;
  return Leaf(std::move(n), std::move(x), id);
}

bool Parser::LeafFromToken(const Token& t, uint32_t* id) {
  Node n;
  n.offset = t.offset;
  switch (t.kind) {
    case TokenKind::kTerm:
      n.kind = NodeKind::kTerm;
      break;
    case TokenKind::kPrefix:
      n.kind = NodeKind::kPrefix;
      break;
    case TokenKind::kSuffix:
      n.kind = NodeKind::kSuffix;
      break;
    case TokenKind::kInfix:
      n.kind = NodeKind::kInfix;
      break;
    case TokenKind::kFuzzy:
      n.kind = NodeKind::kFuzzy;
      break;
    case TokenKind::kWildcard:
      n.kind = NodeKind::kWildcard;
      break;
    case TokenKind::kAll:
      n.kind = NodeKind::kAll;
      break;
    case TokenKind::kPhrase: {
      n.kind = NodeKind::kPhrase;
      NodeExtra x;
      x.words = t.words;
      return Leaf(std::move(n), std::move(x), id);
    }
    case TokenKind::kParam:
      n.kind = NodeKind::kTerm;
      n.term.name = t.text;
      if (!ResolveText(&n.term, t.offset)) return false;
      return Leaf(std::move(n), id);
    default: {  // kMissing
      n.kind = NodeKind::kMissing;
      NodeExtra x;
      if (!lex_.ScanMissingField(&x.field)) return false;
      return Leaf(std::move(n), std::move(x), id);
    }
  }
  n.term.value = t.text;
  n.fuzzy = t.fuzzy;
  return Leaf(std::move(n), id);
}

bool Parser::CompletePrimary(uint32_t node) {
  while (true) {
    if (!lex_.ConsumeArrow()) break;
    const uint32_t arrow = static_cast<uint32_t>(lex_.pos() - 2);
    if (lex_.AtAfterSpace('{')) {
      if (!ParseAttributes(&ast_.mutable_extra(node).attrs)) return false;
      continue;
    }
    if (!lex_.AtAfterSpace('[')) return Fail(lex_.pos(), "expected '{' or '[' after '=>'");
    const Frame& f = frames_.back();
    if (frames_.size() != 1 || !prefixes_.empty() || !f.ands.empty() || !f.ors.empty()) {
      return Fail(arrow,
                  "a KNN clause must follow the whole query: (...)=>[KNN ...] or *=>[KNN ...]");
    }
    if (!ParseKnn(node, &node)) return false;
    knn_done_ = true;
    break;
  }
  Frame& f = frames_.back();
  while (prefixes_.size() > f.prefix_mark) {
    Prefix p = std::move(prefixes_.back());
    prefixes_.pop_back();
    Node n;
    n.kind = p.kind;
    n.offset = p.offset;
    const uint32_t children[] = {node};
    std::optional<NodeExtra> x;
    if (p.kind == NodeKind::kField) {
      x.emplace();
      x->words = std::move(p.fields);
    }
    if (!NewNode(std::move(n), std::move(x), children, &node)) return false;
  }
  f.ands.push_back(node);
  return true;
}

ParseResult Parser::Run() {
  if (q_.size() > options_.limits.max_query_len) {
    Fail(options_.limits.max_query_len,
         absl::StrCat("query longer than ", options_.limits.max_query_len, " bytes"));
    return ParseResult(*lex_.error());
  }
  // Most queries need about one node per two bytes; growth covers the rest.
  const size_t expected = std::min(options_.limits.max_nodes, q_.size() / 2 + 2);
  ast_.Reserve(expected);
  heights_.reserve(expected);
  frames_.reserve(4);
  frames_.push_back(Frame{0, 0, {}, {}});
  bool ok = true;
  while (ok) {
    const Token t = lex_.Next();
    if (knn_done_ && t.kind != TokenKind::kEnd && t.kind != TokenKind::kError) {
      ok = Fail(t.offset, "nothing may follow the KNN clause");
      break;
    }
    Frame& f = frames_.back();
    uint32_t id = 0;
    switch (t.kind) {
      case TokenKind::kError:
        ok = false;
        break;
      case TokenKind::kMinus:
      case TokenKind::kTilde:
        prefixes_.push_back(Prefix{
            t.kind == TokenKind::kMinus ? NodeKind::kNot : NodeKind::kOptional, t.offset, {}});
        break;
      case TokenKind::kField:
        if (lex_.AtAfterSpace('{')) {
          ok = ParseTag(t, &id) && CompletePrimary(id);
        } else if (lex_.AtAfterSpace('[')) {
          ok = ParseRange(t, &id) && CompletePrimary(id);
        } else {
          prefixes_.push_back(Prefix{NodeKind::kField, t.offset, t.words});
        }
        break;
      case TokenKind::kLParen:
        frames_.push_back(Frame{t.offset, prefixes_.size(), {}, {}});
        break;
      case TokenKind::kRParen:
        if (frames_.size() == 1) {
          ok = Fail(t.offset, "unmatched ')'");
        } else if (!NoPendingPrefix(t.offset)) {
          ok = false;
        } else if (f.ands.empty()) {
          ok =
              Fail(t.offset, f.ors.empty() ? "empty parentheses" : "expected an operand after '|'");
        } else {
          ok = FinishFrame(f, &id);
          frames_.pop_back();
          ok = ok && CompletePrimary(id);
        }
        break;
      case TokenKind::kPipe:
        if (!NoPendingPrefix(t.offset)) {
          ok = false;
        } else if (f.ands.empty()) {
          ok = Fail(t.offset, "expected an operand before '|'");
        } else {
          ok = FinishChain(f, &id);
          f.ors.push_back(id);
        }
        break;
      case TokenKind::kArrow:
        ok = Fail(t.offset, "'=>' must follow a term or a parenthesized expression");
        break;
      case TokenKind::kEnd:
        if (!NoPendingPrefix(t.offset)) return ParseResult(*lex_.error());
        if (frames_.size() > 1) {
          Fail(frames_.back().open_offset, "missing ')'");
        } else if (f.ands.empty()) {
          Fail(t.offset, f.ors.empty() ? "empty query" : "expected an operand after '|'");
        } else if (uint32_t root; FinishFrame(f, &root)) {
          return ParseResult(std::move(ast_));
        }
        return ParseResult(*lex_.error());
      default:
        ok = LeafFromToken(t, &id) && CompletePrimary(id);
        break;
    }
  }
  return ParseResult(*lex_.error());
}

}  // namespace

ParseResult Parse(std::string_view query, const ParseOptions& options) {
  return Parser(query, options).Run();
}

}  // namespace respfuzz::query
