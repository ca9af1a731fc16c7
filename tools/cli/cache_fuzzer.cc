// respfuzz cache-fuzzer: random writes through one client, reads through a
// caching client and a plain one, compared with a grace period.
#include <cstdio>
#include <memory>
#include <string>

#include "tools/cli/command.h"
#include "tools/cli/common.h"
#include "tools/cli/stale_common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace cache_fuzzer_impl {

struct Options {
  FuzzerFlags flags;
  int64_t kill_percent = 0;
  int64_t flush_percent = 0;
  bool list_commands = false;
};

std::string DefaultTypes() {
  std::string out;
  for (const std::string& t : stale::DefaultCacheFuzzTypes()) out += (out.empty() ? "" : ",") + t;
  return out;
}

int Run(Options& o) {
  if (o.list_commands) {
    std::printf("%s", stale::ListCommands().c_str());
    return kOk;
  }
  if (std::string error = ResolveFuzzerFlags(&o.flags, stale::CacheFuzzTypes()); !error.empty()) {
    return Fail("cache-fuzzer", error);
  }
  if (o.kill_percent + o.flush_percent > 100) {
    return Fail("cache-fuzzer", "--kill and --flush add up to more than 100 percent");
  }
  stale::CacheFuzzOptions co;
  co.common = o.flags.common;
  co.kill_percent = o.kill_percent;
  co.flush_percent = o.flush_percent;
  StopSignals signals;
  co.common.stop = signals.flag();
  stale::FuzzReport report;
  const absl::Status status =
      stale::RunCacheFuzzer(co, static_cast<size_t>(o.flags.show_last), &report);
  return FinishFuzz("cache-fuzzer", o.flags, status, report);
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description(
      "Stale reads under random traffic: writes through one client, reads through a caching "
      "client and a plain one, compared");
  AddFuzzerOptions(cmd, &o->flags, stale::CacheFuzzTypes(), DefaultTypes(), 1000, 4);
  cmd.add_option("--kill", o->kill_percent,
                 "percent of steps that CLIENT KILL a caching connection")
      ->capture_default_str()
      ->type_name("PERCENT")
      ->check(DecimalRange(0, 100));
  cmd.add_option("--flush", o->flush_percent, "percent of steps that FLUSHALL or FLUSHDB")
      ->capture_default_str()
      ->type_name("PERCENT")
      ->check(DecimalRange(0, 100));
  cmd.add_flag("--list-commands", o->list_commands,
               "print the commands of every --types group and exit");
  cmd.footer(
      "FLUSHALL first, then each step is a kill (--kill), a flush (--flush), or (1 in\n"
      "4) a random write through a second, plain client, or (3 in 4) a random read: the\n"
      "read goes through the caching client and through a plain connection, and the\n"
      "two replies must agree (unordered replies sorted), or come to agree within\n"
      "--grace-period, polling every --retry-delay. A read that does not is stale\n"
      "data: it is printed with the last --show-last steps, and --failure-log gets the\n"
      "JSON log of every step. Keys are respfuzz:GROUP:N, --keys per group. The\n"
      "swapdb group (SWAPDB 0 1, MOVE) is not in the default --types: Redis sends no\n"
      "invalidation for SWAPDB, so it finds stale reads in any tracking client.\n"
      "\n"
      "The caching client is our ClientCache in-process (--mode, --resp, --prefix,\n"
      "--noloop) or any client behind --adapter CMD (docs/cache-adapters.md). Loopback\n"
      "servers only; use one whose data may be flushed.\n"
      "\n"
      "Progress is printed every second. SIGINT stops after the current step.\n"
      "Exit 0 when no stale read was found, 1 on stale data, 2 on usage errors or\n"
      "when the server or the caching client fails.\n"
      "\n"
      "Examples:\n"
      "  respfuzz cache-fuzzer --server 127.0.0.1:6379 --iterations 5000 --kill 2 --flush 1\n"
      "  respfuzz cache-fuzzer --types string,swapdb --failure-log /tmp/stale.json\n"
      "  respfuzz cache-fuzzer --list-commands");
  return [o] { return Run(*o); };
}

RESPFUZZ_CLI_COMMAND_NAMED(cache_fuzzer, "cache-fuzzer", SetUp);

}  // namespace cache_fuzzer_impl
}  // namespace respfuzz::cli
