#include "tools/cluster/scenario.h"

#include <charconv>
#include <cmath>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

namespace respfuzz::cluster_chaos {

namespace {

// A failed read: the message and the node it is about (for the line).
struct ParseError {
  std::string message;
  int line = 0;  // 1-based; 0 when unknown
};

int LineOf(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

[[noreturn]] void Throw(const YAML::Node& at, std::string message) {
  throw ParseError{std::move(message), LineOf(at)};
}

void RequireMap(const YAML::Node& n, const std::string& what) {
  if (!n.IsMap()) Throw(n, what + ": expected a mapping");
}

// Refuses keys that are neither read nor in `ignored` (keys other runners'
// files carry that have no meaning here), so a typo is an error.
void CheckKeys(const YAML::Node& map, const std::string& what,
               std::initializer_list<std::string_view> known,
               std::initializer_list<std::string_view> ignored = {}) {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) Throw(kv.first, what + ": keys must be plain names");
    const std::string key = kv.first.Scalar();
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    for (std::string_view k : ignored) ok = ok || k == key;
    if (!ok) Throw(kv.first, what + ": unknown key '" + key + "'");
  }
}

std::string Scalar(const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) Throw(n, what + ": expected a single value");
  return n.Scalar();
}

int64_t Int(const YAML::Node& n, const std::string& what, int64_t lo, int64_t hi) {
  const std::string s = Scalar(n, what);
  int64_t v = 0;
  if (!absl::SimpleAtoi(s, &v)) Throw(n, what + ": '" + s + "' is not an integer");
  if (v < lo || v > hi) Throw(n, absl::StrCat(what, ": ", v, " is outside ", lo, "..", hi));
  return v;
}

uint64_t Uint(const YAML::Node& n, const std::string& what) {
  const std::string s = Scalar(n, what);
  uint64_t v = 0;
  if (!absl::SimpleAtoi(s, &v)) Throw(n, what + ": '" + s + "' is not a non-negative integer");
  return v;
}

double Seconds(const YAML::Node& n, const std::string& what, double lo, double hi) {
  const std::string s = Scalar(n, what);
  double v = 0;
  if (!absl::SimpleAtod(s, &v) || !std::isfinite(v))
    Throw(n, what + ": '" + s + "' is not a number");
  if (v < lo || v > hi) Throw(n, absl::StrCat(what, ": ", s, " is outside ", lo, "..", hi));
  return v;
}

bool Bool(const YAML::Node& n, const std::string& what) {
  const std::string s = Scalar(n, what);
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no") return false;
  Throw(n, what + ": '" + s + "' is not true or false");
}

std::string Str(const YAML::Node& n, const std::string& what) { return Scalar(n, what); }

void ReadCluster(const YAML::Node& n, ClusterShape* c) {
  RequireMap(n, "cluster");
  CheckKeys(n, "cluster", {"num_shards", "replicas_per_shard", "base_port", "node_timeout"},
            {"base_data_dir", "valkey_binary", "enable_cleanup"});
  if (!n["num_shards"]) Throw(n, "cluster: missing num_shards");
  if (!n["replicas_per_shard"]) Throw(n, "cluster: missing replicas_per_shard");
  c->num_shards =
      static_cast<int>(Int(n["num_shards"], "cluster.num_shards", kMinShards, kMaxShards));
  c->replicas_per_shard = static_cast<int>(
      Int(n["replicas_per_shard"], "cluster.replicas_per_shard", 0, kMaxReplicasPerShard));
  if (n["base_port"]) {
    const int64_t p = Int(n["base_port"], "cluster.base_port", 0, kMaxBasePort);
    if (p != 0 && p < kMinBasePort) {
      Throw(n["base_port"], absl::StrCat("cluster.base_port: ", p, " is outside ", kMinBasePort,
                                         "..", kMaxBasePort, " (0: free ports)"));
    }
    c->base_port = static_cast<int>(p);
  }
  if (n["node_timeout"]) {
    c->node_timeout_ms = static_cast<int>(
        Int(n["node_timeout"], "cluster.node_timeout", kMinNodeTimeoutMs, kMaxNodeTimeoutMs));
  }
}

void ReadOpTiming(const YAML::Node& n, const std::string& what, OpTiming* t) {
  RequireMap(n, what);
  CheckKeys(n, what, {"delay_before", "timeout", "delay_after"});
  if (n["delay_before"]) {
    t->delay_before = Seconds(n["delay_before"], what + ".delay_before", 0, kMaxDelaySeconds);
  }
  if (n["timeout"]) {
    t->timeout = Seconds(n["timeout"], what + ".timeout", 0.1, kMaxTimeoutSeconds);
  }
  if (n["delay_after"]) {
    t->delay_after = Seconds(n["delay_after"], what + ".delay_after", 0, kMaxDelaySeconds);
  }
}

Operation ReadOperation(const YAML::Node& n, const std::string& what) {
  RequireMap(n, what);
  CheckKeys(n, what, {"type", "target_node", "parameters", "timing"});
  Operation op;
  if (!n["type"]) Throw(n, what + ": missing type");
  const std::string type = Str(n["type"], what + ".type");
  if (type == "failover") {
    op.type = OpType::kFailover;
  } else if (type == "migrate_slots") {
    op.type = OpType::kMigrateSlots;
  } else if (type == "write") {
    op.type = OpType::kWrite;
  } else {
    Throw(n["type"],
          what + ".type: unknown operation '" + type + "' (failover, migrate_slots, write)");
  }
  if (!n["target_node"]) Throw(n, what + ": missing target_node");
  op.target_node = Str(n["target_node"], what + ".target_node");
  const std::string pw = what + ".parameters";
  const YAML::Node p = n["parameters"];
  if (p && !p.IsNull()) {
    RequireMap(p, pw);
    switch (op.type) {
      case OpType::kFailover: {
        CheckKeys(p, pw, {"force", "takeover"});
        const bool force = p["force"] && Bool(p["force"], pw + ".force");
        const bool takeover = p["takeover"] && Bool(p["takeover"], pw + ".takeover");
        if (force && takeover) Throw(p, pw + ": force and takeover exclude each other");
        op.failover = takeover ? FailoverMode::kTakeover
                      : force  ? FailoverMode::kForce
                               : FailoverMode::kDefault;
        break;
      }
      case OpType::kMigrateSlots:
        CheckKeys(p, pw, {"destination", "slots"});
        if (p["destination"]) op.destination_node = Str(p["destination"], pw + ".destination");
        if (p["slots"]) op.slots = static_cast<int>(Int(p["slots"], pw + ".slots", 1, 16384));
        break;
      case OpType::kWrite:
        CheckKeys(p, pw, {"keys", "wait"});
        if (p["keys"]) op.keys = static_cast<int>(Int(p["keys"], pw + ".keys", 1, kMaxWriteKeys));
        if (p["wait"]) op.wait = Bool(p["wait"], pw + ".wait");
        break;
    }
  }
  if (op.type == OpType::kMigrateSlots) {
    if (op.destination_node.empty()) Throw(n, pw + ": migrate_slots needs destination");
    if (op.slots == 0) Throw(n, pw + ": migrate_slots needs slots");
  }
  if (op.type == OpType::kWrite && op.keys == 0) Throw(n, pw + ": write needs keys");
  if (n["timing"]) ReadOpTiming(n["timing"], what + ".timing", &op.timing);
  return op;
}

void ReadChaos(const YAML::Node& n, Chaos* c) {
  if (n.IsNull()) return;
  RequireMap(n, "chaos");
  CheckKeys(n, "chaos",
            {"type", "process_chaos_type", "target_selection", "timing", "coordination"},
            {"randomize_per_operation"});
  const std::string type = n["type"] ? Str(n["type"], "chaos.type") : "process_kill";
  if (type == "none") {
    c->signal = ChaosSignal::kNone;
    return;
  }
  if (type != "process_kill") {
    Throw(n["type"], "chaos.type: unknown chaos '" + type + "' (process_kill, none)");
  }
  const std::string sig = n["process_chaos_type"]
                              ? Str(n["process_chaos_type"], "chaos.process_chaos_type")
                              : "sigkill";
  if (sig == "sigkill") {
    c->signal = ChaosSignal::kSigkill;
  } else if (sig == "sigterm") {
    c->signal = ChaosSignal::kSigterm;
  } else if (sig == "sigstop") {
    c->signal = ChaosSignal::kSigstop;
  } else {
    Throw(n["process_chaos_type"],
          "chaos.process_chaos_type: unknown '" + sig + "' (sigkill, sigterm, sigstop)");
  }
  if (const YAML::Node t = n["target_selection"]; t) {
    RequireMap(t, "chaos.target_selection");
    CheckKeys(t, "chaos.target_selection", {"strategy", "specific_nodes"});
    if (t["strategy"]) {
      const std::string s = Str(t["strategy"], "chaos.target_selection.strategy");
      if (s == "random") {
        c->strategy = TargetStrategy::kRandom;
      } else if (s == "primary_only") {
        c->strategy = TargetStrategy::kPrimaryOnly;
      } else if (s == "replica_only") {
        c->strategy = TargetStrategy::kReplicaOnly;
      } else if (s == "specific") {
        c->strategy = TargetStrategy::kSpecific;
      } else {
        Throw(t["strategy"], "chaos.target_selection.strategy: unknown '" + s +
                                 "' (random, primary_only, replica_only, specific)");
      }
    }
    if (const YAML::Node sn = t["specific_nodes"]; sn && !sn.IsNull()) {
      if (!sn.IsSequence()) Throw(sn, "chaos.target_selection.specific_nodes: expected a list");
      for (const auto& e : sn) {
        c->specific_nodes.push_back(Str(e, "chaos.target_selection.specific_nodes"));
      }
    }
  }
  if (const YAML::Node t = n["timing"]; t) {
    RequireMap(t, "chaos.timing");
    CheckKeys(t, "chaos.timing",
              {"delay_before_operation", "delay_after_operation", "chaos_duration"});
    if (t["delay_before_operation"]) {
      c->delay_before_operation = Seconds(
          t["delay_before_operation"], "chaos.timing.delay_before_operation", 0, kMaxDelaySeconds);
    }
    if (t["delay_after_operation"]) {
      c->delay_after_operation = Seconds(t["delay_after_operation"],
                                         "chaos.timing.delay_after_operation", 0, kMaxDelaySeconds);
    }
    if (t["chaos_duration"]) {
      c->chaos_duration =
          Seconds(t["chaos_duration"], "chaos.timing.chaos_duration", 0, kMaxDelaySeconds);
    }
  }
  if (const YAML::Node t = n["coordination"]; t) {
    RequireMap(t, "chaos.coordination");
    CheckKeys(t, "chaos.coordination",
              {"chaos_before_operation", "chaos_during_operation", "chaos_after_operation"},
              {"coordinate_with_operation"});
    if (t["chaos_before_operation"]) {
      c->before = Bool(t["chaos_before_operation"], "chaos.coordination.chaos_before_operation");
    }
    if (t["chaos_during_operation"]) {
      c->during = Bool(t["chaos_during_operation"], "chaos.coordination.chaos_during_operation");
    }
    if (t["chaos_after_operation"]) {
      c->after = Bool(t["chaos_after_operation"], "chaos.coordination.chaos_after_operation");
    }
  }
}

void ReadValidation(const YAML::Node& n, Validation* v) {
  if (n.IsNull()) return;
  RequireMap(n, "validation");
  CheckKeys(n, "validation",
            {"check_slot_coverage", "check_slot_conflicts", "check_replica_sync",
             "check_node_connectivity", "check_data_consistency", "convergence_timeout",
             "max_replication_lag"});
  auto flag = [&](const char* key, bool* out) {
    if (n[key]) *out = Bool(n[key], std::string("validation.") + key);
  };
  flag("check_slot_coverage", &v->slot_coverage);
  flag("check_slot_conflicts", &v->slot_conflicts);
  flag("check_replica_sync", &v->replica_sync);
  flag("check_node_connectivity", &v->node_connectivity);
  flag("check_data_consistency", &v->data_consistency);
  if (n["convergence_timeout"]) {
    v->convergence_timeout =
        Seconds(n["convergence_timeout"], "validation.convergence_timeout", 0, kMaxTimeoutSeconds);
  }
  if (n["max_replication_lag"]) {
    v->max_replication_lag =
        Seconds(n["max_replication_lag"], "validation.max_replication_lag", 0, kMaxTimeoutSeconds);
  }
}

// A scenario id names files: letters, digits, '.', '_' and '-'.
bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxScenarioIdLen || id[0] == '.') return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool ParseIndex(std::string_view s, int limit, int* out) {
  int v = 0;
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v >= limit) return false;
  *out = v;
  return true;
}

// Shortest text that reads back as the same double.
std::string Num(double d) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string Quoted(const std::string& s) { return nlohmann::json(s).dump(); }

const char* B(bool b) { return b ? "true" : "false"; }

// The generator: splitmix64, so a seed means the same scenario everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }
  // A multiple of 0.1 in [lo, hi] (exact in text).
  double Tenths(int lo_tenths, int hi_tenths) {
    return (lo_tenths + Below(hi_tenths - lo_tenths + 1)) / 10.0;
  }

 private:
  uint64_t state_;
};

}  // namespace

const char* ToString(OpType t) {
  switch (t) {
    case OpType::kFailover:
      return "failover";
    case OpType::kMigrateSlots:
      return "migrate_slots";
    case OpType::kWrite:
      return "write";
  }
  return "?";
}

const char* ToString(ChaosSignal s) {
  switch (s) {
    case ChaosSignal::kNone:
      return "none";
    case ChaosSignal::kSigkill:
      return "sigkill";
    case ChaosSignal::kSigterm:
      return "sigterm";
    case ChaosSignal::kSigstop:
      return "sigstop";
  }
  return "?";
}

const char* ToString(TargetStrategy s) {
  switch (s) {
    case TargetStrategy::kRandom:
      return "random";
    case TargetStrategy::kPrimaryOnly:
      return "primary_only";
    case TargetStrategy::kReplicaOnly:
      return "replica_only";
    case TargetStrategy::kSpecific:
      return "specific";
  }
  return "?";
}

bool ValidNodeName(const ClusterShape& shape, std::string_view name) {
  int k = 0, j = 0;
  if (name.starts_with("node-")) {
    return ParseIndex(name.substr(5), shape.num_shards * (1 + shape.replicas_per_shard), &k);
  }
  if (!name.starts_with("shard-")) return false;
  name.remove_prefix(6);
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos || !ParseIndex(name.substr(0, dash), shape.num_shards, &k)) {
    return false;
  }
  const std::string_view rest = name.substr(dash + 1);
  if (rest == "primary") return true;
  return rest.starts_with("replica-") && ParseIndex(rest.substr(8), shape.replicas_per_shard, &j);
}

absl::Status CheckScenario(const Scenario& s) {
  if (!ValidId(s.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("scenario_id: '", s.id, "' must be 1..", kMaxScenarioIdLen,
                     " letters, digits, '.', '_' or '-' (not starting with '.')"));
  }
  if (s.operations.empty()) return absl::InvalidArgumentError("operations: at least one is needed");
  if (s.operations.size() > static_cast<size_t>(kMaxOperations)) {
    return absl::InvalidArgumentError(
        absl::StrCat("operations: ", s.operations.size(), " is more than ", kMaxOperations));
  }
  for (size_t i = 0; i < s.operations.size(); ++i) {
    const Operation& op = s.operations[i];
    const std::string what = absl::StrCat("operations[", i, "]");
    if (!ValidNodeName(s.cluster, op.target_node)) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ".target_node: '", op.target_node,
          "' is not a node of this cluster (shard-K-primary, shard-K-replica-J, node-N)"));
    }
    if (op.type == OpType::kFailover && s.cluster.replicas_per_shard == 0) {
      return absl::InvalidArgumentError(what + ": failover needs replicas_per_shard >= 1");
    }
    if (op.type == OpType::kMigrateSlots) {
      if (!ValidNodeName(s.cluster, op.destination_node)) {
        return absl::InvalidArgumentError(absl::StrCat(what, ".parameters.destination: '",
                                                       op.destination_node,
                                                       "' is not a node of this cluster"));
      }
      if (op.destination_node == op.target_node) {
        return absl::InvalidArgumentError(what + ": destination is the target node");
      }
    }
  }
  if (s.chaos.signal != ChaosSignal::kNone) {
    if (!s.chaos.before && !s.chaos.during && !s.chaos.after) {
      return absl::InvalidArgumentError(
          "chaos.coordination: no phase selected (before, during or after the operation)");
    }
    if (s.chaos.strategy == TargetStrategy::kReplicaOnly && s.cluster.replicas_per_shard == 0) {
      return absl::InvalidArgumentError(
          "chaos.target_selection: replica_only needs replicas_per_shard >= 1");
    }
    if (s.chaos.strategy == TargetStrategy::kSpecific && s.chaos.specific_nodes.empty()) {
      return absl::InvalidArgumentError(
          "chaos.target_selection: strategy specific needs specific_nodes");
    }
    for (const std::string& n : s.chaos.specific_nodes) {
      if (!ValidNodeName(s.cluster, n)) {
        return absl::InvalidArgumentError("chaos.target_selection.specific_nodes: '" + n +
                                          "' is not a node of this cluster");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Scenario> ParseScenario(std::string_view yaml) {
  if (yaml.size() > kMaxScenarioFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("scenario file is larger than ", kMaxScenarioFileBytes, " bytes"));
  }
  Scenario s;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsMap()) Throw(root, "a scenario is a mapping (scenario_id, cluster, operations...)");
    CheckKeys(root, "scenario",
              {"scenario_id", "seed", "cluster", "operations", "chaos", "validation"},
              {"state_validation"});
    if (!root["scenario_id"]) Throw(root, "missing scenario_id");
    s.id = Str(root["scenario_id"], "scenario_id");
    if (!ValidId(s.id)) {
      Throw(root["scenario_id"],
            absl::StrCat("scenario_id: '", s.id, "' must be 1..", kMaxScenarioIdLen,
                         " letters, digits, '.', '_' or '-' (not starting with '.')"));
    }
    if (root["seed"]) s.seed = Uint(root["seed"], "seed");
    if (!root["cluster"]) Throw(root, "missing cluster");
    ReadCluster(root["cluster"], &s.cluster);
    const YAML::Node ops = root["operations"];
    if (!ops) Throw(root, "missing operations");
    if (!ops.IsSequence() || ops.size() == 0) Throw(ops, "operations: expected a non-empty list");
    if (ops.size() > static_cast<size_t>(kMaxOperations)) {
      Throw(ops, absl::StrCat("operations: ", ops.size(), " is more than ", kMaxOperations));
    }
    for (size_t i = 0; i < ops.size(); ++i) {
      const std::string what = absl::StrCat("operations[", i, "]");
      s.operations.push_back(ReadOperation(ops[i], what));
      const Operation& op = s.operations.back();
      if (!ValidNodeName(s.cluster, op.target_node)) {
        Throw(ops[i]["target_node"],
              absl::StrCat(what, ".target_node: '", op.target_node,
                           "' is not a node of this cluster (shard-K-primary, "
                           "shard-K-replica-J, node-N)"));
      }
      if (op.type == OpType::kFailover && s.cluster.replicas_per_shard == 0) {
        Throw(ops[i], what + ": failover needs replicas_per_shard >= 1");
      }
      if (op.type == OpType::kMigrateSlots && !ValidNodeName(s.cluster, op.destination_node)) {
        Throw(ops[i]["parameters"]["destination"],
              absl::StrCat(what, ".parameters.destination: '", op.destination_node,
                           "' is not a node of this cluster"));
      }
    }
    if (root["chaos"]) ReadChaos(root["chaos"], &s.chaos);
    if (root["validation"]) ReadValidation(root["validation"], &s.validation);
    // What remains is about combinations; it names the section.
    if (absl::Status st = CheckScenario(s); !st.ok()) {
      const char* section = std::string(st.message()).starts_with("chaos") ? "chaos" : "operations";
      Throw(root[section], std::string(st.message()));
    }
  } catch (const ParseError& e) {
    return absl::InvalidArgumentError(e.line > 0 ? absl::StrCat("line ", e.line, ": ", e.message)
                                                 : e.message);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return absl::InvalidArgumentError(line > 0 ? absl::StrCat("line ", line, ": ", e.msg)
                                               : std::string(e.msg));
  }
  return s;
}

std::string ToYaml(const Scenario& s) {
  std::string y;
  absl::StrAppend(&y, "scenario_id: ", Quoted(s.id), "\n");
  absl::StrAppend(&y, "seed: ", s.seed, "\n");
  absl::StrAppend(&y, "cluster: {num_shards: ", s.cluster.num_shards,
                  ", replicas_per_shard: ", s.cluster.replicas_per_shard,
                  ", base_port: ", s.cluster.base_port,
                  ", node_timeout: ", s.cluster.node_timeout_ms, "}\n");
  y += "operations:\n";
  for (const Operation& op : s.operations) {
    absl::StrAppend(&y, "  - type: \"", ToString(op.type), "\"\n");
    absl::StrAppend(&y, "    target_node: ", Quoted(op.target_node), "\n");
    switch (op.type) {
      case OpType::kFailover:
        absl::StrAppend(&y, "    parameters: {force: ", B(op.failover == FailoverMode::kForce),
                        ", takeover: ", B(op.failover == FailoverMode::kTakeover), "}\n");
        break;
      case OpType::kMigrateSlots:
        absl::StrAppend(&y, "    parameters: {destination: ", Quoted(op.destination_node),
                        ", slots: ", op.slots, "}\n");
        break;
      case OpType::kWrite:
        absl::StrAppend(&y, "    parameters: {keys: ", op.keys, ", wait: ", B(op.wait), "}\n");
        break;
    }
    absl::StrAppend(&y, "    timing: {delay_before: ", Num(op.timing.delay_before),
                    ", timeout: ", Num(op.timing.timeout),
                    ", delay_after: ", Num(op.timing.delay_after), "}\n");
  }
  const Chaos& c = s.chaos;
  if (c.signal == ChaosSignal::kNone) {
    y += "chaos:\n  type: \"none\"\n";
  } else {
    absl::StrAppend(&y, "chaos:\n  type: \"process_kill\"\n  process_chaos_type: \"",
                    ToString(c.signal), "\"\n");
    absl::StrAppend(&y, "  target_selection: {strategy: \"", ToString(c.strategy), "\"");
    if (!c.specific_nodes.empty()) {
      y += ", specific_nodes: [";
      for (size_t i = 0; i < c.specific_nodes.size(); ++i) {
        absl::StrAppend(&y, i ? ", " : "", Quoted(c.specific_nodes[i]));
      }
      y += "]";
    }
    y += "}\n";
    absl::StrAppend(&y, "  timing: {delay_before_operation: ", Num(c.delay_before_operation),
                    ", delay_after_operation: ", Num(c.delay_after_operation),
                    ", chaos_duration: ", Num(c.chaos_duration), "}\n");
    absl::StrAppend(&y, "  coordination: {chaos_before_operation: ", B(c.before),
                    ", chaos_during_operation: ", B(c.during),
                    ", chaos_after_operation: ", B(c.after), "}\n");
  }
  const Validation& v = s.validation;
  absl::StrAppend(&y, "validation:\n  check_slot_coverage: ", B(v.slot_coverage),
                  "\n  check_slot_conflicts: ", B(v.slot_conflicts),
                  "\n  check_replica_sync: ", B(v.replica_sync),
                  "\n  check_node_connectivity: ", B(v.node_connectivity),
                  "\n  check_data_consistency: ", B(v.data_consistency),
                  "\n  convergence_timeout: ", Num(v.convergence_timeout),
                  "\n  max_replication_lag: ", Num(v.max_replication_lag), "\n");
  return y;
}

Scenario GenerateScenario(uint64_t seed) {
  Rng rng(seed);
  Scenario s;
  s.id = absl::StrCat("seed-", seed);
  s.seed = seed;
  s.cluster.num_shards = 3 + rng.Below(2);  // 3..4: keeps a batch within minutes
  s.cluster.replicas_per_shard = 1 + rng.Below(2);
  s.cluster.node_timeout_ms = 2000 + 1000 * rng.Below(2);
  const int shards = s.cluster.num_shards;
  // Writes first, so data consistency has acknowledged writes to check.
  Operation w;
  w.type = OpType::kWrite;
  w.target_node = "shard-0-primary";
  w.keys = 50 + 10 * rng.Below(16);
  w.wait = rng.Chance(70);
  w.timing.timeout = 30.0;
  s.operations.push_back(w);
  const int ops = 1 + rng.Below(3);
  for (int i = 0; i < ops; ++i) {
    Operation op;
    const int kind = rng.Below(10);
    const int shard = rng.Below(shards);
    op.target_node = absl::StrCat("shard-", shard, "-primary");
    op.timing.delay_before = rng.Tenths(0, 10);
    op.timing.timeout = 20.0;
    op.timing.delay_after = rng.Tenths(0, 10);
    if (kind < 6) {
      op.type = OpType::kFailover;
      const int mode = rng.Below(4);
      op.failover = mode == 2   ? FailoverMode::kForce
                    : mode == 3 ? FailoverMode::kTakeover
                                : FailoverMode::kDefault;
    } else if (kind < 8) {
      op.type = OpType::kMigrateSlots;
      op.destination_node =
          absl::StrCat("shard-", (shard + 1 + rng.Below(shards - 1)) % shards, "-primary");
      op.slots = 1 + rng.Below(64);
    } else {
      op.type = OpType::kWrite;
      op.target_node = "shard-0-primary";
      op.keys = 20 + 10 * rng.Below(8);
      op.wait = rng.Chance(50);
    }
    s.operations.push_back(op);
  }
  if (rng.Chance(80)) {
    Chaos& c = s.chaos;
    const int sig = rng.Below(3);
    c.signal = sig == 0   ? ChaosSignal::kSigkill
               : sig == 1 ? ChaosSignal::kSigterm
                          : ChaosSignal::kSigstop;
    const int strategy = rng.Below(3);
    c.strategy = strategy == 0   ? TargetStrategy::kRandom
                 : strategy == 1 ? TargetStrategy::kPrimaryOnly
                                 : TargetStrategy::kReplicaOnly;
    c.delay_before_operation = rng.Tenths(0, 10);
    c.delay_after_operation = rng.Tenths(0, 10);
    c.chaos_duration = rng.Tenths(5, 60);
    const int phase = rng.Below(3);
    c.before = phase == 0;
    c.during = phase == 1;
    c.after = phase == 2;
  }
  s.validation.convergence_timeout = 30.0;
  s.validation.max_replication_lag = 5.0;
  return s;
}

}  // namespace respfuzz::cluster_chaos
