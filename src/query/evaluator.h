// Runs an AST over an in-memory document set and returns the ids of the
// documents it matches, ascending.
//
// Semantics (docs/query.md; harnesses/models/query_reference.cc
// implements the same rules independently, one document at a time):
//   *             every document
//   a b, a | b    intersection, union
//   -a            every document a does not match
//   ~a            every document: an optional clause only affects scoring,
//                 which is not modelled (so `~a b` matches what b matches)
//   @f|g:x        text leaves under it look only at text fields f and g;
//                 nested modifiers intersect (@a:(@b:x) looks at no field)
//   text leaves   match when some text field in scope (all text fields when
//                 no modifier applies) has a token that is: equal (term,
//                 and a one-word phrase), starts with (pre*), ends with
//                 (*suf), contains (*in*) the text, byte-wise on lowercased
//                 UTF-8; within Levenshtein distance n over code points
//                 (%..%, n = number of '%'); matches the wildcard pattern
//                 (* any run of code points, ? exactly one, \x the byte x);
//                 a phrase matches its words at consecutive positions of one
//                 field. No stemming, synonyms or stop words.
//   @t:{v | ...}  some tag of field t equals (or starts with, ends with,
//                 contains) some value
//   @n:[a b]      numeric field n within the bounds ('(' exclusive)
//   @g:[lon lat r u]  geo field g within r units: haversine distance on a
//                 sphere of kEarthRadiusMeters, computed as
//                 2 R asin(sqrt(sin²(Δlat/2) + cos(lat1) cos(lat2) sin²(Δlon/2)))
//                 (radians = degrees * (pi / 180)), r converted with
//                 GeoUnitMeters
//   ismissing(@f) the document has no field named f, of any type
//   A filter on a field of another type (a numeric range on a text field)
//   matches nothing, as does a field the document lacks.
//   f=>[KNN k @v $B]  of the documents f matches that have a vector field v
//                 of the blob's dimension, the k nearest by squared L2
//                 distance (summed in double, component order), ties to the
//                 smaller id. The blob is little-endian float32.
// Attributes ($weight, $slop, $inorder, $phonetic) are ignored: nothing is
// scored and phrases never allow slop.
//
// Errors: an AST that fails Validate(), an unresolved parameter anywhere, a
// KNN blob whose size is not a positive multiple of 4, a non-finite vector
// component. Iterative: node results are computed in index order (children
// first), field scopes in reverse order.
#ifndef RESPFUZZ_QUERY_EVALUATOR_H_
#define RESPFUZZ_QUERY_EVALUATOR_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "src/query/ast.h"
#include "src/query/document.h"

namespace respfuzz::query {

absl::StatusOr<std::vector<uint32_t>> Evaluate(const Ast& ast, std::span<const Document> docs);

// The haversine distance described above, in meters.
double GeoDistanceMeters(const GeoPoint& a, const GeoPoint& b);

// The first unresolved parameter reference in the AST, as "$name"; empty
// when there is none.
std::string FirstUnresolvedParam(const Ast& ast);

}  // namespace respfuzz::query

#endif  // RESPFUZZ_QUERY_EVALUATOR_H_
