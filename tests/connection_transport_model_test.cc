// The connection harness's transport model (harnesses/connection/
// transport_model.h): every seed passes it; a simulated network or transport
// broken the ways the model guards against (bytes lost, reordered or joined
// across segments, a listener the server is never told about, a failed
// accept that drops nobody) fails "transport-model", where the direct engine
// run, which replays the transport's own log, agrees with the server.
#include <gtest/gtest.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "harnesses/connection/checks.h"
#include "harnesses/connection/program.h"
#include "harnesses/connection/transport_model.h"
#include "src/server/sim_transport.h"

namespace respfuzz::harnesses {
namespace {

fuzz::Verdict RunText(const std::string& text, const ConnectionUnderTest& put = {}) {
  auto p = ConnProgramFromText(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return RunConnProgram(p.ok() ? *p : ConnProgram{}, put).verdict;
}

ConnOp Op(ConnOpKind kind, int client = 0) {
  ConnOp op;
  op.kind = kind;
  op.client = client;
  return op;
}

constexpr const char* kSetGet =
    "c0 connect\ntick\n"
    "c0 send \"*3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nk\\r\\n$1\\r\\nv\\r\\n*2\\r\\n$3\\r\\nGET\\r\\n$1"
    "\\r\\nk\\r\\n\" /9\ntick\ntick\ntick\ntick\n";

TEST(ConnectionTransportModel, HealthyRunsPass) {
  EXPECT_TRUE(RunText(kSetGet).ok);
  // A failed accept drops c0 and serves c1.
  EXPECT_TRUE(
      RunText("c0 connect\nc1 connect\naccept-fail\ntick\nc1 send \"PING\\r\\n\"\ntick\n").ok);
  // A client that half-closes, one that resets, one that closes.
  EXPECT_TRUE(RunText("c0 connect\nc1 connect\nc2 connect\ntick\nc0 send \"PING\\r\\n\"\nc0 fin\n"
                      "c1 rst\nc2 close\ntick\ntick\n")
                  .ok);
}

// The network loses every send: the server reads nothing, the direct run
// (fed what the server read) owes nothing, and only the model sees it.
TEST(ConnectionTransportModel, LostBytesFail) {
  ConnectionUnderTest put;
  put.client_send = [](server::SimTransport*, int, std::string_view, size_t) {};
  fuzz::Verdict v = RunText(kSetGet, put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "transport-model") << v.ToString();
  EXPECT_NE(v.message.find("the server read 0 of the 47 bytes c0 sent"), std::string::npos)
      << v.message;
}

// The network delivers a send's slices last first.
TEST(ConnectionTransportModel, ReorderedBytesFail) {
  ConnectionUnderTest put;
  put.client_send = [](server::SimTransport* sim, int conn, std::string_view bytes, size_t slice) {
    if (slice == 0) slice = bytes.size();
    std::vector<std::string_view> pieces;
    for (size_t at = 0; at < bytes.size(); at += slice) pieces.push_back(bytes.substr(at, slice));
    std::reverse(pieces.begin(), pieces.end());
    for (std::string_view piece : pieces) sim->ClientSend(conn, piece, 0);
  };
  fuzz::Verdict v = RunText(kSetGet, put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "transport-model") << v.ToString();
  EXPECT_NE(v.message.find("c0 read byte 0 unlike what the client sent"), std::string::npos)
      << v.message;
}

// The network ignores the slice: a read joins what the client sent apart.
TEST(ConnectionTransportModel, JoinedSegmentsFail) {
  ConnectionUnderTest put;
  put.client_send = [](server::SimTransport* sim, int conn, std::string_view bytes, size_t) {
    sim->ClientSend(conn, bytes, 0);
  };
  fuzz::Verdict v = RunText(kSetGet, put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "transport-model") << v.ToString();
  EXPECT_NE(v.message.find("across the end of a segment at 9"), std::string::npos) << v.message;
}

// Wait() never reports the listener: no connection is accepted, nothing is
// owed, every other check passes.
class HidesTheListener : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  int Wait(std::span<server::Readiness> out, int timeout_ms) override {
    const int n = sim_->Wait(out, timeout_ms);
    int kept = 0;
    for (int i = 0; i < n; ++i) {
      if (out[i].tag != kListenerTag) out[kept++] = out[i];
    }
    return kept;
  }
};

TEST(ConnectionTransportModel, ConnectionNeverAcceptedFails) {
  ConnectionUnderTest put;
  put.transport = [](server::SimTransport* sim) { return std::make_unique<HidesTheListener>(sim); };
  fuzz::Verdict v = RunText(kSetGet, put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "transport-model") << v.ToString();
  EXPECT_NE(v.message.find("c0 (of 1 connections) was never accepted"), std::string::npos)
      << v.message;
}

// Recv() reads the end of the stream while the client's bytes are still
// there and the client never closed: the server closes the connection, the
// direct run (fed what the server read) owes nothing, and only the model's
// end-of-stream rule sees it.
class EndsEveryStream : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  ssize_t Recv(int h, char* buf, size_t len) override {
    const ssize_t n = sim_->Recv(h, buf, len);
    return n > 0 ? 0 : n;
  }
};

TEST(ConnectionTransportModel, EndOfStreamBeforeTheClientClosedFails) {
  ConnectionUnderTest put;
  put.transport = [](server::SimTransport* sim) { return std::make_unique<EndsEveryStream>(sim); };
  fuzz::Verdict v = RunText(kSetGet, put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "transport-model") << v.ToString();
  EXPECT_NE(v.message.find("c0 read the end of its stream after 0 of the 47 bytes its client sent, "
                           "and the client never closed it"),
            std::string::npos)
      << v.message;
}

// An idle server sleeps: the rule fed by hand the Wait() timeouts a busy
// loop (0) and an oversleeping loop (past the cron) would pass; a healthy
// run meets it after every seed (HealthyRunsPass, the seed test).
TEST(ConnectionTransportModel, AnIdleLoopThatDoesNotSleepFails) {
  auto sim = std::make_unique<server::SimTransport>();
  server::SimTransport* s = sim.get();
  ASSERT_TRUE(s->Listen("127.0.0.1", 0).ok());
  ObservingTransport seen(std::make_unique<ForwardingTransport>(s));
  std::vector<server::Readiness> events(8);
  EXPECT_FALSE(CheckIdleWait(seen, kConnMaxIdleWaitMs, 3).ok);  // no Wait() yet
  for (int timeout : {1, 37, kConnMaxIdleWaitMs}) {
    ASSERT_EQ(seen.Wait(events, timeout), 0);
    EXPECT_TRUE(CheckIdleWait(seen, kConnMaxIdleWaitMs, 3).ok) << timeout;
  }
  ASSERT_EQ(seen.Wait(events, 0), 0);
  fuzz::Verdict v = CheckIdleWait(seen, kConnMaxIdleWaitMs, 3);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "stall");
  EXPECT_EQ(v.step, 3);
  EXPECT_NE(v.message.find("a busy loop"), std::string::npos) << v.message;
  ASSERT_EQ(seen.Wait(events, kConnMaxIdleWaitMs + 1), 0);
  v = CheckIdleWait(seen, kConnMaxIdleWaitMs, 3);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.message.find("timeout is 101 ms"), std::string::npos) << v.message;
}

// The checks on the server's accept-side calls, fed by hand the calls a
// broken server makes (the server itself cannot be swapped).
TEST(ConnectionTransportModel, FailedAcceptWithoutADropFails) {
  auto sim = std::make_unique<server::SimTransport>();
  server::SimTransport* s = sim.get();
  ASSERT_TRUE(s->Listen("127.0.0.1", 0).ok());
  ObservingTransport seen(std::make_unique<ForwardingTransport>(s));
  ConnProgram p;
  p.ops = {Op(ConnOpKind::kConnect, 0), Op(ConnOpKind::kConnect, 1), Op(ConnOpKind::kAcceptFail)};
  const ClientModel model = ClientModel::FromProgram(p, {0, 1, -1});
  s->Connect();
  s->Connect();
  s->FailNextAccept();
  std::string peer, local;
  ASSERT_EQ(seen.Accept(&peer, &local), -EMFILE);
  // A healthy server drops c0 now; this one accepts again and gets c0.
  ASSERT_EQ(seen.Accept(&peer, &local), 0);
  fuzz::Verdict v = CheckTransportModel(model, seen, 2);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "transport-model");
  EXPECT_NE(v.message.find("did not drop the next waiting connection"), std::string::npos)
      << v.message;

  // A drop with no failed accept before it.
  auto sim2 = std::make_unique<server::SimTransport>();
  ASSERT_TRUE(sim2->Listen("127.0.0.1", 0).ok());
  ObservingTransport seen2(std::make_unique<ForwardingTransport>(sim2.get()));
  sim2->Connect();
  sim2->Connect();
  ASSERT_EQ(seen2.AcceptAndDrop(), 1);
  ASSERT_EQ(seen2.Accept(&peer, &local), 1);
  v = CheckTransportModel(model, seen2, 2);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.message.find("AcceptAndDrop() called without a failed accept"), std::string::npos)
      << v.message;

  // The healthy order passes: the failure, the drop of c0, then c1.
  auto sim3 = std::make_unique<server::SimTransport>();
  ASSERT_TRUE(sim3->Listen("127.0.0.1", 0).ok());
  ObservingTransport seen3(std::make_unique<ForwardingTransport>(sim3.get()));
  sim3->Connect();
  sim3->Connect();
  sim3->FailNextAccept();
  ASSERT_EQ(seen3.Accept(&peer, &local), -EMFILE);
  ASSERT_EQ(seen3.AcceptAndDrop(), 1);
  ASSERT_EQ(seen3.Accept(&peer, &local), 1);
  v = CheckTransportModel(model, seen3, 2);
  EXPECT_TRUE(v.ok) << v.ToString();
}

// A connection the server still watches for reading once the loop is quiet,
// though its client half-closed (a simulated network that loses the fin
// looks like this to the server), fed by hand.
TEST(ConnectionTransportModel, ConnectionHeldAfterFinFails) {
  auto sim = std::make_unique<server::SimTransport>();
  ASSERT_TRUE(sim->Listen("127.0.0.1", 0).ok());
  ObservingTransport seen(std::make_unique<ForwardingTransport>(sim.get()));
  ConnProgram p;
  p.ops = {Op(ConnOpKind::kConnect, 0), Op(ConnOpKind::kFin, 0)};
  const ClientModel model = ClientModel::FromProgram(p, {0, 0});
  sim->Connect();
  std::string peer, local;
  ASSERT_EQ(seen.Accept(&peer, &local), 0);
  ASSERT_TRUE(seen.Watch(0, EPOLLIN, 7));
  fuzz::Verdict v = CheckTransportModel(model, seen, 2);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.message.find("still holds c0 open for reading after its client half-closed it"),
            std::string::npos)
      << v.message;
  seen.Close(0);  // closed: the model is satisfied
  EXPECT_TRUE(CheckTransportModel(model, seen, 2).ok);
}

// The server reads the end of c0's stream while it owes c0 bytes (its last
// Send() was short) and closes without trying to send them, fed by hand;
// with one more Send() (EAGAIN: the window is spent) before the close, as
// the server does, the model is satisfied.
TEST(ConnectionTransportModel, CloseAtEndOfStreamWithoutTheLastSendFails) {
  ConnProgram p;
  p.ops = {Op(ConnOpKind::kConnect, 0), Op(ConnOpKind::kFin, 0)};
  const ClientModel model = ClientModel::FromProgram(p, {0, 0});
  for (bool last_send : {false, true}) {
    auto sim = std::make_unique<server::SimTransport>();
    ASSERT_TRUE(sim->Listen("127.0.0.1", 0).ok());
    ObservingTransport seen(std::make_unique<ForwardingTransport>(sim.get()));
    sim->Connect();
    std::string peer, local;
    ASSERT_EQ(seen.Accept(&peer, &local), 0);
    ASSERT_TRUE(seen.Watch(0, EPOLLIN | EPOLLOUT, 7));
    sim->SetWindow(0, 5);
    ASSERT_EQ(seen.Send(0, "+PONG\r\n", 7), 5);
    sim->Fin(0);
    char buf[16];
    ASSERT_EQ(seen.Recv(0, buf, sizeof(buf)), 0);
    if (last_send) ASSERT_EQ(seen.Send(0, "\r\n", 2), -EAGAIN);
    seen.Close(0);
    fuzz::Verdict v = CheckTransportModel(model, seen, 2);
    if (last_send) {
      EXPECT_TRUE(v.ok) << v.ToString();
    } else {
      EXPECT_FALSE(v.ok);
      EXPECT_EQ(v.check, "transport-model");
      EXPECT_NE(v.message.find("closed it without trying to send them"), std::string::npos)
          << v.message;
    }
  }
}

// A reset reported by Wait() on c0, fed by hand: watched for nothing (its
// requests waiting for a turn), a Send() before the close fails the model,
// the close alone passes; watched for writing, the one Send() that reads the
// ECONNRESET passes and a second call fails.
TEST(ConnectionTransportModel, IoAfterAReportedResetFails) {
  ConnProgram p;
  p.ops = {Op(ConnOpKind::kConnect, 0), Op(ConnOpKind::kRst, 0)};
  const ClientModel model = ClientModel::FromProgram(p, {0, 0});
  struct Case {
    uint32_t watch;
    int sends;
    const char* want;  // nullptr: passes
  };
  for (const Case& k :
       {Case{0, 1, "watched it for neither reading nor writing"}, Case{0, 0, nullptr},
        Case{EPOLLOUT, 1, nullptr}, Case{EPOLLOUT, 2, "call 2 after its reset was reported"}}) {
    auto sim = std::make_unique<server::SimTransport>();
    ASSERT_TRUE(sim->Listen("127.0.0.1", 0).ok());
    ObservingTransport seen(std::make_unique<ForwardingTransport>(sim.get()));
    sim->Connect();
    std::string peer, local;
    ASSERT_EQ(seen.Accept(&peer, &local), 0);
    ASSERT_TRUE(seen.Watch(0, EPOLLIN, 7));
    seen.Rewatch(0, k.watch, 7);
    sim->Reset(0);
    std::vector<server::Readiness> ready(4);
    ASSERT_EQ(seen.Wait(ready, 0), 1);
    EXPECT_TRUE(ready[0].events & EPOLLERR);
    for (int i = 0; i < k.sends; ++i) EXPECT_LT(seen.Send(0, "+OK\r\n", 5), 0);
    seen.Close(0);
    fuzz::Verdict v = CheckTransportModel(model, seen, 2);
    if (k.want == nullptr) {
      EXPECT_TRUE(v.ok) << v.ToString();
    } else {
      EXPECT_EQ(v.check, "transport-model");
      EXPECT_NE(v.message.find(k.want), std::string::npos) << v.message;
    }
  }
}

}  // namespace
}  // namespace respfuzz::harnesses
