// Engine tests of the streams (src/engine/stream.h, cmd_streams.cc) that the
// recording (tests/recordings/streams_engine.json) cannot hold: `*` IDs and
// idle times on the virtual clock, blocking XREAD / XREADGROUP across
// sessions, tracking and WATCH, and the consistency check failing on a
// broken stream. Replies were taken from redis-server 7.0.15 where the
// clock does not enter them.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"
#include "src/engine/stream.h"

namespace respfuzz::engine {

namespace {

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

std::string Take(Engine& e, int s) { return e.TakeOutput(s); }

TEST(EngineStreams, StarIdsComeFromTheVirtualClock) {
  Engine e;
  const int s = e.OpenSession();
  EXPECT_EQ(Exec(e, s, {"XADD", "s", "*", "f", "v"}), "$15\r\n1700000000000-0\r\n");
  EXPECT_EQ(Exec(e, s, {"XADD", "s", "*", "f", "v"}), "$15\r\n1700000000000-1\r\n");
  EXPECT_EQ(Exec(e, s, {"XADD", "s", "1700000000000-*", "f", "v"}), "$15\r\n1700000000000-2\r\n");
  e.AdvanceClock(5);
  EXPECT_EQ(Exec(e, s, {"XADD", "s", "*", "f", "v"}), "$15\r\n1700000000005-0\r\n");
  // An ID ahead of the clock: `*` continues from it.
  EXPECT_EQ(Exec(e, s, {"XADD", "s", "1800000000000-7", "f", "v"}), "$15\r\n1800000000000-7\r\n");
  EXPECT_EQ(Exec(e, s, {"XADD", "s", "*", "f", "v"}), "$15\r\n1800000000000-8\r\n");
}

TEST(EngineStreams, IdGrammarIsString2ull) {
  bool seq_given = true;
  EXPECT_EQ(ParseStreamID("1-+5", 0, true), (StreamID{1, 5}));
  EXPECT_EQ(ParseStreamID("1- 7", 0, true), (StreamID{1, 7}));
  EXPECT_EQ(ParseStreamID("1--0", 0, true), (StreamID{1, 0}));
  EXPECT_EQ(ParseStreamID("2--05", 0, true), (StreamID{2, 18446744073709551611u}));
  EXPECT_EQ(ParseStreamID("007-01", 0, true), (StreamID{7, 1}));
  EXPECT_FALSE(ParseStreamID("1--1", 0, true));
  EXPECT_FALSE(ParseStreamID("1-18446744073709551616", 0, true));
  EXPECT_EQ(ParseStreamID("1-18446744073709551615", 0, true), (StreamID{1, UINT64_MAX}));
  EXPECT_EQ(ParseStreamID("5", 9, true), (StreamID{5, 9}));
  EXPECT_FALSE(ParseStreamID("+", 0, true));
  EXPECT_EQ(ParseStreamID("+", 0, false), StreamID::Max());
  EXPECT_EQ(ParseStreamID("3-*", 0, true, &seq_given), (StreamID{3, 0}));
  EXPECT_FALSE(seq_given);
  EXPECT_FALSE(ParseStreamID("3-*", 0, true));  // only XADD takes <ms>-*
  // At most 127 bytes (the server's buffer): the boundary.
  EXPECT_TRUE(ParseStreamID(std::string(127, '0').replace(0, 1, "1"), 0, true) == std::nullopt);
  EXPECT_EQ(ParseStreamID("1-" + std::string(125, '0'), 0, true), (StreamID{1, 0}));
  EXPECT_FALSE(ParseStreamID("1-" + std::string(126, '0'), 0, true));
}

// ~ trims whole nodes only: 250 entries are nodes of 100, 100 and 50
// (redis-server 7.0.15: radix-tree-keys 3, radix-tree-nodes 8; MAXLEN ~ 120
// removes 100; MINID 205 then marks entries inside the last node).
TEST(EngineStreams, ApproximateTrimRemovesWholeNodes) {
  Engine e;
  const int s = e.OpenSession();
  for (int i = 1; i <= 250; ++i) {
    Exec(e, s, {"XADD", "s", std::to_string(i) + "-0", "f", std::to_string(i)});
  }
  const std::string info = Exec(e, s, {"XINFO", "STREAM", "s"});
  EXPECT_NE(info.find("$15\r\nradix-tree-keys\r\n:3\r\n$16\r\nradix-tree-nodes\r\n:8\r\n"),
            std::string::npos)
      << info;
  EXPECT_EQ(Exec(e, s, {"XTRIM", "s", "MAXLEN", "~", "120"}), ":100\r\n");
  EXPECT_EQ(Exec(e, s, {"XLEN", "s"}), ":150\r\n");
  // LIMIT 99 is below the next node's 100 entries: nothing goes.
  EXPECT_EQ(Exec(e, s, {"XTRIM", "s", "MAXLEN", "~", "120", "LIMIT", "99"}), ":0\r\n");
  EXPECT_EQ(Exec(e, s, {"XTRIM", "s", "MINID", "~", "201"}), ":100\r\n");
  EXPECT_EQ(Exec(e, s, {"XTRIM", "s", "MINID", "205"}), ":4\r\n");
  const std::string after = Exec(e, s, {"XINFO", "STREAM", "s"});
  EXPECT_NE(after.find("$6\r\nlength\r\n:46\r\n$15\r\nradix-tree-keys\r\n:1\r\n"
                       "$16\r\nradix-tree-nodes\r\n:2\r\n"),
            std::string::npos)
      << after;
  // stream-node-max-entries is a CONFIG parameter: its boundary.
  EXPECT_EQ(Exec(e, s, {"CONFIG", "SET", "stream-node-max-entries", "-1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'stream-node-max-entries') - "
            "argument must be between 0 and 9223372036854775807 inclusive\r\n");
  EXPECT_EQ(Exec(e, s, {"CONFIG", "SET", "stream-node-max-entries", "1"}), "+OK\r\n");
  Exec(e, s, {"XADD", "t", "1", "a", "b"});
  Exec(e, s, {"XADD", "t", "2", "a", "b"});
  EXPECT_EQ(Exec(e, s, {"XTRIM", "t", "MAXLEN", "~", "1"}), ":1\r\n");
}

TEST(EngineStreams, CheckFailsOnABrokenStream) {
  Stream st;
  const std::vector<std::string> fv = {"f", "v"};
  st.Append({1, 0}, fv, {});
  st.Append({2, 0}, fv, {});
  EXPECT_EQ(st.Check(), "");
  Stream behind = st;
  behind.last_id = {1, 0};  // an entry after the last ID
  EXPECT_NE(behind.Check(), "");
  Stream pel = st;
  pel.groups["g"].consumers["c"].pel.insert({1, 0});  // not in the group's PEL
  EXPECT_NE(pel.Check(), "");
  pel.groups["g"].pel[{1, 0}] = StreamNack{0, 1, "c"};
  EXPECT_EQ(pel.Check(), "");
  pel.groups["g"].pel[{2, 0}] = StreamNack{0, 1, "c"};  // owned by no consumer's PEL
  EXPECT_NE(pel.Check(), "");
}

TEST(EngineStreams, BlockedReadersAreServedByXadd) {
  Engine e;
  const int a = e.OpenSession(), b = e.OpenSession(), c = e.OpenSession();
  Exec(e, b, {"XADD", "s", "1-0", "f", "v"});
  Exec(e, b, {"XGROUP", "CREATE", "s", "g", "$"});
  EXPECT_EQ(Exec(e, a, {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}), "");
  EXPECT_EQ(Exec(e, c, {"XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">"}), "");
  EXPECT_EQ(e.blocked_clients(), 2u);
  EXPECT_EQ(Exec(e, b, {"XADD", "s", "2-0", "f", "v"}), "$3\r\n2-0\r\n");
  const std::string served =
      "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
  EXPECT_EQ(Take(e, a), served);
  EXPECT_EQ(Take(e, c), served);
  EXPECT_EQ(Exec(e, b, {"XPENDING", "s", "g"}),
            "*4\r\n:1\r\n$3\r\n2-0\r\n$3\r\n2-0\r\n*1\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n");
  // The timeout is on the virtual clock.
  EXPECT_EQ(Exec(e, a, {"XREAD", "BLOCK", "100", "STREAMS", "s", "$"}), "");
  e.AdvanceClock(100);
  EXPECT_EQ(Take(e, a), "");
  e.AdvanceClock(1);
  EXPECT_EQ(Take(e, a), "*-1\r\n");
  // A group destroyed, a key flushed: the XREADGROUP readers get errors.
  Exec(e, c, {"XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">"});
  EXPECT_EQ(Exec(e, b, {"XGROUP", "DESTROY", "s", "g"}), ":1\r\n");
  EXPECT_EQ(Take(e, c),
            "-NOGROUP the consumer group this client was blocked on no longer exists\r\n");
  Exec(e, b, {"XGROUP", "CREATE", "s", "g", "$"});
  Exec(e, c, {"XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">"});
  EXPECT_EQ(Exec(e, b, {"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(Take(e, c), "-UNBLOCKED the stream key no longer exists\r\n");
  EXPECT_EQ(e.blocked_clients(), 0u);
  // Inside MULTI, BLOCK is ignored.
  Exec(e, b, {"MULTI"});
  Exec(e, b, {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
  EXPECT_EQ(Exec(e, b, {"EXEC"}), "*1\r\n*-1\r\n");
}

// A stream deleted by active expiry unblocks its XREADGROUP readers at the
// end of the event-loop turn (beforeSleep's handleClientsBlockedOnKeys), as
// redis-server 7.0.15 does with no other command running; an XREAD reader
// stays blocked.
TEST(EngineStreams, ActiveExpiryUnblocksGroupReadersAtTheTurnsEnd) {
  Engine e;
  const int a = e.OpenSession(), b = e.OpenSession(), c = e.OpenSession();
  Exec(e, b, {"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
  Exec(e, b, {"PEXPIRE", "s", "100"});
  Exec(e, a, {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
  Exec(e, c, {"XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">"});
  e.AdvanceClock(101);
  EXPECT_EQ(e.ExpireAllDue(), 1u);
  EXPECT_EQ(Take(e, c), "");  // not before the turn ends
  e.EndTurn();
  EXPECT_EQ(Take(e, c), "-UNBLOCKED the stream key no longer exists\r\n");
  EXPECT_EQ(Take(e, a), "");
  EXPECT_EQ(e.blocked_clients(), 1u);
}

// Only what 7.0.15 signals (signalModifiedKey) invalidates or dirties a
// WATCH: XADD does, XGROUP CREATE and XACK do not.
TEST(EngineStreams, KeyEventsFollowSignalModifiedKey) {
  Engine e;
  const int s = e.OpenSession(), w = e.OpenSession();
  Exec(e, s, {"XADD", "s", "1-0", "f", "v"});
  Exec(e, w, {"WATCH", "s"});
  Exec(e, s, {"XGROUP", "CREATE", "s", "g", "0"});
  Exec(e, s, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"});
  Exec(e, s, {"XACK", "s", "g", "1-0"});
  Exec(e, s, {"XSETID", "s", "5-0"});
  Exec(e, w, {"MULTI"});
  Exec(e, w, {"XLEN", "s"});
  EXPECT_EQ(Exec(e, w, {"EXEC"}), "*1\r\n:1\r\n");
  Exec(e, w, {"WATCH", "s"});
  Exec(e, s, {"XADD", "s", "6-0", "f", "v"});
  Exec(e, w, {"MULTI"});
  Exec(e, w, {"XLEN", "s"});
  EXPECT_EQ(Exec(e, w, {"EXEC"}), "*-1\r\n");
  // Tracking: XRANGE's key is remembered, XADD invalidates it.
  Exec(e, w, {"HELLO", "3"});
  Exec(e, w, {"CLIENT", "TRACKING", "ON"});
  Exec(e, w, {"XREAD", "COUNT", "1", "STREAMS", "s", "0"});
  Exec(e, s, {"XGROUP", "CREATECONSUMER", "s", "g", "d"});
  EXPECT_EQ(Take(e, w), "");
  Exec(e, s, {"XADD", "s", "7-0", "f", "v"});
  EXPECT_EQ(Take(e, w), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ns\r\n");
}

}  // namespace
}  // namespace respfuzz::engine
