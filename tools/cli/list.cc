// respfuzz list: the harnesses, what each feeds and checks.
#include <cstdio>
#include <memory>
#include <string>

#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace list_impl {

struct Options {
  bool names = false;
  bool structured = false;
};

int List(const Options& o) {
  for (const Harness* h : harnesses::Harnesses()) {
    if (o.structured && h->encode_text == nullptr) continue;
    const std::string name(h->name);
    if (o.names) {
      std::printf("%s\n", name.c_str());
    } else {
      std::printf("%s\n  feeds:  %s\n  checks: %s\n", name.c_str(), std::string(h->feeds).c_str(),
                  std::string(h->checks).c_str());
    }
  }
  return kOk;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("List the harnesses, what each feeds and checks");
  cmd.add_flag("--names", o->names, "print only the names, one per line");
  cmd.add_flag("--structured", o->structured,
               "only the structured harnesses: those with a text program form\n"
               "(encode, minimize and freeze take only these)");
  cmd.footer(
      "Harnesses are listed in name order.\n"
      "\n"
      "Exit 0.\n"
      "\n"
      "Examples:\n"
      "  respfuzz list\n"
      "  respfuzz list --names --structured");
  return [o] { return List(*o); };
}

RESPFUZZ_CLI_COMMAND(list, SetUp);

}  // namespace list_impl
}  // namespace respfuzz::cli
