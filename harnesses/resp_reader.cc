// Fuzz target: raw RESP2/RESP3 reply bytes through resp::Reader, whole and in
// chunks. See harnesses/programs/resp_reader.h for the input layout and checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/programs/registry.h"
#include "harnesses/support/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(respfuzz::programs::RunRespReader(input),
                     respfuzz::programs::DescribeRespReader(input));
  return 0;
}
