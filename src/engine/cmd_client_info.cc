// CLIENT SETNAME GETNAME INFO LIST: Redis 7.0.15's clientCommand and
// catClientInfoString (networking.c). The fields are the engine's true state
// where it has one (id, name, age and idle on the engine's clock, flags, db,
// sub, psub, ssub, multi, argv-mem, multi-mem, cmd, user, redir, resp; addr,
// laddr and fd as the server front end gave them); the query and reply
// buffers' sizes follow Redis's rules (query_buffer.h, Engine::ClientsCron);
// the other memory figures are estimates, as docs/fidelity.md ("CLIENT
// INFO") says.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

bool ValidClientName(std::string_view name) {
  for (unsigned char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

namespace {

// sizeof(robj*) per argument plus the arguments' bytes
// (multiState.argv_len_sums).
size_t QueuedMem(const std::vector<std::vector<std::string>>& queued) {
  size_t n = 0;
  for (const auto& argv : queued) {
    for (const std::string& a : argv) n += a.size() + sizeof(void*);
  }
  return n;
}

// A 7.0.15 client's tot-mem less its buffers and arguments (the client
// struct and its fixed parts): 17160 for a fresh client, with its 8-byte
// query buffer allocation and 16384-byte reply buffer (checked on
// redis-server 7.0.15).
constexpr size_t kClientBaseMem = 17160 - 8 - 16384;

std::string InfoString(const Engine& e, const Session& s) {
  const int64_t now_s = e.keyspace().now_ms() / 1000;
  std::string flags;
  const tracking::ClientTracking* t = e.tracker().Find(s.id);
  const uint32_t tf = t != nullptr ? t->flags : 0;
  const bool in_multi = s.in_multi || s.exec_count >= 0;
  if (s.monitor) flags += 'O';
  if (s.replica) flags += 'S';
  if (s.in_pubsub()) flags += 'P';
  if (in_multi) flags += 'x';
  if (s.blocked()) flags += 'b';
  if ((tf & tracking::kOn) != 0) flags += 't';
  if ((tf & tracking::kOn) != 0 && (tf & tracking::kBrokenRedir) != 0) flags += 'R';
  if ((tf & tracking::kOn) != 0 && (tf & tracking::kBcast) != 0) flags += 'B';
  if (s.dirty_cas) flags += 'd';
  if (s.close_after_reply) flags += 'c';
  if (s.no_evict) flags += 'e';
  if (flags.empty()) flags = "N";
  const int64_t multi = s.in_multi ? static_cast<int64_t>(s.queued.size()) : s.exec_count;
  const size_t multi_mem = s.in_multi ? QueuedMem(s.queued) : s.exec_multi_mem;
  // The query buffer's length and free room (query_buffer.h); tot-mem
  // counts its allocation and a pointer per argument (getClientMemoryUsage).
  const size_t qbuf = s.querybuf.len, qbuf_free = s.querybuf.alloc - s.querybuf.len;
  const int64_t idle_s = now_s - s.last_interaction_ms / 1000;
  const size_t tot_mem = kClientBaseMem + s.querybuf.mem + s.rb_usable + s.argv_mem +
                         sizeof(void*) * s.argv_count + multi_mem;
  return absl::StrCat("id=", s.id, " addr=", s.addr, " laddr=", s.laddr, " fd=", s.fd,
                      " name=", std::string(CStr(s.name)), " age=", now_s - s.ctime_ms / 1000,
                      " idle=", idle_s, " flags=", flags, " db=", s.db, " sub=", s.channels.size(),
                      " psub=", s.patterns.size(), " ssub=", s.shard_channels.size(),
                      " multi=", in_multi ? multi : -1, " qbuf=", qbuf, " qbuf-free=", qbuf_free,
                      " argv-mem=", s.argv_mem, " multi-mem=", multi_mem, " rbs=", s.rb_usable,
                      " rbp=", s.rb_peak, " obl=0 oll=0 omem=0 tot-mem=", tot_mem,
                      " events=r cmd=", s.lastcmd, " user=", s.user,
                      " redir=", (tf & tracking::kOn) != 0 ? t->redirect : -1,
                      " resp=", s.protocol == resp::Protocol::kResp3 ? 3 : 2);
}

// The open sessions in connection order (ids increase with it).
std::vector<const Session*> Clients(const Engine& e) {
  std::vector<const Session*> out;
  for (size_t i = 0; i < e.session_count(); ++i) {
    const Session& s = e.session(static_cast<int>(i));
    if (s.open) out.push_back(&s);
  }
  std::sort(out.begin(), out.end(),
            [](const Session* a, const Session* b) { return a->id < b->id; });
  return out;
}

void ClientList(CommandContext& c) {
  std::string o;
  if (c.argc() == 2) {
    for (const Session* s : Clients(c.engine)) absl::StrAppend(&o, InfoString(c.engine, *s), "\n");
  } else if (c.argc() == 4 && c.ArgIs(2, "type")) {
    // getClientTypeByName; a client here is a replica, pubsub or normal.
    int type;
    if (c.ArgIs(3, "normal")) {
      type = 0;
    } else if (c.ArgIs(3, "pubsub")) {
      type = 1;
    } else if (c.ArgIs(3, "slave") || c.ArgIs(3, "replica")) {
      type = 2;
    } else if (c.ArgIs(3, "master")) {
      type = 3;  // no client is one here
    } else {
      c.reply.Error("ERR Unknown client type '" + std::string(CStr(c.arg(3))) + "'");
      return;
    }
    for (const Session* s : Clients(c.engine)) {
      if (s->client_type() == type) {
        absl::StrAppend(&o, InfoString(c.engine, *s), "\n");
      }
    }
  } else if (c.argc() > 3 && c.ArgIs(2, "id")) {
    for (size_t j = 3; j < c.argc(); ++j) {
      int64_t id;
      if (!c.IntArg(j, &id, "ERR Invalid client ID")) return;
      const int h = id > 0 ? c.engine.SessionById(id) : -1;
      if (h >= 0 && c.engine.session(h).open) {
        absl::StrAppend(&o, InfoString(c.engine, c.engine.session(h)), "\n");
      }
    }
  } else {
    c.reply.Error(kErrSyntax);
    return;
  }
  c.reply.Verbatim(o, "txt");
}

}  // namespace

// catClientInfoString, for the ACL log (acl_log.cc).
std::string ClientInfoLine(const Engine& e, const Session& s) { return InfoString(e, s); }

void ClientIntrospection(CommandContext& c) {
  if (c.ArgIs(1, "setname")) {
    // clientSetNameOrReply: an empty name clears it.
    if (!ValidClientName(c.arg(2))) {
      c.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
      return;
    }
    c.session.name = c.arg(2);
    c.reply.Ok();
  } else if (c.ArgIs(1, "getname")) {
    if (c.session.name.empty()) {
      c.reply.Null();
    } else {
      c.reply.Bulk(c.session.name);
    }
  } else if (c.ArgIs(1, "info")) {
    c.reply.Verbatim(InfoString(c.engine, c.session) + "\n", "txt");
  } else {
    ClientList(c);
  }
}

}  // namespace respfuzz::engine
