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

#include "harnesses/common/registry.h"
#include "harnesses/connection/checks.h"
#include "harnesses/connection/program.h"

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
  auto bytes = EncodeConnectionText(Seed("pipeline.txt"));
  ASSERT_TRUE(bytes.ok());
  const std::string text = ExplainConnection(*bytes);
  EXPECT_NE(text.find("conn 0: received 12 of 12 owed bytes: +OK\\r\\n$1\\r\\nv\\r\\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("conn 1: received 8 of 8 owed bytes: :1\\r\\n:2\\r\\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nok\n"), std::string::npos) << text;
}

TEST(ConnectionHarness, NeverReadingClientIsCutAtTheCapAndOthersAreServed) {
  auto bytes = EncodeConnectionText(Seed("never_read.txt"));
  ASSERT_TRUE(bytes.ok());
  const std::string text = ExplainConnection(*bytes);
  EXPECT_NE(text.find("conn 0: received 0 of "), std::string::npos) << text;
  EXPECT_NE(text.find("conn 1: received 14 of 14"), std::string::npos) << text;
}

TEST(ConnectionHarness, DroppedPartialWriteTailFailsInvariance) {
  fuzz::Verdict v = RunText(Seed("partial_write.txt"), With<DropsPartialTail>());
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

TEST(ConnectionHarness, LeakedConnectionFailsSessions) {
  fuzz::Verdict v = RunText(Seed("quit_and_error.txt"), With<LeaksConnections>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "sessions") << v.ToString();
}

TEST(ConnectionHarness, DuplicatedReadsFail) {
  fuzz::Verdict v = RunText(Seed("pipeline.txt"), With<DuplicatesReads>());
  EXPECT_FALSE(v.ok);
  EXPECT_TRUE(v.check == "transport-invariance" || v.check == "accounting") << v.ToString();
}

TEST(ConnectionHarness, StopThatDoesNotStopFails) {
  fuzz::Verdict v = RunText(Seed("pipeline.txt"), With<DeafToStop>());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "stall") << v.ToString();
}

TEST(ConnectionHarness, MinimizeOfAPassingInputIsNothing) {
  // Minimize runs the real server, which passes: nothing to minimize.
  auto bytes = EncodeConnectionText(Seed("pipeline.txt"));
  ASSERT_TRUE(bytes.ok());
  EXPECT_FALSE(MinimizeConnection(*bytes, nullptr).has_value());
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
