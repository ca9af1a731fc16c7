// query_parser: a RediSearch-style query (and its PARAMS) through the parser,
// printer and evaluator over a small document set decoded from the leading
// bytes. Checks (harnesses/query_parser/checks.h): error shape, caps,
// print/reparse round trip and fixed point, evaluator vs reference
// evaluator, and four metamorphic relations.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/query_parser/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Room for a query at the default 64 KiB length cap plus the header
  // (hand-made or frozen inputs; the fuzzer's max_len is smaller).
  if (size > 80 * 1024) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const respfuzz::fuzz::Verdict verdict = respfuzz::harnesses::RunQueryParser(input);
  FUZZ_CHECK_VERDICT(verdict, respfuzz::harnesses::DescribeQueryParser(input));
  return 0;
}
