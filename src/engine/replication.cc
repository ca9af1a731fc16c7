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
// reply). REPLCONF ACK answers nothing: it records the offset the replica
// acknowledged, which WAIT counts (a blocked WAIT asks the replicas with
// REPLCONF GETACK * at the end of the turn), so a real redis-server
// (REPLICAOF serve) follows the stream (tests/serve_replica_test.sh).
//
// What the engine does not do: partial resynchronization (PSYNC always
// answers FULLRESYNC), the diskless transfer (`$EOF:`), being a replica
// itself (REPLICAOF). The consumer groups' rewrites are in cmd_streams.cc,
// the AOF's part of propagateNow in aof.cc.
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/config_kept.h"
#include "src/engine/engine.h"
#include "src/resp/numbers.h"
#include "src/resp/request.h"
#include "src/resp/writer.h"

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

// REPLCONF <option> <value> ... (replconfCommand): what a replica tells
// its master. ACK and GETACK never answer (ACK counts only from a replica:
// its acknowledged offset, for WAIT, INFO and ROLE); the others answer +OK
// once every pair is read, or the first error.
void CmdReplconf(CommandContext& c) {
  if (c.argc() % 2 == 0) {
    c.reply.Error(kErrSyntax);
    return;
  }
  for (size_t j = 1; j < c.argc(); j += 2) {
    if (c.ArgIs(j, "listening-port")) {
      int64_t port;
      if (!c.IntArg(j + 1, &port)) return;
      c.session.listening_port = port;
    } else if (c.ArgIs(j, "ip-address")) {
      const std::string& addr = c.arg(j + 1);
      if (addr.size() >= 256) {  // NET_HOST_STR_LEN
        c.reply.Error(absl::StrCat(
            "ERR REPLCONF ip-address provided by replica instance is too long: ", addr.size(),
            " bytes"));
        return;
      }
      c.session.announced_ip = addr;
    } else if (c.ArgIs(j, "capa")) {
      // eof, psync2: noted by Redis; the engine always sends the file with
      // its length and always answers FULLRESYNC, which both allow.
    } else if (c.ArgIs(j, "ack")) {
      if (!c.session.replica) return;
      const std::optional<int64_t> offset = resp::ParseInt64(c.arg(j + 1));
      if (!offset) return;
      c.engine.ReplicaAck(c.session, *offset);
      return;  // no reply
    } else if (c.ArgIs(j, "getack")) {
      return;  // a master is asked nothing (no reply)
    } else if (c.ArgIs(j, "rdb-only")) {
      int64_t v;
      if (!c.RangeArg(j + 1, 0, 1, &v)) return;
    } else if (c.ArgIs(j, "rdb-filter-only")) {
      const std::optional<std::vector<std::string>> filters = resp::SplitInlineArgs(c.arg(j + 1));
      if (!filters) {
        c.reply.Error("ERR Missing rdb-filter-only values");
        return;
      }
      for (const std::string& f : *filters) {
        if (!IEquals(f, "functions")) {
          c.reply.Error("ERR Unsupported rdb-filter-only option: " + f);
          return;
        }
      }
    } else {
      c.reply.Error("ERR Unrecognized REPLCONF option: " + std::string(CStr(c.arg(j))));
      return;
    }
  }
  c.reply.Ok();
}

// admin noscript no-async-loading no-multi (7.0.15's facts; the engine
// models noscript and no-multi); REPLCONF: admin noscript loading stale
// allow_busy.
constexpr std::array<CommandSpec, 3> kCommands = {{
    {"sync", 1, kCmdNoScript | kCmdNoMulti, 0, 0, 0, CmdSync},
    {"psync", -3, kCmdNoScript | kCmdNoMulti, 0, 0, 0, CmdSync},
    {"replconf", -1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdAllowBusy, 0, 0, 0, CmdReplconf},
}};

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
    resp::WriteAggregateHeader('*', 2, &bytes);
    resp::WriteBulk("SELECT", &bytes);
    resp::WriteBulk(id, &bytes);
    repl_seldb_ = db;
  }
  resp::WriteAggregateHeader('*', static_cast<int64_t>(argv.size()), &bytes);
  for (const std::string& a : argv) resp::WriteBulk(a, &bytes);
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
  s.replica_since_ms = now_ms();  // syncCommand: repl_ack_time
  s.repl_ack_off = 0;
  replicas_.push_back(session);
  // replicationSetupSlaveForFullResync: force a SELECT before the next op.
  repl_seldb_ = -1;
  return "";
}

void Engine::ReplicaAck(Session& s, int64_t offset) {
  if (offset > s.repl_ack_off) s.repl_ack_off = offset;
  s.replica_since_ms = now_ms();
  ProcessClientsWaitingReplicas();
}

int64_t Engine::CountAcksByOffset(int64_t offset) const {
  int64_t n = 0;
  for (int r : replicas_) {
    if (sessions_[r]->repl_ack_off >= offset) ++n;
  }
  return n;
}

void Engine::ProcessClientsWaitingReplicas() {
  if (get_ack_from_replicas_ && pause_type_ == PauseType::kOff) {
    // beforeSleep: one REPLCONF GETACK * for every WAIT of the turn; while
    // clients are paused it waits for the end of the pause.
    get_ack_from_replicas_ = false;
    static const std::string kGetack[] = {"REPLCONF", "GETACK", "*"};
    FeedReplicas(repl_seldb_, kGetack);
  }
  if (replicas_.empty()) return;
  int64_t last_offset = 0, last_numreplicas = 0;
  for (size_t i = 0; i < sessions_.size(); ++i) {
    Session& w = *sessions_[i];
    if (!w.open || w.postponed || w.block.type != BlockType::kWait) continue;
    int64_t n;
    if (last_offset != 0 && last_offset >= w.block.wait_offset &&
        last_numreplicas >= w.block.wait_numreplicas) {
      n = last_numreplicas;
    } else {
      n = CountAcksByOffset(w.block.wait_offset);
      if (n < w.block.wait_numreplicas) continue;
      last_offset = w.block.wait_offset;
      last_numreplicas = n;
    }
    std::string dropped;
    ReplyWriter reply(w.protocol, BlockedReplyBuffer(w, &dropped));
    reply.Integer(n);
    Unblock(static_cast<int>(i));
    NoteUnblocked(static_cast<int>(i));
  }
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
  if (loops % KeptParamByName("repl-ping-replica-period") != 0) return;
  static const std::string kPing[] = {"ping"};  // shared.ping
  FeedReplicas(repl_seldb_, kPing);
}

}  // namespace respfuzz::engine
