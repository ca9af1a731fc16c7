// The documents a query is evaluated over: an id and typed fields, each
// field name mapping to one value per type. Text is already tokenized and
// lowercased (as an index would store it); tags are lowercased values.
#ifndef RESPFUZZ_QUERY_DOCUMENT_H_
#define RESPFUZZ_QUERY_DOCUMENT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace respfuzz::query {

struct GeoPoint {
  double lon = 0;
  double lat = 0;
};

struct Document {
  uint32_t id = 0;
  std::vector<std::pair<std::string, std::vector<std::string>>> text;  // field, tokens
  std::vector<std::pair<std::string, std::vector<std::string>>> tags;  // field, values
  std::vector<std::pair<std::string, double>> numeric;
  std::vector<std::pair<std::string, GeoPoint>> geo;
  std::vector<std::pair<std::string, std::vector<float>>> vectors;
};

// Earth radius used by geo filters: Redis's EARTH_RADIUS_IN_METERS.
inline constexpr double kEarthRadiusMeters = 6372797.560856;

}  // namespace respfuzz::query

#endif  // RESPFUZZ_QUERY_DOCUMENT_H_
