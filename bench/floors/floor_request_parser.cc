// Floor of request_parser: the input decoded as the harness decodes it, then
// the payload fed whole to the request parser once, and no check (see
// bench/floors/README.md).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "harnesses/common/chunking.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/request_parser/checks.h"
#include "src/resp/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace respfuzz;
  using namespace respfuzz::harnesses;
  static RealRequestParser* const parser = new RealRequestParser;
  // As the harness does, the parser keeps only its buffer's capacity past
  // the input (see AtEndOfInput in harnesses/common/reply_parser.h).
  AtEndOfInput release([] { parser->Start(resp::RequestLimits{}); });
  const RequestParserInput in =
      DecodeRequestParserInput(std::string_view(reinterpret_cast<const char*>(data), size));
  ExactCopies copies;
  std::vector<resp::Request> requests;
  parser->Start(in.limits);
  parser->Feed(copies.Copy(in.payload), &requests);
  return 0;
}
