// DEBUG's subcommands beyond PROTOCOL, DIGEST and SET-ACTIVE-EXPIRE
// (src/engine/cmd_debug.cc): POPULATE, OBJECT, RELOAD, LOG, SLEEP,
// QUICKLIST-PACKED-THRESHOLD, SET-DISABLE-DENY-SCRIPTS and PAUSE-CRON. The
// expected bytes are what redis-server 7.0.15 (enable-debug-command yes)
// answered to the same commands over a socket on 2026-11-28, RESP2 and
// RESP3; DEBUG OBJECT's address is the one field left out.
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  return out;
}

EngineOptions DebugYes() {
  EngineOptions o;
  o.enable_debug_command = EngineOptions::ProtectedAction::kYes;
  return o;
}

// DEBUG OBJECT's status line from "refcount:" on (the address is the
// process's own).
std::string ObjectFields(Engine& e, int s, const std::string& key) {
  const std::string out = Exec(e, s, {"DEBUG", "OBJECT", key});
  const size_t at = out.find(" refcount:");
  if (out.rfind("+Value at:0x", 0) != 0 || at == std::string::npos) return out;
  return out.substr(at + 1);
}

struct RecordingHost : PersistHost, BusyHost {
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> log;
  std::vector<int64_t> sleeps;
  bool WriteRdb(std::string_view name, std::string_view rdb) override {
    files.emplace_back(std::string(name), std::string(rdb));
    return true;
  }
  bool ReadRdb(std::string_view name, std::string* out) override {
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
      if (it->first == name) {
        *out = it->second;
        return true;
      }
    }
    return false;
  }
  void RequestShutdown() override {}
  void LogWarning(const std::string& line) override { log.push_back(line); }
  int64_t BusyClockMs() override { return 0; }
  bool ProcessEventsWhileBlocked(int) override { return false; }
  void SleepMicros(int64_t us) override { sleeps.push_back(us); }
};

TEST(EngineDebugMore, PopulateAsRecorded) {
  Engine e(DebugYes());
  const int s = e.OpenSession();
  const int t = e.OpenSession();  // tracks key:0 and watches key:1
  EXPECT_EQ(Exec(e, t, {"HELLO", "3"}).substr(0, 1), "%");
  EXPECT_EQ(Exec(e, t, {"CLIENT", "TRACKING", "on"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, t, {"GET", "key:0"}), "_\r\n");
  EXPECT_EQ(Exec(e, s, {"SET", "key:2", "mine"}), "+OK\r\n");
  const std::string changes_before = Exec(e, s, {"INFO", "persistence"});
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "3"}), "+OK\r\n");
  // signalModifiedKey: the tracked key:0 is invalidated; no dirty count.
  EXPECT_EQ(e.TakeOutput(t), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nkey:0\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "key:1"}), "$7\r\nvalue:1\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "key:2"}), "$4\r\nmine\r\n");  // there already: kept
  EXPECT_EQ(Exec(e, s, {"OBJECT", "ENCODING", "key:0"}), "$6\r\nembstr\r\n");
  const std::string changes_after = Exec(e, s, {"INFO", "persistence"});
  const auto changes = [](const std::string& info) {
    const size_t at = info.find("rdb_changes_since_last_save:");
    return info.substr(at, info.find("\r\n", at) - at);
  };
  EXPECT_EQ(changes(changes_after), changes(changes_before));
  // A size pads with NULs or cuts.
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "2", "q", "12"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "q:1"}), std::string("$12\r\nvalue:1\0\0\0\0\0\r\n", 19));
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "1", "p", "3"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "p:0"}), "$3\r\nval\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "1", "z", "0"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "z:0"}), "$7\r\nvalue:0\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "0"}), "+OK\r\n");
  // getPositiveLongFromObjectOrReply's one message for both failures.
  const std::string not_positive = "-ERR value is out of range, must be positive\r\n";
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "-1"}), not_positive);
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "x"}), not_positive);
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "1", "a", "-5"}), not_positive);
  EXPECT_EQ(Exec(e, s, {"EXISTS", "a:0"}), ":0\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "populate", "1", "2", "3", "4"}),
            "-ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG "
            "HELP.\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE"}),
            "-ERR unknown subcommand or wrong number of arguments for 'POPULATE'. Try DEBUG "
            "HELP.\r\n");
  // A key name is snprintf'd into 128 bytes: 127 characters at most.
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "1", std::string(130, 'k')}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"EXISTS", std::string(127, 'k')}), ":1\r\n");
}

// The count's cap and the size's (proto-max-bulk-len; Redis has neither):
// at the cap it runs, one above it is refused and adds nothing.
TEST(EngineDebugMore, PopulateCountAndSizeHaveCaps) {
  EngineOptions o = DebugYes();
  o.max_debug_populate = 10;
  o.max_string_len = 16;
  Engine e(o);
  const int s = e.OpenSession();
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "11"}),
            "-ERR DEBUG POPULATE count 11 is above respfuzz's cap of 10\r\n");
  EXPECT_EQ(Exec(e, s, {"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "10"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"DBSIZE"}), ":10\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "1", "big", "17"}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(Exec(e, s, {"EXISTS", "big:0"}), ":0\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "POPULATE", "1", "big", "16"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"STRLEN", "big:0"}), ":16\r\n");
}

TEST(EngineDebugMore, ObjectAsRecorded) {
  Engine e(DebugYes());
  const int s = e.OpenSession();
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"SET", "s", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"},
           {"RPUSH", "l", "a", "b", "c"},
           {"SET", "n", "5"},
           {"HSET", "h", "a", "1", "b", "2"},
           {"SADD", "st", "1", "2", "3"},
           {"ZADD", "z", "1", "a", "2", "b"},
           {"XADD", "x", "1-1", "f", "v"},
           {"DEBUG", "POPULATE", "1", "q", "12"}}) {
    Exec(e, s, argv);
  }
  const std::string lru = " lru:" + std::to_string(LruClock(e.now_ms())) + " lru_seconds_idle:0";
  EXPECT_EQ(ObjectFields(e, s, "s"), "refcount:1 encoding:raw serializedlength:37" + lru + "\r\n");
  EXPECT_EQ(ObjectFields(e, s, "l"),
            "refcount:1 encoding:quicklist serializedlength:19" + lru +
                " ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 "
                "ql_uncompressed_size:16\r\n");
  EXPECT_EQ(ObjectFields(e, s, "n"),
            "refcount:2147483647 encoding:int serializedlength:2" + lru + "\r\n");
  EXPECT_EQ(ObjectFields(e, s, "h"),
            "refcount:1 encoding:listpack serializedlength:18" + lru + "\r\n");
  EXPECT_EQ(ObjectFields(e, s, "st"),
            "refcount:1 encoding:intset serializedlength:15" + lru + "\r\n");
  EXPECT_EQ(ObjectFields(e, s, "z"),
            "refcount:1 encoding:listpack serializedlength:18" + lru + "\r\n");
  EXPECT_EQ(ObjectFields(e, s, "x"),
            "refcount:1 encoding:stream serializedlength:57" + lru + "\r\n");
  EXPECT_EQ(ObjectFields(e, s, "q:0"),
            "refcount:1 encoding:embstr serializedlength:13" + lru + "\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "OBJECT", "nokey"}), "-ERR no such key\r\n");
  // QUICKLIST-PACKED-THRESHOLD 2: elements of 2 bytes or more take plain
  // nodes ("abc", "efgh"), "d" a listpack of its own.
  EXPECT_EQ(Exec(e, s, {"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "2"}), "+OK\r\n");
  Exec(e, s, {"RPUSH", "l2", "abc", "d", "efgh"});
  const std::string l2 = ObjectFields(e, s, "l2");
  EXPECT_NE(l2.find("serializedlength:24 "), std::string::npos) << l2;
  EXPECT_NE(l2.find(" ql_nodes:3 ql_avg_node:1.00 ql_listpack_max:-2 ql_compressed:0 "
                    "ql_uncompressed_size:17\r\n"),
            std::string::npos)
      << l2;
  // DUMP writes the plain nodes as plain containers, byte for byte as
  // redis-server 7.0.15 did.
  const std::string payload(
      "\x12\x03\x01\x03"
      "abc\x02\n\n\x00\x00\x00\x01\x00\x81"
      "d\x02\xff\x01\x04"
      "efgh\n\x00"
      "i\x99\n\x95\xc1\xb9\xd3\xa1",
      35);
  EXPECT_EQ(Exec(e, s, {"DUMP", "l2"}), "$35\r\n" + payload + "\r\n");
  // INCR changes an unshared integer in place: the address stays.
  Exec(e, s, {"SET", "foo", "20000"});
  const std::string before = Exec(e, s, {"DEBUG", "OBJECT", "foo"});
  Exec(e, s, {"INCR", "foo"});
  const std::string after = Exec(e, s, {"DEBUG", "OBJECT", "foo"});
  EXPECT_EQ(before.substr(0, before.find(' ', 7)), after.substr(0, after.find(' ', 7)));
}

TEST(EngineDebugMore, QuicklistPackedThresholdAsRecorded) {
  Engine e(DebugYes());
  const int s = e.OpenSession();
  const std::string refused =
      "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n";
  EXPECT_EQ(Exec(e, s, {"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5x"}), refused);
  EXPECT_EQ(Exec(e, s, {"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "4gb"}), refused);
  // 4095mb is 2^32 - 2^20, the largest accepted; 0 restores 1 GiB.
  EXPECT_EQ(Exec(e, s, {"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "4095mb"}), "+OK\r\n");
  EXPECT_EQ(e.quicklist_packed_threshold(), (uint64_t{1} << 32) - (1 << 20));
  EXPECT_EQ(Exec(e, s, {"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"}), "+OK\r\n");
  EXPECT_EQ(e.quicklist_packed_threshold(), uint64_t{1} << 30);
}

// RELOAD: saved, emptied (tracking clients told of a flush, watched keys
// touched), loaded back: an expired key is gone, a hash table small enough
// is a listpack again, the dirty counter is 0; the FUNCTION libraries are
// flushed and loaded, so NOFLUSH alone fails on them and MERGE replaces.
TEST(EngineDebugMore, ReloadAsRecorded) {
  Engine e(DebugYes());
  RecordingHost host;
  e.SetPersistHost(&host);
  const int s = e.OpenSession();
  const int t = e.OpenSession();
  Exec(e, s, {"SET", "x", "1"});
  Exec(e, s, {"HSET", "big", "f1", "v1"});
  Exec(e, s, {"CONFIG", "SET", "hash-max-listpack-entries", "1"});
  Exec(e, s, {"HSET", "big", "f2", "v2"});
  EXPECT_EQ(Exec(e, s, {"OBJECT", "ENCODING", "big"}), "$9\r\nhashtable\r\n");
  Exec(e, s, {"CONFIG", "SET", "hash-max-listpack-entries", "128"});
  Exec(e, s, {"SET", "gone", "v", "PX", "100"});
  e.AdvanceClock(200);
  EXPECT_EQ(Exec(e, s, {"DBSIZE"}), ":3\r\n");  // gone is logically expired, still stored
  Exec(e, t, {"HELLO", "3"});
  Exec(e, t, {"CLIENT", "TRACKING", "on"});
  Exec(e, t, {"GET", "x"});
  Exec(e, t, {"WATCH", "x"});
  Exec(e, t, {"MULTI"});
  Exec(e, t, {"GET", "x"});
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD"}), "+OK\r\n");
  EXPECT_EQ(e.TakeOutput(t), ">2\r\n$10\r\ninvalidate\r\n_\r\n");
  EXPECT_EQ(Exec(e, t, {"EXEC"}), "_\r\n");
  EXPECT_EQ(Exec(e, s, {"DBSIZE"}), ":2\r\n");
  EXPECT_EQ(Exec(e, s, {"OBJECT", "ENCODING", "big"}), "$8\r\nlistpack\r\n");
  EXPECT_NE(Exec(e, s, {"INFO", "persistence"}).find("rdb_changes_since_last_save:0\r\n"),
            std::string::npos);
  ASSERT_EQ(host.files.size(), 1u);
  EXPECT_EQ(host.files[0].first, "dump.rdb");
  EXPECT_EQ(host.log.back(), "DB reloaded by DEBUG RELOAD");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD", "foo"}),
            "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n");
  EXPECT_EQ(Exec(e, s,
                 {"FUNCTION", "LOAD",
                  "#!lua name=lib\nredis.register_function('f', function() return 1 end)"}),
            "$3\r\nlib\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"FCALL", "f", "0"}), ":1\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD", "NOFLUSH"}),
            "-ERR Error trying to load the RDB dump\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD", "noflush", "merge"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"GET", "x"}), "$1\r\n1\r\n");
  // NOSAVE NOFLUSH: the last file's keys join those there (c), its library
  // comes back after a FUNCTION FLUSH.
  Exec(e, s, {"SET", "c", "3"});
  Exec(e, s, {"DEL", "x", "big"});
  Exec(e, s, {"FUNCTION", "FLUSH"});
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"EXISTS", "c", "x", "big"}), ":3\r\n");
  EXPECT_EQ(Exec(e, s, {"FCALL", "f", "0"}), ":1\r\n");
  // Where redis-server 7.0.15 panics (a key already there, no MERGE), an error.
  Exec(e, s, {"FUNCTION", "FLUSH"});
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"})
                .rfind("-ERR Error trying to load the RDB dump: a duplicated key", 0),
            0u);
}

// Without a host (the harnesses) the file is the last one saved, in memory:
// NOSAVE before any save empties the dataset and fails, as redis-server
// 7.0.15 does with no dump.rdb.
TEST(EngineDebugMore, ReloadNosaveWithNoFileEmptiesAndFails) {
  Engine e(DebugYes());
  const int s = e.OpenSession();
  Exec(e, s, {"SET", "a", "1"});
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD", "NOSAVE"}),
            "-ERR Error trying to load the RDB dump\r\n");
  EXPECT_EQ(Exec(e, s, {"DBSIZE"}), ":0\r\n");
  Exec(e, s, {"SET", "a", "1"});
  EXPECT_EQ(Exec(e, s, {"SAVE"}), "+OK\r\n");
  Exec(e, s, {"SET", "b", "2"});
  EXPECT_EQ(Exec(e, s, {"DEBUG", "RELOAD", "NOSAVE"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"KEYS", "*"}), "*1\r\n$1\r\na\r\n");
}

TEST(EngineDebugMore, SwitchesLogAndSleep) {
  Engine e(DebugYes());
  RecordingHost host;
  e.SetPersistHost(&host);
  e.SetBusyHost(&host);
  const int s = e.OpenSession();
  EXPECT_EQ(Exec(e, s, {"DEBUG", "LOG", "hello"}), "+OK\r\n");
  EXPECT_EQ(host.log.back(), "DEBUG LOG: hello");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "LOG"}),
            "-ERR unknown subcommand or wrong number of arguments for 'LOG'. Try DEBUG HELP.\r\n");
  // SLEEP: strtod seconds, in microseconds; up to the cap, which is refused
  // beyond (Redis has none).
  EXPECT_EQ(Exec(e, s, {"DEBUG", "SLEEP", "0.25"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "SLEEP", "-1"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "SLEEP", "3600"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "SLEEP", "3600.5"}),
            "-ERR DEBUG SLEEP above respfuzz's cap of 3600 seconds\r\n");
  EXPECT_EQ(host.sleeps, (std::vector<int64_t>{250000, -1000000, 3600000000}));
  // The slow log: a call lasts the time DEBUG SLEEP slept in it (the engine
  // measures nothing else), EXEC itself is not logged.
  EXPECT_EQ(Exec(e, s, {"SLOWLOG", "RESET"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"CONFIG", "SET", "slowlog-log-slower-than", "100000"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "SLEEP", "0.05"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"SLOWLOG", "LEN"}), ":0\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "SLEEP", "0.2"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"SLOWLOG", "LEN"}), ":1\r\n");
  ASSERT_EQ(e.slowlog().size(), 1u);
  EXPECT_EQ(e.slowlog().front().duration, 200000);
  EXPECT_EQ(e.slowlog().front().argv, (std::vector<std::string>{"DEBUG", "SLEEP", "0.2"}));
  Exec(e, s, {"MULTI"});
  Exec(e, s, {"DEBUG", "SLEEP", "0.2"});
  Exec(e, s, {"PING"});
  EXPECT_EQ(Exec(e, s, {"EXEC"}), "*2\r\n+OK\r\n+PONG\r\n");
  EXPECT_EQ(Exec(e, s, {"SLOWLOG", "LEN"}), ":2\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "PAUSE-CRON", "1"}), "+OK\r\n");
  EXPECT_TRUE(e.cron_paused());
  EXPECT_EQ(Exec(e, s, {"DEBUG", "PAUSE-CRON", "0"}), "+OK\r\n");
  EXPECT_FALSE(e.cron_paused());
  // SET-DISABLE-DENY-SCRIPTS: a script may call DEBUG (here PROTOCOL).
  const std::string script = "return redis.call('debug','protocol','bignum')";
  EXPECT_EQ(Exec(e, s, {"EVAL", script, "0"})
                .rfind("-ERR This Redis command is not allowed from script", 0),
            0u);
  EXPECT_EQ(Exec(e, s, {"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"EVAL", script, "0"}), "$37\r\n1234567999999999999999999999999999999\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"}), "+OK\r\n");
  EXPECT_EQ(Exec(e, s, {"DEBUG", "JMAP"}),
            "-ERR unknown subcommand or wrong number of arguments for 'JMAP'. Try DEBUG HELP.\r\n");
}

}  // namespace
}  // namespace respfuzz::engine
