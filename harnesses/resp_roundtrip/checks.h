// The resp_roundtrip harness: bytes decode into a bounded RESP3 value tree.
#ifndef RESPFUZZ_HARNESSES_RESP_ROUNDTRIP_CHECKS_H_
#define RESPFUZZ_HARNESSES_RESP_ROUNDTRIP_CHECKS_H_

#include <string_view>

#include "harnesses/common/reply_parser.h"
#include "harnesses/common/verdict.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses {

// Caps on the decoded tree, so every input is cheap to check.
inline constexpr size_t kRoundtripMaxNodes = 128;
inline constexpr size_t kRoundtripMaxDepth = 8;
inline constexpr size_t kRoundtripMaxChildren = 6;
inline constexpr size_t kRoundtripMaxString = 64;

// Total: every byte string gives a valid tree (Invalid() empty) within the caps.
// Each node starts with a byte whose low 4 bits pick the type and whose bit 4
// asks for attributes; payloads follow (lengths, raw integer/double bits or
// picks from edge-value tables).
resp::Value DecodeTree(std::string_view input);

// The oracles:
//   resp3 - write RESP3, read RESP3: exactly the tree
//   resp2 - write RESP2, read RESP2: exactly Downgrade(tree)
fuzz::Verdict CheckRoundtrip(const resp::Value& tree, ValueEncoder& writer, ReplyParser& parser);

// The registry's entry points (RESPFUZZ_REGISTER_HARNESS in checks.cc).
fuzz::Verdict RunRespRoundtrip(std::string_view input);
std::string DescribeRespRoundtrip(std::string_view input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_RESP_ROUNDTRIP_CHECKS_H_
