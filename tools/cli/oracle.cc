// respfuzz oracle: command and invalidation programs on a real redis-server
// and on the engine.
#include <unistd.h>

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

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "harnesses/command_handler/program.h"
#include "harnesses/common/inputs.h"
#include "harnesses/invalidation/program.h"
#include "nlohmann/json.hpp"
#include "src/engine/engine.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"
#include "tools/command_oracle.h"
#include "tools/invalidation_oracle.h"
#include "tools/oracle_net.h"
#include "tools/version_differences.h"

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
  int64_t io_timeout_ms = oracle::OracleOptions().io_timeout_ms;
  std::string engine_bug;
  std::string differences;  // --differences FILE; empty: the built-in table
  bool streams = false;     // --streams (command_handler)
};

// The server's INFO server text, over its own connection.
absl::StatusOr<std::string> InfoServer(const std::string& host, int port) {
  absl::StatusOr<int> fd = oracle::ConnectTcp(host, port, 5000);
  if (!fd.ok()) return fd.status();
  std::string in;
  absl::Status s = oracle::SendAll(*fd, "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n");
  // A bulk string: "$N\r\n" then N bytes and "\r\n".
  size_t want = std::string::npos;
  for (int rounds = 0; s.ok() && rounds < 100; ++rounds) {
    const size_t eol = in.find("\r\n");
    if (want == std::string::npos && eol != std::string::npos) {
      if (in[0] != '$') {
        s = absl::FailedPreconditionError("INFO server answered " + in.substr(0, eol));
        break;
      }
      size_t len = 0;
      if (!absl::SimpleAtoi(in.substr(1, eol - 1), &len) || len > (1u << 20)) {
        s = absl::FailedPreconditionError("INFO server answered " + in.substr(0, eol));
        break;
      }
      want = eol + 2 + len + 2;
    }
    if (want != std::string::npos && in.size() >= want) break;
    const size_t before = in.size();
    s = oracle::ReadSome(*fd, 5000, &in);
    if (s.ok() && in.size() == before) s = absl::DeadlineExceededError("no reply to INFO server");
  }
  close(*fd);
  if (!s.ok()) return s;
  return in;
}

// The table the divergences are checked against, or an error line.
absl::StatusOr<std::vector<oracle::VersionDifference>> LoadDifferences(const Options& o) {
  std::string text(oracle::BuiltInVersionDifferences());
  if (!o.differences.empty()) {
    std::string error;
    std::optional<std::string> t = ReadInput(o.differences, &error);
    if (!t) return absl::InvalidArgumentError(error);
    text = *t;
  }
  absl::StatusOr<std::vector<oracle::VersionDifference>> table =
      oracle::ParseVersionDifferences(text);
  if (!table.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(o.differences.empty() ? "the built-in version differences" : o.differences,
                     ": ", table.status().message()));
  }
  return table;
}

std::string CheckHarness(const std::string& name) {
  if (name == "command_handler" || name == "invalidation") return {};
  return "only command_handler and invalidation have a real-server oracle, not '" + name + "'";
}

// Tracker bugs --engine-bug can plant (to show the invalidation oracle fails).
const std::map<std::string, bool tracking::TrackerBugs::*>& EngineBugs() {
  static const auto* bugs = new std::map<std::string, bool tracking::TrackerBugs::*>{
      {"own-invalidation-before-reply", &tracking::TrackerBugs::own_invalidation_before_reply},
      {"caching-not-cleared", &tracking::TrackerBugs::caching_not_cleared},
      {"caching-no-outside-optout", &tracking::TrackerBugs::caching_no_outside_optout},
      {"duplicate-prefixes", &tracking::TrackerBugs::duplicate_prefixes},
  };
  return *bugs;
}

// Bugs of the engine itself --engine-bug can plant.
const std::map<std::string, bool engine::EngineBugs::*>& EngineCoreBugs() {
  static const auto* bugs = new std::map<std::string, bool engine::EngineBugs::*>{
      {"reload-without-flush-invalidation", &engine::EngineBugs::reload_without_flush_invalidation},
      {"pause-write-runs-publish", &engine::EngineBugs::pause_write_runs_publish},
      {"pause-unblocks-newest-first", &engine::EngineBugs::pause_unblocks_newest_first},
  };
  return *bugs;
}

std::string CheckEngineBug(const std::string& name) {
  if (EngineBugs().contains(name) || EngineCoreBugs().contains(name)) return {};
  std::string names;
  for (const auto& [n, member] : EngineBugs()) names += (names.empty() ? "" : ", ") + n;
  for (const auto& [n, member] : EngineCoreBugs()) names += ", " + n;
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
// line per program and the ops it diverged at, then the divergences, notes, totals and excluded
// categories; writes --json. The same for every harness with an oracle.
template <typename OracleT, typename ProgramT>
int RunAll(const Options& o, OracleT& oracle,
           const std::vector<std::pair<std::string, ProgramT>>& programs) {
  absl::StatusOr<std::vector<oracle::VersionDifference>> table = LoadDifferences(o);
  if (!table.ok()) return Fail("oracle", std::string(table.status().message()));
  const auto [host, port] = *SplitServer(o.server);
  absl::StatusOr<std::string> info = InfoServer(host, port);
  if (!info.ok()) {
    return Fail("oracle",
                absl::StrCat(o.server, ": INFO server: ", std::string(info.status().message())));
  }
  const oracle::ServerIdentity server = oracle::IdentityFromInfo(*info);
  const bool modelled = server.family == "redis" && server.version == oracle::kModelledVersion;
  std::printf("server: %s at %s%s\n", server.Describe().c_str(), o.server.c_str(),
              modelled ? " (the version the engine models)"
                       : absl::StrCat(" (the engine models redis-server ",
                                      std::string(oracle::kModelledVersion),
                                      ": each divergence is checked against ", table->size(),
                                      " documented version differences)")
                             .c_str());
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
    // Each divergence at once, so a long run shows them while it runs (the
    // full replies and their classification come at the end).
    for (size_t d = div0; d < report.divergences.size(); ++d) {
      std::printf("  diverged at op #%zu: %s\n", report.divergences[d].op_index,
                  report.divergences[d].op.c_str());
    }
    std::fflush(stdout);
  }
  oracle.Close();
  const oracle::Classification classes = oracle::Classify(*table, server, report.divergences);
  for (size_t i = 0; i < report.divergences.size(); ++i) {
    const oracle::Divergence& d = report.divergences[i];
    std::printf("DIVERGENCE %s op #%zu: %s\n  engine: %s\n  server: %s\n", d.program.c_str(),
                d.op_index, d.op.c_str(), d.engine.c_str(), d.server.c_str());
    if (modelled) continue;
    if (const oracle::VersionDifference* row = classes.row_of[i]) {
      std::printf("  documented: %s (%s)\n", row->id.c_str(), row->source.c_str());
    } else {
      std::printf("  candidate: no documented version difference explains it\n");
    }
  }
  if (!report.divergences.empty()) {
    std::printf("divergences by command (%s):\n", server.Describe().c_str());
    for (const auto& [command, g] : classes.groups) {
      std::string rows;
      for (const auto& [id, n] : g.documented) absl::StrAppend(&rows, " ", id, " ", n);
      std::printf("  %-16s %5zu", command.empty() ? "(none)" : command.c_str(), g.count);
      if (!modelled)
        std::printf("  candidates %zu%s%s", g.candidates,
                    rows.empty() ? "" : ", documented:", rows.c_str());
      std::printf("\n");
    }
    if (!modelled) {
      std::printf("%zu divergences: %zu documented, %zu candidates\n", report.divergences.size(),
                  report.divergences.size() - classes.candidates, classes.candidates);
    }
  }
  for (const std::string& note : report.notes) std::printf("NOTE %s\n", note.c_str());
  std::map<std::string, size_t> categories;
  for (const auto& e : report.excluded) ++categories[e.category];
  std::printf("%zu programs, %zu %s: %zu compared, %zu excluded, %zu divergences; agreement %.2f%%",
              report.programs, report.ops, report.unit.c_str(), report.compared,
              report.excluded.size(), report.divergences.size(), report.agreement_percent());
  if (report.frames > 0) std::printf(" (%zu replies and pushes compared)", report.frames);
  if (report.datasets_compared > 0) {
    std::printf("; final datasets (DEBUG DIGEST) %zu of %zu agree", report.datasets_agreed,
                report.datasets_compared);
  }
  if (report.streams_compared > 0) {
    std::printf("; replication streams %zu of %zu agree", report.streams_agreed,
                report.streams_compared);
  }
  std::printf("\n");
  for (const auto& [category, n] : categories) {
    std::printf("  excluded %-14s %zu\n", category.c_str(), n);
  }
  if (o.json) {
    std::string error;
    nlohmann::json j = nlohmann::json::parse(report.ToJson(o.server));
    j["server_family"] = server.family;
    j["server_version"] = server.version;
    j["candidates"] = modelled ? report.divergences.size() : classes.candidates;
    for (size_t i = 0; i < report.divergences.size(); ++i) {
      const oracle::VersionDifference* row = modelled ? nullptr : classes.row_of[i];
      j["divergences"][i]["documented_by"] = row ? nlohmann::json(row->id) : nlohmann::json();
    }
    j["groups"] = nlohmann::json::object();
    for (const auto& [command, g] : classes.groups) {
      j["groups"][command] = {
          {"count", g.count},
          {"candidates", modelled ? g.count : g.candidates},
          {"documented", modelled ? nlohmann::json::object() : nlohmann::json(g.documented)}};
    }
    if (!WriteFileAtomic(*o.json,
                         j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                         &error)) {
      return Fail("oracle", error);
    }
    std::printf("report: %s\n", o.json->c_str());
  }
  const size_t candidates = modelled ? report.divergences.size() : classes.candidates;
  return candidates == 0 && report.notes.empty() ? kOk : kFound;
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
    if (EngineBugs().contains(o.engine_bug)) {
      options.engine_bugs.*(EngineBugs().at(o.engine_bug)) = true;
    } else if (EngineCoreBugs().contains(o.engine_bug)) {
      options.core_bugs.*(EngineCoreBugs().at(o.engine_bug)) = true;
    }
    auto programs = LoadPrograms<harnesses::invalidation::Program>(
        o, [](std::string_view d) { return harnesses::invalidation::DecodeProgram(d); }, &rc);
    if (!programs) return rc;
    oracle::InvalidationOracle oracle(options);
    return RunAll(o, oracle, *programs);
  }
  oracle::OracleOptions options;
  if (EngineBugs().contains(o.engine_bug)) {
    options.engine_bugs.*(EngineBugs().at(o.engine_bug)) = true;
  } else if (EngineCoreBugs().contains(o.engine_bug)) {
    options.core_bugs.*(EngineCoreBugs().at(o.engine_bug)) = true;
  }
  std::tie(options.host, options.port) = server;
  options.max_sleep_ms = static_cast<uint32_t>(o.max_sleep_ms);
  options.expiry_margin_ms = o.expiry_margin_ms;
  options.io_timeout_ms = static_cast<int>(o.io_timeout_ms);
  options.compare_streams = o.streams;
  auto programs = LoadPrograms<harnesses::CommandProgram>(
      o, [](std::string_view d) { return harnesses::DecodeCommandProgram(d); }, &rc);
  if (!programs) return rc;
  oracle::CommandOracle oracle(options);
  return RunAll(o, oracle, *programs);
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description(
      "Replay command or invalidation programs on a real server and on the engine; compare");
  cmd.add_option("harness", o->harness, "command_handler or invalidation")
      ->check(CLI::Validator(CheckHarness, "", "HARNESS"))
      ->required();
  cmd.add_option("inputs", o->inputs, "programs (.txt) or fuzzer inputs; directories are walked")
      ->type_name("FILE|DIR")
      ->required();
  cmd.add_option("--server", o->server,
                 "the server to compare with (redis-server or valkey-server)")
      ->type_name("HOST:PORT")
      ->check(CLI::Validator(CheckServer, "", "HOST:PORT"))
      ->required();
  cmd.add_option("--json", o->json, "also write the full report to FILE")->type_name("FILE");
  cmd.add_flag("--streams", o->streams,
               "command_handler: also compare the replication streams (a SYNC replica on "
               "each side; redis-server 7.0.15 only; see below)");
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
  cmd.add_option("--io-timeout-ms", o->io_timeout_ms,
                 "command_handler: wait up to N ms for a reply the engine gave (none in that "
                 "time is a divergence)")
      ->capture_default_str()
      ->type_name("N")
      ->check(DecimalRange(100, 600000));
  cmd.add_option("--engine-bug", o->engine_bug,
                 "plant a bug in the engine (to see the oracle fail): "
                 "own-invalidation-before-reply, caching-not-cleared, caching-no-outside-optout, "
                 "duplicate-prefixes (its tracker), reload-without-flush-invalidation, "
                 "pause-write-runs-publish, pause-unblocks-newest-first")
      ->type_name("NAME")
      ->check(CLI::Validator(CheckEngineBug, "", "NAME"));
  cmd.add_option("--differences", o->differences,
                 "check divergences against this table of documented version differences "
                 "instead of the built-in tools/version_differences.tsv")
      ->type_name("FILE");
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
      "active-expire ops become a full SCAN of every db. After the last op, the\n"
      "whole datasets are compared too (DEBUG DIGEST on both sides) unless an op\n"
      "before may have left them different (one not compared, a divergence, an\n"
      "expiry race). With --streams, so are the replication streams: each program\n"
      "runs with a SYNC replica on each side (not for programs with FAILOVER, WAIT,\n"
      "CLIENT KILL or PAUSE, CONFIG of min-replicas, maxmemory or repl-, SPOP or\n"
      "RANDOMKEY), and after it the two streams must hold the same commands (unix\n"
      "times within how much later the server may have computed them), under the\n"
      "same conditions as the datasets and with no active-expire op; against\n"
      "redis-server 7.0.15 only. The replica makes the server's dump.rdb too, and\n"
      "leaves it a replication backlog for repl-backlog-ttl (an hour by default),\n"
      "which its MEMORY DOCTOR then counts: those ops are excluded with --streams,\n"
      "and may diverge in a run without it against the same server.\n"
      "\n"
      "invalidation: the server side of each program (its clients' connections, each\n"
      "a real TCP connection with tracking in its mode, RESP2 with its redirect\n"
      "connection, or RESP3) step by step: every reply and push each connection\n"
      "receives, byte for byte and in order. Client ids are normalised (REDIRECT,\n"
      "HELLO, CLIENT ID, GETREDIR, TRACKINGINFO, tracking-redir-broken); steps that\n"
      "cannot be compared are excluded with the reason (clock, table-eviction,\n"
      "maxmemory, expiry-race, block-timeout-race). docs/invalidation.md has the\n"
      "rules.\n"
      "\n"
      "Prints a line per program, then each divergence (program, op, both sides),\n"
      "the agreement over compared ops (steps) and the excluded ones by category.\n"
      "The server needs DEBUG (--enable-debug-command local): its active expiry is\n"
      "switched off while the oracle runs. Use only a server whose data may be flushed\n"
      "(and whose dump.rdb may be overwritten: a program's DEBUG RELOAD saves it).\n"
      "\n"
      "The engine models redis-server 7.0.15. Against another server (INFO server\n"
      "names it: redis-server 8.0.6, valkey-server 9.1.2, ...) each divergence is\n"
      "checked against a table of documented version differences\n"
      "(tools/version_differences.tsv, built in; --differences FILE for another):\n"
      "a row that applies to that server and matches the op's command and both\n"
      "sides marks it documented, naming the release note or commit; the rest are\n"
      "candidates. The divergences are then counted by command.\n"
      "\n"
      "Exit 0 when everything compared agrees (or, against another server, every\n"
      "divergence is documented), 1 on a divergence against 7.0.15 or a candidate\n"
      "(or an invalidation program whose own harness check failed), 2 on usage,\n"
      "connection or I/O errors (a bad --differences table included).\n"
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
