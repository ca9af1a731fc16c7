#include "harnesses/models/cluster_bus_reference.h"

#include <cstdint>
#include <span>
#include <string>

namespace respfuzz::models {
namespace {

// Reads big-endian numbers at absolute positions; every read is checked
// against the span and a read out of it sets `out_of_range`.
struct Cursor {
  std::span<const uint8_t> b;
  bool out_of_range = false;

  uint64_t Num(uint64_t pos, int width) {
    if (pos > b.size() || b.size() - pos < static_cast<uint64_t>(width)) {
      out_of_range = true;
      return 0;
    }
    uint64_t v = 0;
    for (int k = 0; k < width; ++k) v = v * 256 + b[pos + k];
    return v;
  }
};

BusLengthVerdict Bad(const char* rule) { return BusLengthVerdict{false, rule}; }

}  // namespace

BusLengthVerdict CheckBusLengths(std::span<const uint8_t> bytes) {
  Cursor c{bytes};
  if (bytes.size() < 8) return Bad("preamble");
  if (bytes[0] != 'R' || bytes[1] != 'C' || bytes[2] != 'm' || bytes[3] != 'b') {
    return Bad("signature");
  }
  const uint64_t total = c.Num(4, 4);
  if (total < 2256) return Bad("min-length");
  if (total != bytes.size()) return Bad("totlen");
  if (c.Num(8, 2) != 1) return Bad("version");
  const uint64_t type = c.Num(12, 2);

  uint64_t expected = 0;
  if (type == 0 || type == 1 || type == 2) {
    const uint64_t count = c.Num(14, 2);
    const uint64_t n_ext = c.Num(2214, 2);
    const bool has_ext = (c.Num(2253, 1) & 4) != 0;
    uint64_t pos = 2256 + count * 104;
    if (pos > total) return Bad("gossip");
    if (!has_ext && n_ext > 0) return Bad("ext-flag");
    if (has_ext) {
      for (uint64_t e = 0; e < n_ext; ++e) {
        if (total - pos < 8) return Bad("ext-header");
        const uint64_t len = c.Num(pos, 4);
        const uint64_t ext_type = c.Num(pos + 4, 2);
        if (len < 8) return Bad("ext-min");
        if (len % 8 != 0) return Bad("ext-align");
        if (len > total - pos) return Bad("ext-overflow");
        const uint64_t data_len = len - 8;
        if (ext_type == 0 || ext_type == 1) {
          bool nul = false;
          for (uint64_t k = 0; k < data_len && !nul; ++k) nul = c.Num(pos + 8 + k, 1) == 0;
          if (!nul) return Bad("ext-string");
        }
        if (ext_type == 2 && data_len < 48) return Bad("ext-forgotten");
        if (ext_type == 3 && data_len < 40) return Bad("ext-shard");
        pos += len;
      }
    }
    expected = pos;
  } else if (type == 3) {
    expected = 2256 + 40;
  } else if (type == 4 || type == 10) {
    if (total < 2264) return Bad("publish-header");
    expected = 2264 + c.Num(2256, 4) + c.Num(2260, 4);
  } else if (type == 5 || type == 6 || type == 8) {
    expected = 2256;
  } else if (type == 7) {
    expected = 2256 + 8 + 40 + 2048;
  } else if (type == 9) {
    if (total < 2269) return Bad("module-header");
    expected = 2269 + c.Num(2264, 4);
  } else {
    expected = total;
  }
  if (c.out_of_range) return Bad("out-of-range");  // never: every read above is guarded
  if (expected != total) return Bad("length");
  return BusLengthVerdict{true, ""};
}

}  // namespace respfuzz::models
