// What a standalone redis-server 7.0.15 (cluster-enabled no, a master with
// no replicas) answers to the cluster and replication commands a client
// may still send it: CLUSTER with any of its subcommands (after the
// subcommand's arity and ACL checks, engine.cc), ASKING, READONLY and
// READWRITE refuse with clusterCommand's "This instance has cluster
// support disabled"; ROLE is a master's at replication offset 0 with no
// replicas; WAIT counts no acknowledgement and blocks until its timeout when
// it asks for any; FAILOVER parses its options and finds no replica; MODULE
// lists no module, and MODULE LOAD / LOADEX / UNLOAD are refused as
// protected commands, and DEBUG unless enable-debug-command allows it
// (checked against redis-server 7.0.15 in both protocols).
#include <array>
#include <cstdlib>
#include <span>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

void ClusterDisabled(CommandContext& c) {
  c.reply.Error("ERR This instance has cluster support disabled");
}

void CmdRole(CommandContext& c) {
  c.reply.ArrayHeader(3);
  c.reply.Bulk("master");
  c.reply.Integer(0);
  c.reply.ArrayHeader(0);
}

// WAIT numreplicas timeout (waitCommand): no replica ever acknowledges, so
// 0 at once when that is enough (numreplicas <= 0) or inside EXEC (where
// nothing blocks); otherwise the session blocks, on no key, until its
// timeout in milliseconds (0: none) or CLIENT UNBLOCK, and then gets 0
// (replyToBlockedClientTimedOut; CLIENT UNBLOCK ERROR: the UNBLOCKED error).
void CmdWait(CommandContext& c) {
  int64_t numreplicas, timeout;
  if (!c.IntArg(1, &numreplicas) || !c.MsTimeoutArg(2, &timeout)) return;
  if (numreplicas <= 0 || c.engine.DenyBlocking()) {
    c.reply.Integer(0);
    return;
  }
  BlockState b;
  b.type = BlockType::kWait;
  b.db = c.db;
  b.timeout_ms = timeout;
  b.argv.assign(c.argv.begin(), c.argv.end());
  c.engine.Block(c.session, std::move(b));
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (failoverCommand):
// ABORT alone finds no failover in progress; otherwise each option at most
// once (TO with its two arguments, the port an integer; TIMEOUT above 0),
// any other word a syntax error, and then a master with no replica refuses.
void CmdFailover(CommandContext& c) {
  if (c.argc() == 2 && c.ArgIs(1, "abort")) {
    c.reply.Error("ERR No failover in progress.");
    return;
  }
  bool timeout = false, to = false, force = false;
  for (size_t j = 1; j < c.argc(); ++j) {
    if (c.ArgIs(j, "timeout") && j + 1 < c.argc() && !timeout) {
      int64_t ms;
      if (!c.IntArg(j + 1, &ms)) return;
      if (ms <= 0) {
        c.reply.Error("ERR FAILOVER timeout must be greater than 0");
        return;
      }
      timeout = true;
      ++j;
    } else if (c.ArgIs(j, "to") && j + 2 < c.argc() && !to) {
      int64_t port;
      if (!c.IntArg(j + 2, &port)) return;
      to = true;
      j += 2;
    } else if (c.ArgIs(j, "force") && !force) {
      force = true;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  c.reply.Error("ERR FAILOVER requires connected replicas.");
}

// MODULE HELP (addReplyHelp) and MODULE LIST: no module is ever loaded.
// LOAD, LOADEX and UNLOAD never get here: Dispatch refuses them as
// protected commands, and so DEBUG; their handler repeats that refusal.
void CmdModule(CommandContext& c) {
  if (c.ArgIs(1, "help")) {
    static constexpr std::string_view kLines[] = {
        "LIST",
        "    Return a list of loaded modules.",
        "LOAD <path> [<arg> ...]",
        "    Load a module library from <path>, passing to it any optional arguments.",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "    Load a module library from <path>, while passing it module configurations and "
        "optional arguments.",
        "UNLOAD <name>",
        "    Unload a module.",
        "HELP",
        "    Prints this help.",
    };
    c.reply.ArrayHeader(static_cast<int64_t>(std::size(kLines)) + 1);
    c.reply.Simple(absl::AsciiStrToUpper(std::string(c.arg(0))) +
                   " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for (std::string_view line : kLines) c.reply.Simple(line);
  } else if (c.ArgIs(1, "list")) {
    c.reply.ArrayHeader(0);
  } else {
    c.reply.Error(ProtectedRefusal("MODULE"));
  }
}

// DEBUG, where enable-debug-command lets it run (Engine::DebugAllowed;
// elsewhere Dispatch refuses it first). debugCommand's subcommands, matched
// in 7.0.15's order with their argument counts: PROTOCOL <type> writes one
// reply of each RESP3 type (RESP2: its downgrade), SET-ACTIVE-EXPIRE <n>
// turns the active expiry cycle off or on (atoi, nonzero: on), DIGEST and
// DIGEST-VALUE digest the dataset and values (digest.cc). Any other
// subcommand of 7.0.15's DEBUG (crashes, RDB and AOF reloads,
// allocator and encoding dumps) is refused by name, not faked; a word that
// is none of them is addReplySubcommandSyntaxError's.
void CmdDebug(CommandContext& c) {
  auto syntax_error = [&] {
    c.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(CStr(c.arg(1)).substr(0, 128)) + "'. Try DEBUG HELP.");
  };
  if (c.ArgIs(1, "protocol") && c.argc() == 3) {
    ReplyWriter& w = c.reply;
    if (c.ArgIs(2, "string")) {
      w.Bulk("Hello World");
    } else if (c.ArgIs(2, "integer")) {
      w.Integer(12345);
    } else if (c.ArgIs(2, "double")) {
      w.Double(3.141);
    } else if (c.ArgIs(2, "bignum")) {
      // addReplyBigNum: a bulk string in RESP2.
      const std::string kBig = "1234567999999999999999999999999999999";
      if (w.resp3()) {
        w.buffer()->append("(" + kBig + "\r\n");
      } else {
        w.Bulk(kBig);
      }
    } else if (c.ArgIs(2, "null")) {
      w.Null();
    } else if (c.ArgIs(2, "array") || c.ArgIs(2, "set")) {
      if (c.ArgIs(2, "array")) {
        w.ArrayHeader(3);
      } else {
        w.SetHeader(3);
      }
      for (int j = 0; j < 3; ++j) w.Integer(j);
    } else if (c.ArgIs(2, "map")) {
      w.MapHeader(3);
      for (int j = 0; j < 3; ++j) {
        w.Integer(j);
        w.Bool(j == 1);
      }
    } else if (c.ArgIs(2, "attrib")) {
      // An attribute only in RESP3, then the reply it annotates.
      if (w.resp3()) {
        w.buffer()->append("|1\r\n");
        w.Bulk("key-popularity");
        w.ArrayHeader(2);
        w.Bulk("key:123");
        w.Integer(90);
      }
      w.Bulk("Some real reply following the attribute");
    } else if (c.ArgIs(2, "push")) {
      if (!w.resp3()) {
        w.Error("ERR RESP2 is not supported by this command");
        return;
      }
      // Written as a push (CLIENT_PUSHING): past CLIENT REPLY OFF / SKIP,
      // straight into the session's stream (inside EXEC's array too).
      ReplyWriter push(c.session.protocol, &c.session.output);
      push.buffer()->append(">2\r\n");
      push.Bulk("server-cpu-usage");
      push.Integer(42);
      w.Bulk("Some real reply following the push reply");
    } else if (c.ArgIs(2, "true") || c.ArgIs(2, "false")) {
      w.Bool(c.ArgIs(2, "true"));
    } else if (c.ArgIs(2, "verbatim")) {
      w.Verbatim("This is a verbatim\nstring", "txt");
    } else {
      w.Error(
          "ERR Wrong protocol type name. Please use one of the following: "
          "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
    }
    return;
  }
  // DIGEST (argc 2): the dataset's digest; DIGEST-VALUE key...: each key's
  // value digest in the session's db, 40 zeros for a missing key (digest.cc).
  if (c.ArgIs(1, "digest") && c.argc() == 2) {
    c.reply.Simple(DatasetDigestHex(c.ks));
    return;
  }
  if (c.ArgIs(1, "digest-value")) {
    c.reply.ArrayHeader(static_cast<int64_t>(c.argc()) - 2);
    for (size_t j = 2; j < c.argc(); ++j) c.reply.Simple(ValueDigestHex(c.ks, c.db, c.arg(j)));
    return;
  }
  if (c.ArgIs(1, "set-active-expire") && c.argc() == 3) {
    // atoi: glibc's (int)strtol, so 4294967296 is 0 (off).
    const long n = std::strtol(std::string(CStr(c.arg(2))).c_str(), nullptr, 10);
    c.engine.set_active_expire_enabled(static_cast<int>(n) != 0);
    c.reply.Ok();
    return;
  }
  // 7.0.15's other subcommands, by name (debugCommand's chain; HELP too).
  static constexpr std::string_view kOthers[] = {"help",
                                                 "segfault",
                                                 "panic",
                                                 "restart",
                                                 "crash-and-recover",
                                                 "oom",
                                                 "assert",
                                                 "log",
                                                 "leak",
                                                 "reload",
                                                 "loadaof",
                                                 "drop-cluster-packet-filter",
                                                 "object",
                                                 "sdslen",
                                                 "listpack",
                                                 "quicklist",
                                                 "populate",
                                                 "sleep",
                                                 "quicklist-packed-threshold",
                                                 "set-skip-checksum-validation",
                                                 "aof-flush-sleep",
                                                 "replicate",
                                                 "error",
                                                 "structsize",
                                                 "htstats",
                                                 "htstats-key",
                                                 "change-repl-id",
                                                 "stringmatch-test",
                                                 "set-disable-deny-scripts",
                                                 "config-rewrite-force-all",
                                                 "client-eviction",
                                                 "mallctl",
                                                 "mallctl-str",
                                                 "pause-cron",
                                                 "replybuffer",
                                                 "clusterlink"};
  for (std::string_view name : kOthers) {
    if (c.ArgIs(1, name)) {
      c.reply.Error("ERR DEBUG " + absl::AsciiStrToUpper(std::string(name)) +
                    " is not implemented by respfuzz (PROTOCOL, SET-ACTIVE-EXPIRE, DIGEST and "
                    "DIGEST-VALUE are)");
      return;
    }
  }
  syntax_error();
}

constexpr std::array<CommandSpec, 9> kCommands = {{
    {"cluster", -2, 0, 0, 0, 0, ClusterDisabled},
    {"asking", 1, kCmdFast, 0, 0, 0, ClusterDisabled},
    {"readonly", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, ClusterDisabled},
    {"readwrite", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, ClusterDisabled},
    {"role", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdRole},
    {"wait", 3, kCmdNoScript, 0, 0, 0, CmdWait},
    {"failover", -1, kCmdNoScript | kCmdStale, 0, 0, 0, CmdFailover},
    {"module", -2, 0, 0, 0, 0, CmdModule},
    {"debug", -2, kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, CmdDebug},
}};

}  // namespace

std::span<const CommandSpec> StandaloneCommands() { return kCommands; }

std::string_view ProtectedCommand(std::string_view fullname) {
  if (fullname == "debug") return "DEBUG";
  if (fullname == "module|load" || fullname == "module|loadex" || fullname == "module|unload") {
    return "MODULE";
  }
  return {};
}

std::string ProtectedRefusal(std::string_view what) {
  const std::string name(what);
  return "ERR " + name + " command not allowed. If the " +
         (what == "DEBUG" ? "enable-debug-command" : "enable-module-command") +
         " option is set to \"local\", you can run it from a local connection, otherwise you "
         "need to set this option in the configuration file, and then restart the server.";
}

}  // namespace respfuzz::engine
