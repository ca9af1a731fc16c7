// The block and unblock ops of the invalidation harness (program.h says what
// they do): a client blocks on a list or sorted-set command with a timeout on
// the virtual clock, and is served by another client's write or EXEC, times
// out on `clock`, or is unblocked by CLIENT UNBLOCK. The engine and the
// tracking reference (harnesses/models/tracking_reference.h, "Blocking")
// each decide on their own what the served client is told and when; the
// reference check compares them byte for byte, the staleness and own-write
// checks see the caches as for any write.
//
// While its command is blocked a client submits nothing: the server would
// hold every later command until the block ends, and the caches' in-flight
// rules would have to guess when that is. The runner knows it from the cache
// alone: the client is blocked from the block op until its cache has no
// command pending.
#include "absl/strings/str_cat.h"
#include "harnesses/invalidation/runner.h"

namespace respfuzz::harnesses::invalidation {

bool Runner::RefusedWhileBlocked(const Op& op) {
  switch (op.kind) {
    case OpKind::kRead:
    case OpKind::kWrite:
    case OpKind::kBlock:
    case OpKind::kUnblock:
    case OpKind::kMulti:
    case OpKind::kExec:
    case OpKind::kTrackingOff:
    case OpKind::kTrackingOn:
      break;
    default:
      return false;
  }
  Client& cl = clients_[op.client];
  if (cl.blocking && cl.cache->pending() == 0) cl.blocking = false;
  if (!cl.blocking) return false;
  if (options_.trace) note_ = "refused: blocked";
  return true;
}

void Runner::RunBlockOp(const Op& op) {
  const int i = op.client;
  Client& cl = clients_[i];
  const size_t before = cl.cache->pending();
  if (op.kind == OpKind::kBlock) {
    // Inside its own MULTI the command is queued and, under EXEC, does not
    // block (the server runs it as its non-blocking form).
    const bool in_multi = checks_ && cl.in_multi;
    Submit(i, OpKind::kWrite, op.argv);
    if (cl.cache->pending() > before && !in_multi) cl.blocking = true;
    return;
  }
  // CLIENT UNBLOCK names the server's id of the target's data connection,
  // as its client would learn it from CLIENT ID (0: none open).
  const Conn& target = conns_[2 * op.target];
  const int64_t id = target.open ? eng_.session(target.session).id : 0;
  std::vector<std::string> argv = {"CLIENT", "UNBLOCK", absl::StrCat(id)};
  if (op.unblock_reason == 1) argv.push_back("TIMEOUT");
  if (op.unblock_reason == 2) argv.push_back("ERROR");
  Submit(i, OpKind::kWrite, argv);
}

}  // namespace respfuzz::harnesses::invalidation
