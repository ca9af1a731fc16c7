// The engine's configuration parameters, as CONFIG GET / SET (Redis 7.0.15's
// configGetCommand / configSetCommand) see them.
//
// The engine owns the parameters whose values change what it does: the
// encoding limits behind OBJECT ENCODING (hash-max-listpack-*, set-max-
// intset-entries, zset-max-listpack-*, and list-max-listpack-size /
// list-compress-depth, which Redis 7.0 only uses to size quicklist nodes:
// nothing the engine replies depends on them) and tracking-table-max-keys
// (the tracker's). Each has Redis's name, alias (7.0's "ziplist" names),
// type, bounds and default. A server in front of the engine adds its own
// read-only parameters (port, save, ...) with SetServerParams.
#ifndef RESPFUZZ_ENGINE_CONFIG_H_
#define RESPFUZZ_ENGINE_CONFIG_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace respfuzz::engine {

// The values the commands read.
struct EncodingLimits {
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;
  int64_t list_compress_depth = 0;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  // Streams: when XADD opens a new listpack node (src/engine/stream.h).
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
  // HyperLogLog: the largest sparse value before it turns dense (cmd_hll.cc).
  int64_t hll_sparse_max_bytes = 3000;
  // quicklist.c's packed_threshold (DEBUG QUICKLIST-PACKED-THRESHOLD; no
  // CONFIG parameter): a list element this long or longer takes a plain
  // node of its own (DUMP's and the RDB file's quicklists, DEBUG OBJECT).
  uint64_t quicklist_packed_threshold = uint64_t{1} << 30;
};

// How a numeric parameter parses (numericParseString) and is bounded
// (numericBoundaryCheck).
enum class ParamType : uint8_t {
  kSizeT,        // size_t, INTEGER_CONFIG: string2ll, unsigned bounds
  kSizeTMemory,  // size_t, MEMORY_CONFIG: memtoull ("1kb", "2m", ...), unsigned bounds
  kInt,          // int, INTEGER_CONFIG: string2ll, signed bounds
  // Memory accounting and eviction (src/engine/evict.cc).
  kULongLongMemory,  // unsigned long long, MEMORY_CONFIG: memtoull, reported unsigned
  kEnum,             // an enum config: one of EnumNames(), any letter case
  kLongLong,         // long long, INTEGER_CONFIG: string2ll, signed bounds
  kBool,             // a bool config: yes or no (yesnotoi), any letter case; 1 or 0
};

struct ParamSpec {
  std::string_view name;
  std::string_view alias;  // empty: none
  ParamType type;
  int64_t min, max;
  int64_t default_value;
};

// The engine's parameters, in this order (index = ParamId).
enum class ParamId : uint8_t {
  kHashMaxListpackEntries,
  kHashMaxListpackValue,
  kListMaxListpackSize,
  kListCompressDepth,
  kSetMaxIntsetEntries,
  kZsetMaxListpackEntries,
  kZsetMaxListpackValue,
  kTrackingTableMaxKeys,
  kStreamNodeMaxBytes,
  kStreamNodeMaxEntries,
  // Memory accounting and eviction (src/engine/evict.cc).
  kMaxmemory,
  kMaxmemoryPolicy,
  // Busy scripts (src/script/busy_script.cc).
  kBusyReplyThreshold,
  // min-replicas (NOREPLICAS, engine.cc).
  kMinReplicasToWrite,
  kMinReplicasMaxLag,
  // The slow log (slowlog.cc).
  kSlowlogLogSlowerThan,
  kSlowlogMaxLen,
  // The ACL log (acl_log.cc).
  kAcllogMaxLen,
  // HyperLogLog (cmd_hll.cc).
  kHllSparseMaxBytes,
  // The latency monitor and histograms (latency.cc) and lazy freeing
  // (lazyfree.cc).
  kLatencyMonitorThreshold,
  kLatencyTracking,
  kLazyfreeLazyEviction,
  kLazyfreeLazyExpire,
  kLazyfreeLazyServerDel,
  kLazyfreeLazyUserDel,
  kLazyfreeLazyUserFlush,
  // The append-only file (aof.cc).
  kAppendonly,
  kAppendfsync,
  kAofUseRdbPreamble,
  kAofLoadTruncated,
  kAofTimestampEnabled,
  kAofRewriteIncrementalFsync,
  kNoAppendfsyncOnRewrite,
};
std::span<const ParamSpec> EngineParams();

// kEnum parameters' values, in the order Redis 7.0.15's error lists them
// (maxmemory_policy_enum, fsync_enum); empty for other parameters.
std::span<const std::string_view> EnumNames(ParamId id);

// CONFIG SET save (setConfigSaveOption, config.c; persist.cc): the value
// split at every space (sdssplitlen: empty words too), each word a whole
// strtoll number, an even count, seconds >= 1 and changes >= 0; "" is no
// save point. SavePointsText is CONFIG GET's form ("3600 1 300 100").
bool ParseSavePoints(std::string_view value, std::vector<std::pair<int64_t, int>>* out);
std::string SavePointsText(const std::vector<std::pair<int64_t, int>>& points);

// memtoull (util.c): digits with an optional unit b, k, kb, m, mb, g, gb (any
// case); false for a '-' sign, another suffix or 128 digits or more. Reads
// `s` as a C string (up to a NUL). Overflow wraps as Redis's does.
bool MemToULL(std::string_view s, uint64_t* out);

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_CONFIG_H_
