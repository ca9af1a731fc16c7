#include "harnesses/cluster_routing/bad_topology.h"

#include <array>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "harnesses/cluster_routing/checks.h"
#include "harnesses/cluster_routing/program.h"

namespace respfuzz::harnesses {

resp::Value BadClusterSlots(const resp::Value& good, int kind) {
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
    default:  // short-entry: [first, last] and no node
      e.elems.resize(2);
      break;
  }
  return bad;
}

fuzz::Verdict CheckBadRefresh(RoutingClientUnderTest& client, const resp::Value& good,
                              const resp::Value& bad, int kind, size_t op) {
  const std::string what =
      "CLUSTER SLOTS with " + std::string(BadTopologyNames()[kind % kBadTopologyKinds]);
  std::array<int, 4> probes = {0, 16383, 0, 16383};
  if (!good.elems.empty() && good.elems[0].elems.size() >= 2) {
    probes[2] = static_cast<int>(good.elems[0].elems[0].integer);
    probes[3] = static_cast<int>(good.elems[0].elems[1].integer);
  }
  std::array<std::optional<cluster::Endpoint>, 4> before;
  for (size_t k = 0; k < probes.size(); ++k) before[k] = client.Owner(probes[k]);
  if (client.Refresh(bad).ok()) {
    return fuzz::Verdict::Fail("topology", static_cast<int64_t>(op),
                               what + ": the client accepted it");
  }
  for (size_t k = 0; k < probes.size(); ++k) {
    if (client.Owner(probes[k]) != before[k]) {
      return fuzz::Verdict::Fail(
          "topology", static_cast<int64_t>(op),
          absl::StrCat(what, ": refused, but the owner of slot ", probes[k], " changed from ",
                       before[k] ? before[k]->ToString() : "none", " to ",
                       client.Owner(probes[k]) ? client.Owner(probes[k])->ToString() : "none"));
    }
  }
  return fuzz::Verdict::Ok();
}

}  // namespace respfuzz::harnesses
