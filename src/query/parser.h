// The query parser: FT.SEARCH query text (dialect 2 precedence) to an Ast.
//
// Grammar, loosest binding first (lexical rules in lexer.h):
//   query    := expr [ '=>' '[' knn ']' ]        KNN only after a lone primary
//   expr     := and { '|' and }                  OR
//   and      := unary { unary }                  implicit AND, tighter than |
//   unary    := { '-' | '~' | '@f1|f2:' } primary
//   primary  := ( '(' expr ')' | atom ) { '=>' '{' attributes '}' }
//   atom     := term | pre* | *suf | *in* | '*' | "phrase" | %fuzzy% | w'pat'
//             | $param | @f:{tags} | @f:[min max] | @f:[lon lat radius unit]
//             | ismissing(@f)
//   knn      := KNN (k | $k) @field $blob [AS name] [EF_RUNTIME (n | $n)]
// So `a b | c d` is (a b) | (c d), `-a b` is (-a) b, `@f:a b` is (@f:a) b.
// Parentheses group; a group of one operand is that operand, and adjacent
// operands inside one group form one AND (or OR) node, so `(a b) c` keeps
// its inner AND. Terms, phrase words, fuzzy terms, wildcard patterns and tag
// values must be valid UTF-8 and are lowercased (utf8.h); field names are
// checked, not lowercased.
//
// Numeric bounds: `(` makes a bound exclusive; numbers are decimal
// ([+-]digits[.digits][e[+-]digits], or .digits), or -inf, +inf, inf
// (any case). Overflow and subnormal results are errors. Geo: lon in
// [-180, 180], lat in [-85.05112878, 85.05112878], radius finite and >= 0,
// unit m, km, mi or ft (any case).
//
// Attributes: $weight (finite number >= 0), $slop (integer >= 0),
// $inorder and $phonetic (true or false); a name given twice keeps the last
// value, and a second =>{...} on the same primary adds to the first.
//
// Parameters: with ParseOptions::params set, every $name must be in it and
// is resolved (a term or tag value is validated and lowercased, a numeric
// or geo value parsed as a number, k and EF_RUNTIME as integers, the KNN
// blob kept as bytes); without it references stay unresolved.
//
// Caps (ParseLimits), each with a boundary test: the query length in bytes,
// the AST depth (a leaf is depth 1), the number of AST nodes. The parser is
// iterative: it keeps its own stack of open groups, so nesting costs heap,
// bounded by the query length, never native stack.
#ifndef RESPFUZZ_QUERY_PARSER_H_
#define RESPFUZZ_QUERY_PARSER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "src/query/ast.h"
#include "src/query/lexer.h"

namespace respfuzz::query {

struct ParseLimits {
  static constexpr size_t kDefaultMaxQueryLen = 64 * 1024;
  static constexpr int kDefaultMaxDepth = 128;
  static constexpr size_t kDefaultMaxNodes = 4096;

  size_t max_query_len = kDefaultMaxQueryLen;  // bytes
  int max_depth = kDefaultMaxDepth;            // AST depth
  size_t max_nodes = kDefaultMaxNodes;         // AST nodes
};

using Params = std::map<std::string, std::string, std::less<>>;

struct ParseOptions {
  ParseLimits limits;
  std::optional<Params> params;  // the PARAMS list; nullopt: leave references
};

class ParseResult {
 public:
  explicit ParseResult(Ast ast) : v_(std::move(ast)) {}
  explicit ParseResult(ParseError error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  const Ast& ast() const { return std::get<0>(v_); }
  Ast& ast() { return std::get<0>(v_); }
  const ParseError& error() const { return std::get<1>(v_); }

 private:
  std::variant<Ast, ParseError> v_;
};

ParseResult Parse(std::string_view query, const ParseOptions& options = {});

// A numeric-range number as the parser reads it (see above); nullopt when
// `s` is not one.
std::optional<double> ParseQueryNumber(std::string_view s);

}  // namespace respfuzz::query

#endif  // RESPFUZZ_QUERY_PARSER_H_
