// Fuzz target: an argv of arbitrary bytes through hiredis 1.2.0's
// redisFormatCommandArgv and redisFormatSdsCommandArgv, read back by our
// request parser and the reference request parser. See
// harnesses/hiredis12_format/checks.h for the input layout and the checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harnesses/common/fuzz_check.h"
#include "harnesses/hiredis12_format/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK_VERDICT(respfuzz::harnesses::RunHiredis12Format(input),
                     respfuzz::harnesses::DescribeHiredis12Format(input));
  return 0;
}
