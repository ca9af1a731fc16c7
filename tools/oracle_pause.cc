#include "tools/oracle_pause.h"

#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "harnesses/command_handler/checks.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/command_facts.h"
#include "src/engine/engine.h"
#include "src/resp/value.h"
#include "tools/oracle_random.h"

namespace respfuzz::oracle {

namespace {

using harnesses::CommandIs;

// The name a command is looked up by, up to a NUL byte, lower case.
std::string Lower(const std::string& arg) {
  return absl::AsciiStrToLower(std::string(engine::CStr(arg)));
}

bool IsScriptCall(std::string_view name) {
  return name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro" ||
         name == "fcall" || name == "fcall_ro";
}

bool HasTip(const engine::CommandFact& fact, std::string_view tip) {
  if (fact.info == nullptr || fact.info->elems.size() < 8) return false;
  for (const resp::Value& t : fact.info->elems[7].elems) {
    if (t.str == tip) return true;
  }
  return false;
}

bool HasCategory(const engine::CommandFact& fact, std::string_view category) {
  for (const std::string& c : fact.acl_categories) {
    if (c == category) return true;
  }
  return false;
}

}  // namespace

std::optional<PauseRequest> ParsePause(const std::vector<std::string>& argv) {
  if (argv.size() < 3 || argv.size() > 4 || Lower(argv[0]) != "client" ||
      Lower(argv[1]) != "pause") {
    return std::nullopt;
  }
  PauseRequest r;
  if (argv.size() == 4) {
    const std::string mode = Lower(argv[3]);
    if (mode != "all" && mode != "write") return std::nullopt;
    r.all = mode == "all";
  }
  if (!absl::SimpleAtoi(argv[2], &r.timeout_ms) || r.timeout_ms < 0) return std::nullopt;
  return r;
}

bool MayWaitOnPause(const engine::Engine& eng, const std::vector<std::string>& argv) {
  if (eng.pause_type() == engine::Engine::PauseType::kAll) return true;
  if (eng.pause_type() != engine::Engine::PauseType::kWrite || argv.empty()) return false;
  const std::string name = Lower(argv[0]);
  if (IsScriptCall(name) || name == "exec") return true;
  const engine::CommandFact* fact = engine::LookupCommandFact(argv);
  return fact != nullptr && (fact->HasFlag("write") || fact->HasFlag("may_replicate"));
}

bool ReplayComparable(const engine::Engine& eng, int s, const std::vector<std::string>& argv) {
  if (argv.empty()) return true;
  const std::string name = Lower(argv[0]);
  if (name == "exec") {
    // Its reply holds the queued commands' replies.
    for (const std::vector<std::string>& q : eng.session(s).queued) {
      if (!ReplayComparable(eng, s, q)) return false;
    }
    return true;
  }
  if (name == "client")
    return ParsePause(argv).has_value() || (argv.size() == 2 && Lower(argv[1]) == "unpause");
  for (std::string_view plain :
       {"publish", "spublish", "ping", "echo", "select", "multi", "discard", "watch", "unwatch"}) {
    if (name == plain) return true;
  }
  if (IsRandomCommand(name) || IsElementScan(name) || IsScriptCall(name)) return false;
  for (std::string_view clocked : {"ttl", "pttl", "expiretime", "pexpiretime", "object", "dump",
                                   "restore", "sort", "sort_ro", "scan", "keys", "migrate"}) {
    if (name == clocked) return false;
  }
  const engine::CommandFact* fact = engine::LookupCommandFact(argv);
  if (fact == nullptr) return true;  // refused before the pause check: not postponed
  if (HasTip(*fact, "nondeterministic_output") || HasTip(*fact, "nondeterministic_output_order")) {
    return false;
  }
  for (std::string_view data : {"@string", "@list", "@hash", "@set", "@sortedset", "@bitmap",
                                "@hyperloglog", "@geo", "@keyspace"}) {
    if (HasCategory(*fact, data)) return true;
  }
  return false;
}

namespace {

// CLIENT UNBLOCK id [TIMEOUT] naming a session a pause postponed.
bool UnblocksPostponedWithTimeout(const engine::Engine& eng, const std::vector<std::string>& argv) {
  if (argv.size() < 3 || argv.size() > 4 || Lower(argv[0]) != "client" ||
      Lower(argv[1]) != "unblock" || (argv.size() == 4 && Lower(argv[3]) != "timeout")) {
    return false;
  }
  int64_t id = 0;
  if (!absl::SimpleAtoi(argv[2], &id)) return false;
  const int t = eng.SessionById(id);
  return t >= 0 && eng.session(t).postponed;
}

// RANDOMKEY, or a script or function (which may call it).
bool MayDrawAKey(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  const std::string name = Lower(argv[0]);
  return name == "randomkey" || IsScriptCall(name);
}

}  // namespace

std::string PauseExclusion(const engine::Engine& eng, int s, const std::vector<std::string>& argv,
                           int64_t now_ms) {
  if (argv.empty()) return {};
  // RANDOMKEY while paused, over a db whose keys are all volatile and have
  // expired: redis-server 7.0.15 draws forever (redis issue 13862).
  bool paused = eng.pause_type() != engine::Engine::PauseType::kOff;
  bool draws = paused && MayDrawAKey(argv);
  if (Lower(argv[0]) == "exec" && eng.session(s).in_multi) {
    for (const std::vector<std::string>& q : eng.session(s).queued) {
      paused = paused || ParsePause(q).has_value();
      draws = draws || (paused && MayDrawAKey(q));
    }
  }
  bool unblocks = UnblocksPostponedWithTimeout(eng, argv);
  if (Lower(argv[0]) == "exec" && eng.session(s).in_multi) {
    for (const std::vector<std::string>& q : eng.session(s).queued) {
      unblocks = unblocks || UnblocksPostponedWithTimeout(eng, q);
    }
  }
  if (unblocks) {
    return "CLIENT UNBLOCK ... TIMEOUT of a session a pause postponed: redis-server 7.0.15 "
           "crashes (\"Unknown btype in replyToBlockedClientTimedOut()\", valkey issue 2111); "
           "not sent";
  }
  if (draws) {
    return "RANDOMKEY, or a script that may call it, while a pause is in force: over expired "
           "volatile keys redis-server 7.0.15 draws forever (redis issue 13862); not sent";
  }
  // The pauses this op may start: a CLIENT PAUSE, or those an EXEC runs.
  std::vector<PauseRequest> starts;
  if (std::optional<PauseRequest> r = ParsePause(argv)) starts.push_back(*r);
  if (Lower(argv[0]) == "exec" && eng.session(s).in_multi) {
    for (const std::vector<std::string>& q : eng.session(s).queued) {
      if (std::optional<PauseRequest> r = ParsePause(q)) starts.push_back(*r);
    }
  }
  for (const PauseRequest& r : starts) {
    if (!r.all) continue;
    if (r.timeout_ms > kAllPauseCapMs) {
      return absl::StrCat("CLIENT PAUSE ALL of more than ", kAllPauseCapMs,
                          " ms (it holds the oracle's own connections too); not sent");
    }
    if (eng.pause_type() == engine::Engine::PauseType::kWrite &&
        eng.pause_end_ms() > now_ms + kAllPauseCapMs) {
      return absl::StrCat("CLIENT PAUSE ALL while a WRITE pause lasts more than ", kAllPauseCapMs,
                          " ms (the two make an ALL pause to the WRITE pause's end); not sent");
    }
  }
  if (MayWaitOnPause(eng, argv) && !ReplayComparable(eng, s, argv)) {
    return "a command the pause in force may postpone, whose reply when it is given again (among "
           "the other sessions' frames, compared byte for byte) depends on a draw, an order, "
           "the clock or an id; not sent";
  }
  return {};
}

}  // namespace respfuzz::oracle
