#include "harnesses/common/fuzz_check.h"

#include <cstdio>
#include <cstdlib>

namespace respfuzz::fuzz {

void CheckFailed(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "\n==== FUZZ_CHECK failed: %s\n     at %s:%d\n%s\n====\n", condition, file,
               line, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace respfuzz::fuzz
