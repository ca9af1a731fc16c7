// The reference model's latency monitor: LATENCY DOCTOR / GRAPH / HISTORY /
// LATEST / RESET / HELP as redis-server 7.0.15 answers them with no latency
// event logged (checked by hand against /usr/bin/redis-server 7.0.15 on
// 2026-11-26). Apart from the engine's src/engine/latency.cc.
//
// Why no event is ever logged here: an event (a command, the expire cycle,
// ...) is logged when it takes at least latency-monitor-threshold
// milliseconds, with 0 meaning off. The model's clock is the harness's
// virtual clock, which does not move during a command, so every duration
// is 0 ms and nothing reaches any threshold. (The engine counts DEBUG
// SLEEP's time, which command_handler leaves out of its programs.) What follows from that:
// LATEST and HISTORY <event> are empty arrays, RESET [event ...] resets 0
// events, GRAPH <event> is the no-samples error (its event name cut at a
// NUL, CR and LF turned to spaces, as an error reply's text always is),
// and DOCTOR is the report for no events: the "monitoring is disabled"
// text while the threshold is 0, else the "no latency spike" text, bulk in
// RESP2 and verbatim (txt) in RESP3.
//
// LATENCY HISTOGRAM: Redis keeps a latency histogram per command (full
// name: "get", "config|set"), made at its first sample. call() adds a
// sample when a command it ran returns, while latency-tracking is on: any
// command that passed processCommand's checks, whatever it replied,
// MULTI / EXEC / DISCARD / WATCH included, each command EXEC runs, each
// redis.call of a script (and then the script's EVAL / FCALL). A command
// that blocks adds none then; it adds one when it is served, or unblocked
// by CLIENT UNBLOCK (either form); a timeout adds none. A command refused
// before running (unknown, arity, NOAUTH, NOPERM, OOM, a RESP2
// subscriber's refusal, queued in MULTI) adds none. CONFIG RESETSTAT drops
// every histogram (and then adds CONFIG RESETSTAT's own sample); turning
// latency-tracking off keeps them.
// Every duration is 0 ns on the virtual clock, which Redis records as its
// smallest value, 1 ns: each histogram is its call count, and its
// cumulative distribution has the one bucket 1 us (the first bucket of a
// logarithmic iteration from 1024 ns, reported at its highest value 1023
// ns, in whole microseconds). The reply, per command: a map of "calls" and
// "histogram_usec" {1: calls}. Without arguments, every command with a
// histogram; with names, each name looked up in any letter case, a
// container's own histogram followed by its subcommands' (an unknown name
// adds nothing, a name given twice answers twice). Redis orders commands
// and subcommands by its dicts (random per process); the model by name.
//
// Every subcommand but HELP is admin and noscript (COMMAND INFO LATENCY);
// the model's ACL and script tables say so.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

Value NoEvents(Ctx& c) { return c.Array(); }

Value NoneReset(Ctx& c) { return c.Int(0); }

Value Graph(Ctx& c) {
  return c.Err(SanitizeErrorText("No samples available for event '" + CString(c.argv[2]) + "'"));
}

Value Doctor(Ctx& c) {
  std::string text;
  if (c.st.config.latency_monitor_threshold == 0) {
    text =
        "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
        "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order "
        "to enable it. If we weren't in a deep space mission I'd suggest to take a look at "
        "https://redis.io/topics/latency-monitor.\n";
  } else {
    text =
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
        "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, "
        "and think things over.\n";
  }
  if (c.resp3()) return Value::Str(resp::Type::kVerbatim, "txt:" + text);
  return c.Bulk(text);
}

Value Histogram(Ctx& c) {
  const std::map<std::string, uint64_t>& calls = c.st.latency_calls;
  std::vector<std::pair<std::string, uint64_t>> shown;
  if (c.argc() == 2) {
    shown.assign(calls.begin(), calls.end());
  } else {
    for (size_t j = 2; j < c.argc(); ++j) {
      const std::string name = Lowered(c.argv[j]);
      if (auto it = calls.find(name); it != calls.end()) shown.push_back(*it);
      if (name.find('|') != std::string::npos) continue;
      const std::string prefix = name + "|";  // a container's subcommands
      for (auto it = calls.lower_bound(prefix);
           it != calls.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        shown.push_back(*it);
      }
    }
  }
  std::vector<Value> flat;
  for (const auto& [name, n] : shown) {
    const int64_t count = static_cast<int64_t>(n);
    flat.push_back(c.Bulk(name));
    flat.push_back(c.Map({c.Bulk("calls"), c.Int(count), c.Bulk("histogram_usec"),
                          c.Map({c.Int(1), c.Int(count)})}));
  }
  return c.Map(std::move(flat));
}

Value Help(Ctx& c) {
  std::vector<Value> lines;
  for (const char* line : {
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
           "    Return a cumulative distribution of latencies in the format of a histogram for "
           "the specified command names.",
           "    If no commands are specified then all histograms are replied.",
           "HELP",
           "    Prints this help.",
       }) {
    lines.push_back(Value::Simple(line));
  }
  return c.Array(std::move(lines));
}

}  // namespace

const std::map<std::string, CommandSpec>& LatencySubcommands() {
  static const std::map<std::string, CommandSpec> table = {
      {"latency|doctor", {"latency|doctor", 2, Doctor}},
      {"latency|graph", {"latency|graph", 3, Graph}},
      {"latency|help", {"latency|help", 2, Help}},
      {"latency|histogram", {"latency|histogram", -2, Histogram}},
      {"latency|history", {"latency|history", 3, NoEvents}},
      {"latency|latest", {"latency|latest", 2, NoEvents}},
      {"latency|reset", {"latency|reset", -2, NoneReset}},
  };
  return table;
}

void LatencyRecordCall(State& st, const std::string& full) {
  if (st.config.latency_tracking != 0) ++st.latency_calls[full];
}

}  // namespace respfuzz::models::refmodel
