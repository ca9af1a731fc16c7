// HyperLogLog values (src/engine/hyperloglog.h) against facts read from
// redis-server 7.0.15 (Debian's, 2026-11-26): the register and count of
// single elements (PFDEBUG GETREG after one PFADD), the raw bytes of small
// values (GET), estimates of known sets (PFCOUNT), the dirty counter
// (INFO persistence's rdb_changes_since_last_save). The opcode limits (a
// ZERO run of 64, a VAL of 32 or 4 registers, hll-sparse-max-bytes) are
// tested at their boundaries; tests/recordings/hyperloglog.json holds the
// server's replies to the commands.
#include "src/engine/hyperloglog.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string Exec(Engine& e, int s, std::vector<std::string> argv) {
  std::string out;
  e.Execute(s, argv, &out);
  EXPECT_TRUE(e.Validate().ok()) << e.Validate();
  return out;
}

// PFADD of one element into an empty HLL, PFDEBUG GETREG's only non-zero
// register on redis-server 7.0.15. The lengths cover MurmurHash64A's tail
// cases and a whole 8-byte block.
TEST(HyperLogLogTest, RegisterAndCountOfElementsAsTheServer) {
  const std::vector<std::pair<std::string, std::pair<long, int>>> facts = {
      {"a", {12711, 2}},
      {"b", {15780, 1}},
      {"c", {8436, 1}},
      {"", {5938, 2}},
      {"foo", {7348, 5}},
      {"hello world", {9399, 4}},
      {"12345678", {10579, 3}},
      {"123456789", {9293, 2}},
      {std::string("\x00\xc3\xbf", 3), {7893, 2}},
  };
  for (const auto& [ele, want] : facts) {
    long reg = -1;
    const int count = hll::PatLen(ele, &reg);
    EXPECT_EQ(reg, want.first) << ele;
    EXPECT_EQ(count, want.second) << ele;
  }
}

// PFADD hll a b c, then PFCOUNT: the bytes GET returned.
TEST(HyperLogLogTest, SparseBytesAndCachedCardinalityAsTheServer) {
  std::string v = hll::CreateSparse();
  EXPECT_EQ(v, FromHex("48594c4c010000000000000000000000"
                       "7fff"));
  uint8_t tail = 0;
  for (const char* e : {"a", "b", "c"}) EXPECT_EQ(hll::Add(v, e, 3000, &tail), 1);
  hll::InvalidateCache(v);
  EXPECT_EQ(v, FromHex("48594c4c01000000000000000000008060f38050b1844bfb80425a"));
  EXPECT_EQ(hll::DecodeSparse(v), "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
  bool invalid = false;
  EXPECT_EQ(hll::Count(v, &invalid), 3u);
  EXPECT_FALSE(invalid);
  hll::SetCachedCard(v, 3);
  EXPECT_EQ(v, FromHex("48594c4c01000000030000000000000060f38050b1844bfb80425a"));
  EXPECT_TRUE(hll::CacheValid(v));
  EXPECT_EQ(hll::CachedCard(v), 3u);
}

// PFADD of "e0" .. "e<n-1>" in chunks of 1000, then PFCOUNT, PFDEBUG
// ENCODING and STRLEN on redis-server 7.0.15.
TEST(HyperLogLogTest, EstimatesAsTheServer) {
  const struct {
    int n;
    uint64_t count;
    uint8_t encoding;
    size_t len;
  } facts[] = {{1000, 1008, hll::kSparse, 1906},
               {20000, 19901, hll::kDense, hll::kDenseSize},
               {100000, 100853, hll::kDense, hll::kDenseSize}};
  for (const auto& f : facts) {
    std::string v = hll::CreateSparse();
    uint8_t tail = 0;
    for (int j = 0; j < f.n; ++j) hll::Add(v, "e" + std::to_string(j), 3000, &tail);
    EXPECT_EQ(hll::Count(v, nullptr), f.count) << f.n;
    EXPECT_EQ(hll::Encoding(v), f.encoding) << f.n;
    EXPECT_EQ(v.size(), f.len) << f.n;
    // The same registers merged raw count the same.
    std::vector<uint8_t> max(hll::kRegisters, 0);
    ASSERT_TRUE(hll::Merge(max.data(), v));
    EXPECT_EQ(hll::CountRaw(max.data()), f.count) << f.n;
    // And dense.
    ASSERT_TRUE(hll::SparseToDense(v));
    EXPECT_EQ(hll::Count(v, nullptr), f.count) << f.n;
  }
}

// hll-sparse-max-bytes: splitting the empty HLL's XZERO for 'a' makes 21
// bytes; a limit of 21 keeps it sparse, 20 promotes it (recording
// SparseMaxBytes shows the server doing both).
TEST(HyperLogLogTest, SparseMaxBytesBoundary) {
  for (int64_t max : {21, 20, 0}) {
    std::string v = hll::CreateSparse();
    uint8_t tail = 0;
    EXPECT_EQ(hll::Add(v, "a", max, &tail), 1);
    if (max >= 21) {
      EXPECT_EQ(hll::Encoding(v), hll::kSparse);
      EXPECT_EQ(v.size(), 21u);
    } else {
      EXPECT_EQ(hll::Encoding(v), hll::kDense);
      EXPECT_EQ(v.size(), hll::kDenseSize);
      EXPECT_EQ(hll::DenseGet(v, 12711), 2);
    }
  }
}

// The sparse opcodes' limits: a zero run of 64 is a ZERO, 65 an XZERO; a VAL
// holds at most 32 (a larger count turns the value dense) and 4 registers
// (adjacent equal registers merge up to 4).
TEST(HyperLogLogTest, SparseOpcodeLimits) {
  auto set = [](std::string& v, long reg, int count) {
    uint8_t tail = 0;
    return hll::SparseSet(v, reg, count, 3000, &tail);
  };
  std::string v = hll::CreateSparse();
  EXPECT_EQ(set(v, 64, 1), 1);
  EXPECT_EQ(hll::DecodeSparse(v), "z:64 v:1,1 Z:16319");
  v = hll::CreateSparse();
  EXPECT_EQ(set(v, 65, 1), 1);
  EXPECT_EQ(hll::DecodeSparse(v), "Z:65 v:1,1 Z:16318");
  EXPECT_EQ(set(v, 66, 1), 1);
  EXPECT_EQ(set(v, 67, 1), 1);
  EXPECT_EQ(set(v, 68, 1), 1);
  EXPECT_EQ(hll::DecodeSparse(v), "Z:65 v:1,4 Z:16315");
  EXPECT_EQ(set(v, 69, 1), 1);
  EXPECT_EQ(hll::DecodeSparse(v), "Z:65 v:1,4 v:1,1 Z:16314");
  EXPECT_EQ(set(v, 69, 1), 0);  // no change
  EXPECT_EQ(set(v, 66, 32), 1);
  EXPECT_EQ(hll::DecodeSparse(v), "Z:65 v:1,1 v:32,1 v:1,3 Z:16314");
  EXPECT_EQ(hll::Encoding(v), hll::kSparse);
  EXPECT_EQ(set(v, 66, 33), 1);  // past a VAL's 32
  EXPECT_EQ(hll::Encoding(v), hll::kDense);
  EXPECT_EQ(hll::DenseGet(v, 66), 33);
  EXPECT_EQ(hll::DenseGet(v, 65), 1);
  EXPECT_EQ(hll::DenseGet(v, 70), 0);
}

// Dense registers are 6 bits, packed LSB first, and do not touch their
// neighbours; the last one ends the value.
TEST(HyperLogLogTest, DenseRegisters) {
  std::string v = hll::CreateSparse();
  ASSERT_TRUE(hll::SparseToDense(v));
  ASSERT_EQ(v.size(), hll::kDenseSize);
  for (int r : {0, 1, 2, 3, 4, 16382, 16383}) {
    hll::DenseSet(v, r, 63);
    EXPECT_EQ(hll::DenseGet(v, r), 63);
    if (r > 0) {
      EXPECT_EQ(hll::DenseGet(v, r - 1), r - 1 <= 4 || r - 1 >= 16382 ? 63 : 0);
    }
    if (r < 16383) {
      EXPECT_EQ(hll::DenseGet(v, r + 1), 0);
    }
  }
  // The last byte: register 16382's top 2 bits and 16383's 6.
  EXPECT_EQ(static_cast<uint8_t>(v[hll::kDenseSize - 1]), 0xffu);
  EXPECT_EQ(v.size(), hll::kDenseSize);
}

// A sparse code must cover exactly 16384 registers, and no opcode may run
// past the last one (Debian 7.0.15's CVE-2025-32023 fix: recording
// Corruption's c6 and c15).
TEST(HyperLogLogTest, CorruptSparseCodes) {
  const std::string hdr = FromHex("48594c4c010000000000000000000080");
  for (const std::string& code : {FromHex("7fff00"),  // XZERO:16384 ZERO:1
                                  FromHex("7fff80"),  // ... VAL
                                  FromHex("7ffe"),    // 16383 registers
                                  FromHex("7ffeff"),  // 16383 + a VAL of 4
                                  std::string()}) {
    const std::string v = hdr + code;
    bool invalid = false;
    hll::Count(v, &invalid);
    EXPECT_TRUE(invalid) << hll::DecodeSparse(v);
    std::vector<uint8_t> max(hll::kRegisters, 0);
    EXPECT_FALSE(hll::Merge(max.data(), v));
    std::string copy = v;
    EXPECT_FALSE(hll::SparseToDense(copy));
    EXPECT_EQ(copy, v);
  }
  // An XZERO cut short at the end reads a 0 after it: 0x7f then 0 is 16129.
  EXPECT_EQ(hll::DecodeSparse(hdr + FromHex("7f")), "Z:16129");
  // The header checks.
  EXPECT_TRUE(hll::LooksLikeHll(hdr));
  EXPECT_FALSE(hll::LooksLikeHll(hdr.substr(0, 15)));
  EXPECT_FALSE(hll::LooksLikeHll("HYLX" + hdr.substr(4)));
  std::string enc2 = hdr;
  enc2[4] = 2;
  EXPECT_FALSE(hll::LooksLikeHll(enc2));
  std::string dense = hdr;
  dense[4] = 0;
  EXPECT_FALSE(hll::LooksLikeHll(dense));
  dense.resize(hll::kDenseSize);
  EXPECT_TRUE(hll::LooksLikeHll(dense));
}

// server.dirty: PFADD adds one per changed register (and one for a new
// key), PFCOUNT one when it writes the cache, PFDEBUG TODENSE / GETREG one
// when they convert, PFMERGE one.
TEST(HyperLogLogTest, DirtyCounterAsTheServer) {
  Engine e;
  const int s = e.OpenSession();
  auto step = [&](std::vector<std::string> argv) {
    const uint64_t before = e.dirty();
    Exec(e, s, std::move(argv));
    return e.dirty() - before;
  };
  EXPECT_EQ(step({"pfadd", "k", "a", "b", "c"}), 4u);
  EXPECT_EQ(step({"pfcount", "k"}), 1u);
  EXPECT_EQ(step({"pfcount", "k"}), 0u);
  EXPECT_EQ(step({"pfdebug", "todense", "k"}), 1u);
  EXPECT_EQ(step({"pfmerge", "k2", "k"}), 1u);
  EXPECT_EQ(step({"pfadd", "k", "a"}), 0u);
  EXPECT_EQ(step({"pfdebug", "getreg", "k2"}), 0u);
  EXPECT_EQ(step({"pfcount", "k", "k2"}), 0u);
}

// Keyspace notifications, as redis-server 7.0.15 sent them: "pfadd" for
// PFADD (when a register changed) and PFMERGE, "new" first for a key they
// create (with the n class), nothing for PFCOUNT's cache write.
TEST(HyperLogLogTest, KeyspaceNotifications) {
  Engine e;
  const int s = e.OpenSession();
  const int sub = e.OpenSession();
  Exec(e, s, {"config", "set", "notify-keyspace-events", "KEA"});
  Exec(e, sub, {"psubscribe", "__keyevent@0__:*"});
  e.TakeOutput(sub);
  auto channels = [&] {
    std::string out = e.TakeOutput(sub);
    std::vector<std::string> names;
    size_t at = 0;
    while ((at = out.find("__keyevent@0__:", at)) != std::string::npos) {
      at += 15;
      if (out.compare(at, 1, "*") == 0) continue;  // the pattern
      names.push_back(out.substr(at, out.find('\r', at) - at));
    }
    return names;
  };
  Exec(e, s, {"pfadd", "k", "a"});
  EXPECT_EQ(channels(), (std::vector<std::string>{"pfadd"}));
  Exec(e, s, {"pfadd", "k", "a"});
  EXPECT_EQ(channels(), std::vector<std::string>{});
  Exec(e, s, {"pfcount", "k"});
  EXPECT_EQ(channels(), std::vector<std::string>{});
  Exec(e, s, {"pfmerge", "m", "k"});
  EXPECT_EQ(channels(), (std::vector<std::string>{"pfadd"}));
  Exec(e, s, {"pfmerge", "m"});
  EXPECT_EQ(channels(), (std::vector<std::string>{"pfadd"}));
  Exec(e, s, {"config", "set", "notify-keyspace-events", "KEAn"});
  Exec(e, s, {"pfadd", "k3", "a"});
  EXPECT_EQ(channels(), (std::vector<std::string>{"new", "pfadd"}));
}

// Client tracking, as redis-server 7.0.15 invalidated a key read by a
// tracking RESP3 client when another client ran: PFADD that changed a
// register, PFCOUNT that wrote the cache and PFMERGE invalidate; PFADD that
// changed nothing, PFCOUNT from the cache and PFDEBUG's conversions do not.
TEST(HyperLogLogTest, TrackingInvalidation) {
  Engine e;
  const int a = e.OpenSession();
  const int b = e.OpenSession();
  Exec(e, a, {"hello", "3"});
  Exec(e, a, {"client", "tracking", "on"});
  Exec(e, b, {"pfadd", "k", "a"});
  const std::vector<std::pair<std::vector<std::string>, bool>> steps = {
      {{"pfadd", "k", "b"}, true},
      {{"pfadd", "k", "b"}, false},
      {{"pfcount", "k"}, true},
      {{"pfcount", "k"}, false},
      {{"pfdebug", "todense", "k"}, false},
      {{"pfmerge", "k"}, true},
      {{"pfdebug", "getreg", "k"}, false},
  };
  for (const auto& [argv, invalidates] : steps) {
    Exec(e, a, {"get", "k"});
    e.TakeOutput(a);
    Exec(e, b, argv);
    const std::string pushed = e.TakeOutput(a);
    EXPECT_EQ(pushed.find("invalidate") != std::string::npos, invalidates)
        << argv[0] << " " << argv[1];
  }
}

}  // namespace
}  // namespace respfuzz::engine
