// Key hash slots as the Redis Cluster specification defines them, written
// apart from src/cluster/ (harnesses/models/CMakeLists.txt refuses any
// include of src/cluster/ here): the cluster_routing harness's plain cluster
// model places keys with it, and the client under test with src/cluster's
// KeySlot, so a slot bug on either side is a disagreement.
//
// The rules (Redis Cluster specification, "Key distribution model" and
// "Hash tags"):
//   HASH_SLOT = CRC16(key) mod 16384, CRC16 being CRC-16/XMODEM: polynomial
//   x^16 + x^12 + x^5 + 1 (0x1021), register starting at 0, bits fed most
//   significant first, nothing reflected, no final xor; its check value,
//   CRC16("123456789"), is 0x31C3.
//   If the key contains a '{', and a '}' follows that first '{', and at least
//   one byte lies between them, only the bytes between that first '{' and the
//   first '}' after it are hashed. Otherwise (no '{', no '}' after it, or
//   "{}" right away) the whole key is hashed.
// Computed one bit at a time, with no table: plainer than fast.
#ifndef RESPFUZZ_HARNESSES_MODELS_CLUSTER_SLOT_REFERENCE_H_
#define RESPFUZZ_HARNESSES_MODELS_CLUSTER_SLOT_REFERENCE_H_

#include <cstdint>
#include <string_view>

namespace respfuzz::models {

inline constexpr int kReferenceSlots = 16384;

// CRC-16/XMODEM of `bytes`, bit by bit.
uint16_t ReferenceCrc16(std::string_view bytes);

// The bytes the slot is computed from: the hash tag, or the whole key.
std::string_view ReferenceHashedPart(std::string_view key);

// The key's slot, 0..kReferenceSlots-1.
int ReferenceKeySlot(std::string_view key);

}  // namespace respfuzz::models

#endif  // RESPFUZZ_HARNESSES_MODELS_CLUSTER_SLOT_REFERENCE_H_
