// The cluster routing program: topology changes a cluster goes through and
// the key lookups a client makes meanwhile.
//
// Text form, one op per line (nodes n0..n5; n0..n2 start with the three
// ranges redis-cli creates, 0-5460, 5461-10922, 10923-16383):
//   refresh                     the client reloads CLUSTER SLOTS
//   move-range F L nK           slots F..L now belong to nK (client not told)
//   move KEY nK                 KEY's slot now belongs to nK
//   migrate KEY nK              KEY's slot starts migrating to nK
//   finish KEY                  that migration completes (nK owns the slot)
//   fail nK nJ                  nK dies; nJ takes over its slots
//   get KEY                     the client looks KEY up, following MOVED/ASK
//   refresh-shards resp2|resp3 [FORM]
//                               the client reloads CLUSTER SHARDS (maps in
//                               RESP3, flat arrays in RESP2); FORM (default
//                               standard, bad_topology.h): ip-only or
//                               announced (valid, must be taken), no-slots,
//                               no-nodes or nodes-not-list (must be refused)
//   refresh-bad KIND            the client is given a CLUSTER SLOTS reply with
//                               one field broken (bad_topology.h): KIND is
//                               host-integer, host-null, first-not-integer,
//                               last-out-of-range, first-after-last,
//                               port-out-of-range, short-entry,
//                               node-one-element, or error-reply (the whole
//                               reply an error, as from a server without
//                               cluster support)
//   redirect-bad moved|ask -1|16384
//                               the client's map is handed a redirection to a
//                               slot outside 0..16383 (no parser yields one):
//                               it must refuse it and keep its map
// A KEY is a word of 1..kMaxKeyLen bytes from [A-Za-z0-9{}:._-].
//
// Byte form (decode is total): op byte b, kind = b % 8:
//   0 refresh; 1 move-range: first u16 BE % 16384, length u16 BE, node byte;
//   2 move: key, node; 3 migrate: key, node; 4 finish: key; 5 fail: node, node;
//   6 get: key; 7: byte x: x % 8 < 7: refresh-bad kind x % 8; else by
//   y = (x >> 4) & 7: 0 refresh-shards standard, 1 refresh-bad
//   node-one-element (error-reply when x & 8), 2 redirect-bad (slot 16384 when x & 8, else -1; ask
//   when x & 0x80), 3..7 refresh-shards form y - 2; resp3 when x & 8.
//   key: byte k < 0x80: pool entry k % 16 (KeyPool()); k >= 0x80: a literal of
//   (k & 0x1f) + 1 bytes that follow, each mapped into the key alphabet.
//   node: byte % kNodes.
// Input that runs out mid-op ends the program before that op.
#ifndef RESPFUZZ_HARNESSES_CLUSTER_ROUTING_PROGRAM_H_
#define RESPFUZZ_HARNESSES_CLUSTER_ROUTING_PROGRAM_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace respfuzz::harnesses {

inline constexpr int kRoutingNodes = 6;
inline constexpr size_t kRoutingMaxOps = 256;
inline constexpr size_t kMaxKeyLen = 32;

enum class RoutingOpKind : uint8_t {
  kRefresh,
  kMoveRange,
  kMove,
  kMigrate,
  kFinish,
  kFail,
  kGet,
  kRefreshBad,
  kRefreshShards,
  kRedirectBad,
};

inline constexpr int kBadTopologyKinds = 9;
// The refresh-bad kinds' names, in kind order.
std::span<const std::string_view> BadTopologyNames();
inline constexpr int kShardsForms = 6;
// The refresh-shards forms' names, in form order (0 standard).
std::span<const std::string_view> ShardsFormNames();

struct RoutingOp {
  RoutingOpKind kind = RoutingOpKind::kRefresh;
  int first = 0, last = 0;  // kMoveRange
  std::string key;          // kMove, kMigrate, kFinish, kGet
  int node = 0;             // kMoveRange, kMove, kMigrate, kFail (the dead node)
  int heir = 0;             // kFail
  int bad = 0;              // kRefreshBad: 0..kBadTopologyKinds-1
  bool resp3 = false;       // kRefreshShards
  int form = 0;             // kRefreshShards: 0..kShardsForms-1
  int slot = -1;            // kRedirectBad: -1 or 16384
  bool ask = false;         // kRedirectBad
  bool operator==(const RoutingOp&) const = default;
};

struct RoutingProgram {
  std::vector<RoutingOp> ops;
  bool operator==(const RoutingProgram&) const = default;
};

std::span<const std::string_view> KeyPool();

RoutingProgram DecodeRoutingProgram(std::string_view bytes);
// DecodeRoutingProgram(EncodeRoutingProgram(p)) == p for programs within the caps.
std::string EncodeRoutingProgram(const RoutingProgram& p);
std::string RoutingOpToText(const RoutingOp& op);
std::string RoutingProgramToText(const RoutingProgram& p);
// Errors name the line: "line 2: unknown node 'n9' (n0..n5)".
absl::StatusOr<RoutingProgram> RoutingProgramFromText(std::string_view text);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_CLUSTER_ROUTING_PROGRAM_H_
