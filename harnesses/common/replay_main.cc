// A main() for harnesses built without a fuzzing engine: replays each file
// given (directories are walked, sorted) through LLVMFuzzerTestOneInput,
// naming each file before it runs so a failure points at its input.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "harnesses/common/inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

int Usage(const char* prog) {
  std::fprintf(stderr,
               "usage: %s [FILE|DIR]...\n"
               "Replays each input through the harness (directories are walked in sorted\n"
               "order). Options starting with '-' are accepted and ignored, so the same\n"
               "command line works for libFuzzer builds.\n",
               prog);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      Usage(argv[0]);
      return 0;
    }
    if (argv[i][0] != '-') args.push_back(argv[i]);
  }
  std::vector<std::filesystem::path> files;
  std::string missing;
  if (!respfuzz::fuzz::ExpandInputs(args, &files, &missing)) {
    std::fprintf(stderr, "%s: no such file or directory: %s\n", argv[0], missing.c_str());
    return 2;
  }
  if (files.empty()) return Usage(argv[0]);
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot read %s\n", argv[0], f.c_str());
      return 2;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    std::fprintf(stderr, "Running: %s (%zu bytes)\n", f.c_str(), bytes.size());
    // A heap copy of exactly the input's size, so ASan sees overruns.
    uint8_t* copy = new uint8_t[bytes.size() ? bytes.size() : 1];
    if (!bytes.empty()) std::memcpy(copy, bytes.data(), bytes.size());
    LLVMFuzzerTestOneInput(copy, bytes.size());
    delete[] copy;
  }
  std::fprintf(stderr, "Replayed %zu inputs, all passed.\n", files.size());
  return 0;
}
