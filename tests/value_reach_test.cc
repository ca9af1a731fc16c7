// Value reach (issue 31 part 4): each argument kind's edge list
// (EdgeValues, harnesses/common/op_mutator.cc) run through the engine's own
// commands, one edge at a time, and the distinct outcomes collected: every
// outcome the engine's parsing and encoding code has for such an argument
// (each error text, each encoding) must be reached by some edge value, and
// no outcome may appear that this test does not list. A new special case in
// the engine (a new error, a new encoding boundary) that an edge reaches
// fails here until it is listed; one no edge reaches is caught by the
// per-case tables of tests/op_mutator_test.cc (OpMutatorEdges) and the
// boundary lists below, which name the engine's limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "harnesses/common/op_mutator.h"
#include "src/engine/config.h"
#include "src/engine/engine.h"
#include "src/resp/numbers.h"

namespace respfuzz::harnesses {
namespace {

class Outcomes {
 public:
  // The first line of the reply to the last command of `argvs`, run on a
  // fresh engine (FLUSHALL between values), with integers and bulk strings
  // reduced to their type: the outcome class.
  std::string Run(const std::vector<std::vector<std::string>>& argvs) {
    std::string out;
    engine_.Execute(s_, std::vector<std::string>{"FLUSHALL"}, &out);
    for (const auto& argv : argvs) {
      out.clear();
      engine_.Execute(s_, argv, &out);
    }
    std::string line = out.substr(0, out.find("\r\n"));
    if (!line.empty() && (line[0] == ':' || line[0] == '$' || line[0] == ',')) {
      line = line.substr(0, 1);
    }
    return line;
  }
  // The encoding OBJECT ENCODING reports for `key` after `argvs`.
  std::string Encoding(const std::vector<std::vector<std::string>>& argvs, const std::string& key) {
    std::vector<std::vector<std::string>> all = argvs;
    all.push_back({"OBJECT", "ENCODING", key});
    std::string out;
    engine_.Execute(s_, std::vector<std::string>{"FLUSHALL"}, &out);
    for (const auto& argv : all) {
      out.clear();
      engine_.Execute(s_, argv, &out);
    }
    const size_t nl = out.find("\r\n");
    return out.substr(nl + 2, out.find("\r\n", nl + 2) - nl - 2);  // the bulk's text
  }

 private:
  engine::Engine engine_;
  int s_ = engine_.OpenSession();
};

std::set<std::string> Collect(ValueKind kind,
                              const std::function<std::string(const std::string&)>& f) {
  std::set<std::string> seen;
  for (std::string_view v : EdgeValues(kind)) seen.insert(f(std::string(v)));
  return seen;
}

TEST(ValueReach, IntegerEdgesReachEveryIncrbyOutcome) {
  Outcomes o;
  // INCRBY's increment: string2ll's refusal, the overflow check, success.
  const auto seen = Collect(ValueKind::kInteger, [&](const std::string& v) {
    return o.Run({{"SET", "k", "1"}, {"INCRBY", "k", v}});
  });
  EXPECT_EQ(seen, (std::set<std::string>{":", "-ERR value is not an integer or out of range",
                                         "-ERR increment or decrement would overflow"}));
}

TEST(ValueReach, IntegerEdgesReachEveryStringAndSetEncoding) {
  Outcomes o;
  // A value string2ll takes (and of at most 20 bytes) is an int; else embstr.
  EXPECT_EQ(Collect(ValueKind::kInteger,
                    [&](const std::string& v) {
                      return o.Encoding({{"SET", "k", v}}, "k");
                    }),
            (std::set<std::string>{"int", "embstr"}));
  // A set of one integer is an intset, of anything else a hashtable (7.0
  // has no listpack sets).
  EXPECT_EQ(Collect(ValueKind::kInteger,
                    [&](const std::string& v) {
                      return o.Encoding({{"SADD", "s", v}}, "s");
                    }),
            (std::set<std::string>{"intset", "hashtable"}));
}

TEST(ValueReach, IntegerEdgesHoldTheEncodingWidthsAndCounts) {
  // The integer widths Redis's encodings switch at (intset int16/int32/
  // int64, listpack's 7-bit, 13-bit, 16-, 24- and 32-bit integers) and the
  // entry counts its listpack/intset conversions switch at
  // (*-max-listpack-entries, set-max-intset-entries), each limit and one
  // past it, as COUNT-like arguments reach them.
  const engine::EncodingLimits config;
  const std::vector<int64_t> limits = {127,
                                       4095,
                                       -4096,
                                       32767,
                                       -32768,
                                       8388607,
                                       -8388608,
                                       2147483647,
                                       -2147483648LL,
                                       config.zset_max_listpack_entries,
                                       config.hash_max_listpack_entries,
                                       config.set_max_intset_entries};
  const auto edges = EdgeValues(ValueKind::kInteger);
  auto has = [&](int64_t v) {
    return std::find(edges.begin(), edges.end(), std::to_string(v)) != edges.end();
  };
  for (int64_t limit : limits) {
    EXPECT_TRUE(has(limit)) << limit;
    EXPECT_TRUE(has(limit < 0 ? limit - 1 : limit + 1)) << limit << " and one past";
  }
}

TEST(ValueReach, FloatEdgesReachEveryIncrbyfloatAndZaddOutcome) {
  Outcomes o;
  EXPECT_EQ(Collect(ValueKind::kFloat,
                    [&](const std::string& v) {
                      return o.Run({{"SET", "k", "1"}, {"INCRBYFLOAT", "k", v}});
                    }),
            (std::set<std::string>{"$", "-ERR value is not a valid float",
                                   "-ERR increment would produce NaN or Infinity"}));
  EXPECT_EQ(Collect(ValueKind::kFloat,
                    [&](const std::string& v) {
                      return o.Run({{"ZADD", "z", v, "m"}});
                    }),
            (std::set<std::string>{":", "-ERR value is not a valid float"}));
  // -inf then +inf on one member: NaN (zincrbyCommand's own error).
  EXPECT_EQ(o.Run({{"ZADD", "z", "-inf", "m"}, {"ZINCRBY", "z", "+inf", "m"}}),
            "-ERR resulting score is not a number (NaN)");
}

TEST(ValueReach, ByteEdgesReachEveryEncoding) {
  Outcomes o;
  EXPECT_EQ(Collect(ValueKind::kBytes,
                    [&](const std::string& v) {
                      return o.Encoding({{"SET", "k", v}}, "k");
                    }),
            (std::set<std::string>{"int", "embstr", "raw"}));
  EXPECT_EQ(Collect(ValueKind::kBytes,
                    [&](const std::string& v) {
                      return o.Encoding({{"HSET", "h", "f", v}}, "h");
                    }),
            (std::set<std::string>{"listpack", "hashtable"}));
  EXPECT_EQ(Collect(ValueKind::kBytes,
                    [&](const std::string& v) {
                      return o.Encoding({{"ZADD", "z", "1", v}}, "z");
                    }),
            (std::set<std::string>{"listpack", "skiplist"}));
  EXPECT_EQ(Collect(ValueKind::kBytes,
                    [&](const std::string& v) {
                      return o.Encoding({{"SADD", "s", v}}, "s");
                    }),
            (std::set<std::string>{"intset", "hashtable"}));
  // The engine's value limits, each at and one past (a harness literal is
  // at most 127 bytes: listpack's 12-bit string lengths and 8 KiB list nodes
  // are out of one argument's reach).
  const engine::EncodingLimits config;
  const auto edges = EdgeValues(ValueKind::kBytes);
  for (int64_t n : {int64_t{44}, config.hash_max_listpack_value, config.zset_max_listpack_value}) {
    for (int64_t len : {n, n + 1}) {
      EXPECT_NE(std::find(edges.begin(), edges.end(), std::string(len, 'a')), edges.end()) << len;
    }
  }
  // 20 digits: the longest string2ll reads (LONG_STR_SIZE - 1), and 21.
  EXPECT_NE(std::find(edges.begin(), edges.end(), "12345678901234567890"), edges.end());
  EXPECT_NE(std::find(edges.begin(), edges.end(), "123456789012345678901"), edges.end());
}

TEST(ValueReach, RangeEdgesReachEveryScoreAndLexOutcome) {
  Outcomes o;
  EXPECT_EQ(Collect(ValueKind::kRange,
                    [&](const std::string& v) {
                      return o.Run({{"ZRANGEBYSCORE", "z", v, "+inf"}});
                    }),
            (std::set<std::string>{"*0", "-ERR min or max is not a float"}));
  EXPECT_EQ(Collect(ValueKind::kRange,
                    [&](const std::string& v) {
                      return o.Run({{"ZRANGEBYLEX", "z", v, "+"}});
                    }),
            (std::set<std::string>{"*0", "-ERR min or max not valid string range item"}));
}

TEST(ValueReach, WordEdgesHoldEachOptionInLowerUpperAndMixedCase) {
  const auto edges = EdgeValues(ValueKind::kWord);
  auto has = [&](const std::string& w) {
    return std::find(edges.begin(), edges.end(), w) != edges.end();
  };
  // Redis compares option words with strcasecmp: each in three cases.
  for (std::string w : {"ex",      "px",         "exat",  "pxat",  "nx",      "xx",    "get",
                        "keepttl", "withscores", "limit", "count", "match",   "type",  "ch",
                        "gt",      "lt",         "incr",  "rev",   "byscore", "bylex", "persist"}) {
    std::string upper = w, mixed = w;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    for (size_t i = 0; i < mixed.size(); i += 2) mixed[i] = static_cast<char>(::toupper(mixed[i]));
    EXPECT_TRUE(has(w)) << w;
    EXPECT_TRUE(has(upper)) << upper;
    EXPECT_TRUE(has(mixed)) << mixed;
  }
  EXPECT_TRUE(has(""));
}

}  // namespace
}  // namespace respfuzz::harnesses
