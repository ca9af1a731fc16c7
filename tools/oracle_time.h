// How the command oracle compares TIME, whose value no two clocks share:
// header-only, so its test needs nothing else of the oracle.
#ifndef RESPFUZZ_TOOLS_ORACLE_TIME_H_
#define RESPFUZZ_TOOLS_ORACLE_TIME_H_

#include <cstdint>
#include <optional>

#include "src/resp/value.h"

namespace respfuzz::oracle {

// TIME's reply as microseconds since the epoch, if it has TIME's shape: an
// array of two bulk strings of decimal digits (no sign, no leading zero),
// the second below 1,000,000.
inline std::optional<int64_t> TimeReplyMicros(const resp::Value& v) {
  if (v.type != resp::Type::kArray || v.elems.size() != 2) return std::nullopt;
  int64_t parts[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    const resp::Value& e = v.elems[i];
    if (e.type != resp::Type::kBulkString || e.str.empty() || e.str.size() > 12) {
      return std::nullopt;
    }
    if (e.str.size() > 1 && e.str[0] == '0') return std::nullopt;
    for (char ch : e.str) {
      if (ch < '0' || ch > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (ch - '0');
    }
  }
  if (parts[1] >= 1'000'000) return std::nullopt;
  return parts[0] * 1'000'000 + parts[1];
}

// A TIME reply is right when it has TIME's shape and its time lies within
// [started_ms - margin_ms, started_ms + took_ms + margin_ms] (the server ran
// the op somewhere in that window, and the engine at started_ms). A right
// reply is replaced by a fixed placeholder, so that two right replies
// compare equal and a wrong one keeps its value. Returns whether it was.
inline bool MaskTimeReply(resp::Value* reply, int64_t started_ms, int64_t took_ms,
                          int64_t margin_ms) {
  const std::optional<int64_t> us = TimeReplyMicros(*reply);
  if (!us) return false;
  const int64_t lo = (started_ms - margin_ms) * 1000;
  const int64_t hi = (started_ms + took_ms + margin_ms + 1) * 1000;
  if (*us < lo || *us >= hi) return false;
  *reply = resp::Value::Aggregate(resp::Type::kArray,
                                  {resp::Value::Bulk("(time)"), resp::Value::Bulk("(time)")});
  return true;
}

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_ORACLE_TIME_H_
