#include "tools/command_oracle.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "harnesses/command_handler/checks.h"
#include "harnesses/common/hiredis_parser.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/reply_parser.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/command_facts.h"
#include "src/engine/engine.h"
#include "src/resp/writer.h"
#include "tools/oracle_client_list.h"
#include "tools/oracle_frames.h"
#include "tools/oracle_net.h"
#include "tools/oracle_pause.h"
#include "tools/oracle_random.h"
#include "tools/oracle_sort.h"
#include "tools/oracle_time.h"
#include "tools/version_differences.h"

namespace respfuzz::oracle {

namespace {

// How long a command the engine blocked is given to show that the server
// did not block it (a reply at once).
constexpr int kBlockedReplyWaitMs = 20;

using harnesses::CommandIs;
using harnesses::CommandProgram;
using harnesses::Op;
using harnesses::OpKind;
using resp::Type;
using resp::Value;

// Reads until `parser` has one complete value.
absl::StatusOr<Value> ReadReply(int fd, harnesses::ReplyParser& parser, resp::Protocol protocol) {
  parser.Start(protocol, resp::ReaderLimits{});
  std::vector<Value> values;
  char buf[16384];
  while (values.empty()) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return absl::UnavailableError("the server closed the connection");
    if (n < 0) {
      if (errno == EINTR) continue;
      // The socket's receive timeout (the oracle's --io-timeout-ms).
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return absl::DeadlineExceededError("no reply within the I/O timeout");
      }
      return absl::UnavailableError(std::string("recv: ") + std::strerror(errno));
    }
    if (!parser.Feed(std::string_view(buf, static_cast<size_t>(n)), &values)) {
      return absl::DataLossError("unreadable reply: " + harnesses::DescribeError(parser.error()));
    }
  }
  if (values.size() != 1) return absl::DataLossError("more than one reply value arrived");
  return std::move(values[0]);
}

// Pub/sub: a session's frames are read one value at a time from what its
// connection received (`pending`, bytes not yet read as a value), so a
// message and a reply that arrive in one segment stay apart. Waits up to
// timeout_ms for more bytes; DeadlineExceeded when none came.
absl::StatusOr<Value> ReadFrame(int fd, std::string* pending, int timeout_ms) {
  auto parser = harnesses::MakeReplyParser();
  for (;;) {
    parser->Start(resp::Protocol::kResp3, resp::ReaderLimits{});
    std::vector<Value> values;
    for (size_t i = 0; i < pending->size(); ++i) {
      if (!parser->Feed(std::string_view(*pending).substr(i, 1), &values)) {
        return absl::DataLossError("unreadable frame: " +
                                   harnesses::DescribeError(parser->error()));
      }
      if (!values.empty()) {
        pending->erase(0, i + 1);
        return std::move(values[0]);
      }
    }
    const size_t before = pending->size();
    if (absl::Status st = ReadSome(fd, timeout_ms, pending); !st.ok()) return st;
    if (pending->size() == before) return absl::DeadlineExceededError("no frame arrived");
  }
}

// The values of an engine's output, in order (empty on a parse failure).
std::vector<Value> EngineFrames(const std::string& bytes) {
  auto p = harnesses::MakeReplyParser();
  p->Start(resp::Protocol::kResp3, resp::ReaderLimits{});
  std::vector<Value> v;
  if (!p->Feed(bytes, &v)) v.clear();
  return v;
}

// Whether the engine's output fails to read only at a big number whose bytes
// are no number's (what a script's big_number table gives).
bool IsUnreadableBigNumber(const std::string& bytes) {
  auto p = harnesses::MakeReplyParser();
  p->Start(resp::Protocol::kResp3, resp::ReaderLimits{});
  std::vector<Value> v;
  return !p->Feed(bytes, &v) && p->error().code == resp::ReaderErrorCode::kBadBigNumber;
}

absl::StatusOr<Value> Roundtrip(int fd, const std::vector<std::string>& argv,
                                harnesses::ReplyParser& parser, resp::Protocol protocol) {
  if (absl::Status s = SendAll(fd, resp::EncodeCommand(argv)); !s.ok()) return s;
  return ReadReply(fd, parser, protocol);
}

// The server's client id of our connection `fd`: the CLIENT LIST line
// (asked on the admin connection) whose addr is fd's local address. A
// connection just made may not be accepted by the server's event loop yet
// (seen under load), so it asks again, every 10 ms for up to a second; -1
// when no line has it by then (or the server refused CLIENT LIST: the op
// then diverges, as it should, at the CLIENT UNBLOCK it was asked for).
absl::StatusOr<int> LocalPort(int fd) {
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
    return absl::InternalError(absl::StrCat("getsockname: ", std::strerror(errno)));
  }
  return ntohs(local.sin_port);
}

absl::StatusOr<int64_t> ServerClientId(int admin_fd, int fd, harnesses::ReplyParser& parser) {
  auto port = LocalPort(fd);
  if (!port.ok()) return port.status();
  const std::string addr = absl::StrCat(" addr=127.0.0.1:", *port, " ");
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto list = Roundtrip(admin_fd, {"CLIENT", "LIST"}, parser, resp::Protocol::kResp3);
    if (!list.ok()) return list.status();
    if (list->type == Type::kError) return -1;
    for (absl::string_view line : absl::StrSplit(list->str, '\n')) {
      if (!absl::StrContains(line, addr) || !absl::StartsWith(line, "id=")) continue;
      int64_t id = 0;
      const size_t end = line.find(' ');
      if (absl::SimpleAtoi(line.substr(3, end - 3), &id)) return id;
    }
  }
  return -1;
}

// HELLO's reply carries the server's own client id: masked on both sides.
void MaskHelloId(Value* v) {
  if (v->type != Type::kMap && v->type != Type::kArray) return;
  for (size_t i = 0; i + 1 < v->elems.size(); i += 2) {
    if (v->elems[i].str == "id" && v->elems[i + 1].type == Type::kInteger) {
      v->elems[i + 1].integer = 0;
    }
  }
}

// A tracking-table-max-keys below this (but 0, no limit) may make the
// server evict keys from its tracking table at random while a session
// tracks; a program holds far fewer keys.
constexpr int64_t kSmallTrackingTable = 100000;

// A MONITOR line ("<sec>.<usec> [<db> <addr>] args"): its time and the
// client's address are each side's own (the server's microseconds and
// loopback ports; the engine's clock and no address), so both read "T" and
// "?" on both sides; the db, a script's "lua" and the arguments compare.
// True when `v` was such a line.
bool MaskMonitorLine(Value* v) {
  if (v->type != Type::kSimpleString) return false;
  const std::string& str = v->str;
  size_t i = 0;
  while (i < str.size() && absl::ascii_isdigit(static_cast<unsigned char>(str[i]))) ++i;
  if (i == 0 || i + 8 > str.size() || str[i] != '.') return false;
  for (size_t k = i + 1; k < i + 7; ++k) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(str[k]))) return false;
  }
  if (str.compare(i + 7, 2, " [") != 0) return false;
  const size_t db_end = str.find(' ', i + 9);
  const size_t close = str.find("] ", i + 9);
  if (db_end == std::string::npos || close == std::string::npos || db_end > close) return false;
  const std::string addr = str.substr(db_end + 1, close - db_end - 1);
  v->str = absl::StrCat("T [", str.substr(i + 9, db_end - i - 9), " ", addr == "lua" ? "lua" : "?",
                        str.substr(close));
  return true;
}

// MEMORY STATS: the field names and their order, the dbs holding keys and
// keys.count compare; every other figure is each side's own (jemalloc's
// and the process's on the server, the engine's accounting, memory.cc).
void MaskMemoryStats(Value* v) {
  if (v->type != Type::kMap && v->type != Type::kArray) return;
  for (size_t i = 0; i + 1 < v->elems.size(); i += 2) {
    Value& figure = v->elems[i + 1];
    if (v->elems[i].str == "keys.count") continue;
    if (figure.type == Type::kMap || figure.type == Type::kArray) {
      MaskMemoryStats(&figure);
    } else {
      figure = Value::Simple("(a figure)");
    }
  }
}

// Whether a CONFIG op stays within the engine's parameters (config.h): the
// names CONFIG GET asks for (no patterns: the server has hundreds more) and
// those CONFIG SET sets. Another parameter is not sent: setting it would
// change the server for the ops after it (its port, its memory limit, ...).
bool IsEngineParam(std::string_view name) {
  // Kept apart from EngineParams() (a class string, not a number).
  if (engine::IEquals(name, "notify-keyspace-events")) return true;
  for (const engine::ParamSpec& p : engine::EngineParams()) {
    if (engine::IEquals(name, p.name) || (!p.alias.empty() && engine::IEquals(name, p.alias))) {
      return true;
    }
  }
  return false;
}
bool ConfigInScope(const std::vector<std::string>& argv) {
  if (argv.size() < 3) return true;
  if (CommandIs(argv[1], "GET")) {
    for (size_t i = 2; i < argv.size(); ++i) {
      if (!IsEngineParam(argv[i])) return false;
    }
  } else if (CommandIs(argv[1], "SET")) {
    for (size_t i = 2; i < argv.size(); i += 2) {
      if (!IsEngineParam(argv[i])) return false;
    }
  }
  return true;
}

// Whether a COMMAND op's reply is the same on redis-server 7.0.15 and the
// engine: not COMMAND alone, COUNT or LIST (all commands), not INFO or DOCS
// without names, nor one naming a command the engine lacks or a container
// with a subcommand it lacks, nor GETKEYS of a command it lacks.
bool FullyImplemented(std::string_view name) {
  const engine::CommandFact* f = engine::FindCommandFact(name);
  if (f == nullptr) return true;  // none on either side
  if (!engine::EngineImplements(f->fullname)) return false;
  for (const engine::CommandFact* sub : f->subcommands) {
    if (!engine::EngineImplements(sub->fullname)) return false;
  }
  return true;
}
bool CommandInScope(const std::vector<std::string>& argv) {
  if (argv.size() < 2) return false;
  if ((CommandIs(argv[1], "COUNT") && argv.size() == 2) || CommandIs(argv[1], "LIST")) {
    return false;
  }
  if (CommandIs(argv[1], "INFO") || CommandIs(argv[1], "DOCS")) {
    if (argv.size() == 2) return false;
    for (size_t i = 2; i < argv.size(); ++i) {
      if (!FullyImplemented(argv[i])) return false;
    }
  }
  if ((CommandIs(argv[1], "GETKEYS") || CommandIs(argv[1], "GETKEYSANDFLAGS")) &&
      argv.size() >= 3) {
    const engine::CommandFact* f = engine::FindCommandFact(argv[2]);
    if (f != nullptr && argv[2].find('|') == std::string::npos) {
      if (!engine::EngineImplements(f->fullname)) return false;
      if (!f->subcommands.empty() && argv.size() >= 4 &&
          engine::FindCommandFact(f->fullname + "|" + argv[3]) != nullptr &&
          !engine::EngineImplements(f->fullname + "|" + argv[3])) {
        return false;
      }
    }
  }
  return true;
}

// Commands whose reply depends on every key of the db, not only on named keys.
// Whether DEBUG RELOAD now would load a hash table hash of the engine's
// back as a listpack: its fields then come in each side's own dict order.
bool ReloadReordersAHash(const engine::Engine& eng) {
  const engine::EncodingLimits& limits = eng.limits();
  for (int d = 0; d < eng.keyspace().num_dbs(); ++d) {
    for (const auto& entry : eng.keyspace().db(d).dict) {
      const engine::Object& o = entry.value;
      if (!engine::Is<engine::Hash>(o) || !o.hashtable()) continue;
      const engine::Hash& h = engine::As<engine::Hash>(o);
      bool small = static_cast<int64_t>(h.size()) <= limits.hash_max_listpack_entries;
      for (const auto& [f, v] : h) {
        small = small && static_cast<int64_t>(f.size()) <= limits.hash_max_listpack_value &&
                static_cast<int64_t>(v.size()) <= limits.hash_max_listpack_value;
      }
      if (small) return true;
    }
  }
  return false;
}

bool WholeKeyspace(const std::string& name) {
  // (MEMORY STATS counts the keys, MEMORY DOCTOR reads the dataset.)
  return CommandIs(name, "KEYS") || CommandIs(name, "SCAN") || CommandIs(name, "DBSIZE") ||
         CommandIs(name, "MEMORY") || CommandIs(name, "FLUSHDB") || CommandIs(name, "FLUSHALL") ||
         CommandIs(name, "SWAPDB") || CommandIs(name, "EXEC") || CommandIs(name, "SELECT") ||
         CommandIs(name, "RANDOMKEY");
}

// The expiry an EXPIRE, PEXPIRE, EXPIREAT or PEXPIREAT with GT or LT would
// set, in milliseconds, when the op started at `now_ms`: the one it compares
// with the key's current expiry. `relative`: computed from the time the op
// ran (EXPIRE, PEXPIRE), which on the server is up to the op's duration
// later. nullopt for any other op, or a time that does not fit.
struct ComparedExpiry {
  int64_t at_ms;
  bool relative;
};
std::optional<ComparedExpiry> ExpiryCompared(const std::vector<std::string>& argv, int64_t now_ms) {
  if (argv.size() < 4) return std::nullopt;
  const bool ms = CommandIs(argv[0], "PEXPIRE") || CommandIs(argv[0], "PEXPIREAT");
  const bool at = CommandIs(argv[0], "EXPIREAT") || CommandIs(argv[0], "PEXPIREAT");
  if (!ms && !at && !CommandIs(argv[0], "EXPIRE")) return std::nullopt;
  bool compares = false;
  for (size_t i = 3; i < argv.size(); ++i) {
    compares = compares || CommandIs(argv[i], "GT") || CommandIs(argv[i], "LT");
  }
  int64_t t = 0;
  if (!compares || !absl::SimpleAtoi(argv[2], &t)) return std::nullopt;
  if (!ms && __builtin_mul_overflow(t, int64_t{1000}, &t)) return std::nullopt;
  if (!at && __builtin_add_overflow(t, now_ms, &t)) return std::nullopt;
  return ComparedExpiry{t, !at};
}

// SLOWLOG GET's entries, made comparable (docs/fidelity.md, "The slow
// log"): the id counted from `id_base` (the server's ids go on from program
// to program, the engine's start at 0), the time and the duration 0 (each
// side's own clock), an address "(addr)" unless it is the script client's
// "?:0" (the engine's sessions have none). The arguments, the names and the
// ids' order and gaps are compared.
void MaskSlowlogReply(const std::vector<std::string>& argv, int64_t id_base, Value* v) {
  if (argv.size() < 2 || !CommandIs(argv[0], "SLOWLOG") || !CommandIs(argv[1], "GET") ||
      v->type != Type::kArray) {
    return;
  }
  for (Value& e : v->elems) {
    if (e.type != Type::kArray || e.elems.size() != 6) continue;
    if (e.elems[0].type == Type::kInteger) e.elems[0].integer -= id_base;
    if (e.elems[1].type == Type::kInteger) e.elems[1].integer = 0;
    if (e.elems[2].type == Type::kInteger) e.elems[2].integer = 0;
    if (e.elems[4].type == Type::kBulkString && e.elems[4].str != "?:0") e.elems[4].str = "(addr)";
  }
}

// ACL LOG's entries: age-seconds is each side's own clock (the server's
// real one), so it reads 0 on both; count, reason, context, object,
// username and the client-info line (masked as CLIENT INFO's) are compared.
void MaskAclLogAge(const std::vector<std::string>& argv, Value* v) {
  if (argv.size() < 2 || !CommandIs(argv[0], "ACL") || !CommandIs(argv[1], "LOG") ||
      v->type != Type::kArray) {
    return;
  }
  for (Value& e : v->elems) {
    for (size_t i = 0; i + 1 < e.elems.size(); i += 2) {
      if (e.elems[i].str != "age-seconds") continue;
      e.elems[i + 1] = e.elems[i + 1].type == Type::kDouble ? Value::Double(0) : Value::Bulk("0");
    }
  }
}

}  // namespace

// The replication stream (src/engine/replication.cc, docs/oracles.md): a
// program is run with a SYNC replica on each side, and the two streams are
// compared after it, unless one of its ops changes what a replica does or
// sees in ways the comparison cannot follow: FAILOVER and WAIT (which a
// replica changes), CLIENT KILL and PAUSE (which may reach the replica),
// CONFIG naming min-replicas / min-slaves (a fresh replica is a good one
// on the server), maxmemory (evictions follow each side's memory) or repl-,
// the random writes (SPOP, RANDOMKEY's expiry), SYNC / PSYNC. (The
// consumer groups' reads and claims are compared: their XCLAIM / XGROUP
// rewrites are in the engine, src/engine/cmd_streams.cc.)
bool StreamComparable(const CommandProgram& program) {
  for (const Op& op : program.ops) {
    if (op.kind != OpKind::kCommand || op.argv.empty()) continue;
    const std::vector<std::string>& argv = op.argv;
    for (std::string_view n : {"FAILOVER", "WAIT", "SPOP", "RANDOMKEY", "SYNC", "PSYNC"}) {
      if (CommandIs(argv[0], n)) return false;
    }
    if (CommandIs(argv[0], "CLIENT") && argv.size() >= 2 &&
        (CommandIs(argv[1], "KILL") || CommandIs(argv[1], "PAUSE"))) {
      return false;
    }
    if (CommandIs(argv[0], "CONFIG")) {
      for (size_t j = 1; j < argv.size(); ++j) {
        const std::string a = absl::AsciiStrToLower(argv[j]);
        if (absl::StrContains(a, "min-replicas") || absl::StrContains(a, "min-slaves") ||
            absl::StrContains(a, "maxmemory") || absl::StrContains(a, "repl-") ||
            absl::StrContains(a, "*")) {
          return false;
        }
      }
    }
  }
  return true;
}

// SYNC on a connection of its own: the RDB payload read, the bytes after
// it kept in *rest (the stream's start).
absl::StatusOr<int> AttachReplica(const OracleOptions& o, std::string* rest) {
  auto fd = ConnectTcp(o.host, o.port, o.io_timeout_ms);
  if (!fd.ok()) return fd.status();
  struct Guard {
    int fd;
    ~Guard() {
      if (fd >= 0) ::close(fd);
    }
  } guard{*fd};
  if (absl::Status st = SendAll(*fd, "SYNC\r\n"); !st.ok()) return st;
  std::string buf;
  size_t eol;
  for (;;) {  // newlines before the count are keepalives
    while (!buf.empty() && buf[0] == '\n') buf.erase(0, 1);
    eol = buf.find("\r\n");
    if (eol != std::string::npos) break;
    const size_t had = buf.size();
    if (absl::Status st = ReadSome(*fd, o.io_timeout_ms, &buf); !st.ok()) return st;
    if (buf.size() == had) return absl::DeadlineExceededError("SYNC: no payload length in time");
  }
  uint64_t len = 0;
  if (buf[0] != '$' || !absl::SimpleAtoi(buf.substr(1, eol - 1), &len)) {
    return absl::DataLossError("SYNC answered " + harnesses::EscapeBytes(buf.substr(0, eol), 200));
  }
  buf.erase(0, eol + 2);
  while (buf.size() < len) {
    const size_t had = buf.size();
    if (absl::Status st = ReadSome(*fd, o.io_timeout_ms, &buf); !st.ok()) return st;
    if (buf.size() == had) return absl::DeadlineExceededError("SYNC: the payload stopped");
  }
  *rest = buf.substr(len);
  guard.fd = -1;
  return *fd;
}

// A stream argument that is a unix time in ms (PXAT's, PEXPIREAT's,
// RESTORE ... ABSTTL's) or a stream ID made from one (XADD *'s, `seq` set):
// each side computed its own from its own clock.
bool LooksLikeUnixMs(const Value& v, int64_t now_ms, int64_t* ms, std::string* seq) {
  if (v.type != Type::kBulkString || v.str.size() < 13) return false;
  const std::string& s = v.str;
  const size_t dash = s.find('-');
  if ((dash == std::string::npos ? s.size() : dash) != 13) return false;
  int64_t n;
  if (!absl::SimpleAtoi(s.substr(0, 13), &n)) return false;
  seq->clear();
  if (dash != std::string::npos) {
    uint64_t q;
    if (!absl::SimpleAtoi(s.substr(dash + 1), &q)) return false;
    *seq = s.substr(dash + 1);
  }
  *ms = n;
  return std::llabs(n - now_ms) < 100LL * 24 * 3600 * 1000;
}

// The two streams alike, but for times within `slack` ms of each other.
bool SameStream(const std::vector<Value>& mine, const std::vector<Value>& theirs, int64_t now_ms,
                int64_t slack) {
  if (mine.size() != theirs.size()) return false;
  for (size_t i = 0; i < mine.size(); ++i) {
    const Value& a = mine[i];
    const Value& b = theirs[i];
    if (a.type != b.type || a.elems.size() != b.elems.size()) return false;
    for (size_t j = 0; j < a.elems.size(); ++j) {
      int64_t x, y;
      std::string xs, ys;
      if (LooksLikeUnixMs(a.elems[j], now_ms, &x, &xs) &&
          LooksLikeUnixMs(b.elems[j], now_ms, &y, &ys) && xs.empty() == ys.empty()) {
        // Within the slack; a stream ID's sequence compared in the same ms.
        if (std::llabs(x - y) > slack || (x == y && xs != ys)) return false;
      } else if (!(a.elems[j] == b.elems[j])) {
        return false;
      }
    }
  }
  return true;
}

absl::Status CommandOracle::Connect() {
  auto fd = ConnectTcp(options_.host, options_.port, options_.io_timeout_ms);
  if (!fd.ok()) return fd.status();
  admin_fd_ = *fd;
  auto parser = harnesses::MakeReplyParser();
  auto r =
      Roundtrip(admin_fd_, {"DEBUG", "SET-ACTIVE-EXPIRE", "0"}, *parser, resp::Protocol::kResp3);
  if (!r.ok()) return r.status();
  if (r->type == Type::kError) {
    return absl::FailedPreconditionError("the server refuses DEBUG SET-ACTIVE-EXPIRE (" + r->str +
                                         "); start redis-server with --enable-debug-command local");
  }
  auto info = Roundtrip(admin_fd_, {"INFO", "server"}, *parser, resp::Protocol::kResp3);
  if (!info.ok()) return info.status();
  if (info->type == Type::kBulkString || info->type == Type::kVerbatim) {
    const ServerIdentity id = IdentityFromInfo(info->str);
    modelled_server_ = id.family == "redis" && id.version == kModelledVersion;
    drops_auth_error_in_exec_ = id.family == "redis" && CompareVersions(id.version, "7.2.0") >= 0;
    splits_function_list_error_ =
        id.family == "valkey" && CompareVersions(id.version, "9.1.0") >= 0;
  }
  auto got = Roundtrip(admin_fd_, {"CONFIG", "GET", "proto-max-bulk-len"}, *parser,
                       resp::Protocol::kResp3);
  if (!got.ok()) return got.status();
  if ((got->type != Type::kArray && got->type != Type::kMap) || got->elems.size() != 2) {
    return absl::FailedPreconditionError("CONFIG GET proto-max-bulk-len failed: " +
                                         resp::ToDebugString(*got));
  }
  saved_bulk_len_ = got->elems[1].str;
  auto set = Roundtrip(admin_fd_,
                       {"CONFIG", "SET", "proto-max-bulk-len", std::to_string(kOracleMaxStringLen)},
                       *parser, resp::Protocol::kResp3);
  if (!set.ok()) return set.status();
  if (set->type == Type::kError) {
    return absl::FailedPreconditionError("CONFIG SET proto-max-bulk-len: " + set->str);
  }
  return absl::OkStatus();
}

void CommandOracle::Close() {
  if (admin_fd_ < 0) return;
  auto parser = harnesses::MakeReplyParser();
  (void)Roundtrip(admin_fd_, {"DEBUG", "SET-ACTIVE-EXPIRE", "1"}, *parser, resp::Protocol::kResp3);
  if (!saved_bulk_len_.empty()) {
    (void)Roundtrip(admin_fd_, {"CONFIG", "SET", "proto-max-bulk-len", saved_bulk_len_}, *parser,
                    resp::Protocol::kResp3);
  }
  ::close(admin_fd_);
  admin_fd_ = -1;
}

absl::Status CommandOracle::ResetAcl(harnesses::ReplyParser& parser) {
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"CONFIG", "SET", "requirepass", ""},
        std::vector<std::string>{"ACL", "SETUSER", "default", "on", "nopass", "resetkeys", "~*",
                                 "resetchannels", "&*", "+@all", "clearselectors"},
        std::vector<std::string>{"ACL", "LOG", "RESET"}}) {
    auto r = Roundtrip(admin_fd_, cmd, parser, resp::Protocol::kResp3);
    if (!r.ok()) return r.status();
    if (r->type == Type::kError) return absl::FailedPreconditionError("resetting ACL: " + r->str);
  }
  auto users = Roundtrip(admin_fd_, {"ACL", "USERS"}, parser, resp::Protocol::kResp3);
  if (!users.ok()) return users.status();
  if (users->type != Type::kArray) {
    return absl::FailedPreconditionError("ACL USERS: " + resp::ToDebugString(*users));
  }
  for (const Value& u : users->elems) {
    if (u.str == "default") continue;
    auto d = Roundtrip(admin_fd_, {"ACL", "DELUSER", u.str}, parser, resp::Protocol::kResp3);
    if (!d.ok()) return d.status();
  }
  return absl::OkStatus();
}

namespace {

// Whether an ACL SETUSER op would take from the default user a permission
// the admin connection needs to reset the server between programs (a '-'
// rule, nocommands, reset, a key rule): such an op is not sent.
bool LocksOutAdmin(const std::vector<std::string>& argv) {
  if (argv.size() < 4 || !CommandIs(argv[0], "ACL") || !CommandIs(argv[1], "SETUSER") ||
      argv[2] != "default") {
    return false;
  }
  for (size_t i = 3; i < argv.size(); ++i) {
    if ((!argv[i].empty() && argv[i][0] == '-') || CommandIs(argv[i], "NOCOMMANDS") ||
        CommandIs(argv[i], "RESET") || CommandIs(argv[i], "RESETKEYS") ||
        (!argv[i].empty() && (argv[i][0] == '~' || argv[i][0] == '%'))) {
      return true;
    }
  }
  return false;
}

// Whether an ACL SETUSER op would give the default user a flag no ACL
// SETUSER can take back (sanitize-payload or skip-sanitize-payload: each
// clears the other, and a new server's default user has neither), so that
// it would outlive the program on the server.
bool OutlivesAclReset(const std::vector<std::string>& argv) {
  if (argv.size() < 4 || !CommandIs(argv[0], "ACL") || !CommandIs(argv[1], "SETUSER") ||
      argv[2] != "default") {
    return false;
  }
  for (size_t i = 3; i < argv.size(); ++i) {
    if (CommandIs(argv[i], "SANITIZE-PAYLOAD") || CommandIs(argv[i], "SKIP-SANITIZE-PAYLOAD")) {
      return true;
    }
  }
  return false;
}

// UNSUBSCRIBE, PUNSUBSCRIBE or SUNSUBSCRIBE with no channel: the server
// confirms each channel in its dict's order, which its per-process hash seed
// sets, and the engine in its own. The counts fall by one per frame on both
// sides; the channel names are put in one order on each side, in place, so
// the same set of channels with the same counts compares equal.
void OrderUnsubscribeAll(const std::vector<std::string>& argv, std::vector<Value>* frames) {
  if (argv.size() != 1) return;
  std::string kind = absl::AsciiStrToLower(argv[0]);
  if (kind != "unsubscribe" && kind != "punsubscribe" && kind != "sunsubscribe") return;
  std::vector<Value*> confirmations;
  for (Value& v : *frames) {
    if ((v.type == Type::kArray || v.type == Type::kPush) && v.elems.size() == 3 &&
        absl::AsciiStrToLower(v.elems[0].str) == kind) {
      confirmations.push_back(&v);
    }
  }
  std::vector<Value> names;
  for (Value* v : confirmations) names.push_back(v->elems[1]);
  std::stable_sort(names.begin(), names.end(), [](const Value& a, const Value& b) {
    return std::tie(a.type, a.str) < std::tie(b.type, b.str);
  });
  for (size_t i = 0; i < confirmations.size(); ++i) confirmations[i]->elems[1] = names[i];
}

}  // namespace

absl::Status CommandOracle::Run(const std::string& name, const CommandProgram& program,
                                OracleReport* report) {
  auto ours = harnesses::MakeReplyParser();
  auto hiredis = harnesses::MakeHiredisParser();
  // ACL as the server starts, so no user, password, rule or ACL log entry of one program
  // reaches the next: requirepass empty, the default user with every
  // permission and no password, no other user. The sessions connect after
  // this, authenticated as the default user; the admin connection stays so.
  if (absl::Status st = ResetAcl(*ours); !st.ok()) return st;
  // The engine's parameters back to their defaults, as a new engine has them.
  // A WRITE pause an earlier program left (the sessions it postponed are
  // closed): the reset's FLUSHALL and EVAL would wait on it. (An ALL pause
  // ended before its program did: oracle_pause.h.)
  auto unpaused = Roundtrip(admin_fd_, {"CLIENT", "UNPAUSE"}, *ours, resp::Protocol::kResp3);
  if (!unpaused.ok()) return unpaused.status();
  std::vector<std::string> reset = {"CONFIG", "SET"};
  for (size_t i = 0; i < engine::EngineParams().size(); ++i) {
    const engine::ParamSpec& p = engine::EngineParams()[i];
    reset.emplace_back(p.name);
    if (p.type == engine::ParamType::kEnum) {
      reset.emplace_back(engine::EnumNames(static_cast<engine::ParamId>(i))[p.default_value]);
    } else if (p.type == engine::ParamType::kBool) {
      reset.emplace_back(p.default_value != 0 ? "yes" : "no");
    } else {
      reset.push_back(std::to_string(p.default_value));
    }
  }
  reset.emplace_back("notify-keyspace-events");  // no events, as a new engine
  reset.emplace_back("");
  // INFO latencystats' percentiles, as a new engine (src/engine/latency.cc).
  reset.emplace_back("latency-tracking-info-percentiles");
  reset.emplace_back("50 99 99.9");
  auto defaults = Roundtrip(admin_fd_, reset, *ours, resp::Protocol::kResp3);
  if (!defaults.ok()) return defaults.status();
  if (defaults->type == Type::kError) {
    return absl::FailedPreconditionError("resetting the engine's parameters: " + defaults->str);
  }
  // FLUSHALL after the parameters: a program that left min-replicas-to-write
  // set has the server refuse every write, FLUSHALL too (-NOREPLICAS), and the
  // keys would outlive the program.
  auto flushed = Roundtrip(admin_fd_, {"FLUSHALL"}, *ours, resp::Protocol::kResp3);
  if (!flushed.ok()) return flushed.status();
  if (flushed->type == Type::kError) {
    return absl::FailedPreconditionError("FLUSHALL between programs: " + flushed->str);
  }
  // A new engine has no scripts and math.random at rand.c's initial state,
  // 0x1234ABCD330E, which redisSrand48(0x1234ABCD) restores on the server
  // (its state is one per process); SCRIPT FLUSH keeps that state. Nor
  // has it function libraries: FUNCTION FLUSH, so none outlives a program.
  // Nor statistics: CONFIG RESETSTAT, which also frees the server's
  // per-command latency histograms (about 1.5 MB after a dozen fuzzed
  // programs, enough to lift the server past MEMORY DOCTOR's 5 MB "empty"
  // line and change MEMORY STATS within a long run).
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"EVAL", "math.randomseed(305441741)", "0"},
        std::vector<std::string>{"SCRIPT", "FLUSH"}, std::vector<std::string>{"FUNCTION", "FLUSH"},
        std::vector<std::string>{"CONFIG", "RESETSTAT"}}) {
    auto r = Roundtrip(admin_fd_, cmd, *ours, resp::Protocol::kResp3);
    if (!r.ok()) return r.status();
    if (r->type == Type::kError) {
      return absl::FailedPreconditionError("resetting the script state: " + r->str);
    }
  }

  // The slow log: the server's ids go on from program to program, so the
  // oracle learns the next one (a logged CONFIG SET, read back; SLOWLOG GET
  // is itself logged), then puts the threshold back to the engine's
  // default and empties the log, as a new engine has it.
  int64_t slowlog_base = 0;
  {
    const std::string threshold = std::to_string(
        engine::EngineParams()[static_cast<size_t>(engine::ParamId::kSlowlogLogSlowerThan)]
            .default_value);
    std::optional<int64_t> logged;
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"CONFIG", "SET", "slowlog-log-slower-than", "0"},
          std::vector<std::string>{"SLOWLOG", "GET", "1"},
          std::vector<std::string>{"CONFIG", "SET", "slowlog-log-slower-than", threshold},
          std::vector<std::string>{"SLOWLOG", "RESET"}}) {
      auto r = Roundtrip(admin_fd_, cmd, *ours, resp::Protocol::kResp3);
      if (!r.ok()) return r.status();
      if (r->type == Type::kError) {
        return absl::FailedPreconditionError("resetting the slow log: " + r->str);
      }
      if (CommandIs(cmd[0], "SLOWLOG") && CommandIs(cmd[1], "GET") && r->type == Type::kArray &&
          r->elems.size() == 1 && !r->elems[0].elems.empty() &&
          r->elems[0].elems[0].type == Type::kInteger) {
        logged = r->elems[0].elems[0].integer;
      }
    }
    if (!logged) return absl::FailedPreconditionError("the server's slow log logged nothing");
    slowlog_base = *logged + 2;  // the CONFIG SET, then SLOWLOG GET itself
  }
  // Set once the oracle's own commands (active expiry's SELECT and SCAN, a
  // PING on a fresh connection) ran while the server logs every call: its
  // log then holds entries the engine's has not, and SLOWLOG ops are
  // excluded for the rest of the program.
  bool slowlog_polluted = false;

  engine::EngineOptions eo;
  // As the server: its connections come from 127.0.0.1.
  eo.enable_debug_command = engine::EngineOptions::ProtectedAction::kLocal;
  eo.start_ms = RealNowMs();
  eo.max_string_len = kOracleMaxStringLen;
  engine::Engine eng(eo);
  eng.tracker().bugs_for_test() = options_.engine_bugs;
  eng.bugs_for_test() = options_.core_bugs;
  std::array<int, harnesses::kMaxSessions> fds;
  fds.fill(-1);
  for (int i = 0; i < harnesses::kMaxSessions; ++i) eng.OpenSession();
  struct Closer {
    std::array<int, harnesses::kMaxSessions>* fds;
    int* replica_fd;
    ~Closer() {
      for (int fd : *fds) {
        if (fd >= 0) ::close(fd);
      }
      if (*replica_fd >= 0) ::close(*replica_fd);
    }
  };
  // A SYNC replica on each side (StreamComparable), the engine's after the
  // program's sessions so that their ids stay 1..kMaxSessions.
  int replica_fd = -1;
  int replica = -1;
  std::string their_stream;
  Closer closer{&fds, &replica_fd};
  // Set when the oracle's own commands (active expiry's SCAN) wrote to the
  // server's stream in an order of their own.
  bool stream_spoiled = false;
  // Against redis-server 7.0.15 only: newer servers propagate some
  // commands otherwise (docs/fidelity.md, "Replication").
  if (options_.compare_streams && modelled_server_ && StreamComparable(program)) {
    auto fd = AttachReplica(options_, &their_stream);
    if (!fd.ok()) return fd.status();
    replica_fd = *fd;
    replica = eng.OpenSession();
    // The server sees the replica at the loopback (ROLE lists it so).
    eng.SetAddresses(replica, "127.0.0.1:1", options_.host + ":" + std::to_string(options_.port));
    std::string synced;
    eng.Execute(replica, std::vector<std::string>{"SYNC"}, &synced);
    if (synced.rfind("$", 0) != 0) {
      return absl::InternalError("the engine's SYNC answered " +
                                 harnesses::EscapeBytes(synced, 200));
    }
  }

  harnesses::TransactionTracker transactions;
  std::array<bool, harnesses::kMaxSessions> tainted{};
  std::string rest_excluded;  // why the rest of the program is excluded
  // The previous op ran an expiry sweep (active_expire): its expired
  // events came in each side's own order (delivered() sorts them).
  bool swept = false;
  std::string rest_category = "clock";
  std::vector<std::string> racy;  // keys whose expiry raced an op
  // Stream keys whose pending entries were claimed by idle time: which ones
  // the server claimed depends on its own millisecond clock.
  std::vector<std::string> claimed_by_idle;
  // Keys an SPOP inside a transaction popped at random: each side popped its
  // own members, so the key differs from then on.
  std::vector<std::string> diverged;
  // SCAN lazily expires every key it visits: a full scan of each db is the
  // server's active expiry, made deterministic. Also run after RANDOMKEY,
  // which deletes the expired keys its draws hit, different ones on each side.
  auto logs_everything = [&] {
    const int64_t t = eng.GetParam(engine::ParamId::kSlowlogLogSlowerThan);
    return t >= 0 && t < 10000;  // the oracle's commands take less than 10 ms
  };
  // The oracle's own commands show in the server's MONITOR as they do not
  // in the engine's: once one ran while a session monitors, the rest of the
  // program is excluded.
  auto monitor_polluted = [&](const char* what) {
    if (eng.monitor_count() == 0 || !rest_excluded.empty()) return;
    rest_excluded = absl::StrCat("after ", what, " ran while a session monitors (its lines show ",
                                 "on the server's monitors only)");
    rest_category = "monitor";
  };
  // A key whose expiry raced an op may have been invalidated on one side
  // only: with a session tracking keys, the rest of the program is
  // excluded (delivered() drops what the sessions receive).
  auto race_while_tracking = [&] {
    if (eng.tracker().tracking_clients() == 0 || !rest_excluded.empty()) return;
    rest_excluded =
        "after an expiry raced an op while a session tracks keys (its invalidation "
        "may have come on one side only)";
    rest_category = "tracking-race";
  };
  auto active_expire = [&]() -> absl::Status {
    // While paused nothing expires on either side (and an ALL pause would
    // hold the SCAN).
    if (eng.pause_type() != engine::Engine::PauseType::kOff) return absl::OkStatus();
    swept = true;
    stream_spoiled = true;  // its DELs come in SCAN's order
    if (logs_everything()) slowlog_polluted = true;
    monitor_polluted("the oracle's active expiry (SELECT and SCAN)");
    eng.ExpireAllDue();
    eng.EndTurn();  // what expiry made ready is served, as after the server's SCAN
    for (int db = 0; db < eng.keyspace().num_dbs(); ++db) {
      auto sel =
          Roundtrip(admin_fd_, {"SELECT", std::to_string(db)}, *ours, resp::Protocol::kResp3);
      if (!sel.ok()) return sel.status();
      std::string cursor = "0";
      do {
        auto r =
            Roundtrip(admin_fd_, {"SCAN", cursor, "COUNT", "1000"}, *ours, resp::Protocol::kResp3);
        if (!r.ok()) return r.status();
        if (r->type != Type::kArray || r->elems.size() != 2) {
          return absl::DataLossError("unexpected SCAN reply " + resp::ToDebugString(*r));
        }
        cursor = r->elems[0].str;
      } while (cursor != "0");
    }
    return absl::OkStatus();
  };
  // How far the server's copy of an expiry may lie after the engine's: a
  // relative expiry is stored at the server's own time, up to as long after
  // the engine's as the op that set it took. Keyed by the engine's time;
  // unknown ones get the longest op so far.
  absl::flat_hash_map<int64_t, int64_t> slack;
  int64_t max_took = 0;
  ++report->programs;

  // What the engine gives another session (a blocked session served or
  // timed out, pub/sub messages and keyspace events) is compared with as
  // many frames read from its connection (SameFrames: pushes in order,
  // replies in order); a frame the server sent beyond them shows at the
  // session's next read. A blocked session was sent its command and
  // nothing read.
  std::array<std::string, harnesses::kMaxSessions> pending;
  // CLIENT PAUSE (oracle_pause.h): the command each session's pause
  // postponed; given again when the engine lets it go, its reply then in
  // the session's output for delivered() to compare.
  harnesses::PostponedCommands postponed_cmd;
  // Session t's connection to the server, opened at its first use.
  auto open_session = [&](int t) -> absl::Status {
    if (fds[t] >= 0) return absl::OkStatus();
    auto fd = ConnectTcp(options_.host, options_.port, options_.io_timeout_ms);
    if (!fd.ok()) return fd.status();
    fds[t] = *fd;
    return absl::OkStatus();
  };
  auto show = [](const std::vector<Value>& frames) {
    std::string out;
    for (const Value& v : frames) out += resp::ToDebugString(v, 2000) + " ";
    return out;
  };
  // Reads `count` frames of session t; false (a divergence recorded, the
  // connections no longer line up) when fewer came.
  auto read_frames = [&](int t, size_t count, std::vector<Value>* out, size_t i,
                         const std::string& text, const std::vector<Value>& mine) -> bool {
    while (out->size() < count) {
      // The server writes them in the event-loop turn of the reply: on the
      // loopback a second is long.
      constexpr int kFrameWaitMs = 1000;
      auto f = ReadFrame(fds[t], &pending[t], kFrameWaitMs);
      if (!f.ok()) {
        ++report->compared;
        report->divergences.push_back(
            {name, i, absl::StrCat(text, " (s", t + 1, ")"), show(mine),
             absl::StrCat(show(*out), "(then ", f.status().message(), ")")});
        return false;
      }
      out->push_back(std::move(*f));
    }
    return true;
  };
  bool lined_up = true;
  std::string prev_text;
  auto delivered = [&](size_t i, const std::string& text) -> absl::Status {
    for (int t = 0; t < harnesses::kMaxSessions; ++t) {
      if (eng.PendingOutput(t).empty()) continue;
      const std::string bytes = eng.TakeOutput(t);
      if (fds[t] < 0) continue;
      if (eng.maxmemory() != 0 || rest_category == "tracking-race" || rest_category == "monitor") {
        // Which keys are evicted, and in what order, follows each side's
        // own memory figure and sampling; an expiry that raced an op may
        // have invalidated a tracked key on one side only; the oracle's own
        // commands (a scan's further pages, each side's own) showed on the
        // server's monitors: the frames are read and dropped.
        std::string dropped;
        (void)ReadSome(fds[t], 50, &dropped);
        pending[t].clear();
        const char* category = eng.maxmemory() != 0 ? "maxmemory" : rest_category.c_str();
        report->excluded.push_back(
            {name, i, absl::StrCat(text, " (s", t + 1, " received)"), category,
             eng.maxmemory() != 0         ? "evicted events follow each side's own memory figure"
             : rest_category == "monitor" ? "the oracle's own commands showed on the monitors"
                                          : "an expiry raced an op while a session tracks keys"});
        continue;
      }
      std::vector<Value> mine = EngineFrames(bytes);
      if (mine.empty()) {
        return absl::DataLossError("the engine's output to another session does not read: " +
                                   harnesses::EscapeBytes(bytes, 200));
      }
      std::vector<Value> theirs;
      if (!read_frames(t, mine.size(), &theirs, i, text, mine)) {
        lined_up = false;
        return absl::OkStatus();
      }
      for (std::vector<Value>* side : {&mine, &theirs}) {
        for (Value& v : *side) MaskMonitorLine(&v);
        SortInvalidationRuns(side);
        if (swept) SortExpiredEventRuns(side);
      }
      ++report->compared;
      if (harnesses::SameFrames(mine, theirs)) {
        ++report->agreed;
      } else {
        report->divergences.push_back(
            {name, i, absl::StrCat(text, " (s", t + 1, " received)"), show(mine), show(theirs)});
      }
    }
    return absl::OkStatus();
  };

  // The sessions a pause postponed, once the engine lets them go, run
  // their command again, in the order they waited, as the server
  // re-processes its postponed clients.
  auto rerun_postponed = [&] { harnesses::RerunPostponed(eng, &postponed_cmd, &transactions); };
  // The clock moved to real time, and what that let go run again.
  auto catch_up = [&] {
    if (const int64_t real_now = RealNowMs(); real_now > eng.now_ms()) {
      eng.AdvanceClock(real_now - eng.now_ms());
    }
    rerun_postponed();
  };
  // A pause near its end (or an ALL pause at the program's end, `all`):
  // nothing is sent until the server's end must have come too.
  auto settle_pause = [&](bool all) {
    if (eng.pause_type() == engine::Engine::PauseType::kOff) return;
    const bool forced = all && eng.pause_type() == engine::Engine::PauseType::kAll;
    if (!forced && eng.pause_end_ms() > RealNowMs() + kPauseAheadMs) return;
    const int64_t wait = SettleUntilMs(eng.pause_end_ms(), max_took) - RealNowMs();
    if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    catch_up();
  };

  // DEBUG DIGEST compares whole datasets: only while nothing says the two
  // may differ, i.e. no op so far ran on both sides without being compared
  // and none diverged (see the DEBUG exclusion below).
  bool datasets_may_differ = false;
  const size_t divergences_before = report->divergences.size();
  // Whether a DEBUG DIGEST op, or the comparison after the last op, may be
  // sent: nothing so far ran uncompared or diverged, no key was popped or
  // claimed at random or raced its expiry, and the rest is not excluded.
  auto datasets_alike = [&] {
    return !datasets_may_differ && report->divergences.size() == divergences_before &&
           diverged.empty() && racy.empty() && claimed_by_idle.empty() && rest_excluded.empty();
  };
  for (size_t i = 0; i < program.ops.size(); ++i) {
    const Op& op = program.ops[i];
    const std::string text = harnesses::OpToText(op);
    bool ran = false;  // the op ran on the engine (and was sent to the server)
    auto exclude = [&](const std::string& category, std::string why) {
      if (ran) datasets_may_differ = true;
      report->excluded.push_back({name, i, text, category, std::move(why)});
    };
    if (op.kind == OpKind::kCommand) ++report->ops;
    settle_pause(false);
    catch_up();
    // What the previous op (or the time since) gave the other sessions.
    if (absl::Status st = delivered(i == 0 ? 0 : i - 1, i == 0 ? text : prev_text); !st.ok()) {
      return st;
    }
    swept = false;
    prev_text = text;
    if (!lined_up) return absl::OkStatus();
    if (op.kind == OpKind::kCommand &&
        (!eng.session(op.session).open || eng.session(op.session).close_after_reply)) {
      // The engine closed it (ACL DELUSER of its user, a subscribed client
      // whose channels ACL SETUSER took away), as the server closes its.
      exclude("closed", "the session's connection was closed by an earlier op");
      continue;
    }
    if (op.kind == OpKind::kCommand && eng.session(op.session).blocked()) {
      exclude("blocked", "the session is blocked: its commands wait (not sent)");
      continue;
    }
    if (op.kind == OpKind::kCommand && eng.session(op.session).monitor &&
        CommandIs(op.argv[0], "WAIT")) {
      // A monitor that blocks gets its own MONITOR line and no reply, which
      // this oracle would read as the reply (the harness compares it).
      exclude("blocked", "a monitor's WAIT (it may block, its own line coming first); not sent");
      if (eng.session(op.session).in_multi) tainted[op.session] = true;
      continue;
    }
    // Memory accounting (evict.cc): once maxmemory is set, which command is
    // refused and which key is evicted follow each side's own used_memory.
    if (eng.maxmemory() != 0 && rest_excluded.empty()) {
      rest_excluded =
          "after maxmemory was set, evictions and OOM refusals follow each side's own memory "
          "figure";
      rest_category = "maxmemory";
    }
    if (!rest_excluded.empty()) {
      if (op.kind == OpKind::kCommand) exclude(rest_category, rest_excluded);
      continue;
    }
    if (op.kind == OpKind::kClock) {
      if (op.clock_ms > options_.max_sleep_ms) {
        rest_excluded = absl::StrCat("after a clock step of ", op.clock_ms,
                                     " ms (longer than --max-sleep-ms ", options_.max_sleep_ms,
                                     "), the real server's time cannot follow the engine's");
        continue;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(op.clock_ms));
      continue;
    }
    if (op.kind == OpKind::kActiveExpire) {
      // A key whose expiry lies between the engine's now and the end of the
      // server's SCAN (or up to the longest op before it: a relative expiry
      // is stored later on the server) may be deleted on one side only.
      // (While paused nothing expires: no race.)
      std::vector<int64_t> whens;
      for (int d = 0; d < eng.keyspace().num_dbs() && !eng.keyspace().expire_paused(); ++d) {
        for (const auto& [key, when] : eng.keyspace().db(d).expires) whens.push_back(when);
      }
      const int64_t before = eng.now_ms();
      if (absl::Status st = active_expire(); !st.ok()) return st;
      const int64_t after = RealNowMs();
      for (int64_t when : whens) {
        if (when >= before - max_took - options_.expiry_margin_ms &&
            when <= after + options_.expiry_margin_ms) {
          datasets_may_differ = true;
          race_while_tracking();
        }
      }
      continue;
    }

    const int s = op.session;
    const std::vector<std::string>& argv = op.argv;
    const engine::CommandSpec* spec = engine::FindCommand(argv[0]);
    const bool client_unblock = spec != nullptr && spec->name == "client" && argv.size() >= 2 &&
                                CommandIs(argv[1], "UNBLOCK");
    const bool client_list =
        spec != nullptr && spec->name == "client" && argv.size() >= 2 && CommandIs(argv[1], "LIST");
    const bool client_reply = spec != nullptr && spec->name == "client" && argv.size() >= 2 &&
                              CommandIs(argv[1], "REPLY");
    const bool client_kill =
        spec != nullptr && spec->name == "client" && argv.size() >= 2 && CommandIs(argv[1], "KILL");
    // CLIENT PAUSE and UNPAUSE act on every connection (the oracle's own
    // too): they are sent as oracle_pause.h says. TRACKING is sent without
    // REDIRECT (which names a
    // connection by its id) and without BCAST (whose invalidations go out at
    // the end of the server's event-loop turn, which the engine here does
    // not end after every op), and not while tracking-table-max-keys is low
    // enough for the server's random evictions from its table: the
    // session's invalidations then come as RESP3 pushes on its own
    // connection, within the command that caused them, on both sides
    // (`respfuzz oracle invalidation` compares the other forms). The others
    // are: LIST cut to the sessions' lines, KILL by ID (below), GETREDIR,
    // TRACKINGINFO, CACHING, NO-EVICT, REPLY, HELP, PAUSE, UNPAUSE.
    bool client_other = false;
    if (spec != nullptr && spec->name == "client" && argv.size() >= 2) {
      client_other = true;
      for (std::string_view sub :
           {"ID", "SETNAME", "GETNAME", "INFO", "UNBLOCK", "LIST", "KILL", "GETREDIR",
            "TRACKINGINFO", "CACHING", "NO-EVICT", "REPLY", "HELP", "PAUSE", "UNPAUSE"}) {
        if (CommandIs(argv[1], sub)) client_other = false;
      }
      if (CommandIs(argv[1], "TRACKING")) {
        const int64_t table = eng.tracker().table_max_keys();
        client_other = table > 0 && table < kSmallTrackingTable;
        for (size_t j = 3; j < argv.size(); ++j) {
          if (CommandIs(argv[j], "REDIRECT") || CommandIs(argv[j], "BCAST")) client_other = true;
        }
      }
    }
    // CONFIG SET tracking-table-max-keys while a session tracks: a small
    // table evicts keys at random on the server.
    if (spec != nullptr && spec->name == "config" && argv.size() >= 4 &&
        CommandIs(argv[1], "SET") && eng.tracker().tracking_clients() > 0) {
      for (size_t j = 2; j < argv.size(); j += 2) {
        if (CommandIs(argv[j], "tracking-table-max-keys")) client_other = true;
      }
    }
    // MEMORY MALLOC-STATS: jemalloc's report on the server, the reply of a
    // build without jemalloc in the engine.
    const bool malloc_stats = spec != nullptr && spec->name == "memory" && argv.size() == 2 &&
                              CommandIs(argv[1], "MALLOC-STATS");
    // A container's subcommand the server has and the engine does not: the
    // engine checks its arity and ACL, then answers with the
    // unknown-subcommand error.
    const bool sub_missing = spec != nullptr && engine::IsEngineContainer(spec->name) &&
                             argv.size() >= 2 &&
                             !engine::EngineHasSubcommand(spec->name, argv[1]) &&
                             engine::LookupCommandFact(argv) != nullptr;
    const bool subscription =
        spec != nullptr && (spec->name == "subscribe" || spec->name == "unsubscribe" ||
                            spec->name == "psubscribe" || spec->name == "punsubscribe" ||
                            spec->name == "ssubscribe" || spec->name == "sunsubscribe");
    // Pub/sub inside a transaction (confirmations and a RESP3 session's
    // own messages land inside EXEC's array): not sent, as the
    // command_handler harness skips them (NotInThisState).
    if ((subscription && eng.session(s).in_multi) ||
        (spec != nullptr && spec->name == "multi" && eng.session(s).in_pubsub() &&
         eng.session(s).protocol == resp::Protocol::kResp3)) {
      exclude("not-modeled", "pub/sub inside a transaction; not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    // A stream read or claim that may make a consumer, from a subscribed
    // RESP3 session while stream events are on: 7.0.15 writes the
    // consumer's event inside the reply's array (the harness skips it too).
    if (spec != nullptr &&
        (spec->name == "xreadgroup" || spec->name == "xclaim" || spec->name == "xautoclaim") &&
        eng.session(s).in_pubsub() && eng.session(s).protocol == resp::Protocol::kResp3 &&
        (eng.notify_flags() & engine::kNotifyStream) != 0 && !eng.session(s).in_multi) {
      exclude("not-modeled", "a stream event inside the reply; not sent");
      continue;
    }
    // An AUTH in a transaction on a server that would answer a failed one
    // with nothing inside EXEC's array (a known bug: redis issue 15640,
    // open; valkey fixed it in PR 2287): not sent, and its EXEC neither.
    if (drops_auth_error_in_exec_ && eng.session(s).in_multi && spec != nullptr &&
        (spec->name == "auth" || spec->name == "hello")) {
      exclude("known-bug",
              "AUTH in a transaction: a failed one has no reply in EXEC on this server (redis "
              "issue 15640); not sent");
      tainted[s] = true;
      continue;
    }
    // FUNCTION LIST with a CR or LF in an argument, on a server that writes
    // it into the error line as it is: the reply stream would split.
    auto splits_error = [](const std::vector<std::string>& a) {
      if (a.size() < 3 || !CommandIs(a[0], "FUNCTION") || !CommandIs(a[1], "LIST")) return false;
      for (size_t j = 2; j < a.size(); ++j) {
        if (a[j].find_first_of("\r\n") != std::string::npos) return true;
      }
      return false;
    };
    bool splits = splits_error(argv);
    if (spec != nullptr && spec->name == "exec" && eng.session(s).in_multi) {
      for (const std::vector<std::string>& q : eng.session(s).queued)
        splits = splits || splits_error(q);
    }
    if (splits_function_list_error_ && splits) {
      exclude("known-bug",
              "FUNCTION LIST with a CR or LF in an argument: this server writes them into its "
              "error line, splitting the reply stream (tests/findings/function_list_crlf.sh); not "
              "sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    // A subcommand name with a NUL byte whose part before the NUL names a
    // subcommand (`SLOWLOG RESET\0x`): redis-server hashes the whole name
    // but compares names as C strings, so it runs that subcommand when the
    // name's hash falls in its bucket, which the per-process hash seed
    // decides (tests/findings/nul_subcommand.sh; valkey 9.1.2 always runs
    // it). The engine answers the unknown-subcommand error: not sent.
    if (spec != nullptr && argv.size() >= 2 && argv[1].find('\0') != std::string::npos &&
        engine::FindCommandFact(std::string(spec->name) + "|" +
                                absl::AsciiStrToLower(argv[1].substr(0, argv[1].find('\0')))) !=
            nullptr) {
      exclude("known-bug",
              "a subcommand name with a NUL byte after a real one's name: the server may run "
              "that subcommand, as its hash seed decides; not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    // DEBUG RELOAD NOFLUSH MERGE while a session waits on a stream:
    // redis-server 7.0.15 deletes each key it loads again through a key
    // object on the stack, and a blocked reader of a stream makes it keep
    // that object, an abort ("You tried to retain an object allocated in
    // the stack"; README, "Found in real software"). Not sent to it.
    if (modelled_server_ && spec != nullptr && spec->name == "debug" && argv.size() >= 4 &&
        CommandIs(argv[1], "RELOAD")) {
      bool noflush = false, merge = false;
      for (size_t j = 2; j < argv.size(); ++j) {
        noflush = noflush || CommandIs(argv[j], "NOFLUSH");
        merge = merge || CommandIs(argv[j], "MERGE");
      }
      bool stream_reader = false;
      for (int t = 0; t < harnesses::kMaxSessions; ++t) {
        stream_reader = stream_reader || (eng.session(t).blocked() &&
                                          eng.session(t).block.type == engine::BlockType::kStream);
      }
      if (noflush && merge && stream_reader) {
        exclude("known-bug",
                "DEBUG RELOAD NOFLUSH MERGE while a session waits on a stream: redis-server "
                "7.0.15 aborts; not sent");
        if (eng.session(s).in_multi) tainted[s] = true;
        continue;
      }
    }
    if (OutlivesAclReset(argv)) {
      exclude("not-modeled",
              "gives the default user a payload-sanitizing flag no ACL SETUSER takes back "
              "(it would outlive the program on the server); not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    if (LocksOutAdmin(argv)) {
      exclude("not-modeled",
              "takes a permission from the default user, which the oracle's "
              "admin connection needs; not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    // Persistence (src/engine/persist.cc): SAVE and BGSAVE would write
    // files in the server's directory, SHUTDOWN would stop it, LASTSAVE is
    // each side's clock; the harness runs them on neither side either.
    if (spec != nullptr && (spec->name == "save" || spec->name == "bgsave" ||
                            spec->name == "lastsave" || spec->name == "shutdown")) {
      exclude("not-modeled", "persistence (files, the process, the clock); not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    if (spec != nullptr && spec->name == "debug" && argv.size() >= 2) {
      // Both sides run with enable-debug-command local, every session a
      // local connection. DEBUG PROTOCOL, LOG, POPULATE and RELOAD are
      // compared (POPULATE and RELOAD as the command_handler harness sends
      // them: OutsideTheModel); SET-ACTIVE-EXPIRE is not sent (this oracle
      // keeps the server's active expiry off with it), nor a subcommand
      // the model does not run, nor a PROTOCOL push queued in MULTI (the
      // server writes it inside EXEC's array).
      const std::string sub = absl::AsciiStrToLower(std::string(engine::CStr(argv[1])));
      const char* why = nullptr;
      const bool digest = sub == "digest" || sub == "digest-value";
      const bool compared =
          sub == "protocol" || digest || sub == "log" || sub == "populate" || sub == "reload";
      if (compared && harnesses::OutsideTheModel(argv)) {
        why =
            "DEBUG POPULATE past a program's size, or RELOAD NOSAVE or NOFLUSH without MERGE "
            "(outside the model); not sent";
      } else if (sub == "reload" && (eng.session(s).in_multi || ReloadReordersAHash(eng))) {
        why =
            "DEBUG RELOAD queued, or with a hash table hash that would load back as a "
            "listpack (in each side's own dict order); not sent";
      } else if (digest && !datasets_alike()) {
        why =
            "DEBUG DIGEST: an earlier op may have left the two datasets different (it ran "
            "uncompared, diverged, popped or claimed at random, raced an expiry); not sent";
      } else if (sub == "set-active-expire") {
        why = "DEBUG SET-ACTIVE-EXPIRE: the oracle keeps the server's active expiry off; not sent";
      } else if (!compared) {
        why = "DEBUG: a subcommand the reference model does not run; not sent";
      } else if (eng.session(s).in_multi && argv.size() == 3 &&
                 engine::IEquals(engine::CStr(argv[2]), "push")) {
        why = "DEBUG PROTOCOL push inside MULTI (inside EXEC's array on the server); not sent";
      }
      if (why != nullptr) {
        exclude("not-modeled", why);
        if (eng.session(s).in_multi) tainted[s] = true;
        continue;
      }
    }
    // MEMORY DOCTOR reads the server's whole memory, which a replication
    // backlog (made by --streams' replica, kept after it) changes.
    if (options_.compare_streams && spec != nullptr && spec->name == "memory" && argv.size() == 2 &&
        CommandIs(argv[1], "DOCTOR")) {
      exclude("replication-backlog",
              "MEMORY DOCTOR with --streams: the server's replication backlog counts in its "
              "memory; not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    if (spec == nullptr || client_other || malloc_stats || sub_missing ||
        (CommandIs(argv[0], "CONFIG") && !ConfigInScope(argv))) {
      exclude("not-modeled",
              malloc_stats ? "the allocator's own report (jemalloc's on the server); not sent"
              : client_other
                  ? "CLIENT TRACKING with REDIRECT or BCAST or with a small tracking table, a "
                    "tracking table set small while a session tracks, or an unknown CLIENT "
                    "subcommand: not compared; not sent"
              : spec == nullptr || sub_missing
                  ? "not modeled by the engine (it replies with an unknown-command error); not sent"
                  : "a CONFIG parameter the engine does not have; not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    // A lex range over a skiplist sorted set whose members have more than
    // one score: redis-server's answer depends on its skiplist's random
    // node levels (its level descent assumes one score), the engine walks
    // as a listpack does (docs/fidelity.md, sorted sets). Also as EXEC's.
    auto lex_on_mixed_skiplist = [&](const std::vector<std::string>& a) {
      if (a.size() < 2) return false;
      bool lex = CommandIs(a[0], "ZRANGEBYLEX") || CommandIs(a[0], "ZREVRANGEBYLEX") ||
                 CommandIs(a[0], "ZLEXCOUNT") || CommandIs(a[0], "ZREMRANGEBYLEX");
      if (CommandIs(a[0], "ZRANGE") || CommandIs(a[0], "ZRANGESTORE")) {
        for (const std::string& w : a) lex = lex || CommandIs(w, "BYLEX");
      }
      if (!lex) return false;
      const size_t key = CommandIs(a[0], "ZRANGESTORE") && a.size() > 2 ? 2 : 1;
      const engine::Object* o = eng.keyspace().Peek(eng.session(s).db, a[key]);
      if (o == nullptr || !engine::Is<engine::ZSet>(*o)) return false;
      const engine::ZSet& z = engine::As<engine::ZSet>(*o);
      return !z.listpack() && z.size() > 1 &&
             z.index().begin()->first != std::prev(z.index().end())->first;
    };
    bool lex_mixed = lex_on_mixed_skiplist(argv);
    if (spec != nullptr && spec->name == "exec" && eng.session(s).in_multi) {
      for (const std::vector<std::string>& q : eng.session(s).queued) {
        lex_mixed = lex_mixed || lex_on_mixed_skiplist(q);
      }
    }
    if (lex_mixed && (!eng.session(s).in_multi || (spec != nullptr && spec->name == "exec"))) {
      exclude("lex-range",
              "a lex range over a skiplist sorted set of more than one score: the server's "
              "answer follows its nodes' random levels; not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    // CLIENT PAUSE: an ALL pause past its cap, or a command a pause may
    // postpone whose reply when given again would not compare.
    if (std::string why = PauseExclusion(eng, s, argv, eng.now_ms()); !why.empty()) {
      exclude("pause", std::move(why));
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    // A draw of more repeats than the harness allows: the engine refuses it,
    // and the server's reply would pass the reply reader's array budget.
    if (IsRandomCommand(argv[0]) && argv.size() >= 3) {
      int64_t count = 0;
      if (absl::SimpleAtoi(argv[2], &count) &&
          count < -harnesses::CommandRunOptions::kHarnessMaxRandomRepeats) {
        exclude("random-cap",
                absl::StrCat("more than ", harnesses::CommandRunOptions::kHarnessMaxRandomRepeats,
                             " draws (the harness's cap); not sent"));
        if (eng.session(s).in_multi) tainted[s] = true;
        continue;
      }
    }
    // SYNC and PSYNC turn the session's connection into a replica link: an
    // RDB payload and then the replication stream, no RESP reply (the
    // stream is compared through --streams' own replica instead).
    if (spec != nullptr && (spec->name == "sync" || spec->name == "psync")) {
      exclude("not-modeled",
              "SYNC and PSYNC make the session's connection a replica link (no RESP reply); "
              "not sent");
      if (eng.session(s).in_multi) tainted[s] = true;
      continue;
    }
    // Queued, CLIENT LIST's reply is an element of EXEC's, where the lines
    // of the oracle's own connections stay; CLIENT REPLY OFF or SKIP run by
    // EXEC silences the rest of EXEC's own array.
    if ((client_list || client_reply) && eng.session(s).in_multi) {
      exclude("connections", client_list
                                 ? "CLIENT LIST in a transaction: the server's lines of the "
                                   "oracle's own connections would stay in EXEC's reply; not sent"
                                 : "CLIENT REPLY in a transaction; not sent");
      tainted[s] = true;
      continue;
    }
    std::vector<std::string> wire = argv;
    // Argument j names a session by the engine's id (a plain positive
    // number): the server gets the id its own connection for that session
    // has (asked with CLIENT LIST on the admin connection); an id no open
    // session has becomes `unknown`, which no connection has on either side.
    // Anything else goes as it is.
    auto map_session_id = [&](size_t j, const std::string& unknown) -> absl::Status {
      int64_t id = 0;
      if (!absl::SimpleAtoi(argv[j], &id) || std::to_string(id) != argv[j] || id <= 0) {
        return absl::OkStatus();
      }
      wire[j] = unknown;
      for (int t = 0; t < harnesses::kMaxSessions; ++t) {
        if (eng.session(t).id != id || !eng.session(t).open) continue;
        if (absl::Status st = open_session(t); !st.ok()) return st;
        auto server_id = ServerClientId(admin_fd_, fds[t], *ours);
        if (!server_id.ok()) return server_id.status();
        wire[j] = std::to_string(*server_id);
      }
      return absl::OkStatus();
    };
    // CLIENT KILL: the old form (an address) is sent as it is: no session has
    // an address in the engine, and the program cannot name a connection of
    // the server's. The filter form only with an ID filter and without ADDR
    // or LADDR (which name the server's own addresses): then it can kill a
    // session's connection at most, never the oracle's. Its ID is mapped
    // as CLIENT LIST ID's below.
    if (client_kill && argv.size() != 3) {
      bool by_id = false, by_address = false;
      for (size_t j = 2; j + 1 < argv.size(); j += 2) {
        by_id = by_id || CommandIs(argv[j], "ID");
        by_address = by_address || CommandIs(argv[j], "ADDR") || CommandIs(argv[j], "LADDR");
      }
      if (!by_id || by_address || eng.monitor_count() != 0) {
        exclude("connections",
                eng.monitor_count() != 0
                    ? "CLIENT KILL while a session monitors: the server's line would show the "
                      "server's ids; not sent"
                    : "CLIENT KILL without an ID filter, or with ADDR or LADDR, may kill the "
                      "oracle's own connections; not sent");
        if (eng.session(s).in_multi) tainted[s] = true;
        continue;
      }
    }
    // CLIENT LIST ID and KILL ID: each id mapped by map_session_id, an
    // unknown one to 1 << 62. The server is given a connection for every
    // session the engine has open, so both list them.
    if (client_list) {
      if (argv.size() >= 4 && CommandIs(argv[2], "ID") && eng.monitor_count() != 0) {
        exclude("monitor",
                "CLIENT LIST ID while a session monitors: the server's line would show the "
                "server's ids; not sent");
        continue;
      }
      // A connection opened here is waited for until the server has
      // accepted it (ServerClientId), or the server's list may miss it.
      for (int t = 0; t < harnesses::kMaxSessions; ++t) {
        if (!eng.session(t).open) continue;
        const bool fresh = fds[t] < 0;
        if (absl::Status st = open_session(t); !st.ok()) return st;
        if (!fresh) continue;
        if (logs_everything()) slowlog_polluted = true;
        monitor_polluted("the oracle's CLIENT LIST on its admin connection");
        if (auto id = ServerClientId(admin_fd_, fds[t], *ours); !id.ok()) return id.status();
      }
    }
    // The ids to map: LIST ID's list, or the value of each of KILL's ID
    // filters.
    std::vector<size_t> id_args;
    if (client_list && argv.size() >= 4 && CommandIs(argv[2], "ID")) {
      for (size_t j = 3; j < argv.size(); ++j) id_args.push_back(j);
    }
    if (client_kill && argv.size() != 3) {
      for (size_t j = 2; j + 1 < argv.size(); j += 2) {
        if (CommandIs(argv[j], "ID")) id_args.push_back(j + 1);
      }
    }
    if (!id_args.empty() && logs_everything()) slowlog_polluted = true;  // the admin's CLIENT LIST
    for (size_t j : id_args) {
      if (absl::Status st = map_session_id(j, std::to_string(int64_t{1} << 62)); !st.ok()) {
        return st;
      }
    }
    // Each side's CLIENT LIST cut to the sessions' lines: the engine's by
    // id, the server's by the local port of each session's connection.
    auto sessions_only = [&](Value* mine, Value* theirs) -> absl::Status {
      if (!client_list) return absl::OkStatus();
      std::array<int, harnesses::kMaxSessions> ports{};
      for (int t = 0; t < harnesses::kMaxSessions; ++t) {
        ports[t] = -1;
        if (fds[t] < 0) continue;
        auto port = LocalPort(fds[t]);
        if (!port.ok()) return port.status();
        ports[t] = *port;
      }
      KeepSessionLines(mine, [&](absl::string_view line) {
        int64_t id = 0;
        if (!absl::SimpleAtoi(ClientField(line, "id"), &id)) return -1;
        for (int t = 0; t < harnesses::kMaxSessions; ++t) {
          if (eng.session(t).id == id) return t;
        }
        return -1;
      });
      KeepSessionLines(theirs, [&](absl::string_view line) {
        const absl::string_view addr = ClientField(line, "addr");
        for (int t = 0; t < harnesses::kMaxSessions; ++t) {
          if (ports[t] >= 0 && addr == absl::StrCat("127.0.0.1:", ports[t])) return t;
        }
        return -1;
      });
      return absl::OkStatus();
    };
    // CLIENT UNBLOCK's id mapped the same way, an unknown one to -1.
    if (client_unblock && argv.size() >= 3) {
      int64_t id = 0;
      if (absl::SimpleAtoi(argv[2], &id) && std::to_string(id) == argv[2]) {
        if (eng.monitor_count() != 0) {
          exclude("monitor",
                  "CLIENT UNBLOCK while a session monitors: the server's line would show the "
                  "server's id; not sent");
          if (eng.session(s).in_multi) tainted[s] = true;
          continue;
        }
        if (logs_everything()) slowlog_polluted = true;
        if (absl::Status st = map_session_id(2, "-1"); !st.ok()) return st;
      }
    }
    std::string why_not, category;
    if (CommandIs(argv[0], "CLIENT") && argv.size() >= 2 && CommandIs(argv[1], "ID")) {
      why_not = "client ids are assigned by the server";
      category = "client-id";
    }
    // COMMAND lists the engine's commands only (docs/fidelity.md,
    // "COMMAND"): what names another command, or all of them, differs.
    if (CommandIs(argv[0], "COMMAND") && !CommandInScope(argv)) {
      why_not = "COMMAND lists only the commands the engine implements";
      category = "command-set";
    }
    if (CommandIs(argv[0], "INFO")) {
      why_not = "the server's own process, uptime and statistics";
      category = "server-state";
    }
    // LATENCY HISTOGRAM: the server's histograms also count the oracle's
    // own calls (its resets between programs, active expiry's SELECT and
    // SCAN), and its buckets are the calls' real durations; the counts of
    // corpus/command_handler/latency_histogram.txt were checked by hand
    // (docs/fidelity.md, "The latency monitor and histograms").
    if (CommandIs(argv[0], "LATENCY") && argv.size() >= 2 && CommandIs(argv[1], "HISTOGRAM")) {
      why_not =
          "the server's histograms: its calls, the oracle's included, at their real durations";
      category = "server-state";
    }
    if (!modelled_server_ && CommandIs(argv[0], "SLOWLOG")) {
      why_not =
          "the slow log of a newer server (script calls' address, max-len 0, timeouts logged)";
      category = "slowlog-version";
    }
    if (!modelled_server_ && CommandIs(argv[0], "ACL") && argv.size() >= 2 &&
        CommandIs(argv[1], "LOG")) {
      why_not =
          "the ACL log of a newer server (entry-id and the two timestamps per entry since redis "
          "7.2, more client-info fields)";
      category = "acllog-version";
    }
    if (slowlog_polluted && CommandIs(argv[0], "SLOWLOG")) {
      why_not = "the slow logs hold the oracle's own calls (active expiry, a scan's further pages)";
      category = "slowlog";
    }
    if (CommandIs(argv[0], "OBJECT") && argv.size() >= 2 && CommandIs(argv[1], "FREQ") &&
        eng.lfu_policy()) {
      // Memory accounting (evict.cc): LFU counters rise by random draws.
      why_not = "an LFU counter: each side's random draws and clock";
      category = "lfu-counter";
    }
    if (CommandIs(argv[0], "OBJECT") && argv.size() >= 2 && CommandIs(argv[1], "IDLETIME")) {
      // The server's LRU clock is its cron's (10 Hz), in whole seconds.
      why_not = "idle seconds by the server's own clock";
      category = "clock";
    }
    // Stream replies that carry the server's millisecond clock (idle and
    // delivery times), and claims that depend on it.
    const bool xinfo_times =
        CommandIs(argv[0], "XINFO") && argv.size() >= 3 &&
        (CommandIs(argv[1], "CONSUMERS") ||
         (CommandIs(argv[1], "STREAM") && argv.size() >= 4 && CommandIs(argv[3], "FULL")));
    const bool xpending_times = CommandIs(argv[0], "XPENDING") && argv.size() > 3;
    if (xinfo_times || xpending_times) {
      why_not = "idle and delivery times by the server's own millisecond clock";
      category = "clock";
    }
    if ((CommandIs(argv[0], "XCLAIM") || CommandIs(argv[0], "XAUTOCLAIM")) && argv.size() >= 5 &&
        argv[4] != "0") {
      why_not = "entries claimed by their idle time on the server's own millisecond clock";
      category = "clock";
      claimed_by_idle.push_back(argv[1]);
    }
    if ((CommandIs(argv[0], "EXEC") || CommandIs(argv[0], "DISCARD")) && tainted[s]) {
      why_not = "the transaction held an op that was not sent";
      category = "transaction";
      tainted[s] = false;
    }
    // Keys whose expiry is too close to now to say which side of it the
    // server ran the op on.
    const int db = eng.session(s).db;
    std::vector<std::string> keys;
    // (DEBUG DIGEST, DIGEST-VALUE and POPULATE read the whole db too;
    // RELOAD, and an EXEC that may hold it, every db.)
    const std::string debug_sub = CommandIs(argv[0], "DEBUG") && argv.size() >= 2
                                      ? absl::AsciiStrToLower(std::string(engine::CStr(argv[1])))
                                      : std::string();
    const bool every_db = debug_sub == "reload" || CommandIs(argv[0], "EXEC");
    if (WholeKeyspace(argv[0]) || eng.session(s).in_multi || debug_sub == "digest" ||
        debug_sub == "digest-value" || debug_sub == "populate" || every_db) {
      for (const auto& [k, when] : eng.keyspace().db(db).expires) keys.push_back(k);
    } else {
      for (size_t p : engine::KeyPositions(*spec, argv)) keys.push_back(argv[p]);
    }
    std::vector<std::pair<std::string, int64_t>> expiring;  // (key, engine's expiry)
    for (const std::string& k : keys) {
      if (std::find(diverged.begin(), diverged.end(), k) != diverged.end()) {
        if (why_not.empty()) {
          why_not = "key '" + k + "' was popped at random inside a transaction earlier";
          category = "random-pop";
        }
        continue;
      }
      if (why_not.empty() &&
          std::find(claimed_by_idle.begin(), claimed_by_idle.end(), k) != claimed_by_idle.end()) {
        why_not = "key '" + k + "' had entries claimed by idle time earlier";
        category = "clock";
        continue;
      }
      if (std::find(racy.begin(), racy.end(), k) != racy.end()) {
        if (why_not.empty()) {
          why_not = "key '" + k + "' raced its expiry earlier in the program";
          category = "expiry-race";
        }
        continue;
      }
      const int64_t when = eng.keyspace().GetExpire(db, k);
      if (when >= 0) expiring.emplace_back(k, when);
    }
    // DEBUG RELOAD drops the keys expired in every db.
    if (every_db) {
      for (int d = 0; d < eng.keyspace().num_dbs(); ++d) {
        if (d == db) continue;
        for (const auto& [k, when] : eng.keyspace().db(d).expires) expiring.emplace_back(k, when);
      }
    }
    const int64_t started = eng.now_ms();
    // What a random command may draw from, as the engine holds it before the
    // op (oracle_random.h).
    const bool queued = eng.session(s).in_multi;
    DrawPool pool;
    if (IsRandomCommand(argv[0]) && !queued) pool = PoolOf(eng, db, argv);

    // A RANDOMKEY or a SCAN ran (alone or in EXEC): each deletes the expired
    // keys it meets, which differ on the two sides (its draws; the part of
    // each side's own order a page covers), so the active-expire sweep runs
    // on both sides after it (only when some key had an expiry).
    bool drew_keys = false;
    bool had_expiries = false;  // before the op, a key of some db had an expiry
    for (int d = 0; d < eng.keyspace().num_dbs() && !had_expiries; ++d) {
      had_expiries = !eng.keyspace().db(d).expires.empty();
    }
    // How long the server took over the op (set once its reply is in).
    int64_t reply_took = 0;

    // SPOP: the engine's set becomes what the server's pops left (its reply
    // `theirs`), so the key stays the same on both sides.
    auto align_spop = [&](const Value& theirs) {
      if (theirs.type == Type::kError || theirs.type == Type::kNull) return;
      engine::Object* o = eng.keyspace().Find(db, argv[1]);
      if (o != nullptr && engine::Is<engine::Set>(*o)) {
        engine::Set left;
        for (const std::string& m : pool.names) left.insert(m);
        for (const std::string& m : PoppedMembers(theirs)) left.erase(m);
        if (!left.empty()) engine::As<engine::Set>(*o) = std::move(left);
      }
    };
    // Both replies in comparable form, EXEC's elements per queued command:
    // sorted where Redis promises no order, the server's client ids masked.
    // TIME: its shape, and a time within this op's window (MaskTimeReply).
    const bool in_exec = CommandIs(argv[0], "EXEC");
    int64_t id_base = 0;  // the side's first slow log id of the program
    auto comparable = [&](const std::vector<std::string>& command, Value* v) {
      if (CommandIs(command[0], "SCAN") && had_expiries) drew_keys = true;
      MaskSlowlogReply(command, id_base, v);
      MaskAclLogAge(command, v);
      if (IsRandomCommand(command[0])) {
        // Inside EXEC the state before the command is not known here.
        SummarizeRandomReply(command, in_exec ? nullptr : &pool, v);
        drew_keys = drew_keys || CommandIs(command[0], "RANDOMKEY");
        if (in_exec && CommandIs(command[0], "SPOP") && command.size() > 1 &&
            v->type != Type::kError && v->type != Type::kNull) {
          diverged.push_back(command[1]);
        }
      }
      if (in_exec && IsElementScan(command[0]) && v->type == Type::kArray) {
        *v = Value::Simple("(a scan page: compared outside transactions only)");
      }
      if (CommandIs(command[0], "TIME")) {
        MaskTimeReply(v, started, reply_took, options_.expiry_margin_ms);
      }
      // Memory accounting (memory.cc): a key's bytes are each side's own
      // figure (jemalloc's, the engine's formula); the shape compares.
      if (CommandIs(command[0], "MEMORY") && command.size() >= 2 &&
          CommandIs(command[1], "USAGE") && v->type == Type::kInteger) {
        *v = Value::Simple("(a memory estimate: each side's own figure)");
      }
      if (CommandIs(command[0], "MEMORY") && command.size() == 2 &&
          CommandIs(command[1], "STATS")) {
        MaskMemoryStats(v);
      }
      // A hash the engine holds as a listpack is in insertion order on both
      // sides; a hashtable is in the server's dict order, and inside EXEC
      // the hash may have been another before (HashOrder).
      harnesses::CanonicalizeReply(command, v,
                                   harnesses::OracleHashOrder(eng, db, command, in_exec));
      if (CommandIs(command[0], "HELLO")) MaskHelloId(v);
      // ROLE's offset counts the server's replication bytes since its
      // backlog began, programs before this one included.
      if (CommandIs(command[0], "ROLE") && v->type == Type::kArray && v->elems.size() == 3 &&
          v->elems[1].type == Type::kInteger) {
        v->elems[1].integer = 0;
      }
      // CLIENT ID (inside EXEC: outside it is excluded) is each side's own.
      if (CommandIs(command[0], "CLIENT") && command.size() >= 2 && CommandIs(command[1], "ID") &&
          v->type == Type::kInteger) {
        v->integer = 0;
      }
    };

    // SORT orders that are the server's hash layout or its unstable partial
    // sort (oracle_sort.h): not compared; queued, the EXEC is not compared.
    if (const std::string w = SortNotComparable(eng, db, argv); !w.empty()) {
      if (queued) {
        tainted[s] = true;
      } else if (why_not.empty()) {
        why_not = w;
        category = "sort-order";
      }
    }

    const resp::Protocol before = eng.session(s).protocol;
    // The server's bytes of an EXEC that queued a HELLO mix RESP2 and RESP3:
    // read as RESP3.
    const bool switches_inside = harnesses::ExecSwitchesProtocol(eng, s, argv);
    // XADD's clock IDs: the server runs the op first, and an entry ID up to
    // a second ahead of the engine's clock (the server's millisecond ticked
    // between the two) moves the engine's clock there, so both take their
    // ID from the same millisecond. An explicit or past ID moves nothing.
    std::optional<absl::StatusOr<Value>> early;
    const bool silenced = eng.session(s).reply_off || eng.session(s).reply_skip_next;
    if (CommandIs(argv[0], "XADD") && !queued && !subscription && !eng.session(s).in_pubsub() &&
        pending[s].empty() && why_not.empty() && !silenced) {
      if (absl::Status st = open_session(s); !st.ok()) return st;
      const bool resp2 = before == resp::Protocol::kResp2;
      early = Roundtrip(fds[s], argv, resp2 ? *hiredis : *ours,
                        resp2 ? resp::Protocol::kResp2 : resp::Protocol::kResp3);
      if (early->ok() && (*early)->type == Type::kBulkString) {
        const std::string& id = (*early)->str;
        const size_t dash = id.find('-');
        int64_t ms = 0;
        if (dash != std::string::npos && absl::SimpleAtoi(id.substr(0, dash), &ms) &&
            ms > eng.now_ms() && ms - eng.now_ms() <= 1000) {
          eng.AdvanceClock(ms - eng.now_ms());
        }
      }
    }
    std::string bytes;
    const uint64_t maxmemory_before = eng.maxmemory();
    eng.Execute(s, argv, &bytes);
    ran = true;
    if (eng.session(s).postponed) postponed_cmd[s] = argv;
    rerun_postponed();  // after CLIENT UNPAUSE, or UNBLOCK of a postponed session
    const resp::Protocol after = eng.session(s).protocol;
    // An EXEC that set maxmemory: the commands queued after its CONFIG SET
    // ran under each side's own memory figure (evictions, OOM refusals).
    if (maxmemory_before == 0 && eng.maxmemory() != 0 && CommandIs(argv[0], "EXEC") &&
        why_not.empty()) {
      why_not =
          "an EXEC that set maxmemory: the commands after it ran under each side's own memory "
          "figure";
      category = "maxmemory";
    }
    if (eng.session(s).blocked() && bytes.empty()) {
      // The server blocks it too: its reply is read when the engine serves it.
      if (absl::Status st = open_session(s); !st.ok()) return st;
      if (absl::Status st = SendAll(fds[s], resp::EncodeCommand(argv)); !st.ok()) return st;
      // A server that replied at once did not block: a divergence, unless
      // the engine's own clock has timed the session out by now too (then
      // the two replies compare at the next op).
      pollfd pfd{fds[s], POLLIN, 0};
      if (::poll(&pfd, 1, kBlockedReplyWaitMs) > 0) {
        const int64_t now = RealNowMs();
        if (now > eng.now_ms()) eng.AdvanceClock(now - eng.now_ms());
        if (eng.session(s).blocked()) {
          auto theirs = ReadReply(fds[s], *ours, resp::Protocol::kResp3);
          if (!theirs.ok()) return theirs.status();
          ++report->compared;
          report->divergences.push_back(
              {name, i, text, "(blocks)", resp::ToDebugString(*theirs, 2000)});
          return absl::OkStatus();  // the connections no longer line up
        }
      }
      continue;
    }
    // Pub/sub: the sender's output holds frames besides (or instead of) its
    // reply, or the session is subscribed (a frame may come unasked).
    std::vector<Value> mine_frames = EngineFrames(bytes);
    // (A monitor's reply is followed by its own line; MONITOR again has no
    // reply at all.)
    bool several = subscription || eng.session(s).in_pubsub() || !pending[s].empty() ||
                   mine_frames.size() > 1 || (bytes.empty() && eng.session(s).monitor);
    for (const Value& v : mine_frames) several = several || harnesses::IsPubSubFrame(v);
    several = several && !early.has_value();  // an early XADD is a session with no frames
    // A scan among several frames: its further pages, which the
    // single-reply path drives to the end, would interleave with the frames.
    if (several && why_not.empty() && (IsElementScan(argv[0]) || CommandIs(argv[0], "SCAN"))) {
      why_not =
          "a scan page among several frames (a subscribed or monitoring session): scans are "
          "compared in the single-reply path only";
      category = "several-frames";
    }
    if (several) {
      if (absl::Status st = open_session(s); !st.ok()) return st;
      if (absl::Status st = SendAll(fds[s], resp::EncodeCommand(wire)); !st.ok()) return st;
      std::vector<Value> theirs;
      if (!read_frames(s, mine_frames.size(), &theirs, i, text, mine_frames)) {
        return absl::OkStatus();
      }
      // A frame beyond the engine's (an event the engine did not publish).
      std::string more;
      if (ReadSome(fds[s], 20, &more).ok()) pending[s] += more;
      if (!pending[s].empty()) {
        auto extra = ReadFrame(fds[s], &pending[s], options_.io_timeout_ms);
        if (!extra.ok()) return extra.status();
        theirs.push_back(std::move(*extra));
      }
      // The command's own reply (no push, no pub/sub message, no monitor
      // line) is made comparable as in the single-reply path: a draw by what
      // does not depend on it, TIME by its window, memory figures masked.
      reply_took = std::max<int64_t>(RealNowMs() - started, 0);
      std::optional<Value> their_reply;  // the server's, before it is masked
      for (std::vector<Value>* side : {&mine_frames, &theirs}) {
        id_base = side == &theirs ? slowlog_base : 0;
        for (Value& v : *side) {
          if (v.type == Type::kPush || MaskMonitorLine(&v) || harnesses::IsPubSubFrame(v)) {
            continue;
          }
          if (side == &theirs && !their_reply.has_value()) their_reply = v;
          transactions.ForEachAnswer(s, argv, &v, comparable);
        }
        OrderUnsubscribeAll(argv, side);
        SortInvalidationRuns(side);
      }
      if (client_list) {
        // (A RESP3 subscriber's CLIENT LIST: its reply is the one frame that
        // is no push.)
        Value* m = nullptr;
        Value* t = nullptr;
        for (Value& v : mine_frames) m = v.type == Type::kPush || m != nullptr ? m : &v;
        for (Value& v : theirs) t = v.type == Type::kPush || t != nullptr ? t : &v;
        if (m != nullptr && t != nullptr) {
          if (absl::Status st = sessions_only(m, t); !st.ok()) return st;
        }
      }
      for (const Value& v : theirs) {
        if (v.type != Type::kPush && !harnesses::IsPubSubFrame(v)) transactions.Observe(s, argv, v);
      }
      // As in the single-reply path: an SPOP leaves each side its own set,
      // a RANDOMKEY expired the keys of its own draws.
      if (CommandIs(argv[0], "SPOP") && !queued && argv.size() > 1 && their_reply.has_value()) {
        align_spop(*their_reply);
      }
      if (drew_keys) {
        if (absl::Status st = active_expire(); !st.ok()) return st;
      }
      if (!why_not.empty()) {
        exclude(category, why_not);
        continue;
      }
      ++report->compared;
      if (harnesses::SameFrames(mine_frames, theirs)) {
        ++report->agreed;
      } else {
        report->divergences.push_back({name, i, text, show(mine_frames), show(theirs)});
      }
      continue;
    }
    // No reply at all (CLIENT REPLY OFF, or SKIP and the command after it):
    // nothing may come from the server either, in the time a blocked
    // command is given to answer.
    if (bytes.empty() && !early.has_value()) {
      if (absl::Status st = open_session(s); !st.ok()) return st;
      if (absl::Status st = SendAll(fds[s], resp::EncodeCommand(wire)); !st.ok()) return st;
      std::string got;
      if (absl::Status st = ReadSome(fds[s], kBlockedReplyWaitMs, &got); !st.ok()) return st;
      // A transaction begun, queued into or ended without replies: the
      // tracker did not see its queue.
      if (eng.session(s).in_multi || CommandIs(argv[0], "EXEC")) tainted[s] = true;
      if (!why_not.empty() && got.empty()) {
        exclude(category, why_not);
        continue;
      }
      ++report->compared;
      if (got.empty()) {
        ++report->agreed;
        continue;
      }
      report->divergences.push_back(
          {name, i, text, "(no reply)", harnesses::EscapeBytes(got, 2000)});
      return absl::OkStatus();  // the connections no longer line up
    }
    // A script's big_number table with bytes no number has is written as it
    // is, by redis-server 7.0.15 and the engine (invalid RESP3 on both
    // sides): such a reply compares as the bytes the server sends.
    if (!early.has_value() && IsUnreadableBigNumber(bytes)) {
      if (absl::Status st = open_session(s); !st.ok()) return st;
      if (absl::Status st = SendAll(fds[s], resp::EncodeCommand(wire)); !st.ok()) return st;
      std::string raw;
      // Until as many bytes as the engine's came, or nothing more in time.
      while (raw.size() < bytes.size()) {
        const size_t had = raw.size();
        if (absl::Status st = ReadSome(fds[s], options_.io_timeout_ms, &raw); !st.ok()) return st;
        if (raw.size() == had) break;
      }
      // An EXEC's queue is done with (the reply is no value to observe).
      transactions.Observe(s, argv, Value{});
      if (!why_not.empty()) {
        exclude(category, why_not);
        continue;
      }
      ++report->compared;
      if (raw == bytes) {
        ++report->agreed;
      } else {
        report->divergences.push_back({name, i, text, harnesses::EscapeBytes(bytes, 2000),
                                       harnesses::EscapeBytes(raw, 2000)});
      }
      continue;
    }
    auto mine = [&]() -> absl::StatusOr<Value> {
      auto p = harnesses::MakeReplyParser();
      p->Start(resp::Protocol::kResp3, resp::ReaderLimits{});
      std::vector<Value> v;
      if (!p->Feed(bytes, &v) || v.size() != 1) {
        return absl::DataLossError("the engine's reply does not read as one value: " +
                                   harnesses::EscapeBytes(bytes, 200));
      }
      return std::move(v[0]);
    }();
    if (!mine.ok()) return mine.status();

    if (absl::Status st = open_session(s); !st.ok()) return st;
    const bool via_hiredis =
        before == resp::Protocol::kResp2 && after == resp::Protocol::kResp2 && !switches_inside;
    auto theirs = early.has_value()
                      ? std::move(*early)
                      : Roundtrip(fds[s], wire, via_hiredis ? *hiredis : *ours,
                                  via_hiredis ? resp::Protocol::kResp2 : resp::Protocol::kResp3);
    if (absl::IsDeadlineExceeded(theirs.status())) {
      // The engine replied, the server did not (it blocked or postponed
      // the command): a divergence, after which the connections no longer
      // line up.
      ++report->compared;
      report->divergences.push_back(
          {name, i, text, resp::ToDebugString(*mine, 2000),
           absl::StrCat("(no reply in ", options_.io_timeout_ms, " ms)")});
      return absl::OkStatus();
    }
    if (!theirs.ok())
      return absl::UnavailableError(name + " op " + std::to_string(i) + " (" + text +
                                    "): " + std::string(theirs.status().message()));
    // A SORT failed by the server's stale errno (oracle_sort.h): a new
    // connection resets it, and the SORT is sent again.
    if (!queued && IsStaleErrnoSortError(argv, *mine, *theirs)) {
      if (logs_everything()) slowlog_polluted = true;
      monitor_polluted("the oracle's PING for a stale-errno SORT");
      auto poke = ConnectTcp(options_.host, options_.port, options_.io_timeout_ms);
      if (!poke.ok()) return poke.status();
      auto pong = Roundtrip(*poke, {"PING"}, *ours, resp::Protocol::kResp3);
      ::close(*poke);
      if (!pong.ok()) return pong.status();
      theirs = Roundtrip(fds[s], argv, via_hiredis ? *hiredis : *ours,
                         via_hiredis ? resp::Protocol::kResp2 : resp::Protocol::kResp3);
      if (!theirs.ok()) return theirs.status();
    }
    // The server ran the op at a time in [started, started + took]. A key
    // the engine sees expiring at `when` (the server up to its slack later)
    // may be expired on one side only when started - when lies in
    // (-took, slack]; the margin on both ends absorbs the millisecond
    // clocks. Measured, not assumed: a loaded machine makes ops slow.
    const int64_t took = std::max<int64_t>(RealNowMs() - started, 0);
    reply_took = took;
    auto late_of = [&](int64_t when) {
      auto it = slack.find(when);
      return it == slack.end() ? max_took : it->second;
    };
    for (const auto& [k, when] : expiring) {
      const int64_t late = late_of(when);
      const int64_t x = started - when;
      if (x > -(took + options_.expiry_margin_ms) && x <= late + options_.expiry_margin_ms) {
        if (why_not.empty()) {
          why_not =
              absl::StrCat("key '", k, "' expires ", when - started,
                           " ms from this op, which took ", took, " ms (its expiry stored up to ",
                           late, " ms later on the server): either side of it may have run it");
          category = "expiry-race";
        }
        racy.push_back(k);
        race_while_tracking();
      }
    }
    max_took = std::max(max_took, took);
    for (int d = 0; d < eng.keyspace().num_dbs(); ++d) {
      for (const auto& [key, when] : eng.keyspace().db(d).expires) slack.try_emplace(when, took);
    }
    Value got = std::move(*mine);
    Value want = std::move(*theirs);
    if (absl::Status st = sessions_only(&got, &want); !st.ok()) return st;
    if (CommandIs(argv[0], "SPOP") && !queued) align_spop(want);
    // SSCAN / HSCAN / ZSCAN from cursor 0: the iteration is driven to its end
    // on both sides (the same options), and the unions compared.
    bool scan_split = false;
    // A compact collection (a listpack hash or sorted set, an intset set)
    // comes back whole in one call on the server, in an order both sides
    // share: its first page is compared as it is, not as a union.
    bool compact = false;
    if (IsElementScan(argv[0]) && !queued && argv.size() >= 3) {
      const engine::Object* o = eng.keyspace().Find(db, argv[1]);
      compact = o != nullptr &&
                ((engine::Is<engine::Hash>(*o) && !o->hashtable()) ||
                 (engine::Is<engine::Set>(*o) && !o->hashtable()) ||
                 (engine::Is<engine::ZSet>(*o) && engine::As<engine::ZSet>(*o).listpack()));
    }
    if (IsElementScan(argv[0]) && !queued && argv.size() >= 3 && !compact) {
      std::string got_cursor, want_cursor;
      std::vector<Value> got_elems, want_elems;
      if (AppendScanPage(got, &got_cursor, &got_elems) &&
          AppendScanPage(want, &want_cursor, &want_elems)) {
        if (std::strtoull(argv[2].c_str(), nullptr, 10) != 0) {
          exclude("scan-cursor", "a cursor other than 0 names a different place on each side");
          continue;
        }
        // Each side's further pages are its own count of calls, and show
        // in a monitor's lines as the oracle sends them.
        if ((got_cursor != "0" || want_cursor != "0") && logs_everything()) {
          slowlog_polluted = true;
        }
        if (got_cursor != "0" || want_cursor != "0") monitor_polluted("a scan's further pages");
        std::vector<std::string> next = argv;
        constexpr int kMaxPages = 100000;
        int pages = 0;
        while (got_cursor != "0" && pages++ < kMaxPages) {
          next[2] = got_cursor;
          std::string more;
          eng.Execute(s, next, &more);
          auto p = harnesses::MakeReplyParser();
          p->Start(resp::Protocol::kResp3, resp::ReaderLimits{});
          std::vector<Value> v;
          if (!p->Feed(more, &v) || v.size() != 1 ||
              !AppendScanPage(v[0], &got_cursor, &got_elems)) {
            scan_split = true;
            break;
          }
        }
        while (want_cursor != "0" && pages++ < 2 * kMaxPages) {
          next[2] = want_cursor;
          auto r = Roundtrip(fds[s], next, via_hiredis ? *hiredis : *ours,
                             via_hiredis ? resp::Protocol::kResp2 : resp::Protocol::kResp3);
          if (!r.ok()) return r.status();
          if (!AppendScanPage(*r, &want_cursor, &want_elems)) {
            scan_split = true;
            break;
          }
        }
        if (got_cursor != "0" || want_cursor != "0") scan_split = true;
        got = ScanUnion(argv[0], std::move(got_elems));
        want = ScanUnion(argv[0], std::move(want_elems));
      }
    }
    for (Value* v : {&got, &want}) {
      id_base = v == &want ? slowlog_base : 0;
      transactions.ForEachAnswer(s, argv, v, comparable);
    }
    transactions.Observe(s, argv, want);
    if (drew_keys) {
      if (absl::Status st = active_expire(); !st.ok()) return st;
    }
    if (why_not.empty() && scan_split) {
      why_not = "the iteration did not end (a malformed page or more than 100,000 pages)";
      category = "scan-split";
    }
    if (!why_not.empty()) {
      exclude(category, why_not);
      continue;
    }
    // SCAN cursors are positions in each side's own order (the server's
    // hash table, the engine's documented hash): replies compare only when
    // both walked from the start to the end in one call.
    if (CommandIs(argv[0], "SCAN") && want.type == Type::kArray && want.elems.size() == 2 &&
        got.type == Type::kArray && got.elems.size() == 2) {
      const bool from_start = std::strtoull(argv[1].c_str(), nullptr, 10) == 0;
      if (!from_start) {
        exclude("scan-cursor", "a cursor other than 0 names a different place on each side");
        continue;
      }
      if (want.elems[0].str != "0" || got.elems[0].str != "0") {
        exclude("scan-split", "the scan was split (next cursor " + want.elems[0].str +
                                  " on the server, " + got.elems[0].str +
                                  " in the engine); each side splits by its own order");
        continue;
      }
    }
    if (via_hiredis) {
      harnesses::NormalizeNullsForHiredis(&got);
      harnesses::NormalizeNullsForHiredis(&want);
    }
    bool agree = got == want;
    // TTLs count down in real time: the server read its clock up to `took`
    // ms after the engine, and stored the expiry up to its slack later.
    if (!agree && got.type == Type::kInteger && want.type == Type::kInteger && got.integer >= 0 &&
        want.integer >= 0) {
      const int64_t window = took + max_took + options_.expiry_margin_ms;
      if (CommandIs(argv[0], "PTTL")) agree = std::llabs(got.integer - want.integer) <= window;
      if (CommandIs(argv[0], "TTL")) {
        agree = std::llabs(got.integer - want.integer) <= 1 + window / 1000;
      }
    }
    // GT and LT compare the new expiry with the key's current one, and each
    // side computes both at its own time: the server set the current one up
    // to its slack after the engine, and computes a relative new one up to
    // `took` after it, so its difference lies in [d - slack, d + took] where
    // the engine's is d. When d is in (-took, slack], widened by the margin,
    // the two may decide differently (the same EXPIRE twice in one millisecond is a
    // tie for the engine, not for a server that ran them a millisecond
    // apart). Such an op is excluded when the replies differ, and the key,
    // whose expiry may now differ on the two sides, for the rest of the
    // program.
    if (!agree && got.type == Type::kInteger && want.type == Type::kInteger) {
      const std::optional<ComparedExpiry> next = ExpiryCompared(argv, started);
      for (const auto& [k, when] : expiring) {
        if (!next || k != argv[1]) continue;
        const int64_t late = late_of(when);
        const int64_t run_late = next->relative ? took : 0;
        const int64_t d = next->at_ms - when;
        if (d > -(run_late + options_.expiry_margin_ms) && d <= late + options_.expiry_margin_ms) {
          why_not = absl::StrCat("the new expiry of key '", k, "' lies ", d,
                                 " ms from its current one, within how much later the server "
                                 "may have computed them (this op took ",
                                 took, " ms, the current expiry was stored up to ", late,
                                 " ms later): GT/LT may decide either way");
          racy.push_back(k);
          race_while_tracking();
        }
      }
      if (!why_not.empty()) {
        exclude("expiry-race", why_not);
        continue;
      }
    }
    ++report->compared;
    if (agree) {
      ++report->agreed;
    } else {
      report->divergences.push_back(
          {name, i, text, resp::ToDebugString(got, 2000), resp::ToDebugString(want, 2000)});
    }
  }
  // Whatever the last op gave blocked sessions (a timeout waited out by a
  // final clock step included; an ALL pause waited out, as the digest's
  // DEBUG would wait on it).
  settle_pause(true);
  catch_up();
  if (absl::Status st = delivered(program.ops.empty() ? 0 : program.ops.size() - 1,
                                  prev_text + " (end of program)");
      !st.ok()) {
    return st;
  }
  if (!lined_up) return absl::OkStatus();
  // Both whole datasets after the last op: DEBUG DIGEST on the server (the
  // admin connection) and the engine's digest of its own keyspace, while
  // nothing in the program says they may differ (as for a DEBUG DIGEST op).
  // (Decided before either comparison: a dataset divergence does not stop
  // the streams' comparison.)
  const bool alike = datasets_alike();
  if (!program.ops.empty() && alike) {
    auto theirs = Roundtrip(admin_fd_, {"DEBUG", "DIGEST"}, *ours, resp::Protocol::kResp3);
    if (!theirs.ok()) return theirs.status();
    const Value mine = Value::Simple(engine::DatasetDigestHex(eng.keyspace()));
    ++report->datasets_compared;
    if (*theirs == mine) {
      ++report->datasets_agreed;
    } else {
      report->divergences.push_back({name, program.ops.size(),
                                     "end: DEBUG DIGEST (both datasets after the last op)",
                                     resp::ToDebugString(mine), resp::ToDebugString(*theirs)});
    }
  }
  // Both replication streams after the last op, while nothing in the
  // program says the datasets may differ: the server's read until it is
  // quiet (its replicationCron's keepalive `ping`s left out: the engine
  // runs no cron here), the engine's replica's output; unix times may
  // differ by how much later the server computed them.
  if (replica >= 0 && !program.ops.empty() && alike && !stream_spoiled && eng.maxmemory() == 0) {
    std::string bytes = their_stream;
    for (;;) {
      const size_t had = bytes.size();
      if (!ReadSome(replica_fd, 100, &bytes).ok() || bytes.size() == had) break;
    }
    std::vector<Value> theirs;
    for (Value& v : EngineFrames(bytes)) {
      if (v.type == Type::kArray && v.elems.size() == 1 && v.elems[0].str == "ping") continue;
      theirs.push_back(std::move(v));
    }
    const std::string own = eng.TakeOutput(replica);
    std::vector<Value> mine = EngineFrames(own);
    ++report->streams_compared;
    if (SameStream(mine, theirs, eng.now_ms(), max_took + options_.expiry_margin_ms)) {
      ++report->streams_agreed;
    } else {
      auto show_stream = [](const std::vector<Value>& cmds) {
        std::string out;
        for (const Value& v : cmds) {
          out += "[";
          for (size_t j = 0; j < v.elems.size(); ++j) {
            if (j > 0) out += " ";
            out += harnesses::EscapeBytes(v.elems[j].str, 200);
          }
          out += "] ";
        }
        return out.substr(0, 4000);
      };
      report->divergences.push_back({name, program.ops.size(),
                                     "end: the replication stream (a SYNC replica on each side)",
                                     show_stream(mine), show_stream(theirs)});
    }
  }
  // Frames the server sent that the engine did not (an event it missed).
  for (int t = 0; t < harnesses::kMaxSessions; ++t) {
    if (fds[t] < 0 || !rest_excluded.empty()) continue;
    // A connection the server closed (QUIT) has nothing more to say.
    if (!ReadSome(fds[t], pending[t].empty() ? 20 : 0, &pending[t]).ok()) continue;
    if (pending[t].empty()) continue;
    ++report->compared;
    report->divergences.push_back({name, program.ops.size(),
                                   absl::StrCat("(end of program) (s", t + 1, " received)"),
                                   "(nothing)", harnesses::EscapeBytes(pending[t], 2000)});
  }
  return absl::OkStatus();
}

}  // namespace respfuzz::oracle
