// Connection commands: PING ECHO HELLO CLIENT (ID TRACKING CACHING GETREDIR
// TRACKINGINFO KILL NO-EVICT REPLY UNBLOCK) SELECT UNWATCH CONFIG (GET SET
// RESETSTAT REWRITE HELP) TIME RESET. MULTI,
// EXEC, DISCARD and WATCH are in the table for their arity and flags but run
// in Engine::Dispatch, which owns transaction state.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/config.h"
#include "src/engine/config_kept.h"
#include "src/engine/engine.h"
#include "src/engine/glob.h"
#include "src/engine/notify.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

namespace {

void CmdPing(CommandContext& c) {
  if (c.argc() > 2) {
    c.ReplyArityError();
  } else if (c.session.protocol == resp::Protocol::kResp2 && c.session.in_pubsub() &&
             !c.engine.in_script_call()) {
    // A subscribed RESP2 client gets PING's answer as a two-element array.
    // A script's PING gets +PONG: the script's client is not subscribed,
    // even when its caller (a RESP3 session) is.
    c.reply.ArrayHeader(2);
    c.reply.Bulk("pong");
    c.reply.Bulk(c.argc() == 1 ? std::string_view() : std::string_view(c.arg(1)));
  } else if (c.argc() == 1) {
    c.reply.Simple("PONG");
  } else {
    c.reply.Bulk(c.arg(1));
  }
}

void CmdEcho(CommandContext& c) { c.reply.Bulk(c.arg(1)); }

void CmdHello(CommandContext& c) {
  int64_t ver = 0;
  size_t next = 1;
  if (c.argc() >= 2) {
    if (!c.IntArg(next++, &ver, "ERR Protocol version is not an integer or out of range")) return;
    if (ver < 2 || ver > 3) {
      c.reply.Error("NOPROTO unsupported protocol version");
      return;
    }
  }
  // Options take effect as they are read (Redis 7.0.15): a failed AUTH or
  // a bad name is reported before a later option's syntax error, and a name
  // read before a failing option stays set. The protocol changes only once
  // every option is read.
  for (size_t j = next; j < c.argc(); ++j) {
    const size_t more = c.argc() - 1 - j;
    if (OptEquals(c.arg(j), "auth") && more >= 2) {
      // ACLAuthenticateUser (acl.h).
      if (!c.engine.acl().CheckCredentials(c.arg(j + 1), c.arg(j + 2))) {
        c.engine.AclLogAuth(c.session, c.arg(0), c.arg(j + 1));
        c.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
        return;
      }
      c.session.user = c.arg(j + 1);
      c.session.authenticated = true;
      j += 2;
    } else if (OptEquals(c.arg(j), "setname") && more >= 1) {
      if (!ValidClientName(c.arg(j + 1))) {
        c.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
      c.session.name = c.arg(j + 1);
      j += 1;
    } else {
      c.reply.Error("ERR Syntax error in HELLO option '" + ErrorText(c.arg(j)) + "'");
      return;
    }
  }
  if (!c.session.authenticated) {
    c.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time");
    return;
  }
  if (ver != 0) c.session.protocol = static_cast<resp::Protocol>(ver);
  ReplyWriter r(c.session.protocol, c.reply.buffer());
  r.MapHeader(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk("7.0.15");
  r.Bulk("proto");
  r.Integer(static_cast<int>(c.session.protocol));
  r.Bulk("id");
  r.Integer(c.session.id);
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.ArrayHeader(0);
}

// CLIENT TRACKING on|off [REDIRECT id] [BCAST] [PREFIX p]... [OPTIN] [OPTOUT]
// [NOLOOP]: options are parsed first (REDIRECT's id must exist now), then
// on/off; the mode checks are the tracker's.
void ClientTracking(CommandContext& c) {
  tracking::TrackingRequest req;
  for (size_t j = 3; j < c.argc(); ++j) {
    const bool more = j + 1 < c.argc();
    if (c.ArgIs(j, "redirect") && more) {
      ++j;
      if (req.redirect != 0) {
        c.reply.Error("ERR A client can only redirect to a single other client");
        return;
      }
      if (!c.IntArg(j, &req.redirect)) return;
      if (c.engine.SessionById(req.redirect) < 0) {
        c.reply.Error("ERR The client ID you want redirect to does not exist");
        return;
      }
    } else if (c.ArgIs(j, "bcast")) {
      req.bcast = true;
    } else if (c.ArgIs(j, "optin")) {
      req.optin = true;
    } else if (c.ArgIs(j, "optout")) {
      req.optout = true;
    } else if (c.ArgIs(j, "noloop")) {
      req.noloop = true;
    } else if (c.ArgIs(j, "prefix") && more) {
      ++j;
      req.prefixes.push_back(c.arg(j));
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  if (c.ArgIs(2, "on")) {
    req.on = true;
  } else if (!c.ArgIs(2, "off")) {
    c.reply.Error(kErrSyntax);
    return;
  }
  const tracking::TrackingOutcome out = c.engine.tracker().Command(c.session.id, req);
  for (const std::string& e : out.errors) c.reply.Error(e);
  if (out.ok) c.reply.Ok();
}

void ClientCaching(CommandContext& c) {
  // The tracking-mode check comes before the argument's.
  if (!c.engine.tracker().IsOn(c.session.id)) {
    c.reply.Error(c.engine.tracker().Caching(c.session.id, true));
    return;
  }
  bool yes;
  if (c.ArgIs(2, "yes")) {
    yes = true;
  } else if (c.ArgIs(2, "no")) {
    yes = false;
  } else {
    c.reply.Error(kErrSyntax);
    return;
  }
  const std::string err = c.engine.tracker().Caching(c.session.id, yes);
  if (err.empty()) {
    c.reply.Ok();
  } else {
    c.reply.Error(err);
  }
}

void ClientTrackingInfo(CommandContext& c) {
  const tracking::ClientTracking* t = c.engine.tracker().Find(c.session.id);
  const uint32_t f = t == nullptr ? 0 : t->flags;
  std::vector<std::string_view> flags = {(f & tracking::kOn) ? "on" : "off"};
  if (f & tracking::kBcast) flags.push_back("bcast");
  if (f & tracking::kOptin) {
    flags.push_back("optin");
    if (f & tracking::kCaching) flags.push_back("caching-yes");
  }
  if (f & tracking::kOptout) {
    flags.push_back("optout");
    if (f & tracking::kCaching) flags.push_back("caching-no");
  }
  if (f & tracking::kNoloop) flags.push_back("noloop");
  if (f & tracking::kBrokenRedir) flags.push_back("broken_redirect");
  c.reply.MapHeader(3);
  c.reply.Bulk("flags");
  c.reply.SetHeader(static_cast<int64_t>(flags.size()));
  for (std::string_view fl : flags) c.reply.Bulk(fl);
  c.reply.Bulk("redirect");
  c.reply.Integer((f & tracking::kOn) ? t->redirect : -1);
  c.reply.Bulk("prefixes");
  c.reply.ArrayHeader(t == nullptr ? 0 : static_cast<int64_t>(t->prefixes.size()));
  if (t != nullptr) {
    for (const std::string& p : t->prefixes) c.reply.Bulk(p);
  }
}

// CLIENT KILL addr (old form: may kill the caller; +OK or "No such client")
// or CLIENT KILL <filter value>... (ID, TYPE, ADDR, LADDR, USER, SKIPME): the number
// killed. Other sessions close at once; the caller itself only after its
// reply.
void ClientKill(CommandContext& c) {
  const std::string* addr = nullptr;
  const std::string* laddr = nullptr;
  int type = -1;  // 0 normal, 1 pubsub, 2 replica/master (never matches here)
  int64_t id = 0;
  const std::string* user = nullptr;  // USER: the sessions running as that ACL user
  bool skipme = true;
  if (c.argc() == 3) {
    addr = &c.arg(2);
    skipme = false;
  } else {
    for (size_t i = 2; i < c.argc(); i += 2) {
      const bool more = i + 1 < c.argc();
      if (c.ArgIs(i, "id") && more) {
        if (!c.RangeArg(i + 1, 1, INT64_MAX, &id, "ERR client-id should be greater than 0")) {
          return;
        }
      } else if (c.ArgIs(i, "type") && more) {
        const std::string& t = c.arg(i + 1);
        if (OptEquals(t, "normal")) {
          type = 0;
        } else if (OptEquals(t, "pubsub")) {
          type = 1;
        } else if (OptEquals(t, "slave") || OptEquals(t, "replica")) {
          type = 2;
        } else if (OptEquals(t, "master")) {
          type = 3;
        } else {
          c.reply.Error("ERR Unknown client type '" + ErrorText(t) + "'");
          return;
        }
      } else if (c.ArgIs(i, "addr") && more) {
        addr = &c.arg(i + 1);
      } else if (c.ArgIs(i, "laddr") && more) {
        laddr = &c.arg(i + 1);
      } else if (c.ArgIs(i, "user") && more) {
        if (c.engine.acl().Find(c.arg(i + 1)) == nullptr) {
          c.reply.Error("ERR No such user '" + ErrorText(c.arg(i + 1)) + "'");
          return;
        }
        user = &c.arg(i + 1);
      } else if (c.ArgIs(i, "skipme") && more) {
        if (OptEquals(c.arg(i + 1), "yes")) {
          skipme = true;
        } else if (OptEquals(c.arg(i + 1), "no")) {
          skipme = false;
        } else {
          c.reply.Error(kErrSyntax);
          return;
        }
      } else {
        c.reply.Error(kErrSyntax);
        return;
      }
    }
  }
  // strcmp: the filter's text up to a NUL.
  std::vector<int> victims;
  bool self = false;
  for (size_t s = 0; s < c.engine.session_count(); ++s) {
    const Session& other = c.engine.session(static_cast<int>(s));
    if (!other.open || other.close_after_reply) continue;
    if (addr != nullptr && (other.addr.empty() || CStr(*addr) != other.addr)) continue;
    if (laddr != nullptr && (other.laddr.empty() || CStr(*laddr) != other.laddr)) continue;
    if (type != -1 && type != other.client_type()) continue;
    if (id != 0 && other.id != id) continue;
    if (user != nullptr && other.user != *user) continue;
    if (&other == &c.session) {
      if (skipme) continue;
      self = true;
    } else {
      victims.push_back(static_cast<int>(s));
    }
  }
  const size_t killed = victims.size() + (self ? 1 : 0);
  for (int v : victims) c.engine.Kill(v);
  if (c.argc() == 3) {
    if (killed == 0) {
      c.reply.Error("ERR No such client");
    } else {
      c.reply.Ok();
    }
  } else {
    c.reply.Integer(static_cast<int64_t>(killed));
  }
  if (self) c.session.close_after_reply = true;
}

// CLIENT REPLY ON|OFF|SKIP. ON's +OK goes out even after OFF or SKIP (it
// clears them first); OFF and SKIP reply nothing; SKIP under OFF does
// nothing; a bad argument's syntax error is dropped like any reply while
// silenced.
void ClientReply(CommandContext& c) {
  Session& s = c.session;
  if (c.ArgIs(2, "on")) {
    s.reply_off = s.reply_skip = false;
    s.output.append("+OK\r\n");
  } else if (c.ArgIs(2, "off")) {
    s.reply_off = true;
  } else if (c.ArgIs(2, "skip")) {
    if (!s.reply_off) s.reply_skip_next = true;
  } else {
    c.reply.Error(kErrSyntax);
  }
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id; a
// fifth argument is the generic subcommand error (7.0.15's argc test).
void ClientUnblock(CommandContext& c) {
  if (c.argc() > 4) {
    c.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(CStr(c.arg(1)).substr(0, 128)) + "'. Try CLIENT HELP.");
    return;
  }
  bool with_error = false;
  if (c.argc() == 4) {
    if (c.ArgIs(3, "timeout")) {
      with_error = false;
    } else if (c.ArgIs(3, "error")) {
      with_error = true;
    } else {
      c.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  }
  int64_t id;
  if (!c.IntArg(2, &id)) return;
  const int target = c.engine.SessionById(id);
  c.reply.Integer(target >= 0 && c.engine.UnblockByClient(target, with_error) ? 1 : 0);
}

// Dispatch has already resolved the subcommand and checked its arity.
void CmdClient(CommandContext& c) {
  const std::string& sub = c.arg(1);
  if (IEquals(sub, "id")) {
    c.reply.Integer(c.session.id);
  } else if (IEquals(sub, "tracking")) {
    ClientTracking(c);
  } else if (IEquals(sub, "caching")) {
    ClientCaching(c);
  } else if (IEquals(sub, "getredir")) {
    const tracking::ClientTracking* t = c.engine.tracker().Find(c.session.id);
    c.reply.Integer(t != nullptr && (t->flags & tracking::kOn) ? t->redirect : -1);
  } else if (IEquals(sub, "trackinginfo")) {
    ClientTrackingInfo(c);
  } else if (IEquals(sub, "reply")) {
    ClientReply(c);
  } else if (IEquals(sub, "unblock")) {
    ClientUnblock(c);
  } else if (IEquals(sub, "pause") || IEquals(sub, "unpause")) {
    ClientPauseCommand(c);  // client_pause.cc
  } else if (IEquals(sub, "help")) {
    // clientCommand's help text (redis-server 7.0.15's).
    static constexpr std::string_view kHelp[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help.",
    };
    c.reply.ArrayHeader(std::size(kHelp));
    for (std::string_view line : kHelp) c.reply.Simple(line);
  } else if (IEquals(sub, "no-evict")) {
    // CLIENT NO-EVICT ON|OFF: the flag only (no client is ever evicted).
    if (c.ArgIs(2, "on") || c.ArgIs(2, "off")) {
      c.session.no_evict = c.ArgIs(2, "on");
      c.reply.Ok();
    } else {
      c.reply.Error(kErrSyntax);
    }
  } else if (c.ArgIs(1, "setname") || c.ArgIs(1, "getname") || c.ArgIs(1, "info") ||
             c.ArgIs(1, "list")) {
    ClientIntrospection(c);
  } else {
    ClientKill(c);
  }
}

// CONFIG (configCommand's subcommands, config.c). The parameters are the
// engine's (config.h), each under its name and its alias, and a server's
// own (Engine::SetServerParams).
struct ConfigEntry {
  std::string_view name;
  // Index into EngineParams(); kNotifyParam: notify-keyspace-events (a
  // string); -1: server_params()[server_param].
  int engine_param;
  size_t server_param;
};

constexpr int kNotifyParam = -2;
constexpr int kRequirepassParam = -3;  // requirepass (acl.h): the default user's password
// latency-tracking-info-percentiles (latency.cc): a list of doubles.
constexpr int kPercentilesParam = -4;
constexpr int kKeptParam = -5;  // KeptParams()[server_param] (config_kept.h)

std::vector<ConfigEntry> ConfigEntries(const Engine& e) {
  std::vector<ConfigEntry> out;
  const auto params = EngineParams();
  for (size_t i = 0; i < params.size(); ++i) {
    out.push_back({params[i].name, static_cast<int>(i), 0});
    // Redis registers an alias as a config of its own (registerConfigValue):
    // CONFIG GET reports it under its name, CONFIG SET may name both.
    if (!params[i].alias.empty()) out.push_back({params[i].alias, static_cast<int>(i), 0});
  }
  out.push_back({"notify-keyspace-events", kNotifyParam, 0});
  out.push_back({"requirepass", kRequirepassParam, 0});
  out.push_back({"latency-tracking-info-percentiles", kPercentilesParam, 0});
  for (size_t i = 0; i < KeptParams().size(); ++i) {
    out.push_back({KeptParams()[i].name, kKeptParam, i});
    if (!KeptParams()[i].alias.empty()) out.push_back({KeptParams()[i].alias, kKeptParam, i});
  }
  for (size_t i = 0; i < e.server_params().size(); ++i) {
    out.push_back({e.server_params()[i].first, -1, i});
  }
  return out;
}

std::string ConfigValue(const Engine& e, const ConfigEntry& entry) {
  if (entry.engine_param == kNotifyParam) return NotifyFlagsToString(e.notify_flags());
  if (entry.engine_param == kRequirepassParam) return e.acl().requirepass();
  if (entry.engine_param == kPercentilesParam) {
    return LatencyPercentilesString(e.latency_percentiles());
  }
  if (entry.engine_param == kKeptParam) {
    if (KeptParams()[entry.server_param].name == "enable-debug-command") {
      return std::string(ProtectedActionName(e.options().enable_debug_command));
    }
    return KeptParamText(KeptParams()[entry.server_param], e.kept_param(entry.server_param));
  }
  if (entry.engine_param < 0) return e.server_params()[entry.server_param].second;
  const ParamId id = static_cast<ParamId>(entry.engine_param);
  switch (EngineParams()[entry.engine_param].type) {
    case ParamType::kULongLongMemory:  // evict.cc: maxmemory
      return std::to_string(static_cast<uint64_t>(e.GetParam(id)));
    case ParamType::kEnum:
      return std::string(EnumNames(id)[static_cast<size_t>(e.GetParam(id))]);
    case ParamType::kBool:  // boolConfigGet
      return e.GetParam(id) != 0 ? "yes" : "no";
    default:
      return std::to_string(e.GetParam(id));
  }
}

// lookupConfig: the whole name, in any letter case.
const ConfigEntry* LookupConfig(const std::vector<ConfigEntry>& entries, std::string_view name) {
  for (const ConfigEntry& entry : entries) {
    if (IEquals(entry.name, name)) return &entry;
  }
  return nullptr;
}

void ConfigGet(CommandContext& c) {
  const std::vector<ConfigEntry> entries = ConfigEntries(c.engine);
  // The matches dict: names compared as C strings without case.
  std::vector<std::pair<std::string, const ConfigEntry*>> matches;
  auto matched = [&](std::string_view name) {
    for (const auto& m : matches) {
      if (IEquals(m.first, CStr(name))) return true;
    }
    return false;
  };
  for (size_t j = 2; j < c.argc(); ++j) {
    const std::string& a = c.arg(j);
    if (CStr(a).find_first_of("[*?") == std::string_view::npos) {
      if (matched(a)) continue;
      if (const ConfigEntry* entry = LookupConfig(entries, a)) {
        matches.emplace_back(std::string(CStr(a)), entry);
      }
      continue;
    }
    const GlobPattern pattern(CStr(a), /*nocase=*/true);
    for (const ConfigEntry& entry : entries) {
      if (matched(entry.name)) continue;
      // A hidden config is reported only when named whole.
      if (entry.engine_param == kKeptParam && KeptParams()[entry.server_param].hidden) continue;
      if (pattern.Matches(entry.name)) matches.emplace_back(std::string(entry.name), &entry);
    }
  }
  // Redis replies in its dict's order; here in the order found.
  c.reply.MapHeader(static_cast<int64_t>(matches.size()));
  for (const auto& [name, entry] : matches) {
    c.reply.Bulk(name);
    c.reply.Bulk(ConfigValue(c.engine, *entry));
  }
}

// numericParseString + numericBoundaryCheck; the error text when the value
// is refused.
std::string ParseParam(ParamId id, const ParamSpec& spec, const std::string& text, int64_t* out) {
  int64_t ll = 0;
  if (spec.type == ParamType::kBool) {
    // boolConfigSet: yesnotoi over the value as a C string.
    if (IEquals(CStr(text), "yes") || IEquals(CStr(text), "no")) {
      *out = IEquals(CStr(text), "yes") ? 1 : 0;
      return {};
    }
    return "argument must be 'yes' or 'no'";
  }
  if (spec.type == ParamType::kEnum) {
    // configEnumGetValue: the name in any letter case, compared as C strings.
    const std::span<const std::string_view> names = EnumNames(id);
    for (size_t i = 0; i < names.size(); ++i) {
      if (IEquals(CStr(text), names[i])) {
        *out = static_cast<int64_t>(i);
        return {};
      }
    }
    std::string err = "argument(s) must be one of the following: ";
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) err += ", ";
      err += names[i];
    }
    return err;
  }
  if (spec.type == ParamType::kSizeTMemory || spec.type == ParamType::kULongLongMemory) {
    uint64_t v;
    if (!MemToULL(text, &v)) return "argument must be a memory value";
    ll = static_cast<int64_t>(v);
  } else {
    const std::optional<int64_t> v = resp::ParseInt64(text);
    if (!v) return "argument couldn't be parsed into an integer";
    ll = *v;
  }
  if (spec.type == ParamType::kInt || spec.type == ParamType::kLongLong) {
    if (ll < spec.min || ll > spec.max) {
      return "argument must be between " + std::to_string(spec.min) + " and " +
             std::to_string(spec.max) + " inclusive";
    }
  } else {
    const uint64_t ull = static_cast<uint64_t>(ll);
    if (ull < static_cast<uint64_t>(spec.min) || ull > static_cast<uint64_t>(spec.max)) {
      return "argument must be between " + std::to_string(static_cast<uint64_t>(spec.min)) +
             " and " + std::to_string(static_cast<uint64_t>(spec.max)) + " inclusive";
    }
  }
  *out = ll;
  return {};
}

void ConfigSet(CommandContext& c) {
  if (c.argc() % 2 != 0) {
    c.reply.Error(kErrSyntax);
    return;
  }
  const std::vector<ConfigEntry> entries = ConfigEntries(c.engine);
  const size_t count = (c.argc() - 2) / 2;
  std::vector<const ConfigEntry*> set(count, nullptr);
  // Every name first: the first unknown or duplicate one fails the call.
  for (size_t i = 0; i < count; ++i) {
    const std::string& name = c.arg(2 + 2 * i);
    const ConfigEntry* entry = LookupConfig(entries, name);
    if (entry == nullptr) {
      c.reply.Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                    ErrorText(name) + "'");
      return;
    }
    // dir and dbfilename are protected configs: enable-protected-configs is
    // no (its default) in respfuzz serve.
    if (entry->engine_param < 0 && entry->server_param < c.engine.server_params().size() &&
        (entry->name == "dir" || entry->name == "dbfilename")) {
      c.reply.Error("ERR CONFIG SET failed (possibly related to argument '" + ErrorText(name) +
                    "') - can't set protected config");
      return;
    }
    if (entry->engine_param == kKeptParam &&
        KeptParams()[entry->server_param].kind == KeptParam::Kind::kImmutable) {
      c.reply.Error("ERR CONFIG SET failed (possibly related to argument '" + ErrorText(name) +
                    "') - can't set immutable config");
      return;
    }
    for (size_t j = 0; j < i; ++j) {
      if (set[j] == entry) {
        c.reply.Error("ERR CONFIG SET failed (possibly related to argument '" + ErrorText(name) +
                      "') - duplicate parameter");
        return;
      }
    }
    set[i] = entry;
  }
  // Then the values in order, after a backup of every old value; a refused
  // one restores them all (restoreBackupConfig).
  std::vector<int64_t> old(count, 0);
  const uint32_t old_notify = c.engine.notify_flags();
  const std::vector<std::pair<std::string, std::string>> old_server = c.engine.server_params();
  const std::vector<std::pair<int64_t, int>> old_save = c.engine.save_points();
  const std::string old_requirepass = c.engine.acl().requirepass();
  const std::vector<double> old_percentiles = c.engine.latency_percentiles();
  bool requirepass_set = false;
  // Every value already set is put back (restoreBackupConfig).
  auto restore = [&](size_t upto) {
    c.engine.set_notify_flags(old_notify);
    c.engine.set_latency_percentiles(old_percentiles);
    c.engine.SetServerParams(old_server);
    c.engine.SetSavePoints(old_save);
    if (requirepass_set) c.engine.acl().SetRequirepass(old_requirepass);
    for (size_t j = 0; j < upto; ++j) {
      if (set[j]->engine_param >= 0) {
        c.engine.SetParam(static_cast<ParamId>(set[j]->engine_param), old[j]);
      }
      if (set[j]->engine_param == kKeptParam) c.engine.set_kept_param(set[j]->server_param, old[j]);
    }
  };
  // A new port is applied after every value is set, as Redis runs its apply
  // functions (updatePort) after the last set; -1: the port stays.
  int64_t new_port = -1;
  for (size_t i = 0; i < count; ++i) {
    if (set[i]->engine_param >= 0)
      old[i] = c.engine.GetParam(static_cast<ParamId>(set[i]->engine_param));
    if (set[i]->engine_param == kKeptParam) old[i] = c.engine.kept_param(set[i]->server_param);
  }
  for (size_t i = 0; i < count; ++i) {
    const ConfigEntry& entry = *set[i];
    const std::string& value = c.arg(3 + 2 * i);
    std::string err;
    if (entry.engine_param == kNotifyParam) {
      const int64_t flags = ParseNotifyFlags(value);
      if (flags < 0) {
        err = kNotifyFlagsError;
      } else {
        c.engine.set_notify_flags(static_cast<uint32_t>(flags));
      }
    } else if (entry.engine_param == kPercentilesParam) {
      std::vector<double> ps;
      err = ParseLatencyPercentiles(value, &ps);
      if (err.empty()) c.engine.set_latency_percentiles(std::move(ps));
    } else if (entry.engine_param == kRequirepassParam) {
      // updateRequirePass: ACLUpdateDefaultUserPassword.
      c.engine.acl().SetRequirepass(value);
      requirepass_set = true;
    } else if (entry.engine_param < 0 && entry.name == "save") {
      // setConfigSaveOption (persist.cc's save points).
      std::vector<std::pair<int64_t, int>> points;
      if (ParseSavePoints(value, &points)) {
        c.engine.SetSavePoints(points);
        c.engine.SetServerParam(entry.server_param, SavePointsText(points));
      } else {
        err = "Invalid save parameters";
      }
    } else if (entry.engine_param == kKeptParam) {
      int64_t v = 0;
      err = ParseKeptParam(KeptParams()[entry.server_param], value, &v);
      if (err.empty()) c.engine.set_kept_param(entry.server_param, v);
    } else if (entry.engine_param < 0 && entry.name == "port") {
      // An integer config of 0..65535 (0: no TCP listener).
      const std::optional<int64_t> v = resp::ParseInt64(value);
      if (!v) {
        err = "argument couldn't be parsed into an integer";
      } else if (*v < 0 || *v > 65535) {
        err = "argument must be between 0 and 65535 inclusive";
      } else if (std::to_string(*v) != c.engine.server_params()[entry.server_param].second) {
        new_port = *v;
        c.engine.SetServerParam(entry.server_param, std::to_string(*v));
      }
    } else if (entry.engine_param < 0) {
      // A server parameter: respfuzz serve cannot change it.
      if (value != c.engine.server_params()[entry.server_param].second) {
        err = "respfuzz serve cannot change this parameter";
      }
    } else {
      int64_t v = 0;
      err = ParseParam(static_cast<ParamId>(entry.engine_param), EngineParams()[entry.engine_param],
                       value, &v);
      if (err.empty()) c.engine.SetParam(static_cast<ParamId>(entry.engine_param), v);
    }
    if (!err.empty()) {
      // The name first: a server parameter's name lives in the engine's
      // server_params, which the restore below replaces.
      const std::string failed(entry.name);
      restore(i);
      c.reply.Error("ERR CONFIG SET failed (possibly related to argument '" + failed + "') - " +
                    err);
      return;
    }
  }
  if (new_port >= 0) {
    // updatePort: the listener moves, or everything set above is put back
    // (the listener stays where it was: Redis's rollback listens on the old
    // port again).
    const std::string err =
        c.engine.listen_host() == nullptr
            ? std::string("respfuzz serve cannot change this parameter")
            : c.engine.listen_host()->ChangeListenPort(static_cast<int>(new_port));
    if (!err.empty()) {
      restore(count);
      c.reply.Error("ERR CONFIG SET failed (possibly related to argument 'port') - " + err);
      return;
    }
  }
  // updateAppendonly (aof.cc), once every value is set: the AOF turned on
  // (a rewrite) or off; when it cannot be turned on, every value set above
  // is put back.
  for (const ConfigEntry* entry : set) {
    if (entry->engine_param != static_cast<int>(ParamId::kAppendonly)) continue;
    if (!c.engine.ApplyAppendonly()) {
      restore(count);
      c.reply.Error(
          "ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on "
          "AOF. Check server logs.");
      return;
    }
  }
  c.reply.Ok();
  // updateMaxmemory (evict.cc): a new maxmemory evicts at once, inside the
  // command (its own invalidations after this reply).
  for (const ConfigEntry* entry : set) {
    if (entry->engine_param == static_cast<int>(ParamId::kMaxmemory)) {
      c.engine.PerformEvictions();
      break;
    }
  }
}

void CmdConfig(CommandContext& c) {
  // Dispatch checked the subcommand and its arity.
  const std::string& sub = c.arg(1);
  if (IEquals(sub, "get")) {
    ConfigGet(c);
  } else if (IEquals(sub, "set")) {
    ConfigSet(c);
  } else if (IEquals(sub, "resetstat")) {
    c.engine.ResetStats();
    c.reply.Ok();
  } else if (IEquals(sub, "rewrite")) {
    c.reply.Error("ERR The server is running without a config file");
  } else {
    static constexpr std::string_view kHelp[] = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    };
    c.reply.ArrayHeader(std::size(kHelp));
    for (std::string_view line : kHelp) c.reply.Simple(line);
  }
}

// UNWATCH (queued inside MULTI like any command; by then EXEC has unwatched).
void CmdUnwatch(CommandContext& c) {
  c.engine.Unwatch(c.session);
  c.session.dirty_cas = false;
  c.reply.Ok();
}

void CmdSelect(CommandContext& c) {
  int id;
  if (!c.Int32Arg(1, &id)) return;
  if (id < 0 || id >= c.ks.num_dbs()) {
    c.reply.Error(kErrDbIndex);
    return;
  }
  c.session.db = id;
  c.reply.Ok();
}

// TIME: the engine's clock as [unix seconds, microseconds], both bulk
// strings. The clock counts milliseconds, so the microseconds are the
// milliseconds times 1000.
void CmdTime(CommandContext& c) {
  const int64_t now = c.now_ms();
  c.reply.ArrayHeader(2);
  c.reply.Bulk(std::to_string(now / 1000));
  c.reply.Bulk(std::to_string(now % 1000 * 1000));
}

constexpr std::array<CommandSpec, 13> kCommands = {{
    {"multi", 1,
     kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdTransaction, 0, 0, 0,
     nullptr},
    {"exec", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog | kCmdTransaction, 0, 0, 0,
     nullptr},
    {"discard", 1,
     kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdTransaction, 0, 0, 0,
     nullptr},
    {"watch", -2,
     kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdTransaction, 1, -1, 1,
     nullptr},
    {"unwatch", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy, 0, 0, 0,
     CmdUnwatch},
    {"ping", -1, kCmdFast, 0, 0, 0, CmdPing},
    {"echo", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdEcho},
    {"hello", -1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy, 0,
     0, 0, CmdHello},
    {"client", -2, 0, 0, 0, 0, CmdClient},
    {"select", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdSelect},
    {"config", -2, 0, 0, 0, 0, CmdConfig},
    {"time", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdTime},
    // RESET runs in Engine::Dispatch (at once, also inside MULTI).
    {"reset", 1,
     kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy |
         kCmdTransaction,
     0, 0, 0, nullptr},
}};

}  // namespace

std::span<const CommandSpec> ConnectionCommands() { return kCommands; }

}  // namespace respfuzz::engine
