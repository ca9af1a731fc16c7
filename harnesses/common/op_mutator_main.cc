// libFuzzer's custom mutator hooks for a program harness: the op-level
// mutator (op_mutator.h) of the harness whose descriptor is
// RESPFUZZ_HARNESS_DESCRIPTOR (kRegisteredHarness_<name>), with libFuzzer's
// own byte mutator for the share of calls and the arguments it byte-mutates.
// Linked into <name> or <name>_opmut (harnesses/CMakeLists.txt, OP_MUTATOR).
#include <cstddef>
#include <cstdint>

#include "harnesses/common/registry.h"

#ifndef RESPFUZZ_HARNESS_DESCRIPTOR
#error "RESPFUZZ_HARNESS_DESCRIPTOR names the harness's kRegisteredHarness_<name>"
#endif

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace respfuzz::harnesses {
extern const Harness RESPFUZZ_HARNESS_DESCRIPTOR;
}  // namespace respfuzz::harnesses

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return respfuzz::harnesses::RESPFUZZ_HARNESS_DESCRIPTOR.mutate(data, size, max_size, seed,
                                                                 LLVMFuzzerMutate);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* a, size_t a_size, const uint8_t* b,
                                            size_t b_size, uint8_t* out, size_t max_out,
                                            unsigned int seed) {
  return respfuzz::harnesses::RESPFUZZ_HARNESS_DESCRIPTOR.cross_over(a, a_size, b, b_size, out,
                                                                     max_out, seed);
}
