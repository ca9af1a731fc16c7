// respfuzz serve: a RESP server on the engine (src/server).
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "src/server/server.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace serve_impl {

Runner SetUp(CLI::App& cmd) {
  auto options = std::make_shared<server::ServerOptions>();
  // As redis-server: no instruction cap on scripts; one that runs past
  // busy-reply-threshold is stopped by SCRIPT KILL / FUNCTION KILL.
  options->engine.script_max_instructions = 0;
  cmd.description("Run a RESP server on the engine (redis-cli, redis-benchmark, hiredis work)");
  cmd.add_option("--port", options->port, "TCP port; 0: a free one, printed at start")
      ->type_name("PORT")
      ->check(DecimalRange(0, 65535))
      ->required();
  cmd.add_option("--bind", options->bind, "numeric IPv4 or IPv6 address to listen on")
      ->capture_default_str()
      ->type_name("ADDR");
  auto dir = std::make_shared<std::string>();
  cmd.add_option("--dir", *dir,
                 "working directory, where SAVE writes dump.rdb (default: the current one)")
      ->type_name("DIR");
  auto appendonly = std::make_shared<std::string>("no");
  cmd.add_option("--appendonly", *appendonly,
                 "yes: start from the append-only file in --dir (appendonlydir; none: an "
                 "empty dataset and a new AOF) instead of dump.rdb, with the AOF on, as "
                 "redis-server's option")
      ->capture_default_str()
      ->type_name("yes|no")
      ->check(CLI::IsMember({"yes", "no"}, CLI::ignore_case));
  auto debug = std::make_shared<std::string>("no");
  cmd.add_option("--enable-debug-command", *debug,
                 "whether DEBUG runs (LOG, RELOAD, OBJECT, POPULATE, DIGEST, DIGEST-VALUE, "
                 "PROTOCOL, SLEEP and the switches; docs/fidelity.md, \"DEBUG\"): no, yes, or "
                 "local (from 127.0.0.1 or ::1 only), as redis-server's option")
      ->capture_default_str()
      ->type_name("WHO")
      ->check(CLI::IsMember({"no", "yes", "local"}, CLI::ignore_case));
  cmd.footer(
      "Single-threaded and event-driven (epoll), one engine session per connection,\n"
      "RESP2 and RESP3 (HELLO 3), pipelining, MULTI/EXEC/WATCH, inline commands. Real\n"
      "clients work unchanged (redis-cli, hiredis, redis-benchmark); the server layer\n"
      "answers QUIT and CONFIG GET itself. Protocol errors reply '-ERR Protocol error:\n"
      "...' and close the connection, as redis-server does. A client whose unsent\n"
      "replies pass 64 MiB is disconnected; at most 10000 clients. A script runs\n"
      "until it ends or SCRIPT KILL / FUNCTION KILL stops it; past lua-time-limit\n"
      "(5000 ms) the other clients get BUSY, as from redis-server.\n"
      "\n"
      "SAVE, BGSAVE (saved at once), FLUSHALL with save points (CONFIG SET save) and\n"
      "SHUTDOWN SAVE write an RDB file redis-server 7.0.15 loads, dump.rdb in the\n"
      "working directory (--dir), through temp-<pid>.rdb and a rename; at start the\n"
      "dump.rdb there, if any, is loaded (a bad one: one error line, exit 1).\n"
      "CONFIG SET appendonly yes keeps a multi-part AOF in --dir/appendonlydir as\n"
      "redis-server 7.0.15 does (BGREWRITEAOF, DEBUG LOADAOF; redis-server loads it).\n"
      "With --appendonly yes serve starts from that AOF instead of dump.rdb (a bad\n"
      "one: one error line, exit 1) and keeps it (docs/fidelity.md, \"AOF\").\n"
      "\n"
      "Prints 'respfuzz serve: listening on ADDR:PORT' to stderr, serves until SIGINT,\n"
      "SIGTERM or a client's SHUTDOWN, then closes the listener and every client,\n"
      "prints a one-line summary (connections, commands served) to stderr and exits\n"
      "0. Exit 1 if the event loop fails or dump.rdb (or the AOF) cannot be loaded, 2 on usage\n"
      "errors or when the address cannot be bound (e.g. the port is in use).\n"
      "\n"
      "Examples:\n"
      "  respfuzz serve --port 6390\n"
      "  respfuzz serve --port 6390 --enable-debug-command local\n"
      "  respfuzz serve --port 6390 --dir /var/tmp/data --appendonly yes\n"
      "  respfuzz serve --port 0 --bind ::1");
  return [options, dir, debug, appendonly] {
    // (The checks above let only the names listed through.)
    engine::ParseProtectedAction(*debug, &options->engine.enable_debug_command);
    options->appendonly = absl::EqualsIgnoreCase(*appendonly, "yes");
    if (!dir->empty() && chdir(dir->c_str()) != 0) {
      std::fprintf(stderr, "respfuzz: serve: cannot use --dir %s: %s\n", dir->c_str(),
                   std::strerror(errno));
      return 2;
    }
    return server::RunServer(*options);
  };
}

RESPFUZZ_CLI_COMMAND(serve, SetUp);

}  // namespace serve_impl
}  // namespace respfuzz::cli
