// ClientCache: every rule, every limit at its boundary, and each planted
// bug switch seen to do what the harness must later catch.
#include "src/cache/client_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/resp/writer.h"

namespace respfuzz::cache {

// Reaches into the cache to corrupt it, so Validate() is seen to fail.
class ClientCacheTestPeer {
 public:
  static void DropIndex(ClientCache& c) { c.index_.clear(); }
  static void MiscountBytes(ClientCache& c) { c.bytes_ += 1; }
  static void LoseLru(ClientCache& c) { c.lru_.pop_back(); }
  static void MiscountPending(ClientCache& c) { ++c.user_pending_; }
};

namespace {

using resp::Value;
using Argv = std::vector<std::string>;

std::string Cmd(const Argv& argv) { return resp::EncodeCommand(argv); }
std::string Bulk(const std::string& s) { return absl::StrCat("$", s.size(), "\r\n", s, "\r\n"); }
std::string Invalidate3(const std::vector<std::string>& keys) {
  std::string out = absl::StrCat(">2\r\n", Bulk("invalidate"), "*", keys.size(), "\r\n");
  for (const auto& k : keys) out += Bulk(k);
  return out;
}
const std::string kFlush3 = ">2\r\n$10\r\ninvalidate\r\n_\r\n";
std::string Message2(const std::vector<std::string>& keys) {
  std::string out = absl::StrCat("*3\r\n", Bulk("message"), Bulk("__redis__:invalidate"), "*",
                                 keys.size(), "\r\n");
  for (const auto& k : keys) out += Bulk(k);
  return out;
}
const std::string kFlush2 = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n";
const std::string kHelloReply = "%2\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n";
const std::string kRedirectHelloReply = "%2\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:9\r\n";
const std::string kSubscribed = "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n";

CacheOptions Options(Mode mode = Mode::kDefault, resp::Protocol p = resp::Protocol::kResp3) {
  CacheOptions o;
  o.mode = mode;
  o.protocol = p;
  return o;
}

// A cache whose handshake is done; the handshake's output is taken.
class Fixture {
 public:
  explicit Fixture(CacheOptions o) : c(std::move(o)) {
    c.Connect();
    if (c.options().protocol == resp::Protocol::kResp3) {
      Feed(0, kHelloReply);
      if (c.options().redirect) Feed(1, kRedirectHelloReply);
      if (c.options().mode != Mode::kPlain) Feed(0, "+OK\r\n");
    } else {
      Feed(0, ":5\r\n");
      if (c.options().mode != Mode::kPlain) {
        Feed(1, ":6\r\n" + kSubscribed);
        Feed(0, "+OK\r\n");
      }
    }
    EXPECT_TRUE(c.ready());
    c.TakeOutput(0);
    c.TakeOutput(1);
  }
  void Feed(int conn, const std::string& bytes) {
    absl::Status s = c.OnBytes(conn, bytes);
    EXPECT_TRUE(s.ok()) << s;
    Check();
  }
  void Check() {
    absl::Status v = c.Validate();
    EXPECT_TRUE(v.ok()) << v;
  }
  // Submits; returns the ticket (0 for a hit, whose value goes to *hit).
  uint64_t Submit(const Argv& argv, Value* hit = nullptr) {
    auto s = c.Submit(argv);
    EXPECT_TRUE(s.ok()) << s.status();
    Check();
    if (!s.ok()) return 0;
    if (s->hit) {
      if (hit != nullptr) *hit = *s->hit;
      return 0;
    }
    return s->ticket;
  }
  // A read answered by the server with `reply` (fed right after sending).
  Reply Roundtrip(const Argv& argv, const std::string& reply) {
    const uint64_t t = Submit(argv);
    EXPECT_NE(t, 0u) << "served from the cache";
    c.TakeOutput(0);
    Feed(0, reply);
    std::vector<Reply> r = c.TakeReplies();
    EXPECT_EQ(r.size(), 1u);
    if (r.empty()) return {};
    EXPECT_EQ(r[0].ticket, t);
    return r[0];
  }
  // Whether `argv` is a hit now, and its value.
  bool Hit(const Argv& argv, Value* value = nullptr) {
    if (!c.Contains(argv)) return false;
    Value v;
    const uint64_t t = Submit(argv, &v);
    if (value != nullptr) *value = v;
    return t == 0;
  }
  ClientCache c;
};

TEST(ClientCache, Resp3HandshakeQueuesCommandsUntilReady) {
  ClientCache c(Options());
  EXPECT_EQ(c.state(), State::kDisconnected);
  EXPECT_FALSE(c.Submit({"GET", "k"}).ok());
  c.Connect();
  EXPECT_EQ(c.state(), State::kHandshake);
  EXPECT_EQ(c.TakeOutput(0), Cmd({"HELLO", "3"}) + Cmd({"CLIENT", "TRACKING", "on"}));
  auto s = c.Submit({"GET", "k"});
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->hit);
  EXPECT_EQ(c.TakeOutput(0), "");  // queued, not sent
  ASSERT_TRUE(c.OnBytes(0, kHelloReply).ok());
  EXPECT_EQ(c.connection_id(0), 7);
  EXPECT_EQ(c.state(), State::kHandshake);
  ASSERT_TRUE(c.OnBytes(0, "+OK\r\n").ok());
  EXPECT_TRUE(c.ready());
  EXPECT_EQ(c.TakeOutput(0), Cmd({"GET", "k"}));
  EXPECT_TRUE(c.Validate().ok());
}

TEST(ClientCache, Resp2HandshakeSubscribesThenRedirects) {
  CacheOptions o = Options(Mode::kDefault, resp::Protocol::kResp2);
  o.noloop = true;
  ClientCache c(o);
  EXPECT_EQ(c.connections(), 2);
  c.Connect();
  EXPECT_EQ(c.TakeOutput(0), Cmd({"CLIENT", "ID"}));
  EXPECT_EQ(c.TakeOutput(1), Cmd({"CLIENT", "ID"}) + Cmd({"SUBSCRIBE", "__redis__:invalidate"}));
  ASSERT_TRUE(c.OnBytes(1, ":42\r\n").ok());
  EXPECT_EQ(c.TakeOutput(0), "");  // not before the subscription is confirmed
  ASSERT_TRUE(c.OnBytes(1, kSubscribed).ok());
  EXPECT_EQ(c.TakeOutput(0), Cmd({"CLIENT", "TRACKING", "on", "REDIRECT", "42", "NOLOOP"}));
  ASSERT_TRUE(c.OnBytes(0, ":41\r\n").ok());
  EXPECT_FALSE(c.ready());
  ASSERT_TRUE(c.OnBytes(0, "+OK\r\n").ok());
  EXPECT_TRUE(c.ready());
  EXPECT_EQ(c.connection_id(0), 41);
  EXPECT_EQ(c.connection_id(1), 42);
}

TEST(ClientCache, Resp3RedirectHandshakeHellosBothThenRedirects) {
  CacheOptions o = Options(Mode::kBcast);
  o.redirect = true;
  o.prefixes = {"user:"};
  ClientCache c(o);
  EXPECT_EQ(c.connections(), 2);
  c.Connect();
  EXPECT_EQ(c.TakeOutput(0), Cmd({"HELLO", "3"}));
  EXPECT_EQ(c.TakeOutput(1), Cmd({"HELLO", "3"}));
  ASSERT_TRUE(c.OnBytes(0, kHelloReply).ok());
  EXPECT_EQ(c.TakeOutput(0), "");  // not before the redirect connection's id is known
  ASSERT_TRUE(c.OnBytes(1, kRedirectHelloReply).ok());
  EXPECT_EQ(c.TakeOutput(0),
            Cmd({"CLIENT", "TRACKING", "on", "REDIRECT", "9", "BCAST", "PREFIX", "user:"}));
  EXPECT_FALSE(c.ready());
  ASSERT_TRUE(c.OnBytes(0, "+OK\r\n").ok());
  EXPECT_TRUE(c.ready());
  EXPECT_EQ(c.connection_id(0), 7);
  EXPECT_EQ(c.connection_id(1), 9);
  // More prefixes name the redirect connection again (the server resets it).
  ASSERT_TRUE(c.AddPrefixes({"k"}).ok());
  EXPECT_EQ(c.TakeOutput(0),
            Cmd({"CLIENT", "TRACKING", "on", "REDIRECT", "9", "BCAST", "PREFIX", "k"}));
  EXPECT_TRUE(c.Validate().ok());
}

TEST(ClientCache, Resp3RedirectTakesPushesOnTheRedirectConnection) {
  CacheOptions o = Options();
  o.redirect = true;
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  EXPECT_TRUE(f.c.Contains({"GET", "a"}));
  f.Feed(1, Invalidate3({"a"}));
  EXPECT_FALSE(f.c.Contains({"GET", "a"}));
  // In flight across the two connections: the invalidation first.
  const uint64_t t = f.Submit({"GET", "b"});
  f.Feed(1, Invalidate3({"b"}));
  f.Feed(0, "$1\r\n2\r\n");
  std::vector<Reply> r = f.c.TakeReplies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ticket, t);
  EXPECT_FALSE(f.c.Contains({"GET", "b"}));
  // A flush on the redirect connection, also while a read is in flight.
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Submit({"GET", "c"});
  f.Feed(1, kFlush3);
  f.Feed(0, "$1\r\n3\r\n");
  EXPECT_EQ(f.c.TakeReplies().size(), 1u);
  EXPECT_EQ(f.c.entries(), 0u);
  EXPECT_EQ(f.c.stats().fills_raced, 2u);
  // tracking-redir-broken on the data connection: the redirect is gone.
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Feed(0, ">2\r\n$21\r\ntracking-redir-broken\r\n:9\r\n");
  EXPECT_EQ(f.c.entries(), 0u);
  EXPECT_FALSE(f.c.caching());
  // The redirect connection's EOF disconnects.
  f.c.OnEof(1);
  EXPECT_EQ(f.c.state(), State::kDisconnected);
}

TEST(ClientCache, Resp3RedirectResetRedirectsAgain) {
  CacheOptions o = Options();
  o.redirect = true;
  Fixture f(o);
  f.Submit({"RESET"});
  f.c.TakeOutput(0);
  f.Feed(0, "+RESET\r\n");
  EXPECT_EQ(f.c.TakeOutput(0),
            Cmd({"HELLO", "3"}) + Cmd({"CLIENT", "TRACKING", "on", "REDIRECT", "9"}));
  EXPECT_EQ(f.c.TakeOutput(1), "");
  f.Feed(0, kHelloReply + "+OK\r\n");
  EXPECT_TRUE(f.c.ready());
}

TEST(ClientCache, RefusedHandshakeDisconnectsAndLosesQueuedCommands) {
  ClientCache c(Options());
  c.Connect();
  ASSERT_TRUE(c.Submit({"GET", "k"}).ok());
  EXPECT_FALSE(c.OnBytes(0, "-NOPROTO sorry\r\n").ok());
  EXPECT_EQ(c.state(), State::kDisconnected);
  EXPECT_NE(c.status().message().find("HELLO 3 refused"), std::string_view::npos);
  std::vector<Reply> r = c.TakeReplies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].lost);
  EXPECT_FALSE(c.Submit({"GET", "k"}).ok());
}

TEST(ClientCache, PlainModeNeverCaches) {
  Fixture f(Options(Mode::kPlain, resp::Protocol::kResp2));
  EXPECT_EQ(f.c.connections(), 1);
  f.Roundtrip({"GET", "k"}, "$1\r\nv\r\n");
  EXPECT_FALSE(f.c.Contains({"GET", "k"}));
  EXPECT_FALSE(f.c.caching());
}

TEST(ClientCache, MissFillsThenHits) {
  Fixture f(Options());
  Reply r = f.Roundtrip({"GET", "k"}, "$1\r\nv\r\n");
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(r.value, Value::Bulk("v"));
  Value v;
  EXPECT_TRUE(f.Hit({"get", "k"}, &v));  // command names are case-insensitive
  EXPECT_EQ(v, Value::Bulk("v"));
  EXPECT_EQ(f.c.stats().hits, 1u);
  EXPECT_EQ(f.c.stats().fills, 1u);
  // A missing key is cached too (the server tracks it).
  f.Roundtrip({"GET", "nokey"}, "_\r\n");
  EXPECT_TRUE(f.Hit({"GET", "nokey"}));
}

TEST(ClientCache, FramesSplitAcrossDeliveriesAreBuiltWhole) {
  // An invalidation push and then a reply, handed over one byte at a time:
  // the aggregates still open between calls are kept with the reader.
  Fixture f(Options());
  f.Roundtrip({"GET", "k"}, "$1\r\nv\r\n");
  const uint64_t t = f.Submit({"MGET", "a", "b"});
  const std::string bytes = Invalidate3({"k"}) + "*2\r\n$1\r\n1\r\n_\r\n";
  for (char ch : bytes) f.Feed(0, std::string(1, ch));
  EXPECT_FALSE(f.c.Contains({"GET", "k"}));
  std::vector<Reply> r = f.c.TakeReplies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ticket, t);
  EXPECT_EQ(r[0].value.type, resp::Type::kArray);
  EXPECT_EQ(r[0].value.elems.size(), 2u);
}

TEST(ClientCache, TrackingOffDropsEverythingAndStopsCaching) {
  Fixture f(Options());
  f.Roundtrip({"GET", "k"}, "$1\r\nv\r\n");
  const uint64_t t = f.Submit({"GET", "j"});  // in flight: returned, not cached
  f.c.TakeOutput(0);
  ASSERT_TRUE(f.c.TrackingOff().ok());
  EXPECT_EQ(f.c.TakeOutput(0), Cmd({"CLIENT", "TRACKING", "off"}));
  EXPECT_EQ(f.c.entries(), 0u);
  EXPECT_FALSE(f.c.caching());
  f.Feed(0, "$1\r\nw\r\n+OK\r\n");  // GET j's reply, then TRACKING off's
  std::vector<Reply> r = f.c.TakeReplies();
  ASSERT_EQ(r.size(), 1u);  // the cache's own reply is not the user's
  EXPECT_EQ(r[0].ticket, t);
  EXPECT_FALSE(f.c.Contains({"GET", "j"}));
  f.Roundtrip({"GET", "k"}, "$1\r\nv\r\n");
  EXPECT_FALSE(f.c.Contains({"GET", "k"}));
  // Refused when there is no tracking to turn off, or inside MULTI; the
  // message names which.
  const absl::Status off = f.c.TrackingOff();
  EXPECT_EQ(off.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(off.message(), ", tracking off)")) << off;
  Fixture g(Options());
  g.Submit({"MULTI"});
  const absl::Status multi = g.c.TrackingOff();
  EXPECT_EQ(multi.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(multi.message(), "(state ready, in MULTI)")) << multi;
  g.c.Connect();
  EXPECT_EQ(g.c.TrackingOff().code(), absl::StatusCode::kFailedPrecondition);  // handshake
}

TEST(ClientCache, ErrorRepliesAreNotCached) {
  Fixture f(Options());
  f.Roundtrip({"GET", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind\r\n");
  EXPECT_FALSE(f.c.Contains({"GET", "s"}));
}

TEST(ClientCache, EntriesArePerCommandAndArguments) {
  Fixture f(Options());
  f.Roundtrip({"HGET", "h", "f1"}, "$2\r\nv1\r\n");
  EXPECT_FALSE(f.c.Contains({"HGET", "h", "f2"}));
  f.Roundtrip({"HGET", "h", "f2"}, "$2\r\nv2\r\n");
  Value v;
  EXPECT_TRUE(f.Hit({"HGET", "h", "f2"}, &v));
  EXPECT_EQ(v, Value::Bulk("v2"));
  EXPECT_EQ(f.c.entries(), 2u);
  // One invalidation of the key drops both fields' entries.
  f.Feed(0, Invalidate3({"h"}));
  EXPECT_EQ(f.c.entries(), 0u);
}

TEST(ClientCacheBugs, HashEntryPerKeyServesTheWrongField) {
  CacheOptions o = Options();
  o.bugs.hash_entry_per_key = true;
  Fixture f(o);
  f.Roundtrip({"HGET", "h", "f1"}, "$2\r\nv1\r\n");
  Value v;
  EXPECT_TRUE(f.Hit({"HGET", "h", "f2"}, &v));
  EXPECT_EQ(v, Value::Bulk("v1"));  // f2's value is not v1: a stale/wrong read
}

TEST(ClientCache, AnEntryDependsOnEveryKeyItReads) {
  Fixture f(Options());
  f.Roundtrip({"MGET", "a", "b"}, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  EXPECT_EQ(ReadKeys({"MGET", "a", "b", "a"}), (std::vector<std::string>{"a", "b"}));
  f.Feed(0, Invalidate3({"b"}));
  EXPECT_FALSE(f.c.Contains({"MGET", "a", "b"}));
  EXPECT_TRUE(f.c.Contains({"GET", "a"}));
  EXPECT_EQ(f.c.stats().invalidated_keys, 1u);
}

TEST(ClientCache, CacheableReadsNeedTheirArgumentCount) {
  EXPECT_TRUE(IsCacheableRead({"GET", "k"}));
  EXPECT_FALSE(IsCacheableRead({"GET"}));
  EXPECT_FALSE(IsCacheableRead({"GET", "k", "extra"}));
  EXPECT_TRUE(IsCacheableRead({"ZRANGE", "z", "0", "-1", "REV"}));
  EXPECT_FALSE(IsCacheableRead({"SET", "k", "v"}));
  EXPECT_FALSE(IsCacheableRead({"TTL", "k"}));
  EXPECT_EQ(ReadKeys({"HGET", "h", "f"}), (std::vector<std::string>{"h"}));
  EXPECT_EQ(ReadKeys({"EXISTS", "a", "b"}), (std::vector<std::string>{"a", "b"}));
}

TEST(ClientCache, Resp2InvalidationsArriveOnTheRedirectConnection) {
  Fixture f(Options(Mode::kDefault, resp::Protocol::kResp2));
  f.Roundtrip({"GET", "k"}, "$1\r\nv\r\n");
  f.Roundtrip({"GET", "j"}, "$1\r\nw\r\n");
  EXPECT_TRUE(f.c.Contains({"GET", "k"}));
  f.Feed(1, Message2({"k"}));
  EXPECT_FALSE(f.c.Contains({"GET", "k"}));
  EXPECT_TRUE(f.c.Contains({"GET", "j"}));
  f.Feed(1, kFlush2);
  EXPECT_EQ(f.c.entries(), 0u);
  EXPECT_EQ(f.c.stats().flushes, 1u);
}

TEST(ClientCache, NullInvalidationDropsEverything) {
  Fixture f(Options());
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Roundtrip({"SMEMBERS", "s"}, "~1\r\n$1\r\nx\r\n");
  EXPECT_EQ(f.c.entries(), 2u);
  f.Feed(0, kFlush3);
  EXPECT_EQ(f.c.entries(), 0u);
  EXPECT_TRUE(f.c.ready());
}

TEST(ClientCacheBugs, IgnoredNullInvalidationKeepsStaleEntries) {
  CacheOptions o = Options();
  o.bugs.ignore_null_invalidation = true;
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Feed(0, kFlush3);  // the server flushed: a is gone
  EXPECT_TRUE(f.Hit({"GET", "a"}));
}

TEST(ClientCacheBugs, CrashingNullInvalidationFailsTheClient) {
  CacheOptions o = Options();
  o.bugs.fail_on_null_invalidation = true;
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  EXPECT_FALSE(f.c.OnBytes(0, kFlush3).ok());
  EXPECT_EQ(f.c.state(), State::kDisconnected);
}

TEST(ClientCache, UnknownInvalidationShapesDropEverything) {
  Fixture f(Options());
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Feed(0, ">2\r\n$10\r\ninvalidate\r\n:5\r\n");
  EXPECT_EQ(f.c.entries(), 0u);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Feed(0, ">2\r\n$10\r\ninvalidate\r\n*1\r\n:5\r\n");
  EXPECT_EQ(f.c.entries(), 0u);
  // Pushes of other kinds change nothing and answer nothing.
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Feed(0, ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n");
  EXPECT_EQ(f.c.entries(), 1u);
}

TEST(ClientCache, EofDropsEverythingAndLosesPendingCommands) {
  for (int conn : {0, 1}) {
    Fixture f(Options(Mode::kDefault, resp::Protocol::kResp2));
    f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
    const uint64_t t = f.Submit({"GET", "b"});
    f.c.OnEof(conn);
    EXPECT_EQ(f.c.entries(), 0u) << conn;
    EXPECT_EQ(f.c.state(), State::kDisconnected);
    std::vector<Reply> r = f.c.TakeReplies();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].ticket, t);
    EXPECT_TRUE(r[0].lost);
    EXPECT_EQ(r[0].value.type, resp::Type::kError);
    f.Check();
  }
}

TEST(ClientCache, ReconnectDropsEverything) {
  Fixture f(Options());
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.c.Connect();
  EXPECT_EQ(f.c.entries(), 0u);
  EXPECT_EQ(f.c.state(), State::kHandshake);
}

TEST(ClientCacheBugs, KeepOnDisconnectServesEntriesNobodyTracks) {
  CacheOptions o = Options();
  o.bugs.keep_on_disconnect = true;
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.c.OnEof(0);
  f.c.Connect();
  f.Feed(0, kHelloReply + "+OK\r\n");
  EXPECT_TRUE(f.Hit({"GET", "a"}));  // the new connection never read a: no invalidation will come
}

TEST(ClientCache, ResetDropsEverythingAndRunsTheHandshakeAgain) {
  Fixture f(Options());
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  const uint64_t reset = f.Submit({"RESET"});
  EXPECT_EQ(f.c.entries(), 0u);
  EXPECT_EQ(f.c.state(), State::kResetting);
  const uint64_t get = f.Submit({"GET", "a"});  // queued behind the new handshake
  EXPECT_EQ(f.c.TakeOutput(0), Cmd({"RESET"}));
  f.Feed(0, "+RESET\r\n");
  EXPECT_EQ(f.c.TakeOutput(0), Cmd({"HELLO", "3"}) + Cmd({"CLIENT", "TRACKING", "on"}));
  f.Feed(0, kHelloReply + "+OK\r\n");
  EXPECT_TRUE(f.c.ready());
  EXPECT_EQ(f.c.TakeOutput(0), Cmd({"GET", "a"}));
  f.Feed(0, "$1\r\n2\r\n");
  std::vector<Reply> r = f.c.TakeReplies();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].ticket, reset);
  EXPECT_EQ(r[1].ticket, get);
  EXPECT_TRUE(f.Hit({"GET", "a"}));
}

TEST(ClientCache, Resp2ResetRedirectsAgain) {
  Fixture f(Options(Mode::kDefault, resp::Protocol::kResp2));
  f.Submit({"RESET"});
  f.c.TakeOutput(0);
  f.Feed(0, "+RESET\r\n");
  EXPECT_EQ(f.c.TakeOutput(0), Cmd({"CLIENT", "TRACKING", "on", "REDIRECT", "6"}));
  f.Feed(0, "+OK\r\n");
  EXPECT_TRUE(f.c.ready());
}

TEST(ClientCache, TrackingRedirBrokenDropsEverythingAndStopsCaching) {
  Fixture f(Options());
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Feed(0, ">2\r\n$21\r\ntracking-redir-broken\r\n:8\r\n");
  EXPECT_EQ(f.c.entries(), 0u);
  EXPECT_FALSE(f.c.caching());
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  EXPECT_FALSE(f.c.Contains({"GET", "a"}));
}

TEST(ClientCache, InFlightInvalidationReturnsTheReplyWithoutCachingIt) {
  Fixture f(Options());
  const uint64_t t = f.Submit({"GET", "k"});
  f.Feed(0, Invalidate3({"k"}));  // before the reply
  f.Feed(0, "$3\r\nold\r\n");
  std::vector<Reply> r = f.c.TakeReplies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ticket, t);
  EXPECT_EQ(r[0].value, Value::Bulk("old"));
  EXPECT_FALSE(f.c.Contains({"GET", "k"}));
  EXPECT_EQ(f.c.stats().fills_raced, 1u);
  // Other keys' reads in flight are unaffected.
  f.Submit({"GET", "j"});
  f.Feed(0, Invalidate3({"k"}) + "$1\r\nj\r\n");
  EXPECT_TRUE(f.c.Contains({"GET", "j"}));
}

TEST(ClientCache, InFlightRaceAcrossTheRedirectConnection) {
  Fixture f(Options(Mode::kDefault, resp::Protocol::kResp2));
  f.Submit({"HGETALL", "h"});
  f.Feed(1, Message2({"h"}));
  f.Feed(0, "*2\r\n$1\r\nf\r\n$3\r\nold\r\n");
  EXPECT_EQ(f.c.TakeReplies().size(), 1u);
  EXPECT_FALSE(f.c.Contains({"HGETALL", "h"}));
  // A flush while in flight poisons every read.
  f.Submit({"GET", "a"});
  f.Feed(1, kFlush2);
  f.Feed(0, "$1\r\n1\r\n");
  EXPECT_FALSE(f.c.Contains({"GET", "a"}));
}

TEST(ClientCacheBugs, FillAfterInvalidationCachesAStaleReply) {
  CacheOptions o = Options();
  o.bugs.fill_after_invalidation = true;
  Fixture f(o);
  f.Submit({"GET", "k"});
  f.Feed(0, Invalidate3({"k"}) + "$3\r\nold\r\n");
  Value v;
  EXPECT_TRUE(f.Hit({"GET", "k"}, &v));  // stale forever: the server sent its one invalidation
  EXPECT_EQ(v, Value::Bulk("old"));
}

TEST(ClientCache, APushIsNeverTheReplyOfThePendingCommand) {
  Fixture f(Options());
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  const uint64_t t = f.Submit({"GET", "k"});
  f.Feed(0, Invalidate3({"a"}));
  EXPECT_TRUE(f.c.TakeReplies().empty());
  f.Feed(0, "$1\r\nv\r\n");
  std::vector<Reply> r = f.c.TakeReplies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ticket, t);
  EXPECT_EQ(r[0].value, Value::Bulk("v"));
  EXPECT_FALSE(f.c.Contains({"GET", "a"}));
}

TEST(ClientCacheBugs, PushAsReplyAnswersAndCachesTheWrongValue) {
  CacheOptions o = Options();
  o.bugs.push_as_reply = true;
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Submit({"GET", "k"});
  f.Feed(0, Invalidate3({"a"}));
  std::vector<Reply> r = f.c.TakeReplies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].value.type, resp::Type::kPush);  // GET k answered by a push
  EXPECT_TRUE(f.c.Contains({"GET", "a"}));        // and a's invalidation was never applied
}

TEST(ClientCache, MessageFramesAreNeverRepliesOnTheRedirectConnection) {
  ClientCache c(Options(Mode::kDefault, resp::Protocol::kResp2));
  c.Connect();
  // An invalidation that arrives before the SUBSCRIBE reply (as redis #13645)
  // is an invalidation, and the subscription reply is still matched.
  ASSERT_TRUE(c.OnBytes(1, ":6\r\n" + Message2({"x"}) + kSubscribed).ok());
  ASSERT_TRUE(c.OnBytes(0, ":5\r\n+OK\r\n").ok());
  EXPECT_TRUE(c.ready());
  EXPECT_TRUE(c.Validate().ok());
}

TEST(ClientCache, UnexpectedFramesAndProtocolErrorsDisconnect) {
  {
    Fixture f(Options());
    EXPECT_FALSE(f.c.OnBytes(0, "+OK\r\n").ok());  // nothing pending
    EXPECT_EQ(f.c.state(), State::kDisconnected);
  }
  {
    Fixture f(Options());
    f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
    f.Submit({"GET", "b"});
    EXPECT_FALSE(f.c.OnBytes(0, "$1\r\nxx\r\n").ok());
    EXPECT_EQ(f.c.entries(), 0u);
    EXPECT_EQ(f.c.TakeReplies().size(), 1u);
    EXPECT_FALSE(f.c.OnBytes(0, "$1\r\nx\r\n").ok());  // still disconnected
  }
}

TEST(ClientCache, HitsOnlyAfterEveryDeliveredByteIsProcessed) {
  Fixture f(Options());
  f.Submit({"GET", "k"});
  // The reply and an invalidation after it arrive in one chunk: by the time
  // OnBytes returns, the entry is gone.
  f.Feed(0, "$1\r\nv\r\n" + Invalidate3({"k"}));
  EXPECT_NE(f.Submit({"GET", "k"}), 0u);
}

TEST(ClientCache, BcastCachesOnlyKeysUnderItsPrefixes) {
  CacheOptions o = Options(Mode::kBcast);
  o.prefixes = {"user:", "obj:"};
  ClientCache c(o);
  c.Connect();
  EXPECT_EQ(c.TakeOutput(0), Cmd({"HELLO", "3"}) + Cmd({"CLIENT", "TRACKING", "on", "BCAST",
                                                        "PREFIX", "user:", "PREFIX", "obj:"}));
  Fixture f(o);
  f.Roundtrip({"GET", "user:1"}, "$1\r\n1\r\n");
  f.Roundtrip({"GET", "other"}, "$1\r\n1\r\n");
  f.Roundtrip({"MGET", "user:1", "other"}, "*2\r\n$1\r\n1\r\n$1\r\n1\r\n");
  EXPECT_TRUE(f.c.Contains({"GET", "user:1"}));
  EXPECT_FALSE(f.c.Contains({"GET", "other"}));
  EXPECT_FALSE(f.c.Contains({"MGET", "user:1", "other"}));
  f.Feed(0, Invalidate3({"user:1"}));
  EXPECT_EQ(f.c.entries(), 0u);
}

TEST(ClientCache, AddPrefixesTurnsBcastOnAgainWithMorePrefixes) {
  CacheOptions o = Options(Mode::kBcast);
  o.prefixes = {"user:"};
  o.noloop = true;
  o.limits.max_prefixes = 4;
  Fixture f(o);
  // The mode's flags go again (the server replaces them), only the new prefixes.
  ASSERT_TRUE(f.c.AddPrefixes({"obj:", "k"}).ok());
  EXPECT_EQ(f.c.TakeOutput(0),
            Cmd({"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "obj:", "PREFIX", "k", "NOLOOP"}));
  // Not covered until the server said +OK: a read sent before is not cached.
  f.Roundtrip({"GET", "obj:1"}, "+OK\r\n$1\r\n1\r\n");
  EXPECT_FALSE(f.c.Contains({"GET", "obj:1"}));
  EXPECT_EQ(f.c.prefixes(), (std::vector<std::string>{"user:", "obj:", "k"}));
  f.Roundtrip({"GET", "obj:1"}, "$1\r\n1\r\n");
  EXPECT_TRUE(f.c.Contains({"GET", "obj:1"}));
  // Refused by the server (an overlap with a prefix the client has): nothing changes.
  ASSERT_TRUE(f.c.AddPrefixes({"user:1"}).ok());
  f.c.TakeOutput(0);
  f.Feed(0,
         "-ERR Prefix 'user:1' overlaps with an existing prefix 'user:'. Prefixes for a "
         "single client must not overlap.\r\n");
  EXPECT_TRUE(f.c.TakeReplies().empty());  // the cache's own reply
  EXPECT_EQ(f.c.prefixes().size(), 3u);
  // Refused here: new prefixes overlapping each other, max_prefixes passed.
  EXPECT_EQ(f.c.AddPrefixes({"a", "ab"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(f.c.AddPrefixes({"z"}).ok());  // 4 prefixes: at the limit
  f.c.TakeOutput(0);
  f.Feed(0, "+OK\r\n");
  EXPECT_EQ(f.c.AddPrefixes({"y"}).code(), absl::StatusCode::kInvalidArgument);  // 5 > 4
  EXPECT_FALSE(f.c.HasOutput(0));
  // A reconnect goes back to the configured prefixes.
  EXPECT_EQ(f.c.prefixes().size(), 4u);
  f.c.Connect();
  EXPECT_EQ(f.c.prefixes(), (std::vector<std::string>{"user:"}));
  // Only for a ready BCAST client outside MULTI.
  EXPECT_EQ(f.c.AddPrefixes({"x"}).code(), absl::StatusCode::kFailedPrecondition);  // handshake
  Fixture d(Options());
  EXPECT_EQ(d.c.AddPrefixes({"x"}).code(), absl::StatusCode::kFailedPrecondition);
  Fixture m(o);
  m.Submit({"MULTI"});
  EXPECT_EQ(m.c.AddPrefixes({"x"}).code(), absl::StatusCode::kFailedPrecondition);
  // RESP2: the REDIRECT id goes again.
  CacheOptions o2 = Options(Mode::kBcast, resp::Protocol::kResp2);
  Fixture r(o2);
  ASSERT_TRUE(r.c.AddPrefixes({}).ok());
  EXPECT_EQ(r.c.TakeOutput(0), Cmd({"CLIENT", "TRACKING", "on", "REDIRECT", "6", "BCAST"}));
}

TEST(ClientCache, OptionsAreValidatedAsTheServerWould) {
  CacheOptions o = Options(Mode::kBcast);
  o.prefixes = {"a", "ab"};
  EXPECT_FALSE(ValidateOptions(o).ok());
  o.prefixes = {"a", "a"};
  EXPECT_FALSE(ValidateOptions(o).ok());
  o.prefixes = {"a", "b"};
  EXPECT_TRUE(ValidateOptions(o).ok());
  o.mode = Mode::kDefault;
  EXPECT_FALSE(ValidateOptions(o).ok());  // PREFIX without BCAST
  CacheOptions p = Options(Mode::kPlain);
  p.noloop = true;
  EXPECT_FALSE(ValidateOptions(p).ok());
  CacheOptions r = Options();
  r.redirect = true;
  EXPECT_TRUE(ValidateOptions(r).ok());
  r.protocol = resp::Protocol::kResp2;  // RESP2 tracking always redirects
  EXPECT_FALSE(ValidateOptions(r).ok());
  r = Options(Mode::kPlain);
  r.redirect = true;
  EXPECT_FALSE(ValidateOptions(r).ok());
  EXPECT_EQ(ParseMode("optin"), Mode::kOptin);
  EXPECT_FALSE(ParseMode("OPTIN").has_value());
}

TEST(ClientCache, OwnWritesDropOwnEntriesWhenSent) {
  CacheOptions o = Options();
  o.noloop = true;
  Fixture f(o);
  f.Roundtrip({"GET", "k"}, "$1\r\n1\r\n");
  f.Roundtrip({"GET", "j"}, "$1\r\n1\r\n");
  f.Submit({"SET", "k", "2"});  // no reply yet: the entry is gone already
  EXPECT_FALSE(f.c.Contains({"GET", "k"}));
  EXPECT_TRUE(f.c.Contains({"GET", "j"}));
  // An unknown command is taken to write every argument it names.
  f.Submit({"MYMODULE.WRITE", "j", "x"});
  EXPECT_FALSE(f.c.Contains({"GET", "j"}));
  f.Feed(0, "+OK\r\n+OK\r\n");
  EXPECT_EQ(f.c.TakeReplies().size(), 2u);
  // Reads and read-only commands drop nothing.
  f.Roundtrip({"GET", "i"}, "$1\r\n1\r\n");
  f.Roundtrip({"TTL", "i"}, ":-1\r\n");
  EXPECT_TRUE(f.c.Contains({"GET", "i"}));
  // Commands that write keys they do not name drop everything.
  f.Submit({"EVAL", "redis.call('set', 'i', 2)", "0"});
  EXPECT_EQ(f.c.entries(), 0u);
}

TEST(ClientCache, OwnWriteSentBehindAReadPoisonsIt) {
  CacheOptions o = Options();
  o.noloop = true;
  Fixture f(o);
  f.Submit({"GET", "k"});
  f.Submit({"SET", "k", "new"});
  f.Feed(0, "$3\r\nold\r\n+OK\r\n");
  EXPECT_EQ(f.c.TakeReplies().size(), 2u);
  EXPECT_FALSE(f.c.Contains({"GET", "k"}));
  f.Submit({"GET", "k"});
  f.Submit({"FLUSHDB"});
  f.Feed(0, "$3\r\nnew\r\n+OK\r\n");
  EXPECT_FALSE(f.c.Contains({"GET", "k"}));
}

TEST(ClientCache, OptinSendsCachingYesBeforeEachCachedRead) {
  CacheOptions o = Options(Mode::kOptin);
  ClientCache c(o);
  c.Connect();
  EXPECT_EQ(c.TakeOutput(0), Cmd({"HELLO", "3"}) + Cmd({"CLIENT", "TRACKING", "on", "OPTIN"}));
  Fixture f(o);
  f.Submit({"GET", "a"});
  f.Submit({"GET", "b"});
  f.Submit({"SET", "c", "1"});
  EXPECT_EQ(f.c.TakeOutput(0), Cmd({"CLIENT", "CACHING", "yes"}) + Cmd({"GET", "a"}) +
                                   Cmd({"CLIENT", "CACHING", "yes"}) + Cmd({"GET", "b"}) +
                                   Cmd({"SET", "c", "1"}));
  // A refused CACHING yes leaves its read untracked: not cached.
  f.Feed(0, "+OK\r\n$1\r\n1\r\n-ERR no\r\n$1\r\n2\r\n+OK\r\n");
  EXPECT_EQ(f.c.TakeReplies().size(), 3u);  // CACHING's replies are the cache's own
  EXPECT_TRUE(f.c.Contains({"GET", "a"}));
  EXPECT_FALSE(f.c.Contains({"GET", "b"}));
}

TEST(ClientCache, OptoutTracksEveryRead) {
  CacheOptions o = Options(Mode::kOptout);
  ClientCache c(o);
  c.Connect();
  EXPECT_EQ(c.TakeOutput(0), Cmd({"HELLO", "3"}) + Cmd({"CLIENT", "TRACKING", "on", "OPTOUT"}));
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  EXPECT_TRUE(f.Hit({"GET", "a"}));
}

TEST(ClientCache, ReadsInsideMultiAreNeitherServedNorCached) {
  Fixture f(Options());
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Submit({"MULTI"});
  EXPECT_NE(f.Submit({"GET", "a"}), 0u);
  f.Submit({"GET", "b"});
  f.Submit({"EXEC"});
  f.Feed(0, "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(f.c.TakeReplies().size(), 4u);
  EXPECT_FALSE(f.c.Contains({"GET", "b"}));
  EXPECT_TRUE(f.Hit({"GET", "a"}));
}

TEST(ClientCache, EntriesArePerDbAndSelectPausesHits) {
  Fixture f(Options());
  f.Roundtrip({"GET", "a"}, "$2\r\ndb\r\n");
  f.Submit({"SELECT", "1"});
  EXPECT_NE(f.Submit({"GET", "a"}), 0u);  // no hit while SELECT is in flight
  f.Feed(0, "+OK\r\n$1\r\nx\r\n");
  f.c.TakeReplies();
  EXPECT_FALSE(f.c.Contains({"GET", "a"}));  // db 1 has no entry; the read was not cached
  f.Roundtrip({"GET", "a"}, "$1\r\nx\r\n");
  Value v;
  EXPECT_TRUE(f.Hit({"GET", "a"}, &v));
  EXPECT_EQ(v, Value::Bulk("x"));
  // Invalidation is by key name across dbs (as the server's table).
  f.Feed(0, Invalidate3({"a"}));
  f.Roundtrip({"SELECT", "0"}, "+OK\r\n");
  EXPECT_FALSE(f.c.Contains({"GET", "a"}));
  // A refused SELECT keeps the db.
  f.Roundtrip({"GET", "z"}, "$1\r\n0\r\n");
  f.Roundtrip({"SELECT", "99"}, "-ERR DB index is out of range\r\n");
  EXPECT_TRUE(f.c.Contains({"GET", "z"}));
  f.Submit({"MULTI"});
  EXPECT_FALSE(f.c.Submit({"SELECT", "1"}).ok());
}

// A MULTI counts from its submission: one still queued behind the handshake
// refuses a SELECT as one already sent does, until its EXEC, DISCARD or RESET
// is submitted. (Regression select-in-multi-moves-the-cache-db: the refusal
// looked at what was sent, and the SELECT went out inside the MULTI.)
TEST(ClientCache, SelectIsRefusedBehindAQueuedMulti) {
  ClientCache c(Options());
  c.Connect();
  ASSERT_TRUE(c.Submit({"MULTI"}).ok());
  const absl::Status refused = c.Submit({"SELECT", "1"}).status();
  EXPECT_TRUE(absl::IsInvalidArgument(refused)) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "SELECT inside MULTI")) << refused;
  ASSERT_TRUE(c.Submit({"EXEC"}).ok());
  EXPECT_TRUE(c.Submit({"SELECT", "1"}).ok());
  for (const char* end : {"DISCARD", "RESET"}) {
    ASSERT_TRUE(c.Submit({"MULTI"}).ok());
    EXPECT_FALSE(c.Submit({"SELECT", "2"}).ok()) << end;
    ASSERT_TRUE(c.Submit({end}).ok());
    EXPECT_TRUE(c.Submit({"SELECT", "2"}).ok()) << end;
  }
  // Still nothing sent but the handshake: the queue holds every command.
  EXPECT_EQ(c.TakeOutput(0), Cmd({"HELLO", "3"}) + Cmd({"CLIENT", "TRACKING", "on"}));
  // A reconnection forgets a MULTI that never went out.
  ASSERT_TRUE(c.Submit({"MULTI"}).ok());
  c.Connect();
  EXPECT_TRUE(c.Submit({"SELECT", "3"}).ok());
}

TEST(ClientCache, CommandsTheCacheOwnsAreRefused) {
  Fixture f(Options());
  for (const Argv& argv : std::vector<Argv>{{"HELLO", "2"},
                                            {"SUBSCRIBE", "x"},
                                            {"client", "tracking", "off"},
                                            {"CLIENT", "CACHING", "yes"},
                                            {"CLIENT", "REPLY", "OFF"},
                                            {"MONITOR"},
                                            {}}) {
    EXPECT_FALSE(f.c.Submit(argv).ok()) << (argv.empty() ? "" : argv[0]);
  }
  EXPECT_TRUE(f.c.Submit({"CLIENT", "ID"}).ok());
}

// ---- limits, each at its boundary ----

TEST(ClientCacheLimits, MaxEntriesEvictsTheLeastRecentlyUsed) {
  CacheOptions o = Options();
  o.limits.max_entries = 2;
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  f.Roundtrip({"GET", "b"}, "$1\r\n1\r\n");
  EXPECT_EQ(f.c.entries(), 2u);      // at the limit
  EXPECT_TRUE(f.Hit({"GET", "a"}));  // a is now the most recent
  f.Roundtrip({"GET", "c"}, "$1\r\n1\r\n");
  EXPECT_EQ(f.c.entries(), 2u);
  EXPECT_TRUE(f.c.Contains({"GET", "a"}));
  EXPECT_FALSE(f.c.Contains({"GET", "b"}));
  EXPECT_EQ(f.c.stats().evictions, 1u);
}

TEST(ClientCacheLimits, ZeroMaxEntriesCachesNothing) {
  CacheOptions o = Options();
  o.limits.max_entries = 0;
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
  EXPECT_EQ(f.c.entries(), 0u);
}

TEST(ClientCacheLimits, MaxBytesAndMaxEntryBytesAtTheirBoundaries) {
  const std::string reply = "$1\r\n1\r\n";
  CacheOptions probe = Options();
  Fixture p(probe);
  p.Roundtrip({"GET", "a"}, reply);
  const size_t one = p.c.bytes();  // what one such entry costs
  ASSERT_GT(one, 0u);
  EXPECT_EQ(one, ClientCache::EntryBytes("0|3:GET1:a", reply.size(), {"a"}));

  CacheOptions o = Options();
  o.limits.max_bytes = 2 * one;
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, reply);
  f.Roundtrip({"GET", "b"}, reply);
  EXPECT_EQ(f.c.entries(), 2u);  // exactly max_bytes
  EXPECT_EQ(f.c.bytes(), 2 * one);
  f.Roundtrip({"GET", "c"}, reply);
  EXPECT_EQ(f.c.entries(), 2u);  // one more byte-equal entry evicts one
  EXPECT_FALSE(f.c.Contains({"GET", "a"}));

  CacheOptions e = Options();
  e.limits.max_entry_bytes = one;
  Fixture g(e);
  g.Roundtrip({"GET", "a"}, reply);
  EXPECT_TRUE(g.c.Contains({"GET", "a"}));  // exactly max_entry_bytes
  e.limits.max_entry_bytes = one - 1;
  Fixture h(e);
  h.Roundtrip({"GET", "a"}, reply);
  EXPECT_FALSE(h.c.Contains({"GET", "a"}));
  EXPECT_EQ(h.c.stats().fills_too_big, 1u);
}

TEST(ClientCacheLimits, MaxPendingRefusesTheCommandBeyondIt) {
  CacheOptions o = Options();
  o.limits.max_pending = 2;
  Fixture f(o);
  EXPECT_TRUE(f.c.Submit({"GET", "a"}).ok());
  EXPECT_TRUE(f.c.Submit({"GET", "b"}).ok());
  auto s = f.c.Submit({"GET", "c"});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kResourceExhausted);
  f.Feed(0, "$1\r\n1\r\n");
  EXPECT_TRUE(f.c.Submit({"GET", "c"}).ok());
  EXPECT_EQ(f.c.pending(), 2u);
}

TEST(ClientCacheLimits, MaxPrefixes) {
  CacheOptions o = Options(Mode::kBcast);
  o.limits.max_prefixes = 2;
  o.prefixes = {"a", "b"};
  EXPECT_TRUE(ValidateOptions(o).ok());
  o.prefixes.push_back("c");
  EXPECT_FALSE(ValidateOptions(o).ok());
}

TEST(ClientCacheLimits, ReaderLimitsMakeOversizedRepliesAProtocolError) {
  CacheOptions o = Options();
  o.limits.reader.max_bulk_len = 5;  // the handshake's replies fit
  Fixture f(o);
  f.Roundtrip({"GET", "a"}, "$5\r\nabcde\r\n");  // at the limit
  f.Submit({"GET", "b"});
  EXPECT_FALSE(f.c.OnBytes(0, "$6\r\nabcdef\r\n").ok());
  EXPECT_EQ(f.c.state(), State::kDisconnected);
}

TEST(ClientCache, BugSwitchesByName) {
  std::vector<std::string_view> names = BugNames();
  EXPECT_EQ(names.size(), 7u);
  for (std::string_view n : names) {
    CacheBugs b;
    EXPECT_TRUE(SetBug(n, &b)) << n;
    EXPECT_TRUE(b.any()) << n;
  }
  CacheBugs b;
  EXPECT_FALSE(SetBug("no-such-bug", &b));
  EXPECT_FALSE(b.any());
}

TEST(ClientCache, ValidateCatchesCorruption) {
  auto filled = [] {
    auto f = std::make_unique<Fixture>(Options());
    f->Roundtrip({"GET", "a"}, "$1\r\n1\r\n");
    f->Roundtrip({"GET", "b"}, "$1\r\n1\r\n");
    EXPECT_TRUE(f->c.Validate().ok());
    return f;
  };
  auto f = filled();
  ClientCacheTestPeer::DropIndex(f->c);
  EXPECT_FALSE(f->c.Validate().ok());
  f = filled();
  ClientCacheTestPeer::MiscountBytes(f->c);
  EXPECT_FALSE(f->c.Validate().ok());
  f = filled();
  ClientCacheTestPeer::LoseLru(f->c);
  EXPECT_FALSE(f->c.Validate().ok());
  f = filled();
  ClientCacheTestPeer::MiscountPending(f->c);
  EXPECT_FALSE(f->c.Validate().ok());
}

// Random frames and commands in any order: the structures stay valid and a
// hit is never served for a key whose last word from the "server" was an
// invalidation or a newer value.
TEST(ClientCache, RandomTrafficKeepsTheStructuresValid) {
  std::mt19937 rng(7);
  for (int round = 0; round < 40; ++round) {
    CacheOptions o = Options(round % 2 ? Mode::kDefault : Mode::kOptin,
                             round % 3 ? resp::Protocol::kResp3 : resp::Protocol::kResp2);
    o.limits.max_entries = 1 + rng() % 4;
    Fixture f(o);
    std::deque<std::string> replies;  // what the fake server will answer, in order
    for (int step = 0; step < 200; ++step) {
      const std::string key = absl::StrCat("k", rng() % 4);
      switch (rng() % 6) {
        case 0:
        case 1: {
          auto s = f.c.Submit({"GET", key});
          ASSERT_TRUE(s.ok());
          if (!s->hit) {
            if (o.mode == Mode::kOptin) replies.push_back("+OK\r\n");
            replies.push_back("$1\r\nv\r\n");
          }
          break;
        }
        case 2:
          ASSERT_TRUE(f.c.Submit({"SET", key, "v"}).ok());
          replies.push_back("+OK\r\n");
          break;
        case 3:
          if (o.protocol == resp::Protocol::kResp3) {
            f.Feed(0, rng() % 8 ? Invalidate3({key}) : kFlush3);
          } else {
            f.Feed(1, rng() % 8 ? Message2({key}) : kFlush2);
          }
          break;
        default:
          if (!replies.empty()) {
            f.Feed(0, replies.front());
            replies.pop_front();
          }
          break;
      }
      f.c.TakeOutput(0);
      f.c.TakeReplies();
      ASSERT_TRUE(f.c.ready());
    }
  }
}

}  // namespace
}  // namespace respfuzz::cache
