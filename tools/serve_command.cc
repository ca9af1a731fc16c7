#include "tools/serve_command.h"

#include <cstdio>
#include <optional>
#include <string_view>

#include "src/server/server.h"

namespace respfuzz::tools {

namespace {

const char kServeHelp[] =
    "usage: respfuzz serve --port PORT [--bind ADDR]\n"
    "Runs a RESP server on respfuzz's engine: single-threaded and event-driven\n"
    "(epoll), one engine session per connection, RESP2 and RESP3 (HELLO 3),\n"
    "pipelining, MULTI/EXEC/WATCH, inline commands. Real clients work unchanged\n"
    "(redis-cli, hiredis, redis-benchmark); the server layer answers QUIT and\n"
    "CONFIG GET itself. Protocol errors reply '-ERR Protocol error: ...' and close\n"
    "the connection, as redis-server does. A client whose unsent replies pass\n"
    "64 MiB is disconnected; at most 10000 clients.\n"
    "\n"
    "  --port PORT   TCP port (0: a free one, printed at start)\n"
    "  --bind ADDR   numeric IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
    "\n"
    "Prints 'respfuzz serve: listening on ADDR:PORT' to stderr, serves until SIGINT\n"
    "or SIGTERM, then closes the listener and every client, prints a one-line\n"
    "summary (connections, commands served) to stderr and exits 0. Exit 2 on usage\n"
    "errors or when the address cannot be bound (e.g. the port is in use).\n";

int Usage(const std::string& msg) {
  std::fprintf(stderr, "respfuzz: serve: %s (see 'respfuzz serve --help')\n", msg.c_str());
  return 2;
}

std::optional<uint16_t> ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

}  // namespace

int CmdServe(const std::vector<std::string>& args) {
  server::ServerOptions options;
  std::optional<uint16_t> port;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::printf("%s", kServeHelp);
      return 0;
    }
    if (a == "--port" || a == "--bind") {
      if (i + 1 >= args.size()) return Usage(a + " needs a value");
      const std::string& v = args[++i];
      if (a == "--bind") {
        options.bind = v;
        continue;
      }
      port = ParsePort(v);
      if (!port) return Usage("invalid port '" + v + "' (expected 0 to 65535)");
      continue;
    }
    if (a.size() > 1 && a[0] == '-') return Usage("unknown option " + a);
    return Usage("unexpected argument '" + a + "'");
  }
  if (!port) return Usage("--port PORT is required");
  options.port = *port;
  return server::RunServer(options);
}

}  // namespace respfuzz::tools
