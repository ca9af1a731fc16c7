// Pub/sub (Redis 7.0.15's pubsub.c): SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE
// PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE PUBLISH SPUBLISH and PUBSUB (CHANNELS
// NUMSUB NUMPAT SHARDCHANNELS SHARDNUMSUB HELP), and the engine's
// subscriber lists they share.
//
// Order where Redis has none: a session's "unsubscribe from all" walks its
// subscriptions in subscription order (Redis: its dict's hash order), and
// PUBLISH visits matching patterns in the order they were first subscribed
// (Redis: the pattern dict's hash order). PUBSUB CHANNELS lists in no
// defined order, as Redis does.
#include <algorithm>
#include <array>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/glob.h"
#include "src/resp/writer.h"

namespace respfuzz::engine {

namespace {

std::vector<std::string>& ListOf(Session& s, PubSubKind kind) {
  switch (kind) {
    case PubSubKind::kChannel:
      return s.channels;
    case PubSubKind::kPattern:
      return s.patterns;
    case PubSubKind::kShard:
      break;
  }
  return s.shard_channels;
}

void EraseOne(std::vector<int>* list, int session) {
  auto it = std::find(list->begin(), list->end(), session);
  if (it != list->end()) list->erase(it);
}

}  // namespace

bool Engine::PubSubAdd(int session, PubSubKind kind, const std::string& name) {
  std::vector<std::string>& mine = ListOf(*sessions_[session], kind);
  if (std::find(mine.begin(), mine.end(), name) != mine.end()) return false;
  mine.push_back(name);
  if (kind == PubSubKind::kPattern) {
    auto it = std::find_if(pattern_subs_.begin(), pattern_subs_.end(),
                           [&](const auto& p) { return p.first == name; });
    if (it == pattern_subs_.end()) {
      pattern_subs_.emplace_back(name, std::vector<int>{});
      it = pattern_subs_.end() - 1;
    }
    it->second.push_back(session);
  } else {
    (kind == PubSubKind::kChannel ? channel_subs_ : shard_subs_)[name].push_back(session);
  }
  return true;
}

bool Engine::PubSubRemove(int session, PubSubKind kind, const std::string& name) {
  std::vector<std::string>& mine = ListOf(*sessions_[session], kind);
  auto own = std::find(mine.begin(), mine.end(), name);
  if (own == mine.end()) return false;
  mine.erase(own);
  if (kind == PubSubKind::kPattern) {
    auto it = std::find_if(pattern_subs_.begin(), pattern_subs_.end(),
                           [&](const auto& p) { return p.first == name; });
    if (it != pattern_subs_.end()) {  // always (ValidatePubSub)
      EraseOne(&it->second, session);
      if (it->second.empty()) pattern_subs_.erase(it);
    }
  } else {
    auto& subs = kind == PubSubKind::kChannel ? channel_subs_ : shard_subs_;
    auto it = subs.find(name);
    if (it != subs.end()) {
      EraseOne(&it->second, session);
      if (it->second.empty()) subs.erase(it);
    }
  }
  return true;
}

void Engine::PubSubRemoveAll(int session) {
  Session& s = *sessions_[session];
  for (PubSubKind kind : {PubSubKind::kChannel, PubSubKind::kPattern, PubSubKind::kShard}) {
    const std::vector<std::string> names = ListOf(s, kind);
    for (const std::string& name : names) PubSubRemove(session, kind, name);
  }
}

int64_t Engine::Publish(std::string_view channel, std::string_view message, bool shard) {
  int64_t receivers = 0;
  std::string bytes;
  auto send = [&](int session, std::string_view kind, const std::string* pattern) {
    const bool resp3 = sessions_[session]->protocol == resp::Protocol::kResp3;
    bytes.clear();
    resp::WriteAggregateHeader(resp3 ? '>' : '*', pattern != nullptr ? 4 : 3, &bytes);
    resp::WriteBulk(kind, &bytes);
    if (pattern != nullptr) resp::WriteBulk(*pattern, &bytes);
    resp::WriteBulk(channel, &bytes);
    resp::WriteBulk(message, &bytes);
    Push(session, bytes);
    ++receivers;
  };
  const auto& subs = shard ? shard_subs_ : channel_subs_;
  if (auto it = subs.find(channel); it != subs.end()) {
    const std::vector<int> list = it->second;  // a copy: Push never changes it, but be safe
    for (int s : list) send(s, shard ? "smessage" : "message", nullptr);
  }
  if (shard) return receivers;  // shard channels ignore patterns
  for (const auto& [pattern, list] : pattern_subs_) {
    if (!GlobPattern(pattern).Matches(channel)) continue;
    for (int s : list) send(s, "pmessage", &pattern);
  }
  return receivers;
}

std::vector<std::string_view> Engine::ActiveChannels(bool shard) const {
  std::vector<std::string_view> out;
  for (const auto& [name, list] : shard ? shard_subs_ : channel_subs_) out.push_back(name);
  return out;
}

size_t Engine::SubscriberCount(std::string_view channel, bool shard) const {
  const auto& subs = shard ? shard_subs_ : channel_subs_;
  auto it = subs.find(channel);
  return it == subs.end() ? 0 : it->second.size();
}

absl::Status Engine::ValidatePubSub() const {
  // Every subscription of an open session is in the server's list of its
  // channel exactly once, and those lists hold nothing else.
  size_t listed = 0;
  for (const auto* subs : {&channel_subs_, &shard_subs_}) {
    for (const auto& [name, list] : *subs) {
      if (list.empty()) return absl::InternalError("empty subscriber list of '" + name + "'");
      listed += list.size();
    }
  }
  for (size_t a = 0; a < pattern_subs_.size(); ++a) {
    if (pattern_subs_[a].second.empty()) {
      return absl::InternalError("empty subscriber list of pattern '" + pattern_subs_[a].first +
                                 "'");
    }
    listed += pattern_subs_[a].second.size();
    for (size_t b = 0; b < a; ++b) {
      if (pattern_subs_[b].first == pattern_subs_[a].first) {
        return absl::InternalError("pattern '" + pattern_subs_[a].first + "' listed twice");
      }
    }
  }
  size_t held = 0;
  for (size_t i = 0; i < sessions_.size(); ++i) {
    const Session& s = *sessions_[i];
    const int self = static_cast<int>(i);
    for (PubSubKind kind : {PubSubKind::kChannel, PubSubKind::kPattern, PubSubKind::kShard}) {
      const std::vector<std::string>& mine = ListOf(const_cast<Session&>(s), kind);
      held += mine.size();
      for (size_t a = 0; a < mine.size(); ++a) {
        const std::vector<int>* list = nullptr;
        if (kind == PubSubKind::kPattern) {
          for (const auto& [p, l] : pattern_subs_) {
            if (p == mine[a]) list = &l;
          }
        } else {
          const auto& subs = kind == PubSubKind::kChannel ? channel_subs_ : shard_subs_;
          auto it = subs.find(mine[a]);
          if (it != subs.end()) list = &it->second;
        }
        if (list == nullptr || std::count(list->begin(), list->end(), self) != 1) {
          return absl::InternalError(absl::StrCat("session ", i, ": subscription '", mine[a],
                                                  "' not listed once among its subscribers"));
        }
      }
    }
  }
  if (held != listed) {
    return absl::InternalError(
        absl::StrCat("sessions hold ", held, " subscriptions, the lists ", listed, " subscribers"));
  }
  return absl::OkStatus();
}

namespace {

// A subscription confirmation (a push in RESP3): kind, name (null for an
// "unsubscribe from all" with nothing to drop) and the count Redis gives
// for that kind: channels + patterns, or shard channels.
//
// Redis writes them as pushes (CLIENT_PUSHING): they go to the session's
// output even under CLIENT REPLY OFF / SKIP, where c.reply's buffer drops
// what it is given.
void Confirm(CommandContext& c, std::string_view kind, const std::string* name, bool shard) {
  ReplyWriter w(c.session.protocol, &c.session.output);
  if (w.resp3()) {
    w.buffer()->append(">3\r\n");
  } else {
    w.ArrayHeader(3);
  }
  w.Bulk(kind);
  if (name != nullptr) {
    w.Bulk(*name);
  } else {
    w.Null();
  }
  const Session& s = c.session;
  w.Integer(static_cast<int64_t>(shard ? s.shard_channels.size()
                                       : s.channels.size() + s.patterns.size()));
}

int Self(CommandContext& c) { return c.engine.SessionById(c.session.id); }

void SubscribeTo(CommandContext& c, PubSubKind kind, std::string_view confirm) {
  for (size_t j = 1; j < c.argc(); ++j) {
    c.engine.PubSubAdd(Self(c), kind, c.arg(j));
    Confirm(c, confirm, &c.arg(j), kind == PubSubKind::kShard);
  }
}

void UnsubscribeFrom(CommandContext& c, PubSubKind kind, std::string_view confirm) {
  const bool shard = kind == PubSubKind::kShard;
  if (c.argc() == 1) {
    const std::vector<std::string> all = kind == PubSubKind::kChannel ? c.session.channels
                                         : shard                      ? c.session.shard_channels
                                                                      : c.session.patterns;
    for (const std::string& name : all) {
      c.engine.PubSubRemove(Self(c), kind, name);
      Confirm(c, confirm, &name, shard);
    }
    if (all.empty()) Confirm(c, confirm, nullptr, shard);
    return;
  }
  for (size_t j = 1; j < c.argc(); ++j) {
    c.engine.PubSubRemove(Self(c), kind, c.arg(j));
    Confirm(c, confirm, &c.arg(j), shard);
  }
}

void CmdSubscribe(CommandContext& c) { SubscribeTo(c, PubSubKind::kChannel, "subscribe"); }
void CmdPsubscribe(CommandContext& c) { SubscribeTo(c, PubSubKind::kPattern, "psubscribe"); }

// SSUBSCRIBE inside EXEC is refused (CLIENT_DENY_BLOCKING without the
// MULTI exception SUBSCRIBE and PSUBSCRIBE have).
void CmdSsubscribe(CommandContext& c) {
  if (c.engine.in_exec()) {
    c.reply.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  SubscribeTo(c, PubSubKind::kShard, "ssubscribe");
}

void CmdUnsubscribe(CommandContext& c) { UnsubscribeFrom(c, PubSubKind::kChannel, "unsubscribe"); }
void CmdPunsubscribe(CommandContext& c) {
  UnsubscribeFrom(c, PubSubKind::kPattern, "punsubscribe");
}
void CmdSunsubscribe(CommandContext& c) { UnsubscribeFrom(c, PubSubKind::kShard, "sunsubscribe"); }

// Both go to replicas (forceCommandPropagation: no cluster here).
void CmdPublish(CommandContext& c) {
  c.ForcePropagation(/*aof_too=*/false);  // PROPAGATE_REPL
  c.reply.Integer(c.engine.Publish(c.arg(1), c.arg(2), false));
}
void CmdSpublish(CommandContext& c) {
  c.ForcePropagation(/*aof_too=*/false);  // PROPAGATE_REPL
  c.reply.Integer(c.engine.Publish(c.arg(1), c.arg(2), true));
}

constexpr std::array<std::string_view, 12> kPubsubHelp = {
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
};

// PUBSUB: Dispatch has resolved the subcommand and checked its arity.
void CmdPubsub(CommandContext& c) {
  const std::string& sub = c.arg(1);
  if (IEquals(sub, "help")) {
    c.reply.ArrayHeader(static_cast<int64_t>(kPubsubHelp.size()) + 2);
    c.reply.Simple(absl::AsciiStrToUpper(std::string(CStr(c.arg(0)))) +
                   " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for (std::string_view line : kPubsubHelp) c.reply.Simple(line);
    c.reply.Simple("    Prints this help.");
  } else if (IEquals(sub, "channels") || IEquals(sub, "shardchannels")) {
    if (c.argc() > 3) {
      c.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    ErrorText(CStr(sub).substr(0, 128)) + "'. Try " +
                    absl::AsciiStrToUpper(std::string(CStr(c.arg(0)))) + " HELP.");
      return;
    }
    std::vector<std::string_view> names = c.engine.ActiveChannels(IEquals(sub, "shardchannels"));
    if (c.argc() == 3) {
      const GlobPattern pattern(c.arg(2));
      names.erase(std::remove_if(names.begin(), names.end(),
                                 [&](std::string_view n) { return !pattern.Matches(n); }),
                  names.end());
    }
    c.reply.ArrayHeader(static_cast<int64_t>(names.size()));
    for (std::string_view n : names) c.reply.Bulk(n);
  } else if (IEquals(sub, "numpat")) {
    c.reply.Integer(static_cast<int64_t>(c.engine.PatternCount()));
  } else {
    const bool shard = IEquals(sub, "shardnumsub");
    c.reply.ArrayHeader(static_cast<int64_t>(c.argc() - 2) * 2);
    for (size_t j = 2; j < c.argc(); ++j) {
      c.reply.Bulk(c.arg(j));
      c.reply.Integer(static_cast<int64_t>(c.engine.SubscriberCount(c.arg(j), shard)));
    }
  }
}

// Arity, flags and key positions as COMMAND INFO of redis-server 7.0.15
// (a shard channel is a key position, flagged not-key there).
constexpr std::array<CommandSpec, 9> kCommands = {{
    {"subscribe", -2, kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, CmdSubscribe},
    {"unsubscribe", -1, kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, CmdUnsubscribe},
    {"psubscribe", -2, kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, CmdPsubscribe},
    {"punsubscribe", -1, kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, CmdPunsubscribe},
    {"ssubscribe", -2, kCmdNoScript | kCmdLoading | kCmdStale, 1, -1, 1, CmdSsubscribe},
    {"sunsubscribe", -1, kCmdNoScript | kCmdLoading | kCmdStale, 1, -1, 1, CmdSunsubscribe},
    {"publish", 3, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdPublish},
    {"spublish", 3, kCmdLoading | kCmdStale | kCmdFast, 1, 1, 1, CmdSpublish},
    {"pubsub", -2, 0, 0, 0, 0, CmdPubsub},
}};

}  // namespace

std::span<const CommandSpec> PubSubCommands() { return kCommands; }

}  // namespace respfuzz::engine
