// The stale-read fuzzers against a real server (respfuzz kill-fuzzer and
// cache-fuzzer): a caching client is read through while the server's value
// changes underneath it, and every read of the cache must come to equal the
// server's value within a grace period.
#ifndef RESPFUZZ_TOOLS_STALE_FUZZERS_H_
#define RESPFUZZ_TOOLS_STALE_FUZZERS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "tools/stale/clients.h"

namespace respfuzz::stale {

// The steps kept for the failure log: the most recent ones.
inline constexpr size_t kMaxLoggedSteps = 20000;

// Every step a fuzzer takes, for --failure-log and --show-last.
class StepLog {
 public:
  StepLog();
  void Add(int64_t iteration, const std::string& action, const std::string& client,
           const Argv& args, const nlohmann::json& response, const char* source);
  // The whole log as the failure-log document.
  nlohmann::json ToJson(const nlohmann::json& header) const;
  // The last `n` steps, one line each.
  std::string Last(size_t n) const;
  size_t dropped() const { return dropped_; }

 private:
  std::chrono::steady_clock::time_point start_;
  std::deque<nlohmann::json> steps_;
  size_t dropped_ = 0;
};

enum class WriterKind { kPlain, kPipelined, kMulti, kSecondClient };
enum class KillMode { kClient, kProcess, kNone };

struct CommonOptions {
  ClientSpec client;
  // Empty: our ClientCache in-process; else the adapter's command line.
  Argv adapter;
  // For --kill-mode process with our own cache: this program's path.
  std::string self_exe;
  uint64_t seed = 1;
  int64_t iterations = 100;  // 0: until stopped
  int64_t time_s = 0;        // 0: no time limit
  int64_t keys = 10;
  int64_t value_size = 16;
  int64_t grace_ms = 1000;
  int64_t retry_ms = 10;
  int64_t delay_ms = 0;
  std::vector<std::string> types;
  const std::atomic<bool>* stop = nullptr;  // set by SIGINT
};

struct KillOptions {
  CommonOptions common;
  std::vector<WriterKind> writers;
  KillMode kill_mode = KillMode::kClient;
  int signal = 9;
};

struct CacheFuzzOptions {
  CommonOptions common;
  int64_t kill_percent = 0;
  int64_t flush_percent = 0;
};

struct FuzzReport {
  bool stale = false;
  std::string finding;  // what was stale, one paragraph
  int64_t iterations = 0;
  int64_t reads = 0;
  int64_t cache_hits = 0;
  int64_t not_cached = 0;  // kill-fuzzer: a primed read not served from the cache
  int64_t late = 0;        // reads that matched only after retrying within the grace
  double max_late_ms = 0;  // the longest such wait, from the first read to the match
  int64_t kills = 0;
  int64_t flushes = 0;
  int64_t reconnects = -1;  // of the caching client; -1: it does not say
  double seconds = 0;
  std::string client;
  nlohmann::json log;  // the failure-log document (set when stale)
  std::string last_steps;
};

// The data types each fuzzer knows, and (cache-fuzzer) their commands.
std::vector<std::string> KillTypes();       // string set list hash
std::vector<std::string> CacheFuzzTypes();  // string hash list set zset keyspace swapdb
std::vector<std::string> DefaultCacheFuzzTypes();
std::string ListCommands();  // cache-fuzzer --list-commands

// Runs until stale data is found, the iterations or the time are done, or
// *stop. A non-OK status is an error of the run itself (server unreachable,
// the caching client failing), not a finding.
absl::Status RunKillFuzzer(const KillOptions& options, size_t show_last, FuzzReport* report);
absl::Status RunCacheFuzzer(const CacheFuzzOptions& options, size_t show_last, FuzzReport* report);

}  // namespace respfuzz::stale

#endif  // RESPFUZZ_TOOLS_STALE_FUZZERS_H_
