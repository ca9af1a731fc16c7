// request_parser: client request bytes (multibulk and inline) through the
// server-side parser. Checks (harnesses/request_parser/checks.h): chunked
// feeding equals whole feeding, byte accounting, and multibulk and inline
// round trips of every parsed argv.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/request_parser/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Room for the default 64 KiB line limit (hand-made or frozen inputs; the
  // fuzzer's max_len is 4096), while bounding what one input can cost.
  if (size > 256 * 1024) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const respfuzz::fuzz::Verdict verdict = respfuzz::harnesses::RunRequestParser(input);
  FUZZ_CHECK_VERDICT(verdict, respfuzz::harnesses::DescribeRequestParser(input));
  return 0;
}
