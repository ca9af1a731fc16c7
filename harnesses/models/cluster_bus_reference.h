// A reference length checker for Redis Cluster bus messages, written apart
// from src/cluster/ (it shares nothing with it but the bytes): it walks a
// message with a bounds-checked cursor and decides, from the layout in the
// Redis 7.0 sources (cluster.h) and the 7.2 extensions, whether every length
// in it agrees with the bytes. Plain style: one function, no tables shared.
//
// The rules (the strict ones, with Redis 7.0.15's three defects fixed):
//   at least 8 bytes; "RCmb"; totlen >= 2256 and == the byte count; ver 1;
//   PING/PONG/MEET: 2256 + 104 * count, then (only with mflags[0] & 4,
//     otherwise `extensions` must be 0) `extensions` entries of
//     [u32 length][u16 type][u16 unused], length >= 8, a multiple of 8,
//     within the bytes; type 0 and 1 hold a NUL; type 2 >= 48 data bytes,
//     type 3 >= 40; the entries end exactly at totlen;
//   FAIL 2296; PUBLISH and PUBLISHSHARD 2264 + both lengths (no wrap);
//   AUTH_REQUEST, AUTH_ACK, MFSTART 2256; UPDATE 4352; MODULE 2269 + len;
//   any other type: accepted.
#ifndef RESPFUZZ_HARNESSES_MODELS_CLUSTER_BUS_REFERENCE_H_
#define RESPFUZZ_HARNESSES_MODELS_CLUSTER_BUS_REFERENCE_H_

#include <cstdint>
#include <span>
#include <string>

namespace respfuzz::models {

struct BusLengthVerdict {
  bool valid = false;
  std::string rule;  // the rule that failed, e.g. "ext-align"; empty when valid
};

BusLengthVerdict CheckBusLengths(std::span<const uint8_t> bytes);

}  // namespace respfuzz::models

#endif  // RESPFUZZ_HARNESSES_MODELS_CLUSTER_BUS_REFERENCE_H_
