// The reference model's scripting (harnesses/models/reference_scripting.cc):
// its SHA-1, the script cache, and conversions whose replies were read from
// redis-server 7.0.15 (redis-cli, 2026-11-25).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harnesses/models/reference_model.h"
#include "harnesses/models/reference_state.h"
#include "src/resp/value.h"

namespace respfuzz::models {
namespace {

using resp::Type;
using resp::Value;

TEST(ReferenceScriptingTest, Sha1Vectors) {
  // FIPS 180 examples, and a body whose sha a script cache holds.
  EXPECT_EQ(refmodel::ScriptSha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(refmodel::ScriptSha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(refmodel::ScriptSha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(refmodel::ScriptSha1Hex(std::string(1000, 'a')).size(), 40u);
}

TEST(ReferenceScriptingTest, CacheAndEvalsha) {
  ReferenceModel m;
  const std::string body = "return redis.call('get',KEYS[1])";
  const std::string sha = "fd758d1589d044dd850a6f05d52f2eefd27f033f";  // redis-server's
  EXPECT_EQ(m.Execute(0, {"EVALSHA", sha, "1", "k"}),
            Value::Error("NOSCRIPT No matching script. Please use EVAL."));
  EXPECT_EQ(m.Execute(0, {"SCRIPT", "LOAD", body}), Value::Bulk(sha));
  m.Execute(0, {"SET", "k", "v"});
  EXPECT_EQ(m.Execute(0, {"EVALSHA", "FD758D1589D044DD850A6F05D52F2EEFD27F033F", "1", "k"}),
            Value::Bulk("v"));
  EXPECT_EQ(m.Execute(0, {"SCRIPT", "FLUSH"}), Value::Simple("OK"));
  EXPECT_EQ(m.Execute(0, {"SCRIPT", "EXISTS", sha}),
            Value::Aggregate(Type::kArray, {Value::Integer(0)}));
  // EVAL caches the body even when the run fails.
  m.Execute(0, {"EVAL", "error('x')", "0"});
  EXPECT_EQ(m.Execute(0, {"SCRIPT", "EXISTS", refmodel::ScriptSha1Hex("error('x')")}),
            Value::Aggregate(Type::kArray, {Value::Integer(1)}));
}

TEST(ReferenceScriptingTest, ServerReplies) {
  ReferenceModel m;
  auto eval = [&](const std::string& body) { return m.Execute(0, {"EVAL", body, "0"}); };
  EXPECT_EQ(eval("return 3.99"), Value::Integer(3));
  EXPECT_EQ(eval("return -3.99"), Value::Integer(-3));
  EXPECT_EQ(eval("return 1e300"), Value::Integer(INT64_MIN));
  EXPECT_EQ(eval("return 0/0"), Value::Integer(INT64_MIN));
  EXPECT_EQ(eval("return false"), Value::Null(Type::kNullBulk));
  EXPECT_EQ(eval("return {err=1}"), Value::Aggregate(Type::kArray));
  EXPECT_EQ(eval("return redis.error_reply('bad')"), Value::Error("ERR bad"));
  EXPECT_EQ(eval("return redis.status_reply()"),
            Value::Error("ERR wrong number or type of arguments"));
  EXPECT_EQ(eval("error('boom')"),
            Value::Error("ERR user_script:1: boom script: "
                         "82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1."));
  EXPECT_EQ(eval("x = 1 return x"),
            Value::Error("ERR user_script:1: Attempt to modify a readonly table script: "
                         "ef25d5f8b9e2ebcda2024841801c7ce4671f7f57, on @user_script:1."));
  EXPECT_EQ(eval("return type(print)"),
            Value::Error("ERR user_script:1: Script attempted to access nonexistent global "
                         "variable 'print' script: 296aa29e565df267b5e30e498f3872c9f9e8e8cc, on "
                         "@user_script:1."));
  EXPECT_EQ(eval("error(nil)"), Value::Error("ERR nil script: "
                                             "c402aa49952c86c38f35fb311d54977d08f3bf01, on "
                                             "@user_script:1."));
  EXPECT_EQ(eval("retur"), Value::Error("ERR Error compiling script (new function): "
                                        "user_script:1: '=' expected near '<eof>'"));
  EXPECT_EQ(eval("return redis.pcall('get')"),
            Value::Error("ERR Wrong number of args calling Redis command from script"));
  EXPECT_EQ(eval("return redis.call('blpop','l',0)"),
            Value::Error("ERR This Redis command is not allowed from script script: "
                         "121bfe1768bf66b7a31f0b044f99b2ef97079112, on @user_script:1."));
  EXPECT_EQ(eval("return redis.call('set','x',0.1)"), Value::Simple("OK"));
  EXPECT_EQ(eval("return redis.call('get','x')"), Value::Bulk("0.10000000000000001"));
  EXPECT_EQ(eval("local ok,e = pcall(redis.call,'get') return type(e)"), Value::Bulk("string"));
  EXPECT_EQ(eval("return {map={a=1}}"),
            Value::Aggregate(Type::kArray, {Value::Bulk("a"), Value::Integer(1)}));
  // A fresh server's math.random(100): 40, then 85, 36, 45 (rand.c's state,
  // never reset between scripts; seen on a fresh redis-server 7.0.15).
  EXPECT_EQ(eval("return math.random(100)"), Value::Integer(40));
  EXPECT_EQ(eval("return math.random(100)"), Value::Integer(85));
  EXPECT_EQ(eval("return {math.random(100),math.random(100)}"),
            Value::Aggregate(Type::kArray, {Value::Integer(36), Value::Integer(45)}));
}

TEST(ReferenceScriptingTest, ReadOnlyAndFlags) {
  ReferenceModel m;
  EXPECT_EQ(m.Execute(0, {"EVAL_RO", "return redis.call('publish','c','m')", "0"}),
            Value::Error("ERR Write commands are not allowed from read-only scripts. script: "
                         "3a955b6d325623c001913b7b9046420fd9d06fc8, on @user_script:1."));
  EXPECT_EQ(m.Execute(0, {"EVAL_RO", "#!lua\nreturn 1", "0"}),
            Value::Error("ERR Can not execute a script with write flag using *_ro command."));
  EXPECT_EQ(m.Execute(0, {"EVAL", "#!lua flags=bogus\nreturn 1", "0"}),
            Value::Error("ERR Unexpected flag in script shebang: bogus"));
  EXPECT_EQ(m.Execute(0, {"EVAL", "#!lua flags=no-writes\nreturn 2", "0"}), Value::Integer(2));
  EXPECT_EQ(m.Execute(0, {"EVAL", "return 1", "2", "k"}),
            Value::Error("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(m.Execute(0, {"EVAL", "return 1", "-1"}),
            Value::Error("ERR Number of keys can't be negative"));
  // GEO's writes (reference_geo.cc) are writes to a script; its reads are
  // not (replies of redis-server 7.0.15).
  EXPECT_EQ(m.Execute(0, {"EVAL_RO", "return redis.call('geoadd',KEYS[1],'1','1','a')", "1", "gk"}),
            Value::Error("ERR Write commands are not allowed from read-only scripts. script: "
                         "1afad2d91d0dd19f48d8d94c5d24b9b64151d879, on @user_script:1."));
  EXPECT_EQ(m.Execute(0, {"EVAL_RO",
                          "return redis.call('geosearchstore',KEYS[1],KEYS[1],'FROMLONLAT','1','1',"
                          "'BYRADIUS','1','km')",
                          "1", "gk"}),
            Value::Error("ERR Write commands are not allowed from read-only scripts. script: "
                         "c49062592f80ed7eae480656ff5d20c25b5998a4, on @user_script:1."));
  EXPECT_EQ(m.Execute(0, {"EVAL_RO",
                          "return redis.call('geosearch',KEYS[1],'FROMLONLAT','1','1','BYRADIUS',"
                          "'1','km')",
                          "1", "gk"}),
            Value::Aggregate(Type::kArray));
}

}  // namespace
}  // namespace respfuzz::models
