// The invalidation harness's checks (docs/invalidation.md). The runner
// (runner.h) runs a program (program.h, where every op is described) and,
// after every op (the first violation stops the program), these:
//   staleness   every cache hit equals the server's current value for that
//               command unless the staleness rule (staleness.h) allows it.
//   own-write   checked on every hit before staleness, and no allowance
//               applies (it is what the client knows by itself): after the
//               client submitted a write naming one of the read's keys in
//               the read's db (or FLUSHALL, or FLUSHDB or SWAPDB of that
//               db), a hit needs a reply to the same read submitted after
//               that write to have come back. Writes count from their
//               submission, MULTI or not, sent or not, NOLOOP or not.
//   transaction no hit while the client is inside its own MULTI (a MULTI
//               submitted, its EXEC not yet): such a read must be queued.
//   reference   after every server action, the bytes the engine wrote to
//               each connection (replies and pushes, in order) equal the
//               reference model's; once the reference says unmodelled(),
//               this check stops for the rest of the program.
//   framing     every chunk the engine writes to a connection reads back
//               as whole RESP frames in that connection's protocol.
//   client      ClientCache::OnBytes accepts the server's bytes (but for
//               CLIENT TRACKING on REDIRECT refused because the program
//               killed that redirect connection during the handshake: the
//               cache disconnects, as it must), the server can parse what
//               the cache writes, the cache refuses a command for its
//               pending limit only once it has accepted that many, and it
//               is disconnected (status() not OK: OnBytes's error) exactly
//               from an OnBytes error or an EOF until it reconnects
//               (status() OK again).
//   validate    Engine::Validate() (the tracker's included) and every
//               ClientCache::Validate(), each after the ops that can have
//               changed it (the engine: a server action or a connection
//               opening or closing; a cache: the runner's calls on it), and
//               all of them once more after the last op.
//   retention   an entry a cache held after the previous op is still held
//               unless an invalidation, own write, flush, eviction or
//               reconnect allows dropping it (retention.h).
//   liveness    a tracking cache (not plain) that has not failed, whose
//               connections are all open on the server with every byte
//               moved both ways (nothing in its output, nothing undelivered,
//               no EOF unseen), and whose data connection the engine tracks
//               (CLIENT TRACKING on took effect there), is ready and caching:
//               the server's +OK reached it, so it must use it. A cache that
//               never caches is never stale, and the checks above pass it.
// Each is a method of the runner in checks.cc (retention: retention.cc),
// named after it.
#ifndef RESPFUZZ_HARNESSES_INVALIDATION_CHECKS_H_
#define RESPFUZZ_HARNESSES_INVALIDATION_CHECKS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/common/program_kit.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/verdict.h"
#include "harnesses/invalidation/program.h"
#include "harnesses/invalidation/runner.h"
#include "src/resp/reader.h"

namespace respfuzz::harnesses::invalidation {

// Whether two byte chunks a connection received for one command (its reply,
// then pushes) differ only in the order of a reply Redis does not order
// (SMEMBERS, HKEYS, HVALS, HGETALL by pair; EXEC's elements by what they
// answer, `exec_queue`).
bool SameRepliesButOrder(const std::vector<std::string>& argv,
                         const std::vector<std::vector<std::string>>& exec_queue,
                         resp::Protocol proto, std::string_view got, std::string_view want);

// Where each complete top-level frame of `bytes` (read from its start in
// `proto`) ends: the offset just past its last byte, in order. `reader` is
// reset and used for it.
void FrameEnds(resp::Protocol proto, std::string_view bytes, resp::Reader* reader,
               std::vector<size_t>* ends);

// The program kit's minimizer (MinimizeOps) run with `options`: drops ops
// (the clients stay) while the program fails the same way (the same check at
// the same op kind). nullopt when the program does not fail.
std::optional<Program> MinimizeProgram(Program program, const RunOptions& options,
                                       MinimizeReport* report);

// The harness's pieces (default options).
extern const ProgramCodec<Program> kInvalidationProgram;

}  // namespace respfuzz::harnesses::invalidation

namespace respfuzz::harnesses {
extern const Harness kRegisteredHarness_invalidation;
}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_INVALIDATION_CHECKS_H_
