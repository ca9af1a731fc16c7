// bus-replay: loading a saved batch (order, targets, the node ids of the
// logs, caps), id translation, the description of a message, the narrowing
// with trials that model a server, on made-up batches and on the batch
// bus-fuzz saved for seed 1 (tests/fixtures/cluster/bus-fuzz-seed1-batch18/),
// one live trial each way against real redis-server 7.0.15 nodes, and the
// 7.0.15 validator profile against what a real node logs.
#include "tools/cluster/bus_replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "src/cluster/bus.h"
#include "tools/cluster/bus_fuzz.h"
#include "tools/cluster/local_cluster.h"

namespace respfuzz::cluster_chaos {
namespace {

namespace bus = ::respfuzz::cluster::bus;
namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFixture =
    std::string(RESPFUZZ_SOURCE_DIR) + "/tests/fixtures/cluster/bus-fuzz-seed1-batch18";

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "bus-replay-test-XXXXXX").string();
    path_ = mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path_ + "/" + name, std::ios::binary) << bytes;
  }

 private:
  std::string path_;
};

std::string Id(char c) { return std::string(bus::kNameLen, c); }

// A PING from `sender` with gossip entries named `names`.
std::string Ping(const std::string& sender, const std::vector<std::string>& names,
                 uint16_t gossip_flags = 1) {
  bus::Message m;
  m.header.type = bus::kPing;
  std::copy(sender.begin(), sender.end(), m.header.sender.begin());
  for (const std::string& n : names) {
    bus::Gossip g;
    std::copy(n.begin(), n.end(), g.nodename.begin());
    g.ip = bus::MakeIp("127.0.0.1");
    g.port = 7001;
    g.cport = 17001;
    g.flags = gossip_flags;
    m.gossip.push_back(g);
  }
  return bus::Encode(m);
}

TEST(BusReplay, NodeNames) {
  int k = -5, j = -5;
  EXPECT_TRUE(ParseNodeName("shard-0-primary", &k, &j));
  EXPECT_EQ(k, 0);
  EXPECT_EQ(j, -1);
  EXPECT_TRUE(ParseNodeName("shard-7-replica-1", &k, &j));
  EXPECT_EQ(k, 7);
  EXPECT_EQ(j, 1);
  for (const char* bad : {"", "shard--primary", "shard-0-replica-", "shard-0-primar", "node-1",
                          "shard-x-primary", "shard-0-replica-1x", "shard-1000-primary"}) {
    EXPECT_FALSE(ParseNodeName(bad, &k, &j)) << bad;
  }
}

TEST(BusReplay, LoadsADirectoryInSendOrderWithTheLogsIds) {
  TempDir d;
  const std::string a = Ping(Id('a'), {});
  d.Write("10-to-shard-1-primary.bin", std::string(1, '\0') + a);
  // Flags byte 1: totlen rewritten to the real length.
  std::string cut = a;
  cut[7] = 0;
  d.Write("2-to-shard-0-primary.bin", std::string(1, '\1') + cut);
  d.Write("shard-0-primary.log", "123:M 1 Jan * No cluster configuration found, I'm " + Id('c') +
                                     "\n123:M * Running mode=cluster\n");
  d.Write("shard-2-replica-1.log", "nothing here\n");
  d.Write("notes.txt", "ignored");
  absl::StatusOr<SavedBatch> b = LoadSavedBatch(d.path());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->messages.size(), 2u);
  EXPECT_EQ(b->messages[0].index, 2u);
  EXPECT_EQ(b->messages[0].target, "shard-0-primary");
  EXPECT_EQ(b->messages[0].bytes, a);  // totlen fixed by the flags byte
  EXPECT_EQ(b->messages[1].index, 10u);
  EXPECT_EQ(b->messages[1].target, "shard-1-primary");
  EXPECT_EQ(b->messages[1].file, "10-to-shard-1-primary.bin");
  EXPECT_EQ(b->ids.size(), 1u);
  EXPECT_EQ(b->ids.at(Id('c')), "shard-0-primary");
  EXPECT_EQ(b->shards, 3);
  EXPECT_EQ(b->replicas, 2);  // shard-2-replica-1's log
}

TEST(BusReplay, OneFileGoesToTheDefaultTarget) {
  TempDir d;
  d.Write("x.bin", std::string(1, '\0') + Ping(Id('a'), {}));
  absl::StatusOr<SavedBatch> b = LoadSavedBatch(d.path() + "/x.bin", "shard-4-primary");
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->messages.size(), 1u);
  EXPECT_EQ(b->messages[0].target, "shard-4-primary");
  EXPECT_EQ(b->shards, 5);
  EXPECT_EQ(b->replicas, 0);
}

TEST(BusReplay, RefusesBadBatches) {
  TempDir empty;
  EXPECT_THAT(LoadSavedBatch(empty.path()).status().message(), HasSubstr("no N-to-<node>.bin"));
  EXPECT_FALSE(LoadSavedBatch(empty.path() + "/missing").ok());
  for (const char* name : {"to-shard-0-primary.bin", "1-to-node-3.bin", "x-to-shard-0-primary.bin",
                           "1-shard-0-primary.bin"}) {
    TempDir d;
    d.Write(name, std::string(1, '\0') + Ping(Id('a'), {}));
    EXPECT_THAT(LoadSavedBatch(d.path()).status().message(), HasSubstr("not N-to-<node>.bin"))
        << name;
  }
  TempDir dup;
  dup.Write("1-to-shard-0-primary.bin", std::string(1, '\0') + "RCmb");
  dup.Write("01-to-shard-1-primary.bin", std::string(1, '\0') + "RCmb");
  EXPECT_THAT(LoadSavedBatch(dup.path()).status().message(), HasSubstr("two messages numbered 1"));
  TempDir far;
  far.Write("1-to-shard-9-primary.bin", std::string(1, '\0') + "RCmb");
  EXPECT_THAT(LoadSavedBatch(far.path()).status().message(), HasSubstr("beyond 8 shards"));
  TempDir big;
  big.Write("1-to-shard-0-primary.bin", std::string(kMaxBusMessageBytes + 2, 'x'));
  EXPECT_THAT(LoadSavedBatch(big.path()).status().message(), HasSubstr("larger than"));
  big.Write("1-to-shard-0-primary.bin", std::string(kMaxBusMessageBytes + 1, 'x'));
  EXPECT_TRUE(LoadSavedBatch(big.path()).ok());
}

TEST(BusReplay, MessageCountCap) {
  TempDir d;
  for (size_t i = 0; i < kMaxReplayMessages; ++i) {
    d.Write(absl::StrCat(i, "-to-shard-0-primary.bin"), std::string(1, '\0') + "RCmb");
  }
  absl::StatusOr<SavedBatch> b = LoadSavedBatch(d.path());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->messages.size(), kMaxReplayMessages);
  d.Write(absl::StrCat(kMaxReplayMessages, "-to-shard-0-primary.bin"),
          std::string(1, '\0') + "RCmb");
  EXPECT_THAT(LoadSavedBatch(d.path()).status().message(),
              HasSubstr(absl::StrCat("more than ", kMaxReplayMessages, " messages")));
}

TEST(BusReplay, TranslatesEveryOccurrenceOfAnOldId) {
  const std::string m = Ping(Id('a'), {Id('a'), Id('b'), Id('a')});
  const std::string t = TranslateIds(m, {{Id('a'), Id('z')}, {Id('b'), Id('y')}});
  ASSERT_EQ(t.size(), m.size());
  absl::StatusOr<bus::Message> d = bus::Decode(t);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(std::string(d->header.sender.begin(), d->header.sender.end()), Id('z'));
  ASSERT_EQ(d->gossip.size(), 3u);
  EXPECT_EQ(std::string(d->gossip[0].nodename.begin(), d->gossip[0].nodename.end()), Id('z'));
  EXPECT_EQ(std::string(d->gossip[1].nodename.begin(), d->gossip[1].nodename.end()), Id('y'));
  EXPECT_EQ(std::string(d->gossip[2].nodename.begin(), d->gossip[2].nodename.end()), Id('z'));
  EXPECT_EQ(TranslateIds(m, {}), m);
  EXPECT_EQ(TranslateIds(m, {{"short", Id('z')}}), m);
  const std::string s = WithSender(m, Id('q'));
  EXPECT_EQ(s.substr(40, 40), Id('q'));
  EXPECT_EQ(s.substr(80), m.substr(80));
  EXPECT_EQ(WithSender("RCmb", Id('q')), "RCmb");
}

TEST(BusReplay, DescribesGossipNamesRedisCannotLookUp) {
  std::string bad = Id('c');
  bad[3] = 'C';
  const std::string text = DescribeBusMessage(Ping(Id('a'), {Id('b'), bad}));
  EXPECT_THAT(text, HasSubstr("PING (type 0)"));
  EXPECT_THAT(text, HasSubstr("gossip[0] nodename \"" + Id('b') + "\" ip \"127.0.0.1\""));
  EXPECT_THAT(text, HasSubstr("gossip[1] nodename \"cccCccccc"));
  EXPECT_THAT(text, HasSubstr("ccc\" (not a 7.0.15 node id)"));
  EXPECT_THAT(text, HasSubstr("validator strict: accepted"));
  EXPECT_THAT(text, HasSubstr("validator 7.0.15: accepted"));
  std::string nul = Id('d');
  nul[0] = '\0';
  EXPECT_THAT(DescribeBusMessage(Ping(Id('a'), {nul})), HasSubstr("\"\\x00ddd"));
  EXPECT_THAT(DescribeBusMessage("RCmb"), HasSubstr("4 bytes: shorter"));
  EXPECT_THAT(DescribeBusMessage(std::string(3000, 'x')), HasSubstr("strict: rejected"));
}

// A trial that models a server: a node goes down once every message of
// `needed` has been sent, in any order.
Trial DiesAfterAll(std::set<size_t> needed, int* calls) {
  return [needed, calls](const std::vector<size_t>& list) -> absl::StatusOr<TrialOutcome> {
    ++*calls;
    std::set<size_t> seen;
    TrialOutcome out;
    for (size_t p = 0; p < list.size(); ++p) {
      if (needed.count(list[p])) seen.insert(list[p]);
      if (seen == needed) {
        out.first_down = p;
        out.problems = {"down"};
        break;
      }
    }
    return out;
  };
}

std::vector<size_t> Upto(size_t n) {
  std::vector<size_t> v;
  for (size_t i = 0; i <= n; ++i) v.push_back(i);
  return v;
}

TEST(BusReplay, NarrowsToTheLastMessageAlone) {
  int calls = 0;
  absl::StatusOr<NarrowResult> r = Narrow(Upto(5), DiesAfterAll({5}, &calls), 40);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->minimal, ElementsAre(5));
  EXPECT_EQ(r->trials, 1);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(r->exhausted);
  EXPECT_THAT(r->problems, ElementsAre("down"));
}

TEST(BusReplay, NarrowsToAPair) {
  int calls = 0;
  absl::StatusOr<NarrowResult> r = Narrow(Upto(5), DiesAfterAll({2, 5}, &calls), 40);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->minimal, ElementsAre(2, 5));
  EXPECT_EQ(r->trials, 4);  // {5}, {4,5}, {3,5}, {2,5}
}

TEST(BusReplay, NarrowsToThreeByRemovingOneAtATime) {
  int calls = 0;
  absl::StatusOr<NarrowResult> r = Narrow(Upto(7), DiesAfterAll({1, 4, 7}, &calls), 40);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->minimal, ElementsAre(1, 4, 7));
  EXPECT_FALSE(r->exhausted);
  EXPECT_EQ(r->trials, calls);
}

TEST(BusReplay, AnEarlierDeathShortensTheList) {
  // Message 3 alone takes the node down; the replay saw it only at 5.
  int calls = 0;
  absl::StatusOr<NarrowResult> r = Narrow(Upto(5), DiesAfterAll({3}, &calls), 40);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->minimal, ElementsAre(3));
}

TEST(BusReplay, NarrowingStopsAtMaxTrials) {
  int calls = 0;
  absl::StatusOr<NarrowResult> r = Narrow(Upto(7), DiesAfterAll({1, 4, 7}, &calls), 3);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exhausted);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(r->minimal, Upto(7));  // still a set seen to take a node down
  calls = 0;
  r = Narrow(Upto(7), DiesAfterAll({7}, &calls), 0);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exhausted);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(r->minimal, Upto(7));
}

TEST(BusReplay, NarrowingPassesATrialErrorOn) {
  Trial broken = [](const std::vector<size_t>&) -> absl::StatusOr<TrialOutcome> {
    return absl::UnavailableError("cluster setup: no ports");
  };
  EXPECT_THAT(Narrow(Upto(3), broken, 40).status().message(), HasSubstr("no ports"));
}

// A model of how redis-server 7.0.15 handles the gossip of a PING, PONG or
// MEET (clusterProcessGossipSection, read from its cluster.c): each node has a
// node table keyed by the 40 name bytes; a lookup first refuses a name that
// is not 40 of [a-z0-9]. Only a sender found by that lookup makes gossip about
// unknown nodes count: an entry the lookup does not find and not flagged
// NOADDR is added to the table, and an add of a name already there is the
// assertion. `id_check` false models a server whose lookup takes any bytes.
Trial GossipModel(const SavedBatch& b, bool id_check) {
  return [&b, id_check](const std::vector<size_t>& list) -> absl::StatusOr<TrialOutcome> {
    std::map<std::string, std::set<std::string>> tables;
    auto valid = [&](const std::string& name) {
      return !id_check || std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      });
    };
    TrialOutcome out;
    for (size_t p = 0; p < list.size(); ++p) {
      const SavedMessage& m = b.messages[list[p]];
      std::set<std::string>& table = tables[m.target];
      if (table.empty()) {
        for (const auto& [id, name] : b.ids) table.insert(id);
      }
      // A node reads totlen bytes; fewer than that never make a packet.
      if (m.bytes.size() < 8) continue;
      const uint32_t totlen =
          (static_cast<uint8_t>(m.bytes[4]) << 24) | (static_cast<uint8_t>(m.bytes[5]) << 16) |
          (static_cast<uint8_t>(m.bytes[6]) << 8) | static_cast<uint8_t>(m.bytes[7]);
      if (totlen > m.bytes.size()) continue;
      const std::string packet = m.bytes.substr(0, totlen);
      if (!bus::Validate(packet, bus::Profile::kRedis7015).accepted) continue;
      const uint16_t type =
          (static_cast<uint8_t>(packet[12]) << 8) | static_cast<uint8_t>(packet[13]);
      if (type != bus::kPing && type != bus::kPong && type != bus::kMeet) continue;
      const std::string sender = packet.substr(40, bus::kNameLen);
      if (!valid(sender) || !table.count(sender)) continue;
      const size_t count =
          (static_cast<uint8_t>(packet[14]) << 8) | static_cast<uint8_t>(packet[15]);
      for (size_t i = 0; i < count && !out.first_down; ++i) {
        const size_t at = bus::kHeaderLen + i * bus::kGossipLen;
        const std::string name = packet.substr(at, bus::kNameLen);
        const uint16_t flags =
            (static_cast<uint8_t>(packet[at + 98]) << 8) | static_cast<uint8_t>(packet[at + 99]);
        if (valid(name) && table.count(name)) continue;  // known: no add
        if (flags & 64) continue;                        // NOADDR
        if (!table.insert(name).second) {
          out.first_down = p;
          out.problems = {m.target + ": the model's retval == DICT_OK"};
        }
      }
      if (out.first_down) break;
    }
    return out;
  };
}

TEST(BusReplay, TheSavedSeed1BatchNarrowsToItsGossipMessage) {
  absl::StatusOr<SavedBatch> b = LoadSavedBatch(kFixture);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->messages.size(), 20u);
  EXPECT_EQ(b->ids.size(), 3u);
  EXPECT_EQ(b->ids.at("3e92db3564ac583f67ebc854f5c7f412f6cf8a17"), "shard-0-primary");
  EXPECT_EQ(b->shards, 3);
  EXPECT_EQ(b->replicas, 0);
  std::vector<size_t> all = Upto(19);
  // As on the live nodes: the 11th message (10-to-shard-1-primary.bin) takes
  // shard-1-primary down, and alone it does so on a fresh node.
  absl::StatusOr<TrialOutcome> first = GossipModel(*b, true)(all);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->first_down.has_value());
  EXPECT_EQ(*first->first_down, 10u);
  EXPECT_EQ(b->messages[10].file, "10-to-shard-1-primary.bin");
  absl::StatusOr<NarrowResult> r = Narrow(Upto(10), GossipModel(*b, true), kDefaultMaxTrials);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->minimal, ElementsAre(10));
  EXPECT_EQ(r->trials, 1);
  const std::string text = DescribeBusMessage(b->messages[10].bytes);
  EXPECT_THAT(text, HasSubstr("gossip[1] nodename \"\\x00\\x00"));
  EXPECT_THAT(text, HasSubstr("(not a 7.0.15 node id)"));
  EXPECT_THAT(text, HasSubstr("reads the first 2464 bytes (totlen) as this packet"));
  EXPECT_THAT(text, HasSubstr("validator 7.0.15: accepted"));
  // The same batch on a server whose lookup takes any name: no node goes down.
  absl::StatusOr<TrialOutcome> fixed = GossipModel(*b, false)(all);
  ASSERT_TRUE(fixed.ok());
  EXPECT_FALSE(fixed->first_down.has_value());
}

TEST(BusReplay, TheSeedsAbortTheModelAndPingDoesNot) {
  const std::string dir = std::string(RESPFUZZ_SOURCE_DIR) + "/corpus/cluster_bus/";
  for (const char* seed : {"redis7015_gossip_same_nul_name_twice.bin",
                           "redis7015_gossip_same_uppercase_name_twice.bin", "ping.bin"}) {
    absl::StatusOr<SavedBatch> b = LoadSavedBatch(dir + seed);
    ASSERT_TRUE(b.ok()) << b.status();
    // The seeds' sender is a node of the table, as --sender makes it.
    b->ids[b->messages[0].bytes.substr(40, bus::kNameLen)] = "shard-0-primary";
    absl::StatusOr<TrialOutcome> out = GossipModel(*b, true)({0});
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->first_down.has_value(), std::string(seed) != "ping.bin") << seed;
    EXPECT_TRUE(bus::Validate(b->messages[0].bytes, bus::Profile::kStrict).accepted) << seed;
    EXPECT_TRUE(bus::Validate(b->messages[0].bytes, bus::Profile::kRedis7015).accepted) << seed;
  }
}

// Against real redis-server 7.0.15 nodes: the seed takes a fresh node down
// with the assertion; plain PING (two gossip entries with the same valid
// name) does not. Two clusters of 3 nodes, about 8 s.
TEST(BusReplayLive, TheSeedAbortsAFreshNodeAndPingDoesNot) {
  const std::string dir = std::string(RESPFUZZ_SOURCE_DIR) + "/corpus/cluster_bus/";
  ReplayOptions o;
  o.sender = "shard-0-primary";
  absl::StatusOr<SavedBatch> b =
      LoadSavedBatch(dir + "redis7015_gossip_same_nul_name_twice.bin", "shard-1-primary");
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<TrialOutcome> out = RunReplayTrial(*b, {0}, o);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(out->first_down.has_value());
  EXPECT_EQ(*out->first_down, 0u);
  EXPECT_THAT(out->problems, testing::Contains(HasSubstr("'retval == DICT_OK' is not true")));
  EXPECT_THAT(out->problems, testing::Contains(HasSubstr("shard-1-primary exited with signal 6")));
  b = LoadSavedBatch(dir + "ping.bin", "shard-1-primary");
  ASSERT_TRUE(b.ok()) << b.status();
  out = RunReplayTrial(*b, {0}, o);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->first_down.has_value()) << testing::PrintToString(out->problems);
  o.sender = "shard-5-primary";
  EXPECT_THAT(RunReplayTrial(*b, {0}, o).status().message(), HasSubstr("no node shard-5-primary"));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The lines of a node's log where it says it dropped a packet.
size_t DroppedPacketLines(const std::string& log) {
  size_t n = 0;
  for (size_t at = log.find("# Received "); at != std::string::npos;
       at = log.find("# Received ", at + 1)) {
    ++n;
  }
  return n;
}

// Against a real redis-server 7.0.15 node: a PING of extensions of 65544, 8
// and 8 bytes, laid out right, is dropped with the expected length the 7.0.15
// profile computes, 2280 (its 16-bit lengths read where getNextPingExt finds
// the headers, 64 KiB on; stepping by 16 bits, the headers planted inside the
// first extension would add up to totlen and the packet would pass). A PING
// both accept is not dropped. One node, about 2 s.
TEST(BusReplayLive, TheNodeDropsA64KiBExtensionAsThe7015ProfileSays) {
  ClusterOptions co;
  co.shards = 1;
  co.replicas = 0;
  absl::StatusOr<std::unique_ptr<LocalCluster>> c = LocalCluster::Create(co);
  ASSERT_TRUE(c.ok()) << c.status();
  const Node& node = (*c)->nodes()[0];
  const std::string log = node.dir + "/redis.log";

  const std::string big = BusMessageFromCorpusFile(
      ReadAll(std::string(RESPFUZZ_SOURCE_DIR) +
              "/tests/regressions/cluster_bus/ext-64k-next-header-by-32-bit-length.bin"));
  ASSERT_EQ(big.size(), 67816u);
  EXPECT_TRUE(bus::Validate(big).accepted);
  const bus::Decision r7 = bus::Validate(big, bus::Profile::kRedis7015);
  EXPECT_FALSE(r7.accepted);
  EXPECT_EQ(r7.reason, "PING: totlen 67816 but expected 2280");
  const size_t before = DroppedPacketLines(ReadAll(log));
  const BusDelivery d = SendToBusPortAndWait(node.port + 10000, big, 15000);
  ASSERT_TRUE(d.all_sent && d.closed);
  const std::string after_big = ReadAll(log);
  EXPECT_THAT(after_big,
              HasSubstr("Received invalid ping packet of length 67816 but expected length 2280"));
  EXPECT_EQ(DroppedPacketLines(after_big), before + 1);

  const std::string ping = BusMessageFromCorpusFile(
      ReadAll(std::string(RESPFUZZ_SOURCE_DIR) + "/corpus/cluster_bus/ext_hostname.bin"));
  EXPECT_TRUE(bus::Validate(ping, bus::Profile::kRedis7015).accepted);
  ASSERT_TRUE(SendToBusPortAndWait(node.port + 10000, ping, 15000).closed);
  EXPECT_EQ(DroppedPacketLines(ReadAll(log)), before + 1);
  EXPECT_EQ(Call(node.port, {"PING"})->str, "PONG");
}

}  // namespace
}  // namespace respfuzz::cluster_chaos
