// Sorted-set commands: ZADD ZREM ZSCORE ZMSCORE ZINCRBY ZCARD ZCOUNT ZRANGE
// ZRANGEBYSCORE ZREVRANGE ZRANK ZREVRANK ZRANGEBYLEX ZLEXCOUNT
// ZREMRANGEBYRANK ZREMRANGEBYSCORE ZPOPMIN ZPOPMAX ZREVRANGEBYSCORE
// ZREVRANGEBYLEX ZREMRANGEBYLEX ZRANGESTORE, as Redis 7.0.
//
// Two Redis details shape this file:
// - Score ranges ("1", "(1") are parsed with plain strtod on the C string:
//   unlike score arguments, "" and " 1" are accepted, and an argument stops
//   at its first NUL byte.
// - Lex ranges over members of different scores have no defined answer; Redis
//   scans its listpack (small sets) linearly from the end it starts at, and
//   this file does the same, which is also the exact answer whenever all
//   scores are equal (then a binary search finds the bounds).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

using Index = ZSet::Index;
using IndexIt = Index::const_iterator;

constexpr std::string_view kErrNotFloatRange = "ERR min or max is not a float";
constexpr std::string_view kErrLexRange = "ERR min or max not valid string range item";
constexpr std::string_view kErrNaN = "ERR resulting score is not a number (NaN)";
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------
// Writing into a sorted set.

// Stores a score as Redis would: a listpack keeps scores as text, where -0
// becomes 0. Returns whether the member is new.
bool StoreScore(ZSet& z, std::string_view member, double score) {
  if (z.listpack() && score == 0) score = 0.0;
  return z.Set(member, score);
}

// Redis converts a listpack to a skiplist just before adding a member that
// would exceed its limits (zset-max-listpack-entries / -value). ZADD's
// creation rule (a skiplist when the entries limit is 0 or the first member
// is too long) is this same test on the first member. (lpSafeToAdd, a
// listpack reaching 1 GB, is not modelled.)
void ConvertBeforeAdding(const EncodingLimits& l, ZSet& z, std::string_view member) {
  if (z.listpack() && (static_cast<int64_t>(z.size()) + 1 > l.zset_max_listpack_entries ||
                       static_cast<int64_t>(member.size()) > l.zset_max_listpack_value)) {
    z.set_listpack(false);
  }
}

struct ZaddFlags {
  bool nx = false, xx = false, gt = false, lt = false, incr = false;
};

enum class AddOutcome { kNop, kAdded, kUpdated, kUnchanged, kNaN };

// Redis's zsetAdd. *newscore is set unless the outcome is kNop or kNaN.
AddOutcome ZsetAdd(const EncodingLimits& l, ZSet& z, std::string_view member, double score,
                   const ZaddFlags& f, double* newscore) {
  const double* cur = z.Score(member);
  if (cur != nullptr) {
    if (f.nx) return AddOutcome::kNop;
    if (f.incr) {
      score += *cur;
      if (std::isnan(score)) return AddOutcome::kNaN;
    }
    if ((f.lt && score >= *cur) || (f.gt && score <= *cur)) return AddOutcome::kNop;
    *newscore = score;
    if (score == *cur) return AddOutcome::kUnchanged;  // -0 == 0: the old sign stays
    StoreScore(z, member, score);
    return AddOutcome::kUpdated;
  }
  if (f.xx) return AddOutcome::kNop;
  ConvertBeforeAdding(l, z, member);
  StoreScore(z, member, score);
  *newscore = score;
  return AddOutcome::kAdded;
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and
// ZINCRBY key increment member (the same code in Redis: it parses options too).
void ZaddGeneric(CommandContext& c, bool incr_command) {
  ZaddFlags f;
  f.incr = incr_command;
  bool ch = false;
  size_t idx = 2;
  for (; idx < c.argc(); ++idx) {
    if (c.ArgIs(idx, "nx")) {
      f.nx = true;
    } else if (c.ArgIs(idx, "xx")) {
      f.xx = true;
    } else if (c.ArgIs(idx, "ch")) {
      ch = true;
    } else if (c.ArgIs(idx, "incr")) {
      f.incr = true;
    } else if (c.ArgIs(idx, "gt")) {
      f.gt = true;
    } else if (c.ArgIs(idx, "lt")) {
      f.lt = true;
    } else {
      break;
    }
  }
  const size_t args = c.argc() - idx;
  if (args == 0 || args % 2 != 0) {
    c.reply.Error(kErrSyntax);
    return;
  }
  const size_t pairs = args / 2;
  if (f.nx && f.xx) {
    c.reply.Error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    c.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (f.incr && pairs > 1) {
    c.reply.Error("ERR INCR option supports a single increment-element pair");
    return;
  }
  // Every score is parsed before anything changes.
  std::vector<double> scores(pairs);
  for (size_t j = 0; j < pairs; ++j) {
    if (!c.DoubleArg(idx + 2 * j, &scores[j])) return;
  }
  const std::string& key = c.arg(1);
  ZSet* z = nullptr;
  if (!c.FindAs(key, &z)) return;
  // A missing key is created unless XX; the new set is stored at the end.
  ZSet fresh;
  const bool created = z == nullptr && !f.xx;
  if (created) z = &fresh;
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  bool nan = false;
  for (size_t j = 0; z != nullptr && j < pairs; ++j) {
    double newscore = 0;
    const AddOutcome out =
        ZsetAdd(c.engine.limits(), *z, c.arg(idx + 2 * j + 1), scores[j], f, &newscore);
    if (out == AddOutcome::kNaN) {
      nan = true;  // pairs before this one stay applied (only INCR's single pair gets here)
      break;
    }
    if (out == AddOutcome::kAdded) ++added;
    if (out == AddOutcome::kUpdated) ++updated;
    if (out != AddOutcome::kNop) {
      ++processed;
      score = newscore;
    }
  }
  if (created) {
    if (!fresh.empty()) c.ks.Store(c.db, key, Object(std::move(fresh)), /*keep_ttl=*/false);
  } else if (added + updated > 0) {
    c.ks.Touched(c.db, key);
  }
  c.Dirty(added + updated);
  if (nan) {
    c.reply.Error(kErrNaN);
  } else if (f.incr) {
    if (processed > 0) {
      c.reply.Double(score);
    } else {
      c.reply.Null();
    }
  } else {
    c.reply.Integer(ch ? added + updated : added);
  }
  // zaddGenericCommand's cleanup: after the reply, even after a NaN error.
  if (added + updated > 0) c.Notify(kNotifyZset, f.incr ? "zincr" : "zadd", key);
}

void CmdZadd(CommandContext& c) { ZaddGeneric(c, false); }
void CmdZincrby(CommandContext& c) { ZaddGeneric(c, true); }

void CmdZrem(CommandContext& c) {
  const std::string& key = c.arg(1);
  ZSet* z = nullptr;
  if (!c.FindAs(key, &z)) return;
  int64_t removed = 0;
  if (z != nullptr) {
    for (size_t i = 2; i < c.argc() && !z->empty(); ++i) removed += z->Erase(c.arg(i)) ? 1 : 0;
    if (removed > 0) c.NotifyTouched(kNotifyZset, "zrem", key);
    c.Dirty(removed);
  }
  c.reply.Integer(removed);
}

// ---------------------------------------------------------------------------
// Reading.

// A member's score, or null when the set (z may be nullptr) lacks it.
void ReplyScore(CommandContext& c, const ZSet* z, const std::string& member) {
  const double* s = z == nullptr ? nullptr : z->Score(member);
  if (s == nullptr) {
    c.reply.Null();
  } else {
    c.reply.Double(*s);
  }
}

void CmdZscore(CommandContext& c) {
  ZSet* z = nullptr;
  if (!c.FindAs(c.arg(1), &z)) return;
  ReplyScore(c, z, c.arg(2));
}

void CmdZmscore(CommandContext& c) {
  ZSet* z = nullptr;
  if (!c.FindAs(c.arg(1), &z)) return;
  c.reply.ArrayHeader(static_cast<int64_t>(c.argc() - 2));
  for (size_t i = 2; i < c.argc(); ++i) ReplyScore(c, z, c.arg(i));
}

void CmdZcard(CommandContext& c) {
  ZSet* z = nullptr;
  if (!c.FindAs(c.arg(1), &z)) return;
  c.reply.Integer(z == nullptr ? 0 : static_cast<int64_t>(z->size()));
}

void ZrankGeneric(CommandContext& c, bool reverse) {
  ZSet* z = nullptr;
  if (!c.FindAs(c.arg(1), &z)) return;
  const int64_t rank = z == nullptr ? -1 : z->Rank(c.arg(2));
  if (rank < 0) {
    c.reply.Null();
  } else {
    c.reply.Integer(reverse ? static_cast<int64_t>(z->size()) - 1 - rank : rank);
  }
}

void CmdZrank(CommandContext& c) { ZrankGeneric(c, false); }
void CmdZrevrank(CommandContext& c) { ZrankGeneric(c, true); }

// ---------------------------------------------------------------------------
// Ranges.

// The iterator at `rank` (end() when rank >= size): O(log n).
IndexIt AtRank(const ZSet& z, size_t rank) { return z.index().AtRank(rank); }

struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
};

// zslParseRange's item: optional '(' then strtod over the C string.
bool ParseScoreItem(const std::string& arg, double* v, bool* ex) {
  const char* p = arg.c_str();
  *ex = p[0] == '(';
  if (*ex) ++p;
  char* end = nullptr;
  *v = std::strtod(p, &end);
  return *end == '\0' && !std::isnan(*v);
}

bool ParseScoreRange(const std::string& min, const std::string& max, ScoreRange* r) {
  return ParseScoreItem(min, &r->min, &r->minex) && ParseScoreItem(max, &r->max, &r->maxex);
}

bool GteMin(double v, const ScoreRange& r) { return r.minex ? v > r.min : v >= r.min; }
bool LteMax(double v, const ScoreRange& r) { return r.maxex ? v < r.max : v <= r.max; }

// The entries in range are [*lo, *hi).
void ScoreBounds(const ZSet& z, const ScoreRange& r, IndexIt* lo, IndexIt* hi) {
  const Index& index = z.index();
  // The first entry of a score s is (s, ""); the first entry above s is the
  // first of nextafter(s, +inf).
  auto first_at_or_above = [&](double s, bool strictly) {
    if (!strictly) return index.lower_bound(s, "");
    if (s == kInf) return index.end();
    return index.lower_bound(std::nextafter(s, kInf), "");
  };
  *lo = first_at_or_above(r.min, r.minex);
  *hi = first_at_or_above(r.max, !r.maxex);
  if (*lo == index.end() || !LteMax((*lo)->first, r)) *hi = *lo;
}

struct LexBound {
  enum Kind { kMinusInf, kPlusInf, kValue } kind = kValue;
  std::string_view value;
  bool ex = false;
};

// zslParseLexRangeItem: "-", "+", "(member" or "[member". The '+'/'-' checks
// look at the C string (a NUL after the sign is accepted).
bool ParseLexItem(const std::string& arg, LexBound* b) {
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '+':
    case '-':
      if (arg.size() > 1 && arg[1] != '\0') return false;
      b->kind = arg[0] == '+' ? LexBound::kPlusInf : LexBound::kMinusInf;
      b->ex = true;
      return true;
    case '(':
    case '[':
      b->kind = LexBound::kValue;
      b->ex = arg[0] == '(';
      b->value = std::string_view(arg).substr(1);
      return true;
    default:
      return false;
  }
}

struct LexRange {
  LexBound min, max;
};

bool ParseLexRange(const std::string& min, const std::string& max, LexRange* r) {
  return ParseLexItem(min, &r->min) && ParseLexItem(max, &r->max);
}

// sdscmplex: the infinities compare below/above everything.
int CompareLex(const LexBound& a, const LexBound& b) {
  if (a.kind != LexBound::kValue && a.kind == b.kind) return 0;
  if (a.kind == LexBound::kMinusInf || b.kind == LexBound::kPlusInf) return -1;
  if (a.kind == LexBound::kPlusInf || b.kind == LexBound::kMinusInf) return 1;
  const int cmp = a.value.compare(b.value);
  return cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
}

bool LexGteMin(std::string_view v, const LexBound& min) {
  if (min.kind != LexBound::kValue) return min.kind == LexBound::kMinusInf;
  const int cmp = v.compare(min.value);
  return min.ex ? cmp > 0 : cmp >= 0;
}

bool LexLteMax(std::string_view v, const LexBound& max) {
  if (max.kind != LexBound::kValue) return max.kind == LexBound::kPlusInf;
  const int cmp = v.compare(max.value);
  return max.ex ? cmp < 0 : cmp <= 0;
}

// zzlIsInLexRange: false when no element can be in range.
bool MaybeInLexRange(const ZSet& z, const LexRange& r) {
  const int cmp = CompareLex(r.min, r.max);
  if (cmp > 0 || (cmp == 0 && (r.min.ex || r.max.ex))) return false;
  if (z.empty()) return false;
  if (!LexGteMin(std::prev(z.index().end())->second, r.min)) return false;
  return LexLteMax(z.index().begin()->second, r.max);
}

bool SingleScore(const ZSet& z) {
  return z.index().begin()->first == std::prev(z.index().end())->first;
}

// Redis's zzlFirstInLexRange: end() when nothing is in range.
IndexIt FirstInLexRange(const ZSet& z, const LexRange& r) {
  const Index& index = z.index();
  if (!MaybeInLexRange(z, r)) return index.end();
  IndexIt it;
  if (SingleScore(z)) {
    if (r.min.kind == LexBound::kMinusInf) {
      it = index.begin();
    } else {
      const double score = index.begin()->first;
      it = r.min.ex ? index.upper_bound(score, r.min.value) : index.lower_bound(score, r.min.value);
    }
  } else {
    it = index.begin();
    while (it != index.end() && !LexGteMin(it->second, r.min)) ++it;
  }
  if (it == index.end() || !LexLteMax(it->second, r.max)) return index.end();
  return it;
}

// Redis's zzlLastInLexRange: end() when nothing is in range.
IndexIt LastInLexRange(const ZSet& z, const LexRange& r) {
  const Index& index = z.index();
  if (!MaybeInLexRange(z, r)) return index.end();
  IndexIt it;
  if (SingleScore(z)) {
    IndexIt above;  // the first entry past max
    if (r.max.kind == LexBound::kPlusInf) {
      above = index.end();
    } else {
      const double score = index.begin()->first;
      above =
          r.max.ex ? index.lower_bound(score, r.max.value) : index.upper_bound(score, r.max.value);
    }
    if (above == index.begin()) return index.end();
    it = std::prev(above);
  } else {
    it = index.end();
    do {
      --it;
      if (LexLteMax(it->second, r.max)) break;
      if (it == index.begin()) return index.end();
    } while (true);
  }
  if (!LexGteMin(it->second, r.min)) return index.end();
  return it;
}

// Writes a range reply: RESP2 flattens member/score pairs; RESP3 nests them.
void ReplyEntries(CommandContext& c, const std::vector<const ZSet::Entry*>& entries,
                  bool withscores) {
  const int64_t n = static_cast<int64_t>(entries.size());
  c.reply.ArrayHeader(withscores && !c.reply.resp3() ? n * 2 : n);
  for (const ZSet::Entry* e : entries) {
    if (withscores && c.reply.resp3()) c.reply.ArrayHeader(2);
    c.reply.Bulk(e->second);
    if (withscores) c.reply.Double(e->first);
  }
}

// ZRANGESTORE's destination (zrangeResultBeginStore and zsetAdd): a
// listpack, unless a rank range of more than 128 entries (its length known in
// advance) starts it as a skiplist; members are added in range order and
// convert it as ZADD's would. Nothing in range deletes the destination
// (dbDelete, even when logically expired). Replies the count.
void StoreRange(CommandContext& c, const std::vector<const ZSet::Entry*>& entries,
                bool rank_range) {
  const std::string& dst = c.arg(1);
  if (entries.empty()) {
    c.reply.Integer(0);
    if (c.ks.DeleteStored(c.db, dst)) {
      c.Notify(kNotifyGeneric, "del", dst);
      c.Dirty();
    }
    return;
  }
  ZSet z;
  const EncodingLimits& limits = c.engine.limits();
  if (rank_range && static_cast<int64_t>(entries.size()) > limits.zset_max_listpack_entries) {
    z.set_listpack(false);
  }
  for (const ZSet::Entry* e : entries) {
    ConvertBeforeAdding(limits, z, e->second);
    StoreScore(z, e->second, e->first);
  }
  const int64_t n = static_cast<int64_t>(z.size());
  c.ks.SetKey(c.db, dst, Object(std::move(z)));
  c.reply.Integer(n);
  c.Notify(kNotifyZset, "zrangestore", dst);
  c.Dirty();
}

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// Redis's zrangeGenericCommand for ZRANGE, ZRANGEBYSCORE, ZREVRANGE and
// ZRANGEBYLEX: the type and direction are fixed by the command, except
// ZRANGE's (kAuto), which its BYSCORE/BYLEX/REV options set.
// ZRANGESTORE (`store`) is the same code with its source key at argv[2]
// (`base`) and no WITHSCORES.
void ZrangeGeneric(CommandContext& c, RangeType type, Direction direction, size_t base = 1,
                   bool store = false) {
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = base + 3; j < c.argc(); ++j) {
    const size_t left = c.argc() - j - 1;
    if (!store && c.ArgIs(j, "withscores")) {
      withscores = true;
    } else if (c.ArgIs(j, "limit") && left >= 2) {
      if (!c.IntArg(j + 1, &offset) || !c.IntArg(j + 2, &limit)) return;
      j += 2;
    } else if (direction == Direction::kAuto && c.ArgIs(j, "rev")) {
      direction = Direction::kReverse;
    } else if (type == RangeType::kAuto && c.ArgIs(j, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && c.ArgIs(j, "byscore")) {
      type = RangeType::kScore;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  if (type == RangeType::kAuto) type = RangeType::kRank;
  const bool reverse = direction == Direction::kReverse;
  if (limit != -1 && type == RangeType::kRank) {
    c.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return;
  }
  if (withscores && type == RangeType::kLex) {
    c.reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  // Reverse score and lex ranges are given as max, min.
  size_t minidx = base + 1, maxidx = base + 2;
  if (reverse && type != RangeType::kRank) std::swap(minidx, maxidx);
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      if (!c.IntArg(minidx, &start) || !c.IntArg(maxidx, &end)) return;
      break;
    case RangeType::kScore:
      if (!ParseScoreRange(c.arg(minidx), c.arg(maxidx), &score_range)) {
        c.reply.Error(kErrNotFloatRange);
        return;
      }
      break;
    case RangeType::kLex:
      if (!ParseLexRange(c.arg(minidx), c.arg(maxidx), &lex_range)) {
        c.reply.Error(kErrLexRange);
        return;
      }
      break;
  }
  ZSet* z = nullptr;
  if (!c.FindAs(c.arg(base), &z)) return;
  std::vector<const ZSet::Entry*> out;
  // The reply, or ZRANGESTORE's destination.
  auto finish = [&](bool rank_range) {
    if (store) {
      StoreRange(c, out, rank_range);
    } else {
      ReplyEntries(c, out, withscores);
    }
  };
  if (z == nullptr) {
    finish(false);  // *0 in both protocols; an empty destination
    return;
  }
  const Index& index = z->index();
  if (type == RangeType::kRank) {
    const int64_t size = static_cast<int64_t>(z->size());
    if (ClampRange(size, &start, &end)) {
      const size_t n = static_cast<size_t>(end - start + 1);
      out.reserve(n);
      if (!reverse) {
        for (IndexIt it = AtRank(*z, static_cast<size_t>(start)); out.size() < n; ++it) {
          out.push_back(&*it);
        }
      } else {
        // Reverse rank r is forward rank size-1-r.
        IndexIt it = AtRank(*z, static_cast<size_t>(size - 1 - start));
        for (;; --it) {
          out.push_back(&*it);
          if (out.size() == n) break;
        }
      }
    }
    finish(true);
    return;
  }
  // Score and lex ranges: find the first entry in range from the starting
  // end, skip `offset` entries (a negative offset skips everything, as in
  // Redis's `while (offset--)`), then take up to `limit` (negative: all)
  // while in range.
  IndexIt first = index.end();
  if (type == RangeType::kScore) {
    IndexIt lo, hi;
    ScoreBounds(*z, score_range, &lo, &hi);
    if (lo != hi) first = reverse ? std::prev(hi) : lo;
  } else {
    first = reverse ? LastInLexRange(*z, lex_range) : FirstInLexRange(*z, lex_range);
  }
  auto in_range = [&](IndexIt it) {
    if (type == RangeType::kScore) {
      return reverse ? GteMin(it->first, score_range) : LteMax(it->first, score_range);
    }
    return reverse ? LexGteMin(it->second, lex_range.min) : LexLteMax(it->second, lex_range.max);
  };
  // Steps `it` once in the walking direction; false when it falls off.
  auto step = [&](IndexIt* it) {
    if (reverse) {
      if (*it == index.begin()) return false;
      --*it;
      return true;
    }
    ++*it;
    return *it != index.end();
  };
  bool valid = first != index.end();
  IndexIt it = first;
  if (valid && offset != 0) {
    // `offset` steps from `first` in the walking direction, by rank: O(log n).
    const int64_t size = static_cast<int64_t>(z->size());
    const int64_t from = static_cast<int64_t>(index.Rank(first));
    if (offset < 0 || offset >= size) {
      valid = false;
    } else if (reverse) {
      valid = from - offset >= 0;
      if (valid) it = index.AtRank(static_cast<size_t>(from - offset));
    } else {
      valid = from + offset < size;
      if (valid) it = index.AtRank(static_cast<size_t>(from + offset));
    }
  }
  for (int64_t taken = 0; valid && (limit < 0 || taken < limit); ++taken) {
    if (!in_range(it)) break;
    out.push_back(&*it);
    valid = step(&it);
  }
  finish(false);
}

void CmdZrange(CommandContext& c) { ZrangeGeneric(c, RangeType::kAuto, Direction::kAuto); }
void CmdZrangebyscore(CommandContext& c) {
  ZrangeGeneric(c, RangeType::kScore, Direction::kForward);
}
void CmdZrevrange(CommandContext& c) { ZrangeGeneric(c, RangeType::kRank, Direction::kReverse); }
void CmdZrangebylex(CommandContext& c) { ZrangeGeneric(c, RangeType::kLex, Direction::kForward); }
void CmdZrevrangebyscore(CommandContext& c) {
  ZrangeGeneric(c, RangeType::kScore, Direction::kReverse);
}
void CmdZrevrangebylex(CommandContext& c) {
  ZrangeGeneric(c, RangeType::kLex, Direction::kReverse);
}
void CmdZrangestore(CommandContext& c) {
  ZrangeGeneric(c, RangeType::kAuto, Direction::kAuto, /*base=*/2, /*store=*/true);
}

void CmdZcount(CommandContext& c) {
  ScoreRange r;
  if (!ParseScoreRange(c.arg(2), c.arg(3), &r)) {
    c.reply.Error(kErrNotFloatRange);
    return;
  }
  ZSet* z = nullptr;
  if (!c.FindAs(c.arg(1), &z)) return;
  int64_t n = 0;
  if (z != nullptr) {
    IndexIt lo, hi;
    ScoreBounds(*z, r, &lo, &hi);
    n = static_cast<int64_t>(z->index().Rank(hi) - z->index().Rank(lo));
  }
  c.reply.Integer(n);
}

void CmdZlexcount(CommandContext& c) {
  LexRange r;
  if (!ParseLexRange(c.arg(2), c.arg(3), &r)) {
    c.reply.Error(kErrLexRange);
    return;
  }
  ZSet* z = nullptr;
  if (!c.FindAs(c.arg(1), &z)) return;
  int64_t n = 0;
  if (z != nullptr) {
    const Index& index = z->index();
    const IndexIt first = FirstInLexRange(*z, r);
    if (first != index.end() && SingleScore(*z)) {
      // One score: the range is contiguous, so two ranks give the count.
      const IndexIt last = LastInLexRange(*z, r);
      if (last != index.end()) {
        n = static_cast<int64_t>(index.Rank(last)) - static_cast<int64_t>(index.Rank(first)) + 1;
      }
    } else {
      // Mixed scores: Redis's listpack walk from the first member in range.
      for (IndexIt it = first; it != index.end(); ++it) {
        if (!LexLteMax(it->second, r.max)) break;
        ++n;
      }
    }
  }
  c.reply.Integer(n);
}

// ---------------------------------------------------------------------------
// Removing ranges and popping.

// Erases the entries [lo, hi) of the sorted set at key, notifies `event`;
// replies the count.
void EraseEntries(CommandContext& c, const std::string& key, ZSet& z, IndexIt lo, IndexIt hi,
                  std::string_view event) {
  std::vector<std::string> members;
  for (IndexIt it = lo; it != hi; ++it) members.push_back(it->second);
  for (const std::string& m : members) z.Erase(m);
  if (!members.empty()) c.TouchedNotify(kNotifyZset, event, key);
  c.Dirty(static_cast<int64_t>(members.size()));
  c.reply.Integer(static_cast<int64_t>(members.size()));
}

void CmdZremrangebyrank(CommandContext& c) {
  int64_t start = 0, end = 0;
  if (!c.IntArg(2, &start) || !c.IntArg(3, &end)) return;
  const std::string& key = c.arg(1);
  ZSet* z = nullptr;
  if (!c.FindAs(key, &z)) return;
  if (z == nullptr || !ClampRange(static_cast<int64_t>(z->size()), &start, &end)) {
    c.reply.Integer(0);
    return;
  }
  const IndexIt lo = AtRank(*z, static_cast<size_t>(start));
  const IndexIt hi = AtRank(*z, static_cast<size_t>(end + 1));
  EraseEntries(c, key, *z, lo, hi, "zremrangebyrank");
}

void CmdZremrangebyscore(CommandContext& c) {
  ScoreRange r;
  if (!ParseScoreRange(c.arg(2), c.arg(3), &r)) {
    c.reply.Error(kErrNotFloatRange);
    return;
  }
  const std::string& key = c.arg(1);
  ZSet* z = nullptr;
  if (!c.FindAs(key, &z)) return;
  if (z == nullptr) {
    c.reply.Integer(0);
    return;
  }
  IndexIt lo, hi;
  ScoreBounds(*z, r, &lo, &hi);
  EraseEntries(c, key, *z, lo, hi, "zremrangebyscore");
}

// ZREMRANGEBYLEX: the listpack's walk (zzlDeleteRangeByLex): from the first
// member in range, while members stay at or below max.
void CmdZremrangebylex(CommandContext& c) {
  LexRange r;
  if (!ParseLexRange(c.arg(2), c.arg(3), &r)) {
    c.reply.Error(kErrLexRange);
    return;
  }
  const std::string& key = c.arg(1);
  ZSet* z = nullptr;
  if (!c.FindAs(key, &z)) return;
  if (z == nullptr) {
    c.reply.Integer(0);
    return;
  }
  const Index& index = z->index();
  IndexIt lo = FirstInLexRange(*z, r);
  IndexIt hi = lo;
  while (hi != index.end() && LexLteMax(hi->second, r.max)) ++hi;
  EraseEntries(c, key, *z, lo, hi, "zremrangebylex");
}

// ZPOPMIN/ZPOPMAX key [count]
void ZpopGeneric(CommandContext& c, bool max) {
  if (c.argc() > 3) {
    c.reply.Error(kErrSyntax);
    return;
  }
  int64_t count = -1;  // no count: one element, always a flat reply
  if (c.argc() == 3 && !c.NonNegativeArg(2, &count)) return;
  const std::string& key = c.arg(1);
  ZSet* z = nullptr;
  if (!c.FindAs(key, &z)) return;
  if (z == nullptr || count == 0) {
    c.reply.ArrayHeader(0);
    return;
  }
  const bool nested = c.reply.resp3() && count != -1;
  if (count == -1) count = 1;
  const int64_t n = std::min<int64_t>(count, static_cast<int64_t>(z->size()));
  c.reply.ArrayHeader(nested ? n : n * 2);
  for (int64_t i = 0; i < n; ++i) {
    const ZSet::Entry& e = max ? *std::prev(z->index().end()) : *z->index().begin();
    if (nested) c.reply.ArrayHeader(2);
    c.reply.Bulk(e.second);
    c.reply.Double(e.first);
    const std::string member = e.second;
    z->Erase(member);
  }
  c.NotifyTouched(kNotifyZset, max ? "zpopmax" : "zpopmin", key);
  c.Dirty(n);
}

void CmdZpopmin(CommandContext& c) { ZpopGeneric(c, false); }
void CmdZpopmax(CommandContext& c) { ZpopGeneric(c, true); }

// genericZpopCommand with the key emitted, on an existing, non-empty sorted
// set: `count` -1 pops one and replies [key, member, score] (BZPOPMIN /
// BZPOPMAX); with `nested`, [key, [[member, score], ...]] (ZMPOP, BZMPOP).
// The key is signalled (or deleted when emptied).
void ZpopWithKey(CommandContext& c, const std::string& key, ZSet& z, bool max, int64_t count,
                 bool nested) {
  if (count == -1) count = 1;
  const int64_t n = std::min<int64_t>(count, static_cast<int64_t>(z.size()));
  if (nested) {
    c.reply.ArrayHeader(2);
    c.reply.Bulk(key);
    c.reply.ArrayHeader(n);
  } else {
    c.reply.ArrayHeader(n * 2 + 1);
    c.reply.Bulk(key);
  }
  for (int64_t i = 0; i < n; ++i) {
    const ZSet::Entry& e = max ? *std::prev(z.index().end()) : *z.index().begin();
    if (nested) c.reply.ArrayHeader(2);
    c.reply.Bulk(e.second);
    c.reply.Double(e.first);
    const std::string member = e.second;
    z.Erase(member);
  }
  c.NotifyTouched(kNotifyZset, max ? "zpopmax" : "zpopmin", key);
  c.Dirty(n);
}

// ZMPOP, BZMPOP and the BZPOPs go to replicas as ZPOPMIN / ZPOPMAX key,
// with the count (at most the size) when they had one; `served`: a blocked
// session's, an op of its own (alsoPropagate), else the command rewritten.
void PropagateZpop(CommandContext& c, const std::string& key, const ZSet& z, bool max,
                   int64_t count, bool served) {
  if (!c.engine.propagating()) return;
  const char* name = max ? "ZPOPMAX" : "ZPOPMIN";
  std::vector<std::string> as = {name, key};
  if (count != -1) as.push_back(std::to_string(std::min<int64_t>(count, z.size())));
  if (served) {
    c.engine.AlsoPropagate(c.db, std::move(as));
  } else {
    c.PropagateAs(std::move(as));
  }
}

// ZMPOP / BZMPOP's arguments after the timeout (zmpopGenericCommand):
// numkeys, the keys, MIN|MAX, [COUNT n].
bool ParseZmpop(CommandContext& c, size_t numkeys_idx, int64_t* numkeys, bool* max,
                int64_t* count) {
  if (!c.RangeArg(numkeys_idx, 1, INT64_MAX, numkeys, "ERR numkeys should be greater than 0")) {
    return false;
  }
  if (*numkeys >= static_cast<int64_t>(c.argc() - numkeys_idx - 1)) {
    c.reply.Error(kErrSyntax);
    return false;
  }
  const size_t where_idx = numkeys_idx + static_cast<size_t>(*numkeys) + 1;
  if (c.ArgIs(where_idx, "min")) {
    *max = false;
  } else if (c.ArgIs(where_idx, "max")) {
    *max = true;
  } else {
    c.reply.Error(kErrSyntax);
    return false;
  }
  *count = -1;
  for (size_t j = where_idx + 1; j < c.argc(); ++j) {
    if (*count == -1 && c.ArgIs(j, "count") && j + 1 < c.argc()) {
      ++j;
      if (!c.RangeArg(j, 1, INT64_MAX, count, "ERR count should be greater than 0")) return false;
    } else {
      c.reply.Error(kErrSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  return true;
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: the first existing key
// (WRONGTYPE if it is no sorted set), else a null array.
void CmdZmpop(CommandContext& c) {
  int64_t numkeys, count;
  bool max;
  if (!ParseZmpop(c, 1, &numkeys, &max, &count)) return;
  for (size_t j = 2; j < 2 + static_cast<size_t>(numkeys); ++j) {
    ZSet* z;
    if (!c.FindAs(c.arg(j), &z)) return;
    if (z == nullptr) continue;
    PropagateZpop(c, c.arg(j), *z, max, count, false);
    ZpopWithKey(c, c.arg(j), *z, max, count, true);
    return;
  }
  c.reply.NullArray();
}

// blockingGenericZpopCommand: the timeout, then the first non-empty sorted
// set; none: a null array inside MULTI, else the session blocks.
void BlockingZpop(CommandContext& c, size_t first_key, size_t numkeys, bool max, size_t timeout_idx,
                  int64_t count, bool nested) {
  int64_t timeout;
  if (!c.TimeoutArg(timeout_idx, &timeout)) return;
  for (size_t j = first_key; j < first_key + numkeys; ++j) {
    ZSet* z;
    if (!c.FindAs(c.arg(j), &z)) return;
    if (z == nullptr || z->empty()) continue;
    PropagateZpop(c, c.arg(j), *z, max, nested ? count : -1, false);
    ZpopWithKey(c, c.arg(j), *z, max, count, nested);
    return;
  }
  if (c.engine.DenyBlocking()) {
    c.reply.NullArray();
    return;
  }
  BlockState b;
  b.type = BlockType::kZSet;
  b.db = c.db;
  b.keys.assign(c.argv.begin() + first_key, c.argv.begin() + first_key + numkeys);
  b.timeout_ms = timeout;
  b.argv.assign(c.argv.begin(), c.argv.end());
  b.left = !max;
  b.count = nested ? count : -1;
  c.engine.Block(c.session, std::move(b));
}

void CmdBzpopmin(CommandContext& c) {
  BlockingZpop(c, 1, c.argc() - 2, false, c.argc() - 1, -1, false);
}
void CmdBzpopmax(CommandContext& c) {
  BlockingZpop(c, 1, c.argc() - 2, true, c.argc() - 1, -1, false);
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void CmdBzmpop(CommandContext& c) {
  int64_t numkeys, count;
  bool max;
  if (!ParseZmpop(c, 2, &numkeys, &max, &count)) return;
  BlockingZpop(c, 3, static_cast<size_t>(numkeys), max, 1, count, true);
}

constexpr std::array<CommandSpec, 26> kCommands = {{
    {"zadd", -4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdZadd},
    {"zrem", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdZrem},
    {"zscore", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZscore},
    {"zmscore", -3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZmscore},
    {"zincrby", 4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdZincrby},
    {"zcard", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZcard},
    {"zcount", 4, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZcount},
    {"zrange", -4, kCmdReadonly, 1, 1, 1, CmdZrange},
    {"zrangebyscore", -4, kCmdReadonly, 1, 1, 1, CmdZrangebyscore},
    {"zrevrange", -4, kCmdReadonly, 1, 1, 1, CmdZrevrange},
    {"zrank", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZrank},
    {"zrevrank", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZrevrank},
    {"zrangebylex", -4, kCmdReadonly, 1, 1, 1, CmdZrangebylex},
    {"zlexcount", 4, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZlexcount},
    {"zremrangebyrank", 4, kCmdWrite, 1, 1, 1, CmdZremrangebyrank},
    {"zremrangebyscore", 4, kCmdWrite, 1, 1, 1, CmdZremrangebyscore},
    {"zpopmin", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdZpopmin},
    {"zpopmax", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdZpopmax},
    {"zrevrangebyscore", -4, kCmdReadonly, 1, 1, 1, CmdZrevrangebyscore},
    {"zrevrangebylex", -4, kCmdReadonly, 1, 1, 1, CmdZrevrangebylex},
    {"zremrangebylex", 4, kCmdWrite, 1, 1, 1, CmdZremrangebylex},
    {"zrangestore", -5, kCmdWrite | kCmdDenyOom, 1, 2, 1, CmdZrangestore},
    {"zmpop", -4, kCmdWrite | kCmdMovableKeys, 0, 0, 0, CmdZmpop},
    {"bzpopmin", -3, kCmdWrite | kCmdFast | kCmdNoScript, 1, -2, 1, CmdBzpopmin},
    {"bzpopmax", -3, kCmdWrite | kCmdFast | kCmdNoScript, 1, -2, 1, CmdBzpopmax},
    {"bzmpop", -5, kCmdWrite | kCmdMovableKeys, 0, 0, 0, CmdBzmpop},
}};

}  // namespace

// serveClientsBlockedOnSortedSetKey: genericZpopCommand on the ready key,
// with BZMPOP's nested reply and count. genericZpopCommand looks the key
// up for writing (Find): a second touch after HandleClientsBlockedOnKeys'.
bool ServeBlockedZSet(CommandContext& c, const std::string& key, const BlockState& b) {
  ZSet& z = As<ZSet>(*c.ks.Find(c.db, key));
  PropagateZpop(c, key, z, !b.left, b.count, true);
  ZpopWithKey(c, key, z, !b.left, b.count, b.count != -1);
  return c.ks.Peek(c.db, key) == nullptr;
}

std::span<const CommandSpec> SortedSetCommands() { return kCommands; }

}  // namespace respfuzz::engine
