// KeyTable (src/engine/key_table.h): the map a db keeps its keys in.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/key_table.h"
#include "src/engine/keyspace.h"

namespace respfuzz::engine {
namespace {

std::map<std::string, std::string> Contents(const KeyTable& t) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : t) {
    EXPECT_TRUE(out.emplace(std::string(key), As<std::string>(value)).second) << key;
  }
  return out;
}

TEST(KeyTableTest, InsertFindErase) {
  KeyTable t;
  EXPECT_TRUE(t.empty());
  auto [it, created] = t.try_emplace("a");
  EXPECT_TRUE(created);
  EXPECT_EQ(it->key(), "a");
  EXPECT_EQ(As<std::string>(it->value), "");  // a fresh entry holds an empty string
  it->value = Object(std::string("1"));
  auto [again, created_again] = t.try_emplace("a");
  EXPECT_FALSE(created_again);
  EXPECT_EQ(again, it);
  EXPECT_EQ(As<std::string>(again->value), "1");
  t.try_emplace("b").first->value = Object(std::string("2"));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_TRUE(t.contains("b"));
  EXPECT_FALSE(t.contains("c"));
  EXPECT_EQ(t.find("c"), t.end());
  EXPECT_EQ(t.erase("c"), 0u);
  EXPECT_EQ(t.erase("a"), 1u);
  EXPECT_EQ(t.erase("a"), 0u);
  EXPECT_EQ(Contents(t), (std::map<std::string, std::string>{{"b", "2"}}));
  t.erase(t.find("b"));
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.begin(), t.end());
}

// Keys are bytes: the empty key, NULs, prefixes of each other, a long key.
TEST(KeyTableTest, KeysAreBytes) {
  KeyTable t;
  const std::vector<std::string> keys = {"",   std::string("\0", 1),    std::string("a\0b", 3), "a",
                                         "ab", std::string(100000, 'k')};
  for (size_t i = 0; i < keys.size(); ++i) {
    auto [it, created] = t.try_emplace(keys[i]);
    ASSERT_TRUE(created) << i;
    it->value = Object(std::to_string(i));
  }
  ASSERT_EQ(t.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = t.find(keys[i]);
    ASSERT_NE(it, t.end()) << i;
    EXPECT_EQ(it->key(), keys[i]);
    EXPECT_EQ(As<std::string>(it->value), std::to_string(i));
  }
  EXPECT_FALSE(t.contains("b"));
  EXPECT_FALSE(t.contains(std::string("a\0", 2)));
}

// An entry never moves: a value's address survives every rehash of the table
// and the erasure of other keys.
TEST(KeyTableTest, EntriesDoNotMove) {
  KeyTable t;
  Object* first = &t.try_emplace("first").first->value;
  *first = Object(std::string("v"));
  for (int i = 0; i < 20000; ++i) t.try_emplace("k" + std::to_string(i));
  for (int i = 0; i < 20000; i += 2) ASSERT_EQ(t.erase("k" + std::to_string(i)), 1u);
  EXPECT_EQ(&t.find("first")->value, first);
  EXPECT_EQ(As<std::string>(*first), "v");
  EXPECT_EQ(t.size(), 10001u);
}

// Iteration visits every entry once; a structured binding's value is the
// entry's own (writes through it stay).
TEST(KeyTableTest, IterationBindsKeyAndValue) {
  KeyTable t;
  for (int i = 0; i < 100; ++i) t.try_emplace("k" + std::to_string(i));
  for (auto& [key, value] : t) value = Object(std::string(key) + "!");
  std::map<std::string, std::string> want;
  for (int i = 0; i < 100; ++i) want["k" + std::to_string(i)] = "k" + std::to_string(i) + "!";
  EXPECT_EQ(Contents(t), want);
}

TEST(KeyTableTest, MoveAndClear) {
  KeyTable a;
  a.try_emplace("x").first->value = Object(List{"1", "2"});
  KeyTable b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(As<List>(b.find("x")->value).size(), 2u);
  KeyTable c;
  c.try_emplace("y");
  c = std::move(b);  // c's own entry is freed
  EXPECT_FALSE(c.contains("y"));
  EXPECT_TRUE(c.contains("x"));
  c.clear();
  EXPECT_TRUE(c.empty());
  c.try_emplace("z");
  EXPECT_EQ(c.size(), 1u);
}

// SWAPDB swaps whole Dbs: the entries go with their table.
TEST(KeyTableTest, DbsSwap) {
  VirtualClock clock(0);
  Keyspace ks(2, &clock);
  Object* v = &ks.Store(0, "k", Object(std::string("v")), false);
  ks.SwapDb(0, 1);
  EXPECT_EQ(ks.Peek(0, "k"), nullptr);
  EXPECT_EQ(ks.Peek(1, "k"), v);
  EXPECT_EQ(ks.Check(), "");
}

}  // namespace
}  // namespace respfuzz::engine
