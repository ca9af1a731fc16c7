// FUZZ_CHECK: an always-on check for harnesses. Unlike assert() it is never
// compiled out; on failure it prints what a person needs and aborts, which
// libFuzzer, AFL++ and the replay main all report as a crash.
#ifndef RESPFUZZ_HARNESSES_COMMON_FUZZ_CHECK_H_
#define RESPFUZZ_HARNESSES_COMMON_FUZZ_CHECK_H_

#include <string>

#include "harnesses/common/verdict.h"

namespace respfuzz::fuzz {

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              const std::string& detail);

inline std::string DetailOf(const Verdict& v) { return v.ToString(); }
inline std::string DetailOf(const std::string& s) { return s; }
inline std::string DetailOf(const char* s) { return s; }

}  // namespace respfuzz::fuzz

// FUZZ_CHECK(cond, detail): detail is a Verdict, std::string or C string,
// evaluated only on failure.
#define FUZZ_CHECK(cond, detail)                                         \
  do {                                                                   \
    if (!(cond)) {                                                       \
      ::respfuzz::fuzz::CheckFailed(__FILE__, __LINE__, #cond,           \
                                    ::respfuzz::fuzz::DetailOf(detail)); \
    }                                                                    \
  } while (0)

// Runs a harness's check on the input and aborts with the verdict and the
// harness's description of the input when it fails.
#define FUZZ_CHECK_VERDICT(verdict, describe_expr)                           \
  do {                                                                       \
    const ::respfuzz::fuzz::Verdict& fuzz_check_v_ = (verdict);              \
    if (!fuzz_check_v_.ok) {                                                 \
      ::respfuzz::fuzz::CheckFailed(                                         \
          __FILE__, __LINE__, "verdict.ok",                                  \
          fuzz_check_v_.ToString() + "\n--- input ---\n" + (describe_expr)); \
    }                                                                        \
  } while (0)

#endif  // RESPFUZZ_HARNESSES_COMMON_FUZZ_CHECK_H_
