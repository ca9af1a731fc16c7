#include "harnesses/programs/registry.h"

#include <algorithm>
#include <array>

#include "src/resp/value.h"

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
    Harness{"command_handler",
            "a program of commands from up to 4 sessions (HELLO 2/3, MULTI/EXEC/WATCH), "
            "virtual clock steps and active expiry, run on the engine and on a plain "
            "reference model",
            "every reply matches the reference model; every reply reads back as one value "
            "and re-writes to the same bytes; RESP2 replies read the same through hiredis; "
            "Engine::Validate() after every op",
            RunCommandHandler, DescribeCommandHandler, EncodeCommandHandlerText,
            DecodeCommandHandlerText, ExplainCommandHandler, MinimizeCommandHandler},
    Harness{"query_parser",
            "a RediSearch-style query (dialect 2) with optional PARAMS; leading bytes pick the "
            "caps and up to 8 documents with text, tag, numeric, geo and vector fields",
            "parse errors carry an offset and reason; the AST is within the caps; the canonical "
            "form reparses to an equal AST and is a fixed point; the evaluator agrees with a "
            "separately written reference evaluator; A|B matches a superset of A, A -A nothing, "
            "A B a subset of A, ~A B what B matches",
            RunQueryParser, DescribeQueryParser},
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
  const size_t shown = std::min(bytes.size(), max_len);
  resp::AppendEscaped(bytes.substr(0, shown), &out);
  if (shown < bytes.size()) out += "...(" + std::to_string(bytes.size() - shown) + " more bytes)";
  return out;
}

}  // namespace respfuzz::programs
