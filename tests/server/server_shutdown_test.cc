// SHUTDOWN through the server (the engine's PersistHost), on the simulated
// transport: the loop stops in the turn that ran it, nothing after it runs
// (the caller's pipelined commands, the other clients' requests of that
// turn), nothing more is written (redis-server exits inside the command:
// replies not yet sent are lost), and Shutdown() closes the listener and
// every connection. SAVE's file goes through the transport, which the
// simulated one discards. Over sockets, with the file and the exit code:
// tests/rdb_save_test.sh.
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

struct SimServer {
  SimTransport* sim;
  std::unique_ptr<Server> server;
  SimServer() {
    auto owned = std::make_unique<SimTransport>();
    sim = owned.get();
    server = std::make_unique<Server>(ServerOptions{}, std::move(owned));
    EXPECT_TRUE(server->Listen().ok());
  }
  void Turn() { ASSERT_TRUE(server->Turn().ok()); }
  const std::string& Received(int conn) const { return sim->conns()[conn].received; }
};

TEST(ServerShutdownTest, ShutdownStopsTheLoopAndClosesEverything) {
  SimServer s;
  const int a = s.sim->Connect(), b = s.sim->Connect();
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"SET", "k", "v"}) + Multibulk({"SAVE"}), 0);
  s.Turn();
  EXPECT_EQ(s.Received(a), "+OK\r\n+OK\r\n");  // the simulated transport's file: discarded
  s.sim->ClientSend(a, Multibulk({"MULTI"}) + Multibulk({"SHUTDOWN"}) + Multibulk({"EXEC"}), 0);
  s.Turn();
  EXPECT_EQ(s.Received(a),
            "+OK\r\n+OK\r\n+OK\r\n-ERR Command not allowed inside a transaction\r\n"
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_FALSE(s.server->stopping());
  const size_t a_before = s.Received(a).size();
  s.sim->ClientSend(
      a, Multibulk({"PING"}) + Multibulk({"SHUTDOWN", "NOSAVE"}) + Multibulk({"SET", "x", "1"}), 0);
  s.sim->ClientSend(b, Multibulk({"SET", "y", "1"}), 0);
  s.Turn();
  EXPECT_TRUE(s.server->stopping());
  EXPECT_TRUE(s.server->shutdown_requested());
  // Nothing after SHUTDOWN ran, and the PING's reply was never written.
  EXPECT_EQ(s.server->engine().keyspace().Peek(0, "x"), nullptr);
  EXPECT_EQ(s.server->engine().keyspace().Peek(0, "y"), nullptr);
  EXPECT_EQ(s.Received(a).size(), a_before);
  EXPECT_TRUE(s.sim->listening());
  s.server->Shutdown();  // what Run() does next
  EXPECT_FALSE(s.sim->listening());
  EXPECT_EQ(s.sim->conns()[a].closes, 1);
  EXPECT_EQ(s.sim->conns()[b].closes, 1);
  EXPECT_EQ(s.Received(a).size(), a_before);
  EXPECT_TRUE(s.Received(b).empty());
  EXPECT_TRUE(s.sim->misuses().empty());
}

TEST(ServerShutdownTest, AStopWithoutShutdownStillFlushes) {
  // Unlike SHUTDOWN, Stop() (SIGTERM) still writes what each client is owed.
  SimServer s;
  const int a = s.sim->Connect();
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"PING"}), 0);
  s.Turn();
  EXPECT_EQ(s.Received(a), "+PONG\r\n");
  s.server->Stop();
  s.Turn();
  EXPECT_TRUE(s.server->stopping());
  EXPECT_FALSE(s.server->shutdown_requested());
  s.server->Shutdown();
  EXPECT_FALSE(s.sim->listening());
  EXPECT_EQ(s.sim->conns()[a].closes, 1);
}

// While a script runs past busy-reply-threshold, SHUTDOWN (allow-busy)
// answers BUSY without NOSAVE; SHUTDOWN NOSAVE stops the server and the
// script, and nothing more is written.
TEST(ServerShutdownTest, ShutdownWhileAScriptIsBusy) {
  SimServer s;
  s.sim->SetBusyClockStep(1);
  const int a = s.sim->Connect(), b = s.sim->Connect();
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"CONFIG", "SET", "lua-time-limit", "10"}), 0);
  s.Turn();
  s.sim->ClientSend(a, Multibulk({"EVAL", "while true do end", "0"}), 0);
  s.sim->ClientSend(b, Multibulk({"SHUTDOWN"}) + Multibulk({"SCRIPT", "KILL"}), 0);
  s.Turn();
  EXPECT_FALSE(s.server->stopping());
  EXPECT_EQ(s.Received(b),
            "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
            "NOSAVE.\r\n+OK\r\n");
  const size_t a_before = s.Received(a).size(), b_before = s.Received(b).size();
  s.sim->ClientSend(a, Multibulk({"EVAL", "while true do end", "0"}), 0);
  s.sim->ClientSend(b, Multibulk({"SHUTDOWN", "NOSAVE"}) + Multibulk({"PING"}), 0);
  s.Turn();  // returns: the script was stopped
  EXPECT_TRUE(s.server->shutdown_requested());
  s.server->Shutdown();
  EXPECT_EQ(s.Received(a).size(), a_before);
  EXPECT_EQ(s.Received(b).size(), b_before);
  EXPECT_FALSE(s.sim->listening());
  EXPECT_TRUE(s.sim->misuses().empty());
}

}  // namespace
}  // namespace respfuzz::server
