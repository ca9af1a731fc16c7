// List commands. Handlers are filled in family by family; a missing one
// replies "not implemented" (and the table test fails) until then.
#include <array>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

constexpr CommandHandler CmdLpush = nullptr;
constexpr CommandHandler CmdRpush = nullptr;
constexpr CommandHandler CmdLpushx = nullptr;
constexpr CommandHandler CmdRpushx = nullptr;
constexpr CommandHandler CmdLpop = nullptr;
constexpr CommandHandler CmdRpop = nullptr;
constexpr CommandHandler CmdLlen = nullptr;
constexpr CommandHandler CmdLrange = nullptr;
constexpr CommandHandler CmdLindex = nullptr;
constexpr CommandHandler CmdLset = nullptr;
constexpr CommandHandler CmdLrem = nullptr;
constexpr CommandHandler CmdLtrim = nullptr;
constexpr CommandHandler CmdLinsert = nullptr;
constexpr CommandHandler CmdLpos = nullptr;
constexpr CommandHandler CmdLmove = nullptr;
constexpr CommandHandler CmdRpoplpush = nullptr;

constexpr std::array<CommandSpec, 16> kCommands = {{
    {"lpush", -3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdLpush},
    {"rpush", -3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdRpush},
    {"lpushx", -3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdLpushx},
    {"rpushx", -3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdRpushx},
    {"lpop", -2, kCmdWrite|kCmdFast, 1, 1, 1, CmdLpop},
    {"rpop", -2, kCmdWrite|kCmdFast, 1, 1, 1, CmdRpop},
    {"llen", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdLlen},
    {"lrange", 4, kCmdReadonly, 1, 1, 1, CmdLrange},
    {"lindex", 3, kCmdReadonly, 1, 1, 1, CmdLindex},
    {"lset", 4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdLset},
    {"lrem", 4, kCmdWrite, 1, 1, 1, CmdLrem},
    {"ltrim", 4, kCmdWrite, 1, 1, 1, CmdLtrim},
    {"linsert", 5, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdLinsert},
    {"lpos", -3, kCmdReadonly, 1, 1, 1, CmdLpos},
    {"lmove", 5, kCmdWrite|kCmdDenyOom, 1, 2, 1, CmdLmove},
    {"rpoplpush", 3, kCmdWrite|kCmdDenyOom, 1, 2, 1, CmdRpoplpush},
}};

}  // namespace

std::span<const CommandSpec> ListCommands() { return kCommands; }

}  // namespace respfuzz::engine
