// The harness collection as data: what each harness feeds and checks, and the
// functions behind it. The fuzz targets, the respfuzz CLI (run, decode) and
// the tests all go through these, so a verdict means the same everywhere.
#ifndef RESPFUZZ_HARNESSES_PROGRAMS_REGISTRY_H_
#define RESPFUZZ_HARNESSES_PROGRAMS_REGISTRY_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

#include "harnesses/support/verdict.h"

namespace respfuzz::programs {

// What minimizing a failing input did.
struct MinimizeReport {
  size_t steps_before = 0;  // ops (or the harness's unit) in the input
  size_t steps_after = 0;
  size_t runs = 0;          // candidate inputs tried
  fuzz::Verdict verdict;    // the violation, as the minimized input shows it
};

struct Harness {
  std::string_view name;
  std::string_view feeds;   // what the input drives
  std::string_view checks;  // the oracles
  // Runs every check on one fuzzer input. Total: any bytes are a valid input.
  fuzz::Verdict (*run)(std::string_view input);
  // Readable account of what the input means (mode, chunking, frames, ...).
  std::string (*describe)(std::string_view input);

  // Structured harnesses only (nullptr for the others):
  // text form -> input bytes, or why the text is not a valid program;
  absl::StatusOr<std::string> (*encode_text)(std::string_view text) = nullptr;
  // input bytes -> text form;
  std::string (*decode_text)(std::string_view input) = nullptr;
  // each step with what both sides did, and the verdict (respfuzz run);
  std::string (*explain)(std::string_view input) = nullptr;
  // a smaller input that fails the same check, or nullopt when the input
  // does not fail at all.
  std::optional<std::string> (*minimize)(std::string_view input, MinimizeReport* report) = nullptr;
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

fuzz::Verdict RunCommandHandler(std::string_view input);
std::string DescribeCommandHandler(std::string_view input);
absl::StatusOr<std::string> EncodeCommandHandlerText(std::string_view text);
std::string DecodeCommandHandlerText(std::string_view input);
std::string ExplainCommandHandler(std::string_view input);
std::optional<std::string> MinimizeCommandHandler(std::string_view input, MinimizeReport* report);

// Helpers shared by the descriptions.
std::string EscapeBytes(std::string_view bytes, size_t max_len = 512);

}  // namespace respfuzz::programs

#endif  // RESPFUZZ_HARNESSES_PROGRAMS_REGISTRY_H_
