// respfuzz parse: raw RESP reply bytes -> each value, or the protocol error.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/resp/reader.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace parse_impl {

class PrintingVisitor : public resp::Visitor {
 public:
  // Values are printed whole: a tree is built per top-level value.
  void OnString(resp::Type t, std::string_view s) override {
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
  void OnNull(resp::Type t) override {
    builder_.OnNull(t);
    Flush();
  }
  void OnBegin(resp::Type t, int64_t len) override { builder_.OnBegin(t, len); }
  void OnEnd() override {
    builder_.OnEnd();
    Flush();
  }
  uint64_t printed() const { return printed_; }

 private:
  void Flush() {
    for (const auto& v : values_) {
      std::printf("#%llu %s\n", static_cast<unsigned long long>(printed_++),
                  resp::ToDebugString(v, 1 << 20).c_str());
    }
    values_.clear();
  }
  std::vector<resp::Value> values_;
  resp::TreeBuilder builder_{&values_};
  uint64_t printed_ = 0;
};

struct Options {
  resp::Protocol protocol = resp::Protocol::kResp3;
  std::string path = "-";
};

int Parse(const Options& o) {
  std::string error;
  std::optional<std::string> data = ReadInput(o.path, &error);
  if (!data) return Fail("parse", error);
  resp::Reader reader(o.protocol);
  PrintingVisitor printer;
  if (!reader.Feed(*data, printer)) {
    std::fprintf(stderr, "respfuzz: parse: protocol error at offset %llu: %s (%s)\n",
                 static_cast<unsigned long long>(reader.error().offset),
                 reader.error().reason.c_str(),
                 std::string(resp::ReaderErrorCodeName(reader.error().code)).c_str());
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

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Read raw RESP reply bytes (e.g. a capture) and print each value");
  // Callbacks on parse, so the last of --resp2/--resp3 given wins.
  cmd.add_flag_callback(
         "--resp2", [o] { o->protocol = resp::Protocol::kResp2; }, "RESP2 only: + - : $ * (strict)")
      ->trigger_on_parse();
  cmd.add_flag_callback(
         "--resp3", [o] { o->protocol = resp::Protocol::kResp3; },
         "every RESP3 type, streamed forms included (the default)")
      ->trigger_on_parse();
  cmd.add_option("input", o->path, "file of reply bytes; - or none: standard input")
      ->type_name("FILE|-");
  cmd.footer(
      "Prints each complete value ('#N value'), then the protocol error with its byte\n"
      "offset if any, and a count of values and bytes on stderr. Redis's default\n"
      "limits apply.\n"
      "\n"
      "Exit 0 when everything parsed, 1 on a protocol error or an input that ends\n"
      "inside a value, 2 on usage or I/O errors.\n"
      "\n"
      "Examples:\n"
      "  respfuzz parse capture.resp\n"
      "  printf '+OK\\r\\n:12\\r\\n' | respfuzz parse --resp2");
  return [o] { return Parse(*o); };
}

RESPFUZZ_CLI_COMMAND(parse, SetUp);

}  // namespace parse_impl
}  // namespace respfuzz::cli
