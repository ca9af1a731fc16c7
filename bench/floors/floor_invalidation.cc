// Floor of invalidation: the program decoded as the harness decodes it and
// run by the harness's own runner (harnesses/invalidation/runner.h) with its
// checks off: the engine with its tracker and one cache::ClientCache per
// client, the bytes moved between them exactly as the harness moves them
// (send, deliver, kill, reconnect, ...), and no check: no tracking reference
// model, no staleness check and its scratch engine, no framing parse, no
// Validate() (see bench/floors/README.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/invalidation/program.h"
#include "harnesses/invalidation/runner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace respfuzz::harnesses::invalidation;
  const Program program =
      DecodeProgram(std::string_view(reinterpret_cast<const char*>(data), size));
  RunOptions floor;
  floor.checks = false;
  RunProgram(program, floor);
  return 0;
}
