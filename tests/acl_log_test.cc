// The ACL log (src/engine/acl_log.cc, and the reference model's in
// harnesses/models/reference_acl.cc). The facts were recorded from
// redis-server 7.0.15 by hand (2026-11-27, redis-cli on a fresh server):
// a failed AUTH queued in MULTI is logged at EXEC in context "multi", with
// the object "AUTH" as sent, the user it named, and the client's line of
// that moment (flags=x multi=1 multi-mem=36 cmd=exec user=default); a
// failed HELLO AUTH names "HELLO"; a script's refused call is "lua" with
// the caller's line (cmd=eval); a key refused while queueing is "multi"
// (flags=x multi=0); a channel is its name. The grouping (60 s, the ten
// newest) and acllog-max-len are acl.c's addACLLogEntry.
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "harnesses/models/reference_model.h"
#include "src/engine/engine.h"
#include "tests/command_program_text.h"

namespace respfuzz {
namespace {

using engine::Engine;

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

bool Has(const std::string& line, const std::string& field) {
  return (" " + line + " ").find(" " + field + " ") != std::string::npos;
}

TEST(AclLogTest, EntriesAsRedisWritesThem) {
  Engine e;
  const int admin = e.OpenSession();
  const int a = e.OpenSession();
  const int b = e.OpenSession();
  Exec(e, admin,
       {"acl", "setuser", "alice", "on", ">p1", "~k1", "&ch1", "+get", "+set", "+publish", "+multi",
        "+exec", "+discard", "+eval", "+hello", "+auth"});
  Exec(e, b, {"MULTI"});
  Exec(e, b, {"AUTH", "alice", "bad"});
  Exec(e, b, {"EXEC"});
  Exec(e, b, {"HELLO", "3", "AUTH", "nosuch", "x"});
  EXPECT_EQ(Exec(e, a, {"AUTH", "alice", "p1"}), "+OK\r\n");
  Exec(e, a, {"MULTI"});
  Exec(e, a, {"GET", "k3"});
  Exec(e, a, {"DISCARD"});
  Exec(e, a, {"EVAL", "return redis.pcall('lpush','k1','x')", "0"});
  Exec(e, a, {"PUBLISH", "ch2", "x"});
  // redis.acl_check_cmd and NOAUTH log nothing; neither does AUTH of the
  // default user without a password configured.
  Exec(e, a, {"EVAL", "return redis.acl_check_cmd('lpush','k1','x')", "0"});
  Exec(e, admin, {"AUTH", "x"});
  const auto& log = e.acl_log();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[0].reason, engine::AclResult::kDeniedChannel);
  EXPECT_EQ(log[0].context, "toplevel");
  EXPECT_EQ(log[0].object, "ch2");
  EXPECT_TRUE(Has(log[0].cinfo, "cmd=publish")) << log[0].cinfo;
  EXPECT_EQ(log[1].reason, engine::AclResult::kDeniedCmd);
  EXPECT_EQ(log[1].context, "lua");
  EXPECT_EQ(log[1].object, "lpush");
  EXPECT_EQ(log[1].username, "alice");
  EXPECT_TRUE(Has(log[1].cinfo, "cmd=eval")) << log[1].cinfo;
  EXPECT_EQ(log[2].reason, engine::AclResult::kDeniedKey);
  EXPECT_EQ(log[2].context, "multi");
  EXPECT_EQ(log[2].object, "k3");
  EXPECT_TRUE(Has(log[2].cinfo, "flags=x") && Has(log[2].cinfo, "multi=0")) << log[2].cinfo;
  EXPECT_EQ(log[3].reason, engine::AclResult::kDeniedAuth);
  EXPECT_EQ(log[3].context, "toplevel");
  EXPECT_EQ(log[3].object, "HELLO");
  EXPECT_EQ(log[3].username, "nosuch");
  EXPECT_TRUE(Has(log[3].cinfo, "cmd=hello") && Has(log[3].cinfo, "resp=2")) << log[3].cinfo;
  EXPECT_EQ(log[4].reason, engine::AclResult::kDeniedAuth);
  EXPECT_EQ(log[4].context, "multi");
  EXPECT_EQ(log[4].object, "AUTH");
  EXPECT_EQ(log[4].username, "alice");
  for (const char* f : {"flags=x", "multi=1", "multi-mem=36", "cmd=exec", "user=default"}) {
    EXPECT_TRUE(Has(log[4].cinfo, f)) << f << " in " << log[4].cinfo;
  }
  // The reply: RESP2 maps as flat arrays, the age a double as a bulk.
  e.AdvanceClock(1500);
  const std::string reply = Exec(e, admin, {"ACL", "LOG", "1"});
  EXPECT_EQ(reply.rfind("*1\r\n*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$7\r\nchannel\r\n", 0),
            0u)
      << reply;
  EXPECT_NE(reply.find("$11\r\nage-seconds\r\n$3\r\n1.5\r\n"), std::string::npos) << reply;
  EXPECT_EQ(Exec(e, admin, {"ACL", "LOG", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Exec(e, admin, {"ACL", "LOG", "1", "2"}),
            "-ERR unknown subcommand or wrong number of arguments for 'LOG'. Try ACL HELP.\r\n");
  EXPECT_EQ(Exec(e, admin, {"ACL", "LOG", "-1"}), "*0\r\n");
  EXPECT_EQ(Exec(e, admin, {"ACL", "log", "Reset"}), "+OK\r\n");
  EXPECT_TRUE(e.acl_log().empty());
}

// The same event within 60 s among the ten newest entries is one entry;
// acllog-max-len cuts the log when a new entry comes, at its boundary.
TEST(AclLogTest, GroupingAndItsLength) {
  Engine e;
  const int admin = e.OpenSession();
  const int a = e.OpenSession();
  Exec(e, admin, {"acl", "setuser", "alice", "on", "nopass", "~k1", "+get"});
  Exec(e, a, {"AUTH", "alice", "x"});
  Exec(e, a, {"GET", "k2"});
  e.AdvanceClock(60000);
  Exec(e, a, {"GET", "k2"});  // 60 s apart: the same entry
  ASSERT_EQ(e.acl_log().size(), 1u);
  EXPECT_EQ(e.acl_log()[0].count, 2u);
  e.AdvanceClock(60001);
  Exec(e, a, {"GET", "k2"});  // 60.001 s after its last time: a new one
  ASSERT_EQ(e.acl_log().size(), 2u);
  EXPECT_EQ(e.acl_log()[0].count, 1u);
  // Ten other entries in front: the eleventh newest is not looked at.
  Exec(e, admin, {"ACL", "LOG", "RESET"});
  Exec(e, a, {"GET", "k2"});
  for (int i = 0; i < 10; ++i) Exec(e, a, {"GET", "x" + std::to_string(i)});
  Exec(e, a, {"GET", "k2"});
  ASSERT_EQ(e.acl_log().size(), 12u);
  Exec(e, a, {"GET", "x1"});  // the tenth newest: grouped
  ASSERT_EQ(e.acl_log().size(), 12u);
  EXPECT_EQ(e.acl_log()[0].object, "x1");
  EXPECT_EQ(e.acl_log()[0].count, 2u);
  Exec(e, a, {"GET", "x0"});  // the eleventh: a new entry
  ASSERT_EQ(e.acl_log().size(), 13u);
  // acllog-max-len 3: kept until the next new entry, then cut to 3.
  Exec(e, admin, {"CONFIG", "SET", "acllog-max-len", "3"});
  EXPECT_EQ(e.acl_log().size(), 13u);
  Exec(e, a, {"GET", "x0"});
  EXPECT_EQ(e.acl_log().size(), 13u);  // grouped: nothing cut
  Exec(e, a, {"GET", "y"});
  EXPECT_EQ(e.acl_log().size(), 3u);
  EXPECT_EQ(e.acl_log()[0].object, "y");
  // 0: every new entry goes at once.
  Exec(e, admin, {"CONFIG", "SET", "acllog-max-len", "0"});
  Exec(e, a, {"GET", "z"});
  EXPECT_TRUE(e.acl_log().empty());
  EXPECT_EQ(Exec(e, admin, {"CONFIG", "SET", "acllog-max-len", "-1"}).rfind("-ERR", 0), 0u);
}

// The reference model keeps its own log (reference_acl.cc); the harness
// compares ACL LOG on both sides, the client lines masked as CLIENT INFO's.
TEST(AclLogTest, TheModelWritesTheSameLog) {
  models::ReferenceModel model;
  EXPECT_EQ(model.Execute(0, {"ACL", "SETUSER", "alice", "on", ">p1", "~k1", "+get"}).str, "OK");
  model.Execute(1, {"MULTI"});
  model.Execute(1, {"AUTH", "alice", "bad"});
  model.Execute(1, {"EXEC"});
  const resp::Value log = model.Execute(0, {"ACL", "LOG"});
  ASSERT_EQ(log.elems.size(), 1u);
  const auto& f = log.elems[0].elems;
  ASSERT_EQ(f.size(), 14u);
  EXPECT_EQ(f[3].str, "auth");
  EXPECT_EQ(f[5].str, "multi");
  EXPECT_EQ(f[7].str, "AUTH");
  EXPECT_EQ(f[9].str, "alice");
  for (const char* field : {"flags=x", "multi=1", "multi-mem=36", "cmd=exec", "user=default"}) {
    EXPECT_TRUE(Has(f[13].str, field)) << field << " in " << f[13].str;
  }
}

// A log the engine gets wrong fails the harness's reference check at the
// next ACL LOG: an entry lost, an entry added, a count off by one.
TEST(AclLogTest, TheHarnessComparesTheLog) {
  const std::string program =
      "s1 ACL SETUSER alice on nopass ~k1 +get\n"
      "s2 AUTH alice x\n"
      "s2 GET k2\n"
      "s2 GET k2\n"
      "s1 ACL LOG\n";
  EXPECT_TRUE(harnesses::RunCommandProgram(harnesses::Program(program)).verdict.ok);
  const std::vector<std::function<void(Engine&)>> broken = {
      [](Engine& e) { e.AclLogReset(); },
      [](Engine& e) {
        Engine::AclLogEntry le;
        le.object = "k9";
        le.context = "toplevel";
        e.AclLogAdd(le);
      },
      [](Engine& e) {
        Engine::AclLogEntry le = e.acl_log().front();
        e.AclLogReset();
        le.count++;
        e.AclLogAdd(le);
      },
  };
  for (const auto& b : broken) {
    harnesses::CommandRunOptions o;
    o.corrupt_engine = [&b](size_t op, Engine& e) {
      if (op == 3) b(e);
    };
    const harnesses::CommandRunResult r =
        harnesses::RunCommandProgram(harnesses::Program(program), o);
    EXPECT_EQ(r.verdict.check, "reference") << r.verdict.ToString();
    EXPECT_EQ(r.verdict.step, 4) << r.verdict.ToString();
  }
}

}  // namespace
}  // namespace respfuzz
