// The connection program: up to kConnMaxClients clients and `respfuzz
// serve`'s Server on a simulated transport (src/server/sim_transport.h).
// Its text form is the chaos event log, one op per line:
//   cN connect          client N opens a connection (a new one if its last
//                       one is over); the server accepts it on a later tick
//   cN send "BYTES" [/K] client N sends BYTES (C escapes: \r \n \t \\ \" \xHH),
//                       read by the server at most K bytes at a time
//   cN window W         client N now accepts W more bytes (0: writes block)
//   cN never-read       client N never reads again (its window stays 0)
//   cN fin              client N half-closes (the server reads EOF)
//   cN rst              client N resets (ECONNRESET on the next read or write)
//   cN close            client N closes (EOF to reads, EPIPE to writes)
//   accept-fail         the next accept fails with EMFILE
//   tick                one turn of the server's event loop
//   clock +MS           the clock moves MS milliseconds
// N is 0..7; ops on a client with no connection are skipped.
//
// Byte form (decode is total): op byte b: kind = (b & 0x0f), 10..15 meaning
// tick; client = (b >> 4) & 7. send: a payload byte p < 0x80 is request-pool
// entry p % pool size (RequestPool()); p >= 0x80 is a literal of
// (p & 0x7f) + 1 bytes that follow; then a slice byte (0: one piece).
// window: u16 BE. clock: u16 BE ms. Input that runs out mid-op ends the
// program before that op; at most kConnMaxOps ops.
#ifndef RESPFUZZ_HARNESSES_CONNECTION_PROGRAM_H_
#define RESPFUZZ_HARNESSES_CONNECTION_PROGRAM_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace respfuzz::harnesses {

inline constexpr int kConnMaxClients = 8;
inline constexpr size_t kConnMaxOps = 128;
inline constexpr size_t kConnMaxSendLen = 128;  // bytes of one send
inline constexpr size_t kConnMaxSlice = 255;
inline constexpr uint32_t kConnMaxWindow = 65535;
inline constexpr uint32_t kConnMaxClockStep = 65535;

enum class ConnOpKind : uint8_t {
  kConnect,
  kSend,
  kWindow,
  kNeverRead,
  kFin,
  kRst,
  kClose,
  kAcceptFail,
  kTick,
  kClock,
};

struct ConnOp {
  ConnOpKind kind = ConnOpKind::kTick;
  int client = 0;      // every kind but kAcceptFail, kTick, kClock
  std::string bytes;   // kSend
  uint32_t slice = 0;  // kSend: 0 = one piece
  uint32_t n = 0;      // kWindow: bytes; kClock: ms
  bool operator==(const ConnOp&) const = default;
};

struct ConnProgram {
  std::vector<ConnOp> ops;
  bool operator==(const ConnProgram&) const = default;
};

// Ready-made requests the byte form picks by index (PING, SET, GET, MULTI,
// QUIT, CLIENT TRACKING, CLIENT KILL, a big APPEND, a protocol error, ...).
std::span<const std::string_view> RequestPool();

ConnProgram DecodeConnProgram(std::string_view bytes);
// DecodeConnProgram(EncodeConnProgram(p)) == p for programs within the caps.
std::string EncodeConnProgram(const ConnProgram& p);
std::string ConnOpToText(const ConnOp& op);
std::string ConnProgramToText(const ConnProgram& p);
// Errors name the line: "line 3: unknown client 'c9' (c0..c7)".
absl::StatusOr<ConnProgram> ConnProgramFromText(std::string_view text);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_CONNECTION_PROGRAM_H_
