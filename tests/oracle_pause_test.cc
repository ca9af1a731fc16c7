// What the command oracle sends while CLIENT PAUSE is in force
// (tools/oracle_pause.h): an ALL pause only up to its cap (alone, joined to a
// WRITE pause, or run by EXEC), and, while a pause may postpone a command,
// only one whose reply when given again compares byte for byte.
#include "tools/oracle_pause.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::oracle {
namespace {

using Argv = std::vector<std::string>;

class OraclePause : public ::testing::Test {
 protected:
  std::string Run(const Argv& argv) {
    std::string out;
    engine_.Execute(s_, argv, &out);
    return out;
  }
  std::string Why(const Argv& argv) { return PauseExclusion(engine_, s_, argv, engine_.now_ms()); }

  engine::Engine engine_;
  int s_ = engine_.OpenSession();
};

TEST_F(OraclePause, ParsesWhatTheServerAccepts) {
  ASSERT_TRUE(ParsePause({"client", "pause", "10"}).has_value());
  EXPECT_TRUE(ParsePause({"client", "pause", "10"})->all);  // ALL by default
  EXPECT_FALSE(ParsePause({"CLIENT", "PAUSE", "10", "write"})->all);
  EXPECT_EQ(ParsePause({"CLIENT", "PAUSE", "25", "ALL"})->timeout_ms, 25);
  // The mode as the server compares it: up to a NUL byte.
  EXPECT_TRUE(ParsePause({"CLIENT", "PAUSE", "25", std::string("all\0x", 5)})->all);
  EXPECT_FALSE(ParsePause({"CLIENT", "PAUSE", "25", "none"}).has_value());
  EXPECT_FALSE(ParsePause({"CLIENT", "PAUSE", "-1"}).has_value());
  EXPECT_FALSE(ParsePause({"CLIENT", "PAUSE", "x"}).has_value());
  EXPECT_FALSE(ParsePause({"CLIENT", "PAUSE", "1", "ALL", "x"}).has_value());
  EXPECT_FALSE(ParsePause({"CLIENT", "UNPAUSE"}).has_value());
}

TEST_F(OraclePause, AnAllPauseIsSentUpToItsCap) {
  const std::string cap = std::to_string(kAllPauseCapMs);
  const std::string over = std::to_string(kAllPauseCapMs + 1);
  EXPECT_EQ(Why({"CLIENT", "PAUSE", cap}), "");
  EXPECT_NE(Why({"CLIENT", "PAUSE", over}), "");
  EXPECT_NE(Why({"CLIENT", "PAUSE", over, "all"}), "");
  EXPECT_EQ(Why({"CLIENT", "PAUSE", "100000000", "WRITE"}), "");
  EXPECT_EQ(Why({"CLIENT", "PAUSE", "-5", "ALL"}), "");  // an error reply
  // Run by EXEC.
  Run({"MULTI"});
  Run({"CLIENT", "PAUSE", over});
  EXPECT_NE(Why({"EXEC"}), "");
  Run({"DISCARD"});
  // Joined to a longer WRITE pause, it lasts to the WRITE pause's end.
  Run({"CLIENT", "PAUSE", "100000", "WRITE"});
  EXPECT_NE(Why({"CLIENT", "PAUSE", "10"}), "");
  EXPECT_EQ(Why({"CLIENT", "PAUSE", "10", "WRITE"}), "");
}

TEST_F(OraclePause, APostponedCommandIsSentWhenItsReplayCompares) {
  Run({"CLIENT", "PAUSE", "100000", "WRITE"});
  // Not postponed under WRITE: sent whatever its reply.
  EXPECT_EQ(Why({"SRANDMEMBER", "s"}), "");
  EXPECT_EQ(Why({"TIME"}), "");
  // Postponed, and the reply given again compares.
  EXPECT_EQ(Why({"SET", "k", "v"}), "");
  EXPECT_EQ(Why({"LPUSH", "l", "a"}), "");
  EXPECT_EQ(Why({"PUBLISH", "c", "m"}), "");
  // Postponed, and it would not.
  EXPECT_NE(Why({"SPOP", "s"}), "");
  EXPECT_NE(Why({"EVAL", "return 1", "0"}), "");
  EXPECT_NE(Why({"XADD", "x", "*", "f", "v"}), "");
  Run({"MULTI"});
  Run({"SET", "a", "1"});  // a write in MULTI waits before it is queued
  EXPECT_TRUE(engine_.session(s_).postponed);
}

TEST_F(OraclePause, UnderAllEveryCommandWaits) {
  Run({"CLIENT", "PAUSE", "100", "ALL"});
  EXPECT_TRUE(MayWaitOnPause(engine_, {"GET", "k"}));
  EXPECT_EQ(Why({"GET", "k"}), "");
  EXPECT_EQ(Why({"CLIENT", "UNPAUSE"}), "");
  EXPECT_NE(Why({"TIME"}), "");
  EXPECT_NE(Why({"HGETALL", "h"}), "");  // a hash's order
  EXPECT_NE(Why({"CLIENT", "LIST"}), "");
  EXPECT_NE(Why({"PTTL", "k"}), "");
  EXPECT_NE(Why({"SCAN", "0"}), "");
  EXPECT_NE(Why({"HELLO", "3"}), "");
}

TEST_F(OraclePause, NoKeyDrawWhilePaused) {
  EXPECT_EQ(Why({"RANDOMKEY"}), "");
  EXPECT_EQ(Why({"EVAL_RO", "return 1", "0"}), "");
  Run({"MULTI"});
  Run({"CLIENT", "PAUSE", "100000", "WRITE"});
  Run({"RANDOMKEY"});
  EXPECT_NE(Why({"EXEC"}), "");  // paused by the EXEC itself
  Run({"DISCARD"});
  Run({"CLIENT", "PAUSE", "100000", "WRITE"});
  EXPECT_NE(Why({"RANDOMKEY"}), "");
  EXPECT_NE(Why({"EVAL_RO", "return 1", "0"}), "");
  EXPECT_NE(Why({"FCALL_RO", "f", "0"}), "");
  EXPECT_EQ(Why({"KEYS", "*"}), "");
}

TEST_F(OraclePause, NoUnblockWithTimeoutOfAPostponedSession) {
  const int other = engine_.OpenSession();
  const std::string id = std::to_string(engine_.session(other).id);
  Run({"CLIENT", "PAUSE", "100000", "WRITE"});
  EXPECT_EQ(Why({"CLIENT", "UNBLOCK", id}), "");  // not postponed yet: 0 on both sides
  std::string out;
  engine_.Execute(other, std::vector<std::string>{"SET", "k", "v"}, &out);
  ASSERT_TRUE(engine_.session(other).postponed);
  EXPECT_NE(Why({"CLIENT", "UNBLOCK", id}), "");
  EXPECT_NE(Why({"CLIENT", "UNBLOCK", id, "timeout"}), "");
  EXPECT_EQ(Why({"CLIENT", "UNBLOCK", id, "ERROR"}), "");
  Run({"MULTI"});
  Run({"CLIENT", "UNBLOCK", id});
  EXPECT_NE(Why({"EXEC"}), "");
}

TEST_F(OraclePause, AnExecComparesAsItsQueue) {
  Run({"MULTI"});
  Run({"SET", "a", "1"});
  Run({"INCR", "a"});
  EXPECT_TRUE(ReplayComparable(engine_, s_, {"EXEC"}));
  Run({"SPOP", "s"});
  EXPECT_FALSE(ReplayComparable(engine_, s_, {"EXEC"}));
}

}  // namespace
}  // namespace respfuzz::oracle
