// A harness's fuzz entry point with deliberately broken pieces planted, for
// the campaign report's tests (tests/campaign/real_logs.py): what it prints on
// a violation is what the harness's own binary prints for a real one (the
// same runner, the same FUZZ_CHECK_VERDICT, the same engine), only the bug is
// planted. Compiled once per harness, with PLANTED_INVALIDATION or
// PLANTED_COMMAND_HANDLER.
//
//   invalidation:    every client's cache ignores invalidations (a hit after
//                    another client's write is stale: staleness), and the
//                    tracker sends a client's invalidations for its own writes
//                    in front of the reply (reference)
//   command_handler: the engine's reply to EXPIRE says 0 where it set a TTL
//                    (reference)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harnesses/common/fuzz_check.h"

#if defined(PLANTED_INVALIDATION)
#include "harnesses/invalidation/checks.h"
#include "harnesses/invalidation/program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace inv = respfuzz::harnesses::invalidation;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const inv::Program program = inv::DecodeProgram(input);
  inv::RunOptions planted;
  planted.cache_bugs.ignore_invalidations = true;
  planted.tracker_bugs.own_invalidation_before_reply = true;
  const inv::RunResult result = inv::RunProgram(program, planted);
  FUZZ_CHECK_VERDICT(result.verdict, inv::ProgramToText(program));
  return 0;
}

#elif defined(PLANTED_COMMAND_HANDLER)
#include "harnesses/command_handler/checks.h"
#include "harnesses/command_handler/program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace h = respfuzz::harnesses;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const h::CommandProgram program = h::DecodeCommandProgram(input);
  h::CommandRunOptions planted;
  planted.corrupt_reply = [&program](size_t op, std::string* reply) {
    const auto& argv = program.ops[op].argv;
    if (!argv.empty() && h::CommandIs(argv[0], "EXPIRE") && *reply == ":1\r\n") *reply = ":0\r\n";
  };
  const h::CommandRunResult result = h::RunCommandProgram(program, planted);
  FUZZ_CHECK_VERDICT(result.verdict, h::CommandProgramToText(program));
  return 0;
}

#else
#error "define PLANTED_INVALIDATION or PLANTED_COMMAND_HANDLER"
#endif
