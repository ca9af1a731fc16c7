#include "src/server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"

namespace respfuzz::server {

namespace {

// epoll_event.data.u64 for the two non-client descriptors; clients store
// their Client* (never 0 or 1).
constexpr uint64_t kListenerTag = 0;
constexpr uint64_t kWakeTag = 1;
constexpr int kMaxEvents = 256;
// Connections accepted per readable event on the listener (Redis's
// MAX_ACCEPTS_PER_CALL).
constexpr int kMaxAcceptsPerCall = 1000;

constexpr std::string_view kMaxClientsError = "-ERR max number of clients reached\r\n";

int64_t WallClockMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// Single-writer counters: the loop thread is the only writer, so a plain
// load and store (no locked instruction) is enough for readers elsewhere.
void Add(std::atomic<uint64_t>& a, uint64_t n = 1) {
  a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
void Sub(std::atomic<uint64_t>& a) {
  a.store(a.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

std::string ErrnoText(int err) { return std::strerror(err); }

engine::EngineOptions WallClockEngineOptions(engine::EngineOptions o) {
  o.start_ms = WallClockMs();
  return o;
}

}  // namespace

struct Server::Client {
  int fd = -1;
  int session = -1;
  size_t slot = 0;  // index in clients_
  resp::RequestParser parser;
  std::vector<resp::Request> requests;  // reused across reads
  std::string out;                      // replies; out[sent..] is still unsent
  size_t sent = 0;
  uint32_t events = 0;             // what epoll watches now
  bool close_after_reply = false;  // QUIT or a protocol error: flush, then close
  bool pending = false;            // in pending_
  bool closed = false;

  explicit Client(const resp::RequestLimits& limits) : parser(limits) {}
  size_t unsent() const { return out.size() - sent; }
};

Server::Server(ServerOptions options)
    : options_(std::move(options)), engine_(WallClockEngineOptions(options_.engine)) {
  read_buf_.resize(kReadChunk);
  events_.resize(kMaxEvents);
  // The wake pipe exists from the start, so Stop() works before Run().
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) == 0) {
    wake_read_fd_ = pipe_fds[0];
    wake_write_fd_.store(pipe_fds[1]);
  }
}

Server::~Server() {
  for (auto& c : clients_) {
    if (c->fd >= 0) ::close(c->fd);
  }
  for (int fd : {listen_fd_, epoll_fd_, wake_read_fd_, wake_write_fd_.load(), spare_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

std::string Server::address() const {
  if (options_.bind.find(':') != std::string::npos) {
    return absl::StrCat("[", options_.bind, "]:", port_);
  }
  return absl::StrCat(options_.bind, ":", port_);
}

absl::Status Server::Listen() {
  if (listen_fd_ >= 0 || epoll_fd_ >= 0)
    return absl::FailedPreconditionError("Listen() called twice");
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  int family = AF_INET;
  {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (inet_pton(AF_INET, options_.bind.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(options_.port);
      addr_len = sizeof(*v4);
    } else if (inet_pton(AF_INET6, options_.bind.c_str(), &v6->sin6_addr) == 1) {
      family = AF_INET6;
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(options_.port);
      addr_len = sizeof(*v6);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("'", options_.bind, "' is not a numeric IPv4 or IPv6 address"));
    }
  }
  const std::string where = family == AF_INET6
                                ? absl::StrCat("[", options_.bind, "]:", options_.port)
                                : absl::StrCat(options_.bind, ":", options_.port);
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
  if (family == AF_INET6) ::setsockopt(listen_fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
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
  port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                   : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return fail("epoll_create1 failed for");
  if (wake_read_fd_ < 0) {
    errno = EMFILE;
    return fail("no wake pipe for");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0)
    return fail("epoll_ctl failed for");
  ev.data.u64 = kWakeTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_read_fd_, &ev) != 0) {
    return fail("epoll_ctl failed for");
  }
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  config_ = {
      {"appendonly", "no"},
      {"bind", options_.bind},
      {"databases", absl::StrCat(options_.engine.num_dbs)},
      {"maxclients", absl::StrCat(options_.max_clients)},
      {"port", absl::StrCat(port_)},
      {"proto-max-bulk-len", absl::StrCat(options_.request_limits.max_bulk_len)},
      {"save", ""},
      {"tracking-table-max-keys", ""},  // the engine's, read at each CONFIG GET
  };
  return absl::OkStatus();
}

void Server::Stop() {
  const int fd = wake_write_fd_.load();
  const char byte = 1;
  // A full pipe already wakes the loop; errno is the interrupted code's.
  const int saved_errno = errno;
  if (fd >= 0) {
    [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

ServerStats Server::stats() const {
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  ServerStats s;
  s.connections = get(counters_.connections);
  s.open_connections = get(counters_.open_connections);
  s.commands = get(counters_.commands);
  s.protocol_errors = get(counters_.protocol_errors);
  s.output_limit_disconnects = get(counters_.output_limit_disconnects);
  s.rejected_connections = get(counters_.rejected_connections);
  s.reads = get(counters_.reads);
  s.writes = get(counters_.writes);
  return s;
}

void Server::UpdateClock() {
  const int64_t now = WallClockMs();
  if (now > engine_.now_ms()) engine_.AdvanceClock(now - engine_.now_ms());
}

absl::Status Server::Run() {
  if (listen_fd_ < 0) return absl::FailedPreconditionError("Run() before a successful Listen()");
  absl::Status status;
  next_expire_ms_ = MonotonicMs() + kActiveExpireIntervalMs;
  while (!stopping_) {
    const int timeout = static_cast<int>(std::max<int64_t>(0, next_expire_ms_ - MonotonicMs()));
    const int n =
        ::epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()), timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = absl::InternalError(absl::StrCat("epoll_wait: ", ErrnoText(errno)));
      break;
    }
    UpdateClock();
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = events_[i];
      if (ev.data.u64 == kListenerTag) {
        Accept();
        continue;
      }
      if (ev.data.u64 == kWakeTag) {
        char buf[64];
        while (::read(wake_read_fd_, buf, sizeof(buf)) > 0) {
        }
        stopping_ = true;
        continue;
      }
      auto* c = static_cast<Client*>(ev.data.ptr);
      if (c->closed) continue;
      if (ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        if (c->events & EPOLLIN) {
          OnReadable(c);
        } else if (!(ev.events & EPOLLOUT)) {
          Close(c);  // an error while only flushing
          continue;
        }
      }
      if (!c->closed && (ev.events & EPOLLOUT)) MarkPending(c);
    }
    if (MonotonicMs() >= next_expire_ms_) {
      engine_.ActiveExpire();
      engine_.Cron();
      next_expire_ms_ = MonotonicMs() + kActiveExpireIntervalMs;
    }
    // The turn ends (Redis's beforeSleep): BCAST invalidations, and what
    // expiry and eviction sent, join the other clients' output.
    engine_.EndTurn();
    DeliverEngineOutput();
    // One write per client per iteration, after every read of the iteration.
    for (size_t i = 0; i < pending_.size(); ++i) {
      Client* c = pending_[i];
      c->pending = false;
      if (!c->closed) Flush(c);
    }
    pending_.clear();
    graveyard_.clear();
  }
  // Shutdown: the listener first, then every client after a last try to
  // send what it is owed.
  if (listen_fd_ >= 0) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  while (!clients_.empty()) {
    Client* c = clients_.back().get();
    if (c->unsent() > 0) {
      [[maybe_unused]] ssize_t w =
          ::send(c->fd, c->out.data() + c->sent, c->unsent(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    Close(c);
  }
  pending_.clear();
  graveyard_.clear();
  return status;
}

void Server::Accept() {
  for (int i = 0; i < kMaxAcceptsPerCall; ++i) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      AcceptOne(fd);
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
      // Out of descriptors: accept with the spare one and drop the
      // connection, so the listener does not stay readable forever.
      ::close(spare_fd_);
      const int dropped = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (dropped >= 0) {
        ::close(dropped);
        Add(counters_.rejected_connections);
      }
      spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      continue;
    }
    return;  // EAGAIN, or an error that the next event retries
  }
}

void Server::AcceptOne(int fd) {
  if (clients_.size() >= static_cast<size_t>(options_.max_clients)) {
    // Counters move before the client can see the effect (tests rely on it).
    Add(counters_.rejected_connections);
    [[maybe_unused]] ssize_t n =
        ::send(fd, kMaxClientsError.data(), kMaxClientsError.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(fd);
    return;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  auto client = std::make_unique<Client>(options_.request_limits);
  Client* c = client.get();
  c->fd = fd;
  c->events = EPOLLIN;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = c;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    ::close(fd);
    return;
  }
  c->session = engine_.OpenSession();
  if (by_session_.size() <= static_cast<size_t>(c->session)) by_session_.resize(c->session + 1);
  by_session_[c->session] = c;
  {
    // "ip:port" of both ends, as CLIENT KILL ADDR / LADDR compare them.
    auto text = [](const sockaddr_storage& a) -> std::string {
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
    };
    sockaddr_storage peer{}, local{};
    socklen_t plen = sizeof(peer), llen = sizeof(local);
    std::string paddr, laddr;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) == 0) paddr = text(peer);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) == 0) laddr = text(local);
    engine_.SetAddresses(c->session, std::move(paddr), std::move(laddr));
  }
  c->slot = clients_.size();
  clients_.push_back(std::move(client));
  Add(counters_.connections);
  Add(counters_.open_connections);
}

void Server::OnReadable(Client* c) {
  ssize_t n;
  do {
    n = ::recv(c->fd, read_buf_.data(), read_buf_.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    Close(c);  // ECONNRESET and the like: nothing can be delivered any more
    return;
  }
  if (n == 0) {
    // The client closed (or half-closed) its side: hand it what it is owed
    // if the socket takes it now, then close.
    if (c->unsent() > 0) {
      [[maybe_unused]] ssize_t w =
          ::send(c->fd, c->out.data() + c->sent, c->unsent(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    Close(c);
    return;
  }
  Add(counters_.reads);
  const bool ok =
      c->parser.Feed(std::string_view(read_buf_.data(), static_cast<size_t>(n)), &c->requests);
  if (!RunRequests(c)) return;
  if (!ok && !c->close_after_reply) {
    // Redis: the replies so far, then the error, then close once flushed.
    const resp::RequestError& err = *c->parser.error();
    c->out.append("-ERR ");
    c->out.append(err.message);
    c->out.append("\r\n");
    c->close_after_reply = true;
    Add(counters_.protocol_errors);
    if (c->unsent() > options_.max_output_buffer) {
      Add(counters_.output_limit_disconnects);
      Close(c);
      return;
    }
  }
  if (c->unsent() > 0 || c->close_after_reply) MarkPending(c);
}

bool Server::RunRequests(Client* c) {
  size_t run = 0;
  for (resp::Request& req : c->requests) {
    ++run;
    RunOne(c, req.argv);
    DeliverEngineOutput();
    if (c->closed) {
      Add(counters_.commands, run);
      return false;
    }
    if (c->unsent() > options_.max_output_buffer) {
      Add(counters_.commands, run);
      Add(counters_.output_limit_disconnects);
      Close(c);
      return false;
    }
    if (c->close_after_reply) break;  // QUIT: what follows is never run
  }
  Add(counters_.commands, run);
  c->parser.Recycle(&c->requests);  // their argv vectors serve the next requests
  return true;
}

void Server::RunOne(Client* c, const std::vector<std::string>& argv) {
  switch (FindServerCommand(argv[0])) {
    case ServerCommand::kQuit:
      c->out.append("+OK\r\n");
      c->close_after_reply = true;
      return;
    case ServerCommand::kConfig:
      // CONFIG GET outside MULTI is answered here over the server's
      // parameters and the engine's tracking-table-max-keys; CONFIG SET
      // (only tracking-table-max-keys) and CONFIG inside MULTI are the
      // engine's.
      if (!engine_.session(c->session).in_multi &&
          !(argv.size() >= 3 && engine::IEquals(argv[1], "set") &&
            engine::IEquals(argv[2], "tracking-table-max-keys"))) {
        config_.back().value = absl::StrCat(engine_.tracker().table_max_keys());
        engine::ReplyWriter reply(engine_.session(c->session).protocol, &c->out);
        Config(argv, config_, reply);
        return;
      }
      break;
    case ServerCommand::kNone:
      break;
  }
  engine_.Execute(c->session, argv, &c->out);
  if (engine_.session(c->session).close_after_reply) c->close_after_reply = true;
}

void Server::DeliverEngineOutput() {
  for (int s : engine_.TakeKilled()) {
    if (static_cast<size_t>(s) < by_session_.size() && by_session_[s] != nullptr) {
      Close(by_session_[s]);  // its unsent output is dropped
    }
  }
  for (int s : engine_.TakeNotified()) {
    if (static_cast<size_t>(s) >= by_session_.size() || by_session_[s] == nullptr) continue;
    Client* t = by_session_[s];
    if (t->closed) continue;
    engine_.AppendOutput(s, &t->out);
    if (t->unsent() > options_.max_output_buffer) {
      Add(counters_.output_limit_disconnects);
      Close(t);
      continue;
    }
    if (t->unsent() > 0) MarkPending(t);
  }
}

void Server::MarkPending(Client* c) {
  if (c->pending) return;
  c->pending = true;
  pending_.push_back(c);
}

void Server::SetEvents(Client* c, uint32_t events) {
  if (c->events == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = c;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
  c->events = events;
}

void Server::Flush(Client* c) {
  if (c->unsent() > 0) {
    ssize_t n;
    do {
      n = ::send(c->fd, c->out.data() + c->sent, c->unsent(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      Close(c);  // EPIPE, ECONNRESET: the client is gone
      return;
    }
    if (n > 0) {
      Add(counters_.writes);
      c->sent += static_cast<size_t>(n);
    }
  }
  if (c->unsent() == 0) {
    c->out.clear();
    c->sent = 0;
    if (c->out.capacity() > kMaxIdleOutputCapacity) std::string().swap(c->out);
    if (c->close_after_reply) {
      Close(c);
      return;
    }
    SetEvents(c, EPOLLIN);
    return;
  }
  // The socket is full (a short write): wait for EPOLLOUT. Drop the sent
  // prefix once it is most of the buffer, so a slow reader's buffer is
  // bounded by its unsent bytes.
  if (c->sent >= 64 * 1024 && c->sent >= c->out.size() / 2) {
    c->out.erase(0, c->sent);
    c->sent = 0;
  }
  SetEvents(c, c->close_after_reply ? EPOLLOUT : (EPOLLIN | EPOLLOUT));
}

void Server::Close(Client* c) {
  if (c->closed) return;
  c->closed = true;
  engine_.CloseSession(c->session);  // a no-op for a session CLIENT KILL closed
  by_session_[c->session] = nullptr;
  Sub(counters_.open_connections);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  c->fd = -1;
  // Swap-remove from clients_; free it after the iteration (events and
  // pending_ may still point at it).
  const size_t slot = c->slot;
  std::swap(clients_[slot], clients_.back());
  clients_[slot]->slot = slot;
  graveyard_.push_back(std::move(clients_.back()));
  clients_.pop_back();
}

// --- signals and RunServer ---------------------------------------------------

namespace {

std::atomic<Server*> g_signal_server{nullptr};

void OnStopSignal(int) {
  Server* s = g_signal_server.load();
  if (s != nullptr) s->Stop();
}

}  // namespace

StopOnSignals::StopOnSignals(Server* server) {
  g_signal_server.store(server);
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

StopOnSignals::~StopOnSignals() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  g_signal_server.store(nullptr);
}

int RunServer(const ServerOptions& options) {
  Server server(options);
  // Signals first: a SIGTERM right after the port is announced must stop the
  // server cleanly, not kill it.
  StopOnSignals signals(&server);
  if (absl::Status st = server.Listen(); !st.ok()) {
    std::fprintf(stderr, "respfuzz: serve: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  std::fprintf(stderr, "respfuzz serve: listening on %s\n", server.address().c_str());
  std::fflush(stderr);
  if (options.on_listening) options.on_listening(server.port());
  absl::Status st = server.Run();
  const ServerStats s = server.stats();
  std::fprintf(stderr,
               "respfuzz serve: stopped: %llu connections, %llu commands served, %llu protocol "
               "errors, %llu output-limit disconnects, %llu rejected\n",
               static_cast<unsigned long long>(s.connections),
               static_cast<unsigned long long>(s.commands),
               static_cast<unsigned long long>(s.protocol_errors),
               static_cast<unsigned long long>(s.output_limit_disconnects),
               static_cast<unsigned long long>(s.rejected_connections));
  if (!st.ok()) {
    std::fprintf(stderr, "respfuzz: serve: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace respfuzz::server
