// Persistence: SAVE, BGSAVE, LASTSAVE, SHUTDOWN and the save points, as
// Redis 7.0.15's rdb.c (saveCommand, bgsaveCommand, rdbSave), db.c
// (lastsaveCommand, shutdownCommand) and server.c (prepareForShutdown,
// serverCron's save points). The file is rdb_file.h's; where it goes is the
// engine's PersistHost (respfuzz serve: its working directory). There is no
// child process: BGSAVE saves at once and is reported as a background save
// that has finished (docs/fidelity.md, "Persistence").
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/rdb.h"
#include "src/engine/rdb_file.h"
#include "src/script/lua_scripts.h"

namespace respfuzz::engine {

bool ParseSavePoints(std::string_view value, std::vector<std::pair<int64_t, int>>* out) {
  std::vector<std::string_view> words;
  if (!value.empty()) {
    size_t start = 0;
    for (size_t j = 0; j < value.size(); ++j) {
      if (value[j] == ' ') {
        words.push_back(value.substr(start, j - start));
        start = j + 1;
      }
    }
    words.push_back(value.substr(start));
  }
  // A single word that reads as "" as a C string means none.
  if (words.size() == 1 && CStr(words[0]).empty()) words.clear();
  if (words.size() % 2 != 0) return false;
  std::vector<long long> vals;
  for (size_t j = 0; j < words.size(); ++j) {
    const std::string w(CStr(words[j]));
    char* end = nullptr;
    const long long v = std::strtoll(w.c_str(), &end, 10);
    if (*end != '\0' || (j % 2 == 0 && v < 1) || (j % 2 == 1 && v < 0)) return false;
    vals.push_back(v);
  }
  out->clear();
  for (size_t j = 0; j < vals.size(); j += 2) {
    // changes is an int in Redis: a larger number keeps its low 32 bits.
    out->emplace_back(vals[j], static_cast<int>(static_cast<uint32_t>(vals[j + 1])));
  }
  return true;
}

std::string SavePointsText(const std::vector<std::pair<int64_t, int>>& points) {
  std::string out;
  for (size_t j = 0; j < points.size(); ++j) {
    if (j > 0) out += ' ';
    out += std::to_string(points[j].first) + " " + std::to_string(points[j].second);
  }
  return out;
}

std::string_view Engine::ServerParam(std::string_view name) const {
  for (const auto& [n, v] : server_params_) {
    if (n == name) return v;
  }
  return {};
}

std::string Engine::RdbFileNow(bool aof_base) const {
  rdb::RdbFileInputs in;
  in.aof_base = aof_base;
  in.ctime_s = now_ms() / 1000;
  in.used_mem = UsedMemory();
  in.now_ms = now_ms();
  in.save_lru = policy_ == MaxmemoryPolicy::kVolatileLru || policy_ == MaxmemoryPolicy::kAllkeysLru;
  in.save_lfu = lfu_policy();
  if (functions_ != nullptr) {
    for (const auto& [name, lib] : functions_->libraries()) in.function_codes.push_back(lib.code);
  }
  return rdb::RdbFile(keyspace_, limits_, in);
}

std::string_view Engine::RdbFileName() const {
  const std::string_view name = ServerParam("dbfilename");
  return name.empty() ? "dump.rdb" : name;
}

bool Engine::SaveRdb(std::string* saved) {
  std::string file = RdbFileNow();
  if (persist_host_ != nullptr) {
    if (!persist_host_->WriteRdb(RdbFileName(), file)) return false;
  } else {
    unhosted_rdb_ = file;
  }
  dirty_ = 0;
  lastsave_s_ = now_ms() / 1000;
  last_bgsave_ok_ = true;
  if (saved != nullptr) *saved = std::move(file);
  return true;
}

absl::Status Engine::LoadRdb(std::string_view file, bool allow_dup) {
  return LoadRdbFile(file, allow_dup, /*aof_preamble=*/false, nullptr);
}

absl::Status Engine::LoadAofRdb(std::string_view file, size_t* consumed) {
  return LoadRdbFile(file, /*allow_dup=*/false, /*aof_preamble=*/true, consumed);
}

absl::Status Engine::LoadRdbFile(std::string_view file, bool allow_dup, bool aof_preamble,
                                 size_t* consumed) {
  // rdbLoadRio: the magic and version, then opcodes until EOF, then the
  // CRC-64 (0: not checked, as with rdbchecksum no).
  auto bad = [](std::string_view why) {
    return absl::DataLossError("bad RDB file: " + std::string(why));
  };
  if (file.size() < 9 || file.substr(0, 5) != "REDIS") return bad("no REDIS magic");
  int version = 0;
  for (char ch : file.substr(5, 4)) {
    if (ch < '0' || ch > '9') return bad("no version");
    version = version * 10 + (ch - '0');
  }
  if (version < 1 || version > rdb::kRdbVersion) {
    return bad(absl::StrCat("can't handle RDB format version ", version));
  }
  size_t pos = 9;
  int db = 0;
  int64_t expire = -1;
  int64_t lru_idle = -1, lfu_freq = -1;  // the next key's, when the file has them
  const uint32_t lru_clock = LruClock(now_ms());
  auto le = [&](int n, uint64_t* v) {
    if (file.size() - pos < static_cast<size_t>(n)) return false;
    *v = 0;
    for (int i = n - 1; i >= 0; --i) *v = (*v << 8) | static_cast<uint8_t>(file[pos + i]);
    pos += n;
    return true;
  };
  while (true) {
    if (pos >= file.size()) return bad("short read");
    const uint8_t type = static_cast<uint8_t>(file[pos++]);
    uint64_t v = 0, v2 = 0;
    std::string a, b;
    switch (type) {
      case 253:  // EXPIRETIME: seconds, 4 bytes
        if (!le(4, &v)) return bad("short read");
        expire = static_cast<int64_t>(v) * 1000;
        continue;
      case rdb::kOpExpireTimeMs:
        if (!le(8, &v)) return bad("short read");
        expire = static_cast<int64_t>(v);
        continue;
      case rdb::kOpFreq:
        if (!le(1, &v)) return bad("short read");
        lfu_freq = static_cast<int64_t>(v);
        continue;
      case rdb::kOpIdle:
        if (!rdb::LoadLen(file, &pos, &v)) return bad("short read");
        lru_idle = static_cast<int64_t>(v);
        continue;
      case rdb::kOpEof:
        break;
      case rdb::kOpSelectDb:
        if (!rdb::LoadLen(file, &pos, &v)) return bad("short read");
        if (v >= static_cast<uint64_t>(keyspace_.num_dbs())) {
          return bad(absl::StrCat("DB index ", v, " is out of range"));
        }
        db = static_cast<int>(v);
        continue;
      case rdb::kOpResizeDb:
        if (!rdb::LoadLen(file, &pos, &v) || !rdb::LoadLen(file, &pos, &v2)) {
          return bad("short read");
        }
        continue;
      case rdb::kOpAux:
        if (!rdb::LoadString(file, &pos, &a) || !rdb::LoadString(file, &pos, &b)) {
          return bad("short read");
        }
        continue;
      case rdb::kOpFunction2: {
        if (!rdb::LoadString(file, &pos, &a)) return bad("short read");
        std::string error;
        if (functions().Load(a, /*replace=*/allow_dup, &error).empty()) {
          return bad(absl::StrCat("a function library does not load: ", error));
        }
        continue;
      }
      default: {
        // A key and its value; an opcode the engine does not know (module
        // aux, the pre-7.0 function format) fails here.
        if (!rdb::LoadString(file, &pos, &a)) return bad("short read");
        std::optional<Object> o = rdb::LoadObjectOfType(type, file, &pos, limits_);
        if (!o) return bad(absl::StrCat("type ", type, " of key '", a, "' does not load"));
        // A master drops the keys already expired (not from an AOF).
        if (expire == -1 || expire >= now_ms() || aof_preamble) {
          Object* stored = keyspace_.LoadKey(db, a, std::move(*o), expire, allow_dup);
          if (stored == nullptr) {
            return absl::AlreadyExistsError(absl::StrCat("bad RDB file: duplicate key '", a, "'"));
          }
          // Against the LRU clock of the load's start.
          SetLruOrLfu(stored, keyspace_.lfu(), lfu_freq, lru_idle, lru_clock, now_ms());
        }
        expire = -1;
        lru_idle = lfu_freq = -1;
        continue;
      }
    }
    break;
  }
  uint64_t crc = 0;
  if (version >= 5) {
    const size_t end = pos;
    if (!le(8, &crc)) return bad("short read");
    if (crc != 0 && crc != rdb::Crc64(0, file.substr(0, end))) return bad("wrong RDB checksum");
  }
  if (consumed != nullptr) *consumed = pos;
  return absl::OkStatus();
}

std::string Engine::DebugReload(bool merge, bool flush, bool save) {
  std::string file;
  // rdbSave (its failure: shared.err); it resets the dirty counter.
  if (save && !SaveRdb(&file)) return "ERR";
  if (flush) {
    // emptyData(-1, EMPTYDB_NO_FLAGS): signalFlushedDb (WATCH, tracking),
    // every db emptied, the FUNCTION libraries cleared; no dirty change.
    if (bugs_.reload_without_flush_invalidation) {
      keyspace_.FlushAll();
    } else {
      EmptyAllDbs();
    }
    functions().Flush();
  }
  if (!save) {
    bool have = false;
    if (persist_host_ != nullptr) {
      have = persist_host_->ReadRdb(RdbFileName(), &file);
    } else if (unhosted_rdb_) {
      file = *unhosted_rdb_;
      have = true;
    }
    if (!have) return "ERR Error trying to load the RDB dump";
  }
  if (absl::Status st = LoadRdb(file, merge); !st.ok()) {
    // A key already there without MERGE: redis-server 7.0.15 panics
    // ("Duplicated key found in RDB file"); the engine answers instead.
    if (absl::IsAlreadyExists(st)) {
      return "ERR Error trying to load the RDB dump: a duplicated key (redis-server 7.0.15 "
             "panics here: 'Duplicated key found in RDB file')";
    }
    return "ERR Error trying to load the RDB dump";
  }
  LogWarning("DB reloaded by DEBUG RELOAD");
  return "";
}

bool Engine::Bgsave() {
  ++rdb_saves_;
  const bool ok = SaveRdb();
  last_bgsave_ok_ = ok;
  last_bgsave_time_sec_ = 0;
  return ok;
}

bool Engine::RequestShutdown() {
  if (persist_host_ == nullptr) return false;
  persist_host_->RequestShutdown();
  return true;
}

void Engine::PersistCron() {
  if (bgsave_scheduled_) {
    bgsave_scheduled_ = false;
    Bgsave();
    return;
  }
  // serverCron: a save point reached (enough changes, enough seconds since
  // the last save) starts a background save; after a failed one, not
  // before CONFIG_BGSAVE_RETRY_DELAY (5 s) since it was tried.
  const int64_t now_s = now_ms() / 1000;
  for (const auto& [seconds, changes] : save_points_) {
    if (dirty_ >= static_cast<uint64_t>(changes) && now_s - lastsave() > seconds &&
        (last_bgsave_ok_ || now_s - last_bgsave_try_s_ > 5)) {
      last_bgsave_try_s_ = now_s;
      Bgsave();
      return;
    }
  }
}

namespace {

// SAVE (no-multi and noscript: dispatch and the script layer refuse it).
void CmdSave(CommandContext& c) {
  c.engine.CountRdbSave();
  if (c.engine.SaveRdb()) {
    c.reply.Ok();
  } else {
    c.reply.Error("ERR");  // shared.err
  }
}

// BGSAVE [SCHEDULE]: inside EXEC it is scheduled (serverCron starts it).
void CmdBgsave(CommandContext& c) {
  if (c.argc() > 1 && !(c.argc() == 2 && c.ArgIs(1, "schedule"))) {
    c.reply.Error(kErrSyntax);
    return;
  }
  if (c.engine.in_exec()) {
    c.engine.ScheduleBgsave();
    c.reply.Simple("Background saving scheduled");
    return;
  }
  // The fork succeeded: the reply does not depend on how the save ends.
  c.engine.Bgsave();
  c.reply.Simple("Background saving started");
}

void CmdLastsave(CommandContext& c) { c.reply.Integer(c.engine.lastsave()); }

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT].
void CmdShutdown(CommandContext& c) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < c.argc(); ++i) {
    if (c.ArgIs(i, "nosave")) {
      nosave = true;
    } else if (c.ArgIs(i, "save")) {
      save = true;
    } else if (c.ArgIs(i, "now")) {
      now = true;
    } else if (c.ArgIs(i, "force")) {
      force = true;
    } else if (c.ArgIs(i, "abort")) {
      abort = true;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    c.reply.Error(kErrSyntax);
    return;
  }
  if (abort) {
    // No shutdown ever waits here (no replicas to wait for).
    c.reply.Error("ERR No shutdown in progress.");
    return;
  }
  // 7.0.15's refusal of SHUTDOWN without NOW for a DENY_BLOCKING client
  // cannot happen here: such a client is in EXEC or a script, where SHUTDOWN
  // is refused before it runs (no-multi, noscript).
  (void)now;
  if (!nosave && c.engine.busy()) {
    c.reply.Error(c.engine.BusyError());
    return;
  }
  constexpr std::string_view kFailed = "ERR Errors trying to SHUTDOWN. Check logs.";
  if (((!c.engine.save_points().empty() && !nosave) || save) && !c.engine.SaveRdb() && !force) {
    c.reply.Error(kFailed);
    return;
  }
  // The caller gets no reply: its connection closes with the server.
  if (!c.engine.RequestShutdown()) c.reply.Error(kFailed);
}

constexpr CommandSpec kPersistCommands[] = {
    {"save", 1, kCmdNoScript | kCmdNoMulti, 0, 0, 0, CmdSave},
    {"bgsave", -1, kCmdNoScript, 0, 0, 0, CmdBgsave},
    {"lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdLastsave},
    {"shutdown", -1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoMulti | kCmdAllowBusy, 0, 0, 0,
     CmdShutdown},
};

}  // namespace

std::span<const CommandSpec> PersistCommands() { return kPersistCommands; }

}  // namespace respfuzz::engine
