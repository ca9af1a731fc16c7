// Floor of resp_hiredis_diff: the input decoded as the harness decodes it,
// then one whole parse by our reader under the harness's limits, and no
// check (see bench/floors/README.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/reply_parser.h"
#include "harnesses/resp_hiredis_diff/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace respfuzz;
  using namespace respfuzz::harnesses;
  static ReplyParser* const parser = MakeReplyParser().release();
  static ParseResult* const result = new ParseResult;
  // As the harness does, everything but buffer capacity is put back at the
  // end of the input (see AtEndOfInput in harnesses/common/reply_parser.h).
  AtEndOfInput release([] {
    parser->Start(resp::Protocol::kResp2, HiredisDiffLimits());
    result->values.Reset();
    result->error = {};
  });
  const HiredisDiffCase c =
      DecodeHiredisDiffCase(std::string_view(reinterpret_cast<const char*>(data), size));
  ParseWhole(*parser, c.payload, resp::Protocol::kResp2, HiredisDiffLimits(), result);
  return 0;
}
