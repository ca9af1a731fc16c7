// The reply reader and writer as the RESP harnesses see them: small
// interfaces, so the checks can run against a deliberately broken
// implementation (to prove they can fail) or a user's own parser.
#ifndef RESPFUZZ_HARNESSES_COMMON_REPLY_PARSER_H_
#define RESPFUZZ_HARNESSES_COMMON_REPLY_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/resp/reader.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses {

class ReplyParser {
 public:
  virtual ~ReplyParser() = default;
  // Starts a new stream.
  virtual void Start(resp::Protocol protocol, const resp::ReaderLimits& limits) = 0;
  // Appends complete top-level values to `out`; false once an error occurred.
  virtual bool Feed(std::string_view chunk, std::vector<resp::Value>* out) = 0;
  virtual resp::ReaderError error() const = 0;
  virtual bool idle() const = 0;
  virtual uint64_t consumed() const = 0;
  virtual size_t buffered() const = 0;
};

// Writes a resp::Value in a protocol: the harness-side seam for "how values
// are encoded" (not to be confused with engine::ReplyWriter, which streams
// the engine's replies).
class ValueEncoder {
 public:
  virtual ~ValueEncoder() = default;
  virtual std::string Write(const resp::Value& v, resp::Protocol protocol) = 0;
};

// respfuzz's own resp::Reader + resp::TreeBuilder, and resp::Write.
std::unique_ptr<ReplyParser> MakeReplyParser();
std::unique_ptr<ValueEncoder> MakeValueEncoder();

// Reads all of `data` in one Feed through `parser`.
struct ParseResult {
  std::vector<resp::Value> values;
  resp::ReaderError error;
  bool idle = false;
};
ParseResult ParseWhole(ReplyParser& parser, std::string_view data, resp::Protocol protocol,
                       const resp::ReaderLimits& limits);

std::string DescribeValues(const std::vector<resp::Value>& values, size_t max_values = 64);
std::string DescribeError(const resp::ReaderError& e);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_COMMON_REPLY_PARSER_H_
