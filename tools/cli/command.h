// The interface every respfuzz subcommand implements. A subcommand is one file
// in tools/cli/ that defines a setup function and registers it with
// RESPFUZZ_CLI_COMMAND; respfuzz_main.cc adds every registered one to the
// command line, so nothing else lists them. Subcommand files are compiled in
// unity batches (tools/CMakeLists.txt): put a file's own code in a namespace
// named after the file (`namespace <file>_impl`), never an anonymous one, or
// two files' `Options` collide.
#ifndef RESPFUZZ_TOOLS_CLI_COMMAND_H_
#define RESPFUZZ_TOOLS_CLI_COMMAND_H_

#include <functional>
#include <string_view>
#include <vector>

#include "CLI/CLI.hpp"

namespace respfuzz::cli {

// Exit codes shared by every subcommand.
constexpr int kOk = 0;
constexpr int kFound = 1;  // a failure found: protocol error, violation, divergence
constexpr int kUsage = 2;  // usage or I/O error

// Runs the subcommand once the command line is parsed; returns the exit code.
using Runner = std::function<int()>;

// Gives `cmd` (already named) its description, options and footer, and
// returns the runner that acts on the values those options were bound to.
using Setup = Runner (*)(CLI::App& cmd);

struct Command {
  std::string_view name;
  Setup setup;
};

// Registers a subcommand; used only through RESPFUZZ_CLI_COMMAND, before main().
bool RegisterCommand(std::string_view name, Setup setup);

// Every registered subcommand, sorted by name (registration order is the
// unspecified order of static initialization).
std::vector<Command> Commands();

}  // namespace respfuzz::cli

#define RESPFUZZ_CLI_COMMAND(name, setup)                          \
  [[maybe_unused]] static const bool respfuzz_cli_command_##name = \
      ::respfuzz::cli::RegisterCommand(#name, setup)

// For a subcommand whose name is not an identifier (e.g. "kill-fuzzer").
#define RESPFUZZ_CLI_COMMAND_NAMED(id, name, setup)              \
  [[maybe_unused]] static const bool respfuzz_cli_command_##id = \
      ::respfuzz::cli::RegisterCommand(name, setup)

#endif  // RESPFUZZ_TOOLS_CLI_COMMAND_H_
