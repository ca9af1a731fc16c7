#include "harnesses/cluster_routing/bad_topology.h"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harnesses/cluster_routing/checks.h"
#include "harnesses/cluster_routing/program.h"

namespace respfuzz::harnesses {

resp::Value BadClusterSlots(const resp::Value& good, int kind) {
  // error-reply: what a server without cluster support answers.
  if (kind == 8) return resp::Value::Error("ERR This instance has cluster support disabled");
  resp::Value bad = good;
  if (bad.elems.empty() || bad.elems[0].elems.size() < 3) return bad;
  resp::Value& e = bad.elems[0];
  resp::Value& node = e.elems[2];
  const int64_t first = e.elems[0].integer, last = e.elems[1].integer;
  switch (kind) {
    case 0:  // host-integer
      node.elems[0] = resp::Value::Integer(7000);
      break;
    case 1:  // host-null
      node.elems[0] = resp::Value::Null();
      break;
    case 2:  // first-not-integer: the bound as a bulk string
      e.elems[0] = resp::Value::Bulk(absl::StrCat(first));
      break;
    case 3:  // last-out-of-range
      e.elems[1] = resp::Value::Integer(16384);
      break;
    case 4:  // first-after-last
      if (last < 16383) {
        e.elems[0] = resp::Value::Integer(last + 1);
      } else {
        e.elems[1] = resp::Value::Integer(first - 1);
      }
      break;
    case 5:  // port-out-of-range
      node.elems[1] = resp::Value::Integer(65536);
      break;
    case 7:  // node-one-element: [host] without its port
      node.elems.resize(1);
      break;
    default:  // short-entry: [first, last] and no node
      e.elems.resize(2);
      break;
  }
  return bad;
}

resp::Value ClusterShardsOf(const resp::Value& cluster_slots, bool resp3, int form) {
  using resp::Value;
  const resp::Type map = resp3 ? resp::Type::kMap : resp::Type::kArray;
  // Primaries in order of first appearance, each with its slot ranges.
  std::vector<std::pair<const Value*, std::vector<Value>>> shards;
  for (const Value& e : cluster_slots.elems) {
    const Value& node = e.elems[2];
    auto it = std::find_if(shards.begin(), shards.end(), [&](const auto& s) {
      return s.first->elems[0].str == node.elems[0].str &&
             s.first->elems[1].integer == node.elems[1].integer;
    });
    if (it == shards.end()) it = shards.insert(shards.end(), {&node, {}});
    it->second.push_back(Value::Integer(e.elems[0].integer));
    it->second.push_back(Value::Integer(e.elems[1].integer));
  }
  Value reply = Value::Aggregate(resp::Type::kArray);
  for (auto& [node, slots] : shards) {
    const std::string& host = node->elems[0].str;
    // announced: the address the node announces to clients (endpoint) is not
    // its own ip, as with cluster-announce-ip or a preferred hostname.
    const std::string ip =
        form == kShardsAnnounced ? absl::StrCat("10.0.0.", reply.elems.size()) : host;
    Value n = Value::Aggregate(
        map, {Value::Bulk("id"), node->elems.size() > 2 ? node->elems[2] : Value::Bulk(""),
              Value::Bulk("port"), Value::Integer(node->elems[1].integer), Value::Bulk("ip"),
              Value::Bulk(ip)});
    if (form != kShardsIpOnly) {
      n.elems.push_back(Value::Bulk("endpoint"));
      n.elems.push_back(Value::Bulk(host));
    }
    for (const Value& v : {Value::Bulk("hostname"), Value::Bulk(""), Value::Bulk("role"),
                           Value::Bulk("master"), Value::Bulk("replication-offset"),
                           Value::Integer(0), Value::Bulk("health"), Value::Bulk("online")}) {
      n.elems.push_back(v);
    }
    Value shard = Value::Aggregate(map);
    // The malformed forms break the first shard only.
    const bool first = reply.elems.empty();
    if (!(first && form == kShardsNoSlots)) {
      shard.elems.push_back(Value::Bulk("slots"));
      shard.elems.push_back(Value::Aggregate(resp::Type::kArray, std::move(slots)));
    }
    if (!(first && form == kShardsNoNodes)) {
      shard.elems.push_back(Value::Bulk("nodes"));
      shard.elems.push_back(first && form == kShardsNodesNotList
                                ? Value::Bulk(host)
                                : Value::Aggregate(resp::Type::kArray, {std::move(n)}));
    }
    reply.elems.push_back(std::move(shard));
  }
  return reply;
}

fuzz::Verdict CheckShardsRefresh(RoutingClientUnderTest& client, const resp::Value& cluster_slots,
                                 bool resp3, int form, size_t op) {
  if (form >= kShardsNoSlots) {
    const std::string what =
        absl::StrCat("CLUSTER SHARDS ", std::string(ShardsFormNames()[form % kShardsForms]));
    return CheckRefused(client, cluster_slots, what, static_cast<int64_t>(op), [&] {
      return client.RefreshShards(ClusterShardsOf(cluster_slots, resp3, form));
    });
  }
  if (auto st = client.RefreshShards(ClusterShardsOf(cluster_slots, resp3, form)); !st.ok()) {
    return fuzz::Verdict::Fail("route", static_cast<int64_t>(op),
                               absl::StrCat("CLUSTER SHARDS refused: ", st.message()));
  }
  for (const resp::Value& e : cluster_slots.elems) {
    const cluster::Endpoint want{e.elems[2].elems[0].str,
                                 static_cast<int>(e.elems[2].elems[1].integer)};
    for (int64_t slot : {e.elems[0].integer, e.elems[1].integer}) {
      const std::optional<cluster::Endpoint> got = client.Owner(static_cast<int>(slot));
      if (!got || !(*got == want)) {
        return fuzz::Verdict::Fail(
            "topology", static_cast<int64_t>(op),
            absl::StrCat("after CLUSTER SHARDS (", resp3 ? "RESP3" : "RESP2", ") slot ", slot,
                         " is owned by ", got ? got->ToString() : "no node", ", not ",
                         want.ToString()));
      }
    }
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict CheckBadRefresh(RoutingClientUnderTest& client, const resp::Value& good,
                              const resp::Value& bad, int kind, size_t op) {
  const std::string what =
      "CLUSTER SLOTS with " + std::string(BadTopologyNames()[kind % kBadTopologyKinds]);
  return CheckRefused(client, good, what, static_cast<int64_t>(op),
                      [&] { return client.Refresh(bad); });
}

fuzz::Verdict CheckBadRedirect(RoutingClientUnderTest& client, const resp::Value& good, int slot,
                               bool ask, size_t op) {
  const cluster::Redirect r{ask ? cluster::RedirectKind::kAsk : cluster::RedirectKind::kMoved, slot,
                            RoutingNodeEndpoint(5)};
  return CheckRefused(client, good, absl::StrCat("redirect ", ask ? "ASK " : "MOVED ", slot),
                      static_cast<int64_t>(op), [&] { return client.OnRedirect(r); });
}

fuzz::Verdict CheckRefused(RoutingClientUnderTest& client, const resp::Value& good,
                           const std::string& what, int64_t op,
                           const std::function<absl::Status()>& apply) {
  std::array<int, 4> probes = {0, 16383, 0, 16383};
  if (!good.elems.empty() && good.elems[0].elems.size() >= 2) {
    probes[2] = static_cast<int>(good.elems[0].elems[0].integer);
    probes[3] = static_cast<int>(good.elems[0].elems[1].integer);
  }
  std::array<std::optional<cluster::Endpoint>, 4> before;
  for (size_t k = 0; k < probes.size(); ++k) before[k] = client.Owner(probes[k]);
  if (apply().ok()) return fuzz::Verdict::Fail("topology", op, what + ": the client accepted it");
  for (size_t k = 0; k < probes.size(); ++k) {
    if (client.Owner(probes[k]) != before[k]) {
      return fuzz::Verdict::Fail(
          "topology", op,
          absl::StrCat(what, ": refused, but the owner of slot ", probes[k], " changed from ",
                       before[k] ? before[k]->ToString() : "none", " to ",
                       client.Owner(probes[k]) ? client.Owner(probes[k])->ToString() : "none"));
    }
  }
  return fuzz::Verdict::Ok();
}

}  // namespace respfuzz::harnesses
