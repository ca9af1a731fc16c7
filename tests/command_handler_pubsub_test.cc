// The command_handler harness's pub/sub check (checks.h, "pubsub"): the
// subscription and notification seeds deliver what the model says, and a
// deliberately broken model piece (an event missing, two events swapped, a
// confirmation lost) fails the check at the op that delivered it.
#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "src/resp/value.h"
#include "tests/command_program_text.h"

namespace respfuzz::harnesses {
namespace {

// What the trace shows s2 received over the whole notifications seed.
std::string AllTraced(const CommandRunResult& r) {
  std::string out;
  for (const OpTrace& t : r.trace) out += t.op + " => " + t.engine + "\n";
  return out;
}

TEST(CommandHandlerPubSub, SeedsDeliverEvents) {
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r = RunCommandProgram(SeedProgram("notifications.txt"), o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  const std::string seen = AllTraced(r);
  // Not vacuous: the events reached the subscribers, on both sides.
  for (const char* event :
       {"__keyevent@0__:rename_from", "__keyspace@1__:k5", "__keyevent@0__:zrangestore",
        "__keyevent@0__:expired", "__keyspace@0__:k9", "__keyevent@0__:lpop"}) {
    EXPECT_NE(seen.find(event), std::string::npos) << event << "\n" << seen;
  }
  const CommandRunResult subs = RunCommandProgram(SeedProgram("pubsub_subscribe.txt"), o);
  ASSERT_TRUE(subs.verdict.ok) << subs.verdict.ToString();
  EXPECT_NE(AllTraced(subs).find("Can't execute 'get'"), std::string::npos);
}

// The broken model pieces: op 4 of the program is SET k1 v EX 100, whose
// events are set then expire on each channel.
const char* kProgram =
    "s2 PSUBSCRIBE __keyevent@0__:*\n"
    "s1 CONFIG SET notify-keyspace-events Eg$\n"
    "s3 HELLO 3\n"
    "s3 SUBSCRIBE x\n"
    "s1 SET k1 v EX 100\n"
    "s1 PUBLISH x m\n";

TEST(CommandHandlerPubSub, BrokenModelPiecesAreCaught) {
  EXPECT_TRUE(RunCommandProgram(Program(kProgram)).verdict.ok);
  using Delivered = std::vector<std::pair<int, resp::Value>>;
  // An event missing.
  CommandRunOptions missing;
  missing.break_model_delivery = [](size_t op, Delivered* d) {
    if (op == 4 && !d->empty()) d->pop_back();
  };
  auto r = RunCommandProgram(Program(kProgram), missing);
  EXPECT_EQ(r.verdict.check, "pubsub") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 4);
  // Two events out of order.
  CommandRunOptions swapped;
  swapped.break_model_delivery = [](size_t op, Delivered* d) {
    if (op == 4 && d->size() == 2) std::swap((*d)[0], (*d)[1]);
  };
  r = RunCommandProgram(Program(kProgram), swapped);
  EXPECT_EQ(r.verdict.check, "pubsub") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 4);
  // A subscription confirmation lost (the sender's own frames).
  CommandRunOptions unconfirmed;
  unconfirmed.break_model_delivery = [](size_t op, Delivered* d) {
    if (op == 3) d->clear();
  };
  r = RunCommandProgram(Program(kProgram), unconfirmed);
  EXPECT_EQ(r.verdict.check, "pubsub") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 3);
  // An extra message to the publisher itself.
  CommandRunOptions extra;
  extra.break_model_delivery = [](size_t op, Delivered* d) {
    if (op == 5 && !d->empty()) d->push_back(d->back());
  };
  r = RunCommandProgram(Program(kProgram), extra);
  EXPECT_EQ(r.verdict.check, "pubsub") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 5);
}

// A monitor may block (WAIT touches no key): it gets its own MONITOR line at
// once, as redis-server 7.0.15 feeds monitors from call(), and its reply
// (0) when the timeout fires. The blocked session's frames are compared:
// the model's line lost, or one more, fails the blocking check at the WAIT.
TEST(CommandHandlerPubSub, ABlockedMonitorGetsItsOwnLine) {
  const char* program = "s1 MONITOR\ns1 WAIT 1 10\nclock +20ms\n";
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult ok = RunCommandProgram(Program(program), o);
  ASSERT_TRUE(ok.verdict.ok) << ok.verdict.ToString();
  ASSERT_GE(ok.trace.size(), 3u);
  EXPECT_EQ(ok.trace[1].engine, "(blocks)");
  using Delivered = std::vector<std::pair<int, resp::Value>>;
  CommandRunOptions lost;
  lost.break_model_delivery = [](size_t op, Delivered* d) {
    if (op == 1) d->clear();
  };
  CommandRunResult r = RunCommandProgram(Program(program), lost);
  EXPECT_EQ(r.verdict.check, "blocking") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 1);
  CommandRunOptions doubled;
  doubled.break_model_delivery = [](size_t op, Delivered* d) {
    if (op == 1 && !d->empty()) d->push_back(d->back());
  };
  r = RunCommandProgram(Program(program), doubled);
  EXPECT_EQ(r.verdict.check, "blocking") << r.verdict.ToString();
  EXPECT_EQ(r.verdict.step, 1);
}

// MONITOR's lines (reference_monitor.cc) are compared, to another session
// and to the monitor itself (after its reply): a line the model drops, adds
// or garbles fails the check "monitor".
TEST(CommandHandlerPubSub, MonitorLinesAreCompared) {
  const std::string program =
      "s1 MONITOR\n"
      "s2 SET k v\n"
      "s1 PING\n"
      "s1 GET k\n";
  EXPECT_TRUE(RunCommandProgram(Program(program)).verdict.ok);
  using Delivered = std::vector<std::pair<int, resp::Value>>;
  struct Case {
    size_t op;
    std::function<void(Delivered*)> broken;
  };
  const std::vector<Case> cases = {
      {1, [](Delivered* d) { d->clear(); }},                        // s2's SET unseen
      {1, [](Delivered* d) { d->push_back(d->back()); }},           // seen twice
      {2, [](Delivered* d) { d->back().second.str += " \"x\""; }},  // s1's own line garbled
      {3,
       [](Delivered* d) {
         d->push_back({0, resp::Value::Simple("x")});
       }},  // a refused GET shown
  };
  for (const Case& k : cases) {
    CommandRunOptions o;
    o.break_model_delivery = [&k](size_t op, Delivered* d) {
      if (op == k.op && (d->size() > 0 || k.op == 3)) k.broken(d);
    };
    const CommandRunResult r = RunCommandProgram(Program(program), o);
    EXPECT_EQ(r.verdict.check, "monitor") << r.verdict.ToString();
    EXPECT_EQ(r.verdict.step, static_cast<int64_t>(k.op));
  }
}

// Ops run on neither side in some states (NotInThisState): a subscription
// queued in MULTI, a command whose events the model does not publish
// while events are on (COMMAND), and a stream read that may make a consumer
// from a subscribed RESP3 session while stream events are on (redis-server
// 7.0.15 writes the event inside that reply).
TEST(CommandHandlerPubSub, StatesOutsideTheModelAreSkipped) {
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r = RunCommandProgram(Program("s1 MULTI\n"
                                                       "s1 SUBSCRIBE ch\n"
                                                       "s1 EXEC\n"
                                                       "s2 CONFIG SET notify-keyspace-events KEA\n"
                                                       "s2 COMMAND COUNT\n"
                                                       "s2 SET k1 v\n"
                                                       "s3 HELLO 3\n"
                                                       "s3 SUBSCRIBE ch\n"
                                                       "s3 XADD k2 1-1 f v\n"
                                                       "s3 XGROUP CREATE k2 g 0\n"
                                                       "s3 XREADGROUP GROUP g c STREAMS k2 >\n"
                                                       "s2 XREADGROUP GROUP g c STREAMS k2 >\n"),
                                               o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  ASSERT_EQ(r.trace.size(), 12u);
  EXPECT_EQ(r.trace[1].engine, "(skipped)");
  EXPECT_EQ(r.trace[4].engine, "(skipped)");
  EXPECT_NE(r.trace[5].engine, "(skipped)");
  EXPECT_NE(r.trace[8].engine, "(skipped)");
  EXPECT_NE(r.trace[9].engine, "(skipped)");
  EXPECT_EQ(r.trace[10].engine, "(skipped)");
  EXPECT_NE(r.trace[11].engine, "(skipped)");
}

// Stream events (reference_streams.cc, from t_stream.c): the seed delivers
// each of them on both sides, and the model's events broken at a stream
// op (xtrim after xadd lost, xgroup-createconsumer of a served XREADGROUP
// lost, xsetid swapped with the reply's neighbour event) fail the check
// at that op.
TEST(CommandHandlerPubSub, StreamEventsAreDelivered) {
  CommandRunOptions o;
  o.trace = true;
  const CommandProgram seed = SeedProgram("notifications_streams.txt");
  const CommandRunResult r = RunCommandProgram(seed, o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  const std::string seen = AllTraced(r);
  for (const char* event :
       {"__keyevent@0__:xadd", "__keyevent@0__:xtrim", "__keyevent@0__:xdel",
        "__keyevent@0__:xsetid", "__keyevent@0__:xgroup-create", "__keyevent@0__:xgroup-setid",
        "__keyevent@0__:xgroup-destroy", "__keyevent@0__:xgroup-createconsumer",
        "__keyevent@0__:xgroup-delconsumer", "__keyevent@0__:new", "__keyevent@0__:expired",
        "__keyspace@0__:st2"}) {
    EXPECT_NE(seen.find(event), std::string::npos) << event << "\n" << seen;
  }
  using Delivered = std::vector<std::pair<int, resp::Value>>;
  // The op of the seed whose text starts with `prefix`.
  auto op_of = [&](const std::string& prefix) {
    for (size_t i = 0; i < seed.ops.size(); ++i) {
      if (OpToText(seed.ops[i]).rfind(prefix, 0) == 0) return i;
    }
    ADD_FAILURE() << "no op " << prefix;
    return seed.ops.size();
  };
  const size_t trimmed = op_of("s3 XADD st1 2-1");
  const size_t served = op_of("s1 XADD st2 1-1");
  for (const size_t at : {trimmed, served}) {
    CommandRunOptions broken;
    broken.break_model_delivery = [at](size_t op, Delivered* d) {
      if (op == at && !d->empty()) {
        // The last event published to a pattern subscriber (s2, index 1).
        for (size_t k = d->size(); k-- > 0;) {
          if ((*d)[k].first == 1) {
            d->erase(d->begin() + static_cast<ptrdiff_t>(k));
            break;
          }
        }
      }
    };
    const CommandRunResult b = RunCommandProgram(seed, broken);
    EXPECT_FALSE(b.verdict.ok) << "op " << at;
    EXPECT_EQ(b.verdict.step, static_cast<int64_t>(at)) << b.verdict.ToString();
  }
}

}  // namespace
}  // namespace respfuzz::harnesses
