// respfuzz_recorder: plays recordings (tests/recordings/*.json) against a
// live redis-server on 127.0.0.1 and checks that it sends the recorded bytes,
// or (--write) records what it sends into the files.
//
//   respfuzz_recorder --port PORT [--write] [--only NAME] FILE.json...
//
// For every recording and every protocol pass: ACL as the server starts (no
// user but the default one, which has every permission and no password;
// requirepass empty), FLUSHALL, active expiry off
// (DEBUG SET-ACTIVE-EXPIRE 0, so the server needs --enable-debug-command),
// proto-max-bulk-len as recorded, then one fresh connection per session
// (HELLO 3 on each for a RESP3 pass) and the steps in order: commands as RESP
// multibulks, each reply framed by our reader and kept as raw bytes; sleeps
// as real sleeps; an active-expiry step SCANs every db on a control
// connection, which deletes every expired key the way active expiry does
// (both go through deleteExpiredKeyAndPropagate, touching watchers alike),
// without waiting on the server's cron.
// A streams recording (README.md) is played one command per event-loop turn:
// the command is sent, its sender's bytes are read until they hold a whole
// reply, then a PING on the control connection (run by the server in a later
// turn) marks the moment every byte of the command's turn has been written,
// and every session's socket is drained. Each session's bytes for the turn
// are compared with what the command step and the end_turn step after it
// record together (the live server cannot tell the two apart).
// Exit status: 0 when every reply is as recorded (or, with --write, when
// every file was written), 1 on a difference, 2 on a usage or I/O error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/resp/reader.h"
#include "src/resp/writer.h"
#include "tests/recordings/recording.h"

namespace respfuzz::recordings {
namespace {

constexpr int kReplyTimeoutMs = 10000;
constexpr int kDatabases = 16;
// After the turn's barrier, how long a socket may stay silent before its
// bytes for the turn count as complete (loopback delivers them by then).
constexpr int kQuietMs = 2;

// One client connection to 127.0.0.1; replies come back as raw bytes.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }

  absl::Status Connect(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1, never anything else
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return absl::UnavailableError(
          absl::StrCat("connect 127.0.0.1:", port, ": ", strerror(errno)));
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return absl::OkStatus();
  }

  absl::Status Send(const std::vector<std::string>& argv) {
    const std::string request = resp::EncodeCommand(argv);
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return absl::UnavailableError(absl::StrCat("send: ", strerror(errno)));
      sent += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  // Appends what arrives within `timeout_ms` (0: only what is there now) to
  // *bytes; false once the server closed the connection.
  bool Drain(int timeout_ms, std::string* bytes) {
    if (fd_ < 0) return false;
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return true;
      char buf[65536];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        Close();
        return false;
      }
      bytes->append(buf, static_cast<size_t>(n));
      timeout_ms = 0;
    }
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool open() const { return fd_ >= 0; }

  // Sends argv and returns the bytes of exactly one reply.
  absl::StatusOr<std::string> Call(const std::vector<std::string>& argv) {
    if (absl::Status st = Send(argv); !st.ok()) return st;
    std::string reply;
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      const int ready = poll(&p, 1, kReplyTimeoutMs);
      if (ready <= 0) return absl::DeadlineExceededError("no complete reply within 10 s");
      char buf[65536];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return absl::UnavailableError("the server closed the connection");
      reply.append(buf, static_cast<size_t>(n));
      // Replies are small: parsing the whole reply again per chunk is fine.
      resp::ReaderError err;
      bool complete = false;
      std::vector<resp::Value> values =
          resp::ReadAll(reply, resp::Protocol::kResp3, {}, &err, &complete);
      if (err.code != resp::ReaderErrorCode::kNone) {
        return absl::DataLossError("the reply does not parse: " + err.reason);
      }
      if (values.size() > 1) return absl::DataLossError("more than one reply arrived");
      if (values.size() == 1 && complete) return reply;
    }
  }

 private:
  int fd_ = -1;
};

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SleepMs(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// The reply with the server's client id of the session's connection written
// as the recordings write it, session + 1: the whole reply of CLIENT ID, or
// the "id" field of HELLO's map (also inside an EXEC). Nothing else is
// touched, so the other integers of a reply cannot be mistaken for the id.
std::string RewriteClientId(std::string reply, int64_t server_id, int session) {
  if (reply == absl::StrCat(":", server_id, "\r\n")) return absl::StrCat(":", session + 1, "\r\n");
  const std::string from = absl::StrCat("$2\r\nid\r\n:", server_id, "\r\n");
  const std::string to = absl::StrCat("$2\r\nid\r\n:", session + 1, "\r\n");
  for (size_t pos = 0; (pos = reply.find(from, pos)) != std::string::npos; pos += to.size()) {
    reply.replace(pos, from.size(), to);
  }
  return reply;
}

std::optional<int64_t> IntegerReply(const std::string& r) {
  int64_t n = 0;
  if (r.size() < 4 || r[0] != ':' || r.compare(r.size() - 2, 2, "\r\n") != 0) return std::nullopt;
  if (!absl::SimpleAtoi(r.substr(1, r.size() - 3), &n)) return std::nullopt;
  return n;
}

enum class Verdict { kIdentical, kSorted, kTolerated, kDiffers };

Verdict Judge(const Step& step, const std::vector<std::string>& argv, const std::string& expected,
              const std::string& got) {
  if (got == expected) return Verdict::kIdentical;
  if (step.unordered && Canonical(argv, got) == Canonical(argv, expected)) return Verdict::kSorted;
  if (step.slack > 0) {
    const std::optional<int64_t> want = IntegerReply(expected);
    const std::optional<int64_t> have = IntegerReply(got);
    if (want && have && *have <= *want && *have >= *want - step.slack) {
      return Verdict::kTolerated;
    }
  }
  return Verdict::kDiffers;
}

struct Totals {
  int files = 0, recordings = 0, passes = 0, steps = 0;
  int identical = 0, sorted = 0, tolerated = 0, differ = 0, rewritten = 0;
};

class Recorder {
 public:
  Recorder(int port, bool write) : port_(port), write_(write) {}

  absl::Status Start() {
    if (absl::Status st = control_.Connect(port_); !st.ok()) return st;
    absl::StatusOr<std::string> info = control_.Call({"INFO", "server"});
    if (!info.ok()) return info.status();
    const size_t at = info->find("redis_version:");
    if (at == std::string::npos) return absl::DataLossError("INFO server has no redis_version");
    version_ = info->substr(at + 14, info->find('\r', at) - at - 14);
    std::printf("redis-server %s on 127.0.0.1:%d\n", version_.c_str(), port_);
    return absl::OkStatus();
  }

  // Plays every recording of `file` (or only `only`); in write mode, replaces
  // its replies with the server's.
  absl::Status Run(RecordingFile& file, const std::string& only) {
    ++totals_.files;
    if (file.server != "redis-server " + version_) {
      if (!write_) {
        return absl::FailedPreconditionError(absl::StrCat(
            file.path, " was recorded from ", file.server, ", the server is ", version_));
      }
      file.server = "redis-server " + version_;
    }
    for (Recording& rec : file.recordings) {
      if (!only.empty() && rec.name != only) continue;
      ++totals_.recordings;
      matched_ = true;
      const std::string label = file.family + "/" + rec.name;
      std::map<int, std::vector<std::string>> got;  // protocol -> reply per step
      for (int protocol : rec.protocols) {
        ++totals_.passes;
        absl::StatusOr<std::vector<std::string>> replies = Pass(label, rec, protocol);
        if (!replies.ok()) {
          return absl::Status(
              replies.status().code(),
              absl::StrCat(label, ", RESP", protocol, " pass: ", replies.status().message()));
        }
        got[protocol] = *std::move(replies);
      }
      if (write_) Update(rec, got);
    }
    return absl::OkStatus();
  }

  // Leaves the server with its defaults again.
  absl::Status Finish() {
    if (absl::Status st = Control({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}); !st.ok()) return st;
    return Control({"CONFIG", "SET", "proto-max-bulk-len",
                    std::to_string(Recording::kDefaultProtoMaxBulkLen)});
  }

  const Totals& totals() const { return totals_; }
  bool matched() const { return matched_; }

 private:
  absl::Status Control(const std::vector<std::string>& argv) {
    absl::StatusOr<std::string> r = control_.Call(argv);
    if (!r.ok()) return r.status();
    if (*r != "+OK\r\n") {
      return absl::FailedPreconditionError(
          absl::StrCat(DescribeArgv(argv), " replied ", EncodeBytes(*r)));
    }
    return absl::OkStatus();
  }

  // Deletes every expired key of every db: SCAN looks each key up.
  absl::Status ExpireAll() {
    for (int db = 0; db < kDatabases; ++db) {
      if (absl::Status st = Control({"SELECT", std::to_string(db)}); !st.ok()) return st;
      std::string cursor = "0";
      do {
        absl::StatusOr<std::string> r = control_.Call({"SCAN", cursor, "COUNT", "1000"});
        if (!r.ok()) return r.status();
        resp::ReaderError err;
        bool complete = false;
        const std::vector<resp::Value> v =
            resp::ReadAll(*r, resp::Protocol::kResp3, {}, &err, &complete);
        if (v.size() != 1 || v[0].type != resp::Type::kArray || v[0].elems.size() != 2) {
          return absl::DataLossError("SCAN replied " + EncodeBytes(*r));
        }
        cursor = v[0].elems[0].str;
      } while (cursor != "0");
    }
    return Control({"SELECT", "0"});
  }

  // ACL as redis-server starts (acl.json changes it): requirepass empty,
  // the default user with every permission and no password, no other user.
  // The control connection stays authenticated as the default user.
  absl::Status ResetAcl() {
    if (absl::Status st = Control({"CONFIG", "SET", "requirepass", ""}); !st.ok()) return st;
    if (absl::Status st = Control({"ACL", "SETUSER", "default", "on", "nopass", "resetkeys", "~*",
                                   "resetchannels", "&*", "+@all"});
        !st.ok()) {
      return st;
    }
    absl::StatusOr<std::string> r = control_.Call({"ACL", "USERS"});
    if (!r.ok()) return r.status();
    resp::ReaderError err;
    bool complete = false;
    const std::vector<resp::Value> v =
        resp::ReadAll(*r, resp::Protocol::kResp3, {}, &err, &complete);
    if (v.size() != 1 || v[0].type != resp::Type::kArray) {
      return absl::DataLossError("ACL USERS replied " + EncodeBytes(*r));
    }
    for (const resp::Value& user : v[0].elems) {
      if (user.str == "default") continue;
      absl::StatusOr<std::string> d = control_.Call({"ACL", "DELUSER", user.str});
      if (!d.ok()) return d.status();
    }
    return absl::OkStatus();
  }

  // One pass: the replies (client ids rewritten) of every step, "" for
  // sleeps; reports each difference.
  absl::StatusOr<std::vector<std::string>> Pass(const std::string& label, const Recording& rec,
                                                int protocol) {
    if (absl::Status st = ResetAcl(); !st.ok()) return st;
    for (const std::vector<std::string>& argv :
         {std::vector<std::string>{"FLUSHALL"},
          std::vector<std::string>{"DEBUG", "SET-ACTIVE-EXPIRE", "0"},
          std::vector<std::string>{"CONFIG", "SET", "proto-max-bulk-len",
                                   std::to_string(rec.proto_max_bulk_len)}}) {
      if (absl::Status st = Control(argv); !st.ok()) return st;
    }
    std::vector<std::unique_ptr<Connection>> sessions;
    std::vector<int64_t> ids;
    for (int s = 0; s < rec.sessions(); ++s) {
      sessions.push_back(std::make_unique<Connection>());
      if (absl::Status st = sessions.back()->Connect(port_); !st.ok()) return st;
      absl::StatusOr<std::string> id = sessions.back()->Call({"CLIENT", "ID"});
      if (!id.ok()) return id.status();
      std::optional<int64_t> n = IntegerReply(*id);
      if (!n) return absl::DataLossError("CLIENT ID replied " + EncodeBytes(*id));
      ids.push_back(*n);
      if (protocol == 3) {
        absl::StatusOr<std::string> hello = sessions.back()->Call({"HELLO", "3"});
        if (!hello.ok()) return hello.status();
        if (hello->empty() || (*hello)[0] != '%') {
          return absl::DataLossError("HELLO 3 replied " + EncodeBytes(*hello));
        }
      }
    }
    if (rec.streams) return StreamsPass(label, rec, protocol, sessions, ids);
    std::vector<std::string> replies;
    std::optional<int64_t> slowlog_base;  // MaskSlowlog's, for this pass
    for (size_t i = 0; i < rec.steps.size(); ++i) {
      const Step& step = rec.steps[i];
      replies.emplace_back();
      if (step.kind == StepKind::kSleep) {
        SleepMs(step.sleep_ms);
        continue;
      }
      if (step.kind == StepKind::kActiveExpire) {
        if (absl::Status st = ExpireAll(); !st.ok()) return st;
        continue;
      }
      std::vector<std::string> argv = step.argv;
      if (step.clock_args) {
        const int64_t now = UnixMs();
        for (std::string& a : argv) a = SubstituteClock(a, now);
      }
      absl::StatusOr<std::string> reply = sessions[step.session]->Call(argv);
      if (!reply.ok()) {
        return absl::Status(reply.status().code(),
                            absl::StrCat("step ", i, ": ", reply.status().message()));
      }
      std::string got = *std::move(reply);
      if (step.client_id) got = RewriteClientId(std::move(got), ids[step.session], step.session);
      got = MaskSlowlog(argv, got, &slowlog_base);  // recorded masked
      ++totals_.steps;
      const std::string& expected = rec.Expected(step, protocol);
      const std::string where = absl::StrCat(label, ", RESP", protocol, " pass, step ", i,
                                             " (session ", step.session, "): ", DescribeArgv(argv));
      switch (Judge(step, argv, expected, got)) {
        case Verdict::kIdentical:
          ++totals_.identical;
          break;
        case Verdict::kSorted:
          ++totals_.sorted;
          break;
        case Verdict::kTolerated:
          ++totals_.tolerated;
          std::printf("tolerated: %s\n    recorded: %s\n    server:   %s\n    (slack %lld: %s)\n",
                      where.c_str(), EncodeBytes(expected).c_str(), EncodeBytes(got).c_str(),
                      static_cast<long long>(step.slack), step.why.c_str());
          break;
        case Verdict::kDiffers:
          ++totals_.differ;
          std::printf("%s: %s\n    recorded: %s\n    server:   %s\n",
                      write_ ? "re-recorded" : "DIFFERS", where.c_str(),
                      EncodeBytes(expected).c_str(), EncodeBytes(got).c_str());
          break;
      }
      replies.back() = std::move(got);
    }
    return replies;
  }

  // The server's total_net_input_bytes (INFO stats), which counts the bytes
  // of this very INFO request too.
  absl::StatusOr<int64_t> NetInputBytes() {
    absl::StatusOr<std::string> info = control_.Call({"INFO", "stats"});
    if (!info.ok()) return info.status();
    const size_t at = info->find("total_net_input_bytes:");
    if (at == std::string::npos)
      return absl::DataLossError("INFO stats has no total_net_input_bytes");
    return std::strtoll(info->c_str() + at + 22, nullptr, 10);
  }

  // Sends argv on `c` and returns once the server has read all of it: its
  // input byte count has grown by the request and by the INFO requests
  // that asked. (A command runs in the event that reads it.)
  absl::Status SendAndWaitRead(Connection& c, const std::vector<std::string>& argv) {
    const std::string info_request = "*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n";
    absl::StatusOr<int64_t> before = NetInputBytes();
    if (!before.ok()) return before.status();
    const std::string request = resp::EncodeCommand(argv);
    if (absl::Status st = c.Send(argv); !st.ok()) return st;
    const int64_t want = *before + static_cast<int64_t>(request.size());
    for (int polls = 1; polls <= 2000; ++polls) {
      absl::StatusOr<int64_t> now = NetInputBytes();
      if (!now.ok()) return now.status();
      if (*now >= want + polls * static_cast<int64_t>(info_request.size())) {
        return absl::OkStatus();
      }
      usleep(5000);
    }
    return absl::DeadlineExceededError("the server did not read the command within 10 s");
  }

  // Waits until every byte the server wrote in the turns before this call is
  // in the sessions' sockets (a PING on the control connection runs in a
  // later turn), then takes each session's bytes.
  absl::Status DrainAll(std::vector<std::unique_ptr<Connection>>& sessions,
                        std::vector<std::string>* bytes) {
    absl::StatusOr<std::string> pong = control_.Call({"PING"});
    if (!pong.ok()) return pong.status();
    for (size_t s = 0; s < sessions.size(); ++s) {
      sessions[s]->Drain(kQuietMs, &(*bytes)[s]);
      if (CountValues((*bytes)[s]) < 0) {
        // A frame cut in two by the socket: the rest is on its way.
        sessions[s]->Drain(kReplyTimeoutMs, &(*bytes)[s]);
        if (CountValues((*bytes)[s]) < 0) {
          return absl::DataLossError(absl::StrCat(
              "session ", s, " received bytes that do not parse: ", EncodeBytes((*bytes)[s])));
        }
      }
    }
    return absl::OkStatus();
  }

  // Session j's server client id written as the recordings write it (j + 1)
  // wherever it is a whole integer frame (CLIENT GETREDIR, TRACKINGINFO's
  // redirect, tracking-redir-broken's id).
  static std::string RewriteIds(std::string bytes, const std::vector<int64_t>& ids) {
    std::string out;
    for (size_t pos = 0; pos < bytes.size();) {
      bool done = false;
      if (bytes[pos] == ':' && (pos == 0 || bytes[pos - 1] == '\n')) {
        for (size_t j = 0; j < ids.size() && !done; ++j) {
          const std::string from = absl::StrCat(":", ids[j], "\r\n");
          if (bytes.compare(pos, from.size(), from) == 0) {
            absl::StrAppend(&out, ":", j + 1, "\r\n");
            pos += from.size();
            done = true;
          }
        }
      }
      if (!done) out += bytes[pos++];
    }
    return out;
  }

  // A streams pass: per step, the bytes every session received (the sender's
  // first), as the step's reply and pushes would hold them; "" and {} for
  // steps that receive nothing. An end_turn step gets nothing: its bytes
  // arrive in its command's turn and are compared there.
  absl::StatusOr<std::vector<std::string>> StreamsPass(
      const std::string& label, const Recording& rec, int protocol,
      std::vector<std::unique_ptr<Connection>>& sessions, const std::vector<int64_t>& ids) {
    std::vector<std::string> replies(rec.steps.size());
    streams_got_[protocol].assign(rec.steps.size(), {});
    for (size_t i = 0; i < rec.steps.size(); ++i) {
      const Step& step = rec.steps[i];
      std::vector<std::string> bytes(sessions.size());
      switch (step.kind) {
        case StepKind::kEndTurn:
          continue;
        case StepKind::kSleep:
          SleepMs(step.sleep_ms);
          break;
        case StepKind::kClose: {
          sessions[step.session]->Close();
          // The server sees the close in a later turn: wait until it is gone.
          const std::vector<std::string> list = {"CLIENT", "LIST", "ID",
                                                 std::to_string(ids[step.session])};
          for (int tries = 0;; ++tries) {
            absl::StatusOr<std::string> r = control_.Call(list);
            if (!r.ok()) return r.status();
            if (*r == "$0\r\n\r\n") break;
            if (tries == 1000) return absl::DeadlineExceededError("a closed session stays listed");
            SleepMs(1);
          }
          break;
        }
        case StepKind::kActiveExpire:
          if (absl::Status st = ExpireAll(); !st.ok()) return st;
          break;
        case StepKind::kCommand: {
          std::vector<std::string> argv = step.argv;
          const int64_t now = UnixMs();
          for (std::string& a : argv) {
            if (step.clock_args) a = SubstituteClock(a, now);
            if (const int n = IdPlaceholder(a); n >= 0) a = std::to_string(ids[n]);
          }
          Connection& c = *sessions[step.session];
          if (rec.Expected(step, protocol).empty()) {
            // Recorded as sending nothing (CLIENT REPLY OFF / SKIP): wait
            // until the server has read the command, which it runs in the
            // same event, so the barrier below comes in a later turn.
            if (absl::Status st = SendAndWaitRead(c, argv); !st.ok()) {
              return absl::Status(st.code(), absl::StrCat("step ", i, ": ", st.message()));
            }
            break;
          }
          if (absl::Status st = c.Send(argv); !st.ok()) return st;
          // The sender's reply first, then the turn's barrier.
          std::string& own = bytes[step.session];
          while (CountValues(own) < 1) {
            const size_t before = own.size();
            const bool open = c.Drain(kReplyTimeoutMs, &own);
            if (CountValues(own) >= 1) break;
            if (!open) return absl::UnavailableError(absl::StrCat("step ", i, ": no reply"));
            if (own.size() == before) {
              return absl::DeadlineExceededError(
                  absl::StrCat("step ", i, ": no complete reply within 10 s"));
            }
          }
          break;
        }
      }
      if (absl::Status st = DrainAll(sessions, &bytes); !st.ok()) {
        return absl::Status(st.code(), absl::StrCat("step ", i, ": ", st.message()));
      }
      if (step.client_id) {
        for (std::string& b : bytes) b = RewriteIds(std::move(b), ids);
      }
      CompareTurn(label, rec, protocol, i, bytes);
      streams_got_[protocol][i] = std::move(bytes);
    }
    return replies;
  }

  // What the recording says session s receives in the turn of step i (with
  // the end_turn step after it, if any).
  static std::string RecordedTurn(const Recording& rec, int protocol, size_t i, int s) {
    std::string out;
    const Step& step = rec.steps[i];
    if (step.kind == StepKind::kCommand && step.session == s) out = rec.Expected(step, protocol);
    const SessionBytes& p = rec.ExpectedPushes(step, protocol);
    if (auto it = p.find(s); it != p.end()) out += it->second;
    if (step.kind == StepKind::kCommand && i + 1 < rec.steps.size() &&
        rec.steps[i + 1].kind == StepKind::kEndTurn) {
      const SessionBytes& e = rec.ExpectedPushes(rec.steps[i + 1], protocol);
      if (auto it = e.find(s); it != e.end()) out += it->second;
    }
    return out;
  }

  void CompareTurn(const std::string& label, const Recording& rec, int protocol, size_t i,
                   const std::vector<std::string>& bytes) {
    const Step& step = rec.steps[i];
    for (size_t s = 0; s < bytes.size(); ++s) {
      const std::string expected = RecordedTurn(rec, protocol, i, static_cast<int>(s));
      if (step.kind != StepKind::kCommand && expected.empty() && bytes[s].empty()) continue;
      ++totals_.steps;
      const std::string where =
          absl::StrCat(label, ", RESP", protocol, " pass, step ", i, ", session ", s,
                       step.kind == StepKind::kCommand ? " after " + DescribeArgv(step.argv) : "");
      if (bytes[s] == expected) {
        ++totals_.identical;
        continue;
      }
      ++totals_.differ;
      std::printf("%s: %s\n    recorded: %s\n    server:   %s\n",
                  write_ ? "re-recorded" : "DIFFERS", where.c_str(), EncodeBytes(expected).c_str(),
                  EncodeBytes(bytes[s]).c_str());
    }
  }

  // Write mode for a streams recording: where a session's bytes for a turn
  // differ, they go to the command step, except a recorded end_turn part
  // that they still end with, which stays there.
  void UpdateStreams(Recording& rec) {
    for (size_t i = 0; i < rec.steps.size(); ++i) {
      Step& step = rec.steps[i];
      if (step.kind == StepKind::kEndTurn || step.kind == StepKind::kSleep ||
          step.kind == StepKind::kClose) {
        continue;
      }
      Step* end = i + 1 < rec.steps.size() && rec.steps[i + 1].kind == StepKind::kEndTurn
                      ? &rec.steps[i + 1]
                      : nullptr;
      std::map<int, std::string> reply;
      std::map<int, SessionBytes> pushes, end_pushes;
      for (int protocol : rec.protocols) {
        const std::vector<std::string>& got = streams_got_[protocol][i];
        for (size_t s = 0; s < got.size(); ++s) {
          const int si = static_cast<int>(s);
          std::string here = got[s], tail;
          if (end) {
            const SessionBytes& e = rec.ExpectedPushes(*end, protocol);
            if (auto it = e.find(si);
                it != e.end() && here.size() >= it->second.size() &&
                here.compare(here.size() - it->second.size(), it->second.size(), it->second) == 0) {
              tail = it->second;
              here.resize(here.size() - tail.size());
            }
          }
          if (!tail.empty()) end_pushes[protocol][si] = tail;
          if (step.kind == StepKind::kCommand && si == step.session) {
            reply[protocol] = here;
          } else if (!here.empty()) {
            pushes[protocol][si] = here;
          }
        }
      }
      auto set = [&](std::map<int, SessionBytes>& per, SessionBytes* first,
                     std::optional<SessionBytes>* third) {
        const SessionBytes old = *first;
        const std::optional<SessionBytes> old3 = *third;
        *first = per[rec.protocols.front()];
        third->reset();
        if (rec.protocols.size() == 2 && per[3] != per[2]) *third = per[3];
        if (old != *first || old3 != *third) ++totals_.rewritten;
      };
      if (step.kind == StepKind::kCommand) {
        const std::string r = reply[rec.protocols.front()];
        std::optional<std::string> r3;
        if (rec.protocols.size() == 2 && reply[3] != reply[2]) r3 = reply[3];
        if (r != step.reply || r3 != step.reply3) ++totals_.rewritten;
        step.reply = r;
        step.reply3 = r3;
      }
      set(pushes, &step.pushes, &step.pushes3);
      if (end) set(end_pushes, &end->pushes, &end->pushes3);
    }
  }

  // Write mode: the server's bytes become the recorded ones, except where the
  // recording already holds them up to sorting or slack.
  void Update(Recording& rec, const std::map<int, std::vector<std::string>>& got) {
    if (rec.streams) {
      UpdateStreams(rec);
      return;
    }
    for (size_t i = 0; i < rec.steps.size(); ++i) {
      Step& step = rec.steps[i];
      if (step.kind != StepKind::kCommand) continue;
      std::map<int, std::string> now;
      for (const auto& [protocol, replies] : got) {
        const std::string& expected = rec.Expected(step, protocol);
        now[protocol] = Judge(step, step.argv, expected, replies[i]) == Verdict::kDiffers
                            ? replies[i]
                            : expected;
      }
      const std::string first = now.begin()->second;
      std::optional<std::string> third;
      if (now.size() == 2 && now[3] != now[2]) third = now[3];
      if (first != step.reply || third != step.reply3) ++totals_.rewritten;
      step.reply = first;
      step.reply3 = third;
    }
  }

  int port_;
  bool write_;
  Connection control_;
  std::string version_;
  Totals totals_;
  bool matched_ = false;
  // Streams passes: protocol -> step -> bytes per session.
  std::map<int, std::vector<std::vector<std::string>>> streams_got_;
};

int Usage() {
  std::fprintf(stderr,
               "usage: respfuzz_recorder --port PORT [--write] [--only NAME] FILE.json...\n"
               "  plays the recordings against redis-server on 127.0.0.1:PORT; checks the\n"
               "  recorded reply bytes, or with --write records the server's into the files\n");
  return 2;
}

int Main(int argc, char** argv) {
  int port = 0;
  bool write = false;
  std::string only;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &port) || port <= 0 || port > 65535) return Usage();
    } else if (a == "--write") {
      write = true;
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      return Usage();
    } else {
      paths.push_back(a);
    }
  }
  if (port == 0 || paths.empty()) return Usage();

  Recorder recorder(port, write);
  if (absl::Status st = recorder.Start(); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 2;
  }
  for (const std::string& path : paths) {
    absl::StatusOr<RecordingFile> file = LoadFile(path);
    if (!file.ok()) {
      std::fprintf(stderr, "error: %s\n", file.status().ToString().c_str());
      return 2;
    }
    if (absl::Status st = recorder.Run(*file, only); !st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 2;
    }
    if (write) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << Serialize(*file);
      if (!out) {
        std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
        return 2;
      }
    }
  }
  if (!recorder.matched()) {
    std::fprintf(stderr, "error: no recording%s in the files\n",
                 only.empty() ? "" : (" named " + only).c_str());
    return 2;
  }
  if (absl::Status st = recorder.Finish(); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 2;
  }
  const Totals& t = recorder.totals();
  std::printf(
      "%d files, %d recordings, %d passes, %d replies: %d identical, %d identical once sorted "
      "(unordered), %d within slack, %d %s\n",
      t.files, t.recordings, t.passes, t.steps, t.identical, t.sorted, t.tolerated, t.differ,
      write ? "re-recorded" : "DIFFERENT");
  if (write) {
    std::printf("%d steps changed in the files\n", t.rewritten);
    return 0;
  }
  return t.differ == 0 && t.steps > 0 ? 0 : 1;
}

}  // namespace
}  // namespace respfuzz::recordings

int main(int argc, char** argv) { return respfuzz::recordings::Main(argc, argv); }
