#include "src/cache/client_cache.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/resp/writer.h"

namespace respfuzz::cache {

namespace {

using resp::Type;
using resp::Value;

constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

// A cacheable read: its name, its argument counts (argv.size(), the name
// included; max_argc 0 = unbounded) and where its keys are.
struct ReadSpec {
  std::string_view name;
  size_t min_argc;
  size_t max_argc;
  size_t first_key;
  bool all_rest_are_keys;  // MGET, EXISTS: every argument from first_key on
  bool hash_field;         // the entry is per field (the hash_entry_per_key bug ignores it)
};

constexpr std::array<ReadSpec, 29> kReads = {{
    {"GET", 2, 2, 1, false, false},        {"MGET", 2, 0, 1, true, false},
    {"STRLEN", 2, 2, 1, false, false},     {"GETRANGE", 4, 4, 1, false, false},
    {"EXISTS", 2, 0, 1, true, false},      {"TYPE", 2, 2, 1, false, false},
    {"HGET", 3, 3, 1, false, true},        {"HMGET", 3, 0, 1, false, true},
    {"HGETALL", 2, 2, 1, false, false},    {"HEXISTS", 3, 3, 1, false, true},
    {"HLEN", 2, 2, 1, false, false},       {"HKEYS", 2, 2, 1, false, false},
    {"HVALS", 2, 2, 1, false, false},      {"HSTRLEN", 3, 3, 1, false, true},
    {"SMEMBERS", 2, 2, 1, false, false},   {"SISMEMBER", 3, 3, 1, false, false},
    {"SMISMEMBER", 3, 0, 1, false, false}, {"SCARD", 2, 2, 1, false, false},
    {"LRANGE", 4, 4, 1, false, false},     {"LINDEX", 3, 3, 1, false, false},
    {"LLEN", 2, 2, 1, false, false},       {"ZRANGE", 4, 0, 1, false, false},
    {"ZSCORE", 3, 3, 1, false, false},     {"ZMSCORE", 3, 0, 1, false, false},
    {"ZCARD", 2, 2, 1, false, false},      {"ZRANK", 3, 3, 1, false, false},
    {"ZREVRANK", 3, 3, 1, false, false},   {"ZCOUNT", 4, 4, 1, false, false},
    {"ZLEXCOUNT", 4, 4, 1, false, false},
}};

const ReadSpec* FindRead(std::string_view upper_name) {
  for (const ReadSpec& s : kReads) {
    if (s.name == upper_name) return &s;
  }
  return nullptr;
}

const ReadSpec* ReadSpecOf(const std::vector<std::string>& argv) {
  if (argv.empty()) return nullptr;
  const ReadSpec* spec = FindRead(absl::AsciiStrToUpper(argv[0]));
  if (spec == nullptr || argv.size() < spec->min_argc) return nullptr;
  if (spec->max_argc != 0 && argv.size() > spec->max_argc) return nullptr;
  return spec;
}

bool In(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Commands whose effect on keys the cache cannot see from their arguments:
// sent by this client, they drop every entry.
bool WritesUnnamedKeys(std::string_view name) {
  return In(name, {"FLUSHALL", "FLUSHDB", "SWAPDB", "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO",
                   "FCALL", "FCALL_RO", "DEBUG"});
}

// Commands known to modify no key; everything else not a cacheable read
// counts as a write of every argument it names.
bool WritesNothing(std::string_view name) {
  return FindRead(name) != nullptr ||
         In(name, {"PING",        "ECHO",    "TTL",           "PTTL",        "EXPIRETIME",
                   "PEXPIRETIME", "DBSIZE",  "KEYS",          "SCAN",        "SSCAN",
                   "HSCAN",       "ZSCAN",   "RANDOMKEY",     "INFO",        "TIME",
                   "CLIENT",      "COMMAND", "LASTSAVE",      "ROLE",        "WATCH",
                   "UNWATCH",     "MULTI",   "EXEC",          "DISCARD",     "QUIT",
                   "SELECT",      "DUMP",    "OBJECT",        "SRANDMEMBER", "HRANDFIELD",
                   "ZRANDMEMBER", "LPOS",    "ZRANGEBYSCORE", "ZREVRANGE",   "ZREVRANGEBYSCORE",
                   "ZRANGEBYLEX", "SINTER",  "SUNION",        "SDIFF",       "SINTERCARD",
                   "ZUNION",      "ZINTER",  "ZDIFF"});
}

// Commands that would take a connection's stream from the cache.
bool Owned(const std::vector<std::string>& argv, std::string_view name) {
  if (In(name, {"HELLO", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
                "SUNSUBSCRIBE", "MONITOR", "SYNC", "PSYNC", "REPLCONF"})) {
    return true;
  }
  if (name == "CLIENT" && argv.size() >= 2) {
    const std::string sub = absl::AsciiStrToUpper(argv[1]);
    return In(sub, {"TRACKING", "CACHING", "REPLY"});
  }
  return false;
}

bool IsNull(const Value& v) {
  return v.type == Type::kNull || v.type == Type::kNullBulk || v.type == Type::kNullArray;
}

bool IsErrorReply(const Value& v) { return v.type == Type::kError || v.type == Type::kBulkError; }

bool IsOk(const Value& v) { return v.type == Type::kSimpleString && v.str == "OK"; }

bool IsStringish(const Value& v) {
  return v.type == Type::kBulkString || v.type == Type::kSimpleString || v.type == Type::kVerbatim;
}

Value LostReply(std::string_view why) {
  return Value::Error("ERR connection lost: " + std::string(why));
}

}  // namespace

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kPlain:
      return "plain";
    case Mode::kDefault:
      return "default";
    case Mode::kBcast:
      return "bcast";
    case Mode::kOptin:
      return "optin";
    case Mode::kOptout:
      return "optout";
  }
  return "?";
}

std::optional<Mode> ParseMode(std::string_view name) {
  for (Mode m : {Mode::kPlain, Mode::kDefault, Mode::kBcast, Mode::kOptin, Mode::kOptout}) {
    if (ModeName(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view StateName(State state) {
  switch (state) {
    case State::kDisconnected:
      return "disconnected";
    case State::kHandshake:
      return "handshake";
    case State::kReady:
      return "ready";
    case State::kResetting:
      return "resetting";
  }
  return "?";
}

namespace {
struct BugSwitch {
  std::string_view name;
  bool CacheBugs::*field;
};
constexpr std::array<BugSwitch, 7> kBugSwitches = {{
    {"fill-after-invalidation", &CacheBugs::fill_after_invalidation},
    {"hash-entry-per-key", &CacheBugs::hash_entry_per_key},
    {"ignore-null-invalidation", &CacheBugs::ignore_null_invalidation},
    {"fail-on-null-invalidation", &CacheBugs::fail_on_null_invalidation},
    {"push-as-reply", &CacheBugs::push_as_reply},
    {"keep-on-disconnect", &CacheBugs::keep_on_disconnect},
    {"ignore-invalidations", &CacheBugs::ignore_invalidations},
}};
}  // namespace

std::vector<std::string_view> BugNames() {
  std::vector<std::string_view> names;
  for (const BugSwitch& b : kBugSwitches) names.push_back(b.name);
  return names;
}

bool SetBug(std::string_view name, CacheBugs* bugs) {
  for (const BugSwitch& b : kBugSwitches) {
    if (b.name == name) {
      bugs->*b.field = true;
      return true;
    }
  }
  return false;
}

absl::Status ValidateOptions(const CacheOptions& o) {
  if (o.protocol != resp::Protocol::kResp2 && o.protocol != resp::Protocol::kResp3) {
    return absl::InvalidArgumentError("protocol must be RESP2 or RESP3");
  }
  if (!o.prefixes.empty() && o.mode != Mode::kBcast) {
    return absl::InvalidArgumentError("prefixes need the bcast mode");
  }
  if (o.prefixes.size() > o.limits.max_prefixes) {
    return absl::InvalidArgumentError(absl::StrCat(o.prefixes.size(), " prefixes, more than ",
                                                   o.limits.max_prefixes, " (max_prefixes)"));
  }
  // As the server: no prefix may be a prefix of another (duplicates included).
  for (size_t i = 0; i < o.prefixes.size(); ++i) {
    for (size_t j = 0; j < o.prefixes.size(); ++j) {
      if (i != j && o.prefixes[j].starts_with(o.prefixes[i])) {
        return absl::InvalidArgumentError(absl::StrCat(
            "prefix '", o.prefixes[i], "' overlaps with prefix '", o.prefixes[j], "'"));
      }
    }
  }
  if (o.noloop && o.mode == Mode::kPlain) {
    return absl::InvalidArgumentError("noloop needs a tracking mode, not plain");
  }
  if (o.redirect && (o.mode == Mode::kPlain || o.protocol != resp::Protocol::kResp3)) {
    return absl::InvalidArgumentError(
        "redirect needs RESP3 and a tracking mode (RESP2 tracking always redirects)");
  }
  return absl::OkStatus();
}

bool IsCacheableRead(const std::vector<std::string>& argv) { return ReadSpecOf(argv) != nullptr; }

std::vector<std::string_view> CacheableReads() {
  std::vector<std::string_view> names;
  for (const ReadSpec& s : kReads) names.push_back(s.name);
  return names;
}

std::vector<std::string> ReadKeys(const std::vector<std::string>& argv) {
  const ReadSpec* spec = ReadSpecOf(argv);
  std::vector<std::string> keys;
  if (spec == nullptr) return keys;
  const size_t last = spec->all_rest_are_keys ? argv.size() - 1 : spec->first_key;
  for (size_t i = spec->first_key; i <= last; ++i) {
    if (std::find(keys.begin(), keys.end(), argv[i]) == keys.end()) keys.push_back(argv[i]);
  }
  return keys;
}

size_t ClientCache::EntryBytes(std::string_view entry_id, size_t reply_bytes,
                               const std::vector<std::string>& keys) {
  size_t n = entry_id.size() + reply_bytes;
  for (const std::string& k : keys) n += k.size();
  return n;
}

ClientCache::ClientCache(CacheOptions options) : options_(std::move(options)) {}

int ClientCache::connections() const { return redirecting() ? 2 : 1; }

bool ClientCache::redirecting() const {
  return options_.mode != Mode::kPlain &&
         (options_.protocol == resp::Protocol::kResp2 || options_.redirect);
}

bool ClientCache::RedirectReady() const {
  return conns_[kRedirectConn].id >= 0 &&
         (options_.protocol == resp::Protocol::kResp3 || subscribed_);
}

int64_t ClientCache::connection_id(int conn) const {
  return conn >= 0 && conn < connections() ? conns_[conn].id : -1;
}

bool ClientCache::caching() const {
  return options_.mode != Mode::kPlain && state_ == State::kReady && tracking_on_ &&
         !tracking_broken_;
}

bool ClientCache::HitsAllowed() const { return caching() && !in_multi_ && pending_selects_ == 0; }

size_t ClientCache::pending() const { return user_pending_; }

bool ClientCache::Covered(const std::string& key) const {
  if (options_.mode != Mode::kBcast || options_.prefixes.empty()) return true;
  for (const std::string& p : options_.prefixes) {
    if (key.starts_with(p)) return true;
  }
  for (const std::string& p : added_prefixes_) {
    if (key.starts_with(p)) return true;
  }
  return false;
}

std::vector<std::string> ClientCache::prefixes() const {
  std::vector<std::string> all = options_.prefixes;
  all.insert(all.end(), added_prefixes_.begin(), added_prefixes_.end());
  return all;
}

std::string ClientCache::EntryId(const std::vector<std::string>& argv) const {
  const ReadSpec* spec = ReadSpecOf(argv);
  size_t n = argv.size();
  if (spec != nullptr && spec->hash_field && options_.bugs.hash_entry_per_key) n = 2;
  std::string id = absl::StrCat(db_, "|");
  for (size_t i = 0; i < n; ++i) {
    const std::string arg = i == 0 ? absl::AsciiStrToUpper(argv[0]) : argv[i];
    absl::StrAppend(&id, arg.size(), ":", arg);
  }
  return id;
}

bool ClientCache::Contains(const std::vector<std::string>& argv) const {
  return IsCacheableRead(argv) && entries_.contains(EntryId(argv));
}

namespace {

// CLIENT TRACKING on in the options' mode, REDIRECT `redirect_id` unless it
// is negative; BCAST with `prefixes`.
std::vector<std::string> TrackingArgv(const CacheOptions& o, int64_t redirect_id,
                                      const std::vector<std::string>& prefixes) {
  std::vector<std::string> argv = {"CLIENT", "TRACKING", "on"};
  if (redirect_id >= 0) {
    argv.push_back("REDIRECT");
    argv.push_back(absl::StrCat(redirect_id));
  }
  if (o.mode == Mode::kBcast) {
    argv.push_back("BCAST");
    for (const std::string& p : prefixes) {
      argv.push_back("PREFIX");
      argv.push_back(p);
    }
  }
  if (o.mode == Mode::kOptin) argv.push_back("OPTIN");
  if (o.mode == Mode::kOptout) argv.push_back("OPTOUT");
  if (o.noloop) argv.push_back("NOLOOP");
  return argv;
}

}  // namespace

void ClientCache::Connect() {
  ClearAll(/*disconnect=*/true);
  LoseAll("reconnected");
  for (int c = 0; c < 2; ++c) {
    // The redirect connection speaks the data connection's protocol.
    conns_[c].reader = std::make_unique<resp::Reader>(options_.protocol, options_.limits.reader);
    conns_[c].frames.clear();
    conns_[c].builder =
        std::make_unique<resp::TreeBuilder>(&conns_[c].frames, conns_[c].reader.get());
    conns_[c].out.clear();
    conns_[c].pending.clear();
    conns_[c].id = -1;
  }
  status_ = absl::OkStatus();
  subscribed_ = false;
  tracking_on_ = false;
  tracking_sent_ = false;
  tracking_broken_ = false;
  in_multi_ = false;
  pending_selects_ = 0;
  multi_submitted_ = false;
  handshake_pending_ = 0;
  db_ = 0;
  StartHandshake(/*data_only=*/false);
}

void ClientCache::StartHandshake(bool data_only) {
  state_ = State::kHandshake;
  tracking_on_ = false;
  tracking_sent_ = false;
  added_prefixes_.clear();
  const bool tracking = options_.mode != Mode::kPlain;
  const bool resp3 = options_.protocol == resp::Protocol::kResp3;
  if (resp3) {
    SendInternal(kDataConn, Kind::kHello, {"HELLO", "3"});
    if (tracking && !redirecting()) {
      SendInternal(kDataConn, Kind::kTracking, TrackingArgv(options_, -1, options_.prefixes));
      tracking_sent_ = true;
    }
  } else if (!data_only) {
    SendInternal(kDataConn, Kind::kClientId, {"CLIENT", "ID"});
  }
  // The redirect connection's own handshake; after a RESET it stays as it is.
  if (redirecting() && !data_only) {
    if (resp3) {
      SendInternal(kRedirectConn, Kind::kHello, {"HELLO", "3"});
    } else {
      SendInternal(kRedirectConn, Kind::kClientId, {"CLIENT", "ID"});
      SendInternal(kRedirectConn, Kind::kSubscribe, {"SUBSCRIBE", std::string(kInvalidateChannel)});
    }
  }
  MaybeFinishHandshake();
}

void ClientCache::MaybeFinishHandshake() {
  if (state_ != State::kHandshake) return;
  const bool tracking = options_.mode != Mode::kPlain;
  if (tracking && !tracking_sent_ && RedirectReady()) {
    SendInternal(kDataConn, Kind::kTracking,
                 TrackingArgv(options_, conns_[kRedirectConn].id, options_.prefixes));
    tracking_sent_ = true;
  }
  if (handshake_pending_ == 0 && (!tracking || tracking_on_)) {
    state_ = State::kReady;
    FlushQueue();
  }
}

void ClientCache::SendInternal(int conn, Kind kind, std::vector<std::string> argv) {
  conns_[conn].out += resp::EncodeCommand(argv);
  Request r;
  r.kind = kind;
  r.argv = std::move(argv);
  if (kind != Kind::kCaching && kind != Kind::kOff && kind != Kind::kAddPrefixes) {
    ++handshake_pending_;
  }
  conns_[conn].pending.push_back(std::move(r));
}

absl::StatusOr<Submitted> ClientCache::Submit(std::vector<std::string> argv) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  if (state_ == State::kDisconnected) {
    return absl::FailedPreconditionError(
        status_.ok() ? "not connected: call Connect() first"
                     : absl::StrCat("disconnected (", status_.message(), "): call Connect()"));
  }
  const std::string name = absl::AsciiStrToUpper(argv[0]);
  if (Owned(argv, name)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, argv.size() >= 2 && name == "CLIENT" ? " " + argv[1] : "",
                     " is managed by the caching client itself"));
  }
  if (name == "SELECT" && multi_submitted_) {
    // A queued SELECT changes the db at EXEC, inside a reply the entry ids
    // could not follow. The MULTI counts from its submission: one waiting
    // in the queue for the handshake is not sent yet, and neither would
    // this SELECT be.
    return absl::InvalidArgumentError("SELECT inside MULTI is not supported by the caching client");
  }
  if (user_pending_ >= options_.limits.max_pending) {
    return absl::ResourceExhaustedError(absl::StrCat(
        user_pending_, " commands pending, the limit (max_pending = ", options_.limits.max_pending,
        ")"));
  }
  Submitted s;
  s.ticket = next_ticket_++;
  if (HitsAllowed() && IsCacheableRead(argv)) {
    auto it = entries_.find(EntryId(argv));
    if (it != entries_.end()) {
      ++stats_.hits;
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      s.hit = it->second.value;
      return s;
    }
  }
  if (name == "MULTI") {
    multi_submitted_ = true;
  } else if (name == "EXEC" || name == "DISCARD" || name == "RESET") {
    multi_submitted_ = false;
  }
  Request r;
  r.ticket = s.ticket;
  r.argv = std::move(argv);
  ++user_pending_;
  if (state_ == State::kReady) {
    Send(std::move(r));
  } else {
    queued_.push_back(std::move(r));
  }
  return s;
}

absl::Status ClientCache::TrackingOff() {
  if (state_ != State::kReady || !tracking_on_ || in_multi_) {
    std::string why = "tracking off needs a ready tracking client outside MULTI (state ";
    why += StateName(state_);
    if (!tracking_on_) why += ", tracking off";
    if (in_multi_) why += ", in MULTI";
    return absl::FailedPreconditionError(why + ")");
  }
  ClearAll(/*disconnect=*/false);
  tracking_on_ = false;
  SendInternal(kDataConn, Kind::kOff, {"CLIENT", "TRACKING", "off"});
  return absl::OkStatus();
}

absl::Status ClientCache::AddPrefixes(std::vector<std::string> prefixes) {
  if (state_ != State::kReady || !tracking_on_ || in_multi_ || options_.mode != Mode::kBcast) {
    std::string why = "adding prefixes needs a ready BCAST tracking client outside MULTI (";
    why += ModeName(options_.mode);
    why += ", state ";
    why += StateName(state_);
    if (!tracking_on_) why += ", tracking off";
    if (in_multi_) why += ", in MULTI";
    return absl::FailedPreconditionError(why + ")");
  }
  for (size_t i = 0; i < prefixes.size(); ++i) {
    for (size_t j = 0; j < prefixes.size(); ++j) {
      if (i != j && prefixes[j].starts_with(prefixes[i])) {
        return absl::InvalidArgumentError(absl::StrCat("prefix '", prefixes[i],
                                                       "' overlaps with prefix '", prefixes[j],
                                                       "' (the server would reply twice)"));
      }
    }
  }
  const size_t total = options_.prefixes.size() + added_prefixes_.size() + prefixes.size();
  if (total > options_.limits.max_prefixes) {
    return absl::InvalidArgumentError(absl::StrCat(
        total, " prefixes, more than ", options_.limits.max_prefixes, " (max_prefixes)"));
  }
  SendInternal(kDataConn, Kind::kAddPrefixes,
               TrackingArgv(options_, redirecting() ? conns_[kRedirectConn].id : -1, prefixes));
  conns_[kDataConn].pending.back().prefixes = std::move(prefixes);
  return absl::OkStatus();
}

void ClientCache::Send(Request r) {
  const std::string name = absl::AsciiStrToUpper(r.argv[0]);
  Conn& data = conns_[kDataConn];
  if (IsCacheableRead(r.argv)) {
    if (HitsAllowed()) {
      std::vector<std::string> keys = ReadKeys(r.argv);
      const bool covered = std::all_of(keys.begin(), keys.end(),
                                       [this](const std::string& k) { return Covered(k); });
      if (covered) {
        r.fill = true;
        r.entry_id = EntryId(r.argv);
        r.keys = std::move(keys);
        ++stats_.misses;
        if (options_.mode == Mode::kOptin) {
          SendInternal(kDataConn, Kind::kCaching, {"CLIENT", "CACHING", "yes"});
        }
      }
    }
  } else if (name == "MULTI") {
    in_multi_ = true;
  } else if (name == "EXEC" || name == "DISCARD") {
    in_multi_ = false;
  } else if (name == "SELECT") {
    r.is_select = true;
    if (r.argv.size() != 2 || !absl::SimpleAtoi(r.argv[1], &r.select_db)) r.select_db = -1;
    ++pending_selects_;
  } else if (name == "RESET") {
    r.is_reset = true;
    ClearAll(/*disconnect=*/true);
    tracking_on_ = false;
    in_multi_ = false;
    state_ = State::kResetting;
  } else if (WritesUnnamedKeys(name)) {
    ClearAll(/*disconnect=*/false);
  } else if (!WritesNothing(name)) {
    // Own write: the server notifies after the reply, or never (NOLOOP).
    for (size_t i = 1; i < r.argv.size(); ++i) InvalidateKey(r.argv[i], /*own=*/true);
  }
  data.out += resp::EncodeCommand(r.argv);
  data.pending.push_back(std::move(r));
  if (data.pending.back().fill) TrackInflight(&data.pending.back());
}

void ClientCache::FlushQueue() {
  while (state_ == State::kReady && !queued_.empty()) {
    Request r = std::move(queued_.front());
    queued_.pop_front();
    Send(std::move(r));
  }
}

std::string ClientCache::TakeOutput(int conn) {
  if (conn < 0 || conn > 1) return {};
  std::string out;
  out.swap(conns_[conn].out);
  return out;
}

bool ClientCache::HasOutput(int conn) const {
  return conn >= 0 && conn <= 1 && !conns_[conn].out.empty();
}

std::vector<Reply> ClientCache::TakeReplies() {
  std::vector<Reply> out;
  out.swap(replies_);
  return out;
}

absl::Status ClientCache::OnBytes(int conn, std::string_view bytes) {
  if (conn < 0 || conn >= connections()) {
    return absl::InvalidArgumentError(absl::StrCat("no connection ", conn));
  }
  if (state_ == State::kDisconnected) {
    return absl::FailedPreconditionError(
        absl::StrCat("bytes on connection ", conn, " while disconnected"));
  }
  Conn& c = conns_[conn];
  resp::Reader& reader = *c.reader;
  const bool ok = reader.Feed(bytes, *c.builder);
  std::vector<Value> values;
  values.swap(c.frames);
  for (Value& v : values) {
    ProcessFrame(conn, std::move(v));
    if (state_ == State::kDisconnected) return status_;
  }
  if (!ok) {
    Fail(absl::DataLossError(
        absl::StrCat("protocol error on connection ", conn, ": ", reader.status().message())));
    return status_;
  }
  return absl::OkStatus();
}

void ClientCache::OnEof(int conn) {
  if (state_ == State::kDisconnected) return;
  Fail(absl::UnavailableError(absl::StrCat("connection ", conn, " closed by the server")));
}

void ClientCache::ProcessFrame(int conn, Value v) {
  Conn& c = conns_[conn];
  const bool pending_reply = !c.pending.empty();
  const bool as_reply = options_.bugs.push_as_reply && pending_reply;
  if (v.type == Type::kPush && !as_reply) {
    HandlePush(v);
    return;
  }
  if (conn == kRedirectConn) {
    const bool message = v.type == Type::kArray && v.elems.size() == 3 && IsStringish(v.elems[0]) &&
                         v.elems[0].str == "message" && IsStringish(v.elems[1]) &&
                         v.elems[1].str == kInvalidateChannel;
    if (message && !as_reply) {
      HandleInvalidation(v.elems[2]);
      return;
    }
  }
  if (!pending_reply) {
    Fail(absl::DataLossError(absl::StrCat(
        "connection ", conn, ": a frame with nothing pending: ", resp::ToDebugString(v, 200))));
    return;
  }
  Request& front = c.pending.front();
  if (front.fill) UntrackInflight(front);
  Request r = std::move(front);
  c.pending.pop_front();
  Complete(conn, r, std::move(v));
}

void ClientCache::Complete(int conn, Request& r, Value v) {
  switch (r.kind) {
    case Kind::kUser:
      break;
    case Kind::kHello:
      --handshake_pending_;
      if (v.type != Type::kMap && v.type != Type::kArray) {
        Fail(absl::FailedPreconditionError("HELLO 3 refused: " + resp::ToDebugString(v, 200)));
        return;
      }
      for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        if (v.elems[i].str == "id" && v.elems[i + 1].type == Type::kInteger) {
          conns_[conn].id = v.elems[i + 1].integer;
        }
      }
      MaybeFinishHandshake();
      return;
    case Kind::kClientId:
      --handshake_pending_;
      if (v.type != Type::kInteger) {
        Fail(absl::FailedPreconditionError("CLIENT ID refused: " + resp::ToDebugString(v, 200)));
        return;
      }
      conns_[conn].id = v.integer;
      MaybeFinishHandshake();
      return;
    case Kind::kSubscribe:
      --handshake_pending_;
      if (v.type != Type::kArray || v.elems.size() != 3 || v.elems[0].str != "subscribe") {
        Fail(absl::FailedPreconditionError("SUBSCRIBE refused: " + resp::ToDebugString(v, 200)));
        return;
      }
      subscribed_ = true;
      MaybeFinishHandshake();
      return;
    case Kind::kTracking:
      --handshake_pending_;
      if (!IsOk(v)) {
        Fail(absl::FailedPreconditionError("CLIENT TRACKING refused: " +
                                           resp::ToDebugString(v, 200)));
        return;
      }
      tracking_on_ = true;
      MaybeFinishHandshake();
      return;
    case Kind::kOff:
      return;  // tracking_on_ went false when it was sent
    case Kind::kAddPrefixes:
      // Refused (an overlap with a prefix the client has): nothing changed.
      if (IsOk(v)) {
        added_prefixes_.insert(added_prefixes_.end(), r.prefixes.begin(), r.prefixes.end());
      }
      return;
    case Kind::kCaching:
      // The read right behind it is not tracked if CACHING failed.
      if (!IsOk(v) && !conns_[kDataConn].pending.empty()) {
        conns_[kDataConn].pending.front().poisoned = true;
      }
      return;
  }
  --user_pending_;
  if (r.fill) {
    if (r.poisoned && !options_.bugs.fill_after_invalidation) {
      ++stats_.fills_raced;
    } else if (caching() && !IsErrorReply(v)) {
      Insert(r, v);
    }
  }
  if (r.is_select) {
    --pending_selects_;
    if (IsOk(v)) db_ = r.select_db;
  }
  replies_.push_back(Reply{r.ticket, std::move(v), false, false});
  if (r.is_reset) {
    db_ = 0;
    StartHandshake(/*data_only=*/true);
  }
}

void ClientCache::Insert(const Request& r, const Value& v) {
  const CacheLimits& lim = options_.limits;
  if (lim.max_entries == 0) return;
  const size_t size = EntryBytes(r.entry_id, resp::Write(v, options_.protocol).size(), r.keys);
  if (size > lim.max_entry_bytes || size > lim.max_bytes) {
    ++stats_.fills_too_big;
    return;
  }
  if (entries_.contains(r.entry_id)) DropEntry(r.entry_id);
  while (!lru_.empty() && (entries_.size() >= lim.max_entries || bytes_ + size > lim.max_bytes)) {
    ++stats_.evictions;
    DropEntry(lru_.back());
  }
  lru_.push_front(r.entry_id);
  Entry& e = entries_[r.entry_id];
  e.value = v;
  e.keys = r.keys;
  e.bytes = size;
  e.lru = lru_.begin();
  bytes_ += size;
  for (const std::string& k : r.keys) index_[k].insert(r.entry_id);
  ++stats_.fills;
}

void ClientCache::DropEntry(const std::string& id_ref) {
  const std::string id = id_ref;  // id_ref may live in the entry or the LRU list
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  for (const std::string& k : it->second.keys) {
    auto idx = index_.find(k);
    if (idx == index_.end()) continue;
    idx->second.erase(id);
    if (idx->second.empty()) index_.erase(idx);
  }
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

void ClientCache::HandlePush(const Value& push) {
  if (push.elems.empty() || !IsStringish(push.elems[0])) return;
  const std::string& kind = push.elems[0].str;
  if (kind == "invalidate") {
    HandleInvalidation(push.elems.size() >= 2 ? push.elems[1] : Value::Null());
  } else if (kind == "tracking-redir-broken") {
    ClearAll(/*disconnect=*/true);
    tracking_broken_ = true;
  }
  // Other pushes (pub/sub, a module's) are not replies and change nothing.
}

void ClientCache::HandleInvalidation(const Value& payload) {
  if (options_.bugs.ignore_invalidations) return;
  if (IsNull(payload)) {
    ++stats_.flushes;
    if (options_.bugs.fail_on_null_invalidation) {
      Fail(absl::InternalError("a null invalidation crashed the client (planted bug)"));
      return;
    }
    if (options_.bugs.ignore_null_invalidation) return;
    ClearAll(/*disconnect=*/false);
    return;
  }
  if (payload.type != Type::kArray && payload.type != Type::kSet) {
    ClearAll(/*disconnect=*/false);  // a shape we do not know: drop everything
    return;
  }
  for (const Value& k : payload.elems) {
    if (!IsStringish(k)) {
      ClearAll(/*disconnect=*/false);
      return;
    }
  }
  for (const Value& k : payload.elems) {
    ++stats_.invalidated_keys;
    InvalidateKey(k.str, /*own=*/false);
  }
}

void ClientCache::InvalidateKey(const std::string& key, bool own) {
  (void)own;
  if (auto idx = index_.find(key); idx != index_.end()) {
    const std::vector<std::string> ids(idx->second.begin(), idx->second.end());
    for (const std::string& id : ids) {
      ++stats_.drops;
      DropEntry(id);
    }
  }
  if (auto in = inflight_.find(key); in != inflight_.end()) {
    for (Request* r : in->second) r->poisoned = true;
  }
}

void ClientCache::ClearAll(bool disconnect) {
  ++stats_.clears;
  if (!(disconnect && options_.bugs.keep_on_disconnect)) {
    entries_.clear();
    index_.clear();
    lru_.clear();
    bytes_ = 0;
  }
  for (Request& r : conns_[kDataConn].pending) {
    if (r.fill) r.poisoned = true;
  }
}

void ClientCache::Fail(absl::Status status) {
  status_ = std::move(status);
  state_ = State::kDisconnected;
  ClearAll(/*disconnect=*/true);
  LoseAll(std::string(status_.message()));
  for (Conn& c : conns_) c.out.clear();
  tracking_on_ = false;
}

void ClientCache::LoseAll(std::string_view why) {
  for (Request& r : conns_[kDataConn].pending) {
    if (r.kind == Kind::kUser) replies_.push_back(Reply{r.ticket, LostReply(why), false, true});
  }
  for (Request& r : queued_) replies_.push_back(Reply{r.ticket, LostReply(why), false, true});
  for (Conn& c : conns_) c.pending.clear();
  queued_.clear();
  inflight_.clear();
  user_pending_ = 0;
  pending_selects_ = 0;
  handshake_pending_ = 0;
  in_multi_ = false;
  multi_submitted_ = false;
}

void ClientCache::TrackInflight(Request* r) {
  for (const std::string& k : r->keys) inflight_[k].push_back(r);
}

void ClientCache::UntrackInflight(const Request& r) {
  for (const std::string& k : r.keys) {
    auto it = inflight_.find(k);
    if (it == inflight_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &r), v.end());
    if (v.empty()) inflight_.erase(it);
  }
}

absl::Status ClientCache::Validate() const {
  const CacheLimits& lim = options_.limits;
  if (entries_.size() > lim.max_entries) {
    return absl::InternalError(
        absl::StrCat(entries_.size(), " entries, above max_entries ", lim.max_entries));
  }
  if (bytes_ > lim.max_bytes) {
    return absl::InternalError(absl::StrCat(bytes_, " bytes, above max_bytes ", lim.max_bytes));
  }
  if (lru_.size() != entries_.size()) {
    return absl::InternalError(
        absl::StrCat("LRU list has ", lru_.size(), " ids for ", entries_.size(), " entries"));
  }
  if (!added_prefixes_.empty() && options_.mode != Mode::kBcast) {
    return absl::InternalError("prefixes added to a client that is not BCAST");
  }
  if (options_.prefixes.size() + added_prefixes_.size() > lim.max_prefixes) {
    return absl::InternalError(absl::StrCat(options_.prefixes.size() + added_prefixes_.size(),
                                            " prefixes, above max_prefixes ", lim.max_prefixes));
  }
  if (options_.mode == Mode::kPlain && !entries_.empty()) {
    return absl::InternalError("a plain client holds entries");
  }
  size_t total = 0;
  for (const auto& [id, e] : entries_) {
    total += e.bytes;
    if (*e.lru != id) return absl::InternalError("entry " + id + ": LRU position is another's");
    if (e.bytes > lim.max_entry_bytes) {
      return absl::InternalError(
          absl::StrCat("entry ", id, ": ", e.bytes, " bytes, above max_entry_bytes"));
    }
    if (e.keys.empty()) return absl::InternalError("entry " + id + " depends on no key");
    for (const std::string& k : e.keys) {
      auto idx = index_.find(k);
      if (idx == index_.end() || !idx->second.contains(id)) {
        return absl::InternalError("entry " + id + " is missing from the index of key " + k);
      }
      if (!Covered(k)) return absl::InternalError("entry " + id + ": key " + k + " not covered");
    }
  }
  if (total != bytes_) {
    return absl::InternalError(
        absl::StrCat("entries add up to ", total, " bytes, counted ", bytes_));
  }
  for (const auto& [k, ids] : index_) {
    if (ids.empty()) return absl::InternalError("index key " + k + " has no entries");
    for (const std::string& id : ids) {
      auto it = entries_.find(id);
      if (it == entries_.end()) {
        return absl::InternalError("index key " + k + " names missing entry " + id);
      }
      const auto& keys = it->second.keys;
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
        return absl::InternalError("index key " + k + " names entry " + id + " not reading it");
      }
    }
  }
  // In-flight index: exactly the filling reads pending on the data connection.
  size_t tracked = 0, expected = 0;
  for (const auto& [k, reqs] : inflight_) {
    for (const Request* r : reqs) {
      ++tracked;
      if (std::find(r->keys.begin(), r->keys.end(), k) == r->keys.end()) {
        return absl::InternalError("in-flight index key " + k + " names a read not reading it");
      }
    }
  }
  size_t users = queued_.size();
  int selects = 0;
  for (const Request& r : conns_[kDataConn].pending) {
    if (r.fill) expected += r.keys.size();
    if (r.kind == Kind::kUser) ++users;
    if (r.is_select) ++selects;
  }
  if (tracked != expected) {
    return absl::InternalError(
        absl::StrCat("in-flight index holds ", tracked, " key links, the reads need ", expected));
  }
  if (users != user_pending_) {
    return absl::InternalError(
        absl::StrCat(users, " user commands pending, counted ", user_pending_));
  }
  if (selects != pending_selects_) {
    return absl::InternalError(
        absl::StrCat(selects, " SELECTs pending, counted ", pending_selects_));
  }
  if (user_pending_ > lim.max_pending) {
    return absl::InternalError(absl::StrCat(user_pending_, " pending, above max_pending"));
  }
  return absl::OkStatus();
}

}  // namespace respfuzz::cache
