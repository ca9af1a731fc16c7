#include "tools/stale/fuzzers.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace respfuzz::stale {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

void Sleep(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

StepLog::StepLog() : start_(Clock::now()) {}

void StepLog::Add(int64_t iteration, const std::string& action, const std::string& client,
                  const Argv& args, const json& response, const char* source) {
  json step = {{"t_ms", std::round(Seconds(start_) * 1e6) / 1e3},
               {"iteration", iteration},
               {"action", action},
               {"client", client},
               {"args", args},
               {"response", response},
               {"source", source == nullptr ? json(nullptr) : json(source)}};
  steps_.push_back(std::move(step));
  if (steps_.size() > kMaxLoggedSteps) {
    steps_.pop_front();
    ++dropped_;
  }
}

json StepLog::ToJson(const json& header) const {
  json doc = header;
  doc["steps_dropped"] = dropped_;
  doc["steps"] = json::array();
  for (const json& s : steps_) doc["steps"].push_back(s);
  return doc;
}

std::string StepLog::Last(size_t n) const {
  std::string out;
  const size_t from = steps_.size() > n ? steps_.size() - n : 0;
  for (size_t i = from; i < steps_.size(); ++i) {
    const json& s = steps_[i];
    absl::StrAppend(&out, "  #", s["iteration"].get<int64_t>(), " ", s["t_ms"].get<double>(), "ms ",
                    s["action"].get<std::string>(), " [", s["client"].get<std::string>(), "] ",
                    absl::StrJoin(s["args"].get<Argv>(), " "), " -> ", Dump(s["response"]));
    if (!s["source"].is_null()) absl::StrAppend(&out, " (", s["source"].get<std::string>(), ")");
    out += "\n";
  }
  return out;
}

std::vector<std::string> KillTypes() { return {"string", "set", "list", "hash"}; }

std::vector<std::string> CacheFuzzTypes() {
  return {"string", "hash", "list", "set", "zset", "keyspace", "swapdb"};
}

std::vector<std::string> DefaultCacheFuzzTypes() {
  return {"string", "hash", "list", "set", "zset", "keyspace"};
}

namespace {

// ---- the command mix of the cache-fuzzer ----

struct Group {
  std::string name;
  std::vector<std::string> writes;  // command names, for --list-commands
  std::vector<std::string> reads;
};

const std::vector<Group>& Groups() {
  static const std::vector<Group> groups = {
      {"string",
       {"SET", "APPEND", "SETRANGE", "INCR", "DEL"},
       {"GET", "STRLEN", "GETRANGE", "MGET", "EXISTS", "TYPE"}},
      {"hash",
       {"HSET", "HDEL", "HINCRBY", "DEL"},
       {"HGET", "HGETALL", "HMGET", "HLEN", "HEXISTS", "HKEYS", "HVALS"}},
      {"list",
       {"RPUSH", "LPUSH", "LPOP", "RPOP", "LTRIM", "LSET", "DEL"},
       {"LRANGE", "LINDEX", "LLEN"}},
      {"set", {"SADD", "SREM", "SMOVE", "DEL"}, {"SMEMBERS", "SISMEMBER", "SMISMEMBER", "SCARD"}},
      {"zset",
       {"ZADD", "ZREM", "ZINCRBY", "DEL"},
       {"ZRANGE", "ZSCORE", "ZCARD", "ZRANK", "ZCOUNT"}},
      {"keyspace", {"DEL", "UNLINK", "RENAME", "COPY", "PEXPIRE", "PERSIST"}, {"EXISTS", "TYPE"}},
      {"swapdb", {"SWAPDB", "MOVE"}, {}},
  };
  return groups;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : gen_() % n; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  std::string Token(int64_t size, uint64_t unique) {
    static constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s = absl::StrCat("v", unique, "-");
    while (static_cast<int64_t>(s.size()) < size) s += kAlnum[Below(sizeof kAlnum - 1)];
    return s;
  }

 private:
  std::mt19937_64 gen_;
};

// What every fuzzer shares: the clients, the log, the grace rule.
class Session {
 public:
  Session(const CommonOptions& o, const char* tool, FuzzReport* report)
      : o_(o),
        tool_(tool),
        report_(report),
        rng_(o.seed),
        truth_(o.client, o.client.cache.protocol),
        writer_(o.client, resp::Protocol::kResp2),
        admin_(o.client, resp::Protocol::kResp2),
        start_(Clock::now()) {}
  ~Session() {
    if (client_) client_->Stop();
  }

  absl::Status Start(bool own_process) {
    if (!o_.adapter.empty()) {
      client_ = MakeAdapterClient(o_.client, o_.adapter);
    } else if (own_process) {
      client_ = MakeAdapterClient(o_.client, {o_.self_exe, "cache-adapter"});
    } else {
      client_ = MakeInProcessClient(o_.client);
    }
    if (absl::Status s = client_->Start(); !s.ok()) return s;
    report_->client = client_->name();
    // The server must answer the plain connections too.
    auto ping = admin_.Call({"PING"});
    if (!ping.ok()) return ping.status();
    return absl::OkStatus();
  }

  bool Done(int64_t iteration) {
    if (o_.stop != nullptr && o_.stop->load()) return true;
    if (o_.iterations > 0 && iteration >= o_.iterations) return true;
    if (o_.time_s > 0 && Seconds(start_) >= static_cast<double>(o_.time_s)) return true;
    return false;
  }

  void Progress(int64_t iteration, bool final) {
    if (!final && Seconds(last_progress_) < 1.0) return;
    last_progress_ = Clock::now();
    std::printf(
        "[%s] %s%lld%s iterations: %lld reads, %lld from cache, %lld late, %lld kills, "
        "%lld flushes (%.1f s)\n",
        tool_, final ? "done: " : "", static_cast<long long>(iteration),
        o_.iterations > 0 ? absl::StrCat("/", o_.iterations).c_str() : "",
        static_cast<long long>(report_->reads), static_cast<long long>(report_->cache_hits),
        static_cast<long long>(report_->late), static_cast<long long>(report_->kills),
        static_cast<long long>(report_->flushes), Seconds(start_));
    std::fflush(stdout);
  }

  // A write (or any command) through one of the plain connections.
  absl::StatusOr<json> Plain(PlainClient& c, const char* who, const Argv& argv) {
    auto r = c.Call(argv);
    log_.Add(iteration_, "write", who, argv, r.ok() ? *r : json{{"failed", r.status().message()}},
             "server");
    return r;
  }

  // A batch through the caching client, retried (it starts with DEL, so a
  // repeat is harmless) while the client recovers from a kill.
  absl::Status CachingWrite(WriterKind kind, const std::vector<Argv>& cmds) {
    absl::Status last;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (attempt > 0) Sleep(std::max<int64_t>(o_.retry_ms, 20));
      if (kind == WriterKind::kPlain) {
        last = absl::OkStatus();
        for (const Argv& c : cmds) {
          auto r = client_->Call(c);
          log_.Add(iteration_, "write", "cache", c,
                   r.ok() ? r->reply : json{{"failed", r.status().message()}}, "server");
          if (!r.ok()) {
            last = r.status();
            break;
          }
        }
      } else {
        auto r = kind == WriterKind::kPipelined ? client_->Pipeline(cmds) : client_->Multi(cmds);
        json replies = json::array();
        if (r.ok()) {
          for (const CallResult& c : *r) replies.push_back(c.reply);
        }
        Argv flat = {kind == WriterKind::kPipelined ? "PIPELINE" : "MULTI"};
        for (const Argv& c : cmds) flat.push_back(absl::StrJoin(c, " "));
        log_.Add(iteration_, "write", "cache", flat,
                 r.ok() ? replies : json{{"failed", r.status().message()}}, "server");
        last = r.status();
      }
      if (last.ok()) return last;
    }
    return absl::UnavailableError("the caching client could not write: " +
                                  std::string(last.message()));
  }

  // Reads `read` through the cache until it equals the server's value, for
  // at most the grace period. Sets *matched and *from_cache (of the last read).
  absl::Status Converge(const Argv& read, bool* matched, bool* from_cache) {
    const auto first = Clock::now();
    const auto deadline = first + std::chrono::milliseconds(o_.grace_ms);
    absl::Status client_error = absl::OkStatus();
    for (int attempt = 0;; ++attempt) {
      auto truth = truth_.Call(read);
      if (!truth.ok()) return truth.status();
      log_.Add(iteration_, "read", "plain", read, *truth, "server");
      auto got = client_->Call(read);
      ++report_->reads;
      if (got.ok()) {
        client_error = absl::OkStatus();
        log_.Add(iteration_, "read", "cache", read, got->reply,
                 got->from_cache ? "cache" : "server");
        if (got->from_cache) ++report_->cache_hits;
        *from_cache = got->from_cache;
        if (Canonical(read, got->reply) == Canonical(read, *truth)) {
          if (attempt > 0) {
            ++report_->late;
            report_->max_late_ms = std::max(report_->max_late_ms, Seconds(first) * 1000);
          }
          *matched = true;
          return absl::OkStatus();
        }
      } else {
        client_error = got.status();
        log_.Add(iteration_, "read", "cache", read, json{{"failed", got.status().message()}},
                 nullptr);
      }
      if (Clock::now() >= deadline) {
        if (!client_error.ok()) {
          return absl::UnavailableError(absl::StrCat("the caching client failed for ", o_.grace_ms,
                                                     " ms: ", client_error.message()));
        }
        *matched = false;
        report_->stale = true;
        report_->finding =
            absl::StrCat("stale read at iteration ", iteration_, ": ", absl::StrJoin(read, " "),
                         " through the cache gave ", Dump(got->reply),
                         got->from_cache ? " (from the cache)" : " (from the server)",
                         "; the server has ", Dump(*truth), ", still after ", o_.grace_ms,
                         " ms of retries every ", o_.retry_ms, " ms");
        return absl::OkStatus();
      }
      Sleep(o_.retry_ms);
    }
  }

  absl::Status KillClientConnection() {
    auto ids = client_->ClientIds();
    if (!ids.ok()) return ids.status();
    const int64_t id = rng_.Pick(*ids);
    auto r = admin_.Call({"CLIENT", "KILL", "ID", absl::StrCat(id)});
    log_.Add(iteration_, "kill", "admin", {"CLIENT", "KILL", "ID", absl::StrCat(id)},
             r.ok() ? *r : json{{"failed", r.status().message()}}, "server");
    if (!r.ok()) return r.status();
    ++report_->kills;
    return absl::OkStatus();
  }

  void Finish(size_t show_last, const json& options) {
    report_->seconds = Seconds(start_);
    report_->reconnects = client_ ? client_->reconnects() : -1;
    if (!report_->stale) return;
    json header = {{"tool", tool_},
                   {"server", absl::StrCat(o_.client.host, ":", o_.client.port)},
                   {"client", report_->client},
                   {"seed", o_.seed},
                   {"options", options},
                   {"stale", true},
                   {"finding", report_->finding}};
    report_->log = log_.ToJson(header);
    report_->last_steps = log_.Last(show_last);
  }

  const CommonOptions& o_;
  const char* tool_;
  FuzzReport* report_;
  Rng rng_;
  PlainClient truth_;   // the server's value, in the caching client's protocol
  PlainClient writer_;  // the second client
  PlainClient admin_;   // CLIENT KILL, FLUSHALL
  std::unique_ptr<CachingClient> client_;
  StepLog log_;
  int64_t iteration_ = 0;
  uint64_t unique_ = 0;
  Clock::time_point start_;
  Clock::time_point last_progress_ = Clock::now();
};

json CommonJson(const CommonOptions& o) {
  return {{"mode", std::string(cache::ModeName(o.client.cache.mode))},
          {"resp", static_cast<int>(o.client.cache.protocol)},
          {"adapter", o.adapter},
          {"iterations", o.iterations},
          {"keys", o.keys},
          {"types", o.types},
          {"value_size", o.value_size},
          {"grace_ms", o.grace_ms},
          {"retry_ms", o.retry_ms},
          {"delay_ms", o.delay_ms},
          {"bug", o.client.bug}};
}

std::string_view WriterName(WriterKind w) {
  switch (w) {
    case WriterKind::kPlain:
      return "plain";
    case WriterKind::kPipelined:
      return "pipelined";
    case WriterKind::kMulti:
      return "multi";
    case WriterKind::kSecondClient:
      return "second-client";
  }
  return "?";
}

// The writes that give `key` of `type` exactly the value made of `token`,
// and the read that returns it.
std::vector<Argv> KillWrites(const std::string& type, const std::string& key,
                             const std::string& token) {
  if (type == "set") return {{"DEL", key}, {"SADD", key, token + ":a", token + ":b", token + ":c"}};
  if (type == "list") return {{"DEL", key}, {"RPUSH", key, token + ":a", token + ":b"}};
  if (type == "hash") return {{"DEL", key}, {"HSET", key, "f1", token + ":1", "f2", token + ":2"}};
  return {{"DEL", key}, {"SET", key, token}};
}

Argv KillRead(const std::string& type, const std::string& key) {
  if (type == "set") return {"SMEMBERS", key};
  if (type == "list") return {"LRANGE", key, "0", "-1"};
  if (type == "hash") return {"HGETALL", key};
  return {"GET", key};
}

}  // namespace

absl::Status RunKillFuzzer(const KillOptions& ko, size_t show_last, FuzzReport* report) {
  const CommonOptions& o = ko.common;
  Session s(o, "kill-fuzzer", report);
  if (absl::Status st = s.Start(ko.kill_mode == KillMode::kProcess); !st.ok()) return st;
  std::printf("[kill-fuzzer] %s against %s:%d, seed %llu\n", report->client.c_str(),
              o.client.host.c_str(), o.client.port, static_cast<unsigned long long>(o.seed));
  std::fflush(stdout);
  json options = CommonJson(o);
  options["kill_mode"] = ko.kill_mode == KillMode::kClient    ? "client"
                         : ko.kill_mode == KillMode::kProcess ? "process"
                                                              : "none";
  options["signal"] = ko.signal;
  json writers = json::array();
  for (WriterKind w : ko.writers) writers.push_back(std::string(WriterName(w)));
  options["writers"] = writers;

  int64_t it = 0;
  for (; !s.Done(it) && !report->stale; ++it) {
    s.iteration_ = it;
    const std::string type = s.rng_.Pick(o.types);
    const std::string key = absl::StrCat("respfuzz:kf:", s.rng_.Below(o.keys));
    const WriterKind writer = s.rng_.Pick(ko.writers);
    const Argv read = KillRead(type, key);
    auto write = [&](const std::string& token) -> absl::Status {
      const std::vector<Argv> cmds = KillWrites(type, key, token);
      if (writer != WriterKind::kSecondClient) return s.CachingWrite(writer, cmds);
      for (const Argv& c : cmds) {
        auto r = s.Plain(s.writer_, "writer", c);
        if (!r.ok()) return r.status();
      }
      return absl::OkStatus();
    };
    if (absl::Status st = write(s.rng_.Token(o.value_size, ++s.unique_)); !st.ok()) return st;
    Sleep(o.delay_ms);
    // Prime the cache: a read, then the next ones until one is a hit.
    bool matched = false, from_cache = false, primed = false;
    for (int attempt = 0; attempt < 4 && !report->stale; ++attempt) {
      if (absl::Status st = s.Converge(read, &matched, &from_cache); !st.ok()) return st;
      if (attempt > 0 && from_cache) {
        primed = true;
        break;
      }
    }
    if (report->stale) break;
    if (!primed) ++report->not_cached;
    // Invalidate the caching connection.
    if (ko.kill_mode == KillMode::kClient) {
      if (absl::Status st = s.KillClientConnection(); !st.ok()) return st;
    } else if (ko.kill_mode == KillMode::kProcess) {
      absl::Status st = s.client_->KillProcess(ko.signal);
      s.log_.Add(it, "kill", "cache", {"kill", absl::StrCat("-", ko.signal)},
                 st.ok() ? json("restarted") : json{{"failed", st.message()}}, nullptr);
      if (!st.ok()) return st;
      ++report->kills;
    }
    Sleep(o.delay_ms);
    if (absl::Status st = write(s.rng_.Token(o.value_size, ++s.unique_)); !st.ok()) return st;
    Sleep(o.delay_ms);
    if (absl::Status st = s.Converge(read, &matched, &from_cache); !st.ok()) return st;
    report->iterations = it + 1;
    s.Progress(it + 1, false);
  }
  report->iterations = report->stale ? it + 1 : it;
  s.Progress(report->iterations, true);
  s.Finish(show_last, options);
  return absl::OkStatus();
}

std::string ListCommands() {
  std::string out;
  const std::vector<std::string> defaults = DefaultCacheFuzzTypes();
  for (const Group& g : Groups()) {
    const bool on = std::find(defaults.begin(), defaults.end(), g.name) != defaults.end();
    absl::StrAppend(&out, g.name, on ? "" : " (not in the default --types)", ":\n");
    absl::StrAppend(&out, "  writes: ", absl::StrJoin(g.writes, " "), "\n");
    if (!g.reads.empty()) absl::StrAppend(&out, "  reads:  ", absl::StrJoin(g.reads, " "), "\n");
  }
  absl::StrAppend(&out, "every step: --kill PERCENT  CLIENT KILL ID of a caching connection\n",
                  "            --flush PERCENT FLUSHALL or FLUSHDB\n");
  return out;
}

namespace {

std::string Key(const std::string& group, uint64_t i) {
  return absl::StrCat("respfuzz:", group, ":", i);
}

// A random command of `group` on its keys: a write (through the writer) or
// a read (through the cache, compared with the server).
Argv RandomCommand(Rng& r, const std::string& group, bool write, const CommonOptions& o,
                   const std::vector<std::string>& data_groups, uint64_t unique) {
  const auto key = [&](const std::string& g) { return Key(g, r.Below(o.keys)); };
  const std::string k = key(group == "keyspace" || group == "swapdb" ? r.Pick(data_groups) : group);
  const std::string v = r.Token(o.value_size, unique);
  const std::string m = absl::StrCat("m", r.Below(5));
  const std::string f = absl::StrCat("f", r.Below(4));
  const std::string n = absl::StrCat(r.Below(4));
  if (group == "string") {
    if (write) {
      switch (r.Below(6)) {
        case 0:
          return {"APPEND", k, v};
        case 1:
          return {"SETRANGE", k, n, v};
        case 2:
          return {"INCR", k};
        case 3:
          return {"DEL", k};
        case 4:
          return {"SET", k, n};
        default:
          return {"SET", k, v};
      }
    }
    switch (r.Below(6)) {
      case 0:
        return {"STRLEN", k};
      case 1:
        return {"GETRANGE", k, "0", n};
      case 2:
        return {"MGET", k, key(group)};
      case 3:
        return {"EXISTS", k, key(group)};
      case 4:
        return {"TYPE", k};
      default:
        return {"GET", k};
    }
  }
  if (group == "hash") {
    if (write) {
      switch (r.Below(4)) {
        case 0:
          return {"HDEL", k, f};
        case 1:
          return {"HINCRBY", k, f, "1"};
        case 2:
          return {"DEL", k};
        default:
          return {"HSET", k, f, r.Below(2) ? v : n};
      }
    }
    switch (r.Below(7)) {
      case 0:
        return {"HGETALL", k};
      case 1:
        return {"HMGET", k, f, absl::StrCat("f", r.Below(4))};
      case 2:
        return {"HLEN", k};
      case 3:
        return {"HEXISTS", k, f};
      case 4:
        return {"HKEYS", k};
      case 5:
        return {"HVALS", k};
      default:
        return {"HGET", k, f};
    }
  }
  if (group == "list") {
    if (write) {
      switch (r.Below(7)) {
        case 0:
          return {"LPUSH", k, v};
        case 1:
          return {"LPOP", k};
        case 2:
          return {"RPOP", k};
        case 3:
          return {"LTRIM", k, "0", n};
        case 4:
          return {"LSET", k, "0", v};
        case 5:
          return {"DEL", k};
        default:
          return {"RPUSH", k, v};
      }
    }
    switch (r.Below(3)) {
      case 0:
        return {"LINDEX", k, n};
      case 1:
        return {"LLEN", k};
      default:
        return {"LRANGE", k, "0", "-1"};
    }
  }
  if (group == "set") {
    if (write) {
      switch (r.Below(4)) {
        case 0:
          return {"SREM", k, m};
        case 1:
          return {"SMOVE", k, key(group), m};
        case 2:
          return {"DEL", k};
        default:
          return {"SADD", k, m};
      }
    }
    switch (r.Below(4)) {
      case 0:
        return {"SISMEMBER", k, m};
      case 1:
        return {"SMISMEMBER", k, m, absl::StrCat("m", r.Below(5))};
      case 2:
        return {"SCARD", k};
      default:
        return {"SMEMBERS", k};
    }
  }
  if (group == "zset") {
    if (write) {
      switch (r.Below(4)) {
        case 0:
          return {"ZREM", k, m};
        case 1:
          return {"ZINCRBY", k, "1", m};
        case 2:
          return {"DEL", k};
        default:
          return {"ZADD", k, n, m};
      }
    }
    switch (r.Below(5)) {
      case 0:
        return {"ZSCORE", k, m};
      case 1:
        return {"ZCARD", k};
      case 2:
        return {"ZRANK", k, m};
      case 3:
        return {"ZCOUNT", k, "-inf", "+inf"};
      default:
        return {"ZRANGE", k, "0", "-1"};
    }
  }
  if (group == "keyspace") {
    const std::string k2 = Key(k.substr(9, k.rfind(':') - 9), r.Below(o.keys));
    if (write) {
      switch (r.Below(6)) {
        case 0:
          return {"UNLINK", k};
        case 1:
          return {"RENAME", k, k2};
        case 2:
          return {"COPY", k, k2, "REPLACE"};
        case 3:
          return {"PEXPIRE", k, absl::StrCat(1 + r.Below(50))};
        case 4:
          return {"PERSIST", k};
        default:
          return {"DEL", k};
      }
    }
    return r.Below(2) ? Argv{"EXISTS", k, k2} : Argv{"TYPE", k};
  }
  // swapdb: only writes.
  return r.Below(2) ? Argv{"SWAPDB", "0", "1"} : Argv{"MOVE", k, "1"};
}

}  // namespace

absl::Status RunCacheFuzzer(const CacheFuzzOptions& co, size_t show_last, FuzzReport* report) {
  const CommonOptions& o = co.common;
  Session s(o, "cache-fuzzer", report);
  if (absl::Status st = s.Start(false); !st.ok()) return st;
  std::printf("[cache-fuzzer] %s against %s:%d, seed %llu\n", report->client.c_str(),
              o.client.host.c_str(), o.client.port, static_cast<unsigned long long>(o.seed));
  std::fflush(stdout);
  json options = CommonJson(o);
  options["kill_percent"] = co.kill_percent;
  options["flush_percent"] = co.flush_percent;

  std::vector<std::string> data_groups, read_groups;
  for (const std::string& t : o.types) {
    if (t != "keyspace" && t != "swapdb") data_groups.push_back(t);
    if (t != "swapdb") read_groups.push_back(t);
  }
  if (data_groups.empty()) data_groups = {"string"};
  if (read_groups.empty()) read_groups = data_groups;
  // Start from a known state: the keys of earlier runs are gone.
  if (auto r = s.Plain(s.admin_, "admin", {"FLUSHALL"}); !r.ok()) return r.status();

  int64_t it = 0;
  for (; !s.Done(it) && !report->stale; ++it) {
    s.iteration_ = it;
    const uint64_t roll = s.rng_.Below(100);
    if (roll < static_cast<uint64_t>(co.kill_percent)) {
      if (absl::Status st = s.KillClientConnection(); !st.ok()) return st;
    } else if (roll < static_cast<uint64_t>(co.kill_percent + co.flush_percent)) {
      const Argv flush = s.rng_.Below(2) ? Argv{"FLUSHALL"} : Argv{"FLUSHDB"};
      if (auto r = s.Plain(s.writer_, "writer", flush); !r.ok()) return r.status();
      ++report->flushes;
    } else if (s.rng_.Below(4) == 0) {
      const Argv cmd =
          RandomCommand(s.rng_, s.rng_.Pick(o.types), true, o, data_groups, ++s.unique_);
      if (auto r = s.Plain(s.writer_, "writer", cmd); !r.ok()) return r.status();
    } else {
      const Argv cmd =
          RandomCommand(s.rng_, s.rng_.Pick(read_groups), false, o, data_groups, ++s.unique_);
      bool matched = false, from_cache = false;
      if (absl::Status st = s.Converge(cmd, &matched, &from_cache); !st.ok()) return st;
    }
    Sleep(o.delay_ms);
    s.Progress(it + 1, false);
  }
  report->iterations = report->stale ? it + 1 : it;
  s.Progress(report->iterations, true);
  s.Finish(show_last, options);
  return absl::OkStatus();
}

}  // namespace respfuzz::stale
