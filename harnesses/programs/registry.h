// The harness collection as data: what each harness feeds and checks, and the
// functions behind it. The fuzz targets, the respfuzz CLI (run, decode) and
// the tests all go through these, so a verdict means the same everywhere.
#ifndef RESPFUZZ_HARNESSES_PROGRAMS_REGISTRY_H_
#define RESPFUZZ_HARNESSES_PROGRAMS_REGISTRY_H_

#include <span>
#include <string>
#include <string_view>

#include "harnesses/support/verdict.h"

namespace respfuzz::programs {

struct Harness {
  std::string_view name;
  std::string_view feeds;   // what the input drives
  std::string_view checks;  // the oracles
  // Runs every check on one fuzzer input. Total: any bytes are a valid input.
  fuzz::Verdict (*run)(std::string_view input);
  // Readable account of what the input means (mode, chunking, frames, ...).
  std::string (*describe)(std::string_view input);
};

std::span<const Harness> Harnesses();
const Harness* FindHarness(std::string_view name);

// One entry point per harness (defined in harnesses/programs/<name>.cc).
fuzz::Verdict RunRespReader(std::string_view input);
std::string DescribeRespReader(std::string_view input);
fuzz::Verdict RunRespRoundtrip(std::string_view input);
std::string DescribeRespRoundtrip(std::string_view input);
fuzz::Verdict RunRespHiredisDiff(std::string_view input);
std::string DescribeRespHiredisDiff(std::string_view input);
fuzz::Verdict RunRequestParser(std::string_view input);
std::string DescribeRequestParser(std::string_view input);
fuzz::Verdict RunQueryParser(std::string_view input);
std::string DescribeQueryParser(std::string_view input);

// Helpers shared by the descriptions.
std::string EscapeBytes(std::string_view bytes, size_t max_len = 512);

}  // namespace respfuzz::programs

#endif  // RESPFUZZ_HARNESSES_PROGRAMS_REGISTRY_H_
