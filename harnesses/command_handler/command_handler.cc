// Fuzz target: a command program on the engine and on the reference model.
// See harnesses/command_handler/checks.h for the checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/command_handler/checks.h"
#include "harnesses/common/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const respfuzz::harnesses::Harness& h = respfuzz::harnesses::kRegisteredHarness_command_handler;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(h.run(input), h.describe(input));
  return 0;
}
