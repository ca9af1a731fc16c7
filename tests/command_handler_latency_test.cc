// LATENCY in the command_handler harness: the engine (src/engine/latency.cc)
// and the reference model (reference_latency.cc) answer the seed
// corpus/command_handler/latency.txt alike, HISTOGRAM stays out of the
// comparison, and an engine whose threshold goes wrong is caught at the next
// DOCTOR.
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "src/engine/engine.h"
#include "tests/command_program_text.h"

namespace respfuzz::harnesses {
namespace {

std::string Seed() {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/corpus/command_handler/latency.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandRunOptions Traced() {
  CommandRunOptions o;
  o.trace = true;
  return o;
}

TEST(CommandHandlerLatency, TheSeedAgreesWithTheModel) {
  const CommandRunResult r = RunCommandProgram(Program(Seed()), Traced());
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 24u);
  // GRAPH's event name, cut at its NUL.
  EXPECT_NE(r.trace[5].engine.find("No samples available for event 'a'"), std::string::npos)
      << r.trace[5].engine;
  EXPECT_NE(r.trace[6].engine.find("Latency monitoring is disabled"), std::string::npos)
      << r.trace[6].engine;
  EXPECT_NE(r.trace[13].engine.find("no latency spike was observed"), std::string::npos)
      << r.trace[13].engine;
  EXPECT_NE(r.trace[15].engine.find("verbatim(\"txt:Dave, no latency spike"), std::string::npos)
      << r.trace[15].engine;
  // A script may ask for HELP only.
  EXPECT_NE(r.trace[18].engine.find("not allowed from script"), std::string::npos)
      << r.trace[18].engine;
}

TEST(CommandHandlerLatency, HistogramIsLeftOutOnBothSides) {
  const CommandRunResult r = RunCommandProgram(
      Program("s1 PING\ns1 latency HISTOGRAM\ns1 LATENCY histogram ping\n"), Traced());
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 3u);
  EXPECT_EQ(r.trace[1].engine, "(skipped)");
  EXPECT_EQ(r.trace[2].engine, "(skipped)");
}

// A broken engine piece: the engine loses latency-monitor-threshold after
// CONFIG SET, so its DOCTOR says monitoring is off while the model's says
// no spike was seen.
TEST(CommandHandlerLatency, AThresholdTheEngineLosesIsCaught) {
  CommandRunOptions o = Traced();
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 12) e.SetParam(engine::ParamId::kLatencyMonitorThreshold, 0);
  };
  const CommandRunResult r = RunCommandProgram(Program(Seed()), o);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 13) << r.verdict.ToString();
}

}  // namespace
}  // namespace respfuzz::harnesses
