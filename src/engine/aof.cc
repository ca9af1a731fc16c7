// The append-only file, as Redis 7.0.15's aof.c keeps it (multi-part AOF):
// a directory (appenddirname, "appendonlydir") holding a manifest
// (appendonly.aof.manifest, one "file <name> seq <n> type <b|h|i>" line per
// file: the base first, then history, then incr files), one base file (an
// RDB with AUX aof-base 1 under aof-use-rdb-preamble yes, else the commands
// that rebuild the dataset) and incr files of commands in RESP.
//
// - CONFIG SET appendonly yes (startAppendOnly) rewrites at once: a new base
//   file and a new incr file, the manifest saved. Inside EXEC the rewrite is
//   scheduled for the next cron, and nothing is written until it ran (Redis:
//   AOF_WAIT_REWRITE with no child). appendonly no (stopAppendOnly) stops
//   appending; the files stay.
// - Every op propagated (replication.cc's PropagateNow: the same stream the
//   replicas get, MULTI / EXEC included, a SELECT whenever the db changes,
//   "#TS:<unix s>" annotations under aof-timestamp-enabled) is appended to
//   the last incr file at the end of its propagation (beforeSleep's
//   flushAppendOnlyFile, written at once whatever appendfsync says).
// - BGREWRITEAOF (rewriteAppendOnlyFileBackground and
//   backgroundRewriteDoneHandler, in one step: there is no child process):
//   a new incr file when the AOF is on, a new base file, the older base and
//   incr files moved to history and deleted. Inside EXEC: scheduled.
//   The automatic rewrite (auto-aof-rewrite-percentage / -min-size) runs
//   from the cron.
// - DEBUG LOADAOF: the dataset and the functions emptied, the manifest read
//   again from the directory, then the base and incr files loaded in order
//   (loadAppendOnlyFiles / loadSingleAppendOnlyFile): an RDB part if the
//   file starts with "REDIS", then commands run as a client of their own
//   that gets no replies, with nothing expired and nothing propagated; an
//   unfinished MULTI or a short tail is cut off under aof-load-truncated
//   yes (the file truncated there), else the load fails. Where
//   redis-server 7.0.15 exits (no AOF at all, a bad manifest, a file that
//   does not load), the engine answers an error instead.
//
// Without a PersistHost (the harnesses) the files live in the engine's
// memory (unhosted_files), so a program's DEBUG LOADAOF reads back what
// it wrote. A server started with appendonly yes loads the AOF instead of
// the RDB (StartFromAof: respfuzz serve --appendonly yes). Not here: the
// upgrade from a single-file AOF, MISCONF refusals after a failed write,
// fsync policies (the file is written at once and not fsynced), a rewrite
// failing half way with its temporary files, and file names that need
// quoting in the manifest (appendfilename is fixed at appendonly.aof).
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/command_facts.h"
#include "src/engine/config_kept.h"
#include "src/engine/engine.h"
#include "src/engine/object.h"
#include "src/engine/stream.h"
#include "src/resp/request.h"
#include "src/resp/writer.h"
#include "src/script/lua_scripts.h"

namespace respfuzz::engine {

namespace {

constexpr char kAofDirname[] = "appendonlydir";    // appenddirname
constexpr char kAofFilename[] = "appendonly.aof";  // appendfilename
constexpr size_t kItemsPerCmd = 64;                // AOF_REWRITE_ITEMS_PER_CMD
constexpr size_t kManifestMaxLine = 1024;          // MANIFEST_MAX_LINE
constexpr size_t kAnnotationLineMax = 1024;        // AOF_ANNOTATION_LINE_MAX_LEN

// loadSingleAppendOnlyFile's and loadAppendOnlyFiles' results.
enum AofLoad { kAofOk, kAofNotExist, kAofEmpty, kAofOpenErr, kAofFailed, kAofTruncated };

void Bulk(std::string* out, std::string_view s) { resp::WriteBulk(s, out); }
void Header(std::string* out, size_t n) {
  resp::WriteAggregateHeader('*', static_cast<int64_t>(n), out);
}

// catAppendOnlyGenericCommand.
template <typename Args>
void Command(std::string* out, const Args& argv) {
  Header(out, argv.size());
  for (std::string_view a : argv) Bulk(out, a);
}
void CommandOf(std::string* out, std::initializer_list<std::string_view> argv) {
  Command(out, argv);
}

// rioWriteBulkDouble: "%.17g".
std::string Double17g(double d) {
  char buf[128];
  const int n = std::snprintf(buf, sizeof buf, "%.17g", d);
  return std::string(buf, static_cast<size_t>(n));
}

std::string ManifestText(const Engine::AofManifest& m) {
  std::string out;
  auto line = [&](const Engine::AofFile& f) {
    absl::StrAppend(&out, "file ", f.name, " seq ", f.seq, " type ", std::string(1, f.type), "\n");
  };
  if (m.base) line(*m.base);
  for (const Engine::AofFile& f : m.history) line(f);
  for (const Engine::AofFile& f : m.incr) line(f);
  return out;
}

// getNewBaseFileNameAndMarkPreAsHistory.
std::string NewBaseName(Engine::AofManifest* m, bool rdb) {
  if (m->base) {
    Engine::AofFile old = *m->base;
    old.type = 'h';
    m->history.insert(m->history.begin(), old);
  }
  Engine::AofFile f;
  f.seq = ++m->base_seq;
  f.name = absl::StrCat(kAofFilename, ".", f.seq, ".base", rdb ? ".rdb" : ".aof");
  f.type = 'b';
  m->base = f;
  return f.name;
}

// getNewIncrAofName.
std::string NewIncrName(Engine::AofManifest* m) {
  Engine::AofFile f;
  f.seq = ++m->incr_seq;
  f.name = absl::StrCat(kAofFilename, ".", f.seq, ".incr.aof");
  f.type = 'i';
  m->incr.push_back(f);
  return f.name;
}

// fgets(buf, size): up to and including a newline, at most size - 1 bytes;
// false at the end of the data with nothing read.
bool ReadLine(std::string_view data, size_t* pos, size_t size, std::string_view* line) {
  if (*pos >= data.size()) return false;
  const size_t nl = data.find('\n', *pos);
  size_t end = nl == std::string_view::npos ? data.size() : nl + 1;
  if (end - *pos > size - 1) end = *pos + size - 1;
  *line = data.substr(*pos, end - *pos);
  *pos = end;
  return true;
}

// aofLoadManifestFromFile over the manifest's text: "" and *out, or the
// error redis-server logs before it exits.
std::string ParseManifest(std::string_view text, Engine::AofManifest* out) {
  Engine::AofManifest m;
  int64_t maxseq = 0;
  size_t pos = 0;
  int linenum = 0;
  std::string_view raw;
  // fgets into a buffer of MANIFEST_MAX_LINE + 1 bytes.
  while (ReadLine(text, &pos, kManifestMaxLine + 1, &raw)) {
    ++linenum;
    if (!raw.empty() && raw[0] == '#') continue;
    if (raw.find('\n') == std::string_view::npos) {
      return "The AOF manifest file contains too long line";
    }
    std::string_view line = raw;
    while (!line.empty() &&
           std::string_view(" \t\r\n").find(line.front()) != std::string_view::npos) {
      line.remove_prefix(1);
    }
    while (!line.empty() &&
           std::string_view(" \t\r\n").find(line.back()) != std::string_view::npos) {
      line.remove_suffix(1);
    }
    if (line.empty()) return "Invalid AOF manifest file format";
    const std::optional<std::vector<std::string>> argv = resp::SplitInlineArgs(line);
    if (!argv || argv->size() < 6 || argv->size() % 2 != 0)
      return "Invalid AOF manifest file format";
    Engine::AofFile f;
    f.type = 0;
    bool named = false;
    for (size_t i = 0; i < argv->size(); i += 2) {
      const std::string& k = (*argv)[i];
      const std::string& v = (*argv)[i + 1];
      if (IEquals(CStr(k), "file")) {
        f.name = std::string(CStr(v));
        named = true;
        if (f.name.find('/') != std::string::npos) return "File can't be a path, just a filename";
      } else if (IEquals(CStr(k), "seq")) {
        f.seq = std::atoll(std::string(CStr(v)).c_str());
      } else if (IEquals(CStr(k), "type")) {
        f.type = CStr(v).empty() ? 0 : CStr(v)[0];
      }
    }
    if (!named || f.seq == 0 || f.type == 0) return "Invalid AOF manifest file format";
    if (f.type == 'b') {
      if (m.base) return "Found duplicate base file information";
      m.base = f;
      m.base_seq = f.seq;
    } else if (f.type == 'h') {
      m.history.push_back(f);
    } else if (f.type == 'i') {
      if (f.seq <= maxseq) return "Found a non-monotonic sequence number";
      m.incr.push_back(f);
      m.incr_seq = f.seq;
      maxseq = f.seq;
    } else {
      return "Unknown AOF file type";
    }
  }
  if (linenum == 0) return "Found an empty AOF manifest";
  *out = std::move(m);
  return "";
}

}  // namespace

std::string Engine::AofPath(std::string_view name) const {
  return absl::StrCat(kAofDirname, "/", std::string(name));
}

bool Engine::AofMakeDir() {
  return persist_host_ == nullptr || persist_host_->MakeDir(kAofDirname);
}

bool Engine::AofWriteFile(std::string_view name, std::string_view bytes) {
  if (persist_host_ == nullptr) {
    unhosted_files_[AofPath(name)] = std::string(bytes);
    return true;
  }
  return persist_host_->WriteRdb(AofPath(name), bytes);
}

bool Engine::AofAppendFile(std::string_view name, std::string_view bytes) {
  if (persist_host_ == nullptr) {
    unhosted_files_[AofPath(name)].append(bytes);
    return true;
  }
  return persist_host_->AppendFile(AofPath(name), bytes);
}

int Engine::AofReadFile(std::string_view name, std::string* out) {
  if (persist_host_ == nullptr) {
    auto it = unhosted_files_.find(AofPath(name));
    if (it == unhosted_files_.end()) return -1;
    *out = it->second;
    return 0;
  }
  return persist_host_->ReadRdb(AofPath(name), out) ? 0 : -1;
}

void Engine::AofRemoveFile(std::string_view name) {
  if (persist_host_ == nullptr) {
    unhosted_files_.erase(AofPath(name));
    return;
  }
  persist_host_->RemoveFile(AofPath(name));
}

// persistAofManifest: written whole (a temporary file renamed over it).
bool Engine::PersistAofManifest(const AofManifest& m) {
  return AofWriteFile(absl::StrCat(kAofFilename, ".manifest"), ManifestText(m));
}

// feedAppendOnlyFile.
void Engine::FeedAof(int db, std::span<const std::string> argv) {
  std::string buf;
  if (aof_.timestamp_enabled) {
    const int64_t now_s = now_ms() / 1000;
    if (aof_.cur_timestamp < now_s) {
      absl::StrAppend(&buf, "#TS:", now_s, "\r\n");
      aof_.cur_timestamp = now_s;
    }
  }
  if (db != aof_.selected_db) {
    CommandOf(&buf, {"SELECT", std::to_string(db)});
    aof_.selected_db = db;
  }
  Command(&buf, argv);
  // Only once the rewrite that turns the AOF on is done (no child gathers
  // the writes of AOF_WAIT_REWRITE here).
  if (aof_.state == AofState::kOn) aof_.buf.append(buf);
}

// flushAppendOnlyFile: the buffer at the end of the last incr file.
void Engine::FlushAof() {
  if (aof_.buf.empty()) return;
  if (aof_.manifest.incr.empty() || !AofAppendFile(aof_.manifest.incr.back().name, aof_.buf)) {
    aof_.last_write_ok = false;
    LogWarning("Error writing to the AOF file");
  } else {
    aof_.last_write_ok = true;
    aof_.current_size += static_cast<int64_t>(aof_.buf.size());
    aof_.last_incr_size += static_cast<int64_t>(aof_.buf.size());
  }
  aof_.buf.clear();
}

bool Engine::ApplyAppendonly() {
  if (aof_.enabled && aof_.state == AofState::kOff) return StartAppendOnly();
  if (!aof_.enabled && aof_.state != AofState::kOff) StopAppendOnly();
  return true;
}

bool Engine::StartAppendOnly() {
  aof_.state = AofState::kWaitRewrite;
  if (in_exec()) {
    aof_.rewrite_scheduled = true;
    LogWarning(
        "AOF was enabled during a transaction. An AOF background was scheduled to start when "
        "possible.");
  } else if (!RewriteAof()) {
    aof_.state = AofState::kOff;
    LogWarning(
        "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. "
        "Check the above logs for more info about the error.");
    return false;
  }
  // The last write error is forgotten when the AOF is opened again.
  aof_.last_write_ok = true;
  return true;
}

void Engine::StopAppendOnly() {
  FlushAof();
  aof_.selected_db = -1;
  aof_.state = AofState::kOff;
  aof_.rewrite_scheduled = false;
  aof_.last_incr_size = 0;
  aof_.buf.clear();
}

bool Engine::RewriteAof() {
  auto failed = [&](const std::string& why) {
    LogWarning(why);
    aof_.lastbgrewrite_ok = false;
    ++aof_.consecutive_failures;
    return false;
  };
  if (!AofMakeDir()) {
    LogWarning(absl::StrCat("Can't open or create append-only dir ", kAofDirname));
    aof_.lastbgrewrite_ok = false;
    return false;
  }
  // The next op gets a SELECT; what is buffered goes to the old incr file.
  aof_.selected_db = -1;
  FlushAof();
  // openNewIncrAofForAppend: with the AOF on, a new incr file (the manifest
  // saved with it) takes the writes from now on.
  if (aof_.state == AofState::kOn) {
    AofManifest temp = aof_.manifest;
    const std::string name = NewIncrName(&temp);
    if (!AofWriteFile(name, "") || !PersistAofManifest(temp)) {
      aof_.lastbgrewrite_ok = false;
      return false;
    }
    aof_.manifest = std::move(temp);
    aof_.last_incr_size = 0;
  }
  ++aof_.rewrites;
  // The child's part: the base file, an RDB or commands.
  const std::string base =
      aof_.use_rdb_preamble ? RdbFileNow(/*aof_base=*/true) : AofRewriteCommands();
  // backgroundRewriteDoneHandler.
  AofManifest temp = aof_.manifest;
  const std::string base_name = NewBaseName(&temp, aof_.use_rdb_preamble);
  if (!AofWriteFile(base_name, base)) {
    return failed("Error trying to rename the temporary AOF base file");
  }
  if (aof_.state == AofState::kWaitRewrite) {
    const std::string incr_name = NewIncrName(&temp);
    if (!AofWriteFile(incr_name, "")) {
      AofRemoveFile(base_name);
      return failed("Error trying to rename the temporary AOF incr file");
    }
    aof_.last_incr_size = 0;
  }
  // markRewrittenIncrAofAsHistory: every incr file but the one being
  // written (when the AOF is on) is history now, newest first.
  const size_t keep = aof_.state != AofState::kOff && !temp.incr.empty() ? 1 : 0;
  while (temp.incr.size() > keep) {
    AofFile f = temp.incr.front();
    temp.incr.erase(temp.incr.begin());
    f.type = 'h';
    temp.history.insert(temp.history.begin(), f);
  }
  if (!PersistAofManifest(temp)) {
    AofRemoveFile(base_name);
    return failed("Error persisting the AOF manifest");
  }
  aof_.manifest = std::move(temp);
  if (aof_.state != AofState::kOff) {
    aof_.current_size = static_cast<int64_t>(base.size()) + aof_.last_incr_size;
    aof_.base_size = aof_.current_size;
  }
  // aofDelHistoryFiles.
  if (!aof_.manifest.history.empty()) {
    for (const AofFile& f : aof_.manifest.history) AofRemoveFile(f.name);
    aof_.manifest.history.clear();
    PersistAofManifest(aof_.manifest);
  }
  aof_.lastbgrewrite_ok = true;
  aof_.consecutive_failures = 0;
  aof_.rewrite_scheduled = false;
  aof_.rewrite_time_last = 0;
  if (aof_.state == AofState::kWaitRewrite) aof_.state = AofState::kOn;
  return true;
}

void Engine::BgRewriteAof(ReplyWriter& reply) {
  if (in_exec()) {
    aof_.rewrite_scheduled = true;
    aof_.consecutive_failures = 0;
    reply.Simple("Background append only file rewriting scheduled");
  } else if (RewriteAof()) {
    reply.Simple("Background append only file rewriting started");
  } else {
    reply.Error(
        "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
        "information.");
  }
}

void Engine::AofCron() {
  // A rewrite scheduled inside EXEC (BGREWRITEAOF, CONFIG SET appendonly).
  if (aof_.rewrite_scheduled && !in_exec()) {
    RewriteAof();
    return;
  }
  // The automatic rewrite: the AOF grew by auto-aof-rewrite-percentage
  // over its size after the last rewrite, and is past -min-size.
  if (aof_.state != AofState::kOn) return;
  const int64_t pct = KeptParamByName("auto-aof-rewrite-percentage");
  const int64_t min_size = KeptParamByName("auto-aof-rewrite-min-size");
  if (pct == 0 || aof_.current_size <= min_size) return;
  const int64_t base = aof_.base_size != 0 ? aof_.base_size : 1;
  const int64_t growth = (aof_.current_size * 100 / base) - 100;
  if (growth >= pct) {
    LogWarning(absl::StrCat("Starting automatic rewriting of AOF on ", growth, "% growth"));
    RewriteAof();
  }
}

// rewriteAppendOnlyFileRio: the commands that rebuild the dataset.
std::string Engine::AofRewriteCommands() const {
  std::string out;
  if (aof_.timestamp_enabled) absl::StrAppend(&out, "#TS:", now_ms() / 1000, "\r\n");
  if (functions_ != nullptr) {
    for (const auto& [name, lib] : functions_->libraries()) {
      CommandOf(&out, {"FUNCTION", "LOAD", lib.code});
    }
  }
  for (int d = 0; d < keyspace_.num_dbs(); ++d) {
    const Db& db = keyspace_.db(d);
    if (db.dict.size() == 0) continue;
    CommandOf(&out, {"SELECT", std::to_string(d)});
    for (const KeyEntry& entry : db.dict) {
      const std::string key(entry.key());
      const Object& o = entry.value;
      // Variadic commands of at most kItemsPerCmd items each.
      auto batched = [&](std::string_view cmd, size_t items, size_t per_item, auto&& each) {
        size_t left = items, count = 0;
        each([&](std::initializer_list<std::string_view> words) {
          if (count == 0) {
            const size_t n = left > kItemsPerCmd ? kItemsPerCmd : left;
            Header(&out, 2 + n * per_item);
            Bulk(&out, cmd);
            Bulk(&out, key);
          }
          for (std::string_view w : words) Bulk(&out, w);
          if (++count == kItemsPerCmd) count = 0;
          --left;
        });
      };
      switch (TypeOf(o)) {
        case ObjType::kString:
          CommandOf(&out, {"SET", key, As<std::string>(o)});
          break;
        case ObjType::kList: {
          const List& l = As<List>(o);
          batched("RPUSH", l.size(), 1, [&](auto&& emit) {
            for (const std::string& v : l) emit({v});
          });
          break;
        }
        case ObjType::kSet: {
          const Set& s = As<Set>(o);
          if (!o.hashtable()) {
            // An intset, in its order.
            std::vector<int64_t> ints;
            for (const std::string& m : s) ints.push_back(std::strtoll(m.c_str(), nullptr, 10));
            std::sort(ints.begin(), ints.end());
            batched("SADD", ints.size(), 1, [&](auto&& emit) {
              for (int64_t v : ints) emit({std::to_string(v)});
            });
          } else {
            batched("SADD", s.size(), 1, [&](auto&& emit) {
              for (const std::string& m : s) emit({m});
            });
          }
          break;
        }
        case ObjType::kZSet: {
          const ZSet& z = As<ZSet>(o);
          batched("ZADD", z.size(), 2, [&](auto&& emit) {
            for (const auto& e : z.index()) emit({Double17g(e.first), e.second});
          });
          break;
        }
        case ObjType::kHash: {
          const Hash& h = As<Hash>(o);
          batched("HMSET", h.size(), 2, [&](auto&& emit) {
            for (const auto& [f, v] : h) emit({f, v});
          });
          break;
        }
        case ObjType::kStream: {
          const Stream& s = As<Stream>(o);
          if (s.length() != 0) {
            for (const auto& [id, fields] : s.entries()) {
              Header(&out, 3 + fields.size());
              Bulk(&out, "XADD");
              Bulk(&out, key);
              Bulk(&out, id.ToString());
              for (const std::string& f : fields) Bulk(&out, f);
            }
          } else {
            // The XADD MAXLEN 0 trick: an empty stream.
            CommandOf(&out, {"XADD", key, "MAXLEN", "0", "0-1", "x", "y"});
          }
          CommandOf(&out,
                    {"XSETID", key, s.last_id.ToString(), "ENTRIESADDED",
                     std::to_string(s.entries_added), "MAXDELETEDID", s.max_deleted_id.ToString()});
          for (const auto& [gname, g] : s.groups) {
            CommandOf(&out, {"XGROUP", "CREATE", key, gname, g.last_id.ToString(), "ENTRIESREAD",
                             std::to_string(g.entries_read)});
            for (const auto& [cname, consumer] : g.consumers) {
              if (consumer.pel.empty()) {
                CommandOf(&out, {"XGROUP", "CREATECONSUMER", key, gname, cname});
                continue;
              }
              for (const StreamID& id : consumer.pel) {
                const StreamNack& nack = g.pel.at(id);
                CommandOf(&out, {"XCLAIM", key, gname, cname, "0", id.ToString(), "TIME",
                                 std::to_string(nack.delivery_time), "RETRYCOUNT",
                                 std::to_string(nack.delivery_count), "JUSTID", "FORCE"});
              }
            }
          }
          break;
        }
      }
      const int64_t when = keyspace_.GetExpire(d, key);
      if (when != -1) CommandOf(&out, {"PEXPIREAT", key, std::to_string(when)});
    }
  }
  return out;
}

std::string Engine::DebugLoadAof() {
  if (aof_.state != AofState::kOff) FlushAof();
  // emptyData(-1, EMPTYDB_NO_FLAGS): the functions go too.
  EmptyAllDbs();
  functions().Flush();
  // aofLoadManifestFromDisk: no manifest is no AOF.
  auto exits = [](const std::string& why) {
    return absl::StrCat("ERR DEBUG LOADAOF failed: ", why, " (redis-server 7.0.15 exits here)");
  };
  AofManifest m;
  std::string text;
  if (AofReadFile(absl::StrCat(kAofFilename, ".manifest"), &text) == 0) {
    if (std::string err = ParseManifest(text, &m); !err.empty()) return exits(err);
  }
  aof_.manifest = std::move(m);
  // aofDelHistoryFiles.
  if (!aof_.manifest.history.empty()) {
    for (const AofFile& f : aof_.manifest.history) AofRemoveFile(f.name);
    aof_.manifest.history.clear();
    PersistAofManifest(aof_.manifest);
  }
  // loadAppendOnlyFiles.
  if (!aof_.manifest.base && aof_.manifest.incr.empty()) return exits("there is no AOF");
  if (std::string why = LoadAofFiles(); !why.empty()) return exits(why);
  dirty_ = 0;
  LogWarning("Append Only File loaded by DEBUG LOADAOF");
  return "";
}

// loadAppendOnlyFiles over the manifest's base and incr files: "" or why
// it failed.
std::string Engine::LoadAofFiles() {
  std::vector<std::string> names;
  if (aof_.manifest.base) names.push_back(aof_.manifest.base->name);
  for (const AofFile& f : aof_.manifest.incr) names.push_back(f.name);
  int64_t total = 0, base_size = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string bytes;
    if (AofReadFile(names[i], &bytes) != 0) {
      return absl::StrCat("the AOF file ", names[i], " doesn't exist");
    }
    total += static_cast<int64_t>(bytes.size());
    if (i == 0 && aof_.manifest.base) base_size = static_cast<int64_t>(bytes.size());
  }
  if (total != 0) {
    aof_loading_ = true;
    keyspace_.set_loading(true);
    int ret = kAofOk;
    for (size_t i = 0; i < names.size(); ++i) {
      const bool last = i + 1 == names.size();
      ret = LoadAofFile(names[i]);
      if (ret == kAofEmpty) ret = kAofOk;
      if (ret == kAofTruncated && !last) {
        LogWarning("Fatal error: the truncated file is not the last file");
        ret = kAofFailed;
      }
      if (ret == kAofFailed || ret == kAofOpenErr) break;
    }
    keyspace_.set_loading(false);
    aof_loading_ = false;
    if (ret != kAofOk && ret != kAofTruncated) return "an AOF file does not load (see the log)";
    aof_.current_size = total;
    aof_.base_size = base_size;
  }
  return "";
}

// A server started with appendonly yes (main: aofLoadManifestFromDisk,
// loadDataFromDisk, aofOpenIfNeededOnServerStart, aofDelHistoryFiles): the
// AOF, not the RDB, is loaded; with none at all a base of the (empty)
// dataset is made, and the last incr file (a new one when there is none)
// takes the writes.
std::string Engine::StartFromAof() {
  aof_.enabled = true;
  AofManifest m;
  std::string text;
  if (AofReadFile(absl::StrCat(kAofFilename, ".manifest"), &text) == 0) {
    if (std::string err = ParseManifest(text, &m); !err.empty()) return err;
  }
  aof_.manifest = std::move(m);
  if (aof_.manifest.base || !aof_.manifest.incr.empty()) {
    if (std::string why = LoadAofFiles(); !why.empty()) return why;
    LogWarning("DB loaded from append only file");
  }
  if (!AofMakeDir()) return absl::StrCat("Can't open or create append-only dir ", kAofDirname);
  if (!aof_.manifest.base && aof_.manifest.incr.empty()) {
    // rewriteAppendOnlyFile (not counted as a rewrite).
    const std::string base_name = NewBaseName(&aof_.manifest, aof_.use_rdb_preamble);
    const std::string base =
        aof_.use_rdb_preamble ? RdbFileNow(/*aof_base=*/true) : AofRewriteCommands();
    if (!AofWriteFile(base_name, base)) {
      return absl::StrCat("Error trying to write the AOF base file ", base_name);
    }
    LogWarning(absl::StrCat("Creating AOF base file ", base_name, " on server start"));
  }
  // getLastIncrAofName, opened for appending.
  if (aof_.manifest.incr.empty()) NewIncrName(&aof_.manifest);
  const std::string last = aof_.manifest.incr.back().name;
  std::string incr;
  if (AofReadFile(last, &incr) != 0 && !AofWriteFile(last, "")) {
    return absl::StrCat("Can't open the append-only file ", last);
  }
  if (!PersistAofManifest(aof_.manifest)) return "Error persisting the AOF manifest";
  aof_.last_incr_size = static_cast<int64_t>(incr.size());
  // aofDelHistoryFiles.
  if (!aof_.manifest.history.empty()) {
    for (const AofFile& f : aof_.manifest.history) AofRemoveFile(f.name);
    aof_.manifest.history.clear();
    PersistAofManifest(aof_.manifest);
  }
  aof_.selected_db = -1;
  aof_.state = AofState::kOn;
  dirty_ = 0;
  return "";
}

// loadSingleAppendOnlyFile.
int Engine::LoadAofFile(const std::string& name) {
  std::string data;
  if (AofReadFile(name, &data) != 0) {
    LogWarning(absl::StrCat("The append log file ", name, " doesn't exist"));
    return kAofNotExist;
  }
  if (data.empty()) return kAofEmpty;
  // AOF off while loading: EXEC must not feed the file being read.
  const AofState old_state = aof_.state;
  aof_.state = AofState::kOff;
  // createAOFClient: a client (an ID spent) that never sees a reply.
  const int fs = OpenSession();
  --stats_.connections_received;
  const int outer_session = current_session_;
  current_session_ = fs;
  std::string sink;
  size_t pos = 0, valid_up_to = 0, valid_before_multi = 0;
  int ret = kAofOk;
  enum { kLoaded, kFmtErr, kEof, kFailed } how = kLoaded;
  if (data.size() >= 5 && data.compare(0, 5, "REDIS") == 0) {
    size_t consumed = 0;
    if (absl::Status st = LoadAofRdb(data, &consumed); !st.ok()) {
      LogWarning(absl::StrCat("Error reading the RDB base file ", name,
                              ", AOF loading aborted: ", st.message()));
      how = kFailed;
    } else {
      pos = consumed;
    }
  }
  while (how == kLoaded) {
    std::string_view line;
    if (!ReadLine(data, &pos, kAnnotationLineMax, &line)) break;
    if (line[0] == '#') continue;  // an annotation
    if (line[0] != '*') {
      how = kFmtErr;
      break;
    }
    if (line.size() == 1) {  // "*" and the end of the file
      how = kEof;
      break;
    }
    const int argc = std::atoi(std::string(line.substr(1)).c_str());
    if (argc < 1) {
      how = kFmtErr;
      break;
    }
    std::vector<std::string> argv;
    for (int j = 0; j < argc && how == kLoaded; ++j) {
      if (!ReadLine(data, &pos, kAnnotationLineMax, &line)) {
        how = kEof;
      } else if (line[0] != '$') {
        how = kFmtErr;
      } else {
        const auto len =
            static_cast<size_t>(std::strtol(std::string(line.substr(1)).c_str(), nullptr, 10));
        if (len != 0 && data.size() - pos < len) {
          how = kEof;
        } else {
          argv.emplace_back(data, pos, len);
          pos += len;
          // The CRLF after it, not checked.
          if (data.size() - pos < 2) {
            pos = data.size();
            how = kEof;
          } else {
            pos += 2;
          }
        }
      }
    }
    if (how != kLoaded) break;
    // lookupCommand: the command, and a container's subcommand.
    const CommandSpec* spec = FindCommand(argv[0]);
    if (spec != nullptr && IsEngineContainer(spec->name) && argv.size() >= 2 &&
        !EngineHasSubcommand(spec->name, argv[1])) {
      spec = nullptr;
    }
    if (spec == nullptr) {
      LogWarning(absl::StrCat("Unknown command '", std::string(CStr(argv[0])),
                              "' reading the append only file ", name));
      how = kFailed;
      break;
    }
    Session& s = *sessions_[fs];
    if (spec->name == "multi") valid_before_multi = valid_up_to;
    sink.clear();
    if (s.in_multi && spec->name != "exec") {
      // queueMultiCommand (no checks: this is the AOF).
      s.queued.emplace_back(argv.begin(), argv.end());
    } else if (spec->name == "multi") {
      s.in_multi = true;
    } else if (spec->name == "exec") {
      Exec(s, &sink);
    } else if (spec->name == "discard") {
      DiscardTransaction(s);
    } else if (spec->name == "watch") {
      Watch(s, argv, &sink);
    } else if (spec->name == "reset") {
      Reset(s);
    } else {
      Call(s, *spec, argv, {}, &sink);
    }
    // The AOF client never blocks (Redis asserts it).
    if (s.blocked()) {
      Unblock(fs);
      how = kFmtErr;
      break;
    }
    if (aof_.load_truncated) valid_up_to = pos;
  }
  // An unfinished MULTI at the end: cut off as a short tail.
  if (how == kLoaded && sessions_[fs]->in_multi) {
    LogWarning(absl::StrCat("Revert incomplete MULTI/EXEC transaction in AOF file ", name));
    valid_up_to = valid_before_multi;
    how = kEof;
  }
  switch (how) {
    case kLoaded:
      ret = kAofOk;
      break;
    case kFmtErr:
      LogWarning(absl::StrCat("Bad file format reading the append only file ", name,
                              ": make a backup of your AOF file, then use ./redis-check-aof --fix "
                              "<filename.manifest>"));
      ret = kAofFailed;
      break;
    case kFailed:
      ret = kAofFailed;
      break;
    case kEof:
      if (aof_.load_truncated) {
        LogWarning(
            absl::StrCat("!!! Warning: short read while loading the AOF file ", name, "!!!"));
        LogWarning(
            absl::StrCat("!!! Truncating the AOF ", name, " at offset ", valid_up_to, " !!!"));
        if (AofWriteFile(name, std::string_view(data).substr(0, valid_up_to))) {
          LogWarning(
              absl::StrCat("AOF ", name, " loaded anyway because aof-load-truncated is enabled"));
          ret = kAofTruncated;
          break;
        }
      }
      LogWarning(absl::StrCat("Unexpected end of file reading the append only file ", name));
      ret = kAofFailed;
      break;
  }
  aof_.state = old_state;
  current_session_ = outer_session;
  CloseSession(fs);
  return ret;
}

namespace {

void CmdBgrewriteaof(CommandContext& c) { c.engine.BgRewriteAof(c.reply); }

// admin noscript no-async-loading (7.0.15's facts; the engine models
// noscript).
constexpr CommandSpec kAofCommands[] = {
    {"bgrewriteaof", 1, kCmdNoScript, 0, 0, 0, CmdBgrewriteaof},
};

}  // namespace

std::span<const CommandSpec> AofCommands() { return kAofCommands; }

}  // namespace respfuzz::engine
