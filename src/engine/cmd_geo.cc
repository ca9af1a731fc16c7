// GEO commands: GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUSBYMEMBER
// (and their _RO forms) GEOSEARCH GEOSEARCHSTORE, as Redis 7.0.15.
//
// A geo set is a sorted set whose scores are 52-bit geohashes (geohash.h).
// GEOADD turns its triples into ZADD's score/member pairs and runs ZADD, as
// Redis does (so its replies, errors, notifications and encodings are
// ZADD's). A search scans the score ranges of the centre cell and its 8
// neighbours in Redis's order, so the unsorted order of results and COUNT
// ANY's choice are the server's. Sorting by distance is stable when every
// match is returned (glibc's qsort is a merge sort) and Redis's partial
// quicksort when COUNT cuts, so ties come out in the server's order too.
#include <algorithm>
#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/geohash.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

struct GeoPoint {
  double xy[2];
  double dist;
  double score;
  std::string member;
};

// addReplyDoubleDistance: fixed point with 4 decimals, rounded with llrint.
std::string FormatDistance(double d) {
  if (d == 0) return "0.0000";
  const long long v = std::llrint(d * 10000.0);
  unsigned long long u =
      v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  char buf[64];
  const int n =
      std::snprintf(buf, sizeof buf, "%s%llu.%04llu", v < 0 ? "-" : "", u / 10000, u % 10000);
  return std::string(buf, static_cast<size_t>(n));
}

// addReplyHumanLongDouble: a bulk string in RESP2, a RESP3 double.
void ReplyCoordinate(ReplyWriter& r, double v) {
  const std::string text = FormatLongDoubleHuman(static_cast<long double>(v));
  if (!r.resp3()) {
    r.Bulk(text);
    return;
  }
  std::string* out = r.buffer();
  out->push_back(',');
  out->append(text);
  out->append("\r\n");
}

// extractLongLatOrReply: two floats, then the limits.
bool LonLatArg(CommandContext& c, size_t i, double xy[2]) {
  if (!c.DoubleArg(i, &xy[0]) || !c.DoubleArg(i + 1, &xy[1])) return false;
  if (xy[0] < geo::kLonMin || xy[0] > geo::kLonMax || xy[1] < geo::kLatMin ||
      xy[1] > geo::kLatMax) {
    char buf[1024];
    std::snprintf(buf, sizeof buf, "ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
    c.reply.Error(buf);
    return false;
  }
  return true;
}

// extractUnitOrReply: metres per unit, or -1 after the error.
double UnitArg(CommandContext& c, size_t i) {
  if (c.ArgIs(i, "m")) return 1;
  if (c.ArgIs(i, "km")) return 1000;
  if (c.ArgIs(i, "ft")) return 0.3048;
  if (c.ArgIs(i, "mi")) return 1609.34;
  c.reply.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return -1;
}

// getDoubleFromObjectOrReply with its own message.
bool DoubleArgMsg(CommandContext& c, size_t i, std::string_view msg, double* out) {
  const std::optional<double> v = ParseDouble(c.arg(i));
  if (!v) {
    c.reply.Error(msg);
    return false;
  }
  *out = *v;
  return true;
}

// extractDistanceOrReply: radius unit.
bool RadiusArgs(CommandContext& c, size_t i, geo::Shape* s) {
  double d;
  if (!DoubleArgMsg(c, i, "ERR need numeric radius", &d)) return false;
  if (d < 0) {
    c.reply.Error("ERR radius cannot be negative");
    return false;
  }
  s->radius = d;
  const double conv = UnitArg(c, i + 1);
  if (conv < 0) return false;
  s->conversion = conv;
  return true;
}

// extractBoxOrReply: width height unit.
bool BoxArgs(CommandContext& c, size_t i, geo::Shape* s) {
  double w, h;
  if (!DoubleArgMsg(c, i, "ERR need numeric width", &w) ||
      !DoubleArgMsg(c, i + 1, "ERR need numeric height", &h)) {
    return false;
  }
  if (h < 0 || w < 0) {
    c.reply.Error("ERR height or width cannot be negative");
    return false;
  }
  s->height = h;
  s->width = w;
  const double conv = UnitArg(c, i + 2);
  if (conv < 0) return false;
  s->conversion = conv;
  return true;
}

bool MemberPosition(const ZSet& z, std::string_view member, double xy[2]) {
  const double* score = z.Score(member);
  return score != nullptr && geo::DecodeScore(*score, xy);
}

// GEOADD key [NX|XX] [CH] longitude latitude member [...]: ZADD with the
// geohashes as scores.
void CmdGeoadd(CommandContext& c) {
  bool nx = false, xx = false;
  size_t at = 2;
  for (; at < c.argc(); ++at) {
    if (c.ArgIs(at, "nx")) {
      nx = true;
    } else if (c.ArgIs(at, "xx")) {
      xx = true;
    } else if (!c.ArgIs(at, "ch")) {
      break;
    }
  }
  if ((c.argc() - at) % 3 != 0 || (nx && xx)) {
    c.reply.Error(kErrSyntax);
    return;
  }
  const size_t elements = (c.argc() - at) / 3;
  std::vector<std::string> zargv;
  zargv.reserve(at + 2 * elements);
  zargv.emplace_back("zadd");
  for (size_t i = 1; i < at; ++i) zargv.push_back(c.arg(i));
  for (size_t i = 0; i < elements; ++i) {
    double xy[2];
    if (!LonLatArg(c, at + 3 * i, xy)) return;
    geo::Bits hash;
    geo::EncodeWgs84(xy[0], xy[1], geo::kStepMax, &hash);
    zargv.push_back(FormatInt64(static_cast<int64_t>(geo::Align52(hash))));
    zargv.push_back(c.arg(at + 3 * i + 2));
  }
  const CommandSpec* zadd = FindCommand("zadd");
  CommandContext z{c.engine, c.ks, c.session, *zadd, zargv, c.reply, c.db, c.max_string_len, {}};
  zadd->handler(z);
  // replaceClientCommandVector: GEOADD goes to replicas as this ZADD.
  c.PropagateAs(std::move(zargv));
}

// GEODIST key member1 member2 [unit]
void CmdGeodist(CommandContext& c) {
  double to_meter = 1;
  if (c.argc() == 5) {
    to_meter = UnitArg(c, 4);
    if (to_meter < 0) return;
  } else if (c.argc() > 5) {
    c.reply.Error(kErrSyntax);
    return;
  }
  ZSet* z;
  if (!c.FindAs(c.arg(1), &z)) return;
  double a[2], b[2];
  if (z == nullptr || z->Score(c.arg(2)) == nullptr || z->Score(c.arg(3)) == nullptr ||
      !MemberPosition(*z, c.arg(2), a) || !MemberPosition(*z, c.arg(3), b)) {
    c.reply.Null();
    return;
  }
  c.reply.Bulk(FormatDistance(geo::Distance(a[0], a[1], b[0], b[1]) / to_meter));
}

// GEOHASH key [member ...]: the standard 11-character geohash, re-encoded
// over latitude [-90, 90] (the 11th character always '0').
void CmdGeohash(CommandContext& c) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  ZSet* z;
  if (!c.FindAs(c.arg(1), &z)) return;
  c.reply.ArrayHeader(static_cast<int64_t>(c.argc() - 2));
  for (size_t j = 2; j < c.argc(); ++j) {
    double xy[2];
    if (z == nullptr || !MemberPosition(*z, c.arg(j), xy)) {
      c.reply.Null();
      continue;
    }
    geo::Bits hash;
    geo::Encode({-180, 180}, {-90, 90}, xy[0], xy[1], geo::kStepMax, &hash);
    char buf[11];
    for (int i = 0; i < 11; ++i) {
      const int idx = i == 10 ? 0 : static_cast<int>((hash.bits >> (52 - (i + 1) * 5)) & 0x1f);
      buf[i] = kAlphabet[idx];
    }
    c.reply.Bulk(std::string_view(buf, 11));
  }
}

// GEOPOS key [member ...]
void CmdGeopos(CommandContext& c) {
  ZSet* z;
  if (!c.FindAs(c.arg(1), &z)) return;
  c.reply.ArrayHeader(static_cast<int64_t>(c.argc() - 2));
  for (size_t j = 2; j < c.argc(); ++j) {
    double xy[2];
    if (z == nullptr || !MemberPosition(*z, c.arg(j), xy)) {
      c.reply.NullArray();
      continue;
    }
    c.reply.ArrayHeader(2);
    ReplyCoordinate(c.reply, xy[0]);
    ReplyCoordinate(c.reply, xy[1]);
  }
}

enum SearchFlag : unsigned {
  kFromCoords = 1u << 0,   // GEORADIUS
  kFromMember = 1u << 1,   // GEORADIUSBYMEMBER
  kNoStore = 1u << 2,      // the _RO forms
  kSearch = 1u << 3,       // GEOSEARCH's arguments
  kSearchStore = 1u << 4,  // GEOSEARCHSTORE
};

// The members scored in [min, max) that are in the shape, in score order,
// appended until `limit` (0: no limit) points are found.
void PointsInRange(const ZSet& z, uint64_t min, uint64_t max, const geo::Shape& shape,
                   std::vector<GeoPoint>* out, size_t limit) {
  const double lo = static_cast<double>(min), hi = static_cast<double>(max);
  for (auto it = z.index().lower_bound(lo, ""); it != z.index().end(); ++it) {
    if (!(it->first < hi)) break;
    GeoPoint p;
    if (geo::WithinShape(shape, it->first, p.xy, &p.dist)) {
      p.score = it->first;
      p.member = it->second;
      out->push_back(std::move(p));
    }
    if (!out->empty() && limit != 0 && out->size() >= limit) break;
  }
}

// membersOfAllNeighbors: the 9 cells in order, skipping empty ones and one
// equal to the last scanned (huge radii make neighbours coincide).
void PointsInCells(const ZSet& z, const std::array<geo::Bits, 9>& cells, const geo::Shape& shape,
                   std::vector<GeoPoint>* out, size_t limit) {
  int last = -1;
  for (int i = 0; i < 9; ++i) {
    const geo::Bits& cell = cells[static_cast<size_t>(i)];
    if (cell.bits == 0 && cell.step == 0) continue;
    if (last > 0 && cell == cells[static_cast<size_t>(last)]) continue;
    if (!out->empty() && limit != 0 && out->size() >= limit) break;
    const uint64_t min = geo::Align52(cell);
    const uint64_t max = geo::Align52(geo::Bits{cell.bits + 1, cell.step});
    PointsInRange(z, min, max, shape, out, limit);
    last = i;
  }
}

// Redis's pqsort (a Bentley-McIlroy three-way quicksort that only recurses
// into parts overlapping the ranks wanted, [0, last]), written here as the
// same sequence of comparisons and swaps over indexes: which members at
// equal distances come first, and which of them make a COUNT, follow from
// it. cmp is sort_gp_asc (or its negation for DESC).
int CompareDist(const GeoPoint& a, const GeoPoint& b, bool desc) {
  const int asc = a.dist > b.dist ? 1 : (a.dist == b.dist ? 0 : -1);
  return desc ? -asc : asc;
}

void PartialSortRange(std::vector<GeoPoint>& v, size_t lo, size_t n, bool desc, size_t want_lo,
                      size_t want_hi) {
  const auto cmp = [&](size_t i, size_t j) { return CompareDist(v[i], v[j], desc); };
  const auto swap = [&](size_t i, size_t j) { std::swap(v[i], v[j]); };
  const auto vecswap = [&](size_t i, size_t j, size_t k) {
    for (size_t t = 0; t < k; ++t) swap(i + t, j + t);
  };
  const auto median3 = [&](size_t a, size_t b, size_t c) {
    if (cmp(a, b) < 0) return cmp(b, c) < 0 ? b : (cmp(a, c) < 0 ? c : a);
    return cmp(b, c) > 0 ? b : (cmp(a, c) < 0 ? a : c);
  };
  for (;;) {
    if (n < 7) {
      for (size_t m = lo + 1; m < lo + n; ++m) {
        for (size_t l = m; l > lo && cmp(l - 1, l) > 0; --l) swap(l, l - 1);
      }
      return;
    }
    size_t pm = lo + n / 2;
    if (n > 7) {
      size_t pl = lo, pn = lo + n - 1;
      if (n > 40) {
        const size_t d = n / 8;
        pl = median3(pl, pl + d, pl + 2 * d);
        pm = median3(pm - d, pm, pm + d);
        pn = median3(pn - 2 * d, pn - d, pn);
      }
      pm = median3(pl, pm, pn);
    }
    swap(lo, pm);
    // Indexes may step one below lo + 1 (pc), hence signed.
    int64_t pa = static_cast<int64_t>(lo) + 1, pb = pa;
    int64_t pc = static_cast<int64_t>(lo + n) - 1, pd = pc;
    for (;;) {
      int r;
      while (pb <= pc && (r = cmp(static_cast<size_t>(pb), lo)) <= 0) {
        if (r == 0) swap(static_cast<size_t>(pa++), static_cast<size_t>(pb));
        ++pb;
      }
      while (pb <= pc && (r = cmp(static_cast<size_t>(pc), lo)) >= 0) {
        if (r == 0) swap(static_cast<size_t>(pc), static_cast<size_t>(pd--));
        --pc;
      }
      if (pb > pc) break;
      swap(static_cast<size_t>(pb++), static_cast<size_t>(pc--));
    }
    const int64_t pn = static_cast<int64_t>(lo + n);
    const int64_t base = static_cast<int64_t>(lo);
    int64_t k = std::min(pa - base, pb - pa);
    vecswap(lo, static_cast<size_t>(pb - k), static_cast<size_t>(k));
    k = std::min(pd - pc, pn - pd - 1);
    vecswap(static_cast<size_t>(pb), static_cast<size_t>(pn - k), static_cast<size_t>(k));
    // The parts of fewer than 2 elements are done; a part is sorted only
    // when it overlaps the ranks wanted.
    const auto overlaps = [&](size_t first, size_t count) {
      return !(want_hi < first || want_lo > first + count - 1);
    };
    const size_t left = static_cast<size_t>(pb - pa);
    if (left > 1 && overlaps(lo, left)) PartialSortRange(v, lo, left, desc, want_lo, want_hi);
    const size_t right = static_cast<size_t>(pd - pc);
    if (right <= 1) return;
    lo = static_cast<size_t>(pn) - right;
    n = right;
    if (!overlaps(lo, n)) return;
  }
}

void PartialSort(std::vector<GeoPoint>& v, bool desc, size_t last) {
  PartialSortRange(v, 0, v.size(), desc, 0, last);
}

// georadiusGeneric: the key at argv[src], the options from argv[base] on.
void GeoSearch(CommandContext& c, size_t src, unsigned flags) {
  ZSet* z;
  if (!c.FindAs(c.arg(src), &z)) return;
  const std::string* storekey = nullptr;
  bool storedist = false;
  size_t base = 0;
  geo::Shape shape;
  if (flags & kFromCoords) {
    base = 6;
    if (!LonLatArg(c, 2, shape.xy)) return;
    if (!RadiusArgs(c, base - 2, &shape)) return;
  } else if ((flags & kFromMember) && z == nullptr) {
    base = 5;  // no key: the options are still parsed for the reply's kind
  } else if (flags & kFromMember) {
    base = 5;
    if (!MemberPosition(*z, c.arg(2), shape.xy)) {
      c.reply.Error("ERR could not decode requested zset member");
      return;
    }
    if (!RadiusArgs(c, base - 2, &shape)) return;
  } else {
    base = 2;
    if (flags & kSearchStore) {
      base = 3;
      storekey = &c.arg(1);
    }
  }
  bool withdist = false, withhash = false, withcoord = false;
  bool frommember = false, fromloc = false, byradius = false, bybox = false;
  enum { kNone, kAsc, kDesc } sort = kNone;
  bool any = false;
  int64_t count = 0;
  const size_t remaining = c.argc() > base ? c.argc() - base : 0;
  for (size_t i = 0; i < remaining; ++i) {
    const size_t a = base + i;
    const bool search = (flags & kSearch) != 0;
    const bool may_store = !(flags & kNoStore) && !search;
    if (c.ArgIs(a, "withdist")) {
      withdist = true;
    } else if (c.ArgIs(a, "withhash")) {
      withhash = true;
    } else if (c.ArgIs(a, "withcoord")) {
      withcoord = true;
    } else if (c.ArgIs(a, "any")) {
      any = true;
    } else if (c.ArgIs(a, "asc")) {
      sort = kAsc;
    } else if (c.ArgIs(a, "desc")) {
      sort = kDesc;
    } else if (c.ArgIs(a, "count") && i + 1 < remaining) {
      if (!c.IntArg(a + 1, &count)) return;
      if (count <= 0) {
        c.reply.Error("ERR COUNT must be > 0");
        return;
      }
      ++i;
    } else if (c.ArgIs(a, "store") && i + 1 < remaining && may_store) {
      storekey = &c.arg(a + 1);
      storedist = false;
      ++i;
    } else if (c.ArgIs(a, "storedist") && i + 1 < remaining && may_store) {
      storekey = &c.arg(a + 1);
      storedist = true;
      ++i;
    } else if (c.ArgIs(a, "storedist") && search && (flags & kSearchStore)) {
      storedist = true;
    } else if (c.ArgIs(a, "frommember") && i + 1 < remaining && search && !fromloc) {
      if (z != nullptr && !MemberPosition(*z, c.arg(a + 1), shape.xy)) {
        c.reply.Error("ERR could not decode requested zset member");
        return;
      }
      frommember = true;
      ++i;
    } else if (c.ArgIs(a, "fromlonlat") && i + 2 < remaining && search && !frommember) {
      if (!LonLatArg(c, a + 1, shape.xy)) return;
      fromloc = true;
      i += 2;
    } else if (c.ArgIs(a, "byradius") && i + 2 < remaining && search && !bybox) {
      if (!RadiusArgs(c, a + 1, &shape)) return;
      shape.box = false;
      byradius = true;
      i += 2;
    } else if (c.ArgIs(a, "bybox") && i + 3 < remaining && search && !byradius) {
      if (!BoxArgs(c, a + 1, &shape)) return;
      shape.box = true;
      bybox = true;
      i += 3;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  if (storekey != nullptr && (withdist || withhash || withcoord)) {
    c.reply.Error(std::string("ERR ") +
                  ((flags & kSearchStore) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
                  " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
    return;
  }
  if ((flags & kSearch) && !(frommember || fromloc)) {
    c.reply.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                  ErrorText(c.arg(0)));
    return;
  }
  if ((flags & kSearch) && !(byradius || bybox)) {
    c.reply.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                  ErrorText(c.arg(0)));
    return;
  }
  if (any && count == 0) {
    c.reply.Error("ERR the ANY argument requires COUNT argument");
    return;
  }
  if (z == nullptr) {
    if (storekey != nullptr) {
      if (c.ks.DeleteStored(c.db, *storekey)) {
        c.Notify(kNotifyGeneric, "del", *storekey);
        c.Dirty();
      }
      c.reply.Integer(0);
    } else {
      c.reply.ArrayHeader(0);
    }
    return;
  }
  if (count != 0 && sort == kNone && !any) sort = kAsc;

  const std::array<geo::Bits, 9> cells = geo::SearchCells(&shape);
  std::vector<GeoPoint> points;
  PointsInCells(*z, cells, shape, &points, any ? static_cast<size_t>(count) : 0);
  if (points.empty() && storekey == nullptr) {
    c.reply.ArrayHeader(0);
    return;
  }
  const size_t returned = count == 0 || points.size() < static_cast<uint64_t>(count)
                              ? points.size()
                              : static_cast<size_t>(count);
  if (sort != kNone) {
    const bool desc = sort == kDesc;
    if (returned == points.size()) {
      // qsort: glibc's is a merge sort, stable.
      std::stable_sort(points.begin(), points.end(), [desc](const GeoPoint& a, const GeoPoint& b) {
        return desc ? a.dist > b.dist : a.dist < b.dist;
      });
    } else {
      PartialSort(points, desc, returned - 1);
    }
  }
  if (storekey == nullptr) {
    const int options = (withdist ? 1 : 0) + (withcoord ? 1 : 0) + (withhash ? 1 : 0);
    c.reply.ArrayHeader(static_cast<int64_t>(returned));
    for (size_t i = 0; i < returned; ++i) {
      const GeoPoint& p = points[i];
      if (options > 0) c.reply.ArrayHeader(options + 1);
      c.reply.Bulk(p.member);
      if (withdist) c.reply.Bulk(FormatDistance(p.dist / shape.conversion));
      if (withhash) c.reply.Integer(static_cast<int64_t>(p.score));
      if (withcoord) {
        c.reply.ArrayHeader(2);
        ReplyCoordinate(c.reply, p.xy[0]);
        ReplyCoordinate(c.reply, p.xy[1]);
      }
    }
    return;
  }
  // The destination: built as a skiplist, a listpack when small enough
  // (zsetConvertToListpackIfNeeded).
  const std::string dst = *storekey;
  if (returned == 0) {
    if (c.ks.DeleteStored(c.db, dst)) {
      c.Notify(kNotifyGeneric, "del", dst);
      c.Dirty();
    }
    c.reply.Integer(0);
    return;
  }
  ZSet out;
  out.set_listpack(false);
  size_t maxlen = 0;
  for (size_t i = 0; i < returned; ++i) {
    const GeoPoint& p = points[i];
    out.Set(p.member, storedist ? p.dist / shape.conversion : p.score);
    maxlen = std::max(maxlen, p.member.size());
  }
  const EncodingLimits& limits = c.engine.limits();
  out.set_listpack(static_cast<int64_t>(returned) <= limits.zset_max_listpack_entries &&
                   static_cast<int64_t>(maxlen) <= limits.zset_max_listpack_value);
  c.ks.SetKey(c.db, dst, Object(std::move(out)));
  c.Notify(kNotifyZset, (flags & kSearch) ? "geosearchstore" : "georadiusstore", dst);
  c.Dirty(static_cast<int64_t>(returned));
  c.reply.Integer(static_cast<int64_t>(returned));
}

void CmdGeoradius(CommandContext& c) { GeoSearch(c, 1, kFromCoords); }
void CmdGeoradiusbymember(CommandContext& c) { GeoSearch(c, 1, kFromMember); }
void CmdGeoradiusRo(CommandContext& c) { GeoSearch(c, 1, kFromCoords | kNoStore); }
void CmdGeoradiusbymemberRo(CommandContext& c) { GeoSearch(c, 1, kFromMember | kNoStore); }
void CmdGeosearch(CommandContext& c) { GeoSearch(c, 1, kSearch); }
void CmdGeosearchstore(CommandContext& c) { GeoSearch(c, 2, kSearch | kSearchStore); }

constexpr std::array<CommandSpec, 10> kCommands = {{
    {"geoadd", -5, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdGeoadd},
    {"geodist", -4, kCmdReadonly, 1, 1, 1, CmdGeodist},
    {"geohash", -2, kCmdReadonly, 1, 1, 1, CmdGeohash},
    {"geopos", -2, kCmdReadonly, 1, 1, 1, CmdGeopos},
    {"georadius", -6, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, 1, 1, 1, CmdGeoradius},
    {"georadius_ro", -6, kCmdReadonly, 1, 1, 1, CmdGeoradiusRo},
    {"georadiusbymember", -5, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, 1, 1, 1,
     CmdGeoradiusbymember},
    {"georadiusbymember_ro", -5, kCmdReadonly, 1, 1, 1, CmdGeoradiusbymemberRo},
    {"geosearch", -7, kCmdReadonly, 1, 1, 1, CmdGeosearch},
    {"geosearchstore", -8, kCmdWrite | kCmdDenyOom, 1, 2, 1, CmdGeosearchstore},
}};

}  // namespace

std::span<const CommandSpec> GeoCommands() { return kCommands; }

}  // namespace respfuzz::engine
