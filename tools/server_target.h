// Which real server a tool starts: a target name (redis-7.0, redis-8.0,
// valkey-9.1) resolved to its programs, or a server program given by path.
// The same rules as scripts/server-target, which the shell tests use: a
// test (tests/server_target_test.sh) checks that both give the same paths.
//
//   redis-7.0   Debian's redis-server 7.0.15 (/usr/bin, scripts/setup installs it)
//   redis-8.0   redis-server 8.0.6 that scripts/targets built into its cache
//   valkey-9.1  valkey-server 9.1.2, likewise
//
// Nothing here builds or starts anything: a target that is not built is an
// error naming the command that builds it.
#ifndef RESPFUZZ_TOOLS_SERVER_TARGET_H_
#define RESPFUZZ_TOOLS_SERVER_TARGET_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace respfuzz::targets {

// The target a tool starts when given neither a target nor a program.
inline constexpr std::string_view kDefaultTarget = "redis-7.0";

struct ServerProgram {
  std::string target;   // the target's name; empty for a program given by path alone
  std::string version;  // the upstream version the target's pin names ("8.0.6"); may be empty
  std::string family;   // "redis" or "valkey" (the INFO field its version is in); may be empty
  std::string server;   // absolute path of the server program
  std::string cli;      // its cli (redis-cli, valkey-cli); empty when none is known
  // "redis-8.0 (redis-server 8.0.6, /path)" or "/path/to/server".
  std::string Describe() const;
};

// The known target names, in the order of the table above.
std::vector<std::string> KnownTargets();

// Resolves `target` (empty: none given) and `binary` (empty: none given):
//  - neither: kDefaultTarget;
//  - a target: its programs, which must exist (else the command that builds
//    them is named);
//  - a binary: that program (it must be an executable file); its cli is the
//    program beside it named as the server with -cli for -server, if any;
//  - both: the binary, expected to be the target's version (see CheckInfo),
//    with the target's cli.
// Errors are InvalidArgument (unknown name) or NotFound (a program missing or
// not built), their message one line that says what to do.
// The cache is $RESPFUZZ_TARGETS_CACHE, else $XDG_CACHE_HOME/respfuzz/targets,
// else ~/.cache/respfuzz/targets; Debian's programs are in
// $RESPFUZZ_SYSTEM_SERVER_DIR, else /usr/bin (both settable for tests).
absl::StatusOr<ServerProgram> ResolveServer(std::string_view target, std::string_view binary);

// Checks a started server's INFO server text against the program: with a
// version, the family's version field (redis_version, valkey_version) must
// equal it. FailedPrecondition with one line otherwise.
absl::Status CheckInfo(const ServerProgram& p, std::string_view info);

// The upstream version in a Debian version: "5:8.0.6-3" -> "8.0.6".
std::string UpstreamVersion(std::string_view debian_version);

}  // namespace respfuzz::targets

#endif  // RESPFUZZ_TOOLS_SERVER_TARGET_H_
