#include "src/engine/engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"

namespace respfuzz::engine {

namespace {

// Redis formats names and arguments with %.128s / %.*s: text stops at a NUL
// and at `max` bytes. (ReplyWriter::Error turns CR/LF into spaces.)
std::string CString(std::string_view s, size_t max) { return std::string(CStr(s).substr(0, max)); }

std::string UnknownCommandError(std::span<const std::string> argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    args += "'" + CString(argv[i], 128 - args.size()) + "' ";
  }
  return absl::StrCat("ERR unknown command '", CString(argv[0], 128),
                      "', with args beginning with: ", args);
}

}  // namespace

Engine::Engine(EngineOptions options)
    : options_(options), clock_(options.start_ms), keyspace_(options.num_dbs, &clock_) {
  keyspace_.AddListener([this](const KeyEvent& ev) { OnKeyEvent(ev); });
}

int Engine::OpenSession() {
  auto s = std::make_unique<Session>();
  s->id = next_client_id_++;
  s->open = true;
  for (size_t i = 0; i < sessions_.size(); ++i) {
    if (!sessions_[i]->open) {
      sessions_[i] = std::move(s);
      return static_cast<int>(i);
    }
  }
  sessions_.push_back(std::move(s));
  return static_cast<int>(sessions_.size() - 1);
}

void Engine::CloseSession(int session) {
  Session& s = *sessions_[session];
  Unwatch(s);
  s = Session{};
}

void Engine::Execute(int session, std::span<const std::string> argv, std::string* out) {
  Session& s = *sessions_[session];
  if (!s.open || argv.empty()) return;
  Dispatch(s, argv, out);
}

void Engine::Dispatch(Session& s, std::span<const std::string> argv, std::string* out) {
  ReplyWriter reply(s.protocol, out);
  const CommandSpec* spec = FindCommand(argv[0]);
  // Rejections before queueing flag the transaction (EXECABORT), as Redis's
  // processCommand does.
  auto reject = [&](const std::string& msg) {
    if (spec != nullptr && spec->name == "exec") {
      // A rejected EXEC aborts the transaction (in MULTI or not), quoting
      // the rejection without its "ERR " code.
      DiscardTransaction(s);
      reply.Error("EXECABORT Transaction discarded because of: " +
                  (msg.rfind("ERR ", 0) == 0 ? msg.substr(4) : msg));
      return;
    }
    if (s.in_multi) s.exec_abort = true;
    reply.Error(msg);
  };
  if (spec == nullptr) {
    reject(UnknownCommandError(argv));
    return;
  }
  if (spec->name == "client" && argv.size() >= 2) {
    // A container command: the subcommand is resolved before anything else.
    if (!IEquals(argv[1], "id")) {  // subcommands match whole, NULs included
      reject(UnknownSubcommandError(argv[0], argv[1]));
      return;
    }
    if (argv.size() != 2) {
      reject(ArityError("client|id"));
      return;
    }
  } else if (!ArityOk(*spec, argv.size())) {
    reject(ArityError(spec->name));
    return;
  }
  // MULTI, EXEC, DISCARD and WATCH act at once, even inside MULTI. (UNWATCH
  // is an ordinary command, queued like the others.)
  if ((spec->flags & kCmdTransaction) != 0) {
    const std::string_view name = spec->name;
    if (name == "multi") {
      if (s.in_multi) {
        reply.Error("ERR MULTI calls can not be nested");
        return;
      }
      s.in_multi = true;
      reply.Ok();
    } else if (name == "exec") {
      Exec(s, out);
    } else if (name == "discard") {
      if (!s.in_multi) {
        reply.Error("ERR DISCARD without MULTI");
        return;
      }
      DiscardTransaction(s);
      reply.Ok();
    } else {
      Watch(s, argv, out);
    }
    return;
  }
  if (s.in_multi) {
    s.queued.emplace_back(argv.begin(), argv.end());
    reply.Simple("QUEUED");
    return;
  }
  Call(s, *spec, argv, out);
}

void Engine::Call(Session& s, const CommandSpec& spec, std::span<const std::string> argv,
                  std::string* out) {
  ReplyWriter reply(s.protocol, out);
  CommandContext ctx{*this, keyspace_, s, spec, argv, reply, s.db, options_.max_string_len};
  spec.handler(ctx);
}

void Engine::Exec(Session& s, std::string* out) {
  ReplyWriter reply(s.protocol, out);
  if (!s.in_multi) {
    reply.Error("ERR EXEC without MULTI");
    return;
  }
  if (WatchedKeyExpired(s)) s.dirty_cas = true;
  if (s.exec_abort || s.dirty_cas) {
    if (s.exec_abort) {
      reply.Error("EXECABORT Transaction discarded because of previous errors.");
    } else {
      reply.NullArray();
    }
    DiscardTransaction(s);
    return;
  }
  // Unwatch first: the transaction's own writes must not dirty it.
  Unwatch(s);
  std::vector<std::vector<std::string>> queued = std::move(s.queued);
  s.queued.clear();
  s.in_multi = false;
  reply.ArrayHeader(static_cast<int64_t>(queued.size()));
  for (const auto& argv : queued) {
    // Queued commands passed the name and arity checks when queued.
    const CommandSpec* spec = FindCommand(argv[0]);
    Call(s, *spec, argv, out);
  }
  s.dirty_cas = false;
  s.exec_abort = false;
}

void Engine::DiscardTransaction(Session& s) {
  s.queued.clear();
  s.in_multi = false;
  s.exec_abort = false;
  s.dirty_cas = false;
  Unwatch(s);
}

void Engine::Watch(Session& s, std::span<const std::string> argv, std::string* out) {
  ReplyWriter reply(s.protocol, out);
  if (s.in_multi) {
    reply.Error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  // A session already dirtied will fail its EXEC anyway: Redis watches
  // nothing more (and a dirty session holds no watched keys).
  if (s.dirty_cas) {
    reply.Ok();
    return;
  }
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& key = argv[i];
    bool already = std::any_of(s.watched.begin(), s.watched.end(),
                               [&](const WatchedKey& w) { return w.db == s.db && w.key == key; });
    if (already) continue;
    s.watched.push_back(WatchedKey{s.db, key, keyspace_.IsExpired(s.db, key), next_watch_seq_++});
    ++watch_count_;
  }
  reply.Ok();
}

void Engine::Unwatch(Session& s) {
  watch_count_ -= s.watched.size();
  s.watched.clear();
}

bool Engine::WatchedKeyExpired(const Session& s) const {
  for (const WatchedKey& w : s.watched) {
    if (w.expired_at_watch) continue;
    if (keyspace_.IsExpired(w.db, w.key)) return true;
  }
  return false;
}

// Redis's touchWatchedKey and touchAllWatchedKeysInDb.
void Engine::OnKeyEvent(const KeyEvent& ev) {
  if (watch_count_ == 0) return;
  if (ev.kind == KeyEventKind::kFlushed || ev.kind == KeyEventKind::kSwapped) {
    for (auto& sp : sessions_) {
      Session& s = *sp;
      bool dirty = false;
      for (WatchedKey& w : s.watched) {
        if (w.db != ev.db) continue;
        const bool in_emptied = keyspace_.Peek(ev.db, w.key) != nullptr;
        const int other = ev.kind == KeyEventKind::kSwapped ? ev.other_db : -1;
        const bool in_other = other >= 0 && keyspace_.Peek(other, w.key) != nullptr;
        if (!in_emptied && !in_other) continue;
        if (w.expired_at_watch) {
          if (!in_other) {
            w.expired_at_watch = false;  // the expired key is gone: no logical change
            continue;
          }
          if (keyspace_.IsExpired(other, w.key)) continue;  // still expired
        } else if (!in_emptied && keyspace_.IsExpired(other, w.key)) {
          w.expired_at_watch = true;  // a missing key replaced by an expired one
          continue;
        }
        dirty = true;
      }
      if (dirty) s.dirty_cas = true;
    }
    return;
  }
  // One key: its watchers in WATCH order, as Redis keeps them per key.
  std::vector<std::pair<Session*, WatchedKey*>> watchers;
  for (auto& sp : sessions_) {
    for (WatchedKey& w : sp->watched) {
      if (w.db == ev.db && w.key == ev.key) watchers.emplace_back(sp.get(), &w);
    }
  }
  if (watchers.empty()) return;
  std::sort(watchers.begin(), watchers.end(),
            [](const auto& a, const auto& b) { return a.second->seq < b.second->seq; });
  std::vector<Session*> dirtied;
  for (auto& [s, w] : watchers) {
    if (w->expired_at_watch) {
      // Expired at WATCH time and now deleted: logically unchanged.
      if (keyspace_.Peek(ev.db, w->key) == nullptr) {
        w->expired_at_watch = false;
        continue;
      }
      // Redis 7.0.15 leaves the whole watcher list here (a `break`), so
      // later watchers of the key are not flagged either.
      break;
    }
    dirtied.push_back(s);
  }
  for (Session* s : dirtied) {
    s->dirty_cas = true;
    Unwatch(*s);  // a dirty client stops watching, as Redis does
  }
}

absl::Status Engine::Validate() const {
  std::string why = keyspace_.Check();
  if (!why.empty()) return absl::InternalError(why);
  size_t watched = 0;
  for (size_t i = 0; i < sessions_.size(); ++i) {
    const Session& s = *sessions_[i];
    const std::string who = absl::StrCat("session ", i, ": ");
    if (!s.open) {
      if (!s.watched.empty() || !s.queued.empty() || s.in_multi) {
        return absl::InternalError(who + "closed but holds transaction state");
      }
      continue;
    }
    if (s.db < 0 || s.db >= keyspace_.num_dbs()) {
      return absl::InternalError(who + "selected db out of range");
    }
    if (!s.in_multi && (!s.queued.empty() || s.exec_abort)) {
      return absl::InternalError(who + "queued commands outside MULTI");
    }
    for (size_t a = 0; a < s.watched.size(); ++a) {
      const WatchedKey& w = s.watched[a];
      if (w.db < 0 || w.db >= keyspace_.num_dbs()) {
        return absl::InternalError(who + "watched key in a db out of range");
      }
      for (size_t b = a + 1; b < s.watched.size(); ++b) {
        if (s.watched[b].db == w.db && s.watched[b].key == w.key) {
          return absl::InternalError(who + "key '" + w.key + "' watched twice");
        }
      }
    }
    watched += s.watched.size();
  }
  if (watched != watch_count_) {
    return absl::InternalError(
        absl::StrCat("watch count ", watch_count_, " but ", watched, " keys are watched"));
  }
  return absl::OkStatus();
}

}  // namespace respfuzz::engine
