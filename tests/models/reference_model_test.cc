// The reference model (harnesses/models/reference_model.h): what is not a
// recording. The model's replies to commands are checked against
// redis-server 7.0.15 by the recordings in tests/recordings/, which
// tests/recordings_test.cc plays on the model and on the engine (that runner
// needs both, so it lives in respfuzz_tests); here are the clock, active
// expiry, client ids, the default string limit and the documented
// deviations, on the model alone.
#include "harnesses/models/reference_model.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "src/resp/value.h"

namespace respfuzz::models {
namespace {

using resp::Type;
using resp::Value;

ReferenceOptions TestOptions() {
  ReferenceOptions o;
  o.max_string_len = 1024 * 1024;
  return o;
}

// A key is expired only once now > its expire time (keyIsExpired). Checked on
// redis-server 7.0.15 by polling: after SET k v PX 5, whenever PTTL first
// read 0, an immediate EXISTS still answered 1 (190 of 200 trials; in the
// others the clock moved on between the two commands).
TEST(ReferenceModelTest, ExpiryBoundary) {
  ReferenceModel m(TestOptions());
  EXPECT_EQ(m.Execute(0, {"SET", "k", "v", "PX", "100"}), Value::Simple("OK"));
  m.AdvanceClock(100);
  EXPECT_EQ(m.Execute(0, {"PTTL", "k"}), Value::Integer(0));
  EXPECT_EQ(m.Execute(0, {"TTL", "k"}), Value::Integer(0));
  EXPECT_EQ(m.Execute(0, {"EXISTS", "k"}), Value::Integer(1));
  m.AdvanceClock(1);
  EXPECT_EQ(m.Execute(0, {"DBSIZE"}), Value::Integer(1));  // still in the dict
  EXPECT_EQ(m.Execute(0, {"EXISTS", "k"}), Value::Integer(0));
  EXPECT_EQ(m.Execute(0, {"DBSIZE"}), Value::Integer(0));
  // PEXPIREAT at exactly now deletes (checkAlreadyExpired: when <= now).
  EXPECT_EQ(m.Execute(0, {"SET", "k", "v"}), Value::Simple("OK"));
  EXPECT_EQ(m.Execute(0, {"PEXPIREAT", "k", std::to_string(m.now_ms())}), Value::Integer(1));
  EXPECT_EQ(m.Execute(0, {"DBSIZE"}), Value::Integer(0));
}

// ExpireAllDue() deletes every expired key of every db and nothing else.
TEST(ReferenceModelTest, ExpireAllDueEveryDb) {
  ReferenceModel m(TestOptions());
  m.Execute(0, {"SELECT", "3"});
  m.Execute(0, {"SET", "a", "v", "PX", "10"});
  m.Execute(0, {"SET", "b", "v", "PX", "1000"});
  m.Execute(0, {"SET", "c", "v"});
  m.Execute(1, {"SET", "a", "v", "PX", "10"});
  m.AdvanceClock(11);
  EXPECT_EQ(m.Execute(0, {"DBSIZE"}), Value::Integer(3));
  m.ExpireAllDue();
  EXPECT_EQ(m.Execute(0, {"DBSIZE"}), Value::Integer(2));
  EXPECT_EQ(m.Execute(1, {"DBSIZE"}), Value::Integer(0));
  EXPECT_EQ(m.Execute(0, {"PTTL", "b"}), Value::Integer(989));
}

TEST(ReferenceModelTest, ClientIdsAreSessionPlusOne) {
  ReferenceModel m(TestOptions());
  for (int s = 0; s < 4; ++s) {
    EXPECT_EQ(m.Execute(s, {"CLIENT", "ID"}), Value::Integer(s + 1));
  }
}

// The default limit is proto-max-bulk-len (512 MiB); the check comes before
// any allocation.
TEST(ReferenceModelTest, DefaultStringLimit) {
  ReferenceModel m;
  EXPECT_EQ(m.Execute(0, {"SETRANGE", "k", "536870912", "x"}),
            Value::Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(m.Execute(0, {"SETRANGE", "k", "536870911", ""}), Value::Integer(0));
  EXPECT_EQ(m.Execute(0, {"EXISTS", "k"}), Value::Integer(0));
}

// Deliberate deviations, agreed with the engine (not real server replies):
// SCAN returns every matching key at once with cursor 0 whatever the cursor
// and COUNT; CLIENT subcommands other than ID get the unknown-subcommand
// error; any command outside the modelled set is unknown.
// SCAN walks the documented order (docs/fidelity.md): SipHash-2-4 under the
// key 00..0f, checked here with the SipHash paper's vectors: the empty
// message, and the 15 bytes 00 01 .. 0e.
TEST(ReferenceModelTest, ScanWalksTheDocumentedHashOrder) {
  ReferenceModel m(TestOptions());
  std::string fifteen;
  for (int i = 0; i < 15; ++i) fifteen.push_back(static_cast<char>(i));
  m.Execute(0, {"MSET", "", "1", fifteen, "2"});
  auto page = [&](const std::string& cursor, const char* count) {
    Value v = m.Execute(0, {"SCAN", cursor, "COUNT", count});
    EXPECT_EQ(v.type, Type::kArray);
    return v;
  };
  EXPECT_EQ(page("0", "1"),
            Value::Aggregate(Type::kArray, {Value::Bulk("8246050544436514354"),
                                            Value::Aggregate(Type::kArray, {Value::Bulk("")})}));
  EXPECT_EQ(
      page("8246050544436514354", "1"),
      Value::Aggregate(Type::kArray, {Value::Bulk("11613035633349379558"),
                                      Value::Aggregate(Type::kArray, {Value::Bulk(fifteen)})}));
  EXPECT_EQ(page("11613035633349379558", "1"),
            Value::Aggregate(Type::kArray, {Value::Bulk("0"), Value::Aggregate(Type::kArray)}));
  // Fewer keys than COUNT: all of them, cursor 0.
  EXPECT_EQ(page("0", "3").elems[0], Value::Bulk("0"));
  EXPECT_EQ(page("0", "3").elems[1].elems.size(), 2u);
}

TEST(ReferenceModelTest, DocumentedDeviations) {
  ReferenceModel m(TestOptions());
  // GEO is in the model (reference_geo.cc, geo.json): GEOADD's arity.
  EXPECT_EQ(m.Execute(0, {"GEOADD", "a"}),
            Value::Error("ERR wrong number of arguments for 'geoadd' command"));
  // CLIENT PAUSE is in the model (reference_pause.cc): an ALL pause
  // postpones a command after its rejections (XADD's arity: streams are in
  // the model too, reference_streams_test.cc), until the clock passes its
  // end, when it runs and its reply is delivered.
  EXPECT_EQ(m.Execute(0, {"CLIENT", "PAUSE", "10"}), Value::Simple("OK"));
  EXPECT_EQ(m.Execute(0, {"XADD", "a"}),
            Value::Error("ERR wrong number of arguments for 'xadd' command"));
  m.Execute(1, {"PING"});
  EXPECT_TRUE(m.IsBlocked(1));
  m.AdvanceClock(10);
  EXPECT_TRUE(m.IsBlocked(1));  // not past its end yet
  EXPECT_TRUE(m.TakeDelivered().empty());
  m.AdvanceClock(1);
  EXPECT_FALSE(m.IsBlocked(1));
  const auto delivered = m.TakeDelivered();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0], (std::pair<int, Value>(1, Value::Simple("PONG"))));
}

// CLIENT SETNAME / GETNAME / INFO and COMMAND GETKEYS, written plainly.
TEST(ReferenceModelTest, ClientNamesAndCommandGetKeys) {
  ReferenceModel m(TestOptions());
  EXPECT_EQ(m.Execute(0, {"CLIENT", "GETNAME"}), Value::Null(Type::kNullBulk));
  EXPECT_EQ(m.Execute(0, {"CLIENT", "SETNAME", "a"}), Value::Simple("OK"));
  EXPECT_EQ(m.Execute(0, {"CLIENT", "GETNAME"}), Value::Bulk("a"));
  const Value info = m.Execute(0, {"CLIENT", "INFO"});
  EXPECT_NE(info.str.find(" name=a age=? idle=? flags=N db=0 "), std::string::npos) << info.str;
  EXPECT_NE(info.str.find(" cmd=client|info "), std::string::npos) << info.str;
  EXPECT_EQ(m.Execute(0, {"COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"}),
            Value::Aggregate(Type::kArray, {Value::Bulk("a"), Value::Bulk("b")}));
  EXPECT_EQ(m.Execute(0, {"COMMAND", "GETKEYS", "echo", "x"}),
            Value::Error("ERR The command has no key arguments"));
}

// TIME is the model's clock: unix seconds and the milliseconds as
// microseconds, two bulk strings in either protocol.
TEST(ReferenceModelTest, TimeIsTheClock) {
  ReferenceModel m(TestOptions());
  const auto time = [](const std::string& s, const std::string& us) {
    return Value::Aggregate(Type::kArray, {Value::Bulk(s), Value::Bulk(us)});
  };
  EXPECT_EQ(m.Execute(0, {"TIME"}), time("1700000000", "0"));
  m.AdvanceClock(2001);
  EXPECT_EQ(m.Execute(0, {"TIME"}), time("1700000002", "1000"));
  m.Execute(0, {"HELLO", "3"});
  m.AdvanceClock(998);
  EXPECT_EQ(m.Execute(0, {"time"}), time("1700000002", "999000"));
  EXPECT_EQ(m.Execute(0, {"TIME", "1"}),
            Value::Error("ERR wrong number of arguments for 'time' command"));
}

// EXPIRETIME rounds to the nearest second, PEXPIRETIME is the stored time.
TEST(ReferenceModelTest, ExpireTimeRounds) {
  ReferenceModel m(TestOptions());
  m.Execute(0, {"SET", "k", "v", "PX", "499"});
  EXPECT_EQ(m.Execute(0, {"PEXPIRETIME", "k"}), Value::Integer(1700000000499));
  EXPECT_EQ(m.Execute(0, {"EXPIRETIME", "k"}), Value::Integer(1700000000));
  m.Execute(0, {"PEXPIRE", "k", "500"});
  EXPECT_EQ(m.Execute(0, {"EXPIRETIME", "k"}), Value::Integer(1700000001));
  EXPECT_EQ(m.Execute(0, {"TOUCH", "k", "k", "x"}), Value::Integer(2));
  m.AdvanceClock(501);
  EXPECT_EQ(m.Execute(0, {"EXPIRETIME", "k"}), Value::Integer(-2));
  EXPECT_EQ(m.Execute(0, {"TOUCH", "k"}), Value::Integer(0));
}

// Bit offsets stop at the string limit (1 MiB here): bit 8 Mi - 1 is the
// last one, and a 64-bit BITFIELD write there makes the string 8 bytes
// longer than the limit.
TEST(ReferenceModelTest, BitOffsetsStopAtTheStringLimit) {
  ReferenceModel m(TestOptions());
  const Value err = Value::Error("ERR bit offset is not an integer or out of range");
  EXPECT_EQ(m.Execute(0, {"SETBIT", "k", "8388608", "1"}), err);
  EXPECT_EQ(m.Execute(0, {"BITFIELD", "k", "SET", "u8", "#1048576", "1"}), err);
  EXPECT_EQ(m.Execute(0, {"EXISTS", "k"}), Value::Integer(0));
  EXPECT_EQ(m.Execute(0, {"SETBIT", "k", "8388607", "1"}), Value::Integer(0));
  EXPECT_EQ(m.Execute(0, {"STRLEN", "k"}), Value::Integer(1048576));
  EXPECT_EQ(m.Execute(0, {"BITFIELD", "k", "SET", "i64", "8388607", "0"}),
            Value::Aggregate(Type::kArray, {Value::Integer(INT64_MIN)}));
  EXPECT_EQ(m.Execute(0, {"STRLEN", "k"}), Value::Integer(1048584));
}

// BITFIELD's overflow arithmetic at the edges of each width: WRAP is modulo
// 2^bits, SAT clamps, FAIL answers null and writes nothing.
TEST(ReferenceModelTest, BitfieldOverflow) {
  ReferenceModel m(TestOptions());
  const auto ints = [](std::vector<Value> v) { return Value::Aggregate(Type::kArray, v); };
  const auto i = [](int64_t n) { return Value::Integer(n); };
  EXPECT_EQ(m.Execute(0, {"BITFIELD", "k", "SET", "u3", "0", "9", "GET", "u3", "0"}),
            ints({i(0), i(1)}));
  EXPECT_EQ(m.Execute(0, {"BITFIELD", "k", "INCRBY", "i3", "0", "3", "INCRBY", "i3", "0", "-9"}),
            ints({i(-4), i(3)}));
  EXPECT_EQ(m.Execute(0, {"BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i3", "0", "100", "INCRBY",
                          "u3", "0", "-100", "SET", "u3", "0", "-1"}),
            ints({i(3), i(0), i(0)}));
  EXPECT_EQ(m.Execute(0, {"BITFIELD", "k", "GET", "u3", "0"}), ints({i(7)}));
  EXPECT_EQ(m.Execute(0, {"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u3", "0", "1", "INCRBY",
                          "i64", "8", "-9223372036854775808", "INCRBY", "i64", "8", "-1"}),
            ints({Value::Null(Type::kNullBulk), i(INT64_MIN), Value::Null(Type::kNullBulk)}));
  EXPECT_EQ(m.Execute(0, {"BITFIELD", "k", "INCRBY", "i64", "8", "-1"}), ints({i(INT64_MAX)}));
}

// LCS: the runs IDX lists go from the end of the strings back, each as
// [[a_first, a_last], [b_first, b_last]] (and its length with WITHMATCHLEN);
// the table of (len1 + 1) * (len2 + 1) 4-byte cells may not pass the string
// limit (1 MiB: 502 * 522 cells fit, 502 * 523 do not).
TEST(ReferenceModelTest, LcsRunsAndTableLimit) {
  ReferenceModel m(TestOptions());
  m.Execute(0, {"MSET", "a", "ohmytext", "b", "mynewtext"});
  EXPECT_EQ(m.Execute(0, {"LCS", "a", "b"}), Value::Bulk("mytext"));
  const auto pair = [](int64_t x, int64_t y) {
    return Value::Aggregate(Type::kArray, {Value::Integer(x), Value::Integer(y)});
  };
  const auto run = [&](int64_t a0, int64_t a1, int64_t b0, int64_t b1, int64_t len) {
    return Value::Aggregate(Type::kArray, {pair(a0, a1), pair(b0, b1), Value::Integer(len)});
  };
  EXPECT_EQ(
      m.Execute(0, {"LCS", "a", "b", "IDX", "WITHMATCHLEN"}),
      Value::Aggregate(Type::kArray,
                       {Value::Bulk("matches"),
                        Value::Aggregate(Type::kArray, {run(4, 7, 5, 8, 4), run(2, 3, 0, 1, 2)}),
                        Value::Bulk("len"), Value::Integer(6)}));
  m.Execute(0, {"SETRANGE", "x", "500", "x"});
  m.Execute(0, {"SETRANGE", "y", "520", "y"});
  EXPECT_EQ(m.Execute(0, {"LCS", "x", "y", "LEN"}), Value::Integer(500));
  m.Execute(0, {"APPEND", "y", "z"});
  EXPECT_EQ(
      m.Execute(0, {"LCS", "x", "y", "LEN"}),
      Value::Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
}

}  // namespace
}  // namespace respfuzz::models

namespace respfuzz::models {
namespace {

// MONITOR (harnesses/models/reference_monitor.cc) against what redis-server
// 7.0.15 sends, seen by hand over two raw connections (2026-11-26 and
// 2026-11-27; the server's time and address replaced by the model's clock
// and an address-less session): who sees which line, in which order, and
// what a monitor may run.
TEST(ReferenceModelTest, MonitorLines) {
  ReferenceOptions o = TestOptions();
  o.start_ms = 1'795'678'980'343;
  ReferenceModel m(o);
  const int mon = 1, other = 0;
  auto line = [](const std::string& db_addr, const std::string& args) {
    return Value::Simple("1795678980.343000 [" + db_addr + "] " + args);
  };
  auto fed = [&] {
    std::vector<Value> out;
    for (auto& [s, v] : m.TakeDelivered()) {
      EXPECT_EQ(s, mon);
      out.push_back(v);
    }
    return out;
  };
  using Lines = std::vector<Value>;
  EXPECT_EQ(m.Execute(mon, {"MONITOR"}), Value::Simple("OK"));
  EXPECT_EQ(fed(), Lines{});  // MONITOR is admin: no line
  m.Execute(other, {"SET", "foo", std::string("bar\0\1\xff\"\\\n\r\t\a\b \xe9", 15)});
  EXPECT_EQ(fed(), Lines{line("0 ", R"x("SET" "foo" "bar\x00\x01\xff\"\\\n\r\t\a\b \xe9")x")});
  m.Execute(other, {"SELECT", "3"});
  EXPECT_EQ(fed(), Lines{line("3 ", R"x("SELECT" "3")x")});  // the db after the command
  m.Execute(other, {"CONFIG", "GET", "maxmemory"});
  m.Execute(other, {"NOSUCH"});
  m.Execute(other, {"GET"});
  EXPECT_EQ(fed(), Lines{});  // admin, unknown, refused: none
  m.Execute(other, {"AUTH", "x"});
  EXPECT_EQ(fed(), Lines{line("3 ", R"x("AUTH" "(redacted)")x")});
  const std::string body = "redis.call('select',5); redis.call('set','k','v')";
  m.Execute(other, {"EVAL", body, "0"});
  EXPECT_EQ(fed(),
            (Lines{line("3 ", "\"EVAL\" \"" + body + "\" \"0\""),
                   line("5 lua", R"x("select" "5")x"), line("5 lua", R"x("set" "k" "v")x")}));
  m.Execute(other, {"MULTI"});
  m.Execute(other, {"GET"});
  m.Execute(other, {"EXEC"});
  EXPECT_EQ(fed(), (Lines{line("3 ", R"x("MULTI")x"), line("3 ", R"x("EXEC")x")}));
  // From the monitor itself: PING's reply, then its line.
  EXPECT_EQ(m.Execute(mon, {"PING"}), Value::Simple("PONG"));
  EXPECT_EQ(m.ReplyPosition(), 0u);
  EXPECT_EQ(fed(), Lines{line("0 ", R"x("PING")x")});
  const std::vector<std::vector<std::string>> refused = {
      {"GET", "k"},
      {"SET", "k", "v"},
      {"PUBLISH", "a", "b"},
      {"PFCOUNT", "x"},
      {"EVAL", "return 1", "0"},
      {"EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"}};
  for (const std::vector<std::string>& argv : refused) {
    EXPECT_EQ(m.Execute(mon, argv), Value::Error("ERR Replica can't interact with the keyspace"))
        << argv[0];
  }
  EXPECT_EQ(fed(), Lines{});
  // A script that declares no-writes runs: its line, its calls', the reply.
  const std::string ro = "#!lua flags=no-writes\nreturn redis.call('ping')";
  EXPECT_EQ(m.Execute(mon, {"EVAL", ro, "0"}), Value::Simple("PONG"));
  EXPECT_EQ(m.ReplyPosition(), static_cast<size_t>(-1));
  EXPECT_EQ(fed(),
            (Lines{line("0 ", R"x("EVAL" "#!lua flags=no-writes\nreturn redis.call('ping')" "0")x"),
                   line("0 lua", R"x("ping")x")}));
  // MONITOR again: no reply at all.
  m.Execute(mon, {"MONITOR"});
  EXPECT_TRUE(m.NoReply());
  EXPECT_TRUE(m.session(mon).monitor);
  // In a transaction it is refused.
  m.Execute(other, {"MULTI"});
  EXPECT_EQ(m.Execute(other, {"MONITOR"}), Value::Simple("QUEUED"));
  EXPECT_EQ(m.Execute(other, {"EXEC"}),
            Value::Aggregate(Type::kArray,
                             {Value::Error("ERR MONITOR isn't allowed for DENY BLOCKING client")}));
  EXPECT_EQ(fed(), (Lines{line("3 ", R"x("MULTI")x"), line("3 ", R"x("EXEC")x")}));
  // RESET ends it: its reply, no line for itself, none after.
  EXPECT_EQ(m.Execute(mon, {"RESET"}), Value::Simple("RESET"));
  EXPECT_FALSE(m.session(mon).monitor);
  m.Execute(other, {"PING"});
  EXPECT_EQ(fed(), Lines{});
}

}  // namespace
}  // namespace respfuzz::models
