// Internals of the reference model (harnesses/models/reference_model.h):
// the keyspace, the sessions, and the helpers the command files share. Every
// helper mirrors one function of Redis 7.0.15 and says which.
#ifndef RESPFUZZ_HARNESSES_MODELS_REFERENCE_STATE_H_
#define RESPFUZZ_HARNESSES_MODELS_REFERENCE_STATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_acl.h"
#include "harnesses/models/reference_streams.h"
#include "src/resp/value.h"

namespace respfuzz::models::refmodel {

inline constexpr int kNumDbs = 16;

enum class Kind { kString, kList, kHash, kSet, kZSet, kStream };

// One value of the keyspace. Only the member matching `kind` is used.
struct Object {
  Kind kind = Kind::kString;
  std::string str;
  // A vector, not a std::deque: libstdc++'s deque allocates (its map and a
  // node) even empty, so every Object built or moved, a string's too, did.
  std::vector<std::string> list;
  std::map<std::string, std::string> hash;
  // The hash's fields in Redis's listpack order: a new field at the end, a
  // deleted one taken out, an updated one where it was (HKEYS, HVALS and
  // HGETALL read the hash in this order).
  std::vector<std::string> hash_order;
  std::set<std::string> set;
  std::map<std::string, double> zset;  // member -> score; order is computed when needed
  Stream stream;                       // reference_streams.h
  // The sorted set's encoding: listpack (false) until it holds more than
  // zset-max-listpack-entries members or one longer than
  // zset-max-listpack-value bytes. It shows in OBJECT ENCODING and in one
  // reply: a listpack stores an integral score as an integer, so -0 reads
  // back as 0.
  bool zset_skiplist = false;
  // A hash's encoding: listpack (false) until converted to a hashtable.
  bool hash_hashtable = false;
  // A set's encoding: intset (false) until converted to a hashtable.
  bool set_hashtable = false;
  // A string's robj: how it was made. 0: tryObjectEncoding (int, embstr or
  // raw by content); 1: createStringObject (embstr or raw by length); 2: a
  // raw string (written in place).
  int str_made = 0;
  bool str_dup = false;  // dupStringObject (COPY): never a shared integer
  int64_t lru = 0;       // robj.lru: LRU_CLOCK() at creation or last touching lookup
};

// The configuration parameters the model has (config.c), with their values.
struct Config {
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;
  int64_t list_compress_depth = 0;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t tracking_table_max_keys = 1000000;
  int64_t stream_node_max_bytes = 4096;  // reference_streams.cc
  int64_t stream_node_max_entries = 100;
  // notify-keyspace-events as the bit set of notify.c's NOTIFY_* classes
  // (kNotify*; reference_notify.cc publishes the events).
  int64_t notify_keyspace_events = 0;
  // Memory accounting and eviction (reference_memory.cc): maxmemory (an
  // unsigned long long, kept as its bits) and maxmemory-policy (the index
  // in volatile-lru, volatile-lfu, volatile-random, volatile-ttl,
  // allkeys-lru, allkeys-lfu, allkeys-random, noeviction).
  int64_t maxmemory = 0;
  int64_t maxmemory_policy = 7;
  // busy-reply-threshold (alias lua-time-limit), ms: stored and reported; no
  // script of the model's runs long enough to reach it.
  int64_t busy_reply_threshold = 5000;
  // The slow log's configs (reference_slowlog.cc).
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  int64_t acllog_max_len = 128;  // the ACL log's (reference_acl.cc)
  // HyperLogLog: a size_t memory config the engine reads (no PF* here).
  int64_t hll_sparse_max_bytes = 3000;
  // Stored and reported, nothing else (no replicas, no client eviction,
  // no loading): repl-backlog-size, repl-ping-replica-period, client-query-buffer-limit,
  // maxmemory-clients (a percentage kept as its negative), maxmemory-samples,
  // maxmemory-eviction-tenacity, the hidden key-load-delay; `immutable`
  // stands behind daemonize and replicaof, which CONFIG SET refuses.
  int64_t repl_backlog_size = 1024 * 1024;
  int64_t repl_ping_replica_period = 10;
  int64_t client_query_buffer_limit = 1024 * 1024 * 1024;
  int64_t maxmemory_clients = 0;
  int64_t maxmemory_samples = 5;
  int64_t maxmemory_eviction_tenacity = 10;
  int64_t key_load_delay = 0;
  int64_t immutable = 0;
  // min-replicas-to-write (alias min-slaves-to-write) and min-replicas-max-lag
  // (min-slaves-max-lag): with both non-zero the model, which has no
  // replicas, refuses every write with NOREPLICAS.
  int64_t min_replicas_to_write = 0;
  int64_t min_replicas_max_lag = 10;
  // The latency monitor's and lazy freeing's configs (the model keeps no
  // latency data and no INFO: LATENCY and INFO are not compared):
  // latency-monitor-threshold (ms), latency-tracking and the five
  // lazyfree-lazy-* switches (1 yes, 0 no), and
  // latency-tracking-info-percentiles as CONFIG GET prints it.
  int64_t latency_monitor_threshold = 0;
  int64_t latency_tracking = 1;
  int64_t lazyfree_lazy_eviction = 0;
  int64_t lazyfree_lazy_expire = 0;
  int64_t lazyfree_lazy_server_del = 0;
  int64_t lazyfree_lazy_user_del = 0;
  int64_t lazyfree_lazy_user_flush = 0;
  std::string latency_tracking_info_percentiles = "50 99 99.9";
  // The append-only file's configs, stored and reported: appendonly and
  // the bool switches (1 yes, 0 no), appendfsync (0 everysec, 1 always,
  // 2 no), the automatic rewrite's percentage and minimum size.
  int64_t appendonly = 0;
  int64_t appendfsync = 0;
  int64_t aof_use_rdb_preamble = 1;
  int64_t aof_load_truncated = 1;
  int64_t aof_timestamp_enabled = 0;
  int64_t aof_rewrite_incremental_fsync = 1;
  int64_t no_appendfsync_on_rewrite = 0;
  int64_t auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64 * 1024 * 1024;
};

// redisDb: the main dict and the expires dict, as Redis keeps them apart
// (overwriting a value keeps its expire; deleting the key drops both).
// Logically expired keys stay here until something deletes them.
struct Db {
  std::map<std::string, Object> dict;
  std::map<std::string, int64_t> expires;  // unix ms
};

// watchedKey: a key watched by one session in one db.
struct WatchedKey {
  int db = 0;
  std::string key;
  bool expired = false;  // the key was already logically expired when WATCHed
};

// c->bpop of a session blocked by a blocking command (reference_blocking.cc).
struct Blocked {
  bool on = false;
  bool zset = false;    // BLOCKED_ZSET, else BLOCKED_LIST (or one of the two below)
  bool wait = false;    // BLOCKED_WAIT: WAIT, on no key
  bool stream = false;  // BLOCKED_STREAM: XREAD / XREADGROUP
  int db = 0;
  std::vector<std::string> keys;  // each once
  int64_t timeout = 0;            // absolute unix ms (Redis's wrapping add), 0: none
  std::vector<std::string> argv;  // the blocking command
  // BLOCKED_STREAM: per key of `keys`, the ID a new entry must pass (the
  // first one the command gave for the key); XREADGROUP's group, consumer
  // and NOACK; the COUNT served (1000 without one).
  std::vector<StreamId> stream_ids;
  bool group_read = false;  // XREADGROUP (a group's name may be empty)
  std::string group, consumer;
  bool noack = false;
  int64_t count = 0;
  // BLOCKED_POSTPONE: CLIENT PAUSE postponed the command in `argv`
  // (reference_pause.cc); on no key, with no timeout.
  bool postponed = false;
};

struct Session {
  int64_t id = 0;  // CLIENT ID (and HELLO's id)
  int db = 0;
  int resp = 2;
  bool multi = false;
  bool dirty_cas = false;   // CLIENT_DIRTY_CAS
  bool dirty_exec = false;  // CLIENT_DIRTY_EXEC
  std::vector<std::vector<std::string>> queued;
  std::vector<WatchedKey> watched;  // in WATCH order
  // Pub/sub subscriptions (c->pubsub_channels, c->pubsub_patterns,
  // c->pubsubshard_channels), each in subscription order.
  std::vector<std::string> channels, patterns, shard_channels;
  // CLIENT_PUBSUB: subscribed to anything.
  bool pubsub() const { return !channels.empty() || !patterns.empty() || !shard_channels.empty(); }
  Blocked blocked;
  bool no_evict = false;  // CLIENT_NO_EVICT
  // CLIENT SETNAME / HELLO SETNAME; c->lastcmd's full name ("NULL" before
  // the first command and after an unknown one), for CLIENT INFO.
  std::string name;
  std::string lastcmd = "NULL";
  // ACL (reference_acl.cc): the user and whether the connection is
  // authenticated (createClient: the default user has nopass and is on).
  std::string user = "default";
  bool authenticated = true;
  bool monitor = false;  // CLIENT_MONITOR (reference_monitor.cc)
};

// One key-space event, as the tracking model (tracking_reference.h) needs it:
// signalModifiedKey (kModified) or signalFlushedDb (kFlushed, FLUSHDB and
// FLUSHALL; SWAPDB signals nothing). `by_client` is whether Redis passes the
// executing client to signalModifiedKey (a command's own change) or NULL (a
// key deleted because it expired, lazily or actively).
struct KeyEvent {
  enum class Kind { kModified, kFlushed };
  Kind kind = Kind::kModified;
  int db = 0;
  std::string key;  // empty for kFlushed
  bool by_client = true;

  bool operator==(const KeyEvent&) const = default;
};

// One entry of the slow log (reference_slowlog.cc): as SLOWLOG GET shows it.
struct SlowlogEntry {
  int64_t id = 0;
  int64_t time = 0;               // unix seconds
  int64_t duration = 0;           // microseconds
  std::vector<std::string> args;  // capped and redacted
  std::string peer, name;
};

struct Ctx;
struct CommandSpec;
struct FunctionsState;  // reference_functions.cc

// What a model layered on top (the tracking model) plugs in. All empty by
// default: the command model alone behaves as without them.
struct Hooks {
  // Extra commands: "name" or "container|sub" (e.g. "client|tracking",
  // "config|set"), looked up before the built-in table.
  struct Extra {
    int arity = 0;
    std::function<resp::Value(Ctx&)> run;
  };
  std::map<std::string, Extra> extra;
  // A pub/sub message for `session` (PUBLISH, SPUBLISH): the
  // message/pmessage/smessage array, a push in RESP3. Without the hook
  // messages are counted, not delivered.
  std::function<void(int session, const resp::Value& message)> deliver;
  // processCommand right after the maxmemory checks (trackingLimitUsedSlots:
  // the tracking table's limit), before the min-replicas and RESP2 Pub/Sub
  // checks, so a command those refuse still trims the table first.
  std::function<void()> limit_tracking_table;
  // processCommand between the arity check and running (or queueing) the
  // command, after the checks above. A non-empty result rejects the command with that error text
  // ("ERR ..." without the '-'), which flags an open transaction.
  std::function<std::string(int session, const std::vector<std::string>& argv)> before_command;
  // The end of call(), for every command that ran (the commands inside EXEC
  // too, each before EXEC itself); `name` is the command's full name.
  std::function<void(int session, const std::vector<std::string>& argv, const std::string& name)>
      after_call;
  // Memory accounting (reference_memory.cc): keys were just evicted, before
  // the command that caused it runs (their key-space events are logged).
  std::function<void()> after_evictions;
  // A blocked session gets its reply (served, timed out or unblocked by
  // CLIENT UNBLOCK), after the key-space events of its serving were logged;
  // the reply is also kept for TakeDelivered(). `by_command`: CLIENT
  // UNBLOCK unblocked it, inside the running command's call(); served
  // clients are served after the command that made their key ready, timed
  // out ones outside any command.
  std::function<void(int session, const resp::Value& reply, bool by_command)> unblocked;
};

struct State {
  int64_t now = 0;
  int64_t max_string_len = 0;
  Db dbs[kNumDbs];
  std::vector<Session> sessions;
  // db->watched_keys: (db, key) -> sessions watching it, in WATCH order.
  std::map<std::pair<int, std::string>, std::vector<int>> watchers;
  // server.pubsub_channels, server.pubsubshard_channels: channel -> the
  // sessions subscribed, in subscription order; server.pubsub_patterns as
  // a list in the order each pattern was first subscribed (Redis: a dict).
  std::map<std::string, std::vector<int>> pubsub_channels, pubsub_shard;
  std::vector<std::pair<std::string, std::vector<int>>> pubsub_patterns;
  // Key-space events since the last take, recorded when log_events is set.
  bool log_events = false;
  std::vector<KeyEvent> events;
  Hooks hooks;
  // The random choices' source (reference_random.cc): splitmix64's state.
  uint64_t random_state = 0;
  int64_t max_random_repeats = 100000;  // a larger negative count is refused
  // Blocking (reference_blocking.cc): db->blocking_keys, server.ready_keys,
  // whether EXEC is running (CLIENT_DENY_BLOCKING), and the replies that
  // went to blocked sessions (served, timed out, CLIENT UNBLOCK) in order.
  std::map<std::pair<int, std::string>, std::vector<int>> blocking_keys;
  std::vector<std::pair<int, std::string>> ready_keys;
  bool in_exec = false;
  bool script_call = false;  // a script's redis.call runs (CLIENT_SCRIPT)
  std::vector<std::pair<int, resp::Value>> delivered;
  // The last command's reply is its frames in `delivered` (SUBSCRIBE & co.).
  bool no_reply = false;
  // MONITOR (reference_monitor.cc): the monitors in the order they became
  // one, and, when the running command's sender is one, how many of the
  // frames `delivered` holds for it come before its reply (its own line
  // comes after the reply); kNoPosition: all of them.
  static constexpr size_t kNoPosition = static_cast<size_t>(-1);
  std::vector<int> monitors;
  size_t reply_position = kNoPosition;
  // CLIENT PAUSE (reference_pause.cc): the pause's type (kPause*) and end;
  // the sessions it postponed, in order; those let go, to run again.
  int pause_type = 0;
  int64_t pause_end = 0;
  std::vector<int> postponed, unpaused;
  Config config;
  // Memory accounting and eviction (reference_memory.cc).
  uint64_t lfu_random_state = 0;  // LFULogIncr's draws (a stream of their own)
  // ACL GENPASS's draws: a stream of their own, as redis-server's
  // getRandomHexChars reads /dev/urandom and leaves random() (RANDOMKEY,
  // SPOP, ...) alone.
  uint64_t genpass_random_state = 0;
  uint64_t evicted_keys = 0;
  // server.stat_peak_memory as the model sees it: raised where it computes
  // used_memory, before each command while maxmemory is set and at MEMORY
  // STATS and DOCTOR (reference_memory.cc).
  uint64_t peak_memory = 0;
  // The EVAL script cache (reference_scripting.cc): lower-case sha -> body.
  std::map<std::string, std::string> scripts;
  // math.random's state (rand.c's lrand48, one per process in Redis: not
  // reset between scripts nor by SCRIPT FLUSH).
  uint64_t script_rand48 = 0x1234ABCD330EULL;
  // server.pre_command_oom_state: whether the last command (with maxmemory
  // set) found memory out after its evictions; a script's calls read it.
  bool pre_command_oom = false;
  bool broken_script_numbers = false;  // ReferenceOptions' test hook
  bool debug_command = false;          // ReferenceOptions::debug_command
  int local_sessions = 0;              // ReferenceOptions::local_sessions
  AclState acl;                        // reference_acl.cc
  // The function libraries and their Lua state (reference_functions.cc).
  std::shared_ptr<FunctionsState> functions;
  // The slow log (reference_slowlog.cc): newest first, and the next id.
  std::vector<SlowlogEntry> slowlog;
  int64_t slowlog_next_id = 0;
  // The arguments the running command redacted (SlowlogRedact).
  std::vector<size_t> slowlog_redacted;
  // The latency histograms (reference_latency.cc): each command's samples
  // by full name, one per call ended while latency-tracking was on.
  std::map<std::string, uint64_t> latency_calls;
};

// ---------------------------------------------------------------------------
// Keyspace (db.c, expire.c, multi.c). `db` is a db index.

int64_t GetExpire(State& st, int db, const std::string& key);  // -1: none
bool KeyIsExpired(State& st, int db, const std::string& key);  // now > expire
// expireIfNeeded: deletes the key (touching its watchers) if it is expired;
// returns whether it was.
bool ExpireIfNeeded(State& st, int db, const std::string& key);
// lookupKeyRead / lookupKeyWrite (identical on a master): nullptr when the
// key is missing or was just found expired (and deleted).
Object* LookupKey(State& st, int db, const std::string& key);
// lookupKeyReadWithFlags(LOOKUP_NOTOUCH): the same, leaving robj.lru alone.
Object* LookupKeyNoTouch(State& st, int db, const std::string& key);
// LRU_CLOCK(): the clock in seconds, 24 bits.
int64_t LruClock(const State& st);
bool DbDelete(State& st, int db, const std::string& key);  // dict + expires; no signal
// dbAdd of a new object (createObject's LRU/LFU stamp).
Object& DbAdd(State& st, int db, const std::string& key, Object value);
// dbAdd of an object that already lives (RENAME's and MOVE's source): its
// LRU/LFU stamp goes with it.
Object& DbAddKeepingLru(State& st, int db, const std::string& key, Object value);
void SetExpire(State& st, int db, const std::string& key, int64_t when);
bool RemoveExpire(State& st, int db, const std::string& key);
// setKey: `found` is 1 (SETKEY_ALREADY_EXIST), 0 (SETKEY_DOESNT_EXIST) or -1
// (look the key up first). Drops the expire unless keepttl; signals.
void SetKey(State& st, int db, const std::string& key, Object value, bool keepttl, int found);
// signalModifiedKey -> touchWatchedKey (and, when logging, a KeyEvent).
// `by_client` is false where Redis passes NULL (expired keys).
void SignalModifiedKey(State& st, int db, const std::string& key, bool by_client = true);
// signalFlushedDb's tracking part (trackingInvalidateKeysOnFlush): logs a
// kFlushed event. The watchers are touched by TouchAllWatchedKeysInDb.
void SignalFlushedDb(State& st, int db /* -1: every db */);
// signalFlushedDb / SWAPDB -> touchAllWatchedKeysInDb.
void TouchAllWatchedKeysInDb(State& st, int emptied, int replaced_with /* -1: none */);
void UnwatchAllKeys(State& st, int session);
// discardTransaction: drops the queue, the MULTI flags and every WATCH.
void DiscardTransaction(State& st, int session);

// ---------------------------------------------------------------------------
// One command being run.

// catClientInfoString of a session, the fields the model does not keep
// as "?" (reference_command_info.cc).
std::string ClientInfoText(const Session& s);

struct Ctx {
  State& st;
  int session;
  const std::vector<std::string>& argv;

  Session& s() { return st.sessions[session]; }
  int db() { return s().db; }
  bool resp3() { return s().resp == 3; }
  size_t argc() const { return argv.size(); }

  // Reply shapes, in the session's current protocol.
  resp::Value Ok() { return resp::Value::Simple("OK"); }
  resp::Value Int(int64_t n) { return resp::Value::Integer(n); }
  resp::Value Bulk(std::string s) { return resp::Value::Bulk(std::move(s)); }
  resp::Value Null();       // $-1 / _
  resp::Value NullArray();  // *-1 / _
  resp::Value Array(std::vector<resp::Value> elems = {});
  resp::Value Map(std::vector<resp::Value> flat);     // * flat / %
  resp::Value SetOf(std::vector<resp::Value> elems);  // * / ~
  resp::Value Double(double d);                       // addReplyDouble: "%.17g" bulk / ,double
  // addReplyError: "ERR " + msg, or msg without its '-' when it starts with one.
  resp::Value Err(const std::string& msg);
  resp::Value Syntax() { return Err("syntax error"); }
  resp::Value WrongType();
  resp::Value ArityErr();  // addReplyErrorArity for argv[0]'s command
  // notifyKeyspaceEvent(type, event, key, this db) (reference_notify.cc).
  void Notify(int64_t type, const std::string& event, const std::string& key);

  // getLongLongFromObjectOrReply & co. On failure `*err` holds the reply.
  bool GetLongLong(const std::string& arg, int64_t* out, resp::Value* err,
                   const char* msg = nullptr);
  bool GetLong(const std::string& arg, int64_t* out, resp::Value* err, const char* msg = nullptr);
  bool GetRangeLong(const std::string& arg, int64_t min, int64_t max, int64_t* out,
                    resp::Value* err, const char* msg = nullptr);
  bool GetPositiveLong(const std::string& arg, int64_t* out, resp::Value* err,
                       const char* msg = nullptr);
  bool GetInt(const std::string& arg, int* out, resp::Value* err, const char* msg = nullptr);
  bool GetDouble(const std::string& arg, double* out, resp::Value* err);
  bool GetLongDouble(const std::string& arg, long double* out, resp::Value* err);
};

// Error text formatting as addReplyErrorFormat does it: trims CR/LF at both
// ends and turns the others into spaces.
std::string SanitizeErrorText(std::string s);
// A user argument as "%s" prints it: up to its first NUL byte.
std::string CString(const std::string& s);

// ---------------------------------------------------------------------------
// Numbers and patterns (util.c).

bool String2ll(const std::string& s, int64_t* out);
bool String2ld(const std::string& s, long double* out);
bool String2d(const std::string& s, double* out);
std::string FormatLongDoubleHuman(long double v);  // ld2string(LD_STR_HUMAN)
std::string FormatDouble17g(double d);             // "%.17g", inf/-inf spelled out
bool StringMatch(const std::string& pattern, const std::string& str, bool nocase = false);
bool EqualsIgnoreCase(const std::string& a, const char* b);  // strcasecmp(a, b) == 0

// RESET's connection part (reference_model.cc).
resp::Value ResetConnection(Ctx& c);

// processCommand: runs (or queues) one command for `session`.
resp::Value Process(State& st, int session, const std::vector<std::string>& argv);

// ---------------------------------------------------------------------------
// Command handlers, one family per file (reference_<family>.cc).

using Handler = resp::Value (*)(Ctx&);

struct CommandSpec {
  const char* name;  // lower case, as Redis names it in arity errors
  int arity;         // Redis's arity: n exact, -n at least n
  Handler handler;
};

std::vector<CommandSpec> ConnectionCommands();   // reference_model.cc
std::vector<CommandSpec> KeyCommands();          // reference_keys.cc
std::vector<CommandSpec> StringCommands();       // reference_strings.cc
std::vector<CommandSpec> BitCommands();          // reference_bitops.cc
std::vector<CommandSpec> HashCommands();         // reference_hashes.cc
std::vector<CommandSpec> ListCommands();         // reference_lists.cc
std::vector<CommandSpec> SetCommands();          // reference_sets.cc
std::vector<CommandSpec> ZSetCommands();         // reference_zsets.cc
std::vector<CommandSpec> ZSetAlgebraCommands();  // reference_zsetops.cc
std::vector<CommandSpec> RandomCommands();       // reference_random.cc
std::vector<CommandSpec> PubSubCommands();       // reference_pubsub.cc
std::vector<CommandSpec> SortCommands();         // reference_sort.cc
std::vector<CommandSpec> HllCommands();          // reference_hll.cc: PFADD PFCOUNT PFMERGE
std::vector<CommandSpec> GeoCommands();          // reference_geo.cc
// reference_standalone.cc: ASKING READONLY READWRITE ROLE, and CLUSTER's
// subcommands ("cluster|info", ...), as a standalone master answers them.
std::vector<CommandSpec> StandaloneCommands();
const std::map<std::string, CommandSpec>& ClusterSubcommands();
const std::map<std::string, CommandSpec>& ModuleSubcommands();
// processCommand's refusal of a protected command (DEBUG; MODULE LOAD,
// LOADEX, UNLOAD) on a server whose enable-debug-command and
// enable-module-command are no: its text ("DEBUG command not allowed. ..."),
// "" for any other full name.
std::string ProtectedRejection(const std::string& fullname);
const std::map<std::string, CommandSpec>& LatencySubcommands();  // reference_latency.cc

// Pub/sub subscriptions (reference_pubsub.cc): `kind` is 'c' (channel), 'p'
// (pattern) or 's' (shard channel). Subscribe returns whether it was new,
// Unsubscribe whether it existed; UnsubscribeAll drops every subscription
// of the session (a closed connection).
bool PubSubSubscribe(State& st, int session, char kind, const std::string& name);
bool PubSubUnsubscribe(State& st, int session, char kind, const std::string& name);
void PubSubUnsubscribeAll(State& st, int session);
// The count a (un)subscribe confirmation carries: channels + patterns, or
// shard channels for kind 's'.
int64_t PubSubCount(const State& st, int session, char kind);
// PUBSUB's subcommands, for processCommand's lookup ("pubsub|numsub").
const CommandSpec* FindPubsubSubcommand(const std::string& lowered_sub);
// The subscription commands (reference_pubsub.cc): SUBSCRIBE, UNSUBSCRIBE,
// PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE. Their confirmations
// are frames of their own, delivered to the session itself (State::
// delivered, in order); the reply is none (State::no_reply).
std::vector<CommandSpec> SubscriptionCommands();
// pubsubPublishMessage: every subscriber of the channel, then (not shard)
// of every matching pattern, gets the message (Hooks::deliver, else
// State::delivered); returns the number of receivers.
int64_t PubSubPublish(State& st, const std::string& channel, const std::string& message,
                      bool shard);
// Keyspace notifications (reference_notify.cc): notify.c's classes, the
// bits of Config::notify_keyspace_events.
inline constexpr int64_t kNotifyKeyspace = 1 << 0;  // K
inline constexpr int64_t kNotifyKeyevent = 1 << 1;  // E
inline constexpr int64_t kNotifyGeneric = 1 << 2;   // g
inline constexpr int64_t kNotifyString = 1 << 3;    // $
inline constexpr int64_t kNotifyList = 1 << 4;      // l
inline constexpr int64_t kNotifySet = 1 << 5;       // s
inline constexpr int64_t kNotifyHash = 1 << 6;      // h
inline constexpr int64_t kNotifyZset = 1 << 7;      // z
inline constexpr int64_t kNotifyExpired = 1 << 8;   // x
inline constexpr int64_t kNotifyEvicted = 1 << 9;   // e
inline constexpr int64_t kNotifyStream = 1 << 10;   // t
inline constexpr int64_t kNotifyNew = 1 << 14;      // n
// notifyKeyspaceEvent: when `type` is selected, __keyspace@<db>__:<key>
// gets the event (K) and __keyevent@<db>__:<event> the key (E), in that
// order.
void NotifyKeyspaceEvent(State& st, int64_t type, const std::string& event, const std::string& key,
                         int db);
// Whether the model publishes a command's events (lower-case full name);
// the harness does not run the others while events are on.
bool NotifyModelled(const std::string& lowered_name);
std::vector<CommandSpec> BlockingCommands();  // reference_blocking.cc
// Streams (reference_streams.cc): the commands, and XGROUP's and XINFO's
// subcommands by full name ("xgroup|create"), nullptr when unknown.
std::vector<CommandSpec> StreamCommands();
const CommandSpec* FindStreamSubcommand(const std::string& full_name);

// Blocking (reference_blocking.cc). signalKeyAsReady, called by DbAdd for a
// list, a sorted set or a stream, and by DbDelete and SetKey's overwrite for
// a stream (dbGenericDelete, dbOverwrite); handleClientsBlockedOnKeys, after every command run
// by Process; handleBlockedClientsTimeout, after the clock moves; CLIENT
// UNBLOCK; a blocked session going away.
void SignalKeyAsReady(State& st, int db, const std::string& key, Kind kind);
// getTimeoutFromObjectOrReply: seconds (a float), or milliseconds (an
// integer: WAIT, XREAD BLOCK); the absolute unix ms, 0 for none.
bool GetTimeout(Ctx& c, const std::string& arg, int64_t* out, resp::Value* err,
                bool milliseconds = false);
// scanDatabaseForDeletedStreams: the keys of `db` sessions block on that
// hold a stream which `replaced_with` (another db index, or -1: none) does
// not, signalled as streams, before a flush or SWAPDB.
void SignalDeletedStreams(State& st, int db, int replaced_with);
void HandleClientsBlockedOnKeys(State& st);
// XREAD / XREADGROUP BLOCK (reference_streams.cc blocks through it): the
// session blocks on `keys` (each once, with its first ID), for streams.
Blocked& BlockOnStreams(Ctx& c, const std::vector<std::string>& keys,
                        const std::vector<StreamId>& ids, int64_t timeout);
// A blocked session's reply (served, or unblocked with an error): it is
// unblocked, the reply delivered, and its call logged as served.
void FinishBlocked(State& st, int session, resp::Value reply);
// serveClientsBlockedOnStreamKey and unblockDeletedStreamReadgroupClients
// (reference_streams.cc), for HandleClientsBlockedOnKeys.
void ServeStreamWaiters(State& st, int db, const std::string& key);
void UnblockDeletedStreamGroupWaiters(State& st, int db, const std::string& key);
void HandleBlockedClientsTimeout(State& st);
resp::Value ClientUnblock(Ctx& c);
void UnblockSession(State& st, int session);
// CLIENT PAUSE / UNPAUSE (reference_pause.cc).
constexpr int kPauseOff = 0, kPauseWrite = 1, kPauseAll = 2;
resp::Value ClientPause(Ctx& c);
resp::Value ClientUnpause(Ctx& c);
// processCommand's is_may_replicate_command for one argv: its write flag,
// a script's declared flags (write unless no-writes), may_replicate.
bool PauseMayReplicate(const State& st, const std::vector<std::string>& argv);
// Whether processCommand postpones `argv` from `session` now.
bool PausePostpones(const State& st, int session, const std::vector<std::string>& argv);
void Postpone(State& st, int session, const std::vector<std::string>& argv);
// While paused an expired key reads as absent but stays stored.
bool ExpirePaused(const State& st);
// Ends a pause whose end the clock has passed (its sessions let go).
void CheckPauseEnd(State& st);
// Runs the sessions let go again, in order, each reply delivered.
void RunUnpaused(State& st);
// A postponed session killed, reset or unblocked: out of the lists.
void ForgetPostponed(State& st, int session);
// CLIENT UNBLOCK id ERROR of a postponed session: the error, then its
// command again (RunUnpaused).
bool UnblockPostponedWithError(State& st, int session);
// Memory accounting and eviction (reference_memory.cc): MEMORY's
// subcommands by full name; the formula of a key's bytes and used_memory;
// robj.lru under LRU or LFU (createObject, lookupKey's touch, OBJECT FREQ's
// LFUDecrAndReturn); performEvictions; and processCommand's OOM rejection
// ("" or the error text with its '-').
const std::map<std::string, CommandSpec>& MemorySubcommands();
uint64_t KeyUsage(const std::string& key, const Object& o);
uint64_t UsedMemory(const State& st);
bool LfuPolicy(const State& st);
// rdbLoadObject's choice for a hash saved as a hash table: a listpack when
// it has at most hash-max-listpack-entries fields and no field or value
// longer than hash-max-listpack-value (reference_standalone.cc).
bool HashLoadsAsListpack(const Config& cfg, const Object& o);
// rdbLoad's FUNCTION libraries (DEBUG RELOAD): each library's code run
// again, its functions fresh closures (a library's Lua locals start over),
// in place of the old ones (reference_functions.cc).
void ReloadFunctionLibraries(State& st);
int64_t LfuCounter(const State& st, const Object& o);
int64_t NewLru(const State& st);
void TouchLru(State& st, Object& o);
uint64_t ModelRandom(State& st);
bool PerformEvictions(State& st);
std::string OomRejection(State& st, int session, const std::vector<std::string>& argv,
                         const std::string& name);
// redis-server 7.0.15's COMMAND INFO flags (reference_acl_data.inc; the
// bits are reference_acl_data.py's COMMAND_FLAGS order). 7.0.15 does not
// report may_replicate, so no command carries it.
enum CommandInfoFlag : uint32_t {
  kInfoWrite = 1u << 0,
  kInfoReadonly = 1u << 1,
  kInfoDenyOom = 1u << 2,
  kInfoAdmin = 1u << 3,
  kInfoNoScript = 1u << 5,
  kInfoSkipMonitor = 1u << 9,
};
// A command's flags by full name ("get", "xgroup|create", any case); 0 when
// 7.0.15 has no such command (reference_acl.cc).
uint32_t CommandInfoFlags(const std::string& full);
// Whether 7.0.15 has that command at all (its COMMAND INFO lists it).
bool CommandInfoHas(const std::string& full);
// CMD_MAY_REPLICATE, which 7.0.15's COMMAND INFO does not report
// (commands.def): PUBLISH, SPUBLISH, PFCOUNT, EVAL, EVALSHA, FCALL; by full
// name in lower case. (A script that declares flags is not, processCommand
// finds: ScriptDeclaresWrite.)
bool MayReplicateCommand(const std::string& full);
// The arity and flags of the command lookupCommand finds for an argv (a
// container's subcommand when there is an argument); false when it finds
// none.
bool CommandInfoOf(const std::vector<std::string>& argv, int* arity, uint32_t* flags);
// NOREPLICAS: the rejection of a write (processCommand's is_write_command:
// its write flag, a script's declared one, EXEC's queued ones) while
// min-replicas-to-write and min-replicas-max-lag are both set; "" otherwise.
std::string NoReplicasRejection(const State& st, int session, const std::vector<std::string>& argv,
                                const std::string& name);
// processCommand's view of a script command whose script declares its
// flags (a shebang, or any function): whether it writes (no no-writes);
// nullopt for any other command (reference_scripting.cc).
std::optional<bool> ScriptDeclaresWrite(const State& st, const std::vector<std::string>& argv,
                                        const std::string& name);
// The reply of `session`'s command is written to its connection now: the
// frames it was delivered so far come before it
// (ReferenceModel::ReplyPosition). Only the first mark of a command counts.
// (reference_monitor.cc)
void MarkReplyHere(State& st, int session);
// A frame to `session` outside its reply (a message, a monitor line, a
// push): through Hooks::deliver when set, else into `delivered`
// (reference_monitor.cc).
void DeliverFrame(State& st, int session, resp::Value frame);
// DEBUG DIGEST (reference_standalone.cc): the dataset's digest, 40 hex digits.
std::string DatasetDigestHex(const State& st);
// MONITOR (reference_monitor.cc): the command; a line for every monitor
// (`full`: the command's full name; `script_client`: a script's call;
// `after_reply`: fed after the command's call, so the sender's own line
// follows its reply); call()'s feed of a command that ran (hidden when
// admin or skip_monitor); processCommand's refusal of a command that
// touches the keyspace from a monitor ("" or the error text without
// "ERR "); and the end of monitor mode (RESET, a closed connection).
std::vector<CommandSpec> MonitorCommands();
void MonitorFeed(State& st, int session, const std::vector<std::string>& argv,
                 const std::string& full, bool script_client, bool after_reply);
void MonitorAfterCall(State& st, int session, const std::vector<std::string>& argv,
                      const std::string& full, bool script_client);
std::string MonitorRejection(const State& st, int session, const std::vector<std::string>& argv,
                             const std::string& full);
void MonitorRemove(State& st, int session);
// The slow log's redactions of a call (AUTH's secrets, HELLO AUTH's pair,
// ACL SETUSER's rules, CONFIG SET requirepass's value), which the monitor
// lines share (reference_slowlog.cc); `full` in lower case.
std::vector<bool> RedactedArguments(const State& st, const std::vector<std::string>& argv,
                                    const std::string& full);
// Whether EVAL/EVALSHA(_RO) runs a script whose shebang flags make it a
// denyoom command (flags declared, neither allow-oom nor no-writes):
// reference_scripting.cc.
bool ScriptDeniesOom(const State& st, const std::vector<std::string>& argv,
                     const std::string& name);
// CONFIG's and OBJECT's subcommands by full name ("config|get"),
// reference_introspect.cc.
const std::map<std::string, CommandSpec>& IntrospectionSubcommands();
// COMMAND COUNT/INFO/GETKEYS and CLIENT SETNAME/GETNAME/INFO by full name,
// reference_command_info.cc; the few commands COMMAND INFO and COMMAND
// GETKEYS know there (lower case).
const std::map<std::string, CommandSpec>& CommandInfoSubcommands();
bool CommandInfoKnows(const std::string& lowered);
std::string Lowered(const std::string& s);
bool CommandGetKeysKnows(const std::string& lowered);
// Scripting (reference_scripting.cc): EVAL and its kin; SCRIPT's
// subcommands by full name; SHA-1 in hex. redis.call looks a command up as
// processCommand does (nullptr when unknown; *full is its full name) and
// runs it on `session` with the script client's db (updated: SELECT) and
// protocol (reference_model.cc).
std::vector<CommandSpec> ScriptingCommands();
const std::map<std::string, CommandSpec>& ScriptSubcommands();
std::string ScriptSha1Hex(const std::string& data);
// Functions (reference_functions.cc): FCALL and FCALL_RO; FUNCTION's
// subcommands by full name; the flags a function declared (false: no such
// function).
std::vector<CommandSpec> FunctionCommands();
const std::map<std::string, CommandSpec>& FunctionSubcommands();
bool FunctionDeclaredFlags(const State& st, const std::string& name, uint32_t* flags);
const CommandSpec* LookupModelCommand(const State& st, const std::vector<std::string>& argv,
                                      std::string* full);
resp::Value RunScriptCommand(State& st, int session, const CommandSpec& spec,
                             const std::vector<std::string>& argv, int* db, int resp);
// ACL (reference_acl.cc): the default user as 7.0.15 starts; a session back
// to the default user (RESET, a new connection); AUTH and ACL's
// subcommands by full name ("acl|setuser"); processCommand's NOAUTH and
// NOPERM ("" or the error with its '-'); EXEC's check of a queued command
// ("" or the error text); scriptCall's ACL refusal ("" or
// the text) and redis.acl_check_cmd's answer; HELLO's AUTH option and its
// authentication check ("" or the error with its '-'; user null: no AUTH);
// CONFIG SET requirepass.
void AclInit(State& st);
void AclResetSessionUser(State& st, int session);
std::vector<CommandSpec> AclCommands();
const std::map<std::string, CommandSpec>& AclSubcommands();
std::string AclRejection(State& st, int session, const std::vector<std::string>& argv,
                         const std::string& name);
std::string AclExecRejection(State& st, int session, const std::vector<std::string>& argv,
                             const std::string& name);
// A subcommand redis-server 7.0.15 has and the model does not run (CLIENT
// KILL): the server's arity and ACL checks come before the command, so
// they give their errors here; "" when it would run.
std::string AclUnmodelledRejection(State& st, int session, const std::vector<std::string>& argv);
std::string AclScriptRejection(State& st, int session, const std::vector<std::string>& argv,
                               const std::string& name);
bool AclScriptAllowed(State& st, int session, const std::vector<std::string>& argv,
                      const std::string& name);
// A failed AUTH is logged with `argv0` (HELLO as sent) as its object.
std::string AclHelloAuth(State& st, int session, const std::string& argv0, const std::string* user,
                         const std::string* pass);
void AclSetRequirepass(State& st, const std::string& value);
// The slow log (reference_slowlog.cc): SLOWLOG's subcommands by full name
// ("slowlog|get"); the end of call() for a command that ran (`full` its
// full name; `script_client`: a script's redis.call, logged as the script
// client); a blocked session served (its blocking command's argv) or
// unblocked by CLIENT UNBLOCK (logged with no arguments). A session's
// address in an entry is the engine's for an in-process session: none.
inline constexpr char kSessionPeer[] = "";
const std::map<std::string, CommandSpec>& SlowlogSubcommands();
void SlowlogAfterCall(State& st, int session, const std::vector<std::string>& argv,
                      const std::string& full, bool script_client);
// redactClientCommandArgument: the running command's argument `index`
// shows as "(redacted)" in its entry (HELLO's AUTH pairs).
void SlowlogRedact(State& st, size_t index);
void SlowlogBlockedServed(State& st, int session, const std::vector<std::string>& argv);
void SlowlogBlockedUnblocked(State& st, int session);
// The latency histograms (reference_latency.cc): a call of `full` ended
// (call()'s updateCommandLatencyHistogram; a blocked command when it is
// served or unblocked).
void LatencyRecordCall(State& st, const std::string& full);
// The top-level names of the model's command table (reference_model.cc).
std::vector<std::string> TopLevelCommandNames();

}  // namespace respfuzz::models::refmodel

#endif  // RESPFUZZ_HARNESSES_MODELS_REFERENCE_STATE_H_
