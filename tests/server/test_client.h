// Test helpers for the server tests: a server on a free loopback port in its
// own thread, and a raw TCP client with deadlines.
#ifndef RESPFUZZ_TESTS_SERVER_TEST_CLIENT_H_
#define RESPFUZZ_TESTS_SERVER_TEST_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "src/server/server.h"

namespace respfuzz::server::testing {

// A Server listening on 127.0.0.1:<free port>, run by a thread; stopped and
// joined by Stop() or the destructor.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions options = {});
  ~RunningServer() { Stop().IgnoreError(); }
  uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  // Stops the server and waits for Run() to return; its status.
  absl::Status Stop();
  // Waits for Run() to return by itself (e.g. after a signal).
  absl::Status Join();

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
  absl::Status status_;
};

// Polls `cond` until it holds or `timeout` passes; true if it held.
bool WaitFor(const std::function<bool()>& cond,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

class RawClient {
 public:
  explicit RawClient(uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void Send(std::string_view bytes);
  // Reads exactly n bytes (less if the server closes or the deadline passes).
  std::string Read(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads up to and including the next "\r\n".
  std::string ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads until the server closes the connection (or the deadline passes);
  // *closed tells which.
  std::string ReadUntilClosed(bool* closed,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True if nothing arrives within `wait` (and the connection is still open).
  bool Quiet(std::chrono::milliseconds wait = std::chrono::milliseconds(50));
  void ShutdownWrite();

 private:
  int fd_ = -1;
};

}  // namespace respfuzz::server::testing

#endif  // RESPFUZZ_TESTS_SERVER_TEST_CLIENT_H_
