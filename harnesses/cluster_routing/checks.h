// The cluster_routing harness: a routing program (program.h) runs against a
// plain model of the cluster (which node owns each slot, which slots are
// migrating and where, which nodes are dead; keys placed in slots by the
// model's own slot function, harnesses/models/cluster_slot_reference.h), and
// a client built on cluster::KeySlot and cluster::SlotMap that only learns the
// topology the way a real client does:
// CLUSTER SLOTS replies (built from the model), MOVED and ASK errors (written
// as the model's node would write them and parsed back), and connection
// failures to dead nodes.
//
// The model's node answers a request for KEY as Redis does: the slot's owner
// serves it unless the slot is migrating and KEY has already moved (here: bit
// 8 of CRC16(KEY)), in which case it replies ASK; the migration target serves
// a request preceded by ASKING; any other node replies MOVED to the owner.
//
// Checks, after every op:
//   "key-slot"       the slot the client computes for a key it looks up
//                    (cluster::KeySlot) is the model's slot of the key
//   "route"          every get ends at the node the model says serves the key,
//                    within kMaxRoutingHops requests
//   "moved-updates"  after a MOVED the client's map gives the new owner
//   "ask-one-shot"   after an ASK the map's owner is unchanged, the next
//                    request goes to the target with ASKING, and the one
//                    after it (for the same slot) without
//   "redirect-text"  the MOVED/ASK text the model writes parses back to what
//                    it meant
//   "topology"       a malformed CLUSTER SLOTS reply (op refresh-bad,
//                    bad_topology.h), a malformed CLUSTER SHARDS reply (op
//                    refresh-shards with a malformed form) and a
//                    redirection to a slot outside 0..16383 (op
//                    redirect-bad) are refused and the client's map is
//                    as before; after a CLUSTER SHARDS reload (op
//                    refresh-shards, a valid form) the map gives each
//                    range's owner
//   "node-failed"    when a request finds its node dead, the client drops
//                    that node's slots from its map and keeps every other
//                    node's (before it refreshes)
#ifndef RESPFUZZ_HARNESSES_CLUSTER_ROUTING_CHECKS_H_
#define RESPFUZZ_HARNESSES_CLUSTER_ROUTING_CHECKS_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "harnesses/cluster_routing/program.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/verdict.h"
#include "src/cluster/slot.h"
#include "src/cluster/slot_map.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses {

inline constexpr int kMaxRoutingHops = 8;

// The client's slot function and slot map behind an interface, so a test can
// plug a broken one.
class RoutingClientUnderTest {
 public:
  virtual ~RoutingClientUnderTest() = default;
  virtual int KeySlot(std::string_view key) { return cluster::KeySlot(key); }
  virtual absl::Status Refresh(const resp::Value& cluster_slots) {
    auto m = cluster::SlotMap::FromClusterSlots(cluster_slots);
    if (!m.ok()) return m.status();
    map_ = std::move(*m);
    return absl::OkStatus();
  }
  virtual absl::Status RefreshShards(const resp::Value& cluster_shards) {
    auto m = cluster::SlotMap::FromClusterShards(cluster_shards);
    if (!m.ok()) return m.status();
    map_ = std::move(*m);
    return absl::OkStatus();
  }
  virtual std::optional<cluster::Route> RouteSlot(int slot) { return map_.RouteSlot(slot); }
  virtual std::optional<cluster::Endpoint> Owner(int slot) const { return map_.Owner(slot); }
  virtual absl::Status OnRedirect(const cluster::Redirect& r) { return map_.OnRedirect(r); }
  virtual void OnNodeFailed(const cluster::Endpoint& e) { map_.OnNodeFailed(e); }
  virtual absl::StatusOr<cluster::Redirect> Parse(std::string_view error) {
    return cluster::ParseRedirect(error);
  }

 protected:
  cluster::SlotMap map_;
};

// Node k's endpoint: even k "127.0.0.1", odd k "::1" (an IPv6 host), port 7000 + k.
cluster::Endpoint RoutingNodeEndpoint(int node);

struct RoutingRunResult {
  fuzz::Verdict verdict;
  std::string trace;  // one line per op (explain)
};

RoutingRunResult RunRoutingProgram(const RoutingProgram& p, RoutingClientUnderTest& client,
                                   bool trace = false);

// The harness's pieces (with the real client) and its registered descriptor.
extern const ProgramCodec<RoutingProgram> kClusterRoutingProgram;
extern const Harness kRegisteredHarness_cluster_routing;

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_CLUSTER_ROUTING_CHECKS_H_
