// Busy scripts: Redis 7.0.15's script timeout (script.c's scriptInterrupt,
// scriptKill; server.c's processCommand BUSY rejection).
//
// A script (EVAL*, FCALL*) that runs longer than busy-reply-threshold (alias
// lua-time-limit, ms) "times out": from then on, every ~1000 Lua
// instructions (the Lua count hook, CallHost::Interrupt) the engine asks its
// BusyHost to serve the other clients once. Their commands come back into
// the engine, where everything but the allow-busy commands (AUTH, HELLO,
// MULTI, DISCARD, WATCH, UNWATCH, RESET, QUIT, SCRIPT KILL, FUNCTION KILL,
// FUNCTION STATS, ...) is refused with BUSY (a transaction is flagged, a
// rejected EXEC aborts it). SCRIPT KILL / FUNCTION KILL mark the script
// killed; the next hook stops it with "Script killed by user with SCRIPT
// KILL...", which its caller receives as the script's reply.
//
// Time: the BusyHost's clock (the server's transport: real sockets read
// CLOCK_MONOTONIC, a simulated transport its virtual clock), never a wall
// clock here, so an engine without a host (the harnesses, the oracles)
// never times a script out and stays deterministic.
#include <string>
#include <string_view>

#include "src/engine/command_facts.h"
#include "src/engine/engine.h"
#include "src/engine/reply.h"
#include "src/script/lua_scripts.h"

namespace respfuzz::engine {

namespace {

constexpr std::string_view kBusyEval =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
constexpr std::string_view kNotBusy = "NOTBUSY No scripts in execution right now.";
constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";

static_assert(EngineOptions{}.script_max_instructions ==
              script::ScriptLimits::kDefaultMaxInstructions);

}  // namespace

void Engine::BeginScriptRun(bool eval, std::string_view name, std::span<const std::string> argv) {
  running_ = RunningScript{};
  running_.session = current_session_;
  running_.eval = eval;
  running_.name = std::string(name);
  running_.argv.assign(argv.begin(), argv.end());
  running_.start_ms = busy_host_ != nullptr ? busy_host_->BusyClockMs() : 0;
}

void Engine::EndScriptRun() { running_ = RunningScript{}; }

std::string_view Engine::BusyError() const { return running_.eval ? kBusyEval : kBusyFunction; }

bool Engine::AllowedWhileBusy(std::span<const std::string> argv) {
  const CommandFact* fact = FindCommandFact(argv[0]);
  if (fact != nullptr && !fact->subcommands.empty() && argv.size() >= 2) {
    fact = FindCommandFact(argv[0] + "|" + argv[1]);
  }
  return fact != nullptr && fact->HasFlag("allow_busy");
}

bool Engine::ScriptInterrupt() {
  if (busy_host_ == nullptr || running_.session < 0) return false;
  if (!running_.timed_out) {
    if (busy_host_->BusyClockMs() - running_.start_ms < busy_reply_threshold_) return false;
    running_.timed_out = true;
  }
  if (busy_host_->ProcessEventsWhileBlocked(running_.session)) running_.killed = true;
  return running_.killed;
}

void Engine::ScriptKill(ReplyWriter& reply, bool is_eval) {
  if (running_.session < 0) {
    reply.Error(kNotBusy);
  } else if (running_.write_dirty) {
    reply.Error(kUnkillable);
  } else if (is_eval && !running_.eval) {
    reply.Error(kBusyFunction);  // SCRIPT KILL does not kill a function
  } else if (!is_eval && running_.eval) {
    reply.Error(kBusyEval);  // nor FUNCTION KILL an EVAL
  } else {
    running_.killed = true;
    reply.Ok();
  }
}

int64_t Engine::ScriptRunDuration() const {
  if (busy_host_ == nullptr || running_.session < 0) return 0;
  return busy_host_->BusyClockMs() - running_.start_ms;
}

}  // namespace respfuzz::engine
