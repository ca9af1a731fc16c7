// ACL in the reference model (harnesses/models/reference_acl.cc) and its
// ops in the command_handler harness, which compares them once
// kAclCompared is on (the engine's ACL merged). tests/recordings/acl.json
// checks the model against redis-server 7.0.15 byte for byte; these tests
// check the harness's side: the switch, the seed, the ACL words of the
// byte form, and the canonical forms of the replies whose order or content
// the server leaves open.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "harnesses/models/reference_model.h"
#include "tests/command_program_text.h"

namespace respfuzz::harnesses {
namespace {

using resp::Value;

std::string AclSeed() {
  const std::filesystem::path path =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "command_handler" / "acl.txt";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One switch puts every ACL op outside the model while the engine has no ACL.
TEST(AclModel, AclOpsAreBehindOneSwitch) {
  EXPECT_EQ(OutsideTheModel({"ACL", "WHOAMI"}), !kAclCompared);
  EXPECT_EQ(OutsideTheModel({"acl", "setuser", "alice", "on"}), !kAclCompared);
  EXPECT_EQ(OutsideTheModel({"AUTH", "p1"}), !kAclCompared);
  EXPECT_EQ(OutsideTheModel({"CONFIG", "SET", "requirepass", "p1"}), !kAclCompared);
  EXPECT_EQ(OutsideTheModel({"CONFIG", "SET", "maxmemory", "0", "REQUIREPASS", "x"}),
            !kAclCompared);
  EXPECT_EQ(OutsideTheModel({"CONFIG", "GET", "require*"}), !kAclCompared);
  EXPECT_EQ(OutsideTheModel({"config", "get", "*"}), !kAclCompared);
  EXPECT_FALSE(OutsideTheModel({"CONFIG", "GET", "maxmemory"}));
  EXPECT_FALSE(OutsideTheModel({"CONFIG", "SET", "maxmemory", "0"}));
  EXPECT_FALSE(OutsideTheModel({"HELLO", "3", "AUTH", "default", "x"}));
  EXPECT_FALSE(OutsideTheModel({"ACLX"}));
  EXPECT_FALSE(OutsideTheModel({"AUTHX", "p1"}));
}

// The seed is a program of the byte form, with its ACL words picked from
// kAclWords; it runs clean (its ACL ops skipped while the switch is off).
TEST(AclModel, SeedRoundTripsAndRunsClean) {
  const CommandProgram p = Program(AclSeed());
  ASSERT_GT(p.ops.size(), 40u);
  EXPECT_EQ(DecodeCommandProgram(EncodeCommandProgram(p)), p);
  // ACL words are one byte each in an ACL op: SETUSER, alice, on, >p1, ~k1.
  const std::string one = EncodeCommandProgram(Program("s1 ACL SETUSER alice on >p1 ~k1\n"));
  EXPECT_EQ(one.size(), 2u + 1u + 5u);
  // The same word outside an ACL op is a literal.
  const std::string get = EncodeCommandProgram(Program("s1 GET SETUSER\n"));
  EXPECT_EQ(get.size(), 2u + 1u + 1u + 7u);
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r = RunCommandProgram(p, o);
  EXPECT_TRUE(r.verdict.ok) << r.verdict.ToString();
  if (!kAclCompared) {
    EXPECT_EQ(r.trace[0].engine, "(skipped)");
  }
}

// On the model alone the seed's ACL ops answer as redis-server 7.0.15 does
// (the same texts as tests/recordings/acl.json).
TEST(AclModel, SeedOnTheModelAlone) {
  const CommandProgram p = Program(AclSeed());
  models::ReferenceOptions ro;
  ro.sessions = kMaxSessions;
  models::ReferenceModel model(ro);
  std::vector<std::string> got;
  for (const Op& op : p.ops) {
    if (op.kind == OpKind::kClock) model.AdvanceClock(op.clock_ms);
    if (op.kind != OpKind::kCommand) continue;
    const Value v = model.Execute(op.session, op.argv);
    EXPECT_EQ(v.str.find("unknown"), std::string::npos) << OpToText(op) << ": " << v.str;
    std::string text = v.str;
    for (const Value& e : v.elems) text += (text.empty() ? "" : " | ") + e.str;
    got.push_back(OpToText(op) + " -> " + text);
  }
  auto has = [&](const std::string& line) {
    for (const std::string& g : got) {
      if (g == line) return true;
    }
    std::string all;
    for (const std::string& g : got) all += g + "\n";
    ADD_FAILURE() << "no '" << line << "' in\n" << all;
    return false;
  };
  has("s2 ACL WHOAMI -> alice");
  has("s2 GET k2 -> ");  // %R~k2 reads
  has("s2 SET k2 v1 -> NOPERM this user has no permissions to access one of the keys used as "
      "arguments");
  has("s2 HSET k1 f1 v1 -> NOPERM this user has no permissions to run the 'hset' command");
  has("s2 PUBLISH x x -> NOPERM this user has no permissions to access one of the channels "
      "used as arguments");
  has("s1 ACL DRYRUN alice set k3 v1 -> This user has no permissions to access the 'k3' key");
  has("s1 ACL SETUSER bob +client|id|x -> ERR Error in ACL SETUSER modifier '+client|id|x': "
      "Allowing first-arg of a subcommand is not supported");
  has("s4 GET k1 -> NOAUTH Authentication required.");
  has("s4 AUTH p2 -> WRONGPASS invalid username-password pair or user is disabled.");
  const std::string changed =
      "NOPERM ACLs rules changed between the moment the transaction was accumulated and the "
      "EXEC call. This command is no longer allowed for the following reason: no permission to "
      "touch the specified keys";
  has("s2 EXEC -> " + changed + " | " + changed);
  has("s2 EVAL \"return redis.call('get','k1')\" 0 -> ERR The user executing the script can't "
      "access at least one of the keys mentioned in the command arguments script: "
      "97a8c622c96716f456b9b29b31243e52eeafb1c2, on @user_script:1.");
  has("s2 EVAL \"return redis.acl_check_cmd('get','k1')\" 0 -> ");
  has("s3 GET k1 -> NOPERM this user has no permissions to run the 'get' command");
  has("s1 ACL DELUSER alice bob nosuch -> ");
}

// CLIENT INFO's user field is the session's user (redis-server 7.0.15:
// "user=zed" after AUTH zed).
TEST(AclModel, ClientInfoNamesTheUser) {
  models::ReferenceModel model;
  EXPECT_EQ(model.Execute(0, {"ACL", "SETUSER", "zed", "on", "nopass", "+@all"}).str, "OK");
  EXPECT_NE(model.Execute(0, {"CLIENT", "INFO"}).str.find(" user=default "), std::string::npos);
  EXPECT_EQ(model.Execute(0, {"AUTH", "zed", "x"}).str, "OK");
  EXPECT_NE(model.Execute(0, {"CLIENT", "INFO"}).str.find(" user=zed "), std::string::npos);
  EXPECT_EQ(model.Execute(0, {"RESET"}).str, "RESET");
  EXPECT_NE(model.Execute(0, {"CLIENT", "INFO"}).str.find(" user=default "), std::string::npos);
}

// ACL LIST and GETUSER: the single-command rules in one order on both sides
// (the server's is its dict's); a different rule still differs.
TEST(AclModel, RulesAreComparedUpToTheServersOrder) {
  auto list = [](const std::string& line) {
    Value v = Value::Aggregate(resp::Type::kArray, {Value::Bulk(line)});
    CanonicalizeReply({"ACL", "LIST"}, &v);
    return v.elems[0].str;
  };
  EXPECT_EQ(list("user u off resetchannels -@all +get +client -client|id +set"),
            list("user u off resetchannels -@all +set +client -client|id +get"));
  EXPECT_EQ(list("user u off resetchannels -@all +@hash +get -hdel"),
            list("user u off resetchannels -@all +@hash -hdel +get"));
  EXPECT_NE(list("user u off resetchannels -@all +get +set"),
            list("user u off resetchannels -@all +get -set"));
  EXPECT_NE(list("user u off resetchannels -@all +@hash +get"),
            list("user u off resetchannels -@all +@list +get"));
  auto commands = [](const std::string& rules) {
    Value v = Value::Aggregate(
        resp::Type::kArray,
        {Value::Bulk("flags"), Value::Aggregate(resp::Type::kArray, {}), Value::Bulk("passwords"),
         Value::Aggregate(resp::Type::kArray, {}), Value::Bulk("commands"), Value::Bulk(rules)});
    CanonicalizeReply({"ACL", "GETUSER", "u"}, &v);
    return v.elems[5].str;
  };
  EXPECT_EQ(commands("+@all -get -set"), commands("+@all -set -get"));
  EXPECT_NE(commands("+@all -get -set"), commands("+@all -get +set"));
  auto genpass = [](const std::string& pass) {
    Value v = Value::Bulk(pass);
    CanonicalizeReply({"ACL", "GENPASS"}, &v);
    return v.str;
  };
  EXPECT_EQ(genpass("0a1f"), genpass("99ee"));
  EXPECT_NE(genpass("0a1f"), genpass("0a1f0"));
  EXPECT_NE(genpass("0a1f"), genpass("0a1g"));
  auto cat = [](std::vector<std::string> names) {
    std::vector<Value> elems;
    for (const std::string& n : names) elems.push_back(Value::Bulk(n));
    Value v = Value::Aggregate(resp::Type::kArray, std::move(elems));
    CanonicalizeReply({"ACL", "CAT", "hash"}, &v);
    return v;
  };
  EXPECT_EQ(cat({"hget", "hset"}), cat({"hset", "hget"}));
  EXPECT_NE(cat({"hget", "hset"}), cat({"hset", "hdel"}));
}

// The harness compares ACL GENPASS by its shape: the engine's and the
// model's random hex agree when alone and inside EXEC; a password one
// character short, or with a character that is no lowercase hex digit,
// fails the reference check.
TEST(AclModel, GenpassIsComparedByShapeInTheHarness) {
  if (!kAclCompared) GTEST_SKIP() << "ACL is outside the model";
  const CommandProgram p =
      Program("s1 ACL GENPASS\ns1 ACL GENPASS 5\ns1 MULTI\ns1 ACL GENPASS 64\ns1 EXEC\n");
  const CommandRunResult clean = RunCommandProgram(p);
  EXPECT_TRUE(clean.verdict.ok) << clean.verdict.ToString();
  auto broken = [&](size_t at, std::string (*change)(const std::string&)) {
    CommandRunOptions o;
    o.corrupt_reply = [at, change](size_t op, std::string* reply) {
      if (op == at) *reply = change(*reply);
    };
    const CommandRunResult r = RunCommandProgram(p, o);
    EXPECT_FALSE(r.verdict.ok) << "op " << at;
    EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
  };
  // "$64\r\n<64 hex>\r\n" as "$63\r\n<63 hex>\r\n".
  broken(0,
         [](const std::string& r) { return "$63\r\n" + r.substr(r.find('\n') + 1, 63) + "\r\n"; });
  broken(0, [](const std::string& r) {
    std::string out = r;
    out[r.find('\n') + 1] = 'g';
    return out;
  });
  broken(1, [](const std::string& r) {  // "$2\r\nxx\r\n": an upper-case digit
    std::string out = r;
    out[r.find('\n') + 1] = 'A';
    return out;
  });
  broken(4, [](const std::string& r) {  // EXEC's "*1\r\n$16\r\n...": a character short
    return "*1\r\n$15\r\n" + r.substr(r.rfind('\n', r.size() - 3) + 1, 15) + "\r\n";
  });
}

}  // namespace
}  // namespace respfuzz::harnesses
