#include "harnesses/command_handler/checks.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "harnesses/common/hiredis_parser.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/common/scratch.h"
#include "harnesses/models/reference_model.h"
#include "harnesses/models/reference_state.h"
#include "src/engine/engine.h"
#include "src/resp/reader.h"
#include "src/resp/writer.h"

namespace respfuzz::harnesses {

namespace {

using resp::Type;
using resp::Value;

bool IsList(const Value& v) {
  return v.type == Type::kArray || v.type == Type::kSet || v.type == Type::kMap;
}

void SortElements(Value* v) {
  std::vector<std::pair<std::string, Value>> keyed;
  keyed.reserve(v->elems.size());
  for (Value& e : v->elems) keyed.emplace_back(resp::ToDebugString(e), std::move(e));
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  v->elems.clear();
  for (auto& [k, e] : keyed) v->elems.push_back(std::move(e));
}

void SortPairs(Value* v) {
  if (v->elems.size() % 2 != 0) return;
  std::vector<std::pair<std::string, std::pair<Value, Value>>> keyed;
  for (size_t i = 0; i < v->elems.size(); i += 2) {
    std::string k =
        resp::ToDebugString(v->elems[i]) + "\x01" + resp::ToDebugString(v->elems[i + 1]);
    keyed.emplace_back(std::move(k),
                       std::make_pair(std::move(v->elems[i]), std::move(v->elems[i + 1])));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  v->elems.clear();
  for (auto& [k, p] : keyed) {
    v->elems.push_back(std::move(p.first));
    v->elems.push_back(std::move(p.second));
  }
}

std::string Show(const Value& v) { return resp::ToDebugString(v, 600); }

// Parsers and buffers reused from op to op and from input to input, each
// emptied before use, so a program allocates for its replies only when one
// needs more room than those before it. RunCommandProgram puts them back at
// the end of every input (AtEndOfInput): libFuzzer re-runs an input that
// leaves more allocations than it freed.
struct Scratch {
  std::unique_ptr<ReplyParser> ours = MakeReplyParser();
  std::unique_ptr<ReplyParser> hiredis = MakeHiredisParser();
  ParseResult got;                // our reader's values of one reply
  resp::ReplyTree theirs;         // hiredis's
  resp::ReplyTree ours_nil;       // ours with hiredis's one nil
  std::string bytes;              // the engine's reply
  std::string again;              // the reply re-written
  std::vector<std::string> argv;  // a copy of the op's argv, given away to the engine
  bool in_use = false;

  void Release() {
    ours->Start(resp::Protocol::kResp3, resp::ReaderLimits{});
    hiredis->Start(resp::Protocol::kResp2, resp::ReaderLimits{});
    got.values.Reset();
    got.error = {};
    theirs.Reset();
    ours_nil.Reset();
    bytes.clear();
    again.clear();
    argv.clear();
    in_use = false;
  }
};

// Our reader, in RESP3 mode (a superset of RESP2): RESP3 types in a RESP2
// session are the hiredis check's business. The reply must read as exactly
// one value.
// One RESP token of `s` at *p (a line, or a bulk header with its payload);
// false at the end or on bytes that are no token.
bool NextToken(std::string_view s, size_t* p, std::string_view* token) {
  if (*p >= s.size()) return false;
  size_t eol = s.find("\r\n", *p);
  if (eol == std::string_view::npos) return false;
  size_t end = eol + 2;
  const char t = s[*p];
  if (t == '$' || t == '!' || t == '=') {
    int64_t n = 0;
    if (!models::refmodel::String2ll(std::string(s.substr(*p + 1, eol - *p - 1)), &n)) {
      return false;
    }
    if (n >= 0) end = eol + 2 + static_cast<size_t>(n) + 2;
    if (end > s.size()) return false;
  }
  *token = s.substr(*p, end - *p);
  *p = end;
  return true;
}

// The engine's reply bytes and their re-writing ("%.17g" doubles) differ
// only in doubles the engine printed as Redis prints GEO coordinates
// (addReplyHumanLongDouble: "%.17Lf" with the trailing zeros cut, a RESP3
// double), each the same number as the re-written one.
bool SameButCoordinates(std::string_view engine, std::string_view again) {
  size_t p = 0, q = 0;
  std::string_view a, b;
  for (;;) {
    const bool more_a = NextToken(engine, &p, &a), more_b = NextToken(again, &q, &b);
    if (more_a != more_b) return false;
    if (!more_a) return p == engine.size() && q == again.size();
    if (a == b) continue;
    if (a[0] != ',' || b[0] != ',') return false;
    const std::string text(a.substr(1, a.size() - 3)), rewritten(b.substr(1, b.size() - 3));
    const double d = strtod(rewritten.c_str(), nullptr);
    if (strtod(text.c_str(), nullptr) != d) return false;
    if (text != models::refmodel::FormatLongDoubleHuman(static_cast<long double>(d))) return false;
  }
}

bool ReadOne(Scratch& sc, std::string* why) {
  ParseWhole(*sc.ours, sc.bytes, resp::Protocol::kResp3, resp::ReaderLimits{}, &sc.got);
  if (sc.got.error.code != resp::ReaderErrorCode::kNone) {
    *why = "the reply does not parse: " + DescribeError(sc.got.error);
    return false;
  }
  if (sc.got.values.size() != 1 || !sc.got.idle) {
    *why = absl::StrCat("expected exactly one reply value, got ", sc.got.values.size(),
                        sc.got.idle ? "" : " and a partial one");
    return false;
  }
  return true;
}

// What the engine sent each session other than the op's sender during the
// op (a blocked session served, timed out or unblocked; pub/sub messages
// and keyspace events) against what the reference model delivered
// (`delivered`): each session's bytes read as exactly the model's frames
// (SameFrames); a session the model sent nothing received nothing.
bool CheckDelivered(engine::Engine& eng, std::vector<std::pair<int, Value>> delivered, int sender,
                    Scratch& sc, std::string* check, std::string* why,
                    std::vector<OpTrace>* trace) {
  std::array<std::vector<Value>, kMaxSessions> expected;
  for (auto& [session, reply] : delivered) {
    if (session < 0 || session >= kMaxSessions) continue;
    expected[session].push_back(std::move(reply));
  }
  for (int t = 0; t < kMaxSessions; ++t) {
    if (t == sender) continue;
    std::string bytes = eng.TakeOutput(t);
    if (bytes.empty() && expected[t].empty()) continue;
    ParseWhole(*sc.ours, bytes, resp::Protocol::kResp3, resp::ReaderLimits{}, &sc.got);
    if (sc.got.error.code != resp::ReaderErrorCode::kNone || !sc.got.idle) {
      *why = absl::StrCat("session s", t + 1,
                          " received bytes that do not parse: ", EscapeBytes(bytes, 400));
      return false;
    }
    std::string got_text, want_text;
    std::vector<Value> got;
    for (size_t k = 0; k < sc.got.values.size(); ++k) {
      got_text += resp::ToDebugString(sc.got.values[k], 300) + " ";
      got.push_back(resp::ToValue(sc.got.values[k]));
    }
    for (const Value& v : expected[t]) want_text += Show(v) + " ";
    if (trace != nullptr) {
      trace->push_back({absl::StrCat("  (s", t + 1, " received)"), got_text, want_text});
    }
    if (!SameFrames(got, expected[t])) {
      *why = absl::StrCat("session s", t + 1, " received from the engine: [", got_text,
                          "]\nthe reference delivered: [", want_text, "]");
      *check = "blocking";
      for (const std::vector<Value>* side : {&got, &expected[t]}) {
        for (const Value& v : *side) {
          if (IsPubSubFrame(v)) *check = "pubsub";
        }
      }
      if (eng.session(t).monitor) *check = "monitor";  // its lines (reference_monitor.cc)
      return false;
    }
  }
  return true;
}

}  // namespace

bool CommandIs(std::string_view name, std::string_view upper) {
  if (name.size() != upper.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

// A pub/sub frame: a push (RESP3), or a RESP2 message or (un)subscribe
// confirmation.
bool IsPubSubFrame(const Value& v) {
  if (v.type == Type::kPush) return true;
  if (v.type != Type::kArray || v.elems.size() < 3 || v.elems[0].type != Type::kBulkString) {
    return false;
  }
  for (std::string_view kind : {"message", "pmessage", "smessage", "subscribe", "unsubscribe",
                                "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe"}) {
    if (v.elems[0].str == kind) return true;
  }
  return false;
}

bool ExecSwitchesProtocol(const engine::Engine& eng, int s, const std::vector<std::string>& argv) {
  if (!CommandIs(argv[0], "EXEC")) return false;
  for (const std::vector<std::string>& q : eng.session(s).queued) {
    if (CommandIs(q[0], "HELLO")) return true;
  }
  return false;
}

// Two streams of frames for one session agree: the pushes in the same
// order, and the other frames (replies; RESP2 messages are arrays, so there
// everything) in the same order. Where a push falls among the replies is
// not compared: the model does not say where each command writes its reply
// among the events it publishes (docs/notifications.md).
bool SameFrames(const std::vector<Value>& got, const std::vector<Value>& want) {
  auto split = [](const std::vector<Value>& all, bool pushes) {
    std::vector<const Value*> out;
    for (const Value& v : all) {
      if ((v.type == Type::kPush) == pushes) out.push_back(&v);
    }
    return out;
  };
  for (bool pushes : {true, false}) {
    const auto a = split(got, pushes), b = split(want, pushes);
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!(*a[i] == *b[i])) return false;
    }
  }
  return true;
}

void TransactionTracker::Observe(int session, const std::vector<std::string>& argv,
                                 const Value& truth) {
  auto& q = queued_[session];
  if (truth.type == Type::kSimpleString && truth.str == "QUEUED") {
    q.push_back(argv);
  } else if (CommandIs(argv[0], "EXEC") || CommandIs(argv[0], "DISCARD") ||
             (CommandIs(argv[0], "MULTI") && truth.type != Type::kError)) {
    q.clear();
  }
}

void RerunPostponed(engine::Engine& eng, PostponedCommands* postponed,
                    TransactionTracker* transactions) {
  for (int t : eng.TakeUnblocked()) {
    std::vector<std::string>& waiting = (*postponed)[t];
    if (waiting.empty() || eng.session(t).postponed) continue;
    std::vector<std::string> cmd = std::move(waiting);
    waiting.clear();
    if (!eng.session(t).open) continue;
    const size_t queued = eng.session(t).queued.size();
    eng.Run(t, cmd);
    if (eng.session(t).postponed) waiting = cmd;  // it waits again
    if (eng.session(t).queued.size() > queued) {
      transactions->Observe(t, cmd, Value::Simple("QUEUED"));
    } else if (CommandIs(cmd[0], "EXEC") || CommandIs(cmd[0], "DISCARD")) {
      transactions->Observe(t, cmd, Value::Simple("OK"));
    }
  }
}

ReplyOrder ReplyOrderOf(std::string_view command, HashOrder hash_order) {
  // A hash in insertion order on both sides (HashOrder).
  if (hash_order == HashOrder::kInOrder &&
      (CommandIs(command, "HKEYS") || CommandIs(command, "HVALS") ||
       CommandIs(command, "HGETALL"))) {
    return ReplyOrder::kOrdered;
  }
  // Redis documents these replies as unordered: set members (SMEMBERS,
  // SINTER, SUNION, SDIFF), hash fields and values (HKEYS, HVALS, HGETALL,
  // which keeps each field with its value), key listings (KEYS, SCAN's keys).
  for (std::string_view unordered :
       {"SMEMBERS", "SINTER", "SUNION", "SDIFF", "KEYS", "HKEYS", "HVALS"}) {
    if (CommandIs(command, unordered)) return ReplyOrder::kUnorderedElements;
  }
  // CONFIG GET's map is in Redis's dict order.
  if (CommandIs(command, "HGETALL") || CommandIs(command, "CONFIG")) {
    return ReplyOrder::kUnorderedPairs;
  }
  if (CommandIs(command, "SCAN")) return ReplyOrder::kUnorderedScanKeys;
  // Everything else is compared in order: LRANGE, LPOP/RPOP with a count,
  // LPOS COUNT, the ZRANGE family and ZPOPMIN/ZPOPMAX, MGET, HMGET, SMISMEMBER,
  // ZMSCORE, HELLO's map, and EXEC's elements (each canonicalized by its own
  // command through TransactionTracker::ForEachAnswer).
  return ReplyOrder::kOrdered;
}

// The fields of a CLIENT INFO line (catClientInfoString) that neither the
// reference model nor a second server can know (the client id, addresses,
// the fd, ages, buffer and memory figures) read "?"; the others (name,
// flags, db, sub, psub, ssub, multi, multi-mem, events, cmd, user, redir,
// resp) stay. `from` skips a verbatim string's "txt:".
void MaskInfoFields(std::string* text, size_t from) {
  static constexpr std::string_view kMasked[] = {
      "id",       "addr", "laddr", "fd",  "age", "idle", "qbuf",   "qbuf-free",
      "argv-mem", "rbs",  "rbp",   "obl", "oll", "omem", "tot-mem"};
  std::string out = text->substr(0, from);
  size_t i = from;
  while (i < text->size()) {
    const size_t end = std::min(text->find_first_of(" \n", i), text->size());
    std::string_view field(text->data() + i, end - i);
    const size_t eq = field.find('=');
    if (eq != std::string_view::npos && std::find(std::begin(kMasked), std::end(kMasked),
                                                  field.substr(0, eq)) != std::end(kMasked)) {
      out.append(field.substr(0, eq + 1));
      out.push_back('?');
    } else {
      out.append(field);
    }
    if (end < text->size()) out.push_back((*text)[end]);
    i = end + 1;
  }
  *text = std::move(out);
}

// CLIENT INFO and CLIENT LIST, and the client-info of each ACL LOG entry
// (a map, or a flat array in RESP2).
void MaskClientInfo(const std::vector<std::string>& argv, Value* reply) {
  if (argv.size() >= 2 && CommandIs(argv[0], "ACL") && CommandIs(argv[1], "LOG") &&
      reply->type == Type::kArray) {
    for (Value& entry : reply->elems) {
      for (size_t i = 0; i + 1 < entry.elems.size(); i += 2) {
        if (entry.elems[i].str == "client-info" && entry.elems[i + 1].type == Type::kBulkString) {
          MaskInfoFields(&entry.elems[i + 1].str, 0);
        }
      }
    }
    return;
  }
  if (argv.size() != 2 && !(argv.size() >= 2 && CommandIs(argv[1], "LIST"))) return;
  if (!CommandIs(argv[0], "CLIENT") || argv[1].find('\0') != std::string::npos ||
      !(CommandIs(argv[1], "INFO") || CommandIs(argv[1], "LIST"))) {
    return;
  }
  if (reply->type != Type::kBulkString && reply->type != Type::kVerbatim) return;
  MaskInfoFields(&reply->str, reply->type == Type::kVerbatim ? 4 : 0);
}

// COMMAND INFO and COMMAND DOCS: a container's subcommands in name order
// (redis-server lists them in its dict's order, seeded per process).
void SortSubcommands(const std::vector<std::string>& argv, Value* reply) {
  if (argv.size() < 2 || !CommandIs(argv[0], "COMMAND") || !IsList(*reply)) return;
  if (CommandIs(argv[1], "INFO")) {
    for (Value& entry : reply->elems) {
      if (entry.type != Type::kArray || entry.elems.size() != 10) continue;
      std::sort(entry.elems[9].elems.begin(), entry.elems[9].elems.end(),
                [](const Value& a, const Value& b) {
                  return !a.elems.empty() && !b.elems.empty() && a.elems[0].str < b.elems[0].str;
                });
    }
  } else if (CommandIs(argv[1], "DOCS")) {
    for (size_t i = 1; i < reply->elems.size(); i += 2) {
      Value& docs = reply->elems[i];
      for (size_t j = 0; j + 1 < docs.elems.size(); j += 2) {
        if (docs.elems[j].str == "subcommands") SortPairs(&docs.elems[j + 1]);
      }
    }
  }
}

// ACL: where redis-server's order comes from its command dict (seeded per
// process), both sides are put in one order: ACL CAT <category>'s names
// sorted; in ACL LIST's and GETUSER's command rules, the single-command
// rules after the categories sorted by command name (a container before
// its subcommands). ACL GENPASS is random: its shape is compared (the
// length, hex digits read 'h').
void CanonicalizeRules(std::string* rules) {
  std::vector<std::string> head, single;
  size_t i = 0;
  while (i <= rules->size()) {
    size_t end = std::min(rules->find(' ', i), rules->size());
    std::string tok = rules->substr(i, end - i);
    if (tok.size() > 1 && (tok[0] == '+' || tok[0] == '-') && tok[1] != '@') {
      single.push_back(tok);
    } else {
      head.push_back(tok);
    }
    i = end + 1;
  }
  std::stable_sort(single.begin(), single.end(), [](const std::string& a, const std::string& b) {
    return a.substr(1) < b.substr(1);
  });
  std::string out;
  for (const auto* v : {&head, &single}) {
    for (const std::string& t : *v) out += (out.empty() ? "" : " ") + t;
  }
  *rules = out;
}

void CanonicalizeAcl(const std::vector<std::string>& argv, Value* reply) {
  if (argv.size() < 2 || !CommandIs(argv[0], "ACL")) return;
  if (CommandIs(argv[1], "CAT") && argv.size() == 3 && IsList(*reply)) {
    SortElements(reply);
  } else if (CommandIs(argv[1], "GENPASS") && reply->type == Type::kBulkString) {
    for (char& c : reply->str) {
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) c = 'h';
    }
  } else if (CommandIs(argv[1], "LIST") && IsList(*reply)) {
    for (Value& line : reply->elems) {
      // "user NAME flags... [#hash...] [keys] &...|resetchannels... -@all|+@all rules..."
      const size_t at = std::min({line.str.find(" -@all"), line.str.find(" +@all")});
      if (at == std::string::npos) continue;
      std::string rules = line.str.substr(at + 1);
      CanonicalizeRules(&rules);
      line.str = line.str.substr(0, at + 1) + rules;
    }
  } else if (CommandIs(argv[1], "GETUSER") && reply->elems.size() >= 6) {
    for (size_t i = 0; i + 1 < reply->elems.size(); i += 2) {
      if (reply->elems[i].str == "commands") CanonicalizeRules(&reply->elems[i + 1].str);
    }
  }
}

void CanonicalizeReply(const std::vector<std::string>& argv, Value* reply, HashOrder hash_order) {
  CanonicalizeAcl(argv, reply);
  MaskClientInfo(argv, reply);
  SortSubcommands(argv, reply);
  if (argv.empty() || !IsList(*reply)) return;
  // PUBSUB CHANNELS / SHARDCHANNELS list a dict: no order.
  if (CommandIs(argv[0], "PUBSUB") && argv.size() >= 2 &&
      (CommandIs(argv[1], "CHANNELS") || CommandIs(argv[1], "SHARDCHANNELS"))) {
    SortElements(reply);
    return;
  }
  // FUNCTION LIST: libraries and each library's functions in dict order.
  if (CommandIs(argv[0], "FUNCTION") && argv.size() >= 2 && CommandIs(argv[1], "LIST")) {
    for (Value& lib : reply->elems) {
      for (size_t i = 0; i + 1 < lib.elems.size(); i += 2) {
        if (lib.elems[i].str == "functions" && IsList(lib.elems[i + 1])) {
          SortElements(&lib.elems[i + 1]);
        }
      }
    }
    SortElements(reply);
    return;
  }
  switch (ReplyOrderOf(argv[0], hash_order)) {
    case ReplyOrder::kOrdered:
      return;
    case ReplyOrder::kUnorderedElements:
      SortElements(reply);
      return;
    case ReplyOrder::kUnorderedPairs:
      SortPairs(reply);
      return;
    case ReplyOrder::kUnorderedScanKeys:
      if (reply->elems.size() == 2 && IsList(reply->elems[1])) SortElements(&reply->elems[1]);
      return;
  }
}

HashOrder OracleHashOrder(const engine::Engine& e, int db, const std::vector<std::string>& command,
                          bool in_exec) {
  if (in_exec || command.size() < 2 || db < 0 || db >= e.keyspace().num_dbs()) {
    return HashOrder::kUnordered;
  }
  const auto& dict = e.keyspace().db(db).dict;
  auto it = dict.find(command[1]);
  if (it == dict.end() || !engine::Is<engine::Hash>(it->value) || it->value.hashtable()) {
    return HashOrder::kUnordered;
  }
  return HashOrder::kInOrder;
}

bool IsAclOp(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  if (CommandIs(argv[0], "ACL") || CommandIs(argv[0], "AUTH")) return true;
  if (!CommandIs(argv[0], "CONFIG") || argv.size() < 3) return false;
  for (size_t i = 2; i < argv.size(); ++i) {
    const std::string name = argv[i].substr(0, argv[i].find('\0'));
    if (CommandIs(argv[1], "GET") &&
        models::refmodel::StringMatch(name, "requirepass", /*nocase=*/true)) {
      return true;
    }
    if (CommandIs(name, "REQUIREPASS")) return true;  // CONFIG SET's names (and values)
  }
  return false;
}

bool OutsideTheModel(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  if (!kAclCompared && IsAclOp(argv)) return true;
  // Names match whole, in any letter case, as the engine looks them up.
  auto is = [](std::string_view arg, std::string_view upper) {
    return arg.find('\0') == std::string_view::npos && CommandIs(arg, upper);
  };
  // INFO reports the engine's statistics, which the model does not keep.
  // DUMP / RESTORE: no serializer in the model yet. (EVAL and SCRIPT are
  // in the model: reference_scripting.cc; FUNCTION and FCALL too:
  // reference_functions.cc, but FUNCTION DUMP; the subscription
  // commands: reference_notify.cc.)
  // (MONITOR is in the model: reference_monitor.cc.)
  // PFSELFTEST: engine-only (a self test of 0.3 s whose only reply is OK
  // or TESTFAILED; tests/hyperloglog_test.cc and the recordings).
  for (std::string_view name : {"INFO", "DUMP", "RESTORE", "RESTORE-ASKING", "PFSELFTEST"}) {
    if (is(argv[0], name)) return true;
  }
  // MIGRATE (src/engine/migrate.cc): another server over a connection; the
  // harness's engine has none to reach (tests/serve_migrate_test.sh
  // compares it with redis-server 7.0.15's).
  if (is(argv[0], "MIGRATE")) return true;
  // Persistence (src/engine/persist.cc): engine-only, files and the process.
  for (std::string_view name : {"SAVE", "BGSAVE", "LASTSAVE", "SHUTDOWN", "BGREWRITEAOF"}) {
    if (is(argv[0], name)) return true;
  }
  // SYNC / PSYNC / REPLCONF (src/engine/replication.cc): engine-only here; the
  // replication stream is compared with redis-server 7.0.15's by
  // tests/serve_replication_test.sh and tests/engine_replication_test.cc.
  if (is(argv[0], "SYNC") || is(argv[0], "PSYNC") || is(argv[0], "REPLCONF")) return true;
  // FUNCTION DUMP: no serializer in the model (FUNCTION RESTORE is in it:
  // reference_functions.cc with reference_dump_payload.cc).
  if (is(argv[0], "FUNCTION") && argv.size() >= 2 && is(argv[1], "DUMP")) return true;
  // PFDEBUG GETREG replies 16384 registers, past the reply readers'
  // aggregate budget (4096 elements); TODENSE makes the same conversion.
  // The model's GETREG plays the recordings (tests/recordings/hyperloglog.json).
  if (is(argv[0], "PFDEBUG") && argv.size() >= 2 && is(argv[1], "GETREG")) return true;
  // DEBUG: the model runs PROTOCOL, SET-ACTIVE-EXPIRE, DIGEST,
  // DIGEST-VALUE, LOG, POPULATE (up to kMaxPopulate keys of up to
  // kMaxPopulateSize bytes: a program's size) and RELOAD (saved and
  // flushed, or NOFLUSH with MERGE; NOSAVE reads the file the engine-only
  // SAVE wrote, and NOFLUSH alone is where redis-server panics), and the
  // refusal from a remote session; the engine refuses or runs 7.0.15's
  // other subcommands (src/engine/cmd_debug.cc), which the model, not
  // listing them, would answer with the syntax error. The subcommand is
  // matched as debugCommand's strcasecmp does, up to a NUL.
  if (is(argv[0], "DEBUG") && argv.size() >= 2) {
    const std::string_view sub = std::string_view(argv[1]).substr(0, argv[1].find('\0'));
    if (CommandIs(sub, "POPULATE") && argv.size() >= 3) {
      constexpr int64_t kMaxPopulate = 64, kMaxPopulateSize = 1024;
      int64_t n = 0;
      if (models::refmodel::String2ll(argv[2], &n) && n > kMaxPopulate) return true;
      if (argv.size() >= 5 && models::refmodel::String2ll(argv[4], &n) && n > kMaxPopulateSize) {
        return true;
      }
      return false;
    }
    if (CommandIs(sub, "RELOAD")) {
      bool merge = false, noflush = false;
      for (size_t j = 2; j < argv.size(); ++j) {
        const std::string opt = models::refmodel::CString(argv[j]);
        if (CommandIs(opt, "NOSAVE")) return true;
        merge = merge || CommandIs(opt, "MERGE");
        noflush = noflush || CommandIs(opt, "NOFLUSH");
      }
      return noflush && !merge;
    }
    return !CommandIs(sub, "PROTOCOL") && !CommandIs(sub, "SET-ACTIVE-EXPIRE") &&
           !CommandIs(sub, "DIGEST") && !CommandIs(sub, "DIGEST-VALUE") && !CommandIs(sub, "LOG") &&
           !CommandIs(sub, "POPULATE");
  }
  // SCRIPT DEBUG starts the Lua debugger (a session of its own).
  if (is(argv[0], "SCRIPT") && argv.size() >= 2 && is(argv[1], "DEBUG")) return true;
  // Streams: see kStreamsCompared.
  if (argv[0].size() >= 4 && (argv[0][0] == 'X' || argv[0][0] == 'x')) {
    for (std::string_view name :
         {"XADD", "XLEN", "XRANGE", "XREVRANGE", "XDEL", "XTRIM", "XSETID", "XREAD", "XGROUP",
          "XREADGROUP", "XACK", "XPENDING", "XCLAIM", "XAUTOCLAIM", "XINFO"}) {
      if (!is(argv[0], name)) continue;
      return !kStreamsCompared;
    }
  }
  // COMMAND: the model knows COUNT, INFO of GET DEL ECHO, GETKEYS of GET DEL
  // MSET ECHO, and the unknown-subcommand and arity errors
  // (reference_command_info.cc); the rest of 7.0.15's facts it does not.
  if (is(argv[0], "COMMAND")) {
    if (argv.size() == 1) return true;
    const std::string sub = models::refmodel::Lowered(argv[1]);
    if (sub == "info" && argv.size() > 2) {
      for (size_t i = 2; i < argv.size(); ++i) {
        if (!models::refmodel::CommandInfoKnows(models::refmodel::Lowered(argv[i]))) return true;
      }
      return false;
    }
    if (sub == "getkeys" && argv.size() >= 4) {
      return !models::refmodel::CommandGetKeysKnows(models::refmodel::Lowered(argv[2]));
    }
    if (sub == "docs" || sub == "list" || sub == "getkeysandflags" || sub == "help" ||
        (sub == "info" && argv.size() == 2)) {
      return argv[1].find('\0') == std::string::npos;
    }
    return false;
  }
  if (!is(argv[0], "CLIENT") || argv.size() < 2) return false;
  for (std::string_view sub :
       {"TRACKING", "CACHING", "GETREDIR", "TRACKINGINFO", "KILL", "REPLY"}) {
    if (is(argv[1], sub)) return true;
  }
  return false;
}

namespace {

// Verdict::op of a violation at `op`: the command's name as CommandNames()
// spells it ("(other command)" for a literal name that is none of them), or
// the kind of a clock or active-expire op.
std::string OpKindOf(const Op& op) {
  switch (op.kind) {
    case OpKind::kClock:
      return "clock";
    case OpKind::kActiveExpire:
      return "active-expire";
    case OpKind::kCommand:
      break;
  }
  for (std::string_view name : CommandNames()) {
    if (!op.argv.empty() && CommandIs(op.argv[0], name)) return std::string(name);
  }
  return "(other command)";
}

}  // namespace

engine::EngineOptions CommandEngineOptions(const CommandRunOptions& options) {
  engine::EngineOptions eo;
  eo.start_ms = options.start_ms;
  eo.max_string_len = options.max_string_len;
  eo.random_seed = options.random_seed;
  eo.max_random_repeats = options.max_random_repeats;
  eo.enable_debug_command = engine::EngineOptions::ProtectedAction::kLocal;
  return eo;
}

namespace {

// The lower-case full name the model's NotifyModelled knows a command by.
std::string NotifyName(const std::vector<std::string>& argv) {
  std::string name = models::refmodel::Lowered(argv[0]);
  if (argv.size() >= 2) {
    for (const char* container :
         {"config", "client", "object", "memory", "pubsub", "command", "xgroup", "xinfo"}) {
      if (name == container) return name + "|" + models::refmodel::Lowered(argv[1]);
    }
  }
  return name;
}

bool IsSubscription(const std::string& argv0) {
  for (std::string_view name :
       {"SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE"}) {
    if (CommandIs(argv0, name)) return true;
  }
  return false;
}

}  // namespace

// Ops the harness runs on neither side because of the state both sides
// are in (docs/harnesses.md, "Pub/sub and keyspace notifications"): a
// subscription command queued in MULTI (its confirmations would land in
// EXEC's array), MULTI from a RESP3 session subscribed to anything (a
// message it publishes itself would land inside EXEC's array), DEBUG
// PROTOCOL push inside MULTI (the same), and, while
// notify-keyspace-events selects any class, a command whose events the
// model does not publish, or an EXEC that queued one; and a stream read or
// claim from a subscribed RESP3 session while stream events are selected.
// Empty: run it.
std::string NotInThisState(const models::ReferenceModel& ref, const Op& op) {
  const models::refmodel::Session& me = ref.session(op.session);
  // CLIENT PAUSE (reference_pause.cc). A postponed command runs again when
  // the pause ends, its reply among the frames delivered to its session,
  // compared as they come: not one whose reply Redis leaves unordered (nor
  // an EXEC of one). A command that ends a pause may make one run again
  // that sends frames to a subscribed or monitoring sender after its reply,
  // where the harness reads them with the next command's. And a write after
  // a CLIENT PAUSE in the same EXEC may meet a key the pause keeps expired,
  // which 7.0.15 asserts on (the engine overwrites it: docs/fidelity.md).
  if (ref.AnyPostponed() && (me.pubsub() || me.monitor)) {
    return "a subscribed or monitoring session's command while another waits on CLIENT PAUSE";
  }
  if (ref.PausePostpones(op.session, op.argv)) {
    auto unordered = [](const std::vector<std::string>& argv) {
      return ReplyOrderOf(argv[0], HashOrder::kUnordered) != ReplyOrder::kOrdered;
    };
    bool any = unordered(op.argv);
    if (CommandIs(op.argv[0], "EXEC")) {
      for (const std::vector<std::string>& q : me.queued) any = any || unordered(q);
    }
    if (any) return "an unordered reply CLIENT PAUSE would postpone";
  }
  if (CommandIs(op.argv[0], "EXEC") && me.multi) {
    bool paused_inside = false;
    for (const std::vector<std::string>& q : me.queued) {
      if (paused_inside && ref.MayWrite(q)) return "EXEC of a write after a CLIENT PAUSE";
      paused_inside = paused_inside || (q.size() >= 2 && CommandIs(q[0], "CLIENT") &&
                                        CommandIs(models::refmodel::CString(q[1]), "PAUSE"));
    }
  }
  if (me.multi && IsSubscription(op.argv[0])) return "a subscription command inside MULTI";
  if (CommandIs(op.argv[0], "MULTI") && me.pubsub() && me.resp == 3) {
    return "MULTI from a subscribed RESP3 session";
  }
  // DEBUG PROTOCOL push queued: redis-server 7.0.15 writes the push inside
  // EXEC's array (seen over a socket), which no reply reader can frame.
  if (me.multi && CommandIs(op.argv[0], "DEBUG") && op.argv.size() == 3 &&
      CommandIs(models::refmodel::CString(op.argv[1]), "PROTOCOL") &&
      CommandIs(models::refmodel::CString(op.argv[2]), "PUSH")) {
    return "DEBUG PROTOCOL push inside MULTI";
  }
  // DEBUG RELOAD (or an EXEC that queued it) that would load a hash table
  // hash back as a listpack, in an order nobody else knows.
  auto is_reload = [](const std::vector<std::string>& argv) {
    return argv.size() >= 2 && CommandIs(argv[0], "DEBUG") &&
           CommandIs(models::refmodel::CString(argv[1]), "RELOAD");
  };
  bool reload = is_reload(op.argv);
  if (CommandIs(op.argv[0], "EXEC") && me.multi) {
    for (const std::vector<std::string>& q : me.queued) reload = reload || is_reload(q);
  }
  if (reload && ref.ReloadReordersAHash()) {
    return "DEBUG RELOAD while a hash table hash would load back as a listpack";
  }
  // A monitor's EXEC: the lines of the commands it runs land between the
  // elements of its own array (redis-server 7.0.15 writes them there), which
  // no reply reader can frame.
  if (CommandIs(op.argv[0], "EXEC") && me.monitor && me.multi && !me.queued.empty()) {
    return "EXEC with queued commands from a monitor";
  }
  // ACL that closes connections, run or queued for this EXEC: the engine
  // closes a deleted user's sessions (and a subscribed session whose user
  // loses its channels), where the model keeps each session open as the
  // default user (docs/fidelity.md). The users are those at EXEC: a session
  // may log in as the user after the ACL was queued.
  auto acl_closes = [&ref](const std::vector<std::string>& argv) -> const char* {
    if (!CommandIs(argv[0], "ACL") || argv.size() < 3) return nullptr;
    const bool del = CommandIs(argv[1], "DELUSER");
    if (!del && !CommandIs(argv[1], "SETUSER")) return nullptr;
    for (int i = 0; i < kMaxSessions; ++i) {
      const models::refmodel::Session& other = ref.session(i);
      if (!del && !other.pubsub()) continue;
      for (size_t a = 2; a < (del ? argv.size() : 3); ++a) {
        if (argv[a] == other.user || models::refmodel::CString(argv[a]) == other.user) {
          return del ? "ACL DELUSER of a user a session is logged in as"
                     : "ACL SETUSER of a user a subscribed session is logged in as";
        }
      }
    }
    return nullptr;
  };
  if (const char* why = acl_closes(op.argv)) return why;
  if (CommandIs(op.argv[0], "EXEC") && me.multi) {
    for (const std::vector<std::string>& q : me.queued) {
      if (const char* why = acl_closes(q)) return absl::StrCat("EXEC of an ", why);
    }
  }
  if (ref.notify_keyspace_events() == 0) return "";
  // A consumer made while the reply is written (XREADGROUP, XCLAIM,
  // XAUTOCLAIM): redis-server 7.0.15 writes the xgroup-createconsumer
  // event to a subscribed RESP3 sender inside its own reply's array.
  if (me.pubsub() && me.resp == 3 &&
      (ref.notify_keyspace_events() & models::refmodel::kNotifyStream) != 0 &&
      (CommandIs(op.argv[0], "XREADGROUP") || CommandIs(op.argv[0], "XCLAIM") ||
       CommandIs(op.argv[0], "XAUTOCLAIM"))) {
    return "a stream read or claim that may make a consumer, from a subscribed RESP3 session";
  }
  if (!models::refmodel::NotifyModelled(NotifyName(op.argv))) {
    return "a command whose keyspace events the model does not publish";
  }
  if (CommandIs(op.argv[0], "EXEC")) {
    for (const std::vector<std::string>& q : me.queued) {
      if (!models::refmodel::NotifyModelled(NotifyName(q))) {
        return "EXEC of a command whose keyspace events the model does not publish";
      }
    }
  }
  return "";
}

CommandRunResult RunCommandProgram(const CommandProgram& program,
                                   const CommandRunOptions& options) {
  CommandRunResult result;
  engine::Engine eng(CommandEngineOptions(options));
  for (int i = 0; i < kMaxSessions; ++i) eng.SetLocal(eng.OpenSession(), i < kLocalSessions);
  models::ReferenceOptions ro;
  ro.debug_command = true;
  ro.local_sessions = kLocalSessions;
  ro.start_ms = options.start_ms;
  ro.max_string_len = options.max_string_len;
  ro.sessions = kMaxSessions;
  ro.random_seed = options.random_seed;
  ro.max_random_repeats = options.max_random_repeats;
  ro.broken_script_numbers = options.broken_script_numbers;
  models::ReferenceModel ref(ro);
  std::unique_ptr<Scratch> own;
  Scratch& sc = *TakeScratch(&own);
  AtEndOfInput release([&sc] { sc.Release(); });
  TransactionTracker transactions;  // EXEC's elements are canonicalized per command
  // CLIENT PAUSE: the command each session's pause postponed, given again
  // when the engine lets it go (its reply compared with what the model
  // delivers).
  PostponedCommands postponed_cmd;
  auto rerun_postponed = [&] { RerunPostponed(eng, &postponed_cmd, &transactions); };

  std::string& bytes = sc.bytes;
  for (size_t i = 0; i < program.ops.size(); ++i) {
    const Op& op = program.ops[i];
    result.ops_run = i + 1;
    auto fail = [&](std::string check, std::string message) {
      result.verdict = fuzz::Verdict::Fail(std::move(check), static_cast<int64_t>(i),
                                           OpToText(op) + "\n" + message);
      result.verdict.op = OpKindOf(op);
      return result;
    };
    // What the model delivered during this op (to blocked sessions, pub/sub
    // messages and events, a session's own subscription confirmations).
    auto take_delivered = [&] {
      std::vector<std::pair<int, Value>> d = ref.TakeDelivered();
      if (options.break_model_delivery) options.break_model_delivery(i, &d);
      return d;
    };
    auto check_delivered = [&](std::vector<std::pair<int, Value>> d, int sender, std::string* check,
                               std::string* why) {
      return CheckDelivered(eng, std::move(d), sender, sc, check, why,
                            options.trace ? &result.trace : nullptr);
    };
    if (op.kind == OpKind::kClock) {
      eng.AdvanceClock(op.clock_ms);
      rerun_postponed();
      ref.AdvanceClock(op.clock_ms);
      if (options.trace) result.trace.push_back({OpToText(op), "", ""});
      std::string check, why;
      if (!check_delivered(take_delivered(), -1, &check, &why)) return fail(check, why);
      continue;
    }
    if (op.kind == OpKind::kCommand && ref.IsBlocked(op.session)) {
      // A blocked session's commands wait in its input until it is
      // unblocked; a program just drops them, on both sides.
      if (!eng.session(op.session).blocked()) {
        return fail("blocking", "the reference model has the session blocked, the engine not");
      }
      if (options.trace) result.trace.push_back({OpToText(op), "(blocked)", "(blocked)"});
      continue;
    }
    if (op.kind == OpKind::kCommand && OutsideTheModel(op.argv)) {
      // Client tracking, INFO and scripting are not in the reference
      // model: such ops run on neither side.
      if (options.trace) result.trace.push_back({OpToText(op), "(skipped)", "(skipped)"});
      continue;
    }
    if (op.kind == OpKind::kCommand && !NotInThisState(ref, op).empty()) {
      if (options.trace) result.trace.push_back({OpToText(op), "(skipped)", "(skipped)"});
      continue;
    }
    if (op.kind == OpKind::kActiveExpire) {
      eng.ExpireAllDue();
      eng.EndTurn();  // beforeSleep: what expiry made ready is served
      ref.ExpireAllDue();
      if (options.trace) result.trace.push_back({OpToText(op), "", ""});
      std::string check, why;
      if (!check_delivered(take_delivered(), -1, &check, &why)) return fail(check, why);
    } else {
      const int s = op.session;
      const resp::Protocol before = eng.session(s).protocol;
      const bool switches_inside = ExecSwitchesProtocol(eng, s, op.argv);
      bytes.clear();
      // The server's entry point: the engine may move value arguments out
      // of argv into the keyspace (Engine::ExecuteOwned), so it gets a copy
      // and the reference reads op.argv.
      sc.argv.assign(op.argv.begin(), op.argv.end());
      eng.ExecuteOwned(s, sc.argv, &bytes);
      if (eng.session(s).postponed) postponed_cmd[s] = op.argv;
      rerun_postponed();  // after CLIENT UNPAUSE, or UNBLOCK ... ERROR of a postponed one
      const resp::Protocol after = eng.session(s).protocol;
      if (options.corrupt_reply) options.corrupt_reply(i, &bytes);
      Value expected = ref.Execute(s, op.argv);
      const bool no_reply = ref.NoReply();
      // The model's frames for the sender itself (its subscription
      // confirmations, messages it published to itself), and the rest.
      std::vector<Value> own_frames;
      std::vector<std::pair<int, Value>> others;
      for (auto& [t, v] : take_delivered()) {
        if (t == s) {
          own_frames.push_back(std::move(v));
        } else {
          others.emplace_back(t, std::move(v));
        }
      }
      std::string why;
      if (eng.session(s).blocked() != ref.IsBlocked(s)) {
        return fail("blocking", absl::StrCat("the engine ",
                                             eng.session(s).blocked() ? "blocked" : "did not block",
                                             " the session, the reference model ",
                                             ref.IsBlocked(s) ? "did" : "did not"));
      }
      if (ref.IsBlocked(s)) {
        // No reply yet; only the session's own frames of the call: a
        // monitor's own line (redis-server 7.0.15 feeds monitors from
        // call(), blocked or not, and a monitor may block on WAIT).
        std::vector<Value> got_frames;
        if (!bytes.empty()) {
          ParseWhole(*sc.ours, bytes, resp::Protocol::kResp3, resp::ReaderLimits{}, &sc.got);
          if (sc.got.error.code != resp::ReaderErrorCode::kNone || !sc.got.idle) {
            return fail("reply-framing",
                        "the frames do not parse\nbytes: " + EscapeBytes(bytes, 400));
          }
          for (size_t k = 0; k < sc.got.values.size(); ++k) {
            got_frames.push_back(resp::ToValue(sc.got.values[k]));
          }
        }
        if (!SameFrames(got_frames, own_frames)) {
          std::string got_text, want_text;
          for (const Value& v : got_frames) got_text += Show(v) + " ";
          for (const Value& v : own_frames) want_text += Show(v) + " ";
          return fail("blocking", "a blocked session got other frames than the model's: engine [" +
                                      got_text + "], reference [" + want_text + "]");
        }
        if (options.trace) result.trace.push_back({OpToText(op), "(blocks)", "(blocks)"});
        std::string check;
        if (!check_delivered(std::move(others), s, &check, &why)) return fail(check, why);
        if (options.corrupt_engine) options.corrupt_engine(i, eng);
        const absl::Status valid = eng.Validate();
        if (!valid.ok()) return fail("validate", std::string(valid.message()));
        continue;
      }

      ParseWhole(*sc.ours, bytes, resp::Protocol::kResp3, resp::ReaderLimits{}, &sc.got);
      bool several = no_reply || !own_frames.empty();
      if (sc.got.error.code == resp::ReaderErrorCode::kNone && sc.got.idle &&
          sc.got.values.size() > 1) {
        for (size_t k = 0; k < sc.got.values.size(); ++k) {
          if (IsPubSubFrame(resp::ToValue(sc.got.values[k]))) several = true;
        }
      }
      if (several) {
        // Pub/sub: the sender's stream holds frames besides (or instead
        // of) its reply. Each frame re-writes to its bytes; the frames
        // compare with the model's (SameFrames).
        if (sc.got.error.code != resp::ReaderErrorCode::kNone || !sc.got.idle) {
          return fail("reply-framing",
                      "the frames do not parse\nbytes: " + EscapeBytes(bytes, 400));
        }
        std::vector<Value> got_frames;
        std::string got_text, want_text;
        sc.again.clear();
        for (size_t k = 0; k < sc.got.values.size(); ++k) {
          got_frames.push_back(resp::ToValue(sc.got.values[k]));
          resp::Write(sc.got.values[k], after, &sc.again, resp::DoubleStyle::kRedis70);
        }
        if (before == after && !switches_inside && sc.again != bytes) {
          return fail("reply-roundtrip", "engine wrote  " + EscapeBytes(bytes, 400) +
                                             "\nre-written as " + EscapeBytes(sc.again, 400));
        }
        if (!no_reply) {
          // A monitor's own line follows its reply (ReplyPosition); any
          // other frame of its own precedes it.
          const size_t at = std::min(ref.ReplyPosition(), own_frames.size());
          own_frames.insert(own_frames.begin() + static_cast<ptrdiff_t>(at), expected);
        }
        for (std::vector<Value>* side : {&got_frames, &own_frames}) {
          for (Value& v : *side) {
            if (v.type != Type::kPush) CanonicalizeReply(op.argv, &v, HashOrder::kInOrder);
          }
        }
        for (const Value& v : got_frames) got_text += Show(v) + " ";
        for (const Value& v : own_frames) want_text += Show(v) + " ";
        if (options.trace) result.trace.push_back({OpToText(op), got_text, want_text});
        if (!no_reply) transactions.Observe(s, op.argv, expected);
        if (!SameFrames(got_frames, own_frames)) {
          return fail(eng.session(s).monitor ? "monitor" : "pubsub",
                      "engine:    [" + got_text + "]\nreference: [" + want_text + "]");
        }
      } else {
        const bool framed = ReadOne(sc, &why);
        if (options.trace) {
          result.trace.push_back({OpToText(op),
                                  framed ? resp::ToDebugString(sc.got.values[0], 600)
                                         : "<unreadable: " + EscapeBytes(bytes, 200) + ">",
                                  Show(expected)});
        }
        if (!framed && sc.got.error.code == resp::ReaderErrorCode::kBadBigNumber &&
            before == after && !switches_inside) {
          // A script's big_number table is written as it is (7.0.15's
          // addReplyBigNum, CR and LF made spaces): other bytes than a
          // number's are invalid RESP3 from redis-server too. Such a reply
          // compares as bytes with the model's value written the same way.
          sc.again.clear();
          resp::Write(expected, after, &sc.again, resp::DoubleStyle::kRedis70);
          if (sc.again != bytes) {
            return fail("reply-framing", why + "\nbytes: " + EscapeBytes(bytes, 400) +
                                             "\nthe reference's: " + EscapeBytes(sc.again, 400));
          }
          // (As every reply is observed; an EXEC's queue would be cleared
          // by the next MULTI anyway.)
          transactions.Observe(s, op.argv, expected);
        } else if (!framed) {
          return fail("reply-framing", why + "\nbytes: " + EscapeBytes(bytes, 400));
        } else {
          const resp::ReplyRef got = sc.got.values[0];

          if (before == resp::Protocol::kResp2 && after == resp::Protocol::kResp2 &&
              !switches_inside) {
            sc.theirs.clear();
            sc.hiredis->Start(resp::Protocol::kResp2, resp::ReaderLimits{});
            const bool ok = sc.hiredis->Feed(bytes, &sc.theirs);
            if (!ok || sc.theirs.size() != 1) {
              return fail("hiredis", "hiredis does not read the RESP2 reply as one value: " +
                                         (ok ? absl::StrCat(sc.theirs.size(), " values")
                                             : DescribeError(sc.hiredis->error())) +
                                         "\nbytes: " + EscapeBytes(bytes, 400));
            }
            sc.ours_nil.clear();
            sc.ours_nil.Append(got);
            NormalizeNullsForHiredis(&sc.ours_nil);
            NormalizeNullsForHiredis(&sc.theirs);
            if (!resp::Equal(sc.ours_nil[0], sc.theirs[0])) {
              return fail("hiredis", "hiredis reads " + resp::ToDebugString(sc.theirs[0], 600) +
                                         "\nour reader reads " + resp::ToDebugString(got, 600));
            }
          }
          if (before == after && !switches_inside) {
            // Doubles as Redis 7.0 prints them ("%.17g"), like the engine.
            sc.again.clear();
            resp::Write(got, after, &sc.again, resp::DoubleStyle::kRedis70);
            if (sc.again != bytes && !SameButCoordinates(bytes, sc.again)) {
              return fail("reply-roundtrip", "engine wrote  " + EscapeBytes(bytes, 400) +
                                                 "\nre-written as " + EscapeBytes(sc.again, 400));
            }
          }

          // Replies Redis orders (and EXEC's, whose elements each follow their
          // own command) compare as they are; the others are sorted first. A
          // hash's fields compare in order: the engine and the model both keep
          // insertion order (HashOrder).
          // ACL's have canonical forms (CanonicalizeAcl: GENPASS by shape);
          // FUNCTION LIST is sorted (its libraries and their functions).
          if (!CommandIs(op.argv[0], "EXEC") && !CommandIs(op.argv[0], "PUBSUB") &&
              !CommandIs(op.argv[0], "CLIENT") && !CommandIs(op.argv[0], "ACL") &&
              !CommandIs(op.argv[0], "FUNCTION") &&
              ReplyOrderOf(op.argv[0], HashOrder::kInOrder) == ReplyOrder::kOrdered) {
            transactions.Observe(s, op.argv, expected);
            if (!resp::Equal(got, expected)) {
              return fail("reference", "engine:    " + resp::ToDebugString(got, 600) +
                                           "\nreference: " + Show(expected));
            }
          } else {
            Value mine = resp::ToValue(got);
            for (Value* v : {&mine, &expected}) {
              transactions.ForEachAnswer(s, op.argv, v,
                                         [](const std::vector<std::string>& argv, Value* reply) {
                                           CanonicalizeReply(argv, reply, HashOrder::kInOrder);
                                         });
            }
            transactions.Observe(s, op.argv, expected);
            if (!(mine == expected)) {
              return fail("reference",
                          "engine:    " + Show(mine) + "\nreference: " + Show(expected));
            }
          }
        }
      }
      std::string check;
      if (!check_delivered(std::move(others), s, &check, &why)) return fail(check, why);
    }
    if (options.corrupt_engine) options.corrupt_engine(i, eng);
    const absl::Status valid = eng.Validate();
    if (!valid.ok()) return fail("validate", std::string(valid.message()));
  }
  // The whole keyspace after the last op, as DEBUG DIGEST digests each
  // side's own data: a value no reply read back has to agree too.
  if (!program.ops.empty()) {
    const std::string mine = engine::DatasetDigestHex(eng.keyspace());
    const std::string want = ref.DatasetDigest();
    if (mine != want) {
      result.verdict =
          fuzz::Verdict::Fail("state", static_cast<int64_t>(program.ops.size()) - 1,
                              "after the last op the keyspaces differ (DEBUG DIGEST): engine " +
                                  mine + ", reference " + want);
      result.verdict.op = "end";
    }
  }
  return result;
}

}  // namespace respfuzz::harnesses

namespace respfuzz::harnesses {

namespace {

fuzz::Verdict RunWithDefaults(const CommandProgram& p) { return RunCommandProgram(p).verdict; }

std::string DescribeCommandProgram(const CommandProgram& p) {
  return absl::StrCat(p.ops.size(), " ops:\n", CommandProgramToText(p));
}

std::string ExplainCommandProgram(const CommandProgram& p) {
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r = RunCommandProgram(p, o);
  std::string out;
  for (size_t i = 0; i < r.trace.size(); ++i) {
    const OpTrace& t = r.trace[i];
    absl::StrAppend(&out, "#", i, "  ", t.op, "\n");
    if (t.engine.empty() && t.reference.empty()) continue;
    if (t.engine == t.reference) {
      absl::StrAppend(&out, "      both:      ", t.engine, "\n");
    } else {
      absl::StrAppend(&out, "      engine:    ", t.engine, "\n      reference: ", t.reference,
                      "\n");
    }
  }
  absl::StrAppend(&out, r.verdict.ToString(), "\n");
  return out;
}

}  // namespace

bool DropLastArgument(Op* op) {
  if (op->kind != OpKind::kCommand || op->argv.size() <= 1) return false;
  op->argv.pop_back();
  return true;
}

std::optional<CommandProgram> MinimizeCommandProgram(CommandProgram p,
                                                     const CommandRunOptions& options,
                                                     MinimizeReport* report) {
  return MinimizeOps<CommandProgram>(
      std::move(p), [&](const CommandProgram& c) { return RunCommandProgram(c, options).verdict; },
      report, DropLastArgument);
}

namespace {

// Every value of the byte form's pools (an argument of no pool draws from
// all of them).
std::span<const std::string_view> AllPoolValues() {
  static const std::vector<std::string_view> all = [] {
    std::vector<std::string_view> v;
    for (int p = 0; p < kPoolCount; ++p) v.insert(v.end(), Pool(p).begin(), Pool(p).end());
    return v;
  }();
  return all;
}

// The op-level mutator's view of an op: its session, the command name,
// each argument (drawn from the pool its value is in, with that pool's
// kind) and the argument list, or the clock step.
void CommandArgSlots(Op* op, std::vector<ArgSlot>* out) {
  if (op->kind == OpKind::kClock) {
    out->push_back(ArgSlot::Number(&op->clock_ms, 0, UINT32_MAX, ClockSteps()));
    return;
  }
  if (op->kind != OpKind::kCommand || op->argv.empty()) return;
  out->push_back(ArgSlot::Number(&op->session, 0, kMaxSessions - 1));
  out->push_back(ArgSlot::Text(&op->argv[0], ValueKind::kWord, CommandNames(), kMaxLiteralLen));
  // Pools 0..7: keys, members, values, integers, floats, option words (two),
  // patterns and ranges.
  static constexpr ValueKind kPoolKinds[kPoolCount] = {
      ValueKind::kKey,   ValueKind::kKey,  ValueKind::kBytes, ValueKind::kInteger,
      ValueKind::kFloat, ValueKind::kWord, ValueKind::kWord,  ValueKind::kPattern};
  for (size_t i = 1; i < op->argv.size(); ++i) {
    int pool = -1;
    for (int p = 0; p < kPoolCount && pool < 0; ++p) {
      const auto values = Pool(p);
      if (std::find(values.begin(), values.end(), op->argv[i]) != values.end()) pool = p;
    }
    out->push_back(ArgSlot::Text(&op->argv[i],
                                 pool >= 0 ? kPoolKinds[pool] : GuessKind(op->argv[i]),
                                 pool >= 0 ? Pool(pool) : AllPoolValues(), kMaxLiteralLen));
  }
  // The arguments as a list: one inserted or deleted changes the arity.
  out->push_back(ArgSlot::List(&op->argv, 1, 1 + kMaxArgs, AllPoolValues(), kMaxLiteralLen));
}

}  // namespace

// decode, encode, print, parse, run, explain, describe, shrink_op, args,
// max_ops, byte_share (ProgramCodec)
const ProgramCodec<CommandProgram> kCommandHandlerProgram = {
    DecodeCommandProgram, EncodeCommandProgram, CommandProgramToText, CommandProgramFromText,
    RunWithDefaults, ExplainCommandProgram, DescribeCommandProgram, DropLastArgument,
    CommandArgSlots, kMaxOps,
    // Half the op-level mutator's calls go to the byte mutator
    // (docs/figures.md, "Op-level mutation: with and without").
    2};

RESPFUZZ_REGISTER_PROGRAM_HARNESS(
    command_handler,
    "a program of commands from up to 4 sessions (HELLO 2/3, MULTI/EXEC/WATCH), "
    "virtual clock steps and active expiry, run on the engine and on a plain "
    "reference model",
    "every reply matches the reference model, in order unless Redis documents it as "
    "unordered; what each session receives besides (pub/sub messages, keyspace events, "
    "subscription confirmations) matches what the model delivers; every reply reads back as one "
    "value "
    "and re-writes to the same bytes; RESP2 replies read the same through hiredis; "
    "Engine::Validate() after every op",
    kCommandHandlerProgram);

}  // namespace respfuzz::harnesses
