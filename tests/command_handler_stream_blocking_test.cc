// XREAD and XREADGROUP BLOCK in the command_handler harness: the reference
// model blocks on streams (reference_streams.cc, reference_blocking.cc) as
// redis-server 7.0.15 does (corpus/command_handler/stream_blocking.txt, 0
// divergences from the server), the harness compares what the engine sends
// the blocked sessions with what the model delivers, and a deliberately
// broken model piece (a serving lost, a reply changed) fails the check.
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"
#include "harnesses/models/reference_model.h"
#include "src/resp/value.h"
#include "tests/command_program_text.h"

namespace respfuzz::harnesses {
namespace {

using resp::Value;

models::ReferenceOptions Sessions() {
  models::ReferenceOptions o;
  o.sessions = 4;
  return o;
}

Value Entry(const std::string& id, const std::string& field, const std::string& value) {
  return Value::Aggregate(
      resp::Type::kArray,
      {Value::Bulk(id),
       Value::Aggregate(resp::Type::kArray, {Value::Bulk(field), Value::Bulk(value)})});
}

// [[key, [entries]]], RESP2's XREAD reply.
Value Read(const std::string& key, std::vector<Value> entries) {
  return Value::Aggregate(
      resp::Type::kArray,
      {Value::Aggregate(
          resp::Type::kArray,
          {Value::Bulk(key), Value::Aggregate(resp::Type::kArray, std::move(entries))})});
}

// Every XREAD session waiting on a stream is served by one XADD, each from
// its own ID; a list would serve one.
TEST(StreamBlockingModel, OneEntryServesEveryReader) {
  models::ReferenceModel m(Sessions());
  m.Execute(2, {"XADD", "k1", "1-0", "f", "a"});
  EXPECT_TRUE(m.Execute(0, {"XREAD", "BLOCK", "0", "STREAMS", "k1", "$"}).type ==
              resp::Type::kNull);
  EXPECT_TRUE(m.IsBlocked(0));
  m.Execute(1, {"XREAD", "BLOCK", "0", "STREAMS", "k1", "2-0"});
  EXPECT_TRUE(m.IsBlocked(1));
  m.Execute(2, {"XADD", "k1", "2-0", "f", "b"});  // not past s2's 2-0
  EXPECT_FALSE(m.IsBlocked(0));
  EXPECT_TRUE(m.IsBlocked(1));
  m.Execute(2, {"XADD", "k1", "3-0", "f", "c"});
  EXPECT_FALSE(m.IsBlocked(1));
  const auto d = m.TakeDelivered();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], std::make_pair(0, Read("k1", {Entry("2-0", "f", "b")})));
  EXPECT_EQ(d[1], std::make_pair(1, Read("k1", {Entry("3-0", "f", "c")})));
}

// Readers of one group: the first takes the new entries and moves the
// group's last ID, so the second waits for the next entry.
TEST(StreamBlockingModel, AGroupServesOneReaderPerEntry) {
  models::ReferenceModel m(Sessions());
  m.Execute(2, {"XGROUP", "CREATE", "k1", "g", "$", "MKSTREAM"});
  m.Execute(0, {"XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "k1", ">"});
  m.Execute(1, {"XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "k1", ">"});
  m.Execute(2, {"XADD", "k1", "1-0", "f", "a"});
  EXPECT_FALSE(m.IsBlocked(0));
  EXPECT_TRUE(m.IsBlocked(1));
  m.Execute(2, {"XADD", "k1", "2-0", "f", "b"});
  EXPECT_FALSE(m.IsBlocked(1));
  const auto d = m.TakeDelivered();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1], std::make_pair(1, Read("k1", {Entry("2-0", "f", "b")})));
  EXPECT_EQ(m.Execute(2, {"XPENDING", "k1", "g"}).elems[0], Value::Integer(2));
}

// A stream deleted or overwritten unblocks its group readers with an error
// and leaves the XREAD ones blocked; a group destroyed, its readers.
TEST(StreamBlockingModel, AStreamGoneUnblocksTheGroupReaders) {
  for (const std::vector<std::string>& gone :
       {std::vector<std::string>{"DEL", "k1"}, std::vector<std::string>{"SET", "k1", "v"},
        std::vector<std::string>{"FLUSHDB"}, std::vector<std::string>{"SWAPDB", "0", "1"}}) {
    models::ReferenceModel m(Sessions());
    m.Execute(2, {"XGROUP", "CREATE", "k1", "g", "$", "MKSTREAM"});
    m.Execute(0, {"XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "k1", ">"});
    m.Execute(1, {"XREAD", "BLOCK", "0", "STREAMS", "k1", "$"});
    m.Execute(2, gone);
    EXPECT_FALSE(m.IsBlocked(0)) << gone[0];
    EXPECT_TRUE(m.IsBlocked(1)) << gone[0];
    const auto d = m.TakeDelivered();
    ASSERT_EQ(d.size(), 1u) << gone[0];
    EXPECT_EQ(d[0], std::make_pair(0, Value::Error("UNBLOCKED the stream key no longer exists")));
  }
  models::ReferenceModel m(Sessions());
  m.Execute(2, {"XGROUP", "CREATE", "k1", "g", "$", "MKSTREAM"});
  m.Execute(0, {"XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "k1", ">"});
  m.Execute(2, {"XGROUP", "DESTROY", "k1", "g"});
  const auto d = m.TakeDelivered();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].second,
            Value::Error("NOGROUP the consumer group this client was blocked on no longer exists"));
}

// An expired stream goes at the active expiry, its group readers with it.
TEST(StreamBlockingModel, ActiveExpiryUnblocksTheGroupReaders) {
  models::ReferenceModel m(Sessions());
  m.Execute(2, {"XGROUP", "CREATE", "k1", "g", "$", "MKSTREAM"});
  m.Execute(2, {"PEXPIRE", "k1", "100"});
  m.Execute(0, {"XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "k1", ">"});
  m.AdvanceClock(200);
  EXPECT_TRUE(m.IsBlocked(0));
  m.ExpireAllDue();
  EXPECT_FALSE(m.IsBlocked(0));
}

// BLOCK in a script is refused with the name as the script spelled it; in
// MULTI it is the timeout's reply at once.
TEST(StreamBlockingModel, ScriptsAndTransactionsDoNotBlock) {
  models::ReferenceModel m(Sessions());
  EXPECT_EQ(m.Execute(0, {"EVAL", "return redis.pcall('xRead', 'BLOCK', '0', 'STREAMS', 'k1', '$')",
                          "0"}),
            Value::Error("ERR xRead command is not allowed with BLOCK option from scripts"));
  m.Execute(0, {"MULTI"});
  m.Execute(0, {"XREAD", "BLOCK", "0", "STREAMS", "k1", "$"});
  const Value exec = m.Execute(0, {"EXEC"});
  ASSERT_EQ(exec.elems.size(), 1u);
  EXPECT_EQ(exec.elems[0], m.Execute(0, {"XREAD", "STREAMS", "k1", "$"}));  // a null array
  EXPECT_FALSE(m.IsBlocked(0));
}

constexpr const char* kProgram =
    "s1 XREAD BLOCK 0 STREAMS k1 $\n"
    "s2 XADD k1 1-0 f v\n"
    "s3 XGROUP CREATE k1 g $\n"
    "s1 XREADGROUP GROUP g c BLOCK 0 STREAMS k1 >\n"
    "s2 DEL k1\n";

// The harness compares the served and unblocked sessions' replies; a model
// that loses a serving, or serves something else, fails at that op.
TEST(StreamBlockingHarness, BrokenModelPiecesAreCaught) {
  CommandRunOptions o;
  o.trace = true;
  const CommandRunResult r = RunCommandProgram(Program(kProgram), o);
  ASSERT_TRUE(r.verdict.ok) << r.verdict.ToString();
  int received = 0;
  for (const OpTrace& t : r.trace) {
    if (t.op.find("(s1 received)") == std::string::npos) continue;
    ++received;
    EXPECT_EQ(t.engine, t.reference);
  }
  EXPECT_EQ(received, 2);
  using Delivered = std::vector<std::pair<int, Value>>;
  CommandRunOptions lost;
  lost.break_model_delivery = [](size_t op, Delivered* d) {
    if (op == 1) d->clear();
  };
  auto broken = RunCommandProgram(Program(kProgram), lost);
  EXPECT_EQ(broken.verdict.check, "blocking") << broken.verdict.ToString();
  EXPECT_EQ(broken.verdict.step, 1);
  CommandRunOptions changed;
  changed.break_model_delivery = [](size_t op, Delivered* d) {
    if (op == 4 && !d->empty()) (*d)[0].second = Value::Error("NOGROUP something else");
  };
  broken = RunCommandProgram(Program(kProgram), changed);
  EXPECT_EQ(broken.verdict.check, "blocking") << broken.verdict.ToString();
  EXPECT_EQ(broken.verdict.step, 4);
}

}  // namespace
}  // namespace respfuzz::harnesses
