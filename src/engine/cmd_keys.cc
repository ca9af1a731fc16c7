// Key commands. Handlers are filled in family by family; a missing one
// replies "not implemented" (and the table test fails) until then.
#include <array>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

constexpr CommandHandler CmdDel = nullptr;
constexpr CommandHandler CmdUnlink = nullptr;
constexpr CommandHandler CmdExists = nullptr;
constexpr CommandHandler CmdType = nullptr;
constexpr CommandHandler CmdExpire = nullptr;
constexpr CommandHandler CmdPexpire = nullptr;
constexpr CommandHandler CmdExpireat = nullptr;
constexpr CommandHandler CmdPexpireat = nullptr;
constexpr CommandHandler CmdTtl = nullptr;
constexpr CommandHandler CmdPttl = nullptr;
constexpr CommandHandler CmdPersist = nullptr;
constexpr CommandHandler CmdRename = nullptr;
constexpr CommandHandler CmdRenamenx = nullptr;
constexpr CommandHandler CmdCopy = nullptr;
constexpr CommandHandler CmdKeys = nullptr;
constexpr CommandHandler CmdScan = nullptr;
constexpr CommandHandler CmdDbsize = nullptr;
constexpr CommandHandler CmdFlushdb = nullptr;
constexpr CommandHandler CmdFlushall = nullptr;
constexpr CommandHandler CmdSwapdb = nullptr;

constexpr std::array<CommandSpec, 20> kCommands = {{
    {"del", -2, kCmdWrite, 1, -1, 1, CmdDel},
    {"unlink", -2, kCmdWrite|kCmdFast, 1, -1, 1, CmdUnlink},
    {"exists", -2, kCmdReadonly|kCmdFast, 1, -1, 1, CmdExists},
    {"type", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdType},
    {"expire", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdExpire},
    {"pexpire", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdPexpire},
    {"expireat", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdExpireat},
    {"pexpireat", -3, kCmdWrite|kCmdFast, 1, 1, 1, CmdPexpireat},
    {"ttl", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdTtl},
    {"pttl", 2, kCmdReadonly|kCmdFast, 1, 1, 1, CmdPttl},
    {"persist", 2, kCmdWrite|kCmdFast, 1, 1, 1, CmdPersist},
    {"rename", 3, kCmdWrite, 1, 2, 1, CmdRename},
    {"renamenx", 3, kCmdWrite|kCmdFast, 1, 2, 1, CmdRenamenx},
    {"copy", -3, kCmdWrite|kCmdDenyOom, 1, 2, 1, CmdCopy},
    {"keys", 2, kCmdReadonly, 0, 0, 0, CmdKeys},
    {"scan", -2, kCmdReadonly, 0, 0, 0, CmdScan},
    {"dbsize", 1, kCmdReadonly|kCmdFast, 0, 0, 0, CmdDbsize},
    {"flushdb", -1, kCmdWrite, 0, 0, 0, CmdFlushdb},
    {"flushall", -1, kCmdWrite, 0, 0, 0, CmdFlushall},
    {"swapdb", 3, kCmdWrite|kCmdFast, 0, 0, 0, CmdSwapdb},
}};

}  // namespace

std::span<const CommandSpec> KeyCommands() { return kCommands; }

}  // namespace respfuzz::engine
