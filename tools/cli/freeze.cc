// respfuzz freeze: minimize a failing input and save it as a regression.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace freeze_impl {

struct Options {
  std::string harness;
  std::string crash;
  std::string name;
  std::string root = ".";
};

// Slugs become file names and ctest names: keep them to a safe alphabet.
std::string CheckSlug(const std::string& s) {
  bool ok = !s.empty() && s.size() <= 64;
  for (size_t i = 0; ok && i < s.size(); ++i) {
    const char c = s[i];
    ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '-' || c == '_'));
  }
  if (ok) return {};
  return "invalid name '" + s + "' (lower-case letters, digits, '-' and '_'; at most 64)";
}

int Freeze(const Options& o) {
  const Harness* h = StructuredHarnessOrError("freeze", o.harness);
  if (h == nullptr) return kUsage;
  const std::filesystem::path regressions = std::filesystem::path(o.root) / "tests" / "regressions";
  if (!std::filesystem::is_directory(regressions)) {
    return Fail("freeze", regressions.string() +
                              " is not a directory; run from the repository root or pass --root");
  }
  const std::filesystem::path dir = regressions / std::string(h->name);
  const std::filesystem::path txt = dir / (o.name + ".txt");
  if (std::filesystem::exists(txt)) {
    return Fail("freeze", txt.string() + " already exists; choose another --name");
  }
  Minimized m;
  if (int rc = MinimizeInput("freeze", *h, o.crash, &m); rc != kOk) return rc;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail("freeze", "cannot create " + dir.string() + ": " + ec.message());
  std::string text = "# " + std::string(h->name) + " regression '" + o.name + "', frozen from " +
                     o.crash + "\n# " + m.report.verdict.ToString() + "\n";
  for (char& c : text) {
    if (c == '\r') c = ' ';
  }
  // Keep the comment to its lines: every line of the verdict starts with '#'.
  std::string commented;
  for (size_t i = 0; i < text.size(); ++i) {
    commented += text[i];
    if (text[i] == '\n' && i + 1 < text.size() && text[i + 1] != '#') commented += "#   ";
  }
  commented += h->decode_text(m.bytes);
  // The text must stand for exactly the minimized input: the build encodes
  // it, and that is what ctest replays.
  absl::StatusOr<std::string> reencoded = h->encode_text(commented);
  if (!reencoded.ok() || *reencoded != m.bytes) {
    return Fail("freeze",
                "the program's text form does not encode back to the minimized input; not "
                "written");
  }
  std::string error;
  if (!WriteFileAtomic(txt, commented, &error, /*replace=*/false)) return Fail("freeze", error);
  std::printf("wrote %s\n", txt.c_str());
  return kOk;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Minimize a failing input, then save it as a regression ctest replays");
  cmd.add_option("harness", o->harness, "a structured harness (respfuzz list --names --structured)")
      ->required();
  cmd.add_option("crash", o->crash, "the failing input; may be a .txt program")
      ->type_name("FILE")
      ->required();
  cmd.add_option("--name", o->name, "the regression's name: lower-case letters, digits, '-', '_'")
      ->type_name("SLUG")
      ->check(CLI::Validator(CheckSlug, "", "SLUG"))
      ->required();
  cmd.add_option("--root", o->root, "the repository root (default: the current directory)")
      ->type_name("DIR");
  cmd.footer(
      "Minimizes the input (as 'respfuzz minimize'), then writes\n"
      "DIR/tests/regressions/<harness>/SLUG.txt: the violation as comments, then the\n"
      "program. The build encodes it and ctest replays it from then on (the text is\n"
      "the regression's source; no .bin is kept). An existing SLUG is never\n"
      "overwritten, and nothing is written unless the text encodes back to exactly\n"
      "the minimized input.\n"
      "\n"
      "Exit 0 when written, 1 when the input does not fail, 2 on usage or I/O errors.\n"
      "\n"
      "Example:\n"
      "  respfuzz freeze command_handler crash-0123 --name expire-after-rename");
  return [o] { return Freeze(*o); };
}

RESPFUZZ_CLI_COMMAND(freeze, SetUp);

}  // namespace freeze_impl
}  // namespace respfuzz::cli
