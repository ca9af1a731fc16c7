// The command oracle's comparison of draws and scans (tools/oracle_random.h):
// two valid draws of the same command reduce to the same summary, and each
// kind of wrong draw (an element not in the key, repeats where distinct
// elements were asked for, a WITHSCORES / WITHVALUES value that is not the
// element's, a count that differs) changes it; an iteration's union ignores
// where each side split and in what order, and still shows a lost element.
#include "tools/oracle_random.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::oracle {
namespace {

using resp::Type;
using resp::Value;

Value Arr(std::vector<Value> e) { return Value::Aggregate(Type::kArray, std::move(e)); }
Value B(std::string s) { return Value::Bulk(std::move(s)); }
Value Bulks(std::initializer_list<const char*> xs) {
  std::vector<Value> v;
  for (const char* x : xs) v.push_back(B(x));
  return Arr(std::move(v));
}

Value Summary(std::vector<std::string> argv, const DrawPool* pool, Value reply) {
  SummarizeRandomReply(argv, pool, &reply);
  return reply;
}

DrawPool SetPool() {
  DrawPool p;
  p.names = {"a", "b", "c", "d"};
  return p;
}

TEST(OracleRandom, TwoValidDrawsAgree) {
  const DrawPool pool = SetPool();
  EXPECT_EQ(Summary({"SRANDMEMBER", "k"}, &pool, B("a")),
            Summary({"SRANDMEMBER", "k"}, &pool, B("c")));
  EXPECT_EQ(Summary({"SRANDMEMBER", "k", "2"}, &pool, Bulks({"a", "b"})),
            Summary({"srandmember", "k", "2"}, &pool, Bulks({"d", "c"})));
  EXPECT_EQ(Summary({"SRANDMEMBER", "k", "-3"}, &pool, Bulks({"a", "a", "a"})),
            Summary({"SRANDMEMBER", "k", "-3"}, &pool, Bulks({"a", "b", "c"})));
  // Errors and nulls stay as they are.
  EXPECT_EQ(Summary({"SPOP", "k", "x"}, &pool, Value::Error("ERR x")), Value::Error("ERR x"));
}

TEST(OracleRandom, EachWrongDrawShows) {
  const DrawPool pool = SetPool();
  const Value good = Summary({"SRANDMEMBER", "k", "2"}, &pool, Bulks({"a", "b"}));
  // An element that is not in the key.
  EXPECT_NE(Summary({"SRANDMEMBER", "k", "2"}, &pool, Bulks({"a", "z"})), good);
  EXPECT_NE(Summary({"SRANDMEMBER", "k"}, &pool, B("z")),
            Summary({"SRANDMEMBER", "k"}, &pool, B("a")));
  // Repeats where a positive count asks for distinct elements.
  EXPECT_NE(Summary({"SRANDMEMBER", "k", "2"}, &pool, Bulks({"a", "a"})), good);
  EXPECT_NE(Summary({"SPOP", "k", "2"}, &pool, Bulks({"b", "b"})),
            Summary({"SPOP", "k", "2"}, &pool, Bulks({"b", "a"})));
  // Another count.
  EXPECT_NE(Summary({"SRANDMEMBER", "k", "2"}, &pool, Bulks({"a"})), good);
  EXPECT_NE(Summary({"SRANDMEMBER", "k", "-2"}, &pool, Bulks({"a", "b", "c"})),
            Summary({"SRANDMEMBER", "k", "-2"}, &pool, Bulks({"a", "b"})));
}

TEST(OracleRandom, PairsHoldTheirOwnValues) {
  DrawPool z;
  z.names = {"a", "b"};
  z.scores = {{"a", 1.5}, {"b", 2}};
  const std::vector<std::string> argv = {"ZRANDMEMBER", "k", "-2", "WITHSCORES"};
  // RESP2: flat pairs with the score as text; RESP3: [member, double] pairs.
  const Value resp2 = Summary(argv, &z, Bulks({"a", "1.5", "b", "2"}));
  EXPECT_EQ(resp2, Summary(argv, &z, Bulks({"b", "2", "b", "2"})));
  EXPECT_NE(resp2, Summary(argv, &z, Bulks({"a", "2", "b", "2"})));
  const Value resp3 = Summary(argv, &z, Arr({Arr({B("a"), Value::Double(1.5)})}));
  EXPECT_EQ(resp3, Summary(argv, &z, Arr({Arr({B("b"), Value::Double(2)})})));
  EXPECT_NE(resp3, Summary(argv, &z, Arr({Arr({B("b"), Value::Double(1.5)})})));
  DrawPool h;
  h.names = {"f"};
  h.values = {{"f", "v"}};
  const std::vector<std::string> hv = {"HRANDFIELD", "k", "1", "WITHVALUES"};
  EXPECT_NE(Summary(hv, &h, Bulks({"f", "v"})), Summary(hv, &h, Bulks({"f", "w"})));
}

TEST(OracleRandom, PoolIsTheEnginesKeyBeforeTheOp) {
  engine::Engine e;
  const int s = e.OpenSession();
  std::string out;
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"SADD", "k", "a", "b"}, {"HSET", "h", "f", "v"}, {"ZADD", "z", "1.5", "m"}}) {
    e.Execute(s, argv, &out);
  }
  EXPECT_EQ(PoolOf(e, 0, {"SPOP", "k"}).names, (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(PoolOf(e, 0, {"HRANDFIELD", "h"}).values.at("f"), "v");
  EXPECT_EQ(PoolOf(e, 0, {"ZRANDMEMBER", "z"}).scores.at("m"), 1.5);
  EXPECT_EQ(PoolOf(e, 0, {"RANDOMKEY"}).names, (std::set<std::string>{"h", "k", "z"}));
  EXPECT_TRUE(PoolOf(e, 0, {"SPOP", "nokey"}).names.empty());
}

TEST(OracleRandom, ScanUnionIgnoresSplitsAndOrder) {
  std::vector<Value> a, b;
  std::string cursor;
  ASSERT_TRUE(AppendScanPage(Arr({B("7"), Bulks({"f2", "v2"})}), &cursor, &a));
  EXPECT_EQ(cursor, "7");
  ASSERT_TRUE(AppendScanPage(Arr({B("0"), Bulks({"f1", "v1", "f2", "v2"})}), &cursor, &a));
  EXPECT_EQ(cursor, "0");
  ASSERT_TRUE(AppendScanPage(Arr({B("0"), Bulks({"f1", "v1", "f2", "v2"})}), &cursor, &b));
  EXPECT_FALSE(AppendScanPage(Value::Error("ERR"), &cursor, &b));
  EXPECT_EQ(ScanUnion("HSCAN", a), ScanUnion("HSCAN", b));
  // A lost pair, or a value moved to another field, shows.
  EXPECT_NE(ScanUnion("HSCAN", {B("f1"), B("v1")}), ScanUnion("HSCAN", b));
  EXPECT_NE(ScanUnion("HSCAN", {B("f1"), B("v2"), B("f2"), B("v1")}), ScanUnion("HSCAN", b));
  EXPECT_EQ(ScanUnion("SSCAN", {B("b"), B("a"), B("b")}), ScanUnion("sscan", {B("a"), B("b")}));
  EXPECT_NE(ScanUnion("SSCAN", {B("a")}), ScanUnion("SSCAN", {B("a"), B("b")}));
}

}  // namespace
}  // namespace respfuzz::oracle
