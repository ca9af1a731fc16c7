// Floor of connection: the program decoded as the harness decodes it and run
// as the harness runs it (a server on the simulated transport, the ops, the
// drain until quiet, stop and shut down), with no check: no check after a
// turn, no direct engine run, no end checks (see bench/floors/README.md).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "harnesses/connection/checks.h"
#include "harnesses/connection/program.h"
#include "src/server/server.h"
#include "src/server/sim_transport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace respfuzz;
  using namespace respfuzz::harnesses;
  const ConnProgram program =
      DecodeConnProgram(std::string_view(reinterpret_cast<const char*>(data), size));
  server::SimTransport sim;
  const ConnectionUnderTest put;  // the real server and transport, as the harness's default
  server::Server server(HarnessServerOptions(put), put.transport(&sim));
  if (!server.Listen().ok()) return 0;
  const auto turn = [&](size_t) { return server.Turn().ok(); };
  if (DriveConnProgram(program, sim, server, turn, nullptr) != ConnDriveEnd::kQuiet) return 0;
  server.Stop();
  if (server.Turn().ok()) server.Shutdown();
  return 0;
}
