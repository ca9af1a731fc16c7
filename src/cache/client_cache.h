// A client-side cache for Redis's server-assisted client-side caching
// (CLIENT TRACKING), built the way a careful client would, and sans-I/O: it
// never touches a socket. It consumes the bytes received on its connections
// (OnBytes, OnEof) and produces the bytes to send (TakeOutput); whoever drives
// it decides when every byte moves: a fuzz harness in-process, or
// SocketClient (socket_client.h) over TCP.
//
// Connections are numbered: 0 is the data connection, which carries the
// commands; with RESP2 and tracking, 1 is the redirect connection, which
// SUBSCRIBEs to __redis__:invalidate and receives the invalidations as
// messages. A RESP3 cache with the `redirect` option has a redirect
// connection too, also RESP3 (HELLO 3; the server pushes invalidations to a
// RESP3 target, subscribed or not).
//
//   ClientCache cache(options);
//   cache.Connect();                          // handshake bytes are queued
//   loop: send cache.TakeOutput(c); cache.OnBytes(c, received) or OnEof(c)
//   auto s = cache.Submit({"GET", "k"});      // s->hit: served from the cache
//   for (Reply& r : cache.TakeReplies()) ...  // the others, in order
//
// The rules (docs/cache.md has the full list):
// - A cacheable read (IsCacheableRead) is one entry, keyed by the db and the
//   whole command (so HGET of one field is its own entry); the entry depends
//   on every key the command reads, through a key -> entries index.
// - A hit is served only for what has been processed: bytes handed to
//   OnBytes are processed before it returns, so a driver must hand over every
//   byte it has received before calling Submit (SocketClient drains its
//   sockets first).
// - An invalidation drops the entries of its keys; a null one (a flush)
//   drops everything; so do EOF on any connection, Connect(), RESET and
//   tracking-redir-broken.
// - The in-flight race: a read whose key is invalidated (or written by this
//   client, or flushed) after it was sent and before its reply returns its
//   reply, which is not cached.
// - A push frame is never the reply of a pending command; on the RESP2
//   redirect connection neither is a `message` frame.
// - Own writes drop own entries when sent (the server does not notify under
//   NOLOOP, and otherwise notifies only after the reply): every key a
//   command names, and everything for commands that can write keys they do
//   not name (FLUSHALL, FLUSHDB, SWAPDB, scripts, functions, DEBUG).
// - BCAST caches only reads whose keys all start with one of its prefixes;
//   OPTIN sends CLIENT CACHING yes right before each read it caches.
#ifndef RESPFUZZ_CACHE_CLIENT_CACHE_H_
#define RESPFUZZ_CACHE_CLIENT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/resp/reader.h"
#include "src/resp/value.h"

namespace respfuzz::cache {

inline constexpr int kDataConn = 0;
inline constexpr int kRedirectConn = 1;

enum class Mode : uint8_t {
  kPlain,    // no tracking, no caching: a plain client
  kDefault,  // CLIENT TRACKING on: the server remembers the keys this client read
  kBcast,    // CLIENT TRACKING on BCAST [PREFIX p]...: every change under the prefixes
  kOptin,    // CLIENT TRACKING on OPTIN: CLIENT CACHING yes before each cached read
  kOptout,   // CLIENT TRACKING on OPTOUT: every read tracked (CACHING no is never sent)
};
std::string_view ModeName(Mode mode);
std::optional<Mode> ParseMode(std::string_view name);  // plain default bcast optin optout

struct CacheLimits {
  static constexpr size_t kDefaultMaxEntries = 10000;
  static constexpr size_t kDefaultMaxBytes = 64u << 20;
  static constexpr size_t kDefaultMaxEntryBytes = 1u << 20;
  static constexpr size_t kDefaultMaxPending = 10000;
  static constexpr size_t kDefaultMaxPrefixes = 64;

  // Entries held; the least recently used is evicted to make room. 0 caches
  // nothing.
  size_t max_entries = kDefaultMaxEntries;
  // Sum of EntryBytes over the entries; LRU eviction keeps it at or below.
  size_t max_bytes = kDefaultMaxBytes;
  // A reply whose entry would take more than this is returned, not cached.
  size_t max_entry_bytes = kDefaultMaxEntryBytes;
  // Commands submitted and not yet answered (sent or queued); Submit fails
  // with RESOURCE_EXHAUSTED beyond it.
  size_t max_pending = kDefaultMaxPending;
  // BCAST prefixes (Options::prefixes.size()).
  size_t max_prefixes = kDefaultMaxPrefixes;
  // For the replies and pushes received.
  resp::ReaderLimits reader;
};

// Deliberately broken behaviour, one switch per known client-side bug
// class, for tests that prove an oracle catches it. Never set in real use.
struct CacheBugs {
  bool fill_after_invalidation = false;    // the miss-then-fill race: cache the reply anyway
  bool hash_entry_per_key = false;         // HGET/HMGET/HEXISTS/HSTRLEN keyed by key, not field
  bool ignore_null_invalidation = false;   // a flush (null invalidation) drops nothing
  bool fail_on_null_invalidation = false;  // a flush makes the client fail (a crash, as a status)
  bool push_as_reply = false;              // a push frame answers the pending command
  bool keep_on_disconnect = false;         // entries survive EOF, Connect() and RESET
  bool ignore_invalidations = false;       // invalidations and flushes drop nothing

  bool any() const {
    return fill_after_invalidation || hash_entry_per_key || ignore_null_invalidation ||
           fail_on_null_invalidation || push_as_reply || keep_on_disconnect || ignore_invalidations;
  }
};
// The switch names, as accepted by SetBug (e.g. "ignore-invalidations").
std::vector<std::string_view> BugNames();
// Turns on the bug named `name`; false for an unknown name.
bool SetBug(std::string_view name, CacheBugs* bugs);

struct CacheOptions {
  Mode mode = Mode::kDefault;
  resp::Protocol protocol = resp::Protocol::kResp3;
  bool noloop = false;  // CLIENT TRACKING ... NOLOOP
  // RESP3 only: CLIENT TRACKING on REDIRECT to a second RESP3 connection,
  // which receives the invalidations (RESP2 tracking always redirects). If
  // that connection goes away the server pushes tracking-redir-broken on the
  // data connection instead of each invalidation.
  bool redirect = false;
  std::vector<std::string> prefixes;  // BCAST only; none = every key
  CacheLimits limits;
  CacheBugs bugs;  // tests only
};
// Why `options` cannot work (PREFIX without BCAST, overlapping prefixes as
// the server refuses them, too many prefixes, NOLOOP without tracking,
// redirect without RESP3 tracking), or OK.
absl::Status ValidateOptions(const CacheOptions& options);

// The reply of a command that went to the server (or never came back).
struct Reply {
  uint64_t ticket = 0;
  resp::Value value;
  bool from_cache = false;  // always false here: hits are returned by Submit
  bool lost = false;        // the connection closed first; `value` is an error
};

struct Submitted {
  uint64_t ticket = 0;
  // Set for a cache hit: the reply, now. Otherwise the reply comes out of
  // TakeReplies() under `ticket`.
  std::optional<resp::Value> hit;
};

enum class State : uint8_t {
  kDisconnected,  // before Connect(), after EOF or a protocol error: see status()
  kHandshake,     // handshake sent; commands queue until its replies are in
  kReady,
  kResetting,  // a RESET is pending; the handshake runs again after its reply
};
std::string_view StateName(State state);

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;            // cacheable reads sent to the server
  uint64_t fills = 0;             // replies stored
  uint64_t fills_raced = 0;       // replies not stored: invalidated while in flight
  uint64_t fills_too_big = 0;     // replies not stored: above max_entry_bytes or max_bytes
  uint64_t invalidated_keys = 0;  // keys named by invalidations
  uint64_t flushes = 0;           // null invalidations
  uint64_t evictions = 0;         // entries evicted by max_entries / max_bytes
  uint64_t drops = 0;             // entries dropped by invalidations and own writes
  uint64_t clears = 0;            // drop-everything events (flush, EOF, reconnect, RESET, ...)
};

// The command name of a cacheable read (GET, MGET, HGET, HGETALL, ...); the
// full list is CacheableReads(). A read is cacheable when its name is listed
// and its argument count fits.
bool IsCacheableRead(const std::vector<std::string>& argv);
std::vector<std::string_view> CacheableReads();
// The keys a cacheable read depends on; empty if it is not one.
std::vector<std::string> ReadKeys(const std::vector<std::string>& argv);

class ClientCache {
 public:
  explicit ClientCache(CacheOptions options);
  ClientCache(const ClientCache&) = delete;
  ClientCache& operator=(const ClientCache&) = delete;

  const CacheOptions& options() const { return options_; }
  // 2 with tracking and RESP2 or the redirect option (data and redirect),
  // else 1.
  int connections() const;

  // The driver has opened fresh connection(s): forgets every byte, reply
  // and entry of the previous ones (pending commands come out as lost) and
  // queues the handshake: RESP3 HELLO 3 then CLIENT TRACKING on ...; RESP2
  // CLIENT ID on both, SUBSCRIBE __redis__:invalidate on the redirect
  // connection and, once both replies are in, CLIENT TRACKING on REDIRECT id;
  // RESP3 with redirect: HELLO 3 on both, then (the redirect connection's id
  // from its HELLO) CLIENT TRACKING on REDIRECT id.
  void Connect();

  // Submits one command. A cacheable read that hits returns its value at
  // once; anything else is sent (or queued until the handshake is done) and
  // its reply comes out of TakeReplies(). Fails when disconnected, on an
  // empty argv, on commands the cache must own (HELLO, CLIENT TRACKING,
  // CLIENT CACHING, CLIENT REPLY, SUBSCRIBE and the other pub/sub and
  // replication commands), and beyond max_pending.
  absl::StatusOr<Submitted> Submit(std::vector<std::string> argv);

  // Turns tracking off on the data connection: sends CLIENT TRACKING off
  // (its reply is the cache's own), drops every entry, and caches nothing
  // more (reads in flight are returned, not cached) until Connect() or
  // RESET turns tracking on again. FAILED_PRECONDITION unless the cache is
  // ready, tracking and not inside MULTI (where the command would be queued
  // and answered inside EXEC's reply).
  absl::Status TrackingOff();

  // BCAST only: turns tracking on again on the data connection with more
  // prefixes (none: the empty prefix), as CLIENT TRACKING on [REDIRECT id]
  // BCAST PREFIX p... [NOLOOP] (the server replaces the mode's flags and
  // redirect, so they are sent again, and adds the prefixes). The server
  // refuses a prefix that overlaps one the client already has, with one
  // error, and nothing changes; after its +OK the new prefixes cover keys
  // too. A reconnect or RESET goes back to the configured prefixes.
  // INVALID_ARGUMENT when the new prefixes overlap among themselves (the
  // server replies twice to that when the overlap is not at the first
  // prefix) or would pass max_prefixes; FAILED_PRECONDITION unless the
  // cache is ready, BCAST, tracking and not inside MULTI.
  absl::Status AddPrefixes(std::vector<std::string> prefixes);
  // The configured prefixes, then those added (AddPrefixes) and confirmed.
  std::vector<std::string> prefixes() const;

  // Bytes to send on `conn`, taken (the internal buffer is emptied).
  std::string TakeOutput(int conn);
  bool HasOutput(int conn) const;

  // Bytes received on `conn`: every complete frame is processed before this
  // returns. Fails on a protocol error or a handshake refused by the server;
  // the cache is then disconnected (everything dropped) until Connect().
  absl::Status OnBytes(int conn, std::string_view bytes);
  // `conn` was closed by the peer: everything is dropped, pending commands
  // come out as lost, and the cache waits for Connect().
  void OnEof(int conn);

  // Replies completed since the last call, in submission order.
  std::vector<Reply> TakeReplies();
  bool HasReplies() const { return !replies_.empty(); }

  State state() const { return state_; }
  bool ready() const { return state_ == State::kReady; }
  // Why the cache is disconnected (OK before the first Connect()).
  const absl::Status& status() const { return status_; }
  // CLIENT ID of each connection as the handshake learnt it; -1 unknown.
  int64_t connection_id(int conn) const;
  // Whether caching is on now: tracking mode, ready, not broken.
  bool caching() const;
  // Commands submitted and not yet answered.
  size_t pending() const;

  size_t entries() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  // Whether `argv` would be served from the cache now.
  bool Contains(const std::vector<std::string>& argv) const;
  const CacheStats& stats() const { return stats_; }

  // Checks the internal structures: the index and the entries agree, every
  // entry's keys are covered (BCAST prefixes), sizes are within the limits,
  // the LRU list and the in-flight index match. OK or the first violation.
  absl::Status Validate() const;

  // What an entry costs against max_bytes: its id (the db and the command),
  // its reply as written in the connection's protocol, and its keys.
  static size_t EntryBytes(std::string_view entry_id, size_t reply_bytes,
                           const std::vector<std::string>& keys);

 private:
  friend class ClientCacheTestPeer;  // tests corrupt the structures to see Validate() fail

  enum class Kind : uint8_t {
    kUser,         // a submitted command; its reply goes to replies_
    kHello,        // handshake: HELLO 3
    kClientId,     // handshake: CLIENT ID
    kSubscribe,    // handshake: SUBSCRIBE __redis__:invalidate
    kTracking,     // handshake: CLIENT TRACKING on ...
    kCaching,      // CLIENT CACHING yes before an OPTIN read
    kOff,          // CLIENT TRACKING off (TrackingOff)
    kAddPrefixes,  // CLIENT TRACKING on ... BCAST PREFIX ... (AddPrefixes)
  };
  struct Request {
    uint64_t ticket = 0;
    Kind kind = Kind::kUser;
    std::vector<std::string> argv;
    // A read that fills the cache with its reply unless poisoned.
    bool fill = false;
    bool poisoned = false;
    std::string entry_id;
    std::vector<std::string> keys;
    bool is_select = false;
    int64_t select_db = 0;
    bool is_reset = false;
    std::vector<std::string> prefixes;  // kAddPrefixes: the new prefixes
  };
  struct Entry {
    resp::Value value;
    std::vector<std::string> keys;
    size_t bytes = 0;
    std::list<std::string>::iterator lru;
  };
  // Whether invalidations come on the redirect connection (connections() 2).
  bool redirecting() const;
  // The redirect connection can be named by CLIENT TRACKING on REDIRECT: its
  // id is known and, in RESP2, it has subscribed.
  bool RedirectReady() const;
  void StartHandshake(bool data_only);
  void MaybeFinishHandshake();
  void SendInternal(int conn, Kind kind, std::vector<std::string> argv);
  // Sends (or, before ready, queues) a user request; applies the own-write
  // and transaction rules at the moment it goes out.
  void Send(Request request);
  void FlushQueue();
  void ProcessFrame(int conn, resp::Value frame);
  void Complete(int conn, Request& request, resp::Value value);
  void HandlePush(const resp::Value& push);
  void HandleInvalidation(const resp::Value& payload);
  // Drops the entries reading `key` and poisons the reads of it in flight
  // (an invalidation, or `own`: a write this client sent).
  void InvalidateKey(const std::string& key, bool own);
  // Drops every entry and poisons every read in flight. `disconnect`: for
  // EOF, Connect(), RESET and tracking-redir-broken (the keep_on_disconnect
  // bug keeps the entries then).
  void ClearAll(bool disconnect);
  void DropEntry(const std::string& entry_id);
  void Insert(const Request& request, const resp::Value& value);
  void Fail(absl::Status status);
  // Every pending and queued user command comes out as lost.
  void LoseAll(std::string_view why);
  void TrackInflight(Request* r);
  void UntrackInflight(const Request& r);
  bool HitsAllowed() const;
  bool Covered(const std::string& key) const;  // BCAST prefixes
  std::string EntryId(const std::vector<std::string>& argv) const;

  CacheOptions options_;
  State state_ = State::kDisconnected;
  absl::Status status_;
  uint64_t next_ticket_ = 1;

  struct Conn {
    std::unique_ptr<resp::Reader> reader;
    // Kept with the reader: a frame split across OnBytes calls is built on
    // (a fresh builder per call would lose the aggregates still open).
    std::vector<resp::Value> frames;
    std::unique_ptr<resp::TreeBuilder> builder;
    std::string out;
    std::deque<Request> pending;  // sent, awaiting replies, in order
    int64_t id = -1;
  };
  Conn conns_[2];
  std::deque<Request> queued_;  // user commands waiting for the handshake
  std::vector<Reply> replies_;
  bool subscribed_ = false;
  bool tracking_sent_ = false;
  bool tracking_on_ = false;
  bool tracking_broken_ = false;  // tracking-redir-broken: no caching until Connect()
  // Prefixes AddPrefixes added and the server confirmed, until the next
  // handshake.
  std::vector<std::string> added_prefixes_;
  bool in_multi_ = false;
  int pending_selects_ = 0;
  // A MULTI submitted and not its EXEC, DISCARD or RESET: in_multi_ counts
  // what was sent, this also what waits in queued_ for the handshake.
  bool multi_submitted_ = false;
  int handshake_pending_ = 0;  // handshake commands sent and not answered
  size_t user_pending_ = 0;    // user commands sent or queued and not answered
  int64_t db_ = 0;

  absl::flat_hash_map<std::string, Entry> entries_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> index_;
  std::list<std::string> lru_;  // front: most recently used
  size_t bytes_ = 0;
  // key -> reads in flight that fill and depend on it.
  absl::flat_hash_map<std::string, std::vector<Request*>> inflight_;
  CacheStats stats_;
};

}  // namespace respfuzz::cache

#endif  // RESPFUZZ_CACHE_CLIENT_CACHE_H_
