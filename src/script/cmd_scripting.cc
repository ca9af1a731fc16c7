// The scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT,
// FUNCTION, FCALL, FCALL_RO (Redis 7.0.15's eval.c, functions.c, script.c),
// over src/script/lua_scripts.h, and Engine::ScriptCall, the engine side of
// redis.call.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/engine/command.h"
#include "src/engine/command_facts.h"
#include "src/engine/engine.h"
#include "src/engine/glob.h"
#include "src/engine/rdb.h"
#include "src/resp/numbers.h"
#include "src/script/lua_scripts.h"

namespace respfuzz::engine {

namespace {

constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";

class EngineHost : public script::CallHost {
 public:
  EngineHost(Engine& e, Session& s, bool read_only)
      : e_(e), s_(s), read_only_(read_only), db_(s.db) {}
  std::string Call(std::span<const std::string> argv, resp::Protocol protocol,
                   std::string* reply) override {
    std::string err = e_.ScriptCall(s_, argv, protocol, read_only_, &db_, reply);
    if (!err.empty()) e_.CountScriptRefusal(argv, err);
    return err;
  }
  void ReplyError(std::string_view text, bool uncounted) override {
    e_.ScriptReplyError(text, uncounted);
  }
  bool Interrupt() override { return e_.ScriptInterrupt(); }  // busy_script.cc
  void SetReplication(int flags) override { e_.SetScriptReplFlags(flags); }
  // redis.acl_check_cmd: the caller's user (rctx->original_client->user).
  int AclCheck(std::span<const std::string> argv) override {
    if (LookupCommandFact(argv) == nullptr) return -1;
    size_t idx = 0;
    return e_.AclCheck(s_, argv, &idx) == AclResult::kOk ? 1 : 0;
  }

 private:
  Engine& e_;
  Session& s_;
  bool read_only_;
  int db_;  // the script client's db (SELECT inside a script stays there)
};

// numkeys as evalGenericCommand and fcallCommandGeneric check it; false
// after replying.
bool NumKeys(CommandContext& c, std::string_view not_integer, int64_t* numkeys) {
  auto n = resp::ParseInt64(c.arg(2));
  if (!n) {
    c.reply.Error(not_integer);
    return false;
  }
  if (*n > static_cast<int64_t>(c.argc()) - 3) {
    c.reply.Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (*n < 0) {
    c.reply.Error("ERR Number of keys can't be negative");
    return false;
  }
  *numkeys = *n;
  return true;
}

// scriptPrepareForRun's checks that apply here; false after replying.
bool PrepareRun(CommandContext& c, uint32_t flags, bool ro, bool* read_only) {
  const bool compat = (flags & script::kScriptCompat) != 0;
  if (!compat && (flags & script::kScriptNoWrites) == 0 && ro) {
    c.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
    return false;
  }
  *read_only = ro || (!compat && (flags & script::kScriptNoWrites) != 0);
  return true;
}

void EvalGeneric(CommandContext& c, bool evalsha, bool ro) {
  // scriptResetRun's preventCommandPropagation: the script's calls are
  // propagated, never the script command (replication.cc).
  c.PreventPropagation();
  // evalCommand / evalShaCommand feed the monitors first, so that the
  // script's calls follow it (EVAL* is skip_monitor in call()).
  c.engine.FeedMonitors(c.session, c.argv);
  if (evalsha && c.arg(1).size() != 40) {
    c.reply.Error(kNoScript);
    return;
  }
  int64_t numkeys = 0;
  if (!NumKeys(c, kErrNotInteger, &numkeys)) return;
  script::EvalScripts& scripts = c.engine.scripts();
  std::string sha;
  if (evalsha) {
    if (scripts.Find(c.arg(1)) == nullptr) {
      c.reply.Error(kNoScript);
      return;
    }
    sha = c.arg(1);
  } else {
    std::string error;
    sha = scripts.Create(c.arg(1), &error);
    if (sha.empty()) {
      c.reply.Error(error);
      return;
    }
  }
  bool read_only = false;
  if (!PrepareRun(c, scripts.Find(sha)->flags, ro, &read_only)) return;
  const auto keys = c.argv.subspan(3, static_cast<size_t>(numkeys));
  const auto args = c.argv.subspan(3 + static_cast<size_t>(numkeys));
  EngineHost host(c.engine, c.session, read_only);
  c.engine.EnterScript(c.spec, c.argv);
  c.engine.BeginScriptRun(/*eval=*/true, sha, c.argv);
  c.engine.SetScriptAllowOom((scripts.Find(sha)->flags & script::kScriptAllowOom) != 0);
  scripts.Run(sha, keys, args, read_only, host, c.reply.protocol(), c.reply.buffer());
  c.engine.EndScriptRun();
  c.engine.LeaveScript();
}

void CmdEval(CommandContext& c) { EvalGeneric(c, false, false); }
void CmdEvalSha(CommandContext& c) { EvalGeneric(c, true, false); }
void CmdEvalRo(CommandContext& c) { EvalGeneric(c, false, true); }
void CmdEvalShaRo(CommandContext& c) { EvalGeneric(c, true, true); }

void FcallGeneric(CommandContext& c, bool ro) {
  c.PreventPropagation();                    // as EVAL
  c.engine.FeedMonitors(c.session, c.argv);  // fcallCommandGeneric, as EVAL
  script::FunctionLibraries& libs = c.engine.functions();
  const script::FunctionLibraries::Function* f = libs.FindFunction(c.arg(1));
  if (f == nullptr) {
    c.reply.Error("ERR Function not found");
    return;
  }
  int64_t numkeys = 0;
  if (!NumKeys(c, "ERR Bad number of keys provided", &numkeys)) return;
  bool read_only = false;
  if (!PrepareRun(c, f->flags, ro, &read_only)) return;
  const auto keys = c.argv.subspan(3, static_cast<size_t>(numkeys));
  const auto args = c.argv.subspan(3 + static_cast<size_t>(numkeys));
  EngineHost host(c.engine, c.session, read_only);
  c.engine.EnterScript(c.spec, c.argv);
  c.engine.BeginScriptRun(/*eval=*/false, f->name, c.argv);
  c.engine.SetScriptAllowOom((f->flags & script::kScriptAllowOom) != 0);
  libs.Call(*f, keys, args, read_only, host, c.reply.protocol(), c.reply.buffer());
  c.engine.EndScriptRun();
  c.engine.LeaveScript();
}

void CmdFcall(CommandContext& c) { FcallGeneric(c, false); }
void CmdFcallRo(CommandContext& c) { FcallGeneric(c, true); }

struct Subcommand {
  std::string_view name;
  int arity;
};

// A container's subcommand, checked as processCommand checks it; nullptr
// after replying.
const Subcommand* FindSub(CommandContext& c, std::span<const Subcommand> subs) {
  for (const Subcommand& s : subs) {
    if (!IEquals(c.arg(1), s.name)) continue;
    const size_t n = c.argc();
    if (s.arity > 0 ? n != static_cast<size_t>(s.arity) : n < static_cast<size_t>(-s.arity)) {
      c.reply.Error(ArityError(std::string(c.spec.name) + "|" + std::string(s.name)));
      return nullptr;
    }
    return &s;
  }
  c.reply.Error(UnknownSubcommandError(c.arg(0), c.arg(1)));
  return nullptr;
}

// addReplySubcommandSyntaxError.
void SubcommandSyntaxError(CommandContext& c, std::string_view help) {
  c.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                std::string(CStr(c.arg(1)).substr(0, 128)) + "'. Try " + std::string(help) +
                " HELP.");
}

void ReplyHelp(CommandContext& c, std::string_view command,
               std::initializer_list<std::string_view> lines) {
  c.reply.ArrayHeader(static_cast<int64_t>(lines.size()) + 3);
  c.reply.Simple(std::string(command) +
                 " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view l : lines) c.reply.Simple(l);
  c.reply.Simple("HELP");
  c.reply.Simple("    Prints this help.");
}

constexpr Subcommand kScriptSubs[] = {
    {"exists", -3}, {"flush", -2}, {"help", 2}, {"kill", 2}, {"load", 3},
};

void CmdScript(CommandContext& c) {
  const Subcommand* sub = FindSub(c, kScriptSubs);
  if (sub == nullptr) return;
  script::EvalScripts& scripts = c.engine.scripts();
  if (sub->name == "flush") {
    if (!(c.argc() == 2 || (c.argc() == 3 && (c.ArgIs(2, "sync") || c.ArgIs(2, "async"))))) {
      c.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
      return;
    }
    scripts.Flush();
    c.reply.Ok();
  } else if (sub->name == "exists") {
    c.reply.ArrayHeader(static_cast<int64_t>(c.argc()) - 2);
    for (size_t j = 2; j < c.argc(); ++j) c.reply.Integer(scripts.Find(c.arg(j)) ? 1 : 0);
  } else if (sub->name == "load") {
    std::string error;
    const std::string sha = scripts.Create(c.arg(2), &error);
    if (sha.empty()) {
      c.reply.Error(error);
    } else {
      c.reply.Bulk(sha);
    }
  } else if (sub->name == "kill") {
    c.engine.ScriptKill(c.reply, /*is_eval=*/true);  // busy_script.cc
  } else {
    ReplyHelp(c, "SCRIPT",
              {"DEBUG (YES|SYNC|NO)", "    Set the debug mode for subsequent scripts executed.",
               "EXISTS <sha1> [<sha1> ...]",
               "    Return information about the existence of the scripts in the script cache.",
               "FLUSH [ASYNC|SYNC]", "    Flush the Lua scripts cache. Very dangerous on replicas.",
               "    When called without the optional mode argument, the behavior is determined by "
               "the",
               "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
               "    * ASYNC: Asynchronously flush the scripts cache.",
               "    * SYNC: Synchronously flush the scripts cache.", "KILL",
               "    Kill the currently executing Lua script.", "LOAD <script>",
               "    Load a script into the scripts cache without executing it."});
  }
}

constexpr Subcommand kFunctionSubs[] = {
    {"delete", 3}, {"dump", 2},  {"flush", -2},   {"help", 2},  {"kill", 2},
    {"list", -2},  {"load", -3}, {"restore", -3}, {"stats", 2},
};

void FunctionList(CommandContext& c) {
  script::FunctionLibraries& libs = c.engine.functions();
  bool with_code = false;
  bool have_pattern = false;
  std::string pattern;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (!with_code && c.ArgIs(i, "withcode")) {
      with_code = true;
      continue;
    }
    if (!have_pattern && c.ArgIs(i, "libraryname")) {
      if (i >= c.argc() - 1) {
        c.reply.Error("ERR library name argument was not given");
        return;
      }
      pattern = c.arg(++i);
      have_pattern = true;
      continue;
    }
    // addReplyErrorSdsSafe: a CR/LF at the end becomes a space too.
    c.reply.ErrorMapped("ERR Unknown argument " + std::string(CStr(c.arg(i))));
    return;
  }
  std::vector<const script::FunctionLibraries::Library*> shown;
  for (const auto& [name, lib] : libs.libraries()) {
    if (have_pattern && !GlobPattern(pattern, /*nocase=*/true).Matches(name)) continue;
    shown.push_back(&lib);
  }
  c.reply.ArrayHeader(static_cast<int64_t>(shown.size()));
  for (const auto* lib : shown) {
    c.reply.MapHeader(with_code ? 4 : 3);
    c.reply.Bulk("library_name");
    c.reply.Bulk(lib->name);
    c.reply.Bulk("engine");
    c.reply.Bulk(lib->engine);
    c.reply.Bulk("functions");
    c.reply.ArrayHeader(static_cast<int64_t>(lib->defs.size()));
    for (const auto& def : lib->defs) {
      const auto* f = &def;
      c.reply.MapHeader(3);
      c.reply.Bulk("name");
      c.reply.Bulk(f->name);
      c.reply.Bulk("description");
      if (f->has_description) {
        c.reply.Bulk(f->description);
      } else {
        c.reply.Null();
      }
      c.reply.Bulk("flags");
      std::vector<std::string_view> names;
      for (std::string_view flag :
           {"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"}) {
        if ((f->flags & script::ScriptFlagByName(flag)) != 0) names.push_back(flag);
      }
      c.reply.SetHeader(static_cast<int64_t>(names.size()));
      for (std::string_view n : names) c.reply.Simple(n);
    }
    if (with_code) {
      c.reply.Bulk("library_code");
      c.reply.Bulk(lib->code);
    }
  }
}

// functionRestoreCommand: the argument count, the policy, the footer, then
// the libraries (function_dump.cc).
void FunctionRestore(CommandContext& c) {
  if (c.argc() > 4) {
    SubcommandSyntaxError(c, "FUNCTION");
    return;
  }
  auto policy = script::FunctionLibraries::RestorePolicy::kAppend;
  if (c.argc() == 4) {
    if (c.ArgIs(3, "append")) {
      policy = script::FunctionLibraries::RestorePolicy::kAppend;
    } else if (c.ArgIs(3, "replace")) {
      policy = script::FunctionLibraries::RestorePolicy::kReplace;
    } else if (c.ArgIs(3, "flush")) {
      policy = script::FunctionLibraries::RestorePolicy::kFlush;
    } else {
      c.reply.Error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
      return;
    }
  }
  if (!rdb::VerifyPayload(c.arg(2))) {
    c.reply.Error("ERR DUMP payload version or checksum are wrong");
    return;
  }
  std::string error;
  if (!c.engine.functions().Restore(c.arg(2), policy, &error)) {
    c.reply.Error(error);
    return;
  }
  c.Dirty();  // server.dirty++
  c.reply.Ok();
}

void CmdFunction(CommandContext& c) {
  const Subcommand* sub = FindSub(c, kFunctionSubs);
  if (sub == nullptr) return;
  script::FunctionLibraries& libs = c.engine.functions();
  if (sub->name == "load") {
    bool replace = false;
    size_t pos = 2;
    while (pos < c.argc() - 1) {
      if (c.ArgIs(pos, "replace")) {
        replace = true;
        ++pos;
        continue;
      }
      c.reply.Error("ERR Unknown option given: " + std::string(CStr(c.arg(pos))));
      return;
    }
    std::string error;
    const std::string name = libs.Load(c.arg(pos), replace, &error);
    if (name.empty()) {
      c.reply.Error(error);
    } else {
      c.Dirty();  // functionLoadCommand: server.dirty++
      c.reply.Bulk(name);
    }
  } else if (sub->name == "delete") {
    if (!libs.Delete(c.arg(2))) {
      c.reply.Error("ERR Library not found");
      return;
    }
    c.Dirty();
    c.reply.Ok();
  } else if (sub->name == "flush") {
    if (c.argc() > 3) {
      SubcommandSyntaxError(c, "FUNCTION");
      return;
    }
    if (c.argc() == 3 && !c.ArgIs(2, "sync") && !c.ArgIs(2, "async")) {
      c.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
      return;
    }
    libs.Flush();
    c.Dirty();
    c.reply.Ok();
  } else if (sub->name == "list") {
    FunctionList(c);
  } else if (sub->name == "kill") {
    c.engine.ScriptKill(c.reply, /*is_eval=*/false);  // busy_script.cc
  } else if (sub->name == "dump") {
    c.reply.Bulk(libs.Dump());  // function_dump.cc
  } else if (sub->name == "restore") {
    FunctionRestore(c);
  } else if (sub->name == "stats") {
    const Engine::RunningScript* running = c.engine.running_script();  // busy_script.cc
    if (running != nullptr && running->eval) {
      c.reply.Error(c.engine.BusyError());
      return;
    }
    c.reply.MapHeader(2);
    c.reply.Bulk("running_script");
    if (running == nullptr) {
      c.reply.Null();
    } else {
      c.reply.MapHeader(3);
      c.reply.Bulk("name");
      c.reply.Bulk(running->name);
      c.reply.Bulk("command");
      c.reply.ArrayHeader(static_cast<int64_t>(running->argv.size()));
      for (const std::string& a : running->argv) c.reply.Bulk(a);
      c.reply.Bulk("duration_ms");
      c.reply.Integer(c.engine.ScriptRunDuration());
    }
    c.reply.Bulk("engines");
    c.reply.MapHeader(1);
    c.reply.Bulk("LUA");
    c.reply.MapHeader(2);
    c.reply.Bulk("libraries_count");
    c.reply.Integer(static_cast<int64_t>(libs.libraries().size()));
    c.reply.Bulk("functions_count");
    c.reply.Integer(static_cast<int64_t>(libs.function_count()));
  } else {
    ReplyHelp(
        c, "FUNCTION",
        {"LOAD [REPLACE] <FUNCTION CODE>",
         "    Create a new library with the given library name and code.",
         "DELETE <LIBRARY NAME>",
         "    Delete the given library.",
         "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
         "    Return general information on all the libraries:",
         "    * Library name",
         "    * The engine used to run the Library",
         "    * Library description",
         "    * Functions list",
         "    * Library code (if WITHCODE is given)",
         "    It also possible to get only function that matches a pattern using LIBRARYNAME "
         "argument.",
         "STATS",
         "    Return information about the current function running:",
         "    * Function name",
         "    * Command used to run the function",
         "    * Duration in MS that the function is running",
         "    If no function is running, return nil",
         "    In addition, returns a list of available engines.",
         "KILL",
         "    Kill the current running function.",
         "FLUSH [ASYNC|SYNC]",
         "    Delete all the libraries.",
         "    When called without the optional mode argument, the behavior is determined by the",
         "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
         "    * ASYNC: Asynchronously flush the libraries.",
         "    * SYNC: Synchronously flush the libraries.",
         "DUMP",
         "    Return a serialized payload representing the current libraries, can be restored "
         "using FUNCTION RESTORE command",
         "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
         "    Restore the libraries represented by the given payload, it is possible to give a "
         "restore policy to",
         "    control how to handle existing libraries (default APPEND):",
         "    * FLUSH: delete all existing libraries.",
         "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
         "abort.",
         "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
         "replace the old",
         "      libraries with the new libraries (notice that even on this option there is a "
         "chance of failure",
         "      in case of functions name collision with another library)."});
  }
}

constexpr uint32_t kScriptCmd = kCmdNoScript | kCmdStale | kCmdMovableKeys;

constexpr CommandSpec kScriptingCommands[] = {
    {"eval", -3, kScriptCmd, 0, 0, 0, CmdEval},
    {"evalsha", -3, kScriptCmd, 0, 0, 0, CmdEvalSha},
    {"eval_ro", -3, kScriptCmd | kCmdReadonly, 0, 0, 0, CmdEvalRo},
    {"evalsha_ro", -3, kScriptCmd | kCmdReadonly, 0, 0, 0, CmdEvalShaRo},
    {"fcall", -3, kScriptCmd, 0, 0, 0, CmdFcall},
    {"fcall_ro", -3, kScriptCmd | kCmdReadonly, 0, 0, 0, CmdFcallRo},
    {"script", -2, kCmdNoScript, 0, 0, 0, CmdScript},
    {"function", -2, kCmdNoScript, 0, 0, 0, CmdFunction},
};

// scriptCall's checks for a command the engine does not implement, from
// redis-server 7.0.15's COMMAND facts: lookupCommand (a container's
// subcommand when there is an argument after it: unknown when 7.0.15 has no
// such subcommand), arity, then NOSCRIPT (CLUSTER RESET, ACL ..., SAVE,
// MONITOR, ...). A command that passes them would run on redis-server; here
// it stays unknown, as it is outside a script.
std::string NotImplementedScriptCallError(std::span<const std::string> argv) {
  constexpr char kUnknown[] = "Unknown Redis command called from script";
  const CommandFact* fact = FindCommandFact(argv[0]);
  if (fact == nullptr || argv[0].find('|') != std::string::npos) return kUnknown;
  if (!fact->subcommands.empty() && argv.size() >= 2) {
    if (argv[1].find('|') != std::string::npos) return kUnknown;
    fact = FindCommandFact(absl::StrCat(argv[0], "|", argv[1]));
    if (fact == nullptr) return kUnknown;
  }
  const size_t n = argv.size();
  if (fact->arity > 0 ? n != static_cast<size_t>(fact->arity)
                      : n < static_cast<size_t>(-fact->arity)) {
    return "Wrong number of args calling Redis command from script";
  }
  if (fact->HasFlag("noscript")) return "This Redis command is not allowed from script";
  return kUnknown;
}

}  // namespace

std::string Engine::ScriptCall(Session& s, std::span<const std::string> argv,
                               resp::Protocol protocol, bool read_only, int* db,
                               std::string* reply) {
  // scriptCall: lookupCommand (a container's subcommand resolved), arity,
  // NOSCRIPT, then the read-only check.
  const CommandSpec* spec = FindCommand(argv[0]);
  if (spec == nullptr) return NotImplementedScriptCallError(argv);
  // SCRIPT HELP is no NOSCRIPT command (arity 2): a script may run it.
  // (ACL HELP is no NOSCRIPT command either.)
  const bool script_help =
      (spec->name == "script" || spec->name == "acl" || spec->name == "client") &&
      argv.size() >= 2 && IEquals(argv[1], "help");
  if (script_help && argv.size() != 2) {
    return "Wrong number of args calling Redis command from script";
  }
  if (!script_help && (spec->name == "client" || spec->name == "script" ||
                       spec->name == "function" || spec->name == "acl")) {
    // Containers: with no subcommand the container's arity (-2) fails;
    // an unknown subcommand is an unknown command. Every subcommand of
    // these is NOSCRIPT in 7.0.15 but SCRIPT HELP (and CLIENT HELP and
    // FUNCTION HELP, refused here).
    if (argv.size() < 2) return "Wrong number of args calling Redis command from script";
    static constexpr std::string_view kClient[] = {
        "caching", "getname",  "getredir",     "id",      "info",
        "kill",    "list",     "no-evict",     "pause",   "reply",
        "setname", "tracking", "trackinginfo", "unblock", "unpause"};
    static constexpr std::string_view kScript[] = {"exists", "flush", "kill", "load", "debug"};
    static constexpr std::string_view kFunction[] = {"delete", "flush", "help", "kill",   "list",
                                                     "load",   "stats", "dump", "restore"};
    static constexpr std::string_view kAcl[] = {"cat",     "deluser", "dryrun", "genpass",
                                                "getuser", "list",    "load",   "log",
                                                "save",    "setuser", "users",  "whoami"};
    std::span<const std::string_view> subs = kFunction;
    if (spec->name == "acl") subs = kAcl;
    if (spec->name == "client") subs = kClient;
    if (spec->name == "script") subs = kScript;
    bool known = false;
    for (std::string_view sub : subs) known = known || IEquals(argv[1], sub);
    if (!known) return "Unknown Redis command called from script";
    // scriptVerifyCommandArity: the subcommand's arity (7.0.15's facts).
    if (spec->name == "acl") {
      const CommandFact* f = FindCommandFact("acl|" + std::string(argv[1]));
      const int64_t n = static_cast<int64_t>(argv.size());
      if (f != nullptr && ((f->arity > 0 && f->arity != n) || n < -f->arity)) {
        return "Wrong number of args calling Redis command from script";
      }
    }
    return "This Redis command is not allowed from script";
  }
  if (!ArityOk(*spec, argv.size())) return "Wrong number of args calling Redis command from script";
  // DEBUG SET-DISABLE-DENY-SCRIPTS lifts the NOSCRIPT ban; here for DEBUG
  // alone (what the flag is for: DEBUG PROTOCOL from a script). The other
  // NOSCRIPT commands (EVAL, MULTI, SUBSCRIBE, ...) would nest what the
  // engine runs once, so they stay refused (docs/fidelity.md, "DEBUG").
  const bool deny_lifted = script_deny_disabled_ && spec->name == "debug";
  if (!script_help && !deny_lifted && (spec->flags & kCmdNoScript) != 0) {
    return "This Redis command is not allowed from script";
  }
  // The other containers (CONFIG, OBJECT, XGROUP, ...): lookupCommand
  // resolves the subcommand, whose own arity and flags are checked (the
  // handlers rely on the arity).
  if (IsEngineContainer(spec->name) && argv.size() >= 2) {
    const int arity = EngineSubcommandArity(spec->name, argv[1]);
    if (arity == 0) return NotImplementedScriptCallError(argv);
    const size_t n = argv.size();
    if (arity > 0 ? n != static_cast<size_t>(arity) : n < static_cast<size_t>(-arity)) {
      return "Wrong number of args calling Redis command from script";
    }
    const CommandFact* fact =
        FindCommandFact(std::string(spec->name) + "|" + absl::AsciiStrToLower(argv[1]));
    if (fact != nullptr && fact->HasFlag("noscript")) {
      return "This Redis command is not allowed from script";
    }
  }
  // The subcommand's write, denyoom and readonly (command_facts.h).
  const uint32_t flags = FlagsForArgv(*spec, argv);
  // scriptVerifyACL: the script runs as its caller's user, and a refusal
  // is logged as the caller's, in context "lua".
  size_t acl_idx = 0;
  const AclResult acl = AclCheck(s, argv, &acl_idx);
  if (acl != AclResult::kOk) AclLogDenial(s, acl, "lua", argv, acl_idx, FactName(*spec, argv));
  switch (acl) {
    case AclResult::kOk:
      break;
    case AclResult::kDeniedCmd:
      return "The user executing the script can't run this command or subcommand";
    case AclResult::kDeniedKey:
      return "The user executing the script can't access at least one of the keys mentioned in "
             "the command arguments";
    default:
      return "The user executing the script can't publish to the channel mentioned in the "
             "command";
  }
  // scriptVerifyWriteCommandAllow counts may-replicate commands as writes
  // (PUBLISH, SPUBLISH, PFCOUNT among the engine's; checked on 7.0.15).
  const bool may_replicate =
      spec->name == "publish" || spec->name == "spublish" || spec->name == "pfcount";
  if (read_only && ((flags & kCmdWrite) != 0 || may_replicate)) {
    return "Write commands are not allowed from read-only scripts.";
  }
  // scriptVerifyWriteCommandAllow's last check: a write before the
  // script's first one, with min-replicas-to-write set (no replicas here).
  if ((flags & kCmdWrite) != 0 && !script_write_dirty_ && !GoodReplicasOk()) {
    return "-NOREPLICAS Not enough good replicas to write.";
  }
  // scriptVerifyOOM: a denyoom command is refused while the script has not
  // written yet, when memory was out at the script's start.
  if (maxmemory_ != 0 && !script_allow_oom_ && !script_write_dirty_ && script_pre_oom_ &&
      (flags & kCmdDenyOom) != 0) {
    return "-OOM command not allowed when used memory > 'maxmemory'.";
  }
  if ((flags & kCmdWrite) != 0) script_write_dirty_ = true;
  // The script's client: its protocol and db, on the caller's session (for
  // client tracking and NOLOOP, Redis counts the script's reads and writes
  // as the caller's).
  // scriptCall: a write command makes the script unkillable, even if it fails.
  if ((flags & kCmdWrite) != 0) MarkScriptWrite();
  const resp::Protocol saved_protocol = s.protocol;
  const int saved_db = s.db;
  s.protocol = protocol;
  s.db = *db;
  in_script_call_ = true;
  Call(s, *spec, argv, {}, reply);
  in_script_call_ = false;
  *db = s.db;
  s.protocol = saved_protocol;
  s.db = saved_db;
  return "";
}

namespace {

// afterErrorReply's error code: the text after '-' up to a space within
// the first 32 bytes; "ERR" for text without '-', or without such a space.
std::string AfterErrorReplyCode(std::string_view text) {
  if (text.empty() || text[0] != '-') return "ERR";
  const size_t space = text.substr(0, std::min<size_t>(text.size(), 32)).find(' ');
  if (space == std::string_view::npos) return "ERR";
  return std::string(text.substr(1, space - 1));
}

}  // namespace

void Engine::CountScriptRefusal(std::span<const std::string> argv, std::string_view err) {
  ++stats_.error_replies;
  ++stats_.errors[AfterErrorReplyCode(err)];
  // incrCommandStatsOnError(cmd, ERROR_COMMAND_REJECTED): the command
  // lookupCommand found, a container's subcommand when argv names one
  // (none for an unknown subcommand).
  const CommandSpec* spec = FindCommand(argv[0]);
  if (spec == nullptr) return;
  std::string name(spec->name);
  if (argv.size() >= 2 &&
      (IsEngineContainer(spec->name) || spec->name == "script" || spec->name == "function")) {
    const bool known = IsEngineContainer(spec->name)
                           ? EngineSubcommandArity(spec->name, argv[1]) != 0
                           : ScriptSubcommandError(spec->name, argv).rfind("ERR unknown", 0) != 0;
    if (!known) return;
    name += "|" + absl::AsciiStrToLower(argv[1]);
  }
  ++stats_.commands[name].rejected;
}

void Engine::ScriptReplyError(std::string_view text, bool uncounted) {
  script_reply_errors_.active = true;
  if (uncounted) {
    ++script_reply_errors_.uncounted;
    return;
  }
  script_reply_errors_.counted = true;
  ++stats_.error_replies;
  ++stats_.errors[AfterErrorReplyCode(text)];
}

std::span<const CommandSpec> ScriptingCommands() { return kScriptingCommands; }

std::optional<uint32_t> Engine::DeclaredScriptFlags(const CommandSpec& spec,
                                                    std::span<const std::string> argv) const {
  if (!IsScriptCommand(spec.name) || argv.size() < 2) return std::nullopt;
  uint32_t flags = script::kScriptCompat;
  if (spec.name == "eval" || spec.name == "eval_ro") {
    size_t len = 0;
    std::string err;
    if (!script::ParseEvalShebang(argv[1], &flags, &len, &err)) return std::nullopt;
  } else if (spec.name == "evalsha" || spec.name == "evalsha_ro") {
    const script::EvalScripts::Script* found =
        scripts_ == nullptr ? nullptr : scripts_->Find(argv[1]);
    if (found == nullptr) return std::nullopt;
    flags = found->flags;
  } else {
    const script::FunctionLibraries::Function* f =
        functions_ == nullptr ? nullptr : functions_->FindFunction(argv[1]);
    if (f == nullptr) return std::nullopt;
    flags = f->flags;
  }
  if ((flags & script::kScriptCompat) != 0) return std::nullopt;
  return flags;
}

bool Engine::ScriptCommandDeniesOom(const CommandSpec& spec,
                                    std::span<const std::string> argv) const {
  const std::optional<uint32_t> flags = DeclaredScriptFlags(spec, argv);
  return flags.has_value() && (*flags & (script::kScriptAllowOom | script::kScriptNoWrites)) == 0;
}

bool Engine::ScriptCommandWrites(const CommandSpec& spec, std::span<const std::string> argv) const {
  const std::optional<uint32_t> flags = DeclaredScriptFlags(spec, argv);
  return flags.has_value() && (*flags & script::kScriptNoWrites) == 0;
}

std::string ScriptSubcommandError(std::string_view command, std::span<const std::string> argv) {
  std::span<const Subcommand> subs;
  if (command == "script") {
    subs = kScriptSubs;
  } else if (command == "function") {
    subs = kFunctionSubs;
  } else {
    return "";
  }
  for (const Subcommand& s : subs) {
    if (!IEquals(argv[1], s.name)) continue;
    const size_t n = argv.size();
    if (s.arity > 0 ? n != static_cast<size_t>(s.arity) : n < static_cast<size_t>(-s.arity)) {
      return ArityError(std::string(command) + "|" + std::string(s.name));
    }
    return "";
  }
  return UnknownSubcommandError(argv[0], argv[1]);
}

bool IsScriptCommand(std::string_view name) {
  return name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro" ||
         name == "fcall" || name == "fcall_ro";
}

}  // namespace respfuzz::engine
