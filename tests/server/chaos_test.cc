// Real-socket chaos: hostile peers (tests/server/evil_peer.h) against the
// serve Server (server side) and a hostile server in front of our client
// connection layer, cache::SocketClient (client side). Each test draws its
// choices (slice sizes, delays, which toxic) from two seeds, a scheduler
// seed and a chaos seed (RESPFUZZ_CHAOS_SEED=S:C to replay a run), and
// prints them and the peers' event logs only when it fails; a log is a
// `connection` program (`respfuzz freeze connection LOG` replays it on the
// simulated transport). Bounded: every wait has a deadline, the whole suite
// takes a few seconds.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harnesses/connection/checks.h"
#include "harnesses/connection/program.h"
#include "src/cache/socket_client.h"
#include "src/server/server.h"
#include "tests/server/evil_peer.h"
#include "tests/server/test_client.h"

namespace respfuzz::server::testing {
namespace {

using namespace std::chrono_literals;
using Mode = EvilPeer::Mode;

std::string Multibulk(const std::vector<std::string>& argv) {
  std::string s = absl::StrCat("*", argv.size(), "\r\n");
  for (const std::string& a : argv) absl::StrAppend(&s, "$", a.size(), "\r\n", a, "\r\n");
  return s;
}

// Seeds, the failure report, and a server with a small output cap.
class Chaos : public ::testing::TestWithParam<Mode> {
 protected:
  static constexpr size_t kOutputCap = 1 << 20;

  void SetUp() override {
    std::random_device rd;
    scheduler_seed_ = (uint64_t{rd()} << 32) | rd();
    chaos_seed_ = (uint64_t{rd()} << 32) | rd();
    if (const char* env = std::getenv("RESPFUZZ_CHAOS_SEED")) {
      std::sscanf(env, "%lu:%lu", &scheduler_seed_, &chaos_seed_);
    }
    scheduler_.seed(scheduler_seed_);
    chaos_.seed(chaos_seed_);
  }

  void TearDown() override {
    if (!HasFailure()) return;
    std::fprintf(stderr, "chaos seeds: RESPFUZZ_CHAOS_SEED=%lu:%lu\n",
                 static_cast<unsigned long>(scheduler_seed_),
                 static_cast<unsigned long>(chaos_seed_));
    for (const std::string& log : logs_) {
      std::fprintf(stderr, "event log (respfuzz freeze connection LOG):\n%s", log.c_str());
    }
  }

  ServerOptions Options() const {
    ServerOptions o;
    o.max_output_buffer = kOutputCap;
    return o;
  }

  // Runs the peer to its end; its log is kept for the failure report.
  bool Finish(EvilPeer& peer, std::chrono::milliseconds timeout = 10s) {
    std::string log;
    const bool ok = peer.Join(timeout, &log);
    logs_.push_back(log);
    // Every log is a valid connection program.
    auto p = harnesses::ConnProgramFromText(log);
    EXPECT_TRUE(p.ok()) << p.status() << "\n" << log;
    return ok;
  }

  // A delay of 0..max ms (scheduler seed) and a slice of 1..max bytes (chaos seed).
  std::chrono::milliseconds Delay(int max) {
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(0, max)(scheduler_));
  }
  size_t Slice(size_t max) { return std::uniform_int_distribution<size_t>(1, max)(chaos_); }

  bool Serves(uint16_t port) {
    RawClient c(port);
    if (!c.connected()) return false;
    c.Send("*1\r\n$4\r\nPING\r\n");
    return c.Read(7, 3s) == "+PONG\r\n";
  }

  uint64_t scheduler_seed_ = 0, chaos_seed_ = 0;
  std::mt19937_64 scheduler_, chaos_;
  std::vector<std::string> logs_;
};

class ChaosCanFail : public Chaos {
 protected:
  void TearDown() override {}  // its failures are expected: no report
};

std::string ModeName(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::kThread ? "Thread" : "Fork";
}

// 1-byte (or a few bytes) writes with delays: every reply arrives, in order.
TEST_P(Chaos, SlicedRequestsAreAnsweredExactly) {
  const size_t slice = Slice(3);
  const auto delay = Delay(1);
  EvilPeer peer(GetParam(), [slice, delay](uint16_t port, ChaosLog& log) {
    const int fd = ConnectLoopback(port);
    if (fd < 0) return false;
    log.Add("c0 connect");
    std::string req;
    for (int i = 0; i < 10; ++i) req += Multibulk({"INCR", "sliced"});
    LogSend(log, 0, req, slice);
    if (!SendSliced(fd, req, slice, delay)) return false;
    std::string want;
    for (int i = 1; i <= 10; ++i) want += absl::StrCat(":", i, "\r\n");
    bool eof = false;
    const std::string got = ReadFor(fd, want.size(), 5s, &eof);
    ::close(fd);
    log.Add("c0 close");
    return got == want;
  });
  RunningServer server(Options());
  peer.Start(server.port());
  EXPECT_TRUE(Finish(peer));
}

// FIN in the middle of a request: the complete one before it is answered,
// then the server closes.
TEST_P(Chaos, FinMidRequestGetsTheRepliesOwedThenEof) {
  EvilPeer peer(GetParam(), [](uint16_t port, ChaosLog& log) {
    const int fd = ConnectLoopback(port);
    if (fd < 0) return false;
    log.Add("c0 connect");
    const std::string req = "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n";
    LogSend(log, 0, req, 0);
    if (!SendSliced(fd, req, 0, 0ms)) return false;
    HalfClose(fd);
    log.Add("c0 fin");
    bool eof = false;
    const std::string got = ReadFor(fd, 1 << 20, 5s, &eof);
    ::close(fd);
    return eof && got == "+PONG\r\n";
  });
  RunningServer server(Options());
  peer.Start(server.port());
  EXPECT_TRUE(Finish(peer));
  EXPECT_TRUE(WaitFor([&] { return server.server().stats().open_connections == 0; }, 5s));
}

// A peer that never reads asks for far more than its socket buffers hold
// (64 GETs of a 64 KiB value), then waits up to `wait`, still not reading,
// for the server to close the connection; true if it did.
EvilPeer::Script NeverReadingPeer(std::chrono::milliseconds wait) {
  return [wait](uint16_t port, ChaosLog& log) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ShrinkReceiveBuffer(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return false;
    log.Add("c0 connect");
    log.Add("c0 never-read");
    const std::string value(64 * 1024, 'v');
    if (!SendSliced(fd, Multibulk({"SET", "big", value}), 0, 0ms)) return false;
    log.Add("# SET big <64 KiB>, then GET big 64 times");
    std::string gets;
    for (int i = 0; i < 64; ++i) gets += Multibulk({"GET", "big"});
    LogSend(log, 0, Multibulk({"GET", "big"}), 0);
    // The server may cut us while we still write: a failed write is fine.
    SendSliced(fd, gets, 0, 0ms);
    // Wait (without reading) until the server has closed the connection:
    // poll reports POLLRDHUP/POLLHUP/POLLERR with its FIN or RST pending.
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool closed = false;
    while (!closed && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
      pollfd p{fd, POLLRDHUP, 0};
      closed = ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
    }
    ::close(fd);
    return closed;
  };
}

// The server's writes to it go partial, then it cuts the peer at the output
// cap; another client is served all along.
TEST_P(Chaos, NeverReadingPeerIsCutAtTheCapWhileOthersAreServed) {
  EvilPeer peer(GetParam(), NeverReadingPeer(5s));
  RunningServer server(Options());
  peer.Start(server.port());
  // Served while the peer is hostile.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Serves(server.port()));
  EXPECT_TRUE(Finish(peer));
  EXPECT_TRUE(WaitFor([&] { return server.server().stats().output_limit_disconnects == 1; }, 5s))
      << "output_limit_disconnects = " << server.server().stats().output_limit_disconnects;
  EXPECT_TRUE(Serves(server.port()));
}

// The check above can fail: a server whose cap is above the 4 MiB the peer
// asks for never cuts it.
TEST_F(ChaosCanFail, ServerWithoutASmallCapDoesNotCutTheNeverReadingPeer) {
  EvilPeer peer(Mode::kThread, NeverReadingPeer(500ms));
  ServerOptions o;
  o.max_output_buffer = 64 << 20;
  RunningServer server(o);
  peer.Start(server.port());
  EXPECT_FALSE(Finish(peer));
  EXPECT_EQ(server.server().stats().output_limit_disconnects, 0u);
}

// RST in the middle of a pipeline and while a write is pending: the server
// closes the connection and goes on.
TEST_P(Chaos, HardResetMidPipelineAndMidWrite) {
  const size_t slice = Slice(64);
  EvilPeer peer(GetParam(), [slice](uint16_t port, ChaosLog& log) {
    // Mid-pipeline: 500 INCRs, reset before reading anything.
    int fd = ConnectLoopback(port);
    if (fd < 0) return false;
    log.Add("c0 connect");
    std::string incrs;
    for (int i = 0; i < 500; ++i) incrs += Multibulk({"INCR", "n"});
    LogSend(log, 0, Multibulk({"INCR", "n"}), slice);
    SendSliced(fd, incrs, slice, 0ms);
    HardReset(fd);
    log.Add("c0 rst");
    // Mid-write: a big reply the peer does not read, then RST.
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ShrinkReceiveBuffer(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return false;
    log.Add("c1 connect");
    log.Add("c1 window 0");
    const std::string value(200 * 1024, 'w');
    SendSliced(fd, Multibulk({"SET", "w", value}) + Multibulk({"GET", "w"}), 0, 0ms);
    log.Add("# SET w <200 KiB>, GET w");
    std::this_thread::sleep_for(50ms);
    HardReset(fd);
    log.Add("c1 rst");
    return true;
  });
  RunningServer server(Options());
  peer.Start(server.port());
  EXPECT_TRUE(Finish(peer));
  EXPECT_TRUE(WaitFor([&] { return server.server().stats().open_connections == 0; }, 5s))
      << server.server().stats().open_connections << " connections still open";
  EXPECT_TRUE(Serves(server.port()));
  RawClient c(server.port());
  c.Send(Multibulk({"GET", "n"}));
  const std::string line = c.ReadLine(3s);
  EXPECT_EQ(line.substr(0, 1), "$") << line;  // some INCRs ran, or none ($-1)
}

// A storm: many connections at once from several threads, each closed
// politely, reset, or cut mid-request; the server ends with none open.
TEST_P(Chaos, ConnectionStorm) {
  const uint64_t seed = chaos_();
  EvilPeer peer(GetParam(), [seed](uint16_t port, ChaosLog& log) {
    constexpr int kThreads = 4, kEach = 40;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(seed + t);
        for (int i = 0; i < kEach; ++i) {
          const int fd = ConnectLoopback(port);
          if (fd < 0) {
            ++failures;
            continue;
          }
          switch (rng() % 4) {
            case 0:
              ::close(fd);
              break;
            case 1:
              HardReset(fd);
              break;
            case 2:
              SendSliced(fd, "*2\r\n$3\r\nGET", 0, 0ms);
              ::close(fd);
              break;
            default: {
              SendSliced(fd, "*1\r\n$4\r\nPING\r\n", 0, 0ms);
              bool eof = false;
              if (ReadFor(fd, 7, 3s, &eof) != "+PONG\r\n") ++failures;
              ::close(fd);
            }
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    log.Add("# a storm of 160 connections from 4 threads: close, rst, half a request, PING");
    return failures == 0;
  });
  RunningServer server(Options());
  peer.Start(server.port());
  EXPECT_TRUE(Finish(peer, 20s));
  EXPECT_TRUE(WaitFor([&] { return server.server().stats().open_connections == 0; }, 5s))
      << server.server().stats().open_connections << " connections still open";
  EXPECT_LE(server.server().stats().connections, 160u);
  EXPECT_TRUE(Serves(server.port()));
}

INSTANTIATE_TEST_SUITE_P(Peers, Chaos, ::testing::Values(Mode::kThread, Mode::kFork), ModeName);

// --- the client side: a hostile server in front of cache::SocketClient ---

// A one-connection server that answers the handshake (HELLO 3, CLIENT
// TRACKING) with what a server would say, then misbehaves on the first
// command after it.
class EvilServer {
 public:
  enum class Toxic { kResetMidReply, kHalfReplyThenStall, kNeverRead };

  explicit EvilServer(Toxic toxic) : toxic_(toxic) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listen_fd_, 4);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~EvilServer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }

 private:
  void Serve() {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0 || stop_) return;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    if (toxic_ == Toxic::kNeverRead) {
      ShrinkReceiveBuffer(fd);
    }
    // The handshake: two requests (HELLO 3, CLIENT TRACKING on).
    std::string in;
    bool eof = false;
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (Count(in) < 2 && !eof && std::chrono::steady_clock::now() < deadline) {
      in += ReadFor(fd, 1, 100ms, &eof);
    }
    SendSliced(fd, "%1\r\n$6\r\nserver\r\n$5\r\nredis\r\n+OK\r\n", 0, 0ms);
    if (toxic_ == Toxic::kNeverRead) {
      // Read nothing more; hold the connection until the test ends.
      while (!stop_) std::this_thread::sleep_for(5ms);
      ::close(fd);
      return;
    }
    // The command, then half its reply.
    in.clear();
    while (Count(in) < 1 && !eof && !stop_ && std::chrono::steady_clock::now() < deadline + 3s) {
      in += ReadFor(fd, 1, 100ms, &eof);
    }
    SendSliced(fd, "$10\r\nhalf", 0, 0ms);
    if (toxic_ == Toxic::kResetMidReply) {
      HardReset(fd);
      return;
    }
    while (!stop_) std::this_thread::sleep_for(5ms);
    ::close(fd);
  }
  // Complete multibulk requests in `s` (enough for the handshake's shapes).
  static int Count(const std::string& s) {
    int n = 0;
    size_t at = 0;
    while (at < s.size() && s[at] == '*') {
      const int argc = std::atoi(s.c_str() + at + 1);
      size_t pos = s.find("\r\n", at);
      bool whole = pos != std::string::npos;
      for (int i = 0; whole && i < argc; ++i) {
        const size_t len_at = pos + 2;
        if (len_at >= s.size()) {
          whole = false;
          break;
        }
        const int len = std::atoi(s.c_str() + len_at + 1);
        pos = s.find("\r\n", len_at);
        if (pos == std::string::npos || pos + 2 + len + 2 > s.size()) {
          whole = false;
          break;
        }
        pos += 2 + len;
      }
      if (!whole) break;
      ++n;
      at = pos + 2;
    }
    return n;
  }

  Toxic toxic_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Each toxic gives a clear error within the client's timeout (plus slack),
// closes the client, and a new Connect() can follow.
void ExpectClearError(EvilServer::Toxic toxic, std::vector<std::string> argv,
                      std::string_view want) {
  EvilServer evil(toxic);
  cache::SocketOptions so;
  so.port = evil.port();
  so.timeout_ms = 300;
  cache::SocketClient client(so, cache::CacheOptions{});
  ASSERT_TRUE(client.Connect().ok());
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<cache::CallResult> r = client.Call(std::move(argv));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find(want), std::string::npos) << r.status();
  EXPECT_LT(took, 3s);
  EXPECT_FALSE(client.connected());
}

TEST(ClientChaos, ServerResetsMidReply) {
  ExpectClearError(EvilServer::Toxic::kResetMidReply, {"GET", "k"},
                   "connection 0 closed by the server");
}

TEST(ClientChaos, ServerSendsHalfAReplyAndStalls) {
  ExpectClearError(EvilServer::Toxic::kHalfReplyThenStall, {"GET", "k"}, "no reply within 300 ms");
}

TEST(ClientChaos, ServerNeverReadsOurRequest) {
  // 8 MiB: more than both sides' socket buffers hold.
  // The socket's send timeout (the client's timeout) ends the blocked write.
  ExpectClearError(EvilServer::Toxic::kNeverRead, {"SET", "k", std::string(8 << 20, 'x')},
                   "send: Resource temporarily unavailable");
}

// Cancellation: a deadline passes while the read is in flight, and the
// client is used again at once (no state left over; ASan sees no leak or
// use-after-free in the sanitizer builds).
TEST(ClientChaos, DeadlineCancelsAnInFlightReadThenTheClientReconnects) {
  RunningServer server;
  EvilServer evil(EvilServer::Toxic::kHalfReplyThenStall);
  cache::SocketOptions so;
  so.port = evil.port();
  so.timeout_ms = 200;
  cache::SocketClient client(so, cache::CacheOptions{});
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_FALSE(client.Call({"GET", "k"}).ok());
  EXPECT_FALSE(client.connected());
  // The same object, now against a real server.
  cache::SocketOptions real;
  real.port = server.port();
  real.timeout_ms = 2000;
  cache::SocketClient again(real, cache::CacheOptions{});
  ASSERT_TRUE(again.Connect().ok());
  auto r = again.Call({"PING"});
  ASSERT_TRUE(r.ok()) << r.status();
}

// A chaos log replays on the simulated transport and passes there.
TEST(ChaosLogs, ReplayOnTheSimulatedTransport) {
  ChaosLog log;
  log.Add("c0 connect");
  LogSend(log, 0, "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n", 1);
  log.Add("c0 fin");
  auto p = harnesses::ConnProgramFromText(log.Text());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(harnesses::RunConnProgram(*p).verdict.ok);
}

}  // namespace
}  // namespace respfuzz::server::testing
