// Geohash arithmetic of the GEO commands (see geohash.h).
#include "src/engine/geohash.h"

#include <cmath>

namespace respfuzz::engine::geo {

namespace {

constexpr double kDegToRad = M_PI / 180.0;
constexpr double kMercatorMax = 20037726.37;

double ToRad(double deg) { return deg * kDegToRad; }
double ToDeg(double rad) { return rad / kDegToRad; }

// Latitude index in the even bits, longitude index in the odd bits.
uint64_t Interleave(uint32_t lat, uint32_t lon) {
  uint64_t out = 0;
  for (int i = 0; i < 32; ++i) {
    out |= static_cast<uint64_t>((lat >> i) & 1u) << (2 * i);
    out |= static_cast<uint64_t>((lon >> i) & 1u) << (2 * i + 1);
  }
  return out;
}

void Deinterleave(uint64_t bits, uint32_t* lat, uint32_t* lon) {
  *lat = 0;
  *lon = 0;
  for (int i = 0; i < 32; ++i) {
    *lat |= static_cast<uint32_t>((bits >> (2 * i)) & 1u) << i;
    *lon |= static_cast<uint32_t>((bits >> (2 * i + 1)) & 1u) << i;
  }
}

// The cell dlon columns east and dlat rows north, wrapping around at the
// grid's edges as the bit arithmetic does. Only a coordinate that moves is
// cut to the step's bits: a centre cell encoded at longitude 180 (or the
// top latitude) has its index one past the grid, and its north and south
// (east and west) neighbours keep that bit, as the server's do.
Bits Move(Bits h, int dlon, int dlat) {
  uint32_t lat, lon;
  Deinterleave(h.bits, &lat, &lon);
  const uint64_t mask = (uint64_t{1} << h.step) - 1;
  if (dlat != 0) {
    lat = static_cast<uint32_t>((lat + static_cast<uint64_t>(static_cast<int64_t>(dlat))) & mask);
  }
  if (dlon != 0) {
    lon = static_cast<uint32_t>((lon + static_cast<uint64_t>(static_cast<int64_t>(dlon))) & mask);
  }
  return Bits{Interleave(lat, lon), h.step};
}

int StepsForRadius(double meters, double lat) {
  if (meters == 0) return kStepMax;
  int step = 1;
  while (meters < kMercatorMax) {
    meters *= 2;
    ++step;
  }
  step -= 2;
  // Cells narrow towards the poles: one or two steps coarser there.
  if (lat > 66 || lat < -66) {
    --step;
    if (lat > 80 || lat < -80) --step;
  }
  if (step < 1) step = 1;
  if (step > kStepMax) step = kStepMax;
  return step;
}

// The shape's bounding box in degrees.
void BoundingBox(Shape* s) {
  const double lon = s->xy[0];
  const double lat = s->xy[1];
  const double half_h = s->conversion * (s->box ? s->height / 2 : s->radius);
  const double half_w = s->conversion * (s->box ? s->width / 2 : s->radius);
  const double dlat = ToDeg(half_h / kEarthRadiusM);
  const double dlon_top = ToDeg(half_w / kEarthRadiusM / std::cos(ToRad(lat + dlat)));
  const double dlon_bottom = ToDeg(half_w / kEarthRadiusM / std::cos(ToRad(lat - dlat)));
  // The wider edge is the one nearer the equator.
  const bool south = lat < 0;
  s->bounds[0] = south ? lon - dlon_bottom : lon - dlon_top;
  s->bounds[2] = south ? lon + dlon_bottom : lon + dlon_top;
  s->bounds[1] = lat - dlat;
  s->bounds[3] = lat + dlat;
}

constexpr Range kLonRange{kLonMin, kLonMax};
constexpr Range kLatRange{kLatMin, kLatMax};

}  // namespace

bool Encode(Range lon_range, Range lat_range, double lon, double lat, int step, Bits* out) {
  if (step > 32 || step == 0 || (lat_range.min == 0 && lat_range.max == 0) ||
      (lon_range.min == 0 && lon_range.max == 0)) {
    return false;
  }
  if (lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin) return false;
  out->bits = 0;
  out->step = static_cast<uint8_t>(step);
  if (lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max) {
    return false;
  }
  double lat_off = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_off = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_off *= static_cast<double>(uint64_t{1} << step);
  lon_off *= static_cast<double>(uint64_t{1} << step);
  out->bits = Interleave(static_cast<uint32_t>(lat_off), static_cast<uint32_t>(lon_off));
  return true;
}

bool EncodeWgs84(double lon, double lat, int step, Bits* out) {
  return Encode(kLonRange, kLatRange, lon, lat, step, out);
}

bool Decode(Range lon_range, Range lat_range, Bits hash, Cell* out) {
  if ((hash.bits == 0 && hash.step == 0) || (lat_range.min == 0 && lat_range.max == 0) ||
      (lon_range.min == 0 && lon_range.max == 0)) {
    return false;
  }
  out->hash = hash;
  uint32_t ilat, ilon;
  Deinterleave(hash.bits, &ilat, &ilon);
  const double lat_scale = lat_range.max - lat_range.min;
  const double lon_scale = lon_range.max - lon_range.min;
  const double cells = static_cast<double>(uint64_t{1} << hash.step);
  out->lat.min = lat_range.min + (ilat * 1.0 / cells) * lat_scale;
  out->lat.max = lat_range.min + ((ilat + 1) * 1.0 / cells) * lat_scale;
  out->lon.min = lon_range.min + (ilon * 1.0 / cells) * lon_scale;
  out->lon.max = lon_range.min + ((ilon + 1) * 1.0 / cells) * lon_scale;
  return true;
}

uint64_t Align52(Bits hash) { return hash.bits << (52 - hash.step * 2); }

// (uint64_t)score as x86-64 compiles it, defined for every double: below
// 2^63 a signed conversion (negative scores wrap), above it the conversion
// of score - 2^63 with the top bit flipped; out of range gives the
// conversion's "indefinite" 2^63 (so 2^64 and beyond come out as 0).
uint64_t ScoreBits(double score) {
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = uint64_t{1} << 63;
  if (std::isnan(score)) return kIndefinite;
  if (score < kTwo63) {
    return score >= -kTwo63 ? static_cast<uint64_t>(static_cast<int64_t>(score)) : kIndefinite;
  }
  const double rest = score - kTwo63;
  return (rest < kTwo63 ? static_cast<uint64_t>(static_cast<int64_t>(rest)) : kIndefinite) ^
         kIndefinite;
}

bool DecodeScore(double score, double xy[2]) {
  Cell c;
  if (!Decode(kLonRange, kLatRange, Bits{ScoreBits(score), kStepMax}, &c)) {
    return false;
  }
  xy[0] = (c.lon.min + c.lon.max) / 2;
  if (xy[0] > kLonMax) xy[0] = kLonMax;
  if (xy[0] < kLonMin) xy[0] = kLonMin;
  xy[1] = (c.lat.min + c.lat.max) / 2;
  if (xy[1] > kLatMax) xy[1] = kLatMax;
  if (xy[1] < kLatMin) xy[1] = kLatMin;
  return true;
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusM * std::fabs(ToRad(lat2) - ToRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = ToRad(lon1);
  const double lon2r = ToRad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  if (v == 0.0) return LatDistance(lat1, lat2);
  const double lat1r = ToRad(lat1);
  const double lat2r = ToRad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(a));
}

std::array<Bits, 9> SearchCells(Shape* shape) {
  BoundingBox(shape);
  const double min_lon = shape->bounds[0], min_lat = shape->bounds[1];
  const double max_lon = shape->bounds[2], max_lat = shape->bounds[3];
  const double lon = shape->xy[0], lat = shape->xy[1];
  double radius_m = shape->box ? std::sqrt((shape->width / 2) * (shape->width / 2) +
                                           (shape->height / 2) * (shape->height / 2))
                               : shape->radius;
  radius_m *= shape->conversion;
  int steps = StepsForRadius(radius_m, lat);

  Bits hash;
  Cell area;
  EncodeWgs84(lon, lat, steps, &hash);
  Decode(kLonRange, kLatRange, hash, &area);
  // Too fine a grid when a neighbour does not reach the bounding box's edge.
  Cell north, south, east, west;
  Decode(kLonRange, kLatRange, Move(hash, 0, 1), &north);
  Decode(kLonRange, kLatRange, Move(hash, 0, -1), &south);
  Decode(kLonRange, kLatRange, Move(hash, 1, 0), &east);
  Decode(kLonRange, kLatRange, Move(hash, -1, 0), &west);
  const bool coarser = north.lat.max < max_lat || south.lat.min > min_lat ||
                       east.lon.max < max_lon || west.lon.min > min_lon;
  if (steps > 1 && coarser) {
    --steps;
    EncodeWgs84(lon, lat, steps, &hash);
    Decode(kLonRange, kLatRange, hash, &area);
  }
  // Order: centre, N, S, E, W, NE, NW, SE, SW.
  std::array<Bits, 9> cells = {hash,
                               Move(hash, 0, 1),
                               Move(hash, 0, -1),
                               Move(hash, 1, 0),
                               Move(hash, -1, 0),
                               Move(hash, 1, 1),
                               Move(hash, -1, 1),
                               Move(hash, 1, -1),
                               Move(hash, -1, -1)};
  enum { kC, kN, kS, kE, kW, kNE, kNW, kSE, kSW };
  // Neighbours beyond the bounding box hold nothing of the shape.
  if (steps >= 2) {
    if (area.lat.min < min_lat) cells[kS] = cells[kSW] = cells[kSE] = Bits{};
    if (area.lat.max > max_lat) cells[kN] = cells[kNE] = cells[kNW] = Bits{};
    if (area.lon.min < min_lon) cells[kW] = cells[kSW] = cells[kNW] = Bits{};
    if (area.lon.max > max_lon) cells[kE] = cells[kSE] = cells[kNE] = Bits{};
  }
  return cells;
}

bool WithinShape(const Shape& shape, double score, double xy[2], double* distance) {
  if (!DecodeScore(score, xy)) return false;
  if (!shape.box) {
    *distance = Distance(shape.xy[0], shape.xy[1], xy[0], xy[1]);
    return *distance <= shape.radius * shape.conversion;
  }
  // The latitude test first (cheaper), then the longitude distance along
  // the point's own parallel.
  const double w = shape.width * shape.conversion;
  const double h = shape.height * shape.conversion;
  if (LatDistance(xy[1], shape.xy[1]) > h / 2) return false;
  if (Distance(xy[0], xy[1], shape.xy[0], xy[1]) > w / 2) return false;
  *distance = Distance(shape.xy[0], shape.xy[1], xy[0], xy[1]);
  return true;
}

}  // namespace respfuzz::engine::geo
