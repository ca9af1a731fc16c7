// CLIENT PAUSE and CLIENT UNPAUSE in the reference model, from redis-server
// 7.0.15's clientCommand, pauseClients, updateClientPauseTypeAndEndTime and
// unblockPostponedClients (networking.c), processCommand's pause check
// (server.c) and expireIfNeeded's (db.c), for the one pause a client can
// set:
//
// - the pause is a type (WRITE below ALL) and an end on the clock; a later
//   CLIENT PAUSE keeps the more restrictive type and the later end. A
//   timeout of 0 sets an end of 0, which has passed: no pause; a huge one
//   wraps past the clock, also in the past;
// - processCommand, after every rejection and before MULTI queues the
//   command, postpones a command while paused: any under ALL, under WRITE
//   one whose flags are write or may_replicate (a script that declares
//   flags: write unless no-writes; EXEC: any queued command's); a monitor
//   (a replica to processCommand) never waits. The session counts as
//   blocked and keeps its command;
// - the pause ends when the clock passes its end (serverCron's check) or on
//   CLIENT UNPAUSE; the postponed sessions then run their command again, in
//   the order they waited, after the command that ended it (or after the
//   clock step's blocked-client timeouts), each reply delivered to its
//   session;
// - while paused, an expired key reads as absent but stays stored, the
//   active expiry deletes nothing, and performEvictions neither evicts nor
//   refuses;
// - CLIENT UNBLOCK id ERROR of a postponed session sends it the UNBLOCKED
//   error and runs its command again (postponed again while paused);
//   7.0.15 crashes on UNBLOCK id TIMEOUT of one (serverPanic, "Unknown
//   btype"), where the model answers 0 as the engine does
//   (docs/fidelity.md).
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

bool PauseMayReplicate(const State& st, const std::vector<std::string>& argv) {
  const std::string name = Lowered(argv[0]);
  if (std::optional<bool> writes = ScriptDeclaresWrite(st, argv, name)) return *writes;
  int arity = 0;
  uint32_t flags = 0;
  if (CommandInfoOf(argv, &arity, &flags) && (flags & kInfoWrite) != 0) return true;
  return MayReplicateCommand(name);
}

namespace {

// updateClientPauseTypeAndEndTime: an ended pause is gone; when the type
// weakened, every postponed session is let go (run again after the
// command or step that ended it: RunUnpaused).
void UpdatePause(State& st) {
  const int old = st.pause_type;
  if (st.pause_type != kPauseOff && st.pause_end < st.now) {
    st.pause_type = kPauseOff;
    st.pause_end = 0;
  }
  if (st.pause_type >= old) return;
  for (int session : st.postponed) st.unpaused.push_back(session);
  st.postponed.clear();
}

}  // namespace

bool PausePostpones(const State& st, int session, const std::vector<std::string>& argv) {
  if (st.pause_type == kPauseOff || st.sessions[session].monitor) return false;
  if (st.pause_type == kPauseAll) return true;
  if (PauseMayReplicate(st, argv)) return true;
  if (Lowered(argv[0]) != "exec") return false;
  for (const std::vector<std::string>& q : st.sessions[session].queued) {
    if (PauseMayReplicate(st, q)) return true;
  }
  return false;
}

void Postpone(State& st, int session, const std::vector<std::string>& argv) {
  Blocked& b = st.sessions[session].blocked;
  b = Blocked();
  b.on = true;
  b.postponed = true;
  b.argv = argv;
  st.postponed.push_back(session);
}

bool ExpirePaused(const State& st) { return st.pause_type != kPauseOff; }

void CheckPauseEnd(State& st) {
  if (st.pause_type != kPauseOff && st.pause_end < st.now) UpdatePause(st);
}

void RunUnpaused(State& st) {
  while (!st.unpaused.empty()) {
    const int session = st.unpaused.front();
    st.unpaused.erase(st.unpaused.begin());
    Blocked& b = st.sessions[session].blocked;
    if (!b.on || !b.postponed) continue;  // killed or reset since
    const std::vector<std::string> argv = std::move(b.argv);
    b = Blocked();
    // Its reply (or its frames, for SUBSCRIBE & co.) goes to the session;
    // the running command's own reply state is kept.
    const bool no_reply = st.no_reply;
    st.no_reply = false;
    Value reply = Process(st, session, argv);
    if (!st.sessions[session].blocked.on && !st.no_reply) {
      DeliverFrame(st, session, std::move(reply));
    }
    st.no_reply = no_reply;
  }
}

void ForgetPostponed(State& st, int session) {
  std::erase(st.postponed, session);
  std::erase(st.unpaused, session);
}

bool UnblockPostponedWithError(State& st, int session) {
  ForgetPostponed(st, session);
  DeliverFrame(st, session, Value::Error("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  st.unpaused.push_back(session);  // it tries again
  return true;
}

// CLIENT PAUSE timeout [WRITE|ALL]
Value ClientPause(Ctx& c) {
  if (c.argc() > 4) {
    return c.Err("unknown subcommand or wrong number of arguments for '" +
                 SanitizeErrorText(CString(c.argv[1]).substr(0, 128)) + "'. Try CLIENT HELP.");
  }
  int type = kPauseAll;
  if (c.argc() == 4) {
    if (EqualsIgnoreCase(c.argv[3], "write")) {
      type = kPauseWrite;
    } else if (!EqualsIgnoreCase(c.argv[3], "all")) {
      return c.Err("CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  int64_t ms = 0;
  Value err;
  if (!c.GetLongLong(c.argv[2], &ms, &err, "timeout is not an integer or out of range")) return err;
  if (ms < 0) return c.Err("timeout is negative");
  // getTimeoutFromObjectOrReply: a positive timeout is added to the clock
  // (as C's signed addition wraps on x86-64); 0 stays 0.
  const int64_t end =
      ms > 0 ? static_cast<int64_t>(static_cast<uint64_t>(ms) + static_cast<uint64_t>(c.st.now))
             : 0;
  if (c.st.pause_type == kPauseOff) {
    c.st.pause_type = type;
    c.st.pause_end = end;
  } else {
    c.st.pause_type = std::max(c.st.pause_type, type);
    c.st.pause_end = std::max(c.st.pause_end, end);
  }
  UpdatePause(c.st);
  return c.Ok();
}

Value ClientUnpause(Ctx& c) {
  c.st.pause_type = kPauseOff;
  c.st.pause_end = 0;
  if (!c.st.postponed.empty()) {
    for (int session : c.st.postponed) c.st.unpaused.push_back(session);
    c.st.postponed.clear();
  }
  return c.Ok();
}

}  // namespace respfuzz::models::refmodel
