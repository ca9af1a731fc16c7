#include "src/engine/config.h"

#include <array>
#include <climits>
#include <cstdlib>

#include "src/engine/c_string.h"

namespace respfuzz::engine {

namespace {

constexpr int64_t kLongMax = LLONG_MAX;  // LONG_MAX on the 64-bit servers compared

// Redis 7.0.15's static_configs entries (config.c), in ParamId's order.
constexpr std::array<ParamSpec, 33> kParams = {{
    {"hash-max-listpack-entries", "hash-max-ziplist-entries", ParamType::kSizeT, 0, kLongMax, 512},
    {"hash-max-listpack-value", "hash-max-ziplist-value", ParamType::kSizeTMemory, 0, kLongMax, 64},
    {"list-max-listpack-size", "list-max-ziplist-size", ParamType::kInt, INT_MIN, INT_MAX, -2},
    {"list-compress-depth", "", ParamType::kInt, 0, INT_MAX, 0},
    {"set-max-intset-entries", "", ParamType::kSizeT, 0, kLongMax, 512},
    {"zset-max-listpack-entries", "zset-max-ziplist-entries", ParamType::kSizeT, 0, kLongMax, 128},
    {"zset-max-listpack-value", "zset-max-ziplist-value", ParamType::kSizeTMemory, 0, kLongMax, 64},
    {"tracking-table-max-keys", "", ParamType::kSizeT, 0, kLongMax, 1000000},
    {"stream-node-max-bytes", "", ParamType::kSizeTMemory, 0, kLongMax, 4096},
    {"stream-node-max-entries", "", ParamType::kSizeT, 0, kLongMax, 100},
    // Memory accounting and eviction (evict.cc): max -1 is ULLONG_MAX.
    {"maxmemory", "", ParamType::kULongLongMemory, 0, -1, 0},
    {"maxmemory-policy", "", ParamType::kEnum, 0, 7, 7},
    // Busy scripts (src/script/busy_script.cc): ms.
    {"busy-reply-threshold", "lua-time-limit", ParamType::kLongLong, 0, kLongMax, 5000},
    // min-replicas (engine.cc: NOREPLICAS; the engine never has replicas).
    {"min-replicas-to-write", "min-slaves-to-write", ParamType::kInt, 0, INT_MAX, 0},
    {"min-replicas-max-lag", "min-slaves-max-lag", ParamType::kInt, 0, INT_MAX, 10},
    // The slow log (slowlog.cc): microseconds (-1: off), and its length.
    {"slowlog-log-slower-than", "", ParamType::kLongLong, -1, kLongMax, 10000},
    {"slowlog-max-len", "", ParamType::kSizeT, 0, kLongMax, 128},
    // The ACL log (acl_log.cc): its length.
    {"acllog-max-len", "", ParamType::kSizeT, 0, kLongMax, 128},
    // HyperLogLog (cmd_hll.cc): bytes.
    {"hll-sparse-max-bytes", "", ParamType::kSizeTMemory, 0, kLongMax, 3000},
    // The latency monitor (latency.cc): ms, 0 is off; per-command histograms
    // on; lazy freeing (lazyfree.cc), all off.
    {"latency-monitor-threshold", "", ParamType::kLongLong, 0, LLONG_MAX, 0},
    {"latency-tracking", "", ParamType::kBool, 0, 1, 1},
    {"lazyfree-lazy-eviction", "", ParamType::kBool, 0, 1, 0},
    {"lazyfree-lazy-expire", "", ParamType::kBool, 0, 1, 0},
    {"lazyfree-lazy-server-del", "", ParamType::kBool, 0, 1, 0},
    {"lazyfree-lazy-user-del", "", ParamType::kBool, 0, 1, 0},
    {"lazyfree-lazy-user-flush", "", ParamType::kBool, 0, 1, 0},
    // The append-only file (aof.cc): appendonly (applied after every value
    // is set, as updateAppendonly), appendfsync (everysec), the base file's
    // format, a truncated tail's fate, timestamp annotations, and two fsync
    // switches the engine stores (it writes the file at once, and fsyncs
    // nothing itself).
    {"appendonly", "", ParamType::kBool, 0, 1, 0},
    {"appendfsync", "", ParamType::kEnum, 0, 2, 0},
    {"aof-use-rdb-preamble", "", ParamType::kBool, 0, 1, 1},
    {"aof-load-truncated", "", ParamType::kBool, 0, 1, 1},
    {"aof-timestamp-enabled", "", ParamType::kBool, 0, 1, 0},
    {"aof-rewrite-incremental-fsync", "", ParamType::kBool, 0, 1, 1},
    {"no-appendfsync-on-rewrite", "", ParamType::kBool, 0, 1, 0},
}};

// maxmemory_policy_enum (config.c), indexed by MaxmemoryPolicy (engine.h).
constexpr std::array<std::string_view, 8> kPolicyNames = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru",  "allkeys-lfu",  "allkeys-random",  "noeviction",
};

// fsync_enum (config.c), indexed by appendfsync's value.
constexpr std::array<std::string_view, 3> kFsyncNames = {"everysec", "always", "no"};

}  // namespace

std::span<const ParamSpec> EngineParams() { return kParams; }

std::span<const std::string_view> EnumNames(ParamId id) {
  if (id == ParamId::kMaxmemoryPolicy) return kPolicyNames;
  if (id == ParamId::kAppendfsync) return kFsyncNames;
  return {};
}

bool MemToULL(std::string_view s, uint64_t* out) {
  s = CStr(s);
  if (!s.empty() && s[0] == '-') return false;
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  const std::string_view unit = s.substr(digits);
  uint64_t mul;
  if (unit.empty() || IEquals(unit, "b")) {
    mul = 1;
  } else if (IEquals(unit, "k")) {
    mul = 1000;
  } else if (IEquals(unit, "kb")) {
    mul = 1024;
  } else if (IEquals(unit, "m")) {
    mul = 1000 * 1000;
  } else if (IEquals(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (IEquals(unit, "g")) {
    mul = 1000ull * 1000 * 1000;
  } else if (IEquals(unit, "gb")) {
    mul = 1024ull * 1024 * 1024;
  } else {
    return false;
  }
  if (digits >= 128) return false;
  // strtoull over the digits: no digits is 0, overflow saturates (Redis
  // does not check ERANGE), then the multiplication wraps.
  uint64_t val = 0;
  bool saturated = false;
  for (size_t i = 0; i < digits; ++i) {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (val > (UINT64_MAX - d) / 10) saturated = true;
    if (!saturated) val = val * 10 + d;
  }
  if (saturated) val = UINT64_MAX;
  *out = val * mul;
  return true;
}

}  // namespace respfuzz::engine
