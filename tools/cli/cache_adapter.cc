// respfuzz cache-adapter: our ClientCache behind the adapter protocol, on
// stdin/stdout (what the fuzzers run for --kill-mode process).
#include <iostream>
#include <memory>

#include "tools/cli/command.h"
#include "tools/stale/clients.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace cache_adapter_impl {

Runner SetUp(CLI::App& cmd) {
  cmd.description("Serve the cache adapter protocol on stdin/stdout with our ClientCache");
  cmd.footer(
      "Reads one JSON request per line on stdin and writes one JSON response per line\n"
      "on stdout, in order (docs/cache-adapters.md): connect (host, port, resp, mode,\n"
      "prefixes, noloop), call, pipeline, multi, client_ids, quit. The fuzzers run it\n"
      "as the caching client for --kill-mode process; it is also the reference for\n"
      "writing another client's adapter.\n"
      "\n"
      "Exit 0 when stdin ends or after quit.\n"
      "\n"
      "Example:\n"
      "  echo '{\"id\":1,\"op\":\"connect\",\"host\":\"127.0.0.1\",\"port\":6379,\"resp\":3,"
      "\"mode\":\"default\"}' \\\n"
      "      | respfuzz cache-adapter");
  return [] { return stale::ServeAdapterProtocol(std::cin, std::cout); };
}

RESPFUZZ_CLI_COMMAND_NAMED(cache_adapter, "cache-adapter", SetUp);

}  // namespace cache_adapter_impl
}  // namespace respfuzz::cli
