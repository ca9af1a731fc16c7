// The probe against hiredis 1.2.0 (respfuzz_hiredis12): the same calls, which
// its header maps to the renamed symbols, its types from namespace hiredis12.
#include "respfuzz_hiredis12.h"

namespace respfuzz::hiredis_versions {
using namespace hiredis12;  // NOLINT(build/namespaces): the 1.2 declarations, as written
}  // namespace respfuzz::hiredis_versions

#define PROBE_VERSION Hiredis12Version
#define PROBE_PARSE ParseWithHiredis12
#include "probe_body.inc"
