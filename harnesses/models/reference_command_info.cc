// COMMAND COUNT / INFO / GETKEYS for a few commands and CLIENT SETNAME /
// GETNAME / INFO, written plainly from Redis 7.0.15's documentation and
// replies (server.c commandCommand and friends, networking.c
// catClientInfoString), never calling src/. The command_handler harness
// sends the model only the COMMAND forms it covers (checks.cc
// OutsideTheModel); CLIENT INFO's fields the model does not track (buffer
// and memory figures, addresses, ages) are masked on both sides
// (MaskClientInfo).
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Type;
using resp::Value;

namespace {

// The engine's commands outside this model's table (scripting, INFO):
// what COMMAND COUNT adds to the table's size. A
// command added to the engine without the model goes here
// (docs/fidelity.md, "COMMAND").
// (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT are in the model's table:
// reference_scripting.cc; FUNCTION, FCALL and FCALL_RO:
// reference_functions.cc.)
// (SLOWLOG: reference_slowlog.cc; LATENCY: reference_latency.cc.)
const char* const kEngineOnlyCommands[] = {
    "info",
    "dump",
    "restore",
    "restore-asking",
    // MIGRATE (src/engine/migrate.cc): a connection to another server,
    // compared with redis-server's by tests/serve_migrate_test.sh
    "migrate",
    // HyperLogLog's self test (PFADD, PFCOUNT,
    // PFMERGE, PFDEBUG: reference_hll.cc)
    "pfselftest",
    // Persistence (src/engine/persist.cc): files and
    // the process, outside a harness's reach
    "save",
    "bgsave",
    "lastsave",
    "shutdown",
    // Replication's master side (src/engine/replication.cc): a replica's
    // stream, compared with redis-server's by the oracle and
    // tests/serve_replication_test.sh
    "sync",
    "psync",
    "replconf",
    // The append-only file's rewrite (src/engine/aof.cc): files, outside
    // a harness's reach
    "bgrewriteaof",
};

Value Simple(const char* s) { return Value::Simple(s); }

// A key spec: flags, begin_search index, find_keys range.
Value IndexRangeSpec(Ctx& c, std::vector<const char*> flags, int64_t index, int64_t lastkey,
                     int64_t keystep) {
  std::vector<Value> fl;
  for (const char* f : flags) fl.push_back(Simple(f));
  return c.Map({c.Bulk("flags"), c.SetOf(fl), c.Bulk("begin_search"),
                c.Map({c.Bulk("type"), c.Bulk("index"), c.Bulk("spec"),
                       c.Map({c.Bulk("index"), c.Int(index)})}),
                c.Bulk("find_keys"),
                c.Map({c.Bulk("type"), c.Bulk("range"), c.Bulk("spec"),
                       c.Map({c.Bulk("lastkey"), c.Int(lastkey), c.Bulk("keystep"), c.Int(keystep),
                              c.Bulk("limit"), c.Int(0)})})});
}

Value Entry(Ctx& c, const char* name, int64_t arity, std::vector<const char*> flags, int64_t first,
            int64_t last, int64_t step, std::vector<const char*> acl, std::vector<const char*> tips,
            std::vector<Value> specs) {
  std::vector<Value> fl, ac, tp;
  for (const char* f : flags) fl.push_back(Simple(f));
  for (const char* a : acl) ac.push_back(Simple(a));
  for (const char* t : tips) tp.push_back(c.Bulk(t));
  return c.Array({c.Bulk(name), c.Int(arity), c.SetOf(fl), c.Int(first), c.Int(last), c.Int(step),
                  c.SetOf(ac), c.SetOf(tp), c.SetOf(std::move(specs)), c.SetOf({})});
}

}  // namespace

// The COMMAND INFO entry of one of the few commands the model knows
// (GET, DEL, ECHO); a nil otherwise.
Value CommandInfoEntry(Ctx& c, const std::string& lowered) {
  if (lowered == "get") {
    return Entry(c, "get", 2, {"readonly", "fast"}, 1, 1, 1, {"@read", "@string", "@fast"}, {},
                 {IndexRangeSpec(c, {"RO", "access"}, 1, 0, 1)});
  }
  if (lowered == "del") {
    return Entry(c, "del", -2, {"write"}, 1, -1, 1, {"@keyspace", "@write", "@slow"},
                 {"request_policy:multi_shard", "response_policy:agg_sum"},
                 {IndexRangeSpec(c, {"RM", "delete"}, 1, -1, 1)});
  }
  if (lowered == "echo") {
    return Entry(c, "echo", 2, {"loading", "stale", "fast"}, 0, 0, 0, {"@fast", "@connection"}, {},
                 {});
  }
  return c.Null();
}

std::string Lowered(const std::string& s) {
  std::string out = s;
  for (char& ch : out) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool CommandInfoKnows(const std::string& lowered) {
  return lowered == "get" || lowered == "del" || lowered == "echo";
}
bool CommandGetKeysKnows(const std::string& lowered) {
  return lowered == "get" || lowered == "del" || lowered == "echo" || lowered == "mset";
}

namespace {

Value CommandCount(Ctx& c) {
  return c.Int(
      static_cast<int64_t>(TopLevelCommandNames().size() + std::size(kEngineOnlyCommands)));
}

Value CommandInfo(Ctx& c) {
  std::vector<Value> out;
  for (size_t i = 2; i < c.argc(); ++i) out.push_back(CommandInfoEntry(c, Lowered(c.argv[i])));
  return c.Array(std::move(out));
}

// COMMAND GETKEYS of GET (key 1), DEL (every argument), MSET (every other
// argument from 1), ECHO (none).
Value CommandGetKeys(Ctx& c) {
  const std::string name = Lowered(c.argv[2]);
  const size_t n = c.argc() - 2;  // the command's argc
  if (!CommandGetKeysKnows(name)) return c.Err("Invalid command specified");
  if (name == "echo") return c.Err("The command has no key arguments");
  const bool arity_ok = name == "get" ? n == 2 : name == "del" ? n >= 2 : n >= 3;
  if (!arity_ok) return c.Err("Invalid number of arguments specified for command");
  std::vector<Value> keys;
  if (name == "get") {
    keys.push_back(c.Bulk(c.argv[3]));
  } else if (name == "del") {
    for (size_t i = 3; i < c.argc(); ++i) keys.push_back(c.Bulk(c.argv[i]));
  } else {
    // MSET key value [key value ...]: an odd count has no value for its last
    // key, which the range spec (lastkey -1, step 2) still names.
    for (size_t i = 3; i < c.argc(); i += 2) keys.push_back(c.Bulk(c.argv[i]));
  }
  return c.Array(std::move(keys));
}

Value ClientSetname(Ctx& c) {
  for (char ch : c.argv[2]) {
    if (ch < '!' || ch > '~') {
      return c.Err("Client names cannot contain spaces, newlines or special characters.");
    }
  }
  c.s().name = c.argv[2];
  return c.Ok();
}

Value ClientGetname(Ctx& c) { return c.s().name.empty() ? c.Null() : c.Bulk(c.s().name); }

// catClientInfoString: the fields in 7.0.15's order; those the model does
// not keep as "?" (masked on the engine's side too).
std::string InfoText(const Session& s) {
  std::string flags;
  if (s.monitor) flags += 'O';  // CLIENT_SLAVE | CLIENT_MONITOR
  if (s.pubsub()) flags += 'P';
  if (s.multi) flags += 'x';
  if (s.blocked.on) flags += 'b';
  if (s.dirty_cas) flags += 'd';
  if (s.no_evict) flags += 'e';
  if (flags.empty()) flags = "N";
  size_t multi_mem = 0;
  for (const auto& argv : s.queued) {
    for (const std::string& a : argv) multi_mem += a.size() + 8;
  }
  return "id=" + std::to_string(s.id) + " addr=? laddr=? fd=? name=" + CString(s.name) +
         " age=? idle=? flags=" + flags + " db=" + std::to_string(s.db) +
         " sub=" + std::to_string(s.channels.size()) +
         " psub=" + std::to_string(s.patterns.size()) +
         " ssub=" + std::to_string(s.shard_channels.size()) +
         " multi=" + (s.multi ? std::to_string(s.queued.size()) : "-1") +
         " qbuf=? qbuf-free=? argv-mem=? multi-mem=" + std::to_string(multi_mem) +
         " rbs=? rbp=? obl=? oll=? omem=? tot-mem=? events=r cmd=" + s.lastcmd + " user=" + s.user +
         " redir=-1 resp=" + std::to_string(s.resp) + "\n";
}

// addReplyVerbatim(..., "txt"): a bulk string in RESP2.
Value Text(Ctx& c, const std::string& text) {
  if (c.resp3()) return Value::Str(Type::kVerbatim, "txt:" + text);
  return c.Bulk(text);
}

Value ClientInfo(Ctx& c) { return Text(c, InfoText(c.s())); }

// CLIENT LIST [TYPE normal|master|replica|slave|pubsub] [ID id ...]: every
// session in id order (they are all connected, none is a replica or a
// master).
Value ClientList(Ctx& c) {
  std::string out;
  if (c.argc() == 2) {
    for (const Session& s : c.st.sessions) out += InfoText(s);
  } else if (c.argc() == 4 && EqualsIgnoreCase(c.argv[2], "type")) {
    const std::string& t = c.argv[3];
    const bool normal = EqualsIgnoreCase(t, "normal");
    const bool pubsub = EqualsIgnoreCase(t, "pubsub");
    if (!normal && !pubsub && !EqualsIgnoreCase(t, "master") && !EqualsIgnoreCase(t, "replica") &&
        !EqualsIgnoreCase(t, "slave")) {
      return c.Err(SanitizeErrorText("Unknown client type '" + CString(t) + "'"));
    }
    for (const Session& s : c.st.sessions) {
      if ((normal && !s.pubsub()) || (pubsub && s.pubsub())) out += InfoText(s);
    }
  } else if (c.argc() > 3 && EqualsIgnoreCase(c.argv[2], "id")) {
    for (size_t j = 3; j < c.argc(); ++j) {
      int64_t id;
      Value err;
      if (!c.GetLongLong(c.argv[j], &id, &err, "Invalid client ID")) return err;
      for (const Session& s : c.st.sessions) {
        if (s.id == id) out += InfoText(s);
      }
    }
  } else {
    return c.Syntax();
  }
  return Text(c, out);
}

}  // namespace

const std::map<std::string, CommandSpec>& CommandInfoSubcommands() {
  static const std::map<std::string, CommandSpec> subs = {
      {"command|count", {"command|count", 2, CommandCount}},
      {"command|info", {"command|info", -2, CommandInfo}},
      {"command|getkeys", {"command|getkeys", -4, CommandGetKeys}},
      {"client|setname", {"client|setname", 3, ClientSetname}},
      {"client|getname", {"client|getname", 2, ClientGetname}},
      {"client|info", {"client|info", 2, ClientInfo}},
      {"client|list", {"client|list", -2, ClientList}},
  };
  return subs;
}

std::string ClientInfoText(const Session& s) {
  std::string line = InfoText(s);
  line.pop_back();  // the newline CLIENT LIST puts between clients
  return line;
}

}  // namespace respfuzz::models::refmodel
