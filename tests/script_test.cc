// Tests for src/script/ that are not recordings: SHA-1 against FIPS 180's
// vectors, the limits respfuzz puts on a script (instructions, memory) at
// their boundaries, the tracking facts of scripts (checked by hand on
// redis-server 7.0.15, 2026-11-25: a read-only call inside EVAL remembers
// EVAL's declared keys, not the keys it read; the script's own writes
// invalidate the caller after the reply, NOLOOP keeps them quiet), and a
// broken conversion caught. The replies recorded from redis-server are in
// tests/recordings/scripting.json.
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"
#include "src/script/lua_scripts.h"
#include "src/script/lua_text_load.h"
#include "src/script/sha1.h"

namespace respfuzz::script {
namespace {

TEST(Sha1Test, FipsVectorsAndBlockBoundaries) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Sha1Hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  // Redis's name for "return 1".
  EXPECT_EQ(Sha1Hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  // 55 bytes fit the length in the last block, 56 need another.
  EXPECT_EQ(Sha1Hex(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(Sha1Hex(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(Sha1Hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(ShebangTest, FlagsAndErrors) {
  uint32_t flags = 0;
  size_t len = 0;
  std::string err;
  ASSERT_TRUE(ParseEvalShebang("return 1", &flags, &len, &err));
  EXPECT_EQ(flags, kScriptCompat);
  EXPECT_EQ(len, 0u);
  ASSERT_TRUE(ParseEvalShebang("#!lua flags=no-writes,allow-oom\nreturn 1", &flags, &len, &err));
  EXPECT_EQ(flags, kScriptNoWrites | kScriptAllowOom);
  EXPECT_EQ(len, 31u);
  EXPECT_FALSE(ParseEvalShebang("#!lua flags=no-writes,bad\nx", &flags, &len, &err));
  EXPECT_EQ(err, "Unexpected flag in script shebang: bad");
  EXPECT_FALSE(ParseEvalShebang("#!lua", &flags, &len, &err));
  EXPECT_EQ(err, "Invalid script shebang");
}

// A host that answers every call with +OK and counts them.
class OkHost : public CallHost {
 public:
  std::string Call(std::span<const std::string>, resp::Protocol, std::string* reply) override {
    ++calls;
    reply->append("+OK\r\n");
    return "";
  }
  int calls = 0;
};

std::string RunScript(EvalScripts& scripts, const std::string& body, CallHost& host) {
  std::string err;
  const std::string sha = scripts.Create(body, &err);
  if (sha.empty()) return err;
  std::string out;
  scripts.Run(sha, {}, {}, false, host, resp::Protocol::kResp2, &out);
  return out;
}

TEST(ScriptLimitsTest, InstructionCapStopsAScriptAtItsBoundary) {
  ScriptLimits limits;
  limits.max_instructions = 100'000;
  EvalScripts scripts(limits);
  OkHost host;
  // A numeric for loop runs one VM instruction (FORLOOP) per iteration.
  EXPECT_EQ(RunScript(scripts, "for i = 1, 90000 do end return 1", host), ":1\r\n");
  const std::string killed = RunScript(scripts, "for i = 1, 110000 do end return 1", host);
  EXPECT_EQ(killed.rfind("-ERR Script killed by user with SCRIPT KILL... script: ", 0), 0u)
      << killed;
  // pcall cannot keep a stopped script alive.
  const std::string caught =
      RunScript(scripts, "while true do pcall(function() while true do end end) end", host);
  EXPECT_EQ(caught.rfind("-ERR Script killed by user with SCRIPT KILL...", 0), 0u) << caught;
  // The next script starts with a fresh count.
  EXPECT_EQ(RunScript(scripts, "return redis.call('ping').ok", host), "$2\r\nOK\r\n");
}

// unpack over a range whose size overflows an int: an error, as in Redis's
// vendored Lua (Debian's liblua5.1 wrote past its stack here), and the
// ranges around it as redis-server 7.0.15 answers them.
TEST(ScriptSandboxTest, UnpackChecksItsRange) {
  EvalScripts scripts{ScriptLimits{}};
  OkHost host;
  for (const char* range : {"-2, 2147483647", "0, 2147483647", "-2147483648, -2"}) {
    const std::string out =
        RunScript(scripts, std::string("return {unpack({1,2,3}, ") + range + ")}", host);
    EXPECT_EQ(out.rfind("-ERR user_script:1: too many results to unpack script: ", 0), 0u) << out;
  }
  EXPECT_EQ(RunScript(scripts, "return {unpack({1,2,3}, -1, -2)}", host), "*0\r\n");
  EXPECT_EQ(RunScript(scripts, "return {unpack({1,2,3}, 2)}", host), "*2\r\n:2\r\n:3\r\n");
  EXPECT_EQ(RunScript(scripts, "return {unpack({1,2,3}, 3, 4)}", host), "*1\r\n:3\r\n");
}

// Redis 7.0.15's own cmsgpack, struct and bit (third_party/redis70_lualibs/):
// bit.tohex's width at and around its boundaries, where Debian's lua-bitop
// 1.0.2 wrote past its 8-byte buffer (-2147483648 negated overflows; Redis's
// lua_bit.c clamps it, CVE-2024-31449), the three libraries in EVAL and in a
// FUNCTION, and read-only in both. The reply bytes of the same calls on
// redis-server 7.0.15 are in tests/recordings/scripting.json (LuaLibraries).
TEST(ScriptLibrariesTest, BitTohexWidthAtItsBoundaries) {
  EvalScripts scripts{ScriptLimits{}};
  OkHost host;
  const struct {
    const char* width;
    const char* hex;
  } cases[] = {{"-2147483648", "0000FFFF"},
               {"-2147483647", "0000FFFF"},
               {"-9", "0000FFFF"},
               {"-8", "0000FFFF"},
               {"-1", "F"},
               {"0", ""},
               {"1", "f"},
               {"8", "0000ffff"},
               {"9", "0000ffff"},
               {"2147483647", "0000ffff"}};
  for (const auto& c : cases) {
    const std::string out =
        RunScript(scripts, std::string("return bit.tohex(65535, ") + c.width + ")", host);
    EXPECT_EQ(out, "$" + std::to_string(strlen(c.hex)) + "\r\n" + c.hex + "\r\n") << c.width;
  }
}

TEST(ScriptLibrariesTest, CmsgpackAndStructAreLoadedAndReadOnly) {
  EvalScripts scripts{ScriptLimits{}};
  OkHost host;
  EXPECT_EQ(RunScript(scripts,
                      "return {type(cmsgpack.pack), type(struct.pack), type(bit.tohex),"
                      " cmsgpack.unpack(cmsgpack.pack(-1099511627776)) == -1099511627776,"
                      " struct.unpack('>I2', struct.pack('>I2', 258))}",
                      host),
            "*6\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n:1\r\n:258\r\n:3\r\n");
  for (const char* lib : {"cmsgpack", "struct", "bit"}) {
    const std::string out = RunScript(scripts, std::string(lib) + ".x = 1", host);
    EXPECT_EQ(out.rfind("-ERR user_script:1: Attempt to modify a readonly table script: ", 0), 0u)
        << lib << ": " << out;
  }
  FunctionLibraries libs{ScriptLimits{}};
  std::string err;
  ASSERT_EQ(
      libs.Load("#!lua name=m\nredis.register_function('f', function() return "
                "{cmsgpack.unpack(cmsgpack.pack(struct.size('i4'))), bit.tohex(255, -2)} end)",
                false, &err),
      "m")
      << err;
  const FunctionLibraries::Function* f = libs.FindFunction("f");
  ASSERT_NE(f, nullptr);
  std::string out;
  libs.Call(*f, {}, {}, false, host, resp::Protocol::kResp2, &out);
  EXPECT_EQ(out, "*2\r\n:4\r\n$2\r\nFF\r\n");
}

// The lexer's chunk ids that a refused binary chunk's error names (Lua
// 5.1's luaO_chunkid in llex.c's 80 bytes), at each form's truncation
// boundary; redis-server 7.0.15's replies for the same names are in
// scripting.json (SandboxMetatablesAndTextOnlyLoading).
TEST(ScriptSandboxTest, ChunkIdsAtTheirBoundaries) {
  EXPECT_EQ(LuaChunkId("=abc"), "abc");
  EXPECT_EQ(LuaChunkId(("=" + std::string(79, 'x')).c_str()), std::string(79, 'x'));
  EXPECT_EQ(LuaChunkId(("=" + std::string(80, 'x')).c_str()), std::string(79, 'x'));
  EXPECT_EQ(LuaChunkId("@abc"), "abc");
  EXPECT_EQ(LuaChunkId(("@" + std::string(72, 'x')).c_str()), std::string(72, 'x'));
  EXPECT_EQ(LuaChunkId(("@" + std::string(73, 'x')).c_str()), "..." + std::string(72, 'x'));
  EXPECT_EQ(LuaChunkId(std::string(63, 'x').c_str()), "[string \"" + std::string(63, 'x') + "\"]");
  EXPECT_EQ(LuaChunkId(std::string(64, 'x').c_str()),
            "[string \"" + std::string(63, 'x') + "...\"]");
  EXPECT_EQ(LuaChunkId("a\nb"), "[string \"a...\"]");
  EvalScripts scripts{ScriptLimits{}};
  OkHost host;
  EXPECT_EQ(
      RunScript(scripts, "return {loadstring(string.dump(function() return 1 end), '=d')}", host),
      "*0\r\n");  // nil first: an empty array
  EXPECT_EQ(RunScript(scripts,
                      "local f, e = loadstring(string.dump(function() return 1 end), '=d') "
                      "return e",
                      host),
            "$38\r\nd:1: unexpected symbol near 'char(27)'\r\n");
}

TEST(ScriptLimitsTest, InstructionCapStopsAFunctionLoad) {
  ScriptLimits limits;
  limits.max_instructions = 100'000;
  FunctionLibraries libs(limits);
  std::string err;
  EXPECT_EQ(libs.Load("#!lua name=a\nfor i = 1, 90000 do end\n"
                      "redis.register_function('f', function() return 1 end)",
                      false, &err),
            "a")
      << err;
  EXPECT_EQ(libs.Load("#!lua name=b\nwhile true do end", false, &err), "");
  EXPECT_EQ(err, "ERR Error registering functions: ERR FUNCTION LOAD timeout");
}

TEST(ScriptLimitsTest, MemoryCapFailsTheAllocationNotTheProcess) {
  ScriptLimits limits;
  limits.max_memory = 4u << 20;
  EvalScripts scripts(limits);
  OkHost host;
  EXPECT_EQ(RunScript(scripts, "return #string.rep('x', 1000000)", host), ":1000000\r\n");
  const std::string out = RunScript(scripts, "return #string.rep('x', 8000000)", host);
  EXPECT_NE(out.find("not enough memory"), std::string::npos) << out;
  // The state still works after the failure.
  EXPECT_EQ(RunScript(scripts, "return 7", host), ":7\r\n");
}

// A command's reply is turned into Lua values outside the cap (as Redis,
// which has no cap, never fails that conversion): a script already near
// the cap still gets a reply of 3.5 MB whole; its own allocations stay capped.
class BigReplyHost : public CallHost {
 public:
  std::string Call(std::span<const std::string>, resp::Protocol, std::string* reply) override {
    reply->append("$3500000\r\n" + std::string(3500000, 'v') + "\r\n");
    return "";
  }
};

TEST(ScriptLimitsTest, AReplyIsConvertedOutsideTheCap) {
  ScriptLimits limits;
  limits.max_memory = 4u << 20;
  EvalScripts scripts(limits);
  BigReplyHost host;
  EXPECT_EQ(RunScript(scripts,
                      "local a = string.rep('x', 1000000) local r = redis.call('get', 'k') "
                      "return #a + #r",
                      host),
            ":4500000\r\n");
  const std::string out = RunScript(
      scripts, "local r = redis.call('get', 'k') return #(r .. string.rep('x', 1000000))", host);
  EXPECT_NE(out.find("not enough memory"), std::string::npos) << out;
}

void Exec(engine::Engine& e, int s, std::vector<std::string> argv, std::string* out) {
  e.Execute(s, argv, out);
}

TEST(ScriptTest, FlushDropsScriptsAndFunctions) {
  engine::Engine e;
  const int s = e.OpenSession();
  std::string out;
  Exec(e, s, {"script", "load", "return 1"}, &out);
  Exec(e, s,
       {"function", "load", "#!lua name=l\nredis.register_function('f', function() return 2 end)"},
       &out);
  Exec(e, s, {"fcall", "f", "0"}, &out);
  EXPECT_EQ(out, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n$1\r\nl\r\n:2\r\n");
  out.clear();
  Exec(e, s, {"script", "flush"}, &out);
  Exec(e, s, {"function", "flush"}, &out);
  Exec(e, s, {"evalsha", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}, &out);
  Exec(e, s, {"fcall", "f", "0"}, &out);
  EXPECT_EQ(out,
            "+OK\r\n+OK\r\n-NOSCRIPT No matching script. Please use EVAL.\r\n"
            "-ERR Function not found\r\n");
}

// INFO memory's script and function counts (unit/scripting's "SCRIPTING
// FLUSH ASYNC" reads number_of_cached_scripts), from none to two and back.
TEST(ScriptTest, InfoMemoryCountsScriptsAndFunctions) {
  engine::Engine e;
  const int s = e.OpenSession();
  auto counts = [&] {
    std::string out;
    Exec(e, s, {"info", "memory"}, &out);
    std::string found;
    for (const char* f :
         {"number_of_cached_scripts:", "number_of_functions:", "number_of_libraries:"}) {
      const size_t at = out.find(std::string("\r\n") + f);
      if (at == std::string::npos) return std::string("missing ") + f;
      found += out.substr(at + 2, out.find("\r\n", at + 2) - at - 2) + " ";
    }
    return found;
  };
  EXPECT_EQ(counts(), "number_of_cached_scripts:0 number_of_functions:0 number_of_libraries:0 ");
  std::string out;
  Exec(e, s, {"script", "load", "return 1"}, &out);
  Exec(e, s, {"eval", "return 2", "0"}, &out);
  Exec(e, s, {"eval", "return 2", "0"}, &out);
  Exec(e, s,
       {"function", "load",
        "#!lua name=l\nredis.register_function('f', function() return 2 end)\n"
        "redis.register_function('g', function() return 3 end)"},
       &out);
  EXPECT_EQ(counts(), "number_of_cached_scripts:2 number_of_functions:2 number_of_libraries:1 ");
  Exec(e, s, {"script", "flush", "async"}, &out);
  Exec(e, s, {"function", "flush"}, &out);
  EXPECT_EQ(counts(), "number_of_cached_scripts:0 number_of_functions:0 number_of_libraries:0 ");
}

// INFO commandstats' calls, rejected_calls and failed_calls around scripts,
// as redis-server 7.0.15 counts them (checked by hand, 2026-11-26, and by
// unit/scripting's "Consistent eval error reporting"): a call the script
// may not make is the called command's rejected call (none for an unknown
// subcommand), an error a redis.call or pcall counted already is one more
// failed call of EVAL but no second error reply, and each such error in
// the script's reply is one failed call.
TEST(ScriptTest, CommandStatsOfRefusedCallsAndErrorReplies) {
  engine::Engine e;
  const int s = e.OpenSession();
  std::string out;
  Exec(e, s, {"config", "set", "maxmemory", "1"}, &out);
  Exec(e, s, {"config", "resetstat"}, &out);
  Exec(e, s, {"eval", "return redis.call('set','x','y')", "1", "x"}, &out);
  Exec(e, s, {"eval", "return redis.call('object','encoding')", "0"}, &out);
  Exec(e, s, {"eval", "return redis.call('config','nosuch')", "0"}, &out);
  Exec(e, s, {"eval", "return redis.call('script','load','return 1')", "0"}, &out);
  Exec(e, s, {"eval", "local t = redis.pcall('select', 99) return 1", "0"}, &out);
  Exec(e, s,
       {"eval", "return {1, {err='E1 a'}, {err='E2 b', ignore_error_stats_update=true}}", "0"},
       &out);
  Exec(e, s, {"script", "load", "return 1"}, &out);
  Exec(e, s, {"script", "nosuch"}, &out);
  const auto& st = e.stats();
  auto stat = [&](const char* name) {
    auto it = st.commands.find(name);
    if (it == st.commands.end()) return std::string("none");
    return std::to_string(it->second.calls) + "/" + std::to_string(it->second.rejected) + "/" +
           std::to_string(it->second.failed);
  };
  EXPECT_EQ(stat("set"), "0/1/0");
  EXPECT_EQ(stat("object|encoding"), "0/1/0");
  EXPECT_EQ(stat("script|load"), "1/1/0");
  EXPECT_EQ(stat("script"), "none");
  EXPECT_EQ(stat("config|nosuch"), "none");
  EXPECT_EQ(stat("select"), "1/0/1");
  // 6 calls: the four refusals and the nested uncounted error fail it once
  // each, the counted nested error once more; the pcall'd SELECT not.
  EXPECT_EQ(stat("eval"), "6/0/6");
  // OOM, three ERR refusals, SELECT's ERR, E1, and SCRIPT's unknown
  // subcommand.
  EXPECT_EQ(st.error_replies, 7u);
  ASSERT_TRUE(st.errors.contains("OOM"));
  EXPECT_EQ(st.errors.at("OOM"), 1u);
  EXPECT_EQ(st.errors.at("ERR"), 5u);
  EXPECT_EQ(st.errors.at("E1"), 1u);
}

// math.random is Redis's lrand48 from rand.c's initial state; a fresh
// redis-server 7.0.15 (checked by hand, 2026-11-25) answers these exactly.
// Redis keeps one state per process, the engine one per engine.
TEST(ScriptTest, MathRandomIsRedisGenerator) {
  engine::Engine e;
  const int s = e.OpenSession();
  std::string out;
  Exec(e, s,
       {"eval", "return {math.random(1000000), math.random(1000000), math.random(1000000)}", "0"},
       &out);
  Exec(e, s, {"eval", "math.randomseed(7) return {math.random(1000000), math.random(10,20)}", "0"},
       &out);
  EXPECT_EQ(out, "*3\r\n:396465\r\n:840486\r\n:353337\r\n*2\r\n:266445\r\n:17\r\n");
}

// As redis-server 7.0.15 does (checked by hand, see the top).
TEST(ScriptTest, TrackingRemembersTheScriptsDeclaredKeys) {
  engine::Engine e;
  const int a = e.OpenSession();
  const int b = e.OpenSession();
  std::string out;
  Exec(e, a, {"hello", "3"}, &out);
  Exec(e, a, {"client", "tracking", "on"}, &out);
  out.clear();
  Exec(e, a, {"eval", "return redis.call('get','other')", "1", "k"}, &out);
  EXPECT_EQ(out, "_\r\n");
  std::string ignored;
  Exec(e, b, {"set", "other", "1"}, &ignored);
  EXPECT_EQ(e.TakeOutput(a), "");
  Exec(e, b, {"set", "k", "1"}, &ignored);
  EXPECT_EQ(e.TakeOutput(a), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n");
  // A write script remembers nothing; its own write to a remembered key
  // invalidates the caller after the reply.
  out.clear();
  Exec(e, a, {"eval", "return redis.call('get','w')", "1", "w2"}, &out);
  Exec(e, a, {"eval", "return redis.call('set','w2','y')", "0"}, &out);
  EXPECT_EQ(out, "_\r\n+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nw2\r\n");
  // EVAL_RO's keys are remembered through its read-only call only.
  out.clear();
  Exec(e, a, {"eval_ro", "return 1", "1", "q"}, &out);
  Exec(e, b, {"set", "q", "1"}, &ignored);
  EXPECT_EQ(e.TakeOutput(a), "");
  // NOLOOP: the script's writes are the caller's own.
  out.clear();
  Exec(e, a, {"client", "tracking", "on", "noloop"}, &out);
  Exec(e, a, {"get", "n"}, &out);
  Exec(e, a, {"eval", "return redis.call('set','n','1')", "0"}, &out);
  EXPECT_EQ(out, "+OK\r\n_\r\n+OK\r\n");
  const absl::Status valid = e.Validate();
  EXPECT_TRUE(valid.ok()) << valid;
}

// A deliberately broken conversion (a host whose reply is RESP3 when the
// script asked RESP2) shows in the script's result: the conversion reads
// what the host wrote, it does not assume it.
class Resp3Host : public CallHost {
 public:
  std::string Call(std::span<const std::string>, resp::Protocol, std::string* reply) override {
    reply->append("_\r\n");  // RESP3 null where RESP2's $-1 is due
    return "";
  }
};

TEST(ScriptTest, ABrokenHostReplyShows) {
  EvalScripts scripts;
  OkHost ok;
  Resp3Host broken;
  // $-1 converts to false (a RESP2 null bulk); RESP3's _ to nil, which the
  // RESP2 reader refuses: the script sees an error.
  const std::string good = RunScript(scripts, "return type(redis.call('get','x'))", ok);
  const std::string bad = RunScript(scripts, "return type(redis.call('get','x'))", broken);
  EXPECT_EQ(good, "$5\r\ntable\r\n");
  EXPECT_NE(bad, good);
  EXPECT_NE(bad.find("did not parse"), std::string::npos) << bad;
}

}  // namespace
}  // namespace respfuzz::script
