// The clients the stale-read fuzzers drive: a caching client (our ClientCache
// in-process, or any client's cache behind the adapter protocol of
// docs/cache-adapters.md, in a child process), and the plain connections
// they compare it with.
#ifndef RESPFUZZ_TOOLS_STALE_CLIENTS_H_
#define RESPFUZZ_TOOLS_STALE_CLIENTS_H_

#include <sys/types.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/cache/client_cache.h"
#include "src/cache/socket_client.h"
#include "src/resp/value.h"

namespace respfuzz::stale {

using Argv = std::vector<std::string>;

// A reply as JSON, the adapter protocol's form: strings, numbers, booleans,
// null, arrays (arrays, sets, pushes), objects (maps with string keys; other
// maps become arrays of [key, value] pairs) and {"error": text}.
nlohmann::json ValueToJson(const resp::Value& v);
// The form two replies of `argv` are compared in: the reply as JSON with
// what Redis leaves unordered sorted (SMEMBERS, HKEYS, HVALS) and RESP2's
// flat HGETALL made a map.
nlohmann::json Canonical(const Argv& argv, nlohmann::json reply);
std::string Dump(const nlohmann::json& j);  // one line, invalid UTF-8 replaced

struct CallResult {
  nlohmann::json reply;
  bool from_cache = false;
};

struct ClientSpec {
  std::string host = "127.0.0.1";
  int port = 6379;
  cache::CacheOptions cache;  // mode, protocol, prefixes, noloop, planted bug
  std::string bug;            // the planted bug's name, passed on to adapters
  int timeout_ms = cache::SocketOptions::kDefaultTimeoutMs;
};

class CachingClient {
 public:
  virtual ~CachingClient() = default;
  virtual std::string name() const = 0;
  // Connects (an adapter: starts its process first).
  virtual absl::Status Start() = 0;
  virtual absl::StatusOr<CallResult> Call(const Argv& argv) = 0;
  virtual absl::StatusOr<std::vector<CallResult>> Pipeline(const std::vector<Argv>& commands) = 0;
  // MULTI, the commands, EXEC: EXEC's replies.
  virtual absl::StatusOr<std::vector<CallResult>> Multi(const std::vector<Argv>& commands) = 0;
  // CLIENT IDs of the connections the cache relies on, data connection first.
  virtual absl::StatusOr<std::vector<int64_t>> ClientIds() = 0;
  // Adapters: kills the process with `signal`, reaps it and starts a new one.
  virtual absl::Status KillProcess(int signal) = 0;
  virtual void Stop() = 0;
  // Reconnects after a lost connection or a failed client so far; -1 when
  // the client does not say (adapters).
  virtual int64_t reconnects() const { return -1; }
};

// Our ClientCache over loopback sockets. A lost connection is reconnected
// before the next command; a command whose connection was lost under it is
// sent once more on a new connection.
std::unique_ptr<CachingClient> MakeInProcessClient(const ClientSpec& spec);
// A child process speaking the adapter protocol: `argv` is run as it is
// (no shell), with stdin and stdout as pipes; stderr is inherited.
std::unique_ptr<CachingClient> MakeAdapterClient(const ClientSpec& spec, Argv argv);

// A plain connection (no cache) in `protocol`, for the truth, the second
// writer and admin commands. Reconnects as the in-process client does.
class PlainClient {
 public:
  PlainClient(const ClientSpec& spec, resp::Protocol protocol);
  absl::StatusOr<nlohmann::json> Call(const Argv& argv);

 private:
  cache::SocketClient client_;
};

// `respfuzz cache-adapter`: serves the adapter protocol on `in`/`out` with
// our ClientCache. Returns when `in` ends or after "quit".
int ServeAdapterProtocol(std::istream& in, std::ostream& out);

}  // namespace respfuzz::stale

#endif  // RESPFUZZ_TOOLS_STALE_CLIENTS_H_
