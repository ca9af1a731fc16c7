// `respfuzz cluster bus-fuzz`: cluster bus messages from the cluster_bus
// corpus and seeded mutations of them, sent to live nodes' bus ports; after
// each batch every node must still run, answer PING and give a CLUSTER NODES
// that parses. A node that dies or stops answering is reported with the
// batch that preceded it, saved to files.
#ifndef RESPFUZZ_TOOLS_CLUSTER_BUS_FUZZ_H_
#define RESPFUZZ_TOOLS_CLUSTER_BUS_FUZZ_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/cluster/local_cluster.h"
#include "tools/server_target.h"

namespace respfuzz::cluster_chaos {

inline constexpr size_t kMaxCorpusFiles = 10000;
inline constexpr size_t kMaxBusMessageBytes = 256 * 1024;  // a seed or a mutation
inline constexpr int kMaxBatch = 1000;

struct BusFuzzOptions {
  targets::ServerProgram server;  // what every node runs; empty: the default target
  uint64_t seed = 0;
  double seconds = 10;
  int shards = 3;
  int replicas = 0;
  int base_port = 0;
  int batch = 20;
  std::string corpus_dir;  // files in the cluster_bus harness's input format
  std::string crash_dir;   // where a killing batch is saved
  // Do not send a message that matches a known finding of the server
  // (tools/cluster/known_findings.h): the campaign goes on past it.
  bool skip_known = false;
  // After a problem, save the batch, start a new cluster and go on until the
  // time is up (otherwise the run stops at the first problem).
  bool keep_going = false;
  std::function<void(const std::string&)> progress;
  const std::atomic<bool>* stop = nullptr;
};

struct BusFuzzResult {
  int64_t sent = 0;
  int64_t batches = 0;
  int64_t sender_known = 0;                // messages whose sender was a real node's id
  std::map<std::string, int64_t> skipped;  // per known finding: messages not sent (--skip-known)
  std::vector<std::string> problems;       // a node died / stopped answering / bad CLUSTER NODES
  std::string saved_dir;                   // the batch that preceded the (first) problem
  std::vector<std::string> saved_dirs;     // every problem's batch (--keep-going: several)
  std::map<std::string, int64_t> crash_sites;  // a crashed node's EIP function -> times
  int64_t clusters = 0;                        // clusters started
  double seconds = 0;
};

// A cluster_bus corpus file as a message: byte 0 is the flags byte (bit 0:
// totlen rewritten to the real length), the rest the message.
std::string BusMessageFromCorpusFile(std::string_view bytes);

// Where a crashed node's report (its log) says it stopped: a failed
// assertion ("assertion cluster.c:1179 'retval == DICT_OK' is not true") or
// the function named after "EIP:" ("clusterUpdateSlotsConfigWith"); empty
// when the log has no crash report.
std::string CrashSiteInLog(const std::string& log_path);

// Connects to 127.0.0.1:port, writes `data`, reads what comes back for a
// moment, closes. Every step is bounded by 500 ms. False when not all was sent.
bool SendToBusPort(int port, const std::string& data);

struct BusDelivery {
  bool connected = false;
  bool all_sent = false;
  bool closed = false;  // the node closed the link: it has handled what it was sent
};

// Like SendToBusPort, then shuts down the sending side and reads (and drops)
// what the node answers until it closes the link, at most `wait_ms`. A node
// reads a link in order and handles each whole packet as it completes, so it
// sees the end of the stream, and closes the link, only once it has handled
// every packet sent; a node that dies while handling one closes it too. So
// `closed` means the messages have had their effect, however loaded the
// machine is; no fixed delay is needed.
BusDelivery SendToBusPortAndWait(int port, const std::string& data, int wait_ms);

// Errors: no corpus, no cluster (setup). Problems found are in the result.
// A running node's CLUSTER NODES must parse: "" when it does, else the
// problem line bus-fuzz and bus-replay report.
std::string ClusterNodesProblem(const Node& n);

absl::StatusOr<BusFuzzResult> RunBusFuzz(const BusFuzzOptions& o);

}  // namespace respfuzz::cluster_chaos

#endif  // RESPFUZZ_TOOLS_CLUSTER_BUS_FUZZ_H_
