#include "tools/cluster/bus_fuzz.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/cluster/bus.h"
#include "tools/cluster/known_findings.h"
#include "tools/cluster/local_cluster.h"
#include "tools/cluster/view.h"

namespace respfuzz::cluster_chaos {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kSenderOffset = 40;  // header: sender[40] (src/cluster/bus.h)
constexpr size_t kNameLen = cluster::bus::kNameLen;
constexpr int kSendTimeoutMs = 500;

void PutTotlen(std::string* m) {
  if (m->size() < 8) return;
  const uint32_t n = static_cast<uint32_t>(m->size());
  for (int k = 0; k < 4; ++k) (*m)[4 + k] = static_cast<char>(n >> (24 - 8 * k));
}

// Connects to 127.0.0.1:port and writes `data`, each step bounded by
// kSendTimeoutMs: the socket (non-blocking), or -1 when the connection failed.
// `*all_sent` says whether every byte went.
int ConnectAndSend(int port, const std::string& data, bool* all_sent) {
  *all_sent = false;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (poll(&p, 1, kSendTimeoutMs) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
      err != 0) {
    close(fd);
    return -1;
  }
  size_t off = 0;
  const auto deadline = Clock::now() + std::chrono::milliseconds(kSendTimeoutMs);
  while (off < data.size() && Clock::now() < deadline) {
    const ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      pollfd w{fd, POLLOUT, 0};
      poll(&w, 1, 50);
    } else {
      break;
    }
  }
  *all_sent = off == data.size();
  return fd;
}

}  // namespace

bool SendToBusPort(int port, const std::string& data) {
  bool all_sent = false;
  const int fd = ConnectAndSend(port, data, &all_sent);
  if (fd < 0) return false;
  // Give the node a moment to read and answer (a PING gets a PONG).
  pollfd r{fd, POLLIN, 0};
  char buf[4096];
  if (poll(&r, 1, 20) == 1) (void)recv(fd, buf, sizeof buf, 0);
  close(fd);
  return all_sent;
}

BusDelivery SendToBusPortAndWait(int port, const std::string& data, int wait_ms) {
  BusDelivery d;
  const int fd = ConnectAndSend(port, data, &d.all_sent);
  if (fd < 0) return d;
  d.connected = true;
  shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
  char buf[16384];
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd r{fd, POLLIN, 0};
    const int ready = poll(&r, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) continue;  // what the node answered (a PING gets a PONG)
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    d.closed = true;  // the end of the stream, or a reset
    break;
  }
  close(fd);
  return d;
}

namespace {

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  std::string Mutate(std::string m, const std::vector<std::string>& corpus) {
    const int rounds = static_cast<int>(Below(5));  // 0: the seed as it is
    for (int r = 0; r < rounds; ++r) {
      switch (Below(7)) {
        case 0:  // flip a bit
          if (!m.empty()) m[Below(m.size())] ^= static_cast<char>(1 << Below(8));
          break;
        case 1:  // an interesting byte
          if (!m.empty()) {
            static constexpr uint8_t kBytes[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x10};
            m[Below(m.size())] = static_cast<char>(kBytes[Below(sizeof kBytes)]);
          }
          break;
        case 2: {  // an interesting 32-bit value (lengths, counts)
          if (m.size() < 4) break;
          static constexpr uint32_t kWords[] = {0,       1,          8,          0xffff,    0x10000,
                                                0x10008, 0x7fffffff, 0xffffffff, 0xfffffff8};
          const uint32_t w = kWords[Below(sizeof kWords / sizeof kWords[0])];
          const size_t at = Below(m.size() - 3);
          for (int k = 0; k < 4; ++k) m[at + k] = static_cast<char>(w >> (24 - 8 * k));
          break;
        }
        case 3:  // truncate
          if (m.size() > 8) m.resize(8 + Below(m.size() - 8));
          break;
        case 4: {  // append random bytes
          const size_t n = 1 + Below(64);
          for (size_t k = 0; k < n; ++k) m.push_back(static_cast<char>(Below(256)));
          break;
        }
        case 5: {  // splice another seed's tail
          const std::string& o = corpus[Below(corpus.size())];
          if (!o.empty() && !m.empty())
            m = m.substr(0, Below(m.size())) + o.substr(Below(o.size()));
          break;
        }
        case 6:  // the message type (offset 12, 2 bytes): 0..11 and beyond
          if (m.size() >= 14) {
            m[12] = 0;
            m[13] = static_cast<char>(Below(14));
          }
          break;
      }
    }
    if (m.size() > kMaxBusMessageBytes) m.resize(kMaxBusMessageBytes);
    return m;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

std::string CrashSiteInLog(const std::string& log_path) {
  std::ifstream in(log_path);
  std::string line;
  bool eip = false;
  while (std::getline(in, line)) {
    // "... # ==> cluster.c:1179 'retval == DICT_OK' is not true": the assertion.
    if (const size_t at = line.find("# ==> "); at != std::string::npos) {
      return "assertion " + line.substr(at + 6);
    }
    if (eip) {
      // ".../redis-server 127.0.0.1:P [cluster](clusterUpdateSlotsConfigWith+0x113)[0x...]"
      const size_t open = line.find("](");
      const size_t plus = line.find('+', open == std::string::npos ? 0 : open);
      if (open == std::string::npos || plus == std::string::npos) return "";
      return line.substr(open + 2, plus - open - 2);
    }
    eip = line == "EIP:";
  }
  return "";
}

std::string BusMessageFromCorpusFile(std::string_view bytes) {
  if (bytes.empty()) return "";
  std::string m(bytes.substr(1));
  if ((static_cast<uint8_t>(bytes[0]) & 0x01) != 0) PutTotlen(&m);
  return m;
}

std::string ClusterNodesProblem(const Node& n) {
  absl::StatusOr<std::string> nodes = CallText(n.port, {"CLUSTER", "NODES"});
  absl::StatusOr<std::vector<NodeLine>> view =
      nodes.ok() ? ParseClusterNodes(*nodes)
                 : absl::StatusOr<std::vector<NodeLine>>(nodes.status());
  if (view.ok()) return "";
  return absl::StrCat(n.name(), ": CLUSTER NODES is not sane: ", view.status().message());
}

absl::StatusOr<BusFuzzResult> RunBusFuzz(const BusFuzzOptions& o) {
  // The corpus, in name order (the seed decides the rest).
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(o.corpus_dir, ec)) {
    if (e.is_regular_file()) files.push_back(e.path());
    if (files.size() > kMaxCorpusFiles) {
      return absl::InvalidArgumentError(
          absl::StrCat(o.corpus_dir, ": more than ", kMaxCorpusFiles, " files"));
    }
  }
  if (ec) return absl::InvalidArgumentError(absl::StrCat(o.corpus_dir, ": ", ec.message()));
  std::sort(files.begin(), files.end());
  std::vector<std::string> corpus;
  for (const auto& f : files) {
    if (std::filesystem::file_size(f, ec) > kMaxBusMessageBytes) continue;
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string m = BusMessageFromCorpusFile(ss.str());
    if (!m.empty()) corpus.push_back(std::move(m));
  }
  if (corpus.empty()) return absl::InvalidArgumentError(o.corpus_dir + ": no corpus files");

  ClusterOptions co;
  co.server = o.server;
  co.shards = o.shards;
  co.replicas = o.replicas;
  co.base_port = o.base_port;
  co.node_timeout_ms = 5000;
  co.progress = o.progress;
  co.stop = o.stop;

  BusFuzzResult r;
  Mutator mut(o.seed);
  const std::vector<const KnownBusFinding*> known =
      o.skip_known ? KnownBusFindingsFor(o.server.target) : std::vector<const KnownBusFinding*>{};
  for (const KnownBusFinding* f : known) r.skipped[f->id] = 0;
  // --time counts from the first cluster being ready; later clusters'
  // start-ups (--keep-going) count against it.
  auto t0 = Clock::now();
  auto end = Clock::time_point::max();
  auto last_progress = t0;
  auto stopped = [&] { return o.stop != nullptr && o.stop->load(); };
  struct Sent {
    int node;
    std::string bytes;
  };
  // One cluster at a time; with --keep-going a new one after each problem,
  // the messages going on from where the seed's stream was.
  while (Clock::now() < end && !stopped()) {
    absl::StatusOr<std::unique_ptr<LocalCluster>> made = LocalCluster::Create(co);
    if (!made.ok()) {
      if (r.clusters > 0) break;  // a later cluster: what was found stands
      return absl::UnavailableError(absl::StrCat("cluster setup: ", made.status().message()));
    }
    if (r.clusters++ == 0) {
      t0 = Clock::now();
      end = t0 +
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
      last_progress = t0;
    }
    LocalCluster& c = **made;
    if (o.progress) o.progress(absl::StrCat("cluster ", r.clusters, " ready; fuzzing"));
    std::vector<std::string> ids;
    for (const Node& n : c.nodes()) ids.push_back(n.id);
    bool found = false;
    while (Clock::now() < end && !stopped()) {
      std::vector<Sent> batch;
      // With --skip-known a drawn message may be dropped; the draws per batch
      // are bounded all the same.
      for (int draws = 0; static_cast<int>(batch.size()) < o.batch && draws < 100 * o.batch;
           ++draws) {
        std::string m = mut.Mutate(corpus[mut.Below(corpus.size())], corpus);
        // Most handlers ignore a sender they do not know: half the messages
        // claim to come from a real node.
        if (m.size() >= kSenderOffset + kNameLen && mut.Below(2) == 0) {
          m.replace(kSenderOffset, kNameLen, ids[mut.Below(ids.size())]);
          ++r.sender_known;
        }
        if (mut.Below(2) == 0) PutTotlen(&m);
        if (!known.empty()) {
          if (const KnownBusFinding* f = MatchKnownBusFinding(m, known)) {
            ++r.skipped[f->id];
            continue;
          }
        }
        const int node = static_cast<int>(mut.Below(c.nodes().size()));
        SendToBusPort(c.nodes()[node].port + 10000, m);
        batch.push_back(Sent{node, std::move(m)});
        ++r.sent;
      }
      ++r.batches;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      // Every node runs, answers PING, and its CLUSTER NODES parses.
      std::vector<std::string> problems;
      for (const std::string& d : c.ReapDead()) problems.push_back(d);
      for (const Node& n : c.nodes()) {
        if (n.pid <= 0) continue;
        absl::StatusOr<resp::Value> pong = Call(n.port, {"PING"}, 2000);
        if (!pong.ok() || pong->str != "PONG") {
          problems.push_back(absl::StrCat(n.name(), " (port ", n.port, ") does not answer PING: ",
                                          pong.ok() ? pong->str : pong.status().message()));
          continue;
        }
        if (std::string p = ClusterNodesProblem(n); !p.empty()) problems.push_back(std::move(p));
      }
      if (!problems.empty()) {
        // How a node that stopped answering ended, if it did.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        for (const std::string& d : c.ReapDead()) problems.push_back(d);
        const std::string dir =
            absl::StrCat(o.crash_dir, "/bus-fuzz-seed", o.seed, "-batch", r.batches);
        std::filesystem::create_directories(dir, ec);
        for (size_t i = 0; i < batch.size(); ++i) {
          // The harness's input format (flags byte 0: totlen as sent), so the
          // file replays with `respfuzz run cluster_bus` too.
          std::ofstream out(
              absl::StrCat(dir, "/", i, "-to-", c.nodes()[batch[i].node].name(), ".bin"),
              std::ios::binary);
          out.put('\0');
          out << batch[i].bytes;
        }
        // The nodes' logs (a crashed node writes its report there), and
        // where each crashed node's report says it was.
        for (const Node& n : c.nodes()) {
          const std::string log = absl::StrCat(dir, "/", n.name(), ".log");
          std::filesystem::copy_file(n.dir + "/redis.log", log,
                                     std::filesystem::copy_options::overwrite_existing, ec);
          const std::string site = CrashSiteInLog(log);
          if (!site.empty()) {
            ++r.crash_sites[site];
            problems.push_back(absl::StrCat(n.name(), " crashed in ", site));
          }
        }
        if (r.saved_dir.empty()) r.saved_dir = dir;
        r.saved_dirs.push_back(dir);
        for (std::string& p : problems) r.problems.push_back(std::move(p));
        found = true;
        break;
      }
      if (Clock::now() - last_progress > std::chrono::seconds(5)) {
        last_progress = Clock::now();
        if (o.progress) {
          o.progress(absl::StrCat(r.sent, " messages in ", r.batches, " batches, ",
                                  r.saved_dirs.size(), " problem batches saved",
                                  found ? "" : ", every node answers"));
        }
      }
    }
    c.Destroy();
    if (found && o.progress)
      o.progress(absl::StrCat("a problem: the batch is in ", r.saved_dirs.back()));
    if (!found || !o.keep_going) break;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

}  // namespace respfuzz::cluster_chaos
