// Busy scripts on the engine (src/script/busy_script.cc), driven through a
// BusyHost the test controls: its clock moves 1 ms per look, and its
// "event processing" runs the commands of another session from inside the
// script, as the server's ProcessEventsWhileBlocked does. Texts and
// behaviour checked on redis-server 7.0.15 (tests/busy_script_test.sh
// compares the same scenarios over sockets).
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

constexpr char kBusyEval[] =
    "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
constexpr char kBusyFunction[] =
    "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
    "NOSAVE.\r\n";

// The clock moves `step` ms per look; each ProcessEventsWhileBlocked call
// runs the next batch of commands (one batch per call, then nothing) and
// keeps their replies: `other`'s, or the third session's (`third`) for an
// argv whose first word is "@third" (dropped).
class TestHost : public BusyHost {
 public:
  TestHost(Engine& e, int other) : e_(e), other_(other) {}
  int64_t BusyClockMs() override { return now_ += step; }
  bool ProcessEventsWhileBlocked(int running) override {
    ++calls;
    running_seen = running;
    if (next_ < batches.size()) {
      for (const auto& argv : batches[next_]) {
        std::string out;
        if (argv[0] == "@third") {
          e_.Execute(third, std::span<const std::string>(argv).subspan(1), &out);
        } else {
          e_.Execute(other_, argv, &out);
        }
        replies.push_back(out);
      }
      ++next_;
    }
    return stop;
  }
  int64_t step = 1;
  int third = -1;
  bool stop = false;
  int calls = 0;
  int running_seen = -1;
  std::vector<std::vector<std::vector<std::string>>> batches;
  std::vector<std::string> replies;

 private:
  Engine& e_;
  int other_;
  int64_t now_ = 0;
  size_t next_ = 0;
};

struct Fixture {
  Engine e;
  int a = e.OpenSession();
  int b = e.OpenSession();
  int r = e.OpenSession();
  TestHost host{e, b};
  Fixture() {
    host.third = r;
    e.SetBusyHost(&host);
  }
  std::string Run(int s, std::vector<std::string> argv) {
    std::string out;
    e.Execute(s, argv, &out);
    return out;
  }
};

TEST(BusyScriptTest, ThresholdIsAConfigWithItsAlias) {
  Fixture f;
  EXPECT_EQ(f.Run(f.a, {"CONFIG", "GET", "lua-time-limit"}),
            "*2\r\n$14\r\nlua-time-limit\r\n$4\r\n5000\r\n");
  EXPECT_EQ(f.Run(f.a, {"CONFIG", "SET", "lua-time-limit", "10"}), "+OK\r\n");
  EXPECT_EQ(f.Run(f.a, {"CONFIG", "GET", "busy-reply-threshold"}),
            "*2\r\n$20\r\nbusy-reply-threshold\r\n$2\r\n10\r\n");
  // Bounds 0 .. LONG_MAX, signed.
  EXPECT_EQ(f.Run(f.a, {"CONFIG", "SET", "busy-reply-threshold", "-1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'busy-reply-threshold') - "
            "argument must be between 0 and 9223372036854775807 inclusive\r\n");
  EXPECT_EQ(f.Run(f.a, {"CONFIG", "SET", "busy-reply-threshold", "9223372036854775807"}),
            "+OK\r\n");
  EXPECT_EQ(f.Run(f.a, {"CONFIG", "SET", "busy-reply-threshold", "0"}), "+OK\r\n");
}

TEST(BusyScriptTest, NothingRunningIsNotBusy) {
  Fixture f;
  EXPECT_EQ(f.Run(f.a, {"SCRIPT", "KILL"}), "-NOTBUSY No scripts in execution right now.\r\n");
  EXPECT_EQ(f.Run(f.a, {"FUNCTION", "KILL"}), "-NOTBUSY No scripts in execution right now.\r\n");
}

TEST(BusyScriptTest, TimedOutEvalAnswersBusyAndDiesOnScriptKill) {
  Fixture f;
  f.Run(f.a, {"CONFIG", "SET", "lua-time-limit", "10"});
  f.Run(f.a, {"SET", "xx", "1"});
  f.host.batches = {
      {{"PING"},
       {"GET", "xx"},
       {"FUNCTION", "KILL"},
       {"FUNCTION", "STATS"},
       {"MULTI"},
       {"INCR", "xx"},
       {"UNWATCH"}},
      {{"@third", "SCRIPT", "KILL"}},
  };
  const std::string reply = f.Run(f.a, {"EVAL", "while true do end", "0"});
  EXPECT_EQ(reply,
            "-ERR Script killed by user with SCRIPT KILL... script: "
            "694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.\r\n");
  // The first look past 10 ms served b; the next one killed the script.
  EXPECT_EQ(f.host.calls, 2);
  EXPECT_EQ(f.host.running_seen, f.a);
  const std::vector<std::string> want = {
      kBusyEval, kBusyEval, kBusyEval, kBusyEval, "+OK\r\n", kBusyEval, "+QUEUED\r\n", "+OK\r\n",
  };
  EXPECT_EQ(f.host.replies, want);
  // The INCR refused while busy doomed b's transaction.
  EXPECT_EQ(f.Run(f.b, {"INCR", "xx"}), "+QUEUED\r\n");
  EXPECT_EQ(f.Run(f.b, {"EXEC"}),
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(f.Run(f.b, {"GET", "xx"}), "$1\r\n1\r\n");
  EXPECT_EQ(f.Run(f.b, {"SCRIPT", "KILL"}), "-NOTBUSY No scripts in execution right now.\r\n");
}

TEST(BusyScriptTest, ExecDuringTheTimeoutAbortsTheTransaction) {
  Fixture f;
  f.Run(f.a, {"CONFIG", "SET", "lua-time-limit", "10"});
  EXPECT_EQ(f.Run(f.b, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(f.Run(f.b, {"INCR", "xx"}), "+QUEUED\r\n");
  f.host.batches = {{{"EXEC"}, {"EXEC"}, {"SCRIPT", "KILL"}}};
  f.Run(f.a, {"EVAL", "while true do end", "0"});
  ASSERT_EQ(f.host.replies.size(), 3u);
  EXPECT_EQ(f.host.replies[0],
            "-EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. "
            "You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n");
  EXPECT_EQ(f.host.replies[1], f.host.replies[0]);  // EXEC without MULTI is rejected the same
  EXPECT_EQ(f.Run(f.b, {"PING", "asdf"}), "$4\r\nasdf\r\n");
  EXPECT_EQ(f.Run(f.b, {"GET", "xx"}), "$-1\r\n");
}

TEST(BusyScriptTest, FunctionVariantStatsAndTheWrongKill) {
  Fixture f;
  f.Run(f.a, {"CONFIG", "SET", "busy-reply-threshold", "10"});
  ASSERT_EQ(f.Run(f.a, {"FUNCTION", "LOAD",
                        "#!lua name=test\nredis.register_function('test', function() "
                        "local a = 1 while true do a = a + 1 end end)"}),
            "$4\r\ntest\r\n");
  f.host.batches = {{{"PING"}, {"SCRIPT", "KILL"}, {"FUNCTION", "STATS"}, {"FUNCTION", "KILL"}}};
  EXPECT_EQ(f.Run(f.a, {"FCALL", "test", "0"}),
            "-ERR Script killed by user with SCRIPT KILL... script: test, on "
            "@user_function:2.\r\n");
  ASSERT_EQ(f.host.replies.size(), 4u);
  EXPECT_EQ(f.host.replies[0], kBusyFunction);
  EXPECT_EQ(f.host.replies[1], kBusyFunction);
  // 10 looks at 1 ms each reached the threshold, and the stats' look is the 11th.
  EXPECT_EQ(f.host.replies[2],
            "*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\ntest\r\n$7\r\ncommand\r\n"
            "*3\r\n$5\r\nFCALL\r\n$4\r\ntest\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:11\r\n"
            "$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n"
            "$15\r\nfunctions_count\r\n:1\r\n");
  EXPECT_EQ(f.host.replies[3], "+OK\r\n");
  EXPECT_EQ(f.Run(f.b, {"FUNCTION", "STATS"}).substr(0, 30),
            "*4\r\n$14\r\nrunning_script\r\n$-1\r\n");
}

TEST(BusyScriptTest, AScriptThatWroteIsUnkillable) {
  Fixture f;
  f.Run(f.a, {"CONFIG", "SET", "lua-time-limit", "10"});
  // Unkillable; the host's stop (SIGTERM to the server) ends it.
  f.host.batches = {{{"SCRIPT", "KILL"}, {"FUNCTION", "KILL"}, {"GET", "x"}}, {}, {}};
  int looks = 0;
  f.host.step = 1;
  // Stop at the third processing call.
  struct StopAfter : BusyHost {
    TestHost* inner;
    int* looks;
    int64_t BusyClockMs() override { return inner->BusyClockMs(); }
    bool ProcessEventsWhileBlocked(int r) override {
      inner->ProcessEventsWhileBlocked(r);
      return ++*looks >= 3;
    }
  } stop_after;
  stop_after.inner = &f.host;
  stop_after.looks = &looks;
  f.e.SetBusyHost(&stop_after);
  const std::string reply =
      f.Run(f.a, {"EVAL", "redis.call('set', KEYS[1], 'y') while true do end", "1", "x"});
  EXPECT_EQ(reply.substr(0, 46), "-ERR Script killed by user with SCRIPT KILL...");
  ASSERT_EQ(f.host.replies.size(), 3u);
  const std::string unkillable =
      "-UNKILLABLE Sorry the script already executed write commands against the dataset. You "
      "can either wait the script termination or kill the server in a hard way using the "
      "SHUTDOWN NOSAVE command.\r\n";
  EXPECT_EQ(f.host.replies[0], unkillable);
  EXPECT_EQ(f.host.replies[1], unkillable);
  EXPECT_EQ(f.host.replies[2], kBusyEval);
  EXPECT_EQ(looks, 3);
  EXPECT_EQ(f.Run(f.b, {"GET", "x"}), "$1\r\ny\r\n");  // its write stays
}

TEST(BusyScriptTest, UnderTheThresholdNothingIsServed) {
  Fixture f;  // 5000 ms by default; a short script looks at the clock a few times
  EXPECT_EQ(f.Run(f.a, {"EVAL", "for i = 1, 100000 do end return 'ok'", "0"}), "$2\r\nok\r\n");
  EXPECT_EQ(f.host.calls, 0);
  // A threshold of 0: the first look times the script out.
  f.Run(f.a, {"CONFIG", "SET", "lua-time-limit", "0"});
  EXPECT_EQ(f.Run(f.a, {"EVAL", "for i = 1, 100000 do end return 'ok'", "0"}), "$2\r\nok\r\n");
  EXPECT_GT(f.host.calls, 0);
}

TEST(BusyScriptTest, WithoutAHostTheInstructionCapStillStopsAScript) {
  EngineOptions o;
  o.script_max_instructions = 100'000;
  Engine e(o);
  const int s = e.OpenSession();
  std::string out;
  e.Execute(s, std::vector<std::string>{"CONFIG", "SET", "lua-time-limit", "0"}, &out);
  out.clear();
  e.Execute(s, std::vector<std::string>{"EVAL", "while true do end", "0"}, &out);
  EXPECT_EQ(out.substr(0, 46), "-ERR Script killed by user with SCRIPT KILL...");
}

}  // namespace
}  // namespace respfuzz::engine
