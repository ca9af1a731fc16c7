// Fuzz target: raw RESP2/RESP3 reply bytes, chunked, through resp::Reader and
// through hiredis 1.2.0's redisReader, compared value by value. See
// harnesses/resp_hiredis12_diff/checks.h for the input layout, the oracle
// and the table of known divergences.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/resp_hiredis12_diff/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(respfuzz::harnesses::RunRespHiredis12Diff(input),
                     respfuzz::harnesses::DescribeRespHiredis12Diff(input));
  return 0;
}
