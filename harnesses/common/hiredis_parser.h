// hiredis 0.14.1's redisReader as a ReplyParser: the real peer the RESP2
// checks compare against (resp_hiredis_diff, command_handler, the offline
// oracle).
#ifndef RESPFUZZ_HARNESSES_COMMON_HIREDIS_PARSER_H_
#define RESPFUZZ_HARNESSES_COMMON_HIREDIS_PARSER_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "harnesses/common/reply_parser.h"
#include "src/resp/reader.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses {

// hiredis 0.14.1 callocs a pointer array for every multi-bulk count as soon as
// it reads the header, before any element arrives (bulk strings are only
// allocated once all their bytes are buffered). The parser's createArray
// refuses a count above kHiredisMaxArrayLen, or one that would take the
// elements of the arrays alive in the reply being built above
// kHiredisMaxLiveElements; hiredis then fails "Out of memory".
inline constexpr int64_t kHiredisMaxArrayLen = 4096;
inline constexpr int64_t kHiredisMaxLiveElements = 16384;
// The reason (prefix) of the parser's error when that budget refused a
// multi-bulk; the code is kAggregateTooLong.
inline constexpr std::string_view kHiredisBudgetRefusal = "Out of memory (respfuzz budget";

// hiredis 0.14.1's error strings (read.c).
inline constexpr std::string_view kHiredisDepthError =
    "No support for nested multi bulk replies with depth > 7";
inline constexpr std::string_view kHiredisBadInteger = "Bad integer value";
inline constexpr std::string_view kHiredisBadBulkLength = "Bad bulk string length";
inline constexpr std::string_view kHiredisBadMultiBulkLength = "Bad multi-bulk length";

// The default reply object functions but for the budgeted createArray above.
// RESP2 only: Start() ignores the protocol and the limits. error() carries
// hiredis's errstr as the reason, the nearest code, and as offset the number
// of bytes fed when hiredis reported it (hiredis keeps no error offset). NIL
// becomes kNullBulk.
std::unique_ptr<ReplyParser> MakeHiredisParser();
bool IsHiredisBudgetRefusal(const resp::ReaderError& e);

// Nulls as hiredis sees them (it has one nil): *-1 becomes $-1 throughout
// the tree.
void NormalizeNullsForHiredis(resp::Value* v);
void NormalizeNullsForHiredis(resp::ReplyTree* t);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_COMMON_HIREDIS_PARSER_H_
