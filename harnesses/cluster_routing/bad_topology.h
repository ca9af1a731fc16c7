// The cluster_routing harness's malformed topology replies (op
// `refresh-bad KIND`, check "topology"): the model's CLUSTER SLOTS reply with
// one field of its first entry broken the way KIND says. Each kind breaks
// the reply's documented shape ([first, last, [host, port, id], ...] with
// 0 <= first <= last <= 16383, a text host and a port in 0..65535), so a
// client must refuse the reply and keep the map it had.
#ifndef RESPFUZZ_HARNESSES_CLUSTER_ROUTING_BAD_TOPOLOGY_H_
#define RESPFUZZ_HARNESSES_CLUSTER_ROUTING_BAD_TOPOLOGY_H_

#include <cstddef>

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
resp::Value ClusterShardsOf(const resp::Value& cluster_slots, bool resp3);

// The client reloads the CLUSTER SHARDS reply of `cluster_slots`: it must
// take it, and then know the owner CLUSTER SLOTS gives for each entry's
// bounds. Ok, Fail("route", ...) when refused, Fail("topology", ...).
fuzz::Verdict CheckShardsRefresh(RoutingClientUnderTest& client, const resp::Value& cluster_slots,
                                 bool resp3, size_t op);

// The client is given `bad`: it must refuse it, and the owners it knows for
// the first entry's bounds and for slots 0 and 16383 must be as before.
// Ok or Fail("topology", op, ...).
fuzz::Verdict CheckBadRefresh(RoutingClientUnderTest& client, const resp::Value& good,
                              const resp::Value& bad, int kind, size_t op);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_CLUSTER_ROUTING_BAD_TOPOLOGY_H_
