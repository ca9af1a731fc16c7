// The reference query grammar (harnesses/models/query_reference_parser.h) on
// the rows of docs/query.md's grammar table, on the models alone.
#include "harnesses/models/query_reference_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace respfuzz::models {
namespace {

using query::NodeKind;

QueryReferenceResult Parse(std::string_view q, const QueryReferenceOptions& o) {
  return ReferenceParseQuery(q, o);
}
QueryReferenceResult Parse(std::string_view q) { return ReferenceParseQuery(q, {}); }

// The kinds of the root and its children, e.g. "OR(AND AND)".
std::string Shape(std::string_view q) {
  QueryReferenceResult r = Parse(q);
  EXPECT_TRUE(r.valid) << q << ": " << r.why;
  if (!r.valid) return "invalid";
  const query::Ast& a = r.ast;
  std::string s(query::NodeKindName(a.node(a.root()).kind));
  if (a.children(a.root()).empty()) return s;
  s += "(";
  for (uint32_t c : a.children(a.root())) {
    if (s.back() != '(') s += " ";
    s += query::NodeKindName(a.node(c).kind);
  }
  return s + ")";
}

TEST(QueryReferenceParser, PrecedenceAndGrouping) {
  // OR is looser than AND (dialect 2); prefixes bind to the next operand.
  EXPECT_EQ(Shape("a b | c d"), Shape("(a b) | (c d)"));
  EXPECT_EQ(Shape("a b | c d"), "OR(AND AND)");
  EXPECT_EQ(Shape("-a b"), "AND(NOT TERM)");
  EXPECT_EQ(Shape("~a b"), "AND(OPTIONAL TERM)");
  EXPECT_EQ(Shape("@f:a b"), "AND(FIELD TERM)");
  EXPECT_EQ(Shape("(a b) c"), "AND(AND TERM)");  // a group keeps its inner AND
  EXPECT_EQ(Shape("((a))"), "TERM");             // a group of one operand is that operand
  EXPECT_EQ(Shape("*=>[KNN 10 @v $B AS score]"), "KNN(ALL)");
}

TEST(QueryReferenceParser, EveryGrammarRowParses) {
  for (const char* q : {"hello world",
                        "a | b",
                        "-a",
                        "~a",
                        "( a b )",
                        "\"hello world\"",
                        "hello\\-world",
                        "c\\+\\+",
                        "dark\\ blue",
                        "@title:hello",
                        "@a\\|b:(x | y)",
                        "@n:[1 (5]",
                        "@n:[-inf +inf]",
                        "@t:{red | dark blue | bl* | *ue | *ar*}",
                        "hel*",
                        "*llo",
                        "*ell*",
                        "*",
                        "w'h?l*'",
                        "%word%",
                        "%%word%%",
                        "%%%word%%%",
                        "$name",
                        "(a b)=>{$weight: 2.0; $slop: 1; $inorder: true; $phonetic: false}",
                        "@g:[2.35 48.85 10 km]",
                        "(expr)=>[KNN $k @v $B EF_RUNTIME 10]",
                        "ismissing(@f)",
                        "ISMISSING(@f)"}) {
    QueryReferenceResult r = Parse(q);
    EXPECT_TRUE(r.valid) << q << ": " << r.why;
  }
}

TEST(QueryReferenceParser, WhatTheGrammarRejects) {
  for (const char* q : {"",
                        "hello,world",
                        "3.14",
                        "hello\\",
                        "(a",
                        "a)",
                        "()",
                        "a |",
                        "| a",
                        "-",
                        "@f:",
                        "%%%%a%%%%",
                        "%a%%",
                        "\"\"",
                        "w''",
                        "@n:[1 2 3]",
                        "@n:[1e-400 2]",
                        "@n:[4e-320 2]",
                        "@g:[181 0 1 m]",
                        "@g:[0 0 1 parsec]",
                        "a=>{}",
                        "a=>{$weight: -1}",
                        "a=>{$colour: red}",
                        "a *=>[KNN 1 @v $B]",
                        "-*=>[KNN 1 @v $B]",
                        "*=>[KNN 1 @v B]",
                        "*=>[KNN 1 @v $B] x",
                        "@t:{a*b}",
                        "@t:{}",
                        "ismissing (@f)",
                        "\xc3\x28"}) {
    QueryReferenceResult r = Parse(q);
    EXPECT_FALSE(r.valid) << q;
    EXPECT_FALSE(r.skipped) << q;
  }
}

TEST(QueryReferenceParser, TextIsLowercasedAndParamsResolve) {
  QueryReferenceResult r = Parse("CAFÉ");
  ASSERT_TRUE(r.valid);
  EXPECT_EQ(r.ast.node(r.ast.root()).term.value, "café");
  QueryReferenceOptions o;
  o.params.emplace();
  (*o.params)["w"] = "Hello";
  r = Parse("$w", o);
  ASSERT_TRUE(r.valid);
  EXPECT_EQ(r.ast.node(r.ast.root()).term.value, "hello");
  EXPECT_TRUE(r.ast.node(r.ast.root()).term.resolved);
  EXPECT_FALSE(Parse("$x", o).valid);  // not in PARAMS
  r = Parse("$x");                     // no PARAMS: left as a reference
  ASSERT_TRUE(r.valid);
  EXPECT_FALSE(r.ast.node(r.ast.root()).term.resolved);
}

TEST(QueryReferenceParser, CapsAtAndPast) {
  QueryReferenceOptions len;
  len.max_query_len = 5;
  EXPECT_TRUE(Parse("a b c", len).valid);
  EXPECT_FALSE(Parse("a b cd", len).valid);
  QueryReferenceOptions nodes;
  nodes.max_nodes = 3;
  EXPECT_TRUE(Parse("a b", nodes).valid);  // AND + 2 terms
  EXPECT_FALSE(Parse("a b c", nodes).valid);
  QueryReferenceOptions depth;
  depth.max_depth = 2;
  EXPECT_TRUE(Parse("-a", depth).valid);
  EXPECT_FALSE(Parse("--a", depth).valid);
  // Nesting: up to kQueryReferenceMaxNesting groups, then no verdict.
  const size_t n = kQueryReferenceMaxNesting;
  EXPECT_TRUE(Parse(std::string(n, '(') + "a" + std::string(n, ')')).valid);
  EXPECT_TRUE(Parse(std::string(n + 1, '(') + "a" + std::string(n + 1, ')')).skipped);
}

}  // namespace
}  // namespace respfuzz::models
