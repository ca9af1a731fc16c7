// Engine tests of what the streams recordings (tests/recordings/pubsub.json)
// cannot hold: output streams that no longer read as whole RESP values. The
// bytes were taken from redis-server 7.0.15.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

// CLIENT REPLY OFF run by EXEC silences the rest of EXEC's reply after its
// array header went out: the client reads a cut array (redis-server 7.0.15
// sends exactly these bytes).
TEST(EngineClientReply, OffInsideExecCutsTheArray) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"SET", "a", "1"});
  EXPECT_EQ(Exec(e, s, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "a"}), "+QUEUED\r\n");
  EXPECT_EQ(Exec(e, s, {"CLIENT", "REPLY", "OFF"}), "+QUEUED\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "a"}), "+QUEUED\r\n");
  EXPECT_EQ(Exec(e, s, {"EXEC"}), "*3\r\n$1\r\n1\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "a"}), "");
  EXPECT_EQ(Exec(e, s, {"CLIENT", "REPLY", "ON"}), "+OK\r\n");
  // SKIP run by EXEC: no element for itself, and the command after EXEC
  // is silenced.
  EXPECT_EQ(Exec(e, s, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"CLIENT", "REPLY", "SKIP"}), "+QUEUED\r\n");
  EXPECT_EQ(Exec(e, s, {"EXEC"}), "*1\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "a"}), "");
  EXPECT_EQ(Exec(e, s, {"GET", "a"}), "$1\r\n1\r\n");
}

// A silenced session still gets the messages it publishes to itself and
// its subscription confirmations.
TEST(EngineClientReply, PushesPassWhileSilenced) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"HELLO", "3"});
  EXPECT_EQ(Exec(e, s, {"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(Exec(e, s, {"SUBSCRIBE", "ch"}), ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  EXPECT_EQ(Exec(e, s, {"PUBLISH", "ch", "m"}), ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n");
  EXPECT_EQ(Exec(e, s, {"PING"}), "");
  EXPECT_EQ(Exec(e, s, {"CLIENT", "REPLY", "ON"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"PUBLISH", "ch", "n"}),
            ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nn\r\n:1\r\n");
}

// INFO's pubsub_channels, pubsub_patterns and pubsubshard_channels count
// each name once, whoever subscribed it, and drop it with its last
// subscriber (redis-server 7.0.15 reports 1, 3 and 2 for the first two
// sessions here, checked over sockets 2026-11-28).
TEST(EnginePubSubInfo, CountsDistinctNames) {
  Engine e;
  const int a = e.OpenSession(), b = e.OpenSession(), c = e.OpenSession();
  Exec(e, a, {"PSUBSCRIBE", "x*", "y*"});
  Exec(e, a, {"SSUBSCRIBE", "s1", "s2"});
  Exec(e, b, {"PSUBSCRIBE", "x*", "z*"});
  Exec(e, b, {"SUBSCRIBE", "c"});
  Exec(e, b, {"SSUBSCRIBE", "s2"});
  auto counts = [&] {
    const std::string info = Exec(e, c, {"INFO", "stats"});
    std::string out;
    for (const char* f : {"pubsub_channels:", "pubsub_patterns:", "pubsubshard_channels:"}) {
      const size_t at = info.find(f);
      out += at == std::string::npos ? "none " : info.substr(at, info.find('\r', at) - at) + " ";
    }
    return out;
  };
  EXPECT_EQ(counts(), "pubsub_channels:1 pubsub_patterns:3 pubsubshard_channels:2 ");
  e.CloseSession(a);
  EXPECT_EQ(counts(), "pubsub_channels:1 pubsub_patterns:2 pubsubshard_channels:1 ");
}

}  // namespace
}  // namespace respfuzz::engine
