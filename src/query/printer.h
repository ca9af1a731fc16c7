// The canonical text of an AST: parsing it gives the same AST back, and
// printing that gives the same text (a fixed point).
//
// Canonical choices: one space between AND operands, " | " between OR
// operands, parentheses only where precedence needs them (an OR inside an
// AND, an AND or OR under '-', '~' or a field modifier, an OR or AND that is
// itself an operand of the same kind), terms and field names with every
// byte outside [A-Za-z0-9_] and >= 0x80 backslash-escaped, numbers in their
// shortest round-trip form (+inf / -inf), parameters as $name, attributes
// as =>{$weight: 2; $slop: 1; $inorder: true; $phonetic: false} in that
// order, after a primary (a node that is not one is parenthesized first).
// Iterative: any depth prints without native recursion.
#ifndef RESPFUZZ_QUERY_PRINTER_H_
#define RESPFUZZ_QUERY_PRINTER_H_

#include <cstdint>
#include <string>

#include "src/query/ast.h"

namespace respfuzz::query {

std::string Print(const Ast& ast);
// The subtree under `node`, as a query of its own.
std::string PrintSubtree(const Ast& ast, uint32_t node);

// Shortest round-trip decimal form; +inf and -inf for the infinities.
std::string FormatNumber(double v);

}  // namespace respfuzz::query

#endif  // RESPFUZZ_QUERY_PRINTER_H_
