// respfuzz: the project's command-line tool.
//
//   respfuzz parse [--resp2|--resp3] [FILE|-]   read raw RESP replies, print each value
//   respfuzz decode <harness> <file>            what a fuzzer input means
//   respfuzz run <harness> <file|dir>...        replay inputs, a verdict per file
//   respfuzz list                               the harnesses, what each feeds and checks
//   respfuzz encode <harness> <program.txt>      text program -> fuzzer input bytes
//   respfuzz minimize <harness> <crash> [-o F]  shrink a failing input op by op
//   respfuzz freeze <harness> <crash> --name S  minimize, then save as a regression
//   respfuzz oracle command_handler --server H:P <file|dir>...  compare with redis-server
//   respfuzz serve --port PORT [--bind ADDR]    a RESP server on the engine
//   (tools/serve_command.cc) respfuzz query QUERY [--params N=V ...]     parse one search query,
//   print AST + canonical form
//
// Exit codes: 0 success; 1 a failure found (protocol error, violation); 2 usage
// or I/O errors.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/common/inputs.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/query_parser/checks.h"
#include "src/query/parser.h"
#include "src/query/printer.h"
#include "src/resp/reader.h"
#include "tools/command_oracle.h"
#include "tools/serve_command.h"

namespace {

using respfuzz::harnesses::FindHarness;
using respfuzz::harnesses::Harness;
using respfuzz::harnesses::Harnesses;

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
    "  encode <harness> <program.txt|->   text program -> fuzzer input bytes (structured\n"
    "                                     harnesses, e.g. command_handler)\n"
    "  minimize <harness> <crash> [-o F]  delta-debug a failing input's ops while the same\n"
    "                                     check keeps failing; print the small program\n"
    "  freeze <harness> <crash> --name S  minimize, then write tests/regressions/<harness>/\n"
    "                                     S.bin and S.txt, replayed by ctest from then on\n"
    "  oracle command_handler --server HOST:PORT <file|dir>... [--json FILE]\n"
    "                                     replay programs on a real redis-server and on the\n"
    "                                     engine; report agreement and every divergence\n"
    "  serve --port PORT [--bind ADDR]    run a RESP server on the engine (redis-cli,\n"
    "                                     redis-benchmark and hiredis work against it)\n"
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
  for (const Harness* hp : Harnesses()) {
    const Harness& h = *hp;
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

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A harness input from a file: for structured harnesses a .txt file (or "-"
// when `text_stdin`) holds the text form, which is encoded first.
std::optional<std::string> LoadInput(const Harness& h, const std::string& path, bool text_stdin,
                                     std::string* error) {
  std::optional<std::string> data = ReadInput(path, error);
  if (!data) return std::nullopt;
  const bool text = EndsWith(path, ".txt") || (path == "-" && text_stdin);
  if (!text || h.encode_text == nullptr) return data;
  absl::StatusOr<std::string> bytes = h.encode_text(*data);
  if (!bytes.ok()) {
    *error = path + ": " + std::string(bytes.status().message());
    return std::nullopt;
  }
  return *bytes;
}

const Harness* StructuredHarnessOrError(const std::string& name, const char* cmd) {
  const Harness* h = HarnessOrError(name);
  if (h != nullptr && h->encode_text == nullptr) {
    std::string structured;
    for (const Harness* xp : Harnesses()) {
      const Harness& x = *xp;
      if (x.encode_text == nullptr) continue;
      if (!structured.empty()) structured += ", ";
      structured += x.name;
    }
    std::fprintf(stderr,
                 "respfuzz: %s: harness '%s' has no op-level form (structured harnesses: %s)\n",
                 cmd, name.c_str(), structured.c_str());
    return nullptr;
  }
  return h;
}

// Writes `data` to `path` through a temporary file in the same directory and
// a rename, so a failure never leaves a partial file.
bool WriteFileAtomic(const std::filesystem::path& path, std::string_view data, std::string* error) {
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
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    *error = "cannot write " + path.string() + ": " + ec.message();
    std::filesystem::remove(tmp);
    return false;
  }
  return true;
}

// --- parse ------------------------------------------------------------------

const char kParseHelp[] =
    "usage: respfuzz parse [--resp2|--resp3] [FILE|-]\n"
    "Reads raw RESP reply bytes from FILE (or standard input) and prints each\n"
    "complete value, then the protocol error with its byte offset if any. --resp2 accepts only + - "
    ": $ * (strict); --resp3 (default)\n"
    "accepts every RESP3 type, streamed forms included. Redis's default limits apply.\n"
    "Exit 0 when everything parsed, 1 on a protocol error or an input that ends\n"
    "inside a value, 2 on usage errors.\n";

class PrintingVisitor : public respfuzz::resp::Visitor {
 public:
  // Values are printed whole: a tree is built per top-level value.
  void OnString(respfuzz::resp::Type t, std::string_view s) override {
    builder_.OnString(t, s);
    Flush();
  }
  void OnInteger(int64_t v) override {
    builder_.OnInteger(v);
    Flush();
  }
  void OnDouble(double v) override {
    builder_.OnDouble(v);
    Flush();
  }
  void OnBoolean(bool v) override {
    builder_.OnBoolean(v);
    Flush();
  }
  void OnNull(respfuzz::resp::Type t) override {
    builder_.OnNull(t);
    Flush();
  }
  void OnBegin(respfuzz::resp::Type t, int64_t len) override { builder_.OnBegin(t, len); }
  void OnEnd() override {
    builder_.OnEnd();
    Flush();
  }
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
  std::fprintf(stderr, "%llu values, %zu bytes\n",
               static_cast<unsigned long long>(printer.printed()), data->size());
  return kOk;
}

// --- decode -----------------------------------------------------------------

const char kDecodeHelp[] =
    "usage: respfuzz decode <harness> <file>\n"
    "Prints what a fuzzer input means for the harness: for the RESP harnesses the\n"
    "protocol mode, limits and chunking chosen by the leading bytes and each frame\n"
    "parsed; for resp_roundtrip the decoded value tree and its encodings; for\n"
    "query_parser the caps, the documents, the query and PARAMS, the AST, its\n"
    "canonical form and what both evaluators match; for structured harnesses\n"
    "(command_handler) the program in its text form, one op per line, which\n"
    "'respfuzz encode' turns back into the same bytes.\n";

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
  std::optional<std::string> data = LoadInput(*h, args[1], false, &error);
  if (!data) {
    std::fprintf(stderr, "respfuzz: decode: %s\n", error.c_str());
    return kUsage;
  }
  std::printf("%s", (h->decode_text ? h->decode_text(*data) : h->describe(*data)).c_str());
  return kOk;
}

// --- run --------------------------------------------------------------------

const char kRunHelp[] =
    "usage: respfuzz run [--verbose] <harness> <file|dir>...\n"
    "Runs each input (directories are walked, sorted) through the harness's checks\n"
    "and prints one verdict line per file; --verbose also prints what each input\n"
    "means. For structured harnesses (command_handler) a single input, a failing\n"
    "one, or --verbose prints every op with the reply of each side; .txt files are\n"
    "read as text programs. Exit 1 if any input violates a check.\n";

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
  if (!respfuzz::fuzz::ExpandInputs({rest.begin() + 1, rest.end()}, &files, &missing,
                                    h->encode_text != nullptr)) {
    std::fprintf(stderr, "respfuzz: run: no such file or directory: %s\n", missing.c_str());
    return kUsage;
  }
  size_t failed = 0;
  for (const auto& f : files) {
    std::string error;
    std::optional<std::string> data = LoadInput(*h, f.string(), false, &error);
    if (!data) {
      std::fprintf(stderr, "respfuzz: run: %s\n", error.c_str());
      return kUsage;
    }
    respfuzz::fuzz::Verdict v = h->run(*data);
    if (h->explain != nullptr && (verbose || !v.ok || files.size() == 1)) {
      std::printf("%s:\n%s", f.c_str(), h->explain(*data).c_str());
      if (!v.ok) ++failed;
      continue;
    }
    std::printf("%s: %s\n", f.c_str(), v.ToString().c_str());
    if (verbose || !v.ok) std::printf("%s", h->describe(*data).c_str());
    if (!v.ok) ++failed;
  }
  std::printf("%zu inputs, %zu passed, %zu failed\n", files.size(), files.size() - failed, failed);
  return failed == 0 ? kOk : kFound;
}

// --- encode -----------------------------------------------------------------

const char kEncodeHelp[] =
    "usage: respfuzz encode <harness> <program.txt|-> [-o FILE]\n"
    "Turns a text program (one op per line, e.g. 's1 SET k1 v1 PX 100',\n"
    "'clock +250ms', 's2 HELLO 3', 'active-expire'; '#' starts a comment) into the\n"
    "fuzzer input bytes of a structured harness, written to FILE or standard output.\n"
    "The inverse of 'respfuzz decode'. Exit 2 on a malformed program (the line is named).\n";

int CmdEncode(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  std::optional<std::string> out_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (IsHelp(args[i])) {
      std::printf("%s", kEncodeHelp);
      return kOk;
    } else if (args[i] == "-o") {
      if (i + 1 >= args.size()) return UsageError("encode: -o needs a file name", kEncodeHelp);
      out_path = args[++i];
    } else if (args[i].size() > 1 && args[i][0] == '-') {
      return UsageError("encode: unknown option " + args[i], kEncodeHelp);
    } else {
      rest.push_back(args[i]);
    }
  }
  if (rest.size() != 2)
    return UsageError("encode: expected <harness> <program.txt|->", kEncodeHelp);
  const Harness* h = StructuredHarnessOrError(rest[0], "encode");
  if (h == nullptr) return kUsage;
  std::string error;
  std::optional<std::string> text = ReadInput(rest[1], &error);
  if (!text) {
    std::fprintf(stderr, "respfuzz: encode: %s\n", error.c_str());
    return kUsage;
  }
  absl::StatusOr<std::string> bytes = h->encode_text(*text);
  if (!bytes.ok()) {
    std::fprintf(stderr, "respfuzz: encode: %s: %s\n", rest[1].c_str(),
                 std::string(bytes.status().message()).c_str());
    return kUsage;
  }
  if (out_path) {
    if (!WriteFileAtomic(*out_path, *bytes, &error)) {
      std::fprintf(stderr, "respfuzz: encode: %s\n", error.c_str());
      return kUsage;
    }
  } else {
    std::fwrite(bytes->data(), 1, bytes->size(), stdout);
  }
  return kOk;
}

// --- minimize / freeze -------------------------------------------------------

const char kMinimizeHelp[] =
    "usage: respfuzz minimize <harness> <crash> [-o FILE]\n"
    "Delta-debugs a failing input of a structured harness: drops ops (then trailing\n"
    "arguments) while the same check keeps failing at the same command, then prints\n"
    "the op counts before and after, the violation and the minimized text program.\n"
    "-o FILE also writes the minimized input bytes. <crash> may be a .txt program.\n"
    "Exit 0 when minimized, 1 when the input does not fail at all, 2 on usage or I/O\n"
    "errors. (scripts/fuzz --minimize-crash keeps libFuzzer's byte-level minimizer.)\n";

const char kFreezeHelp[] =
    "usage: respfuzz freeze <harness> <crash> --name SLUG [--root DIR]\n"
    "Minimizes a failing input (as 'respfuzz minimize'), then writes\n"
    "DIR/tests/regressions/<harness>/SLUG.txt: the violation as comments, then the\n"
    "program. The build encodes it and ctest replays it from then on (the text is\n"
    "the regression's source; no .bin is kept). DIR defaults to the current\n"
    "directory, which must be the repository root. SLUG: lower-case letters, digits,\n"
    "'-' and '_'. An existing SLUG is never overwritten. Exit 0 when written, 1 when\n"
    "the input does not fail, 2 on usage or I/O errors.\n";

struct Minimized {
  std::string bytes;
  respfuzz::harnesses::MinimizeReport report;
};

// Shared by minimize and freeze: returns kOk with the result, or an exit code.
int MinimizeInput(const Harness& h, const std::string& path, const char* cmd, Minimized* m) {
  std::string error;
  std::optional<std::string> data = LoadInput(h, path, false, &error);
  if (!data) {
    std::fprintf(stderr, "respfuzz: %s: %s\n", cmd, error.c_str());
    return kUsage;
  }
  std::optional<std::string> small = h.minimize(*data, &m->report);
  if (!small) {
    std::fprintf(stderr, "respfuzz: %s: %s passes every check of %s; nothing to minimize\n", cmd,
                 path.c_str(), std::string(h.name).c_str());
    return kFound;
  }
  m->bytes = std::move(*small);
  std::printf("ops: %zu -> %zu (%zu runs)\n%s\n--- minimized program ---\n%s",
              m->report.steps_before, m->report.steps_after, m->report.runs,
              m->report.verdict.ToString().c_str(), h.decode_text(m->bytes).c_str());
  return kOk;
}

int CmdMinimize(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  std::optional<std::string> out_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (IsHelp(args[i])) {
      std::printf("%s", kMinimizeHelp);
      return kOk;
    } else if (args[i] == "-o") {
      if (i + 1 >= args.size()) return UsageError("minimize: -o needs a file name", kMinimizeHelp);
      out_path = args[++i];
    } else if (args[i].size() > 1 && args[i][0] == '-') {
      return UsageError("minimize: unknown option " + args[i], kMinimizeHelp);
    } else {
      rest.push_back(args[i]);
    }
  }
  if (rest.size() != 2) return UsageError("minimize: expected <harness> <crash>", kMinimizeHelp);
  const Harness* h = StructuredHarnessOrError(rest[0], "minimize");
  if (h == nullptr) return kUsage;
  Minimized m;
  if (int rc = MinimizeInput(*h, rest[1], "minimize", &m); rc != kOk) return rc;
  if (out_path) {
    std::string error;
    if (!WriteFileAtomic(*out_path, m.bytes, &error)) {
      std::fprintf(stderr, "respfuzz: minimize: %s\n", error.c_str());
      return kUsage;
    }
    std::printf("wrote %s\n", out_path->c_str());
  }
  return kOk;
}

bool ValidSlug(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '-' || c == '_'));
    if (!ok) return false;
  }
  return true;
}

int CmdFreeze(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  std::optional<std::string> name;
  std::string root = ".";
  for (size_t i = 0; i < args.size(); ++i) {
    if (IsHelp(args[i])) {
      std::printf("%s", kFreezeHelp);
      return kOk;
    } else if (args[i] == "--name" || args[i] == "--root") {
      if (i + 1 >= args.size())
        return UsageError("freeze: " + args[i] + " needs a value", kFreezeHelp);
      if (args[i] == "--name") {
        name = args[++i];
      } else {
        root = args[++i];
      }
    } else if (args[i].size() > 1 && args[i][0] == '-') {
      return UsageError("freeze: unknown option " + args[i], kFreezeHelp);
    } else {
      rest.push_back(args[i]);
    }
  }
  if (rest.size() != 2) return UsageError("freeze: expected <harness> <crash>", kFreezeHelp);
  if (!name) return UsageError("freeze: --name SLUG is required", kFreezeHelp);
  if (!ValidSlug(*name)) {
    return UsageError("freeze: invalid name '" + *name +
                          "' (lower-case letters, digits, '-' and '_'; at most 64)",
                      kFreezeHelp);
  }
  const Harness* h = StructuredHarnessOrError(rest[0], "freeze");
  if (h == nullptr) return kUsage;
  const std::filesystem::path regressions = std::filesystem::path(root) / "tests" / "regressions";
  if (!std::filesystem::is_directory(regressions)) {
    std::fprintf(stderr,
                 "respfuzz: freeze: %s is not a directory; run from the repository root or "
                 "pass --root\n",
                 regressions.c_str());
    return kUsage;
  }
  const std::filesystem::path dir = regressions / std::string(h->name);
  const std::filesystem::path txt = dir / (*name + ".txt");
  if (std::filesystem::exists(txt)) {
    std::fprintf(stderr, "respfuzz: freeze: %s already exists; choose another --name\n",
                 txt.c_str());
    return kUsage;
  }
  Minimized m;
  if (int rc = MinimizeInput(*h, rest[1], "freeze", &m); rc != kOk) return rc;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "respfuzz: freeze: cannot create %s: %s\n", dir.c_str(),
                 ec.message().c_str());
    return kUsage;
  }
  std::string text = "# " + std::string(h->name) + " regression '" + *name + "', frozen from " +
                     rest[1] + "\n# " + m.report.verdict.ToString() + "\n";
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
    std::fprintf(stderr,
                 "respfuzz: freeze: the program's text form does not encode back to the "
                 "minimized input; not written\n");
    return kUsage;
  }
  std::string error;
  if (!WriteFileAtomic(txt, commented, &error)) {
    std::fprintf(stderr, "respfuzz: freeze: %s\n", error.c_str());
    return kUsage;
  }
  std::printf("wrote %s\n", txt.c_str());
  return kOk;
}

// --- oracle ------------------------------------------------------------------

const char kOracleHelp[] =
    "usage: respfuzz oracle command_handler --server HOST:PORT <file|dir>...\n"
    "                       [--json FILE] [--max-sleep-ms N] [--expiry-margin-ms N]\n"
    "Replays command programs (.txt text programs or fuzzer inputs; directories are\n"
    "walked, a .txt beside a .bin of the same name is skipped) against a real\n"
    "redis-server and against the engine, FLUSHALL between programs, and compares\n"
    "the replies op by op (RESP2 replies read by hiredis, RESP3 by our reader).\n"
    "Prints a line per program, then the agreement over compared ops and each\n"
    "divergence (program, op, both replies). Ops that cannot be compared are listed\n"
    "as excluded with the reason: commands the engine does not model, CLIENT ID,\n"
    "keys expiring within --expiry-margin-ms (default 50) of an op, and everything\n"
    "after a clock step longer than --max-sleep-ms (default 2000; shorter steps are\n"
    "waited out for real). The server needs DEBUG (--enable-debug-command local):\n"
    "its active expiry is switched off while the oracle runs, and active-expire ops\n"
    "become a full SCAN of every db. Use only a server whose data may be flushed.\n"
    "--json FILE writes the full report. Exit 0 when every compared op agrees, 1 on\n"
    "a divergence, 2 on usage, connection or I/O errors.\n";

int CmdOracle(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  std::optional<std::string> server, json_path;
  respfuzz::oracle::OracleOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (IsHelp(a)) {
      std::printf("%s", kOracleHelp);
      return kOk;
    } else if (a == "--server" || a == "--json" || a == "--max-sleep-ms" ||
               a == "--expiry-margin-ms") {
      if (i + 1 >= args.size()) return UsageError("oracle: " + a + " needs a value", kOracleHelp);
      const std::string& v = args[++i];
      if (a == "--server") {
        server = v;
      } else if (a == "--json") {
        json_path = v;
      } else {
        char* end = nullptr;
        errno = 0;
        const long long n = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno != 0 || n < 0 || n > 3600000) {
          return UsageError("oracle: " + a + " must be 0 to 3600000, got '" + v + "'", kOracleHelp);
        }
        if (a == "--max-sleep-ms") {
          options.max_sleep_ms = static_cast<uint32_t>(n);
        } else {
          options.expiry_margin_ms = n;
        }
      }
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError("oracle: unknown option " + a, kOracleHelp);
    } else {
      rest.push_back(a);
    }
  }
  if (rest.size() < 2)
    return UsageError("oracle: expected command_handler <file|dir>...", kOracleHelp);
  if (rest[0] != "command_handler") {
    return UsageError(
        "oracle: only command_handler has a real-server oracle, not '" + rest[0] + "'",
        kOracleHelp);
  }
  if (!server) return UsageError("oracle: --server HOST:PORT is required", kOracleHelp);
  const size_t colon = server->rfind(':');
  char* end = nullptr;
  const long port =
      colon == std::string::npos ? -1 : std::strtol(server->c_str() + colon + 1, &end, 10);
  if (colon == std::string::npos || colon == 0 || end == nullptr || *end != '\0' || port < 1 ||
      port > 65535) {
    return UsageError(
        "oracle: --server must be HOST:PORT (e.g. 127.0.0.1:6390), got '" + *server + "'",
        kOracleHelp);
  }
  options.host = server->substr(0, colon);
  options.port = static_cast<int>(port);
  const Harness* h = FindHarness("command_handler");

  // Inputs: files as given; directories walked in order, .txt programs
  // included except a regression's readable copy of its .bin.
  std::vector<std::filesystem::path> files;
  std::string missing;
  if (!respfuzz::fuzz::ExpandInputs({rest.begin() + 1, rest.end()}, &files, &missing, true)) {
    std::fprintf(stderr, "respfuzz: oracle: no such file or directory: %s\n", missing.c_str());
    return kUsage;
  }
  std::vector<std::pair<std::string, respfuzz::harnesses::CommandProgram>> programs;
  for (const auto& f : files) {
    std::string error;
    std::optional<std::string> data = LoadInput(*h, f.string(), false, &error);
    if (!data) {
      std::fprintf(stderr, "respfuzz: oracle: %s\n", error.c_str());
      return kUsage;
    }
    programs.emplace_back(f.string(), respfuzz::harnesses::DecodeCommandProgram(*data));
  }

  respfuzz::oracle::CommandOracle oracle(options);
  if (absl::Status s = oracle.Connect(); !s.ok()) {
    std::fprintf(stderr, "respfuzz: oracle: %s\n", std::string(s.message()).c_str());
    return kUsage;
  }
  respfuzz::oracle::OracleReport report;
  for (size_t i = 0; i < programs.size(); ++i) {
    const size_t div0 = report.divergences.size(), exc0 = report.excluded.size(), ops0 = report.ops,
                 cmp0 = report.compared;
    if (absl::Status s = oracle.Run(programs[i].first, programs[i].second, &report); !s.ok()) {
      oracle.Close();
      std::fprintf(stderr, "respfuzz: oracle: %s: %s\n", programs[i].first.c_str(),
                   std::string(s.message()).c_str());
      return kUsage;
    }
    std::printf("[%zu/%zu] %s: %zu ops, %zu compared, %zu excluded, %zu divergences\n", i + 1,
                programs.size(), programs[i].first.c_str(), report.ops - ops0,
                report.compared - cmp0, report.excluded.size() - exc0,
                report.divergences.size() - div0);
    std::fflush(stdout);
  }
  oracle.Close();
  for (const auto& d : report.divergences) {
    std::printf("DIVERGENCE %s op #%zu: %s\n  engine: %s\n  server: %s\n", d.program.c_str(),
                d.op_index, d.op.c_str(), d.engine.c_str(), d.server.c_str());
  }
  std::map<std::string, size_t> categories;
  for (const auto& e : report.excluded) ++categories[e.category];
  std::printf(
      "%zu programs, %zu ops: %zu compared, %zu excluded, %zu divergences; agreement %.2f%%\n",
      report.programs, report.ops, report.compared, report.excluded.size(),
      report.divergences.size(), report.agreement_percent());
  for (const auto& [category, n] : categories)
    std::printf("  excluded %-12s %zu\n", category.c_str(), n);
  if (json_path) {
    std::string error;
    if (!WriteFileAtomic(*json_path, report.ToJson(*server), &error)) {
      std::fprintf(stderr, "respfuzz: oracle: %s\n", error.c_str());
      return kUsage;
    }
    std::printf("report: %s\n", json_path->c_str());
  }
  return report.divergences.empty() ? kOk : kFound;
}

int CmdList(const std::vector<std::string>& args) {
  for (const Harness* hp : Harnesses()) {
    const Harness& h = *hp;
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
              respfuzz::harnesses::FormatQueryTree(r.ast()).c_str());
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
  if (cmd == "encode") return CmdEncode(args);
  if (cmd == "minimize") return CmdMinimize(args);
  if (cmd == "freeze") return CmdFreeze(args);
  if (cmd == "oracle") return CmdOracle(args);
  if (cmd == "serve") return respfuzz::tools::CmdServe(args);
  if (cmd == "query") return CmdQuery(args);
  return UsageError("unknown command '" + cmd + "'", kMainHelp);
}
