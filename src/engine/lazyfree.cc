// Lazy freeing, as INFO's lazyfreed_objects sees it (Redis 7.0.15's
// lazyfree.c). The engine frees every value at once; it counts the values
// Redis would have handed to its lazy-free thread, so INFO reports what
// redis-server reports once that thread is done (lazyfree_pending_objects is
// always 0).
//
// Which frees count (db.c, expire.c, t_string.c, lazyfree.c):
// - a deletion that goes through dbAsyncDelete / freeObjAsync: UNLINK
//   always; DEL and GETDEL when lazyfree-lazy-user-del is on; an expired key
//   deleted (lazily, by the active cycle, or found by a command) when
//   lazyfree-lazy-expire is on; counted when the value's free effort
//   (lazyfreeGetFreeEffort, LazyfreeEffort below) is above 64
//   (LAZYFREE_THRESHOLD), one per value;
// - FLUSHALL / FLUSHDB ASYNC, or without a flag when lazyfree-lazy-user-flush
//   is on (emptyDbAsync): every key of the dbs emptied, whatever its size.
// CONFIG RESETSTAT resets the count (lazyfreeResetStats).
//
// Not modelled: lazyfree-lazy-server-del (the implicit deletions and
// overwrites of other commands: RENAME's target, SET over a value, a store
// command's destination) and lazyfree-lazy-eviction take their values but
// count nothing; SCRIPT FLUSH / FUNCTION FLUSH ASYNC of more than 64 scripts
// or functions and the tracking table's async free are not counted.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "src/engine/engine.h"
#include "src/engine/hash_object.h"
#include "src/engine/object.h"
#include "src/engine/stream.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

namespace {

constexpr size_t kLazyfreeThreshold = 64;  // LAZYFREE_THRESHOLD

// The bytes one element adds to a listpack (lpEncodeGetType's encoding and
// data, then lpEncodeBacklen's back length).
size_t ListpackEntryBytes(std::string_view s) {
  size_t len;
  const std::optional<int64_t> v = IsIntsetMember(s) ? resp::ParseInt64(s) : std::nullopt;
  if (v) {
    const int64_t x = *v;
    if (x >= 0 && x <= 127) {
      len = 1;
    } else if (x >= -4096 && x <= 4095) {
      len = 2;
    } else if (x >= -32768 && x <= 32767) {
      len = 3;
    } else if (x >= -8388608 && x <= 8388607) {
      len = 4;
    } else if (x >= INT32_MIN && x <= INT32_MAX) {
      len = 5;
    } else {
      len = 9;
    }
  } else if (s.size() < 64) {
    len = 1 + s.size();
  } else if (s.size() < 4096) {
    len = 2 + s.size();
  } else {
    len = 5 + s.size();
  }
  const size_t backlen = len <= 127        ? 1
                         : len < 16383     ? 2
                         : len < 2097151   ? 3
                         : len < 268435455 ? 4
                                           : 5;
  return len + backlen;
}

}  // namespace

QuicklistTail::QuicklistTail(int64_t fill, uint64_t packed_threshold)
    : fill_(std::clamp<int64_t>(fill, -5, (1 << 15) - 1)), packed_threshold_(packed_threshold) {}

QuicklistTail::Place QuicklistTail::Next(std::string_view e) {
  constexpr size_t kLevels[] = {4096, 8192, 16384, 32768, 65536};  // optimization_level
  constexpr size_t kSafetyLimit = 8192;                            // SIZE_SAFETY_LIMIT
  constexpr size_t kEstimateOverhead = 8;                          // SIZE_ESTIMATE_OVERHEAD
  constexpr size_t kEmptyListpack = 7;                             // header and end byte
  if (e.size() >= packed_threshold_) {  // a plain node of its own; the next starts anew
    open_ = false;
    return Place::kPlainNode;
  }
  bool fits = false;
  if (open_) {
    const size_t new_sz = node_bytes_ + e.size() + kEstimateOverhead;
    if (fill_ < 0) {
      fits = new_sz <= kLevels[-fill_ - 1];
    } else {
      fits = new_sz <= kSafetyLimit && node_count_ < fill_;
    }
  }
  if (fits) {
    node_bytes_ += ListpackEntryBytes(e);
    ++node_count_;
    return Place::kSameNode;
  }
  open_ = true;
  node_bytes_ = kEmptyListpack + ListpackEntryBytes(e);
  node_count_ = 1;
  return Place::kNewNode;
}

QuicklistShape QuicklistLayout(const List& list, int64_t fill, uint64_t packed_threshold) {
  QuicklistTail tail(fill, packed_threshold);
  QuicklistShape shape;
  for (const std::string& e : list) {
    const size_t closing = tail.open_node_bytes();
    switch (tail.Next(e)) {
      case QuicklistTail::Place::kSameNode:
        break;
      case QuicklistTail::Place::kNewNode:
        shape.bytes += closing;
        ++shape.nodes;
        break;
      case QuicklistTail::Place::kPlainNode:
        shape.bytes += closing + e.size();
        ++shape.nodes;
        break;
    }
  }
  shape.bytes += tail.open_node_bytes();
  return shape;
}

size_t LazyfreeEffort(const Object& o, int64_t list_max_listpack_size) {
  switch (TypeOf(o)) {
    case ObjType::kList:  // ql->len: its nodes (a 7.0 list is always a quicklist)
      return QuicklistLayout(As<List>(o), list_max_listpack_size).nodes;
    case ObjType::kSet:
      return o.hashtable() ? As<Set>(o).size() : 1;
    case ObjType::kZSet:
      return As<ZSet>(o).listpack() ? 1 : As<ZSet>(o).size();
    case ObjType::kHash:
      return o.hashtable() ? As<Hash>(o).size() : 1;
    case ObjType::kStream: {
      // Its rax's nodes, and per consumer group one allocation plus the
      // first group's (in name order) PEL size.
      const Stream& s = As<Stream>(o);
      size_t effort = static_cast<size_t>(s.RadixTreeNodes());
      if (!s.groups.empty()) effort += s.groups.size() * (1 + s.groups.begin()->second.pel.size());
      return effort;
    }
    case ObjType::kString:
      break;
  }
  return 1;  // one allocation
}

void Engine::FreeValue(const Object& value, bool lazy) {
  if (lazy && LazyfreeEffort(value, limits_.list_max_listpack_size) > kLazyfreeThreshold) {
    ++stats_.lazyfreed_objects;
  }
}

}  // namespace respfuzz::engine
