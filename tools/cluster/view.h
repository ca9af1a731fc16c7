// What the nodes of a cluster say about it (CLUSTER NODES, CLUSTER INFO, INFO
// replication), and the validators over those snapshots. The validators are
// plain functions of the snapshot so a test can hand them a cluster made
// inconsistent on purpose.
#ifndef RESPFUZZ_TOOLS_CLUSTER_VIEW_H_
#define RESPFUZZ_TOOLS_CLUSTER_VIEW_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace respfuzz::cluster_chaos {

inline constexpr int kSlots = 16384;

// One line of CLUSTER NODES:
// <id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...
struct NodeLine {
  std::string id;
  int port = 0;
  std::vector<std::string> flags;
  std::string master_id;  // "-" for none
  uint64_t config_epoch = 0;
  bool link_connected = false;
  std::vector<std::pair<int, int>> slots;  // owned ranges; migrating/importing entries skipped
  bool HasFlag(std::string_view f) const;
  bool myself() const { return HasFlag("myself"); }
  bool primary() const { return HasFlag("master"); }
  bool failed() const { return HasFlag("fail"); }
};

absl::StatusOr<std::vector<NodeLine>> ParseClusterNodes(std::string_view text);

// Per slot, the owner's node id in this view ("" when unassigned).
std::vector<std::string> SlotOwners(const std::vector<NodeLine>& view);

// What one node said, or why it did not answer.
struct NodeState {
  std::string name;  // shard-K-primary / shard-K-replica-J (as started)
  int port = 0;
  bool running = false;    // the tool believes the process is up and not stopped
  bool reachable = false;  // it answered
  std::string error;       // why it did not
  std::string cluster_nodes;
  std::vector<NodeLine> view;
  std::string cluster_state;
  std::string role;  // "master" or "slave" (INFO replication)
  int64_t master_repl_offset = 0;
  int64_t slave_repl_offset = -1;
  std::string master_link_status;
  int connected_slaves = 0;
  const NodeLine* Myself() const;
};

struct Snapshot {
  std::vector<NodeState> nodes;
};

struct CheckResult {
  std::string name;
  bool ok = true;
  std::string detail;  // the first problem, with every side
};

// Every running node answered.
CheckResult CheckReachable(const Snapshot& s);
// In every reachable node's view every slot has an owner, a primary not
// flagged fail.
CheckResult CheckSlotCoverage(const Snapshot& s);
// No slot is claimed by two reachable primaries (each one's own "myself" line).
CheckResult CheckSlotConflicts(const Snapshot& s);
// Every reachable node names the same owner for every slot.
CheckResult CheckAgreement(const Snapshot& s);
// Every reachable replica's link to its primary is up, and every reachable
// primary has as many connected replicas as running nodes replicate it.
CheckResult CheckReplicaLinks(const Snapshot& s);
// Every reachable replica in `after` has reached the replication offset its
// primary had in `before`.
CheckResult CheckReplicaOffsets(const Snapshot& before, const Snapshot& after);

// A write the tool made, and what reading it back gave.
struct WriteRecord {
  std::string key;
  std::string value;
  bool wait_acknowledged = false;  // WAIT reported every replica of the shard
  // Reading back:
  bool read = false;   // a reply came
  bool found = false;  // the key exists
  std::string read_value;
  std::string read_error;
};

struct DataResult {
  CheckResult check;
  int acknowledged = 0;
  int wait_acknowledged = 0;
  int lost_async = 0;  // acknowledged, not WAIT-acknowledged, and gone: counted, not a failure
  int lost_wait = 0;   // WAIT-acknowledged and gone: a failure
  int unreadable = 0;  // no reply after retries: a failure
};
// Every acknowledged write read back equal; losses of writes only the primary
// acknowledged are counted apart (asynchronous replication may lose them).
DataResult CheckData(const std::vector<WriteRecord>& writes);

}  // namespace respfuzz::cluster_chaos

#endif  // RESPFUZZ_TOOLS_CLUSTER_VIEW_H_
