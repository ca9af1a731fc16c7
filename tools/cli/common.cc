#include "tools/cli/common.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <utility>
#include <vector>

namespace respfuzz::cli {

namespace {

std::vector<Command>& Registry() {
  static std::vector<Command> commands;
  return commands;
}

// "a, b, c": every harness, or only the structured ones.
std::string HarnessNames(bool structured_only) {
  std::string names;
  for (const Harness* h : harnesses::Harnesses()) {
    if (structured_only && h->encode_text == nullptr) continue;
    if (!names.empty()) names += ", ";
    names += h->name;
  }
  return names;
}

}  // namespace

bool RegisterCommand(std::string_view name, Setup setup) {
  Registry().push_back({name, setup});
  return true;
}

std::vector<Command> Commands() {
  std::vector<Command> commands = Registry();
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  return commands;
}

int Fail(std::string_view cmd, std::string_view message, int code) {
  std::fprintf(stderr, "respfuzz: %.*s: %.*s\n", static_cast<int>(cmd.size()), cmd.data(),
               static_cast<int>(message.size()), message.data());
  return code;
}

std::optional<std::string> ReadInput(const std::string& path, std::string* error) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    *error = path + " is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const Harness* HarnessOrError(std::string_view cmd, const std::string& name) {
  const Harness* h = harnesses::FindHarness(name);
  if (h == nullptr) {
    Fail(cmd, "unknown harness '" + name + "' (harnesses: " + HarnessNames(false) + ")");
  }
  return h;
}

const Harness* StructuredHarnessOrError(std::string_view cmd, const std::string& name) {
  const Harness* h = HarnessOrError(cmd, name);
  if (h != nullptr && h->encode_text == nullptr) {
    Fail(cmd, "harness '" + name +
                  "' has no op-level form (structured harnesses: " + HarnessNames(true) + ")");
    return nullptr;
  }
  return h;
}

std::optional<std::string> LoadInput(const Harness& h, const std::string& path,
                                     std::string* error) {
  std::optional<std::string> data = ReadInput(path, error);
  if (!data || h.encode_text == nullptr || !path.ends_with(".txt")) return data;
  absl::StatusOr<std::string> bytes = h.encode_text(*data);
  if (!bytes.ok()) {
    *error = path + ": " + std::string(bytes.status().message());
    return std::nullopt;
  }
  return *std::move(bytes);
}

bool WriteFileAtomic(const std::filesystem::path& path, std::string_view data, std::string* error,
                     bool replace) {
  const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      *error = "cannot write " + tmp.string() + ": " + std::strerror(errno);
      return false;
    }
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) {
      *error = "cannot write " + tmp.string() + ": " + std::strerror(errno);
      std::filesystem::remove(tmp);
      return false;
    }
  }
  std::error_code ec;
  if (!replace) {
    // link() fails rather than replace, where rename() would replace.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      *error = errno == EEXIST ? path.string() + " already exists"
                               : "cannot write " + path.string() + ": " + std::strerror(errno);
      std::filesystem::remove(tmp);
      return false;
    }
    std::filesystem::remove(tmp, ec);
    return true;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    *error = "cannot write " + path.string() + ": " + ec.message();
    std::filesystem::remove(tmp);
    return false;
  }
  return true;
}

void AddServerOptions(CLI::App* c, ServerChoice* s) {
  std::string known;
  for (const std::string& t : targets::KnownTargets()) known += (known.empty() ? "" : "|") + t;
  c->add_option("--target", s->target,
                std::string("the server to start: ") + known + " (default " +
                    std::string(targets::kDefaultTarget) +
                    ", Debian's redis-server; the others scripts/targets builds)")
      ->type_name("NAME");
  c->add_option("--server-binary", s->binary,
                "start this server program instead (with --target: expected to be that "
                "target's version)")
      ->type_name("PATH");
}

std::optional<targets::ServerProgram> ResolveServerOrError(std::string_view cmd,
                                                           const ServerChoice& s) {
  absl::StatusOr<targets::ServerProgram> p = targets::ResolveServer(s.target, s.binary);
  if (!p.ok()) {
    Fail(cmd, std::string(p.status().message()));
    return std::nullopt;
  }
  return *std::move(p);
}

CLI::Validator DecimalRange(int64_t lo, int64_t hi) {
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& s) -> std::string {
        int64_t v = 0;
        bool ok = !s.empty() && s.size() <= 18;
        for (char c : s) {
          ok = ok && c >= '0' && c <= '9';
          if (ok) v = v * 10 + (c - '0');
        }
        if (!ok || v < lo || v > hi) return "expected " + range + ", got '" + s + "'";
        s = std::to_string(v);
        return {};
      },
      "", "DECIMAL");
}

int MinimizeInput(std::string_view cmd, const Harness& h, const std::string& path, Minimized* m) {
  std::string error;
  std::optional<std::string> data = LoadInput(h, path, &error);
  if (!data) return Fail(cmd, error);
  std::optional<std::string> small = h.minimize(*data, &m->report);
  if (!small) {
    return Fail(cmd,
                path + " passes every check of " + std::string(h.name) + "; nothing to minimize",
                kFound);
  }
  m->bytes = *std::move(small);
  std::printf("ops: %zu -> %zu (%zu runs)\n%s\n--- minimized program ---\n%s",
              m->report.steps_before, m->report.steps_after, m->report.runs,
              m->report.verdict.ToString().c_str(), h.decode_text(m->bytes).c_str());
  return kOk;
}

}  // namespace respfuzz::cli
