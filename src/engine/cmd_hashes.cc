// Hash commands. Handlers are filled in family by family; a missing one
// replies "not implemented" (and the table test fails) until then.
#include <array>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

constexpr CommandHandler CmdHset = nullptr;
constexpr CommandHandler CmdHsetnx = nullptr;
constexpr CommandHandler CmdHget = nullptr;
constexpr CommandHandler CmdHmget = nullptr;
constexpr CommandHandler CmdHmset = nullptr;
constexpr CommandHandler CmdHdel = nullptr;
constexpr CommandHandler CmdHexists = nullptr;
constexpr CommandHandler CmdHlen = nullptr;
constexpr CommandHandler CmdHkeys = nullptr;
constexpr CommandHandler CmdHvals = nullptr;
constexpr CommandHandler CmdHgetall = nullptr;
constexpr CommandHandler CmdHincrby = nullptr;
constexpr CommandHandler CmdHincrbyfloat = nullptr;
constexpr CommandHandler CmdHstrlen = nullptr;

constexpr std::array<CommandSpec, 14> kCommands = {{
    {"hset", -4, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdHset},
    {"hsetnx", 4, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdHsetnx},
    {"hget", 3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdHget},
    {"hmget", -3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdHmget},
    {"hmset", -4, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdHmset},
    {"hdel", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdHdel},
    {"hexists", 3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdHexists},
    {"hlen", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdHlen},
    {"hkeys", 2, kCmdReadonly, 1, 1, 1, CmdHkeys},
    {"hvals", 2, kCmdReadonly, 1, 1, 1, CmdHvals},
    {"hgetall", 2, kCmdReadonly, 1, 1, 1, CmdHgetall},
    {"hincrby", 4, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdHincrby},
    {"hincrbyfloat", 4, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdHincrbyfloat},
    {"hstrlen", 3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdHstrlen},
}};

}  // namespace

std::span<const CommandSpec> HashCommands() { return kCommands; }

}  // namespace respfuzz::engine
