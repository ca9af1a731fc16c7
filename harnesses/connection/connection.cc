// Fuzz target: a chaos program of hostile clients against the serve event
// loop on a simulated transport. See harnesses/connection/checks.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/connection/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const respfuzz::harnesses::Harness& h = respfuzz::harnesses::kRegisteredHarness_connection;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(h.run(input), h.describe(input));
  return 0;
}
