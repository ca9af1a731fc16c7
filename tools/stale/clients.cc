#include "tools/stale/clients.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace respfuzz::stale {

namespace {

using nlohmann::json;
using resp::Type;
using resp::Value;

bool Stringish(const Value& v) {
  return v.type == Type::kSimpleString || v.type == Type::kBulkString ||
         v.type == Type::kBigNumber || v.type == Type::kVerbatim;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool IsLost(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ||
         s.code() == absl::StatusCode::kDeadlineExceeded ||
         s.code() == absl::StatusCode::kDataLoss || s.code() == absl::StatusCode::kInternal ||
         s.code() == absl::StatusCode::kFailedPrecondition;
}

// Calls `fn` on a connected client; a lost connection is reconnected once.
// Counts the reconnects in *reconnects.
template <typename Fn>
auto WithReconnect(cache::SocketClient& c, Fn fn, int64_t* reconnects) -> decltype(fn()) {
  if (!c.connected()) {
    ++*reconnects;
    if (absl::Status s = c.Connect(); !s.ok()) return s;
  }
  auto r = fn();
  if (r.ok() || !IsLost(r.status())) return r;
  ++*reconnects;
  if (absl::Status s = c.Connect(); !s.ok()) return s;
  return fn();
}

}  // namespace

json ValueToJson(const Value& v) {
  switch (v.type) {
    case Type::kSimpleString:
    case Type::kBulkString:
    case Type::kBigNumber:
      return v.str;
    case Type::kVerbatim:
      return v.str.size() >= 4 ? v.str.substr(4) : v.str;
    case Type::kError:
    case Type::kBulkError:
      return json{{"error", v.str}};
    case Type::kInteger:
      return v.integer;
    case Type::kDouble:
      if (std::isfinite(v.dbl)) return v.dbl;
      return resp::FormatDouble(v.dbl);
    case Type::kBoolean:
      return v.boolean;
    case Type::kNull:
    case Type::kNullBulk:
    case Type::kNullArray:
      return nullptr;
    case Type::kMap: {
      bool string_keys = true;
      for (size_t i = 0; i < v.elems.size(); i += 2) string_keys &= Stringish(v.elems[i]);
      if (string_keys) {
        json o = json::object();
        for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
          o[v.elems[i].str] = ValueToJson(v.elems[i + 1]);
        }
        return o;
      }
      json a = json::array();
      for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        a.push_back(json::array({ValueToJson(v.elems[i]), ValueToJson(v.elems[i + 1])}));
      }
      return a;
    }
    case Type::kArray:
    case Type::kSet:
    case Type::kPush:
    case Type::kAttribute: {
      json a = json::array();
      for (const Value& e : v.elems) a.push_back(ValueToJson(e));
      return a;
    }
  }
  return nullptr;
}

json Canonical(const Argv& argv, json reply) {
  if (argv.empty()) return reply;
  const std::string name = Upper(argv[0]);
  if ((name == "SMEMBERS" || name == "HKEYS" || name == "HVALS") && reply.is_array()) {
    std::sort(reply.begin(), reply.end());
  } else if (name == "HGETALL" && reply.is_array() && reply.size() % 2 == 0) {
    json o = json::object();
    for (size_t i = 0; i + 1 < reply.size(); i += 2) {
      if (!reply[i].is_string()) return reply;
      o[reply[i].get<std::string>()] = reply[i + 1];
    }
    return o;
  }
  return reply;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// ---- our ClientCache in-process ----

namespace {

cache::SocketOptions SocketOptionsOf(const ClientSpec& spec) {
  cache::SocketOptions o;
  o.host = spec.host;
  o.port = spec.port;
  o.timeout_ms = spec.timeout_ms;
  return o;
}

class InProcessClient : public CachingClient {
 public:
  explicit InProcessClient(const ClientSpec& spec)
      : spec_(spec), client_(SocketOptionsOf(spec), spec.cache) {}

  std::string name() const override {
    return absl::StrCat("respfuzz ClientCache (", std::string(cache::ModeName(spec_.cache.mode)),
                        ", RESP", static_cast<int>(spec_.cache.protocol), ")");
  }
  absl::Status Start() override { return client_.Connect(); }

  absl::StatusOr<CallResult> Call(const Argv& argv) override {
    auto r = WithReconnect(
        client_, [&]() { return client_.Call(argv); }, &reconnects_);
    if (!r.ok()) return r.status();
    return CallResult{ValueToJson(r->value), r->from_cache};
  }
  absl::StatusOr<std::vector<CallResult>> Pipeline(const std::vector<Argv>& commands) override {
    auto r = WithReconnect(
        client_, [&]() { return client_.CallAll(commands); }, &reconnects_);
    if (!r.ok()) return r.status();
    std::vector<CallResult> out;
    for (const cache::CallResult& c : *r) out.push_back({ValueToJson(c.value), c.from_cache});
    return out;
  }
  absl::StatusOr<std::vector<CallResult>> Multi(const std::vector<Argv>& commands) override {
    std::vector<Argv> all;
    all.push_back({"MULTI"});
    all.insert(all.end(), commands.begin(), commands.end());
    all.push_back({"EXEC"});
    auto r = Pipeline(all);
    if (!r.ok()) return r.status();
    const json& exec = r->back().reply;
    if (!exec.is_array()) return absl::InternalError("EXEC replied " + Dump(exec));
    std::vector<CallResult> out;
    for (const json& e : exec) out.push_back({e, false});
    return out;
  }
  absl::StatusOr<std::vector<int64_t>> ClientIds() override {
    if (!client_.connected()) {
      if (absl::Status s = client_.Connect(); !s.ok()) return s;
    }
    std::vector<int64_t> ids;
    for (int c = 0; c < client_.cache().connections(); ++c) ids.push_back(client_.connection_id(c));
    return ids;
  }
  absl::Status KillProcess(int) override {
    return absl::UnimplementedError("the in-process client has no process of its own");
  }
  void Stop() override { client_.Close(); }
  int64_t reconnects() const override { return reconnects_; }

 private:
  ClientSpec spec_;
  cache::SocketClient client_;
  int64_t reconnects_ = 0;
};

// ---- a child process behind the adapter protocol ----

class AdapterClient : public CachingClient {
 public:
  AdapterClient(const ClientSpec& spec, Argv argv) : spec_(spec), argv_(std::move(argv)) {}
  ~AdapterClient() override { Stop(); }

  std::string name() const override {
    return client_name_.empty() ? absl::StrJoin(argv_, " ") : client_name_;
  }

  absl::Status Start() override {
    Stop();
    if (absl::Status s = Spawn(); !s.ok()) return s;
    json req = {{"op", "connect"},
                {"host", spec_.host},
                {"port", spec_.port},
                {"resp", static_cast<int>(spec_.cache.protocol)},
                {"mode", std::string(cache::ModeName(spec_.cache.mode))},
                {"prefixes", spec_.cache.prefixes},
                {"noloop", spec_.cache.noloop}};
    if (!spec_.bug.empty()) req["bug"] = spec_.bug;
    auto r = Request(std::move(req));
    if (!r.ok()) {
      Stop();
      return absl::FailedPreconditionError("adapter refused to connect: " +
                                           std::string(r.status().message()));
    }
    if (r->contains("client") && (*r)["client"].is_string()) {
      client_name_ = (*r)["client"].get<std::string>();
    }
    return absl::OkStatus();
  }

  absl::StatusOr<CallResult> Call(const Argv& argv) override {
    auto r = Request({{"op", "call"}, {"args", argv}});
    if (!r.ok()) return r.status();
    return Result(*r);
  }
  absl::StatusOr<std::vector<CallResult>> Pipeline(const std::vector<Argv>& commands) override {
    return Batch("pipeline", commands);
  }
  absl::StatusOr<std::vector<CallResult>> Multi(const std::vector<Argv>& commands) override {
    return Batch("multi", commands);
  }
  absl::StatusOr<std::vector<int64_t>> ClientIds() override {
    auto r = Request({{"op", "client_ids"}});
    if (!r.ok()) return r.status();
    std::vector<int64_t> ids;
    if (r->contains("ids") && (*r)["ids"].is_array()) {
      for (const json& id : (*r)["ids"]) {
        if (id.is_number_integer()) ids.push_back(id.get<int64_t>());
      }
    }
    if (ids.empty()) return absl::InternalError("adapter gave no client ids: " + Dump(*r));
    return ids;
  }
  absl::Status KillProcess(int signal) override {
    if (pid_ <= 0) return absl::FailedPreconditionError("adapter process not running");
    ::kill(pid_, signal);
    Reap(/*grace_ms=*/2000);
    return Start();
  }
  void Stop() override {
    if (pid_ <= 0) return;
    if (in_ >= 0) {
      // Best effort: a polite quit, then the process is ended and reaped.
      const std::string quit = "{\"op\":\"quit\"}\n";
      (void)!::write(in_, quit.data(), quit.size());
    }
    CloseFds();
    Reap(/*grace_ms=*/2000);
  }

 private:
  absl::Status Spawn() {
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
    if (::pipe2(from_child, O_CLOEXEC) != 0) {
      ::close(to_child[0]);
      ::close(to_child[1]);
      return absl::InternalError("pipe failed");
    }
    std::vector<char*> args;
    for (std::string& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return absl::InternalError(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      ::execvp(args[0], args.data());
      const std::string msg = "respfuzz: cannot run adapter " + argv_[0] + "\n";
      (void)!::write(2, msg.data(), msg.size());
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    pid_ = pid;
    in_ = to_child[1];
    out_ = from_child[0];
    buf_.clear();
    return absl::OkStatus();
  }

  void CloseFds() {
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0) ::close(out_);
    in_ = out_ = -1;
  }

  // Waits up to grace_ms for the child to exit, then SIGKILLs and reaps it.
  void Reap(int grace_ms) {
    if (pid_ <= 0) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        CloseFds();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    CloseFds();
  }

  absl::StatusOr<json> Request(json req) {
    if (pid_ <= 0 || in_ < 0) return absl::FailedPreconditionError("adapter not running");
    const int64_t id = ++next_id_;
    req["id"] = id;
    const std::string line = Dump(req) + "\n";
    for (size_t off = 0; off < line.size();) {
      const ssize_t n = ::write(in_, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Died("cannot write to the adapter");
      off += static_cast<size_t>(n);
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(spec_.timeout_ms);
    while (true) {
      const size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string got = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        json res = json::parse(got, nullptr, false);
        if (res.is_discarded() || !res.is_object()) {
          return Died("the adapter wrote a line that is not a JSON object: " + got.substr(0, 200));
        }
        if (!res.contains("id") || res["id"] != id) {
          return Died("the adapter answered out of order: " + got.substr(0, 200));
        }
        if (!res.value("ok", false)) {
          return absl::AbortedError("adapter: " + res.value("error", std::string("failed")));
        }
        return res;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) return Died(absl::StrCat("no answer within ", spec_.timeout_ms, " ms"));
      pollfd p{out_, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno != EINTR) return Died("poll failed");
      if (r <= 0) continue;
      char chunk[65536];
      const ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Died("the adapter exited");
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  absl::Status Died(const std::string& why) {
    CloseFds();
    Reap(/*grace_ms=*/500);
    return absl::UnavailableError("adapter " + name() + ": " + why);
  }

  static CallResult Result(const json& r) {
    return CallResult{r.contains("reply") ? r["reply"] : json(nullptr), r.value("cached", false)};
  }

  absl::StatusOr<std::vector<CallResult>> Batch(const char* op, const std::vector<Argv>& cmds) {
    auto r = Request({{"op", op}, {"commands", cmds}});
    if (!r.ok()) return r.status();
    std::vector<CallResult> out;
    if (r->contains("replies") && (*r)["replies"].is_array()) {
      for (const json& e : (*r)["replies"]) out.push_back(Result(e));
    }
    return out;
  }

  ClientSpec spec_;
  Argv argv_;
  std::string client_name_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buf_;
  int64_t next_id_ = 0;
};

}  // namespace

std::unique_ptr<CachingClient> MakeInProcessClient(const ClientSpec& spec) {
  return std::make_unique<InProcessClient>(spec);
}

std::unique_ptr<CachingClient> MakeAdapterClient(const ClientSpec& spec, Argv argv) {
  return std::make_unique<AdapterClient>(spec, std::move(argv));
}

namespace {
cache::CacheOptions PlainOptions(resp::Protocol protocol) {
  cache::CacheOptions o;
  o.mode = cache::Mode::kPlain;
  o.protocol = protocol;
  return o;
}
}  // namespace

PlainClient::PlainClient(const ClientSpec& spec, resp::Protocol protocol)
    : client_(SocketOptionsOf(spec), PlainOptions(protocol)) {}

absl::StatusOr<json> PlainClient::Call(const Argv& argv) {
  int64_t reconnects = 0;
  auto r = WithReconnect(
      client_, [&]() { return client_.Call(argv); }, &reconnects);
  if (!r.ok()) return r.status();
  return ValueToJson(r->value);
}

// ---- `respfuzz cache-adapter` ----

int ServeAdapterProtocol(std::istream& in, std::ostream& out) {
  std::unique_ptr<CachingClient> client;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json req = json::parse(line, nullptr, false);
    json res = json::object();
    if (req.is_object() && req.contains("id")) res["id"] = req["id"];
    auto fail = [&](const std::string& why) {
      res["ok"] = false;
      res["error"] = why;
    };
    const std::string op = req.is_object() ? req.value("op", std::string()) : std::string();
    try {
      if (!req.is_object()) {
        fail("not a JSON object");
      } else if (op == "connect") {
        ClientSpec spec;
        spec.host = req.value("host", std::string("127.0.0.1"));
        spec.port = req.value("port", 6379);
        const int proto = req.value("resp", 3);
        spec.cache.protocol = proto == 2 ? resp::Protocol::kResp2 : resp::Protocol::kResp3;
        std::optional<cache::Mode> mode =
            cache::ParseMode(req.value("mode", std::string("default")));
        const std::string bug = req.value("bug", std::string());
        if (proto != 2 && proto != 3) {
          fail("resp must be 2 or 3");
        } else if (!mode) {
          fail("unknown mode");
        } else if (!bug.empty() && !cache::SetBug(bug, &spec.cache.bugs)) {
          fail("unknown bug '" + bug + "'");
        } else {
          spec.cache.mode = *mode;
          spec.cache.noloop = req.value("noloop", false);
          if (req.contains("prefixes") && req["prefixes"].is_array()) {
            spec.cache.prefixes = req["prefixes"].get<std::vector<std::string>>();
          }
          client = MakeInProcessClient(spec);
          if (absl::Status s = client->Start(); !s.ok()) {
            client.reset();
            fail(std::string(s.message()));
          } else {
            res["ok"] = true;
            res["client"] = client->name();
          }
        }
      } else if (op == "quit") {
        res["ok"] = true;
      } else if (client == nullptr) {
        fail("not connected: send connect first");
      } else if (op == "call") {
        auto r = client->Call(req.at("args").get<Argv>());
        if (!r.ok()) {
          fail(std::string(r.status().message()));
        } else {
          res["ok"] = true;
          res["reply"] = r->reply;
          res["cached"] = r->from_cache;
        }
      } else if (op == "pipeline" || op == "multi") {
        const auto cmds = req.at("commands").get<std::vector<Argv>>();
        auto r = op == "pipeline" ? client->Pipeline(cmds) : client->Multi(cmds);
        if (!r.ok()) {
          fail(std::string(r.status().message()));
        } else {
          res["ok"] = true;
          res["replies"] = json::array();
          for (const CallResult& c : *r) {
            res["replies"].push_back({{"reply", c.reply}, {"cached", c.from_cache}});
          }
        }
      } else if (op == "client_ids") {
        auto r = client->ClientIds();
        if (!r.ok()) {
          fail(std::string(r.status().message()));
        } else {
          res["ok"] = true;
          res["ids"] = *r;
        }
      } else {
        fail("unknown op '" + op + "'");
      }
    } catch (const json::exception& e) {
      fail(std::string("bad request: ") + e.what());
    }
    out << Dump(res) << "\n" << std::flush;
    if (op == "quit") break;
  }
  if (client) client->Stop();
  return 0;
}

}  // namespace respfuzz::stale
