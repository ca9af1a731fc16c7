#include "harnesses/connection/checks.h"

#include <sys/epoll.h>

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/connection/transport_model.h"
#include "src/engine/c_string.h"
#include "src/engine/engine.h"
#include "src/engine/reply.h"
#include "src/resp/request.h"
#include "src/server/server.h"
#include "src/server/server_commands.h"

namespace respfuzz::harnesses {
namespace {

using server::SimTransport;
using Event = SimTransport::Event;

constexpr std::string_view kMaxClientsLine = "-ERR max number of clients reached\r\n";

fuzz::Verdict Fail(std::string check, size_t step, std::string message) {
  return fuzz::Verdict::Fail(std::move(check), static_cast<int64_t>(step), std::move(message));
}

size_t OpenSessions(const engine::Engine& e) {
  size_t n = 0;
  for (size_t s = 0; s < e.session_count(); ++s) n += e.session(static_cast<int>(s)).open ? 1 : 0;
  return n;
}

// The direct engine run: the transport's log replayed on a plain engine, one
// request parser per connection, with the server's connection rules written
// out (QUIT, protocol errors, CLIENT KILL, the output cap, the
// per-turn reply budget, the max-clients line) and no transport in between.
// It replays the log as it grows (Replay after every turn), so the checks
// can compare it with the server turn by turn.
class DirectRun : private engine::ListenHost {
 public:
  struct Conn {
    int session = -1;
    bool open = false;      // has a live engine session
    bool stopped = false;   // QUIT, a protocol error or a self-kill: nothing more runs
    bool cut = false;       // killed or over the cap: the rest of `owed` is dropped
    bool rejected = false;  // max clients
    resp::RequestParser parser;
    std::vector<resp::Request> requests;
    size_t next = 0;            // requests[next..] have not run yet
    bool parse_failed = false;  // the protocol error, due once they have
    bool queued = false;        // past the turn's budget: the rest runs next turn
    std::string owed;           // every byte the server owes the client, in order
    size_t written = 0;
  };

  explicit DirectRun(const server::ServerOptions& options)
      : options_(options), engine_([] {
          engine::EngineOptions o;
          o.start_ms = SimTransport::kStartWallMs;
          return o;
        }()) {
    // The server's parameters, as Server::Listen gives them to its engine.
    engine_.SetServerParams(server::ServerParams(options_, SimTransport::kPort));
    // And what INFO says of the process: the harness's fixed facts, which
    // HarnessServerOptions gives the server too, so INFO's text is the
    // server's to the byte.
    server::ServerOptions expected = options_;
    expected.process_info = HarnessProcessInfo();
    engine_.SetServerInfo(server::ServerInfoFor(expected, SimTransport::kPort));
    engine_.SetListenHost(this);
  }

  // The events of `log` not replayed yet.
  void Replay(const std::vector<Event>& log, size_t conns) {
    while (conns_.size() < conns) conns_.emplace_back();
    for (; replayed_ < log.size(); ++replayed_) {
      const Event& ev = log[replayed_];
      switch (ev.kind) {
        case Event::kTurn:
          if (ev.wall_ms > engine_.now_ms()) engine_.AdvanceClock(ev.wall_ms - engine_.now_ms());
          if (!started_) {
            started_ = true;
            next_expire_ = ev.mono_ms + server::Server::kActiveExpireIntervalMs;
          }
          mono_ = ev.mono_ms;
          RunQueued();
          break;
        case Event::kAccept:
          OnAccept(ev.conn, ev.bytes);
          break;
        case Event::kDrop:
          break;
        case Event::kRecv:
          OnRead(ev.conn, ev.bytes);
          break;
        case Event::kSend:
          conns_[ev.conn].written += ev.size;
          break;
        case Event::kClose:
          if (conns_[ev.conn].open) CloseConn(ev.conn);
          break;
        case Event::kAfterReads:
          if (mono_ >= next_expire_) {
            engine_.ActiveExpireCycle();
            engine_.Cron();
            next_expire_ = mono_ + server::Server::kActiveExpireIntervalMs;
          }
          engine_.EndTurn();
          Deliver();
          break;
      }
    }
  }

  const std::deque<Conn>& conns() const { return conns_; }
  uint64_t commands = 0, protocol_errors = 0, output_limit_disconnects = 0, rejected = 0,
           connections = 0;

 private:
  void OnAccept(int conn, const std::string& addresses) {
    Conn& c = conns_[conn];
    if (open_ >= options_.max_clients) {
      c.rejected = true;
      c.owed = kMaxClientsLine;
      ++rejected;
      return;
    }
    c.session = engine_.OpenSession();
    c.open = true;
    ++open_;
    ++connections;
    if (by_session_.size() <= static_cast<size_t>(c.session)) by_session_.resize(c.session + 1, -1);
    by_session_[c.session] = conn;
    // The server gives the engine the transport's handle as the client's fd
    // (CLIENT INFO and LIST print it); the simulated transport's handle is the
    // connection's index.
    const size_t space = addresses.find(' ');
    engine_.SetAddresses(c.session, addresses.substr(0, space), addresses.substr(space + 1), conn);
  }

  void OnRead(int conn, const std::string& bytes) {
    Conn& c = conns_[conn];
    if (!c.open || c.stopped) return;  // nothing the server reads now may run
    c.parse_failed = !c.parser.Feed(bytes, &c.requests);
    Run(conn);
  }

  // The turn starts with the connections left over budget by the last one,
  // in the order they were left.
  void RunQueued() {
    std::vector<int> running;
    running.swap(queued_);
    for (int conn : running) {
      conns_[conn].queued = false;
      if (conns_[conn].open) Run(conn);
    }
  }

  // The connection's requests in order, until they are done or the replies
  // this run added reach kConnTurnOutputBudget with more to run; then the
  // protocol error if the parse failed.
  void Run(int conn) {
    Conn& c = conns_[conn];
    const size_t start = c.owed.size();
    bool blocked = false;
    while (c.next < c.requests.size()) {
      // A blocking command blocked the client: its further requests wait
      // until it is unblocked (Deliver queues it for the next turn then).
      if (engine_.session(c.session).blocked()) {
        blocked = true;
        break;
      }
      const resp::Request& req = c.requests[c.next++];
      ++commands;
      RunOne(c, req.argv);
      if (engine_.session(c.session).postponed) {
        // CLIENT PAUSE postponed it: it runs again once unblocked (as the
        // server does, src/server/server.cc RunRequests).
        --c.next;
        --commands;
      }
      Deliver();
      if (!c.open) return;
      if (OverCap(c)) {
        CapClose(conn);
        return;
      }
      if (c.stopped) break;
      if (c.owed.size() - start >= kConnTurnOutputBudget && c.next < c.requests.size()) {
        // A connection waits in the queue once: one already there keeps its
        // place.
        if (!c.queued) {
          c.queued = true;
          queued_.push_back(conn);
        }
        return;
      }
    }
    if (!blocked) {
      c.next = 0;
      c.parser.Recycle(&c.requests);
    }
    // A blocked client's protocol error comes once it is unblocked and the
    // requests before the error have run (Redis parses no further while a
    // client is blocked); one in the queue (unblocked this turn, then read)
    // answers it when the queue runs it, as the server does.
    if (c.parse_failed && !c.stopped && !c.queued && !engine_.session(c.session).blocked()) {
      c.owed += absl::StrCat("-ERR ", c.parser.error()->message, "\r\n");
      c.stopped = true;
      ++protocol_errors;
      if (OverCap(c)) CapClose(conn);
    }
  }

  void RunOne(Conn& c, const std::vector<std::string>& argv) {
    const server::ServerCommand sc = server::FindServerCommand(argv[0]);
    if (sc == server::ServerCommand::kQuit) {
      c.owed += "+OK\r\n";
      c.stopped = true;
      return;
    }
    engine_.Execute(c.session, argv, &c.owed);
    if (engine_.session(c.session).close_after_reply) c.stopped = true;
  }

  void Deliver() {
    for (int s : engine_.TakeKilled()) {
      const int conn = ConnOf(s);
      if (conn >= 0) {
        conns_[conn].cut = true;
        CloseConn(conn);
      }
    }
    // Unblocked clients run the requests that waited behind their blocking
    // command in the next turn.
    for (int s : engine_.TakeUnblocked()) {
      const int conn = ConnOf(s);
      if (conn < 0) continue;
      Conn& c = conns_[conn];
      const bool error_due = c.parse_failed && !c.stopped;
      if (c.queued || (c.next >= c.requests.size() && !error_due)) continue;
      c.queued = true;
      queued_.push_back(conn);
    }
    for (int s : engine_.TakeNotified()) {
      const int conn = ConnOf(s);
      if (conn < 0) continue;
      engine_.AppendOutput(s, &conns_[conn].owed);
      if (OverCap(conns_[conn])) CapClose(conn);
    }
  }

  int ConnOf(int session) const {
    if (session < 0 || static_cast<size_t>(session) >= by_session_.size()) return -1;
    const int conn = by_session_[session];
    return conn >= 0 && conns_[conn].open ? conn : -1;
  }

  // (A server that wrote more than the direct run owes fails turn-output
  // and transport-invariance; it is not over the cap here.)
  bool OverCap(const Conn& c) const { return c.owed.size() > c.written + kConnOutputCap; }

  void CapClose(int conn) {
    ++output_limit_disconnects;
    conns_[conn].cut = true;
    CloseConn(conn);
  }

  void CloseConn(int conn) {
    Conn& c = conns_[conn];
    if (c.queued) std::erase(queued_, conn);  // what it had left never runs
    c.queued = false;
    engine_.CloseSession(c.session);
    by_session_[c.session] = -1;
    c.open = false;
    --open_;
  }

  server::ServerOptions options_;
  // CONFIG SET port: the simulated transport has one listener, on
  // SimTransport::kPort, and refuses any other port as the server reports it.
  std::string ChangeListenPort(int) override {
    return "Unable to listen on this port. Check server logs.";
  }

  engine::Engine engine_;
  std::deque<Conn> conns_;  // a deque: Conn (its parser) stays put as it grows
  std::vector<int> by_session_;
  std::vector<int> queued_;  // connections with requests for the next turn
  size_t replayed_ = 0;      // log events replayed so far
  int open_ = 0;
  bool started_ = false;
  int64_t next_expire_ = 0, mono_ = 0;
};

// Something to read (bytes, an end of stream, a reset) on this connection.
bool Readable(const SimTransport::Conn& c) {
  return !c.segments.empty() || c.fin || c.client_closed || c.rst;
}

bool ReadableAndWatched(const SimTransport& sim) {
  for (const SimTransport::Conn& c : sim.conns()) {
    if (c.server_open() && c.watched && (c.watch_events & EPOLLIN) && Readable(c)) return true;
  }
  return false;
}

std::string Snippet(std::string_view s, size_t at) {
  const size_t from = at > 24 ? at - 24 : 0;
  return EscapeBytes(s.substr(from, 64), 96);
}

}  // namespace

fuzz::Verdict CheckDelivered(const engine::Engine& e, size_t step) {
  for (size_t s = 0; s < e.session_count(); ++s) {
    if (!e.session(static_cast<int>(s)).open) continue;
    const std::string& left = e.PendingOutput(static_cast<int>(s));
    if (!left.empty()) {
      return Fail("delivered", step,
                  absl::StrCat("after the turn, session ", s, " still holds ", left.size(),
                               " bytes of engine output the server never took: ",
                               EscapeBytes(left.substr(0, 32), 48)));
    }
  }
  return fuzz::Verdict::Ok();
}

namespace {

// The per-turn checks: closed, sessions, delivered, accounting (open connections),
// output-cap, turn-output (against `direct`, replayed up to this turn),
// starvation.
fuzz::Verdict CheckTurn(const SimTransport& sim, const server::Server& server,
                        const DirectRun& direct, size_t step, std::vector<int>* starved,
                        std::vector<server::Server::ClientInfo>* clients) {
  if (!sim.misuses().empty()) return Fail("closed", step, sim.misuses().front());
  size_t open = 0;
  for (const auto& c : sim.conns()) open += c.server_open() ? 1 : 0;
  const size_t sessions = OpenSessions(server.engine());
  if (sessions != open) {
    return Fail("sessions", step,
                absl::StrCat(sessions, " engine sessions open for ", open, " open connections"));
  }
  if (server.stats().open_connections != open) {
    return Fail("accounting", step,
                absl::StrCat("stats say ", server.stats().open_connections,
                             " open connections, the transport has ", open));
  }
  if (fuzz::Verdict v = CheckDelivered(server.engine(), step); !v.ok) return v;
  server.Clients(clients);
  for (const server::Server::ClientInfo& ci : *clients) {
    if (ci.unsent > kConnOutputCap) {
      return Fail("output-cap", step,
                  absl::StrCat("c", ci.handle, " holds ", ci.unsent,
                               " unsent bytes, over the cap of ", kConnOutputCap));
    }
  }
  for (const server::Server::ClientInfo& ci : *clients) {
    const DirectRun::Conn& d = direct.conns()[ci.handle];
    if (d.written > d.owed.size()) {
      return Fail("turn-output", step,
                  absl::StrCat("c", ci.handle, " took ", d.written,
                               " bytes; the direct run owes it only ", d.owed.size()));
    }
    const size_t held = d.open ? d.owed.size() - d.written : 0;
    if (!d.open || ci.unsent != held) {
      return Fail(
          "turn-output", step,
          absl::StrCat("c", ci.handle, " holds ", ci.unsent,
                       " unsent bytes after this turn; the direct run, which runs a "
                       "client's requests until a turn's replies reach ",
                       kConnTurnOutputBudget, " bytes, ",
                       d.open ? absl::StrCat("holds ", held) : std::string("has closed it")));
    }
  }
  starved->resize(sim.conns().size(), 0);
  for (size_t i = 0; i < sim.conns().size(); ++i) {
    const SimTransport::Conn& c = sim.conns()[i];
    if (c.server_open() && c.watched && (c.watch_events & EPOLLIN) && Readable(c) &&
        sim.reads_this_turn()[i] == 0) {
      if (++(*starved)[i] > kConnMaxStarvedTurns) {
        return Fail("starvation", step,
                    absl::StrCat("c", i, " had bytes to read for ", (*starved)[i],
                                 " turns and was never read"));
      }
    } else {
      (*starved)[i] = 0;
    }
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict CheckEnd(const SimTransport& sim, const server::Server& server, DirectRun& direct,
                       size_t step, std::string* trace) {
  if (!sim.misuses().empty()) return Fail("closed", step, sim.misuses().front());
  for (size_t i = 0; i < sim.conns().size(); ++i) {
    const SimTransport::Conn& c = sim.conns()[i];
    if (c.accepted && c.closes != 1) {
      return Fail("closed", step,
                  absl::StrCat("c", i, " was closed ", c.closes, " times by the end (once)"));
    }
  }
  if (size_t n = OpenSessions(server.engine()); n != 0) {
    return Fail("sessions", step, absl::StrCat(n, " engine sessions still open after shutdown"));
  }
  direct.Replay(sim.log(), sim.conns().size());
  for (size_t i = 0; i < sim.conns().size(); ++i) {
    const SimTransport::Conn& c = sim.conns()[i];
    const DirectRun::Conn& d = direct.conns()[i];
    if (trace != nullptr) {
      *trace += absl::StrCat("conn ", i, ": received ", c.received.size(), " of ", d.owed.size(),
                             " owed bytes: ", EscapeBytes(c.received, 160), "\n");
    }
    const size_t common =
        std::mismatch(c.received.begin(), c.received.end(), d.owed.begin(), d.owed.end()).first -
        c.received.begin();
    if (common < c.received.size()) {
      return Fail("transport-invariance", step,
                  absl::StrCat("conn ", i, " received byte ", common,
                               " unlike the direct engine run: expected ...",
                               Snippet(d.owed, common), " got ...", Snippet(c.received, common)));
    }
    // The max-clients line is one non-blocking write before the close, as
    // Redis does it: a client with a small window gets part of it.
    const bool faulted = c.never_read || c.fin || c.rst || c.client_closed || d.cut || d.rejected;
    if (!faulted && c.received.size() != d.owed.size()) {
      return Fail("transport-invariance", step,
                  absl::StrCat("conn ", i, " received ", c.received.size(), " of the ",
                               d.owed.size(), " bytes the direct engine run owes it; missing ",
                               Snippet(d.owed, c.received.size())));
    }
  }
  uint64_t reads = 0, writes = 0, accepted = 0, drops = 0;
  for (const Event& ev : sim.log()) {
    reads += ev.kind == Event::kRecv;
    writes += ev.kind == Event::kSend;
    accepted += ev.kind == Event::kAccept;
    drops += ev.kind == Event::kDrop;
  }
  const server::ServerStats s = server.stats();
  auto mismatch = [&](std::string_view what, uint64_t stat, uint64_t want) {
    return Fail("accounting", step,
                absl::StrCat("stats ", std::string(what), " = ", stat,
                             ", the transport and the direct run say ", want));
  };
  if (s.open_connections != 0) return mismatch("open_connections", s.open_connections, 0);
  if (s.reads != reads) return mismatch("reads", s.reads, reads);
  if (s.writes != writes) return mismatch("writes", s.writes, writes);
  if (s.connections != direct.connections)
    return mismatch("connections", s.connections, direct.connections);
  if (s.connections + direct.rejected != accepted) {
    return mismatch("connections + max-clients rejections", s.connections + direct.rejected,
                    accepted);
  }
  if (s.rejected_connections != direct.rejected + drops) {
    return mismatch("rejected_connections", s.rejected_connections, direct.rejected + drops);
  }
  if (s.commands != direct.commands) return mismatch("commands", s.commands, direct.commands);
  if (s.protocol_errors != direct.protocol_errors) {
    return mismatch("protocol_errors", s.protocol_errors, direct.protocol_errors);
  }
  if (s.output_limit_disconnects != direct.output_limit_disconnects) {
    return mismatch("output_limit_disconnects", s.output_limit_disconnects,
                    direct.output_limit_disconnects);
  }
  return fuzz::Verdict::Ok();
}

}  // namespace

engine::ServerInfo HarnessProcessInfo() {
  engine::ServerInfo info;
  info.os = "Linux 6.1.0 x86_64";
  info.process_id = 4242;
  info.executable = "/usr/bin/respfuzz";
  info.sample = [] {
    engine::ProcessSample s;
    s.used_memory = 1 << 20;
    s.used_memory_rss = 3 << 20;
    s.cpu_sys = 0.25;
    s.cpu_user = 0.5;
    return s;
  };
  return info;
}

server::ServerOptions HarnessServerOptions(const ConnectionUnderTest& put) {
  server::ServerOptions o;
  o.port = 0;
  o.max_output_buffer = put.server_output_cap;
  o.turn_output_budget = put.server_turn_budget;
  o.output_block = kConnOutputBlock;
  o.compact_sent = kConnCompactSent;
  o.idle_output_capacity = kConnIdleOutputCapacity;
  o.max_clients = kConnServerMaxClients;
  o.process_info = put.server_process_info ? *put.server_process_info : HarnessProcessInfo();
  return o;
}

ConnDriveEnd DriveConnProgram(const ConnProgram& p, SimTransport& sim, const server::Server& server,
                              absl::FunctionRef<bool(size_t step)> turn, std::string* trace,
                              std::vector<int>* op_conns, const ConnectionUnderTest* put) {
  if (op_conns != nullptr) op_conns->assign(p.ops.size(), -1);
  std::vector<int> slot(kConnMaxClients, -1);  // client -> its connection
  auto over = [&](int conn) {
    const SimTransport::Conn& c = sim.conns()[conn];
    return c.client_closed || c.rst || c.dropped || c.closes > 0;
  };
  for (size_t i = 0; i < p.ops.size(); ++i) {
    const ConnOp& op = p.ops[i];
    const int conn = slot[op.client];
    if (trace != nullptr) absl::StrAppend(trace, i, ": ", ConnOpToText(op), "\n");
    switch (op.kind) {
      case ConnOpKind::kConnect:
        if (conn < 0 || over(conn)) {
          slot[op.client] = sim.Connect();
          if (op_conns != nullptr) (*op_conns)[i] = slot[op.client];
        }
        break;
      case ConnOpKind::kAcceptFail:
        sim.FailNextAccept();
        break;
      case ConnOpKind::kTick:
        if (!turn(i)) return ConnDriveEnd::kStopped;
        break;
      case ConnOpKind::kClock:
        sim.AdvanceClock(op.n);
        break;
      default:
        if (conn < 0) break;  // no connection: skipped
        if (op_conns != nullptr) (*op_conns)[i] = conn;
        switch (op.kind) {
          case ConnOpKind::kSend:
            if (put != nullptr && put->client_send) {
              put->client_send(&sim, conn, op.bytes, op.slice);
            } else {
              sim.ClientSend(conn, op.bytes, op.slice);
            }
            break;
          case ConnOpKind::kWindow:
            sim.SetWindow(conn, op.n);
            break;
          case ConnOpKind::kNeverRead:
            sim.NeverRead(conn);
            break;
          case ConnOpKind::kFin:
            sim.Fin(conn);
            break;
          case ConnOpKind::kRst:
            sim.Reset(conn);
            break;
          case ConnOpKind::kClose:
            sim.ClientClose(conn);
            break;
          default:
            break;
        }
    }
  }
  // The clients that still read open their windows; turn until quiet.
  const size_t end = p.ops.size();
  for (size_t c = 0; c < sim.conns().size(); ++c) {
    if (!sim.conns()[c].never_read)
      sim.SetWindow(static_cast<int>(c), SimTransport::kUnlimitedWindow);
  }
  for (int t = 0; t < kConnMaxDrainTurns; ++t) {
    const size_t before = sim.log().size();
    if (!turn(end)) return ConnDriveEnd::kStopped;
    bool quiet = true;
    for (size_t k = before; k < sim.log().size(); ++k) {
      const Event::Kind kind = sim.log()[k].kind;
      if (kind != Event::kTurn && kind != Event::kAfterReads) quiet = false;
    }
    // Requests left for the next turn are work still to do, and so are bytes
    // of a client the server watches again after its requests ran (the
    // turn began without it).
    if (quiet && server.queued_clients() == 0 && !ReadableAndWatched(sim)) {
      return ConnDriveEnd::kQuiet;
    }
  }
  return ConnDriveEnd::kNotQuiet;
}

namespace {

// Verdict::op of a violation at `step`: the kind of that op (the checks run
// at tick ops), the first word of its text after the client ("tick",
// "send"), or "end" for the turns, stop and shutdown after the last op.
std::string OpKindAt(const ConnProgram& p, int64_t step) {
  if (step < 0 || static_cast<size_t>(step) >= p.ops.size()) return "end";
  const std::string full = ConnOpToText(p.ops[step]);
  std::string_view text = full;
  if (text.size() > 1 && text[0] == 'c' && absl::ascii_isdigit(text[1])) {
    text.remove_prefix(text.find(' ') + 1);
  }
  return std::string(text.substr(0, text.find(' ')));
}

ConnRunResult RunConnProgramSteps(const ConnProgram& p, const ConnectionUnderTest& put,
                                  bool trace) {
  ConnRunResult result;
  SimTransport sim;
  const server::ServerOptions options = HarnessServerOptions(put);
  auto observed = std::make_unique<ObservingTransport>(put.transport(&sim));
  const ObservingTransport* seen = observed.get();  // the server owns it
  server::Server server(options, std::move(observed));
  if (absl::Status st = server.Listen(); !st.ok()) {
    result.verdict = Fail("closed", 0, absl::StrCat("Listen failed: ", st.message()));
    return result;
  }
  std::vector<int> starved;
  std::vector<server::Server::ClientInfo> clients;  // CheckTurn's, reused turn after turn
  DirectRun direct(options);
  auto turn = [&](size_t step) -> bool {
    if (absl::Status st = server.Turn(); !st.ok()) {
      result.verdict = Fail("stall", step, absl::StrCat("Turn failed: ", st.message()));
      return false;
    }
    direct.Replay(sim.log(), sim.conns().size());
    result.verdict = CheckTurn(sim, server, direct, step, &starved, &clients);
    return result.verdict.ok;
  };
  const size_t end = p.ops.size();
  std::vector<int> op_conns;
  switch (
      DriveConnProgram(p, sim, server, turn, trace ? &result.trace : nullptr, &op_conns, &put)) {
    case ConnDriveEnd::kStopped:
      return result;
    case ConnDriveEnd::kNotQuiet:
      result.verdict =
          Fail("stall", end,
               absl::StrCat("still reading or writing after ", kConnMaxDrainTurns, " turns"));
      return result;
    case ConnDriveEnd::kQuiet:
      break;
  }
  result.verdict = CheckTransportModel(ClientModel::FromProgram(p, op_conns), *seen, end);
  if (!result.verdict.ok) return result;
  // The loop is quiet: one more turn finds nothing to do and must sleep.
  if (!turn(end)) return result;
  result.verdict = CheckIdleWait(*seen, kConnMaxIdleWaitMs, end);
  if (!result.verdict.ok) return result;
  server.Stop();
  if (!turn(end)) return result;
  if (!server.stopping()) {
    result.verdict = Fail("stall", end, "Stop() did not stop the loop");
    return result;
  }
  server.Shutdown();
  result.verdict = CheckEnd(sim, server, direct, end, trace ? &result.trace : nullptr);
  return result;
}

}  // namespace

ConnRunResult RunConnProgram(const ConnProgram& p, const ConnectionUnderTest& put, bool trace) {
  ConnRunResult result = RunConnProgramSteps(p, put, trace);
  if (!result.verdict.ok) result.verdict.op = OpKindAt(p, result.verdict.step);
  return result;
}

namespace {

fuzz::Verdict RunOnTheRealServer(const ConnProgram& p) { return RunConnProgram(p).verdict; }

std::string ExplainConnProgram(const ConnProgram& p) {
  ConnRunResult r = RunConnProgram(p, {}, /*trace=*/true);
  return r.trace + r.verdict.ToString() + "\n";
}

}  // namespace

std::optional<ConnProgram> MinimizeConnProgram(const ConnProgram& program,
                                               const ConnectionUnderTest& put,
                                               MinimizeReport* report) {
  return MinimizeOps<ConnProgram>(
      program, [&](const ConnProgram& c) { return RunConnProgram(c, put).verdict; }, report);
}

namespace {

// The op-level mutator's view of an op: its client, the bytes and slice of
// a send, the window and clock numbers.
void ConnArgSlots(ConnOp* op, std::vector<ArgSlot>* out) {
  switch (op->kind) {
    case ConnOpKind::kSend:
      out->push_back(ArgSlot::Text(&op->bytes, ValueKind::kBytes, RequestPool(), kConnMaxSendLen));
      out->push_back(ArgSlot::Number(&op->slice, 0, kConnMaxSlice));
      break;
    case ConnOpKind::kWindow:
      out->push_back(ArgSlot::Number(&op->n, 0, kConnMaxWindow));
      break;
    case ConnOpKind::kClock:
      out->push_back(ArgSlot::Number(&op->n, 0, kConnMaxClockStep));
      return;
    case ConnOpKind::kAcceptFail:
    case ConnOpKind::kTick:
      return;
    default:
      break;
  }
  out->push_back(ArgSlot::Number(&op->client, 0, kConnMaxClients - 1));
}

}  // namespace

// decode, encode, print, parse, run, explain, describe, shrink_op, args,
// max_ops (ProgramCodec)
const ProgramCodec<ConnProgram> kConnectionProgram = {
    DecodeConnProgram,  EncodeConnProgram,  ConnProgramToText, ConnProgramFromText,
    RunOnTheRealServer, ExplainConnProgram, nullptr,           nullptr,
    ConnArgSlots,       kConnMaxOps};

RESPFUZZ_REGISTER_PROGRAM_HARNESS(
    connection,
    "a chaos program over up to 8 clients (connect, sliced sends, windows, never-read, "
    "fin, rst, close, accept failures, ticks, the clock) against the serve event loop "
    "(src/server/server.h) on a simulated transport (src/server/sim_transport.h)",
    "each client gets a prefix of what a direct engine run owes it (all of it without a "
    "fault); nothing happens on a closed connection and each is closed once; sessions "
    "close with connections; stats match; no client holds more than the output cap; "
    "after every turn each client is owed what the direct run (with the per-turn reply "
    "budget) owes it; no readable client waits more than 2 turns; the loop goes quiet",
    kConnectionProgram);

}  // namespace respfuzz::harnesses
