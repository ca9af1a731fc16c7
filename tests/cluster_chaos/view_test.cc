// The validators over hand-made snapshots: each passes on a healthy cluster
// and fails on one broken piece. (live_test.cc breaks a real cluster.)
#include "tools/cluster/view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace respfuzz::cluster_chaos {
namespace {

using ::testing::HasSubstr;

const std::string kA(40, 'a'), kB(40, 'b'), kC(40, 'c'), kR(40, 'r');

// CLUSTER NODES as node `me` writes it (redis-server 7.0's line format).
std::string NodesText(const std::string& me, const std::string& a_slots = "0-5460",
                      const std::string& b_slots = "5461-10922",
                      const std::string& c_slots = "10923-16383") {
  auto line = [&](const std::string& id, int port, const std::string& role,
                  const std::string& master, const std::string& slots) {
    return absl::StrCat(id, " 127.0.0.1:", port, "@", port + 10000, " ", id == me ? "myself," : "",
                        role, " ", master, " 0 0 1 connected", slots.empty() ? "" : " " + slots,
                        "\n");
  };
  return line(kA, 7000, "master", "-", a_slots) + line(kB, 7001, "master", "-", b_slots) +
         line(kC, 7002, "master", "-", c_slots) + line(kR, 7003, "slave", kA, "");
}

NodeState State(const std::string& name, int port, const std::string& me, const std::string& text) {
  NodeState n;
  n.name = name;
  n.port = port;
  n.running = n.reachable = true;
  n.cluster_nodes = text;
  n.view = *ParseClusterNodes(text);
  n.cluster_state = "ok";
  const bool replica = me == kR;
  n.role = replica ? "slave" : "master";
  n.master_repl_offset = 100;
  n.slave_repl_offset = replica ? 100 : -1;
  n.master_link_status = replica ? "up" : "";
  n.connected_slaves = me == kA ? 1 : 0;
  return n;
}

Snapshot Healthy() {
  Snapshot s;
  s.nodes.push_back(State("a", 7000, kA, NodesText(kA)));
  s.nodes.push_back(State("b", 7001, kB, NodesText(kB)));
  s.nodes.push_back(State("c", 7002, kC, NodesText(kC)));
  s.nodes.push_back(State("r", 7003, kR, NodesText(kR)));
  return s;
}

TEST(ClusterView, ParsesRedis70Lines) {
  const std::string text =
      kA +
      " 127.0.0.1:7000@17000,host-a myself,master - 0 1700000000000 3 connected 0-5 7 "
      "[8->-" +
      kB + "] [9-<-" + kC + "]\n" + kB + " 127.0.0.1:7001@17001 slave,fail " + kA +
      " 0 0 2 disconnected\n";
  absl::StatusOr<std::vector<NodeLine>> v = ParseClusterNodes(text);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].port, 7000);
  EXPECT_TRUE((*v)[0].myself());
  EXPECT_EQ((*v)[0].config_epoch, 3u);
  EXPECT_EQ((*v)[0].slots, (std::vector<std::pair<int, int>>{{0, 5}, {7, 7}}));
  EXPECT_TRUE((*v)[1].failed());
  EXPECT_FALSE((*v)[1].link_connected);
  EXPECT_EQ((*v)[1].master_id, kA);
  EXPECT_FALSE(ParseClusterNodes("x 127.0.0.1:1@2 master - 0 0 1 connected 5-16384\n").ok());
  EXPECT_FALSE(ParseClusterNodes("x 127.0.0.1:1@2 master - 0 0\n").ok());
}

TEST(ClusterView, HealthySnapshotPasses) {
  const Snapshot s = Healthy();
  for (const CheckResult& r :
       {CheckReachable(s), CheckSlotCoverage(s), CheckSlotConflicts(s), CheckAgreement(s),
        CheckReplicaLinks(s), CheckReplicaOffsets(s, s)}) {
    EXPECT_TRUE(r.ok) << r.name << ": " << r.detail;
  }
}

TEST(ClusterView, CoverageFailsOnAnUnownedSlotAndOnAFailedOwner) {
  Snapshot s = Healthy();
  s.nodes[0] = State("a", 7000, kA, NodesText(kA, "0-99 101-5460"));
  CheckResult r = CheckSlotCoverage(s);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.detail, HasSubstr("a sees no owner for slots 100-100"));
  s = Healthy();
  s.nodes[1] = State("b", 7001, kB,
                     absl::StrReplaceAll(NodesText(kB), {{"master - 0 0 1 connected 10923",
                                                          "master,fail - 0 0 1 connected 10923"}}));
  r = CheckSlotCoverage(s);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.detail, HasSubstr("owned by c, flagged fail"));
}

TEST(ClusterView, ConflictFailsOnASlotClaimedTwice) {
  Snapshot s = Healthy();
  s.nodes[1] = State("b", 7001, kB, NodesText(kB, "0-5460", "42 5461-10922"));
  const CheckResult r = CheckSlotConflicts(s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.detail, "slot 42 is claimed by a and b");
}

TEST(ClusterView, AgreementFailsWhenTwoNodesNameDifferentOwners) {
  Snapshot s = Healthy();
  s.nodes[2] = State("c", 7002, kC, NodesText(kC, "0-5459", "5460-10922"));
  const CheckResult r = CheckAgreement(s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.detail, "a says slot 5460 is a's, c says b's");
}

TEST(ClusterView, ReachabilityFailsOnASilentRunningNode) {
  Snapshot s = Healthy();
  s.nodes[3].reachable = false;
  s.nodes[3].error = "connection refused";
  EXPECT_FALSE(CheckReachable(s).ok);
  s.nodes[3].running = false;  // down on purpose (chaos): not a reachability failure
  EXPECT_TRUE(CheckReachable(s).ok);
}

TEST(ClusterView, ReplicaLinksFailOnADownLinkAndAMissingReplica) {
  Snapshot s = Healthy();
  s.nodes[3].master_link_status = "down";
  EXPECT_THAT(CheckReplicaLinks(s).detail, HasSubstr("r is a replica whose link"));
  s = Healthy();
  s.nodes[0].connected_slaves = 0;
  EXPECT_THAT(CheckReplicaLinks(s).detail, HasSubstr("a has 0 connected replicas, 1 expected"));
  // A replica the tool took down still counts: its primary misses it.
  s = Healthy();
  s.nodes[3].running = s.nodes[3].reachable = false;
  s.nodes[0].connected_slaves = 0;
  EXPECT_FALSE(CheckReplicaLinks(s).ok);
}

TEST(ClusterView, ReplicaOffsetsFailWhenAReplicaLagsBehind) {
  const Snapshot before = Healthy();
  Snapshot after = Healthy();
  after.nodes[3].slave_repl_offset = 99;
  const CheckResult r = CheckReplicaOffsets(before, after);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.detail, "r is at replication offset 99, a was at 100");
}

TEST(ClusterView, DataCountsAsyncLossesApartAndFailsOnWaitAcknowledgedLoss) {
  std::vector<WriteRecord> w(4);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i].key = absl::StrCat("k", i);
    w[i].value = w[i].read_value = absl::StrCat("v", i);
    w[i].read = w[i].found = true;
    w[i].wait_acknowledged = i % 2 == 0;
  }
  DataResult d = CheckData(w);
  EXPECT_TRUE(d.check.ok);
  EXPECT_EQ(d.acknowledged, 4);
  EXPECT_EQ(d.wait_acknowledged, 2);
  w[1].found = false;  // primary-only acknowledged: counted, not a failure
  d = CheckData(w);
  EXPECT_TRUE(d.check.ok);
  EXPECT_EQ(d.lost_async, 1);
  w[2].read_value = "other";  // WAIT-acknowledged and changed: a failure
  d = CheckData(w);
  EXPECT_FALSE(d.check.ok);
  EXPECT_EQ(d.lost_wait, 1);
  EXPECT_EQ(d.check.detail, "WAIT-acknowledged key k2 reads 'other', written 'v2'");
  w[2].read_value = "v2";
  w[3].read = false;  // no answer: a failure
  w[3].read_error = "CLUSTERDOWN";
  d = CheckData(w);
  EXPECT_FALSE(d.check.ok);
  EXPECT_EQ(d.unreadable, 1);
}

}  // namespace
}  // namespace respfuzz::cluster_chaos
