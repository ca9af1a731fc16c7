// The command program model: what the command_handler harness, the respfuzz
// CLI (encode, decode, run, minimize, freeze, oracle) and the tests share.
//
// A program is a list of ops, each one of
//   s<N> NAME arg...   a command from session N (1..kMaxSessions)
//   clock +<ms>ms      the virtual clock moves forward
//   active-expire      every expired key is deleted now
//
// Byte form (decode is total: every byte string is a program):
//   op byte h: session = (h & 3) + 1; kind = h >> 2:
//       0..55 command, 56..61 clock, 62..63 active-expire
//   command:  name byte (index into CommandNames(); the value kLiteralName
//             or above means a literal name token follows), argc byte
//             (% (kMaxArgs + 1)), then argc tokens
//   token:    t < 0x80: pool t >> 4, entry t & 15 (see Pool())
//             t >= 0x80: literal of (t & 0x7f) bytes that follow
//             except where a script goes (EVAL/EVAL_RO's first argument,
//             SCRIPT LOAD's body: Scripts()[t % count]) or a script's sha
//             (EVALSHA/EVALSHA_RO's first argument, SCRIPT's other
//             subcommands' arguments): there t < 0x80 picks from Scripts()
//   clock:    byte b: b < 0xff: kClockSteps[b % 16]; 0xff: 4 bytes LE ms
// Input that runs out mid-op ends the program before that op.
#ifndef RESPFUZZ_HARNESSES_COMMAND_HANDLER_PROGRAM_H_
#define RESPFUZZ_HARNESSES_COMMAND_HANDLER_PROGRAM_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace respfuzz::harnesses {

inline constexpr int kMaxSessions = 4;
inline constexpr size_t kMaxOps = 256;         // ops per program
inline constexpr size_t kMaxArgs = 16;         // arguments per command, name excluded
inline constexpr size_t kMaxLiteralLen = 127;  // bytes per literal token
inline constexpr int kPoolCount = 8;
inline constexpr int kPoolSize = 16;
inline constexpr uint8_t kLiteralName = 0xff;

enum class OpKind : uint8_t { kCommand, kClock, kActiveExpire };

struct Op {
  OpKind kind = OpKind::kCommand;
  int session = 0;                // 0-based; text shows s1..s4
  std::vector<std::string> argv;  // kCommand: name and arguments
  uint32_t clock_ms = 0;          // kClock

  bool operator==(const Op&) const = default;
};

struct CommandProgram {
  std::vector<Op> ops;
  bool operator==(const CommandProgram&) const = default;
};

// The command names the byte form can pick by index (upper case).
std::span<const std::string_view> CommandNames();
// Pool p (0..kPoolCount-1): keys, elements, values, integers, floats/edges,
// option words (two pools), patterns and ranges.
std::span<const std::string_view> Pool(int p);
std::span<const uint32_t> ClockSteps();
// The script bodies the byte form picks for EVAL and SCRIPT LOAD (their
// shas for EVALSHA and SCRIPT EXISTS).
std::span<const std::string_view> Scripts();
// FUNCTION's arguments and FCALL's / FCALL_RO's function name: there t < 0x80
// picks from FunctionWords() (subcommands, names, library templates).
std::span<const std::string_view> FunctionWords();

CommandProgram DecodeCommandProgram(std::string_view bytes);
// The inverse of decode on programs within the caps: DecodeCommandProgram(
// EncodeCommandProgram(p)) == p. Ops or tokens past the caps are dropped.
std::string EncodeCommandProgram(const CommandProgram& p);

// Text form, one op per line; arguments that are not plain words are
// written quoted ("..." with \xHH escapes), so any bytes survive.
std::string OpToText(const Op& op);
std::string CommandProgramToText(const CommandProgram& p);
// Parses the text form; '#' comment lines and blank lines are skipped.
// Errors name the line: "line 3: unknown session 's9' (s1..s4)".
absl::StatusOr<CommandProgram> CommandProgramFromText(std::string_view text);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_COMMAND_HANDLER_PROGRAM_H_
