// Engine tests: dispatch, connection commands and transactions. Expected
// replies were checked against redis-server 7.0.15 (RESP2 and RESP3).
#include "src/engine/engine.h"

#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command.h"
#include "src/resp/writer.h"

namespace respfuzz::engine {
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
  int b_ = engine_.OpenSession();
};

TEST_F(EngineTest, EveryCommandHasAHandlerOrIsRunByTheEngine) {
  for (const CommandSpec* c : AllCommands()) {
    const bool by_engine = (c->flags & kCmdTransaction) != 0;
    EXPECT_NE(by_engine, c->handler != nullptr) << c->name;
  }
}

TEST_F(EngineTest, UnknownCommandAndArity) {
  EXPECT_EQ(Run(a_, {"foo", "a", "b"}),
            "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
  EXPECT_EQ(Run(a_, {"foo"}), "-ERR unknown command 'foo', with args beginning with: \r\n");
  EXPECT_EQ(Run(a_, {"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(Run(a_, {"client"}), "-ERR wrong number of arguments for 'client' command\r\n");
  EXPECT_EQ(Run(a_, {"client", "foo"}), "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
  EXPECT_EQ(Run(a_, {"client", "id", "x"}),
            "-ERR wrong number of arguments for 'client|id' command\r\n");
}

TEST_F(EngineTest, PingEchoClientId) {
  EXPECT_EQ(Run(a_, {"PING"}), "+PONG\r\n");
  EXPECT_EQ(Run(a_, {"ping", "x"}), "$1\r\nx\r\n");
  EXPECT_EQ(Run(a_, {"ping", "x", "y"}), "-ERR wrong number of arguments for 'ping' command\r\n");
  EXPECT_EQ(Run(a_, {"echo", ""}), "$0\r\n\r\n");
  EXPECT_EQ(Run(a_, {"client", "ID"}), ":1\r\n");
  EXPECT_EQ(Run(b_, {"client", "id"}), ":2\r\n");
}

TEST_F(EngineTest, HelloSwitchesProtocolBeforeReplying) {
  EXPECT_EQ(Run(a_, {"hello", "3"}),
            "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n"
            ":3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\n"
            "master\r\n$7\r\nmodules\r\n*0\r\n");
  EXPECT_EQ(engine_.session(a_).protocol, resp::Protocol::kResp3);
  EXPECT_EQ(Run(a_, {"hello", "2"}).substr(0, 4), "*14\r");
  EXPECT_EQ(Run(a_, {"hello", "4"}), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(Run(a_, {"hello", "x"}), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(Run(a_, {"hello", "3", "foo"}), "-ERR Syntax error in HELLO option 'foo'\r\n");
  EXPECT_EQ(engine_.session(a_).protocol, resp::Protocol::kResp2);
  // Options act as they are read: AUTH and SETNAME errors win over a later
  // syntax error; a lone AUTH is a syntax error.
  EXPECT_EQ(Run(a_, {"hello", "3", "auth", "bob", "k1", "k1"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(Run(a_, {"hello", "3", "auth", "bob"}), "-ERR Syntax error in HELLO option 'auth'\r\n");
  EXPECT_EQ(Run(a_, {"hello", "3", "setname", "a b", "foo"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(Run(a_, {"hello", "9", "auth", "bob", "x"}),
            "-NOPROTO unsupported protocol version\r\n");
}

TEST_F(EngineTest, SelectRange) {
  EXPECT_EQ(Run(a_, {"select", "15"}), "+OK\r\n");
  EXPECT_EQ(Run(a_, {"select", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run(a_, {"select", "-1"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run(a_, {"select", "2147483648"}),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  EXPECT_EQ(Run(a_, {"select", "x"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(engine_.session(a_).db, 15);
}

TEST_F(EngineTest, MultiQueuesAndFlagsRejectedCommands) {
  EXPECT_EQ(Run(a_, {"multi"}), "+OK\r\n");
  EXPECT_EQ(Run(a_, {"get"}), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(Run(a_, {"ping"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(a_, {"exec"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Run(a_, {"exec"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_EQ(Run(a_, {"discard"}), "-ERR DISCARD without MULTI\r\n");
  EXPECT_EQ(Run(a_, {"multi"}), "+OK\r\n");
  EXPECT_EQ(Run(a_, {"multi"}), "-ERR MULTI calls can not be nested\r\n");
  EXPECT_EQ(Run(a_, {"watch", "x"}), "-ERR WATCH inside MULTI is not allowed\r\n");
  EXPECT_EQ(Run(a_, {"ping", "p"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(a_, {"echo", "e"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(a_, {"exec"}), "*2\r\n$1\r\np\r\n$1\r\ne\r\n");
  // A rejected EXEC aborts the transaction, in MULTI or not.
  EXPECT_EQ(Run(a_, {"exec", "+"}),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command\r\n");
  Run(a_, {"multi"});
  EXPECT_EQ(Run(a_, {"exec", "x"}).substr(0, 11), "-EXECABORT ");
  EXPECT_EQ(Run(a_, {"exec"}), "-ERR EXEC without MULTI\r\n");
}

TEST_F(EngineTest, HelloInsideExecChangesTheProtocolMidReply) {
  Run(a_, {"multi"});
  Run(a_, {"hello", "3"});
  Run(a_, {"ping"});
  const std::string out = Run(a_, {"exec"});
  EXPECT_EQ(out.substr(0, 5), "*2\r\n%");
  EXPECT_EQ(out.substr(out.size() - 7), "+PONG\r\n");
}

TEST_F(EngineTest, WatchSeesOtherSessionsWritesAndExpiry) {
  // Keys are written through the keyspace directly so this test does not
  // depend on the string commands.
  Keyspace& ks = engine_.keyspace();
  EXPECT_EQ(Run(a_, {"watch", "k"}), "+OK\r\n");
  ks.Store(0, "k", Object(std::string("v")), false);
  Run(a_, {"multi"});
  Run(a_, {"ping"});
  EXPECT_EQ(Run(a_, {"exec"}), "*-1\r\n");

  // A watched key that expires before EXEC aborts it, even if never accessed.
  ks.SetExpire(0, "k", engine_.now_ms() + 100);
  EXPECT_EQ(Run(a_, {"watch", "k"}), "+OK\r\n");
  engine_.AdvanceClock(101);
  Run(a_, {"multi"});
  EXPECT_EQ(Run(a_, {"exec"}), "*-1\r\n");

  // A key already expired at WATCH time, then lazily deleted: no change.
  EXPECT_EQ(Run(a_, {"watch", "k"}), "+OK\r\n");
  EXPECT_EQ(ks.Find(0, "k"), nullptr);
  Run(a_, {"multi"});
  EXPECT_EQ(Run(a_, {"exec"}), "*0\r\n");

  // RESP3 sessions get _ for the aborted EXEC; a write in another db does not count.
  Run(b_, {"hello", "3"});
  Run(b_, {"watch", "k"});
  ks.Store(1, "k", Object(std::string("v")), false);
  Run(b_, {"multi"});
  EXPECT_EQ(Run(b_, {"exec"}), "*0\r\n");
  Run(b_, {"watch", "k"});
  ks.FlushAll();  // k does not exist in db 0: FLUSHALL leaves the watch clean
  Run(b_, {"multi"});
  EXPECT_EQ(Run(b_, {"exec"}), "*0\r\n");
  ks.Store(0, "k", Object(std::string("v")), false);
  Run(b_, {"watch", "k"});
  ks.FlushAll();
  Run(b_, {"multi"});
  EXPECT_EQ(Run(b_, {"exec"}), "_\r\n");
}

TEST_F(EngineTest, UnwatchAndDiscardClearWatches) {
  Keyspace& ks = engine_.keyspace();
  Run(a_, {"watch", "k", "k", "j"});
  EXPECT_EQ(engine_.session(a_).watched.size(), 2u);
  Run(a_, {"unwatch"});
  ks.Store(0, "k", Object(std::string("v")), false);
  Run(a_, {"multi"});
  EXPECT_EQ(Run(a_, {"exec"}), "*0\r\n");
  Run(a_, {"watch", "k"});
  Run(a_, {"multi"});
  EXPECT_EQ(Run(a_, {"discard"}), "+OK\r\n");
  EXPECT_TRUE(engine_.session(a_).watched.empty());
}

TEST_F(EngineTest, ValidateCatchesBrokenState) {
  Keyspace& ks = engine_.keyspace();
  ks.Store(0, "l", Object(List{}), false);  // an empty list must never exist
  EXPECT_FALSE(engine_.Validate().ok());
  ks.Delete(0, "l");
  EXPECT_TRUE(engine_.Validate().ok());
  ks.db(0).expires["ghost"] = 1;  // a TTL without its key
  EXPECT_FALSE(engine_.Validate().ok());
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

}  // namespace
}  // namespace respfuzz::engine
