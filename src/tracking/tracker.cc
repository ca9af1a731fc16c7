#include "src/tracking/tracker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace respfuzz::tracking {

namespace {

constexpr std::string_view kChannel = "__redis__:invalidate";

// The server's stringCheckPrefix: one is a prefix of the other.
bool Overlap(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

// "%s" formatting stops at a NUL.
std::string_view CText(std::string_view s) {
  const size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

void AppendBulk(std::string* out, std::string_view s) {
  absl::StrAppend(out, "$", s.size(), "\r\n");
  out->append(s);
  out->append("\r\n");
}

}  // namespace

const ClientTracking* Tracker::Find(int64_t id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : &it->second;
}

bool Tracker::IsOn(int64_t id) const {
  const ClientTracking* t = Find(id);
  return t != nullptr && (t->flags & kOn) != 0;
}

TrackingOutcome Tracker::Command(int64_t id, const TrackingRequest& req) {
  TrackingOutcome out;
  if (!req.on) {
    Disable(id);
    out.ok = true;
    return out;
  }
  auto fail = [&](std::string msg) {
    out.errors.push_back(std::move(msg));
    return out;
  };
  const ClientTracking* cur = Find(id);
  const uint32_t flags = cur == nullptr ? 0 : cur->flags;
  if (!req.bcast && !req.prefixes.empty()) {
    return fail("ERR PREFIX option requires BCAST mode to be enabled");
  }
  if ((flags & kOn) != 0 && ((flags & kBcast) != 0) != req.bcast) {
    return fail(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  }
  if (req.bcast && (req.optin || req.optout)) {
    return fail("ERR OPTIN and OPTOUT are not compatible with BCAST");
  }
  if (req.optin && req.optout) {
    return fail("ERR You can't specify both OPTIN mode and OPTOUT mode");
  }
  if ((req.optin && (flags & kOptout) != 0) || (req.optout && (flags & kOptin) != 0)) {
    return fail(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  }
  if (req.bcast) {
    // checkPrefixCollisionsOrReply: a collision with a prefix the client
    // already has fails; one among the new prefixes fails only at the first
    // prefix (the server returns the prefix's index as its verdict, so at
    // any later index the error is sent and tracking goes on).
    const size_t n = req.prefixes.size();
    for (size_t i = 0; i < n; ++i) {
      if (cur != nullptr && !bugs_.duplicate_prefixes) {
        for (const std::string& have : cur->prefixes) {
          if (Overlap(have, req.prefixes[i])) {
            return fail("ERR Prefix '" + std::string(CText(req.prefixes[i])) +
                        "' overlaps with an existing prefix '" + std::string(CText(have)) +
                        "'. Prefixes for a single client must not overlap.");
          }
        }
      }
      bool stop = false;
      for (size_t j = i + 1; j < n; ++j) {
        if (bugs_.duplicate_prefixes) continue;
        if (Overlap(req.prefixes[i], req.prefixes[j])) {
          out.errors.push_back("ERR Prefix '" + std::string(CText(req.prefixes[i])) +
                               "' overlaps with another provided prefix '" +
                               std::string(CText(req.prefixes[j])) +
                               "'. Prefixes for a single client must not overlap.");
          if (i == 0) return out;
          stop = true;
          break;
        }
      }
      if (stop) break;
    }
  }
  // enableTracking.
  ClientTracking& t = clients_[id];
  if ((t.flags & kOn) == 0) ++tracking_clients_;
  t.flags |= kOn;
  t.flags &= ~(kBrokenRedir | kBcast | kOptin | kOptout | kNoloop);
  t.redirect = req.redirect;
  if (req.bcast) {
    t.flags |= kBcast;
    if (req.prefixes.empty()) EnablePrefix(id, t, "");
    for (const std::string& p : req.prefixes) EnablePrefix(id, t, p);
  }
  if (req.optin) t.flags |= kOptin;
  if (req.optout) t.flags |= kOptout;
  if (req.noloop) t.flags |= kNoloop;
  out.ok = true;
  return out;
}

void Tracker::EnablePrefix(int64_t id, ClientTracking& t, const std::string& prefix) {
  Bcast& b = prefixes_[prefix];
  if (b.clients.insert(id).second) t.prefixes.insert(prefix);
}

void Tracker::Disable(int64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  ClientTracking& t = it->second;
  if ((t.flags & kBcast) != 0) {
    for (const std::string& p : t.prefixes) {
      auto b = prefixes_.find(p);
      if (b == prefixes_.end()) continue;
      b->second.clients.erase(id);
      if (b->second.clients.empty()) prefixes_.erase(b);
    }
    t.prefixes.clear();
  }
  if ((t.flags & kOn) != 0) {
    --tracking_clients_;
    t.flags &= ~(kOn | kBrokenRedir | kBcast | kOptin | kOptout | kCaching | kNoloop);
  }
  // The redirect id stays (GETREDIR reports -1 while off anyway).
  if (t.flags == 0 && t.prefixes.empty()) clients_.erase(it);
}

std::string Tracker::Caching(int64_t id, bool yes) {
  auto it = clients_.find(id);
  if (it == clients_.end() || (it->second.flags & kOn) == 0) {
    return "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN "
           "or OPTOUT mode enabled";
  }
  ClientTracking& t = it->second;
  if (!yes && bugs_.caching_no_outside_optout) {
    t.flags |= kCaching;
    return "";
  }
  if (yes) {
    if ((t.flags & kOptin) == 0) {
      return "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
    }
  } else if ((t.flags & kOptout) == 0) {
    return "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";
  }
  t.flags |= kCaching;
  return "";
}

void Tracker::ClearCaching(int64_t id) {
  if (bugs_.caching_not_cleared) return;
  auto it = clients_.find(id);
  if (it != clients_.end()) it->second.flags &= ~kCaching;
}

void Tracker::ClientClosed(int64_t id) {
  Disable(id);
  clients_.erase(id);
}

void Tracker::RememberKeys(int64_t id, const std::vector<std::string_view>& keys) {
  const ClientTracking* t = Find(id);
  if (t == nullptr || (t->flags & kOn) == 0 || (t->flags & kBcast) != 0) return;
  const bool caching = (t->flags & kCaching) != 0;
  if (((t->flags & kOptin) != 0 && !caching) || ((t->flags & kOptout) != 0 && caching)) return;
  for (std::string_view key : keys) {
    auto it = table_.find(key);
    if (it == table_.end()) it = table_.emplace(std::string(key), std::set<int64_t>{}).first;
    if (it->second.insert(id).second) ++table_items_;
  }
}

void Tracker::InvalidateKey(int64_t modifier, std::string_view key, bool bcast) {
  if (bcast && !prefixes_.empty()) {
    // trackingRememberKeyToBroadcast: every prefix the key starts with.
    for (auto& [prefix, b] : prefixes_) {
      if (prefix.size() > key.size()) continue;
      if (!prefix.empty() && key.compare(0, prefix.size(), prefix) != 0) continue;
      b.keys.insert_or_assign(std::string(key), modifier);
    }
  }
  auto it = table_.find(key);
  if (it == table_.end()) return;
  for (int64_t id : it->second) {
    const ClientTracking* t = Find(id);
    if (!peers_->Exists(id) || t == nullptr || (t->flags & kOn) == 0 || (t->flags & kBcast) != 0) {
      continue;
    }
    if ((t->flags & kNoloop) != 0 && id == current_) {
      // A write of its own, or an expiry or eviction during its command.
      if (modifier == 0 && record_noloop_unsent_) noloop_unsent_.emplace_back(id, key);
      continue;
    }
    if (id == current_ && executing_ && !bugs_.own_invalidation_before_reply) {
      pending_.emplace_back(std::string(key));
    } else {
      Send(id, key, /*proto=*/false);
    }
  }
  table_items_ -= it->second.size();
  table_.erase(it);
}

void Tracker::InvalidateOnFlush() {
  if (tracking_clients_ > 0) {
    // Every client with tracking on, in id order (the server walks its
    // client list in connection order, which is id order).
    std::vector<int64_t> ids;
    for (const auto& [id, t] : clients_) {
      if ((t.flags & kOn) != 0) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    for (int64_t id : ids) {
      if (id == current_ && !bugs_.own_invalidation_before_reply) {
        pending_.emplace_back(std::nullopt);
      } else {
        Send(id, peers_->ProtocolOf(id) == resp::Protocol::kResp3 ? "_\r\n" : "$-1\r\n", true);
      }
    }
  }
  table_.clear();
  table_items_ = 0;
}

void Tracker::AfterCommand() {
  if (pending_.empty()) return;
  std::vector<std::optional<std::string>> pending = std::move(pending_);
  pending_.clear();
  if (current_ == 0 || !peers_->Exists(current_)) return;
  for (const auto& key : pending) {
    if (key) {
      Send(current_, *key, false);
    } else {
      Send(current_, peers_->ProtocolOf(current_) == resp::Protocol::kResp3 ? "_\r\n" : "$-1\r\n",
           true);
    }
  }
}

void Tracker::EndTurn() {
  if (tracking_clients_ == 0) return;
  for (auto& entry : prefixes_) {
    // Not a structured binding: clang before 16 (AFL++'s afl-clang-fast on
    // Debian uses clang 14) cannot capture one in the lambda below.
    auto& b = entry.second;
    if (b.keys.empty()) continue;
    auto build = [&](int64_t skip) {
      std::string proto;
      size_t count = 0;
      for (const auto& [key, who] : b.keys) {
        if (skip != 0 && who == skip) continue;
        AppendBulk(&proto, key);
        ++count;
      }
      return count == 0 ? std::string() : absl::StrCat("*", count, "\r\n", proto);
    };
    const std::string common = build(0);
    for (int64_t id : b.clients) {
      const ClientTracking* t = Find(id);
      if (t != nullptr && (t->flags & kNoloop) != 0) {
        const std::string adhoc = build(id);
        if (!adhoc.empty()) Send(id, adhoc, true);
      } else {
        Send(id, common, true);
      }
    }
    b.keys.clear();
  }
}

void Tracker::LimitUsedSlots() {
  if (table_max_keys_ == 0) return;
  const size_t max_keys = static_cast<size_t>(table_max_keys_);
  if (table_.size() <= max_keys) {
    evict_rounds_ = 0;
    return;
  }
  int effort = kEvictEffortStep * (evict_rounds_ + 1);
  while (effort-- > 0 && !table_.empty()) {
    const std::string key = table_.begin()->first;
    InvalidateKey(0, key, /*bcast=*/false);
    ++evicted_keys_;
    if (table_.size() <= max_keys) {
      evict_rounds_ = 0;
      return;
    }
  }
  ++evict_rounds_;
}

std::vector<int64_t> Tracker::TableIds(std::string_view key) const {
  auto it = table_.find(key);
  if (it == table_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void Tracker::Send(int64_t id, std::string_view payload, bool proto) {
  int64_t target = id;
  bool redirected = false;
  auto self = clients_.find(id);
  if (self != clients_.end() && self->second.redirect != 0) {
    ClientTracking& t = self->second;
    if (!peers_->Exists(t.redirect)) {
      t.flags |= kBrokenRedir;
      if (peers_->ProtocolOf(id) == resp::Protocol::kResp3) {
        std::string msg = ">2\r\n$21\r\ntracking-redir-broken\r\n";
        absl::StrAppend(&msg, ":", t.redirect, "\r\n");
        peers_->Deliver(id, msg);
      }
      return;
    }
    target = t.redirect;
    redirected = true;
  }
  std::string msg;
  if (peers_->ProtocolOf(target) == resp::Protocol::kResp3) {
    msg = ">2\r\n$10\r\ninvalidate\r\n";
  } else if (redirected && peers_->InPubSub(target)) {
    msg = "*3\r\n$7\r\nmessage\r\n";
    AppendBulk(&msg, kChannel);
  } else {
    return;  // RESP2 without a subscribed redirect: nothing can be sent
  }
  if (proto) {
    msg.append(payload);
  } else {
    msg.append("*1\r\n");
    AppendBulk(&msg, payload);
  }
  peers_->Deliver(target, msg);
}

absl::Status Tracker::Validate(int64_t next_id) const {
  size_t items = 0;
  for (const auto& [key, ids] : table_) {
    if (ids.empty()) return absl::InternalError("tracking table: key '" + key + "' has no ids");
    for (int64_t id : ids) {
      if (id < 1 || id >= next_id) {
        return absl::InternalError(
            absl::StrCat("tracking table: key '", key, "' holds id ", id, " never issued"));
      }
    }
    items += ids.size();
  }
  if (items != table_items_) {
    return absl::InternalError(
        absl::StrCat("tracking table: ", table_items_, " items counted, ", items, " held"));
  }
  size_t on = 0;
  for (const auto& [id, t] : clients_) {
    // Built only for a failure: harnesses validate after every op.
    const auto who = [cid = id] { return absl::StrCat("tracking client ", cid, ": "); };
    if (!peers_->Exists(id)) return absl::InternalError(who() + "state for a closed client");
    if ((t.flags & kOn) == 0) {
      if (t.flags != 0 || !t.prefixes.empty()) {
        return absl::InternalError(who() + "off but holds flags or prefixes");
      }
      continue;
    }
    ++on;
    const bool bcast = (t.flags & kBcast) != 0;
    if (bcast && t.prefixes.empty()) return absl::InternalError(who() + "BCAST without a prefix");
    if (!bcast && !t.prefixes.empty()) return absl::InternalError(who() + "prefixes without BCAST");
    if (bcast && (t.flags & (kOptin | kOptout)) != 0) {
      return absl::InternalError(who() + "BCAST with OPTIN/OPTOUT");
    }
    if ((t.flags & kOptin) != 0 && (t.flags & kOptout) != 0) {
      return absl::InternalError(who() + "OPTIN and OPTOUT");
    }
    // CACHING without OPTIN/OPTOUT is a state 7.0.15 reaches: CLIENT
    // TRACKING on (re-enabling without OPTOUT) keeps the flag CLIENT CACHING
    // no set, and only a command other than CLIENT clears it (checked:
    // TRACKINGINFO shows caching-no again after TRACKING on OPTOUT).
    if (t.redirect < 0 || t.redirect >= next_id) {
      return absl::InternalError(absl::StrCat(who(), "redirect id ", t.redirect, " never issued"));
    }
    if ((t.flags & kBrokenRedir) != 0 && (t.redirect == 0 || peers_->Exists(t.redirect))) {
      return absl::InternalError(who() + "broken redirect flag with a live or no redirect");
    }
    for (const std::string& p : t.prefixes) {
      auto b = prefixes_.find(p);
      if (b == prefixes_.end() || b->second.clients.count(id) == 0) {
        return absl::InternalError(who() + "prefix '" + p + "' not in the prefix table");
      }
    }
  }
  if (on != tracking_clients_) {
    return absl::InternalError(absl::StrCat("tracking clients counted ", tracking_clients_, ", ",
                                            on, " have tracking on"));
  }
  for (const auto& [prefix, b] : prefixes_) {
    if (b.clients.empty()) {
      return absl::InternalError("prefix '" + prefix + "' has no client");
    }
    for (int64_t id : b.clients) {
      const ClientTracking* t = Find(id);
      if (t == nullptr || (t->flags & kBcast) == 0 || t->prefixes.count(prefix) == 0) {
        return absl::InternalError(
            absl::StrCat("prefix '", prefix, "' lists client ", id, " not BCAST on it"));
      }
    }
    for (const auto& [key, who] : b.keys) {
      if (key.compare(0, prefix.size(), prefix) != 0) {
        return absl::InternalError("prefix '" + prefix + "' collected key '" + key + "'");
      }
    }
  }
  if (!pending_.empty() && !executing_) {
    return absl::InternalError("own invalidations pending outside a command");
  }
  return absl::OkStatus();
}

}  // namespace respfuzz::tracking
