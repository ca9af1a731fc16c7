// The resp_reader harness: raw reply bytes fed whole and in chunks.
//
// Input layout: [flags][3 chunk-plan bytes][payload]
//   flags bit 0    : 0 = RESP2-strict, 1 = RESP3
//   flags bits 1-2 : limits profile (see ReaderProfileLimits)
#ifndef RESPFUZZ_HARNESSES_RESP_READER_CHECKS_H_
#define RESPFUZZ_HARNESSES_RESP_READER_CHECKS_H_

#include <string>
#include <string_view>

#include "harnesses/common/chunking.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/common/verdict.h"

namespace respfuzz::harnesses {

struct ReaderCase {
  resp::Protocol protocol = resp::Protocol::kResp3;
  int profile = 0;
  resp::ReaderLimits limits;
  ChunkPlan plan;
  std::string_view payload;
};

// Profiles: 0 = Redis defaults; 1 = tight (depth 3, 4 elements, 8-byte bulks,
// 16-byte lines); 2 = medium (depth 16, 64, 256, 64); 3 = minimal (depth 1,
// 1 element, 0-byte bulks, 2-byte lines). Small caps put every limit boundary
// within reach of short inputs.
resp::ReaderLimits ReaderProfileLimits(int profile);

ReaderCase DecodeReaderCase(std::string_view input);
std::string EncodeReaderCase(resp::Protocol protocol, int profile, const ChunkPlan& plan,
                             std::string_view payload);

// The oracles, over any parser and writer:
//   chunking   - chunked and whole feeding agree on values, error, idle, consumed
//   accounting - consumed() + buffered() equals the bytes fed (while not failed)
//   rewrite    - each value written in the case's protocol reads back equal
// On success, `whole_result` (if given) receives the whole-fed parse.
fuzz::Verdict CheckReaderCase(const ReaderCase& c, ReplyParser& chunked, ReplyParser& whole,
                              ReplyParser& reread, ValueEncoder& writer,
                              ParseResult* whole_result = nullptr);

// visitor - resp::Reader with an event-counting visitor (no tree) agrees with
// `tree` (the tree builder's result for the same case) on values and error.
fuzz::Verdict CheckVisitorWalk(const ReaderCase& c, const ParseResult& tree);

// reference - the whole-fed parse agrees with the reference reader
// (harnesses/models/resp_reference.h, the RESP3 spec's rules written again)
// value for value, on the error's kind and offset, and on whether the stream
// ends cleanly.
fuzz::Verdict CheckAgainstReference(const ReaderCase& c, const ParseResult& whole);

// The registry's entry points (RESPFUZZ_REGISTER_HARNESS in checks.cc).
fuzz::Verdict RunRespReader(std::string_view input);
std::string DescribeRespReader(std::string_view input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_RESP_READER_CHECKS_H_
