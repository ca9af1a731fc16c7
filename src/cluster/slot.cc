#include "src/cluster/slot.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace respfuzz::cluster {
namespace {

constexpr std::array<uint16_t, 256> MakeCrcTable() {
  std::array<uint16_t, 256> table{};
  for (int i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint16_t, 256> kCrcTable = MakeCrcTable();

// Parses a decimal number of 1..5 digits within [0, max]; -1 otherwise.
int ParseSmall(std::string_view s, int max) {
  if (s.empty() || s.size() > 5) return -1;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v <= max ? v : -1;
}

}  // namespace

uint16_t Crc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc = static_cast<uint16_t>((crc << 8) ^ kCrcTable[((crc >> 8) ^ c) & 0xff]);
  }
  return crc;
}

std::string_view HashTag(std::string_view key) {
  size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

int KeySlot(std::string_view key) { return Crc16(HashTag(key)) & (kSlotCount - 1); }

std::string Endpoint::ToString() const { return absl::StrCat(host, ":", port); }

absl::StatusOr<Redirect> ParseRedirect(std::string_view error) {
  if (!error.empty() && error.front() == '-') error.remove_prefix(1);
  if (error.size() >= 2 && error.substr(error.size() - 2) == "\r\n") {
    error.remove_suffix(2);
  }
  if (error.size() > kMaxRedirectLen) {
    return absl::InvalidArgumentError(
        absl::StrCat("redirection longer than ", kMaxRedirectLen, " bytes"));
  }
  Redirect r;
  if (error.starts_with("MOVED ")) {
    r.kind = RedirectKind::kMoved;
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    r.kind = RedirectKind::kAsk;
    error.remove_prefix(4);
  } else {
    return absl::InvalidArgumentError("not a MOVED or ASK error");
  }
  size_t space = error.find(' ');
  if (space == std::string_view::npos) {
    return absl::InvalidArgumentError("redirection without an endpoint");
  }
  r.slot = ParseSmall(error.substr(0, space), kSlotCount - 1);
  if (r.slot < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad slot '", std::string(error.substr(0, space)), "' (0..16383)"));
  }
  std::string_view endpoint = error.substr(space + 1);
  size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint '", std::string(endpoint), "' has no ':'"));
  }
  r.target.port = ParseSmall(endpoint.substr(colon + 1), 65535);
  if (r.target.port < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad port '", std::string(endpoint.substr(colon + 1)), "' (0..65535)"));
  }
  r.target.host = std::string(endpoint.substr(0, colon));
  if (r.target.host.find(' ') != std::string::npos) {
    return absl::InvalidArgumentError("host contains a space");
  }
  return r;
}

std::string FormatRedirect(const Redirect& r) {
  return absl::StrCat(r.kind == RedirectKind::kMoved ? "MOVED " : "ASK ", r.slot, " ",
                      r.target.ToString());
}

}  // namespace respfuzz::cluster
