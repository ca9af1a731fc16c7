#include "harnesses/programs/registry.h"

#include <array>
#include <cstdio>

namespace respfuzz::programs {

namespace {

constexpr std::array kHarnesses = {
    Harness{"resp_reader",
            "raw RESP2/RESP3 reply bytes; leading bytes pick the protocol, the limits and a "
            "chunking plan",
            "chunked feeding gives the same values, error and offset as feeding whole; bytes "
            "consumed add up; every value re-written and re-read is equal; the visitor-only "
            "walk agrees with the tree builder",
            RunRespReader, DescribeRespReader},
    Harness{"resp_roundtrip",
            "a bounded RESP3 value tree decoded from the bytes (structure-aware)",
            "write RESP3 then read gives the tree back; write RESP2 then read gives the "
            "RESP2 downgrade of the tree",
            RunRespRoundtrip, DescribeRespRoundtrip},
    Harness{"resp_hiredis_diff",
            "raw RESP2 reply bytes, to our reader and to hiredis 0.14.1",
            "both accept or both reject; accepted replies are equal trees; every known "
            "divergence is listed in one table",
            RunRespHiredisDiff, DescribeRespHiredisDiff},
    Harness{"request_parser",
            "raw client request bytes (multibulk and inline); leading bytes pick the limits "
            "and a chunking plan",
            "chunked feeding gives the same requests and error as whole; each argv encoded as "
            "multibulk parses back equal; inline arguments re-quoted split back equal",
            RunRequestParser, DescribeRequestParser},
};

}  // namespace

std::span<const Harness> Harnesses() { return kHarnesses; }

const Harness* FindHarness(std::string_view name) {
  for (const Harness& h : kHarnesses) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

std::string EscapeBytes(std::string_view bytes, size_t max_len) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (out.size() >= max_len) {
      out += "...(" + std::to_string(bytes.size() - i) + " more bytes)";
      break;
    }
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        }
    }
  }
  return out;
}

}  // namespace respfuzz::programs
