// The reply buffer's size as Redis 7.0.15 reports it (CLIENT LIST's rbs and
// rbp; Engine::ClientsCron, after networking.c's _addReplyToBuffer and
// server.c's clientsCronResizeOutputBuffer): an idle client's buffer shrinks
// to 1 KiB on the cron's second visit, a busy one doubles once per visit up
// to 16 KiB, the peak resets each peak-reset-time (DEBUG REPLYBUFFER).
// unit/replybufsize of Redis's suite checks the same against a server.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

struct Buffers {
  Engine e{[] {
    EngineOptions o;
    o.start_ms = 1'795'851'319'829;
    o.enable_debug_command = EngineOptions::ProtectedAction::kYes;
    return o;
  }()};
  int admin = e.OpenSession();
  std::string Cmd(int s, std::vector<std::string> argv) {
    std::string out;
    e.Execute(s, argv, &out);
    return out;
  }
  // "rbs=N rbp=M" of session s.
  std::string Sizes(int s) {
    const std::string info = Cmd(s, {"CLIENT", "INFO"});
    const size_t at = info.find("rbs=");
    return info.substr(at, info.find(" obl=", at) - at);
  }
  void Tick() {
    e.AdvanceClock(100);
    e.Cron();
  }
};

TEST(EngineReplyBuffer, IdleShrinksBusyGrows) {
  Buffers t;
  const int c = t.e.OpenSession();
  EXPECT_EQ(t.Sizes(c), "rbs=16384 rbp=16384");
  EXPECT_EQ(t.Cmd(t.admin, {"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100"}), "+OK\r\n");
  // The first visit resets the peak (the reset time was in seconds), the
  // second shrinks to PROTO_REPLY_MIN_BYTES.
  t.Tick();
  EXPECT_EQ(t.Sizes(c).substr(0, 9), "rbs=16384");
  t.Tick();
  EXPECT_EQ(t.Sizes(c).substr(0, 8), "rbs=1024");
  t.Cmd(t.admin, {"SET", "big", std::string(32768, 'x')});
  EXPECT_EQ(t.Cmd(t.admin, {"DEBUG", "REPLYBUFFER", "peak-reset-time", "never"}), "+OK\r\n");
  // Each full buffer doubles it at the next visit, up to 16 KiB.
  std::vector<std::string> seen;
  for (int i = 0; i < 6; ++i) {
    t.Cmd(c, {"GET", "big"});
    t.Tick();
    seen.push_back(t.Sizes(c));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"rbs=2048 rbp=1024", "rbs=4096 rbp=2048",
                                            "rbs=8192 rbp=4096", "rbs=16384 rbp=8192",
                                            "rbs=16384 rbp=16384", "rbs=16384 rbp=16384"}));
  const std::string info = t.Cmd(t.admin, {"INFO", "stats"});
  EXPECT_NE(info.find("reply_buffer_expands:4\r\n"), std::string::npos) << info;
  // A peak between the bounds: max(1024, peak + 1) in jemalloc's class
  // (four per doubling: 1024, 1280, 1536, ...).
  EXPECT_EQ(t.Cmd(t.admin, {"DEBUG", "REPLYBUFFER", "peak-reset-time", "reset"}), "+OK\r\n");
  t.Cmd(c, {"SET", "mid", std::string(1080, 'y')});
  t.e.AdvanceClock(5000);
  t.Tick();  // the peak is reset to the (empty) buffer's position
  t.Cmd(c, {"GET", "mid"});
  t.Tick();  // a peak of 1,089 bytes: 1,090 asked, 1,280 given
  EXPECT_EQ(t.Sizes(c).substr(0, 8), "rbs=1280");
}

TEST(EngineReplyBuffer, ResizingOffAndErrors) {
  Buffers t;
  const int c = t.e.OpenSession();
  EXPECT_EQ(t.Cmd(t.admin, {"DEBUG", "REPLYBUFFER", "resizing", "0"}), "+OK\r\n");
  for (int i = 0; i < 5; ++i) t.Tick();
  EXPECT_EQ(t.Sizes(c), "rbs=16384 rbp=16384");
  EXPECT_EQ(t.Cmd(t.admin, {"DEBUG", "REPLYBUFFER", "peak-reset-time", "soon"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(t.Cmd(t.admin, {"DEBUG", "REPLYBUFFER", "size", "1"}).substr(0, 30),
            "-ERR unknown subcommand or wro");
}

}  // namespace
}  // namespace respfuzz::engine
