#include "tools/cluster/known_findings.h"

#include <algorithm>
#include <cstdint>

#include "src/cluster/bus.h"

namespace respfuzz::cluster_chaos {

namespace {

namespace bus = cluster::bus;

// Header offsets (src/cluster/bus.h).
constexpr size_t kTotlenAt = 4;
constexpr size_t kTypeAt = 12;
constexpr size_t kCountAt = 14;
constexpr size_t kExtensionsAt = 2214;
constexpr size_t kMflagsAt = 2253;

uint32_t U32(std::string_view b, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3]));
}

uint16_t U16(std::string_view b, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(b[at]) << 8) |
                               static_cast<uint8_t>(b[at + 1]));
}

// PING, PONG and MEET carry gossip and extensions.
bool IsPingLike(std::string_view p) {
  if (p.size() < bus::kHeaderLen) return false;
  const uint16_t type = U16(p, kTypeAt);
  return type == bus::kPing || type == bus::kPong || type == bus::kMeet;
}

// A node id as Redis's verifyClusterNodeId accepts it: 40 bytes of [a-z0-9].
bool ValidNodeId(std::string_view name) {
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// Redis 7.0.15: a gossip entry whose name is not a valid node id is looked up
// as unknown even when a node of that name exists, and a known sender's such
// entry adds a node of that name; the second time, clusterAddNode's dictAdd
// fails and the node aborts (cluster.c:1179). One entry is enough to set it
// up (the second may come in a later message), so every such entry matches.
bool GossipNamesInvalidId(std::string_view p) {
  if (!IsPingLike(p)) return false;
  const uint16_t count = U16(p, kCountAt);
  for (size_t i = 0; i < count; ++i) {
    const size_t at = bus::kHeaderLen + i * bus::kGossipLen;
    if (at + bus::kNameLen > p.size()) break;
    if (!ValidNodeId(p.substr(at, bus::kNameLen))) return true;
  }
  return false;
}

// Redis 7.0.15 and 8.0.6: the validation loop keeps an extension's length in
// a uint16_t but steps to the next extension by the full 32-bit length, so a
// length of 65536 or more is checked as its low 16 bits and the next header is
// read that far past it (SIGSEGV in clusterProcessPacket). Matches a PING-like
// packet with EXT_DATA whose walk of `extensions` headers meets such a length.
bool ExtensionLengthAbove16Bits(std::string_view p) {
  if (!IsPingLike(p)) return false;
  if ((static_cast<uint8_t>(p[kMflagsAt]) & bus::kFlag0ExtData) == 0) return false;
  const uint16_t extensions = U16(p, kExtensionsAt);
  size_t at = bus::kHeaderLen + static_cast<size_t>(U16(p, kCountAt)) * bus::kGossipLen;
  for (uint16_t e = 0; e < extensions; ++e) {
    if (at + bus::kExtHeaderLen > p.size()) break;
    const uint32_t len = U32(p, at);
    if (len > 0xffff) return true;
    if (len == 0) break;  // the walk stays in place: nothing further to read
    at += len;
  }
  return false;
}

// Redis 7.0.15, 8.0.6 and valkey 9.1.2: the extensions are validated only
// when mflags[0] has EXT_DATA, but a known sender's PING, PONG or MEET has
// its `extensions` walked whatever the flag says (clusterProcessPingExt), so
// a count without the flag reads extension headers past the packet (SIGSEGV
// in clusterProcessPingExtensions). Matches a PING-like packet with a
// non-zero count and the flag unset.
bool ExtensionsWithoutFlag(std::string_view p) {
  if (!IsPingLike(p)) return false;
  return (static_cast<uint8_t>(p[kMflagsAt]) & bus::kFlag0ExtData) == 0 &&
         U16(p, kExtensionsAt) != 0;
}

}  // namespace

const std::vector<KnownBusFinding>& KnownBusFindings() {
  static const std::vector<KnownBusFinding> kFindings = {
      {"redis-gossip-invalid-name",
       {"redis-7.0"},
       "redis-server 7.0.15 aborts (cluster.c:1179 'retval == DICT_OK') on gossip naming a node "
       "outside [a-z0-9] twice (docs/cluster.md, fixed in 7.4 by redis PR 12921)",
       GossipNamesInvalidId},
      {"redis-ext-length-16bit",
       {"redis-7.0", "redis-8.0"},
       "redis-server 7.0.15 and 8.0.6 crash (SIGSEGV) on a PING extension length of 65536 or "
       "more, validated as its low 16 bits (docs/cluster.md, redis PR 15752)",
       ExtensionLengthAbove16Bits},
      {"extensions-without-ext-data",
       {"redis-7.0", "redis-8.0", "valkey-9.1"},
       "redis-server 7.0.15 and 8.0.6 and valkey-server 9.1.2 crash (SIGSEGV) walking a PING's "
       "extensions that no validation saw, when EXT_DATA is unset (docs/cluster.md; valkey PRs "
       "4661 and 4662, open)",
       ExtensionsWithoutFlag},
  };
  return kFindings;
}

std::vector<const KnownBusFinding*> KnownBusFindingsFor(std::string_view target) {
  std::vector<const KnownBusFinding*> out;
  for (const KnownBusFinding& f : KnownBusFindings()) {
    bool applies = target.empty();
    for (const std::string& t : f.targets) applies = applies || t == target;
    if (applies) out.push_back(&f);
  }
  return out;
}

std::vector<std::string_view> PacketsOnLink(std::string_view bytes) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at + 8 <= bytes.size() && bytes.substr(at, 4) == "RCmb") {
    const uint32_t totlen = U32(bytes, at + kTotlenAt);
    if (totlen < 8) break;
    const size_t len = std::min<size_t>(totlen, bytes.size() - at);
    out.push_back(bytes.substr(at, len));
    at += len;
  }
  return out;
}

const KnownBusFinding* MatchKnownBusFinding(std::string_view bytes,
                                            const std::vector<const KnownBusFinding*>& findings) {
  for (std::string_view p : PacketsOnLink(bytes)) {
    for (const KnownBusFinding* f : findings) {
      if (f->matches(p)) return f;
    }
  }
  return nullptr;
}

}  // namespace respfuzz::cluster_chaos
