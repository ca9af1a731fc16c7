// The ACL log: Redis 7.0.15's addACLLogEntry and ACL LOG [count | RESET]
// (acl.c). An entry is written for every refusal processCommand's ACL
// check makes (context "toplevel", or "multi" while the client queues),
// every one EXEC's re-check makes ("multi"), every one a script's
// redis.call/pcall meets ("lua"; the caller's client and user), and every
// failed AUTH or HELLO AUTH (reason "auth", the object argv[0] as the
// client sent it, the user it named; "multi" inside EXEC). NOAUTH is not
// logged.
//
// A new entry that matches one of the 10 newest (same reason, context,
// object and user, and last updated within 60 s of it on the engine's
// clock) is folded into it: the count grows, the time and the client's
// CLIENT INFO line are the new ones, and the entry moves to the front.
// Otherwise it goes in front and the log is cut to acllog-max-len (a
// smaller acllog-max-len applies at the next new entry, as in Redis).
#include <string>

#include "absl/strings/numbers.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

constexpr int64_t kGroupingMs = 60000;  // ACL_LOG_GROUPING_MAX_TIME_DELTA
constexpr int kScanned = 10;            // addACLLogEntry's toscan

bool SameEvent(const Engine::AclLogEntry& a, const Engine::AclLogEntry& b) {
  if (a.reason != b.reason || a.context != b.context) return false;
  const int64_t delta = a.ctime_ms > b.ctime_ms ? a.ctime_ms - b.ctime_ms : b.ctime_ms - a.ctime_ms;
  return delta <= kGroupingMs && a.object == b.object && a.username == b.username;
}

std::string_view ReasonName(AclResult r) {
  switch (r) {
    case AclResult::kDeniedCmd:
      return "command";
    case AclResult::kDeniedKey:
      return "key";
    case AclResult::kDeniedChannel:
      return "channel";
    case AclResult::kDeniedAuth:
      return "auth";
    default:
      return "unknown";
  }
}

}  // namespace

std::string ClientInfoLine(const Engine& e, const Session& s);  // cmd_client_info.cc

void Engine::AclLogAdd(AclLogEntry le) {
  int scanned = 0;
  for (auto it = acl_log_.begin(); it != acl_log_.end() && scanned < kScanned; ++it, ++scanned) {
    if (SameEvent(*it, le)) {
      AclLogEntry match = std::move(*it);
      acl_log_.erase(it);
      match.count++;
      match.ctime_ms = le.ctime_ms;
      match.cinfo = std::move(le.cinfo);
      acl_log_.push_front(std::move(match));
      return;
    }
  }
  acl_log_.push_front(std::move(le));
  while (acl_log_.size() > static_cast<uint64_t>(acllog_max_len_)) acl_log_.pop_back();
}

void Engine::AclLogDenial(const Session& s, AclResult r, std::string_view context,
                          std::span<const std::string> argv, size_t idx,
                          const std::string& fullname) {
  AclLogAdd({.reason = r,
             .context = context,
             .object = r == AclResult::kDeniedCmd ? fullname : (idx < argv.size() ? argv[idx] : ""),
             .username = s.user,
             .ctime_ms = keyspace().now_ms(),
             .cinfo = ClientInfoLine(*this, s)});
}

void Engine::AclLogAuth(const Session& s, std::string_view argv0, const std::string& username) {
  // The user is the one AUTH named, not the session's (whose CLIENT INFO
  // still names its own). The context is the client's CLIENT_MULTI, which
  // EXEC keeps while its queued commands run.
  AclLogAdd({.reason = AclResult::kDeniedAuth,
             .context = s.in_multi || s.exec_count >= 0 ? "multi" : "toplevel",
             .object = std::string(argv0),
             .username = username,
             .ctime_ms = keyspace().now_ms(),
             .cinfo = ClientInfoLine(*this, s)});
}

// ACL LOG [count | RESET]: the newest `count` entries (10 by default; a
// negative count is 0), each a map of seven fields.
void AclLogCommand(CommandContext& c) {
  Engine& e = c.engine;
  if (c.argc() == 3 && IEquals(c.arg(2), "reset")) {
    e.AclLogReset();
    c.reply.Ok();
    return;
  }
  int64_t count = 10;
  if (c.argc() == 3) {
    if (!c.IntArg(2, &count)) return;
    if (count < 0) count = 0;
  }
  const auto& log = e.acl_log();
  if (static_cast<uint64_t>(count) > log.size()) count = static_cast<int64_t>(log.size());
  c.reply.ArrayHeader(count);
  const int64_t now = e.keyspace().now_ms();
  for (int64_t i = 0; i < count; ++i) {
    const Engine::AclLogEntry& le = log[static_cast<size_t>(i)];
    c.reply.MapHeader(7);
    c.reply.Bulk("count");
    c.reply.Integer(static_cast<int64_t>(le.count));
    c.reply.Bulk("reason");
    c.reply.Bulk(ReasonName(le.reason));
    c.reply.Bulk("context");
    c.reply.Bulk(le.context);
    c.reply.Bulk("object");
    c.reply.Bulk(le.object);
    c.reply.Bulk("username");
    c.reply.Bulk(le.username);
    c.reply.Bulk("age-seconds");
    c.reply.Double(static_cast<double>(now - le.ctime_ms) / 1000);
    c.reply.Bulk("client-info");
    c.reply.Bulk(le.cinfo);
  }
}

}  // namespace respfuzz::engine
