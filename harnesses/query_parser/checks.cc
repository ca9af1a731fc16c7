#include "harnesses/query_parser/checks.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "harnesses/common/chunking.h"
#include "harnesses/common/registry.h"
#include "harnesses/models/query_reference.h"
#include "harnesses/models/query_reference_parser.h"
#include "src/query/evaluator.h"
#include "src/query/printer.h"

namespace respfuzz::harnesses {

namespace {

using query::Ast;
using query::Node;
using query::NodeKind;

std::string Quoted(std::string_view bytes) { return "\"" + EscapeBytes(bytes, 512) + "\""; }

std::string Ids(const absl::StatusOr<std::vector<uint32_t>>& r) {
  if (!r.ok()) return "error (" + std::string(r.status().message()) + ")";
  std::string s = "{";
  for (size_t i = 0; i < r->size(); ++i) s += (i ? ", " : "") + std::to_string((*r)[i]);
  return s + "}";
}

bool Subset(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

uint16_t TakeU16(std::string_view* in) {
  const uint16_t lo = TakeByte(in);
  return static_cast<uint16_t>(lo | (TakeByte(in) << 8));
}

// Sets *words to the words `bits` names, reusing its storage.
void SetWords(uint16_t bits, std::vector<std::string>* words) {
  const size_t count = (bits & 3) + 1;
  words->resize(count);
  for (size_t w = 0; w < count; ++w) (*words)[w].assign(kQueryWords[(bits >> (2 + 3 * w)) & 7]);
}

// Entry `i` of a document's field list, named `field`: the list grows to
// hold it and keeps the storage of the entries it already had.
template <typename V>
V& FieldAt(std::vector<std::pair<std::string, V>>* list, size_t i, std::string_view field) {
  if (list->size() <= i) list->resize(i + 1);
  (*list)[i].first.assign(field);
  return (*list)[i].second;
}

// Decodes into *d, reusing the storage of what it held (the harness decodes
// into the same documents input after input).
void DecodeDocument(uint32_t id, std::string_view* in, query::Document* d) {
  d->id = id;
  const uint8_t present = TakeByte(in);
  const uint16_t a = TakeU16(in), b = TakeU16(in);
  const uint8_t tags = TakeByte(in), num = TakeByte(in), geo = TakeByte(in);
  const uint8_t v0 = TakeByte(in), v1 = TakeByte(in);
  size_t texts = 0;
  if (present & 0x01) SetWords(a, &FieldAt(&d->text, texts++, "a"));
  if (present & 0x02) SetWords(b, &FieldAt(&d->text, texts++, "b"));
  d->text.resize(texts);
  d->tags.resize(0 + ((present & 0x04) != 0));
  if (present & 0x04) {
    std::vector<std::string>& values = FieldAt(&d->tags, 0, "t");
    values.clear();
    for (size_t t = 0; t < kQueryTags.size(); ++t) {
      if (tags & (1u << t)) values.emplace_back(kQueryTags[t]);
    }
  }
  d->numeric.resize(0 + ((present & 0x08) != 0));
  if (present & 0x08) FieldAt(&d->numeric, 0, "n") = static_cast<int8_t>(num) / 2.0;
  d->geo.resize(0 + ((present & 0x10) != 0));
  if (present & 0x10) FieldAt(&d->geo, 0, "g") = kQueryPoints[geo % kQueryPoints.size()];
  d->vectors.resize(0 + ((present & 0x20) != 0));
  if (present & 0x20) {
    FieldAt(&d->vectors, 0, "v")
        .assign({static_cast<float>(static_cast<int8_t>(v0)),
                 static_cast<float>(static_cast<int8_t>(v1))});
  }
}

std::string_view TakeLengthPrefixed(std::string_view* in) {
  const size_t len = std::min<size_t>(TakeByte(in), in->size());
  const std::string_view s = in->substr(0, len);
  in->remove_prefix(len);
  return s;
}

}  // namespace

QueryParserHooks::QueryParserHooks()
    : reference(&models::ReferenceEvaluate), reference_parse(&models::ReferenceParseQuery) {}

fuzz::Verdict CheckAgainstReferenceParser(const QueryParserInput& in, std::string_view q,
                                          const query::ParseResult& parsed,
                                          const QueryParserHooks& hooks) {
  models::QueryReferenceOptions o;
  o.max_query_len = in.options.limits.max_query_len;
  o.max_depth = in.options.limits.max_depth;
  o.max_nodes = in.options.limits.max_nodes;
  o.params = in.options.params;
  const models::QueryReferenceResult ref = hooks.reference_parse(q, o);
  if (ref.skipped) return fuzz::Verdict::Ok();
  if (parsed.ok() != ref.valid) {
    return fuzz::Verdict::Fail(
        "parser-reference", -1,
        parsed.ok() ? "the parser accepts " + Quoted(q) + " as\n" + FormatQueryTree(parsed.ast()) +
                          "the reference grammar rejects it: " + ref.why
                    : "the parser rejects " + Quoted(q) + " (" + parsed.error().ToString() +
                          "), the reference grammar accepts it as\n" + FormatQueryTree(ref.ast));
  }
  if (parsed.ok() && !(parsed.ast() == ref.ast)) {
    return fuzz::Verdict::Fail("parser-reference", -1,
                               "the parser reads " + Quoted(q) + " as\n" +
                                   FormatQueryTree(parsed.ast()) + "the reference grammar as\n" +
                                   FormatQueryTree(ref.ast));
  }
  return fuzz::Verdict::Ok();
}

query::ParseLimits QueryParserLimits(uint8_t flags) {
  query::ParseLimits limits;
  if (flags & kQuerySmallCaps) {
    limits.max_query_len = 256;
    limits.max_depth = 8;
    limits.max_nodes = 32;
  }
  return limits;
}

QueryParserInput DecodeQueryParserInput(std::string_view input) {
  QueryParserInput in;
  DecodeQueryParserInput(input, &in);
  return in;
}

void DecodeQueryParserInput(std::string_view input, QueryParserInput* out) {
  QueryParserInput& in = *out;
  in.flags = TakeByte(&input);
  in.limits = QueryParserLimits(in.flags);
  in.options = query::ParseOptions{};
  in.options.limits = in.limits;
  const size_t ndocs = std::min<size_t>(in.flags >> 4, kQueryMaxDocs);
  // Documents past the count wait in spare_docs, storage and all.
  while (in.docs.size() > ndocs) {
    in.spare_docs.push_back(std::move(in.docs.back()));
    in.docs.pop_back();
  }
  while (in.docs.size() < ndocs && !in.spare_docs.empty()) {
    in.docs.push_back(std::move(in.spare_docs.back()));
    in.spare_docs.pop_back();
  }
  in.docs.resize(ndocs);
  for (size_t i = 0; i < ndocs; ++i) {
    DecodeDocument(static_cast<uint32_t>(i), &input, &in.docs[i]);
  }
  const size_t nul = input.find('\0');
  in.query = input.substr(0, nul);
  if (nul != std::string_view::npos) {
    std::string_view rest = input.substr(nul + 1);
    query::Params params;
    for (size_t p = 0; p < kQueryMaxParams && !rest.empty(); ++p) {
      const std::string_view name = TakeLengthPrefixed(&rest);
      params.insert_or_assign(std::string(name), std::string(TakeLengthPrefixed(&rest)));
    }
    in.options.params = std::move(params);
  }
}

fuzz::Verdict CheckQueryParser(std::string_view input, const QueryParserHooks& hooks) {
  // Decoded into the same documents input after input (their storage reused).
  static QueryParserInput* const decoded = new QueryParserInput;
  DecodeQueryParserInput(input, decoded);
  const QueryParserInput& in = *decoded;
  // The query in its own heap block, so ASan sees reads past its end.
  const std::string query_copy(in.query);
  const std::string_view q = query_copy;
  const query::ParseResult parsed = hooks.parse(q, in.options);

  // error
  if (!parsed.ok()) {
    const query::ParseError& e = parsed.error();
    const std::string text = e.ToString();
    const std::string prefix = "Syntax error at offset " + std::to_string(e.offset) + " near '";
    if (e.offset > q.size() || e.reason.empty() || text.rfind(prefix, 0) != 0) {
      return fuzz::Verdict::Fail("error", -1, "malformed error: " + Quoted(text));
    }
    if (q.size() > in.limits.max_query_len && e.offset != in.limits.max_query_len) {
      return fuzz::Verdict::Fail("error", -1,
                                 "query of " + std::to_string(q.size()) + " bytes over the cap " +
                                     std::to_string(in.limits.max_query_len) + " failed with " +
                                     Quoted(text));
    }
    return CheckAgainstReferenceParser(in, q, parsed, hooks);
  }
  if (q.size() > in.limits.max_query_len) {
    return fuzz::Verdict::Fail("error", -1,
                               "query of " + std::to_string(q.size()) +
                                   " bytes parsed despite the length cap " +
                                   std::to_string(in.limits.max_query_len));
  }

  // caps
  const Ast& ast = parsed.ast();
  if (absl::Status s = ast.Validate(); !s.ok()) {
    return fuzz::Verdict::Fail("caps", -1, "invalid AST: " + std::string(s.message()));
  }
  const int depth = ast.Depth();
  if (ast.size() > in.limits.max_nodes || depth > in.limits.max_depth) {
    return fuzz::Verdict::Fail("caps", -1,
                               std::to_string(ast.size()) + " nodes (cap " +
                                   std::to_string(in.limits.max_nodes) + "), depth " +
                                   std::to_string(depth) + " (cap " +
                                   std::to_string(in.limits.max_depth) + ")");
  }

  // roundtrip, fixed-point
  const std::string text = hooks.print(ast, ast.root());
  query::ParseOptions reparse_options = in.options;
  reparse_options.limits.max_query_len = std::numeric_limits<size_t>::max();
  const query::ParseResult reparsed = hooks.parse(text, reparse_options);
  if (!reparsed.ok()) {
    return fuzz::Verdict::Fail(
        "roundtrip", -1,
        "canonical form " + Quoted(text) + " does not parse: " + reparsed.error().ToString());
  }
  if (!(reparsed.ast() == ast)) {
    return fuzz::Verdict::Fail("roundtrip", -1,
                               "canonical form " + Quoted(text) + " parses to a different AST:\n" +
                                   FormatQueryTree(reparsed.ast()) + "instead of\n" +
                                   FormatQueryTree(ast));
  }
  const std::string again = hooks.print(reparsed.ast(), reparsed.ast().root());
  if (again != text) {
    return fuzz::Verdict::Fail(
        "fixed-point", -1, "printed " + Quoted(text) + ", reparsed and printed " + Quoted(again));
  }

  // parser-reference
  if (fuzz::Verdict v = CheckAgainstReferenceParser(in, q, parsed, hooks); !v.ok) return v;

  // reference
  const absl::StatusOr<std::vector<uint32_t>> got = hooks.evaluate(ast, in.docs);
  const absl::StatusOr<std::vector<uint32_t>> want = hooks.reference(ast, in.docs);
  if (got.ok() != want.ok() || (got.ok() && *got != *want)) {
    return fuzz::Verdict::Fail("reference", -1,
                               "evaluator " + Ids(got) + ", reference " + Ids(want));
  }
  if (!got.ok() || ast.node(ast.root()).kind == NodeKind::kKnn) return fuzz::Verdict::Ok();

  // metamorphic: composed ASTs, A = the query, B = one of its subtrees.
  const uint32_t b_node = static_cast<uint32_t>(q.size() % ast.size());
  Ast b_ast;
  b_ast.AppendCopy(ast, b_node);
  const absl::StatusOr<std::vector<uint32_t>> b = hooks.evaluate(b_ast, in.docs);
  // op(A-or-B operands...): each operand a fresh copy.
  const auto compose = [&](NodeKind kind, std::initializer_list<uint32_t> operands,
                           Ast* out) -> uint32_t {
    std::vector<uint32_t> kids;
    for (uint32_t src : operands) kids.push_back(out->AppendCopy(ast, src));
    Node n;
    n.kind = kind;
    return out->Add(n, kids);
  };
  const uint32_t a_node = ast.root();
  Ast or_ast, not_ast, and_ast, opt_ast;
  compose(NodeKind::kOr, {a_node, b_node}, &or_ast);  // (A) | (B)
  {                                                   // (A) -(A)
    const uint32_t a = not_ast.AppendCopy(ast, a_node);
    const uint32_t not_a = compose(NodeKind::kNot, {a_node}, &not_ast);
    Node n;
    n.kind = NodeKind::kAnd;
    const uint32_t kids[] = {a, not_a};
    not_ast.Add(n, kids);
  }
  compose(NodeKind::kAnd, {a_node, b_node}, &and_ast);  // (A) (B)
  {                                                     // ~(A) (B)
    const uint32_t opt = compose(NodeKind::kOptional, {a_node}, &opt_ast);
    const uint32_t b_copy = opt_ast.AppendCopy(ast, b_node);
    Node n;
    n.kind = NodeKind::kAnd;
    const uint32_t kids[] = {opt, b_copy};
    opt_ast.Add(n, kids);
  }
  struct Case {
    const char* check;
    const Ast* composed;
    const char* form;
    const char* relation;
  };
  const Case cases[] = {
      {"metamorphic-or", &or_ast, "(A) | (B)", "a superset of A"},
      {"metamorphic-and", &and_ast, "(A) (B)", "a subset of A"},
      {"metamorphic-not", &not_ast, "(A) -(A)", "empty"},
      {"metamorphic-optional", &opt_ast, "~(A) (B)", "equal to B"},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<std::vector<uint32_t>> r = hooks.evaluate(*c.composed, in.docs);
    bool holds = r.ok() && b.ok();
    if (holds) {
      const std::string_view rel = c.relation;
      if (rel == "a superset of A") holds = Subset(*got, *r);
      if (rel == "empty") holds = r->empty();
      if (rel == "a subset of A") holds = Subset(*r, *got);
      if (rel == "equal to B") holds = *r == *b;
    }
    if (!holds) {
      return fuzz::Verdict::Fail(c.check, -1,
                                 std::string(c.form) + " matched " + Ids(r) + ", expected " +
                                     c.relation + "; A = " + Quoted(text) + " matched " + Ids(got) +
                                     ", B = " + Quoted(hooks.print(ast, b_node)) + " matched " +
                                     Ids(b));
    }
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict RunQueryParser(std::string_view input) {
  return CheckQueryParser(input, QueryParserHooks());
}

// --- descriptions -------------------------------------------------------------

namespace {

std::string NumberText(const query::Param<double>& p) {
  if (!p.is_ref()) return query::FormatNumber(p.value);
  return "$" + p.name + (p.resolved ? "=" + query::FormatNumber(p.value) : " (unresolved)");
}

std::string CountText(const query::Param<int64_t>& p) {
  if (!p.is_ref()) return std::to_string(p.value);
  return "$" + p.name + (p.resolved ? "=" + std::to_string(p.value) : " (unresolved)");
}

std::string TextParam(const query::Param<std::string>& p) {
  if (!p.is_ref()) return Quoted(p.value);
  return "$" + p.name + (p.resolved ? "=" + Quoted(p.value) : " (unresolved)");
}

std::string NodeLine(const Ast& ast, uint32_t i) {
  const Node& n = ast.node(i);
  const query::NodeExtra& x = ast.extra(i);
  std::string s(query::NodeKindName(n.kind));
  switch (n.kind) {
    case NodeKind::kField:
      s += " @";
      for (size_t i = 0; i < x.words.size(); ++i) s += (i ? "|" : "") + x.words[i];
      break;
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
    case NodeKind::kSuffix:
    case NodeKind::kInfix:
    case NodeKind::kWildcard:
      s += " " + TextParam(n.term);
      break;
    case NodeKind::kFuzzy:
      s += " " + TextParam(n.term) + " distance " + std::to_string(n.fuzzy);
      break;
    case NodeKind::kPhrase:
      for (const std::string& w : x.words) s += " " + Quoted(w);
      break;
    case NodeKind::kTag: {
      static constexpr const char* kMatch[] = {"", " (prefix)", " (suffix)", " (infix)"};
      s += " @" + x.field + " {";
      for (size_t i = 0; i < x.tags.size(); ++i) {
        s += (i ? " | " : "") + TextParam(x.tags[i].text) +
             kMatch[static_cast<int>(x.tags[i].match)];
      }
      s += "}";
      break;
    }
    case NodeKind::kNumeric:
      s += " @" + x.field + " " + (x.range.min.exclusive ? "(" : "[") +
           NumberText(x.range.min.value) + ", " + NumberText(x.range.max.value) +
           (x.range.max.exclusive ? ")" : "]");
      break;
    case NodeKind::kGeo:
      s += " @" + x.field + " lon " + NumberText(x.geo.lon) + " lat " + NumberText(x.geo.lat) +
           " radius " + NumberText(x.geo.radius) + " " +
           std::string(query::GeoUnitName(x.geo.unit));
      break;
    case NodeKind::kMissing:
      s += " @" + x.field;
      break;
    case NodeKind::kKnn:
      s += " k " + CountText(x.knn.k) + " @" + x.knn.field + " blob $" + x.knn.blob.name +
           (x.knn.blob.resolved ? " (" + std::to_string(x.knn.blob.value.size()) + " bytes)"
                                : " (unresolved)");
      if (x.knn.ef_runtime) s += " EF_RUNTIME " + CountText(*x.knn.ef_runtime);
      if (!x.knn.as.empty()) s += " AS " + x.knn.as;
      break;
    default:
      break;
  }
  const query::Attributes& a = x.attrs;
  if (a.weight) s += " $weight=" + query::FormatNumber(*a.weight);
  if (a.slop) s += " $slop=" + std::to_string(*a.slop);
  if (a.inorder) s += std::string(" $inorder=") + (*a.inorder ? "true" : "false");
  if (a.phonetic) s += std::string(" $phonetic=") + (*a.phonetic ? "true" : "false");
  return s;
}

}  // namespace

std::string FormatQueryTree(const Ast& ast) {
  if (ast.empty()) return "(empty)\n";
  std::string out;
  std::vector<std::pair<uint32_t, size_t>> stack = {{ast.root(), 0}};  // node, indent
  while (!stack.empty()) {
    const auto [i, indent] = stack.back();
    stack.pop_back();
    out += std::string(2 * indent, ' ') + NodeLine(ast, i) + "\n";
    const auto kids = ast.children(i);
    for (size_t c = kids.size(); c-- > 0;) stack.emplace_back(kids[c], indent + 1);
  }
  return out;
}

std::string DescribeQueryDocument(const query::Document& d) {
  std::string s = "#" + std::to_string(d.id);
  for (const auto& [f, words] : d.text) {
    s += " " + f + "=[";
    for (size_t i = 0; i < words.size(); ++i) s += (i ? " " : "") + words[i];
    s += "]";
  }
  for (const auto& [f, tags] : d.tags) {
    s += " " + f + "={";
    for (size_t i = 0; i < tags.size(); ++i) s += (i ? ", " : "") + tags[i];
    s += "}";
  }
  for (const auto& [f, v] : d.numeric) s += " " + f + "=" + query::FormatNumber(v);
  for (const auto& [f, p] : d.geo) {
    s += " " + f + "=(" + query::FormatNumber(p.lon) + " " + query::FormatNumber(p.lat) + ")";
  }
  for (const auto& [f, v] : d.vectors) {
    s += " " + f + "=<";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + query::FormatNumber(v[i]);
    s += ">";
  }
  return s;
}

std::string DescribeQueryParser(std::string_view input) {
  const QueryParserInput in = DecodeQueryParserInput(input);
  std::string s = "flags " + std::to_string(in.flags) +
                  ((in.flags & kQuerySmallCaps) ? ": small caps" : ": default caps") +
                  " (max_query_len " + std::to_string(in.limits.max_query_len) + ", max_depth " +
                  std::to_string(in.limits.max_depth) + ", max_nodes " +
                  std::to_string(in.limits.max_nodes) + ")\n";
  s += std::to_string(in.docs.size()) + " documents\n";
  for (const query::Document& d : in.docs) s += "  " + DescribeQueryDocument(d) + "\n";
  s += "query (" + std::to_string(in.query.size()) + " bytes): " + Quoted(in.query) + "\n";
  if (!in.options.params) {
    s += "no PARAMS (references stay unresolved)\n";
  } else {
    s += "PARAMS (" + std::to_string(in.options.params->size()) + "):";
    for (const auto& [name, value] : *in.options.params) {
      s += " " + Quoted(name) + "=" + Quoted(value);
    }
    s += "\n";
  }
  const query::ParseResult parsed = query::Parse(in.query, in.options);
  if (!parsed.ok()) return s + "parse: " + parsed.error().ToString() + "\n";
  s += "AST (" + std::to_string(parsed.ast().size()) + " nodes, depth " +
       std::to_string(parsed.ast().Depth()) + "):\n" + FormatQueryTree(parsed.ast());
  s += "canonical: " + query::Print(parsed.ast()) + "\n";
  s += "evaluator: " + Ids(query::Evaluate(parsed.ast(), in.docs)) + "\n";
  s += "reference: " + Ids(models::ReferenceEvaluate(parsed.ast(), in.docs)) + "\n";
  return s;
}

RESPFUZZ_REGISTER_HARNESS(
    query_parser,
    Harness{"query_parser",
            "a RediSearch-style query (dialect 2) with optional PARAMS; leading bytes pick the "
            "caps and up to 8 documents with text, tag, numeric, geo and vector fields",
            "parse errors carry an offset and reason; the AST is within the caps; the canonical "
            "form reparses to an equal AST and is a fixed point; the parser and a separately "
            "written recursive-descent grammar accept the same queries with equal ASTs; the "
            "evaluator agrees with a "
            "separately written reference evaluator; A|B matches a superset of A, A -A nothing, "
            "A B a subset of A, ~A B what B matches",
            RunQueryParser, DescribeQueryParser});

}  // namespace respfuzz::harnesses
