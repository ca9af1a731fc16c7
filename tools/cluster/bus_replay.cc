#include "tools/cluster/bus_replay.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/cluster/bus.h"
#include "tools/cluster/bus_fuzz.h"
#include "tools/cluster/local_cluster.h"
#include "tools/cluster/scenario.h"

namespace respfuzz::cluster_chaos {

namespace {

namespace bus = ::respfuzz::cluster::bus;

// A node's log is read up to this much for its id and its assertion lines.
constexpr size_t kMaxLogBytes = 4 << 20;
// Gossip entries DescribeBusMessage lists at most.
constexpr size_t kMaxGossipShown = 16;
// How long a running node may take to answer PING: a node that is busy on a
// loaded machine still answers well within it; one that is dying or hung does
// not, and is then waited for.
constexpr int kPingTimeoutMs = 5000;
// How long a node may take to handle a message and close the link after it.
constexpr int kHandledTimeoutMs = 15000;
// How long a node that stopped answering may take to exit (an aborting
// redis-server writes its crash report first).
constexpr int kExitTimeoutMs = 15000;

uint32_t Be(const std::string& b, size_t at, int n) {
  uint32_t v = 0;
  for (int k = 0; k < n; ++k) v = (v << 8) | static_cast<uint8_t>(b[at + k]);
  return v;
}

uint64_t Be64(const std::string& b, size_t at) {
  return (static_cast<uint64_t>(Be(b, at, 4)) << 32) | Be(b, at + 4, 4);
}

bool IsIdChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A name field: printable bytes as they are, others \xNN; whether Redis
// 7.0.15's node id check (40 bytes of [a-z0-9]) passes it.
std::string Quote(std::string_view s, bool* valid_id = nullptr) {
  std::string out = "\"";
  bool valid = true;
  for (char c : s) {
    if (!IsIdChar(c)) valid = false;
    const auto u = static_cast<uint8_t>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
      out += c;
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", u);
    }
  }
  if (valid_id != nullptr) *valid_id = valid;
  return out + "\"";
}

// A NUL-terminated field (an ip) up to its NUL.
std::string CString(std::string_view s) { return Quote(s.substr(0, s.find('\0'))); }

std::string NodeFlags(uint16_t f) {
  static constexpr const char* kNames[] = {"master",     "slave",     "pfail",  "fail",
                                           "myself",     "handshake", "noaddr", "meet",
                                           "migrate_to", "nofailover"};
  std::string out;
  for (int b = 0; b < 16; ++b) {
    if ((f & (1u << b)) == 0) continue;
    if (!out.empty()) out += ",";
    out += b < 10 ? kNames[b] : absl::StrCat("bit", b);
  }
  return absl::StrFormat("0x%04x [%s]", f, out.empty() ? "none" : out);
}

std::string ReadUpTo(const std::filesystem::path& p, size_t max) {
  std::ifstream in(p, std::ios::binary);
  std::string s(max, '\0');
  in.read(s.data(), static_cast<std::streamsize>(max));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

// The node id a redis.log states ("... I'm <40 hex>"), or "".
std::string IdFromLog(const std::string& log) {
  for (size_t at = log.find("I'm "); at != std::string::npos; at = log.find("I'm ", at + 1)) {
    const std::string id = log.substr(at + 4, bus::kNameLen);
    if (id.size() == bus::kNameLen && std::all_of(id.begin(), id.end(), IsIdChar)) return id;
  }
  return "";
}

// The lines of a log that say how a node died.
std::vector<std::string> DeathLines(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("ASSERTION FAILED") != std::string::npos ||
        line.find("==> ") != std::string::npos ||
        line.find("crashed by signal") != std::string::npos ||
        line.find("Guru Meditation") != std::string::npos) {
      out.push_back(line);
    }
  }
  return out;
}

}  // namespace

bool ParseNodeName(const std::string& name, int* shard, int* replica) {
  constexpr std::string_view kShard = "shard-";
  if (name.rfind(kShard, 0) != 0) return false;
  const size_t dash = name.find('-', kShard.size());
  if (dash == std::string::npos) return false;
  const std::string k = name.substr(kShard.size(), dash - kShard.size());
  const std::string rest = name.substr(dash + 1);
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 3 && std::all_of(s.begin(), s.end(), ::isdigit);
  };
  if (!digits(k) || !absl::SimpleAtoi(k, shard)) return false;
  if (rest == "primary") {
    *replica = -1;
    return true;
  }
  constexpr std::string_view kReplica = "replica-";
  if (rest.rfind(kReplica, 0) != 0) return false;
  const std::string j = rest.substr(kReplica.size());
  return digits(j) && absl::SimpleAtoi(j, replica);
}

absl::StatusOr<SavedBatch> LoadSavedBatch(const std::string& path,
                                          const std::string& default_target) {
  namespace fs = std::filesystem;
  SavedBatch b;
  std::vector<std::string> names;
  auto read_message = [&](const fs::path& p, SavedMessage m) -> absl::Status {
    std::error_code ec;
    const uintmax_t size = fs::file_size(p, ec);
    if (ec) return absl::InvalidArgumentError(absl::StrCat(p.string(), ": ", ec.message()));
    if (size > kMaxBusMessageBytes + 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(p.string(), ": larger than ", kMaxBusMessageBytes + 1, " bytes"));
    }
    m.bytes = BusMessageFromCorpusFile(ReadUpTo(p, kMaxBusMessageBytes + 1));
    if (m.bytes.empty()) return absl::InvalidArgumentError(p.string() + ": empty");
    m.file = p.filename().string();
    names.push_back(m.target);
    b.messages.push_back(std::move(m));
    return absl::OkStatus();
  };
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    SavedMessage m;
    m.target = default_target;
    if (absl::Status s = read_message(path, std::move(m)); !s.ok()) return s;
  } else if (fs::is_directory(path, ec)) {
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(path, ec)) {
      if (!e.is_regular_file()) continue;
      if (++files > 2 * kMaxReplayMessages + kMaxNodes) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": more than ", 2 * kMaxReplayMessages + kMaxNodes, " files"));
      }
      const std::string file = e.path().filename().string();
      const std::string ext = e.path().extension().string();
      if (ext == ".log") {
        const std::string node = e.path().stem().string();
        int k = 0, j = 0;
        if (!ParseNodeName(node, &k, &j)) continue;
        names.push_back(node);
        const std::string id = IdFromLog(ReadUpTo(e.path(), kMaxLogBytes));
        if (!id.empty()) b.ids[id] = node;
        continue;
      }
      if (ext != ".bin") continue;
      const size_t to = file.find("-to-");
      SavedMessage m;
      const std::string n = to == std::string::npos ? "" : file.substr(0, to);
      m.target = to == std::string::npos ? "" : file.substr(to + 4, file.size() - to - 8);
      int k = 0, j = 0;
      if (n.empty() || n.size() > 6 || !std::all_of(n.begin(), n.end(), ::isdigit) ||
          !absl::SimpleAtoi(n, &m.index) || !ParseNodeName(m.target, &k, &j)) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, "/", file, ": not N-to-<node>.bin (e.g. 3-to-shard-1-primary.bin)"));
      }
      if (b.messages.size() >= kMaxReplayMessages) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": more than ", kMaxReplayMessages, " messages"));
      }
      if (absl::Status s = read_message(e.path(), std::move(m)); !s.ok()) return s;
    }
    if (ec) return absl::InvalidArgumentError(absl::StrCat(path, ": ", ec.message()));
  } else {
    return absl::InvalidArgumentError(path + ": no such file or directory");
  }
  if (b.messages.empty()) return absl::InvalidArgumentError(path + ": no N-to-<node>.bin messages");
  std::sort(b.messages.begin(), b.messages.end(),
            [](const SavedMessage& x, const SavedMessage& y) { return x.index < y.index; });
  for (size_t i = 1; i < b.messages.size(); ++i) {
    if (b.messages[i].index == b.messages[i - 1].index) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": two messages numbered ", b.messages[i].index));
    }
  }
  for (const std::string& name : names) {
    int k = 0, j = 0;
    if (!ParseNodeName(name, &k, &j)) {
      return absl::InvalidArgumentError(absl::StrCat("'", name, "' is not a node name"));
    }
    b.shards = std::max(b.shards, k + 1);
    b.replicas = std::max(b.replicas, j + 1);
  }
  b.shards = std::max(b.shards, kMinShards);
  if (b.shards > kMaxShards || b.replicas > kMaxReplicasPerShard) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": a node name beyond ", kMaxShards,
                                                   " shards of ", kMaxReplicasPerShard,
                                                   " replicas"));
  }
  return b;
}

std::string TranslateIds(std::string bytes, const std::map<std::string, std::string>& old_to_new) {
  for (const auto& [from, to] : old_to_new) {
    if (from.size() != bus::kNameLen || to.size() != bus::kNameLen || from == to) continue;
    for (size_t at = bytes.find(from); at != std::string::npos;
         at = bytes.find(from, at + bus::kNameLen)) {
      bytes.replace(at, bus::kNameLen, to);
    }
  }
  return bytes;
}

std::string WithSender(std::string bytes, const std::string& id) {
  constexpr size_t kSender = 40;
  if (bytes.size() >= kSender + bus::kNameLen && id.size() == bus::kNameLen) {
    bytes.replace(kSender, bus::kNameLen, id);
  }
  return bytes;
}

std::string DescribeBusMessage(const std::string& b) {
  std::string out;
  if (b.size() < 16) {
    absl::StrAppend(&out, b.size(), " bytes: shorter than the 16 bytes up to count\n");
  } else {
    const uint16_t type = static_cast<uint16_t>(Be(b, 12, 2));
    absl::StrAppend(&out, bus::MsgTypeName(type), " (type ", type, "), sig ",
                    Quote(std::string_view(b).substr(0, 4)), ", totlen ", Be(b, 4, 4), " (",
                    b.size(), " bytes sent), ver ", Be(b, 8, 2), ", port ", Be(b, 10, 2),
                    ", count ", Be(b, 14, 2), "\n");
  }
  if (b.size() >= bus::kHeaderLen) {
    bool valid = false;
    const std::string sender = Quote(std::string_view(b).substr(40, bus::kNameLen), &valid);
    absl::StrAppend(&out, "  sender ", sender, valid ? "" : " (not a 7.0.15 node id)",
                    ", currentEpoch ", Be64(b, 16), ", configEpoch ", Be64(b, 24), ", flags ",
                    NodeFlags(static_cast<uint16_t>(Be(b, 2250, 2))), ", myip ",
                    CString(std::string_view(b).substr(2168, bus::kIpLen)), ", cport ",
                    Be(b, 2248, 2), ", extensions ", Be(b, 2214, 2), ", mflags[0] ",
                    static_cast<int>(static_cast<uint8_t>(b[2253])), "\n");
    const uint16_t type = static_cast<uint16_t>(Be(b, 12, 2));
    if (type == bus::kPing || type == bus::kPong || type == bus::kMeet) {
      const size_t count = Be(b, 14, 2);
      const size_t fit = (b.size() - bus::kHeaderLen) / bus::kGossipLen;
      for (size_t i = 0; i < std::min({count, fit, kMaxGossipShown}); ++i) {
        const size_t at = bus::kHeaderLen + i * bus::kGossipLen;
        const std::string name = Quote(std::string_view(b).substr(at, bus::kNameLen), &valid);
        absl::StrAppend(&out, "  gossip[", i, "] nodename ", name,
                        valid ? "" : " (not a 7.0.15 node id)", " ip ",
                        CString(std::string_view(b).substr(at + 48, bus::kIpLen)), " port ",
                        Be(b, at + 94, 2), " cport ", Be(b, at + 96, 2), " flags ",
                        NodeFlags(static_cast<uint16_t>(Be(b, at + 98, 2))), "\n");
      }
      if (std::min(count, fit) > kMaxGossipShown) {
        absl::StrAppend(&out, "  ... ", std::min(count, fit) - kMaxGossipShown,
                        " more gossip entries\n");
      }
      if (count > fit) {
        absl::StrAppend(&out, "  (count ", count, ", but only ", fit, " entries fit)\n");
      }
    }
  }
  // A node reads totlen bytes as one packet; what follows is the next one.
  std::string packet = b;
  if (b.size() >= 8 && Be(b, 4, 4) >= 8 && Be(b, 4, 4) < b.size()) {
    packet = b.substr(0, Be(b, 4, 4));
    absl::StrAppend(&out, "  a node reads the first ", packet.size(),
                    " bytes (totlen) as this packet and the other ", b.size() - packet.size(),
                    " as the next; validated: the first ", packet.size(), "\n");
  }
  const bus::Decision strict = bus::Validate(packet, bus::Profile::kStrict);
  const bus::Decision r7 = bus::Validate(packet, bus::Profile::kRedis7015);
  absl::StrAppend(&out, "  validator strict: ",
                  strict.accepted ? "accepted" : "rejected: " + strict.reason, "\n");
  absl::StrAppend(&out, "  validator 7.0.15: ", r7.accepted ? "accepted" : "rejected: " + r7.reason,
                  r7.reads_past_end ? " (7.0.15 reads past the end)" : "", "\n");
  return out;
}

absl::StatusOr<NarrowResult> Narrow(std::vector<size_t> dying, const Trial& trial, int max_trials) {
  NarrowResult r;
  r.minimal = dying;
  if (dying.size() <= 1) return r;
  // One trial; when a node went down, the list up to that message is the new
  // smallest known set.
  auto attempt = [&](const std::vector<size_t>& list) -> absl::StatusOr<bool> {
    if (r.trials >= max_trials) {
      r.exhausted = true;
      return false;
    }
    ++r.trials;
    absl::StatusOr<TrialOutcome> out = trial(list);
    if (!out.ok()) return out.status();
    if (!out->first_down.has_value() || *out->first_down >= list.size()) return false;
    r.minimal.assign(list.begin(), list.begin() + static_cast<ptrdiff_t>(*out->first_down) + 1);
    r.problems = out->problems;
    return true;
  };
  const size_t last = dying.back();
  // 1. The last message alone.
  absl::StatusOr<bool> died = attempt({last});
  if (!died.ok()) return died.status();
  if (*died) return r;
  // 2. Each earlier message with it, the nearest first.
  for (size_t j = dying.size() - 1; j-- > 0;) {
    died = attempt({dying[j], last});
    if (!died.ok()) return died.status();
    if (*died || r.exhausted) return r;
  }
  // 3. Without one message at a time, while the rest still takes a node down.
  std::vector<size_t> cur = dying;
  for (size_t i = 0; i < cur.size() && cur.size() > 1;) {
    std::vector<size_t> without = cur;
    without.erase(without.begin() + static_cast<ptrdiff_t>(i));
    died = attempt(without);
    if (!died.ok()) return died.status();
    if (r.exhausted) break;
    if (*died) {
      cur = r.minimal;
    } else {
      ++i;
    }
  }
  r.minimal = cur;
  return r;
}

absl::StatusOr<TrialOutcome> RunReplayTrial(const SavedBatch& batch,
                                            const std::vector<size_t>& indices,
                                            const ReplayOptions& o) {
  for (size_t i : indices) {
    if (i >= batch.messages.size()) return absl::InvalidArgumentError("message index out of range");
  }
  // Every name the trial needs exists in a cluster of this shape.
  auto exists = [&](const std::string& name) {
    int k = 0, j = 0;
    return ParseNodeName(name, &k, &j) && k < batch.shards && j < batch.replicas;
  };
  if (!o.sender.empty() && !exists(o.sender)) {
    return absl::InvalidArgumentError(absl::StrCat("--sender: no node ", o.sender));
  }
  for (size_t i : indices) {
    if (!exists(batch.messages[i].target)) {
      return absl::InvalidArgumentError(absl::StrCat(batch.messages[i].file, " goes to ",
                                                     batch.messages[i].target,
                                                     ", which the cluster does not have"));
    }
  }
  ClusterOptions co;
  co.server = o.server;
  co.shards = batch.shards;
  co.replicas = batch.replicas;
  co.base_port = o.base_port;
  co.node_timeout_ms = 5000;  // as bus-fuzz's
  co.progress = o.progress;
  co.stop = o.stop;
  absl::StatusOr<std::unique_ptr<LocalCluster>> made = LocalCluster::Create(co);
  if (!made.ok()) {
    return absl::UnavailableError(absl::StrCat("cluster setup: ", made.status().message()));
  }
  LocalCluster& c = **made;
  std::map<std::string, int> by_name;
  for (const Node& n : c.nodes()) by_name[n.name()] = n.index;
  std::map<std::string, std::string> old_to_new;
  for (const auto& [old_id, name] : batch.ids) {
    if (auto it = by_name.find(name); it != by_name.end()) {
      old_to_new[old_id] = c.nodes()[it->second].id;
    }
  }
  std::string sender_id;
  if (!o.sender.empty()) {
    auto it = by_name.find(o.sender);
    if (it == by_name.end()) {
      return absl::InvalidArgumentError(absl::StrCat("--sender: no node ", o.sender));
    }
    sender_id = c.nodes()[it->second].id;
  }
  // Every node runs, answers PING and gives a CLUSTER NODES that parses (the
  // checks of bus-fuzz, so a batch it saved for either shows here). A node
  // that does not answer is given kExitTimeoutMs to exit (a dying node is
  // reported with how it exited, not as merely silent); one still running
  // then does not answer PING.
  auto check = [&]() {
    std::vector<std::string> problems = c.ReapDead();
    std::vector<std::pair<int, std::string>> silent;  // node index, why
    for (const Node& n : c.nodes()) {
      if (n.pid <= 0) continue;
      absl::StatusOr<resp::Value> pong = Call(n.port, {"PING"}, kPingTimeoutMs);
      if (!pong.ok() || pong->str != "PONG") {
        silent.emplace_back(n.index, pong.ok() ? pong->str : std::string(pong.status().message()));
        continue;
      }
      if (std::string p = ClusterNodesProblem(n); !p.empty()) problems.push_back(std::move(p));
    }
    if (problems.empty() && silent.empty()) return problems;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kExitTimeoutMs);
    auto running = [&] {
      return std::any_of(silent.begin(), silent.end(),
                         [&](const auto& s) { return c.nodes()[s.first].pid > 0; });
    };
    while (running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      for (std::string& d : c.ReapDead()) problems.push_back(std::move(d));
    }
    for (const auto& [index, why] : silent) {
      const Node& n = c.nodes()[index];
      if (n.pid > 0) {
        problems.push_back(
            absl::StrCat(n.name(), " (port ", n.port, ") does not answer PING: ", why));
      }
    }
    for (const Node& n : c.nodes()) {
      for (std::string& line : DeathLines(ReadUpTo(n.dir + "/redis.log", kMaxLogBytes))) {
        problems.push_back(absl::StrCat(n.name(), " log: ", line));
      }
    }
    return problems;
  };
  TrialOutcome out;
  for (size_t p = 0; p < indices.size(); ++p) {
    if (o.stop != nullptr && o.stop->load()) return absl::CancelledError("stopped");
    const SavedMessage& m = batch.messages[indices[p]];
    auto it = by_name.find(m.target);
    if (it == by_name.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(m.file, " goes to ", m.target, ", which the cluster does not have"));
    }
    std::string bytes = TranslateIds(m.bytes, old_to_new);
    if (!sender_id.empty()) bytes = WithSender(std::move(bytes), sender_id);
    // Waits until the node has handled the message (it closes the link), so
    // the check below sees its effect however slow the machine is.
    const BusDelivery d =
        SendToBusPortAndWait(c.nodes()[it->second].port + 10000, bytes, kHandledTimeoutMs);
    if (d.connected && !d.closed && o.progress) {
      o.progress(absl::StrCat(m.file, ": ", m.target, " did not close the link within ",
                              kHandledTimeoutMs, " ms"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(o.settle_ms));
    if (p + 1 == indices.size()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(o.final_settle_ms));
    }
    out.problems = check();
    if (!out.problems.empty()) {
      out.first_down = p;
      break;
    }
  }
  c.Destroy();
  return out;
}

}  // namespace respfuzz::cluster_chaos
