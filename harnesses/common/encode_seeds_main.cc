// respfuzz_encode_seeds_<name>: the build's encoder for the seeds and frozen
// regressions of harness <name> kept as text programs (corpus/<name>/*.txt,
// tests/regressions/<name>/*.txt). This main() is linked with that one
// harness and a one-entry registry, so every preset can build it.
//
//   respfuzz_encode_seeds_<name> HARNESS PROGRAM.txt OUT.bin   encode one program
//   respfuzz_encode_seeds_<name> --list                        its harness
//
// Exit 0 on success, 2 on bad usage, an unreadable file or a program that does
// not encode; OUT.bin is then left as it was.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "harnesses/common/registry.h"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "respfuzz_encode_seeds: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using respfuzz::harnesses::Harness;
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const Harness* h : respfuzz::harnesses::Harnesses()) {
      std::printf("%.*s\t%s\n", static_cast<int>(h->name.size()), h->name.data(),
                  h->encode_text != nullptr ? "structured" : "bytes");
    }
    return 0;
  }
  if (argc != 4) {
    return Fail("usage: respfuzz_encode_seeds HARNESS PROGRAM.txt OUT.bin | --list");
  }
  const Harness* h = respfuzz::harnesses::FindHarness(argv[1]);
  if (h == nullptr) return Fail(std::string("unknown harness '") + argv[1] + "'");
  if (h->encode_text == nullptr) {
    return Fail(std::string("harness '") + argv[1] + "' has no text form");
  }
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) return Fail(std::string("cannot read ") + argv[2] + ": " + std::strerror(errno));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  absl::StatusOr<std::string> bytes = h->encode_text(text);
  if (!bytes.ok()) return Fail(std::string(argv[2]) + ": " + std::string(bytes.status().message()));

  // Written beside the target and renamed, so a failure leaves no partial file.
  const std::string tmp = std::string(argv[3]) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    if (!out.flush()) {
      std::filesystem::remove(tmp);
      return Fail("cannot write " + tmp + ": " + std::strerror(errno));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, argv[3], ec);
  if (ec) {
    std::filesystem::remove(tmp);
    return Fail(std::string("cannot write ") + argv[3] + ": " + ec.message());
  }
  return 0;
}
