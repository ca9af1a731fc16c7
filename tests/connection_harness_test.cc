// The connection harness: the server on the simulated transport passes every
// seed; each check fails on a server or transport broken the way it guards
// against (the tail of a partial write dropped, a write after close, a
// starving order, no output cap, ...); the text form's limits and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "harnesses/common/registry.h"
#include "harnesses/connection/checks.h"
#include "harnesses/connection/program.h"
#include "src/engine/engine.h"

namespace respfuzz::harnesses {
namespace {

ConnProgram Program(const std::string& text) {
  auto p = ConnProgramFromText(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : ConnProgram{};
}

std::string Seed(const std::string& name) {
  std::ifstream in(std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "connection" / name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

fuzz::Verdict RunText(const std::string& text, const ConnectionUnderTest& put = {}) {
  return RunConnProgram(Program(text), put).verdict;
}

// c0 sets a 64-byte value, then pipelines two GETs of it (71 bytes each, so
// the second waits a turn under the harness's 64-byte budget) while c1 pings.
constexpr const char* kTwoBigGetsThenPing =
    "c0 connect\nc1 connect\ntick\n"
    "c0 send \"*3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nk\\r\\n$64\\r\\n"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\\r\\n\"\ntick\n"
    "c0 send \"*2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n*2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n\"\n"
    "c1 send \"PING\\r\\n\"\ntick\ntick\n";
// Eleven PINGs in one send: the tenth reply reaches the 64-byte budget, the
// eleventh waits a turn.
constexpr const char* kPingPipeline =
    "c0 connect\ntick\n"
    "c0 send \"PING\\r\\nPING\\r\\nPING\\r\\nPING\\r\\nPING\\r\\nPING\\r\\nPING\\r\\nPING\\r\\n"
    "PING\\r\\nPING\\r\\nPING\\r\\n\"\ntick\ntick\n";

template <typename T>
ConnectionUnderTest With() {
  ConnectionUnderTest put;
  put.transport = [](server::SimTransport* sim) { return std::make_unique<T>(sim); };
  return put;
}

// Drops the tail of a partial write: says the whole buffer went out.
class DropsPartialTail : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  ssize_t Send(int h, const char* data, size_t len) override {
    const ssize_t n = sim_->Send(h, data, len);
    return n > 0 ? static_cast<ssize_t>(len) : n;
  }
};

// Flips the first byte of every write: the client gets as many bytes as the
// server sent, not the same ones.
class CorruptsWrites : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  ssize_t Send(int h, const char* data, size_t len) override {
    std::string bytes(data, len);
    if (!bytes.empty()) bytes[0] = static_cast<char>(bytes[0] ^ 0x20);
    return sim_->Send(h, bytes.data(), bytes.size());
  }
};

// Writes one more byte to a connection after closing it.
class WritesAfterClose : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  void Close(int h) override {
    sim_->Close(h);
    sim_->Send(h, "x", 1);
  }
};

// Closes every connection twice.
class ClosesTwice : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  void Close(int h) override {
    sim_->Close(h);
    sim_->Close(h);
  }
};

// Serves one ready client per turn, always the lowest-numbered one.
class StarvingOrder : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  int Wait(std::span<server::Readiness> out, int timeout_ms) override {
    const int n = sim_->Wait(out, timeout_ms);
    int kept = 0;
    bool client = false;
    for (int i = 0; i < n; ++i) {
      const bool is_client = out[i].tag != kListenerTag && out[i].tag != kWakeTag;
      if (is_client && client) continue;
      client = client || is_client;
      out[kept++] = out[i];
    }
    return kept;
  }
};

// Never closes a connection on the transport (the server thinks it did).
class LeaksConnections : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  void Close(int) override {}
};

// Reads a segment twice: the server sees bytes the client sent once.
class DuplicatesReads : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  ssize_t Recv(int h, char* buf, size_t len) override {
    if (pending_ > 0) {
      const ssize_t n = pending_;
      std::copy(last_, last_ + n, buf);
      pending_ = 0;
      return n;
    }
    const ssize_t n = sim_->Recv(h, buf, std::min<size_t>(len, sizeof(last_)));
    if (n > 0) {
      std::copy(buf, buf + n, last_);
      pending_ = n;
    }
    return n;
  }

 private:
  char last_[256];
  ssize_t pending_ = 0;
};

// Never reports the wake-up: Stop() does not stop the loop.
class DeafToStop : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  void Wake() override {}
};

TEST(ConnectionHarness, EverySeedPasses) {
  size_t seeds = 0;
  for (const auto& e : std::filesystem::directory_iterator(
           std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "connection")) {
    if (e.path().extension() != ".txt") continue;
    ++seeds;
    fuzz::Verdict v = RunText(Seed(e.path().filename().string()));
    EXPECT_TRUE(v.ok) << e.path() << ": " << v.ToString();
  }
  EXPECT_GE(seeds, 10u);
}

TEST(ConnectionHarness, ExplainShowsWhatEachClientReceived) {
  auto bytes = kRegisteredHarness_connection.encode_text(Seed("pipeline.txt"));
  ASSERT_TRUE(bytes.ok());
  const std::string text = kRegisteredHarness_connection.explain(*bytes);
  EXPECT_NE(text.find("conn 0: received 12 of 12 owed bytes: +OK\\r\\n$1\\r\\nv\\r\\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("conn 1: received 8 of 8 owed bytes: :1\\r\\n:2\\r\\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nok\n"), std::string::npos) << text;
}

TEST(ConnectionHarness, NeverReadingClientIsCutAtTheCapAndOthersAreServed) {
  auto bytes = kRegisteredHarness_connection.encode_text(Seed("never_read.txt"));
  ASSERT_TRUE(bytes.ok());
  const std::string text = kRegisteredHarness_connection.explain(*bytes);
  EXPECT_NE(text.find("conn 0: received 0 of "), std::string::npos) << text;
  EXPECT_NE(text.find("conn 1: received 14 of 14"), std::string::npos) << text;
}

TEST(ConnectionHarness, DroppedPartialWriteTailFailsTurnOutput) {
  // The server thinks the tail went out: after that turn it holds fewer
  // unsent bytes than the direct run (the end check would see the client
  // miss them too).
  fuzz::Verdict v = RunText(Seed("partial_write.txt"), With<DropsPartialTail>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "turn-output") << v.ToString();
}

TEST(ConnectionHarness, CorruptedWritesFailInvariance) {
  // As many bytes as owed, at every turn, but not the same ones.
  fuzz::Verdict v = RunText(Seed("pipeline.txt"), With<CorruptsWrites>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "transport-invariance") << v.ToString();
  EXPECT_EQ(v.op, "end");  // Verdict::op: the check after the last op
}

TEST(ConnectionHarness, WriteAfterCloseFails) {
  fuzz::Verdict v = RunText(Seed("quit_and_error.txt"), With<WritesAfterClose>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "closed") << v.ToString();
  EXPECT_EQ(v.op, "tick");  // Verdict::op: the op the check ran at
  EXPECT_NE(v.message.find("Send on c0 after it was closed"), std::string::npos) << v.message;
}

TEST(ConnectionHarness, SecondCloseFails) {
  fuzz::Verdict v = RunText(Seed("quit_and_error.txt"), With<ClosesTwice>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "closed") << v.ToString();
}

TEST(ConnectionHarness, StarvingOrderFails) {
  fuzz::Verdict v = RunText(
      "c0 connect\nc1 connect\ntick\n"
      "c0 send \"*3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nk\\r\\n$1\\r\\nv\\r\\n\" /1\n"
      "c1 send \"PING\\r\\n\"\ntick\ntick\ntick\ntick\n",
      With<StarvingOrder>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "starvation") << v.ToString();
  EXPECT_NE(v.message.find("c1 had bytes to read for 3 turns"), std::string::npos) << v.message;
  // The same program on the real order passes.
  EXPECT_TRUE(RunText("c0 connect\nc1 connect\ntick\n"
                      "c0 send \"*3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nk\\r\\n$1\\r\\nv\\r\\n\" /1\n"
                      "c1 send \"PING\\r\\n\"\ntick\ntick\ntick\ntick\n")
                  .ok);
}

TEST(ConnectionHarness, ServerWithoutOutputCapFails) {
  ConnectionUnderTest put;
  put.server_output_cap = std::numeric_limits<size_t>::max();
  fuzz::Verdict v = RunText(Seed("never_read.txt"), put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "output-cap") << v.ToString();
}

TEST(ConnectionHarness, ServerCapAboveTheHarnessCapFails) {
  // The check is on kConnOutputCap: a server that lets a client hold twice
  // that fails it.
  ConnectionUnderTest put;
  put.server_output_cap = 2 * kConnOutputCap;
  fuzz::Verdict v = RunText(Seed("never_read.txt"), put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "output-cap") << v.ToString();
}

// A server that runs every request of a read in the turn that read it (no
// per-turn budget, as redis-server does) holds more unsent bytes for the
// never-reading client after a turn than the direct run: one turn did the
// work of several, and the other clients waited for all of it.
TEST(ConnectionHarness, ServerWithoutTurnBudgetFailsTurnOutput) {
  ConnectionUnderTest put;
  put.server_turn_budget = std::numeric_limits<size_t>::max();
  fuzz::Verdict v = RunText(Seed("never_read.txt"), put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "turn-output") << v.ToString();
  EXPECT_NE(v.message.find("c0 holds "), std::string::npos) << v.message;
}

TEST(ConnectionHarness, ServerBudgetAboveTheHarnessBudgetFailsTurnOutput) {
  ConnectionUnderTest put;
  put.server_turn_budget = 4 * kConnTurnOutputBudget;
  fuzz::Verdict v = RunText(kTwoBigGetsThenPing, put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "turn-output") << v.ToString();
}

TEST(ConnectionHarness, ServerBudgetBelowTheHarnessBudgetFailsTurnOutput) {
  // Less work per turn than the rule allows is a divergence too.
  ConnectionUnderTest put;
  put.server_turn_budget = 1;
  fuzz::Verdict v = RunText(kPingPipeline, put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "turn-output") << v.ToString();
}

// INFO is compared byte for byte: the server and the direct run report the
// harness's fixed process facts. A server whose INFO names another pid (of
// the same length, so no count or turn differs) fails transport-invariance.
TEST(ConnectionHarness, InfoIsComparedToTheByte) {
  constexpr const char* kInfo = "c0 connect\ntick\nc0 send \"INFO\\r\\n\"\ntick\ntick\n";
  ConnRunResult fine = RunConnProgram(Program(kInfo), {}, /*trace=*/true);
  EXPECT_TRUE(fine.verdict.ok) << fine.verdict.ToString();
  EXPECT_NE(fine.trace.find("os:Linux 6.1.0 x86_64"), std::string::npos) << fine.trace;
  ConnectionUnderTest put;
  engine::ServerInfo other = HarnessProcessInfo();
  other.process_id = 4243;
  put.server_process_info = other;
  fuzz::Verdict v = RunText(kInfo, put);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "transport-invariance") << v.ToString();
}

TEST(ConnectionHarness, PipelinesPastTheBudgetRunOverSeveralTurns) {
  // On the real server both programs pass, and every reply arrives.
  for (const char* text : {kTwoBigGetsThenPing, kPingPipeline}) {
    ConnRunResult r = RunConnProgram(Program(text), {}, /*trace=*/true);
    EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString() << "\n" << r.trace;
  }
  ConnRunResult r = RunConnProgram(Program(kTwoBigGetsThenPing), {}, /*trace=*/true);
  EXPECT_NE(r.trace.find("conn 0: received 147 of 147 owed bytes"), std::string::npos) << r.trace;
  EXPECT_NE(r.trace.find("conn 1: received 7 of 7 owed bytes: +PONG"), std::string::npos)
      << r.trace;
}

// A client pipelines behind a BLPOP: the server runs nothing more for it
// until it is unblocked, and the direct run waits the same way (fuzzing
// found the direct run counting the waiting BLPOP as run: accounting).
TEST(ConnectionHarness, RequestsBehindABlockedClientWait) {
  const char* text =
      "c0 connect\nc1 connect\ntick\n"
      "c0 send \"*3\\r\\n$5\\r\\nBLPOP\\r\\n$1\\r\\nl\\r\\n$1\\r\\n0\\r\\n"
      "*1\\r\\n$4\\r\\nPING\\r\\n\"\ntick\ntick\n"
      "c1 send \"*3\\r\\n$5\\r\\nRPUSH\\r\\n$1\\r\\nl\\r\\n$1\\r\\nx\\r\\n\"\n"
      "tick\ntick\n";
  ConnRunResult r = RunConnProgram(Program(text), {}, /*trace=*/true);
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString() << "\n" << r.trace;
  EXPECT_NE(r.trace.find("conn 0: received 25 of 25 owed bytes"), std::string::npos) << r.trace;
}

// "delivered", fed by hand: a session with engine output nobody took (a
// PUBLISH's message to a subscriber, not handed to its connection) fails;
// once taken, it passes.
TEST(ConnectionHarness, OutputLeftInTheEngineFailsDelivered) {
  engine::Engine e;
  const int sub = e.OpenSession(), pub = e.OpenSession();
  std::string out;
  e.Execute(sub, std::vector<std::string>{"SUBSCRIBE", "ch"}, &out);
  out.clear();
  e.Execute(pub, std::vector<std::string>{"PUBLISH", "ch", "hi"}, &out);
  EXPECT_EQ(out, ":1\r\n");
  fuzz::Verdict v = CheckDelivered(e, 4);
  EXPECT_EQ(v.check, "delivered") << v.ToString();
  EXPECT_NE(v.message.find("session 0 still holds"), std::string::npos) << v.message;
  std::string taken;
  e.AppendOutput(sub, &taken);
  EXPECT_NE(taken.find("hi"), std::string::npos);
  EXPECT_TRUE(CheckDelivered(e, 4).ok);
}

TEST(ConnectionHarness, LeakedConnectionFailsSessions) {
  fuzz::Verdict v = RunText(Seed("quit_and_error.txt"), With<LeaksConnections>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "sessions") << v.ToString();
}

TEST(ConnectionHarness, DuplicatedReadsFail) {
  fuzz::Verdict v = RunText(Seed("pipeline.txt"), With<DuplicatesReads>());
  EXPECT_FALSE(v.ok);
  // The direct run replays the log (each segment once) and falls behind the
  // server after the first turn that read one twice.
  EXPECT_EQ(v.check, "turn-output") << v.ToString();
}

TEST(ConnectionHarness, StopThatDoesNotStopFails) {
  fuzz::Verdict v = RunText(Seed("pipeline.txt"), With<DeafToStop>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "stall") << v.ToString();
}

TEST(ConnectionHarness, MinimizeOfAPassingInputIsNothing) {
  // Minimize runs the real server, which passes: nothing to minimize.
  auto bytes = kRegisteredHarness_connection.encode_text(Seed("pipeline.txt"));
  ASSERT_TRUE(bytes.ok());
  EXPECT_FALSE(kRegisteredHarness_connection.minimize(*bytes, nullptr).has_value());
}

TEST(ConnectionProgram, ByteFormRoundTrips) {
  for (const char* name : {"pipeline.txt", "never_read.txt", "tracking_kill.txt",
                           "partial_write.txt", "expiry_clock.txt"}) {
    ConnProgram p = Program(Seed(name));
    EXPECT_EQ(DecodeConnProgram(EncodeConnProgram(p)), p) << name;
    EXPECT_EQ(Program(ConnProgramToText(p)), p) << name;
  }
  // Any bytes decode; re-encoding the decoded program gives the same program.
  std::string bytes;
  for (int i = 0; i < 600; ++i) bytes.push_back(static_cast<char>((i * 131 + 7) % 251));
  ConnProgram p = DecodeConnProgram(bytes);
  EXPECT_EQ(DecodeConnProgram(EncodeConnProgram(p)), p);
  EXPECT_EQ(Program(ConnProgramToText(p)), p);
  EXPECT_TRUE(RunConnProgram(p).verdict.ok) << RunConnProgram(p).verdict.ToString();
}

TEST(ConnectionProgram, TextLimits) {
  const std::string max_send(kConnMaxSendLen, 'a');
  EXPECT_TRUE(ConnProgramFromText("c0 send \"" + max_send + "\"").ok());
  auto too_long = ConnProgramFromText("c0 send \"" + max_send + "a\"");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().message(), "line 1: send of 129 bytes (1..128)");
  EXPECT_TRUE(ConnProgramFromText("c7 send \"x\" /255").ok());
  EXPECT_EQ(ConnProgramFromText("c7 send \"x\" /256").status().message(),
            "line 1: bad slice '256' (0..255)");
  EXPECT_TRUE(ConnProgramFromText("c0 window 65535").ok());
  EXPECT_EQ(ConnProgramFromText("c0 window 65536").status().message(),
            "line 1: bad window '65536' (0..65535)");
  EXPECT_TRUE(ConnProgramFromText("clock +65535").ok());
  EXPECT_EQ(ConnProgramFromText("clock +65536").status().message(),
            "line 1: bad clock step '65536' (0..65535)");
  EXPECT_EQ(ConnProgramFromText("c8 connect").status().message(),
            "line 1: unknown client 'c8' (c0..c7)");
  EXPECT_EQ(ConnProgramFromText("tick\nc0 jump").status().message(), "line 2: unknown op 'jump'");
  EXPECT_EQ(ConnProgramFromText("c0 send \"\\q\"").status().message(),
            "line 1: unknown escape '\\q'");
  EXPECT_EQ(ConnProgramFromText("c0 send \"abc").status().message(), "line 1: unterminated string");
  std::string ops;
  for (size_t i = 0; i < kConnMaxOps; ++i) ops += "tick\n";
  EXPECT_TRUE(ConnProgramFromText(ops).ok());
  EXPECT_EQ(ConnProgramFromText(ops + "tick\n").status().message(), "line 129: more than 128 ops");
  // The byte form stops at kConnMaxOps ops too.
  EXPECT_EQ(DecodeConnProgram(std::string(kConnMaxOps + 10, '\x08')).ops.size(), kConnMaxOps);
}

TEST(ConnectionProgram, EscapesRoundTrip) {
  ConnProgram p = Program("c3 send \"\\x00\\xff\\\"\\\\\\t\\r\\n z\" /2\n");
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(p.ops[0].bytes, std::string("\x00\xff\"\\\t\r\n z", 9));
  EXPECT_EQ(ConnProgramToText(p), "c3 send \"\\x00\\xff\\\"\\\\\\t\\r\\n z\" /2\n");
}

TEST(ConnectionProgram, Registered) {
  const Harness* h = FindHarness("connection");
  ASSERT_NE(h, nullptr);
  EXPECT_NE(h->encode_text, nullptr);
  EXPECT_NE(h->minimize, nullptr);
}

}  // namespace
}  // namespace respfuzz::harnesses
