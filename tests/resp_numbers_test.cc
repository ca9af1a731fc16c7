// resp::ParseInt64, the core's one string2ll(): the request parser's *N / $N
// and the engine's integer arguments both read integers with it.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "src/resp/numbers.h"
#include "src/resp/request.h"

namespace respfuzz::resp {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(ParseInt64, Boundaries) {
  EXPECT_EQ(ParseInt64("9223372036854775807"), kMax);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), kMin);
  EXPECT_EQ(ParseInt64("9223372036854775808"), std::nullopt);    // INT64_MAX + 1
  EXPECT_EQ(ParseInt64("-9223372036854775809"), std::nullopt);   // INT64_MIN - 1
  EXPECT_EQ(ParseInt64("18446744073709551615"), std::nullopt);   // UINT64_MAX
  EXPECT_EQ(ParseInt64("18446744073709551616"), std::nullopt);   // wraps uint64
  EXPECT_EQ(ParseInt64("99999999999999999999"), std::nullopt);   // 20 digits
  EXPECT_EQ(ParseInt64("-18446744073709551616"), std::nullopt);  // 21 bytes
}

TEST(ParseInt64, ZeroAndLeadingZeros) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("-0"), std::nullopt);
  EXPECT_EQ(ParseInt64("00"), std::nullopt);
  EXPECT_EQ(ParseInt64("01"), std::nullopt);
  EXPECT_EQ(ParseInt64("-01"), std::nullopt);
  EXPECT_EQ(ParseInt64("10"), 10);
  EXPECT_EQ(ParseInt64("-10"), -10);
}

TEST(ParseInt64, OnlyMinusAndDigits) {
  EXPECT_EQ(ParseInt64(""), std::nullopt);
  EXPECT_EQ(ParseInt64("-"), std::nullopt);
  EXPECT_EQ(ParseInt64("+1"), std::nullopt);
  EXPECT_EQ(ParseInt64(" 1"), std::nullopt);
  EXPECT_EQ(ParseInt64("1 "), std::nullopt);
  EXPECT_EQ(ParseInt64("--1"), std::nullopt);
  EXPECT_EQ(ParseInt64("1-"), std::nullopt);
  EXPECT_EQ(ParseInt64("0x1"), std::nullopt);
  EXPECT_EQ(ParseInt64("1e3"), std::nullopt);
  EXPECT_EQ(ParseInt64("1.0"), std::nullopt);
  EXPECT_EQ(ParseInt64(std::string("1\0", 2)), std::nullopt);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("123456789"), 123456789);
}

TEST(ParseInt64, TwentyOneBytesNeverParse) {
  // LONG_STR_SIZE: 21 bytes or more is too long, whatever they say.
  EXPECT_EQ(ParseInt64(std::string(21, '1')), std::nullopt);
  EXPECT_EQ(ParseInt64("000000000000000000001"), std::nullopt);
  EXPECT_EQ(ParseInt64("-0000000000000000001"), std::nullopt);          // 20 bytes, leading zero
  EXPECT_EQ(ParseInt64("-1000000000000000000"), -1000000000000000000);  // 20 bytes
  EXPECT_EQ(ParseInt64(std::string(kLongStrSize + 10, '9')), std::nullopt);
}

// The request parser reads *N and $N with the same routine.
TEST(ParseInt64, RequestHeadersUseIt) {
  auto header_ok = [](const std::string& count) {
    RequestParser p;
    std::vector<Request> out;
    return p.Feed("*" + count + "\r\n", &out);
  };
  EXPECT_TRUE(header_ok("0"));
  EXPECT_TRUE(header_ok("-9223372036854775808"));
  EXPECT_FALSE(header_ok("-0"));
  EXPECT_FALSE(header_ok("00"));
  EXPECT_FALSE(header_ok("+1"));
  EXPECT_FALSE(header_ok(""));
  EXPECT_FALSE(header_ok("-"));
  EXPECT_FALSE(header_ok(" 1"));
  EXPECT_FALSE(header_ok("-9223372036854775809"));
  EXPECT_FALSE(header_ok(std::string(21, '1')));
}

}  // namespace
}  // namespace respfuzz::resp
