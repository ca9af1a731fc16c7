// Commands the server layer answers itself, before the engine: QUIT (it ends
// the connection). CONFIG is the engine's; the server gives it its own
// parameters (Engine::SetServerParams).
#ifndef RESPFUZZ_SERVER_SERVER_COMMANDS_H_
#define RESPFUZZ_SERVER_SERVER_COMMANDS_H_

#include <span>
#include <string>
#include <string_view>

#include "src/engine/reply.h"

namespace respfuzz::server {

enum class ServerCommand { kNone, kQuit };

// Which server-layer command argv[0] names (any letter case); kNone means the
// engine runs it.
ServerCommand FindServerCommand(std::string_view name);

// Glob matching as Redis's stringmatchlen(), `nocase` comparing ASCII letters
// without case: engine::GlobPattern (src/engine/glob.h), which KEYS and SCAN
// use too.
bool StringMatch(std::string_view pattern, std::string_view s, bool nocase);

}  // namespace respfuzz::server

#endif  // RESPFUZZ_SERVER_SERVER_COMMANDS_H_
