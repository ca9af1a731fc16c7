// Known findings of `respfuzz cluster bus-fuzz`: real defects of a target
// server that one cluster-bus message shows, each documented (docs/cluster.md,
// the README's "Found in real software") and frozen as a seed or fixture.
// With --skip-known, bus-fuzz does not send a message that matches a finding
// of the server it runs, so a campaign goes on past a crash it already knows
// instead of stopping at it again within seconds. Each rule is as narrow as
// the defect: it looks at the bytes a node would read as packets and matches
// only the construct the defect needs.
#ifndef RESPFUZZ_TOOLS_CLUSTER_KNOWN_FINDINGS_H_
#define RESPFUZZ_TOOLS_CLUSTER_KNOWN_FINDINGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::cluster_chaos {

struct KnownBusFinding {
  std::string id;                            // e.g. "redis-gossip-invalid-name"
  std::vector<std::string> targets;          // the targets it affects (server_target names)
  std::string what;                          // one line: the defect and where it is documented
  bool (*matches)(std::string_view packet);  // one packet as a node reads it
};

// Every known finding, in a fixed order.
const std::vector<KnownBusFinding>& KnownBusFindings();

// The findings that apply to `target` (a server_target name); for an empty
// target (a server program given by path alone, version unknown) all of them.
std::vector<const KnownBusFinding*> KnownBusFindingsFor(std::string_view target);

// The packets a node reads from `bytes` sent on one link: from the start, while
// the next 8 bytes are the signature "RCmb" and a totlen of at least 8, the
// next totlen bytes (cut at the end of `bytes`). A node closes the link at the
// first bytes that are not a packet header, so nothing after them is read.
std::vector<std::string_view> PacketsOnLink(std::string_view bytes);

// The first finding in `findings` that a packet of `bytes` matches, or nullptr.
const KnownBusFinding* MatchKnownBusFinding(std::string_view bytes,
                                            const std::vector<const KnownBusFinding*>& findings);

}  // namespace respfuzz::cluster_chaos

#endif  // RESPFUZZ_TOOLS_CLUSTER_KNOWN_FINDINGS_H_
