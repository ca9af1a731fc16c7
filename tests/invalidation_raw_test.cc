// The invalidation harness's raw connections (program.h "raw rN" / "rN
// NAME ARG...", harnesses/invalidation/raw_ops.cc): the text and byte forms,
// the seeds running clean against the tracking reference, the exact bytes
// redis-server 7.0.15 writes (checked with `respfuzz oracle invalidation` on
// corpus/invalidation/raw_*.txt), and the reference check failing on a raw
// connection when a piece of the engine is deliberately broken.
#include <gtest/gtest.h>

#include <fstream>
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

const char* const kSeeds[] = {"raw_client_caching.txt", "raw_client_reply.txt", "raw_geo_reads.txt",
                              "raw_pubsub_multi.txt", "raw_redirect.txt"};

std::string Inv(const std::string& key) {
  return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
}

TEST(InvalidationRaw, TextAndBytesRoundTrip) {
  for (const char* name : kSeeds) {
    const Program p = P(Seed(name));
    ASSERT_FALSE(p.ops.empty()) << name;
    ASSERT_FALSE(p.raws.empty()) << name;
    EXPECT_EQ(P(ProgramToText(p)), p) << name;
    EXPECT_EQ(DecodeProgram(EncodeProgram(p)), p) << name;
  }
  const std::string text =
      "client c1 default resp3\nraw r1 resp2\nraw r2 resp3\n"
      "r2 CLIENT TRACKING on BCAST PREFIX \"\" NOLOOP\nr1 CLIENT CACHING yes\n"
      "r1 UNSUBSCRIBE\nr1 UNSUBSCRIBE ch1 ch2\nr2 PUBLISH ch1 \"x y\"\nr1 CLIENT TRACKING\n";
  const Program p = P(text);
  EXPECT_EQ(ProgramToText(p), text);
  EXPECT_EQ(DecodeProgram(EncodeProgram(p)), p);
  ASSERT_EQ(p.ops.size(), 6u);
  EXPECT_EQ(p.ops[0].kind, OpKind::kRaw);
  EXPECT_EQ(p.ops[0].client, 1);
  EXPECT_EQ(p.ops[0].argv, (std::vector<std::string>{"CLIENT", "TRACKING", "on", "BCAST", "PREFIX",
                                                     "", "NOLOOP"}));
  // Names in any case; arguments keep theirs.
  EXPECT_EQ(P("client c1 plain resp3\nraw r1 resp3\nr1 client caching Yes\n").ops[0].argv,
            (std::vector<std::string>{"CLIENT", "CACHING", "Yes"}));
}

TEST(InvalidationRaw, TextErrors) {
  auto err = [](const std::string& text) {
    auto p = ProgramFromText(text);
    return p.ok() ? std::string("ok") : std::string(p.status().message());
  };
  EXPECT_EQ(err("raw r1 resp3\n"), "line 1: a raw line before any 'client c1 MODE' line");
  EXPECT_EQ(err("client c1 plain resp3\nraw r2 resp3\n"),
            "line 2: expected 'raw r1 resp2|resp3' (raw connections are declared in order, r1 "
            "first)");
  EXPECT_EQ(err("client c1 plain resp3\nraw r1 resp4\n"),
            "line 2: expected 'raw r1 resp2|resp3' (raw connections are declared in order, r1 "
            "first)");
  EXPECT_EQ(err("client c1 plain resp3\nraw r1 resp3\nraw r2 resp3\nraw r3 resp3\n"),
            "line 4: more than 2 raw connections");
  EXPECT_EQ(err("client c1 plain resp3\nraw r1 resp3\nclient c2 plain resp3\n"),
            "line 3: client lines come before the raw lines");
  EXPECT_EQ(err("client c1 plain resp3\nr1 GET k1\n"),
            "line 2: unknown raw connection 'r1' (none declared)");
  EXPECT_EQ(err("client c1 plain resp3\nraw r1 resp3\nr2 GET k1\n"),
            "line 3: unknown raw connection 'r2' (r1..r1 declared)");
  EXPECT_NE(err("client c1 plain resp3\nraw r1 resp3\nr1 GET\n").find("not a raw command"),
            std::string::npos);
  EXPECT_NE(err("client c1 plain resp3\nraw r1 resp3\nr1 CLIENT KILL x\n").find("not a raw"),
            std::string::npos);
  EXPECT_NE(err("client c1 plain resp3\nraw r1 resp3\nr1 CLIENT TRACKING on a b c d e f g\n")
                .find("not a raw"),
            std::string::npos);
}

// Bytes: the header's raw count, and a raw op's code read as a read when the
// program has no raw connection (decode stays total).
TEST(InvalidationRaw, ByteForm) {
  const Program p = P("client c1 plain resp3\nraw r1 resp3\nraw r2 resp2\nr2 GET k1\n");
  const std::string bytes = EncodeProgram(p);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 0u | 2u << 2);
  std::string none = bytes;
  none[0] = 0;  // no raw connection: the two raw bytes are now op bytes
  const Program q = DecodeProgram(none);
  EXPECT_TRUE(q.raws.empty());
  for (const Op& op : q.ops) EXPECT_NE(op.kind, OpKind::kRaw);
  for (size_t h = 0; h < OpTable().size(); ++h) {
    if (OpTable()[h].kind != OpKind::kRaw) continue;
    const std::string b = std::string("\x00\x00\x00", 3) + static_cast<char>(h << 2) + "\x05\x01";
    const Program d = DecodeProgram(b);
    ASSERT_EQ(d.ops.size(), 1u);
    EXPECT_EQ(d.ops[0].kind, OpKind::kRead);
  }
}

TEST(InvalidationRaw, SeedsRunClean) {
  for (const char* name : kSeeds) {
    const Program p = P(Seed(name));
    const RunResult r = RunProgram(p);
    EXPECT_TRUE(r.verdict.ok) << name << ": " << r.verdict.ToString();
    EXPECT_EQ(r.stats.unmodelled_at, -1) << name;
    EXPECT_EQ(r.ops_run, p.ops.size()) << name;
  }
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

std::string At(std::map<std::pair<size_t, int>, std::string>& out, size_t op, int slot) {
  return out[std::make_pair(op, slot)];
}

// redis-server 7.0.15's answers, as the oracle saw them.
TEST(InvalidationRaw, CachingAnswers) {
  RunResult r;
  auto out = Outputs(P(Seed("raw_client_caching.txt")), &r);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  const int r1 = kRawSlot, r2 = kRawSlot + 1;
  EXPECT_EQ(At(out, 0, r1),
            "-ERR CLIENT CACHING can be called only when the client is in tracking mode with "
            "OPTIN or OPTOUT mode enabled\r\n");
  EXPECT_EQ(At(out, 2, r1),
            "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n");
  EXPECT_EQ(At(out, 3, r1),
            "-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n");
  EXPECT_EQ(At(out, 4, r1), "-ERR syntax error\r\n");
  // r1 (OPTOUT, CACHING no for GET k1) tracks k2 alone; r2 (OPTIN
  // redirected to r1, CACHING yes for GET k3) k3 alone: c1's MSET sends r1
  // one push for each.
  EXPECT_EQ(At(out, 22, r1),
            ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk2\r\n"
            ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk3\r\n");
  EXPECT_EQ(At(out, 22, r2), "");
}

void ExpectReferenceCatches(const std::string& seed, const RunOptions& broken,
                            const std::string& where) {
  const RunResult ok = RunProgram(P(Seed(seed)));
  ASSERT_TRUE(ok.verdict.ok) << ok.verdict.ToString();
  const RunResult bad = RunProgram(P(Seed(seed)), broken);
  ASSERT_FALSE(bad.verdict.ok) << "the broken piece went unnoticed";
  EXPECT_EQ(bad.verdict.check, "reference") << bad.verdict.ToString();
  EXPECT_NE(bad.verdict.message.find(where), std::string::npos) << bad.verdict.ToString();
}

// CLIENT CACHING NO accepted outside OPTOUT (scripts/mutants'
// tracker-9efd2db3): r1's reply differs.
TEST(InvalidationRaw, CachingNoOutsideOptoutIsCaught) {
  RunOptions broken;
  broken.tracker_bugs.caching_no_outside_optout = true;
  ExpectReferenceCatches("raw_client_caching.txt", broken, "connection r1");
}

// CLIENT CACHING lasting past the next command: r1 no longer tracks k2.
TEST(InvalidationRaw, CachingNotClearedIsCaught) {
  RunOptions broken;
  broken.tracker_bugs.caching_not_cleared = true;
  ExpectReferenceCatches("raw_client_caching.txt", broken, "connection r1");
}

// Any byte of a raw connection's stream is compared: one reply changed.
TEST(InvalidationRaw, ChangedRawReplyIsCaught) {
  RunOptions broken;
  broken.corrupt_server_output = [](size_t op, int slot, std::string* bytes) {
    if (op == 4 && slot == kRawSlot) *bytes = "-ERR syntax errors\r\n";
  };
  ExpectReferenceCatches("raw_client_caching.txt", broken, "connection r1");
}

// CLIENT REPLY OFF / SKIP: replies dropped, invalidations still pushed
// (redis-server 7.0.15, raw_client_reply.txt).
TEST(InvalidationRaw, ReplyOffKeepsPushes) {
  RunResult r;
  auto out = Outputs(P(Seed("raw_client_reply.txt")), &r);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  const int r1 = kRawSlot, r2 = kRawSlot + 1;
  EXPECT_EQ(At(out, 3, r1), "");                      // CLIENT REPLY OFF
  EXPECT_EQ(At(out, 4, r1), "");                      // GET k3
  EXPECT_EQ(At(out, 5, r1), Inv("k1"));               // SET k1: no +OK, its own invalidation
  EXPECT_EQ(At(out, 7, r1), "");                      // PING: SKIP under OFF did nothing
  EXPECT_EQ(At(out, 8, r1), "");                      // CLIENT REPLY x: the error dropped too
  EXPECT_EQ(At(out, 11, r1), Inv("k2") + Inv("k3"));  // c1's MSET
  EXPECT_EQ(At(out, 12, r1), "+OK\r\n");              // CLIENT REPLY ON
  EXPECT_EQ(At(out, 14, r1), "");                     // SET k2 c, skipped
  EXPECT_EQ(At(out, 15, r1), "$1\r\nc\r\n");
  EXPECT_EQ(At(out, 19, r1), "");  // SKIP, SKIP: GET k1 skipped
  EXPECT_EQ(At(out, 20, r1), "$1\r\nc\r\n");
  // A RESP3 client redirecting to a RESP2 connection: FLUSHDB's null is
  // written as RESP3's `_` there (redis-server 7.0.15 does so).
  EXPECT_EQ(At(out, 27, r1), "");
  EXPECT_EQ(At(out, 27, r2), "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n_\r\n");
}

// An engine that answers under CLIENT REPLY OFF: caught.
TEST(InvalidationRaw, ReplyUnderOffIsCaught) {
  RunOptions broken;
  broken.corrupt_server_output = [](size_t op, int slot, std::string* bytes) {
    if (op == 7 && slot == kRawSlot) *bytes += "+PONG\r\n";
  };
  ExpectReferenceCatches("raw_client_reply.txt", broken, "connection r1");
}

// An engine that drops the invalidation push under CLIENT REPLY OFF: caught.
TEST(InvalidationRaw, PushDroppedUnderOffIsCaught) {
  RunOptions broken;
  broken.corrupt_server_output = [](size_t op, int slot, std::string* bytes) {
    if (op == 5 && slot == kRawSlot) bytes->clear();
  };
  ExpectReferenceCatches("raw_client_reply.txt", broken, "connection r1");
}

// PUBLISH inside MULTI (redis issue 12326) and pub/sub pushes among
// invalidations and replies (redis-server 7.0.15, raw_pubsub_multi.txt).
TEST(InvalidationRaw, PublishInsideMulti) {
  RunResult r;
  auto out = Outputs(P(Seed("raw_pubsub_multi.txt")), &r);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  const int r1 = kRawSlot, r2 = kRawSlot + 1;
  const std::string hello3 = ">3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$5\r\nhello\r\n";
  // EXEC: [OK, (the message to itself), 2, v], then its own invalidation.
  EXPECT_EQ(At(out, 8, r1), "*3\r\n+OK\r\n" + hello3 + ":2\r\n$1\r\nv\r\n" + Inv("k1"));
  EXPECT_EQ(At(out, 8, r2), "*3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$5\r\nhello\r\n");
  EXPECT_EQ(At(out, 10, r2), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(At(out, 11, r2),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
}

// The message to the publisher itself moved after EXEC's reply: caught.
TEST(InvalidationRaw, MessageOutsideExecReplyIsCaught) {
  RunOptions broken;
  broken.corrupt_server_output = [](size_t op, int slot, std::string* bytes) {
    const std::string hello3 = ">3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$5\r\nhello\r\n";
    const size_t at = bytes->find(hello3);
    if (op == 8 && slot == kRawSlot && at != std::string::npos) {
      bytes->erase(at, hello3.size());
      bytes->insert(0, hello3);
    }
  };
  ExpectReferenceCatches("raw_pubsub_multi.txt", broken, "connection r1");
}

// GEO reads are tracked as any read (redis-server 7.0.15, with `respfuzz
// oracle invalidation` over raw_geo_reads.txt: 0 divergences).
TEST(InvalidationRaw, GeoReadsAreTracked) {
  RunResult r;
  auto out = Outputs(P(Seed("raw_geo_reads.txt")), &r);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  const int r1 = kRawSlot, r2 = kRawSlot + 1;
  // r1 read z1 (GEOPOS, GEODIST) and z2 (GEOHASH of a missing key): c1's
  // ZADD z1 invalidates z1 on r1.
  EXPECT_EQ(At(out, 10, r1), Inv("z1"));
  EXPECT_EQ(At(out, 10, r2), "");
  // z2: r1's own read and r2's, redirected to r1.
  EXPECT_EQ(At(out, 13, r1), Inv("z2") + Inv("z2"));
  // NOLOOP: r1's own DEL of z1, which it read again, is not sent back.
  EXPECT_EQ(At(out, 17, r1), ":1\r\n");
}

// An engine that does not track GEO reads (its invalidation of z1 to r1
// dropped): the model's stream for r1 has it.
TEST(InvalidationRaw, UntrackedGeoReadIsCaught) {
  RunOptions broken;
  broken.corrupt_server_output = [](size_t op, int slot, std::string* bytes) {
    if (op == 10 && slot == kRawSlot) bytes->clear();
  };
  ExpectReferenceCatches("raw_geo_reads.txt", broken, "connection r1");
}

// GEORADIUSBYMEMBER_RO, GEORADIUS_RO and GEOSEARCH track their key, also
// when the search is refused (an unknown unit, a misplaced word).
TEST(InvalidationRaw, GeoSearchesAreTracked) {
  RunResult r;
  auto out = Outputs(P(Seed("raw_geo_search.txt")), &r);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  const int r1 = kRawSlot, r2 = kRawSlot + 1;
  // z1: r1's own searches and r2's GEORADIUS_RO at 0 0 (which finds
  // nothing), redirected to r1.
  EXPECT_EQ(At(out, 11, r1), Inv("z1") + Inv("z1"));
  EXPECT_EQ(At(out, 11, r2), "");
  // z2, missing when searched: r1's GEORADIUS_RO and r2's GEOSEARCH with
  // the unit au, which the server refuses.
  EXPECT_EQ(At(out, 14, r1), Inv("z2") + Inv("z2"));
  // r1's GEOSEARCH with its words out of order is refused, and tracked.
  EXPECT_EQ(At(out, 19, r1), Inv("z2"));
}

// A refused GEOSEARCH the engine does not track (its invalidation of z2 to
// r1 dropped): the model's stream for r1 has it.
TEST(InvalidationRaw, UntrackedGeoSearchIsCaught) {
  RunOptions broken;
  broken.corrupt_server_output = [](size_t op, int slot, std::string* bytes) {
    if (op == 19 && slot == kRawSlot) bytes->clear();
  };
  ExpectReferenceCatches("raw_geo_search.txt", broken, "connection r1");
}

// REDIRECT r2 is r2's id; REDIRECT to a cache's connection does nothing.
TEST(InvalidationRaw, RedirectTargets) {
  RunResult r;
  const Program p = P(Seed("raw_redirect.txt"));
  auto out = Outputs(p, &r);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  const int r1 = kRawSlot, r2 = kRawSlot + 1;
  EXPECT_EQ(At(out, 1, r1), "+OK\r\n");
  EXPECT_EQ(At(out, 2, r1), "");         // REDIRECT 2: c1's data connection, refused
  EXPECT_EQ(At(out, 4, r1), "+OK\r\n");  // SET k1: its invalidation goes to r2
  EXPECT_EQ(At(out, 4, r2),
            "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nk1\r\n");
  EXPECT_EQ(At(out, 5, r1), ":4\r\n");  // GETREDIR: r2's id
  EXPECT_EQ(At(out, 8, r1), ":1\r\n" + Inv("k1"));
  RunOptions o;
  o.trace = true;
  const RunResult traced = RunProgram(p, o);
  ASSERT_GT(traced.trace.size(), 2u);
  EXPECT_NE(traced.trace[2].find("refused: REDIRECT to a cache's connection"), std::string::npos)
      << traced.trace[2];
}

}  // namespace
}  // namespace respfuzz::harnesses::invalidation
