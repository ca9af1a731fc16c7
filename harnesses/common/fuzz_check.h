// FUZZ_CHECK_VERDICT: the always-on check of a harness's fuzz entry point.
// Unlike assert() it is never compiled out; on a failed verdict it prints
// what a person needs and aborts, which libFuzzer, AFL++ and the replay main
// all report as a crash.
//
// What it prints (stderr), the first line machine-readable and stable:
//
//   ==respfuzz== check failed: harness=invalidation check=staleness op="read GET" step=12
//   violation [staleness] at step 12: c1 read GET k1
//   ...the verdict's message...
//   --- input ---
//   ...the harness's description of the input...
//   ==respfuzz== end of check failure
//
// The first line's fields are key=value pairs separated by one space, in this
// order: harness, check, then op (program harnesses: the kind of op the
// violation is at, Verdict::op) and step (Verdict::step) when there is one.
// A value is either a plain word of [A-Za-z0-9_.:/+-] or double-quoted, with
// \" \\ and \xHH escapes inside the quotes. tools/campaign/report.py groups
// crashes by it (docs/campaigns.md).
#ifndef RESPFUZZ_HARNESSES_COMMON_FUZZ_CHECK_H_
#define RESPFUZZ_HARNESSES_COMMON_FUZZ_CHECK_H_

#include <string>
#include <string_view>

#include "harnesses/common/verdict.h"

namespace respfuzz::fuzz {

// The first line above, without its newline.
std::string CheckFailedLine(std::string_view harness, const Verdict& v);

// Prints the report above and aborts.
[[noreturn]] void CheckFailed(std::string_view harness, const Verdict& v, const std::string& input);

}  // namespace respfuzz::fuzz

// FUZZ_CHECK_VERDICT(verdict, describe_expr): verdict is a fuzz::Verdict;
// describe_expr (a std::string describing the input) is evaluated only when
// the verdict failed. RESPFUZZ_HARNESS_NAME is defined by
// respfuzz_add_harness for the harness's fuzz entry point.
#define FUZZ_CHECK_VERDICT(verdict, describe_expr)                                          \
  do {                                                                                      \
    const ::respfuzz::fuzz::Verdict& fuzz_check_v_ = (verdict);                             \
    if (!fuzz_check_v_.ok) {                                                                \
      ::respfuzz::fuzz::CheckFailed(RESPFUZZ_HARNESS_NAME, fuzz_check_v_, (describe_expr)); \
    }                                                                                       \
  } while (0)

#endif  // RESPFUZZ_HARNESSES_COMMON_FUZZ_CHECK_H_
