// The validators against real redis-server 7.0 clusters (started on free
// loopback ports by LocalCluster, destroyed after each test): a healthy
// cluster passes, and each validator fails on a cluster made inconsistent on
// purpose.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "tools/cluster/local_cluster.h"
#include "tools/cluster/runner.h"
#include "tools/cluster/view.h"

namespace respfuzz::cluster_chaos {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<LocalCluster> Start(int shards, int replicas) {
  ClusterOptions o;
  o.shards = shards;
  o.replicas = replicas;
  o.node_timeout_ms = 2000;
  o.ready_timeout = 30;
  absl::StatusOr<std::unique_ptr<LocalCluster>> c = LocalCluster::Create(o);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

resp::Value MustCall(int port, const std::vector<std::string>& argv) {
  absl::StatusOr<resp::Value> v = Call(port, argv);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : resp::Value();
}

CheckResult Find(const std::vector<CheckResult>& checks, const std::string& name) {
  for (const CheckResult& c : checks) {
    if (c.name == name) return c;
  }
  ADD_FAILURE() << "no check " << name;
  return {};
}

Validation Quick() {
  Validation v;
  v.max_replication_lag = 2;
  return v;
}

TEST(ClusterLive, HealthyClusterPassesAndItsDirectoryIsRemoved) {
  std::unique_ptr<LocalCluster> c = Start(3, 1);
  ASSERT_NE(c, nullptr);
  const std::string dir = c->dir();
  ASSERT_EQ(c->nodes().size(), 6u);
  ClusterClient client(c.get(), nullptr);
  std::vector<WriteRecord> writes;
  for (int i = 0; i < 30; ++i) {
    WriteRecord w;
    w.key = absl::StrCat("live:", i);
    w.value = absl::StrCat("v", i);
    Conn* conn = nullptr;
    absl::StatusOr<resp::Value> r = client.Call({"SET", w.key, w.value}, 5, &conn);
    ASSERT_TRUE(r.ok() && r->str == "OK") << (r.ok() ? r->str : r.status().ToString());
    absl::StatusOr<resp::Value> n = conn->Call({"WAIT", "1", "1000"});
    w.wait_acknowledged = n.ok() && n->integer == 1;
    writes.push_back(w);
  }
  const ValidationOutcome v = Validate(*c, Quick(), 5, &writes, &client, nullptr);
  for (const CheckResult& r : v.checks) EXPECT_TRUE(r.ok) << r.name << ": " << r.detail;
  EXPECT_TRUE(v.data.check.ok) << v.data.check.detail;
  EXPECT_EQ(v.data.acknowledged, 30);
  EXPECT_EQ(v.data.wait_acknowledged, 30);
  c->Destroy();
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(Call(c->nodes()[0].port, {"PING"}, 200).ok());
}

// A port of the chosen block taken between the check and the nodes' start
// (here the first node's bus port, held by a listening socket): that node
// exits at start with the address in use, and the cluster starts on another
// block. With a base port given, the same is an error.
TEST(ClusterLive, APortTakenMeanwhileMovesTheClusterToAnotherBlock) {
  int held = -1;  // a listening socket on the first node's bus port
  bool arm = true;
  int taken_base = 0;
  ClusterOptions o;
  o.shards = 1;
  o.replicas = 0;
  std::vector<std::string> progress;
  o.progress = [&](const std::string& s) { progress.push_back(s); };
  o.before_start = [&](int base) {
    if (!arm) return;
    arm = false;
    taken_base = base;
    held = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(base + 10000));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(held, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(held, 1), 0);
  };
  absl::StatusOr<std::unique_ptr<LocalCluster>> c = LocalCluster::Create(o);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_NE((*c)->base_port(), taken_base);
  EXPECT_THAT(testing::PrintToString(progress),
              HasSubstr(absl::StrCat("shard-0-primary: port ", taken_base, " or bus port ",
                                     taken_base + 10000,
                                     " taken meanwhile; trying another block of ports")));
  (*c)->Destroy();
  close(held);
  // The same block given as the base port: no other block to go to.
  o.base_port = taken_base;
  arm = true;
  absl::StatusOr<std::unique_ptr<LocalCluster>> fixed = LocalCluster::Create(o);
  close(held);
  EXPECT_FALSE(fixed.ok());
  EXPECT_THAT(fixed.status().message(), HasSubstr("taken meanwhile"));
}

TEST(ClusterLive, CoverageFailsAfterDelslots) {
  std::unique_ptr<LocalCluster> c = Start(3, 0);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(MustCall(c->nodes()[1].port, {"CLUSTER", "DELSLOTS", "6000"}).str, "OK");
  const ValidationOutcome v = Validate(*c, Quick(), 1, nullptr, nullptr, nullptr);
  const CheckResult r = Find(v.checks, "slot_coverage");
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.detail, HasSubstr("sees no owner for slots 6000-6000"));
}

// Node 1 claims slot 0, which node 0 owns: two primaries claim it until the
// epochs settle it, so the snapshot is taken at once (retried if it settled).
TEST(ClusterLive, ConflictFailsWhenTwoPrimariesClaimASlot) {
  std::unique_ptr<LocalCluster> c = Start(3, 0);
  ASSERT_NE(c, nullptr);
  bool seen = false;
  for (int slot = 0; slot < 5 && !seen; ++slot) {
    EXPECT_EQ(MustCall(c->nodes()[1].port,
                       {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", c->nodes()[1].id})
                  .str,
              "OK");
    const CheckResult r = CheckSlotConflicts(TakeSnapshot(*c));
    if (!r.ok) {
      seen = true;
      EXPECT_THAT(r.detail, HasSubstr(absl::StrCat("slot ", slot, " is claimed by")));
    }
  }
  EXPECT_TRUE(seen);
}

// Node 2 forgets node 0 (CLUSTER FORGET keeps it out for 60 s): node 2 sees
// no owner for node 0's slots while the others see node 0, so the views do
// not converge within the timeout.
TEST(ClusterLive, ConvergenceFailsWhenANodeForgetsAnOwner) {
  std::unique_ptr<LocalCluster> c = Start(3, 0);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(MustCall(c->nodes()[2].port, {"CLUSTER", "FORGET", c->nodes()[0].id}).str, "OK");
  const ValidationOutcome v = Validate(*c, Quick(), 2, nullptr, nullptr, nullptr);
  const CheckResult r = Find(v.checks, "convergence");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.detail,
            "shard-0-primary says slot 0 is shard-0-primary's, shard-2-primary says "
            "nobody's");
}

TEST(ClusterLive, ReplicaSyncAndReachabilityFailOnAKilledReplica) {
  std::unique_ptr<LocalCluster> c = Start(3, 1);
  ASSERT_NE(c, nullptr);
  Node& replica = c->nodes()[1];  // shard-0-replica-0
  ASSERT_EQ(replica.name(), "shard-0-replica-0");
  // Killed behind the tool's back: it should be up and is not.
  ::kill(replica.pid, SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ValidationOutcome v = Validate(*c, Quick(), 1, nullptr, nullptr, nullptr);
  EXPECT_FALSE(Find(v.checks, "reachability").ok);
  EXPECT_FALSE(Find(v.checks, "replica_sync").ok);
  // Reaped (the tool knows it is down): its primary still misses it.
  EXPECT_EQ(c->ReapDead().size(), 1u);
  v = Validate(*c, Quick(), 1, nullptr, nullptr, nullptr);
  EXPECT_TRUE(Find(v.checks, "reachability").ok);
  const CheckResult r = Find(v.checks, "replica_sync");
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.detail, HasSubstr("shard-0-primary has 0 connected replicas, 1 expected"));
  // Restarted, it is back: everything passes again.
  ASSERT_TRUE(c->Restart(1).ok());
  v = Validate(*c, Quick(), 20, nullptr, nullptr, nullptr);
  for (const CheckResult& x : v.checks) EXPECT_TRUE(x.ok) << x.name << ": " << x.detail;
}

TEST(ClusterLive, DataFailsOnALostWaitAcknowledgedWriteOnly) {
  std::unique_ptr<LocalCluster> c = Start(3, 1);
  ASSERT_NE(c, nullptr);
  ClusterClient client(c.get(), nullptr);
  std::vector<WriteRecord> writes;
  for (int i = 0; i < 2; ++i) {
    WriteRecord w;
    w.key = absl::StrCat("lost:", i);
    w.value = "v";
    Conn* conn = nullptr;
    ASSERT_TRUE(client.Call({"SET", w.key, w.value}, 5, &conn).ok());
    w.wait_acknowledged = i == 1;  // the first one only the primary acknowledged
    writes.push_back(w);
  }
  // Both vanish, as a failover to a replica that missed them would leave it.
  for (const WriteRecord& w : writes) ASSERT_TRUE(client.Call({"DEL", w.key}, 5).ok());
  ValidationOutcome v = Validate(*c, Quick(), 5, &writes, &client, nullptr);
  EXPECT_FALSE(v.data.check.ok);
  EXPECT_EQ(v.data.lost_async, 1);
  EXPECT_EQ(v.data.lost_wait, 1);
  EXPECT_EQ(v.data.check.detail, "WAIT-acknowledged key lost:1 is gone");
  // Without the WAIT-acknowledged one, the async loss alone is not a failure.
  writes.pop_back();
  v = Validate(*c, Quick(), 5, &writes, &client, nullptr);
  EXPECT_TRUE(v.data.check.ok);
  EXPECT_EQ(v.data.lost_async, 1);
}

}  // namespace
}  // namespace respfuzz::cluster_chaos
