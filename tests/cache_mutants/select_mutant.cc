// The fuzz target's mutant: RESPFUZZ_CACHE_MUTANT=NAME (mutants.txt) before
// the first input; unset or empty, the cache as written.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tests/cache_mutants/mutants.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  namespace mutants = respfuzz::cache::mutants;
  const char* name = std::getenv("RESPFUZZ_CACHE_MUTANT");
  if (name == nullptr || *name == '\0') return 0;
  for (const mutants::Mutant& m : mutants::All()) {
    if (std::strcmp(m.name, name) == 0) {
      mutants::selected = m.id;
      std::fprintf(stderr, "cache mutant %d: %s (%s)\n", m.id, m.name, m.what);
      return 0;
    }
  }
  std::fprintf(stderr, "RESPFUZZ_CACHE_MUTANT: no mutant named '%s' (mutants.txt)\n", name);
  std::exit(2);
}
