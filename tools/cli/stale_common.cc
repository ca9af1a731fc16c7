#include "tools/cli/stale_common.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/str_split.h"
#include "src/cache/socket_client.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {

namespace {

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(s, ',', absl::SkipEmpty())) {
    out.emplace_back(part);
  }
  return out;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

std::string CheckLoopbackServer(const std::string& s) {
  const size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 ||
      !DecimalRange(1, 65535)(s.substr(colon + 1)).empty()) {
    return "must be HOST:PORT (e.g. 127.0.0.1:6379), got '" + s + "'";
  }
  std::string ipv4;
  if (!cache::LoopbackHost(s.substr(0, colon), &ipv4)) {
    return "'" + s.substr(0, colon) + "' is not a loopback address (127.0.0.0/8 or localhost)";
  }
  return {};
}

void SplitLoopbackServer(const std::string& s, std::string* host, int* port) {
  const size_t colon = s.rfind(':');
  *host = s.substr(0, colon);
  *port = std::stoi(s.substr(colon + 1));
}

void AddFuzzerOptions(CLI::App& cmd, FuzzerFlags* f, const std::vector<std::string>& all_types,
                      const std::string& default_types, int64_t default_iterations,
                      int64_t default_keys) {
  stale::CommonOptions& c = f->common;
  c.iterations = default_iterations;
  c.keys = default_keys;
  f->types = default_types;
  cmd.add_option("--server", f->server, "the server (loopback only)")
      ->capture_default_str()
      ->type_name("HOST:PORT")
      ->check(CLI::Validator(CheckLoopbackServer, "", "HOST:PORT"));
  cmd.add_option("--seed", f->seed, "random seed (default: from the clock, printed)")
      ->type_name("N")
      ->check(DecimalRange(0, INT64_MAX / 2));
  cmd.add_option("--iterations", c.iterations, "iterations; 0: until stopped (SIGINT)")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(0, 1000000000));
  cmd.add_option("--time", c.time_s, "stop after SECONDS; 0: no limit")
      ->capture_default_str()
      ->type_name("SECONDS")
      ->check(DecimalRange(0, 7 * 24 * 3600));
  cmd.add_option("--keys", c.keys, "keys per type")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(1, 100000));
  cmd.add_option("--types", f->types, "comma-separated: " + Joined(all_types))
      ->capture_default_str()
      ->type_name("LIST");
  cmd.add_option("--value-size", c.value_size, "bytes per written value")
      ->capture_default_str()
      ->type_name("BYTES")
      ->check(DecimalRange(1, 1 << 20));
  cmd.add_option("--delay", c.delay_ms, "pause between steps")
      ->capture_default_str()
      ->type_name("MS")
      ->check(DecimalRange(0, 60000));
  cmd.add_option("--grace-period", c.grace_ms, "how long a cached read may lag the server")
      ->capture_default_str()
      ->type_name("MS")
      ->check(DecimalRange(0, 600000));
  cmd.add_option("--retry-delay", c.retry_ms, "pause between reads within the grace period")
      ->capture_default_str()
      ->type_name("MS")
      ->check(DecimalRange(1, 60000));
  cmd.add_option("--failure-log", f->failure_log,
                 "on stale data, write the JSON log of every step to FILE (or into DIR)")
      ->type_name("FILE|DIR");
  cmd.add_option("--show-last", f->show_last, "on stale data, print the last N steps")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(0, 100000));
  cmd.add_option("--mode", f->mode, "our cache's mode: default bcast optin optout plain")
      ->capture_default_str()
      ->type_name("MODE")
      ->check(CLI::IsMember({"default", "bcast", "optin", "optout", "plain"}));
  cmd.add_option("--resp", f->resp, "protocol of the caching client: 2 (redirect) or 3")
      ->capture_default_str()
      ->type_name("2|3")
      ->check(DecimalRange(2, 3));
  cmd.add_option("--prefix", f->prefixes, "a BCAST prefix (repeatable; --mode bcast)")
      ->type_name("P")
      ->allow_extra_args(false);
  cmd.add_flag("--noloop", f->noloop, "CLIENT TRACKING ... NOLOOP");
  cmd.add_option("--adapter", f->adapter,
                 "drive another client's cache: the adapter's command line (space-separated, "
                 "no shell; docs/cache-adapters.md)")
      ->type_name("CMD");
  cmd.add_option("--timeout", f->timeout_ms, "wait at most MS for any reply")
      ->capture_default_str()
      ->type_name("MS")
      ->check(DecimalRange(100, 600000));
  // Tests plant a bug in our own cache to see the fuzzer catch it.
  cmd.add_option("--bug", f->bug, "plant a bug in our cache (tests)")
      ->group("")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            cache::CacheBugs b;
            return cache::SetBug(s, &b) ? "" : "unknown bug '" + s + "'";
          },
          "", "NAME"));
}

std::string ResolveFuzzerFlags(FuzzerFlags* f, const std::vector<std::string>& all_types) {
  stale::CommonOptions& c = f->common;
  SplitLoopbackServer(f->server, &c.client.host, &c.client.port);
  c.seed =
      f->seed ? *f->seed
              : static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) %
                    1000000007u;
  c.types = SplitList(f->types);
  if (c.types.empty()) return "--types: no type given";
  for (const std::string& t : c.types) {
    if (std::find(all_types.begin(), all_types.end(), t) == all_types.end()) {
      return "--types: unknown type '" + t + "' (types: " + Joined(all_types) + ")";
    }
  }
  c.client.cache.mode = *cache::ParseMode(f->mode);
  c.client.cache.protocol = f->resp == 2 ? resp::Protocol::kResp2 : resp::Protocol::kResp3;
  c.client.cache.prefixes = f->prefixes;
  c.client.cache.noloop = f->noloop;
  c.client.timeout_ms = static_cast<int>(f->timeout_ms);
  if (absl::Status s = cache::ValidateOptions(c.client.cache); !s.ok()) {
    return std::string(s.message());
  }
  if (!f->bug.empty()) {
    if (!f->adapter.empty()) return "--bug plants a bug in our own cache, not in an adapter's";
    cache::SetBug(f->bug, &c.client.cache.bugs);
    c.client.bug = f->bug;
  }
  for (absl::string_view part : absl::StrSplit(f->adapter, ' ', absl::SkipEmpty())) {
    c.adapter.emplace_back(part);
  }
  if (!f->adapter.empty() && c.adapter.empty()) return "--adapter: empty command line";
  std::error_code ec;
  c.self_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (f->failure_log && !std::filesystem::is_directory(*f->failure_log, ec)) {
    const std::filesystem::path parent =
        std::filesystem::absolute(*f->failure_log, ec).parent_path();
    if (!std::filesystem::is_directory(parent, ec)) {
      return "--failure-log: no such directory " + parent.string();
    }
  }
  return {};
}

StopSignals::StopSignals() {
  g_stop.store(false);
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

StopSignals::~StopSignals() {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
}

const std::atomic<bool>* StopSignals::flag() const { return &g_stop; }

int FinishFuzz(const char* tool, const FuzzerFlags& f, const absl::Status& status,
               const stale::FuzzReport& r) {
  if (!status.ok()) return Fail(tool, std::string(status.message()));
  if (!r.stale) {
    std::printf(
        "%s: no stale read: %lld iterations, %lld reads (%lld from the cache, %lld matched "
        "only after retries, within %.0f ms), %lld primed reads not cached, %lld kills, %lld "
        "flushes, %s"
        "seed %llu, %.1f s\n",
        tool, static_cast<long long>(r.iterations), static_cast<long long>(r.reads),
        static_cast<long long>(r.cache_hits), static_cast<long long>(r.late), r.max_late_ms,
        static_cast<long long>(r.not_cached), static_cast<long long>(r.kills),
        static_cast<long long>(r.flushes),
        r.reconnects < 0 ? "" : (std::to_string(r.reconnects) + " reconnects, ").c_str(),
        static_cast<unsigned long long>(f.common.seed), r.seconds);
    return kOk;
  }
  std::printf("STALE %s\n", r.finding.c_str());
  if (!r.last_steps.empty()) std::printf("last steps:\n%s", r.last_steps.c_str());
  std::printf("reproduce with --seed %llu\n", static_cast<unsigned long long>(f.common.seed));
  if (f.failure_log) {
    std::filesystem::path path = *f.failure_log;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      path /= std::string(tool) + "-seed" + std::to_string(f.common.seed) + "-" +
              std::to_string(::getpid()) + ".json";
    }
    std::string error;
    if (!WriteFileAtomic(path,
                         r.log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                         &error)) {
      Fail(tool, error);
      return kFound;
    }
    std::printf("failure log: %s\n", path.c_str());
  }
  std::fflush(stdout);
  return kFound;
}

}  // namespace respfuzz::cli
