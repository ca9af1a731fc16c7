// Commands the server layer answers itself, before the engine: QUIT (it ends
// the connection) and CONFIG GET (configuration belongs to the server, not to
// the engine; redis-benchmark asks for "save" and "appendonly" when it starts
// and only warns if it cannot get them).
#ifndef RESPFUZZ_SERVER_SERVER_COMMANDS_H_
#define RESPFUZZ_SERVER_SERVER_COMMANDS_H_

#include <span>
#include <string>
#include <string_view>

#include "src/engine/reply.h"

namespace respfuzz::server {

enum class ServerCommand { kNone, kQuit, kConfig };

// Which server-layer command argv[0] names (any letter case); kNone means the
// engine runs it.
ServerCommand FindServerCommand(std::string_view name);

// One configuration parameter as CONFIG GET reports it.
struct ConfigParam {
  std::string_view name;  // lower case, as Redis names parameters
  std::string value;
};

// CONFIG as redis-server 7.0 replies it, for the subcommand GET over
// `params` (other subcommands reply "ERR command 'config|x' is not
// implemented"; unknown ones Redis's "unknown subcommand" error):
//   CONFIG GET parameter [parameter ...]: each argument is a name (any letter
//   case; the reply repeats it as given) or a glob pattern (matched without
//   regard to case; the reply has the parameter's own name). A parameter is
//   reported once however many arguments match it, in the order of `params`
//   (Redis's order is its dict's). The reply is a map: RESP3 %N, RESP2 a flat
//   array of 2N.
void Config(std::span<const std::string> argv, std::span<const ConfigParam> params,
            engine::ReplyWriter& reply);

// Glob matching as Redis's stringmatchlen(), `nocase` comparing ASCII letters
// without case: engine::GlobPattern (src/engine/glob.h), which KEYS and SCAN
// use too.
bool StringMatch(std::string_view pattern, std::string_view s, bool nocase);

}  // namespace respfuzz::server

#endif  // RESPFUZZ_SERVER_SERVER_COMMANDS_H_
