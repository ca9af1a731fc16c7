// Floor of resp_roundtrip: the value tree decoded as the harness decodes it,
// then written once as RESP3, and no check (see bench/floors/README.md).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harnesses/common/reply_parser.h"
#include "harnesses/resp_roundtrip/checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace respfuzz;
  using namespace respfuzz::harnesses;
  static ValueEncoder* const writer = MakeValueEncoder().release();
  const resp::Value tree = DecodeTree(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string bytes = writer->Write(tree, resp::Protocol::kResp3);
  return 0;
}
