// The reference model's core: command lookup and the pre-checks of
// processCommand (server.c), MULTI/EXEC/WATCH (multi.c), the keyspace and its
// expiry (db.c, expire.c), and the connection commands (PING, ECHO, HELLO,
// CLIENT ID). Command families live in reference_<family>.cc.
#include "harnesses/models/reference_model.h"

#include <cctype>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models {

namespace refmodel {

using resp::Type;
using resp::Value;

// ---------------------------------------------------------------------------
// Keyspace.

int64_t GetExpire(State& st, int db, const std::string& key) {
  auto it = st.dbs[db].expires.find(key);
  return it == st.dbs[db].expires.end() ? -1 : it->second;
}

bool KeyIsExpired(State& st, int db, const std::string& key) {
  int64_t when = GetExpire(st, db, key);
  if (when < 0) return false;
  return st.now > when;
}

// expireIfNeeded + deleteExpiredKeyAndPropagate.
bool ExpireIfNeeded(State& st, int db, const std::string& key) {
  if (!KeyIsExpired(st, db, key)) return false;
  // While CLIENT PAUSE lasts: absent to the caller, still stored.
  if (ExpirePaused(st)) return true;
  DbDelete(st, db, key);
  NotifyKeyspaceEvent(st, kNotifyExpired, "expired", key, db);
  SignalModifiedKey(st, db, key, /*by_client=*/false);
  return true;
}

int64_t LruClock(const State& st) { return (st.now / 1000) & ((1 << 24) - 1); }

Object* LookupKeyNoTouch(State& st, int db, const std::string& key) {
  if (st.dbs[db].dict.count(key) == 0) return nullptr;
  if (ExpireIfNeeded(st, db, key)) return nullptr;
  return &st.dbs[db].dict.find(key)->second;
}

Object* LookupKey(State& st, int db, const std::string& key) {
  Object* o = LookupKeyNoTouch(st, db, key);
  if (o != nullptr) TouchLru(st, *o);
  return o;
}

bool DbDelete(State& st, int db, const std::string& key) {
  st.dbs[db].expires.erase(key);
  auto it = st.dbs[db].dict.find(key);
  if (it == st.dbs[db].dict.end()) return false;
  // dbGenericDelete: a stream's XREADGROUP sessions are to be unblocked.
  if (it->second.kind == Kind::kStream) SignalKeyAsReady(st, db, key, Kind::kStream);
  st.dbs[db].dict.erase(it);
  return true;
}

Object& DbAdd(State& st, int db, const std::string& key, Object value) {
  value.lru = NewLru(st);
  return DbAddKeepingLru(st, db, key, std::move(value));
}

Object& DbAddKeepingLru(State& st, int db, const std::string& key, Object value) {
  SignalKeyAsReady(st, db, key, value.kind);
  auto [it, inserted] = st.dbs[db].dict.emplace(key, std::move(value));
  NotifyKeyspaceEvent(st, kNotifyNew, "new", key, db);
  return it->second;
}

void SetExpire(State& st, int db, const std::string& key, int64_t when) {
  st.dbs[db].expires[key] = when;
}

bool RemoveExpire(State& st, int db, const std::string& key) {
  return st.dbs[db].expires.erase(key) > 0;
}

void SetKey(State& st, int db, const std::string& key, Object value, bool keepttl, int found) {
  bool keyfound;
  if (found == 1) {
    keyfound = true;
  } else if (found == 0) {
    keyfound = false;
  } else {
    keyfound = LookupKey(st, db, key) != nullptr;
  }
  if (!keyfound) {
    DbAdd(st, db, key, std::move(value));
  } else {
    // dbOverwrite: the expire stays; under an LFU policy the new object
    // takes the old one's counter (val->lru = old->lru), else it keeps
    // createObject's stamp.
    Object& old = st.dbs[db].dict[key];
    value.lru = LfuPolicy(st) ? old.lru : NewLru(st);
    // As dbGenericDelete: a stream overwritten unblocks its XREADGROUP sessions.
    if (old.kind == Kind::kStream) SignalKeyAsReady(st, db, key, Kind::kStream);
    old = std::move(value);
  }
  if (!keepttl) RemoveExpire(st, db, key);
  SignalModifiedKey(st, db, key);
}

namespace {

WatchedKey* FindWatched(Session& s, int db, const std::string& key) {
  for (WatchedKey& wk : s.watched) {
    if (wk.db == db && wk.key == key) return &wk;
  }
  return nullptr;
}

}  // namespace

// touchWatchedKey (multi.c), including its quirk: a watcher whose key was
// already expired at WATCH time and still exists stops the walk (`break`),
// so the sessions after it in WATCH order are not flagged.
void SignalModifiedKey(State& st, int db, const std::string& key, bool by_client) {
  if (st.log_events) st.events.push_back({KeyEvent::Kind::kModified, db, key, by_client});
  auto it = st.watchers.find({db, key});
  if (it == st.watchers.end()) return;
  std::vector<int> clients = it->second;  // the walk survives unwatching
  for (int session : clients) {
    WatchedKey* wk = FindWatched(st.sessions[session], db, key);
    if (wk == nullptr) continue;
    if (wk->expired) {
      if (st.dbs[db].dict.count(key) == 0) {
        wk->expired = false;  // the expired key is gone: logically no change
        continue;
      }
      break;
    }
    st.sessions[session].dirty_cas = true;
    UnwatchAllKeys(st, session);
  }
}

void SignalFlushedDb(State& st, int db) {
  if (st.log_events) st.events.push_back({KeyEvent::Kind::kFlushed, db, "", false});
}

// touchAllWatchedKeysInDb (multi.c).
void TouchAllWatchedKeysInDb(State& st, int emptied, int replaced_with) {
  for (auto& [dbkey, clients] : st.watchers) {
    if (dbkey.first != emptied) continue;
    const std::string& key = dbkey.second;
    bool exists_in_emptied = st.dbs[emptied].dict.count(key) > 0;
    bool exists_in_replaced = replaced_with >= 0 && st.dbs[replaced_with].dict.count(key) > 0;
    if (!exists_in_emptied && !exists_in_replaced) continue;
    for (int session : clients) {
      WatchedKey* wk = FindWatched(st.sessions[session], emptied, key);
      if (wk == nullptr) continue;
      if (wk->expired) {
        if (!exists_in_replaced) {
          wk->expired = false;  // expired key now deleted: no logical change
          continue;
        } else if (KeyIsExpired(st, replaced_with, key)) {
          continue;  // expired key remains expired
        }
      } else if (!exists_in_emptied && KeyIsExpired(st, replaced_with, key)) {
        wk->expired = true;  // a missing key replaced with an expired one
        continue;
      }
      st.sessions[session].dirty_cas = true;
    }
  }
}

void UnwatchAllKeys(State& st, int session) {
  Session& s = st.sessions[session];
  for (const WatchedKey& wk : s.watched) {
    auto it = st.watchers.find({wk.db, wk.key});
    if (it == st.watchers.end()) continue;
    std::vector<int>& v = it->second;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == session) {
        v.erase(v.begin() + static_cast<long>(i));
        break;
      }
    }
    if (v.empty()) st.watchers.erase(it);
  }
  s.watched.clear();
}

namespace {

// ---------------------------------------------------------------------------
// Command table.

std::string Lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return out;
}

Value ClientId(Ctx& c) { return c.Int(c.s().id); }

const CommandSpec kClientContainer = {"client", -2, nullptr};
const CommandSpec kPubsubContainer = {"pubsub", -2, nullptr};
const CommandSpec kClientIdSpec = {"client|id", 2, ClientId};
const CommandSpec kClientUnblockSpec = {"client|unblock", -3, ClientUnblock};
const CommandSpec kClientPauseSpec = {"client|pause", -3, ClientPause};       // reference_pause.cc
const CommandSpec kClientUnpauseSpec = {"client|unpause", 2, ClientUnpause};  // reference_pause.cc

const std::map<std::string, CommandSpec>& CommandTable() {
  static const std::map<std::string, CommandSpec> table = [] {
    std::map<std::string, CommandSpec> t;
    for (auto family :
         {ConnectionCommands, KeyCommands, StringCommands, BitCommands, HashCommands, ListCommands,
          SetCommands, ZSetCommands, ZSetAlgebraCommands, RandomCommands, PubSubCommands,
          BlockingCommands, StreamCommands, SortCommands, SubscriptionCommands, ScriptingCommands,
          AclCommands, FunctionCommands,
          // HyperLogLog (reference_hll.cc), GEO (reference_geo.cc)
          HllCommands, GeoCommands,
          // the cluster and replication commands of a standalone master
          StandaloneCommands,
          // MONITOR (reference_monitor.cc)
          MonitorCommands}) {
      for (const CommandSpec& spec : family()) t.emplace(spec.name, spec);
    }
    t.emplace("client", kClientContainer);
    t.emplace("pubsub", kPubsubContainer);
    // Containers whose subcommands are IntrospectionSubcommands().
    t.emplace("config", CommandSpec{"config", -2, nullptr});
    t.emplace("object", CommandSpec{"object", -2, nullptr});
    t.emplace("memory", CommandSpec{"memory", -2, nullptr});  // reference_memory.cc
    // COMMAND's subcommands are CommandInfoSubcommands() (COMMAND alone is
    // outside the model).
    t.emplace("command", CommandSpec{"command", -1, nullptr});
    t.emplace("script", CommandSpec{"script", -2, nullptr});      // reference_scripting.cc
    t.emplace("acl", CommandSpec{"acl", -2, nullptr});            // reference_acl.cc
    t.emplace("function", CommandSpec{"function", -2, nullptr});  // reference_functions.cc
    t.emplace("slowlog", CommandSpec{"slowlog", -2, nullptr});    // reference_slowlog.cc
    t.emplace("cluster", CommandSpec{"cluster", -2, nullptr});    // reference_standalone.cc
    t.emplace("module", CommandSpec{"module", -2, nullptr});      // reference_standalone.cc
    t.emplace("latency", CommandSpec{"latency", -2, nullptr});    // reference_latency.cc
    return t;
  }();
  return table;
}

// Extra commands (Hooks::extra) run through this one handler, which finds
// the hook by the command's name.
Value RunExtra(Ctx& c);

// Whether an extra command is named "top|sub". (Only a container some extra
// is named under needs the subcommand lowered and looked up.)
bool IsExtraSubcommand(const State& st, const std::string& top, const std::string& sub) {
  const std::string prefix = top + "|";
  auto it = st.hooks.extra.lower_bound(prefix);
  if (it == st.hooks.extra.end() || it->first.compare(0, prefix.size(), prefix) != 0) return false;
  return st.hooks.extra.count(prefix + Lower(sub)) > 0;
}

// The containers whose subcommands are one table of full names
// ("latency|doctor"), each in its own file; nullptr for any other name.
const std::map<std::string, CommandSpec>* SubcommandTable(const std::string& top) {
  static const std::map<std::string, const std::map<std::string, CommandSpec>& (*)()> kTables = {
      {"script", ScriptSubcommands},      // reference_scripting.cc
      {"function", FunctionSubcommands},  // reference_functions.cc
      {"acl", AclSubcommands},            // reference_acl.cc
      {"slowlog", SlowlogSubcommands},    // reference_slowlog.cc
      {"cluster", ClusterSubcommands},    // reference_standalone.cc
      {"module", ModuleSubcommands},      // reference_standalone.cc
      {"latency", LatencySubcommands},    // reference_latency.cc
      {"memory", MemorySubcommands},      // reference_memory.cc
  };
  auto it = kTables.find(top);
  return it == kTables.end() ? nullptr : &it->second();
}

// The lookup of processCommand: nullptr for an unknown command; CLIENT with
// arguments resolves its subcommand (nullptr if unknown, with *unknown_sub).
// Extra commands come first; `*name` is the full name ("client|tracking").
const CommandSpec* FindCommand(const State& st, const std::vector<std::string>& argv,
                               bool* unknown_sub, std::string* name = nullptr) {
  *unknown_sub = false;
  static thread_local CommandSpec extra_spec;
  std::string top = Lower(argv[0]);
  std::string full = top;
  if (argv.size() >= 2 &&
      (top == "client" || top == "pubsub" || top == "config" || top == "object" ||
       top == "xgroup" || top == "xinfo" || top == "command" || SubcommandTable(top) != nullptr ||
       IsExtraSubcommand(st, top, argv[1]))) {
    full = top + "|" + Lower(argv[1]);
  }
  if (name != nullptr) *name = full;
  auto extra = st.hooks.extra.find(full);
  if (extra == st.hooks.extra.end() && full != top) extra = st.hooks.extra.find(top);
  if (extra != st.hooks.extra.end() && extra->second.run) {
    extra_spec = {"", extra->second.arity, RunExtra};
    if (name != nullptr) *name = extra->first;
    return &extra_spec;
  }
  const auto& table = CommandTable();
  auto it = table.find(top);
  if (it == table.end()) {
    // A container known only through its extra subcommands ("config").
    if (argv.size() >= 2 && st.hooks.extra.lower_bound(top + "|") != st.hooks.extra.end() &&
        st.hooks.extra.lower_bound(top + "|")->first.rfind(top + "|", 0) == 0) {
      *unknown_sub = true;
    }
    return nullptr;
  }
  if (it->second.handler == nullptr && argv.size() >= 2) {
    if (auto sub = CommandInfoSubcommands().find(full); sub != CommandInfoSubcommands().end()) {
      return &sub->second;
    }
    if (top == "pubsub") {
      const CommandSpec* sub = FindPubsubSubcommand(Lower(argv[1]));
      if (sub == nullptr) *unknown_sub = true;
      return sub;
    }
    if (top == "xgroup" || top == "xinfo") {  // streams (reference_streams.cc)
      const CommandSpec* sub = FindStreamSubcommand(full);
      if (sub == nullptr) *unknown_sub = true;
      return sub;
    }
    if (const auto* subs = SubcommandTable(top); subs != nullptr) {
      auto sub = subs->find(full);
      if (sub != subs->end()) return &sub->second;
      *unknown_sub = true;
      return nullptr;
    }
    if (top != "client") {
      auto sub = IntrospectionSubcommands().find(full);
      if (sub != IntrospectionSubcommands().end()) return &sub->second;
      *unknown_sub = true;
      return nullptr;
    }
    if (Lower(argv[1]) == "id") return &kClientIdSpec;
    if (Lower(argv[1]) == "unblock") return &kClientUnblockSpec;
    if (Lower(argv[1]) == "pause") return &kClientPauseSpec;
    if (Lower(argv[1]) == "unpause") return &kClientUnpauseSpec;
    auto sub = IntrospectionSubcommands().find(full);
    if (sub != IntrospectionSubcommands().end()) return &sub->second;
    *unknown_sub = true;
    return nullptr;
  }
  return &it->second;
}

}  // namespace

std::vector<std::string> TopLevelCommandNames() {
  std::vector<std::string> out;
  for (const auto& [name, spec] : CommandTable()) out.push_back(name);
  return out;
}

namespace {

Value RunExtra(Ctx& c) {
  bool unknown_sub;
  std::string name;
  FindCommand(c.st, c.argv, &unknown_sub, &name);
  return c.st.hooks.extra.at(name).run(c);
}

// commandCheckExistence's texts.
std::string UnknownCommandText(const std::vector<std::string>& argv, bool unknown_sub) {
  std::string err;
  if (unknown_sub) {
    err = "unknown subcommand '" + CString(argv[1]).substr(0, 128) + "'. Try " +
          CString(Upper(argv[0])) + " HELP.";
  } else {
    std::string args;
    for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
      args += "'" + CString(argv[i]).substr(0, 128 - args.size()) + "' ";
    }
    err = "unknown command '" + CString(argv[0]).substr(0, 128) +
          "', with args beginning with: " + args;
  }
  for (char& ch : err) {
    if (ch == '\r' || ch == '\n') ch = ' ';
  }
  return err;
}

// processCommand: what a RESP2 client subscribed to anything may still run.
bool AllowedInRESP2PubSub(const std::string& name) {
  return name == "ping" || name == "subscribe" || name == "ssubscribe" || name == "unsubscribe" ||
         name == "sunsubscribe" || name == "psubscribe" || name == "punsubscribe" ||
         name == "quit" || name == "reset";
}

bool ArityOk(const CommandSpec& spec, size_t argc) {
  int n = static_cast<int>(argc);
  return !((spec.arity > 0 && spec.arity != n) || (n < -spec.arity));
}

}  // namespace

void DiscardTransaction(State& st, int session) {
  Session& s = st.sessions[session];
  s.queued.clear();
  s.multi = false;
  s.dirty_cas = false;
  s.dirty_exec = false;
  UnwatchAllKeys(st, session);
}

namespace {

// `script_client`: a script's redis.call (the slow log names the script
// client, not the session).
Value Call(State& st, int session, const CommandSpec& spec, const std::vector<std::string>& argv,
           bool script_client = false) {
  Ctx ctx{st, session, argv};
  std::vector<size_t> outer = std::move(st.slowlog_redacted);
  st.slowlog_redacted.clear();
  Value reply = spec.handler(ctx);
  bool unknown_sub;
  std::string name;
  FindCommand(st, argv, &unknown_sub, &name);
  if (st.hooks.after_call) st.hooks.after_call(session, argv, name);
  SlowlogAfterCall(st, session, argv, name, script_client);  // reference_slowlog.cc
  MonitorAfterCall(st, session, argv, name, script_client);  // reference_monitor.cc
  // A command that blocked adds its latency sample when it is served or
  // unblocked (reference_latency.cc).
  if (script_client || !st.sessions[session].blocked.on) LatencyRecordCall(st, name);
  st.slowlog_redacted = std::move(outer);
  return reply;
}

}  // namespace

// Scripts (reference_scripting.cc): redis.call's lookup and run.
const CommandSpec* LookupModelCommand(const State& st, const std::vector<std::string>& argv,
                                      std::string* full) {
  bool unknown_sub;
  return FindCommand(st, argv, &unknown_sub, full);
}

Value RunScriptCommand(State& st, int session, const CommandSpec& spec,
                       const std::vector<std::string>& argv, int* db, int resp) {
  if (spec.handler == nullptr)
    return Value::Error("ERR respfuzz model: COMMAND alone is outside the model");
  Session& s = st.sessions[session];
  const int saved_db = s.db, saved_resp = s.resp;
  s.db = *db;
  s.resp = resp;
  const bool saved_script_call = st.script_call;
  st.script_call = true;
  Value reply = Call(st, session, spec, argv, /*script_client=*/true);
  st.script_call = saved_script_call;
  *db = st.sessions[session].db;
  st.sessions[session].db = saved_db;
  st.sessions[session].resp = saved_resp;
  return reply;
}

namespace {

// ---------------------------------------------------------------------------
// Transactions (multi.c).

Value Multi(Ctx& c) {
  if (c.s().multi) return c.Err("MULTI calls can not be nested");
  c.s().multi = true;
  return c.Ok();
}

Value Discard(Ctx& c) {
  if (!c.s().multi) return c.Err("DISCARD without MULTI");
  DiscardTransaction(c.st, c.session);
  return c.Ok();
}

bool IsWatchedKeyExpired(State& st, int session) {
  for (const WatchedKey& wk : st.sessions[session].watched) {
    if (wk.expired) continue;
    if (KeyIsExpired(st, wk.db, wk.key)) return true;
  }
  return false;
}

Value Exec(Ctx& c) {
  if (!c.s().multi) return c.Err("EXEC without MULTI");
  if (IsWatchedKeyExpired(c.st, c.session)) c.s().dirty_cas = true;
  if (c.s().dirty_cas || c.s().dirty_exec) {
    Value reply = c.s().dirty_exec
                      ? Value::Error("EXECABORT Transaction discarded because of previous errors.")
                      : c.NullArray();
    DiscardTransaction(c.st, c.session);
    return reply;
  }
  UnwatchAllKeys(c.st, c.session);
  // A copy: the queue stays in the session while it runs (CLIENT INFO
  // inside EXEC reports multi=<count>, as mstate.count).
  const std::vector<std::vector<std::string>> queued = c.s().queued;
  std::vector<Value> replies;
  c.st.in_exec = true;  // blocking commands do not block in a transaction
  for (const std::vector<std::string>& argv : queued) {
    bool unknown_sub;
    std::string name;
    const CommandSpec* spec = FindCommand(c.st, argv, &unknown_sub, &name);
    // ACL: the rules may have changed since the command was queued.
    if (std::string e = AclExecRejection(c.st, c.session, argv, name); !e.empty()) {
      replies.push_back(Value::Error(e));
      continue;
    }
    replies.push_back(Call(c.st, c.session, *spec, argv));  // in the protocol of that moment
  }
  c.st.in_exec = false;
  DiscardTransaction(c.st, c.session);
  return Value::Aggregate(Type::kArray, std::move(replies));
}

void WatchForKey(State& st, int session, const std::string& key) {
  Session& s = st.sessions[session];
  if (FindWatched(s, s.db, key) != nullptr) return;
  WatchedKey wk;
  wk.db = s.db;
  wk.key = key;
  wk.expired = KeyIsExpired(st, s.db, key);
  s.watched.push_back(wk);
  st.watchers[{s.db, key}].push_back(session);
}

Value Watch(Ctx& c) {
  if (c.s().multi) return c.Err("WATCH inside MULTI is not allowed");
  if (c.s().dirty_cas) return c.Ok();
  for (size_t j = 1; j < c.argc(); ++j) WatchForKey(c.st, c.session, c.argv[j]);
  return c.Ok();
}

Value Unwatch(Ctx& c) {
  UnwatchAllKeys(c.st, c.session);
  c.s().dirty_cas = false;
  return c.Ok();
}

// ---------------------------------------------------------------------------
// Connection (server.c, networking.c).

Value Ping(Ctx& c) {
  if (c.argc() > 2) return c.ArityErr();
  // pingCommand in the RESP2 Pub/Sub context: ["pong", the argument or ""].
  // The Lua client that runs a script's redis.call never subscribes.
  if (c.s().pubsub() && !c.resp3() && !c.st.script_call) {
    return c.Array({c.Bulk("pong"), c.Bulk(c.argc() == 2 ? c.argv[1] : "")});
  }
  if (c.argc() == 1) return Value::Simple("PONG");
  return c.Bulk(c.argv[1]);
}

Value Echo(Ctx& c) { return c.Bulk(c.argv[1]); }

}  // namespace

// resetCommand -> clearClientConnectionState, the parts the command model
// has: db 0, RESP2, the transaction and every WATCH dropped, every
// subscription dropped without a confirmation. (The tracking model adds
// tracking and CLIENT REPLY.) Never queued: it runs at once inside MULTI.
Value ResetConnection(Ctx& c) {
  DiscardTransaction(c.st, c.session);
  PubSubUnsubscribeAll(c.st, c.session);
  c.s().db = 0;
  c.s().resp = 2;
  c.s().name.clear();
  AclResetSessionUser(c.st, c.session);
  MonitorRemove(c.st, c.session);
  return Value::Simple("RESET");
}

namespace {

// timeCommand: [seconds, microseconds] as two bulk strings; the model's
// clock has millisecond steps, so the microseconds are a multiple of 1000.
Value Time(Ctx& c) {
  const int64_t seconds = c.st.now / 1000;
  const int64_t micros = (c.st.now - seconds * 1000) * 1000;
  return c.Array({c.Bulk(std::to_string(seconds)), c.Bulk(std::to_string(micros))});
}

Value Hello(Ctx& c) {
  int64_t ver = 0;
  size_t next_arg = 1;
  Value err;
  if (c.argc() >= 2) {
    if (!c.GetLongLong(c.argv[next_arg++], &ver, &err,
                       "Protocol version is not an integer or out of range"))
      return err;
    if (ver < 2 || ver > 3) return c.Err("-NOPROTO unsupported protocol version");
  }
  for (size_t j = next_arg; j < c.argc(); ++j) {
    size_t moreargs = (c.argc() - 1) - j;
    const std::string& opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "AUTH") && moreargs >= 2) {
      SlowlogRedact(c.st, j + 1);  // the slow log shows neither (reference_slowlog.cc)
      SlowlogRedact(c.st, j + 2);
      // ACL (reference_acl.cc): authenticates as it is read.
      if (std::string e = AclHelloAuth(c.st, c.session, c.argv[0], &c.argv[j + 1], &c.argv[j + 2]);
          !e.empty()) {
        return c.Err(e);
      }
      j += 2;
    } else if (EqualsIgnoreCase(opt, "SETNAME") && moreargs) {
      for (char ch : c.argv[j + 1]) {
        if (ch < '!' || ch > '~') {
          return c.Err("Client names cannot contain spaces, newlines or special characters.");
        }
      }
      c.s().name = c.argv[j + 1];
      j++;
    } else {
      return c.Err(SanitizeErrorText("Syntax error in HELLO option '" + CString(opt) + "'"));
    }
  }
  // ACL (reference_acl.cc): the connection must be authenticated by now.
  if (std::string e = AclHelloAuth(c.st, c.session, c.argv[0], nullptr, nullptr); !e.empty()) {
    return c.Err(e);
  }
  if (ver) c.s().resp = static_cast<int>(ver);
  return c.Map({c.Bulk("server"), c.Bulk("redis"), c.Bulk("version"), c.Bulk("7.0.15"),
                c.Bulk("proto"), c.Int(c.s().resp), c.Bulk("id"), c.Int(c.s().id), c.Bulk("mode"),
                c.Bulk("standalone"), c.Bulk("role"), c.Bulk("master"), c.Bulk("modules"),
                c.Array()});
}

}  // namespace

std::vector<CommandSpec> ConnectionCommands() {
  return {
      {"multi", 1, Multi},     {"exec", 1, Exec},
      {"discard", 1, Discard}, {"watch", -2, Watch},
      {"unwatch", 1, Unwatch}, {"ping", -1, Ping},
      {"echo", 2, Echo},       {"hello", -1, Hello},
      {"time", 1, Time},       {"reset", 1, ResetConnection},
  };
}

// trackingLimitUsedSlots, where processCommand runs it (after the maxmemory
// checks) when a tracking model is attached.
void LimitTrackingTable(State& st) {
  if (st.hooks.limit_tracking_table) st.hooks.limit_tracking_table();
}

// processCommand (server.c), the parts that apply to a standalone master
// without ACLs, maxmemory or persistence errors.
Value Process(State& st, int session, const std::vector<std::string>& argv) {
  if (session < 0 || session >= static_cast<int>(st.sessions.size())) {
    return Value::Error("ERR no such session in the reference model");
  }
  if (argv.empty()) {
    // Redis ignores an empty multibulk (*0) without replying; callers never send one.
    return Value::Error("ERR unknown command '', with args beginning with: ");
  }
  Session& s = st.sessions[session];
  bool unknown_sub;
  std::string name;
  const CommandSpec* spec = FindCommand(st, argv, &unknown_sub, &name);
  s.lastcmd = spec != nullptr ? name : "NULL";
  std::string reject;
  if (spec == nullptr) {
    // A subcommand the server has and the model does not run still meets
    // the server's arity and ACL checks (reference_acl.cc).
    if (unknown_sub) reject = AclUnmodelledRejection(st, session, argv);
    if (reject.empty()) reject = UnknownCommandText(argv, unknown_sub);
  } else if (!ArityOk(*spec, argv.size())) {
    reject = "wrong number of arguments for '" + name + "' command";
  } else if (reject = name == "debug" && st.debug_command && session < st.local_sessions
                          ? ""
                          : ProtectedRejection(name);
             !reject.empty()) {
    // DEBUG and MODULE LOAD / LOADEX / UNLOAD, refused right after the
    // arity check (reference_standalone.cc).
  } else if (reject = AclRejection(st, session, argv, name); !reject.empty()) {
    // NOAUTH and NOPERM (reference_acl.cc).
  } else if (reject = OomRejection(st, session, argv, Lower(argv[0])); !reject.empty()) {
    // maxmemory (reference_memory.cc): evictions, then the OOM rejection.
  } else if (LimitTrackingTable(st);
             !(reject = NoReplicasRejection(st, session, argv, name)).empty()) {
    // The tracking table's limit first (tracking_reference.cc), then
    // min-replicas-to-write without replicas.
  } else if (s.pubsub() && s.resp == 2 && !AllowedInRESP2PubSub(name)) {
    reject = "Can't execute '" + name +
             "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
             "context";
  } else if (reject = MonitorRejection(st, session, argv, name); !reject.empty()) {
    // A monitor is a replica to processCommand (reference_monitor.cc).
  } else if (st.hooks.before_command) {
    reject = st.hooks.before_command(session, argv);
  }
  if (!reject.empty()) {
    if (s.multi) s.dirty_exec = true;  // flagTransaction
    // An error with its own code ("-OOM ...") is sent as it is.
    const std::string text = reject[0] == '-' ? reject.substr(1) : "ERR " + reject;
    if (spec != nullptr && spec->handler == Exec) {
      // execCommandAbort: the transaction (and every WATCH) is dropped.
      DiscardTransaction(st, session);
      // The monitors see the EXEC, after its reply.
      MonitorFeed(st, session, argv, "exec", false, /*after_reply=*/true);
      return Value::Error("EXECABORT Transaction discarded because of: " +
                          (reject[0] == '-' ? text : reject));
    }
    return Value::Error(text);
  }
  // CLIENT PAUSE (reference_pause.cc): after every rejection, before MULTI
  // queues the command.
  if (PausePostpones(st, session, argv)) {
    Postpone(st, session, argv);
    return Value();
  }
  if (s.multi && spec->handler != Exec && spec->handler != Discard && spec->handler != Multi &&
      spec->handler != Watch && name != "reset") {
    if (!s.dirty_cas && !s.dirty_exec) s.queued.push_back(argv);
    return Value::Simple("QUEUED");
  }
  Value reply = Call(st, session, *spec, argv);
  // The keys the command made ready are served after it.
  HandleClientsBlockedOnKeys(st);
  // The sessions a pause's end let go run their command again after it
  // (processUnblockedClients in beforeSleep), after its reply.
  if (!st.unpaused.empty()) {
    MarkReplyHere(st, session);
    RunUnpaused(st);
  }
  return reply;
}

}  // namespace refmodel

ReferenceModel::ReferenceModel(ReferenceOptions options) {
  state_.now = options.start_ms;
  state_.max_string_len = options.max_string_len;
  state_.random_state = options.random_seed;
  state_.max_random_repeats = options.max_random_repeats;
  state_.broken_script_numbers = options.broken_script_numbers;
  state_.debug_command = options.debug_command;
  state_.local_sessions = options.local_sessions;
  state_.sessions.resize(options.sessions > 0 ? static_cast<size_t>(options.sessions) : 0);
  for (size_t i = 0; i < state_.sessions.size(); ++i) {
    state_.sessions[i].id = static_cast<int64_t>(i) + 1;
  }
  refmodel::AclInit(state_);
}

void ReferenceModel::ResetSession(int session, int64_t id) {
  refmodel::UnblockSession(state_, session);
  refmodel::MonitorRemove(state_, session);
  refmodel::DiscardTransaction(state_, session);
  refmodel::PubSubUnsubscribeAll(state_, session);
  state_.sessions[session] = refmodel::Session();
  state_.sessions[session].id = id;
  refmodel::AclResetSessionUser(state_, session);
}

std::vector<refmodel::KeyEvent> ReferenceModel::TakeEvents() {
  std::vector<refmodel::KeyEvent> out = std::move(state_.events);
  state_.events.clear();
  return out;
}

resp::Value ReferenceModel::Execute(int session, const std::vector<std::string>& argv) {
  state_.no_reply = false;
  state_.reply_position = refmodel::State::kNoPosition;
  return refmodel::Process(state_, session, argv);
}

void ReferenceModel::AdvanceClock(int64_t ms) {
  if (ms > 0) state_.now += ms;
  refmodel::HandleBlockedClientsTimeout(state_);
  // A pause past its end (reference_pause.cc): its sessions run again.
  refmodel::CheckPauseEnd(state_);
  refmodel::RunUnpaused(state_);
}

bool ReferenceModel::IsBlocked(int session) const { return state_.sessions[session].blocked.on; }

std::vector<std::pair<int, resp::Value>> ReferenceModel::TakeDelivered() {
  std::vector<std::pair<int, resp::Value>> out = std::move(state_.delivered);
  state_.delivered.clear();
  return out;
}

// activeExpireCycle, run to completion: every expired key is deleted as
// deleteExpiredKeyAndPropagate does it (watchers touched).
void ReferenceModel::ExpireAllDue() {
  for (int db = 0; db < refmodel::kNumDbs; ++db) {
    std::vector<std::string> expired;
    for (const auto& [key, when] : state_.dbs[db].expires) {
      if (state_.now > when) expired.push_back(key);
    }
    for (const std::string& key : expired) refmodel::ExpireIfNeeded(state_, db, key);
  }
  // beforeSleep's handleClientsBlockedOnKeys: an expired stream's
  // XREADGROUP sessions are unblocked.
  refmodel::HandleClientsBlockedOnKeys(state_);
}

int64_t ReferenceModel::now_ms() const { return state_.now; }

std::string ReferenceModel::DatasetDigest() const { return refmodel::DatasetDigestHex(state_); }

bool ReferenceModel::ReloadReordersAHash() const {
  for (const refmodel::Db& d : state_.dbs) {
    for (const auto& [key, o] : d.dict) {
      if (o.kind == refmodel::Kind::kHash && o.hash_hashtable &&
          refmodel::HashLoadsAsListpack(state_.config, o)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace respfuzz::models
