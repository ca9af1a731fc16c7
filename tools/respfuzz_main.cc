// respfuzz: the project's command-line tool. Each subcommand lives in its own
// file under tools/cli/ and registers itself (tools/cli/command.h); this file
// puts them on one CLI11 command line and runs the one selected.
//
// Exit codes: 0 success; 1 a failure found (protocol error, violation,
// divergence); 2 usage or I/O errors.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/cli/command.h"

namespace {

using respfuzz::cli::kUsage;

// CLI11's errors as one line: "respfuzz: CMD: what (see 'respfuzz CMD --help')".
std::string OneLineError(const CLI::App* app, const CLI::Error& e) {
  std::string message = e.what();
  std::string command;
  const std::vector<CLI::App*> selected = app->get_subcommands();
  // CLI11 checks for missing values before unexpected arguments; a mistyped
  // option is the likelier cause, so name the unexpected arguments instead.
  const std::vector<std::string> rest = app->remaining(/*recurse=*/true);
  const bool required = e.get_name() == "RequiredError";
  if (!selected.empty()) {
    command = selected[0]->get_name();
    if (required && !rest.empty()) message = CLI::ExtrasError(rest).what();
    // Some errors already start with the command's name.
    if (message.starts_with(command + ": ")) message.erase(0, command.size() + 2);
  } else if (required && !rest.empty()) {
    message = rest[0].starts_with("-") ? "unknown option " + rest[0]
                                       : "unknown command '" + rest[0] + "'";
  }
  // "The following ..." reads as a sentence's start; keep acronyms as they are.
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
      !std::isupper(static_cast<unsigned char>(message[1]))) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  std::replace(message.begin(), message.end(), '\n', ' ');
  const std::string help = command.empty() ? "respfuzz --help" : "respfuzz " + command + " --help";
  return "respfuzz: " + (command.empty() ? "" : command + ": ") + message + " (see '" + help +
         "')\n";
}

// CLI11 takes a "--" right after a multi-value option's values as the end of
// that list only, so in `query --params a=1 -- -x` the "-x" would be read as
// an option. respfuzz has always read "--" as the end of options: doubling
// such a "--" keeps that meaning.
void KeepEndOfOptions(const CLI::App& cmd, std::vector<std::string>& args) {
  const auto mark = std::find(args.begin(), args.end(), "--");
  if (mark == args.end()) return;
  for (auto it = mark; it != args.begin();) {
    --it;
    if (it->size() < 2 || (*it)[0] != '-') continue;
    const CLI::Option* opt = cmd.get_option_no_throw(it->substr(0, it->find('=')));
    if (opt != nullptr && opt->get_items_expected_max() > 1) args.insert(mark, "--");
    return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // `respfuzz help [COMMAND]` is `respfuzz [COMMAND] --help`.
  if (!args.empty() && args[0] == "help") {
    args.erase(args.begin());
    args.push_back("--help");
  }

  CLI::App app(
      "respfuzz: the Redis protocol harnesses from the command line: replay, decode,\n"
      "encode, minimize and freeze fuzzer inputs; parse reply captures and search\n"
      "queries; compare the engine with redis-server; serve RESP on the engine;\n"
      "fuzz client-side caches against a server for stale reads.",
      "respfuzz");
  app.footer(
      "Run 'respfuzz COMMAND --help' (or 'respfuzz help COMMAND') for a command's\n"
      "options, exit codes and examples.\n"
      "Exit status: 0 success, 1 a failure found (protocol error, violation,\n"
      "divergence), 2 usage or I/O error.");
  app.require_subcommand(1);
  app.failure_message(OneLineError);

  std::map<const CLI::App*, respfuzz::cli::Runner> runners;
  for (const respfuzz::cli::Command& c : respfuzz::cli::Commands()) {
    CLI::App* cmd = app.add_subcommand(std::string(c.name));
    runners[cmd] = c.setup(*cmd);
    if (!args.empty() && args[0] == c.name) KeepEndOfOptions(*cmd, args);
  }

  try {
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    // --help prints the help of the command given and exits 0.
    return app.exit(e) == 0 ? 0 : kUsage;
  }
  return runners.at(app.get_subcommands().at(0))();
}
