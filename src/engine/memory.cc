// Memory accounting (docs/fidelity.md, "Memory accounting"): the bytes a key
// and its value occupy in the engine's own structures, by a plain formula
// over the key and the value (KeyMemoryUsage), the engine's used_memory
// (a baseline plus every key's), and MEMORY USAGE / PURGE / HELP with Redis 7.0.15's arguments,
// errors and reply shapes.
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

// MEMORY (memoryCommand, object.c). Dispatch checked the subcommand and its
// arity. DOCTOR, STATS and MALLOC-STATS report jemalloc's and the process's
// figures, which the engine does not have: they are not subcommands here
// (the unknown-subcommand error), though HELP, Redis's text, names them.
void CmdMemory(CommandContext& c) {
  const std::string& sub = c.arg(1);
  if (OptEquals(sub, "usage")) {
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
