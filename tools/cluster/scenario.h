// A chaos scenario for `respfuzz cluster`: a cluster shape, operations, process
// chaos around them and the validations to run, read from and written to the
// YAML DSL of docs/cluster.md, or generated from a seed.
//
// The DSL is a superset of the one cluster-bus fuzzers of this kind use
// (scenario_id, seed, cluster, operations with type/target_node/parameters/
// timing, chaos with type/process_chaos_type/target_selection/timing/
// coordination, validation), so their files run as they are; we add the
// operations migrate_slots and write, the chaos sigstop, cluster.node_timeout
// and validation.max_replication_offset.
#ifndef RESPFUZZ_TOOLS_CLUSTER_SCENARIO_H_
#define RESPFUZZ_TOOLS_CLUSTER_SCENARIO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace respfuzz::cluster_chaos {

// Caps on what a scenario file controls (each has a boundary test in
// tests/cluster_chaos/scenario_test.cc).
inline constexpr int kMaxShards = 8;  // this machine: 2 cores
inline constexpr int kMinShards = 3;  // a failover needs a majority of primaries
inline constexpr int kMaxReplicasPerShard = 2;
inline constexpr int kMaxOperations = 16;
inline constexpr double kMaxDelaySeconds = 60.0;     // any delay_* and chaos_duration
inline constexpr double kMaxTimeoutSeconds = 300.0;  // operation timeout, convergence_timeout
inline constexpr int kMaxWriteKeys = 10000;          // keys of one write operation
inline constexpr int kMinNodeTimeoutMs = 500;        // cluster-node-timeout
inline constexpr int kMaxNodeTimeoutMs = 60000;
inline constexpr size_t kMaxScenarioIdLen = 64;  // it names the log file
inline constexpr size_t kMaxScenarioFileBytes = 1 << 20;
inline constexpr int kMinBasePort = 1024;
// Node ports are base_port..base_port+nodes-1, their bus ports 10000 higher.
inline constexpr int kMaxBasePort = 65535 - 10000 - kMaxShards * (1 + kMaxReplicasPerShard);

enum class OpType { kFailover, kMigrateSlots, kWrite };
enum class FailoverMode { kDefault, kForce, kTakeover };
enum class ChaosSignal { kNone, kSigkill, kSigterm, kSigstop };
enum class TargetStrategy { kRandom, kPrimaryOnly, kReplicaOnly, kSpecific };

struct OpTiming {
  double delay_before = 0.0;
  double timeout = 30.0;
  double delay_after = 0.0;
  bool operator==(const OpTiming&) const = default;
};

struct Operation {
  OpType type = OpType::kFailover;
  // A node name: shard-K-primary (the shard's primary when the operation
  // runs), shard-K-replica-J (the J-th replica started for shard K) or node-N.
  std::string target_node;
  FailoverMode failover = FailoverMode::kDefault;  // failover: parameters.force/takeover
  std::string destination_node;                    // migrate_slots: parameters.destination
  int slots = 0;                                   // migrate_slots: parameters.slots
  int keys = 0;                                    // write: parameters.keys
  bool wait = true;                                // write: parameters.wait (WAIT per write)
  OpTiming timing;
  bool operator==(const Operation&) const = default;
};

struct Chaos {
  ChaosSignal signal = ChaosSignal::kNone;  // kNone: no chaos section (or type "none")
  TargetStrategy strategy = TargetStrategy::kRandom;
  std::vector<std::string> specific_nodes;  // strategy "specific"
  double delay_before_operation = 0.0;
  double delay_after_operation = 0.0;
  double chaos_duration = 10.0;  // the node is restored (SIGCONT or restart) after this
  bool before = false, during = true, after = false;
  bool operator==(const Chaos&) const = default;
};

struct Validation {
  bool slot_coverage = true;
  bool slot_conflicts = true;
  bool replica_sync = true;
  bool node_connectivity = true;
  bool data_consistency = true;
  double convergence_timeout = 60.0;
  double max_replication_lag = 5.0;  // seconds for a replica to reach its primary's offset
  bool operator==(const Validation&) const = default;
};

struct ClusterShape {
  int num_shards = 3;
  int replicas_per_shard = 1;
  int base_port = 0;  // 0: free ports chosen by the tool
  int node_timeout_ms = 3000;
  bool operator==(const ClusterShape&) const = default;
};

struct Scenario {
  std::string id;
  uint64_t seed = 0;
  ClusterShape cluster;
  std::vector<Operation> operations;
  Chaos chaos;
  Validation validation;
  bool operator==(const Scenario&) const = default;
  int node_count() const { return cluster.num_shards * (1 + cluster.replicas_per_shard); }
};

// Parses and checks a scenario file. Errors are one line, "line N: what"
// (N 1-based) when the problem has a place in the file.
absl::StatusOr<Scenario> ParseScenario(std::string_view yaml);

// The checks ParseScenario applies after reading the fields (ranges, node
// names, combinations); errors name the field.
absl::Status CheckScenario(const Scenario& s);

// The scenario as YAML in the DSL; ParseScenario(ToYaml(s)) == s.
std::string ToYaml(const Scenario& s);

// The scenario seed `seed` generates: the same seed gives the same scenario on
// every machine (its own generator, no std distributions).
Scenario GenerateScenario(uint64_t seed);

// Whether `name` is a node name of this shape (shard-K-primary,
// shard-K-replica-J, node-N).
bool ValidNodeName(const ClusterShape& shape, std::string_view name);

const char* ToString(OpType t);
const char* ToString(ChaosSignal s);
const char* ToString(TargetStrategy s);

}  // namespace respfuzz::cluster_chaos

#endif  // RESPFUZZ_TOOLS_CLUSTER_SCENARIO_H_
