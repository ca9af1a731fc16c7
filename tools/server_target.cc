#include "tools/server_target.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace respfuzz::targets {
namespace {

namespace fs = std::filesystem;

struct Pin {
  const char* name;
  const char* debian_version;
  const char* sha256;
};

// The rows of oss-fuzz/debian-sources.lock for the server targets, written
// at configure time.
constexpr Pin kPins[] = {
#include "server_target_pins.inc"
};

struct Known {
  const char* name;
  const char* family;  // the programs are FAMILY-server and FAMILY-cli
  bool system;         // Debian's package (RESPFUZZ_SYSTEM_SERVER_DIR), else the cache
};

constexpr Known kKnown[] = {
    {"redis-7.0", "redis", true},
    {"redis-8.0", "redis", false},
    {"valkey-9.1", "valkey", false},
};

const Pin* PinOf(std::string_view name) {
  for (const Pin& p : kPins) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string CacheDir() {
  if (std::string c = Env("RESPFUZZ_TARGETS_CACHE"); !c.empty()) return c;
  if (std::string x = Env("XDG_CACHE_HOME"); !x.empty()) return x + "/respfuzz/targets";
  return Env("HOME") + "/.cache/respfuzz/targets";
}

bool IsExecutableFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && access(path.c_str(), X_OK) == 0;
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path a = fs::absolute(path, ec);
  return ec ? path : a.lexically_normal().string();
}

}  // namespace

std::string UpstreamVersion(std::string_view v) {
  if (size_t colon = v.find(':'); colon != std::string_view::npos) v.remove_prefix(colon + 1);
  if (size_t dash = v.rfind('-'); dash != std::string_view::npos) v = v.substr(0, dash);
  // "8.1.1+dfsg1" -> "8.1.1"
  if (size_t plus = v.find('+'); plus != std::string_view::npos) v = v.substr(0, plus);
  return std::string(v);
}

std::string ServerProgram::Describe() const {
  if (target.empty()) return server;
  return absl::StrCat(target, " (", fs::path(server).filename().string(), " ", version, ", ",
                      server, ")");
}

std::vector<std::string> KnownTargets() {
  std::vector<std::string> names;
  for (const Known& k : kKnown) names.emplace_back(k.name);
  return names;
}

absl::StatusOr<ServerProgram> ResolveServer(std::string_view target, std::string_view binary) {
  if (target.empty() && binary.empty()) target = kDefaultTarget;
  ServerProgram p;
  if (!target.empty()) {
    const Known* known = nullptr;
    for (const Known& k : kKnown) {
      if (target == k.name) known = &k;
    }
    if (known == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown target '", std::string(target),
                       "' (known: ", absl::StrJoin(KnownTargets(), ", "), ")"));
    }
    const Pin* pin = PinOf(known->name);
    if (pin == nullptr) {
      return absl::InternalError(
          absl::StrCat(known->name, " has no row in oss-fuzz/debian-sources.lock"));
    }
    p.target = known->name;
    p.family = known->family;
    p.version = UpstreamVersion(pin->debian_version);
    std::string dir;
    if (known->system) {
      dir = Env("RESPFUZZ_SYSTEM_SERVER_DIR");
      if (dir.empty()) dir = "/usr/bin";
    } else {
      const std::string home =
          absl::StrCat(CacheDir(), "/", known->name, "-", std::string(pin->sha256, 12));
      // Built when the stamp scripts/targets writes last names this pin.
      std::ifstream stamp(home + "/.respfuzz-target");
      std::string name, version, sha;
      stamp >> name >> version >> sha;
      if (name != known->name || version != pin->debian_version || sha != pin->sha256) {
        return absl::NotFoundError(absl::StrCat(known->name, " is not built (no ", home,
                                                "; scripts/targets --build ", known->name, ")"));
      }
      dir = home + "/bin";
    }
    p.server = absl::StrCat(dir, "/", known->family, "-server");
    p.cli = absl::StrCat(dir, "/", known->family, "-cli");
    for (const std::string* path : {&p.server, &p.cli}) {
      if (!IsExecutableFile(*path)) {
        return absl::NotFoundError(
            absl::StrCat(known->name, ": ", *path, " is missing or not executable (",
                         known->system ? "scripts/setup installs it"
                                       : absl::StrCat("scripts/targets --rebuild ", known->name),
                         ")"));
      }
    }
  }
  if (!binary.empty()) {
    const std::string path = Absolute(std::string(binary));
    if (!IsExecutableFile(path)) {
      return absl::NotFoundError(
          absl::StrCat("--server-binary: ", std::string(binary), " is not an executable file"));
    }
    p.server = path;
    if (target.empty()) {
      // foo-server -> foo-cli beside it, when there is one.
      constexpr std::string_view kSuffix = "-server";
      if (path.ends_with(kSuffix)) {
        const std::string cli = path.substr(0, path.size() - kSuffix.size()) + "-cli";
        if (IsExecutableFile(cli)) p.cli = cli;
      }
    }
  }
  return p;
}

absl::Status CheckInfo(const ServerProgram& p, std::string_view info) {
  if (p.version.empty() || p.family.empty()) return absl::OkStatus();
  const std::string key = p.family + "_version:";
  std::string got;
  size_t start = 0;
  while (start < info.size()) {
    size_t end = info.find('\n', start);
    if (end == std::string_view::npos) end = info.size();
    std::string_view line = info.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with(key)) got = std::string(line.substr(key.size()));
    start = end + 1;
  }
  if (got == p.version) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(p.server, " is not ", p.target, ": INFO server says ",
                   got.empty() ? "no " + key : key + got, ", expected ", p.version));
}

}  // namespace respfuzz::targets
