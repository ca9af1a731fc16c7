// The invalidation harness against deliberately broken client caches: each
// mutant of mutants.txt (a bug in what the cache must do by itself: its own
// writes in and out of MULTI and under NOLOOP, what a BCAST prefix covers,
// reads in flight across a flush or an own write, the redirect connection
// going away, OPTIN, tracking off, dbs, MULTI, eviction's bookkeeping, a
// handshake it never finishes) must
// make a small program fail, with the check named here, where the cache as
// written passes it. This binary links the mutants' build of the cache in
// place of respfuzz_cache.
#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <set>
#include <string>

#include "harnesses/invalidation/checks.h"
#include "harnesses/invalidation/program.h"
#include "tests/cache_mutants/mutants.h"

namespace respfuzz::cache::mutants {
// How gtest names a parameter in its messages.
void PrintTo(const Mutant& m, std::ostream* os) { *os << m.name; }
}  // namespace respfuzz::cache::mutants

namespace respfuzz::harnesses::invalidation {
namespace {

namespace mutants = cache::mutants;

struct Catch {
  std::string program;
  std::string check;
};

// A tracked GET k1 (null), then the op under test.
const std::string kPrimed =
    "deliver-all\n"
    "c1 read GET k1\n"
    "send c1\n"
    "deliver-all\n";

// db 1 holds k1 = one; c1 caches GET k1 from db 0, then moves to db 1.
const std::string kSelect =
    "client c1 default resp3\n"
    "client c2 plain resp3\n"
    "c2 write SELECT 1\n"
    "c2 write SET k1 one\n" +
    kPrimed + "c1 write SELECT 1\n";

const std::map<std::string, Catch>& Catches() {
  static const auto* catches = new std::map<std::string, Catch>{
      {"own-write-kept",
       {"client c1 default resp3\n" + kPrimed + "c1 write SET k1 v1\nc1 read GET k1\n",
        "own-write"}},
      {"refuses-below-pending-limit", {"client c1 default resp3\nc1 read GET k1\n", "client"}},
      {"own-write-kept-in-multi",
       {"client c1 default resp3\n" + kPrimed +
            "c1 multi\nc1 write SET k1 v1\nc1 exec\nc1 read GET k1\n",
        "own-write"}},
      {"own-write-kept-under-noloop",
       {"client c1 default resp3 noloop\n" + kPrimed +
            "c1 write SET k1 v1\ndeliver-all\nc1 read GET k1\n",
        "own-write"}},
      // The GET's reply (3 bytes, RESP3 null) is delivered, the SET's and
      // the server's invalidation are not.
      {"own-write-spares-inflight",
       {"client c1 default resp3\ndeliver-all\nc1 read GET k1\nc1 write SET k1 v1\nsend c1\n"
        "deliver c1 3\nc1 read GET k1\n",
        "own-write"}},
      // RESP2: the flush comes on the redirect connection ahead of the reply.
      {"flush-spares-inflight",
       {"client c1 default resp2\nclient c2 plain resp3\nc2 write SET k1 v1\ndeliver-all\n"
        "c1 read GET k1\nsend c1\nflushall\ndeliver c1 redirect 65536\ndeliver c1 65536\n"
        "c1 read GET k1\n",
        "staleness"}},
      {"own-swapdb-kept",
       {"client c1 default resp3\n" + kPrimed + "c1 write SWAPDB 0 1\nc1 read GET k1\n",
        "own-write"}},
      {"own-flushdb-kept",
       {"client c1 default resp3\n" + kPrimed + "c1 write FLUSHDB\nc1 read GET k1\n", "own-write"}},
      {"bcast-any-key-covers",
       {"client c1 bcast resp3 prefix user:\nclient c2 plain resp3\ndeliver-all\n"
        "c1 read MGET user:1 k1\nsend c1\ndeliver-all\nc2 write SET k1 v1\ndeliver-all\ntick\n"
        "deliver-all\nc1 read MGET user:1 k1\n",
        "validate"}},
      // No tick: k1 changed this turn, but it is under none of c1's
      // prefixes, so no BCAST array will ever name it.
      {"bcast-every-key-covered",
       {"client c1 bcast resp3 prefix user:\nclient c2 plain resp3\n" + kPrimed +
            "c2 write SET k1 v1\ndeliver-all\nc1 read GET k1\n",
        "staleness"}},
      // `us` overlaps user:1, so the server refuses it.
      {"bcast-refused-prefix-covers",
       {"client c1 bcast resp3 prefix user:1\nclient c2 plain resp3\ndeliver-all\n"
        "c1 tracking on prefix us\ndeliver-all\nc1 read GET user:2\nsend c1\ndeliver-all\n"
        "c2 write SET user:2 v1\ndeliver-all\ntick\ndeliver-all\nc1 read GET user:2\n",
        "staleness"}},
      {"redir-broken-ignored",
       {"client c1 default resp3 redirect\nclient c2 plain resp3\n" + kPrimed +
            "kill c1 redirect\nc2 write SET k1 v1\nsend c2\ndeliver c1 100\nc1 read GET k1\n",
        "staleness"}},
      {"redirect-eof-ignored",
       {"client c1 default resp2\nclient c2 plain resp3\n" + kPrimed +
            "kill c1 redirect\ndeliver c1 redirect 1\nc2 write SET k1 v1\nsend c2\n"
            "c1 read GET k1\n",
        "client"}},
      // The EOF disconnects c1; after the reconnect its status must be OK.
      {"status-kept-on-reconnect",
       {"client c1 default resp3\n" + kPrimed +
            "kill c1\ndeliver-all\nreconnect c1 default resp3\n",
        "client"}},
      {"optin-without-caching-yes",
       {"client c1 optin resp3\nclient c2 plain resp3\n" + kPrimed +
            "c2 write SET k1 v1\ndeliver-all\nc1 read GET k1\n",
        "staleness"}},
      {"tracking-off-keeps-caching",
       {"client c1 default resp3\nclient c2 plain resp3\n" + kPrimed +
            "c1 tracking off\ndeliver-all\nc2 write SET k1 v1\ndeliver-all\nc1 read GET k1\n",
        "staleness"}},
      {"hit-inside-multi",
       {"client c1 default resp3\n" + kPrimed + "c1 multi\nc1 read GET k1\n", "transaction"}},
      // SELECT has run on the server; its +OK is not delivered yet.
      {"hit-during-select", {kSelect + "send c1\nc1 read GET k1\n", "staleness"}},
      {"entries-ignore-db", {kSelect + "deliver-all\nc1 read GET k1\n", "staleness"}},
      // Regression select-in-multi-moves-the-cache-db.
      {"select-refused-by-sent-multi",
       {"client c1 default resp3\nc1 multi\nc1 write SELECT 1\nc1 exec\nc1 write SET k1 uno\n"
        "deliver-all\nc1 read GET k1\nc1 write SELECT 0\ndeliver-all\nc1 read GET k1\n",
        "staleness"}},
      {"select-reply-ignored", {kSelect + "deliver-all\nc1 read GET k1\n", "staleness"}},
      {"mget-first-key-only",
       {"client c1 default resp3\nclient c2 plain resp3\ndeliver-all\nc1 read MGET k1 k2\n"
        "send c1\ndeliver-all\nc2 write SET k2 v2\ndeliver-all\nc1 read MGET k1 k2\n",
        "staleness"}},
      {"inflight-untracked", {"client c1 default resp3\n" + kPrimed, "validate"}},
      {"evict-one-late",
       {"client c1 default resp3 entries 1\ndeliver-all\nc1 read GET k1\nc1 read GET k2\n"
        "send c1\ndeliver-all\n",
        "validate"}},
      // Two RESP3 null GET entries take 16 bytes each.
      {"evict-ignores-bytes",
       {"client c1 default resp3 bytes 24\ndeliver-all\nc1 read GET k1\nc1 read GET k2\n"
        "send c1\ndeliver-all\n",
        "validate"}},
      // c2's SET k1 invalidates k1 alone: c1's GET k2 entry must stay.
      {"invalidation-drops-everything",
       {"client c1 default resp3\nclient c2 plain resp3\ndeliver-all\nc1 read GET k1\n"
        "c1 read GET k2\nsend c1\ndeliver-all\nc2 write SET k1 v1\ndeliver-all\n",
        "retention"}},
      // The server tracks c1 and every byte has moved: c1 must be caching.
      {"tracking-ack-ignored", {"client c1 default resp3\ndeliver-all\n", "liveness"}},
      {"refill-keeps-old-entry",
       {"client c1 default resp3\ndeliver-all\nc1 read GET k1\nc1 read GET k1\nsend c1\n"
        "deliver-all\n",
        "validate"}},
  };
  return *catches;
}

RunResult RunWith(int mutant, const Program& p) {
  mutants::selected = mutant;
  RunResult r = RunProgram(p);
  mutants::selected = 0;
  return r;
}

TEST(CacheMutants, EveryMutantAppliesAndHasItsProgram) {
  for (const std::string& u : mutants::Unapplied()) ADD_FAILURE() << u;
  std::set<std::string> names;
  for (const mutants::Mutant& m : mutants::All()) {
    names.insert(m.name);
    EXPECT_TRUE(Catches().contains(m.name)) << m.name << " has no program here";
  }
  for (const auto& [name, c] : Catches()) {
    EXPECT_TRUE(names.contains(name)) << name << " is not in mutants.txt";
  }
  EXPECT_GE(names.size(), 20u);
}

class CacheMutant : public testing::TestWithParam<mutants::Mutant> {};

TEST_P(CacheMutant, IsCaughtWhereTheCacheAsWrittenPasses) {
  const mutants::Mutant& m = GetParam();
  auto it = Catches().find(m.name);
  ASSERT_NE(it, Catches().end());
  absl::StatusOr<Program> p = ProgramFromText(it->second.program);
  ASSERT_TRUE(p.ok()) << p.status();
  const RunResult good = RunWith(0, *p);
  EXPECT_TRUE(good.verdict.ok) << "the cache as written fails: " << good.verdict.ToString();
  const RunResult bad = RunWith(m.id, *p);
  ASSERT_FALSE(bad.verdict.ok) << m.name << " (" << m.what << ") went unnoticed";
  EXPECT_EQ(bad.verdict.check, it->second.check) << bad.verdict.ToString();
}

INSTANTIATE_TEST_SUITE_P(All, CacheMutant, testing::ValuesIn(mutants::All()),
                         [](const testing::TestParamInfo<mutants::Mutant>& info) {
                           std::string name;
                           for (const char* c = info.param.name; *c != '\0'; ++c) {
                             name += *c == '-' ? '_' : *c;
                           }
                           return name;
                         });

}  // namespace
}  // namespace respfuzz::harnesses::invalidation
