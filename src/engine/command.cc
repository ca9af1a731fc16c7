// What command handlers share: argument parsing with Redis's exact error
// replies, the errors that name the command, and index range sanitizing.
#include "src/engine/command.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/numbers.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

std::string ArityError(std::string_view fullname) {
  std::string msg = "ERR wrong number of arguments for '";
  msg.append(fullname);
  msg.append("' command");
  return msg;
}

std::string UnknownSubcommandError(std::string_view command, std::string_view subcommand) {
  // %.128s: at most 128 bytes, stopping at a NUL.
  std::string upper(CStr(command).substr(0, 128));
  absl::AsciiStrToUpper(&upper);
  std::string msg = "ERR unknown subcommand '";
  msg.append(CStr(subcommand).substr(0, 128));
  msg.append("'. Try ");
  msg.append(upper);
  msg.append(" HELP.");
  return msg;
}

bool ClampRange(int64_t len, int64_t* start, int64_t* end) {
  // Adding len >= 0 to a negative index cannot overflow.
  if (*start < 0) *start += len;
  if (*end < 0) *end += len;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= len) return false;
  if (*end >= len) *end = len - 1;
  return true;
}

bool CommandContext::IntArg(size_t i, int64_t* out, std::string_view msg) {
  const std::optional<int64_t> v = resp::ParseInt64(argv[i]);
  if (!v) {
    reply.Error(msg);
    return false;
  }
  *out = *v;
  return true;
}

bool CommandContext::RangeArg(size_t i, int64_t min, int64_t max, int64_t* out,
                              std::string_view msg) {
  int64_t v;
  if (!IntArg(i, &v, msg.empty() ? kErrNotInteger : msg)) return false;
  if (v < min || v > max) {
    if (msg.empty()) {
      reply.Error(
          absl::StrCat("ERR value is out of range, value must between ", min, " and ", max));
    } else {
      reply.Error(msg);
    }
    return false;
  }
  *out = v;
  return true;
}

bool CommandContext::Int32Arg(size_t i, int* out, std::string_view msg) {
  int64_t v;
  if (!RangeArg(i, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), &v, msg)) {
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool CommandContext::NonNegativeArg(size_t i, int64_t* out, std::string_view msg) {
  return RangeArg(i, 0, std::numeric_limits<int64_t>::max(), out, msg);
}

bool CommandContext::DoubleArg(size_t i, double* out) {
  const std::optional<double> v = ParseDouble(argv[i]);
  if (!v) {
    reply.Error(kErrNotFloat);
    return false;
  }
  *out = *v;
  return true;
}

bool CommandContext::AddToStoredInt(const std::string* stored, int64_t incr,
                                    std::string_view not_integer, int64_t* sum) {
  int64_t value = 0;
  if (stored != nullptr) {
    const std::optional<int64_t> v = resp::ParseInt64(*stored);
    if (!v) {
      reply.Error(not_integer);
      return false;
    }
    value = *v;
  }
  const std::optional<int64_t> result = CheckedAdd(value, incr);
  if (!result) {
    reply.Error(kErrOverflow);
    return false;
  }
  *sum = *result;
  return true;
}

void CommandContext::ReplyInvalidExpireTime() {
  std::string msg = "ERR invalid expire time in '";
  msg.append(spec.name);
  msg.append("' command");
  reply.Error(msg);
}

}  // namespace respfuzz::engine
