#include "harnesses/models/query_reference_parser.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

namespace respfuzz::models {

namespace {

using query::Ast;
using query::Bound;
using query::GeoUnit;
using query::Node;
using query::NodeExtra;
using query::NodeKind;
using query::TagMatch;
using query::TagValue;

// --- characters -------------------------------------------------------------

// Whitespace: space \t \n \v \f \r.
bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
// Term bytes: ASCII letters, digits, '_', and every byte >= 0x80.
bool IsTermByte(char c) { return IsAsciiAlnum(c) || c == '_' || static_cast<uint8_t>(c) >= 0x80; }
// Parameter names: [A-Za-z0-9_].
bool IsParamByte(char c) { return IsAsciiAlnum(c) || c == '_'; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool SameNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Well-formed UTF-8: the code point each sequence encodes is the shortest
// encoding of a scalar value (no overlong forms, no surrogates, at most
// U+10FFFF) and no sequence is cut short.
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t b = static_cast<uint8_t>(s[i]);
    size_t n;
    uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4, cp = b & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const uint8_t c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    const uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// Lowercasing: ASCII A-Z, and the Latin-1 capitals U+00C0..U+00DE but the
// multiplication sign U+00D7; nothing else.
std::string LowerText(std::string_view s) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') {
      out[i] = Lower(out[i]);
    } else if (static_cast<uint8_t>(out[i]) == 0xC3 && i + 1 < out.size()) {
      const uint8_t next = static_cast<uint8_t>(out[i + 1]);
      const uint32_t cp = 0xC0 + (next - 0x80);  // C3 80..BF encode U+00C0..U+00FF
      if (next >= 0x80 && next <= 0xBF && cp <= 0xDE && cp != 0xD7) {
        out[i + 1] = static_cast<char>(next + 0x20);
      }
      ++i;
    }
  }
  return out;
}

// --- values -----------------------------------------------------------------

// A numeric-range number: [+-], then "inf" (any case), or digits with an
// optional '.' and digits (at least one digit in all) and an optional
// exponent e[+-]digits. Overflow, underflow to zero and subnormal results
// are not numbers.
std::optional<double> Number(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (SameNoCase(s, "inf")) {
    double inf = std::numeric_limits<double>::infinity();
    return negative ? -inf : inf;
  }
  size_t i = 0, digits = 0;
  bool nonzero = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') nonzero |= s[i++] != '0', ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') nonzero |= s[i++] != '0', ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == from) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::string text(s);
  const double v = std::strtod(text.c_str(), nullptr);
  if (std::isinf(v)) return std::nullopt;      // overflow
  if (v == 0 && nonzero) return std::nullopt;  // underflow
  if (v != 0 && std::fabs(v) < std::numeric_limits<double>::min()) return std::nullopt;
  return negative ? -v : v;
}

// A count: decimal digits only, within int64.
std::optional<int64_t> Count(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (static_cast<uint64_t>(INT64_MAX) - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return static_cast<int64_t>(v);
}

// "$name": the name, else "".
std::string_view ParamIn(std::string_view word) {
  if (word.size() < 2 || word[0] != '$') return {};
  for (char c : word.substr(1)) {
    if (!IsParamByte(c)) return {};
  }
  return word.substr(1);
}

// --- the parser ---------------------------------------------------------------

struct Failure {};  // thrown on the first broken rule; caught in Run()
struct TooNested {};

enum class Tok {
  kEnd,
  kOpen,
  kClose,
  kPipe,
  kMinus,
  kTilde,
  kField,
  kTerm,
  kPrefix,
  kSuffix,
  kInfix,
  kAll,
  kPhrase,
  kFuzzy,
  kWildcard,
  kParam,
  kArrow,
  kMissing,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;                // terms, patterns, parameter names
  std::vector<std::string> words;  // phrase words, field names
  uint8_t fuzzy = 0;
};

class RefQueryParser {
 public:
  RefQueryParser(std::string_view q, const QueryReferenceOptions& o) : q_(q), o_(o) {}

  QueryReferenceResult Run() {
    QueryReferenceResult r;
    try {
      // query := expr [ '=>' '[' knn ']' ] END (the KNN clause is read with
      // the first operand: see Suffixes).
      if (q_.size() > o_.max_query_len) Fail("longer than the length cap");
      Expr(0);
      Token t = Next();
      if (t.kind == Tok::kClose) Fail("unmatched ')'");
      if (t.kind != Tok::kEnd) Fail("nothing may follow the KNN clause");
      // Caps: the AST's node count and depth.
      if (ast_.size() > o_.max_nodes) Fail("too many nodes");
      if (ast_.Depth() > o_.max_depth) Fail("nested too deeply");
      r.valid = true;
      r.ast = std::move(ast_);
    } catch (const Failure&) {
      r.why = why_;
    } catch (const TooNested&) {
      r.skipped = true;
    }
    return r;
  }

 private:
  [[noreturn]] void Fail(std::string why) {
    why_ = std::move(why);
    throw Failure{};
  }

  // --- scanning ---

  void SkipBlanks() {
    while (p_ < q_.size() && IsBlank(q_[p_])) ++p_;
  }
  bool At(char c) const { return p_ < q_.size() && q_[p_] == c; }

  // Term bytes, and any byte after a backslash; a backslash ending the
  // query escapes nothing.
  void TermBytes(std::string* out) {
    while (p_ < q_.size()) {
      if (IsTermByte(q_[p_])) {
        *out += q_[p_++];
      } else if (q_[p_] == '\\') {
        if (p_ + 1 == q_.size()) Fail("a backslash at the end");
        *out += q_[p_ + 1];
        p_ += 2;
      } else {
        return;
      }
    }
  }

  // Text of a term, phrase word, fuzzy term, pattern or tag: valid UTF-8,
  // lowercased.
  std::string Text(std::string_view s) {
    if (!ValidUtf8(s)) Fail("invalid UTF-8");
    return LowerText(s);
  }

  // A field name: term bytes and escapes, not empty, valid UTF-8 (not lowercased).
  std::string FieldName() {
    std::string name;
    TermBytes(&name);
    if (name.empty()) Fail("expected a field name");
    if (!ValidUtf8(name)) Fail("invalid UTF-8 in a field name");
    return name;
  }

  Token Next() {
    SkipBlanks();
    Token t;
    if (p_ == q_.size()) return t;
    const char c = q_[p_];
    switch (c) {
      case '(':
        ++p_, t.kind = Tok::kOpen;
        return t;
      case ')':
        ++p_, t.kind = Tok::kClose;
        return t;
      case '|':
        ++p_, t.kind = Tok::kPipe;
        return t;
      case '-':
        ++p_, t.kind = Tok::kMinus;
        return t;
      case '~':
        ++p_, t.kind = Tok::kTilde;
        return t;
      case '@': {
        // @a|b: field names joined by '|', then ':'.
        ++p_;
        t.kind = Tok::kField;
        t.words.push_back(FieldName());
        while (At('|')) {
          ++p_;
          t.words.push_back(FieldName());
        }
        if (!At(':')) Fail("expected ':' after the field name");
        ++p_;
        return t;
      }
      case '"':
        return Phrase();
      case '%':
        return Fuzzy();
      case '$': {
        ++p_;
        t.kind = Tok::kParam;
        while (p_ < q_.size() && IsParamByte(q_[p_])) t.text += q_[p_++];
        if (t.text.empty()) Fail("expected a parameter name");
        return t;
      }
      case '=':
        if (q_.substr(p_, 2) != "=>") Fail("expected '=>'");
        p_ += 2;
        t.kind = Tok::kArrow;
        return t;
      default:
        break;
    }
    if (c == '*' || c == '\\' || IsTermByte(c)) return TermLike();
    Fail("a byte that must be escaped");
  }

  // pre* *suf *in* term '*' w'pattern' ismissing(
  Token TermLike() {
    Token t;
    if (q_.substr(p_, 2) == "w'") return Wildcard();
    bool leading = false;
    if (At('*')) {
      ++p_;
      if (p_ == q_.size() || !(IsTermByte(q_[p_]) || q_[p_] == '\\')) {
        t.kind = Tok::kAll;  // a lone '*'
        return t;
      }
      leading = true;
    }
    const size_t raw = p_;
    std::string text;
    TermBytes(&text);
    // ismissing( in any case, no blank before the parenthesis.
    if (!leading && At('(') && SameNoCase(q_.substr(raw, p_ - raw), "ismissing")) {
      ++p_;
      t.kind = Tok::kMissing;
      return t;
    }
    bool trailing = false;
    if (At('*')) {
      ++p_;
      trailing = true;
      if (p_ < q_.size() && (IsTermByte(q_[p_]) || q_[p_] == '\\' || q_[p_] == '*')) {
        Fail("a '*' ends a prefix or infix term");
      }
    }
    t.text = Text(text);
    t.kind =
        leading ? (trailing ? Tok::kInfix : Tok::kSuffix) : (trailing ? Tok::kPrefix : Tok::kTerm);
    return t;
  }

  // w'pattern': a backslash makes the next byte literal and is kept before
  // * ? \ and '; not empty.
  Token Wildcard() {
    Token t;
    t.kind = Tok::kWildcard;
    p_ += 2;
    std::string pattern;
    while (true) {
      if (p_ == q_.size()) Fail("unterminated wildcard pattern");
      const char c = q_[p_];
      if (c == '\'') {
        ++p_;
        break;
      }
      if (c == '\\') {
        if (p_ + 1 == q_.size()) Fail("unterminated wildcard pattern");
        const char e = q_[p_ + 1];
        if (e == '*' || e == '?' || e == '\\' || e == '\'') pattern += '\\';
        pattern += e;
        p_ += 2;
      } else {
        pattern += c;
        ++p_;
      }
    }
    if (pattern.empty()) Fail("empty wildcard pattern");
    t.text = Text(pattern);
    return t;
  }

  // "w1 w2": words split on unescaped blanks, '\' escapes; at least one word.
  Token Phrase() {
    Token t;
    t.kind = Tok::kPhrase;
    ++p_;
    std::string word;
    bool in_word = false;
    while (true) {
      if (p_ == q_.size()) Fail("unterminated phrase");
      const char c = q_[p_];
      if (c == '"') {
        ++p_;
        break;
      }
      if (IsBlank(c)) {
        if (in_word) t.words.push_back(word);
        word.clear();
        in_word = false;
        ++p_;
        continue;
      }
      if (c == '\\') {
        if (p_ + 1 == q_.size()) Fail("unterminated phrase");
        word += q_[p_ + 1];
        p_ += 2;
      } else {
        word += c;
        ++p_;
      }
      in_word = true;
    }
    if (in_word) t.words.push_back(word);
    if (t.words.empty()) Fail("empty phrase");
    for (std::string& w : t.words) w = Text(w);
    return t;
  }

  // %t% %%t%% %%%t%%%: the same count (1 to 3) on both sides.
  Token Fuzzy() {
    Token t;
    t.kind = Tok::kFuzzy;
    uint8_t open = 0;
    while (At('%')) {
      ++p_;
      if (++open > 3) Fail("at most 3 '%'");
    }
    std::string text;
    TermBytes(&text);
    if (text.empty()) Fail("expected a term after '%'");
    uint8_t close = 0;
    while (close < open && At('%')) ++p_, ++close;
    if (close != open) Fail("unbalanced '%'");
    t.text = Text(text);
    t.fuzzy = open;
    return t;
  }

  // A look at the next token without taking it.
  Token Peek() {
    const size_t saved = p_;
    Token t = Next();
    p_ = saved;
    return t;
  }

  // --- nodes ---

  uint32_t Add(Node n, std::optional<NodeExtra> x, std::vector<uint32_t> children) {
    return x ? ast_.Add(std::move(n), std::move(*x), children) : ast_.Add(std::move(n), children);
  }
  uint32_t Group(NodeKind kind, const std::vector<uint32_t>& operands) {
    if (operands.size() == 1) return operands[0];  // a group of one operand is that operand
    Node n;
    n.kind = kind;
    return Add(std::move(n), std::nullopt, operands);
  }

  // $name from PARAMS: with no PARAMS list the reference stays unresolved.
  bool Lookup(std::string_view name, std::string* value) {
    if (!o_.params) return false;
    auto it = o_.params->find(name);
    if (it == o_.params->end()) Fail("no such parameter");
    *value = it->second;
    return true;
  }
  // A parameter standing for text (a term, a tag value): not empty, UTF-8, lowercased.
  query::Param<std::string> TextParam(std::string name) {
    query::Param<std::string> p;
    p.name = std::move(name);
    p.resolved = Lookup(p.name, &p.value);
    if (p.resolved) {
      if (p.value.empty()) Fail("an empty parameter");
      p.value = Text(p.value);
    }
    return p;
  }
  query::Param<double> NumberOrParam(std::string_view word) {
    query::Param<double> p;
    std::string text(word);
    if (std::string_view name = ParamIn(word); !name.empty()) {
      p.name = std::string(name);
      p.resolved = Lookup(name, &text);
      if (!p.resolved) return p;
    }
    std::optional<double> v = Number(text);
    if (!v) Fail("not a number");
    p.value = *v;
    return p;
  }
  query::Param<int64_t> CountOrParam(std::string_view word) {
    query::Param<int64_t> p;
    std::string text(word);
    if (std::string_view name = ParamIn(word); !name.empty()) {
      p.name = std::string(name);
      p.resolved = Lookup(name, &text);
      if (!p.resolved) return p;
    }
    std::optional<int64_t> v = Count(text);
    if (!v) Fail("not a non-negative integer");
    p.value = *v;
    return p;
  }

  // --- grammar ---

  // expr := and { '|' and }
  uint32_t Expr(size_t level) {
    if (level > kQueryReferenceMaxNesting) throw TooNested{};
    std::vector<uint32_t> chains;
    while (true) {
      chains.push_back(And(level, chains.empty()));
      if (knn_) break;
      if (Peek().kind != Tok::kPipe) break;
      Next();
    }
    return Group(NodeKind::kOr, chains);
  }

  // and := unary { unary }  (until '|', ')' or the end)
  uint32_t And(size_t level, bool first_chain) {
    std::vector<uint32_t> operands;
    while (true) {
      const Tok k = Peek().kind;
      if (k == Tok::kEnd || k == Tok::kClose || k == Tok::kPipe) break;
      operands.push_back(Unary(level, level == 0 && first_chain && operands.empty()));
      if (knn_) break;
    }
    if (operands.empty()) Fail("expected an operand");
    return Group(NodeKind::kAnd, operands);
  }

  // unary := { '-' | '~' | '@f1|f2:' } primary   (the prefixes bind to the
  // next operand; a field followed by '{' or '[' is a filter, not a prefix)
  uint32_t Unary(size_t level, bool knn_allowed) {
    struct Prefix {
      NodeKind kind;
      std::vector<std::string> fields;
    };
    std::vector<Prefix> prefixes;
    std::optional<Token> filter;
    while (true) {
      Token t = Peek();
      if (t.kind == Tok::kMinus || t.kind == Tok::kTilde) {
        Next();
        prefixes.push_back({t.kind == Tok::kMinus ? NodeKind::kNot : NodeKind::kOptional, {}});
      } else if (t.kind == Tok::kField) {
        Next();
        SkipBlanks();
        if (At('{') || At('[')) {
          filter = std::move(t);
          break;
        }
        prefixes.push_back({NodeKind::kField, std::move(t.words)});
      } else {
        break;
      }
    }
    uint32_t node = filter ? Filter(*filter) : Primary(level);
    node = Suffixes(node, knn_allowed && prefixes.empty());
    for (size_t i = prefixes.size(); i-- > 0;) {
      Node n;
      n.kind = prefixes[i].kind;
      std::optional<NodeExtra> x;
      if (n.kind == NodeKind::kField) {
        x.emplace();
        x->words = std::move(prefixes[i].fields);
      }
      node = Add(std::move(n), std::move(x), {node});
    }
    return node;
  }

  // primary := '(' expr ')' | atom
  uint32_t Primary(size_t level) {
    Token t = Next();
    Node n;
    switch (t.kind) {
      case Tok::kOpen: {
        const uint32_t inner = Expr(level + 1);
        if (Next().kind != Tok::kClose) Fail("missing ')'");
        return inner;
      }
      case Tok::kTerm:
        n.kind = NodeKind::kTerm;
        break;
      case Tok::kPrefix:
        n.kind = NodeKind::kPrefix;
        break;
      case Tok::kSuffix:
        n.kind = NodeKind::kSuffix;
        break;
      case Tok::kInfix:
        n.kind = NodeKind::kInfix;
        break;
      case Tok::kWildcard:
        n.kind = NodeKind::kWildcard;
        break;
      case Tok::kAll:
        n.kind = NodeKind::kAll;
        break;
      case Tok::kFuzzy:
        n.kind = NodeKind::kFuzzy;
        n.fuzzy = t.fuzzy;
        break;
      case Tok::kParam:
        n.kind = NodeKind::kTerm;
        n.term = TextParam(t.text);
        return Add(std::move(n), std::nullopt, {});
      case Tok::kPhrase: {
        n.kind = NodeKind::kPhrase;
        NodeExtra x;
        x.words = std::move(t.words);
        return Add(std::move(n), std::move(x), {});
      }
      case Tok::kMissing: {
        // ismissing( @f )
        n.kind = NodeKind::kMissing;
        NodeExtra x;
        SkipBlanks();
        if (!At('@')) Fail("expected '@field' in ismissing()");
        ++p_;
        x.field = FieldName();
        SkipBlanks();
        if (!At(')')) Fail("expected ')'");
        ++p_;
        return Add(std::move(n), std::move(x), {});
      }
      default:
        Fail("expected an operand");
    }
    if (n.kind != NodeKind::kAll) n.term.value = std::move(t.text);
    return Add(std::move(n), std::nullopt, {});
  }

  // @f:{tags} and @f:[min max] / @f:[lon lat radius unit]: one field each.
  uint32_t Filter(const Token& field) {
    if (field.words.size() != 1) Fail("a filter takes one field");
    Node n;
    NodeExtra x;
    x.field = field.words[0];
    if (At('{')) {
      n.kind = NodeKind::kTag;
      x.tags = Tags();
      return Add(std::move(n), std::move(x), {});
    }
    std::vector<std::string_view> w = BracketWords();
    if (w.size() == 2) {
      // Numeric range: '(' makes a bound exclusive.
      n.kind = NodeKind::kNumeric;
      Bound* bounds[] = {&x.range.min, &x.range.max};
      for (size_t i = 0; i < 2; ++i) {
        std::string_view word = w[i];
        if (!word.empty() && word[0] == '(') {
          bounds[i]->exclusive = true;
          word.remove_prefix(1);
        }
        bounds[i]->value = NumberOrParam(word);
      }
      return Add(std::move(n), std::move(x), {});
    }
    if (w.size() != 4) Fail("expected [min max] or [lon lat radius unit]");
    // Geo: lon within +-180, lat within +-85.05112878, radius finite and >= 0
    // (checked when known), unit m km mi ft in any case.
    n.kind = NodeKind::kGeo;
    x.geo.lon = NumberOrParam(w[0]);
    x.geo.lat = NumberOrParam(w[1]);
    x.geo.radius = NumberOrParam(w[2]);
    if (x.geo.lon.resolved && !(std::fabs(x.geo.lon.value) <= 180.0)) Fail("longitude");
    if (x.geo.lat.resolved && !(std::fabs(x.geo.lat.value) <= 85.05112878)) Fail("latitude");
    if (x.geo.radius.resolved && !(x.geo.radius.value >= 0 && std::isfinite(x.geo.radius.value))) {
      Fail("radius");
    }
    const std::pair<std::string_view, GeoUnit> units[] = {{"m", GeoUnit::kMeters},
                                                          {"km", GeoUnit::kKilometers},
                                                          {"mi", GeoUnit::kMiles},
                                                          {"ft", GeoUnit::kFeet}};
    bool known = false;
    for (const auto& [name, unit] : units) {
      if (SameNoCase(w[3], name)) x.geo.unit = unit, known = true;
    }
    if (!known) Fail("geo unit");
    return Add(std::move(n), std::move(x), {});
  }

  // [ w1 w2 ... ]: words split on blanks, up to the ']'.
  std::vector<std::string_view> BracketWords() {
    std::vector<std::string_view> words;
    ++p_;  // [
    while (true) {
      SkipBlanks();
      if (p_ == q_.size()) Fail("missing ']'");
      if (At(']')) {
        ++p_;
        return words;
      }
      const size_t from = p_;
      while (p_ < q_.size() && !IsBlank(q_[p_]) && q_[p_] != ']') ++p_;
      words.push_back(q_.substr(from, p_ - from));
    }
  }

  // { v1 | v2 | ... }: '|' separates; blanks at a value's ends are trimmed
  // (an escaped one is kept), inside it kept; '\' escapes; a leading '*'
  // makes a suffix, a trailing one a prefix, both an infix; any other '*'
  // or '{' must be escaped; $name is a whole value.
  std::vector<TagValue> Tags() {
    std::vector<TagValue> tags;
    ++p_;  // {
    while (true) {
      SkipBlanks();
      if (p_ == q_.size()) Fail("missing '}'");
      TagValue v;
      if (At('$')) {
        ++p_;
        std::string name;
        while (p_ < q_.size() && IsParamByte(q_[p_])) name += q_[p_++];
        if (name.empty()) Fail("expected a parameter name");
        SkipBlanks();
        if (p_ < q_.size() && !At('|') && !At('}')) Fail("a parameter is a whole tag value");
        if (p_ == q_.size()) Fail("missing '}'");
        v.text = TextParam(std::move(name));
      } else {
        bool leading = false, trailing = false;
        if (At('*')) ++p_, leading = true;
        std::string text;
        size_t kept = 0;  // length up to the last byte that is not an unescaped blank
        while (p_ < q_.size() && !At('|') && !At('}')) {
          const char c = q_[p_];
          if (c == '\\') {
            if (p_ + 1 == q_.size()) Fail("missing '}'");
            text += q_[p_ + 1];
            p_ += 2;
            kept = text.size();
          } else if (c == '*') {
            ++p_;
            SkipBlanks();
            if (p_ < q_.size() && !At('|') && !At('}')) Fail("an unescaped '*' inside a tag");
            trailing = true;
            break;
          } else if (c == '{') {
            Fail("an unescaped '{' inside a tag");
          } else {
            text += c;
            ++p_;
            if (!IsBlank(c)) kept = text.size();
          }
        }
        if (p_ == q_.size()) Fail("missing '}'");
        text.resize(kept);
        if (text.empty()) Fail("empty tag value");
        v.text.value = Text(text);
        v.match = leading ? (trailing ? TagMatch::kInfix : TagMatch::kSuffix)
                          : (trailing ? TagMatch::kPrefix : TagMatch::kExact);
      }
      tags.push_back(std::move(v));
      if (q_[p_++] == '}') return tags;
    }
  }

  // { $name: value; ... }: $weight (a finite number >= 0), $slop (a count),
  // $inorder and $phonetic (true or false, any case); the last value of a
  // name wins; at least one attribute.
  void Attributes(query::Attributes* a) {
    ++p_;  // {
    size_t count = 0;
    while (true) {
      SkipBlanks();
      if (p_ == q_.size()) Fail("missing '}'");
      if (At('}')) {
        ++p_;
        if (count == 0) Fail("empty attribute list");
        return;
      }
      if (!At('$')) Fail("expected '$name: value'");
      ++p_;
      const size_t from = p_;
      while (p_ < q_.size() && IsParamByte(q_[p_])) ++p_;
      const std::string_view name = q_.substr(from, p_ - from);
      SkipBlanks();
      if (name.empty() || !At(':')) Fail("expected '$name: value'");
      ++p_;
      SkipBlanks();
      const size_t vfrom = p_;
      while (p_ < q_.size() && !IsBlank(q_[p_]) && !At(';') && !At('}')) ++p_;
      const std::string_view value = q_.substr(vfrom, p_ - vfrom);
      if (value.empty()) Fail("expected an attribute value");
      if (name == "weight") {
        std::optional<double> v = Number(value);
        if (!v || !std::isfinite(*v) || *v < 0) Fail("$weight");
        a->weight = *v;
      } else if (name == "slop") {
        std::optional<int64_t> v = Count(value);
        if (!v) Fail("$slop");
        a->slop = *v;
      } else if (name == "inorder" || name == "phonetic") {
        bool b;
        if (SameNoCase(value, "true")) {
          b = true;
        } else if (SameNoCase(value, "false")) {
          b = false;
        } else {
          Fail("$inorder / $phonetic");
        }
        (name == "inorder" ? a->inorder : a->phonetic) = b;
      } else {
        Fail("unknown attribute");
      }
      ++count;
      SkipBlanks();
      if (At(';')) {
        ++p_;
      } else if (p_ < q_.size() && !At('}')) {
        Fail("expected ';' or '}'");
      }
    }
  }

  // After a primary: any number of '=>{attributes}'; and '=>[KNN ...]' on
  // the first operand of the query when nothing is around it, which ends
  // the query.
  uint32_t Suffixes(uint32_t node, bool knn_allowed) {
    while (true) {
      SkipBlanks();
      if (q_.substr(p_, 2) != "=>") return node;
      p_ += 2;
      SkipBlanks();
      if (At('{')) {
        Attributes(&ast_.mutable_extra(node).attrs);
        continue;
      }
      if (!At('[')) Fail("expected '{' or '[' after '=>'");
      if (!knn_allowed) Fail("a KNN clause must follow the whole query");
      knn_ = true;
      return Knn(node);
    }
  }

  // [KNN k @field $blob [AS name] [EF_RUNTIME n]]: KNN, AS and EF_RUNTIME
  // in any case, each option at most once; k and n counts or $params; the
  // field '@' and term bytes (no escapes); the blob always a $param.
  uint32_t Knn(uint32_t filter) {
    std::vector<std::string_view> w = BracketWords();
    if (w.empty() || !SameNoCase(w[0], "KNN")) Fail("expected 'KNN'");
    if (w.size() < 4) Fail("expected [KNN k @field $blob ...]");
    NodeExtra x;
    query::KnnClause& knn = x.knn;
    knn.k = CountOrParam(w[1]);
    const std::string_view field = w[2];
    bool field_ok = field.size() >= 2 && field[0] == '@' && ValidUtf8(field);
    for (char c : field.substr(1)) field_ok = field_ok && IsTermByte(c);
    if (!field_ok) Fail("expected '@field'");
    knn.field = std::string(field.substr(1));
    const std::string_view blob = ParamIn(w[3]);
    if (blob.empty()) Fail("the KNN vector must be a parameter");
    knn.blob.name = std::string(blob);
    knn.blob.resolved = Lookup(blob, &knn.blob.value);
    for (size_t i = 4; i < w.size(); i += 2) {
      const bool as = SameNoCase(w[i], "AS"), ef = SameNoCase(w[i], "EF_RUNTIME");
      if (!as && !ef) Fail("expected AS or EF_RUNTIME");
      if (i + 1 == w.size()) Fail("expected a value");
      if ((as && !knn.as.empty()) || (ef && knn.ef_runtime)) Fail("given twice");
      if (as) {
        bool ok = ValidUtf8(w[i + 1]);
        for (char c : w[i + 1]) ok = ok && IsTermByte(c);
        if (!ok) Fail("invalid AS name");
        knn.as = std::string(w[i + 1]);
      } else {
        knn.ef_runtime = CountOrParam(w[i + 1]);
      }
    }
    Node n;
    n.kind = NodeKind::kKnn;
    return Add(std::move(n), std::move(x), {filter});
  }

  std::string_view q_;
  const QueryReferenceOptions& o_;
  size_t p_ = 0;
  Ast ast_;
  bool knn_ = false;
  std::string why_;
};

}  // namespace

QueryReferenceResult ReferenceParseQuery(std::string_view query,
                                         const QueryReferenceOptions& options) {
  return RefQueryParser(query, options).Run();
}

}  // namespace respfuzz::models
