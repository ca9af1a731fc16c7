// The command_handler harness: the seeds run clean, and each of its checks
// can fail (a broken reply or a broken engine state is caught, named and
// placed at the right op). Minimize shrinks a failing program.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "src/engine/engine.h"

namespace respfuzz::harnesses {
namespace {

CommandProgram Program(std::string_view text) {
  auto p = CommandProgramFromText(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : CommandProgram{};
}

TEST(CommandHandler, SeedsRunClean) {
  const std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "command_handler";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".txt") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const CommandRunResult r = RunCommandProgram(Program(ss.str()));
    EXPECT_TRUE(r.verdict.ok) << e.path() << ": " << r.verdict.ToString();
  }
}

// Replaces the reply of op `at` with `bytes`.
CommandRunOptions ReplaceReply(size_t at, std::string bytes) {
  CommandRunOptions o;
  o.corrupt_reply = [at, bytes](size_t op, std::string* reply) {
    if (op == at) *reply = bytes;
  };
  return o;
}

TEST(CommandHandler, FramingCheckCanFail) {
  const auto r =
      RunCommandProgram(Program("s1 PING\ns1 PING\n"), ReplaceReply(1, "+PONG\r\n+OK\r\n"));
  EXPECT_FALSE(r.verdict.ok);
  EXPECT_EQ(r.verdict.check, "reply-framing");
  EXPECT_EQ(r.verdict.step, 1);
  const auto partial = RunCommandProgram(Program("s1 PING\n"), ReplaceReply(0, "$5\r\nPON"));
  EXPECT_EQ(partial.verdict.check, "reply-framing");
}

TEST(CommandHandler, HiredisCheckCanFail) {
  // A RESP3 null in a RESP2 session: our reader (RESP3 mode) reads it, hiredis 0.14 cannot.
  const auto r = RunCommandProgram(Program("s1 GET k1\n"), ReplaceReply(0, "_\r\n"));
  EXPECT_EQ(r.verdict.check, "hiredis") << r.verdict.ToString();
}

TEST(CommandHandler, RoundtripCheckCanFail) {
  // A non-canonical integer in a RESP3 session (hiredis is not consulted).
  const auto r =
      RunCommandProgram(Program("s1 HELLO 3\ns1 EXISTS k1\n"), ReplaceReply(1, ":00\r\n"));
  EXPECT_EQ(r.verdict.check, "reply-roundtrip") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 1);
}

TEST(CommandHandler, ReferenceCheckCanFail) {
  const auto r = RunCommandProgram(Program("s1 PING\n"), ReplaceReply(0, "+PANG\r\n"));
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_NE(r.verdict.message.find("PANG"), std::string::npos);
}

TEST(CommandHandler, OrderMattersOnlyWhereRedisPromisesIt) {
  const CommandProgram lists = Program("s1 RPUSH k1 a b\ns1 LRANGE k1 0 -1\n");
  EXPECT_TRUE(RunCommandProgram(lists).verdict.ok);
  EXPECT_EQ(RunCommandProgram(lists, ReplaceReply(1, "*2\r\n$1\r\nb\r\n$1\r\na\r\n")).verdict.check,
            "reference");
  const CommandProgram sets = Program("s1 SADD k1 a b\ns1 SMEMBERS k1\n");
  EXPECT_TRUE(RunCommandProgram(sets, ReplaceReply(1, "*2\r\n$1\r\nb\r\n$1\r\na\r\n")).verdict.ok);
  EXPECT_TRUE(RunCommandProgram(sets, ReplaceReply(1, "*2\r\n$1\r\na\r\n$1\r\nb\r\n")).verdict.ok);
  EXPECT_EQ(RunCommandProgram(sets, ReplaceReply(1, "*2\r\n$1\r\na\r\n$1\r\nc\r\n")).verdict.check,
            "reference");
}

TEST(CommandHandler, ValidateCheckCanFail) {
  CommandRunOptions o;
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 1) e.keyspace().db(0).expires["ghost"] = 1;  // a TTL for a key that does not exist
  };
  const auto r = RunCommandProgram(Program("s1 PING\ns1 PING\ns1 PING\n"), o);
  EXPECT_EQ(r.verdict.check, "validate");
  EXPECT_EQ(r.verdict.step, 1);
}

TEST(CommandHandler, TraceShowsBothSides) {
  CommandRunOptions o;
  o.trace = true;
  const auto r = RunCommandProgram(Program("s1 SET k1 v\nclock +5ms\ns1 GET k1\n"), o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 3u);
  EXPECT_EQ(r.trace[2].op, "s1 GET k1");
  EXPECT_EQ(r.trace[2].engine, r.trace[2].reference);
  EXPECT_NE(r.trace[2].engine.find("v"), std::string::npos);
}

TEST(CommandHandler, MinimizeKeepsTheFailingOpsOnly) {
  // A deliberately broken engine: INCR answering 4 where it should say 3.
  CommandRunOptions o;
  o.corrupt_reply = [](size_t, std::string* reply) {
    if (*reply == ":3\r\n") *reply = ":4\r\n";
  };
  std::string text;
  for (int i = 0; i < 10; ++i) text += "s2 SADD k2 m1\ns3 HSET k3 f1 v1\ns1 PING\n";
  text += "s1 SET k1 2\ns4 LPUSH k4 a\ns1 INCR k1\ns1 GET k1\n";
  MinimizeReport report;
  auto small = MinimizeCommandProgram(Program(text), o, &report);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(report.steps_before, 34u);
  EXPECT_EQ(CommandProgramToText(*small), "s1 SET k1 2\ns1 INCR k1\n");
  EXPECT_EQ(report.verdict.check, "reference");
  EXPECT_FALSE(MinimizeCommandProgram(Program("s1 PING\n"), CommandRunOptions{}, &report));
}

}  // namespace
}  // namespace respfuzz::harnesses
