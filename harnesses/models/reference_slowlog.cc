// The slow log of the reference model: SLOWLOG GET [count] / LEN / RESET /
// HELP, and which calls are logged and how, written from redis-server
// 7.0.15's behaviour (checked by hand against /usr/bin/redis-server on
// 2026-11-26, tests/recordings/slowlog.json) and Redis's documentation,
// apart from the engine's src/engine/slowlog.cc.
//
// What 7.0.15 does, as this file keeps it:
// - every command call() runs may be logged once it returns: a command
//   refused before running (unknown, arity, NOAUTH, NOPERM, OOM, a RESP2
//   subscriber's refusal) and a command queued in MULTI are not; EXEC is
//   not (the only command flagged skip_slowlog), the commands it runs are,
//   each when it returns; a script's redis.call()s are, before the script's
//   own EVAL / FCALL, as the script client ("?:0", no name);
// - a command that blocks is logged when it is served, with its
//   arguments, after the command that served it; unblocked by CLIENT
//   UNBLOCK, with no arguments at all (7.0.15 resets the client first),
//   before CLIENT UNBLOCK itself; a timeout logs nothing;
// - slowlog-log-slower-than < 0: nothing is logged and nothing trimmed;
//   otherwise a call taking at least that many microseconds is logged, and
//   then the log is cut to slowlog-max-len (so a smaller max-len applies at
//   the next call, and max-len 0 keeps nothing while the ids still count);
// - ids count every entry made since the server started (from 0), RESET
//   empties the log and keeps the count;
// - an entry: id, the unix time in seconds, the duration in microseconds,
//   the arguments (32 at most: past that, 31 and "... (N more arguments)";
//   each cut to 128 bytes plus "... (N more bytes)"), the client's
//   address:port and its name at the time ("" without one);
// - secrets are "(redacted)": AUTH's arguments (with one or two of them;
//   AUTH with more is a syntax error and shows them), HELLO's AUTH user
//   and password for each AUTH option its parser read before it stopped
//   (a bad protocol version stops it before any; a bad option, a name
//   with spaces or an AUTH that fails at that option: HELLO authenticates
//   as it reads), CONFIG SET's value of requirepass
//   (every pair is looked at, even after an unknown name; an odd count of
//   arguments is a syntax error first), and every argument of ACL SETUSER
//   from the user name on.
//
// Time: the model's clock is the harness's virtual clock, which does not
// move during a command, as the engine measures a command's duration on
// it: every call takes 0 us. So at slowlog-log-slower-than 0 everything
// is logged and at any positive value nothing (but the log is still cut).
// The entry's time is the virtual clock's unix second. A session's address
// is the engine's in-process one (kSessionPeer); the oracle masks times,
// durations and addresses against a real server.
#include <climits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

constexpr size_t kMaxArgc = 32;     // SLOWLOG_ENTRY_MAX_ARGC
constexpr size_t kMaxString = 128;  // SLOWLOG_ENTRY_MAX_STRING
constexpr int64_t kCallMicros = 0;  // a call's duration on the virtual clock
const char kRedacted[] = "(redacted)";
const char kScriptPeer[] = "?:0";  // the script client: no connection

std::string Lower(const std::string& s) {
  std::string out = s;
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

}  // namespace

// Which arguments of a call 7.0.15 replaces with "(redacted)" before
// logging it (redactClientCommandArgument in authCommand, helloCommand,
// configSetCommand and aclCommand's SETUSER), by the command's full name.
std::vector<bool> RedactedArguments(const State& st, const std::vector<std::string>& argv,
                                    const std::string& full) {
  std::vector<bool> out(argv.size(), false);
  const size_t argc = argv.size();
  if (full == "auth") {
    if (argc <= 3) {
      for (size_t j = 1; j < argc; ++j) out[j] = true;
    }
  } else if (full == "acl|setuser") {
    for (size_t j = 2; j < argc; ++j) out[j] = true;
  } else if (full == "config|set") {
    if (argc % 2 == 0) {
      for (size_t j = 2; j + 1 < argc; j += 2) {
        if (argv[j].find('\0') == std::string::npos && EqualsIgnoreCase(argv[j], "requirepass")) {
          out[j + 1] = true;
        }
      }
    }
  }
  // HELLO: the AUTH pairs its parser read (SlowlogRedact from Hello): it
  // stops at a bad version, a refused name, an unknown option or a failed
  // AUTH, so the pairs after are shown.
  for (size_t j : st.slowlog_redacted) {
    if (j < argc) out[j] = true;
  }
  return out;
}

namespace {

// The logged form of one argument.
std::string Capped(const std::string& arg) {
  if (arg.size() <= kMaxString) return arg;
  return arg.substr(0, kMaxString) + "... (" + std::to_string(arg.size() - kMaxString) +
         " more bytes)";
}

// slowlogPushEntryIfNeeded: `session` -1 is the script client.
void Push(State& st, int session, const std::vector<std::string>& argv,
          const std::vector<bool>& redacted) {
  if (st.config.slowlog_log_slower_than < 0) return;
  if (kCallMicros >= st.config.slowlog_log_slower_than) {
    SlowlogEntry e;
    e.id = st.slowlog_next_id++;
    e.time = st.now / 1000;
    e.duration = kCallMicros;
    const size_t shown = argv.size() > kMaxArgc ? kMaxArgc : argv.size();
    for (size_t j = 0; j < shown; ++j) {
      if (shown != argv.size() && j == shown - 1) {
        e.args.push_back("... (" + std::to_string(argv.size() - shown + 1) + " more arguments)");
      } else {
        e.args.push_back(redacted[j] ? std::string(kRedacted) : Capped(argv[j]));
      }
    }
    if (session < 0) {
      e.peer = kScriptPeer;
    } else {
      e.peer = kSessionPeer;
      e.name = st.sessions[session].name;
    }
    st.slowlog.insert(st.slowlog.begin(), std::move(e));
  }
  while (static_cast<uint64_t>(st.slowlog.size()) >
         static_cast<uint64_t>(st.config.slowlog_max_len)) {
    st.slowlog.pop_back();
  }
}

// ---------------------------------------------------------------------------
// SLOWLOG's subcommands.

Value SlowlogGet(Ctx& c) {
  if (c.argc() > 3) {
    return c.Err(SanitizeErrorText("unknown subcommand or wrong number of arguments for '" +
                                   CString(c.argv[1]).substr(0, 128) + "'. Try SLOWLOG HELP."));
  }
  int64_t count = 10;
  if (c.argc() == 3) {
    Value err;
    if (!c.GetRangeLong(c.argv[2], -1, LONG_MAX, &count, &err,
                        "count should be greater than or equal to -1")) {
      return err;
    }
    if (count == -1) count = static_cast<int64_t>(c.st.slowlog.size());
  }
  std::vector<Value> entries;
  for (const SlowlogEntry& e : c.st.slowlog) {
    if (static_cast<int64_t>(entries.size()) >= count) break;
    std::vector<Value> args;
    for (const std::string& a : e.args) args.push_back(c.Bulk(a));
    entries.push_back(c.Array({c.Int(e.id), c.Int(e.time), c.Int(e.duration),
                               c.Array(std::move(args)), c.Bulk(e.peer), c.Bulk(e.name)}));
  }
  return c.Array(std::move(entries));
}

Value SlowlogLen(Ctx& c) { return c.Int(static_cast<int64_t>(c.st.slowlog.size())); }

Value SlowlogReset(Ctx& c) {
  c.st.slowlog.clear();
  return c.Ok();
}

Value SlowlogHelp(Ctx& c) {
  std::vector<Value> lines;
  for (const char* line : {
           "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
           "GET [<count>]",
           "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
           "    Entries are made of:",
           "    id, timestamp, time in microseconds, arguments array, client IP and port,",
           "    client name",
           "LEN",
           "    Return the length of the slowlog.",
           "RESET",
           "    Reset the slowlog.",
           "HELP",
           "    Prints this help.",
       }) {
    lines.push_back(Value::Simple(line));
  }
  return c.Array(std::move(lines));
}

}  // namespace

const std::map<std::string, CommandSpec>& SlowlogSubcommands() {
  static const std::map<std::string, CommandSpec> table = {
      {"slowlog|get", {"slowlog|get", -2, SlowlogGet}},
      {"slowlog|len", {"slowlog|len", 2, SlowlogLen}},
      {"slowlog|reset", {"slowlog|reset", 2, SlowlogReset}},
      {"slowlog|help", {"slowlog|help", 2, SlowlogHelp}},
  };
  return table;
}

void SlowlogAfterCall(State& st, int session, const std::vector<std::string>& argv,
                      const std::string& full, bool script_client) {
  if (full == "exec") return;  // CMD_SKIP_SLOWLOG
  // A command that blocked is logged when it is served or unblocked.
  if (!script_client && st.sessions[session].blocked.on) return;
  Push(st, script_client ? -1 : session, argv, RedactedArguments(st, argv, Lower(full)));
}

void SlowlogRedact(State& st, size_t index) { st.slowlog_redacted.push_back(index); }

void SlowlogBlockedServed(State& st, int session, const std::vector<std::string>& argv) {
  Push(st, session, argv, std::vector<bool>(argv.size(), false));
}

void SlowlogBlockedUnblocked(State& st, int session) { Push(st, session, {}, {}); }

}  // namespace respfuzz::models::refmodel
