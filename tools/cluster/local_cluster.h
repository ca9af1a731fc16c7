// Real cluster nodes (redis-server or valkey-server, tools/server_target.h) on loopback ports in a
// temporary directory: start, form (CLUSTER SET-CONFIG-EPOCH / ADDSLOTSRANGE / MEET / REPLICATE),
// wait for cluster_state:ok, signal, restart, destroy. Every node runs in its
// own process group, dies with the tool (PR_SET_PDEATHSIG), and a fatal signal
// of the tool (Ctrl-C included) kills every node and removes the directory.
#ifndef RESPFUZZ_TOOLS_CLUSTER_LOCAL_CLUSTER_H_
#define RESPFUZZ_TOOLS_CLUSTER_LOCAL_CLUSTER_H_

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/resp/value.h"
#include "tools/server_target.h"

struct redisContext;

namespace respfuzz::cluster_chaos {

// Every connect and every reply waits at most this long.
inline constexpr int kConnectTimeoutMs = 1000;
inline constexpr int kReplyTimeoutMs = 3000;
// Nodes at most (8 shards of 1 + 2).
inline constexpr int kMaxNodes = 24;

// A hiredis connection to 127.0.0.1:port with timeouts. Error replies are
// values (Type::kError); I/O errors and timeouts are statuses (kUnavailable).
class Conn {
 public:
  static absl::StatusOr<Conn> Open(int port, int timeout_ms = kReplyTimeoutMs);
  Conn(Conn&&) noexcept;
  Conn& operator=(Conn&&) noexcept;
  ~Conn();
  absl::StatusOr<resp::Value> Call(const std::vector<std::string>& argv);
  int port() const { return port_; }

 private:
  Conn() = default;
  redisContext* ctx_ = nullptr;
  int port_ = 0;
};

// Connects, sends one command, closes.
absl::StatusOr<resp::Value> Call(int port, const std::vector<std::string>& argv,
                                 int timeout_ms = kReplyTimeoutMs);
// The text of a reply that must be a string (a status or a bulk string);
// error replies become kFailedPrecondition with the error text.
absl::StatusOr<std::string> CallText(int port, const std::vector<std::string>& argv);

// Whether 127.0.0.1:port can be bound now.
bool PortFree(int port);

// Fields of an INFO section ("key:value" lines).
std::string InfoField(const std::string& info, std::string_view key);

struct Node {
  int index = 0;
  int shard = 0;
  int replica = -1;  // -1: started as the shard's primary, else its J-th replica
  int port = 0;
  pid_t pid = -1;        // -1 while down
  bool stopped = false;  // SIGSTOPped
  std::string id;        // the cluster node id (40 hex)
  std::string dir;
  std::string name() const;  // shard-K-primary-at-start / shard-K-replica-J
};

struct ClusterOptions {
  // The server program every node runs (tools/server_target.h); empty
  // (server.server == ""): the default target, Debian's redis-server 7.0.
  targets::ServerProgram server;
  int shards = 3;
  int replicas = 1;
  int base_port = 0;  // 0: a free block is chosen
  int node_timeout_ms = 3000;
  double ready_timeout = 60.0;                       // seconds for cluster_state:ok on every node
  std::function<void(const std::string&)> progress;  // may be empty
  const std::atomic<bool>* stop = nullptr;
  // Called with the first port of a block right before its nodes start (a
  // test takes a port there to see Create move to another block).
  std::function<void(int base_port)> before_start;
};

// Installs the handlers that kill every node and remove the directory on a
// fatal signal (SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE).
void InstallCleanupHandlers();

class LocalCluster {
 public:
  // Starts every node, forms the cluster and waits until it is ready
  // (cluster_state:ok everywhere, every replica's link up, one slot map).
  static absl::StatusOr<std::unique_ptr<LocalCluster>> Create(const ClusterOptions& o);
  ~LocalCluster();  // Destroy()
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // Kills every node (SIGCONT + SIGKILL to its group), reaps them and removes
  // the directory. Idempotent.
  void Destroy();

  std::vector<Node>& nodes() { return nodes_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::string& dir() const { return dir_; }
  int base_port() const { return base_port_; }

  // Sends `sig` to node i (SIGKILL/SIGTERM: waits for it to exit and marks it
  // down; SIGSTOP/SIGCONT: marks it stopped or running).
  absl::Status Signal(int i, int sig);
  // Starts a down node again on its port with its directory (nodes.conf and
  // the AOF), waits until it answers PING.
  absl::Status Restart(int i);
  // A node that exited on its own since the last call: "node-3 exited with
  // signal 11", reaped and marked down. Empty when none.
  std::vector<std::string> ReapDead();

  // Polls until every running node reports cluster_state:ok, knows every
  // node, replicas' links are up and all agree on the slot owners.
  absl::Status WaitReady(double timeout_s);

 private:
  LocalCluster() = default;
  // Create on the ports base_port.. (checked free by the caller).
  static absl::StatusOr<std::unique_ptr<LocalCluster>> CreateOn(const ClusterOptions& o,
                                                                int base_port);
  absl::Status Spawn(int i);
  absl::Status Form(double timeout_s);
  void Progress(const std::string& s) const;
  bool Stopping() const;

  ClusterOptions options_;
  std::vector<Node> nodes_;
  std::string dir_;
  int base_port_ = 0;
  bool destroyed_ = false;
};

// Sleeps `seconds` in small steps; false when `stop` was set meanwhile.
bool SleepFor(double seconds, const std::atomic<bool>* stop);

}  // namespace respfuzz::cluster_chaos

#endif  // RESPFUZZ_TOOLS_CLUSTER_LOCAL_CLUSTER_H_
