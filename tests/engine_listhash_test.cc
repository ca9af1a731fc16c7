// Engine tests for the list and hash families. Expected replies were copied
// from redis-server 7.0.15: each command runs in a RESP2 session and, on a
// second engine holding the same data, in a RESP3 session (after HELLO 3);
// where one literal is given both protocols reply the same bytes. The WATCH
// cases ran as WATCH k (session A), the command (session B), MULTI/PING/EXEC
// (session A) on the real server.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

std::string Joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class ListHashTest : public ::testing::Test {
 protected:
  ListHashTest() {
    std::string out;
    const std::vector<std::string> hello = {"hello", "3"};
    e3_.Execute(s3_, hello, &out);
  }

  std::string Run2(const std::vector<std::string>& argv) { return Run(e2_, s2_, argv); }
  std::string Run3(const std::vector<std::string>& argv) { return Run(e3_, s3_, argv); }

  // Runs argv in both engines; each reply must be byte-exact.
  void Expect(const std::vector<std::string>& argv, std::string_view resp2,
              std::optional<std::string_view> resp3 = std::nullopt) {
    EXPECT_EQ(Run2(argv), resp2) << "RESP2: " << Joined(argv);
    EXPECT_EQ(Run3(argv), resp3.value_or(resp2)) << "RESP3: " << Joined(argv);
  }

  // String keys are written directly: the string family is not part of these tests.
  void PutString(std::string_view key, std::string_view value) {
    e2_.keyspace().Store(0, key, Object(std::string(value)), false);
    e3_.keyspace().Store(0, key, Object(std::string(value)), false);
  }

  bool Exists(std::string_view key) {
    const bool in2 = e2_.keyspace().Find(0, key) != nullptr;
    const bool in3 = e3_.keyspace().Find(0, key) != nullptr;
    EXPECT_EQ(in2, in3) << key;
    return in2;
  }

  static std::string Run(Engine& e, int s, const std::vector<std::string>& argv) {
    std::string out;
    e.Execute(s, argv, &out);
    const absl::Status st = e.Validate();
    EXPECT_TRUE(st.ok()) << st << " after " << Joined(argv);
    return out;
  }

  Engine e2_;
  Engine e3_;
  int s2_ = e2_.OpenSession();
  int s3_ = e3_.OpenSession();
};

class ListHashWatchTest : public ::testing::Test {
 protected:
  // Session B runs `setup` then, after session A has watched `key`, `cmd`
  // (replying `reply`); A's EXEC must abort exactly when `aborted`.
  void ExpectWatch(const std::vector<std::string>& setup, std::string_view cmd,
                   std::string_view key, std::string_view reply, bool aborted) {
    Engine e;
    const int a = e.OpenSession();
    const int b = e.OpenSession();
    auto run = [&](int s, const std::vector<std::string>& argv) {
      std::string out;
      e.Execute(s, argv, &out);
      EXPECT_TRUE(e.Validate().ok()) << e.Validate();
      return out;
    };
    for (const std::string& line : setup) {
      const std::vector<std::string> argv = Words(line);
      if (argv[0] == "set") {
        e.keyspace().Store(0, argv[1], Object(argv[2]), false);
      } else {
        run(b, argv);
      }
    }
    EXPECT_EQ(run(a, {"watch", std::string(key)}), "+OK\r\n");
    EXPECT_EQ(run(b, Words(cmd)), reply) << cmd;
    run(a, {"multi"});
    run(a, {"ping"});
    EXPECT_EQ(run(a, {"exec"}), aborted ? "*-1\r\n" : "*1\r\n+PONG\r\n")
        << cmd << " with " << key << " watched";
  }
};

TEST_F(ListHashTest, LpushRpushAndPushx) {
  Expect({"lpush", "l", "a", "b", "c"}, ":3\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
  Expect({"rpush", "l", "d", ""}, ":5\r\n");
  Expect({"lrange", "l", "0", "-1"},
         "*5\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$0\r\n\r\n");
  Expect({"llen", "l"}, ":5\r\n");
  Expect({"lpushx", "l", "x", "y"}, ":7\r\n");
  Expect({"rpushx", "l", "z"}, ":8\r\n");
  Expect({"lrange", "l", "0", "-1"},
         "*8\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$0\r\n\r\n$"
         "1\r\nz\r\n");
  Expect({"lpushx", "nokey", "a"}, ":0\r\n");
  Expect({"rpushx", "nokey", "a"}, ":0\r\n");
  EXPECT_FALSE(Exists("nokey"));
  Expect({"lpush", "k"}, "-ERR wrong number of arguments for 'lpush' command\r\n");
  PutString("s", "v");
  Expect({"lpush", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"rpush", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lpushx", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"rpushx", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, PopWithoutCount) {
  Expect({"rpush", "l", "a", "b", "c"}, ":3\r\n");
  Expect({"lpop", "l"}, "$1\r\na\r\n");
  Expect({"rpop", "l"}, "$1\r\nc\r\n");
  Expect({"lpop", "l"}, "$1\r\nb\r\n");
  Expect({"lpop", "l"}, "$-1\r\n", "_\r\n");
  Expect({"rpop", "l"}, "$-1\r\n", "_\r\n");
  EXPECT_FALSE(Exists("l"));
  Expect({"lpop", "nokey"}, "$-1\r\n", "_\r\n");
  Expect({"rpop", "nokey"}, "$-1\r\n", "_\r\n");
  PutString("s", "v");
  Expect({"lpop", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"rpop", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, PopWithCount) {
  Expect({"rpush", "l", "a", "b", "c", "d", "e"}, ":5\r\n");
  Expect({"lpop", "l", "0"}, "*0\r\n");
  Expect({"rpop", "l", "0"}, "*0\r\n");
  Expect({"lpop", "l", "1"}, "*1\r\n$1\r\na\r\n");
  Expect({"rpop", "l", "2"}, "*2\r\n$1\r\ne\r\n$1\r\nd\r\n");
  Expect({"lpop", "l", "10"}, "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_FALSE(Exists("l"));
  Expect({"lpop", "nokey", "0"}, "*-1\r\n", "_\r\n");
  Expect({"lpop", "nokey", "1"}, "*-1\r\n", "_\r\n");
  Expect({"rpop", "nokey", "9223372036854775807"}, "*-1\r\n", "_\r\n");
  Expect({"lpop", "nokey", "-1"}, "-ERR value is out of range, must be positive\r\n");
  Expect({"lpop", "nokey", "x"}, "-ERR value is out of range, must be positive\r\n");
  Expect({"lpop", "nokey", " 1"}, "-ERR value is out of range, must be positive\r\n");
  Expect({"lpop", "nokey", "9223372036854775808"},
         "-ERR value is out of range, must be positive\r\n");
  Expect({"lpop", "nokey", "1", "2"}, "-ERR wrong number of arguments for 'lpop' command\r\n");
  Expect({"rpop", "nokey", "1", "2"}, "-ERR wrong number of arguments for 'rpop' command\r\n");
  PutString("s", "v");
  Expect({"lpop", "s", "0"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lpop", "s", "1"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lpop", "s", "-1"}, "-ERR value is out of range, must be positive\r\n");
  Expect({"rpop", "s", "x"}, "-ERR value is out of range, must be positive\r\n");
}

TEST_F(ListHashTest, Llen) {
  Expect({"llen", "nokey"}, ":0\r\n");
  Expect({"rpush", "l", "a", "b"}, ":2\r\n");
  Expect({"llen", "l"}, ":2\r\n");
  PutString("s", "v");
  Expect({"llen", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"llen"}, "-ERR wrong number of arguments for 'llen' command\r\n");
}

TEST_F(ListHashTest, Lrange) {
  Expect({"rpush", "l", "a", "b", "c", "d", "e"}, ":5\r\n");
  Expect({"lrange", "l", "0", "-1"},
         "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
  Expect({"lrange", "l", "1", "-2"}, "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  Expect({"lrange", "l", "-100", "100"},
         "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
  Expect({"lrange", "l", "3", "1"}, "*0\r\n");
  Expect({"lrange", "l", "5", "6"}, "*0\r\n");
  Expect({"lrange", "l", "-1", "-1"}, "*1\r\n$1\r\ne\r\n");
  Expect({"lrange", "l", "-9223372036854775808", "9223372036854775807"},
         "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
  Expect({"lrange", "l", "0", "0"}, "*1\r\n$1\r\na\r\n");
  Expect({"lrange", "nokey", "0", "-1"}, "*0\r\n");
  Expect({"lrange", "nokey", "x", "1"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lrange", "l", "x", "1"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lrange", "l", "0", "1.5"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lrange", "l", "0x1", "2"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lrange", "l", "9223372036854775808", "1"},
         "-ERR value is not an integer or out of range\r\n");
  PutString("s", "v");
  Expect({"lrange", "s", "0", "1"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lrange", "s", "x", "1"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lrange", "s", "0", "x"}, "-ERR value is not an integer or out of range\r\n");
}

TEST_F(ListHashTest, Lindex) {
  Expect({"rpush", "l", "a", "b", "c"}, ":3\r\n");
  Expect({"lindex", "l", "0"}, "$1\r\na\r\n");
  Expect({"lindex", "l", "-1"}, "$1\r\nc\r\n");
  Expect({"lindex", "l", "-3"}, "$1\r\na\r\n");
  Expect({"lindex", "l", "-4"}, "$-1\r\n", "_\r\n");
  Expect({"lindex", "l", "3"}, "$-1\r\n", "_\r\n");
  Expect({"lindex", "l", "9223372036854775807"}, "$-1\r\n", "_\r\n");
  Expect({"lindex", "l", "-9223372036854775808"}, "$-1\r\n", "_\r\n");
  Expect({"lindex", "l", "x"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lindex", "l", " 1"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lindex", "nokey", "0"}, "$-1\r\n", "_\r\n");
  Expect({"lindex", "nokey", "x"}, "$-1\r\n", "_\r\n");
  PutString("s", "v");
  Expect({"lindex", "s", "x"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lindex", "s", "0"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, Lset) {
  Expect({"rpush", "l", "a", "b", "c"}, ":3\r\n");
  Expect({"lset", "l", "0", "x"}, "+OK\r\n");
  Expect({"lset", "l", "-1", "z"}, "+OK\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*3\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nz\r\n");
  Expect({"lset", "l", "3", "v"}, "-ERR index out of range\r\n");
  Expect({"lset", "l", "-4", "v"}, "-ERR index out of range\r\n");
  Expect({"lset", "l", "x", "v"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lset", "l", "9223372036854775808", "v"},
         "-ERR value is not an integer or out of range\r\n");
  Expect({"lset", "nokey", "0", "v"}, "-ERR no such key\r\n");
  Expect({"lset", "nokey", "x", "v"}, "-ERR no such key\r\n");
  PutString("s", "v");
  Expect({"lset", "s", "x", "v"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lset", "s", "0", "v"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, Lrem) {
  Expect({"rpush", "l", "a", "b", "a", "c", "a", "b", "a"}, ":7\r\n");
  Expect({"lrem", "l", "2", "a"}, ":2\r\n");
  Expect({"lrange", "l", "0", "-1"},
         "*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n");
  Expect({"lrem", "l", "-1", "a"}, ":1\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n");
  Expect({"lrem", "l", "0", "b"}, ":2\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*2\r\n$1\r\nc\r\n$1\r\na\r\n");
  Expect({"lrem", "l", "1", "zz"}, ":0\r\n");
  Expect({"lrem", "l", "-9223372036854775808", "a"}, ":1\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*1\r\n$1\r\nc\r\n");
  Expect({"lrem", "l", "0", "c"}, ":1\r\n");
  EXPECT_FALSE(Exists("l"));
  Expect({"lrem", "nokey", "1", "a"}, ":0\r\n");
  Expect({"lrem", "nokey", "x", "a"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lrem", "l", "x", "a"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lrem", "l", "1.0", "a"}, "-ERR value is not an integer or out of range\r\n");
  PutString("s", "v");
  Expect({"lrem", "s", "x", "a"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lrem", "s", "1", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, Ltrim) {
  Expect({"rpush", "l", "1", "2", "3", "4", "5"}, ":5\r\n");
  Expect({"ltrim", "l", "1", "-2"}, "+OK\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
  Expect({"ltrim", "l", "-100", "100"}, "+OK\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
  Expect({"ltrim", "l", "-1", "-1"}, "+OK\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*1\r\n$1\r\n4\r\n");
  Expect({"ltrim", "l", "-9223372036854775808", "9223372036854775807"}, "+OK\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*1\r\n$1\r\n4\r\n");
  Expect({"ltrim", "l", "2", "1"}, "+OK\r\n");
  EXPECT_FALSE(Exists("l"));
  Expect({"rpush", "l", "1", "2", "3"}, ":3\r\n");
  Expect({"ltrim", "l", "5", "10"}, "+OK\r\n");
  EXPECT_FALSE(Exists("l"));
  Expect({"ltrim", "nokey", "0", "1"}, "+OK\r\n");
  Expect({"ltrim", "nokey", "x", "1"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"rpush", "l", "1"}, ":1\r\n");
  Expect({"ltrim", "l", "x", "1"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"ltrim", "l", "0", "x"}, "-ERR value is not an integer or out of range\r\n");
  PutString("s", "v");
  Expect({"ltrim", "s", "0", "1"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"ltrim", "s", "x", "1"}, "-ERR value is not an integer or out of range\r\n");
}

TEST_F(ListHashTest, Linsert) {
  Expect({"rpush", "l", "a", "b", "a"}, ":3\r\n");
  Expect({"linsert", "l", "before", "a", "x"}, ":4\r\n");
  Expect({"linsert", "l", "AFTER", "a", "y"}, ":5\r\n");
  Expect({"lrange", "l", "0", "-1"},
         "*5\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\ny\r\n$1\r\nb\r\n$1\r\na\r\n");
  Expect({"linsert", "l", "after", "a", "a"}, ":6\r\n");
  Expect({"lrange", "l", "0", "-1"},
         "*6\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\na\r\n$1\r\ny\r\n$1\r\nb\r\n$1\r\na\r\n");
  Expect({"linsert", "l", "before", "zz", "x"}, ":-1\r\n");
  Expect({"linsert", "l", "Before", "b", ""}, ":7\r\n");
  Expect({"lrange", "l", "0", "-1"},
         "*7\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\na\r\n$1\r\ny\r\n$0\r\n\r\n$1\r\nb\r\n$1\r\na\r\n");
  Expect({"linsert", "l", "middle", "a", "x"}, "-ERR syntax error\r\n");
  Expect({"linsert", "nokey", "before", "a", "x"}, ":0\r\n");
  Expect({"linsert", "nokey", "middle", "a", "x"}, "-ERR syntax error\r\n");
  EXPECT_FALSE(Exists("nokey"));
  PutString("s", "v");
  Expect({"linsert", "s", "before", "a", "x"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"linsert", "s", "middle", "a", "x"}, "-ERR syntax error\r\n");
}

TEST_F(ListHashTest, LposBasicsAndReplyShapes) {
  Expect({"rpush", "l", "a", "b", "a", "c", "a"}, ":5\r\n");
  Expect({"lpos", "l", "a"}, ":0\r\n");
  Expect({"lpos", "l", "c"}, ":3\r\n");
  Expect({"lpos", "l", "zz"}, "$-1\r\n", "_\r\n");
  Expect({"lpos", "l", "zz", "count", "0"}, "*0\r\n");
  Expect({"lpos", "l", "a", "rank", "2"}, ":2\r\n");
  Expect({"lpos", "l", "a", "rank", "-1"}, ":4\r\n");
  Expect({"lpos", "l", "a", "rank", "-3"}, ":0\r\n");
  Expect({"lpos", "l", "a", "rank", "4"}, "$-1\r\n", "_\r\n");
  Expect({"lpos", "l", "a", "rank", "4", "count", "0"}, "*0\r\n");
  Expect({"lpos", "l", "a", "count", "0"}, "*3\r\n:0\r\n:2\r\n:4\r\n");
  Expect({"lpos", "l", "a", "count", "2"}, "*2\r\n:0\r\n:2\r\n");
  Expect({"lpos", "l", "a", "rank", "-1", "count", "0"}, "*3\r\n:4\r\n:2\r\n:0\r\n");
  Expect({"lpos", "l", "a", "rank", "2", "count", "0"}, "*2\r\n:2\r\n:4\r\n");
  Expect({"lpos", "l", "a", "count", "0", "maxlen", "3"}, "*2\r\n:0\r\n:2\r\n");
  Expect({"lpos", "l", "a", "rank", "-1", "maxlen", "2", "count", "0"}, "*1\r\n:4\r\n");
  Expect({"lpos", "l", "a", "rank", "-1", "maxlen", "1", "count", "0"}, "*1\r\n:4\r\n");
  Expect({"lpos", "l", "a", "RANK", "2", "COUNT", "1", "MAXLEN", "0"}, "*1\r\n:2\r\n");
  Expect({"lpos", "l", "a", "rank", "1", "rank", "2"}, ":2\r\n");
  Expect({"lpos", "l", "a", "count", "9223372036854775807"}, "*3\r\n:0\r\n:2\r\n:4\r\n");
  Expect({"lpos", "nokey", "a"}, "$-1\r\n", "_\r\n");
  Expect({"lpos", "nokey", "a", "count", "0"}, "*0\r\n");
  Expect({"lpos", "nokey", "a", "count", "1"}, "*0\r\n");
}

TEST_F(ListHashTest, LposOptionErrors) {
  Expect({"rpush", "l", "a", "b", "a"}, ":3\r\n");
  Expect({"lpos", "l", "a", "rank", "0"},
         "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or "
         "use negative to start from the end of the list\r\n");
  Expect({"lpos", "nokey", "a", "rank", "0"},
         "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or "
         "use negative to start from the end of the list\r\n");
  Expect({"lpos", "l", "a", "rank", "x"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lpos", "l", "a", "rank", "-0"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lpos", "l", "a", "rank", "01"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lpos", "l", "a", "rank", " 1"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"lpos", "l", "a", "rank", "9223372036854775808"},
         "-ERR value is not an integer or out of range\r\n");
  Expect({"lpos", "l", "a", "count", "-1"}, "-ERR COUNT can't be negative\r\n");
  Expect({"lpos", "l", "a", "count", "x"}, "-ERR COUNT can't be negative\r\n");
  Expect({"lpos", "l", "a", "count", "9223372036854775808"}, "-ERR COUNT can't be negative\r\n");
  Expect({"lpos", "l", "a", "maxlen", "-1"}, "-ERR MAXLEN can't be negative\r\n");
  Expect({"lpos", "l", "a", "maxlen", "x"}, "-ERR MAXLEN can't be negative\r\n");
  Expect({"lpos", "l", "a", "rank"}, "-ERR syntax error\r\n");
  Expect({"lpos", "l", "a", "count"}, "-ERR syntax error\r\n");
  Expect({"lpos", "l", "a", "foo"}, "-ERR syntax error\r\n");
  Expect({"lpos", "l", "a", "foo", "1"}, "-ERR syntax error\r\n");
  Expect({"lpos", "nokey", "a", "count", "1", "rank", "0"},
         "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or "
         "use negative to start from the end of the list\r\n");
  Expect({"lpos", "nokey", "a", "count", "0", "count", "-1"}, "-ERR COUNT can't be negative\r\n");
  PutString("s", "v");
  Expect({"lpos", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lpos", "s", "a", "rank", "0"},
         "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or "
         "use negative to start from the end of the list\r\n");
  Expect({"lpos", "s", "a", "foo"}, "-ERR syntax error\r\n");
}

TEST_F(ListHashTest, LposRankInt64Min) {
  Expect({"rpush", "l", "a", "b", "a", "c", "a"}, ":5\r\n");
  Expect({"lpos", "l", "a", "rank", "-9223372036854775808"}, ":4\r\n");
  Expect({"lpos", "l", "a", "rank", "-9223372036854775807"}, "$-1\r\n", "_\r\n");
  Expect({"lpos", "l", "a", "rank", "-9223372036854775808", "count", "1"},
         "*3\r\n:4\r\n:2\r\n:0\r\n");
  Expect({"lpos", "l", "a", "rank", "-9223372036854775808", "count", "2", "maxlen", "2"},
         "*1\r\n:4\r\n");
  Expect({"lpos", "l", "a", "rank", "9223372036854775807", "count", "1"}, "*0\r\n");
}

TEST_F(ListHashTest, LmoveAndRpoplpush) {
  Expect({"rpush", "l", "a", "b", "c"}, ":3\r\n");
  Expect({"lmove", "l", "l", "left", "right"}, "$1\r\na\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n");
  Expect({"lmove", "l", "l", "right", "left"}, "$1\r\na\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  Expect({"lmove", "l", "l", "left", "left"}, "$1\r\na\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  Expect({"lmove", "l", "d", "right", "right"}, "$1\r\nc\r\n");
  Expect({"lrange", "d", "0", "-1"}, "*1\r\n$1\r\nc\r\n");
  Expect({"rpoplpush", "l", "d"}, "$1\r\nb\r\n");
  Expect({"lrange", "d", "0", "-1"}, "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  Expect({"lmove", "l", "d", "LEFT", "RIGHT"}, "$1\r\na\r\n");
  EXPECT_FALSE(Exists("l"));
  Expect({"lrange", "d", "0", "-1"}, "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n");
  Expect({"rpush", "one", "x"}, ":1\r\n");
  Expect({"rpoplpush", "one", "one"}, "$1\r\nx\r\n");
  Expect({"lrange", "one", "0", "-1"}, "*1\r\n$1\r\nx\r\n");
  Expect({"lmove", "nokey", "d", "left", "right"}, "$-1\r\n", "_\r\n");
  Expect({"rpoplpush", "nokey", "d"}, "$-1\r\n", "_\r\n");
  EXPECT_FALSE(Exists("d2"));
}

TEST_F(ListHashTest, LmoveErrors) {
  Expect({"lmove", "nokey", "d", "middle", "right"}, "-ERR syntax error\r\n");
  Expect({"lmove", "nokey", "d", "left", "middle"}, "-ERR syntax error\r\n");
  PutString("s", "v");
  Expect({"lmove", "nokey", "s", "left", "right"}, "$-1\r\n", "_\r\n");
  Expect({"lmove", "s", "d", "left", "right"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lmove", "s", "d", "left", "foo"}, "-ERR syntax error\r\n");
  Expect({"rpush", "l", "a", "b", "c"}, ":3\r\n");
  Expect({"lmove", "l", "s", "left", "right"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"rpoplpush", "l", "s"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"lrange", "l", "0", "-1"}, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  Expect({"rpoplpush", "s", "d"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"rpoplpush", "nokey", "s"}, "$-1\r\n", "_\r\n");
}

TEST_F(ListHashTest, HsetAndHmset) {
  Expect({"hset", "h", "a", "1", "b", "2"}, ":2\r\n");
  Expect({"hset", "h", "a", "1", "c", "3", "c", "4"}, ":1\r\n");
  Expect({"hget", "h", "c"}, "$1\r\n4\r\n");
  Expect({"hset", "h", "a"}, "-ERR wrong number of arguments for 'hset' command\r\n");
  Expect({"hset", "h", "a", "1", "b"}, "-ERR wrong number of arguments for 'hset' command\r\n");
  Expect({"hmset", "h", "a", "1", "b"}, "-ERR wrong number of arguments for 'hmset' command\r\n");
  Expect({"hmset", "h", "a", "9", "z", "1"}, "+OK\r\n");
  Expect({"hget", "h", "a"}, "$1\r\n9\r\n");
  Expect({"hlen", "h"}, ":4\r\n");
  PutString("s", "v");
  Expect({"hset", "s", "a", "1", "b"}, "-ERR wrong number of arguments for 'hset' command\r\n");
  Expect({"hset", "s", "a", "1"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hmset", "s", "a", "1"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hset", "h", "", ""}, ":1\r\n");
  Expect({"hget", "h", ""}, "$0\r\n\r\n");
  Expect({"hstrlen", "h", ""}, ":0\r\n");
}

TEST_F(ListHashTest, Hsetnx) {
  Expect({"hsetnx", "h", "a", "1"}, ":1\r\n");
  Expect({"hsetnx", "h", "a", "2"}, ":0\r\n");
  Expect({"hget", "h", "a"}, "$1\r\n1\r\n");
  Expect({"hsetnx", "h", "b", "3"}, ":1\r\n");
  Expect({"hlen", "h"}, ":2\r\n");
  PutString("s", "v");
  Expect({"hsetnx", "s", "a", "1"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, HgetHmgetHexistsHstrlen) {
  Expect({"hset", "h", "a", "1", "b", "hello"}, ":2\r\n");
  Expect({"hget", "h", "a"}, "$1\r\n1\r\n");
  Expect({"hget", "h", "zz"}, "$-1\r\n", "_\r\n");
  Expect({"hget", "nokey", "a"}, "$-1\r\n", "_\r\n");
  Expect({"hmget", "h", "a", "zz", "b"}, "*3\r\n$1\r\n1\r\n$-1\r\n$5\r\nhello\r\n",
         "*3\r\n$1\r\n1\r\n_\r\n$5\r\nhello\r\n");
  Expect({"hmget", "nokey", "a", "b"}, "*2\r\n$-1\r\n$-1\r\n", "*2\r\n_\r\n_\r\n");
  Expect({"hexists", "h", "a"}, ":1\r\n");
  Expect({"hexists", "h", "zz"}, ":0\r\n");
  Expect({"hexists", "nokey", "a"}, ":0\r\n");
  Expect({"hstrlen", "h", "b"}, ":5\r\n");
  Expect({"hstrlen", "h", "zz"}, ":0\r\n");
  Expect({"hstrlen", "nokey", "b"}, ":0\r\n");
  Expect({"hlen", "h"}, ":2\r\n");
  Expect({"hlen", "nokey"}, ":0\r\n");
  PutString("s", "v");
  Expect({"hget", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hmget", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hexists", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hstrlen", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hlen", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, Hdel) {
  Expect({"hset", "h", "a", "1", "b", "2", "c", "3"}, ":3\r\n");
  Expect({"hdel", "h", "zz"}, ":0\r\n");
  Expect({"hdel", "h", "a", "a", "zz", "b"}, ":2\r\n");
  Expect({"hlen", "h"}, ":1\r\n");
  Expect({"hdel", "h", "c"}, ":1\r\n");
  EXPECT_FALSE(Exists("h"));
  Expect({"hdel", "nokey", "a"}, ":0\r\n");
  PutString("s", "v");
  Expect({"hdel", "s", "a"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, HkeysHvalsHgetallShapes) {
  Expect({"hset", "h", "f", "v"}, ":1\r\n");
  Expect({"hkeys", "h"}, "*1\r\n$1\r\nf\r\n");
  Expect({"hvals", "h"}, "*1\r\n$1\r\nv\r\n");
  Expect({"hgetall", "h"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
  Expect({"hkeys", "nokey"}, "*0\r\n");
  Expect({"hvals", "nokey"}, "*0\r\n");
  Expect({"hgetall", "nokey"}, "*0\r\n", "%0\r\n");
  PutString("s", "v");
  Expect({"hkeys", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hvals", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hgetall", "s"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, Hincrby) {
  Expect({"hincrby", "h", "c", "5"}, ":5\r\n");
  Expect({"hincrby", "h", "c", "-7"}, ":-2\r\n");
  Expect({"hincrby", "h", "new", "-5"}, ":-5\r\n");
  Expect({"hincrby", "h", "c", "0"}, ":-2\r\n");
  Expect({"hincrby", "h", "c", "x"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"hincrby", "h", "c", " 1"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"hincrby", "h", "c", "1.5"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"hincrby", "h", "c", "9223372036854775808"},
         "-ERR value is not an integer or out of range\r\n");
  Expect({"hincrby", "nokey", "c", "x"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"hset", "h", "str", "abc", "big", "9223372036854775807", "sp", " 1", "neg",
          "-9223372036854775808", "f", "1.5", "e", "", "z", "01", "mz", "-0"},
         ":8\r\n");
  Expect({"hincrby", "h", "str", "1"}, "-ERR hash value is not an integer\r\n");
  Expect({"hincrby", "h", "sp", "1"}, "-ERR hash value is not an integer\r\n");
  Expect({"hincrby", "h", "f", "1"}, "-ERR hash value is not an integer\r\n");
  Expect({"hincrby", "h", "e", "1"}, "-ERR hash value is not an integer\r\n");
  Expect({"hincrby", "h", "z", "1"}, "-ERR hash value is not an integer\r\n");
  Expect({"hincrby", "h", "mz", "1"}, "-ERR hash value is not an integer\r\n");
  Expect({"hincrby", "h", "big", "1"}, "-ERR increment or decrement would overflow\r\n");
  Expect({"hincrby", "h", "big", "0"}, ":9223372036854775807\r\n");
  Expect({"hincrby", "h", "neg", "-1"}, "-ERR increment or decrement would overflow\r\n");
  Expect({"hincrby", "h", "neg", "9223372036854775807"}, ":-1\r\n");
  Expect({"hget", "h", "neg"}, "$2\r\n-1\r\n");
  PutString("s", "v");
  Expect({"hincrby", "s", "c", "x"}, "-ERR value is not an integer or out of range\r\n");
  Expect({"hincrby", "s", "c", "1"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListHashTest, Hincrbyfloat) {
  Expect({"hincrbyfloat", "h", "f", "0x10"}, "$2\r\n16\r\n");
  Expect({"hincrbyfloat", "h", "f", "1e3"}, "$4\r\n1016\r\n");
  Expect({"hincrbyfloat", "h", "f", "-0"}, "$4\r\n1016\r\n");
  Expect({"hincrbyfloat", "h", "f", "0.1"}, "$22\r\n1016.09999999999999998\r\n");
  Expect({"hincrbyfloat", "h", "g", "123456789.123456789"},
         "$27\r\n123456789.12345678899873747\r\n");
  Expect({"hincrbyfloat", "h", "g2", "1e17"}, "$18\r\n100000000000000000\r\n");
  Expect({"hincrbyfloat", "h", "g3", "-3"}, "$2\r\n-3\r\n");
  Expect({"hincrbyfloat", "h", "g4", "1.5e0"}, "$3\r\n1.5\r\n");
  Expect({"hincrbyfloat", "h", "g5", "1e-4940"}, "$1\r\n0\r\n");
  Expect({"hincrbyfloat", "h", "g6", "1e30"}, "$31\r\n1000000000000000000024696061952\r\n");
  Expect({"hincrbyfloat", "h", "f", "x"}, "-ERR value is not a valid float\r\n");
  Expect({"hincrbyfloat", "h", "f", "inf"}, "-ERR value is NaN or Infinity\r\n");
  Expect({"hincrbyfloat", "h", "f", "-inf"}, "-ERR value is NaN or Infinity\r\n");
  Expect({"hincrbyfloat", "h", "f", "nan"}, "-ERR value is not a valid float\r\n");
  Expect({"hincrbyfloat", "h", "f", ""}, "-ERR value is not a valid float\r\n");
  Expect({"hincrbyfloat", "h", "f", " 1"}, "-ERR value is not a valid float\r\n");
  Expect({"hincrbyfloat", "h", "f", "1 "}, "-ERR value is not a valid float\r\n");
  Expect({"hincrbyfloat", "h", "f", "1e5000"}, "-ERR value is not a valid float\r\n");
  Expect({"hincrbyfloat", "h", "f", "1e-5000"}, "-ERR value is not a valid float\r\n");
  Expect({"hset", "h", "i", "inf", "s", " 1", "e", "", "n", "nan", "x", "0x10", "big", "1e4932"},
         ":6\r\n");
  Expect({"hincrbyfloat", "h", "i", "1"}, "-ERR increment would produce NaN or Infinity\r\n");
  Expect({"hincrbyfloat", "h", "s", "1"}, "-ERR hash value is not a float\r\n");
  Expect({"hincrbyfloat", "h", "e", "1"}, "-ERR hash value is not a float\r\n");
  Expect({"hincrbyfloat", "h", "n", "1"}, "-ERR hash value is not a float\r\n");
  Expect({"hincrbyfloat", "h", "x", "1"}, "$2\r\n17\r\n");
  Expect({"hincrbyfloat", "h", "big", "1e4932"},
         "-ERR increment would produce NaN or Infinity\r\n");
  Expect({"hget", "h", "big"}, "$6\r\n1e4932\r\n");
  Expect({"hincrbyfloat", "nokey", "f", "x"}, "-ERR value is not a valid float\r\n");
  PutString("s", "v");
  Expect({"hincrbyfloat", "s", "f", "x"}, "-ERR value is not a valid float\r\n");
  Expect({"hincrbyfloat", "s", "f", "1"},
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Expect({"hincrbyfloat", "s", "f", "inf"}, "-ERR value is NaN or Infinity\r\n");
}

TEST_F(ListHashWatchTest, NoOpWritesKeepWatchClean) {
  ExpectWatch({}, "lpushx l a", "l", ":0\r\n", false);
  ExpectWatch({}, "lpop l", "l", "$-1\r\n", false);
  ExpectWatch({"rpush l a b c"}, "lpop l 0", "l", "*0\r\n", false);
  ExpectWatch({"rpush l a b c"}, "rpop l 0", "l", "*0\r\n", false);
  ExpectWatch({"rpush l a b c"}, "lpop l -1", "l",
              "-ERR value is out of range, must be positive\r\n", false);
  ExpectWatch({"rpush l a b c"}, "lrem l 0 zz", "l", ":0\r\n", false);
  ExpectWatch({"rpush l a b c"}, "linsert l before zz x", "l", ":-1\r\n", false);
  ExpectWatch({}, "linsert l before zz x", "l", ":0\r\n", false);
  ExpectWatch({}, "ltrim l 0 -1", "l", "+OK\r\n", false);
  ExpectWatch({"rpush l a b c"}, "ltrim l 0 x", "l",
              "-ERR value is not an integer or out of range\r\n", false);
  ExpectWatch({"rpush l a b c"}, "lset l 9 a", "l", "-ERR index out of range\r\n", false);
  ExpectWatch({}, "lmove l d left left", "l", "$-1\r\n", false);
  ExpectWatch({}, "lmove l d left left", "d", "$-1\r\n", false);
  ExpectWatch({"rpush l a b c", "set s v"}, "lmove l s left left", "l",
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", false);
  ExpectWatch({"rpush l a b c"}, "lrange l 0 -1", "l", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
              false);
  ExpectWatch({"rpush l a b c"}, "lpos l a", "l", ":0\r\n", false);
  ExpectWatch({"hset h f 1 g x"}, "hsetnx h f 1", "h", ":0\r\n", false);
  ExpectWatch({"hset h f 1 g x"}, "hdel h zz", "h", ":0\r\n", false);
  ExpectWatch({}, "hdel h zz", "h", ":0\r\n", false);
  ExpectWatch({"hset h f 1 g x"}, "hincrby h g 1", "h", "-ERR hash value is not an integer\r\n",
              false);
  ExpectWatch({"hset h f 1 g x"}, "hincrbyfloat h g 1", "h", "-ERR hash value is not a float\r\n",
              false);
  ExpectWatch({"hset h f 1 g x"}, "hincrbyfloat h f inf", "h", "-ERR value is NaN or Infinity\r\n",
              false);
  ExpectWatch({"hset h f 9223372036854775807"}, "hincrby h f 1", "h",
              "-ERR increment or decrement would overflow\r\n", false);
  ExpectWatch({"hset h f 1e4932"}, "hincrbyfloat h f 1e4932", "h",
              "-ERR increment would produce NaN or Infinity\r\n", false);
  ExpectWatch({"hset h f 1 g x"}, "hget h f", "h", "$1\r\n1\r\n", false);
  ExpectWatch({"hset h f 1 g x"}, "hset h f", "h",
              "-ERR wrong number of arguments for 'hset' command\r\n", false);
  ExpectWatch({"set s v"}, "hset s f 1", "s",
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", false);
}

TEST_F(ListHashWatchTest, RealWritesDirtyWatch) {
  ExpectWatch({"rpush l a b c"}, "lpushx l a", "l", ":4\r\n", true);
  ExpectWatch({"rpush l a b c"}, "lrem l 0 a", "l", ":1\r\n", true);
  ExpectWatch({"rpush l a b c"}, "ltrim l 0 -1", "l", "+OK\r\n", true);
  ExpectWatch({"rpush l a b c"}, "lset l 0 a", "l", "+OK\r\n", true);
  ExpectWatch({"rpush l a b c"}, "lmove l l left left", "l", "$1\r\na\r\n", true);
  ExpectWatch({"rpush l a b c"}, "lmove l d left left", "l", "$1\r\na\r\n", true);
  ExpectWatch({"rpush l a b c"}, "lmove l d left left", "d", "$1\r\na\r\n", true);
  ExpectWatch({"rpush l a b c"}, "rpoplpush l d", "d", "$1\r\nc\r\n", true);
  ExpectWatch({"rpush l a"}, "lpop l 5", "l", "*1\r\n$1\r\na\r\n", true);
  ExpectWatch({"rpush l a b c"}, "linsert l after c d", "l", ":4\r\n", true);
  ExpectWatch({"hset h f 1 g x"}, "hset h f 1", "h", ":0\r\n", true);
  ExpectWatch({"hset h f 1 g x"}, "hmset h f 1", "h", "+OK\r\n", true);
  ExpectWatch({}, "hsetnx h f 1", "h", ":1\r\n", true);
  ExpectWatch({"hset h f 1 g x"}, "hdel h f", "h", ":1\r\n", true);
  ExpectWatch({"hset h f 1"}, "hdel h f", "h", ":1\r\n", true);
  ExpectWatch({"hset h f 1 g x"}, "hincrby h f 0", "h", ":1\r\n", true);
  ExpectWatch({"hset h f 1 g x"}, "hincrbyfloat h f 0", "h", "$1\r\n1\r\n", true);
  ExpectWatch({}, "hincrby h f 0", "h", ":0\r\n", true);
}

// Redis replies small hashes in insertion order and big ones in dict order;
// the engine in its map's order. Compared as sets of (field, value) here.
TEST_F(ListHashTest, HgetallIsAMapInResp3AndAFlatArrayInResp2) {
  Expect({"hset", "h", "a", "1", "b", "2", "c", "3"}, ":3\r\n");
  const std::string r2 = Run2({"hgetall", "h"});
  const std::string r3 = Run3({"hgetall", "h"});
  ASSERT_EQ(r2.substr(0, 4), "*6\r\n");
  ASSERT_EQ(r3.substr(0, 4), "%3\r\n");
  EXPECT_EQ(r2.size(), r3.size());
  // Each field is followed by its value (the two engines' maps may order differently).
  for (std::string_view p :
       {"$1\r\na\r\n$1\r\n1\r\n", "$1\r\nb\r\n$1\r\n2\r\n", "$1\r\nc\r\n$1\r\n3\r\n"}) {
    EXPECT_NE(r2.find(p), std::string::npos) << p;
    EXPECT_NE(r3.find(p), std::string::npos) << p;
  }
  const std::string keys = Run2({"hkeys", "h"});
  const std::string vals = Run3({"hvals", "h"});
  EXPECT_EQ(keys.size(), 4u + 3 * 7);
  EXPECT_EQ(vals.substr(0, 4), "*3\r\n");  // HVALS stays an array in RESP3
  for (std::string_view f : {"a", "b", "c"}) {
    EXPECT_NE(keys.find("$1\r\n" + std::string(f) + "\r\n"), std::string::npos);
  }
}

// string2ld refuses text of 5120 bytes or more (MAX_LONG_DOUBLE_CHARS), in the
// increment and in the stored value.
TEST_F(ListHashTest, HincrbyfloatLongDoubleTextLimit) {
  const std::string ok = "1." + std::string(5117, '0');   // 5119 bytes
  const std::string big = "1." + std::string(5118, '0');  // 5120 bytes
  Expect({"hincrbyfloat", "h", "a", ok}, "$1\r\n1\r\n");
  Expect({"hincrbyfloat", "h", "b", big}, "-ERR value is not a valid float\r\n");
  Expect({"hset", "h", "c", ok, "d", big}, ":2\r\n");
  Expect({"hincrbyfloat", "h", "c", "1"}, "$1\r\n2\r\n");
  Expect({"hincrbyfloat", "h", "d", "1"}, "-ERR hash value is not a float\r\n");
  Expect({"hget", "h", "d"}, "$5120\r\n" + big + "\r\n");
}

TEST_F(ListHashTest, HincrbyfloatPrintsTheWholeLongDouble) {
  const std::string e400 =
      "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363"
      "99484832416052209405392731761620029582277725925573402382897659334066101779744743454617391"
      "78624481166749717237789438243915933380474706750262466844013592375136038303437354855052449"
      "55964979021825038280091068414947402456898653040951017512658092615827588920183472511643316"
      "591362664138176309734806343732497430221946880";
  ASSERT_EQ(e400.size(), 401u);
  Expect({"hincrbyfloat", "h", "f", "1e400"}, "$401\r\n" + e400 + "\r\n");
  Expect({"hincrbyfloat", "h", "f", "0.1"}, "$401\r\n" + e400 + "\r\n");  // below precision
  Expect({"hset", "h", "g", "1e4931"}, ":1\r\n");
  const std::string r = Run2({"hincrbyfloat", "h", "g", "1e4931"});
  EXPECT_EQ(r.substr(0, 8), "$4932\r\n2");
  EXPECT_EQ(Run3({"hincrbyfloat", "h", "g", "1e4931"}), r);
}

TEST_F(ListHashTest, LazyExpiryGivesAFreshKey) {
  Expect({"rpush", "l", "a", "b"}, ":2\r\n");
  Expect({"hset", "h", "f", "1"}, ":1\r\n");
  for (Engine* e : {&e2_, &e3_}) {
    e->keyspace().SetExpire(0, "l", e->now_ms() + 10);
    e->keyspace().SetExpire(0, "h", e->now_ms() + 10);
    e->AdvanceClock(11);
  }
  Expect({"lrange", "l", "0", "-1"}, "*0\r\n");
  Expect({"lpushx", "l", "x"}, ":0\r\n");
  Expect({"rpush", "l", "c"}, ":1\r\n");
  Expect({"hincrby", "h", "f", "5"}, ":5\r\n");
  EXPECT_EQ(e2_.keyspace().GetExpire(0, "l"), -1);
  EXPECT_EQ(e2_.keyspace().GetExpire(0, "h"), -1);
}

TEST_F(ListHashTest, WritesKeepTheTtl) {
  Expect({"rpush", "l", "a", "b"}, ":2\r\n");
  Expect({"hset", "h", "f", "1", "g", "2"}, ":2\r\n");
  const int64_t when = e2_.now_ms() + 1000;
  e2_.keyspace().SetExpire(0, "l", when);
  e2_.keyspace().SetExpire(0, "h", when);
  Run2({"lpush", "l", "x"});
  Run2({"lset", "l", "0", "y"});
  Run2({"ltrim", "l", "0", "1"});
  Run2({"lmove", "l", "l", "left", "right"});
  Run2({"hset", "h", "f", "2"});
  Run2({"hincrbyfloat", "h", "f", "1"});
  Run2({"hdel", "h", "g"});
  EXPECT_EQ(e2_.keyspace().GetExpire(0, "l"), when);
  EXPECT_EQ(e2_.keyspace().GetExpire(0, "h"), when);
}

TEST_F(ListHashTest, QueuedInMulti) {
  Expect({"multi"}, "+OK\r\n");
  Expect({"rpush", "l", "a", "b"}, "+QUEUED\r\n");
  Expect({"lpop", "nokey", "1"}, "+QUEUED\r\n");
  Expect({"hincrby", "h", "f", "x"}, "+QUEUED\r\n");
  Expect({"hgetall", "nokey"}, "+QUEUED\r\n");
  Expect({"exec"}, "*4\r\n:2\r\n*-1\r\n-ERR value is not an integer or out of range\r\n*0\r\n",
         "*4\r\n:2\r\n_\r\n-ERR value is not an integer or out of range\r\n%0\r\n");
}

struct RecordedEvent {
  std::string key;
  KeyEventKind kind;
  bool operator==(const RecordedEvent&) const = default;
};

class ListHashEventTest : public ::testing::Test {
 protected:
  ListHashEventTest() {
    engine_.AddKeyEventListener([this](const KeyEvent& ev) {
      events_.push_back({std::string(ev.key), ev.kind});
    });
  }
  std::vector<RecordedEvent> Run(std::vector<std::string> argv) {
    events_.clear();
    std::string out;
    engine_.Execute(s_, argv, &out);
    EXPECT_TRUE(engine_.Validate().ok()) << engine_.Validate();
    return events_;
  }
  Engine engine_;
  int s_ = engine_.OpenSession();
  std::vector<RecordedEvent> events_;
};

constexpr KeyEventKind kW = KeyEventKind::kWritten;
constexpr KeyEventKind kD = KeyEventKind::kDeleted;

// As Redis's signalModifiedKey: the destination first, then the source
// (deleted when emptied); one event per command for the same key.
TEST_F(ListHashEventTest, LmoveSignalsDestinationThenSource) {
  Run({"rpush", "src", "a", "b"});
  EXPECT_EQ(Run({"lmove", "src", "dst", "left", "right"}),
            (std::vector<RecordedEvent>{{"dst", kW}, {"src", kW}}));
  EXPECT_EQ(Run({"rpoplpush", "src", "dst"}),
            (std::vector<RecordedEvent>{{"dst", kW}, {"src", kD}}));
  EXPECT_EQ(Run({"lmove", "dst", "dst", "left", "right"}),
            (std::vector<RecordedEvent>{{"dst", kW}}));
  EXPECT_EQ(Run({"lmove", "nokey", "dst", "left", "right"}), std::vector<RecordedEvent>{});
}

TEST_F(ListHashEventTest, EmptiedAggregatesAreDeleted) {
  Run({"rpush", "l", "a", "b", "a"});
  EXPECT_EQ(Run({"lrem", "l", "0", "zz"}), std::vector<RecordedEvent>{});
  EXPECT_EQ(Run({"lrem", "l", "-1", "a"}), (std::vector<RecordedEvent>{{"l", kW}}));
  EXPECT_EQ(Run({"lpop", "l", "0"}), std::vector<RecordedEvent>{});
  EXPECT_EQ(Run({"ltrim", "l", "0", "-1"}), (std::vector<RecordedEvent>{{"l", kW}}));
  EXPECT_EQ(Run({"ltrim", "l", "1", "0"}), (std::vector<RecordedEvent>{{"l", kD}}));
  Run({"rpush", "l", "a"});
  EXPECT_EQ(Run({"rpop", "l", "3"}), (std::vector<RecordedEvent>{{"l", kD}}));
  Run({"rpush", "l", "a"});
  EXPECT_EQ(Run({"lrem", "l", "0", "a"}), (std::vector<RecordedEvent>{{"l", kD}}));
  EXPECT_EQ(Run({"hset", "h", "f", "1", "g", "2"}), (std::vector<RecordedEvent>{{"h", kW}}));
  EXPECT_EQ(Run({"hdel", "h", "zz"}), std::vector<RecordedEvent>{});
  EXPECT_EQ(Run({"hdel", "h", "f"}), (std::vector<RecordedEvent>{{"h", kW}}));
  EXPECT_EQ(Run({"hdel", "h", "g", "f"}), (std::vector<RecordedEvent>{{"h", kD}}));
  EXPECT_EQ(Run({"hsetnx", "h", "f", "1"}), (std::vector<RecordedEvent>{{"h", kW}}));
  EXPECT_EQ(Run({"hsetnx", "h", "f", "2"}), std::vector<RecordedEvent>{});
  EXPECT_EQ(Run({"hincrby", "h", "f", "x"}), std::vector<RecordedEvent>{});
}

// Big lists stay linear: LREM and LPOS over 200k elements.
TEST_F(ListHashTest, BigListOperations) {
  std::vector<std::string> push = {"rpush", "big"};
  for (int i = 0; i < 200000; ++i) push.push_back(i % 2 == 0 ? "a" : "b");
  EXPECT_EQ(Run2(push), ":200000\r\n");
  EXPECT_EQ(Run2({"lpos", "big", "b", "rank", "-1"}), ":199999\r\n");
  EXPECT_EQ(Run2({"lrem", "big", "0", "a"}), ":100000\r\n");
  EXPECT_EQ(Run2({"lrem", "big", "-5", "b"}), ":5\r\n");
  EXPECT_EQ(Run2({"llen", "big"}), ":99995\r\n");
  EXPECT_EQ(Run2({"ltrim", "big", "10", "-10"}), "+OK\r\n");
  EXPECT_EQ(Run2({"llen", "big"}), ":99976\r\n");
}

}  // namespace
}  // namespace respfuzz::engine
