// hiredis 0.14.1 and 1.2.0 in one binary: each reader is the one its version
// is (the RESP3 replies only 1.2 knows, the RESP2 ones both do), which could
// not hold if either version's calls reached the other's code.
#include <gtest/gtest.h>

#include <string>

#include "probe.h"

namespace respfuzz::hiredis_versions {
namespace {

// hiredis's REDIS_REPLY_* codes (read.h), the same in both versions where
// both have them.
constexpr int kString = 1, kArray = 2, kInteger = 3, kNil = 4, kStatus = 5, kDouble = 7, kBool = 8,
              kMap = 9, kPush = 12;

TEST(HiredisVersions, EachHeaderIsItsVersion) {
  EXPECT_EQ(Hiredis014Version(), "0.14.1");
  EXPECT_EQ(Hiredis12Version(), "1.2.0");
}

TEST(HiredisVersions, OnlyHiredis12ParsesARESP3Map) {
  const std::string map = "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n";
  Parsed v12 = ParseWithHiredis12(map);
  ASSERT_TRUE(v12.ok) << v12.error;
  EXPECT_EQ(v12.type, kMap);
  EXPECT_EQ(v12.element_types, (std::vector<int>{kStatus, kInteger, kStatus, kInteger}));
  EXPECT_EQ(v12.element_strs[0], "a");
  EXPECT_EQ(v12.element_strs[2], "b");

  Parsed v014 = ParseWithHiredis014(map);
  EXPECT_FALSE(v014.ok);
  EXPECT_EQ(v014.error, "Protocol error, got \"%\" as reply type byte");
}

TEST(HiredisVersions, Hiredis12ParsesTheOtherRESP3Types) {
  Parsed d = ParseWithHiredis12(",3.25\r\n");
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_EQ(d.type, kDouble);
  EXPECT_EQ(d.str, "3.25");
  Parsed b = ParseWithHiredis12("#t\r\n");
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_EQ(b.type, kBool);
  EXPECT_EQ(b.integer, 1);
  Parsed n = ParseWithHiredis12("_\r\n");
  ASSERT_TRUE(n.ok) << n.error;
  EXPECT_EQ(n.type, kNil);
  Parsed p = ParseWithHiredis12(">2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.type, kPush);
  EXPECT_EQ(p.element_types, (std::vector<int>{kStatus, kArray}));
  for (const char* resp3 : {",3.25\r\n", "#t\r\n", "_\r\n", ">1\r\n+x\r\n"}) {
    EXPECT_FALSE(ParseWithHiredis014(resp3).ok) << resp3;
  }
}

TEST(HiredisVersions, BothParseARESP2Array) {
  const std::string array = "*2\r\n$3\r\nfoo\r\n:42\r\n";
  for (const Parsed& p : {ParseWithHiredis014(array), ParseWithHiredis12(array)}) {
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.type, kArray);
    EXPECT_EQ(p.element_types, (std::vector<int>{kString, kInteger}));
    EXPECT_EQ(p.element_strs[0], "foo");
  }
}

}  // namespace
}  // namespace respfuzz::hiredis_versions
