// The helpers command handlers share (src/engine/command.h): argument
// parsers with Redis's get*FromObjectOrReply errors, the errors that name the
// command, and index range sanitizing.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// A context for `command` over `args` (argv[1..]); replies land in out_.
class ContextTest : public ::testing::Test {
 protected:
  CommandContext Context(std::string_view command, std::vector<std::string> args) {
    argv_ = {std::string(command)};
    argv_.insert(argv_.end(), args.begin(), args.end());
    out_.clear();
    return CommandContext{
        engine_, engine_.keyspace(), session_, *FindCommand(command), argv_, reply_, 0, 1024, {}};
  }

  Engine engine_;
  Session session_;
  std::vector<std::string> argv_;
  std::string out_;
  ReplyWriter reply_{resp::Protocol::kResp2, &out_};
};

TEST_F(ContextTest, IntArg) {
  int64_t v = 0;
  CommandContext c = Context("get", {"-9223372036854775808", "9223372036854775808", "-0"});
  EXPECT_TRUE(c.IntArg(1, &v));
  EXPECT_EQ(v, kMin);
  EXPECT_EQ(out_, "");
  EXPECT_FALSE(c.IntArg(2, &v));
  EXPECT_EQ(out_, "-ERR value is not an integer or out of range\r\n");
  out_.clear();
  EXPECT_FALSE(c.IntArg(3, &v, "ERR custom"));
  EXPECT_EQ(out_, "-ERR custom\r\n");
  EXPECT_EQ(v, kMin);  // untouched on failure
}

TEST_F(ContextTest, RangeArgWithoutMessageNamesTheRange) {
  int64_t v = 0;
  CommandContext c = Context("get", {"5", "6", "x"});
  EXPECT_TRUE(c.RangeArg(1, 0, 5, &v));
  EXPECT_EQ(v, 5);
  EXPECT_FALSE(c.RangeArg(2, -3, 5, &v));
  EXPECT_EQ(out_, "-ERR value is out of range, value must between -3 and 5\r\n");
  out_.clear();
  EXPECT_FALSE(c.RangeArg(3, -3, 5, &v));
  EXPECT_EQ(out_, "-ERR value is not an integer or out of range\r\n");
}

TEST_F(ContextTest, RangeArgMessageReplacesBothErrors) {
  int64_t v = 0;
  CommandContext c = Context("get", {"0", "x", "1"});
  EXPECT_FALSE(c.RangeArg(1, 1, kMax, &v, "ERR numkeys should be greater than 0"));
  EXPECT_EQ(out_, "-ERR numkeys should be greater than 0\r\n");
  out_.clear();
  EXPECT_FALSE(c.RangeArg(2, 1, kMax, &v, "ERR numkeys should be greater than 0"));
  EXPECT_EQ(out_, "-ERR numkeys should be greater than 0\r\n");
  EXPECT_TRUE(c.RangeArg(3, 1, kMax, &v, "ERR numkeys should be greater than 0"));
  EXPECT_EQ(v, 1);
}

TEST_F(ContextTest, Int32Arg) {
  int v = 0;
  CommandContext c = Context("get", {"-2147483648", "2147483647", "2147483648", "-2147483649"});
  EXPECT_TRUE(c.Int32Arg(1, &v));
  EXPECT_EQ(v, std::numeric_limits<int>::min());
  EXPECT_TRUE(c.Int32Arg(2, &v));
  EXPECT_EQ(v, std::numeric_limits<int>::max());
  EXPECT_FALSE(c.Int32Arg(3, &v));
  EXPECT_EQ(out_, "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  out_.clear();
  EXPECT_FALSE(c.Int32Arg(4, &v, "ERR invalid first DB index"));
  EXPECT_EQ(out_, "-ERR invalid first DB index\r\n");
}

TEST_F(ContextTest, NonNegativeArg) {
  int64_t v = -1;
  CommandContext c = Context("get", {"0", "-1", "x", "9223372036854775807"});
  EXPECT_TRUE(c.NonNegativeArg(1, &v));
  EXPECT_EQ(v, 0);
  EXPECT_FALSE(c.NonNegativeArg(2, &v));
  EXPECT_EQ(out_, "-ERR value is out of range, must be positive\r\n");
  out_.clear();
  EXPECT_FALSE(c.NonNegativeArg(3, &v));
  EXPECT_EQ(out_, "-ERR value is out of range, must be positive\r\n");
  out_.clear();
  EXPECT_FALSE(c.NonNegativeArg(2, &v, "ERR COUNT can't be negative"));
  EXPECT_EQ(out_, "-ERR COUNT can't be negative\r\n");
  EXPECT_TRUE(c.NonNegativeArg(4, &v));
  EXPECT_EQ(v, kMax);
}

TEST_F(ContextTest, ErrorsNameTheRunningCommand) {
  Context("psetex", {}).ReplyInvalidExpireTime();
  EXPECT_EQ(out_, "-ERR invalid expire time in 'psetex' command\r\n");
  Context("mset", {}).ReplyArityError();
  EXPECT_EQ(out_, "-ERR wrong number of arguments for 'mset' command\r\n");
}

TEST_F(ContextTest, AddToStoredInt) {
  int64_t sum = 0;
  CommandContext c = Context("incrby", {});
  EXPECT_TRUE(c.AddToStoredInt(nullptr, -5, "ERR x", &sum));  // nothing stored counts as 0
  EXPECT_EQ(sum, -5);
  const std::string max = "9223372036854775807", bad = "01";
  EXPECT_TRUE(c.AddToStoredInt(&max, -1, "ERR x", &sum));
  EXPECT_EQ(sum, kMax - 1);
  EXPECT_EQ(out_, "");
  EXPECT_FALSE(c.AddToStoredInt(&max, 1, "ERR x", &sum));
  EXPECT_EQ(out_, "-ERR increment or decrement would overflow\r\n");
  out_.clear();
  EXPECT_FALSE(c.AddToStoredInt(&bad, 1, "ERR hash value is not an integer", &sum));
  EXPECT_EQ(out_, "-ERR hash value is not an integer\r\n");
  EXPECT_EQ(sum, kMax - 1);  // untouched on failure
}

TEST(ArityError, FullNames) {
  EXPECT_EQ(ArityError("get"), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(ArityError("config|get"), "ERR wrong number of arguments for 'config|get' command");
}

TEST(UnknownSubcommandError, AsRedisPrintsIt) {
  EXPECT_EQ(UnknownSubcommandError("client", "list"),
            "ERR unknown subcommand 'list'. Try CLIENT HELP.");
  EXPECT_EQ(UnknownSubcommandError("Config", std::string("se\0t", 4)),
            "ERR unknown subcommand 'se'. Try CONFIG HELP.");  // %.128s stops at a NUL
  EXPECT_EQ(UnknownSubcommandError("client", std::string(200, 'x')),
            "ERR unknown subcommand '" + std::string(128, 'x') + "'. Try CLIENT HELP.");
}

TEST(ClampRange, AsRedisSanitizesIndexes) {
  auto clamp = [](int64_t len, int64_t start, int64_t end) {
    const bool ok = ClampRange(len, &start, &end);
    return ok ? std::to_string(start) + ".." + std::to_string(end) : std::string("empty");
  };
  EXPECT_EQ(clamp(5, 0, -1), "0..4");
  EXPECT_EQ(clamp(5, -3, 100), "2..4");
  EXPECT_EQ(clamp(5, -100, 1), "0..1");
  EXPECT_EQ(clamp(5, 3, 2), "empty");
  EXPECT_EQ(clamp(5, 5, 10), "empty");
  EXPECT_EQ(clamp(5, -1, -1), "4..4");
  EXPECT_EQ(clamp(5, 0, -6), "empty");
  EXPECT_EQ(clamp(0, 0, -1), "empty");
  EXPECT_EQ(clamp(5, kMin, kMax), "0..4");
  EXPECT_EQ(clamp(5, kMax, kMin), "empty");
}

TEST(CheckedAdd, Overflow) {
  EXPECT_EQ(CheckedAdd(kMax, 0), kMax);
  EXPECT_EQ(CheckedAdd(kMax - 1, 1), kMax);
  EXPECT_EQ(CheckedAdd(kMax, 1), std::nullopt);
  EXPECT_EQ(CheckedAdd(kMin, -1), std::nullopt);
  EXPECT_EQ(CheckedAdd(kMin + 1, -1), kMin);
  EXPECT_EQ(CheckedAdd(kMin, kMax), -1);
  EXPECT_EQ(CheckedAdd(1, kMax), std::nullopt);
  EXPECT_EQ(CheckedAdd(-5, 3), -2);
}

}  // namespace
}  // namespace respfuzz::engine
