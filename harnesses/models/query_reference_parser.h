// The reference query parser for the query_parser harness: the grammar table
// of docs/query.md (and the rules stated in src/query/parser.h and lexer.h)
// written again as a plain recursive-descent parser over the query text. It
// says whether a query is valid and what AST it means; the harness compares
// both with query::Parse (accept for accept, AST for AST). Error offsets and
// texts are not its business.
//
// It shares the AST type (src/query/ast.h) with src/query and nothing else:
// its own scanner, UTF-8 check and case folding, number reading and grammar.
// Its recursion follows the nesting of parentheses; past
// kQueryReferenceMaxNesting open groups it gives up (`skipped`, no verdict),
// so its native stack stays small under the sanitizers. Deeper queries
// exist (a lone operand in 300 parentheses is valid); the harness does not
// compare those.
#ifndef RESPFUZZ_HARNESSES_MODELS_QUERY_REFERENCE_PARSER_H_
#define RESPFUZZ_HARNESSES_MODELS_QUERY_REFERENCE_PARSER_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "src/query/ast.h"

namespace respfuzz::models {

struct QueryReferenceOptions {
  size_t max_query_len = 64 * 1024;  // bytes
  int max_depth = 128;               // AST depth, a leaf is 1
  size_t max_nodes = 4096;           // AST nodes
  // The PARAMS list; without one, $name references stay unresolved.
  std::optional<std::map<std::string, std::string, std::less<>>> params;
};

struct QueryReferenceResult {
  bool valid = false;
  query::Ast ast;        // when valid
  std::string why;       // when not valid: the rule it breaks (for messages)
  bool skipped = false;  // more open groups than kQueryReferenceMaxNesting: no verdict
};

inline constexpr size_t kQueryReferenceMaxNesting = 256;

QueryReferenceResult ReferenceParseQuery(std::string_view query,
                                         const QueryReferenceOptions& options);

}  // namespace respfuzz::models

#endif  // RESPFUZZ_HARNESSES_MODELS_QUERY_REFERENCE_PARSER_H_
