// SocketClient: a ClientCache over real TCP connections, blocking with
// deadlines, loopback only. It moves bytes between the sockets and the
// cache; every rule lives in the cache. Before serving anything from the
// cache it hands the cache every byte the sockets already hold, so a hit is
// never served past an invalidation that has arrived.
#ifndef RESPFUZZ_CACHE_SOCKET_CLIENT_H_
#define RESPFUZZ_CACHE_SOCKET_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/cache/client_cache.h"
#include "src/resp/value.h"

namespace respfuzz::cache {

struct SocketOptions {
  static constexpr int kDefaultTimeoutMs = 5000;
  static constexpr int kMaxTimeoutMs = 600000;

  // An IPv4 address in 127.0.0.0/8, or "localhost".
  std::string host = "127.0.0.1";
  int port = 6379;
  // Connecting, and waiting for each reply (the handshake's included).
  int timeout_ms = kDefaultTimeoutMs;
};

// Whether `host` is a loopback address SocketClient accepts (127.0.0.0/8 or
// "localhost"); sets `*ipv4` to its dotted form.
bool LoopbackHost(const std::string& host, std::string* ipv4);

struct CallResult {
  resp::Value value;
  bool from_cache = false;
};

class SocketClient {
 public:
  SocketClient(SocketOptions socket_options, CacheOptions cache_options);
  ~SocketClient();
  SocketClient(const SocketClient&) = delete;
  SocketClient& operator=(const SocketClient&) = delete;

  // Opens the connection(s) (closing any previous ones) and runs the
  // handshake until the cache is ready. Clears a Cancel().
  absl::Status Connect();
  // Closes the connection(s). Only the thread that calls Connect() and
  // Call() may call it (another thread: Cancel()).
  void Close();
  bool connected() const { return fds_[0] >= 0; }

  // Cancels the operation in flight from any thread: the sockets are shut
  // down (not closed, so no descriptor is reused under the operation's
  // feet), a blocked send or a wait for a reply returns at once, and the
  // operation fails with CANCELLED and closes the client. Without an
  // operation in flight the next one fails so. Connect() starts over on the
  // same object.
  void Cancel();

  // One command: a hit is answered from the cache; otherwise the command is
  // sent and its reply awaited. Fails (and closes) when a connection is lost
  // or the deadline passes; Connect() starts over.
  absl::StatusOr<CallResult> Call(std::vector<std::string> argv);
  // Several commands pipelined: all submitted, then all replies awaited.
  absl::StatusOr<std::vector<CallResult>> CallAll(std::vector<std::vector<std::string>> commands);

  // Hands the cache every byte the sockets already hold, without waiting.
  absl::Status Poll();

  ClientCache& cache() { return cache_; }
  const ClientCache& cache() const { return cache_; }
  int64_t connection_id(int conn) const { return cache_.connection_id(conn); }

 private:
  // Sends the cache's output and reads until `done()` or the deadline.
  absl::Status Pump(const std::function<bool()>& done);
  absl::Status Flush();
  absl::Status Lost(absl::Status status);

  SocketOptions options_;
  ClientCache cache_;
  // Written by the owning thread under mu_ (Connect, Close); read by it
  // without the lock and by Cancel() under it.
  std::mutex mu_;
  int fds_[2] = {-1, -1};
  std::atomic<bool> cancelled_{false};
};

}  // namespace respfuzz::cache

#endif  // RESPFUZZ_CACHE_SOCKET_CLIENT_H_
