// Fuzz target: caching clients against one in-process server with client
// tracking, and the tracking reference model. See
// harnesses/invalidation/checks.h for the ops and the checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/invalidation/checks.h"
#include "harnesses/invalidation/program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace inv = respfuzz::harnesses::invalidation;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const inv::Program program = inv::DecodeProgram(input);
  const inv::RunResult result = inv::RunProgram(program);
  FUZZ_CHECK_VERDICT(result.verdict, inv::ProgramToText(program));
  return 0;
}
