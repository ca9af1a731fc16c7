// The known findings bus-fuzz --skip-known leaves unsent
// (tools/cluster/known_findings.h): each rule matches the frozen message that
// shows its defect, stays off what the defect needs changed, and applies to
// the targets the defect is in.
#include "tools/cluster/known_findings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "src/cluster/bus.h"
#include "tools/cluster/bus_fuzz.h"

namespace respfuzz::cluster_chaos {
namespace {

namespace bus = cluster::bus;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string CorpusMessage(const std::string& name) {
  const std::string bytes = ReadFile(std::string(RESPFUZZ_SOURCE_DIR) + "/" + name);
  EXPECT_FALSE(bytes.empty()) << name;
  return BusMessageFromCorpusFile(bytes);
}

std::string Matched(const std::string& message, std::string_view target) {
  const KnownBusFinding* f = MatchKnownBusFinding(message, KnownBusFindingsFor(target));
  return f == nullptr ? "" : f->id;
}

bus::Message PingWithGossip(std::string_view name) {
  bus::Message m;
  m.header.type = bus::kPing;
  m.header.sender = bus::MakeName(std::string(40, 'a'));
  bus::Gossip g;
  g.nodename = bus::MakeName(name);
  m.gossip.push_back(g);
  return m;
}

// A PING with one 8-byte hostname extension whose length field is then
// overwritten with `len`.
std::string PingWithExtensionLength(uint32_t len, bool ext_flag = true) {
  bus::Message m;
  m.header.type = bus::kPing;
  m.extensions.push_back(bus::StringExtension(bus::kExtHostname, "h"));
  if (ext_flag) m.header.mflags[0] = bus::kFlag0ExtData;
  std::string bytes = bus::Encode(m);
  const size_t at = bus::kHeaderLen;
  for (int k = 0; k < 4; ++k) bytes[at + k] = static_cast<char>(len >> (24 - 8 * k));
  return bytes;
}

TEST(KnownBusFindings, TheFrozenGossipAbortMatchesOn7015Only) {
  for (const char* seed : {"corpus/cluster_bus/redis7015_gossip_same_nul_name_twice.bin",
                           "corpus/cluster_bus/redis7015_gossip_same_uppercase_name_twice.bin"}) {
    const std::string m = CorpusMessage(seed);
    EXPECT_EQ(Matched(m, "redis-7.0"), "redis-gossip-invalid-name") << seed;
    EXPECT_EQ(Matched(m, "redis-8.0"), "") << seed;
    EXPECT_EQ(Matched(m, "valkey-9.1"), "") << seed;
    EXPECT_EQ(Matched(m, ""), "redis-gossip-invalid-name") << seed;
  }
}

TEST(KnownBusFindings, TheFrozenExtensionCrashMatchesOnRedisOnly) {
  const std::string m = BusMessageFromCorpusFile(
      ReadFile(std::string(RESPFUZZ_SOURCE_DIR) +
               "/tests/fixtures/cluster/ext_len_16bit_truncated_ping.bin"));
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(Matched(m, "redis-7.0"), "redis-ext-length-16bit");
  EXPECT_EQ(Matched(m, "redis-8.0"), "redis-ext-length-16bit");
  EXPECT_EQ(Matched(m, "valkey-9.1"), "");
}

TEST(KnownBusFindings, GossipRuleMatchesOnlyAnInvalidName) {
  const std::string valid(40, 'f');
  EXPECT_EQ(Matched(bus::Encode(PingWithGossip(valid)), "redis-7.0"), "");
  std::string upper = valid;
  upper[17] = 'F';
  EXPECT_EQ(Matched(bus::Encode(PingWithGossip(upper)), "redis-7.0"), "redis-gossip-invalid-name");
  // A FAIL names a node too, but not in a gossip section.
  bus::Message fail;
  fail.header.type = bus::kFail;
  fail.fail_nodename = bus::MakeName(upper);
  EXPECT_EQ(Matched(bus::Encode(fail), "redis-7.0"), "");
  // The count says how many entries there are: one past it is not gossip.
  std::string zero_count = bus::Encode(PingWithGossip(upper));
  zero_count[14] = zero_count[15] = 0;
  EXPECT_EQ(Matched(zero_count, "redis-7.0"), "");
}

TEST(KnownBusFindings, ExtensionRuleMatchesOnlyALengthAbove16Bits) {
  EXPECT_EQ(Matched(PingWithExtensionLength(8), "redis-8.0"), "");
  EXPECT_EQ(Matched(PingWithExtensionLength(0xfff8), "redis-8.0"), "");
  EXPECT_EQ(Matched(PingWithExtensionLength(0x10000), "redis-8.0"), "redis-ext-length-16bit");
  EXPECT_EQ(Matched(PingWithExtensionLength(0x7f000038), "redis-8.0"), "redis-ext-length-16bit");
  // Without EXT_DATA the validation does not walk the extensions: not this
  // finding, but the one of extensions without the flag.
  EXPECT_EQ(Matched(PingWithExtensionLength(0x10000, false), "redis-8.0"),
            "extensions-without-ext-data");
}

TEST(KnownBusFindings, ExtensionsWithoutTheFlagMatchOnEveryTarget) {
  // The MEET bus-fuzz seed 11 sent before a node of each server crashed.
  const std::string m = BusMessageFromCorpusFile(
      ReadFile(std::string(RESPFUZZ_SOURCE_DIR) +
               "/tests/fixtures/cluster/ext_without_flag_meet/1-to-shard-0-primary.bin"));
  ASSERT_FALSE(m.empty());
  for (const char* target : {"redis-7.0", "redis-8.0", "valkey-9.1"})
    EXPECT_EQ(Matched(m, target), "extensions-without-ext-data") << target;
  // With the flag set the extensions are validated: not this finding.
  bus::Message ping;
  ping.header.type = bus::kPing;
  ping.extensions.push_back(bus::StringExtension(bus::kExtHostname, "h"));
  ping.header.mflags[0] = bus::kFlag0ExtData;
  EXPECT_EQ(Matched(bus::Encode(ping), "valkey-9.1"), "");
  // No extensions, no flag: nothing is walked.
  ping.extensions.clear();
  ping.header.mflags[0] = 0;
  EXPECT_EQ(Matched(bus::Encode(ping), "valkey-9.1"), "");
  // A count without the flag.
  std::string bytes = bus::Encode(ping);
  bytes[2214] = 0;
  bytes[2215] = 1;
  EXPECT_EQ(Matched(bytes, "valkey-9.1"), "extensions-without-ext-data");
}

TEST(KnownBusFindings, EveryPacketOnTheLinkIsLookedAt) {
  const std::string good = bus::Encode(PingWithGossip(std::string(40, 'f')));
  const std::string bad = bus::Encode(PingWithGossip(std::string(40, '\0')));
  EXPECT_EQ(PacketsOnLink(good + bad).size(), 2u);
  EXPECT_EQ(Matched(good + bad, "redis-7.0"), "redis-gossip-invalid-name");
  // After bytes that are not a packet header a node closes the link.
  EXPECT_EQ(PacketsOnLink(good + "junk!!!!" + bad).size(), 1u);
  EXPECT_EQ(Matched(good + "junk!!!!" + bad, "redis-7.0"), "");
}

TEST(KnownBusFindings, TargetsAreKnownNames) {
  EXPECT_EQ(KnownBusFindingsFor("valkey-9.1").size(), 1u);
  EXPECT_EQ(KnownBusFindingsFor("redis-8.0").size(), 2u);
  EXPECT_EQ(KnownBusFindingsFor("redis-7.0").size(), 3u);
  EXPECT_EQ(KnownBusFindingsFor("").size(), KnownBusFindings().size());
}

}  // namespace
}  // namespace respfuzz::cluster_chaos
