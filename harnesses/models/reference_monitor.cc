// The reference model's MONITOR, written from Redis 7.0.15's monitorCommand,
// replicationFeedMonitors, catClientInfoString and the lines of call() and
// processCommand that touch monitors; separately from src/engine/monitor.cc.
//
// A monitor gets one status line per command a client's call() ran, after
// the command (its reply and the messages it caused come first):
//
//   +<unix seconds>.<microseconds> [<db> <address>] "arg" "arg" ...
//
// The model's clock is in milliseconds, so the microseconds end in 000. Its
// sessions have no address ("" ), and a script's calls show "lua". The db is
// the session's after the command (the script's db for a script's call).
// Each argument is quoted as sdscatrepr quotes: `\\`, `\"`, `\n`, `\r`,
// `\t`, `\a`, `\b` escaped, printable ASCII as it is, any other byte \xhh.
// AUTH's and HELLO AUTH's secrets read "(redacted)", as in the slow log.
//
// Hidden: commands refused before they ran, queued ones (shown when EXEC
// runs them), and those 7.0.15's COMMAND INFO flags admin or skip_monitor.
// EVAL, EVALSHA, their _RO forms and FCALL(_RO) are skip_monitor but show
// themselves when they start, so their calls follow them. A refused EXEC
// (EXECABORT in processCommand) shows.
//
// processCommand treats a monitor as a replica: a command that reads (the
// readonly flag), writes, or may replicate (PUBLISH, SPUBLISH, PFCOUNT,
// EVAL, EVALSHA, FCALL; a script that declares flags writes unless
// no-writes, and may not replicate) is refused with "Replica can't
// interact with the keyspace". MONITOR from a monitor is ignored without a
// reply; inside EXEC it is refused (CLIENT_DENY_BLOCKING). RESET ends
// monitor mode.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "harnesses/models/reference_model.h"
#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

// sdscatrepr: the argument in double quotes; the seven bytes of kEscaped
// as a backslash and their letter, other bytes outside printable ASCII as
// \xhh.
std::string Repr(const std::string& arg) {
  static const std::string kEscaped = "\\\"\n\r\t\a\b", kLetters = "\\\"nrtab";
  std::string out = "\"";
  for (unsigned char ch : arg) {
    const size_t at = kEscaped.find(static_cast<char>(ch));
    if (at != std::string::npos) {
      out += '\\';
      out += kLetters[at];
    } else if (ch < 0x20 || ch > 0x7e) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", ch);
      out += hex;
    } else {
      out.push_back(static_cast<char>(ch));
    }
  }
  out.push_back('"');
  return out;
}

Value Monitor(Ctx& c) {
  // CLIENT_DENY_BLOCKING: EXEC runs its commands with it.
  if (c.st.in_exec) return c.Err("MONITOR isn't allowed for DENY BLOCKING client");
  if (c.s().monitor) {
    c.st.no_reply = true;  // ignored: no reply at all
    return Value();
  }
  c.s().monitor = true;
  c.st.monitors.push_back(c.session);
  return c.Ok();
}

}  // namespace

std::vector<CommandSpec> MonitorCommands() { return {{"monitor", 1, Monitor}}; }

void MonitorFeed(State& st, int session, const std::vector<std::string>& argv,
                 const std::string& full, bool script_client, bool after_reply) {
  if (st.monitors.empty()) return;
  const Session& s = st.sessions[session];
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%lld.%06lld [%d ", static_cast<long long>(st.now / 1000),
                static_cast<long long>(st.now % 1000 * 1000), s.db);
  std::string line = stamp;
  line += script_client ? "lua" : "";
  line += "]";
  const std::vector<bool> redacted = RedactedArguments(st, argv, Lowered(full));
  for (size_t j = 0; j < argv.size(); ++j) {
    line += ' ';
    line += redacted[j] ? std::string("\"(redacted)\"") : Repr(argv[j]);
  }
  for (int m : st.monitors) {
    // A client command's line after its call: the sender's own line comes
    // after its reply, so the frames it was sent before this one are the
    // ones that precede the reply (ReferenceModel::ReplyPosition). (A
    // line fed while the command runs, EVAL's own and its calls', comes
    // before.)
    if (m == session && after_reply && !script_client && !st.in_exec) MarkReplyHere(st, m);
    DeliverFrame(st, m, Value::Simple(line));
  }
}

void DeliverFrame(State& st, int session, Value frame) {
  if (st.hooks.deliver) {
    st.hooks.deliver(session, frame);
  } else {
    st.delivered.push_back({session, std::move(frame)});
  }
}

void MarkReplyHere(State& st, int session) {
  if (st.reply_position != State::kNoPosition) return;
  size_t own = 0;
  for (const auto& [t, v] : st.delivered) own += t == session ? 1 : 0;
  st.reply_position = own;
}

void MonitorAfterCall(State& st, int session, const std::vector<std::string>& argv,
                      const std::string& full, bool script_client) {
  if (st.monitors.empty()) return;
  // (A command 7.0.15 does not have shows nothing: none runs there.)
  const uint32_t flags = CommandInfoFlags(full);
  if (!CommandInfoHas(full) || (flags & (kInfoAdmin | kInfoSkipMonitor)) != 0) return;
  MonitorFeed(st, session, argv, full, script_client, /*after_reply=*/true);
}

std::string MonitorRejection(const State& st, int session, const std::vector<std::string>& argv,
                             const std::string& full) {
  if (!st.sessions[session].monitor) return "";
  const uint32_t flags = CommandInfoFlags(full);
  bool write = (flags & kInfoWrite) != 0;
  bool may_replicate = MayReplicateCommand(full);
  if (std::optional<bool> declared_write = ScriptDeclaresWrite(st, argv, full)) {
    write = *declared_write;
    may_replicate = false;
  }
  if (write || may_replicate || (flags & kInfoReadonly) != 0) {
    return "Replica can't interact with the keyspace";
  }
  return "";
}

void MonitorRemove(State& st, int session) {
  if (!st.sessions[session].monitor) return;
  st.sessions[session].monitor = false;
  std::erase(st.monitors, session);
}

}  // namespace respfuzz::models::refmodel
