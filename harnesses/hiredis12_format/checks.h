// The hiredis12_format harness: an argv of arbitrary bytes through hiredis
// 1.2.0's command formatters, redisFormatCommandArgv and
// redisFormatSdsCommandArgv (respfuzz_hiredis12, instrumented in the fuzz
// preset), and the bytes they write read back by our request parser and by
// the reference request parser (harnesses/models/request_reference.h).
// (Not the variadic redisFormatCommand: its format string is the caller's
// code, not data.)
//
// Input layout: a sequence of arguments, each [length][bytes]:
//   length byte b < 0xF0   : b bytes
//   length byte b >= 0xF0  : ((b & 0x0F) << 8 | next byte) bytes, up to 4095
// An argument's bytes are cut short where the input ends; at most
// kHiredis12FormatMaxArgs arguments are read, the rest of the input is
// ignored.
//
// Checks, in order:
//   format-same        both formatters succeed and write the same bytes (and
//                      the lengths they return are those bytes' length)
//   format-spec        the bytes are the RESP multibulk request the spec
//                      defines for the argv: *N CRLF, then $len CRLF arg CRLF
//   parse-back         our request parser reads exactly one multibulk
//                      request (none for an empty argv) with the same argv,
//                      consuming every byte, no error, idle after
//   reference-parse-back  the same through the reference request parser
#ifndef RESPFUZZ_HARNESSES_HIREDIS12_FORMAT_CHECKS_H_
#define RESPFUZZ_HARNESSES_HIREDIS12_FORMAT_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/common/verdict.h"

namespace respfuzz::harnesses {

inline constexpr size_t kHiredis12FormatMaxArgs = 64;
inline constexpr size_t kHiredis12FormatMaxArgLen = 4095;

struct Hiredis12FormatCase {
  std::vector<std::string_view> argv;
  size_t ignored = 0;  // input bytes after the last argument read
};
Hiredis12FormatCase DecodeHiredis12FormatCase(std::string_view input);
// The input that decodes to `argv` (each argument at most
// kHiredis12FormatMaxArgLen bytes, at most kHiredis12FormatMaxArgs of them).
std::string EncodeHiredis12FormatCase(const std::vector<std::string>& argv);

// What one formatter call gave: the length it returned (-1: it failed) and
// the bytes it wrote: for redisFormatCommandArgv the returned length's worth
// (its NUL terminator is no end: arguments may hold NULs), for
// redisFormatSdsCommandArgv the sds's own length's worth.
struct Formatted {
  long long returned = -1;
  std::string bytes;
};
// The formatter under test: one call per function.
class CommandFormatter {
 public:
  virtual ~CommandFormatter() = default;
  virtual Formatted FormatArgv(const std::vector<std::string_view>& argv) = 0;
  virtual Formatted FormatSdsArgv(const std::vector<std::string_view>& argv) = 0;
};
std::unique_ptr<CommandFormatter> MakeHiredis12Formatter();

// A request parser as this harness reads it back: the requests (their argv)
// in one whole buffer, whether it failed, and how many bytes it consumed.
struct ParsedRequests {
  std::vector<std::vector<std::string>> argvs;
  std::vector<bool> multibulk;  // per request: read as a multibulk request
  std::optional<std::string> error;
  uint64_t consumed = 0;
  bool idle = true;
};
class RequestReader {
 public:
  virtual ~RequestReader() = default;
  virtual ParsedRequests Read(std::string_view bytes) = 0;
};
std::unique_ptr<RequestReader> MakeOurRequestReader();        // resp::RequestParser
std::unique_ptr<RequestReader> MakeReferenceRequestReader();  // models::ReferenceParseRequests

// The multibulk request the spec defines for `argv`, written plainly.
std::string SpecMultibulk(const std::vector<std::string_view>& argv);

fuzz::Verdict CheckHiredis12Format(CommandFormatter& formatter, RequestReader& ours,
                                   RequestReader& reference,
                                   const std::vector<std::string_view>& argv);

fuzz::Verdict RunHiredis12Format(std::string_view input);
std::string DescribeHiredis12Format(std::string_view input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_HIREDIS12_FORMAT_CHECKS_H_
