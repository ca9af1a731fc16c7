// Floor of resp_reader: the input decoded as the harness decodes it, then
// one whole parse into a reply tree, and no check (see bench/floors/README.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/chunking.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/resp_reader/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace respfuzz::harnesses;
  static ReplyParser* const parser = MakeReplyParser().release();
  static ParseResult* const result = new ParseResult;
  // As the harness does, everything but buffer capacity is put back at the
  // end of the input (see AtEndOfInput in harnesses/common/reply_parser.h).
  AtEndOfInput release([] {
    parser->Start(respfuzz::resp::Protocol::kResp3, respfuzz::resp::ReaderLimits{});
    result->values.Reset();
    result->error = {};
  });
  const ReaderCase c =
      DecodeReaderCase(std::string_view(reinterpret_cast<const char*>(data), size));
  ExactCopies copies;
  ParseWhole(*parser, copies.Copy(c.payload), c.protocol, c.limits, result);
  return 0;
}
