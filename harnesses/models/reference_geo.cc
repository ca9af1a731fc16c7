// GEO commands of the reference model (geo.c, geohash.c, geohash_helper.c of
// Redis 7.0.15): GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUS_RO
// GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO GEOSEARCH GEOSEARCHSTORE, written
// plainly from the documented behaviour and the facts of those files (the
// score layout, the limits, the constants, the order of the arithmetic),
// never calling src/.
//
// A geo set is a sorted set. A point's score is a 52-bit geohash: the
// latitude over [-85.05112878, 85.05112878] and the longitude over
// [-180, 180] each cut into 2^26 cells; the cell indexes' bits interleaved,
// latitude on the even bits, longitude on the odd ones. A score reads back
// as the centre of its cell. A search walks the cell of the centre and its
// 8 neighbours at a step chosen from the radius, keeps what lies in the
// shape, and sorts by distance the way the server sorts (a stable merge
// sort for everything, Redis's partial quicksort when COUNT cuts).
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

// ---------------------------------------------------------------------------
// Facts of geohash.h / geohash_helper.c.

constexpr double kLatMin = -85.05112878;
constexpr double kLatMax = 85.05112878;
constexpr double kLonMin = -180;
constexpr double kLonMax = 180;
constexpr int kStepMax = 26;
constexpr double kEarthRadius = 6372797.560856;  // meters
constexpr double kMercatorMax = 20037726.37;

double DegRad(double deg) { return deg * (M_PI / 180.0); }
double RadDeg(double rad) { return rad / (M_PI / 180.0); }

struct Range {
  double min, max;
};

// A cell: its index bits and the number of steps (bits per coordinate).
struct Cell {
  uint64_t bits = 0;
  int step = 0;
  bool zero() const { return bits == 0 && step == 0; }
};

// Spreads the low 32 bits of v onto the even bits of the result.
uint64_t Spread(uint64_t v) {
  uint64_t out = 0;
  for (int i = 0; i < 32; ++i) out |= ((v >> i) & 1) << (2 * i);
  return out;
}

// The even bits of v gathered into 32 bits.
uint32_t Gather(uint64_t v) {
  uint32_t out = 0;
  for (int i = 0; i < 32; ++i) out |= static_cast<uint32_t>((v >> (2 * i)) & 1) << i;
  return out;
}

// geohashEncode: false outside the GEO limits or the given ranges.
bool Encode(Range lon_r, Range lat_r, double lon, double lat, int step, Cell* cell) {
  if (lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin) return false;
  cell->bits = 0;
  cell->step = step;
  if (lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max) return false;
  double lat_off = (lat - lat_r.min) / (lat_r.max - lat_r.min);
  double lon_off = (lon - lon_r.min) / (lon_r.max - lon_r.min);
  lat_off *= static_cast<double>(1ULL << step);
  lon_off *= static_cast<double>(1ULL << step);
  // The fixed point indexes are 32-bit (0 .. 2^step: a coordinate on the
  // upper limit is one past the grid).
  uint32_t ilat = static_cast<uint32_t>(lat_off);
  uint32_t ilon = static_cast<uint32_t>(lon_off);
  cell->bits = Spread(ilat) | (Spread(ilon) << 1);
  return true;
}

const Range kLonRange = {kLonMin, kLonMax};
const Range kLatRange = {kLatMin, kLatMax};

struct Area {
  Range lon, lat;
};

// geohashDecode over the GEO ranges.
bool Decode(const Cell& cell, Area* area) {
  if (cell.zero()) return false;
  uint32_t ilat = Gather(cell.bits);
  uint32_t ilon = Gather(cell.bits >> 1);
  double lat_scale = kLatRange.max - kLatRange.min;
  double lon_scale = kLonRange.max - kLonRange.min;
  double cells = static_cast<double>(1ULL << cell.step);
  uint32_t ilat1 = ilat + 1, ilon1 = ilon + 1;  // 32-bit: the last index wraps to 0
  area->lat.min = kLatRange.min + (ilat * 1.0 / cells) * lat_scale;
  area->lat.max = kLatRange.min + (ilat1 * 1.0 / cells) * lat_scale;
  area->lon.min = kLonRange.min + (ilon * 1.0 / cells) * lon_scale;
  area->lon.max = kLonRange.min + (ilon1 * 1.0 / cells) * lon_scale;
  return true;
}

// (uint64_t)d as x86-64 code compiled by GCC computes it (the C conversion
// is undefined out of range): below 2^63 a signed truncation (negative
// values wrap), from 2^63 on the truncation of d - 2^63 with the top bit
// flipped; a truncation out of int64's range gives 2^63.
uint64_t DoubleToU64(double d) {
  constexpr double k2p63 = 9223372036854775808.0;
  auto signed_trunc = [](double v) -> uint64_t {
    if (!(v >= -k2p63 && v < k2p63)) return 1ULL << 63;
    return static_cast<uint64_t>(static_cast<int64_t>(v));
  };
  if (d < k2p63) return signed_trunc(d);
  return signed_trunc(d - k2p63) ^ (1ULL << 63);
}

// decodeGeohash: a score to the centre of its 26-step cell, clamped to the
// limits.
void ScoreToLonLat(double score, double* lon, double* lat) {
  Cell cell{DoubleToU64(score), kStepMax};
  Area a;
  Decode(cell, &a);
  *lon = (a.lon.min + a.lon.max) / 2;
  *lon = std::min(std::max(*lon, kLonMin), kLonMax);
  *lat = (a.lat.min + a.lat.max) / 2;
  *lat = std::min(std::max(*lat, kLatMin), kLatMax);
}

// geohashAlign52Bits.
uint64_t Align52(const Cell& cell) { return cell.bits << (52 - cell.step * 2); }

// geohash_move_x / geohash_move_y: one cell east/west (the odd bits) or
// north/south (the even bits), wrapping within the step's bits; the other
// coordinate's bits are kept as they are.
// `moving` selects the coordinate's bits (odd: longitude, even: latitude).
void MoveAxis(Cell* c, int d, uint64_t moving) {
  if (d == 0) return;
  const uint64_t kept_mask = ~moving;
  uint64_t v = c->bits & moving;
  const uint64_t kept = c->bits & kept_mask;
  const uint64_t zz = kept_mask >> (64 - c->step * 2);
  if (d > 0) {
    v = v + (zz + 1);
  } else {
    v = (v | zz) - (zz + 1);
  }
  v &= moving >> (64 - c->step * 2);
  c->bits = v | kept;
}

void MoveLon(Cell* c, int d) { MoveAxis(c, d, 0xaaaaaaaaaaaaaaaaULL); }
void MoveLat(Cell* c, int d) { MoveAxis(c, d, 0x5555555555555555ULL); }

Cell Moved(Cell c, int dlon, int dlat) {
  MoveLon(&c, dlon);
  MoveLat(&c, dlat);
  return c;
}

// geohashGetLatDistance / geohashGetDistance (haversine).
double LatDistance(double lat1, double lat2) {
  return kEarthRadius * std::fabs(DegRad(lat2) - DegRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  double lon1r = DegRad(lon1), lon2r = DegRad(lon2);
  double v = std::sin((lon2r - lon1r) / 2);
  if (v == 0.0) return LatDistance(lat1, lat2);
  double lat1r = DegRad(lat1), lat2r = DegRad(lat2);
  double u = std::sin((lat2r - lat1r) / 2);
  double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadius * std::asin(std::sqrt(a));
}

// geohashEstimateStepsByRadius.
int EstimateSteps(double meters, double lat) {
  if (meters == 0) return 26;
  int step = 1;
  while (meters < kMercatorMax) {
    meters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return std::min(std::max(step, 1), 26);
}

// ---------------------------------------------------------------------------
// The search shape and area.

struct Shape {
  bool box = false;
  double lon = 0, lat = 0;
  double radius = 0;             // in the unit
  double width = 0, height = 0;  // in the unit
  double conversion = 1;         // meters per unit
};

// The 9 cells in the server's order: centre, N, S, E, W, NE, NW, SE, SW;
// a zero cell is skipped.
std::vector<Cell> SearchCells(const Shape& s) {
  // geohashBoundingBox.
  double height = s.conversion * (s.box ? s.height / 2 : s.radius);
  double width = s.conversion * (s.box ? s.width / 2 : s.radius);
  double lat_delta = RadDeg(height / kEarthRadius);
  double lon_delta_top = RadDeg(width / kEarthRadius / std::cos(DegRad(s.lat + lat_delta)));
  double lon_delta_bottom = RadDeg(width / kEarthRadius / std::cos(DegRad(s.lat - lat_delta)));
  bool south = s.lat < 0;
  double min_lon = south ? s.lon - lon_delta_bottom : s.lon - lon_delta_top;
  double max_lon = south ? s.lon + lon_delta_bottom : s.lon + lon_delta_top;
  double min_lat = s.lat - lat_delta;
  double max_lat = s.lat + lat_delta;

  double radius_m =
      s.box ? std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
  radius_m *= s.conversion;
  int steps = EstimateSteps(radius_m, s.lat);
  Cell centre;
  Area area;
  auto neighbours = [&](std::vector<Cell>* n) {
    // N, S, E, W, NE, NW, SE, SW.
    *n = {Moved(centre, 0, 1), Moved(centre, 0, -1), Moved(centre, 1, 0),  Moved(centre, -1, 0),
          Moved(centre, 1, 1), Moved(centre, -1, 1), Moved(centre, 1, -1), Moved(centre, -1, -1)};
  };
  std::vector<Cell> n;
  Encode(kLonRange, kLatRange, s.lon, s.lat, steps, &centre);
  neighbours(&n);
  Decode(centre, &area);
  Area north, south_a, east, west;
  Decode(n[0], &north);
  Decode(n[1], &south_a);
  Decode(n[2], &east);
  Decode(n[3], &west);
  bool coarser = north.lat.max < max_lat || south_a.lat.min > min_lat || east.lon.max < max_lon ||
                 west.lon.min > min_lon;
  if (steps > 1 && coarser) {
    steps--;
    Encode(kLonRange, kLatRange, s.lon, s.lat, steps, &centre);
    neighbours(&n);
    Decode(centre, &area);
  }
  if (steps >= 2) {
    const Cell zero;
    if (area.lat.min < min_lat) n[1] = n[7] = n[6] = zero;  // S, SW, SE
    if (area.lat.max > max_lat) n[0] = n[4] = n[5] = zero;  // N, NE, NW
    if (area.lon.min < min_lon) n[3] = n[7] = n[5] = zero;  // W, SW, NW
    if (area.lon.max > max_lon) n[2] = n[6] = n[4] = zero;  // E, SE, NE
  }
  std::vector<Cell> cells = {centre};
  cells.insert(cells.end(), n.begin(), n.end());
  return cells;
}

struct Point {
  std::string member;
  double lon, lat, dist, score;
};

// geoWithinShape: the point's position and distance when inside.
bool WithinShape(const Shape& s, double score, Point* p) {
  ScoreToLonLat(score, &p->lon, &p->lat);
  if (!s.box) {
    p->dist = Distance(s.lon, s.lat, p->lon, p->lat);
    return !(p->dist > s.radius * s.conversion);
  }
  double width_m = s.width * s.conversion, height_m = s.height * s.conversion;
  if (LatDistance(p->lat, s.lat) > height_m / 2) return false;
  if (Distance(p->lon, p->lat, s.lon, p->lat) > width_m / 2) return false;
  p->dist = Distance(s.lon, s.lat, p->lon, p->lat);
  return true;
}

struct Member {
  std::string member;
  double score;
};

// The set in (score, member) order.
std::vector<Member> Ordered(const Object& z) {
  std::vector<Member> v;
  for (const auto& [m, sc] : z.zset) v.push_back({m, sc});
  std::stable_sort(v.begin(), v.end(),
                   [](const Member& a, const Member& b) { return a.score < b.score; });
  return v;  // std::map gives the members in byte order; ties keep it
}

// membersOfAllNeighbors: `limit` (COUNT with ANY) stops the walk once that
// many points were found; 0 is no limit.
std::vector<Point> FindPoints(const Object& z, const Shape& s, uint64_t limit) {
  std::vector<Cell> cells = SearchCells(s);
  std::vector<Member> ordered = Ordered(z);
  std::vector<Point> found;
  size_t last = 0;  // the last scanned cell's index (0 also before any)
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].zero()) continue;
    if (last != 0 && cells[i].bits == cells[last].bits && cells[i].step == cells[last].step) {
      continue;
    }
    if (!found.empty() && limit && found.size() >= limit) break;
    // The scores in [min, max): the cell's prefix and the next one.
    Cell next = cells[i];
    double min = static_cast<double>(Align52(next));
    next.bits++;
    double max = static_cast<double>(Align52(next));
    for (const Member& m : ordered) {
      if (m.score < min) continue;
      if (!(m.score < max)) break;
      Point p;
      if (WithinShape(s, m.score, &p)) {
        p.member = m.member;
        p.score = m.score;
        found.push_back(std::move(p));
      }
      if (!found.empty() && limit && found.size() >= limit) break;
    }
    last = i;
  }
  return found;
}

// Redis's pqsort (pqsort.c: a NetBSD quicksort that recurses only into the
// parts overlapping ranks [lrange, rrange]), over indexes: the same
// comparisons and exchanges, so ties land where the server puts them.
class PartialSort {
 public:
  PartialSort(std::vector<Point>* v, bool desc) : v_(*v), desc_(desc) {}

  void Run(size_t lrange, size_t rrange) { Sort(0, v_.size(), lrange, rrange); }

 private:
  int Cmp(size_t a, size_t b) const {
    int r = v_[a].dist > v_[b].dist ? 1 : (v_[a].dist == v_[b].dist ? 0 : -1);
    return desc_ ? -r : r;
  }
  void Swap(size_t a, size_t b) { std::swap(v_[a], v_[b]); }
  void VecSwap(size_t a, size_t b, size_t n) {
    for (size_t i = 0; i < n; ++i) Swap(a + i, b + i);
  }
  size_t Med3(size_t a, size_t b, size_t c) const {
    return Cmp(a, b) < 0 ? (Cmp(b, c) < 0 ? b : (Cmp(a, c) < 0 ? c : a))
                         : (Cmp(b, c) > 0 ? b : (Cmp(a, c) < 0 ? a : c));
  }
  // Whether [first, first + n) overlaps the wanted ranks.
  static bool Overlaps(size_t first, size_t n, size_t l, size_t r) {
    size_t last = first + n - 1;
    return !(r < first || l > last);
  }

  void Sort(size_t a, size_t n, size_t l, size_t r) {
    for (;;) {
      if (n < 7) {
        for (size_t pm = a + 1; pm < a + n; ++pm) {
          for (size_t pl = pm; pl > a && Cmp(pl - 1, pl) > 0; --pl) Swap(pl, pl - 1);
        }
        return;
      }
      size_t pm = a + n / 2;
      if (n > 7) {
        size_t pl = a, pn = a + n - 1;
        if (n > 40) {
          size_t d = n / 8;
          pl = Med3(pl, pl + d, pl + 2 * d);
          pm = Med3(pm - d, pm, pm + d);
          pn = Med3(pn - 2 * d, pn - d, pn);
        }
        pm = Med3(pl, pm, pn);
      }
      Swap(a, pm);
      // Indexes may go one below a (pc, pd): kept signed.
      int64_t pa = static_cast<int64_t>(a) + 1, pb = pa;
      int64_t pc = static_cast<int64_t>(a + n - 1), pd = pc;
      for (;;) {
        int cr;
        while (pb <= pc && (cr = Cmp(static_cast<size_t>(pb), a)) <= 0) {
          if (cr == 0) {
            Swap(static_cast<size_t>(pa), static_cast<size_t>(pb));
            pa++;
          }
          pb++;
        }
        while (pb <= pc && (cr = Cmp(static_cast<size_t>(pc), a)) >= 0) {
          if (cr == 0) {
            Swap(static_cast<size_t>(pc), static_cast<size_t>(pd));
            pd--;
          }
          pc--;
        }
        if (pb > pc) break;
        Swap(static_cast<size_t>(pb), static_cast<size_t>(pc));
        pb++;
        pc--;
      }
      int64_t ia = static_cast<int64_t>(a), pn = static_cast<int64_t>(a + n);
      int64_t s = std::min(pa - ia, pb - pa);
      if (s > 0) VecSwap(a, static_cast<size_t>(pb - s), static_cast<size_t>(s));
      s = std::min(pd - pc, pn - pd - 1);
      if (s > 0)
        VecSwap(static_cast<size_t>(pb), static_cast<size_t>(pn - s), static_cast<size_t>(s));
      int64_t left = pb - pa;
      if (left > 1 && Overlaps(a, static_cast<size_t>(left), l, r)) {
        Sort(a, static_cast<size_t>(left), l, r);
      }
      int64_t right = pd - pc;
      if (right > 1) {
        size_t na = static_cast<size_t>(pn - right);
        if (Overlaps(na, static_cast<size_t>(right), l, r)) {
          a = na;
          n = static_cast<size_t>(right);
          continue;
        }
      }
      return;
    }
  }

  std::vector<Point>& v_;
  bool desc_;
};

// ---------------------------------------------------------------------------
// Argument helpers.

// extractLongLatOrReply.
bool LonLat(Ctx& c, const std::string& lon_arg, const std::string& lat_arg, double* lon,
            double* lat, Value* err) {
  if (!c.GetDouble(lon_arg, lon, err) || !c.GetDouble(lat_arg, lat, err)) return false;
  if (*lon < kLonMin || *lon > kLonMax || *lat < kLatMin || *lat > kLatMax) {
    char buf[1024];
    snprintf(buf, sizeof(buf), "-ERR invalid longitude,latitude pair %f,%f", *lon, *lat);
    *err = c.Err(buf);
    return false;
  }
  return true;
}

// extractUnitOrReply: meters per unit, or -1 with the error.
double Unit(Ctx& c, const std::string& arg, Value* err) {
  if (EqualsIgnoreCase(arg, "m")) return 1;
  if (EqualsIgnoreCase(arg, "km")) return 1000;
  if (EqualsIgnoreCase(arg, "ft")) return 0.3048;
  if (EqualsIgnoreCase(arg, "mi")) return 1609.34;
  *err = c.Err("unsupported unit provided. please use M, KM, FT, MI");
  return -1;
}

// A double argument with its own error text (getDoubleFromObjectOrReply).
bool NumberArg(Ctx& c, const std::string& arg, const char* msg, double* out, Value* err) {
  if (!String2d(arg, out)) {
    *err = c.Err(msg);
    return false;
  }
  return true;
}

// extractDistanceOrReply: radius and unit.
bool RadiusArgs(Ctx& c, size_t at, Shape* s, Value* err) {
  double r;
  if (!NumberArg(c, c.argv[at], "need numeric radius", &r, err)) return false;
  if (r < 0) {
    *err = c.Err("radius cannot be negative");
    return false;
  }
  s->radius = r;
  double conv = Unit(c, c.argv[at + 1], err);
  if (conv < 0) return false;
  s->conversion = conv;
  s->box = false;
  return true;
}

// extractBoxOrReply: width, height and unit.
bool BoxArgs(Ctx& c, size_t at, Shape* s, Value* err) {
  double w, h;
  if (!NumberArg(c, c.argv[at], "need numeric width", &w, err) ||
      !NumberArg(c, c.argv[at + 1], "need numeric height", &h, err)) {
    return false;
  }
  if (h < 0 || w < 0) {
    *err = c.Err("height or width cannot be negative");
    return false;
  }
  s->height = h;
  s->width = w;
  double conv = Unit(c, c.argv[at + 2], err);
  if (conv < 0) return false;
  s->conversion = conv;
  s->box = true;
  return true;
}

// addReplyDoubleDistance: fixed point with 4 decimals, rounded by llrint.
Value DistanceReply(Ctx& c, double d) {
  if (d == 0) return c.Bulk("0.0000");
  long long sv = std::llrint(d * 10000.0);
  bool neg = sv < 0;
  unsigned long long mag =
      neg ? (sv == LLONG_MIN ? 9223372036854775808ULL : static_cast<unsigned long long>(-sv))
          : static_cast<unsigned long long>(sv);
  std::string digits = std::to_string(mag);
  if (digits.size() < 5) digits.insert(0, 5 - digits.size(), '0');
  std::string out = (neg ? "-" : "") + digits.substr(0, digits.size() - 4) + "." +
                    digits.substr(digits.size() - 4);
  return c.Bulk(out);
}

// addReplyHumanLongDouble: "%.17Lf" with the trailing zeros cut, a bulk
// string in RESP2 and a double in RESP3 (the text the client reads).
Value CoordReply(Ctx& c, double v) {
  std::string text = FormatLongDoubleHuman(static_cast<long double>(v));
  if (c.resp3()) {
    Value v = Value::Double(strtod(text.c_str(), nullptr));
    v.str = text;
    return v;
  }
  return c.Bulk(text);
}

Value CoordPair(Ctx& c, double lon, double lat) {
  return c.Array({CoordReply(c, lon), CoordReply(c, lat)});
}

bool ScoreOf(const Object* z, const std::string& member, double* score) {
  if (z == nullptr) return false;
  auto it = z->zset.find(member);
  if (it == z->zset.end()) return false;
  *score = it->second;
  return true;
}

// ---------------------------------------------------------------------------
// Commands.

Value GeoAdd(Ctx& c) {
  bool xx = false, nx = false;
  size_t lonidx = 2;
  while (lonidx < c.argc()) {
    const std::string& opt = c.argv[lonidx];
    if (EqualsIgnoreCase(opt, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      xx = true;
    } else if (!EqualsIgnoreCase(opt, "ch")) {
      break;
    }
    lonidx++;
  }
  if ((c.argc() - lonidx) % 3 || (xx && nx)) return c.Syntax();
  // ZADD key [options] score member ..., the score the cell's 52 bits.
  std::vector<std::string> zargv(c.argv.begin(), c.argv.begin() + static_cast<long>(lonidx));
  zargv[0] = "zadd";
  for (size_t i = lonidx; i < c.argc(); i += 3) {
    double lon, lat;
    Value err;
    if (!LonLat(c, c.argv[i], c.argv[i + 1], &lon, &lat, &err)) return err;
    Cell cell;
    Encode(kLonRange, kLatRange, lon, lat, kStepMax, &cell);
    zargv.push_back(std::to_string(Align52(cell)));
    zargv.push_back(c.argv[i + 2]);
  }
  for (const CommandSpec& spec : ZSetCommands()) {
    if (std::string(spec.name) == "zadd") {
      Ctx z{c.st, c.session, zargv};
      return spec.handler(z);
    }
  }
  return c.Err("zadd missing from the model");  // not reached: ZADD is in the table
}

Object* LookupGeo(Ctx& c, const std::string& key, bool* wrongtype) {
  Object* z = LookupKey(c.st, c.db(), key);
  *wrongtype = z != nullptr && z->kind != Kind::kZSet;
  return z;
}

Value GeoPos(Ctx& c) {
  bool wrong;
  Object* z = LookupGeo(c, c.argv[1], &wrong);
  if (wrong) return c.WrongType();
  std::vector<Value> out;
  for (size_t j = 2; j < c.argc(); ++j) {
    double score;
    if (!ScoreOf(z, c.argv[j], &score)) {
      out.push_back(c.NullArray());
      continue;
    }
    double lon, lat;
    ScoreToLonLat(score, &lon, &lat);
    out.push_back(CoordPair(c, lon, lat));
  }
  return c.Array(std::move(out));
}

Value GeoHash(Ctx& c) {
  static const char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  bool wrong;
  Object* z = LookupGeo(c, c.argv[1], &wrong);
  if (wrong) return c.WrongType();
  std::vector<Value> out;
  for (size_t j = 2; j < c.argc(); ++j) {
    double score;
    if (!ScoreOf(z, c.argv[j], &score)) {
      out.push_back(c.Null());
      continue;
    }
    double lon, lat;
    ScoreToLonLat(score, &lon, &lat);
    // The standard geohash: latitude over -90..90.
    Cell cell;
    Encode({-180, 180}, {-90, 90}, lon, lat, 26, &cell);
    std::string h;
    for (int i = 0; i < 11; ++i) {
      int idx = i == 10 ? 0 : static_cast<int>((cell.bits >> (52 - (i + 1) * 5)) & 0x1f);
      h.push_back(kAlphabet[idx]);
    }
    out.push_back(c.Bulk(h));
  }
  return c.Array(std::move(out));
}

Value GeoDist(Ctx& c) {
  double to_meter = 1;
  Value err;
  if (c.argc() == 5) {
    to_meter = Unit(c, c.argv[4], &err);
    if (to_meter < 0) return err;
  } else if (c.argc() > 5) {
    return c.Syntax();
  }
  bool wrong;
  Object* z = LookupGeo(c, c.argv[1], &wrong);
  if (z == nullptr) return c.Null();
  if (wrong) return c.WrongType();
  double s1, s2;
  if (!ScoreOf(z, c.argv[2], &s1) || !ScoreOf(z, c.argv[3], &s2)) return c.Null();
  double lon1, lat1, lon2, lat2;
  ScoreToLonLat(s1, &lon1, &lat1);
  ScoreToLonLat(s2, &lon2, &lat2);
  return DistanceReply(c, Distance(lon1, lat1, lon2, lat2) / to_meter);
}

enum Flags {
  kCoords = 1 << 0,       // GEORADIUS: around a longitude and latitude
  kMember = 1 << 1,       // GEORADIUSBYMEMBER
  kNoStore = 1 << 2,      // the _RO forms
  kSearch = 1 << 3,       // GEOSEARCH's arguments
  kSearchStore = 1 << 4,  // GEOSEARCHSTORE
};

// georadiusGeneric, the checks in the server's order.
Value Search(Ctx& c, size_t src, int flags) {
  bool wrong;
  Object* z = LookupGeo(c, c.argv[src], &wrong);
  if (wrong) return c.WrongType();
  Value err;
  Shape shape;
  size_t base;
  const std::string* storekey = nullptr;
  bool storedist = false;
  if (flags & kCoords) {
    base = 6;
    if (!LonLat(c, c.argv[2], c.argv[3], &shape.lon, &shape.lat, &err)) return err;
    if (!RadiusArgs(c, 4, &shape, &err)) return err;
  } else if ((flags & kMember) && z == nullptr) {
    base = 5;  // no key: the arguments are parsed, the reply is empty
  } else if (flags & kMember) {
    base = 5;
    double score;
    if (!ScoreOf(z, c.argv[2], &score)) return c.Err("could not decode requested zset member");
    ScoreToLonLat(score, &shape.lon, &shape.lat);
    if (!RadiusArgs(c, 3, &shape, &err)) return err;
  } else {
    base = 2;
    if (flags & kSearchStore) {
      base = 3;
      storekey = &c.argv[1];
    }
  }
  bool withdist = false, withhash = false, withcoord = false;
  bool frommember = false, fromloc = false, byradius = false, bybox = false;
  int sort = 0;  // 0 none, 1 ascending, 2 descending
  bool any = false;
  int64_t count = 0;
  const size_t argc = c.argc();
  for (size_t i = base; i < argc; ++i) {
    const std::string& arg = c.argv[i];
    const size_t left = argc - i - 1;  // arguments after this one
    if (EqualsIgnoreCase(arg, "withdist")) {
      withdist = true;
    } else if (EqualsIgnoreCase(arg, "withhash")) {
      withhash = true;
    } else if (EqualsIgnoreCase(arg, "withcoord")) {
      withcoord = true;
    } else if (EqualsIgnoreCase(arg, "any")) {
      any = true;
    } else if (EqualsIgnoreCase(arg, "asc")) {
      sort = 1;
    } else if (EqualsIgnoreCase(arg, "desc")) {
      sort = 2;
    } else if (EqualsIgnoreCase(arg, "count") && left >= 1) {
      if (!c.GetLongLong(c.argv[i + 1], &count, &err)) return err;
      if (count <= 0) return c.Err("COUNT must be > 0");
      i++;
    } else if (EqualsIgnoreCase(arg, "store") && left >= 1 && !(flags & kNoStore) &&
               !(flags & kSearch)) {
      storekey = &c.argv[i + 1];
      storedist = false;
      i++;
    } else if (EqualsIgnoreCase(arg, "storedist") && left >= 1 && !(flags & kNoStore) &&
               !(flags & kSearch)) {
      storekey = &c.argv[i + 1];
      storedist = true;
      i++;
    } else if (EqualsIgnoreCase(arg, "storedist") && (flags & kSearch) && (flags & kSearchStore)) {
      storedist = true;
    } else if (EqualsIgnoreCase(arg, "frommember") && left >= 1 && (flags & kSearch) && !fromloc) {
      if (z != nullptr) {
        double score;
        if (!ScoreOf(z, c.argv[i + 1], &score)) {
          return c.Err("could not decode requested zset member");
        }
        ScoreToLonLat(score, &shape.lon, &shape.lat);
      }
      frommember = true;
      i++;
    } else if (EqualsIgnoreCase(arg, "fromlonlat") && left >= 2 && (flags & kSearch) &&
               !frommember) {
      if (!LonLat(c, c.argv[i + 1], c.argv[i + 2], &shape.lon, &shape.lat, &err)) return err;
      fromloc = true;
      i += 2;
    } else if (EqualsIgnoreCase(arg, "byradius") && left >= 2 && (flags & kSearch) && !bybox) {
      if (!RadiusArgs(c, i + 1, &shape, &err)) return err;
      byradius = true;
      i += 2;
    } else if (EqualsIgnoreCase(arg, "bybox") && left >= 3 && (flags & kSearch) && !byradius) {
      if (!BoxArgs(c, i + 1, &shape, &err)) return err;
      bybox = true;
      i += 3;
    } else {
      return c.Syntax();
    }
  }
  if (storekey != nullptr && (withdist || withhash || withcoord)) {
    return c.Err(
        std::string(flags & kSearchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
        " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  }
  if ((flags & kSearch) && !(frommember || fromloc)) {
    return c.Err("exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                 CString(c.argv[0]));
  }
  if ((flags & kSearch) && !(byradius || bybox)) {
    return c.Err("exactly one of BYRADIUS and BYBOX can be specified for " + CString(c.argv[0]));
  }
  if (any && !count) return c.Err("the ANY argument requires COUNT argument");

  auto delete_store = [&]() {
    if (DbDelete(c.st, c.db(), *storekey)) {
      SignalModifiedKey(c.st, c.db(), *storekey);
      c.Notify(kNotifyGeneric, "del", *storekey);
    }
  };
  if (z == nullptr) {
    if (storekey != nullptr) {
      delete_store();
      return c.Int(0);
    }
    return c.Array();
  }
  if (count != 0 && sort == 0 && !any) sort = 1;

  std::vector<Point> found = FindPoints(*z, shape, any ? static_cast<uint64_t>(count) : 0);
  if (found.empty() && storekey == nullptr) return c.Array();
  size_t total = found.size();
  size_t returned =
      (count == 0 || static_cast<int64_t>(total) < count) ? total : static_cast<size_t>(count);
  if (sort != 0) {
    if (returned == total) {
      // glibc's qsort: a merge sort, stable.
      if (sort == 1) {
        std::stable_sort(found.begin(), found.end(),
                         [](const Point& a, const Point& b) { return a.dist < b.dist; });
      } else {
        std::stable_sort(found.begin(), found.end(),
                         [](const Point& a, const Point& b) { return a.dist > b.dist; });
      }
    } else {
      PartialSort(&found, sort == 2).Run(0, returned - 1);
    }
  }
  if (storekey == nullptr) {
    std::vector<Value> out;
    bool options = withdist || withcoord || withhash;
    for (size_t i = 0; i < returned; ++i) {
      Point& p = found[i];
      p.dist /= shape.conversion;
      if (!options) {
        out.push_back(c.Bulk(p.member));
        continue;
      }
      std::vector<Value> item = {c.Bulk(p.member)};
      if (withdist) item.push_back(DistanceReply(c, p.dist));
      if (withhash) item.push_back(c.Int(static_cast<int64_t>(p.score)));
      if (withcoord) item.push_back(CoordPair(c, p.lon, p.lat));
      out.push_back(c.Array(std::move(item)));
    }
    return c.Array(std::move(out));
  }
  if (returned == 0) {
    delete_store();
    return c.Int(0);
  }
  Object dst;
  dst.kind = Kind::kZSet;
  size_t maxlen = 0;
  for (size_t i = 0; i < returned; ++i) {
    Point& p = found[i];
    p.dist /= shape.conversion;
    dst.zset[p.member] = storedist ? p.dist : p.score;
    maxlen = std::max(maxlen, p.member.size());
  }
  // Built as a skiplist, then zsetConvertToListpackIfNeeded.
  dst.zset_skiplist = !(static_cast<int64_t>(returned) <= c.st.config.zset_max_listpack_entries &&
                        static_cast<int64_t>(maxlen) <= c.st.config.zset_max_listpack_value);
  std::string key = *storekey;  // argv outlives this, but keep it plain
  SetKey(c.st, c.db(), key, std::move(dst), false, -1);
  c.Notify(kNotifyZset, (flags & kSearch) ? "geosearchstore" : "georadiusstore", key);
  return c.Int(static_cast<int64_t>(returned));
}

Value GeoRadius(Ctx& c) { return Search(c, 1, kCoords); }
Value GeoRadiusRo(Ctx& c) { return Search(c, 1, kCoords | kNoStore); }
Value GeoRadiusByMember(Ctx& c) { return Search(c, 1, kMember); }
Value GeoRadiusByMemberRo(Ctx& c) { return Search(c, 1, kMember | kNoStore); }
Value GeoSearch(Ctx& c) { return Search(c, 1, kSearch); }
Value GeoSearchStore(Ctx& c) { return Search(c, 2, kSearch | kSearchStore); }

}  // namespace

std::vector<CommandSpec> GeoCommands() {
  return {{"geoadd", -5, GeoAdd},
          {"geodist", -4, GeoDist},
          {"geohash", -2, GeoHash},
          {"geopos", -2, GeoPos},
          {"georadius", -6, GeoRadius},
          {"georadius_ro", -6, GeoRadiusRo},
          {"georadiusbymember", -5, GeoRadiusByMember},
          {"georadiusbymember_ro", -5, GeoRadiusByMemberRo},
          {"geosearch", -7, GeoSearch},
          {"geosearchstore", -8, GeoSearchStore}};
}

}  // namespace respfuzz::models::refmodel
