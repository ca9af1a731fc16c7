// Deliberately broken variants of cache::ClientCache, for tests that show the
// invalidation harness's checks catch each: the cache's source is compiled
// again with every variant in it (tests/cache_mutants/schemata.py,
// mutants.txt), and `selected` picks one at run time (0: the cache as
// written). Nothing of this is in src/: binaries that link it link it in
// place of respfuzz_cache.
#ifndef RESPFUZZ_TESTS_CACHE_MUTANTS_MUTANTS_H_
#define RESPFUZZ_TESTS_CACHE_MUTANTS_MUTANTS_H_

#include <string>
#include <vector>

namespace respfuzz::cache::mutants {

struct Mutant {
  int id = 0;        // the value of `selected` that turns it on
  const char* name;  // e.g. "own-write-kept"
  const char* what;  // what it breaks, one line
};

extern int selected;
const std::vector<Mutant>& All();
// The mutants whose text is no longer in client_cache.cc, each with why.
const std::vector<std::string>& Unapplied();

}  // namespace respfuzz::cache::mutants

#endif  // RESPFUZZ_TESTS_CACHE_MUTANTS_MUTANTS_H_
