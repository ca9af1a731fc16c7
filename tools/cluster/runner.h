// Runs one chaos scenario against a real cluster: create it, run the
// operations with process chaos before, during or after each, validate after
// each operation and at the end, destroy it; and writes the JSON log.
#ifndef RESPFUZZ_TOOLS_CLUSTER_RUNNER_H_
#define RESPFUZZ_TOOLS_CLUSTER_RUNNER_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/cluster/slot_map.h"
#include "tools/cluster/local_cluster.h"
#include "tools/cluster/scenario.h"
#include "tools/cluster/view.h"

namespace respfuzz::cluster_chaos {

// Redirections one request follows at most before it gives up.
inline constexpr int kMaxRedirects = 5;
// WAIT's timeout per write.
inline constexpr int kWaitTimeoutMs = 200;

struct RunOptions {
  targets::ServerProgram server;    // what every node runs; empty: the default target
  int base_port = -1;               // >= 0: overrides the scenario's cluster.base_port
  double convergence_timeout = -1;  // >= 0: overrides validation.convergence_timeout
  std::function<void(const std::string&)> progress;  // one line per step
  const std::atomic<bool>* stop = nullptr;
};

struct RunResult {
  enum class Status { kPassed, kFailed, kError };
  Status status = Status::kError;
  std::string error;                       // kError: why the scenario could not run
  std::vector<std::string> failed_checks;  // "name: detail" (kFailed)
  double seconds = 0;
  int operations_ok = 0;
  int operations_failed = 0;
  int chaos_events = 0;
  DataResult data;
  nlohmann::json log;  // the JSON log of the scenario
};

const char* ToString(RunResult::Status s);

// Takes a snapshot of every node of the cluster (bounded: one connect and a
// few commands per node, each with the connection timeouts).
Snapshot TakeSnapshot(const LocalCluster& c);
nlohmann::json SnapshotJson(const Snapshot& s);

// A cluster-aware client over src/cluster's slot map: routes each key to its
// slot's node, follows MOVED (the map changes) and ASK (ASKING, one shot),
// refreshes the map from CLUSTER SLOTS when a node does not answer.
class ClusterClient {
 public:
  ClusterClient(const LocalCluster* cluster, const std::atomic<bool>* stop)
      : cluster_(cluster), stop_(stop) {}
  // The reply of a one-key command, following redirections; retries after
  // CLUSTERDOWN/TRYAGAIN/lost nodes until `deadline_s` from now.
  // `served_by` (if given) gets the connection that replied, valid until the
  // next call.
  absl::StatusOr<resp::Value> Call(const std::vector<std::string>& argv, double deadline_s,
                                   Conn** served_by = nullptr);
  // Forgets the connection to `port` (it failed).
  void Drop(int port) { conns_.erase(port); }
  absl::Status Refresh();
  int redirects() const { return redirects_; }

 private:
  Conn* ConnTo(int port);
  const LocalCluster* cluster_;
  const std::atomic<bool>* stop_;
  std::optional<cluster::SlotMap> map_;
  std::map<int, std::unique_ptr<Conn>> conns_;
  int redirects_ = 0;
};

// Validates the cluster (polling until every structural check passes or the
// convergence timeout ends) and the data; appends results to `log`.
struct ValidationOutcome {
  std::vector<CheckResult> checks;
  DataResult data;
  bool ok() const;
};
ValidationOutcome Validate(LocalCluster& c, const Validation& v, double convergence_timeout,
                           std::vector<WriteRecord>* writes, ClusterClient* client,
                           const std::atomic<bool>* stop);

RunResult RunScenario(const Scenario& s, const RunOptions& o);

}  // namespace respfuzz::cluster_chaos

#endif  // RESPFUZZ_TOOLS_CLUSTER_RUNNER_H_
