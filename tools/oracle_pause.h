// How the command oracle sends CLIENT PAUSE and UNPAUSE, which act on every
// connection of the server, the oracle's own too:
//   - an ALL pause holds the oracle's admin connection (its active expiry's
//     SCAN, the CLIENT LIST it asks for a session's id, the next program's
//     reset): one is sent only while it ends within kAllPauseCapMs, and the
//     oracle waits it out before it needs that connection again;
//   - a WRITE pause of any length is sent; the next program's reset begins
//     with CLIENT UNPAUSE;
//   - a command a pause may postpone is given again when the pause ends, on
//     both sides, and its reply then comes among the other sessions' frames,
//     which are compared byte for byte: while a pause may postpone it, a
//     command is sent only when its reply does not depend on a draw, a hash
//     table's order, the clock or a connection's id (ReplayComparable);
//   - a pause ends on the engine once its clock passes the end, on the server
//     at its next cron (every kServerCronMs at its default hz, which the
//     engine does not let a program change) or at a lookup of an expired key
//     after the end: from kPauseAheadMs before the engine's end until the
//     server's must have come, nothing is sent (SettleUntilMs).
#ifndef RESPFUZZ_TOOLS_ORACLE_PAUSE_H_
#define RESPFUZZ_TOOLS_ORACLE_PAUSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace respfuzz::engine {
class Engine;
}

namespace respfuzz::oracle {

constexpr int64_t kAllPauseCapMs = 1000;
constexpr int64_t kServerCronMs = 100;
constexpr int64_t kPauseAheadMs = 50;
constexpr int64_t kPauseMarginMs = 50;

// A CLIENT PAUSE the server would accept: its mode and timeout. nullopt for
// anything else (another command, or arguments the server answers with an
// error). The mode is read up to a NUL byte, as the server compares it; the
// timeout as a plain signed decimal number (absl's reading, which takes
// everything the server's takes).
struct PauseRequest {
  bool all = true;
  int64_t timeout_ms = 0;
};
std::optional<PauseRequest> ParsePause(const std::vector<std::string>& argv);

// Why `argv` from session `s` is not sent in the pause state the engine is
// in ("" when it is sent):
//   - RANDOMKEY, or a script or function, while a pause is in force (or
//     after a CLIENT PAUSE in the EXEC that runs it): redis-server 7.0.15
//     loops forever over a db of expired volatile keys (redis issue 13862);
//   - CLIENT UNBLOCK id [TIMEOUT] (itself, or run by EXEC) of a session a
//     pause postponed: redis-server 7.0.15 crashes (valkey issue 2111);
//   - it would start an ALL pause (itself, or a CLIENT PAUSE its EXEC runs)
//     that lasts past kAllPauseCapMs from `now_ms`, on its own or joined to
//     the WRITE pause in force;
//   - a pause is in force that may postpone it, and its reply, given when the
//     pause ends, would not compare byte for byte (ReplayComparable).
std::string PauseExclusion(const engine::Engine& eng, int s, const std::vector<std::string>& argv,
                           int64_t now_ms);

// Whether a pause of the engine's kind may postpone `argv` (an
// over-estimate of the engine's rule: under ALL every command; under WRITE
// one flagged write or may_replicate in 7.0.15's table, a script or function
// call, EXEC).
bool MayWaitOnPause(const engine::Engine& eng, const std::vector<std::string>& argv);

// Whether the reply to `argv`, run again when a pause ends, compares byte
// for byte: the data types' commands, transactions (an EXEC by its queue),
// PUBLISH, PING, ECHO, SELECT, CLIENT PAUSE and UNPAUSE; not a draw, a scan,
// a reply 7.0.15's table tips as nondeterministic, a script, a stream
// command (ids and idle times from the clock), a TTL reading, a connection
// command that names ids.
bool ReplayComparable(const engine::Engine& eng, int s, const std::vector<std::string>& argv);

// The real time until which nothing is sent after a pause that ends at
// `end_ms` on the engine, begun by an op that took up to `took_ms`.
inline int64_t SettleUntilMs(int64_t end_ms, int64_t took_ms) {
  return end_ms + took_ms + kServerCronMs + kPauseMarginMs;
}

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_ORACLE_PAUSE_H_
