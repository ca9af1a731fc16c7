// respfuzz cmd: one command through our ClientCache (or a plain connection),
// printing the reply and whether it came from the cache.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "src/cache/socket_client.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"
#include "tools/cli/stale_common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace cmd_impl {

struct Options {
  std::string server = kDefaultServer;
  bool cached = false;
  bool resp3 = false;
  int64_t repeat = 1;
  std::vector<std::string> argv;
};

int Run(const Options& o) {
  cache::SocketOptions so;
  SplitLoopbackServer(o.server, &so.host, &so.port);
  cache::CacheOptions co;
  co.mode = o.cached ? cache::Mode::kDefault : cache::Mode::kPlain;
  co.protocol = o.resp3 ? resp::Protocol::kResp3 : resp::Protocol::kResp2;
  cache::SocketClient client(so, co);
  if (absl::Status s = client.Connect(); !s.ok()) return Fail("cmd", std::string(s.message()));
  bool error_reply = false;
  for (int64_t i = 0; i < o.repeat; ++i) {
    auto r = client.Call(o.argv);
    if (!r.ok()) return Fail("cmd", std::string(r.status().message()));
    error_reply = r->value.type == resp::Type::kError || r->value.type == resp::Type::kBulkError;
    std::printf("%s  (%s)\n", resp::ToDebugString(r->value).c_str(),
                r->from_cache ? "from cache" : "from server");
  }
  return error_reply ? kFound : kOk;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Send one command through our client-side cache (or plainly); print the reply");
  cmd.add_flag("--cached", o->cached, "through our ClientCache with tracking (default mode)");
  cmd.add_flag("--resp3", o->resp3,
               "RESP3 (HELLO 3); else RESP2 (with --cached: a redirect "
               "connection subscribed to __redis__:invalidate)");
  cmd.add_option("--server", o->server, "the server (loopback only)")
      ->capture_default_str()
      ->type_name("HOST:PORT")
      ->check(CLI::Validator(CheckLoopbackServer, "", "HOST:PORT"));
  cmd.add_option("--repeat", o->repeat, "send it N times on the same connection")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(1, 1000));
  cmd.add_option("command", o->argv, "the command and its arguments")
      ->type_name("CMD ARG...")
      ->required();
  cmd.footer(
      "Prints each reply in respfuzz's readable form, then '(from cache)' or '(from\n"
      "server)'. A first read is never a hit: --repeat 2 shows a cacheable read served\n"
      "from the cache the second time. Options go before the command; put '--' before\n"
      "a command whose arguments start with '-'.\n"
      "\n"
      "Exit 0 on a reply, 1 when the (last) reply is an error reply, 2 on usage or\n"
      "connection errors.\n"
      "\n"
      "Examples:\n"
      "  respfuzz cmd SET greeting hello\n"
      "  respfuzz cmd --cached --resp3 --repeat 2 GET greeting\n"
      "  respfuzz cmd --server 127.0.0.1:6390 -- ZRANGE z -1 -1");
  return [o] { return Run(*o); };
}

RESPFUZZ_CLI_COMMAND(cmd, SetUp);

}  // namespace cmd_impl
}  // namespace respfuzz::cli
