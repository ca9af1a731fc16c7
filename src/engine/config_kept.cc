#include "src/engine/config_kept.h"

#include <array>
#include <climits>
#include <optional>

#include "src/engine/config.h"
#include "src/engine/engine.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

namespace {

using Kind = KeptParam::Kind;

// In config.c's table order.
constexpr std::array<KeptParam, 16> kParams = {{
    {"daemonize", "", Kind::kImmutable, 0, 0, 0, false, "no"},
    // The protected actions, each "no" (their default, which only the
    // configuration file can change): DEBUG and MODULE LOAD / LOADEX /
    // UNLOAD are refused (engine.cc's Dispatch), and so is CONFIG SET of
    // dir and dbfilename (cmd_connection.cc).
    {"enable-protected-configs", "", Kind::kImmutable, 0, 0, 0, false, "no"},
    {"enable-debug-command", "", Kind::kImmutable, 0, 0, 0, false, "no"},
    {"enable-module-command", "", Kind::kImmutable, 0, 0, 0, false, "no"},
    {"maxmemory-samples", "", Kind::kInt, 1, INT_MAX, 5, false, ""},
    {"maxmemory-eviction-tenacity", "", Kind::kInt, 0, 100, 10, false, ""},
    {"key-load-delay", "", Kind::kInt, INT_MIN, INT_MAX, 0, true, ""},
    {"repl-backlog-size", "", Kind::kLongLongMemory, 1, LLONG_MAX, 1024 * 1024, false, ""},
    // Read by the replication cron (replication.cc): the PING to replicas.
    {"repl-ping-replica-period", "repl-ping-slave-period", Kind::kInt, 1, INT_MAX, 10, false, ""},
    {"client-query-buffer-limit", "", Kind::kSizeTMemory, 1024 * 1024, LONG_MAX, 1024 * 1024 * 1024,
     false, ""},
    {"maxmemory-clients", "", Kind::kSSizeTMemoryOrPct, -100, LLONG_MAX, 0, false, ""},
    {"replicaof", "slaveof", Kind::kImmutable, 0, 0, 0, false, ""},  // no master: ""
    // The append-only file (aof.cc): where it goes, and the automatic
    // rewrite the AOF cron starts.
    {"appendfilename", "", Kind::kImmutable, 0, 0, 0, false, "appendonly.aof"},
    {"appenddirname", "", Kind::kImmutable, 0, 0, 0, false, "appendonlydir"},
    {"auto-aof-rewrite-percentage", "", Kind::kInt, 0, INT_MAX, 100, false, ""},
    {"auto-aof-rewrite-min-size", "", Kind::kLongLongMemory, 0, LLONG_MAX, 64 * 1024 * 1024, false,
     ""},
}};

}  // namespace

std::span<const KeptParam> KeptParams() { return kParams; }

std::string ParseKeptParam(const KeptParam& p, std::string_view text, int64_t* out) {
  const bool memory = p.kind == Kind::kLongLongMemory || p.kind == Kind::kSizeTMemory ||
                      p.kind == Kind::kSSizeTMemoryOrPct;
  int64_t ll = 0;
  bool parsed = false;
  if (memory) {
    uint64_t v = 0;
    if (MemToULL(text, &v)) {
      ll = static_cast<int64_t>(v);
      parsed = true;
    }
  }
  if (!parsed && p.kind == Kind::kSSizeTMemoryOrPct && text.size() > 1 && text.back() == '%') {
    // string2ll over all but the '%' (a NUL inside fails it), not negative.
    const std::optional<int64_t> v = resp::ParseInt64(text.substr(0, text.size() - 1));
    if (v && *v >= 0) {
      ll = -*v;
      parsed = true;
    }
  }
  if (!parsed && p.kind == Kind::kInt) {
    const std::optional<int64_t> v = resp::ParseInt64(text);
    if (v) {
      ll = *v;
      parsed = true;
    }
  }
  if (!parsed) {
    if (p.kind == Kind::kSSizeTMemoryOrPct) return "argument must be a memory or percent value";
    if (memory) return "argument must be a memory value";
    return "argument couldn't be parsed into an integer";
  }
  if (p.kind == Kind::kSizeTMemory) {
    const uint64_t u = static_cast<uint64_t>(ll);
    if (u < static_cast<uint64_t>(p.min) || u > static_cast<uint64_t>(p.max)) {
      return "argument must be between " + std::to_string(static_cast<uint64_t>(p.min)) + " and " +
             std::to_string(static_cast<uint64_t>(p.max)) + " inclusive";
    }
  } else if (p.kind == Kind::kSSizeTMemoryOrPct && ll < 0) {
    if (ll < p.min) {
      return "percentage argument must be less or equal to " + std::to_string(-p.min);
    }
  } else if (ll < p.min || ll > p.max) {
    return "argument must be between " + std::to_string(p.min) + " and " + std::to_string(p.max) +
           " inclusive";
  }
  *out = ll;
  return "";
}

std::string KeptParamText(const KeptParam& p, int64_t value) {
  if (p.kind == Kind::kImmutable) return std::string(p.text);
  if (p.kind == Kind::kSSizeTMemoryOrPct && value < 0) return std::to_string(-value) + "%";
  if (p.kind == Kind::kSizeTMemory) return std::to_string(static_cast<uint64_t>(value));
  return std::to_string(value);
}

int64_t Engine::kept_param(size_t i) const {
  return i < kept_params_.size() ? kept_params_[i] : kParams[i].default_value;
}

int64_t Engine::KeptParamByName(std::string_view name) const {
  for (size_t i = 0; i < kParams.size(); ++i) {
    if (kParams[i].name == name) return kept_param(i);
  }
  return 0;  // (never: the callers name params of the table)
}

void Engine::set_kept_param(size_t i, int64_t value) {
  if (kept_params_.empty()) {
    for (const KeptParam& p : kParams) kept_params_.push_back(p.default_value);
  }
  kept_params_[i] = value;
}

}  // namespace respfuzz::engine
