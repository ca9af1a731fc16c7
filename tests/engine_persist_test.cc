// Persistence in the engine (src/engine/persist.cc, rdb_file.cc): the RDB
// file's layout, SAVE / BGSAVE / LASTSAVE / SHUTDOWN against a PersistHost
// that records or refuses, the dirty counter, the save points (CONFIG SET
// save, FLUSHALL, the cron), and the refusals inside MULTI. That
// redis-server 7.0.15 loads the file with the same data, and answers these
// commands with the same replies, is tests/rdb_save_test.sh's.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"
#include "src/engine/rdb.h"
#include "src/engine/rdb_file.h"

namespace respfuzz::engine {
namespace {

struct FakeHost : PersistHost {
  bool fail = false;
  std::vector<std::pair<std::string, std::string>> files;
  int shutdowns = 0;
  bool WriteRdb(std::string_view name, std::string_view rdb) override {
    if (fail) return false;
    files.emplace_back(std::string(name), std::string(rdb));
    return true;
  }
  void RequestShutdown() override { ++shutdowns; }
  bool ReadRdb(std::string_view name, std::string* out) override {
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
      if (it->first == name) {
        *out = it->second;
        return true;
      }
    }
    return false;
  }
  std::vector<std::string> log;
  void LogWarning(const std::string& line) override { log.push_back(line); }
};

struct Fixture {
  Engine e;
  FakeHost host;
  int s;
  explicit Fixture(bool with_host = true) {
    if (with_host) {
      e.SetPersistHost(&host);
      e.SetServerParams({{"dbfilename", "dump.rdb"}, {"dir", "/srv"}, {"save", ""}});
    }
    s = e.OpenSession();
  }
  std::string Run(std::vector<std::string> argv) {
    std::string out;
    e.Execute(s, argv, &out);
    return out;
  }
};

uint64_t Le64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

TEST(RdbFileTest, LayoutOfAnEmptyAndAOneKeyFile) {
  Engine e;
  rdb::RdbFileInputs in;
  in.ctime_s = 1700000000;
  in.used_mem = 1048576;
  const std::string empty = rdb::RdbFile(e.keyspace(), e.limits(), in);
  std::string want = "REDIS0010";
  auto aux = [&](std::string_view k, std::string_view v) {
    want.push_back(static_cast<char>(rdb::kOpAux));
    rdb::AppendString(&want, k);
    rdb::AppendString(&want, v);
  };
  aux("redis-ver", "7.0.15");
  aux("redis-bits", "64");
  aux("ctime", "1700000000");
  aux("used-mem", "1048576");
  aux("aof-base", "0");
  want.push_back(static_cast<char>(rdb::kOpEof));
  ASSERT_EQ(empty.substr(0, empty.size() - 8), want);
  EXPECT_EQ(Le64(empty.substr(empty.size() - 8)), rdb::Crc64(0, want));

  // One key with a TTL in db 2: SELECTDB 2, RESIZEDB 1 1, EXPIRETIME_MS,
  // then the type, the key and the value as DUMP writes them.
  int s = e.OpenSession();
  std::string out;
  e.Execute(s, std::vector<std::string>{"SELECT", "2"}, &out);
  e.Execute(s, std::vector<std::string>{"SET", "k", "v", "PXAT", "1800000000123"}, &out);
  const std::string one = rdb::RdbFile(e.keyspace(), e.limits(), in);
  std::string db = want.substr(0, want.size() - 1);
  db += static_cast<char>(rdb::kOpSelectDb);
  db += '\x02';
  db += static_cast<char>(rdb::kOpResizeDb);
  db += "\x01\x01";
  db += static_cast<char>(rdb::kOpExpireTimeMs);
  for (int i = 0; i < 8; ++i) db += static_cast<char>((1800000000123ull >> (8 * i)) & 0xff);
  db += '\x00';  // RDB_TYPE_STRING
  db += "\x01k\x01v";
  db += static_cast<char>(rdb::kOpEof);
  ASSERT_EQ(one.substr(0, one.size() - 8), db);
  EXPECT_EQ(Le64(one.substr(one.size() - 8)), rdb::Crc64(0, db));
}

TEST(PersistTest, SaveWritesTheFileAndResetsTheDirtyCounter) {
  Fixture f;
  f.Run({"SET", "a", "1"});
  f.Run({"RPUSH", "l", "x", "y"});
  EXPECT_EQ(f.e.dirty(), 3u);
  EXPECT_EQ(f.Run({"LASTSAVE"}), ":" + std::to_string(f.e.start_ms() / 1000) + "\r\n");
  f.e.AdvanceClock(5000);
  EXPECT_EQ(f.Run({"SAVE"}), "+OK\r\n");
  ASSERT_EQ(f.host.files.size(), 1u);
  EXPECT_EQ(f.host.files[0].first, "dump.rdb");
  EXPECT_EQ(f.host.files[0].second, f.e.RdbFileNow());
  EXPECT_EQ(f.e.dirty(), 0u);
  EXPECT_EQ(f.e.rdb_saves(), 1u);
  EXPECT_EQ(f.Run({"LASTSAVE"}), ":" + std::to_string(f.e.start_ms() / 1000 + 5) + "\r\n");
}

TEST(PersistTest, AFailedSaveRepliesErrAndKeepsTheCounter) {
  Fixture f;
  f.Run({"SET", "a", "1"});
  f.host.fail = true;
  EXPECT_EQ(f.Run({"SAVE"}), "-ERR\r\n");
  EXPECT_EQ(f.e.dirty(), 1u);
  // A failed BGSAVE was still started; INFO reports its status.
  EXPECT_EQ(f.Run({"BGSAVE"}), "+Background saving started\r\n");
  EXPECT_FALSE(f.e.last_bgsave_ok());
  EXPECT_NE(f.Run({"INFO", "persistence"}).find("rdb_last_bgsave_status:err\r\n"),
            std::string::npos);
  f.host.fail = false;
  EXPECT_EQ(f.Run({"BGSAVE", "schedule"}), "+Background saving started\r\n");
  EXPECT_TRUE(f.e.last_bgsave_ok());
  EXPECT_EQ(f.e.dirty(), 0u);
}

TEST(PersistTest, WithoutAHostSaveDiscardsTheFile) {
  Fixture f(/*with_host=*/false);
  f.Run({"SET", "a", "1"});
  EXPECT_EQ(f.Run({"SAVE"}), "+OK\r\n");
  EXPECT_TRUE(f.host.files.empty());
  EXPECT_EQ(f.e.dirty(), 0u);
  // SHUTDOWN cannot stop an engine without a host.
  EXPECT_EQ(f.Run({"SHUTDOWN", "NOSAVE"}), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  // No save or dir parameter without a server.
  EXPECT_EQ(f.Run({"CONFIG", "SET", "save", "1 1"}),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'save'\r\n");
}

TEST(PersistTest, BgsaveInsideExecIsScheduledForTheCron) {
  Fixture f;
  f.Run({"SET", "a", "1"});
  f.Run({"MULTI"});
  f.Run({"BGSAVE"});
  EXPECT_EQ(f.Run({"EXEC"}), "*1\r\n+Background saving scheduled\r\n");
  EXPECT_TRUE(f.host.files.empty());
  f.e.Cron();
  EXPECT_EQ(f.host.files.size(), 1u);
  f.e.Cron();  // once
  EXPECT_EQ(f.host.files.size(), 1u);
  EXPECT_EQ(f.Run({"BGSAVE", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(f.Run({"BGSAVE", "schedule", "x"}), "-ERR syntax error\r\n");
}

TEST(PersistTest, SaveAndShutdownAreRefusedInsideMulti) {
  Fixture f;
  for (const char* cmd : {"SAVE", "SHUTDOWN"}) {
    EXPECT_EQ(f.Run({"MULTI"}), "+OK\r\n");
    EXPECT_EQ(f.Run({"SET", "foo", "bar"}), "+QUEUED\r\n");
    EXPECT_EQ(f.Run({cmd}), "-ERR Command not allowed inside a transaction\r\n");
    EXPECT_EQ(f.Run({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
    EXPECT_EQ(f.Run({"GET", "foo"}), "$-1\r\n");
  }
  EXPECT_TRUE(f.host.files.empty());
  EXPECT_EQ(f.host.shutdowns, 0);
  EXPECT_EQ(f.Run({"EVAL", "return redis.call('save')", "0"})
                .rfind("-ERR This Redis command is not allowed from script", 0),
            0u);
}

TEST(PersistTest, ShutdownArgumentsAndSaving) {
  Fixture f;
  for (std::vector<std::string> bad : {std::vector<std::string>{"SHUTDOWN", "FOO"},
                                       {"SHUTDOWN", "NOSAVE", "SAVE"},
                                       {"SHUTDOWN", "ABORT", "NOW"},
                                       {"SHUTDOWN", "FORCE", "ABORT"}}) {
    EXPECT_EQ(f.Run(bad), "-ERR syntax error\r\n");
  }
  EXPECT_EQ(f.Run({"SHUTDOWN", "ABORT"}), "-ERR No shutdown in progress.\r\n");
  // No save points: SHUTDOWN saves nothing; the caller gets no reply.
  EXPECT_EQ(f.Run({"SHUTDOWN"}), "");
  EXPECT_EQ(f.host.shutdowns, 1);
  EXPECT_TRUE(f.host.files.empty());
  // SAVE asks for a file; a failed save refuses to stop, unless FORCE.
  f.host.fail = true;
  EXPECT_EQ(f.Run({"SHUTDOWN", "SAVE"}), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  EXPECT_EQ(f.host.shutdowns, 1);
  EXPECT_EQ(f.Run({"SHUTDOWN", "SAVE", "FORCE", "NOW"}), "");
  EXPECT_EQ(f.host.shutdowns, 2);
  f.host.fail = false;
  // Save points: a plain SHUTDOWN saves, NOSAVE does not.
  EXPECT_EQ(f.Run({"CONFIG", "SET", "save", "3600 1"}), "+OK\r\n");
  EXPECT_EQ(f.Run({"shutdown", "nosave"}), "");
  EXPECT_TRUE(f.host.files.empty());
  EXPECT_EQ(f.Run({"SHUTDOWN"}), "");
  EXPECT_EQ(f.host.files.size(), 1u);
  EXPECT_EQ(f.host.shutdowns, 4);
}

TEST(PersistTest, SavePointsParseAsRedisDoes) {
  std::vector<std::pair<int64_t, int>> p;
  EXPECT_TRUE(ParseSavePoints("", &p));
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(ParseSavePoints("3600 1 300 100", &p));
  EXPECT_EQ(SavePointsText(p), "3600 1 300 100");
  EXPECT_TRUE(ParseSavePoints("+5 07", &p));  // strtoll
  EXPECT_EQ(SavePointsText(p), "5 7");
  EXPECT_TRUE(ParseSavePoints("1 0", &p));   // changes >= 0
  EXPECT_FALSE(ParseSavePoints("0 1", &p));  // seconds >= 1
  EXPECT_FALSE(ParseSavePoints("1 -1", &p));
  EXPECT_FALSE(ParseSavePoints("1 2 3", &p));
  EXPECT_FALSE(ParseSavePoints("1  2", &p));  // an empty word between the spaces
  EXPECT_FALSE(ParseSavePoints(" 1 2", &p));
  EXPECT_FALSE(ParseSavePoints("1 2x", &p));
  EXPECT_FALSE(ParseSavePoints("x", &p));
  // changes is an int: 2^32 + 3 keeps its low bits.
  EXPECT_TRUE(ParseSavePoints("1 4294967299", &p));
  EXPECT_EQ(SavePointsText(p), "1 3");

  Fixture f;
  EXPECT_EQ(f.Run({"CONFIG", "SET", "save", "1 2 3"}),
            "-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
            "parameters\r\n");
  EXPECT_EQ(f.Run({"CONFIG", "SET", "save", "+5 07"}), "+OK\r\n");
  EXPECT_EQ(f.Run({"CONFIG", "GET", "save"}), "*2\r\n$4\r\nsave\r\n$3\r\n5 7\r\n");
  EXPECT_EQ(f.e.save_points().size(), 1u);
  // A refused value in the same CONFIG SET restores the save points.
  EXPECT_EQ(f.Run({"CONFIG", "SET", "save", "9 9", "maxmemory", "x"}).substr(0, 21),
            "-ERR CONFIG SET faile");
  EXPECT_EQ(f.Run({"CONFIG", "GET", "save"}), "*2\r\n$4\r\nsave\r\n$3\r\n5 7\r\n");
  EXPECT_EQ(f.e.save_points()[0].first, 5);
  // dir and dbfilename are protected configs (enable-protected-configs no).
  EXPECT_EQ(f.Run({"CONFIG", "SET", "Dir", "/tmp"}),
            "-ERR CONFIG SET failed (possibly related to argument 'Dir') - can't set protected "
            "config\r\n");
  EXPECT_EQ(f.Run({"CONFIG", "SET", "dbfilename", "dump.rdb"}),
            "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set "
            "protected config\r\n");
  EXPECT_EQ(f.Run({"CONFIG", "GET", "dir"}), "*2\r\n$3\r\ndir\r\n$4\r\n/srv\r\n");
}

TEST(PersistTest, FlushallSavesOnlyWithSavePoints) {
  Fixture f;
  f.Run({"SET", "a", "1"});
  f.Run({"FLUSHALL"});
  EXPECT_EQ(f.e.dirty(), 2u);
  EXPECT_TRUE(f.host.files.empty());
  f.Run({"CONFIG", "SET", "save", "3600 1 300 100 60 10000"});
  f.Run({"SET", "a", "1"});
  f.Run({"FLUSHALL"});
  EXPECT_EQ(f.e.dirty(), 0u);
  ASSERT_EQ(f.host.files.size(), 1u);
  // The empty dataset's file; FLUSHALL's save is not counted in rdb_saves.
  EXPECT_EQ(f.host.files[0].second, f.e.RdbFileNow());
  EXPECT_EQ(f.e.keyspace().db(0).dict.size(), 0u);
  EXPECT_EQ(f.e.rdb_saves(), 0u);
}

TEST(PersistTest, TheCronSavesAtASavePoint) {
  Fixture f;
  f.Run({"CONFIG", "SET", "save", "10 2"});
  f.Run({"SET", "a", "1"});
  f.e.AdvanceClock(11000);
  f.e.Cron();
  EXPECT_TRUE(f.host.files.empty());  // one change of the two
  f.Run({"SET", "a", "2"});
  f.e.Cron();
  EXPECT_EQ(f.host.files.size(), 1u);
  EXPECT_EQ(f.e.dirty(), 0u);
  f.Run({"SET", "a", "3"});
  f.Run({"SET", "a", "4"});
  f.e.AdvanceClock(5000);  // not 10 s since the last save yet
  f.e.Cron();
  EXPECT_EQ(f.host.files.size(), 1u);
  f.e.AdvanceClock(6000);
  f.e.Cron();
  EXPECT_EQ(f.host.files.size(), 2u);
}

TEST(PersistTest, LoadRdbReadsBackWhatSaveWrote) {
  Fixture f;
  f.Run({"SET", "s", std::string(100, 'x')});
  f.Run({"RPUSH", "l", "a", "1"});
  f.Run({"HSET", "h", "f", "v"});
  f.Run({"SADD", "i", "1", "2"});
  f.Run({"ZADD", "z", "1.5", "m"});
  f.Run({"XADD", "x", "1-1", "f", "v"});
  f.Run({"SET", "t", "v", "PX", "5000"});
  f.Run({"SET", "gone", "v", "PX", "10"});
  f.Run({"SELECT", "9"});
  f.Run({"SET", "k9", "v"});
  f.Run({"FUNCTION", "LOAD",
         "#!lua name=lib\nredis.register_function('fn', function() return 1 end)"});
  const std::string file = f.e.RdbFileNow();
  Engine other;
  other.AdvanceClock(100);  // "gone" expired meanwhile: a master drops it
  ASSERT_TRUE(other.LoadRdb(file).ok());
  EXPECT_EQ(other.keyspace().Peek(0, "gone"), nullptr);
  EXPECT_EQ(other.keyspace().db(0).dict.size(), 7u);
  EXPECT_EQ(other.keyspace().GetExpire(0, "t"), f.e.keyspace().GetExpire(0, "t"));
  EXPECT_NE(other.keyspace().Peek(9, "k9"), nullptr);
  EXPECT_EQ(other.function_count(), 1u);
  // Every other key: the same value (DUMP's bytes) and TTL.
  size_t compared = 0;
  for (int db : {0, 9}) {
    for (const KeyEntry& e : f.e.keyspace().db(db).dict) {
      if (e.key() == "gone") continue;
      const Object* o = other.keyspace().Peek(db, e.key());
      ASSERT_NE(o, nullptr) << e.key();
      EXPECT_EQ(rdb::DumpPayload(*o, other.limits()), rdb::DumpPayload(e.value, f.e.limits()))
          << e.key();
      EXPECT_EQ(other.keyspace().GetExpire(db, e.key()), f.e.keyspace().GetExpire(db, e.key()));
      ++compared;
    }
  }
  EXPECT_EQ(compared, 8u);
}

TEST(PersistTest, LoadRdbRefusesABadFile) {
  Fixture f;
  f.Run({"SET", "k", "v"});
  const std::string file = f.e.RdbFileNow();
  auto load = [](std::string bytes) {
    Engine e;
    return std::string(e.LoadRdb(bytes).message());
  };
  EXPECT_EQ(load(file), "");
  EXPECT_EQ(load("RDIS0010"), "bad RDB file: no REDIS magic");
  EXPECT_EQ(load("REDIS0011" + file.substr(9)), "bad RDB file: can't handle RDB format version 11");
  EXPECT_EQ(load(file.substr(0, file.size() - 1)), "bad RDB file: short read");
  EXPECT_EQ(load(file.substr(0, file.size() - 9)), "bad RDB file: short read");
  std::string flipped = file;
  flipped[file.size() - 10] ^= 1;  // the value's last byte
  EXPECT_EQ(load(flipped), "bad RDB file: wrong RDB checksum");
  // A zero checksum is not checked (rdbchecksum no).
  std::string unchecked = flipped.substr(0, file.size() - 8) + std::string(8, '\0');
  EXPECT_EQ(load(unchecked), "");
  std::string db99 = "REDIS0010";
  db99 += static_cast<char>(rdb::kOpSelectDb);
  db99 += '\x40';
  db99 += '\x63';  // 99, a 14-bit length
  EXPECT_EQ(load(db99), "bad RDB file: DB index 99 is out of range");
}

}  // namespace
}  // namespace respfuzz::engine
