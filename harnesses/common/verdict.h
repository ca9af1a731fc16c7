// The result of running one input through a harness's checks.
#ifndef RESPFUZZ_HARNESSES_COMMON_VERDICT_H_
#define RESPFUZZ_HARNESSES_COMMON_VERDICT_H_

#include <cstdint>
#include <string>
#include <utility>

namespace respfuzz::fuzz {

struct Verdict {
  bool ok = true;
  int64_t step = -1;    // frame, request or op index the violation is at; -1 if none
  std::string check;    // short name of the oracle that failed, e.g. "chunking"
  std::string message;  // expected vs actual, readable
  // Program harnesses: the kind of op the violation is at, without its
  // arguments ("read GET", "EXPIRE", "tick", "end"), so that the violations a
  // campaign finds group by what failed where. Empty for the others.
  std::string op;

  static Verdict Ok() { return {}; }
  static Verdict Fail(std::string check, int64_t step, std::string message) {
    return Verdict{false, step, std::move(check), std::move(message), {}};
  }
  std::string ToString() const {
    if (ok) return "ok";
    std::string s = "violation [" + check + "]";
    if (step >= 0) s += " at step " + std::to_string(step);
    return s + ": " + message;
  }
};

}  // namespace respfuzz::fuzz

#endif  // RESPFUZZ_HARNESSES_COMMON_VERDICT_H_
