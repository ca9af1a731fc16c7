// The connection harness: a connection program (program.h) plays up to eight
// hostile clients against `respfuzz serve`'s Server (src/server/server.h) on
// a simulated transport (src/server/sim_transport.h): partial writes, a
// client that never reads, resets, half-closes, closes mid-request or
// mid-reply, failed accepts, max-clients rejections, the clock. After the
// program the clients that can still read open their windows, the loop turns
// until nothing moves, and the server shuts down.
//
// Checks:
//   "transport-invariance"  (oracle 1) each client received a prefix of what
//       a direct engine run owes it: the engine fed the same bytes the server
//       read, in the same order and the same turns, with no transport in
//       between (replies, pushes from other sessions, the protocol-error and
//       max-clients lines, QUIT, CLIENT KILL and the output cap as the server
//       applies them); a client that did nothing to its connection (no fin,
//       rst, close or never-read, not killed, not over the cap, not refused
//       by max clients: that line is one best-effort write) received all of
//       it.
//   "closed"      (oracle 2) nothing is read from, written to or closed on a
//       connection after it was closed; every accepted connection is closed
//       exactly once by the end
//   "sessions"    (oracle 2) after every turn the engine has one open session
//       per open connection; none by the end
//   "accounting"  (oracle 2) ServerStats (connections, open, commands, reads,
//       writes, protocol errors, output-limit disconnects, rejections) agree
//       with the transport's log and the direct run
//   "output-cap"  (oracle 3) after every turn no client holds more than
//       kConnOutputCap unsent bytes
//   "turn-output" (oracle 3) after every turn each open client holds exactly
//       the unsent bytes the direct engine run holds for it after that turn.
//       The direct run follows the server's per-turn reply budget
//       (kConnTurnOutputBudget: once a turn's replies to a client reach it,
//       the client's remaining requests wait for the next turn), so a server
//       that runs more of one client's pipeline in a turn than that, work
//       every other client waits for, fails here, as does one that runs less
//   "starvation"  (oracle 3) a connection with something to read while the
//       server watches it for reading is read within kConnMaxStarvedTurns
//       turns, whatever the other clients do
//   "transport-model" what the server read, accepted and closed through
//       its transport agrees, once the loop is quiet, with a model of the
//       clients built from the program's ops alone (transport_model.h):
//       each connection's bytes in order, in its sends' segments, all of
//       them read from a connection still open; connections accepted in
//       order and none left waiting; a fin, rst or close ends the
//       connection; a failed accept drops the next waiting connection
//   "delivered"   after every turn no open session of the server's engine
//       holds output the server has not taken (CheckDelivered): replies,
//       pushes, and a blocked client's answer when it is served or times
//       out all reach the connection in the turn they are written
//   "stall"       the loop reaches quiet within kConnMaxDrainTurns turns;
//       and, once it is quiet, an idle server sleeps: one more turn, with
//       nothing queued, readable or due, waits 1..kConnMaxIdleWaitMs ms
//       (CheckIdleWait; a wait of 0 is a busy loop, a longer one misses
//       the cron)
// and (oracle 4) the sanitizers over all of it.
#ifndef RESPFUZZ_HARNESSES_CONNECTION_CHECKS_H_
#define RESPFUZZ_HARNESSES_CONNECTION_CHECKS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/verdict.h"
#include "harnesses/connection/program.h"
#include "src/engine/engine.h"
#include "src/server/sim_transport.h"
#include "src/server/transport.h"

namespace respfuzz::engine {
class Engine;
}  // namespace respfuzz::engine

namespace respfuzz::server {
struct ServerOptions;
class Server;
}  // namespace respfuzz::server

namespace respfuzz::harnesses {

// The server's client-output-buffer-limit in the harness (small, so a
// never-reading client reaches it).
inline constexpr size_t kConnOutputCap = 4096;
// maxclients in the harness (below kConnMaxClients, so rejections happen).
inline constexpr int kConnServerMaxClients = 5;
inline constexpr int kConnMaxStarvedTurns = 2;
// The server's turn_output_budget in the harness: below one GET of an
// appended value, so pipelines are cut across turns.
inline constexpr size_t kConnTurnOutputBudget = 64;
// The server's output_block in the harness: a client that falls behind by
// more than this queues its replies in blocks (the path a client near the
// 64 MiB cap takes in `respfuzz serve`).
inline constexpr size_t kConnOutputBlock = 100;
// The server's compact_sent in the harness: a sent prefix of a few hundred
// bytes (one GET of a value SETRANGE made) is dropped from the buffer while
// the rest waits for the client's window.
inline constexpr size_t kConnCompactSent = 128;
// An idle client's buffers over this are freed at a cron: below the output
// cap, so a client that stops reading with a reply unsent meets the trim.
inline constexpr size_t kConnIdleOutputCapacity = 512;
inline constexpr int kConnMaxDrainTurns = static_cast<int>(kConnMaxOps * kConnMaxSendLen) + 64;
// The longest an idle server may sleep: Redis's default hz of 10 runs the
// cron (active expiry, the idle trim) every 100 ms (docs/serve.md).
inline constexpr int kConnMaxIdleWaitMs = 100;

// Hands every call to the SimTransport (which the harness keeps, to inspect
// after the server is gone). Tests derive broken transports from it.
class ForwardingTransport : public server::Transport {
 public:
  explicit ForwardingTransport(server::SimTransport* sim) : sim_(sim) {}
  absl::StatusOr<uint16_t> Listen(const std::string& bind, uint16_t port) override {
    return sim_->Listen(bind, port);
  }
  void CloseListener() override { sim_->CloseListener(); }
  absl::StatusOr<uint16_t> ChangeListenPort(const std::string& bind, uint16_t port) override {
    return sim_->ChangeListenPort(bind, port);
  }
  int Accept(std::string* peer, std::string* local) override { return sim_->Accept(peer, local); }
  int AcceptAndDrop() override { return sim_->AcceptAndDrop(); }
  bool Watch(int h, uint32_t events, uint64_t tag) override { return sim_->Watch(h, events, tag); }
  void Rewatch(int h, uint32_t events, uint64_t tag) override { sim_->Rewatch(h, events, tag); }
  int Wait(std::span<server::Readiness> out, int timeout_ms) override {
    return sim_->Wait(out, timeout_ms);
  }
  ssize_t Recv(int h, char* buf, size_t len) override { return sim_->Recv(h, buf, len); }
  ssize_t Send(int h, const char* data, size_t len) override { return sim_->Send(h, data, len); }
  void Close(int h) override { sim_->Close(h); }
  void AfterReads() override { sim_->AfterReads(); }
  void Wake() override { sim_->Wake(); }
  void DrainWake() override { sim_->DrainWake(); }
  int64_t WallClockMs() override { return sim_->WallClockMs(); }
  int64_t MonotonicMs() override { return sim_->MonotonicMs(); }
  int64_t BusyClockMs() override { return sim_->BusyClockMs(); }
  void Sleep(int64_t us) override { sim_->Sleep(us); }

 protected:
  server::SimTransport* sim_;
};

// What the program runs against; tests plug in broken pieces.
struct ConnectionUnderTest {
  // The transport the server gets, over the harness's SimTransport.
  std::function<std::unique_ptr<server::Transport>(server::SimTransport*)> transport =
      [](server::SimTransport* sim) { return std::make_unique<ForwardingTransport>(sim); };
  // The server's own output cap (the checks always expect kConnOutputCap).
  size_t server_output_cap = kConnOutputCap;
  // The server's own per-turn reply budget (the checks always expect
  // kConnTurnOutputBudget).
  size_t server_turn_budget = kConnTurnOutputBudget;
  // How a client's send reaches the simulated network (default:
  // SimTransport::ClientSend). Tests plug in a network that loses or
  // reorders bytes; the transport model (transport_model.h) still expects
  // what the program sent.
  std::function<void(server::SimTransport*, int conn, std::string_view bytes, size_t slice)>
      client_send;
  // What the server's INFO says of its process (default: HarnessProcessInfo,
  // the fixed facts the direct run reports too). Tests plug in other facts.
  std::optional<engine::ServerInfo> server_process_info;
};

struct ConnRunResult {
  fuzz::Verdict verdict;
  std::string trace;  // explain: each op, then what each client received
};

// The program's ops on `sim`, then the drain: the clients that still read
// open their windows and the server turns until a turn reads and writes
// nothing and `server` has no requests waiting for a turn (at most
// kConnMaxDrainTurns). `turn(step)` runs one server turn (step: the op's
// index, or the op count while draining) and returns false to stop the run.
// The harness's turn checks after each; a floor's only turns.
enum class ConnDriveEnd { kStopped, kQuiet, kNotQuiet };
// The server a program runs against: ephemeral port, `put`'s output cap and
// turn budget, kConnServerMaxClients.
server::ServerOptions HarnessServerOptions(const ConnectionUnderTest& put);
// The process facts INFO reports in the harness (os, pid, executable, memory
// and CPU), fixed: the direct run's engine reports them, and the server gets
// them unless a test plugs in others (ConnectionUnderTest::server_process_info).
engine::ServerInfo HarnessProcessInfo();
// `op_conns`, when given, gets the connection each op acted on (-1: none;
// a connect op names the connection it opened, -1 if the client's was still
// open); `put` supplies the client_send hook.
ConnDriveEnd DriveConnProgram(const ConnProgram& p, server::SimTransport& sim,
                              const server::Server& server,
                              absl::FunctionRef<bool(size_t step)> turn, std::string* trace,
                              std::vector<int>* op_conns = nullptr,
                              const ConnectionUnderTest* put = nullptr);

ConnRunResult RunConnProgram(const ConnProgram& p, const ConnectionUnderTest& put = {},
                             bool trace = false);
// The program kit's minimizer (MinimizeOps) against `put`: drops ops while
// the program fails the same way (the same check at the same op kind);
// nullopt when it does not fail. The registered minimize (what `respfuzz
// minimize` and `freeze` call) is the same against the real server.
std::optional<ConnProgram> MinimizeConnProgram(const ConnProgram& p, const ConnectionUnderTest& put,
                                               MinimizeReport* report);

// "delivered": every open session of `e` has no output left in the engine
// (the server takes it all in each turn). Ok or Fail("delivered", step, ...).
fuzz::Verdict CheckDelivered(const engine::Engine& e, size_t step);

// The harness's pieces (the real server) and its registered descriptor.
extern const ProgramCodec<ConnProgram> kConnectionProgram;
extern const Harness kRegisteredHarness_connection;

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_CONNECTION_CHECKS_H_
