// The slow log's entries (src/engine/slowlog.cc), which the recordings
// cannot hold byte for byte (durations, times and addresses differ by run).
// What is logged, checked by hand on redis-server 7.0.15 (2026-11-26) with
// slowlog-log-slower-than 0: every command call() runs, newest first, MULTI
// and the commands EXEC runs but not EXEC, a script's own calls with the
// address "?:0" and no name, a blocked command when it is served; AUTH's,
// HELLO AUTH's and ACL SETUSER's arguments and CONFIG SET requirepass's value
// as "(redacted)"; 32 arguments at most (the last one counting the rest) and
// 128 bytes of each.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

std::string Args(const Engine::SlowlogEntry& se) {
  std::string out;
  for (const std::string& a : se.argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

TEST(SlowlogTest, WhatIsLoggedAndHow) {
  Engine e;
  const int s = e.OpenSession();
  const int t = e.OpenSession();
  e.SetAddresses(s, "127.0.0.1:5001", "127.0.0.1:6379");
  e.SetAddresses(t, "127.0.0.1:5002", "127.0.0.1:6379");
  // The default threshold (10 ms) logs nothing: every command takes 0 us.
  Exec(e, s, {"set", "a", "b"});
  EXPECT_EQ(Exec(e, s, {"slowlog", "len"}), ":0\r\n");
  Exec(e, s, {"config", "set", "slowlog-log-slower-than", "0"});
  Exec(e, s, {"slowlog", "reset"});
  Exec(e, s, {"client", "setname", "nm"});
  Exec(e, s, {"eval", "redis.call('set','a','b') return 1", "0"});
  Exec(e, s, {"multi"});
  Exec(e, s, {"incr", "n"});
  Exec(e, s, {"exec"});
  Exec(e, s, {"auth", "x"});
  Exec(e, s, {"hello", "2", "setname", "q", "auth", "default", "zz"});
  Exec(e, s, {"acl", "setuser", "u1", "on", "+get"});
  Exec(e, s, {"config", "set", "maxmemory", "0", "requirepass", ""});
  std::vector<std::string> many = {"sadd", "set"};
  for (int i = 3; i <= 33; ++i) many.push_back(std::to_string(i));
  Exec(e, s, many);
  Exec(e, s, {"set", "long", std::string(130, 'x')});
  // A blocked BLPOP is logged when another client's LPUSH serves it.
  Exec(e, t, {"blpop", "l", "0"});
  Exec(e, s, {"lpush", "l", "v"});
  const auto& log = e.slowlog();
  std::vector<std::string> got;
  for (const auto& se : log) got.push_back(Args(se) + " | " + se.peer + " | " + se.name);
  const std::vector<std::string> want = {
      "blpop l 0 | 127.0.0.1:5002 | ",
      "lpush l v | 127.0.0.1:5001 | q",
      "set long " + std::string(128, 'x') + "... (2 more bytes) | 127.0.0.1:5001 | q",
      "sadd set 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 "
      "... (2 more arguments) | 127.0.0.1:5001 | q",
      "config set maxmemory 0 requirepass (redacted) | 127.0.0.1:5001 | q",
      "acl setuser (redacted) (redacted) (redacted) | 127.0.0.1:5001 | q",
      "hello 2 setname q auth (redacted) (redacted) | 127.0.0.1:5001 | q",
      "auth (redacted) | 127.0.0.1:5001 | nm",
      "incr n | 127.0.0.1:5001 | nm",
      "multi | 127.0.0.1:5001 | nm",
      "eval redis.call('set','a','b') return 1 0 | 127.0.0.1:5001 | nm",
      "set a b | ?:0 | ",
      "client setname nm | 127.0.0.1:5001 | nm",
      "slowlog reset | 127.0.0.1:5001 | ",
  };
  EXPECT_EQ(got, want);
  // Ids count up from the first entry ever; the newest is first.
  ASSERT_EQ(log.size(), want.size());
  EXPECT_EQ(log.front().id, log.back().id + static_cast<int64_t>(want.size()) - 1);
  EXPECT_EQ(log.front().duration, 0);
  EXPECT_EQ(log.front().time, e.now_ms() / 1000);
  // SLOWLOG GET's reply: the newest entry first, its six fields.
  const std::string one = Exec(e, s, {"slowlog", "get", "1"});
  EXPECT_EQ(one.substr(0, 8), "*1\r\n*6\r\n");
  // (SLOWLOG GET is logged after its reply: the newest is the BLPOP.)
  EXPECT_NE(one.find("*3\r\n$5\r\nblpop\r\n$1\r\nl\r\n$1\r\n0\r\n$14\r\n127.0.0.1:5002\r\n$0\r\n"),
            std::string::npos)
      << one;
}

// What HELLO and CONFIG SET redact is what they read before they stopped
// (redis-server 7.0.15, 2026-11-26): HELLO's version comes first (a bad one
// ends it before any AUTH), and a refused name, an unknown option or a
// failed AUTH end its options there, the pairs after them shown; an odd
// CONFIG SET is a syntax error before any pair is looked at. (The engine
// redacted every HELLO AUTH pair and an odd CONFIG SET's requirepass.)
TEST(SlowlogTest, RedactsWhatTheCommandReadBeforeItStopped) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"config", "set", "slowlog-log-slower-than", "0"});
  Exec(e, s, {"hello", "4", "AUTH", "default", "x"});
  Exec(e, s, {"hello", "x", "AUTH", "default", "x"});
  Exec(e, s, {"hello", "02", "AUTH", "default", "x"});
  Exec(e, s, {"hello", "2", "AUTH", "default", "x", "SETNAME", "a b", "AUTH", "u", "p"});
  Exec(e, s, {"hello", "2", "AUTH", "nosuchuser", "x", "AUTH", "default", "x"});
  Exec(e, s, {"hello", "2", "AUTH", "default", "x", "BAD", "AUTH", "u", "p"});
  Exec(e, s, {"hello", "2", "AUTH", "default", "x", "AUTH", "default", "y"});
  Exec(e, s, {"config", "set", "requirepass", "x", "maxmemory"});
  Exec(e, s, {"config", "set", "nosuch", "1", "requirepass", ""});
  std::vector<std::string> got;
  for (const auto& se : e.slowlog()) got.push_back(Args(se));
  const std::vector<std::string> want = {
      "config set nosuch 1 requirepass (redacted)",
      "config set requirepass x maxmemory",
      "hello 2 AUTH (redacted) (redacted) AUTH (redacted) (redacted)",
      "hello 2 AUTH (redacted) (redacted) BAD AUTH u p",
      "hello 2 AUTH (redacted) (redacted) AUTH default x",
      "hello 2 AUTH (redacted) (redacted) SETNAME a b AUTH u p",
      "hello 02 AUTH default x",
      "hello x AUTH default x",
      "hello 4 AUTH default x",
      "config set slowlog-log-slower-than 0",
  };
  EXPECT_EQ(got, want);
}

// A caller that gives its argv away (ExecuteOwned: SET moves its value into
// the keyspace) still sees the value in the entry while the slow log logs;
// with the default threshold the value is moved, as before.
TEST(SlowlogTest, AGivenAwayValueIsLoggedWhole) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"config", "set", "slowlog-log-slower-than", "0"});
  std::vector<std::string> argv = {"set", "k", "value"};
  std::string out;
  e.ExecuteOwned(s, argv, &out);
  EXPECT_EQ(out, "+OK\r\n");
  ASSERT_FALSE(e.slowlog().empty());
  EXPECT_EQ(Args(e.slowlog().front()), "set k value");
  EXPECT_EQ(Exec(e, s, {"get", "k"}), "$5\r\nvalue\r\n");
}

// slowlog-max-len bounds the log at the next entry; -1 turns logging off.
TEST(SlowlogTest, MaxLenAndOffAtTheirBoundaries) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"config", "set", "slowlog-log-slower-than", "0"});
  for (int i = 0; i < 200; ++i) Exec(e, s, {"ping"});
  EXPECT_EQ(e.slowlog().size(), 128u);
  Exec(e, s, {"config", "set", "slowlog-max-len", "1"});
  EXPECT_EQ(e.slowlog().size(), 1u);  // the CONFIG SET itself, the rest trimmed
  Exec(e, s, {"config", "set", "slowlog-max-len", "0"});
  Exec(e, s, {"ping"});
  EXPECT_TRUE(e.slowlog().empty());
  Exec(e, s, {"config", "set", "slowlog-max-len", "5", "slowlog-log-slower-than", "-1"});
  Exec(e, s, {"ping"});
  EXPECT_TRUE(e.slowlog().empty());
  EXPECT_EQ(Exec(e, s, {"config", "set", "slowlog-log-slower-than", "-2"}).substr(0, 22),
            "-ERR CONFIG SET failed");
}

// updateStatsOnUnblock logs a blocked command served (with its arguments) or
// unblocked by CLIENT UNBLOCK (the client already reset: no arguments), not
// one that times out (redis-server 7.0.15, 2026-11-26).
TEST(SlowlogTest, BlockedCommandsTimedOutOrUnblocked) {
  Engine e;
  const int s = e.OpenSession();
  const int t = e.OpenSession();
  Exec(e, s, {"config", "set", "slowlog-log-slower-than", "0"});
  Exec(e, t, {"blpop", "l", "1"});
  Exec(e, s, {"slowlog", "reset"});
  e.AdvanceClock(2000);
  EXPECT_EQ(e.TakeOutput(t), "*-1\r\n");
  EXPECT_EQ(Exec(e, s, {"slowlog", "len"}), ":1\r\n");  // SLOWLOG RESET's own
  Exec(e, t, {"blpop", "l", "0"});
  Exec(e, s, {"slowlog", "reset"});
  EXPECT_EQ(Exec(e, s, {"client", "unblock", "2", "timeout"}), ":1\r\n");
  ASSERT_EQ(e.slowlog().size(), 3u);  // reset, the blocked BLPOP, UNBLOCK
  EXPECT_TRUE(e.slowlog()[1].argv.empty());
  EXPECT_EQ(e.slowlog()[0].argv.size(), 4u);  // client unblock 2 timeout
}

}  // namespace
}  // namespace respfuzz::engine
