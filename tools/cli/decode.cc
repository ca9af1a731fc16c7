// respfuzz decode: what a fuzzer input means for a harness.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace decode_impl {

struct Options {
  std::string harness;
  std::string file;
};

int Decode(const Options& o) {
  const Harness* h = HarnessOrError("decode", o.harness);
  if (h == nullptr) return kUsage;
  std::string error;
  std::optional<std::string> data = LoadInput(*h, o.file, &error);
  if (!data) return Fail("decode", error);
  std::printf("%s", (h->decode_text ? h->decode_text(*data) : h->describe(*data)).c_str());
  return kOk;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Show what a fuzzer input means for a harness");
  cmd.add_option("harness", o->harness, "harness name (respfuzz list --names)")->required();
  cmd.add_option("file", o->file, "fuzzer input (.txt: a text program, structured harnesses)")
      ->required();
  cmd.footer(
      "For the RESP harnesses: the protocol mode, limits and chunking chosen by the\n"
      "leading bytes and each frame parsed; for resp_roundtrip the decoded value tree\n"
      "and its encodings; for query_parser the caps, the documents, the query and\n"
      "PARAMS, the AST, its canonical form and what both evaluators match; for\n"
      "structured harnesses (command_handler) the program in its text form, one op\n"
      "per line, which 'respfuzz encode' turns back into the same bytes.\n"
      "\n"
      "Exit 0 when decoded, 2 on usage or I/O errors.\n"
      "\n"
      "Examples:\n"
      "  respfuzz decode resp_reader corpus/resp_reader/resp3_map.bin\n"
      "  respfuzz decode command_handler crash-0123 > program.txt");
  return [o] { return Decode(*o); };
}

RESPFUZZ_CLI_COMMAND(decode, SetUp);

}  // namespace decode_impl
}  // namespace respfuzz::cli
