// The invalidation harness: every seed runs clean; each check fails on a
// deliberately broken piece (a client-side cache bug, a server-side tracking
// bug, or a corrupted output/state) and passes on the same program without it.
//
// Server-side bugs, each planted in the engine's tracker (TrackerBugs) and
// caught through a program: an own-key invalidation in front of (or inside)
// the reply of MGET and EXEC (redis #8935), CLIENT CACHING not cleared after
// the next command (#7019), and BCAST prefixes registered over ones the
// client already has (#8135: the client hears about a key once per prefix;
// reached by `cN tracking on prefix P`).
//
// Not here, and why:
//  - invalidations on the redirect connection before its SUBSCRIBE reply
//    (#13645, a RESP3 target named by REDIRECT before it subscribed):
//    unreachable. The cache redirects only from RESP2 (a RESP3 cache takes
//    its invalidations on its own connection), to a RESP2 connection, and
//    sends CLIENT TRACKING on REDIRECT only after the SUBSCRIBE reply has
//    arrived, so the server has run SUBSCRIBE (and written its reply) before
//    any invalidation can be addressed there (and a RESP2 target that has
//    not subscribed receives none).
//  - NOLOOP ignored in scripts (#11052): the engine has no scripts (EVAL,
//    FCALL), so no invalidation can come from one.
//  - the double reply on a prefix collision (valkey #3582): redis-server
//    7.0.15 replies the overlap error and then +OK when two new prefixes
//    other than the first overlap; that is the server's own behaviour
//    (recorded in tests/recordings/tracking.json), which the engine and the
//    reference model both keep, so there is no correct behaviour to break.
//    No program sends such a command either: a ClientSpec's prefixes and a
//    `cN tracking on` op's never overlap each other (the cache refuses that,
//    as the server would reply twice).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "harnesses/common/registry.h"
#include "harnesses/invalidation/checks.h"
#include "harnesses/invalidation/program.h"
#include "harnesses/invalidation/staleness.h"
#include "harnesses/models/tracking_reference.h"
#include "src/engine/engine.h"
#include "src/resp/reader.h"

namespace respfuzz::harnesses::invalidation {
namespace {

Program P(const std::string& text) {
  auto p = ProgramFromText(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Program{};
}

// The program passes as is, and fails `check` with the broken piece.
void ExpectCaught(const std::string& text, const RunOptions& broken, const std::string& check) {
  const Program p = P(text);
  const RunResult good = RunProgram(p);
  EXPECT_TRUE(good.verdict.ok) << good.verdict.ToString();
  const RunResult bad = RunProgram(p, broken);
  ASSERT_FALSE(bad.verdict.ok) << "the broken piece went unnoticed";
  EXPECT_EQ(bad.verdict.check, check) << bad.verdict.ToString();
}

std::string Seed(const std::string& name) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/corpus/invalidation/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(InvalidationHarness, EverySeedRunsClean) {
  size_t seeds = 0, hits = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(RESPFUZZ_SOURCE_DIR) +
                                                               "/corpus/invalidation")) {
    if (entry.path().extension() != ".txt") continue;
    ++seeds;
    const RunResult r = RunProgram(P(Seed(entry.path().filename().string())));
    EXPECT_TRUE(r.verdict.ok) << entry.path() << ": " << r.verdict.ToString();
    EXPECT_EQ(r.stats.unmodelled_at, -1) << entry.path();
    EXPECT_EQ(r.ops_run, P(Seed(entry.path().filename().string())).ops.size());
    hits += r.stats.hits;
  }
  EXPECT_GE(seeds, 19u);
  EXPECT_GT(hits, 0u);  // the staleness check has hits to look at
}

// --- client side (cache::CacheBugs) ---

TEST(InvalidationHarness, MissThenFillRaceIsStale) {
  RunOptions broken;
  broken.cache_bugs.fill_after_invalidation = true;
  ExpectCaught(Seed("miss_then_fill_race.txt"), broken, "staleness");
}

TEST(InvalidationHarness, HashCachedPerKeyIsStale) {
  RunOptions broken;
  broken.cache_bugs.hash_entry_per_key = true;
  ExpectCaught(R"(client c1 default resp3
client c2 plain resp3
c2 write HSET h1 f1 v1 f2 v2
deliver-all
c1 read HGET h1 f1
deliver-all
c1 read HGET h1 f2
)",
               broken, "staleness");
}

TEST(InvalidationHarness, NullFlushIgnoredIsStale) {
  RunOptions broken;
  broken.cache_bugs.ignore_null_invalidation = true;
  ExpectCaught(R"(client c1 default resp2
client c2 plain resp3
c2 write SET k1 v1
deliver-all
c1 read GET k1
deliver-all
flushall
deliver-all
c1 read GET k1
)",
               broken, "staleness");
}

TEST(InvalidationHarness, NullFlushCrashingIsCaught) {
  RunOptions broken;
  broken.cache_bugs.fail_on_null_invalidation = true;
  ExpectCaught(Seed("null_flush.txt"), broken, "client");
}

TEST(InvalidationHarness, PushReadAsReplyIsCaught) {
  // An invalidation lands in c1's stream in front of GET k2's reply.
  RunOptions broken;
  broken.cache_bugs.push_as_reply = true;
  ExpectCaught(R"(client c1 default resp3
client c2 plain resp3
deliver-all
c1 read GET k1
deliver-all
c1 read GET k2
c2 write SET k1 v1
send c2
send c1
deliver c1 65536
c1 read GET k1
)",
               broken, "client");
}

TEST(InvalidationHarness, CacheKeptAcrossEofAndReconnectIsStale) {
  RunOptions broken;
  broken.cache_bugs.keep_on_disconnect = true;
  // Reconnecting in the same mode reuses the cache object (checks.h).
  ExpectCaught(Seed("kill_reconnect_same_mode.txt"), broken, "staleness");
  // In another mode it is a new cache: nothing survives, bug or not.
  EXPECT_TRUE(RunProgram(P(Seed("kill_and_reconnect.txt")), broken).verdict.ok);
}

TEST(InvalidationHarness, IgnoredInvalidationsAreStale) {
  RunOptions broken;
  broken.cache_bugs.ignore_invalidations = true;
  ExpectCaught(Seed("hget_per_field.txt"), broken, "staleness");
}

// --- server side (tracking::TrackerBugs) ---

TEST(InvalidationHarness, OwnInvalidationBeforeTheReplyIsCaught) {
  RunOptions broken;
  broken.tracker_bugs.own_invalidation_before_reply = true;
  ExpectCaught(Seed("own_write_mget.txt"), broken, "reference");
  ExpectCaught(Seed("own_write_exec.txt"), broken, "reference");
}

// Memory accounting (src/engine/evict.cc): a key evicted before a command is
// invalidated before that command's reply (redis issue 9116); the broken
// engine evicts as if inside the command, so c1 hears of k1 after the reply.
TEST(InvalidationHarness, EvictionInvalidationAfterTheReplyIsCaught) {
  RunOptions broken;
  broken.engine_bugs.eviction_invalidation_after_reply = true;
  ExpectCaught(Seed("eviction_before_reply.txt"), broken, "reference");
}

// The admin's DEBUG RELOAD (`debug-reload`, src/engine/persist.cc): its
// emptyData sends every tracking client a null invalidation; the broken
// engine empties the dataset without it. The reference check sees the null
// missing at the reload itself (c1's data connection, c2's and c3's
// redirect connections, r1).
TEST(InvalidationHarness, ReloadWithoutTheFlushInvalidationIsCaught) {
  RunOptions broken;
  broken.engine_bugs.reload_without_flush_invalidation = true;
  ExpectCaught(Seed("debug_reload.txt"), broken, "reference");
  const RunResult bad = RunProgram(P(Seed("debug_reload.txt")), broken);
  EXPECT_EQ(bad.verdict.op, "DEBUG") << bad.verdict.ToString();
}

// A cache that ignores the reload's null invalidation: values come back as
// they were, so only a key that expired before the reload (not loaded back,
// and never invalidated by a key of its own) shows it, past every allowance
// (the key is no longer stored, so (4) does not apply).
TEST(InvalidationHarness, ReloadNullIgnoredIsStale) {
  RunOptions broken;
  broken.cache_bugs.ignore_null_invalidation = true;
  const std::string program = R"(client c1 default resp3
client c2 plain resp3
c2 write PSETEX k1 100 v1
c2 write SET k2 v2
deliver-all
c1 read GET k1
c1 read GET k2
deliver-all
clock +101ms
debug-reload
deliver-all
c1 read GET k2
c1 read GET k1
)";
  ExpectCaught(program, broken, "staleness");
  // Without the expired key the ignored null changes nothing a read sees.
  std::string no_expiry = program;
  no_expiry.erase(no_expiry.rfind("c1 read GET k1"));
  EXPECT_TRUE(RunProgram(P(no_expiry), broken).verdict.ok);
}

TEST(InvalidationHarness, CachingFlagNotClearedIsCaught) {
  // GET k1 uses the OPTIN CACHING yes; GET k2 inside MULTI must not be
  // tracked, so SET k2 must not reach c1.
  RunOptions broken;
  broken.tracker_bugs.caching_not_cleared = true;
  ExpectCaught(Seed("optin_caching_next_command.txt"), broken, "reference");
}

TEST(InvalidationHarness, OverlappingPrefixAcceptedIsCaught) {
  // `c1 tracking on prefix user:2` overlaps c1's user:: the server refuses
  // it; the broken engine says +OK and registers it.
  RunOptions broken;
  broken.tracker_bugs.duplicate_prefixes = true;
  ExpectCaught(Seed("bcast_add_prefix.txt"), broken, "reference");
  // As in redis #8003: BCAST without prefixes (the empty prefix), then a
  // prefix on top; with the bug every key under it is told twice.
  const std::string twice =
      "client c1 bcast resp3\n"
      "client c2 plain resp3\n"
      "deliver-all\n"
      "c1 tracking on prefix user:\n"
      "deliver-all\n"
      "c2 write SET user:1 v1\n"
      "deliver-all\n"
      "tick\n"
      "deliver-all\n";
  ExpectCaught(twice, broken, "reference");
  const RunResult r = RunProgram(P(twice), broken);
  EXPECT_NE(r.verdict.message.find("overlaps with an existing prefix"), std::string::npos)
      << r.verdict.ToString();
}

TEST(InvalidationHarness, DuplicatePrefixesAcceptedDiffersFromTheReference) {
  // The same switch on a PREFIX given twice in one command, which no
  // program sends (see the top of this file): on the engine directly.
  const std::vector<std::string> cmd = {"CLIENT", "TRACKING", "on",     "BCAST",
                                        "PREFIX", "a",        "PREFIX", "a"};
  models::TrackingReference ref;
  ref.Connect(0);
  ref.Execute(0, {"HELLO", "3"});
  ref.TakeFrames(0);
  ref.Execute(0, cmd);
  for (bool bug : {false, true}) {
    engine::Engine e;
    e.tracker().bugs_for_test().duplicate_prefixes = bug;
    const int s = e.OpenSession();
    std::string out;
    e.Execute(s, std::vector<std::string>{"HELLO", "3"}, &out);
    out.clear();
    e.Execute(s, cmd, &out);
    if (bug) {
      EXPECT_NE(out, ref.Bytes(0));
      EXPECT_EQ(out, "+OK\r\n");
    } else {
      EXPECT_EQ(out, ref.Bytes(0));
    }
  }
}

// --- each check, with a corrupted piece ---

TEST(InvalidationHarness, CorruptedHitIsStale) {
  RunOptions broken;
  broken.corrupt_hit = [](size_t, resp::Value* v) { *v = resp::Value::Bulk("not-the-value"); };
  ExpectCaught(Seed("hget_per_field.txt"), broken, "staleness");
}

// A refusal of TRACKING off that claims a MULTI the client never opened.
TEST(InvalidationHarness, RefusalNamingAMultiNotOpenFailsTheClientCheck) {
  RunOptions broken;
  broken.corrupt_refusal = [](size_t, absl::Status* s) {
    if (!absl::StrContains(s->message(), "in MULTI")) {
      *s = absl::FailedPreconditionError(absl::StrCat(s->message(), ", in MULTI"));
    }
  };
  ExpectCaught(Seed("select_and_multi.txt"), broken, "client");
  const RunResult bad = RunProgram(P(Seed("select_and_multi.txt")), broken);
  EXPECT_NE(bad.verdict.message.find("refused TRACKING off as in MULTI"), std::string::npos)
      << bad.verdict.ToString();
  // Inside MULTI the words hold: the same change there goes unflagged.
  const RunResult in_multi = RunProgram(P("client c1 default resp3\ndeliver-all\nc1 multi\n"
                                          "c1 tracking off\nc1 exec\nsend c1\ndeliver-all\n"),
                                        broken);
  EXPECT_TRUE(in_multi.verdict.ok) << in_multi.verdict.ToString();
}

// A refusal that names no reason ("(state ready)" alone, as if a ready
// tracking client outside MULTI were refused TRACKING off) fails the client
// check: here the second TRACKING off's true refusal ("state ready,
// tracking off") loses its reason. Left as it is, it passes.
TEST(InvalidationHarness, RefusalWithoutAReasonFailsTheClientCheck) {
  const std::string program =
      "client c1 default resp3\ndeliver-all\nc1 tracking off\nc1 tracking off\nsend c1\n"
      "deliver-all\n";
  RunOptions broken;
  broken.corrupt_refusal = [](size_t, absl::Status* s) {
    *s = absl::FailedPreconditionError(
        "tracking off needs a ready tracking client outside MULTI (state ready)");
  };
  const RunResult bad = RunProgram(P(program), broken);
  ASSERT_FALSE(bad.verdict.ok);
  EXPECT_EQ(bad.verdict.check, "client") << bad.verdict.ToString();
  EXPECT_NE(bad.verdict.message.find("without a reason"), std::string::npos)
      << bad.verdict.ToString();
  const RunResult good = RunProgram(P(program), RunOptions{});
  EXPECT_TRUE(good.verdict.ok) << good.verdict.ToString();
}

TEST(InvalidationHarness, ChangedServerByteFailsTheReference) {
  RunOptions broken;
  broken.corrupt_server_output = [](size_t op, int slot, std::string* bytes) {
    if (op == 5 && slot == 0 && !bytes->empty()) (*bytes)[bytes->size() - 3] ^= 1;
  };
  const RunResult r = RunProgram(P(Seed("hget_per_field.txt")), broken);
  ASSERT_FALSE(r.verdict.ok);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 5);
  EXPECT_NE(r.verdict.message.find("engine:"), std::string::npos);
  EXPECT_NE(r.verdict.message.find("reference:"), std::string::npos);
}

TEST(InvalidationHarness, UnreadableServerBytesFailFraming) {
  RunOptions broken;
  broken.corrupt_server_output = [](size_t, int slot, std::string* bytes) {
    if (slot == 2 && !bytes->empty()) bytes->append("*2\r\n$1\r\n");
  };
  ExpectCaught(Seed("null_flush.txt"), broken, "framing");
  // A RESP3 frame on a RESP2 connection is not RESP2.
  broken.corrupt_server_output = [](size_t, int slot, std::string* bytes) {
    if (slot == 2 && !bytes->empty()) *bytes = "_\r\n";
  };
  ExpectCaught(Seed("null_flush.txt"), broken, "framing");
}

TEST(InvalidationHarness, CorruptedEngineFailsValidate) {
  RunOptions broken;
  broken.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 3) e.keyspace().Store(0, "empty", engine::Object(engine::Set{}), false);
  };
  ExpectCaught(Seed("expiry.txt"), broken, "validate");
}

// A key the engine holds and the model does not, which no client reads:
// only the end-of-program comparison of both whole keyspaces (DEBUG
// DIGEST's digest) sees it.
TEST(InvalidationHarness, AStateNoClientReadFailsAtTheEnd) {
  RunOptions broken;
  broken.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 0) e.keyspace().AddQuietly(7, "stray", engine::Object(std::string("x")));
  };
  ExpectCaught(Seed("expiry.txt"), broken, "state");
  const RunResult bad = RunProgram(P(Seed("expiry.txt")), broken);
  EXPECT_EQ(bad.verdict.op, "end");
}

// FrameEnds (a Feed per line) finds the ends a Feed per byte finds, on
// frames whose payloads hold CR, LF and CRLF, in both protocols, and on every
// chunk the engine writes for the seeds.
std::vector<size_t> FrameEndsByteAtATime(resp::Protocol proto, std::string_view bytes) {
  resp::Reader reader(proto);
  std::vector<resp::Value> values;
  resp::TreeBuilder builder(&values, &reader);
  std::vector<size_t> ends;
  for (size_t i = 0; i < bytes.size(); ++i) {
    reader.Feed(bytes.substr(i, 1), builder);
    while (ends.size() < reader.values()) ends.push_back(i + 1);
  }
  return ends;
}

TEST(InvalidationHarness, FrameEndsAsAByteAtATimeFeedFindsThem) {
  resp::Reader reader(resp::Protocol::kResp3);
  std::vector<size_t> ends;
  const std::string resp2 =
      "+OK\r\n$5\r\na\r\nb\n\r\n*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
      "*2\r\n$2\r\nk\n\r\n$0\r\n\r\n:12\r\n*-1\r\n$-1\r\n-ERR x\r\n*0\r\n";
  FrameEnds(resp::Protocol::kResp2, resp2, &reader, &ends);
  EXPECT_EQ(ends, FrameEndsByteAtATime(resp::Protocol::kResp2, resp2));
  EXPECT_EQ(ends.size(), 8u);
  const std::string resp3 =
      ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\n\r\nk\r\n|1\r\n+a\r\n:1\r\n%1\r\n+f\r\n"
      "=7\r\ntxt:\r\n\n\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n,1.5\r\n#t\r\n~1\r\n$1\r\n\n\r\n";
  FrameEnds(resp::Protocol::kResp3, resp3, &reader, &ends);
  EXPECT_EQ(ends, FrameEndsByteAtATime(resp::Protocol::kResp3, resp3));
  EXPECT_EQ(ends.size(), 6u);

  class Compare : public ServerObserver {
   public:
    std::optional<int64_t> Before(const ServerAction&, const engine::Engine&) override {
      return std::nullopt;
    }
    void After(const ServerAction&, const engine::Engine& e,
               const std::array<std::string, kSlots>& output) override {
      for (const std::string& chunk : output) {
        if (chunk.empty()) continue;
        ++chunks;
        for (resp::Protocol p : {resp::Protocol::kResp2, resp::Protocol::kResp3}) {
          std::vector<size_t> got;
          FrameEnds(p, chunk, &reader, &got);
          if (got != FrameEndsByteAtATime(p, chunk)) ++wrong;
        }
      }
    }
    resp::Reader reader{resp::Protocol::kResp3};
    size_t chunks = 0, wrong = 0;
  } compare;
  RunOptions o;
  o.observer = &compare;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(RESPFUZZ_SOURCE_DIR) +
                                                               "/corpus/invalidation")) {
    RunProgram(P(Seed(entry.path().filename().string())), o);
  }
  EXPECT_GT(compare.chunks, 100u);
  EXPECT_EQ(compare.wrong, 0u);
}

// The engine is validated after the ops that ran something on the server,
// not after those that only moved bytes into a cache: a bug that corrupts the
// engine during an op is caught at that op when the op reached the server,
// and otherwise by the last check after the last op.
TEST(InvalidationHarness, EngineBugCaughtWhereTheEngineRan) {
  const std::string text =
      "client c1 default resp3\n"
      "c1 read GET k1\n"   // op 0: queued in the cache only
      "send c1\n"          // op 1: the server runs GET
      "deliver c1 100\n"   // op 2: bytes into the cache only
      "c1 read GET k1\n";  // op 3: a cache hit
  for (size_t at : {size_t{1}, size_t{0}, size_t{2}}) {
    RunOptions broken;
    broken.engine_bug = [at](size_t op, engine::Engine& e) {
      if (op == at) e.keyspace().Store(0, "empty", engine::Object(engine::Set{}), false);
    };
    const RunResult r = RunProgram(P(text), broken);
    ASSERT_FALSE(r.verdict.ok) << "at op " << at;
    EXPECT_EQ(r.verdict.check, "validate");
    // At op 1 (a server action) right there; at ops 0 and 2 (client only)
    // the next check is at op 1, or after the last op (3).
    EXPECT_EQ(r.verdict.step, at == 1 ? 1 : at == 0 ? 1 : 3) << "at op " << at;
  }
  EXPECT_TRUE(RunProgram(P(text)).verdict.ok);
}

// --- the allowances of the staleness rule ---

TEST(InvalidationHarness, SwapdbHoleIsAllowedAndCounted) {
  const RunResult r = RunProgram(P(Seed("swapdb_hole.txt")));
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  EXPECT_GE(r.stats.hits_allowed, 1u);
}

std::string Regression(const std::string& name) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/tests/regressions/invalidation/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A SWAPDB that EXEC runs opens the hole too; one MULTI queued and no EXEC
// ran does not (the read is then fresh, and no allowance is used).
TEST(InvalidationHarness, SwapdbInExecIsAllowedWhenItRuns) {
  const std::string text = Regression("swapdb-in-exec-is-a-swap.txt");
  const RunResult r = RunProgram(P(text));
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  EXPECT_GE(r.stats.hits_allowed, 1u);
  std::string dropped = text;
  dropped.erase(dropped.find("c2 exec\n"), 8);
  const RunResult d = RunProgram(P(dropped));
  EXPECT_TRUE(d.verdict.ok) << d.verdict.ToString();
  EXPECT_EQ(d.stats.hits_allowed, 0u);
}

// A clear the cache makes on bytes the server wrote before a SWAPDB ran
// (its own SWAPDB's reply, delivered after another client's SWAPDB) leaves
// the SWAPDB hole open: the entry it took after the clear was read before
// the swap (the invalidation harness's plain arm stopped there, a false
// alarm, 2026-11-28). A clear on bytes written after the swap closes it:
// a cache that then ignores an invalidation is caught.
TEST(InvalidationHarness, SwapdbHoleStaysOpenThroughAnEarlierClear) {
  const RunResult r = RunProgram(P(Regression("swapdb-after-the-read-a-clear-delivered.txt")));
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  EXPECT_GE(r.stats.hits_allowed, 1u);
  RunOptions broken;
  broken.cache_bugs.ignore_invalidations = true;
  ExpectCaught(R"(client c1 default resp3
client c2 default resp3
c1 write SET k1 v1
c1 read GET k1
c2 write SWAPDB 0 1
deliver-all
c1 write FLUSHDB
deliver-all
c1 read GET k1
deliver-all
c2 write SET k1 v2
deliver-all
c1 read GET k1
)",
               broken, "staleness");
}

// Under NOLOOP the server never tells a client about a key its own command
// found expired, or one evicted from the table before its own command: the
// stale hit is allowed (f), and only under NOLOOP: without it the same
// program is told, and a cache that ignores invalidations is caught.
TEST(InvalidationHarness, NoloopHolesAreAllowedOnlyUnderNoloop) {
  for (const std::string name :
       {"noloop-own-expiry-never-told.txt", "noloop-eviction-never-told.txt"}) {
    const std::string text = Regression(name);
    const RunResult r = RunProgram(P(text));
    EXPECT_TRUE(r.verdict.ok) << name << ": " << r.verdict.ToString();
    EXPECT_EQ(r.stats.hits_allowed, 1u) << name;
    std::string told = text;
    for (size_t at; (at = told.find(" noloop")) != std::string::npos;) told.erase(at, 7);
    ExpectCaught(
        told,
        [] {
          RunOptions broken;
          broken.cache_bugs.ignore_invalidations = true;
          return broken;
        }(),
        "staleness");
    EXPECT_EQ(RunProgram(P(told)).stats.hits_allowed, 0u) << name;
  }
}

TEST(InvalidationHarness, UndeliveredInvalidationAllowsTheOldValue) {
  // c1 serves k1 while the invalidation sits undelivered; once delivered,
  // the entry is gone and the next read is a miss.
  const RunResult r = RunProgram(P(R"(client c1 default resp3
client c2 plain resp3
c2 write SET k1 v0
deliver-all
c1 read GET k1
deliver-all
c2 write SET k1 v1
send c2
c1 read GET k1
deliver c1 3
c1 read GET k1
deliver-all
c1 read GET k1
)"));
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  EXPECT_EQ(r.stats.hits, 2u);
  EXPECT_EQ(r.stats.hits_allowed, 2u);
}

TEST(InvalidationHarness, ExpiredButStoredIsAllowedOnlyWithTheStoredValue) {
  const std::string text = R"(client c1 default resp3
client c2 plain resp3
c2 write PSETEX k1 100 v1
deliver-all
c1 read GET k1
deliver-all
clock +101ms
c1 read GET k1
)";
  const RunResult r = RunProgram(P(text));
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  EXPECT_EQ(r.stats.hits_allowed, 1u);
  RunOptions broken;
  broken.corrupt_hit = [](size_t, resp::Value* v) { *v = resp::Value::Bulk("v0"); };
  const RunResult bad = RunProgram(P(text), broken);
  EXPECT_EQ(bad.verdict.check, "staleness") << bad.verdict.ToString();
}

// --- small caches, and the redirect connection going away ---

TEST(InvalidationHarness, SmallCachesEvictUnderTheChecks) {
  const RunResult r = RunProgram(P(Seed("eviction_small_cache.txt")));
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  EXPECT_GE(r.stats.evictions, 4u);
  EXPECT_GE(r.stats.hits, 5u);
  // The same program with the default limits evicts nothing.
  std::string roomy = Seed("eviction_small_cache.txt");
  for (const std::string limit : {" entries 2 bytes 64", " entries 1", " entries 0"}) {
    roomy.erase(roomy.find(limit), limit.size());
  }
  const RunResult d = RunProgram(P(roomy));
  EXPECT_TRUE(d.verdict.ok) << d.verdict.ToString();
  EXPECT_EQ(d.stats.evictions, 0u);
  EXPECT_GT(d.stats.hits, r.stats.hits);
}

// kill cN redirect: a RESP3 client's stale hits are allowed only while the
// server's tracking-redir-broken is undelivered, a RESP2 client's (told
// nothing) until it sees the redirect connection's EOF; the pushes are
// compared with the reference model like every frame.
TEST(InvalidationHarness, RedirBrokenIsAllowedUntilDeliveredAndCompared) {
  const RunResult r = RunProgram(P(Seed("redir_broken.txt")));
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  EXPECT_EQ(r.stats.hits_allowed, 4u);
  RunOptions broken;
  broken.corrupt_server_output = [](size_t, int, std::string* bytes) {
    const std::string push = ">2\r\n$21\r\ntracking-redir-broken\r\n";
    for (size_t at; (at = bytes->find(push)) != std::string::npos;) {
      const size_t end = bytes->find("\r\n", at + push.size());
      bytes->erase(at, end + 2 - at);
    }
  };
  const RunResult bad = RunProgram(P(Seed("redir_broken.txt")), broken);
  ASSERT_FALSE(bad.verdict.ok);
  EXPECT_EQ(bad.verdict.check, "reference") << bad.verdict.ToString();
  EXPECT_NE(bad.verdict.message.find("tracking-redir-broken"), std::string::npos);
}

// --- the runner with its checks off (the floor) ---

TEST(InvalidationHarness, TheRunnerWithChecksOffMovesTheSameBytesAndChecksNothing) {
  const std::string text = Seed("hget_per_field.txt");
  RunOptions broken;
  broken.cache_bugs.ignore_invalidations = true;
  const RunResult checked = RunProgram(P(text), broken);
  ASSERT_FALSE(checked.verdict.ok);  // the seed shows the broken cache
  RunOptions floor = broken;
  floor.checks = false;
  const RunResult unchecked = RunProgram(P(text), floor);
  EXPECT_TRUE(unchecked.verdict.ok) << unchecked.verdict.ToString();
  EXPECT_EQ(unchecked.stats.hits, 0u);  // no hit is checked
  // The same server commands as the checked run of the working cache.
  const RunResult good = RunProgram(P(text));
  ASSERT_TRUE(good.verdict.ok);
  RunOptions good_floor;
  good_floor.checks = false;
  const RunResult good_unchecked = RunProgram(P(text), good_floor);
  EXPECT_GT(good.stats.commands, 0u);
  EXPECT_EQ(good_unchecked.stats.commands, good.stats.commands);
  EXPECT_EQ(good_unchecked.ops_run, good.ops_run);
  // A deliberately broken engine goes unnoticed too: no Validate().
  RunOptions corrupt = good_floor;
  corrupt.corrupt_server_output = [](size_t, int, std::string* bytes) { *bytes += "+x"; };
  EXPECT_TRUE(RunProgram(P(text), corrupt).verdict.ok);
}

// --- the staleness rule alone ---

TEST(StalenessRule, EachAllowanceInItsOrderAndNoneWithoutFacts) {
  HitFacts f;
  f.keys = {"k1"};
  EXPECT_EQ(StaleHitAllowance(f), std::nullopt);
  std::vector<InFlightInvalidation> in_flight(1), lost;
  in_flight[0].keys = {"k2"};
  f.in_flight[0] = &in_flight;
  f.lost[0] = &lost;
  EXPECT_EQ(StaleHitAllowance(f), std::nullopt);  // another key
  in_flight[0].keys.push_back("k1");
  EXPECT_EQ(StaleHitAllowance(f), "an invalidation of k1 is not yet delivered");
  in_flight.swap(lost);
  EXPECT_EQ(StaleHitAllowance(f),
            "an invalidation of k1 was lost with its connection, EOF not "
            "yet seen");
  lost.clear();
  f.killed_unseen[cache::kRedirectConn] = true;  // RESP3: the push tells it, not (b)
  EXPECT_EQ(StaleHitAllowance(f), std::nullopt);
  f.protocol = resp::Protocol::kResp2;
  EXPECT_EQ(StaleHitAllowance(f),
            "the redirect connection is dead, EOF not yet seen (RESP2: no push)");
  f.killed_unseen = {};
  std::set<std::string> turn = {"k1"};
  f.turn_keys = &turn;
  f.bcast_prefixes = {"k"};
  EXPECT_EQ(StaleHitAllowance(f), std::nullopt);  // not BCAST
  f.mode = cache::Mode::kBcast;
  EXPECT_EQ(StaleHitAllowance(f), "BCAST: k1 changed this turn");
  f.bcast_prefixes = {"user:"};  // a key under no prefix of the client's
  EXPECT_EQ(StaleHitAllowance(f), std::nullopt);
  f.expired_stored_and_equal_without_ttl = true;
  EXPECT_EQ(StaleHitAllowance(f), "expired, not yet deleted");
  f.expired_stored_and_equal_without_ttl = false;
  f.swap_exempt = true;
  EXPECT_EQ(StaleHitAllowance(f), "SWAPDB since the cache last cleared");
  f.swap_exempt = false;
  std::set<std::string> missed = {"k1"};
  f.noloop_missed = &missed;
  EXPECT_EQ(StaleHitAllowance(f),
            "NOLOOP: k1 expired or was evicted during its own command, untold");
}

// --- registry ---

TEST(InvalidationHarness, RegisteredWithTextFormAndMinimize) {
  const Harness* h = FindHarness("invalidation");
  ASSERT_NE(h, nullptr);
  ASSERT_NE(h->encode_text, nullptr);
  const std::string text = Seed("hget_per_field.txt");
  absl::StatusOr<std::string> bytes = h->encode_text(text);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_TRUE(h->run(*bytes).ok);
  EXPECT_EQ(h->decode_text(*bytes), ProgramToText(P(text)));
  EXPECT_NE(h->explain(*bytes).find("hit"), std::string::npos);
  MinimizeReport report;
  EXPECT_FALSE(h->minimize(*bytes, &report).has_value());  // nothing fails

  RunOptions broken;
  broken.cache_bugs.ignore_invalidations = true;
  std::optional<Program> small = MinimizeProgram(P(text), broken, &report);
  ASSERT_TRUE(small.has_value());
  EXPECT_LT(small->ops.size(), P(text).ops.size());
  EXPECT_EQ(RunProgram(*small, broken).verdict.check, "staleness");
}

}  // namespace
}  // namespace respfuzz::harnesses::invalidation
