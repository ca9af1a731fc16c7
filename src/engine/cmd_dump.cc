// DUMP, RESTORE and RESTORE-ASKING (Redis 7.0.15's cluster.c; outside a
// cluster RESTORE-ASKING is RESTORE); the payload format is rdb.cc's.
#include <array>
#include <string>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/notify.h"
#include "src/engine/rdb.h"

namespace respfuzz::engine {

namespace {

// DUMP key: the payload, or a null reply for a missing key.
void CmdDump(CommandContext& c) {
  const Object* o = c.Find(c.arg(1));
  if (o == nullptr) {
    c.reply.Null();
    return;
  }
  c.reply.Bulk(rdb::DumpPayload(*o, c.engine.limits()));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency]: the checks in restoreCommand's order.
void CmdRestore(CommandContext& c) {
  int64_t lfu_freq = -1, lru_idle = -1;
  bool replace = false, absttl = false;
  for (size_t j = 4; j < c.argc(); ++j) {
    const size_t additional = c.argc() - j - 1;
    if (c.ArgIs(j, "replace")) {
      replace = true;
    } else if (c.ArgIs(j, "absttl")) {
      absttl = true;
    } else if (c.ArgIs(j, "idletime") && additional >= 1 && lfu_freq == -1) {
      if (!c.IntArg(j + 1, &lru_idle)) return;
      if (lru_idle < 0) {
        c.reply.Error("ERR Invalid IDLETIME value, must be >= 0");
        return;
      }
      ++j;
    } else if (c.ArgIs(j, "freq") && additional >= 1 && lru_idle == -1) {
      if (!c.IntArg(j + 1, &lfu_freq)) return;
      if (lfu_freq < 0 || lfu_freq > 255) {
        c.reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return;
      }
      ++j;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  const std::string& key = c.arg(1);
  if (!replace && c.Find(key) != nullptr) {
    c.reply.Error("BUSYKEY Target key name already exists.");
    return;
  }
  int64_t ttl;
  if (!c.IntArg(2, &ttl)) return;
  if (ttl < 0) {
    c.reply.Error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  const std::string& payload = c.arg(3);
  if (!rdb::VerifyPayload(payload)) {
    c.reply.Error("ERR DUMP payload version or checksum are wrong");
    return;
  }
  std::optional<Object> obj = rdb::LoadObject(payload, c.engine.limits());
  if (!obj) {
    c.reply.Error("ERR Bad data format");
    return;
  }
  const bool existed = replace && c.ks.Peek(c.db, key) != nullptr;
  // ttl += mstime() wraps as the server's two's complement arithmetic does.
  if (ttl != 0 && !absttl) {
    ttl = static_cast<int64_t>(static_cast<uint64_t>(ttl) + static_cast<uint64_t>(c.now_ms()));
  }
  if (ttl != 0 && ttl <= c.now_ms()) {  // checkAlreadyExpired
    if (existed) {
      c.ks.DeleteStored(c.db, key);
      c.PropagateAs({"DEL", key});
      c.Notify(kNotifyGeneric, "del", key);
      c.Dirty();
    }
    c.reply.Ok();
    return;
  }
  // A relative TTL goes to replicas as the absolute time, ABSTTL appended.
  if (ttl != 0 && !absttl && c.engine.propagating()) {
    std::vector<std::string> as(c.argv.begin(), c.argv.end());
    as[2] = std::to_string(ttl);
    as.push_back("ABSTTL");
    c.PropagateAs(std::move(as));
  }
  if (existed) c.engine.NotifyKeyspaceEvent(kNotifyNew, "new", key, c.db);  // dbDelete + dbAdd
  Object& stored =
      c.ks.StoreWithExpire(c.db, key, std::move(*obj), ttl != 0 ? ttl : -1, Keyspace::Stamp::kNew);
  if (existed) c.engine.SignalKeyAsReady(c.db, key);
  // objectSetLRUOrLFU(obj, lfu_freq, lru_idle, LRU_CLOCK(), 1000).
  SetLruOrLfu(&stored, c.ks.lfu(), lfu_freq, lru_idle, LruClock(c.now_ms()), c.now_ms());
  c.Notify(kNotifyGeneric, "restore", key);
  c.Dirty();
  c.reply.Ok();
}

// clang-format off
constexpr std::array<CommandSpec, 3> kCommands = {{
    {"dump", 2, kCmdReadonly, 1, 1, 1, CmdDump},
    {"restore", -4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdRestore},
    {"restore-asking", -4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdRestore},
}};
// clang-format on

}  // namespace

std::span<const CommandSpec> DumpCommands() { return kCommands; }

}  // namespace respfuzz::engine
