// FUZZ_CHECK_VERDICT's report (harnesses/common/fuzz_check.h): the first
// line's fields and quoting, the whole report and the abort; and the op the
// program harnesses' runners name in Verdict::op, which the campaign report
// groups check failures by (tools/campaign/report.py). connection's and
// cluster_routing's failed ops are also checked in their harness tests.
#include "harnesses/common/fuzz_check.h"

#include <gtest/gtest.h>

#include <string>

#include "harnesses/cluster_routing/checks.h"
#include "harnesses/cluster_routing/program.h"
#include "harnesses/command_handler/checks.h"
#include "harnesses/command_handler/program.h"
#include "harnesses/invalidation/checks.h"
#include "harnesses/invalidation/program.h"

namespace respfuzz::harnesses {
namespace {

fuzz::Verdict Failed(std::string check, int64_t step, std::string op) {
  fuzz::Verdict v = fuzz::Verdict::Fail(std::move(check), step, "what went wrong");
  v.op = std::move(op);
  return v;
}

TEST(FuzzCheck, FirstLineNamesHarnessCheckOpAndStep) {
  EXPECT_EQ(
      fuzz::CheckFailedLine("invalidation", Failed("staleness", 7, "read GET")),
      R"(==respfuzz== check failed: harness=invalidation check=staleness op="read GET" step=7)");
  EXPECT_EQ(fuzz::CheckFailedLine("command_handler", Failed("reference", 1, "EXPIRE")),
            "==respfuzz== check failed: harness=command_handler check=reference op=EXPIRE step=1");
  // No op (a byte harness), no step (-1): neither field.
  EXPECT_EQ(fuzz::CheckFailedLine("resp_reader", Failed("chunking", -1, "")),
            "==respfuzz== check failed: harness=resp_reader check=chunking");
}

TEST(FuzzCheck, ValuesOutsidePlainWordsAreQuotedAndEscaped) {
  EXPECT_EQ(fuzz::CheckFailedLine("h", Failed("a\"b\\c", -1, "x\ny\x7f")),
            R"(==respfuzz== check failed: harness=h check="a\"b\\c" op="x\x0ay\x7f")");
  EXPECT_EQ(fuzz::CheckFailedLine("h", Failed("", -1, "(other command)")),
            R"x(==respfuzz== check failed: harness=h check="" op="(other command)")x");
  EXPECT_EQ(fuzz::CheckFailedLine("h", Failed("a.b:c/d+e-f_g", 0, "")),
            "==respfuzz== check failed: harness=h check=a.b:c/d+e-f_g step=0");
}

TEST(FuzzCheckDeathTest, ReportsTheVerdictAndTheInputThenAborts) {
  const fuzz::Verdict v = Failed("staleness", 7, "read GET");
  EXPECT_DEATH(fuzz::CheckFailed("invalidation", v, "c1 read GET k1"),
               "\n==respfuzz== check failed: harness=invalidation check=staleness op=\"read GET\" "
               "step=7\nviolation \\[staleness\\] at step 7: what went wrong\n--- input ---\n"
               "c1 read GET k1\n==respfuzz== end of check failure\n");
}

// --- the op of each program harness's runner

TEST(VerdictOp, CommandHandlerNamesTheCommand) {
  auto program = CommandProgramFromText("s1 SET k1 v1\ns1 expire k1 100\n");
  ASSERT_TRUE(program.ok()) << program.status();
  CommandRunOptions broken;
  broken.corrupt_reply = [](size_t op, std::string* reply) {
    if (op == 1) *reply = ":0\r\n";
  };
  fuzz::Verdict v = RunCommandProgram(*program, broken).verdict;
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "reference");
  EXPECT_EQ(v.op, "EXPIRE") << "named as CommandNames() spells it, whatever the case";

  // A literal name that is no command the program can name is one kind.
  program = CommandProgramFromText("s1 NOSUCHCMD k1\n");
  ASSERT_TRUE(program.ok()) << program.status();
  broken.corrupt_reply = [](size_t, std::string* reply) { *reply = "+OK\r\n"; };
  v = RunCommandProgram(*program, broken).verdict;
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.op, "(other command)");
}

TEST(VerdictOp, InvalidationNamesTheCommandTheServerRanOrTheOp) {
  invalidation::RunOptions broken;
  broken.cache_bugs.ignore_invalidations = true;
  broken.tracker_bugs.own_invalidation_before_reply = true;
  auto stale = invalidation::ProgramFromText(
      "client c1 default resp3\nclient c2 plain resp3\ndeliver-all\nc2 write SET k1 v1\n"
      "deliver-all\nc1 read GET k1\ndeliver-all\nc2 write SET k1 v2\ndeliver-all\n"
      "c1 read GET k1\n");
  ASSERT_TRUE(stale.ok()) << stale.status();
  fuzz::Verdict v = invalidation::RunProgram(*stale, broken).verdict;
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "staleness");
  EXPECT_EQ(v.op, "read GET");

  auto own = invalidation::ProgramFromText(
      "client c1 default resp3\ndeliver-all\nc1 read GET k1\ndeliver-all\n"
      "c1 write MSET k1 v1 k2 v2\nsend c1\n");
  ASSERT_TRUE(own.ok()) << own.status();
  v = invalidation::RunProgram(*own, broken).verdict;
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "reference");
  EXPECT_EQ(v.op, "MSET") << "the command the server ran at the send op";

  // The same program failing at its deliver op once the bytes are corrupted.
  invalidation::RunOptions corrupt;
  corrupt.corrupt_server_output = [](size_t op, int, std::string* bytes) {
    if (op == 4 && !bytes->empty()) (*bytes)[0] = '?';
  };
  v = invalidation::RunProgram(*own, corrupt).verdict;
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.check, "framing");
  EXPECT_EQ(v.op, "MSET");
}

// Refuses every CLUSTER SLOTS after the first `accepted`.
class RefusesRefresh : public RoutingClientUnderTest {
 public:
  explicit RefusesRefresh(int accepted) : accepted_(accepted) {}
  absl::Status Refresh(const resp::Value& cluster_slots) override {
    if (accepted_-- <= 0) return absl::InternalError("refused");
    return RoutingClientUnderTest::Refresh(cluster_slots);
  }

 private:
  int accepted_;
};

TEST(VerdictOp, ClusterRoutingNamesTheOpOrTheStart) {
  // (A failed get: ClusterRoutingHarness.EachCheckCanFail.)
  auto p = RoutingProgramFromText("get foo\nrefresh\n");
  ASSERT_TRUE(p.ok()) << p.status();
  RefusesRefresh second(1);
  fuzz::Verdict v = RunRoutingProgram(*p, second).verdict;
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.op, "refresh");
  RefusesRefresh first(0);
  v = RunRoutingProgram(*p, first).verdict;
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.op, "start") << "the first CLUSTER SLOTS comes before any op";
}

}  // namespace
}  // namespace respfuzz::harnesses
