// ACL users, rules and checks (acl.h), as Redis 7.0.15's acl.c behaves.
#include "src/engine/acl.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "src/engine/c_string.h"
#include "src/engine/command_facts.h"
#include "src/engine/glob.h"
#include "src/resp/request.h"

namespace respfuzz::engine {

namespace {

constexpr std::string_view kCategories[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
constexpr size_t kNumCategories = std::size(kCategories);

// ACLGetCommandCategoryFlagByName: a bit per category, 0 for none.
uint32_t CategoryFlag(std::string_view name) {
  for (size_t j = 0; j < kNumCategories; ++j) {
    if (IEquals(CStr(name), kCategories[j])) return 1u << j;
  }
  return 0;
}

// Every 7.0.15 command and subcommand with an id (Redis's ACLGetCommandID),
// in the facts' order, each container followed by its subcommands.
struct AclCommand {
  const CommandFact* fact;
  uint32_t categories;
  std::vector<size_t> subs;  // ids of its subcommands
  bool has_subs;
  bool is_sub;
  bool no_auth;
};
struct AclCommands {
  std::vector<AclCommand> list;
  absl::flat_hash_map<const CommandFact*, size_t> id;
};

uint32_t CategoriesOf(const CommandFact& f) {
  uint32_t c = 0;
  for (const std::string& cat : f.acl_categories) {
    c |= CategoryFlag(std::string_view(cat).substr(cat.empty() || cat[0] != '@' ? 0 : 1));
  }
  return c;
}

const AclCommands& Commands() {
  static const AclCommands* table = [] {
    auto* t = new AclCommands;
    for (const CommandFact* f : AllCommandFacts()) {
      const size_t id = t->list.size();
      t->list.push_back(
          {f, CategoriesOf(*f), {}, !f->subcommands.empty(), false, f->HasFlag("no_auth")});
      t->id[f] = id;
      for (const CommandFact* sub : f->subcommands) {
        const size_t sid = t->list.size();
        t->list.push_back({sub, CategoriesOf(*sub), {}, false, true, sub->HasFlag("no_auth")});
        t->id[sub] = sid;
        t->list[id].subs.push_back(sid);
      }
    }
    return t;
  }();
  return *table;
}

size_t FutureBit() { return Commands().list.size(); }

AclSelector NewSelector(bool root) {
  AclSelector s;
  s.root = root;
  s.bits.assign(FutureBit() + 1, false);
  return s;  // acl-pubsub-default is resetchannels in 7.0: no channels
}

void SetBit(AclSelector& s, size_t id, bool value) {
  s.bits[id] = value;
  if (!value) s.allcommands = false;
}

// ACLChangeSelectorPerm: the command, its first-args dropped, and every
// subcommand of a container.
void ChangePerm(AclSelector& s, size_t id, bool allow) {
  SetBit(s, id, allow);
  s.firstargs.erase(id);
  for (size_t sub : Commands().list[id].subs) SetBit(s, sub, allow);
}

void SetCategory(AclSelector& s, uint32_t flag, bool value) {
  const auto& list = Commands().list;
  for (size_t id = 0; id < list.size(); ++id) {
    if ((list[id].categories & flag) != 0) {
      // A subcommand's own change; a container's reaches its subcommands too
      // (ACLSetSelectorCommandBitsForCategoryLogic recurses after it).
      ChangePerm(s, id, value);
    }
  }
}

// ACLLookupCommand: "name" or "container|sub".
const CommandFact* LookupAclCommand(std::string_view name) {
  const size_t bar = name.find('|');
  if (bar != std::string_view::npos && name.find('|', bar + 1) != std::string_view::npos) {
    return nullptr;
  }
  return FindCommandFact(name);
}

bool HasSpaces(std::string_view s) {
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == 0) return true;
  }
  return false;
}

// ACLSetSelector's errors (errno, as ACLSetUserStringError words them).
constexpr std::string_view kErrNoEnt = "Unknown command or category name in ACL";
constexpr std::string_view kErrInval = "Syntax error";
constexpr std::string_view kErrExist =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr std::string_view kErrIsDir =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
constexpr std::string_view kErrNoDev =
    "The password you are trying to remove from the user does not exist";
constexpr std::string_view kErrBadMsg =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
constexpr std::string_view kErrChild = "Allowing first-arg of a subcommand is not supported";

// strcasecmp of a C string: the op up to a NUL.
bool OpIs(std::string_view op, std::string_view word) { return IEquals(CStr(op), word); }

// ACLSetSelector: "" or the error.
std::string_view SetSelector(AclSelector& s, std::string_view op) {
  if (OpIs(op, "allkeys") || OpIs(op, "~*")) {
    s.allkeys = true;
    s.keys.clear();
  } else if (OpIs(op, "resetkeys")) {
    s.allkeys = false;
    s.keys.clear();
  } else if (OpIs(op, "allchannels") || OpIs(op, "&*")) {
    s.allchannels = true;
    s.channels.clear();
  } else if (OpIs(op, "resetchannels")) {
    s.allchannels = false;
    s.channels.clear();
  } else if (OpIs(op, "allcommands") || OpIs(op, "+@all")) {
    std::fill(s.bits.begin(), s.bits.end(), true);
    s.allcommands = true;
    s.firstargs.clear();
  } else if (OpIs(op, "nocommands") || OpIs(op, "-@all")) {
    std::fill(s.bits.begin(), s.bits.end(), false);
    s.allcommands = false;
    s.firstargs.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    if (s.allkeys) return kErrExist;
    int flags = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      bool perm_ok = true;
      for (; offset < op.size(); ++offset) {
        const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(op[offset])));
        if (c == 'R' && (flags & 1) == 0) {
          flags |= 1;
        } else if (c == 'W' && (flags & 2) == 0) {
          flags |= 2;
        } else if (op[offset] == '~') {
          ++offset;
          break;
        } else {
          perm_ok = false;
          break;
        }
      }
      if (flags == 0 || !perm_ok) return kErrInval;
    } else {
      flags = 3;
    }
    const std::string_view pat = op.substr(std::min(offset, op.size()));
    if (HasSpaces(pat)) return kErrInval;
    auto it = std::find_if(s.keys.begin(), s.keys.end(),
                           [&](const AclKeyPattern& k) { return k.pattern == pat; });
    if (it == s.keys.end()) {
      s.keys.push_back({std::string(pat), flags});
    } else {
      it->flags |= flags;
    }
    s.allkeys = false;
  } else if (op[0] == '&') {
    if (s.allchannels) return kErrIsDir;
    const std::string_view pat = op.substr(1);
    if (HasSpaces(pat)) return kErrInval;
    if (std::find(s.channels.begin(), s.channels.end(), pat) == s.channels.end()) {
      s.channels.emplace_back(pat);
    }
    s.allchannels = false;
  } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    const std::string_view name = CStr(op.substr(1));
    const size_t bar = name.rfind('|');
    if (bar == std::string_view::npos) {
      const CommandFact* f = LookupAclCommand(name);
      if (f == nullptr) return kErrNoEnt;
      ChangePerm(s, Commands().id.at(f), true);
    } else {
      const CommandFact* f = LookupAclCommand(name.substr(0, bar));
      if (f == nullptr) return kErrNoEnt;
      const size_t id = Commands().id.at(f);
      if (Commands().list[id].is_sub) return kErrChild;
      const std::string_view sub = name.substr(bar + 1);
      if (sub.empty()) return kErrInval;
      if (Commands().list[id].has_subs) {
        const CommandFact* sf = LookupAclCommand(name);
        if (sf == nullptr) return kErrNoEnt;
        ChangePerm(s, Commands().id.at(sf), true);
      } else {
        std::vector<std::string>& args = s.firstargs[id];
        const bool have = std::any_of(args.begin(), args.end(),
                                      [&](const std::string& a) { return IEquals(a, sub); });
        if (!have) args.emplace_back(sub);
      }
    }
  } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    const CommandFact* f = LookupAclCommand(CStr(op.substr(1)));
    if (f == nullptr) return kErrNoEnt;
    ChangePerm(s, Commands().id.at(f), false);
  } else if ((op[0] == '+' || op[0] == '-') && op.size() >= 2 && op[1] == '@') {
    const uint32_t flag = CategoryFlag(op.substr(2));
    if (flag == 0) return kErrNoEnt;
    SetCategory(s, flag, op[0] == '+');
  } else {
    return kErrInval;
  }
  return {};
}

bool ValidHash(std::string_view h) {
  if (h.size() != 64) return false;
  for (char c : h) {
    if ((c < 'a' || c > 'f') && (c < '0' || c > '9')) return false;
  }
  return true;
}

// ACLSetUser: "" or the error.
std::string_view SetUserOp(AclUser& u, std::string_view op) {
  if (op.empty()) return {};
  if (OpIs(op, "on")) {
    u.flags = (u.flags | AclUser::kEnabled) & ~AclUser::kDisabled;
  } else if (OpIs(op, "off")) {
    u.flags = (u.flags | AclUser::kDisabled) & ~AclUser::kEnabled;
  } else if (OpIs(op, "skip-sanitize-payload")) {
    u.flags = (u.flags | AclUser::kSkipSanitize) & ~AclUser::kSanitize;
  } else if (OpIs(op, "sanitize-payload")) {
    u.flags = (u.flags | AclUser::kSanitize) & ~AclUser::kSkipSanitize;
  } else if (OpIs(op, "nopass")) {
    u.flags |= AclUser::kNopass;
    u.passwords.clear();
  } else if (OpIs(op, "resetpass")) {
    u.flags &= ~AclUser::kNopass;
    u.passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string pass;
    if (op[0] == '>') {
      pass = AclHashPassword(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return kErrBadMsg;
      pass = std::string(op.substr(1));
    }
    if (std::find(u.passwords.begin(), u.passwords.end(), pass) == u.passwords.end()) {
      u.passwords.push_back(std::move(pass));
    }
    u.flags &= ~AclUser::kNopass;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string pass;
    if (op[0] == '<') {
      pass = AclHashPassword(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return kErrBadMsg;
      pass = std::string(op.substr(1));
    }
    auto it = std::find(u.passwords.begin(), u.passwords.end(), pass);
    if (it == u.passwords.end()) return kErrNoDev;
    u.passwords.erase(it);
  } else if (op[0] == '(' && op.back() == ')') {
    // aclCreateSelectorFromOpSet: the ops inside, split by sdssplitargs (up
    // to the first NUL, quotes and escapes as an inline command's; with
    // unbalanced quotes it gives none, and the selector is empty).
    AclSelector s = NewSelector(false);
    const std::optional<std::vector<std::string>> inner =
        resp::SplitInlineArgs(op.substr(1, op.size() - 2));
    if (inner) {
      for (const std::string& rule : *inner) {
        const std::string_view err = SetSelector(s, rule);
        if (!err.empty()) return err;
      }
    }
    u.selectors.push_back(std::move(s));
  } else if (OpIs(op, "clearselectors")) {
    u.selectors.resize(1);
  } else if (OpIs(op, "reset")) {
    SetUserOp(u, "resetpass");
    SetUserOp(u, "resetkeys");
    SetUserOp(u, "resetchannels");
    SetUserOp(u, "off");
    SetUserOp(u, "sanitize-payload");
    SetUserOp(u, "clearselectors");
    SetUserOp(u, "-@all");
  } else {
    return SetSelector(u.selectors[0], op);
  }
  return {};
}

AclUser NewUser(std::string_view name) {
  AclUser u;
  u.name = std::string(name);
  u.selectors.push_back(NewSelector(true));
  return u;
}

// ACLSelectorCheckKey.
bool KeyAllowed(const AclSelector& s, std::string_view key, const FactKey& k) {
  if (s.allkeys) return true;
  const int need = (k.read ? 1 : 0) | (k.write ? 2 : 0);
  for (const AclKeyPattern& p : s.keys) {
    if ((p.flags & need) != need) continue;
    if (GlobPattern(p.pattern).Matches(key)) return true;
  }
  return false;
}

// ACLCheckChannelAgainstList.
bool ChannelAllowed(const AclSelector& s, std::string_view channel, bool is_pattern) {
  for (const std::string& p : s.channels) {
    if (is_pattern ? CStr(p) == CStr(channel) : GlobPattern(p).Matches(channel)) return true;
  }
  return false;
}

// ACLSelectorCheckCmd.
AclResult SelectorCheck(const AclSelector& s, size_t id, std::span<const std::string> argv,
                        size_t* idx) {
  const AclCommand& cmd = Commands().list[id];
  if (!s.allcommands && !cmd.no_auth && !s.bits[id]) {
    auto it = s.firstargs.find(id);
    if (argv.size() < 2 || it == s.firstargs.end()) return AclResult::kDeniedCmd;
    const std::string& first = argv[cmd.is_sub ? std::min<size_t>(2, argv.size() - 1) : 1];
    const bool match = std::any_of(it->second.begin(), it->second.end(),
                                   [&](const std::string& a) { return IEquals(CStr(first), a); });
    if (!match) return AclResult::kDeniedCmd;
  }
  if (!s.allkeys) {
    for (const FactKey& k : FactKeys(*cmd.fact, argv)) {
      if (!KeyAllowed(s, argv[k.pos], k)) {
        *idx = k.pos;
        return AclResult::kDeniedKey;
      }
    }
  }
  if (!s.allchannels) {
    // getChannelsFromCommand: the publish and subscribe commands (the
    // unsubscribe ones are not checked).
    const std::string& name = cmd.fact->fullname;
    size_t first = 0, last = 0;
    bool pattern = false;
    if (name == "subscribe" || name == "ssubscribe" || name == "psubscribe") {
      first = 1;
      last = argv.size();
      pattern = name == "psubscribe";
    } else if (name == "publish" || name == "spublish") {
      first = 1;
      last = std::min<size_t>(2, argv.size());
    }
    for (size_t i = first; i < last; ++i) {
      if (!ChannelAllowed(s, argv[i], pattern)) {
        *idx = i;
        return AclResult::kDeniedChannel;
      }
    }
  }
  return AclResult::kOk;
}

// The SHA-256 of FIPS 180-4.
struct Sha256 {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  static uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
  void Block(const unsigned char* p) {
    static constexpr uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      w[i] = (uint32_t{p[4 * i]} << 24) | (uint32_t{p[4 * i + 1]} << 16) |
             (uint32_t{p[4 * i + 2]} << 8) | uint32_t{p[4 * i + 3]};
    }
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const uint32_t t1 =
          hh + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
};

}  // namespace

std::span<const std::string_view> AclCategoryNames() { return kCategories; }

std::string AclHashPassword(std::string_view s) {
  Sha256 sha;
  size_t i = 0;
  for (; i + 64 <= s.size(); i += 64)
    sha.Block(reinterpret_cast<const unsigned char*>(s.data() + i));
  unsigned char tail[128] = {0};
  const size_t rest = s.size() - i;
  std::memcpy(tail, s.data() + i, rest);
  tail[rest] = 0x80;
  const size_t total = rest + 9 <= 64 ? 64 : 128;
  const uint64_t bits = static_cast<uint64_t>(s.size()) * 8;
  for (int b = 0; b < 8; ++b) tail[total - 1 - b] = static_cast<unsigned char>(bits >> (8 * b));
  sha.Block(tail);
  if (total == 128) sha.Block(tail + 64);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint32_t word : sha.h) {
    for (int b = 3; b >= 0; --b) {
      const unsigned char byte = static_cast<unsigned char>(word >> (8 * b));
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}

const CommandFact* LookupCommandFact(std::span<const std::string> argv) {
  if (argv.empty() || argv[0].find('|') != std::string::npos) return nullptr;
  const CommandFact* f = FindCommandFact(argv[0]);
  if (f == nullptr || f->subcommands.empty() || argv.size() < 2) return f;
  if (argv[1].find('|') != std::string::npos) return nullptr;
  return FindCommandFact(f->fullname + "|" + argv[1]);
}

Acl::Acl() {
  auto u = std::make_unique<AclUser>(NewUser("default"));
  SetUserOp(*u, "+@all");
  SetUserOp(*u, "~*");
  SetUserOp(*u, "&*");
  SetUserOp(*u, "on");
  SetUserOp(*u, "nopass");
  users_["default"] = std::move(u);
}

const AclUser* Acl::Find(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second.get();
}

std::vector<const AclUser*> Acl::Users() const {
  std::vector<const AclUser*> out;
  for (const auto& [name, u] : users_) out.push_back(u.get());
  return out;
}

std::string Acl::SetUser(std::string_view name, std::span<const std::string> args) {
  // ACLMergeSelectorArguments: an op opening "(" without closing it (its
  // last byte, whatever NULs come before) starts a selector, kept whole
  // (sdsdup); the following ops are appended with a space up to the first
  // NUL (sdscatfmt's %s) until one ends in ")". A new opening op drops the
  // selector begun before it.
  std::vector<std::string> ops;
  std::string selector;
  int open = -1;
  for (size_t j = 0; j < args.size(); ++j) {
    const std::string& op = args[j];
    if (!op.empty() && op[0] == '(' && op.back() != ')') {
      selector = op;
      open = static_cast<int>(j);
      continue;
    }
    if (open != -1) {
      selector += " ";
      selector += CStr(op);
      if (!op.empty() && op.back() == ')') {
        open = -1;
        ops.push_back(std::move(selector));
      }
      continue;
    }
    ops.emplace_back(op);
  }
  if (open != -1) {
    return "Unmatched parenthesis in acl selector starting at '" + std::string(CStr(args[open])) +
           "'.";
  }
  const AclUser* existing = Find(name);
  AclUser temp = existing != nullptr ? *existing : NewUser(name);
  for (const std::string& op : ops) {
    const std::string_view err = SetUserOp(temp, op);
    if (!err.empty()) {
      return "Error in ACL SETUSER modifier '" + std::string(CStr(op)) + "': " + std::string(err);
    }
  }
  auto& slot = users_[std::string(name)];
  if (slot == nullptr) slot = std::make_unique<AclUser>();
  *slot = std::move(temp);
  return {};
}

void Acl::SetDefaultUserOp(std::string_view op) { SetUserOp(*users_.at("default"), op); }

void Acl::SetRequirepass(std::string_view pass) {
  // ACLUpdateDefaultUserPassword; an empty requirepass is none.
  requirepass_ = std::string(pass);
  SetDefaultUserOp("resetpass");
  if (pass.empty()) {
    SetDefaultUserOp("nopass");
  } else {
    SetDefaultUserOp(">" + std::string(pass));
  }
}

bool Acl::DelUser(std::string_view name) {
  auto it = users_.find(name);
  if (it == users_.end() || name == "default") return false;
  users_.erase(it);
  return true;
}

bool Acl::CheckCredentials(std::string_view name, std::string_view password) const {
  const AclUser* u = Find(name);
  if (u == nullptr || (u->flags & AclUser::kDisabled) != 0) return false;
  if ((u->flags & AclUser::kNopass) != 0) return true;
  const std::string hashed = AclHashPassword(password);
  return std::find(u->passwords.begin(), u->passwords.end(), hashed) != u->passwords.end();
}

bool Acl::DefaultNeedsAuth() const {
  const AclUser& d = default_user();
  return (d.flags & AclUser::kNopass) == 0 || (d.flags & AclUser::kDisabled) != 0;
}

std::string Acl::DescribeCommands(const AclSelector& s) const {
  // ACLDescribeSelectorCommandRules: +@all or -@all, then the categories
  // that fit best, one at a time, then single commands.
  const auto& list = Commands().list;
  std::string rules;
  const bool additive = !s.bits[FutureBit()];
  AclSelector fake = NewSelector(false);
  rules = additive ? "-@all " : "+@all ";
  SetSelector(fake, additive ? "-@all" : "+@all");
  AclSelector temp = NewSelector(false);
  temp.bits = s.bits;
  bool applied[kNumCategories] = {};
  while (true) {
    int best = -1;
    uint64_t mindiff = INT32_MAX, maxsame = 0;
    for (size_t j = 0; j < kNumCategories; ++j) {
      if (applied[j]) continue;
      uint64_t on = 0, off = 0;
      for (size_t id = 0; id < list.size(); ++id) {
        if ((list[id].categories & (1u << j)) == 0) continue;
        if (temp.bits[id]) {
          ++on;
        } else {
          ++off;
        }
      }
      const uint64_t diff = additive ? off : on;
      const uint64_t same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
        best = static_cast<int>(j);
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best == -1) break;
    const std::string cat(kCategories[best]);
    SetSelector(fake, (additive ? "+@" : "-@") + cat);
    SetSelector(temp, (additive ? "-@" : "+@") + cat);
    rules += (additive ? "+@" : "-@") + cat + " ";
    applied[best] = true;
  }
  // ACLDescribeSelectorCommandRulesSingleCommands: each command (a
  // container before its subcommands), then its first-args. Redis walks its
  // command dict (hash order); here the facts' order.
  for (size_t id = 0; id < list.size(); ++id) {
    const bool userbit = s.bits[id];
    if (userbit != fake.bits[id]) {
      rules += userbit ? "+" : "-";
      rules += list[id].fact->fullname;
      rules += " ";
      ChangePerm(fake, id, userbit);
    }
    if (!userbit) {
      auto it = s.firstargs.find(id);
      if (it != s.firstargs.end()) {
        for (const std::string& a : it->second) {
          rules += "+" + list[id].fact->fullname + "|" + a + " ";
        }
      }
    }
  }
  rules.pop_back();
  return rules;
}

namespace {
std::string PatternString(const AclKeyPattern& p) {
  if (p.flags == 3) return "~" + p.pattern;
  return (p.flags == 1 ? "%R~" : "%W~") + p.pattern;
}
}  // namespace

std::string Acl::DescribeKeys(const AclSelector& s) {
  if (s.allkeys) return "~*";
  std::string out;
  for (const AclKeyPattern& p : s.keys) {
    if (!out.empty()) out += " ";
    out += PatternString(p);
  }
  return out;
}

std::string Acl::DescribeChannels(const AclSelector& s) {
  if (s.allchannels) return "&*";
  std::string out;
  for (const std::string& c : s.channels) {
    if (!out.empty()) out += " ";
    out += "&" + c;
  }
  return out;
}

std::string Acl::Describe(const AclUser& u) const {
  std::string res;
  static constexpr std::pair<uint32_t, std::string_view> kFlags[] = {
      {AclUser::kEnabled, "on"},
      {AclUser::kDisabled, "off"},
      {AclUser::kNopass, "nopass"},
      {AclUser::kSkipSanitize, "skip-sanitize-payload"},
      {AclUser::kSanitize, "sanitize-payload"}};
  for (const auto& [flag, name] : kFlags) {
    if ((u.flags & flag) != 0) {
      res += name;
      res += " ";
    }
  }
  for (const std::string& p : u.passwords) res += "#" + p + " ";
  for (const AclSelector& s : u.selectors) {
    // ACLDescribeSelector.
    std::string d;
    if (s.allkeys) {
      d += "~* ";
    } else {
      for (const AclKeyPattern& p : s.keys) d += PatternString(p) + " ";
    }
    if (s.allchannels) {
      d += "&* ";
    } else {
      d += "resetchannels ";
      for (const std::string& c : s.channels) d += "&" + c + " ";
    }
    d += DescribeCommands(s);
    res += s.root ? d : " (" + d + ")";
  }
  return res;
}

AclResult Acl::Check(const AclUser& u, const CommandFact& fact, std::span<const std::string> argv,
                     size_t* idx) const {
  const size_t id = Commands().id.at(&fact);
  AclResult relevant = AclResult::kDeniedCmd;
  size_t last_idx = 0;
  for (const AclSelector& s : u.selectors) {
    size_t local = 0;
    const AclResult r = SelectorCheck(s, id, argv, &local);
    if (r == AclResult::kOk) return r;
    if (r > relevant || (r == relevant && local > last_idx)) {
      relevant = r;
      last_idx = local;
    }
  }
  *idx = last_idx;
  return relevant;
}

bool Acl::CategoryCommands(std::string_view category, std::vector<std::string>* out) const {
  const uint32_t flag = CategoryFlag(category);
  if (flag == 0) return false;
  for (const AclCommand& c : Commands().list) {
    if ((c.categories & flag) != 0) out->push_back(c.fact->fullname);
  }
  return true;
}

}  // namespace respfuzz::engine
