// SORT and SORT_RO beyond the recordings (tests/recordings/sort.json): the
// key events behind WATCH and tracking, the keys the command names (STORE's
// destination, the last one), the LIMIT boundary near LONG_MAX, a set sorted
// ALPHA inside a script, the command_handler harness catching a broken list
// under SORT, and the oracle's SORT rules (tools/oracle_sort.h), each shown
// to fail on a broken input.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/resp/value.h"
#include "tools/oracle_sort.h"

namespace respfuzz {
namespace {

using Events = std::vector<std::string>;

struct Fixture {
  engine::Engine e;
  int s = e.OpenSession();
  Events events;
  Fixture() {
    e.AddKeyEventListener([this](const engine::KeyEvent& ev) {
      events.push_back(std::string(engine::KeyEventKindName(ev.kind)) + " " + std::string(ev.key));
    });
  }
  std::string Run(const std::vector<std::string>& argv) {
    std::string out;
    e.Execute(s, argv, &out);
    return out;
  }
  Events Take() {
    Events got = std::move(events);
    events.clear();
    return got;
  }
};

// A STORE writes its destination (or deletes an existing one for an empty
// result, and is silent for a missing one); a failed SORT and a plain SORT
// raise nothing; the keys read through patterns expire lazily.
TEST(Sort, StoreSignalsAsRedis) {
  Fixture f;
  f.Run({"rpush", "l", "3", "1", "2"});
  f.Run({"rpush", "bad", "x"});
  f.Take();
  EXPECT_EQ(f.Run({"sort", "l", "store", "d"}), ":3\r\n");
  EXPECT_EQ(f.Take(), Events{"written d"});
  EXPECT_EQ(f.Run({"sort", "l", "limit", "9", "1", "store", "d"}), ":0\r\n");
  EXPECT_EQ(f.Take(), Events{"deleted d"});
  EXPECT_EQ(f.Run({"sort", "l", "limit", "9", "1", "store", "d"}), ":0\r\n");
  EXPECT_EQ(f.Take(), Events{});
  f.Run({"sort", "bad", "store", "d"});
  f.Run({"sort", "l", "by", "w_*", "get", "#"});
  f.Run({"sort_ro", "l"});
  EXPECT_EQ(f.Take(), Events{});
  f.Run({"set", "w_1", "5", "px", "10"});
  f.e.AdvanceClock(20);
  f.Take();
  f.Run({"sort", "l", "by", "w_*"});
  EXPECT_EQ(f.Take(), Events{"expired w_1"});
}

// sortGetKeys: the key and the last STORE's destination; SORT_RO names its
// key only. The keys SORT_RO reads are what tracking remembers.
TEST(Sort, KeyPositions) {
  const engine::CommandSpec* sort = engine::FindCommand("SORT");
  const engine::CommandSpec* ro = engine::FindCommand("sort_ro");
  ASSERT_NE(sort, nullptr);
  ASSERT_NE(ro, nullptr);
  using P = std::vector<size_t>;
  EXPECT_EQ(engine::KeyPositions(*sort, std::vector<std::string>{"sort", "k"}), P{1});
  EXPECT_EQ(
      engine::KeyPositions(*sort, std::vector<std::string>{"sort", "k", "store", "a", "by", "store",
                                                           "store", "b", "limit", "store", "x"}),
      (P{1, 7}));
  EXPECT_EQ(engine::KeyPositions(*sort, std::vector<std::string>{"sort", "k", "get", "store"}),
            P{1});
  EXPECT_EQ(engine::KeyPositions(*ro, std::vector<std::string>{"sort_ro", "k", "store", "d"}),
            P{1});
  EXPECT_NE(sort->flags & engine::kCmdWrite, 0u);
  EXPECT_NE(ro->flags & engine::kCmdReadonly, 0u);
}

// LIMIT's end saturates where Redis's start + count - 1 would not fit a
// long: the boundary, one below and one above.
TEST(Sort, LimitNearLongMax) {
  Fixture f;
  f.Run({"rpush", "l", "1", "2", "3", "4"});
  EXPECT_EQ(f.Run({"sort", "l", "limit", "1", "9223372036854775807"}),
            "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
  EXPECT_EQ(f.Run({"sort", "l", "limit", "2", "9223372036854775807"}),
            "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
  EXPECT_EQ(f.Run({"sort", "l", "limit", "2", "9223372036854775806"}),
            "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
  EXPECT_EQ(f.Run({"sort", "l", "limit", "9223372036854775807", "9223372036854775807"}), "*0\r\n");
  EXPECT_EQ(f.Run({"sort", "l", "limit", "0", "9223372036854775808"}),
            "-ERR value is not an integer or out of range\r\n");
}

// Inside a script a set not sorted (BY without '*') is sorted ALPHA, as
// with STORE (checked on redis-server 7.0.15: 10 2 9, DESC 9 2 10); outside
// it comes in the intset's order.
TEST(Sort, SetInScriptIsSortedAlpha) {
  Fixture f;
  f.Run({"sadd", "s", "10", "9", "2"});
  EXPECT_EQ(f.Run({"sort", "s", "by", "nosort"}), "*3\r\n$1\r\n2\r\n$1\r\n9\r\n$2\r\n10\r\n");
  EXPECT_EQ(f.Run({"eval", "return redis.call('sort', KEYS[1], 'by', 'nosort')", "1", "s"}),
            "*3\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n9\r\n");
  EXPECT_EQ(
      f.Run({"eval", "return redis.call('sort_ro', KEYS[1], 'by', 'nosort', 'desc')", "1", "s"}),
      "*3\r\n$1\r\n9\r\n$1\r\n2\r\n$2\r\n10\r\n");
  EXPECT_EQ(f.Run({"eval_ro", "return redis.call('sort', KEYS[1])", "1", "s"}).substr(0, 59),
            "-ERR Write commands are not allowed from read-only scripts.");
}

// The harness compares SORT's replies with the reference model: a list
// changed behind the engine's back shows in every form of SORT.
TEST(Sort, ABrokenListIsCaughtBySort) {
  harnesses::CommandRunOptions o;
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op != 1) return;
    engine::Object* v = e.keyspace().Find(0, "k1");
    ASSERT_NE(v, nullptr);
    engine::As<engine::List>(*v).back() = "7";
  };
  for (std::string_view read :
       {"s2 SORT k1", "s2 SORT k1 ALPHA DESC", "s2 SORT k1 BY nosort LIMIT 1 5",
        "s2 SORT_RO k1 GET # GET w_*", "s2 SORT k1 STORE k2\ns2 LRANGE k2 0 -1"}) {
    const std::string text = "s1 RPUSH k1 3 1 2\ns1 PING\ns1 PING\n" + std::string(read);
    auto p = harnesses::CommandProgramFromText(text);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_TRUE(harnesses::RunCommandProgram(*p).verdict.ok) << text;
    const auto r = harnesses::RunCommandProgram(*p, o);
    EXPECT_EQ(r.verdict.check, "reference") << text << "\n" << r.verdict.ToString();
    EXPECT_GE(r.verdict.step, 3) << text;
  }
}

// The oracle leaves out exactly the orders that are the server's hash layout
// or its unstable partial sort.
TEST(OracleSort, NotComparableCases) {
  engine::Engine e;
  const int s = e.OpenSession();
  std::string out;
  for (const std::vector<std::string>& argv : {std::vector<std::string>{"sadd", "hs", "a", "b"},
                                               {"sadd", "is", "1", "2"},
                                               {"zadd", "z", "1", "a"},
                                               {"rpush", "l", "a"}}) {
    e.Execute(s, argv, &out);
  }
  auto why = [&](std::vector<std::string> argv) { return oracle::SortNotComparable(e, 0, argv); };
  EXPECT_NE(why({"SORT", "hs", "BY", "nosort"}), "");
  EXPECT_NE(why({"sort_ro", "hs", "by", "x"}), "");
  EXPECT_NE(why({"SORT", "hs", "ALPHA", "BY", "w_*"}), "");
  EXPECT_NE(why({"SORT", "z", "ALPHA", "BY", "w_*"}), "");
  EXPECT_NE(why({"SORT", "l", "ALPHA", "BY", "w_*", "LIMIT", "0", "1"}), "");
  // Comparable: sorted, an intset, a STORE (sorted ALPHA), numeric BY.
  EXPECT_EQ(why({"SORT", "hs"}), "");
  EXPECT_EQ(why({"SORT", "hs", "ALPHA"}), "");
  EXPECT_EQ(why({"SORT", "is", "BY", "nosort"}), "");
  EXPECT_EQ(why({"SORT", "hs", "BY", "nosort", "STORE", "d"}), "");
  EXPECT_EQ(why({"SORT", "z", "BY", "w_*"}), "");
  EXPECT_EQ(why({"SORT", "l", "ALPHA", "BY", "w_*"}), "");
  EXPECT_EQ(why({"SORT", "l", "BY", "w_*", "LIMIT", "0", "1"}), "");
  EXPECT_EQ(why({"GET", "hs"}), "");
  // SORT_RO has no STORE: the word is no option there.
  EXPECT_NE(why({"SORT_RO", "hs", "BY", "nosort", "STORE", "d"}), "");
}

TEST(OracleSort, StaleErrnoRetryOnlyForTheConversionError) {
  const resp::Value err =
      resp::Value::Error("ERR One or more scores can't be converted into double");
  const resp::Value list = resp::Value::Aggregate(resp::Type::kArray, {resp::Value::Bulk("1")});
  EXPECT_TRUE(oracle::IsStaleErrnoSortError({"SORT", "l"}, list, err));
  EXPECT_TRUE(oracle::IsStaleErrnoSortError({"sort_ro", "l"}, list, err));
  EXPECT_FALSE(oracle::IsStaleErrnoSortError({"SORT", "l"}, err, err));
  EXPECT_FALSE(oracle::IsStaleErrnoSortError({"SORT", "l"}, err, list));
  EXPECT_FALSE(oracle::IsStaleErrnoSortError({"SORT", "l"}, list, resp::Value::Error("ERR x")));
  EXPECT_FALSE(oracle::IsStaleErrnoSortError({"LRANGE", "l"}, list, err));
}

}  // namespace
}  // namespace respfuzz
