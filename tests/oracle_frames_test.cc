// The command oracle's orderings of frames each side orders for itself
// (tools/oracle_frames.h): a run of invalidation pushes by key, and after an
// expiry sweep a run of `expired` notifications by key, a key's keyspace
// and keyevent messages kept together; other frames stay where they are,
// so a missing or extra event still shows.
#include "tools/oracle_frames.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace respfuzz::oracle {
namespace {

using resp::Type;
using resp::Value;

Value Msg(std::vector<std::string> parts, Type type = Type::kArray) {
  std::vector<Value> e;
  for (std::string& p : parts) e.push_back(Value::Bulk(std::move(p)));
  return Value::Aggregate(type, std::move(e));
}

// keyspace then keyevent message of key `k` expiring, as a PSUBSCRIBE
// __key*__:* session gets them.
std::vector<Value> Expired(const std::string& k) {
  return {Msg({"pmessage", "__key*__:*", "__keyspace@0__:" + k, "expired"}),
          Msg({"pmessage", "__key*__:*", "__keyevent@0__:expired", k})};
}

TEST(OracleFrames, ExpiredEventsOfASweepInKeyOrder) {
  std::vector<Value> server, engine;
  for (const char* k : {"k2", "k3", "k1"}) {
    for (Value& v : Expired(k)) server.push_back(std::move(v));
  }
  for (const char* k : {"k1", "k2", "k3"}) {
    for (Value& v : Expired(k)) engine.push_back(std::move(v));
  }
  ASSERT_NE(server, engine);
  SortExpiredEventRuns(&server);
  SortExpiredEventRuns(&engine);
  EXPECT_EQ(server, engine);
  EXPECT_EQ(server[0].elems[2].str, "__keyspace@0__:k1");  // a key's pair together
  EXPECT_EQ(server[1].elems[3].str, "k1");
}

TEST(OracleFrames, OtherFramesStayAndAMissingEventShows) {
  // A plain message between two runs splits them.
  std::vector<Value> frames = Expired("b");
  frames.push_back(Msg({"message", "ch", "x"}));
  for (Value& v : Expired("a")) frames.push_back(std::move(v));
  const std::vector<Value> before = frames;
  SortExpiredEventRuns(&frames);
  EXPECT_EQ(frames, before);
  // One side missing a key's events differs after sorting too.
  std::vector<Value> two = Expired("a"), one = Expired("a");
  for (Value& v : Expired("b")) two.push_back(std::move(v));
  SortExpiredEventRuns(&two);
  SortExpiredEventRuns(&one);
  EXPECT_NE(two, one);
  // Keyevent messages alone (SUBSCRIBE __keyevent@0__:expired), RESP3 pushes.
  std::vector<Value> pushes = {Msg({"message", "__keyevent@0__:expired", "z"}, Type::kPush),
                               Msg({"message", "__keyevent@0__:expired", "y"}, Type::kPush)};
  SortExpiredEventRuns(&pushes);
  EXPECT_EQ(pushes[0].elems[2].str, "y");
  // Another event is no expiry: left as it is.
  std::vector<Value> dels = {Msg({"message", "__keyevent@0__:del", "z"}),
                             Msg({"message", "__keyevent@0__:del", "y"})};
  const std::vector<Value> dels_before = dels;
  SortExpiredEventRuns(&dels);
  EXPECT_EQ(dels, dels_before);
}

TEST(OracleFrames, InvalidationRunsByKey) {
  std::vector<Value> frames = {Msg({"invalidate", "b"}, Type::kPush),
                               Msg({"invalidate", "a"}, Type::kPush), Value::Simple("OK"),
                               Msg({"invalidate", "d"}, Type::kPush),
                               Msg({"invalidate", "c"}, Type::kPush)};
  SortInvalidationRuns(&frames);
  EXPECT_EQ(frames[0].elems[1].str, "a");
  EXPECT_EQ(frames[2], Value::Simple("OK"));
  EXPECT_EQ(frames[3].elems[1].str, "c");
}

}  // namespace
}  // namespace respfuzz::oracle
