// The tracking reference model (tracking_reference.h): tracking.c, the
// tracking parts of networking.c (CLIENT TRACKING/CACHING/GETREDIR/
// TRACKINGINFO, resetClient), server.c (call, processCommand, beforeSleep),
// db.c (signalModifiedKey, signalFlushedDb) and pubsub.c (SUBSCRIBE) of
// Redis 7.0.15, in plain code.
#include "harnesses/models/tracking_reference.h"

#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"
#include "src/resp/value.h"
#include "src/resp/writer.h"

namespace respfuzz::models {

namespace {

using refmodel::Ctx;
using refmodel::EqualsIgnoreCase;
using resp::Type;
using resp::Value;

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string BulkBytes(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

// The "value" part of an invalidation for one key: an array of that key.
std::string OneKeyPayload(const std::string& key) { return "*1\r\n" + BulkBytes(key); }

// shared.null[resp]: the flush payload, in the protocol of the tracking client.
std::string NullPayload(int resp) { return resp == 3 ? "_\r\n" : "$-1\r\n"; }

// Which keys a read-only command names (getKeysFromCommand of Redis 7.0.15's
// key specs, for the commands of the command model). Checked with COMMAND
// INFO on redis-server 7.0.15. nullopt: the command is not read-only.
std::optional<std::vector<std::string>> ReadKeys(const std::string& name,
                                                 const std::vector<std::string>& argv) {
  static const std::set<std::string> kFirstKey = {
      "get", "strlen", "getrange", "hget", "hmget", "hexists", "hlen", "hkeys", "hvals", "hgetall",
      "hstrlen", "type", "ttl", "pttl", "llen", "lrange", "lindex", "lpos", "sismember",
      "smismember", "smembers", "scard", "zscore", "zmscore", "zcard", "zcount", "zrange",
      "zrangebyscore", "zrevrange", "zrank", "zrevrank", "zrangebylex", "zlexcount", "sort_ro",
      // GEO's read-only commands (COMMAND INFO: readonly, the key at 1).
      "geopos", "geodist", "geohash", "georadius_ro", "georadiusbymember_ro", "geosearch"};
  static const std::set<std::string> kAllKeys = {"exists", "mget", "sinter", "sunion", "sdiff"};
  static const std::set<std::string> kNoKeys = {"keys", "scan", "dbsize"};
  if (kFirstKey.count(name)) return std::vector<std::string>{argv[1]};
  if (kAllKeys.count(name)) return std::vector<std::string>(argv.begin() + 1, argv.end());
  if (kNoKeys.count(name)) return std::vector<std::string>{};
  if (name == "sintercard") {
    // sintercardGetKeys: numkeys at 1, keys after it; a bad count names none.
    int64_t n = 0;
    if (!refmodel::String2ll(argv[1], &n) || n < 1 || n > static_cast<int64_t>(argv.size()) - 2) {
      return std::vector<std::string>{};
    }
    return std::vector<std::string>(argv.begin() + 2, argv.begin() + 2 + n);
  }
  return std::nullopt;
}

// Commands a RESP2 client subscribed to a channel may still run.
bool AllowedInPubSub(const std::string& name) {
  static const std::set<std::string> kAllowed = {"ping",         "subscribe",    "ssubscribe",
                                                 "unsubscribe",  "sunsubscribe", "psubscribe",
                                                 "punsubscribe", "quit",         "reset"};
  return kAllowed.count(name) > 0;
}

// A CLIENT subcommand the model knows: resetClient keeps CACHING after it.
bool IsClientCommand(const std::vector<std::string>& argv) {
  if (argv.size() < 2 || Lower(argv[0]) != "client") return false;
  std::string sub = Lower(argv[1]);
  return sub == "id" || sub == "tracking" || sub == "caching" || sub == "getredir" ||
         sub == "trackinginfo" || sub == "reply";
}

// stringCheckPrefix: one is a prefix of the other.
bool Overlap(const std::string& a, const std::string& b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  return a.compare(0, n, b, 0, n) == 0;
}

}  // namespace

bool TrackingReference::IdOrder::operator()(int64_t a, int64_t b) const {
  for (int i = 0; i < 8; ++i) {
    auto ba = static_cast<uint8_t>(static_cast<uint64_t>(a) >> (8 * i));
    auto bb = static_cast<uint8_t>(static_cast<uint64_t>(b) >> (8 * i));
    if (ba != bb) return ba < bb;
  }
  return false;
}

TrackingReference::TrackingReference(TrackingOptions options)
    : model_([&] {
        ReferenceOptions o;
        o.start_ms = options.start_ms;
        o.max_string_len = options.max_string_len;
        o.sessions = options.slots;
        o.debug_command = options.debug_command;
        o.local_sessions = options.slots;
        return o;
      }()),
      clients_(static_cast<size_t>(options.slots > 0 ? options.slots : 0)),
      next_id_(options.first_client_id),
      max_keys_(options.tracking_table_max_keys) {
  model_.set_log_events(true);
  InstallHooks();
}

void TrackingReference::InstallHooks() {
  refmodel::Hooks h;
  auto add = [&](const char* name, int arity, resp::Value (TrackingReference::*fn)(Ctx&)) {
    h.extra[name] = {arity, [this, fn](Ctx& c) { return (this->*fn)(c); }};
  };
  add("client|tracking", -3, &TrackingReference::ClientTracking);
  add("client|caching", 3, &TrackingReference::ClientCaching);
  add("client|getredir", 2, &TrackingReference::ClientGetRedir);
  add("client|trackinginfo", 2, &TrackingReference::ClientTrackingInfo);
  add("client|reply", 3, &TrackingReference::ClientReply);
  add("reset", 1, &TrackingReference::Reset);
  add("subscribe", -2, &TrackingReference::Subscribe);
  add("unsubscribe", -1, &TrackingReference::Unsubscribe);
  add("psubscribe", -2, &TrackingReference::Subscribe);
  add("punsubscribe", -1, &TrackingReference::Unsubscribe);
  add("ssubscribe", -2, &TrackingReference::Subscribe);
  add("sunsubscribe", -1, &TrackingReference::Unsubscribe);
  add("ping", -1, &TrackingReference::Ping);
  add("config|set", -4, &TrackingReference::ConfigSet);
  add("config|get", -3, &TrackingReference::ConfigGet);
  // Blocking commands and CLIENT UNBLOCK are the command model's; their
  // replies come through this hook (Rule: blocking).
  h.unblocked = [this](int session, const Value& reply, bool by_command) {
    Unblocked(session, reply, by_command);
  };
  // trackingLimitUsedSlots in processCommand: after the maxmemory checks,
  // before the min-replicas and RESP2 Pub/Sub ones.
  h.limit_tracking_table = [this] {
    if (tracking_clients() > 0) LimitUsedSlots();
  };
  h.before_command = [this](int session, const std::vector<std::string>& argv) {
    return BeforeCommand(session, argv);
  };
  h.after_call = [this](int session, const std::vector<std::string>& argv,
                        const std::string& name) { AfterCall(session, argv, name); };
  h.deliver = [this](int session, const Value& message) { Deliver(session, message); };
  // Evictions before the command (reference_memory.cc): their invalidations
  // go out at once, the running client's own before its reply.
  h.after_evictions = [this] { ProcessEvents(); };
  model_.set_hooks(std::move(h));
}

// ---------------------------------------------------------------------------
// Connections.

int64_t TrackingReference::Connect(int slot) {
  if (slot < 0 || slot >= static_cast<int>(clients_.size())) return 0;
  if (clients_[slot].connected) Close(slot);
  Client& c = clients_[slot];
  c = Client();
  c.connected = true;
  c.id = next_id_++;
  model_.ResetSession(slot, c.id);
  conn_order_.push_back(slot);  // linkClient: the tail of server.clients
  return c.id;
}

// freeClient: tracking off (its BCAST prefixes dropped), unsubscribed, the
// output buffer gone.
void TrackingReference::Close(int slot) {
  if (!connected(slot)) return;
  DisableTracking(slot);
  model_.ResetSession(slot, 0);
  clients_[slot] = Client();
  for (size_t i = 0; i < conn_order_.size(); ++i) {
    if (conn_order_[i] == slot) {
      conn_order_.erase(conn_order_.begin() + static_cast<long>(i));
      break;
    }
  }
}

bool TrackingReference::connected(int slot) const {
  return slot >= 0 && slot < static_cast<int>(clients_.size()) && clients_[slot].connected;
}

int64_t TrackingReference::client_id(int slot) const {
  return connected(slot) ? clients_[slot].id : 0;
}

std::vector<std::string> TrackingReference::BcastPrefixes(int slot) const {
  if (!connected(slot) || !clients_[slot].tracking || !clients_[slot].bcast) return {};
  return std::vector<std::string>(clients_[slot].prefixes.begin(), clients_[slot].prefixes.end());
}

int TrackingReference::SlotOf(int64_t id) const {
  if (id == 0) return -1;
  for (size_t i = 0; i < clients_.size(); ++i) {
    if (clients_[i].connected && clients_[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

int TrackingReference::resp(int slot) const { return model_.session(slot).resp; }

int TrackingReference::tracking_clients() const {
  int n = 0;
  for (const Client& c : clients_) n += c.connected && c.tracking ? 1 : 0;
  return n;
}

// ---------------------------------------------------------------------------
// Running commands.

void TrackingReference::Execute(int slot, const std::vector<std::string>& argv) {
  if (!connected(slot) || argv.empty()) return;
  current_ = slot;
  in_call_ = false;
  multi_frame_ = false;
  exec_ = model_.session(slot).multi && Lower(argv[0]) == "exec";
  exec_index_ = 0;
  exec_pushes_.clear();
  pushing_reply_ = false;
  Value reply = model_.Execute(slot, argv);
  ProcessEvents();  // none expected outside call(); kept so nothing is lost
  Client& c = clients_[slot];
  // Rule (CLIENT REPLY): under OFF, or SKIP for this command, the reply is
  // dropped; pushes (messages, invalidations, subscription confirmations,
  // which Redis writes with CLIENT_PUSHING) still go out. Decided after the
  // command ran: CLIENT REPLY ON's +OK goes out.
  const bool silenced = c.reply_off || c.reply_skip;
  if (silenced && exec_) unmodelled_ = true;  // EXEC's reply in part: not modelled
  model_.TakeDelivered();                     // written by Unblocked() already
  if (model_.IsBlocked(slot)) {
    // Rule (blocking): nothing now; the reply comes when the block ends.
    if (silenced) unmodelled_ = true;  // CLIENT REPLY and blocking: not modelled
  } else if (silenced && !pushing_reply_) {
    // dropped
  } else if (exec_ && !exec_pushes_.empty() && reply.type == Type::kArray) {
    // Rule (ordering): a message the client sent itself from inside EXEC
    // sits in EXEC's reply, before the reply of the command after the
    // PUBLISH (redis-server 7.0.15 writes pushes into the reply buffer at
    // once). Written as one frame: no reader sees the elements apart.
    std::string bytes = "*" + std::to_string(reply.elems.size()) + "\r\n";
    size_t next_push = 0;
    for (size_t i = 0; i <= reply.elems.size(); ++i) {
      while (next_push < exec_pushes_.size() && exec_pushes_[next_push].first <= i) {
        bytes += exec_pushes_[next_push++].second;
      }
      if (i < reply.elems.size()) {
        bytes += resp::Write(reply.elems[i], resp::Protocol::kResp3, resp::DoubleStyle::kRedis70);
      }
    }
    c.out.push_back({FrameKind::kReply, bytes});
  } else if (multi_frame_ && reply.type == Type::kArray) {
    for (const Value& v : reply.elems) {
      c.out.push_back(
          {FrameKind::kReply, resp::Write(v, resp::Protocol::kResp3, resp::DoubleStyle::kRedis70)});
    }
  } else {
    c.out.push_back({FrameKind::kReply,
                     resp::Write(reply, resp::Protocol::kResp3, resp::DoubleStyle::kRedis70)});
  }
  // Rule (ordering): afterCommand -> trackingHandlePendingKeyInvalidations:
  // what the command queued for its own client goes out after its reply.
  in_call_ = false;
  exec_ = false;
  std::vector<std::optional<std::string>> pending = std::move(pending_);
  pending_.clear();
  for (const std::optional<std::string>& key : pending) {
    SendTrackingMessage(slot, key ? OneKeyPayload(*key) : NullPayload(resp(slot)));
  }
  // Rule (blocking): what serving sent this client comes after its own.
  for (OutFrame& f : deferred_) c.out.push_back(std::move(f));
  deferred_.clear();
  // Rule (CACHING): resetClient clears it unless the client is in MULTI or
  // the command was CLIENT.
  if (!model_.session(slot).multi && !IsClientCommand(argv)) clients_[slot].caching = false;
  // resetClient: SKIP covers the one command after CLIENT REPLY SKIP.
  clients_[slot].reply_skip = clients_[slot].reply_skip_next;
  clients_[slot].reply_skip_next = false;
  current_ = -1;
}

// processCommand between the arity check and call(): the RESP2 Pub/Sub
// context (the table limit came before the min-replicas check:
// limit_tracking_table).
std::string TrackingReference::BeforeCommand(int session, const std::vector<std::string>& argv) {
  if (model_.session(session).pubsub() && resp(session) == 2) {
    std::string name = Lower(argv[0]);
    if ((name == "client" || name == "config" || name == "pubsub") && argv.size() >= 2) {
      name += "|" + Lower(argv[1]);
    }
    if (!AllowedInPubSub(name)) {
      return "Can't execute '" + name +
             "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
             "this context";
    }
  }
  in_call_ = true;  // the command now runs (or is queued, which signals nothing)
  return "";
}

// The end of call(): the command's key-space events were signalled while it
// ran (they are turned into invalidations here, in order), then
// trackingRememberKeys.
void TrackingReference::AfterCall(int session, const std::vector<std::string>& argv,
                                  const std::string& name) {
  // An invalidation the command's changes send to EXEC's own client (through
  // another client's redirection) lands before the command's reply element.
  ProcessEvents();
  if (exec_) exec_index_++;  // the next reply element of EXEC
  const Client& c = clients_[session];
  if (c.tracking && !c.bcast) RememberKeys(session, argv, name);
}

void TrackingReference::ProcessEvents() {
  for (const refmodel::KeyEvent& e : model_.TakeEvents()) {
    if (e.kind == refmodel::KeyEvent::Kind::kFlushed) {
      InvalidateOnFlush();
    } else {
      // signalModifiedKey(c, ...): c is the running client for a command's
      // own change, NULL for an expired key.
      int64_t modifier = e.by_client && current_ >= 0 ? clients_[current_].id : 0;
      InvalidateKey(e.key, modifier, /*bcast=*/true);
    }
  }
}

// Rule (default mode, OPTIN/OPTOUT): trackingRememberKeys.
void TrackingReference::RememberKeys(int slot, const std::vector<std::string>& argv,
                                     const std::string& name) {
  std::optional<std::vector<std::string>> keys = ReadKeys(name, argv);
  if (!keys) return;  // not a read-only command
  const Client& c = clients_[slot];
  if ((c.optin && !c.caching) || (c.optout && c.caching)) return;
  table_exists_ = true;
  for (const std::string& key : *keys) table_[key].insert(c.id);
}

// Rule (invalidation): trackingInvalidateKey.
void TrackingReference::InvalidateKey(const std::string& key, int64_t modifier, bool bcast) {
  if (!table_exists_) return;
  // Rule (BCAST): remember the key under every prefix it starts with.
  if (bcast) {
    for (auto& [prefix, state] : prefix_table_) {
      if (key.compare(0, prefix.size(), prefix) == 0 && prefix.size() <= key.size()) {
        state.keys[key] = modifier;
      }
    }
  }
  auto it = table_.find(key);
  if (it == table_.end()) return;
  std::set<int64_t, IdOrder> ids = std::move(it->second);
  table_.erase(it);  // one-shot
  for (int64_t id : ids) {
    int target = SlotOf(id);
    if (target < 0 || !clients_[target].tracking || clients_[target].bcast) continue;
    // Rule (NOLOOP): not to the client running the command.
    if (clients_[target].noloop && target == current_) continue;
    // Rule (ordering): the running client's own invalidations wait for its reply.
    if (target == current_ && in_call_) {
      pending_.push_back(key);
    } else {
      SendTrackingMessage(target, OneKeyPayload(key));
    }
  }
}

// Rule (flush): trackingInvalidateKeysOnFlush.
void TrackingReference::InvalidateOnFlush() {
  std::vector<int> order = conn_order_;
  for (int slot : order) {
    if (!clients_[slot].tracking) continue;
    if (slot == current_) {
      pending_.push_back(std::nullopt);  // Redis queues it even outside call(); it runs in one
    } else {
      SendTrackingMessage(slot, NullPayload(resp(slot)));
    }
  }
  if (table_exists_) table_.clear();
}

// Rule (frames): sendTrackingMessage.
void TrackingReference::SendTrackingMessage(int slot, const std::string& payload) {
  Client& c = clients_[slot];
  int target = slot;
  bool using_redirection = false;
  if (c.redirect != 0) {
    int redir = SlotOf(c.redirect);
    if (redir < 0) {
      c.broken_redir = true;
      if (resp(slot) > 2) {
        Push(slot, ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(c.redirect) + "\r\n");
      }
      return;
    }
    target = redir;
    using_redirection = true;
  }
  if (resp(target) > 2) {
    PushNow(target, ">2\r\n$10\r\ninvalidate\r\n" + payload);
  } else if (using_redirection && model_.session(target).pubsub()) {
    PushNow(target, "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n" + payload);
  }
  // Otherwise RESP2 without a subscribed redirect: nothing is sent.
}

// Rule (tracking-table-max-keys): trackingLimitUsedSlots, with the smallest
// key name instead of a random one.
void TrackingReference::LimitUsedSlots() {
  if (!table_exists_ || max_keys_ == 0) return;
  if (static_cast<int64_t>(table_.size()) <= max_keys_) {
    eviction_rounds_ = 0;
    return;
  }
  int effort = 100 * static_cast<int>(eviction_rounds_ + 1);
  while (effort > 0 && !table_.empty()) {
    effort--;
    std::string key = table_.begin()->first;
    InvalidateKey(key, 0, /*bcast=*/false);
    if (static_cast<int64_t>(table_.size()) <= max_keys_) {
      eviction_rounds_ = 0;
      return;
    }
  }
  eviction_rounds_++;
}

void TrackingReference::Cron() {
  int saved = current_;
  current_ = -1;
  in_call_ = false;
  if (tracking_clients() > 0) LimitUsedSlots();
  current_ = saved;
}

void TrackingReference::AdvanceClock(int64_t ms) {
  current_ = -1;
  in_call_ = false;
  model_.AdvanceClock(ms);  // timeouts: their replies through Unblocked()
  model_.TakeDelivered();
}

void TrackingReference::ExpireAllDue() {
  current_ = -1;
  in_call_ = false;
  model_.ExpireAllDue();
  ProcessEvents();
}

// Rule (BCAST): trackingBroadcastInvalidationMessages, once per turn.
void TrackingReference::EndOfTurn() {
  current_ = -1;
  in_call_ = false;
  if (!table_exists_ || tracking_clients() == 0) return;
  for (auto& [prefix, state] : prefix_table_) {
    if (!state.keys.empty()) {
      for (int64_t id : state.clients) {
        int slot = SlotOf(id);
        if (slot < 0) continue;
        std::vector<const std::string*> keys;
        for (const auto& [key, modifier] : state.keys) {
          if (clients_[slot].noloop && modifier == id) continue;
          keys.push_back(&key);
        }
        if (keys.empty()) continue;
        std::string payload = "*" + std::to_string(keys.size()) + "\r\n";
        for (const std::string* key : keys) payload += BulkBytes(*key);
        SendTrackingMessage(slot, payload);
      }
    }
    state.keys.clear();
  }
}

// disableTracking.
void TrackingReference::DisableTracking(int slot) {
  Client& c = clients_[slot];
  if (c.bcast) {
    for (const std::string& prefix : c.prefixes) {
      auto it = prefix_table_.find(prefix);
      if (it == prefix_table_.end()) continue;
      it->second.clients.erase(c.id);
      if (it->second.clients.empty()) prefix_table_.erase(it);
    }
    c.prefixes.clear();
  }
  if (c.tracking) {
    c.tracking = c.broken_redir = c.bcast = c.optin = c.optout = c.caching = c.noloop = false;
  }
}

// ---------------------------------------------------------------------------
// Output.

const std::vector<OutFrame>& TrackingReference::frames(int slot) const {
  return clients_[slot].out;
}

std::string TrackingReference::Bytes(int slot) const {
  std::string out;
  for (const OutFrame& f : clients_[slot].out) out += f.bytes;
  return out;
}

std::vector<OutFrame> TrackingReference::TakeFrames(int slot) {
  std::vector<OutFrame> out = std::move(clients_[slot].out);
  clients_[slot].out.clear();
  return out;
}

void TrackingReference::ClearFrames(int slot) { clients_[slot].out.clear(); }

std::vector<int64_t> TrackingReference::TrackingClientsOf(const std::string& key) const {
  auto it = table_.find(key);
  if (it == table_.end()) return {};
  return std::vector<int64_t>(it->second.begin(), it->second.end());
}

// ---------------------------------------------------------------------------
// Commands.

Value TrackingReference::Unmodelled(Ctx& c, const std::string& what) {
  unmodelled_ = true;
  return c.Err("the tracking reference model does not model " + what);
}

// Rule (CLIENT TRACKING): clientCommand's "tracking" branch.
Value TrackingReference::ClientTracking(Ctx& c) {
  Client& me = clients_[c.session];
  int64_t redir = 0;
  bool bcast = false, optin = false, optout = false, noloop = false;
  std::vector<std::string> prefixes;
  Value err;
  for (size_t j = 3; j < c.argc(); ++j) {
    bool moreargs = c.argc() - 1 > j;
    const std::string& opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "redirect") && moreargs) {
      j++;
      if (redir != 0) return c.Err("A client can only redirect to a single other client");
      if (!c.GetLongLong(c.argv[j], &redir, &err)) return err;
      if (SlotOf(redir) < 0) return c.Err("The client ID you want redirect to does not exist");
    } else if (EqualsIgnoreCase(opt, "bcast")) {
      bcast = true;
    } else if (EqualsIgnoreCase(opt, "optin")) {
      optin = true;
    } else if (EqualsIgnoreCase(opt, "optout")) {
      optout = true;
    } else if (EqualsIgnoreCase(opt, "noloop")) {
      noloop = true;
    } else if (EqualsIgnoreCase(opt, "prefix") && moreargs) {
      j++;
      prefixes.push_back(c.argv[j]);
    } else {
      return c.Syntax();
    }
  }
  if (EqualsIgnoreCase(c.argv[2], "on")) {
    if (!bcast && !prefixes.empty())
      return c.Err("PREFIX option requires BCAST mode to be enabled");
    if (me.tracking && me.bcast != bcast) {
      return c.Err(
          "You can't switch BCAST mode on/off before disabling tracking for this client, and "
          "then re-enabling it with a different mode.");
    }
    if (bcast && (optin || optout)) return c.Err("OPTIN and OPTOUT are not compatible with BCAST");
    if (optin && optout) return c.Err("You can't specify both OPTIN mode and OPTOUT mode");
    if ((optin && me.optout) || (optout && me.optin)) {
      return c.Err(
          "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
          "then re-enabling it with a different mode.");
    }
    std::optional<Value> collision;
    if (bcast) {
      // checkPrefixCollisionsOrReply, with its quirk: a collision between two
      // given prefixes found at i > 0 returns i, which the caller takes for
      // success after the error was sent.
      for (size_t i = 0; i < prefixes.size() && !collision; ++i) {
        for (const std::string& existing : me.prefixes) {
          if (Overlap(existing, prefixes[i])) {
            return c.Err(refmodel::SanitizeErrorText(
                "Prefix '" + refmodel::CString(prefixes[i]) +
                "' overlaps with an existing prefix '" + refmodel::CString(existing) +
                "'. Prefixes for a single client must not overlap."));
          }
        }
        for (size_t j = i + 1; j < prefixes.size(); ++j) {
          if (Overlap(prefixes[i], prefixes[j])) {
            Value e = c.Err(refmodel::SanitizeErrorText(
                "Prefix '" + refmodel::CString(prefixes[i]) +
                "' overlaps with another provided prefix '" + refmodel::CString(prefixes[j]) +
                "'. Prefixes for a single client must not overlap."));
            if (i == 0) return e;
            collision = e;
            break;
          }
        }
      }
    }
    // enableTracking.
    me.tracking = true;
    me.broken_redir = me.bcast = me.optin = me.optout = me.noloop = false;
    me.redirect = redir;
    table_exists_ = true;
    if (bcast) {
      me.bcast = true;
      if (prefixes.empty()) prefixes.push_back("");
      for (const std::string& p : prefixes) {
        prefix_table_[p].clients.insert(me.id);
        me.prefixes.insert(p);
      }
    }
    me.optin = optin;
    me.optout = optout;
    me.noloop = noloop;
    if (collision) {
      if (c.s().multi) return Unmodelled(c, "a doubled CLIENT TRACKING reply inside MULTI");
      multi_frame_ = true;
      return c.Array({*collision, c.Ok()});
    }
  } else if (EqualsIgnoreCase(c.argv[2], "off")) {
    DisableTracking(c.session);
  } else {
    return c.Syntax();
  }
  return c.Ok();
}

// Rule (CLIENT REPLY): ON clears OFF and SKIP and replies +OK; OFF and SKIP
// reply nothing (no frame); SKIP under OFF does nothing.
Value TrackingReference::ClientReply(Ctx& c) {
  Client& me = clients_[c.session];
  if (exec_) return Unmodelled(c, "CLIENT REPLY inside MULTI");
  if (EqualsIgnoreCase(c.argv[2], "on")) {
    me.reply_off = me.reply_skip = false;
    return c.Ok();
  }
  if (EqualsIgnoreCase(c.argv[2], "off")) {
    me.reply_off = true;
  } else if (EqualsIgnoreCase(c.argv[2], "skip")) {
    if (!me.reply_off) me.reply_skip_next = true;
  } else {
    return c.Syntax();
  }
  multi_frame_ = true;
  return c.Array();  // no frame
}

// Rule (RESET): tracking off, CLIENT REPLY OFF and a pending SKIP cleared,
// then the command model's part (db, protocol, transaction, subscriptions).
// A SKIP in force for RESET itself still drops its +RESET.
Value TrackingReference::Reset(Ctx& c) {
  Client& me = clients_[c.session];
  DisableTracking(c.session);
  me.reply_off = false;
  me.reply_skip_next = false;
  return refmodel::ResetConnection(c);
}

// Rule (CLIENT CACHING).
Value TrackingReference::ClientCaching(Ctx& c) {
  Client& me = clients_[c.session];
  if (!me.tracking) {
    return c.Err(
        "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
  }
  if (EqualsIgnoreCase(c.argv[2], "yes")) {
    if (!me.optin) {
      return c.Err("CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (EqualsIgnoreCase(c.argv[2], "no")) {
    if (!me.optout) {
      return c.Err("CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else {
    return c.Syntax();
  }
  me.caching = true;
  return c.Ok();
}

Value TrackingReference::ClientGetRedir(Ctx& c) {
  const Client& me = clients_[c.session];
  return c.Int(me.tracking ? me.redirect : -1);
}

Value TrackingReference::ClientTrackingInfo(Ctx& c) {
  const Client& me = clients_[c.session];
  std::vector<Value> flags = {c.Bulk(me.tracking ? "on" : "off")};
  if (me.bcast) flags.push_back(c.Bulk("bcast"));
  if (me.optin) {
    flags.push_back(c.Bulk("optin"));
    if (me.caching) flags.push_back(c.Bulk("caching-yes"));
  }
  if (me.optout) {
    flags.push_back(c.Bulk("optout"));
    if (me.caching) flags.push_back(c.Bulk("caching-no"));
  }
  if (me.noloop) flags.push_back(c.Bulk("noloop"));
  if (me.broken_redir) flags.push_back(c.Bulk("broken_redirect"));
  std::vector<Value> prefixes;
  for (const std::string& p : me.prefixes) prefixes.push_back(c.Bulk(p));
  return c.Map({c.Bulk("flags"), c.SetOf(std::move(flags)), c.Bulk("redirect"),
                c.Int(me.tracking ? me.redirect : -1), c.Bulk("prefixes"),
                c.Array(std::move(prefixes))});
}

// Rule (pub/sub): a message goes out at once, into the target's stream
// (its own, before its reply, when it published it itself; inside EXEC's
// reply when EXEC ran the PUBLISH), by PushNow's rule.
void TrackingReference::Deliver(int slot, const Value& message) {
  PushNow(slot, resp::Write(message, resp::Protocol::kResp3, resp::DoubleStyle::kRedis70));
}

// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE: one confirmation per name, a push in
// RESP3, with the count of its space (channels + patterns, or shard
// channels). SSUBSCRIBE is refused inside EXEC (CLIENT_DENY_BLOCKING).
Value TrackingReference::Subscribe(Ctx& c) {
  const std::string cmd = Lower(c.argv[0]);
  const char kind = cmd == "psubscribe" ? 'p' : cmd == "ssubscribe" ? 's' : 'c';
  if (kind == 's' && exec_) return c.Err("SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  pushing_reply_ = true;
  if (c.argc() > 2 && c.s().multi) return Unmodelled(c, "SUBSCRIBE of several channels in MULTI");
  Type shape = c.resp3() ? Type::kPush : Type::kArray;
  std::vector<Value> frames;
  for (size_t j = 1; j < c.argc(); ++j) {
    refmodel::PubSubSubscribe(c.st, c.session, kind, c.argv[j]);
    frames.push_back(Value::Aggregate(
        shape,
        {c.Bulk(cmd), c.Bulk(c.argv[j]), c.Int(refmodel::PubSubCount(c.st, c.session, kind))}));
  }
  if (frames.size() == 1) return frames[0];
  multi_frame_ = true;
  return c.Array(std::move(frames));
}

// UNSUBSCRIBE, PUNSUBSCRIBE, SUNSUBSCRIBE: one confirmation per name named
// (every subscription of the space when none, in subscription order), or
// one with a null name when there is none, with the count after it.
Value TrackingReference::Unsubscribe(Ctx& c) {
  if (c.s().multi) return Unmodelled(c, "UNSUBSCRIBE in MULTI");
  const std::string cmd = Lower(c.argv[0]);
  const char kind = cmd == "punsubscribe" ? 'p' : cmd == "sunsubscribe" ? 's' : 'c';
  pushing_reply_ = true;
  Type shape = c.resp3() ? Type::kPush : Type::kArray;
  std::vector<std::string> names(c.argv.begin() + 1, c.argv.end());
  if (names.empty()) {
    names = kind == 'c' ? c.s().channels : kind == 'p' ? c.s().patterns : c.s().shard_channels;
  }
  std::vector<Value> frames;
  for (const std::string& ch : names) {
    refmodel::PubSubUnsubscribe(c.st, c.session, kind, ch);
    frames.push_back(Value::Aggregate(
        shape, {c.Bulk(cmd), c.Bulk(ch), c.Int(refmodel::PubSubCount(c.st, c.session, kind))}));
  }
  if (frames.empty()) {
    frames.push_back(Value::Aggregate(
        shape, {c.Bulk(cmd), c.Null(), c.Int(refmodel::PubSubCount(c.st, c.session, kind))}));
  }
  if (frames.size() == 1) return frames[0];
  multi_frame_ = true;
  return c.Array(std::move(frames));
}

// PING: in the RESP2 Pub/Sub context it answers ["pong", arg or ""].
Value TrackingReference::Ping(Ctx& c) {
  if (c.argc() > 2) return c.ArityErr();
  if (c.s().pubsub() && !c.resp3()) {
    return c.Array({c.Bulk("pong"), c.Bulk(c.argc() == 2 ? c.argv[1] : "")});
  }
  if (c.argc() == 1) return Value::Simple("PONG");
  return c.Bulk(c.argv[1]);
}

// CONFIG SET tracking-table-max-keys N (size_t config, 0..LONG_MAX).
Value TrackingReference::ConfigSet(Ctx& c) {
  // Memory accounting: the invalidation harness's `config maxmemory N
  // POLICY` op (its values are always valid), as the command model's CONFIG
  // SET does it: both set, then the evictions of updateMaxmemory.
  if (c.argc() == 6 && EqualsIgnoreCase(c.argv[2], "maxmemory") &&
      EqualsIgnoreCase(c.argv[4], "maxmemory-policy")) {
    static const char* const kPolicies[] = {"volatile-lru",   "volatile-lfu", "volatile-random",
                                            "volatile-ttl",   "allkeys-lru",  "allkeys-lfu",
                                            "allkeys-random", "noeviction"};
    int64_t n = 0;
    int policy = -1;
    for (int i = 0; i < 8; i++) {
      if (c.argv[5] == kPolicies[i]) policy = i;
    }
    if (!refmodel::String2ll(c.argv[3], &n) || n < 0 || policy < 0) {
      return Unmodelled(c, "CONFIG SET maxmemory with a value the harness never sends");
    }
    c.st.config.maxmemory = n;
    c.st.config.maxmemory_policy = policy;
    refmodel::PerformEvictions(c.st);
    return c.Ok();
  }
  if (c.argc() != 4 || !EqualsIgnoreCase(c.argv[2], "tracking-table-max-keys")) {
    return Unmodelled(c, "CONFIG SET of anything but tracking-table-max-keys");
  }
  int64_t n = 0;
  std::string prefix =
      "CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - ";
  if (!refmodel::String2ll(c.argv[3], &n)) {
    return c.Err(prefix + "argument couldn't be parsed into an integer");
  }
  if (n < 0) {
    return c.Err(prefix + "argument must be between 0 and 9223372036854775807 inclusive");
  }
  max_keys_ = n;
  return c.Ok();
}

Value TrackingReference::ConfigGet(Ctx& c) {
  if (c.argc() != 3 || !EqualsIgnoreCase(c.argv[2], "tracking-table-max-keys")) {
    return Unmodelled(c, "CONFIG GET of anything but tracking-table-max-keys");
  }
  return c.Map({c.Bulk("tracking-table-max-keys"), c.Bulk(std::to_string(max_keys_))});
}

// Rule (blocking): handleClientsBlockedOnKeys, the timeout table and CLIENT
// UNBLOCK. The session runs as the current client (server.current_client is
// the served one, executing): the events its serving logged are its own
// modifications, so its own invalidations wait until after its reply; every
// other client is told at once, the client whose command made the key ready
// after that command's reply and own invalidations (deferred_). CLIENT
// UNBLOCK (`by_command`) unblocks inside its caller's call(): the caller's
// own invalidations stay queued for its afterCommand (after EXEC's whole
// reply when it runs in a transaction).
void TrackingReference::Unblocked(int session, const Value& reply, bool by_command) {
  const int outer = current_;
  const bool outer_in_call = in_call_, outer_exec = exec_;
  const int outer_defer = defer_slot_;
  if (outer >= 0 && outer != session && !by_command) {
    // call()'s afterCommand sent that client's own invalidations before
    // handleClientsBlockedOnKeys: now, in order, wherever they go (its
    // redirect connection at once; its own connection after its reply).
    defer_slot_ = outer;
    std::vector<std::optional<std::string>> own = std::move(pending_);
    pending_.clear();
    for (const std::optional<std::string>& key : own) {
      SendTrackingMessage(outer, key ? OneKeyPayload(*key) : NullPayload(resp(outer)));
    }
  }
  std::vector<std::optional<std::string>> outer_pending = std::move(pending_);
  pending_.clear();
  current_ = session;
  in_call_ = true;
  exec_ = false;
  ProcessEvents();
  in_call_ = false;
  Client& c = clients_[session];
  if (c.reply_off) unmodelled_ = true;  // CLIENT REPLY and blocking: not modelled
  c.out.push_back(
      {FrameKind::kReply, resp::Write(reply, resp::Protocol::kResp3, resp::DoubleStyle::kRedis70)});
  std::vector<std::optional<std::string>> own = std::move(pending_);
  pending_.clear();
  for (const std::optional<std::string>& key : own) {
    SendTrackingMessage(session, key ? OneKeyPayload(*key) : NullPayload(resp(session)));
  }
  pending_ = std::move(outer_pending);
  defer_slot_ = outer_defer;
  current_ = outer;
  in_call_ = outer_in_call;
  exec_ = outer_exec;
}

}  // namespace respfuzz::models
