#include "tools/invalidation_oracle.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harnesses/common/registry.h"
#include "harnesses/invalidation/checks.h"
#include "src/engine/engine.h"
#include "src/resp/reader.h"
#include "src/resp/writer.h"
#include "tools/oracle_net.h"

namespace respfuzz::oracle {

using harnesses::invalidation::kAdminSlot;
using harnesses::invalidation::kSlots;
using harnesses::invalidation::Program;
using harnesses::invalidation::ServerAction;
using resp::Type;
using resp::Value;
using Kind = ServerAction::Kind;

namespace {

// The string limit of both sides while the oracle runs (redis-server's
// smallest proto-max-bulk-len).
constexpr int64_t kBulkLen = 1024 * 1024;

// How late redis-server may time out a blocked client: it does so in
// beforeSleep, so when its event loop sleeps through the deadline the
// timeout waits for the next wake-up, at the latest serverCron's timer
// (1000 / hz ms, hz 10, plus the timer's slack), and comes after the
// commands read then.
constexpr int64_t kBlockTimeoutLateMs = 100 + 20;
// The longest wait before an action to step clear of a blocked client's
// timeout (the lateness above and the action's own time).
constexpr int64_t kMaxBlockTimeoutWaitMs = 500;

// Complete RESP frames at the front of *inbox, taken off it (a partial frame
// stays). RESP3's reader also reads RESP2 frames.
std::vector<std::string> TakeFrames(std::string* inbox) {
  std::vector<std::string> frames;
  resp::Reader reader(resp::Protocol::kResp3, resp::ReaderLimits{});
  std::vector<Value> values;
  resp::TreeBuilder builder(&values, &reader);
  size_t start = 0;
  for (size_t i = 0; i < inbox->size(); ++i) {
    if (!reader.Feed(std::string_view(*inbox).substr(i, 1), builder)) break;
    if (!values.empty()) {
      frames.push_back(inbox->substr(start, i + 1 - start));
      start = i + 1;
      values.clear();
    }
  }
  inbox->erase(0, start);
  return frames;
}

size_t CountFrames(std::string bytes) { return TakeFrames(&bytes).size(); }

Value ParseOne(std::string_view frame) {
  resp::ReaderError error;
  std::vector<Value> v = resp::ReadAll(frame, resp::Protocol::kResp3, resp::ReaderLimits{}, &error);
  return v.size() == 1 ? std::move(v[0]) : Value::Error("unreadable");
}

bool Same(const std::string& a, const std::string& b) {
  return absl::AsciiStrToUpper(a) == absl::AsciiStrToUpper(b);
}

bool Is(const std::vector<std::string>& argv, const std::string& name,
        const std::string& sub = "") {
  if (argv.empty() || !Same(argv[0], name)) return false;
  return sub.empty() || (argv.size() >= 2 && Same(argv[1], sub));
}

// A decimal integer, as the whole string.
bool ParseId(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = s[0] == '-' ? -v : v;
  return true;
}

// In `frame`, the integer right after `marker` mapped through `ids` (when
// it is one of them).
void MapIdAfter(std::string* frame, std::string_view marker,
                const std::map<int64_t, int64_t>& ids) {
  const size_t at = frame->find(marker);
  if (at == std::string::npos) return;
  const size_t from = at + marker.size();
  const size_t end = frame->find('\r', from);
  if (end == std::string::npos) return;
  int64_t id;
  if (!ParseId(frame->substr(from, end - from), &id)) return;
  auto it = ids.find(id);
  if (it != ids.end()) frame->replace(from, end - from, std::to_string(it->second));
}

std::string SlotName(int s) {
  if (s == kAdminSlot) return "admin";
  if (s >= harnesses::invalidation::kRawSlot) {
    return absl::StrCat("r", s - harnesses::invalidation::kRawSlot + 1);
  }
  return absl::StrCat("c", s / 2 + 1, s % 2 == 0 ? " data" : " redirect");
}

void SleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

// One program's replay: the observer the runner calls for each server action.
class InvalidationReplay : public harnesses::invalidation::ServerObserver {
 public:
  InvalidationReplay(InvalidationOracle& oracle, const std::string& name, const Program& program,
                     OracleReport* report)
      : o_(oracle), opt_(oracle.options_), name_(name), program_(program), report_(report) {
    fds_.fill(-1);
  }
  ~InvalidationReplay() override {
    for (int& fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }

  const absl::Status& status() const { return status_; }
  std::vector<int64_t> real_ids() const {
    std::vector<int64_t> ids;
    for (const auto& [real, eng] : real_to_eng_) ids.push_back(real);
    return ids;
  }

  std::optional<int64_t> Before(const ServerAction& a, const engine::Engine& e) override {
    if (!status_.ok() || !detached_.empty() || a.kind == Kind::kOpen) return std::nullopt;
    if (a.kind == Kind::kClock) {
      if (a.clock_ms > opt_.max_sleep_ms) {
        Detach("clock", absl::StrCat("after a clock step of ", a.clock_ms,
                                     " ms (longer than --max-sleep-ms ", opt_.max_sleep_ms,
                                     "), the server's time cannot follow the engine's"));
        return std::nullopt;
      }
      SleepMs(a.clock_ms);
    }
    // Clear of keys' expiries and of blocked clients' timeouts alike: a
    // wait for a timeout may bring an expiry close, so both again after one.
    for (int pass = 0; pass < 4; ++pass) {
      StepClearOfExpiries(e);
      if (!detached_.empty()) return std::nullopt;
      const bool waited = StepClearOfBlockTimeouts(e);
      if (!detached_.empty()) return std::nullopt;
      if (!waited) break;
    }
    t_ = RealNowMs();
    expiries_.clear();
    for (int db = 0; db < e.keyspace().num_dbs(); ++db) {
      for (const auto& [key, when] : e.keyspace().db(db).expires) {
        auto it = slack_.find(when);
        expiries_.emplace_back(when, it == slack_.end() ? max_took_ : it->second);
      }
    }
    return t_;
  }

  void After(const ServerAction& a, const engine::Engine& e,
             const std::array<std::string, kSlots>& output) override {
    if (!status_.ok()) return;
    if (a.kind == Kind::kOpen) {
      if (detached_.empty()) status_ = Open(a.slot, a.client_id);
      return;
    }
    ++report_->ops;
    if (!detached_.empty()) {
      Exclude(a, detached_category_, detached_);
      return;
    }
    absl::Status s = Perform(a, output);
    if (!s.ok()) {
      status_ = absl::Status(s.code(), absl::StrCat(Describe(a), ": ", s.message()));
      return;
    }
    const int64_t took = std::max<int64_t>(RealNowMs() - t_, 0);
    // The tracking table over its limit: the server evicts at random, now
    // or from its cron at any moment.
    const tracking::Tracker& tr = e.tracker();
    if (a.evicted ||
        (tr.table_max_keys() > 0 && tr.table_keys() > static_cast<size_t>(tr.table_max_keys()))) {
      Detach(
          "table-eviction",
          absl::StrCat("the tracking table is over tracking-table-max-keys (", tr.table_max_keys(),
                       "): redis-server evicts keys picked by a random walk (also from its "
                       "cron), the engine in sorted order"));
      Exclude(a, detached_category_, detached_);
      return;
    }
    // Memory accounting (evict.cc): with maxmemory set, which key is evicted
    // and which command refused follow each side's own memory figure.
    if (e.maxmemory() != 0) {
      Detach("maxmemory",
             "maxmemory is set: evictions and OOM refusals follow each side's own memory figure "
             "(jemalloc's on the server, the engine's estimate)");
      Exclude(a, detached_category_, detached_);
      return;
    }
    // The server ran the action at a time in [t, t + took] and stored each
    // expiry up to its slack later than the engine: a key with t - T in
    // (-took, slack] may be expired on one side only.
    for (const auto& [when, slack] : expiries_) {
      const int64_t x = t_ - when;
      if (x > -took && x <= slack) {
        Detach("expiry-race",
               absl::StrCat("a key expiring ", when - t_,
                            " ms from the action's start (stored up "
                            "to ",
                            slack, " ms later on the server); the action took ", took,
                            " ms, so one side may have seen it expired and the other not"));
        Exclude(a, detached_category_, detached_);
        return;
      }
    }
    // A blocked client's timeout that fell due during the action: the
    // server may have timed it out then, the engine does at the next one.
    for (const int64_t when : block_deadlines_) {
      const int64_t x = t_ - when;
      if (x > -took && x <= kBlockTimeoutLateMs) {
        Detach("block-timeout-race",
               absl::StrCat("a blocked client's timeout ", when - t_,
                            " ms from the action's start; the action took ", took,
                            " ms, so the server may have timed it out during it and the engine "
                            "at the next action"));
        Exclude(a, detached_category_, detached_);
        return;
      }
    }
    max_took_ = std::max(max_took_, took);
    for (int db = 0; db < e.keyspace().num_dbs(); ++db) {
      for (const auto& [key, when] : e.keyspace().db(db).expires) slack_.try_emplace(when, took);
    }
    s = SyncAndCompare(a, output);
    if (!s.ok()) status_ = absl::Status(s.code(), absl::StrCat(Describe(a), ": ", s.message()));
  }

 private:
  void Detach(std::string category, std::string reason) {
    detached_category_ = std::move(category);
    detached_ = std::move(reason);
  }

  std::string OpText(const ServerAction& a) const {
    if (a.op >= program_.ops.size()) return "(connecting)";
    return harnesses::invalidation::OpToText(program_.ops[a.op]);
  }

  std::string Describe(const ServerAction& a) const {
    std::string what;
    switch (a.kind) {
      case Kind::kOpen:
        what = SlotName(a.slot) + " connects";
        break;
      case Kind::kClose: {
        std::vector<std::string> names;
        for (int s : a.slots) names.push_back(SlotName(s));
        what = absl::StrJoin(names, ", ") + " closed";
        break;
      }
      case Kind::kCommand:
        what = SlotName(a.slot) + ": " + harnesses::EscapeBytes(absl::StrJoin(a.argv, " "), 200);
        break;
      case Kind::kClock:
        what = absl::StrCat("clock +", a.clock_ms, "ms");
        break;
      case Kind::kActiveExpire:
        what = "active expiry";
        break;
      case Kind::kTick:
        what = "end of turn";
        break;
    }
    return OpText(a) + " | " + what;
  }

  void Exclude(const ServerAction& a, const std::string& category, const std::string& why) {
    report_->excluded.push_back({name_, a.op == SIZE_MAX ? 0 : a.op, Describe(a), category, why});
  }

  // Waits until no stored key's expiry is too close to call for an action
  // starting now: a key expiring at T is ambiguous while now - T lies in
  // (-guard, slack(T)], where slack(T) is how long the action that set T
  // took (the server's T is up to that much later than the engine's) and
  // guard bounds how long this action will take. Past that window both
  // sides see it expired.
  void StepClearOfExpiries(const engine::Engine& e) {
    const int64_t guard = 2 * max_took_ + 2;
    for (int round = 0; round < 64; ++round) {
      const int64_t now = RealNowMs();
      int64_t until = 0;
      for (int db = 0; db < e.keyspace().num_dbs(); ++db) {
        for (const auto& [key, when] : e.keyspace().db(db).expires) {
          auto it = slack_.find(when);
          const int64_t slack = it == slack_.end() ? max_took_ : it->second;
          const int64_t x = now - when;
          if (x > -guard && x <= slack) until = std::max(until, when + slack + 1);
        }
      }
      if (until == 0) break;
      if (until - now > opt_.max_expiry_wait_ms) {
        Detach("expiry-race",
               absl::StrCat("a key's expiry is too close to call and stepping past "
                            "it would take ",
                            until - now, " ms (more than ", opt_.max_expiry_wait_ms, ")"));
        return;
      }
      SleepMs(until - now);
    }
  }

  // Every blocked client's timeout (absolute ms; the engine's clock is real
  // time here).
  static std::vector<int64_t> BlockDeadlines(const engine::Engine& e) {
    std::vector<int64_t> out;
    for (size_t i = 0; i < e.session_count(); ++i) {
      const engine::Session& s = e.session(static_cast<int>(i));
      if (s.open && s.blocked() && s.block.timeout_ms > 0) out.push_back(s.block.timeout_ms);
    }
    return out;
  }

  // The same for blocked clients' timeouts: the engine times a client out
  // once its clock is past the deadline, before the action; redis-server at
  // its first beforeSleep after it, up to kBlockTimeoutLateMs late and after
  // the commands read in that loop iteration. A deadline D is ambiguous
  // while now - D lies in (-guard, late]: waited past, so the server's cron
  // has timed the client out before the action (the engine does at its
  // start). Whether it waited.
  bool StepClearOfBlockTimeouts(const engine::Engine& e) {
    const int64_t guard = 2 * max_took_ + 2;
    const int64_t late = kBlockTimeoutLateMs;
    bool waited = false;
    for (int round = 0; round < 64; ++round) {
      const int64_t now = RealNowMs();
      int64_t until = 0;
      for (const int64_t when : BlockDeadlines(e)) {
        const int64_t x = now - when;
        if (x > -guard && x <= late) until = std::max(until, when + late + 1);
      }
      if (until == 0) break;
      if (until - now > kMaxBlockTimeoutWaitMs) {
        Detach("block-timeout-race",
               absl::StrCat("a blocked client's timeout is too close to call and stepping past "
                            "it would take ",
                            until - now, " ms (more than ", kMaxBlockTimeoutWaitMs, ")"));
        return waited;
      }
      SleepMs(until - now);
      waited = true;
    }
    block_deadlines_ = BlockDeadlines(e);
    return waited;
  }

  absl::Status Open(int slot, int64_t engine_id) {
    if (fds_[slot] >= 0) ::close(fds_[slot]);
    fds_[slot] = -1;
    inbox_[slot].clear();
    auto fd = ConnectTcp(opt_.host, opt_.port, opt_.io_timeout_ms);
    if (!fd.ok()) return fd.status();
    fds_[slot] = *fd;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(*fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
      return absl::InternalError("getsockname failed");
    }
    const int port = ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
    const std::string needle = absl::StrCat(" addr=", opt_.host, ":", port, " ");
    const int64_t deadline = RealNowMs() + opt_.io_timeout_ms;
    while (true) {
      auto list = Control({"CLIENT", "LIST"});
      if (!list.ok()) return list.status();
      for (const std::string& line : std::vector<std::string>(absl::StrSplit(list->str, '\n'))) {
        if (line.find(needle) == std::string::npos || line.rfind("id=", 0) != 0) continue;
        const size_t sp = line.find(' ');
        int64_t real;
        if (sp == std::string::npos || !ParseId(line.substr(3, sp - 3), &real)) continue;
        eng_to_real_[engine_id] = real;
        real_to_eng_[real] = engine_id;
        slot_real_[slot] = real;
        return absl::OkStatus();
      }
      if (RealNowMs() > deadline) {
        return absl::DeadlineExceededError("the server never listed connection " + needle);
      }
      SleepMs(2);
    }
  }

  // A control round trip: one command, one reply.
  absl::StatusOr<Value> Control(const std::vector<std::string>& argv) {
    return o_.ControlRoundtrip(argv);
  }

  // The command as the server must see it: REDIRECT names the server's id.
  std::vector<std::string> ForServer(const std::vector<std::string>& argv) const {
    std::vector<std::string> out = argv;
    if (!Is(argv, "CLIENT")) return out;
    // CLIENT UNBLOCK id (the block op's unblock): the server's id too.
    if (out.size() >= 3 && Same(out[1], "UNBLOCK")) {
      int64_t id;
      if (ParseId(out[2], &id)) {
        auto it = eng_to_real_.find(id);
        if (it != eng_to_real_.end()) out[2] = std::to_string(it->second);
      }
      return out;
    }
    for (size_t i = 2; i + 1 < out.size(); ++i) {
      if (!Same(out[i], "REDIRECT")) continue;
      int64_t id;
      if (!ParseId(out[i + 1], &id)) continue;
      auto it = eng_to_real_.find(id);
      if (it != eng_to_real_.end()) out[i + 1] = std::to_string(it->second);
    }
    return out;
  }

  // Reads slot s until it holds `want` complete frames or the deadline passes.
  absl::Status ReadFrames(int s, size_t want, int64_t deadline) {
    while (CountFrames(inbox_[s]) < want) {
      const int64_t left = deadline - RealNowMs();
      if (left <= 0) return absl::OkStatus();
      const size_t before = inbox_[s].size();
      absl::Status st = ReadSome(fds_[s], static_cast<int>(left), &inbox_[s]);
      if (!st.ok()) return absl::UnavailableError(SlotName(s) + ": " + std::string(st.message()));
      if (inbox_[s].size() == before && RealNowMs() >= deadline) return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  absl::Status Perform(const ServerAction& a, const std::array<std::string, kSlots>& output) {
    switch (a.kind) {
      case Kind::kCommand: {
        const int s = a.slot;
        if (fds_[s] < 0) return absl::InternalError("no connection for " + SlotName(s));
        if (absl::Status st = SendAll(fds_[s], resp::EncodeCommand(ForServer(a.argv))); !st.ok()) {
          return st;
        }
        // Its reply first: PING on the control connection then runs in a
        // later turn than the command. A command the engine answered with
        // nothing (a blocking command that blocked) is given a moment only:
        // waiting longer would let its timeout pass on the server alone.
        const size_t want = CountFrames(output[s]);
        return ReadFrames(s, std::max<size_t>(1, want),
                          RealNowMs() + (want == 0 ? std::min<int64_t>(opt_.frame_timeout_ms, 50)
                                                   : opt_.frame_timeout_ms));
      }
      case Kind::kClose:
        for (int s : a.slots) {
          if (fds_[s] >= 0) ::close(fds_[s]);
          fds_[s] = -1;
          inbox_[s].clear();
          auto it = slot_real_.find(s);
          if (it != slot_real_.end()) {
            if (absl::Status st = o_.WaitGone({it->second}); !st.ok()) return st;
          }
        }
        return absl::OkStatus();
      case Kind::kActiveExpire: {
        // One write, so one event-loop turn, as the engine's one expiry pass.
        std::string batch;
        size_t replies = 0;
        for (const auto& [db, key] : a.expired) {
          batch += resp::EncodeCommand({"SELECT", std::to_string(db)});
          batch += resp::EncodeCommand({"EXISTS", key});
          replies += 2;
        }
        if (replies == 0) return absl::OkStatus();
        batch += resp::EncodeCommand({"SELECT", "0"});
        ++replies;
        auto values = o_.ControlBatch(batch, replies);
        if (!values.ok()) return values.status();
        for (size_t i = 0; i < a.expired.size(); ++i) {
          const Value& v = (*values)[2 * i + 1];
          if (v.type != Type::kInteger || v.integer != 0) {
            report_->divergences.push_back({name_, a.op, Describe(a),
                                            absl::StrCat("expired key '", a.expired[i].second,
                                                         "' (db ", a.expired[i].first, ")"),
                                            "EXISTS found it: " + resp::ToDebugString(v, 200)});
          }
        }
        return absl::OkStatus();
      }
      case Kind::kOpen:
      case Kind::kClock:
      case Kind::kTick:
        return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  absl::Status SyncAndCompare(const ServerAction& a,
                              const std::array<std::string, kSlots>& output) {
    auto pong = Control({"PING"});
    if (!pong.ok()) return pong.status();
    std::array<size_t, kSlots> want{};
    for (int s = 0; s < kSlots; ++s) {
      if (fds_[s] < 0) continue;
      want[s] = CountFrames(output[s]);
      // What is there now, then what is still missing, bounded.
      if (absl::Status st = ReadSome(fds_[s], 0, &inbox_[s]); !st.ok()) {
        return absl::UnavailableError(SlotName(s) + ": " + std::string(st.message()));
      }
    }
    const int64_t deadline = RealNowMs() + opt_.frame_timeout_ms;
    for (int s = 0; s < kSlots; ++s) {
      if (fds_[s] < 0) continue;
      if (absl::Status st = ReadFrames(s, want[s], deadline); !st.ok()) return st;
    }
    ++report_->compared;
    bool agree = true;
    for (int s = 0; s < kSlots; ++s) {
      std::string theirs;
      if (fds_[s] >= 0) {
        std::vector<std::string> frames = TakeFrames(&inbox_[s]);
        for (size_t i = 0; i < frames.size(); ++i) {
          Normalise(a, s, i == 0, &frames[i]);
          theirs += frames[i];
        }
        report_->frames += frames.size();
      }
      const std::string& ours = output[s];
      if (ours == theirs) continue;
      if (a.kind == Kind::kCommand && s == a.slot &&
          harnesses::invalidation::SameRepliesButOrder(a.argv, a.exec_queue, resp::Protocol::kResp3,
                                                       ours, theirs)) {
        continue;
      }
      agree = false;
      std::string server = harnesses::EscapeBytes(theirs, 1000);
      if (fds_[s] >= 0 && !inbox_[s].empty()) {
        absl::StrAppend(&server, " (then a partial frame: ", harnesses::EscapeBytes(inbox_[s], 200),
                        ")");
      }
      report_->divergences.push_back({name_, a.op == SIZE_MAX ? 0 : a.op, Describe(a),
                                      SlotName(s) + ": " + harnesses::EscapeBytes(ours, 1000),
                                      SlotName(s) + ": " + server});
    }
    if (agree) ++report_->agreed;
    return absl::OkStatus();
  }

  // The server's client ids in a frame, as the engine's.
  void Normalise(const ServerAction& a, int s, bool first, std::string* frame) const {
    MapIdAfter(frame, ">2\r\n$21\r\ntracking-redir-broken\r\n:", real_to_eng_);
    if (a.kind != Kind::kCommand || s != a.slot || !first) return;
    if (Is(a.argv, "HELLO")) {
      MapIdAfter(frame, "$2\r\nid\r\n:", real_to_eng_);
    } else if (Is(a.argv, "CLIENT", "ID") || Is(a.argv, "CLIENT", "GETREDIR")) {
      MapIdAfter(frame, ":", real_to_eng_);
    } else if (Is(a.argv, "CLIENT", "TRACKINGINFO")) {
      MapIdAfter(frame, "$8\r\nredirect\r\n:", real_to_eng_);
    }
  }

  InvalidationOracle& o_;
  const InvalidationOracleOptions& opt_;
  const std::string& name_;
  const Program& program_;
  OracleReport* report_;
  absl::Status status_;
  std::array<int, kSlots> fds_;
  std::array<std::string, kSlots> inbox_;
  std::map<int64_t, int64_t> eng_to_real_, real_to_eng_;
  std::map<int, int64_t> slot_real_;  // the server's id of each slot's latest connection
  std::map<int64_t, int64_t> slack_;  // expiry time -> how long the action that set it took
  int64_t max_took_ = 0;              // the longest action so far, ms
  int64_t t_ = 0;                     // when the current action started (the engine's clock)
  // Every stored expiry when the action started, with its slack.
  std::vector<std::pair<int64_t, int64_t>> expiries_;
  // Every blocked client's timeout when the action started.
  std::vector<int64_t> block_deadlines_;
  std::string detached_, detached_category_;
};

InvalidationOracle::InvalidationOracle(InvalidationOracleOptions options)
    : options_(std::move(options)) {}

InvalidationOracle::~InvalidationOracle() {
  if (control_fd_ >= 0) ::close(control_fd_);
}

absl::StatusOr<std::vector<Value>> InvalidationOracle::ControlBatch(std::string_view bytes,
                                                                    size_t replies) {
  if (absl::Status s = SendAll(control_fd_, bytes); !s.ok()) return s;
  const int64_t deadline = RealNowMs() + options_.io_timeout_ms;
  std::vector<std::string> frames;
  while (true) {
    std::vector<std::string> more = TakeFrames(&control_inbox_);
    frames.insert(frames.end(), more.begin(), more.end());
    if (frames.size() >= replies) break;
    const int64_t left = deadline - RealNowMs();
    if (left <= 0) return absl::DeadlineExceededError("the server did not answer in time");
    if (absl::Status s = ReadSome(control_fd_, static_cast<int>(left), &control_inbox_); !s.ok()) {
      return s;
    }
  }
  if (frames.size() > replies) return absl::DataLossError("more replies than commands");
  std::vector<Value> values;
  for (const std::string& f : frames) values.push_back(ParseOne(f));
  return values;
}

absl::StatusOr<Value> InvalidationOracle::ControlRoundtrip(const std::vector<std::string>& argv) {
  auto v = ControlBatch(resp::EncodeCommand(argv), 1);
  if (!v.ok()) return v.status();
  return std::move((*v)[0]);
}

absl::Status InvalidationOracle::WaitGone(const std::vector<int64_t>& ids) {
  if (ids.empty()) return absl::OkStatus();
  std::vector<std::string> argv = {"CLIENT", "LIST", "ID"};
  for (int64_t id : ids) argv.push_back(std::to_string(id));
  const int64_t deadline = RealNowMs() + options_.io_timeout_ms;
  while (true) {
    auto r = ControlRoundtrip(argv);
    if (!r.ok()) return r.status();
    if (r->type == Type::kError) return absl::FailedPreconditionError("CLIENT LIST ID: " + r->str);
    if (r->str.empty()) return absl::OkStatus();
    if (RealNowMs() > deadline) {
      return absl::DeadlineExceededError("closed connections are still listed: " + r->str);
    }
    SleepMs(1);
  }
}

absl::Status InvalidationOracle::Connect() {
  auto fd = ConnectTcp(options_.host, options_.port, options_.io_timeout_ms);
  if (!fd.ok()) return fd.status();
  control_fd_ = *fd;
  auto r = ControlRoundtrip({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
  if (!r.ok()) return r.status();
  if (r->type == Type::kError) {
    return absl::FailedPreconditionError("the server refuses DEBUG SET-ACTIVE-EXPIRE (" + r->str +
                                         "); start redis-server with --enable-debug-command local");
  }
  for (const auto& [name, saved] :
       {std::pair<const char*, std::string*>{"proto-max-bulk-len", &saved_bulk_len_},
        {"tracking-table-max-keys", &saved_table_max_keys_}}) {
    auto got = ControlRoundtrip({"CONFIG", "GET", name});
    if (!got.ok()) return got.status();
    if (got->type != Type::kArray || got->elems.size() != 2) {
      return absl::FailedPreconditionError(std::string("CONFIG GET ") + name + " failed");
    }
    *saved = got->elems[1].str;
  }
  auto set = ControlRoundtrip({"CONFIG", "SET", "proto-max-bulk-len", std::to_string(kBulkLen)});
  if (!set.ok()) return set.status();
  if (set->type == Type::kError) {
    return absl::FailedPreconditionError("CONFIG SET proto-max-bulk-len: " + set->str);
  }
  return absl::OkStatus();
}

void InvalidationOracle::Close() {
  if (control_fd_ < 0) return;
  (void)ControlRoundtrip({"DEBUG", "SET-ACTIVE-EXPIRE", "1"});
  if (!saved_bulk_len_.empty()) {
    (void)ControlRoundtrip({"CONFIG", "SET", "proto-max-bulk-len", saved_bulk_len_});
  }
  if (!saved_table_max_keys_.empty()) {
    (void)ControlRoundtrip({"CONFIG", "SET", "tracking-table-max-keys", saved_table_max_keys_});
  }
  ::close(control_fd_);
  control_fd_ = -1;
}

absl::Status InvalidationOracle::Run(const std::string& name, const Program& program,
                                     OracleReport* report) {
  report->unit = "steps";
  // The previous program's clients are gone, the keyspace and the tracking
  // table are empty, the table limit is the default.
  if (absl::Status s = WaitGone(last_ids_); !s.ok()) return s;
  last_ids_.clear();
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"FLUSHALL"},
        std::vector<std::string>{"CONFIG", "SET", "tracking-table-max-keys",
                                 std::to_string(tracking::Tracker::kDefaultTableMaxKeys)},
        // Memory accounting: a `config maxmemory` op of the last program.
        std::vector<std::string>{"CONFIG", "SET", "maxmemory", "0", "maxmemory-policy",
                                 "noeviction"}}) {
    auto r = ControlRoundtrip(argv);
    if (!r.ok()) return r.status();
    if (r->type == Type::kError) return absl::FailedPreconditionError(argv[0] + ": " + r->str);
  }
  ++report->programs;
  harnesses::invalidation::RunOptions ro;
  ro.start_ms = RealNowMs();
  ro.max_string_len = kBulkLen;
  ro.turn_per_command = true;
  ro.tracker_bugs = options_.engine_bugs;
  ro.engine_bugs = options_.core_bugs;
  InvalidationReplay replay(*this, name, program, report);
  ro.observer = &replay;
  const harnesses::invalidation::RunResult r = harnesses::invalidation::RunProgram(program, ro);
  last_ids_ = replay.real_ids();
  if (!replay.status().ok()) return replay.status();
  if (!r.verdict.ok) {
    report->notes.push_back(absl::StrCat(name, ": the harness's own check failed on the engine, ",
                                         "the program stopped there: ", r.verdict.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace respfuzz::oracle
