// The lean reply tree (src/resp/reply.h): built by ReplyBuilder, compared,
// written, converted to and from resp::Value.
#include "src/resp/reply.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/resp/reader.h"
#include "src/resp/writer.h"

namespace respfuzz::resp {
namespace {

ReplyTree Tree(std::string_view data, Protocol p = Protocol::kResp3) {
  ReplyTree t;
  ReaderError error;
  bool complete = false;
  ReadAll(data, p, ReaderLimits{}, &t, &error, &complete);
  EXPECT_EQ(error.code, ReaderErrorCode::kNone) << error.reason << " for " << data;
  EXPECT_TRUE(complete) << data;
  return t;
}

ReplyTree TreeOf(const Value& v) {
  ReplyTree t;
  EXPECT_TRUE(t.Append(v).ok());
  return t;
}

Value Attributed(Value v, std::vector<Value> attributes) {
  v.has_attributes = true;
  v.attributes = std::move(attributes);
  return v;
}

// Inputs that reach every type and shape: attributes nested, merged and empty,
// streamed strings and aggregates, maps and pushes.
const char* const kSamples[] = {
    "+OK\r\n",
    "-ERR x\r\n",
    ":-9223372036854775808\r\n",
    "$5\r\nhe\r\no\r\n",
    "$0\r\n\r\n",
    "$-1\r\n",
    "*-1\r\n",
    "*0\r\n",
    "_\r\n",
    "#t\r\n",
    "#f\r\n",
    ",-0\r\n",
    ",nan\r\n",
    ",inf\r\n",
    ",1.5e3\r\n",
    "(-123456789012345678901234567890\r\n",
    "!3\r\nE\r\n\r\n",
    "=8\r\ntxt:a\r\nb\r\n",
    "*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n_\r\n",
    "%2\r\n+k\r\n:1\r\n+k2\r\n*1\r\n#f\r\n",
    "~2\r\n:1\r\n:2\r\n",
    ">2\r\n+message\r\n$2\r\nhi\r\n",
    "|1\r\n+ttl\r\n:5\r\n$3\r\nval\r\n",
    "|0\r\n:1\r\n",
    "|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n+merged\r\n",
    "*2\r\n|1\r\n+k\r\n|1\r\n+inner\r\n:0\r\n:1\r\n:2\r\n:3\r\n",
    "|1\r\n|1\r\n+x\r\n+y\r\n+key\r\n*1\r\n|0\r\n:9\r\n%1\r\n+a\r\n|1\r\n+b\r\n+c\r\n:1\r\n",
    "$?\r\n;3\r\nabc\r\n;2\r\nde\r\n;0\r\n",
    "*?\r\n:1\r\n*?\r\n.\r\n+x\r\n.\r\n",
    "%?\r\n+k\r\n|1\r\n+a\r\n+b\r\n:1\r\n.\r\n",
    "+a\r\n:1\r\n*1\r\n*1\r\n*0\r\n$1\r\nz\r\n",
};

// Values that carry attributes, at any depth: each is one attribute node more.
size_t Attributed(const Value& root) {
  size_t n = 0;
  std::vector<const Value*> work{&root};
  while (!work.empty()) {
    const Value* v = work.back();
    work.pop_back();
    n += v->has_attributes ? 1 : 0;
    for (const Value& e : v->elems) work.push_back(&e);
    for (const Value& e : v->attributes) work.push_back(&e);
  }
  return n;
}

TEST(ReplyTree, ReaderBuildsWhatTheValueBuilderBuilds) {
  for (const char* s : kSamples) {
    ReaderError e;
    std::vector<Value> values = ReadAll(s, Protocol::kResp3, ReaderLimits{}, &e);
    ReplyTree t = Tree(s);
    ASSERT_EQ(t.size(), values.size()) << s;
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_TRUE(Equal(t[i], values[i])) << s << ": " << ToDebugString(t[i]);
      EXPECT_EQ(ToValue(t[i]), values[i]) << s;
      EXPECT_EQ(ToDebugString(t[i]), ToDebugString(values[i])) << s;
      EXPECT_EQ(t[i].nodes(), NodeCount(values[i]) + Attributed(values[i])) << s;
    }
    EXPECT_TRUE(t == values) << s;
  }
}

TEST(ReplyTree, NodesAreSmall) { EXPECT_EQ(sizeof(ReplyNode), 24u); }

TEST(ReplyTree, ViewsReadEveryField) {
  ReplyTree t = Tree("%2\r\n+k\r\n:-5\r\n$1\r\nx\r\n|1\r\n+a\r\n:0\r\n,2.5\r\n#t\r\n");
  ASSERT_EQ(t.size(), 2u);
  ReplyRef map = t[0];
  EXPECT_EQ(map.type(), Type::kMap);
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.elem_count(), 4u);
  EXPECT_EQ(map.elem(0).str(), "k");
  EXPECT_EQ(map.elem(1).integer(), -5);
  EXPECT_EQ(map.elem(2).type(), Type::kBulkString);
  EXPECT_TRUE(map.elem(3).has_attributes());
  EXPECT_FALSE(map.elem(2).has_attributes());
  ReplyRef d = map.elem(3);
  EXPECT_EQ(d.type(), Type::kDouble);
  EXPECT_EQ(d.dbl(), 2.5);
  std::vector<std::string> keys;
  for (ReplyRef e : map.elems()) keys.push_back(ToDebugString(e));
  EXPECT_EQ(keys, (std::vector<std::string>{"simple(\"k\")", "-5", "\"x\"",
                                            "|{simple(\"a\"): 0}| double(2.5)"}));
  EXPECT_TRUE(t[1].boolean());
  EXPECT_TRUE(map.elem(3).str().empty());
}

TEST(ReplyTree, AttributesStayOutOfTheElements) {
  ReplyTree t = Tree("*2\r\n|1\r\n+ttl\r\n:3\r\n+a\r\n+b\r\n");
  ReplyRef arr = t[0];
  EXPECT_EQ(arr.elem_count(), 2u);
  ReplyRef a = arr.elem(0);
  ASSERT_TRUE(a.has_attributes());
  EXPECT_EQ(a.str(), "a");
  ASSERT_EQ(a.attributes().size(), 2u);
  auto it = a.attributes().begin();
  EXPECT_EQ((*it).str(), "ttl");
  ++it;
  EXPECT_EQ((*it).integer(), 3);
  EXPECT_EQ(arr.elem(1).str(), "b");
  EXPECT_FALSE(arr.elem(1).has_attributes());
}

TEST(ReplyTree, ConsecutiveAttributesMergeAsInValue) {
  ReplyTree two = Tree("|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n+v\r\n");
  ReplyTree one = Tree("|2\r\n+a\r\n:1\r\n+b\r\n:2\r\n+v\r\n");
  EXPECT_TRUE(two == one);
  EXPECT_EQ(two[0].attributes().size(), 4u);
}

TEST(ReplyTree, EqualityFollowsValueRulesForDoubles) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(TreeOf(Value::Double(nan)) == TreeOf(Value::Double(-nan)));
  EXPECT_TRUE(TreeOf(Value::Double(nan)) == Tree(",nan\r\n"));
  EXPECT_FALSE(TreeOf(Value::Double(0.0)) == TreeOf(Value::Double(-0.0)));
  EXPECT_FALSE(Tree(",0\r\n") == Tree(",-0\r\n"));
  EXPECT_TRUE(Tree(",0\r\n") == Tree(",0.0\r\n"));
  EXPECT_FALSE(TreeOf(Value::Double(nan)) == TreeOf(Value::Double(1)));
  // The same rules against a Value.
  EXPECT_TRUE(Equal(Tree(",-nan\r\n")[0], Value::Double(nan)));
  EXPECT_FALSE(Equal(Tree(",-0\r\n")[0], Value::Double(0.0)));
  EXPECT_TRUE(Equal(Tree(",-0\r\n")[0], Value::Double(-0.0)));
}

TEST(ReplyTree, EqualityTellsShapesTypesPayloadsAndAttributesApart) {
  const std::vector<std::string> distinct = {
      "*0\r\n",
      "*1\r\n:1\r\n",
      "*1\r\n:2\r\n",
      "~1\r\n:1\r\n",
      ">1\r\n:1\r\n",
      "%1\r\n:1\r\n:1\r\n",
      "*2\r\n:1\r\n:1\r\n",
      "*1\r\n*1\r\n:1\r\n",
      "+a\r\n",
      "-a\r\n",
      "$1\r\na\r\n",
      "(1\r\n",
      "$1\r\n1\r\n",
      "!1\r\na\r\n",
      "=5\r\ntxt:a\r\n",
      "=5\r\nmkd:a\r\n",
      ":1\r\n",
      "#t\r\n",
      "#f\r\n",
      "_\r\n",
      "$-1\r\n",
      "*-1\r\n",
      "|0\r\n:1\r\n",
      "|1\r\n+a\r\n+b\r\n:1\r\n",
      "|1\r\n+a\r\n+c\r\n:1\r\n",
      "*2\r\n|0\r\n:1\r\n:1\r\n",
      "*2\r\n:1\r\n|0\r\n:1\r\n",
  };
  for (size_t i = 0; i < distinct.size(); ++i) {
    ReplyTree a = Tree(distinct[i]);
    ReaderError e;
    for (size_t j = 0; j < distinct.size(); ++j) {
      ReplyTree b = Tree(distinct[j]);
      std::vector<Value> bv = ReadAll(distinct[j], Protocol::kResp3, ReaderLimits{}, &e);
      EXPECT_EQ(Equal(a[0], b[0]), i == j) << distinct[i] << " vs " << distinct[j];
      EXPECT_EQ(Equal(a[0], bv[0]), i == j) << distinct[i] << " vs Value " << distinct[j];
    }
  }
}

TEST(ReplyTree, PayloadsCompareByBytesWhereverTheySit) {
  ReplyTree a = Tree("+zz\r\n$2\r\nab\r\n");
  ReplyTree b = Tree("$2\r\nab\r\n");
  EXPECT_TRUE(Equal(a[1], b[0]));
  EXPECT_NE(a[1].str().data(), b[0].str().data());
}

TEST(ReplyTree, ValueConversionsRoundTrip) {
  Value v = Value::Aggregate(
      Type::kMap,
      {Value::Simple("k"), Attributed(Value::Integer(1), {Value::Bulk("a"), Value::Null()}),
       Value::Bulk(std::string("\0\r\n", 3)), Value::Aggregate(Type::kSet)});
  v = Attributed(v, {});
  ReplyTree t = TreeOf(v);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_TRUE(Equal(t[0], v));
  EXPECT_EQ(ToValue(t[0]), v);
  EXPECT_EQ(ToValues(t), std::vector<Value>{v});
  EXPECT_EQ(Write(t[0], Protocol::kResp3), Write(v, Protocol::kResp3));
  EXPECT_EQ(Write(t[0], Protocol::kResp2), Write(v, Protocol::kResp2));
}

TEST(ReplyTree, AppendRefusesWhatAReplyCannotHold) {
  ReplyTree t;
  EXPECT_FALSE(t.Append(Value::Aggregate(Type::kAttribute)).ok());
  Value odd = Value::Integer(1);
  odd.attributes = {Value::Simple("a"), Value::Simple("b")};  // has_attributes false
  EXPECT_FALSE(t.Append(Value::Aggregate(Type::kArray, {odd})).ok());
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.node_count(), 0u);
  // Equality with such a Value is false, never an accident of the layout.
  ReplyTree one = Tree(":1\r\n");
  EXPECT_FALSE(Equal(one[0], odd));
}

TEST(ReplyTree, AppendCopiesValuesOfAnyTreeIncludingItself) {
  ReplyTree src = Tree("+a\r\n|1\r\n+k\r\n+v\r\n*2\r\n$3\r\nxyz\r\n:1\r\n");
  ReplyTree dst = Tree("$1\r\nq\r\n");
  dst.Append(src[1]);
  dst.Append(dst[1]);
  dst.Append(dst[0]);
  ASSERT_EQ(dst.size(), 4u);
  EXPECT_TRUE(Equal(dst[1], src[1]));
  EXPECT_TRUE(Equal(dst[2], src[1]));
  EXPECT_EQ(dst[3].str(), "q");
}

// A value appended while another is being read goes before it: the one in
// progress stays last, its payloads (shifted in the arena) intact.
TEST(ReplyTree, AppendKeepsAValueInProgressLast) {
  const ReplyTree src = Tree("$5\r\nhello\r\n");
  Reader reader(Protocol::kResp3);
  ReplyTree t;
  ReplyBuilder builder(&t);
  ASSERT_TRUE(reader.Feed("*2\r\n$3\r\nabc\r\n", builder));
  ASSERT_EQ(t.size(), 0u);
  t.Append(src[0]);
  ASSERT_TRUE(reader.Feed(":9\r\n", builder));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(ToValue(t[0]), Value::Bulk("hello"));
  EXPECT_EQ(ToValue(t[1]), Value::Aggregate(Type::kArray, {Value::Bulk("abc"), Value::Integer(9)}));
}

TEST(ReplyTree, ClearKeepsAValueInProgress) {
  // The second value arrives in pieces; clear() between feeds drops only the
  // complete values, and moves the partial one to the front when the dead
  // prefix is large enough.
  const std::string stream =
      "$4\r\nabcd\r\n+x\r\n*3\r\n$2\r\nhi\r\n|1\r\n+t\r\n:1\r\n$3\r\nyo!\r\n:7\r\n";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Reader reader(Protocol::kResp3);
    ReplyTree t;
    ReplyBuilder builder(&t);
    std::vector<Value> seen;
    for (std::string_view part :
         {std::string_view(stream).substr(0, cut), std::string_view(stream).substr(cut)}) {
      ASSERT_TRUE(reader.Feed(part, builder));
      for (ReplyRef v : t) seen.push_back(ToValue(v));
      t.clear();
    }
    ReaderError e;
    EXPECT_EQ(seen, ReadAll(stream, Protocol::kResp3, ReaderLimits{}, &e)) << "cut at " << cut;
    EXPECT_EQ(t.node_count(), 0u);
  }
}

TEST(ReplyTree, ClearMemoryStaysProportional) {
  // A long stream, fed in 7-byte pieces, cleared after every piece: what the
  // tree holds stays within the live value, never the stream.
  std::string stream;
  for (int i = 0; i < 2000; ++i) stream += "*2\r\n$5\r\nhello\r\n:" + std::to_string(i) + "\r\n";
  Reader reader(Protocol::kResp2);
  ReplyTree t;
  ReplyBuilder builder(&t);
  size_t values = 0, max_nodes = 0, max_bytes = 0;
  for (size_t off = 0; off < stream.size(); off += 7) {
    ASSERT_TRUE(reader.Feed(std::string_view(stream).substr(off, 7), builder));
    for (ReplyRef v : t) {
      ASSERT_EQ(v.elem(0).str(), "hello");
      ASSERT_EQ(v.elem(1).integer(), static_cast<int64_t>(values));
      ++values;
    }
    t.clear();
    max_nodes = std::max(max_nodes, t.node_count());
    max_bytes = std::max(max_bytes, t.arena_bytes());
  }
  EXPECT_EQ(values, 2000u);
  EXPECT_LE(max_nodes, 6u);
  EXPECT_LE(max_bytes, 10u);
}

TEST(ReplyTree, BuilderClearDropsThePartialValue) {
  Reader reader(Protocol::kResp3);
  ReplyTree t;
  ReplyBuilder builder(&t);
  ASSERT_TRUE(reader.Feed("+done\r\n*2\r\n$3\r\nabc\r\n", builder));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_GT(t.node_count(), 1u);
  builder.Clear();
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.node_count(), 1u);
  EXPECT_EQ(t.arena_bytes(), 4u);
  reader.Reset();
  ASSERT_TRUE(reader.Feed(":5\r\n", builder));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1].integer(), 5);
  // A value in progress blocks Append(Value).
  ASSERT_TRUE(reader.Feed("*1\r\n", builder));
  EXPECT_FALSE(t.Append(Value::Integer(1)).ok());
}

TEST(ReplyTree, WriterWritesWhatTheValueWriterWrites) {
  for (const char* s : kSamples) {
    ReplyTree t = Tree(s);
    ReaderError e;
    std::vector<Value> values = ReadAll(s, Protocol::kResp3, ReaderLimits{}, &e);
    for (size_t i = 0; i < t.size(); ++i) {
      for (Protocol p : {Protocol::kResp2, Protocol::kResp3}) {
        for (DoubleStyle d : {DoubleStyle::kShortest, DoubleStyle::kRedis70}) {
          EXPECT_EQ(Write(t[i], p, d), Write(values[i], p, d)) << s;
        }
      }
    }
  }
}

TEST(ReplyTree, RetypeNullsTouchesOnlyNulls) {
  ReplyTree t = Tree("*3\r\n*-1\r\n$-1\r\n*0\r\n");
  t.RetypeNulls(Type::kNullArray, Type::kNullBulk);
  EXPECT_TRUE(t == Tree("*3\r\n$-1\r\n$-1\r\n*0\r\n"));
  t.RetypeNulls(Type::kArray, Type::kNullBulk);  // not a null type: nothing
  EXPECT_EQ(t[0].type(), Type::kArray);
}

// Limits: depth at the reader's ceiling converts both ways (no recursion),
// and the builder sizes nothing by a declared length.
TEST(ReplyTree, DepthAtTheCeilingConvertsBothWays) {
  const size_t depth = ReaderLimits::kMaxDepthCeiling;
  std::string in;
  for (size_t i = 0; i < depth - 1; ++i) in += "*1\r\n";
  in += "|1\r\n+k\r\n+v\r\n:1\r\n";
  ReaderLimits limits;
  limits.max_depth = depth;
  ReplyTree t;
  ReaderError e;
  ReadAll(in, Protocol::kResp3, limits, &t, &e);
  ASSERT_EQ(e.code, ReaderErrorCode::kNone) << e.reason;
  ASSERT_EQ(t.size(), 1u);
  Value v = ToValue(t[0]);
  EXPECT_EQ(Depth(v), depth + 1);  // the attribute's pairs sit one level below :1
  ReplyTree back = TreeOf(v);
  EXPECT_TRUE(back == t);
  EXPECT_EQ(Write(back[0], Protocol::kResp3), in);
  // One level more is the reader's error, and nothing is kept.
  ReplyTree deeper;
  ReadAll("*1\r\n" + in, Protocol::kResp3, limits, &deeper, &e);
  EXPECT_EQ(e.code, ReaderErrorCode::kTooDeep);
  EXPECT_EQ(deeper.node_count(), 0u);
}

TEST(ReplyTree, DeclaredLengthsReserveNothing) {
  Reader reader(Protocol::kResp3);
  ReplyTree t;
  ReplyBuilder builder(&t);
  ASSERT_TRUE(reader.Feed("*2147483647\r\n%2147483647\r\n:1\r\n", builder));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.node_count(), 3u);  // one node per value that arrived
  EXPECT_LT(t.node_count() * sizeof(ReplyNode), 4096u);
}

// A bulk that arrives over several Feeds is taken from the reader's buffer
// instead of copied; whatever the cut, the values are the same as whole.
TEST(ReplyTree, BigBulksTakeTheReadersBufferAtAnyCut) {
  const std::string big(Reader::kMinHandOff + 36, 'x');
  const std::string stream = "+a\r\n$" + std::to_string(big.size()) + "\r\n" + big + "\r\n*2\r\n!" +
                             std::to_string(big.size()) + "\r\n" + big +
                             "\r\n:5\r\n=" + std::to_string(big.size() + 4) + "\r\ntxt:" + big +
                             "\r\n$3\r\nend\r\n";
  ReaderError e;
  const std::vector<Value> want = ReadAll(stream, Protocol::kResp3, ReaderLimits{}, &e);
  ASSERT_EQ(want.size(), 5u);
  size_t handed_off = 0;
  for (size_t cut1 = 0; cut1 <= stream.size(); cut1 += 7) {
    for (size_t cut2 = cut1; cut2 <= stream.size(); cut2 += 23) {
      Reader reader(Protocol::kResp3);
      ReplyTree t;
      ReplyBuilder builder(&t);
      std::vector<Value> got;
      size_t fed = 0;
      for (size_t end : {cut1, cut2, stream.size()}) {
        ASSERT_TRUE(reader.Feed(std::string_view(stream).substr(fed, end - fed), builder));
        fed = end;
        ASSERT_EQ(reader.consumed() + reader.buffered(), fed);
        handed_off += t.blocks();
        for (ReplyRef v : t) got.push_back(ToValue(v));
        t.clear();
      }
      ASSERT_EQ(got, want) << "cuts " << cut1 << ", " << cut2;
      ASSERT_TRUE(reader.idle());
    }
  }
  EXPECT_GT(handed_off, 100u);  // the hand-off really happened
}

TEST(ReplyTree, AHandedOffBufferComesBackAfterClear) {
  const std::string big(100000, 'y');
  const std::string one = "$" + std::to_string(big.size()) + "\r\n" + big + "\r\n";
  Reader reader(Protocol::kResp2);
  ReplyTree t;
  ReplyBuilder builder(&t);
  const char* storage = nullptr;
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(reader.Feed(std::string_view(one).substr(0, 1000), builder));
    ASSERT_TRUE(reader.Feed(std::string_view(one).substr(1000), builder));
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t.blocks(), 1u);
    EXPECT_EQ(t[0].str(), big);
    // Every round gathers into the same storage: the one dropped by the
    // last clear() (OnBufferGrowth), not a second buffer.
    if (round == 0) storage = t[0].str().data();
    EXPECT_EQ(t[0].str().data(), storage) << "round " << round;
    EXPECT_EQ(Write(t[0], Protocol::kResp2), one);
    ReplyTree copy;
    copy.Append(t[0]);
    EXPECT_EQ(copy.blocks(), 0u);  // copies go to the arena
    EXPECT_TRUE(Equal(copy[0], t[0]));
    t.clear();
    EXPECT_EQ(t.blocks(), 0u);
  }
}

TEST(ReplyTree, HeldRepliesKeepTheirStorage) {
  // The caller keeps every reply: no storage is handed back while a reply
  // still points into it, whatever the cuts.
  const std::string a(5000, 'a'), b(7000, 'b'), c(300, 'c');
  const std::string stream = "$5000\r\n" + a + "\r\n$7000\r\n" + b + "\r\n$300\r\n" + c + "\r\n";
  for (size_t step : {1u, 97u, 1000u, 4096u}) {
    Reader reader(Protocol::kResp2);
    ReplyTree t;
    ReplyBuilder builder(&t);
    for (size_t at = 0; at < stream.size(); at += step) {
      ASSERT_TRUE(reader.Feed(std::string_view(stream).substr(at, step), builder));
    }
    ASSERT_EQ(t.size(), 3u) << step;
    EXPECT_EQ(t[0].str(), a) << step;
    EXPECT_EQ(t[1].str(), b) << step;
    EXPECT_EQ(t[2].str(), c) << step;
    // Dropping them all and reading one more reuses the largest storage.
    t.clear();
    const std::string d(6000, 'd');
    const std::string more = "$6000\r\n" + d + "\r\n";
    for (size_t at = 0; at < more.size(); at += step) {
      ASSERT_TRUE(reader.Feed(std::string_view(more).substr(at, step), builder));
    }
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].str(), d) << step;
    t.clear();
  }
}

TEST(ReplyTree, AnErrorAfterAHandOffKeepsTheBytes) {
  const std::string big(200, 'z');
  const std::string head = "$200\r\n" + big.substr(0, 100);
  const std::string rest = big.substr(100) + "\r\n:1\r\n?bad\r\n";
  Reader reader(Protocol::kResp2);
  ReplyTree t;
  ReplyBuilder builder(&t);
  ASSERT_TRUE(reader.Feed(head, builder));
  EXPECT_FALSE(reader.Feed(rest, builder));
  EXPECT_EQ(reader.error().code, ReaderErrorCode::kUnknownType);
  EXPECT_EQ(reader.error().offset, head.size() + 100 + 2 + 4);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].str(), big);
  EXPECT_EQ(t[1].integer(), 1);
}

// Random streams: the lean tree and the Value tree agree value for value.
TEST(ReplyTree, AgreesWithTheValueBuilderOnRandomStreams) {
  std::mt19937 rng(7);
  const std::string atoms[] = {
      "*2\r\n", "%1\r\n", "|1\r\n",       "~1\r\n",  ">1\r\n",
      ":5\r\n", "+s\r\n", "$2\r\nab\r\n", ",-0\r\n", ",nan\r\n",
      "#t\r\n", "_\r\n",  "*?\r\n",       ".\r\n",   "$?\r\n;1\r\nq\r\n;0\r\n",
      "|0\r\n", "*0\r\n"};
  for (int round = 0; round < 3000; ++round) {
    std::string in;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) in += atoms[rng() % std::size(atoms)];
    ReaderError e1, e2;
    bool c1 = false, c2 = false;
    std::vector<Value> values = ReadAll(in, Protocol::kResp3, ReaderLimits{}, &e1, &c1);
    ReplyTree t;
    ReadAll(in, Protocol::kResp3, ReaderLimits{}, &t, &e2, &c2);
    ASSERT_EQ(e1, e2) << in;
    ASSERT_EQ(c1, c2) << in;
    ASSERT_TRUE(t == values) << in;
    for (size_t i = 0; i < t.size(); ++i) {
      ASSERT_EQ(ToValue(t[i]), values[i]) << in;
      ASSERT_EQ(Write(t[i], Protocol::kResp3), Write(values[i], Protocol::kResp3)) << in;
    }
  }
}

}  // namespace
}  // namespace respfuzz::resp
