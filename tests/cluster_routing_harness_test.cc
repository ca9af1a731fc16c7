// The cluster_routing harness: the real slot map passes every seed program;
// each check fails on a client broken in the way it guards against; the text
// form's limits and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "harnesses/cluster_routing/checks.h"
#include "harnesses/cluster_routing/program.h"
#include "harnesses/common/registry.h"
#include "src/cluster/slot.h"

namespace respfuzz::harnesses {
namespace {

RoutingProgram Program(const std::string& text) {
  auto p = RoutingProgramFromText(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : RoutingProgram{};
}

fuzz::Verdict RunText(RoutingClientUnderTest& client, const std::string& text) {
  return RunRoutingProgram(Program(text), client).verdict;
}

// MOVED is ignored: the client keeps asking the old owner.
class IgnoresMoved : public RoutingClientUnderTest {
 public:
  absl::Status OnRedirect(const cluster::Redirect& r) override {
    if (r.kind == cluster::RedirectKind::kMoved) return absl::OkStatus();
    return RoutingClientUnderTest::OnRedirect(r);
  }
};

// ASK is taken as MOVED: the map's owner changes for good.
class AskAsMoved : public RoutingClientUnderTest {
 public:
  absl::Status OnRedirect(const cluster::Redirect& r) override {
    cluster::Redirect copy = r;
    if (copy.kind == cluster::RedirectKind::kAsk) {
      copy.kind = cluster::RedirectKind::kMoved;
      RoutingClientUnderTest::OnRedirect(copy).IgnoreError();
      copy.kind = cluster::RedirectKind::kAsk;
    }
    return RoutingClientUnderTest::OnRedirect(copy);
  }
};

// The ASK target stays: every later request for the slot carries ASKING.
class StickyAsk : public RoutingClientUnderTest {
 public:
  std::optional<cluster::Route> RouteSlot(int slot) override {
    std::optional<cluster::Route> r = RoutingClientUnderTest::RouteSlot(slot);
    if (r && r->asking) sticky_[slot] = r->node;
    if (auto it = sticky_.find(slot); it != sticky_.end()) return cluster::Route{it->second, true};
    return r;
  }

 private:
  std::map<int, cluster::Endpoint> sticky_;
};

// Splits the endpoint on its first colon: IPv6 hosts break.
class FirstColonParse : public RoutingClientUnderTest {
 public:
  absl::StatusOr<cluster::Redirect> Parse(std::string_view error) override {
    auto r = cluster::ParseRedirect(error);
    if (!r.ok()) return r;
    std::string ep = r->target.ToString();
    size_t colon = ep.find(':');
    r->target.host = ep.substr(0, colon);
    return r;
  }
};

// Ignores connection failures and refreshes: a dead node's slots stay with it.
class IgnoresFailures : public RoutingClientUnderTest {
 public:
  absl::Status Refresh(const resp::Value& slots) override {
    if (loaded_) return absl::OkStatus();
    loaded_ = true;
    return RoutingClientUnderTest::Refresh(slots);
  }
  void OnNodeFailed(const cluster::Endpoint&) override {}

 private:
  bool loaded_ = false;
};

// Drops the failed node's slots, but loads CLUSTER SLOTS only once.
class NeverRefreshes : public RoutingClientUnderTest {
 public:
  absl::Status Refresh(const resp::Value& slots) override {
    if (loaded_) return absl::OkStatus();
    loaded_ = true;
    return RoutingClientUnderTest::Refresh(slots);
  }

 private:
  bool loaded_ = false;
};

// On a failed node forgets every node's slots, not only that node's.
class ForgetsAllOnFailure : public RoutingClientUnderTest {
 public:
  void OnNodeFailed(const cluster::Endpoint&) override {
    (void)RoutingClientUnderTest::Refresh(resp::Value::Aggregate(resp::Type::kArray));
  }
};

// Slot functions with a bug planted, as it could be in src/cluster/slot.cc.
// The CRC reduced modulo 16383 instead of masked with 16383.
class SlotModulo16383 : public RoutingClientUnderTest {
 public:
  int KeySlot(std::string_view key) override {
    return cluster::Crc16(cluster::HashTag(key)) % (cluster::kSlotCount - 1);
  }
};

// Hash tags ignored: the whole key is hashed.
class NoHashTags : public RoutingClientUnderTest {
 public:
  int KeySlot(std::string_view key) override {
    return cluster::Crc16(key) & (cluster::kSlotCount - 1);
  }
};

// "{}" taken as an empty tag.
class EmptyTagHashed : public RoutingClientUnderTest {
 public:
  int KeySlot(std::string_view key) override {
    size_t open = key.find('{');
    if (open != std::string_view::npos && open + 1 < key.size() && key[open + 1] == '}') {
      return cluster::Crc16("") & (cluster::kSlotCount - 1);
    }
    return cluster::KeySlot(key);
  }
};

// An unclosed '{' tags the rest of the key.
class UnclosedBraceTags : public RoutingClientUnderTest {
 public:
  int KeySlot(std::string_view key) override {
    size_t open = key.find('{');
    if (open != std::string_view::npos && open + 1 < key.size() &&
        key.find('}', open + 1) == std::string_view::npos) {
      return cluster::Crc16(key.substr(open + 1)) & (cluster::kSlotCount - 1);
    }
    return cluster::KeySlot(key);
  }
};

// Every seed program of corpus/cluster_routing, each with a fresh Client:
// the first failing verdict, or ok.
template <typename Client>
fuzz::Verdict FirstFailureOverSeeds() {
  const std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "cluster_routing";
  size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    Client client;
    ++seeds;
    fuzz::Verdict v = RunText(client, text.str());
    if (!v.ok) return v;
  }
  EXPECT_GE(seeds, 6u);
  return fuzz::Verdict::Ok();
}

TEST(ClusterRoutingHarness, EverySeedPassesWithTheRealClient) {
  fuzz::Verdict v = FirstFailureOverSeeds<RoutingClientUnderTest>();
  EXPECT_TRUE(v.ok) << v.ToString();
}

// The model places keys with its own slot function, so a slot bug in the
// client's (src/cluster's) is a disagreement the harness reports.
TEST(ClusterRoutingHarness, APlantedSlotBugIsCaught) {
  for (fuzz::Verdict v :
       {FirstFailureOverSeeds<SlotModulo16383>(), FirstFailureOverSeeds<NoHashTags>(),
        FirstFailureOverSeeds<EmptyTagHashed>(), FirstFailureOverSeeds<UnclosedBraceTags>()}) {
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.check, "key-slot") << v.ToString();
  }
  SlotModulo16383 modulo;
  fuzz::Verdict v = RunText(modulo, "get foo\n");
  EXPECT_EQ(v.check, "key-slot") << v.ToString();
  EXPECT_EQ(v.message,
            "get foo: the client computes slot 12184, the cluster puts the key in slot 12182");
}

TEST(ClusterRoutingHarness, RealSlotMapPasses) {
  RoutingClientUnderTest client;
  EXPECT_TRUE(RunText(client,
                      "move foo n3\nget foo\nmigrate hello n5\nget hello\nfinish hello\nget hello\n"
                      "fail n0 n4\nget bar\nget {a}x\n")
                  .ok);
}

TEST(ClusterRoutingHarness, EachCheckCanFail) {
  IgnoresMoved ignores_moved;
  fuzz::Verdict v = RunText(ignores_moved, "move foo n3\nget foo\n");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "moved-updates") << v.ToString();
  EXPECT_EQ(v.op, "get");  // Verdict::op: the kind of op it failed at

  AskAsMoved ask_as_moved;
  v = RunText(ask_as_moved, "migrate foo n3\nget foo\n");
  EXPECT_EQ(v.check, "ask-one-shot") << v.ToString();

  StickyAsk sticky;
  v = RunText(sticky, "migrate foo n3\nget foo\n");
  EXPECT_EQ(v.check, "ask-one-shot") << v.ToString();

  FirstColonParse first_colon;
  EXPECT_TRUE(RunText(first_colon, "move foo n2\nget foo\n").ok);  // IPv4: fine
  v = RunText(first_colon, "move foo n3\nget foo\n");              // n3 is ::1
  EXPECT_EQ(v.check, "redirect-text") << v.ToString();

  IgnoresFailures ignores_failures;
  v = RunText(ignores_failures, "fail n0 n3\nget bar\n");
  EXPECT_EQ(v.check, "node-failed") << v.ToString();
  EXPECT_EQ(v.message,
            "after 127.0.0.1:7000 failed, slot 5061 is owned by 127.0.0.1:7000 (before: "
            "127.0.0.1:7000)");

  NeverRefreshes never_refreshes;
  v = RunText(never_refreshes, "fail n0 n3\nget bar\n");
  EXPECT_EQ(v.check, "route") << v.ToString();

  ForgetsAllOnFailure forgets_all;
  v = RunText(forgets_all, "fail n0 n3\nget bar\n");
  EXPECT_EQ(v.check, "node-failed") << v.ToString();
  EXPECT_EQ(v.message,
            "after 127.0.0.1:7000 failed, slot 5461 is owned by no node (before: ::1:7001)");
}

// A client that answers OK to a malformed CLUSTER SLOTS reply (its map
// kept), and one that empties its map before parsing one (it refuses, but
// has forgotten the topology).
class SwallowsBadTopology : public RoutingClientUnderTest {
 public:
  absl::Status Refresh(const resp::Value& v) override {
    (void)RoutingClientUnderTest::Refresh(v);
    return absl::OkStatus();
  }
};

class ForgetsOnBadTopology : public RoutingClientUnderTest {
 public:
  absl::Status Refresh(const resp::Value& v) override {
    (void)RoutingClientUnderTest::Refresh(resp::Value::Aggregate(resp::Type::kArray));
    return RoutingClientUnderTest::Refresh(v);
  }
};

TEST(ClusterRoutingHarness, MalformedTopologyIsRefused) {
  for (std::string_view name : BadTopologyNames()) {
    RoutingClientUnderTest client;
    const std::string text =
        "move foo n3\nget foo\nrefresh-bad " + std::string(name) + "\nget foo\n";
    fuzz::Verdict v = RunText(client, text);
    EXPECT_TRUE(v.ok) << name << ": " << v.ToString();
    RoutingProgram p = Program(text);
    EXPECT_EQ(RoutingProgramToText(p), text);
    EXPECT_EQ(DecodeRoutingProgram(EncodeRoutingProgram(p)), p);
  }
  SwallowsBadTopology swallows;
  fuzz::Verdict v = RunText(swallows, "get foo\nrefresh-bad host-integer\n");
  EXPECT_EQ(v.check, "topology") << v.ToString();
  EXPECT_EQ(v.op, "refresh-bad");
  EXPECT_NE(v.message.find("host-integer: the client accepted it"), std::string::npos) << v.message;
  ForgetsOnBadTopology forgets;
  v = RunText(forgets, "refresh-bad short-entry\n");
  EXPECT_EQ(v.check, "topology") << v.ToString();
  EXPECT_NE(v.message.find("refused, but the owner of slot 0 changed from 127.0.0.1:7000 to none"),
            std::string::npos)
      << v.message;
  EXPECT_EQ(RoutingProgramFromText("refresh-bad host-text").status().message(),
            "line 1: unknown refresh-bad kind 'host-text'");
  // The byte form: kind byte % 8, 7 (and 15) for refresh-shards; with 7,
  // bits 4-6 pick node-one-element (1), redirect-bad (2) and the other
  // refresh-shards forms (3..7).
  EXPECT_EQ(RoutingProgramToText(DecodeRoutingProgram(std::string("\x07\x0a\x07\x0f", 4))),
            "refresh-bad first-not-integer\nrefresh-shards resp3\n");
  EXPECT_EQ(RoutingProgramToText(
                DecodeRoutingProgram(std::string("\x07\x17\x07\x27\x07\xaf\x07\x37\x07\x7f", 10))),
            "refresh-bad node-one-element\nredirect-bad moved -1\nredirect-bad ask 16384\n"
            "refresh-shards resp2 ip-only\nrefresh-shards resp3 nodes-not-list\n");
}

// A map that takes a redirection to any slot without looking at it.
class AcceptsAnyRedirect : public RoutingClientUnderTest {
 public:
  absl::Status OnRedirect(const cluster::Redirect& r) override {
    if (r.slot < 0 || r.slot >= cluster::kSlotCount) return absl::OkStatus();
    return RoutingClientUnderTest::OnRedirect(r);
  }
};

TEST(ClusterRoutingHarness, RedirectOutsideTheSlotsIsRefused) {
  const std::string text =
      "move fHh n3\nget fHh\nredirect-bad moved -1\nredirect-bad ask 16384\nget fHh\n";
  RoutingClientUnderTest client;
  fuzz::Verdict v = RunText(client, text);
  EXPECT_TRUE(v.ok) << v.ToString();
  RoutingProgram p = Program(text);
  EXPECT_EQ(RoutingProgramToText(p), text);
  EXPECT_EQ(DecodeRoutingProgram(EncodeRoutingProgram(p)), p);
  AcceptsAnyRedirect accepts;
  v = RunText(accepts, "redirect-bad ask -1\n");
  EXPECT_EQ(v.check, "topology") << v.ToString();
  EXPECT_EQ(v.op, "redirect-bad");
  EXPECT_EQ(v.message, "redirect ASK -1: the client accepted it");
  EXPECT_EQ(RoutingProgramFromText("redirect-bad moved 0").status().message(),
            "line 1: redirect-bad takes moved|ask and -1|16384");
}

// A client that reads only the first shard of a CLUSTER SHARDS reply.
class FirstShardOnly : public RoutingClientUnderTest {
 public:
  absl::Status RefreshShards(const resp::Value& v) override {
    resp::Value first = v;
    first.elems.resize(std::min<size_t>(first.elems.size(), 1));
    return RoutingClientUnderTest::RefreshShards(first);
  }
};

TEST(ClusterRoutingHarness, ClusterShardsRefresh) {
  const std::string text =
      "move foo n3\nrefresh-shards resp3\nget foo\nfail n0 n4\nrefresh-shards resp2\nget bar\n";
  RoutingClientUnderTest client;
  fuzz::Verdict v = RunText(client, text);
  EXPECT_TRUE(v.ok) << v.ToString();
  RoutingProgram p = Program(text);
  EXPECT_EQ(RoutingProgramToText(p), text);
  EXPECT_EQ(DecodeRoutingProgram(EncodeRoutingProgram(p)), p);
  FirstShardOnly first_only;
  v = RunText(first_only, "refresh-shards resp2\n");
  EXPECT_EQ(v.check, "topology") << v.ToString();
  EXPECT_NE(v.message.find("slot 5461 is owned by no node, not ::1:7001"), std::string::npos)
      << v.message;
  EXPECT_EQ(RoutingProgramFromText("refresh-shards resp4").status().message(),
            "line 1: refresh-shards takes resp2 or resp3, not 'resp4'");
}

// CLUSTER SHARDS clients broken three ways: one that wants "endpoint" in
// every node, one that connects to "ip" instead of "endpoint", and one that
// answers OK to a malformed reply.
class RequiresEndpoint : public RoutingClientUnderTest {
 public:
  absl::Status RefreshShards(const resp::Value& v) override {
    for (const resp::Value& shard : v.elems) {
      for (size_t i = 0; i + 1 < shard.elems.size(); i += 2) {
        if (shard.elems[i].str != "nodes") continue;
        for (const resp::Value& n : shard.elems[i + 1].elems) {
          bool found = false;
          for (size_t k = 0; k < n.elems.size(); k += 2) found |= n.elems[k].str == "endpoint";
          if (!found) return absl::InvalidArgumentError("node without endpoint");
        }
      }
    }
    return RoutingClientUnderTest::RefreshShards(v);
  }
};

class ConnectsToIp : public RoutingClientUnderTest {
 public:
  absl::Status RefreshShards(const resp::Value& v) override {
    resp::Value copy = v;
    for (resp::Value& shard : copy.elems) {
      for (size_t i = 0; i + 1 < shard.elems.size(); i += 2) {
        if (shard.elems[i].str != "nodes") continue;
        for (resp::Value& n : shard.elems[i + 1].elems) {
          std::string ip;
          for (size_t k = 0; k + 1 < n.elems.size(); k += 2) {
            if (n.elems[k].str == "ip") ip = n.elems[k + 1].str;
          }
          for (size_t k = 0; k + 1 < n.elems.size(); k += 2) {
            if (n.elems[k].str == "endpoint") n.elems[k + 1].str = ip;
          }
        }
      }
    }
    return RoutingClientUnderTest::RefreshShards(copy);
  }
};

class SwallowsBadShards : public RoutingClientUnderTest {
 public:
  absl::Status RefreshShards(const resp::Value& v) override {
    (void)RoutingClientUnderTest::RefreshShards(v);
    return absl::OkStatus();
  }
};

TEST(ClusterRoutingHarness, ClusterShardsForms) {
  for (std::string_view form : ShardsFormNames()) {
    for (const char* proto : {"resp2", "resp3"}) {
      const std::string text = absl::StrCat("move foo n3\nrefresh-shards ", proto, " ",
                                            std::string(form), "\nget foo\n");
      RoutingClientUnderTest client;
      fuzz::Verdict v = RunText(client, text);
      EXPECT_TRUE(v.ok) << text << v.ToString();
      RoutingProgram p = Program(text);
      EXPECT_EQ(DecodeRoutingProgram(EncodeRoutingProgram(p)), p) << text;
    }
  }
  RequiresEndpoint requires_endpoint;
  EXPECT_TRUE(RunText(requires_endpoint, "refresh-shards resp3 announced\n").ok);
  fuzz::Verdict v = RunText(requires_endpoint, "refresh-shards resp3 ip-only\n");
  EXPECT_EQ(v.check, "route") << v.ToString();
  EXPECT_EQ(v.message, "CLUSTER SHARDS refused: node without endpoint");
  ConnectsToIp connects_to_ip;
  EXPECT_TRUE(RunText(connects_to_ip, "refresh-shards resp2 ip-only\n").ok);
  v = RunText(connects_to_ip, "refresh-shards resp2 announced\n");
  EXPECT_EQ(v.check, "topology") << v.ToString();
  EXPECT_EQ(v.message,
            "after CLUSTER SHARDS (RESP2) slot 0 is owned by 10.0.0.0:7000, not "
            "127.0.0.1:7000");
  SwallowsBadShards swallows;
  for (const char* form : {"no-slots", "no-nodes", "nodes-not-list"}) {
    v = RunText(swallows, absl::StrCat("refresh-shards resp3 ", form, "\n"));
    EXPECT_EQ(v.check, "topology") << v.ToString();
    EXPECT_EQ(v.message, absl::StrCat("CLUSTER SHARDS ", form, ": the client accepted it"));
  }
  EXPECT_EQ(RoutingProgramFromText("refresh-shards resp3 hostname").status().message(),
            "line 1: unknown refresh-shards form 'hostname'");
}

TEST(ClusterRoutingHarness, TextFormAndBytes) {
  const std::string text =
      "refresh\nmove-range 0 16383 n5\nmove {a}x n1\nmigrate zzz n2\nfinish zzz\nfail n1 n0\n"
      "get literal{tag}key\n";
  RoutingProgram p = Program(text);
  EXPECT_EQ(RoutingProgramToText(p), text);
  EXPECT_EQ(DecodeRoutingProgram(EncodeRoutingProgram(p)), p);
  EXPECT_EQ(RoutingProgramFromText("get foo\nfail n9 n1\n").status().message(),
            "line 2: unknown node 'n9' (n0..n5)");
  EXPECT_EQ(RoutingProgramFromText("move-range 5 16384 n1").status().message(),
            "line 1: bad slot '16384' (0..16383)");
  EXPECT_FALSE(RoutingProgramFromText("move-range 6 5 n1").ok());
  EXPECT_FALSE(RoutingProgramFromText("jump foo").ok());
  EXPECT_FALSE(RoutingProgramFromText("get").ok());
  EXPECT_FALSE(RoutingProgramFromText("get a\"b").ok());
  // Key length cap: 32 bytes fit (text and bytes), 33 do not.
  std::string key32(32, 'k');
  RoutingProgram k = Program("get " + key32 + "\n");
  EXPECT_EQ(DecodeRoutingProgram(EncodeRoutingProgram(k)), k);
  EXPECT_EQ(RoutingProgramFromText("get " + key32 + "k").status().message(),
            "line 1: key of 33 bytes (1..32)");
  // Op cap: 256 ops fit, 257 do not; decoding stops at 256.
  std::string many;
  for (size_t i = 0; i < kRoutingMaxOps; ++i) many += "refresh\n";
  EXPECT_TRUE(RoutingProgramFromText(many).ok());
  EXPECT_FALSE(RoutingProgramFromText(many + "refresh\n").ok());
  EXPECT_EQ(DecodeRoutingProgram(std::string(kRoutingMaxOps + 10, '\0')).ops.size(),
            kRoutingMaxOps);
  // Truncated op: dropped.
  EXPECT_EQ(DecodeRoutingProgram(std::string("\x06\x00\x01\x00", 4)).ops.size(), 1u);
}

TEST(ClusterRoutingHarness, RegistryAndMinimize) {
  const Harness* h = FindHarness("cluster_routing");
  ASSERT_NE(h, nullptr);
  ASSERT_NE(h->minimize, nullptr);
  auto bytes = h->encode_text("get foo\nget bar\n");
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(h->run(*bytes).ok);
  EXPECT_EQ(h->minimize(*bytes, nullptr), std::nullopt);  // nothing fails
  EXPECT_NE(h->explain(*bytes).find("served by n2"), std::string::npos);
}

}  // namespace
}  // namespace respfuzz::harnesses
