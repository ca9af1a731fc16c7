// The reference request parser for the request_parser harness: how
// redis-server 7.0.15 reads a client's bytes (processInputBuffer,
// processMultibulkBuffer, processInlineBuffer and sdssplitargs), written as
// facts in the plainest style over one whole buffer. It says what the bytes
// mean: the requests (form, offset, arguments), the protocol error Redis
// replies (its exact text) and where, and how far Redis's read position
// (qb_pos) got.
//
// It shares nothing with src/resp (its own line search, number reading and
// argument splitting). The one rule that is the project's and not Redis's is
// the line cap (src/resp/request.h, "deviation from Redis by design"):
// Redis applies PROTO_INLINE_MAX_SIZE to what one read() buffered; here, as
// there, a line fails as if every byte had come in its own read.
#ifndef RESPFUZZ_HARNESSES_MODELS_REQUEST_REFERENCE_H_
#define RESPFUZZ_HARNESSES_MODELS_REQUEST_REFERENCE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::models {

struct RequestReferenceLimits {
  size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE
  int64_t max_multibulk_len = INT32_MAX;       // *N above INT_MAX is invalid
  int64_t max_bulk_len = 512ll * 1024 * 1024;  // proto-max-bulk-len
};

struct ReferenceRequest {
  bool is_inline = false;
  uint64_t offset = 0;  // the request's first byte
  std::vector<std::string> argv;
};

struct ReferenceRequestError {
  uint64_t offset = 0;  // the start of the line Redis rejected
  std::string message;  // after "-ERR ", e.g. "Protocol error: invalid bulk length"
};

struct RequestReferenceResult {
  std::vector<ReferenceRequest> requests;  // empty requests (*0, blank lines) are not listed
  std::optional<ReferenceRequestError> error;
  uint64_t consumed = 0;  // Redis's qb_pos when it stopped (or at the error)
};

RequestReferenceResult ReferenceParseRequests(std::string_view input,
                                              const RequestReferenceLimits& limits);

// sdssplitargs() on the C string `line` (it ends at its first NUL); nullopt
// where Redis answers "unbalanced quotes in request".
std::optional<std::vector<std::string>> ReferenceSplitArgs(std::string_view line);

}  // namespace respfuzz::models

#endif  // RESPFUZZ_HARNESSES_MODELS_REQUEST_REFERENCE_H_
