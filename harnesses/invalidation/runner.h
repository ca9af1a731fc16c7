// The invalidation harness's runner (docs/invalidation.md): it runs a
// program (program.h, which says what each op does) with its clients, each a
// cache::ClientCache, against ONE in-process engine (src/engine +
// src/tracking), moving every byte only when an op says so, and runs the same
// commands, in the same order and at the same turn boundaries, on the
// tracking reference model (harnesses/models/tracking_reference.h).
//
// What is where:
//   runner.h / runner.cc   this file: the transport (connections and their
//                          byte queues), delivery (send, deliver, kill,
//                          reconnect, ...), the oracle feed (ServerAction,
//                          ServerObserver) and the test hooks (RunOptions)
//   staleness.h / .cc      the staleness rule: when a cache hit that differs
//                          from the server may still be right
//   checks.h / checks.cc   the checks, run by the runner after each step, and
//                          the harness's registration
//
// Connections: client cN (0-based i) has its data connection in slot 2i and
// its RESP2 redirect connection in slot 2i+1; slot kAdminSlot is the admin
// connection (RESP3, HELLO 3 first) that runs flushall, swapdb, debug-reload
// and config.
// Each slot is one engine session and one reference slot, opened in the same
// order on both sides so the client ids agree; the raw connections
// (raw_ops.cc) are in slots kRawSlot.., opened after the clients' first
// connections, and like the admin's their bytes are checked, never read.
// Per connection there is a
// byte queue each way: client -> server is the cache's own output buffer
// (TakeOutput), moved by `send`; server -> client is the runner's queue,
// filled with everything the engine writes for that session and moved by
// `deliver`.
#ifndef RESPFUZZ_HARNESSES_INVALIDATION_RUNNER_H_
#define RESPFUZZ_HARNESSES_INVALIDATION_RUNNER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/common/reply_parser.h"
#include "harnesses/common/verdict.h"
#include "harnesses/invalidation/program.h"
#include "harnesses/invalidation/retention.h"
#include "harnesses/invalidation/staleness.h"
#include "harnesses/models/tracking_reference.h"
#include "src/cache/client_cache.h"
#include "src/engine/engine.h"
#include "src/resp/reader.h"
#include "src/resp/request.h"
#include "src/tracking/tracker.h"

namespace respfuzz::harnesses::invalidation {

inline constexpr int kAdminSlot = 2 * kMaxClients;  // the admin connection's slot
inline constexpr int kRawSlot = kAdminSlot + 1;     // raw connection rN's slot: kRawSlot + N-1
inline constexpr int kSlots = kRawSlot + kMaxRaw;
// deliver-all stops after this many rounds even if bytes still move (each
// round can only answer what the previous one sent, so a handful suffices).
inline constexpr int kMaxDeliverAllRounds = 64;

// A server-side action of a run, as a ServerObserver sees it: everything
// the runner makes the server do, in order. The oracle against a real
// redis-server (tools/invalidation_oracle.h) replays each action there and
// compares what every connection received.
struct ServerAction {
  enum class Kind : uint8_t {
    kOpen,          // a connection opens in `slot` (client_id: the engine's id)
    kClose,         // the server side of `slots` closes (kill, reconnect)
    kCommand,       // `slot` runs `argv` (one complete command)
    kClock,         // `clock +clock_ms`
    kActiveExpire,  // every expired key is deleted
    kTick,          // the server's cron, then the end of the event-loop turn
  };
  Kind kind = Kind::kCommand;
  size_t op = SIZE_MAX;  // the program op that caused it; SIZE_MAX while the clients connect
  int slot = -1;
  std::vector<int> slots;  // kClose
  std::vector<std::string> argv;
  // kCommand EXEC: the commands its reply answers, in order.
  std::vector<std::vector<std::string>> exec_queue;
  int64_t client_id = 0;
  uint32_t clock_ms = 0;
  // Filled by the runner before After(): the keys the engine expired during
  // the action, in order (db, key), and whether its tracker evicted table
  // keys (tracking-table-max-keys).
  std::vector<std::pair<int, std::string>> expired;
  bool evicted = false;
};

class ServerObserver {
 public:
  virtual ~ServerObserver() = default;
  // Before the engine runs `a`. The unix ms the engine's and the reference
  // model's clocks move to first (never backwards), or nullopt to keep the
  // program's virtual clock (kClock then advances it by clock_ms).
  virtual std::optional<int64_t> Before(const ServerAction& a, const engine::Engine& e) = 0;
  // After it ran: `output[slot]` is what the engine wrote to each connection
  // during the action (replies and pushes, in order; empty when nothing or
  // closed).
  virtual void After(const ServerAction& a, const engine::Engine& e,
                     const std::array<std::string, kSlots>& output) = 0;
};

struct RunOptions {
  static constexpr int64_t kHarnessMaxStringLen = 64 * 1024;

  // false: the runner alone, the harness's floor (bench/floors): the ops
  // move the same bytes between the same engine and caches, and nothing is
  // checked or compared (no reference model, no scratch engine, no framing
  // parse, no Validate()); the verdict is always ok.
  bool checks = true;

  int64_t start_ms = 1'700'000'000'000;
  int64_t max_string_len = kHarnessMaxStringLen;  // both sides; keeps memory bounded
  bool trace = false;                             // one line per op in RunResult::trace

  // Deliberately broken pieces, to prove each check can fail.
  cache::CacheBugs cache_bugs;         // given to every client's cache
  tracking::TrackerBugs tracker_bugs;  // planted in the engine's tracker
  engine::EngineBugs engine_bugs;      // planted in the engine (eviction order)
  // Changes the engine's bytes for a slot before any check sees them.
  std::function<void(size_t op, int slot, std::string* bytes)> corrupt_server_output;
  // Changes a cache hit before the staleness check.
  std::function<void(size_t op, resp::Value* hit)> corrupt_hit;
  // Changes the status of a refused TRACKING off / on before it is checked.
  std::function<void(size_t op, absl::Status* s)> corrupt_refusal;
  // Changes the engine's state after an op, before Validate() (which then
  // runs at that op whatever the op did).
  std::function<void(size_t op, engine::Engine& e)> corrupt_engine;
  // A deliberately broken engine: changes its state after an op unseen by
  // the runner, which validates as after any op (only when a server action
  // ran, and once more after the last op).
  std::function<void(size_t op, engine::Engine& e)> engine_bug;

  // Every server action is shown to the observer (nullptr: none).
  ServerObserver* observer = nullptr;
  // Every command, kill, clock step and expiry is an event-loop turn of its
  // own (the engine's and the reference's turn ends after it), as on a real
  // server that receives one command at a time; `tick` still runs the cron.
  bool turn_per_command = false;
};

struct RunStats {
  size_t hits = 0;             // cache hits checked
  size_t hits_allowed = 0;     // hits that differed but an allowance (a)-(f) allowed
  size_t commands = 0;         // commands the server ran
  int64_t unmodelled_at = -1;  // op at which the reference stopped modelling
  size_t evictions = 0;        // entries the caches evicted (max_entries, max_bytes)
};

struct RunResult {
  fuzz::Verdict verdict;
  std::vector<std::string> trace;
  size_t ops_run = 0;
  RunStats stats;
};

RunResult RunProgram(const Program& program, const RunOptions& options = {});

// --- the runner's own state (runner.cc moves the bytes; checks.cc checks) ---

struct Conn {
  bool open = false;  // the server side is open
  int session = -1;   // engine session
  std::string down;   // server -> client bytes not yet delivered
  uint64_t written = 0, delivered = 0;
  // `written` when a SWAPDB last ran: the bytes up to there came from
  // before it (staleness rule (e)).
  uint64_t written_at_swap = 0;
  // In delivery order; a vector: a std::deque allocates even empty, and a
  // program has a Conn per slot.
  std::vector<InFlightInvalidation> invalidations;
  // Those still undelivered when the server closed the connection: lost
  // with it, so the client learns of them only from the EOF.
  std::vector<InFlightInvalidation> lost;
  resp::RequestParser parser;
  std::vector<resp::Request> requests;  // what parser.Feed() gave, recycled after
};

struct Client {
  ClientSpec spec;
  std::unique_ptr<cache::ClientCache> cache;
  int db = 0;  // the data session's db, as last seen on the server
  // Per connection: the server closed it (kill) and the client has not
  // processed its EOF yet.
  std::array<bool, 2> killed_unseen{};
  // A SWAPDB ran since the cache last cleared, in server order: a clear
  // caused by bytes the server wrote before the SWAPDB ran (delivered
  // after it) leaves the exemption (Runner::Deliver).
  bool swap_exempt = false;
  // A block op was accepted (outside MULTI) and the cache has had a command
  // pending ever since (blocking_ops.cc).
  bool blocking = false;
  // NOLOOP: keys whose invalidation the server skipped because this client's
  // command was running when they expired or left the table, since the cache
  // last cleared (or an invalidation of the key reached it).
  std::set<std::string> noloop_missed;
  uint64_t clears = 0;  // CacheStats::clears when swap_exempt was last updated

  // What the client knows by itself, from what it submitted (the own-write
  // and transaction checks); tickets are the cache's, which count up for the
  // life of one ClientCache object.
  int64_t submit_db = 0;  // the db its submitted SELECTs leave the connection in
  bool in_multi = false;  // a MULTI submitted and its EXEC not yet
  struct OwnWrite {
    uint64_t ticket = 0;
    size_t op = 0;
  };
  std::map<std::pair<int64_t, std::string>, OwnWrite> own_writes;  // (db, key)
  std::map<int64_t, OwnWrite> own_db_writes;                       // FLUSHDB, SWAPDB: db
  OwnWrite own_flushall;
  // Reads submitted (not served), by ticket: the db and command; and per db
  // and command the last ticket whose reply came back.
  std::map<uint64_t, std::pair<int64_t, std::vector<std::string>>> reads_sent;
  std::map<std::pair<int64_t, std::vector<std::string>>, uint64_t> answered;
  // Submits this ClientCache object accepted (hits included): its pending
  // count can never be above it.
  uint64_t accepted = 0;
  Retention retention;  // the retention check (retention.h)
  // The client check's record of the connection, from the runner's calls
  // on the cache alone: false from Connect() on; true once OnBytes returned
  // an error (kept in `failure`) or OnEof was given to a cache that was not
  // disconnected (`failure` OK: the words are the cache's own).
  bool failed = false;
  absl::Status failure;

  void ForgetOwn() {
    accepted = 0;
    own_writes.clear();
    own_db_writes.clear();
    own_flushall = {};
    reads_sent.clear();
    answered.clear();
  }
};

// Parsers and buffers reused from op to op and from input to input, each
// emptied before use; Release() at the end of every input keeps only their
// capacity (libFuzzer re-runs an input that leaves more allocations than it
// freed).
struct RunnerScratch {
  std::unique_ptr<ReplyParser> frames_parser = MakeReplyParser();
  ParseResult frames;                               // one chunk's frames (CheckFrames)
  resp::Reader frame_ends{resp::Protocol::kResp3};  // where each frame ends
  std::array<std::string, kSlots> taken;            // what Collect() took per slot
  std::string expected;                             // the reference's bytes for a slot
  std::vector<size_t> ends;                         // FrameEnds' of a chunk
  bool in_use = false;

  void Release();
};

class Runner {
 public:
  Runner(const Program& program, const RunOptions& options);
  ~Runner();
  RunResult Run();

 private:
  // --- runner.cc: the transport, delivery, the oracle feed, test hooks ---
  cache::CacheOptions OptionsOf(const ClientSpec& spec) const;
  void Open(int slot);
  // A server action starts: the observer sees it first and may move both
  // clocks to its time. False when the program's virtual clock stays.
  bool BeginAction(ServerAction a);
  // After the action's Collect(): the observer sees what every connection got.
  void EndAction();
  // turn_per_command: the action is an event-loop turn of its own.
  void EndTurnIfPerCommand();
  void CloseServerSide(int slot);
  void ConnectClient(int i);
  // Runs one command from `slot` on both sides, then collects the output.
  void RunCommand(int slot, const std::vector<std::string>& argv);
  // Moves every byte the engine wrote to the connections' queues, each
  // chunk checked first (CheckChunk).
  void Collect();
  // Client -> server: every queued byte of client i.
  bool SendClient(int i);
  // Server -> client: up to n bytes on one connection (or the EOF).
  bool Deliver(int i, int conn, size_t n);
  void DeliverAll();
  // The server side of every open connection of client i (`only` >= 0:
  // that one alone) closes (one action); false when none was open.
  bool CloseClient(int i, int only = -1);
  // `conn` kRedirectConn: the redirect connection alone; else every one.
  void Kill(int i, int conn);
  void Reconnect(int i, const ClientSpec& spec);
  void Submit(int i, OpKind kind, const std::vector<std::string>& argv);
  // TRACKING off / on (`what`) at client i: a refusal's reasons.
  void CheckRefusal(int i, const char* what, absl::Status s);
  void RunOp(const Op& op);
  // --- blocking_ops.cc: the block and unblock ops ---
  // Whether client op.client is blocked and op would submit (nothing happens).
  bool RefusedWhileBlocked(const Op& op);
  void RunBlockOp(const Op& op);
  // --- raw_ops.cc: the raw connections ---
  void OpenRaws();
  void RunRawOp(const Op& op);
  // After every op: the replies the caches handed out, the test hooks, then
  // the validate check.
  void AfterOp();
  std::string SlotName(int s) const;

  // --- checks.cc: the checks ---
  void Fail(std::string check, std::string message);
  // The framing and reference checks of one chunk the engine wrote to slot
  // s; false when one failed.
  bool CheckChunk(int s, const std::string& bytes);
  bool CheckFrames(int s, const std::string& bytes);
  bool SameButOrder(int s, const std::string& got, const std::string& want);
  // What a command sent by client i tells it by itself.
  void Submitted(Client& cl, OpKind kind, const std::vector<std::string>& argv, uint64_t ticket);
  bool CheckOwn(int i, const std::vector<std::string>& argv);
  resp::Value ServerValue(int db, const std::vector<std::string>& argv, resp::Protocol proto,
                          bool ignore_ttl);
  void CheckHit(int i, const std::vector<std::string>& argv, resp::Value hit);
  void Allowed(const std::string& why);
  // The replies client i's cache handed out since the last op (own-write).
  void NoteReplies(int i);
  void ValidateTouched();
  // Client i's state() and status() against the runner's record (Client::failed).
  void CheckConnection(int i);
  void CheckRetention(int i);  // retention.cc
  // Client i's cache caches when the server tracks its data connection.
  void CheckLiveness(int i);

  const Program& program_;
  const RunOptions& options_;
  const bool checks_;
  engine::Engine eng_;
  std::optional<models::TrackingReference> ref_;  // with the checks only
  std::optional<engine::Engine> scratch_;         // "the server's current value" of a read (checks)
  int scratch2_ = -1, scratch3_ = -1;
  std::array<Conn, kSlots> conns_;
  std::array<Client, kMaxClients> clients_;
  std::set<std::string> turn_keys_;  // keys modified since the last tick
  std::array<std::vector<std::vector<std::string>>, kSlots> queued_;  // inside MULTI, per slot
  std::vector<std::vector<std::string>> exec_queue_;  // what the running EXEC answers
  int running_slot_ = -1;                             // whose command runs, -1: none
  const std::vector<std::string>* running_argv_ = nullptr;
  ServerAction action_;                       // the server action under way (observer only)
  std::array<std::string, kSlots> observed_;  // what each connection got during it
  uint64_t evicted_before_ = 0;
  bool comparing_ = true;
  bool failed_ = false;
  // Whether the engine, or client i's cache, may have changed since its last
  // Validate() (AfterOp).
  bool engine_touched_ = true;
  std::array<bool, kMaxClients> cache_touched_{};
  size_t op_ = static_cast<size_t>(-1);
  std::string note_;
  RunResult result_;
  std::unique_ptr<RunnerScratch> own_scratch_;  // only when the shared one is in use
  RunnerScratch& sc_;
};

}  // namespace respfuzz::harnesses::invalidation

#endif  // RESPFUZZ_HARNESSES_INVALIDATION_RUNNER_H_
