// Sorted-set algebra: ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZUNION ZINTER ZDIFF
// ZINTERCARD, as Redis 7.0.15's zunionInterDiffGenericCommand.
//
// What fixes the answer, bit for bit:
// - Inputs may be sorted sets or sets (every set member scores 1). Every key
//   is looked up (lazily expired) and type-checked, in argument order, before
//   the options are read: a wrong type wins over a syntax error after it.
// - Union and intersection visit the inputs from the smallest to the largest
//   (a stable sort by cardinality, as glibc 2.36's qsort is a merge sort), and
//   a member's scores are aggregated in that order: SUM is a floating-point
//   sum, so the order shows in the last bits. weight * score that is NaN
//   (0 * inf) counts as 0, and so does a SUM that is NaN (inf + -inf).
// - The difference keeps the first input's scores (no weights).
// - A stored result is a listpack when it has at most zset-max-listpack-entries
//   members of at most zset-max-listpack-value bytes (zsetConvertToListpackIfNeeded), which stores
//   -0 as 0; a reply comes from the skiplist, which keeps -0.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

enum class Op { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, a set, or nothing (a missing key).
struct Source {
  const ZSet* zset = nullptr;
  const Set* set = nullptr;
  double weight = 1.0;

  const void* subject() const {
    return zset != nullptr ? static_cast<const void*>(zset) : static_cast<const void*>(set);
  }
  size_t size() const {
    if (zset != nullptr) return zset->size();
    return set != nullptr ? set->size() : 0;
  }
  // The member's score (1 in a set) into *score; false when it is absent.
  bool Find(std::string_view member, double* score) const {
    if (zset != nullptr) {
      const double* s = zset->Score(member);
      if (s == nullptr) return false;
      *score = *s;
      return true;
    }
    if (set != nullptr && set->contains(member)) {
      *score = 1.0;
      return true;
    }
    return false;
  }
  // Calls fn(member, score) for every member.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (zset != nullptr) {
      for (const auto& [m, s] : zset->scores()) fn(m, s);
    } else if (set != nullptr) {
      for (const std::string& m : *set) fn(m, 1.0);
    }
  }
};

// zunionInterAggregate.
void AggregateInto(double* target, double val, Aggregate a) {
  switch (a) {
    case Aggregate::kSum:
      *target = *target + val;
      if (std::isnan(*target)) *target = 0.0;
      return;
    case Aggregate::kMin:
      *target = val < *target ? val : *target;
      return;
    case Aggregate::kMax:
      *target = val > *target ? val : *target;
      return;
  }
}

double Weighted(double score, double weight) {
  const double v = weight * score;
  return std::isnan(v) ? 0.0 : v;
}

// The result as (member, score) in no particular order.
using Result = std::vector<std::pair<std::string, double>>;

Result Compute(std::vector<Source>& src, Op op, Aggregate agg, size_t limit, size_t* cardinality) {
  Result out;
  if (op != Op::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  switch (op) {
    case Op::kInter: {
      if (src[0].size() == 0) break;
      bool stop = false;
      src[0].ForEach([&](const std::string& m, double s0) {
        if (stop) return;
        double score = Weighted(s0, src[0].weight);
        size_t j = 1;
        for (; j < src.size(); ++j) {
          double v = 0;
          if (src[j].subject() == src[0].subject()) {
            v = s0 * src[j].weight;
          } else if (src[j].Find(m, &v)) {
            v *= src[j].weight;
          } else {
            break;
          }
          AggregateInto(&score, v, agg);
        }
        if (j != src.size()) return;
        if (cardinality != nullptr) {
          ++*cardinality;
          if (limit != 0 && *cardinality >= limit) stop = true;
        } else {
          out.emplace_back(m, score);
        }
      });
      break;
    }
    case Op::kUnion: {
      StrMap<double> acc;
      std::vector<std::string_view> order;
      for (const Source& s : src) {
        s.ForEach([&](const std::string& m, double score) {
          const double v = Weighted(score, s.weight);
          auto [it, inserted] = acc.try_emplace(m, v);
          if (!inserted) AggregateInto(&it->second, v, agg);
        });
      }
      out.reserve(acc.size());
      for (auto& [m, s] : acc) out.emplace_back(m, s);
      break;
    }
    case Op::kDiff: {
      if (src[0].size() == 0) break;
      for (size_t j = 1; j < src.size(); ++j) {
        if (src[j].subject() == src[0].subject()) return out;  // everything goes
      }
      src[0].ForEach([&](const std::string& m, double s0) {
        for (size_t j = 1; j < src.size(); ++j) {
          double unused;
          if (src[j].Find(m, &unused)) return;
        }
        out.emplace_back(m, s0);
      });
      break;
    }
  }
  return out;
}

// numkeys_index: 1 (ZUNION, ZINTER, ZDIFF, ZINTERCARD) or 2 (the STORE forms).
void Generic(CommandContext& c, size_t numkeys_index, Op op, bool cardinality_only) {
  const bool store = numkeys_index == 2;
  int64_t setnum = 0;
  if (!c.IntArg(numkeys_index, &setnum)) return;
  if (setnum < 1) {
    c.reply.Error("ERR at least 1 input key is needed for '" + std::string(c.spec.name) +
                  "' command");
    return;
  }
  if (setnum > static_cast<int64_t>(c.argc() - (numkeys_index + 1))) {
    c.reply.Error(kErrSyntax);
    return;
  }
  std::vector<Source> src(static_cast<size_t>(setnum));
  size_t j = numkeys_index + 1;
  for (Source& s : src) {
    Object* o = c.Find(c.arg(j++));
    if (o == nullptr) continue;
    if (Is<ZSet>(*o)) {
      s.zset = &As<ZSet>(*o);
    } else if (Is<Set>(*o)) {
      s.set = &As<Set>(*o);
    } else {
      c.reply.Error(kErrWrongType);
      return;
    }
  }
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  const bool weighs = op != Op::kDiff && !cardinality_only;
  while (j < c.argc()) {
    const size_t remaining = c.argc() - j;
    if (weighs && remaining >= src.size() + 1 && c.ArgIs(j, "weights")) {
      ++j;
      for (Source& s : src) {
        const std::optional<double> w = ParseDouble(c.arg(j++));
        if (!w) {
          c.reply.Error("ERR weight value is not a float");
          return;
        }
        s.weight = *w;
      }
    } else if (weighs && remaining >= 2 && c.ArgIs(j, "aggregate")) {
      if (c.ArgIs(j + 1, "sum")) {
        agg = Aggregate::kSum;
      } else if (c.ArgIs(j + 1, "min")) {
        agg = Aggregate::kMin;
      } else if (c.ArgIs(j + 1, "max")) {
        agg = Aggregate::kMax;
      } else {
        c.reply.Error(kErrSyntax);
        return;
      }
      j += 2;
    } else if (!store && !cardinality_only && c.ArgIs(j, "withscores")) {
      withscores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && c.ArgIs(j, "limit")) {
      if (!c.NonNegativeArg(j + 1, &limit, "ERR LIMIT can't be negative")) return;
      j += 2;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  size_t cardinality = 0;
  Result result =
      Compute(src, op, agg, static_cast<size_t>(limit), cardinality_only ? &cardinality : nullptr);
  if (cardinality_only) {
    c.reply.Integer(static_cast<int64_t>(cardinality));
    return;
  }
  if (store) {
    const std::string& dst = c.arg(1);
    if (result.empty()) {
      c.reply.Integer(0);
      if (c.ks.DeleteStored(c.db, dst)) {
        c.Notify(kNotifyGeneric, "del", dst);
        c.Dirty();
      }
      return;
    }
    size_t maxlen = 0;
    for (const auto& [m, s] : result) maxlen = std::max(maxlen, m.size());
    ZSet z;
    const EncodingLimits& limits = c.engine.limits();
    const bool listpack = static_cast<int64_t>(result.size()) <= limits.zset_max_listpack_entries &&
                          static_cast<int64_t>(maxlen) <= limits.zset_max_listpack_value;
    z.set_listpack(listpack);
    for (const auto& [m, s] : result) z.Set(m, listpack && s == 0 ? 0.0 : s);
    const int64_t n = static_cast<int64_t>(z.size());
    c.ks.SetKey(c.db, dst, Object(std::move(z)));
    c.reply.Integer(n);
    c.Notify(kNotifyZset,
             op == Op::kUnion   ? "zunionstore"
             : op == Op::kInter ? "zinterstore"
                                : "zdiffstore",
             dst);
    c.Dirty();
    return;
  }
  // The reply walks the skiplist: ascending (score, member).
  ZSet z;
  z.set_listpack(false);
  for (const auto& [m, s] : result) z.Set(m, s);
  const int64_t n = static_cast<int64_t>(z.size());
  c.reply.ArrayHeader(withscores && !c.reply.resp3() ? n * 2 : n);
  for (const ZSet::Entry& e : z.index()) {
    if (withscores && c.reply.resp3()) c.reply.ArrayHeader(2);
    c.reply.Bulk(e.second);
    if (withscores) c.reply.Double(e.first);
  }
}

void CmdZunionstore(CommandContext& c) { Generic(c, 2, Op::kUnion, false); }
void CmdZinterstore(CommandContext& c) { Generic(c, 2, Op::kInter, false); }
void CmdZdiffstore(CommandContext& c) { Generic(c, 2, Op::kDiff, false); }
void CmdZunion(CommandContext& c) { Generic(c, 1, Op::kUnion, false); }
void CmdZinter(CommandContext& c) { Generic(c, 1, Op::kInter, false); }
void CmdZdiff(CommandContext& c) { Generic(c, 1, Op::kDiff, false); }
void CmdZintercard(CommandContext& c) { Generic(c, 1, Op::kInter, true); }

constexpr std::array<CommandSpec, 7> kCommands = {{
    {"zunionstore", -4, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, 1, 1, 1, CmdZunionstore},
    {"zinterstore", -4, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, 1, 1, 1, CmdZinterstore},
    {"zdiffstore", -4, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, 1, 1, 1, CmdZdiffstore},
    {"zunion", -3, kCmdReadonly | kCmdMovableKeys, 0, 0, 0, CmdZunion},
    {"zinter", -3, kCmdReadonly | kCmdMovableKeys, 0, 0, 0, CmdZinter},
    {"zdiff", -3, kCmdReadonly | kCmdMovableKeys, 0, 0, 0, CmdZdiff},
    {"zintercard", -3, kCmdReadonly | kCmdMovableKeys, 0, 0, 0, CmdZintercard},
}};

}  // namespace

std::span<const CommandSpec> SortedSetAlgebraCommands() { return kCommands; }

}  // namespace respfuzz::engine
