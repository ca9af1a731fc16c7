#include "harnesses/models/cluster_slot_reference.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace respfuzz::models {

uint16_t ReferenceCrc16(std::string_view bytes) {
  uint32_t reg = 0;  // the 16-bit register, kept in the low bits
  for (size_t i = 0; i < bytes.size(); ++i) {
    const uint32_t byte = static_cast<unsigned char>(bytes[i]);
    for (int bit = 7; bit >= 0; --bit) {
      const uint32_t in = (byte >> bit) & 1;
      const uint32_t top = (reg >> 15) & 1;
      reg = (reg << 1) & 0xffff;
      if ((top ^ in) != 0) reg ^= 0x1021;
    }
  }
  return static_cast<uint16_t>(reg);
}

std::string_view ReferenceHashedPart(std::string_view key) {
  size_t open = 0;
  while (open < key.size() && key[open] != '{') ++open;
  if (open == key.size()) return key;  // no '{'
  size_t close = open + 1;
  while (close < key.size() && key[close] != '}') ++close;
  if (close == key.size()) return key;  // no '}' after the first '{'
  if (close == open + 1) return key;    // "{}": an empty tag hashes the whole key
  return key.substr(open + 1, close - open - 1);
}

int ReferenceKeySlot(std::string_view key) {
  return ReferenceCrc16(ReferenceHashedPart(key)) % kReferenceSlots;
}

}  // namespace respfuzz::models
