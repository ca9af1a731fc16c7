// Sorted set commands of the reference model (t_zset.c): ZADD ZREM ZSCORE
// ZMSCORE ZINCRBY ZCARD ZCOUNT ZRANGE ZRANGEBYSCORE ZREVRANGE ZRANK ZREVRANK
// ZRANGEBYLEX ZLEXCOUNT ZREMRANGEBYRANK ZREMRANGEBYSCORE ZPOPMIN ZPOPMAX
// ZREVRANGEBYSCORE ZREVRANGEBYLEX ZREMRANGEBYLEX ZRANGESTORE.
//
// Order is (score, member): scores by <, ties (including 0 and -0) by the
// member's bytes. Lex ranges follow the listpack encoding's linear scans
// (zzlFirstInLexRange & co.), which is what Redis runs for sorted sets of at
// most 128 members of at most 64 bytes; on bigger sets whose members do not
// share one score, Redis's skiplist answer depends on random node levels.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

struct Item {
  std::string member;
  double score;
};

std::vector<Item> Sorted(const Object& o) {
  std::vector<Item> v;
  for (const auto& [member, score] : o.zset) v.push_back({member, score});
  std::sort(v.begin(), v.end(), [](const Item& a, const Item& b) {
    if (a.score < b.score) return true;
    if (a.score > b.score) return false;
    return a.member < b.member;
  });
  return v;
}

Object* LookupZSet(Ctx& c, const Value& missing, Value* reply) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) {
    *reply = missing;
    return nullptr;
  }
  if (o->kind != Kind::kZSet) {
    *reply = c.WrongType();
    return nullptr;
  }
  return o;
}

// ---------------------------------------------------------------------------
// Ranges.

struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
};

// zslParseRange: strtod on the C string ("(" makes a bound exclusive); the
// whole C string must be used (so "" reads as 0), NaN is refused.
bool ParseScoreBound(const std::string& arg, double* v, bool* ex) {
  const char* p = arg.c_str();
  char* eptr;
  *ex = false;
  if (p[0] == '(') {
    *v = strtod(p + 1, &eptr);
    *ex = true;
  } else {
    *v = strtod(p, &eptr);
  }
  return eptr[0] == '\0' && !std::isnan(*v);
}

bool ParseScoreRange(const std::string& min, const std::string& max, ScoreRange* r) {
  return ParseScoreBound(min, &r->min, &r->minex) && ParseScoreBound(max, &r->max, &r->maxex);
}

bool GteMin(double v, const ScoreRange& r) { return r.minex ? v > r.min : v >= r.min; }
bool LteMax(double v, const ScoreRange& r) { return r.maxex ? v < r.max : v <= r.max; }

// A lex bound: "-" and "+" are the extreme strings (and count as exclusive).
struct LexBound {
  enum { kMinString, kMaxString, kString } kind = kString;
  std::string s;
  bool ex = false;
};

struct LexRange {
  LexBound min, max;
};

bool ParseLexBound(const std::string& arg, LexBound* b) {
  const char* p = arg.c_str();
  switch (p[0]) {
    case '+':
      if (p[1] != '\0') return false;
      b->kind = LexBound::kMaxString;
      b->ex = true;
      return true;
    case '-':
      if (p[1] != '\0') return false;
      b->kind = LexBound::kMinString;
      b->ex = true;
      return true;
    case '(':
      b->kind = LexBound::kString;
      b->ex = true;
      b->s = arg.substr(1);
      return true;
    case '[':
      b->kind = LexBound::kString;
      b->ex = false;
      b->s = arg.substr(1);
      return true;
    default:
      return false;
  }
}

bool ParseLexRange(const std::string& min, const std::string& max, LexRange* r) {
  return ParseLexBound(min, &r->min) && ParseLexBound(max, &r->max);
}

int Sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

// sdscmplex between a member and a bound.
int CompareLex(const std::string& value, const LexBound& b) {
  if (b.kind == LexBound::kMinString) return 1;
  if (b.kind == LexBound::kMaxString) return -1;
  return Sign(value.compare(b.s));
}

// sdscmplex between the two bounds of a range.
int CompareBounds(const LexBound& a, const LexBound& b) {
  if (a.kind != LexBound::kString && a.kind == b.kind) return 0;
  if (a.kind == LexBound::kMinString || b.kind == LexBound::kMaxString) return -1;
  if (a.kind == LexBound::kMaxString || b.kind == LexBound::kMinString) return 1;
  return Sign(a.s.compare(b.s));
}

bool LexGteMin(const std::string& v, const LexRange& r) {
  return r.min.ex ? CompareLex(v, r.min) > 0 : CompareLex(v, r.min) >= 0;
}
bool LexLteMax(const std::string& v, const LexRange& r) {
  return r.max.ex ? CompareLex(v, r.max) < 0 : CompareLex(v, r.max) <= 0;
}

// zzlIsInLexRange.
bool IsInLexRange(const std::vector<Item>& v, const LexRange& r) {
  int cmp = CompareBounds(r.min, r.max);
  if (cmp > 0 || (cmp == 0 && (r.min.ex || r.max.ex))) return false;
  if (v.empty()) return false;
  if (!LexGteMin(v.back().member, r)) return false;
  if (!LexLteMax(v.front().member, r)) return false;
  return true;
}

// zzlFirstInLexRange / zzlLastInLexRange: an index into v, or -1.
int64_t FirstInLexRange(const std::vector<Item>& v, const LexRange& r) {
  if (!IsInLexRange(v, r)) return -1;
  for (size_t i = 0; i < v.size(); ++i) {
    if (LexGteMin(v[i].member, r)) return LexLteMax(v[i].member, r) ? static_cast<int64_t>(i) : -1;
  }
  return -1;
}

int64_t LastInLexRange(const std::vector<Item>& v, const LexRange& r) {
  if (!IsInLexRange(v, r)) return -1;
  for (size_t i = v.size(); i-- > 0;) {
    if (LexLteMax(v[i].member, r)) return LexGteMin(v[i].member, r) ? static_cast<int64_t>(i) : -1;
  }
  return -1;
}

// ---------------------------------------------------------------------------
// Replies.

// zrangeResultEmit*ToClient: WITHSCORES is a flat array in RESP2 and an
// array of [member, score] pairs in RESP3.
Value RangeReply(Ctx& c, const std::vector<Item>& items, bool withscores) {
  std::vector<Value> out;
  for (const Item& it : items) {
    if (!withscores) {
      out.push_back(c.Bulk(it.member));
    } else if (c.resp3()) {
      out.push_back(c.Array({c.Bulk(it.member), c.Double(it.score)}));
    } else {
      out.push_back(c.Bulk(it.member));
      out.push_back(c.Double(it.score));
    }
  }
  return c.Array(std::move(out));
}

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY.

constexpr int kIncr = 1 << 0;
constexpr int kNx = 1 << 1;
constexpr int kXx = 1 << 2;
constexpr int kGt = 1 << 3;
constexpr int kLt = 1 << 4;

enum AddResult { kAdded, kUpdated, kNop, kNaN, kSame };

// The score as the encoding stores it: a listpack keeps integral scores as
// integers (zzlInsertAt, double2ll), so -0 becomes 0; a skiplist keeps the double.
double Stored(const Object& z, double score) {
  if (!z.zset_skiplist && score == 0) return 0.0;
  return score;
}

// zsetAdd. *newscore is the computed score (what ZINCRBY replies), which
// can differ from the stored one by the sign of zero.
AddResult ZSetAdd(const Config& cfg, Object* z, double score, const std::string& ele, int flags,
                  double* newscore) {
  if (std::isnan(score)) return kNaN;
  auto it = z->zset.find(ele);
  if (it != z->zset.end()) {
    if (flags & kNx) return kNop;
    double curscore = it->second;
    if (flags & kIncr) {
      score += curscore;
      if (std::isnan(score)) return kNaN;
    }
    if (((flags & kLt) && score >= curscore) || ((flags & kGt) && score <= curscore)) return kNop;
    *newscore = score;
    if (score != curscore) {
      it->second = Stored(*z, score);
      return kUpdated;
    }
    return kSame;
  }
  if (flags & kXx) return kNop;
  if (!z->zset_skiplist &&
      (static_cast<int64_t>(z->zset.size()) + 1 > cfg.zset_max_listpack_entries ||
       static_cast<int64_t>(ele.size()) > cfg.zset_max_listpack_value)) {
    z->zset_skiplist = true;  // zsetConvert: scores already stored keep their form
  }
  z->zset[ele] = Stored(*z, score);
  *newscore = score;
  return kAdded;
}

Value ZAddGeneric(Ctx& c, int flags) {
  const std::string& key = c.argv[1];
  bool ch = false;
  size_t scoreidx = 2;
  while (scoreidx < c.argc()) {
    const std::string& opt = c.argv[scoreidx];
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= kNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= kXx;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      ch = true;
    } else if (EqualsIgnoreCase(opt, "incr")) {
      flags |= kIncr;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= kGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= kLt;
    } else {
      break;
    }
    scoreidx++;
  }
  bool incr = flags & kIncr, nx = flags & kNx, xx = flags & kXx, gt = flags & kGt, lt = flags & kLt;
  size_t elements = c.argc() - scoreidx;
  if (elements % 2 || !elements) return c.Syntax();
  elements /= 2;
  if (nx && xx) return c.Err("XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return c.Err("GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && elements > 1) return c.Err("INCR option supports a single increment-element pair");

  std::vector<double> scores(elements);
  Value err;
  for (size_t j = 0; j < elements; ++j) {
    if (!c.GetDouble(c.argv[scoreidx + j * 2], &scores[j], &err)) return err;
  }
  Object* z = LookupKey(c.st, c.db(), key);
  if (z != nullptr && z->kind != Kind::kZSet) return c.WrongType();
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  Value reply;
  bool failed = false;
  if (z == nullptr && xx) {
    // No key + XX: nothing to do.
  } else {
    if (z == nullptr) {
      Object o;
      o.kind = Kind::kZSet;
      // zsetTypeCreate's test in zaddGenericCommand.
      o.zset_skiplist =
          c.st.config.zset_max_listpack_entries == 0 ||
          c.st.config.zset_max_listpack_value < static_cast<int64_t>(c.argv[scoreidx + 1].size());
      z = &DbAdd(c.st, c.db(), key, std::move(o));
    }
    for (size_t j = 0; j < elements; ++j) {
      double newscore = 0;
      AddResult r =
          ZSetAdd(c.st.config, z, scores[j], c.argv[scoreidx + 1 + j * 2], flags, &newscore);
      if (r == kNaN) {
        reply = c.Err("resulting score is not a number (NaN)");
        failed = true;
        break;
      }
      if (r == kAdded) added++;
      if (r == kUpdated) updated++;
      if (r != kNop) processed++;
      score = newscore;
    }
  }
  if (!failed) {
    if (incr) {
      reply = processed ? c.Double(score) : c.Null();
    } else {
      reply = c.Int(ch ? added + updated : added);
    }
  }
  if (added || updated) {
    SignalModifiedKey(c.st, c.db(), key);
    c.Notify(kNotifyZset, incr ? "zincr" : "zadd", key);
  }
  return reply;
}

Value ZAdd(Ctx& c) { return ZAddGeneric(c, 0); }
Value ZIncrBy(Ctx& c) { return ZAddGeneric(c, kIncr); }

Value ZRem(Ctx& c) {
  Value reply;
  Object* z = LookupZSet(c, c.Int(0), &reply);
  if (z == nullptr) return reply;
  int64_t deleted = 0;
  bool keyremoved = false;
  for (size_t j = 2; j < c.argc(); ++j) {
    if (z->zset.erase(c.argv[j])) deleted++;
    if (z->zset.empty()) {
      DbDelete(c.st, c.db(), c.argv[1]);
      keyremoved = true;
      break;
    }
  }
  if (deleted) {
    c.Notify(kNotifyZset, "zrem", c.argv[1]);
    if (keyremoved) c.Notify(kNotifyGeneric, "del", c.argv[1]);
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
  }
  return c.Int(deleted);
}

Value ZScore(Ctx& c) {
  Value reply;
  Object* z = LookupZSet(c, c.Null(), &reply);
  if (z == nullptr) return reply;
  auto it = z->zset.find(c.argv[2]);
  if (it == z->zset.end()) return c.Null();
  return c.Double(it->second);
}

Value ZMScore(Ctx& c) {
  Object* z = LookupKey(c.st, c.db(), c.argv[1]);
  if (z != nullptr && z->kind != Kind::kZSet) return c.WrongType();
  std::vector<Value> out;
  for (size_t j = 2; j < c.argc(); ++j) {
    if (z == nullptr || z->zset.count(c.argv[j]) == 0) {
      out.push_back(c.Null());
    } else {
      out.push_back(c.Double(z->zset.find(c.argv[j])->second));
    }
  }
  return c.Array(std::move(out));
}

Value ZCard(Ctx& c) {
  Value reply;
  Object* z = LookupZSet(c, c.Int(0), &reply);
  if (z == nullptr) return reply;
  return c.Int(static_cast<int64_t>(z->zset.size()));
}

Value ZCount(Ctx& c) {
  ScoreRange r;
  if (!ParseScoreRange(c.argv[2], c.argv[3], &r)) return c.Err("min or max is not a float");
  Value reply;
  Object* z = LookupZSet(c, c.Int(0), &reply);
  if (z == nullptr) return reply;
  int64_t count = 0;
  for (const auto& [member, score] : z->zset) {
    if (GteMin(score, r) && LteMax(score, r)) count++;
  }
  return c.Int(count);
}

Value ZLexCount(Ctx& c) {
  LexRange r;
  if (!ParseLexRange(c.argv[2], c.argv[3], &r)) {
    return c.Err("min or max not valid string range item");
  }
  Value reply;
  Object* z = LookupZSet(c, c.Int(0), &reply);
  if (z == nullptr) return reply;
  std::vector<Item> v = Sorted(*z);
  int64_t i = FirstInLexRange(v, r);
  if (i < 0) return c.Int(0);
  int64_t count = 0;
  for (; i < static_cast<int64_t>(v.size()); ++i) {
    if (!LexLteMax(v[static_cast<size_t>(i)].member, r)) break;
    count++;
  }
  return c.Int(count);
}

Value ZRankGeneric(Ctx& c, bool reverse) {
  Value reply;
  Object* z = LookupZSet(c, c.Null(), &reply);
  if (z == nullptr) return reply;
  std::vector<Item> v = Sorted(*z);
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].member == c.argv[2]) {
      return c.Int(static_cast<int64_t>(reverse ? v.size() - 1 - i : i));
    }
  }
  return c.Null();
}

Value ZRank(Ctx& c) { return ZRankGeneric(c, false); }
Value ZRevRank(Ctx& c) { return ZRankGeneric(c, true); }

// ---------------------------------------------------------------------------
// ZRANGE and its older forms (zrangeGenericCommand).

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// Applies LIMIT the way the range loops do: a negative offset walks off the
// end (nothing), a negative count means no limit.
std::vector<Item> ApplyLimit(const std::vector<Item>& v, int64_t offset, int64_t limit) {
  std::vector<Item> out;
  if (offset < 0) return out;
  for (size_t i = static_cast<size_t>(std::min<int64_t>(offset, static_cast<int64_t>(v.size())));
       i < v.size(); ++i) {
    if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) break;
    out.push_back(v[i]);
  }
  return out;
}

// ZRANGESTORE's destination: a listpack, except a rank range of more than
// 128 members, which starts as a skiplist; members go in in range order, each
// added as ZADD adds one (zsetAdd converts a listpack that outgrows it).
// Nothing picked: the destination is deleted.
Value StoreRange(Ctx& c, const std::vector<Item>& picked, bool by_rank) {
  const std::string& dst = c.argv[1];
  if (picked.empty()) {
    if (DbDelete(c.st, c.db(), dst)) {
      SignalModifiedKey(c.st, c.db(), dst);
      c.Notify(kNotifyGeneric, "del", dst);
    }
    return c.Int(0);
  }
  Object z;
  z.kind = Kind::kZSet;
  z.zset_skiplist =
      by_rank && static_cast<int64_t>(picked.size()) > c.st.config.zset_max_listpack_entries;
  for (const Item& it : picked) {
    double unused;
    ZSetAdd(c.st.config, &z, it.score, it.member, 0, &unused);
  }
  int64_t n = static_cast<int64_t>(z.zset.size());
  SetKey(c.st, c.db(), dst, std::move(z), false, -1);
  c.Notify(kNotifyZset, "zrangestore", dst);
  return c.Int(n);
}

// `store`: ZRANGESTORE dst src min max ..., the source key at argv[2].
Value ZRangeGeneric(Ctx& c, RangeType rangetype, Direction direction, bool store = false) {
  const size_t start_at = store ? 2 : 1;
  const std::string& key = c.argv[start_at];
  size_t minidx = start_at + 1, maxidx = start_at + 2;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  Value err;
  for (size_t j = start_at + 3; j < c.argc(); ++j) {
    size_t leftargs = c.argc() - j - 1;
    if (!store && EqualsIgnoreCase(c.argv[j], "withscores")) {
      withscores = true;
    } else if (EqualsIgnoreCase(c.argv[j], "limit") && leftargs >= 2) {
      if (!c.GetLong(c.argv[j + 1], &offset, &err) || !c.GetLong(c.argv[j + 2], &limit, &err))
        return err;
      j += 2;
    } else if (direction == Direction::kAuto && EqualsIgnoreCase(c.argv[j], "rev")) {
      direction = Direction::kReverse;
    } else if (rangetype == RangeType::kAuto && EqualsIgnoreCase(c.argv[j], "bylex")) {
      rangetype = RangeType::kLex;
    } else if (rangetype == RangeType::kAuto && EqualsIgnoreCase(c.argv[j], "byscore")) {
      rangetype = RangeType::kScore;
    } else {
      return c.Syntax();
    }
  }
  if (direction == Direction::kAuto) direction = Direction::kForward;
  if (rangetype == RangeType::kAuto) rangetype = RangeType::kRank;
  if (limit != -1 && rangetype == RangeType::kRank) {
    return c.Err(
        "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withscores && rangetype == RangeType::kLex) {
    return c.Err("syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  bool reverse = direction == Direction::kReverse;
  if (reverse && (rangetype == RangeType::kScore || rangetype == RangeType::kLex)) {
    std::swap(minidx, maxidx);
  }
  int64_t start = 0, end = 0;
  ScoreRange srange;
  LexRange lrange;
  if (rangetype == RangeType::kRank) {
    if (!c.GetLong(c.argv[minidx], &start, &err) || !c.GetLong(c.argv[maxidx], &end, &err))
      return err;
  } else if (rangetype == RangeType::kScore) {
    if (!ParseScoreRange(c.argv[minidx], c.argv[maxidx], &srange)) {
      return c.Err("min or max is not a float");
    }
  } else {
    if (!ParseLexRange(c.argv[minidx], c.argv[maxidx], &lrange)) {
      return c.Err("min or max not valid string range item");
    }
  }

  Object* z = LookupKey(c.st, c.db(), key);
  if (z == nullptr) return store ? StoreRange(c, {}, false) : c.Array();
  if (z->kind != Kind::kZSet) return c.WrongType();
  std::vector<Item> v = Sorted(*z);
  int64_t llen = static_cast<int64_t>(v.size());
  std::vector<Item> picked;

  if (rangetype == RangeType::kRank) {
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return store ? StoreRange(c, {}, true) : c.Array();
    if (end >= llen) end = llen - 1;
    for (int64_t i = start; i <= end; ++i) {
      picked.push_back(v[static_cast<size_t>(reverse ? llen - 1 - i : i)]);
    }
  } else if (rangetype == RangeType::kScore) {
    std::vector<Item> in_range;
    for (const Item& it : v) {
      if (GteMin(it.score, srange) && LteMax(it.score, srange)) in_range.push_back(it);
    }
    if (reverse) std::reverse(in_range.begin(), in_range.end());
    picked = ApplyLimit(in_range, offset, limit);
  } else {
    // genericZrangebylexCommand: start at the first (last) member in range,
    // skip `offset`, then emit while the members stay below max (above min).
    std::vector<Item> walk;
    int64_t i = reverse ? LastInLexRange(v, lrange) : FirstInLexRange(v, lrange);
    if (i >= 0) {
      if (!reverse) {
        for (int64_t k = i; k < llen; ++k) walk.push_back(v[static_cast<size_t>(k)]);
      } else {
        for (int64_t k = i; k >= 0; --k) walk.push_back(v[static_cast<size_t>(k)]);
      }
    }
    std::vector<Item> limited = ApplyLimit(walk, offset, limit);
    for (const Item& it : limited) {
      if (reverse ? !LexGteMin(it.member, lrange) : !LexLteMax(it.member, lrange)) break;
      picked.push_back(it);
    }
  }
  if (store) return StoreRange(c, picked, rangetype == RangeType::kRank);
  return RangeReply(c, picked, withscores);
}

Value ZRange(Ctx& c) { return ZRangeGeneric(c, RangeType::kAuto, Direction::kAuto); }
Value ZRangeByScore(Ctx& c) { return ZRangeGeneric(c, RangeType::kScore, Direction::kForward); }
Value ZRevRange(Ctx& c) { return ZRangeGeneric(c, RangeType::kRank, Direction::kReverse); }
Value ZRangeByLex(Ctx& c) { return ZRangeGeneric(c, RangeType::kLex, Direction::kForward); }
Value ZRevRangeByScore(Ctx& c) { return ZRangeGeneric(c, RangeType::kScore, Direction::kReverse); }
Value ZRevRangeByLex(Ctx& c) { return ZRangeGeneric(c, RangeType::kLex, Direction::kReverse); }
Value ZRangeStore(Ctx& c) { return ZRangeGeneric(c, RangeType::kAuto, Direction::kAuto, true); }

// ---------------------------------------------------------------------------
// Removal by range, and pops.

Value ZRemRangeByRank(Ctx& c) {
  int64_t start, end;
  Value reply;
  if (!c.GetLong(c.argv[2], &start, &reply) || !c.GetLong(c.argv[3], &end, &reply)) return reply;
  Object* z = LookupZSet(c, c.Int(0), &reply);
  if (z == nullptr) return reply;
  std::vector<Item> v = Sorted(*z);
  int64_t llen = static_cast<int64_t>(v.size());
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return c.Int(0);
  if (end >= llen) end = llen - 1;
  for (int64_t i = start; i <= end; ++i) z->zset.erase(v[static_cast<size_t>(i)].member);
  int64_t deleted = end - start + 1;
  const bool keyremoved = z->zset.empty();
  if (keyremoved) DbDelete(c.st, c.db(), c.argv[1]);
  if (deleted) {
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyZset, Lowered(c.argv[0]), c.argv[1]);
    if (keyremoved) c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  return c.Int(deleted);
}

Value ZRemRangeByScore(Ctx& c) {
  ScoreRange r;
  if (!ParseScoreRange(c.argv[2], c.argv[3], &r)) return c.Err("min or max is not a float");
  Value reply;
  Object* z = LookupZSet(c, c.Int(0), &reply);
  if (z == nullptr) return reply;
  int64_t deleted = 0;
  for (auto it = z->zset.begin(); it != z->zset.end();) {
    if (GteMin(it->second, r) && LteMax(it->second, r)) {
      it = z->zset.erase(it);
      deleted++;
    } else {
      ++it;
    }
  }
  const bool keyremoved = z->zset.empty();
  if (keyremoved) DbDelete(c.st, c.db(), c.argv[1]);
  if (deleted) {
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyZset, Lowered(c.argv[0]), c.argv[1]);
    if (keyremoved) c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  return c.Int(deleted);
}

// ZREMRANGEBYLEX (zzlDeleteRangeByLex): from the first member in range
// onwards, while the members stay at or below max.
Value ZRemRangeByLex(Ctx& c) {
  LexRange r;
  if (!ParseLexRange(c.argv[2], c.argv[3], &r)) {
    return c.Err("min or max not valid string range item");
  }
  Value reply;
  Object* z = LookupZSet(c, c.Int(0), &reply);
  if (z == nullptr) return reply;
  std::vector<Item> v = Sorted(*z);
  int64_t deleted = 0;
  int64_t i = FirstInLexRange(v, r);
  if (i >= 0) {
    for (size_t k = static_cast<size_t>(i); k < v.size() && LexLteMax(v[k].member, r); ++k) {
      z->zset.erase(v[k].member);
      deleted++;
    }
  }
  const bool keyremoved = z->zset.empty();
  if (keyremoved) DbDelete(c.st, c.db(), c.argv[1]);
  if (deleted) {
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyZset, Lowered(c.argv[0]), c.argv[1]);
    if (keyremoved) c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  return c.Int(deleted);
}

// ZPOPMIN / ZPOPMAX key [count]: a flat [member, score, ...] array, except
// RESP3 with a count, which nests [member, score] pairs.
Value ZPopGeneric(Ctx& c, bool max) {
  if (c.argc() > 3) return c.Syntax();
  int64_t count = -1;
  Value reply;
  if (c.argc() == 3 && !c.GetPositiveLong(c.argv[2], &count, &reply)) return reply;
  bool nested = c.resp3() && count != -1;
  Object* z = LookupKey(c.st, c.db(), c.argv[1]);
  if (z == nullptr) return c.Array();
  if (z->kind != Kind::kZSet) return c.WrongType();
  if (count == 0) return c.Array();
  if (count == -1) count = 1;
  std::vector<Item> v = Sorted(*z);
  int64_t llen = static_cast<int64_t>(v.size());
  int64_t rangelen = count > llen ? llen : count;
  std::vector<Value> out;
  for (int64_t i = 0; i < rangelen; ++i) {
    const Item& it = v[static_cast<size_t>(max ? llen - 1 - i : i)];
    z->zset.erase(it.member);
    if (nested) {
      out.push_back(c.Array({c.Bulk(it.member), c.Double(it.score)}));
    } else {
      out.push_back(c.Bulk(it.member));
      out.push_back(c.Double(it.score));
    }
  }
  c.Notify(kNotifyZset, max ? "zpopmax" : "zpopmin", c.argv[1]);
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  if (z->zset.empty()) {
    DbDelete(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  return c.Array(std::move(out));
}

Value ZPopMin(Ctx& c) { return ZPopGeneric(c, false); }
Value ZPopMax(Ctx& c) { return ZPopGeneric(c, true); }

}  // namespace

std::vector<CommandSpec> ZSetCommands() {
  return {
      {"zadd", -4, ZAdd},
      {"zrem", -3, ZRem},
      {"zscore", 3, ZScore},
      {"zmscore", -3, ZMScore},
      {"zincrby", 4, ZIncrBy},
      {"zcard", 2, ZCard},
      {"zcount", 4, ZCount},
      {"zrange", -4, ZRange},
      {"zrangebyscore", -4, ZRangeByScore},
      {"zrevrange", -4, ZRevRange},
      {"zrank", 3, ZRank},
      {"zrevrank", 3, ZRevRank},
      {"zrangebylex", -4, ZRangeByLex},
      {"zlexcount", 4, ZLexCount},
      {"zremrangebyrank", 4, ZRemRangeByRank},
      {"zremrangebyscore", 4, ZRemRangeByScore},
      {"zpopmin", -2, ZPopMin},
      {"zpopmax", -2, ZPopMax},
      {"zrevrangebyscore", -4, ZRevRangeByScore},
      {"zrevrangebylex", -4, ZRevRangeByLex},
      {"zremrangebylex", 4, ZRemRangeByLex},
      {"zrangestore", -5, ZRangeStore},
  };
}

}  // namespace respfuzz::models::refmodel
