// engine::Engine: an in-memory keyspace with Redis 7.0 command semantics,
// shared by any number of sessions (clients), on a virtual clock.
//
//   Engine e;
//   int s = e.OpenSession();
//   std::string out;
//   e.Execute(s, {"SET", "k", "v"}, &out);   // out == "+OK\r\n"
//
// Replies are written in the session's protocol (RESP2 until HELLO 3).
//
// Output is a stream per session. Every session has an output buffer that
// holds, in order, the replies to its commands and the pushes it received
// (client-tracking invalidations, pub/sub messages). Run() appends a
// command's reply, and any own-key invalidations after it, to the session's
// buffer; pushes caused by a command land in the other sessions' buffers at
// once, between their replies. The caller drains buffers with TakeOutput()
// (or AppendOutput()); TakeNotified() names the sessions that received
// pushes since the last call, and EndTurn() ends an event-loop turn (BCAST
// invalidations go out then). Execute() is Run() plus draining the
// session's buffer into *out, for callers with one session at a time.
// CLIENT KILL closes other sessions at once (TakeKilled() lists them for
// the caller, which drops their connections); a session that kills itself
// is closed by the caller after its reply (close_after_reply).
#ifndef RESPFUZZ_ENGINE_ENGINE_H_
#define RESPFUZZ_ENGINE_ENGINE_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "src/engine/acl.h"
#include "src/engine/command.h"
#include "src/engine/config.h"
#include "src/engine/keyspace.h"
#include "src/engine/query_buffer.h"
#include "src/resp/value.h"
#include "src/tracking/tracker.h"

namespace respfuzz::script {
class EvalScripts;
class FunctionLibraries;
}  // namespace respfuzz::script

namespace respfuzz::engine {

struct EngineOptions {
  static constexpr int64_t kDefaultStartMs = 1'700'000'000'000;  // 2023-11-14
  static constexpr int64_t kDefaultMaxStringLen = 512ll * 1024 * 1024;
  static constexpr int kDefaultDbs = 16;

  int64_t start_ms = kDefaultStartMs;             // the virtual clock's start, unix ms
  int64_t max_string_len = kDefaultMaxStringLen;  // proto-max-bulk-len
  int num_dbs = kDefaultDbs;
  // The seed of the random choices commands make (SRANDMEMBER, SPOP,
  // ZRANDMEMBER, HRANDFIELD, RANDOMKEY): Engine::NextRandom.
  uint64_t random_seed = 0;
  // The most elements a negative count may ask of SRANDMEMBER, ZRANDMEMBER
  // or HRANDFIELD (draws with repeats): Redis has no such limit, a reply
  // here is bounded by it (docs/fidelity.md, "Random choices").
  static constexpr int64_t kDefaultMaxRandomRepeats = 100'000;
  int64_t max_random_repeats = kDefaultMaxRandomRepeats;
  // Lua VM instructions a script may run before it is stopped as SCRIPT
  // KILL stops it (src/script/lua_scripts.h); 0: no cap, as in Redis
  // (respfuzz serve, where SCRIPT KILL reaches a timed-out script).
  int64_t script_max_instructions = 20'000'000;
  // enable-debug-command (an immutable config): whether DEBUG runs, from
  // any session (kYes), from a local one only (kLocal: in-process, or a
  // peer at 127.0.0.1 or ::1, as islocalClient), or never (kNo, Redis's
  // default: the protected-command refusal).
  enum class ProtectedAction : uint8_t { kNo, kYes, kLocal };
  ProtectedAction enable_debug_command = ProtectedAction::kNo;
  // DEBUG POPULATE's count at most (Redis has no bound; a count above is
  // refused): what one command may add.
  int64_t max_debug_populate = int64_t{1} << 24;
};
// The names CONFIG GET prints for EngineOptions::ProtectedAction ("no",
// "yes", "local"); ParseProtectedAction reads them, case-insensitively.
std::string_view ProtectedActionName(EngineOptions::ProtectedAction a);
bool ParseProtectedAction(std::string_view text, EngineOptions::ProtectedAction* out);

// What a long-running script yields to (src/script/busy_script.cc): the
// server's clock and its event loop, as Redis's scriptInterrupt reads the
// monotonic clock and calls processEventsWhileBlocked. The server (or a
// test) implements it; an engine without one never times a script out.
class BusyHost {
 public:
  virtual ~BusyHost() = default;
  // A monotonic clock in ms: the server's clock seam (a simulated
  // transport's virtual clock under a harness), never a raw wall clock.
  virtual int64_t BusyClockMs() = 0;
  // Serve other clients once (accept, read, run, write) while the script of
  // session `running` has timed out; that session's connection is left
  // alone (Redis's protectClient). Their commands come back into
  // Engine::Run, where all but the allow-busy ones are refused with BUSY.
  // True: the server is stopping (SIGTERM), the script is stopped as if
  // killed (Redis exits on SHUTDOWN NOSAVE then).
  virtual bool ProcessEventsWhileBlocked(int running) = 0;
  // DEBUG SLEEP: the server does nothing for `us` microseconds (Redis's
  // nanosleep in the command). The socket transport sleeps; a simulated one
  // moves its clock. An engine without a host does not wait: its clock
  // only moves when its caller moves it.
  virtual void SleepMicros(int64_t us) { (void)us; }
  // The wall clock the server gives its engine (unix ms; the simulated
  // transport's under a harness), read again after a DEBUG SLEEP
  // (Engine::CatchUpSleep); -1: none.
  virtual int64_t WallClockMs() { return -1; }
  // The server's monotonic clock in ms, which a simulated transport moves
  // only between turns: the active expire cycle's duration (the
  // expire-cycle latency event); -1: none.
  virtual int64_t MonotonicMs() { return -1; }
};

// Persistence (persist.cc; docs/fidelity.md, "Persistence"): where the
// engine's RDB file goes and how SHUTDOWN stops the process. respfuzz
// serve implements it (the file in its working directory, written to a
// temporary file and renamed, as rdbSave does); an engine without one (the
// harnesses: no I/O) builds the file and discards it, and refuses SHUTDOWN.
class PersistHost {
 public:
  virtual ~PersistHost() = default;
  // Stores `rdb` as `filename` (dbfilename) in the working directory, all or
  // nothing; false when it could not (nothing half-written is left).
  virtual bool WriteRdb(std::string_view filename, std::string_view rdb) = 0;
  // SHUTDOWN: the server stops after this command (its listener and every
  // connection closed, the calling client's without a reply) and exits 0.
  virtual void RequestShutdown() = 0;
  // DEBUG RELOAD NOSAVE: the file `filename` of the working directory into
  // *out; false when there is none or it cannot be read.
  virtual bool ReadRdb(std::string_view filename, std::string* out) = 0;
  // serverLog(LL_WARNING, ...): one line for the server's log (DEBUG LOG,
  // DEBUG RELOAD).
  virtual void LogWarning(const std::string& line) { (void)line; }
  // The append-only file's directory and files (aof.cc), paths relative to
  // the working directory. WriteRdb and ReadRdb above write (all or
  // nothing) and read them too. MakeDir: the directory exists afterwards
  // (dirCreateIfMissing). AppendFile: `bytes` at the end of the file, which
  // is created when missing. RemoveFile: the file is gone (or never was).
  // False when the step failed; a host without files fails them all.
  virtual bool MakeDir(std::string_view path) {
    (void)path;
    return false;
  }
  virtual bool AppendFile(std::string_view path, std::string_view bytes) {
    (void)path;
    (void)bytes;
    return false;
  }
  virtual bool RemoveFile(std::string_view path) {
    (void)path;
    return false;
  }
};

// The listener (CONFIG SET port; config.c's updatePort). respfuzz serve
// implements it; an engine without one (the harnesses, which have no
// listener and no port parameter) refuses a new port.
class ListenHost {
 public:
  virtual ~ListenHost() = default;
  // Listens on `port` instead of the current port (0: on no TCP port, as
  // Redis's changeListenPort closes its listeners then); "" when done, else
  // the error CONFIG SET reports (the listener is left as it was).
  virtual std::string ChangeListenPort(int port) = 0;
};

// MIGRATE's connections to its target (migrate.cc; cluster.c's
// migrateGetSocket, connBlockingConnect, connSyncWrite and connSyncRead):
// blocking calls, each bounded by its timeout, as redis-server blocks in
// MIGRATE. respfuzz serve implements it with real sockets; an engine
// without one (the harnesses: no I/O) reaches no target, and MIGRATE
// answers as redis-server does when the target cannot be reached.
class NetHost {
 public:
  virtual ~NetHost() = default;
  // anetTcpNonBlockConnect to host:port, then a wait of up to timeout_ms
  // for the socket to be writable: a handle (>= 0), or -1 when no address
  // took the connect. As Redis 7.0.15's connSocketBlockingConnect, a wait
  // that runs out still gives the handle (what is written next then times
  // out).
  virtual int BlockingConnect(const std::string& host, int port, int64_t timeout_ms) = 0;
  // syncWrite: all of `bytes` within timeout_ms: 0, or -errno (-ETIMEDOUT
  // when the time ran out).
  virtual int SyncWrite(int conn, std::string_view bytes, int64_t timeout_ms) = 0;
  // syncRead: exactly `len` bytes into buf within timeout_ms: 0, or -errno
  // (-ETIMEDOUT; -ECONNRESET when the peer closed first).
  virtual int SyncRead(int conn, char* buf, size_t len, int64_t timeout_ms) = 0;
  virtual void CloseConnection(int conn) = 0;
};

// Memory accounting and eviction (memory.cc, evict.cc; docs/fidelity.md,
// "Memory accounting"). The maxmemory-policy values, in Redis's
// maxmemory_policy_enum order (config.h's EnumNames).
enum class MaxmemoryPolicy : uint8_t {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kNoeviction,
};
// The bytes a key and its value occupy by the engine's estimate (memory.cc
// states the formula), MEMORY USAGE's answer; and used_memory's baseline,
// which stands for what the engine does not count (the process's code,
// sessions, tables): 1 MiB.
inline constexpr uint64_t kKeyOverheadBytes = 81;
inline constexpr uint64_t kBaselineMemoryBytes = 1024 * 1024;
uint64_t KeyMemoryUsage(std::string_view key, const Object& o);

// Deliberately broken pieces, for the tests that prove a check can fail.
struct EngineBugs {
  // Evictions before a command run as if inside it: the running session's
  // own invalidations go out after its reply (redis issue 9116's bug).
  bool eviction_invalidation_after_reply = false;
  // DEBUG RELOAD empties the dataset without signalFlushedDb's tracking
  // part: no client is sent the flush invalidation, the table stays.
  bool reload_without_flush_invalidation = false;
  // CLIENT PAUSE WRITE lets PUBLISH run at once, as if only the commands
  // flagged write waited (7.0.15 postpones every may-replicate command).
  bool pause_write_runs_publish = false;
  // When a pause ends the postponed sessions run again newest first (7.0.15
  // unblocks them in the order they waited).
  bool pause_unblocks_newest_first = false;
};

struct WatchedKey {
  int db;
  std::string key;
  bool expired_at_watch;  // the key was logically expired when WATCH ran
};

// The three subscription spaces of pub/sub (pubsub.c).
enum class PubSubKind { kChannel, kPattern, kShard };
// What a session blocked by a blocking command waits for (Redis's
// c->bpop), see src/engine/blocking.cc.
// kWait: WAIT (BLOCKED_WAIT), on no key, until its timeout or CLIENT UNBLOCK.
enum class BlockType : uint8_t { kNone, kList, kZSet, kStream, kWait };
struct BlockState {
  BlockType type = BlockType::kNone;
  int db = 0;
  std::vector<std::string> keys;  // each once, in the command's order
  // Absolute unix ms, 0 for none. Kept as Redis computes it (a wrapping
  // add) and compared as Redis's timeout table does (unsigned).
  int64_t timeout_ms = 0;
  // The blocking command's arguments: serving replies and acts as it would
  // (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN, BZPOPMAX, BZMPOP).
  std::vector<std::string> argv;
  bool left = true;     // lists: pop from the head; sorted sets: pop the minimum
  bool to_left = true;  // BLMOVE: push to the head
  std::string target;   // BLMOVE / BRPOPLPUSH: the destination
  bool has_target = false;
  int64_t count = -1;  // BLMPOP / BZMPOP: COUNT; -1 for the single-pop commands
  // The blocking command ran under CLIENT REPLY SKIP: Redis keeps the flag
  // until the client is unblocked, so its eventual reply is dropped too.
  bool reply_skip = false;
  // XREAD / XREADGROUP (kStream): per key (keys' order) the ID the entries
  // must follow; the group, consumer and NOACK of XREADGROUP; `count` is
  // COUNT (1000 when not given).
  std::vector<StreamID> stream_ids;
  bool has_group = false;
  std::string group, consumer;
  bool noack = false;
  // WAIT (kWait): the offset to be acknowledged and by how many replicas.
  int64_t wait_offset = 0;
  int64_t wait_numreplicas = 0;
};

struct Session {
  int64_t id = 0;  // CLIENT ID
  bool open = false;
  resp::Protocol protocol = resp::Protocol::kResp2;
  int db = 0;
  bool in_multi = false;
  bool exec_abort = false;  // a command was rejected while queueing (EXECABORT)
  bool dirty_cas = false;   // a watched key was modified
  std::vector<std::vector<std::string>> queued;
  std::vector<WatchedKey> watched;
  std::string name;       // HELLO SETNAME
  bool no_evict = false;  // CLIENT NO-EVICT (the engine evicts no client either way)
  // The output stream: replies and pushes not yet taken by the caller.
  std::string output;
  bool notified = false;  // in the engine's notified list
  // CLIENT REPLY: OFF drops every reply until ON; SKIP drops the next
  // command's (Redis's CLIENT_REPLY_OFF, _SKIP, _SKIP_NEXT). Pushes (pub/sub
  // messages, subscription confirmations, invalidations) still go out.
  bool reply_off = false;
  bool reply_skip = false;
  bool reply_skip_next = false;
  bool close_after_reply = false;  // killed itself: no more commands, no more output
  // Subscriptions in subscription order: channels (SUBSCRIBE), patterns
  // (PSUBSCRIBE), shard channels (SSUBSCRIBE).
  std::vector<std::string> channels;
  std::vector<std::string> patterns;
  std::vector<std::string> shard_channels;
  // Redis's CLIENT_PUBSUB: subscribed to anything. A RESP2 client then runs
  // only the (P|S)(UN)SUBSCRIBE commands and PING.
  bool in_pubsub() const {
    return !channels.empty() || !patterns.empty() || !shard_channels.empty();
  }
  // Addresses as CLIENT KILL ADDR/LADDR compare them ("ip:port"); empty for
  // in-process sessions (no ADDR/LADDR filter matches them).
  std::string addr, laddr;
  // islocalClient: an in-process session, or (SetAddresses) a TCP peer at
  // 127.0.0.1 or ::1. enable-debug-command local lets only these run DEBUG.
  bool local = true;
  // Blocked by a blocking command: no reply yet, and the caller holds the
  // session's further commands until it is unblocked (Engine::TakeUnblocked).
  BlockState block;
  // CLIENT PAUSE (client_pause.cc): the command was postponed, not run. It
  // counts as blocked (INFO's blocked_clients, CLIENT LIST's b), and the
  // caller gives the same command again once TakeUnblocked() names the
  // session (Redis re-processes the client's pending command).
  bool postponed = false;
  bool blocked() const { return block.type != BlockType::kNone || postponed; }
  // CLIENT INFO / LIST (cmd_client_info.cc): creation and last command on
  // the engine's clock (ms); the last command's full name ("NULL" before the
  // first and after an unknown one, as c->lastcmd); the socket's fd (-1
  // in-process); while a command runs, its argument bytes (argv-mem) and
  // count; while EXEC runs its queue, the queue's length (else -1) and
  // argument bytes.
  int64_t ctime_ms = 0, last_interaction_ms = 0;
  // The reply buffer as Redis 7.0.15 sizes it (c->buf; CLIENT LIST's rbs
  // and rbp; Engine::ClientsCron): its usable size, the most bytes it held
  // since the peak's last reset, and when that was. createClient sets the
  // reset time to server.unixtime, in seconds, which clientsCron compares
  // with a time in ms: the first visit resets the peak.
  size_t rb_usable = 16384, rb_peak = 16384;
  int64_t rb_peak_reset_ms = 0;
  std::string lastcmd = "NULL";
  int fd = -1;
  size_t argv_mem = 0, argv_count = 0;
  // The query buffer as Redis 7.0.15 sizes it (query_buffer.h: CLIENT
  // LIST's qbuf and qbuf-free; RunCommand reads each command into it,
  // Engine::ClientsCron resizes it).
  QueryBuffer querybuf;
  int64_t exec_count = -1;
  size_t exec_multi_mem = 0;
  // ACL (acl.h, cmd_acl.cc): the user the session runs as (AUTH, HELLO
  // AUTH) and whether it authenticated (c->authenticated: at connection
  // time when the default user needs no password).
  std::string user = "default";
  bool authenticated = false;
  // MONITOR (monitor.cc): in the engine's monitors list (Redis's
  // CLIENT_MONITOR|CLIENT_SLAVE), until RESET or close.
  bool monitor = false;
  // SYNC / PSYNC (replication.cc): a replica (CLIENT_SLAVE), fed the
  // replication stream until it closes.
  bool replica = false;
  // When it last acknowledged (REPLCONF ACK; SYNC counts as one): INFO's
  // lag. What it acknowledged (repl_ack_off), the port and address it
  // announced (REPLCONF listening-port / ip-address): INFO, ROLE, WAIT.
  int64_t replica_since_ms = 0;
  int64_t repl_ack_off = 0;
  int64_t listening_port = 0;
  std::string announced_ip;
  // The stream's offset after this session's last command (c->woff: what
  // its WAIT waits for).
  int64_t woff = 0;
  // getClientType: 2 for a replica (a monitor is not one here), 1 for a
  // subscribed client, else 0 (CLIENT LIST / KILL TYPE).
  int client_type() const { return replica ? 2 : in_pubsub() ? 1 : 0; }
  // The bytes of earlier replies the server layer has not sent yet (SYNC
  // refuses a client with pending output).
  size_t unsent_elsewhere = 0;
};

// The peer's IP: `addr` before the last ':' ("::1:port" and "[::1]:port"
// both); islocalClient, INFO's and ROLE's replica lines read it.
inline std::string_view PeerIp(const Session& s) {
  return std::string_view(s.addr).substr(0, s.addr.rfind(':'));
}

// INFO's statistics (Redis's server.stat_* and per-command counters).
struct CommandStat {
  uint64_t calls = 0, failed = 0, rejected = 0;
  // The samples of its latency histogram (latency.cc): the calls made while
  // latency-tracking was on (a blocked command's when it was unblocked).
  // Redis creates the histogram at its first sample: none while 0.
  uint64_t latency_samples = 0;
};
struct EngineStats {
  uint64_t connections_received = 0;
  uint64_t commands_processed = 0;  // call()s, each command inside EXEC too
  uint64_t error_replies = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;       // evict.cc
  uint64_t lazyfreed_objects = 0;  // lazyfree.cc: the frees Redis would have made lazily
  uint64_t reply_buffer_shrinks = 0, reply_buffer_expands = 0;  // Engine::ClientsCron
  // By full name ("config|get"); a hash map looked up without allocating
  // (every command counts here). INFO sorts the names.
  StrMap<CommandStat> commands;
  std::map<std::string, uint64_t> errors;  // by error code ("ERR", "WRONGTYPE")
};

// What INFO reports about the process the engine runs in, given by a server
// (Engine::SetServerInfo); an engine alone (the harnesses) reports zeros.
struct ProcessSample {
  uint64_t used_memory = 0, used_memory_rss = 0;
  double cpu_sys = 0, cpu_user = 0;
};
struct ServerInfo {
  std::string os;
  int64_t process_id = 0;
  int tcp_port = 0;
  int64_t maxclients = 10000;
  std::string executable;
  std::function<ProcessSample()> sample;  // memory and CPU now
};

// 40 hex digits from a splitmix64 stream seeded with `seed`: the run ID and
// the replication ID (Redis draws them at random; here the same engine
// options give the same ones).
std::string HexId40(uint64_t seed);

class Engine {
  friend struct EngineTestPeer;  // tests break the free-slot heap to see Validate fail

 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Sessions get increasing client ids starting at 1; handles are reused
  // after CloseSession, ids never are.
  int OpenSession();
  void CloseSession(int session);
  const Session& session(int s) const { return *sessions_[s]; }
  // The server layer's unsent bytes of session `s` before its next command.
  void SetUnsent(int s, size_t bytes) { sessions_[s]->unsent_elsewhere = bytes; }
  size_t session_count() const { return sessions_.size(); }

  // Runs one command: its reply (and own invalidations after it) go to the
  // session's output buffer, pushes to other sessions to theirs.
  void Run(int session, std::span<const std::string> argv);
  // Run(), then moves the session's whole buffer to the end of *out.
  void Execute(int session, std::span<const std::string> argv, std::string* out);
  // Execute() for a caller that gives the arguments away (the server, whose
  // parser made them for this one command): a command may move
  // a value argument out of argv into the keyspace instead of copying it
  // (SET, SETNX, SETEX, PSETEX, GETSET, MSET, MSETNX). What is left in argv
  // afterwards is unspecified; replies and effects are Execute()'s.
  void ExecuteOwned(int session, std::span<std::string> argv, std::string* out);
  // The session's pending output, taken (the buffer is left empty).
  std::string TakeOutput(int session);
  void AppendOutput(int session, std::string* out);
  const std::string& PendingOutput(int session) const { return sessions_[session]->output; }
  // Sessions that received pushes since the last call (each once).
  std::vector<int> TakeNotified();
  // Sessions closed by another session's CLIENT KILL since the last call.
  std::vector<int> TakeKilled();
  // The end of an event-loop turn (beforeSleep): BCAST invalidations
  // collected during it are sent, one array per prefix; then the keys made
  // ready outside any command (a stream deleted by active expiry: its
  // XREADGROUP sessions are unblocked) are served.
  void EndTurn();
  // The server's cron: the tracking table is trimmed to
  // tracking-table-max-keys (also done before every command).
  void Cron();
  // CLIENT KILL ADDR / LADDR match these.
  // Also sets Session::local from the peer's address.
  void SetAddresses(int session, std::string addr, std::string laddr, int fd = -1);
  // A session that stands for a remote connection without an address (the
  // command_handler harness's s3 and s4): not local.
  void SetLocal(int session, bool local) { sessions_[session]->local = local; }
  // The session with CLIENT ID `id`, or -1.
  int SessionById(int64_t id) const;
  tracking::Tracker& tracker() { return tracker_; }
  const tracking::Tracker& tracker() const { return tracker_; }
  // Appends a push to a session's output (dropped after close_after_reply).
  void Push(int session, std::string_view bytes);
  // Closes session `s` from a command of another (CLIENT KILL).
  void Kill(int session);

  int64_t now_ms() const { return clock_.now_ms(); }
  // Moves the virtual clock, then times out the blocked sessions whose
  // timeout has passed (HandleTimeouts).
  void AdvanceClock(int64_t ms) {
    clock_.Advance(ms);
    HandleTimeouts();
  }

  // Blocking commands (src/engine/blocking.cc), as Redis 7.0.15's
  // blocked.c. A handler that would block calls Block() and writes no reply;
  // after the command (after EXEC's whole reply) the keys it made ready are
  // served, each key's blocked sessions in the order they blocked; a served
  // or timed-out session's reply lands in its output (TakeNotified names
  // it). Commands run for a blocked session are ignored: the caller holds
  // them until TakeUnblocked() names the session.
  void Block(Session& s, BlockState state);
  // Inside MULTI/EXEC a blocking command acts as a non-blocking one
  // (CLIENT_DENY_BLOCKING).
  bool DenyBlocking() const { return call_depth_ > 1; }
  // signalKeyAsReady: queues the key when sessions are blocked on it and its
  // value (if any) is of a type they wait for.
  void SignalKeyAsReady(int db, std::string_view key);
  // scanDatabaseForReadyKeys (SWAPDB): every blocked-on key of the db.
  void ScanDbForReadyKeys(int db);
  // Replies the timeout (a null array) to every blocked session whose
  // timeout is before now, and unblocks it.
  void HandleTimeouts();
  // The earliest timeout of a blocked session (unix ms), or -1: when a
  // server must next call HandleTimeouts.
  int64_t NextTimeoutMs() const;
  // CLIENT UNBLOCK: false when the session is not blocked.
  bool UnblockByClient(int session, bool with_error);
  // Sessions unblocked (served, timed out, CLIENT UNBLOCK) since the last call.
  std::vector<int> TakeUnblocked();
  size_t blocked_clients() const { return blocked_count_; }

  // CLIENT PAUSE / CLIENT UNPAUSE (src/engine/client_pause.cc), as Redis
  // 7.0.15's pauseClients for PAUSE_BY_CLIENT_COMMAND: while paused, a
  // command that may write (WRITE) or any command (ALL) is postponed at
  // processCommand's place for it (Session::postponed); keys are neither
  // expired nor evicted. The pause ends at its end time (on the virtual
  // clock, HandleTimeouts) or CLIENT UNPAUSE; the postponed sessions are
  // then unblocked in the order they were postponed.
  enum class PauseType : uint8_t { kOff, kWrite, kAll };  // Redis's order
  PauseType pause_type() const { return pause_type_; }
  int64_t pause_end_ms() const { return pause_end_ms_; }  // 0 when not paused
  void PauseClients(int64_t end_ms, PauseType type);
  void UnpauseClients();
  size_t postponed_clients() const { return postponed_.size(); }
  // Blocked sessions with a timeout (INFO's clients_in_timeout_table).
  size_t clients_in_timeout_table() const { return timeouts_.size(); }
  // Deletes every expired key of every db now, deterministically
  // (Keyspace::ExpireAllDue): the harnesses' and oracles' "active-expire"
  // op. Tracking clients are told as by any other deletion.
  size_t ExpireAllDue();
  // One call of Redis's active expiry cycle (Keyspace::ActiveExpireCycle):
  // samples keys with a TTL, bounded work per call. What `respfuzz serve`
  // runs every 100 ms. Tracking clients are told as by any other deletion.
  Keyspace::ExpireCycleStats ActiveExpireCycle();
  // DEBUG SET-ACTIVE-EXPIRE (server.active_expire_enabled): off, the cycle
  // above does nothing; lazy expiry and ExpireAllDue are not affected.
  bool active_expire_enabled() const { return active_expire_enabled_; }
  void set_active_expire_enabled(bool on) { active_expire_enabled_ = on; }
  // DEBUG PAUSE-CRON (server.pause_cron): on, the server's cron (active
  // expiry, the engine's Cron, idle trimming) does not run.
  bool cron_paused() const { return cron_paused_; }
  void set_cron_paused(bool on) { cron_paused_ = on; }
  // DEBUG REPLYBUFFER: the reply buffers' peak reset period (ms; -1:
  // never; 5000 by default) and whether the cron resizes them at all.
  void set_reply_buffer_peak_reset_time(int64_t ms) { reply_buffer_peak_reset_time_ = ms; }
  void set_reply_buffer_resizing(bool on) { reply_buffer_resizing_ = on; }
  // DEBUG SET-DISABLE-DENY-SCRIPTS (server.script_disable_deny_script).
  bool script_deny_disabled() const { return script_deny_disabled_; }
  void set_script_deny_disabled(bool on) { script_deny_disabled_ = on; }
  // DEBUG QUICKLIST-PACKED-THRESHOLD (quicklist.c's packed_threshold, 1 GiB
  // by default): an element this long or longer takes a plain quicklist
  // node of its own (EncodingLimits::quicklist_packed_threshold).
  static constexpr uint64_t kDefaultPackedThreshold = uint64_t{1} << 30;
  // DEBUG SLEEP's longest sleep (Redis has no bound; a longer one is refused).
  static constexpr int kMaxDebugSleepSeconds = 3600;
  uint64_t quicklist_packed_threshold() const { return limits_.quicklist_packed_threshold; }
  void set_quicklist_packed_threshold(uint64_t v) { limits_.quicklist_packed_threshold = v; }
  // DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (debug.c): save the RDB file
  // (unless NOSAVE), empty the dataset and the FUNCTION libraries as
  // emptyData does (unless NOFLUSH), then load the file back (MERGE: a key
  // or library already there is replaced). "" when done, else the error
  // reply (code included). Without a PersistHost the file is the one the
  // last save built, kept in memory (the harnesses' disk).
  std::string DebugReload(bool merge, bool flush, bool save);
  // emptyData(-1, ...)'s keyspace part, as FLUSHALL and DEBUG RELOAD run
  // it: signalFlushedDb (WATCH, the tracking flush invalidation), then every
  // db emptied. The caller counts dirty and frees lazily as its command does.
  void EmptyAllDbs() {
    tracker().InvalidateOnFlush();
    keyspace_.FlushAll();
  }
  // serverLog through the PersistHost (nothing without one).
  void LogWarning(const std::string& line) const {
    if (persist_host_ != nullptr) persist_host_->LogWarning(line);
  }
  BusyHost* busy_host() const { return busy_host_; }
  // processCommand's allowProtectedAction for DEBUG: enable-debug-command
  // yes, or local and the session local (Session::local).
  bool DebugAllowed(const Session& s) const;

  // The commands' random source: splitmix64 from EngineOptions::random_seed
  // (docs/fidelity.md, "Random choices"), so a program's choices are the same
  // on every run.
  uint64_t NextRandom();
  // ACL GENPASS's draws (cmd_acl.cc): a splitmix64 stream of their own.
  uint64_t NextGenpassRandom();
  // CONFIG's parameters (config.h): the encoding limits the commands read,
  // any engine parameter by id, and a server's own read-only ones (CONFIG
  // GET reports them; CONFIG SET accepts only their current value).
  const EncodingLimits& limits() const { return limits_; }
  int64_t GetParam(ParamId id) const;
  void SetParam(ParamId id, int64_t value);
  void SetServerParams(std::vector<std::pair<std::string, std::string>> params) {
    server_params_ = std::move(params);
  }
  void SetServerParam(size_t i, std::string value) { server_params_[i].second = std::move(value); }
  // The value of a server parameter by name ("" when the server has none).
  std::string_view ServerParam(std::string_view name) const;
  // Persistence (persist.cc). SetPersistHost: where SAVE's file goes (none:
  // discarded). The save points (CONFIG SET save, a server parameter):
  // (seconds, changes) pairs; with any, FLUSHALL saves (and so resets the
  // dirty counter) and SHUTDOWN saves unless NOSAVE.
  void SetPersistHost(PersistHost* host) { persist_host_ = host; }
  void SetListenHost(ListenHost* host) { listen_host_ = host; }
  // MIGRATE (migrate.cc): its target connections go through `host` (none:
  // no target is reachable). The cached connections (MIGRATE_SOCKET_CACHE:
  // at most 64, each closed by the cron after 10 s unused), counted by INFO's
  // migrate_cached_sockets.
  void SetNetHost(NetHost* host) { net_host_ = host; }
  NetHost* net_host() const { return net_host_; }
  size_t migrate_cached_sockets() const { return migrate_sockets_.size(); }
  struct MigrateSocket {
    int conn = -1;
    int64_t last_dbid = -1;
    int64_t last_use_s = 0;
  };
  // migrateGetSocket: the cached connection to host:port, or a new one
  // (nullptr after replying the connect error).
  MigrateSocket* MigrateGetSocket(ReplyWriter& reply, const std::string& host,
                                  const std::string& port, int64_t timeout_ms);
  void MigrateCloseSocket(const std::string& host, const std::string& port);
  bool lazyfree_lazy_server_del() const { return lazyfree_lazy_server_del_; }
  ListenHost* listen_host() const { return listen_host_; }
  void SetSavePoints(std::vector<std::pair<int64_t, int>> points) {
    save_points_ = std::move(points);
  }
  const std::vector<std::pair<int64_t, int>>& save_points() const { return save_points_; }
  // The RDB file of the keyspace now (rdb_file.h).
  std::string RdbFileNow(bool aof_base = false) const;
  // Loads an RDB file (versions 1 to 10; what this engine and
  // redis-server 7.0.15 write) into the keyspace (empty at a start; DEBUG
  // RELOAD NOFLUSH loads into what is there), as a starting
  // redis-server loads its dump.rdb: keys already expired are dropped,
  // FUNCTION libraries loaded. An error names what could not be read
  // (what is loaded until then stays).
  // With `allow_dup` (RDBFLAGS_ALLOW_DUP) a key or FUNCTION library already
  // there is replaced; without, a duplicate key is an AlreadyExists error
  // (a duplicate library's is a DataLoss one, as any other). Keys are added as rdbLoad's
  // dbAddRDBLoad adds them: no event, no client woken.
  absl::Status LoadRdb(std::string_view file, bool allow_dup = false);
  // An AOF's RDB part (RDBFLAGS_AOF_PREAMBLE): expired keys are kept (the
  // AOF's later commands may need them); *consumed is the RDB's length (an
  // old-style AOF goes on with commands after it).
  absl::Status LoadAofRdb(std::string_view file, size_t* consumed);
  // rdbSave: the file to the host (dbfilename); on success the dirty
  // counter is 0 and LASTSAVE now. False when the host could not write it.
  // `saved`, when given, receives the file.
  bool SaveRdb(std::string* saved = nullptr);
  // dbfilename ("dump.rdb" when the server has none).
  std::string_view RdbFileName() const;
  // INFO persistence: LASTSAVE (unix s), rdb_saves, the last BGSAVE's status
  // and duration (-1 before the first).
  int64_t lastsave() const { return lastsave_s_ >= 0 ? lastsave_s_ : start_ms() / 1000; }
  uint64_t rdb_saves() const { return rdb_saves_; }
  bool last_bgsave_ok() const { return last_bgsave_ok_; }
  int64_t last_bgsave_time_sec() const { return last_bgsave_time_sec_; }
  // BGSAVE (persist.cc): runs the save at once (no child process) and
  // records it as a finished background save.
  bool Bgsave();
  // SHUTDOWN's end (persist.cc): asks the host to stop; false without one.
  bool RequestShutdown();
  // BGSAVE inside EXEC is scheduled (Redis's rdb_bgsave_scheduled); the
  // server's cron (Cron) runs it.
  void ScheduleBgsave() { bgsave_scheduled_ = true; }
  // SAVE's count in rdb_saves (stat_rdb_saves).
  void CountRdbSave() { ++rdb_saves_; }
  // Cron's part: a scheduled BGSAVE, or one a save point asks for.
  void PersistCron();
  // CONFIG's kept parameters (config_kept.h), by KeptParams() index.
  int64_t kept_param(size_t i) const;
  // A kept parameter's value by its name (the crons read theirs so).
  int64_t KeptParamByName(std::string_view name) const;
  void set_kept_param(size_t i, int64_t value);
  const std::vector<std::pair<std::string, std::string>>& server_params() const {
    return server_params_;
  }
  // Memory accounting and eviction (memory.cc, evict.cc). used_memory: the
  // baseline plus KeyMemoryUsage of every key (O(keys and elements)).
  uint64_t UsedMemory() const;
  // stat_peak_memory (MEMORY STATS and DOCTOR, memory.cc): the highest
  // used_memory seen where the engine computes it, which is before every
  // command while maxmemory is set (the eviction check; Redis records the
  // peak after every command, that is before the next one's eviction) and
  // at MEMORY STATS and DOCTOR. Without maxmemory a peak between two of
  // those is not seen (docs/fidelity.md).
  uint64_t peak_memory() const { return peak_memory_; }
  void NotePeakMemory(uint64_t used) {
    if (used > peak_memory_) peak_memory_ = used;
  }
  uint64_t maxmemory() const { return maxmemory_; }
  MaxmemoryPolicy maxmemory_policy() const { return policy_; }
  bool lfu_policy() const {
    return policy_ == MaxmemoryPolicy::kVolatileLfu || policy_ == MaxmemoryPolicy::kAllkeysLfu;
  }
  // performEvictions: with maxmemory set and used_memory above it, deletes
  // keys by the policy until it is not; false (EVICT_FAIL) when it could not
  // (noeviction, or no key the policy may evict). Tracking clients are told
  // at once (the running command's own session before its reply).
  bool PerformEvictions();
  EngineBugs& bugs_for_test() { return bugs_; }
  // INFO's counters, the process facts a server gives, and the run id.
  const EngineStats& stats() const { return stats_; }
  void ResetStats();  // CONFIG RESETSTAT
  void SetServerInfo(ServerInfo info) { server_info_ = std::move(info); }
  const ServerInfo& server_info() const { return server_info_; }
  void set_tcp_port(int port) { server_info_.tcp_port = port; }
  int64_t start_ms() const { return options_.start_ms; }
  const std::string& run_id() const { return run_id_; }

  Keyspace& keyspace() { return keyspace_; }
  const Keyspace& keyspace() const { return keyspace_; }
  const EngineOptions& options() const { return options_; }

  // Subscribes to key modification events (db, key, kind).
  void AddKeyEventListener(KeyEventListener l) { keyspace_.AddListener(std::move(l)); }

  // Checks internal consistency: the keyspace (TTLs, no empty aggregates,
  // sorted-set indexes), the sessions (transaction and WATCH state, output
  // of closed sessions) and the tracking state (Tracker::Validate).
  absl::Status Validate() const;

  // Stops all of a session's WATCHes (UNWATCH, EXEC, DISCARD, a dirtied watch).
  void Unwatch(Session& s);

  // Pub/sub (cmd_pubsub.cc). A subscription is kept twice, as in Redis: in
  // the session's list and in the server's list of subscribers of the
  // channel (pattern, shard channel), in subscription order. Add / Remove
  // return whether the subscription was new / existed.
  bool PubSubAdd(int session, PubSubKind kind, const std::string& name);
  bool PubSubRemove(int session, PubSubKind kind, const std::string& name);
  // Sends `message` to the subscribers of `channel` (then, unless `shard`,
  // to those of every matching pattern, patterns in the order they were
  // first subscribed; Redis walks its pattern dict in hash order) and
  // returns how many messages went out. A session publishing to itself
  // gets the message in its output at once, before its reply (inside an
  // EXEC reply when run by EXEC), as redis-server 7.0.15 writes it.
  int64_t Publish(std::string_view channel, std::string_view message, bool shard);
  // PUBSUB CHANNELS / SHARDCHANNELS (in no defined order), NUMSUB /
  // SHARDNUMSUB, NUMPAT.
  std::vector<std::string_view> ActiveChannels(bool shard) const;
  size_t SubscriberCount(std::string_view channel, bool shard) const;
  size_t PatternCount() const { return pattern_subs_.size(); }
  // Keyspace notifications and the dirty counter (notify.h, notify.cc):
  // notifyKeyspaceEvent publishes when notify-keyspace-events selects
  // `type`; KeyAdded is dbAdd's signals (the key made ready for blocked
  // clients, then the "new" event); AddDirty is server.dirty += n
  // (INFO's rdb_changes_since_last_save; a save resets it: persist.cc).
  void NotifyKeyspaceEvent(uint32_t type, std::string_view event, std::string_view key, int db);
  void KeyAdded(int db, std::string_view key);
  // For a command whose dbAdd comes before other signals (RENAME, MOVE,
  // SMOVE): the "new" event now; the store that adds the key next sends
  // no second one. EndAnnounce drops a pending announcement.
  void AnnounceNew(int db, std::string_view key);
  void EndAnnounce() { announced_new_db_ = -1; }
  uint32_t notify_flags() const { return notify_flags_; }
  void set_notify_flags(uint32_t flags) { notify_flags_ = flags; }
  void AddDirty(int64_t n) { dirty_ += static_cast<uint64_t>(n); }
  uint64_t dirty() const { return dirty_; }
  // For a command the caller answers itself (the server layer's QUIT and
  // CONFIG GET): whether its reply may go out under CLIENT REPLY OFF / SKIP,
  // and the end of that command for SKIP (resetClient).
  bool AnswerOutside(int session);
  // Inside EXEC (Redis's CLIENT_DENY_BLOCKING): SSUBSCRIBE refuses.
  bool in_exec() const { return call_depth_ > 1; }
  // Scripting (src/script/): the EVAL script cache and the FUNCTION
  // libraries, each with its Lua state.
  // Created at first use: an engine that runs no script builds no Lua
  // state (the harnesses build an engine per input).
  script::EvalScripts& scripts();
  script::FunctionLibraries& functions();
  // INFO memory's number_of_cached_scripts, number_of_functions and
  // number_of_libraries (0 without creating a Lua state).
  size_t cached_script_count() const;
  size_t function_count() const;
  size_t library_count() const;
  // A command called by a script of session `s` (redis.call): checked as
  // Redis's scriptCall checks it, then run through the normal dispatch as
  // the script's client (its protocol, its db *db, which SELECT changes).
  // Returns "" with the reply appended to *reply, or the rejection text
  // without its code.
  std::string ScriptCall(Session& s, std::span<const std::string> argv, resp::Protocol protocol,
                         bool read_only, int* db, std::string* reply);
  // The statistics of a call ScriptCall refused with `err` (scriptCall's
  // error path: afterErrorReply, then the command's rejected_calls when
  // lookupCommand found one).
  void CountScriptRefusal(std::span<const std::string> argv, std::string_view err);
  // An error in the reply a script returns (script::CallHost::ReplyError):
  // a counted one is counted at once; the script command's call() then
  // counts one failed call if any was, plus one per uncounted error
  // (ERR_REPLY_FLAG_NO_STATS_UPDATE counts the failed call itself).
  void ScriptReplyError(std::string_view text, bool uncounted);
  // The slow log (slowlog.cc): newest first.
  struct SlowlogEntry {
    int64_t id = 0, time = 0, duration = 0;
    std::vector<std::string> argv;  // trimmed and redacted as Redis logs them
    std::string peer, name;
  };
  const std::deque<SlowlogEntry>& slowlog() const { return slowlog_; }
  void SlowlogReset() { slowlog_.clear(); }
  // slowlogPushCurrentCommand for a command session `s` ran (`script_call`:
  // a script's redis.call, whose client is the script's own).
  // `duration_us`: how long the call took (the engine does not measure
  // time: only DEBUG SLEEP's time counts, Engine::AddSleptMicros).
  void SlowlogPush(const Session& s, std::span<const std::string> argv, bool script_call,
                   int64_t duration_us = 0);
  // DEBUG SLEEP's time, which the calls running then last (the slow log).
  void AddSleptMicros(int64_t us) {
    if (us > 0) {
      slept_us_ += us;
      unseen_sleep_us_ += us;
    }
  }
  // updateCachedTime after a DEBUG SLEEP: the clock a command (or EXEC)
  // started with lasts to its end, but the next top-level command and
  // handleClientsBlockedOnKeys read the time again, past the sleep. With a
  // server (BusyHost) the engine's clock moves to the server's wall clock,
  // which the sleep moved; without one, by the time slept. The blocked
  // sessions' timeouts are left to the next AdvanceClock, as Redis leaves
  // them to its next cron.
  void CatchUpSleep();
  // The latency monitor and histograms (latency.cc): the percentiles INFO
  // latencystats reports (latency-tracking-info-percentiles), and one
  // histogram sample for `fullname` when latency-tracking is on (call()'s
  // and updateStatsOnUnblock's updateCommandLatencyHistogram).
  const std::vector<double>& latency_percentiles() const { return latency_percentiles_; }
  void set_latency_percentiles(std::vector<double> p) { latency_percentiles_ = std::move(p); }
  void LatencySample(std::string_view fullname);
  // The latency monitor's events (latency.cc; latencyAddSampleIfNeeded): a
  // call's duration in ms (only DEBUG SLEEP's time counts: the engine
  // measures no other) as `command`, or `fast-command` for a fast command,
  // when it reaches latency-monitor-threshold (0: off). At most 160 samples
  // per event, one per second (the greater kept), and the all-time max.
  struct LatencySeries {
    struct Sample {
      int64_t time = 0;  // unix seconds; 0: unused
      uint32_t latency = 0;
    };
    std::array<Sample, 160> samples{};  // LATENCY_TS_LEN
    size_t idx = 0;
    uint32_t max = 0;
  };
  void LatencyEvent(bool fast, int64_t duration_us);
  // latencyAddSampleIfNeeded(event, latency_ms) at unix second `now`.
  void LatencyAddSample(const std::string& event, int64_t latency_ms, int64_t now);
  std::map<std::string, LatencySeries>& latency_events() { return latency_events_; }
  // Lazy freeing (lazyfree.cc): a value freed by a deletion Redis 7.0.15
  // makes with dbAsyncDelete / freeObjAsync (`lazy`: UNLINK, or the
  // lazyfree-lazy-* config of the deletion's kind is on) is counted in
  // lazyfreed_objects when its free effort is above 64; a FLUSHALL /
  // FLUSHDB ASYNC counts every key it drops.
  // Call it just before the value is freed.
  void FreeValue(const Object& value, bool lazy);
  void LazyFreedKeys(uint64_t n) { stats_.lazyfreed_objects += n; }
  bool lazyfree_lazy_user_del() const { return lazyfree_lazy_user_del_; }
  bool lazyfree_lazy_expire() const { return lazyfree_lazy_expire_; }
  bool lazyfree_lazy_user_flush() const { return lazyfree_lazy_user_flush_; }
  // Around a script run: the script command and its argv, whose keys a
  // tracking caller remembers when the script makes a read-only call (as
  // Redis 7.0.15's trackingRememberKeys(server.script_caller) does).
  void EnterScript(const CommandSpec& spec, std::span<const std::string> argv) {
    script_spec_ = &spec;
    script_argv_ = argv;
    script_write_dirty_ = false;
    script_allow_oom_ = false;
    script_reply_errors_ = ScriptReplyErrors{};
    script_repl_flags_ = kPropagateAof | kPropagateRepl;
  }
  // redis.set_repl: where the running script's calls go (REPL_AOF 1,
  // REPL_REPLICA 2, both, or neither).
  void SetScriptReplFlags(int flags) { script_repl_flags_ = flags; }
  // The running script's allow-oom flag (Redis's SCRIPT_ALLOW_OOM).
  void SetScriptAllowOom(bool allow) { script_allow_oom_ = allow; }
  // A script is running (Redis's CLIENT_SCRIPT for the commands it calls).
  bool in_script() const { return script_spec_ != nullptr; }
  // A script's redis.call is running: the command's client is the script's
  // own, which is never subscribed (whatever its caller is).
  bool in_script_call() const { return in_script_call_; }
  void LeaveScript() {
    script_spec_ = nullptr;
    script_argv_ = {};
  }
  // Busy scripts (src/script/busy_script.cc): busy-reply-threshold, the
  // script running, and the BUSY state once it ran past the threshold.
  void SetBusyHost(BusyHost* host) { busy_host_ = host; }
  struct RunningScript {
    int session = -1;
    bool eval = true;               // EVAL*, else FCALL*
    bool timed_out = false;         // past busy-reply-threshold: others get BUSY
    bool killed = false;            // SCRIPT KILL / FUNCTION KILL asked
    bool write_dirty = false;       // a write command ran: it cannot be killed
    int64_t start_ms = 0;           // BusyHost::BusyClockMs at its start
    std::string name;               // the sha or the function's name
    std::vector<std::string> argv;  // the caller's command (FUNCTION STATS)
  };
  // scriptPrepareForRun / scriptResetRun around a script's run.
  // The session whose command runs is the script's caller.
  void BeginScriptRun(bool eval, std::string_view name, std::span<const std::string> argv);
  void EndScriptRun();
  const RunningScript* running_script() const {
    return running_.session >= 0 ? &running_ : nullptr;
  }
  // isInsideYieldingLongCommand: a script has run past the threshold.
  bool busy() const { return running_.session >= 0 && running_.timed_out; }
  // The BUSY text for the running script (EVAL's or FUNCTION's variant).
  std::string_view BusyError() const;
  // CMD_ALLOW_BUSY of the command argv names ("multi") or of its
  // subcommand ("script|kill"), from 7.0.15's command facts.
  static bool AllowedWhileBusy(std::span<const std::string> argv);
  // scriptInterrupt, from the Lua hook: true when the script is to stop.
  bool ScriptInterrupt();
  // scriptKill: the reply to SCRIPT KILL (is_eval) or FUNCTION KILL.
  void ScriptKill(ReplyWriter& reply, bool is_eval);
  // scriptRunDuration in ms (0 without a BusyHost).
  int64_t ScriptRunDuration() const;
  void MarkScriptWrite() { running_.write_dirty = true; }
  // ACL (acl.h, cmd_acl.cc): the users, and processCommand's checks for a
  // command of session `s` (argv[0] a command of the engine): NOAUTH while
  // the session must authenticate, then the NOPERM of a command, key or
  // channel the session's user may not use; "" when it may run.
  Acl& acl() { return acl_; }
  const Acl& acl() const { return acl_; }
  // AclRejection also logs a NOPERM in the ACL log (acl_log.cc), in the
  // context processCommand gives it (multi while the session queues).
  std::string AclRejection(const Session& s, const CommandSpec& spec,
                           std::span<const std::string> argv, const std::string& fullname);
  // The ACL log (acl_log.cc: Redis 7.0.15's addACLLogEntry and ACL LOG),
  // newest first. AclLogDenial logs the refusal `r` (kDeniedCmd: the
  // command `fullname`; kDeniedKey and kDeniedChannel: argv[idx]) of
  // session `s`'s command in `context`; AclLogAuth a failed AUTH or HELLO
  // AUTH of `username` (the object is argv0 as sent).
  struct AclLogEntry {
    uint64_t count = 1;
    AclResult reason = AclResult::kDeniedCmd;
    std::string_view context;  // "toplevel", "multi" or "lua"
    std::string object, username;
    int64_t ctime_ms = 0;  // the last update, on the engine's clock
    std::string cinfo;     // the client's CLIENT INFO line then
  };
  void AclLogDenial(const Session& s, AclResult r, std::string_view context,
                    std::span<const std::string> argv, size_t idx, const std::string& fullname);
  void AclLogAuth(const Session& s, std::string_view argv0, const std::string& username);
  const std::deque<AclLogEntry>& acl_log() const { return acl_log_; }
  void AclLogAdd(AclLogEntry le);  // the grouping and the cap
  void AclLogReset() { acl_log_.clear(); }
  // ACLCheckAllPerm for the session's user (kOk when the user or the
  // command is unknown).
  AclResult AclCheck(const Session& s, std::span<const std::string> argv, size_t* idx) const;
  // MONITOR (monitor.cc, which states the line format and the rules).
  // AddMonitor puts session `session` in monitor mode; FeedMonitors sends
  // every monitor but `skip` the line of argv as session `s` ran it (`lua`
  // as the address while a script's call runs); EVAL and FCALL call it
  // themselves. FeedMonitorsQuit: the server layer's QUIT of `session`.
  void AddMonitor(int session);
  void FeedMonitors(const Session& s, std::span<const std::string> argv, int skip = -1);
  void FeedMonitorsQuit(int session, std::span<const std::string> argv);
  // Whether a call must leave its arguments in place: a monitor shows them
  // after the call, and so does the slow log when it logs every call (each
  // takes 0 us on the virtual clock: at a threshold of 0). Otherwise SET &
  // co. may move a value out of argv (ExecuteOwned, and EXEC's own copies).
  // ... and so does propagation to a replica.
  bool KeepsArguments() const {
    return !monitors_.empty() || slowlog_slower_than_ == 0 || propagating();
  }
  size_t monitor_count() const { return monitors_.size(); }
  // Replication, the master side (replication.cc, which states the rules):
  // SYNC / PSYNC make a session a replica; every change is then propagated
  // to it as Redis 7.0.15's call() and propagatePendingCommands do.
  // `propagating()`: some replica listens (else nothing is collected).
  // AlsoPropagate is alsoPropagate (an op of `db` after the current
  // command's own); PropagatePending is propagatePendingCommands (MULTI /
  // EXEC around more than one op unless `no_multi`).
  // `target`: kPropagateAof and / or kPropagateRepl (redis.set_repl's
  // REPL_AOF and REPL_REPLICA); ShouldPropagate is shouldPropagate.
  static constexpr int kPropagateAof = 1, kPropagateRepl = 2;
  bool ShouldPropagate(int target) const {
    if (aof_loading_) return false;
    return ((target & kPropagateAof) != 0 && aof_.state != AofState::kOff) ||
           ((target & kPropagateRepl) != 0 && repl_backlog_);
  }
  bool propagating() const { return ShouldPropagate(kPropagateAof | kPropagateRepl); }
  void AlsoPropagate(int db, std::vector<std::string> argv,
                     int target = kPropagateAof | kPropagateRepl);
  void PropagatePending(bool no_multi = false);
  // SYNC / PSYNC of session `session`: "" when it became a replica (its
  // output then holds the RDB payload), else the error reply.
  std::string StartReplica(int session, bool psync);
  // replicationCron's PING, every repl-ping-replica-period seconds.
  void ReplicationCron();
  size_t replica_count() const { return replicas_.size(); }
  std::vector<const Session*> ReplicaSessions() const {
    std::vector<const Session*> out;
    for (int r : replicas_) out.push_back(sessions_[r].get());
    return out;
  }
  int64_t master_repl_offset() const { return repl_offset_; }
  // replicationCountAcksByOffset: the replicas that acknowledged `offset`.
  int64_t CountAcksByOffset(int64_t offset) const;
  // WAIT blocked: a REPLCONF GETACK * goes to the replicas at the end of
  // the turn (replicationRequestAckFromSlaves, beforeSleep).
  void RequestAckFromReplicas() { get_ack_from_replicas_ = true; }
  // beforeSleep's part: the GETACK asked for, then every WAIT whose
  // replicas acknowledged (processClientsWaitingReplicas). Also after each
  // REPLCONF ACK.
  void ProcessClientsWaitingReplicas();
  // REPLCONF ACK from a replica.
  void ReplicaAck(Session& s, int64_t offset);
  const std::string& master_replid() const { return replid_.empty() ? run_id_ : replid_; }
  bool repl_backlog_active() const { return repl_backlog_; }
  int64_t repl_backlog_first_byte() const { return repl_backlog_first_byte_; }

  // The append-only file (aof.cc, which states the rules): Redis 7.0.15's
  // multi-part AOF, a manifest and base and incr files in appenddirname,
  // each rewrite made at once (no child process).
  enum class AofState : uint8_t { kOff, kOn, kWaitRewrite };
  struct AofFile {
    std::string name;
    int64_t seq = 0;
    char type = 'b';  // b base, h history, i incr
  };
  struct AofManifest {
    std::optional<AofFile> base;
    std::vector<AofFile> history, incr;
    int64_t base_seq = 0, incr_seq = 0;  // the last ones given out
  };
  struct Aof {
    // Configuration (CONFIG SET appendonly and the rest).
    bool enabled = false;
    int fsync = 0;  // fsync_enum: everysec, always, no
    bool use_rdb_preamble = true, load_truncated = true, timestamp_enabled = false;
    bool rewrite_incremental_fsync = true, no_fsync_on_rewrite = false;
    // State.
    AofState state = AofState::kOff;
    AofManifest manifest;
    int selected_db = -1;  // server.aof_selected_db
    std::string buf;       // server.aof_buf: written at the end of each propagation
    int64_t cur_timestamp = 0;
    bool rewrite_scheduled = false;
    uint64_t rewrites = 0;  // stat_aof_rewrites
    uint64_t consecutive_failures = 0;
    bool lastbgrewrite_ok = true, last_write_ok = true;
    int64_t current_size = 0, base_size = 0, last_incr_size = 0;
    int64_t rewrite_time_last = -1;
  };
  const Aof& aof() const { return aof_; }
  // An AOF is loading (its commands come from the AOF's client, which
  // mustObeyClient: XADD's LIMIT without ~ is taken, ...).
  bool aof_loading() const { return aof_loading_; }
  // updateAppendonly, after CONFIG SET stored `appendonly`: the AOF turned
  // on (a rewrite) or off. False: it could not be turned on.
  bool ApplyAppendonly();
  // BGREWRITEAOF: the reply ("+..." or "-...").
  void BgRewriteAof(ReplyWriter& reply);
  // DEBUG LOADAOF: "" when loaded, else the error reply.
  std::string DebugLoadAof();
  // A start with appendonly yes (respfuzz serve --appendonly yes): the AOF
  // of the working directory loaded (none: a base of the empty dataset
  // made), the AOF on. "" when done, else what redis-server 7.0.15 logs
  // before it exits.
  std::string StartFromAof();
  // serverCron's AOF part: a scheduled rewrite, the automatic one.
  void AofCron();
  // The engine's AOF files without a PersistHost (harnesses: no I/O).
  const std::map<std::string, std::string>& unhosted_files() const { return unhosted_files_; }
  std::map<std::string, std::string>& unhosted_files_for_test() { return unhosted_files_; }

 private:
  class TrackingPeers;
  // `owned` is argv itself when the caller gave it away (ExecuteOwned), else empty.
  void RunCommand(int session, std::span<const std::string> argv, std::span<std::string> owned);
  std::string LoadAofFiles();  // aof.cc: loadAppendOnlyFiles
  void Dispatch(Session& s, std::span<const std::string> argv, std::span<std::string> owned,
                std::string* out);
  void Call(Session& s, const CommandSpec& spec, std::span<const std::string> argv,
            std::span<std::string> owned, std::string* out);
  void Exec(Session& s, std::string* out);
  void Watch(Session& s, std::span<const std::string> argv, std::string* out);
  void DiscardTransaction(Session& s);
  void Reset(Session& s);
  // call()'s statistics for a command that ran and wrote its reply at
  // out[before..].
  // `elsewhere`: the call wrote an error reply to another session (CLIENT
  // UNBLOCK ERROR's), which call()'s error-counter comparison counts as this
  // call's failure too.
  void CountCall(std::string_view name, const std::string& out, size_t before,
                 bool elsewhere = false);
  void OnKeyEvent(const KeyEvent& ev);
  bool WatchedKeyExpired(const Session& s) const;
  // Blocking (blocking.cc).
  void Unblock(int session);  // drops the session's block state (no reply)
  // An unblocked session: its output to be written (notified) and its
  // unblocking reported (TakeUnblocked).
  void NoteUnblocked(int si);
  // CLIENT PAUSE (client_pause.cc): whether processCommand's pause check
  // postpones this command (is_may_replicate_command under WRITE), the
  // postponing itself, and updateClientPauseTypeAndEndTime.
  bool PausePostpones(const Session& s, const CommandSpec& spec, std::string_view fullname,
                      std::span<const std::string> argv) const;
  void Postpone(Session& s);
  void UpdatePause();
  void HandleReadyKeys();                                          // handleClientsBlockedOnKeys
  bool ServeBlocked(int session, int db, const std::string& key);  // true: the key was deleted
  // A stream key deleted or overwritten by another type (dbDelete /
  // dbOverwrite signal it): queued so its XREADGROUP sessions are unblocked
  // with an error (unblockDeletedStreamReadgroupClients).
  void SignalStreamKeyGone(int db, std::string_view key);
  void UnblockDeletedStreamReadgroupClients(int db, const std::string& key);
  absl::Status ValidateBlocking() const;
  std::string* BlockedReplyBuffer(Session& s, std::string* dropped);
  // Redis's db->watched_keys: per db, each watched key's watchers in WATCH
  // order. A watcher is a session and the index of the key in its
  // `watched` list (which only ever grows until Unwatch empties it).
  struct Watcher {
    int session;
    size_t index;
  };
  using WatcherList = std::vector<Watcher>;
  const WatcherList* WatchersOf(int db, std::string_view key) const;

  EngineOptions options_;
  EncodingLimits limits_;
  std::vector<std::pair<std::string, std::string>> server_params_;
  EngineStats stats_;
  // Error replies a call wrote to sessions other than its caller (CLIENT
  // UNBLOCK ERROR): Call compares it around the handler.
  uint64_t errors_to_others_ = 0;
  ServerInfo server_info_;
  std::string run_id_;
  VirtualClock clock_;
  Keyspace keyspace_;
  std::vector<std::unique_ptr<Session>> sessions_;
  // Closed slots as a min-heap (std::push_heap with std::greater):
  // OpenSession reuses the lowest in O(log n). A vector rather than a
  // priority_queue so that Validate can check every entry.
  std::vector<int> free_sessions_;
  int64_t next_client_id_ = 1;
  size_t watch_count_ = 0;  // WATCHed keys over all sessions (skips the event work when 0)
  std::vector<StrMap<WatcherList>> watched_keys_;  // per db
  std::unique_ptr<TrackingPeers> peers_;
  tracking::Tracker tracker_;
  std::vector<int> notified_;
  std::vector<int> killed_;
  int current_session_ = -1;  // the session whose command runs, -1 between commands
  std::string silenced_;  // where replies to a session under CLIENT REPLY OFF / SKIP go (dropped)
  // The buffer a reply to `s` goes to now: its output, or silenced_.
  std::string* ReplyBuffer(Session& s);
  int call_depth_ = 0;                       // > 1 inside EXEC
  absl::flat_hash_map<int64_t, int> by_id_;  // open sessions by client id
  uint64_t random_state_ = 0;                // NextRandom's splitmix64 state
  // Pub/sub subscribers (session handles) per channel and shard channel, and
  // per pattern in the order the patterns were first subscribed.
  StrMap<std::vector<int>> channel_subs_, shard_subs_;
  std::vector<std::pair<std::string, std::vector<int>>> pattern_subs_;
  void PubSubRemoveAll(int session);
  absl::Status ValidatePubSub() const;
  // db->blocking_keys: per db, each key's blocked sessions in blocking order.
  std::vector<StrMap<std::vector<int>>> blocking_keys_;
  // server.ready_keys (in signal order) and db->ready_keys (the set).
  std::vector<std::pair<int, std::string>> ready_keys_;
  absl::flat_hash_set<std::pair<int, std::string>> ready_set_;
  // The timeout table: (timeout as unsigned, client id) in order.
  absl::btree_set<std::pair<uint64_t, int64_t>> timeouts_;
  size_t blocked_count_ = 0;
  size_t blocked_by_type_[5] = {0, 0, 0, 0, 0};
  std::vector<int> unblocked_;
  // CLIENT PAUSE: the pause event of the client command (its type and end,
  // kept until it ends), the pause in force, the postponed sessions in order.
  PauseType pause_event_type_ = PauseType::kOff;
  int64_t pause_event_end_ms_ = 0;
  PauseType pause_type_ = PauseType::kOff;
  int64_t pause_end_ms_ = 0;
  std::vector<int> postponed_;
  // Memory accounting and eviction (evict.cc).
  uint64_t maxmemory_ = 0;
  uint64_t peak_memory_ = 0;
  MaxmemoryPolicy policy_ = MaxmemoryPolicy::kNoeviction;
  uint64_t lfu_random_state_ = 0;      // LFULogIncr's draws
  uint64_t genpass_random_state_ = 0;  // ACL GENPASS's draws
  EngineBugs bugs_;
  void SetMaxmemoryPolicy(MaxmemoryPolicy p);
  // The OOM check of processCommand for a command about to run or be
  // queued: the rejection text, or "".
  std::string OomCheck(const Session& s, const CommandSpec& spec,
                       std::span<const std::string> argv);
  // Whether a script command is denyoom by its script's flags
  // (scriptFlagsToCmdFlags: declared flags without allow-oom or no-writes).
  bool ScriptCommandDeniesOom(const CommandSpec& spec, std::span<const std::string> argv) const;
  // Whether a script command is a write by its script's flags (declared
  // flags without no-writes), and a script's declared flags (nullopt: not a
  // script command, no such script, or a script without a shebang).
  bool ScriptCommandWrites(const CommandSpec& spec, std::span<const std::string> argv) const;
  std::optional<uint32_t> DeclaredScriptFlags(const CommandSpec& spec,
                                              std::span<const std::string> argv) const;
  // checkGoodReplicasStatus: false when min-replicas-to-write and
  // min-replicas-max-lag are both set (the engine has no replicas).
  bool GoodReplicasOk() const {
    return GetParam(ParamId::kMinReplicasToWrite) == 0 ||
           GetParam(ParamId::kMinReplicasMaxLag) == 0;
  }
  // processCommand's is_write_command: the command's write flag, a script's
  // declared one, or, for EXEC, any queued command's.
  bool IsWriteForDispatch(const Session& s, const CommandSpec& spec,
                          std::span<const std::string> argv) const;
  std::unique_ptr<script::EvalScripts> scripts_;
  std::unique_ptr<script::FunctionLibraries> functions_;
  int64_t min_replicas_to_write_ = 0;  // min-replicas-to-write
  int64_t min_replicas_max_lag_ = 10;  // min-replicas-max-lag
  uint32_t notify_flags_ = 0;          // notify-keyspace-events (NotifyClass bits)
  uint64_t dirty_ = 0;                 // server.dirty
  // Persistence (persist.cc).
  PersistHost* persist_host_ = nullptr;
  ListenHost* listen_host_ = nullptr;                     // CONFIG SET port
  NetHost* net_host_ = nullptr;                           // MIGRATE's targets
  std::map<std::string, MigrateSocket> migrate_sockets_;  // by "host:port"
  void MigrateCron();                                     // migrateCloseTimedoutSockets
  std::vector<std::pair<int64_t, int>> save_points_;
  int64_t lastsave_s_ = -1;  // -1: the engine's start
  uint64_t rdb_saves_ = 0;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_time_sec_ = -1;
  bool bgsave_scheduled_ = false;
  int64_t last_bgsave_try_s_ = 0;
  int announced_new_db_ = -1;  // AnnounceNew's key, until its store
  std::string announced_new_key_;
  const CommandSpec* script_spec_ = nullptr;  // the script command running, if any
  std::span<const std::string> script_argv_;
  BusyHost* busy_host_ = nullptr;  // busy scripts (busy_script.cc)
  RunningScript running_;
  int64_t busy_reply_threshold_ = 5000;
  // scriptVerifyOOM's state: the script wrote already, it may run denyoom
  // commands, and server.pre_command_oom_state (out of memory when the
  // script command, or EXEC, started).
  bool script_write_dirty_ = false;
  int script_repl_flags_ = 3;  // redis.set_repl (replication.cc): kPropagateAof | kPropagateRepl
  bool script_allow_oom_ = false;
  bool script_pre_oom_ = false;
  // The errors of the reply a script returned, for its command's call()
  // statistics (ScriptReplyError).
  struct ScriptReplyErrors {
    bool active = false;
    bool counted = false;
    uint64_t uncounted = 0;
  };
  ScriptReplyErrors script_reply_errors_;
  bool in_script_call_ = false;  // ScriptCall's command is running
  // The slow log (slowlog.cc).
  std::deque<SlowlogEntry> slowlog_;
  int64_t slowlog_next_id_ = 0;
  int64_t slowlog_slower_than_ = 10000;
  int64_t slowlog_max_len_ = 128;
  std::deque<AclLogEntry> acl_log_;
  int64_t acllog_max_len_ = 128;  // acllog-max-len
  // The latency monitor and histograms (latency.cc), lazy freeing
  // (lazyfree.cc): their parameters.
  int64_t latency_monitor_threshold_ = 0;
  std::map<std::string, LatencySeries> latency_events_;  // by event name
  bool latency_tracking_ = true;
  bool active_expire_enabled_ = true;
  bool cron_paused_ = false;
  int64_t reply_buffer_peak_reset_time_ = 5000;  // REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME
  bool reply_buffer_resizing_ = true;
  size_t clients_cron_next_ = 0;  // the session clientsCron visits next
  // clientsCron's reply buffer part (clientsCronResizeOutputBuffer) over
  // its share of the sessions; NoteReplyBuffer: the bytes a session's
  // output holds now, as the buffer's position, into its peak.
  void ClientsCron();
  static void NoteReplyBuffer(Session& s);
  int64_t slept_us_ = 0;         // DEBUG SLEEP's microseconds so far (AddSleptMicros)
  int64_t unseen_sleep_us_ = 0;  // ... of which the clock has not moved by yet
  bool script_deny_disabled_ = false;
  // The last RDB file saved when there is no PersistHost (DEBUG RELOAD
  // NOSAVE reads it); none until a save.
  std::optional<std::string> unhosted_rdb_;
  std::vector<double> latency_percentiles_ = {50.0, 99.0, 99.9};
  bool lazyfree_lazy_eviction_ = false, lazyfree_lazy_expire_ = false,
       lazyfree_lazy_server_del_ = false, lazyfree_lazy_user_del_ = false,
       lazyfree_lazy_user_flush_ = false;
  Acl acl_;  // ACL users (acl.h)
  // MONITOR (monitor.cc): monitoring sessions in MONITOR order; call()'s
  // feed (not for admin and skip_monitor commands); processCommand's
  // replica check (a monitor may not read, write or may-replicate).
  std::vector<int> monitors_;
  // Replication (replication.cc): replica sessions in SYNC order, the ops
  // of the running command (server.also_propagate), the db the stream last
  // SELECTed (server.slaveseldb), the stream's offset, whether the backlog
  // exists (from the first replica on) and its first byte's offset, the
  // replication cron's last second, and the replication ID.
  struct PropOp {
    int db;
    std::vector<std::string> argv;
    int target = kPropagateAof | kPropagateRepl;
  };
  std::vector<int> replicas_;
  std::vector<PropOp> also_propagate_;
  std::vector<PropOp> deferred_ops_;  // evictions inside a command (evict.cc)
  int64_t no_replicas_since_ms_ = 0;
  static constexpr int64_t kReplBacklogTtlSeconds = 3600;  // repl-backlog-ttl
  int repl_seldb_ = -1;
  int64_t repl_offset_ = 0;
  bool repl_backlog_ = false;
  int64_t repl_backlog_first_byte_ = 0;
  int64_t repl_cron_loops_ = 0;
  std::string replid_;  // empty: the run ID, until the first replica
  bool get_ack_from_replicas_ = false;
  void RemoveReplica(int session);
  void FeedReplicas(int db, std::span<const std::string> argv);
  // propagateNow: the op to the AOF and / or the replicas.
  void PropagateNow(int db, std::span<const std::string> argv, int target);
  // The AOF (aof.cc).
  Aof aof_;
  bool aof_loading_ = false;  // loading an AOF: nothing expires, nothing is propagated
  std::map<std::string, std::string> unhosted_files_;
  absl::Status LoadRdbFile(std::string_view file, bool allow_dup, bool aof_preamble,
                           size_t* consumed);
  void FeedAof(int db, std::span<const std::string> argv);
  void FlushAof();
  bool StartAppendOnly();
  void StopAppendOnly();
  bool RewriteAof();
  std::string AofPath(std::string_view name) const;
  bool AofMakeDir();
  bool AofWriteFile(std::string_view name, std::string_view bytes);
  bool AofAppendFile(std::string_view name, std::string_view bytes);
  int AofReadFile(std::string_view name, std::string* out);  // 0, or -1: missing or unreadable
  void AofRemoveFile(std::string_view name);
  bool PersistAofManifest(const AofManifest& m);
  std::string AofRewriteCommands() const;
  int LoadAofFile(const std::string& name);
  std::vector<int64_t> kept_params_;  // config_kept.cc (empty: all at their defaults)
  void RemoveMonitor(int session);
  void FeedMonitorsAfterCall(const Session& s, const CommandSpec& spec,
                             std::span<const std::string> argv);
  bool ReplicaMayNotRun(const CommandSpec& spec, std::span<const std::string> argv) const;
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_ENGINE_H_
