// Fuzz target: a program of cluster topology changes and key lookups through
// the client slot map. See harnesses/cluster_routing/checks.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/cluster_routing/checks.h"
#include "harnesses/common/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const respfuzz::harnesses::Harness& h = respfuzz::harnesses::kRegisteredHarness_cluster_routing;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(h.run(input), h.describe(input));
  return 0;
}
