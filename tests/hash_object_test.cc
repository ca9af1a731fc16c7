// The engine's hash keeps Redis's listpack order (insertion order, updates
// in place, deletions closing up) with O(1) lookups: checked against a plain
// vector of pairs over random operations, through compactions.
#include "src/engine/hash_object.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace respfuzz::engine {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Contents(const Hash& h) { return Pairs(h.begin(), h.end()); }

TEST(HashObject, KeepsInsertionOrderWithUpdatesInPlace) {
  Hash h;
  EXPECT_TRUE(h.Set("z", "1"));
  EXPECT_TRUE(h.Set("a", "2"));
  EXPECT_TRUE(h.Set("m", "3"));
  EXPECT_FALSE(h.Set("a", "9"));          // in place
  EXPECT_FALSE(h.SetIfAbsent("m", "0"));  // untouched
  EXPECT_TRUE(h.SetIfAbsent("b", "5"));
  EXPECT_TRUE(h.Erase("z"));
  EXPECT_FALSE(h.Erase("z"));
  EXPECT_TRUE(h.Set("z", "again"));  // a deleted field comes back at the end
  EXPECT_EQ(Contents(h), (Pairs{{"a", "9"}, {"m", "3"}, {"b", "5"}, {"z", "again"}}));
  EXPECT_EQ(h.size(), 4u);
  ASSERT_NE(h.Find("m"), nullptr);
  EXPECT_EQ(*h.Find("m"), "3");
  EXPECT_EQ(h.Find("nope"), nullptr);
  EXPECT_TRUE(h.Contains("b"));
  EXPECT_EQ(h.Check(), "");
}

TEST(HashObject, CopiesAndMovesKeepOrderAndIndex) {
  Hash h{{"b", "1"}, {"a", "2"}, {"c", "3"}};
  h.Erase("a");
  Hash copy(h);
  copy.Set("d", "4");
  EXPECT_EQ(Contents(h), (Pairs{{"b", "1"}, {"c", "3"}}));
  EXPECT_EQ(Contents(copy), (Pairs{{"b", "1"}, {"c", "3"}, {"d", "4"}}));
  Hash moved(std::move(copy));
  EXPECT_EQ(moved.Check(), "");
  ASSERT_NE(moved.Find("d"), nullptr);
  Hash assigned;
  assigned = moved;
  EXPECT_EQ(assigned.Check(), "");
  EXPECT_EQ(Contents(assigned), Contents(moved));
}

// Random operations on few fields (many deletions: compactions happen) and
// on many, each step compared with a vector that does what a listpack does.
TEST(HashObject, MatchesAListpackOverRandomOperations) {
  for (int fields : {4, 40, 600}) {
    Hash h;
    Pairs lp;
    uint64_t x = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(fields);
    auto next = [&x] {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      return x;
    };
    for (int step = 0; step < 20000; ++step) {
      const std::string f = "f" + std::to_string(next() % static_cast<uint64_t>(fields));
      auto it = lp.begin();
      while (it != lp.end() && it->first != f) ++it;
      switch (next() % 3) {
        case 0: {
          const std::string v = std::to_string(step);
          EXPECT_EQ(h.Set(f, v), it == lp.end());
          if (it == lp.end()) {
            lp.emplace_back(f, v);
          } else {
            it->second = v;
          }
          break;
        }
        case 1:
          EXPECT_EQ(h.SetIfAbsent(f, "n"), it == lp.end());
          if (it == lp.end()) lp.emplace_back(f, "n");
          break;
        default:
          EXPECT_EQ(h.Erase(f), it != lp.end());
          if (it != lp.end()) lp.erase(it);
          break;
      }
      if (step % 97 == 0 || fields < 10) {
        ASSERT_EQ(Contents(h), lp) << "fields " << fields << " step " << step;
        ASSERT_EQ(h.Check(), "") << "fields " << fields << " step " << step;
      }
    }
    EXPECT_EQ(Contents(h), lp);
  }
}

}  // namespace
}  // namespace respfuzz::engine
