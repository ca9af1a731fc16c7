// The reference key slot function against the cluster specification's check
// value and every vector recorded from CLUSTER KEYSLOT on redis-server 7.0.15;
// then the vectors must catch each kind of slot bug planted in a copy (at
// least one vector disagrees with it).
#include "harnesses/models/cluster_slot_reference.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/cluster_keyslot_vectors.h"

namespace respfuzz::models {
namespace {

using testing_vectors::KeySlotVector;
using testing_vectors::ReadKeySlotVectors;

std::vector<KeySlotVector> Vectors() {
  std::string error;
  std::vector<KeySlotVector> v = ReadKeySlotVectors(&error);
  EXPECT_EQ(error, "");
  EXPECT_GE(v.size(), 800u);
  return v;
}

// The vectors a slot function gets wrong.
size_t Disagreements(const std::function<int(std::string_view)>& slot_of) {
  size_t bad = 0;
  for (const KeySlotVector& v : Vectors()) bad += slot_of(v.key) != v.slot;
  return bad;
}

TEST(ReferenceKeySlot, SpecCheckValue) {
  EXPECT_EQ(ReferenceCrc16("123456789"), 0x31C3);
  EXPECT_EQ(ReferenceCrc16(""), 0);
  EXPECT_EQ(ReferenceKeySlot("123456789"), 0x31C3 % 16384);
}

TEST(ReferenceKeySlot, HashTagRule) {
  EXPECT_EQ(ReferenceHashedPart("{user1000}.following"), "user1000");
  EXPECT_EQ(ReferenceHashedPart("foo{}{bar}"), "foo{}{bar}");  // empty first tag
  EXPECT_EQ(ReferenceHashedPart("foo{{bar}}zap"), "{bar");     // first '{', first '}' after it
  EXPECT_EQ(ReferenceHashedPart("foo{bar}{zap}"), "bar");
  EXPECT_EQ(ReferenceHashedPart("a{b"), "a{b");  // unclosed
  EXPECT_EQ(ReferenceHashedPart("}{a}"), "a");   // a '}' before the '{' does not count
  EXPECT_EQ(ReferenceHashedPart("{"), "{");
  EXPECT_EQ(ReferenceHashedPart(""), "");
  EXPECT_EQ(ReferenceHashedPart(std::string_view("a{\0}b", 5)), std::string_view("\0", 1));
}

TEST(ReferenceKeySlot, EveryRecordedVector) {
  size_t n = 0;
  for (const KeySlotVector& v : Vectors()) {
    ++n;
    EXPECT_EQ(ReferenceKeySlot(v.key), v.slot) << "key (hex) " << [&] {
      std::string hex;
      for (unsigned char c : v.key)
        hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 15];
      return hex;
    }();
  }
  EXPECT_GE(n, 800u);
}

// A CRC-16 with another initial value or with reflected bits (the usual
// confusions with CRC-16/CCITT-FALSE and KERMIT), computed like the reference.
uint16_t Crc16Variant(std::string_view bytes, uint16_t init, bool reflected) {
  uint32_t reg = init;
  for (unsigned char byte : bytes) {
    for (int bit = 7; bit >= 0; --bit) {
      const uint32_t in = reflected ? (byte >> (7 - bit)) & 1 : (byte >> bit) & 1;
      const uint32_t top = (reg >> 15) & 1;
      reg = (reg << 1) & 0xffff;
      if ((top ^ in) != 0) reg ^= 0x1021;
    }
  }
  return static_cast<uint16_t>(reg);
}

TEST(ReferenceKeySlot, TheVectorsCatchEachPlantedBug) {
  EXPECT_EQ(Disagreements(ReferenceKeySlot), 0u);
  // CRC-16/CCITT-FALSE (initial value 0xFFFF).
  EXPECT_GT(Disagreements([](std::string_view k) {
              return Crc16Variant(ReferenceHashedPart(k), 0xffff, false) % 16384;
            }),
            0u);
  // Input bits fed least significant first.
  EXPECT_GT(Disagreements([](std::string_view k) {
              return Crc16Variant(ReferenceHashedPart(k), 0, true) % 16384;
            }),
            0u);
  // No hash tags at all.
  EXPECT_GT(Disagreements([](std::string_view k) { return ReferenceCrc16(k) % 16384; }), 0u);
  // "{}" taken as an empty tag (every such key in the slot of "").
  EXPECT_GT(Disagreements([](std::string_view k) {
              size_t open = k.find('{');
              if (open != std::string_view::npos && open + 1 < k.size() && k[open + 1] == '}') {
                return ReferenceCrc16("") % 16384;
              }
              return ReferenceKeySlot(k);
            }),
            0u);
  // An unclosed '{' tagging the rest of the key.
  EXPECT_GT(Disagreements([](std::string_view k) {
              size_t open = k.find('{');
              if (open != std::string_view::npos &&
                  k.find('}', open + 1) == std::string_view::npos && open + 1 < k.size()) {
                return ReferenceCrc16(k.substr(open + 1)) % 16384;
              }
              return ReferenceKeySlot(k);
            }),
            0u);
  // The last '}' closing the tag instead of the first.
  EXPECT_GT(
      Disagreements([](std::string_view k) {
        size_t open = k.find('{');
        size_t close = k.rfind('}');
        if (open != std::string_view::npos && close != std::string_view::npos && close > open + 1) {
          return ReferenceCrc16(k.substr(open + 1, close - open - 1)) % 16384;
        }
        return ReferenceKeySlot(k);
      }),
      0u);
  // 16383 taken as the slot count (mod 16383).
  EXPECT_GT(Disagreements(
                [](std::string_view k) { return ReferenceCrc16(ReferenceHashedPart(k)) % 16383; }),
            0u);
}

}  // namespace
}  // namespace respfuzz::models
