// Connection commands: PING ECHO HELLO CLIENT ID SELECT UNWATCH. MULTI,
// EXEC, DISCARD and WATCH are in the table for their arity and flags but run
// in Engine::Dispatch, which owns transaction state.
#include <array>

#include "absl/strings/match.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

void CmdPing(CommandContext& c) {
  if (c.argc() > 2) {
    c.ReplyArityError();
  } else if (c.argc() == 1) {
    c.reply.Simple("PONG");
  } else {
    c.reply.Bulk(c.arg(1));
  }
}

void CmdEcho(CommandContext& c) { c.reply.Bulk(c.arg(1)); }

// Redis's client name rule: printable ASCII without spaces ('!' to '~').
bool ValidClientName(std::string_view name) {
  for (unsigned char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

void CmdHello(CommandContext& c) {
  int64_t ver = 0;
  size_t next = 1;
  if (c.argc() >= 2) {
    if (!c.IntArg(next++, &ver, "ERR Protocol version is not an integer or out of range")) return;
    if (ver < 2 || ver > 3) {
      c.reply.Error("NOPROTO unsupported protocol version");
      return;
    }
  }
  // Options take effect as they are read (Redis 7.0.15): a failed AUTH or
  // a bad name is reported before a later option's syntax error.
  const std::string* name = nullptr;
  for (size_t j = next; j < c.argc(); ++j) {
    const size_t more = c.argc() - 1 - j;
    if (OptEquals(c.arg(j), "auth") && more >= 2) {
      // The only user is "default" with no password: any password is accepted.
      if (c.arg(j + 1) != "default") {
        c.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
        return;
      }
      j += 2;
    } else if (OptEquals(c.arg(j), "setname") && more >= 1) {
      if (!ValidClientName(c.arg(j + 1))) {
        c.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
      name = &c.arg(j + 1);
      j += 1;
    } else {
      c.reply.Error("ERR Syntax error in HELLO option '" + ErrorText(c.arg(j)) + "'");
      return;
    }
  }
  if (name != nullptr) c.session.name = *name;
  if (ver != 0) c.session.protocol = static_cast<resp::Protocol>(ver);
  ReplyWriter r(c.session.protocol, c.reply.buffer());
  r.MapHeader(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk("7.0.15");
  r.Bulk("proto");
  r.Integer(static_cast<int>(c.session.protocol));
  r.Bulk("id");
  r.Integer(c.session.id);
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.ArrayHeader(0);
}

// Dispatch has already resolved the subcommand (only ID exists) and its arity.
void CmdClient(CommandContext& c) { c.reply.Integer(c.session.id); }

// UNWATCH (queued inside MULTI like any command; by then EXEC has unwatched).
void CmdUnwatch(CommandContext& c) {
  c.engine.Unwatch(c.session);
  c.session.dirty_cas = false;
  c.reply.Ok();
}

void CmdSelect(CommandContext& c) {
  int id;
  if (!c.Int32Arg(1, &id)) return;
  if (id < 0 || id >= c.ks.num_dbs()) {
    c.reply.Error(kErrDbIndex);
    return;
  }
  c.session.db = id;
  c.reply.Ok();
}

constexpr std::array<CommandSpec, 10> kCommands = {{
    {"multi", 1,
     kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdTransaction, 0, 0, 0,
     nullptr},
    {"exec", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog | kCmdTransaction, 0, 0, 0,
     nullptr},
    {"discard", 1,
     kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdTransaction, 0, 0, 0,
     nullptr},
    {"watch", -2,
     kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy | kCmdTransaction, 1, -1, 1,
     nullptr},
    {"unwatch", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy, 0, 0, 0,
     CmdUnwatch},
    {"ping", -1, kCmdFast, 0, 0, 0, CmdPing},
    {"echo", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdEcho},
    {"hello", -1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy, 0,
     0, 0, CmdHello},
    {"client", -2, 0, 0, 0, 0, CmdClient},
    {"select", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdSelect},
}};

}  // namespace

std::span<const CommandSpec> ConnectionCommands() { return kCommands; }

}  // namespace respfuzz::engine
