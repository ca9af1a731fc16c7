// Per-process scratch state a harness reuses across inputs (readers, trees,
// buffers), handed out once at a time.
#pragma once

#include <memory>

namespace respfuzz::harnesses {

// The process's shared S, marked in use; or, when it is in use already (a run
// inside a run, as a test's hook might do), a fresh S that *own keeps. S has a
// bool in_use, which the caller clears when done (S::Release in both users).
template <typename S>
S* TakeScratch(std::unique_ptr<S>* own) {
  static S* const shared = new S;
  if (shared->in_use) {
    *own = std::make_unique<S>();
    return own->get();
  }
  shared->in_use = true;
  return shared;
}

}  // namespace respfuzz::harnesses
