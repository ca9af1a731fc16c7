// MONITOR and the monitor feed (Redis 7.0.15's monitorCommand,
// replicationFeedMonitors and the lines of call() that call it), checked
// against redis-server 7.0.15 (tests/monitor_test.cc states the facts).
//
// A monitoring client gets one line per command a client's call() ran, after
// that command ran (its reply, and any pushes it caused, first):
//
//   +<sec>.<usec> [<db> <addr>] "cmd" "arg" ...\r\n
//
// The time is the engine's clock (unix ms: the virtual clock in-process,
// the wall clock under `respfuzz serve`), so <usec> is always a multiple of
// 1000; <db> is the client's db after the command (SELECT 3 shows as db 3);
// <addr> is the client's address ("ip:port", empty for an in-process session
// without one) or `lua` for a command a script called (its db the script
// client's). Each argument is quoted as sdscatrepr quotes it: \\ \" \n \r \t
// \a \b escaped, the bytes 0x20..0x7e as they are, every other byte \xHH.
// The arguments are the command's own (a command that rewrites its argv for
// propagation still shows what the client sent), with AUTH's and HELLO AUTH's
// secrets "(redacted)".
//
// Not shown: commands rejected before they ran (unknown, arity, ACL, OOM,
// ...), commands queued by MULTI (shown when EXEC runs them, before EXEC's
// own line), and the commands flagged admin or skip_monitor in 7.0.15's
// facts (MONITOR, CONFIG *, CLIENT LIST / KILL / ..., SLOWLOG, DEBUG, ...).
// EVAL, EVALSHA, their _RO forms, FCALL and FCALL_RO are skip_monitor but
// feed themselves at their start, so a script's calls follow the script
// command. An EXEC refused before it ran (EXECABORT) is shown too.
//
// A monitor is a replica to processCommand (CLIENT_SLAVE): a command that
// reads, writes or may replicate is refused with "Replica can't interact
// with the keyspace"; MONITOR again is ignored without a reply; MONITOR in
// EXEC is refused (CLIENT_DENY_BLOCKING). Lines to a monitor under CLIENT
// REPLY OFF or SKIP are dropped as its replies are. RESET, QUIT and closing
// end monitor mode; CLIENT LIST shows flag O.
#include <array>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"
#include "src/engine/command.h"
#include "src/engine/command_facts.h"
#include "src/engine/engine.h"
#include "src/resp/request.h"
#include "src/script/lua_scripts.h"

namespace respfuzz::engine {

namespace {

void CmdMonitor(CommandContext& c) {
  if (c.engine.DenyBlocking()) {
    c.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // Already a monitor (or a replica: CLIENT_SLAVE either way): ignored,
  // with no reply at all.
  if (c.session.monitor || c.session.replica) return;
  c.engine.AddMonitor(c.engine.SessionById(c.session.id));
  c.reply.Ok();
}

// admin noscript loading stale (the engine models the last three).
constexpr std::array<CommandSpec, 1> kCommands = {{
    {"monitor", 1, kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, CmdMonitor},
}};

}  // namespace

std::span<const CommandSpec> MonitorCommands() { return kCommands; }

std::string MonitorQuote(std::string_view arg) {
  // sdscatrepr's quoting, which the inline-argument quoting is too.
  return resp::QuoteInlineArg(arg);
}

std::string MonitorLine(int64_t now_ms, int db, std::string_view addr,
                        std::span<const std::string> argv, const Acl* acl) {
  const int64_t sec = now_ms / 1000;
  const int64_t usec = now_ms % 1000 * 1000;
  std::string line = absl::StrFormat("+%d.%06d [%d %s] ", sec, usec, db, addr);
  const std::vector<bool> red = RedactedArguments(argv, acl);
  for (size_t j = 0; j < argv.size(); ++j) {
    line += red[j] ? std::string("\"(redacted)\"") : MonitorQuote(argv[j]);
    if (j + 1 != argv.size()) line += ' ';
  }
  line += "\r\n";
  return line;
}

void Engine::AddMonitor(int session) {
  Session& s = *sessions_[session];
  s.monitor = true;
  monitors_.push_back(session);
}

void Engine::RemoveMonitor(int session) {
  Session& s = *sessions_[session];
  if (!s.monitor) return;
  s.monitor = false;
  std::erase(monitors_, session);
}

void Engine::FeedMonitors(const Session& s, std::span<const std::string> argv, int skip) {
  if (monitors_.empty()) return;
  const std::string line =
      MonitorLine(now_ms(), s.db, in_script_call_ ? std::string_view("lua") : s.addr, argv, &acl_);
  for (int m : monitors_) {
    if (m == skip) continue;
    Session& ms = *sessions_[m];
    // addReply: nothing for a client closing after its reply, nor under
    // CLIENT REPLY OFF / SKIP (a monitor line is no push).
    if (!ms.open || ms.close_after_reply || ms.reply_off || ms.reply_skip) continue;
    ms.output.append(line);
    if (m != current_session_ && !ms.notified) {
      ms.notified = true;
      notified_.push_back(m);
    }
  }
}

void Engine::FeedMonitorsAfterCall(const Session& s, const CommandSpec& spec,
                                   std::span<const std::string> argv) {
  const CommandFact* f = FindCommandFact(FactName(spec, argv));
  if (f == nullptr || f->HasFlag("admin") || f->HasFlag("skip_monitor")) return;
  FeedMonitors(s, argv);
}

void Engine::FeedMonitorsQuit(int session, std::span<const std::string> argv) {
  FeedMonitors(*sessions_[session], argv, /*skip=*/session);
}

bool Engine::ReplicaMayNotRun(const CommandSpec& spec, std::span<const std::string> argv) const {
  const std::string fullname = FactName(spec, argv);
  const CommandFact* f = FindCommandFact(fullname);
  if (f == nullptr) return false;
  bool write = f->HasFlag("write");
  bool may_replicate = MayReplicateCommand(fullname);
  // getCommandFlags: a script that declares its flags (scriptFlagsToCmdFlags)
  // writes unless no-writes, and is no longer may-replicate.
  if (const std::optional<uint32_t> declared = DeclaredScriptFlags(spec, argv)) {
    write = (*declared & script::kScriptNoWrites) == 0;
    may_replicate = false;
  }
  return write || may_replicate || f->HasFlag("readonly");
}

}  // namespace respfuzz::engine
