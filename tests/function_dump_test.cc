// Tests for FUNCTION DUMP and FUNCTION RESTORE (src/script/function_dump.cc)
// that are not recordings: the payload of several libraries (in name order
// here; redis-server 7.0.15 writes its dict's order, which changes from one
// start to the next, so tests/recordings/function_dump.json records single
// libraries only) and its round trip, RESTORE's atomicity (a library that
// stays keeps its Lua state), and RESTORE on every truncation and on
// one-byte changes of a payload (the CRC made right, so the reader sees it):
// an error reply or OK, never a crash or a broken engine.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"
#include "src/engine/rdb.h"

namespace respfuzz::engine {
namespace {

class FunctionDumpTest : public ::testing::Test {
 protected:
  std::string Cmd(Engine& e, int s, std::vector<std::string> argv) {
    std::string out;
    e.Execute(s, argv, &out);
    const absl::Status valid = e.Validate();
    EXPECT_TRUE(valid.ok()) << valid;
    return out;
  }
  std::string Cmd(std::vector<std::string> argv) { return Cmd(engine_, a_, std::move(argv)); }
  // FUNCTION DUMP's payload (the bulk string's body).
  std::string Dump() {
    const std::string r = Cmd({"FUNCTION", "DUMP"});
    EXPECT_EQ(r[0], '$') << r;
    const size_t nl = r.find("\r\n");
    return r.substr(nl + 2, r.size() - nl - 4);
  }
  static std::string Lib(std::string_view name, std::string_view fn, std::string_view body) {
    return "#!lua name=" + std::string(name) + "\nredis.register_function('" + std::string(fn) +
           "', " + std::string(body) + ")";
  }
  static std::string Payload(const std::vector<std::string>& codes) {
    std::string p;
    for (const std::string& c : codes) {
      p.push_back(static_cast<char>(245));
      rdb::AppendString(&p, c);
    }
    rdb::AppendFooter(&p);
    return p;
  }
  Engine engine_;
  int a_ = engine_.OpenSession();
};

TEST_F(FunctionDumpTest, SeveralLibrariesInNameOrderAndTheirRoundTrip) {
  EXPECT_EQ(Dump(), Payload({}));
  EXPECT_EQ(Dump().size(), 10u);
  const std::string c = Lib("c", "fc", "function() return 'c' end");
  const std::string a = Lib("a", "fa", "function(keys, args) return args[1] end");
  const std::string b = "#!lua name=b\n-- " + std::string(100, 'x') +
                        "\nredis.register_function{function_name='fb', callback=function() "
                        "return 2 end, flags={'no-writes'}, description='bee'}";
  for (const std::string& code : {c, a, b}) ASSERT_EQ(Cmd({"FUNCTION", "LOAD", code})[0], '$');
  const std::string payload = Dump();
  EXPECT_EQ(payload, Payload({a, b, c}));
  EXPECT_TRUE(rdb::VerifyPayload(payload));
  // b's long, repetitive code is LZF-compressed.
  EXPECT_LT(payload.size(), a.size() + b.size() + c.size());

  Engine other;
  const int s = other.OpenSession();
  EXPECT_EQ(Cmd(other, s, {"FUNCTION", "LOAD", Lib("z", "fz", "function() return 0 end")})[0], '$');
  EXPECT_EQ(Cmd(other, s, {"FUNCTION", "RESTORE", payload, "FLUSH"}), "+OK\r\n");
  EXPECT_EQ(Cmd(other, s, {"FUNCTION", "LIST", "WITHCODE"}), Cmd({"FUNCTION", "LIST", "WITHCODE"}));
  EXPECT_EQ(Cmd(other, s, {"FCALL", "fa", "0", "hello"}), "$5\r\nhello\r\n");
  EXPECT_EQ(Cmd(other, s, {"FCALL_RO", "fb", "0"}), ":2\r\n");
  EXPECT_EQ(Cmd(other, s, {"FCALL", "fz", "0"}), "-ERR Function not found\r\n");
  EXPECT_EQ(Cmd(other, s, {"FUNCTION", "DUMP"}), Cmd({"FUNCTION", "DUMP"}));
  // APPEND of the same payload: the first library of the payload that
  // exists is named.
  EXPECT_EQ(Cmd(other, s, {"FUNCTION", "RESTORE", payload}), "-ERR Library a already exists\r\n");
  EXPECT_EQ(Cmd(other, s, {"FUNCTION", "RESTORE", payload, "REPLACE"}), "+OK\r\n");
}

TEST_F(FunctionDumpTest, AFailedRestoreChangesNothing) {
  // A counter in the library's closure: a library that stays keeps it.
  const std::string counter =
      "#!lua name=cnt\nlocal n = 0\nredis.register_function('next', function() n = n + 1 "
      "return n end)";
  ASSERT_EQ(Cmd({"FUNCTION", "LOAD", counter}), "$3\r\ncnt\r\n");
  ASSERT_EQ(Cmd({"FUNCTION", "LOAD", Lib("other", "taken", "function() return 0 end")}),
            "$5\r\nother\r\n");
  EXPECT_EQ(Cmd({"FCALL", "next", "0"}), ":1\r\n");
  const std::string before = Dump();
  const std::string fresh_counter = Lib("cnt", "next", "function() return 100 end");
  const std::string clash = Lib("new", "TAKEN", "function() return 1 end");
  const std::string broken = Lib("bad", "f", "function() return 1 end +");
  for (const auto& [codes, policy, error] :
       std::vector<std::tuple<std::vector<std::string>, std::string, std::string>>{
           {{fresh_counter, clash}, "REPLACE", "-ERR Function TAKEN already exists\r\n"},
           {{fresh_counter}, "APPEND", "-ERR Library cnt already exists\r\n"},
           {{fresh_counter, fresh_counter}, "FLUSH", "-ERR Library 'cnt' already exists\r\n"},
           {{fresh_counter, broken},
            "FLUSH",
            "-ERR Error compiling function: user_function:2: unexpected symbol near ')'\r\n"},
       }) {
    EXPECT_EQ(Cmd({"FUNCTION", "RESTORE", Payload(codes), policy}), error) << policy;
    EXPECT_EQ(Dump(), before);
  }
  EXPECT_EQ(Cmd({"FCALL", "next", "0"}), ":2\r\n");
  // REPLACE of cnt alone: the new library.
  EXPECT_EQ(Cmd({"FUNCTION", "RESTORE", Payload({fresh_counter}), "REPLACE"}), "+OK\r\n");
  EXPECT_EQ(Cmd({"FCALL", "next", "0"}), ":100\r\n");
  EXPECT_EQ(Cmd({"FCALL", "taken", "0"}), ":0\r\n");
}

TEST_F(FunctionDumpTest, EveryTruncationAndByteChangeIsAnErrorOrOk) {
  const std::string body =
      Payload({Lib("l1", "f1", "function() return 1 end"),
               "#!lua name=l2\n-- " + std::string(40, 'y') +
                   "\nredis.register_function('f2', function() return 2 end)"});
  const std::string content = body.substr(0, body.size() - 10);
  int oks = 0;
  int errors = 0;
  const auto check = [&](const std::string& c) {
    std::string p = c;
    rdb::AppendFooter(&p);
    const std::string r = Cmd({"FUNCTION", "RESTORE", p, "FLUSH"});
    EXPECT_TRUE(r == "+OK\r\n" || r.rfind("-ERR ", 0) == 0) << r;
    ++(r == "+OK\r\n" ? oks : errors);
    Cmd({"FUNCTION", "DUMP"});
    Cmd({"FCALL", "f1", "0"});
  };
  for (size_t n = 0; n <= content.size(); ++n) check(content.substr(0, n));
  for (size_t i = 0; i < content.size(); ++i) {
    for (unsigned char v : {0x00, 0xff, 0xf5, 0xf6, 0xc3}) {
      std::string c = content;
      c[i] = static_cast<char>(v ^ (v == static_cast<unsigned char>(c[i]) ? 1 : 0));
      check(c);
    }
  }
  // The whole content, truncations at a library's end, and changes inside
  // the comment restore; the rest does not.
  EXPECT_GT(oks, 3);
  EXPECT_GT(errors, 500);
  // The footer's own checks: one byte short of a footer, a version above 10.
  EXPECT_EQ(Cmd({"FUNCTION", "RESTORE", body.substr(1)}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  std::string v11 = content;
  v11 += '\x0b';
  v11 += '\0';
  EXPECT_EQ(Cmd({"FUNCTION", "RESTORE", v11 + std::string(8, '\0')}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
}

// Codes at the RDB length encodings' boundaries (14 bits: 16383 bytes, then
// the 32-bit form), of text LZF cannot shrink much: DUMP's bytes and their
// round trip. redis-server 7.0.15 gave the same DUMP bytes for the same
// codes of 16383, 16384 and 70000 bytes (checked by hand, 2026-11-26).
TEST_F(FunctionDumpTest, CodesAtTheLengthEncodingsBoundaries) {
  uint32_t x = 1;
  for (const size_t n : {size_t{16383}, size_t{16384}, size_t{70000}}) {
    std::string code = Lib("big", "f", "function() return 1 end") + "\n-- ";
    while (code.size() < n) {
      x = x * 1103515245u + 12345u;
      code.push_back("abcdefghijklmnopqrstuvwxyz0123456789"[(x >> 16) % 36]);
    }
    ASSERT_EQ(Cmd({"FUNCTION", "LOAD", "REPLACE", code}), "$3\r\nbig\r\n");
    const std::string payload = Dump();
    EXPECT_EQ(payload, Payload({code}));
    EXPECT_EQ(Cmd({"FUNCTION", "RESTORE", payload, "FLUSH"}), "+OK\r\n");
    EXPECT_EQ(Dump(), payload);
  }
  // A declared length past the payload (2^62 bytes, an LZF string of 2^40)
  // is refused before anything is allocated for it.
  std::string huge = "\xf5\x81";
  for (int i = 7; i >= 0; --i)
    huge.push_back(static_cast<char>(((uint64_t{1} << 62) >> (8 * i)) & 0xff));
  rdb::AppendFooter(&huge);
  EXPECT_EQ(Cmd({"FUNCTION", "RESTORE", huge}), "-ERR Failed loading library payload\r\n");
  std::string lzf = "\xf5\xc3\x04\x80";
  for (int i = 3; i >= 0; --i)
    lzf.push_back(static_cast<char>(((uint64_t{1} << 30) >> (8 * i)) & 0xff));
  lzf.push_back('\x02');
  lzf += "abc";
  rdb::AppendFooter(&lzf);
  EXPECT_EQ(Cmd({"FUNCTION", "RESTORE", lzf}), "-ERR Failed loading library payload\r\n");
}

TEST(RdbLoadStringTest, ReadsAtAPositionAndStopsAtTheEnd) {
  std::string s;
  rdb::AppendString(&s, "abc");
  rdb::AppendString(&s, std::string(300, 'z'));  // LZF
  rdb::AppendString(&s, "12345");                // an integer encoding
  size_t pos = 0;
  std::string out;
  ASSERT_TRUE(rdb::LoadString(s, &pos, &out));
  EXPECT_EQ(out, "abc");
  ASSERT_TRUE(rdb::LoadString(s, &pos, &out));
  EXPECT_EQ(out, std::string(300, 'z'));
  ASSERT_TRUE(rdb::LoadString(s, &pos, &out));
  EXPECT_EQ(out, "12345");
  EXPECT_EQ(pos, s.size());
  EXPECT_FALSE(rdb::LoadString(s, &pos, &out));
  // A length one past what is left: refused (nothing allocated for it).
  std::string cut;
  rdb::AppendLen(&cut, 4);
  cut += "abc";
  pos = 0;
  EXPECT_FALSE(rdb::LoadString(cut, &pos, &out));
  EXPECT_EQ(pos, 0u);
  cut += "d";
  EXPECT_TRUE(rdb::LoadString(cut, &pos, &out));
  EXPECT_EQ(out, "abcd");
  uint64_t len = 0;
  pos = 0;
  std::string enc = "\xc1";  // an encoded length: its type bits, as rdbLoadLen(rdb, NULL)
  EXPECT_TRUE(rdb::LoadLen(enc, &pos, &len));
  EXPECT_EQ(len, 1u);
}

}  // namespace
}  // namespace respfuzz::engine
