// The reply reader and writer as the RESP harnesses see them: small
// interfaces, so the checks can run against a deliberately broken
// implementation (to prove they can fail) or a user's own parser.
#ifndef RESPFUZZ_HARNESSES_COMMON_REPLY_PARSER_H_
#define RESPFUZZ_HARNESSES_COMMON_REPLY_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/resp/reader.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses {

// A parser fills reply trees (the fast path every RESP harness takes) or
// Value vectors; each Feed has a default that goes through the other, so an
// implementation overrides at least one of the two (the real parsers
// override the tree one; a test's deliberately broken parser may override
// either).
class ReplyParser {
 public:
  virtual ~ReplyParser() = default;
  // Starts a new stream.
  virtual void Start(resp::Protocol protocol, const resp::ReaderLimits& limits) = 0;
  // Appends complete top-level values to `out`; false once an error
  // occurred. Values still in progress are kept between calls with the same
  // `out`.
  virtual bool Feed(std::string_view chunk, resp::ReplyTree* out);
  virtual bool Feed(std::string_view chunk, std::vector<resp::Value>* out);
  virtual resp::ReaderError error() const = 0;
  virtual bool idle() const = 0;
  virtual uint64_t consumed() const = 0;
  virtual size_t buffered() const = 0;

 private:
  resp::ReplyTree values_scratch_;  // the Value overload's tree, by default
};

// Writes a resp::Value in a protocol: the harness-side seam for "how values
// are encoded" (not to be confused with engine::ReplyWriter, which streams
// the engine's replies).
class ValueEncoder {
 public:
  virtual ~ValueEncoder() = default;
  virtual std::string Write(const resp::Value& v, resp::Protocol protocol) = 0;
  // Appends the encoding of a reply-tree value; by default through Write()
  // of its Value.
  virtual void Write(resp::ReplyRef v, resp::Protocol protocol, std::string* out) {
    *out += Write(resp::ToValue(v), protocol);
  }
};

// Runs `reset` when it goes out of scope. A harness that keeps parsers and
// buffers from one input to the next puts them back, at the end of every
// input, into a state that holds nothing the input allocated but their
// buffers' capacity: libFuzzer runs an input again when it leaves more
// allocations than it freed, and then LeakSanitizer over the whole heap (and
// after 1,000 such inputs turns leak detection off), so memory kept past the
// input would cost more than the allocations it saves.
template <typename F>
class AtEndOfInput {
 public:
  explicit AtEndOfInput(F reset) : reset_(std::move(reset)) {}
  ~AtEndOfInput() { reset_(); }
  AtEndOfInput(const AtEndOfInput&) = delete;
  AtEndOfInput& operator=(const AtEndOfInput&) = delete;

 private:
  F reset_;
};

// respfuzz's own resp::Reader + resp::ReplyBuilder, and resp::Write.
std::unique_ptr<ReplyParser> MakeReplyParser();
std::unique_ptr<ValueEncoder> MakeValueEncoder();

// Reads all of `data` in one Feed through `parser`.
struct ParseResult {
  resp::ReplyTree values;
  resp::ReaderError error;
  bool idle = false;
};
ParseResult ParseWhole(ReplyParser& parser, std::string_view data, resp::Protocol protocol,
                       const resp::ReaderLimits& limits);
// The same into `out`, reusing its buffers (`out->values` is emptied first).
void ParseWhole(ReplyParser& parser, std::string_view data, resp::Protocol protocol,
                const resp::ReaderLimits& limits, ParseResult* out);

std::string DescribeValues(const std::vector<resp::Value>& values, size_t max_values = 64);
std::string DescribeValues(const resp::ReplyTree& values, size_t max_values = 64);
std::string DescribeError(const resp::ReaderError& e);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_COMMON_REPLY_PARSER_H_
