// Key hash slots and MOVED/ASK parsing. The slot vectors were read from
// CLUSTER KEYSLOT on redis-server 7.0.15 (cluster-enabled yes; the full set in
// tests/fixtures/cluster/redis7015_keyslot.txt); the CRC value is the one the
// Redis Cluster specification gives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/cluster/slot.h"
#include "tests/cluster_keyslot_vectors.h"

namespace respfuzz::cluster {
namespace {

TEST(Crc16, SpecVector) {
  EXPECT_EQ(Crc16("123456789"), 0x31C3);
  EXPECT_EQ(Crc16(""), 0);
}

TEST(KeySlot, MatchesRedis7015) {
  struct Case {
    std::string key;
    int slot;
  };
  const Case cases[] = {
      {"123456789", 12739},
      {"foo", 12182},
      {"bar", 5061},
      {"hello", 866},
      {"{user1000}.following", 3443},
      {"{user1000}.followers", 3443},
      {"foo{}{bar}", 8363},     // empty first tag: the whole key
      {"foo{{bar}}zap", 4015},  // tag is "{bar"
      {"foo{bar}{zap}", 5061},  // tag is "bar"
      {"", 0},
      {"{}", 15257},
      {"{", 4092},
      {"}{a}", 15495},
      {"a{b", 13340},
  };
  for (const Case& c : cases) EXPECT_EQ(KeySlot(c.key), c.slot) << c.key;
}

TEST(KeySlot, EveryRecordedVector) {
  std::string error;
  const std::vector<testing_vectors::KeySlotVector> vectors =
      testing_vectors::ReadKeySlotVectors(&error);
  ASSERT_EQ(error, "");
  ASSERT_GE(vectors.size(), 800u);
  size_t bad = 0;
  for (const testing_vectors::KeySlotVector& v : vectors) {
    if (KeySlot(v.key) != v.slot) {
      ++bad;
      ADD_FAILURE() << "key of " << v.key.size() << " bytes, first " << v.key.substr(0, 40)
                    << ": KeySlot " << KeySlot(v.key) << ", redis-server " << v.slot;
    }
  }
  EXPECT_EQ(bad, 0u);
}

TEST(KeySlot, TagRules) {
  EXPECT_EQ(HashTag("foo{bar}{zap}"), "bar");
  EXPECT_EQ(HashTag("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(HashTag("foo{}{bar}"), "foo{}{bar}");
  EXPECT_EQ(HashTag("x{y"), "x{y");
  EXPECT_EQ(HashTag("}x{y}"), "y");
  EXPECT_EQ(KeySlot(std::string("a{\0}b", 5)), Crc16(std::string("\0", 1)) & 16383);
  // Every slot is in range (the mask is the boundary).
  for (int i = 0; i < 2000; ++i) {
    int s = KeySlot("key:" + std::to_string(i));
    EXPECT_GE(s, 0);
    EXPECT_LT(s, kSlotCount);
  }
}

TEST(ParseRedirect, MovedAndAsk) {
  auto m = ParseRedirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->kind, RedirectKind::kMoved);
  EXPECT_EQ(m->slot, 3999);
  EXPECT_EQ(m->target, (Endpoint{"127.0.0.1", 6381}));
  EXPECT_EQ(FormatRedirect(*m), "MOVED 3999 127.0.0.1:6381");

  auto a = ParseRedirect("-ASK 3999 127.0.0.1:6381\r\n");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->kind, RedirectKind::kAsk);
  EXPECT_EQ(FormatRedirect(*a), "ASK 3999 127.0.0.1:6381");
}

TEST(ParseRedirect, Ipv6SplitsOnLastColon) {
  auto r = ParseRedirect("MOVED 1 ::1:6379");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->target, (Endpoint{"::1", 6379}));
  r = ParseRedirect("ASK 2 fe80::1:2:30001");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->target, (Endpoint{"fe80::1:2", 30001}));
  r = ParseRedirect("MOVED 7 :6380");  // unknown endpoint: empty host
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->target, (Endpoint{"", 6380}));
}

TEST(ParseRedirect, Boundaries) {
  EXPECT_TRUE(ParseRedirect("MOVED 0 h:0").ok());
  EXPECT_TRUE(ParseRedirect("MOVED 16383 h:65535").ok());
  EXPECT_FALSE(ParseRedirect("MOVED 16384 h:1").ok());
  EXPECT_FALSE(ParseRedirect("MOVED 1 h:65536").ok());
  EXPECT_FALSE(ParseRedirect("MOVED -1 h:1").ok());
  EXPECT_FALSE(ParseRedirect("MOVED 123456 h:1").ok());
  EXPECT_FALSE(ParseRedirect("MOVED 1 h:").ok());
  EXPECT_FALSE(ParseRedirect("MOVED 1 h").ok());
  EXPECT_FALSE(ParseRedirect("MOVED 1").ok());
  EXPECT_FALSE(ParseRedirect("MOVED  1 h:1").ok());
  EXPECT_FALSE(ParseRedirect("moved 1 h:1").ok());
  EXPECT_FALSE(ParseRedirect("ERR unknown").ok());
  EXPECT_FALSE(ParseRedirect("MOVED 1 a b:1").ok());
  // The length cap: a host of 256 bytes fits, one more does not.
  std::string host(256, 'h');
  EXPECT_TRUE(ParseRedirect("ASK 16383 " + host + ":65535").ok());
  EXPECT_FALSE(ParseRedirect("ASK 16383 " + host + "h:65535").ok());
  EXPECT_EQ(ParseRedirect("MOVED 16384 h:1").status().message(), "bad slot '16384' (0..16383)");
}

}  // namespace
}  // namespace respfuzz::cluster
