// CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE, as Redis 7.0.15's
// clientCommand, pauseClients, unpauseClients and
// updateClientPauseTypeAndEndTime (networking.c) and processCommand's pause
// check (server.c), for the one pause purpose a client can set
// (PAUSE_BY_CLIENT_COMMAND):
//
// - A pause has a type (WRITE < ALL) and an end time on the virtual clock;
//   a later CLIENT PAUSE keeps the more restrictive type and the later end
//   (it never weakens or shortens a pause). Timeout 0 ends at once.
// - While paused, processCommand postpones a command after all its
//   rejections (unknown command, arity, ACL, OOM, ...) and before MULTI
//   queues it: under ALL every command, under WRITE one that may replicate
//   (a write command; PUBLISH, SPUBLISH, PFCOUNT; EVAL, EVALSHA and FCALL
//   unless the script declares flags, and then unless no-writes; EXEC when
//   any queued command is one of those). A postponed session counts as
//   blocked and is unblocked, in the order postponed, when the pause ends
//   or weakens; its caller then gives it the command again.
// - While paused, keys are neither expired (a read sees an expired key as
//   absent but leaves it stored; the active cycle does nothing) nor evicted
//   (performEvictions is EVICT_OK, so no OOM rejection either).
#include <algorithm>
#include <string>
#include <vector>

#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/command_facts.h"
#include "src/engine/engine.h"
#include "src/script/lua_scripts.h"

namespace respfuzz::engine {

bool MayReplicateCommand(std::string_view name) {
  return name == "publish" || name == "spublish" || name == "pfcount" || name == "eval" ||
         name == "evalsha" || name == "fcall";
}

bool Engine::PausePostpones(const Session& s, const CommandSpec& spec, std::string_view fullname,
                            std::span<const std::string> argv) const {
  if (pause_type_ == PauseType::kAll) return true;
  if (pause_type_ != PauseType::kWrite) return false;
  // getCommandFlags: a script command's flags are its script's when the
  // script declares them (scriptFlagsToCmdFlags: write unless no-writes,
  // may_replicate cleared), else the command's own.
  const auto may_replicate = [this](const CommandSpec& cmd, std::string_view name,
                                    std::span<const std::string> args) {
    if (IsScriptCommand(cmd.name)) {
      if (const std::optional<uint32_t> flags = DeclaredScriptFlags(cmd, args)) {
        return (*flags & script::kScriptNoWrites) == 0;
      }
    }
    if (MayReplicateCommand(cmd.name))
      return !(bugs_.pause_write_runs_publish && cmd.name == "publish");
    if (const CommandFact* fact = FindCommandFact(name)) return fact->HasFlag("write");
    return (cmd.flags & kCmdWrite) != 0;
  };
  if (may_replicate(spec, fullname, argv)) return true;
  if (spec.name != "exec") return false;
  // EXEC: c->mstate.cmd_flags, the flags of the commands queued.
  for (const std::vector<std::string>& q : s.queued) {
    const CommandSpec* qs = FindCommand(q[0]);
    if (qs == nullptr) continue;
    if (may_replicate(*qs, FactName(*qs, q), q)) return true;
  }
  return false;
}

void Engine::Postpone(Session& s) {
  // blockClient(c, BLOCKED_POSTPONE): no timeout, listed in order.
  s.postponed = true;
  postponed_.push_back(SessionById(s.id));
  ++blocked_count_;
}

void Engine::UpdatePause() {
  const PauseType old = pause_type_;
  if (pause_event_type_ != PauseType::kOff && pause_event_end_ms_ < now_ms()) {
    pause_event_type_ = PauseType::kOff;  // this one expired
    pause_event_end_ms_ = 0;
  }
  pause_type_ = pause_event_type_;
  pause_end_ms_ = pause_type_ == PauseType::kOff ? 0 : pause_event_end_ms_;
  keyspace_.set_expire_paused(pause_type_ != PauseType::kOff);
  // unblockPostponedClients: a less restrictive pause lets every postponed
  // session try again (postponed again if it still must wait).
  if (pause_type_ < old) {
    std::vector<int> waiting = postponed_;
    if (bugs_.pause_unblocks_newest_first) std::reverse(waiting.begin(), waiting.end());
    for (int si : waiting) {
      Unblock(si);
      unblocked_.push_back(si);
    }
  }
}

void Engine::PauseClients(int64_t end_ms, PauseType type) {
  if (pause_event_type_ == PauseType::kOff) {
    pause_event_type_ = type;
    pause_event_end_ms_ = end_ms;
  } else {
    pause_event_type_ = std::max(pause_event_type_, type);
    pause_event_end_ms_ = std::max(pause_event_end_ms_, end_ms);
  }
  UpdatePause();
}

void Engine::UnpauseClients() {
  pause_event_type_ = PauseType::kOff;
  pause_event_end_ms_ = 0;
  UpdatePause();
}

// Dispatch has resolved the subcommand and checked its arity (-3 and 2).
void ClientPauseCommand(CommandContext& c) {
  if (IEquals(c.arg(1), "unpause")) {
    c.engine.UnpauseClients();
    c.reply.Ok();
    return;
  }
  if (c.argc() > 4) {  // clientCommand's argc test: the generic error
    c.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(CStr(c.arg(1)).substr(0, 128)) + "'. Try CLIENT HELP.");
    return;
  }
  // The mode is checked before the timeout.
  Engine::PauseType type = Engine::PauseType::kAll;
  if (c.argc() == 4) {
    if (c.ArgIs(3, "write")) {
      type = Engine::PauseType::kWrite;
    } else if (!c.ArgIs(3, "all")) {
      c.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  }
  // getTimeoutFromObjectOrReply(UNIT_MILLISECONDS): a long long, not
  // negative, added to the clock when positive (a wrapping add, as the C
  // addition wraps on x86-64: a huge timeout ends in the past at once).
  int64_t ms;
  if (!c.IntArg(2, &ms, "ERR timeout is not an integer or out of range")) return;
  if (ms < 0) {
    c.reply.Error("ERR timeout is negative");
    return;
  }
  const int64_t end = ms > 0 ? static_cast<int64_t>(static_cast<uint64_t>(ms) +
                                                    static_cast<uint64_t>(c.engine.now_ms()))
                             : 0;
  c.engine.PauseClients(end, type);
  c.reply.Ok();
}

}  // namespace respfuzz::engine
