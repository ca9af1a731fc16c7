// The query buffer's size as Redis 7.0.15 reports it (CLIENT LIST's qbuf
// and qbuf-free, its allocation in tot-mem; src/engine/query_buffer.h, after
// networking.c's readQueryFromClient and processMultibulkBuffer and server.c's
// clientsCronResizeQueryBuffer): a fresh client's empty sds, the first read's
// 20474 bytes, a 400 kB argument's buffer of its size, the cron shrinking it
// to the recent peak, and freeing it after more than 2 s idle. Every figure
// below was seen on redis-server 7.0.15 for the same commands, except the
// shrink to a peak of 128 bytes (the server's cron timing decides whether
// it sees that peak or none) and the struct-level check at the end.
// unit/querybuf of Redis's suite checks the same against a server.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"
#include "src/engine/query_buffer.h"

namespace respfuzz::engine {
namespace {

struct Clients {
  Engine e{[] {
    EngineOptions o;
    o.start_ms = 1'795'851'319'829;
    o.enable_debug_command = EngineOptions::ProtectedAction::kYes;
    return o;
  }()};
  int admin = e.OpenSession();
  Clients() {
    // Reply buffers keep their 16384 bytes, so tot-mem moves with the
    // query buffer alone.
    Cmd(admin, {"DEBUG", "REPLYBUFFER", "resizing", "0"});
  }
  std::string Cmd(int s, std::vector<std::string> argv) {
    std::string out;
    e.Execute(s, argv, &out);
    return out;
  }
  std::string Field(const std::string& info, const std::string& name) {
    const size_t at = info.find(" " + name + "=");
    if (at == std::string::npos) return "(none)";
    const size_t from = at + name.size() + 2;
    return info.substr(from, info.find_first_of(" \n", from) - from);
  }
  // "qbuf=N qbuf-free=M tot-mem=T" of session s, as another client's
  // CLIENT LIST shows it (between its commands).
  std::string Buffer(int s) {
    const std::string list = Cmd(admin, {"CLIENT", "LIST", "ID", std::to_string(e.session(s).id)});
    return "qbuf=" + Field(list, "qbuf") + " qbuf-free=" + Field(list, "qbuf-free") +
           " tot-mem=" + Field(list, "tot-mem");
  }
  void Tick() {
    e.AdvanceClock(100);
    e.Cron();
  }
};

// tot-mem: 768 bytes of client (17160 for a fresh 7.0.15 client, less its
// 8-byte query buffer and 16384-byte reply buffer) plus the query buffer's
// allocation, 16384, and while a command runs its argument bytes and a
// pointer per argument.
TEST(EngineQueryBuffer, GrowsShrinksAndIsFreed) {
  Clients t;
  const int c = t.e.OpenSession();
  // createClient's sdsempty: 4 usable bytes in an 8-byte allocation.
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=4 tot-mem=17160");
  // The first read makes room for 16 KiB, non-greedy: 16384 bytes and a
  // 5-byte header ask 16390, jemalloc gives 20480, 20474 usable. The
  // command's 26 bytes are in it while it runs.
  const std::string self = t.Cmd(c, {"CLIENT", "INFO"});
  EXPECT_EQ(t.Field(self, "qbuf"), "26");
  EXPECT_EQ(t.Field(self, "qbuf-free"), "20448");
  EXPECT_EQ(t.Field(self, "tot-mem"), "37658");  // 768 + 20480 + 16384 + 10 + 2 * 8
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=20474 tot-mem=37632");
  t.Cmd(c, {"CLIENT", "SETNAME", "t"});
  t.Cmd(c, {"SET", "k", std::string(100, 'v')});
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=20474 tot-mem=37632");

  // A 400,000-byte argument: the buffer is made room for its bulk exactly
  // (400,002 bytes and a 9-byte header: 458,752 from jemalloc), the
  // argument takes it, and a fresh buffer of the same size follows.
  t.Cmd(c, {"SET", "x", std::string(400000, 'A')});
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=458742 tot-mem=475904");
  // The cron's first visit sees the peak of 400,002, over half the buffer:
  // no shrink, and the peak restarts at 0.
  t.Tick();
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=458742 tot-mem=475904");
  // A small command reads into the room there is (greedy: no growth); its
  // 128 bytes are the new peak, which the next visit shrinks the buffer to
  // (sdsResize records 128 as its size; the allocation is 160).
  t.Cmd(c, {"SET", "x", std::string(100, 'A')});
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=458742 tot-mem=475904");
  t.Tick();
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=128 tot-mem=17312");
  // Under 16 KiB, the next read is non-greedy again: back to 20474, which
  // is under the 32 KiB threshold, so the cron keeps it.
  t.Cmd(c, {"SET", "x", std::string(100, 'A')});
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=20474 tot-mem=37632");
  t.Tick();
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=20474 tot-mem=37632");

  // Idle 2 s (whole seconds, as c->lastinteraction) keeps it; more than 2
  // frees it (sdsRemoveFreeSpace: 0 usable, an 8-byte allocation).
  t.e.AdvanceClock(1700);  // 1.8 s since the command: idle 1 or 2
  t.e.Cron();
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=20474 tot-mem=37632");
  t.e.AdvanceClock(1300);  // 3.1 s: idle 3
  t.e.Cron();
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=0 tot-mem=17160");
  t.Cmd(c, {"SET", "x", std::string(100, 'A')});
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=20474 tot-mem=37632");
}

TEST(EngineQueryBuffer, BigArgumentsAndLargeCommands) {
  Clients t;
  const int c = t.e.OpenSession();
  // A fresh client's 30 kB MSET (no argument of 32 KiB): 16 KiB read first,
  // then the rest into the 20474 bytes there are once the parsed part is
  // trimmed: no growth.
  std::vector<std::string> mset = {"MSET"};
  for (int i = 0; i < 10; ++i) {
    mset.push_back("k" + std::to_string(i));
    mset.push_back(std::string(3000, 'v'));
  }
  t.Cmd(c, mset);
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=20474 tot-mem=37632");
  t.Cmd(c, {"SET", "x", std::string(400000, 'A')});
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=458742 tot-mem=475904");
  // A 100 kB argument fits the buffer: read whole, it is still the whole
  // buffer once trimmed, so it takes it, and the fresh one is its size
  // (100,002 + 9 + 1 asked, 114,688 given).
  t.Cmd(c, {"SET", "y", std::string(100000, 'B')});
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=114678 tot-mem=131840");
  // A 40 kB argument followed by more arguments, read at once: more than
  // its bulk is left after its header, so it is copied and the buffer
  // stays.
  t.Cmd(c, {"SET", "z", std::string(40000, 'C'), "EX", "100"});
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=114678 tot-mem=131840");
  t.Cmd(c, mset);
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=114678 tot-mem=131840");
  // The peak since the client came is 400,002: the cron's first visit
  // keeps the buffer and restarts the peak at 0; with no read since, the
  // second shrinks it to nothing (redis-server 7.0.15 showed the same
  // 0.3 s after these commands).
  t.Tick();
  t.Tick();
  EXPECT_EQ(t.Buffer(c), "qbuf=0 qbuf-free=0 tot-mem=17160");
}

// Between commands the engine's buffer is empty, so its length never
// exceeds its peak at a cron visit; the rule that the shrink keeps what
// the buffer holds is checked on the buffer itself, its peak set below its
// length by hand.
TEST(EngineQueryBuffer, ShrinkKeepsTheLength) {
  QueryBuffer q;
  const std::vector<std::string> big = {"SET", "x", std::string(400000, 'A')};
  q.Read(big);
  q.Consume();
  EXPECT_EQ(q.alloc, 458742u);
  const std::vector<std::string> held = {"SET", "k", std::string(5083, 'v')};
  q.Read(held);  // 5,112 bytes, left in the buffer
  EXPECT_EQ(q.len, 5112u);
  q.peak = 100;
  q.CronResize(0);
  EXPECT_EQ(q.len, 5112u);
  EXPECT_EQ(q.alloc, 5112u);
  // sdsResize reallocs and keeps the 9-byte header (the 5-byte one would
  // fit): 5,122 bytes asked, 6,144 given (5,118 would get 5,120).
  EXPECT_EQ(q.mem, 6144u);
  EXPECT_EQ(q.peak, 5112u);
}

}  // namespace
}  // namespace respfuzz::engine
