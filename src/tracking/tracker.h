// tracking::Tracker: Redis 7.0.15's server-side client tracking (the state
// behind CLIENT TRACKING, src/tracking.c in the server), on its own.
//
// Why a library of its own: the tracker knows client ids, keys and bytes,
// and nothing of the keyspace or of command dispatch. The engine
// (src/engine) owns one Tracker and wires its key events, command
// boundaries and CLIENT subcommands to it; the tracker reaches the clients
// back only through the small `Peers` interface (does an id exist, its
// protocol, is it subscribed, append bytes to its output). A test can drive
// the tracker with a fake Peers and no engine at all.
//
// The rules, as the server applies them (docs/tracking.md has the full list):
//   - one table key -> client ids for every db; the keys of a read-only
//     command are remembered after it ran (OPTIN: only after CLIENT CACHING
//     yes; OPTOUT: unless CLIENT CACHING no); an invalidation sends
//     `invalidate [key]` to each id and forgets the key (one-shot). Ids of
//     clients that turned tracking off or went away stay in the table and
//     are skipped on delivery, as in the server.
//   - BCAST: no table; each prefix collects the keys modified under it (with
//     the last modifying client, for NOLOOP) and EndTurn() sends each
//     prefix's keys as one array, once per event-loop turn.
//   - NOLOOP: nothing about keys the client itself modified.
//   - own modifications during a command are queued and sent after the
//     command's reply (AfterCommand; after EXEC's whole reply); every other
//     client gets its message at once.
//   - a flush (FLUSHALL/FLUSHDB) sends a null to every tracking client and
//     empties the table.
//   - delivery: RESP3 push `>2 invalidate <keys|null>`; to a redirect target
//     in RESP3 the same push, in RESP2 a pub/sub message on
//     __redis__:invalidate if it is subscribed to anything, else nothing; a
//     RESP2 client without redirect gets nothing; a redirect target that no
//     longer exists: `>2 tracking-redir-broken <id>` to a RESP3 client.
#ifndef RESPFUZZ_TRACKING_TRACKER_H_
#define RESPFUZZ_TRACKING_TRACKER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "src/resp/value.h"

namespace respfuzz::tracking {

// Client flags, as the server's CLIENT_TRACKING_* bits.
enum Flag : uint32_t {
  kOn = 1u << 0,
  kBcast = 1u << 1,
  kOptin = 1u << 2,
  kOptout = 1u << 3,
  kNoloop = 1u << 4,
  kCaching = 1u << 5,      // CLIENT CACHING yes/no given for the next command
  kBrokenRedir = 1u << 6,  // a delivery found the redirect target gone
};

// What the tracker needs to know about clients (the engine implements it).
class Peers {
 public:
  virtual ~Peers() = default;
  virtual bool Exists(int64_t id) const = 0;
  virtual resp::Protocol ProtocolOf(int64_t id) const = 0;
  // Subscribed to any channel (the server's CLIENT_PUBSUB flag).
  virtual bool InPubSub(int64_t id) const = 0;
  // Appends bytes to the client's output stream (a push, never a reply).
  virtual void Deliver(int64_t id, std::string_view bytes) = 0;
};

// CLIENT TRACKING's options, as parsed.
struct TrackingRequest {
  bool on = false;
  int64_t redirect = 0;  // 0: none
  bool bcast = false, optin = false, optout = false, noloop = false;
  std::vector<std::string> prefixes;
};

struct ClientTracking {
  uint32_t flags = 0;
  int64_t redirect = 0;
  std::set<std::string> prefixes;  // BCAST only; sorted as the server's radix tree
};

// What the tracker did with CLIENT TRACKING on|off: the error replies (at
// most one... except the server's own quirk, see Enable) and whether +OK
// follows.
struct TrackingOutcome {
  std::vector<std::string> errors;  // error texts, code included, in reply order
  bool ok = false;                  // +OK after them
};

// Deliberately broken behaviour, one switch per known server-side bug
// class, for tests that prove the invalidation harness catches it. All off
// by default; never set in real use.
struct TrackerBugs {
  // Own invalidations go out at once, in front of (or, in EXEC, in the
  // middle of) the reply of the command that caused them.
  bool own_invalidation_before_reply = false;
  // CLIENT CACHING yes/no stays set after the next command.
  bool caching_not_cleared = false;
  // CLIENT CACHING NO accepted outside OPTOUT mode (scripts/mutants'
  // tracker-9efd2db3): the invalidation harness's raw connections reach it.
  bool caching_no_outside_optout = false;
  // CLIENT TRACKING on BCAST registers prefixes that duplicate or overlap
  // one the client already has, or another given in the same command (the
  // server before its collision checks, redis #8135/#8176): the client then
  // hears about a key once per prefix that covers it.
  bool duplicate_prefixes = false;
};

class Tracker {
 public:
  // tracking-table-max-keys: the server's default and range.
  static constexpr int64_t kDefaultTableMaxKeys = 1'000'000;
  static constexpr int64_t kMaxTableMaxKeys = INT64_MAX;
  // Keys evicted per over-limit round grow by this much per round still
  // over the limit (the server's "effort").
  static constexpr int kEvictEffortStep = 100;

  explicit Tracker(Peers* peers) : peers_(peers) {}
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  // CLIENT TRACKING on|off for client `id`, after the options parsed (the
  // parse errors, REDIRECT's included, are the caller's). The checks run in
  // the server's order. One quirk is kept: a PREFIX that overlaps a *later*
  // PREFIX of the same command, other than the first, replies the overlap
  // error and still enables tracking and replies +OK (two replies).
  TrackingOutcome Command(int64_t id, const TrackingRequest& req);
  // CLIENT CACHING yes|no: the error text, or empty on success.
  std::string Caching(int64_t id, bool yes);
  // After each command (not CLIENT, not inside MULTI) the CACHING flag goes.
  void ClearCaching(int64_t id);

  const ClientTracking* Find(int64_t id) const;
  bool IsOn(int64_t id) const;
  size_t tracking_clients() const { return tracking_clients_; }

  // The client went away: tracking off (its table entries stay, as in the
  // server, and are skipped).
  void ClientClosed(int64_t id);

  // Command boundaries. `current` is the client whose command runs (0:
  // none, e.g. active expiry); `executing` is true while the command itself
  // runs (own modifications are then queued until AfterCommand).
  void SetCurrent(int64_t current, bool executing) {
    current_ = current;
    executing_ = executing;
  }
  int64_t current() const { return current_; }
  bool executing() const { return executing_; }
  // After a read-only command ran for `id`: remember its keys.
  void RememberKeys(int64_t id, const std::vector<std::string_view>& keys);
  // A key was modified (modifier: the client whose command did it, 0 for
  // expiry and eviction). `bcast`: also collect it for BCAST prefixes.
  void InvalidateKey(int64_t modifier, std::string_view key, bool bcast = true);
  // FLUSHALL / FLUSHDB: a null to every tracking client; the table empties.
  void InvalidateOnFlush();
  // The top-level command (EXEC included) is done: the queued own
  // invalidations go to the current client.
  void AfterCommand();
  // The event loop's turn ends: each BCAST prefix's collected keys go out.
  void EndTurn();
  // The table is over tracking-table-max-keys: evict keys (invalidating
  // them) until it is not, or the round's effort is spent. Keys go in
  // sorted order (the server picks them by a random walk).
  void LimitUsedSlots();

  int64_t table_max_keys() const { return table_max_keys_; }
  void set_table_max_keys(int64_t n) { table_max_keys_ = n; }
  size_t table_keys() const { return table_.size(); }
  // Keys LimitUsedSlots evicted since the tracker was made.
  uint64_t evicted_keys() const { return evicted_keys_; }
  // NOLOOP skips every invalidation for the client whose command is running,
  // whatever caused it, as the server does (trackingInvalidateKey compares
  // the target with server.current_client). For the client's own writes that
  // is the point; for a key its command found expired, or one evicted from
  // the table before its command, the client is never told and a cache of
  // that key stays stale. With recording on, each such skip (client id, key)
  // is kept until taken (for the invalidation harness's staleness check).
  void set_record_noloop_unsent(bool on) { record_noloop_unsent_ = on; }
  std::vector<std::pair<int64_t, std::string>> TakeNoloopUnsent() {
    return std::exchange(noloop_unsent_, {});
  }
  size_t table_items() const { return table_items_; }
  // BCAST prefixes some client registered (INFO's tracking_total_prefixes).
  size_t table_prefixes() const { return prefixes_.size(); }
  // Ids remembered for a key (empty when none).
  std::vector<int64_t> TableIds(std::string_view key) const;
  bool HasPendingOwn() const { return !pending_.empty(); }

  // Tests only: plant server-side bugs (TrackerBugs).
  TrackerBugs& bugs_for_test() { return bugs_; }

  // Internal consistency, given the client ids ever issued (< next_id) and
  // which exist now.
  absl::Status Validate(int64_t next_id) const;

 private:
  struct Bcast {
    std::map<std::string, int64_t, std::less<>> keys;  // key -> last modifier
    std::set<int64_t> clients;
  };
  void Disable(int64_t id);
  void EnablePrefix(int64_t id, ClientTracking& t, const std::string& prefix);
  // Sends one message about `payload` for tracking client `id`: a key
  // (wrapped as a one-element array) or, with `proto`, ready RESP bytes.
  void Send(int64_t id, std::string_view payload, bool proto);

  Peers* peers_;
  absl::flat_hash_map<int64_t, ClientTracking> clients_;  // only clients with state
  size_t tracking_clients_ = 0;                           // clients with kOn
  std::map<std::string, std::set<int64_t>, std::less<>> table_;
  size_t table_items_ = 0;
  std::map<std::string, Bcast, std::less<>> prefixes_;
  // Own invalidations queued during a command; nullopt is a flush.
  std::vector<std::optional<std::string>> pending_;
  int64_t current_ = 0;
  bool executing_ = false;
  int64_t table_max_keys_ = kDefaultTableMaxKeys;
  int evict_rounds_ = 0;  // consecutive rounds that ended over the limit
  uint64_t evicted_keys_ = 0;
  bool record_noloop_unsent_ = false;
  std::vector<std::pair<int64_t, std::string>> noloop_unsent_;
  TrackerBugs bugs_;
};

}  // namespace respfuzz::tracking

#endif  // RESPFUZZ_TRACKING_TRACKER_H_
