// src/query: lexer and parser (precedence, every grammar feature, errors with
// offsets, caps at their boundaries), canonical printing, AST structure and
// equality, deep trees without native recursion, numbers, UTF-8, and the
// evaluator's semantics.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "harnesses/query_parser/checks.h"
#include "src/query/ast.h"
#include "src/query/document.h"
#include "src/query/evaluator.h"
#include "src/query/parser.h"
#include "src/query/printer.h"
#include "src/query/utf8.h"

namespace respfuzz::query {
namespace {

using harnesses::FormatQueryTree;

Ast MustParse(std::string_view q, const ParseOptions& o = {}) {
  ParseResult r = Parse(q, o);
  EXPECT_TRUE(r.ok()) << q << ": " << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? r.ast() : Ast();
}

std::string Tree(std::string_view q, const ParseOptions& o = {}) {
  return FormatQueryTree(MustParse(q, o));
}

std::string Canonical(std::string_view q, const ParseOptions& o = {}) {
  return Print(MustParse(q, o));
}

ParseError MustFail(std::string_view q, const ParseOptions& o = {}) {
  ParseResult r = Parse(q, o);
  EXPECT_FALSE(r.ok()) << q << " parsed as " << (r.ok() ? Print(r.ast()) : "");
  return r.ok() ? ParseError{} : r.error();
}

ParseOptions WithParams(Params p) {
  ParseOptions o;
  o.params = std::move(p);
  return o;
}

// --- precedence and structure -------------------------------------------------

TEST(QueryParser, Dialect2Precedence) {
  EXPECT_EQ(Tree("a b | c d"),
            "OR\n  AND\n    TERM \"a\"\n    TERM \"b\"\n  AND\n    TERM \"c\"\n"
            "    TERM \"d\"\n");
  EXPECT_EQ(Tree("-a b"), "AND\n  NOT\n    TERM \"a\"\n  TERM \"b\"\n");
  EXPECT_EQ(Tree("@f:a b"), "AND\n  FIELD @f\n    TERM \"a\"\n  TERM \"b\"\n");
  EXPECT_EQ(Tree("~a | b"), "OR\n  OPTIONAL\n    TERM \"a\"\n  TERM \"b\"\n");
  EXPECT_EQ(Tree("a | b | c"), "OR\n  TERM \"a\"\n  TERM \"b\"\n  TERM \"c\"\n");
  EXPECT_EQ(Tree("a b c"), "AND\n  TERM \"a\"\n  TERM \"b\"\n  TERM \"c\"\n");
}

TEST(QueryParser, GroupsKeepTheirStructureAndSingletonsVanish) {
  EXPECT_EQ(Tree("(a b) c"), "AND\n  AND\n    TERM \"a\"\n    TERM \"b\"\n  TERM \"c\"\n");
  EXPECT_EQ(Tree("a | (b | c)"), "OR\n  TERM \"a\"\n  OR\n    TERM \"b\"\n    TERM \"c\"\n");
  EXPECT_EQ(Tree("((((a))))"), "TERM \"a\"\n");
  EXPECT_EQ(Tree("-(a | b)"), "NOT\n  OR\n    TERM \"a\"\n    TERM \"b\"\n");
  EXPECT_EQ(Tree("@a|b:(x -y)"), "FIELD @a|b\n  AND\n    TERM \"x\"\n    NOT\n      TERM \"y\"\n");
  EXPECT_EQ(Tree("-~@f:x"), "NOT\n  OPTIONAL\n    FIELD @f\n      TERM \"x\"\n");
}

TEST(QueryParser, EveryAtom) {
  EXPECT_EQ(Tree("Hello"), "TERM \"hello\"\n");
  EXPECT_EQ(Tree("pre* *suf *in*"), "AND\n  PREFIX \"pre\"\n  SUFFIX \"suf\"\n  INFIX \"in\"\n");
  EXPECT_EQ(Tree("*"), "ALL\n");
  EXPECT_EQ(Tree("\"Exact  Phrase\""), "PHRASE \"exact\" \"phrase\"\n");
  EXPECT_EQ(
      Tree("%a% %%bb%% %%%ccc%%%"),
      "AND\n  FUZZY \"a\" distance 1\n  FUZZY \"bb\" distance 2\n  FUZZY \"ccc\" distance 3\n");
  EXPECT_EQ(Tree("w'F?o*'"), "WILDCARD \"f?o*\"\n");
  EXPECT_EQ(Tree("$p"), "TERM $p (unresolved)\n");
  EXPECT_EQ(Tree("@t:{A | b* | *c | *d* | $p}"),
            "TAG @t {\"a\" | \"b\" (prefix) | \"c\" (suffix) | \"d\" (infix) | $p (unresolved)}\n");
  EXPECT_EQ(Tree("@n:[(1 +inf]"), "NUMERIC @n (1, +inf]\n");
  EXPECT_EQ(Tree("@n:[-inf (2.5]"), "NUMERIC @n [-inf, 2.5)\n");
  EXPECT_EQ(Tree("@g:[2.35 48.85 10 KM]"), "GEO @g lon 2.35 lat 48.85 radius 10 km\n");
  EXPECT_EQ(Tree("ismissing(@f)"), "ISMISSING @f\n");
  EXPECT_EQ(Tree("*=>[KNN 10 @v $B AS score]"),
            "KNN k 10 @v blob $B (unresolved) AS score\n  ALL\n");
  EXPECT_EQ(Tree("(a b)=>[knn $k @vec $blob ef_runtime 4]"),
            "KNN k $k (unresolved) @vec blob $blob (unresolved) EF_RUNTIME 4\n  AND\n    TERM "
            "\"a\"\n    TERM \"b\"\n");
  EXPECT_EQ(Tree("a=>{$weight: 2.0; $slop: 1; $inorder: true; $phonetic: false}"),
            "TERM \"a\" $weight=2 $slop=1 $inorder=true $phonetic=false\n");
}

TEST(QueryParser, EscapesAndSpecialWords) {
  EXPECT_EQ(Tree(R"(hello\-world \(x\) c\+\+)"),
            "AND\n  TERM \"hello-world\"\n  TERM \"(x)\"\n  TERM \"c++\"\n");
  EXPECT_EQ(Tree("w'a\\*b\\q\\\\'"), "WILDCARD \"a\\\\*bq\\\\\\\\\"\n");
  EXPECT_EQ(Tree("ismissing ismissing* ISMISSING(@x)"),
            "AND\n  TERM \"ismissing\"\n  PREFIX \"ismissing\"\n  ISMISSING @x\n");
  EXPECT_EQ(Tree("inf KNN w"), "AND\n  TERM \"inf\"\n  TERM \"knn\"\n  TERM \"w\"\n");
  EXPECT_EQ(Tree("@t:{ dark blue | a\\|b | \\ x\\  }"),
            "TAG @t {\"dark blue\" | \"a|b\" | \" x \"}\n");
  EXPECT_EQ(Tree("\"a\\ b c\\\"d\""), "PHRASE \"a b\" \"c\\\"d\"\n");
}

TEST(QueryParser, AttributesAttachToThePrimary) {
  EXPECT_EQ(Tree("-a=>{$weight: 2}"), "NOT\n  TERM \"a\" $weight=2\n");
  EXPECT_EQ(Tree("(-a)=>{$weight: 2}"), "NOT $weight=2\n  TERM \"a\"\n");
  EXPECT_EQ(Tree("(a=>{$weight: 1})=>{$slop: 2}=>{$weight: 3}"), "TERM \"a\" $weight=3 $slop=2\n");
  EXPECT_EQ(Tree("a=>{$weight: 1; $weight: 4;}"), "TERM \"a\" $weight=4\n");
}

TEST(QueryParser, Utf8TermsAreValidatedAndLowercased) {
  EXPECT_EQ(Tree("CAFÉ ÀÞ ×"),
            "AND\n  TERM \"caf\\xc3\\xa9\"\n  TERM \"\\xc3\\xa0\\xc3\\xbe\"\n  "
            "TERM \"\\xc3\\x97\"\n");
  EXPECT_EQ(Tree("@t:{ÉTÉ}"), "TAG @t {\"\\xc3\\xa9t\\xc3\\xa9\"}\n");
  EXPECT_EQ(MustFail("ok \xff").reason, "invalid UTF-8 in term");
  EXPECT_EQ(MustFail("ok \xff").offset, 3u);
  EXPECT_EQ(MustFail("@t:{\xc3}").reason, "invalid UTF-8 in tag");
  EXPECT_EQ(MustFail("\"a \xe0\x80\x80\"").reason, "invalid UTF-8 in phrase");
  EXPECT_EQ(MustFail("@\xff:a").reason, "invalid UTF-8 in field name");
  EXPECT_EQ(MustFail("ISMISSING(@\xc3)").reason, "invalid UTF-8 in field name");
  // Tag lowercasing of a trailing lead byte (RediSearch once read past it).
  EXPECT_EQ(MustFail("@t:{abc\xc3}").reason, "invalid UTF-8 in tag");
}

// --- errors -------------------------------------------------------------------

struct ErrorCase {
  const char* query;
  size_t offset;
  const char* reason;
};

TEST(QueryParser, ErrorsCarryOffsetAndReason) {
  const ErrorCase cases[] = {
      {"", 0, "empty query"},
      {"a (b", 2, "missing ')'"},
      {"a)", 1, "unmatched ')'"},
      {"()", 1, "empty parentheses"},
      {"a |", 3, "expected an operand after '|'"},
      {"| a", 0, "expected an operand before '|'"},
      {"a -", 3, "expected an operand after '-'"},
      {"~", 1, "expected an operand after '~'"},
      {"@f:", 3, "expected an operand after a field modifier"},
      {"a\\", 1, "a backslash at the end of the query escapes nothing"},
      {"a.b", 1, "unexpected character '.' (escape it with a backslash to search for it)"},
      {"ab*c", 3, "unexpected character after '*' (a '*' ends a prefix or infix term)"},
      {"a = b", 2, "expected '=>'"},
      {"=>{$weight: 1}", 0, "'=>' must follow a term or a parenthesized expression"},
      {"a=>x", 3, "expected '{' or '[' after '=>'"},
      {"\"ab", 0, "unterminated phrase (missing \")"},
      {"\"  \"", 0, "empty phrase"},
      {"w''", 0, "empty wildcard pattern"},
      {"w'ab", 0, "unterminated wildcard pattern (missing ')"},
      {"%%%%a%%%%", 0, "at most 3 '%' around a fuzzy term"},
      {"%%a%", 0, "unbalanced '%' around a fuzzy term"},
      {"% a%", 1, "expected a term after '%'"},
      {"$", 0, "expected a parameter name after '$'"},
      {"@:a", 1, "expected a field name"},
      {"@a b", 2, "expected ':' after the field name"},
      {"ismissing(f)", 10, "expected '@field' in ismissing()"},
      {"ismissing(@f", 12, "expected ')' after the ismissing() field"},
      {"@t:{}", 4, "empty tag value"},
      {"@t:{a*b}", 5, "a '*' inside a tag value must be escaped"},
      {"@t:{a{}", 5, "a '{' inside a tag value must be escaped"},
      {"@t:{$p q}", 7, "a parameter must be the whole tag value"},
      {"@t:{a", 3, "unterminated tag list (missing '}')"},
      {"@a|b:{x}", 0, "a tag filter takes one field"},
      {"@a|b:[1 2]", 0, "a numeric or geo filter takes one field"},
      {"@n:[1 2", 3, "unterminated '[' (missing ']')"},
      {"@n:[1]", 3, "expected [min max] or [lon lat radius unit]"},
      {"@n:[x 1]", 4, "invalid minimum (not a number, or out of range)"},
      {"@n:[1 1e999]", 6, "invalid maximum (not a number, or out of range)"},
      {"@g:[200 0 1 km]", 4, "longitude must be within [-180, 180]"},
      {"@g:[0 90 1 km]", 6, "latitude must be within [-85.05112878, 85.05112878]"},
      {"@g:[0 0 -1 km]", 8, "radius must be a finite number >= 0"},
      {"@g:[0 0 1 yd]", 10, "geo unit must be m, km, mi or ft"},
      {"a=>{}", 3, "empty attribute list"},
      {"a=>{$weight: -1}", 13, "$weight must be a finite number >= 0"},
      {"a=>{$slop: x}", 11, "$slop must be a non-negative integer"},
      {"a=>{$inorder: 1}", 14, "$inorder must be true or false"},
      {"a=>{$boost: 1}", 5, "unknown attribute '$boost'"},
      {"a=>{weight: 1}", 4, "expected '$name: value' in the attribute list"},
      {"a=>{$weight: }", 13, "expected an attribute value"},
      {"a=>{$weight: 1 $slop: 1}", 15, "expected ';' or '}' after an attribute"},
      {"a=>{$weight: 1", 3, "unterminated attribute list (missing '}')"},
      {"a b=>[KNN 1 @v $B]", 3,
       "a KNN clause must follow the whole query: (...)=>[KNN ...] or *=>[KNN ...]"},
      {"*=>[KNN 1 @v $B] c", 17, "nothing may follow the KNN clause"},
      {"*=>[KN 1 @v $B]", 4, "expected 'KNN' after '=>['"},
      {"*=>[KNN 1 @v]", 3, "expected [KNN k @field $blob ...]"},
      {"*=>[KNN x @v $B]", 8, "KNN k must be a non-negative integer"},
      {"*=>[KNN 1 v $B]", 10, "expected '@field' (the vector field) after KNN k"},
      {"*=>[KNN 1 @v B]", 13, "the KNN vector must be a parameter ($name)"},
      {"*=>[KNN 1 @v $B TOP 1]", 16, "expected AS or EF_RUNTIME in the KNN clause"},
      {"*=>[KNN 1 @v $B AS]", 16, "expected a value after AS or EF_RUNTIME"},
      {"*=>[KNN 1 @v $B AS a AS b]", 21, "AS or EF_RUNTIME given twice"},
      {"*=>[KNN 1 @v $B AS a.b]", 19, "invalid AS name"},
  };
  for (const ErrorCase& c : cases) {
    const ParseError e = MustFail(c.query);
    EXPECT_EQ(e.offset, c.offset) << c.query;
    EXPECT_EQ(e.reason, c.reason) << c.query;
  }
}

TEST(QueryParser, ErrorTextNamesOffsetAndNearbyBytes) {
  const ParseError e = MustFail("hello world (and more text");
  EXPECT_EQ(e.ToString(), "Syntax error at offset 12 near '(and more text': missing ')'");
  EXPECT_EQ(MustFail("a \x01").ToString(),
            "Syntax error at offset 2 near '\\x01': unexpected character '\\x01' (escape it "
            "with a backslash to search for it)");
  EXPECT_EQ(MustFail("0123456789 0123456789 0123456789 =").near, "=");
  EXPECT_EQ(MustFail("=abcdefghijklmnopqrstuvwxyz").near, "=abcdefghijklmno");
}

// --- caps -----------------------------------------------------------------------

TEST(QueryParser, LengthCapBoundary) {
  const std::string at(ParseLimits::kDefaultMaxQueryLen, 'a');
  EXPECT_TRUE(Parse(at).ok());
  const ParseError e = MustFail(at + "a");
  EXPECT_EQ(e.offset, ParseLimits::kDefaultMaxQueryLen);
  EXPECT_EQ(e.reason, "query longer than 65536 bytes");
  ParseOptions small;
  small.limits.max_query_len = 3;
  EXPECT_TRUE(Parse("a b", small).ok());
  EXPECT_EQ(MustFail("a b ", small).offset, 3u);
}

TEST(QueryParser, DepthCapBoundary) {
  const int cap = ParseLimits::kDefaultMaxDepth;
  const Ast at = MustParse(std::string(cap - 1, '-') + "a");
  EXPECT_EQ(at.Depth(), cap);
  const ParseError e = MustFail(std::string(cap, '-') + "a");
  EXPECT_EQ(e.reason, "query nested too deeply (max depth 128)");
  EXPECT_EQ(e.offset, 0u);  // the outermost '-', the node that would be too deep
  // Groups: depth counts AST levels, not parentheses.
  ParseOptions small;
  small.limits.max_depth = 3;
  EXPECT_TRUE(Parse("(((((a b))))) c", small).ok());
  EXPECT_EQ(MustParse("(a b) c", small).Depth(), 3);
  EXPECT_EQ(MustFail("(a -b) c", small).reason, "query nested too deeply (max depth 3)");
}

TEST(QueryParser, NodeCapBoundary) {
  const size_t cap = ParseLimits::kDefaultMaxNodes;
  std::string at;
  for (size_t i = 0; i + 1 < cap; ++i) at += "a ";
  EXPECT_EQ(MustParse(at).size(), cap);  // cap - 1 terms and their AND
  const ParseError e = MustFail(at + "a");
  EXPECT_EQ(e.reason, "query has too many nodes (max 4096)");
  ParseOptions small;
  small.limits.max_nodes = 3;
  EXPECT_TRUE(Parse("a b", small).ok());
  EXPECT_EQ(MustFail("a b c", small).reason, "query has too many nodes (max 3)");
  EXPECT_EQ(MustFail("-a b", small).reason, "query has too many nodes (max 3)");
}

// A tree far deeper than any native stack would survive with recursion:
// parse, print, compare, measure, evaluate and destroy it.
TEST(QueryParser, DeepTreesUseNoNativeRecursion) {
  constexpr size_t kDepth = 300000;
  ParseOptions big;
  big.limits.max_query_len = SIZE_MAX;
  big.limits.max_depth = std::numeric_limits<int>::max();
  big.limits.max_nodes = SIZE_MAX;
  const std::string q = std::string(kDepth, '-') + "a";
  {
    const Ast ast = MustParse(q, big);
    EXPECT_EQ(ast.Depth(), static_cast<int>(kDepth + 1));
    const std::string printed = Print(ast);
    EXPECT_EQ(printed, q);
    const Ast again = MustParse(printed, big);
    EXPECT_TRUE(again == ast);
    EXPECT_TRUE(ast.Validate().ok());
    Document d;
    d.id = 7;
    d.text.emplace_back("a", std::vector<std::string>{"a"});
    const absl::StatusOr<std::vector<uint32_t>> ids = Evaluate(ast, std::vector<Document>{d});
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, std::vector<uint32_t>{7});  // an even number of NOTs
  }
  // Nested groups and fields, the other ways to nest.
  std::string groups;
  for (size_t i = 0; i < 50000; ++i) groups += "@f:(x ";
  groups += "y" + std::string(50000, ')');
  const Ast g = MustParse(groups, big);
  EXPECT_EQ(Parse(Print(g), big).ast(), g);
  std::string ors(200000, '(');
  ors += "a";
  for (size_t i = 0; i < 200000; ++i) ors += " | b)";
  EXPECT_EQ(MustParse(ors, big).Depth(), 200001);
}

// --- params ---------------------------------------------------------------------

TEST(QueryParser, ParamsResolveOrStayReferences) {
  const ParseOptions o = WithParams({{"w", "HeLLo"},
                                     {"lo", "-1.5"},
                                     {"hi", "inf"},
                                     {"k", "3"},
                                     {"B", std::string("\0\0\x80?", 4)},
                                     {"tag", "Dark Blue"},
                                     {"lon", "2"},
                                     {"lat", "48"},
                                     {"r", "1e3"}});
  EXPECT_EQ(Tree("$w @n:[$lo ($hi] @t:{$tag} @g:[$lon $lat $r m]", o),
            "AND\n  TERM $w=\"hello\"\n  NUMERIC @n [$lo=-1.5, $hi=+inf)\n  TAG @t "
            "{$tag=\"dark blue\"}\n  GEO @g lon $lon=2 lat $lat=48 radius $r=1000 m\n");
  EXPECT_EQ(Tree("*=>[KNN $k @v $B]", o), "KNN k $k=3 @v blob $B (4 bytes)\n  ALL\n");
  EXPECT_EQ(Canonical("$w @n:[$lo ($hi]", o), "$w @n:[$lo ($hi]");
  // Without PARAMS every reference stays, printed the same.
  EXPECT_EQ(Canonical("$w @n:[$lo ($hi]"), "$w @n:[$lo ($hi]");
  // Errors.
  EXPECT_EQ(MustFail("$nope", o).reason, "no such parameter '$nope'");
  EXPECT_EQ(MustFail("@n:[$w 1]", o).reason, "parameter '$w' is not a number");
  EXPECT_EQ(MustFail("*=>[KNN $w @v $B]", o).reason, "KNN k must be a non-negative integer");
  EXPECT_EQ(MustFail("@g:[$lon $r 1 m]", o).reason,
            "latitude must be within [-85.05112878, 85.05112878]");
  EXPECT_EQ(MustFail("$e", WithParams({{"e", ""}})).reason, "parameter '$e' is empty");
  EXPECT_EQ(MustFail("@t:{$e}", WithParams({{"e", "\xff"}})).reason,
            "parameter '$e' is not valid UTF-8");
  // Resolved and unresolved references are different ASTs.
  EXPECT_FALSE(MustParse("$w", o) == MustParse("$w"));
}

// --- printing ---------------------------------------------------------------------

TEST(QueryPrinter, CanonicalForms) {
  const std::pair<const char*, const char*> cases[] = {
      {"a|b", "a | b"},
      {"  a   b  ", "a b"},
      {"(a | b) c", "(a | b) c"},
      {"(a b) | c", "a b | c"},
      {"((a b)) c", "(a b) c"},
      {"-(a)", "-a"},
      {"-(a b)", "-(a b)"},
      {"@f:(a)", "@f:a"},
      {"@f:(-a)", "@f:-a"},
      {"~(a|b)", "~(a | b)"},
      {"@t:{ a |b* }", "@t:{a | b*}"},
      {"@t:{dark blue}", "@t:{dark\\ blue}"},
      {"@n:[1.50 1e1]", "@n:[1.5 10]"},
      {"@n:[1e21 -0]", "@n:[1e+21 -0]"},
      {"@n:[inf -INF]", "@n:[+inf -inf]"},
      {"@g:[0 0 1.0 KM]", "@g:[0 0 1 km]"},
      {"\"a  b\"", "\"a b\""},
      {"hello\\ world", "hello\\ world"},
      {"(a)=>{$weight:2.0}", "a=>{$weight: 2}"},
      {"(a b)=>{$slop:1}", "(a b)=>{$slop: 1}"},
      {"(@f:a)=>{$inorder:TRUE}", "(@f:a)=>{$inorder: true}"},
      {"(a b)=>[KNN 2 @v $b as d EF_RUNTIME 3]", "(a b)=>[KNN 2 @v $b EF_RUNTIME 3 AS d]"},
      {"(-a)=>[KNN 2 @v $b]", "(-a)=>[KNN 2 @v $b]"},
      {"a=>{$weight: 1}=>[KNN 2 @v $b]", "a=>{$weight: 1}=>[KNN 2 @v $b]"},
      {"w'a\\b'", "w'ab'"},
      {"ISMISSING(@f\\.x)", "ismissing(@f\\.x)"},
  };
  for (const auto& [in, want] : cases) {
    const Ast ast = MustParse(in);
    const std::string printed = Print(ast);
    EXPECT_EQ(printed, want) << in;
    EXPECT_TRUE(MustParse(printed) == ast) << in;
    EXPECT_EQ(Print(MustParse(printed)), printed) << in;
  }
}

TEST(QueryPrinter, PrintSubtreeIsAQueryOfItsOwn) {
  const Ast ast = MustParse("a (b | -c)=>{$weight: 2}");
  // Nodes: a, b, c, NOT, OR, AND.
  EXPECT_EQ(PrintSubtree(ast, 3), "-c");
  EXPECT_EQ(PrintSubtree(ast, 4), "(b | -c)=>{$weight: 2}");
  EXPECT_EQ(Print(Ast()), "");
}

TEST(QueryNumbers, ParseAndFormatRoundTrip) {
  EXPECT_EQ(ParseQueryNumber("1"), 1.0);
  EXPECT_EQ(ParseQueryNumber("+.5"), 0.5);
  EXPECT_EQ(ParseQueryNumber("-2.e3"), -2000.0);
  EXPECT_EQ(ParseQueryNumber("1E-2"), 0.01);
  EXPECT_EQ(ParseQueryNumber("-INF"), -std::numeric_limits<double>::infinity());
  for (const char* bad : {"", "+", "-", ".", "e1", "1e", "1e+", "0x1", "1.2.3", "nan", "1 ", " 1",
                          "1e400", "-1e400", "1e-400", "4e-320", "--1", "+-1", "infinity"}) {
    EXPECT_FALSE(ParseQueryNumber(bad).has_value()) << bad;
  }
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(-0.0), "-0");
  EXPECT_EQ(FormatNumber(1e21), "1e+21");
  EXPECT_EQ(FormatNumber(-std::numeric_limits<double>::infinity()), "-inf");
  // Every normal double prints to a form that parses back to the same bits.
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const double v = std::bit_cast<double>(x);
    if (!std::isfinite(v) || (v != 0 && std::fabs(v) < std::numeric_limits<double>::min())) {
      continue;
    }
    const std::optional<double> back = ParseQueryNumber(FormatNumber(v));
    ASSERT_TRUE(back.has_value()) << FormatNumber(v);
    ASSERT_EQ(std::bit_cast<uint64_t>(*back), x) << FormatNumber(v);
  }
}

// --- UTF-8 ----------------------------------------------------------------------

TEST(QueryUtf8, Validation) {
  EXPECT_EQ(InvalidUtf8At("plain ascii"), std::string_view::npos);
  EXPECT_EQ(InvalidUtf8At("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"),
            std::string_view::npos);
  EXPECT_EQ(InvalidUtf8At("a\x80"), 1u);             // stray continuation
  EXPECT_EQ(InvalidUtf8At("\xc1\xbf"), 0u);          // overlong 2-byte
  EXPECT_EQ(InvalidUtf8At("ab\xe0\x9f\xbf"), 2u);    // overlong 3-byte
  EXPECT_EQ(InvalidUtf8At("\xed\xa0\x80"), 0u);      // surrogate
  EXPECT_EQ(InvalidUtf8At("\xf0\x8f\xbf\xbf"), 0u);  // overlong 4-byte
  EXPECT_EQ(InvalidUtf8At("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(InvalidUtf8At("\xf5\x80\x80\x80"), 0u);  // no such lead byte
  EXPECT_EQ(InvalidUtf8At("x\xe6\x97"), 1u);         // truncated at the end
  EXPECT_EQ(InvalidUtf8At("\xe6\x41\x41"), 0u);      // bad continuation
}

TEST(QueryUtf8, LowercaseKeepsLengthsAndSkipsOtherScripts) {
  std::string s = "ABC xyz \xc3\x80\xc3\x9e\xc3\x97 \xce\x91 \xc3";
  LowercaseUtf8(&s);
  EXPECT_EQ(s, "abc xyz \xc3\xa0\xc3\xbe\xc3\x97 \xce\x91 \xc3");
  EXPECT_EQ(CodePoints("a\xc3\xa9\xf0\x9f\x98\x80\xff"),
            (std::vector<char32_t>{'a', 0xE9, 0x1F600, 0xFFFD}));
  EXPECT_TRUE(EqualsIgnoreAsciiCase("KnN", "knn"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("knn", "kn"));
}

// --- AST ---------------------------------------------------------------------------

TEST(QueryAst, EqualityIgnoresOffsetsOnly) {
  EXPECT_TRUE(MustParse("a   b") == MustParse("a b"));
  EXPECT_FALSE(MustParse("a b") == MustParse("a c"));
  EXPECT_FALSE(MustParse("a b") == MustParse("(a b)=>{$weight: 1}"));
  EXPECT_FALSE(MustParse("@n:[0 1]") == MustParse("@n:[-0 1]"));  // bit-exact numbers
  EXPECT_FALSE(MustParse("%a%") == MustParse("%%a%%"));
  EXPECT_FALSE(MustParse("a | b") == MustParse("a b"));
  EXPECT_FALSE(MustParse("a") == Ast());
  EXPECT_TRUE(Ast() == Ast());
}

TEST(QueryAst, ValidateCatchesBrokenStructure) {
  Ast ok = MustParse("a -b");
  EXPECT_TRUE(ok.Validate().ok());
  EXPECT_FALSE(Ast().Validate().ok());
  Ast two_parents = ok;
  two_parents.set_child(2, 0, 0);  // NOT now points at `a` too
  EXPECT_FALSE(two_parents.Validate().ok());
  Ast forward = ok;
  forward.set_child(2, 0, 3);  // a child after its parent
  EXPECT_FALSE(forward.Validate().ok());
  Ast bad_kind = ok;
  bad_kind.mutable_node(2).kind = NodeKind::kAnd;  // an AND of one
  EXPECT_FALSE(bad_kind.Validate().ok());
  Ast knn = MustParse("(a b)=>[KNN 1 @v $B]");
  Ast knn_inside;
  const uint32_t k = knn_inside.AppendCopy(knn, knn.root());
  Node n;
  n.kind = NodeKind::kNot;
  const uint32_t kids[] = {k};
  knn_inside.Add(n, kids);
  EXPECT_FALSE(knn_inside.Validate().ok());
  Ast empty_term = MustParse("a");
  empty_term.mutable_node(0).term.value.clear();
  EXPECT_FALSE(empty_term.Validate().ok());
}

TEST(QueryAst, AppendCopyCopiesASubtree) {
  const Ast src = MustParse("x (@t:{a} | -\"p q\")=>{$weight: 2} y");
  Ast dst = MustParse("z");
  // Nodes: x, the tag, the phrase, NOT, OR, y, AND.
  const uint32_t copy = dst.AppendCopy(src, 4);
  EXPECT_EQ(PrintSubtree(dst, copy), "(@t:{a} | -\"p q\")=>{$weight: 2}");
  EXPECT_TRUE(SubtreeEqual(dst, copy, src, 4));
  EXPECT_EQ(dst.Height(copy), 3);
}

// --- evaluator -----------------------------------------------------------------------

std::vector<Document> Docs() {
  std::vector<Document> docs(5);
  for (uint32_t i = 0; i < docs.size(); ++i) docs[i].id = 10 + i;
  docs[0].text = {{"a", {"hello", "world"}}, {"b", {"redis"}}};
  docs[0].tags = {{"t", {"red", "dark blue"}}};
  docs[0].numeric = {{"n", 1}};
  docs[0].geo = {{"g", {2.3522, 48.8566}}};
  docs[0].vectors = {{"v", {1, 2}}};
  docs[1].text = {{"a", {"help", "word"}}};
  docs[1].tags = {{"t", {"green"}}};
  docs[1].numeric = {{"n", 5}};
  docs[1].geo = {{"g", {-0.1276, 51.5072}}};
  docs[1].vectors = {{"v", {0, 0}}};
  docs[2].text = {{"b", {"hello", "café", "world"}}};
  docs[2].numeric = {{"n", 10}};
  docs[2].vectors = {{"v", {1, 0}}, {"w", {1, 2, 3}}};
  docs[3].text = {{"a", {"naïve"}}};
  return docs;
}

std::string Eval(std::string_view q, const ParseOptions& o = {}) {
  const absl::StatusOr<std::vector<uint32_t>> r = Evaluate(MustParse(q, o), Docs());
  if (!r.ok()) return "error: " + std::string(r.status().message());
  std::string s;
  for (uint32_t id : *r) s += (s.empty() ? "" : " ") + std::to_string(id);
  return s;
}

TEST(QueryEvaluator, Semantics) {
  const std::pair<const char*, const char*> cases[] = {
      {"*", "10 11 12 13 14"},
      {"hello", "10 12"},
      {"hello world", "10 12"},
      {"hello | help", "10 11 12"},
      {"-hello", "11 13 14"},
      {"~hello", "10 11 12 13 14"},
      {"~hello help", "11"},
      {"@a:hello", "10"},
      {"@b:hello", "12"},
      {"@a|b:hello", "10 12"},
      {"@a:(@b:hello)", ""},
      {"@a:(hello | -world)", "10 11 12 13 14"},
      {"@a:-hello", "11 12 13 14"},
      {"hel*", "10 11 12"},
      {"*ld", "10 12"},
      {"*or*", "10 11 12"},
      {"%word%", "10 11 12"},
      {"%%hallo%%", "10 12"},  // hallo -> help is 3 edits
      {"%%%hallo%%%", "10 11 12"},
      {"%cafe%", "12"},
      {"%naive%", "13"},
      {"w'h?l*'", "10 11 12"},
      {"w'caf?'", "12"},
      {"w'*o*d'", "10 11 12"},
      {"w'he\\*'", ""},
      {"\"hello world\"", "10"},
      {"\"café world\"", "12"},
      {"\"world hello\"", ""},
      {"@b:\"hello café world\"", "12"},
      {"\"hello\"", "10 12"},
      {"@t:{red}", "10"},
      {"@t:{dark*}", "10"},
      {"@t:{*een | *ark*}", "10 11"},
      {"@t:{blue}", ""},
      {"@a:{hello}", ""},
      {"@n:[1 5]", "10 11"},
      {"@n:[(1 5]", "11"},
      {"@n:[1 (5]", "10"},
      {"@n:[-inf +inf]", "10 11 12"},
      {"@n:[5 1]", ""},
      {"@a:[-inf +inf]", ""},
      {"@g:[2.35 48.85 1 km]", "10"},
      {"@g:[2.35 48.85 10 m]", ""},
      {"@g:[2.35 48.85 400 km]", "10 11"},
      {"@g:[2.35 48.85 250 mi]", "10 11"},
      {"@n:[0 0 1 km]", ""},
      {"ismissing(@t)", "12 13 14"},
      {"ismissing(@w)", "10 11 13 14"},
      {"ismissing(@zzz)", "10 11 12 13 14"},
      {"hello=>{$weight: 9; $slop: 5}", "10 12"},
  };
  for (const auto& [q, want] : cases) EXPECT_EQ(Eval(q), want) << q;
}

TEST(QueryEvaluator, Knn) {
  const auto with_blob = [](std::string blob) { return WithParams({{"B", std::move(blob)}}); };
  const auto vec = [](float x, float y) {
    std::string s(8, '\0');
    const uint32_t bx = std::bit_cast<uint32_t>(x), by = std::bit_cast<uint32_t>(y);
    for (int i = 0; i < 4; ++i) {
      s[i] = static_cast<char>(bx >> (8 * i));
      s[4 + i] = static_cast<char>(by >> (8 * i));
    }
    return s;
  };
  EXPECT_EQ(Eval("*=>[KNN 1 @v $B]", with_blob(vec(1, 2))), "10");
  EXPECT_EQ(Eval("*=>[KNN 2 @v $B]", with_blob(vec(1, 2))), "10 12");
  // Ties (doc 11 and 12 are both at distance 1 from (0.5, 0)... and 10 is far)
  // go to the smaller id.
  EXPECT_EQ(Eval("*=>[KNN 1 @v $B]", with_blob(vec(0.5, 0))), "11");
  EXPECT_EQ(Eval("*=>[KNN 9 @v $B]", with_blob(vec(0, 0))), "10 11 12");
  EXPECT_EQ(Eval("(-hello)=>[KNN 9 @v $B]", with_blob(vec(0, 0))), "11");
  EXPECT_EQ(Eval("*=>[KNN 0 @v $B]", with_blob(vec(0, 0))), "");
  EXPECT_EQ(Eval("*=>[KNN 3 @w $B]", with_blob(vec(0, 0) + vec(0, 0).substr(0, 4))), "12");
  EXPECT_EQ(Eval("*=>[KNN 3 @v $B]", with_blob("abc")),
            "error: KNN vector blob of 3 bytes (need a positive multiple of 4)");
  EXPECT_EQ(Eval("*=>[KNN 3 @v $B]", with_blob(vec(std::numeric_limits<float>::infinity(), 0))),
            "error: KNN vector has a non-finite component");
}

TEST(QueryEvaluator, Errors) {
  EXPECT_EQ(Eval("$x"), "error: unresolved parameter $x");
  EXPECT_EQ(Eval("@t:{a | $t}"), "error: unresolved parameter $t");
  EXPECT_EQ(Eval("*=>[KNN $k @v $B]"), "error: unresolved parameter $k");
  EXPECT_EQ(Eval("hello $x", WithParams({{"x", "WORLD"}})), "10 12");
  Ast broken = MustParse("a -b");
  broken.set_child(2, 0, 0);
  EXPECT_FALSE(Evaluate(broken, Docs()).ok());
}

TEST(QueryEvaluator, GeoDistanceIsSymmetricHaversine) {
  const GeoPoint paris{2.3522, 48.8566}, london{-0.1276, 51.5072};
  EXPECT_NEAR(GeoDistanceMeters(paris, london), 343.5e3, 1e3);
  EXPECT_EQ(GeoDistanceMeters(paris, london), GeoDistanceMeters(london, paris));
  EXPECT_EQ(GeoDistanceMeters(paris, paris), 0.0);
}

TEST(QueryEvaluator, ManyDocumentsAcrossBitsetWords) {
  std::vector<Document> docs(130);
  for (uint32_t i = 0; i < docs.size(); ++i) {
    docs[i].id = i;
    if (i % 3 == 0) docs[i].text = {{"a", {"x"}}};
  }
  const absl::StatusOr<std::vector<uint32_t>> not_x = Evaluate(MustParse("-x"), docs);
  ASSERT_TRUE(not_x.ok());
  EXPECT_EQ(not_x->size(), 86u);
  EXPECT_EQ(not_x->back(), 128u);
}

}  // namespace
}  // namespace respfuzz::query
