// HyperLogLog in the command_handler harness: PFADD, PFCOUNT, PFMERGE and
// PFDEBUG (but GETREG) are compared with the reference model
// (reference_hll.cc), not skipped, and an engine whose HLL bytes go wrong
// is caught at the next op that reads them, whichever reads them.
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "src/engine/engine.h"
#include "tests/command_program_text.h"

namespace respfuzz::harnesses {
namespace {

// The engine's string at `key` in db 0, for a test to break (nullptr when
// there is none).
std::string* EngineString(engine::Engine& e, std::string_view key) {
  engine::Object* v = e.keyspace().Find(0, key);
  return v == nullptr ? nullptr : &engine::As<std::string>(*v);
}

TEST(CommandHandlerHll, PfCommandsAreNamedAndCompared) {
  for (std::string_view name : {"PFADD", "PFCOUNT", "PFMERGE", "PFDEBUG"}) {
    bool named = false;
    for (std::string_view n : CommandNames()) named = named || n == name;
    EXPECT_TRUE(named) << name;
    EXPECT_FALSE(OutsideTheModel({std::string(name), "k1"})) << name;
  }
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r =
      RunCommandProgram(Program("s1 PFADD k1 a b\ns1 PFCOUNT k1\ns1 PFMERGE k2 k1\n"), o);
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 3u);
  for (const auto& step : r.trace) EXPECT_NE(step.engine, "(skipped)");
}

// The engine's value loses a register (the VAL opcode of the only element
// becomes a ZERO): PFCOUNT (a stale cache), GET, PFADD of the same element
// and PFMERGE then PFCOUNT all disagree with the model.
TEST(CommandHandlerHll, ABrokenHllValueIsCaught) {
  CommandRunOptions o;
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op != 1) return;
    std::string* s = EngineString(e, "k1");
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(s->size(), 21u);  // header, XZERO, VAL, XZERO
    (*s)[18] = '\0';            // VAL(v,1) -> ZERO(1)
  };
  for (std::string_view read :
       {"s2 PFCOUNT k1", "s2 GET k1", "s2 PFADD k1 a", "s2 PFMERGE k2 k1\ns2 PFCOUNT k2",
        "s2 PFCOUNT k1 k3", "s2 PFDEBUG DECODE k1", "s2 PFDEBUG TODENSE k1\ns2 GET k1"}) {
    const std::string text = "s1 PFADD k1 a\ns1 PING\n" + std::string(read);
    EXPECT_TRUE(RunCommandProgram(Program(text)).verdict.ok) << text;
    const auto r = RunCommandProgram(Program(text), o);
    EXPECT_EQ(r.verdict.check, "reference") << text << "\n" << r.verdict.ToString();
    EXPECT_GE(r.verdict.step, 2) << text;
  }
}

// PFDEBUG's seed agrees with the model; GETREG alone is skipped (its
// reply passes the reply budget) and PFSELFTEST is the engine's.
TEST(CommandHandlerHll, PfdebugSeedAgreesAndGetregIsSkipped) {
  EXPECT_TRUE(OutsideTheModel({"PFDEBUG", "getreg", "k"}));
  EXPECT_FALSE(OutsideTheModel({"PFDEBUG", "DECODE", "k"}));
  EXPECT_TRUE(OutsideTheModel({"PFSELFTEST"}));
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r = RunCommandProgram(SeedProgram("hyperloglog_debug.txt"), o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 34u);
  EXPECT_EQ(r.trace[2].engine, "\"Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\"");
  EXPECT_EQ(r.trace[10].engine, "[3]");          // TODENSE left the WATCH clean
  EXPECT_EQ(r.trace[28].engine, "\"Z:16129\"");  // an XZERO cut short reads a 0
}

// An engine whose TODENSE leaves the value sparse: the next ENCODING says so.
TEST(CommandHandlerHll, ATodenseThatDoesNothingIsCaught) {
  CommandRunOptions o;
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op != 2) return;
    std::string* s = EngineString(e, "k1");
    ASSERT_NE(s, nullptr);
    *s = "HYLL\x01" + std::string(11, '\0') + "\x7f\xff";  // an empty sparse value again
  };
  const std::string text =
      "s1 PFADD k1 a\ns1 PFDEBUG TODENSE k1\ns1 PING\ns1 PFDEBUG ENCODING k1\n";
  EXPECT_TRUE(RunCommandProgram(Program(text)).verdict.ok);
  const auto r = RunCommandProgram(Program(text), o);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 3) << r.verdict.ToString();
}

}  // namespace
}  // namespace respfuzz::harnesses
