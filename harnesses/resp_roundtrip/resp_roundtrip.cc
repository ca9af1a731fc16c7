// Fuzz target: a bounded RESP3 value tree written as RESP3 and RESP2 and read
// back. See harnesses/resp_roundtrip/checks.h for the input layout and checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/resp_roundtrip/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(respfuzz::harnesses::RunRespRoundtrip(input),
                     respfuzz::harnesses::DescribeRespRoundtrip(input));
  return 0;
}
