// Set commands. Handlers are filled in family by family; a missing one
// replies "not implemented" (and the table test fails) until then.
#include <array>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

constexpr CommandHandler CmdSadd = nullptr;
constexpr CommandHandler CmdSrem = nullptr;
constexpr CommandHandler CmdSismember = nullptr;
constexpr CommandHandler CmdSmismember = nullptr;
constexpr CommandHandler CmdSmembers = nullptr;
constexpr CommandHandler CmdScard = nullptr;
constexpr CommandHandler CmdSmove = nullptr;
constexpr CommandHandler CmdSinter = nullptr;
constexpr CommandHandler CmdSunion = nullptr;
constexpr CommandHandler CmdSdiff = nullptr;
constexpr CommandHandler CmdSinterstore = nullptr;
constexpr CommandHandler CmdSunionstore = nullptr;
constexpr CommandHandler CmdSdiffstore = nullptr;
constexpr CommandHandler CmdSintercard = nullptr;

constexpr std::array<CommandSpec, 14> kCommands = {{
    {"sadd", -3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdSadd},
    {"srem", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdSrem},
    {"sismember", 3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdSismember},
    {"smismember", -3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdSmismember},
    {"smembers", 2, kCmdReadonly, 1, 1, 1, CmdSmembers},
    {"scard", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdScard},
    {"smove", 4, kCmdWrite|kCmdFast, 1, 2, 1, CmdSmove},
    {"sinter", -2, kCmdReadonly, 1, -1, 1, CmdSinter},
    {"sunion", -2, kCmdReadonly, 1, -1, 1, CmdSunion},
    {"sdiff", -2, kCmdReadonly, 1, -1, 1, CmdSdiff},
    {"sinterstore", -3, kCmdWrite|kCmdDenyOom, 1, -1, 1, CmdSinterstore},
    {"sunionstore", -3, kCmdWrite|kCmdDenyOom, 1, -1, 1, CmdSunionstore},
    {"sdiffstore", -3, kCmdWrite|kCmdDenyOom, 1, -1, 1, CmdSdiffstore},
    {"sintercard", -3, kCmdReadonly|kCmdMovableKeys, 0, 0, 0, CmdSintercard},
}};

}  // namespace

std::span<const CommandSpec> SetCommands() { return kCommands; }

}  // namespace respfuzz::engine
