// ACL in the reference model: acl.c of Redis 7.0.15 written again plainly.
// Users live in State::acl (reference_acl.h); a session has a user and an
// authenticated flag (Session::user, Session::authenticated). What each
// command is (its categories, whether it needs authentication, where its
// keys are) is redis-server 7.0.15's COMMAND INFO, recorded as data in
// reference_acl_data.inc by reference_acl_data.py.
//
// Selectors are users' extra rule sets ("(+get ~k*)"), each kept as an
// AclUser whose selector fields alone are used. Outside the model: an ACL
// file (LOAD and SAVE answer as a server started without one),
// acl-pubsub-default (resetchannels, 7.0's default). Where the
// server's order comes from a dict seeded per process (the single commands
// of a user's rules, ACL CAT <category>), the model lists them by name.
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"
#include "harnesses/models/request_reference.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

// ---------------------------------------------------------------------------
// The recorded command table.

enum KeyFlag {
  kRO = 1 << 0,
  kRW = 1 << 1,
  kOW = 1 << 2,
  kRM = 1 << 3,
  kAccess = 1 << 4,
  kUpdate = 1 << 5,
  kInsert = 1 << 6,
  kDelete = 1 << 7,
  kNotKey = 1 << 8,
  kIncomplete = 1 << 9,
  kVariableFlags = 1 << 10,
};

struct KeySpecData {
  int flags;
  int bs;  // 1 index, 2 keyword, 0 unknown
  int pos;
  const char* keyword;
  int fk;  // 1 range, 2 keynum, 0 unknown
  int a, b, c;
};

struct AclCommand {
  const char* name;
  int arity;
  bool no_auth;
  uint32_t categories;
  uint32_t flags;  // CommandInfoFlag bits
  std::vector<KeySpecData> specs;
};

const std::vector<AclCommand>& Commands() {
  static const std::vector<AclCommand> table = {
#include "harnesses/models/reference_acl_data.inc"
  };
  return table;
}

// ACL CAT's order (ACLCommandCategories).
const char* const kCategories[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
constexpr int kNumCategories = 21;

std::string LowerCase(const std::string& s) { return Lowered(s); }

// name -> index; a container's subcommands.
struct Index {
  std::map<std::string, size_t> by_name;
  std::map<size_t, std::vector<size_t>> subs;
  std::vector<size_t> top;  // the top-level commands (server.orig_commands)
};

const Index& TheIndex() {
  static const Index idx = [] {
    Index x;
    const auto& t = Commands();
    for (size_t i = 0; i < t.size(); ++i) x.by_name[t[i].name] = i;
    for (size_t i = 0; i < t.size(); ++i) {
      std::string n = t[i].name;
      size_t bar = n.find('|');
      if (bar == std::string::npos) {
        x.top.push_back(i);
      } else {
        x.subs[x.by_name.at(n.substr(0, bar))].push_back(i);
      }
    }
    return x;
  }();
  return idx;
}

// ACLLookupCommand: "cmd" or "container|sub", any case; -1 when unknown.
long Lookup(const std::string& name) {
  const Index& idx = TheIndex();
  const std::string l = LowerCase(name);
  size_t bar = l.find('|');
  if (bar != std::string::npos) {
    if (l.find('|', bar + 1) != std::string::npos) return -1;
    auto top = idx.by_name.find(l.substr(0, bar));
    if (top == idx.by_name.end() || idx.subs.count(top->second) == 0) return -1;
  }
  auto it = idx.by_name.find(l);
  return it == idx.by_name.end() ? -1 : static_cast<long>(it->second);
}

// lookupCommand over an argv: the container's subcommand when it has any
// and there is an argument.
long LookupArgv(const std::vector<std::string>& argv) {
  long base = Lookup(argv[0]);
  if (base < 0 || argv[0].find('|') != std::string::npos) return -1;
  if (argv.size() == 1 || TheIndex().subs.count(static_cast<size_t>(base)) == 0) return base;
  if (argv[1].find('|') != std::string::npos) return -1;
  return Lookup(argv[0] + "|" + argv[1]);
}

// ---------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), for the password hashes.

std::string Sha256Hex(const std::string& data) {
  static const uint32_t k[64] = {
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
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string m = data;
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  m.push_back(static_cast<char>(0x80));
  while (m.size() % 64 != 56) m.push_back('\0');
  for (int i = 7; i >= 0; --i) m.push_back(static_cast<char>((bits >> (i * 8)) & 0xff));
  auto rotr = [](uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      w[i] = 0;
      for (int j = 0; j < 4; ++j) {
        w[i] = (w[i] << 8) | static_cast<unsigned char>(m[off + static_cast<size_t>(i * 4 + j)]);
      }
    }
    for (int i = 16; i < 64; ++i) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      uint32_t ch = (e & f) ^ (~e & g);
      uint32_t t1 = hh + s1 + ch + k[i] + w[i];
      uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      uint32_t t2 = s0 + maj;
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
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (uint32_t v : h) {
    for (int i = 28; i >= 0; i -= 4) out.push_back(hex[(v >> i) & 0xf]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Users and their rules (ACLSetUser, ACLSetSelector).

AclUser NewUser(const std::string& name) {
  AclUser u;
  u.name = name;
  u.allowed.assign(Commands().size(), false);
  return u;
}

void SetBit(AclUser& u, size_t id, bool value) { u.allowed[id] = value; }

// ACLChangeSelectorPerm: the command, its first args dropped, its subcommands.
void ChangePerm(AclUser& u, size_t id, bool allow) {
  SetBit(u, id, allow);
  u.firstargs.erase(id);
  auto it = TheIndex().subs.find(id);
  if (it == TheIndex().subs.end()) return;
  for (size_t sub : it->second) SetBit(u, sub, allow);
}

int CategoryBit(const std::string& name) {
  for (int i = 0; i < kNumCategories; ++i) {
    if (EqualsIgnoreCase(name, kCategories[i])) return i;
  }
  return -1;
}

// ACLSetSelectorCommandBitsForCategory over every command, subcommands too.
void SetCategory(AclUser& u, int bit, bool allow) {
  const auto& t = Commands();
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].categories & (1u << bit)) ChangePerm(u, i, allow);
  }
}

void AllCommands(AclUser& u, bool allow) {
  u.firstargs.clear();
  u.allowed.assign(Commands().size(), allow);
  u.future = allow;
}

bool IsHash(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

const char* const kErrSyntax = "Syntax error";
const char* const kErrUnknown = "Unknown command or category name in ACL";
const char* const kErrKeysAfterAll =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
const char* const kErrChannelsAfterAll =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
const char* const kErrNoSuchPass =
    "The password you are trying to remove from the user does not exist";
const char* const kErrBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
const char* const kErrFirstArgOfSub = "Allowing first-arg of a subcommand is not supported";

// ACLStringHasSpaces: white space or a NUL (a pattern or a user name with
// one is refused).
bool HasSpace(const std::string& s) {
  for (char c : s) {
    if (isspace(static_cast<unsigned char>(c)) || c == '\0') return true;
  }
  return false;
}

std::string ApplySelectorRule(AclUser& u, const std::string& op);

// ACLSetUser for one rule: "" or the reason.
std::string ApplyRule(AclUser& u, const std::string& op) {
  // The keywords are compared as C strings (strcasecmp): up to a NUL.
  const std::string kw = CString(op);
  if (op.empty()) {
    // An empty rule does nothing (ACLSetUser's "no-operation"); SETUSER
    // still creates the user.
  } else if (EqualsIgnoreCase(kw, "on")) {
    u.enabled = true;
  } else if (EqualsIgnoreCase(kw, "off")) {
    u.enabled = false;
  } else if (EqualsIgnoreCase(kw, "skip-sanitize-payload")) {
    u.sanitize = 2;
  } else if (EqualsIgnoreCase(kw, "sanitize-payload")) {
    u.sanitize = 1;
  } else if (EqualsIgnoreCase(kw, "nopass")) {
    u.nopass = true;
    u.passwords.clear();
  } else if (EqualsIgnoreCase(kw, "resetpass")) {
    u.nopass = false;
    u.passwords.clear();
  } else if (EqualsIgnoreCase(kw, "clearselectors")) {
    u.selectors.clear();
  } else if (EqualsIgnoreCase(kw, "reset")) {
    ApplyRule(u, "resetpass");
    ApplyRule(u, "resetkeys");
    ApplyRule(u, "resetchannels");
    ApplyRule(u, "off");
    ApplyRule(u, "sanitize-payload");
    ApplyRule(u, "clearselectors");
    ApplyRule(u, "-@all");
  } else if (!op.empty() && (op[0] == '>' || op[0] == '#')) {
    std::string hash;
    if (op[0] == '>') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!IsHash(op.substr(1))) return kErrBadHash;
      hash = op.substr(1);
    }
    bool have = false;
    for (const std::string& p : u.passwords) have = have || p == hash;
    if (!have) u.passwords.push_back(hash);
    u.nopass = false;
  } else if (!op.empty() && (op[0] == '<' || op[0] == '!')) {
    std::string hash;
    if (op[0] == '<') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!IsHash(op.substr(1))) return kErrBadHash;
      hash = op.substr(1);
    }
    for (size_t i = 0; i < u.passwords.size(); ++i) {
      if (u.passwords[i] == hash) {
        u.passwords.erase(u.passwords.begin() + static_cast<long>(i));
        return "";
      }
    }
    return kErrNoSuchPass;
  } else if (op.size() >= 2 && op[0] == '(' && op.back() == ')') {
    // aclCreateSelectorFromOpSet: a new selector (no keys, channels or
    // commands) and the rules between the parentheses, split as
    // sdssplitargs splits them (the request model's ReferenceSplitArgs: a C
    // string, so the rules end at the first NUL; quotes group and escape).
    // Quotes that do not balance make sdssplitargs fail with no argument:
    // the selector is added with no rule (redis-server 7.0.15 answers OK to
    // "(+get\"~k5 ~k6)" and shows a selector of -@all and no keys).
    AclUser sel = NewUser("");
    const std::optional<std::vector<std::string>> rules =
        ReferenceSplitArgs(op.substr(1, op.size() - 2));
    for (const std::string& rule : rules.value_or(std::vector<std::string>())) {
      std::string reason = ApplySelectorRule(sel, rule);
      if (!reason.empty()) return reason;
    }
    u.selectors.push_back(std::move(sel));
  } else {
    return ApplySelectorRule(u, op);
  }
  return "";
}

// ACLSetSelector: a rule of a selector (the root one's fields of a user).
std::string ApplySelectorRule(AclUser& u, const std::string& op) {
  // Keywords and command and category names are C strings here (strcasecmp,
  // strrchr, lookupCommand of a C string): up to a NUL. Patterns keep
  // their length (a NUL in one is refused like a space).
  const std::string kw = CString(op);
  if (EqualsIgnoreCase(kw, "allkeys") || kw == "~*") {
    u.allkeys = true;
    u.patterns.clear();
  } else if (EqualsIgnoreCase(kw, "resetkeys")) {
    u.allkeys = false;
    u.patterns.clear();
  } else if (EqualsIgnoreCase(kw, "allchannels") || kw == "&*") {
    u.allchannels = true;
    u.channels.clear();
  } else if (EqualsIgnoreCase(kw, "resetchannels")) {
    u.allchannels = false;
    u.channels.clear();
  } else if (EqualsIgnoreCase(kw, "allcommands") || EqualsIgnoreCase(kw, "+@all")) {
    AllCommands(u, true);
  } else if (EqualsIgnoreCase(kw, "nocommands") || EqualsIgnoreCase(kw, "-@all")) {
    AllCommands(u, false);
  } else if (!op.empty() && (op[0] == '~' || op[0] == '%')) {
    if (u.allkeys) return kErrKeysAfterAll;
    int flags = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      for (; offset < op.size(); offset++) {
        const char ch = static_cast<char>(toupper(static_cast<unsigned char>(op[offset])));
        if (ch == 'R' && !(flags & 1)) {
          flags |= 1;
        } else if (ch == 'W' && !(flags & 2)) {
          flags |= 2;
        } else if (op[offset] == '~') {
          offset++;
          break;
        } else {
          return kErrSyntax;
        }
      }
    } else {
      flags = 3;
    }
    if (flags == 0) return kErrSyntax;
    const std::string pat = op.substr(std::min(offset, op.size()));
    if (HasSpace(pat)) return kErrSyntax;
    // "%RW~*" is a pattern like any other (only "~*" and allkeys set the flag).
    bool found = false;
    for (auto& p : u.patterns) {
      if (p.second == pat) {
        p.first |= flags;
        found = true;
      }
    }
    if (!found) u.patterns.emplace_back(flags, pat);
  } else if (!op.empty() && op[0] == '&') {
    if (u.allchannels) return kErrChannelsAfterAll;
    const std::string pat = op.substr(1);
    if (HasSpace(pat)) return kErrSyntax;
    bool found = false;
    for (const std::string& c : u.channels) found = found || c == pat;
    if (!found) u.channels.push_back(pat);
  } else if (!op.empty() && op[0] == '+' && (kw.size() < 2 || kw[1] != '@')) {
    const std::string rest = kw.substr(1);
    size_t bar = rest.rfind('|');
    if (bar == std::string::npos) {
      long id = Lookup(rest);
      if (id < 0) return kErrUnknown;
      ChangePerm(u, static_cast<size_t>(id), true);
    } else {
      const std::string base = rest.substr(0, bar), sub = rest.substr(bar + 1);
      long id = Lookup(base);
      if (id < 0) return kErrUnknown;
      if (base.find('|') != std::string::npos) return kErrFirstArgOfSub;
      if (sub.empty()) return kErrSyntax;
      if (TheIndex().subs.count(static_cast<size_t>(id)) != 0) {
        long sid = Lookup(rest);
        if (sid < 0) return kErrUnknown;
        ChangePerm(u, static_cast<size_t>(sid), true);
      } else {
        std::vector<std::string>& args = u.firstargs[static_cast<size_t>(id)];
        bool have = false;
        for (const std::string& a : args) have = have || Lowered(a) == Lowered(sub);
        if (!have) args.push_back(sub);
      }
    }
  } else if (!op.empty() && op[0] == '-' && (kw.size() < 2 || kw[1] != '@')) {
    long id = Lookup(kw.substr(1));
    if (id < 0) return kErrUnknown;
    ChangePerm(u, static_cast<size_t>(id), false);
  } else if (kw.size() >= 2 && (op[0] == '+' || op[0] == '-') && kw[1] == '@') {
    int bit = CategoryBit(kw.substr(2));
    if (bit < 0) return kErrUnknown;
    SetCategory(u, bit, op[0] == '+');
  } else {
    return kErrSyntax;
  }
  return "";
}

// ---------------------------------------------------------------------------
// Describing a user (ACLDescribeUser, ACLDescribeSelectorCommandRules).

std::string PatternString(const std::pair<int, std::string>& p) {
  if (p.first == 3) return "~" + p.second;
  if (p.first == 1) return "%R~" + p.second;
  return "%W~" + p.second;
}

std::string KeysText(const AclUser& u) {
  if (u.allkeys) return "~*";
  std::string out;
  for (const auto& p : u.patterns) out += (out.empty() ? "" : " ") + PatternString(p);
  return out;
}

std::string ChannelsText(const AclUser& u) {
  if (u.allchannels) return "&*";
  std::string out;
  for (const std::string& c : u.channels) out += (out.empty() ? "&" : " &") + c;
  return out;
}

// The single-command walk, in name order (the server's is its dict's).
void DescribeSingle(const AclUser& u, AclUser& fake, std::string& rules,
                    const std::vector<size_t>& ids) {
  const auto& t = Commands();
  for (size_t id : ids) {
    const bool userbit = u.allowed[id], fakebit = fake.allowed[id];
    if (userbit != fakebit) {
      rules += std::string(userbit ? "+" : "-") + t[id].name + " ";
      ChangePerm(fake, id, userbit);
    }
    auto subs = TheIndex().subs.find(id);
    if (subs != TheIndex().subs.end()) DescribeSingle(u, fake, rules, subs->second);
    auto fa = u.firstargs.find(id);
    if (!userbit && fa != u.firstargs.end()) {
      for (const std::string& a : fa->second)
        rules += std::string("+") + t[id].name + "|" + a + " ";
    }
  }
}

std::string CommandRules(const AclUser& u) {
  std::string rules;
  AclUser fake = NewUser("");
  const bool additive = !u.future;
  if (additive) {
    rules = "-@all ";
    AllCommands(fake, false);
  } else {
    rules = "+@all ";
    AllCommands(fake, true);
  }
  // The best fit first, again and again: of the categories not used yet,
  // one whose commands (subcommands included) agree with the user's bits more often than
  // not, with the fewest disagreements (then the most agreements, then the
  // first in ACL CAT's order). `temp` has the categories used so far undone.
  AclUser temp = u;
  const auto& t = Commands();
  bool applied[kNumCategories] = {};
  while (true) {
    int best = -1;
    unsigned long mindiff = ~0ul, maxsame = 0;
    for (int bit = 0; bit < kNumCategories; ++bit) {
      if (applied[bit]) continue;
      unsigned long on = 0, off = 0;  // over every command, subcommands too
      for (size_t id = 0; id < t.size(); ++id) {
        if (!(t[id].categories & (1u << bit))) continue;
        if (temp.allowed[id]) {
          on++;
        } else {
          off++;
        }
      }
      const unsigned long diff = additive ? off : on, same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
        best = bit;
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best < 0) break;
    SetCategory(fake, best, additive);
    SetCategory(temp, best, !additive);
    rules += std::string(additive ? "+@" : "-@") + kCategories[best] + " ";
    applied[best] = true;
  }
  DescribeSingle(u, fake, rules, TheIndex().top);
  if (!rules.empty()) rules.pop_back();
  return rules;
}

std::vector<std::string> FlagNames(const AclUser& u) {
  std::vector<std::string> out;
  out.push_back(u.enabled ? "on" : "off");
  if (u.nopass) out.push_back("nopass");
  if (u.sanitize == 2) out.push_back("skip-sanitize-payload");
  if (u.sanitize == 1) out.push_back("sanitize-payload");
  return out;
}

// ACLDescribeSelector: keys, channels, command rules.
std::string DescribeSelector(const AclUser& u) {
  std::string out;
  if (u.allkeys) {
    out += "~* ";
  } else {
    for (const auto& p : u.patterns) out += PatternString(p) + " ";
  }
  if (u.allchannels) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    for (const std::string& c : u.channels) out += "&" + c + " ";
  }
  return out + CommandRules(u);
}

std::string DescribeUser(const AclUser& u) {
  std::string out = "user " + u.name;
  for (const std::string& f : FlagNames(u)) out += " " + f;
  for (const std::string& p : u.passwords) out += " #" + p;
  out += " " + DescribeSelector(u);
  for (const AclUser& sel : u.selectors) out += " (" + DescribeSelector(sel) + ")";
  return out;
}

// ---------------------------------------------------------------------------
// Permission checks (ACLSelectorCheckCmd, getKeysFromCommandWithSpecs).

struct KeyRef {
  size_t pos;
  int flags;
};

// getKeysUsingKeySpecs; false for an invalid spec (the caller falls back).
bool KeysBySpecs(const AclCommand& cmd, const std::vector<std::string>& argv,
                 std::vector<KeyRef>* keys) {
  const int argc = static_cast<int>(argv.size());
  for (const KeySpecData& spec : cmd.specs) {
    if (spec.flags & kNotKey) continue;
    int first = 0;
    if (spec.bs == 1) {
      first = spec.pos;
    } else if (spec.bs == 2) {
      const int start = spec.pos > 0 ? spec.pos : argc + spec.pos;
      const int end = spec.pos > 0 ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (EqualsIgnoreCase(argv[static_cast<size_t>(i)], spec.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else {
      return false;
    }
    int last = 0, step = 1;
    if (spec.fk == 1) {
      step = spec.b;
      if (spec.a >= 0) {
        last = first + spec.a;
      } else if (!spec.c) {
        last = argc + spec.a;
      } else {
        last = first + ((argc - first) / spec.c + spec.a);
      }
    } else if (spec.fk == 2) {
      step = spec.c;
      if (spec.a >= argc) return false;
      int64_t numkeys = 0;
      const int at = first + spec.a;
      if (at >= argc || !String2ll(argv[static_cast<size_t>(at)], &numkeys) || numkeys < 0) {
        return false;
      }
      first += spec.b;
      last = first + static_cast<int>(numkeys) - 1;
    } else {
      return false;
    }
    if (last >= argc || last < first || first >= argc) return false;
    for (int i = first; i <= last; i += step) {
      if (i >= argc || i < first) continue;
      keys->push_back({static_cast<size_t>(i), spec.flags});
    }
    if (spec.flags & kIncomplete) return false;
  }
  return true;
}

// The getkeys procs of the commands whose specs are not enough (sort,
// sort_ro, set, bitfield); the others find no keys when a spec is invalid
// (their procs find none where the specs fail: a bad numkeys).
std::vector<KeyRef> CommandKeys(const AclCommand& cmd, const std::vector<std::string>& argv) {
  const std::string name = cmd.name;
  std::vector<KeyRef> keys;
  if (name == "sort" || name == "sort_ro") {
    keys.push_back({1, kRO | kAccess});
    if (name == "sort") {
      size_t store = 0;
      for (size_t i = 2; i < argv.size(); i++) {
        if (EqualsIgnoreCase(argv[i], "limit")) {
          i += 2;
        } else if (EqualsIgnoreCase(argv[i], "get") || EqualsIgnoreCase(argv[i], "by")) {
          i += 1;
        } else if (EqualsIgnoreCase(argv[i], "store") && i + 1 < argv.size()) {
          store = i + 1;
        }
      }
      if (store) keys.push_back({store, kOW | kUpdate});
    }
    return keys;
  }
  if (name == "set") {
    int flags = kOW | kUpdate;
    for (size_t i = 3; i < argv.size(); i++) {
      if (CString(argv[i]).size() == 3 && EqualsIgnoreCase(CString(argv[i]), "get")) {
        flags = kRW | kAccess | kUpdate;
        break;
      }
    }
    keys.push_back({1, flags});
    return keys;
  }
  if (name == "bitfield") {
    bool readonly = true;
    for (size_t i = 2; i < argv.size(); i++) {
      const size_t remargs = argv.size() - i - 1;
      if (EqualsIgnoreCase(argv[i], "get") && remargs >= 2) {
        i += 2;
      } else if ((EqualsIgnoreCase(argv[i], "set") || EqualsIgnoreCase(argv[i], "incrby")) &&
                 remargs >= 3) {
        readonly = false;
        break;
      } else if (EqualsIgnoreCase(argv[i], "overflow") && remargs >= 1) {
        i += 1;
      } else {
        readonly = false;
        break;
      }
    }
    keys.push_back({1, readonly ? (kRO | kAccess) : (kRW | kAccess | kUpdate)});
    return keys;
  }
  if (!KeysBySpecs(cmd, argv, &keys)) keys.clear();
  return keys;
}

enum Denied { kOk = 0, kDeniedCmd = 1, kDeniedKey = 2, kDeniedChannel = 4 };

// getChannelsFromCommand's table, the publishing and subscribing rows:
// (first, count or -1, pattern).
bool ChannelArgs(const std::string& name, size_t* first, long* count, bool* pattern) {
  *first = 1;
  *pattern = false;
  if (name == "subscribe" || name == "ssubscribe") {
    *count = -1;
  } else if (name == "psubscribe") {
    *count = -1;
    *pattern = true;
  } else if (name == "publish" || name == "spublish") {
    *count = 1;
  } else {
    return false;  // the unsubscribe commands are not checked
  }
  return true;
}

// ACLSelectorCheckCmd for the user's root selector; *pos: the denied arg.
int CheckCmd(const AclUser& u, size_t id, const std::vector<std::string>& argv, size_t* pos) {
  const AclCommand& cmd = Commands()[id];
  if (!cmd.no_auth && !u.allowed[id]) {
    auto fa = u.firstargs.find(id);
    if (argv.size() < 2 || fa == u.firstargs.end()) return kDeniedCmd;
    const size_t idx = std::string(cmd.name).find('|') != std::string::npos ? 2 : 1;
    if (idx >= argv.size()) return kDeniedCmd;
    bool match = false;
    for (const std::string& a : fa->second) {
      match = match || (Lowered(CString(argv[idx])) == Lowered(a));
    }
    if (!match) return kDeniedCmd;
  }
  if (!u.allkeys && !cmd.specs.empty()) {
    for (const KeyRef& k : CommandKeys(cmd, argv)) {
      int need = 0;
      if (k.flags & kAccess) need |= 1;
      if (k.flags & (kInsert | kDelete | kUpdate)) need |= 2;
      bool ok = false;
      for (const auto& p : u.patterns) {
        if ((p.first & need) != need) continue;
        if (StringMatch(p.second, argv[k.pos])) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        *pos = k.pos;
        return kDeniedKey;
      }
    }
  }
  size_t first;
  long count;
  bool pattern;
  if (!u.allchannels && ChannelArgs(cmd.name, &first, &count, &pattern)) {
    size_t stop = count < 0 ? argv.size() : first + static_cast<size_t>(count);
    if (stop > argv.size()) stop = argv.size();
    for (size_t i = first; i < stop; i++) {
      bool ok = false;
      for (const std::string& c : u.channels) {
        if (pattern ? c == argv[i] : StringMatch(c, argv[i])) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        *pos = i;
        return kDeniedChannel;
      }
    }
  }
  return kOk;
}

// ACLCheckAllUserCommandPerm: allowed when any selector allows it, else
// the most relevant refusal (channel > key > command) and its argument.
int CheckAll(const AclUser& u, size_t id, const std::vector<std::string>& argv, size_t* pos) {
  int worst = CheckCmd(u, id, argv, pos);
  if (worst == kOk) return kOk;
  for (const AclUser& sel : u.selectors) {
    size_t p = 0;
    const int r = CheckCmd(sel, id, argv, &p);
    if (r == kOk) return kOk;
    if (r > worst) {
      worst = r;
      *pos = p;
    }
  }
  return worst;
}

AclUser& SessionUser(State& st, int session) { return st.acl.users.at(st.sessions[session].user); }

bool AuthRequired(State& st, int session) {
  const AclUser& def = st.acl.users.at("default");
  return (!def.nopass || !def.enabled) && !st.sessions[session].authenticated;
}

// ACLCheckUserCredentials + ACLAuthenticateUser.
bool Authenticate(State& st, int session, const std::string& user, const std::string& pass) {
  auto it = st.acl.users.find(user);
  if (it == st.acl.users.end() || !it->second.enabled) return false;
  bool ok = it->second.nopass;
  if (!ok) {
    const std::string hash = Sha256Hex(pass);
    for (const std::string& p : it->second.passwords) ok = ok || p == hash;
  }
  if (!ok) return false;
  st.sessions[session].user = user;
  st.sessions[session].authenticated = true;
  return true;
}

// addACLLogEntry. The entry names the session's user and its CLIENT INFO
// line of this moment. Among the ten newest entries, one with the same
// reason, context, object and user whose last time is at most 60 s away
// takes this one in: its count goes up by one, its time and client line
// become this one's, and it moves to the front. Else this one is put in
// front, and the oldest go while the log is longer than acllog-max-len.
void AddLogEntry(State& st, int session, const std::string& reason, const std::string& context,
                 const std::string& object, const std::string& username) {
  AclLogRecord rec;
  rec.reason = reason;
  rec.context = context;
  rec.object = object;
  rec.username = username;
  rec.ctime = st.now;
  rec.cinfo = ClientInfoText(st.sessions[session]);
  std::vector<AclLogRecord>& log = st.acl.log;
  for (size_t i = 0; i < log.size() && i < 10; ++i) {
    const AclLogRecord& old = log[i];
    const int64_t apart = old.ctime > rec.ctime ? old.ctime - rec.ctime : rec.ctime - old.ctime;
    if (old.reason == reason && old.context == context && apart <= 60000 && old.object == object &&
        old.username == username) {
      rec.count = old.count + 1;
      log.erase(log.begin() + static_cast<long>(i));
      log.insert(log.begin(), rec);
      return;
    }
  }
  log.insert(log.begin(), rec);
  while (log.size() > static_cast<uint64_t>(st.config.acllog_max_len)) log.pop_back();
}

const char* const kWrongPass = "-WRONGPASS invalid username-password pair or user is disabled.";

// ---------------------------------------------------------------------------
// The commands.

Value Auth(Ctx& c) {
  if (c.argc() > 3) return c.Syntax();
  std::string user = "default", pass;
  if (c.argc() == 2) {
    if (c.st.acl.users.at("default").nopass) {
      return c.Err(
          "AUTH <password> called without any password configured for the default user. Are you "
          "sure your configuration is correct?");
    }
    pass = c.argv[1];
  } else {
    user = c.argv[1];
    pass = c.argv[2];
  }
  if (!Authenticate(c.st, c.session, user, pass)) {
    AddLogEntry(c.st, c.session, "auth", c.s().multi ? "multi" : "toplevel", c.argv[0], user);
    return c.Err(kWrongPass);
  }
  return c.Ok();
}

Value AclSetUser(Ctx& c) {
  const std::string& name = c.argv[2];
  // ACLStringHasSpaces: any white space (isspace: \t \n \v \f \r too), or a NUL.
  if (HasSpace(name)) {
    return c.Err("Usernames can't contain spaces or null characters");
  }
  // ACLMergeSelectorArguments: "(+get" "~k*)" is one rule, "(+get ~k*)".
  // The opening argument is kept whole, the others appended as C strings
  // (up to a NUL); a second opening argument starts over.
  std::vector<std::string> rules;
  long open = -1;
  for (size_t j = 3; j < c.argc(); j++) {
    const std::string& op = c.argv[j];
    if (!op.empty() && op[0] == '(' && op.back() != ')') {
      if (open >= 0) rules.pop_back();  // the selector begun before is dropped
      open = static_cast<long>(j);
      rules.push_back(op);
      continue;
    }
    if (open >= 0) {
      rules.back() += " " + CString(op);
      if (!op.empty() && op.back() == ')') open = -1;
      continue;
    }
    rules.push_back(op);
  }
  if (open >= 0) {
    return c.Err(SanitizeErrorText("Unmatched parenthesis in acl selector starting at '" +
                                   CString(c.argv[static_cast<size_t>(open)]) + "'."));
  }
  auto it = c.st.acl.users.find(name);
  AclUser temp = it != c.st.acl.users.end() ? it->second : NewUser(name);
  for (const std::string& rule : rules) {
    std::string reason = ApplyRule(temp, rule);
    if (!reason.empty()) {
      return c.Err(
          SanitizeErrorText("Error in ACL SETUSER modifier '" + CString(rule) + "': " + reason));
    }
  }
  c.st.acl.users[name] = temp;
  return c.Ok();
}

Value AclGetUser(Ctx& c) {
  auto it = c.st.acl.users.find(c.argv[2]);
  if (it == c.st.acl.users.end()) return c.Null();
  const AclUser& u = it->second;
  std::vector<Value> flags, passwords;
  for (const std::string& f : FlagNames(u)) flags.push_back(c.Bulk(f));
  for (const std::string& p : u.passwords) passwords.push_back(c.Bulk(p));
  std::vector<Value> selectors;
  for (const AclUser& sel : u.selectors) {
    selectors.push_back(
        c.Map({c.Bulk("commands"), c.Bulk(CommandRules(sel)), c.Bulk("keys"), c.Bulk(KeysText(sel)),
               c.Bulk("channels"), c.Bulk(ChannelsText(sel))}));
  }
  return c.Map({c.Bulk("flags"), c.SetOf(std::move(flags)), c.Bulk("passwords"),
                c.Array(std::move(passwords)), c.Bulk("commands"), c.Bulk(CommandRules(u)),
                c.Bulk("keys"), c.Bulk(KeysText(u)), c.Bulk("channels"), c.Bulk(ChannelsText(u)),
                c.Bulk("selectors"), c.Array(std::move(selectors))});
}

Value AclDelUser(Ctx& c) {
  for (size_t j = 2; j < c.argc(); j++) {
    if (c.argv[j] == "default") return c.Err("The 'default' user cannot be removed");
  }
  int64_t deleted = 0;
  for (size_t j = 2; j < c.argc(); j++) {
    if (c.st.acl.users.erase(c.argv[j]) == 0) continue;
    deleted++;
    // ACLFreeUserAndKillClients: its connections are closed. The model
    // gives each such session a new connection (the default user).
    for (size_t s = 0; s < c.st.sessions.size(); s++) {
      if (c.st.sessions[s].user == c.argv[j]) AclResetSessionUser(c.st, static_cast<int>(s));
    }
  }
  return c.Int(deleted);
}

Value AclUsers(Ctx& c) {
  std::vector<Value> out;
  for (const auto& [name, u] : c.st.acl.users) out.push_back(c.Bulk(name));
  return c.Array(std::move(out));
}

Value AclList(Ctx& c) {
  std::vector<Value> out;
  for (const auto& [name, u] : c.st.acl.users) out.push_back(c.Bulk(DescribeUser(u)));
  return c.Array(std::move(out));
}

Value AclWhoami(Ctx& c) { return c.Bulk(c.s().user); }

// addReplySubcommandSyntaxError.
Value SubcommandSyntax(Ctx& c) {
  return c.Err(SanitizeErrorText("unknown subcommand or wrong number of arguments for '" +
                                 CString(c.argv[1]).substr(0, 128) + "'. Try ACL HELP."));
}

Value AclCat(Ctx& c) {
  if (c.argc() > 3) return SubcommandSyntax(c);
  std::vector<Value> out;
  if (c.argc() == 2) {
    for (const char* cat : kCategories) out.push_back(c.Bulk(cat));
    return c.Array(std::move(out));
  }
  const int bit = CategoryBit(c.argv[2]);
  if (bit < 0) return c.Err(SanitizeErrorText("Unknown category '" + CString(c.argv[2]) + "'"));
  for (const AclCommand& cmd : Commands()) {
    if (cmd.categories & (1u << bit)) out.push_back(c.Bulk(cmd.name));
  }
  return c.Array(std::move(out));
}

Value AclGenPass(Ctx& c) {
  int64_t bits = 256;
  Value err;
  if (c.argc() == 3) {
    if (!c.GetLongLong(c.argv[2], &bits, &err)) return err;
    if (bits <= 0 || bits > 4096) {
      return c.Err(
          "ACL GENPASS argument must be the number of bits for the output password, a positive "
          "number up to 4096");
    }
  } else if (c.argc() > 3) {
    return SubcommandSyntax(c);
  }
  const int64_t chars = (bits + 3) / 4;
  static const char* hex = "0123456789abcdef";
  std::string out;
  // A stream of its own (State::genpass_random_state): GENPASS must not move
  // RANDOMKEY's and the random commands' draws.
  for (int64_t i = 0; i < chars; i++) {
    c.st.genpass_random_state += 0x9e3779b97f4a7c15ULL;  // splitmix64
    uint64_t z = c.st.genpass_random_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    out.push_back(hex[(z ^ (z >> 31)) & 0xf]);
  }
  return c.Bulk(out);
}

Value AclDryRun(Ctx& c) {
  auto it = c.st.acl.users.find(c.argv[2]);
  if (it == c.st.acl.users.end()) {
    return c.Err(SanitizeErrorText("User '" + CString(c.argv[2]) + "' not found"));
  }
  const std::vector<std::string> argv(c.argv.begin() + 3, c.argv.end());
  const long id = LookupArgv(argv);
  if (id < 0) return c.Err(SanitizeErrorText("Command '" + CString(argv[0]) + "' not found"));
  const AclCommand& cmd = Commands()[static_cast<size_t>(id)];
  const int n = static_cast<int>(argv.size());
  if ((cmd.arity > 0 && cmd.arity != n) || n < -cmd.arity) {
    return c.Err(std::string("wrong number of arguments for '") + cmd.name + "' command");
  }
  size_t pos = 0;
  switch (CheckAll(it->second, static_cast<size_t>(id), argv, &pos)) {
    case kDeniedCmd:
      return c.Bulk(std::string("This user has no permissions to run the '") + cmd.name +
                    "' command");
    case kDeniedKey:
      return c.Bulk("This user has no permissions to access the '" + CString(argv[pos]) + "' key");
    case kDeniedChannel:
      return c.Bulk("This user has no permissions to access the '" + CString(argv[pos]) +
                    "' channel");
    default:
      return c.Ok();
  }
}

// ACL LOAD and ACL SAVE: the model, like a server started without
// aclfile, has no ACL file.
Value AclNoFile(Ctx& c) {
  return c.Err(
      "This Redis instance is not configured to use an ACL file. You may want to specify users "
      "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
      "configuration file set) in order to store users in the Redis configuration.");
}

Value AclHelp(Ctx& c) {
  std::vector<Value> out;
  for (const char* l : {
           "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
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
       }) {
    out.push_back(Value::Simple(l));
  }
  return c.Array(std::move(out));
}

// The permission check of a command by the session's user: Denied.
int SessionCheck(State& st, int session, const std::vector<std::string>& argv,
                 const std::string& name, size_t* pos) {
  const long id = Lookup(name);
  if (id < 0) return kOk;
  return CheckAll(SessionUser(st, session), static_cast<size_t>(id), argv, pos);
}

// A refusal of the permission check, logged: the command's full name, or
// the key or channel at `pos`.
void LogDenied(State& st, int session, int denied, const std::string& context,
               const std::vector<std::string>& argv, size_t pos, const std::string& name) {
  if (denied == kOk) return;
  const char* reason = denied == kDeniedCmd ? "command" : denied == kDeniedKey ? "key" : "channel";
  AddLogEntry(st, session, reason, context, denied == kDeniedCmd ? name : argv[pos],
              st.sessions[session].user);
}

// ACL LOG [<count> | RESET].
Value AclLog(Ctx& c) {
  if (c.argc() > 3) {
    return c.Err("unknown subcommand or wrong number of arguments for '" + c.argv[1] +
                 "'. Try ACL HELP.");
  }
  std::vector<AclLogRecord>& log = c.st.acl.log;
  int64_t count = 10;
  if (c.argc() == 3) {
    if (Lowered(c.argv[2]) == "reset") {
      log.clear();
      return c.Ok();
    }
    Value err;
    if (!c.GetLong(c.argv[2], &count, &err)) return err;
    count = std::max<int64_t>(count, 0);
  }
  std::vector<Value> out;
  for (size_t i = 0; i < log.size() && static_cast<int64_t>(i) < count; ++i) {
    const AclLogRecord& r = log[i];
    out.push_back(
        c.Map({c.Bulk("count"), c.Int(static_cast<int64_t>(r.count)), c.Bulk("reason"),
               c.Bulk(r.reason), c.Bulk("context"), c.Bulk(r.context), c.Bulk("object"),
               c.Bulk(r.object), c.Bulk("username"), c.Bulk(r.username), c.Bulk("age-seconds"),
               c.Double(static_cast<double>(c.st.now - r.ctime) / 1000.0), c.Bulk("client-info"),
               c.Bulk(r.cinfo)}));
  }
  return c.Array(std::move(out));
}

}  // namespace

void AclInit(State& st) {
  AclUser def = NewUser("default");
  ApplyRule(def, "+@all");
  ApplyRule(def, "~*");
  ApplyRule(def, "&*");
  ApplyRule(def, "on");
  ApplyRule(def, "nopass");
  st.acl.users["default"] = def;
}

void AclResetSessionUser(State& st, int session) {
  const AclUser& def = st.acl.users.at("default");
  st.sessions[session].user = "default";
  st.sessions[session].authenticated = def.nopass && def.enabled;
}

std::vector<CommandSpec> AclCommands() { return {{"auth", -2, Auth}}; }

const std::map<std::string, CommandSpec>& AclSubcommands() {
  static const std::map<std::string, CommandSpec> subs = {
      {"acl|setuser", {"acl|setuser", -3, AclSetUser}},
      {"acl|getuser", {"acl|getuser", 3, AclGetUser}},
      {"acl|deluser", {"acl|deluser", -3, AclDelUser}},
      {"acl|users", {"acl|users", 2, AclUsers}},
      {"acl|list", {"acl|list", 2, AclList}},
      {"acl|whoami", {"acl|whoami", 2, AclWhoami}},
      {"acl|cat", {"acl|cat", -2, AclCat}},
      {"acl|genpass", {"acl|genpass", -2, AclGenPass}},
      {"acl|dryrun", {"acl|dryrun", -4, AclDryRun}},
      {"acl|load", {"acl|load", 2, AclNoFile}},
      {"acl|save", {"acl|save", 2, AclNoFile}},
      {"acl|help", {"acl|help", 2, AclHelp}},
      {"acl|log", {"acl|log", -2, AclLog}},
  };
  return subs;
}

std::string AclRejection(State& st, int session, const std::vector<std::string>& argv,
                         const std::string& name) {
  const long id = Lookup(name);
  const bool no_auth = id >= 0 && Commands()[static_cast<size_t>(id)].no_auth;
  if (AuthRequired(st, session) && !no_auth) return "-NOAUTH Authentication required.";
  size_t pos = 0;
  const int denied = SessionCheck(st, session, argv, name, &pos);
  LogDenied(st, session, denied, st.sessions[session].multi ? "multi" : "toplevel", argv, pos,
            name);
  switch (denied) {
    case kDeniedCmd:
      return "-NOPERM this user has no permissions to run the '" + name + "' command";
    case kDeniedKey:
      return "-NOPERM this user has no permissions to access one of the keys used as arguments";
    case kDeniedChannel:
      return "-NOPERM this user has no permissions to access one of the channels used as "
             "arguments";
    default:
      return "";
  }
}

std::string AclUnmodelledRejection(State& st, int session, const std::vector<std::string>& argv) {
  const long id = LookupArgv(argv);
  if (id < 0) return "";
  const AclCommand& cmd = Commands()[static_cast<size_t>(id)];
  const int n = static_cast<int>(argv.size());
  if ((cmd.arity > 0 && cmd.arity != n) || n < -cmd.arity) {
    return std::string("wrong number of arguments for '") + cmd.name + "' command";
  }
  return AclRejection(st, session, argv, cmd.name);
}

std::string AclExecRejection(State& st, int session, const std::vector<std::string>& argv,
                             const std::string& name) {
  const char* reason = nullptr;
  size_t pos = 0;
  const int denied = SessionCheck(st, session, argv, name, &pos);
  LogDenied(st, session, denied, "multi", argv, pos, name);
  switch (denied) {
    case kDeniedCmd:
      reason = "no permission to execute the command or subcommand";
      break;
    case kDeniedKey:
      reason = "no permission to touch the specified keys";
      break;
    case kDeniedChannel:
      reason = "no permission to access one of the channels used as arguments";
      break;
    default:
      return "";
  }
  return std::string(
             "NOPERM ACLs rules changed between the moment the transaction was accumulated and "
             "the EXEC call. This command is no longer allowed for the following reason: ") +
         reason;
}

std::string AclScriptRejection(State& st, int session, const std::vector<std::string>& argv,
                               const std::string& name) {
  size_t pos = 0;
  const int denied = SessionCheck(st, session, argv, name, &pos);
  LogDenied(st, session, denied, "lua", argv, pos, name);
  switch (denied) {
    case kDeniedCmd:
      return "The user executing the script can't run this command or subcommand";
    case kDeniedKey:
      return "The user executing the script can't access at least one of the keys mentioned in "
             "the command arguments";
    case kDeniedChannel:
      return "The user executing the script can't publish to the channel mentioned in the "
             "command";
    default:
      return "";
  }
}

bool AclScriptAllowed(State& st, int session, const std::vector<std::string>& argv,
                      const std::string& name) {
  size_t pos = 0;  // redis.acl_check_cmd logs nothing
  return SessionCheck(st, session, argv, name, &pos) == kOk;
}

std::string AclHelloAuth(State& st, int session, const std::string& argv0, const std::string* user,
                         const std::string* pass) {
  if (user != nullptr && !Authenticate(st, session, *user, *pass)) {
    AddLogEntry(st, session, "auth", st.sessions[session].multi ? "multi" : "toplevel", argv0,
                *user);
    return kWrongPass;
  }
  if (!st.sessions[session].authenticated) {
    return "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
           "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
           "the RESP protocol version at the same time";
  }
  return "";
}

void AclSetRequirepass(State& st, const std::string& value) {
  st.acl.requirepass = value;
  AclUser& def = st.acl.users.at("default");
  ApplyRule(def, "resetpass");
  ApplyRule(def, value.empty() ? std::string("nopass") : ">" + value);
}

// ---------------------------------------------------------------------------
// COMMAND INFO's flags and arity, for the checks that read them.

bool CommandInfoHas(const std::string& full) { return Lookup(full) >= 0; }

bool MayReplicateCommand(const std::string& full) {
  return full == "publish" || full == "spublish" || full == "pfcount" || full == "eval" ||
         full == "evalsha" || full == "fcall";
}

uint32_t CommandInfoFlags(const std::string& full) {
  const long id = Lookup(full);
  return id < 0 ? 0 : Commands()[static_cast<size_t>(id)].flags;
}

bool CommandInfoOf(const std::vector<std::string>& argv, int* arity, uint32_t* flags) {
  const long id = argv.empty() ? -1 : LookupArgv(argv);
  if (id < 0) return false;
  *arity = Commands()[static_cast<size_t>(id)].arity;
  *flags = Commands()[static_cast<size_t>(id)].flags;
  return true;
}

}  // namespace respfuzz::models::refmodel
