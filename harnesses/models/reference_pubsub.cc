// Pub/sub of the reference model (pubsub.c): the subscription lists,
// SUBSCRIBE / UNSUBSCRIBE / PSUBSCRIBE / PUNSUBSCRIBE / SSUBSCRIBE /
// SUNSUBSCRIBE (their confirmations are frames delivered to the session
// itself), PUBLISH, SPUBLISH and PUBSUB CHANNELS / NUMSUB / NUMPAT /
// SHARDCHANNELS / SHARDNUMSUB / HELP. The tracking model
// (tracking_reference.cc) has its own subscription commands, which keep
// their subscriptions here.
//
// Where Redis walks a dict (its pattern dict when publishing), this model
// walks the patterns in the order they were first subscribed.
#include <cctype>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Type;
using resp::Value;

namespace {

std::vector<std::string>& SessionList(State& st, int session, char kind) {
  Session& s = st.sessions[session];
  if (kind == 'c') return s.channels;
  if (kind == 'p') return s.patterns;
  return s.shard_channels;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  for (const std::string& e : v) {
    if (e == x) return true;
  }
  return false;
}

void RemoveSession(std::vector<int>& v, int session) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == session) {
      v.erase(v.begin() + static_cast<long>(i));
      return;
    }
  }
}

}  // namespace

bool PubSubSubscribe(State& st, int session, char kind, const std::string& name) {
  std::vector<std::string>& mine = SessionList(st, session, kind);
  if (Contains(mine, name)) return false;
  mine.push_back(name);
  if (kind == 'p') {
    for (auto& entry : st.pubsub_patterns) {
      if (entry.first == name) {
        entry.second.push_back(session);
        return true;
      }
    }
    st.pubsub_patterns.push_back({name, {session}});
    return true;
  }
  std::map<std::string, std::vector<int>>& subs =
      kind == 'c' ? st.pubsub_channels : st.pubsub_shard;
  subs[name].push_back(session);
  return true;
}

bool PubSubUnsubscribe(State& st, int session, char kind, const std::string& name) {
  std::vector<std::string>& mine = SessionList(st, session, kind);
  bool found = false;
  for (size_t i = 0; i < mine.size(); ++i) {
    if (mine[i] == name) {
      mine.erase(mine.begin() + static_cast<long>(i));
      found = true;
      break;
    }
  }
  if (!found) return false;
  if (kind == 'p') {
    for (size_t i = 0; i < st.pubsub_patterns.size(); ++i) {
      if (st.pubsub_patterns[i].first != name) continue;
      RemoveSession(st.pubsub_patterns[i].second, session);
      if (st.pubsub_patterns[i].second.empty()) {
        st.pubsub_patterns.erase(st.pubsub_patterns.begin() + static_cast<long>(i));
      }
      break;
    }
    return true;
  }
  std::map<std::string, std::vector<int>>& subs =
      kind == 'c' ? st.pubsub_channels : st.pubsub_shard;
  auto it = subs.find(name);
  if (it != subs.end()) {
    RemoveSession(it->second, session);
    if (it->second.empty()) subs.erase(it);
  }
  return true;
}

void PubSubUnsubscribeAll(State& st, int session) {
  for (char kind : {'c', 'p', 's'}) {
    std::vector<std::string> names = SessionList(st, session, kind);
    for (const std::string& name : names) PubSubUnsubscribe(st, session, kind, name);
  }
}

int64_t PubSubPublish(State& st, const std::string& channel, const std::string& message,
                      bool shard) {
  int64_t receivers = 0;
  auto send = [&](int target, std::vector<Value> parts) {
    Type shape = st.sessions[target].resp == 3 ? Type::kPush : Type::kArray;
    DeliverFrame(st, target, Value::Aggregate(shape, std::move(parts)));
    receivers++;
  };
  std::map<std::string, std::vector<int>>& subs = shard ? st.pubsub_shard : st.pubsub_channels;
  auto it = subs.find(channel);
  if (it != subs.end()) {
    std::vector<int> targets = it->second;
    for (int target : targets) {
      send(target, {Value::Bulk(shard ? "smessage" : "message"), Value::Bulk(channel),
                    Value::Bulk(message)});
    }
  }
  if (!shard) {
    std::vector<std::pair<std::string, std::vector<int>>> patterns = st.pubsub_patterns;
    for (const auto& [pattern, targets] : patterns) {
      if (!StringMatch(pattern, channel)) continue;
      for (int target : targets) {
        send(target, {Value::Bulk("pmessage"), Value::Bulk(pattern), Value::Bulk(channel),
                      Value::Bulk(message)});
      }
    }
  }
  return receivers;
}

int64_t PubSubCount(const State& st, int session, char kind) {
  const Session& s = st.sessions[session];
  if (kind == 's') return static_cast<int64_t>(s.shard_channels.size());
  return static_cast<int64_t>(s.channels.size() + s.patterns.size());
}

namespace {

// pubsubPublishMessageInternal: the channel's subscribers, then (not for
// shard channels) every subscriber of every matching pattern.
Value Publish(Ctx& c, bool shard) {
  return c.Int(PubSubPublish(c.st, c.argv[1], c.argv[2], shard));
}

Value PublishCmd(Ctx& c) { return Publish(c, false); }
Value SpublishCmd(Ctx& c) { return Publish(c, true); }

std::string Upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  return s;
}

// channelList.
Value ChannelList(Ctx& c, const std::map<std::string, std::vector<int>>& subs) {
  if (c.argc() > 3) {
    return c.Err(SanitizeErrorText("unknown subcommand or wrong number of arguments for '" +
                                   CString(c.argv[1]).substr(0, 128) + "'. Try " +
                                   Upper(CString(c.argv[0])) + " HELP."));
  }
  std::vector<Value> out;
  for (const auto& entry : subs) {
    if (c.argc() == 2 || StringMatch(c.argv[2], entry.first)) out.push_back(c.Bulk(entry.first));
  }
  return c.Array(std::move(out));
}

Value NumSub(Ctx& c, const std::map<std::string, std::vector<int>>& subs) {
  std::vector<Value> out;
  for (size_t j = 2; j < c.argc(); ++j) {
    auto it = subs.find(c.argv[j]);
    out.push_back(c.Bulk(c.argv[j]));
    out.push_back(c.Int(it == subs.end() ? 0 : static_cast<int64_t>(it->second.size())));
  }
  return c.Array(std::move(out));
}

Value PubsubChannels(Ctx& c) { return ChannelList(c, c.st.pubsub_channels); }
Value PubsubShardChannels(Ctx& c) { return ChannelList(c, c.st.pubsub_shard); }
Value PubsubNumSub(Ctx& c) { return NumSub(c, c.st.pubsub_channels); }
Value PubsubShardNumSub(Ctx& c) { return NumSub(c, c.st.pubsub_shard); }
Value PubsubNumPat(Ctx& c) { return c.Int(static_cast<int64_t>(c.st.pubsub_patterns.size())); }

// addReplyHelp: a header naming the command, the lines, and HELP's own.
Value PubsubHelp(Ctx& c) {
  const char* lines[] = {
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: "
      "'*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  std::vector<Value> out;
  out.push_back(Value::Simple(Upper(CString(c.argv[0])) +
                              " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  for (const char* line : lines) out.push_back(Value::Simple(line));
  return c.Array(std::move(out));
}

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  return s;
}

// A confirmation frame, a push in RESP3, to the session itself.
void Confirm(Ctx& c, const std::string& cmd, const Value& name, char kind) {
  Type shape = c.resp3() ? Type::kPush : Type::kArray;
  c.st.delivered.push_back(
      {c.session,
       Value::Aggregate(shape, {c.Bulk(cmd), name, c.Int(PubSubCount(c.st, c.session, kind))})});
}

// subscribeCommand, psubscribeCommand, ssubscribeCommand: one confirmation
// per name (a name already subscribed is confirmed again), with the count
// of its space. SSUBSCRIBE is refused in EXEC (CLIENT_DENY_BLOCKING).
Value SubscribeCmd(Ctx& c) {
  const std::string cmd = Lower(c.argv[0]);
  const char kind = cmd == "psubscribe" ? 'p' : cmd == "ssubscribe" ? 's' : 'c';
  if (kind == 's' && c.st.in_exec) {
    return c.Err("SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  }
  for (size_t j = 1; j < c.argc(); ++j) {
    PubSubSubscribe(c.st, c.session, kind, c.argv[j]);
    Confirm(c, cmd, c.Bulk(c.argv[j]), kind);
  }
  c.st.no_reply = true;
  return Value();
}

// unsubscribeCommand & co.: one confirmation per name named (every
// subscription of the space, in subscription order, when none is named),
// or one with a null name when there was nothing to drop.
Value UnsubscribeCmd(Ctx& c) {
  const std::string cmd = Lower(c.argv[0]);
  const char kind = cmd == "punsubscribe" ? 'p' : cmd == "sunsubscribe" ? 's' : 'c';
  std::vector<std::string> names(c.argv.begin() + 1, c.argv.end());
  if (names.empty()) {
    names = kind == 'c' ? c.s().channels : kind == 'p' ? c.s().patterns : c.s().shard_channels;
  }
  for (const std::string& name : names) {
    PubSubUnsubscribe(c.st, c.session, kind, name);
    Confirm(c, cmd, c.Bulk(name), kind);
  }
  if (names.empty()) Confirm(c, cmd, c.Null(), kind);
  c.st.no_reply = true;
  return Value();
}

}  // namespace

std::vector<CommandSpec> SubscriptionCommands() {
  return {{"subscribe", -2, SubscribeCmd},  {"unsubscribe", -1, UnsubscribeCmd},
          {"psubscribe", -2, SubscribeCmd}, {"punsubscribe", -1, UnsubscribeCmd},
          {"ssubscribe", -2, SubscribeCmd}, {"sunsubscribe", -1, UnsubscribeCmd}};
}

const CommandSpec* FindPubsubSubcommand(const std::string& sub) {
  static const CommandSpec kSubs[] = {
      {"pubsub|channels", -2, PubsubChannels},
      {"pubsub|numsub", -2, PubsubNumSub},
      {"pubsub|numpat", 2, PubsubNumPat},
      {"pubsub|shardchannels", -2, PubsubShardChannels},
      {"pubsub|shardnumsub", -2, PubsubShardNumSub},
      {"pubsub|help", 2, PubsubHelp},
  };
  for (const CommandSpec& spec : kSubs) {
    if ("pubsub|" + sub == spec.name) return &spec;
  }
  return nullptr;
}

std::vector<CommandSpec> PubSubCommands() {
  return {{"publish", 3, PublishCmd}, {"spublish", 3, SpublishCmd}};
}

}  // namespace respfuzz::models::refmodel
