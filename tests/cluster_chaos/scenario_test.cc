// The scenario DSL of `respfuzz cluster`: the issue's example reads as
// written, parse -> export -> parse is the identity, a seed always generates
// the same scenario, bad files give one error line with the line number, and
// every cap is enforced at its boundary.
#include "tools/cluster/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace respfuzz::cluster_chaos {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& name) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/tests/cluster_chaos/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The error message of parsing `yaml` ("" when it parses).
std::string ErrorOf(const std::string& yaml) {
  absl::StatusOr<Scenario> s = ParseScenario(yaml);
  return s.ok() ? "" : std::string(s.status().message());
}

const char* const kMinimal =
    "scenario_id: \"t\"\n"
    "cluster: {num_shards: 3, replicas_per_shard: 1}\n"
    "operations:\n"
    "  - type: \"failover\"\n"
    "    target_node: \"shard-0-primary\"\n";

TEST(ClusterScenario, TheIssueExampleReadsAsWritten) {
  absl::StatusOr<Scenario> s = ParseScenario(ReadFile("example.yaml"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->id, "my-test");
  EXPECT_EQ(s->seed, 42u);
  EXPECT_EQ(s->cluster.num_shards, 3);
  EXPECT_EQ(s->cluster.replicas_per_shard, 1);
  EXPECT_EQ(s->cluster.base_port, 7000);
  ASSERT_EQ(s->operations.size(), 1u);
  EXPECT_EQ(s->operations[0].type, OpType::kFailover);
  EXPECT_EQ(s->operations[0].failover, FailoverMode::kDefault);
  EXPECT_EQ(s->operations[0].timing, (OpTiming{1.0, 30.0, 2.0}));
  EXPECT_EQ(s->chaos.signal, ChaosSignal::kSigkill);
  EXPECT_EQ(s->chaos.strategy, TargetStrategy::kPrimaryOnly);
  EXPECT_EQ(s->chaos.delay_before_operation, 0.5);
  EXPECT_EQ(s->chaos.chaos_duration, 10.0);
  EXPECT_FALSE(s->chaos.before);
  EXPECT_TRUE(s->chaos.during);
  EXPECT_EQ(s->validation.convergence_timeout, 60.0);
  EXPECT_EQ(s->validation.max_replication_lag, 5.0);
}

TEST(ClusterScenario, RoundTripOfTheExampleAndOfGeneratedScenarios) {
  absl::StatusOr<Scenario> s = ParseScenario(ReadFile("example.yaml"));
  ASSERT_TRUE(s.ok());
  absl::StatusOr<Scenario> again = ParseScenario(ToYaml(*s));
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << ToYaml(*s);
  EXPECT_EQ(*again, *s);
  for (uint64_t seed = 0; seed < 500; ++seed) {
    const Scenario g = GenerateScenario(seed);
    ASSERT_TRUE(CheckScenario(g).ok()) << seed << ": " << CheckScenario(g);
    absl::StatusOr<Scenario> p = ParseScenario(ToYaml(g));
    ASSERT_TRUE(p.ok()) << seed << ": " << p.status() << "\n" << ToYaml(g);
    EXPECT_EQ(*p, g) << ToYaml(g);
    EXPECT_EQ(ToYaml(*p), ToYaml(g));
  }
}

TEST(ClusterScenario, RoundTripKeepsEveryField) {
  Scenario s = GenerateScenario(1);
  s.cluster = {5, 2, 7100, 4500};
  Operation m;
  m.type = OpType::kMigrateSlots;
  m.target_node = "shard-1-primary";
  m.destination_node = "node-4";
  m.slots = 17;
  m.timing = {0.1, 12.5, 0.3};
  s.operations.push_back(m);
  Operation f;
  f.target_node = "shard-4-replica-1";
  f.failover = FailoverMode::kTakeover;
  s.operations.push_back(f);
  s.chaos.signal = ChaosSignal::kSigstop;
  s.chaos.strategy = TargetStrategy::kSpecific;
  s.chaos.specific_nodes = {"shard-2-replica-0", "node-0"};
  s.chaos.before = true;
  s.chaos.during = false;
  s.chaos.after = true;
  s.validation = {false, true, false, true, false, 0.0, 1.25};
  absl::StatusOr<Scenario> p = ParseScenario(ToYaml(s));
  ASSERT_TRUE(p.ok()) << p.status() << "\n" << ToYaml(s);
  EXPECT_EQ(*p, s) << ToYaml(s);
}

// Two generations in this process agree, and seed 7 is the committed file:
// a change to the generator that changes what a seed means shows here.
TEST(ClusterScenario, ASeedGeneratesTheSameScenarioEveryTime) {
  for (uint64_t seed : {0ull, 1ull, 7ull, 12345ull, ~0ull}) {
    EXPECT_EQ(GenerateScenario(seed), GenerateScenario(seed));
  }
  EXPECT_EQ(ToYaml(GenerateScenario(7)), ReadFile("seed-7.yaml"));
  EXPECT_NE(GenerateScenario(7), GenerateScenario(8));
}

TEST(ClusterScenario, BadFilesGiveOneLineWithTheLineNumber) {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const std::string base = kMinimal;
  const std::vector<Case> cases = {
      {"scenario_id: [\n", "line 2: "},  // yaml-cpp's syntax error, with its line
      {"- a\n- b\n", "line 1: a scenario is a mapping"},
      {absl::StrReplaceAll(base, {{"num_shards: 3", "num_shards: x"}}),
       "line 2: cluster.num_shards: 'x' is not an integer"},
      {absl::StrReplaceAll(base, {{"\"failover\"", "\"reboot\""}}),
       "line 4: operations[0].type: unknown operation 'reboot' (failover, migrate_slots, write)"},
      {absl::StrReplaceAll(base, {{"shard-0-primary", "shard-3-primary"}}),
       "line 5: operations[0].target_node: 'shard-3-primary' is not a node of this cluster"},
      {base + "chaos: {process_chaos_type: \"sigquit\"}\n",
       "line 6: chaos.process_chaos_type: unknown 'sigquit' (sigkill, sigterm, sigstop)"},
      {base + "validation:\n  check_slot_coverage: true\n  check_slots: true\n",
       "line 8: validation: unknown key 'check_slots'"},
      {base + "validation: {convergence_timeout: -1}\n",
       "line 6: validation.convergence_timeout: -1 is outside 0..300"},
      {"scenario_id: \"t\"\ncluster: {num_shards: 3, replicas_per_shard: 0}\noperations:\n"
       "  - type: \"failover\"\n    target_node: \"shard-0-primary\"\n",
       "line 4: operations[0]: failover needs replicas_per_shard >= 1"},
      {base + "chaos:\n  coordination: {chaos_during_operation: false}\n",
       "line 7: chaos.coordination: no phase selected"},
      {"cluster: {num_shards: 3, replicas_per_shard: 1}\noperations: []\n",
       "line 1: missing scenario_id"},
      {"scenario_id: \"../x\"\ncluster: {num_shards: 3, replicas_per_shard: 1}\n",
       "line 1: scenario_id: '../x' must be"},
  };
  for (const Case& c : cases) {
    const std::string e = ErrorOf(c.yaml);
    EXPECT_THAT(e, HasSubstr(c.error)) << c.yaml;
    EXPECT_TRUE(e.starts_with("line ")) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

// Each cap: the largest allowed value parses, one past it is refused.
TEST(ClusterScenario, CapsAtTheirBoundaries) {
  const std::string base = kMinimal;
  auto with = [&](const std::string& from, const std::string& to) {
    return ErrorOf(absl::StrReplaceAll(base, {{from, to}}));
  };
  EXPECT_EQ(with("num_shards: 3", absl::StrCat("num_shards: ", kMaxShards)), "");
  EXPECT_THAT(with("num_shards: 3", absl::StrCat("num_shards: ", kMaxShards + 1)),
              HasSubstr("cluster.num_shards: 9 is outside 3..8"));
  EXPECT_THAT(with("num_shards: 3", "num_shards: 2"), HasSubstr("is outside 3..8"));
  EXPECT_EQ(with("replicas_per_shard: 1", "replicas_per_shard: 2"), "");
  EXPECT_THAT(with("replicas_per_shard: 1", "replicas_per_shard: 3"), HasSubstr("outside 0..2"));
  EXPECT_EQ(with("replicas_per_shard: 1}", "replicas_per_shard: 1, node_timeout: 500}"), "");
  EXPECT_THAT(with("replicas_per_shard: 1}", "replicas_per_shard: 1, node_timeout: 499}"),
              HasSubstr("outside 500..60000"));
  EXPECT_EQ(with("replicas_per_shard: 1}",
                 absl::StrCat("replicas_per_shard: 1, base_port: ", kMaxBasePort, "}")),
            "");
  EXPECT_THAT(with("replicas_per_shard: 1}",
                   absl::StrCat("replicas_per_shard: 1, base_port: ", kMaxBasePort + 1, "}")),
              HasSubstr("cluster.base_port"));
  EXPECT_THAT(with("replicas_per_shard: 1}", "replicas_per_shard: 1, base_port: 80}"),
              HasSubstr("(0: free ports)"));
  const std::string op = "  - type: \"failover\"\n    target_node: \"shard-0-primary\"\n";
  std::string ops;
  for (int i = 1; i < kMaxOperations; ++i) ops += op;
  EXPECT_EQ(ErrorOf(base + ops), "");
  EXPECT_THAT(ErrorOf(base + ops + op), HasSubstr("operations: 17 is more than 16"));
  const std::string write = "  - type: \"write\"\n    target_node: \"node-0\"\n";
  EXPECT_EQ(ErrorOf(base + write + absl::StrCat("    parameters: {keys: ", kMaxWriteKeys, "}\n")),
            "");
  EXPECT_THAT(
      ErrorOf(base + write + absl::StrCat("    parameters: {keys: ", kMaxWriteKeys + 1, "}\n")),
      HasSubstr("outside 1..10000"));
  EXPECT_EQ(ErrorOf(base + "    timing: {delay_before: 60}\n"), "");
  EXPECT_THAT(ErrorOf(base + "    timing: {delay_before: 60.1}\n"), HasSubstr("outside 0..60"));
  EXPECT_EQ(ErrorOf(base + "    timing: {timeout: 300}\n"), "");
  EXPECT_THAT(ErrorOf(base + "    timing: {timeout: 300.5}\n"), HasSubstr("outside 0.1..300"));
  EXPECT_EQ(ErrorOf(base + "chaos: {timing: {chaos_duration: 60}}\n"), "");
  EXPECT_THAT(ErrorOf(base + "chaos: {timing: {chaos_duration: 61}}\n"),
              HasSubstr("outside 0..60"));
  const std::string id64(kMaxScenarioIdLen, 'a');
  EXPECT_EQ(with("scenario_id: \"t\"", "scenario_id: \"" + id64 + "\""), "");
  EXPECT_THAT(with("scenario_id: \"t\"", "scenario_id: \"" + id64 + "a\""), HasSubstr("1..64"));
  EXPECT_THAT(ErrorOf(std::string(kMaxScenarioFileBytes + 1, ' ')), HasSubstr("larger than"));
}

TEST(ClusterScenario, NodeNames) {
  const ClusterShape shape{3, 2, 0, 3000};
  for (const char* ok :
       {"shard-0-primary", "shard-2-primary", "shard-2-replica-1", "node-0", "node-8"}) {
    EXPECT_TRUE(ValidNodeName(shape, ok)) << ok;
  }
  for (const char* bad : {"shard-3-primary", "shard-0-replica-2", "node-9", "node-01", "shard--1",
                          "shard-0", "primary", "node-", "shard-0-replica-"}) {
    EXPECT_FALSE(ValidNodeName(shape, bad)) << bad;
  }
}

// Keys other runners' files carry with no meaning here are read and ignored.
TEST(ClusterScenario, KeysOfOtherRunnersAreAccepted) {
  const std::string yaml =
      "scenario_id: \"t\"\n"
      "cluster: {num_shards: 3, replicas_per_shard: 1, base_data_dir: \"/tmp/x\",\n"
      "          valkey_binary: \"x\", enable_cleanup: true}\n"
      "operations:\n"
      "  - type: \"failover\"\n"
      "    target_node: \"shard-1-primary\"\n"
      "chaos: {randomize_per_operation: false, process_chaos_type: \"sigterm\",\n"
      "        target_selection: {strategy: \"random\"}}\n"
      "state_validation: {stabilization_wait: 5.0}\n";
  absl::StatusOr<Scenario> s = ParseScenario(yaml);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->chaos.signal, ChaosSignal::kSigterm);
}

}  // namespace
}  // namespace respfuzz::cluster_chaos
