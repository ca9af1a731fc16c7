// The engine's structures whose cost must grow as Redis's does: the
// order-statistic skip list behind sorted sets, active expiry's sampled
// cycle (and the full pass the harnesses keep), WATCH's per-key watcher
// lists, and SCAN's cursor walk. Speed is measured in bench/engine_bench.cc;
// these tests check behaviour and invariants.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/models/reference_model.h"
#include "src/engine/engine.h"
#include "src/engine/zskiplist.h"

namespace respfuzz::engine {

// Reaches into a skip list to break one invariant at a time.
struct ZSkipListTestPeer {
  static void BreakSpan(ZSkipList& l) { l.header_->links()[0].span += 1; }
  static void BreakBackward(ZSkipList& l) {
    ZSkipList::Node* second = l.header_->links()[0].next->links()[0].next;
    second->backward = nullptr;
  }
  static void BreakOrder(ZSkipList& l) { l.header_->links()[0].next->entry.first = 1e300; }
  static void BreakLength(ZSkipList& l) { ++l.length_; }
};

namespace {

void Exec(Engine& e, int s, const std::vector<std::string>& argv, std::string* out) {
  e.Execute(s, argv, out);
}

uint64_t Next(uint64_t& x) {
  x += 0x9e3779b97f4a7c15ULL;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// ---------------------------------------------------------------------------
// ZSkipList.

using Entry = ZSkipList::Entry;

// Random inserts, erases and score updates, each followed by every query
// against a plain sorted vector, and Check().
TEST(ZSkipList, AgreesWithASortedVector) {
  ZSkipList list;
  std::vector<Entry> model;
  std::map<std::string, double> scores;
  uint64_t rng = 7;
  for (int step = 0; step < 4000; ++step) {
    const uint64_t r = Next(rng);
    const std::string member = "m" + std::to_string(r % 300);
    // Few distinct scores, so equal scores (ordered by member) are common;
    // -0 and 0 too.
    double score = static_cast<double>(static_cast<int>((r >> 20) % 21) - 10);
    if (score == 0 && ((r >> 40) & 1)) score = -0.0;
    auto it = scores.find(member);
    if (it == scores.end()) {
      list.Insert(score, member);
      scores[member] = score;
      model.emplace_back(score, member);
    } else if ((r >> 50) % 3 == 0) {
      EXPECT_TRUE(list.Erase(it->second, member));
      EXPECT_FALSE(list.Erase(it->second, member));
      model.erase(std::find(model.begin(), model.end(), Entry(it->second, member)));
      scores.erase(it);
    } else if (it->second != score) {
      list.UpdateScore(it->second, member, score);
      std::find(model.begin(), model.end(), Entry(it->second, member))->first = score;
      it->second = score;
    }
    std::sort(model.begin(), model.end());
    ASSERT_EQ(list.Check(), "") << "step " << step;
    ASSERT_EQ(list.size(), model.size());
    ASSERT_TRUE(std::equal(list.begin(), list.end(), model.begin(), model.end()));
    if (step % 97 != 0) continue;
    // Every rank both ways, bounds, and backward iteration.
    for (size_t i = 0; i < model.size(); ++i) {
      ASSERT_EQ(*list.AtRank(i), model[i]);
      ASSERT_EQ(list.RankOf(model[i].first, model[i].second), static_cast<int64_t>(i));
      ASSERT_EQ(list.Rank(list.AtRank(i)), i);
    }
    EXPECT_EQ(list.AtRank(model.size()), list.end());
    EXPECT_EQ(list.Rank(list.end()), model.size());
    EXPECT_EQ(list.RankOf(99, "absent"), -1);
    for (double s = -11; s <= 11; s += 0.5) {
      for (const char* m : {"", "m150", "m2", "zz"}) {
        const size_t lo = std::lower_bound(model.begin(), model.end(), Entry(s, m)) - model.begin();
        const size_t hi = std::upper_bound(model.begin(), model.end(), Entry(s, m)) - model.begin();
        EXPECT_EQ(list.Rank(list.lower_bound(s, m)), lo);
        EXPECT_EQ(list.Rank(list.upper_bound(s, m)), hi);
      }
    }
    std::vector<Entry> backward;
    for (auto it2 = list.end(); it2 != list.begin();) backward.push_back(*--it2);
    EXPECT_TRUE(std::equal(backward.rbegin(), backward.rend(), model.begin(), model.end()));
  }
}

// The same operations build the same structure: no global randomness.
TEST(ZSkipList, SameOperationsSameShape) {
  auto build = [] {
    ZSkipList l;
    for (int i = 0; i < 1000; ++i) l.Insert(i % 37, "m" + std::to_string(i));
    for (int i = 0; i < 1000; i += 3) l.Erase(i % 37, "m" + std::to_string(i));
    return l;
  };
  const ZSkipList a = build();
  const ZSkipList b = build();
  EXPECT_EQ(a.Heights(), b.Heights());
  const std::vector<int> heights = a.Heights();
  EXPECT_GT(*std::max_element(heights.begin(), heights.end()), 2);  // not a plain list
  // A copy holds the same entries, checks clean, and is itself repeatable.
  const ZSkipList c = a;
  const ZSkipList d = a;
  EXPECT_TRUE(std::equal(a.begin(), a.end(), c.begin(), c.end()));
  EXPECT_EQ(c.Check(), "");
  EXPECT_EQ(c.Heights(), d.Heights());
  ZSkipList moved = build();
  ZSkipList target = std::move(moved);
  EXPECT_EQ(target.Heights(), a.Heights());
  EXPECT_EQ(moved.size(), 0u);  // NOLINT(bugprone-use-after-move): left empty and usable
  moved.Insert(1, "x");
  EXPECT_EQ(moved.Check(), "");
}

TEST(ZSkipList, CheckCatchesEachBrokenInvariant) {
  auto build = [] {
    ZSkipList l;
    for (int i = 0; i < 50; ++i) l.Insert(i, "m" + std::to_string(i));
    return l;
  };
  ZSkipList ok = build();
  EXPECT_EQ(ok.Check(), "");
  ZSkipList span = build();
  ZSkipListTestPeer::BreakSpan(span);
  EXPECT_NE(span.Check().find("span"), std::string::npos) << span.Check();
  ZSkipList back = build();
  ZSkipListTestPeer::BreakBackward(back);
  EXPECT_NE(back.Check().find("backward"), std::string::npos) << back.Check();
  ZSkipList order = build();
  ZSkipListTestPeer::BreakOrder(order);
  EXPECT_NE(order.Check().find("order"), std::string::npos) << order.Check();
  ZSkipList length = build();
  ZSkipListTestPeer::BreakLength(length);
  EXPECT_NE(length.Check(), "");
  // ZSet::Check (behind Engine::Validate) reports the index's breakage.
  ZSet z;
  z.Set("a", 1);
  z.Set("b", 2);
  EXPECT_EQ(z.Check(), "");
  ZSkipListTestPeer::BreakSpan(const_cast<ZSkipList&>(z.index()));
  EXPECT_NE(z.Check(), "");
}

// ---------------------------------------------------------------------------
// Sorted-set commands on a large set against the reference model (which
// computes every rank by walking a sorted copy).

resp::Value Read(const std::string& bytes) {
  auto p = harnesses::MakeReplyParser();
  p->Start(resp::Protocol::kResp2, resp::ReaderLimits{});
  std::vector<resp::Value> v;
  EXPECT_TRUE(p->Feed(bytes, &v));
  EXPECT_EQ(v.size(), 1u) << bytes;
  return v.empty() ? resp::Value{} : v[0];
}

TEST(ZSetRanks, LargeSetCommandsAgreeWithTheReferenceModel) {
  Engine e;
  models::ReferenceModel ref;
  const int s = e.OpenSession();
  size_t compared = 0;
  auto both = [&](const std::vector<std::string>& argv) {
    std::string out;
    e.Execute(s, argv, &out);
    const resp::Value want = ref.Execute(0, argv);
    ASSERT_EQ(Read(out), want) << argv[0] << " " << (argv.size() > 2 ? argv[2] : "");
    ++compared;
  };
  uint64_t rng = 99;
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> add = {"zadd", "z"};
    std::vector<std::string> lex = {"zadd", "lex"};
    for (int i = 0; i < 600; ++i) {
      const uint64_t r = Next(rng);
      add.push_back(std::to_string(static_cast<int>(r % 50) - 25));
      add.push_back("m" + std::to_string(r % 2000));
      lex.push_back("0");
      lex.push_back("k" + std::to_string((r >> 20) % 3000));
    }
    both(add);
    both(lex);
    for (int q = 0; q < 60; ++q) {
      const uint64_t r = Next(rng);
      const std::string a = std::to_string(static_cast<int>(r % 60) - 30);
      const std::string b = std::to_string(static_cast<int>((r >> 8) % 60) - 30);
      const std::string off = std::to_string((r >> 16) % 700);
      const std::string lim = std::to_string(static_cast<int>((r >> 24) % 40) - 1);
      const std::string m = "m" + std::to_string((r >> 32) % 2000);
      const std::string k1 = "[k" + std::to_string((r >> 40) % 3000);
      const std::string k2 = "(k" + std::to_string((r >> 48) % 3000);
      both({"zrank", "z", m});
      both({"zrevrank", "z", m});
      both({"zrange", "z", off, std::to_string((r >> 5) % 900), "withscores"});
      both({"zrevrange", "z", off, "-" + std::to_string((r >> 6) % 300 + 1)});
      both({"zrangebyscore", "z", a, b, "limit", off, lim});
      both({"zrange", "z", b, a, "byscore", "rev", "limit", off, lim});
      both({"zcount", "z", "(" + a, b});
      both({"zrangebylex", "lex", k1, "+", "limit", off, lim});
      both({"zrange", "lex", k2, k1, "bylex", "rev", "limit", off, lim});
      both({"zlexcount", "lex", k1, k2});
      both({"zlexcount", "lex", "-", k2});
      both({"zincrby", "z", std::to_string(static_cast<int>(r % 7) - 3), m});
    }
    both({"zremrangebyrank", "z", "10", std::to_string(40 + round)});
    both({"zremrangebyrank", "lex", "-300", "-250"});
    both({"zpopmin", "z", "3"});
    both({"zpopmax", "lex", "2"});
    ASSERT_TRUE(e.Validate().ok()) << e.Validate();
  }
  EXPECT_GT(compared, 2000u);
}

// ---------------------------------------------------------------------------
// Active expiry.

struct ExpiryFixture {
  ExpiryFixture() : e(), s(e.OpenSession()) {
    e.AddKeyEventListener([this](const KeyEvent& ev) {
      if (ev.kind == KeyEventKind::kExpired) expired.push_back(std::string(ev.key));
      ++events;
    });
  }
  void Set(int db, const std::string& key, int64_t px) {
    const int64_t when = e.now_ms() + px;
    Object& o = e.keyspace().StoreWithExpire(db, key, Object(std::string("v")), when);
    (void)o;
  }
  Engine e;
  int s;
  std::vector<std::string> expired;
  size_t events = 0;
};

// Due keys go over repeated calls, in every db; keys not due stay; every
// deletion is a kExpired event; the same keys as the full pass.
TEST(ActiveExpireCycle, ExpiresDueKeysOverRepeatedCalls) {
  ExpiryFixture f, full;
  std::set<std::string> due, live;
  for (int i = 0; i < 3000; ++i) {
    const int db = i % 3;
    const std::string key = "k" + std::to_string(i);
    const int64_t px = i % 4 == 0 ? 50'000 : 100;  // a quarter stay
    for (ExpiryFixture* x : {&f, &full}) x->Set(db, key, px);
    (px == 100 ? due : live).insert(key);
  }
  // Keys without a TTL are never sampled.
  for (int i = 0; i < 500; ++i)
    f.e.keyspace().Store(0, "p" + std::to_string(i), Object(std::string("v")), true);
  f.e.AdvanceClock(1000);
  full.e.AdvanceClock(1000);
  f.events = 0;
  size_t calls = 0;
  while (f.e.keyspace().db(0).expires.size() + f.e.keyspace().db(1).expires.size() +
             f.e.keyspace().db(2).expires.size() >
         live.size()) {
    const Keyspace::ExpireCycleStats st = f.e.ActiveExpireCycle();
    ASSERT_LE(st.sampled,
              Keyspace::kExpireCycleMaxLoopsPerCall * Keyspace::kExpireCycleKeysPerLoop);
    ASSERT_LT(++calls, 1000u) << "active expiry does not converge";
  }
  EXPECT_EQ(f.events, f.expired.size());  // nothing but kExpired
  EXPECT_EQ(std::set<std::string>(f.expired.begin(), f.expired.end()), due);
  EXPECT_EQ(f.expired.size(), due.size());  // each once
  size_t left = 0;
  for (int db = 0; db < 3; ++db) left += f.e.keyspace().db(db).dict.size();
  EXPECT_EQ(left, 500 + live.size());
  full.e.ExpireAllDue();
  EXPECT_EQ(std::set<std::string>(full.expired.begin(), full.expired.end()), due);
  // The full pass deletes db by db, keys in bytewise order.
  EXPECT_TRUE(std::is_sorted(full.expired.begin(), full.expired.begin() + 100));
  EXPECT_TRUE(f.e.Validate().ok());
  // Later calls only sample: live keys are never touched.
  for (int i = 0; i < 50; ++i) EXPECT_EQ(f.e.ActiveExpireCycle().expired, 0u);
  EXPECT_EQ(f.expired.size(), due.size());
}

// The work of one call is bounded by kExpireCycleMaxLoopsPerCall loops of
// kExpireCycleKeysPerLoop samples, however many keys are due; and a call
// that finds few expired keys stops after one loop per db.
TEST(ActiveExpireCycle, BoundedWorkPerCall) {
  ExpiryFixture f;
  const size_t bound = Keyspace::kExpireCycleMaxLoopsPerCall * Keyspace::kExpireCycleKeysPerLoop;
  for (size_t i = 0; i < bound * 3; ++i) f.Set(0, "k" + std::to_string(i), 10);
  f.e.AdvanceClock(100);
  const Keyspace::ExpireCycleStats st = f.e.ActiveExpireCycle();
  EXPECT_TRUE(st.hit_limit);
  EXPECT_EQ(st.loops, Keyspace::kExpireCycleMaxLoopsPerCall);
  EXPECT_EQ(st.sampled, bound);
  EXPECT_EQ(st.expired, f.expired.size());
  EXPECT_GT(st.expired, bound / 2);  // random picks of due keys: almost all hit
  EXPECT_EQ(f.e.keyspace().db(0).expires.size(), bound * 3 - st.expired);

  // None due: one loop of 20 samples for the one db with TTLs, then stop.
  ExpiryFixture g;
  for (int i = 0; i < 10000; ++i) g.Set(5, "k" + std::to_string(i), 1'000'000);
  g.events = 0;
  const Keyspace::ExpireCycleStats quiet = g.e.ActiveExpireCycle();
  EXPECT_EQ(quiet.loops, 1u);
  EXPECT_EQ(quiet.sampled, Keyspace::kExpireCycleKeysPerLoop);
  EXPECT_EQ(quiet.expired, 0u);
  EXPECT_FALSE(quiet.hit_limit);
  EXPECT_EQ(g.events, 0u);
  EXPECT_EQ(g.e.keyspace().db(5).dict.size(), 10000u);
}

// Just above and at the stale threshold: more than 10% expired in a loop
// means another loop.
TEST(ActiveExpireCycle, RepeatsWhileMoreThanTenPercentExpired) {
  // 100 keys, all due: every loop expires the 20 it picks (100% > 10%), so
  // it loops until the db is empty: 5 loops.
  ExpiryFixture f;
  for (int i = 0; i < 100; ++i) f.Set(0, "k" + std::to_string(i), 1);
  f.e.AdvanceClock(10);
  const Keyspace::ExpireCycleStats st = f.e.ActiveExpireCycle();
  EXPECT_EQ(st.loops, 5u);
  EXPECT_EQ(f.e.keyspace().db(0).dict.size(), 0u);
  EXPECT_EQ(st.expired, 100u);
}

// Same operations, same expiry order: the PRNG is the keyspace's own.
TEST(ActiveExpireCycle, Deterministic) {
  auto run = [] {
    ExpiryFixture f;
    for (int i = 0; i < 5000; ++i) f.Set(i % 2, "k" + std::to_string(i), i % 3 == 0 ? 5 : 500);
    f.e.AdvanceClock(100);
    for (int c = 0; c < 5; ++c) f.e.ActiveExpireCycle();
    return f.expired;
  };
  const std::vector<std::string> a = run();
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, run());
}

// Tracking clients hear of actively expired keys as of any other deletion.
TEST(ActiveExpireCycle, TrackingClientsAreTold) {
  Engine e;
  const int s = e.OpenSession();
  std::string out;
  Exec(e, s, {"hello", "3"}, &out);
  Exec(e, s, {"client", "tracking", "on"}, &out);
  Exec(e, s, {"set", "k", "v", "px", "10"}, &out);
  Exec(e, s, {"get", "k"}, &out);
  out.clear();
  e.AdvanceClock(100);
  e.ActiveExpireCycle();
  e.AppendOutput(s, &out);
  EXPECT_EQ(out, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n");
}

TEST(TtlTable, SwapRemoveKeepsMapAndArrayInStep) {
  TtlTable t;
  for (int i = 0; i < 100; ++i) t.Set("k" + std::to_string(i), i);
  for (int i = 0; i < 100; i += 3) EXPECT_TRUE(t.Erase("k" + std::to_string(i)));
  EXPECT_FALSE(t.Erase("k0"));
  t.Set("k1", 1000);  // replace: no new slot
  EXPECT_EQ(t.size(), 66u);
  EXPECT_EQ(t.Check(), "");
  EXPECT_EQ(t.Get("k1"), 1000);
  EXPECT_EQ(t.Get("k3"), -1);
  std::set<std::string> seen;
  for (const auto [key, when] : t) {
    seen.insert(key);
    EXPECT_EQ(t.Get(key), when);
  }
  EXPECT_EQ(seen.size(), 66u);
  for (size_t i = 0; i < t.size(); ++i) EXPECT_TRUE(seen.count(t.at(i).first));
}

// ---------------------------------------------------------------------------
// WATCH's per-key watcher lists.

TEST(WatchLists, OnlyTheKeysWatchersAreDirtied) {
  Engine e;
  std::vector<int> sessions;
  std::string out;
  for (int i = 0; i < 200; ++i) {
    sessions.push_back(e.OpenSession());
    Exec(e, sessions.back(), {"watch", "k" + std::to_string(i % 50), "shared"}, &out);
  }
  ASSERT_TRUE(e.Validate().ok()) << e.Validate();
  const int writer = e.OpenSession();
  Exec(e, writer, {"set", "k7", "v"}, &out);
  for (int i = 0; i < 200; ++i) {
    const Session& s = e.session(sessions[i]);
    EXPECT_EQ(s.dirty_cas, i % 50 == 7) << i;
    EXPECT_EQ(s.watched.size(), i % 50 == 7 ? 0u : 2u) << i;  // dirty: unwatched
  }
  ASSERT_TRUE(e.Validate().ok()) << e.Validate();
  Exec(e, writer, {"del", "shared"}, &out);  // absent: nothing happens
  Exec(e, writer, {"set", "shared", "v"}, &out);
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(e.session(sessions[i]).dirty_cas);
  ASSERT_TRUE(e.Validate().ok()) << e.Validate();
  for (int s : sessions) e.CloseSession(s);
  ASSERT_TRUE(e.Validate().ok()) << e.Validate();
}

// Validate() cross-checks the watcher lists against the sessions.
TEST(WatchLists, ValidateCatchesAListOutOfStep) {
  Engine e;
  const int s = e.OpenSession();
  std::string out;
  Exec(e, s, {"watch", "a", "b"}, &out);
  ASSERT_TRUE(e.Validate().ok());
  // The session's entry 0 now names another key than its list says.
  const_cast<Session&>(e.session(s)).watched[0].key = "c";
  const absl::Status st = e.Validate();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("watcher list"), std::string::npos) << st;
}

// ---------------------------------------------------------------------------
// SCAN.

TEST(ScanHash, SipHash24TestVectors) {
  // The SipHash paper's vectors, key 00 01 .. 0f: the empty message, and
  // the 15 bytes 00 01 .. 0e (Appendix A).
  EXPECT_EQ(ScanHash(""), 0x726fdb47dd0e0e31ULL);
  std::string m;
  for (int i = 0; i < 15; ++i) m.push_back(static_cast<char>(i));
  EXPECT_EQ(ScanHash(m), 0xa129ca6149be45e5ULL);
}

std::pair<std::string, std::vector<std::string>> ScanOnce(Engine& e, int s,
                                                          const std::vector<std::string>& argv) {
  std::string out;
  e.Execute(s, argv, &out);
  const resp::Value v = Read(out);
  std::vector<std::string> keys;
  if (v.elems.size() != 2) {
    ADD_FAILURE() << out;
    return {};
  }
  for (const resp::Value& k : v.elems[1].elems) keys.push_back(k.str);
  return {v.elems[0].str, keys};
}

TEST(Scan, FullIterationReturnsEveryKeyOnce) {
  Engine e;
  const int s = e.OpenSession();
  for (int i = 0; i < 5000; ++i) {
    e.keyspace().Store(0, "key:" + std::to_string(i), Object(std::string("v")), true);
  }
  for (int count : {1, 7, 10, 100, 4999, 5000, 10000}) {
    std::multiset<std::string> seen;
    std::string cursor = "0";
    size_t calls = 0;
    do {
      auto [next, keys] = ScanOnce(e, s, {"scan", cursor, "count", std::to_string(count)});
      EXPECT_LE(keys.size(), static_cast<size_t>(count) + 1);  // a 64-bit tie is (almost) never
      seen.insert(keys.begin(), keys.end());
      cursor = next;
      ++calls;
    } while (cursor != "0" && calls < 20000);
    EXPECT_EQ(seen.size(), 5000u) << count;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 5000u) << count;
    // COUNT keys per call, and one more call only when the last page was full.
    EXPECT_EQ(calls, 5000 / count + 1) << count;
  }
}

// Keys present for the whole iteration are returned even while others come
// and go between calls.
TEST(Scan, KeysPresentThroughoutAreReturnedDespiteChurn) {
  Engine e;
  const int s = e.OpenSession();
  std::string out;
  for (int i = 0; i < 2000; ++i) Exec(e, s, {"set", "stay" + std::to_string(i), "v"}, &out);
  std::set<std::string> seen;
  std::string cursor = "0";
  int round = 0;
  do {
    auto [next, keys] = ScanOnce(e, s, {"scan", cursor, "count", "25"});
    seen.insert(keys.begin(), keys.end());
    cursor = next;
    for (int j = 0; j < 30; ++j) {
      Exec(e, s, {"set", "churn" + std::to_string(round * 30 + j), "v"}, &out);
      Exec(e, s, {"del", "churn" + std::to_string(round * 30 + j - 45)}, &out);
    }
    ++round;
  } while (cursor != "0" && round < 10000);
  for (int i = 0; i < 2000; ++i) EXPECT_TRUE(seen.count("stay" + std::to_string(i))) << i;
}

// As redis-server 7.0.15 replies (checked on the server): a db with fewer
// keys than COUNT comes whole with cursor 0; with COUNT keys or more the
// scan is split (the server's cursor is nonzero even when COUNT equals the
// db's size); an empty page with cursor 0 ends it.
TEST(Scan, SmallDbsAndCountBoundaries) {
  Engine e;
  const int s = e.OpenSession();
  std::string out;
  auto [c0, k0] = ScanOnce(e, s, {"scan", "0"});
  EXPECT_EQ(c0, "0");
  EXPECT_TRUE(k0.empty());
  for (int i = 0; i < 9; ++i) Exec(e, s, {"set", "k" + std::to_string(i), "v"}, &out);
  auto [c1, k1] = ScanOnce(e, s, {"scan", "0"});  // 9 keys < COUNT 10
  EXPECT_EQ(c1, "0");
  EXPECT_EQ(k1.size(), 9u);
  Exec(e, s, {"set", "k9", "v"}, &out);
  auto [c2, k2] = ScanOnce(e, s, {"scan", "0"});  // 10 keys = COUNT 10
  EXPECT_NE(c2, "0");
  EXPECT_EQ(k2.size(), 10u);
  auto [c3, k3] = ScanOnce(e, s, {"scan", c2});
  EXPECT_EQ(c3, "0");
  EXPECT_TRUE(k3.empty());
  auto [c4, k4] = ScanOnce(e, s, {"scan", "0", "count", "11"});
  EXPECT_EQ(c4, "0");
  EXPECT_EQ(k4.size(), 10u);
  // MATCH and TYPE filter after the walk: COUNT keys are walked, fewer come back.
  Exec(e, s, {"rpush", "list", "x"}, &out);
  auto [c5, k5] = ScanOnce(e, s, {"scan", "0", "count", "100", "type", "list"});
  EXPECT_EQ(c5, "0");
  EXPECT_EQ(k5, std::vector<std::string>{"list"});
  auto [c6, k6] = ScanOnce(e, s, {"scan", "0", "count", "3", "match", "nothing*"});
  EXPECT_NE(c6, "0");
  EXPECT_TRUE(k6.empty());
  // Cursors past every hash, and "-1" (strtoul wraps it to 2^64-1).
  auto [c7, k7] = ScanOnce(e, s, {"scan", "18446744073709551615"});
  EXPECT_EQ(c7, "0");
  auto [c8, k8] = ScanOnce(e, s, {"scan", "-1"});
  EXPECT_EQ(c8, "0");
  EXPECT_EQ(k7, k8);
}

// COUNT is capped at kScanMaxCount: the boundary, on a db one key larger.
TEST(Scan, CountCapBoundary) {
  Engine e;
  const int s = e.OpenSession();
  const size_t cap = Keyspace::kScanMaxCount;
  for (size_t i = 0; i <= cap; ++i) {
    e.keyspace().Store(0, "k" + std::to_string(i), Object(std::string("v")), true);
  }
  auto [c1, k1] = ScanOnce(e, s, {"scan", "0", "count", std::to_string(cap)});
  EXPECT_EQ(k1.size(), cap);
  EXPECT_NE(c1, "0");
  auto [c2, k2] = ScanOnce(e, s, {"scan", "0", "count", "9223372036854775807"});
  EXPECT_EQ(k2.size(), cap);  // capped
  EXPECT_EQ(c2, c1);
  auto [c3, k3] = ScanOnce(e, s, {"scan", c2, "count", "9223372036854775807"});
  EXPECT_EQ(k3.size(), 1u);
  EXPECT_EQ(c3, "0");
}

// The engine and the reference model walk the same documented order, so
// their SCAN replies agree exactly, split or not, whatever the cursor.
TEST(Scan, EngineAndReferenceModelAgreeOnEveryPage) {
  Engine e;
  models::ReferenceModel ref;
  const int s = e.OpenSession();
  auto both = [&](const std::vector<std::string>& argv) {
    std::string out;
    e.Execute(s, argv, &out);
    const resp::Value got = Read(out);
    EXPECT_EQ(got, ref.Execute(0, argv)) << argv[0] << " " << argv[1];
    return got;
  };
  for (int i = 0; i < 300; ++i) {
    both({"set", "k" + std::to_string(i), "v"});
    if (i % 7 == 0) both({"pexpire", "k" + std::to_string(i), "5"});
    if (i % 11 == 0) both({"rpush", "l" + std::to_string(i), "x"});
  }
  e.AdvanceClock(10);
  ref.AdvanceClock(10);
  for (const char* count : {"1", "3", "10", "64", "1000"}) {
    for (const std::vector<std::string>& extra :
         {std::vector<std::string>{}, {"match", "k1*"}, {"type", "list"}, {"type", "none"}}) {
      std::string cursor = "0";
      int calls = 0;
      do {
        std::vector<std::string> argv = {"scan", cursor, "count", count};
        argv.insert(argv.end(), extra.begin(), extra.end());
        const resp::Value r = both(argv);
        if (r.elems.size() != 2) break;
        cursor = r.elems[0].str;
      } while (cursor != "0" && ++calls < 1000);
    }
  }
  for (const char* cursor : {"1", "12345678901234567890", "-1", "", "+7"}) both({"scan", cursor});
  EXPECT_TRUE(e.Validate().ok());
}

}  // namespace
}  // namespace respfuzz::engine
