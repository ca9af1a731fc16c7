// Real-socket chaos: hostile peers (tests/server/evil_peer.h) against the
// serve Server (server side) and a hostile server in front of our client
// connection layer, cache::SocketClient (client side). Each test draws its
// choices (slice sizes, delays, which toxic) from two seeds, a scheduler
// seed and a chaos seed (RESPFUZZ_CHAOS_SEED=S:C to replay a run), and
// prints them and the peers' event logs only when it fails. A log is the
// `connection` program of what the peers did (PeerSocket records it):
// `respfuzz freeze connection LOG` replays it on the simulated transport.
// RESPFUZZ_CHAOS_LOG_DIR=DIR also writes every log to DIR/<test>.txt.
// Bounded: every wait has a deadline, the whole suite takes a few seconds.
#include <dirent.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
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

// Writes `log` to $RESPFUZZ_CHAOS_LOG_DIR/<test>[-n].txt when that is set.
void SaveLog(const std::string& log, int n) {
  const char* dir = std::getenv("RESPFUZZ_CHAOS_LOG_DIR");
  if (dir == nullptr || *dir == '\0') return;
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = absl::StrCat(t->test_suite_name(), ".", t->name());
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  if (n > 0) absl::StrAppend(&name, "-", n);
  std::ofstream(absl::StrCat(dir, "/", name, ".txt")) << log;
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
    SaveLog(log, static_cast<int>(logs_.size()));
    logs_.push_back(log);
    // Every log is a connection program that records something.
    auto p = harnesses::ConnProgramFromText(log);
    EXPECT_TRUE(p.ok()) << p.status() << "\n" << log;
    if (p.ok()) {
      EXPECT_FALSE(p->ops.empty()) << log;
    }
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
    PeerSocket c0(&log, 0);
    if (!c0.Connect(port)) return false;
    std::string req;
    for (int i = 0; i < 10; ++i) req += Multibulk({"INCR", "sliced"});
    if (!c0.Send(req, slice, delay)) return false;
    std::string want;
    for (int i = 1; i <= 10; ++i) want += absl::StrCat(":", i, "\r\n");
    bool eof = false;
    const std::string got = c0.Read(want.size(), 5s, &eof);
    c0.Close();
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
    PeerSocket c0(&log, 0);
    if (!c0.Connect(port)) return false;
    if (!c0.Send("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n")) return false;
    c0.Fin();
    bool eof = false;
    const std::string got = c0.Read(1 << 20, 5s, &eof);
    c0.Close();
    return eof && got == "+PONG\r\n";
  });
  RunningServer server(Options());
  peer.Start(server.port());
  EXPECT_TRUE(Finish(peer));
  EXPECT_TRUE(WaitFor([&] { return server.server().stats().open_connections == 0; }, 5s));
}

// A peer that never reads asks for far more than its socket buffers hold (a
// 64 KiB value made by SETRANGE, then 512 GETs of it: 32 MiB; the server
// runs them a turn's budget at a time, and between turns the kernel takes
// what its buffers hold, several MiB on loopback), then waits up to `wait`,
// still not reading, for the server to close the connection; true if it
// did.
EvilPeer::Script NeverReadingPeer(std::chrono::milliseconds wait) {
  return [wait](uint16_t port, ChaosLog& log) {
    PeerSocket c0(&log, 0);
    if (!c0.Connect(port, /*small_window=*/true)) return false;
    c0.NeverRead();
    if (!c0.Send(Multibulk({"SETRANGE", "big", "65535", "v"}))) return false;
    std::string gets;
    for (int i = 0; i < 512; ++i) gets += Multibulk({"GET", "big"});
    // The server may cut us while we still write: a failed write is fine.
    c0.Send(gets);
    // Wait (without reading) until the server has closed the connection:
    // poll reports POLLRDHUP/POLLHUP/POLLERR with its FIN or RST pending.
    // Its FIN queues behind the replies its kernel already took, which a
    // peer that does not read never gets, so the peer goes on pipelining (a
    // PING every 5 ms): a request to a closed socket is answered by a RST.
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool closed = false;
    while (!closed && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
      pollfd p{c0.fd(), POLLOUT | POLLRDHUP, 0};
      if (::poll(&p, 1, 0) <= 0) continue;
      closed = p.revents & (POLLRDHUP | POLLHUP | POLLERR);
      if (!closed && (p.revents & POLLOUT)) closed = !c0.Send(Multibulk({"PING"}));
    }
    c0.Close();
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

// The check above can fail: a server whose cap is above the 32 MiB the peer
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

// --- a never-reading client of big replies, next to a client that pings ---
//
// The hostile client sets up a key, then on a connection it never reads
// pipelines a batch of 64 requests with big replies whenever its socket
// takes more, until the server cuts it at the output cap; then it does the
// same on a new connection, until it cannot connect any more (the test stops
// the server once it has its PINGs). Meanwhile another client sends PINGs
// one at a time. The server runs with its defaults (the `respfuzz serve`
// ones: a 64 MiB output cap).
struct Hostile {
  const char* name;
  std::vector<std::vector<std::string>> setup;
  std::string setup_replies;         // what the setup is answered, exactly
  std::vector<std::string> request;  // pipelined 64 at a time
};

// A 1 MiB string value and GETs of it: 64 of them are the whole cap.
Hostile BigGets() {
  return {
      "GET of a 1 MiB value", {{"SET", "k", std::string(1 << 20, 'v')}}, "+OK\r\n", {"GET", "k"}};
}

// A list of 100,000 one-byte elements and LRANGE 0 -1 of it: 700 KB replies
// of small elements, which cost the server more per byte than one big bulk.
Hostile BigRanges() {
  Hostile h{"LRANGE of a 100,000-element list", {}, "", {"LRANGE", "l", "0", "-1"}};
  for (int i = 1; i <= 100; ++i) {
    std::vector<std::string> push = {"RPUSH", "l"};
    push.resize(1002, "x");
    h.setup.push_back(push);
    absl::StrAppend(&h.setup_replies, ":", i * 1000, "\r\n");
  }
  return h;
}

constexpr auto kFirstCutWithin = 10s;  // the hostility is under way (one cut) by then
constexpr auto kHostileAtMost = 30s;   // the hostile client gives up after this
// PINGs from the first cut on, for kPingFor and until the server has cut the
// hostile client again (at most kPingAtMost): the client reconnects and is
// served again at once after each cut, so the PINGs before that cut all ran
// while the server was filling 64 MiB for it (on a loaded machine the list
// case takes more than a second per cut).
constexpr auto kPingFor = 1500ms;
constexpr auto kPingAtMost = 10s;
constexpr double kPingBoundMs = 200;    // each PING's reply within this (ms)
constexpr double kMedianBoundMs = 100;  // and half of them within this (ms)

// The hostile client's script: true if the server cut it at least once.
EvilPeer::Script NeverReaderOf(const Hostile& h) {
  std::string setup;
  for (const auto& argv : h.setup) setup += Multibulk(argv);
  const std::string setup_replies = h.setup_replies;
  std::string batch;
  for (int i = 0; i < 64; ++i) batch += Multibulk(h.request);
  return [setup, setup_replies, batch](uint16_t port, ChaosLog& log) {
    {
      PeerSocket c0(&log, 0);
      if (!c0.Connect(port) || !c0.Send(setup)) return false;
      bool eof = false;
      if (c0.Read(setup_replies.size(), 5s, &eof) != setup_replies) return false;
      c0.Close();
    }
    PeerSocket c1(&log, 1);
    int cuts = 0;
    const auto end = std::chrono::steady_clock::now() + kHostileAtMost;
    while (std::chrono::steady_clock::now() < end) {
      if (!c1.Connect(port, /*small_window=*/true)) break;  // the server stopped
      c1.NeverRead();
      bool cut = false;
      while (!cut && std::chrono::steady_clock::now() < end) {
        // Another batch whenever the socket takes it; the server's FIN or
        // RST (poll's RDHUP/HUP/ERR) or a failed write: it was cut.
        pollfd p{c1.fd(), POLLOUT | POLLRDHUP, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
          cut = true;
        } else if (p.revents & POLLOUT) {
          cut = !c1.Send(batch);
        }
      }
      cuts += cut ? 1 : 0;
      c1.Close();
    }
    return cuts > 0;
  };
}

// VmRSS and VmHWM of this process, in KiB (0 when unknown).
size_t StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':') {
      return std::strtoull(line.c_str() + len + 1, nullptr, 10);
    }
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux's clear_refs "5"); false if not allowed.
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

class NeverReader : public Chaos {
 protected:
  void Run(const Hostile& h) {
    // Fork mode: the hostile client is another process, so this process's
    // memory is the server's (and the pinging client's).
    EvilPeer peer(Mode::kFork, NeverReaderOf(h));
    const ServerOptions options;  // respfuzz serve's defaults
    RunningServer server(options);
    // The memory baseline: what this process holds with the server idle,
    // once the heap earlier tests freed is handed back.
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    const bool peak_known = ResetPeakRss();
    const size_t rss_before_kb = StatusKb("VmRSS");
    peer.Start(server.port());
    RawClient pinger(server.port());
    ASSERT_TRUE(pinger.connected());
    auto cuts = [&] { return server.server().stats().output_limit_disconnects; };
    // The hostility is real: the server held more than the cap's worth of
    // unsent replies for the hostile client (that is what a cut counts).
    ASSERT_TRUE(WaitFor([&] { return cuts() >= 1; }, kFirstCutWithin))
        << h.name << ": the hostile client was not cut at the output cap within 10 s";
    const uint64_t cuts_before = cuts();
    std::vector<double> ms;
    const auto ping_start = std::chrono::steady_clock::now();
    for (auto now = ping_start; now < ping_start + kPingAtMost;
         now = std::chrono::steady_clock::now()) {
      if (now >= ping_start + kPingFor && cuts() > cuts_before) break;
      const auto t0 = std::chrono::steady_clock::now();
      pinger.Send("*1\r\n$4\r\nPING\r\n");
      const std::string reply = pinger.Read(7, 5s);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      ASSERT_EQ(reply, "+PONG\r\n") << h.name;
      std::this_thread::sleep_for(10ms);
    }
    const uint64_t cuts_while_pinging = cuts() - cuts_before;
    const size_t peak_kb = StatusKb("VmHWM");
    EXPECT_TRUE(server.Stop().ok());  // the hostile client stops when it cannot connect
    EXPECT_TRUE(Finish(peer, 15s)) << h.name << ": the hostile client was never cut";

    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2], max = ms.back();
    std::string report =
        absl::StrCat(h.name, ": ", ms.size(), " PINGs, median ", median, " ms, max ", max, " ms; ",
                     cuts_while_pinging, " cuts at the output cap while pinging");
    // The PINGs overlapped the hostility: the server cut the hostile client
    // (after holding 64 MiB of replies for it) while they ran.
    EXPECT_GE(cuts_while_pinging, 1u) << report;
    EXPECT_LT(max, kPingBoundMs) << report;
    EXPECT_LT(median, kMedianBoundMs) << report;
    // Memory: the hostile client has one connection at a time (it
    // reconnects once cut), and the server holds at most the cap plus one
    // reply for it, in blocks that are not copied as more queue; 32 MiB more
    // for the rest (the key or list, the session buffers, a block growing,
    // the allocator's slack). Replies kept in one growing string would need
    // up to twice the cap (the 128 MiB string a 64 MiB one grows into,
    // touched while the 64 MiB one is copied). ASan keeps freed blocks in
    // quarantine (up to 256 MiB) and allocates shadow memory, so it is not
    // measured there.
    if (peak_known && !kAddressSanitizer) {
      const size_t bound_kb = rss_before_kb + (options.max_output_buffer >> 10) + (32 << 10);
      EXPECT_LE(peak_kb, bound_kb) << report << "; peak RSS " << (peak_kb >> 10) << " MiB, from "
                                   << (rss_before_kb >> 10) << " MiB";
      absl::StrAppend(&report, "; peak RSS ", peak_kb >> 10, " MiB (", rss_before_kb >> 10,
                      " MiB before)");
    }
    std::fprintf(stderr, "%s\n", report.c_str());
  }
};

TEST_F(NeverReader, BigGetsDoNotSlowAnotherClientsPing) { Run(BigGets()); }
TEST_F(NeverReader, BigRangesDoNotSlowAnotherClientsPing) {
  // Under ASan and UBSan one such reply takes over 100 ms and a cut at the
  // cap about 10 s: the case measures the cost per byte of small elements,
  // which the sanitizers change tenfold. The GET case runs there.
  if (kAddressSanitizer) GTEST_SKIP() << "a cut at the cap takes ~10 s under ASan";
  Run(BigRanges());
}

// RST in the middle of a pipeline: 200 INCRs in slices, reset before
// reading anything. The server closes the connection and goes on.
TEST_P(Chaos, HardResetMidPipeline) {
  const size_t slice = Slice(64);
  EvilPeer peer(GetParam(), [slice](uint16_t port, ChaosLog& log) {
    PeerSocket c0(&log, 0);
    if (!c0.Connect(port)) return false;
    std::string incrs;
    for (int i = 0; i < 200; ++i) incrs += Multibulk({"INCR", "n"});
    c0.Send(incrs, slice);
    c0.Reset();
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

// RST while a write is pending: a 200 KiB reply the peer does not read (its
// receive window is small), then RST.
TEST_P(Chaos, HardResetMidWrite) {
  const auto delay = Delay(50);
  EvilPeer peer(GetParam(), [delay](uint16_t port, ChaosLog& log) {
    PeerSocket c0(&log, 0);
    if (!c0.Connect(port, /*small_window=*/true)) return false;
    c0.StopReading();
    c0.Send(Multibulk({"SETRANGE", "w", "204799", "w"}) + Multibulk({"GET", "w"}));
    std::this_thread::sleep_for(delay + 20ms);
    c0.Reset();
    return true;
  });
  RunningServer server(Options());
  peer.Start(server.port());
  EXPECT_TRUE(Finish(peer));
  EXPECT_TRUE(WaitFor([&] { return server.server().stats().open_connections == 0; }, 5s))
      << server.server().stats().open_connections << " connections still open";
  EXPECT_TRUE(Serves(server.port()));
}

// A storm: many connections at once from several threads, each closed
// politely, reset, or cut mid-request; the server ends with none open.
// Thread t plays client ct of the log (a new connection each time).
TEST_P(Chaos, ConnectionStorm) {
  const uint64_t seed = chaos_();
  EvilPeer peer(GetParam(), [seed](uint16_t port, ChaosLog& log) {
    constexpr int kThreads = 4, kEach = 40;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(seed + t);
        PeerSocket c(&log, t);
        for (int i = 0; i < kEach; ++i) {
          if (!c.Connect(port)) {
            ++failures;
            continue;
          }
          switch (rng() % 4) {
            case 0:
              c.Close();
              break;
            case 1:
              c.Reset();
              break;
            case 2:
              c.Send("*2\r\n$3\r\nGET");
              c.Close();
              break;
            default: {
              c.Send("*1\r\n$4\r\nPING\r\n");
              bool eof = false;
              if (c.Read(7, 3s, &eof) != "+PONG\r\n") ++failures;
              c.Close();
            }
          }
        }
      });
    }
    for (auto& th : threads) th.join();
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

// --- the event log ---

// What each PeerSocket call writes, and the cap.
TEST(ChaosLogs, PeerSocketRecordsWhatWasSent) {
  RunningServer server;
  ChaosLog log;
  PeerSocket c2(&log, 2);
  ASSERT_TRUE(c2.Connect(server.port(), /*small_window=*/true));
  c2.StopReading();
  const std::string req = Multibulk({"GET", std::string(150, 'k')});  // 171 bytes: two lines
  ASSERT_TRUE(c2.Send(req, 7));
  bool eof = false;
  EXPECT_EQ(c2.Read(5, 3s, &eof), "$-1\r\n");
  c2.Fin();
  c2.Reset();
  const std::string want = absl::StrCat(
      "c2 connect\ntick\nc2 window 0\ntick\n", "c2 send \"*2\\r\\n$3\\r\\nGET\\r\\n$150\\r\\n",
      std::string(128 - 19, 'k'), "\" /7\ntick\n", "c2 send \"", std::string(150 - 109, 'k'),
      "\\r\\n\" /7\ntick\n", "c2 window 5\ntick\nc2 fin\ntick\nc2 rst\ntick\n");
  EXPECT_EQ(log.Text(), want);
  auto p = harnesses::ConnProgramFromText(log.Text());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->ops.size(), 14u);

  // At the cap the rest is counted, and the text is still a program.
  ChaosLog full;
  harnesses::ConnOp tick_op;
  for (size_t i = 0; i < harnesses::kConnMaxOps / 2 + 3; ++i) full.Add(tick_op);
  EXPECT_EQ(full.ops(), harnesses::kConnMaxOps);
  EXPECT_EQ(full.dropped(), 3u);
  EXPECT_NE(full.Text().find("# 3 more client actions not recorded"), std::string::npos);
  auto capped = harnesses::ConnProgramFromText(full.Text());
  ASSERT_TRUE(capped.ok()) << capped.status();
  EXPECT_EQ(capped->ops.size(), harnesses::kConnMaxOps);

  // Comments (a failed write's error) are capped too, one line each.
  ChaosLog notes;
  for (size_t i = 0; i < ChaosLog::kMaxNotes + 4; ++i) notes.Note("a\nb");
  const std::string text = notes.Text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), ChaosLog::kMaxNotes);
  EXPECT_EQ(text.substr(0, 6), "# a b\n");
}

// Reads a segment twice (the server runs bytes the client sent once): a
// planted failure for the freeze below.
class DuplicatesReads : public harnesses::ForwardingTransport {
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

// A real run, four clients at once (a sliced pipeline, a small window read
// bit by bit then reset, half a request then FIN, a PING then close), its
// log frozen the way `respfuzz freeze connection LOG` does it
// (the registered minimize, then the text form): on the simulated transport it
// replays and passes, so there is nothing to freeze; against a server
// with a planted bug (reads duplicated) the same log fails and freezes
// into a smaller program that still fails there and passes on the real
// server.
TEST(ChaosLogs, ARealRunsLogReplaysAndAPlantedFailureFreezes) {
  RunningServer server;
  EvilPeer peer(Mode::kThread, [](uint16_t port, ChaosLog& log) {
    PeerSocket c0(&log, 0), c1(&log, 1), c2(&log, 2), c3(&log, 3);
    if (!c0.Connect(port) || !c1.Connect(port, true) || !c2.Connect(port) || !c3.Connect(port)) {
      return false;
    }
    c1.StopReading();
    std::string incrs;
    for (int i = 0; i < 20; ++i) incrs += Multibulk({"INCR", "f"});
    bool ok = c0.Send(incrs, 5);
    ok = c1.Send(Multibulk({"SETRANGE", "v", "2999", "x"}) + Multibulk({"GET", "v"})) && ok;
    ok = c2.Send("*3\r\n$3\r\nSET\r\n$1\r\nk") && ok;
    c2.Fin();
    ok = c3.Send(Multibulk({"PING"})) && ok;
    bool eof = false;
    ok = c3.Read(7, 3s, &eof) == "+PONG\r\n" && ok;
    c3.Close();
    std::string got;
    for (int i = 0; i < 3 && got.size() < 1000; ++i) got += c1.Read(400, 1s, &eof);
    c1.Reset();
    got = c0.Read(4 * 9 + 5 * 11, 3s, &eof);  // ":1\r\n" .. ":20\r\n"
    c0.Close();
    ok = got.size() == 4 * 9 + 5 * 11 && ok;
    got = c2.Read(1, 3s, &eof);
    return ok && eof && got.empty();
  });
  peer.Start(server.port());
  std::string log;
  ASSERT_TRUE(peer.Join(10s, &log)) << log;
  SaveLog(log, 0);
  auto p = harnesses::ConnProgramFromText(log);
  ASSERT_TRUE(p.ok()) << p.status() << "\n" << log;
  EXPECT_GE(p->ops.size(), 2u * 15) << log;  // connects, sends, windows, fin, rst, closes
  for (std::string_view op :
       {"c0 send", "c1 window 0", "c1 window 400", "c1 rst", "c2 fin", "c3 close"}) {
    EXPECT_NE(log.find(op), std::string::npos) << op << " missing from\n" << log;
  }

  // Replays on the simulated transport and passes: freeze has nothing to do.
  absl::StatusOr<std::string> bytes = harnesses::kRegisteredHarness_connection.encode_text(log);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_TRUE(harnesses::kRegisteredHarness_connection.run(*bytes).ok)
      << harnesses::kRegisteredHarness_connection.explain(*bytes);
  harnesses::MinimizeReport report;
  EXPECT_FALSE(harnesses::kRegisteredHarness_connection.minimize(*bytes, &report).has_value());

  // The planted bug: the same log fails, and freezes into a regression.
  harnesses::ConnectionUnderTest broken;
  broken.transport = [](SimTransport* sim) { return std::make_unique<DuplicatesReads>(sim); };
  const harnesses::ConnRunResult failing = harnesses::RunConnProgram(*p, broken);
  ASSERT_FALSE(failing.verdict.ok);
  std::optional<harnesses::ConnProgram> frozen =
      harnesses::MinimizeConnProgram(*p, broken, &report);
  ASSERT_TRUE(frozen.has_value());
  EXPECT_EQ(report.steps_before, p->ops.size());
  EXPECT_LT(report.steps_after, report.steps_before);
  const fuzz::Verdict again = harnesses::RunConnProgram(*frozen, broken).verdict;
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.check, failing.verdict.check);
  EXPECT_TRUE(harnesses::RunConnProgram(*frozen).verdict.ok);
  // What freeze writes: the text form, which encodes back to the same program.
  const std::string text = harnesses::ConnProgramToText(*frozen);
  auto reread = harnesses::ConnProgramFromText(text);
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_EQ(*reread, *frozen);
  EXPECT_EQ(harnesses::DecodeConnProgram(harnesses::EncodeConnProgram(*frozen)), *frozen);
}

// --- the client side: a hostile server in front of cache::SocketClient ---

// Open descriptors of this process.
int OpenFds() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
  }
  return n;
}

// A server that answers the handshake (HELLO 3, CLIENT TRACKING) of the
// first connection with what a server would say, then misbehaves on the
// first command after it. Later connections (the client connecting again)
// are relayed to 127.0.0.1:forward_port when it is set, else closed.
class EvilServer {
 public:
  enum class Toxic { kResetMidReply, kHalfReplyThenStall, kNeverRead };

  explicit EvilServer(Toxic toxic, uint16_t forward_port = 0)
      : toxic_(toxic), forward_port_(forward_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listen_fd_, 4);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~EvilServer() {
    stop_ = true;
    thread_.join();
    for (std::thread& t : conns_) t.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  // The handshake was answered / the toxic was applied (half a reply sent,
  // or the reading stopped).
  bool handshaken() const { return handshaken_; }
  bool toxic_applied() const { return toxic_applied_; }
  int relayed() const { return relayed_; }

 private:
  void AcceptLoop() {
    bool first = true;
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      if (first) {
        first = false;
        conns_.emplace_back([this, fd] { Misbehave(fd); });
      } else if (forward_port_ != 0) {
        ++relayed_;
        conns_.emplace_back([this, fd] { Relay(fd); });
      } else {
        ::close(fd);
      }
    }
  }

  void Misbehave(int fd) {
    if (toxic_ == Toxic::kNeverRead) ShrinkReceiveBuffer(fd);
    // The handshake: two requests (HELLO 3, CLIENT TRACKING on).
    std::string in;
    bool eof = false;
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (Count(in) < 2 && !eof && std::chrono::steady_clock::now() < deadline) {
      in += ReadFor(fd, 1, 100ms, &eof);
    }
    SendSliced(fd, "%1\r\n$6\r\nserver\r\n$5\r\nredis\r\n+OK\r\n", 0, 0ms);
    handshaken_ = true;
    if (toxic_ == Toxic::kNeverRead) {
      // Read nothing more; hold the connection until the test ends.
      toxic_applied_ = true;
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
    toxic_applied_ = true;
    if (toxic_ == Toxic::kResetMidReply) {
      HardReset(fd);
      return;
    }
    while (!stop_) std::this_thread::sleep_for(5ms);
    ::close(fd);
  }

  // Copies bytes both ways between `fd` and a connection to forward_port_
  // until either side closes or the server stops.
  void Relay(int fd) {
    const int up = ConnectLoopback(forward_port_);
    char buf[16384];
    bool open = up >= 0;
    while (open && !stop_) {
      pollfd p[2] = {{fd, POLLIN, 0}, {up, POLLIN, 0}};
      if (::poll(p, 2, 20) <= 0) continue;
      for (int i = 0; i < 2 && open; ++i) {
        if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const ssize_t n = ::recv(p[i].fd, buf, sizeof(buf), 0);
        open = n > 0 && SendSliced(p[1 - i].fd, std::string_view(buf, n), 0, 0ms);
      }
    }
    if (up >= 0) ::close(up);
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
  uint16_t forward_port_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false}, handshaken_{false}, toxic_applied_{false};
  std::atomic<int> relayed_{0};
  std::thread thread_;
  std::vector<std::thread> conns_;  // only the accept thread adds, before the destructor joins
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

// After a failed call the same client object connects again (relayed to a
// real server) and works: a PING, a SET and its GET.
void ExpectTheSameClientWorksAgain(cache::SocketClient& client, const EvilServer& evil) {
  absl::Status st = client.Connect();
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(evil.relayed(), 1);
  auto r = client.Call({"PING"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->value.str, "PONG");
  ASSERT_TRUE(client.Call({"SET", "again", "1"}).ok());
  r = client.Call({"GET", "again"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->value.str, "1");
}

// Cancellation by a deadline: it passes while the read is in flight, the
// call fails and closes the client, and the same object connects again.
TEST(ClientChaos, DeadlineCancelsAnInFlightReadThenTheSameClientReconnects) {
  const int fds = OpenFds();
  {
    RunningServer server;
    EvilServer evil(EvilServer::Toxic::kHalfReplyThenStall, server.port());
    cache::SocketOptions so;
    so.port = evil.port();
    so.timeout_ms = 200;
    cache::SocketClient client(so, cache::CacheOptions{});
    ASSERT_TRUE(client.Connect().ok());
    auto r = client.Call({"GET", "k"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
    EXPECT_TRUE(evil.toxic_applied());
    EXPECT_FALSE(client.connected());
    ExpectTheSameClientWorksAgain(client, evil);
  }
  EXPECT_EQ(OpenFds(), fds) << "descriptors leaked";
}

// Cancellation by a second thread, while the client waits for a reply that
// stalls halfway (read in flight) or while its 8 MiB write is blocked on a
// server that never reads (write in flight): Cancel() ends the call at once
// with CANCELLED (the client's own timeout is 10 s), the client is closed,
// and the same object connects again and works. ASan (fuzz preset) watches
// for a use-after-free or leak; the descriptor count must come back.
void CancelInFlight(EvilServer::Toxic toxic, std::vector<std::string> argv) {
  const int fds = OpenFds();
  {
    RunningServer server;
    EvilServer evil(toxic, server.port());
    cache::SocketOptions so;
    so.port = evil.port();
    so.timeout_ms = 10000;
    cache::SocketClient client(so, cache::CacheOptions{});
    ASSERT_TRUE(client.Connect().ok());
    std::atomic<bool> returned{false};
    absl::StatusOr<cache::CallResult> r;
    std::chrono::steady_clock::duration took{};
    std::thread caller([&] {
      const auto start = std::chrono::steady_clock::now();
      r = client.Call(std::move(argv));
      took = std::chrono::steady_clock::now() - start;
      returned = true;
    });
    // The operation is in flight: the toxic is on and the call has not
    // returned some time later.
    EXPECT_TRUE(WaitFor([&] { return evil.toxic_applied(); }, 5s));
    std::this_thread::sleep_for(200ms);
    EXPECT_FALSE(returned) << "the call ended before it was cancelled";
    client.Cancel();
    caller.join();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
    EXPECT_LT(took, 5s);
    EXPECT_FALSE(client.connected());
    ExpectTheSameClientWorksAgain(client, evil);
  }
  EXPECT_EQ(OpenFds(), fds) << "descriptors leaked";
}

TEST(ClientChaos, CancelFromAnotherThreadEndsAnInFlightRead) {
  CancelInFlight(EvilServer::Toxic::kHalfReplyThenStall, {"GET", "k"});
}

TEST(ClientChaos, CancelFromAnotherThreadEndsAnInFlightWrite) {
  CancelInFlight(EvilServer::Toxic::kNeverRead, {"SET", "k", std::string(8 << 20, 'x')});
}

// Cancel() with nothing in flight: the next call fails with CANCELLED
// without sending anything; Connect() clears it.
TEST(ClientChaos, CancelWithNothingInFlightFailsTheNextCall) {
  RunningServer server;
  cache::SocketOptions so;
  so.port = server.port();
  so.timeout_ms = 2000;
  cache::SocketClient client(so, cache::CacheOptions{});
  ASSERT_TRUE(client.Connect().ok());
  client.Cancel();
  auto r = client.Call({"SET", "cancelled", "1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
  EXPECT_FALSE(client.connected());
  ASSERT_TRUE(client.Connect().ok());
  r = client.Call({"EXISTS", "cancelled"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->value.integer, 0);
}

}  // namespace
}  // namespace respfuzz::server::testing
