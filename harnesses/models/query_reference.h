// The reference evaluator for the query_parser harness: the rules of
// src/query/evaluator.h written again in the plainest style, one document at
// a time through the AST (recursively: ASTs reaching it come from the
// parser, whose depth cap bounds the recursion). It shares the AST and
// document types with src/query and nothing else: its own UTF-8 decoding,
// edit distance (full table), wildcard matching (full table), vector blob
// decoding and geo distance.
#ifndef RESPFUZZ_HARNESSES_MODELS_QUERY_REFERENCE_H_
#define RESPFUZZ_HARNESSES_MODELS_QUERY_REFERENCE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "src/query/ast.h"
#include "src/query/document.h"

namespace respfuzz::models {

absl::StatusOr<std::vector<uint32_t>> ReferenceEvaluate(const query::Ast& ast,
                                                        std::span<const query::Document> docs);

}  // namespace respfuzz::models

#endif  // RESPFUZZ_HARNESSES_MODELS_QUERY_REFERENCE_H_
