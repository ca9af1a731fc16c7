// The raw connections of the invalidation harness (raw_ops.cc): what the
// program model needs beyond program.h.
#ifndef RESPFUZZ_HARNESSES_INVALIDATION_RAW_OPS_H_
#define RESPFUZZ_HARNESSES_INVALIDATION_RAW_OPS_H_

#include <span>
#include <string_view>
#include <vector>

#include "harnesses/invalidation/program.h"

namespace respfuzz::harnesses::invalidation {

// The pools of the raw connection's argument kinds (kOnOff .. kGeoWord).
std::span<const std::string_view> RawPool(Arg kind);
// A command shape's name split at its spaces ("CLIENT TRACKING": two words).
std::vector<std::string_view> NameWords(std::string_view name);

}  // namespace respfuzz::harnesses::invalidation

#endif  // RESPFUZZ_HARNESSES_INVALIDATION_RAW_OPS_H_
