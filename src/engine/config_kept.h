// CONFIG parameters the engine keeps and reports but does not act on
// (config_kept.cc): Redis 7.0.15's repl-backlog-size (no replicas here),
// client-query-buffer-limit (respfuzz serve's request limits are its own),
// maxmemory-clients (no client is evicted), maxmemory-samples and
// maxmemory-eviction-tenacity (evict.cc samples as it does), key-load-delay
// (hidden: CONFIG GET names it whole, a pattern never matches it; nothing is
// loaded), and the immutable daemonize and replicaof / slaveof; and
// repl-ping-replica-period, which the replication cron reads. Each has
// 7.0.15's name, alias, type, bounds, default and errors (config.c).
#ifndef RESPFUZZ_ENGINE_CONFIG_KEPT_H_
#define RESPFUZZ_ENGINE_CONFIG_KEPT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace respfuzz::engine {

struct KeptParam {
  enum class Kind : uint8_t {
    kInt,                // int, INTEGER_CONFIG: string2ll, signed bounds
    kLongLongMemory,     // long long, MEMORY_CONFIG: memtoull, signed bounds
    kSizeTMemory,        // size_t, MEMORY_CONFIG: memtoull, unsigned bounds
    kSSizeTMemoryOrPct,  // ssize_t, MEMORY_CONFIG | PERCENT_CONFIG: "N%" kept as -N
    kImmutable,          // IMMUTABLE_CONFIG: `text` is its value, CONFIG SET refuses it
  };
  std::string_view name;
  std::string_view alias;  // empty: none
  Kind kind;
  int64_t min, max, default_value;
  bool hidden;            // HIDDEN_CONFIG
  std::string_view text;  // kImmutable: the value CONFIG GET reports
};

std::span<const KeptParam> KeptParams();
// numericParseString + numericBoundaryCheck: "" and *out set, or the error
// text after "CONFIG SET failed (possibly related to argument '...') - ".
std::string ParseKeptParam(const KeptParam& p, std::string_view text, int64_t* out);
// numericConfigGet: a percentage as "N%", else the number.
std::string KeptParamText(const KeptParam& p, int64_t value);

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_CONFIG_KEPT_H_
