// The latency histograms (src/engine/latency.cc) and lazy freeing's count
// (src/engine/lazyfree.cc), which the recordings cannot hold byte for byte:
// on redis-server 7.0.15 the histograms' buckets and percentiles follow the
// measured durations, and INFO is the server's own. Here every duration is
// 0 us: a histogram is one bucket, 1 us, holding every call made while
// latency-tracking was on, and every percentile is 0.001 (latency.cc's
// ZeroDuration, checked against the server's bucket and percentile for its
// sub-microsecond calls). The lazy-free rules were checked on redis-server
// 7.0.15 with INFO's lazyfreed_objects (2026-11-26): UNLINK of a 65-member
// hashtable set counts 1, of a 64-member one 0, FLUSHDB ASYNC counts every
// key, unit/lazyfree's two streams count 1 and 0.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

using std::string_literals::operator""s;

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

// One field of INFO's text ("" when absent).
std::string InfoField(Engine& e, int s, const std::string& section, const std::string& name) {
  const std::string info = Exec(e, s, {"info", section});
  const size_t at = info.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  const size_t from = at + 2 + name.size() + 1;
  return info.substr(from, info.find("\r\n", from) - from);
}

std::string Cdf(const std::string& name, int calls) {
  const std::string n = std::to_string(calls);
  return "$" + std::to_string(name.size()) + "\r\n" + name + "\r\n*4\r\n$5\r\ncalls\r\n:" + n +
         "\r\n$14\r\nhistogram_usec\r\n*2\r\n:1\r\n:" + n + "\r\n";
}

TEST(LatencyTest, HistogramsCountTheCallsInOneBucket) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"config", "resetstat"});
  // The unit's first test: CONFIG RESETSTAT's own call is recorded after it.
  EXPECT_EQ(Exec(e, s, {"latency", "histogram"}), "*2\r\n" + Cdf("config|resetstat", 1));
  Exec(e, s, {"config", "resetstat"});
  Exec(e, s, {"set", "a", "b"});
  Exec(e, s, {"set", "c", "d"});
  Exec(e, s, {"get", "a"});
  Exec(e, s, {"incr", "a"});  // an error reply is a call too
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "set", "GET", "zadd", "nosuch", "incr", "set"}),
            "*8\r\n" + Cdf("set", 2) + Cdf("get", 1) + Cdf("incr", 1) + Cdf("set", 2));
  // A container names its subcommands with a histogram, in name order; a
  // subcommand by its full name.
  Exec(e, s, {"client", "list"});
  Exec(e, s, {"client", "id"});
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "client"}),
            "*4\r\n" + Cdf("client|id", 1) + Cdf("client|list", 1));
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "CLIENT|ID", "client|", "client|id|x"}),
            "*2\r\n" + Cdf("client|id", 1));
  // RESP3: maps, the bucket an integer key.
  Exec(e, s, {"hello", "3"});
  EXPECT_EQ(
      Exec(e, s, {"latency", "histogram", "get"}),
      "%1\r\n$3\r\nget\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n%1\r\n:1\r\n:1\r\n");
  Exec(e, s, {"hello", "2"});
  // A rejected command (arity, unknown subcommand) is not called.
  Exec(e, s, {"config", "resetstat"});
  Exec(e, s, {"get"});
  Exec(e, s, {"client", "nosuch"});
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "get", "client"}), "*0\r\n");
  // latency-tracking off: calls go on counting, histograms do not.
  Exec(e, s, {"config", "set", "latency-tracking", "no"});
  Exec(e, s, {"get", "a"});
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "get"}), "*0\r\n");
  EXPECT_EQ(InfoField(e, s, "latencystats", "latency_percentiles_usec_get"), "");
  EXPECT_NE(Exec(e, s, {"info", "commandstats"}).find("cmdstat_get:calls=1,"), std::string::npos);
  Exec(e, s, {"config", "set", "latency-tracking", "yes"});
  Exec(e, s, {"get", "a"});
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "get"}), "*2\r\n" + Cdf("get", 1));
}

TEST(LatencyTest, BlockedCommandsAreSampledWhenUnblocked) {
  Engine e;
  const int s = e.OpenSession();
  const int t = e.OpenSession();
  Exec(e, s, {"config", "resetstat"});
  Exec(e, t, {"blpop", "l", "0"});
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "blpop"}), "*0\r\n");  // still blocked
  Exec(e, s, {"rpush", "l", "v"});
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "blpop"}), "*2\r\n" + Cdf("blpop", 1));
  // A timeout replies without updateStatsOnUnblock (7.0.15): no sample.
  Exec(e, t, {"blpop", "l", "1"});
  e.AdvanceClock(2000);
  EXPECT_EQ(e.TakeOutput(t), "*-1\r\n");
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "blpop"}), "*2\r\n" + Cdf("blpop", 1));
  // CLIENT UNBLOCK, either form, calls updateStatsOnUnblock: a sample each.
  const std::string id = Exec(e, t, {"client", "id"}).substr(1);
  Exec(e, t, {"blpop", "l", "0"});
  EXPECT_EQ(Exec(e, s, {"client", "unblock", id.substr(0, id.size() - 2), "timeout"}), ":1\r\n");
  Exec(e, t, {"blpop", "l", "0"});
  EXPECT_EQ(Exec(e, s, {"client", "unblock", id.substr(0, id.size() - 2), "error"}), ":1\r\n");
  EXPECT_EQ(Exec(e, s, {"latency", "histogram", "blpop"}), "*2\r\n" + Cdf("blpop", 3));
  // ... and counts a failed call with either form, an error reply with ERROR
  // (redis-server 7.0.15: failed_calls=2, total_error_replies:1,
  // errorstat_UNBLOCKED:count=1).
  EXPECT_NE(
      Exec(e, s, {"info", "commandstats"})
          .find("cmdstat_blpop:calls=4,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=2"),
      std::string::npos);
  EXPECT_EQ(InfoField(e, s, "stats", "total_error_replies"), "1");
  EXPECT_EQ(InfoField(e, s, "errorstats", "errorstat_UNBLOCKED"), "count=1");
}

TEST(LatencyTest, InfoPercentilesAndTheirConfig) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"config", "resetstat"});
  Exec(e, s, {"set", "a", "b"});
  EXPECT_EQ(InfoField(e, s, "latencystats", "latency_percentiles_usec_set"),
            "p50=0.001,p99=0.001,p99.9=0.001");
  Exec(e, s, {"config", "set", "latency-tracking-info-percentiles", "0 100 33.3333333 -0"});
  EXPECT_EQ(InfoField(e, s, "latencystats", "latency_percentiles_usec_set"),
            "p0=0.001,p100=0.001,p33.333333=0.001,p-0=0.001");
  Exec(e, s, {"config", "set", "latency-tracking-info-percentiles", ""});
  EXPECT_EQ(InfoField(e, s, "latencystats", "latency_percentiles_usec_set"), "");
  EXPECT_NE(Exec(e, s, {"info", "latencystats"}).find("\r\nlatency_percentiles_usec_set:\r\n"),
            std::string::npos);
  // The bounds: 0 and 100 are in, just outside is out.
  EXPECT_EQ(Exec(e, s, {"config", "set", "latency-tracking-info-percentiles", "100.0000001"}),
            "-ERR CONFIG SET failed (possibly related to argument "
            "'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters "
            "should sit between [0.0,100.0]\r\n");
  EXPECT_EQ(Exec(e, s, {"config", "set", "latency-tracking-info-percentiles", "50\0"s}),
            "-ERR CONFIG SET failed (possibly related to argument "
            "'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles "
            "parameters\r\n");
  // latency-tracking off: the section's header alone. CONFIG RESETSTAT
  // drops the histograms.
  Exec(e, s, {"config", "set", "latency-tracking", "no"});
  EXPECT_EQ(Exec(e, s, {"info", "latencystats"}).find("latency_percentiles"), std::string::npos);
  Exec(e, s, {"config", "set", "latency-tracking", "yes"});
  Exec(e, s, {"config", "resetstat"});
  EXPECT_EQ(InfoField(e, s, "latencystats", "latency_percentiles_usec_set"), "");
}

// The latency monitor's events: DEBUG SLEEP's time is a `command` event
// once it reaches latency-monitor-threshold, one sample per second (the
// greater kept), EXEC too when what it ran slept. The texts of GRAPH and
// DOCTOR are redis-server 7.0.15's for the same samples
// (tests/latency_events_check.py compares them over sockets).
TEST(LatencyTest, DebugSleepIsACommandEvent) {
  EngineOptions o;
  o.start_ms = 1'795'851'319'000;
  o.enable_debug_command = EngineOptions::ProtectedAction::kYes;
  Engine e(o);
  const int s = e.OpenSession();
  const int64_t t0 = o.start_ms / 1000;
  Exec(e, s, {"debug", "sleep", "0.3"});  // threshold 0: off
  EXPECT_EQ(Exec(e, s, {"latency", "latest"}), "*0\r\n");
  Exec(e, s, {"config", "set", "latency-monitor-threshold", "200"});
  Exec(e, s, {"debug", "sleep", "0.1"});  // under the threshold
  Exec(e, s, {"debug", "sleep", "0.3"});
  e.AdvanceClock(2000);
  Exec(e, s, {"multi"});
  Exec(e, s, {"debug", "sleep", "0.5"});
  Exec(e, s, {"exec"});  // DEBUG's 500 and EXEC's 500, one second
  // Each sample's time is the call's end: the clock moved by what was slept
  // before (0.7 s), the 2 s, and the 0.5 s slept.
  const std::string t1 = std::to_string(t0), t2 = std::to_string(t0 + 3);
  EXPECT_EQ(Exec(e, s, {"latency", "history", "command"}),
            "*2\r\n*2\r\n:" + t1 + "\r\n:300\r\n*2\r\n:" + t2 + "\r\n:500\r\n");
  EXPECT_EQ(Exec(e, s, {"latency", "latest"}),
            "*1\r\n*4\r\n$7\r\ncommand\r\n:" + t2 + "\r\n:500\r\n:500\r\n");
  e.AdvanceClock(2000);
  const std::string graph = Exec(e, s, {"latency", "graph", "command"});
  EXPECT_NE(graph.find("command - high 500 ms, low 300 ms (all time high 500 ms)\n" +
                       std::string(80, '-') + "\n #\n |\n |\n_|\n  \n52\nss\n"),
            std::string::npos)
      << graph;
  const std::string doctor = Exec(e, s, {"latency", "doctor"});
  EXPECT_NE(doctor.find("1. command: 2 latency spikes (average 400ms, mean deviation 100ms, "
                        "period 2.50 sec). Worst all time event 500ms.\n\nI have a few advices "
                        "for you:\n\n- Check your Slow Log"),
            std::string::npos)
      << doctor;
  EXPECT_EQ(Exec(e, s, {"latency", "reset", "fast-command"}), ":0\r\n");
  EXPECT_EQ(Exec(e, s, {"latency", "reset"}), ":1\r\n");
  EXPECT_EQ(Exec(e, s, {"latency", "graph", "command"}),
            "-ERR No samples available for event 'command'\r\n");
}

TEST(LazyfreeTest, UnlinkCountsValuesAboveTheEffortThreshold) {
  Engine e;
  const int s = e.OpenSession();
  auto set_of = [&](const std::string& key, int n) {
    std::vector<std::string> argv = {"sadd", key};
    for (int i = 0; i < n; ++i) argv.push_back("m" + std::to_string(i));
    Exec(e, s, argv);
  };
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfree_pending_objects"), "0");
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "0");
  set_of("s64", 64);  // effort 64: freed at once
  set_of("s65", 65);  // effort 65: lazily
  EXPECT_EQ(Exec(e, s, {"unlink", "s64", "s65", "nosuch"}), ":2\r\n");
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "1");
  // An intset of 65 integers is one allocation.
  std::vector<std::string> ints = {"sadd", "ints"};
  for (int i = 0; i < 65; ++i) ints.push_back(std::to_string(i));
  Exec(e, s, ints);
  Exec(e, s, {"unlink", "ints"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "1");
  // DEL frees at once unless lazyfree-lazy-user-del.
  set_of("a", 65);
  Exec(e, s, {"del", "a"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "1");
  Exec(e, s, {"config", "set", "lazyfree-lazy-user-del", "yes"});
  set_of("a", 65);
  Exec(e, s, {"del", "a"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "2");
  // A list's effort is its quicklist nodes: one element each at
  // list-max-listpack-size 1.
  Exec(e, s, {"config", "set", "list-max-listpack-size", "1"});
  std::vector<std::string> list = {"rpush", "l"};
  for (int i = 0; i < 64; ++i) list.push_back("e");
  Exec(e, s, list);
  Exec(e, s, {"unlink", "l"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "2");
  list.push_back("e");
  Exec(e, s, list);
  Exec(e, s, {"unlink", "l"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "3");
  // At the default (8 kB nodes) 65 short elements are one node.
  Exec(e, s, {"config", "set", "list-max-listpack-size", "-2"});
  Exec(e, s, list);
  Exec(e, s, {"unlink", "l"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "3");
  // An expired key is freed lazily under lazyfree-lazy-expire.
  Exec(e, s, {"config", "set", "lazyfree-lazy-expire", "yes"});
  set_of("x", 65);
  Exec(e, s, {"pexpire", "x", "10"});
  e.AdvanceClock(20);
  EXPECT_EQ(Exec(e, s, {"exists", "x"}), ":0\r\n");
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "4");
  // CONFIG RESETSTAT resets the count.
  Exec(e, s, {"config", "resetstat"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "0");
}

TEST(LazyfreeTest, FlushAsyncCountsEveryKey) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"mset", "a", "1", "b", "2", "c", "3"});
  Exec(e, s, {"flushdb"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "0");
  Exec(e, s, {"mset", "a", "1", "b", "2", "c", "3"});
  Exec(e, s, {"flushdb", "async"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "3");
  Exec(e, s, {"config", "set", "lazyfree-lazy-user-flush", "yes"});
  Exec(e, s, {"mset", "a", "1", "b", "2"});
  Exec(e, s, {"select", "1"});
  Exec(e, s, {"set", "c", "3"});
  Exec(e, s, {"flushall"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "6");
  Exec(e, s, {"set", "c", "3"});
  Exec(e, s, {"flushall", "sync"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "6");
}

// unit/lazyfree's two stream tests.
TEST(LazyfreeTest, StreamsOfTheSuite) {
  Engine e;
  const int s = e.OpenSession();
  Exec(e, s, {"config", "set", "stream-node-max-entries", "5"});
  for (int j = 0; j < 1000; ++j) {
    Exec(e, s, {"xadd", "stream", "*", j % 10 == 0 ? "bar" : "foo", std::to_string(j)});
  }
  Exec(e, s, {"xgroup", "create", "stream", "mygroup", "0"});
  Exec(e, s, {"xreadgroup", "GROUP", "mygroup", "Alice", "COUNT", "2", "STREAMS", "stream", ">"});
  Exec(e, s, {"unlink", "stream"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "1");
  Exec(e, s, {"config", "resetstat"});
  Exec(e, s, {"xadd", "s", "*", "a", "b"});
  Exec(e, s, {"xgroup", "create", "s", "bla", "$"});
  Exec(e, s, {"xgroup", "destroy", "s", "bla"});
  Exec(e, s, {"unlink", "s"});
  EXPECT_EQ(InfoField(e, s, "memory", "lazyfreed_objects"), "0");
}

}  // namespace
}  // namespace respfuzz::engine
