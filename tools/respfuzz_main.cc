// respfuzz: the project's command-line tool.
//
//   respfuzz parse [--resp2|--resp3] [FILE|-]   read raw RESP replies, print each value
//   respfuzz decode <harness> <file>            what a fuzzer input means
//   respfuzz run <harness> <file|dir>...        replay inputs, a verdict per file
//   respfuzz list                               the harnesses, what each feeds and checks
//   respfuzz query QUERY [--params N=V ...]     parse one search query, print AST + canonical form
//
// Exit codes: 0 success; 1 a failure found (protocol error, violation); 2 usage
// or I/O errors.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/programs/query_parser.h"
#include "harnesses/programs/registry.h"
#include "harnesses/programs/reply_parser.h"
#include "harnesses/support/inputs.h"
#include "src/query/parser.h"
#include "src/query/printer.h"
#include "src/resp/reader.h"

namespace {

using respfuzz::programs::FindHarness;
using respfuzz::programs::Harness;
using respfuzz::programs::Harnesses;

constexpr int kOk = 0;
constexpr int kFound = 1;
constexpr int kUsage = 2;

const char kMainHelp[] =
    "usage: respfuzz <command> [args]\n"
    "\n"
    "commands:\n"
    "  parse [--resp2|--resp3] [FILE|-]   read raw RESP reply bytes (e.g. a capture) and\n"
    "                                     print each value, or the error with its offset\n"
    "  decode <harness> <file>            show what a fuzzer input means for a harness\n"
    "  run <harness> <file|dir>...        replay inputs through a harness's checks,\n"
    "                                     printing a verdict per file\n"
    "  list                               list the harnesses\n"
    "  query QUERY [--params N=V ...]     parse a RediSearch-style query: the AST as a tree\n"
    "                                     and the canonical form, or the error and its offset\n"
    "\n"
    "Run 'respfuzz <command> --help' for a command's options.\n"
    "Exit status: 0 success, 1 a protocol error or a violation, 2 usage or I/O error.\n";

int UsageError(const std::string& msg, const char* help) {
  std::fprintf(stderr, "respfuzz: %s\n", msg.c_str());
  std::fprintf(stderr, "%s", help);
  return kUsage;
}

bool IsHelp(std::string_view a) { return a == "--help" || a == "-h"; }

std::optional<std::string> ReadInput(const std::string& path, std::string* error) {
  if (path == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return data;
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
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string HarnessNames() {
  std::string names;
  for (const Harness& h : Harnesses()) {
    if (!names.empty()) names += ", ";
    names += h.name;
  }
  return names;
}

const Harness* HarnessOrError(const std::string& name) {
  const Harness* h = FindHarness(name);
  if (h == nullptr) {
    std::fprintf(stderr, "respfuzz: unknown harness '%s' (harnesses: %s)\n", name.c_str(),
                 HarnessNames().c_str());
  }
  return h;
}

// --- parse ------------------------------------------------------------------

const char kParseHelp[] =
    "usage: respfuzz parse [--resp2|--resp3] [FILE|-]\n"
    "Reads raw RESP reply bytes from FILE (or standard input) and prints each\n"
    "complete value, then the protocol error with its byte offset if any. --resp2 accepts only + - : $ * (strict); --resp3 (default)\n"
    "accepts every RESP3 type, streamed forms included. Redis's default limits apply.\n"
    "Exit 0 when everything parsed, 1 on a protocol error or an input that ends\n"
    "inside a value, 2 on usage errors.\n";

class PrintingVisitor : public respfuzz::resp::Visitor {
 public:
  // Values are printed whole: a tree is built per top-level value.
  void OnString(respfuzz::resp::Type t, std::string_view s) override { builder_.OnString(t, s); Flush(); }
  void OnInteger(int64_t v) override { builder_.OnInteger(v); Flush(); }
  void OnDouble(double v) override { builder_.OnDouble(v); Flush(); }
  void OnBoolean(bool v) override { builder_.OnBoolean(v); Flush(); }
  void OnNull(respfuzz::resp::Type t) override { builder_.OnNull(t); Flush(); }
  void OnBegin(respfuzz::resp::Type t, int64_t len) override { builder_.OnBegin(t, len); }
  void OnEnd() override { builder_.OnEnd(); Flush(); }
  uint64_t printed() const { return printed_; }

 private:
  void Flush() {
    for (const auto& v : values_) {
      std::printf("#%llu %s\n", static_cast<unsigned long long>(printed_++),
                  respfuzz::resp::ToDebugString(v, 1 << 20).c_str());
    }
    values_.clear();
  }
  std::vector<respfuzz::resp::Value> values_;
  respfuzz::resp::TreeBuilder builder_{&values_};
  uint64_t printed_ = 0;
};

int CmdParse(const std::vector<std::string>& args) {
  respfuzz::resp::Protocol protocol = respfuzz::resp::Protocol::kResp3;
  std::optional<std::string> path;
  for (const std::string& a : args) {
    if (IsHelp(a)) {
      std::printf("%s", kParseHelp);
      return kOk;
    } else if (a == "--resp2") {
      protocol = respfuzz::resp::Protocol::kResp2;
    } else if (a == "--resp3") {
      protocol = respfuzz::resp::Protocol::kResp3;
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError("parse: unknown option " + a, kParseHelp);
    } else if (path) {
      return UsageError("parse: more than one input given", kParseHelp);
    } else {
      path = a;
    }
  }
  std::string error;
  std::optional<std::string> data = ReadInput(path.value_or("-"), &error);
  if (!data) {
    std::fprintf(stderr, "respfuzz: parse: %s\n", error.c_str());
    return kUsage;
  }
  respfuzz::resp::Reader reader(protocol);
  PrintingVisitor printer;
  if (!reader.Feed(*data, printer)) {
    std::fprintf(stderr, "respfuzz: parse: protocol error at offset %llu: %s (%s)\n",
                 static_cast<unsigned long long>(reader.error().offset),
                 reader.error().reason.c_str(),
                 std::string(respfuzz::resp::ReaderErrorCodeName(reader.error().code)).c_str());
    return kFound;
  }
  if (!reader.idle()) {
    std::fprintf(stderr,
                 "respfuzz: parse: input ends inside a value (after %llu complete values, "
                 "%llu of %zu bytes consumed)\n",
                 static_cast<unsigned long long>(printer.printed()),
                 static_cast<unsigned long long>(reader.consumed()), data->size());
    return kFound;
  }
  std::fprintf(stderr, "%llu values, %zu bytes\n", static_cast<unsigned long long>(printer.printed()),
               data->size());
  return kOk;
}

// --- decode -----------------------------------------------------------------

const char kDecodeHelp[] =
    "usage: respfuzz decode <harness> <file>\n"
    "Prints what a fuzzer input means for the harness: for the RESP harnesses the\n"
    "protocol mode, limits and chunking chosen by the leading bytes and each frame\n"
    "parsed; for resp_roundtrip the decoded value tree and its encodings; for\n"
    "query_parser the caps, the documents, the query and PARAMS, the AST, its\n"
    "canonical form and what both evaluators match.\n";

int CmdDecode(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (IsHelp(a)) {
      std::printf("%s", kDecodeHelp);
      return kOk;
    }
  }
  if (args.size() != 2) return UsageError("decode: expected <harness> <file>", kDecodeHelp);
  const Harness* h = HarnessOrError(args[0]);
  if (h == nullptr) return kUsage;
  std::string error;
  std::optional<std::string> data = ReadInput(args[1], &error);
  if (!data) {
    std::fprintf(stderr, "respfuzz: decode: %s\n", error.c_str());
    return kUsage;
  }
  std::printf("%s", h->describe(*data).c_str());
  return kOk;
}

// --- run --------------------------------------------------------------------

const char kRunHelp[] =
    "usage: respfuzz run [--verbose] <harness> <file|dir>...\n"
    "Runs each input (directories are walked, sorted) through the harness's checks\n"
    "and prints one verdict line per file; --verbose also prints what each input\n"
    "means. Exit 1 if any input violates a check.\n";

int CmdRun(const std::vector<std::string>& args) {
  bool verbose = false;
  std::vector<std::string> rest;
  for (const std::string& a : args) {
    if (IsHelp(a)) {
      std::printf("%s", kRunHelp);
      return kOk;
    } else if (a == "--verbose" || a == "-v") {
      verbose = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError("run: unknown option " + a, kRunHelp);
    } else {
      rest.push_back(a);
    }
  }
  if (rest.size() < 2) return UsageError("run: expected <harness> <file|dir>...", kRunHelp);
  const Harness* h = HarnessOrError(rest[0]);
  if (h == nullptr) return kUsage;
  std::vector<std::filesystem::path> files;
  std::string missing;
  if (!respfuzz::fuzz::ExpandInputs({rest.begin() + 1, rest.end()}, &files, &missing)) {
    std::fprintf(stderr, "respfuzz: run: no such file or directory: %s\n", missing.c_str());
    return kUsage;
  }
  size_t failed = 0;
  for (const auto& f : files) {
    std::string error;
    std::optional<std::string> data = ReadInput(f.string(), &error);
    if (!data) {
      std::fprintf(stderr, "respfuzz: run: %s\n", error.c_str());
      return kUsage;
    }
    respfuzz::fuzz::Verdict v = h->run(*data);
    std::printf("%s: %s\n", f.c_str(), v.ToString().c_str());
    if (verbose || !v.ok) std::printf("%s", h->describe(*data).c_str());
    if (!v.ok) ++failed;
  }
  std::printf("%zu inputs, %zu passed, %zu failed\n", files.size(), files.size() - failed, failed);
  return failed == 0 ? kOk : kFound;
}

int CmdList(const std::vector<std::string>& args) {
  for (const Harness& h : Harnesses()) {
    std::printf("%s\n  feeds:  %s\n  checks: %s\n", std::string(h.name).c_str(),
                std::string(h.feeds).c_str(), std::string(h.checks).c_str());
  }
  return kOk;
}

// --- query ------------------------------------------------------------------

const char kQueryHelp[] =
    "usage: respfuzz query [--] QUERY [--params NAME=VALUE ...]\n"
    "Parses one FT.SEARCH query (dialect 2 precedence) and prints the AST as an\n"
    "indented tree and its canonical form, or the syntax error with its byte offset.\n"
    "--params takes the NAME=VALUE pairs that follow it (as FT.SEARCH ... PARAMS):\n"
    "each $NAME is then resolved from them and an unknown one is an error; without\n"
    "--params references are left unresolved. Put QUERY after -- when it starts with\n"
    "'-'. Default caps: 65536 bytes, depth 128, 4096 nodes.\n"
    "Exit 0 parsed, 1 syntax error, 2 usage error.\n";

int CmdQuery(const std::vector<std::string>& args) {
  std::optional<std::string> query;
  std::optional<respfuzz::query::Params> params;
  bool in_params = false, options_done = false;
  for (const std::string& a : args) {
    if (!options_done && IsHelp(a)) {
      std::printf("%s", kQueryHelp);
      return kOk;
    } else if (!options_done && a == "--") {
      options_done = true;
      in_params = false;
    } else if (!options_done && a == "--params") {
      in_params = true;
      if (!params) params.emplace();
    } else if (!options_done && a.size() > 1 && a[0] == '-') {
      return UsageError("query: unknown option " + a, kQueryHelp);
    } else if (in_params) {
      const size_t eq = a.find('=');
      if (eq == std::string::npos || eq == 0) {
        return UsageError("query: --params expects NAME=VALUE, got '" + a + "'", kQueryHelp);
      }
      params->insert_or_assign(a.substr(0, eq), a.substr(eq + 1));
    } else if (query) {
      return UsageError("query: more than one query given", kQueryHelp);
    } else {
      query = a;
    }
  }
  if (!query) return UsageError("query: expected a QUERY", kQueryHelp);
  respfuzz::query::ParseOptions options;
  options.params = params;
  const respfuzz::query::ParseResult r = respfuzz::query::Parse(*query, options);
  if (!r.ok()) {
    std::fprintf(stderr, "respfuzz: query: %s\n", r.error().ToString().c_str());
    return kFound;
  }
  std::printf("AST (%zu nodes, depth %d):\n%s", r.ast().size(), r.ast().Depth(),
              respfuzz::programs::FormatQueryTree(r.ast()).c_str());
  std::printf("canonical: %s\n", respfuzz::query::Print(r.ast()).c_str());
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "%s", kMainHelp);
    return kUsage;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (IsHelp(cmd) || cmd == "help") {
    std::printf("%s", kMainHelp);
    return kOk;
  }
  if (cmd == "parse") return CmdParse(args);
  if (cmd == "decode") return CmdDecode(args);
  if (cmd == "run") return CmdRun(args);
  if (cmd == "list") return CmdList(args);
  if (cmd == "query") return CmdQuery(args);
  return UsageError("unknown command '" + cmd + "'", kMainHelp);
}
