// The invalidation program model: decode is total and bounded, encode is its
// inverse, the text form round-trips, every cap has a boundary test, and the
// committed seeds are canonical programs.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/invalidation/program.h"
#include "src/cache/client_cache.h"

namespace respfuzz::harnesses::invalidation {
namespace {

std::string RandomBytes(std::mt19937& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::string Err(std::string_view text) {
  absl::StatusOr<Program> p = ProgramFromText(text);
  return p.ok() ? std::string("ok") : std::string(p.status().message());
}

const std::string kC1 = "client c1 default resp3\n";

// Every spec a program holds is one the client cache accepts.
void ExpectValidSpec(const ClientSpec& s) {
  EXPECT_TRUE(cache::ValidateOptions(CacheOptionsOf(s)).ok())
      << SpecToText(s) << ": " << cache::ValidateOptions(CacheOptionsOf(s));
  EXPECT_LE(s.prefixes.size(), kMaxPrefixes);
  for (const std::string& p : s.prefixes) EXPECT_LE(p.size(), kMaxLiteralLen);
}

TEST(InvalidationProgram, DecodeIsTotalAndBounded) {
  std::mt19937 rng(7);
  std::set<OpKind> kinds;
  for (int i = 0; i < 3000; ++i) {
    const Program p = DecodeProgram(RandomBytes(rng, rng() % 3000));
    ASSERT_GE(p.clients.size(), 1u);
    ASSERT_LE(p.clients.size(), static_cast<size_t>(kMaxClients));
    ASSERT_LE(p.ops.size(), kMaxOps);
    for (const ClientSpec& s : p.clients) ExpectValidSpec(s);
    for (const Op& op : p.ops) {
      kinds.insert(op.kind);
      ASSERT_GE(op.client, 0);
      ASSERT_LT(op.client,
                static_cast<int>(op.kind == OpKind::kRaw ? p.raws.size() : p.clients.size()));
      for (const std::string& a : op.argv) ASSERT_LE(a.size(), kMaxLiteralLen);
      switch (op.kind) {
        case OpKind::kRead:
          // Every read is one the cache caches, with its arguments.
          ASSERT_TRUE(cache::IsCacheableRead(op.argv)) << OpToText(op);
          break;
        case OpKind::kWrite:
        case OpKind::kBlock:
          ASSERT_FALSE(op.argv.empty());
          ASSERT_FALSE(cache::IsCacheableRead(op.argv)) << OpToText(op);
          break;
        case OpKind::kRaw:
          ASSERT_LE(p.raws.size(), static_cast<size_t>(kMaxRaw));
          ASSERT_FALSE(op.argv.empty());
          break;
        case OpKind::kUnblock:
          ASSERT_LT(op.target, static_cast<int>(p.clients.size()));
          ASSERT_LE(op.unblock_reason, 2);
          ASSERT_TRUE(op.argv.empty());
          break;
        case OpKind::kDeliver:
          ASSERT_GE(op.bytes, 1u);
          ASSERT_LE(op.bytes, kMaxDeliverBytes);
          break;
        case OpKind::kReconnect:
          ExpectValidSpec(op.spec);
          break;
        case OpKind::kTrackingOn: {
          ASSERT_LE(op.prefixes.size(), kMaxPrefixes);
          ClientSpec as_spec;  // the op's prefixes never overlap each other
          as_spec.mode = cache::Mode::kBcast;
          as_spec.prefixes = op.prefixes;
          ExpectValidSpec(as_spec);
          break;
        }
        default:
          ASSERT_TRUE(op.argv.empty());
      }
    }
  }
  // Random bytes reach every op.
  EXPECT_EQ(kinds.size(), static_cast<size_t>(OpKind::kRaw) + 1);
}

TEST(InvalidationProgram, EmptyInputIsOneDefaultClient) {
  const Program p = DecodeProgram("");
  ASSERT_EQ(p.clients.size(), 1u);
  EXPECT_EQ(p.clients[0], ClientSpec());
  EXPECT_TRUE(p.ops.empty());
  EXPECT_EQ(ProgramToText(p), kC1);
  // A header whose specs run out: the rest are default, and there are no ops.
  const Program q = DecodeProgram(std::string("\x03\x0a\x00", 3));
  ASSERT_EQ(q.clients.size(), 4u);
  EXPECT_EQ(SpecToText(q.clients[0]), "bcast resp2");
  EXPECT_EQ(q.clients[1], ClientSpec());
  EXPECT_EQ(DecodeProgram(EncodeProgram(q)), q);
  // The limits byte is part of a spec: without it the spec is default too.
  const Program r = DecodeProgram(std::string("\x00\x0a", 2));
  EXPECT_EQ(r.clients[0], ClientSpec());
}

TEST(InvalidationProgram, EncodeIsTheInverseOfDecode) {
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) {
    const Program p = DecodeProgram(RandomBytes(rng, rng() % 2000));
    ASSERT_EQ(DecodeProgram(EncodeProgram(p)), p) << ProgramToText(p);
  }
}

TEST(InvalidationProgram, TextFormRoundTrips) {
  std::mt19937 rng(13);
  for (int i = 0; i < 3000; ++i) {
    const Program p = DecodeProgram(RandomBytes(rng, rng() % 2000));
    const std::string text = ProgramToText(p);
    absl::StatusOr<Program> back = ProgramFromText(text);
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << text;
    ASSERT_EQ(*back, p) << text;
    ASSERT_EQ(ProgramToText(*back), text);
  }
}

TEST(InvalidationProgram, TextForm) {
  const std::string text =
      "client c1 default resp3\n"
      "client c2 bcast resp2 noloop prefix user: prefix \"a b\"\n"
      "client c3 optin resp3 noloop redirect entries 4\n"
      "client c4 plain resp2\n"
      "c1 read HGET h1 f1\n"
      "c1 read MGET k1 k2 \"\\x00\"\n"
      "c2 write HSET h1 f1 v1 f2 v2\n"
      "c2 write FLUSHALL\n"
      "c3 tracking off\n"
      "c2 tracking on prefix k prefix \"x y\"\n"
      "c3 multi\n"
      "c3 write SET k1 \"hello world\"\n"
      "c3 exec\n"
      "send c1\n"
      "deliver c1 17\n"
      "deliver c2 redirect 65536\n"
      "deliver-all\n"
      "kill c2\n"
      "kill c3 redirect\n"
      "reconnect c2 optout resp2 noloop entries 3 bytes 200\n"
      "clock +1500ms\n"
      "active-expire\n"
      "config tracking-table-max-keys 0\n"
      "flushall\n"
      "swapdb\n"
      "tick\n";
  absl::StatusOr<Program> p = ProgramFromText("# a comment\n\n" + text);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->clients.size(), 4u);
  EXPECT_EQ(p->clients[1].mode, cache::Mode::kBcast);
  EXPECT_EQ(p->clients[1].protocol, resp::Protocol::kResp2);
  EXPECT_TRUE(p->clients[1].noloop);
  EXPECT_EQ(p->clients[1].prefixes, (std::vector<std::string>{"user:", "a b"}));
  EXPECT_EQ(p->clients[3].mode, cache::Mode::kPlain);
  ASSERT_EQ(p->ops.size(), 22u);
  EXPECT_EQ(p->ops[0].kind, OpKind::kRead);
  EXPECT_EQ(p->ops[0].argv, (std::vector<std::string>{"HGET", "h1", "f1"}));
  EXPECT_EQ(p->ops[1].argv, (std::vector<std::string>{"MGET", "k1", "k2", std::string(1, '\0')}));
  EXPECT_EQ(p->ops[2].kind, OpKind::kWrite);
  EXPECT_EQ(p->ops[2].client, 1);
  EXPECT_EQ(p->ops[4].kind, OpKind::kTrackingOff);
  EXPECT_EQ(p->ops[4].client, 2);
  EXPECT_EQ(p->ops[5].kind, OpKind::kTrackingOn);
  EXPECT_EQ(p->ops[5].client, 1);
  EXPECT_EQ(p->ops[5].prefixes, (std::vector<std::string>{"k", "x y"}));
  EXPECT_EQ(p->ops[10].kind, OpKind::kDeliver);
  EXPECT_EQ(p->ops[10].conn, cache::kDataConn);
  EXPECT_EQ(p->ops[10].bytes, 17u);
  EXPECT_EQ(p->ops[11].conn, cache::kRedirectConn);
  EXPECT_EQ(p->ops[11].bytes, kMaxDeliverBytes);
  EXPECT_TRUE(p->clients[2].redirect);
  EXPECT_EQ(p->clients[2].max_entries, 4u);
  EXPECT_EQ(p->clients[2].max_bytes, kMaxCacheBytes);
  EXPECT_EQ(p->ops[13].kind, OpKind::kKill);
  EXPECT_EQ(p->ops[13].conn, cache::kDataConn);
  EXPECT_EQ(p->ops[14].kind, OpKind::kKill);
  EXPECT_EQ(p->ops[14].conn, cache::kRedirectConn);
  EXPECT_EQ(p->ops[14].client, 2);
  EXPECT_EQ(p->ops[15].kind, OpKind::kReconnect);
  EXPECT_EQ(p->ops[15].spec.mode, cache::Mode::kOptout);
  EXPECT_EQ(p->ops[15].spec.max_entries, 3u);
  EXPECT_EQ(p->ops[15].spec.max_bytes, 200u);
  EXPECT_EQ(p->ops[16].clock_ms, 1500u);
  EXPECT_EQ(p->ops[18].kind, OpKind::kConfigTableMaxKeys);
  EXPECT_EQ(p->ops[18].table_max_keys, 0u);
  EXPECT_EQ(p->ops[21].kind, OpKind::kTick);
  EXPECT_EQ(ProgramToText(*p), text);
  EXPECT_EQ(DecodeProgram(EncodeProgram(*p)), *p);
  // Command names in any case come out upper case; CRLF lines are fine.
  absl::StatusOr<Program> lower = ProgramFromText(kC1 + "c1 read hget h1 f1\r\n");
  ASSERT_TRUE(lower.ok()) << lower.status();
  EXPECT_EQ(OpToText(lower->ops[0]), "c1 read HGET h1 f1");
}

TEST(InvalidationProgram, TextErrorsNameTheLine) {
  EXPECT_EQ(Err(""), "line 1: no client declared ('client c1 MODE')");
  EXPECT_EQ(Err("# only a comment\n"), "line 1: no client declared ('client c1 MODE')");
  EXPECT_EQ(Err("tick\n"), "line 1: an op before any 'client c1 MODE' line");
  EXPECT_EQ(Err("client c2 default resp3\n"),
            "line 1: expected 'client c1 MODE' (clients are declared in order, c1 first)");
  EXPECT_EQ(Err(kC1 + "tick\nclient c2 plain resp3\n"), "line 3: client lines come before the ops");
  EXPECT_EQ(Err("client c1 fast resp3\n"),
            "line 1: unknown mode 'fast' (plain, default, bcast, optin, optout)");
  EXPECT_EQ(Err("client c1 default\n"),
            "line 1: expected a mode: <plain|default|bcast|optin|optout> <resp2|resp3> "
            "[noloop] [redirect] [entries N] [bytes N] [prefix P]...");
  EXPECT_EQ(Err("client c1 default resp4\n"), "line 1: expected resp2 or resp3, got 'resp4'");
  EXPECT_EQ(Err("client c1 plain resp3 noloop\n"),
            "line 1: noloop needs a tracking mode, not plain");
  EXPECT_EQ(Err("client c1 default resp3 noloop noloop\n"), "line 1: noloop given twice");
  EXPECT_EQ(Err("client c1 default resp3 prefix k\n"), "line 1: prefix needs the bcast mode");
  EXPECT_EQ(Err("client c1 bcast resp3 prefix\n"), "line 1: prefix needs a value");
  EXPECT_EQ(Err("client c1 bcast resp3 prefix user: prefix user:1\n"),
            "line 1: prefix user:1 overlaps another prefix of this client");
  EXPECT_EQ(Err("client c1 bcast resp3 prefix k prefix k\n"),
            "line 1: prefix k overlaps another prefix of this client");
  EXPECT_EQ(Err("client c1 bcast resp3 optin\n"),
            "line 1: unknown client option 'optin' (noloop, redirect, entries N, bytes N, "
            "prefix P)");
  EXPECT_EQ(Err("client c1 plain resp3 redirect\n"),
            "line 1: redirect needs a tracking mode, not plain");
  EXPECT_EQ(Err("client c1 default resp2 redirect\n"),
            "line 1: redirect is for resp3 (resp2 tracking always redirects)");
  EXPECT_EQ(Err("client c1 default resp3 redirect redirect\n"), "line 1: redirect given twice");
  EXPECT_EQ(Err("client c1 default resp3 entries\n"), "line 1: entries needs a number");
  EXPECT_EQ(Err("client c1 default resp3 bytes 1 bytes 2\n"), "line 1: bytes given twice");
  EXPECT_EQ(Err("client c1 default resp3 entries x\n"),
            "line 1: entries (the cache's max_entries) must be 0 to 10000, got 'x'");
  EXPECT_EQ(Err(kC1 + "c2 read GET k1\n"), "line 2: unknown client 'c2' (c1..c1 declared)");
  EXPECT_EQ(Err(kC1 + "send c0\n"), "line 2: unknown client 'c0' (c1..c1 declared)");
  EXPECT_EQ(Err(kC1 + "c1 read SET k1 v1\n").substr(0, 47),
            "line 2: 'SET' is not a read command (GET MGET S");
  EXPECT_EQ(Err(kC1 + "c1 write GET k1\n").substr(0, 47),
            "line 2: 'GET' is not a write command (SET SETNX");
  EXPECT_EQ(Err(kC1 + "c1 read\n"), "line 2: missing the read command name");
  EXPECT_EQ(Err(kC1 + "c1 read HGET h1\n"),
            "line 2: wrong number of arguments for 'read HGET' (HGET key field)");
  EXPECT_EQ(Err(kC1 + "c1 write HSET h1 f1 v1 f2\n"),
            "line 2: wrong number of arguments for 'write HSET' (HSET key field value [field "
            "value]..., at most 3 more groups)");
  EXPECT_EQ(Err(kC1 + "c1 read GET \"k1\n"), "line 2: unbalanced quotes");
  EXPECT_EQ(Err(kC1 + "c1 tracking\n"),
            "line 2: expected 'cN tracking off' or 'cN tracking on [prefix P]...'");
  EXPECT_EQ(Err(kC1 + "c1 tracking off now\n"),
            "line 2: expected 'cN tracking off' or 'cN tracking on [prefix P]...'");
  EXPECT_EQ(Err(kC1 + "c1 tracking on k\n"), "line 2: expected 'cN tracking on [prefix P]...'");
  EXPECT_EQ(Err(kC1 + "c1 tracking on prefix\n"),
            "line 2: expected 'cN tracking on [prefix P]...'");
  EXPECT_EQ(Err(kC1 + "c1 tracking on prefix k prefix k1\n"),
            "line 2: prefix k1 overlaps another prefix of this op");
  EXPECT_EQ(Err(kC1 + "c1 multi now\n"), "line 2: expected 'cN multi'");
  EXPECT_EQ(Err(kC1 + "c1 get k1\n"),
            "line 2: unknown client op 'get' (read, write, tracking off, tracking on, multi, "
            "exec, block, unblock)");
  EXPECT_EQ(Err(kC1 + "kill\n"), "line 2: expected 'kill cN [redirect]'");
  EXPECT_EQ(Err(kC1 + "kill c1 data\n"), "line 2: expected 'kill cN [redirect]'");
  EXPECT_EQ(Err(kC1 + "deliver c1\n"), "line 2: expected 'deliver cN [redirect] BYTES'");
  EXPECT_EQ(Err(kC1 + "deliver c1 data 5\n"), "line 2: expected 'deliver cN [redirect] BYTES'");
  EXPECT_EQ(Err(kC1 + "deliver c1 x\n"),
            "line 2: deliver's byte count must be 1 to 65536, got 'x'");
  EXPECT_EQ(Err(kC1 + "reconnect c1\n"),
            "line 2: expected a mode: <plain|default|bcast|optin|optout> <resp2|resp3> "
            "[noloop] [redirect] [entries N] [bytes N] [prefix P]...");
  EXPECT_EQ(Err(kC1 + "clock 5\n"), "line 2: expected 'clock +<ms>ms', got '5'");
  EXPECT_EQ(Err(kC1 + "clock +x1ms\n"),
            "line 2: the clock step (ms) must be 0 to 4294967295, got 'x1'");
  EXPECT_EQ(Err(kC1 + "config maxmemory 5\n"),
            "line 2: expected 'config tracking-table-max-keys N'");
  EXPECT_EQ(Err(kC1 + "tick tock\n"), "line 2: tick takes no arguments");
  EXPECT_EQ(Err(kC1 + "\n# x\nfrob\n").substr(0, 22), "line 4: unknown op 'fr");
}

TEST(InvalidationProgram, CapsAtTheirBoundaries) {
  // kMaxOps
  std::string ops = kC1;
  for (size_t i = 0; i < kMaxOps; ++i) ops += "tick\n";
  EXPECT_EQ(Err(ops), "ok");
  EXPECT_EQ(Err(ops + "tick\n"), "line 258: more than 256 ops");
  EXPECT_EQ(
      DecodeProgram(std::string("\x00\x01\x00", 3) + std::string(kMaxOps + 10, '\xec')).ops.size(),
      kMaxOps);

  // kMaxClients
  std::string clients;
  for (int i = 1; i <= kMaxClients; ++i)
    clients += "client c" + std::to_string(i) + " plain resp3\n";
  EXPECT_EQ(Err(clients), "ok");
  EXPECT_EQ(Err(clients + "client c5 plain resp3\n"), "line 5: more than 4 clients");
  EXPECT_EQ(DecodeProgram("\x07").clients.size(), 4u);  // 7 % 4 + 1

  // kMaxPrefixes
  std::string prefixes = "client c1 bcast resp3";
  for (size_t i = 0; i < kMaxPrefixes; ++i) prefixes += " prefix p" + std::to_string(i);
  absl::StatusOr<Program> at = ProgramFromText(prefixes + "\n");
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(DecodeProgram(EncodeProgram(*at)), *at);
  EXPECT_EQ(Err(prefixes + " prefix q\n"), "line 1: more than 4 prefixes");
  // The byte form: count (m >> 5) % 5, so 4 prefixes at most; an overlapping
  // one is dropped.
  const Program four = DecodeProgram(std::string("\x00\x82\x00\x00\x01\x03\x04", 7));
  EXPECT_EQ(four.clients[0].prefixes, (std::vector<std::string>{"k", "h", "s"}))
      << SpecToText(four.clients[0]);  // k1 overlaps k
  EXPECT_TRUE(DecodeProgram(std::string("\x00\xa2\x00\x00\x03\x04\x05\x06", 8))
                  .clients[0]
                  .prefixes.empty());  // (0xa2 >> 5) % 5 == 0
  // The same cap for `cN tracking on`: text, and the count byte % 5.
  std::string on = kC1 + "c1 tracking on";
  for (size_t i = 0; i < kMaxPrefixes; ++i) on += " prefix p" + std::to_string(i);
  absl::StatusOr<Program> on_at = ProgramFromText(on + "\n");
  ASSERT_TRUE(on_at.ok()) << on_at.status();
  EXPECT_EQ(DecodeProgram(EncodeProgram(*on_at)), *on_at);
  EXPECT_EQ(Err(on + " prefix q\n"), "line 2: more than 4 prefixes");
  const Program on_four = DecodeProgram(std::string("\x00\x01\x00\xfc\x09\x00\x01\x03\x04", 9));
  ASSERT_EQ(on_four.ops.size(), 1u);
  EXPECT_EQ(on_four.ops[0].prefixes, (std::vector<std::string>{"k", "h", "s"}));  // 9 % 5 == 4
  EXPECT_TRUE(
      DecodeProgram(std::string("\x00\x01\x00\xfc\x05", 5)).ops[0].prefixes.empty());  // 5 % 5

  // kMaxTailGroups
  std::string mget = kC1 + "c1 read MGET k1";
  for (size_t i = 0; i < kMaxTailGroups; ++i) mget += " k2";
  absl::StatusOr<Program> m = ProgramFromText(mget + "\n");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(DecodeProgram(EncodeProgram(*m)), *m);
  EXPECT_EQ(Err(mget + " k3\n"),
            "line 2: wrong number of arguments for 'read MGET' (MGET key [key]..., at most 3 "
            "more groups)");
  // Group count byte: % (kMaxTailGroups + 1).
  const Program g = DecodeProgram(std::string("\x00\x01\x00\x00\x01\x00\x04", 7));
  ASSERT_EQ(g.ops.size(), 1u);
  EXPECT_EQ(g.ops[0].argv, (std::vector<std::string>{"MGET", "k1"}));

  // kMaxLiteralLen, for arguments and prefixes.
  const std::string lit(kMaxLiteralLen, 'x');
  absl::StatusOr<Program> l = ProgramFromText(kC1 + "c1 write SET k1 " + lit + "\n");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(DecodeProgram(EncodeProgram(*l)), *l);
  EXPECT_EQ(Err(kC1 + "c1 write SET k1 x" + lit + "\n"), "line 2: argument longer than 127 bytes");
  EXPECT_EQ(Err("client c1 bcast resp3 prefix " + lit + "\n"), "ok");
  EXPECT_EQ(Err("client c1 bcast resp3 prefix x" + lit + "\n"),
            "line 1: prefix longer than 127 bytes");
  EXPECT_EQ(Err(kC1 + "c1 tracking on prefix " + lit + "\n"), "ok");
  EXPECT_EQ(Err(kC1 + "c1 tracking on prefix x" + lit + "\n"),
            "line 2: prefix longer than 127 bytes");

  // kMaxDeliverBytes, and the byte form's escape reaching it.
  absl::StatusOr<Program> d = ProgramFromText(kC1 + "deliver c1 65536\ndeliver c1 1\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(DecodeProgram(EncodeProgram(*d)), *d);
  EXPECT_EQ(Err(kC1 + "deliver c1 65537\n"),
            "line 2: deliver's byte count must be 1 to 65536, got '65537'");
  EXPECT_EQ(Err(kC1 + "deliver c1 0\n"),
            "line 2: deliver's byte count must be 1 to 65536, got '0'");
  const Program big = DecodeProgram(std::string("\x00\x01\x00\x88\xff\xff\xff", 7));  // kind 34
  ASSERT_EQ(big.ops.size(), 1u);
  EXPECT_EQ(big.ops[0].bytes, kMaxDeliverBytes);

  // The clock step and tracking-table-max-keys are uint32.
  absl::StatusOr<Program> c =
      ProgramFromText(kC1 + "clock +4294967295ms\nconfig tracking-table-max-keys 4294967295\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(DecodeProgram(EncodeProgram(*c)), *c);
  EXPECT_EQ(Err(kC1 + "clock +4294967296ms\n"),
            "line 2: the clock step (ms) must be 0 to 4294967295, got '4294967296'");
  EXPECT_EQ(Err(kC1 + "config tracking-table-max-keys 4294967296\n"),
            "line 2: tracking-table-max-keys must be 0 to 4294967295, got '4294967296'");

  // A client's cache limits: entries 0..kMaxCacheEntries, bytes
  // 0..kMaxCacheBytes (the cache's defaults), in text and through the byte
  // form's escapes; a decoded value above the cap is the cap.
  for (const std::string mode : {"default resp3", "bcast resp2", "optin resp3 redirect"}) {
    for (const std::string limits :
         {"entries 0", "entries 1", "entries 5", "entries 9999", "bytes 0", "bytes 1", "bytes 24",
          "bytes 100", "bytes 67108863", "entries 2 bytes 64", "entries 7 bytes 65"}) {
      absl::StatusOr<Program> lim =
          ProgramFromText("client c1 " + mode + " " + limits + "\ntick\n");
      ASSERT_TRUE(lim.ok()) << lim.status();
      EXPECT_EQ(SpecToText(lim->clients[0]), mode + " " + limits);
      EXPECT_EQ(DecodeProgram(EncodeProgram(*lim)), *lim) << limits;
      ExpectValidSpec(lim->clients[0]);
    }
  }
  absl::StatusOr<Program> at_cap =
      ProgramFromText("client c1 default resp3 entries 10000 bytes 67108864\n");
  ASSERT_TRUE(at_cap.ok());
  EXPECT_EQ(at_cap->clients[0], ClientSpec());  // the caps are the defaults
  EXPECT_EQ(Err("client c1 default resp3 entries 10001\n"),
            "line 1: entries (the cache's max_entries) must be 0 to 10000, got '10001'");
  EXPECT_EQ(Err("client c1 default resp3 bytes 67108865\n"),
            "line 1: bytes (the cache's max_bytes) must be 0 to 67108864, got '67108865'");
  // Escapes: entries (l >> 1) & 7 == 7, u16 LE; bytes l >> 4 == 15, u32 LE.
  const Program esc = DecodeProgram(std::string("\x00\x01\xfe\xff\xff\xff\xff\xff\xff", 9));
  EXPECT_EQ(esc.clients[0].max_entries, kMaxCacheEntries);
  EXPECT_EQ(esc.clients[0].max_bytes, kMaxCacheBytes);
  const Program small = DecodeProgram(std::string("\x00\x01\xfe\x05\x00\x07\x00\x00\x00", 9));
  EXPECT_EQ(small.clients[0].max_entries, 5u);
  EXPECT_EQ(small.clients[0].max_bytes, 7u);
  EXPECT_EQ(EncodeProgram(small), std::string("\x00\x01\xfe\x05\x00\x07\x00\x00\x00", 9));
  // A step from the tables takes no extra byte: entries 2 (index 3), bytes
  // 64 (index 5).
  const Program step = DecodeProgram(std::string("\x00\x01\x56", 3));
  EXPECT_EQ(SpecToText(step.clients[0]), "default resp3 entries 2 bytes 64");
  // redirect = l & 1, kept for RESP3 tracking modes only.
  EXPECT_TRUE(DecodeProgram(std::string("\x00\x01\x01", 3)).clients[0].redirect);
  EXPECT_FALSE(DecodeProgram(std::string("\x00\x09\x01", 3)).clients[0].redirect);  // resp2
  EXPECT_FALSE(DecodeProgram(std::string("\x00\x00\x01", 3)).clients[0].redirect);  // plain
}

TEST(InvalidationProgram, ReadsAreTheCachesCacheableReads) {
  std::set<std::string> ours, cache_reads;
  for (const CommandShape& s : ReadCommands()) ours.insert(std::string(s.name));
  for (std::string_view n : cache::CacheableReads()) cache_reads.insert(std::string(n));
  EXPECT_EQ(ours, cache_reads);
  for (const CommandShape& s : WriteCommands()) {
    EXPECT_EQ(cache_reads.count(std::string(s.name)), 0u) << s.name;
  }
}

TEST(InvalidationProgram, OpTableReachesEveryOp) {
  std::set<std::pair<OpKind, bool>> codes;
  for (const OpCode& c : OpTable()) codes.insert({c.kind, c.redirect});
  // + deliver redirect, kill redirect
  EXPECT_EQ(codes.size(), static_cast<size_t>(OpKind::kRaw) + 3);
  EXPECT_EQ(OpTable().size(), 64u);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The program lines of a text: no comment lines, no blank lines.
std::string ProgramLines(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    out += line + "\n";
  }
  return out;
}

// Each seed parses, says what it exercises in a comment on its first line,
// is in the canonical text form (text -> program -> text gives its program
// lines exactly), and survives the byte form.
TEST(InvalidationProgram, EverySeedIsACanonicalProgram) {
  const std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "invalidation";
  size_t seeds = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".txt") continue;
    const std::string text = ReadFile(e.path());
    EXPECT_TRUE(text.starts_with("# ")) << e.path() << ": no comment line at the top";
    absl::StatusOr<Program> p = ProgramFromText(text);
    ASSERT_TRUE(p.ok()) << e.path() << ": " << p.status();
    EXPECT_FALSE(p->ops.empty()) << e.path();
    EXPECT_EQ(ProgramToText(*p), ProgramLines(text)) << e.path() << " is not canonical";
    EXPECT_EQ(DecodeProgram(EncodeProgram(*p)), *p) << e.path();
    ++seeds;
  }
  EXPECT_GE(seeds, 10u);
  EXPECT_LE(seeds, 48u);  // 42 since raw_geo_search.txt
}

// The dictionary's value syntax: printable bytes and \xHH, \\, \".
std::string DictValue(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == 'x' && i + 3 < v.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(v.substr(i + 2, 2)), nullptr, 16)));
      i += 3;
    } else if (v[i] == '\\' && i + 1 < v.size()) {
      out.push_back(v[++i]);
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

// Each dictionary entry is what the comment above it says: a header
// ("header_...") decodes to those client lines ("; " between them), and an
// op, after the default header, to exactly that one op, in canonical bytes.
TEST(InvalidationProgram, DictionaryEntriesAreTheirComments) {
  std::istringstream in(
      ReadFile(std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "dictionaries" / "invalidation.dict"));
  const std::string header("\x01\x01\x00\x00\x00", 5);
  // raw_* ops: after "header_raw" (the same clients and raw r1 resp3).
  const std::string raw_header("\x05\x01\x00\x00\x00\x00", 6);
  std::string line, comment;
  size_t entries = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("# ")) {
      comment = line.substr(2);
      continue;
    }
    const size_t eq = line.find("=\"");
    if (eq == std::string::npos || !line.ends_with("\"")) continue;
    const std::string name = line.substr(0, eq);
    const std::string bytes =
        DictValue(std::string_view(line).substr(eq + 2, line.size() - eq - 3));
    ++entries;
    if (name.starts_with("header_")) {
      const Program p = DecodeProgram(bytes);
      EXPECT_TRUE(p.ops.empty()) << name;
      std::string clients = ProgramToText(p);
      clients.pop_back();
      for (size_t at; (at = clients.find('\n')) != std::string::npos;) clients.replace(at, 1, "; ");
      EXPECT_EQ(clients, comment) << name;
      EXPECT_EQ(EncodeProgram(p), bytes) << name;
    } else {
      const std::string& h = name.starts_with("raw_") ? raw_header : header;
      const Program p = DecodeProgram(h + bytes);
      ASSERT_EQ(p.ops.size(), 1u) << name;
      EXPECT_EQ(OpToText(p.ops[0]), comment) << name;
      EXPECT_EQ(EncodeProgram(p), h + bytes) << name;
    }
  }
  EXPECT_GE(entries, 40u);
}

// Memory accounting: `config maxmemory N POLICY`, text and bytes.
TEST(InvalidationProgram, ConfigMaxmemoryRoundTrips) {
  const std::string text =
      kC1 + "config maxmemory 1048670 volatile-ttl\nconfig maxmemory 0 noeviction\n";
  absl::StatusOr<Program> p = ProgramFromText(text);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->ops.size(), 2u);
  EXPECT_EQ(p->ops[0].kind, OpKind::kConfigMaxmemory);
  EXPECT_EQ(AdminCommand(p->ops[0]),
            (std::vector<std::string>{"CONFIG", "SET", "maxmemory", "1048670", "maxmemory-policy",
                                      "volatile-ttl"}));
  EXPECT_EQ(ProgramToText(*p), text);
  EXPECT_EQ(DecodeProgram(EncodeProgram(*p)), *p);
  EXPECT_EQ(ProgramFromText(kC1 + "config maxmemory 5 lru\n").status().message(),
            "line 2: unknown maxmemory-policy 'lru'");
}

// `debug-reload`: the admin's DEBUG RELOAD, text and bytes (op kind 60,
// formerly a second tick; 59 is still tick).
TEST(InvalidationProgram, DebugReloadRoundTrips) {
  const std::string text = kC1 + "debug-reload\ntick\n";
  absl::StatusOr<Program> p = ProgramFromText(text);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->ops.size(), 2u);
  EXPECT_EQ(p->ops[0].kind, OpKind::kDebugReload);
  EXPECT_EQ(AdminCommand(p->ops[0]), (std::vector<std::string>{"DEBUG", "RELOAD"}));
  EXPECT_EQ(ProgramToText(*p), text);
  const std::string bytes = EncodeProgram(*p);
  EXPECT_EQ(bytes.substr(bytes.size() - 2), std::string("\xf0\xec", 2));
  EXPECT_EQ(DecodeProgram(bytes), *p);
  EXPECT_EQ(Err(kC1 + "debug-reload now\n"), "line 2: debug-reload takes no arguments");
}

}  // namespace
}  // namespace respfuzz::harnesses::invalidation
