// respfuzz oracle: command programs on a real redis-server and on the engine.
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
#include "tools/cli/command.h"
#include "tools/cli/common.h"
#include "tools/command_oracle.h"

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
};

std::string CheckHarness(const std::string& name) {
  if (name == "command_handler") return {};
  return "only command_handler has a real-server oracle, not '" + name + "'";
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

int Oracle(const Options& o) {
  oracle::OracleOptions options;
  std::tie(options.host, options.port) = *SplitServer(o.server);
  options.max_sleep_ms = static_cast<uint32_t>(o.max_sleep_ms);
  options.expiry_margin_ms = o.expiry_margin_ms;
  const Harness* h = harnesses::FindHarness(o.harness);

  // Files as given; directories walked in order, .txt programs included
  // except a regression's readable copy of its .bin.
  std::vector<std::filesystem::path> files;
  std::string missing;
  if (!fuzz::ExpandInputs(o.inputs, &files, &missing, true)) {
    return Fail("oracle", "no such file or directory: " + missing);
  }
  std::vector<std::pair<std::string, harnesses::CommandProgram>> programs;
  for (const auto& f : files) {
    std::string error;
    std::optional<std::string> data = LoadInput(*h, f.string(), &error);
    if (!data) return Fail("oracle", error);
    programs.emplace_back(f.string(), harnesses::DecodeCommandProgram(*data));
  }

  oracle::CommandOracle oracle(options);
  if (absl::Status s = oracle.Connect(); !s.ok()) return Fail("oracle", std::string(s.message()));
  oracle::OracleReport report;
  for (size_t i = 0; i < programs.size(); ++i) {
    const size_t div0 = report.divergences.size(), exc0 = report.excluded.size(), ops0 = report.ops,
                 cmp0 = report.compared;
    if (absl::Status s = oracle.Run(programs[i].first, programs[i].second, &report); !s.ok()) {
      oracle.Close();
      return Fail("oracle", programs[i].first + ": " + std::string(s.message()));
    }
    std::printf("[%zu/%zu] %s: %zu ops, %zu compared, %zu excluded, %zu divergences\n", i + 1,
                programs.size(), programs[i].first.c_str(), report.ops - ops0,
                report.compared - cmp0, report.excluded.size() - exc0,
                report.divergences.size() - div0);
    std::fflush(stdout);
  }
  oracle.Close();
  for (const auto& d : report.divergences) {
    std::printf("DIVERGENCE %s op #%zu: %s\n  engine: %s\n  server: %s\n", d.program.c_str(),
                d.op_index, d.op.c_str(), d.engine.c_str(), d.server.c_str());
  }
  std::map<std::string, size_t> categories;
  for (const auto& e : report.excluded) ++categories[e.category];
  std::printf(
      "%zu programs, %zu ops: %zu compared, %zu excluded, %zu divergences; agreement %.2f%%\n",
      report.programs, report.ops, report.compared, report.excluded.size(),
      report.divergences.size(), report.agreement_percent());
  for (const auto& [category, n] : categories) {
    std::printf("  excluded %-12s %zu\n", category.c_str(), n);
  }
  if (o.json) {
    std::string error;
    if (!WriteFileAtomic(*o.json, report.ToJson(o.server), &error)) return Fail("oracle", error);
    std::printf("report: %s\n", o.json->c_str());
  }
  return report.divergences.empty() ? kOk : kFound;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Replay command programs on redis-server and on the engine; compare replies");
  cmd.add_option("harness", o->harness, "command_handler (the only harness with an oracle)")
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
                 "exclude ops within N ms of a key's expiry")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(0, 3600000));
  cmd.footer(
      "Replays command programs (.txt text programs or fuzzer inputs; directories are\n"
      "walked, a .txt beside a .bin of the same name is skipped) against a real\n"
      "redis-server and against the engine, FLUSHALL between programs, and compares\n"
      "the replies op by op (RESP2 replies read by hiredis, RESP3 by our reader).\n"
      "Prints a line per program, then the agreement over compared ops and each\n"
      "divergence (program, op, both replies). Ops that cannot be compared are listed\n"
      "as excluded with the reason: commands the engine does not model, CLIENT ID,\n"
      "keys expiring within --expiry-margin-ms of an op, and everything after a clock\n"
      "step longer than --max-sleep-ms (shorter steps are waited out for real).\n"
      "\n"
      "The server needs DEBUG (--enable-debug-command local): its active expiry is\n"
      "switched off while the oracle runs, and active-expire ops become a full SCAN of\n"
      "every db. Use only a server whose data may be flushed.\n"
      "\n"
      "Exit 0 when every compared op agrees, 1 on a divergence, 2 on usage,\n"
      "connection or I/O errors.\n"
      "\n"
      "Example:\n"
      "  respfuzz oracle command_handler --server 127.0.0.1:6390 corpus/command_handler \\\n"
      "      --json oracle.json");
  return [o] { return Oracle(*o); };
}

RESPFUZZ_CLI_COMMAND(oracle, SetUp);

}  // namespace oracle_impl
}  // namespace respfuzz::cli
