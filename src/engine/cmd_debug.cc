// DEBUG, where enable-debug-command lets it run (Engine::DebugAllowed;
// elsewhere Dispatch refuses it first): debugCommand's subcommands (debug.c
// of Redis 7.0.15), matched in its order with their argument counts, each
// checked against redis-server 7.0.15 (tests/engine_test.cc, EngineDebug.*;
// docs/fidelity.md, "DEBUG").
//
//   LOG <msg>              a line in the server's log
//   RELOAD [MERGE|NOFLUSH|NOSAVE]...   save, empty, load back (persist.cc)
//   OBJECT <key>           the value's address, refcount, encoding, RDB
//                          length, LRU clock and idle time (a list's
//                          quicklist, as built by RPUSH: lazyfree.cc)
//   POPULATE <n> [prefix] [size]       n string keys prefix:j = value:j
//   DIGEST, DIGEST-VALUE   the dataset's and values' digests (digest.cc)
//   PROTOCOL <type>        one reply of each RESP3 type
//   SLEEP <seconds>        the server blocks (the BusyHost's clock)
//   SET-ACTIVE-EXPIRE <n>, QUICKLIST-PACKED-THRESHOLD <size>,
//   SET-DISABLE-DENY-SCRIPTS <n>, PAUSE-CRON <n>   the server's switches
//
// The other subcommands (crashes, AOF, allocator and encoding dumps,
// replication) are refused by name, not faked; a word that is none of
// 7.0.15's is addReplySubcommandSyntaxError's.
#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/config.h"
#include "src/engine/engine.h"
#include "src/engine/rdb.h"

namespace respfuzz::engine {

namespace {

void DebugProtocol(CommandContext& c) {
  ReplyWriter& w = c.reply;
  if (c.ArgIs(2, "string")) {
    w.Bulk("Hello World");
  } else if (c.ArgIs(2, "integer")) {
    w.Integer(12345);
  } else if (c.ArgIs(2, "double")) {
    w.Double(3.141);
  } else if (c.ArgIs(2, "bignum")) {
    // addReplyBigNum: a bulk string in RESP2.
    const std::string kBig = "1234567999999999999999999999999999999";
    if (w.resp3()) {
      w.buffer()->append("(" + kBig + "\r\n");
    } else {
      w.Bulk(kBig);
    }
  } else if (c.ArgIs(2, "null")) {
    w.Null();
  } else if (c.ArgIs(2, "array") || c.ArgIs(2, "set")) {
    if (c.ArgIs(2, "array")) {
      w.ArrayHeader(3);
    } else {
      w.SetHeader(3);
    }
    for (int j = 0; j < 3; ++j) w.Integer(j);
  } else if (c.ArgIs(2, "map")) {
    w.MapHeader(3);
    for (int j = 0; j < 3; ++j) {
      w.Integer(j);
      w.Bool(j == 1);
    }
  } else if (c.ArgIs(2, "attrib")) {
    // An attribute only in RESP3, then the reply it annotates.
    if (w.resp3()) {
      w.buffer()->append("|1\r\n");
      w.Bulk("key-popularity");
      w.ArrayHeader(2);
      w.Bulk("key:123");
      w.Integer(90);
    }
    w.Bulk("Some real reply following the attribute");
  } else if (c.ArgIs(2, "push")) {
    if (!w.resp3()) {
      w.Error("ERR RESP2 is not supported by this command");
      return;
    }
    // Written as a push (CLIENT_PUSHING): past CLIENT REPLY OFF / SKIP,
    // straight into the session's stream (inside EXEC's array too).
    ReplyWriter push(c.session.protocol, &c.session.output);
    push.buffer()->append(">2\r\n");
    push.Bulk("server-cpu-usage");
    push.Integer(42);
    w.Bulk("Some real reply following the push reply");
  } else if (c.ArgIs(2, "true") || c.ArgIs(2, "false")) {
    w.Bool(c.ArgIs(2, "true"));
  } else if (c.ArgIs(2, "verbatim")) {
    w.Verbatim("This is a verbatim\nstring", "txt");
  } else {
    w.Error(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

// DEBUG RELOAD's options, then Engine::DebugReload.
void DebugReload(CommandContext& c) {
  bool merge = false, flush = true, save = true;
  for (size_t j = 2; j < c.argc(); ++j) {
    if (c.ArgIs(j, "merge")) {
      merge = true;
    } else if (c.ArgIs(j, "noflush")) {
      flush = false;
    } else if (c.ArgIs(j, "nosave")) {
      save = false;
    } else {
      c.reply.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      return;
    }
  }
  const std::string error = c.engine.DebugReload(merge, flush, save);
  if (error.empty()) {
    c.reply.Ok();
  } else {
    c.reply.Error(error);
  }
}

// DEBUG OBJECT key: the key as stored (no expiry, no touch: dictFind).
void DebugObject(CommandContext& c) {
  const Object* o = c.ks.Peek(c.db, c.arg(2));
  if (o == nullptr) {
    c.reply.Error(kErrNoSuchKey);
    return;
  }
  std::string extra;
  const EncodingLimits& limits = c.engine.limits();
  if (TypeOf(*o) == ObjType::kList) {
    const List& list = As<List>(*o);
    const QuicklistShape q =
        QuicklistLayout(list, limits.list_max_listpack_size, limits.quicklist_packed_threshold);
    const int64_t fill = std::clamp<int64_t>(limits.list_max_listpack_size, -5, (1 << 15) - 1);
    char buf[160];
    std::snprintf(buf, sizeof(buf),
                  " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%" PRId64
                  " ql_compressed:%d ql_uncompressed_size:%zu",
                  q.nodes, static_cast<double>(list.size()) / static_cast<double>(q.nodes), fill,
                  limits.list_compress_depth != 0 ? 1 : 0, q.bytes);
    extra = buf;
  }
  // rdbSavedObjectLen: the value as rdbSaveObject writes it (no type byte).
  std::string saved;
  rdb::AppendObject(&saved, *o, limits);
  char head[256];
  std::snprintf(head, sizeof(head),
                "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u "
                "lru_seconds_idle:%" PRId64,
                static_cast<const void*>(o), static_cast<int>(RefCount(*o)),
                std::string(EncodingName(*o)).c_str(), saved.size() - 1, o->lru(),
                IdleSeconds(*o, c.now_ms()));
  c.reply.Simple(std::string(head) + extra);
}

// DEBUG POPULATE count [prefix] [size]: keys prefix:j (snprintf into 128
// bytes) that do not exist get value:j (size: that many bytes, NUL-padded
// or cut), added as dbAdd and signalModifiedKey do: the "new" keyspace
// event (KeyAdded), no other, no dirty count. A count above
// EngineOptions::max_debug_populate, or a size above proto-max-bulk-len,
// is refused (Redis has no bounds).
void DebugPopulate(CommandContext& c) {
  int64_t keys = 0, valsize = 0;
  if (!c.RangeArg(2, 0, INT64_MAX, &keys, kErrNotPositive)) return;
  if (c.argc() == 5 && !c.RangeArg(4, 0, INT64_MAX, &valsize, kErrNotPositive)) return;
  const int64_t cap = c.engine.options().max_debug_populate;
  if (keys > cap) {
    c.reply.Error("ERR DEBUG POPULATE count " + std::to_string(keys) +
                  " is above respfuzz's cap of " + std::to_string(cap));
    return;
  }
  if (valsize > c.max_string_len) {
    c.reply.Error(kErrStringTooLong);
    return;
  }
  const std::string prefix(c.argc() == 3 ? std::string("key") : std::string(CStr(c.arg(3))));
  for (int64_t j = 0; j < keys; ++j) {
    std::string key = prefix + ":" + std::to_string(j);
    if (key.size() > 127) key.resize(127);
    if (c.Find(key) != nullptr) continue;  // lookupKeyWrite
    std::string value = "value:" + std::to_string(j);
    if (valsize != 0) value.resize(static_cast<size_t>(valsize), '\0');
    Object o(std::move(value));
    o.set_str_enc(StrEnc::kPlain);  // createStringObject
    c.ks.AddQuietly(c.db, key, std::move(o));
    c.ks.Touched(c.db, key);
  }
  c.reply.Ok();
}

void CmdDebug(CommandContext& c) {
  auto syntax_error = [&] {
    c.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(CStr(c.arg(1)).substr(0, 128)) + "'. Try DEBUG HELP.");
  };
  const size_t argc = c.argc();
  if (c.ArgIs(1, "log") && argc == 3) {
    c.engine.LogWarning("DEBUG LOG: " + std::string(CStr(c.arg(2))));
    c.reply.Ok();
  } else if (c.ArgIs(1, "reload")) {
    DebugReload(c);
  } else if (c.ArgIs(1, "object") && argc == 3) {
    DebugObject(c);
  } else if (c.ArgIs(1, "populate") && argc >= 3 && argc <= 5) {
    DebugPopulate(c);
  } else if (c.ArgIs(1, "digest") && argc == 2) {
    c.reply.Simple(DatasetDigestHex(c.ks));
  } else if (c.ArgIs(1, "digest-value") && argc >= 2) {
    // Each key's value digest in the session's db, 40 zeros for a missing key.
    c.reply.ArrayHeader(static_cast<int64_t>(argc) - 2);
    for (size_t j = 2; j < argc; ++j) c.reply.Simple(ValueDigestHex(c.ks, c.db, c.arg(j)));
  } else if (c.ArgIs(1, "protocol") && argc == 3) {
    DebugProtocol(c);
  } else if (c.ArgIs(1, "sleep") && argc == 3) {
    // strtod of the C string, in microseconds as a long long; at most
    // kMaxDebugSleepSeconds here (Redis has no bound).
    const double seconds = std::strtod(std::string(CStr(c.arg(2))).c_str(), nullptr);
    if (seconds > Engine::kMaxDebugSleepSeconds) {
      c.reply.Error("ERR DEBUG SLEEP above respfuzz's cap of " +
                    std::to_string(Engine::kMaxDebugSleepSeconds) + " seconds");
      return;
    }
    const auto us = static_cast<int64_t>(seconds * 1000000);
    if (c.engine.busy_host() != nullptr) c.engine.busy_host()->SleepMicros(us);
    c.engine.AddSleptMicros(us);  // the call's duration (the slow log)
    c.reply.Ok();
  } else if (c.ArgIs(1, "set-active-expire") && argc == 3) {
    c.engine.set_active_expire_enabled(Atoi(c.arg(2)) != 0);
    c.reply.Ok();
  } else if (c.ArgIs(1, "quicklist-packed-threshold") && argc == 3) {
    // memtoull, then quicklistisSetPackedThreshold: at most 4 GiB - 1 MiB;
    // 0 restores the default.
    uint64_t size = 0;
    if (!MemToULL(c.arg(2), &size) || size > (uint64_t{1} << 32) - (1 << 20)) {
      c.reply.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
      return;
    }
    c.engine.set_quicklist_packed_threshold(size == 0 ? Engine::kDefaultPackedThreshold : size);
    c.reply.Ok();
  } else if (c.ArgIs(1, "set-disable-deny-scripts") && argc == 3) {
    c.engine.set_script_deny_disabled(Atoi(c.arg(2)) != 0);
    c.reply.Ok();
  } else if (c.ArgIs(1, "loadaof")) {
    // aof.cc: the dataset from the AOF files.
    if (std::string err = c.engine.DebugLoadAof(); !err.empty()) {
      c.reply.Error(err);
      return;
    }
    c.reply.Ok();
  } else if (c.ArgIs(1, "replybuffer") && argc == 4) {
    // The reply buffers' resizing (Engine::ClientsCron).
    if (c.ArgIs(2, "peak-reset-time")) {
      int64_t ms = -1;
      if (c.ArgIs(3, "reset")) {
        ms = 5000;  // REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME
      } else if (!c.ArgIs(3, "never") && !c.IntArg(3, &ms)) {
        return;
      }
      c.engine.set_reply_buffer_peak_reset_time(ms);
    } else if (c.ArgIs(2, "resizing")) {
      c.engine.set_reply_buffer_resizing(Atoi(c.arg(3)) != 0);
    } else {
      syntax_error();
      return;
    }
    c.reply.Ok();
  } else if (c.ArgIs(1, "pause-cron") && argc == 3) {
    c.engine.set_cron_paused(Atoi(c.arg(2)) != 0);
    c.reply.Ok();
  } else {
    // 7.0.15's other subcommands, by name (debugCommand's chain; HELP too).
    static constexpr std::string_view kOthers[] = {"help",
                                                   "segfault",
                                                   "panic",
                                                   "restart",
                                                   "crash-and-recover",
                                                   "oom",
                                                   "assert",
                                                   "leak",
                                                   "drop-cluster-packet-filter",
                                                   "sdslen",
                                                   "listpack",
                                                   "quicklist",
                                                   "set-skip-checksum-validation",
                                                   "aof-flush-sleep",
                                                   "replicate",
                                                   "error",
                                                   "structsize",
                                                   "htstats",
                                                   "htstats-key",
                                                   "change-repl-id",
                                                   "stringmatch-test",
                                                   "config-rewrite-force-all",
                                                   "client-eviction",
                                                   "mallctl",
                                                   "mallctl-str",
                                                   "clusterlink"};
    for (std::string_view name : kOthers) {
      if (c.ArgIs(1, name)) {
        c.reply.Error("ERR DEBUG " + absl::AsciiStrToUpper(std::string(name)) +
                      " is not implemented by respfuzz (see docs/fidelity.md, \"DEBUG\")");
        return;
      }
    }
    syntax_error();
  }
}

constexpr std::array<CommandSpec, 1> kCommands = {{
    {"debug", -2, kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, CmdDebug},
}};

}  // namespace

std::span<const CommandSpec> DebugCommands() { return kCommands; }

}  // namespace respfuzz::engine
