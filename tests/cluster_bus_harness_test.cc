// The cluster_bus harness: every seed passes; the defect seeds are rejected by
// the strict validator (and accepted by the 7.0.15 profile); each check fails
// on a codec broken in the way it guards against.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "harnesses/cluster_bus/checks.h"
#include "harnesses/common/registry.h"
#include "harnesses/models/cluster_bus_reference.h"
#include "src/cluster/bus.h"

namespace respfuzz::harnesses {
namespace {

namespace bus = cluster::bus;

std::string Seed(const std::string& name) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/corpus/cluster_bus/" + name + ".bin",
                   std::ios::binary);
  std::string s(std::istreambuf_iterator<char>(in), {});
  EXPECT_FALSE(s.empty()) << name;
  return s;
}

TEST(ClusterBusHarness, EverySeedPasses) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(RESPFUZZ_SOURCE_DIR) +
                                                           "/corpus/cluster_bus")) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string s(std::istreambuf_iterator<char>(in), {});
    EXPECT_TRUE(RunClusterBus(s).ok) << e.path() << ": " << RunClusterBus(s).ToString();
    ++n;
  }
  EXPECT_GE(n, 30u);
  ASSERT_NE(FindHarness("cluster_bus"), nullptr);
}

TEST(ClusterBusHarness, ValidSeedsAcceptedDefectSeedsRejected) {
  for (const char* name :
       {"ping", "pong", "meet", "fail", "publish", "publishshard", "failover_auth_request",
        "failover_auth_ack", "update", "mfstart", "module", "unknown_type", "ext_hostname",
        "ext_human_nodename", "ext_forgotten_node", "ext_shard_id", "ext_all", "redis7015_meet"}) {
    ClusterBusInput in = DecodeClusterBusInput(Seed(name));
    EXPECT_TRUE(bus::Validate(in.message).accepted)
        << name << ": " << bus::Validate(in.message).reason;
  }
  for (const char* name : {"bug_publish_len_wrap", "bug_publishshard_len_wrap", "bug_ext_len_16bit",
                           "bug_ext_len_16bit_then_another", "bug_hostname_unterminated",
                           "bug_human_nodename_unterminated"}) {
    ClusterBusInput in = DecodeClusterBusInput(Seed(name));
    bus::Decision strict = bus::Validate(in.message);
    EXPECT_FALSE(strict.accepted) << name;
    EXPECT_FALSE(strict.reason.empty()) << name;
    EXPECT_FALSE(models::CheckBusLengths(
                     std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(in.message.data()),
                                              in.message.size()))
                     .valid)
        << name;
  }
  // The three classes as Redis 7.0.15 decides them: accepted, read past the end
  // (human node names are unknown to 7.0.15, so that seed is harmless there;
  // a 16-bit extension length is harmless as the last extension, as no
  // header is read where it points).
  for (const char* name : {"bug_publish_len_wrap", "bug_publishshard_len_wrap",
                           "bug_ext_len_16bit_then_another", "bug_hostname_unterminated"}) {
    ClusterBusInput in = DecodeClusterBusInput(Seed(name));
    bus::Decision redis = bus::Validate(in.message, bus::Profile::kRedis7015);
    EXPECT_TRUE(redis.accepted && redis.reads_past_end) << name;
  }
  bus::Decision last = bus::Validate(DecodeClusterBusInput(Seed("bug_ext_len_16bit")).message,
                                     bus::Profile::kRedis7015);
  EXPECT_TRUE(last.accepted && !last.reads_past_end);
}

std::string Regression(const std::string& name) {
  std::ifstream in(
      std::string(RESPFUZZ_SOURCE_DIR) + "/tests/regressions/cluster_bus/" + name + ".bin",
      std::ios::binary);
  std::string s(std::istreambuf_iterator<char>(in), {});
  EXPECT_FALSE(s.empty()) << name;
  return s;
}

// A 7.0.15 profile that decides as the strict one does (as if 7.0.15 had no
// 16-bit extension lengths): the redis-7015 check sees that a message with an
// extension of 64 KiB or more is accepted.
class Redis7015AsStrict : public BusCodecUnderTest {
 public:
  bus::Decision Validate(std::string_view b, bus::Profile) override {
    return bus::Validate(b, bus::Profile::kStrict);
  }
};

// 65544 + 8 + 8 bytes of extensions, laid out right: 7.0.15 rejects it (its
// 16-bit sum is 24), reading every header in bounds.
TEST(ClusterBusHarness, SixtyFourKiBExtensionThenMore) {
  const std::string input = Regression("ext-64k-next-header-by-32-bit-length");
  EXPECT_TRUE(RunClusterBus(input).ok) << RunClusterBus(input).ToString();
  const bus::Decision redis =
      bus::Validate(DecodeClusterBusInput(input).message, bus::Profile::kRedis7015);
  EXPECT_FALSE(redis.accepted);
  EXPECT_FALSE(redis.reads_past_end);
  Redis7015AsStrict as_strict;
  fuzz::Verdict v = CheckClusterBus(as_strict, input);
  EXPECT_EQ(v.check, "redis-7015") << v.ToString();
  EXPECT_NE(v.message.find("(an extension of 64 KiB or more), 7.0.15 accepts"), std::string::npos)
      << v.message;
  // Under 64 KiB, the same profile is right.
  EXPECT_TRUE(CheckClusterBus(as_strict, Seed("ext_all")).ok);
}

TEST(ClusterBusHarness, FixTotlenFlag) {
  std::string s = Seed("fix_totlen_publish");
  s.append("xyz");  // longer message, totlen now wrong unless fixed
  ClusterBusInput in = DecodeClusterBusInput(s);
  EXPECT_EQ(in.message.size(), s.size() - 1);
  EXPECT_EQ(static_cast<uint8_t>(in.message[7]), (in.message.size() & 0xff));
  EXPECT_TRUE(RunClusterBus(s).ok);
  EXPECT_TRUE(RunClusterBus("").ok);
  EXPECT_TRUE(RunClusterBus(std::string(1, '\x01')).ok);
}

// Forgets the NUL-terminator rule: the reference check sees it.
class NoTerminatorCheck : public BusCodecUnderTest {
 public:
  bus::Decision Validate(std::string_view b, bus::Profile p) override {
    bus::Decision d = bus::Validate(b, p);
    if (!d.accepted && d.reason.find("NUL") != std::string::npos)
      return bus::Decision{true, "", false};
    return d;
  }
};

// Rejects without saying why.
class SilentReject : public BusCodecUnderTest {
 public:
  bus::Decision Validate(std::string_view b, bus::Profile p) override {
    bus::Decision d = bus::Validate(b, p);
    d.reason.clear();
    return d;
  }
};

// Decode disagrees with Validate on the reason.
class OtherDecodeReason : public BusCodecUnderTest {
 public:
  absl::StatusOr<bus::Message> Decode(std::string_view b) override {
    auto m = bus::Decode(b);
    if (!m.ok()) return absl::InvalidArgumentError("something else");
    return m;
  }
};

// Encodes the gossip's pport as zero.
class DropsPport : public BusCodecUnderTest {
 public:
  std::string Encode(const bus::Message& m) override {
    bus::Message copy = m;
    for (auto& g : copy.gossip) g.pport = 0;
    return bus::Encode(copy);
  }
};

// Decodes the PUBLISH message one byte short (Encode then writes it short).
class ShortPublish : public BusCodecUnderTest {
 public:
  absl::StatusOr<bus::Message> Decode(std::string_view b) override {
    auto m = bus::Decode(b);
    if (m.ok() && !m->message.empty()) m->message.pop_back();
    return m;
  }
};

// Accepts what the strict validator should not: any PING ext length % 8 != 0
// passes as if aligned. The reference disagrees.
class AcceptsMisaligned : public BusCodecUnderTest {
 public:
  bus::Decision Validate(std::string_view b, bus::Profile p) override {
    bus::Decision d = bus::Validate(b, p);
    if (!d.accepted && d.reason.find("multiple of 8") != std::string::npos) d = {true, "", false};
    return d;
  }
};

// A 7.0.15 profile that reads past the end everywhere: the redis-7015 check sees it.
class PastEnd7015 : public BusCodecUnderTest {
 public:
  bus::Decision Validate(std::string_view b, bus::Profile p) override {
    bus::Decision d = bus::Validate(b, p);
    if (p == bus::Profile::kRedis7015) d.reads_past_end = true;
    return d;
  }
};

TEST(ClusterBusHarness, EachCheckCanFail) {
  NoTerminatorCheck no_nul;
  fuzz::Verdict v = CheckClusterBus(no_nul, Seed("bug_hostname_unterminated"));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "reference");

  AcceptsMisaligned misaligned;
  v = CheckClusterBus(misaligned, Seed("ext_misaligned"));
  EXPECT_EQ(v.check, "reference");

  SilentReject silent;
  v = CheckClusterBus(silent, Seed("fail_one_short"));
  EXPECT_EQ(v.check, "reason");

  OtherDecodeReason other;
  v = CheckClusterBus(other, Seed("bad_version"));
  EXPECT_EQ(v.check, "reason");

  DropsPport pport;
  std::string ping = Seed("redis7015_meet");
  EXPECT_TRUE(CheckClusterBus(pport, ping).ok);  // pport is 0 in the real MEET
  std::string seed = Seed("ping");
  // Gossip entry 0's pport (header 2256 + 100, after the flags byte).
  seed[1 + 2256 + 101] = 7;
  EXPECT_TRUE(RunClusterBus(seed).ok);
  v = CheckClusterBus(pport, seed);
  EXPECT_EQ(v.check, "roundtrip");

  ShortPublish short_publish;
  v = CheckClusterBus(short_publish, Seed("publish"));
  EXPECT_EQ(v.check, "roundtrip");

  PastEnd7015 past_end;
  v = CheckClusterBus(past_end, Seed("fail"));
  EXPECT_EQ(v.check, "redis-7015");
}

}  // namespace
}  // namespace respfuzz::harnesses
