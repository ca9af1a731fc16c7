// HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, as Redis
// 7.0.15's hyperloglog.c, on string values in its format (hyperloglog.h).
//
// A value is checked as isHLLObjectOrReply does (WRONGTYPE for another
// type, "-WRONGTYPE Key is not a valid HyperLogLog string value." for a
// string without the header, "-INVALIDOBJ Corrupted HLL object detected"
// when a sparse code turns out not to cover the registers) and written in
// place (a raw string: dbUnshareStringValue). PFCOUNT of one key caches the
// cardinality in the value, which signals the key and counts as a change;
// of several keys it merges without writing.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/hyperloglog.h"

namespace respfuzz::engine {

namespace {

// isHLLObjectOrReply: the value as an HLL string, nullptr after the error
// reply. `o` must exist.
std::string* HllOrReply(CommandContext& c, Object* o) {
  if (!Is<std::string>(*o)) {
    c.reply.Error(kErrWrongType);
    return nullptr;
  }
  std::string* s = &As<std::string>(*o);
  if (!hll::LooksLikeHll(*s)) {
    c.reply.Error(hll::kErrNotHll);
    return nullptr;
  }
  return s;
}

int64_t SparseMaxBytes(const CommandContext& c) { return c.engine.limits().hll_sparse_max_bytes; }

// PFADD key [element ...]: 1 when the key was created or a register changed.
void CmdPfadd(CommandContext& c) {
  const std::string& key = c.arg(1);
  Object* o = c.Find(key);
  std::string* s;
  int64_t updated = 0;
  if (o == nullptr) {
    Object& fresh = c.ks.AddQuietly(c.db, key, Object(hll::CreateSparse()));
    fresh.set_str_enc(StrEnc::kRaw);
    s = &As<std::string>(fresh);
    ++updated;
  } else {
    s = HllOrReply(c, o);
    if (s == nullptr) return;
    o->set_str_enc(StrEnc::kRaw);
  }
  const int64_t max_bytes = SparseMaxBytes(c);
  uint8_t tail = 0;
  for (size_t j = 2; j < c.argc(); ++j) {
    const int r = hll::Add(*s, c.arg(j), max_bytes, &tail);
    if (r == 1) ++updated;
    if (r == -1) {
      c.reply.Error(hll::kErrInvalidObj);
      return;
    }
  }
  if (updated != 0) {
    c.ks.Touched(c.db, key);
    c.Notify(kNotifyString, "pfadd", key);
    c.Dirty(updated);
    hll::InvalidateCache(*s);
  }
  c.reply.Integer(updated != 0 ? 1 : 0);
}

// PFCOUNT key [key ...].
void CmdPfcount(CommandContext& c) {
  if (c.argc() > 2) {
    std::vector<uint8_t> max(hll::kRegisters, 0);
    for (size_t j = 1; j < c.argc(); ++j) {
      Object* o = c.Find(c.arg(j));
      if (o == nullptr) continue;  // an empty HLL
      const std::string* s = HllOrReply(c, o);
      if (s == nullptr) return;
      if (!hll::Merge(max.data(), *s)) {
        c.reply.Error(hll::kErrInvalidObj);
        return;
      }
    }
    c.reply.Integer(static_cast<int64_t>(hll::CountRaw(max.data())));
    return;
  }
  const std::string& key = c.arg(1);
  Object* o = c.Find(key);
  if (o == nullptr) {
    c.reply.Integer(0);
    return;
  }
  std::string* s = HllOrReply(c, o);
  if (s == nullptr) return;
  o->set_str_enc(StrEnc::kRaw);
  uint64_t card;
  if (hll::CacheValid(*s)) {
    card = hll::CachedCard(*s);
  } else {
    bool invalid = false;
    card = hll::Count(*s, &invalid);
    if (invalid) {
      c.reply.Error(hll::kErrInvalidObj);
      return;
    }
    hll::SetCachedCard(*s, card);
    c.ks.Touched(c.db, key);
    c.Dirty();
  }
  // addReplyLongLong of the uint64: a cached value with the top bit clear.
  c.reply.Integer(static_cast<int64_t>(card));
}

// PFMERGE destkey [sourcekey ...]: the destination is also a source. It
// becomes dense when any source is dense, else registers are set in its
// sparse code (which may turn dense on the way).
void CmdPfmerge(CommandContext& c) {
  std::vector<uint8_t> max(hll::kRegisters, 0);
  bool use_dense = false;
  c.ks.set_count_reads(true);  // lookupKeyRead in a write command
  for (size_t j = 1; j < c.argc(); ++j) {
    Object* o = c.Find(c.arg(j));
    if (o == nullptr) continue;
    const std::string* s = HllOrReply(c, o);
    if (s == nullptr || !hll::Merge(max.data(), *s)) {
      if (s != nullptr) c.reply.Error(hll::kErrInvalidObj);
      c.ks.set_count_reads(false);
      return;
    }
    if (hll::Encoding(*s) == hll::kDense) use_dense = true;
  }
  c.ks.set_count_reads(false);
  const std::string& key = c.arg(1);
  Object* o = c.Find(key);
  std::string* s;
  if (o == nullptr) {
    Object& fresh = c.ks.AddQuietly(c.db, key, Object(hll::CreateSparse()));
    fresh.set_str_enc(StrEnc::kRaw);
    s = &As<std::string>(fresh);
  } else {
    o->set_str_enc(StrEnc::kRaw);  // checked as a source above
    s = &As<std::string>(*o);
  }
  if (use_dense && !hll::SparseToDense(*s)) {
    c.reply.Error(hll::kErrInvalidObj);
    return;
  }
  const int64_t max_bytes = SparseMaxBytes(c);
  uint8_t tail = 0;
  for (int j = 0; j < hll::kRegisters; ++j) {
    if (max[j] == 0) continue;
    if (hll::Encoding(*s) == hll::kDense) {
      hll::DenseSetMax(*s, j, max[j]);
    } else {
      hll::SparseSet(*s, j, max[j], max_bytes, &tail);
    }
  }
  hll::InvalidateCache(*s);
  c.ks.Touched(c.db, key);
  c.Notify(kNotifyString, "pfadd", key);  // as the server: a mass PFADD
  c.Dirty();
  c.reply.Ok();
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. The key is looked up and
// checked before the subcommand; converting to dense counts as a change
// but signals nothing, as 7.0.15.
void CmdPfdebug(CommandContext& c) {
  const std::string_view cmd = CStr(c.arg(1));
  Object* o = c.Find(c.arg(2));
  if (o == nullptr) {
    c.reply.Error("ERR The specified key does not exist");
    return;
  }
  std::string* s = HllOrReply(c, o);
  if (s == nullptr) return;
  o->set_str_enc(StrEnc::kRaw);
  if (IEquals(cmd, "getreg")) {
    if (hll::Encoding(*s) == hll::kSparse) {
      if (!hll::SparseToDense(*s)) {
        c.reply.Error(hll::kErrInvalidObj);
        return;
      }
      c.Dirty();
    }
    c.reply.ArrayHeader(hll::kRegisters);
    for (int j = 0; j < hll::kRegisters; ++j) c.reply.Integer(hll::DenseGet(*s, j));
  } else if (IEquals(cmd, "decode")) {
    if (hll::Encoding(*s) != hll::kSparse) {
      c.reply.Error("ERR HLL encoding is not sparse");
      return;
    }
    c.reply.Bulk(hll::DecodeSparse(*s));
  } else if (IEquals(cmd, "encoding")) {
    c.reply.Simple(hll::Encoding(*s) == hll::kDense ? "dense" : "sparse");
  } else if (IEquals(cmd, "todense")) {
    bool conv = false;
    if (hll::Encoding(*s) == hll::kSparse) {
      if (!hll::SparseToDense(*s)) {
        c.reply.Error(hll::kErrInvalidObj);
        return;
      }
      conv = true;
      c.Dirty();
    }
    c.reply.Integer(conv ? 1 : 0);
  } else {
    c.reply.Error("ERR Unknown PFDEBUG subcommand '" + std::string(cmd) + "'");
  }
}

// PFSELFTEST: the registers' packing and the estimator's error, on a
// deterministic stream standing for the server's rand() (any stream passes).
void CmdPfselftest(CommandContext& c) {
  uint32_t state = 1;  // glibc's rand() starts from seed 1; any values do here
  auto rand = [&state]() -> uint32_t {
    state = state * 1103515245u + 12345u;
    return (state >> 1) & 0x7fffffff;
  };
  const std::string err = hll::SelfTest(SparseMaxBytes(c), rand);
  if (err.empty()) {
    c.reply.Ok();
  } else {
    c.reply.Error("ERR " + err);  // addReplyError adds the ERR code
  }
}

constexpr std::array<CommandSpec, 5> kCommands = {{
    {"pfadd", -2, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdPfadd},
    {"pfcount", -2, kCmdReadonly, 1, -1, 1, CmdPfcount},
    {"pfmerge", -2, kCmdWrite | kCmdDenyOom, 1, -1, 1, CmdPfmerge},
    {"pfdebug", 3, kCmdWrite | kCmdDenyOom, 2, 2, 1, CmdPfdebug},
    {"pfselftest", 1, 0, 0, 0, 0, CmdPfselftest},
}};

}  // namespace

std::span<const CommandSpec> HllCommands() { return kCommands; }

}  // namespace respfuzz::engine
