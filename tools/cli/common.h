// Helpers shared by the respfuzz subcommands: reading inputs, harness lookup
// with its error, atomic writes, option validators and minimizing.
#ifndef RESPFUZZ_TOOLS_CLI_COMMON_H_
#define RESPFUZZ_TOOLS_CLI_COMMON_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "harnesses/common/registry.h"
#include "tools/cli/command.h"
#include "tools/server_target.h"

namespace respfuzz::cli {

using harnesses::Harness;

// Prints "respfuzz: CMD: MESSAGE" on stderr and returns `code`.
int Fail(std::string_view cmd, std::string_view message, int code = kUsage);

// The bytes of `path`, or of standard input for "-"; nullopt with `error` set
// when it cannot be read (a directory included).
std::optional<std::string> ReadInput(const std::string& path, std::string* error);

// The harness called `name`, or nullptr after printing the names there are.
const Harness* HarnessOrError(std::string_view cmd, const std::string& name);
// As HarnessOrError, and the harness must have a text program form.
const Harness* StructuredHarnessOrError(std::string_view cmd, const std::string& name);

// A harness input from `path`: for structured harnesses a .txt file holds the
// text form, which is encoded first.
std::optional<std::string> LoadInput(const Harness& h, const std::string& path, std::string* error);

// Writes `data` to `path` through a temporary file in the same directory and
// a rename, so a failure never leaves a partial file. Without `replace` an
// existing `path` is an error, even one created while writing.
bool WriteFileAtomic(const std::filesystem::path& path, std::string_view data, std::string* error,
                     bool replace = true);

// Accepts a plain decimal integer in [lo, hi]. CLI11 converts integers with
// base 0 ("010" would be 8), so the value is rewritten in canonical form.
CLI::Validator DecimalRange(int64_t lo, int64_t hi);

// --target NAME / --server-binary PATH: which real server a subcommand starts
// (tools/server_target.h).
struct ServerChoice {
  std::string target;
  std::string binary;
};
void AddServerOptions(CLI::App* c, ServerChoice* s);
// The program `s` names; nullopt after printing one line (Fail) when it
// cannot be used.
std::optional<targets::ServerProgram> ResolveServerOrError(std::string_view cmd,
                                                           const ServerChoice& s);

struct Minimized {
  std::string bytes;
  harnesses::MinimizeReport report;
};

// Minimizes the failing input at `path` and prints the result (minimize and
// freeze). Returns kOk with `m` filled, else the exit code to return.
int MinimizeInput(std::string_view cmd, const Harness& h, const std::string& path, Minimized* m);

}  // namespace respfuzz::cli

#endif  // RESPFUZZ_TOOLS_CLI_COMMON_H_
