// The invalidation harness's block and unblock ops (program.h,
// harnesses/invalidation/blocking_ops.cc) and the tracking reference's
// blocking rule (harnesses/models/tracking_reference.h): the text and byte
// forms, the runner holding a blocked client's ops, what a served client and
// the client that served it receive and in which order (the order
// redis-server 7.0.15 writes, checked by `respfuzz oracle invalidation` on
// the corpus's blocking_*.txt), and the reference check failing on a wrong
// order and on a missing push.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "harnesses/invalidation/checks.h"
#include "harnesses/invalidation/program.h"
#include "harnesses/invalidation/runner.h"

namespace respfuzz::harnesses::invalidation {
namespace {

Program P(const std::string& text) {
  auto p = ProgramFromText(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Program{};
}

std::string Seed(const std::string& name) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/corpus/invalidation/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* const kSeeds[] = {"blocking_blmove_served.txt", "blocking_noloop_served.txt",
                              "blocking_timeout.txt",       "blocking_exec_serves.txt",
                              "blocking_unblock.txt",       "blocking_writer_redirect.txt"};

TEST(InvalidationBlocking, TextAndBytesRoundTrip) {
  for (const char* name : kSeeds) {
    const Program p = P(Seed(name));
    ASSERT_FALSE(p.ops.empty()) << name;
    EXPECT_EQ(P(ProgramToText(p)), p) << name;
    EXPECT_EQ(DecodeProgram(EncodeProgram(p)), p) << name;
  }
  const Program p =
      P("client c1 default resp3\nclient c2 plain resp2\n"
        "c1 block BLMOVE l1 l2 LEFT RIGHT 0.5\nc2 unblock c1 error\n"
        "c2 unblock c2\nc1 unblock c2 timeout\n");
  EXPECT_EQ(ProgramToText(p),
            "client c1 default resp3\nclient c2 plain resp2\n"
            "c1 block BLMOVE l1 l2 LEFT RIGHT 0.5\nc2 unblock c1 error\n"
            "c2 unblock c2\nc1 unblock c2 timeout\n");
  EXPECT_EQ(KeysOf(p.ops[0].argv), (std::vector<std::string>{"l1", "l2"}));
}

TEST(InvalidationBlocking, TextErrors) {
  auto err = [](const std::string& op) {
    auto p = ProgramFromText("client c1 default resp3\nclient c2 plain resp3\n" + op + "\n");
    return p.ok() ? std::string("ok") : std::string(p.status().message());
  };
  EXPECT_NE(err("c1 block GET k1").find("'GET' is not a block command"), std::string::npos);
  EXPECT_NE(err("c1 block BLPOP l1").find("wrong number of arguments for 'block BLPOP'"),
            std::string::npos);
  EXPECT_EQ(err("c1 unblock c3"), "line 3: unknown client 'c3' (c1..c2 declared)");
  EXPECT_EQ(err("c1 unblock c2 now"), "line 3: expected 'cN unblock cM [timeout|error]'");
  EXPECT_EQ(err("c1 unblock"), "line 3: expected 'cN unblock cM [timeout|error]'");
}

// Every blocking seed runs clean, modelled to its end, and its blocks end.
TEST(InvalidationBlocking, SeedsRunClean) {
  for (const char* name : kSeeds) {
    const Program p = P(Seed(name));
    const RunResult r = RunProgram(p);
    EXPECT_TRUE(r.verdict.ok) << name << ": " << r.verdict.ToString();
    EXPECT_EQ(r.stats.unmodelled_at, -1) << name;
    EXPECT_EQ(r.ops_run, p.ops.size()) << name;
  }
}

// A blocked client submits nothing until its reply is in.
TEST(InvalidationBlocking, BlockedClientOpsAreRefused) {
  RunOptions o;
  o.trace = true;
  const RunResult r = RunProgram(P(R"(client c1 default resp3
client c2 plain resp3
deliver-all
c1 block BLPOP l1 0
send c1
c1 read LLEN l1
c2 write RPUSH l1 a b
send c2
c1 read LLEN l1
deliver c1 1000
c1 read LLEN l1
)"),
                                 o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 9u);
  EXPECT_NE(r.trace[3].find("refused: blocked"), std::string::npos) << r.trace[3];
  EXPECT_NE(r.trace[6].find("refused: blocked"), std::string::npos) << r.trace[6];
  EXPECT_EQ(r.trace[8].find("refused"), std::string::npos) << r.trace[8];
  EXPECT_NE(r.trace[8].find("queued"), std::string::npos) << r.trace[8];
}

// What each connection got at each op (a spy on the engine's output).
std::map<std::pair<size_t, int>, std::string> Outputs(const Program& p, RunResult* result) {
  std::map<std::pair<size_t, int>, std::string> out;
  RunOptions o;
  o.corrupt_server_output = [&out](size_t op, int slot, std::string* bytes) {
    out[{op, slot}] += *bytes;
  };
  *result = RunProgram(p, o);
  return out;
}

constexpr size_t kServeOp = 11;  // blocking_blmove_served.txt's `send c2` after LPUSH

// BLMOVE served by LPUSH: the served client c1 (slot 0) gets its reply, then
// its own invalidation of l2; the pusher c2 (slot 2) its reply, then the
// invalidation of l2 the serving caused. Checked on redis-server 7.0.15.
TEST(InvalidationBlocking, ServedReplyThenOwnInvalidation) {
  RunResult r;
  auto out = Outputs(P(Seed("blocking_blmove_served.txt")), &r);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  EXPECT_EQ(out[std::make_pair(kServeOp, 0)],
            "$2\r\nv2\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nl2\r\n");
  EXPECT_EQ(out[std::make_pair(kServeOp, 2)],
            ":1\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nl2\r\n");
}

void ExpectReferenceCatches(std::function<void(size_t, int, std::string*)> corrupt) {
  const Program p = P(Seed("blocking_blmove_served.txt"));
  RunOptions broken;
  broken.corrupt_server_output = std::move(corrupt);
  const RunResult bad = RunProgram(p, broken);
  ASSERT_FALSE(bad.verdict.ok) << "the broken piece went unnoticed";
  EXPECT_EQ(bad.verdict.check, "reference") << bad.verdict.ToString();
}

const std::string kInvalidateL2 = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nl2\r\n";

// The served client's own invalidation in front of its reply: caught.
TEST(InvalidationBlocking, OwnInvalidationBeforeServedReplyIsCaught) {
  ExpectReferenceCatches([](size_t op, int slot, std::string* bytes) {
    if (op == kServeOp && slot == 0 && *bytes == "$2\r\nv2\r\n" + kInvalidateL2) {
      *bytes = kInvalidateL2 + "$2\r\nv2\r\n";
    }
  });
}

// The pusher's invalidation (caused by the serving) in front of its reply.
TEST(InvalidationBlocking, ServingInvalidationBeforePusherReplyIsCaught) {
  ExpectReferenceCatches([](size_t op, int slot, std::string* bytes) {
    if (op == kServeOp && slot == 2 && *bytes == ":1\r\n" + kInvalidateL2) {
      *bytes = kInvalidateL2 + ":1\r\n";
    }
  });
}

// The served client's own invalidation missing: caught.
TEST(InvalidationBlocking, MissingOwnInvalidationIsCaught) {
  ExpectReferenceCatches([](size_t op, int slot, std::string* bytes) {
    if (op == kServeOp && slot == 0 && *bytes == "$2\r\nv2\r\n" + kInvalidateL2) {
      *bytes = "$2\r\nv2\r\n";
    }
  });
}

// A timed-out client's null reply missing: caught.
TEST(InvalidationBlocking, MissingTimeoutReplyIsCaught) {
  const Program p = P(Seed("blocking_timeout.txt"));
  RunOptions broken;
  size_t dropped = 0;
  broken.corrupt_server_output = [&dropped](size_t, int slot, std::string* bytes) {
    if (slot == 0 && *bytes == "_\r\n") {
      bytes->clear();
      ++dropped;
    }
  };
  const RunResult bad = RunProgram(p, broken);
  EXPECT_EQ(dropped, 1u);
  ASSERT_FALSE(bad.verdict.ok) << "the broken piece went unnoticed";
  EXPECT_EQ(bad.verdict.check, "reference") << bad.verdict.ToString();
}

}  // namespace
}  // namespace respfuzz::harnesses::invalidation
