// respfuzz query: parse one search query, print its AST and canonical form.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "harnesses/query_parser/checks.h"
#include "src/query/parser.h"
#include "src/query/printer.h"
#include "tools/cli/command.h"
#include "tools/cli/common.h"

namespace respfuzz::cli {
// Named (not anonymous) so the files can share a unity-build translation unit.
namespace query_impl {

struct Options {
  std::string query;
  std::vector<std::string> params;
  bool has_params = false;  // --params given, perhaps with no pairs
};

std::string CheckParam(const std::string& pair) {
  const size_t eq = pair.find('=');
  if (eq != std::string::npos && eq != 0) return {};
  return "expects NAME=VALUE, got '" + pair + "'";
}

int Query(const Options& o) {
  query::ParseOptions options;
  if (o.has_params) {
    options.params.emplace();
    for (const std::string& pair : o.params) {
      const size_t eq = pair.find('=');
      options.params->insert_or_assign(pair.substr(0, eq), pair.substr(eq + 1));
    }
  }
  const query::ParseResult r = query::Parse(o.query, options);
  if (!r.ok()) return Fail("query", r.error().ToString(), kFound);
  std::printf("AST (%zu nodes, depth %d):\n%s", r.ast().size(), r.ast().Depth(),
              harnesses::FormatQueryTree(r.ast()).c_str());
  std::printf("canonical: %s\n", query::Print(r.ast()).c_str());
  return kOk;
}

Runner SetUp(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.description("Parse a RediSearch-style query: the AST and the canonical form");
  cmd.add_option("query", o->query, "one FT.SEARCH query (after -- when it starts with '-')")
      ->type_name("QUERY")
      ->required();
  CLI::Option* params =
      cmd.add_option("--params", o->params, "$NAME values, as FT.SEARCH ... PARAMS")
          ->type_name("NAME=VALUE")
          ->expected(0, CLI::detail::expected_max_vector_size)
          ->check(CLI::Validator(CheckParam, "", "NAME=VALUE"));
  cmd.footer(
      "Parses one FT.SEARCH query (dialect 2 precedence) and prints the AST as an\n"
      "indented tree and its canonical form, or the syntax error with its byte offset.\n"
      "--params takes the NAME=VALUE pairs that follow it: each $NAME is then resolved\n"
      "from them and an unknown one is an error; without --params references are left\n"
      "unresolved. Put QUERY after -- when it starts with '-'. Default caps: 65536\n"
      "bytes, depth 128, 4096 nodes.\n"
      "\n"
      "Exit 0 parsed, 1 syntax error, 2 usage error.\n"
      "\n"
      "Examples:\n"
      "  respfuzz query 'hello @title:(wor* -\"exact phrase\") @n:[(1 +inf]'\n"
      "  respfuzz query '@n:[$lo 5] $w' --params lo=2.5 w=Hello\n"
      "  respfuzz query --params w=x -- '-$w'");
  return [o, params] {
    o->has_params = params->count() > 0;
    return Query(*o);
  };
}

RESPFUZZ_CLI_COMMAND(query, SetUp);

}  // namespace query_impl
}  // namespace respfuzz::cli
