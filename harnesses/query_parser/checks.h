// The query_parser harness: input layout, the document set, the pieces under
// test behind function pointers (so tests can plug in a broken printer or
// evaluator and prove each check can fail), and the checks.
//
// Input:
//   byte 0         bit 0: small caps (query 256 bytes, depth 8, 32 nodes) so
//                  the fuzzer reaches every cap; bits 4-7: number of
//                  documents, at most kQueryMaxDocs
//   10 bytes/doc   (missing bytes count as 0)
//     0            field presence: bit 0 a, 1 b (text), 2 t (tag),
//                  3 n (numeric), 4 g (geo), 5 v (vector)
//     1-2, 3-4     text a, text b: 16 bits little-endian; bits 0-1 give
//                  1 to 4 words, then 3 bits per word from kQueryWords
//     5            tag t: a bit set over kQueryTags
//     6            numeric n: the byte as int8, halved (-64 .. 63.5)
//     7            geo g: kQueryPoints[byte % 8]
//     8-9          vector v: two components, each byte as int8
//   the rest       the query, up to the first NUL byte. After a NUL come
//                  the PARAMS: [name length][name][value length][value]...
//                  (at most kQueryMaxParams; a later name replaces an earlier
//                  one). No NUL: the query is parsed without PARAMS and its
//                  references stay unresolved.
// Document ids are 0, 1, 2, ... in input order.
//
// Checks, in the order they are reported:
//   "error"        a parse error has an offset within the query and a reason,
//                  and a query over the length cap fails at the cap
//   "caps"         the AST validates, its node count and depth are within
//                  the caps
//   "roundtrip"    the canonical text reparses (same PARAMS) to an equal AST
//   "fixed-point"  printing the reparsed AST gives the same text
//   "parser-reference"  the parser and the reference grammar
//                  (harnesses/models/query_reference_parser.h) both reject the
//                  query, or both accept it with equal ASTs
//   "reference"    the evaluator and the reference evaluator agree: both fail,
//                  or both return the same ids
//   "metamorphic-or"        (A) | (B) matches a superset of A
//   "metamorphic-and"       (A) (B) matches a subset of A
//   "metamorphic-not"       (A) -(A) matches nothing
//   "metamorphic-optional"  ~(A) (B) matches what B matches
// where A is the query's AST and B its subtree at node index (query length %
// node count); each composed AST is built from fresh copies of A and B (no
// reparse) and evaluated. Skipped when the query is a KNN query or does not
// evaluate.
#ifndef RESPFUZZ_HARNESSES_QUERY_PARSER_CHECKS_H_
#define RESPFUZZ_HARNESSES_QUERY_PARSER_CHECKS_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "harnesses/common/verdict.h"
#include "harnesses/models/query_reference_parser.h"
#include "src/query/ast.h"
#include "src/query/document.h"
#include "src/query/evaluator.h"
#include "src/query/parser.h"
#include "src/query/printer.h"

namespace respfuzz::harnesses {

inline constexpr uint8_t kQuerySmallCaps = 0x01;
inline constexpr size_t kQueryMaxDocs = 8;
inline constexpr size_t kQueryDocBytes = 10;
inline constexpr size_t kQueryMaxParams = 8;

inline constexpr std::array<std::string_view, 8> kQueryWords = {
    "hello", "help", "world", "word", "redis", "search", "café", "naïve"};
inline constexpr std::array<std::string_view, 8> kQueryTags = {"red", "blue", "dark blue", "green",
                                                               "c++", "a|b",  "été",       "42"};
inline constexpr std::array<query::GeoPoint, 8> kQueryPoints = {{
    {0, 0},
    {0.001, 0},
    {2.3522, 48.8566},    // Paris
    {-0.1276, 51.5072},   // London
    {-74.006, 40.7128},   // New York
    {139.6917, 35.6895},  // Tokyo
    {180, 0},
    {-180, 85.05112878},
}};

struct QueryParserInput {
  uint8_t flags = 0;
  query::ParseLimits limits;
  std::vector<query::Document> docs;
  std::string_view query;
  query::ParseOptions options;  // limits, and params when the input has a NUL
  // Documents an earlier decode into this input had beyond `docs`, kept for
  // their storage (DecodeQueryParserInput(input, out) reuses them).
  std::vector<query::Document> spare_docs;
};

// Total: any bytes decode.
QueryParserInput DecodeQueryParserInput(std::string_view input);
// The same into *out, reusing the storage of its documents.
void DecodeQueryParserInput(std::string_view input, QueryParserInput* out);
// Small caps: max_query_len 256, max_depth 8, max_nodes 32.
query::ParseLimits QueryParserLimits(uint8_t flags);

using QueryEvalFn = absl::StatusOr<std::vector<uint32_t>> (*)(const query::Ast&,
                                                              std::span<const query::Document>);

// What the checks run; tests replace members with broken versions.
struct QueryParserHooks {
  query::ParseResult (*parse)(std::string_view, const query::ParseOptions&) = &query::Parse;
  std::string (*print)(const query::Ast&, uint32_t node) = &query::PrintSubtree;
  QueryEvalFn evaluate = &query::Evaluate;
  QueryEvalFn reference;  // defaults to ReferenceEvaluate
  // Defaults to models::ReferenceParseQuery.
  models::QueryReferenceResult (*reference_parse)(std::string_view,
                                                  const models::QueryReferenceOptions&);
  QueryParserHooks();
};

fuzz::Verdict CheckQueryParser(std::string_view input, const QueryParserHooks& hooks);
// The "parser-reference" check alone, on the parser's result for `q`.
fuzz::Verdict CheckAgainstReferenceParser(const QueryParserInput& in, std::string_view q,
                                          const query::ParseResult& parsed,
                                          const QueryParserHooks& hooks);

// The AST as an indented tree, one node per line.
std::string FormatQueryTree(const query::Ast& ast);
// One document on one line, e.g. "#2 a=[hello world] t={red, blue} n=1.5".
std::string DescribeQueryDocument(const query::Document& d);

// The registry's entry points (RESPFUZZ_REGISTER_HARNESS in checks.cc).
fuzz::Verdict RunQueryParser(std::string_view input);
std::string DescribeQueryParser(std::string_view input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_QUERY_PARSER_CHECKS_H_
