// ACL users and permission checks as Redis 7.0.15's acl.c: the users (the
// `default` user first), ACL SETUSER's rules, the rule strings ACL LIST and
// ACL GETUSER write, credentials (SHA-256 password hashes) and the check of
// a command, its keys and its channels against a user's selectors.
//
// The command universe is 7.0.15's (command_facts.h): every command and
// subcommand of redis-server 7.0.15 has an id here, and its ACL categories
// are the ones its COMMAND INFO reports, so ACL SETUSER accepts, and ACL
// CAT lists, every 7.0.15 command, also those the engine does not run.
#ifndef RESPFUZZ_ENGINE_ACL_H_
#define RESPFUZZ_ENGINE_ACL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::engine {

struct CommandFact;

// ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY, ACL_DENIED_AUTH, ACL_DENIED_CHANNEL
// (their order matters: a later selector's error wins when it is greater).
enum class AclResult {
  kOk = 0,
  kDeniedCmd = 1,
  kDeniedKey = 2,
  kDeniedAuth = 3,
  kDeniedChannel = 4
};

// The 21 categories in Redis's order (ACL CAT).
std::span<const std::string_view> AclCategoryNames();
// SHA-256 of `s` as 64 lower-case hex digits (ACLHashPassword).
std::string AclHashPassword(std::string_view s);

struct AclKeyPattern {
  std::string pattern;
  int flags;  // 1: read, 2: write, 3: both (~pattern)
};

struct AclSelector {
  bool root = false;
  bool allkeys = false, allchannels = false, allcommands = false;
  // One bit per command id (AclCommandCount()), then the reserved "future
  // commands" bit that only +@all sets.
  std::vector<bool> bits;
  // +cmd|first-arg of a command without subcommands: the allowed first
  // arguments per command id.
  std::map<size_t, std::vector<std::string>> firstargs;
  std::vector<AclKeyPattern> keys;
  std::vector<std::string> channels;
};

struct AclUser {
  std::string name;
  enum Flag : uint32_t {
    kEnabled = 1,
    kDisabled = 2,
    kNopass = 4,
    kSkipSanitize = 8,
    kSanitize = 16,
  };
  uint32_t flags = kDisabled;
  std::vector<std::string> passwords;  // SHA-256 hex, in the order added
  std::vector<AclSelector> selectors;  // [0] is the root selector
};

class Acl {
 public:
  Acl();  // the default user only: on nopass ~* &* +@all

  const AclUser* Find(std::string_view name) const;
  const AclUser& default_user() const { return *users_.at("default"); }
  // Users in name order (Redis's rax order: bytewise).
  std::vector<const AclUser*> Users() const;
  // ACL SETUSER name op...: "" on success (the user created when new), else
  // the error text without its code ("Error in ACL SETUSER modifier ...").
  // No change is made when an op fails.
  std::string SetUser(std::string_view name, std::span<const std::string> ops);
  // Applies one op to the default user (requirepass's update).
  void SetDefaultUserOp(std::string_view op);
  bool DelUser(std::string_view name);
  // ACLCheckUserCredentials.
  bool CheckCredentials(std::string_view name, std::string_view password) const;
  // ACLDescribeUser (ACL LIST's text after "user NAME ").
  std::string Describe(const AclUser& u) const;
  // ACLDescribeSelectorCommandRules and GETUSER's key/channel strings.
  std::string DescribeCommands(const AclSelector& s) const;
  static std::string DescribeKeys(const AclSelector& s);
  static std::string DescribeChannels(const AclSelector& s);
  // ACLCheckAllUserCommandPerm: `fact` is the command argv names (the
  // subcommand for a container with one), argv its arguments. On a denial
  // *idx is the argument that failed (a key or channel), 0 for a command.
  AclResult Check(const AclUser& u, const CommandFact& fact, std::span<const std::string> argv,
                  size_t* idx) const;
  // authRequired's part: the default user has a password, or is off.
  bool DefaultNeedsAuth() const;
  // ACL CAT category: the full names of its commands ("" category: false).
  bool CategoryCommands(std::string_view category, std::vector<std::string>* out) const;

  // requirepass (CONFIG SET/GET): the cleartext as given, "" for none.
  const std::string& requirepass() const { return requirepass_; }
  void SetRequirepass(std::string_view pass);

 private:
  std::map<std::string, std::unique_ptr<AclUser>, std::less<>> users_;
  std::string requirepass_;
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_ACL_H_
