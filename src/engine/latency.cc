// LATENCY DOCTOR / GRAPH / HISTOGRAM / HISTORY / LATEST / RESET / HELP and
// INFO's latencystats section (Redis 7.0.15's latency.c, and server.c's
// per-command histograms: updateCommandLatencyHistogram, fillCommandCDF,
// fillPercentileDistributionLatencies).
//
// The engine does not measure time: every command takes 0 microseconds
// (INFO commandstats' usec, SLOWLOG's durations; slowlog.cc). What that
// gives, in one place (ZeroDuration below):
//
// - Histograms. call() records duration*1000 ns in the command's
//   hdr_histogram when latency-tracking is on (a blocked command when it is
//   unblocked: served, or by CLIENT UNBLOCK; not on a timeout);
//   updateCommandLatencyHistogram raises 0 ns to LATENCY_HISTOGRAM_MIN_VALUE,
//   1 ns. Every sample is 1 ns, so a histogram is its sample count
//   (CommandStat::latency_samples), LATENCY HISTOGRAM's `histogram_usec` has
//   one bucket, 1 (the first bucket of hdr_iter_log_init's iteration, 1024
//   ns wide, reported as its highest value 1023 ns / 1000), holding every
//   call, and every INFO percentile is 0.001 (hdr_value_at_percentile of
//   1 ns, printed %.3f in microseconds). Checked on redis-server 7.0.15: a
//   PING run 215 times there, 214 of them in under a microsecond, reports
//   bucket 1 with 214 and `p0=0.001`.
// - Latency events (latencyAddSampleIfNeeded: command, fast-command,
//   expire-cycle, ...) are logged when their duration in milliseconds is at
//   least latency-monitor-threshold (0: off). Every duration is 0 ms, so no
//   event is ever logged: LATEST and HISTORY are empty, RESET resets 0
//   events, GRAPH is the no-samples error, and DOCTOR is Redis's report for
//   no events (the "disabled" text while the threshold is 0, else the "no
//   latency spike" text; the engine's process has no anonymous huge pages,
//   so no THP advice).
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/command_facts.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

// The one rule for a 0 us duration (see the file comment).
struct ZeroDuration {
  // hdr_iter_log_init(&iter, h, 1024, 2): the first bucket reports
  // highest_equivalent_value 1023 ns, in microseconds 1.
  static constexpr int64_t kBucketUsec = (1024 - 1) / 1000;
  // hdr_value_at_percentile of a histogram of 1 ns samples is 1 ns, for
  // any percentile (0 takes the lowest equivalent value, also 1 ns).
  static constexpr double kPercentileUsec = 1 / 1000.0;
};
static_assert(ZeroDuration::kBucketUsec == 1);

// sprintf("%f") then trimDoubleString (util.c): 50 -> "50", 99.9 -> "99.9".
std::string TrimmedDouble(double d) {
  char buf[128];
  int len = std::snprintf(buf, sizeof(buf), "%f", d);
  std::string s(buf, len > 0 ? static_cast<size_t>(len) : 0);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

// fillCommandCDF: calls, and histogram_usec's cumulative buckets.
void CommandCdf(ReplyWriter& reply, uint64_t samples) {
  reply.MapHeader(2);
  reply.Bulk("calls");
  reply.Integer(static_cast<int64_t>(samples));
  reply.Bulk("histogram_usec");
  reply.MapHeader(1);
  reply.Integer(ZeroDuration::kBucketUsec);
  reply.Integer(static_cast<int64_t>(samples));
}

uint64_t Samples(const Engine& e, std::string_view fullname) {
  auto it = e.stats().commands.find(fullname);
  return it == e.stats().commands.end() ? 0 : it->second.latency_samples;
}

// LATENCY HISTOGRAM [command ...]: every command with a histogram, or the
// named ones (lookupCommandBySds: "name" or "container|sub", any letter
// case; a container adds each of its subcommands with one; unknown names
// are skipped, a name given twice answers twice). Redis lists commands and
// a container's subcommands in its dicts' order (random per process); here
// in name order.
void Histogram(CommandContext& c) {
  std::vector<std::pair<std::string, uint64_t>> found;
  if (c.argc() == 2) {
    const std::map<std::string_view, CommandStat> sorted(c.engine.stats().commands.begin(),
                                                         c.engine.stats().commands.end());
    for (const auto& [name, st] : sorted) {
      if (st.latency_samples > 0) found.emplace_back(std::string(name), st.latency_samples);
    }
  } else {
    for (size_t j = 2; j < c.argc(); ++j) {
      const CommandFact* f = FindCommandFact(c.arg(j));
      if (f == nullptr || FindCommand(f->fullname.substr(0, f->fullname.find('|'))) == nullptr) {
        continue;  // not a command (of the engine's)
      }
      if (const uint64_t n = Samples(c.engine, f->fullname); n > 0)
        found.emplace_back(f->fullname, n);
      std::map<std::string, uint64_t> subs;
      for (const CommandFact* sub : f->subcommands) {
        if (const uint64_t n = Samples(c.engine, sub->fullname); n > 0) subs[sub->fullname] = n;
      }
      found.insert(found.end(), subs.begin(), subs.end());
    }
  }
  c.reply.MapHeader(static_cast<int64_t>(found.size()));
  for (const auto& [name, n] : found) {
    c.reply.Bulk(name);
    CommandCdf(c.reply, n);
  }
}

void CmdLatency(CommandContext& c) {
  // Dispatch checked the subcommand and its arity (engine.cc).
  const std::string& sub = c.arg(1);
  if (IEquals(sub, "history")) {
    c.reply.ArrayHeader(0);  // no event is ever logged
  } else if (IEquals(sub, "graph")) {
    c.reply.Error(absl::StrCat("ERR No samples available for event '", ErrorText(c.arg(2)), "'"));
  } else if (IEquals(sub, "latest")) {
    c.reply.ArrayHeader(0);
  } else if (IEquals(sub, "doctor")) {
    // createLatencyReport with no event logged.
    if (c.engine.GetParam(ParamId::kLatencyMonitorThreshold) == 0) {
      c.reply.Verbatim(
          "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
          "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
          "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
          "at https://redis.io/topics/latency-monitor.\n",
          "txt");
    } else {
      c.reply.Verbatim(
          "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
          "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
          "pill, and think things over.\n",
          "txt");
    }
  } else if (IEquals(sub, "reset")) {
    c.reply.Integer(0);  // the events reset: none is ever logged
  } else if (IEquals(sub, "histogram")) {
    Histogram(c);
  } else {
    static constexpr std::string_view kHelp[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the "
        "specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    };
    c.reply.ArrayHeader(std::size(kHelp));
    for (std::string_view line : kHelp) c.reply.Simple(line);
  }
}

// A container (latency|doctor, ... engine.cc's subcommand table), no keys.
constexpr std::array<CommandSpec, 1> kCommands = {{
    {"latency", -2, 0, 0, 0, 0, CmdLatency},
}};

}  // namespace

std::span<const CommandSpec> LatencyCommands() { return kCommands; }

void Engine::LatencySample(std::string_view fullname) {
  if (!latency_tracking_) return;
  auto it = stats_.commands.find(fullname);
  if (it == stats_.commands.end()) it = stats_.commands.try_emplace(std::string(fullname)).first;
  ++it->second.latency_samples;
}

std::string LatencyStatsSection(const Engine& e) {
  // genRedisInfoStringLatencyStats: nothing while latency-tracking is off.
  std::string out;
  if (e.GetParam(ParamId::kLatencyTracking) == 0) return out;
  const std::map<std::string_view, CommandStat> sorted(e.stats().commands.begin(),
                                                       e.stats().commands.end());
  char value[64];
  std::snprintf(value, sizeof(value), "%.3f", ZeroDuration::kPercentileUsec);
  for (const auto& [name, st] : sorted) {
    if (st.latency_samples == 0) continue;
    absl::StrAppend(&out, "latency_percentiles_usec_", std::string(name), ":");
    const std::vector<double>& ps = e.latency_percentiles();
    for (size_t j = 0; j < ps.size(); ++j) {
      absl::StrAppend(&out, j > 0 ? "," : "", "p", TrimmedDouble(ps[j]), "=", value);
    }
    out += "\r\n";
  }
  return out;
}

std::string LatencyPercentilesString(const std::vector<double>& ps) {
  std::string out;
  for (size_t j = 0; j < ps.size(); ++j)
    absl::StrAppend(&out, j > 0 ? " " : "", TrimmedDouble(ps[j]));
  return out;
}

std::string ParseLatencyPercentiles(std::string_view value, std::vector<double>* out) {
  // performInterfaceSet: the value split at each single space
  // (sdssplitlen; "" gives no percentile), then each one string2d'd.
  out->clear();
  if (value.empty()) return {};
  size_t start = 0;
  while (true) {
    const size_t sp = value.find(' ', start);
    const std::string tok(
        value.substr(start, sp == std::string_view::npos ? value.npos : sp - start));
    // string2d: strtod over the whole token (a NUL or a leading space ends
    // it early), no range error to 0 or infinity, no NaN.
    errno = 0;
    char* end = nullptr;
    const double d = tok.empty() ? 0 : std::strtod(tok.c_str(), &end);
    if (tok.empty() || std::isspace(static_cast<unsigned char>(tok[0])) ||
        end != tok.c_str() + tok.size() ||
        (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL || std::fpclassify(d) == FP_ZERO)) ||
        std::isnan(d)) {
      out->clear();
      return "Invalid latency-tracking-info-percentiles parameters";
    }
    if (d > 100.0 || d < 0.0) {
      out->clear();
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    out->push_back(d);
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return {};
}

}  // namespace respfuzz::engine
