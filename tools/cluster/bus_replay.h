// `respfuzz cluster bus-replay`: a batch that bus-fuzz saved (one .bin per
// message, `N-to-<node>.bin`, and each node's `<node>.log`) sent again to a
// fresh cluster one message at a time, the nodes checked after each, and then
// narrowed to the smallest set of its messages that still takes a fresh node
// down.
//
// The saved messages carry the node ids of the cluster they were sent to (the
// sender field bus-fuzz sets, gossip entries). A fresh cluster has new ids, so
// every occurrence of an old id (read from the "I'm <id>" line of each node's
// saved log) is rewritten to the id of the node with the same name.
#ifndef RESPFUZZ_TOOLS_CLUSTER_BUS_REPLAY_H_
#define RESPFUZZ_TOOLS_CLUSTER_BUS_REPLAY_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/server_target.h"

namespace respfuzz::cluster_chaos {

// Messages one replay reads at most (bus-fuzz saves at most kMaxBatch).
inline constexpr size_t kMaxReplayMessages = 1000;
// Fresh clusters one narrowing starts at most (each takes ~3 s to form).
inline constexpr int kDefaultMaxTrials = 40;
inline constexpr int kMaxTrials = 500;

struct SavedMessage {
  size_t index = 0;    // N of N-to-<node>.bin (the order sent)
  std::string target;  // the node it went to: shard-K-primary / shard-K-replica-J
  std::string file;    // the file's name
  std::string bytes;   // the message (the flags byte applied)
};

struct SavedBatch {
  std::vector<SavedMessage> messages;      // in index order
  std::map<std::string, std::string> ids;  // old node id -> node name (from the logs)
  int shards = 0;                          // the node names' highest K + 1
  int replicas = 0;                        // the highest J + 1
};

// A directory bus-fuzz saved, or one cluster_bus corpus file (a message sent
// to `default_target`). Errors: unreadable, no messages, a file name that is
// not N-to-<node>.bin, more than kMaxReplayMessages, a message larger than
// kMaxBusMessageBytes.
absl::StatusOr<SavedBatch> LoadSavedBatch(const std::string& path,
                                          const std::string& default_target = "shard-0-primary");

// "shard-K-primary" / "shard-K-replica-J" as (K, J), J -1 for a primary.
bool ParseNodeName(const std::string& name, int* shard, int* replica);

// Every 40-byte occurrence of a key of `old_to_new` replaced by its value.
std::string TranslateIds(std::string bytes, const std::map<std::string, std::string>& old_to_new);

// Writes `id` (40 bytes) into the sender field of a message long enough to
// have one; shorter messages are returned as they are.
std::string WithSender(std::string bytes, const std::string& id);

// What a message is: its header fields, every gossip entry (names with
// bytes outside [a-z0-9] shown escaped and marked), extensions, and what the
// validator says under the strict and the 7.0.15 profiles. Reads only
// `bytes`; works on any bytes.
std::string DescribeBusMessage(const std::string& bytes);

// One trial: `indices` (into the batch) sent in that order to a fresh
// cluster, the nodes checked after each.
struct TrialOutcome {
  std::optional<size_t> first_down;   // position in `indices` after which a node was down
  std::vector<std::string> problems;  // what was wrong then (and the node's assertion line)
};
using Trial = std::function<absl::StatusOr<TrialOutcome>(const std::vector<size_t>& indices)>;

struct NarrowResult {
  std::vector<size_t> minimal;  // a set that took a node down in a trial, in send order
  int trials = 0;
  bool exhausted = false;             // max_trials reached before the search ended
  std::vector<std::string> problems;  // the last trial that took a node down
};

// Narrows `dying` (indices that took a node down, the last one after which it
// was down) with at most `max_trials` trials: the last message alone; then
// each earlier one with it; then removing one message at a time while the
// rest still takes a node down. A trial that takes a node down earlier than
// the end of its list shortens the list to that point. Errors: a trial's.
absl::StatusOr<NarrowResult> Narrow(std::vector<size_t> dying, const Trial& trial, int max_trials);

struct ReplayOptions {
  targets::ServerProgram server;  // what every node runs; empty: the default target
  int base_port = 0;              // 0: free ports
  std::string sender;             // a node name: every message's sender becomes its id
  // After the node a message went to has handled it (closed the link), before
  // the nodes are checked: for effects that come later (a reply to another
  // node, a cron). The check does not depend on them for the message's own.
  int settle_ms = 50;
  int final_settle_ms = 300;  // after the last message
  std::function<void(const std::string&)> progress;
  const std::atomic<bool>* stop = nullptr;
};

// A trial against real nodes: a fresh cluster of batch.shards primaries with
// batch.replicas replicas each, the messages translated (TranslateIds, then
// WithSender if o.sender is set) and sent to their targets' bus ports, each
// on its own link that the tool half-closes and the node closes once it has
// handled the message (SendToBusPortAndWait); then ReapDead + PING of every
// node, and a node that does not answer is waited for until it exits (both
// bounded). The cluster is destroyed before it returns. Errors: the cluster
// could not be set up, an unknown target.
absl::StatusOr<TrialOutcome> RunReplayTrial(const SavedBatch& batch,
                                            const std::vector<size_t>& indices,
                                            const ReplayOptions& o);

}  // namespace respfuzz::cluster_chaos

#endif  // RESPFUZZ_TOOLS_CLUSTER_BUS_REPLAY_H_
