// What a standalone redis-server 7.0.15 (cluster-enabled no, a master with
// no replicas) answers to the cluster and replication commands a client
// may still send it: CLUSTER with any of its subcommands (after the
// subcommand's arity and ACL checks, engine.cc), ASKING, READONLY and
// READWRITE refuse with clusterCommand's "This instance has cluster
// support disabled"; ROLE is a master's at replication offset 0 with no
// replicas; WAIT counts no acknowledgement and blocks until its timeout when
// it asks for any; FAILOVER parses its options and finds no replica; MODULE
// lists no module, and MODULE LOAD / LOADEX / UNLOAD are refused as
// protected commands, and DEBUG (cmd_debug.cc) unless enable-debug-command
// allows it (checked against redis-server 7.0.15 in both protocols).
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
  c.reply.Integer(c.engine.master_repl_offset());
  // Each replica (replication.cc): its ip, listening port and acknowledged
  // offset, as bulk strings (0 and 0: no REPLCONF); one whose peer has no
  // address (an in-process session) is left out, as connPeerToString's
  // failure leaves it out.
  std::vector<const Session*> shown;
  for (const Session* r : c.engine.ReplicaSessions()) {
    if (!r->addr.empty() || !r->announced_ip.empty()) shown.push_back(r);
  }
  c.reply.ArrayHeader(static_cast<int64_t>(shown.size()));
  for (const Session* r : shown) {
    c.reply.ArrayHeader(3);
    c.reply.Bulk(r->announced_ip.empty() ? std::string(PeerIp(*r)) : r->announced_ip);
    c.reply.Bulk(std::to_string(r->listening_port));
    c.reply.Bulk(std::to_string(r->repl_ack_off));
  }
}

// WAIT numreplicas timeout (waitCommand): the replicas that acknowledged
// (REPLCONF ACK, replication.cc) the stream's offset after this session's
// last command, at once when they are enough or inside EXEC (where nothing
// blocks); otherwise the session blocks, on no key, a REPLCONF GETACK *
// goes to the replicas at the end of the turn, and the session gets the
// count once enough replicas acknowledged, or at its timeout in
// milliseconds (0: none) or CLIENT UNBLOCK (replyToBlockedClientTimedOut;
// CLIENT UNBLOCK ERROR: the UNBLOCKED error).
void CmdWait(CommandContext& c) {
  int64_t numreplicas, timeout;
  if (!c.IntArg(1, &numreplicas) || !c.MsTimeoutArg(2, &timeout)) return;
  const int64_t acked = c.engine.CountAcksByOffset(c.session.woff);
  if (acked >= numreplicas || c.engine.DenyBlocking()) {
    c.reply.Integer(acked);
    return;
  }
  BlockState b;
  b.type = BlockType::kWait;
  b.db = c.db;
  b.timeout_ms = timeout;
  b.argv.assign(c.argv.begin(), c.argv.end());
  b.wait_offset = c.session.woff;
  b.wait_numreplicas = numreplicas;
  c.engine.Block(c.session, std::move(b));
  c.engine.RequestAckFromReplicas();
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

constexpr std::array<CommandSpec, 8> kCommands = {{
    {"cluster", -2, 0, 0, 0, 0, ClusterDisabled},
    {"asking", 1, kCmdFast, 0, 0, 0, ClusterDisabled},
    {"readonly", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, ClusterDisabled},
    {"readwrite", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, ClusterDisabled},
    {"role", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdRole},
    {"wait", 3, kCmdNoScript, 0, 0, 0, CmdWait},
    {"failover", -1, kCmdNoScript | kCmdStale, 0, 0, 0, CmdFailover},
    {"module", -2, 0, 0, 0, 0, CmdModule},
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
