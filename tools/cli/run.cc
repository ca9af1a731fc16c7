// respfuzz run: replay inputs through a harness's checks.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harnesses/common/inputs.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace run_impl {

struct Options {
  bool verbose = false;
  std::string harness;
  std::vector<std::string> inputs;
};

int Run(const Options& o) {
  const Harness* h = HarnessOrError("run", o.harness);
  if (h == nullptr) return kUsage;
  std::vector<std::filesystem::path> files;
  std::string missing;
  if (!fuzz::ExpandInputs(o.inputs, &files, &missing, h->encode_text != nullptr)) {
    return Fail("run", "no such file or directory: " + missing);
  }
  size_t failed = 0;
  for (const auto& f : files) {
    std::string error;
    std::optional<std::string> data = LoadInput(*h, f.string(), &error);
    if (!data) return Fail("run", error);
    fuzz::Verdict v = h->run(*data);
    if (!v.ok) ++failed;
    if (h->explain != nullptr && (o.verbose || !v.ok || files.size() == 1)) {
      std::printf("%s:\n%s", f.c_str(), h->explain(*data).c_str());
      continue;
    }
    std::printf("%s: %s\n", f.c_str(), v.ToString().c_str());
    if (o.verbose || !v.ok) std::printf("%s", h->describe(*data).c_str());
  }
  std::printf("%zu inputs, %zu passed, %zu failed\n", files.size(), files.size() - failed, failed);
  return failed == 0 ? kOk : kFound;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Replay inputs through a harness's checks, a verdict per file");
  cmd.add_flag("-v,--verbose", o->verbose, "also print what each input means");
  cmd.add_option("harness", o->harness, "harness name (respfuzz list --names)")->required();
  cmd.add_option("inputs", o->inputs, "input files; directories are walked, sorted")
      ->type_name("FILE|DIR")
      ->required();
  cmd.footer(
      "Prints one verdict line per file, then a count of inputs passed and failed.\n"
      "Directories skip descriptions (*.txt, README*) and dot files, except that for\n"
      "structured harnesses (command_handler) .txt files are text programs. For those\n"
      "a single input, a failing one, or --verbose prints every op with the reply of\n"
      "each side.\n"
      "\n"
      "Exit 0 when every input passes, 1 if any input violates a check, 2 on usage or\n"
      "I/O errors.\n"
      "\n"
      "Examples:\n"
      "  respfuzz run resp_reader corpus/resp_reader\n"
      "  respfuzz run --verbose command_handler tests/regressions/command_handler");
  return [o] { return Run(*o); };
}

RESPFUZZ_CLI_COMMAND(run, SetUp);

}  // namespace run_impl
}  // namespace respfuzz::cli
