// MIGRATE (src/engine/migrate.cc) in process: the target is a second engine
// behind a NetHost that parses what MIGRATE writes and answers with that
// engine's replies, and that can drop the connection or stall, so the socket
// cache, SELECT's omission on a cached connection, the one retry after a
// stale connection and the timeout that is not retried are seen without
// I/O. The replies and the written commands are redis-server 7.0.15's
// (cluster.c migrateCommand), as tests/serve_migrate_test.sh compares them
// over sockets.
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"
#include "src/resp/request.h"

namespace respfuzz::engine {
namespace {

constexpr int64_t kStart = 1'795'851'319'829;

EngineOptions At(int64_t ms) {
  EngineOptions o;
  o.start_ms = ms;
  return o;
}

// The target: a second engine. Each connection has its own session; what
// MIGRATE writes is parsed and run, the replies queued for its reads.
class EngineTarget : public NetHost {
 public:
  Engine target{At(kStart)};
  int connects = 0;
  std::vector<std::vector<std::string>> commands;  // every command received
  bool refuse = false;                             // BlockingConnect fails
  // The connection was closed by the target: what is written next is lost,
  // the next read fails.
  bool drop_next = false;
  bool stall_next = false;  // the next read times out

  int BlockingConnect(const std::string& host, int port, int64_t timeout_ms) override {
    (void)timeout_ms;
    if (refuse || host != "127.0.0.1" || port != 6380) return -1;
    ++connects;
    conns_.push_back({target.OpenSession(), resp::RequestParser(), ""});
    return static_cast<int>(conns_.size()) - 1;
  }
  int SyncWrite(int conn, std::string_view bytes, int64_t timeout_ms) override {
    (void)timeout_ms;
    Conn& c = conns_.at(conn);
    if (drop_next) return 0;  // into the kernel's buffer, never read
    std::vector<resp::Request> reqs;
    if (!c.parser.Feed(bytes, &reqs)) return -EPROTO;
    for (const resp::Request& r : reqs) {
      commands.push_back(r.argv);
      target.Execute(c.session, r.argv, &c.replies);
    }
    return 0;
  }
  int SyncRead(int conn, char* buf, size_t len, int64_t timeout_ms) override {
    (void)timeout_ms;
    Conn& c = conns_.at(conn);
    if (drop_next) {
      drop_next = false;
      return -ECONNRESET;
    }
    if (stall_next) {
      stall_next = false;
      return -ETIMEDOUT;
    }
    if (c.replies.size() < len) return -ETIMEDOUT;
    std::memcpy(buf, c.replies.data(), len);
    c.replies.erase(0, len);
    return 0;
  }
  void CloseConnection(int conn) override {
    ++closes;
    conns_.at(conn).replies.clear();
  }
  int closes = 0;

 private:
  struct Conn {
    int session;
    resp::RequestParser parser;
    std::string replies;
  };
  std::vector<Conn> conns_;
};

struct Migrate {
  Engine e{At(kStart)};
  EngineTarget net;
  int s = e.OpenSession();
  Migrate() { e.SetNetHost(&net); }
  std::string Cmd(std::vector<std::string> argv, Engine* on = nullptr) {
    std::string out;
    Engine& eng = on == nullptr ? e : *on;
    eng.Execute(on == nullptr ? s : tsession, argv, &out);
    return out;
  }
  std::string Target(std::vector<std::string> argv) { return Cmd(std::move(argv), &net.target); }
  std::string CachedSockets() {
    const std::string info = Cmd({"INFO", "stats"});
    const size_t at = info.find("migrate_cached_sockets:");
    return at == std::string::npos ? "none" : info.substr(at, info.find('\r', at) - at);
  }
  int tsession = net.target.OpenSession();
};

TEST(EngineMigrate, WithoutAHostNoTargetIsReachable) {
  Engine e{At(kStart)};
  const int s = e.OpenSession();
  std::string out;
  for (std::vector<std::string> argv : {std::vector<std::string>{"SET", "k", "v"},
                                        {"MIGRATE", "127.0.0.1", "6380", "k", "0", "100"},
                                        {"MIGRATE", "127.0.0.1", "6380", "nokey", "0", "100"},
                                        {"EXISTS", "k"}}) {
    e.Execute(s, argv, &out);
  }
  EXPECT_EQ(out, "+OK\r\n-IOERR error or timeout connecting to the client\r\n+NOKEY\r\n:1\r\n");
}

TEST(EngineMigrate, MovesKeysAndCachesTheConnection) {
  Migrate t;
  t.Cmd({"SET", "k", "v"});
  t.Cmd({"RPUSH", "l", "a", "b"});
  t.Cmd({"SET", "t", "v", "PX", "5000"});
  EXPECT_EQ(t.CachedSockets(), "migrate_cached_sockets:0");
  // Each key looked up is a keyspace hit or miss (lookupKeyRead).
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "", "0", "100", "KEYS", "n1", "n2"}),
            "+NOKEY\r\n");
  const std::string stats = t.Cmd({"INFO", "stats"});
  EXPECT_NE(stats.find("keyspace_hits:0\r\nkeyspace_misses:2\r\n"), std::string::npos);
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "k", "0", "100"}), "+OK\r\n");
  EXPECT_EQ(t.CachedSockets(), "migrate_cached_sockets:1");
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "", "0", "100", "KEYS", "l", "no", "t"}),
            "+OK\r\n");
  EXPECT_EQ(t.Cmd({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(t.Target({"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(t.Target({"LRANGE", "l", "0", "-1"}), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(t.Target({"PTTL", "t"}), ":5000\r\n");
  // One connection; SELECT only on its first use.
  EXPECT_EQ(t.net.connects, 1);
  ASSERT_EQ(t.net.commands.size(), 4u);
  EXPECT_EQ(t.net.commands[0], (std::vector<std::string>{"SELECT", "0"}));
  EXPECT_EQ(t.net.commands[1][0], "RESTORE");
  EXPECT_EQ(t.net.commands[3][1], "t");
  EXPECT_EQ(t.net.commands[3][2], "5000");
  // Unused for more than 10 s, the cached connection is closed.
  t.e.AdvanceClock(10'000);
  t.e.Cron();
  EXPECT_EQ(t.CachedSockets(), "migrate_cached_sockets:1");
  t.e.AdvanceClock(1'000);
  t.e.Cron();
  EXPECT_EQ(t.CachedSockets(), "migrate_cached_sockets:0");
  EXPECT_EQ(t.net.closes, 1);
}

TEST(EngineMigrate, TargetErrorsCopyAndReplace) {
  Migrate t;
  t.Cmd({"SET", "k", "here"});
  t.Target({"SET", "k", "there"});
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "k", "0", "100"}),
            "-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n");
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "k", "0", "100", "COPY", "REPLACE"}), "+OK\r\n");
  EXPECT_EQ(t.Cmd({"GET", "k"}), "$4\r\nhere\r\n");
  EXPECT_EQ(t.Target({"GET", "k"}), "$4\r\nhere\r\n");
  // After the error the target's db is unknown: SELECT is sent again.
  EXPECT_EQ(t.net.commands[2], (std::vector<std::string>{"SELECT", "0"}));
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "k", "0", "100", "AUTH", "pw"}),
            "-ERR Target instance replied with error: ERR AUTH <password> called without any "
            "password configured for the default user. Are you sure your configuration is "
            "correct?\r\n");
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "x", "0", "100", "KEYS", "k"}),
            "-ERR When using MIGRATE KEYS option, the key argument must be set to the empty "
            "string\r\n");
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "k", "0", "100", "AUTH"}),
            "-ERR syntax error\r\n");
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "k", "db", "100"}),
            "-ERR value is not an integer or out of range\r\n");
}

TEST(EngineMigrate, AStaleConnectionIsRetriedOnceATimeoutIsNot) {
  Migrate t;
  t.Cmd({"MSET", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "a", "0", "100"}), "+OK\r\n");
  // The cached connection was closed by the target: the first read fails,
  // the connection is made again and the exchange repeated.
  t.net.drop_next = true;
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "b", "0", "100"}), "+OK\r\n");
  EXPECT_EQ(t.net.connects, 2);
  EXPECT_EQ(t.Target({"GET", "b"}), "$1\r\n2\r\n");
  // A timeout is not retried; the key stays and the connection is dropped.
  t.net.stall_next = true;
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "c", "0", "100"}),
            "-IOERR error or timeout reading to target instance\r\n");
  EXPECT_EQ(t.net.connects, 2);
  EXPECT_EQ(t.Cmd({"GET", "c"}), "$1\r\n3\r\n");
  EXPECT_EQ(t.CachedSockets(), "migrate_cached_sockets:0");
  // A target that refuses the connection.
  t.net.refuse = true;
  EXPECT_EQ(t.Cmd({"MIGRATE", "127.0.0.1", "6380", "c", "0", "100"}),
            "-IOERR error or timeout connecting to the client\r\n");
}

TEST(EngineMigrate, KeysAndRedactionAsRedisFindsThem) {
  Migrate t;
  EXPECT_EQ(t.Cmd({"COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "5", "AUTH2", "keys", "pw",
                   "KEYS", "x", "y"}),
            "*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
  EXPECT_EQ(t.Cmd({"COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "5"}), "*1\r\n$1\r\nk\r\n");
  const std::vector<bool> red =
      RedactedArguments(std::vector<std::string>{"MIGRATE", "h", "1", "", "0", "5", "COPY", "AUTH2",
                                                 "u", "p", "AUTH", "q", "KEYS", "AUTH", "x"});
  EXPECT_EQ(red, (std::vector<bool>{false, false, false, false, false, false, false, false, true,
                                    true, false, true, false, false, false}));
}

}  // namespace
}  // namespace respfuzz::engine
