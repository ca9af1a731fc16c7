#include "harnesses/invalidation/checks.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/common/scratch.h"
#include "harnesses/models/tracking_reference.h"
#include "src/engine/engine.h"
#include "src/resp/reader.h"
#include "src/resp/request.h"
#include "src/resp/writer.h"

namespace respfuzz::harnesses::invalidation {

namespace {

using resp::Type;
using resp::Value;

std::string Show(const Value& v) { return resp::ToDebugString(v, 600); }

// Replies whose element order Redis does not promise are sorted before the
// staleness comparison (the cached value and the scratch engine's may hold
// the same set in a different order).
void Canonicalize(const std::vector<std::string>& argv, Value* v) {
  if (v->type != Type::kArray && v->type != Type::kSet && v->type != Type::kMap) return;
  const std::string name = absl::AsciiStrToUpper(argv[0]);
  auto by_text = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (name == "SMEMBERS" || name == "HKEYS" || name == "HVALS") {
    std::vector<std::pair<std::string, Value>> keyed;
    for (Value& e : v->elems) {
      std::string key = resp::ToDebugString(e);
      keyed.emplace_back(std::move(key), std::move(e));
    }
    std::sort(keyed.begin(), keyed.end(), by_text);
    v->elems.clear();
    for (auto& [k, e] : keyed) v->elems.push_back(std::move(e));
  } else if (name == "HGETALL" && v->elems.size() % 2 == 0) {
    std::vector<std::pair<std::string, std::pair<Value, Value>>> keyed;
    for (size_t i = 0; i < v->elems.size(); i += 2) {
      // The key first: the pair below moves the elements.
      std::string key =
          resp::ToDebugString(v->elems[i]) + "\x01" + resp::ToDebugString(v->elems[i + 1]);
      keyed.emplace_back(std::move(key),
                         std::make_pair(std::move(v->elems[i]), std::move(v->elems[i + 1])));
    }
    std::sort(keyed.begin(), keyed.end(), by_text);
    v->elems.clear();
    for (auto& [k, p] : keyed) {
      v->elems.push_back(std::move(p.first));
      v->elems.push_back(std::move(p.second));
    }
  }
}

// An invalidation frame in a server -> client queue, not yet wholly delivered.
struct InFlightInvalidation {
  uint64_t end = 0;  // stream offset just past its last byte
  // Every entry goes: a null invalidation (a flush), or tracking-redir-broken
  // (the server could not tell the redirect connection).
  bool flush = false;
  bool redir_broken = false;
  std::vector<std::string> keys;
};

struct Conn {
  bool open = false;  // the server side is open
  int session = -1;   // engine session
  std::string down;   // server -> client bytes not yet delivered
  uint64_t written = 0, delivered = 0;
  // In delivery order; a vector: a std::deque allocates even empty, and a
  // program has a Conn per slot.
  std::vector<InFlightInvalidation> invalidations;
  // Those still undelivered when the server closed the connection: lost
  // with it, so the client learns of them only from the EOF.
  std::vector<InFlightInvalidation> lost;
  resp::RequestParser parser;
  std::vector<resp::Request> requests;  // what parser.Feed() gave, recycled after
};

struct Client {
  ClientSpec spec;
  std::unique_ptr<cache::ClientCache> cache;
  int db = 0;  // the data session's db, as last seen on the server
  // Per connection: the server closed it (kill) and the client has not
  // processed its EOF yet.
  std::array<bool, 2> killed_unseen{};
  bool swap_exempt = false;  // a SWAPDB ran since the cache last cleared
  // NOLOOP: keys whose invalidation the server skipped because this client's
  // command was running when they expired or left the table, since the cache
  // last cleared (or an invalidation of the key reached it).
  std::set<std::string> noloop_missed;
  uint64_t clears = 0;  // CacheStats::clears when swap_exempt was last updated

  // What the client knows by itself, from what it submitted (the own-write
  // and transaction checks); tickets are the cache's, which count up for the
  // life of one ClientCache object.
  int64_t submit_db = 0;  // the db its submitted SELECTs leave the connection in
  bool in_multi = false;  // a MULTI submitted and its EXEC not yet
  struct OwnWrite {
    uint64_t ticket = 0;
    size_t op = 0;
  };
  std::map<std::pair<int64_t, std::string>, OwnWrite> own_writes;  // (db, key)
  std::map<int64_t, OwnWrite> own_db_writes;                       // FLUSHDB, SWAPDB: db
  OwnWrite own_flushall;
  // Reads submitted (not served), by ticket: the db and command; and per db
  // and command the last ticket whose reply came back.
  std::map<uint64_t, std::pair<int64_t, std::vector<std::string>>> reads_sent;
  std::map<std::pair<int64_t, std::vector<std::string>>, uint64_t> answered;

  void ForgetOwn() {
    own_writes.clear();
    own_db_writes.clear();
    own_flushall = {};
    reads_sent.clear();
    answered.clear();
  }
};

// An invalidation in a frame the server wrote: the keys, or a flush.
bool InvalidationOf(resp::ReplyRef v, InFlightInvalidation* out) {
  auto stringish = [](resp::ReplyRef e) {
    return e.type() == Type::kBulkString || e.type() == Type::kSimpleString ||
           e.type() == Type::kVerbatim;
  };
  resp::ReplyRef payload = v;
  if (v.type() == Type::kPush && v.elem_count() == 2 && stringish(v.elem(0)) &&
      v.elem(0).str() == "invalidate") {
    payload = v.elem(1);
  } else if (v.type() == Type::kArray && v.elem_count() == 3 && stringish(v.elem(0)) &&
             v.elem(0).str() == "message" && stringish(v.elem(1)) &&
             v.elem(1).str() == "__redis__:invalidate") {
    payload = v.elem(2);
  } else {
    return false;
  }
  out->keys.clear();
  out->flush = payload.type() == Type::kNull || payload.type() == Type::kNullBulk ||
               payload.type() == Type::kNullArray;
  out->redir_broken = false;
  for (resp::ReplyRef k : payload.elems()) out->keys.emplace_back(k.str());
  return true;
}

// The name of a command for Verdict::op: upper case, or "(other)" when it is
// not a plain word (the op tables' names all are).
std::string CommandKind(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty() || argv[0].size() > 32) return "(other)";
  for (char c : argv[0]) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return "(other)";
    }
  }
  return absl::AsciiStrToUpper(argv[0]);
}

// Verdict::op of a violation during `op`: the command the server was running
// then (a send, a deliver-all or an admin op runs commands), else the op's
// kind without its arguments ("read GET", "deliver redirect", "kill").
std::string OpKindOf(const Op& op, const std::vector<std::string>* running) {
  if (running != nullptr) return CommandKind(*running);
  switch (op.kind) {
    case OpKind::kRead:
      return "read " + CommandKind(op.argv);
    case OpKind::kWrite:
      return "write " + CommandKind(op.argv);
    case OpKind::kDeliver:
      return op.conn == cache::kRedirectConn ? "deliver redirect" : "deliver";
    case OpKind::kTrackingOff:
      return "tracking off";
    case OpKind::kTrackingOn:
      return "tracking on";
    case OpKind::kMulti:
      return "multi";
    case OpKind::kExec:
      return "exec";
    default: {
      // The other ops' text starts with their kind: "kill c2", "clock +5ms".
      const std::string text = OpToText(op);
      return text.substr(0, text.find(' '));
    }
  }
}

// `>2 tracking-redir-broken :id`: the server could not tell the redirect
// connection, so it tells the tracking client that everything may be stale.
bool RedirBrokenOf(resp::ReplyRef v, InFlightInvalidation* out) {
  if (v.type() != Type::kPush || v.elem_count() != 2 || v.elem(0).type() != Type::kBulkString ||
      v.elem(0).str() != "tracking-redir-broken") {
    return false;
  }
  out->keys.clear();
  out->flush = true;
  out->redir_broken = true;
  return true;
}

// Reader events, ignored: the frame-end search needs only Reader::values().
class IgnoringVisitor : public resp::Visitor {
 public:
  void OnString(Type, std::string_view) override {}
  void OnInteger(int64_t) override {}
  void OnDouble(double) override {}
  void OnBoolean(bool) override {}
  void OnNull(Type) override {}
  void OnBegin(Type, int64_t) override {}
  void OnEnd() override {}
};

// Parsers and buffers reused from op to op and from input to input, each
// emptied before use; Release() at the end of every input keeps only their
// capacity (libFuzzer re-runs an input that leaves more allocations than it
// freed).
struct Scratch {
  std::unique_ptr<ReplyParser> frames_parser = MakeReplyParser();
  ParseResult frames;                               // one chunk's frames (CheckFrames)
  resp::Reader frame_ends{resp::Protocol::kResp3};  // where each frame ends
  std::array<std::string, kSlots> taken;            // what Collect() took per slot
  std::string expected;                             // the reference's bytes for a slot
  std::vector<size_t> ends;                         // FrameEnds' of a chunk
  bool in_use = false;

  void Release() {
    frames_parser->Start(resp::Protocol::kResp3, resp::ReaderLimits{});
    frames.values.Reset();
    frames.error = {};
    frame_ends.Reset();
    for (std::string& t : taken) t.clear();
    expected.clear();
    ends.clear();
    in_use = false;
  }
};

class Runner {
 public:
  Runner(const Program& program, const RunOptions& options)
      : program_(program),
        options_(options),
        eng_(EngineOptionsOf(options)),
        ref_(TrackingOptionsOf(options)),
        scratch_(EngineOptionsOf(options)),
        sc_(*TakeScratch(&own_scratch_)) {
    eng_.tracker().bugs_for_test() = options.tracker_bugs;
    eng_.tracker().set_record_noloop_unsent(true);
    eng_.AddKeyEventListener([this](const engine::KeyEvent& ev) {
      if (ev.kind == engine::KeyEventKind::kWritten || ev.kind == engine::KeyEventKind::kDeleted ||
          ev.kind == engine::KeyEventKind::kExpired) {
        turn_keys_.insert(std::string(ev.key));
      }
      if (ev.kind == engine::KeyEventKind::kExpired && options_.observer != nullptr) {
        action_.expired.emplace_back(ev.db, std::string(ev.key));
      }
    });
    scratch2_ = scratch_.OpenSession();
    scratch3_ = scratch_.OpenSession();
    std::string ignored;
    scratch_.Execute(scratch3_, std::vector<std::string>{"HELLO", "3"}, &ignored);
  }

  ~Runner() { sc_.Release(); }

  RunResult Run() {
    // The admin connection first, then each client's, in order.
    Open(kAdminSlot);
    RunCommand(kAdminSlot, {"HELLO", "3"});
    for (size_t i = 0; i < program_.clients.size(); ++i) {
      clients_[i].spec = program_.clients[i];
      clients_[i].cache = std::make_unique<cache::ClientCache>(OptionsOf(program_.clients[i]));
      ConnectClient(static_cast<int>(i));
    }
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
    if (!failed_) {
      // Everything once more after the last op, whatever it touched.
      engine_touched_ = true;
      cache_touched_.fill(true);
      ValidateTouched();
    }
    for (size_t i = 0; i < program_.clients.size(); ++i) {
      result_.stats.evictions += clients_[i].cache->stats().evictions;
    }
    return std::move(result_);
  }

 private:
  static engine::EngineOptions EngineOptionsOf(const RunOptions& o) {
    engine::EngineOptions eo;
    eo.start_ms = o.start_ms;
    eo.max_string_len = o.max_string_len;
    return eo;
  }
  static models::TrackingOptions TrackingOptionsOf(const RunOptions& o) {
    models::TrackingOptions to;
    to.slots = kSlots;
    to.start_ms = o.start_ms;
    to.max_string_len = o.max_string_len;
    return to;
  }
  cache::CacheOptions OptionsOf(const ClientSpec& spec) const {
    cache::CacheOptions co = CacheOptionsOf(spec);
    co.bugs = options_.cache_bugs;
    return co;
  }

  void Fail(std::string check, std::string message) {
    if (failed_) return;
    failed_ = true;
    const std::string where =
        op_ == static_cast<size_t>(-1) ? "(connecting)" : OpToText(program_.ops[op_]);
    result_.verdict =
        fuzz::Verdict::Fail(std::move(check), op_ == static_cast<size_t>(-1) ? -1 : int64_t(op_),
                            where + "\n" + message);
    result_.verdict.op =
        op_ == static_cast<size_t>(-1) ? "connecting" : OpKindOf(program_.ops[op_], running_argv_);
  }

  void Open(int slot) {
    engine_touched_ = true;
    Conn& c = conns_[slot];
    c.down.clear();
    c.written = c.delivered = 0;
    c.invalidations.clear();
    c.lost.clear();
    c.parser.Reset();
    queued_[slot].clear();
    c.open = true;
    c.session = eng_.OpenSession();
    ref_.Connect(slot);
    if (options_.observer != nullptr) {
      ServerAction a;
      a.kind = ServerAction::Kind::kOpen;
      a.slot = slot;
      a.client_id = eng_.session(c.session).id;
      BeginAction(std::move(a));
      EndAction();
    }
  }

  // A server action starts: the observer sees it first and may move both
  // clocks to its time. False when the program's virtual clock stays.
  bool BeginAction(ServerAction a) {
    a.op = op_;
    action_ = std::move(a);
    observed_.fill(std::string());
    evicted_before_ = eng_.tracker().evicted_keys();
    if (options_.observer == nullptr) return false;
    const std::optional<int64_t> t = options_.observer->Before(action_, eng_);
    if (!t) return false;
    if (*t > eng_.now_ms()) {
      const int64_t d = *t - eng_.now_ms();
      eng_.AdvanceClock(d);
      ref_.AdvanceClock(d);
    }
    return true;
  }

  // After the action's Collect(): the observer sees what every connection got.
  void EndAction() {
    if (options_.observer == nullptr) return;
    action_.evicted = eng_.tracker().evicted_keys() != evicted_before_;
    options_.observer->After(action_, eng_, observed_);
  }

  // turn_per_command: the action is an event-loop turn of its own.
  void EndTurnIfPerCommand() {
    if (!options_.turn_per_command) return;
    eng_.EndTurn();
    ref_.EndOfTurn();
  }

  void CloseServerSide(int slot) {
    Conn& c = conns_[slot];
    if (!c.open) return;
    engine_touched_ = true;
    eng_.CloseSession(c.session);
    ref_.Close(slot);
    c.open = false;
    c.down.clear();
    c.delivered = c.written;
    c.lost.insert(c.lost.end(), c.invalidations.begin(), c.invalidations.end());
    c.invalidations.clear();
  }

  void ConnectClient(int i) {
    Client& cl = clients_[i];
    for (int conn = 0; conn < cl.cache->connections(); ++conn) Open(2 * i + conn);
    cache_touched_[i] = true;
    cl.cache->Connect();
    cl.killed_unseen = {};
    cl.db = 0;
    cl.submit_db = 0;
    cl.in_multi = false;
    cl.swap_exempt = false;
    cl.noloop_missed.clear();
    cl.clears = cl.cache->stats().clears;
  }

  // Runs one command from `slot` on both sides, then collects the output.
  void RunCommand(int slot, const std::vector<std::string>& argv) {
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
    ref_.Execute(slot, argv);
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
    if (!argv.empty() && absl::AsciiStrToUpper(argv[0]) == "SWAPDB") {
      for (Client& cl : clients_) cl.swap_exempt = true;
    }
    if (slot != kAdminSlot && slot % 2 == 0 && conns_[slot].open) {
      clients_[slot / 2].db = eng_.session(conns_[slot].session).db;
    }
    Collect();
    EndAction();
    running_slot_ = -1;
    running_argv_ = nullptr;
  }

  // Moves every byte the engine wrote to the connections' queues, checking
  // framing and comparing with the reference model.
  void Collect() {
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
      // CLIENT KILL is not in the op tables; should one arrive, it closes
      // the slot as kill does on the engine side only, and the comparison
      // will say so.
      for (int s = 0; s < kSlots; ++s) {
        if (conns_[s].open && conns_[s].session == killed) conns_[s].open = false;
      }
    }
    if (comparing_ && ref_.unmodelled()) {
      comparing_ = false;
      result_.stats.unmodelled_at = static_cast<int64_t>(op_);
    }
    // Every connection's bytes first, so the observer sees all of them even
    // when a check below stops the program. A connection to which neither
    // the engine nor the reference wrote anything has nothing to check.
    std::array<std::string, kSlots>& taken = sc_.taken;
    std::array<bool, kSlots> quiet{};
    for (int s = 0; s < kSlots; ++s) {
      taken[s].clear();
      if (!conns_[s].open) continue;
      quiet[s] = eng_.PendingOutput(conns_[s].session).empty() && ref_.frames(s).empty() &&
                 !options_.corrupt_server_output;
      if (quiet[s]) continue;
      eng_.AppendOutput(conns_[s].session, &taken[s]);
      if (options_.corrupt_server_output) options_.corrupt_server_output(op_, s, &taken[s]);
      if (options_.observer != nullptr) observed_[s] += taken[s];
    }
    for (int s = 0; s < kSlots && !failed_; ++s) {
      Conn& c = conns_[s];
      if (!c.open || quiet[s]) continue;
      const std::string& bytes = taken[s];
      std::string& expected = sc_.expected;
      expected.clear();
      for (const models::OutFrame& f : ref_.frames(s)) expected += f.bytes;
      ref_.ClearFrames(s);
      if (!bytes.empty() && !CheckFrames(s, bytes)) return;
      if (comparing_) {
        if (bytes != expected && !SameButOrder(s, bytes, expected)) {
          Fail("reference", absl::StrCat("connection ", SlotName(s),
                                         ": the engine wrote and the "
                                         "reference model expected different bytes\nengine:    ",
                                         EscapeBytes(bytes, 1000),
                                         "\nreference: ", EscapeBytes(expected, 1000)));
          return;
        }
      }
      if (bytes.empty()) continue;
      if (s == kAdminSlot) continue;  // nobody reads the admin's replies
      c.written += bytes.size();
      c.down += bytes;
    }
  }

  // Two chunks for slot s that differ only in the order of a reply Redis
  // does not order (SMEMBERS, HKEYS, HVALS, HGETALL; inside EXEC too).
  bool SameButOrder(int s, const std::string& got, const std::string& want) {
    if (s != running_slot_ || running_argv_ == nullptr || running_argv_->empty()) return false;
    return SameRepliesButOrder(*running_argv_, exec_queue_,
                               eng_.session(conns_[s].session).protocol, got, want);
  }

  // The chunk reads as whole frames in the session's protocol; invalidation
  // frames are remembered until delivered.
  bool CheckFrames(int s, const std::string& bytes) {
    Conn& c = conns_[s];
    const resp::Protocol proto = eng_.session(c.session).protocol;
    ParseResult& frames = sc_.frames;
    ParseWhole(*sc_.frames_parser, bytes, proto, resp::ReaderLimits{}, &frames);
    if (frames.error.code != resp::ReaderErrorCode::kNone || !frames.idle) {
      const bool ok = frames.error.code == resp::ReaderErrorCode::kNone;
      Fail("framing",
           absl::StrCat("connection ", SlotName(s), " (",
                        proto == resp::Protocol::kResp3 ? "RESP3" : "RESP2", "): ",
                        ok ? "a partial frame at the end"
                           : absl::StrCat("does not parse: protocol error at offset ",
                                          frames.error.offset, ": ", frames.error.reason),
                        "\nbytes: ", EscapeBytes(bytes, 1000)));
      return false;
    }
    if (s == kAdminSlot) return true;
    bool any = false;
    InFlightInvalidation inv;
    for (resp::ReplyRef v : frames.values) {
      any = any || InvalidationOf(v, &inv) || RedirBrokenOf(v, &inv);
    }
    if (!any) return true;
    FrameEnds(proto, bytes, &sc_.frame_ends, &sc_.ends);
    for (size_t k = 0; k < sc_.ends.size() && k < frames.values.size(); ++k) {
      if (InvalidationOf(frames.values[k], &inv) || RedirBrokenOf(frames.values[k], &inv)) {
        inv.end = c.written + sc_.ends[k];
        c.invalidations.push_back(inv);
      }
    }
    return true;
  }

  std::string SlotName(int s) const {
    if (s == kAdminSlot) return "admin";
    return absl::StrCat("c", s / 2 + 1, s % 2 == 0 ? " data" : " redirect");
  }

  // Client -> server: every queued byte of client i.
  bool SendClient(int i) {
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

  // Server -> client: up to n bytes on one connection (or the EOF).
  bool Deliver(int i, int conn, size_t n) {
    Client& cl = clients_[i];
    if (conn >= cl.cache->connections()) return false;
    Conn& c = conns_[2 * i + conn];
    if (c.down.empty()) {
      if (!c.open && cl.killed_unseen[conn]) {
        cache_touched_[i] = true;
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
      if (inv.flush) cl.noloop_missed.clear();
      for (const std::string& k : inv.keys) cl.noloop_missed.erase(k);
      c.invalidations.erase(c.invalidations.begin());
    }
    // A client that has disconnected (EOF or an error on one connection)
    // reads nothing more until it reconnects: the bytes are dropped.
    if (cl.cache->state() == cache::State::kDisconnected) return true;
    cache_touched_[i] = true;
    const absl::Status st = cl.cache->OnBytes(conn, piece);
    // The server refuses CLIENT TRACKING on REDIRECT id once that
    // connection is gone (killed while the handshake ran): the cache gives
    // up, as it must; not a failure of the cache.
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

  void DeliverAll() {
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

  // The server side of every open connection of client i (`only` >= 0:
  // that one alone) closes (one action); false when none was open.
  bool CloseClient(int i, int only = -1) {
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

  // `conn` kRedirectConn: the redirect connection alone; else every one.
  void Kill(int i, int conn) {
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

  void Reconnect(int i, const ClientSpec& spec) {
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

  void Submit(int i, OpKind kind, const std::vector<std::string>& argv) {
    Client& cl = clients_[i];
    cache_touched_[i] = true;
    absl::StatusOr<cache::Submitted> s = cl.cache->Submit(argv);
    if (!s.ok()) {
      if (options_.trace) note_ = "refused: " + std::string(s.status().message());
      return;
    }
    if (!s->hit) {
      if (options_.trace) note_ = "queued";
      Submitted(cl, kind, argv, s->ticket);
      return;
    }
    Value hit = *s->hit;
    if (options_.corrupt_hit) options_.corrupt_hit(op_, &hit);
    if (options_.trace) note_ = "hit " + Show(hit);
    if (!CheckOwn(i, argv)) return;
    CheckHit(i, argv, hit);
  }

  // What a command sent by client i tells it by itself: the db its SELECT
  // leaves, MULTI and EXEC, the keys its writes change.
  void Submitted(Client& cl, OpKind kind, const std::vector<std::string>& argv, uint64_t ticket) {
    const std::string& name = argv[0];
    if (kind == OpKind::kRead) {
      if (!cl.in_multi) cl.reads_sent[ticket] = {cl.submit_db, argv};
    } else if (name == "MULTI") {
      cl.in_multi = true;
    } else if (name == "EXEC") {
      cl.in_multi = false;
    } else if (name == "SELECT") {
      int64_t db = -1;
      if (argv.size() == 2 && absl::SimpleAtoi(argv[1], &db) && db >= 0 &&
          db < eng_.keyspace().num_dbs()) {
        cl.submit_db = db;
      }
    } else {
      const Client::OwnWrite w{ticket, op_};
      if (name == "FLUSHALL") {
        cl.own_flushall = w;
      } else if (name == "FLUSHDB") {
        cl.own_db_writes[cl.submit_db] = w;
      } else if (name == "SWAPDB") {
        for (size_t a = 1; a < argv.size() && a < 3; ++a) {
          int64_t db = -1;
          if (absl::SimpleAtoi(argv[a], &db) && db >= 0 && db < eng_.keyspace().num_dbs()) {
            cl.own_db_writes[db] = w;
          }
        }
      }
      for (const std::string& k : KeysOf(argv)) cl.own_writes[{cl.submit_db, k}] = w;
    }
  }

  // The own-write and transaction checks, on a hit of client i: what the
  // client knows by itself, so no allowance applies. A read inside MULTI
  // is queued by the server, never served. After the client's own write
  // of one of the read's keys (or a FLUSHALL, FLUSHDB, SWAPDB of its db)
  // the entry can only hold what a read sent after that write brought back
  // (the reply reflects the write: one connection, in order), whatever the
  // server says and whether or not it ever notifies (NOLOOP) or the write
  // has even been sent.
  bool CheckOwn(int i, const std::vector<std::string>& argv) {
    Client& cl = clients_[i];
    const std::string what =
        absl::StrCat("c", i + 1, " served ", EscapeBytes(absl::StrJoin(argv, " "), 200), " (db ",
                     cl.submit_db, ") from its cache");
    if (cl.in_multi) {
      Fail("transaction", what + " inside MULTI: the read must go to the server, queued");
      return false;
    }
    Client::OwnWrite last = cl.own_flushall;
    if (auto it = cl.own_db_writes.find(cl.submit_db);
        it != cl.own_db_writes.end() && it->second.ticket > last.ticket) {
      last = it->second;
    }
    for (const std::string& k : KeysOf(argv)) {
      auto it = cl.own_writes.find({cl.submit_db, k});
      if (it != cl.own_writes.end() && it->second.ticket > last.ticket) last = it->second;
    }
    if (last.ticket == 0) return true;
    auto answered = cl.answered.find({cl.submit_db, argv});
    if (answered != cl.answered.end() && answered->second > last.ticket) return true;
    Fail("own-write",
         absl::StrCat(what, " after its own write at op ", last.op, " (",
                      OpToText(program_.ops[last.op]),
                      "), and no reply to a read of it sent after that write came back: the "
                      "cache must drop what it writes itself when it sends the write"));
    return false;
  }

  // The read on the scratch engine, over copies of its keys as the server
  // stores them now; `ignore_ttl`: the copies have no TTL.
  Value ServerValue(int db, const std::vector<std::string>& argv, resp::Protocol proto,
                    bool ignore_ttl) {
    scratch_.AdvanceClock(eng_.now_ms() - scratch_.now_ms());
    const std::vector<std::string> keys = KeysOf(argv);
    for (const std::string& k : keys) {
      if (const engine::Object* o = eng_.keyspace().Peek(db, k)) {
        scratch_.keyspace().StoreWithExpire(0, k, *o,
                                            ignore_ttl ? -1 : eng_.keyspace().GetExpire(db, k));
      }
    }
    std::string bytes;
    scratch_.Execute(proto == resp::Protocol::kResp3 ? scratch3_ : scratch2_, argv, &bytes);
    for (const std::string& k : keys) scratch_.keyspace().Delete(0, k);
    resp::Reader reader(proto, resp::ReaderLimits{});
    std::vector<Value> values;
    resp::TreeBuilder builder(&values, &reader);
    reader.Feed(bytes, builder);
    Value v = values.size() == 1 ? std::move(values[0]) : Value::Error("unreadable: " + bytes);
    Canonicalize(argv, &v);
    return v;
  }

  void CheckHit(int i, const std::vector<std::string>& argv, Value hit) {
    ++result_.stats.hits;
    Client& cl = clients_[i];
    const resp::Protocol proto = cl.spec.protocol;
    Canonicalize(argv, &hit);
    const Value now = ServerValue(cl.db, argv, proto, /*ignore_ttl=*/false);
    if (hit == now) return;
    const std::vector<std::string> keys = KeysOf(argv);
    // (a) an invalidation for one of the keys, or a flush, not yet delivered.
    //     Also one lost with its connection (killed) until the client sees
    //     that connection's EOF, and a tracking-redir-broken not yet
    //     delivered.
    for (int conn = 0; conn < 2; ++conn) {
      for (const auto* list : {&conns_[2 * i + conn].invalidations, &conns_[2 * i + conn].lost}) {
        for (const InFlightInvalidation& inv : *list) {
          const std::string where = list == &conns_[2 * i + conn].lost
                                        ? " was lost with its connection, EOF not yet seen"
                                        : " is not yet delivered";
          if (inv.redir_broken) return Allowed("a tracking-redir-broken" + where);
          if (inv.flush) return Allowed("a flush" + where);
          for (const std::string& k : keys) {
            if (std::find(inv.keys.begin(), inv.keys.end(), k) != inv.keys.end()) {
              return Allowed("an invalidation of " + k + where);
            }
          }
        }
      }
    }
    // (b) killed, EOF not yet seen: the data connection, or a RESP2
    //     client's redirect connection (the server tells a RESP2 client
    //     nothing when its redirect connection is gone; a RESP3 one gets
    //     tracking-redir-broken instead of each invalidation, (a)).
    if (cl.killed_unseen[cache::kDataConn]) {
      return Allowed("the connection is dead, EOF not yet seen");
    }
    if (cl.killed_unseen[cache::kRedirectConn] && proto == resp::Protocol::kResp2) {
      return Allowed("the redirect connection is dead, EOF not yet seen (RESP2: no push)");
    }
    // (c) BCAST: modified this turn, the array goes out at the tick; only
    //     for a key under a prefix the server has registered for the client
    //     (the reference model's), as it announces no other.
    if (cl.spec.mode == cache::Mode::kBcast) {
      const std::vector<std::string> prefixes = ref_.BcastPrefixes(2 * i);
      for (const std::string& k : keys) {
        const bool covered = std::any_of(prefixes.begin(), prefixes.end(),
                                         [&k](const std::string& p) { return k.starts_with(p); });
        if (covered && turn_keys_.contains(k)) {
          return Allowed("BCAST: " + k + " changed this turn");
        }
      }
    }
    // (d) logically expired, still stored: no invalidation until deleted.
    bool expired_stored = false;
    for (const std::string& k : keys) {
      if (eng_.keyspace().Peek(cl.db, k) != nullptr && eng_.keyspace().IsExpired(cl.db, k)) {
        expired_stored = true;
      }
    }
    if (expired_stored && hit == ServerValue(cl.db, argv, proto, /*ignore_ttl=*/true)) {
      return Allowed("expired, not yet deleted");
    }
    // (e) SWAPDB sends no invalidation (Redis 7.0.15).
    if (cl.swap_exempt) return Allowed("SWAPDB since the cache last cleared");
    // (f) NOLOOP: the key expired, or left the table, during this client's
    // own command, and the server skipped telling it (Redis 7.0.15).
    for (const std::string& k : keys) {
      if (cl.noloop_missed.contains(k)) {
        return Allowed("NOLOOP: " + k + " expired or was evicted during its own command, untold");
      }
    }

    std::string undelivered;
    for (int conn = 0; conn < cl.cache->connections(); ++conn) {
      absl::StrAppend(
          &undelivered, "\nundelivered to c", i + 1,
          conn == 0 ? " data:     " : " redirect: ", EscapeBytes(conns_[2 * i + conn].down, 600));
    }
    Fail("staleness", absl::StrCat("c", i + 1, " served a stale value from its cache for ",
                                   EscapeBytes(absl::StrJoin(argv, " "), 200), " (db ", cl.db,
                                   ")\ncache:  ", Show(hit), "\nserver: ", Show(now), undelivered));
  }

  void Allowed(const std::string& why) {
    ++result_.stats.hits_allowed;
    if (options_.trace) absl::StrAppend(&note_, " (differs; allowed: ", why, ")");
  }

  void RunOp(const Op& op) {
    const int i = op.client;
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
      case OpKind::kTrackingOff: {
        cache_touched_[i] = true;
        const absl::Status s = clients_[i].cache->TrackingOff();
        if (!s.ok() && options_.trace) note_ = "refused: " + std::string(s.message());
        break;
      }
      case OpKind::kTrackingOn: {
        cache_touched_[i] = true;
        const absl::Status s = clients_[i].cache->AddPrefixes(op.prefixes);
        if (!s.ok() && options_.trace) note_ = "refused: " + std::string(s.message());
        break;
      }
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
      case OpKind::kClock: {
        ServerAction a;
        a.kind = ServerAction::Kind::kClock;
        a.clock_ms = op.clock_ms;
        if (!BeginAction(std::move(a))) {
          eng_.AdvanceClock(op.clock_ms);
          ref_.AdvanceClock(op.clock_ms);
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
        ref_.ExpireAllDue();
        EndTurnIfPerCommand();
        Collect();
        EndAction();
        break;
      }
      case OpKind::kConfigTableMaxKeys:
      case OpKind::kFlushall:
      case OpKind::kSwapdb:
        RunCommand(kAdminSlot, AdminCommand(op));
        break;
      case OpKind::kTick: {
        ServerAction a;
        a.kind = ServerAction::Kind::kTick;
        BeginAction(std::move(a));
        eng_.Cron();
        ref_.Cron();
        eng_.EndTurn();
        ref_.EndOfTurn();
        Collect();
        EndAction();
        turn_keys_.clear();
        break;
      }
    }
  }

  // The validate check. A structure is validated after every op that can
  // have changed it, and only then: the same state validates the same way.
  // The engine changes only through a server action (each ends in
  // Collect(), which drains the engine) or a connection opening or closing;
  // a client's cache only through the runner's calls on it (cache_touched_)
  // or by handing out replies (TakeReplies).
  void AfterOp() {
    for (size_t i = 0; i < program_.clients.size(); ++i) {
      Client& cl = clients_[i];
      for (const cache::Reply& r : cl.cache->TakeReplies()) {
        cache_touched_[i] = true;
        auto sent = cl.reads_sent.find(r.ticket);
        if (sent == cl.reads_sent.end()) continue;
        if (!r.lost) {
          uint64_t& last = cl.answered[sent->second];
          last = std::max(last, r.ticket);
        }
        cl.reads_sent.erase(sent);
      }
      if (cl.cache->stats().clears != cl.clears) {
        cl.clears = cl.cache->stats().clears;
        cl.swap_exempt = false;
        cl.noloop_missed.clear();
      }
    }
    if (options_.corrupt_engine) {
      options_.corrupt_engine(op_, eng_);
      engine_touched_ = true;
    }
    if (options_.engine_bug) options_.engine_bug(op_, eng_);
    ValidateTouched();
  }

  void ValidateTouched() {
    for (size_t i = 0; i < program_.clients.size(); ++i) {
      if (!cache_touched_[i]) continue;
      cache_touched_[i] = false;
      const absl::Status v = clients_[i].cache->Validate();
      if (!v.ok()) return Fail("validate", absl::StrCat("c", i + 1, ": ", v.message()));
    }
    if (!engine_touched_) return;
    engine_touched_ = false;
    const absl::Status v = eng_.Validate();
    if (!v.ok()) Fail("validate", "engine: " + std::string(v.message()));
  }

  const Program& program_;
  const RunOptions& options_;
  engine::Engine eng_;
  models::TrackingReference ref_;
  engine::Engine scratch_;  // computes "the server's current value" of a read
  int scratch2_ = -1, scratch3_ = -1;
  std::array<Conn, kSlots> conns_;
  std::array<Client, kMaxClients> clients_;
  std::set<std::string> turn_keys_;  // keys modified since the last tick
  std::array<std::vector<std::vector<std::string>>, kSlots> queued_;  // inside MULTI, per slot
  std::vector<std::vector<std::string>> exec_queue_;  // what the running EXEC answers
  int running_slot_ = -1;                             // whose command runs, -1: none
  const std::vector<std::string>* running_argv_ = nullptr;
  ServerAction action_;                       // the server action under way (observer only)
  std::array<std::string, kSlots> observed_;  // what each connection got during it
  uint64_t evicted_before_ = 0;
  bool comparing_ = true;
  bool failed_ = false;
  // Whether the engine, or client i's cache, may have changed since its last
  // Validate() (AfterOp).
  bool engine_touched_ = true;
  std::array<bool, kMaxClients> cache_touched_{};
  size_t op_ = static_cast<size_t>(-1);
  std::string note_;
  RunResult result_;
  std::unique_ptr<Scratch> own_scratch_;  // only when the shared one is in use
  Scratch& sc_;
};

}  // namespace

bool SameRepliesButOrder(const std::vector<std::string>& argv,
                         const std::vector<std::vector<std::string>>& exec_queue,
                         resp::Protocol proto, std::string_view got, std::string_view want) {
  if (argv.empty()) return false;
  resp::ReaderError error;
  std::vector<Value> a = resp::ReadAll(got, proto, resp::ReaderLimits{}, &error);
  std::vector<Value> b = resp::ReadAll(want, proto, resp::ReaderLimits{}, &error);
  if (a.size() != b.size()) return false;
  const bool exec = absl::AsciiStrToUpper(argv[0]) == "EXEC";
  for (std::vector<Value>* side : {&a, &b}) {
    for (Value& v : *side) {
      if (v.type == Type::kPush) continue;
      if (!exec) {
        Canonicalize(argv, &v);
      } else if (v.type == Type::kArray && v.elems.size() == exec_queue.size()) {
        for (size_t k = 0; k < v.elems.size(); ++k) Canonicalize(exec_queue[k], &v.elems[k]);
      }
    }
  }
  return a == b;
}

void FrameEnds(resp::Protocol proto, std::string_view bytes, resp::Reader* reader,
               std::vector<size_t>* ends) {
  // Every RESP frame ends with a CRLF, so feeding the bytes one line (up to
  // and including each LF) at a time, the frame that completes during a Feed
  // ends at that line's end, as feeding them a byte at a time would show,
  // with one Feed per line instead of per byte.
  ends->clear();
  reader->Reset(proto, resp::ReaderLimits{});
  IgnoringVisitor ignore;
  for (size_t from = 0; from < bytes.size() && !reader->failed();) {
    const size_t lf = bytes.find('\n', from);
    const size_t to = lf == std::string_view::npos ? bytes.size() : lf + 1;
    reader->Feed(bytes.substr(from, to - from), ignore);
    from = to;
    // (One frame at most: two cannot end at the same LF.)
    while (ends->size() < reader->values()) ends->push_back(to);
  }
}

RunResult RunProgram(const Program& program, const RunOptions& options) {
  Runner runner(program, options);
  return runner.Run();
}

// The registry's entry points.

fuzz::Verdict RunInvalidation(std::string_view input) {
  return RunProgram(DecodeProgram(input)).verdict;
}

std::string DescribeInvalidation(std::string_view input) {
  const Program p = DecodeProgram(input);
  return absl::StrCat(p.clients.size(), " clients, ", p.ops.size(), " ops:\n", ProgramToText(p));
}

absl::StatusOr<std::string> EncodeInvalidationText(std::string_view text) {
  absl::StatusOr<Program> p = ProgramFromText(text);
  if (!p.ok()) return p.status();
  return EncodeProgram(*p);
}

std::string DecodeInvalidationText(std::string_view input) {
  return ProgramToText(DecodeProgram(input));
}

std::string ExplainInvalidation(std::string_view input) {
  const Program p = DecodeProgram(input);
  RunOptions o;
  o.trace = true;
  const RunResult r = RunProgram(p, o);
  std::string out;
  for (const ClientSpec& c : p.clients) absl::StrAppend(&out, "client ", SpecToText(c), "\n");
  for (const std::string& line : r.trace) absl::StrAppend(&out, line, "\n");
  absl::StrAppend(&out, r.stats.hits, " hits checked (", r.stats.hits_allowed,
                  " allowed to differ), ", r.stats.commands, " server commands",
                  r.stats.evictions > 0 ? absl::StrCat(", ", r.stats.evictions, " evictions") : "",
                  r.stats.unmodelled_at >= 0
                      ? absl::StrCat(", reference unmodelled from op ", r.stats.unmodelled_at)
                      : "",
                  "\n", r.verdict.ToString(), "\n");
  return out;
}

std::optional<std::string> MinimizeInvalidation(std::string_view input, MinimizeReport* report) {
  std::optional<Program> p = MinimizeProgram(DecodeProgram(input), RunOptions{}, report);
  if (!p) return std::nullopt;
  return EncodeProgram(*p);
}

std::optional<Program> MinimizeProgram(Program p, const RunOptions& options,
                                       MinimizeReport* report) {
  *report = MinimizeReport{};
  report->steps_before = p.ops.size();
  fuzz::Verdict v = RunProgram(p, options).verdict;
  report->runs = 1;
  if (v.ok) return std::nullopt;
  const std::string check = v.check;
  // Ops after the failing one cannot matter.
  if (v.step >= 0 && static_cast<size_t>(v.step) + 1 < p.ops.size()) p.ops.resize(v.step + 1);
  auto still_fails = [&](const Program& c) {
    ++report->runs;
    fuzz::Verdict cv = RunProgram(c, options).verdict;
    if (cv.ok || cv.check != check) return false;
    v = cv;
    return true;
  };
  // Delta debugging over ops: drop chunks, halving the chunk size.
  for (size_t chunk = std::max<size_t>(p.ops.size() / 2, 1);; chunk /= 2) {
    bool removed = true;
    while (removed) {
      removed = false;
      for (size_t start = 0; start < p.ops.size();) {
        Program c;
        c.clients = p.clients;
        c.ops.assign(p.ops.begin(), p.ops.begin() + start);
        const size_t end = std::min(p.ops.size(), start + chunk);
        c.ops.insert(c.ops.end(), p.ops.begin() + end, p.ops.end());
        if (!c.ops.empty() && still_fails(c)) {
          p = std::move(c);
          removed = true;
        } else {
          start += chunk;
        }
      }
    }
    if (chunk == 1) break;
  }
  report->steps_after = p.ops.size();
  report->verdict = v;
  return p;
}

}  // namespace respfuzz::harnesses::invalidation

namespace respfuzz::harnesses {
using namespace invalidation;  // NOLINT: the descriptor names the entry points

RESPFUZZ_REGISTER_HARNESS(
    invalidation,
    Harness{"invalidation",
            "up to 4 caching clients (ClientCache in default, BCAST, OPTIN, OPTOUT or plain mode, "
            "RESP2 or RESP3) and one in-process server with client tracking; every byte between "
            "them moves only when an op says so (send, deliver, kill, reconnect, tick, clock)",
            "no cache hit is stale beyond the documented allowances; every connection's bytes "
            "equal the tracking reference model's; every chunk reads as whole RESP frames in its "
            "protocol; the caches accept the server's bytes; Engine::Validate() and "
            "ClientCache::Validate() after every op",
            RunInvalidation, DescribeInvalidation, EncodeInvalidationText, DecodeInvalidationText,
            ExplainInvalidation, MinimizeInvalidation});

}  // namespace respfuzz::harnesses
