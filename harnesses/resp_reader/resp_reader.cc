// Fuzz target: raw RESP2/RESP3 reply bytes through resp::Reader, whole and in
// chunks. See harnesses/resp_reader/checks.h for the input layout and checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/resp_reader/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(respfuzz::harnesses::RunRespReader(input),
                     respfuzz::harnesses::DescribeRespReader(input));
  return 0;
}
