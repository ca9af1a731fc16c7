// Tests for server-side client tracking (src/tracking, wired into the engine)
// that are not recordings: the output-stream API (pushes land in other
// sessions' buffers, own invalidations after the reply), what a live server
// cannot show deterministically (table eviction's victims, the virtual
// clock's expiry), limits at their boundary, and Validate() failing on
// broken tracking state. The replies recorded from redis-server 7.0.15 are in
// tests/recordings/tracking.json.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"
#include "src/tracking/tracker.h"

namespace respfuzz::engine {
namespace {

constexpr std::string_view kHello3Prefix = "%7\r\n";

class TrackingTest : public ::testing::Test {
 protected:
  // Runs one command on session s; returns the session's whole output
  // stream since the last call (replies and pushes).
  std::string Cmd(int s, std::vector<std::string> argv) {
    engine_.Run(s, argv);
    const absl::Status valid = engine_.Validate();
    EXPECT_TRUE(valid.ok()) << valid;
    return engine_.TakeOutput(s);
  }
  int Resp3Session() {
    const int s = engine_.OpenSession();
    EXPECT_EQ(Cmd(s, {"HELLO", "3"}).substr(0, 4), kHello3Prefix);
    return s;
  }
  static std::string Inv(std::string_view key) {
    return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + std::to_string(key.size()) + "\r\n" +
           std::string(key) + "\r\n";
  }
  Engine engine_;
};

TEST_F(TrackingTest, OtherClientsWriteLandsAtOnceOwnWriteAfterTheReply) {
  const int a = Resp3Session();
  const int b = Resp3Session();
  EXPECT_EQ(Cmd(a, {"CLIENT", "TRACKING", "on"}), "+OK\r\n");
  EXPECT_EQ(Cmd(a, {"GET", "k"}), "_\r\n");
  EXPECT_EQ(engine_.tracker().TableIds("k"), std::vector<int64_t>{1});
  EXPECT_EQ(Cmd(b, {"SET", "k", "1"}), "+OK\r\n");
  // B's write is in A's stream before A's next reply.
  EXPECT_EQ(engine_.TakeNotified(), std::vector<int>{a});
  EXPECT_EQ(Cmd(a, {"PING"}), Inv("k") + "+PONG\r\n");
  // One-shot: the key is forgotten until A reads it again.
  EXPECT_EQ(Cmd(b, {"SET", "k", "2"}), "+OK\r\n");
  EXPECT_EQ(engine_.PendingOutput(a), "");
  EXPECT_EQ(Cmd(a, {"MGET", "k", "j"}), "*2\r\n$1\r\n2\r\n_\r\n");
  // A's own write: the reply first, then the invalidation.
  EXPECT_EQ(Cmd(a, {"DEL", "k"}), ":1\r\n" + Inv("k"));
  EXPECT_EQ(Cmd(a, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Cmd(a, {"SET", "j", "x"}), "+QUEUED\r\n");
  EXPECT_EQ(Cmd(a, {"EXEC"}), "*1\r\n+OK\r\n" + Inv("j"));
}

TEST_F(TrackingTest, ExecuteDrainsTheWholeStream) {
  const int a = Resp3Session();
  const int b = engine_.OpenSession();
  Cmd(a, {"CLIENT", "TRACKING", "on"});
  Cmd(a, {"GET", "k"});
  std::string out;
  const std::vector<std::string> set = {"SET", "k", "v"}, ping = {"PING"};
  engine_.Execute(b, set, &out);
  EXPECT_EQ(out, "+OK\r\n");
  out.clear();
  engine_.Execute(a, ping, &out);
  EXPECT_EQ(out, Inv("k") + "+PONG\r\n");
}

TEST_F(TrackingTest, BcastCollectsUntilTheEndOfTheTurn) {
  const int a = Resp3Session();
  const int b = engine_.OpenSession();
  EXPECT_EQ(Cmd(a, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "u:", "PREFIX", "v:"}),
            "+OK\r\n");
  Cmd(b, {"SET", "u:2", "x"});
  Cmd(b, {"SET", "u:1", "x"});
  Cmd(b, {"SET", "u:2", "y"});
  Cmd(b, {"SET", "w", "y"});
  Cmd(b, {"SET", "v:", "y"});
  EXPECT_EQ(engine_.PendingOutput(a), "");
  EXPECT_EQ(engine_.tracker().table_keys(), 0u);
  engine_.EndTurn();
  // One array per prefix, keys sorted and once each.
  EXPECT_EQ(engine_.TakeOutput(a),
            ">2\r\n$10\r\ninvalidate\r\n*2\r\n$3\r\nu:1\r\n$3\r\nu:2\r\n"
            ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nv:\r\n");
  engine_.EndTurn();
  EXPECT_EQ(engine_.TakeOutput(a), "");
}

TEST_F(TrackingTest, Resp2RedirectToASubscriber) {
  const int data = engine_.OpenSession();
  const int inv = engine_.OpenSession();
  const int w = engine_.OpenSession();
  EXPECT_EQ(Cmd(inv, {"SUBSCRIBE", "__redis__:invalidate"}),
            "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n");
  EXPECT_EQ(Cmd(data, {"CLIENT", "TRACKING", "on", "REDIRECT", "2"}), "+OK\r\n");
  Cmd(data, {"GET", "k"});
  Cmd(w, {"SET", "k", "v"});
  EXPECT_EQ(engine_.TakeOutput(inv),
            "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n");
  Cmd(w, {"FLUSHALL"});
  EXPECT_EQ(engine_.TakeOutput(inv),
            "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
  // Subscribed RESP2: only a few commands.
  EXPECT_EQ(Cmd(inv, {"GET", "k"}),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
  // A container's subcommand is named in full, SCRIPT's and FUNCTION's too
  // (redis-server 7.0.15: 'script|load', 'client|list', 'config|get').
  for (const auto& [argv, name] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"SCRIPT", "LOAD", "x"}, "script|load"},
           {{"function", "LIST"}, "function|list"},
           {{"CLIENT", "LIST"}, "client|list"},
           {{"CONFIG", "GET", "x"}, "config|get"}}) {
    EXPECT_EQ(Cmd(inv, argv), "-ERR Can't execute '" + name +
                                  "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                                  "RESET are allowed in this context\r\n");
  }
  EXPECT_EQ(Cmd(inv, {"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  // The target goes away: a RESP2 tracking client hears nothing, and the
  // broken flag is set on the next delivery.
  Cmd(data, {"GET", "k"});
  engine_.CloseSession(inv);
  Cmd(w, {"SET", "k", "v"});
  EXPECT_EQ(engine_.PendingOutput(data), "");
  EXPECT_TRUE(engine_.tracker().Find(1)->flags & tracking::kBrokenRedir);
}

TEST_F(TrackingTest, TableEvictionInvalidatesBeforeTheNextCommand) {
  const int a = Resp3Session();
  Cmd(a, {"CLIENT", "TRACKING", "on"});
  EXPECT_EQ(Cmd(a, {"CONFIG", "SET", "tracking-table-max-keys", "2"}), "+OK\r\n");
  Cmd(a, {"MGET", "c", "a", "b"});
  EXPECT_EQ(engine_.tracker().table_keys(), 3u);
  // Before the next command runs, the table is trimmed to 2 keys: the first
  // key in order goes (the server picks one at random), and its
  // invalidation precedes the reply.
  EXPECT_EQ(Cmd(a, {"PING"}), Inv("a") + "+PONG\r\n");
  EXPECT_EQ(engine_.tracker().table_keys(), 2u);
  // 0: no limit.
  Cmd(a, {"CONFIG", "SET", "tracking-table-max-keys", "0"});
  Cmd(a, {"MGET", "x", "y", "z"});
  EXPECT_EQ(Cmd(a, {"PING"}), "+PONG\r\n");
  EXPECT_EQ(engine_.tracker().table_keys(), 5u);
}

TEST_F(TrackingTest, TableMaxKeysBoundary) {
  const int a = Resp3Session();
  EXPECT_EQ(Cmd(a, {"CONFIG", "GET", "tracking-table-max-keys"}),
            "%1\r\n$23\r\ntracking-table-max-keys\r\n$7\r\n1000000\r\n");
  EXPECT_EQ(Cmd(a, {"CONFIG", "SET", "tracking-table-max-keys", "9223372036854775807"}), "+OK\r\n");
  EXPECT_EQ(engine_.tracker().table_max_keys(), tracking::Tracker::kMaxTableMaxKeys);
  EXPECT_EQ(Cmd(a, {"CONFIG", "SET", "tracking-table-max-keys", "-1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - "
            "argument must be between 0 and 9223372036854775807 inclusive\r\n");
  EXPECT_EQ(Cmd(a, {"CONFIG", "SET", "tracking-table-max-keys", "9223372036854775808"}),
            "-ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - "
            "argument couldn't be parsed into an integer\r\n");
  Cmd(a, {"CLIENT", "TRACKING", "on"});
  Cmd(a, {"CONFIG", "SET", "tracking-table-max-keys", "1"});
  Cmd(a, {"GET", "k"});
  // Exactly at the limit: nothing evicted.
  EXPECT_EQ(Cmd(a, {"PING"}), "+PONG\r\n");
  EXPECT_EQ(engine_.tracker().table_keys(), 1u);
}

TEST_F(TrackingTest, EvictionEffortGrowsPerRound) {
  const int a = Resp3Session();
  Cmd(a, {"CLIENT", "TRACKING", "on"});
  std::vector<std::string> mget = {"MGET"};
  for (int i = 0; i < 350; ++i) mget.push_back("k" + std::to_string(1000 + i));
  Cmd(a, mget);
  Cmd(a, {"CONFIG", "SET", "tracking-table-max-keys", "1"});
  // Rounds of 100, 200, then the rest.
  Cmd(a, {"PING"});
  EXPECT_EQ(engine_.tracker().table_keys(), 250u);
  Cmd(a, {"PING"});
  EXPECT_EQ(engine_.tracker().table_keys(), 50u);
  Cmd(a, {"PING"});
  EXPECT_EQ(engine_.tracker().table_keys(), 1u);
}

TEST_F(TrackingTest, ExpiryInvalidates) {
  const int a = Resp3Session();
  const int b = engine_.OpenSession();
  Cmd(a, {"CLIENT", "TRACKING", "on"});
  Cmd(b, {"SET", "k", "v", "PX", "10"});
  Cmd(b, {"SET", "j", "v", "PX", "10"});
  Cmd(a, {"MGET", "k", "j"});
  engine_.AdvanceClock(11);
  // Active expiry: at once.
  engine_.ExpireAllDue();
  EXPECT_EQ(engine_.TakeOutput(a), Inv("j") + Inv("k"));
  // Lazy expiry by A's own read: the reply, then the invalidation, and the
  // key is tracked again (remembered before the pending message goes).
  Cmd(b, {"SET", "k", "v", "PX", "10"});
  Cmd(a, {"GET", "k"});
  engine_.AdvanceClock(11);
  EXPECT_EQ(Cmd(a, {"GET", "k"}), "_\r\n" + Inv("k"));
  EXPECT_EQ(engine_.tracker().TableIds("k"), std::vector<int64_t>{1});
}

// NOLOOP skips every invalidation for the client whose command runs (as
// redis-server 7.0.15, checked there): its own writes, and also a key its
// own command found expired or one evicted before its own command, which it
// then never hears about. Those two are recorded when asked, writes never.
TEST_F(TrackingTest, NoloopSkipsOwnExpiryAndEvictionToo) {
  const int a = Resp3Session();
  const int b = engine_.OpenSession();
  Cmd(a, {"CLIENT", "TRACKING", "on", "NOLOOP"});
  const int64_t id = engine_.session(a).id;
  Cmd(b, {"SET", "k", "v", "PX", "10"});
  Cmd(a, {"GET", "k"});
  engine_.AdvanceClock(11);
  EXPECT_EQ(Cmd(a, {"MGET", "k", "j"}), "*2\r\n_\r\n_\r\n");  // no push for k
  EXPECT_TRUE(engine_.tracker().TakeNoloopUnsent().empty());  // not recording
  engine_.tracker().set_record_noloop_unsent(true);
  Cmd(b, {"SET", "k", "v", "PX", "10"});
  Cmd(a, {"GET", "k"});
  engine_.AdvanceClock(11);
  EXPECT_EQ(Cmd(a, {"MGET", "k", "j"}), "*2\r\n_\r\n_\r\n");
  using Unsent = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(engine_.tracker().TakeNoloopUnsent(), (Unsent{{id, "k"}}));
  // Its own write: skipped, not recorded (the client knows what it wrote).
  Cmd(a, {"GET", "w"});
  EXPECT_EQ(Cmd(a, {"SET", "w", "1"}), "+OK\r\n");
  EXPECT_TRUE(engine_.tracker().TakeNoloopUnsent().empty());
}

TEST_F(TrackingTest, NoloopSkipsAnEvictionBeforeItsOwnCommand) {
  const int a = Resp3Session();
  const int b = engine_.OpenSession();
  engine_.tracker().set_record_noloop_unsent(true);
  Cmd(a, {"CLIENT", "TRACKING", "on", "NOLOOP"});
  const int64_t id = engine_.session(a).id;
  Cmd(b, {"CONFIG", "SET", "tracking-table-max-keys", "1"});
  // Before its own PING the table (a, b) loses a: skipped and recorded.
  Cmd(a, {"MGET", "a", "b"});
  EXPECT_EQ(Cmd(a, {"PING"}), "+PONG\r\n");
  using Unsent = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(engine_.tracker().TakeNoloopUnsent(), (Unsent{{id, "a"}}));
  // Before another client's command it is told: the table (b, c) loses b.
  Cmd(a, {"GET", "c"});
  Cmd(b, {"PING"});
  EXPECT_EQ(engine_.TakeOutput(a), Inv("b"));
  EXPECT_TRUE(engine_.tracker().TakeNoloopUnsent().empty());
}

TEST_F(TrackingTest, ClientKillClosesOtherSessionsAtOnce) {
  const int a = Resp3Session();
  const int b = engine_.OpenSession();
  const int c = engine_.OpenSession();
  EXPECT_EQ(Cmd(a, {"CLIENT", "TRACKING", "on", "REDIRECT", "2"}), "+OK\r\n");
  Cmd(a, {"GET", "k"});
  EXPECT_EQ(Cmd(c, {"CLIENT", "KILL", "ID", "2"}), ":1\r\n");
  EXPECT_EQ(engine_.TakeKilled(), std::vector<int>{b});
  EXPECT_FALSE(engine_.session(b).open);
  Cmd(c, {"SET", "k", "v"});
  EXPECT_EQ(engine_.TakeOutput(a), ">2\r\n$21\r\ntracking-redir-broken\r\n:2\r\n");
  EXPECT_EQ(Cmd(c, {"CLIENT", "KILL", "ID", "3"}), ":0\r\n");  // SKIPME yes by default
  EXPECT_EQ(Cmd(c, {"CLIENT", "KILL", "ID", "3", "SKIPME", "no"}), ":1\r\n");
  EXPECT_TRUE(engine_.session(c).close_after_reply);
  EXPECT_EQ(Cmd(c, {"PING"}), "");  // no more commands
}

TEST_F(TrackingTest, ValidateCatchesBrokenTrackingState) {
  const int a = Resp3Session();
  Cmd(a, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p"});
  ASSERT_TRUE(engine_.Validate().ok());
  // A BCAST client whose prefix the prefix table does not know: the tracker
  // is driven around the command layer to break it.
  tracking::TrackingRequest off;
  engine_.tracker().Command(1, off);
  tracking::TrackingRequest on;
  on.on = true;
  engine_.tracker().Command(1, on);
  ASSERT_TRUE(engine_.Validate().ok());
  // An id that was never issued in the table.
  engine_.tracker().RememberKeys(1, {"k"});
  ASSERT_TRUE(engine_.Validate().ok());
  engine_.tracker().set_table_max_keys(0);
  {
    // A tracker whose peers say the client does not exist.
    struct NoPeers : tracking::Peers {
      bool Exists(int64_t) const override { return false; }
      resp::Protocol ProtocolOf(int64_t) const override { return resp::Protocol::kResp3; }
      bool InPubSub(int64_t) const override { return false; }
      void Deliver(int64_t, std::string_view) override {}
    } peers;
    tracking::Tracker t(&peers);
    t.Command(7, on);
    EXPECT_FALSE(t.Validate(100).ok());  // state for a closed client
    tracking::Tracker u(&peers);
    u.RememberKeys(7, {"k"});  // not tracking: nothing remembered
    EXPECT_TRUE(u.Validate(100).ok());
  }
  struct AllPeers : tracking::Peers {
    bool Exists(int64_t) const override { return true; }
    resp::Protocol ProtocolOf(int64_t) const override { return resp::Protocol::kResp3; }
    bool InPubSub(int64_t) const override { return false; }
    void Deliver(int64_t, std::string_view) override {}
  } peers;
  tracking::Tracker t(&peers);
  t.Command(7, on);
  t.RememberKeys(7, {"k"});
  EXPECT_TRUE(t.Validate(8).ok());
  EXPECT_FALSE(t.Validate(7).ok());  // id 7 was never issued
  tracking::TrackingRequest redirect = on;
  redirect.redirect = 9;
  t.Command(7, redirect);
  EXPECT_FALSE(t.Validate(8).ok());  // redirect id never issued
  EXPECT_TRUE(t.Validate(10).ok());
}

TEST_F(TrackingTest, CachingLastsOneCommandOrOneTransaction) {
  const int a = Resp3Session();
  Cmd(a, {"CLIENT", "TRACKING", "on", "OPTIN"});
  Cmd(a, {"CLIENT", "CACHING", "yes"});
  Cmd(a, {"CLIENT", "ID"});  // a CLIENT command keeps the flag
  Cmd(a, {"GET", "k"});
  EXPECT_EQ(engine_.tracker().TableIds("k"), std::vector<int64_t>{1});
  Cmd(a, {"GET", "j"});  // the flag is gone
  EXPECT_TRUE(engine_.tracker().TableIds("j").empty());
  Cmd(a, {"CLIENT", "CACHING", "yes"});
  Cmd(a, {"MULTI"});
  Cmd(a, {"GET", "x"});
  Cmd(a, {"GET", "y"});
  Cmd(a, {"EXEC"});
  EXPECT_EQ(engine_.tracker().TableIds("x"), std::vector<int64_t>{1});
  EXPECT_EQ(engine_.tracker().TableIds("y"), std::vector<int64_t>{1});
  EXPECT_FALSE(engine_.tracker().Find(1)->flags & tracking::kCaching);
}

}  // namespace
}  // namespace respfuzz::engine
