#include "src/engine/engine.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/command_facts.h"
#include "src/script/lua_scripts.h"

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

// The tracker's view of the sessions.
class Engine::TrackingPeers : public tracking::Peers {
 public:
  explicit TrackingPeers(Engine* e) : e_(e) {}
  bool Exists(int64_t id) const override { return e_->SessionById(id) >= 0; }
  resp::Protocol ProtocolOf(int64_t id) const override {
    const int s = e_->SessionById(id);
    return s < 0 ? resp::Protocol::kResp2 : e_->sessions_[s]->protocol;
  }
  bool InPubSub(int64_t id) const override {
    const int s = e_->SessionById(id);
    return s >= 0 && e_->sessions_[s]->in_pubsub();
  }
  void Deliver(int64_t id, std::string_view bytes) override {
    const int s = e_->SessionById(id);
    if (s >= 0) e_->Push(s, bytes);
  }

 private:
  Engine* e_;
};

Engine::Engine(EngineOptions options)
    : options_(options),
      clock_(options.start_ms),
      keyspace_(options.num_dbs, &clock_),
      watched_keys_(static_cast<size_t>(options.num_dbs)),
      peers_(std::make_unique<TrackingPeers>(this)),
      tracker_(peers_.get()),
      blocking_keys_(static_cast<size_t>(options.num_dbs)) {
  keyspace_.AddListener([this](const KeyEvent& ev) { OnKeyEvent(ev); });
  // dbAdd signals a new key as ready for the clients blocked on it.
  keyspace_.SetAddedHook(
      [this](int db, std::string_view key, const Object&) { KeyAdded(db, key); });
  // An expired key's value is freed lazily under lazyfree-lazy-expire
  // (lazyfree.cc).
  keyspace_.SetExpiredHook(
      [this](const Object& value) { FreeValue(value, lazyfree_lazy_expire_); });
  // dbGenericDelete / dbOverwrite of a stream signal it: its XREADGROUP
  // sessions are unblocked when it is served.
  keyspace_.SetStreamGoneHook(
      [this](int db, std::string_view key) { SignalStreamKeyGone(db, key); });
  random_state_ = options.random_seed;
  // A run id as Redis's (40 hex digits), from the start time: the same
  // engine options give the same id.
  run_id_ = HexId40(static_cast<uint64_t>(options_.start_ms) ^ 0x5851f42d4c957f2dULL);
}

std::string HexId40(uint64_t seed) {
  std::string id;
  uint64_t x = seed;
  for (int i = 0; i < 40; ++i) {
    if (i % 16 == 0) {  // splitmix64
      x += 0x9e3779b97f4a7c15ULL;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      x = z ^ (z >> 31);
    }
    id.push_back("0123456789abcdef"[(x >> ((i % 16) * 4)) & 15]);
  }
  return id;
}

uint64_t Engine::NextGenpassRandom() {
  genpass_random_state_ += 0x9e3779b97f4a7c15ULL;  // splitmix64
  uint64_t z = genpass_random_state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Engine::NextRandom() {
  random_state_ += 0x9e3779b97f4a7c15ULL;  // splitmix64
  uint64_t z = random_state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {

// The code of an error reply or message: its first word ("ERR", "WRONGTYPE").
std::string ErrorCode(std::string_view msg) {
  if (!msg.empty() && msg[0] == '-') msg.remove_prefix(1);
  const size_t end = msg.find_first_of(" \r\n");
  return std::string(msg.substr(0, end));
}

}  // namespace

void Engine::ResetStats() {  // resetServerStats and resetCommandTableStats
  stats_ = EngineStats{};
  keyspace_.ResetReadStats();
}

Engine::~Engine() = default;

script::EvalScripts& Engine::scripts() {
  if (scripts_ == nullptr) {
    scripts_ = std::make_unique<script::EvalScripts>(
        script::ScriptLimits{.max_instructions = options_.script_max_instructions});
  }
  return *scripts_;
}

script::FunctionLibraries& Engine::functions() {
  if (functions_ == nullptr) {
    // math.random's state is one per process in Redis: EVAL's (kept by
    // EvalScripts across SCRIPT FLUSH), shared by the functions.
    functions_ = std::make_unique<script::FunctionLibraries>(script::ScriptLimits{
        .max_instructions = options_.script_max_instructions, .rand48 = scripts().rand48_state()});
  }
  return *functions_;
}

size_t Engine::cached_script_count() const { return scripts_ == nullptr ? 0 : scripts_->size(); }
size_t Engine::function_count() const {
  return functions_ == nullptr ? 0 : functions_->function_count();
}
size_t Engine::library_count() const {
  return functions_ == nullptr ? 0 : functions_->libraries().size();
}

int Engine::OpenSession() {
  auto s = std::make_unique<Session>();
  s->id = next_client_id_++;
  ++stats_.connections_received;
  s->open = true;
  s->ctime_ms = s->last_interaction_ms = keyspace_.now_ms();
  s->rb_peak_reset_ms = s->ctime_ms / 1000;
  s->authenticated = !acl_.DefaultNeedsAuth();  // createClient
  const int64_t id = s->id;
  int index;
  if (!free_sessions_.empty()) {
    std::pop_heap(free_sessions_.begin(), free_sessions_.end(), std::greater<int>());
    index = free_sessions_.back();
    free_sessions_.pop_back();
    sessions_[index] = std::move(s);
  } else {
    sessions_.push_back(std::move(s));
    index = static_cast<int>(sessions_.size() - 1);
  }
  by_id_[id] = index;
  return index;
}

void Engine::CloseSession(int session) {
  Session& s = *sessions_[session];
  if (!s.open) return;
  if (s.blocked()) Unblock(session);
  RemoveMonitor(session);
  RemoveReplica(session);
  Unwatch(s);
  PubSubRemoveAll(session);
  by_id_.erase(s.id);
  tracker_.ClientClosed(s.id);
  s = Session{};
  free_sessions_.push_back(session);
  std::push_heap(free_sessions_.begin(), free_sessions_.end(), std::greater<int>());
}

int Engine::SessionById(int64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? -1 : it->second;
}

void Engine::SetAddresses(int session, std::string addr, std::string laddr, int fd) {
  sessions_[session]->fd = fd;
  sessions_[session]->addr = std::move(addr);
  sessions_[session]->laddr = std::move(laddr);
  const std::string_view ip = PeerIp(*sessions_[session]);
  sessions_[session]->local = ip == "127.0.0.1" || ip == "::1" || ip == "[::1]";
}

void Engine::Push(int session, std::string_view bytes) {
  Session& s = *sessions_[session];
  if (!s.open || s.close_after_reply) return;
  s.output.append(bytes);
  if (!s.notified) {
    s.notified = true;
    notified_.push_back(session);
  }
}

void Engine::Kill(int session) {
  CloseSession(session);
  killed_.push_back(session);
}

std::vector<int> Engine::TakeNotified() {
  std::vector<int> out = std::move(notified_);
  notified_.clear();
  for (int s : out) sessions_[s]->notified = false;
  return out;
}

std::vector<int> Engine::TakeKilled() {
  std::vector<int> out = std::move(killed_);
  killed_.clear();
  return out;
}

std::string Engine::TakeOutput(int session) {
  std::string out;
  NoteReplyBuffer(*sessions_[session]);
  out.swap(sessions_[session]->output);
  return out;
}

void Engine::AppendOutput(int session, std::string* out) {
  NoteReplyBuffer(*sessions_[session]);
  std::string& buf = sessions_[session]->output;
  if (out->empty()) {
    out->swap(buf);
  } else {
    out->append(buf);
  }
  buf.clear();
}

int64_t Engine::GetParam(ParamId id) const {
  switch (id) {
    case ParamId::kHashMaxListpackEntries:
      return limits_.hash_max_listpack_entries;
    case ParamId::kHashMaxListpackValue:
      return limits_.hash_max_listpack_value;
    case ParamId::kListMaxListpackSize:
      return limits_.list_max_listpack_size;
    case ParamId::kListCompressDepth:
      return limits_.list_compress_depth;
    case ParamId::kSetMaxIntsetEntries:
      return limits_.set_max_intset_entries;
    case ParamId::kZsetMaxListpackEntries:
      return limits_.zset_max_listpack_entries;
    case ParamId::kZsetMaxListpackValue:
      return limits_.zset_max_listpack_value;
    case ParamId::kTrackingTableMaxKeys:
      return tracker_.table_max_keys();
    case ParamId::kStreamNodeMaxBytes:
      return limits_.stream_node_max_bytes;
    case ParamId::kStreamNodeMaxEntries:
      return limits_.stream_node_max_entries;
    case ParamId::kMaxmemory:  // evict.cc
      return static_cast<int64_t>(maxmemory_);
    case ParamId::kMaxmemoryPolicy:
      return static_cast<int64_t>(policy_);
    case ParamId::kBusyReplyThreshold:  // busy_script.cc
      return busy_reply_threshold_;
    case ParamId::kMinReplicasToWrite:
      return min_replicas_to_write_;
    case ParamId::kMinReplicasMaxLag:
      return min_replicas_max_lag_;
    case ParamId::kSlowlogLogSlowerThan:  // slowlog.cc
      return slowlog_slower_than_;
    case ParamId::kSlowlogMaxLen:
      return slowlog_max_len_;
    case ParamId::kAcllogMaxLen:  // acl_log.cc
      return acllog_max_len_;
    case ParamId::kHllSparseMaxBytes:  // cmd_hll.cc
      return limits_.hll_sparse_max_bytes;
    case ParamId::kLatencyMonitorThreshold:  // latency.cc
      return latency_monitor_threshold_;
    case ParamId::kLatencyTracking:
      return latency_tracking_ ? 1 : 0;
    case ParamId::kLazyfreeLazyEviction:  // lazyfree.cc
      return lazyfree_lazy_eviction_ ? 1 : 0;
    case ParamId::kLazyfreeLazyExpire:
      return lazyfree_lazy_expire_ ? 1 : 0;
    case ParamId::kLazyfreeLazyServerDel:
      return lazyfree_lazy_server_del_ ? 1 : 0;
    case ParamId::kLazyfreeLazyUserDel:
      return lazyfree_lazy_user_del_ ? 1 : 0;
    case ParamId::kLazyfreeLazyUserFlush:
      return lazyfree_lazy_user_flush_ ? 1 : 0;
    case ParamId::kAppendonly:  // aof.cc
      return aof_.enabled ? 1 : 0;
    case ParamId::kAppendfsync:
      return aof_.fsync;
    case ParamId::kAofUseRdbPreamble:
      return aof_.use_rdb_preamble ? 1 : 0;
    case ParamId::kAofLoadTruncated:
      return aof_.load_truncated ? 1 : 0;
    case ParamId::kAofTimestampEnabled:
      return aof_.timestamp_enabled ? 1 : 0;
    case ParamId::kAofRewriteIncrementalFsync:
      return aof_.rewrite_incremental_fsync ? 1 : 0;
    case ParamId::kNoAppendfsyncOnRewrite:
      return aof_.no_fsync_on_rewrite ? 1 : 0;
  }
  return 0;
}

void Engine::SetParam(ParamId id, int64_t value) {
  switch (id) {
    case ParamId::kHashMaxListpackEntries:
      limits_.hash_max_listpack_entries = value;
      return;
    case ParamId::kHashMaxListpackValue:
      limits_.hash_max_listpack_value = value;
      return;
    case ParamId::kListMaxListpackSize:
      limits_.list_max_listpack_size = value;
      return;
    case ParamId::kListCompressDepth:
      limits_.list_compress_depth = value;
      return;
    case ParamId::kSetMaxIntsetEntries:
      limits_.set_max_intset_entries = value;
      return;
    case ParamId::kZsetMaxListpackEntries:
      limits_.zset_max_listpack_entries = value;
      return;
    case ParamId::kZsetMaxListpackValue:
      limits_.zset_max_listpack_value = value;
      return;
    case ParamId::kTrackingTableMaxKeys:
      tracker_.set_table_max_keys(value);
      return;
    case ParamId::kStreamNodeMaxBytes:
      limits_.stream_node_max_bytes = value;
      return;
    case ParamId::kStreamNodeMaxEntries:
      limits_.stream_node_max_entries = value;
      return;
    case ParamId::kMaxmemory:  // evict.cc
      maxmemory_ = static_cast<uint64_t>(value);
      return;
    case ParamId::kMaxmemoryPolicy:
      SetMaxmemoryPolicy(static_cast<MaxmemoryPolicy>(value));
      return;
    case ParamId::kBusyReplyThreshold:  // busy_script.cc
      busy_reply_threshold_ = value;
      return;
    case ParamId::kMinReplicasToWrite:
      min_replicas_to_write_ = value;
      return;
    case ParamId::kMinReplicasMaxLag:
      min_replicas_max_lag_ = value;
      return;
    case ParamId::kSlowlogLogSlowerThan:  // slowlog.cc
      slowlog_slower_than_ = value;
      return;
    case ParamId::kSlowlogMaxLen:
      slowlog_max_len_ = value;  // trimmed at the next entry, as Redis does
      return;
    case ParamId::kAcllogMaxLen:  // acl_log.cc
      acllog_max_len_ = value;    // trimmed at the next new entry, as Redis does
      return;
    case ParamId::kHllSparseMaxBytes:  // cmd_hll.cc
      limits_.hll_sparse_max_bytes = value;
      return;
    case ParamId::kLatencyMonitorThreshold:  // latency.cc
      latency_monitor_threshold_ = value;
      return;
    case ParamId::kLatencyTracking:
      latency_tracking_ = value != 0;
      return;
    case ParamId::kLazyfreeLazyEviction:  // lazyfree.cc
      lazyfree_lazy_eviction_ = value != 0;
      return;
    case ParamId::kLazyfreeLazyExpire:
      lazyfree_lazy_expire_ = value != 0;
      return;
    case ParamId::kLazyfreeLazyServerDel:
      lazyfree_lazy_server_del_ = value != 0;
      return;
    case ParamId::kLazyfreeLazyUserDel:
      lazyfree_lazy_user_del_ = value != 0;
      return;
    case ParamId::kLazyfreeLazyUserFlush:
      lazyfree_lazy_user_flush_ = value != 0;
      return;
    case ParamId::kAppendonly:  // aof.cc: ApplyAppendonly acts on it
      aof_.enabled = value != 0;
      return;
    case ParamId::kAppendfsync:
      aof_.fsync = static_cast<int>(value);
      return;
    case ParamId::kAofUseRdbPreamble:
      aof_.use_rdb_preamble = value != 0;
      return;
    case ParamId::kAofLoadTruncated:
      aof_.load_truncated = value != 0;
      return;
    case ParamId::kAofTimestampEnabled:
      aof_.timestamp_enabled = value != 0;
      return;
    case ParamId::kAofRewriteIncrementalFsync:
      aof_.rewrite_incremental_fsync = value != 0;
      return;
    case ParamId::kNoAppendfsyncOnRewrite:
      aof_.no_fsync_on_rewrite = value != 0;
      return;
  }
}

void Engine::CountCall(std::string_view name, const std::string& out, size_t before,
                       bool elsewhere) {
  ++stats_.commands_processed;
  auto it = stats_.commands.find(name);
  if (it == stats_.commands.end()) it = stats_.commands.try_emplace(std::string(name)).first;
  CommandStat& st = it->second;
  ++st.calls;
  if (script_reply_errors_.active) {
    // A script command whose reply held errors: they were counted (or
    // not) as they were written.
    st.failed += script_reply_errors_.uncounted + (script_reply_errors_.counted ? 1 : 0);
    script_reply_errors_ = ScriptReplyErrors{};
    return;
  }
  if (out.size() > before && out[before] == '-') {
    ++st.failed;
    ++stats_.error_replies;
    ++stats_.errors[ErrorCode(std::string_view(out).substr(before))];
  } else if (elsewhere) {
    ++st.failed;
  }
}

namespace {

constexpr size_t kReplyMinBytes = 1024;     // PROTO_REPLY_MIN_BYTES
constexpr size_t kReplyChunkBytes = 16384;  // PROTO_REPLY_CHUNK_BYTES

}  // namespace

// _addReplyToBuffer: the buffer takes what fits; its position only grows
// until the output is written (taken here), so the peak is the output's
// size then, at most the buffer's.
void Engine::NoteReplyBuffer(Session& s) {
  s.rb_peak = std::max(s.rb_peak, std::min(s.rb_usable, s.output.size()));
}

// clientsCron: numclients / hz sessions per call (at least 5, or all when
// fewer), in turn; for each, clientsCronResizeQueryBuffer, then
// clientsCronResizeOutputBuffer.
void Engine::ClientsCron() {
  size_t open = 0;
  for (const auto& s : sessions_) open += s != nullptr && s->open ? 1 : 0;
  constexpr size_t kHz = 10, kMinIterations = 5;  // CLIENTS_CRON_MIN_ITERATIONS
  size_t iterations = open / kHz;
  if (iterations < kMinIterations) iterations = std::min(open, kMinIterations);
  const int64_t now = keyspace_.now_ms();
  for (size_t tries = 0; iterations > 0 && tries < sessions_.size(); ++tries) {
    if (clients_cron_next_ >= sessions_.size()) clients_cron_next_ = 0;
    Session* s = sessions_[clients_cron_next_++].get();
    if (s == nullptr || !s->open) continue;
    --iterations;
    // c->lastinteraction and server.unixtime are whole seconds.
    s->querybuf.CronResize(now / 1000 - s->last_interaction_ms / 1000);
    if (!reply_buffer_resizing_) continue;
    NoteReplyBuffer(*s);
    const size_t pos = std::min(s->rb_usable, s->output.size());
    size_t new_size = 0;
    if (s->rb_usable / 2 >= kReplyMinBytes && s->rb_peak < s->rb_usable / 2) {
      new_size = std::max(kReplyMinBytes, s->rb_peak + 1);
      ++stats_.reply_buffer_shrinks;
    } else if (s->rb_usable * 2 < kReplyChunkBytes * 2 && s->rb_peak == s->rb_usable) {
      new_size = std::min(kReplyChunkBytes, s->rb_usable * 2);
      ++stats_.reply_buffer_expands;
    }
    if (reply_buffer_peak_reset_time_ >= 0 &&
        now - s->rb_peak_reset_ms >= reply_buffer_peak_reset_time_) {
      s->rb_peak = pos;
      s->rb_peak_reset_ms = now;
    }
    if (new_size != 0) s->rb_usable = JemallocUsable(new_size);
  }
}

void Engine::Cron() {
  if (tracker_.tracking_clients() > 0) tracker_.LimitUsedSlots();
  ClientsCron();
  PersistCron();
  AofCron();
  ReplicationCron();
  MigrateCron();
}

void Engine::EndTurn() {
  tracker_.EndTurn();
  if (!ready_keys_.empty() && !busy()) HandleReadyKeys();
  ProcessClientsWaitingReplicas();  // replication.cc
}

size_t Engine::ExpireAllDue() {
  tracker_.SetCurrent(0, false);
  const size_t n = keyspace_.ExpireAllDue();
  PropagatePending(/*no_multi=*/true);  // the expire cycle's DELs, one by one
  return n;
}

Keyspace::ExpireCycleStats Engine::ActiveExpireCycle() {
  if (!active_expire_enabled_) return {};
  tracker_.SetCurrent(0, false);
  // The cycle's duration on the server's monotonic clock (none without a
  // server): the expire-cycle latency event.
  const int64_t start = busy_host_ != nullptr ? busy_host_->MonotonicMs() : -1;
  const Keyspace::ExpireCycleStats st = keyspace_.ActiveExpireCycle();
  PropagatePending(/*no_multi=*/true);
  if (start >= 0) {
    const int64_t ms = busy_host_->MonotonicMs() - start;
    LatencyAddSample("expire-cycle", ms, (keyspace_.now_ms() + ms) / 1000);
  }
  return st;
}

bool Engine::DebugAllowed(const Session& s) const {
  using A = EngineOptions::ProtectedAction;
  if (options_.enable_debug_command == A::kYes) return true;
  return options_.enable_debug_command == A::kLocal && s.local;
}

std::string_view ProtectedActionName(EngineOptions::ProtectedAction a) {
  switch (a) {
    case EngineOptions::ProtectedAction::kYes:
      return "yes";
    case EngineOptions::ProtectedAction::kLocal:
      return "local";
    case EngineOptions::ProtectedAction::kNo:
      break;
  }
  return "no";
}

bool ParseProtectedAction(std::string_view text, EngineOptions::ProtectedAction* out) {
  for (auto a : {EngineOptions::ProtectedAction::kNo, EngineOptions::ProtectedAction::kYes,
                 EngineOptions::ProtectedAction::kLocal}) {
    if (IEquals(text, ProtectedActionName(a))) {
      *out = a;
      return true;
    }
  }
  return false;
}

void Engine::Execute(int session, std::span<const std::string> argv, std::string* out) {
  RunCommand(session, argv, {});
  AppendOutput(session, out);
}

void Engine::ExecuteOwned(int session, std::span<std::string> argv, std::string* out) {
  RunCommand(session, argv, argv);
  AppendOutput(session, out);
}

namespace {

// The container commands' subcommands and their arities (argv[0] and
// argv[1] included).
struct Subcommand {
  std::string_view container;
  std::string_view name;
  int arity;
};
constexpr Subcommand kSubcommands[] = {
    {"client", "id", 2},
    {"client", "help", 2},
    {"client", "tracking", -3},
    {"client", "caching", 3},
    {"client", "getredir", 2},
    {"client", "trackinginfo", 2},
    {"client", "kill", -3},
    {"config", "get", -3},
    {"config", "set", -4},
    {"config", "resetstat", 2},
    {"config", "rewrite", 2},
    {"config", "help", 2},
    {"object", "encoding", 3},
    {"object", "refcount", 3},
    {"object", "freq", 3},
    {"object", "idletime", 3},
    {"object", "help", 2},
    {"client", "no-evict", 3},
    {"client", "reply", 3},
    {"client", "unblock", -3},
    {"client", "pause", -3},
    {"client", "unpause", 2},
    {"pubsub", "channels", -2},
    {"pubsub", "numsub", -2},
    {"pubsub", "numpat", 2},
    {"pubsub", "shardchannels", -2},
    {"pubsub", "shardnumsub", -2},
    {"pubsub", "help", 2},
    {"xgroup", "create", -5},
    {"xgroup", "setid", -5},
    {"xgroup", "destroy", 4},
    {"xgroup", "createconsumer", 5},
    {"xgroup", "delconsumer", 5},
    {"xgroup", "help", 2},
    {"xinfo", "consumers", 4},
    {"xinfo", "groups", 3},
    {"xinfo", "stream", -3},
    {"xinfo", "help", 2},
    // The slow log (slowlog.cc).
    {"slowlog", "get", -2},
    {"slowlog", "len", 2},
    {"slowlog", "reset", 2},
    {"slowlog", "help", 2},
    // The latency monitor and histograms (latency.cc).
    {"latency", "doctor", 2},
    {"latency", "graph", 3},
    {"latency", "histogram", -2},
    {"latency", "history", 3},
    {"latency", "latest", 2},
    {"latency", "reset", -2},
    {"latency", "help", 2},
    // Memory accounting (memory.cc).
    {"memory", "usage", -3},
    {"memory", "stats", 2},
    {"memory", "doctor", 2},
    {"memory", "malloc-stats", 2},
    {"memory", "purge", 2},
    {"memory", "help", 2},
    // COMMAND (cmd_command.cc) and CLIENT's introspection (cmd_client_info.cc).
    {"command", "count", 2},
    {"command", "info", -2},
    {"command", "list", -2},
    {"command", "docs", -2},
    {"command", "getkeys", -4},
    {"command", "getkeysandflags", -4},
    {"command", "help", 2},
    {"client", "setname", 3},
    {"client", "getname", 2},
    {"client", "info", 2},
    {"client", "list", -2},
    // ACL (cmd_acl.cc); LOG is not implemented.
    {"acl", "cat", -2},
    {"acl", "deluser", -3},
    {"acl", "dryrun", -4},
    {"acl", "genpass", -2},
    {"acl", "getuser", 3},
    {"acl", "list", 2},
    {"acl", "load", 2},
    {"acl", "save", 2},
    {"acl", "setuser", -3},
    {"acl", "users", 2},
    {"acl", "whoami", 2},
    {"acl", "help", 2},
    {"acl", "log", -2},
    // CLUSTER (cmd_standalone.cc): every subcommand refuses alike, after
    // its own arity.
    {"cluster", "addslots", -3},
    {"cluster", "addslotsrange", -4},
    {"cluster", "bumpepoch", 2},
    {"cluster", "count-failure-reports", 3},
    {"cluster", "countkeysinslot", 3},
    {"cluster", "delslots", -3},
    {"cluster", "delslotsrange", -4},
    {"cluster", "failover", -2},
    {"cluster", "flushslots", 2},
    {"cluster", "forget", 3},
    {"cluster", "getkeysinslot", 4},
    {"cluster", "help", 2},
    {"cluster", "info", 2},
    {"cluster", "keyslot", 3},
    {"cluster", "links", 2},
    {"cluster", "meet", -4},
    {"cluster", "myid", 2},
    {"cluster", "nodes", 2},
    {"cluster", "replicas", 3},
    {"cluster", "replicate", 3},
    {"cluster", "reset", -2},
    {"cluster", "saveconfig", 2},
    {"cluster", "set-config-epoch", 3},
    {"cluster", "setslot", -4},
    {"cluster", "shards", 2},
    {"cluster", "slaves", 3},
    {"cluster", "slots", 2},
    // MODULE (cmd_standalone.cc): no module is loaded, and LOAD, LOADEX and
    // UNLOAD are protected actions a default server refuses (Dispatch).
    {"module", "help", 2},
    {"module", "list", 2},
    {"module", "load", -3},
    {"module", "loadex", -3},
    {"module", "unload", 3},
};
bool IsContainer(std::string_view name) {
  return name == "client" || name == "config" || name == "object" || name == "pubsub" ||
         name == "xgroup" || name == "xinfo" || name == "memory" || name == "command" ||
         name == "acl" || name == "slowlog" || name == "latency" || name == "cluster" ||
         name == "module";
}

const Subcommand* FindSubcommand(std::string_view container, std::string_view name) {
  for (const Subcommand& sub : kSubcommands) {
    if (sub.container == container && IEquals(name, sub.name)) return &sub;
  }
  return nullptr;
}

const Subcommand* FindClientSubcommand(std::string_view name) {
  return FindSubcommand("client", name);
}

}  // namespace

bool EngineHasSubcommand(std::string_view container, std::string_view sub) {
  return EngineSubcommandArity(container, sub) != 0 ||
         ((container == "script" || container == "function") &&
          ScriptSubcommandError(container,
                                std::vector<std::string>{std::string(container), std::string(sub)})
                  .rfind("ERR unknown subcommand", 0) != 0);
}

std::vector<std::string> EngineSubcommandNames() {
  std::vector<std::string> out;
  for (const Subcommand& s : kSubcommands) {
    out.push_back(std::string(s.container) + "|" + std::string(s.name));
  }
  return out;
}

bool IsEngineContainer(std::string_view name) { return IsContainer(name); }

int EngineSubcommandArity(std::string_view container, std::string_view sub) {
  const Subcommand* s = FindSubcommand(container, sub);
  return s != nullptr && s->name.size() == sub.size() ? s->arity : 0;
}

namespace {

// Commands a RESP2 client may send while subscribed (among those the
// engine has; QUIT is the server layer's).
bool AllowedWhileSubscribed(std::string_view name) {
  return name == "ping" || name == "subscribe" || name == "unsubscribe" || name == "psubscribe" ||
         name == "punsubscribe" || name == "ssubscribe" || name == "sunsubscribe" ||
         name == "reset";
}

}  // namespace

void Engine::Run(int session, std::span<const std::string> argv) { RunCommand(session, argv, {}); }

void Engine::RunCommand(int session, std::span<const std::string> argv,
                        std::span<std::string> owned) {
  Session& s = *sessions_[session];
  if (!s.open || argv.empty() || s.close_after_reply || s.blocked()) return;
  if (!busy()) CatchUpSleep();  // a top-level call reads the time
  // A command of another client while a script has timed out (busy
  // scripts, busy_script.cc) runs inside the script's command: the
  // script's state comes back after it.
  const int outer_session = current_session_;
  const int64_t outer_tracked = tracker_.current();
  const bool outer_executing = tracker_.executing();
  current_session_ = session;
  tracker_.SetCurrent(s.id, false);
  // Only value arguments are moved out of `owned` (TakeArg): argv[0] and
  // argv[1] (a key or a subcommand name) are still intact below.
  // CLIENT INFO's view of the command running (its query buffer holds the
  // command, its argv the arguments; both are empty again after it).
  s.last_interaction_ms = keyspace_.now_ms();
  s.querybuf.Read(argv);
  s.argv_mem = 0;
  s.argv_count = argv.size();
  for (const std::string& a : argv) s.argv_mem += a.size();
  const bool was_replica = s.replica;
  const size_t output_before = s.output.size(), silenced_before = silenced_.size();
  Dispatch(s, argv, owned, ReplyBuffer(s));
  // processCommand: the stream's offset after a command that ran (not
  // queued, not blocked), what this session's WAIT waits for.
  if (!s.in_multi && !s.blocked()) s.woff = repl_offset_;
  // A replica that generated a reply (any, an error included) is closed
  // and the reply dropped, as _addReplyToBufferOrList frees it.
  if (was_replica && s.open &&
      (s.output.size() > output_before || silenced_.size() > silenced_before)) {
    s.output.resize(output_before);
    s.close_after_reply = true;
  }
  // A command postponed by CLIENT PAUSE keeps its arguments (CLIENT LIST's
  // argv-mem), its query buffer consumed (checked on redis-server 7.0.15).
  s.querybuf.Consume();
  if (!s.postponed) s.argv_mem = s.argv_count = 0;
  silenced_.clear();
  // processCommand: the keys the command (or EXEC) made ready are served
  // after it, its own invalidations already sent (not while a script is
  // busy: they wait for its end).
  if (!ready_keys_.empty() && !busy()) HandleReadyKeys();
  // resetClient: CLIENT CACHING's flag lasts one command (or one
  // transaction), unless the command was CLIENT itself. A postponed command
  // is not done: commandProcessed skips a blocked client.
  if (s.open && !s.postponed) {
    const bool client_cmd = IEquals(argv[0], "client") &&
                            (argv.size() == 1 || FindClientSubcommand(argv[1]) != nullptr);
    if (!s.in_multi && !client_cmd) tracker_.ClearCaching(s.id);
    // ... and CLIENT REPLY SKIP silences the command after the one that asked.
    s.reply_skip = s.reply_skip_next;
    s.reply_skip_next = false;
  }
  tracker_.SetCurrent(outer_tracked, outer_executing);
  current_session_ = outer_session;
}

void Engine::Dispatch(Session& s, std::span<const std::string> argv, std::span<std::string> owned,
                      std::string* out) {
  ReplyWriter reply(s.protocol, out);
  const CommandSpec* spec = FindCommand(argv[0]);
  // Rejections before queueing flag the transaction (EXECABORT), as Redis's
  // processCommand does.
  std::string stat_name(spec != nullptr ? spec->name : "");
  auto reject = [&](const std::string& msg) {
    // rejectCommand: the command's rejected_calls, and the error's counts.
    if (!stat_name.empty()) ++stats_.commands[std::string(stat_name)].rejected;
    ++stats_.error_replies;
    if (spec != nullptr && spec->name == "exec") {
      ++stats_.errors["EXECABORT"];
      // A rejected EXEC aborts the transaction (in MULTI or not), quoting
      // the rejection without its "ERR " code.
      DiscardTransaction(s);
      reply.Error("EXECABORT Transaction discarded because of: " +
                  (msg.rfind("ERR ", 0) == 0 ? msg.substr(4) : msg));
      FeedMonitors(s, argv);  // execCommandAbort: the monitors see the EXEC
      return;
    }
    ++stats_.errors[ErrorCode(msg)];
    if (s.in_multi) s.exec_abort = true;
    reply.Error(msg);
  };
  // processCommand's c->lastcmd: the command (or subcommand) looked up,
  // NULL when there is none.
  s.lastcmd = "NULL";
  if (spec != nullptr) {
    s.lastcmd = std::string(spec->name);
    if (IsContainer(spec->name) && argv.size() >= 2) {
      const Subcommand* sub = FindSubcommand(spec->name, argv[1]);
      s.lastcmd = sub != nullptr ? s.lastcmd + "|" + std::string(sub->name) : "NULL";
    } else if ((spec->name == "script" || spec->name == "function") && argv.size() >= 2) {
      // SCRIPT's and FUNCTION's subcommands are in the script module's
      // tables: "script|flush" (an arity error keeps the name), NULL for
      // an unknown one (redis-server 7.0.15's CLIENT LIST, checked).
      const bool unknown =
          ScriptSubcommandError(spec->name, argv).rfind("ERR unknown subcommand", 0) == 0;
      s.lastcmd = unknown ? "NULL" : s.lastcmd + "|" + absl::AsciiStrToLower(argv[1]);
    }
  }
  if (spec == nullptr) {
    reject(UnknownCommandError(argv));
    return;
  }
  std::string fullname(spec->name);
  // A subcommand 7.0.15 has and the engine does not (SCRIPT DEBUG, any a
  // container lacks): the server's lookupCommand finds it, so its arity and
  // ACL checks come first (the reference model does the same); else
  // `unknown`, the unknown-subcommand error.
  auto missing_subcommand = [&](std::string unknown) {
    const CommandFact* f = LookupCommandFact(argv);
    if (f == nullptr) return unknown;
    if (!ArityFits(f->arity, argv.size())) return ArityError(f->fullname);
    std::string acl = AclRejection(s, *spec, argv, f->fullname);
    return acl.empty() ? unknown : acl;
  };
  if (IsContainer(spec->name) && argv.size() >= 2) {
    // A container command: the subcommand is resolved before anything else
    // (subcommands match whole, NULs included).
    const Subcommand* sub = FindSubcommand(spec->name, argv[1]);
    if (sub == nullptr) {
      reject(missing_subcommand(UnknownSubcommandError(argv[0], argv[1])));
      return;
    }
    fullname = std::string(spec->name) + "|" + std::string(sub->name);
    stat_name = fullname;
    if (!ArityFits(sub->arity, argv.size())) {
      reject(ArityError(fullname));
      return;
    }
  } else if (!ArityOk(*spec, argv.size())) {
    reject(ArityError(spec->name));
    return;
  } else if (std::string err = ScriptSubcommandError(spec->name, argv); !err.empty()) {
    // SCRIPT's and FUNCTION's subcommand and its arity: the statistics go
    // to the subcommand lookupCommand found (none when unknown).
    if (err.rfind("ERR unknown subcommand", 0) == 0) err = missing_subcommand(std::move(err));
    stat_name = err.rfind("ERR unknown subcommand", 0) == 0
                    ? ""
                    : std::string(spec->name) + "|" + absl::AsciiStrToLower(argv[1]);
    reject(err);
    return;
  } else if ((spec->name == "script" || spec->name == "function") && argv.size() >= 2) {
    // A valid subcommand: the server names it in its refusals, as for the
    // other containers ("Can't execute 'script|load'").
    fullname = std::string(spec->name) + "|" + absl::AsciiStrToLower(argv[1]);
    stat_name = fullname;
  }
  // processCommand's protected commands, right after the arity: with
  // enable-debug-command and enable-module-command at their default, no,
  // DEBUG and MODULE LOAD / LOADEX / UNLOAD are refused (MODULE LIST and
  // HELP are not protected). DEBUG runs where EngineOptions allow it.
  if (const std::string_view what = ProtectedCommand(fullname);
      !what.empty() && !(what == "DEBUG" && DebugAllowed(s))) {
    reject(ProtectedRefusal(what));
    return;
  }
  // processCommand's authRequired, no-multi and ACL checks, in that order
  // (cmd_acl.cc; a NOPERM is logged there).
  if (std::string acl = AclRejection(s, *spec, argv, fullname); !acl.empty()) {
    reject(acl);
    return;
  }
  // processCommand's order: evictions under maxmemory (evict.cc; their
  // invalidations go out at once, before this command's reply) and the OOM
  // rejection, then the tracking table is trimmed (its invalidations go out
  // at once), then the RESP2 subscribed context is checked.
  if (maxmemory_ != 0 && !busy()) {
    if (bugs_.eviction_invalidation_after_reply) tracker_.SetCurrent(s.id, true);
    std::string oom = OomCheck(s, *spec, argv);
    tracker_.SetCurrent(s.id, false);
    if (!oom.empty()) {
      reject(oom);
      return;
    }
  }
  if (tracker_.tracking_clients() > 0) tracker_.LimitUsedSlots();
  // processCommand: no write without enough good replicas (the engine has
  // none, so min-replicas-to-write and min-replicas-max-lag both set refuse
  // every write).
  if (!GoodReplicasOk() && IsWriteForDispatch(s, *spec, argv)) {
    reject("NOREPLICAS Not enough good replicas to write.");
    return;
  }
  if (s.protocol == resp::Protocol::kResp2 && s.in_pubsub() &&
      !AllowedWhileSubscribed(spec->name)) {
    reject(absl::StrCat("ERR Can't execute '", fullname,
                        "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                        "allowed in this context"));
    return;
  }
  // A script past busy-reply-threshold: only the allow-busy commands run
  // (busy_script.cc).
  if (busy() && !AllowedWhileBusy(argv)) {
    reject(std::string(BusyError()));
    return;
  }
  // A monitor is a replica to processCommand: it may not touch the keyspace
  // (monitor.cc).
  if ((s.monitor || s.replica) && ReplicaMayNotRun(*spec, argv)) {
    reject("ERR Replica can't interact with the keyspace");
    return;
  }
  // CLIENT PAUSE (client_pause.cc): postponed here, after every rejection
  // and before queueing, as processCommand does. A monitor is a replica
  // there, and replicas are never paused.
  if (pause_type_ != PauseType::kOff && !s.monitor && !s.replica &&
      PausePostpones(s, *spec, fullname, argv)) {
    Postpone(s);
    return;
  }
  // MULTI, EXEC, DISCARD and WATCH act at once, even inside MULTI. (UNWATCH
  // is an ordinary command, queued like the others.)
  if ((spec->flags & kCmdTransaction) != 0) {
    // Counted as call() counts them, after they ran.
    const size_t before = out->size();
    struct Count {
      Engine* e;
      const CommandSpec* spec;
      std::string* out;
      size_t before;
      Session* s;
      std::span<const std::string> argv;
      int64_t slept_before;
      ~Count() {
        e->CountCall(spec->name, *out, before);
        e->LatencySample(spec->name);  // latency.cc
        // EXEC lasts as long as what it ran slept.
        e->LatencyEvent((spec->flags & kCmdFast) != 0, e->slept_us_ - slept_before);
        // call()'s slow log (EXEC is skip_slowlog).
        if ((spec->flags & kCmdSkipSlowlog) == 0) e->SlowlogPush(*s, argv, false);
        e->FeedMonitors(*s, argv);  // MULTI EXEC DISCARD WATCH RESET: all shown
      }
    } count{this, spec, out, before, &s, argv, slept_us_};
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
    } else if (name == "reset") {
      Reset(s);
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
    // queueMultiCommand: nothing is queued once the transaction is doomed
    // (CLIENT INFO's multi= counts what was).
    if (!s.exec_abort && !s.dirty_cas) {
      s.queued.emplace_back(argv.begin(), argv.end());  // copies: EXEC runs them unowned
    }
    reply.Simple("QUEUED");
    return;
  }
  // (KeepsArguments: a SET's value moved out showed as "".)
  Call(s, *spec, argv, KeepsArguments() ? std::span<std::string>() : owned, out);
}

void Engine::Call(Session& s, const CommandSpec& spec, std::span<const std::string> argv,
                  std::span<std::string> owned, std::string* out) {
  ++call_depth_;
  tracker_.SetCurrent(s.id, true);
  ReplyWriter reply(s.protocol, out);
  CommandContext ctx{*this, keyspace_, s, spec, argv, reply, s.db, options_.max_string_len, owned};
  const size_t before = out->size();
  // lookupKeyRead's hits and misses: the lookups of read-only commands.
  keyspace_.set_count_reads((spec.flags & kCmdReadonly) != 0);
  const uint64_t errors_elsewhere = errors_to_others_;
  const int64_t slept_before = slept_us_;
  const uint64_t dirty_before = dirty_;
  spec.handler(ctx);
  keyspace_.set_count_reads(false);
  // call()'s propagation (replication.cc): the command (or what it was
  // rewritten as) after the ops it added, when it changed the dataset or
  // forced it (a script command prevents its own: its calls were
  // propagated).
  // A script's calls go where redis.set_repl sends them.
  int target = dirty_ > dirty_before ? kPropagateAof | kPropagateRepl : 0;
  target |= ctx.force_propagation;
  if (in_script_call_) target &= script_repl_flags_;
  if (target != 0 && ShouldPropagate(target) && !ctx.prevent_propagation) {
    if (ctx.propagate_as) {
      AlsoPropagate(s.db, std::move(*ctx.propagate_as), target);
    } else {
      AlsoPropagate(s.db, std::vector<std::string>(argv.begin(), argv.end()), target);
    }
  }
  if (aof_loading_) {
    // call() in the AOF loading context updates no statistics, no slow log
    // and no monitor (update_command_stats is off).
    --call_depth_;
    return;
  }
  std::string stat_name(spec.name);
  if (IsContainer(spec.name) && argv.size() >= 2) {
    const Subcommand* sub = FindSubcommand(spec.name, argv[1]);
    if (sub != nullptr) stat_name = std::string(spec.name) + "|" + std::string(sub->name);
  } else if ((spec.name == "script" || spec.name == "function") && argv.size() >= 2) {
    stat_name = std::string(spec.name) + "|" + absl::AsciiStrToLower(argv[1]);
  }
  CountCall(stat_name, *out, before, errors_to_others_ != errors_elsewhere);
  // call()'s latency histogram sample (latency.cc; a blocked command's when
  // it is unblocked).
  if (!s.blocked()) LatencySample(stat_name);
  // call()'s latencyAddSampleIfNeeded (blocked or not).
  LatencyEvent((spec.flags & kCmdFast) != 0, slept_us_ - slept_before);
  // call()'s slowlogPushCurrentCommand (a blocked command is logged when it
  // is unblocked; EXEC never runs through here).
  if (!s.blocked() && (spec.flags & kCmdSkipSlowlog) == 0) {
    SlowlogPush(s, argv, in_script_call_, slept_us_ - slept_before);
  }
  // call()'s replicationFeedMonitors (monitor.cc).
  if (!monitors_.empty()) FeedMonitorsAfterCall(s, spec, argv);
  // A read-only command's keys are remembered after it ran, whatever it
  // replied (its keys: no command moves a key argument out).
  // EVAL_RO, EVALSHA_RO and FCALL_RO are read-only but remember nothing
  // themselves; a read-only call inside a script remembers the script
  // command's keys (Redis 7.0.15 passes the caller, with its argv).
  if ((spec.flags & kCmdReadonly) != 0 && s.open && tracker_.IsOn(s.id) &&
      !IsScriptCommand(spec.name)) {
    const CommandSpec& kspec = script_spec_ != nullptr ? *script_spec_ : spec;
    const std::span<const std::string> kargv = script_spec_ != nullptr ? script_argv_ : argv;
    std::vector<std::string_view> keys;
    for (size_t i : KeyPositions(kspec, kargv)) keys.push_back(kargv[i]);
    if (!keys.empty()) tracker_.RememberKeys(s.id, keys);
  }
  --call_depth_;
  if (call_depth_ == 0) {
    // afterCommand: the ops collected go to the replicas (RANDOMKEY's and
    // SCAN's expired keys, touches-arbitrary-keys, without MULTI); then
    // the own invalidations after the reply (after EXEC's whole reply).
    PropagatePending(spec.name == "randomkey" || spec.name == "scan");
    tracker_.SetCurrent(s.id, false);
    tracker_.AfterCommand();
  }
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
  // CLIENT INFO inside EXEC: still flagged multi, with the queue's count.
  s.exec_count = static_cast<int64_t>(queued.size());
  s.exec_multi_mem = 0;
  for (const auto& argv : queued) {
    for (const std::string& a : argv) s.exec_multi_mem += a.size() + sizeof(void*);
  }
  ++call_depth_;  // the queued commands are nested calls
  for (std::vector<std::string>& argv : queued) {
    // Queued commands passed the name and arity checks when queued. They are
    // this transaction's own copies, dropped after it: given away too.
    const CommandSpec* spec = FindCommand(argv[0]);
    // ACL permissions are checked again at EXEC (the rules may have
    // changed since the command was queued).
    size_t acl_idx = 0;
    if (const AclResult r = AclCheck(s, argv, &acl_idx); r != AclResult::kOk) {
      AclLogDenial(s, r, "multi", argv, acl_idx, FactName(*spec, argv));
      const std::string_view reason =
          r == AclResult::kDeniedCmd   ? "no permission to execute the command or subcommand"
          : r == AclResult::kDeniedKey ? "no permission to touch the specified keys"
                                       : "no permission to access one of the channels used as "
                                         "arguments";
      ++stats_.error_replies;
      ++stats_.errors["NOPERM"];
      ReplyWriter(s.protocol, ReplyBuffer(s))
          .Error(std::string("NOPERM ACLs rules changed between the moment the transaction was "
                             "accumulated and the EXEC call. This command is no longer allowed "
                             "for the following reason: ") +
                 std::string(reason));
      continue;
    }
    // CLIENT REPLY inside EXEC silences the rest; so does a command that
    // closes its own client (CLIENT KILL, ACL DELUSER of its user): Redis's
    // CLIENT_CLOSE_AFTER_COMMAND turns into CLOSE_AFTER_REPLY after that
    // call, and later replies are dropped.
    // (As in Dispatch: the monitors and the slow log read the arguments
    // after the call.)
    Call(s, *spec, argv, KeepsArguments() ? std::span<std::string>() : std::span<std::string>(argv),
         s.close_after_reply ? &silenced_ : ReplyBuffer(s));
    if (!s.open) break;  // it killed itself? (never: self-kill closes after the reply)
  }
  --call_depth_;
  s.exec_count = -1;
  s.exec_multi_mem = 0;
  s.dirty_cas = false;
  s.exec_abort = false;
  PropagatePending();  // EXEC itself is never propagated: its commands are
  tracker_.SetCurrent(s.id, false);
  tracker_.AfterCommand();
}

bool Engine::AnswerOutside(int session) {
  Session& s = *sessions_[session];
  const bool send = !s.reply_off && !s.reply_skip;
  s.reply_skip = s.reply_skip_next;
  s.reply_skip_next = false;
  return send;
}

std::string* Engine::ReplyBuffer(Session& s) {
  // A replica's reply is never written: it closes the replica (RunCommand).
  return s.reply_off || s.reply_skip || s.replica ? &silenced_ : &s.output;
}

// RESET (clearClientConnectionState): tracking off, db 0, RESP2, the
// transaction and every WATCH dropped, every subscription dropped without a
// confirmation, the name cleared, CLIENT REPLY OFF and a pending SKIP
// cleared; then +RESET, which a SKIP in force for this command still drops.
void Engine::Reset(Session& s) {
  RemoveMonitor(SessionById(s.id));
  DiscardTransaction(s);
  tracker_.Command(s.id, tracking::TrackingRequest{});
  s.db = 0;
  s.protocol = resp::Protocol::kResp2;
  s.name.clear();
  // clientSetDefaultAuth: the default user, authenticated when it needs no
  // password.
  s.user = "default";
  s.authenticated = !acl_.DefaultNeedsAuth();
  PubSubRemoveAll(SessionById(s.id));
  s.reply_off = false;
  s.reply_skip_next = false;
  if (!s.reply_skip) s.output.append("+RESET\r\n");
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
  const int self = SessionById(s.id);
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& key = argv[i];
    WatcherList& list = watched_keys_[s.db][key];
    const bool already =
        std::any_of(list.begin(), list.end(), [&](const Watcher& w) { return w.session == self; });
    if (already) continue;
    list.push_back(Watcher{self, s.watched.size()});
    s.watched.push_back(WatchedKey{s.db, key, keyspace_.IsExpired(s.db, key)});
    ++watch_count_;
  }
  reply.Ok();
}

void Engine::Unwatch(Session& s) {
  if (s.watched.empty()) return;
  const int self = SessionById(s.id);
  for (const WatchedKey& w : s.watched) {
    StrMap<WatcherList>& keys = watched_keys_[w.db];
    auto it = keys.find(w.key);
    if (it == keys.end()) continue;  // Validate() reports it
    WatcherList& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Watcher& x) { return x.session == self; }),
               list.end());
    if (list.empty()) keys.erase(it);
  }
  watch_count_ -= s.watched.size();
  s.watched.clear();
}

const Engine::WatcherList* Engine::WatchersOf(int db, std::string_view key) const {
  const StrMap<WatcherList>& keys = watched_keys_[db];
  auto it = keys.find(key);
  return it == keys.end() ? nullptr : &it->second;
}

bool Engine::WatchedKeyExpired(const Session& s) const {
  for (const WatchedKey& w : s.watched) {
    if (w.expired_at_watch) continue;
    if (keyspace_.IsExpired(w.db, w.key)) return true;
  }
  return false;
}

// Redis's signalModifiedKey: touchWatchedKey and trackingInvalidateKey for
// one key; touchAllWatchedKeysInDb for a whole db (the flush invalidation is
// the FLUSH commands' own, as it is sent even for an empty db; SWAPDB sends
// none).
void Engine::OnKeyEvent(const KeyEvent& ev) {
  if (ev.kind == KeyEventKind::kExpired) {
    ++stats_.expired_keys;
    // deleteExpiredKeyAndPropagate: the event before the key's signal,
    // then propagateDeletion.
    NotifyKeyspaceEvent(kNotifyExpired, "expired", ev.key, ev.db);
    if (propagating()) {
      AlsoPropagate(ev.db, {lazyfree_lazy_expire_ ? "UNLINK" : "DEL", std::string(ev.key)});
    }
  }
  if (blocked_by_type_[static_cast<int>(BlockType::kStream)] != 0 &&
      (ev.kind == KeyEventKind::kFlushed || ev.kind == KeyEventKind::kSwapped)) {
    // FLUSHDB / FLUSHALL or SWAPDB, just before the change: the blocked-on
    // keys of the db that hold a stream now and will not get their
    // XREADGROUP sessions unblocked (scanDatabaseForDeletedStreams).
    std::vector<std::string> keys;
    for (const auto& [key, list] : blocking_keys_[ev.db]) {
      const Object* o = keyspace_.Peek(ev.db, key);
      if (o == nullptr || !Is<Stream>(*o)) continue;
      if (ev.other_db >= 0) {
        const Object* n = keyspace_.Peek(ev.other_db, key);
        if (n != nullptr && Is<Stream>(*n)) continue;
      }
      keys.push_back(key);
    }
    std::sort(keys.begin(), keys.end());  // Redis walks its dict: any order will do
    for (std::string& k : keys) {
      std::pair<int, std::string> entry(ev.db, std::move(k));
      if (ready_set_.contains(entry)) continue;
      ready_set_.insert(entry);
      ready_keys_.push_back(std::move(entry));
    }
  }
  if (ev.kind == KeyEventKind::kWritten || ev.kind == KeyEventKind::kDeleted ||
      ev.kind == KeyEventKind::kExpired) {
    const int64_t modifier = ev.kind == KeyEventKind::kExpired || current_session_ < 0
                                 ? 0
                                 : sessions_[current_session_]->id;
    tracker_.InvalidateKey(modifier, ev.key);
  }
  if (watch_count_ == 0) return;
  if (ev.kind == KeyEventKind::kFlushed || ev.kind == KeyEventKind::kSwapped) {
    // touchAllWatchedKeysInDb: every watched key of the db (the watcher
    // lists stay with the db index; SWAPDB does not move them).
    const int other = ev.kind == KeyEventKind::kSwapped ? ev.other_db : -1;
    for (auto& [key, list] : watched_keys_[ev.db]) {
      const bool in_emptied = keyspace_.Peek(ev.db, key) != nullptr;
      const bool in_other = other >= 0 && keyspace_.Peek(other, key) != nullptr;
      if (!in_emptied && !in_other) continue;
      for (const Watcher& wr : list) {
        Session& s = *sessions_[wr.session];
        WatchedKey& w = s.watched[wr.index];
        if (w.expired_at_watch) {
          if (!in_other) {
            w.expired_at_watch = false;  // the expired key is gone: no logical change
            continue;
          }
          if (keyspace_.IsExpired(other, key)) continue;  // still expired
        } else if (!in_emptied && keyspace_.IsExpired(other, key)) {
          w.expired_at_watch = true;  // a missing key replaced by an expired one
          continue;
        }
        s.dirty_cas = true;
      }
    }
    return;
  }
  // touchWatchedKey: the key's watchers in WATCH order.
  const WatcherList* list = WatchersOf(ev.db, ev.key);
  if (list == nullptr) return;
  std::vector<Session*> dirtied;
  for (const Watcher& wr : *list) {
    Session* s = sessions_[wr.session].get();
    WatchedKey& w = s->watched[wr.index];
    if (w.expired_at_watch) {
      // Expired at WATCH time and now deleted: logically unchanged.
      if (keyspace_.Peek(ev.db, w.key) == nullptr) {
        w.expired_at_watch = false;
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
  size_t closed = 0;
  for (size_t i = 0; i < sessions_.size(); ++i) {
    const Session& s = *sessions_[i];
    // Built only for a failure: Validate() runs after every op of a harness.
    const auto who = [i] { return absl::StrCat("session ", i, ": "); };
    if (!s.open) {
      ++closed;
      if (!s.watched.empty() || !s.queued.empty() || s.in_multi) {
        return absl::InternalError(who() + "closed but holds transaction state");
      }
      if (!s.output.empty() || s.in_pubsub()) {
        return absl::InternalError(who() + "closed but holds output or subscriptions");
      }
      continue;
    }
    if (SessionById(s.id) != static_cast<int>(i)) {
      return absl::InternalError(who() + "not found by its client id");
    }
    if (s.db < 0 || s.db >= keyspace_.num_dbs()) {
      return absl::InternalError(who() + "selected db out of range");
    }
    if (!s.in_multi && (!s.queued.empty() || s.exec_abort)) {
      return absl::InternalError(who() + "queued commands outside MULTI");
    }
    for (size_t a = 0; a < s.watched.size(); ++a) {
      const WatchedKey& w = s.watched[a];
      if (w.db < 0 || w.db >= keyspace_.num_dbs()) {
        return absl::InternalError(who() + "watched key in a db out of range");
      }
      for (size_t b = a + 1; b < s.watched.size(); ++b) {
        if (s.watched[b].db == w.db && s.watched[b].key == w.key) {
          return absl::InternalError(who() + "key '" + w.key + "' watched twice");
        }
      }
      const WatcherList* list = WatchersOf(w.db, w.key);
      const bool listed =
          list != nullptr && std::any_of(list->begin(), list->end(), [&](const Watcher& x) {
            return x.session == static_cast<int>(i) && x.index == a;
          });
      if (!listed)
        return absl::InternalError(who() + "key '" + w.key + "' not in its watcher list");
    }
    watched += s.watched.size();
  }
  // The free slots are exactly the closed sessions, each once, in heap order
  // (OpenSession takes the lowest).
  if (closed != free_sessions_.size()) {
    return absl::InternalError(absl::StrCat(closed, " sessions closed but ", free_sessions_.size(),
                                            " slots free for reuse"));
  }
  // No allocation: Validate runs after every op of the harnesses, whose
  // free lists hold a few slots (a pairwise look is cheaper than a bitmap).
  for (size_t a = 0; a < free_sessions_.size(); ++a) {
    const int slot = free_sessions_[a];
    if (slot < 0 || static_cast<size_t>(slot) >= sessions_.size()) {
      return absl::InternalError(absl::StrCat("free slot ", slot, " out of range"));
    }
    if (sessions_[slot]->open) {
      return absl::InternalError(absl::StrCat("free slot ", slot, " holds an open session"));
    }
    for (size_t b = 0; b < a; ++b) {
      if (free_sessions_[b] == slot) {
        return absl::InternalError(absl::StrCat("slot ", slot, " free twice"));
      }
    }
  }
  if (!std::is_heap(free_sessions_.begin(), free_sessions_.end(), std::greater<int>())) {
    return absl::InternalError("free slots out of heap order");
  }
  if (watched != watch_count_) {
    return absl::InternalError(
        absl::StrCat("watch count ", watch_count_, " but ", watched, " keys are watched"));
  }
  // The per-key watcher lists hold exactly the sessions' watched keys, each
  // once, pointing back at the right entry.
  size_t listed = 0;
  for (size_t db = 0; db < watched_keys_.size(); ++db) {
    for (const auto& [key, list] : watched_keys_[db]) {
      if (list.empty()) return absl::InternalError("empty watcher list for key '" + key + "'");
      for (const Watcher& wr : list) {
        const bool ok = wr.session >= 0 && static_cast<size_t>(wr.session) < sessions_.size() &&
                        sessions_[wr.session]->open &&
                        wr.index < sessions_[wr.session]->watched.size() &&
                        sessions_[wr.session]->watched[wr.index].db == static_cast<int>(db) &&
                        sessions_[wr.session]->watched[wr.index].key == key;
        if (!ok) {
          return absl::InternalError(absl::StrCat("watcher list of key '", key, "' in db ", db,
                                                  " names session ", wr.session, " entry ",
                                                  wr.index, ", which is not it"));
        }
      }
      listed += list.size();
    }
  }
  if (listed != watch_count_) {
    return absl::InternalError(
        absl::StrCat("watcher lists hold ", listed, " entries, ", watch_count_, " keys watched"));
  }
  if (absl::Status ps = ValidatePubSub(); !ps.ok()) return ps;
  if (absl::Status b = ValidateBlocking(); !b.ok()) return b;
  return tracker_.Validate(next_client_id_);
}

}  // namespace respfuzz::engine
