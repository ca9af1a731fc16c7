// respfuzz cluster: seeded chaos scenarios against a real server cluster
// (tools/cluster/), and the scenario files' validate and export.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"
#include "tools/cluster/bus_fuzz.h"
#include "tools/cluster/bus_replay.h"
#include "tools/cluster/known_findings.h"
#include "tools/cluster/runner.h"
#include "tools/cluster/scenario.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace cluster_impl {

namespace cc = ::respfuzz::cluster_chaos;

// Most scenarios one --seeds range runs.
constexpr uint64_t kMaxBatch = 1000;

struct Options {
  CLI::App* random = nullptr;
  CLI::App* run = nullptr;
  CLI::App* validate = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* bus_fuzz = nullptr;
  CLI::App* bus_replay = nullptr;
  std::string replay_path;  // bus-replay DIR|FILE
  std::string to = "shard-0-primary";
  std::string sender;
  int max_trials = cc::kDefaultMaxTrials;
  double time = 10;
  int shards = 3;
  int replicas = 0;
  int batch = 20;
  std::string corpus = "corpus/cluster_bus";
  std::string crash_dir = ".";
  std::string seed;   // random/export --seed
  std::string seeds;  // random --seeds A-B
  std::vector<std::string> files;
  std::string output;  // export -o
  int base_port = -1;
  bool skip_known = false;  // bus-fuzz
  bool keep_going = false;  // bus-fuzz
  double convergence_timeout = -1;
  std::string log_dir;
  std::string report;
  ServerChoice server;
};

int Fail(const std::string& message, int code = kUsage) {
  return ::respfuzz::cli::Fail("cluster", message, code);
}

bool ParseSeed(const std::string& s, uint64_t* out) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos &&
         absl::SimpleAtoi(s, out);
}

// "N" or "A-B" (A <= B, at most kMaxBatch seeds).
bool ParseSeeds(const std::string& s, std::vector<uint64_t>* out, std::string* error) {
  const size_t dash = s.find('-');
  uint64_t a = 0, b = 0;
  if (dash == std::string::npos
          ? !ParseSeed(s, &a) || ((b = a), false)
          : !ParseSeed(s.substr(0, dash), &a) || !ParseSeed(s.substr(dash + 1), &b)) {
    *error = "--seeds: '" + s + "' is not N or A-B";
    return false;
  }
  if (a > b) {
    *error = "--seeds: " + s + " is an empty range";
    return false;
  }
  if (b - a >= kMaxBatch) {
    *error = absl::StrCat("--seeds: ", s, " is more than ", kMaxBatch, " seeds");
    return false;
  }
  for (uint64_t x = a;; ++x) {
    out->push_back(x);
    if (x == b) break;
  }
  return true;
}

absl::StatusOr<cc::Scenario> LoadScenario(const std::string& path) {
  std::string error;
  std::optional<std::string> text = ReadInput(path, &error);
  if (!text) return absl::InvalidArgumentError(error);
  absl::StatusOr<cc::Scenario> s = cc::ParseScenario(*text);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.status().message()));
  return s;
}

std::string Cell(std::string s) {
  for (char& c : s) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return s;
}

struct Row {
  cc::Scenario scenario;
  cc::RunResult result;
};

std::string Summary(const std::vector<Row>& rows, bool markdown) {
  std::string out;
  const char* fmt_head = markdown ? "| %s | %s | %s | %s | %s | %s | %s | %s |\n"
                                  : "%-16s %-7s %7s %7s %5s %6s %6s %s\n";
  char line[2048];
  std::snprintf(line, sizeof line, fmt_head, "scenario", "status", "seconds", "ops ok", "chaos",
                "writes", "async lost", "first failure");
  out += line;
  if (markdown) out += "|---|---|---:|---:|---:|---:|---:|---|\n";
  for (const Row& r : rows) {
    const cc::RunResult& x = r.result;
    const std::string failure = x.status == cc::RunResult::Status::kError ? x.error
                                : x.failed_checks.empty()                 ? ""
                                                                          : x.failed_checks[0];
    std::snprintf(line, sizeof line,
                  markdown ? "| %s | %s | %s | %s | %s | %s | %s | %s |\n"
                           : "%-16s %-7s %7s %7s %5s %6s %6s %s\n",
                  r.scenario.id.c_str(), cc::ToString(x.status),
                  absl::StrCat(static_cast<int>(x.seconds * 10) / 10.0).c_str(),
                  absl::StrCat(x.operations_ok, "/", x.operations_ok + x.operations_failed).c_str(),
                  std::to_string(x.chaos_events).c_str(),
                  absl::StrCat(x.data.acknowledged, " (", x.data.wait_acknowledged, " W)").c_str(),
                  std::to_string(x.data.lost_async).c_str(), Cell(failure.substr(0, 200)).c_str());
    out += line;
  }
  return out;
}

std::string Report(const std::vector<Row>& rows) {
  int passed = 0, failed = 0, errors = 0;
  double seconds = 0;
  for (const Row& r : rows) {
    seconds += r.result.seconds;
    if (r.result.status == cc::RunResult::Status::kPassed) ++passed;
    if (r.result.status == cc::RunResult::Status::kFailed) ++failed;
    if (r.result.status == cc::RunResult::Status::kError) ++errors;
  }
  std::string md = "# respfuzz cluster report\n\n";
  absl::StrAppend(&md, rows.size(), " scenarios: ", passed, " passed, ", failed, " failed, ",
                  errors, " could not run; ", static_cast<int>(seconds), " s in all.\n\n");
  md += Summary(rows, /*markdown=*/true);
  md +=
      "\n`writes`: writes acknowledged (W: of them WAIT-acknowledged by every replica); "
      "`async lost`: acknowledged by the primary alone and gone afterwards (Redis's "
      "asynchronous replication allows it; not a failure).\n";
  for (const Row& r : rows) {
    if (r.result.status == cc::RunResult::Status::kPassed) continue;
    absl::StrAppend(&md, "\n## ", r.scenario.id, ": ", cc::ToString(r.result.status), "\n\n");
    if (!r.result.error.empty()) absl::StrAppend(&md, "- ", Cell(r.result.error), "\n");
    for (const std::string& f : r.result.failed_checks) absl::StrAppend(&md, "- ", Cell(f), "\n");
    absl::StrAppend(&md, "\n```yaml\n", cc::ToYaml(r.scenario), "```\n");
  }
  return md;
}

int RunBatch(const Options& o, std::vector<cc::Scenario> scenarios) {
  std::string error;
  if (!o.log_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.log_dir, ec);
    if (ec || !std::filesystem::is_directory(o.log_dir)) {
      return Fail("--log-dir: cannot create " + o.log_dir);
    }
  }
  std::optional<targets::ServerProgram> server = ResolveServerOrError("cluster", o.server);
  if (!server) return kUsage;
  std::fprintf(stderr, "nodes: %s\n", server->Describe().c_str());
  cc::InstallCleanupHandlers();
  cc::RunOptions ro;
  ro.server = *server;
  ro.base_port = o.base_port;
  ro.convergence_timeout = o.convergence_timeout;
  ro.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  std::vector<Row> rows;
  bool any_failed = false, any_error = false;
  for (cc::Scenario& s : scenarios) {
    cc::RunResult r = cc::RunScenario(s, ro);
    std::fprintf(stderr, "[%s] %s in %.1f s\n", s.id.c_str(), cc::ToString(r.status), r.seconds);
    if (r.status == cc::RunResult::Status::kFailed) any_failed = true;
    if (r.status == cc::RunResult::Status::kError) {
      any_error = true;
      std::fprintf(stderr, "[%s] error: %s\n", s.id.c_str(), r.error.c_str());
    }
    if (!o.log_dir.empty()) {
      const std::filesystem::path path = std::filesystem::path(o.log_dir) / (s.id + ".json");
      if (!WriteFileAtomic(path, r.log.dump(2) + "\n", &error)) return Fail(error);
    }
    rows.push_back(Row{std::move(s), std::move(r)});
  }
  std::fputs(Summary(rows, /*markdown=*/false).c_str(), stdout);
  if (!o.report.empty() && !WriteFileAtomic(o.report, Report(rows), &error)) return Fail(error);
  return any_failed ? kFound : any_error ? kUsage : kOk;
}

int Random(const Options& o) {
  std::vector<uint64_t> seeds;
  std::string error;
  if (o.seed.empty() == o.seeds.empty()) return Fail("random: give --seed N or --seeds A-B");
  if (!o.seed.empty()) {
    uint64_t s = 0;
    if (!ParseSeed(o.seed, &s))
      return Fail("--seed: '" + o.seed + "' is not a non-negative integer");
    seeds.push_back(s);
  } else if (!ParseSeeds(o.seeds, &seeds, &error)) {
    return Fail(error);
  }
  std::vector<cc::Scenario> scenarios;
  for (uint64_t s : seeds) scenarios.push_back(cc::GenerateScenario(s));
  return RunBatch(o, std::move(scenarios));
}

int Run(const Options& o) {
  std::vector<cc::Scenario> scenarios;
  for (const std::string& f : o.files) {
    absl::StatusOr<cc::Scenario> s = LoadScenario(f);
    if (!s.ok()) return Fail(std::string(s.status().message()));
    scenarios.push_back(std::move(*s));
  }
  return RunBatch(o, std::move(scenarios));
}

int Validate(const Options& o) {
  for (const std::string& f : o.files) {
    absl::StatusOr<cc::Scenario> s = LoadScenario(f);
    if (!s.ok()) return Fail(std::string(s.status().message()));
    std::printf("%s: ok (%s: %d shards, %d replicas each, %zu operations, chaos %s)\n", f.c_str(),
                s->id.c_str(), s->cluster.num_shards, s->cluster.replicas_per_shard,
                s->operations.size(), cc::ToString(s->chaos.signal));
  }
  return kOk;
}

int Export(const Options& o) {
  uint64_t seed = 0;
  if (!ParseSeed(o.seed, &seed))
    return Fail("--seed: '" + o.seed + "' is not a non-negative integer");
  const std::string yaml = cc::ToYaml(cc::GenerateScenario(seed));
  if (o.output.empty() || o.output == "-") {
    std::fputs(yaml.c_str(), stdout);
    return kOk;
  }
  std::string error;
  if (!WriteFileAtomic(o.output, yaml, &error)) return Fail(error);
  return kOk;
}

int BusFuzz(const Options& o) {
  uint64_t seed = 0;
  if (!ParseSeed(o.seed, &seed))
    return Fail("--seed: '" + o.seed + "' is not a non-negative integer");
  if (!std::filesystem::is_directory(o.corpus)) {
    return Fail("--corpus: " + o.corpus + " is not a directory");
  }
  if (!std::filesystem::is_directory(o.crash_dir)) {
    return Fail("--crash-dir: " + o.crash_dir + " is not a directory");
  }
  std::optional<targets::ServerProgram> server = ResolveServerOrError("cluster", o.server);
  if (!server) return kUsage;
  std::fprintf(stderr, "[bus-fuzz] nodes: %s\n", server->Describe().c_str());
  cc::InstallCleanupHandlers();
  cc::BusFuzzOptions bo;
  bo.server = *server;
  bo.seed = seed;
  bo.seconds = o.time;
  bo.shards = o.shards;
  bo.replicas = o.replicas;
  bo.base_port = o.base_port < 0 ? 0 : o.base_port;
  bo.batch = o.batch;
  bo.corpus_dir = o.corpus;
  bo.crash_dir = o.crash_dir;
  bo.skip_known = o.skip_known;
  bo.keep_going = o.keep_going;
  if (o.skip_known) {
    const auto known = cc::KnownBusFindingsFor(server->target);
    if (known.empty()) std::fprintf(stderr, "[bus-fuzz] --skip-known: no known finding applies\n");
    for (const cc::KnownBusFinding* f : known) {
      std::fprintf(stderr, "[bus-fuzz] not sent (--skip-known): %s: %s\n", f->id.c_str(),
                   f->what.c_str());
    }
  }
  bo.progress = [](const std::string& line) {
    std::fprintf(stderr, "[bus-fuzz] %s\n", line.c_str());
  };
  absl::StatusOr<cc::BusFuzzResult> r = cc::RunBusFuzz(bo);
  if (!r.ok()) return Fail(std::string(r.status().message()));
  std::printf(
      "bus-fuzz: seed %llu: %lld messages (%lld from a known sender) in %lld batches, %.1f s\n",
      static_cast<unsigned long long>(seed), static_cast<long long>(r->sent),
      static_cast<long long>(r->sender_known), static_cast<long long>(r->batches), r->seconds);
  for (const auto& [id, n] : r->skipped) {
    std::printf("not sent, known finding %s: %lld messages\n", id.c_str(),
                static_cast<long long>(n));
  }
  if (r->problems.empty()) {
    std::printf("every node answered PING after every batch\n");
    return kOk;
  }
  for (const std::string& p : r->problems) std::printf("PROBLEM: %s\n", p.c_str());
  if (r->saved_dirs.size() <= 1) {
    std::printf("the batch before it: %s/\n", r->saved_dir.c_str());
  } else {
    std::printf("%zu problem batches (%lld clusters):\n", r->saved_dirs.size(),
                static_cast<long long>(r->clusters));
    for (const std::string& d : r->saved_dirs) std::printf("  %s/\n", d.c_str());
  }
  for (const auto& [site, n] : r->crash_sites)
    std::printf("crash site %s: %lld\n", site.c_str(), static_cast<long long>(n));
  return kFound;
}

// The messages of `b` at `indices` as a batch directory `out` (renumbered
// N-to-<node>.bin, flags byte 0) with the node logs of `from` (a directory)
// that map their ids. Written to a temporary directory renamed at the end;
// an existing `out` is an error.
bool WriteBatch(const cc::SavedBatch& b, const std::vector<size_t>& indices,
                const std::string& from, const std::string& out, std::string* error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(out, ec)) {
    *error = "--output: " + out + " exists";
    return false;
  }
  const fs::path tmp = absl::StrCat(out, ".tmp-", getpid());
  fs::create_directories(tmp, ec);
  bool ok = !ec;
  for (size_t k = 0; ok && k < indices.size(); ++k) {
    const cc::SavedMessage& m = b.messages[indices[k]];
    std::ofstream f(tmp / absl::StrCat(k, "-to-", m.target, ".bin"), std::ios::binary);
    f.put('\0');
    f << m.bytes;
    ok = f.good();
  }
  if (ok && fs::is_directory(from, ec)) {
    for (const auto& e : fs::directory_iterator(from, ec)) {
      if (e.path().extension() == ".log") fs::copy_file(e.path(), tmp / e.path().filename(), ec);
      if (ec) break;
    }
    ok = !ec;
  }
  if (ok) {
    fs::rename(tmp, out, ec);
    ok = !ec;
  }
  if (!ok) {
    fs::remove_all(tmp, ec);
    *error = "--output: cannot write " + out;
  }
  return ok;
}

int BusReplay(const Options& o) {
  int k = 0, j = 0;
  if (!o.sender.empty() && !cc::ParseNodeName(o.sender, &k, &j)) {
    return Fail("--sender: '" + o.sender +
                "' is not a node name (shard-K-primary, shard-K-replica-J)");
  }
  if (!cc::ParseNodeName(o.to, &k, &j)) {
    return Fail("--to: '" + o.to + "' is not a node name (shard-K-primary, shard-K-replica-J)");
  }
  absl::StatusOr<cc::SavedBatch> batch = cc::LoadSavedBatch(o.replay_path, o.to);
  if (!batch.ok()) return Fail(std::string(batch.status().message()));
  std::optional<targets::ServerProgram> server = ResolveServerOrError("cluster", o.server);
  if (!server) return kUsage;
  std::fprintf(stderr, "[bus-replay] nodes: %s\n", server->Describe().c_str());
  cc::InstallCleanupHandlers();
  cc::ReplayOptions ro;
  ro.server = *server;
  ro.base_port = o.base_port < 0 ? 0 : o.base_port;
  ro.sender = o.sender;
  const cc::SavedBatch& b = *batch;
  std::printf(
      "bus-replay: %s: %zu messages, %zu node ids from the logs; fresh clusters of %d "
      "primaries with %d replicas each\n",
      o.replay_path.c_str(), b.messages.size(), b.ids.size(), b.shards, b.replicas);
  std::printf(
      "(messages are shown as saved: on the wire the saved nodes' ids are the fresh "
      "nodes'%s)\n",
      o.sender.empty() ? "" : absl::StrCat(", the sender ", o.sender, "'s").c_str());
  auto show = [&](size_t i) {
    const cc::SavedMessage& m = b.messages[i];
    std::printf("  %s -> %s\n%s", m.file.c_str(), m.target.c_str(),
                cc::DescribeBusMessage(m.bytes).c_str());
  };
  std::vector<size_t> all(b.messages.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::fprintf(stderr, "[bus-replay] trial 1: all %zu messages, the nodes checked after each\n",
               all.size());
  absl::StatusOr<cc::TrialOutcome> first = cc::RunReplayTrial(b, all, ro);
  if (!first.ok()) return Fail(std::string(first.status().message()));
  if (!first->first_down) {
    std::printf("every node answered PING, its CLUSTER NODES parsing, after every message\n");
    return kOk;
  }
  const size_t killer = *first->first_down;
  std::printf("a node is down or its CLUSTER NODES does not parse after message %zu of %zu:\n",
              killer + 1, all.size());
  for (const std::string& p : first->problems) std::printf("  PROBLEM: %s\n", p.c_str());
  show(killer);
  std::vector<size_t> dying(all.begin(), all.begin() + static_cast<ptrdiff_t>(killer) + 1);
  if (dying.size() == 1) {
    std::printf("the first message: nothing to narrow\n");
    if (!o.output.empty()) {
      std::string error;
      if (!WriteBatch(b, dying, o.replay_path, o.output, &error)) return Fail(error);
      std::printf("saved to %s/\n", o.output.c_str());
    }
    return kFound;
  }
  int trial_no = 1;
  cc::Trial trial = [&](const std::vector<size_t>& indices) {
    std::string files;
    for (size_t i : indices) absl::StrAppend(&files, " ", b.messages[i].index);
    std::fprintf(stderr, "[bus-replay] trial %d: messages%s\n", ++trial_no, files.c_str());
    return cc::RunReplayTrial(b, indices, ro);
  };
  absl::StatusOr<cc::NarrowResult> n = cc::Narrow(dying, trial, o.max_trials);
  if (!n.ok()) return Fail(std::string(n.status().message()));
  std::printf("narrowed in %d more trials%s: %zu message(s) make the problem on a fresh cluster:\n",
              n->trials, n->exhausted ? " (--max-trials reached: maybe not the smallest)" : "",
              n->minimal.size());
  for (size_t i : n->minimal) show(i);
  for (const std::string& p : n->problems) std::printf("  PROBLEM: %s\n", p.c_str());
  if (!o.output.empty()) {
    std::string error;
    if (!WriteBatch(b, n->minimal, o.replay_path, o.output, &error)) return Fail(error);
    std::printf("saved to %s/\n", o.output.c_str());
  }
  return kFound;
}

void AddRunOptions(CLI::App* c, Options* o) {
  c->add_option("--base-port", o->base_port,
                "first node port (bus ports are 10000 higher); overrides the scenario's "
                "cluster.base_port; 0: free ports")
      ->check(CLI::Range(0, cc::kMaxBasePort));
  c->add_option("--convergence-timeout", o->convergence_timeout,
                "seconds the validators wait for the cluster to converge; overrides "
                "validation.convergence_timeout")
      ->check(CLI::Range(0.0, cc::kMaxTimeoutSeconds));
  c->add_option("--log-dir", o->log_dir, "write a JSON log per scenario here (<scenario_id>.json)")
      ->type_name("DIR");
  c->add_option("--report", o->report, "write a Markdown report of the batch to FILE")
      ->type_name("FILE");
  AddServerOptions(c, &o->server);
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Seeded chaos scenarios against a real server cluster (Redis, Valkey)");
  cmd.require_subcommand(1);
  o->random = cmd.add_subcommand("random", "run the scenario a seed generates (or a range)");
  o->random->add_option("--seed", o->seed, "the seed")->type_name("N");
  o->random->add_option("--seeds", o->seeds, "a batch: seeds A to B")->type_name("A-B");
  AddRunOptions(o->random, o.get());
  o->run = cmd.add_subcommand("run", "run scenario files");
  o->run->add_option("files", o->files, "scenario YAML files")->required()->type_name("FILE");
  AddRunOptions(o->run, o.get());
  o->validate = cmd.add_subcommand("validate", "check scenario files");
  o->validate->add_option("files", o->files, "scenario YAML files")->required()->type_name("FILE");
  o->export_ = cmd.add_subcommand("export", "write the YAML of the scenario a seed generates");
  o->export_->add_option("--seed", o->seed, "the seed")->required()->type_name("N");
  o->export_->add_option("-o,--output", o->output, "write to FILE instead of standard output")
      ->type_name("FILE");
  o->bus_fuzz = cmd.add_subcommand(
      "bus-fuzz", "send cluster bus messages (corpus and mutations) to live nodes");
  o->bus_fuzz->add_option("--seed", o->seed, "the seed")->required()->type_name("N");
  o->bus_fuzz->add_option("--time", o->time, "seconds to run")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  o->bus_fuzz->add_option("--shards", o->shards, "primaries")
      ->capture_default_str()
      ->check(CLI::Range(cc::kMinShards, cc::kMaxShards));
  o->bus_fuzz->add_option("--replicas", o->replicas, "replicas per primary")
      ->capture_default_str()
      ->check(CLI::Range(0, cc::kMaxReplicasPerShard));
  o->bus_fuzz->add_option("--batch", o->batch, "messages between two health checks")
      ->capture_default_str()
      ->check(CLI::Range(1, cc::kMaxBatch));
  o->bus_fuzz->add_option("--corpus", o->corpus, "the cluster_bus corpus")
      ->capture_default_str()
      ->type_name("DIR");
  o->bus_fuzz
      ->add_option("--crash-dir", o->crash_dir, "where the batch before a dead node is saved")
      ->capture_default_str()
      ->type_name("DIR");
  o->bus_fuzz->add_option("--base-port", o->base_port, "first node port; 0: free ports")
      ->check(CLI::Range(0, cc::kMaxBasePort));
  o->bus_fuzz->add_flag("--skip-known", o->skip_known,
                        "do not send a message matching a known finding of the target "
                        "(every finding when the version is unknown); counted per finding");
  o->bus_fuzz->add_flag("--keep-going", o->keep_going,
                        "after a problem, save its batch, start a new cluster and go on until "
                        "--time is up; each problem batch is listed, crashes by function");
  AddServerOptions(o->bus_fuzz, &o->server);
  o->bus_replay = cmd.add_subcommand(
      "bus-replay",
      "send a batch bus-fuzz saved to a fresh cluster one message at a time, then narrow it");
  o->bus_replay->add_option("batch", o->replay_path, "a --crash-dir batch, or one cluster_bus file")
      ->required()
      ->type_name("DIR|FILE");
  o->bus_replay->add_option("--to", o->to, "the node a single FILE goes to")
      ->capture_default_str()
      ->type_name("NODE");
  o->bus_replay
      ->add_option("--sender", o->sender,
                   "put this node's id in every message's sender field (for seeds)")
      ->type_name("NODE");
  o->bus_replay
      ->add_option("--max-trials", o->max_trials,
                   "fresh clusters the narrowing may start; 0: no narrowing")
      ->capture_default_str()
      ->check(CLI::Range(0, cc::kMaxTrials));
  o->bus_replay->add_option("-o,--output", o->output, "save the smallest set as a batch DIR")
      ->type_name("DIR");
  o->bus_replay->add_option("--base-port", o->base_port, "first node port; 0: free ports")
      ->check(CLI::Range(0, cc::kMaxBasePort));
  AddServerOptions(o->bus_replay, &o->server);
  cmd.footer(
      "Each scenario starts its own cluster of server processes (--target: Debian's\n"
      "redis-server 7.0 by default, redis-8.0 or valkey-9.1 as scripts/targets built\n"
      "them; or --server-binary PATH) on free loopback ports (or --base-port) in a temporary "
      "directory: created with\n"
      "CLUSTER ADDSLOTSRANGE/MEET/REPLICATE, ready when every node says\n"
      "cluster_state:ok. Then each operation (failover, migrate_slots, write) runs\n"
      "with process chaos (SIGKILL, SIGTERM, SIGSTOP of a primary, a replica or any\n"
      "node) before, during or after it; the node comes back after chaos_duration.\n"
      "After each operation and at the end the validators run: slot coverage, slot\n"
      "conflicts, convergence (every node sees the same owners within the\n"
      "convergence timeout), replicas connected and caught up, every node\n"
      "reachable, and every acknowledged write read back (losses of writes the\n"
      "primary alone acknowledged are counted apart; WAIT-acknowledged writes must\n"
      "never be lost). The cluster is destroyed after each scenario, also on Ctrl-C.\n"
      "The file format is in docs/cluster.md.\n"
      "\n"
      "Progress goes to standard error, the summary table to standard output.\n"
      "Exit 0 when every scenario passed, 1 when a validation failed, 2 on usage\n"
      "errors (an unknown --target, a server program missing or not built) or when\n"
      "a cluster could not be set up (a server that does not start).\n"
      "\n"
      "Examples:\n"
      "  respfuzz cluster random --seed 7\n"
      "  respfuzz cluster random --seeds 1-20 --log-dir logs --report report.md\n"
      "  respfuzz cluster export --seed 7 -o seed-7.yaml\n"
      "  respfuzz cluster validate seed-7.yaml\n"
      "  respfuzz cluster run seed-7.yaml --base-port 7000\n"
      "  respfuzz cluster bus-fuzz --seed 1 --time 60 --target valkey-9.1\n"
      "\n"
      "bus-fuzz sends messages of the cluster_bus corpus (--corpus) and seeded\n"
      "mutations of them (half claiming a real node as sender, half with totlen\n"
      "fixed) to the nodes' bus ports, --batch at a time; after each batch every\n"
      "node must run, answer PING and give a CLUSTER NODES that parses. A problem\n"
      "stops the run: the batch before it is saved under --crash-dir, one file per\n"
      "message in the cluster_bus input format; exit 1.\n"
      "\n"
      "bus-replay sends such a batch (or one cluster_bus FILE, to --to) to a fresh\n"
      "cluster one message at a time, the node ids of the saved logs rewritten to\n"
      "the new nodes' ids, and checks every node after each message. It reports\n"
      "the first message after which a node is down, decoded, then narrows: that\n"
      "message alone, each earlier one with it, then one message removed at a\n"
      "time, each trial on a fresh cluster (at most --max-trials). Exit 1 when a\n"
      "node went down, 0 when none did, 2 on errors.\n"
      "  respfuzz cluster bus-replay bus-fuzz-seed1-batch18 -o minimal\n"
      "  respfuzz cluster bus-replay corpus/cluster_bus/F.bin --sender shard-0-primary");
  return [o] {
    if (o->random->parsed()) return Random(*o);
    if (o->run->parsed()) return Run(*o);
    if (o->validate->parsed()) return Validate(*o);
    if (o->bus_fuzz->parsed()) return BusFuzz(*o);
    if (o->bus_replay->parsed()) return BusReplay(*o);
    return Export(*o);
  };
}

RESPFUZZ_CLI_COMMAND(cluster, SetUp);

}  // namespace cluster_impl
}  // namespace respfuzz::cli
