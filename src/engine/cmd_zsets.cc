// SortedSet commands. Handlers are filled in family by family; a missing one
// replies "not implemented" (and the table test fails) until then.
#include <array>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

constexpr CommandHandler CmdZadd = nullptr;
constexpr CommandHandler CmdZrem = nullptr;
constexpr CommandHandler CmdZscore = nullptr;
constexpr CommandHandler CmdZmscore = nullptr;
constexpr CommandHandler CmdZincrby = nullptr;
constexpr CommandHandler CmdZcard = nullptr;
constexpr CommandHandler CmdZcount = nullptr;
constexpr CommandHandler CmdZrange = nullptr;
constexpr CommandHandler CmdZrangebyscore = nullptr;
constexpr CommandHandler CmdZrevrange = nullptr;
constexpr CommandHandler CmdZrank = nullptr;
constexpr CommandHandler CmdZrevrank = nullptr;
constexpr CommandHandler CmdZrangebylex = nullptr;
constexpr CommandHandler CmdZlexcount = nullptr;
constexpr CommandHandler CmdZremrangebyrank = nullptr;
constexpr CommandHandler CmdZremrangebyscore = nullptr;
constexpr CommandHandler CmdZpopmin = nullptr;
constexpr CommandHandler CmdZpopmax = nullptr;

constexpr std::array<CommandSpec, 18> kCommands = {{
    {"zadd", -4, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdZadd},
    {"zrem", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdZrem},
    {"zscore", 3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdZscore},
    {"zmscore", -3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdZmscore},
    {"zincrby", 4, kCmdWrite|kCmdDenyOom|kCmdFast, 1, 1, 1, CmdZincrby},
    {"zcard", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdZcard},
    {"zcount", 4, kCmdReadonly|kCmdFast, 1, 1, 1, CmdZcount},
    {"zrange", -4, kCmdReadonly, 1, 1, 1, CmdZrange},
    {"zrangebyscore", -4, kCmdReadonly, 1, 1, 1, CmdZrangebyscore},
    {"zrevrange", -4, kCmdReadonly, 1, 1, 1, CmdZrevrange},
    {"zrank", 3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdZrank},
    {"zrevrank", 3, kCmdReadonly|kCmdFast, 1, 1, 1, CmdZrevrank},
    {"zrangebylex", -4, kCmdReadonly, 1, 1, 1, CmdZrangebylex},
    {"zlexcount", 4, kCmdReadonly|kCmdFast, 1, 1, 1, CmdZlexcount},
    {"zremrangebyrank", 4, kCmdWrite, 1, 1, 1, CmdZremrangebyrank},
    {"zremrangebyscore", 4, kCmdWrite, 1, 1, 1, CmdZremrangebyscore},
    {"zpopmin", -2, kCmdWrite|kCmdFast, 1, 1, 1, CmdZpopmin},
    {"zpopmax", -2, kCmdWrite|kCmdFast, 1, 1, 1, CmdZpopmax},
}};

}  // namespace

std::span<const CommandSpec> SortedSetCommands() { return kCommands; }

}  // namespace respfuzz::engine
