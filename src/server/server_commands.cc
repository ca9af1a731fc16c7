#include "src/server/server_commands.h"

#include <vector>

#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/glob.h"

namespace respfuzz::server {

namespace {

bool IsGlob(std::string_view s) {
  // strpbrk(name, "[*?"): the C string ends at a NUL.
  return engine::CStr(s).find_first_of("[*?") != std::string_view::npos;
}

}  // namespace

ServerCommand FindServerCommand(std::string_view name) {
  // Cheap first test: this runs before every command.
  if (name.size() == 4 && engine::IEquals(name, "quit")) return ServerCommand::kQuit;
  if (name.size() == 6 && engine::IEquals(name, "config")) return ServerCommand::kConfig;
  return ServerCommand::kNone;
}

bool StringMatch(std::string_view pattern, std::string_view s, bool nocase) {
  return engine::GlobPattern(pattern, nocase).Matches(s);
}

void Config(std::span<const std::string> argv, std::span<const ConfigParam> params,
            engine::ReplyWriter& reply) {
  if (argv.size() < 2) {
    reply.Error(engine::ArityError("config"));
    return;
  }
  const std::string& sub = argv[1];
  if (!engine::IEquals(sub, "get")) {
    for (std::string_view known : {"set", "resetstat", "rewrite", "help"}) {
      if (engine::IEquals(sub, known)) {
        reply.Error("ERR command 'config|" + std::string(known) + "' is not implemented");
        return;
      }
    }
    reply.Error(engine::UnknownSubcommandError(argv[0], sub));
    return;
  }
  if (argv.size() < 3) {
    reply.Error(engine::ArityError("config|get"));
    return;
  }
  // The name each matched parameter is reported under, "" when unmatched.
  std::vector<std::string> reported(params.size());
  std::vector<bool> matched(params.size(), false);
  size_t count = 0;
  for (size_t a = 2; a < argv.size(); ++a) {
    const std::string& arg = argv[a];
    const bool glob = IsGlob(arg);
    for (size_t i = 0; i < params.size(); ++i) {
      if (matched[i]) continue;
      const bool hit = glob ? StringMatch(arg, params[i].name, /*nocase=*/true)
                            : engine::IEquals(arg, params[i].name);
      if (!hit) continue;
      matched[i] = true;
      reported[i] = glob ? std::string(params[i].name) : arg;
      ++count;
    }
  }
  reply.MapHeader(static_cast<int64_t>(count));
  for (size_t i = 0; i < params.size(); ++i) {
    if (!matched[i]) continue;
    reply.Bulk(reported[i]);
    reply.Bulk(params[i].value);
  }
}

}  // namespace respfuzz::server
