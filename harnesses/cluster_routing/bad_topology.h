// The cluster_routing harness's malformed topology replies (op
// `refresh-bad KIND`, check "topology"): the model's CLUSTER SLOTS reply with
// one field of its first entry broken the way KIND says. Each kind breaks
// the reply's documented shape ([first, last, [host, port, id], ...] with
// 0 <= first <= last <= 16383, a text host and a port in 0..65535), so a
// client must refuse the reply and keep the map it had.
#ifndef RESPFUZZ_HARNESSES_CLUSTER_ROUTING_BAD_TOPOLOGY_H_
#define RESPFUZZ_HARNESSES_CLUSTER_ROUTING_BAD_TOPOLOGY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "harnesses/common/verdict.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses {

class RoutingClientUnderTest;

// `good` (a CLUSTER SLOTS reply with at least one entry) with its first
// entry broken by kind `kind` (0..kBadTopologyKinds-1, BadTopologyNames()).
resp::Value BadClusterSlots(const resp::Value& good, int kind);

// The CLUSTER SHARDS reply of the topology `cluster_slots` (a CLUSTER SLOTS
// reply) describes, in the layout Redis 7 documents (not recorded from a
// server): per primary a map
// (`resp3`) or a flat array of slots [first, last, ...] and nodes [{id,
// port, ip, endpoint, hostname, role master, replication-offset, health}].
// `form` (ShardsFormNames()): kShardsStandard; kShardsIpOnly, each node
// without "endpoint" (the client takes "ip"); kShardsAnnounced, "ip" a
// private address unlike "endpoint" (the address to use); or the first
// shard without "slots" (kShardsNoSlots), without "nodes" (kShardsNoNodes),
// or with "nodes" a bulk string (kShardsNodesNotList).
inline constexpr int kShardsStandard = 0, kShardsIpOnly = 1, kShardsAnnounced = 2,
                     kShardsNoSlots = 3, kShardsNoNodes = 4, kShardsNodesNotList = 5;
resp::Value ClusterShardsOf(const resp::Value& cluster_slots, bool resp3, int form = 0);

// The client reloads the CLUSTER SHARDS reply of `cluster_slots` in `form`:
// a valid form it must take, and then know the owner CLUSTER SLOTS gives for
// each entry's bounds (Fail("route", ...) when refused, Fail("topology",
// ...)); a malformed one it must refuse as CheckRefused says.
fuzz::Verdict CheckShardsRefresh(RoutingClientUnderTest& client, const resp::Value& cluster_slots,
                                 bool resp3, int form, size_t op);

// The client's map is handed a redirection to `slot` (-1 or 16384, outside
// the slots; MOVED, or ASK when `ask`) to node 5: it must refuse it as
// CheckRefused says.
fuzz::Verdict CheckBadRedirect(RoutingClientUnderTest& client, const resp::Value& good, int slot,
                               bool ask, size_t op);

// `apply` (the client given something malformed) must fail, and the owners
// the client knows for slots 0 and 16383 and for the bounds of `good`'s
// first entry must be as before. Ok or Fail("topology", op, ...).
fuzz::Verdict CheckRefused(RoutingClientUnderTest& client, const resp::Value& good,
                           const std::string& what, int64_t op,
                           const std::function<absl::Status()>& apply);

// The client is given `bad`: it must refuse it as CheckRefused says.
fuzz::Verdict CheckBadRefresh(RoutingClientUnderTest& client, const resp::Value& good,
                              const resp::Value& bad, int kind, size_t op);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_CLUSTER_ROUTING_BAD_TOPOLOGY_H_
