// The reference model's standalone server (cluster-enabled no, a master
// with no replicas), from redis-server 7.0.15's behaviour: the cluster
// commands (CLUSTER and each of its 27 subcommands, ASKING, READONLY,
// READWRITE) only refuse, each after its own arity check; ROLE describes a
// master at offset 0 with no replicas. (SUBSTR, GETRANGE's old name, is in
// reference_strings.cc.)
// Apart from the engine's src/engine/cmd_standalone.cc.
#include <map>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

Value Disabled(Ctx& c) { return c.Err("This instance has cluster support disabled"); }

Value Role(Ctx& c) { return c.Array({c.Bulk("master"), c.Int(0), c.Array()}); }

}  // namespace

std::vector<CommandSpec> StandaloneCommands() {
  return {{"asking", 1, Disabled},
          {"readonly", 1, Disabled},
          {"readwrite", 1, Disabled},
          {"role", 1, Role}};
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
