// Replication, the master side: SYNC / PSYNC and the replication stream, as
// Redis 7.0.15's replication.c, server.c (call, alsoPropagate,
// propagatePendingCommands) and the commands' own propagation calls do it.
// tests/engine_replication_test.cc holds the streams recorded from
// redis-server 7.0.15; tests/serve_replication_test.sh compares `respfuzz
// serve` with it over sockets.
//
// SYNC (or PSYNC, which first answers +FULLRESYNC <replid> <offset>) makes
// the session a replica: it gets `$<len>\r\n` and the RDB file (no CRLF
// after it; the file is saved as BGSAVE saves it, so the dirty counter
// resets and dump.rdb is written under serve), and from then on the
// stream: every command that changed the dataset (server.dirty moved) or
// forced its propagation (FLUSHALL, FLUSHDB, PUBLISH), as the client sent
// it or as the command rewrote it (EXPIRE as PEXPIREAT, SET EX as SET PXAT,
// BLPOP as LPOP, SPOP as SREMs, INCRBYFLOAT as SET KEEPTTL, ...), each
// expired or evicted key as DEL (UNLINK under lazyfree-lazy-expire /
// -eviction), a SELECT before an op of a db other than the last one sent.
// The ops of one top-level command (a script's calls, EXEC's commands, a
// write that expired a key first) go out together after it, in MULTI / EXEC
// when there are more than one (not for RANDOMKEY and SCAN, which touch
// arbitrary keys, nor for the expire cycle and evictions). EVAL / FCALL are
// never sent themselves: their writes are. Every repl-ping-replica-period
// seconds the stream gets a `ping` (ReplicationCron, from serve's cron).
// Once a replica has connected, the stream is kept going (its offset
// counted) while the backlog lives, repl-backlog-ttl (3600 s) after the
// last replica left, as shouldPropagate keeps it.
//
// A replica that sends a command which answers anything is closed, its
// reply dropped (_addReplyToBufferOrList frees a replica that generated a
// reply); REPLCONF is not here, so a real replica's ACK closes it too.
//
// What the engine does not do: partial resynchronization (PSYNC always
// answers FULLRESYNC), REPLCONF (ACK offsets; a replica's offset stays 0),
// the diskless transfer (`$EOF:` needs REPLCONF capa eof), being a replica
// itself (REPLICAOF), WAIT's acknowledgements, and the consumer groups'
// rewrites (XREADGROUP's, XCLAIM's and XAUTOCLAIM's XCLAIM / XGROUP SETID):
// those go out as they were sent.
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/engine/command.h"
#include "src/engine/config_kept.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

// SYNC and PSYNC replicationid offset: syncCommand.
void CmdSync(CommandContext& c) {
  // Already a replica (a monitor is one too): ignored, no reply.
  if (c.session.replica || c.session.monitor) return;
  // PSYNC ... FAILOVER asks a replica to become the master.
  if (c.argc() > 3 && c.ArgIs(0, "psync") && c.ArgIs(3, "failover")) {
    c.reply.Error("ERR PSYNC FAILOVER can't be sent to a master.");
    return;
  }
  // SYNC needs a fresh output buffer: the replies it owes must go first.
  if (!c.session.output.empty() || c.session.unsent_elsewhere != 0) {
    c.reply.Error("ERR SYNC and PSYNC are invalid with pending output");
    return;
  }
  const bool psync = c.ArgIs(0, "psync");
  int64_t offset;  // PSYNC's offset is read even for the ID `?`
  if (psync && !c.IntArg(2, &offset)) return;
  const std::string err = c.engine.StartReplica(c.engine.SessionById(c.session.id), psync);
  if (!err.empty()) c.reply.Error(err);
}

// admin noscript no-async-loading no-multi (7.0.15's facts; the engine
// models noscript and no-multi).
constexpr std::array<CommandSpec, 2> kCommands = {{
    {"sync", 1, kCmdNoScript | kCmdNoMulti, 0, 0, 0, CmdSync},
    {"psync", -3, kCmdNoScript | kCmdNoMulti, 0, 0, 0, CmdSync},
}};

void AppendBulk(std::string* out, std::string_view s) {
  out->push_back('$');
  out->append(std::to_string(s.size()));
  out->append("\r\n");
  out->append(s);
  out->append("\r\n");
}

}  // namespace

std::span<const CommandSpec> ReplicationCommands() { return kCommands; }

void CommandContext::PropagateAs(std::initializer_list<std::string_view> argv) {
  if (!engine.propagating()) return;
  propagate_as.emplace(argv.begin(), argv.end());
}

void CommandContext::PropagateAs(std::vector<std::string> argv) {
  if (!engine.propagating()) return;
  propagate_as = std::move(argv);
}

void CommandContext::AlsoPropagate(std::initializer_list<std::string_view> argv) {
  if (!engine.propagating()) return;
  engine.AlsoPropagate(db, std::vector<std::string>(argv.begin(), argv.end()));
}

void Engine::AlsoPropagate(int db, std::vector<std::string> argv, int target) {
  if (!ShouldPropagate(target)) return;
  also_propagate_.push_back(PropOp{db, std::move(argv), target});
}

void Engine::PropagatePending(bool no_multi) {
  if (also_propagate_.empty()) {
    if (!deferred_ops_.empty()) {
      // Evictions a command made (CONFIG SET maxmemory): after its ops,
      // one by one, as Redis's eviction time event sends them.
      also_propagate_ = std::move(deferred_ops_);
      deferred_ops_.clear();
      PropagatePending(/*no_multi=*/true);
    }
    return;
  }
  std::vector<PropOp> ops = std::move(also_propagate_);
  also_propagate_.clear();
  // One op is atomic by itself; MULTI takes the first op's db (its SELECT
  // goes first), EXEC the last one's (no SELECT before it).
  const bool transaction = ops.size() > 1 && !no_multi;
  static const std::string kMulti[] = {"MULTI"};
  static const std::string kExec[] = {"EXEC"};
  constexpr int kBoth = kPropagateAof | kPropagateRepl;
  if (transaction) PropagateNow(ops.front().db, kMulti, kBoth);
  for (const PropOp& op : ops) PropagateNow(op.db, op.argv, op.target);
  if (transaction) PropagateNow(ops.back().db, kExec, kBoth);
  // beforeSleep's flushAppendOnlyFile: the AOF gets the ops at once.
  FlushAof();
  if (!deferred_ops_.empty()) PropagatePending();
}

void Engine::PropagateNow(int db, std::span<const std::string> argv, int target) {
  if (!ShouldPropagate(target)) return;
  if (aof_.state != AofState::kOff && (target & kPropagateAof) != 0) FeedAof(db, argv);
  if ((target & kPropagateRepl) != 0) FeedReplicas(db, argv);
}

// replicationFeedSlaves: SELECT when the db is not the stream's, then the
// op as a multibulk, to every replica (and counted in the offset, as the
// backlog counts it).
void Engine::FeedReplicas(int db, std::span<const std::string> argv) {
  if (!repl_backlog_ && replicas_.empty()) return;
  std::string bytes;
  if (db != repl_seldb_) {
    const std::string id = std::to_string(db);
    absl::StrAppend(&bytes, "*2\r\n");
    AppendBulk(&bytes, "SELECT");
    AppendBulk(&bytes, id);
    repl_seldb_ = db;
  }
  absl::StrAppend(&bytes, "*", argv.size(), "\r\n");
  for (const std::string& a : argv) AppendBulk(&bytes, a);
  repl_offset_ += static_cast<int64_t>(bytes.size());
  for (int r : replicas_) {
    Session& rs = *sessions_[r];
    if (!rs.open || rs.close_after_reply) continue;
    rs.output.append(bytes);
    if (r != current_session_ && !rs.notified) {
      rs.notified = true;
      notified_.push_back(r);
    }
  }
}

std::string Engine::StartReplica(int session, bool psync) {
  Session& s = *sessions_[session];
  // The backlog is made with the first replica, under a new replication
  // ID (changeReplicationId); it stays after the replicas are gone.
  if (!repl_backlog_) {
    repl_backlog_ = true;
    // changeReplicationId: 40 new hex digits (from the run ID's seed and
    // the offset, so that an engine run is repeatable).
    replid_ = HexId40(static_cast<uint64_t>(options_.start_ms) ^ 0x2545f4914f6cdd1dULL ^
                      static_cast<uint64_t>(repl_offset_));
    repl_backlog_first_byte_ = repl_offset_ + 1;
  }
  if (psync) absl::StrAppend(&s.output, "+FULLRESYNC ", master_replid(), " ", repl_offset_, "\r\n");
  // The BGSAVE for the replica (disk-based: a SYNC client cannot take the
  // diskless EOF format), then the file as a bulk without its CRLF.
  std::string file;
  if (!SaveRdb(&file)) return "ERR Unable to perform background save";
  absl::StrAppend(&s.output, "$", file.size(), "\r\n");
  s.output.append(file);
  s.replica = true;
  s.replica_since_ms = now_ms();
  replicas_.push_back(session);
  // replicationSetupSlaveForFullResync: force a SELECT before the next op.
  repl_seldb_ = -1;
  return "";
}

void Engine::RemoveReplica(int session) {
  Session& s = *sessions_[session];
  if (!s.replica) return;
  s.replica = false;
  std::erase(replicas_, session);
  if (replicas_.empty()) no_replicas_since_ms_ = now_ms();
}

// replicationCron runs once a second; on every repl-ping-replica-period-th
// run (counted from the start) with replicas, it feeds them a PING, in the
// db the stream is in (no SELECT for it).
void Engine::ReplicationCron() {
  const int64_t loops = (now_ms() - options_.start_ms) / 1000;
  if (loops == repl_cron_loops_) return;
  repl_cron_loops_ = loops;
  // The backlog without a replica for repl-backlog-ttl: freed, under a new
  // replication ID; nothing is propagated any more.
  if (replicas_.empty() && repl_backlog_ &&
      now_ms() - no_replicas_since_ms_ > kReplBacklogTtlSeconds * 1000) {
    repl_backlog_ = false;
    replid_ = HexId40(static_cast<uint64_t>(options_.start_ms) ^ 0x2545f4914f6cdd1dULL ^
                      static_cast<uint64_t>(repl_offset_) ^ 0xff);
    also_propagate_.clear();
    return;
  }
  if (replicas_.empty()) return;
  int64_t period = 10;
  for (size_t i = 0; i < KeptParams().size(); ++i) {
    if (KeptParams()[i].name == "repl-ping-replica-period") period = kept_param(i);
  }
  if (loops % period != 0) return;
  static const std::string kPing[] = {"ping"};  // shared.ping
  FeedReplicas(repl_seldb_, kPing);
}

}  // namespace respfuzz::engine
