// The invalidation harness's checks (checks.h): run by the runner
// (runner.cc) at each step, and the harness's registration.
#include "harnesses/invalidation/checks.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/invalidation/staleness.h"
#include "src/engine/engine.h"
#include "src/resp/reader.h"
#include "src/resp/writer.h"

namespace respfuzz::harnesses::invalidation {

namespace {

using resp::Type;
using resp::Value;

std::string Show(const Value& v) { return resp::ToDebugString(v, 600); }

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
    case OpKind::kRaw:
      return "raw " + (op.argv.size() >= 2 && CommandKind(op.argv) == "CLIENT"
                           ? "CLIENT " + CommandKind({op.argv[1]})
                           : CommandKind(op.argv));
    default: {
      // The other ops' text starts with their kind: "kill c2", "clock +5ms".
      const std::string text = OpToText(op);
      return text.substr(0, text.find(' '));
    }
  }
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

}  // namespace

void Runner::Fail(std::string check, std::string message) {
  if (failed_) return;
  failed_ = true;
  const std::string where =
      op_ == static_cast<size_t>(-1) ? "(connecting)" : OpToText(program_.ops[op_]);
  result_.verdict = fuzz::Verdict::Fail(
      std::move(check), op_ == static_cast<size_t>(-1) ? -1 : int64_t(op_), where + "\n" + message);
  result_.verdict.op =
      op_ == static_cast<size_t>(-1) ? "connecting" : OpKindOf(program_.ops[op_], running_argv_);
}

// framing, then reference: the bytes the engine wrote to slot s against the
// reference model's.
bool Runner::CheckChunk(int s, const std::string& bytes) {
  std::string& expected = sc_.expected;
  expected.clear();
  for (const models::OutFrame& f : ref_->frames(s)) expected += f.bytes;
  ref_->ClearFrames(s);
  if (!bytes.empty() && !CheckFrames(s, bytes)) return false;
  if (comparing_ && bytes != expected && !SameButOrder(s, bytes, expected)) {
    Fail("reference",
         absl::StrCat("connection ", SlotName(s),
                      ": the engine wrote and the "
                      "reference model expected different bytes\nengine:    ",
                      EscapeBytes(bytes, 1000), "\nreference: ", EscapeBytes(expected, 1000)));
    return false;
  }
  return true;
}

// Two chunks for slot s that differ only in the order of a reply Redis does
// not order (SMEMBERS, HKEYS, HVALS, HGETALL; inside EXEC too).
bool Runner::SameButOrder(int s, const std::string& got, const std::string& want) {
  if (s != running_slot_ || running_argv_ == nullptr || running_argv_->empty()) return false;
  return SameRepliesButOrder(*running_argv_, exec_queue_, eng_.session(conns_[s].session).protocol,
                             got, want);
}

// framing: the chunk reads as whole frames in the session's protocol;
// invalidation frames are remembered until delivered (the staleness rule's
// (a)).
bool Runner::CheckFrames(int s, const std::string& bytes) {
  Conn& c = conns_[s];
  // A raw connection is read as RESP3, whatever it speaks: redis-server
  // 7.0.15 writes a RESP3 tracking client's null (flush) invalidation as
  // `_` to the RESP2 connection it redirects to (raw_client_reply.txt),
  // and the reference check holds it to exactly that.
  const resp::Protocol proto =
      s >= kRawSlot ? resp::Protocol::kResp3 : eng_.session(c.session).protocol;
  ParseResult& frames = sc_.frames;
  ParseWhole(*sc_.frames_parser, bytes, proto, resp::ReaderLimits{}, &frames);
  if (frames.error.code != resp::ReaderErrorCode::kNone || !frames.idle) {
    const bool ok = frames.error.code == resp::ReaderErrorCode::kNone;
    Fail("framing", absl::StrCat("connection ", SlotName(s), " (",
                                 proto == resp::Protocol::kResp3 ? "RESP3" : "RESP2", "): ",
                                 ok ? "a partial frame at the end"
                                    : absl::StrCat("does not parse: protocol error at offset ",
                                                   frames.error.offset, ": ", frames.error.reason),
                                 "\nbytes: ", EscapeBytes(bytes, 1000)));
    return false;
  }
  if (s >= kAdminSlot) return true;  // the admin, a raw connection: no cache reads them
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

// What a command sent by client i tells it by itself: the db its SELECT
// leaves, MULTI and EXEC, the keys its writes change.
void Runner::Submitted(Client& cl, OpKind kind, const std::vector<std::string>& argv,
                       uint64_t ticket) {
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
// client knows by itself, so no allowance applies. A read inside MULTI is
// queued by the server, never served. After the client's own write of one
// of the read's keys (or a FLUSHALL, FLUSHDB, SWAPDB of its db) the entry can
// only hold what a read sent after that write brought back (the reply
// reflects the write: one connection, in order), whatever the server says
// and whether or not it ever notifies (NOLOOP) or the write has even been
// sent.
bool Runner::CheckOwn(int i, const std::vector<std::string>& argv) {
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
Value Runner::ServerValue(int db, const std::vector<std::string>& argv, resp::Protocol proto,
                          bool ignore_ttl) {
  engine::Engine& scratch = *scratch_;
  scratch.AdvanceClock(eng_.now_ms() - scratch.now_ms());
  const std::vector<std::string> keys = KeysOf(argv);
  for (const std::string& k : keys) {
    if (const engine::Object* o = eng_.keyspace().Peek(db, k)) {
      scratch.keyspace().StoreWithExpire(0, k, *o,
                                         ignore_ttl ? -1 : eng_.keyspace().GetExpire(db, k));
    }
  }
  std::string bytes;
  scratch.Execute(proto == resp::Protocol::kResp3 ? scratch3_ : scratch2_, argv, &bytes);
  for (const std::string& k : keys) scratch.keyspace().Delete(0, k);
  resp::Reader reader(proto, resp::ReaderLimits{});
  std::vector<Value> values;
  resp::TreeBuilder builder(&values, &reader);
  reader.Feed(bytes, builder);
  Value v = values.size() == 1 ? std::move(values[0]) : Value::Error("unreadable: " + bytes);
  CanonicalizeUnordered(argv, &v);
  return v;
}

// staleness: a hit equals the server's current value, or the staleness rule
// (staleness.h) allows the difference.
void Runner::CheckHit(int i, const std::vector<std::string>& argv, Value hit) {
  ++result_.stats.hits;
  Client& cl = clients_[i];
  const resp::Protocol proto = cl.spec.protocol;
  CanonicalizeUnordered(argv, &hit);
  const Value now = ServerValue(cl.db, argv, proto, /*ignore_ttl=*/false);
  if (hit == now) return;
  HitFacts f;
  f.keys = KeysOf(argv);
  f.protocol = proto;
  f.mode = cl.spec.mode;
  for (int conn = 0; conn < 2; ++conn) {
    f.in_flight[conn] = &conns_[2 * i + conn].invalidations;
    f.lost[conn] = &conns_[2 * i + conn].lost;
  }
  f.killed_unseen = cl.killed_unseen;
  if (cl.spec.mode == cache::Mode::kBcast) f.bcast_prefixes = ref_->BcastPrefixes(2 * i);
  f.turn_keys = &turn_keys_;
  bool expired_stored = false;
  for (const std::string& k : f.keys) {
    if (eng_.keyspace().Peek(cl.db, k) != nullptr && eng_.keyspace().IsExpired(cl.db, k)) {
      expired_stored = true;
    }
  }
  f.expired_stored_and_equal_without_ttl =
      expired_stored && hit == ServerValue(cl.db, argv, proto, /*ignore_ttl=*/true);
  f.swap_exempt = cl.swap_exempt;
  f.noloop_missed = &cl.noloop_missed;
  if (std::optional<std::string> why = StaleHitAllowance(f)) return Allowed(*why);

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

void Runner::Allowed(const std::string& why) {
  ++result_.stats.hits_allowed;
  if (options_.trace) absl::StrAppend(&note_, " (differs; allowed: ", why, ")");
}

void Runner::NoteReplies(int i) {
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

// client, the connection's state. Only OnBytes and OnEof can disconnect a
// cache (ClientCache's contract), and only Connect() brings it back, so the
// runner's own record of those calls (Client::failed) says what the cache
// must report: not disconnected with an OK status() from Connect() on;
// disconnected with a status() that is not OK once OnBytes returned an error
// (that error) or OnEof was given. A reconnect that keeps the old error, an
// EOF that leaves the cache up, or a cache that drops out unasked fails.
void Runner::CheckConnection(int i) {
  const Client& cl = clients_[i];
  const cache::ClientCache& cc = *cl.cache;
  const bool down = cc.state() == cache::State::kDisconnected;
  if (!cl.failed && !down && cc.status().ok()) return;  // the common case, nothing built
  const std::string who = absl::StrCat("c", i + 1, " ");
  if (!cl.failed) {
    if (down) {
      return Fail("client", who + "is disconnected, but no OnBytes returned an error and no EOF " +
                                "was given since Connect(): " + cc.status().ToString());
    }
    if (!cc.status().ok()) {
      return Fail("client", absl::StrCat(who, "is ", std::string(cache::StateName(cc.state())),
                                         " since Connect(), but its status is not OK: ",
                                         cc.status().ToString()));
    }
    return;
  }
  if (!down) {
    return Fail(
        "client",
        absl::StrCat(who, "is ", std::string(cache::StateName(cc.state())), " after ",
                     cl.failure.ok() ? "an EOF" : "OnBytes returned " + cl.failure.ToString(),
                     ", with no Connect() since"));
  }
  if (cc.status().ok()) {
    return Fail("client", who + "is disconnected with an OK status");
  }
  if (!cl.failure.ok() && cc.status() != cl.failure) {
    return Fail("client", absl::StrCat(who, "is disconnected with status ", cc.status().ToString(),
                                       ", but OnBytes returned ", cl.failure.ToString()));
  }
}

// liveness. Cheap tests first: it runs after every op for every client.
void Runner::CheckLiveness(int i) {
  const Client& cl = clients_[i];
  const cache::ClientCache& cc = *cl.cache;
  if (cl.failed || cc.options().mode == cache::Mode::kPlain) return;
  if (cc.ready() && cc.caching()) return;
  for (int conn = 0; conn < cc.connections(); ++conn) {
    const Conn& c = conns_[2 * i + conn];
    if (!c.open || !c.down.empty() || cl.killed_unseen[conn] || cc.HasOutput(conn)) return;
    if (c.session < 0 || !eng_.session(c.session).open) return;
  }
  const int64_t id = eng_.session(conns_[2 * i].session).id;
  if (!eng_.tracker().IsOn(id)) return;
  Fail("liveness",
       absl::StrCat("c", i + 1, " is ", std::string(cache::StateName(cc.state())),
                    cc.ready() ? " but not caching" : "",
                    ", with every byte moved both ways and the server tracking its data "
                    "connection (client id ",
                    id, "): the cache ignores tracking the server gave it"));
}

// validate. A structure is validated after every op that can have changed
// it, and only then: the same state validates the same way. The engine
// changes only through a server action (each ends in Collect(), which drains
// the engine) or a connection opening or closing; a client's cache only
// through the runner's calls on it (cache_touched_) or by handing out
// replies (TakeReplies).
void Runner::ValidateTouched() {
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
        CanonicalizeUnordered(argv, &v);
      } else if (v.type == Type::kArray && v.elems.size() == exec_queue.size()) {
        for (size_t k = 0; k < v.elems.size(); ++k)
          CanonicalizeUnordered(exec_queue[k], &v.elems[k]);
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

std::optional<Program> MinimizeProgram(Program p, const RunOptions& options,
                                       MinimizeReport* report) {
  return MinimizeOps<Program>(
      std::move(p), [&](const Program& c) { return RunProgram(c, options).verdict; }, report);
}

namespace {

fuzz::Verdict RunWithDefaults(const Program& p) { return RunProgram(p).verdict; }

std::string DescribeProgram(const Program& p) {
  return absl::StrCat(p.clients.size(), " clients, ", p.ops.size(), " ops:\n", ProgramToText(p));
}

std::string ExplainProgram(const Program& p) {
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

// The op-level mutator's view of an op: its client, each argument of a read
// or write (from the pool of its shape's letter), the prefixes of tracking
// on, and the deliver, clock and config numbers.
void InvalidationArgSlots(Op* op, std::vector<ArgSlot>* out) {
  switch (op->kind) {
    case OpKind::kRead:
    case OpKind::kWrite: {
      if (op->argv.empty()) break;
      const auto shapes = op->kind == OpKind::kRead ? ReadCommands() : WriteCommands();
      const CommandShape* shape = nullptr;
      for (const CommandShape& s : shapes) {
        if (s.name == op->argv[0]) shape = &s;
      }
      if (shape == nullptr) break;
      for (size_t i = 1; i < op->argv.size(); ++i) {
        const size_t at = i - 1;
        char letter = 'v';
        if (at < shape->fixed.size()) {
          letter = shape->fixed[at];
        } else if (!shape->tail.empty()) {
          letter = shape->tail[(at - shape->fixed.size()) % shape->tail.size()];
        }
        Arg arg = Arg::kValue;
        ValueKind kind = ValueKind::kBytes;
        switch (letter) {
          case 'k':
            arg = Arg::kKey, kind = ValueKind::kKey;
            break;
          case 'f':
            arg = Arg::kField, kind = ValueKind::kKey;
            break;
          case 'i':
            arg = Arg::kInt, kind = ValueKind::kInteger;
            break;
          case 'r':
            arg = Arg::kRange, kind = ValueKind::kRange;
            break;
          case 'd':
            arg = Arg::kDb, kind = ValueKind::kInteger;
            break;
          default:
            break;
        }
        out->push_back(ArgSlot::Text(&op->argv[i], kind, Pool(arg), kMaxLiteralLen));
      }
      break;
    }
    case OpKind::kRaw: {
      size_t words = 0;
      const CommandShape* shape = RawShapeOf(op->argv, &words);
      if (shape == nullptr) break;
      for (size_t i = words; i < op->argv.size(); ++i) {
        const size_t at = i - words;
        const char letter = at < shape->fixed.size()
                                ? shape->fixed[at]
                                : shape->tail[(at - shape->fixed.size()) % shape->tail.size()];
        const Arg arg = ArgOfLetter(letter);
        const ValueKind kind = arg == Arg::kKey || arg == Arg::kField         ? ValueKind::kKey
                               : arg == Arg::kValue                           ? ValueKind::kBytes
                               : arg == Arg::kGeoCoord || arg == Arg::kRadius ? ValueKind::kFloat
                                                                              : ValueKind::kWord;
        out->push_back(ArgSlot::Text(&op->argv[i], kind, Pool(arg), kMaxLiteralLen));
      }
      out->push_back(ArgSlot::Number(&op->client, 0, kMaxRaw - 1));
      break;
    }
    case OpKind::kTrackingOn:
      for (std::string& prefix : op->prefixes) {
        out->push_back(ArgSlot::Text(&prefix, ValueKind::kKey, Pool(Arg::kPrefix), kMaxLiteralLen));
      }
      break;
    case OpKind::kDeliver:
      out->push_back(ArgSlot::Number(&op->bytes, 1, kMaxDeliverBytes));
      break;
    case OpKind::kClock:
      out->push_back(ArgSlot::Number(&op->clock_ms, 0, UINT32_MAX, ClockSteps()));
      break;
    case OpKind::kConfigTableMaxKeys:
      out->push_back(ArgSlot::Number(&op->table_max_keys, 0, UINT32_MAX, TableKeySteps()));
      break;
    case OpKind::kConfigMaxmemory:
      out->push_back(ArgSlot::Number(&op->maxmemory, 0, UINT32_MAX, MaxmemorySteps()));
      break;
    default:
      break;
  }
  switch (op->kind) {
    case OpKind::kRead:
    case OpKind::kWrite:
    case OpKind::kTrackingOff:
    case OpKind::kTrackingOn:
    case OpKind::kMulti:
    case OpKind::kExec:
    case OpKind::kSend:
    case OpKind::kDeliver:
    case OpKind::kKill:
    case OpKind::kReconnect:
      out->push_back(ArgSlot::Number(&op->client, 0, kMaxClients - 1));
      break;
    default:
      break;
  }
}

}  // namespace

// decode, encode, print, parse, run, explain, describe, shrink_op, args,
// max_ops (ProgramCodec)
const ProgramCodec<Program> kInvalidationProgram = {
    DecodeProgram,  EncodeProgram,   ProgramToText, ProgramFromText,      RunWithDefaults,
    ExplainProgram, DescribeProgram, nullptr,       InvalidationArgSlots, kMaxOps};

}  // namespace respfuzz::harnesses::invalidation

namespace respfuzz::harnesses {

RESPFUZZ_REGISTER_PROGRAM_HARNESS(
    invalidation,
    "up to 4 caching clients (ClientCache in default, BCAST, OPTIN, OPTOUT or plain mode, "
    "RESP2 or RESP3) and one in-process server with client tracking; every byte between "
    "them moves only when an op says so (send, deliver, kill, reconnect, tick, clock)",
    "no cache hit is stale beyond the documented allowances; every connection's bytes "
    "equal the tracking reference model's; every chunk reads as whole RESP frames in its "
    "protocol; the caches accept the server's bytes and are disconnected exactly after "
    "an error or an EOF, until they reconnect; Engine::Validate() and "
    "ClientCache::Validate() after every op",
    invalidation::kInvalidationProgram);

}  // namespace respfuzz::harnesses
