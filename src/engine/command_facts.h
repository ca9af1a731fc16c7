// Redis 7.0.15's facts about its commands: what COMMAND INFO and COMMAND
// DOCS of redis-server 7.0.15 reply for every command, recorded by
// scripts/record-command-facts into src/engine/command_facts.resp (RESP3
// bytes as the server sent them) and embedded by the build. COMMAND
// (cmd_command.cc) replies from them for the commands the engine implements;
// tests/command_facts_test.cc checks the engine's table against them.
#ifndef RESPFUZZ_ENGINE_COMMAND_FACTS_H_
#define RESPFUZZ_ENGINE_COMMAND_FACTS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/resp/value.h"

namespace respfuzz::engine {

struct CommandFact {
  std::string fullname;     // "get", "client|id"
  const resp::Value* info;  // the COMMAND INFO entry (a 10-element array)
  const resp::Value* docs;  // the COMMAND DOCS entry (a map)
  // Fields of `info`.
  int arity = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  std::vector<std::string> flags;               // "write", "readonly", ...
  std::vector<std::string> acl_categories;      // "@read", ...
  std::vector<const CommandFact*> subcommands;  // in the server's order
  bool HasFlag(std::string_view flag) const;
};

// Every top-level command of redis-server 7.0.15, by name.
std::span<const CommandFact* const> AllCommandFacts();
// A command by full name, "get" or "client|id", in any letter case (Redis's
// lookupCommandBySds); nullptr when 7.0.15 has no such command.
const CommandFact* FindCommandFact(std::string_view fullname);

// Whether the engine implements a container's subcommand (engine.cc: the
// unified subcommand table, SCRIPT's and FUNCTION's own) and its arity
// (0 when unknown: SCRIPT and FUNCTION keep theirs apart).
bool EngineHasSubcommand(std::string_view container, std::string_view sub);
int EngineSubcommandArity(std::string_view container, std::string_view sub);
// Whether the engine's dispatch resolves `name`'s subcommands from its own
// table (CLIENT, CONFIG, OBJECT, PUBSUB, XGROUP, XINFO, MEMORY, COMMAND,
// ACL; not SCRIPT and FUNCTION, whose tables are the script module's).
bool IsEngineContainer(std::string_view name);
// The engine's subcommands ("client|id", ...) of the unified table
// (engine.cc); SCRIPT's and FUNCTION's are apart.
std::vector<std::string> EngineSubcommandNames();

// How a command of the engine's table disagrees with 7.0.15's facts: its
// name missing from them, or a different arity, first key, last key, step,
// or one of the flags the engine models (write readonly fast denyoom
// noscript loading stale movablekeys no_auth allow_busy skip_slowlog); ""
// when it agrees. tests/command_facts_test.cc runs it over the table.
struct CommandSpec;
std::string FactMismatch(const CommandSpec& spec);
// The full name argv's command has in the facts: "get", "client|list" (a
// container's, SCRIPT's or FUNCTION's subcommand in lower case).
std::string FactName(const CommandSpec& spec, std::span<const std::string> argv);
// The flags lookupCommand's command has for argv: for a container with a
// subcommand argument (XGROUP, FUNCTION, OBJECT, ...), spec's flags with
// write, denyoom and readonly taken from that subcommand's facts (XGROUP
// CREATE is write and denyoom, XGROUP HELP neither); else spec's own.
uint32_t FlagsForArgv(const CommandSpec& spec, std::span<const std::string> argv);

// The keys of argv (argv[0] the command `f` names) as COMMAND GETKEYS finds
// them (getKeysFromCommandWithSpecs), with their key-spec access flags as
// ACL reads them: read (access), write (insert, delete or update). Empty
// when the command takes no keys or the arguments name none.
struct FactKey {
  size_t pos;
  bool read, write;
};
std::vector<FactKey> FactKeys(const CommandFact& f, std::span<const std::string> argv);
// lookupCommand(argv): the command argv[0] names (no '|' in it), or its
// subcommand argv[1] when it has subcommands and argv has two words;
// nullptr when 7.0.15 has neither.
const CommandFact* LookupCommandFact(std::span<const std::string> argv);

// Whether the engine implements a command by full name (a top-level command
// of its table, or an implemented subcommand of one).
bool EngineImplements(std::string_view fullname);

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_COMMAND_FACTS_H_
