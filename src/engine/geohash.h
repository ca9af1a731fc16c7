// Geohash arithmetic of Redis 7.0.15's GEO commands (the sorted-set scores
// of a geo set): 26 steps of longitude and latitude bits interleaved into a
// 52-bit integer over longitude [-180, 180] and latitude [-85.05112878,
// 85.05112878] (the Web Mercator limits), the decoding back to the centre of
// a cell, the 8 neighbouring cells of a search and the haversine distance
// with Redis's Earth radius. Written from the documented behaviour and the
// algorithm Redis's geohash.c / geohash_helper.c describe; every step is
// floating-point in the same order, so decoded coordinates and distances
// print the same digits as redis-server.
#ifndef RESPFUZZ_ENGINE_GEOHASH_H_
#define RESPFUZZ_ENGINE_GEOHASH_H_

#include <array>
#include <cstdint>

namespace respfuzz::engine::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr int kStepMax = 26;  // 52 bits
inline constexpr double kEarthRadiusM = 6372797.560856;

struct Range {
  double min = 0, max = 0;
};

struct Bits {
  uint64_t bits = 0;
  uint8_t step = 0;  // 0 (with bits 0): no cell
  bool operator==(const Bits&) const = default;
};

struct Cell {
  Bits hash;
  Range lon, lat;
};

// The cell of (lon, lat) at `step` (1..32) over the ranges; false (and no
// cell) outside the ranges or outside the Web Mercator limits.
bool Encode(Range lon_range, Range lat_range, double lon, double lat, int step, Bits* out);
// Over the Web Mercator ranges.
bool EncodeWgs84(double lon, double lat, int step, Bits* out);
// The bounds of a cell; false for the empty cell.
bool Decode(Range lon_range, Range lat_range, Bits hash, Cell* out);
// The 52-bit score of a cell: its bits shifted to the left edge of 52.
uint64_t Align52(Bits hash);
// A score back to the centre of its 26-step cell, clamped to the limits:
// xy[0] longitude, xy[1] latitude.
bool DecodeScore(double score, double xy[2]);

// Haversine distance in metres (and the shortcut for equal longitudes).
double LatDistance(double lat1, double lat2);
double Distance(double lon1, double lat1, double lon2, double lat2);

// What a search covers: a circle (radius) or an axis-aligned box (width,
// height), in the unit `conversion` metres, centred on xy.
struct Shape {
  bool box = false;
  double xy[2] = {0, 0};
  double conversion = 1;
  double radius = 0;
  double width = 0, height = 0;
  double bounds[4] = {0, 0, 0, 0};  // min lon, min lat, max lon, max lat
};

// The cells a search scans, in the order Redis scans them: the centre cell,
// then north, south, east, west, north-east, north-west, south-east,
// south-west; a neighbour that cannot hold a match is the empty cell.
std::array<Bits, 9> SearchCells(Shape* shape);

// Whether the point of `score` is in the shape; *xy is its position and
// *distance its distance from the centre (metres) when it is.
bool WithinShape(const Shape& shape, double score, double xy[2], double* distance);

}  // namespace respfuzz::engine::geo

#endif  // RESPFUZZ_ENGINE_GEOHASH_H_
