#include "tools/cluster/local_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/cluster/view.h"

namespace respfuzz::cluster_chaos {

namespace {

using Clock = std::chrono::steady_clock;

// What the fatal-signal handler needs, in plain storage it may read.
volatile pid_t g_pids[kMaxNodes];
char g_dir[PATH_MAX];

void KillAllAndRemove() {
  for (int i = 0; i < kMaxNodes; ++i) {
    const pid_t p = g_pids[i];
    if (p > 0) {
      kill(-p, SIGCONT);
      kill(-p, SIGKILL);
      kill(p, SIGKILL);
    }
  }
  if (g_dir[0] != '\0') {
    const pid_t rm = fork();
    if (rm == 0) {
      char* const argv[] = {const_cast<char*>("rm"), const_cast<char*>("-rf"), g_dir, nullptr};
      execv("/bin/rm", argv);
      _exit(127);
    }
    if (rm > 0) waitpid(rm, nullptr, 0);
  }
}

// The last line of `text` that holds more than blanks and '*', trimmed
// (a server's refusal ends "*** FATAL CONFIG FILE ERROR ***" after its
// reason), at most 300 bytes.
std::string LastLine(const std::string& text) {
  std::string last;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.find_first_not_of("* ") != absl::string_view::npos) last = std::string(line);
  }
  return last.substr(0, 300);
}

void OnFatalSignal(int sig) {
  KillAllAndRemove();
  signal(sig, SIG_DFL);
  raise(sig);
}

void Register(int slot, pid_t pid) {
  if (slot >= 0 && slot < kMaxNodes) g_pids[slot] = pid;
}

resp::Value FromHiredis(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
      return resp::Value::Bulk(std::string(r->str, r->len));
    case REDIS_REPLY_STATUS:
      return resp::Value::Simple(std::string(r->str, r->len));
    case REDIS_REPLY_ERROR:
      return resp::Value::Error(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return resp::Value::Integer(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<resp::Value> elems;
      for (size_t i = 0; i < r->elements; ++i) elems.push_back(FromHiredis(r->element[i]));
      return resp::Value::Aggregate(resp::Type::kArray, std::move(elems));
    }
    default:
      return resp::Value::Null(resp::Type::kNullBulk);
  }
}

// A run killed with SIGKILL cannot remove its directory (its nodes die with
// it: PR_SET_PDEATHSIG). The directory's name holds the run's pid; the next
// run removes those whose process is gone.
void RemoveOrphanDirs(const std::string& root) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    constexpr std::string_view kPrefix = "respfuzz-cluster-";
    if (!name.starts_with(kPrefix)) continue;
    const size_t dash = name.find('-', kPrefix.size());
    int pid = 0;
    if (dash == std::string::npos ||
        !absl::SimpleAtoi(name.substr(kPrefix.size(), dash - kPrefix.size()), &pid) || pid <= 0) {
      continue;
    }
    if (kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove_all(e.path(), ec);
  }
}

}  // namespace

bool SleepFor(double seconds, const std::atomic<bool>* stop) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    if (stop != nullptr && stop->load()) return false;
    const auto left = end - Clock::now();
    std::this_thread::sleep_for(std::min<Clock::duration>(
        std::chrono::duration_cast<Clock::duration>(left), std::chrono::milliseconds(50)));
  }
  return stop == nullptr || !stop->load();
}

absl::StatusOr<Conn> Conn::Open(int port, int timeout_ms) {
  timeval tv{kConnectTimeoutMs / 1000, (kConnectTimeoutMs % 1000) * 1000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr) return absl::UnavailableError("out of memory");
  if (c->err) {
    std::string e = c->errstr;
    redisFree(c);
    return absl::UnavailableError(absl::StrCat("127.0.0.1:", port, ": ", e));
  }
  timeval rt{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  redisSetTimeout(c, rt);
  Conn conn;
  conn.ctx_ = c;
  conn.port_ = port;
  return conn;
}

Conn::Conn(Conn&& o) noexcept : ctx_(o.ctx_), port_(o.port_) { o.ctx_ = nullptr; }
Conn& Conn::operator=(Conn&& o) noexcept {
  if (this != &o) {
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = o.ctx_;
    port_ = o.port_;
    o.ctx_ = nullptr;
  }
  return *this;
}
Conn::~Conn() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

absl::StatusOr<resp::Value> Conn::Call(const std::vector<std::string>& argv) {
  if (ctx_ == nullptr || ctx_->err) return absl::UnavailableError("connection lost");
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const std::string& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  void* raw = redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  if (raw == nullptr) {
    return absl::UnavailableError(absl::StrCat("127.0.0.1:", port_, ": ", ctx_->errstr));
  }
  auto* reply = static_cast<redisReply*>(raw);
  resp::Value v = FromHiredis(reply);
  freeReplyObject(reply);
  return v;
}

absl::StatusOr<resp::Value> Call(int port, const std::vector<std::string>& argv, int timeout_ms) {
  absl::StatusOr<Conn> c = Conn::Open(port, timeout_ms);
  if (!c.ok()) return c.status();
  return c->Call(argv);
}

absl::StatusOr<std::string> CallText(int port, const std::vector<std::string>& argv) {
  absl::StatusOr<resp::Value> v = Call(port, argv);
  if (!v.ok()) return v.status();
  if (v->type == resp::Type::kError) return absl::FailedPreconditionError(v->str);
  if (v->type != resp::Type::kBulkString && v->type != resp::Type::kSimpleString) {
    return absl::FailedPreconditionError("unexpected reply type");
  }
  return v->str;
}

bool PortFree(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

namespace {

// Blocks of free ports one Create tries when a port is taken meanwhile.
constexpr int kBlockAttempts = 3;
// Marks the status of a node that exited at start because its port (or bus
// port) was in use.
constexpr char kPortTakenPayload[] = "respfuzz.cluster/port-taken";

bool BlockFree(int base, int n) {
  for (int i = 0; i < n; ++i) {
    if (!PortFree(base + i) || !PortFree(base + i + 10000)) return false;
  }
  return true;
}

int FindFreeBlock(int n, const std::set<int>& tried) {
  // Outgoing connections take their local ports from this range; a node port
  // there can be taken by any connection made meanwhile.
  int lo = 32768, hi = 60999;
  if (std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range"); in) {
    int a = 0, b = 0;
    if (in >> a >> b && a <= b) lo = a, hi = b;
  }
  auto outside = [&](int first, int last) { return last < lo || first > hi; };
  auto clear = [&](int base) {
    return outside(base, base + n - 1) && outside(base + 10000, base + 10000 + n - 1);
  };
  const int start = static_cast<int>((getpid() * 97L) % 9000);
  for (int pass = 0; pass < 2; ++pass) {  // first only blocks clear of the range
    for (int k = 0; k < 300; ++k) {
      const int base = 20000 + (start + k * 37) % 9000;
      if (tried.count(base) || (pass == 0 && !clear(base))) continue;
      if (BlockFree(base, n)) return base;
    }
  }
  return 0;
}

}  // namespace

std::string InfoField(const std::string& info, std::string_view key) {
  for (absl::string_view line : absl::StrSplit(info, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > key.size() &&
        line.substr(0, key.size()) == absl::string_view(key.data(), key.size()) &&
        line[key.size()] == ':') {
      return std::string(line.substr(key.size() + 1));
    }
  }
  return "";
}

std::string Node::name() const {
  return replica < 0 ? absl::StrCat("shard-", shard, "-primary")
                     : absl::StrCat("shard-", shard, "-replica-", replica);
}

void InstallCleanupHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnFatalSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE}) {
    sigaction(sig, &sa, nullptr);
  }
}

void LocalCluster::Progress(const std::string& s) const {
  if (options_.progress) options_.progress(s);
}

bool LocalCluster::Stopping() const { return options_.stop != nullptr && options_.stop->load(); }

absl::StatusOr<std::unique_ptr<LocalCluster>> LocalCluster::Create(const ClusterOptions& given) {
  ClusterOptions o = given;
  if (o.server.server.empty()) {
    absl::StatusOr<targets::ServerProgram> p = targets::ResolveServer("", "");
    if (!p.ok()) return p.status();
    o.server = *std::move(p);
  }
  const int n = o.shards * (1 + o.replicas);
  if (n <= 0 || n > kMaxNodes) {
    return absl::InvalidArgumentError(absl::StrCat(n, " nodes; at most ", kMaxNodes));
  }
  if (o.base_port != 0) {
    if (o.base_port < 1024 || o.base_port + n - 1 + 10000 > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("base port ", o.base_port, " out of range"));
    }
    if (!BlockFree(o.base_port, n)) {
      return absl::UnavailableError(absl::StrCat("ports ", o.base_port, "..", o.base_port + n - 1,
                                                 " or their bus ports (+10000) are in use"));
    }
    return CreateOn(o, o.base_port);
  }
  // A free block. Another process can still bind one of its ports between
  // the check and the node's own bind (a test starting its own servers, an
  // outgoing connection given that port); the node then exits at start with
  // the address in use, and the whole cluster starts again on another block.
  std::set<int> tried;
  absl::Status last;
  for (int attempt = 0; attempt < kBlockAttempts; ++attempt) {
    const int base = FindFreeBlock(n, tried);
    if (base == 0) return absl::UnavailableError("no free block of loopback ports");
    tried.insert(base);
    absl::StatusOr<std::unique_ptr<LocalCluster>> made = CreateOn(o, base);
    if (made.ok() || !made.status().GetPayload(kPortTakenPayload).has_value()) return made;
    last = made.status();
    if (o.progress) o.progress(absl::StrCat(last.message(), "; trying another block of ports"));
  }
  return last;
}

absl::StatusOr<std::unique_ptr<LocalCluster>> LocalCluster::CreateOn(const ClusterOptions& o,
                                                                     int base_port) {
  const int n = o.shards * (1 + o.replicas);
  std::unique_ptr<LocalCluster> c(new LocalCluster());
  c->options_ = o;
  c->base_port_ = base_port;
  const char* tmp = std::getenv("TMPDIR");
  const std::string tmp_root = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  RemoveOrphanDirs(tmp_root);
  std::string tmpl = absl::StrCat(tmp_root, "/respfuzz-cluster-", getpid(), "-XXXXXX");
  if (tmpl.size() >= PATH_MAX || mkdtemp(tmpl.data()) == nullptr) {
    return absl::UnavailableError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  c->dir_ = tmpl;
  std::memcpy(g_dir, c->dir_.c_str(), c->dir_.size() + 1);
  for (int i = 0; i < n; ++i) {
    Node node;
    node.index = i;
    node.shard = i / (1 + o.replicas);
    node.replica = i % (1 + o.replicas) - 1;
    node.port = c->base_port_ + i;
    node.dir = absl::StrCat(c->dir_, "/node-", i);
    std::filesystem::create_directories(node.dir);
    c->nodes_.push_back(node);
  }
  if (o.before_start) o.before_start(c->base_port_);
  c->Progress(absl::StrCat("starting ", n, " nodes on 127.0.0.1:", c->base_port_, "..",
                           c->base_port_ + n - 1, " in ", c->dir_));
  for (int i = 0; i < n; ++i) {
    if (absl::Status s = c->Spawn(i); !s.ok()) return s;
  }
  if (absl::Status s = c->Form(o.ready_timeout); !s.ok()) return s;
  return c;
}

LocalCluster::~LocalCluster() { Destroy(); }

void LocalCluster::Destroy() {
  if (destroyed_) return;
  destroyed_ = true;
  for (Node& n : nodes_) {
    if (n.pid > 0) {
      kill(-n.pid, SIGCONT);
      kill(-n.pid, SIGKILL);
      kill(n.pid, SIGKILL);
      waitpid(n.pid, nullptr, 0);
      Register(n.index, 0);
      n.pid = -1;
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    g_dir[0] = '\0';
  }
}

absl::Status LocalCluster::Spawn(int i) {
  Node& n = nodes_[i];
  const std::string& program = options_.server.server;
  const std::vector<std::string> args = {
      program, "--port", std::to_string(n.port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
      "--cluster-config-file", "nodes.conf", "--cluster-node-timeout",
      std::to_string(options_.node_timeout_ms), "--dir", n.dir, "--logfile", "redis.log", "--save",
      "",
      // Every acknowledged write survives a kill and restart of its node.
      "--appendonly", "yes", "--appendfsync", "always", "--repl-diskless-sync-delay", "0",
      // A node that fails an assertion or crashes still logs its report and
      // exits by its signal, but skips the RAM test at the report's end: it
      // takes most of the report's time and, as the process's mappings change
      // under it, sometimes crashes itself (SIGSEGV in place of SIGABRT; seen
      // once in 30 DEBUG ASSERTs beside two yes loops).
      "--crash-memcheck-enabled", "no", "--daemonize", "no"};
  // What the server prints before its log file is open (a refused option).
  const std::string output = n.dir + "/output.log";
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return absl::UnavailableError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    const int out = open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  setpgid(pid, pid);
  n.pid = pid;
  n.stopped = false;
  Register(i, pid);
  for (int attempt = 0; attempt < 100; ++attempt) {
    // Answered by this node, not by another process that has the port.
    absl::StatusOr<std::string> info = CallText(n.port, {"INFO", "server"});
    if (info.ok() && InfoField(*info, "process_id") == std::to_string(pid)) {
      absl::Status version = targets::CheckInfo(options_.server, *info);
      if (!version.ok()) {
        kill(-pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        n.pid = -1;
        Register(i, 0);
      }
      return version;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      n.pid = -1;
      Register(i, 0);
      std::ifstream log(n.dir + "/redis.log");
      const std::string text((std::istreambuf_iterator<char>(log)), {});
      // The directory goes with the cluster: the message carries the reason.
      std::string said = LastLine(text);
      if (said.empty()) {
        std::ifstream out(output);
        said = LastLine(std::string((std::istreambuf_iterator<char>(out)), {}));
      }
      absl::Status st = absl::UnavailableError(
          absl::StrCat(n.name(), " (", program, ", port ", n.port, ") exited at start with ",
                       WIFEXITED(status) ? absl::StrCat("status ", WEXITSTATUS(status))
                                         : absl::StrCat("signal ", WTERMSIG(status)),
                       said.empty() ? "; it printed nothing" : absl::StrCat(": ", said)));
      if (text.find("Address already in use") != std::string::npos) {
        st = absl::UnavailableError(absl::StrCat(n.name(), ": port ", n.port, " or bus port ",
                                                 n.port + 10000, " taken meanwhile"));
        st.SetPayload(kPortTakenPayload, absl::Cord("1"));
      }
      return st;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::UnavailableError(absl::StrCat(n.name(), " does not answer PING"));
}

absl::Status LocalCluster::Form(double timeout_s) {
  const int per = 1 + options_.replicas;
  // Node ids, and distinct config epochs before the nodes meet (as a cluster
  // creation tool does), so slot ownership has no epoch collisions to settle.
  for (Node& n : nodes_) {
    absl::StatusOr<std::string> id = CallText(n.port, {"CLUSTER", "MYID"});
    if (!id.ok()) return id.status();
    n.id = *id;
    absl::StatusOr<resp::Value> e =
        Call(n.port, {"CLUSTER", "SET-CONFIG-EPOCH", std::to_string(n.index + 1)});
    if (!e.ok()) return e.status();
  }
  for (int s = 0; s < options_.shards; ++s) {
    const int first = s * kSlots / options_.shards;
    const int last = (s + 1) * kSlots / options_.shards - 1;
    absl::StatusOr<resp::Value> r =
        Call(nodes_[s * per].port,
             {"CLUSTER", "ADDSLOTSRANGE", std::to_string(first), std::to_string(last)});
    if (!r.ok()) return r.status();
    if (r->type == resp::Type::kError) return absl::InternalError("ADDSLOTSRANGE: " + r->str);
  }
  for (size_t i = 1; i < nodes_.size(); ++i) {
    absl::StatusOr<resp::Value> r =
        Call(nodes_[0].port, {"CLUSTER", "MEET", "127.0.0.1", std::to_string(nodes_[i].port)});
    if (!r.ok()) return r.status();
    if (r->type == resp::Type::kError) return absl::InternalError("MEET: " + r->str);
  }
  // Replicas need their primary known before CLUSTER REPLICATE.
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  double backoff = 0.05;
  for (;;) {
    bool all = true;
    for (const Node& n : nodes_) {
      absl::StatusOr<std::string> text = CallText(n.port, {"CLUSTER", "NODES"});
      if (!text.ok()) {
        all = false;
        break;
      }
      absl::StatusOr<std::vector<NodeLine>> lines = ParseClusterNodes(*text);
      if (!lines.ok() || lines->size() != nodes_.size()) {
        all = false;
        break;
      }
      for (const NodeLine& l : *lines) all = all && !l.HasFlag("handshake") && !l.id.empty();
    }
    if (all) break;
    if (Clock::now() > deadline || Stopping()) {
      return absl::DeadlineExceededError("the nodes did not all meet in time");
    }
    SleepFor(backoff, options_.stop);
    backoff = std::min(backoff * 2, 0.5);
  }
  for (const Node& n : nodes_) {
    if (n.replica < 0) continue;
    const Node& primary = nodes_[n.shard * per];
    absl::StatusOr<resp::Value> r = Call(n.port, {"CLUSTER", "REPLICATE", primary.id});
    if (!r.ok()) return r.status();
    if (r->type == resp::Type::kError) return absl::InternalError("REPLICATE: " + r->str);
  }
  const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
  return WaitReady(std::max(left, 1.0));
}

absl::Status LocalCluster::WaitReady(double timeout_s) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  double backoff = 0.05;
  std::string why;
  for (;;) {
    why.clear();
    std::vector<std::vector<NodeLine>> views;
    for (const Node& n : nodes_) {
      if (n.pid <= 0 || n.stopped) continue;
      absl::StatusOr<std::string> info = CallText(n.port, {"CLUSTER", "INFO"});
      if (!info.ok()) {
        why = absl::StrCat(n.name(), ": ", info.status().message());
        break;
      }
      if (InfoField(*info, "cluster_state") != "ok") {
        why = n.name() + ": cluster_state is not ok";
        break;
      }
      absl::StatusOr<std::string> text = CallText(n.port, {"CLUSTER", "NODES"});
      absl::StatusOr<std::vector<NodeLine>> lines =
          text.ok() ? ParseClusterNodes(*text)
                    : absl::StatusOr<std::vector<NodeLine>>(text.status());
      if (!lines.ok() || lines->size() != nodes_.size()) {
        why = n.name() + ": does not know every node yet";
        break;
      }
      for (const NodeLine& l : *lines) {
        if (l.myself() && l.HasFlag("slave")) {
          absl::StatusOr<std::string> repl = CallText(n.port, {"INFO", "replication"});
          if (!repl.ok() || InfoField(*repl, "master_link_status") != "up") {
            why = n.name() + ": replication link is not up";
          }
        }
      }
      if (!why.empty()) break;
      views.push_back(std::move(*lines));
    }
    // One slot map, and one idea of who replicates whom (a primary that has
    // not heard its replica's new role yet would not miss it when it dies).
    auto roles = [](const std::vector<NodeLine>& view) {
      std::vector<std::string> r;
      for (const NodeLine& l : view) r.push_back(l.id + (l.primary() ? " -" : " " + l.master_id));
      std::sort(r.begin(), r.end());
      return r;
    };
    if (why.empty()) {
      for (size_t i = 1; i < views.size() && why.empty(); ++i) {
        if (SlotOwners(views[i]) != SlotOwners(views[0])) why = "the nodes disagree on slot owners";
        if (roles(views[i]) != roles(views[0])) why = "the nodes disagree on who replicates whom";
      }
    }
    if (why.empty()) return absl::OkStatus();
    if (Clock::now() > deadline || Stopping()) {
      return absl::DeadlineExceededError("cluster not ready in time: " + why);
    }
    SleepFor(backoff, options_.stop);
    backoff = std::min(backoff * 2, 0.5);
  }
}

absl::Status LocalCluster::Signal(int i, int sig) {
  Node& n = nodes_[i];
  if (n.pid <= 0) return absl::FailedPreconditionError(n.name() + " is down");
  if (sig == SIGCONT) {
    kill(n.pid, SIGCONT);
    n.stopped = false;
    return absl::OkStatus();
  }
  if (sig == SIGSTOP) {
    kill(n.pid, SIGSTOP);
    n.stopped = true;
    return absl::OkStatus();
  }
  if (n.stopped) kill(n.pid, SIGCONT);
  kill(n.pid, sig);
  // A SIGTERM'd node writes its AOF and exits; bounded, then SIGKILL.
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (waitpid(n.pid, nullptr, WNOHANG) == n.pid) {
      n.pid = -1;
      n.stopped = false;
      Register(i, 0);
      return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill(n.pid, SIGKILL);
  waitpid(n.pid, nullptr, 0);
  n.pid = -1;
  n.stopped = false;
  Register(i, 0);
  return absl::OkStatus();
}

absl::Status LocalCluster::Restart(int i) {
  if (nodes_[i].pid > 0) return absl::FailedPreconditionError(nodes_[i].name() + " is running");
  return Spawn(i);
}

std::vector<std::string> LocalCluster::ReapDead() {
  std::vector<std::string> out;
  for (Node& n : nodes_) {
    if (n.pid <= 0) continue;
    int status = 0;
    if (waitpid(n.pid, &status, WNOHANG) == n.pid) {
      out.push_back(WIFSIGNALED(status)
                        ? absl::StrCat(n.name(), " exited with signal ", WTERMSIG(status))
                        : absl::StrCat(n.name(), " exited with status ", WEXITSTATUS(status)));
      n.pid = -1;
      n.stopped = false;
      Register(n.index, 0);
    }
  }
  return out;
}

}  // namespace respfuzz::cluster_chaos
