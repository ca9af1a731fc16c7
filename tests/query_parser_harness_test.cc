// The query_parser harness: every check fails on a parser, printer or
// evaluator broken in the way it guards against (plugged in through
// QueryParserHooks), the real pieces pass, and decoding is total.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "harnesses/common/registry.h"
#include "harnesses/models/query_reference.h"
#include "harnesses/query_parser/checks.h"
#include "src/query/evaluator.h"
#include "src/query/parser.h"
#include "src/query/printer.h"

namespace respfuzz::harnesses {
namespace {

using query::Ast;
using query::NodeKind;

// One document: text field a holding `word` (an index into kQueryWords).
std::string DocWithWord(int word) {
  std::string d(kQueryDocBytes, '\0');
  d[0] = 0x01;                          // field a present
  d[1] = static_cast<char>(word << 2);  // one word
  return d;
}

// Three documents: a=[hello], a=[world], a=[help]; then the query.
std::string Input(std::string_view query, uint8_t caps = 0) {
  return std::string(1, static_cast<char>((3 << 4) | caps)) + DocWithWord(0) + DocWithWord(2) +
         DocWithWord(1) + std::string(query);
}

fuzz::Verdict Check(std::string_view input, const QueryParserHooks& hooks = {}) {
  return CheckQueryParser(input, hooks);
}

// --- broken pieces -------------------------------------------------------------

query::ParseResult ParseWithOffsetPastTheEnd(std::string_view q, const query::ParseOptions& o) {
  query::ParseResult r = query::Parse(q, o);
  if (r.ok()) return r;
  query::ParseError e = r.error();
  e.offset = q.size() + 1;
  return query::ParseResult(e);
}

query::ParseResult ParseIgnoringCaps(std::string_view q, const query::ParseOptions& o) {
  query::ParseOptions relaxed = o;
  relaxed.limits = query::ParseLimits();
  relaxed.limits.max_query_len = SIZE_MAX;
  return query::Parse(q, relaxed);
}

// Forgets negations.
std::string PrintDroppingMinus(const Ast& ast, uint32_t node) {
  std::string s = query::PrintSubtree(ast, node);
  std::erase(s, '-');
  return s;
}

// Not a function of the AST: every other call adds redundant parentheses.
int print_calls = 0;
std::string PrintAlternating(const Ast& ast, uint32_t node) {
  const std::string s = query::PrintSubtree(ast, node);
  return print_calls++ % 2 == 0 ? s : "(" + s + ")";
}

// Evaluates a copy of the AST with some node kinds swapped.
Ast Rewritten(const Ast& ast, NodeKind from, NodeKind to, bool root_only) {
  Ast copy = ast;
  for (uint32_t i = 0; i < copy.size(); ++i) {
    if ((!root_only || i == copy.root()) && copy.node(i).kind == from) {
      copy.mutable_node(i).kind = to;
    }
  }
  return copy;
}

absl::StatusOr<std::vector<uint32_t>> EvalNotAsOptional(const Ast& ast,
                                                        std::span<const query::Document> d) {
  return query::Evaluate(Rewritten(ast, NodeKind::kNot, NodeKind::kOptional, false), d);
}
absl::StatusOr<std::vector<uint32_t>> EvalRootOrAsAnd(const Ast& ast,
                                                      std::span<const query::Document> d) {
  return query::Evaluate(Rewritten(ast, NodeKind::kOr, NodeKind::kAnd, true), d);
}
absl::StatusOr<std::vector<uint32_t>> EvalRootAndAsOr(const Ast& ast,
                                                      std::span<const query::Document> d) {
  return query::Evaluate(Rewritten(ast, NodeKind::kAnd, NodeKind::kOr, true), d);
}
absl::StatusOr<std::vector<uint32_t>> EvalOptionalAsNot(const Ast& ast,
                                                        std::span<const query::Document> d) {
  return query::Evaluate(Rewritten(ast, NodeKind::kOptional, NodeKind::kNot, false), d);
}
// Ignores exclusive numeric bounds (a plausible evaluator bug).
absl::StatusOr<std::vector<uint32_t>> EvalInclusiveBounds(const Ast& ast,
                                                          std::span<const query::Document> d) {
  Ast copy = ast;
  for (uint32_t i = 0; i < copy.size(); ++i) {
    if (copy.node(i).kind != NodeKind::kNumeric) continue;
    copy.mutable_extra(i).range.min.exclusive = false;
    copy.mutable_extra(i).range.max.exclusive = false;
  }
  return query::Evaluate(copy, d);
}

// --- each check fails on its bug ------------------------------------------------

TEST(QueryParserHarness, RealPiecesPass) {
  for (const char* q : {"hello", "hello -world | help", "@a:(hel* | %wrld%) ~world", "@n:[(0 1]",
                        "*=>[KNN 1 @v $B]", "(", "@t:{", "$x"}) {
    const fuzz::Verdict v = Check(Input(q));
    EXPECT_TRUE(v.ok) << q << ": " << v.ToString();
  }
}

TEST(QueryParserHarness, ErrorCheckCatchesAnOffsetOutsideTheQuery) {
  QueryParserHooks hooks;
  hooks.parse = &ParseWithOffsetPastTheEnd;
  const fuzz::Verdict v = Check(Input("hello ("), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "error") << v.ToString();
  EXPECT_TRUE(Check(Input("hello"), hooks).ok);
}

TEST(QueryParserHarness, ErrorCheckCatchesAnIgnoredLengthCap) {
  QueryParserHooks hooks;
  hooks.parse = &ParseIgnoringCaps;
  const fuzz::Verdict v = Check(Input(std::string(257, 'a'), kQuerySmallCaps), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "error") << v.ToString();
  EXPECT_NE(v.message.find("parsed despite the length cap 256"), std::string::npos);
}

TEST(QueryParserHarness, CapsCheckCatchesAnIgnoredDepthCap) {
  QueryParserHooks hooks;
  hooks.parse = &ParseIgnoringCaps;
  const fuzz::Verdict v = Check(Input("--------a", kQuerySmallCaps), hooks);  // depth 9 > 8
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "caps") << v.ToString();
  EXPECT_NE(v.message.find("depth 9 (cap 8)"), std::string::npos) << v.message;
  // And the node cap: 32 terms and their AND.
  std::string many;
  for (int i = 0; i < 32; ++i) many += "a ";
  const fuzz::Verdict n = Check(Input(many, kQuerySmallCaps), hooks);
  ASSERT_FALSE(n.ok);
  EXPECT_EQ(n.check, "caps") << n.ToString();
  EXPECT_TRUE(Check(Input("--------a", kQuerySmallCaps)).ok);  // the real parser rejects it
}

TEST(QueryParserHarness, RoundtripCatchesAPrinterThatLosesNegation) {
  QueryParserHooks hooks;
  hooks.print = &PrintDroppingMinus;
  const fuzz::Verdict v = Check(Input("hello -world"), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "roundtrip") << v.ToString();
  EXPECT_TRUE(Check(Input("hello world"), hooks).ok);
}

TEST(QueryParserHarness, FixedPointCatchesAPrinterThatIsNotAFunctionOfTheAst) {
  QueryParserHooks hooks;
  hooks.print = &PrintAlternating;
  print_calls = 0;
  const fuzz::Verdict v = Check(Input("hello world"), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "fixed-point") << v.ToString();
  EXPECT_NE(v.message.find("printed \"hello world\", reparsed and printed \"(hello world)\""),
            std::string::npos)
      << v.message;
}

TEST(QueryParserHarness, ReferenceCatchesABrokenEvaluator) {
  QueryParserHooks hooks;
  hooks.evaluate = &EvalNotAsOptional;
  const fuzz::Verdict v = Check(Input("-hello"), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "reference") << v.ToString();
  EXPECT_EQ(v.message, "evaluator {0, 1, 2}, reference {1, 2}");
  // Bounds: numeric field n = byte 6 as int8 / 2; documents with n = 0 and 1.
  std::string docs(1, static_cast<char>(2 << 4));
  for (int n : {0, 2}) {
    std::string d(kQueryDocBytes, '\0');
    d[0] = 0x08;
    d[6] = static_cast<char>(n);
    docs += d;
  }
  hooks.evaluate = &EvalInclusiveBounds;
  const fuzz::Verdict b = Check(docs + "@n:[(0 1]", hooks);
  ASSERT_FALSE(b.ok);
  EXPECT_EQ(b.check, "reference") << b.ToString();
}

TEST(QueryParserHarness, ReferenceCatchesABrokenReferenceToo) {
  QueryParserHooks hooks;
  hooks.reference = &EvalNotAsOptional;
  const fuzz::Verdict v = Check(Input("-hello"), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "reference") << v.ToString();
}

// The metamorphic checks see what the reference cannot: evaluate and
// reference are the same broken function, so they agree.
TEST(QueryParserHarness, MetamorphicOrCatchesAnOrThatIntersects) {
  QueryParserHooks hooks;
  hooks.evaluate = hooks.reference = &EvalRootOrAsAnd;
  // A = -hello (docs 1, 2), B = hello: (A) | (B) evaluated as an AND is empty.
  const fuzz::Verdict v = Check(Input("-hello"), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "metamorphic-or") << v.ToString();
}

TEST(QueryParserHarness, MetamorphicNotCatchesANegationThatMatchesEverything) {
  QueryParserHooks hooks;
  hooks.evaluate = hooks.reference = &EvalNotAsOptional;
  const fuzz::Verdict v = Check(Input("hello"), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "metamorphic-not") << v.ToString();
}

TEST(QueryParserHarness, MetamorphicAndCatchesAnAndThatUnites) {
  QueryParserHooks hooks;
  hooks.evaluate = hooks.reference = &EvalRootAndAsOr;
  const fuzz::Verdict v = Check(Input("-hello"), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "metamorphic-and") << v.ToString();
}

TEST(QueryParserHarness, MetamorphicOptionalCatchesAnOptionalThatExcludes) {
  QueryParserHooks hooks;
  hooks.evaluate = hooks.reference = &EvalOptionalAsNot;
  const fuzz::Verdict v = Check(Input("hello"), hooks);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "metamorphic-optional") << v.ToString();
}

// --- decoding --------------------------------------------------------------------

// --- the reference grammar (harnesses/models/query_reference_parser.h) -------------

// A parser broken in one rule family each.
// Valid but rejected: %%%term%%% (fuzzy distance 3) refused.
query::ParseResult ParseRejectingTripleFuzzy(std::string_view q, const query::ParseOptions& o) {
  if (q.find("%%%") != std::string_view::npos) {
    return query::ParseResult(query::ParseError{0, "no distance 3", ""});
  }
  return query::Parse(q, o);
}
// Invalid but accepted: an unescaped ',' inside a word read as escaped.
query::ParseResult ParseAcceptingComma(std::string_view q, const query::ParseOptions& o) {
  std::string fixed;
  for (char c : q) {
    if (c == ',' && (fixed.empty() || fixed.back() != '\\')) fixed += '\\';
    fixed += c;
  }
  return query::Parse(fixed, o);
}
// Precedence: AND and OR exchanged (a | b c read as a (b | c) would give the same shape).
query::ParseResult ParseSwappingAndOr(std::string_view q, const query::ParseOptions& o) {
  query::ParseResult r = query::Parse(q, o);
  if (!r.ok()) return r;
  Ast& ast = r.ast();
  for (uint32_t i = 0; i < ast.size(); ++i) {
    NodeKind& k = ast.mutable_node(i).kind;
    k = k == NodeKind::kAnd ? NodeKind::kOr : k == NodeKind::kOr ? NodeKind::kAnd : k;
  }
  return r;
}
// Case folding: terms keep an upper-case first letter.
query::ParseResult ParseKeepingCase(std::string_view q, const query::ParseOptions& o) {
  query::ParseResult r = query::Parse(q, o);
  if (!r.ok()) return r;
  Ast& ast = r.ast();
  for (uint32_t i = 0; i < ast.size(); ++i) {
    std::string& t = ast.mutable_node(i).term.value;
    if (ast.node(i).kind == NodeKind::kTerm && !t.empty()) t[0] = absl::ascii_toupper(t[0]);
  }
  return r;
}
// Attributes: lost.
query::ParseResult ParseDroppingAttributes(std::string_view q, const query::ParseOptions& o) {
  query::ParseResult r = query::Parse(q, o);
  if (!r.ok()) return r;
  for (uint32_t i = 0; i < r.ast().size(); ++i) r.ast().mutable_extra(i).attrs = {};
  return r;
}

fuzz::Verdict ReferenceParserVerdict(query::ParseResult (*parse)(std::string_view,
                                                                 const query::ParseOptions&),
                                     std::string_view query) {
  const std::string input = Input(query);  // `in` views into it
  const QueryParserInput in = DecodeQueryParserInput(input);
  return CheckAgainstReferenceParser(in, in.query, parse(in.query, in.options), QueryParserHooks{});
}

TEST(QueryParserReference, AgreesWithTheRealParser) {
  for (const char* q : {"hello world",
                        "a b | c d",
                        "-a b",
                        "@title:hello",
                        "@a|b:(x | y)",
                        "@n:[1 (5]",
                        "@n:[-inf +inf]",
                        "@t:{red | dark blue | bl* | *ue | *ar*}",
                        "hel* *llo *ell*",
                        "*",
                        "w'h?l*'",
                        "%word% %%word%% %%%word%%%",
                        "$name",
                        "(a b)=>{$weight: 2.0; $slop: 1}",
                        "@g:[2.35 48.85 10 km]",
                        "*=>[KNN 10 @v $B AS score]",
                        "(a)=>[KNN $k @v $B EF_RUNTIME 10]",
                        "ismissing(@f)",
                        "\"hello world\"",
                        "hello\\-world c\\+\\+",
                        "CAFÉ Naïve",
                        "(a b) c",
                        "((a))",
                        "-(a b)=>{$inorder: true}",
                        "hello,world",
                        "3.14",
                        "(a",
                        "a)",
                        "",
                        "%%%%a%%%%",
                        "@n:[1e-400 2]",
                        "*=>[KNN 1 @v $B] x",
                        "-*=>[KNN 1 @v $B]"}) {
    const fuzz::Verdict v = ReferenceParserVerdict(&query::Parse, q);
    EXPECT_TRUE(v.ok) << q << ": " << v.ToString();
  }
}

TEST(QueryParserReference, CatchesAParserBrokenInEachRuleFamily) {
  struct Case {
    query::ParseResult (*parse)(std::string_view, const query::ParseOptions&);
    const char* query;
  };
  const Case cases[] = {
      {&ParseRejectingTripleFuzzy, "%%%word%%%"},
      {&ParseAcceptingComma, "hello,world"},
      {&ParseSwappingAndOr, "a b | c"},
      {&ParseKeepingCase, "Hello"},
      {&ParseDroppingAttributes, "a=>{$weight: 2}"},
      {&ParseIgnoringCaps, "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g"},
  };
  for (const Case& c : cases) {
    const std::string input = Input(c.query, kQuerySmallCaps);
    const QueryParserInput in = DecodeQueryParserInput(input);
    const fuzz::Verdict v =
        CheckAgainstReferenceParser(in, in.query, c.parse(in.query, in.options), {});
    EXPECT_FALSE(v.ok) << c.query;
    EXPECT_EQ(v.check, "parser-reference") << c.query << ": " << v.ToString();
  }
}

// Bugs the print-and-reparse checks cannot see: a valid query rejected, an
// invalid one accepted. The whole harness reports them.
TEST(QueryParserReference, CatchesWhatPrintingCannot) {
  QueryParserHooks hooks;
  hooks.parse = &ParseRejectingTripleFuzzy;
  fuzz::Verdict v = Check(Input("%%%word%%%"), hooks);
  EXPECT_EQ(v.check, "parser-reference") << v.ToString();
  hooks.parse = &ParseAcceptingComma;
  v = Check(Input("hello,world"), hooks);
  EXPECT_EQ(v.check, "parser-reference") << v.ToString();
  EXPECT_NE(v.message.find("rejects"), std::string::npos) << v.message;
}

// The seeds generated from the grammar (seeds.py, gen_*) are valid queries:
// both the parser and the reference grammar accept each with equal ASTs.
TEST(QueryParserReference, GeneratedSeedsAreValidQueries) {
  const std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "query_parser";
  int seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind("gen_", 0) != 0) continue;
    std::ifstream f(e.path(), std::ios::binary);
    const std::string input((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const QueryParserInput in = DecodeQueryParserInput(input);
    const query::ParseResult r = query::Parse(in.query, in.options);
    EXPECT_TRUE(r.ok()) << e.path() << ": " << (r.ok() ? "" : r.error().ToString());
    EXPECT_TRUE(CheckAgainstReferenceParser(in, in.query, r, {}).ok) << e.path();
    ++seen;
  }
  EXPECT_GE(seen, 40);
}

TEST(QueryParserHarness, DecodesDocumentsQueryAndParams) {
  std::string in = Input("$w");
  in += std::string("\0\x01w\x05HELLO\x01z", 12);  // the last value is cut short
  const QueryParserInput d = DecodeQueryParserInput(in);
  ASSERT_EQ(d.docs.size(), 3u);
  EXPECT_EQ(DescribeQueryDocument(d.docs[1]), "#1 a=[world]");
  EXPECT_EQ(d.query, "$w");
  ASSERT_TRUE(d.options.params.has_value());
  EXPECT_EQ(d.options.params->at("w"), "HELLO");
  EXPECT_EQ(d.options.params->at("z"), "");
  EXPECT_TRUE(RunQueryParser(in).ok);
  EXPECT_FALSE(DecodeQueryParserInput(Input("$w")).options.params.has_value());
}

TEST(QueryParserHarness, DecodesEveryFieldType) {
  std::string doc(kQueryDocBytes, '\0');
  doc[0] = 0x3F;
  doc[1] = static_cast<char>(3 | (1 << 2) | (2 << 5));  // 4 words: help world hello hello
  doc[3] = static_cast<char>((6 << 2) | 0);             // b: café
  doc[5] = static_cast<char>(0x85);                     // tags red, dark blue, 42
  doc[6] = static_cast<char>(-7);                       // n = -3.5
  doc[7] = 10;                                          // point 10 % 8 = Paris
  doc[8] = static_cast<char>(-1);
  doc[9] = 100;
  const QueryParserInput d = DecodeQueryParserInput(std::string(1, 0x10) + doc);
  ASSERT_EQ(d.docs.size(), 1u);
  EXPECT_EQ(DescribeQueryDocument(d.docs[0]),
            "#0 a=[help world hello hello] b=[caf\xc3\xa9] t={red, dark blue, 42} n=-3.5 "
            "g=(2.3522 48.8566) v=<-1 100>");
}

TEST(QueryParserHarness, DecodeIsTotalAndBounded) {
  uint64_t x = 42;
  for (int i = 0; i < 3000; ++i) {
    std::string bytes;
    const int len = static_cast<int>(x % 300);
    for (int b = 0; b < len; ++b) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      bytes.push_back(static_cast<char>(x));
    }
    const QueryParserInput d = DecodeQueryParserInput(bytes);
    ASSERT_LE(d.docs.size(), kQueryMaxDocs);
    if (d.options.params) {
      ASSERT_LE(d.options.params->size(), kQueryMaxParams);
    }
    const fuzz::Verdict v = RunQueryParser(bytes);
    ASSERT_TRUE(v.ok) << v.ToString() << "\n" << DescribeQueryParser(bytes);
    EXPECT_FALSE(DescribeQueryParser(bytes).empty());
  }
  EXPECT_TRUE(RunQueryParser("").ok);
  EXPECT_EQ(DecodeQueryParserInput(std::string(1, '\xF0')).docs.size(), 8u);  // 15 docs -> 8
}

TEST(QueryParserHarness, DescribeShowsTheAstAndBothEvaluators) {
  const std::string d = DescribeQueryParser(Input("hel* -world"));
  EXPECT_NE(d.find("3 documents\n  #0 a=[hello]\n  #1 a=[world]\n  #2 a=[help]\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("AST (4 nodes, depth 3):\nAND\n  PREFIX \"hel\"\n  NOT\n    TERM \"world\"\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("canonical: hel* -world\nevaluator: {0, 2}\nreference: {0, 2}\n"),
            std::string::npos)
      << d;
  EXPECT_NE(DescribeQueryParser(Input("a (")).find("parse: Syntax error at offset 2"),
            std::string::npos);
}

}  // namespace
}  // namespace respfuzz::harnesses
