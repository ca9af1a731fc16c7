// The runner: the transport, delivery, the oracle feed and the test hooks
// (runner.h). Its checks are in checks.cc.
#include "harnesses/invalidation/runner.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/scratch.h"
#include "src/engine/command.h"

namespace respfuzz::harnesses::invalidation {

namespace {

engine::EngineOptions EngineOptionsOf(const RunOptions& o) {
  engine::EngineOptions eo;
  eo.start_ms = o.start_ms;
  eo.max_string_len = o.max_string_len;
  // The admin's DEBUG RELOAD (`debug-reload`); every session is local.
  eo.enable_debug_command = engine::EngineOptions::ProtectedAction::kLocal;
  return eo;
}

models::TrackingOptions TrackingOptionsOf(const RunOptions& o) {
  models::TrackingOptions to;
  to.slots = kSlots;
  to.start_ms = o.start_ms;
  to.max_string_len = o.max_string_len;
  to.debug_command = true;
  return to;
}

}  // namespace

void RunnerScratch::Release() {
  frames_parser->Start(resp::Protocol::kResp3, resp::ReaderLimits{});
  frames.values.Reset();
  frames.error = {};
  frame_ends.Reset();
  for (std::string& t : taken) t.clear();
  expected.clear();
  ends.clear();
  in_use = false;
}

Runner::Runner(const Program& program, const RunOptions& options)
    : program_(program),
      options_(options),
      checks_(options.checks),
      eng_(EngineOptionsOf(options)),
      sc_(*TakeScratch(&own_scratch_)) {
  eng_.tracker().bugs_for_test() = options.tracker_bugs;
  eng_.bugs_for_test() = options.engine_bugs;
  if (checks_ || options_.observer != nullptr) {
    eng_.AddKeyEventListener([this](const engine::KeyEvent& ev) {
      if (ev.kind == engine::KeyEventKind::kWritten || ev.kind == engine::KeyEventKind::kDeleted ||
          ev.kind == engine::KeyEventKind::kExpired) {
        turn_keys_.insert(std::string(ev.key));
      }
      if (ev.kind == engine::KeyEventKind::kExpired && options_.observer != nullptr) {
        action_.expired.emplace_back(ev.db, std::string(ev.key));
      }
    });
  }
  if (!checks_) return;
  eng_.tracker().set_record_noloop_unsent(true);
  ref_.emplace(TrackingOptionsOf(options));
  scratch_.emplace(EngineOptionsOf(options));
  scratch2_ = scratch_->OpenSession();
  scratch3_ = scratch_->OpenSession();
  std::string ignored;
  scratch_->Execute(scratch3_, std::vector<std::string>{"HELLO", "3"}, &ignored);
}

Runner::~Runner() { sc_.Release(); }

RunResult Runner::Run() {
  // The admin connection first, then each client's, in order.
  Open(kAdminSlot);
  RunCommand(kAdminSlot, {"HELLO", "3"});
  for (size_t i = 0; i < program_.clients.size(); ++i) {
    clients_[i].spec = program_.clients[i];
    clients_[i].cache = std::make_unique<cache::ClientCache>(OptionsOf(program_.clients[i]));
    ConnectClient(static_cast<int>(i));
  }
  if (!failed_) OpenRaws();
  if (!failed_) AfterOp();
  for (size_t i = 0; i < program_.ops.size() && !failed_; ++i) {
    op_ = i;
    result_.ops_run = i + 1;
    note_.clear();
    RunOp(program_.ops[i]);
    if (!failed_) AfterOp();
    if (options_.trace) {
      result_.trace.push_back(absl::StrCat("#", i, "  ", OpToText(program_.ops[i]),
                                           note_.empty() ? "" : "\n      ", note_));
    }
  }
  if (!failed_ && checks_) {
    // Everything once more after the last op, whatever it touched.
    engine_touched_ = true;
    cache_touched_.fill(true);
    ValidateTouched();
    // The server's whole keyspace against the reference model's, as DEBUG
    // DIGEST digests each (a value no client read back is compared too).
    if (!failed_ && ref_) {
      const std::string mine = engine::DatasetDigestHex(eng_.keyspace());
      const std::string want = ref_->commands().DatasetDigest();
      if (mine != want) {
        Fail("state", "after the last op the keyspaces differ (DEBUG DIGEST): engine " + mine +
                          ", reference " + want);
        result_.verdict.op = "end";
      }
    }
  }
  for (size_t i = 0; i < program_.clients.size(); ++i) {
    result_.stats.evictions += clients_[i].cache->stats().evictions;
  }
  return std::move(result_);
}

cache::CacheOptions Runner::OptionsOf(const ClientSpec& spec) const {
  cache::CacheOptions co = CacheOptionsOf(spec);
  co.bugs = options_.cache_bugs;
  return co;
}

void Runner::Open(int slot) {
  engine_touched_ = true;
  Conn& c = conns_[slot];
  c.down.clear();
  c.written = c.delivered = c.written_at_swap = 0;
  c.invalidations.clear();
  c.lost.clear();
  c.parser.Reset();
  queued_[slot].clear();
  c.open = true;
  c.session = eng_.OpenSession();
  if (ref_) ref_->Connect(slot);
  if (options_.observer != nullptr) {
    ServerAction a;
    a.kind = ServerAction::Kind::kOpen;
    a.slot = slot;
    a.client_id = eng_.session(c.session).id;
    BeginAction(std::move(a));
    EndAction();
  }
}

bool Runner::BeginAction(ServerAction a) {
  if (options_.observer == nullptr) return false;
  a.op = op_;
  action_ = std::move(a);
  observed_.fill(std::string());
  evicted_before_ = eng_.tracker().evicted_keys();
  const std::optional<int64_t> t = options_.observer->Before(action_, eng_);
  if (!t) return false;
  if (*t > eng_.now_ms()) {
    const int64_t d = *t - eng_.now_ms();
    eng_.AdvanceClock(d);
    if (ref_) ref_->AdvanceClock(d);
  }
  return true;
}

void Runner::EndAction() {
  if (options_.observer == nullptr) return;
  action_.evicted = eng_.tracker().evicted_keys() != evicted_before_;
  options_.observer->After(action_, eng_, observed_);
}

void Runner::EndTurnIfPerCommand() {
  if (!options_.turn_per_command) return;
  eng_.EndTurn();
  if (ref_) ref_->EndOfTurn();
}

void Runner::CloseServerSide(int slot) {
  Conn& c = conns_[slot];
  if (!c.open) return;
  engine_touched_ = true;
  eng_.CloseSession(c.session);
  if (ref_) ref_->Close(slot);
  c.open = false;
  c.down.clear();
  c.delivered = c.written;
  c.lost.insert(c.lost.end(), c.invalidations.begin(), c.invalidations.end());
  c.invalidations.clear();
}

void Runner::ConnectClient(int i) {
  Client& cl = clients_[i];
  for (int conn = 0; conn < cl.cache->connections(); ++conn) Open(2 * i + conn);
  cache_touched_[i] = true;
  cl.cache->Connect();
  cl.failed = false;
  cl.failure = absl::OkStatus();
  cl.killed_unseen = {};
  cl.db = 0;
  cl.submit_db = 0;
  cl.in_multi = false;
  cl.swap_exempt = false;
  cl.noloop_missed.clear();
  cl.clears = cl.cache->stats().clears;
}

void Runner::RunCommand(int slot, const std::vector<std::string>& argv) {
  ++result_.stats.commands;
  const std::string name = argv.empty() ? "" : absl::AsciiStrToUpper(argv[0]);
  const bool queueing = eng_.session(conns_[slot].session).in_multi;
  if (options_.observer != nullptr) {
    ServerAction a;
    a.kind = ServerAction::Kind::kCommand;
    a.slot = slot;
    a.argv = argv;
    if (name == "EXEC") a.exec_queue = queued_[slot];
    BeginAction(std::move(a));
  }
  eng_.Run(conns_[slot].session, argv);
  if (ref_) ref_->Execute(slot, argv);
  EndTurnIfPerCommand();
  // What each element of an EXEC reply answers, for the order-blind
  // comparison of unordered replies.
  std::vector<std::vector<std::string>>& queued = queued_[slot];
  exec_queue_.clear();
  if (name == "EXEC") {
    exec_queue_.swap(queued);
  } else if (name == "DISCARD") {
    queued.clear();
  } else if (queueing && name != "MULTI" && name != "WATCH" && queued.size() < kMaxOps) {
    queued.push_back(argv);
  }
  running_slot_ = slot;
  running_argv_ = &argv;
  // SWAPDB sends no invalidation (staleness rule (e)): when it runs, alone
  // or in the transaction EXEC runs (not when MULTI queues it).
  bool swaps = name == "SWAPDB" && !queueing;
  for (const std::vector<std::string>& q : exec_queue_) {
    swaps = swaps || (!q.empty() && absl::AsciiStrToUpper(q[0]) == "SWAPDB");
  }
  if (swaps) {
    for (Client& cl : clients_) cl.swap_exempt = true;
    for (Conn& c : conns_) c.written_at_swap = c.written;
  }
  if (slot < kAdminSlot && slot % 2 == 0 && conns_[slot].open) {
    clients_[slot / 2].db = eng_.session(conns_[slot].session).db;
  }
  Collect();
  EndAction();
  running_slot_ = -1;
  running_argv_ = nullptr;
}

void Runner::Collect() {
  engine_touched_ = true;
  eng_.TakeNotified();
  for (auto& [id, key] : eng_.tracker().TakeNoloopUnsent()) {
    for (size_t i = 0; i < program_.clients.size(); ++i) {
      const Conn& data = conns_[2 * i];
      if (data.open && eng_.session(data.session).id == id) {
        clients_[i].noloop_missed.insert(std::move(key));
        break;
      }
    }
  }
  for (int killed : eng_.TakeKilled()) {
    // CLIENT KILL is not in the op tables; should one arrive, it closes the
    // slot as kill does on the engine side only, and the comparison will
    // say so.
    for (int s = 0; s < kSlots; ++s) {
      if (conns_[s].open && conns_[s].session == killed) conns_[s].open = false;
    }
  }
  if (comparing_ && ref_ && ref_->unmodelled()) {
    comparing_ = false;
    result_.stats.unmodelled_at = static_cast<int64_t>(op_);
  }
  // Every connection's bytes first, so the observer sees all of them even
  // when a check below stops the program. A connection to which neither the
  // engine nor the reference wrote anything has nothing to check.
  std::array<std::string, kSlots>& taken = sc_.taken;
  std::array<bool, kSlots> quiet{};
  for (int s = 0; s < kSlots; ++s) {
    taken[s].clear();
    if (!conns_[s].open) continue;
    quiet[s] = eng_.PendingOutput(conns_[s].session).empty() &&
               (!ref_ || ref_->frames(s).empty()) && !options_.corrupt_server_output;
    if (quiet[s]) continue;
    eng_.AppendOutput(conns_[s].session, &taken[s]);
    if (options_.corrupt_server_output) options_.corrupt_server_output(op_, s, &taken[s]);
    if (options_.observer != nullptr) observed_[s] += taken[s];
  }
  for (int s = 0; s < kSlots && !failed_; ++s) {
    Conn& c = conns_[s];
    if (!c.open || quiet[s]) continue;
    const std::string& bytes = taken[s];
    if (checks_ && !CheckChunk(s, bytes)) return;
    if (bytes.empty()) continue;
    if (s >= kAdminSlot) continue;  // nobody reads the admin's or a raw connection's bytes
    c.written += bytes.size();
    c.down += bytes;
  }
}

std::string Runner::SlotName(int s) const {
  if (s == kAdminSlot) return "admin";
  if (s >= kRawSlot) return absl::StrCat("r", s - kRawSlot + 1);
  return absl::StrCat("c", s / 2 + 1, s % 2 == 0 ? " data" : " redirect");
}

bool Runner::SendClient(int i) {
  Client& cl = clients_[i];
  bool moved = false;
  for (int conn = 0; conn < 2 && !failed_; ++conn) {
    if (!cl.cache->HasOutput(conn)) continue;
    cache_touched_[i] = true;
    const std::string bytes = cl.cache->TakeOutput(conn);
    moved = true;
    Conn& c = conns_[2 * i + conn];
    if (!c.open) continue;  // written to a closed connection: gone
    if (!c.parser.Feed(bytes, &c.requests)) {
      if (!checks_) continue;
      Fail("client", "the cache wrote bytes the server cannot parse: " + EscapeBytes(bytes));
      return moved;
    }
    for (const resp::Request& r : c.requests) {
      if (!c.open || failed_) break;
      RunCommand(2 * i + conn, r.argv);
    }
    c.parser.Recycle(&c.requests);  // their argv vectors serve the next requests
  }
  return moved;
}

bool Runner::Deliver(int i, int conn, size_t n) {
  Client& cl = clients_[i];
  if (conn >= cl.cache->connections()) return false;
  Conn& c = conns_[2 * i + conn];
  if (c.down.empty()) {
    if (!c.open && cl.killed_unseen[conn]) {
      cache_touched_[i] = true;
      if (cl.cache->state() != cache::State::kDisconnected) {
        cl.failed = true;
        cl.failure = absl::OkStatus();
      }
      cl.cache->OnEof(conn);
      cl.killed_unseen[conn] = false;
      c.lost.clear();
      if (cl.cache->state() == cache::State::kDisconnected) {
        // Everything went: the other connection's loss no longer matters.
        cl.killed_unseen = {};
        conns_[2 * i + (1 - conn)].lost.clear();
      }
      return true;
    }
    return false;
  }
  const size_t m = std::min(n, c.down.size());
  const std::string piece = c.down.substr(0, m);
  c.down.erase(0, m);
  c.delivered += m;
  while (!c.invalidations.empty() && c.invalidations.front().end <= c.delivered) {
    const InFlightInvalidation& inv = c.invalidations.front();
    cl.retention.Delivered(inv);
    if (inv.flush) cl.noloop_missed.clear();
    for (const std::string& k : inv.keys) cl.noloop_missed.erase(k);
    c.invalidations.erase(c.invalidations.begin());
  }
  // A client that has disconnected (EOF or an error on one connection) reads
  // nothing more until it reconnects: the bytes are dropped.
  if (cl.cache->state() == cache::State::kDisconnected) return true;
  cache_touched_[i] = true;
  const uint64_t clears_before = cl.cache->stats().clears;
  const absl::Status st = cl.cache->OnBytes(conn, piece);
  if (cl.cache->stats().clears != clears_before) {
    // The piece made the cache clear. Entries it kept or took after the
    // clear are fresh of every SWAPDB that ran before the piece's first
    // byte was written, not of one that ran later (its bytes were still
    // on their way): then the exemption stays.
    cl.clears = cl.cache->stats().clears;
    if (c.written_at_swap <= c.delivered - m) cl.swap_exempt = false;
    cl.noloop_missed.clear();
  }
  if (!checks_) return true;
  if (!st.ok()) {
    cl.failed = true;
    cl.failure = st;
  }
  // The server refuses CLIENT TRACKING on REDIRECT id once that connection
  // is gone (killed while the handshake ran): the cache gives up, as it
  // must; not a failure of the cache.
  const bool redirect_gone = conn == cache::kDataConn && !conns_[2 * i + 1].open &&
                             absl::IsFailedPrecondition(st) &&
                             absl::StrContains(st.message(), "CLIENT TRACKING refused");
  if (redirect_gone && options_.trace) note_ = "handshake refused: " + std::string(st.message());
  if (!st.ok() && !redirect_gone) {
    Fail("client", absl::StrCat("c", i + 1, " refused the server's bytes on its ",
                                conn == 0 ? "data" : "redirect", " connection: ", st.ToString(),
                                "\nbytes: ", EscapeBytes(piece, 1000)));
  }
  return true;
}

void Runner::DeliverAll() {
  for (int round = 0; round < kMaxDeliverAllRounds && !failed_; ++round) {
    bool moved = false;
    for (size_t i = 0; i < program_.clients.size() && !failed_; ++i) {
      moved = SendClient(static_cast<int>(i)) || moved;
    }
    for (size_t i = 0; i < program_.clients.size() && !failed_; ++i) {
      for (int conn = 0; conn < 2; ++conn) {
        moved = Deliver(static_cast<int>(i), conn, SIZE_MAX) || moved;
      }
    }
    if (!moved) return;
  }
}

bool Runner::CloseClient(int i, int only) {
  ServerAction a;
  a.kind = ServerAction::Kind::kClose;
  for (int conn = 0; conn < 2; ++conn) {
    if (only >= 0 && conn != only) continue;
    if (conns_[2 * i + conn].open) a.slots.push_back(2 * i + conn);
  }
  if (a.slots.empty()) return false;
  const std::vector<int> slots = a.slots;
  BeginAction(std::move(a));
  for (int slot : slots) CloseServerSide(slot);
  Collect();
  EndAction();
  return true;
}

void Runner::Kill(int i, int conn) {
  Client& cl = clients_[i];
  std::array<bool, 2> open{};
  for (int k = 0; k < 2; ++k) open[k] = conns_[2 * i + k].open;
  const bool any = CloseClient(i, conn == cache::kRedirectConn ? cache::kRedirectConn : -1);
  if (!any) Collect();
  if (!any || cl.cache->state() == cache::State::kDisconnected) return;
  for (int k = 0; k < 2; ++k) {
    if (open[k] && !conns_[2 * i + k].open) cl.killed_unseen[k] = true;
  }
}

void Runner::Reconnect(int i, const ClientSpec& spec) {
  Client& cl = clients_[i];
  if (!CloseClient(i)) Collect();
  if (!(spec == cl.spec)) {
    cl.spec = spec;
    result_.stats.evictions += cl.cache->stats().evictions;
    cl.cache = std::make_unique<cache::ClientCache>(OptionsOf(spec));
    cl.ForgetOwn();  // a new cache: its tickets start again
  }
  ConnectClient(i);
  Collect();
}

void Runner::Submit(int i, OpKind kind, const std::vector<std::string>& argv) {
  Client& cl = clients_[i];
  cache_touched_[i] = true;
  absl::StatusOr<cache::Submitted> s = cl.cache->Submit(argv);
  if (!checks_) return;
  if (!s.ok()) {
    if (options_.trace) note_ = "refused: " + std::string(s.status().message());
    // A refusal for the pending limit with fewer commands ever accepted than
    // that limit: the cache turns work away it has room for.
    const size_t limit = OptionsOf(cl.spec).limits.max_pending;
    if (s.status().code() == absl::StatusCode::kResourceExhausted && cl.accepted < limit) {
      Fail("client", absl::StrCat("c", i + 1, " refused ", argv[0], " as over max_pending (", limit,
                                  ") with ", cl.accepted,
                                  " commands accepted since it was made: ", s.status().message()));
    }
    return;
  }
  ++cl.accepted;
  if (!s->hit) {
    if (options_.trace) note_ = "queued";
    Submitted(cl, kind, argv, s->ticket);
    return;
  }
  resp::Value hit = *s->hit;
  if (options_.corrupt_hit) options_.corrupt_hit(op_, &hit);
  if (options_.trace) note_ = "hit " + resp::ToDebugString(hit, 600);
  if (!CheckOwn(i, argv)) return;
  CheckHit(i, argv, hit);
}

// A refusal names the reasons that hold (ClientCache::TrackingOff and
// AddPrefixes): "in MULTI" only while the client has a MULTI submitted and
// not its EXEC. The client's own view may stay in MULTI longer than the
// cache's (a DISCARD, a RESET or a lost connection ends it there first), never
// shorter, so the check holds one way only.
void Runner::CheckRefusal(int i, const char* what, absl::Status s) {
  if (s.ok()) return;
  if (options_.corrupt_refusal) options_.corrupt_refusal(op_, &s);
  if (options_.trace) note_ = "refused: " + std::string(s.message());
  if (checks_ && !clients_[i].in_multi && absl::StrContains(s.message(), ", in MULTI")) {
    Fail("client",
         absl::StrCat("c", i + 1, " refused TRACKING ", what,
                      " as in MULTI, with no MULTI submitted since its last EXEC: ", s.message()));
  }
  // A refusal names what its precondition lacks: a state other than ready,
  // tracking off, MULTI, or (adding prefixes) a mode other than BCAST. One
  // that names none, "(state ready)" alone, refused a call it allows.
  const bool mode_named =
      std::string_view(what) == "on" && clients_[i].spec.mode != cache::Mode::kBcast;
  if (checks_ && !mode_named && absl::EndsWith(s.message(), "state ready)")) {
    Fail("client", absl::StrCat("c", i + 1, " refused TRACKING ", what,
                                " without a reason its precondition names: ", s.message()));
  }
}

void Runner::RunOp(const Op& op) {
  const int i = op.client;
  if (RefusedWhileBlocked(op)) return;
  switch (op.kind) {
    case OpKind::kRead:
    case OpKind::kWrite:
      Submit(i, op.kind, op.argv);
      break;
    case OpKind::kMulti:
      Submit(i, op.kind, {"MULTI"});
      break;
    case OpKind::kExec:
      Submit(i, op.kind, {"EXEC"});
      break;
    case OpKind::kTrackingOff:
      cache_touched_[i] = true;
      CheckRefusal(i, "off", clients_[i].cache->TrackingOff());
      break;
    case OpKind::kTrackingOn:
      cache_touched_[i] = true;
      CheckRefusal(i, "on", clients_[i].cache->AddPrefixes(op.prefixes));
      break;
    case OpKind::kSend:
      SendClient(i);
      break;
    case OpKind::kDeliver:
      Deliver(i, op.conn, op.bytes);
      break;
    case OpKind::kDeliverAll:
      DeliverAll();
      break;
    case OpKind::kKill:
      Kill(i, op.conn);
      break;
    case OpKind::kReconnect:
      Reconnect(i, op.spec);
      break;
    case OpKind::kBlock:
    case OpKind::kUnblock:
      RunBlockOp(op);
      break;
    case OpKind::kRaw:
      RunRawOp(op);
      break;
    case OpKind::kClock: {
      ServerAction a;
      a.kind = ServerAction::Kind::kClock;
      a.clock_ms = op.clock_ms;
      if (!BeginAction(std::move(a))) {
        eng_.AdvanceClock(op.clock_ms);
        if (ref_) ref_->AdvanceClock(op.clock_ms);
      }
      Collect();
      EndAction();
      break;
    }
    case OpKind::kActiveExpire: {
      ServerAction a;
      a.kind = ServerAction::Kind::kActiveExpire;
      BeginAction(std::move(a));
      eng_.ExpireAllDue();
      if (ref_) ref_->ExpireAllDue();
      EndTurnIfPerCommand();
      Collect();
      EndAction();
      break;
    }
    case OpKind::kConfigTableMaxKeys:
    case OpKind::kConfigMaxmemory:
    case OpKind::kFlushall:
    case OpKind::kSwapdb:
    case OpKind::kDebugReload:
      RunCommand(kAdminSlot, AdminCommand(op));
      break;
    case OpKind::kTick: {
      ServerAction a;
      a.kind = ServerAction::Kind::kTick;
      BeginAction(std::move(a));
      eng_.Cron();
      if (ref_) ref_->Cron();
      eng_.EndTurn();
      if (ref_) ref_->EndOfTurn();
      Collect();
      EndAction();
      turn_keys_.clear();
      break;
    }
  }
}

void Runner::AfterOp() {
  for (size_t i = 0; i < program_.clients.size(); ++i) {
    if (!checks_) {
      clients_[i].cache->TakeReplies();  // handed out, as an application takes them
      continue;
    }
    NoteReplies(static_cast<int>(i));
    CheckRetention(static_cast<int>(i));
    CheckConnection(static_cast<int>(i));
    CheckLiveness(static_cast<int>(i));
  }
  if (!checks_) return;
  if (options_.corrupt_engine) {
    options_.corrupt_engine(op_, eng_);
    engine_touched_ = true;
  }
  if (options_.engine_bug) options_.engine_bug(op_, eng_);
  ValidateTouched();
}

RunResult RunProgram(const Program& program, const RunOptions& options) {
  Runner runner(program, options);
  return runner.Run();
}

}  // namespace respfuzz::harnesses::invalidation
