// MIGRATE (Redis 7.0.15's cluster.c migrateCommand, with its socket cache):
// the keys go to another server as RESTORE commands over a blocking
// connection (the engine's NetHost), and are deleted here once the target
// acknowledged them, unless COPY. RESTORE-ASKING is RESTORE (cmd_dump.cc);
// outside a cluster the difference is only its ASKING flag.
#include <array>
#include <cerrno>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/notify.h"
#include "src/engine/rdb.h"
#include "src/resp/writer.h"

namespace respfuzz::engine {

namespace {

constexpr size_t kMigrateSocketCacheItems = 64;  // MIGRATE_SOCKET_CACHE_ITEMS
constexpr int64_t kMigrateSocketCacheTtlS = 10;  // MIGRATE_SOCKET_CACHE_TTL
constexpr size_t kWriteChunk = 64 * 1024;        // the query goes in 64K chunks
constexpr size_t kLineBuffer = 1024;             // char buf0[1024] and friends

// syncReadLine(conn, buf, 1024, timeout): bytes one by one up to a '\n',
// at most 1023 of them (a longer line is cut there, its rest read as the
// next line), a '\r' before the '\n' dropped from *line but counted in the
// length returned; -errno when a read failed.
int64_t SyncReadLine(NetHost& host, int conn, int64_t timeout_ms, std::string* line) {
  line->clear();
  int64_t nread = 0;
  for (size_t room = kLineBuffer - 1; room > 0; --room) {
    char ch;
    if (const int rc = host.SyncRead(conn, &ch, 1, timeout_ms); rc < 0) return rc;
    if (ch == '\n') {
      if (nread > 0 && line->back() == '\r') line->pop_back();
      return nread;
    }
    line->push_back(ch);
    ++nread;
  }
  return nread;
}

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
// [AUTH password | AUTH2 username password] [KEYS key [key ...]]
void CmdMigrate(CommandContext& c) {
  bool copy = false, replace = false;
  const std::string* username = nullptr;
  const std::string* password = nullptr;
  size_t first_key = 3, num_keys = 1;
  for (size_t j = 6; j < c.argc(); ++j) {
    const size_t moreargs = c.argc() - 1 - j;
    if (c.ArgIs(j, "copy")) {
      copy = true;
    } else if (c.ArgIs(j, "replace")) {
      replace = true;
    } else if (c.ArgIs(j, "auth")) {
      if (moreargs == 0) {
        c.reply.Error(kErrSyntax);
        return;
      }
      password = &c.arg(++j);
    } else if (c.ArgIs(j, "auth2")) {
      if (moreargs < 2) {
        c.reply.Error(kErrSyntax);
        return;
      }
      username = &c.arg(++j);
      password = &c.arg(++j);
    } else if (c.ArgIs(j, "keys")) {
      if (!c.arg(3).empty()) {
        c.reply.Error(
            "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
        return;
      }
      first_key = j + 1;
      num_keys = c.argc() - j - 1;
      break;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  int64_t timeout, dbid;
  if (!c.IntArg(5, &timeout) || !c.IntArg(4, &dbid)) return;
  if (timeout <= 0) timeout = 1000;

  // The keys that are here (lookupKeyRead); none at all is +NOKEY.
  // (lookupKeyRead in a write command: each lookup a keyspace hit or miss.)
  std::vector<const std::string*> kv;
  c.ks.set_count_reads(true);
  for (size_t j = 0; j < num_keys; ++j) {
    if (c.Find(c.arg(first_key + j)) != nullptr) kv.push_back(&c.arg(first_key + j));
  }
  c.ks.set_count_reads(false);
  if (kv.empty()) {
    c.reply.Simple("NOKEY");
    return;
  }

  Engine& e = c.engine;
  const std::string& host = c.arg(1);
  const std::string& port = c.arg(2);
  bool may_retry = true;
  for (;;) {  // try_again
    bool write_error = false;
    Engine::MigrateSocket* cs = e.MigrateGetSocket(c.reply, host, port, timeout);
    if (cs == nullptr) return;  // the connect error is replied
    NetHost& net = *e.net_host();
    const int conn = cs->conn;

    std::string cmd;
    if (password != nullptr) {
      resp::WriteAggregateHeader('*', username != nullptr ? 3 : 2, &cmd);
      resp::WriteBulk("AUTH", &cmd);
      if (username != nullptr) resp::WriteBulk(*username, &cmd);
      resp::WriteBulk(*password, &cmd);
    }
    const bool select = cs->last_dbid != dbid;
    if (select) {
      resp::WriteAggregateHeader('*', 2, &cmd);
      resp::WriteBulk("SELECT", &cmd);
      resp::WriteBulk(std::to_string(dbid), &cmd);
    }
    // The keys still alive now, each as RESTORE key ttl payload [REPLACE]
    // (a TTL in ms, at least 1; 0 for none).
    std::vector<const std::string*> alive;
    for (const std::string* key : kv) {
      const Object* o = c.ks.Peek(c.db, *key);
      if (o == nullptr) continue;
      int64_t ttl = 0;
      if (const int64_t at = c.ks.GetExpire(c.db, *key); at != -1) {
        ttl = at - c.now_ms();
        if (ttl < 0) continue;
        if (ttl < 1) ttl = 1;
      }
      alive.push_back(key);
      resp::WriteAggregateHeader('*', replace ? 5 : 4, &cmd);
      resp::WriteBulk("RESTORE", &cmd);
      resp::WriteBulk(*key, &cmd);
      resp::WriteBulk(std::to_string(ttl), &cmd);
      resp::WriteBulk(rdb::DumpPayload(*o, e.limits()), &cmd);
      if (replace) resp::WriteBulk("REPLACE", &cmd);
    }
    kv = alive;

    // The reads and their outcome; errno's part is `timed_out`.
    bool timed_out = false, socket_err = false;
    for (size_t pos = 0; pos < cmd.size(); pos += kWriteChunk) {
      const std::string_view chunk = std::string_view(cmd).substr(pos, kWriteChunk);
      if (const int rc = net.SyncWrite(conn, chunk, timeout); rc < 0) {
        timed_out = rc == -ETIMEDOUT;
        write_error = socket_err = true;
        break;
      }
    }
    std::string buf0, buf1, buf2;  // the AUTH, SELECT and RESTORE replies
    auto read_line = [&](std::string* line) {
      const int64_t n = SyncReadLine(net, conn, timeout, line);
      if (n < 0) timed_out = n == -ETIMEDOUT;
      return n > 0;
    };
    if (!socket_err && password != nullptr && !read_line(&buf0)) socket_err = true;
    if (!socket_err && select && !read_line(&buf1)) socket_err = true;

    bool argv_rewritten = false;
    if (!socket_err) {
      bool error_from_target = false, socket_error = false;
      std::vector<std::string> del = {"DEL"};
      size_t j = 0;
      for (; j < kv.size(); ++j) {
        if (!read_line(&buf2)) {
          socket_error = true;
          break;
        }
        const bool bad0 = password != nullptr && buf0.starts_with('-');
        const bool bad1 = select && buf1.starts_with('-');
        if (bad0 || bad1 || buf2.starts_with('-')) {
          if (!error_from_target) {
            // On an error the target's db is no longer known.
            cs->last_dbid = -1;
            std::string text = (bad0 ? buf0 : bad1 ? buf1 : buf2).substr(1);
            for (char& ch : text) {
              if (ch == '\r' || ch == '\n') ch = ' ';
            }
            error_from_target = true;
            c.reply.Error("ERR Target instance replied with error: " + text);
          }
        } else if (!copy) {
          // The key is the target's now: deleted here (dbDelete).
          const std::string& key = *kv[j];
          if (const Object* o = c.ks.Peek(c.db, key)) e.FreeValue(*o, e.lazyfree_lazy_server_del());
          c.ks.DeleteStored(c.db, key);
          c.Notify(kNotifyGeneric, "del", key);
          c.Dirty();
          del.push_back(key);
        }
      }
      // Nothing was processed and the first reply never came: the socket
      // was probably stale, so it is reopened once (but after a timeout).
      const bool retry = !error_from_target && socket_error && j == 0 && may_retry && !timed_out;
      if (!retry) {
        if (socket_error) e.MigrateCloseSocket(host, port);
        // The acknowledged keys go to replicas and the AOF as DEL.
        if (del.size() > 1) {
          c.PropagateAs(std::move(del));
          argv_rewritten = true;
        }
        if (!error_from_target && !socket_error) {
          cs->last_dbid = dbid;
          c.reply.Ok();
          return;
        }
        if (error_from_target) return;
        may_retry = false;
      }
      socket_err = true;
    }
    // socket_err: the cached socket is dropped (forcing SELECT next time)
    // and, unless the time ran out, the whole exchange is tried once more.
    if (!argv_rewritten) e.MigrateCloseSocket(host, port);
    if (!timed_out && may_retry) {
      may_retry = false;
      continue;
    }
    c.reply.Error(absl::StrCat("IOERR error or timeout ", write_error ? "writing" : "reading",
                               " to target instance"));
    return;
  }
}

// clang-format off
constexpr std::array<CommandSpec, 1> kCommands = {{
    {"migrate", -6, kCmdWrite | kCmdMovableKeys, 3, 3, 1, CmdMigrate},
}};
// clang-format on

}  // namespace

Engine::MigrateSocket* Engine::MigrateGetSocket(ReplyWriter& reply, const std::string& host,
                                                const std::string& port, int64_t timeout_ms) {
  const std::string name = host + ":" + port;
  const int64_t now_s = keyspace_.now_ms() / 1000;
  if (auto it = migrate_sockets_.find(name); it != migrate_sockets_.end()) {
    it->second.last_use_s = now_s;
    return &it->second;
  }
  if (migrate_sockets_.size() == kMigrateSocketCacheItems) {
    // Too many: one dropped at random (dictGetRandomKey).
    auto victim = std::next(migrate_sockets_.begin(),
                            static_cast<std::ptrdiff_t>(NextRandom() % migrate_sockets_.size()));
    net_host_->CloseConnection(victim->second.conn);
    migrate_sockets_.erase(victim);
  }
  const int port_number = Atoi(port);
  const int conn =
      net_host_ == nullptr ? -1 : net_host_->BlockingConnect(host, port_number, timeout_ms);
  if (conn < 0) {
    reply.Error("IOERR error or timeout connecting to the client");
    return nullptr;
  }
  MigrateSocket& cs = migrate_sockets_[name];
  cs = MigrateSocket{conn, -1, now_s};
  return &cs;
}

void Engine::MigrateCloseSocket(const std::string& host, const std::string& port) {
  auto it = migrate_sockets_.find(host + ":" + port);
  if (it == migrate_sockets_.end()) return;
  net_host_->CloseConnection(it->second.conn);
  migrate_sockets_.erase(it);
}

void Engine::MigrateCron() {
  const int64_t now_s = keyspace_.now_ms() / 1000;
  for (auto it = migrate_sockets_.begin(); it != migrate_sockets_.end();) {
    if (now_s - it->second.last_use_s > kMigrateSocketCacheTtlS) {
      net_host_->CloseConnection(it->second.conn);
      it = migrate_sockets_.erase(it);
    } else {
      ++it;
    }
  }
}

std::span<const CommandSpec> MigrateCommands() { return kCommands; }

}  // namespace respfuzz::engine
