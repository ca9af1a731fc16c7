// respfuzz encode: a text program -> the fuzzer input bytes of a structured harness.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace encode_impl {

struct Options {
  std::string harness;
  std::string program;
  std::optional<std::string> out;
};

int Encode(const Options& o) {
  const Harness* h = StructuredHarnessOrError("encode", o.harness);
  if (h == nullptr) return kUsage;
  std::string error;
  std::optional<std::string> text = ReadInput(o.program, &error);
  if (!text) return Fail("encode", error);
  absl::StatusOr<std::string> bytes = h->encode_text(*text);
  if (!bytes.ok()) return Fail("encode", o.program + ": " + std::string(bytes.status().message()));
  if (!o.out) {
    std::fwrite(bytes->data(), 1, bytes->size(), stdout);
    return kOk;
  }
  if (!WriteFileAtomic(*o.out, *bytes, &error)) return Fail("encode", error);
  return kOk;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Text program -> fuzzer input bytes (structured harnesses)");
  cmd.add_option("harness", o->harness, "a structured harness (respfuzz list --names --structured)")
      ->required();
  cmd.add_option("program", o->program, "text program; - reads standard input")
      ->type_name("FILE|-")
      ->required();
  cmd.add_option("-o", o->out, "write the bytes to FILE (default: standard output)")
      ->type_name("FILE");
  cmd.footer(
      "A text program has one op per line, e.g. 's1 SET k1 v1 PX 100', 'clock +250ms',\n"
      "'s2 HELLO 3', 'active-expire'; '#' starts a comment. The inverse of\n"
      "'respfuzz decode'.\n"
      "\n"
      "Exit 0 when encoded, 2 on a malformed program (the line is named), usage or\n"
      "I/O errors.\n"
      "\n"
      "Examples:\n"
      "  respfuzz encode command_handler program.txt -o program.bin\n"
      "  printf 's1 SET k v\\ns1 GET k\\n' | respfuzz encode command_handler - > in.bin");
  return [o] { return Encode(*o); };
}

RESPFUZZ_CLI_COMMAND(encode, SetUp);

}  // namespace encode_impl
}  // namespace respfuzz::cli
