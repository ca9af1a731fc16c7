// The raw connections of the invalidation harness (program.h, "raw rN" and
// "rN NAME ARG..."): connections no cache owns, on which a program sends
// the commands a ClientCache refuses by design (CLIENT CACHING, CLIENT
// REPLY, CLIENT TRACKING with any options, SUBSCRIBE / UNSUBSCRIBE /
// PUBLISH) beside plain reads, writes and MULTI / EXEC. The runner runs each
// such command at once on the engine and on the tracking reference
// (harnesses/models/tracking_reference.h); nobody reads a raw connection,
// so what it gets is checked by the reference check alone: every frame
// written to it (replies and pushes, in order, byte for byte) must be what
// the reference predicts.
#include "harnesses/invalidation/raw_ops.h"

#include <array>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "harnesses/invalidation/runner.h"

namespace respfuzz::harnesses::invalidation {

namespace {

// CLIENT TRACKING: on/off in the cases the server folds, and a word it
// refuses.
constexpr std::array<std::string_view, 6> kOnOff = {"on", "off", "ON", "OFF", "On", "yes"};
// CLIENT TRACKING's options, the values PREFIX and REDIRECT take (prefixes
// of the key pool; client ids: "r1" and "r2" stand for those raw
// connections' ids (RunRawOp), 1 is the admin's, 0, -1 and 99 name no
// client), and a word it refuses.
constexpr std::array<std::string_view, 20> kTrackOpts = {
    "BCAST", "OPTIN", "OPTOUT", "NOLOOP", "PREFIX", "REDIRECT", "bcast", "optout", "k",  "user:",
    "k1",    "h",     "",       "1",      "r1",     "r2",       "0",     "-1",     "99", "FOO"};
constexpr std::array<std::string_view, 6> kYesNo = {"yes", "no", "YES", "NO", "No", "maybe"};
constexpr std::array<std::string_view, 7> kReplyModes = {"ON",  "OFF",  "SKIP", "on",
                                                         "off", "skip", "x"};
constexpr std::array<std::string_view, 4> kChannels = {"ch1", "ch2", "__redis__:invalidate", "k1"};
// PUBLISH: not to __redis__:invalidate, which a RESP2 cache's redirect
// connection reads as invalidations.
constexpr std::array<std::string_view, 3> kPubChannels = {"ch1", "ch2", "k1"};
// GEO searches. The caches' ZADD scores (small integers) decode to points
// near longitude -180, latitude -85.05112878 (the geohash grid's corner),
// so searches there find members; the others find none or are refused.
constexpr std::array<std::string_view, 9> kGeoCoords = {
    "-180", "-85.05112878", "-179.9", "-85", "0", "13.361389", "38.115556", "181", "x"};
constexpr std::array<std::string_view, 7> kRadii = {"1",        "1000", "50000", "0",
                                                    "20000000", "-1",   "x"};
constexpr std::array<std::string_view, 6> kUnits = {"m", "km", "mi", "ft", "KM", "au"};
constexpr std::array<std::string_view, 6> kGeoWords = {"FROMMEMBER", "BYRADIUS",   "FROMLONLAT",
                                                       "BYBOX",      "frommember", "ASC"};

// CLIENT TRACKING takes 0..3 options in its first shape, 3..6 in its
// second (the first that fits is the one encoded).
constexpr std::array<CommandShape, 28> kRaws = {{
    {"CLIENT TRACKING", "o", "p"},
    {"CLIENT TRACKING", "oppp", "p"},
    {"CLIENT CACHING", "y", ""},
    {"CLIENT REPLY", "m", ""},
    {"CLIENT GETREDIR", "", ""},
    {"CLIENT TRACKINGINFO", "", ""},
    {"GET", "k", ""},
    {"MGET", "k", "k"},
    {"HGET", "kf", ""},
    {"SET", "kv", ""},
    {"DEL", "k", "k"},
    {"HSET", "kfv", ""},
    {"INCR", "k", ""},
    {"FLUSHDB", "", ""},
    {"MULTI", "", ""},
    {"EXEC", "", ""},
    {"DISCARD", "", ""},
    {"SUBSCRIBE", "c", ""},
    {"UNSUBSCRIBE", "", "c"},
    {"PUBLISH", "hv", ""},
    {"PING", "", ""},
    {"CLIENT TRACKING", "", ""},  // the arity error
    // GEO reads of a zset the caches wrote (ZADD): tracked as any read.
    {"GEOPOS", "kf", "f"},
    {"GEODIST", "kff", ""},
    {"GEOHASH", "kf", "f"},
    // GEO searches, read-only: GEORADIUSBYMEMBER_RO key member radius unit,
    // GEORADIUS_RO key longitude latitude radius unit, GEOSEARCH key
    // FROMMEMBER member BYRADIUS radius unit (the words from a pool).
    {"GEORADIUSBYMEMBER_RO", "kfau", ""},
    {"GEORADIUS_RO", "kggau", ""},
    {"GEOSEARCH", "kxfxau", ""},
}};

}  // namespace

std::span<const CommandShape> RawCommands() { return kRaws; }

std::vector<std::string_view> NameWords(std::string_view name) {
  std::vector<std::string_view> words;
  while (true) {
    const size_t sp = name.find(' ');
    words.push_back(name.substr(0, sp));
    if (sp == std::string_view::npos) return words;
    name.remove_prefix(sp + 1);
  }
}

std::span<const std::string_view> RawPool(Arg kind) {
  switch (kind) {
    case Arg::kOnOff:
      return kOnOff;
    case Arg::kTrackOpt:
      return kTrackOpts;
    case Arg::kYesNo:
      return kYesNo;
    case Arg::kReplyMode:
      return kReplyModes;
    case Arg::kChannel:
      return kChannels;
    case Arg::kPubChannel:
      return kPubChannels;
    case Arg::kGeoCoord:
      return kGeoCoords;
    case Arg::kRadius:
      return kRadii;
    case Arg::kUnit:
      return kUnits;
    case Arg::kGeoWord:
      return kGeoWords;
    default:
      return kChannels;  // not a raw kind: never asked
  }
}

const CommandShape* RawShapeOf(const std::vector<std::string>& argv, size_t* name_words) {
  for (const CommandShape& s : kRaws) {
    const std::vector<std::string_view> words = NameWords(s.name);
    if (argv.size() < words.size()) continue;
    bool same = true;
    for (size_t i = 0; i < words.size() && same; ++i) same = argv[i] == words[i];
    if (!same) continue;
    const size_t args = argv.size() - words.size();
    bool fits = args >= s.fixed.size();
    if (fits) {
      const size_t rest = args - s.fixed.size();
      fits = s.tail.empty() ? rest == 0
                            : rest % s.tail.size() == 0 && rest / s.tail.size() <= kMaxTailGroups;
    }
    if (!fits) continue;
    *name_words = words.size();
    return &s;
  }
  return nullptr;
}

void Runner::OpenRaws() {
  for (size_t r = 0; r < program_.raws.size() && r < kMaxRaw; ++r) {
    const int slot = kRawSlot + static_cast<int>(r);
    Open(slot);
    if (program_.raws[r].protocol == resp::Protocol::kResp3) RunCommand(slot, {"HELLO", "3"});
  }
}

void Runner::RunRawOp(const Op& op) {
  if (op.client < 0 || op.client >= static_cast<int>(program_.raws.size()) || op.argv.empty()) {
    return;
  }
  const int slot = kRawSlot + op.client;
  if (!conns_[slot].open) return;
  // CLIENT REPLY queued in MULTI is not sent: redis-server 7.0.15 (and
  // 8.0.6) then answers EXEC with an array header announcing every queued
  // reply and leaves out those CLIENT REPLY silenced, a broken frame the
  // framing check would report (checked on both; valkey 9.0 refuses CLIENT
  // REPLY inside MULTI: valkey issue 1268). The engine does as 7.0.15 does.
  if (op.argv.size() >= 2 && op.argv[0] == "CLIENT" && op.argv[1] == "REPLY" &&
      eng_.session(conns_[slot].session).in_multi) {
    if (options_.trace) note_ = "refused: CLIENT REPLY inside MULTI";
    return;
  }
  if (op.argv.size() < 2 || op.argv[0] != "CLIENT" || op.argv[1] != "TRACKING") {
    RunCommand(slot, op.argv);
    return;
  }
  // CLIENT TRACKING ... REDIRECT X: "r1" / "r2" become that raw connection's
  // id (the engine's; the oracle maps REDIRECT ids to the server's). An id
  // that names a cache's connection is refused (nothing happens): the cache
  // would be told of keys it never read, and a RESP3 client redirecting to
  // a RESP2 connection gets FLUSHDB's null written there as RESP3's `_`
  // (redis-server 7.0.15 does), which no RESP2 cache reads.
  std::vector<std::string> argv = op.argv;
  for (size_t i = 2; i + 1 < argv.size(); ++i) {
    if (!absl::EqualsIgnoreCase(argv[i], "REDIRECT")) continue;
    std::string& v = argv[i + 1];
    if (v.size() == 2 && v[0] == 'r' && v[1] >= '1' && v[1] < '1' + kMaxRaw) {
      const int r = v[1] - '1';
      const Conn& c = conns_[kRawSlot + r];
      v = r < static_cast<int>(program_.raws.size()) && c.open
              ? absl::StrCat(eng_.session(c.session).id)
              : "0";
    }
    int64_t id = 0;
    if (!absl::SimpleAtoi(v, &id)) continue;
    for (int s = 0; s < kAdminSlot; ++s) {
      if (conns_[s].open && eng_.session(conns_[s].session).id == id) {
        if (options_.trace) note_ = "refused: REDIRECT to a cache's connection";
        return;
      }
    }
  }
  RunCommand(slot, argv);
}

}  // namespace respfuzz::harnesses::invalidation
