// String commands. Handlers are filled in family by family; a missing one
// replies "not implemented" (and the table test fails) until then.
#include <array>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

constexpr CommandHandler CmdGet = nullptr;
constexpr CommandHandler CmdSet = nullptr;
constexpr CommandHandler CmdSetnx = nullptr;
constexpr CommandHandler CmdSetex = nullptr;
constexpr CommandHandler CmdPsetex = nullptr;
constexpr CommandHandler CmdMget = nullptr;
constexpr CommandHandler CmdMset = nullptr;
constexpr CommandHandler CmdMsetnx = nullptr;
constexpr CommandHandler CmdAppend = nullptr;
constexpr CommandHandler CmdStrlen = nullptr;
constexpr CommandHandler CmdIncr = nullptr;
constexpr CommandHandler CmdIncrby = nullptr;
constexpr CommandHandler CmdDecr = nullptr;
constexpr CommandHandler CmdDecrby = nullptr;
constexpr CommandHandler CmdIncrbyfloat = nullptr;
constexpr CommandHandler CmdGetrange = nullptr;
constexpr CommandHandler CmdSetrange = nullptr;
constexpr CommandHandler CmdGetdel = nullptr;
constexpr CommandHandler CmdGetex = nullptr;
constexpr CommandHandler CmdGetset = nullptr;

constexpr std::array<CommandSpec, 20> kCommands = {{
    {"get", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdGet},
    {"set", -3, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdSet},
    {"setnx", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdSetnx},
    {"setex", 4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdSetex},
    {"psetex", 4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdPsetex},
    {"mget", -2, kCmdReadonly|kCmdFast, 1, -1, 1, CmdMget},
    {"mset", -3, kCmdWrite|kCmdDenyOom, 1, -1, 2, CmdMset},
    {"msetnx", -3, kCmdWrite|kCmdDenyOom, 1, -1, 2, CmdMsetnx},
    {"append", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdAppend},
    {"strlen", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdStrlen},
    {"incr", 2, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdIncr},
    {"incrby", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdIncrby},
    {"decr", 2, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdDecr},
    {"decrby", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdDecrby},
    {"incrbyfloat", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdIncrbyfloat},
    {"getrange", 4, kCmdReadonly, 1, 1, 1, CmdGetrange},
    {"setrange", 4, kCmdWrite|kCmdDenyOom, 1, 1, 1, CmdSetrange},
    {"getdel", 2, kCmdWrite|kCmdFast, 1, 1, 1, CmdGetdel},
    {"getex", -2, kCmdWrite|kCmdFast, 1, 1, 1, CmdGetex},
    {"getset", 3, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdGetset},
}};

}  // namespace

std::span<const CommandSpec> StringCommands() { return kCommands; }

}  // namespace respfuzz::engine
