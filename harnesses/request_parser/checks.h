// The request_parser harness: input layout, the parser seen through a small
// interface (so tests can plug in a deliberately broken one and prove each
// oracle can fail), and the checks.
//
// Input: byte 0 picks the limits profile (bit 0: small caps so the fuzzer
// reaches every limit; bit 1: big_arg_min is bits 2-7, 0 to 63, so short
// bulks take the parser's big-argument path, which Redis's 32 KiB default
// keeps out of reach of short inputs; without bit 1, bits 2-7 are ignored),
// the next 3 bytes are the chunk plan (chunking.h), the rest is the client
// byte stream. A whole-fed bulk is all buffered when its header is parsed,
// so only the chunked parser (and a whole-fed bulk cut off by the end of the
// input) takes the big-argument path: the chunking check compares the two
// paths, the reference check the big one with Redis's rules.
//
// Checks, in the order they are reported:
//   "chunking"            whole-fed vs fed in the plan's chunks: same requests
//                         (kind, offset, argv), same error, same consumed()
//   "accounting"          consumed() + buffered() == bytes fed, after every Feed
//   "multibulk-roundtrip" each argv written as *N $len ... parses back to
//                         exactly that one request
//   "inline-roundtrip"    each inline argv re-quoted and joined by spaces,
//                         plus "\r\n", parses back to exactly that one request
//   "reference"           the whole-fed requests (kind, offset, argv), error (text,
//                         offset) and consumed() equal the reference parser's
//                         (harnesses/models/request_reference.h)
// The round trips reparse with relaxed limits: quoting can make a line longer
// than the small caps allow, and an inline argument may exceed max_bulk_len.
#ifndef RESPFUZZ_HARNESSES_REQUEST_PARSER_CHECKS_H_
#define RESPFUZZ_HARNESSES_REQUEST_PARSER_CHECKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/common/chunking.h"
#include "harnesses/common/verdict.h"
#include "src/resp/request.h"

namespace respfuzz::harnesses {

class RequestParserUnderTest {
 public:
  virtual ~RequestParserUnderTest() = default;
  // Begins a fresh stream with these limits (also between round trips).
  virtual void Start(const resp::RequestLimits& limits) = 0;
  virtual bool Feed(std::string_view data, std::vector<resp::Request>* out) = 0;
  virtual std::optional<resp::RequestError> error() const = 0;
  virtual uint64_t consumed() const = 0;
  virtual size_t buffered() const = 0;
  // The quoting the inline round trip uses.
  virtual std::string QuoteInlineArg(std::string_view arg) const {
    return resp::QuoteInlineArg(arg);
  }
};

// resp::RequestParser behind the interface.
class RealRequestParser : public RequestParserUnderTest {
 public:
  // Restart() keeps the buffer's capacity.
  void Start(const resp::RequestLimits& limits) override { parser_.Restart(limits); }
  bool Feed(std::string_view data, std::vector<resp::Request>* out) override {
    return parser_.Feed(data, out);
  }
  std::optional<resp::RequestError> error() const override { return parser_.error(); }
  uint64_t consumed() const override { return parser_.consumed(); }
  size_t buffered() const override { return parser_.buffered(); }

 protected:
  // For broken variants in tests.
  const resp::RequestParser& parser() const { return parser_; }

 private:
  resp::RequestParser parser_;
};

inline constexpr uint8_t kRequestSmallCaps = 0x01;    // profile bit
inline constexpr uint8_t kRequestSmallBigArg = 0x02;  // profile bit: big_arg_min = profile >> 2

struct RequestParserInput {
  uint8_t profile = 0;
  resp::RequestLimits limits;
  ChunkPlan plan;
  std::string_view payload;
};

// Total: any bytes decode (missing header bytes count as 0).
RequestParserInput DecodeRequestParserInput(std::string_view input);
// Small caps: max_inline_len 64, max_multibulk_len 8, max_bulk_len 32.
// Small big-argument threshold: big_arg_min = profile >> 2.
resp::RequestLimits RequestParserLimits(uint8_t profile);
// The limits the round trips reparse with: nothing the input can reach.
resp::RequestLimits RelaxedRequestLimits();

std::string DescribeRequest(const resp::Request& r);

// Runs every check. `chunked` and `whole` must be distinct objects; the
// round trips reuse `whole` after its whole-fed results are taken.
fuzz::Verdict CheckRequestParser(RequestParserUnderTest& chunked, RequestParserUnderTest& whole,
                                 std::string_view input);

// The "reference" check on whole-fed results.
fuzz::Verdict CheckRequestsAgainstReference(const RequestParserInput& in,
                                            const std::vector<resp::Request>& requests,
                                            const std::optional<resp::RequestError>& error,
                                            uint64_t consumed);

// The registry's entry points (RESPFUZZ_REGISTER_HARNESS in checks.cc).
fuzz::Verdict RunRequestParser(std::string_view input);
std::string DescribeRequestParser(std::string_view input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_REQUEST_PARSER_CHECKS_H_
