// The reference model's DUMP payload reader (harnesses/models/
// reference_dump_payload.cc) on fixed bytes: the CRC-64's test vector, the
// footer, RDB lengths at their boundaries, the integer and LZF string
// encodings, and redis-server 7.0.15's own FUNCTION DUMP of a library
// (LZF-compressed; recorded 2026-11-27, also in corpus/command_handler/
// function_restore.txt).
#include "harnesses/models/reference_dump_payload.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace respfuzz::models::refmodel {
namespace {

using std::string_literals::operator""s;

std::string Bytes(std::initializer_list<int> bs) {
  std::string s;
  for (int b : bs) s.push_back(static_cast<char>(b));
  return s;
}

// The payload with its footer: RDB version 10 and the CRC-64, little-endian.
std::string WithFooter(std::string body, int version = 10) {
  body.push_back(static_cast<char>(version & 0xff));
  body.push_back(static_cast<char>(version >> 8));
  const uint64_t crc = Crc64Jones(body, body.size());
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return body;
}

TEST(ReferenceDumpPayload, Crc64TestVector) {
  EXPECT_EQ(Crc64Jones("123456789", 9), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(Crc64Jones("", 0), 0u);
}

TEST(ReferenceDumpPayload, Footer) {
  const std::string ok = WithFooter("\xf5\x01x");
  EXPECT_TRUE(DumpFooterOk(ok, 10));
  EXPECT_TRUE(DumpFooterOk(WithFooter(""), 10));  // the footer alone
  EXPECT_FALSE(DumpFooterOk(WithFooter("x", 11), 10));
  EXPECT_TRUE(DumpFooterOk(WithFooter("x", 9), 10));
  std::string bad = ok;
  bad.back() = static_cast<char>(bad.back() ^ 1);
  EXPECT_FALSE(DumpFooterOk(bad, 10));
  EXPECT_FALSE(DumpFooterOk(ok.substr(ok.size() - 9), 10));  // under 10 bytes
}

TEST(ReferenceDumpPayload, LengthForms) {
  auto len = [](const std::string& s, uint64_t* out, bool* enc) {
    size_t pos = 0;
    const bool ok = RdbReadLen(s, &pos, out, enc);
    return ok && pos == s.size();
  };
  uint64_t n = 0;
  bool enc = true;
  EXPECT_TRUE(len(Bytes({0x3f}), &n, &enc));
  EXPECT_EQ(n, 63u);
  EXPECT_FALSE(enc);
  EXPECT_TRUE(len(Bytes({0x40, 0x40}), &n, &enc));
  EXPECT_EQ(n, 64u);
  EXPECT_TRUE(len(Bytes({0x7f, 0xff}), &n, &enc));
  EXPECT_EQ(n, 16383u);
  EXPECT_TRUE(len(Bytes({0x80, 0x00, 0x00, 0x40, 0x00}), &n, &enc));
  EXPECT_EQ(n, 16384u);
  EXPECT_TRUE(len(Bytes({0x81, 0, 0, 0, 1, 0, 0, 0, 0}), &n, &enc));
  EXPECT_EQ(n, uint64_t{1} << 32);
  EXPECT_TRUE(len(Bytes({0xc3}), &n, &enc));
  EXPECT_TRUE(enc);
  EXPECT_EQ(n, 3u);
  EXPECT_FALSE(len(Bytes({0x82}), &n, &enc));  // no such form
  EXPECT_FALSE(len(Bytes({0x40}), &n, &enc));  // cut short
  EXPECT_FALSE(len(Bytes({0x80, 0, 0}), &n, &enc));
}

TEST(ReferenceDumpPayload, StringEncodings) {
  auto str = [](const std::string& s) {
    size_t pos = 0;
    std::string out;
    if (!RdbReadString(s, &pos, &out)) return std::string("(error)");
    return out;
  };
  EXPECT_EQ(str(Bytes({0x03, 'a', 'b', 'c'})), "abc");
  EXPECT_EQ(str(Bytes({0x03, 'a', 'b'})), "(error)");
  EXPECT_EQ(str(Bytes({0xc0, 0x80})), "-128");
  EXPECT_EQ(str(Bytes({0xc0, 0x7f})), "127");
  EXPECT_EQ(str(Bytes({0xc1, 0x00, 0x80})), "-32768");
  EXPECT_EQ(str(Bytes({0xc2, 0xff, 0xff, 0xff, 0x7f})), "2147483647");
  EXPECT_EQ(str(Bytes({0xc2, 0x00, 0x00, 0x00, 0x80})), "-2147483648");
  EXPECT_EQ(str(Bytes({0xc4})), "(error)");  // no such string encoding
  // LZF: a literal run of 3, then a back reference of 5 bytes 3 back
  // (overlapping what it writes).
  EXPECT_EQ(str(Bytes({0xc3, 0x06, 0x08, 0x02, 'a', 'b', 'c', 0x60, 0x02})), "abcabcab");
  EXPECT_EQ(str(Bytes({0xc3, 0x06, 0x09, 0x02, 'a', 'b', 'c', 0x60, 0x02})), "(error)");  // 8 != 9
  EXPECT_EQ(str(Bytes({0xc3, 0x03, 0x08, 0x02, 'a', 'b', 'c'})), "(error)");  // short output
  EXPECT_EQ(str(Bytes({0xc3, 0x02, 0x05, 0x20, 0x00})), "(error)");  // a reference before the start
  // An uncompressed length of 0 is "", whatever the compressed bytes.
  EXPECT_EQ(str(Bytes({0xc3, 0x01, 0x00, 0x00})), "");
  EXPECT_EQ(str(Bytes({0xc3, 0x00, 0x00})), "");
  EXPECT_EQ(str(Bytes({0xc3, 0x00, 0x01})), "(error)");
}

TEST(ReferenceDumpPayload, RedisFunctionDump) {
  // FUNCTION DUMP of `#!lua name=lib13\n` and two register_function calls,
  // from redis-server 7.0.15.
  const std::string payload =
      "\xf5\xc3@F@k\x1f#!lua name=lib13\nredis.register_\x0f"
      "function('f13a',\xe0\x00\x0f\x04)end)\xe0\x13,\x00"
      "b\xe0\x05,\x01"
      "d)\n\x00\xe5\xf9\x8d\xda\x14h\x1f\x95"s;  // with its NULs
  ASSERT_TRUE(DumpFooterOk(payload, 10));
  size_t pos = 1;
  std::string code;
  ASSERT_TRUE(RdbReadString(payload, &pos, &code));
  EXPECT_EQ(code,
            "#!lua name=lib13\nredis.register_function('f13a',function()end)"
            "redis.register_function('f13b',function()end)");
  EXPECT_EQ(payload.size() - pos, 10u);
}

}  // namespace
}  // namespace respfuzz::models::refmodel
