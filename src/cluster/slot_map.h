// A cluster-aware client's view of which node serves each hash slot.
//
// Built from a CLUSTER SLOTS or CLUSTER SHARDS reply (RESP2 or RESP3 shapes,
// as redis-server 7.0.15 writes them: tests/fixtures/cluster/), then kept up
// to date the way a client does:
//   - MOVED <slot> <endpoint>: the slot now belongs to that endpoint, for good.
//   - ASK <slot> <endpoint>: the next request for that slot (and only that one)
//     goes to the endpoint, preceded by ASKING; the map does not change.
//   - a node that fails: its slots are unknown until a refresh (Route says so).
// Sans-I/O: the caller sends, reads replies and feeds redirections back.
#ifndef RESPFUZZ_CLUSTER_SLOT_MAP_H_
#define RESPFUZZ_CLUSTER_SLOT_MAP_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/cluster/slot.h"
#include "src/resp/value.h"

namespace respfuzz::cluster {

// Most distinct nodes a map keeps (a reply naming more is refused): Redis
// Cluster's documented upper size is 1000 nodes.
inline constexpr size_t kMaxMapNodes = 1000;

struct Route {
  Endpoint node;
  bool asking = false;  // send ASKING first (a one-shot ASK redirection)
};

class SlotMap {
 public:
  SlotMap();

  // The slot ranges' primaries of a CLUSTER SLOTS reply
  // ([[first, last, [host, port, id, ...], replicas...], ...]). Errors name
  // the entry and what is wrong; ranges outside 0..16383 or first > last are
  // refused.
  static absl::StatusOr<SlotMap> FromClusterSlots(const resp::Value& reply);
  // The primaries of a CLUSTER SHARDS reply ([{slots: [a, b, ...], nodes:
  // [{ip/endpoint, port, role, ...}, ...]}, ...]; maps or flat arrays).
  static absl::StatusOr<SlotMap> FromClusterShards(const resp::Value& reply);

  // first..last (inclusive, 0 <= first <= last < kSlotCount) served by `node`.
  // Fails past kMaxMapNodes distinct nodes.
  absl::Status Assign(int first, int last, const Endpoint& node);
  // The owner the map knows for `slot`, if any (ASK does not change it).
  std::optional<Endpoint> Owner(int slot) const;
  // Where a request for `key` goes now; consumes a pending ASK for its slot.
  // nullopt when no node is known for the slot.
  std::optional<Route> RouteKey(std::string_view key);
  std::optional<Route> RouteSlot(int slot);
  // Applies a MOVED (owner changes) or ASK (one-shot) redirection.
  absl::Status OnRedirect(const Redirect& r);
  // The node is gone: its slots become unknown, pending ASKs to it dropped.
  void OnNodeFailed(const Endpoint& node);

  size_t covered_slots() const;
  size_t node_count() const { return nodes_.size(); }

 private:
  int NodeIndex(const Endpoint& node);  // -1 when kMaxMapNodes would be passed

  std::vector<Endpoint> nodes_;
  std::vector<int16_t> owner_;  // per slot: index into nodes_, -1 unknown
  std::vector<int16_t> ask_;    // per slot: pending one-shot ASK target, -1 none
};

}  // namespace respfuzz::cluster

#endif  // RESPFUZZ_CLUSTER_SLOT_MAP_H_
