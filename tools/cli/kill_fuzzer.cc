// respfuzz kill-fuzzer: prime a cache, invalidate its connection, write a new
// value, and require the cache to serve it within a grace period.
#include <csignal>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_split.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"
#include "tools/cli/stale_common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace kill_fuzzer_impl {

struct Options {
  FuzzerFlags flags;
  std::string writers = "plain,pipelined,multi,second-client";
  std::string kill_mode = "client";
  std::string signal = "KILL";
};

// KILL, SIGKILL, 9 and the like; -1 when unknown.
int SignalNumber(std::string s) {
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
    const int n = s.size() <= 2 ? std::stoi(s) : -1;
    return n >= 1 && n <= 31 ? n : -1;
  }
  if (s.starts_with("SIG")) s = s.substr(3);
  for (int n = 1; n <= 31; ++n) {
    const char* abbrev = sigabbrev_np(n);
    if (abbrev != nullptr && s == abbrev) return n;
  }
  return -1;
}

int Run(Options& o) {
  std::string error = ResolveFuzzerFlags(&o.flags, stale::KillTypes());
  stale::KillOptions ko;
  for (absl::string_view w : absl::StrSplit(o.writers, ',', absl::SkipEmpty())) {
    if (w == "plain") {
      ko.writers.push_back(stale::WriterKind::kPlain);
    } else if (w == "pipelined") {
      ko.writers.push_back(stale::WriterKind::kPipelined);
    } else if (w == "multi") {
      ko.writers.push_back(stale::WriterKind::kMulti);
    } else if (w == "second-client") {
      ko.writers.push_back(stale::WriterKind::kSecondClient);
    } else if (error.empty()) {
      error = "--writers: unknown writer '" + std::string(w) +
              "' (writers: plain, pipelined, multi, second-client)";
    }
  }
  if (error.empty() && ko.writers.empty()) error = "--writers: no writer given";
  if (!error.empty()) return Fail("kill-fuzzer", error);
  ko.kill_mode = o.kill_mode == "client"    ? stale::KillMode::kClient
                 : o.kill_mode == "process" ? stale::KillMode::kProcess
                                            : stale::KillMode::kNone;
  ko.signal = SignalNumber(o.signal);
  ko.common = o.flags.common;
  StopSignals signals;
  ko.common.stop = signals.flag();
  stale::FuzzReport report;
  const absl::Status status =
      stale::RunKillFuzzer(ko, static_cast<size_t>(o.flags.show_last), &report);
  return FinishFuzz("kill-fuzzer", o.flags, status, report);
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description(
      "Stale reads after a kill: prime a cache, kill its connection or process, write a new "
      "value, read until the cache serves it");
  AddFuzzerOptions(cmd, &o->flags, stale::KillTypes(), "string,set,list,hash", 100, 10);
  cmd.add_option("--writers", o->writers,
                 "comma-separated: plain, pipelined, multi (through the caching client), "
                 "second-client")
      ->capture_default_str()
      ->type_name("LIST");
  cmd.add_option("--kill-mode", o->kill_mode,
                 "client: CLIENT KILL ID from another connection; process: the caching client "
                 "runs in a child process killed with --signal; none")
      ->capture_default_str()
      ->type_name("MODE")
      ->check(CLI::IsMember({"client", "process", "none"}));
  cmd.add_option("--signal", o->signal, "signal for --kill-mode process (name or number)")
      ->capture_default_str()
      ->type_name("SIG")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            return SignalNumber(s) > 0 ? "" : "unknown signal '" + s + "'";
          },
          "", "SIG"));
  cmd.footer(
      "Each iteration picks a type pair (string SET/GET, set SADD/SMEMBERS, list\n"
      "RPUSH/LRANGE, hash HSET/HGETALL), one of --keys keys (respfuzz:kf:N) and one of\n"
      "--writers; writes an initial value (DEL first); primes the cache (a read, then\n"
      "reads until one is served from the cache); invalidates the caching connection\n"
      "(--kill-mode); writes a new unique value; then reads through the cache until it\n"
      "equals the server's value (read on a plain connection), polling every\n"
      "--retry-delay for at most --grace-period. A read still different then is stale\n"
      "data: it is printed with the last --show-last steps, and --failure-log gets the\n"
      "JSON log of every step (time, action, client, arguments, response, and whether\n"
      "it came from the cache or the server).\n"
      "\n"
      "The caching client is our ClientCache in-process (--mode, --resp, --prefix,\n"
      "--noloop), or with --kill-mode process our ClientCache in a child process\n"
      "('respfuzz cache-adapter'), or any client behind --adapter CMD, a child process\n"
      "speaking the adapter protocol (docs/cache-adapters.md). Loopback servers only.\n"
      "Writes DEL and overwrite the keys respfuzz:kf:*; use a server whose data may go.\n"
      "\n"
      "Progress is printed every second. SIGINT stops after the current iteration.\n"
      "Exit 0 when no stale read was found, 1 on stale data, 2 on usage errors or\n"
      "when the server or the caching client fails.\n"
      "\n"
      "Examples:\n"
      "  respfuzz kill-fuzzer --server 127.0.0.1:6379 --iterations 200\n"
      "  respfuzz kill-fuzzer --kill-mode process --signal TERM --failure-log /tmp\n"
      "  respfuzz kill-fuzzer --adapter 'node tools/adapters/node-redis/adapter.js'");
  return [o] { return Run(*o); };
}

RESPFUZZ_CLI_COMMAND_NAMED(kill_fuzzer, "kill-fuzzer", SetUp);

}  // namespace kill_fuzzer_impl
}  // namespace respfuzz::cli
