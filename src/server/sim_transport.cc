#include "src/server/sim_transport.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"

namespace respfuzz::server {

std::string SimTransport::PeerAddress(int conn) {
  return absl::StrCat("10.0.0.", conn % 250 + 1, ":", 40000 + conn);
}

std::string SimTransport::LocalAddress() { return absl::StrCat("127.0.0.1:", kPort); }

void SimTransport::Log(Event::Kind kind, int conn, std::string bytes, size_t size) {
  // Room for a short program's events at once (growing one by one moved
  // every event's string at each doubling: 4% of a program's instructions).
  if (log_.capacity() == 0) log_.reserve(kLogReserved);
  Event& e = log_.emplace_back();
  e.kind = kind;
  e.conn = conn;
  e.bytes = std::move(bytes);
  e.size = size;
  e.wall_ms = WallClockMs();
  e.mono_ms = MonotonicMs();
}

int SimTransport::Connect() {
  // Room up front: a Conn that moves as the vector grows allocates (its deque).
  if (conns_.empty()) conns_.reserve(kConnsReserved);
  conns_.emplace_back();
  reads_this_turn_.push_back(0);
  const int id = static_cast<int>(conns_.size()) - 1;
  accept_queue_.push_back(id);
  return id;
}

void SimTransport::ClientSend(int conn, std::string_view bytes, size_t slice) {
  Conn& c = conns_[conn];
  if (c.fin || c.rst || c.client_closed || c.dropped || bytes.empty()) return;
  if (slice == 0) slice = bytes.size();
  for (size_t at = 0; at < bytes.size(); at += slice) {
    c.segments.emplace_back(bytes.substr(at, slice));
  }
}

void SimTransport::SetWindow(int conn, size_t bytes) {
  Conn& c = conns_[conn];
  if (!c.never_read) c.window = bytes;
}

void SimTransport::NeverRead(int conn) {
  conns_[conn].never_read = true;
  conns_[conn].window = 0;
}

void SimTransport::Fin(int conn) { conns_[conn].fin = true; }

void SimTransport::Reset(int conn) {
  Conn& c = conns_[conn];
  if (c.client_closed) return;
  c.rst = true;
  c.segments.clear();  // a reset discards what the server has not read
}

void SimTransport::ClientClose(int conn) {
  Conn& c = conns_[conn];
  c.client_closed = true;
  c.window = 0;
}

absl::StatusOr<uint16_t> SimTransport::Listen(const std::string&, uint16_t) {
  if (listening_) return absl::FailedPreconditionError("Listen() called twice");
  listening_ = true;
  return kPort;
}

absl::StatusOr<uint16_t> SimTransport::ChangeListenPort(const std::string& bind, uint16_t port) {
  if (port == kPort && listening_) return kPort;
  return absl::UnavailableError(absl::StrCat("cannot listen on ", bind, ":", port,
                                             ": the simulated transport listens on port ", kPort,
                                             " only"));
}

int SimTransport::Accept(std::string* peer, std::string* local) {
  if (!listening_) return -EINVAL;
  if (accept_failures_ > 0) {
    --accept_failures_;
    return -EMFILE;
  }
  if (accept_queue_.empty()) return -EAGAIN;
  const int id = accept_queue_.front();
  accept_queue_.pop_front();
  Conn& c = conns_[id];
  c.waiting = false;
  c.accepted = true;
  *peer = PeerAddress(id);
  *local = LocalAddress();
  Log(Event::kAccept, id, absl::StrCat(*peer, " ", *local));
  return id;
}

int SimTransport::AcceptAndDrop() {
  if (accept_queue_.empty()) return 0;
  const int id = accept_queue_.front();
  accept_queue_.pop_front();
  conns_[id].waiting = false;
  conns_[id].dropped = true;
  Log(Event::kDrop, id);
  return 1;
}

SimTransport::Conn* SimTransport::Known(int handle, const char* call) {
  if (handle < 0 || static_cast<size_t>(handle) >= conns_.size() || !conns_[handle].accepted) {
    misuses_.push_back(absl::StrCat(call, " on handle ", handle, ", never accepted"));
    return nullptr;
  }
  Conn& c = conns_[handle];
  if (c.closes > 0) {
    misuses_.push_back(absl::StrCat(call, " on c", handle, " after it was closed"));
    return nullptr;
  }
  return &c;
}

bool SimTransport::Watch(int handle, uint32_t events, uint64_t tag) {
  Conn* c = Known(handle, "Watch");
  if (c == nullptr) return false;
  if (c->watched) misuses_.push_back(absl::StrCat("Watch on c", handle, " twice"));
  c->watched = true;
  c->watch_events = events;
  c->tag = tag;
  return true;
}

void SimTransport::Rewatch(int handle, uint32_t events, uint64_t tag) {
  Conn* c = Known(handle, "Rewatch");
  if (c == nullptr) return;
  if (!c->watched) misuses_.push_back(absl::StrCat("Rewatch on unwatched c", handle));
  c->watch_events = events;
  c->tag = tag;
}

int SimTransport::Wait(std::span<Readiness> out, int timeout_ms) {
  ++turns_;
  last_wait_timeout_ms_ = timeout_ms;
  std::fill(reads_this_turn_.begin(), reads_this_turn_.end(), 0);
  Log(Event::kTurn, -1);
  size_t n = 0;
  auto report = [&](uint64_t tag, uint32_t events) {
    if (n < out.size()) out[n++] = Readiness{tag, events};
  };
  if (wake_) report(kWakeTag, EPOLLIN);
  if (listening_ && (!accept_queue_.empty() || accept_failures_ > 0)) {
    report(kListenerTag, EPOLLIN);
  }
  for (Conn& c : conns_) {
    if (!c.server_open() || !c.watched) continue;
    uint32_t ready = 0;
    const bool eof = c.fin || c.client_closed;
    if (c.rst) {
      ready = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP;
    } else {
      if (!c.segments.empty() || eof) ready |= EPOLLIN;
      if (c.window > 0 || c.client_closed) ready |= EPOLLOUT;
      if (c.client_closed) ready |= EPOLLHUP;
    }
    ready &= c.watch_events | EPOLLERR | EPOLLHUP;
    if (ready != 0) report(c.tag, ready);
  }
  return static_cast<int>(n);
}

ssize_t SimTransport::Recv(int handle, char* buf, size_t len) {
  Conn* c = Known(handle, "Recv");
  if (c == nullptr) return -EBADF;
  ++reads_this_turn_[handle];
  if (c->rst) {
    if (c->reset_reported) return -EPIPE;
    c->reset_reported = true;
    return -ECONNRESET;
  }
  if (c->segments.empty()) return (c->fin || c->client_closed) ? 0 : -EAGAIN;
  if (len == 0) return 0;
  std::string& seg = c->segments.front();
  const size_t n = std::min(len, seg.size());
  std::copy(seg.data(), seg.data() + n, buf);
  Log(Event::kRecv, handle, seg.substr(0, n));
  if (n == seg.size()) {
    c->segments.pop_front();
  } else {
    seg.erase(0, n);
  }
  return static_cast<ssize_t>(n);
}

ssize_t SimTransport::Send(int handle, const char* data, size_t len) {
  Conn* c = Known(handle, "Send");
  if (c == nullptr) return -EBADF;
  if (c->rst) {
    if (c->reset_reported) return -EPIPE;
    c->reset_reported = true;
    return -ECONNRESET;
  }
  if (c->client_closed) return -EPIPE;
  if (c->window == 0) return -EAGAIN;
  const size_t n = std::min(len, c->window);
  if (n == 0) return 0;
  c->received.append(data, n);
  if (c->window != kUnlimitedWindow) c->window -= n;
  Log(Event::kSend, handle, "", n);
  return static_cast<ssize_t>(n);
}

void SimTransport::Close(int handle) {
  if (handle < 0 || static_cast<size_t>(handle) >= conns_.size() || !conns_[handle].accepted) {
    misuses_.push_back(absl::StrCat("Close on handle ", handle, ", never accepted"));
    return;
  }
  Conn& c = conns_[handle];
  ++c.closes;
  if (c.closes > 1) {
    misuses_.push_back(absl::StrCat("Close on c", handle, " again (", c.closes, " closes)"));
    return;
  }
  c.watched = false;
  Log(Event::kClose, handle);
}

void SimTransport::AfterReads() { Log(Event::kAfterReads, -1); }

}  // namespace respfuzz::server
