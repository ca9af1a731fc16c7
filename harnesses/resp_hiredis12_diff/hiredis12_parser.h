// hiredis 1.2.0's redisReader (respfuzz_hiredis12: the pinned Debian source,
// compiled with this build's flags, so in the fuzz preset its own code is
// instrumented) as a ReplyParser: the peer resp_hiredis12_diff compares our
// RESP3 reader against.
#ifndef RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_HIREDIS12_PARSER_H_
#define RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_HIREDIS12_PARSER_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "harnesses/common/reply_parser.h"
#include "src/resp/reader.h"

namespace respfuzz::harnesses {

// hiredis callocs a pointer array for every aggregate count as soon as it
// reads the header (a map's count doubled), before any element arrives; its
// own limit is maxelements, 2^32-1 by default, so 13 bytes ("*4294967295\r\n")
// ask for 32 GiB. The parser's createArray refuses a count above
// kHiredis12MaxArrayLen, or one that would take the elements alive in the
// reply being built above kHiredis12MaxLiveElements; hiredis then fails "Out
// of memory" and the parser reports the refusal instead.
inline constexpr int64_t kHiredis12MaxArrayLen = 4096;
inline constexpr int64_t kHiredis12MaxLiveElements = 16384;
inline constexpr std::string_view kHiredis12BudgetRefusal = "Out of memory (respfuzz budget";

// hiredis 1.2.0's limits as redisReaderCreate sets them (read.h), which the
// parser keeps.
inline constexpr int64_t kHiredis12MaxElements = (int64_t{1} << 32) - 1;  // maxelements
inline constexpr size_t kHiredis12MaxBuf = 16 * 1024;                     // maxbuf

// hiredis 1.2.0's error strings (read.c) the divergence table names.
inline constexpr std::string_view kHiredis12BadInteger = "Bad integer value";
inline constexpr std::string_view kHiredis12BadBulkLength = "Bad bulk string length";
inline constexpr std::string_view kHiredis12BadMultiBulkLength = "Bad multi-bulk length";
inline constexpr std::string_view kHiredis12BadDouble = "Bad double value";
inline constexpr std::string_view kHiredis12DoubleTooLarge = "Double value is too large";
inline constexpr std::string_view kHiredis12BadBignum = "Bad bignum value";
inline constexpr std::string_view kHiredis12BadSimpleString = "Bad simple string value";
inline constexpr std::string_view kHiredis12BadTypeByte = "Protocol error, got ";

// A fresh reader from redisReaderCreate() at every Start() (the protocol and
// limits passed are ignored: hiredis 1.2.0's reader reads every RESP3 type
// and has only its own limits), the default reply functions but for the
// budgeted createArray. Values as our reader reports them: NIL is kNull (our
// side's three nulls are folded to it by NormalizeNullsForHiredis12), a map
// of 2N elements is a kMap of N pairs, a verbatim string is "fmt:" + text.
// error() carries hiredis's errstr as the reason, the nearest code, and as
// offset the number of bytes fed when hiredis reported it.
std::unique_ptr<ReplyParser> MakeHiredis12Parser();
bool IsHiredis12BudgetRefusal(const resp::ReaderError& e);

// Our reader's nulls ($-1, *-1, _) as the one nil hiredis has.
void NormalizeNullsForHiredis12(resp::ReplyTree* t);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_HIREDIS12_PARSER_H_
