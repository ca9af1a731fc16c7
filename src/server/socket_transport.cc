// The socket Transport: epoll and non-blocking TCP sockets (transport.h).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "src/server/transport.h"

namespace respfuzz::server {
namespace {

constexpr int kMaxEvents = 256;

std::string ErrnoText(int err) { return std::strerror(err); }

// "ip:port", as CLIENT KILL ADDR / LADDR compare them.
std::string AddressText(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = "";
  if (a.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
    return absl::StrCat(host, ":", ntohs(v4->sin_port));
  }
  if (a.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
    return absl::StrCat(host, ":", ntohs(v6->sin6_port));
  }
  return "";
}

// "host:port", an IPv6 host in brackets.
std::string Where(const std::string& bind, uint16_t port) {
  return bind.find(':') != std::string::npos ? absl::StrCat("[", bind, "]:", port)
                                             : absl::StrCat(bind, ":", port);
}

class SocketTransport : public Transport {
 public:
  SocketTransport() {
    events_.resize(kMaxEvents);
    // The wake pipe exists from the start, so Wake() works before Listen().
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) == 0) {
      wake_read_fd_ = pipe_fds[0];
      wake_write_fd_.store(pipe_fds[1]);
    }
  }
  ~SocketTransport() override {
    for (int fd : {listen_fd_, epoll_fd_, wake_read_fd_, wake_write_fd_.load(), spare_fd_}) {
      if (fd >= 0) ::close(fd);
    }
    for (int fd : outbound_) ::close(fd);
  }

  absl::StatusOr<uint16_t> Listen(const std::string& bind, uint16_t port) override {
    if (listen_fd_ >= 0 || epoll_fd_ >= 0) {
      return absl::FailedPreconditionError("Listen() called twice");
    }
    absl::StatusOr<uint16_t> bound = OpenListener(bind, port);
    if (!bound.ok()) return bound.status();
    auto fail = [&](const char* what) {
      const int err = errno;
      ::close(listen_fd_);
      listen_fd_ = -1;
      return absl::UnavailableError(
          absl::StrCat(what, " ", Where(bind, port), ": ", ErrnoText(err)));
    };
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return fail("epoll_create1 failed for");
    if (wake_read_fd_ < 0) {
      errno = EMFILE;
      return fail("no wake pipe for");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerTag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
      return fail("epoll_ctl failed for");
    }
    ev.data.u64 = kWakeTag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_read_fd_, &ev) != 0) {
      return fail("epoll_ctl failed for");
    }
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return bound;
  }

  absl::StatusOr<uint16_t> ChangeListenPort(const std::string& bind, uint16_t port) override {
    if (epoll_fd_ < 0) return absl::FailedPreconditionError("ChangeListenPort() before Listen()");
    if (port == 0) {
      CloseListener();
      return 0;
    }
    const int old_fd = listen_fd_;
    listen_fd_ = -1;
    absl::StatusOr<uint16_t> bound = OpenListener(bind, port);
    if (!bound.ok()) {
      listen_fd_ = old_fd;
      return bound.status();
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerTag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
      const int err = errno;
      ::close(listen_fd_);
      listen_fd_ = old_fd;
      return absl::UnavailableError(
          absl::StrCat("epoll_ctl failed for ", Where(bind, port), ": ", ErrnoText(err)));
    }
    if (old_fd >= 0) {
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, old_fd, nullptr);
      ::close(old_fd);
    }
    return bound;
  }

 private:
  // A listening socket on bind:port in listen_fd_ (not watched yet); the
  // bound port, or an error naming the address.
  absl::StatusOr<uint16_t> OpenListener(const std::string& bind, uint16_t port) {
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    int family = AF_INET;
    {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
      if (inet_pton(AF_INET, bind.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        addr_len = sizeof(*v4);
      } else if (inet_pton(AF_INET6, bind.c_str(), &v6->sin6_addr) == 1) {
        family = AF_INET6;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        addr_len = sizeof(*v6);
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("'", bind, "' is not a numeric IPv4 or IPv6 address"));
      }
    }
    const std::string where = Where(bind, port);
    auto fail = [&](const char* what) {
      const int err = errno;
      if (listen_fd_ >= 0) ::close(listen_fd_);
      listen_fd_ = -1;
      return absl::UnavailableError(absl::StrCat(what, " ", where, ": ", ErrnoText(err)));
    };
    listen_fd_ = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) return fail("cannot create a socket for");
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6) {
      ::setsockopt(listen_fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
      return fail("cannot listen on");
    }
    // Redis's tcp-backlog default.
    if (::listen(listen_fd_, 511) != 0) return fail("cannot listen on");
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof(bound);
    if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_len) != 0) {
      return fail("getsockname failed for");
    }
    return ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                    : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }

 public:
  void CloseListener() override {
    if (listen_fd_ < 0) return;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }

  int Accept(std::string* peer, std::string* local) override {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return -errno;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_storage p{}, l{};
    socklen_t plen = sizeof(p), llen = sizeof(l);
    peer->clear();
    local->clear();
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&p), &plen) == 0) *peer = AddressText(p);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&l), &llen) == 0) *local = AddressText(l);
    return fd;
  }

  int AcceptAndDrop() override {
    if (spare_fd_ < 0) return -1;
    // Accept with the spare descriptor's slot and drop the connection.
    ::close(spare_fd_);
    const int dropped = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (dropped >= 0) ::close(dropped);
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return dropped >= 0 ? 1 : 0;
  }

  bool Watch(int handle, uint32_t events, uint64_t tag) override {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, handle, &ev) == 0;
  }

  void Rewatch(int handle, uint32_t events, uint64_t tag) override {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, handle, &ev);
  }

  int Wait(std::span<Readiness> out, int timeout_ms) override {
    const int max = static_cast<int>(std::min(out.size(), events_.size()));
    const int n = ::epoll_wait(epoll_fd_, events_.data(), max, timeout_ms);
    if (n < 0) return -errno;
    for (int i = 0; i < n; ++i) out[i] = Readiness{events_[i].data.u64, events_[i].events};
    return n;
  }

  ssize_t Recv(int handle, char* buf, size_t len) override {
    ssize_t n;
    do {
      n = ::recv(handle, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
  }

  ssize_t Send(int handle, const char* data, size_t len) override {
    ssize_t n;
    do {
      n = ::send(handle, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
  }

  void Close(int handle) override {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, handle, nullptr);
    ::close(handle);
  }

  // MIGRATE's target connections: anetTcpNonBlockConnect (each address
  // getaddrinfo gives, until one's connect is under way) and aeWait for
  // writable, which gives the socket even when the wait runs out, as
  // connSocketBlockingConnect does.
  int BlockingConnect(const std::string& host, int port, int64_t timeout_ms) override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
    int fd = -1;
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
      fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      const int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) break;
      ::close(fd);
      fd = -1;
    }
    ::freeaddrinfo(found);
    if (fd < 0) return -1;
    PollFor(fd, POLLOUT, timeout_ms);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    outbound_.insert(fd);
    return fd;
  }

  // syncWrite / syncRead: try first, then wait (at least 10 ms, the
  // SYNCIO resolution) until the time from the start runs out.
  int SyncWrite(int conn, std::string_view bytes, int64_t timeout_ms) override {
    return SyncIo(conn, bytes.data(), nullptr, bytes.size(), timeout_ms);
  }
  int SyncRead(int conn, char* buf, size_t len, int64_t timeout_ms) override {
    return SyncIo(conn, nullptr, buf, len, timeout_ms);
  }
  void CloseOutbound(int conn) override {
    if (outbound_.erase(conn) > 0) ::close(conn);
  }

  void Wake() override {
    const int fd = wake_write_fd_.load();
    const char byte = 1;
    // A full pipe already wakes the loop; errno is the interrupted code's.
    const int saved_errno = errno;
    if (fd >= 0) {
      [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
    }
    errno = saved_errno;
  }

  void DrainWake() override {
    char buf[64];
    while (::read(wake_read_fd_, buf, sizeof(buf)) > 0) {
    }
  }

  int64_t WallClockMs() override { return Now(CLOCK_REALTIME); }
  int64_t MonotonicMs() override { return Now(CLOCK_MONOTONIC); }
  void Sleep(int64_t us) override {
    if (us <= 0) return;  // nanosleep refuses a negative time at once
    timespec tv{static_cast<time_t>(us / 1000000), static_cast<long>((us % 1000000) * 1000)};
    nanosleep(&tv, nullptr);  // as Redis: a signal (SIGTERM) ends it early
  }

  int ReadFile(std::string_view name, std::string* out) override {
    const std::string path(name);
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    out->clear();
    char buf[1 << 16];
    while (true) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        close(fd);
        return -err;
      }
      if (n == 0) break;
      out->append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return 0;
  }

  // Every byte to `fd` (a short write or EINTR retried); false on an error.
  static bool WriteAll(int fd, std::string_view bytes) {
    for (size_t at = 0; at < bytes.size();) {
      const ssize_t n = write(fd, bytes.data() + at, bytes.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      at += static_cast<size_t>(n);
    }
    return true;
  }

  bool MakeDir(std::string_view path) override {
    const std::string p(path);
    if (mkdir(p.c_str(), 0755) == 0) return true;
    struct stat st {};
    return errno == EEXIST && stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  bool AppendFile(std::string_view path, std::string_view bytes) override {
    const std::string p(path);
    const int fd = open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    bool ok = WriteAll(fd, bytes);
    if (close(fd) != 0) ok = false;
    return ok;
  }

  bool RemoveFile(std::string_view path) override {
    const std::string p(path);
    return unlink(p.c_str()) == 0 || errno == ENOENT;
  }

  bool WriteFileAtomically(std::string_view name, std::string_view bytes) override {
    const std::string tmp = absl::StrCat("temp-", getpid(), ".rdb");
    const std::string target(name);
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    bool ok = WriteAll(fd, bytes);
    if (ok && fsync(fd) != 0) ok = false;
    if (close(fd) != 0) ok = false;
    if (ok && rename(tmp.c_str(), target.c_str()) != 0) ok = false;
    if (!ok) {
      unlink(tmp.c_str());
      return false;
    }
    // fsyncFileDir: the rename itself made durable.
    if (const int dir = open(".", O_RDONLY | O_CLOEXEC); dir >= 0) {
      fsync(dir);
      close(dir);
    }
    return true;
  }

 private:
  static void PollFor(int fd, short events, int64_t timeout_ms) {
    pollfd p{fd, events, 0};
    ::poll(&p, 1, static_cast<int>(std::clamp<int64_t>(timeout_ms, 0, INT_MAX)));
  }
  // Writes `out` (or reads into `in`, the other one null): len bytes.
  int SyncIo(int fd, const char* out, char* in, size_t len, int64_t timeout_ms) {
    if (outbound_.find(fd) == outbound_.end()) return -EBADF;
    const bool write = out != nullptr;
    const int64_t start = Now(CLOCK_MONOTONIC);
    int64_t remaining = timeout_ms;
    size_t done = 0;
    while (done < len) {
      const ssize_t n = write ? ::send(fd, out + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT)
                              : ::recv(fd, in + done, len - done, MSG_DONTWAIT);
      if (n == 0 && !write) return -ECONNRESET;  // a short read
      if (n < 0 && errno != EAGAIN && errno != EINTR) return -errno;
      if (n > 0) done += static_cast<size_t>(n);
      if (done == len) break;
      PollFor(fd, write ? POLLOUT : POLLIN, std::max<int64_t>(remaining, 10));
      const int64_t elapsed = Now(CLOCK_MONOTONIC) - start;
      if (elapsed >= timeout_ms) return -ETIMEDOUT;
      remaining = timeout_ms - elapsed;
    }
    return 0;
  }

  static int64_t Now(clockid_t clock) {
    timespec ts;
    clock_gettime(clock, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
  }

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_read_fd_ = -1;
  std::atomic<int> wake_write_fd_{-1};
  int spare_fd_ = -1;  // closed to accept-and-drop a connection when out of fds
  std::vector<epoll_event> events_;
  absl::flat_hash_set<int> outbound_;  // MIGRATE's connections
};

}  // namespace

std::unique_ptr<Transport> MakeSocketTransport() { return std::make_unique<SocketTransport>(); }

}  // namespace respfuzz::server
