// AUTH and ACL (CAT DELUSER DRYRUN GENPASS GETUSER LIST LOAD SAVE SETUSER
// USERS WHOAMI HELP) as Redis 7.0.15's acl.c answers them; the users and
// the checks are acl.h's, the checks at dispatch, at EXEC and in scripts
// the engine's (Engine::AclRejection); ACL LOG and the log itself are
// acl_log.cc's.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/engine/acl.h"
#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/command_facts.h"
#include "src/engine/engine.h"
#include "src/engine/glob.h"

namespace respfuzz::engine {

void AclLogCommand(CommandContext& c);  // acl_log.cc

namespace {

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

// addReplySubcommandSyntaxError.
void SyntaxError(CommandContext& c) {
  c.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                std::string(CStr(c.arg(1)).substr(0, 128)) + "'. Try " +
                absl::AsciiStrToUpper(std::string(CStr(c.arg(0)))) + " HELP.");
}

void CmdAuth(CommandContext& c) {
  if (c.argc() > 3) {
    c.reply.Error(kErrSyntax);
    return;
  }
  Acl& acl = c.engine.acl();
  std::string user = "default";
  if (c.argc() == 2) {
    if ((acl.default_user().flags & AclUser::kNopass) != 0) {
      c.reply.Error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
      return;
    }
  } else {
    user = c.arg(1);
  }
  if (!acl.CheckCredentials(user, c.arg(c.argc() - 1))) {
    c.engine.AclLogAuth(c.session, c.arg(0), user);  // ACLAuthenticateUser
    c.reply.Error(kWrongPass);
    return;
  }
  c.session.user = user;
  c.session.authenticated = true;
  c.reply.Ok();
}

void SelectorDescription(CommandContext& c, const Acl& acl, const AclSelector& s) {
  c.reply.Bulk("commands");
  c.reply.Bulk(acl.DescribeCommands(s));
  c.reply.Bulk("keys");
  c.reply.Bulk(Acl::DescribeKeys(s));
  c.reply.Bulk("channels");
  c.reply.Bulk(Acl::DescribeChannels(s));
}

void AclGetUser(CommandContext& c) {
  const Acl& acl = c.engine.acl();
  const AclUser* u = acl.Find(c.arg(2));
  if (u == nullptr) {
    c.reply.Null();
    return;
  }
  c.reply.MapHeader(6);
  c.reply.Bulk("flags");
  static constexpr std::pair<uint32_t, std::string_view> kFlags[] = {
      {AclUser::kEnabled, "on"},
      {AclUser::kDisabled, "off"},
      {AclUser::kNopass, "nopass"},
      {AclUser::kSkipSanitize, "skip-sanitize-payload"},
      {AclUser::kSanitize, "sanitize-payload"}};
  int n = 0;
  for (const auto& [flag, name] : kFlags) n += (u->flags & flag) != 0 ? 1 : 0;
  c.reply.SetHeader(n);
  for (const auto& [flag, name] : kFlags) {
    if ((u->flags & flag) != 0) c.reply.Bulk(name);
  }
  c.reply.Bulk("passwords");
  c.reply.ArrayHeader(static_cast<int64_t>(u->passwords.size()));
  for (const std::string& p : u->passwords) c.reply.Bulk(p);
  SelectorDescription(c, acl, u->selectors[0]);
  c.reply.Bulk("selectors");
  c.reply.ArrayHeader(static_cast<int64_t>(u->selectors.size() - 1));
  for (size_t i = 1; i < u->selectors.size(); ++i) {
    c.reply.MapHeader(3);
    SelectorDescription(c, acl, u->selectors[i]);
  }
}

void AclDelUser(CommandContext& c) {
  for (size_t j = 2; j < c.argc(); ++j) {
    if (c.arg(j) == "default") {
      c.reply.Error("ERR The 'default' user cannot be removed");
      return;
    }
  }
  int64_t deleted = 0;
  for (size_t j = 2; j < c.argc(); ++j) {
    const std::string name = c.arg(j);
    if (!c.engine.acl().DelUser(name)) continue;
    ++deleted;
    // ACLFreeUserAndKillClients: its clients are freed (this one after its
    // reply, CLIENT_CLOSE_AFTER_COMMAND), as the default user, unauthenticated.
    std::vector<int> victims;
    for (size_t s = 0; s < c.engine.session_count(); ++s) {
      const Session& other = c.engine.session(static_cast<int>(s));
      if (!other.open || other.user != name) continue;
      if (&other == &c.session) {
        c.session.user = "default";
        c.session.authenticated = false;
        c.session.close_after_reply = true;
      } else {
        victims.push_back(static_cast<int>(s));
      }
    }
    for (int v : victims) c.engine.Kill(v);
  }
  c.reply.Integer(deleted);
}

void AclDryRun(CommandContext& c) {
  const Acl& acl = c.engine.acl();
  const AclUser* u = acl.Find(c.arg(2));
  if (u == nullptr) {
    c.reply.Error("ERR User '" + ErrorText(c.arg(2)) + "' not found");
    return;
  }
  const std::span<const std::string> argv = c.argv.subspan(3);
  const CommandFact* f = LookupCommandFact(argv);
  if (f == nullptr) {
    c.reply.Error("ERR Command '" + ErrorText(c.arg(3)) + "' not found");
    return;
  }
  const int64_t n = static_cast<int64_t>(argv.size());
  if ((f->arity > 0 && f->arity != n) || n < -f->arity) {
    c.reply.Error("ERR wrong number of arguments for '" + f->fullname + "' command");
    return;
  }
  size_t idx = 0;
  switch (acl.Check(*u, *f, argv, &idx)) {
    case AclResult::kOk:
      c.reply.Ok();
      return;
    case AclResult::kDeniedCmd:
      c.reply.Bulk("This user has no permissions to run the '" + f->fullname + "' command");
      return;
    case AclResult::kDeniedKey:
      c.reply.Bulk("This user has no permissions to access the '" + std::string(CStr(argv[idx])) +
                   "' key");
      return;
    default:
      c.reply.Bulk("This user has no permissions to access the '" + std::string(CStr(argv[idx])) +
                   "' channel");
      return;
  }
}

void AclGenPass(CommandContext& c) {
  constexpr int64_t kMaxBits = 4096;
  int64_t bits = 256;
  if (c.argc() == 3 && !c.IntArg(2, &bits)) return;
  if (bits <= 0 || bits > kMaxBits) {
    c.reply.Error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a "
        "positive number up to 4096");
    return;
  }
  // getRandomHexChars: a seeded stream of its own here (redis-server reads
  // /dev/urandom, so GENPASS leaves random(), RANDOMKEY's and the random
  // commands' source, alone; only the length can compare).
  static constexpr char kHex[] = "0123456789abcdef";
  const int64_t chars = (bits + 3) / 4;
  std::string pass;
  uint64_t r = 0;
  for (int64_t i = 0; i < chars; ++i) {
    if (i % 16 == 0) r = c.engine.NextGenpassRandom();
    pass.push_back(kHex[r & 15]);
    r >>= 4;
  }
  c.reply.Bulk(pass);
}

void AclHelp(CommandContext& c) {
  static constexpr std::string_view kLines[] = {
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the "
      "command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Prints this help.",
  };
  c.reply.ArrayHeader(static_cast<int64_t>(std::size(kLines)) + 1);
  c.reply.Simple(absl::AsciiStrToUpper(std::string(CStr(c.arg(0)))) +
                 " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : kLines) c.reply.Simple(line);
}

// ACLCheckChannelAgainstList over a channel list.
bool ChannelInList(const std::vector<std::string>& list, std::string_view channel,
                   bool is_pattern) {
  for (const std::string& p : list) {
    if (is_pattern ? CStr(p) == CStr(channel) : GlobPattern(p).Matches(channel)) return true;
  }
  return false;
}

// ACLKillPubsubClientsIfNeeded: when SETUSER left a user's channels no
// longer covering what they were, the user's subscribed clients with a
// subscription the new channels do not allow are closed (another client at
// once; the caller itself after its reply, where Redis frees it at once).
void KillPubsubClientsIfNeeded(CommandContext& c, const AclUser& now, const AclUser& original) {
  std::vector<std::string> upcoming;
  for (const AclSelector& s : now.selectors) {
    if (s.allchannels) return;
    upcoming.insert(upcoming.end(), s.channels.begin(), s.channels.end());
  }
  bool match = true;
  for (const AclSelector& s : original.selectors) {
    if (s.allchannels) {
      match = false;
      break;
    }
    for (const std::string& ch : s.channels) {
      if (std::find(upcoming.begin(), upcoming.end(), ch) == upcoming.end()) match = false;
    }
    if (!match) break;
  }
  if (match) return;
  std::vector<int> victims;
  for (size_t i = 0; i < c.engine.session_count(); ++i) {
    const Session& other = c.engine.session(static_cast<int>(i));
    if (!other.open || other.user != original.name || !other.in_pubsub()) continue;
    bool kill = false;
    for (const std::string& p : other.patterns) kill = kill || !ChannelInList(upcoming, p, true);
    for (const std::string& ch : other.channels) kill = kill || !ChannelInList(upcoming, ch, false);
    for (const std::string& ch : other.shard_channels) {
      kill = kill || !ChannelInList(upcoming, ch, false);
    }
    if (!kill) continue;
    if (&other == &c.session) {
      c.session.close_after_reply = true;
    } else {
      victims.push_back(static_cast<int>(i));
    }
  }
  for (int v : victims) c.engine.Kill(v);
}

void CmdAcl(CommandContext& c) {
  const std::string& sub = c.arg(1);
  Acl& acl = c.engine.acl();
  if (IEquals(sub, "setuser")) {
    const std::string& name = c.arg(2);
    for (char ch : name) {
      if (std::isspace(static_cast<unsigned char>(ch)) || ch == 0) {
        c.reply.Error("ERR Usernames can't contain spaces or null characters");
        return;
      }
    }
    std::optional<AclUser> original;
    if (const AclUser* u = acl.Find(name)) original = *u;
    const std::string err = acl.SetUser(name, c.argv.subspan(3));
    if (err.empty()) {
      if (original.has_value()) KillPubsubClientsIfNeeded(c, *acl.Find(name), *original);
      c.reply.Ok();
    } else {
      c.reply.Error("ERR " + err);
    }
  } else if (IEquals(sub, "deluser")) {
    AclDelUser(c);
  } else if (IEquals(sub, "getuser")) {
    AclGetUser(c);
  } else if (IEquals(sub, "list") || IEquals(sub, "users")) {
    const bool names = IEquals(sub, "users");
    const std::vector<const AclUser*> users = acl.Users();
    c.reply.ArrayHeader(static_cast<int64_t>(users.size()));
    for (const AclUser* u : users) {
      c.reply.Bulk(names ? u->name : "user " + u->name + " " + acl.Describe(*u));
    }
  } else if (IEquals(sub, "whoami")) {
    c.reply.Bulk(c.session.user);
  } else if (IEquals(sub, "load") || IEquals(sub, "save")) {
    c.reply.Error(
        "ERR This Redis instance is not configured to use an ACL file. You may want to specify "
        "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
        "Redis configuration file set) in order to store users in the Redis configuration.");
  } else if (IEquals(sub, "cat")) {
    if (c.argc() == 2) {
      const auto names = AclCategoryNames();
      c.reply.ArrayHeader(static_cast<int64_t>(names.size()));
      for (std::string_view n : names) c.reply.Bulk(n);
      return;
    }
    std::vector<std::string> cmds;
    if (c.argc() != 3 || !acl.CategoryCommands(c.arg(2), &cmds)) {
      if (c.argc() != 3) {
        SyntaxError(c);
      } else {
        c.reply.Error("ERR Unknown category '" + std::string(CStr(c.arg(2)).substr(0, 128)) + "'");
      }
      return;
    }
    c.reply.ArrayHeader(static_cast<int64_t>(cmds.size()));
    for (const std::string& n : cmds) c.reply.Bulk(n);
  } else if (IEquals(sub, "genpass")) {
    if (c.argc() > 3) {
      SyntaxError(c);
      return;
    }
    AclGenPass(c);
  } else if (IEquals(sub, "dryrun")) {
    AclDryRun(c);
  } else if (IEquals(sub, "log")) {
    if (c.argc() > 3) {
      SyntaxError(c);
      return;
    }
    AclLogCommand(c);
  } else {
    AclHelp(c);
  }
}

constexpr CommandSpec kAclCommands[] = {
    {"auth", -2, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy, 0,
     0, 0, CmdAuth},
    {"acl", -2, 0, 0, 0, 0, CmdAcl},
};

}  // namespace

std::span<const CommandSpec> AclCommands() { return kAclCommands; }

}  // namespace respfuzz::engine

namespace respfuzz::engine {

AclResult Engine::AclCheck(const Session& s, std::span<const std::string> argv, size_t* idx) const {
  *idx = 0;
  const AclUser* u = acl_.Find(s.user);
  if (u == nullptr) return AclResult::kOk;
  // A root selector allowing every command, key and channel allows all
  // (the default user's): no command lookup on the common path.
  const AclSelector& root = u->selectors[0];
  if (root.allcommands && root.allkeys && root.allchannels) return AclResult::kOk;
  const CommandFact* f = LookupCommandFact(argv);
  if (f == nullptr) return AclResult::kOk;
  return acl_.Check(*u, *f, argv, idx);
}

std::string Engine::AclRejection(const Session& s, const CommandSpec& spec,
                                 std::span<const std::string> argv, const std::string& fullname) {
  // authRequired: the default user needs a password (or is off) and the
  // session has not authenticated.
  if (!s.authenticated && acl_.DefaultNeedsAuth() && (spec.flags & kCmdNoAuth) == 0) {
    return "NOAUTH Authentication required.";
  }
  // processCommand's no-multi refusal comes between the two, before
  // anything is logged.
  if (s.in_multi && (spec.flags & kCmdNoMulti) != 0) {
    return "ERR Command not allowed inside a transaction";
  }
  size_t idx = 0;
  const AclResult r = AclCheck(s, argv, &idx);
  if (r != AclResult::kOk)
    AclLogDenial(s, r, s.in_multi ? "multi" : "toplevel", argv, idx, fullname);
  switch (r) {
    case AclResult::kOk:
      return {};
    case AclResult::kDeniedCmd:
      return "NOPERM this user has no permissions to run the '" + fullname + "' command";
    case AclResult::kDeniedKey:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    default:
      return "NOPERM this user has no permissions to access one of the channels used as "
             "arguments";
  }
}

}  // namespace respfuzz::engine
