// What a standalone redis-server 7.0.15 (cluster-enabled no, a master with
// no replicas) answers to the cluster and replication commands a client
// may still send it: CLUSTER with any of its subcommands (after the
// subcommand's arity and ACL checks, engine.cc), ASKING, READONLY and
// READWRITE refuse with clusterCommand's "This instance has cluster
// support disabled"; ROLE is a master's at replication offset 0 with no
// replicas (checked against redis-server 7.0.15 in both protocols).
#include <array>
#include <span>

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

constexpr std::array<CommandSpec, 5> kCommands = {{
    {"cluster", -2, 0, 0, 0, 0, ClusterDisabled},
    {"asking", 1, kCmdFast, 0, 0, 0, ClusterDisabled},
    {"readonly", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, ClusterDisabled},
    {"readwrite", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, ClusterDisabled},
    {"role", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdRole},
}};

}  // namespace

std::span<const CommandSpec> StandaloneCommands() { return kCommands; }

}  // namespace respfuzz::engine
