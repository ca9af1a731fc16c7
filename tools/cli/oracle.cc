// respfuzz oracle: command and invalidation programs on a real redis-server
// and on the engine.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "harnesses/command_handler/program.h"
#include "harnesses/common/inputs.h"
#include "harnesses/invalidation/program.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"
#include "tools/command_oracle.h"
#include "tools/invalidation_oracle.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace oracle_impl {

struct Options {
  std::string harness;
  std::vector<std::string> inputs;
  std::string server;
  std::optional<std::string> json;
  int64_t max_sleep_ms = oracle::OracleOptions().max_sleep_ms;
  int64_t expiry_margin_ms = oracle::OracleOptions().expiry_margin_ms;
  int64_t frame_timeout_ms = oracle::InvalidationOracleOptions().frame_timeout_ms;
  std::string engine_bug;
};

std::string CheckHarness(const std::string& name) {
  if (name == "command_handler" || name == "invalidation") return {};
  return "only command_handler and invalidation have a real-server oracle, not '" + name + "'";
}

// Tracker bugs --engine-bug can plant (to show the invalidation oracle fails).
const std::map<std::string, bool tracking::TrackerBugs::*>& EngineBugs() {
  static const auto* bugs = new std::map<std::string, bool tracking::TrackerBugs::*>{
      {"own-invalidation-before-reply", &tracking::TrackerBugs::own_invalidation_before_reply},
      {"caching-not-cleared", &tracking::TrackerBugs::caching_not_cleared},
      {"duplicate-prefixes", &tracking::TrackerBugs::duplicate_prefixes},
  };
  return *bugs;
}

std::string CheckEngineBug(const std::string& name) {
  if (EngineBugs().contains(name)) return {};
  std::string names;
  for (const auto& [n, member] : EngineBugs()) names += (names.empty() ? "" : ", ") + n;
  return "unknown engine bug '" + name + "' (one of: " + names + ")";
}

// HOST:PORT with a port of 1 to 65535; the host is checked by connecting.
std::optional<std::pair<std::string, int>> SplitServer(const std::string& s) {
  const size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string port = s.substr(colon + 1);
  if (!DecimalRange(1, 65535)(port).empty()) return std::nullopt;
  return std::make_pair(s.substr(0, colon), std::stoi(port));
}

std::string CheckServer(const std::string& s) {
  if (SplitServer(s)) return {};
  return "must be HOST:PORT (e.g. 127.0.0.1:6390), got '" + s + "'";
}

// Runs every program through `oracle` (Connect, Run each, Close), printing a
// line per program, then the divergences, notes, totals and excluded
// categories; writes --json. The same for every harness with an oracle.
template <typename OracleT, typename ProgramT>
int RunAll(const Options& o, OracleT& oracle,
           const std::vector<std::pair<std::string, ProgramT>>& programs) {
  if (absl::Status s = oracle.Connect(); !s.ok()) {
    oracle.Close();
    return Fail("oracle", std::string(s.message()));
  }
  oracle::OracleReport report;
  for (size_t i = 0; i < programs.size(); ++i) {
    const size_t div0 = report.divergences.size(), exc0 = report.excluded.size(), ops0 = report.ops,
                 cmp0 = report.compared;
    if (absl::Status s = oracle.Run(programs[i].first, programs[i].second, &report); !s.ok()) {
      oracle.Close();
      return Fail("oracle", programs[i].first + ": " + std::string(s.message()));
    }
    std::printf("[%zu/%zu] %s: %zu %s, %zu compared, %zu excluded, %zu divergences\n", i + 1,
                programs.size(), programs[i].first.c_str(), report.ops - ops0, report.unit.c_str(),
                report.compared - cmp0, report.excluded.size() - exc0,
                report.divergences.size() - div0);
    std::fflush(stdout);
  }
  oracle.Close();
  for (const auto& d : report.divergences) {
    std::printf("DIVERGENCE %s op #%zu: %s\n  engine: %s\n  server: %s\n", d.program.c_str(),
                d.op_index, d.op.c_str(), d.engine.c_str(), d.server.c_str());
  }
  for (const std::string& note : report.notes) std::printf("NOTE %s\n", note.c_str());
  std::map<std::string, size_t> categories;
  for (const auto& e : report.excluded) ++categories[e.category];
  std::printf("%zu programs, %zu %s: %zu compared, %zu excluded, %zu divergences; agreement %.2f%%",
              report.programs, report.ops, report.unit.c_str(), report.compared,
              report.excluded.size(), report.divergences.size(), report.agreement_percent());
  if (report.frames > 0) std::printf(" (%zu replies and pushes compared)", report.frames);
  std::printf("\n");
  for (const auto& [category, n] : categories) {
    std::printf("  excluded %-14s %zu\n", category.c_str(), n);
  }
  if (o.json) {
    std::string error;
    if (!WriteFileAtomic(*o.json, report.ToJson(o.server), &error)) return Fail("oracle", error);
    std::printf("report: %s\n", o.json->c_str());
  }
  return report.divergences.empty() && report.notes.empty() ? kOk : kFound;
}

// The programs of the inputs: files as given; directories walked in order,
// .txt programs included except a regression's readable copy of its .bin.
template <typename ProgramT, typename DecodeT>
std::optional<std::vector<std::pair<std::string, ProgramT>>> LoadPrograms(const Options& o,
                                                                          DecodeT decode, int* rc) {
  const Harness* h = harnesses::FindHarness(o.harness);
  std::vector<std::filesystem::path> files;
  std::string missing;
  if (!fuzz::ExpandInputs(o.inputs, &files, &missing, true)) {
    *rc = Fail("oracle", "no such file or directory: " + missing);
    return std::nullopt;
  }
  std::vector<std::pair<std::string, ProgramT>> programs;
  for (const auto& f : files) {
    std::string error;
    std::optional<std::string> data = LoadInput(*h, f.string(), &error);
    if (!data) {
      *rc = Fail("oracle", error);
      return std::nullopt;
    }
    programs.emplace_back(f.string(), decode(*data));
  }
  return programs;
}

int Oracle(const Options& o) {
  std::pair<std::string, int> server = *SplitServer(o.server);
  int rc = kUsage;
  if (o.harness == "invalidation") {
    oracle::InvalidationOracleOptions options;
    std::tie(options.host, options.port) = server;
    options.max_sleep_ms = static_cast<uint32_t>(o.max_sleep_ms);
    options.frame_timeout_ms = static_cast<int>(o.frame_timeout_ms);
    if (!o.engine_bug.empty()) options.engine_bugs.*(EngineBugs().at(o.engine_bug)) = true;
    auto programs = LoadPrograms<harnesses::invalidation::Program>(
        o, [](std::string_view d) { return harnesses::invalidation::DecodeProgram(d); }, &rc);
    if (!programs) return rc;
    oracle::InvalidationOracle oracle(options);
    return RunAll(o, oracle, *programs);
  }
  if (!o.engine_bug.empty()) return Fail("oracle", "--engine-bug is for invalidation only");
  oracle::OracleOptions options;
  std::tie(options.host, options.port) = server;
  options.max_sleep_ms = static_cast<uint32_t>(o.max_sleep_ms);
  options.expiry_margin_ms = o.expiry_margin_ms;
  auto programs = LoadPrograms<harnesses::CommandProgram>(
      o, [](std::string_view d) { return harnesses::DecodeCommandProgram(d); }, &rc);
  if (!programs) return rc;
  oracle::CommandOracle oracle(options);
  return RunAll(o, oracle, *programs);
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description(
      "Replay command or invalidation programs on redis-server and on the engine; compare");
  cmd.add_option("harness", o->harness, "command_handler or invalidation")
      ->check(CLI::Validator(CheckHarness, "", "HARNESS"))
      ->required();
  cmd.add_option("inputs", o->inputs, "programs (.txt) or fuzzer inputs; directories are walked")
      ->type_name("FILE|DIR")
      ->required();
  cmd.add_option("--server", o->server, "the redis-server to compare with")
      ->type_name("HOST:PORT")
      ->check(CLI::Validator(CheckServer, "", "HOST:PORT"))
      ->required();
  cmd.add_option("--json", o->json, "also write the full report to FILE")->type_name("FILE");
  cmd.add_option("--max-sleep-ms", o->max_sleep_ms,
                 "clock steps up to N ms are waited out for real")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(0, 3600000));
  cmd.add_option("--expiry-margin-ms", o->expiry_margin_ms,
                 "command_handler: slack in ms on both ends of the window in which a key's "
                 "expiry makes an op undecidable (the window is measured: how long the op took "
                 "and how late the server may have stored the expiry)")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(0, 3600000));
  cmd.add_option("--frame-timeout-ms", o->frame_timeout_ms,
                 "invalidation: wait up to N ms for a frame the engine wrote")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(1, 60000));
  cmd.add_option("--engine-bug", o->engine_bug,
                 "invalidation: plant a tracker bug in the engine (to see the oracle fail): "
                 "own-invalidation-before-reply, caching-not-cleared, duplicate-prefixes")
      ->type_name("NAME")
      ->check(CLI::Validator(CheckEngineBug, "", "NAME"));
  cmd.footer(
      "Replays programs (.txt text programs or fuzzer inputs; directories are walked,\n"
      "a .txt beside a .bin of the same name is skipped) against a real redis-server\n"
      "and against the engine, FLUSHALL between programs, and compares.\n"
      "\n"
      "command_handler: the replies op by op (RESP2 replies read by hiredis, RESP3 by\n"
      "our reader). Ops that cannot be compared are listed as excluded with the\n"
      "reason: commands the engine does not model, CLIENT ID, ops that a key's expiry\n"
      "makes undecidable (the op took long enough, plus --expiry-margin-ms, to run on\n"
      "either side of it, or an EXPIRE-family GT/LT whose replies differ set a new\n"
      "expiry that close to the current one), and everything after a clock step\n"
      "longer than --max-sleep-ms (shorter steps are waited out for real);\n"
      "active-expire ops become a full SCAN of every db.\n"
      "\n"
      "invalidation: the server side of each program (its clients' connections, each\n"
      "a real TCP connection with tracking in its mode, RESP2 with its redirect\n"
      "connection, or RESP3) step by step: every reply and push each connection\n"
      "receives, byte for byte and in order. Client ids are normalised (REDIRECT,\n"
      "HELLO, CLIENT ID, GETREDIR, TRACKINGINFO, tracking-redir-broken); steps that\n"
      "cannot be compared are excluded with the reason (clock, table-eviction,\n"
      "expiry-race). docs/invalidation.md has the rules.\n"
      "\n"
      "Prints a line per program, then each divergence (program, op, both sides),\n"
      "the agreement over compared ops (steps) and the excluded ones by category.\n"
      "The server needs DEBUG (--enable-debug-command local): its active expiry is\n"
      "switched off while the oracle runs. Use only a server whose data may be flushed.\n"
      "\n"
      "Exit 0 when everything compared agrees, 1 on a divergence (or an invalidation\n"
      "program whose own harness check failed), 2 on usage, connection or I/O errors.\n"
      "\n"
      "Examples:\n"
      "  respfuzz oracle command_handler --server 127.0.0.1:6390 corpus/command_handler \\\n"
      "      --json oracle.json\n"
      "  respfuzz oracle invalidation --server 127.0.0.1:6390 corpus/invalidation \\\n"
      "      tests/regressions/invalidation");
  return [o] { return Oracle(*o); };
}

RESPFUZZ_CLI_COMMAND(oracle, SetUp);

}  // namespace oracle_impl
}  // namespace respfuzz::cli
