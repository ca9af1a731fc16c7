#include "tests/server/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gtest/gtest.h"

namespace respfuzz::server::testing {

RunningServer::RunningServer(ServerOptions options) {
  options.bind = "127.0.0.1";
  options.port = 0;
  server_ = std::make_unique<Server>(std::move(options));
  absl::Status st = server_->Listen();
  EXPECT_TRUE(st.ok()) << st;
  if (!st.ok()) return;
  thread_ = std::thread([this] { status_ = server_->Run(); });
}

absl::Status RunningServer::Stop() {
  if (thread_.joinable()) {
    server_->Stop();
    thread_.join();
  }
  return status_;
}

absl::Status RunningServer::Join() {
  if (thread_.joinable()) thread_.join();
  return status_;
}

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

RawClient::RawClient(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RawClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    ASSERT_GT(n, 0) << "send: " << std::strerror(errno);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

namespace {

// Waits for readability until the deadline; false on timeout.
bool WaitReadable(int fd, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

}  // namespace

std::string RawClient::Read(size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char buf[65536];
  while (out.size() < n) {
    if (!WaitReadable(fd_, deadline)) break;
    const ssize_t r = ::recv(fd_, buf, std::min(sizeof(buf), n - out.size()), 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

std::string RawClient::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  while (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::string b = Read(1, left);
    if (b.empty()) break;
    out += b;
  }
  return out;
}

std::string RawClient::ReadUntilClosed(bool* closed, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char buf[65536];
  *closed = false;
  while (true) {
    if (!WaitReadable(fd_, deadline)) break;
    const ssize_t r = ::recv(fd_, buf, sizeof(buf), 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      *closed = true;  // EOF, or a reset
      break;
    }
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

bool RawClient::Quiet(std::chrono::milliseconds wait) {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) == 0;
}

void RawClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

}  // namespace respfuzz::server::testing
