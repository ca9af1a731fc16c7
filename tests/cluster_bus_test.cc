// The cluster bus codec and validator: a MEET captured from redis-server
// 7.0.15 (tests/fixtures/cluster/, see docs/cluster.md for how it was taken)
// decodes and re-encodes to the same bytes; every type round-trips; each
// validation rule rejects at its boundary; the three known defect classes are
// rejected by the strict profile and shown accepted by the 7.0.15 profile.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "src/cluster/bus.h"

namespace respfuzz::cluster::bus {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/tests/fixtures/cluster/" + name,
                   std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Message Base(uint16_t type) {
  Message m;
  m.header.type = type;
  m.header.port = 7000;
  m.header.cport = 17000;
  m.header.sender = MakeName("b68cfc449ec881591d5092531d4bcb6cd0c07067");
  m.header.myip = MakeIp("127.0.0.1");
  m.header.flags = 1;
  m.header.current_epoch = 3;
  return m;
}

constexpr size_t kOffExtensionsForTest = 2214;  // the header's `extensions` (bus.h)

void Set32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>(v >> (24 - 8 * i));
}

TEST(ClusterBus, DecodesARealMeetFromRedis7015) {
  std::string bytes = ReadFixture("redis7015_meet_gossip_hostname.bin");
  ASSERT_EQ(bytes.size(), 2392u);
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->header.type, kMeet);
  EXPECT_EQ(m->header.ver, 1);
  EXPECT_EQ(m->header.port, 21801);
  EXPECT_EQ(m->header.cport, 31801);
  EXPECT_EQ(std::string(m->header.sender.data(), 40), "b68cfc449ec881591d5092531d4bcb6cd0c07067");
  EXPECT_EQ(m->header.flags, 17);  // CLUSTER_NODE_MASTER | CLUSTER_NODE_MYSELF
  // Slots 0..5460 were added to this node: byte 0 all set, slot 5460 set, 5461 clear.
  EXPECT_EQ(m->header.myslots[0], 0xff);
  EXPECT_TRUE(m->header.myslots[5460 / 8] & (1 << (5460 & 7)));
  EXPECT_FALSE(m->header.myslots[5461 / 8] & (1 << (5461 & 7)));
  ASSERT_EQ(m->gossip.size(), 1u);
  EXPECT_EQ(std::string(m->gossip[0].nodename.data(), 40),
            "15c629c29a100a3e1f9bdf3223ee3bc13ac4ec3d");
  EXPECT_EQ(m->gossip[0].port, 21802);
  EXPECT_EQ(m->gossip[0].cport, 31802);
  EXPECT_EQ(std::string(m->gossip[0].ip.data()), "127.0.0.1");
  EXPECT_TRUE(m->header.mflags[0] & kFlag0ExtData);
  ASSERT_EQ(m->extensions.size(), 1u);
  EXPECT_EQ(m->extensions[0].type, kExtHostname);
  EXPECT_EQ(std::string(m->extensions[0].data.c_str()), "host-one.example");
  EXPECT_EQ(m->extensions[0].data.size(), 24u);  // 16 + NUL, padded to 8
  EXPECT_EQ(Encode(*m), bytes);
  EXPECT_TRUE(Validate(bytes, Profile::kRedis7015).accepted);
}

TEST(ClusterBus, EveryTypeRoundTrips) {
  std::vector<Message> msgs;
  Message ping = Base(kPing);
  Gossip g;
  g.nodename = MakeName("15c629c29a100a3e1f9bdf3223ee3bc13ac4ec3d");
  g.ip = MakeIp("10.0.0.2");
  g.port = 7001;
  ping.gossip = {g, g};
  ping.header.mflags[0] = kFlag0ExtData;
  ping.extensions = {
      StringExtension(kExtHostname, "a.example"), StringExtension(kExtHumanNodename, "node-1"),
      ForgottenNodeExtension(MakeName("dead"), 60), ShardIdExtension(MakeName("s1"))};
  msgs.push_back(ping);
  msgs.push_back(Base(kPong));
  Message fail = Base(kFail);
  fail.fail_nodename = MakeName("x");
  msgs.push_back(fail);
  for (uint16_t t : {kPublish, kPublishShard}) {
    Message p = Base(t);
    p.channel = "news";
    p.message = "hello world";
    msgs.push_back(p);
  }
  msgs.push_back(Base(kFailoverAuthRequest));
  msgs.push_back(Base(kFailoverAuthAck));
  msgs.push_back(Base(kMfStart));
  Message upd = Base(kUpdate);
  upd.update_config_epoch = 9;
  upd.update_slots[3] = 0x81;
  msgs.push_back(upd);
  Message mod = Base(kModule);
  mod.module_id = 0x1122334455667788ull;
  mod.module_type = 7;
  mod.module_payload = std::string("\0\1payload", 9);
  msgs.push_back(mod);
  Message unknown = Base(200);
  unknown.raw_body = "anything";
  msgs.push_back(unknown);
  for (Message& m : msgs) {
    std::string bytes = Encode(m);
    auto d = Decode(bytes);
    ASSERT_TRUE(d.ok()) << MsgTypeName(m.header.type) << ": " << d.status();
    m.header.totlen = static_cast<uint32_t>(bytes.size());
    if (m.header.type <= kMeet) {
      m.header.count = static_cast<uint16_t>(m.gossip.size());
      m.header.extensions = static_cast<uint16_t>(m.extensions.size());
    }
    EXPECT_EQ(*d, m) << MsgTypeName(m.header.type);
    EXPECT_EQ(Encode(*d), bytes);
    EXPECT_TRUE(Validate(bytes, Profile::kRedis7015).accepted) << MsgTypeName(m.header.type);
  }
}

TEST(ClusterBus, LengthBoundaries) {
  std::string fail = Encode(Base(kFail));
  ASSERT_EQ(fail.size(), kHeaderLen + kFailBodyLen);
  EXPECT_TRUE(Validate(fail).accepted);
  std::string shorter = fail.substr(0, fail.size() - 1);
  Set32(&shorter, 4, static_cast<uint32_t>(shorter.size()));
  EXPECT_EQ(Validate(shorter).reason, "FAIL: totlen 2295 but expected 2296");
  std::string cut = fail.substr(0, fail.size() - 1);  // totlen says more than there is
  EXPECT_EQ(Validate(cut).reason, "totlen 2296 but the message has 2295 bytes");
  EXPECT_EQ(Validate("RCmb").reason, "only 4 bytes, the preamble is 8");
  std::string bad_sig = fail;
  bad_sig[0] = 'X';
  EXPECT_FALSE(Validate(bad_sig).accepted);
  std::string low = Encode(Base(kMfStart));
  EXPECT_TRUE(Validate(low).accepted);
  Set32(&low, 4, kHeaderLen - 1);
  low.pop_back();
  EXPECT_EQ(Validate(low).reason, "totlen 2255 below the header length 2256");
  std::string ver = fail;
  ver[9] = 2;
  EXPECT_EQ(Validate(ver).reason, "protocol version 2, not 1");
  // PUBLISH without room for its two lengths.
  std::string pub = Encode(Base(kPublish)).substr(0, kHeaderLen + 7);
  Set32(&pub, 4, static_cast<uint32_t>(pub.size()));
  EXPECT_FALSE(Validate(pub).accepted);
  // Gossip count one past what the bytes hold.
  Message ping = Base(kPing);
  ping.gossip.resize(2);
  std::string p = Encode(ping);
  p[15] = 3;
  EXPECT_EQ(Validate(p).reason, "PING: 3 gossip entries need 2568 bytes, totlen is 2464");
}

TEST(ClusterBus, ExtensionRules) {
  Message ping = Base(kPing);
  ping.header.mflags[0] = kFlag0ExtData;
  ping.extensions = {StringExtension(kExtHostname, "h")};  // data: "h\0" + 6 pad = 8
  std::string ok = Encode(ping);
  ASSERT_TRUE(Validate(ok).accepted);
  const size_t ext = kHeaderLen;
  std::string s = ok;
  Set32(&s, ext, 12);  // not a multiple of 8
  EXPECT_EQ(Validate(s).reason, "PING: extension 0 length 12 not a multiple of 8");
  s = ok;
  Set32(&s, ext, 4);
  EXPECT_EQ(Validate(s).reason, "PING: extension 0 length 4 below 8");
  s = ok;
  Set32(&s, ext, 24);
  EXPECT_EQ(Validate(s).reason, "PING: extension 0 length 24 exceeds the 16 bytes left");
  s = ok;
  s[2213 + 2] = 2;  // extensions = 2: the second header is past the end
  EXPECT_EQ(Validate(s).reason, "PING: extension 1 header past the end");
  s = ok;
  s[kHeaderLen - 3] = 0;  // EXT_DATA cleared, extensions still 1
  EXPECT_EQ(Validate(s).reason, "PING: 1 extensions without the EXT_DATA flag");
  // The typed extensions at their fixed sizes and one 8-byte step under.
  ping.extensions = {ShardIdExtension(MakeName("s"))};
  EXPECT_TRUE(Validate(Encode(ping)).accepted);
  ping.extensions[0].data.resize(32);
  EXPECT_FALSE(Validate(Encode(ping)).accepted);
  ping.extensions = {ForgottenNodeExtension(MakeName("n"), 1)};
  EXPECT_TRUE(Validate(Encode(ping)).accepted);
  ping.extensions[0].data.resize(40);
  EXPECT_FALSE(Validate(Encode(ping)).accepted);
  // Unknown extension types are skipped, as Redis does.
  ping.extensions = {Extension{99, 0, std::string(16, 'z')}};
  EXPECT_TRUE(Validate(Encode(ping)).accepted);
}

// Known defect 1: PUBLISH channel_len + message_len wrapping a 32-bit sum.
TEST(ClusterBus, PublishLengthWrapRejected) {
  Message pub = Base(kPublish);
  pub.channel = "ch";
  pub.message = "msg!!!";  // 8 payload bytes in total
  std::string s = Encode(pub);
  Set32(&s, kHeaderLen, 0x80000004u);
  Set32(&s, kHeaderLen + 4, 0x80000004u);  // sum 2^32 + 8 == 8 (mod 2^32)
  Decision strict = Validate(s);
  EXPECT_FALSE(strict.accepted);
  EXPECT_EQ(strict.reason, "PUBLISH: totlen 2272 but expected 4294969568");
  Decision redis = Validate(s, Profile::kRedis7015);
  EXPECT_TRUE(redis.accepted);  // what 7.0.15 does
  EXPECT_TRUE(redis.reads_past_end);
}

// Known defect 2: an extension length kept in 16 bits.
TEST(ClusterBus, ExtensionLengthIn16BitsRejected) {
  Message ping = Base(kPing);
  ping.header.mflags[0] = kFlag0ExtData;
  ping.extensions = {Extension{99, 0, ""}};  // an 8-byte extension
  std::string s = Encode(ping);
  Set32(&s, kHeaderLen, 0x10008);  // 65544: its low 16 bits say 8
  Decision strict = Validate(s);
  EXPECT_FALSE(strict.accepted);
  EXPECT_EQ(strict.reason, "PING: extension 0 length 65544 exceeds the 8 bytes left");
  Decision redis = Validate(s, Profile::kRedis7015);
  EXPECT_TRUE(redis.accepted);
  // The last extension: getNextPingExt steps 65544 bytes on, but nothing
  // is read there.
  EXPECT_FALSE(redis.reads_past_end);
  // Followed by another, that one's header is read 65544 bytes on: past the
  // end (zeros there make a zero-length extension, which 7.0.15 lets pass).
  s[kOffExtensionsForTest + 1] = 2;
  strict = Validate(s);
  EXPECT_FALSE(strict.accepted);
  redis = Validate(s, Profile::kRedis7015);
  EXPECT_TRUE(redis.accepted);
  EXPECT_TRUE(redis.reads_past_end);
}

// A PING laid out as its 32-bit lengths say (the strict validator accepts it):
// three extensions of 65544, 8 and 8 bytes, totlen 67816. The first one's
// data holds what would be extension headers to code that stepped by the
// 16-bit length: 65528 bytes at its offset 8, 24 bytes at its offset 65536;
// by those, the lengths would add up to totlen.
std::string SixtyFourKiBThenTwo() {
  Message ping = Base(kPing);
  ping.header.mflags[0] = kFlag0ExtData;
  std::string data(65536, 'd');
  auto put_header = [&](size_t at, uint32_t len) {
    Set32(&data, at, len);
    data[at + 4] = 0;
    data[at + 5] = 99;
  };
  put_header(0, 65528);   // what a 16-bit step from the first header reads
  put_header(65528, 24);  // and then from that one
  ping.extensions = {Extension{99, 0, data}, Extension{99, 0, ""}, Extension{99, 0, ""}};
  return Encode(ping);
}

// 7.0.15 keeps each extension length in 16 bits for explen, but steps to the
// next extension by the full 32-bit length (getNextPingExt,
// getPingExtLength). Read where 7.0.15 reads them, the headers sum to
// 2256 + 8 + 8 + 8 = 2280: rejected, as redis-server 7.0.15 logs it
// ("Received invalid PING packet of length 67816 but expected length 2280",
// the live test in tests/cluster_chaos/bus_replay_test.cc).
TEST(ClusterBus, Redis7015StepsToTheNextExtensionBy32Bits) {
  const std::string s = SixtyFourKiBThenTwo();
  ASSERT_EQ(s.size(), 67816u);
  EXPECT_TRUE(Validate(s).accepted) << Validate(s).reason;
  Decision redis = Validate(s, Profile::kRedis7015);
  EXPECT_FALSE(redis.accepted);
  EXPECT_EQ(redis.reason, "PING: totlen 67816 but expected 2280");
  EXPECT_FALSE(redis.reads_past_end);
}

// An extension of 65544 bytes with only its header sent, then an extension of
// 12 bytes: 7.0.15 looks for the second header 65544 bytes on, past the end
// (code stepping by 8 would read the 12 in bounds and reject the padding).
TEST(ClusterBus, Redis7015ReadsTheNextHeaderPastTheEnd) {
  Message ping = Base(kPing);
  ping.header.mflags[0] = kFlag0ExtData;
  ping.extensions = {Extension{99, 0, ""}, Extension{99, 0, std::string(8, 'z')}};
  std::string s = Encode(ping);
  Set32(&s, kHeaderLen, 0x10008);
  Set32(&s, kHeaderLen + 8, 12);
  EXPECT_FALSE(Validate(s).accepted);
  Decision redis = Validate(s, Profile::kRedis7015);
  EXPECT_FALSE(redis.accepted);
  EXPECT_TRUE(redis.reads_past_end);
  EXPECT_EQ(redis.reason, "PING: totlen 2280 but expected 2264");  // zeros past the end
}

// Known defect 3: a string extension without its NUL terminator.
TEST(ClusterBus, UnterminatedHostnameRejected) {
  Message ping = Base(kPing);
  ping.header.mflags[0] = kFlag0ExtData;
  ping.extensions = {Extension{kExtHostname, 0, "abcdefgh"}};
  std::string s = Encode(ping);
  Decision strict = Validate(s);
  EXPECT_FALSE(strict.accepted);
  EXPECT_EQ(strict.reason, "PING: extension 0 (type 0) string without a NUL terminator");
  Decision redis = Validate(s, Profile::kRedis7015);
  EXPECT_TRUE(redis.accepted);
  EXPECT_TRUE(redis.reads_past_end);
  ping.extensions[0].type = kExtHumanNodename;
  EXPECT_FALSE(Validate(Encode(ping)).accepted);
}

}  // namespace
}  // namespace respfuzz::cluster::bus
