// Keyspace notifications and the dirty counter (src/engine/notify.cc):
// CONFIG's flag strings and the events and dirty counts redis-server 7.0.15
// gives (docs/notifications.md, each sequence taken from the real server).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"
#include "src/engine/notify.h"

namespace respfuzz::engine {
namespace {

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

// A RESP2 pmessage for pattern "*".
std::string Msg(std::string_view channel, std::string_view message) {
  return "*4\r\n" + Bulk("pmessage") + Bulk("*") + Bulk(channel) + Bulk(message);
}

TEST(NotifyFlags, ParseAndPrintAsRedis) {
  EXPECT_EQ(ParseNotifyFlags("Q"), -1);
  EXPECT_EQ(ParseNotifyFlags(""), 0);
  // A NUL ends the C string Redis reads: what follows is not looked at.
  EXPECT_EQ(ParseNotifyFlags(std::string("K\0Q", 3)), kNotifyKeyspace);
  const auto round = [](std::string_view in) {
    return NotifyFlagsToString(static_cast<uint32_t>(ParseNotifyFlags(in)));
  };
  // The values redis-server 7.0.15 reads back.
  EXPECT_EQ(round("KEA"), "AKE");
  EXPECT_EQ(round("Kn"), "nK");
  EXPECT_EQ(round("AKEmn"), "AKEm");  // A hides n (still set)
  EXPECT_EQ(round("gl$shzxetd"), "A");
  EXPECT_EQ(round("KEg$lshzxetdn"), "AKE");
  EXPECT_EQ(round("gKE"), "gKE");
  EXPECT_EQ(round("$lshzxeKE"), "$lshzxeKE");
  EXPECT_EQ(round("Am"), "Am");
  EXPECT_NE(ParseNotifyFlags("AKEmn") & kNotifyNew, 0);
}

TEST(NotifyConfig, SetGetAndRefusal) {
  Engine e;
  const int s = e.OpenSession();
  EXPECT_EQ(Exec(e, s, {"CONFIG", "GET", "notify-keyspace-events"}),
            "*2\r\n" + Bulk("notify-keyspace-events") + Bulk(""));
  EXPECT_EQ(Exec(e, s, {"CONFIG", "SET", "notify-keyspace-events", "KA"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"CONFIG", "GET", "notify-keyspace-events"}),
            "*2\r\n" + Bulk("notify-keyspace-events") + Bulk("AK"));
  EXPECT_EQ(Exec(e, s, {"CONFIG", "SET", "notify-keyspace-events", "x"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"CONFIG", "SET", "notify-keyspace-events", "Q"}),
            "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n");
  // A refused CONFIG SET restores every value it changed before.
  EXPECT_EQ(
      Exec(e, s, {"CONFIG", "SET", "notify-keyspace-events", "KEA", "set-max-intset-entries", "x"})
          .substr(0, 22),
      "-ERR CONFIG SET failed");
  EXPECT_EQ(Exec(e, s, {"CONFIG", "GET", "notify-keyspace-events"}),
            "*2\r\n" + Bulk("notify-keyspace-events") + Bulk("x"));
}

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Exec(e, c, {"CONFIG", "SET", "notify-keyspace-events", "KEAn"});
    Exec(e, sub, {"PSUBSCRIBE", "*"});
  }
  // Runs a command on c and returns what the subscriber received.
  std::string Run(std::vector<std::string> argv) {
    Exec(e, c, std::move(argv));
    return e.TakeOutput(sub);
  }
  std::string Both(std::string_view event, std::string_view key, int db = 0) {
    const std::string d = std::to_string(db);
    return Msg("__keyspace@" + d + "__:" + std::string(key), event) +
           Msg("__keyevent@" + d + "__:" + std::string(event), key);
  }
  Engine e;
  int c = e.OpenSession();
  int sub = e.OpenSession();
};

TEST_F(NotifyTest, EventsAsRedis) {
  EXPECT_EQ(Run({"SET", "s", "v", "EX", "100"}),
            Both("new", "s") + Both("set", "s") + Both("expire", "s"));
  EXPECT_EQ(Run({"SET", "s", "v"}), Both("set", "s"));
  EXPECT_EQ(Run({"GET", "s"}), "");
  EXPECT_EQ(Run({"RPUSH", "l", "a", "b"}), Both("new", "l") + Both("rpush", "l"));
  EXPECT_EQ(Run({"LMOVE", "l", "l2", "LEFT", "RIGHT"}),
            Both("new", "l2") + Both("rpush", "l2") + Both("lpop", "l"));
  EXPECT_EQ(Run({"RPOP", "l"}), Both("rpop", "l") + Both("del", "l"));
  EXPECT_EQ(Run({"LTRIM", "l2", "0", "10"}), Both("ltrim", "l2"));  // even when nothing goes
  EXPECT_EQ(Run({"RENAME", "l2", "l3"}),
            Both("new", "l3") + Both("rename_from", "l2") + Both("rename_to", "l3"));
  EXPECT_EQ(Run({"MOVE", "l3", "1"}),
            Both("new", "l3", 1) + Both("move_from", "l3") + Both("move_to", "l3", 1));
  EXPECT_EQ(Run({"SADD", "st", "a"}), Both("new", "st") + Both("sadd", "st"));
  EXPECT_EQ(Run({"SMOVE", "st", "st2", "a"}),
            Both("srem", "st") + Both("del", "st") + Both("new", "st2") + Both("sadd", "st2"));
  EXPECT_EQ(Run({"ZADD", "z", "1", "a", "2", "b"}), Both("new", "z") + Both("zadd", "z"));
  EXPECT_EQ(Run({"ZADD", "z", "INCR", "1", "a"}), Both("zincr", "z"));
  EXPECT_EQ(Run({"ZREMRANGEBYSCORE", "z", "0", "10"}),
            Both("zremrangebyscore", "z") + Both("del", "z"));
  EXPECT_EQ(Run({"HSET", "h", "f", "1"}), Both("new", "h") + Both("hset", "h"));
  EXPECT_EQ(Run({"HINCRBYFLOAT", "h", "f", "1.5"}), Both("hincrbyfloat", "h"));
  EXPECT_EQ(Run({"SINTERSTORE", "h", "nokey"}), Both("del", "h"));
  EXPECT_EQ(Run({"SETBIT", "b", "3", "1"}), Both("new", "b") + Both("setbit", "b"));
  EXPECT_EQ(Run({"SETBIT", "b", "3", "1"}), "");  // unchanged: no event
  EXPECT_EQ(Run({"PEXPIRE", "b", "10"}), Both("expire", "b"));
  e.AdvanceClock(11);
  EXPECT_EQ(Run({"GET", "b"}), Both("expired", "b"));
}

TEST_F(NotifyTest, ClassesMask) {
  Exec(e, c, {"CONFIG", "SET", "notify-keyspace-events", "El"});
  EXPECT_EQ(Run({"SET", "foo", "bar"}), "");
  EXPECT_EQ(Run({"LPUSH", "mylist", "a"}), Msg("__keyevent@0__:lpush", "mylist"));
  Exec(e, c, {"CONFIG", "SET", "notify-keyspace-events", "Kn"});
  EXPECT_EQ(Run({"SET", "bar", "1"}), Msg("__keyspace@0__:bar", "new"));
}

// A RESP3 client subscribed to its own events: the pushes around its reply
// where redis-server 7.0.15 writes them.
TEST_F(NotifyTest, OwnEventsAroundTheReply) {
  const int self = e.OpenSession();
  Exec(e, self, {"HELLO", "3"});
  Exec(e, self, {"PSUBSCRIBE", "__keyevent@*"});
  auto push = [](std::string_view event, std::string_view key) {
    return ">4\r\n" + Bulk("pmessage") + Bulk("__keyevent@*") +
           Bulk("__keyevent@0__:" + std::string(event)) + Bulk(key);
  };
  EXPECT_EQ(Exec(e, self, {"SET", "k", "v"}), push("new", "k") + push("set", "k") + "+OK\r\n");
  EXPECT_EQ(Exec(e, self, {"RPUSH", "l", "x"}), push("new", "l") + ":1\r\n" + push("rpush", "l"));
  EXPECT_EQ(Exec(e, self, {"LMOVE", "l", "l2", "LEFT", "LEFT"}),
            push("new", "l2") + push("lpush", "l2") + "$1\r\nx\r\n" + push("lpop", "l") +
                push("del", "l"));
  EXPECT_EQ(Exec(e, self, {"EXPIRE", "k", "100"}), ":1\r\n" + push("expire", "k"));
}

// unit/bitops' "SETBIT/BITFIELD only increase dirty when the value changed".
TEST(Dirty, SetbitAndBitfieldOnlyOnChange) {
  Engine e;
  const int s = e.OpenSession();
  const uint64_t d0 = e.dirty();
  Exec(e, s, {"SETBIT", "foo", "0", "0"});
  Exec(e, s, {"BITFIELD", "foo2", "SET", "i5", "0", "0"});
  EXPECT_EQ(e.dirty(), d0 + 2);
  Exec(e, s, {"SETBIT", "foo", "0", "0"});
  Exec(e, s, {"BITFIELD", "foo2", "SET", "i5", "0", "0"});
  EXPECT_EQ(e.dirty(), d0 + 2);
  for (const char* v : {"1", "1", "0", "0"}) {
    Exec(e, s, {"SETBIT", "foo", "0", v});
    Exec(e, s, {"BITFIELD", "foo2", "SET", "i5", "0", v});
  }
  EXPECT_EQ(e.dirty(), d0 + 6);
  Exec(e, s, {"SETBIT", "foo", "90", "0"});  // grows: a change
  EXPECT_EQ(e.dirty(), d0 + 7);
  const std::string info = Exec(e, s, {"INFO", "persistence"});
  EXPECT_NE(info.find("rdb_changes_since_last_save:" + std::to_string(d0 + 7) + "\r\n"),
            std::string::npos);
}

// Counts redis-server 7.0.15 gives (INFO persistence around each command).
TEST(Dirty, CountsAsRedis) {
  Engine e;
  const int s = e.OpenSession();
  auto delta = [&](std::vector<std::string> argv) {
    const uint64_t before = e.dirty();
    Exec(e, s, std::move(argv));
    return static_cast<int64_t>(e.dirty() - before);
  };
  EXPECT_EQ(delta({"MSET", "a", "1", "b", "2"}), 2);
  EXPECT_EQ(delta({"MSETNX", "a", "1", "c", "3"}), 0);
  EXPECT_EQ(delta({"DEL", "a", "b", "nokey"}), 2);
  EXPECT_EQ(delta({"LPUSH", "l", "a", "b", "c"}), 3);
  EXPECT_EQ(delta({"LTRIM", "l", "0", "10"}), 0);
  EXPECT_EQ(delta({"LTRIM", "l", "1", "-1"}), 1);
  EXPECT_EQ(delta({"LPOP", "l", "5"}), 2);
  EXPECT_EQ(delta({"SADD", "st", "x", "y", "z", "w"}), 4);
  EXPECT_EQ(delta({"SPOP", "st", "10"}), 4);
  EXPECT_EQ(delta({"ZADD", "z", "1", "a", "2", "b"}), 2);
  EXPECT_EQ(delta({"ZADD", "z", "1", "a", "3", "b", "4", "c"}), 2);  // one updated, one added
  EXPECT_EQ(delta({"HSET", "h", "f", "1", "g", "2"}), 2);
  EXPECT_EQ(delta({"HSET", "h", "f", "1"}), 1);  // counted even when unchanged
  EXPECT_EQ(delta({"SWAPDB", "0", "0"}), 1);
  EXPECT_EQ(delta({"SET", "k", "v", "PX", "1"}), 1);
  e.AdvanceClock(2);
  EXPECT_EQ(delta({"GET", "k"}), 0);  // expiry is not a change here
  EXPECT_EQ(delta({"FLUSHALL"}), 2);  // z and h
  EXPECT_EQ(delta({"FLUSHALL"}), 0);
}

}  // namespace
}  // namespace respfuzz::engine
