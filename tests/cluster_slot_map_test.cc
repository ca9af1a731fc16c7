// The client slot map: built from the CLUSTER SLOTS and CLUSTER SHARDS replies
// redis-server 7.0.15 sent (tests/fixtures/cluster/), then MOVED, one-shot
// ASK, node failures, and the node cap at its boundary.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "src/cluster/slot_map.h"
#include "src/resp/reader.h"

namespace respfuzz::cluster {
namespace {

resp::Value ReadReply(const std::string& name, resp::Protocol proto = resp::Protocol::kResp2) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/tests/fixtures/cluster/" + name,
                   std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  resp::ReaderError err;
  auto values = resp::ReadAll(bytes, proto, resp::ReaderLimits{}, &err);
  EXPECT_EQ(values.size(), 1u) << name;
  return values.empty() ? resp::Value{} : values[0];
}

const Endpoint kN1{"127.0.0.1", 21801}, kN2{"127.0.0.1", 21802};

void ExpectFixtureLayout(const SlotMap& m) {
  EXPECT_EQ(m.covered_slots(), 16384u);
  EXPECT_EQ(m.Owner(0), kN1);
  EXPECT_EQ(m.Owner(5460), kN1);
  EXPECT_EQ(m.Owner(5461), kN2);
  EXPECT_EQ(m.Owner(16383), kN2);
}

TEST(SlotMap, FromRealClusterSlots) {
  auto m = SlotMap::FromClusterSlots(ReadReply("redis7015_cluster_slots.resp"));
  ASSERT_TRUE(m.ok()) << m.status();
  ExpectFixtureLayout(*m);
  // The real server said: GET bar on 21802 -> MOVED 5061 127.0.0.1:21801.
  EXPECT_EQ(m->RouteKey("bar")->node, kN1);
  EXPECT_EQ(m->RouteKey("foo")->node, kN2);
}

TEST(SlotMap, FromRealClusterShards) {
  auto m = SlotMap::FromClusterShards(ReadReply("redis7015_cluster_shards.resp"));
  ASSERT_TRUE(m.ok()) << m.status();
  ExpectFixtureLayout(*m);
}

TEST(SlotMap, MovedUpdatesAskIsOneShot) {
  SlotMap m;
  ASSERT_TRUE(m.Assign(0, 16383, kN1).ok());
  int slot = KeySlot("foo");
  ASSERT_TRUE(m.OnRedirect(*ParseRedirect("ASK 12182 127.0.0.1:21802")).ok());
  auto r = m.RouteKey("foo");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->node, kN2);
  EXPECT_TRUE(r->asking);
  r = m.RouteKey("foo");  // the ASK is spent
  EXPECT_EQ(r->node, kN1);
  EXPECT_FALSE(r->asking);
  EXPECT_EQ(m.Owner(slot), kN1);
  ASSERT_TRUE(m.OnRedirect(*ParseRedirect("MOVED 12182 127.0.0.1:21802")).ok());
  EXPECT_EQ(m.Owner(slot), kN2);
  EXPECT_EQ(m.RouteKey("foo")->node, kN2);
  EXPECT_EQ(m.RouteKey("foo")->node, kN2);
  EXPECT_EQ(m.Owner(slot - 1), kN1);  // only that slot moved
}

TEST(SlotMap, FailedNodeLosesItsSlots) {
  SlotMap m;
  ASSERT_TRUE(m.Assign(0, 99, kN1).ok());
  ASSERT_TRUE(m.Assign(100, 16383, kN2).ok());
  ASSERT_TRUE(m.OnRedirect(Redirect{RedirectKind::kAsk, 200, kN1}).ok());
  m.OnNodeFailed(kN1);
  EXPECT_EQ(m.covered_slots(), 16284u);
  EXPECT_FALSE(m.RouteSlot(5).has_value());
  EXPECT_EQ(m.RouteSlot(200)->node, kN2);  // the pending ASK to the dead node is dropped
  EXPECT_FALSE(m.RouteSlot(200)->asking);
}

TEST(SlotMap, Boundaries) {
  SlotMap m;
  EXPECT_TRUE(m.Assign(16383, 16383, kN1).ok());
  EXPECT_FALSE(m.Assign(16384, 16384, kN1).ok());
  EXPECT_FALSE(m.Assign(-1, 3, kN1).ok());
  EXPECT_FALSE(m.Assign(5, 4, kN1).ok());
  EXPECT_FALSE(m.RouteSlot(16384).has_value());
  SlotMap many;
  for (size_t i = 0; i < kMaxMapNodes; ++i) {
    ASSERT_TRUE(
        many.Assign(static_cast<int>(i), static_cast<int>(i), Endpoint{"n", static_cast<int>(i)})
            .ok());
  }
  EXPECT_EQ(many.node_count(), kMaxMapNodes);
  EXPECT_FALSE(many.Assign(2000, 2000, Endpoint{"n", 5000}).ok());
  EXPECT_TRUE(many.Assign(2000, 2000, Endpoint{"n", 7}).ok());  // a known node still fits
}

TEST(SlotMap, RejectsMalformedReplies) {
  using resp::Value;
  EXPECT_FALSE(SlotMap::FromClusterSlots(Value::Simple("OK")).ok());
  Value entry = Value::Aggregate(
      resp::Type::kArray,
      {Value::Integer(10), Value::Integer(5),
       Value::Aggregate(resp::Type::kArray, {Value::Bulk("h"), Value::Integer(1)})});
  Value reply = Value::Aggregate(resp::Type::kArray, {entry});
  auto m = SlotMap::FromClusterSlots(reply);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "entry 0: bad slot range");
  reply.elems[0].elems[0] = Value::Integer(5);
  EXPECT_TRUE(SlotMap::FromClusterSlots(reply).ok());
  reply.elems[0].elems[1] = Value::Integer(16384);
  EXPECT_FALSE(SlotMap::FromClusterSlots(reply).ok());
  reply.elems[0].elems[1] = Value::Integer(6);
  reply.elems[0].elems[2].elems[1] = Value::Integer(65536);
  EXPECT_FALSE(SlotMap::FromClusterSlots(reply).ok());
}

}  // namespace
}  // namespace respfuzz::cluster
