// Engine tests: the command table, session state and Validate(). The
// replies of connection commands and transactions, recorded from
// redis-server 7.0.15, are in tests/recordings/ (connection.json,
// transactions.json) and played by tests/recordings_test.cc.
#include "src/engine/engine.h"

#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command.h"
#include "src/resp/writer.h"

namespace respfuzz::engine {

struct EngineTestPeer {
  static std::vector<int>& FreeSlots(Engine& e) { return e.free_sessions_; }
  static StrMap<std::vector<int>>& ChannelSubscribers(Engine& e) { return e.channel_subs_; }
  static auto& PatternSubscribers(Engine& e) { return e.pattern_subs_; }
  static std::vector<StrMap<std::vector<int>>>& BlockingKeys(Engine& e) { return e.blocking_keys_; }
  static std::vector<int>& Postponed(Engine& e) { return e.postponed_; }
};

namespace {

class EngineTest : public ::testing::Test {
 protected:
  std::string Run(int s, std::vector<std::string> argv) {
    std::string out;
    engine_.Execute(s, argv, &out);
    EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
    return out;
  }
  Engine engine_;
  int a_ = engine_.OpenSession();
};

TEST_F(EngineTest, EveryCommandHasAHandlerOrIsRunByTheEngine) {
  for (const CommandSpec* c : AllCommands()) {
    const bool by_engine = (c->flags & kCmdTransaction) != 0;
    EXPECT_NE(by_engine, c->handler != nullptr) << c->name;
  }
}

// The session state behind the replies recorded in tests/recordings/
// (connection.json, transactions.json): what HELLO, SELECT, WATCH and
// DISCARD leave in Session.
TEST_F(EngineTest, SessionStateFollowsHelloSelectAndWatch) {
  Run(a_, {"hello", "3"});
  EXPECT_EQ(engine_.session(a_).protocol, resp::Protocol::kResp3);
  Run(a_, {"hello", "2"});
  Run(a_, {"hello", "3", "foo"});  // an error: the protocol stays
  EXPECT_EQ(engine_.session(a_).protocol, resp::Protocol::kResp2);
  Run(a_, {"select", "15"});
  Run(a_, {"select", "16"});
  EXPECT_EQ(engine_.session(a_).db, 15);
  Run(a_, {"watch", "k", "k", "j"});
  EXPECT_EQ(engine_.session(a_).watched.size(), 2u);  // k once
  Run(a_, {"multi"});
  Run(a_, {"discard"});
  EXPECT_TRUE(engine_.session(a_).watched.empty());
  EXPECT_FALSE(engine_.session(a_).in_multi);
}

// Closed session slots are reused lowest first (the order the harnesses'
// programs see), ids never; Validate() counts the free slots.
TEST_F(EngineTest, OpenSessionReusesTheLowestClosedSlot) {
  const int b = engine_.OpenSession(), c = engine_.OpenSession(), d = engine_.OpenSession();
  ASSERT_EQ(std::vector<int>({a_, b, c, d}), std::vector<int>({0, 1, 2, 3}));
  const int64_t last_id = engine_.session(d).id;
  engine_.CloseSession(c);
  engine_.CloseSession(a_);
  engine_.CloseSession(a_);  // twice: a no-op
  EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
  EXPECT_EQ(engine_.OpenSession(), 0);
  EXPECT_EQ(engine_.session(0).id, last_id + 1);
  EXPECT_EQ(engine_.OpenSession(), 2);
  EXPECT_EQ(engine_.OpenSession(), 4);
  EXPECT_EQ(engine_.SessionById(last_id + 1), 0);
  EXPECT_EQ(engine_.SessionById(engine_.session(c).id), c);
  EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
}

// Validate checks every free slot: each names a closed session, once, in
// the heap order OpenSession relies on. Each broken heap below fails it.
TEST_F(EngineTest, ValidateChecksTheFreeSlots) {
  const int b = engine_.OpenSession(), c = engine_.OpenSession();
  engine_.CloseSession(c);
  engine_.CloseSession(a_);
  ASSERT_TRUE(engine_.Validate().ok()) << engine_.Validate();
  std::vector<int>& slots = EngineTestPeer::FreeSlots(engine_);
  ASSERT_EQ(slots.size(), 2u);
  const std::vector<int> good = slots;
  auto broken = [&](std::vector<int> v) {
    slots = std::move(v);
    std::string message(engine_.Validate().message());
    slots = good;
    return message;
  };
  EXPECT_EQ(broken({0}), "2 sessions closed but 1 slots free for reuse");
  EXPECT_EQ(broken({0, b}), "free slot 1 holds an open session");
  EXPECT_EQ(broken({0, 0}), "slot 0 free twice");
  EXPECT_EQ(broken({0, 99}), "free slot 99 out of range");
  EXPECT_EQ(broken({2, 0}), "free slots out of heap order");
  EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
  EXPECT_EQ(engine_.OpenSession(), 0);
  EXPECT_EQ(engine_.OpenSession(), 2);
}

TEST_F(EngineTest, ValidateCatchesBrokenState) {
  Keyspace& ks = engine_.keyspace();
  ks.Store(0, "l", Object(List{}), false);  // an empty list must never exist
  EXPECT_FALSE(engine_.Validate().ok());
  ks.Delete(0, "l");
  EXPECT_TRUE(engine_.Validate().ok());
  ks.db(0).expires.Set("ghost", 1);  // a TTL without its key
  EXPECT_FALSE(engine_.Validate().ok());
}

// Keyspace::Check builds its "db N: " prefix only for a failure: each
// failure still names the db it is in, whichever db that is.
TEST_F(EngineTest, KeyspaceCheckNamesTheBrokenDb) {
  Keyspace& ks = engine_.keyspace();
  EXPECT_EQ(ks.Check(), "");
  ks.db(5).expires.Set("ghost", 1);  // a TTL without its key
  EXPECT_EQ(ks.Check(), "db 5: TTL for missing key 'ghost'");
  EXPECT_EQ(engine_.Validate().message(), "db 5: TTL for missing key 'ghost'");
  ks.db(5).expires.Erase("ghost");
  EXPECT_EQ(ks.Check(), "");
  ks.db(11).dict.try_emplace("stray");  // not in the SCAN order
  EXPECT_EQ(ks.Check(), "db 11: SCAN order holds 0 keys, dict 1");
  ks.db(11).dict.clear();
  EXPECT_EQ(ks.Check(), "");
  ks.Store(3, "l", Object(List{}), false);  // an empty list must never exist
  EXPECT_EQ(ks.Check(), "db 3 key 'l': empty list");
}

}  // namespace
}  // namespace respfuzz::engine

namespace respfuzz::engine {
namespace {

TEST(ReplyWriterTest, DoublesAsRedis70PrintsThem) {
  std::string out;
  ReplyWriter r3(resp::Protocol::kResp3, &out);
  r3.Double(0.1);
  EXPECT_EQ(out, ",0.10000000000000001\r\n");
  // resp::Write in the Redis 7.0 style gives the same bytes; the default style is shortest.
  EXPECT_EQ(
      resp::Write(resp::Value::Double(0.1), resp::Protocol::kResp3, resp::DoubleStyle::kRedis70),
      out);
  EXPECT_EQ(resp::Write(resp::Value::Double(0.1), resp::Protocol::kResp3), ",0.1\r\n");
  out.clear();
  ReplyWriter r2(resp::Protocol::kResp2, &out);
  r2.Double(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(out, "$4\r\n-inf\r\n");
}

}  // namespace
}  // namespace respfuzz::engine

namespace respfuzz::engine {
namespace {

TEST(ReplyWriterTest, ErrorsStayOneLineAsRedisFormatsThem) {
  std::string out;
  ReplyWriter r(resp::Protocol::kResp2, &out);
  r.Error("ERR Unsupported option B\n");   // trailing CR/LF trimmed
  r.Error("ERR Unsupported option B\nx");  // inner ones become spaces
  r.Error("ERR plain");
  EXPECT_EQ(out, "-ERR Unsupported option B\r\n-ERR Unsupported option B x\r\n-ERR plain\r\n");
}

// ExecuteOwned (the server's entry point): the SET family moves its value
// argument into the keyspace; replies and effects are Execute()'s, and the
// const entry point leaves argv as it was.
TEST_F(EngineTest, OwnedArgvValuesAreMovedNotCopied) {
  const std::string big(1000, 'v');  // past any small-string buffer
  struct Case {
    std::vector<std::string> argv;
    size_t value;  // index of the value argument
    std::string key;
  };
  const std::vector<Case> cases = {
      {{"SET", "k1", big}, 2, "k1"},
      {{"SET", "k2", big, "PX", "100000", "GET"}, 2, "k2"},
      {{"SETNX", "k3", big}, 2, "k3"},
      {{"SETEX", "k4", "100", big}, 3, "k4"},
      {{"PSETEX", "k5", "100000", big}, 3, "k5"},
      {{"GETSET", "k1", big + "x"}, 2, "k1"},
      {{"MSET", "k6", "a", "k7", big}, 4, "k7"},
      {{"MSETNX", "k8", big}, 2, "k8"},
  };
  Engine copied;
  const int c = copied.OpenSession();
  for (const Case& t : cases) {
    const std::vector<std::string> original = t.argv;
    std::string want;
    copied.Execute(c, original, &want);
    std::vector<std::string> argv = t.argv;
    const char* value_bytes = argv[t.value].data();
    std::string got;
    engine_.ExecuteOwned(a_, argv, &got);
    EXPECT_EQ(got, want) << t.argv[0];
    // No copy: the stored string is the argument's own buffer.
    Object* stored = engine_.keyspace().Find(0, t.key);
    ASSERT_NE(stored, nullptr) << t.argv[0];
    ASSERT_TRUE(Is<std::string>(*stored));
    EXPECT_EQ(As<std::string>(*stored), original[t.value]) << t.argv[0];
    EXPECT_EQ(As<std::string>(*stored).data(), value_bytes) << t.argv[0];
    // The key and the command name are still there (tracking and Run read them).
    EXPECT_EQ(argv[0], original[0]);
    EXPECT_EQ(argv[1], original[1]);
    EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
  }
  // A value that is not stored (SETNX on an existing key) stays in argv.
  std::vector<std::string> setnx = {"SETNX", "k1", big};
  std::string out;
  engine_.ExecuteOwned(a_, setnx, &out);
  EXPECT_EQ(out, ":0\r\n");
  EXPECT_EQ(setnx[2], big);
}

// An argument with much spare room (a recycled argv string) is stored as a
// fitted copy; one that fits is moved.
TEST_F(EngineTest, OwnedArgvWithSpareRoomIsStoredFitted) {
  for (size_t size : {size_t{1}, size_t{100}, size_t{1000}}) {
    std::vector<std::string> argv = {"SET", "k", std::string(2048, 'x')};
    argv[2].assign(size, 'v');  // capacity stays 2048
    ASSERT_GE(argv[2].capacity(), 2048u);
    std::string out;
    engine_.ExecuteOwned(a_, argv, &out);
    EXPECT_EQ(out, "+OK\r\n");
    const std::string& stored = As<std::string>(*engine_.keyspace().Find(0, "k"));
    EXPECT_EQ(stored, std::string(size, 'v'));
    EXPECT_LE(stored.capacity(), size + size / 10 + 32) << size;  // the library's rounding
  }
  // 10% free or less: moved as it is.
  std::vector<std::string> argv = {"SET", "k", ""};
  argv[2].reserve(1050);
  argv[2].assign(1000, 'y');
  ASSERT_LE(argv[2].capacity() - argv[2].size(), 100u);
  const char* bytes = argv[2].data();
  std::string out;
  engine_.ExecuteOwned(a_, argv, &out);
  EXPECT_EQ(As<std::string>(*engine_.keyspace().Find(0, "k")).data(), bytes);
  // A big argument keeps its (unwritten) spare room: moved, not copied.
  argv = {"SET", "k", ""};
  argv[2].reserve(2 * CommandContext::kFitMaxCapacity);
  argv[2].assign(CommandContext::kFitMaxCapacity + 1, 'z');
  bytes = argv[2].data();
  engine_.ExecuteOwned(a_, argv, &out);
  EXPECT_EQ(As<std::string>(*engine_.keyspace().Find(0, "k")).data(), bytes);
}

TEST_F(EngineTest, OwnedArgvInsideMultiIsQueuedAsACopy) {
  const std::string big(1000, 'm');
  std::string out;
  std::vector<std::string> multi = {"MULTI"}, set = {"SET", "k", big}, exec = {"EXEC"};
  engine_.ExecuteOwned(a_, multi, &out);
  engine_.ExecuteOwned(a_, set, &out);
  EXPECT_EQ(set[2], big);  // queued: copied, the caller's argv untouched
  engine_.ExecuteOwned(a_, exec, &out);
  EXPECT_EQ(out, "+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n");
  EXPECT_EQ(Run(a_, {"GET", "k"}), "$1000\r\n" + big + "\r\n");
}

TEST_F(EngineTest, OwnedArgvSetStillInvalidatesTrackedKeys) {
  const int reader = engine_.OpenSession();
  Run(reader, {"HELLO", "3"});
  Run(reader, {"CLIENT", "TRACKING", "on"});
  Run(reader, {"GET", "tracked"});
  std::vector<std::string> set = {"SET", "tracked", std::string(1000, 't')};
  std::string out;
  engine_.ExecuteOwned(a_, set, &out);
  EXPECT_EQ(out, "+OK\r\n");
  EXPECT_EQ(engine_.TakeOutput(reader), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$7\r\ntracked\r\n");
}

}  // namespace
// Validate() sees every way the server's subscriber lists can disagree with
// the sessions' own subscriptions.
TEST(EnginePubSubValidate, SeesBrokenSubscriberLists) {
  Engine e;
  const int a = e.OpenSession();
  const int b = e.OpenSession();
  std::string out;
  const std::vector<std::string> sub = {"SUBSCRIBE", "ch"};
  const std::vector<std::string> psub = {"PSUBSCRIBE", "p*"};
  e.Execute(a, sub, &out);
  e.Execute(b, psub, &out);
  ASSERT_TRUE(e.Validate().ok()) << e.Validate();
  auto& channels = EngineTestPeer::ChannelSubscribers(e);
  auto& patterns = EngineTestPeer::PatternSubscribers(e);
  const auto good_channels = channels;
  const auto good_patterns = patterns;
  auto broken = [&](auto change) {
    change();
    std::string message(e.Validate().message());
    channels = good_channels;
    patterns = good_patterns;
    return message;
  };
  EXPECT_EQ(broken([&] { channels["ch"].clear(); }), "empty subscriber list of 'ch'");
  EXPECT_EQ(broken([&] { channels["ch"] = {b}; }),
            "session 0: subscription 'ch' not listed once among its subscribers");
  EXPECT_EQ(broken([&] {
              channels["ch"] = {a, a};
            }),
            "session 0: subscription 'ch' not listed once among its subscribers");
  EXPECT_EQ(broken([&] { channels["other"] = {b}; }),
            "sessions hold 2 subscriptions, the lists 3 subscribers");
  EXPECT_EQ(broken([&] { patterns.push_back(patterns[0]); }), "pattern 'p*' listed twice");
  EXPECT_EQ(broken([&] { patterns[0].second.clear(); }), "empty subscriber list of pattern 'p*'");
  EXPECT_TRUE(e.Validate().ok());
  // Closing a session drops its subscriptions from the server's lists.
  e.CloseSession(a);
  e.CloseSession(b);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  EXPECT_TRUE(channels.empty());
  EXPECT_TRUE(patterns.empty());
}

namespace {

// Blocking commands (src/engine/blocking.cc). The replies are checked against
// the reference model by the command_handler harness
// (corpus/command_handler/blocking.txt); these pin what the output streams
// and the session state show.
TEST_F(EngineTest, ABlockedSessionIsServedAfterTheWriteInBlockingOrder) {
  const int b = engine_.OpenSession(), c = engine_.OpenSession();
  EXPECT_EQ(Run(b, {"blpop", "k", "0"}), "");
  EXPECT_EQ(Run(c, {"brpop", "k", "0"}), "");
  EXPECT_TRUE(engine_.session(b).blocked());
  EXPECT_EQ(engine_.blocked_clients(), 2u);
  // Ignored while blocked: the caller holds a blocked session's commands.
  EXPECT_EQ(Run(b, {"ping"}), "");
  EXPECT_EQ(Run(a_, {"rpush", "k", "x", "y", "z"}), ":3\r\n");
  EXPECT_EQ(engine_.TakeOutput(b), "*2\r\n$1\r\nk\r\n$1\r\nx\r\n");
  EXPECT_EQ(engine_.TakeOutput(c), "*2\r\n$1\r\nk\r\n$1\r\nz\r\n");
  EXPECT_EQ(engine_.TakeUnblocked(), (std::vector<int>{b, c}));
  EXPECT_EQ(Run(a_, {"lrange", "k", "0", "-1"}), "*1\r\n$1\r\ny\r\n");
  EXPECT_EQ(engine_.blocked_clients(), 0u);
}

// CLIENT PAUSE's postponed list (client_pause.cc): Validate sees it broken.
TEST_F(EngineTest, ValidateSeesABrokenPostponedList) {
  const int b = engine_.OpenSession();
  Run(a_, {"client", "pause", "1000", "write"});
  Run(b, {"set", "k", "v"});
  ASSERT_TRUE(engine_.session(b).postponed);
  std::vector<int>& list = EngineTestPeer::Postponed(engine_);
  list.push_back(b);  // listed twice
  EXPECT_FALSE(engine_.Validate().ok());
  list.clear();  // not listed
  EXPECT_FALSE(engine_.Validate().ok());
  list.push_back(b);
  EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
}

TEST_F(EngineTest, TimeoutsFireOnTheVirtualClockOncePast) {
  const int b = engine_.OpenSession();
  EXPECT_EQ(Run(b, {"blpop", "k", "1"}), "");
  EXPECT_EQ(engine_.NextTimeoutMs(), engine_.now_ms() + 1000);
  engine_.AdvanceClock(1000);  // now == timeout: not yet (Redis fires when now > timeout)
  EXPECT_TRUE(engine_.session(b).blocked());
  engine_.AdvanceClock(1);
  EXPECT_FALSE(engine_.session(b).blocked());
  EXPECT_EQ(engine_.TakeOutput(b), "*-1\r\n");
  EXPECT_EQ(engine_.NextTimeoutMs(), -1);
  // A timeout that rounds up to 1 ms, and one that rounds to 0 (none).
  EXPECT_EQ(Run(b, {"brpoplpush", "k", "d", "0.0001"}), "");
  EXPECT_EQ(Run(a_, {"bzpopmin", "z", "-0.0001"}), "");
  engine_.AdvanceClock(2);
  EXPECT_EQ(engine_.TakeOutput(b), "*-1\r\n");
  EXPECT_TRUE(engine_.session(a_).blocked());
}

TEST_F(EngineTest, KilledOrUnblockedSessionsLeaveNoBlockState) {
  const int b = engine_.OpenSession(), c = engine_.OpenSession();
  EXPECT_EQ(Run(b, {"blmove", "s", "d", "left", "right", "5"}), "");
  EXPECT_EQ(Run(c, {"bzmpop", "0", "2", "z", "s", "min"}), "");
  engine_.CloseSession(b);
  EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
  EXPECT_EQ(engine_.NextTimeoutMs(), -1);
  EXPECT_EQ(Run(a_, {"client", "unblock", std::to_string(engine_.session(c).id), "error"}),
            ":1\r\n");
  EXPECT_EQ(engine_.TakeOutput(c), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(engine_.blocked_clients(), 0u);
}

// WAIT on a master without replicas (redis-server 7.0.15's replies, over a
// socket): 0 at once when no acknowledgement is asked for or inside EXEC;
// otherwise blocked on no key until the timeout (ms) or CLIENT UNBLOCK,
// then 0 (UNBLOCK ERROR: the error). The errors of its arguments in order.
TEST_F(EngineTest, WaitCountsNoReplicaAndBlocksUntilItsTimeout) {
  const int b = engine_.OpenSession();
  EXPECT_EQ(Run(b, {"wait", "0", "0"}), ":0\r\n");
  EXPECT_EQ(Run(b, {"WAIT", "-1", "5"}), ":0\r\n");
  EXPECT_EQ(Run(b, {"wait", "x", "-1"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run(b, {"wait", "99999999999999999999", "0"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run(b, {"wait", "1", "1.5"}), "-ERR timeout is not an integer or out of range\r\n");
  EXPECT_EQ(Run(b, {"wait", "0", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run(b, {"wait", "1"}), "-ERR wrong number of arguments for 'wait' command\r\n");
  EXPECT_EQ(Run(b, {"eval", "return redis.pcall('wait','1','0')", "0"}),
            "-ERR This Redis command is not allowed from script\r\n");
  Run(b, {"multi"});
  EXPECT_EQ(Run(b, {"wait", "1", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(b, {"exec"}), "*1\r\n:0\r\n");
  // Blocked: the timeout fires once the clock is past it.
  EXPECT_EQ(Run(b, {"wait", "1", "200"}), "");
  EXPECT_TRUE(engine_.session(b).blocked());
  EXPECT_EQ(engine_.blocked_clients(), 1u);
  EXPECT_EQ(engine_.NextTimeoutMs(), engine_.now_ms() + 200);
  engine_.AdvanceClock(200);
  EXPECT_TRUE(engine_.session(b).blocked());
  engine_.AdvanceClock(1);
  EXPECT_FALSE(engine_.session(b).blocked());
  EXPECT_EQ(engine_.TakeOutput(b), ":0\r\n");
  // No timeout: only CLIENT UNBLOCK ends it; a write to any key does not.
  const std::string id = std::to_string(engine_.session(b).id);
  EXPECT_EQ(Run(b, {"wait", "2", "0"}), "");
  EXPECT_EQ(engine_.NextTimeoutMs(), -1);
  EXPECT_EQ(Run(a_, {"rpush", "k", "x"}), ":1\r\n");
  EXPECT_TRUE(engine_.session(b).blocked());
  EXPECT_EQ(Run(a_, {"client", "unblock", id, "timeout"}), ":1\r\n");
  EXPECT_EQ(engine_.TakeOutput(b), ":0\r\n");
  EXPECT_EQ(Run(b, {"wait", "2", "0"}), "");
  EXPECT_EQ(Run(a_, {"client", "unblock", id, "error"}), ":1\r\n");
  EXPECT_EQ(engine_.TakeOutput(b), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(engine_.blocked_clients(), 0u);
}

// FAILOVER on a master without replicas: its options are parsed (each once,
// TO with two arguments, TIMEOUT above 0), then no replica is connected.
TEST_F(EngineTest, FailoverParsesItsOptionsAndFindsNoReplica) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"failover"}, "-ERR FAILOVER requires connected replicas.\r\n"},
      {{"failover", "ABORT"}, "-ERR No failover in progress.\r\n"},
      {{"failover", "abort", "x"}, "-ERR syntax error\r\n"},
      {{"failover", "TIMEOUT", "0"}, "-ERR FAILOVER timeout must be greater than 0\r\n"},
      {{"failover", "TIMEOUT", "-5"}, "-ERR FAILOVER timeout must be greater than 0\r\n"},
      {{"failover", "TIMEOUT", "x"}, "-ERR value is not an integer or out of range\r\n"},
      {{"failover", "TO", "h", "x"}, "-ERR value is not an integer or out of range\r\n"},
      {{"failover", "TO", "h"}, "-ERR syntax error\r\n"},
      {{"failover", "FORCE"}, "-ERR FAILOVER requires connected replicas.\r\n"},
      {{"failover", "FORCE", "FORCE"}, "-ERR syntax error\r\n"},
      {{"failover", "TIMEOUT", "5", "TIMEOUT", "6"}, "-ERR syntax error\r\n"},
      {{"failover", "TO", "h", "1", "FORCE"}, "-ERR FAILOVER requires connected replicas.\r\n"},
      {{"failover", "bogus"}, "-ERR syntax error\r\n"},
  };
  for (const auto& [argv, want] : cases) EXPECT_EQ(Run(a_, argv), want) << argv.size();
}

// DEBUG and MODULE as redis-server 7.0.15 answers them with its defaults
// (enable-debug-command and enable-module-command no, immutable; checked
// over a socket): DEBUG and MODULE LOAD / LOADEX / UNLOAD refused right
// after the arity check, before ACL, counted as rejected calls, aborting a
// MULTI; MODULE LIST lists no module.
TEST_F(EngineTest, ProtectedCommandsAreRefusedAsADefaultServerDoes) {
  const std::string debug_refused =
      "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
      "you can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.\r\n";
  const std::string module_refused =
      "-ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", "
      "you can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.\r\n";
  EXPECT_EQ(Run(a_, {"debug", "sleep", "0"}), debug_refused);
  EXPECT_EQ(Run(a_, {"DEBUG"}), "-ERR wrong number of arguments for 'debug' command\r\n");
  EXPECT_EQ(Run(a_, {"module", "list"}), "*0\r\n");
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{"module", "load", "/x"},
                                             {"MODULE", "LOADEX", "/x", "CONFIG", "a", "b"},
                                             {"module", "unload", "x"}}) {
    EXPECT_EQ(Run(a_, argv), module_refused) << argv[1];
  }
  EXPECT_EQ(Run(a_, {"module", "unload"}),
            "-ERR wrong number of arguments for 'module|unload' command\r\n");
  EXPECT_EQ(Run(a_, {"module", "foo"}), "-ERR unknown subcommand 'foo'. Try MODULE HELP.\r\n");
  // Before ACL: a user denied every command still gets the protected refusal.
  EXPECT_EQ(Run(a_, {"acl", "setuser", "u1", "on", "nopass", "-@all"}), "+OK\r\n");
  EXPECT_EQ(Run(a_, {"auth", "u1", "x"}), "+OK\r\n");
  EXPECT_EQ(Run(a_, {"module", "load", "/x"}), module_refused);
  EXPECT_EQ(Run(a_, {"module", "list"}).rfind("-NOPERM", 0), 0u);
  EXPECT_EQ(Run(a_, {"auth", "default", "x"}), "+OK\r\n");
  Run(a_, {"multi"});
  EXPECT_EQ(Run(a_, {"debug", "log", "x"}), debug_refused);
  EXPECT_EQ(Run(a_, {"exec"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Run(a_, {"config", "get", "enable-debug-command"}),
            "*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n");
  EXPECT_EQ(Run(a_, {"config", "set", "enable-debug-command", "yes"}),
            "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't "
            "set immutable config\r\n");
  const std::string info = Run(a_, {"info", "commandstats"});
  EXPECT_NE(info.find("cmdstat_debug:calls=0,usec=0,usec_per_call=0.00,rejected_calls=3,"
                      "failed_calls=0"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("cmdstat_module|load:calls=0,usec=0,usec_per_call=0.00,rejected_calls=2,"
                      "failed_calls=0"),
            std::string::npos)
      << info;
}

// One command's output (EngineDebug's engines have their own options).
std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  return out;
}

// DEBUG with enable-debug-command local, as redis-server 7.0.15 answered
// it over a loopback socket (the bytes below were recorded there, in both
// protocols): PROTOCOL writes one reply of each type; a push goes out past
// CLIENT REPLY OFF and, queued, lands inside EXEC's array; a remote
// session is refused; yes lets every session run it.
TEST(EngineDebug, ProtocolRepliesAsRecordedFromALocalConnection) {
  EngineOptions o;
  o.enable_debug_command = EngineOptions::ProtectedAction::kLocal;
  Engine e(o);
  const int s = e.OpenSession();
  auto run = [&](std::vector<std::string> argv) {
    std::string out;
    e.Execute(s, argv, &out);
    return out;
  };
  const std::vector<std::tuple<std::string, std::string, std::string>> recorded = {
      {"string", "$11\r\nHello World\r\n", "$11\r\nHello World\r\n"},
      {"integer", ":12345\r\n", ":12345\r\n"},
      {"double", "$5\r\n3.141\r\n", ",3.141\r\n"},
      {"bignum", "$37\r\n1234567999999999999999999999999999999\r\n",
       "(1234567999999999999999999999999999999\r\n"},
      {"null", "$-1\r\n", "_\r\n"},
      {"array", "*3\r\n:0\r\n:1\r\n:2\r\n", "*3\r\n:0\r\n:1\r\n:2\r\n"},
      {"set", "*3\r\n:0\r\n:1\r\n:2\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n"},
      {"map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n",
       "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
      {"attrib", "$39\r\nSome real reply following the attribute\r\n",
       "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply "
       "following the attribute\r\n"},
      {"push", "-ERR RESP2 is not supported by this command\r\n",
       ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push "
       "reply\r\n"},
      {"verbatim", "$25\r\nThis is a verbatim\nstring\r\n",
       "=29\r\ntxt:This is a verbatim\nstring\r\n"},
      {"true", ":1\r\n", "#t\r\n"},
      {"false", ":0\r\n", "#f\r\n"},
      {"xx",
       "-ERR Wrong protocol type name. Please use one of the following: "
       "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n",
       "-ERR Wrong protocol type name. Please use one of the following: "
       "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n"}};
  for (int proto : {2, 3}) {
    run({"HELLO", std::to_string(proto)});
    for (const auto& [type, resp2, resp3] : recorded) {
      EXPECT_EQ(run({"DEBUG", "PROTOCOL", type}), proto == 2 ? resp2 : resp3) << type << proto;
    }
  }
  // Arity and subcommand errors; a NUL ends the subcommand; letter case.
  EXPECT_EQ(run({"DEBUG", "PROTOCOL"}),
            "-ERR unknown subcommand or wrong number of arguments for 'PROTOCOL'. Try DEBUG "
            "HELP.\r\n");
  EXPECT_EQ(run({"DEBUG", "nope"}),
            "-ERR unknown subcommand or wrong number of arguments for 'nope'. Try DEBUG HELP.\r\n");
  EXPECT_EQ(run({"DEBUG", std::string("protocol\0x", 10), "string"}), "$11\r\nHello World\r\n");
  EXPECT_EQ(run({"debug", "Protocol", "TRUE"}), "#t\r\n");
  // Another subcommand of 7.0.15 is refused by name, never faked.
  EXPECT_EQ(run({"DEBUG", "LISTPACK", "k"}).rfind("-ERR DEBUG LISTPACK is not implemented", 0), 0u);
  // DEBUG LOADAOF without any AOF: where redis-server exits, an error.
  EXPECT_EQ(run({"DEBUG", "LOADAOF"}),
            "-ERR DEBUG LOADAOF failed: there is no AOF (redis-server 7.0.15 exits here)\r\n");
  // Queued: the push inside EXEC's array; under CLIENT REPLY OFF: only it.
  run({"MULTI"});
  run({"DEBUG", "PROTOCOL", "push"});
  run({"DEBUG", "PROTOCOL", "attrib"});
  EXPECT_EQ(run({"EXEC"}),
            "*2\r\n>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following "
            "the push reply\r\n|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\n"
            "Some real reply following the attribute\r\n");
  run({"CLIENT", "REPLY", "OFF"});
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "push"}), ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n");
  EXPECT_EQ(run({"CLIENT", "REPLY", "ON"}), "+OK\r\n");
  EXPECT_EQ(run({"CONFIG", "GET", "enable-debug-command"}),
            "%1\r\n$20\r\nenable-debug-command\r\n$5\r\nlocal\r\n");
  // A remote session is refused; SetAddresses decides from the peer's IP.
  const int remote = e.OpenSession();
  std::string out;
  e.SetAddresses(remote, "10.1.2.3:5000", "127.0.0.1:6379");
  out = Exec(e, remote, {"DEBUG", "PROTOCOL", "string"});
  EXPECT_EQ(out.rfind("-ERR DEBUG command not allowed.", 0), 0u) << out;
  for (const char* peer : {"127.0.0.1:5000", "::1:5000", "[::1]:5000"}) {
    e.SetAddresses(remote, peer, "127.0.0.1:6379");
    out = Exec(e, remote, {"DEBUG", "PROTOCOL", "string"});
    EXPECT_EQ(out, "$11\r\nHello World\r\n") << peer;
  }
  e.SetLocal(remote, false);
  out = Exec(e, remote, {"DEBUG", "PROTOCOL", "string"});
  EXPECT_EQ(out.rfind("-ERR DEBUG command not allowed.", 0), 0u) << out;
  // yes: every session.
  EngineOptions yes;
  yes.enable_debug_command = EngineOptions::ProtectedAction::kYes;
  Engine y(yes);
  const int r = y.OpenSession();
  y.SetLocal(r, false);
  out = Exec(y, r, {"DEBUG", "PROTOCOL", "integer"});
  EXPECT_EQ(out, ":12345\r\n");
}

// DEBUG DIGEST and DIGEST-VALUE over one dataset of every type, against
// the digests redis-server 7.0.15 answered for the same commands on one
// connection (2026-11-28): the value digests do not depend on the encoding
// (zsk, a listpack, and zsk2, a skiplist, agree), a missing key is 40
// zeros, and the dataset's digest mixes in the db numbers (db 3's key).
TEST(EngineDebug, DigestsAreRedisDigests) {
  EngineOptions o;
  o.enable_debug_command = EngineOptions::ProtectedAction::kLocal;
  Engine e(o);
  const int s = e.OpenSession();
  EXPECT_EQ(Exec(e, s, {"DEBUG", "DIGEST"}), "+0000000000000000000000000000000000000000\r\n");
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{"SET", "s", "hello"},
                                             {"RPUSH", "l", "a", "b", "12", "c"},
                                             {"SADD", "si", "1", "2", "3"},
                                             {"SADD", "ss", "x", "y", "z"},
                                             {"ZADD", "zl", "1.5", "m1", "2", "m2", "-0.1", "12"},
                                             {"ZADD", "zsk", "1", "a", "2", "b"},
                                             {"CONFIG", "SET", "zset-max-listpack-entries", "1"},
                                             {"ZADD", "zsk2", "1", "a", "2", "b"},
                                             {"HSET", "h", "f1", "v1", "f2", "22"},
                                             {"XADD", "st", "1-1", "f", "v", "g", "w"},
                                             {"XADD", "st", "2-5", "f", "v2"},
                                             {"SET", "e", "v", "EX", "100"},
                                             {"SELECT", "3"},
                                             {"SET", "other", "x"},
                                             {"SELECT", "0"}}) {
    Exec(e, s, argv);
  }
  EXPECT_EQ(Exec(e, s,
                 {"DEBUG", "DIGEST-VALUE", "s", "l", "si", "ss", "zl", "zsk", "zsk2", "h", "st",
                  "e", "nosuch"}),
            "*11\r\n"
            "+36b23a1456b2dce2c3ed252c456761301dba8060\r\n"
            "+70f5400e906cf34de59f0e6f7d4bd7128bea405b\r\n"
            "+2a462a3f51a1db89738ebbeef0c47ce1bbc85246\r\n"
            "+0fd9977d57e46b1b9b87439f5ac5b338416ccc24\r\n"
            "+6f728ca6fcbcb75add57a16fd399957797d22c20\r\n"
            "+4de4c922f0624dd27cb8fc6bbf04d3d6df72c877\r\n"
            "+4de4c922f0624dd27cb8fc6bbf04d3d6df72c877\r\n"
            "+ace09efefee43cefd37d4713a6e8cf46c6e14058\r\n"
            "+6333662e9a6bf68f222c7ae64848e53e46a07ccd\r\n"
            "+311b17018163335616e089f6b951c82c477335ac\r\n"
            "+0000000000000000000000000000000000000000\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "DIGEST"}), "+94c630a033efe1fee61765bcc0cb1a1f7d5a8190\r\n");
  // DIGEST takes no argument.
  EXPECT_EQ(Exec(e, s, {"DEBUG", "digest", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'digest'. Try DEBUG "
            "HELP.\r\n");
}

// DEBUG SET-ACTIVE-EXPIRE (atoi of its argument): 0 stops the active
// expiry cycle, which then deletes nothing; lazy expiry still does.
TEST(EngineDebug, SetActiveExpireStopsTheCycle) {
  EngineOptions o;
  o.enable_debug_command = EngineOptions::ProtectedAction::kLocal;
  Engine e(o);
  const int s = e.OpenSession();
  // 4294967296 is atoi's 0 (glibc's (int)strtol): off, as on 7.0.15.
  std::string out = Exec(e, s, {"DEBUG", "SET-ACTIVE-EXPIRE", "4294967296"});
  EXPECT_EQ(out, "+OK\r\n");
  out = Exec(e, s, {"SET", "k", "v", "PX", "10"});
  e.AdvanceClock(100);
  EXPECT_EQ(e.ActiveExpireCycle().expired, 0u);
  out = Exec(e, s, {"DEBUG", "SET-ACTIVE-EXPIRE", "1x"});
  EXPECT_EQ(out, "+OK\r\n");
  EXPECT_EQ(e.ActiveExpireCycle().expired, 1u);
}

// CLIENT UNBLOCK ERROR writes an error to the blocked session while it runs,
// and call() counts any error reply written during a call as its failure:
// redis-server 7.0.15 reports client|unblock with failed_calls=1 (and the
// blocked command's own failed call).
TEST_F(EngineTest, ClientUnblockErrorCountsAsAFailedCall) {
  const int b = engine_.OpenSession();
  const std::string id = std::to_string(engine_.session(b).id);
  EXPECT_EQ(Run(b, {"blpop", "nokey", "0"}), "");
  EXPECT_EQ(Run(a_, {"client", "unblock", id, "error"}), ":1\r\n");
  EXPECT_EQ(engine_.TakeOutput(b), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(Run(b, {"blpop", "nokey", "0"}), "");
  EXPECT_EQ(Run(a_, {"client", "unblock", id, "timeout"}), ":1\r\n");
  EXPECT_EQ(engine_.TakeOutput(b), "*-1\r\n");
  const std::string info = Run(a_, {"info", "commandstats"});
  EXPECT_NE(info.find("cmdstat_client|unblock:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,"
                      "failed_calls=1\r\n"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("cmdstat_blpop:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,"
                      "failed_calls=2\r\n"),
            std::string::npos)
      << info;
}

// CLIENT REPLY OFF, or SKIP before the blocking command, drops the reply the
// session gets when served or timed out (redis-server 7.0.15 does).
TEST_F(EngineTest, ClientReplyOffOrSkipDropsTheServedReply) {
  const int b = engine_.OpenSession();
  EXPECT_EQ(Run(b, {"client", "reply", "off"}), "");
  EXPECT_EQ(Run(b, {"blpop", "k", "0"}), "");
  EXPECT_EQ(Run(a_, {"rpush", "k", "x"}), ":1\r\n");
  EXPECT_FALSE(engine_.session(b).blocked());
  EXPECT_EQ(engine_.TakeOutput(b), "");
  EXPECT_EQ(Run(b, {"client", "reply", "on"}), "+OK\r\n");
  EXPECT_EQ(Run(b, {"client", "reply", "skip"}), "");
  EXPECT_EQ(Run(b, {"blpop", "k", "0"}), "");
  EXPECT_EQ(Run(a_, {"rpush", "k", "y"}), ":1\r\n");
  EXPECT_EQ(engine_.TakeOutput(b), "");
  EXPECT_EQ(Run(b, {"ping"}), "+PONG\r\n");
  EXPECT_EQ(Run(b, {"client", "reply", "skip"}), "");
  EXPECT_EQ(Run(b, {"blpop", "k", "0.05"}), "");
  engine_.AdvanceClock(200);
  EXPECT_FALSE(engine_.session(b).blocked());
  EXPECT_EQ(engine_.TakeOutput(b), "");
  EXPECT_EQ(Run(b, {"ping"}), "+PONG\r\n");
  // Without SKIP the reply comes.
  EXPECT_EQ(Run(b, {"blpop", "k", "0.05"}), "");
  engine_.AdvanceClock(200);
  EXPECT_EQ(engine_.TakeOutput(b), "*-1\r\n");
}

// Validate() sees a blocked-client list that lost its session, and one that
// names a session twice.
TEST_F(EngineTest, ValidateSeesBrokenBlockingState) {
  const int b = engine_.OpenSession();
  Run(b, {"blpop", "k1", "k2", "0"});
  auto& keys = EngineTestPeer::BlockingKeys(engine_)[0];
  const std::vector<int> good = keys["k2"];
  keys["k2"] = {};
  EXPECT_NE(engine_.Validate().message().find("k2"), std::string_view::npos) << engine_.Validate();
  keys["k2"] = {b, b};
  EXPECT_FALSE(engine_.Validate().ok());
  keys["k2"] = good;
  EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
}

}  // namespace

}  // namespace respfuzz::engine
