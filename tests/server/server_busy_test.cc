// Busy scripts through the server (Server::ProcessEventsWhileBlocked), on
// the simulated transport: the clock moves only when a running script looks
// at it (SimTransport::SetBusyClockStep), so a timeout is deterministic.
// The same scenarios over sockets, against redis-server 7.0.15, are in
// tests/busy_script_test.sh.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/server/server.h"
#include "src/server/sim_transport.h"

namespace respfuzz::server {
namespace {

std::string Multibulk(const std::vector<std::string>& argv) {
  std::string out = absl::StrCat("*", argv.size(), "\r\n");
  for (const std::string& a : argv) absl::StrAppend(&out, "$", a.size(), "\r\n", a, "\r\n");
  return out;
}

constexpr char kBusyEval[] =
    "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
constexpr char kKilled[] =
    "-ERR Script killed by user with SCRIPT KILL... script: "
    "694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.\r\n";

struct SimServer {
  SimTransport* sim;
  std::unique_ptr<Server> server;
  explicit SimServer(ServerOptions options = {}) {
    auto owned = std::make_unique<SimTransport>();
    sim = owned.get();
    server = std::make_unique<Server>(std::move(options), std::move(owned));
    EXPECT_TRUE(server->Listen().ok());
  }
  void Turn() { ASSERT_TRUE(server->Turn().ok()); }
  const std::string& Received(int conn) const { return sim->conns()[conn].received; }
};

// A timed-out script serves the other client from inside itself: its
// commands are refused with BUSY but MULTI and SCRIPT KILL, its replies are
// written before the script's caller gets the killed error, and the
// caller's pipelined PING runs after the script.
TEST(ServerBusyTest, TimedOutScriptServesOthersAndDiesOnScriptKill) {
  SimServer s;
  s.sim->SetBusyClockStep(1);
  const int a = s.sim->Connect(), b = s.sim->Connect();
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"CONFIG", "SET", "lua-time-limit", "10"}), 0);
  s.Turn();
  ASSERT_EQ(s.Received(a), "+OK\r\n");
  s.sim->ClientSend(a, Multibulk({"EVAL", "while true do end", "0"}) + Multibulk({"PING"}), 0);
  s.sim->ClientSend(b,
                    Multibulk({"PING"}) + Multibulk({"MULTI"}) + Multibulk({"INCR", "xx"}) +
                        Multibulk({"DISCARD"}) + Multibulk({"SCRIPT", "KILL"}),
                    0);
  const size_t log_start = s.sim->log().size();
  s.Turn();
  EXPECT_EQ(s.Received(b), absl::StrCat(kBusyEval, "+OK\r\n", kBusyEval, "+OK\r\n+OK\r\n"));
  EXPECT_EQ(s.Received(a), absl::StrCat("+OK\r\n", kKilled, "+PONG\r\n"));
  // b's replies went out first, while the script ran.
  int first_send = -1;
  for (size_t i = log_start; i < s.sim->log().size(); ++i) {
    if (s.sim->log()[i].kind == SimTransport::Event::kSend) {
      first_send = s.sim->log()[i].conn;
      break;
    }
  }
  EXPECT_EQ(first_send, b);
  EXPECT_TRUE(s.sim->misuses().empty());
}

TEST(ServerBusyTest, ScriptKillFromAnotherClientAndTheTransactionAborts) {
  SimServer s;
  s.sim->SetBusyClockStep(1);
  const int a = s.sim->Connect(), b = s.sim->Connect(), r = s.sim->Connect();
  s.Turn();
  s.sim->ClientSend(r, Multibulk({"CONFIG", "SET", "lua-time-limit", "10"}), 0);
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"EVAL", "while true do end", "0"}), 0);
  s.sim->ClientSend(b, Multibulk({"MULTI"}) + Multibulk({"INCR", "xx"}), 0);
  s.sim->ClientSend(r, Multibulk({"SCRIPT", "KILL"}), 0);
  s.Turn();
  EXPECT_EQ(s.Received(a), kKilled);
  EXPECT_EQ(s.Received(b), absl::StrCat("+OK\r\n", kBusyEval));
  EXPECT_EQ(s.Received(r), "+OK\r\n+OK\r\n");
  s.sim->ClientSend(b, Multibulk({"INCR", "xx"}) + Multibulk({"EXEC"}), 0);
  s.sim->ClientSend(r, Multibulk({"GET", "xx"}), 0);
  s.Turn();
  EXPECT_EQ(s.Received(b), absl::StrCat("+OK\r\n", kBusyEval,
                                        "+QUEUED\r\n-EXECABORT Transaction discarded because of "
                                        "previous errors.\r\n"));
  EXPECT_EQ(s.Received(r), "+OK\r\n+OK\r\n$-1\r\n");
  EXPECT_TRUE(s.sim->misuses().empty());
}

// A client connecting while the script is busy is accepted and answered.
TEST(ServerBusyTest, NewConnectionDuringTheTimeout) {
  SimServer s;
  s.sim->SetBusyClockStep(1);
  const int a = s.sim->Connect();
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"CONFIG", "SET", "lua-time-limit", "10"}), 0);
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"EVAL", "while true do end", "0"}), 0);
  const int c = s.sim->Connect();
  s.sim->ClientSend(c, Multibulk({"PING"}) + Multibulk({"SCRIPT", "KILL"}), 0);
  s.Turn();
  EXPECT_EQ(s.Received(c), absl::StrCat(kBusyEval, "+OK\r\n"));
  EXPECT_EQ(s.Received(a), absl::StrCat("+OK\r\n", kKilled));
  EXPECT_EQ(s.server->Clients().size(), 2u);
  EXPECT_TRUE(s.sim->misuses().empty());
}

// Without a clock step, time stands still while a script runs: it never
// times out, the other client waits for the next turn, and the instruction
// cap (kept by the harnesses) stops the loop.
TEST(ServerBusyTest, NoClockStepNoTimeout) {
  ServerOptions o;
  o.engine.script_max_instructions = 100'000;
  SimServer s(o);
  const int a = s.sim->Connect(), b = s.sim->Connect();
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"EVAL", "while true do end", "0"}), 0);
  s.sim->ClientSend(b, Multibulk({"PING"}), 0);
  s.Turn();
  EXPECT_EQ(s.Received(a), kKilled);
  EXPECT_EQ(s.Received(b), "+PONG\r\n");
}

// Stop() (SIGTERM) during an unkillable script ends the script, then the loop.
TEST(ServerBusyTest, StopEndsAnUnkillableScript) {
  SimServer s;
  s.sim->SetBusyClockStep(1);
  const int a = s.sim->Connect(), b = s.sim->Connect();
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"CONFIG", "SET", "lua-time-limit", "10"}), 0);
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"EVAL", "redis.call('set','x','y') while true do end", "0"}), 0);
  s.sim->ClientSend(b, Multibulk({"SCRIPT", "KILL"}), 0);
  s.server->Stop();
  s.Turn();
  EXPECT_TRUE(s.server->stopping());
  EXPECT_EQ(s.Received(b).substr(0, 12), "-UNKILLABLE ");
  EXPECT_EQ(s.Received(a).substr(0, 51), "+OK\r\n-ERR Script killed by user with SCRIPT KILL...");
}

}  // namespace
}  // namespace respfuzz::server
