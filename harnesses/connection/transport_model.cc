#include "harnesses/connection/transport_model.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "harnesses/common/program_kit.h"

namespace respfuzz::harnesses {

ObservingTransport::Handle* ObservingTransport::At(int h) {
  if (h < 0) return nullptr;
  // Handles are small (connection indexes); a wild one is the inner
  // transport's to report as a misuse, not a reason to allocate.
  if (static_cast<size_t>(h) >= handles_.size()) {
    if (static_cast<size_t>(h) > kConnMaxOps) return nullptr;
    handles_.resize(h + 1);
  }
  return &handles_[h];
}

int ObservingTransport::Accept(std::string* peer, std::string* local) {
  const int h = inner_->Accept(peer, local);
  if (h != -EAGAIN) accept_calls_.push_back({false, h});
  if (h >= 0) At(h);
  return h;
}

int ObservingTransport::AcceptAndDrop() {
  const int r = inner_->AcceptAndDrop();
  accept_calls_.push_back({true, r});
  return r;
}

bool ObservingTransport::Watch(int h, uint32_t events, uint64_t tag) {
  const bool ok = inner_->Watch(h, events, tag);
  if (Handle* s = At(h); s != nullptr && ok) {
    s->watched = true;
    s->watch_events = events;
    s->tag = tag;
  }
  return ok;
}

void ObservingTransport::Rewatch(int h, uint32_t events, uint64_t tag) {
  inner_->Rewatch(h, events, tag);
  if (Handle* s = At(h); s != nullptr) {
    s->watch_events = events;
    s->tag = tag;
  }
}

int ObservingTransport::Wait(std::span<server::Readiness> out, int timeout_ms) {
  last_wait_timeout_ms_ = timeout_ms;
  const int n = inner_->Wait(out, timeout_ms);
  for (int i = 0; i < n; ++i) {
    if (!(out[i].events & EPOLLERR)) continue;
    for (Handle& s : handles_) {
      if (!s.watched || s.closed || s.tag != out[i].tag || s.reset_seen) continue;
      s.reset_seen = true;
      s.reset_watch = s.watch_events;
    }
  }
  return n;
}

void ObservingTransport::AfterReset(Handle* s, int h, const char* call) {
  if (!s->reset_seen || !s->reset_violation.empty()) return;
  ++s->io_after_reset;
  if (!(s->reset_watch & (EPOLLIN | EPOLLOUT))) {
    s->reset_violation =
        absl::StrCat(call, "() on c", h,
                     " after its reset was reported while the server watched it for neither "
                     "reading nor writing (its waiting requests are lost: close it)");
  } else if (s->io_after_reset > 1) {
    s->reset_violation = absl::StrCat(call, "() on c", h, ": call ", s->io_after_reset,
                                      " after its reset was reported (one reads the ECONNRESET)");
  }
}

ssize_t ObservingTransport::Recv(int h, char* buf, size_t len) {
  const ssize_t n = inner_->Recv(h, buf, len);
  if (Handle* s = At(h); s != nullptr) {
    AfterReset(s, h, "Recv");
    if (n > 0) {
      s->read.append(buf, static_cast<size_t>(n));
      s->cut.push_back(s->read.size());
    } else if (n == 0) {
      if (!s->eof) s->eof_at = s->read.size();
      s->eof = true;
      if (s->owed) s->eof_owed = true;
    }
  }
  return n;
}

ssize_t ObservingTransport::Send(int h, const char* data, size_t len) {
  const ssize_t n = inner_->Send(h, data, len);
  if (Handle* s = At(h); s != nullptr) {
    AfterReset(s, h, "Send");
    s->owed = n == -EAGAIN || n == -EWOULDBLOCK || (n >= 0 && static_cast<size_t>(n) < len);
    s->eof_owed = false;
  }
  return n;
}

void ObservingTransport::Close(int h) {
  inner_->Close(h);
  if (Handle* s = At(h); s != nullptr) {
    s->closed = true;
    s->watched = false;
    if (s->eof_owed) s->closed_owing = true;
  }
}

ClientModel ClientModel::FromProgram(const ConnProgram& p, const std::vector<int>& op_conns) {
  ClientModel m;
  for (size_t i = 0; i < p.ops.size() && i < op_conns.size(); ++i) {
    const ConnOp& op = p.ops[i];
    if (op.kind == ConnOpKind::kAcceptFail) ++m.accept_failures;
    const int conn = op_conns[i];
    if (conn < 0) continue;
    if (static_cast<size_t>(conn) >= m.conns.size()) m.conns.resize(conn + 1);
    Conn& c = m.conns[conn];
    const bool over = c.fin || c.rst || c.closed;
    switch (op.kind) {
      case ConnOpKind::kSend: {
        if (over || op.bytes.empty()) break;
        const size_t slice = op.slice == 0 ? op.bytes.size() : op.slice;
        for (size_t at = 0; at < op.bytes.size(); at += slice) {
          c.sent.append(op.bytes, at, std::min(slice, op.bytes.size() - at));
          c.segments.push_back(c.sent.size());
        }
        break;
      }
      case ConnOpKind::kFin:
        c.fin = true;
        break;
      case ConnOpKind::kRst:
        if (!c.closed) c.rst = true;
        break;
      case ConnOpKind::kClose:
        c.closed = true;
        break;
      default:
        break;
    }
  }
  return m;
}

namespace {

fuzz::Verdict Fail(size_t step, std::string message) {
  return fuzz::Verdict::Fail("transport-model", static_cast<int64_t>(step), std::move(message));
}

}  // namespace

fuzz::Verdict CheckTransportModel(const ClientModel& model, const ObservingTransport& seen,
                                  size_t step) {
  // Accept order and the drop after a failed accept.
  size_t next = 0;  // the connection the next accept or drop takes
  size_t failures = 0;
  bool drop_due = false;
  for (const ObservingTransport::AcceptCall& a : seen.accept_calls()) {
    if (a.drop) {
      if (!drop_due) return Fail(step, "AcceptAndDrop() called without a failed accept before it");
      drop_due = false;
      if (a.result == 1) ++next;
      continue;
    }
    if (drop_due) {
      return Fail(step,
                  "Accept() failed with EMFILE/ENFILE and the server did not drop the next "
                  "waiting connection");
    }
    if (a.result == -EMFILE || a.result == -ENFILE) {
      drop_due = true;
      ++failures;
    } else if (a.result >= 0) {
      if (static_cast<size_t>(a.result) != next) {
        return Fail(step, absl::StrCat("Accept() gave c", a.result, "; c", next,
                                       " connected before it and was not accepted yet"));
      }
      ++next;
    }
  }
  if (drop_due) return Fail(step, "the last failed accept was not followed by a drop");
  if (failures != model.accept_failures) {
    return Fail(step, absl::StrCat(failures,
                                   " accepts failed with EMFILE/ENFILE; the program "
                                   "made ",
                                   model.accept_failures, " fail"));
  }
  if (next < model.conns.size()) {
    return Fail(step, absl::StrCat("the loop is quiet and c", next, " (of ", model.conns.size(),
                                   " connections) was never accepted"));
  }
  for (size_t i = 0; i < model.conns.size(); ++i) {
    const ClientModel::Conn& c = model.conns[i];
    if (i >= seen.handles().size()) break;
    const ObservingTransport::Handle& h = seen.handles()[i];
    // Bytes in order, each read inside one segment.
    if (h.read.size() > c.sent.size() || c.sent.compare(0, h.read.size(), h.read) != 0) {
      const size_t at =
          std::mismatch(h.read.begin(), h.read.end(), c.sent.begin(), c.sent.end()).first -
          h.read.begin();
      return Fail(step,
                  absl::StrCat("c", i, " read byte ", at, " unlike what the client sent: ",
                               EscapeBytes(h.read.substr(at, 32), 48), " for ",
                               EscapeBytes(c.sent.substr(std::min(at, c.sent.size()), 32), 48)));
    }
    size_t from = 0, seg = 0;
    for (size_t to : h.cut) {
      while (seg < c.segments.size() && c.segments[seg] <= from) ++seg;
      if (seg < c.segments.size() && to > c.segments[seg]) {
        return Fail(step,
                    absl::StrCat("c", i, " read bytes ", from, "..", to,
                                 " in one read across the end of a segment at ", c.segments[seg]));
      }
      from = to;
    }
    if (!h.reset_violation.empty()) return Fail(step, h.reset_violation);
    if (h.eof && (!(c.fin || c.closed) || h.eof_at != c.sent.size())) {
      return Fail(step, absl::StrCat("c", i, " read the end of its stream after ", h.eof_at,
                                     " of the ", c.sent.size(), " bytes its client sent",
                                     c.fin || c.closed ? "" : ", and the client never closed it"));
    }
    if (h.closed_owing) {
      return Fail(step, absl::StrCat("the server read the end of c", i,
                                     "'s stream while it owed it bytes and closed it without "
                                     "trying to send them"));
    }
    // Close semantics at quiet.
    if (h.closed || !h.watched || !(h.watch_events & EPOLLIN)) continue;
    if (c.rst || c.fin || c.closed) {
      return Fail(step, absl::StrCat("the loop is quiet and the server still holds c", i,
                                     " open for reading after its client ",
                                     c.rst ? "reset" : (c.fin ? "half-closed" : "closed"), " it"));
    }
    if (h.read.size() != c.sent.size()) {
      return Fail(step, absl::StrCat("the loop is quiet and the server read ", h.read.size(),
                                     " of the ", c.sent.size(), " bytes c", i, " sent"));
    }
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict CheckIdleWait(const ObservingTransport& seen, int max_ms, size_t step) {
  const int t = seen.last_wait_timeout_ms();
  if (t >= 1 && t <= max_ms) return fuzz::Verdict::Ok();
  return fuzz::Verdict::Fail(
      "stall", static_cast<int64_t>(step),
      t == 0 ? std::string("the loop is quiet, yet the server's Wait() did not sleep (timeout 0 "
                           "with nothing queued, readable or due: a busy loop)")
             : absl::StrCat("the loop is quiet and the server's Wait() timeout is ", t,
                            " ms: an idle server sleeps 1..", max_ms,
                            " ms (it wakes for its cron at least that often)"));
}

}  // namespace respfuzz::harnesses
