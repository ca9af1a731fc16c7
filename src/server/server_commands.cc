#include "src/server/server_commands.h"

#include <vector>

#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/glob.h"

namespace respfuzz::server {

ServerCommand FindServerCommand(std::string_view name) {
  // Cheap first test: this runs before every command.
  if (name.size() == 4 && engine::IEquals(name, "quit")) return ServerCommand::kQuit;
  return ServerCommand::kNone;
}

bool StringMatch(std::string_view pattern, std::string_view s, bool nocase) {
  return engine::GlobPattern(pattern, nocase).Matches(s);
}

}  // namespace respfuzz::server
