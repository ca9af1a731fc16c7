// The staleness rule of the invalidation harness (docs/invalidation.md): a
// cache hit must equal the server's current value for that command, computed
// on a scratch engine holding copies of the read's keys (so the server's
// state, tracking and lazy expiry are untouched), unless one of these allows
// it:
//   (a) an invalidation frame naming one of the read's keys, or a null
//       (flush) one, or tracking-redir-broken, is in one of the client's
//       server -> client queues and not yet wholly delivered, or was lost
//       there when the connection was killed and the client has not seen
//       that connection's EOF yet;
//   (b) the client's data connection was killed, or a RESP2 client's
//       redirect connection (the server tells it nothing), and it has not
//       seen that EOF yet;
//   (c) BCAST client: one of the read's keys is under a prefix the server
//       (the reference model) has for the client and was modified since the
//       last tick (its array goes out at the end of the turn);
//   (d) one of the read's keys is logically expired but still stored (the
//       server invalidates only when it deletes the key, lazily or actively)
//       and the hit equals the value read with that key's TTL ignored;
//   (e) a SWAPDB ran on the server since the client's cache last cleared
//       everything (CacheStats::clears): the server sends no invalidation for
//       SWAPDB (Redis 7.0.15; a known hole, docs/tracking.md);
//   (f) NOLOOP: one of the read's keys expired (found by the client's own
//       command) or was evicted from the tracking table (before its own
//       command) while the client's command was the running one, so the
//       server skipped telling it (Redis 7.0.15 skips every invalidation for
//       a NOLOOP client while it is the current client, whatever the cause;
//       a known hole, docs/tracking.md), and no invalidation of that key nor
//       a clear of the cache came since.
// The runner (runner.h) gathers the facts; StaleHitAllowance applies the rule.
#ifndef RESPFUZZ_HARNESSES_INVALIDATION_STALENESS_H_
#define RESPFUZZ_HARNESSES_INVALIDATION_STALENESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "src/cache/client_cache.h"
#include "src/resp/reply.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses::invalidation {

// An invalidation frame in a server -> client queue, not yet wholly delivered.
struct InFlightInvalidation {
  uint64_t end = 0;  // stream offset just past its last byte
  // Every entry goes: a null invalidation (a flush), or tracking-redir-broken
  // (the server could not tell the redirect connection).
  bool flush = false;
  bool redir_broken = false;
  std::vector<std::string> keys;
};

// An invalidation in a frame the server wrote (RESP3 push or RESP2
// __redis__:invalidate message): the keys, or a flush.
bool InvalidationOf(resp::ReplyRef v, InFlightInvalidation* out);
// `>2 tracking-redir-broken :id`: the server could not tell the redirect
// connection, so it tells the tracking client that everything may be stale.
bool RedirBrokenOf(resp::ReplyRef v, InFlightInvalidation* out);

// Replies whose element order Redis does not promise (SMEMBERS, HKEYS,
// HVALS; HGETALL by pair) are sorted before a comparison.
void CanonicalizeUnordered(const std::vector<std::string>& argv, resp::Value* v);

// What the rule looks at for one hit of one client that differs from the
// server's value.
struct HitFacts {
  std::vector<std::string> keys;  // the read's keys (KeysOf)
  resp::Protocol protocol = resp::Protocol::kResp3;
  cache::Mode mode = cache::Mode::kDefault;
  // Per connection (data, redirect): invalidations not yet delivered, and
  // those lost with the connection (EOF not yet seen); null: none.
  std::array<const std::vector<InFlightInvalidation>*, 2> in_flight{};
  std::array<const std::vector<InFlightInvalidation>*, 2> lost{};
  std::array<bool, 2> killed_unseen{};
  // (c): the BCAST prefixes the server has for the client, and the keys
  // modified since the last tick.
  std::vector<std::string> bcast_prefixes;
  const std::set<std::string>* turn_keys = nullptr;
  // (d): a read key is logically expired but still stored, and the hit
  // equals the value read with the TTLs ignored.
  bool expired_stored_and_equal_without_ttl = false;
  bool swap_exempt = false;                              // (e)
  const std::set<std::string>* noloop_missed = nullptr;  // (f)
};

// Why the differing hit is allowed, (a) to (f) in that order, or nullopt:
// the hit is stale.
std::optional<std::string> StaleHitAllowance(const HitFacts& f);

}  // namespace respfuzz::harnesses::invalidation

#endif  // RESPFUZZ_HARNESSES_INVALIDATION_STALENESS_H_
