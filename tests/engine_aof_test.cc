// The append-only file (src/engine/aof.cc), in process: an engine without a
// PersistHost keeps its AOF files in memory (unhosted_files), so what a
// program's writes leave in them, and what DEBUG LOADAOF makes of them,
// are checked here without any I/O. The file names, the manifest's lines
// and the incr file's RESP are redis-server 7.0.15's, as
// tests/serve_aof_test.sh compares them over sockets (the manifest after
// CONFIG SET appendonly yes, recorded 2026-11-28:
// "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n").
// The loader's rules (a short tail and an unfinished MULTI cut off under
// aof-load-truncated yes, refused under no; an unknown command fails the
// load) are aof.c's loadSingleAppendOnlyFile.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

constexpr int64_t kStart = 1'795'851'319'829;

EngineOptions DebugOn() {
  EngineOptions o;
  o.start_ms = kStart;
  o.enable_debug_command = EngineOptions::ProtectedAction::kYes;
  return o;
}

std::string Multibulk(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

struct Aof {
  Engine e{DebugOn()};
  int s = e.OpenSession();
  std::string Cmd(std::vector<std::string> argv) {
    std::string out;
    e.Execute(s, argv, &out);
    EXPECT_TRUE(e.Validate().ok()) << e.Validate();
    return out;
  }
  const std::string& File(const std::string& name) {
    static const std::string kNone = "(none)";
    auto it = e.unhosted_files().find("appendonlydir/" + name);
    return it == e.unhosted_files().end() ? kNone : it->second;
  }
  bool Has(const std::string& name) {
    return e.unhosted_files().count("appendonlydir/" + name) != 0;
  }
  // Replaces a file's bytes (a crash's short tail, a file edited by hand).
  void Put(const std::string& name, std::string bytes) {
    e.unhosted_files_for_test()["appendonlydir/" + name] = std::move(bytes);
  }
};

TEST(EngineAof, AppendonlyYesMakesTheFilesAndAppendsEachWrite) {
  Aof t;
  t.Cmd({"set", "before", "1"});
  EXPECT_EQ(t.Cmd({"config", "set", "appendonly", "yes"}), "+OK\r\n");
  EXPECT_EQ(t.File("appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  // The base is an RDB (aof-use-rdb-preamble yes) with AUX aof-base 1.
  EXPECT_EQ(t.File("appendonly.aof.1.base.rdb").substr(0, 9), "REDIS0010");
  EXPECT_NE(t.File("appendonly.aof.1.base.rdb").find("aof-base"), std::string::npos);
  EXPECT_EQ(t.File("appendonly.aof.1.incr.aof"), "");
  t.Cmd({"set", "k", "v", "ex", "100"});
  t.Cmd({"get", "k"});  // no change: nothing
  t.Cmd({"select", "2"});
  t.Cmd({"rpush", "l", "a"});
  t.Cmd({"publish", "ch", "m"});  // to the replicas only
  EXPECT_EQ(t.File("appendonly.aof.1.incr.aof"),
            Multibulk({"SELECT", "0"}) +
                Multibulk({"SET", "k", "v", "PXAT", std::to_string(kStart + 100000)}) +
                Multibulk({"SELECT", "2"}) + Multibulk({"rpush", "l", "a"}));
  const std::string info = t.Cmd({"info", "persistence"});
  EXPECT_NE(info.find("aof_enabled:1\r\n"), std::string::npos);
  EXPECT_NE(info.find("aof_rewrites:1\r\n"), std::string::npos);
  EXPECT_NE(info.find("aof_buffer_length:0\r\n"), std::string::npos);
  // appendonly no: nothing more is appended; the files stay.
  t.Cmd({"config", "set", "appendonly", "no"});
  const std::string kept = t.File("appendonly.aof.1.incr.aof");
  t.Cmd({"rpush", "l", "b"});
  EXPECT_EQ(t.File("appendonly.aof.1.incr.aof"), kept);
  EXPECT_NE(t.Cmd({"info", "persistence"}).find("aof_enabled:0\r\n"), std::string::npos);
}

TEST(EngineAof, BgrewriteaofReplacesTheBaseAndDropsTheHistory) {
  Aof t;
  t.Cmd({"config", "set", "appendonly", "yes"});
  t.Cmd({"set", "a", "1"});
  EXPECT_EQ(t.Cmd({"bgrewriteaof"}), "+Background append only file rewriting started\r\n");
  EXPECT_EQ(t.File("appendonly.aof.manifest"),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_FALSE(t.Has("appendonly.aof.1.base.rdb"));
  EXPECT_FALSE(t.Has("appendonly.aof.1.incr.aof"));
  // The next op gets a SELECT in the new incr file.
  t.Cmd({"set", "b", "2"});
  EXPECT_EQ(t.File("appendonly.aof.2.incr.aof"),
            Multibulk({"SELECT", "0"}) + Multibulk({"set", "b", "2"}));
  // Without the RDB preamble the base holds commands, 64 items per command.
  t.Cmd({"config", "set", "aof-use-rdb-preamble", "no"});
  std::vector<std::string> push = {"rpush", "big"};
  for (int i = 0; i < 70; ++i) push.push_back(std::to_string(i));
  t.Cmd(push);
  t.Cmd({"bgrewriteaof"});
  const std::string base = t.File("appendonly.aof.3.base.aof");
  EXPECT_EQ(base.rfind(Multibulk({"SELECT", "0"}), 0), 0u);
  EXPECT_NE(base.find("*66\r\n$5\r\nRPUSH\r\n$3\r\nbig\r\n$1\r\n0\r\n"), std::string::npos);
  EXPECT_NE(base.find("*8\r\n$5\r\nRPUSH\r\n$3\r\nbig\r\n$2\r\n64\r\n"), std::string::npos);
  // With the AOF off, a rewrite leaves a base and no incr file.
  t.Cmd({"config", "set", "appendonly", "no"});
  t.Cmd({"bgrewriteaof"});
  EXPECT_EQ(t.File("appendonly.aof.manifest"), "file appendonly.aof.4.base.aof seq 4 type b\n");
  // Inside MULTI: scheduled, done by the cron.
  t.Cmd({"multi"});
  t.Cmd({"bgrewriteaof"});
  EXPECT_EQ(t.Cmd({"exec"}), "*1\r\n+Background append only file rewriting scheduled\r\n");
  EXPECT_NE(t.Cmd({"info", "persistence"}).find("aof_rewrite_scheduled:1\r\n"), std::string::npos);
  t.e.Cron();
  EXPECT_EQ(t.File("appendonly.aof.manifest"), "file appendonly.aof.5.base.aof seq 5 type b\n");
}

TEST(EngineAof, AppendonlyInsideMultiWaitsForTheRewrite) {
  Aof t;
  t.Cmd({"multi"});
  t.Cmd({"set", "a", "1"});
  t.Cmd({"config", "set", "appendonly", "yes"});
  t.Cmd({"set", "b", "2"});
  t.Cmd({"exec"});
  // Nothing written yet (AOF_WAIT_REWRITE with no child): the writes are
  // in the base the cron's rewrite makes, not twice.
  EXPECT_FALSE(t.Has("appendonly.aof.manifest"));
  t.e.Cron();
  EXPECT_EQ(t.File("appendonly.aof.1.incr.aof"), "");
  const std::string digest = t.Cmd({"debug", "digest"});
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}), "+OK\r\n");
  EXPECT_EQ(t.Cmd({"debug", "digest"}), digest);
  EXPECT_EQ(t.Cmd({"get", "b"}), "$1\r\n2\r\n");
}

TEST(EngineAof, LoadaofRebuildsEveryTypeAndKeepsTtls) {
  for (const char* preamble : {"yes", "no"}) {
    Aof t;
    t.Cmd({"config", "set", "aof-use-rdb-preamble", preamble});
    t.Cmd({"set", "s", "v", "ex", "100"});
    t.Cmd({"config", "set", "appendonly", "yes"});
    t.Cmd({"hset", "h", "f", "v"});
    t.Cmd({"sadd", "st", "3", "1", "x"});
    t.Cmd({"zadd", "z", "1.5", "a", "-inf", "b"});
    t.Cmd({"xadd", "x", "1-1", "f", "v"});
    t.Cmd({"xgroup", "create", "x", "g", "0"});
    t.Cmd({"xreadgroup", "group", "g", "c", "streams", "x", ">"});
    t.Cmd({"select", "3"});
    t.Cmd({"set", "k", "v"});
    t.Cmd({"bgrewriteaof"});  // the base now holds all of it
    t.Cmd({"lpush", "l", "a"});
    const std::string digest = t.Cmd({"debug", "digest"});
    t.e.AdvanceClock(2000);
    EXPECT_EQ(t.Cmd({"debug", "loadaof"}), "+OK\r\n") << preamble;
    EXPECT_EQ(t.Cmd({"debug", "digest"}), digest) << preamble;
    t.Cmd({"select", "0"});
    EXPECT_EQ(t.Cmd({"ttl", "s"}), ":98\r\n") << preamble;
    EXPECT_EQ(t.Cmd({"xpending", "x", "g"}).substr(0, 7), "*4\r\n:1\r") << preamble;
    // LOADAOF resets the dirty counter and propagates nothing.
    EXPECT_NE(t.Cmd({"info", "persistence"}).find("rdb_changes_since_last_save:0\r\n"),
              std::string::npos);
  }
}

TEST(EngineAof, AShortTailIsCutOffOrRefused) {
  Aof t;
  t.Cmd({"config", "set", "appendonly", "yes"});
  t.Cmd({"set", "a", "1"});
  const std::string good = t.File("appendonly.aof.1.incr.aof");
  // A command cut short, as after a crash: dropped, and the file truncated
  // to the last whole command (aof-load-truncated yes, the default).
  t.Put("appendonly.aof.1.incr.aof", good + "*3\r\n$3\r\nset\r\n$1\r\nb");
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}), "+OK\r\n");
  EXPECT_EQ(t.Cmd({"get", "a"}), "$1\r\n1\r\n");
  EXPECT_EQ(t.Cmd({"exists", "b"}), ":0\r\n");
  EXPECT_EQ(t.File("appendonly.aof.1.incr.aof"), good);
  // An unfinished MULTI: reverted as a short tail.
  t.Put("appendonly.aof.1.incr.aof", good + Multibulk({"MULTI"}) + Multibulk({"set", "c", "3"}));
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}), "+OK\r\n");
  EXPECT_EQ(t.Cmd({"exists", "c"}), ":0\r\n");
  EXPECT_EQ(t.File("appendonly.aof.1.incr.aof"), good);
  // ... and a whole one applied.
  t.Put("appendonly.aof.1.incr.aof",
        good + Multibulk({"MULTI"}) + Multibulk({"set", "c", "3"}) + Multibulk({"EXEC"}));
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}), "+OK\r\n");
  EXPECT_EQ(t.Cmd({"get", "c"}), "$1\r\n3\r\n");
  // aof-load-truncated no: the load fails (redis-server exits there).
  t.Cmd({"config", "set", "aof-load-truncated", "no"});
  t.Put("appendonly.aof.1.incr.aof", good + "*2\r\n$3\r\nget");
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}),
            "-ERR DEBUG LOADAOF failed: an AOF file does not load (see the log) (redis-server "
            "7.0.15 exits here)\r\n");
  // Not RESP, or an unknown command: the load fails whatever the setting.
  t.Cmd({"config", "set", "aof-load-truncated", "yes"});
  t.Put("appendonly.aof.1.incr.aof", good + "set a 2\r\n");
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}).substr(0, 26), "-ERR DEBUG LOADAOF failed:");
  t.Put("appendonly.aof.1.incr.aof", good + Multibulk({"nosuchcommand", "x"}));
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}).substr(0, 26), "-ERR DEBUG LOADAOF failed:");
  // Annotations are skipped.
  t.Put("appendonly.aof.1.incr.aof", "#TS:1795851319\r\n" + good);
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}), "+OK\r\n");
  EXPECT_EQ(t.Cmd({"get", "a"}), "$1\r\n1\r\n");
}

TEST(EngineAof, ABadManifestFailsTheLoad) {
  Aof t;
  t.Cmd({"config", "set", "appendonly", "yes"});
  for (const std::string& manifest :
       {std::string(""), std::string("file a seq 1\n"),
        std::string("file a seq 1 type b\nfile b seq 2 type b\n"),
        std::string("file a.1 seq 2 type i\nfile a.2 seq 1 type i\n"),
        std::string("file dir/a seq 1 type b\n"), std::string("file a seq 1 type x\n"),
        std::string("file a seq 1 type b")}) {
    t.Put("appendonly.aof.manifest", manifest);
    EXPECT_EQ(t.Cmd({"debug", "loadaof"}).substr(0, 26), "-ERR DEBUG LOADAOF failed:") << manifest;
  }
  // A file the manifest names but that is not there.
  t.Put("appendonly.aof.manifest", "file appendonly.aof.9.base.rdb seq 9 type b\n");
  EXPECT_EQ(t.Cmd({"debug", "loadaof"}),
            "-ERR DEBUG LOADAOF failed: the AOF file appendonly.aof.9.base.rdb doesn't exist "
            "(redis-server 7.0.15 exits here)\r\n");
}

TEST(EngineAof, ScriptsAndConsumerGroupsGoAsRedisWritesThem) {
  Aof t;
  t.Cmd({"config", "set", "appendonly", "yes"});
  t.Cmd({"eval", "redis.set_repl(redis.REPL_REPLICA) redis.call('set','r','1')", "0"});
  t.Cmd({"eval", "redis.set_repl(redis.REPL_AOF) redis.call('set','a','1')", "0"});
  t.Cmd({"xadd", "x", "1-1", "f", "v"});
  t.Cmd({"xgroup", "create", "x", "g", "0"});
  t.Cmd({"xreadgroup", "group", "g", "c", "noack", "streams", "x", ">"});
  t.Cmd({"xclaim", "x", "g", "d", "0", "1-1", "force", "time", "5"});
  EXPECT_EQ(t.File("appendonly.aof.1.incr.aof"),
            Multibulk({"SELECT", "0"}) + Multibulk({"set", "a", "1"}) +
                Multibulk({"xadd", "x", "1-1", "f", "v"}) +
                Multibulk({"xgroup", "create", "x", "g", "0"}) + Multibulk({"MULTI"}) +
                Multibulk({"XGROUP", "CREATECONSUMER", "x", "g", "c"}) +
                Multibulk({"XGROUP", "SETID", "x", "g", "1-1", "ENTRIESREAD", "1"}) +
                Multibulk({"EXEC"}) +
                Multibulk({"XCLAIM", "x", "g", "d", "0", "1-1", "TIME", "5", "RETRYCOUNT", "2",
                           "FORCE", "JUSTID", "LASTID", "1-1"}));
}

// A start with appendonly yes (serve --appendonly yes): another engine's
// AOF loads to its digest and the AOF stays on, appending to the last incr
// file; with no AOF a base and an incr file are made (redis-server 7.0.15's
// manifest on an empty directory, tests/serve_aof_test.sh); a bad manifest
// is the error redis-server logs before it exits.
TEST(EngineAof, StartFromAof) {
  Aof a;
  a.Cmd({"config", "set", "appendonly", "yes"});
  a.Cmd({"set", "k", "v"});
  a.Cmd({"rpush", "l", "x", "y"});
  Aof b;
  b.e.unhosted_files_for_test() = a.e.unhosted_files();
  EXPECT_EQ(b.e.StartFromAof(), "");
  EXPECT_EQ(b.Cmd({"debug", "digest"}), a.Cmd({"debug", "digest"}));
  EXPECT_EQ(b.Cmd({"config", "get", "appendonly"}), "*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n");
  EXPECT_EQ(b.File("appendonly.aof.manifest"), a.File("appendonly.aof.manifest"));
  b.Cmd({"del", "k"});
  EXPECT_NE(b.File("appendonly.aof.1.incr.aof").find("$3\r\ndel\r\n$1\r\nk\r\n"),
            std::string::npos);

  Aof fresh;
  EXPECT_EQ(fresh.e.StartFromAof(), "");
  EXPECT_EQ(
      fresh.File("appendonly.aof.manifest"),
      "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_EQ(fresh.File("appendonly.aof.1.incr.aof"), "");
  EXPECT_EQ(fresh.File("appendonly.aof.1.base.rdb").substr(0, 5), "REDIS");

  Aof bad;
  bad.Put("appendonly.aof.manifest", "file x seq 1\n");
  EXPECT_NE(bad.e.StartFromAof(), "");
}

}  // namespace
}  // namespace respfuzz::engine
