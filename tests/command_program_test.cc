// The command program model: decode is total and bounded, encode is its
// inverse, the text form round-trips, and every cap has a boundary test.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "harnesses/command_handler/program.h"

namespace respfuzz::harnesses {
namespace {

std::string RandomBytes(std::mt19937& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

TEST(CommandProgram, DecodeIsTotalAndBounded) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const CommandProgram p = DecodeCommandProgram(RandomBytes(rng, rng() % 3000));
    ASSERT_LE(p.ops.size(), kMaxOps);
    for (const Op& op : p.ops) {
      if (op.kind != OpKind::kCommand) continue;
      ASSERT_GE(op.argv.size(), 1u);
      ASSERT_LE(op.argv.size(), kMaxArgs + 1);
      ASSERT_LT(op.session, kMaxSessions);
      for (const std::string& a : op.argv) ASSERT_LE(a.size(), kMaxLiteralLen);
    }
  }
}

TEST(CommandProgram, EncodeIsTheInverseOfDecode) {
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    const CommandProgram p = DecodeCommandProgram(RandomBytes(rng, rng() % 2000));
    const std::string bytes = EncodeCommandProgram(p);
    ASSERT_EQ(DecodeCommandProgram(bytes), p) << CommandProgramToText(p);
  }
}

TEST(CommandProgram, TextFormRoundTrips) {
  std::mt19937 rng(13);
  for (int i = 0; i < 2000; ++i) {
    const CommandProgram p = DecodeCommandProgram(RandomBytes(rng, rng() % 2000));
    const std::string text = CommandProgramToText(p);
    auto back = CommandProgramFromText(text);
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << text;
    ASSERT_EQ(*back, p) << text;
  }
}

// A pool token as EVAL's first argument picks a script body, as EVALSHA's
// or SCRIPT EXISTS's its sha; a pool word there goes as a literal.
TEST(CommandProgram, ScriptTokens) {
  size_t eval = 0;
  while (CommandNames()[eval] != "EVAL") ++eval;
  const std::string bytes = {0, static_cast<char>(eval), 3, 0, 0x25, 0};  // 0x25: "1"
  const CommandProgram p = DecodeCommandProgram(bytes);
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(p.ops[0].argv,
            (std::vector<std::string>{"EVAL", std::string(Scripts()[0]), "1", "k1"}));
  EXPECT_EQ(EncodeCommandProgram(p), bytes);
  size_t evalsha = 0;
  while (CommandNames()[evalsha] != "EVALSHA") ++evalsha;
  const CommandProgram q =
      DecodeCommandProgram(std::string{0, static_cast<char>(evalsha), 2, 0, 0x30});
  ASSERT_EQ(q.ops.size(), 1u);
  EXPECT_EQ(q.ops[0].argv[1], "fd758d1589d044dd850a6f05d52f2eefd27f033f");
  auto text = CommandProgramFromText("s1 EVAL k1 0\ns1 SCRIPT EXISTS k1 \"return 1\"\n");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(DecodeCommandProgram(EncodeCommandProgram(*text)), *text);
  for (std::string_view body : Scripts()) EXPECT_LE(body.size(), kMaxLiteralLen);
}

// FUNCTION's arguments and FCALL's function name pick from FunctionWords().
TEST(CommandProgram, FunctionTokens) {
  size_t function = 0, fcall = 0;
  while (CommandNames()[function] != "FUNCTION") ++function;
  while (CommandNames()[fcall] != "FCALL") ++fcall;
  const std::string bytes = {0, static_cast<char>(function), 2, 0,  31,
                             0, static_cast<char>(fcall),    2, 19, 0x24};  // 0x24: "0"
  const CommandProgram p = DecodeCommandProgram(bytes);
  ASSERT_EQ(p.ops.size(), 2u);
  EXPECT_EQ(p.ops[0].argv,
            (std::vector<std::string>{"FUNCTION", "LOAD", std::string(FunctionWords()[31])}));
  EXPECT_EQ(p.ops[1].argv, (std::vector<std::string>{"FCALL", "f1", "0"}));
  EXPECT_EQ(EncodeCommandProgram(p), bytes);
  auto text = CommandProgramFromText("s1 FUNCTION LIST LIBRARYNAME lib*\ns1 FCALL_RO ro1 1 k1\n");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(DecodeCommandProgram(EncodeCommandProgram(*text)), *text);
  for (std::string_view word : FunctionWords()) EXPECT_LE(word.size(), kMaxLiteralLen);
}

TEST(CommandProgram, TextForm) {
  auto p = CommandProgramFromText(
      "# a comment\n"
      "s1 SET k2 v1 PX 100\n"
      "\n"
      "clock +250ms\r\n"
      "s2 HELLO 3\n"
      "s4 set \"a b\" \"\\x00\" \"\"\n"
      "active-expire\n");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->ops.size(), 5u);
  EXPECT_EQ(p->ops[0].argv, (std::vector<std::string>{"SET", "k2", "v1", "PX", "100"}));
  EXPECT_EQ(p->ops[1].kind, OpKind::kClock);
  EXPECT_EQ(p->ops[1].clock_ms, 250u);
  EXPECT_EQ(p->ops[2].session, 1);
  EXPECT_EQ(p->ops[3].argv, (std::vector<std::string>{"set", "a b", std::string(1, '\0'), ""}));
  EXPECT_EQ(p->ops[4].kind, OpKind::kActiveExpire);
  EXPECT_EQ(CommandProgramToText(*p),
            "s1 SET k2 v1 PX 100\nclock +250ms\ns2 HELLO 3\ns4 set \"a b\" \"\\x00\" \"\"\n"
            "active-expire\n");
  // Names outside the table (or in another case) survive as literals.
  EXPECT_EQ(DecodeCommandProgram(EncodeCommandProgram(*p)), *p);
}

TEST(CommandProgram, TextErrorsNameTheLine) {
  auto err = [](std::string_view text) {
    auto p = CommandProgramFromText(text);
    return p.ok() ? std::string("ok") : std::string(p.status().message());
  };
  EXPECT_EQ(err("s1 PING\ns9 PING\n"),
            "line 2: unknown op 's9' (s1..s4 COMMAND ..., clock +<ms>ms, active-expire)");
  EXPECT_EQ(err("s1\n"), "line 1: missing command name");
  EXPECT_EQ(err("s1 SET \"k\n"), "line 1: unbalanced quotes");
  EXPECT_EQ(err("clock 5\n"), "line 1: expected 'clock +<ms>ms', got '5'");
  EXPECT_EQ(err("clock +x1ms\n"), "line 1: clock step must be 0 to 4294967295 ms, got 'x1'");
  EXPECT_EQ(err("active-expire now\n"), "line 1: active-expire takes no arguments");
}

TEST(CommandProgram, CapsAtTheirBoundaries) {
  std::string ops;
  for (size_t i = 0; i < kMaxOps; ++i) ops += "s1 PING\n";
  EXPECT_TRUE(CommandProgramFromText(ops).ok());
  EXPECT_EQ(CommandProgramFromText(ops + "s1 PING\n").status().message(),
            "line 257: more than 256 ops");

  std::string args = "s1 DEL";
  for (size_t i = 0; i < kMaxArgs; ++i) args += " k1";
  EXPECT_TRUE(CommandProgramFromText(args).ok());
  EXPECT_EQ(CommandProgramFromText(args + " k1").status().message(),
            "line 1: more than 16 arguments");

  const std::string lit(kMaxLiteralLen, 'x');
  auto p = CommandProgramFromText("s1 SET k1 " + lit);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(DecodeCommandProgram(EncodeCommandProgram(*p)), *p);
  EXPECT_EQ(CommandProgramFromText("s1 SET k1 x" + lit).status().message(),
            "line 1: argument longer than 127 bytes");

  auto c = CommandProgramFromText("clock +4294967295ms");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(DecodeCommandProgram(EncodeCommandProgram(*c)), *c);
  EXPECT_FALSE(CommandProgramFromText("clock +4294967296ms").ok());

  // The byte form stops at kMaxOps ops.
  EXPECT_EQ(DecodeCommandProgram(std::string(3 * (kMaxOps + 10), '\0')).ops.size(), kMaxOps);
}

TEST(CommandProgram, EverySeedParses) {
  const std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "command_handler";
  size_t seeds = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".txt") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto p = CommandProgramFromText(ss.str());
    ASSERT_TRUE(p.ok()) << e.path() << ": " << p.status();
    EXPECT_FALSE(p->ops.empty()) << e.path();
    ++seeds;
  }
  EXPECT_GE(seeds, 9u);
}

}  // namespace
}  // namespace respfuzz::harnesses
