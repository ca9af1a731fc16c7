// Fuzz target: a command program on the engine and on the reference model.
// See harnesses/command_handler/checks.h for the checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/command_handler/checks.h"
#include "harnesses/command_handler/program.h"
#include "harnesses/common/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto program = respfuzz::harnesses::DecodeCommandProgram(input);
  const auto result = respfuzz::harnesses::RunCommandProgram(program);
  FUZZ_CHECK_VERDICT(result.verdict, respfuzz::harnesses::CommandProgramToText(program));
  return 0;
}
