// SSCAN and ZSCAN over a compact encoding: an intset set and a listpack
// sorted set come back whole in one call with cursor 0, whatever the
// cursor and COUNT say, as a listpack hash does (scanGenericCommand walks
// those encodings at once). The replies below are redis-server 7.0.15's for
// the same commands (2026-11-28); a hashtable set still pages by COUNT. The
// engine used to page the intset and the listpack too, which the command
// oracle's union of pages hid until a subscribed session's ZSCAN showed it.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

std::string Cmd(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  return out;
}

TEST(EngineElementScan, CompactEncodingsComeBackWhole) {
  Engine e;
  const int s = e.OpenSession();
  Cmd(e, s, {"ZADD", "z1", "1", "a", "2", "b", "3", "c"});
  Cmd(e, s, {"ZADD", "z2", "0", "south-west", "13510798882111488", "north-east"});
  Cmd(e, s, {"SADD", "s1", "3", "1", "2"});
  Cmd(e, s, {"HSET", "h1", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(
      Cmd(e, s, {"ZSCAN", "z1", "0", "COUNT", "1"}),
      "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(Cmd(e, s, {"ZSCAN", "z2", "0", "COUNT", "1"}),
            "*2\r\n$1\r\n0\r\n*4\r\n$10\r\nsouth-west\r\n$1\r\n0\r\n$10\r\nnorth-east\r\n$17\r\n"
            "13510798882111488\r\n");
  EXPECT_EQ(Cmd(e, s, {"SSCAN", "s1", "0", "COUNT", "1"}),
            "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(
      Cmd(e, s, {"HSCAN", "h1", "0", "COUNT", "1"}),
      "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  // Any cursor: the same whole walk; MATCH still filters.
  EXPECT_EQ(Cmd(e, s, {"SSCAN", "s1", "12345", "MATCH", "[12]"}),
            "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(Cmd(e, s, {"ZSCAN", "z1", "7", "MATCH", "b"}),
            "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  // A hashtable set pages: one member and a cursor that is not 0.
  Cmd(e, s, {"SADD", "s2", "a", "b", "c"});
  const std::string page = Cmd(e, s, {"SSCAN", "s2", "0", "COUNT", "1"});
  EXPECT_EQ(page.substr(0, 4), "*2\r\n");
  EXPECT_EQ(page.find("$1\r\n0\r\n"), std::string::npos) << page;
  EXPECT_NE(page.find("*1\r\n"), std::string::npos) << page;
}

}  // namespace
}  // namespace respfuzz::engine
