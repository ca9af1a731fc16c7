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
// - Latency events (latencyAddSampleIfNeeded) are logged when their
//   duration in milliseconds is at least latency-monitor-threshold (0:
//   off). The one duration the engine knows is DEBUG SLEEP's (as the slow
//   log counts it): a call that slept is a `command` event (`fast-command`
//   for a fast command), EXEC too when what it ran slept. Under a server
//   the active expire cycle is timed on its monotonic clock (expire-cycle;
//   a simulated transport's clock stands still in it); no other event
//   (fork, aof-*, eviction-*) is ever logged. HISTORY,
//   LATEST, RESET, GRAPH (the sparkline) and DOCTOR (the report, with the
//   advice those two events give; the engine's process has no anonymous
//   huge pages, so no THP advice) are latency.c's over those samples.
//   Events are listed in name order where Redis walks its dict.
#include <algorithm>
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

using Series = Engine::LatencySeries;

// The used samples of a series, oldest first (from idx round the ring).
std::vector<Series::Sample> InOrder(const Series& ts) {
  std::vector<Series::Sample> out;
  for (size_t j = 0; j < ts.samples.size(); ++j) {
    const Series::Sample& s = ts.samples[(ts.idx + j) % ts.samples.size()];
    if (s.time != 0) out.push_back(s);
  }
  return out;
}

// The event a name finds (dictFind: the exact name), or nullptr.
const Series* FindEvent(Engine& e, const std::string& name) {
  auto it = e.latency_events().find(name);
  return it == e.latency_events().end() ? nullptr : &it->second;
}

// The graph's vertical labels: how long ago, in s, m, h or d.
std::string Ago(int64_t elapsed) {
  if (elapsed < 60) return absl::StrCat(elapsed, "s");
  if (elapsed < 3600) return absl::StrCat(elapsed / 60, "m");
  if (elapsed < 86400) return absl::StrCat(elapsed / 3600, "h");
  return absl::StrCat(elapsed / 86400, "d");
}

// LATENCY GRAPH's sparkline: columns of 80 at most, 4 rows of three
// levels each (`_`, `o`, `#`, then `|` below a full column) scaled between
// the lowest and highest sample (`lo` and `hi`), a blank line, then each
// column's label written downwards, one character per line.
std::string Sparkline(const std::vector<std::pair<uint32_t, std::string>>& points, uint32_t lo,
                      uint32_t hi) {
  constexpr size_t kColumns = 80;
  constexpr int kRows = 4, kLevels = 3;
  constexpr char kFill[] = "_o#";
  const double range = hi == lo ? 1 : static_cast<double>(hi - lo);
  std::string out;
  for (size_t first = 0; first < points.size(); first += kColumns) {
    const size_t width = std::min(kColumns, points.size() - first);
    if (first != 0) out += '\n';
    // The level of each column: 0 .. rows * levels - 1.
    std::vector<int> level(width);
    for (size_t j = 0; j < width; ++j) {
      const auto scaled =
          static_cast<double>(static_cast<int64_t>(points[first + j].first - lo) * kRows * kLevels);
      level[j] = std::clamp(static_cast<int>(scaled / range), 0, kRows * kLevels - 1);
    }
    for (int row = 0; row < kRows; ++row) {
      std::string line(width, ' ');
      for (size_t j = 0; j < width; ++j) {
        const int in_row = level[j] - (kRows - row - 1) * kLevels;
        if (in_row >= kLevels) {
          line[j] = '|';
        } else if (in_row >= 0) {
          line[j] = kFill[in_row];
        }
      }
      out += line + '\n';
    }
    out += std::string(width, ' ') + '\n';
    for (size_t ch = 0;; ++ch) {
      std::string line(width, ' ');
      bool any = false;
      for (size_t j = 0; j < width; ++j) {
        const std::string& label = points[first + j].second;
        if (ch < label.size()) {
          line[j] = label[ch];
          any = true;
        }
      }
      if (!any) break;
      out += line + '\n';
    }
  }
  return out;
}

// createLatencyReport over the events the engine can log (command,
// fast-command, expire-cycle): each event's line, then the advice they call
// for.
std::string Doctor(Engine& e) {
  const int64_t threshold = e.GetParam(ParamId::kLatencyMonitorThreshold);
  if (e.latency_events().empty() && threshold == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  const int64_t now = e.keyspace().now_ms() / 1000;
  const int64_t slower_than = e.GetParam(ParamId::kSlowlogLogSlowerThan);
  bool slowlog_enabled = false, slowlog_tuning = false, slowlog_inspect = false;
  bool scheduler = false, large_objects = false, hz = false;
  int advices = 0, n = 0;
  std::string report;
  for (const auto& [event, ts] : e.latency_events()) {
    if (++n == 1) {
      report +=
          "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
          "about it, do you Dave?\n\n";
    }
    // analyzeLatencyForEvent: integer average and mean deviation, the
    // period from the oldest sample to now (at least 1 s).
    const std::vector<Series::Sample> samples = InOrder(ts);
    uint64_t sum = 0;
    int64_t oldest = 0;
    for (const Series::Sample& s : samples) {
      sum += s.latency;
      if (oldest == 0 || s.time < oldest) oldest = s.time;
    }
    uint64_t avg = 0, mad = 0;
    int64_t period = 0;
    if (!samples.empty()) {
      avg = sum / samples.size();
      period = now - oldest;
      if (period == 0) period = 1;
      uint64_t dev = 0;
      for (const Series::Sample& s : samples) {
        const int64_t d = static_cast<int64_t>(avg) - s.latency;
        dev += static_cast<uint64_t>(d < 0 ? -d : d);
      }
      mad = dev / samples.size();
    }
    char line[256];
    std::snprintf(line, sizeof(line),
                  "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f "
                  "sec). Worst all time event %lums.",
                  n, event.c_str(), static_cast<int>(samples.size()),
                  static_cast<unsigned long>(avg), static_cast<unsigned long>(mad),
                  static_cast<double>(period) / static_cast<double>(samples.size()),
                  static_cast<unsigned long>(ts.max));
    report += line;
    if (IEquals(event, "command")) {
      if (slower_than < 0) {
        slowlog_enabled = true;
        ++advices;
      } else if (slower_than / 1000 > threshold) {
        slowlog_tuning = true;
        ++advices;
      }
      slowlog_inspect = large_objects = true;
      advices += 2;
    }
    if (IEquals(event, "fast-command")) {
      scheduler = true;
      ++advices;
    }
    if (IEquals(event, "expire-cycle")) {
      hz = large_objects = true;
      advices += 2;
    }
    report += '\n';
  }
  if (n == 0 && advices == 0) {
    return report +
           "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
           "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
           "pill, and think things over.\n";
  }
  if (advices == 0) {
    return report +
           "\nWhile there are latency events logged, I'm not able to suggest any easy fix. "
           "Please use the Redis community to get some help, providing this report in your help "
           "request.\n";
  }
  report += "\nI have a few advices for you:\n\n";
  const std::string slower = std::to_string(static_cast<uint64_t>(threshold) * 1000);
  if (slowlog_enabled) {
    report +=
        "- There are latency issues with potentially slow commands you are using. Try to enable "
        "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than " +
        slower +
        "'. If the Slow log is disabled Redis is not able to log slow commands execution for "
        "you.\n";
  }
  if (slowlog_tuning) {
    report +=
        "- Your current Slow Log configuration only logs events that are slower than your "
        "configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than " +
        slower + "'.\n";
  }
  if (slowlog_inspect) {
    report +=
        "- Check your Slow Log to understand what are the commands you are running which are too "
        "slow to execute. Please check https://redis.io/commands/slowlog for more "
        "information.\n";
  }
  if (scheduler) {
    report +=
        "- The system is slow to execute Redis code paths not containing system calls. This "
        "usually means the system does not provide Redis CPU time to run for long periods. You "
        "should try to:\n"
        "  1) Lower the system load.\n"
        "  2) Use a computer / VM just for Redis if you are running other software in the same "
        "system.\n"
        "  3) Check if you have a \"noisy neighbour\" problem.\n"
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
        "your system.\n"
        "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if "
        "you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (hz) {  // server.hz is 10 (the engine's cron runs every 100 ms)
    report +=
        "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' "
        "configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (large_objects) {
    report +=
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
        "blocking operation. If you have very large objects that are often deleted, expired, or "
        "evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  return report;
}

void CmdLatency(CommandContext& c) {
  // Dispatch checked the subcommand and its arity (engine.cc).
  const std::string& sub = c.arg(1);
  Engine& e = c.engine;
  if (IEquals(sub, "history")) {
    const Series* ts = FindEvent(e, c.arg(2));
    const std::vector<Series::Sample> samples =
        ts == nullptr ? std::vector<Series::Sample>{} : InOrder(*ts);
    c.reply.ArrayHeader(static_cast<int64_t>(samples.size()));
    for (const Series::Sample& s : samples) {
      c.reply.ArrayHeader(2);
      c.reply.Integer(s.time);
      c.reply.Integer(s.latency);
    }
  } else if (IEquals(sub, "graph")) {
    const Series* ts = FindEvent(e, c.arg(2));
    if (ts == nullptr) {
      c.reply.Error(absl::StrCat("ERR No samples available for event '", ErrorText(c.arg(2)), "'"));
      return;
    }
    const int64_t now = e.keyspace().now_ms() / 1000;
    std::vector<std::pair<uint32_t, std::string>> points;
    uint32_t lo = 0, hi = 0;
    for (const Series::Sample& s : InOrder(*ts)) {
      lo = points.empty() ? s.latency : std::min(lo, s.latency);
      hi = points.empty() ? s.latency : std::max(hi, s.latency);
      points.emplace_back(s.latency, Ago(now - s.time));
    }
    std::string graph =
        absl::StrCat(c.arg(2), " - high ", hi, " ms, low ", lo, " ms (all time high ", ts->max,
                     " ms)\n", std::string(80, '-'), "\n");
    if (!points.empty()) graph += Sparkline(points, lo, hi);
    c.reply.Verbatim(graph, "txt");
  } else if (IEquals(sub, "latest")) {
    c.reply.ArrayHeader(static_cast<int64_t>(e.latency_events().size()));
    for (const auto& [event, ts] : e.latency_events()) {
      const Series::Sample& last = ts.samples[(ts.idx + ts.samples.size() - 1) % ts.samples.size()];
      c.reply.ArrayHeader(4);
      c.reply.Bulk(event);
      c.reply.Integer(last.time);
      c.reply.Integer(last.latency);
      c.reply.Integer(ts.max);
    }
  } else if (IEquals(sub, "doctor")) {
    c.reply.Verbatim(Doctor(e), "txt");
  } else if (IEquals(sub, "reset")) {
    // latencyResetEvent: every event, or those named (any letter case).
    int64_t resets = 0;
    auto& events = e.latency_events();
    for (auto it = events.begin(); it != events.end();) {
      bool named = c.argc() == 2;
      for (size_t j = 2; j < c.argc() && !named; ++j) named = IEquals(it->first, c.arg(j));
      if (named) {
        it = events.erase(it);
        ++resets;
      } else {
        ++it;
      }
    }
    c.reply.Integer(resets);
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

void Engine::LatencyEvent(bool fast, int64_t duration_us) {
  // time(NULL) when call() ends: the command's clock past what it slept.
  const int64_t latency = duration_us / 1000;
  LatencyAddSample(fast ? "fast-command" : "command", latency,
                   (keyspace_.now_ms() + latency) / 1000);
}

void Engine::LatencyAddSample(const std::string& event, int64_t latency, int64_t now) {
  if (latency_monitor_threshold_ == 0 || latency < latency_monitor_threshold_) return;
  LatencySeries& ts = latency_events_[event];
  const auto value = static_cast<uint32_t>(latency);
  ts.max = std::max(ts.max, value);
  LatencySeries::Sample& prev = ts.samples[(ts.idx + ts.samples.size() - 1) % ts.samples.size()];
  if (prev.time == now) {
    prev.latency = std::max(prev.latency, value);
    return;
  }
  ts.samples[ts.idx] = {now, value};
  ts.idx = (ts.idx + 1) % ts.samples.size();
}

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
