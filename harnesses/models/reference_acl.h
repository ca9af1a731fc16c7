// The reference model's ACL (reference_acl.cc): users, their rules, AUTH,
// and the permission checks of processCommand, EXEC and scripts, as Redis
// 7.0.15's acl.c has them. Written from the server's behaviour; each
// command's ACL categories and key specs come from redis-server 7.0.15's
// COMMAND INFO (reference_acl_data.inc), not from the engine.
#ifndef RESPFUZZ_HARNESSES_MODELS_REFERENCE_ACL_H_
#define RESPFUZZ_HARNESSES_MODELS_REFERENCE_ACL_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace respfuzz::models::refmodel {

// One user (acl.c's user: its fields and its root selector's, then its
// other selectors). `allowed` is the command bitmap, indexed like the data
// table.
struct AclUser {
  std::string name;
  bool enabled = false;  // on / off
  bool nopass = false;
  int sanitize = 0;                    // 0: neither flag, 1: sanitize-payload, 2: skip-...
  std::vector<std::string> passwords;  // SHA-256 hex, in the order added
  bool allkeys = false;
  std::vector<std::pair<int, std::string>> patterns;  // (1 R | 2 W, pattern)
  bool allchannels = false;
  std::vector<std::string> channels;
  bool future = false;  // the reserved bit +@all sets: "+@all" leads the rules
  std::vector<bool> allowed;
  std::map<size_t, std::vector<std::string>> firstargs;  // command index -> first args
  // The selectors after the root one ("(+get ~k*)"), each kept as a user
  // whose selector fields alone are used.
  std::vector<AclUser> selectors;
};

// One entry of the ACL log (acl.c's ACLLogEntry).
struct AclLogRecord {
  uint64_t count = 1;
  std::string reason;   // "command", "key", "channel", "auth"
  std::string context;  // "toplevel", "multi", "lua"
  std::string object, username;
  int64_t ctime = 0;  // ms, the last time it happened
  std::string cinfo;  // the client's catClientInfoString then
};

struct AclState {
  std::map<std::string, AclUser> users;  // rax order: by bytes
  std::string requirepass;               // CONFIG GET requirepass (server.requirepass)
  std::vector<AclLogRecord> log;         // ACLLog: newest first
};

}  // namespace respfuzz::models::refmodel

#endif  // RESPFUZZ_HARNESSES_MODELS_REFERENCE_ACL_H_
