// A plain reference model of Redis 7.0.15 server-side client tracking
// (tracking.c and its callers), layered on the command model
// (reference_model.h), for the invalidation harness: the same program runs on
// the engine with src/tracking/ and here, and each client's bytes must match.
// Written from the Redis source and checked against redis-server 7.0.15
// (tests/models/tracking_reference_test.cc holds byte strings recorded from
// the real server). It shares nothing with src/tracking/.
//
// Output: per connection, the ordered list of frames the server writes to it
// (each a complete RESP frame, tagged reply or push), and Bytes(), their
// concatenation: exactly the byte stream redis-server writes to that socket.
//
// The rules, each applied where the code says "Rule":
//  - CLIENT TRACKING on|off [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN]
//    [OPTOUT] [NOLOOP]: options parsed left to right (a second REDIRECT, a bad
//    id, an unknown option fail at once), then: PREFIX needs BCAST; BCAST can't
//    be switched while on; BCAST excludes OPTIN/OPTOUT; OPTIN excludes OPTOUT;
//    OPTIN/OPTOUT can't be switched while on; prefixes must not overlap each
//    other or the client's existing ones. Quirk kept: an overlap between two
//    given prefixes other than the first replies the error and then enables
//    tracking and replies +OK as well (two replies). "on" again adds prefixes
//    and resets REDIRECT/OPTIN/OPTOUT/NOLOOP and the broken-redirect flag.
//  - CLIENT CACHING yes|no: needs tracking, yes needs OPTIN, no needs OPTOUT.
//    The flag lasts until the end of the next command that is not CLIENT
//    (any CLIENT subcommand keeps it) and not inside MULTI, so it covers a
//    whole MULTI ... EXEC.
//  - Default mode: one table key name -> client ids, shared by all dbs. A
//    read-only command run by a tracking (non-BCAST) client adds its keys
//    (all of them, found or not, errors included) after it ran; OPTIN adds
//    only with CACHING yes, OPTOUT only without CACHING no. A modified key
//    sends one invalidation ([key]) to each client of its entry still
//    tracking in default mode, and the entry is deleted (one-shot).
//  - NOLOOP: no invalidation to the client running the command (default
//    mode: also for keys its command expired lazily; BCAST: keys whose last
//    modifier this turn was itself; expired keys have no modifier).
//  - BCAST: no table; a modified key is recorded under every registered
//    prefix it starts with (the empty prefix when none was given) and at the
//    end of the event-loop turn (EndOfTurn) each prefix with keys sends one
//    array of its keys (sorted, unique) to each of its clients.
//  - FLUSHDB / FLUSHALL: every tracking client (BCAST too) gets a null
//    invalidation, and the table is emptied. SWAPDB sends nothing.
//  - Expiry: a key deleted because it expired (lazily by any command, or by
//    ExpireAllDue) is a modification.
//  - tracking-table-max-keys (CONFIG SET/GET of that one parameter): before
//    each command (after its arity check) and on Cron(), while the table has
//    more keys than the limit (0: none), keys are invalidated one by one.
//    Redis picks them at random; this model takes the smallest key name.
//  - Frames: RESP3 ">2 $10 invalidate <payload>"; RESP2 only through REDIRECT
//    to a client subscribed to a channel: "*3 $7 message $20
//    __redis__:invalidate <payload>"; otherwise nothing. Payload: "*1 $n key",
//    the BCAST array, or a null written in the *tracking* client's protocol
//    ("_" or "$-1", whichever the redirect target speaks). A redirect to a
//    client that is gone sets broken_redirect and sends ">2 $21
//    tracking-redir-broken :id" to the tracking client if it speaks RESP3.
//  - Blocking (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP,
//    CLIENT UNBLOCK; the command model blocks and serves): a command that
//    blocks writes nothing. Its reply goes out when it is served (after the
//    command or EXEC that made its key ready, which ran to its end: that
//    client's reply and own invalidations come first), times out, or is
//    unblocked (CLIENT UNBLOCK, inside its caller's command: the caller's
//    own invalidations still wait for its reply, after EXEC's whole reply
//    in a transaction); serving runs as the served client's command: the keys it
//    changes invalidate its own cache after its reply (NOLOOP: never), the
//    other clients' at once. A blocking command is a write: a tracking
//    client remembers none of its keys.
//  - Ordering: invalidations for the client running a command (its own
//    writes, lazily expired keys, its FLUSHALL) are queued and sent after the
//    command's reply (after EXEC's whole reply); everything else goes out at
//    once, between the other clients' replies. Eviction before a command
//    goes out at once, before its reply.
//
// Documented limits: the order between several clients' BCAST frames sent to
// one redirect target follows client ids (Redis: pointer order); SUBSCRIBE of
// several channels, UNSUBSCRIBE and a doubled CLIENT TRACKING reply inside
// MULTI, CONFIG of any other parameter and RESET are outside the model:
// unmodelled() turns true and the reply is an error saying so.
#ifndef RESPFUZZ_HARNESSES_MODELS_TRACKING_REFERENCE_H_
#define RESPFUZZ_HARNESSES_MODELS_TRACKING_REFERENCE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harnesses/models/reference_model.h"

namespace respfuzz::models {

struct TrackingOptions {
  int slots = 4;                                 // connection slots 0..slots-1
  int64_t first_client_id = 1;                   // id of the first connection opened
  int64_t start_ms = 1'700'000'000'000;          // virtual clock start (unix ms)
  int64_t tracking_table_max_keys = 1'000'000;   // Redis's default
  int64_t max_string_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  // enable-debug-command local, every slot a local connection: DEBUG runs
  // (the invalidation harness's `debug-reload`, the admin's DEBUG RELOAD).
  bool debug_command = false;
};

enum class FrameKind {
  kReply,  // the reply to a command (SUBSCRIBE's confirmations included)
  kPush,   // an invalidation or tracking-redir-broken (RESP3 push or RESP2 message)
};

struct OutFrame {
  FrameKind kind = FrameKind::kReply;
  std::string bytes;  // one complete RESP frame
  bool operator==(const OutFrame&) const = default;
};

class TrackingReference {
 public:
  explicit TrackingReference(TrackingOptions options = {});

  // A new connection in `slot` (an open one is closed first); returns its
  // client id (ids count up from first_client_id, never reused).
  int64_t Connect(int slot);
  // The connection goes away (killed, or the client closed it): tracking off,
  // subscriptions dropped, its frames not yet taken are discarded. Its table
  // entries stay (they are skipped, as Redis skips ids it cannot find).
  void Close(int slot);
  bool connected(int slot) const;
  int64_t client_id(int slot) const;  // 0 when not connected

  // Runs one command for the connection in `slot` (ignored when closed):
  // appends its reply and every frame it causes to the outputs.
  void Execute(int slot, const std::vector<std::string>& argv);
  void AdvanceClock(int64_t ms);
  void ExpireAllDue();  // every expired key deleted, outside any command
  void Cron();          // serverCron's tracking-table-max-keys enforcement
  void EndOfTurn();     // beforeSleep: the BCAST arrays of this turn go out

  // The frames written to `slot` since the last take, and their bytes.
  const std::vector<OutFrame>& frames(int slot) const;
  std::string Bytes(int slot) const;
  std::vector<OutFrame> TakeFrames(int slot);
  // Drops the slot's frames (after reading them with frames()), keeping the
  // list's capacity.
  void ClearFrames(int slot);
  // True once the program asked for something outside the model (see above).
  bool unmodelled() const { return unmodelled_; }

  // Inspection (for checks and tests).
  std::vector<int64_t> TrackingClientsOf(const std::string& key) const;  // table order
  // The prefixes the connection in `slot` is registered under in BCAST mode
  // (the empty prefix when it gave none), sorted; none when it is not
  // tracking in BCAST mode.
  std::vector<std::string> BcastPrefixes(int slot) const;
  size_t table_keys() const { return table_.size(); }
  int64_t tracking_table_max_keys() const { return max_keys_; }
  const ReferenceModel& commands() const { return model_; }

 private:
  // Redis keeps the ids of one table entry in a radix tree of their 8
  // little-endian bytes: that is the order in which they are told.
  struct IdOrder {
    bool operator()(int64_t a, int64_t b) const;
  };
  struct Client {
    bool connected = false;
    int64_t id = 0;
    bool tracking = false, bcast = false, optin = false, optout = false, noloop = false;
    bool caching = false, broken_redir = false;
    bool reply_off = false, reply_skip = false, reply_skip_next = false;  // CLIENT REPLY
    int64_t redirect = 0;
    std::set<std::string> prefixes;
    std::vector<OutFrame> out;
  };
  struct Bcast {
    std::map<std::string, int64_t> keys;  // key -> id of its last modifier (0: none)
    std::set<int64_t> clients;
  };

  void InstallHooks();
  std::string BeforeCommand(int session, const std::vector<std::string>& argv);
  void AfterCall(int session, const std::vector<std::string>& argv, const std::string& name);
  void ProcessEvents();
  void InvalidateKey(const std::string& key, int64_t modifier, bool bcast);
  void InvalidateOnFlush();
  void SendTrackingMessage(int slot, const std::string& payload);
  void RememberKeys(int slot, const std::vector<std::string>& argv, const std::string& name);
  void LimitUsedSlots();
  void DisableTracking(int slot);
  void Deliver(int slot, const resp::Value& message);
  int SlotOf(int64_t id) const;  // -1: no such connected client
  int resp(int slot) const;
  int tracking_clients() const;
  void Push(int slot, std::string bytes) {
    if (slot == defer_slot_) {
      deferred_.push_back({FrameKind::kPush, std::move(bytes)});
    } else {
      clients_[slot].out.push_back({FrameKind::kPush, std::move(bytes)});
    }
  }
  // A push written at once: an invalidation sent through another client's
  // redirection, or a pub/sub message (Deliver). To the client running
  // EXEC it lands inside EXEC's reply, before the reply of the command that
  // caused it (redis-server 7.0.15 writes it into the reply buffer as it
  // goes), unless it comes from serving a blocked client after EXEC
  // (deferred, as every push then) or from before EXEC runs (the tracking
  // table's limit, an eviction's keyspace event: before its reply, as
  // 7.0.15 writes an `evicted` message to a subscriber running EXEC).
  void PushNow(int slot, std::string bytes) {
    if (exec_ && in_call_ && slot == current_ && slot != defer_slot_) {
      exec_pushes_.push_back({exec_index_, std::move(bytes)});
    } else {
      Push(slot, std::move(bytes));
    }
  }
  // The command model's hook: a blocked session gets its reply.
  void Unblocked(int session, const resp::Value& reply, bool by_command);

  resp::Value ClientTracking(refmodel::Ctx& c);
  resp::Value ClientCaching(refmodel::Ctx& c);
  resp::Value ClientGetRedir(refmodel::Ctx& c);
  resp::Value ClientTrackingInfo(refmodel::Ctx& c);
  resp::Value ClientReply(refmodel::Ctx& c);
  resp::Value Reset(refmodel::Ctx& c);
  resp::Value Subscribe(refmodel::Ctx& c);
  resp::Value Unsubscribe(refmodel::Ctx& c);
  resp::Value Ping(refmodel::Ctx& c);
  resp::Value ConfigSet(refmodel::Ctx& c);
  resp::Value ConfigGet(refmodel::Ctx& c);
  resp::Value Unmodelled(refmodel::Ctx& c, const std::string& what);

  ReferenceModel model_;
  std::vector<Client> clients_;
  std::vector<int> conn_order_;  // server.clients: connection order
  int64_t next_id_;
  int64_t max_keys_;
  bool table_exists_ = false;  // TrackingTable != NULL (tracking ever enabled)
  std::map<std::string, std::set<int64_t, IdOrder>> table_;
  std::map<std::string, Bcast> prefix_table_;
  unsigned eviction_rounds_ = 0;                     // trackingLimitUsedSlots's timeout_counter
  int current_ = -1;                                 // server.current_client (slot)
  bool in_call_ = false;                             // server.fixed_time_expire > 0
  std::vector<std::optional<std::string>> pending_;  // tracking_pending_keys; nullopt: flush
  bool multi_frame_ = false;  // the reply Value is several frames (its elements)
  // EXEC is running for current_: messages to itself wait here with the
  // index of the reply element they precede.
  bool exec_ = false;
  bool pushing_reply_ = false;  // the reply is subscription confirmations (CLIENT_PUSHING)
  size_t exec_index_ = 0;
  std::vector<std::pair<size_t, std::string>> exec_pushes_;
  bool unmodelled_ = false;
  // While a session is served after another client's command: that client's
  // slot, whose frames wait in deferred_ until its reply and own
  // invalidations are out (-1: none).
  int defer_slot_ = -1;
  std::vector<OutFrame> deferred_;
};

}  // namespace respfuzz::models

#endif  // RESPFUZZ_HARNESSES_MODELS_TRACKING_REFERENCE_H_
