// SLOWLOG GET / LEN / RESET / HELP and the slow log itself (Redis 7.0.15's
// slowlog.c, and call()'s slowlogPushCurrentCommand): every command call()
// runs is logged when its duration reaches slowlog-log-slower-than (-1:
// never), newest first, at most slowlog-max-len entries.
//
// The engine does not measure time: every command takes 0 microseconds (as
// INFO commandstats' usec says) but for the time DEBUG SLEEP slept in it,
// so with the default threshold (10000) nothing else is logged and with 0
// everything is, as on a fast server. What is
// logged is Redis's: the commands call() runs (those of EXEC and of scripts
// too, EXEC itself not: skip_slowlog), a blocked command when it is served
// (with its arguments) or unblocked by CLIENT UNBLOCK (with none: the client
// was reset first), not when it times out, the arguments a command redacted
// (AUTH, HELLO's AUTH, ACL SETUSER, CONFIG SET of a sensitive parameter) as
// "(redacted)",
// at most 32 arguments and 128 bytes of each, the client's address and name
// ("?:0" and "" for a script's own calls).
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/engine/acl.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

constexpr size_t kMaxArgc = 32;     // SLOWLOG_ENTRY_MAX_ARGC
constexpr size_t kMaxString = 128;  // SLOWLOG_ENTRY_MAX_STRING

}  // namespace

// The arguments a command redacts before it runs (redactClientCommandArgument),
// by index: AUTH's (2 or 3 arguments), the two after each AUTH of HELLO (as far
// as HELLO reads them), every argument of ACL SETUSER after the
// subcommand, the value of CONFIG SET requirepass (the engine's one
// sensitive parameter).
std::vector<bool> RedactedArguments(std::span<const std::string> argv, const Acl* acl) {
  std::vector<bool> red(argv.size(), false);
  if (argv.empty()) return red;
  const std::string_view cmd = argv[0];
  if (IEquals(cmd, "auth") && argv.size() <= 3) {
    for (size_t j = 1; j < argv.size(); ++j) red[j] = true;
  } else if (IEquals(cmd, "migrate")) {
    // migrateCommand's option loop redacts AUTH's password and AUTH2's two
    // arguments as it reads them, and stops at KEYS or a syntax error.
    for (size_t j = 6; j < argv.size(); ++j) {
      const size_t more = argv.size() - 1 - j;
      if (OptEquals(argv[j], "copy") || OptEquals(argv[j], "replace")) continue;
      if (OptEquals(argv[j], "auth") && more >= 1) {
        red[++j] = true;
      } else if (OptEquals(argv[j], "auth2") && more >= 2) {
        red[j + 1] = red[j + 2] = true;
        j += 2;
      } else {
        break;
      }
    }
  } else if (IEquals(cmd, "hello") && argv.size() >= 2) {
    // helloCommand reads the version first (not an integer, or not 2 or 3,
    // ends it before any option), then the options in order; an AUTH
    // redacts its two arguments before it is checked, and a failed AUTH, a
    // refused name or an unknown option ends the loop (redis-server 7.0.15:
    // the pairs after them are shown).
    int64_t ver = 0;
    if (!absl::SimpleAtoi(argv[1], &ver) || std::to_string(ver) != argv[1] || ver < 2 || ver > 3) {
      return red;
    }
    for (size_t j = 2; j < argv.size(); ++j) {
      const size_t more = argv.size() - 1 - j;
      if (OptEquals(argv[j], "auth") && more >= 2) {
        red[j + 1] = red[j + 2] = true;
        if (acl != nullptr && !acl->CheckCredentials(argv[j + 1], argv[j + 2])) break;
        j += 2;
      } else if (OptEquals(argv[j], "setname") && more >= 1) {
        if (!ValidClientName(argv[j + 1])) break;
        j += 1;
      } else {
        break;
      }
    }
  } else if (IEquals(cmd, "acl") && argv.size() >= 3 && OptEquals(argv[1], "setuser")) {
    for (size_t j = 2; j < argv.size(); ++j) red[j] = true;
  } else if (IEquals(cmd, "config") && argv.size() >= 4 && argv.size() % 2 == 0 &&
             OptEquals(argv[1], "set")) {
    // An odd count of arguments is CONFIG SET's syntax error, before it
    // looks at any pair; otherwise every pair is looked at, even after an
    // unknown name.
    for (size_t j = 2; j + 1 < argv.size(); j += 2) {
      if (IEquals(argv[j], "requirepass")) red[j + 1] = true;
    }
  }
  return red;
}

namespace {

void CmdSlowlog(CommandContext& c) {
  Engine& e = c.engine;
  const std::string& sub = c.arg(1);
  if (c.argc() == 2 && OptEquals(sub, "reset")) {
    e.SlowlogReset();
    c.reply.Ok();
  } else if (c.argc() == 2 && OptEquals(sub, "len")) {
    c.reply.Integer(static_cast<int64_t>(e.slowlog().size()));
  } else if ((c.argc() == 2 || c.argc() == 3) && OptEquals(sub, "get")) {
    constexpr std::string_view kCountError = "ERR count should be greater than or equal to -1";
    int64_t count = 10;
    if (c.argc() == 3) {
      if (!c.IntArg(2, &count, kCountError)) return;
      if (count < -1) {
        c.reply.Error(kCountError);
        return;
      }
      if (count == -1) count = static_cast<int64_t>(e.slowlog().size());
    }
    const size_t n = std::min(static_cast<size_t>(count), e.slowlog().size());
    c.reply.ArrayHeader(n);
    for (size_t i = 0; i < n; ++i) {
      const Engine::SlowlogEntry& se = e.slowlog()[i];
      c.reply.ArrayHeader(6);
      c.reply.Integer(se.id);
      c.reply.Integer(se.time);
      c.reply.Integer(se.duration);
      c.reply.ArrayHeader(se.argv.size());
      for (const std::string& a : se.argv) c.reply.Bulk(a);
      c.reply.Bulk(se.peer);
      c.reply.Bulk(se.name);
    }
  } else if (c.argc() == 2 && OptEquals(sub, "help")) {
    static constexpr std::string_view kHelp[] = {
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
    };
    c.reply.ArrayHeader(std::size(kHelp));
    for (std::string_view line : kHelp) c.reply.Simple(line);
  } else {
    c.reply.Error(absl::StrCat("ERR unknown subcommand or wrong number of arguments for '",
                               std::string(CStr(sub).substr(0, 128)), "'. Try SLOWLOG HELP."));
  }
}

// A container (slowlog|get, |len, |reset, |help: engine.cc's subcommand
// table), no keys.
constexpr std::array<CommandSpec, 1> kCommands = {{
    {"slowlog", -2, 0, 0, 0, 0, CmdSlowlog},
}};

}  // namespace

std::span<const CommandSpec> SlowlogCommands() { return kCommands; }

void Engine::SlowlogPush(const Session& s, std::span<const std::string> argv, bool script_call,
                         int64_t duration) {
  if (slowlog_slower_than_ < 0) return;  // disabled
  if (duration >= slowlog_slower_than_) {
    SlowlogEntry se;
    const std::vector<bool> red = RedactedArguments(argv, &acl_);
    const size_t argc = std::min(argv.size(), kMaxArgc);
    for (size_t j = 0; j < argc; ++j) {
      if (argc != argv.size() && j == argc - 1) {
        se.argv.push_back(absl::StrCat("... (", argv.size() - argc + 1, " more arguments)"));
      } else if (red[j]) {
        se.argv.push_back("(redacted)");
      } else if (argv[j].size() > kMaxString) {
        se.argv.push_back(argv[j].substr(0, kMaxString) +
                          absl::StrCat("... (", argv[j].size() - kMaxString, " more bytes)"));
      } else {
        se.argv.push_back(argv[j]);
      }
    }
    se.time = now_ms() / 1000;
    se.duration = duration;
    se.id = slowlog_next_id_++;
    se.peer = script_call ? "?:0" : s.addr;
    se.name = script_call ? "" : s.name;
    slowlog_.push_front(std::move(se));
  }
  while (slowlog_.size() > static_cast<size_t>(slowlog_max_len_)) slowlog_.pop_back();
}

}  // namespace respfuzz::engine
