// ACL in the engine (src/engine/acl.h, cmd_acl.cc): what the recordings
// (tests/recordings/acl_engine.json) cannot hold. A recording's sessions
// all connect before its first step, so a connection opened after
// requirepass (NOAUTH) and a client closed by ACL DELUSER are played here;
// the bytes were taken from redis-server 7.0.15 (2026-11-26).
#include "src/engine/acl.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/command_facts.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

TEST(Acl, HashIsSha256) {
  // FIPS 180-4 vectors and the padding boundaries (55, 56, 64 bytes).
  EXPECT_EQ(AclHashPassword(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(AclHashPassword("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(AclHashPassword(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(AclHashPassword(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(AclHashPassword(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(AclHashPassword(std::string(119, 'a')),
            "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  EXPECT_EQ(AclHashPassword(std::string(200, 'a')),
            "c2a908d98f5df987ade41b5fce213067efbcc21ef2240212a41e54b5e7c28ae5");
}

// A connection opened while the default user has a password must
// authenticate; HELLO without AUTH is refused, inside MULTI the NOAUTH
// flags the transaction. One opened before stays authenticated.
TEST(Acl, NoauthAfterRequirepass) {
  Engine e;
  const int a = e.OpenSession();
  EXPECT_EQ(Exec(e, a, {"CONFIG", "SET", "requirepass", "pw"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, a, {"PING"}), "+PONG\r\n");
  const int b = e.OpenSession();
  EXPECT_EQ(Exec(e, b, {"GET", "k"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(Exec(e, b, {"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(Exec(e, b, {"HELLO", "2"}),
            "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
            "the RESP protocol version at the same time\r\n");
  EXPECT_EQ(Exec(e, b, {"MULTI"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(Exec(e, b, {"AUTH", "nope"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(Exec(e, b, {"AUTH", "pw"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, b, {"PING"}), "+PONG\r\n");
  const int c = e.OpenSession();
  EXPECT_EQ(Exec(e, c, {"HELLO", "3", "AUTH", "default", "pw"}).substr(0, 3), "%7\r");
  EXPECT_EQ(Exec(e, c, {"PING"}), "+PONG\r\n");
  const int d = e.OpenSession();
  EXPECT_EQ(Exec(e, d, {"EXEC"}),
            "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n");
  // requirepass "" makes the default user nopass again: new connections
  // need no AUTH.
  EXPECT_EQ(Exec(e, a, {"CONFIG", "SET", "requirepass", ""}), "+OK\r\n");
  const int f = e.OpenSession();
  EXPECT_EQ(Exec(e, f, {"PING"}), "+PONG\r\n");
}

// ACL DELUSER closes the clients authenticated as the user: others at
// once, its own caller after the reply. Inside EXEC the caller's later
// replies are dropped (redis-server 7.0.15: MULTI, ACL DELUSER bob, PING,
// EXEC answers "*2\r\n:1\r\n" and closes).
TEST(Acl, DelUserClosesItsClients) {
  Engine e;
  const int admin = e.OpenSession();
  EXPECT_EQ(Exec(e, admin, {"ACL", "SETUSER", "bob", "on", "nopass", "+@all", "~*"}), "+OK\r\n");
  const int x = e.OpenSession();
  const int y = e.OpenSession();
  EXPECT_EQ(Exec(e, x, {"AUTH", "bob", "x"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, y, {"AUTH", "bob", "x"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, admin, {"ACL", "DELUSER", "bob"}), ":1\r\n");
  std::vector<int> killed = e.TakeKilled();
  std::sort(killed.begin(), killed.end());
  EXPECT_EQ(killed, (std::vector<int>{x, y}));
  EXPECT_FALSE(e.session(x).open);
  EXPECT_TRUE(e.session(admin).open);

  EXPECT_EQ(Exec(e, admin, {"ACL", "SETUSER", "bob", "on", "nopass", "+@all", "~*"}), "+OK\r\n");
  const int z = e.OpenSession();
  EXPECT_EQ(Exec(e, z, {"AUTH", "bob", "x"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, z, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, z, {"ACL", "DELUSER", "bob"}), "+QUEUED\r\n");
  EXPECT_EQ(Exec(e, z, {"PING"}), "+QUEUED\r\n");
  EXPECT_EQ(Exec(e, z, {"EXEC"}), "*2\r\n:1\r\n");
  EXPECT_TRUE(e.session(z).close_after_reply);
  EXPECT_TRUE(e.TakeKilled().empty());
  EXPECT_EQ(Exec(e, z, {"PING"}), "");  // no more commands
}

// ACL CAT <category> lists 7.0.15's commands of the category (the server
// answers in its dict's order; the recordings cannot compare it).
TEST(Acl, CatListsTheCategorysCommands) {
  Engine e;
  const int s = e.OpenSession();
  auto names = [&](const std::string& cat) {
    std::vector<std::string> out;
    EXPECT_TRUE(e.acl().CategoryCommands(cat, &out));
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(names("transaction"),
            (std::vector<std::string>{"discard", "exec", "multi", "unwatch", "watch"}));
  EXPECT_EQ(names("HyperLogLog"),
            (std::vector<std::string>{"pfadd", "pfcount", "pfdebug", "pfmerge", "pfselftest"}));
  std::vector<std::string> none;
  EXPECT_FALSE(e.acl().CategoryCommands("nocat", &none));
  EXPECT_EQ(Exec(e, s, {"ACL", "CAT", "transaction"}).substr(0, 4), "*5\r\n");
}

// The checks can fail: a user without the command, the key or the channel
// is refused at dispatch, in scripts and by redis.acl_check_cmd, and the
// same user with them is not (a check that always answers OK fails here).
TEST(Acl, ChecksRefuseAndAllow) {
  Engine e;
  const int s = e.OpenSession();
  EXPECT_EQ(Exec(e, s, {"ACL", "SETUSER", "bob", "on", "nopass", "+@all", "-hset", "~x*", "&c"}),
            "+OK\r\n");
  const AclUser* bob = e.acl().Find("bob");
  ASSERT_NE(bob, nullptr);
  size_t idx = 99;
  const std::vector<std::string> set_x = {"set", "x1", "v"};
  const std::vector<std::string> set_y = {"set", "y1", "v"};
  const std::vector<std::string> hset = {"hset", "x1", "f", "v"};
  const std::vector<std::string> pub = {"publish", "d", "m"};
  EXPECT_EQ(e.acl().Check(*bob, *LookupCommandFact(set_x), set_x, &idx), AclResult::kOk);
  EXPECT_EQ(e.acl().Check(*bob, *LookupCommandFact(set_y), set_y, &idx), AclResult::kDeniedKey);
  EXPECT_EQ(idx, 1u);
  EXPECT_EQ(e.acl().Check(*bob, *LookupCommandFact(hset), hset, &idx), AclResult::kDeniedCmd);
  EXPECT_EQ(e.acl().Check(*bob, *LookupCommandFact(pub), pub, &idx), AclResult::kDeniedChannel);
  EXPECT_EQ(Exec(e, s, {"AUTH", "bob", "x"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"SET", "y1", "v"}),
            "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
  EXPECT_EQ(Exec(e, s, {"EVAL", "return redis.acl_check_cmd('set','y',1)", "0"}), "$-1\r\n");
  EXPECT_EQ(Exec(e, s, {"EVAL", "return redis.acl_check_cmd('set','x',1)", "0"}), ":1\r\n");
  EXPECT_EQ(Exec(e, s, {"EVAL", "return redis.pcall('hset','x','f','v')", "0"}),
            "-ERR The user executing the script can't run this command or subcommand\r\n");
  EXPECT_EQ(Exec(e, s, {"EVAL", "return redis.pcall('set','x','v')", "0"}), "+OK\r\n");
}

// CLIENT INFO names the session's user; CLIENT KILL USER closes its
// sessions (redis-server 7.0.15: user=bob, and :1 for the one other).
TEST(Acl, ClientInfoAndKillByUser) {
  Engine e;
  const int a = e.OpenSession();
  const int b = e.OpenSession();
  EXPECT_EQ(Exec(e, a, {"ACL", "SETUSER", "bob", "on", "nopass", "+@all", "~*"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, b, {"AUTH", "bob", "x"}), "+OK\r\n");
  EXPECT_NE(Exec(e, b, {"CLIENT", "INFO"}).find(" user=bob "), std::string::npos);
  EXPECT_NE(Exec(e, a, {"CLIENT", "INFO"}).find(" user=default "), std::string::npos);
  EXPECT_EQ(Exec(e, a, {"CLIENT", "KILL", "USER", "bob"}), ":1\r\n");
  EXPECT_EQ(e.TakeKilled(), std::vector<int>{b});
}

// ACL SETUSER that takes channels away closes the user's subscribed
// clients whose subscriptions the new channels no longer allow
// (redis-server 7.0.15: after "resetchannels &x" the clients subscribed to
// ch1 and to the pattern ch* are gone, the one subscribed to x stays).
TEST(Acl, SetUserClosesSubscribersOfRevokedChannels) {
  Engine e;
  const int a = e.OpenSession();
  EXPECT_EQ(Exec(e, a, {"ACL", "SETUSER", "bob", "on", "nopass", "+@all", "~*", "&ch*", "&x"}),
            "+OK\r\n");
  const int b = e.OpenSession();
  const int c = e.OpenSession();
  const int d = e.OpenSession();
  for (int s : {b, c, d}) EXPECT_EQ(Exec(e, s, {"AUTH", "bob", "x"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, b, {"SUBSCRIBE", "ch1"}), "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n");
  EXPECT_EQ(Exec(e, c, {"SUBSCRIBE", "x"}), "*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n");
  EXPECT_EQ(Exec(e, d, {"PSUBSCRIBE", "ch*"}), "*3\r\n$10\r\npsubscribe\r\n$3\r\nch*\r\n:1\r\n");
  EXPECT_EQ(Exec(e, a, {"ACL", "SETUSER", "bob", "&ch*", "&y"}), "+OK\r\n");  // still covered
  EXPECT_TRUE(e.TakeKilled().empty());
  EXPECT_EQ(Exec(e, a, {"ACL", "SETUSER", "bob", "resetchannels", "&x"}), "+OK\r\n");
  std::vector<int> killed = e.TakeKilled();
  std::sort(killed.begin(), killed.end());
  EXPECT_EQ(killed, (std::vector<int>{b, d}));
  EXPECT_EQ(Exec(e, c, {"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
}

// The same for CLIENT KILL of the caller inside EXEC (redis-server 7.0.15:
// MULTI, CLIENT KILL ID <own> SKIPME no, PING, EXEC answers "*2\r\n:1\r\n").
TEST(Acl, ClientKillSelfInsideExecDropsLaterReplies) {
  Engine e;
  const int x = e.OpenSession();
  const std::string id = std::to_string(e.session(x).id);
  EXPECT_EQ(Exec(e, x, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, x, {"CLIENT", "KILL", "ID", id, "SKIPME", "no"}), "+QUEUED\r\n");
  EXPECT_EQ(Exec(e, x, {"PING"}), "+QUEUED\r\n");
  EXPECT_EQ(Exec(e, x, {"EXEC"}), "*2\r\n:1\r\n");
  EXPECT_TRUE(e.session(x).close_after_reply);
}

}  // namespace
}  // namespace respfuzz::engine
