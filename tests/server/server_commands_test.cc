// The server-layer commands on their own: CONFIG's replies and Redis's glob
// matcher (cases from Redis's own util.c tests and checked with CONFIG GET
// and KEYS against redis-server 7.0.15).
#include "src/server/server_commands.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace respfuzz::server {
namespace {

TEST(ServerCommandsTest, FindServerCommand) {
  EXPECT_EQ(FindServerCommand("quit"), ServerCommand::kQuit);
  EXPECT_EQ(FindServerCommand("QuIt"), ServerCommand::kQuit);
  EXPECT_EQ(FindServerCommand("CONFIG"), ServerCommand::kNone);
  EXPECT_EQ(FindServerCommand("quits"), ServerCommand::kNone);
  EXPECT_EQ(FindServerCommand("get"), ServerCommand::kNone);
  EXPECT_EQ(FindServerCommand(""), ServerCommand::kNone);
}

TEST(ServerCommandsTest, StringMatch) {
  struct Case {
    const char* pattern;
    const char* s;
    bool nocase, want;
  };
  const std::vector<Case> cases = {
      {"*", "", false, false},  // as in Redis: a star needs a byte to start on
      {"**", "", false, false},
      {"*", "anything", false, true},
      {"", "", false, true},
      {"", "a", false, false},
      {"a", "", false, false},
      {"h?llo", "hello", false, true},
      {"h?llo", "hllo", false, false},
      {"h*llo", "hllo", false, true},
      {"h*llo", "heeeello", false, true},
      {"h[ae]llo", "hallo", false, true},
      {"h[ae]llo", "hillo", false, false},
      {"h[^e]llo", "hallo", false, true},
      {"h[^e]llo", "hello", false, false},
      {"h[a-b]llo", "hbllo", false, true},
      {"h[b-a]llo", "hallo", false, true},  // ranges either way round
      {"h[a-b]llo", "hcllo", false, false},
      {"h\\*llo", "h*llo", false, true},
      {"h\\*llo", "hello", false, false},
      {"h[\\]]llo", "h]llo", false, true},
      {"HELLO", "hello", false, false},
      {"HELLO", "hello", true, true},
      {"H[A-C]", "hb", true, true},
      {"*ave", "save", false, true},
      {"a*b*c", "axxbyyc", false, true},
      {"a*b*c", "axxbyyd", false, false},
      {"a**", "a", false, true},
      {"[abc", "a", false, true},  // an unterminated class ends the pattern
      {"a\\", "a\\", false, true},
      {"*a", "bbbbbbbb", false, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StringMatch(c.pattern, c.s, c.nocase), c.want)
        << "pattern '" << c.pattern << "' string '" << c.s << "' nocase " << c.nocase;
  }
}

TEST(ServerCommandsTest, StringMatchIsNotExponential) {
  // Redis's classic worst case: many stars against a long non-matching string.
  const std::string pattern = "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
  const std::string s(4000, 'a');
  EXPECT_FALSE(StringMatch(pattern, s, false));
  // Deeper star nesting than the guard allows never matches.
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep += "a*";
  EXPECT_FALSE(StringMatch(deep, std::string(3000, 'a'), false));
  EXPECT_TRUE(StringMatch("a*a*", "aa", false));
}

}  // namespace
}  // namespace respfuzz::server
