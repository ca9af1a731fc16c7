// MEMORY STATS and DOCTOR in the command_handler harness: the engine
// (src/engine/memory.cc) and the reference model (reference_memory.cc) each
// compute the figures, the peak and the doctor's reports; past the 5 MiB
// under which the doctor only says the instance is empty (strings larger
// than the harness's own cap), and with an engine whose peak goes wrong.
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "src/engine/engine.h"
#include "tests/command_program_text.h"

namespace respfuzz::harnesses {
namespace {

// Two 6 MB strings under maxmemory (the peak is seen before each command),
// one deleted: 7.0.15's doctor finds nothing at the first call and the peak
// at the second; without maxmemory the peak is seen at MEMORY STATS.
constexpr std::string_view kPeak =
    "s1 CONFIG SET maxmemory 100mb\n"
    "s1 SETRANGE a 6000000 x\n"
    "s1 MEMORY DOCTOR\n"
    "s1 SETRANGE b 6000000 x\n"
    "s1 DEL b\n"
    "s1 MEMORY STATS\n"
    "s1 HELLO 3\n"
    "s1 MEMORY DOCTOR\n"
    "s1 CONFIG SET maxmemory 0\n"
    "s1 SETRANGE c 9000000 x\n"
    "s1 MEMORY STATS\n"
    "s1 DEL c\n"
    "s1 MEMORY DOCTOR\n";

CommandRunOptions Large() {
  CommandRunOptions o;
  o.max_string_len = 16 * 1024 * 1024;
  o.trace = true;
  return o;
}

TEST(CommandHandlerMemory, DoctorAndStatsPastFiveMiBAgreeWithTheModel) {
  const CommandRunResult r = RunCommandProgram(Program(kPeak), Large());
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 13u);
  EXPECT_NE(r.trace[2].engine.find("I can't find any memory issue"), std::string::npos)
      << r.trace[2].engine;
  EXPECT_NE(r.trace[5].engine.find("\"peak.allocated\", 13"), std::string::npos)
      << r.trace[5].engine;
  EXPECT_NE(r.trace[7].engine.find("* Peak memory:"), std::string::npos) << r.trace[7].engine;
  EXPECT_NE(r.trace[7].engine.find("verbatim(\"txt:Sam, I detected"), std::string::npos)
      << r.trace[7].engine;
  // The 9 MB string is below the first peak (13 MB): a peak of 16 MB is
  // only there if it is seen at MEMORY STATS, and then DOCTOR reports it.
  EXPECT_NE(r.trace[10].engine.find("\"peak.allocated\": 16"), std::string::npos)
      << r.trace[10].engine;
  EXPECT_NE(r.trace[12].engine.find("* Peak memory:"), std::string::npos) << r.trace[12].engine;
}

// A broken engine piece: a peak the engine records from nowhere (as if it
// had counted memory it never held) shows at the next MEMORY STATS.
TEST(CommandHandlerMemory, AWrongPeakIsCaught) {
  CommandRunOptions o = Large();
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 4) e.NotePeakMemory(e.peak_memory() + 4096);
  };
  const CommandRunResult r = RunCommandProgram(Program(kPeak), o);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 5) << r.verdict.ToString();
}

}  // namespace
}  // namespace respfuzz::harnesses
