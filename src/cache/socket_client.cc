#include "src/cache/socket_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace respfuzz::cache {

namespace {

using Clock = std::chrono::steady_clock;

absl::StatusOr<int> ConnectTcp(const std::string& ipv4, int port, int timeout_ms) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ipv4.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError("'" + ipv4 + "' is not an IPv4 address");
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::string("socket: ") + std::strerror(errno));
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot connect to ", ipv4, ":", port, ": ", why));
  }
  return fd;
}

absl::Status SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(std::string("send: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

bool LoopbackHost(const std::string& host, std::string* ipv4) {
  const std::string h = host == "localhost" ? "127.0.0.1" : host;
  in_addr a{};
  if (inet_pton(AF_INET, h.c_str(), &a) != 1) return false;
  if ((ntohl(a.s_addr) >> 24) != 127) return false;
  *ipv4 = h;
  return true;
}

SocketClient::SocketClient(SocketOptions socket_options, CacheOptions cache_options)
    : options_(std::move(socket_options)), cache_(std::move(cache_options)) {}

SocketClient::~SocketClient() { Close(); }

void SocketClient::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  for (int& fd : fds_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void SocketClient::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  for (int fd : fds_) {
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
}

absl::Status SocketClient::Lost(absl::Status status) {
  Close();
  if (cancelled_) {
    return absl::CancelledError(absl::StrCat("cancelled (", status.message(), ")"));
  }
  return status;
}

absl::Status SocketClient::Connect() {
  Close();
  cancelled_ = false;
  std::string ipv4;
  if (!LoopbackHost(options_.host, &ipv4)) {
    return absl::InvalidArgumentError("'" + options_.host +
                                      "' is not a loopback address (127.0.0.0/8 or localhost)");
  }
  if (options_.port < 1 || options_.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port ", options_.port, " out of range"));
  }
  if (absl::Status s = ValidateOptions(cache_.options()); !s.ok()) return s;
  for (int c = 0; c < cache_.connections(); ++c) {
    absl::StatusOr<int> fd = ConnectTcp(ipv4, options_.port, options_.timeout_ms);
    if (!fd.ok()) return Lost(fd.status());
    std::lock_guard<std::mutex> lock(mu_);
    fds_[c] = *fd;
    if (cancelled_) ::shutdown(*fd, SHUT_RDWR);  // a Cancel() while connecting
  }
  cache_.Connect();
  return Pump([this] { return cache_.state() != State::kHandshake; });
}

absl::Status SocketClient::Flush() {
  for (int c = 0; c < cache_.connections(); ++c) {
    if (!cache_.HasOutput(c)) continue;
    if (absl::Status s = SendAll(fds_[c], cache_.TakeOutput(c)); !s.ok()) {
      cache_.OnEof(c);
      return Lost(s);
    }
  }
  return absl::OkStatus();
}

absl::Status SocketClient::Poll() {
  if (!connected()) return absl::FailedPreconditionError("not connected");
  char buf[65536];
  for (int c = 0; c < cache_.connections(); ++c) {
    while (true) {
      const ssize_t n = ::recv(fds_[c], buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        if (absl::Status s = cache_.OnBytes(c, std::string_view(buf, n)); !s.ok()) return Lost(s);
        continue;
      }
      if (n == 0) {
        cache_.OnEof(c);
        return Lost(cache_.status());
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      cache_.OnEof(c);
      return Lost(absl::UnavailableError(std::string("recv: ") + std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::Status SocketClient::Pump(const std::function<bool()>& done) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  char buf[65536];
  while (true) {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (cache_.state() == State::kDisconnected) return Lost(cache_.status());
    if (done()) return absl::OkStatus();
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      return Lost(absl::DeadlineExceededError(
          absl::StrCat("no reply within ", options_.timeout_ms, " ms")));
    }
    pollfd pfds[2];
    const int n = cache_.connections();
    for (int c = 0; c < n; ++c) pfds[c] = pollfd{fds_[c], POLLIN, 0};
    const int r = ::poll(pfds, n, static_cast<int>(left));
    if (r < 0 && errno != EINTR) {
      return Lost(absl::InternalError(std::string("poll: ") + std::strerror(errno)));
    }
    for (int c = 0; r > 0 && c < n; ++c) {
      if ((pfds[c].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t got = ::recv(fds_[c], buf, sizeof buf, MSG_DONTWAIT);
      if (got > 0) {
        if (absl::Status s = cache_.OnBytes(c, std::string_view(buf, got)); !s.ok()) {
          return Lost(s);
        }
      } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        cache_.OnEof(c);
        return Lost(cache_.status());
      }
    }
  }
}

absl::StatusOr<CallResult> SocketClient::Call(std::vector<std::string> argv) {
  std::vector<std::vector<std::string>> one;
  one.push_back(std::move(argv));
  absl::StatusOr<std::vector<CallResult>> r = CallAll(std::move(one));
  if (!r.ok()) return r.status();
  return std::move((*r)[0]);
}

absl::StatusOr<std::vector<CallResult>> SocketClient::CallAll(
    std::vector<std::vector<std::string>> commands) {
  if (!connected()) return absl::FailedPreconditionError("not connected");
  if (cancelled_) return Lost(absl::CancelledError("Cancel() before the call"));
  // Every byte already delivered is processed before any hit is served.
  if (absl::Status s = Poll(); !s.ok()) return s;
  std::vector<CallResult> results(commands.size());
  std::vector<uint64_t> tickets(commands.size(), 0);
  size_t waiting = 0;
  for (size_t i = 0; i < commands.size(); ++i) {
    absl::StatusOr<Submitted> s = cache_.Submit(std::move(commands[i]));
    if (!s.ok()) {
      // Nothing of this batch has been sent yet unless an earlier command
      // was: then the connection's replies can no longer be matched.
      if (waiting > 0) Close();
      return s.status();
    }
    if (s->hit) {
      results[i] = CallResult{*std::move(s->hit), true};
    } else {
      tickets[i] = s->ticket;
      ++waiting;
    }
  }
  absl::Status status = absl::OkStatus();
  auto collect = [&] {
    for (Reply& r : cache_.TakeReplies()) {
      for (size_t i = 0; i < tickets.size(); ++i) {
        if (tickets[i] != r.ticket || r.ticket == 0) continue;
        if (r.lost && status.ok()) status = absl::UnavailableError(r.value.str);
        results[i] = CallResult{std::move(r.value), false};
        tickets[i] = 0;
        --waiting;
      }
    }
    return waiting == 0;
  };
  if (absl::Status s = Pump(collect); !s.ok()) {
    collect();
    return s;
  }
  if (!status.ok()) return Lost(status);
  return results;
}

}  // namespace respfuzz::cache
