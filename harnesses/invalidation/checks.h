// The invalidation harness (docs/invalidation.md): a program (program.h) runs
// its clients, each a cache::ClientCache, against ONE in-process engine
// (src/engine + src/tracking), moving every byte only when an op says so, and
// runs the same commands, in the same order and at the same turn boundaries,
// on the tracking reference model (harnesses/models/tracking_reference.h).
//
// Connections: client cN (0-based i) has its data connection in slot 2i and
// its RESP2 redirect connection in slot 2i+1; slot kAdminSlot is the admin
// connection (RESP3, HELLO 3 first) that runs flushall, swapdb and config.
// Each slot is one engine session and one reference slot, opened in the same
// order on both sides so the client ids agree. Per connection there is a
// byte queue each way: client -> server is the cache's own output buffer
// (TakeOutput), moved by `send`; server -> client is the runner's queue,
// filled with everything the engine writes for that session and moved by
// `deliver`.
//
// Op semantics (exact):
//   cN read ARGV     ClientCache::Submit. A hit is checked by the staleness
//                    oracle; a miss is queued in the cache. Submit refused
//                    (disconnected, max_pending, ...): nothing happens.
//   cN write ARGV    Submit; refused (e.g. SELECT inside MULTI): nothing.
//   cN multi/exec    Submit MULTI / EXEC.
//   cN tracking off  ClientCache::TrackingOff (it sends CLIENT TRACKING off
//                    and stops caching); refused when not ready, not
//                    tracking or inside MULTI: nothing.
//   cN tracking on [prefix P]...  ClientCache::AddPrefixes (it sends
//                    CLIENT TRACKING on ... BCAST PREFIX P...; the server
//                    refuses a prefix overlapping one the client has);
//                    refused when not BCAST, not ready, not tracking or
//                    inside MULTI: nothing.
//   send cN          every byte the cache has queued on each of its
//                    connections goes to the server, which parses it and
//                    runs each complete command at once on the engine and
//                    on the reference (bytes for a killed connection are
//                    dropped). No event-loop turn ends.
//   deliver cN [redirect] B   up to B bytes of that connection's server ->
//                    client queue go to ClientCache::OnBytes. On a killed
//                    connection whose queue is empty the client gets
//                    OnEof instead (the first time). No connection there
//                    (a plain client's, or a RESP3 one's without redirect):
//                    nothing. A disconnected client (after an EOF or an
//                    error) reads nothing: the bytes are dropped.
//   deliver-all      rounds of: send for every client, then deliver every
//                    queued byte (and pending EOF) on every connection,
//                    until a round moves nothing (at most
//                    kMaxDeliverAllRounds rounds). No turn ends.
//   kill cN          the server closes every connection of cN (engine
//                    CloseSession, reference Close): the bytes still in its
//                    server -> client queues are lost, the client sees EOF
//                    at its next deliver on that connection.
//   kill cN redirect the same for the redirect connection alone (none:
//                    nothing). Its tracking client then has a broken
//                    redirect: redis-server 7.0.15 pushes
//                    tracking-redir-broken to it instead of each
//                    invalidation if it speaks RESP3, nothing in RESP2.
//   reconnect cN MODE  the client closes its connections (the server side
//                    closes them as for kill; nothing more is delivered),
//                    then opens new ones (engine and reference, data first)
//                    and calls Connect(). Same MODE: the same ClientCache
//                    object reconnects (so a cache kept across a reconnect
//                    is visible); another MODE: a new ClientCache.
//   clock +MS        AdvanceClock on both sides.
//   active-expire    ExpireAllDue on both sides (every due key deleted).
//   config tracking-table-max-keys N   the admin runs CONFIG SET ... N.
//   flushall / swapdb  the admin runs FLUSHALL / SWAPDB 0 1.
//   tick             the server's cron (Engine::Cron, reference Cron: the
//                    tracking-table-max-keys trim), then the end of the
//                    event-loop turn (EndTurn / EndOfTurn: BCAST arrays).
//
// Checks, after every op (the first violation stops the program):
//   staleness   every cache hit equals the server's current value for that
//               command, computed on a scratch engine holding copies of the
//               read's keys (so the server's state, tracking and lazy expiry
//               are untouched), unless one of these allows it:
//                 (a) an invalidation frame naming one of the read's keys,
//                     or a null (flush) one, or tracking-redir-broken, is in
//                     one of the client's server -> client queues and not
//                     yet wholly delivered, or was lost there when the
//                     connection was killed and the client has not seen that
//                     connection's EOF yet;
//                 (b) the client's data connection was killed, or a RESP2
//                     client's redirect connection (the server tells it
//                     nothing), and it has not seen that EOF yet;
//                 (c) BCAST client: one of the read's keys is under a
//                     prefix the server (the reference model) has for the
//                     client and was modified since the last tick (its
//                     array goes out at the end of the turn);
//                 (d) one of the read's keys is logically expired but still
//                     stored (the server invalidates only when it deletes
//                     the key, lazily or actively) and the hit equals the
//                     value read with that key's TTL ignored;
//                 (e) a SWAPDB ran on the server since the client's cache
//                     last cleared everything (CacheStats::clears): the
//                     server sends no invalidation for SWAPDB (Redis 7.0.15;
//                     a known hole, docs/tracking.md);
//                 (f) NOLOOP: one of the read's keys expired (found by the
//                     client's own command) or was evicted from the
//                     tracking table (before its own command) while the
//                     client's command was the running one, so the server
//                     skipped telling it (Redis 7.0.15 skips every
//                     invalidation for a NOLOOP client while it is the
//                     current client, whatever the cause; a known hole,
//                     docs/tracking.md), and no invalidation of that key nor
//                     a clear of the cache came since.
//   own-write   checked on every hit before staleness, and no allowance
//               applies (it is what the client knows by itself): after the
//               client submitted a write naming one of the read's keys in
//               the read's db (or FLUSHALL, or FLUSHDB or SWAPDB of that
//               db), a hit needs a reply to the same read submitted after
//               that write to have come back. Writes count from their
//               submission, MULTI or not, sent or not, NOLOOP or not.
//   transaction no hit while the client is inside its own MULTI (a MULTI
//               submitted, its EXEC not yet): such a read must be queued.
//   reference   after every server action, the bytes the engine wrote to
//               each connection (replies and pushes, in order) equal the
//               reference model's; once the reference says unmodelled(),
//               this check stops for the rest of the program.
//   framing     every chunk the engine writes to a connection reads back
//               as whole RESP frames in that connection's protocol.
//   client      ClientCache::OnBytes accepts the server's bytes (but for
//               CLIENT TRACKING on REDIRECT refused because the program
//               killed that redirect connection during the handshake: the
//               cache disconnects, as it must).
//   validate    Engine::Validate() (the tracker's included) and every
//               ClientCache::Validate(), each after the ops that can have
//               changed it (the engine: a server action or a connection
//               opening or closing; a cache: the runner's calls on it), and
//               all of them once more after the last op.
#ifndef RESPFUZZ_HARNESSES_INVALIDATION_CHECKS_H_
#define RESPFUZZ_HARNESSES_INVALIDATION_CHECKS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/common/registry.h"
#include "harnesses/common/verdict.h"
#include "harnesses/invalidation/program.h"
#include "src/cache/client_cache.h"
#include "src/resp/reader.h"
#include "src/tracking/tracker.h"

namespace respfuzz::engine {
class Engine;
}

namespace respfuzz::harnesses::invalidation {

inline constexpr int kAdminSlot = 2 * kMaxClients;  // the admin connection's slot
inline constexpr int kSlots = kAdminSlot + 1;
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

  int64_t start_ms = 1'700'000'000'000;
  int64_t max_string_len = kHarnessMaxStringLen;  // both sides; keeps memory bounded
  bool trace = false;                             // one line per op in RunResult::trace

  // Deliberately broken pieces, to prove each check can fail.
  cache::CacheBugs cache_bugs;         // given to every client's cache
  tracking::TrackerBugs tracker_bugs;  // planted in the engine's tracker
  // Changes the engine's bytes for a slot before any check sees them.
  std::function<void(size_t op, int slot, std::string* bytes)> corrupt_server_output;
  // Changes a cache hit before the staleness check.
  std::function<void(size_t op, resp::Value* hit)> corrupt_hit;
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

// Whether two byte chunks a connection received for one command (its reply,
// then pushes) differ only in the order of a reply Redis does not order
// (SMEMBERS, HKEYS, HVALS, HGETALL by pair; EXEC's elements by what they
// answer, `exec_queue`).
bool SameRepliesButOrder(const std::vector<std::string>& argv,
                         const std::vector<std::vector<std::string>>& exec_queue,
                         resp::Protocol proto, std::string_view got, std::string_view want);

// Where each complete top-level frame of `bytes` (read from its start in
// `proto`) ends: the offset just past its last byte, in order. `reader` is
// reset and used for it.
void FrameEnds(resp::Protocol proto, std::string_view bytes, resp::Reader* reader,
               std::vector<size_t>* ends);

// Delta-debugs a failing program over its ops (the clients stay): the same
// check must keep failing. nullopt when the program does not fail.
std::optional<Program> MinimizeProgram(Program program, const RunOptions& options,
                                       MinimizeReport* report);

// The registry's entry points.
fuzz::Verdict RunInvalidation(std::string_view input);
std::string DescribeInvalidation(std::string_view input);
absl::StatusOr<std::string> EncodeInvalidationText(std::string_view text);
std::string DecodeInvalidationText(std::string_view input);
std::string ExplainInvalidation(std::string_view input);
std::optional<std::string> MinimizeInvalidation(std::string_view input, MinimizeReport* report);

}  // namespace respfuzz::harnesses::invalidation

#endif  // RESPFUZZ_HARNESSES_INVALIDATION_CHECKS_H_
