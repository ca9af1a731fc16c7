// The command_handler harness: the seeds run clean, and each of its checks
// can fail (a broken reply or a broken engine state is caught, named and
// placed at the right op). Minimize shrinks a failing program.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "harnesses/models/reference_model.h"
#include "src/engine/engine.h"
#include "src/resp/reader.h"
#include "src/resp/writer.h"
#include "tests/command_program_text.h"

namespace respfuzz::harnesses {
namespace {

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

// Tracking is outside the reference model: such ops run on neither side,
// so a program that names them still agrees (and cannot make the engine
// push anything). Pub/sub is in the model (command_handler_pubsub_test.cc).
TEST(CommandHandler, TrackingOpsAreSkipped) {
  EXPECT_TRUE(OutsideTheModel({"client", "Tracking", "on"}));
  EXPECT_FALSE(OutsideTheModel({"SUBSCRIBE", "c"}));         // in the model since pub/sub ops
  EXPECT_FALSE(OutsideTheModel({"config", "get", "x"}));     // CONFIG is in the model
  EXPECT_FALSE(OutsideTheModel({"eval", "return 1", "0"}));  // reference_scripting.cc
  EXPECT_FALSE(OutsideTheModel({"FCALL_RO", "f", "0"}));     // reference_functions.cc
  EXPECT_FALSE(OutsideTheModel({"function", "flush"}));
  EXPECT_FALSE(OutsideTheModel({"EVALX", "return 1", "0"}));
  EXPECT_FALSE(OutsideTheModel({"CLIENT", "ID"}));
  EXPECT_FALSE(OutsideTheModel({"CLIENT", "TRACKINGX"}));
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r = RunCommandProgram(
      Program("s1 HELLO 3\ns1 CLIENT TRACKING on\ns1 GET k1\ns2 SET k1 v1\ns1 GET k1\n"), o);
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 5u);
  EXPECT_EQ(r.trace[1].engine, "(skipped)");
}

// Persistence is engine-only (files, the process): a program's literal
// SAVE, BGSAVE, LASTSAVE or SHUTDOWN runs on neither side, so the engine
// never resets its dirty counter or stops where the model would not.
TEST(CommandHandler, PersistenceOpsAreSkipped) {
  for (const char* name : {"SAVE", "bgsave", "LastSave", "SHUTDOWN"}) {
    EXPECT_TRUE(OutsideTheModel({name})) << name;
  }
  EXPECT_FALSE(OutsideTheModel({"SAVEX"}));
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r =
      RunCommandProgram(Program("s1 SET k1 v1\ns1 SAVE\ns1 SHUTDOWN NOSAVE\ns1 GET k1\n"), o);
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 4u);
  EXPECT_EQ(r.trace[1].engine, "(skipped)");
  EXPECT_EQ(r.trace[2].engine, "(skipped)");
}

// Streams: the reference model has them (tests/recordings/streams.json),
// the engine not yet. One switch, kStreamsCompared, puts every stream
// command outside the model (skipped on both sides) while it is off, XREAD
// and XREADGROUP with BLOCK included (the model blocks on streams).
TEST(CommandHandler, StreamsAreBehindOneSwitch) {
  EXPECT_EQ(OutsideTheModel({"XADD", "k1", "*", "f1", "v1"}), !kStreamsCompared);
  EXPECT_EQ(OutsideTheModel({"xinfo", "STREAM", "k1"}), !kStreamsCompared);
  EXPECT_EQ(OutsideTheModel({"XREAD", "STREAMS", "k1", "$"}), !kStreamsCompared);
  EXPECT_EQ(OutsideTheModel({"XREAD", "BLOCK", "0", "STREAMS", "k1", "$"}), !kStreamsCompared);
  EXPECT_EQ(
      OutsideTheModel({"xreadgroup", "GROUP", "g1", "c1", "block", "0", "STREAMS", "k1", ">"}),
      !kStreamsCompared);
  EXPECT_FALSE(OutsideTheModel({"XADDX", "k1"}));
  EXPECT_FALSE(OutsideTheModel({"X", "k1"}));
}

// The streams seed, corpus/command_handler/streams.txt.
std::string PendingStreamsSeed() {
  const std::filesystem::path src(RESPFUZZ_SOURCE_DIR);
  const std::filesystem::path path = src / "corpus" / "command_handler" / "streams.txt";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The streams seed waiting for the engine: it is a program of the byte form
// (encode and decode keep it), it runs clean now (its stream ops skipped
// while kStreamsCompared is off), and on the reference model alone every
// stream command is known and answers.
TEST(CommandHandler, PendingStreamsSeed) {
  const CommandProgram p = Program(PendingStreamsSeed());
  ASSERT_GT(p.ops.size(), 40u);
  EXPECT_EQ(DecodeCommandProgram(EncodeCommandProgram(p)), p);
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r = RunCommandProgram(p, o);
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  if (!kStreamsCompared) {
    EXPECT_EQ(r.trace[0].engine, "(skipped)");
  }
  models::ReferenceOptions ro;
  ro.sessions = kMaxSessions;
  models::ReferenceModel model(ro);
  int errors = 0;
  std::vector<resp::Value> xlen;
  for (const Op& op : p.ops) {
    if (op.kind == OpKind::kClock) model.AdvanceClock(op.clock_ms);
    if (op.kind != OpKind::kCommand) continue;
    const resp::Value v = model.Execute(op.session, op.argv);
    EXPECT_EQ(v.str.find("unknown"), std::string::npos) << OpToText(op) << ": " << v.str;
    errors += v.type == resp::Type::kError;
    if (op.argv[0] == "XLEN") xlen.push_back(v);
  }
  // The seed's deliberate errors: XADD below the top item, LIMIT without ~,
  // an exclusive start past the last ID, XADD on an exhausted stream and on
  // a string.
  EXPECT_EQ(errors, 5);
  // XLEN k1 after four XADDs; XLEN k5 in db 0 after MOVE k5 1.
  EXPECT_EQ(xlen, (std::vector<resp::Value>{resp::Value::Integer(4), resp::Value::Integer(0)}));
}

// Replaces the reply of op `at` with `bytes`.
CommandRunOptions ReplaceReply(size_t at, std::string bytes) {
  CommandRunOptions o;
  o.corrupt_reply = [at, bytes](size_t op, std::string* reply) {
    if (op == at) *reply = bytes;
  };
  return o;
}

// A script's big_number with bytes no number has is written as it is, by
// redis-server 7.0.15 and the engine: invalid RESP3, compared as bytes with
// the reference's value; other bytes than the reference's still fail.
TEST(CommandHandler, AnInvalidScriptBigNumberComparesAsBytes) {
  const std::string program = "s1 HELLO 3\ns1 EVAL \"return {big_number='12\\x0034'}\" 0\n";
  EXPECT_TRUE(RunCommandProgram(Program(program)).verdict.ok);
  const auto other = RunCommandProgram(Program(program), ReplaceReply(1, std::string("(12\0"
                                                                                     "35\r\n",
                                                                                     7)));
  EXPECT_FALSE(other.verdict.ok);
  EXPECT_EQ(other.verdict.check, "reply-framing") << other.verdict.ToString();
}

// DEBUG PROTOCOL (both sides with enable-debug-command local): the
// attribute, the push frame and the reply are each compared with the
// model's; s3 is a remote connection, refused on both sides.
TEST(CommandHandler, DebugProtocolRepliesAreCompared) {
  const std::string program =
      "s1 HELLO 3\ns1 DEBUG PROTOCOL attrib\ns1 DEBUG PROTOCOL push\ns3 DEBUG PROTOCOL string\n";
  const auto fine = RunCommandProgram(Program(program));
  EXPECT_TRUE(fine.verdict.ok) << fine.verdict.ToString();
  const auto attribute = RunCommandProgram(
      Program(program),
      ReplaceReply(1,
                   "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:124\r\n:90\r\n$39\r\nSome real "
                   "reply following the attribute\r\n"));
  EXPECT_FALSE(attribute.verdict.ok);
  EXPECT_EQ(attribute.verdict.check, "reference") << attribute.verdict.ToString();
  const auto push = RunCommandProgram(
      Program(program),
      ReplaceReply(2,
                   ">2\r\n$16\r\nserver-cpu-usage\r\n:43\r\n$40\r\nSome real reply following the "
                   "push reply\r\n"));
  EXPECT_FALSE(push.verdict.ok);
  EXPECT_EQ(push.verdict.check, "pubsub") << push.verdict.ToString();
  // A model that forgets the push frame.
  CommandRunOptions no_push;
  no_push.break_model_delivery = [](size_t op, std::vector<std::pair<int, resp::Value>>* d) {
    if (op == 2) d->clear();
  };
  const auto dropped = RunCommandProgram(Program(program), no_push);
  EXPECT_FALSE(dropped.verdict.ok);
  EXPECT_EQ(dropped.verdict.step, 2) << dropped.verdict.ToString();
  // s3 answered as a local session would be.
  const auto remote =
      RunCommandProgram(Program(program), ReplaceReply(3, "$11\r\nHello World\r\n"));
  EXPECT_FALSE(remote.verdict.ok);
  EXPECT_EQ(remote.verdict.check, "reference") << remote.verdict.ToString();
}

// DEBUG DIGEST compares whole datasets: a value changed in the engine that
// no later reply reads is caught by the next DIGEST (and a DIGEST-VALUE of
// it), which the reference model computes from its own keyspace.
TEST(CommandHandler, DebugDigestCatchesAStateNoReplyShowed) {
  const std::string program =
      "s1 SET k v\ns1 RPUSH l a b\ns1 DEBUG DIGEST\ns1 DEBUG DIGEST-VALUE k l\n";
  const auto fine = RunCommandProgram(Program(program));
  EXPECT_TRUE(fine.verdict.ok) << fine.verdict.ToString();
  CommandRunOptions changed;
  changed.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op != 1) return;
    engine::Object* o = e.keyspace().FindNoTouch(0, "k");
    ASSERT_NE(o, nullptr);
    std::get<std::string>(static_cast<engine::ObjectVariant&>(*o)) = "w";
  };
  const auto r = RunCommandProgram(Program(program), changed);
  EXPECT_FALSE(r.verdict.ok);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 2);
  // With no DIGEST in the program, the end-of-program check (the same
  // digest of both keyspaces) catches it at the last op.
  const auto silent = RunCommandProgram(Program("s1 SET k v\ns1 RPUSH l a b\n"), changed);
  EXPECT_FALSE(silent.verdict.ok);
  EXPECT_EQ(silent.verdict.check, "state") << silent.verdict.ToString();
  EXPECT_EQ(silent.verdict.step, 1);
  EXPECT_EQ(silent.verdict.op, "end");
}

// DEBUG RELOAD and POPULATE run on both sides: an engine whose reload left a
// set in its old encoding, or whose POPULATE lost a key, is caught by the
// next reply; a RELOAD that would load a hash table hash back as a listpack
// (in an order only the saving side knows) is skipped.
TEST(CommandHandler, DebugReloadAndPopulateAreCompared) {
  const std::string program =
      "s1 SET gone v PX 10\nclock +50ms\ns1 SADD si 1 2 3\n"
      "s1 CONFIG SET set-max-intset-entries 2\ns1 SADD si 4\n"
      "s1 CONFIG SET set-max-intset-entries 512\ns1 DEBUG RELOAD\ns1 OBJECT ENCODING si\n"
      "s1 DBSIZE\ns1 DEBUG POPULATE 2\ns1 GET key:1\n";
  CommandRunOptions traced;
  traced.trace = true;
  const auto fine = RunCommandProgram(Program(program), traced);
  ASSERT_TRUE(fine.verdict.ok) << fine.verdict.ToString();
  ASSERT_EQ(fine.trace.size(), 11u);
  EXPECT_EQ(fine.trace[7].reference, "\"intset\"");
  EXPECT_EQ(fine.trace[8].reference, "1");
  CommandRunOptions stale;
  stale.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op != 6) return;
    engine::Object* o = e.keyspace().FindNoTouch(0, "si");
    ASSERT_NE(o, nullptr);
    o->set_hashtable(true);
  };
  const auto r = RunCommandProgram(Program(program), stale);
  EXPECT_FALSE(r.verdict.ok);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 7);
  CommandRunOptions lost;
  lost.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 9) e.keyspace().DeleteQuietly(0, "key:1");
  };
  const auto p = RunCommandProgram(Program(program), lost);
  EXPECT_FALSE(p.verdict.ok);
  EXPECT_EQ(p.verdict.step, 10) << p.verdict.ToString();
  const auto reordering = RunCommandProgram(
      Program("s1 CONFIG SET hash-max-listpack-entries 1\ns1 HSET h a 1 b 2\n"
              "s1 CONFIG SET hash-max-listpack-entries 128\ns1 DEBUG RELOAD\ns1 HGETALL h\n"),
      traced);
  ASSERT_TRUE(reordering.verdict.ok) << reordering.verdict.ToString();
  EXPECT_EQ(reordering.trace[3].reference, "(skipped)");
}

// GEO coordinates in RESP3 are doubles printed "%.17Lf" trimmed, which the
// round-trip check accepts (the number is the same); any other text of the
// same number is still a round-trip failure.
TEST(CommandHandler, CoordinateTextIsCheckedInTheRoundTrip) {
  const char* program =
      "s1 GEOADD k1 13.361389 38.115556 Palermo\ns1 HELLO 3\ns1 GEOPOS k1 Palermo\n";
  EXPECT_TRUE(RunCommandProgram(Program(program)).verdict.ok);
  const std::string good = "*1\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n";
  EXPECT_TRUE(RunCommandProgram(Program(program), ReplaceReply(2, good)).verdict.ok);
  // The same numbers as "%.17g" prints them: what the re-writing prints.
  EXPECT_TRUE(
      RunCommandProgram(Program(program), ReplaceReply(2,
                                                       "*1\r\n*2\r\n,13.361389338970184\r\n,"
                                                       "38.11555639549629859\r\n"))
          .verdict.ok);
  // The same number with a trailing zero: neither text Redis prints.
  const auto zero = RunCommandProgram(
      Program(program),
      ReplaceReply(2, "*1\r\n*2\r\n,13.36138933897018433\r\n,38.115556395496298590\r\n"));
  EXPECT_FALSE(zero.verdict.ok);
  EXPECT_EQ(zero.verdict.check, "reply-roundtrip") << zero.verdict.ToString();
  EXPECT_EQ(zero.verdict.step, 2);
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

// The scripting model's conversions are compared: a model whose Lua number
// -> integer reply rounds up instead of truncating fails on the scripting
// seed at its first fractional number, and the same seed passes unbroken.
TEST(CommandHandler, ABrokenScriptConversionIsCaught) {
  const CommandProgram p = Program(
      "s1 EVAL \"return redis.call('set',KEYS[1],ARGV[1])\" 1 k1 v1\n"
      "s1 EVAL \"return -3\" 0\n"
      "s1 EVAL \"return 3.99\" 0\n");
  EXPECT_TRUE(RunCommandProgram(p).verdict.ok);
  CommandRunOptions broken;
  broken.broken_script_numbers = true;
  const auto r = RunCommandProgram(p, broken);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 2);
}

// EVAL, EVALSHA, SCRIPT, FUNCTION and FCALL are compared; SCRIPT DEBUG and
// FUNCTION DUMP / RESTORE are not.
TEST(CommandHandler, ScriptingIsInTheModel) {
  EXPECT_FALSE(OutsideTheModel({"EVAL", "return 1", "0"}));
  EXPECT_FALSE(OutsideTheModel({"evalsha_ro", "x", "0"}));
  EXPECT_FALSE(OutsideTheModel({"SCRIPT", "LOAD", "return 1"}));
  EXPECT_TRUE(OutsideTheModel({"SCRIPT", "debug", "yes"}));
  EXPECT_FALSE(OutsideTheModel({"FCALL", "f", "0"}));
  EXPECT_FALSE(OutsideTheModel({"fcall_ro", "f", "0"}));
  EXPECT_FALSE(OutsideTheModel({"FUNCTION", "LIST"}));
  EXPECT_FALSE(OutsideTheModel({"function"}));
  EXPECT_TRUE(OutsideTheModel({"FUNCTION", "dump"}));
  EXPECT_FALSE(OutsideTheModel({"function", "RESTORE", "x"}));  // reference_functions.cc
}

// Functions are compared through the model: a library's counter, a
// function's reply, and FUNCTION LIST up to the order of its libraries and
// of each library's functions (the server's dict order).
TEST(CommandHandler, FunctionsAreCompared) {
  const CommandProgram p = Program(
      "s1 FUNCTION LOAD \"#!lua name=lib3\\nlocal n = 0\\nredis.register_function('cnt', "
      "function() n = n + 1 return n end)\"\n"
      "s1 FCALL cnt 0\n"
      "s1 FCALL cnt 0\n"
      "s1 FUNCTION LOAD \"#!lua name=lib2\\nlocal r=redis.register_function\\n"
      "r('f2',function(k)return redis.call('incr',k[1])end)\\nr('g2',function()end)\"\n"
      "s1 FUNCTION LIST\n");
  EXPECT_TRUE(RunCommandProgram(p).verdict.ok) << RunCommandProgram(p).verdict.ToString();
  // The counter lives in the library's locals: a second FCALL giving 1 fails.
  const auto counter = RunCommandProgram(p, ReplaceReply(2, ":1\r\n"));
  EXPECT_EQ(counter.verdict.check, "reference") << counter.verdict.ToString();
  EXPECT_EQ(counter.verdict.step, 2);
  auto fn = [](const char* name) {
    return absl::StrCat("*6\r\n$4\r\nname\r\n$", strlen(name), "\r\n", name,
                        "\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n");
  };
  auto lib = [](const char* name, const std::string& fns, int n) {
    return absl::StrCat("*6\r\n$12\r\nlibrary_name\r\n$4\r\n", name,
                        "\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*", n, "\r\n", fns);
  };
  const std::string swapped =
      absl::StrCat("*2\r\n", lib("lib3", fn("cnt"), 1), lib("lib2", fn("g2") + fn("f2"), 2));
  const auto sw = RunCommandProgram(p, ReplaceReply(4, swapped));
  EXPECT_TRUE(sw.verdict.ok) << sw.verdict.ToString();
  const std::string renamed =
      absl::StrCat("*2\r\n", lib("lib3", fn("cnt"), 1), lib("lib2", fn("g2") + fn("f3"), 2));
  const auto r = RunCommandProgram(p, ReplaceReply(4, renamed));
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 4);
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

// An order bug: the reply of op `at` with its first two elements swapped (the
// first two pairs for HGETALL, the first two keys for SCAN), re-written as
// the engine would write it.
enum class Swap { kElements, kPairs, kScanKeys };
CommandRunOptions SwapFirstTwo(size_t at, Swap how = Swap::kElements) {
  CommandRunOptions o;
  o.corrupt_reply = [at, how](size_t op, std::string* reply) {
    if (op != at) return;
    resp::ReaderError error;
    std::vector<resp::Value> values =
        resp::ReadAll(*reply, resp::Protocol::kResp3, resp::ReaderLimits{}, &error);
    ASSERT_EQ(values.size(), 1u) << *reply;
    resp::Value& v = values[0];
    std::vector<resp::Value>& elems = how == Swap::kScanKeys ? v.elems.at(1).elems : v.elems;
    if (how == Swap::kPairs) {
      ASSERT_GE(elems.size(), 4u) << *reply;
      std::swap(elems[0], elems[2]);
      std::swap(elems[1], elems[3]);
    } else {
      ASSERT_GE(elems.size(), 2u) << *reply;
      std::swap(elems[0], elems[1]);
    }
    *reply = resp::Write(v, resp::Protocol::kResp2, resp::DoubleStyle::kRedis70);
  };
  return o;
}

TEST(CommandHandler, AnOrderBugInAnOrderedReplyIsCaught) {
  const char* programs[] = {
      "s1 RPUSH k1 a b c\ns1 LRANGE k1 0 -1\n",
      "s1 RPUSH k1 a b c\ns1 LPOP k1 2\n",
      "s1 RPUSH k1 a b c\ns1 RPOP k1 2\n",
      "s1 ZADD k1 1 a 2 b\ns1 ZRANGE k1 0 -1\n",
      "s1 ZADD k1 1 a 2 b\ns1 ZRANGEBYSCORE k1 -inf +inf\n",
      "s1 ZADD k1 1 a 2 b\ns1 ZREVRANGE k1 0 -1\n",
      "s1 ZADD k1 1 a 2 b\ns1 ZPOPMIN k1 2\n",
      "s1 MSET k1 a k2 b\ns1 MGET k1 k2\n",
      "s1 HSET k1 f a g b\ns1 HMGET k1 f g\n",
      "s1 SADD k1 a\ns1 SMISMEMBER k1 a b\n",
      // A hash's fields in insertion order on both sides (HashOrder).
      "s1 HSET k1 f a g b\ns1 HKEYS k1\n",
      "s1 HSET k1 f a g b\ns1 HVALS k1\n",
      "s1 HSET k1 g a f b\ns1 HSCAN k1 0\n",
  };
  for (const char* text : programs) {
    const CommandProgram p = Program(text);
    ASSERT_TRUE(RunCommandProgram(p).verdict.ok) << text;
    const auto r = RunCommandProgram(p, SwapFirstTwo(1));
    EXPECT_EQ(r.verdict.check, "reference") << text << r.verdict.ToString();
    EXPECT_EQ(r.verdict.step, 1) << text;
  }
  // EXEC's elements are the replies of the queued commands, in order.
  const CommandProgram exec = Program("s1 MULTI\ns1 SET k1 a\ns1 GET k1\ns1 EXEC\n");
  ASSERT_TRUE(RunCommandProgram(exec).verdict.ok);
  EXPECT_EQ(RunCommandProgram(exec, SwapFirstTwo(3)).verdict.check, "reference");
  // HGETALL's pairs in order: two pairs swapped whole are caught too, and so
  // is an engine whose hash lost its order (rebuilt in reverse, the same
  // fields and values).
  const CommandProgram pairs = Program("s1 HSET k1 f a g b\ns1 HGETALL k1\n");
  EXPECT_EQ(RunCommandProgram(pairs, SwapFirstTwo(1, Swap::kPairs)).verdict.check, "reference");
  CommandRunOptions reversed;
  reversed.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op != 0) return;
    engine::Object* v = e.keyspace().Find(0, "k1");
    ASSERT_NE(v, nullptr);
    engine::Hash& h = engine::As<engine::Hash>(*v);
    std::vector<engine::Hash::Entry> entries(h.begin(), h.end());
    engine::Hash back;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) back.Set(it->first, it->second);
    h = std::move(back);
  };
  for (const char* read : {"s1 HGETALL k1", "s1 HKEYS k1", "s1 HVALS k1", "s1 HSCAN k1 0",
                           "s1 HRANDFIELD k1 5 WITHVALUES", "s1 MULTI\ns1 HKEYS k1\ns1 EXEC"}) {
    const std::string text = "s1 HSET k1 f a g b h c\n" + std::string(read);
    ASSERT_TRUE(RunCommandProgram(Program(text)).verdict.ok) << text;
    const auto r = RunCommandProgram(Program(text), reversed);
    EXPECT_EQ(r.verdict.check, "reference") << text << r.verdict.ToString();
  }
}

TEST(CommandHandler, UnorderedRepliesAreComparedAsSets) {
  const char* programs[] = {
      "s1 SADD k1 a b\ns1 SMEMBERS k1\n", "s1 SADD k1 a b\ns1 SUNION k1 k2\n",
      "s1 SADD k1 a b\ns1 SDIFF k1 k2\n", "s1 SADD k1 a b\ns1 SINTER k1 k1\n",
      "s1 MSET k1 a k2 b\ns1 KEYS *\n",
  };
  for (const char* text : programs) {
    const CommandProgram p = Program(text);
    ASSERT_TRUE(RunCommandProgram(p).verdict.ok) << text;
    const auto r = RunCommandProgram(p, SwapFirstTwo(1));
    EXPECT_TRUE(r.verdict.ok) << text << r.verdict.ToString();
  }
  EXPECT_TRUE(
      RunCommandProgram(Program("s1 MSET k1 a k2 b\ns1 SCAN 0\n"), SwapFirstTwo(1, Swap::kScanKeys))
          .verdict.ok);
  // Sorting keeps HGETALL's pairs together: a value moved to another field is caught.
  const CommandProgram hash = Program("s1 HSET k1 f a g b\ns1 HGETALL k1\n");
  EXPECT_EQ(RunCommandProgram(hash, ReplaceReply(1,
                                                 "*4\r\n$1\r\nf\r\n$1\r\nb\r\n$1\r\ng\r\n$1\r\n"
                                                 "a\r\n"))
                .verdict.check,
            "reference");
  EXPECT_EQ(ReplyOrderOf("lrange"), ReplyOrder::kOrdered);
  EXPECT_EQ(ReplyOrderOf("hgetall"), ReplyOrder::kUnorderedPairs);
  EXPECT_EQ(ReplyOrderOf("hgetall", HashOrder::kInOrder), ReplyOrder::kOrdered);
  EXPECT_EQ(ReplyOrderOf("hkeys", HashOrder::kInOrder), ReplyOrder::kOrdered);
  EXPECT_EQ(ReplyOrderOf("smembers", HashOrder::kInOrder), ReplyOrder::kUnorderedElements);
  // The oracle's two ways: sorted for a hashtable hash, as it is for a listpack.
  const resp::Value keys =
      resp::Value::Aggregate(resp::Type::kArray, {resp::Value::Bulk("g"), resp::Value::Bulk("f")});
  resp::Value sorted = keys;
  CanonicalizeReply({"HKEYS", "k1"}, &sorted);
  EXPECT_EQ(sorted, resp::Value::Aggregate(resp::Type::kArray,
                                           {resp::Value::Bulk("f"), resp::Value::Bulk("g")}));
  resp::Value kept = keys;
  CanonicalizeReply({"HKEYS", "k1"}, &kept, HashOrder::kInOrder);
  EXPECT_EQ(kept, keys);
}

// The oracle compares a hash's fields in order exactly while the engine's
// hash is a listpack, outside EXEC: a server reply in another order is then
// a divergence (not sorted away), and a hashtable's is sorted.
TEST(CommandHandler, TheOracleComparesListpackHashesInOrder) {
  engine::Engine e{engine::EngineOptions{}};
  const int s = e.OpenSession();
  std::string out;
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"HSET", "small", "g", "1", "f", "2"},
        std::vector<std::string>{"HSET", "big", "g", "1", "f", std::string(65, 'v')},
        std::vector<std::string>{"SET", "str", "v"}}) {
    e.Execute(s, argv, &out);
  }
  EXPECT_EQ(OracleHashOrder(e, 0, {"HKEYS", "small"}, false), HashOrder::kInOrder);
  EXPECT_EQ(OracleHashOrder(e, 0, {"HKEYS", "small"}, true), HashOrder::kUnordered);
  EXPECT_EQ(OracleHashOrder(e, 1, {"HKEYS", "small"}, false), HashOrder::kUnordered);
  EXPECT_EQ(OracleHashOrder(e, 0, {"HKEYS", "big"}, false), HashOrder::kUnordered);
  EXPECT_EQ(OracleHashOrder(e, 0, {"HKEYS", "str"}, false), HashOrder::kUnordered);
  EXPECT_EQ(OracleHashOrder(e, 0, {"HKEYS", "missing"}, false), HashOrder::kUnordered);
  EXPECT_EQ(OracleHashOrder(e, 0, {"PING"}, false), HashOrder::kUnordered);
  // The engine's reply (insertion order) against a server's in another order.
  const resp::Value engine_reply =
      resp::Value::Aggregate(resp::Type::kArray, {resp::Value::Bulk("g"), resp::Value::Bulk("f")});
  const resp::Value server_reply =
      resp::Value::Aggregate(resp::Type::kArray, {resp::Value::Bulk("f"), resp::Value::Bulk("g")});
  for (const char* key : {"small", "big"}) {
    const std::vector<std::string> command = {"HKEYS", key};
    resp::Value got = engine_reply, want = server_reply;
    const HashOrder order = OracleHashOrder(e, 0, command, false);
    CanonicalizeReply(command, &got, order);
    CanonicalizeReply(command, &want, order);
    EXPECT_EQ(got == want, std::string(key) == "big") << key;
  }
}

// The blocking check: an engine that unblocks a session the reference
// model still has blocked (a timeout fired early, say) is caught at the next
// op; so is a blocking command that replied at once.
TEST(CommandHandler, ABrokenBlockingEngineIsCaught) {
  const std::string text = "s2 BLPOP k1 5\ns1 PING\ns1 RPUSH k1 a\ns1 PING";
  EXPECT_TRUE(RunCommandProgram(Program(text)).verdict.ok);
  CommandRunOptions early;
  early.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 0) e.UnblockByClient(1, false);
  };
  auto r = RunCommandProgram(Program(text), early);
  EXPECT_EQ(r.verdict.check, "blocking") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 1);
  CommandRunOptions wrong;
  wrong.corrupt_reply = [](size_t op, std::string* reply) {
    if (op == 0) *reply = "$-1\r\n";  // a blocking command that replied
  };
  r = RunCommandProgram(Program(text), wrong);
  EXPECT_EQ(r.verdict.check, "blocking") << r.verdict.ToString();
}

// A served session's reply is compared (and shows in the trace): the
// engine's bytes for it against the model's delivery.
TEST(CommandHandler, ServedRepliesAreCompared) {
  CommandRunOptions o;
  o.trace = true;
  const auto r = RunCommandProgram(Program("s1 BLPOP k1 0\ns2 RPUSH k1 x\ns1 PING"), o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  bool seen = false;
  for (const OpTrace& t : r.trace) {
    if (t.op.find("(s1 received)") != std::string::npos) {
      seen = true;
      EXPECT_EQ(t.engine, t.reference);
      EXPECT_NE(t.engine.find("k1"), std::string::npos) << t.engine;
    }
  }
  EXPECT_TRUE(seen);
}

// A deliberately broken bit command: after the SETBIT (op 1) the engine's
// string lost the bit it set, as a SETBIT that wrote the wrong byte would
// leave it. The reference check catches it at the next op that reads the
// bit, whichever bit command that is.
TEST(CommandHandler, ABrokenBitCommandIsCaught) {
  CommandRunOptions o;
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op != 1) return;
    engine::Object* v = e.keyspace().Find(0, "k1");
    ASSERT_NE(v, nullptr);
    engine::As<std::string>(*v)[0] = '\0';
  };
  for (std::string_view read :
       {"s2 GETBIT k1 3", "s2 BITCOUNT k1", "s2 BITPOS k1 1", "s2 BITFIELD k1 GET u8 0",
        "s2 BITFIELD_RO k1 GET i4 0", "s2 BITOP NOT k2 k1\ns2 GET k2"}) {
    const std::string text = "s1 SET k1 abc\ns1 SETBIT k1 3 1\ns1 PING\n" + std::string(read);
    EXPECT_TRUE(RunCommandProgram(Program(text)).verdict.ok) << text;
    const auto r = RunCommandProgram(Program(text), o);
    EXPECT_EQ(r.verdict.check, "reference") << text << "\n" << r.verdict.ToString();
    EXPECT_GE(r.verdict.step, 3) << text;
  }
}

// The bit offset limit is the harness's string limit: the last bit of a
// kHarnessMaxStringLen-byte string is addressable, the next is Redis's
// offset error on both sides, so no program grows a string past the limit
// (plus 8 bytes for a 64-bit BITFIELD write at the last bit).
TEST(CommandHandler, BitOffsetsStopAtTheHarnessStringLimit) {
  const int64_t last_bit = CommandRunOptions::kHarnessMaxStringLen * 8 - 1;
  CommandRunOptions o;
  o.trace = true;
  const auto r = RunCommandProgram(
      Program("s1 SETBIT k1 " + std::to_string(last_bit) + " 1\ns1 STRLEN k1\ns1 SETBIT k1 " +
              std::to_string(last_bit + 1) + " 1\ns1 BITFIELD k2 SET i64 " +
              std::to_string(last_bit) + " 1\ns1 STRLEN k2\n"),
      o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 5u);
  EXPECT_EQ(r.trace[1].engine, "65536");
  EXPECT_NE(r.trace[2].engine.find("bit offset is not an integer or out of range"),
            std::string::npos)
      << r.trace[2].engine;
  EXPECT_EQ(r.trace[4].engine, "65544");
}

// The sorted-set algebra, ranges and scans read what the engine holds: a
// score changed behind the engine's back shows in each of them.
TEST(CommandHandler, ABrokenZsetShowsInTheAlgebraAndScans) {
  CommandRunOptions o;
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op != 1) return;
    engine::Object* v = e.keyspace().Find(0, "k1");
    ASSERT_NE(v, nullptr);
    engine::As<engine::ZSet>(*v).Set("a", 5);
    engine::As<engine::ZSet>(*v).Set("b", 7);
  };
  for (std::string_view read :
       {"s2 ZUNION 2 k1 k2 WITHSCORES", "s2 ZINTER 2 k1 k2 WEIGHTS 2 1 WITHSCORES",
        "s2 ZDIFF 2 k1 k2 WITHSCORES", "s2 ZINTERSTORE k3 2 k1 k2 AGGREGATE MAX\ns2 ZSCORE k3 b",
        "s2 ZRANGESTORE k3 k1 0 -1\ns2 ZRANGE k3 0 -1 WITHSCORES", "s2 ZREVRANGEBYSCORE k1 +inf 5",
        "s2 ZSCAN k1 0", "s2 ZRANDMEMBER k1 -3 WITHSCORES",
        "s2 MOVE k1 1\ns2 SELECT 1\ns2 ZSCORE k1 b"}) {
    const std::string text =
        "s1 ZADD k1 1 a 2 b\ns1 ZADD k2 3 b 4 c\ns1 PING\n" + std::string(read);
    EXPECT_TRUE(RunCommandProgram(Program(text)).verdict.ok) << text;
    const auto r = RunCommandProgram(Program(text), o);
    EXPECT_EQ(r.verdict.check, "reference") << text << "\n" << r.verdict.ToString();
    EXPECT_GE(r.verdict.step, 3) << text;
  }
}

// Both sides draw from the same seeded source: the same program draws the
// same on every run, another seed draws otherwise, and an engine whose source
// was moved one step is caught at its next draw.
TEST(CommandHandler, RandomChoicesFollowTheSharedSeed) {
  const std::string text =
      "s1 SADD k1 a b c d e f g h\ns1 HSET k2 f1 v1 f2 v2 f3 v3\ns1 ZADD k3 1 a 2 b 3 c 4 d\n"
      "s1 PING\ns1 SRANDMEMBER k1 3\ns1 SRANDMEMBER k1 -5\ns1 HRANDFIELD k2 -4 WITHVALUES\n"
      "s1 ZRANDMEMBER k3 2 WITHSCORES\ns1 SPOP k1 2\ns1 RANDOMKEY\ns1 SCARD k1\n";
  CommandRunOptions traced;
  traced.trace = true;
  const auto a = RunCommandProgram(Program(text), traced);
  const auto b = RunCommandProgram(Program(text), traced);
  ASSERT_TRUE(a.verdict.ok) << a.verdict.ToString();
  ASSERT_EQ(a.trace.size(), b.trace.size());
  for (size_t i = 0; i < a.trace.size(); ++i) EXPECT_EQ(a.trace[i].engine, b.trace[i].engine);
  CommandRunOptions other = traced;
  other.random_seed = traced.random_seed + 1;
  const auto c = RunCommandProgram(Program(text), other);
  ASSERT_TRUE(c.verdict.ok) << c.verdict.ToString();
  bool differs = false;
  for (size_t i = 4; i < c.trace.size(); ++i)
    differs = differs || c.trace[i].engine != a.trace[i].engine;
  EXPECT_TRUE(differs);
  CommandRunOptions skewed;
  skewed.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 3) e.NextRandom();
  };
  const auto r = RunCommandProgram(Program(text), skewed);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 4) << r.verdict.ToString();
}

// A negative count asks for that many draws with repeats: up to the
// harness's 2048 on both sides (a RESP2 WITHSCORES reply of 4096 elements,
// which hiredis reads), one more is refused (the reply's cap), on a non-empty
// key only.
TEST(CommandHandler, RepeatedDrawsStopAtTheCap) {
  CommandRunOptions o;
  o.trace = true;
  const auto r =
      RunCommandProgram(Program("s1 SRANDMEMBER k1 -2049\ns1 SADD k1 a b\ns1 ZADD k2 1 a\ns1 "
                                "ZRANDMEMBER k2 -2048 WITHSCORES\n"
                                "s1 SRANDMEMBER k1 -2049\ns1 ZRANDMEMBER k2 -2049 WITHSCORES\n"
                                "s1 HSET k3 f v\ns1 HRANDFIELD k3 -2049\n"),
                        o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 8u);
  EXPECT_EQ(r.trace[0].engine, "[]");
  EXPECT_NE(r.trace[3].engine.find("\"a\", \"1\", \"a\""), std::string::npos) << r.trace[3].engine;
  for (size_t i : {4, 5, 7}) {
    EXPECT_NE(r.trace[i].engine.find("ERR value is out of range"), std::string::npos)
        << r.trace[i].engine;
  }
}

TEST(CommandHandler, ValidateCheckCanFail) {
  CommandRunOptions o;
  o.corrupt_engine = [](size_t op, engine::Engine& e) {
    if (op == 1) e.keyspace().db(0).expires.Set("ghost", 1);  // a TTL for a key that does not exist
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

namespace respfuzz::harnesses {
namespace {

// CLIENT INFO: the fields the model keeps are compared (a wrong db is
// caught), those it does not (the fd, ages, buffers) are masked (a changed
// fd passes); inside EXEC too.
TEST(CommandHandler, ClientInfoComparesTheKeptFields) {
  const std::string text = "s1 SELECT 3\ns1 CLIENT INFO\n";
  EXPECT_TRUE(RunCommandProgram(Program(text)).verdict.ok);
  auto replace = [](std::string from, std::string to) {
    CommandRunOptions o;
    o.corrupt_reply = [from, to](size_t op, std::string* reply) {
      if (op != 1) return;
      const size_t at = reply->find(from);
      ASSERT_NE(at, std::string::npos) << *reply;
      reply->replace(at, from.size(), to);
    };
    return o;
  };
  auto r = RunCommandProgram(Program(text), replace(" db=3 ", " db=4 "));
  EXPECT_FALSE(r.verdict.ok);
  EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  r = RunCommandProgram(Program(text), replace(" fd=-1 ", " fd=77 "));
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  r = RunCommandProgram(Program(text), replace(" cmd=client|info ", " cmd=client|list "));
  EXPECT_FALSE(r.verdict.ok);
}

}  // namespace
}  // namespace respfuzz::harnesses

namespace respfuzz::harnesses {
namespace {

// The reference model's functions (reference_functions.cc) stop a library's
// load run and a function's run after 20,000,000 Lua instructions, counted
// in steps of 1000: a numeric for loop runs one VM instruction per
// iteration, so 19,900,000 iterations finish and 20,100,000 do not. The
// engine stops both at the same point with the same errors.
TEST(CommandHandler, FunctionInstructionCapsAtTheirBoundaries) {
  models::ReferenceModel model;
  auto load = [&](const std::string& name, const std::string& body) {
    return model.Execute(0, {"FUNCTION", "LOAD",
                             "#!lua name=" + name + "\n" + body + "\nredis.register_function('" +
                                 name + "', function() " + body + " return 1 end)"});
  };
  EXPECT_EQ(load("under", "").str, "under");
  EXPECT_EQ(load("loadok", "for i = 1, 19900000 do end").str, "loadok");
  const resp::Value killed = load("loadkilled", "for i = 1, 20100000 do end");
  EXPECT_EQ(killed.str, "ERR Error registering functions: ERR FUNCTION LOAD timeout");
  EXPECT_EQ(model.Execute(0, {"FCALL", "loadkilled", "0"}).str, "ERR Function not found");
  // A function's run: the library registers it without running it.
  EXPECT_EQ(model
                .Execute(0, {"FUNCTION", "LOAD",
                             "#!lua name=runs\nredis.register_function('ok', function() for i = 1, "
                             "19900000 do end return 1 end)\nredis.register_function('stop', "
                             "function() for i = 1, 20100000 do end return 1 end)"})
                .str,
            "runs");
  EXPECT_EQ(model.Execute(0, {"FCALL", "ok", "0"}).integer, 1);
  const resp::Value stopped = model.Execute(0, {"FCALL", "stop", "0"});
  EXPECT_EQ(stopped.str.rfind("ERR Script killed by user with SCRIPT KILL... script: stop, on "
                              "@user_function:",
                              0),
            0u)
      << stopped.str;
  // The next call starts with a fresh count; the library's state is intact.
  EXPECT_EQ(model.Execute(0, {"FCALL", "ok", "0"}).integer, 1);
  // The engine agrees on all of it.
  const CommandProgram p = Program(
      "s1 FUNCTION LOAD \"#!lua name=a\\nredis.register_function('ok', function() for i = 1, "
      "19900000 do end return 1 end)\"\n"
      "s1 FUNCTION LOAD \"#!lua name=b\\nredis.register_function('stop', function() for i = 1, "
      "20100000 do end return 1 end)\"\n"
      "s1 FCALL ok 0\ns1 FCALL stop 0\ns1 FCALL ok 0\n"
      "s1 FUNCTION LOAD \"#!lua name=x\\nfor i = 1, 20100000 do end\"\n");
  const auto r = RunCommandProgram(p);
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
}

}  // namespace
}  // namespace respfuzz::harnesses

namespace respfuzz::harnesses {
namespace {

// CLIENT PAUSE on both sides (the model's reference_pause.cc): the seed
// corpus/command_handler/client_pause.txt runs clean, and each pause bug
// planted in the engine fails it where it shows: postponed INCRs given
// again newest first differ in what their sessions receive at the UNPAUSE;
// a PUBLISH run at once under a WRITE pause is not blocked as the model's.
TEST(CommandHandler, ClientPauseSeedAndPlantedPauseBugs) {
  std::ifstream in(std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "command_handler" /
                   "client_pause.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  const CommandProgram p = Program(ss.str());
  ASSERT_GT(p.ops.size(), 40u);
  const CommandRunResult clean = RunCommandProgram(p);
  EXPECT_TRUE(clean.verdict.ok) << clean.verdict.ToString();
  const std::pair<bool engine::EngineBugs::*, const char*> bugs[] = {
      {&engine::EngineBugs::pause_unblocks_newest_first, "s1 CLIENT UNPAUSE"},
      {&engine::EngineBugs::pause_write_runs_publish, "s3 PUBLISH ch m1"},
  };
  for (const auto& [bug, where] : bugs) {
    CommandRunOptions o;
    o.corrupt_engine = [bug](size_t op, engine::Engine& e) {
      if (op == 0) e.bugs_for_test().*bug = true;
    };
    const CommandRunResult r = RunCommandProgram(p, o);
    EXPECT_FALSE(r.verdict.ok) << where;
    EXPECT_EQ(r.verdict.check, "blocking") << r.verdict.ToString();
    EXPECT_NE(r.verdict.ToString().find(where), std::string::npos) << r.verdict.ToString();
  }
}

}  // namespace
}  // namespace respfuzz::harnesses
