#include "src/server/server.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"

namespace respfuzz::server {

namespace {

// getcwd, as redis-server's CONFIG GET dir reports it ("" if it fails).
std::string WorkingDirectory() {
  char buf[4096];
  return getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : std::string();
}

constexpr int kMaxEvents = 256;
// Connections accepted per readable event on the listener (Redis's
// MAX_ACCEPTS_PER_CALL).
constexpr int kMaxAcceptsPerCall = 1000;

constexpr std::string_view kMaxClientsError = "-ERR max number of clients reached\r\n";

// Single-writer counters: the loop thread is the only writer, so a plain
// load and store (no locked instruction) is enough for readers elsewhere.
void Add(std::atomic<uint64_t>& a, uint64_t n = 1) {
  a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
void Sub(std::atomic<uint64_t>& a) {
  a.store(a.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

std::string ErrnoText(int err) { return std::strerror(err); }

engine::EngineOptions WallClockEngineOptions(engine::EngineOptions o, Transport& transport) {
  o.start_ms = transport.WallClockMs();
  return o;
}

std::unique_ptr<Transport> OrSockets(std::unique_ptr<Transport> t) {
  return t != nullptr ? std::move(t) : MakeSocketTransport();
}

}  // namespace

struct Server::Client {
  int fd = -1;  // the transport's handle
  int session = -1;
  size_t slot = 0;  // index in clients_
  resp::RequestParser parser;
  std::vector<resp::Request> requests;  // reused across reads
  size_t next_request = 0;              // requests[next_request..] have not run yet
  bool parse_failed = false;            // the read's protocol error, once they have
  std::string out;                      // replies; out[sent..] is still unsent
  size_t sent = 0;
  // Replies after out, in blocks of about options.output_block bytes (a big
  // reply is a block of its own), once out holds that much: appending to a
  // client far behind copies only the new reply, never what it holds.
  std::deque<std::string> blocks;
  size_t block_bytes = 0;          // bytes in blocks
  uint32_t events = 0;             // what the transport watches now
  bool close_after_reply = false;  // QUIT or a protocol error: flush, then close
  bool pending = false;            // in pending_
  bool closed = false;
  bool busy = false;    // read or wrote since the last TrimIdleClients()
  bool queued = false;  // in queued_: requests left for a later turn

  explicit Client(const resp::RequestLimits& limits) : parser(limits) {}
  size_t unsent() const { return out.size() - sent + block_bytes; }
  uint64_t tag() { return reinterpret_cast<uintptr_t>(this); }
};

template <typename Write>
void Server::AppendTo(Client* c, Write&& write) {
  std::string* out = Tail(c);
  const size_t before = out->size();
  write(out);
  if (out != &c->out) c->block_bytes += out->size() - before;
}

Server::Server(ServerOptions options, std::unique_ptr<Transport> transport)
    : options_(std::move(options)),
      transport_(OrSockets(std::move(transport))),
      engine_(WallClockEngineOptions(options_.engine, *transport_)) {
  events_.resize(kMaxEvents);
  engine_.SetBusyHost(this);     // busy scripts: ProcessEventsWhileBlocked
  engine_.SetPersistHost(this);  // SAVE's file, SHUTDOWN
  engine_.SetListenHost(this);   // CONFIG SET port
  engine_.SetNetHost(this);      // MIGRATE's targets
}

std::vector<std::pair<std::string, std::string>> ServerParams(const ServerOptions& options,
                                                              uint16_t port) {
  // The server's own parameters, which CONFIG GET reports next to the
  // engine's (redis-benchmark asks for save and appendonly when it starts;
  // appendonly is the engine's: src/engine/aof.cc).
  return {
      {"bind", options.bind},
      {"databases", absl::StrCat(options.engine.num_dbs)},
      // Persistence (src/engine/persist.cc): the RDB file's name and the
      // working directory it goes to (read each time by redis-server's
      // getcwd; respfuzz never changes directory after its start), both
      // protected configs; save (no save points, as the suite's servers
      // run) is settable.
      {"dbfilename", "dump.rdb"},
      {"dir", WorkingDirectory()},
      {"maxclients", absl::StrCat(options.max_clients)},
      // CONFIG SET port moves the listener (Server::ChangeListenPort).
      {"port", absl::StrCat(port)},
      {"proto-max-bulk-len", absl::StrCat(options.request_limits.max_bulk_len)},
      {"save", ""},
  };
}

Server::~Server() {
  for (auto& c : clients_) {
    if (c->fd >= 0) transport_->Close(c->fd);
  }
}

std::string Server::address() const {
  if (options_.bind.find(':') != std::string::npos) {
    return absl::StrCat("[", options_.bind, "]:", port_);
  }
  return absl::StrCat(options_.bind, ":", port_);
}

engine::ServerInfo ServerInfoFor(const ServerOptions& options, uint16_t port) {
  engine::ServerInfo info;
  if (options.process_info) {
    info = *options.process_info;
  } else {
    struct utsname name;
    if (uname(&name) == 0)
      info.os = absl::StrCat(name.sysname, " ", name.release, " ", name.machine);
    info.process_id = getpid();
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) info.executable.assign(exe, static_cast<size_t>(n));
    info.sample = [] {
      engine::ProcessSample s;
      const struct mallinfo2 mi = mallinfo2();
      s.used_memory = mi.uordblks + mi.hblkhd;  // bytes the allocator handed out
      long pages = 0, resident = 0;
      if (FILE* f = fopen("/proc/self/statm", "r")) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
      }
      s.used_memory_rss = static_cast<uint64_t>(resident) * static_cast<uint64_t>(getpagesize());
      struct rusage ru;
      if (getrusage(RUSAGE_SELF, &ru) == 0) {
        s.cpu_sys = static_cast<double>(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec / 1e6;
        s.cpu_user = static_cast<double>(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec / 1e6;
      }
      return s;
    };
  }
  info.tcp_port = port;
  info.maxclients = options.max_clients;
  return info;
}

absl::Status Server::Listen() {
  if (listening_) return absl::FailedPreconditionError("Listen() called twice");
  absl::StatusOr<uint16_t> port = transport_->Listen(options_.bind, options_.port);
  if (!port.ok()) return port.status();
  listening_ = true;
  port_ = *port;
  engine_.SetServerParams(ServerParams(options_, port_));
  engine_.SetServerInfo(ServerInfoFor(options_, port_));
  return absl::OkStatus();
}

void Server::Stop() { transport_->Wake(); }

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
  s.memory_trims = get(counters_.memory_trims);
  return s;
}

std::vector<Server::ClientInfo> Server::Clients() const {
  std::vector<ClientInfo> out;
  Clients(&out);
  return out;
}

void Server::Clients(std::vector<ClientInfo>* out) const {
  out->clear();
  out->reserve(clients_.size());
  for (const auto& c : clients_) {
    size_t capacity = c->out.capacity();
    for (const std::string& b : c->blocks) capacity += b.capacity();
    out->push_back({c->fd, c->session, c->unsent(), c->events, capacity,
                    c->requests.size() - c->next_request});
  }
}

void Server::UpdateClock() {
  const int64_t now = transport_->WallClockMs();
  if (now > engine_.now_ms()) engine_.AdvanceClock(now - engine_.now_ms());
}

absl::Status Server::Run() {
  if (!listening_) return absl::FailedPreconditionError("Run() before a successful Listen()");
  absl::Status status;
  while (!stopping_ && status.ok()) status = Turn();
  Shutdown();
  return status;
}

absl::Status Server::Turn() {
  if (!listening_) return absl::FailedPreconditionError("Turn() before a successful Listen()");
  if (!started_) {
    started_ = true;
    next_expire_ms_ = transport_->MonotonicMs() + kActiveExpireIntervalMs;
  }
  // Requests left from the last turn: look for readiness without waiting.
  int64_t wait_ms = std::max<int64_t>(0, next_expire_ms_ - transport_->MonotonicMs());
  // A blocked client's timeout fires once the clock is past it: wake up then.
  if (const int64_t t = engine_.NextTimeoutMs(); t >= 0) {
    wait_ms = std::min(wait_ms, std::max<int64_t>(0, t + 1 - transport_->WallClockMs()));
  }
  const int timeout = queued_.empty() ? static_cast<int>(wait_ms) : 0;
  const int n = transport_->Wait(events_, timeout);
  if (n < 0) {
    if (n == -EINTR) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("epoll_wait: ", ErrnoText(-n)));
  }
  UpdateClock();
  RunQueued();
  for (int i = 0; i < n && !shutdown_requested_; ++i) {
    const Readiness& ev = events_[i];
    if (ev.tag == Transport::kListenerTag) {
      Accept();
      continue;
    }
    if (ev.tag == Transport::kWakeTag) {
      transport_->DrainWake();
      stopping_ = true;
      continue;
    }
    auto* c = reinterpret_cast<Client*>(static_cast<uintptr_t>(ev.tag));
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
  transport_->AfterReads();
  // SHUTDOWN ran: nothing more runs or is written (Run() closes everything).
  if (shutdown_requested_) return absl::OkStatus();
  // serverCron, unless DEBUG PAUSE-CRON paused it.
  if (transport_->MonotonicMs() >= next_expire_ms_ && !engine_.cron_paused()) {
    engine_.ActiveExpireCycle();
    engine_.Cron();
    TrimIdleClients();
    TrimFreedMemory();
    next_expire_ms_ = transport_->MonotonicMs() + kActiveExpireIntervalMs;
  }
  // The turn ends (Redis's beforeSleep): BCAST invalidations, and what
  // expiry and eviction sent, join the other clients' output.
  engine_.EndTurn();
  DeliverEngineOutput();
  // One flush per client per iteration, after every read of the iteration
  // (a write per buffer, while the socket takes them whole).
  for (size_t i = 0; i < pending_.size(); ++i) {
    Client* c = pending_[i];
    c->pending = false;
    if (!c->closed) Flush(c);
  }
  pending_.clear();
  graveyard_.clear();
  return absl::OkStatus();
}

void Server::Shutdown() {
  // The listener first, then every client after a last try to send what it
  // is owed.
  transport_->CloseListener();
  while (!clients_.empty()) {
    Client* c = clients_.back().get();
    // After SHUTDOWN nothing more is written: redis-server exits inside the
    // command, its replies not yet sent (to every client) are lost.
    if (!shutdown_requested_) SendPending(c);
    Close(c);
  }
  pending_.clear();
  graveyard_.clear();
}

void Server::Accept() {
  for (int i = 0; i < kMaxAcceptsPerCall; ++i) {
    std::string peer, local;
    const int h = transport_->Accept(&peer, &local);
    if (h >= 0) {
      AcceptOne(h, std::move(peer), std::move(local));
      continue;
    }
    if (h == -EINTR || h == -ECONNABORTED) continue;
    if (h == -EMFILE || h == -ENFILE) {
      // Out of descriptors: accept one and drop it, so the listener does
      // not stay readable forever.
      const int dropped = transport_->AcceptAndDrop();
      if (dropped < 0) return;
      if (dropped > 0) Add(counters_.rejected_connections);
      continue;
    }
    return;  // EAGAIN, or an error that the next event retries
  }
}

void Server::AcceptOne(int handle, std::string peer, std::string local) {
  if (clients_.size() >= static_cast<size_t>(options_.max_clients)) {
    // Counters move before the client can see the effect (tests rely on it).
    Add(counters_.rejected_connections);
    Send(handle, kMaxClientsError.data(), kMaxClientsError.size());
    transport_->Close(handle);
    return;
  }
  auto client = std::make_unique<Client>(options_.request_limits);
  Client* c = client.get();
  c->fd = handle;
  c->events = EPOLLIN;
  if (!transport_->Watch(handle, EPOLLIN, c->tag())) {
    transport_->Close(handle);
    return;
  }
  c->session = engine_.OpenSession();
  if (by_session_.size() <= static_cast<size_t>(c->session)) by_session_.resize(c->session + 1);
  by_session_[c->session] = c;
  // "ip:port" of both ends, as CLIENT KILL ADDR / LADDR compare them.
  engine_.SetAddresses(c->session, std::move(peer), std::move(local), handle);
  c->slot = clients_.size();
  clients_.push_back(std::move(client));
  Add(counters_.connections);
  Add(counters_.open_connections);
}

void Server::OnReadable(Client* c) {
  const ssize_t n = transport_->Recv(c->fd, read_buf_.get(), kReadChunk);
  if (n < 0) {
    if (n == -EAGAIN || n == -EWOULDBLOCK) return;
    Close(c);  // ECONNRESET and the like: nothing can be delivered any more
    return;
  }
  if (n == 0) {
    // The client closed (or half-closed) its side: hand it what it is owed
    // if the socket takes it now, then close.
    SendPending(c);
    Close(c);
    return;
  }
  Add(counters_.reads);
  c->busy = true;
  c->parse_failed =
      !c->parser.Feed(std::string_view(read_buf_.get(), static_cast<size_t>(n)), &c->requests);
  if (RunRequests(c)) AfterRequests(c);
}

void Server::RunQueued() {
  // A client closed meanwhile (CLIENT KILL from another) left queued_ then.
  running_.swap(queued_);
  for (Client* c : running_) {
    c->queued = false;
    if (c->closed) continue;
    c->busy = true;
    if (RunRequests(c)) AfterRequests(c);
  }
  running_.clear();
}

bool Server::RunRequests(Client* c) {
  // The budget counts every byte this run adds to the client's output (its
  // replies, and pushes its own commands send it); it is checked between
  // requests, so one big reply (a GET of a large value) still runs alone.
  // Without it, the requests of one 64 KiB read (thousands of GETs of a
  // 1 MiB value) would all run in one turn, up to the output cap, while
  // every other client waits for that turn to end.
  const size_t start = c->unsent();  // nothing is sent while requests run
  size_t run = 0;
  while (c->next_request < c->requests.size()) {
    if (shutdown_requested_) {  // SHUTDOWN ran: nothing more does
      c->next_request = c->requests.size();
      break;
    }
    if (engine_.session(c->session).blocked()) {
      // A blocking command blocked the client: its further requests wait
      // (DeliverEngineOutput queues it again once it is unblocked).
      Add(counters_.commands, run);
      return true;
    }
    resp::Request& req = c->requests[c->next_request++];
    ++run;
    engine_.SetUnsent(c->session, c->unsent());
    RunOne(c, req.argv);
    if (engine_.session(c->session).postponed) {
      // CLIENT PAUSE postponed the command (nothing of it ran, its
      // arguments are intact): it runs again first once the client is
      // unblocked, then the requests behind it (Redis's pending command).
      --c->next_request;
      --run;
    }
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
    if (c->close_after_reply) {  // QUIT: what follows is never run
      c->next_request = c->requests.size();
      break;
    }
    if (c->unsent() - start >= options_.turn_output_budget &&
        c->next_request < c->requests.size()) {
      // The rest waits for the next turn; the socket is not read meanwhile
      // (Flush leaves EPOLLIN out), so a client holds at most one read's
      // requests.
      Add(counters_.commands, run);
      // Once in queued_ at most: a client already there (queued by an
      // unblock, or read again in the turn that queued it) keeps its place.
      // A second entry would clear the flag while the first stays, and a
      // later Close would then leave a freed client in queued_.
      if (!c->queued) {
        c->queued = true;
        queued_.push_back(c);
      }
      MarkPending(c);
      return true;
    }
  }
  Add(counters_.commands, run);
  c->next_request = 0;
  c->parser.Recycle(&c->requests);  // their argv vectors serve the next requests
  return true;
}

void Server::AfterRequests(Client* c) {
  if (c->queued) return;
  // A blocked client's protocol error waits with the requests before it:
  // Redis parses no further while a client is blocked, so the error comes
  // after the blocking command's answer and the requests behind it
  // (DeliverEngineOutput queues the client again when it is unblocked).
  if (c->parse_failed && !c->close_after_reply && !engine_.session(c->session).blocked()) {
    // Redis: the replies so far, then the error, then close once flushed.
    const resp::RequestError& err = *c->parser.error();
    AppendTo(c, [&](std::string* out) { absl::StrAppend(out, "-ERR ", err.message, "\r\n"); });
    c->close_after_reply = true;
    Add(counters_.protocol_errors);
    if (c->unsent() > options_.max_output_buffer) {
      Add(counters_.output_limit_disconnects);
      Close(c);
      return;
    }
  }
  // Flush also watches for reading again after a wait in queued_.
  if (c->unsent() > 0 || c->close_after_reply || !(c->events & EPOLLIN)) MarkPending(c);
}

void Server::RunOne(Client* c, std::vector<std::string>& argv) {
  switch (FindServerCommand(argv[0])) {
    case ServerCommand::kQuit:
      // CLIENT REPLY OFF / SKIP drop QUIT's +OK too.
      if (engine_.AnswerOutside(c->session)) {
        AppendTo(c, [](std::string* out) { out->append("+OK\r\n"); });
      }
      c->close_after_reply = true;
      // QUIT runs through call(): the other monitors see it.
      engine_.FeedMonitorsQuit(c->session, argv);
      return;
    case ServerCommand::kNone:
      break;
  }
  AppendTo(c, [&](std::string* out) { engine_.ExecuteOwned(c->session, argv, out); });
  if (engine_.session(c->session).close_after_reply) c->close_after_reply = true;
}

void Server::DeliverEngineOutput() {
  for (int s : engine_.TakeKilled()) {
    if (static_cast<size_t>(s) < by_session_.size() && by_session_[s] != nullptr) {
      Close(by_session_[s]);  // its unsent output is dropped
    }
  }
  // Unblocked clients (served, timed out, CLIENT UNBLOCK) run the requests
  // that waited behind their blocking command in the next turn.
  for (int s : engine_.TakeUnblocked()) {
    if (static_cast<size_t>(s) >= by_session_.size() || by_session_[s] == nullptr) continue;
    Client* t = by_session_[s];
    // Nothing left to run, and no protocol error left to answer: it waits
    // for its next read.
    const bool error_due = t->parse_failed && !t->close_after_reply;
    if (t->closed || t->queued || (t->next_request >= t->requests.size() && !error_due)) continue;
    t->queued = true;
    queued_.push_back(t);
  }
  for (int s : engine_.TakeNotified()) {
    if (static_cast<size_t>(s) >= by_session_.size() || by_session_[s] == nullptr) continue;
    Client* t = by_session_[s];
    if (t->closed) continue;
    // A busy script's caller: its reply is being built; its pushes stay in
    // its session's output, ahead of that reply (ProcessEventsWhileBlocked).
    if (engine_.busy() && s == engine_.running_script()->session) continue;
    AppendTo(t, [&](std::string* out) { engine_.AppendOutput(s, out); });
    if (t->unsent() > options_.max_output_buffer) {
      Add(counters_.output_limit_disconnects);
      Close(t);
      continue;
    }
    if (t->unsent() > 0) MarkPending(t);
  }
}

ssize_t Server::Send(int handle, const char* data, size_t len) {
  const ssize_t n = transport_->Send(handle, data, len);
  if (n > 0) Add(counters_.writes);
  return n;
}

void Server::MarkPending(Client* c) {
  if (c->pending) return;
  c->pending = true;
  pending_.push_back(c);
}

void Server::SetEvents(Client* c, uint32_t events) {
  if (c->events == events) return;
  transport_->Rewatch(c->fd, events, c->tag());
  c->events = events;
}

std::string* Server::Tail(Client* c) {
  if (c->blocks.empty()) {
    if (c->out.size() < options_.output_block) return &c->out;
  } else if (c->blocks.back().size() < options_.output_block) {
    return &c->blocks.back();
  }
  return &c->blocks.emplace_back();
}

bool Server::SendPending(Client* c) {
  while (c->unsent() > 0) {
    if (c->sent == c->out.size()) {
      // out is all sent: the next block takes its place.
      c->out.swap(c->blocks.front());
      c->blocks.pop_front();
      c->block_bytes -= c->out.size();
      c->sent = 0;
    }
    const size_t left = c->out.size() - c->sent;
    const ssize_t n = Send(c->fd, c->out.data() + c->sent, left);
    if (n < 0) return n == -EAGAIN || n == -EWOULDBLOCK;
    c->sent += static_cast<size_t>(n);
    c->busy = c->busy || n > 0;
    if (static_cast<size_t>(n) < left) break;  // the socket is full
  }
  return true;
}

void Server::Flush(Client* c) {
  if (!SendPending(c)) {
    Close(c);  // EPIPE, ECONNRESET: the client is gone
    return;
  }
  if (c->unsent() == 0) {
    c->out.clear();
    c->sent = 0;
    if (c->out.capacity() > kMaxOutputCapacity) std::string().swap(c->out);
    // Hand the emptied buffer back to the session, which builds the next
    // reply in it (and swaps it in again): one buffer per client, not two.
    if (engine_.PendingOutput(c->session).empty()) engine_.AppendOutput(c->session, &c->out);
    if (c->close_after_reply) {
      Close(c);
      return;
    }
    SetEvents(c, c->queued ? 0u : uint32_t{EPOLLIN});
    return;
  }
  // The socket is full (a short write): wait for EPOLLOUT. Drop the sent
  // prefix once it is most of the buffer, so a slow reader's buffer is
  // bounded by its unsent bytes.
  if (c->sent >= options_.compact_sent && c->sent >= c->out.size() / 2) {
    c->out.erase(0, c->sent);
    c->sent = 0;
  }
  SetEvents(c, c->close_after_reply || c->queued ? EPOLLOUT : (EPOLLIN | EPOLLOUT));
}

void Server::TrimIdleClients() {
  for (const auto& owned : clients_) {
    Client* c = owned.get();
    if (std::exchange(c->busy, false) || c->unsent() > 0) continue;
    if (c->out.capacity() > options_.idle_output_capacity) std::string().swap(c->out);
    // The session's buffer, when empty: taking it (AppendOutput swaps an
    // empty output with it) leaves the session a fresh one.
    const std::string& pending = engine_.PendingOutput(c->session);
    if (pending.empty() && pending.capacity() > options_.idle_output_capacity) {
      std::string drop;
      engine_.AppendOutput(c->session, &drop);
    }
  }
}

void Server::TrimFreedMemory() {
  const engine::Keyspace& ks = engine_.keyspace();
  size_t keys = 0;
  for (int i = 0; i < ks.num_dbs(); ++i) keys += ks.db(i).dict.size();
  peak_keys_ = std::max(peak_keys_, keys);
  if (peak_keys_ < kTrimMinKeys || keys > peak_keys_ / 2) return;
#if defined(__GLIBC__)
  malloc_trim(0);
  Add(counters_.memory_trims);  // counted only where the heap was handed back
#endif
  peak_keys_ = keys;
}

void Server::Close(Client* c) {
  if (c->closed) return;
  c->closed = true;
  // Requests it had left never run (as bytes a closed socket had not
  // delivered yet).
  if (c->queued) std::erase(queued_, c);
  engine_.CloseSession(c->session);  // a no-op for a session CLIENT KILL closed
  by_session_[c->session] = nullptr;
  Sub(counters_.open_connections);
  transport_->Close(c->fd);
  c->fd = -1;
  // Swap-remove from clients_; free it after the iteration (events and
  // pending_ may still point at it).
  const size_t slot = c->slot;
  std::swap(clients_[slot], clients_.back());
  clients_[slot]->slot = slot;
  graveyard_.push_back(std::move(clients_.back()));
  clients_.pop_back();
}

// --- persistence ------------------------------------------------------------

std::string Server::ChangeListenPort(int port) {
  absl::StatusOr<uint16_t> bound =
      transport_->ChangeListenPort(options_.bind, static_cast<uint16_t>(port));
  if (!bound.ok()) {
    if (options_.on_warning) {
      options_.on_warning(absl::StrCat("CONFIG SET port ", port, ": ", bound.status().message()));
    }
    return "Unable to listen on this port. Check server logs.";
  }
  port_ = *bound;
  engine_.set_tcp_port(port_);
  return "";
}

bool Server::WriteRdb(std::string_view filename, std::string_view rdb) {
  return transport_->WriteFileAtomically(filename, rdb);
}

bool Server::ReadRdb(std::string_view filename, std::string* out) {
  return transport_->ReadFile(filename, out) == 0;
}

bool Server::MakeDir(std::string_view path) { return transport_->MakeDir(path); }

bool Server::AppendFile(std::string_view path, std::string_view bytes) {
  return transport_->AppendFile(path, bytes);
}

bool Server::RemoveFile(std::string_view path) { return transport_->RemoveFile(path); }

absl::Status Server::LoadDataFromDisk() {
  // appendonly yes: the AOF instead of the RDB, as redis-server starts.
  if (options_.appendonly) {
    if (std::string err = engine_.StartFromAof(); !err.empty()) {
      return absl::DataLossError(absl::StrCat("the append-only file: ", err));
    }
    return absl::OkStatus();
  }
  const std::string name(engine_.RdbFileName());
  std::string file;
  const int rc = transport_->ReadFile(name, &file);
  if (rc == -ENOENT) return absl::OkStatus();  // nothing saved yet
  if (rc < 0) return absl::InternalError(absl::StrCat("cannot read ", name, ": ", ErrnoText(-rc)));
  if (absl::Status st = engine_.LoadRdb(file); !st.ok()) {
    return absl::DataLossError(absl::StrCat(name, ": ", st.message()));
  }
  return absl::OkStatus();
}

void Server::RequestShutdown() {
  shutdown_requested_ = true;
  stopping_ = true;
}

// --- busy scripts ---------------------------------------------------------------

int64_t Server::BusyClockMs() { return transport_->BusyClockMs(); }

// Redis's processEventsWhileBlocked, called by the engine from inside a
// script past busy-reply-threshold (src/script/busy_script.cc): one look at
// readiness without waiting, accepts, reads and their commands (the engine
// refuses all but the allow-busy ones with BUSY), then the writes. The
// script's caller is left alone (protectClient): its requests are being
// run, its reply is being built; its readiness waits for the next turn.
// Nothing else of a turn runs: no queued clients, no expiry, no end of turn.
bool Server::ProcessEventsWhileBlocked(int running) {
  Client* const caller =
      static_cast<size_t>(running) < by_session_.size() ? by_session_[running] : nullptr;
  busy_events_.resize(kMaxEvents);
  const int n = transport_->Wait(busy_events_, 0);
  for (int i = 0; i < n && !shutdown_requested_; ++i) {
    const Readiness& ev = busy_events_[i];
    if (ev.tag == Transport::kListenerTag) {
      Accept();
      continue;
    }
    if (ev.tag == Transport::kWakeTag) {
      transport_->DrainWake();
      stopping_ = true;
      continue;
    }
    auto* c = reinterpret_cast<Client*>(static_cast<uintptr_t>(ev.tag));
    if (c->closed || c == caller) continue;
    if (ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
      if (c->events & EPOLLIN) {
        OnReadable(c);
      } else if (!(ev.events & EPOLLOUT)) {
        Close(c);
        continue;
      }
    }
    if (!c->closed && (ev.events & EPOLLOUT)) MarkPending(c);
  }
  DeliverEngineOutput();
  if (shutdown_requested_) return true;  // SHUTDOWN NOSAVE: nothing more is written
  // The writes, for every client but the caller (which stays pending).
  size_t kept = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    Client* c = pending_[i];
    if (c == caller) {
      pending_[kept++] = c;
      continue;
    }
    c->pending = false;
    if (!c->closed) Flush(c);
  }
  pending_.resize(kept);
  return stopping_;
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
  ServerOptions with_log = options;
  if (!with_log.on_warning) {
    with_log.on_warning = [](const std::string& line) {
      std::fprintf(stderr, "respfuzz serve: %s\n", line.c_str());
      std::fflush(stderr);
    };
  }
  Server server(with_log);
  // Signals first: a SIGTERM right after the port is announced must stop the
  // server cleanly, not kill it.
  StopOnSignals signals(&server);
  if (absl::Status st = server.Listen(); !st.ok()) {
    std::fprintf(stderr, "respfuzz: serve: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  if (absl::Status st = server.LoadDataFromDisk(); !st.ok()) {
    std::fprintf(stderr, "respfuzz: serve: %s\n", std::string(st.message()).c_str());
    return 1;
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
