// The Redis Cluster bus message format (cluster.h / cluster.c of Redis 7.0,
// with the PING extensions Redis 7.2 added), its codec and its validator.
//
// Every integer is big-endian. A message is one fixed header and a body:
//
//   offset  size  field
//        0     4  sig            "RCmb"
//        4     4  totlen         the whole message, header included
//        8     2  ver            CLUSTER_PROTO_VER, 1
//       10     2  port           client (base) port
//       12     2  type           MsgType
//       14     2  count          PING/PONG/MEET: gossip entries
//       16     8  currentEpoch
//       24     8  configEpoch
//       32     8  offset         replication offset
//       40    40  sender         node name (hex)
//       80  2048  myslots        slot bitmap, slot s = byte s/8, bit 1 << (s & 7)
//     2128    40  slaveof        replicaof node name (zeros for a primary)
//     2168    46  myip           NET_IP_STR_LEN
//     2214     2  extensions     PING extensions that follow the gossip
//     2216    30  notused1
//     2246     2  pport          plaintext port (TLS setups)
//     2248     2  cport          cluster bus port
//     2250     2  flags          CLUSTER_NODE_* of the sender
//     2252     1  state          0 ok, 1 fail
//     2253     3  mflags         mflags[0]: 1 PAUSED, 2 FORCEACK, 4 EXT_DATA
//     2256        body (kHeaderLen == CLUSTERMSG_MIN_LEN)
//
// Bodies:
//   PING, PONG, MEET  count x gossip (104 bytes each), then, when mflags[0]
//                     has EXT_DATA, `extensions` PING extensions.
//     gossip: 0 nodename[40], 40 ping_sent u32, 44 pong_received u32,
//             48 ip[46], 94 port u16, 96 cport u16, 98 flags u16,
//             100 pport u16, 102 notused1 u16
//     extension: 0 length u32 (of the whole extension, header included,
//                a multiple of 8), 4 type u16, 6 unused u16, 8 data
//       0 HOSTNAME        NUL-terminated string, padded to 8
//       1 HUMAN_NODENAME  NUL-terminated string, padded to 8  (Redis 7.2)
//       2 FORGOTTEN_NODE  name[40], ttl u64 (seconds)         (Redis 7.2)
//       3 SHARDID         shard_id[40]                        (Redis 7.2)
//   FAIL              nodename[40]
//   PUBLISH,          channel_len u32, message_len u32, channel, message
//   PUBLISHSHARD      (sizeof(clusterMsgDataPublish) - 8 + both lengths)
//   UPDATE            configEpoch u64, nodename[40], slots[2048]
//   MODULE            module_id u64, len u32, type u8, payload[len]
//   FAILOVER_AUTH_REQUEST, FAILOVER_AUTH_ACK, MFSTART: no body
//   any other type    Redis takes totlen as given; the body is kept as bytes.
//
// Validation (Validate): Redis 7.0.15 has no separate validation function;
// clusterReadHandler checks the signature and totlen >= CLUSTERMSG_MIN_LEN,
// and clusterProcessPacket computes the expected length per type and drops a
// packet whose totlen differs. This validator makes those decisions with the
// three known defects of that code fixed (kStrict): the PUBLISH lengths are
// summed in 64 bits (Redis sums them in 32 and a wrapped sum passes), an
// extension's length is read in 32 bits (Redis keeps it in a uint16_t, so a
// length of 65536 + 8 passes as 8), and a string extension must hold its NUL
// terminator (Redis runs strcmp/sdscpy on it unchecked). Also, an extension
// header must fit in what remains of the packet, an extension is at least its
// 8-byte header, the typed extensions are at least their fixed size, and
// `extensions` must be 0 unless EXT_DATA is set (Redis 7.0.15 walks them
// unvalidated in that case). kRedis7015 reproduces the arithmetic of
// 7.0.15's cluster.c as released, defects included (an extension length kept
// in 16 bits for the expected length while the next extension is found by
// the full 32-bit one), and reports where it would read past the packet.
// Debian's redis-server 7.0.15 carries three later checks that profile does
// not have (docs/cluster.md).
#ifndef RESPFUZZ_CLUSTER_BUS_H_
#define RESPFUZZ_CLUSTER_BUS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace respfuzz::cluster::bus {

inline constexpr size_t kNameLen = 40;         // CLUSTER_NAMELEN
inline constexpr size_t kIpLen = 46;           // NET_IP_STR_LEN
inline constexpr size_t kSlotBytes = 2048;     // CLUSTER_SLOTS / 8
inline constexpr size_t kHeaderLen = 2256;     // CLUSTERMSG_MIN_LEN
inline constexpr size_t kGossipLen = 104;      // sizeof(clusterMsgDataGossip)
inline constexpr size_t kExtHeaderLen = 8;     // sizeof(clusterMsgPingExt)
inline constexpr size_t kFailBodyLen = 40;     // sizeof(clusterMsgDataFail)
inline constexpr size_t kPublishFixedLen = 8;  // channel_len + message_len
inline constexpr size_t kUpdateBodyLen = 8 + kNameLen + kSlotBytes;
inline constexpr size_t kModuleFixedLen = 13;  // sizeof(clusterMsgModule) - 3
inline constexpr size_t kForgottenNodeLen = kNameLen + 8;
inline constexpr size_t kShardIdLen = kNameLen;
inline constexpr uint16_t kProtocolVersion = 1;
inline constexpr uint8_t kFlag0Paused = 1, kFlag0ForceAck = 2, kFlag0ExtData = 4;
// The largest message the codec builds or accepts: the bus has no such limit
// (totlen is 32 bits), the caller bounds what it feeds.
inline constexpr size_t kMaxMessageLen = 1u << 24;

enum MsgType : uint16_t {
  kPing = 0,
  kPong = 1,
  kMeet = 2,
  kFail = 3,
  kPublish = 4,
  kFailoverAuthRequest = 5,
  kFailoverAuthAck = 6,
  kUpdate = 7,
  kMfStart = 8,
  kModule = 9,
  kPublishShard = 10,
  kTypeCount = 11,
};

enum ExtType : uint16_t {
  kExtHostname = 0,
  kExtHumanNodename = 1,
  kExtForgottenNode = 2,
  kExtShardId = 3,
};

const char* MsgTypeName(uint16_t type);

using Name = std::array<char, kNameLen>;
using Ip = std::array<char, kIpLen>;
using SlotBitmap = std::array<uint8_t, kSlotBytes>;

struct Header {
  uint32_t totlen = 0;  // encode writes the real length
  uint16_t ver = kProtocolVersion;
  uint16_t port = 0;
  uint16_t type = kPing;
  uint16_t count = 0;  // encode writes the gossip count for PING/PONG/MEET
  uint64_t current_epoch = 0;
  uint64_t config_epoch = 0;
  uint64_t offset = 0;
  Name sender{};
  SlotBitmap myslots{};
  Name replicaof{};
  Ip myip{};
  uint16_t extensions = 0;  // encode writes the extension count for PING/PONG/MEET
  std::array<uint8_t, 30> notused1{};
  uint16_t pport = 0;
  uint16_t cport = 0;
  uint16_t flags = 0;
  uint8_t state = 0;
  std::array<uint8_t, 3> mflags{};
  bool operator==(const Header&) const = default;
};

struct Gossip {
  Name nodename{};
  uint32_t ping_sent = 0;
  uint32_t pong_received = 0;
  Ip ip{};
  uint16_t port = 0, cport = 0, flags = 0, pport = 0, notused1 = 0;
  bool operator==(const Gossip&) const = default;
};

struct Extension {
  uint16_t type = kExtHostname;
  uint16_t unused = 0;
  std::string data;  // what follows the 8-byte header, padding included
  bool operator==(const Extension&) const = default;
};

struct Message {
  Header header;
  std::vector<Gossip> gossip;         // PING, PONG, MEET
  std::vector<Extension> extensions;  // PING, PONG, MEET
  Name fail_nodename{};               // FAIL
  std::string channel, message;       // PUBLISH, PUBLISHSHARD
  uint64_t update_config_epoch = 0;   // UPDATE
  Name update_nodename{};
  SlotBitmap update_slots{};
  uint64_t module_id = 0;  // MODULE
  uint8_t module_type = 0;
  std::string module_payload;
  std::string raw_body;  // types Redis does not know: the body as it came
  bool operator==(const Message&) const = default;
};

// Builders for the typed extensions (data padded to a multiple of 8 with NULs).
Extension StringExtension(uint16_t type, std::string_view s);  // s + NUL
Extension ForgottenNodeExtension(const Name& name, uint64_t ttl);
Extension ShardIdExtension(const Name& shard_id);
Name MakeName(std::string_view s);  // s, cut or NUL-padded to 40 bytes
Ip MakeIp(std::string_view s);

enum class Profile {
  kStrict,     // the decisions above, the three defects fixed
  kRedis7015,  // Redis 7.0.15's arithmetic, defects included
};

struct Decision {
  bool accepted = false;
  std::string reason;  // why not; empty when accepted
  // kRedis7015 only: Redis would read bytes past the end of the packet while
  // validating it or handling it (the PUBLISH payload, an extension header or a
  // hostname's missing NUL). Never set for kStrict, which reads only the span.
  bool reads_past_end = false;
};

// Whether `bytes`, one message as read from the bus (exactly totlen bytes, or
// fewer if it was cut), would be processed. Reads only `bytes`.
Decision Validate(std::string_view bytes, Profile profile = Profile::kStrict);

// Validates (kStrict) and parses; the error is the validator's reason.
absl::StatusOr<Message> Decode(std::string_view bytes);

// The wire bytes of `m`: totlen is the real length; for PING/PONG/MEET count
// and extensions are the vectors' sizes. Extension data is written as given
// (its length is padded up to a multiple of 8 with NULs).
std::string Encode(const Message& m);

// A readable one-line summary (type, lengths, counts, extension types).
std::string Summarize(const Message& m);

}  // namespace respfuzz::cluster::bus

#endif  // RESPFUZZ_CLUSTER_BUS_H_
