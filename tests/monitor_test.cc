// MONITOR (src/engine/monitor.cc), which the recordings cannot hold (a
// monitor line carries the time and the client's address, and the recorder
// masks neither). The expected bytes below are redis-server 7.0.15's, seen by
// hand on 2026-11-26 (Debian's 7.0.15, two raw connections, one in MONITOR
// mode), with its time and address put in place of the server's:
//
//   SET foo "bar\0\1\xff\"\\\n\r\t\a\b \xe9" ->
//     +1795678980.343932 [0 127.0.0.1:37510] "set" "foo"
//       "bar\x00\x01\xff\"\\\n\r\t\a\b \xe9"
//   SELECT 3 -> [3 ...] "select" "3"   (the db after the command)
//   CLIENT LIST, CONFIG GET, SLOWLOG LEN, DEBUG SLEEP, an unknown command, a
//   wrong arity: no line; CLIENT INFO, INFO, OBJECT ENCODING: a line
//   AUTH x / AUTH x y / HELLO 2 AUTH a b -> "auth" "(redacted)" /
//     "auth" "(redacted)" "(redacted)" / "hello" "2" "AUTH" "(redacted)" "(redacted)"
//   MULTI, SET x 1, FOO (unknown), EXEC -> "multi", "exec"
//   MULTI, SET x 1, EXEC -> "multi", "set" "x" "1", "exec"
//   EVAL "redis.call('select',5); redis.call('set','k','v')" 0 ->
//     [3 addr] "eval" ..., [5 lua] "select" "5", [5 lua] "set" "k" "v"
//   EVALSHA abc 0, EVAL "return 1" x (errors of the handler) -> a line each
//   FCALL f 0 -> "fcall" "f" "0", [0 lua] "get" "w"; FCALL nosuch 0 -> a line
//   a script's pcall of an unknown command, of CONFIG GET, of GET with two
//     arguments: no line
//   BLPOP L 0 -> a line when it blocks, none when RPUSH serves it
//   RESET, DISCARD, WATCH, UNWATCH (of another client) -> a line each
// From the monitoring client itself:
//   PING -> "+PONG\r\n" then its own line
//   GET, SET, EVAL "return 1" 0, PUBLISH, EVAL_RO, FCALL, FCALL_RO, EVAL with
//     a "#!lua" shebang -> "-ERR Replica can't interact with the keyspace"
//   EVAL "#!lua flags=no-writes\nreturn redis.call('get','w')" 0 -> runs:
//     its line, the script's [0 lua] "get" "w", then the reply
//   MONITOR again -> no reply at all
//   CLIENT INFO -> flags=O; after RESET flags=N
//   MULTI, PING, ECHO x, EXEC -> *2, +PONG, its line, $1 x, its line, then
//     the "exec" line (the lines land inside EXEC's array, as on the server)
//   MULTI, MONITOR, EXEC -> *1 -ERR MONITOR isn't allowed for DENY BLOCKING
//     client, then the "exec" line
//   CLIENT REPLY OFF: its own line and the lines while off are dropped;
//     CLIENT REPLY SKIP: its line shown, the next command's reply and every
//     line until that command ends dropped
//   RESET -> "+RESET", no line, no more lines
//   QUIT -> "+OK", no line for itself (the other monitors see "quit")
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

constexpr int64_t kStart = 1'795'678'980'343;  // ms: "+1795678980.343000"

std::string Cmd(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

std::string Line(const std::string& db_addr, const std::string& args) {
  return "+1795678980.343000 [" + db_addr + "] " + args + "\r\n";
}

struct Monitored {
  Engine e{EngineOptions{.start_ms = kStart}};
  int a = e.OpenSession();
  int m = e.OpenSession();
  Monitored() {
    e.SetAddresses(a, "127.0.0.1:37510", "127.0.0.1:6379");
    e.SetAddresses(m, "127.0.0.1:37504", "127.0.0.1:6379");
    EXPECT_EQ(Cmd(e, m, {"monitor"}), "+OK\r\n");
  }
  // What the monitor received since the last call.
  std::string Fed() { return e.TakeOutput(m); }
};

TEST(MonitorTest, Quoting) {
  EXPECT_EQ(MonitorQuote(std::string("bar\0\1\xff\"\\\n\r\t\a\b \xe9", 15)),
            R"m("bar\x00\x01\xff\"\\\n\r\t\a\b \xe9")m");
  std::string all;
  for (int b = 0x20; b <= 0x7e; ++b) {
    if (b != '"' && b != '\\') all += static_cast<char>(b);
  }
  EXPECT_EQ(MonitorQuote(all), "\"" + all + "\"");
  EXPECT_EQ(MonitorQuote(std::string("\x7f\x1f\x80", 3)), R"m("\x7f\x1f\x80")m");
  EXPECT_EQ(MonitorQuote(""), "\"\"");
  EXPECT_EQ(MonitorLine(1'700'000'000'005, 15, "lua", std::vector<std::string>{"get", "k"}),
            "+1700000000.005000 [15 lua] \"get\" \"k\"\r\n");
  EXPECT_EQ(MonitorLine(kStart, 0, "1.2.3.4:5", std::vector<std::string>{"auth", "u", "p"}),
            Line("0 1.2.3.4:5", R"m("auth" "(redacted)" "(redacted)")m"));
}

TEST(MonitorTest, WhatAnotherClientShows) {
  Monitored t;
  Engine& e = t.e;
  const int a = t.a;
  const std::string A = "0 127.0.0.1:37510";
  Cmd(e, a, {"set", "foo", std::string("bar\0\1\xff\"\\\n\r\t\a\b \xe9", 15)});
  Cmd(e, a, {"get", "foo"});
  EXPECT_EQ(t.Fed(), Line(A, R"m("set" "foo" "bar\x00\x01\xff\"\\\n\r\t\a\b \xe9")m") +
                         Line(A, R"m("get" "foo")m"));
  Cmd(e, a, {"select", "3"});
  Cmd(e, a, {"ping"});
  Cmd(e, a, {"client", "list"});
  Cmd(e, a, {"config", "get", "maxmemory"});
  Cmd(e, a, {"slowlog", "len"});
  Cmd(e, a, {"nosuch"});
  Cmd(e, a, {"get"});
  Cmd(e, a, {"client", "info"});
  Cmd(e, a, {"object", "encoding", "foo"});
  const std::string A3 = "3 127.0.0.1:37510";
  EXPECT_EQ(t.Fed(), Line(A3, R"m("select" "3")m") + Line(A3, R"m("ping")m") +
                         Line(A3, R"m("client" "info")m") +
                         Line(A3, R"m("object" "encoding" "foo")m"));
  Cmd(e, a, {"auth", "x"});
  Cmd(e, a, {"auth", "x", "y"});
  Cmd(e, a, {"hello", "2", "AUTH", "a", "b"});
  EXPECT_EQ(t.Fed(), Line(A3, R"m("auth" "(redacted)")m") +
                         Line(A3, R"m("auth" "(redacted)" "(redacted)")m") +
                         Line(A3, R"m("hello" "2" "AUTH" "(redacted)" "(redacted)")m"));
  Cmd(e, a, {"multi"});
  Cmd(e, a, {"set", "x", "1"});
  Cmd(e, a, {"foo"});
  Cmd(e, a, {"exec"});
  EXPECT_EQ(t.Fed(), Line(A3, R"m("multi")m") + Line(A3, R"m("exec")m"));
  Cmd(e, a, {"multi"});
  Cmd(e, a, {"set", "x", "1"});
  Cmd(e, a, {"exec"});
  EXPECT_EQ(t.Fed(),
            Line(A3, R"m("multi")m") + Line(A3, R"m("set" "x" "1")m") + Line(A3, R"m("exec")m"));
  Cmd(e, a, {"eval", "redis.call('select',5); redis.call('set','k','v')", "0"});
  Cmd(e, a, {"evalsha", "abc", "0"});
  Cmd(e, a, {"eval", "return 1", "x"});
  Cmd(e, a, {"eval", "return redis.pcall('nosuchcmd')", "0"});
  Cmd(e, a, {"eval", "return redis.pcall('config','get','x')", "0"});
  Cmd(e, a, {"eval", "return redis.pcall('get','a','b')", "0"});
  EXPECT_EQ(t.Fed(),
            Line(A3, R"m("eval" "redis.call('select',5); redis.call('set','k','v')" "0")m") +
                Line("5 lua", R"m("select" "5")m") + Line("5 lua", R"m("set" "k" "v")m") +
                Line(A3, R"m("evalsha" "abc" "0")m") + Line(A3, R"m("eval" "return 1" "x")m") +
                Line(A3, R"m("eval" "return redis.pcall('nosuchcmd')" "0")m") +
                Line(A3, R"m("eval" "return redis.pcall('config','get','x')" "0")m") +
                Line(A3, R"m("eval" "return redis.pcall('get','a','b')" "0")m"));
  Cmd(e, a, {"select", "0"});
  Cmd(e, a,
      {"function", "load",
       "#!lua name=lib\nredis.register_function('f', function() return "
       "redis.call('get','w') end)"});
  t.Fed();
  Cmd(e, a, {"fcall", "f", "0"});
  Cmd(e, a, {"fcall", "nosuch", "0"});
  EXPECT_EQ(t.Fed(), Line(A, R"m("fcall" "f" "0")m") + Line("0 lua", R"m("get" "w")m") +
                         Line(A, R"m("fcall" "nosuch" "0")m"));
  // A blocking command shows when it blocks, not again when it is served.
  const int b = e.OpenSession();
  e.SetAddresses(b, "127.0.0.1:37520", "127.0.0.1:6379");
  Cmd(e, b, {"blpop", "L", "0"});
  Cmd(e, a, {"rpush", "L", "x"});
  EXPECT_EQ(e.TakeOutput(b), "*2\r\n$1\r\nL\r\n$1\r\nx\r\n");
  Cmd(e, a, {"reset"});
  Cmd(e, a, {"discard"});
  Cmd(e, a, {"watch", "x"});
  Cmd(e, a, {"unwatch"});
  EXPECT_EQ(t.Fed(), Line("0 127.0.0.1:37520", R"m("blpop" "L" "0")m") +
                         Line(A, R"m("rpush" "L" "x")m") + Line(A, R"m("reset")m") +
                         Line(A, R"m("discard")m") + Line(A, R"m("watch" "x")m") +
                         Line(A, R"m("unwatch")m"));
  // A value argument the command would take (SET given its argv) is shown.
  std::vector<std::string> owned = {"set", "big", std::string(100, 'v')};
  std::string out;
  e.ExecuteOwned(a, owned, &out);
  EXPECT_EQ(t.Fed(), Line(A, R"m("set" "big" ")m" + std::string(100, 'v') + "\""));
  EXPECT_EQ(Cmd(e, a, {"get", "big"}), "$100\r\n" + std::string(100, 'v') + "\r\n");
  // A closed monitor gets nothing more.
  e.CloseSession(t.m);
  EXPECT_EQ(e.monitor_count(), 0u);
  Cmd(e, a, {"ping"});
  EXPECT_TRUE(e.Validate().ok());
}

TEST(MonitorTest, WhatTheMonitorMaySend) {
  Monitored t;
  Engine& e = t.e;
  const int m = t.m;
  const std::string M = "0 127.0.0.1:37504";
  const std::string kReplica = "-ERR Replica can't interact with the keyspace\r\n";
  EXPECT_EQ(Cmd(e, m, {"ping"}), "+PONG\r\n" + Line(M, R"m("ping")m"));
  for (std::vector<std::string> argv :
       std::vector<std::vector<std::string>>{{"get", "x"},
                                             {"set", "x", "1"},
                                             {"eval", "return 1", "0"},
                                             {"publish", "c", "m"},
                                             {"eval_ro", "#!lua flags=no-writes\nreturn 1", "0"},
                                             {"eval", "#!lua\nreturn 1", "0"},
                                             {"fcall", "f", "0"},
                                             {"fcall_ro", "f", "0"},
                                             {"spublish", "c", "m"},
                                             {"xlen", "s"}}) {
    EXPECT_EQ(Cmd(e, m, argv), kReplica) << argv[0];
  }
  EXPECT_EQ(Cmd(e, t.a, {"set", "w", "1"}), "+OK\r\n");
  t.Fed();
  EXPECT_EQ(Cmd(e, m, {"eval", "#!lua flags=no-writes\nreturn redis.call('get','w')", "0"}),
            Line(M, R"m("eval" "#!lua flags=no-writes\nreturn redis.call('get','w')" "0")m") +
                Line("0 lua", R"m("get" "w")m") + "$1\r\n1\r\n");
  EXPECT_EQ(Cmd(e, m, {"monitor"}), "");
  EXPECT_EQ(e.monitor_count(), 1u);
  const std::string info = Cmd(e, m, {"client", "info"});
  EXPECT_NE(info.find(" flags=O "), std::string::npos) << info;
  // Inside EXEC the lines land among the replies, as on the server.
  Cmd(e, m, {"multi"});
  Cmd(e, m, {"ping"});
  Cmd(e, m, {"echo", "x"});
  EXPECT_EQ(Cmd(e, m, {"exec"}), "*2\r\n+PONG\r\n" + Line(M, R"m("ping")m") + "$1\r\nx\r\n" +
                                     Line(M, R"m("echo" "x")m") + Line(M, R"m("exec")m"));
  Cmd(e, m, {"multi"});
  Cmd(e, m, {"monitor"});
  EXPECT_EQ(Cmd(e, m, {"exec"}), "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n" +
                                     Line(M, R"m("exec")m"));
  // CLIENT REPLY OFF drops the lines too; SKIP the next command's.
  EXPECT_EQ(Cmd(e, m, {"client", "reply", "off"}), "");
  Cmd(e, t.a, {"ping"});
  EXPECT_EQ(t.Fed(), "");
  EXPECT_EQ(Cmd(e, m, {"client", "reply", "on"}),
            "+OK\r\n" + Line(M, R"m("client" "reply" "on")m"));
  EXPECT_EQ(Cmd(e, m, {"client", "reply", "skip"}), Line(M, R"m("client" "reply" "skip")m"));
  Cmd(e, t.a, {"ping"});
  EXPECT_EQ(Cmd(e, m, {"ping"}), "");
  Cmd(e, t.a, {"echo", "after"});
  EXPECT_EQ(t.Fed(), Line("0 127.0.0.1:37510", R"m("echo" "after")m"));
  // RESET leaves monitor mode.
  EXPECT_EQ(Cmd(e, m, {"reset"}), "+RESET\r\n");
  EXPECT_EQ(e.monitor_count(), 0u);
  Cmd(e, t.a, {"ping"});
  EXPECT_EQ(t.Fed(), "");
  const std::string after = Cmd(e, m, {"client", "info"});
  EXPECT_NE(after.find(" flags=N "), std::string::npos) << after;
  EXPECT_EQ(Cmd(e, m, {"get", "w"}), "$1\r\n1\r\n");
}

TEST(MonitorTest, QuitIsShownToTheOtherMonitors) {
  Monitored t;
  const int m2 = t.e.OpenSession();
  t.e.SetAddresses(m2, "127.0.0.1:37530", "127.0.0.1:6379");
  EXPECT_EQ(Cmd(t.e, m2, {"monitor"}), "+OK\r\n");
  t.e.FeedMonitorsQuit(m2, std::vector<std::string>{"quit"});
  EXPECT_EQ(t.Fed(), Line("0 127.0.0.1:37530", R"m("quit")m"));
  EXPECT_EQ(t.e.TakeOutput(m2), "");
}

}  // namespace
}  // namespace respfuzz::engine
