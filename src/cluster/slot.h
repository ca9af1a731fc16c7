// Redis Cluster key hash slots and the redirection errors a cluster node
// replies with.
//
// Facts (Redis Cluster specification; each vector in tests/cluster_slot_test.cc
// was checked with CLUSTER KEYSLOT on redis-server 7.0.15):
//   - HASH_SLOT = CRC16(key) mod 16384, CRC16 being CRC-16/XMODEM (polynomial
//     0x1021, initial value 0, no reflection, no final xor);
//     CRC16("123456789") = 0x31C3.
//   - Hash tag: when the key has a '{' and, after the first '{', a '}', and at
//     least one byte lies between that '{' and the first '}' after it, only
//     those bytes are hashed. An empty tag ("{}") means the whole key.
//   - Redirections: "MOVED <slot> <host>:<port>" and "ASK <slot> <host>:<port>",
//     the endpoint split on its last ':' (so IPv6 addresses work); the host may
//     be empty when the node does not know its endpoint ("MOVED 1 :6380").
#ifndef RESPFUZZ_CLUSTER_SLOT_H_
#define RESPFUZZ_CLUSTER_SLOT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace respfuzz::cluster {

inline constexpr int kSlotCount = 16384;  // CLUSTER_SLOTS

// CRC-16/XMODEM over `data`.
uint16_t Crc16(std::string_view data);

// The part of `key` that is hashed (the hash tag, or the whole key).
std::string_view HashTag(std::string_view key);

// The key's hash slot, 0..kSlotCount-1.
int KeySlot(std::string_view key);

struct Endpoint {
  std::string host;  // may be empty ("?" endpoints are written as "")
  int port = 0;
  bool operator==(const Endpoint&) const = default;
  std::string ToString() const;  // host:port (IPv6 hosts are not bracketed, as Redis writes)
};

enum class RedirectKind { kMoved, kAsk };

struct Redirect {
  RedirectKind kind = RedirectKind::kMoved;
  int slot = 0;
  Endpoint target;
  bool operator==(const Redirect&) const = default;
};

// The longest error line ParseRedirect looks at: "ASK 16383 " plus the
// longest host Redis writes (NET_HOST_STR_LEN 256) and ":65535".
inline constexpr size_t kMaxRedirectLen = 4 + 6 + 256 + 6;

// Parses a MOVED or ASK error message (the text of the error reply, with or
// without the leading '-' and trailing CRLF). Errors name what is wrong:
// not a redirection, a slot outside 0..16383, a port outside 0..65535, no ':'.
absl::StatusOr<Redirect> ParseRedirect(std::string_view error);

// The error text a node sends: "MOVED 3999 127.0.0.1:6381".
std::string FormatRedirect(const Redirect& r);

}  // namespace respfuzz::cluster

#endif  // RESPFUZZ_CLUSTER_SLOT_H_
