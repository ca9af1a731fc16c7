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

}  // namespace
}  // namespace respfuzz::engine
