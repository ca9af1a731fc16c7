// The tracking reference model (harnesses/models/tracking_reference.h): what
// the recordings cannot say. Every byte stream recorded from redis-server
// 7.0.15 lives in tests/recordings/tracking.json and is played on this model
// (and on the engine) by tests/recordings_test.cc; here are the model's own
// rules where the server is not deterministic (the victims of
// tracking-table-max-keys), what it refuses to model, and its table state.
#include "harnesses/models/tracking_reference.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace respfuzz::models {
namespace {

std::string Push(const std::string& key) {
  return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
}

std::string Bytes(const std::vector<OutFrame>& frames) {
  std::string out;
  for (const OutFrame& f : frames) out += f.bytes;
  return out;
}

// tracking-table-max-keys: over the limit, keys are invalidated before the
// next command runs (or by the cron). redis-server picks them by a random
// walk of its table (two keys over a limit of one: a then b, or b then a,
// from run to run), so no recording holds this; the model takes the
// smallest key first.
TEST(TrackingReferenceTest, TableMaxKeysEvictsTheSmallestKeyFirst) {
  TrackingReference m;
  m.Connect(0);
  m.Connect(1);
  m.Execute(0, {"HELLO", "3"});
  m.Execute(0, {"CLIENT", "TRACKING", "on"});
  m.Execute(0, {"MGET", "a", "b"});
  m.TakeFrames(0);
  m.Execute(1, {"CONFIG", "SET", "tracking-table-max-keys", "1"});
  EXPECT_EQ(Bytes(m.TakeFrames(0)), "");  // nothing until the next command
  EXPECT_EQ(m.table_keys(), 2u);
  m.Execute(1, {"PING"});
  EXPECT_EQ(Bytes(m.TakeFrames(0)), Push("a"));
  EXPECT_EQ(m.table_keys(), 1u);
  m.Execute(1, {"MSET", "a", "1", "b", "1"});
  EXPECT_EQ(Bytes(m.TakeFrames(0)), Push("b"));
  EXPECT_EQ(m.table_keys(), 0u);
  // The cron trims too, with no command.
  m.Execute(0, {"MGET", "c", "d"});
  m.TakeFrames(0);
  m.Cron();
  EXPECT_EQ(Bytes(m.TakeFrames(0)), Push("c"));
  EXPECT_FALSE(m.unmodelled());
}

// The doubled reply on a prefix collision cannot be expressed inside MULTI:
// the model says so rather than guess.
TEST(TrackingReferenceTest, UnmodelledIsReported) {
  TrackingReference m;
  m.Connect(0);
  m.Execute(0, {"MULTI"});
  m.Execute(0, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", "PREFIX", "bc"});
  EXPECT_FALSE(m.unmodelled());
  m.Execute(0, {"EXEC"});
  EXPECT_TRUE(m.unmodelled());
}

// The table is keyed by name across dbs and one-shot; a closed client's
// entries stay until the key changes; TrackingClientsOf lists them in
// little-endian id order, as Redis walks them.
TEST(TrackingReferenceTest, TableState) {
  TrackingOptions o;
  o.first_client_id = 255;
  TrackingReference m(o);
  m.Connect(0);  // id 255
  m.Connect(1);  // id 256: bytes 00 01 ..., before 255 (ff 00 ...)
  for (int s : {0, 1}) {
    m.Execute(s, {"CLIENT", "TRACKING", "on"});
    m.Execute(s, {"GET", "k"});
  }
  EXPECT_EQ(m.TrackingClientsOf("k"), (std::vector<int64_t>{256, 255}));
  m.Close(0);
  EXPECT_EQ(m.table_keys(), 1u);
  m.Connect(2);
  m.Execute(2, {"SELECT", "3"});
  m.Execute(2, {"SET", "k", "1"});
  EXPECT_EQ(m.table_keys(), 0u);
  EXPECT_TRUE(m.TrackingClientsOf("k").empty());
}

}  // namespace
}  // namespace respfuzz::models
