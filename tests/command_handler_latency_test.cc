// LATENCY in the command_handler harness: the engine (src/engine/latency.cc)
// and the reference model (reference_latency.cc) answer the seed
// corpus/command_handler/latency.txt alike, and latency_histogram.txt's
// counts too; an engine whose threshold goes wrong is caught at the next
// DOCTOR, one that counts a call twice at the next HISTOGRAM.
#include <string>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "src/engine/engine.h"
#include "tests/command_program_text.h"

namespace respfuzz::harnesses {
namespace {

CommandRunOptions Traced() {
  CommandRunOptions o;
  o.trace = true;
  return o;
}

TEST(CommandHandlerLatency, TheSeedAgreesWithTheModel) {
  const CommandRunResult r = RunCommandProgram(SeedProgram("latency.txt"), Traced());
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

// The counts redis-server 7.0.15 gave for the same ops (checked by hand,
// docs/fidelity.md), as the engine prints them.
TEST(CommandHandlerLatency, HistogramCountsAgreeWithTheModel) {
  const CommandRunResult r = RunCommandProgram(SeedProgram("latency_histogram.txt"), Traced());
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 41u);  // 38 ops, 3 replies to blocked sessions
  auto calls = [](const std::string& name, int n) {
    return "\"" + name + "\", [\"calls\", " + std::to_string(n) + ", \"histogram_usec\", [1, " +
           std::to_string(n) + "]]";
  };
  for (size_t i : {5u, 7u, 15u, 18u, 21u, 24u, 28u, 30u, 33u, 36u, 38u, 40u}) {
    EXPECT_NE(r.trace[i].engine, "(skipped)") << i;
  }
  // ping 2 and get 1: GETT and the arity error added nothing.
  EXPECT_NE(r.trace[5].engine.find(calls("ping", 2)), std::string::npos) << r.trace[5].engine;
  EXPECT_NE(r.trace[5].engine.find(calls("get", 1)), std::string::npos) << r.trace[5].engine;
  EXPECT_EQ(r.trace[5].engine.find("gett"), std::string::npos) << r.trace[5].engine;
  // multi 2, exec 2 (the aborted one too), incr 1.
  EXPECT_NE(r.trace[15].engine.find(calls("exec", 2)), std::string::npos) << r.trace[15].engine;
  EXPECT_NE(r.trace[15].engine.find(calls("incr", 1)), std::string::npos) << r.trace[15].engine;
  // Nothing while both BLPOPs block, 1 once one is served, 2 after CLIENT
  // UNBLOCK, still 2 after the third times out.
  EXPECT_EQ(r.trace[18].engine.find("blpop"), std::string::npos) << r.trace[18].engine;
  EXPECT_NE(r.trace[21].engine.find(calls("blpop", 1)), std::string::npos) << r.trace[21].engine;
  EXPECT_NE(r.trace[24].engine.find(calls("blpop", 2)), std::string::npos) << r.trace[24].engine;
  EXPECT_NE(r.trace[28].engine.find(calls("blpop", 2)), std::string::npos) << r.trace[28].engine;
  // The script's INCR and GET count.
  EXPECT_NE(r.trace[30].engine.find(calls("incr", 2)), std::string::npos) << r.trace[30].engine;
  // The PING while tracking was off did not.
  EXPECT_NE(r.trace[33].engine.find(calls("ping", 2)), std::string::npos) << r.trace[33].engine;
  EXPECT_EQ(r.trace[33].engine.find("config|set"), std::string::npos) << r.trace[33].engine;
  // CONFIG RESETSTAT kept its own sample only.
  EXPECT_EQ(r.trace[36].engine, "[" + calls("config|resetstat", 1) + "]") << r.trace[36].engine;
}

// A broken model piece would show the same as a broken engine one: here
// the engine records one sample too many for PING, and the model's
// histogram disagrees at the next HISTOGRAM that shows PING.
TEST(CommandHandlerLatency, AnExtraSampleInTheEngineIsCaught) {
  CommandRunOptions o = Traced();
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 1) e.LatencySample("ping");
  };
  const CommandRunResult r = RunCommandProgram(SeedProgram("latency_histogram.txt"), o);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 5) << r.verdict.ToString();
}

// A broken engine piece: the engine loses latency-monitor-threshold after
// CONFIG SET, so its DOCTOR says monitoring is off while the model's says
// no spike was seen.
TEST(CommandHandlerLatency, AThresholdTheEngineLosesIsCaught) {
  CommandRunOptions o = Traced();
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 12) e.SetParam(engine::ParamId::kLatencyMonitorThreshold, 0);
  };
  const CommandRunResult r = RunCommandProgram(SeedProgram("latency.txt"), o);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 13) << r.verdict.ToString();
}

}  // namespace
}  // namespace respfuzz::harnesses
