// Memory accounting (docs/fidelity.md, "Memory accounting"): the bytes a key
// and its value occupy in the engine's own structures, by a plain formula
// over the key and the value (KeyMemoryUsage), the engine's used_memory
// (a baseline plus every key's), and MEMORY USAGE / STATS / DOCTOR /
// MALLOC-STATS / PURGE / HELP with Redis 7.0.15's arguments, errors and reply
// shapes.
//
// The formula's constants are the engine's structures on a 64-bit
// libstdc++ build (x86-64 glibc, the build the memory-per-key figures are
// measured on), fixed here so that the number is the same on every build and
// the reference model (harnesses/models/reference_memory.cc) computes it on
// its own:
//   key:    81 + key length   the KeyEntry block (the 48-byte Object, the
//                             8-byte key length, then the key's bytes), its
//                             slot in the db's table (an 8-byte pointer and
//                             a control byte) and its 16-byte SCAN entry
//   string: Heap(len)         the value's std::string sits in the Object;
//                             Heap(n) = n + 1 when n > 15 (libstdc++ keeps 15
//                             bytes inline), else 0
//   list:   80 + per element 32 + Heap(len)   (the boxed std::deque; its
//                             512-byte blocks hold 16 strings)
//   hash:   per field 65 + Heap(field) + Heap(value)   (a flat_hash_map slot
//                             of two strings and its control byte)
//   set:    per member 33 + Heap(member)   (a flat_hash_set slot)
//   zset:   88 + per member 113 + 2 * Heap(member)   (the boxed ZSet: its
//                             member -> score slot, 41 bytes, and the skip
//                             list node with its own copy of the member, 72)
//   stream: 160 + per entry 64 + per field or value 32 + Heap(len)
//                             + per group 96 + Heap(name) + per pending
//                             entry 80 + per consumer 80 + Heap(name)
//                             + its pending IDs 48 each   (the Stream
//                             object, its entry map's nodes, the strings,
//                             the groups' maps)
// Not counted: a TTL's entry, spare capacity (a table's empty slots, a
// string's unused capacity), allocator rounding. The estimate is monotone:
// a longer key or element, or one more element, never reports less.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

uint64_t Heap(size_t n) { return n > 15 ? n + 1 : 0; }

}  // namespace

uint64_t KeyMemoryUsage(std::string_view key, const Object& o) {
  uint64_t n = kKeyOverheadBytes + key.size();
  switch (TypeOf(o)) {
    case ObjType::kString:
      n += Heap(As<std::string>(o).size());
      break;
    case ObjType::kList:
      n += 80;
      for (const std::string& e : As<List>(o)) n += 32 + Heap(e.size());
      break;
    case ObjType::kHash:
      for (const auto& [f, v] : As<Hash>(o)) n += 65 + Heap(f.size()) + Heap(v.size());
      break;
    case ObjType::kSet:
      for (const std::string& m : As<Set>(o)) n += 33 + Heap(m.size());
      break;
    case ObjType::kZSet:
      n += 88;
      for (const auto& [m, score] : As<ZSet>(o).scores()) n += 113 + 2 * Heap(m.size());
      break;
    case ObjType::kStream: {
      const Stream& st = As<Stream>(o);
      n += 160;
      for (const auto& [id, fv] : st.entries()) {
        n += 64;
        for (const std::string& f : fv) n += 32 + Heap(f.size());
      }
      for (const auto& [name, g] : st.groups) {
        n += 96 + Heap(name.size()) + 80 * g.pel.size();
        for (const auto& [cname, c] : g.consumers) n += 80 + Heap(cname.size()) + 48 * c.pel.size();
      }
      break;
    }
  }
  return n;
}

uint64_t Engine::UsedMemory() const {
  uint64_t n = kBaselineMemoryBytes;
  for (int db = 0; db < keyspace_.num_dbs(); ++db) {
    for (const auto& [key, value] : keyspace_.db(db).dict) n += KeyMemoryUsage(key, value);
  }
  return n;
}

namespace {

// getMemoryOverheadData (object.c) over the engine's accounting, as a
// redis-server built with libc malloc computes it (INFO's mem_allocator is
// libc here): the allocator's figures are the used memory and the
// process's RSS. What the engine counts is the baseline (startup: the
// process, the sessions, the script cache and the tables it does not
// count) and every key; each db's main-table overhead is the key's fixed
// part (kKeyOverheadBytes: its entry, its table slot, its SCAN entry) and
// a TTL's entry is not counted, so the other overheads are 0. Without a
// process sample (the harnesses) the RSS is the used memory.
struct MemoryOverhead {
  uint64_t peak = 0, total = 0, startup = kBaselineMemoryBytes, rss = 0;
  struct DbOverhead {
    int db;
    uint64_t main;
  };
  std::vector<DbOverhead> dbs;
  uint64_t overhead = kBaselineMemoryBytes, keys = 0, bytes_per_key = 0;
  int64_t dataset = 0;
  float dataset_perc = 0, peak_perc = 0, frag = 0;
};

MemoryOverhead ComputeOverhead(Engine& e) {
  MemoryOverhead m;
  m.total = e.UsedMemory();
  e.NotePeakMemory(m.total);
  m.peak = e.peak_memory();
  const ServerInfo& si = e.server_info();
  m.rss = si.sample ? si.sample().used_memory_rss : m.total;
  for (int db = 0; db < e.keyspace().num_dbs(); ++db) {
    const uint64_t n = e.keyspace().db(db).dict.size();
    if (n == 0) continue;
    m.keys += n;
    m.dbs.push_back({db, n * kKeyOverheadBytes});
    m.overhead += n * kKeyOverheadBytes;
  }
  m.dataset = static_cast<int64_t>(m.total - m.overhead);
  m.peak_perc = static_cast<float>(m.total) * 100 / static_cast<float>(m.peak);
  const uint64_t net = m.total > m.startup ? m.total - m.startup : 1;
  m.dataset_perc = static_cast<float>(m.dataset) * 100 / static_cast<float>(net);
  m.bytes_per_key = m.keys != 0 ? net / m.keys : 0;
  m.frag = static_cast<float>(m.rss) / static_cast<float>(m.total);
  return m;
}

// MEMORY STATS: the fields in 7.0.15's order. allocator.allocated is the
// used memory, allocator.active and allocator.resident the RSS (no Lua
// memory is taken off it).
void MemoryStats(CommandContext& c) {
  const MemoryOverhead m = ComputeOverhead(c.engine);
  const auto bytes = [](uint64_t a, uint64_t b) { return static_cast<int64_t>(a - b); };
  c.reply.MapHeader(27 + static_cast<int64_t>(m.dbs.size()));
  const auto integer = [&](std::string_view name, int64_t v) {
    c.reply.Bulk(name);
    c.reply.Integer(v);
  };
  const auto ratio = [&](std::string_view name, float v) {
    c.reply.Bulk(name);
    c.reply.Double(v);
  };
  integer("peak.allocated", static_cast<int64_t>(m.peak));
  integer("total.allocated", static_cast<int64_t>(m.total));
  integer("startup.allocated", static_cast<int64_t>(m.startup));
  for (std::string_view zero : {"replication.backlog", "clients.slaves", "clients.normal",
                                "cluster.links", "aof.buffer", "lua.caches", "functions.caches"}) {
    integer(zero, 0);
  }
  for (const MemoryOverhead::DbOverhead& d : m.dbs) {
    c.reply.Bulk(absl::StrCat("db.", d.db));
    c.reply.MapHeader(3);
    integer("overhead.hashtable.main", static_cast<int64_t>(d.main));
    integer("overhead.hashtable.expires", 0);
    integer("overhead.hashtable.slot-to-keys", 0);
  }
  integer("overhead.total", static_cast<int64_t>(m.overhead));
  integer("keys.count", static_cast<int64_t>(m.keys));
  integer("keys.bytes-per-key", static_cast<int64_t>(m.bytes_per_key));
  integer("dataset.bytes", m.dataset);
  ratio("dataset.percentage", m.dataset_perc);
  ratio("peak.percentage", m.peak_perc);
  integer("allocator.allocated", static_cast<int64_t>(m.total));
  integer("allocator.active", static_cast<int64_t>(m.rss));
  integer("allocator.resident", static_cast<int64_t>(m.rss));
  ratio("allocator-fragmentation.ratio", m.frag);
  integer("allocator-fragmentation.bytes", bytes(m.rss, m.total));
  ratio("allocator-rss.ratio", 1);
  integer("allocator-rss.bytes", 0);
  ratio("rss-overhead.ratio", 1);
  integer("rss-overhead.bytes", 0);
  ratio("fragmentation", m.frag);
  integer("fragmentation.bytes", bytes(m.rss, m.total));
}

// MEMORY DOCTOR (getMemoryDoctorReport): 7.0.15's rules and texts over the
// same figures. Replicas, client buffers and the allocator's own overheads
// are 0 or 1 here, so what can be reported is an instance under 5 MiB,
// a past peak, the RSS's fragmentation and the script cache.
void MemoryDoctor(CommandContext& c) {
  const MemoryOverhead m = ComputeOverhead(c.engine);
  std::string report;
  if (m.total < 5 * 1024 * 1024) {
    report =
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't "
        "be used in these conditions. Please, leave for your mission on Earth and fill it with "
        "some data. The new Sam and I will be back to our programming as soon as I finished "
        "rebooting.\n";
  } else {
    const bool big_peak = static_cast<float>(m.peak) / static_cast<float>(m.total) > 1.5f;
    const bool high_frag = m.frag > 1.4f && m.rss > m.total && m.rss - m.total > (10u << 20);
    const bool many_scripts = c.engine.cached_script_count() > 1000;
    if (!big_peak && !high_frag && !many_scripts) {
      report =
          "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
          "occurs on this base.\n";
    } else {
      report = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
      if (big_peak) {
        report +=
            " * Peak memory: In the past this instance used more than 150% the memory that is "
            "currently using. The allocator is normally not able to release memory after a peak, "
            "so you can expect to see a big fragmentation ratio, however this is actually "
            "harmless and is only due to the memory peak, and if the Redis instance Resident Set "
            "Size (RSS) is currently bigger than expected, the memory will be used as soon as you "
            "fill the Redis instance with more data. If the memory peak was only occasional and "
            "you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise "
            "the only other option is to shutdown and restart the instance.\n\n";
      }
      if (high_frag) {
        report +=
            " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
            "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
            "than the sum of the logical allocations Redis performed). This problem is usually "
            "due either to a large peak memory (check if there is a peak memory entry above in "
            "the report) or may result from a workload that causes the allocator to fragment "
            "memory a lot. If the problem is a large peak memory, then there is no issue. "
            "Otherwise, make sure you are using the Jemalloc allocator and not the default libc "
            "malloc. Note: The currently used allocator is \"libc\".\n\n";
      }
      if (many_scripts) {
        report +=
            " * Many scripts: There seem to be many cached scripts in this instance (more than "
            "1000). This may be because scripts are generated and `EVAL`ed, instead of being "
            "parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT "
            "FLUSH` is called periodically, the scripts' caches may end up consuming most of "
            "your memory.\n\n";
      }
      report += "I'm here to keep you safe, Sam. I want to help you.\n";
    }
  }
  c.reply.Verbatim(report, "txt");
}

// MEMORY (memoryCommand, object.c). Dispatch checked the subcommand and its
// arity.
void CmdMemory(CommandContext& c) {
  const std::string& sub = c.arg(1);
  if (OptEquals(sub, "stats")) {
    MemoryStats(c);
  } else if (OptEquals(sub, "doctor")) {
    MemoryDoctor(c);
  } else if (OptEquals(sub, "malloc-stats")) {
    // The reply of a build without jemalloc.
    c.reply.Bulk("Stats not supported for the current allocator");
  } else if (OptEquals(sub, "usage")) {
    // Every option is checked before the key is looked up. SAMPLES bounds
    // Redis's sampling of an aggregate; the engine's estimate counts every
    // element, so the count is checked and not used.
    for (size_t j = 3; j < c.argc(); ++j) {
      if (OptEquals(c.arg(j), "samples") && j + 1 < c.argc()) {
        int64_t samples;
        if (!c.IntArg(j + 1, &samples)) return;
        if (samples < 0) {
          c.reply.Error(kErrSyntax);
          return;
        }
        ++j;
      } else {
        c.reply.Error(kErrSyntax);
        return;
      }
    }
    // dictFind: the key as stored, an expired one too, untouched.
    const Object* o = c.ks.Peek(c.db, c.arg(2));
    if (o == nullptr) {
      c.reply.Null();
      return;
    }
    c.reply.Integer(static_cast<int64_t>(KeyMemoryUsage(c.arg(2), *o)));
  } else if (OptEquals(sub, "purge")) {
    c.reply.Ok();  // nothing to purge: Redis's reply without jemalloc
  } else {
    static constexpr std::string_view kHelp[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    };
    c.reply.ArrayHeader(std::size(kHelp));
    for (std::string_view line : kHelp) c.reply.Simple(line);
  }
}

// A container: memory|usage is read-only with its key at argv[2] (the other
// subcommands have no key).
constexpr std::array<CommandSpec, 1> kCommands = {{
    {"memory", -2, kCmdReadonly, 2, 2, 1, CmdMemory},
}};

}  // namespace

std::span<const CommandSpec> MemoryCommands() { return kCommands; }

}  // namespace respfuzz::engine
