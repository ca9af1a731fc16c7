// Floor of query_parser: the input decoded as the harness decodes it, the
// query parsed once and, when it parses, evaluated once over the documents,
// and no check (see bench/floors/README.md).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harnesses/query_parser/checks.h"
#include "src/query/evaluator.h"
#include "src/query/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace respfuzz;
  using namespace respfuzz::harnesses;
  static QueryParserInput* const in = new QueryParserInput;
  DecodeQueryParserInput(std::string_view(reinterpret_cast<const char*>(data), size), in);
  const std::string query(in->query);  // its own heap block, as in the harness
  const query::ParseResult parsed = query::Parse(query, in->options);
  if (parsed.ok()) (void)query::Evaluate(parsed.ast(), in->docs);
  return 0;
}
