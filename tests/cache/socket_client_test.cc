// SocketClient against a scripted loopback server: loopback only, the
// handshake, and no hit served past an invalidation already in the socket.
#include "src/cache/socket_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "src/resp/writer.h"

namespace respfuzz::cache {
namespace {

// One connection accepted on 127.0.0.1:<free port>; the test reads and
// writes its bytes.
class ScriptedServer {
 public:
  ScriptedServer() {
    listen_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    EXPECT_EQ(::listen(listen_, 4), 0);
  }
  ~ScriptedServer() {
    if (conn_ >= 0) ::close(conn_);
    ::close(listen_);
  }
  int port() const { return port_; }
  void Accept() { conn_ = ::accept(listen_, nullptr, nullptr); }
  // Reads until `n` bytes have arrived.
  std::string Read(size_t n) {
    std::string got;
    char buf[4096];
    while (got.size() < n) {
      const ssize_t r = ::recv(conn_, buf, std::min(sizeof buf, n - got.size()), 0);
      if (r <= 0) break;
      got.append(buf, static_cast<size_t>(r));
    }
    return got;
  }
  void Send(const std::string& s) { ASSERT_EQ(::send(conn_, s.data(), s.size(), 0), s.size()); }
  void Close() {
    ::close(conn_);
    conn_ = -1;
  }

 private:
  int listen_ = -1;
  int conn_ = -1;
  int port_ = 0;
};

std::string Cmd(const std::vector<std::string>& argv) { return resp::EncodeCommand(argv); }

TEST(SocketClient, LoopbackOnly) {
  std::string ip;
  EXPECT_TRUE(LoopbackHost("127.0.0.1", &ip));
  EXPECT_TRUE(LoopbackHost("127.8.9.10", &ip));
  EXPECT_TRUE(LoopbackHost("localhost", &ip));
  EXPECT_EQ(ip, "127.0.0.1");
  EXPECT_FALSE(LoopbackHost("128.0.0.1", &ip));
  EXPECT_FALSE(LoopbackHost("192.0.2.1", &ip));
  EXPECT_FALSE(LoopbackHost("example.com", &ip));
  SocketOptions so;
  so.host = "192.0.2.1";
  SocketClient c(so, CacheOptions{});
  EXPECT_EQ(c.Connect().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SocketClient, NoHitPastAnInvalidationAlreadyInTheSocket) {
  ScriptedServer server;
  SocketOptions so;
  so.port = server.port();
  so.timeout_ms = 5000;
  SocketClient c(so, CacheOptions{});
  std::thread t([&] {
    server.Accept();
    const std::string hs = Cmd({"HELLO", "3"}) + Cmd({"CLIENT", "TRACKING", "on"});
    EXPECT_EQ(server.Read(hs.size()), hs);
    server.Send("%1\r\n$2\r\nid\r\n:9\r\n+OK\r\n");
    const std::string get = Cmd({"GET", "k"});
    EXPECT_EQ(server.Read(get.size()), get);
    server.Send("$3\r\nold\r\n");
    // Another client writes k: the invalidation is pushed, unasked.
    server.Send(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n");
    EXPECT_EQ(server.Read(get.size()), get);  // the next GET must come to the server
    server.Send("$3\r\nnew\r\n");
    server.Close();
  });
  ASSERT_TRUE(c.Connect().ok());
  EXPECT_EQ(c.connection_id(0), 9);
  auto first = c.Call({"GET", "k"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->from_cache);
  // Give the push time to reach our socket; Call must drain it first.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto second = c.Call({"GET", "k"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->from_cache);
  EXPECT_EQ(second->value, resp::Value::Bulk("new"));
  t.join();
  // The server closed: the next call sees EOF and fails; the cache is empty.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(c.Call({"GET", "k"}).ok());
  EXPECT_FALSE(c.connected());
  EXPECT_EQ(c.cache().entries(), 0u);
}

TEST(SocketClient, TimesOutBoundedly) {
  ScriptedServer server;
  SocketOptions so;
  so.port = server.port();
  so.timeout_ms = 200;
  SocketClient c(so, CacheOptions{});
  std::thread t([&] { server.Accept(); });  // accepts, never answers
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.Connect().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_FALSE(c.connected());
  t.join();
}

}  // namespace
}  // namespace respfuzz::cache
