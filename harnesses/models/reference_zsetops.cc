// Sorted-set algebra of the reference model (t_zset.c,
// zunionInterDiffGenericCommand): ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZUNION
// ZINTER ZDIFF ZINTERCARD.
//
// Written from the command's description, step by step:
//   1. numkeys (an integer, at least 1, at most the arguments left);
//   2. every input key looked up in order (sorted sets and sets; a set member
//      scores 1), WRONGTYPE at the first other type;
//   3. the options: WEIGHTS w... and AGGREGATE SUM|MIN|MAX (not for ZDIFF and
//      ZINTERCARD), WITHSCORES (not for the STORE forms and ZINTERCARD), LIMIT
//      (ZINTERCARD only);
//   4. union and intersection take the inputs from the smallest to the
//      largest, ties in argument order, and fold each member's weighted
//      scores in that order (a NaN product or sum is 0);
//   5. a stored result within zset-max-listpack-entries / -value is a
//      listpack (-0 stored as 0).
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

struct Input {
  const Object* obj = nullptr;  // nullptr: a missing key
  double weight = 1;
  size_t Size() const {
    if (obj == nullptr) return 0;
    return obj->kind == Kind::kZSet ? obj->zset.size() : obj->set.size();
  }
  std::map<std::string, double> Members() const {
    std::map<std::string, double> m;
    if (obj == nullptr) return m;
    if (obj->kind == Kind::kZSet) return obj->zset;
    for (const std::string& s : obj->set) m[s] = 1.0;
    return m;
  }
  bool Has(const std::string& member, double* score) const {
    if (obj == nullptr) return false;
    if (obj->kind == Kind::kZSet) {
      auto it = obj->zset.find(member);
      if (it == obj->zset.end()) return false;
      *score = it->second;
      return true;
    }
    if (obj->set.count(member) == 0) return false;
    *score = 1.0;
    return true;
  }
};

enum { kSum, kMin, kMax };

double Fold(double acc, double v, int how) {
  if (how == kSum) {
    double r = acc + v;
    return std::isnan(r) ? 0.0 : r;
  }
  if (how == kMin) return v < acc ? v : acc;
  return v > acc ? v : acc;
}

double Times(double score, double weight) {
  double r = score * weight;
  return std::isnan(r) ? 0.0 : r;
}

enum class SetOp { kUnion, kInter, kDiff };

Value Generic(Ctx& c, size_t numkeys_at, SetOp op, bool card_only) {
  const bool store = numkeys_at == 2;
  const char* name = store ? (op == SetOp::kUnion   ? "zunionstore"
                              : op == SetOp::kInter ? "zinterstore"
                                                    : "zdiffstore")
                           : (card_only             ? "zintercard"
                              : op == SetOp::kUnion ? "zunion"
                              : op == SetOp::kInter ? "zinter"
                                                    : "zdiff");
  int64_t numkeys = 0;
  Value err;
  if (!c.GetLong(c.argv[numkeys_at], &numkeys, &err)) return err;
  if (numkeys < 1) {
    return c.Err(std::string("at least 1 input key is needed for '") + name + "' command");
  }
  if (numkeys > static_cast<int64_t>(c.argc() - numkeys_at - 1)) return c.Syntax();

  std::vector<Input> in;
  size_t pos = numkeys_at + 1;
  for (int64_t i = 0; i < numkeys; ++i, ++pos) {
    Input x;
    x.obj = LookupKey(c.st, c.db(), c.argv[pos]);
    if (x.obj != nullptr && x.obj->kind != Kind::kZSet && x.obj->kind != Kind::kSet) {
      return c.WrongType();
    }
    in.push_back(x);
  }

  int how = kSum;
  bool withscores = false;
  int64_t limit = 0;
  while (pos < c.argc()) {
    size_t left = c.argc() - pos;
    const std::string& word = c.argv[pos];
    bool weights_ok = op != SetOp::kDiff && !card_only;
    if (weights_ok && left >= in.size() + 1 && EqualsIgnoreCase(word, "weights")) {
      pos++;
      for (Input& x : in) {
        if (!String2d(c.argv[pos], &x.weight)) return c.Err("weight value is not a float");
        pos++;
      }
    } else if (weights_ok && left >= 2 && EqualsIgnoreCase(word, "aggregate")) {
      const std::string& a = c.argv[pos + 1];
      if (EqualsIgnoreCase(a, "sum")) {
        how = kSum;
      } else if (EqualsIgnoreCase(a, "min")) {
        how = kMin;
      } else if (EqualsIgnoreCase(a, "max")) {
        how = kMax;
      } else {
        return c.Syntax();
      }
      pos += 2;
    } else if (!store && !card_only && EqualsIgnoreCase(word, "withscores")) {
      withscores = true;
      pos++;
    } else if (card_only && left >= 2 && EqualsIgnoreCase(word, "limit")) {
      if (!c.GetPositiveLong(c.argv[pos + 1], &limit, &err, "LIMIT can't be negative")) return err;
      pos += 2;
    } else {
      return c.Syntax();
    }
  }

  // Smallest first; equal sizes keep their argument order.
  if (op != SetOp::kDiff) {
    std::stable_sort(in.begin(), in.end(),
                     [](const Input& a, const Input& b) { return a.Size() < b.Size(); });
  }
  std::map<std::string, double> result;
  if (op == SetOp::kInter) {
    for (const auto& [member, s0] : in[0].Members()) {
      double score = Times(s0, in[0].weight);
      bool everywhere = true;
      for (size_t j = 1; j < in.size(); ++j) {
        double s = 0;
        if (!in[j].Has(member, &s)) {
          everywhere = false;
          break;
        }
        score = Fold(score, s * in[j].weight, how);
      }
      if (everywhere) result[member] = score;
    }
  } else if (op == SetOp::kUnion) {
    for (const Input& x : in) {
      for (const auto& [member, s] : x.Members()) {
        double v = Times(s, x.weight);
        auto it = result.find(member);
        if (it == result.end()) {
          result[member] = v;
        } else {
          it->second = Fold(it->second, v, how);
        }
      }
    }
  } else {
    bool repeated = false;  // the first key named again: nothing is left
    for (size_t j = 1; j < in.size(); ++j) {
      if (in[j].obj != nullptr && in[j].obj == in[0].obj) repeated = true;
    }
    if (!repeated) {
      for (const auto& [member, s0] : in[0].Members()) {
        bool elsewhere = false;
        for (size_t j = 1; j < in.size(); ++j) {
          double unused;
          if (in[j].Has(member, &unused)) elsewhere = true;
        }
        if (!elsewhere) result[member] = s0;
      }
    }
  }

  if (card_only) {
    int64_t n = static_cast<int64_t>(result.size());
    if (limit > 0 && n > limit) n = limit;
    return c.Int(n);
  }
  if (store) {
    const std::string& dst = c.argv[1];
    if (result.empty()) {
      if (DbDelete(c.st, c.db(), dst)) {
        SignalModifiedKey(c.st, c.db(), dst);
        c.Notify(kNotifyGeneric, "del", dst);
      }
      return c.Int(0);
    }
    size_t longest = 0;
    for (const auto& [member, s] : result) longest = std::max(longest, member.size());
    Object z;
    z.kind = Kind::kZSet;
    z.zset_skiplist =
        !(static_cast<int64_t>(result.size()) <= c.st.config.zset_max_listpack_entries &&
          static_cast<int64_t>(longest) <= c.st.config.zset_max_listpack_value);
    for (const auto& [member, s] : result) {
      z.zset[member] = (!z.zset_skiplist && s == 0) ? 0.0 : s;
    }
    int64_t n = static_cast<int64_t>(z.zset.size());
    SetKey(c.st, c.db(), dst, std::move(z), false, -1);
    c.Notify(kNotifyZset, Lowered(c.argv[0]), dst);
    return c.Int(n);
  }
  std::vector<std::pair<double, std::string>> sorted;
  for (const auto& [member, s] : result) sorted.emplace_back(s, member);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second < b.second;
  });
  std::vector<Value> out;
  for (const auto& [s, member] : sorted) {
    if (withscores && c.resp3()) {
      out.push_back(c.Array({c.Bulk(member), c.Double(s)}));
    } else {
      out.push_back(c.Bulk(member));
      if (withscores) out.push_back(c.Double(s));
    }
  }
  return c.Array(std::move(out));
}

Value ZUnionStore(Ctx& c) { return Generic(c, 2, SetOp::kUnion, false); }
Value ZInterStore(Ctx& c) { return Generic(c, 2, SetOp::kInter, false); }
Value ZDiffStore(Ctx& c) { return Generic(c, 2, SetOp::kDiff, false); }
Value ZUnion(Ctx& c) { return Generic(c, 1, SetOp::kUnion, false); }
Value ZInter(Ctx& c) { return Generic(c, 1, SetOp::kInter, false); }
Value ZDiff(Ctx& c) { return Generic(c, 1, SetOp::kDiff, false); }
Value ZInterCard(Ctx& c) { return Generic(c, 1, SetOp::kInter, true); }

}  // namespace

std::vector<CommandSpec> ZSetAlgebraCommands() {
  return {
      {"zunionstore", -4, ZUnionStore}, {"zinterstore", -4, ZInterStore},
      {"zdiffstore", -4, ZDiffStore},   {"zunion", -3, ZUnion},
      {"zinter", -3, ZInter},           {"zdiff", -3, ZDiff},
      {"zintercard", -3, ZInterCard},
  };
}

}  // namespace respfuzz::models::refmodel
