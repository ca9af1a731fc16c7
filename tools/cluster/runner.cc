#include "tools/cluster/runner.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/cluster/slot.h"

namespace respfuzz::cluster_chaos {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

Clock::time_point After(double seconds) {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool IsError(const resp::Value& v) { return v.type == resp::Type::kError; }

bool Transient(const std::string& e) {
  return e.starts_with("CLUSTERDOWN") || e.starts_with("TRYAGAIN") || e.starts_with("LOADING") ||
         e.starts_with("MASTERDOWN");
}

json CheckJson(const CheckResult& c) {
  return json{{"check", c.name}, {"ok", c.ok}, {"detail", c.detail}};
}

json DataJson(const DataResult& d) {
  return json{{"ok", d.check.ok},
              {"detail", d.check.detail},
              {"acknowledged", d.acknowledged},
              {"wait_acknowledged", d.wait_acknowledged},
              {"lost_async", d.lost_async},
              {"lost_wait_acknowledged", d.lost_wait},
              {"unreadable", d.unreadable}};
}

}  // namespace

const char* ToString(RunResult::Status s) {
  switch (s) {
    case RunResult::Status::kPassed:
      return "passed";
    case RunResult::Status::kFailed:
      return "failed";
    case RunResult::Status::kError:
      return "error";
  }
  return "?";
}

Snapshot TakeSnapshot(const LocalCluster& c) {
  Snapshot s;
  for (const Node& n : c.nodes()) {
    NodeState st;
    st.name = n.name();
    st.port = n.port;
    st.running = n.pid > 0 && !n.stopped;
    if (!st.running) {
      st.error = n.pid > 0 ? "stopped (SIGSTOP)" : "down";
      s.nodes.push_back(std::move(st));
      continue;
    }
    absl::StatusOr<Conn> conn = Conn::Open(n.port);
    absl::StatusOr<resp::Value> nodes, info, repl;
    if (conn.ok()) nodes = conn->Call({"CLUSTER", "NODES"});
    if (conn.ok() && nodes.ok()) info = conn->Call({"CLUSTER", "INFO"});
    if (conn.ok() && nodes.ok() && info.ok()) repl = conn->Call({"INFO", "replication"});
    const absl::Status bad = !conn.ok()    ? conn.status()
                             : !nodes.ok() ? nodes.status()
                             : !info.ok()  ? info.status()
                             : !repl.ok()  ? repl.status()
                                           : absl::OkStatus();
    if (!bad.ok()) {
      st.error = std::string(bad.message());
      s.nodes.push_back(std::move(st));
      continue;
    }
    if (IsError(*nodes) || IsError(*info) || IsError(*repl)) {
      st.error = "error reply: " + (IsError(*nodes)  ? nodes->str
                                    : IsError(*info) ? info->str
                                                     : repl->str);
      s.nodes.push_back(std::move(st));
      continue;
    }
    absl::StatusOr<std::vector<NodeLine>> view = ParseClusterNodes(nodes->str);
    if (!view.ok()) {
      st.error = std::string(view.status().message());
      s.nodes.push_back(std::move(st));
      continue;
    }
    st.reachable = true;
    st.cluster_nodes = nodes->str;
    st.view = std::move(*view);
    st.cluster_state = InfoField(info->str, "cluster_state");
    st.role = InfoField(repl->str, "role");
    // A field a role does not have stays at its default.
    (void)absl::SimpleAtoi(InfoField(repl->str, "master_repl_offset"), &st.master_repl_offset);
    if (!absl::SimpleAtoi(InfoField(repl->str, "slave_repl_offset"), &st.slave_repl_offset)) {
      st.slave_repl_offset = -1;
    }
    st.master_link_status = InfoField(repl->str, "master_link_status");
    (void)absl::SimpleAtoi(InfoField(repl->str, "connected_slaves"), &st.connected_slaves);
    s.nodes.push_back(std::move(st));
  }
  return s;
}

json SnapshotJson(const Snapshot& s) {
  json out = json::array();
  for (const NodeState& n : s.nodes) {
    json j{{"node", n.name}, {"port", n.port}, {"running", n.running}, {"reachable", n.reachable}};
    if (!n.reachable) {
      j["error"] = n.error;
    } else {
      j["cluster_state"] = n.cluster_state;
      j["role"] = n.role;
      j["master_repl_offset"] = n.master_repl_offset;
      if (n.role == "slave") {
        j["slave_repl_offset"] = n.slave_repl_offset;
        j["master_link_status"] = n.master_link_status;
      } else {
        j["connected_slaves"] = n.connected_slaves;
      }
      j["cluster_nodes"] = n.cluster_nodes;
    }
    out.push_back(std::move(j));
  }
  return out;
}

// ---- the cluster-aware client ----

Conn* ClusterClient::ConnTo(int port) {
  auto it = conns_.find(port);
  if (it != conns_.end()) return it->second.get();
  absl::StatusOr<Conn> c = Conn::Open(port);
  if (!c.ok()) return nullptr;
  return conns_.emplace(port, std::make_unique<Conn>(std::move(*c))).first->second.get();
}

absl::Status ClusterClient::Refresh() {
  absl::Status last = absl::UnavailableError("no running node");
  for (const Node& n : cluster_->nodes()) {
    if (n.pid <= 0 || n.stopped) continue;
    Conn* c = ConnTo(n.port);
    if (c == nullptr) continue;
    absl::StatusOr<resp::Value> v = c->Call({"CLUSTER", "SLOTS"});
    if (!v.ok()) {
      conns_.erase(n.port);
      last = v.status();
      continue;
    }
    absl::StatusOr<cluster::SlotMap> m = cluster::SlotMap::FromClusterSlots(*v);
    if (!m.ok()) {
      last = m.status();
      continue;
    }
    map_ = std::move(*m);
    return absl::OkStatus();
  }
  return last;
}

absl::StatusOr<resp::Value> ClusterClient::Call(const std::vector<std::string>& argv,
                                                double deadline_s, Conn** served_by) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(deadline_s);
  std::string last = "no attempt";
  int redirects = 0;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (stop_ != nullptr && stop_->load()) return absl::CancelledError("stopped");
    if (attempt > 0 && Clock::now() > deadline) {
      return absl::DeadlineExceededError("gave up: " + last);
    }
    auto pause = [&] { std::this_thread::sleep_for(std::chrono::milliseconds(100)); };
    if (!map_.has_value()) {
      if (absl::Status s = Refresh(); !s.ok()) {
        last = std::string(s.message());
        pause();
        continue;
      }
    }
    std::optional<cluster::Route> route = map_->RouteSlot(cluster::KeySlot(argv.at(1)));
    if (!route.has_value()) {
      last = "no node known for the slot";
      map_.reset();
      pause();
      continue;
    }
    if (route->node.host != "127.0.0.1") {
      return absl::FailedPreconditionError("refusing non-loopback node " + route->node.ToString());
    }
    const int port = route->node.port;
    Conn* c = ConnTo(port);
    if (c == nullptr) {
      last = absl::StrCat("127.0.0.1:", port, " does not answer");
      map_.reset();
      pause();
      continue;
    }
    if (route->asking) {
      absl::StatusOr<resp::Value> a = c->Call({"ASKING"});
      if (!a.ok()) {
        conns_.erase(port);
        last = std::string(a.status().message());
        continue;
      }
    }
    absl::StatusOr<resp::Value> r = c->Call(argv);
    if (!r.ok()) {
      conns_.erase(port);
      map_.reset();
      last = std::string(r.status().message());
      pause();
      continue;
    }
    if (IsError(*r)) {
      if (r->str.starts_with("MOVED ") || r->str.starts_with("ASK ")) {
        absl::StatusOr<cluster::Redirect> rd = cluster::ParseRedirect(r->str);
        if (!rd.ok()) return rd.status();
        if (++redirects > kMaxRedirects) {
          return absl::AbortedError(absl::StrCat("more than ", kMaxRedirects, " redirections"));
        }
        ++redirects_;
        if (absl::Status s = map_->OnRedirect(*rd); !s.ok()) return s;
        continue;
      }
      if (Transient(r->str)) {
        last = r->str;
        pause();
        continue;
      }
    }
    if (served_by != nullptr) *served_by = c;
    return r;
  }
  return absl::DeadlineExceededError("gave up: " + last);
}

bool ValidationOutcome::ok() const {
  for (const CheckResult& c : checks) {
    if (!c.ok) return false;
  }
  return data.check.ok;
}

ValidationOutcome Validate(LocalCluster& c, const Validation& v, double convergence_timeout,
                           std::vector<WriteRecord>* writes, ClusterClient* client,
                           const std::atomic<bool>* stop) {
  ValidationOutcome out;
  const auto t0 = Clock::now();
  const auto deadline = t0 + std::chrono::duration<double>(convergence_timeout);
  double backoff = 0.1;
  Snapshot snap;
  for (;;) {
    snap = TakeSnapshot(c);
    out.checks.clear();
    if (v.node_connectivity) out.checks.push_back(CheckReachable(snap));
    if (v.slot_coverage) out.checks.push_back(CheckSlotCoverage(snap));
    if (v.slot_conflicts) out.checks.push_back(CheckSlotConflicts(snap));
    // Every node sees the same slot owners once converged.
    if (v.slot_coverage || v.slot_conflicts) out.checks.push_back(CheckAgreement(snap));
    if (v.replica_sync) out.checks.push_back(CheckReplicaLinks(snap));
    const bool all = std::all_of(out.checks.begin(), out.checks.end(),
                                 [](const CheckResult& r) { return r.ok; });
    if (all || Clock::now() >= deadline || (stop != nullptr && stop->load())) break;
    SleepFor(backoff, stop);
    backoff = std::min(backoff * 2, 1.0);
  }
  const bool structural_ok =
      std::all_of(out.checks.begin(), out.checks.end(), [](const CheckResult& r) { return r.ok; });
  if (v.replica_sync && structural_ok) {
    // Replicas reach the offset their primary had, within max_replication_lag.
    const auto lag_deadline = Clock::now() + std::chrono::duration<double>(v.max_replication_lag);
    CheckResult r;
    for (;;) {
      r = CheckReplicaOffsets(snap, TakeSnapshot(c));
      if (r.ok || Clock::now() >= lag_deadline || (stop != nullptr && stop->load())) break;
      SleepFor(0.05, stop);
    }
    r.name = "replica_offsets";
    out.checks.push_back(r);
  }
  out.data.check = {"data_consistency", true, ""};
  if (v.data_consistency && writes != nullptr) {
    const auto data_deadline =
        Clock::now() + std::chrono::duration<double>(std::max(10.0, convergence_timeout));
    for (WriteRecord& w : *writes) {
      w.read = w.found = false;
      w.read_value.clear();
      w.read_error.clear();
      const double left = std::chrono::duration<double>(data_deadline - Clock::now()).count();
      if (left <= 0) {
        w.read_error = "not read: the validation's time ran out";
        continue;
      }
      absl::StatusOr<resp::Value> r = client->Call({"GET", w.key}, std::min(left, 5.0));
      if (!r.ok()) {
        w.read_error = std::string(r.status().message());
      } else if (IsError(*r)) {
        w.read_error = r->str;
      } else {
        w.read = true;
        w.found = r->type == resp::Type::kBulkString;
        w.read_value = r->str;
      }
    }
    out.data = CheckData(*writes);
  }
  return out;
}

// ---- one scenario ----

namespace {

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& s, const RunOptions& o, LocalCluster* c, json* log)
      : s_(s), o_(o), c_(c), log_(log), client_(c, o.stop), rng_(s.seed ^ 0x5EEDC4A05ULL) {}

  void Progress(const std::string& line) {
    if (o_.progress) o_.progress(absl::StrCat("[", s_.id, "] ", line));
  }
  bool Stopping() const { return o_.stop != nullptr && o_.stop->load(); }

  void Step(json step) {
    step["t"] = Since(t0_);
    (*log_)["steps"].push_back(std::move(step));
  }

  // Restores a chaos victim whose time is up, and notes nodes that died.
  void Tick(bool force_restore = false) {
    for (const std::string& d : c_->ReapDead()) {
      (*log_)["errors"].push_back(d);
      Progress("node died: " + d);
    }
    if (victim_ < 0 || (!force_restore && Clock::now() < restore_at_)) return;
    const Node& n = c_->nodes()[victim_];
    absl::Status st =
        victim_signal_ == SIGSTOP ? c_->Signal(victim_, SIGCONT) : c_->Restart(victim_);
    json ev{{"event", victim_signal_ == SIGSTOP ? "sigcont" : "restart"},
            {"node", n.name()},
            {"port", n.port},
            {"t", Since(t0_)},
            {"ok", st.ok()}};
    if (!st.ok()) {
      ev["error"] = std::string(st.message());
      (*log_)["errors"].push_back(std::string(st.message()));
    }
    (*log_)["chaos_events"].push_back(ev);
    Progress(absl::StrCat("chaos: ", ev["event"].get<std::string>(), " ", n.name(),
                          st.ok() ? "" : absl::StrCat(" failed: ", st.message())));
    victim_ = -1;
  }

  void Pause(double seconds) {
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < end && !Stopping()) {
      Tick();
      during_hook();
      SleepFor(std::min(0.05, std::chrono::duration<double>(end - Clock::now()).count()), o_.stop);
    }
  }

  // The node a name means now (-1 when none).
  int Resolve(const std::string& name) {
    const int per = 1 + s_.cluster.replicas_per_shard;
    if (name.starts_with("node-")) return std::stoi(name.substr(5));
    const size_t dash = name.find('-', 6);
    const int shard = std::stoi(name.substr(6, dash - 6));
    const std::string rest = name.substr(dash + 1);
    if (rest.starts_with("replica-")) return shard * per + 1 + std::stoi(rest.substr(8));
    // shard-K-primary: whoever serves the first slot the shard started with.
    const int first = shard * kSlots / s_.cluster.num_shards;
    const Snapshot snap = TakeSnapshot(*c_);
    for (const NodeState& n : snap.nodes) {
      if (!n.reachable) continue;
      const std::string owner = SlotOwners(n.view)[first];
      for (const NodeLine& l : n.view) {
        if (l.id != owner) continue;
        for (const Node& node : c_->nodes()) {
          if (node.port == l.port) return node.index;
        }
      }
    }
    return shard * per;
  }

  // A node keeps its id across restarts (nodes.conf is in its directory).
  std::string IdOf(int i) { return c_->nodes()[i].id; }

  bool IsPrimary(int i) {
    const Node& n = c_->nodes()[i];
    if (n.pid <= 0 || n.stopped) return false;
    absl::StatusOr<std::string> info = CallText(n.port, {"INFO", "replication"});
    return info.ok() && InfoField(*info, "role") == "master";
  }

  // ---- chaos ----
  void Inject(const std::string& phase) {
    if (s_.chaos.signal == ChaosSignal::kNone) return;
    if (victim_ >= 0) Tick(/*force_restore=*/true);
    std::vector<int> candidates;
    if (s_.chaos.strategy == TargetStrategy::kSpecific) {
      for (const std::string& name : s_.chaos.specific_nodes) candidates.push_back(Resolve(name));
    } else {
      for (const Node& n : c_->nodes()) {
        if (n.pid <= 0 || n.stopped) continue;
        if (s_.chaos.strategy == TargetStrategy::kRandom) {
          candidates.push_back(n.index);
          continue;
        }
        const bool primary = IsPrimary(n.index);
        if (primary == (s_.chaos.strategy == TargetStrategy::kPrimaryOnly)) {
          candidates.push_back(n.index);
        }
      }
    }
    std::erase_if(candidates, [&](int i) { return c_->nodes()[i].pid <= 0; });
    if (candidates.empty()) {
      (*log_)["chaos_events"].push_back(json{{"event", "skipped"},
                                             {"phase", phase},
                                             {"reason", "no node matches the target selection"},
                                             {"t", Since(t0_)}});
      Progress("chaos " + phase + ": no node matches the target selection");
      return;
    }
    const int victim = candidates[rng_() % candidates.size()];
    const int sig = s_.chaos.signal == ChaosSignal::kSigkill   ? SIGKILL
                    : s_.chaos.signal == ChaosSignal::kSigterm ? SIGTERM
                                                               : SIGSTOP;
    const Node& n = c_->nodes()[victim];
    const bool was_primary = IsPrimary(victim);
    absl::Status st = c_->Signal(victim, sig);
    json ev{{"event", std::string(ToString(s_.chaos.signal))},
            {"phase", phase},
            {"node", n.name()},
            {"port", n.port},
            {"role", was_primary ? "primary" : "replica"},
            {"t", Since(t0_)},
            {"ok", st.ok()}};
    if (!st.ok()) ev["error"] = std::string(st.message());
    (*log_)["chaos_events"].push_back(ev);
    ++chaos_events_;
    Progress(absl::StrCat("chaos ", phase, ": ", ToString(s_.chaos.signal), " ", n.name(), " (",
                          was_primary ? "primary" : "replica", "), back in ",
                          s_.chaos.chaos_duration, " s"));
    if (st.ok()) {
      victim_ = victim;
      victim_signal_ = sig;
      restore_at_ = After(s_.chaos.chaos_duration);
    }
  }

  // The during-operation injection, due at op start + delay_before_operation.
  void during_hook() {
    if (!during_pending_ || Clock::now() < during_at_) return;
    during_pending_ = false;
    Inject("during");
  }

  // ---- operations ----
  absl::Status Failover(const Operation& op) {
    const int target = Resolve(op.target_node);
    int replica = -1;
    if (!IsPrimary(target) && c_->nodes()[target].pid > 0 && !c_->nodes()[target].stopped) {
      replica = target;
    } else {
      const std::string id = IdOf(target);
      std::vector<int> replicas;
      const Snapshot snap = TakeSnapshot(*c_);
      for (size_t i = 0; i < snap.nodes.size(); ++i) {
        const NodeLine* me = snap.nodes[i].Myself();
        if (snap.nodes[i].reachable && me != nullptr && !me->primary() && me->master_id == id) {
          replicas.push_back(static_cast<int>(i));
        }
      }
      if (replicas.empty()) {
        return absl::FailedPreconditionError(op.target_node + " has no reachable replica");
      }
      replica = replicas[rng_() % replicas.size()];
    }
    std::vector<std::string> cmd = {"CLUSTER", "FAILOVER"};
    if (op.failover == FailoverMode::kForce) cmd.push_back("FORCE");
    if (op.failover == FailoverMode::kTakeover) cmd.push_back("TAKEOVER");
    const Node& r = c_->nodes()[replica];
    Progress(absl::StrCat(absl::StrJoin(cmd, " "), " on ", r.name(), " (port ", r.port, ")"));
    absl::StatusOr<resp::Value> reply = Call(r.port, cmd);
    if (!reply.ok()) return reply.status();
    if (IsError(*reply)) return absl::FailedPreconditionError(reply->str);
    const auto deadline = Clock::now() + std::chrono::duration<double>(op.timing.timeout);
    while (Clock::now() < deadline && !Stopping()) {
      if (IsPrimary(replica)) return absl::OkStatus();
      Pause(0.1);
    }
    return absl::DeadlineExceededError(
        absl::StrCat(r.name(), " did not become a primary within ", op.timing.timeout, " s"));
  }

  absl::Status Migrate(const Operation& op) {
    const int src = Resolve(op.target_node);
    const int dst = Resolve(op.destination_node);
    if (src == dst) return absl::FailedPreconditionError("source and destination are one node");
    if (!IsPrimary(src) || !IsPrimary(dst)) {
      return absl::FailedPreconditionError("source and destination must be running primaries");
    }
    const Node& s = c_->nodes()[src];
    const Node& d = c_->nodes()[dst];
    const std::string src_id = IdOf(src), dst_id = IdOf(dst);
    absl::StatusOr<std::string> text = CallText(s.port, {"CLUSTER", "NODES"});
    if (!text.ok()) return text.status();
    absl::StatusOr<std::vector<NodeLine>> view = ParseClusterNodes(*text);
    if (!view.ok()) return view.status();
    std::vector<int> owned;
    for (const NodeLine& l : *view) {
      if (!l.myself()) continue;
      for (const auto& [a, b] : l.slots) {
        for (int x = a; x <= b; ++x) owned.push_back(x);
      }
    }
    // The source keeps its first slot, which names its shard.
    const int count = std::min<int>(op.slots, static_cast<int>(owned.size()) - 1);
    if (count <= 0) return absl::FailedPreconditionError(s.name() + " has no slot to give");
    Progress(absl::StrCat("migrating ", count, " slots ", owned[owned.size() - count], "..",
                          owned.back(), " from ", s.name(), " to ", d.name()));
    const auto deadline = Clock::now() + std::chrono::duration<double>(op.timing.timeout);
    int moved_keys = 0;
    for (size_t k = owned.size() - count; k < owned.size(); ++k) {
      const std::string slot = std::to_string(owned[k]);
      auto must = [](const absl::StatusOr<resp::Value>& v, const char* what) -> absl::Status {
        if (!v.ok()) return v.status();
        if (IsError(*v)) return absl::FailedPreconditionError(absl::StrCat(what, ": ", v->str));
        return absl::OkStatus();
      };
      if (absl::Status st =
              must(Call(d.port, {"CLUSTER", "SETSLOT", slot, "IMPORTING", src_id}), "IMPORTING");
          !st.ok()) {
        return st;
      }
      if (absl::Status st =
              must(Call(s.port, {"CLUSTER", "SETSLOT", slot, "MIGRATING", dst_id}), "MIGRATING");
          !st.ok()) {
        return st;
      }
      for (int batch = 0; batch < 10000; ++batch) {
        if (Clock::now() > deadline || Stopping()) {
          return absl::DeadlineExceededError("migration timed out at slot " + slot);
        }
        Tick();
        during_hook();
        absl::StatusOr<resp::Value> keys = Call(s.port, {"CLUSTER", "GETKEYSINSLOT", slot, "100"});
        if (absl::Status st = must(keys, "GETKEYSINSLOT"); !st.ok()) return st;
        if (keys->elems.empty()) break;
        std::vector<std::string> mig = {"MIGRATE", "127.0.0.1", std::to_string(d.port), "", "0",
                                        "2000",    "KEYS"};
        for (const resp::Value& key : keys->elems) mig.push_back(key.str);
        if (absl::Status st = must(Call(s.port, mig), "MIGRATE"); !st.ok()) return st;
        moved_keys += static_cast<int>(keys->elems.size());
      }
      if (absl::Status st = must(Call(d.port, {"CLUSTER", "SETSLOT", slot, "NODE", dst_id}),
                                 "SETSLOT NODE (destination)");
          !st.ok()) {
        return st;
      }
      if (absl::Status st = must(Call(s.port, {"CLUSTER", "SETSLOT", slot, "NODE", dst_id}),
                                 "SETSLOT NODE (source)");
          !st.ok()) {
        return st;
      }
      for (const Node& other : c_->nodes()) {
        if (other.index == src || other.index == dst || !IsPrimary(other.index)) continue;
        (void)Call(other.port, {"CLUSTER", "SETSLOT", slot, "NODE", dst_id});
      }
    }
    Progress(absl::StrCat("migrated ", count, " slots, ", moved_keys, " keys"));
    return absl::OkStatus();
  }

  absl::Status Write(const Operation& op, int op_index) {
    const auto deadline = Clock::now() + std::chrono::duration<double>(op.timing.timeout);
    const int replicas = s_.cluster.replicas_per_shard;
    int acked = 0, wait_acked = 0, failed = 0;
    for (int i = 0; i < op.keys; ++i) {
      const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
      if (left <= 0 || Stopping()) break;
      Tick();
      during_hook();
      WriteRecord w;
      w.key = absl::StrCat("rfz:s", s_.seed, ":o", op_index, ":k", i);
      w.value = absl::StrCat("v", s_.seed, "-", op_index, "-", i);
      Conn* conn = nullptr;
      absl::StatusOr<resp::Value> r =
          client_.Call({"SET", w.key, w.value}, std::min(left, 5.0), &conn);
      if (!r.ok() || r->type != resp::Type::kSimpleString || r->str != "OK") {
        ++failed;  // not acknowledged: nothing to check
        continue;
      }
      ++acked;
      if (op.wait) {
        // WAIT on the connection that wrote (it counts the replicas that
        // acknowledged this connection's writes): every replica of the shard.
        absl::StatusOr<resp::Value> n =
            conn->Call({"WAIT", std::to_string(replicas), std::to_string(kWaitTimeoutMs)});
        if (!n.ok()) client_.Drop(conn->port());
        w.wait_acknowledged = n.ok() && n->type == resp::Type::kInteger && n->integer >= replicas;
        if (w.wait_acknowledged) ++wait_acked;
      }
      writes_.push_back(w);
    }
    Progress(absl::StrCat("wrote ", acked, " keys (", wait_acked, " WAIT-acknowledged, ", failed,
                          " not acknowledged), ", client_.redirects(), " redirections so far"));
    if (acked == 0) return absl::UnavailableError("no write was acknowledged");
    return absl::OkStatus();
  }

  RunResult Run() {
    RunResult result;
    t0_ = Clock::now();
    (*log_)["steps"] = json::array();
    (*log_)["chaos_events"] = json::array();
    (*log_)["validations"] = json::array();
    (*log_)["errors"] = json::array();
    const double convergence =
        o_.convergence_timeout >= 0 ? o_.convergence_timeout : s_.validation.convergence_timeout;
    bool failed = false;
    auto validate = [&](const std::string& after) {
      Progress("validating after " + after);
      ValidationOutcome v = Validate(*c_, s_.validation, convergence, &writes_, &client_, o_.stop);
      json checks = json::array();
      for (const CheckResult& r : v.checks) {
        checks.push_back(CheckJson(r));
        if (!r.ok) {
          result.failed_checks.push_back(absl::StrCat(after, ": ", r.name, ": ", r.detail));
          Progress(absl::StrCat("FAIL ", r.name, ": ", r.detail));
        }
      }
      if (!v.data.check.ok) {
        result.failed_checks.push_back(
            absl::StrCat(after, ": data_consistency: ", v.data.check.detail));
        Progress("FAIL data_consistency: " + v.data.check.detail);
      }
      (*log_)["validations"].push_back(json{
          {"after", after}, {"t", Since(t0_)}, {"checks", checks}, {"data", DataJson(v.data)}});
      result.data = v.data;
      if (!v.ok()) failed = true;
      if (v.ok()) {
        Progress(absl::StrCat("ok: ", v.checks.size(), " checks, ", v.data.acknowledged,
                              " writes read back (", v.data.lost_async, " async losses)"));
      }
    };
    for (size_t i = 0; i < s_.operations.size() && !Stopping(); ++i) {
      const Operation& op = s_.operations[i];
      const std::string what =
          absl::StrCat("operation ", i, " (", ToString(op.type), " ", op.target_node, ")");
      Progress(what);
      Pause(op.timing.delay_before);
      if (s_.chaos.before) {
        Inject("before");
        Pause(s_.chaos.delay_before_operation);
      }
      during_pending_ = s_.chaos.during && s_.chaos.signal != ChaosSignal::kNone;
      during_at_ = After(s_.chaos.delay_before_operation);
      const auto op_t0 = Clock::now();
      absl::Status st = op.type == OpType::kFailover       ? Failover(op)
                        : op.type == OpType::kMigrateSlots ? Migrate(op)
                                                           : Write(op, static_cast<int>(i));
      const double op_seconds = Since(op_t0);
      if (during_pending_) {
        during_pending_ = false;
        Inject("during (the operation had ended)");
      }
      json step{{"operation", i},
                {"type", std::string(ToString(op.type))},
                {"target_node", op.target_node},
                {"seconds", op_seconds},
                {"ok", st.ok()}};
      if (!st.ok()) step["error"] = std::string(st.message());
      Step(step);
      if (st.ok()) {
        ++result.operations_ok;
        Progress(absl::StrCat(what, " done in ", static_cast<int>(op_seconds * 1000), " ms"));
      } else {
        ++result.operations_failed;
        Progress(absl::StrCat(what, " failed: ", st.message()));
      }
      if (s_.chaos.after) {
        Pause(s_.chaos.delay_after_operation);
        Inject("after");
      }
      // The victim comes back after chaos_duration.
      while (victim_ >= 0 && !Stopping()) Pause(0.05);
      Pause(op.timing.delay_after);
      if (Stopping()) break;
      validate(what);
    }
    if (!Stopping()) validate("the last operation (final)");
    const Snapshot final_snapshot = TakeSnapshot(*c_);
    (*log_)["snapshots"]["final"] = SnapshotJson(final_snapshot);
    result.chaos_events = chaos_events_;
    result.seconds = Since(t0_);
    if (Stopping()) {
      result.status = RunResult::Status::kError;
      result.error = "interrupted";
    } else {
      result.status = failed ? RunResult::Status::kFailed : RunResult::Status::kPassed;
    }
    return result;
  }

 private:
  const Scenario& s_;
  const RunOptions& o_;
  LocalCluster* c_;
  json* log_;
  ClusterClient client_;
  std::mt19937_64 rng_;
  Clock::time_point t0_;
  int victim_ = -1;
  int victim_signal_ = 0;
  Clock::time_point restore_at_;
  bool during_pending_ = false;
  Clock::time_point during_at_;
  int chaos_events_ = 0;
  std::vector<WriteRecord> writes_;
};

}  // namespace

RunResult RunScenario(const Scenario& s, const RunOptions& o) {
  const auto t0 = Clock::now();
  json log{{"scenario_id", s.id}, {"seed", s.seed}, {"scenario_yaml", ToYaml(s)}};
  ClusterOptions co;
  co.server = o.server;
  co.shards = s.cluster.num_shards;
  co.replicas = s.cluster.replicas_per_shard;
  co.base_port = o.base_port >= 0 ? o.base_port : s.cluster.base_port;
  co.node_timeout_ms = s.cluster.node_timeout_ms;
  co.progress = [&](const std::string& line) {
    if (o.progress) o.progress(absl::StrCat("[", s.id, "] ", line));
  };
  co.stop = o.stop;
  RunResult result;
  absl::StatusOr<std::unique_ptr<LocalCluster>> c = LocalCluster::Create(co);
  if (!c.ok()) {
    result.status = RunResult::Status::kError;
    result.error = absl::StrCat("cluster setup: ", c.status().message());
    log["errors"] = json::array({result.error});
  } else {
    json nodes = json::array();
    for (const Node& n : (*c)->nodes()) {
      nodes.push_back(json{{"node", n.name()}, {"port", n.port}, {"id", n.id}, {"pid", n.pid}});
    }
    log["cluster"] = json{{"base_port", (*c)->base_port()},
                          {"dir", (*c)->dir()},
                          {"node_timeout_ms", s.cluster.node_timeout_ms},
                          {"nodes", nodes},
                          {"ready_seconds", Since(t0)}};
    co.progress(absl::StrCat("cluster ready in ", static_cast<int>(Since(t0) * 1000), " ms"));
    ScenarioRun run(s, o, c->get(), &log);
    result = run.Run();
    (*c)->Destroy();
  }
  result.seconds = Since(t0);
  log["status"] = std::string(ToString(result.status));
  if (!result.error.empty()) log["error"] = result.error;
  log["failed_checks"] = result.failed_checks;
  log["duration_s"] = result.seconds;
  result.log = std::move(log);
  return result;
}

}  // namespace respfuzz::cluster_chaos
