// Fuzz target: one Redis Cluster bus message through the validator, the codec
// and the reference length checker. See harnesses/cluster_bus/checks.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/cluster_bus/checks.h"
#include "harnesses/common/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(respfuzz::harnesses::RunClusterBus(input),
                     respfuzz::harnesses::DescribeClusterBus(input));
  return 0;
}
