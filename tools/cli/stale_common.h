// What the stale-read subcommands (kill-fuzzer, cache-fuzzer, cmd) share:
// the server and client options, their checks, signals, the failure log.
#ifndef RESPFUZZ_TOOLS_CLI_STALE_COMMON_H_
#define RESPFUZZ_TOOLS_CLI_STALE_COMMON_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/stale/fuzzers.h"

namespace respfuzz::cli {

inline constexpr char kDefaultServer[] = "127.0.0.1:6379";

// HOST:PORT on the loopback (127.0.0.0/8 or localhost); "" when it is.
std::string CheckLoopbackServer(const std::string& s);
// Splits a checked HOST:PORT.
void SplitLoopbackServer(const std::string& s, std::string* host, int* port);

// The options both fuzzers take, bound to `o`, plus the raw strings they
// are parsed from.
struct FuzzerFlags {
  stale::CommonOptions common;
  std::string server = kDefaultServer;
  std::optional<uint64_t> seed;
  std::string types;
  std::string mode = "default";
  int64_t resp = 3;
  std::vector<std::string> prefixes;
  bool noloop = false;
  std::string adapter;
  std::string bug;
  std::optional<std::string> failure_log;
  int64_t show_last = 20;
  int64_t timeout_ms = 5000;
};

// Adds the shared options to `cmd`; `types_help` lists the --types values.
void AddFuzzerOptions(CLI::App& cmd, FuzzerFlags* f, const std::vector<std::string>& all_types,
                      const std::string& default_types, int64_t default_iterations,
                      int64_t default_keys);

// Fills f->common from the flags; returns an error message or "".
std::string ResolveFuzzerFlags(FuzzerFlags* f, const std::vector<std::string>& all_types);

// SIGINT/SIGTERM set the returned flag while the guard lives; SIGPIPE is
// ignored (an adapter may die under us).
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  const std::atomic<bool>* flag() const;
};

// Prints the outcome and writes the failure log; returns the exit code.
int FinishFuzz(const char* tool, const FuzzerFlags& f, const absl::Status& status,
               const stale::FuzzReport& report);

}  // namespace respfuzz::cli

#endif  // RESPFUZZ_TOOLS_CLI_STALE_COMMON_H_
