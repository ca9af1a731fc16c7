// Blocking commands' machinery, as Redis 7.0.15's blocked.c and timeout.c:
// blocking a session on keys, signalling keys as ready, serving the blocked
// sessions after the command that made their keys ready (FIFO per key), the
// timeout table on the virtual clock, CLIENT UNBLOCK, and a blocked session
// closed. The commands themselves (BLPOP ... BZMPOP) are in cmd_lists.cc and
// cmd_zsets.cc, which also serve a blocked session (ServeBlockedList,
// ServeBlockedZSet).
#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/numbers.h"

namespace respfuzz::engine {

namespace {

BlockType BlockTypeOf(const Object& o) {
  switch (TypeOf(o)) {
    case ObjType::kList:
      return BlockType::kList;
    case ObjType::kZSet:
      return BlockType::kZSet;
    case ObjType::kStream:
      return BlockType::kStream;
    default:
      return BlockType::kNone;
  }
}

// replyToBlockedClientTimedOut: a null array for a session blocked on keys;
// WAIT gets the replicas that acknowledged its offset.
void TimedOutReply(ReplyWriter& reply, const Engine& e, const BlockState& b) {
  if (b.type == BlockType::kWait) {
    reply.Integer(e.CountAcksByOffset(b.wait_offset));
  } else {
    reply.NullArray();
  }
}

// The end of getTimeoutFromObjectOrReply in either unit: a negative
// timeout is an error; a positive one is added to the clock as Redis does.
bool AbsoluteTimeout(CommandContext& c, int64_t tval, int64_t* out) {
  if (tval < 0) {
    c.reply.Error("ERR timeout is negative");
    return false;
  }
  if (tval > 0) {
    tval = static_cast<int64_t>(static_cast<uint64_t>(tval) + static_cast<uint64_t>(c.now_ms()));
  }
  *out = tval;
  return true;
}

}  // namespace

// getTimeoutFromObjectOrReply(UNIT_SECONDS): a long double number of
// seconds (string2ld's rules), times 1000 rounded up (ceill). A product
// outside int64 converts as x86-64 does (to INT64_MIN), so "inf" and "1e300"
// are "negative". A positive timeout is added to the clock as Redis does (a
// wrapping add, so a huge one lies in the past as a signed number and never
// fires in the unsigned timeout table).
bool CommandContext::TimeoutArg(size_t i, int64_t* out) {
  std::optional<long double> v = ParseLongDouble(arg(i));
  if (!v) {
    reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  const long double ms = std::ceil(*v * 1000.0L);
  int64_t tval = INT64_MIN;
  if (ms >= -9223372036854775808.0L && ms < 9223372036854775808.0L) {
    tval = static_cast<int64_t>(ms);
  }
  return AbsoluteTimeout(*this, tval, out);
}

// getTimeoutFromObjectOrReply(UNIT_MILLISECONDS): an int64 (WAIT, XREAD's
// and XREADGROUP's BLOCK).
bool CommandContext::MsTimeoutArg(size_t i, int64_t* out) {
  int64_t tval;
  if (!IntArg(i, &tval, "ERR timeout is not an integer or out of range")) return false;
  return AbsoluteTimeout(*this, tval, out);
}

// Where a blocked session's eventual reply goes: nowhere under CLIENT REPLY
// OFF, or when the blocking command ran under SKIP (checked on redis-server
// 7.0.15: a served or timed-out reply is dropped in both cases).
std::string* Engine::BlockedReplyBuffer(Session& s, std::string* dropped) {
  return s.reply_off || s.block.reply_skip ? dropped : &s.output;
}

void Engine::Block(Session& s, BlockState state) {
  const int si = SessionById(s.id);
  std::vector<std::string> keys;
  for (std::string& k : state.keys) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(std::move(k));
  }
  state.keys = std::move(keys);
  state.reply_skip = s.reply_skip;
  s.block = std::move(state);
  for (const std::string& k : s.block.keys) blocking_keys_[s.block.db][k].push_back(si);
  if (s.block.timeout_ms != 0) {
    timeouts_.insert({static_cast<uint64_t>(s.block.timeout_ms), s.id});
  }
  ++blocked_count_;
  ++blocked_by_type_[static_cast<int>(s.block.type)];
}

void Engine::Unblock(int session) {
  Session& s = *sessions_[session];
  if (!s.blocked()) return;
  if (s.postponed) {  // CLIENT PAUSE (client_pause.cc)
    postponed_.erase(std::remove(postponed_.begin(), postponed_.end(), session), postponed_.end());
    s.postponed = false;
    s.argv_mem = s.argv_count = 0;
    --blocked_count_;
    return;
  }
  StrMap<std::vector<int>>& keys = blocking_keys_[s.block.db];
  for (const std::string& k : s.block.keys) {
    auto it = keys.find(k);
    if (it == keys.end()) continue;  // Validate() reports it
    std::vector<int>& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), session), list.end());
    if (list.empty()) keys.erase(it);
  }
  if (s.block.timeout_ms != 0) {
    timeouts_.erase({static_cast<uint64_t>(s.block.timeout_ms), s.id});
  }
  --blocked_count_;
  --blocked_by_type_[static_cast<int>(s.block.type)];
  s.block = BlockState{};
}

void Engine::SignalKeyAsReady(int db, std::string_view key) {
  if (blocked_count_ == 0) return;
  const Object* o = keyspace_.Peek(db, key);
  if (o == nullptr) return;
  const BlockType t = BlockTypeOf(*o);
  if (t == BlockType::kNone || blocked_by_type_[static_cast<int>(t)] == 0) return;
  if (!blocking_keys_[db].contains(key)) return;
  std::pair<int, std::string> entry(db, std::string(key));
  if (ready_set_.contains(entry)) return;
  ready_set_.insert(entry);
  ready_keys_.push_back(std::move(entry));
}

void Engine::SignalStreamKeyGone(int db, std::string_view key) {
  if (blocked_by_type_[static_cast<int>(BlockType::kStream)] == 0) return;
  if (!blocking_keys_[db].contains(key)) return;
  std::pair<int, std::string> entry(db, std::string(key));
  if (ready_set_.contains(entry)) return;
  ready_set_.insert(entry);
  ready_keys_.push_back(std::move(entry));
}

void Engine::UnblockDeletedStreamReadgroupClients(int db, const std::string& key) {
  auto it = blocking_keys_[db].find(key);
  if (it == blocking_keys_[db].end()) return;
  const std::vector<int> clients = it->second;
  for (int si : clients) {
    Session& r = *sessions_[si];
    if (!r.blocked() || r.block.type != BlockType::kStream || !r.block.has_group) continue;
    std::string dropped;
    ReplyWriter(r.protocol, BlockedReplyBuffer(r, &dropped))
        .Error("UNBLOCKED the stream key no longer exists");
    SlowlogPush(r, r.block.argv, false);  // updateStatsOnUnblock
    LatencySample("xreadgroup");
    ++stats_.commands["xreadgroup"].failed;
    ++stats_.error_replies;
    ++stats_.errors["UNBLOCKED"];
    Unblock(si);
    tracker_.SetCurrent(r.id, false);
    tracker_.AfterCommand();
    NoteUnblocked(si);
  }
  tracker_.SetCurrent(0, false);
}

void Engine::ScanDbForReadyKeys(int db) {
  std::vector<std::string> keys;
  for (const auto& [key, list] : blocking_keys_[db]) keys.push_back(key);
  std::sort(keys.begin(), keys.end());  // Redis walks its dict: any order will do
  for (const std::string& k : keys) SignalKeyAsReady(db, k);
}

void Engine::CatchUpSleep() {
  if (unseen_sleep_us_ == 0) return;
  if (busy_host_ != nullptr && busy_host_->WallClockMs() >= 0) {
    const int64_t wall = busy_host_->WallClockMs();
    if (wall > now_ms()) clock_.Advance(wall - now_ms());
    unseen_sleep_us_ = 0;
    return;
  }
  if (unseen_sleep_us_ < 1000) return;
  clock_.Advance(unseen_sleep_us_ / 1000);
  unseen_sleep_us_ %= 1000;
}

// handleClientsBlockedOnKeys: the keys in the order they were signalled;
// serving a BLMOVE can make its destination ready, which is served in a
// later round. Each key's sessions are served in the order they blocked,
// those waiting for another type skipped, until the key is gone.
void Engine::HandleReadyKeys() {
  CatchUpSleep();  // updateCachedTime
  while (!ready_keys_.empty()) {
    std::vector<std::pair<int, std::string>> round = std::move(ready_keys_);
    ready_keys_.clear();
    for (auto& entry : round) {
      ready_set_.erase(entry);
      const auto& [db, key] = entry;
      current_session_ = -1;
      tracker_.SetCurrent(0, false);
      const Object* o = keyspace_.Find(db, key);  // an expired key is deleted here
      const bool stream = o != nullptr && Is<Stream>(*o);
      const BlockType t = o == nullptr ? BlockType::kNone : BlockTypeOf(*o);
      auto it = blocking_keys_[db].find(key);
      if (t != BlockType::kNone && it != blocking_keys_[db].end()) {
        const std::vector<int> clients = it->second;  // serving removes the served one
        for (int si : clients) {
          const Session& r = *sessions_[si];
          if (!r.blocked() || r.block.type != t) continue;
          if (ServeBlocked(si, db, key)) break;
        }
      }
      // XREADGROUP sessions blocked on a key that is no stream any more,
      // after the others are served (handleClientsBlockedOnKeys), and the
      // DEL of a key that had expired (no afterCommand propagated it).
      if (!stream) UnblockDeletedStreamReadgroupClients(db, key);
      if (o == nullptr) PropagatePending();
    }
  }
  current_session_ = -1;
  tracker_.SetCurrent(0, false);
}

bool Engine::ServeBlocked(int si, int db, const std::string& key) {
  Session& r = *sessions_[si];
  current_session_ = si;
  tracker_.SetCurrent(r.id, true);
  const CommandSpec* spec = FindCommand(r.block.argv[0]);
  std::string dropped;
  std::string* buffer = BlockedReplyBuffer(r, &dropped);
  const size_t before = buffer->size();
  ReplyWriter reply(r.protocol, buffer);
  bool deleted = false;
  {
    CommandContext ctx{*this, keyspace_, r, *spec, r.block.argv, reply, db, options_.max_string_len,
                       {}};
    if (r.block.type == BlockType::kStream) {
      // A stream is never emptied by serving; a reader whose ID the stream
      // has not passed stays blocked.
      if (!ServeBlockedStream(ctx, key, r.block)) {
        tracker_.SetCurrent(0, false);
        current_session_ = -1;
        return false;
      }
    } else {
      deleted = r.block.type == BlockType::kList ? ServeBlockedList(ctx, key, r.block)
                                                 : ServeBlockedZSet(ctx, key, r.block);
    }
  }
  // updateStatsOnUnblock: an error reply to the served session counts as
  // the blocked command's failure (the stream readers' NOGROUP).
  if (buffer->size() > before && (*buffer)[before] == '-') {
    ++stats_.commands[std::string(spec->name)].failed;
    ++stats_.error_replies;
    const std::string_view err = std::string_view(*buffer).substr(before + 1);
    ++stats_.errors[std::string(err.substr(0, err.find_first_of(" \r\n")))];
  }
  SlowlogPush(r, r.block.argv, false);  // updateStatsOnUnblock
  LatencySample(spec->name);
  Unblock(si);
  // afterCommand(receiver): what it propagated, then its own
  // invalidations after its reply.
  PropagatePending();
  tracker_.SetCurrent(r.id, false);
  tracker_.AfterCommand();
  NoteUnblocked(si);
  current_session_ = -1;
  return deleted;
}

// handleBlockedClientsTimeout: a timeout fires once the clock is past it
// (now > timeout), earliest first, ties by client id.
void Engine::HandleTimeouts() {
  // beforeSleep's checkClientPauseTimeoutAndReturnIfPaused: a pause past its
  // end is over (client_pause.cc).
  if (pause_type_ != PauseType::kOff && pause_end_ms_ < clock_.now_ms()) UpdatePause();
  const uint64_t now = static_cast<uint64_t>(clock_.now_ms());
  while (!timeouts_.empty()) {
    auto it = timeouts_.begin();
    if (it->first >= now) break;
    const int si = SessionById(it->second);
    timeouts_.erase(it);
    if (si < 0) continue;  // Validate() reports it
    Session& s = *sessions_[si];
    std::string dropped;
    ReplyWriter timed_out(s.protocol, BlockedReplyBuffer(s, &dropped));
    TimedOutReply(timed_out, *this, s.block);
    s.block.timeout_ms = 0;  // its table entry is gone
    // A timeout replies without updateStatsOnUnblock (7.0.15): no slow log
    // entry, no latency sample.
    Unblock(si);
    NoteUnblocked(si);
  }
}

int64_t Engine::NextTimeoutMs() const {
  // A timeout past INT64_MAX (a wrapped add) never comes. A pause ends once
  // the clock is past its end, as a timeout fires.
  int64_t next = -1;
  if (!timeouts_.empty() && timeouts_.begin()->first <= INT64_MAX) {
    next = static_cast<int64_t>(timeouts_.begin()->first);
  }
  if (pause_type_ != PauseType::kOff && (next < 0 || pause_end_ms_ < next)) next = pause_end_ms_;
  return next;
}

bool Engine::UnblockByClient(int session, bool with_error) {
  Session& s = *sessions_[session];
  if (!s.open || !s.blocked()) return false;
  if (s.postponed) {
    // A client postponed by CLIENT PAUSE: redis-server 7.0.15 panics on
    // TIMEOUT (replyToBlockedClientTimedOut knows no BLOCKED_POSTPONE); on
    // ERROR it replies the error and re-processes the command (postponed
    // again while the pause lasts). The engine does the latter for both but
    // refuses TIMEOUT (0), docs/fidelity.md.
    if (!with_error) return false;
    std::string dropped;
    ReplyWriter(s.protocol, s.reply_off || s.reply_skip ? &dropped : &s.output)
        .Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    Unblock(session);
    NoteUnblocked(session);
    return true;
  }
  std::string dropped;
  ReplyWriter reply(s.protocol, BlockedReplyBuffer(s, &dropped));
  if (with_error) {
    reply.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    ++stats_.error_replies;  // afterErrorReply
    ++stats_.errors["UNBLOCKED"];
    ++errors_to_others_;  // CLIENT UNBLOCK's own failed call (Engine::CountCall)
  } else {
    TimedOutReply(reply, *this, s.block);
  }
  // updateStatsOnUnblock(target, 0, 0, 1): a failed call of the blocked
  // command with either form (redis-server 7.0.15: failed_calls 2 after an
  // UNBLOCK TIMEOUT and an UNBLOCK ERROR).
  ++stats_.commands[s.lastcmd].failed;
  // CLIENT UNBLOCK calls updateStatsOnUnblock with either form (a timeout
  // replies without it: HandleTimeouts), after unblockClient has reset the
  // client: its slow log entry has no arguments (redis-server 7.0.15 logs
  // `*0`).
  SlowlogPush(s, {}, false);
  LatencySample(s.lastcmd);
  Unblock(session);
  NoteUnblocked(session);
  return true;
}

void Engine::NoteUnblocked(int si) {
  Session& s = *sessions_[si];
  if (!s.notified) {
    s.notified = true;
    notified_.push_back(si);
  }
  unblocked_.push_back(si);
}

std::vector<int> Engine::TakeUnblocked() {
  std::vector<int> out = std::move(unblocked_);
  unblocked_.clear();
  return out;
}

absl::Status Engine::ValidateBlocking() const {
  size_t blocked = 0, timed = 0;
  size_t by_type[5] = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < sessions_.size(); ++i) {
    const Session& s = *sessions_[i];
    if (!s.blocked()) continue;
    const auto who = [i] { return absl::StrCat("session ", i, ": "); };
    if (!s.open) return absl::InternalError(who() + "closed but blocked");
    if (s.postponed) {  // CLIENT PAUSE (client_pause.cc)
      if (s.block.type != BlockType::kNone) {
        return absl::InternalError(who() + "postponed while blocked on keys");
      }
      if (std::count(postponed_.begin(), postponed_.end(), static_cast<int>(i)) != 1) {
        return absl::InternalError(who() + "postponed but not listed once among the postponed");
      }
      ++blocked;
      continue;
    }
    if (s.in_multi) return absl::InternalError(who() + "blocked inside MULTI");
    // WAIT blocks on no key; every other type on at least one.
    const bool wait = s.block.type == BlockType::kWait;
    if (s.block.db < 0 || s.block.db >= keyspace_.num_dbs() || s.block.keys.empty() != wait ||
        s.block.argv.empty() || FindCommand(s.block.argv[0]) == nullptr) {
      return absl::InternalError(who() + "blocked with no keys (or WAIT with keys), db or command");
    }
    ++blocked;
    ++by_type[static_cast<int>(s.block.type)];
    for (size_t a = 0; a < s.block.keys.size(); ++a) {
      const std::string& k = s.block.keys[a];
      for (size_t b = 0; b < a; ++b) {
        if (s.block.keys[b] == k) return absl::InternalError(who() + "blocked twice on " + k);
      }
      auto it = blocking_keys_[s.block.db].find(k);
      const size_t n = it == blocking_keys_[s.block.db].end()
                           ? 0
                           : std::count(it->second.begin(), it->second.end(), static_cast<int>(i));
      if (n != 1) {
        return absl::InternalError(
            absl::StrCat(who(), "listed ", n, " times among the clients blocked on '", k, "'"));
      }
    }
    if (s.block.timeout_ms != 0) {
      ++timed;
      if (!timeouts_.contains({static_cast<uint64_t>(s.block.timeout_ms), s.id})) {
        return absl::InternalError(who() + "its timeout is not in the timeout table");
      }
    }
  }
  for (size_t db = 0; db < blocking_keys_.size(); ++db) {
    for (const auto& [key, list] : blocking_keys_[db]) {
      if (list.empty()) return absl::InternalError("empty blocked-client list of '" + key + "'");
      for (int si : list) {
        const bool ok = si >= 0 && static_cast<size_t>(si) < sessions_.size() &&
                        sessions_[si]->blocked() && sessions_[si]->block.db == static_cast<int>(db);
        if (!ok) {
          return absl::InternalError(absl::StrCat("the clients blocked on '", key, "' in db ", db,
                                                  " list session ", si, ", which is not"));
        }
      }
    }
  }
  if (blocked != blocked_count_ || by_type[1] != blocked_by_type_[1] ||
      by_type[2] != blocked_by_type_[2] || by_type[3] != blocked_by_type_[3] ||
      by_type[4] != blocked_by_type_[4]) {
    return absl::InternalError(
        absl::StrCat(blocked, " sessions blocked, counted ", blocked_count_));
  }
  if (postponed_.size() > blocked) {
    return absl::InternalError("the postponed list names sessions that are not postponed");
  }
  if (!postponed_.empty() && pause_type_ == PauseType::kOff) {
    return absl::InternalError("sessions postponed while no pause is in force");
  }
  if (timed != timeouts_.size()) {
    return absl::InternalError(absl::StrCat("the timeout table holds ", timeouts_.size(),
                                            " entries for ", timed, " timed blocks"));
  }
  if (!ready_keys_.empty() || !ready_set_.empty()) {
    return absl::InternalError("ready keys left unserved after the command");
  }
  return absl::OkStatus();
}

}  // namespace respfuzz::engine
