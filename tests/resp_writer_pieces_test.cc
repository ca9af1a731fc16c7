// The writer's low-level pieces (src/resp/writer.h), which engine::ReplyWriter
// streams every reply through: each must write what Write() writes for the
// same value.
#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "src/resp/value.h"
#include "src/resp/writer.h"

namespace respfuzz::resp {
namespace {

template <typename F>
std::string Appended(F write) {
  std::string out = "x";  // the pieces append: what is there stays
  write(&out);
  return out.substr(1);
}

TEST(WriterPieces, Integer) {
  EXPECT_EQ(Appended([](std::string* o) { WriteInteger(0, o); }), ":0\r\n");
  EXPECT_EQ(Appended([](std::string* o) { WriteInteger(-1, o); }), ":-1\r\n");
  EXPECT_EQ(Appended([](std::string* o) { WriteInteger(std::numeric_limits<int64_t>::max(), o); }),
            ":9223372036854775807\r\n");
  EXPECT_EQ(Appended([](std::string* o) { WriteInteger(std::numeric_limits<int64_t>::min(), o); }),
            ":-9223372036854775808\r\n");
}

TEST(WriterPieces, BulkAndSimple) {
  EXPECT_EQ(Appended([](std::string* o) { WriteBulk("", o); }), "$0\r\n\r\n");
  EXPECT_EQ(Appended([](std::string* o) { WriteBulk(std::string("a\0\r\nb", 5), o); }),
            std::string("$5\r\na\0\r\nb\r\n", 11));
  EXPECT_EQ(Appended([](std::string* o) { WriteSimple(Type::kSimpleString, "OK", o); }), "+OK\r\n");
  EXPECT_EQ(Appended([](std::string* o) { WriteSimple(Type::kError, "ERR x", o); }), "-ERR x\r\n");
  EXPECT_EQ(Appended([](std::string* o) { WriteSimple(Type::kBigNumber, "123", o); }), "(123\r\n");
}

TEST(WriterPieces, AggregateHeaders) {
  EXPECT_EQ(Appended([](std::string* o) { WriteAggregateHeader('*', 0, o); }), "*0\r\n");
  EXPECT_EQ(Appended([](std::string* o) { WriteAggregateHeader('%', 12, o); }), "%12\r\n");
  EXPECT_EQ(Appended([](std::string* o) { WriteAggregateHeader('~', 3, o); }), "~3\r\n");
}

TEST(WriterPieces, DoubleInBothProtocolsAndStyles) {
  auto write = [](double d, Protocol p, DoubleStyle s) {
    return Appended([&](std::string* o) { WriteDouble(d, p, s, o); });
  };
  EXPECT_EQ(write(0.1, Protocol::kResp3, DoubleStyle::kShortest), ",0.1\r\n");
  EXPECT_EQ(write(0.1, Protocol::kResp3, DoubleStyle::kRedis70), ",0.10000000000000001\r\n");
  EXPECT_EQ(write(0.1, Protocol::kResp2, DoubleStyle::kRedis70), "$19\r\n0.10000000000000001\r\n");
  EXPECT_EQ(
      write(-std::numeric_limits<double>::infinity(), Protocol::kResp2, DoubleStyle::kShortest),
      "$4\r\n-inf\r\n");
  EXPECT_EQ(write(1.5, Protocol::kResp3, DoubleStyle::kShortest), ",1.5\r\n");
}

// A double carrying the server's text (the reference model's GEO
// coordinates: "%.17Lf" trimmed) is written with that text, in either style;
// equality still compares the number.
TEST(WriterPieces, DoubleWithItsTextKeepsTheText) {
  Value v = Value::Double(13.436716496944427);
  v.str = "13.43671649694442749";
  EXPECT_EQ(Write(v, Protocol::kResp3, DoubleStyle::kRedis70), ",13.43671649694442749\r\n");
  EXPECT_EQ(Write(v, Protocol::kResp3), ",13.43671649694442749\r\n");
  EXPECT_EQ(Write(v, Protocol::kResp2), "$20\r\n13.43671649694442749\r\n");
  EXPECT_EQ(Write(Value::Double(13.436716496944427), Protocol::kResp3, DoubleStyle::kRedis70),
            ",13.436716496944427\r\n");
  EXPECT_TRUE(Equal(v, Value::Double(13.436716496944427)));
}

TEST(WriterPieces, SameBytesAsWrite) {
  for (Protocol p : {Protocol::kResp2, Protocol::kResp3}) {
    for (DoubleStyle s : {DoubleStyle::kShortest, DoubleStyle::kRedis70}) {
      for (double d : {0.0, -0.0, 1.0 / 3, 1e300, -2.5}) {
        Value v;
        v.type = Type::kDouble;
        v.dbl = d;
        EXPECT_EQ(Appended([&](std::string* o) { WriteDouble(d, p, s, o); }), Write(v, p, s));
      }
    }
    for (int64_t n : {int64_t{0}, int64_t{42}, std::numeric_limits<int64_t>::min()}) {
      Value v;
      v.type = Type::kInteger;
      v.integer = n;
      EXPECT_EQ(Appended([&](std::string* o) { WriteInteger(n, o); }), Write(v, p));
    }
    Value bulk;
    bulk.type = Type::kBulkString;
    bulk.str = "hello";
    EXPECT_EQ(Appended([](std::string* o) { WriteBulk("hello", o); }), Write(bulk, p));
  }
}

}  // namespace
}  // namespace respfuzz::resp
