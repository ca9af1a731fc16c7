// The invalidation harness's retention check (docs/invalidation.md): a cache
// that drops more than it must is never stale, so the staleness check cannot
// see it; this check says which entries a cache must still hold.
//
// After every op, for each client: every read it submitted (its first
// kMaxRetentionReads distinct ones) that its cache held after the previous
// op (ClientCache::Contains) must still be held, unless during this op
//   - the cache is not ready at its end (an EOF, an error, a handshake after
//     Connect(), RESET), or is another ClientCache object, or the op was the
//     client's `reconnect` or `tracking off` (which drops everything);
//   - an invalidation frame wholly delivered to one of the client's
//     connections was a flush (null) or tracking-redir-broken, or named a
//     word of the read (any argument: the check does not lean on which are
//     keys);
//   - the client has a write submitted and not yet answered (counted from the
//     op that submitted it until an op ends with nothing pending) that names
//     a word of the read, or changes keys it does not name or the db
//     (FLUSHALL, FLUSHDB, SWAPDB, SELECT, RESET, scripts, DEBUG);
//   - the cache evicted entries (CacheStats::evictions): as many drops as
//     evictions are allowed, whichever entries they were.
// Nothing else may drop an entry: a key that received no invalidation, no
// own write and no flush must still be served locally.
#ifndef RESPFUZZ_HARNESSES_INVALIDATION_RETENTION_H_
#define RESPFUZZ_HARNESSES_INVALIDATION_RETENTION_H_

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "harnesses/invalidation/program.h"
#include "harnesses/invalidation/staleness.h"
#include "src/cache/client_cache.h"

namespace respfuzz::harnesses::invalidation {

// Reads per client the check follows (the first distinct ones submitted).
inline constexpr size_t kMaxRetentionReads = 32;

// What the retention check knows of one client between two ops.
class Retention {
 public:
  // An invalidation frame was wholly delivered to the client (the runner's
  // Deliver, before the cache reads the bytes).
  void Delivered(const InFlightInvalidation& inv);
  // After op `op` (nullptr: the clients connecting) of the program; `client`
  // is this client's index. Returns an empty string, or why the check fails
  // (the first entry dropped without a reason). Then records what `cache`
  // holds for the next op.
  std::string AfterOp(const Op* op, int client, const cache::ClientCache& cache);

 private:
  std::vector<std::vector<std::string>> reads_;  // the reads followed
  std::vector<bool> held_;                       // per read: held after the last op
  const cache::ClientCache* cache_ = nullptr;    // the object held_ describes
  uint64_t evictions_ = 0;                       // its CacheStats::evictions then
  // This op's delivered invalidations.
  std::set<std::string> invalidated_;
  bool flushed_ = false;
  // Own writes submitted and not yet known answered.
  std::set<std::string> own_words_;
  bool own_all_ = false;
};

}  // namespace respfuzz::harnesses::invalidation

#endif  // RESPFUZZ_HARNESSES_INVALIDATION_RETENTION_H_
