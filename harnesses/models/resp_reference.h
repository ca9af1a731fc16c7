// The reference RESP2/RESP3 reader for the resp_reader harness: the rules of
// the RESP3 specification (redis-specifications, protocol/RESP3.md) and of
// RESP2, written again in the plainest style. It reads one whole buffer,
// recursively, one value at a time, and says what the buffer means: the
// complete top-level values, and the first error (its kind and the offset of
// the byte it is charged to) or whether the buffer ends inside a value.
//
// It shares the value type (resp::Value) with src/resp and nothing else: its
// own line framing, number grammars, limits and error names. Error kinds are
// named as src/resp/reader.h's ReaderErrorCodeName() names them, so a
// harness compares the two by name.
//
// Where the specification leaves room, the choices are the project's
// documented ones (docs/fidelity.md), each marked "choice:" next to the code.
#ifndef RESPFUZZ_HARNESSES_MODELS_RESP_REFERENCE_H_
#define RESPFUZZ_HARNESSES_MODELS_RESP_REFERENCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/resp/value.h"

namespace respfuzz::models {

struct RespReferenceLimits {
  size_t max_depth = 128;                 // open aggregates (attributes included)
  int64_t max_aggregate_len = INT32_MAX;  // elements (pairs for maps and attributes)
  int64_t max_bulk_len = 512ll * 1024 * 1024;
  size_t max_line_len = 64 * 1024;  // a header or simple line, CRLF excluded
};

struct RespReferenceResult {
  std::vector<resp::Value> values;  // complete top-level values, in order
  std::string error;                // "" (no error) or the error kind, e.g. "bad-double"
  uint64_t error_offset = 0;
  bool complete = false;  // no error, and the buffer ends between two top-level values
};

RespReferenceResult ReferenceReadResp(std::string_view input, resp::Protocol protocol,
                                      const RespReferenceLimits& limits);

}  // namespace respfuzz::models

#endif  // RESPFUZZ_HARNESSES_MODELS_RESP_REFERENCE_H_
