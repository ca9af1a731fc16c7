// INFO [section ...] (Redis 7.0.15's genInfoSectionDict and
// genRedisInfoString): the sections in Redis's order, each with the fields
// whose values the engine knows to be true, and what a server in front of
// it reports about its process (Engine::SetServerInfo). docs/fidelity.md
// ("INFO") lists what each field means here.
#include <array>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

std::string Fixed(double d, int digits) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*f", digits, d);
  return buf;
}

// bytesToHuman (server.c).
std::string BytesToHuman(uint64_t n) {
  const double d = static_cast<double>(n);
  if (n < 1024) return absl::StrCat(n, "B");
  if (n < 1024ull * 1024) return absl::StrCat(Fixed(d / 1024, 2), "K");
  if (n < 1024ull * 1024 * 1024) return absl::StrCat(Fixed(d / (1024 * 1024), 2), "M");
  if (n < 1024ull * 1024 * 1024 * 1024)
    return absl::StrCat(Fixed(d / (1024.0 * 1024 * 1024), 2), "G");
  if (n < 1024ull * 1024 * 1024 * 1024 * 1024) {
    return absl::StrCat(Fixed(d / (1024.0 * 1024 * 1024 * 1024), 2), "T");
  }
  return absl::StrCat(Fixed(d / (1024.0 * 1024 * 1024 * 1024 * 1024), 2), "P");
}

struct Sections {
  bool all = false;
  std::set<std::string> names;  // lower case
  bool Has(std::string_view name) const { return all || names.contains(std::string(name)); }
};

Sections Parse(const CommandContext& c) {
  static constexpr std::array<std::string_view, 11> kDefault = {
      "server", "clients",     "memory",     "persistence", "stats",   "replication",
      "cpu",    "module_list", "errorstats", "cluster",     "keyspace"};
  Sections s;
  if (c.argc() == 1) {
    s.names.insert(kDefault.begin(), kDefault.end());
    return s;
  }
  for (size_t i = 1; i < c.argc(); ++i) {
    const std::string arg = absl::AsciiStrToLower(std::string(CStr(c.arg(i))));
    if (arg == "default") {
      s.names.insert(kDefault.begin(), kDefault.end());
    } else if (arg == "all" || arg == "everything") {
      s.all = true;
    } else {
      s.names.insert(arg);
    }
  }
  return s;
}

void CmdInfo(CommandContext& c) {
  const Sections want = Parse(c);
  const Engine& e = c.engine;
  const EngineStats& st = e.stats();
  const ServerInfo& si = e.server_info();
  const ProcessSample ps = si.sample ? si.sample() : ProcessSample{};
  const int64_t now = c.now_ms();
  const int64_t uptime = (now - e.start_ms()) / 1000;
  std::string out;
  int sections = 0;
  auto section = [&](const char* title) {
    if (sections++ > 0) out += "\r\n";
    absl::StrAppend(&out, "# ", title, "\r\n");
  };
  auto field = [&](const char* name, const auto& value) {
    absl::StrAppend(&out, name, ":", value, "\r\n");
  };
  if (want.Has("server")) {
    section("Server");
    field("redis_version", "7.0.15");
    field("redis_git_sha1", "00000000");
    field("redis_git_dirty", 0);
    field("redis_mode", "standalone");
    field("os", si.os);
    field("arch_bits", static_cast<int>(sizeof(void*) * 8));
    field("multiplexing_api", "epoll");
    field("process_id", si.process_id);
    field("process_supervised", "no");
    field("run_id", e.run_id());
    field("tcp_port", si.tcp_port);
    field("server_time_usec", now * 1000);
    field("uptime_in_seconds", uptime);
    field("uptime_in_days", uptime / 86400);
    field("hz", 10);
    field("configured_hz", 10);
    field("lru_clock", LruClock(now));
    field("executable", si.executable);
    field("config_file", "");
    field("io_threads_active", 0);
  }
  if (want.Has("clients")) {
    size_t open = 0;
    for (size_t i = 0; i < e.session_count(); ++i) open += e.session(static_cast<int>(i)).open;
    section("Clients");
    field("connected_clients", open);
    field("cluster_connections", 0);
    field("maxclients", si.maxclients);
    field("blocked_clients", e.blocked_clients());
    field("tracking_clients", e.tracker().tracking_clients());
    field("clients_in_timeout_table", e.clients_in_timeout_table());
  }
  if (want.Has("memory")) {
    section("Memory");
    // The engine's accounting (memory.cc): the baseline plus every key.
    const uint64_t used = e.UsedMemory();
    field("used_memory", used);
    field("used_memory_human", BytesToHuman(used));
    field("used_memory_rss", ps.used_memory_rss);
    field("used_memory_rss_human", BytesToHuman(ps.used_memory_rss));
    // The script cache and the function libraries (their Lua memory is not
    // measured).
    field("number_of_cached_scripts", e.cached_script_count());
    field("number_of_functions", e.function_count());
    field("number_of_libraries", e.library_count());
    field("maxmemory", e.maxmemory());
    field("maxmemory_human", BytesToHuman(e.maxmemory()));
    field("maxmemory_policy",
          std::string(
              EnumNames(ParamId::kMaxmemoryPolicy)[static_cast<size_t>(e.maxmemory_policy())]));
    field("mem_not_counted_for_evict", 0);  // no replication or AOF buffers
    field("mem_allocator", "libc");
    // lazyfree.cc: the engine frees at once, so nothing is ever pending.
    field("lazyfree_pending_objects", 0);
    field("lazyfreed_objects", st.lazyfreed_objects);
  }
  if (want.Has("persistence")) {
    section("Persistence");
    field("loading", 0);
    field("async_loading", 0);
    // persist.cc: saves run at once, so none is ever in progress.
    field("rdb_changes_since_last_save", e.dirty());
    field("rdb_bgsave_in_progress", 0);
    field("rdb_last_save_time", e.lastsave());
    field("rdb_last_bgsave_status", e.last_bgsave_ok() ? "ok" : "err");
    field("rdb_last_bgsave_time_sec", e.last_bgsave_time_sec());
    field("rdb_current_bgsave_time_sec", -1);
    field("rdb_saves", e.rdb_saves());
    // aof.cc: a rewrite runs at once, so none is ever in progress.
    const Engine::Aof& aof = e.aof();
    field("aof_enabled", aof.state != Engine::AofState::kOff ? 1 : 0);
    field("aof_rewrite_in_progress", 0);
    field("aof_rewrite_scheduled", aof.rewrite_scheduled ? 1 : 0);
    field("aof_last_rewrite_time_sec", aof.rewrite_time_last);
    field("aof_current_rewrite_time_sec", -1);
    field("aof_last_bgrewrite_status", aof.lastbgrewrite_ok ? "ok" : "err");
    field("aof_rewrites", aof.rewrites);
    field("aof_rewrites_consecutive_failures", aof.consecutive_failures);
    field("aof_last_write_status", aof.last_write_ok ? "ok" : "err");
    if (aof.enabled) {
      field("aof_current_size", aof.current_size);
      field("aof_base_size", aof.base_size);
      field("aof_pending_rewrite", aof.rewrite_scheduled ? 1 : 0);
      field("aof_buffer_length", aof.buf.size());
      field("aof_pending_bio_fsync", 0);
      field("aof_delayed_fsync", 0);
    }
  }
  if (want.Has("stats")) {
    // The sizes of the server's pubsub_channels, pubsub_patterns and
    // pubsubshard_channels dicts: each name once, whoever subscribed it.
    std::set<std::string> channels, patterns, shard_channels;
    for (size_t i = 0; i < e.session_count(); ++i) {
      const Session& s = e.session(static_cast<int>(i));
      if (!s.open) continue;
      channels.insert(s.channels.begin(), s.channels.end());
      patterns.insert(s.patterns.begin(), s.patterns.end());
      shard_channels.insert(s.shard_channels.begin(), s.shard_channels.end());
    }
    section("Stats");
    field("total_connections_received", st.connections_received);
    field("total_commands_processed", st.commands_processed);
    field("expired_keys", st.expired_keys);
    field("evicted_keys", st.evicted_keys);
    field("evicted_clients", 0);
    field("keyspace_hits", c.ks.hits());
    field("keyspace_misses", c.ks.misses());
    field("pubsub_channels", channels.size());
    field("pubsub_patterns", patterns.size());
    field("pubsubshard_channels", shard_channels.size());
    field("total_forks", 0);
    field("migrate_cached_sockets", e.migrate_cached_sockets());
    field("tracking_total_keys", e.tracker().table_keys());
    field("tracking_total_items", e.tracker().table_items());
    field("tracking_total_prefixes", e.tracker().table_prefixes());
    field("unexpected_error_replies", 0);
    field("total_error_replies", st.error_replies);
    field("reply_buffer_shrinks", st.reply_buffer_shrinks);
    field("reply_buffer_expands", st.reply_buffer_expands);
  }
  if (want.Has("replication")) {
    section("Replication");
    field("role", "master");
    // Replicas made by SYNC / PSYNC (replication.cc): the address and port
    // they announced (REPLCONF ip-address / listening-port; the peer's
    // address and 0 otherwise), the offset they acknowledged (REPLCONF ACK)
    // and the seconds since (or since SYNC); one with neither a peer nor
    // an announced address (in process) is counted but not listed, as its
    // connPeerToString would fail.
    field("connected_slaves", static_cast<int64_t>(e.replica_count()));
    int n = 0;
    for (const Session* s : e.ReplicaSessions()) {
      if (s->addr.empty() && s->announced_ip.empty()) continue;
      field(absl::StrCat("slave", n++).c_str(),
            absl::StrCat("ip=", s->announced_ip.empty() ? std::string(PeerIp(*s)) : s->announced_ip,
                         ",port=", s->listening_port, ",state=online,offset=", s->repl_ack_off,
                         ",lag=", (e.keyspace().now_ms() - s->replica_since_ms) / 1000));
    }
    field("master_failover_state", "no-failover");
    field("master_replid", e.master_replid());
    field("master_replid2", std::string(40, '0'));
    field("master_repl_offset", e.master_repl_offset());
    field("second_repl_offset", -1);
    field("repl_backlog_active", e.repl_backlog_active() ? 1 : 0);
    field("repl_backlog_size", 1048576);
    // The backlog holds the stream's last bytes since its first one, up
    // to its size.
    const int64_t histlen =
        e.repl_backlog_active()
            ? std::min<int64_t>(e.master_repl_offset() - e.repl_backlog_first_byte() + 1, 1048576)
            : 0;
    field("repl_backlog_first_byte_offset",
          e.repl_backlog_active() ? e.master_repl_offset() - histlen + 1 : 0);
    field("repl_backlog_histlen", histlen);
  }
  if (want.Has("cpu")) {
    section("CPU");
    field("used_cpu_sys", Fixed(ps.cpu_sys, 6));
    field("used_cpu_user", Fixed(ps.cpu_user, 6));
    field("used_cpu_sys_children", "0.000000");
    field("used_cpu_user_children", "0.000000");
  }
  if (want.Has("module_list") || want.Has("modules")) section("Modules");
  if (want.Has("commandstats")) {
    section("Commandstats");
    const std::map<std::string_view, CommandStat> sorted(st.commands.begin(), st.commands.end());
    for (const auto& [name, cs] : sorted) {
      if (cs.calls == 0 && cs.failed == 0 && cs.rejected == 0) continue;
      // usec is not measured (the engine's clock is virtual): 0.
      absl::StrAppend(&out, "cmdstat_", std::string(name), ":calls=", cs.calls,
                      ",usec=0,usec_per_call=0.00,rejected_calls=", cs.rejected,
                      ",failed_calls=", cs.failed, "\r\n");
    }
  }
  if (want.Has("errorstats")) {
    section("Errorstats");
    for (const auto& [code, n] : st.errors) {
      absl::StrAppend(&out, "errorstat_", code, ":count=", n, "\r\n");
    }
  }
  if (want.Has("latencystats")) {
    section("Latencystats");
    out += LatencyStatsSection(e);  // latency.cc
  }
  if (want.Has("cluster")) {
    section("Cluster");
    field("cluster_enabled", 0);
  }
  if (want.Has("keyspace")) {
    section("Keyspace");
    for (int db = 0; db < c.ks.num_dbs(); ++db) {
      const Db& d = c.ks.db(db);
      if (d.dict.empty() && d.expires.empty()) continue;
      // avg_ttl is Redis's running estimate from its active expiry samples;
      // 0 here, as on a server whose active expiry has not sampled the db.
      absl::StrAppend(&out, "db", db, ":keys=", d.dict.size(), ",expires=", d.expires.size(),
                      ",avg_ttl=0\r\n");
    }
  }
  c.reply.Verbatim(out, "txt");
}

constexpr std::array<CommandSpec, 1> kCommands = {{
    {"info", -1, kCmdLoading | kCmdStale, 0, 0, 0, CmdInfo},
}};

}  // namespace

std::span<const CommandSpec> InfoCommands() { return kCommands; }

}  // namespace respfuzz::engine
