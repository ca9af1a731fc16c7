// Introspection commands of the reference model: CONFIG (GET SET RESETSTAT
// REWRITE HELP, config.c) over the parameters the model has, and OBJECT
// (ENCODING REFCOUNT FREQ IDLETIME HELP, object.c). Written from Redis
// 7.0.15's behaviour, apart from the engine's src/engine/config.cc.
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

// standardConfig, as much of it as the model's parameters use.
struct ConfigDef {
  const char* name;  // for an alias: the alias (registerConfigValue swaps them)
  bool memory;       // MEMORY_CONFIG: memtoull first; else string2ll
  bool is_signed;    // an int config (signed bounds); else size_t
  long long lower, upper;
  int64_t Config::*field;
  // Memory accounting (reference_memory.cc): 1 for an unsigned long long
  // (printed unsigned), 2 for maxmemory-policy's enum; 3 for a bool config
  // (yes / no); 4 for latency-tracking-info-percentiles (field unused); 5
  // for appendfsync's enum.
  int kind = 0;
  bool event_classes = false;       // notify-keyspace-events: a string of class letters
  bool percent = false;             // PERCENT_CONFIG: "N%" is kept as -N
  bool hidden = false;              // HIDDEN_CONFIG: a pattern never matches it
  const char* immutable = nullptr;  // IMMUTABLE_CONFIG: its value; CONFIG SET refuses it
};

// maxmemory_policy_enum, by Config::maxmemory_policy.
const char* const kPolicies[] = {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                                 "allkeys-lru",  "allkeys-lfu",  "allkeys-random",  "noeviction"};
// fsync_enum, by Config::appendfsync.
const char* const kFsyncModes[] = {"everysec", "always", "no"};

// static_configs of config.c, each alias registered as a config of its own.
const std::vector<ConfigDef>& Configs() {
  static const std::vector<ConfigDef> defs = {
      {"hash-max-listpack-entries", false, false, 0, LLONG_MAX, &Config::hash_max_listpack_entries},
      {"hash-max-ziplist-entries", false, false, 0, LLONG_MAX, &Config::hash_max_listpack_entries},
      {"hash-max-listpack-value", true, false, 0, LLONG_MAX, &Config::hash_max_listpack_value},
      {"hash-max-ziplist-value", true, false, 0, LLONG_MAX, &Config::hash_max_listpack_value},
      {"list-max-listpack-size", false, true, INT_MIN, INT_MAX, &Config::list_max_listpack_size},
      {"list-max-ziplist-size", false, true, INT_MIN, INT_MAX, &Config::list_max_listpack_size},
      {"list-compress-depth", false, true, 0, INT_MAX, &Config::list_compress_depth},
      {"set-max-intset-entries", false, false, 0, LLONG_MAX, &Config::set_max_intset_entries},
      {"zset-max-listpack-entries", false, false, 0, LLONG_MAX, &Config::zset_max_listpack_entries},
      {"zset-max-ziplist-entries", false, false, 0, LLONG_MAX, &Config::zset_max_listpack_entries},
      {"zset-max-listpack-value", true, false, 0, LLONG_MAX, &Config::zset_max_listpack_value},
      {"zset-max-ziplist-value", true, false, 0, LLONG_MAX, &Config::zset_max_listpack_value},
      {"tracking-table-max-keys", false, false, 0, LLONG_MAX, &Config::tracking_table_max_keys},
      {"stream-node-max-bytes", true, false, 0, LLONG_MAX, &Config::stream_node_max_bytes},
      {"stream-node-max-entries", false, false, 0, LLONG_MAX, &Config::stream_node_max_entries},
      {"notify-keyspace-events", false, false, 0, 0, &Config::notify_keyspace_events, 0, true},
      // Memory accounting (reference_memory.cc).
      {"maxmemory", true, false, 0, -1, &Config::maxmemory, 1},
      {"maxmemory-policy", false, false, 0, 7, &Config::maxmemory_policy, 2},
      // Busy scripts: a long long config (signed bounds 0 .. LONG_MAX).
      {"busy-reply-threshold", false, true, 0, LLONG_MAX, &Config::busy_reply_threshold},
      {"lua-time-limit", false, true, 0, LLONG_MAX, &Config::busy_reply_threshold},
      // min-replicas: int configs (0 .. INT_MAX).
      {"min-replicas-to-write", false, true, 0, INT_MAX, &Config::min_replicas_to_write},
      {"min-slaves-to-write", false, true, 0, INT_MAX, &Config::min_replicas_to_write},
      {"min-replicas-max-lag", false, true, 0, INT_MAX, &Config::min_replicas_max_lag},
      {"min-slaves-max-lag", false, true, 0, INT_MAX, &Config::min_replicas_max_lag},
      // The slow log: a long long config (-1 .. LLONG_MAX) and an unsigned
      // long one (0 .. LONG_MAX).
      {"slowlog-log-slower-than", false, true, -1, LLONG_MAX, &Config::slowlog_log_slower_than},
      {"slowlog-max-len", false, false, 0, LLONG_MAX, &Config::slowlog_max_len},
      // The ACL log's length: an unsigned long config (0 .. LONG_MAX).
      {"acllog-max-len", false, false, 0, LLONG_MAX, &Config::acllog_max_len},
      // HyperLogLog (the engine's PF*; the model has none): a memory config.
      {"hll-sparse-max-bytes", true, false, 0, LLONG_MAX, &Config::hll_sparse_max_bytes},
      // The latency monitor (a long long config, 0 .. LLONG_MAX), latency
      // tracking and lazy freeing (bool configs), and the percentiles INFO
      // latencystats reports (a special config).
      {"latency-monitor-threshold", false, true, 0, LLONG_MAX, &Config::latency_monitor_threshold},
      {"latency-tracking", false, false, 0, 1, &Config::latency_tracking, 3},
      {"lazyfree-lazy-eviction", false, false, 0, 1, &Config::lazyfree_lazy_eviction, 3},
      {"lazyfree-lazy-expire", false, false, 0, 1, &Config::lazyfree_lazy_expire, 3},
      {"lazyfree-lazy-server-del", false, false, 0, 1, &Config::lazyfree_lazy_server_del, 3},
      {"lazyfree-lazy-user-del", false, false, 0, 1, &Config::lazyfree_lazy_user_del, 3},
      {"lazyfree-lazy-user-flush", false, false, 0, 1, &Config::lazyfree_lazy_user_flush, 3},
      {"latency-tracking-info-percentiles", false, false, 0, 0, nullptr, 4},
      // Stored only (config.c's bounds and defaults).
      {"daemonize", false, false, 0, 0, &Config::immutable, 0, false, false, false, "no"},
      // The protected actions at their default (DEBUG and MODULE LOAD /
      // LOADEX / UNLOAD refused: reference_standalone.cc), but for
      // enable-debug-command local where the model was made so.
      {"enable-protected-configs", false, false, 0, 0, &Config::immutable, 0, false, false, false,
       "no"},
      {"enable-debug-command", false, false, 0, 0, &Config::immutable, 0, false, false, false,
       "no"},
      {"enable-module-command", false, false, 0, 0, &Config::immutable, 0, false, false, false,
       "no"},
      {"maxmemory-samples", false, true, 1, INT_MAX, &Config::maxmemory_samples},
      {"maxmemory-eviction-tenacity", false, true, 0, 100, &Config::maxmemory_eviction_tenacity},
      {"key-load-delay", false, true, INT_MIN, INT_MAX, &Config::key_load_delay, 0, false, false,
       true},
      {"repl-backlog-size", true, true, 1, LLONG_MAX, &Config::repl_backlog_size},
      // An int config (1 .. INT_MAX): the replicas' PING period.
      {"repl-ping-replica-period", false, true, 1, INT_MAX, &Config::repl_ping_replica_period},
      {"repl-ping-slave-period", false, true, 1, INT_MAX, &Config::repl_ping_replica_period},
      {"client-query-buffer-limit", true, false, 1024 * 1024, LONG_MAX,
       &Config::client_query_buffer_limit},
      {"maxmemory-clients", true, true, -100, LLONG_MAX, &Config::maxmemory_clients, 0, false,
       true},
      {"replicaof", false, false, 0, 0, &Config::immutable, 0, false, false, false, ""},
      {"slaveof", false, false, 0, 0, &Config::immutable, 0, false, false, false, ""},
      // The append-only file: stored and reported (the model keeps no
      // file; BGREWRITEAOF and DEBUG LOADAOF are engine-only).
      {"appendonly", false, false, 0, 1, &Config::appendonly, 3},
      {"appendfsync", false, false, 0, 2, &Config::appendfsync, 5},
      {"aof-use-rdb-preamble", false, false, 0, 1, &Config::aof_use_rdb_preamble, 3},
      {"aof-load-truncated", false, false, 0, 1, &Config::aof_load_truncated, 3},
      {"aof-timestamp-enabled", false, false, 0, 1, &Config::aof_timestamp_enabled, 3},
      {"aof-rewrite-incremental-fsync", false, false, 0, 1, &Config::aof_rewrite_incremental_fsync,
       3},
      {"no-appendfsync-on-rewrite", false, false, 0, 1, &Config::no_appendfsync_on_rewrite, 3},
      {"auto-aof-rewrite-percentage", false, true, 0, INT_MAX,
       &Config::auto_aof_rewrite_percentage},
      {"auto-aof-rewrite-min-size", true, true, 0, LLONG_MAX, &Config::auto_aof_rewrite_min_size},
      {"appendfilename", false, false, 0, 0, &Config::immutable, 0, false, false, false,
       "appendonly.aof"},
      {"appenddirname", false, false, 0, 0, &Config::immutable, 0, false, false, false,
       "appendonlydir"},
  };
  return defs;
}

// dictFind(configs, name): the whole name, without regard to case.
const ConfigDef* LookupConfig(const std::string& name) {
  for (const ConfigDef& d : Configs()) {
    if (EqualsIgnoreCase(name, d.name) && name.size() == std::string(d.name).size()) return &d;
  }
  return nullptr;
}

// memtoull (util.c), over the argument as a C string.
bool MemToUll(const std::string& arg, unsigned long long* out) {
  std::string p = CString(arg);
  if (!p.empty() && p[0] == '-') return false;
  size_t u = 0;
  while (u < p.size() && p[u] >= '0' && p[u] <= '9') u++;
  std::string unit = p.substr(u);
  unsigned long long mul;
  if (unit.empty() || EqualsIgnoreCase(unit, "b")) {
    mul = 1;
  } else if (EqualsIgnoreCase(unit, "k")) {
    mul = 1000;
  } else if (EqualsIgnoreCase(unit, "kb")) {
    mul = 1024;
  } else if (EqualsIgnoreCase(unit, "m")) {
    mul = 1000 * 1000;
  } else if (EqualsIgnoreCase(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (EqualsIgnoreCase(unit, "g")) {
    mul = 1000ULL * 1000 * 1000;
  } else if (EqualsIgnoreCase(unit, "gb")) {
    mul = 1024ULL * 1024 * 1024;
  } else {
    return false;
  }
  if (u >= 128) return false;
  // strtoull of the digits: "" is 0, too many digits give ULLONG_MAX.
  unsigned long long val = 0;
  bool overflow = false;
  for (size_t i = 0; i < u; i++) {
    unsigned d = static_cast<unsigned>(p[i] - '0');
    if (val > (ULLONG_MAX - d) / 10) overflow = true;
    if (!overflow) val = val * 10 + d;
  }
  if (overflow) val = ULLONG_MAX;
  *out = val * mul;
  return true;
}

// notify.c's classes: the letter of each NOTIFY_* bit, bit 0 first
// (K E g $ l s h z x e t m, bit 12 is modules' "loaded", d n).
constexpr char kClassLetters[] = "KEg$lshzxetm?dn";
constexpr long long kClassAll = 0x27fc;  // g $ l s h z x e t d: NOTIFY_ALL

// keyspaceEventsStringToFlags over the argument as a C string; -1 for a
// letter that names no class.
long long ParseClasses(const std::string& arg) {
  long long flags = 0;
  for (char ch : CString(arg)) {
    if (ch == 'A') {
      flags |= kClassAll;
      continue;
    }
    int bit = -1;
    for (int b = 0; kClassLetters[b] != 0; b++) {
      if (kClassLetters[b] == ch && ch != '?') bit = b;
    }
    if (bit < 0) return -1;
    flags |= 1LL << bit;
  }
  return flags;
}

// keyspaceEventsFlagsToString: "A" or the type classes g $ l s h z x e t d n,
// then K, E, m.
std::string ClassesText(long long flags) {
  std::string out;
  if ((flags & kClassAll) == kClassAll) {
    out = "A";
  } else {
    for (char ch : std::string("g$lshzxetdn")) {
      const char* at = kClassLetters;
      while (*at != ch) at++;
      if (flags & (1LL << (at - kClassLetters))) out.push_back(ch);
    }
  }
  if (flags & 1) out.push_back('K');
  if (flags & 2) out.push_back('E');
  if (flags & (1LL << 11)) out.push_back('m');
  return out;
}

// "%f" with its trailing zeros (and a bare point) cut: 99.9 is "99.9".
std::string PercentileText(double p) {
  char buf[128];
  snprintf(buf, sizeof(buf), "%f", p);
  std::string t = buf;
  if (t.find('.') != std::string::npos) {
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
  }
  return t;
}

// latency-tracking-info-percentiles: the value cut at every space, each
// piece a double (strtod taking the whole piece, no leading space, no NaN,
// no overflow or underflow) from 0 to 100. Sets `text` to CONFIG GET's
// form; "" when good, else the error.
std::string ParsePercentiles(const std::string& arg, std::string* text) {
  std::vector<std::string> pieces;
  if (!arg.empty()) {
    std::string cur;
    for (char ch : arg) {
      if (ch == ' ') {
        pieces.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(ch);
      }
    }
    pieces.push_back(cur);
  }
  std::string out;
  for (const std::string& p : pieces) {
    char* end = nullptr;
    errno = 0;
    double d = p.empty() ? 0 : strtod(p.c_str(), &end);
    bool bad = p.empty() || isspace(static_cast<unsigned char>(p[0])) ||
               end != p.c_str() + p.size() || std::isnan(d);
    if (!bad && errno == ERANGE && (std::isinf(d) || d == 0)) bad = true;
    if (bad) return "Invalid latency-tracking-info-percentiles parameters";
    if (d < 0.0 || d > 100.0) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    out += (out.empty() ? "" : " ") + PercentileText(d);
  }
  *text = out;
  return "";
}

// numericParseString + numericBoundaryCheck; "" when the value is good.
std::string ParseValue(const ConfigDef& d, const std::string& arg, long long* out) {
  if (d.kind == 3) {
    // yesnotoi: "yes" or "no" in any letter case.
    std::string text = CString(arg);
    if (text.size() == 3 && EqualsIgnoreCase(text, "yes")) {
      *out = 1;
      return "";
    }
    if (text.size() == 2 && EqualsIgnoreCase(text, "no")) {
      *out = 0;
      return "";
    }
    return "argument must be 'yes' or 'no'";
  }
  if (d.event_classes) {
    *out = ParseClasses(arg);
    return *out < 0 ? "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." : "";
  }
  long long ll;
  if (d.kind == 2 || d.kind == 5) {
    // configEnumGetValue: strcasecmp over the names.
    const char* const* enum_names = d.kind == 2 ? kPolicies : kFsyncModes;
    const int n = d.kind == 2 ? 8 : 3;
    std::string text = CString(arg);
    for (int i = 0; i < n; i++) {
      if (text.size() == std::string(enum_names[i]).size() &&
          EqualsIgnoreCase(text, enum_names[i])) {
        *out = i;
        return "";
      }
    }
    std::string names;
    for (int i = 0; i < n; i++) names += std::string(i ? ", " : "") + enum_names[i];
    return "argument(s) must be one of the following: " + names;
  }
  unsigned long long mem;
  int64_t pct;
  if (d.memory && MemToUll(arg, &mem)) {
    ll = static_cast<long long>(mem);
  } else if (d.percent && arg.size() > 1 && arg.back() == '%' &&
             String2ll(arg.substr(0, arg.size() - 1), &pct) && pct >= 0) {
    ll = -pct;
  } else if (d.percent) {
    return "argument must be a memory or percent value";
  } else if (d.memory) {
    return "argument must be a memory value";
  } else {
    int64_t v;
    if (!String2ll(arg, &v)) return "argument couldn't be parsed into an integer";
    ll = v;
  }
  if (d.percent && ll < 0) {
    if (ll < d.lower) {
      return "percentage argument must be less or equal to " + std::to_string(-d.lower);
    }
  } else if (d.is_signed) {
    if (ll > d.upper || ll < d.lower) {
      return "argument must be between " + std::to_string(d.lower) + " and " +
             std::to_string(d.upper) + " inclusive";
    }
  } else {
    unsigned long long ull = static_cast<unsigned long long>(ll);
    if (ull > static_cast<unsigned long long>(d.upper) ||
        ull < static_cast<unsigned long long>(d.lower)) {
      return "argument must be between " +
             std::to_string(static_cast<unsigned long long>(d.lower)) + " and " +
             std::to_string(static_cast<unsigned long long>(d.upper)) + " inclusive";
    }
  }
  *out = ll;
  return "";
}

// C-string case-insensitive equality (the matches dict of configGetCommand).
bool SameName(const std::string& a, const std::string& b) {
  std::string x = CString(a), y = CString(b);
  return x.size() == y.size() && EqualsIgnoreCase(x, y.c_str());
}

Value ConfigGet(Ctx& c) {
  std::vector<std::pair<std::string, const ConfigDef*>> matches;
  auto found = [&](const std::string& name) {
    for (const auto& m : matches) {
      if (SameName(m.first, name)) return true;
    }
    return false;
  };
  for (size_t i = 2; i < c.argc(); i++) {
    const std::string& name = c.argv[i];
    std::string cname = CString(name);
    if (cname.find_first_of("[*?") == std::string::npos) {
      if (found(name)) continue;
      const ConfigDef* d = LookupConfig(name);
      if (d != nullptr) matches.emplace_back(cname, d);
      continue;
    }
    for (const ConfigDef& d : Configs()) {
      if (found(d.name) || d.hidden) continue;
      if (StringMatch(cname, d.name, /*nocase=*/true)) matches.emplace_back(d.name, &d);
    }
  }
  // requirepass, a string config (reference_acl.cc), after the others.
  for (size_t i = 2; i < c.argc(); i++) {
    const std::string cname = CString(c.argv[i]);
    const bool glob = cname.find_first_of("[*?") != std::string::npos;
    // Named whole, the reply names it as asked (configGetCommand's matches
    // dict keeps the argument: "requirEpass"); a pattern gives its own name.
    // A name is looked up whole, past a NUL ("requirepass\0x" is no
    // config); a pattern is matched up to its first NUL.
    if (glob ? StringMatch(cname, "requirepass", /*nocase=*/true)
             : c.argv[i].find('\0') == std::string::npos && SameName(c.argv[i], "requirepass")) {
      matches.emplace_back(glob ? std::string("requirepass") : cname, nullptr);
      break;
    }
  }
  std::vector<Value> flat;
  for (const auto& [name, d] : matches) {
    if (d == nullptr) {
      flat.push_back(c.Bulk(name));
      flat.push_back(c.Bulk(c.st.acl.requirepass));
      continue;
    }
    flat.push_back(c.Bulk(name));
    if (d->kind == 4) {
      flat.push_back(c.Bulk(c.st.config.latency_tracking_info_percentiles));
      continue;
    }
    const int64_t v = c.st.config.*(d->field);
    if (d->immutable != nullptr) {
      const bool local = c.st.debug_command && std::string(d->name) == "enable-debug-command";
      flat.push_back(c.Bulk(local ? "local" : d->immutable));
    } else if (d->percent && v < 0) {
      flat.push_back(c.Bulk(std::to_string(-v) + "%"));
    } else if (d->event_classes) {
      flat.push_back(c.Bulk(ClassesText(v)));
    } else if (d->kind == 1) {
      flat.push_back(c.Bulk(std::to_string(static_cast<unsigned long long>(v))));
    } else if (d->kind == 2) {
      flat.push_back(c.Bulk(kPolicies[v]));
    } else if (d->kind == 5) {
      flat.push_back(c.Bulk(kFsyncModes[v]));
    } else if (d->kind == 3) {
      flat.push_back(c.Bulk(v != 0 ? "yes" : "no"));
    } else {
      flat.push_back(c.Bulk(std::to_string(v)));
    }
  }
  return c.Map(std::move(flat));
}

Value ConfigSet(Ctx& c) {
  if (c.argc() & 1) return c.Syntax();
  size_t count = (c.argc() - 2) / 2;
  std::vector<const ConfigDef*> set(count, nullptr);
  const std::string* requirepass = nullptr;  // a string config (reference_acl.cc)
  for (size_t i = 0; i < count; i++) {
    const std::string& name = c.argv[2 + i * 2];
    if (SameName(name, "requirepass") && name.find('\0') == std::string::npos) {
      if (requirepass != nullptr) {  // named as given, as every duplicate is
        return c.Err(SanitizeErrorText("CONFIG SET failed (possibly related to argument '" +
                                       CString(name) + "') - duplicate parameter"));
      }
      requirepass = &c.argv[3 + i * 2];
      continue;
    }
    const ConfigDef* d = LookupConfig(name);
    if (d == nullptr) {
      return c.Err(SanitizeErrorText("Unknown option or number of arguments for CONFIG SET - '" +
                                     CString(name) + "'"));
    }
    if (d->immutable != nullptr) {
      return c.Err(SanitizeErrorText("CONFIG SET failed (possibly related to argument '" +
                                     CString(name) + "') - can't set immutable config"));
    }
    for (size_t j = 0; j < i; j++) {
      if (set[j] == d) {
        return c.Err(SanitizeErrorText("CONFIG SET failed (possibly related to argument '" +
                                       CString(name) + "') - duplicate parameter"));
      }
    }
    set[i] = d;
  }
  Config backup = c.st.config;
  for (size_t i = 0; i < count; i++) {
    if (set[i] == nullptr) continue;  // requirepass
    long long v = 0;
    std::string text;
    std::string err = set[i]->kind == 4 ? ParsePercentiles(c.argv[3 + i * 2], &text)
                                        : ParseValue(*set[i], c.argv[3 + i * 2], &v);
    if (!err.empty()) {
      c.st.config = backup;
      return c.Err("CONFIG SET failed (possibly related to argument '" + std::string(set[i]->name) +
                   "') - " + err);
    }
    if (set[i]->kind == 4) {
      c.st.config.latency_tracking_info_percentiles = text;
    } else {
      c.st.config.*(set[i]->field) = v;
    }
  }
  // updateMaxmemory: a maxmemory set evicts at once (reference_memory.cc).
  if (requirepass != nullptr) AclSetRequirepass(c.st, *requirepass);
  for (const ConfigDef* d : set) {
    if (d != nullptr && d->field == &Config::maxmemory) {
      PerformEvictions(c.st);
      break;
    }
  }
  return c.Ok();
}

// resetServerStats and resetCommandTableStats: of what the model keeps,
// the latency histograms (reference_latency.cc).
Value ConfigResetStat(Ctx& c) {
  c.st.latency_calls.clear();
  return c.Ok();
}

Value ConfigRewrite(Ctx& c) { return c.Err("The server is running without a config file"); }

Value Help(Ctx& c, const std::vector<std::string>& lines) {
  std::vector<Value> out;
  for (const std::string& l : lines) out.push_back(Value::Simple(l));
  return c.Array(std::move(out));
}

// CLIENT HELP: redis-server 7.0.15's text.
Value ClientHelp(Ctx& c) {
  return Help(c,
              {
                  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                  "CACHING (YES|NO)",
                  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
                  "GETREDIR",
                  "    Return the client ID we are redirecting to when tracking is enabled.",
                  "GETNAME",
                  "    Return the name of the current connection.",
                  "ID",
                  "    Return the ID of the current connection.",
                  "INFO",
                  "    Return information about the current client connection.",
                  "KILL <ip:port>",
                  "    Kill connection made from <ip:port>.",
                  "KILL <option> <value> [<option> <value> [...]]",
                  "    Kill connections. Options are:",
                  "    * ADDR (<ip:port>|<unixsocket>:0)",
                  "      Kill connections made from the specified address",
                  "    * LADDR (<ip:port>|<unixsocket>:0)",
                  "      Kill connections made to specified local address",
                  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                  "      Kill connections by type.",
                  "    * USER <username>",
                  "      Kill connections authenticated by <username>.",
                  "    * SKIPME (YES|NO)",
                  "      Skip killing current connection (default: yes).",
                  "LIST [options ...]",
                  "    Return information about client connections. Options:",
                  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                  "      Return clients of specified type.",
                  "UNPAUSE",
                  "    Stop the current client pause, resuming traffic.",
                  "PAUSE <timeout> [WRITE|ALL]",
                  "    Suspend all, or just write, clients for <timeout> milliseconds.",
                  "REPLY (ON|OFF|SKIP)",
                  "    Control the replies sent to the current connection.",
                  "SETNAME <name>",
                  "    Assign the name <name> to the current connection.",
                  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                  "    Unblock the specified blocked client.",
                  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                  "         [OPTIN] [OPTOUT] [NOLOOP]",
                  "    Control server assisted client side caching.",
                  "TRACKINGINFO",
                  "    Report tracking status for the current connection.",
                  "NO-EVICT (ON|OFF)",
                  "    Protect current client connection from eviction.",
                  "HELP",
                  "    Prints this help.",
              });
}

Value ConfigHelp(Ctx& c) {
  return Help(c,
              {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET <pattern>",
               "    Return parameters matching the glob-like <pattern> and their values.",
               "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
               "RESETSTAT", "    Reset statistics reported by the INFO command.", "REWRITE",
               "    Rewrite the configuration file.", "HELP", "    Prints this help."});
}

// OBJECT's lookup (objectCommandLookupOrReply): no touch; nullptr when missing.
Object* ObjectLookup(Ctx& c) { return LookupKeyNoTouch(c.st, c.db(), c.argv[2]); }

// strEncoding of the robj the model's string would be.
std::string StringEncoding(const Object& o) {
  if (o.str_made == 2) return "raw";
  int64_t v;
  if (o.str_made == 0 && o.str.size() <= 20 && String2ll(o.str, &v)) return "int";
  return o.str.size() <= 44 ? "embstr" : "raw";
}

Value ObjectEncoding(Ctx& c) {
  Object* o = ObjectLookup(c);
  if (o == nullptr) return c.Null();
  switch (o->kind) {
    case Kind::kString:
      return c.Bulk(StringEncoding(*o));
    case Kind::kList:
      return c.Bulk("quicklist");
    case Kind::kHash:
      return c.Bulk(o->hash_hashtable ? "hashtable" : "listpack");
    case Kind::kSet:
      return c.Bulk(o->set_hashtable ? "hashtable" : "intset");
    case Kind::kZSet:
      return c.Bulk(o->zset_skiplist ? "skiplist" : "listpack");
    case Kind::kStream:
      return c.Bulk("stream");
  }
  return c.Null();
}

Value ObjectRefcount(Ctx& c) {
  Object* o = ObjectLookup(c);
  if (o == nullptr) return c.Null();
  // shared.integers[0..9999] have refcount INT_MAX (OBJ_SHARED_REFCOUNT).
  int64_t v;
  if (o->kind == Kind::kString && !o->str_dup && StringEncoding(*o) == "int" &&
      String2ll(o->str, &v) && v >= 0 && v < 10000) {
    return c.Int(INT_MAX);
  }
  return c.Int(1);
}

Value ObjectFreq(Ctx& c) {
  Object* o = ObjectLookup(c);
  if (o == nullptr) return c.Null();
  if (LfuPolicy(c.st)) return c.Int(LfuCounter(c.st, *o));  // reference_memory.cc
  return c.Err(
      "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
      "when switching between policies at runtime LRU and LFU data will take some time to "
      "adjust.");
}

Value ObjectIdletime(Ctx& c) {
  Object* o = ObjectLookup(c);
  if (o == nullptr) return c.Null();
  if (LfuPolicy(c.st)) {
    return c.Err(
        "An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
  }
  // estimateObjectIdleTime / 1000 with LRU_CLOCK_RESOLUTION 1000 ms.
  const int64_t lruclock = LruClock(c.st);
  const int64_t max = (1 << 24) - 1;
  if (lruclock >= o->lru) return c.Int(lruclock - o->lru);
  return c.Int(lruclock + (max - o->lru));
}

Value ObjectHelp(Ctx& c) {
  return Help(c,
              {"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "ENCODING <key>",
               "    Return the kind of internal representation used in order to store the value",
               "    associated with a <key>.", "FREQ <key>",
               "    Return the access frequency index of the <key>. The returned integer is",
               "    proportional to the logarithm of the recent access frequency of the key.",
               "IDLETIME <key>",
               "    Return the idle time of the <key>, that is the approximated number of",
               "    seconds elapsed since the last access to the key.", "REFCOUNT <key>",
               "    Return the number of references of the value associated with the specified",
               "    <key>.", "HELP", "    Prints this help."});
}

// CLIENT NO-EVICT ON|OFF (clientCommand).
Value ClientNoEvict(Ctx& c) {
  if (EqualsIgnoreCase(c.argv[2], "on")) {
    c.s().no_evict = true;
  } else if (EqualsIgnoreCase(c.argv[2], "off")) {
    c.s().no_evict = false;
  } else {
    return c.Syntax();
  }
  return c.Ok();
}

}  // namespace

const std::map<std::string, CommandSpec>& IntrospectionSubcommands() {
  static const std::map<std::string, CommandSpec> subs = {
      {"config|get", {"config|get", -3, ConfigGet}},
      {"config|set", {"config|set", -4, ConfigSet}},
      {"config|resetstat", {"config|resetstat", 2, ConfigResetStat}},
      {"config|rewrite", {"config|rewrite", 2, ConfigRewrite}},
      {"config|help", {"config|help", 2, ConfigHelp}},
      {"object|encoding", {"object|encoding", 3, ObjectEncoding}},
      {"object|refcount", {"object|refcount", 3, ObjectRefcount}},
      {"object|freq", {"object|freq", 3, ObjectFreq}},
      {"object|idletime", {"object|idletime", 3, ObjectIdletime}},
      {"object|help", {"object|help", 2, ObjectHelp}},
      {"client|no-evict", {"client|no-evict", 3, ClientNoEvict}},
      {"client|help", {"client|help", 2, ClientHelp}},
  };
  return subs;
}

}  // namespace respfuzz::models::refmodel
