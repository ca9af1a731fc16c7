// `respfuzz serve`: the command line of the RESP server (src/server).
#ifndef RESPFUZZ_TOOLS_SERVE_COMMAND_H_
#define RESPFUZZ_TOOLS_SERVE_COMMAND_H_

#include <string>
#include <vector>

namespace respfuzz::tools {

// Parses `args` (what follows "serve"), runs the server until SIGINT or
// SIGTERM and returns the exit code: 0 after a clean shutdown, 2 on a usage
// error or an address that cannot be bound (one line on stderr), 1 if the
// event loop fails.
int CmdServe(const std::vector<std::string>& args);

}  // namespace respfuzz::tools

#endif  // RESPFUZZ_TOOLS_SERVE_COMMAND_H_
