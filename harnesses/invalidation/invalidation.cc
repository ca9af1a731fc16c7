// Fuzz target: caching clients against one in-process server with client
// tracking, and the tracking reference model. See
// harnesses/invalidation/program.h for the ops, runner.h for how they run
// and checks.h for the checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/invalidation/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const respfuzz::harnesses::Harness& h = respfuzz::harnesses::kRegisteredHarness_invalidation;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(h.run(input), h.describe(input));
  return 0;
}
