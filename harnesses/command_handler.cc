// Fuzz target: a command program on the engine and on the reference model.
// See harnesses/programs/command_handler.h for the checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/programs/command_handler.h"
#include "harnesses/programs/command_program.h"
#include "harnesses/support/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto program = respfuzz::programs::DecodeCommandProgram(input);
  const auto result = respfuzz::programs::RunCommandProgram(program);
  FUZZ_CHECK_VERDICT(result.verdict, respfuzz::programs::CommandProgramToText(program));
  return 0;
}
