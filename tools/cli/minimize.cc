// respfuzz minimize: shrink a failing input of a structured harness op by op.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace minimize_impl {

struct Options {
  std::string harness;
  std::string crash;
  std::optional<std::string> out;
};

int Minimize(const Options& o) {
  const Harness* h = StructuredHarnessOrError("minimize", o.harness);
  if (h == nullptr) return kUsage;
  Minimized m;
  if (int rc = MinimizeInput("minimize", *h, o.crash, &m); rc != kOk) return rc;
  if (o.out) {
    std::string error;
    if (!WriteFileAtomic(*o.out, m.bytes, &error)) return Fail("minimize", error);
    std::printf("wrote %s\n", o.out->c_str());
  }
  return kOk;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Delta-debug a failing input's ops; print the small program");
  cmd.add_option("harness", o->harness, "a structured harness (respfuzz list --names --structured)")
      ->required();
  cmd.add_option("crash", o->crash, "the failing input; may be a .txt program")
      ->type_name("FILE")
      ->required();
  cmd.add_option("-o", o->out, "also write the minimized input bytes to FILE")->type_name("FILE");
  cmd.footer(
      "Drops ops (then makes each op smaller where the harness can: command_handler\n"
      "drops trailing arguments) while the input fails the same way: the same check\n"
      "at the same kind of op, as a campaign report groups failures. Then prints the\n"
      "op counts before and after, the violation and the minimized text program.\n"
      "(scripts/fuzz --minimize-crash keeps libFuzzer's byte-level minimizer.)\n"
      "\n"
      "Exit 0 when minimized, 1 when the input does not fail at all, 2 on usage or\n"
      "I/O errors.\n"
      "\n"
      "Example:\n"
      "  respfuzz minimize command_handler crash-0123 -o small.bin");
  return [o] { return Minimize(*o); };
}

RESPFUZZ_CLI_COMMAND(minimize, SetUp);

}  // namespace minimize_impl
}  // namespace respfuzz::cli
