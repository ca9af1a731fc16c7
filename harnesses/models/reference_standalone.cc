// The reference model's standalone server (cluster-enabled no, a master
// with no replicas), from redis-server 7.0.15's behaviour: the cluster
// commands (CLUSTER and each of its 27 subcommands, ASKING, READONLY,
// READWRITE) only refuse, each after its own arity check; ROLE describes a
// master at offset 0 with no replicas; FAILOVER finds none to fail over
// to; MODULE LIST finds no module, and DEBUG and MODULE LOAD / LOADEX /
// UNLOAD are protected commands a default server refuses. (SUBSTR,
// GETRANGE's old name, is in reference_strings.cc; WAIT, which blocks, in
// reference_blocking.cc.) Apart from the engine's
// src/engine/cmd_standalone.cc.
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

Value Disabled(Ctx& c) { return c.Err("This instance has cluster support disabled"); }

Value Role(Ctx& c) { return c.Array({c.Bulk("master"), c.Int(0), c.Array()}); }

// failoverCommand: "abort" as the only argument, then the option loop (an
// option taken once, TIMEOUT n with n > 0, TO host port with an integer
// port, FORCE; anything else a syntax error), then the replica count.
Value Failover(Ctx& c) {
  const size_t argc = c.argc();
  if (argc == 2 && EqualsIgnoreCase(c.argv[1], "abort")) {
    return c.Err("No failover in progress.");
  }
  int64_t timeout_ms = 0, port = 0;
  bool host = false, force = false;
  Value err;
  size_t j = 1;
  while (j < argc) {
    const std::string& opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "timeout") && j + 1 < argc && timeout_ms == 0) {
      if (!c.GetLong(c.argv[j + 1], &timeout_ms, &err)) return err;
      if (timeout_ms <= 0) return c.Err("FAILOVER timeout must be greater than 0");
      j += 2;
    } else if (EqualsIgnoreCase(opt, "to") && j + 2 < argc && !host) {
      if (!c.GetLong(c.argv[j + 2], &port, &err)) return err;
      host = true;
      j += 3;
    } else if (EqualsIgnoreCase(opt, "force") && !force) {
      force = true;
      j += 1;
    } else {
      return c.Err("syntax error");
    }
  }
  return c.Err("FAILOVER requires connected replicas.");
}

// MODULE HELP's lines after the first (addReplyHelp), MODULE LIST: none.
Value Module(Ctx& c) {
  const std::string sub = Lowered(c.argv[1]);
  if (sub == "list") return c.Array();
  static const char* const kHelp[] = {
      "LIST",
      "    Return a list of loaded modules.",
      "LOAD <path> [<arg> ...]",
      "    Load a module library from <path>, passing to it any optional arguments.",
      "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
      "    Load a module library from <path>, while passing it module configurations and optional "
      "arguments.",
      "UNLOAD <name>",
      "    Unload a module.",
      "HELP",
      "    Prints this help.",
  };
  std::string first = c.argv[0];
  for (char& ch : first) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  std::vector<Value> lines = {
      Value::Simple(first + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")};
  for (const char* line : kHelp) lines.push_back(Value::Simple(line));
  return c.Array(std::move(lines));
}

// Never reached through Process (ProtectedRejection comes first); kept
// for a caller that skips it.
Value Protected(Ctx& c) {
  const std::string top = Lowered(c.argv[0]);
  return c.Err(ProtectedRejection(top == "module" ? top + "|" + Lowered(c.argv[1]) : top));
}

}  // namespace

std::string ProtectedRejection(const std::string& fullname) {
  std::string what;
  if (fullname == "debug") {
    what = "DEBUG";
  } else if (fullname == "module|load" || fullname == "module|loadex" ||
             fullname == "module|unload") {
    what = "MODULE";
  } else {
    return "";
  }
  return what + " command not allowed. If the enable-" + Lowered(what) +
         "-command option is set to \"local\", you can run it from a local connection, "
         "otherwise you need to set this option in the configuration file, and then restart the "
         "server.";
}

const std::map<std::string, CommandSpec>& ModuleSubcommands() {
  static const std::map<std::string, CommandSpec> subs = {
      {"module|help", {"module|help", 2, Module}},
      {"module|list", {"module|list", 2, Module}},
      {"module|load", {"module|load", -3, Protected}},
      {"module|loadex", {"module|loadex", -3, Protected}},
      {"module|unload", {"module|unload", 3, Protected}},
  };
  return subs;
}

std::vector<CommandSpec> StandaloneCommands() {
  return {{"debug", -2, Protected},  {"failover", -1, Failover}, {"asking", 1, Disabled},
          {"readonly", 1, Disabled}, {"readwrite", 1, Disabled}, {"role", 1, Role}};
}

const std::map<std::string, CommandSpec>& ClusterSubcommands() {
  static const std::map<std::string, CommandSpec> subs = [] {
    // COMMAND INFO CLUSTER's subcommands and arities (7.0.15).
    const std::pair<const char*, int> kArity[] = {{"addslots", -3},
                                                  {"addslotsrange", -4},
                                                  {"bumpepoch", 2},
                                                  {"count-failure-reports", 3},
                                                  {"countkeysinslot", 3},
                                                  {"delslots", -3},
                                                  {"delslotsrange", -4},
                                                  {"failover", -2},
                                                  {"flushslots", 2},
                                                  {"forget", 3},
                                                  {"getkeysinslot", 4},
                                                  {"help", 2},
                                                  {"info", 2},
                                                  {"keyslot", 3},
                                                  {"links", 2},
                                                  {"meet", -4},
                                                  {"myid", 2},
                                                  {"nodes", 2},
                                                  {"replicas", 3},
                                                  {"replicate", 3},
                                                  {"reset", -2},
                                                  {"saveconfig", 2},
                                                  {"set-config-epoch", 3},
                                                  {"setslot", -4},
                                                  {"shards", 2},
                                                  {"slaves", 3},
                                                  {"slots", 2}};
    std::map<std::string, CommandSpec> m;
    for (const auto& [sub, arity] : kArity) {
      const std::string full = std::string("cluster|") + sub;
      auto it = m.emplace(full, CommandSpec{nullptr, arity, Disabled}).first;
      it->second.name = it->first.c_str();  // the map's key outlives the spec
    }
    return m;
  }();
  return subs;
}

}  // namespace respfuzz::models::refmodel
