// The cluster_bus harness: one cluster bus message (src/cluster/bus.h).
//
// Input: byte 0 is a flags byte; bit 0 set: the message's totlen field (bytes
// 4..7) is overwritten with the message's real length before anything looks
// at it, so mutations reach the per-type rules instead of dying on totlen.
// The other bits are ignored. The rest is the message, copied to a buffer of
// exactly its size (ASan sees any read past it).
//
// Checks:
//   "reason"      a rejected message has a reason, and Decode fails with it
//   "reference"   the validator (strict) accepts exactly when the reference
//                 length checker (harnesses/models/cluster_bus_reference.h)
//                 does
//   "roundtrip"   an accepted message decodes; its encoding is the same bytes;
//                 decoding those gives the same message
//   "redis-7015"  what the strict validator accepts, Redis 7.0.15 handles
//                 without reading past the packet, and accepts it too unless
//                 an extension is 64 KiB or more (its 16-bit lengths then sum
//                 short of totlen, and it rejects)
#ifndef RESPFUZZ_HARNESSES_CLUSTER_BUS_CHECKS_H_
#define RESPFUZZ_HARNESSES_CLUSTER_BUS_CHECKS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "harnesses/common/verdict.h"
#include "src/cluster/bus.h"

namespace respfuzz::harnesses {

// The codec behind an interface, so a test can plug in a broken one.
class BusCodecUnderTest {
 public:
  virtual ~BusCodecUnderTest() = default;
  virtual cluster::bus::Decision Validate(std::string_view bytes, cluster::bus::Profile p) {
    return cluster::bus::Validate(bytes, p);
  }
  virtual absl::StatusOr<cluster::bus::Message> Decode(std::string_view bytes) {
    return cluster::bus::Decode(bytes);
  }
  virtual std::string Encode(const cluster::bus::Message& m) { return cluster::bus::Encode(m); }
};

inline constexpr uint8_t kBusFixTotlen = 0x01;

struct ClusterBusInput {
  uint8_t flags = 0;
  std::string message;  // after the totlen fix when asked
};

ClusterBusInput DecodeClusterBusInput(std::string_view input);

fuzz::Verdict CheckClusterBus(BusCodecUnderTest& codec, std::string_view input);

fuzz::Verdict RunClusterBus(std::string_view input);
std::string DescribeClusterBus(std::string_view input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_CLUSTER_BUS_CHECKS_H_
