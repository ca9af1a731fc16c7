#include "harnesses/invalidation/program.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/invalidation/raw_ops.h"
#include "src/resp/request.h"

namespace respfuzz::harnesses::invalidation {

namespace {

// Pools are small so that ops collide: the same keys, fields and prefixes
// come back again and again. Keys are named by type (h: hashes, s: sets, l:
// lists, z: sorted sets) so that most ops hit a key of the right type, and
// "user:" keys meet the "user:" prefixes.
constexpr std::array<std::string_view, 16> kKeys = {"k1",     "k2",     "k3", "k4",  "h1", "h2",
                                                    "s1",     "s2",     "l1", "l2",  "z1", "z2",
                                                    "user:1", "user:2", "x",  "{k}1"};
constexpr std::array<std::string_view, 16> kFields = {
    "f1", "f2", "f3", "m1", "m2", "m3", "a", "b", "c", "", "k1", "0", "1", "-1", "x y", "\xff"};
constexpr std::array<std::string_view, 16> kValues = {"v1",
                                                      "v2",
                                                      "v3",
                                                      "",
                                                      "0",
                                                      "1",
                                                      "-1",
                                                      "10",
                                                      "abc",
                                                      "hello world",
                                                      "x\r\ny",
                                                      "1.5",
                                                      "9223372036854775807",
                                                      "k1",
                                                      "f1",
                                                      "\xff\xfe"};
constexpr std::array<std::string_view, 16> kInts = {"0",
                                                    "1",
                                                    "-1",
                                                    "2",
                                                    "3",
                                                    "5",
                                                    "10",
                                                    "100",
                                                    "-2",
                                                    "-100",
                                                    "1000",
                                                    "2147483648",
                                                    "9223372036854775807",
                                                    "-9223372036854775808",
                                                    "1.5",
                                                    "abc"};
constexpr std::array<std::string_view, 16> kRanges = {"-inf", "+inf", "0",  "1",  "2",   "(1",
                                                      "(2",   "1.5",  "-1", "10", "nan", "abc",
                                                      "[a",   "(b",   "-",  "+"};
// SWAPDB 0 1 and SELECT 0/1 come most often.
constexpr std::array<std::string_view, 8> kDbs = {"0", "1", "0", "1", "2", "15", "16", "-1"};
constexpr std::array<std::string_view, 16> kPrefixes = {
    "k",      "k1", "k2",  "h", "s",  "l",  "z",  "user:",
    "user:1", "x",  "{k}", "a", "k3", "h1", "us", "user:2"};

constexpr std::array<CommandShape, 29> kReads = {{
    {"GET", "k", ""},        {"MGET", "k", "k"},        {"STRLEN", "k", ""},
    {"GETRANGE", "kii", ""}, {"EXISTS", "k", "k"},      {"TYPE", "k", ""},
    {"HGET", "kf", ""},      {"HMGET", "kf", "f"},      {"HGETALL", "k", ""},
    {"HEXISTS", "kf", ""},   {"HLEN", "k", ""},         {"HKEYS", "k", ""},
    {"HVALS", "k", ""},      {"HSTRLEN", "kf", ""},     {"SMEMBERS", "k", ""},
    {"SISMEMBER", "kf", ""}, {"SMISMEMBER", "kf", "f"}, {"SCARD", "k", ""},
    {"LRANGE", "kii", ""},   {"LINDEX", "ki", ""},      {"LLEN", "k", ""},
    {"ZRANGE", "kii", ""},   {"ZSCORE", "kf", ""},      {"ZMSCORE", "kf", "f"},
    {"ZCARD", "k", ""},      {"ZRANK", "kf", ""},       {"ZREVRANK", "kf", ""},
    {"ZCOUNT", "krr", ""},   {"ZLEXCOUNT", "krr", ""},
}};

constexpr std::array<CommandShape, 38> kWrites = {{
    // strings
    {"SET", "kv", ""},
    {"SETNX", "kv", ""},
    {"PSETEX", "kiv", ""},
    {"APPEND", "kv", ""},
    {"INCR", "k", ""},
    {"INCRBY", "ki", ""},
    {"SETRANGE", "kiv", ""},
    {"GETDEL", "k", ""},
    {"MSET", "kv", "kv"},
    // keys
    {"DEL", "k", "k"},
    {"UNLINK", "k", "k"},
    {"EXPIRE", "ki", ""},
    {"PEXPIRE", "ki", ""},
    {"PERSIST", "k", ""},
    {"RENAME", "kk", ""},
    {"COPY", "kk", ""},
    // hashes
    {"HSET", "kfv", "fv"},
    {"HDEL", "kf", "f"},
    {"HINCRBY", "kfi", ""},
    // sets
    {"SADD", "kf", "f"},
    {"SREM", "kf", "f"},
    {"SMOVE", "kkf", ""},
    // lists
    {"LPUSH", "kv", "v"},
    {"RPUSH", "kv", "v"},
    {"LPOP", "k", ""},
    {"RPOP", "k", ""},
    {"LSET", "kiv", ""},
    {"LTRIM", "kii", ""},
    {"LREM", "kiv", ""},
    // sorted sets
    {"ZADD", "kif", "if"},
    {"ZREM", "kf", "f"},
    {"ZINCRBY", "kif", ""},
    {"ZPOPMIN", "k", ""},
    {"ZREMRANGEBYSCORE", "krr", ""},
    // whole dbs, and the connection's db
    {"FLUSHALL", "", ""},
    {"FLUSHDB", "", ""},
    {"SWAPDB", "dd", ""},
    {"SELECT", "d", ""},
}};

// The block op (blocking_ops.cc): timeouts in seconds (0 blocks for ever;
// "-1" and "x" are refused with an error), and the ends.
constexpr std::array<std::string_view, 8> kTimeouts = {"0",   "0.1", "1",  "2",
                                                       "0.5", "1.5", "-1", "x"};
constexpr std::array<std::string_view, 4> kWheres = {"LEFT", "RIGHT", "MIN", "MAX"};
constexpr std::array<CommandShape, 8> kBlocks = {{
    {"BLPOP", "kt", ""},
    {"BRPOP", "kt", ""},
    {"BLMOVE", "kkwwt", ""},
    {"BRPOPLPUSH", "kkt", ""},
    {"BLMPOP", "tikw", ""},
    {"BZPOPMIN", "kt", ""},
    {"BZPOPMAX", "kt", ""},
    {"BZMPOP", "tikw", ""},
}};

constexpr std::array<uint32_t, 16> kClock = {1,    10,   99,   100,  101,  250,   500,   999,
                                             1000, 1001, 1500, 2000, 5000, 10000, 60000, 3600000};
// kConfigMaxmemory (memory accounting): 0 (no limit), and limits a few
// keys above the engine's used_memory baseline (1 MiB).
constexpr std::array<uint32_t, 16> kMaxmemorySteps = {
    0,       1048576, 1048600, 1048650, 1048700, 1048800, 1048900, 1049000,
    1049200, 1049500, 1050000, 1052000, 1056000, 1064000, 1100000, 2000000};
constexpr std::array<std::string_view, 8> kPolicyNames = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru",  "allkeys-lfu",  "allkeys-random",  "noeviction"};
constexpr std::array<uint32_t, 16> kTableKeys = {0,  1,  2,   3,    4,       5, 6, 8,
                                                 10, 16, 100, 1000, 1000000, 0, 1, 2};
// A cache's limits: the default first, then small ones so that eviction runs
// within a program's few hundred ops (an entry of GET k1 takes about 20
// bytes, EntryBytes), the last one the escape.
constexpr std::array<uint32_t, 8> kEntrySteps = {kMaxCacheEntries, 0, 1, 2, 3, 4, 8, 0};
constexpr std::array<uint32_t, 16> kByteSteps = {
    kMaxCacheBytes, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 384, 512, 1024, 0};
constexpr uint8_t kEntryEscape = kEntrySteps.size() - 1;
constexpr uint8_t kByteEscape = kByteSteps.size() - 1;

// kind = op byte >> 2. Sends and delivers come often: a read does nothing
// until it is sent and its reply delivered.
constexpr std::array<OpCode, 64> MakeOpTable() {
  std::array<OpCode, 64> t{};
  auto fill = [&t](int from, int to, OpKind kind, bool redirect = false) {
    for (int i = from; i <= to; ++i) t[i] = {kind, redirect};
  };
  fill(0, 11, OpKind::kRead);
  fill(12, 13, OpKind::kRaw);  // kRead in a program with no raw connection
  fill(14, 25, OpKind::kWrite);
  fill(26, 31, OpKind::kSend);
  fill(32, 32, OpKind::kBlock);
  fill(33, 33, OpKind::kUnblock);
  fill(34, 41, OpKind::kDeliver);
  fill(42, 43, OpKind::kDeliver, true);
  fill(44, 45, OpKind::kDeliverAll);
  fill(46, 46, OpKind::kKill);
  fill(47, 47, OpKind::kReconnect);
  fill(48, 48, OpKind::kTrackingOff);
  fill(49, 50, OpKind::kMulti);
  fill(51, 52, OpKind::kExec);
  fill(53, 54, OpKind::kClock);
  fill(55, 55, OpKind::kActiveExpire);
  fill(56, 56, OpKind::kConfigTableMaxKeys);
  fill(57, 57, OpKind::kFlushall);
  fill(58, 58, OpKind::kSwapdb);
  fill(59, 59, OpKind::kTick);
  fill(60, 60, OpKind::kDebugReload);  // formerly a second tick
  fill(61, 61, OpKind::kConfigMaxmemory);
  fill(62, 62, OpKind::kKill, true);
  fill(63, 63, OpKind::kTrackingOn);
  return t;
}
constexpr std::array<OpCode, 64> kOpTable = MakeOpTable();

bool HasClient(OpKind k) {
  switch (k) {
    case OpKind::kRead:
    case OpKind::kWrite:
    case OpKind::kTrackingOff:
    case OpKind::kTrackingOn:
    case OpKind::kMulti:
    case OpKind::kExec:
    case OpKind::kSend:
    case OpKind::kDeliver:
    case OpKind::kKill:
    case OpKind::kReconnect:
    case OpKind::kBlock:
    case OpKind::kUnblock:
      return true;
    default:
      return false;
  }
}

Arg ArgOf(char c) {
  switch (c) {
    case 'k':
      return Arg::kKey;
    case 'f':
      return Arg::kField;
    case 'v':
      return Arg::kValue;
    case 'i':
      return Arg::kInt;
    case 'r':
      return Arg::kRange;
    case 't':
      return Arg::kTimeout;
    case 'w':
      return Arg::kWhere;
    case 'o':
      return Arg::kOnOff;
    case 'p':
      return Arg::kTrackOpt;
    case 'y':
      return Arg::kYesNo;
    case 'm':
      return Arg::kReplyMode;
    case 'c':
      return Arg::kChannel;
    case 'h':
      return Arg::kPubChannel;
    case 'g':
      return Arg::kGeoCoord;
    case 'a':
      return Arg::kRadius;
    case 'u':
      return Arg::kUnit;
    case 'x':
      return Arg::kGeoWord;
    default:
      return Arg::kDb;
  }
}

std::string_view ArgName(char c) {
  switch (c) {
    case 'k':
      return "key";
    case 'f':
      return "field";
    case 'v':
      return "value";
    case 'i':
      return "integer";
    case 'r':
      return "range";
    case 't':
      return "timeout";
    case 'w':
      return "where";
    case 'o':
      return "on|off";
    case 'p':
      return "option";
    case 'y':
      return "yes|no";
    case 'm':
      return "ON|OFF|SKIP";
    case 'c':
    case 'h':
      return "channel";
    case 'g':
      return "coordinate";
    case 'a':
      return "radius";
    case 'u':
      return "unit";
    case 'x':
      return "GEOSEARCH word";
    default:
      return "db";
  }
}

void PutU32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

bool DecodeToken(ByteReader& r, Arg kind, std::string* out) {
  uint8_t t;
  if (!r.Byte(&t)) return false;
  if (t < 0x80) {
    std::span<const std::string_view> pool = Pool(kind);
    out->assign(pool[t % pool.size()]);
    return true;
  }
  return r.Bytes(t & 0x7f, out);
}

void EncodeToken(std::string_view arg, Arg kind, std::string* out) {
  std::span<const std::string_view> pool = Pool(kind);
  auto it = std::find(pool.begin(), pool.end(), arg);
  if (it != pool.end()) {
    out->push_back(static_cast<char>(it - pool.begin()));
    return;
  }
  arg = arg.substr(0, kMaxLiteralLen);
  out->push_back(static_cast<char>(0x80 | arg.size()));
  out->append(arg);
}

// True when one of the prefixes starts with another (duplicates included):
// the server refuses such a set, and so does cache::ValidateOptions.
bool Overlaps(std::string_view p, const std::vector<std::string>& kept) {
  for (const std::string& k : kept) {
    if (k.starts_with(p) || p.starts_with(k)) return true;
  }
  return false;
}

constexpr std::array<cache::Mode, 5> kModes = {cache::Mode::kPlain, cache::Mode::kDefault,
                                               cache::Mode::kBcast, cache::Mode::kOptin,
                                               cache::Mode::kOptout};

bool DecodeSpec(ByteReader& r, ClientSpec* spec) {
  uint8_t m;
  if (!r.Byte(&m)) return false;
  ClientSpec s;
  s.mode = kModes[(m & 7) % kModes.size()];
  s.protocol = (m & 8) != 0 ? resp::Protocol::kResp2 : resp::Protocol::kResp3;
  s.noloop = (m & 16) != 0 && s.mode != cache::Mode::kPlain;
  uint8_t l;
  if (!r.Byte(&l)) return false;
  s.redirect =
      (l & 1) != 0 && s.mode != cache::Mode::kPlain && s.protocol == resp::Protocol::kResp3;
  const uint8_t entries = (l >> 1) & 7, bytes = l >> 4;
  if (entries == kEntryEscape) {
    uint32_t v;
    if (!r.U16LE(&v)) return false;
    s.max_entries = std::min(v, kMaxCacheEntries);
  } else {
    s.max_entries = kEntrySteps[entries];
  }
  if (bytes == kByteEscape) {
    uint32_t v;
    if (!r.U32LE(&v)) return false;
    s.max_bytes = std::min(v, kMaxCacheBytes);
  } else {
    s.max_bytes = kByteSteps[bytes];
  }
  if (s.mode == cache::Mode::kBcast) {
    const int n = (m >> 5) % (kMaxPrefixes + 1);
    for (int i = 0; i < n; ++i) {
      std::string p;
      if (!DecodeToken(r, Arg::kPrefix, &p)) return false;
      if (!Overlaps(p, s.prefixes)) s.prefixes.push_back(std::move(p));
    }
  }
  *spec = std::move(s);
  return true;
}

void EncodeSpec(const ClientSpec& s, std::string* out) {
  const int mode =
      static_cast<int>(std::find(kModes.begin(), kModes.end(), s.mode) - kModes.begin());
  const size_t n = s.mode == cache::Mode::kBcast ? std::min(s.prefixes.size(), kMaxPrefixes) : 0;
  out->push_back(static_cast<char>(mode | (s.protocol == resp::Protocol::kResp2 ? 8 : 0) |
                                   (s.noloop ? 16 : 0) | n << 5));
  // A step's index, or the escape (the table's last entry is not a value).
  auto step = [](std::span<const uint32_t> steps, uint32_t v) {
    auto it = std::find(steps.begin(), steps.end() - 1, v);
    return static_cast<uint8_t>(it - steps.begin());
  };
  const uint8_t entries = step(kEntrySteps, s.max_entries);
  const uint8_t bytes = step(kByteSteps, s.max_bytes);
  out->push_back(static_cast<char>((s.redirect ? 1 : 0) | entries << 1 | bytes << 4));
  if (entries == kEntryEscape) {
    const uint32_t v = std::min(s.max_entries, kMaxCacheEntries);
    out->push_back(static_cast<char>(v));
    out->push_back(static_cast<char>(v >> 8));
  }
  if (bytes == kByteEscape) PutU32(std::min(s.max_bytes, kMaxCacheBytes), out);
  for (size_t i = 0; i < n; ++i) EncodeToken(s.prefixes[i], Arg::kPrefix, out);
}

bool DecodeCommand(ByteReader& r, std::span<const CommandShape> table,
                   std::vector<std::string>* argv) {
  uint8_t c;
  if (!r.Byte(&c)) return false;
  const CommandShape& shape = table[c % table.size()];
  argv->clear();
  for (std::string_view w : NameWords(shape.name)) argv->emplace_back(w);
  for (char a : shape.fixed) {
    if (!DecodeToken(r, ArgOf(a), &argv->emplace_back())) return false;
  }
  if (shape.tail.empty()) return true;
  uint8_t groups;
  if (!r.Byte(&groups)) return false;
  for (size_t g = 0; g < groups % (kMaxTailGroups + 1); ++g) {
    for (char a : shape.tail) {
      if (!DecodeToken(r, ArgOf(a), &argv->emplace_back())) return false;
    }
  }
  return true;
}

const CommandShape* FindShape(std::span<const CommandShape> table, std::string_view name) {
  for (const CommandShape& s : table) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// Whether argv has the arity of its shape: the fixed arguments, then whole
// groups, at most kMaxTailGroups.
bool FitsShape(const CommandShape& s, size_t args) {
  if (args < s.fixed.size()) return false;
  const size_t rest = args - s.fixed.size();
  if (s.tail.empty()) return rest == 0;
  return rest % s.tail.size() == 0 && rest / s.tail.size() <= kMaxTailGroups;
}

void EncodeCommand(std::span<const CommandShape> table, const std::vector<std::string>& argv,
                   std::string* out) {
  size_t i = 1;
  const CommandShape* shape = nullptr;
  if (table.data() == RawCommands().data()) {
    shape = RawShapeOf(argv, &i);
  } else if (!argv.empty()) {
    shape = FindShape(table, argv[0]);
  }
  if (shape == nullptr) shape = &table[0], i = 1;  // not from decode or text: never happens
  out->push_back(static_cast<char>(shape - table.data()));
  for (char a : shape->fixed) {
    EncodeToken(i < argv.size() ? std::string_view(argv[i]) : std::string_view(), ArgOf(a), out);
    ++i;
  }
  if (shape->tail.empty()) return;
  const size_t rest = argv.size() > i ? argv.size() - i : 0;
  const size_t groups = std::min(rest / shape->tail.size(), kMaxTailGroups);
  out->push_back(static_cast<char>(groups));
  for (size_t g = 0; g < groups; ++g) {
    for (char a : shape->tail) EncodeToken(argv[i++], ArgOf(a), out);
  }
}

uint8_t OpByte(const Op& op) {
  const bool redirect =
      (op.kind == OpKind::kDeliver || op.kind == OpKind::kKill) && op.conn == cache::kRedirectConn;
  for (size_t i = 0; i < kOpTable.size(); ++i) {
    if (kOpTable[i].kind == op.kind && kOpTable[i].redirect == redirect) {
      return static_cast<uint8_t>(i << 2 | (op.client & 3));
    }
  }
  return 0;
}

bool PlainWord(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\') return false;
  }
  return true;
}

std::string Word(std::string_view s) {
  return PlainWord(s) ? std::string(s) : resp::QuoteInlineArg(s);
}

std::string ClientName(int client) { return absl::StrCat("c", client + 1); }
std::string RawName(int raw) { return absl::StrCat("r", raw + 1); }

}  // namespace

cache::CacheOptions CacheOptionsOf(const ClientSpec& spec) {
  cache::CacheOptions o;
  o.mode = spec.mode;
  o.protocol = spec.protocol;
  o.noloop = spec.noloop;
  o.redirect = spec.redirect;
  o.prefixes = spec.prefixes;
  o.limits.max_entries = spec.max_entries;
  o.limits.max_bytes = spec.max_bytes;
  // A cache never holds an entry above max_bytes, so a max_entry_bytes above
  // it changes nothing; at most max_bytes, it moves that limit's boundary
  // (an entry of exactly max_entry_bytes is kept) within a program's reach:
  // `bytes N` is then the cap of one entry and of them all.
  o.limits.max_entry_bytes = std::min<size_t>(o.limits.max_entry_bytes, spec.max_bytes);
  return o;
}

std::span<const CommandShape> ReadCommands() { return kReads; }
std::span<const CommandShape> WriteCommands() { return kWrites; }
std::span<const CommandShape> BlockCommands() { return kBlocks; }
Arg ArgOfLetter(char letter) { return ArgOf(letter); }

std::string ShapeUsage(const CommandShape& shape) {
  std::string s(shape.name);
  for (char a : shape.fixed) absl::StrAppend(&s, " ", std::string(ArgName(a)));
  if (!shape.tail.empty()) {
    s += " [";
    for (size_t i = 0; i < shape.tail.size(); ++i) {
      absl::StrAppend(&s, i == 0 ? "" : " ", std::string(ArgName(shape.tail[i])));
    }
    s += "]...";
  }
  return s;
}

std::span<const std::string_view> Pool(Arg kind) {
  switch (kind) {
    case Arg::kKey:
      return kKeys;
    case Arg::kField:
      return kFields;
    case Arg::kValue:
      return kValues;
    case Arg::kInt:
      return kInts;
    case Arg::kRange:
      return kRanges;
    case Arg::kDb:
      return kDbs;
    case Arg::kPrefix:
      return kPrefixes;
    case Arg::kTimeout:
      return kTimeouts;
    case Arg::kWhere:
      return kWheres;
    default:
      return RawPool(kind);
  }
  return kKeys;
}

std::span<const uint32_t> ClockSteps() { return kClock; }
std::span<const uint32_t> TableKeySteps() { return kTableKeys; }
std::span<const uint32_t> MaxmemorySteps() { return kMaxmemorySteps; }
std::span<const std::string_view> MaxmemoryPolicies() { return kPolicyNames; }
std::span<const uint32_t> EntrySteps() { return kEntrySteps; }
std::span<const uint32_t> ByteSteps() { return kByteSteps; }

std::vector<std::string> KeysOf(const std::vector<std::string>& argv) {
  std::vector<std::string> keys;
  if (argv.empty()) return keys;
  const CommandShape* shape = FindShape(kReads, argv[0]);
  if (shape == nullptr) shape = FindShape(kWrites, argv[0]);
  if (shape == nullptr) shape = FindShape(kBlocks, argv[0]);
  if (shape == nullptr || !FitsShape(*shape, argv.size() - 1)) return keys;
  for (size_t i = 1; i < argv.size(); ++i) {
    const size_t at = i - 1;
    const char kind = at < shape->fixed.size()
                          ? shape->fixed[at]
                          : shape->tail[(at - shape->fixed.size()) % shape->tail.size()];
    if (kind == 'k' && std::find(keys.begin(), keys.end(), argv[i]) == keys.end()) {
      keys.push_back(argv[i]);
    }
  }
  return keys;
}

bool WritesUnnamedKeys(const std::vector<std::string>& argv) {
  return !argv.empty() && (argv[0] == "FLUSHALL" || argv[0] == "FLUSHDB" || argv[0] == "SWAPDB");
}
std::span<const OpCode> OpTable() { return kOpTable; }

Program DecodeProgram(std::string_view bytes) {
  Program p;
  ByteReader r(bytes);
  uint8_t n = 0;
  const bool has_header = r.Byte(&n);
  p.clients.resize(n % kMaxClients + 1);
  for (ClientSpec& spec : p.clients) {
    if (!DecodeSpec(r, &spec)) return p;
  }
  if (!has_header) return p;
  p.raws.resize((n >> 2) % (kMaxRaw + 1));
  for (RawSpec& raw : p.raws) {
    uint8_t b;
    if (!r.Byte(&b)) {
      p.raws.clear();
      return p;
    }
    raw.protocol = (b & 1) != 0 ? resp::Protocol::kResp2 : resp::Protocol::kResp3;
  }
  uint8_t h;
  while (p.ops.size() < kMaxOps && r.Byte(&h)) {
    Op op;
    const OpCode code = kOpTable[h >> 2];
    op.kind = code.kind;
    if (op.kind == OpKind::kRaw && p.raws.empty()) op.kind = OpKind::kRead;
    op.client = HasClient(op.kind) ? (h & 3) % static_cast<int>(p.clients.size()) : 0;
    if (op.kind == OpKind::kRaw) op.client = (h & 3) % static_cast<int>(p.raws.size());
    bool complete = true;
    uint8_t b;
    switch (op.kind) {
      case OpKind::kRead:
        complete = DecodeCommand(r, kReads, &op.argv);
        break;
      case OpKind::kWrite:
        complete = DecodeCommand(r, kWrites, &op.argv);
        break;
      case OpKind::kBlock:
        complete = DecodeCommand(r, kBlocks, &op.argv);
        break;
      case OpKind::kRaw:
        complete = DecodeCommand(r, RawCommands(), &op.argv);
        break;
      case OpKind::kUnblock:
        if (!(complete = r.Byte(&b))) break;
        op.target = (b & 3) % static_cast<int>(p.clients.size());
        op.unblock_reason = static_cast<uint8_t>((b >> 2) % 3);
        break;
      case OpKind::kKill:
        op.conn = code.redirect ? cache::kRedirectConn : cache::kDataConn;
        break;
      case OpKind::kDeliver:
        op.conn = code.redirect ? cache::kRedirectConn : cache::kDataConn;
        if (!(complete = r.Byte(&b))) break;
        if (b < 0xff) {
          op.bytes = b + 1u;
        } else {
          if (!(complete = r.U16LE(&op.bytes))) break;
          op.bytes += 1;
        }
        break;
      case OpKind::kReconnect:
        complete = DecodeSpec(r, &op.spec);
        break;
      case OpKind::kTrackingOn: {
        if (!(complete = r.Byte(&b))) break;
        const int n = b % (kMaxPrefixes + 1);
        for (int i = 0; i < n && complete; ++i) {
          std::string prefix;
          complete = DecodeToken(r, Arg::kPrefix, &prefix);
          if (complete && !Overlaps(prefix, op.prefixes)) op.prefixes.push_back(std::move(prefix));
        }
        break;
      }
      case OpKind::kClock:
      case OpKind::kConfigTableMaxKeys: {
        uint32_t v = 0;
        if (!(complete = r.Byte(&b))) break;
        if (b == 0xff) {
          complete = r.U32LE(&v);
        } else {
          v = op.kind == OpKind::kClock ? kClock[b % 16] : kTableKeys[b % 16];
        }
        (op.kind == OpKind::kClock ? op.clock_ms : op.table_max_keys) = v;
        break;
      }
      case OpKind::kConfigMaxmemory: {
        if (!(complete = r.Byte(&b))) break;
        if (b == 0xff) {
          complete = r.U32LE(&op.maxmemory);
        } else {
          op.maxmemory = kMaxmemorySteps[b % 16];
        }
        if (complete && (complete = r.Byte(&b))) op.maxmemory_policy = b % 8;
        break;
      }
      default:
        break;
    }
    if (!complete) break;
    p.ops.push_back(std::move(op));
  }
  return p;
}

std::string EncodeProgram(const Program& p) {
  std::string out;
  const size_t clients = std::clamp<size_t>(p.clients.size(), 1, kMaxClients);
  const size_t raws = std::min<size_t>(p.raws.size(), kMaxRaw);
  out.push_back(static_cast<char>((clients - 1) | raws << 2));
  for (size_t i = 0; i < clients; ++i) {
    EncodeSpec(i < p.clients.size() ? p.clients[i] : ClientSpec(), &out);
  }
  for (size_t i = 0; i < raws; ++i) {
    out.push_back(static_cast<char>(p.raws[i].protocol == resp::Protocol::kResp2 ? 1 : 0));
  }
  size_t n = 0;
  for (const Op& op : p.ops) {
    if (n++ == kMaxOps) break;
    out.push_back(static_cast<char>(OpByte(op)));
    switch (op.kind) {
      case OpKind::kRead:
        EncodeCommand(kReads, op.argv, &out);
        break;
      case OpKind::kWrite:
        EncodeCommand(kWrites, op.argv, &out);
        break;
      case OpKind::kBlock:
        EncodeCommand(kBlocks, op.argv, &out);
        break;
      case OpKind::kRaw:
        EncodeCommand(RawCommands(), op.argv, &out);
        break;
      case OpKind::kUnblock:
        out.push_back(static_cast<char>((op.target & 3) | (op.unblock_reason % 3) << 2));
        break;
      case OpKind::kDeliver: {
        const uint32_t v = std::clamp<uint32_t>(op.bytes, 1, kMaxDeliverBytes) - 1;
        if (v < 0xff) {
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(static_cast<char>(0xff));
          out.push_back(static_cast<char>(v));
          out.push_back(static_cast<char>(v >> 8));
        }
        break;
      }
      case OpKind::kReconnect:
        EncodeSpec(op.spec, &out);
        break;
      case OpKind::kTrackingOn: {
        const size_t n = std::min(op.prefixes.size(), kMaxPrefixes);
        out.push_back(static_cast<char>(n));
        for (size_t i = 0; i < n; ++i) EncodeToken(op.prefixes[i], Arg::kPrefix, &out);
        break;
      }
      case OpKind::kClock:
      case OpKind::kConfigTableMaxKeys: {
        const bool clock = op.kind == OpKind::kClock;
        const uint32_t v = clock ? op.clock_ms : op.table_max_keys;
        std::span<const uint32_t> steps = clock ? ClockSteps() : TableKeySteps();
        auto it = std::find(steps.begin(), steps.end(), v);
        if (it != steps.end()) {
          out.push_back(static_cast<char>(it - steps.begin()));
        } else {
          out.push_back(static_cast<char>(0xff));
          PutU32(v, &out);
        }
        break;
      }
      case OpKind::kConfigMaxmemory: {
        auto it = std::find(kMaxmemorySteps.begin(), kMaxmemorySteps.end(), op.maxmemory);
        if (it != kMaxmemorySteps.end()) {
          out.push_back(static_cast<char>(it - kMaxmemorySteps.begin()));
        } else {
          out.push_back(static_cast<char>(0xff));
          PutU32(op.maxmemory, &out);
        }
        out.push_back(static_cast<char>(op.maxmemory_policy % 8));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

std::string SpecToText(const ClientSpec& spec) {
  std::string s = absl::StrCat(std::string(cache::ModeName(spec.mode)), " ",
                               spec.protocol == resp::Protocol::kResp2 ? "resp2" : "resp3");
  if (spec.noloop) s += " noloop";
  if (spec.redirect) s += " redirect";
  if (spec.max_entries != kMaxCacheEntries) absl::StrAppend(&s, " entries ", spec.max_entries);
  if (spec.max_bytes != kMaxCacheBytes) absl::StrAppend(&s, " bytes ", spec.max_bytes);
  for (const std::string& prefix : spec.prefixes) absl::StrAppend(&s, " prefix ", Word(prefix));
  return s;
}

std::vector<std::string> AdminCommand(const Op& op) {
  switch (op.kind) {
    case OpKind::kConfigTableMaxKeys:
      return {"CONFIG", "SET", "tracking-table-max-keys", absl::StrCat(op.table_max_keys)};
    case OpKind::kConfigMaxmemory:
      return {"CONFIG",           "SET",
              "maxmemory",        absl::StrCat(op.maxmemory),
              "maxmemory-policy", std::string(kPolicyNames[op.maxmemory_policy % 8])};
    case OpKind::kFlushall:
      return {"FLUSHALL"};
    case OpKind::kSwapdb:
      return {"SWAPDB", "0", "1"};
    case OpKind::kDebugReload:
      return {"DEBUG", "RELOAD"};
    default:
      return {};
  }
}

std::string OpToText(const Op& op) {
  const std::string c = ClientName(op.client);
  switch (op.kind) {
    case OpKind::kRead:
    case OpKind::kWrite: {
      std::string s = absl::StrCat(c, op.kind == OpKind::kRead ? " read" : " write");
      for (const std::string& a : op.argv) absl::StrAppend(&s, " ", Word(a));
      return s;
    }
    case OpKind::kTrackingOff:
      return c + " tracking off";
    case OpKind::kTrackingOn: {
      std::string s = c + " tracking on";
      for (const std::string& p : op.prefixes) absl::StrAppend(&s, " prefix ", Word(p));
      return s;
    }
    case OpKind::kMulti:
      return c + " multi";
    case OpKind::kExec:
      return c + " exec";
    case OpKind::kSend:
      return "send " + c;
    case OpKind::kDeliver:
      return absl::StrCat("deliver ", c, op.conn == cache::kRedirectConn ? " redirect " : " ",
                          op.bytes);
    case OpKind::kDeliverAll:
      return "deliver-all";
    case OpKind::kKill:
      return "kill " + c + (op.conn == cache::kRedirectConn ? " redirect" : "");
    case OpKind::kReconnect:
      return absl::StrCat("reconnect ", c, " ", SpecToText(op.spec));
    case OpKind::kClock:
      return absl::StrCat("clock +", op.clock_ms, "ms");
    case OpKind::kActiveExpire:
      return "active-expire";
    case OpKind::kConfigTableMaxKeys:
      return absl::StrCat("config tracking-table-max-keys ", op.table_max_keys);
    case OpKind::kConfigMaxmemory:
      return absl::StrCat("config maxmemory ", op.maxmemory, " ",
                          std::string(kPolicyNames[op.maxmemory_policy % 8]));
    case OpKind::kFlushall:
      return "flushall";
    case OpKind::kSwapdb:
      return "swapdb";
    case OpKind::kDebugReload:
      return "debug-reload";
    case OpKind::kTick:
      return "tick";
    case OpKind::kBlock: {
      std::string s = c + " block";
      for (const std::string& a : op.argv) absl::StrAppend(&s, " ", Word(a));
      return s;
    }
    case OpKind::kRaw: {
      std::string s = RawName(op.client);
      for (const std::string& a : op.argv) absl::StrAppend(&s, " ", Word(a));
      return s;
    }
    case OpKind::kUnblock: {
      static constexpr std::array<std::string_view, 3> kReasons = {"", " timeout", " error"};
      return absl::StrCat(c, " unblock ", ClientName(op.target),
                          std::string(kReasons[op.unblock_reason % 3]));
    }
  }
  return "";
}

std::string ProgramToText(const Program& p) {
  std::string out;
  for (size_t i = 0; i < p.clients.size(); ++i) {
    absl::StrAppend(&out, "client ", ClientName(static_cast<int>(i)), " ", SpecToText(p.clients[i]),
                    "\n");
  }
  for (size_t i = 0; i < p.raws.size(); ++i) {
    absl::StrAppend(&out, "raw ", RawName(static_cast<int>(i)), " ",
                    p.raws[i].protocol == resp::Protocol::kResp2 ? "resp2" : "resp3", "\n");
  }
  return out + OpsToText(p.ops, OpToText);
}

namespace {

// One line of the text form, split into words, and the parsing of its pieces.
class LineParser {
 public:
  LineParser(size_t line_no, std::vector<std::string> words, int clients, int raws = 0)
      : line_no_(line_no), words_(std::move(words)), clients_(clients), raws_(raws) {}

  absl::Status Fail(std::string_view why) const { return ProgramLineError(line_no_, why); }
  const std::vector<std::string>& words() const { return words_; }

  // "cN" naming a declared client.
  absl::StatusOr<int> Client(std::string_view w) const {
    if (w.size() == 2 && w[0] == 'c' && w[1] >= '1' && w[1] < '1' + clients_) return w[1] - '1';
    return Fail(
        absl::StrCat("unknown client '", std::string(w), "' (c1..c", clients_, " declared)"));
  }

  // "rN naming a declared raw connection.
  absl::StatusOr<int> Raw(std::string_view w) const {
    if (w.size() == 2 && w[0] == 'r' && w[1] >= '1' && w[1] < '1' + raws_) return w[1] - '1';
    if (raws_ == 0) {
      return Fail(absl::StrCat("unknown raw connection '", std::string(w), "' (none declared)"));
    }
    return Fail(
        absl::StrCat("unknown raw connection '", std::string(w), "' (r1..r", raws_, " declared)"));
  }

  // "rN NAME ARG...": a command of RawCommands().
  absl::StatusOr<std::vector<std::string>> RawCommand() const {
    if (words_.size() < 2) return Fail("missing the raw command");
    std::vector<std::string> argv(words_.begin() + 1, words_.end());
    for (size_t i = 0; i < argv.size() && i < 2; ++i) {
      // The name's words, in the table's case (arguments keep theirs).
      const std::string up = absl::AsciiStrToUpper(argv[i]);
      bool is_name = false;
      for (const CommandShape& s : RawCommands()) {
        const std::vector<std::string_view> nw = NameWords(s.name);
        if (i < nw.size() && nw[i] == up && (i == 0 || absl::AsciiStrToUpper(argv[0]) == nw[0])) {
          is_name = true;
        }
      }
      if (is_name) argv[i] = up;
    }
    size_t words = 0;
    if (RawShapeOf(argv, &words) == nullptr) {
      std::vector<std::string> usages;
      for (const CommandShape& s : RawCommands()) usages.push_back(ShapeUsage(s));
      return Fail(absl::StrCat("not a raw command of these shapes (at most ", kMaxTailGroups,
                               " repeated groups): ", absl::StrJoin(usages, ", ")));
    }
    for (const std::string& a : argv) {
      if (a.size() > kMaxLiteralLen) {
        return Fail(absl::StrCat("argument longer than ", kMaxLiteralLen, " bytes"));
      }
    }
    return argv;
  }

  absl::Status Arity(size_t n, std::string_view usage) const {
    if (words_.size() == n) return absl::OkStatus();
    return Fail(absl::StrCat("expected '", std::string(usage), "'"));
  }

  // An unsigned number in [min, max].
  absl::StatusOr<uint32_t> Number(std::string_view w, uint64_t min, uint64_t max,
                                  std::string_view what) const {
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (w.empty() || ec != std::errc() || ptr != w.data() + w.size() || v < min || v > max) {
      return Fail(absl::StrCat(std::string(what), " must be ", min, " to ", max, ", got '",
                               std::string(w), "'"));
    }
    return static_cast<uint32_t>(v);
  }

  // MODE from words_[from] on.
  absl::StatusOr<ClientSpec> Spec(size_t from) const {
    if (words_.size() < from + 2) {
      return Fail(
          "expected a mode: <plain|default|bcast|optin|optout> <resp2|resp3> [noloop] "
          "[redirect] [entries N] [bytes N] [prefix P]...");
    }
    ClientSpec s;
    std::optional<cache::Mode> mode = cache::ParseMode(words_[from]);
    if (!mode) {
      return Fail(
          absl::StrCat("unknown mode '", words_[from], "' (plain, default, bcast, optin, optout)"));
    }
    s.mode = *mode;
    const std::string& proto = words_[from + 1];
    if (proto != "resp2" && proto != "resp3") {
      return Fail(absl::StrCat("expected resp2 or resp3, got '", proto, "'"));
    }
    s.protocol = proto == "resp2" ? resp::Protocol::kResp2 : resp::Protocol::kResp3;
    std::array<bool, 2> seen_limit{};  // entries, bytes
    for (size_t i = from + 2; i < words_.size(); ++i) {
      if (words_[i] == "noloop") {
        if (s.mode == cache::Mode::kPlain) return Fail("noloop needs a tracking mode, not plain");
        if (s.noloop) return Fail("noloop given twice");
        s.noloop = true;
      } else if (words_[i] == "redirect") {
        if (s.mode == cache::Mode::kPlain) return Fail("redirect needs a tracking mode, not plain");
        if (s.protocol != resp::Protocol::kResp3) {
          return Fail("redirect is for resp3 (resp2 tracking always redirects)");
        }
        if (s.redirect) return Fail("redirect given twice");
        s.redirect = true;
      } else if (words_[i] == "entries" || words_[i] == "bytes") {
        const bool entries = words_[i] == "entries";
        if (seen_limit[entries ? 0 : 1]) return Fail(words_[i] + " given twice");
        seen_limit[entries ? 0 : 1] = true;
        if (++i == words_.size()) return Fail(words_[i - 1] + " needs a number");
        absl::StatusOr<uint32_t> n =
            Number(words_[i], 0, entries ? kMaxCacheEntries : kMaxCacheBytes,
                   entries ? "entries (the cache's max_entries)" : "bytes (the cache's max_bytes)");
        if (!n.ok()) return n.status();
        (entries ? s.max_entries : s.max_bytes) = *n;
      } else if (words_[i] == "prefix") {
        if (s.mode != cache::Mode::kBcast) return Fail("prefix needs the bcast mode");
        if (++i == words_.size()) return Fail("prefix needs a value");
        const std::string& p = words_[i];
        if (p.size() > kMaxLiteralLen) {
          return Fail(absl::StrCat("prefix longer than ", kMaxLiteralLen, " bytes"));
        }
        if (s.prefixes.size() == kMaxPrefixes) {
          return Fail(absl::StrCat("more than ", kMaxPrefixes, " prefixes"));
        }
        if (Overlaps(p, s.prefixes)) {
          return Fail(absl::StrCat("prefix ", Word(p), " overlaps another prefix of this client"));
        }
        s.prefixes.push_back(p);
      } else {
        return Fail(absl::StrCat("unknown client option '", words_[i],
                                 "' (noloop, redirect, entries N, bytes N, prefix P)"));
      }
    }
    return s;
  }

  // "cN read|write NAME ARG..." from words_[2] on.
  absl::StatusOr<std::vector<std::string>> Command(std::span<const CommandShape> table,
                                                   std::string_view verb) const {
    if (words_.size() < 3)
      return Fail(absl::StrCat("missing the ", std::string(verb), " command name"));
    const std::string name = absl::AsciiStrToUpper(words_[2]);
    const CommandShape* shape = FindShape(table, name);
    if (shape == nullptr) {
      std::vector<std::string> names;
      for (const CommandShape& s : table) names.emplace_back(s.name);
      return Fail(absl::StrCat("'", words_[2], "' is not a ", std::string(verb), " command (",
                               absl::StrJoin(names, " "), ")"));
    }
    if (!FitsShape(*shape, words_.size() - 3)) {
      return Fail(absl::StrCat(
          "wrong number of arguments for '", std::string(verb), " ", name, "' (",
          ShapeUsage(*shape),
          shape->tail.empty() ? "" : absl::StrCat(", at most ", kMaxTailGroups, " more groups"),
          ")"));
    }
    std::vector<std::string> argv(words_.begin() + 2, words_.end());
    argv[0] = name;
    for (const std::string& a : argv) {
      if (a.size() > kMaxLiteralLen) {
        return Fail(absl::StrCat("argument longer than ", kMaxLiteralLen, " bytes"));
      }
    }
    return argv;
  }

 private:
  size_t line_no_;
  std::vector<std::string> words_;
  int clients_;
  int raws_;
};

absl::StatusOr<Op> ParseOp(const LineParser& l) {
  const std::vector<std::string>& w = l.words();
  Op op;
  const std::string& w0 = w[0];
  auto client_at = [&](size_t i) -> absl::Status {
    absl::StatusOr<int> c = l.Client(w[i]);
    if (!c.ok()) return c.status();
    op.client = *c;
    return absl::OkStatus();
  };
  if (w0.size() == 2 && w0[0] == 'r' && w0[1] >= '0' && w0[1] <= '9') {
    absl::StatusOr<int> r = l.Raw(w0);
    if (!r.ok()) return r.status();
    absl::StatusOr<std::vector<std::string>> argv = l.RawCommand();
    if (!argv.ok()) return argv.status();
    op.kind = OpKind::kRaw;
    op.client = *r;
    op.argv = *std::move(argv);
  } else if (w0.size() == 2 && w0[0] == 'c' && w0[1] >= '0' && w0[1] <= '9') {
    if (absl::Status s = client_at(0); !s.ok()) return s;
    const std::string verb = w.size() >= 2 ? w[1] : "";
    if (verb == "read" || verb == "write") {
      op.kind = verb == "read" ? OpKind::kRead : OpKind::kWrite;
      absl::StatusOr<std::vector<std::string>> argv =
          l.Command(verb == "read" ? ReadCommands() : WriteCommands(), verb);
      if (!argv.ok()) return argv.status();
      op.argv = *std::move(argv);
    } else if (verb == "tracking") {
      if (w.size() == 3 && w[2] == "off") {
        op.kind = OpKind::kTrackingOff;
      } else if (w.size() >= 3 && w[2] == "on") {
        op.kind = OpKind::kTrackingOn;
        for (size_t i = 3; i < w.size(); i += 2) {
          if (w[i] != "prefix" || i + 1 == w.size()) {
            return l.Fail("expected 'cN tracking on [prefix P]...'");
          }
          const std::string& p = w[i + 1];
          if (p.size() > kMaxLiteralLen) {
            return l.Fail(absl::StrCat("prefix longer than ", kMaxLiteralLen, " bytes"));
          }
          if (op.prefixes.size() == kMaxPrefixes) {
            return l.Fail(absl::StrCat("more than ", kMaxPrefixes, " prefixes"));
          }
          if (Overlaps(p, op.prefixes)) {
            return l.Fail(absl::StrCat("prefix ", Word(p), " overlaps another prefix of this op"));
          }
          op.prefixes.push_back(p);
        }
      } else {
        return l.Fail("expected 'cN tracking off' or 'cN tracking on [prefix P]...'");
      }
    } else if (verb == "block") {
      op.kind = OpKind::kBlock;
      absl::StatusOr<std::vector<std::string>> argv = l.Command(BlockCommands(), verb);
      if (!argv.ok()) return argv.status();
      op.argv = *std::move(argv);
    } else if (verb == "unblock") {
      if (w.size() < 3 || w.size() > 4 || (w.size() == 4 && w[3] != "timeout" && w[3] != "error")) {
        return l.Fail("expected 'cN unblock cM [timeout|error]'");
      }
      absl::StatusOr<int> t = l.Client(w[2]);
      if (!t.ok()) return t.status();
      op.kind = OpKind::kUnblock;
      op.target = *t;
      op.unblock_reason = w.size() == 3 ? 0 : w[3] == "timeout" ? 1 : 2;
    } else if (verb == "multi" || verb == "exec") {
      if (absl::Status s = l.Arity(2, "cN " + verb); !s.ok()) return s;
      op.kind = verb == "multi" ? OpKind::kMulti : OpKind::kExec;
    } else {
      return l.Fail(absl::StrCat("unknown client op '", verb,
                                 "' (read, write, tracking off, tracking on, multi, exec, block, "
                                 "unblock)"));
    }
  } else if (w0 == "send") {
    if (absl::Status s = l.Arity(2, "send cN"); !s.ok()) return s;
    if (absl::Status s = client_at(1); !s.ok()) return s;
    op.kind = OpKind::kSend;
  } else if (w0 == "kill") {
    const bool redirect = w.size() == 3 && w[2] == "redirect";
    if (w.size() != 2 && !redirect) return l.Fail("expected 'kill cN [redirect]'");
    if (absl::Status s = client_at(1); !s.ok()) return s;
    op.kind = OpKind::kKill;
    op.conn = redirect ? cache::kRedirectConn : cache::kDataConn;
  } else if (w0 == "deliver") {
    const bool redirect = w.size() == 4 && w[2] == "redirect";
    if (w.size() != 3 && !redirect) return l.Fail("expected 'deliver cN [redirect] BYTES'");
    if (absl::Status s = client_at(1); !s.ok()) return s;
    absl::StatusOr<uint32_t> n = l.Number(w.back(), 1, kMaxDeliverBytes, "deliver's byte count");
    if (!n.ok()) return n.status();
    op.kind = OpKind::kDeliver;
    op.conn = redirect ? cache::kRedirectConn : cache::kDataConn;
    op.bytes = *n;
  } else if (w0 == "reconnect") {
    if (w.size() < 2) return l.Fail("expected 'reconnect cN MODE'");
    if (absl::Status s = client_at(1); !s.ok()) return s;
    absl::StatusOr<ClientSpec> spec = l.Spec(2);
    if (!spec.ok()) return spec.status();
    op.kind = OpKind::kReconnect;
    op.spec = *std::move(spec);
  } else if (w0 == "clock") {
    if (absl::Status s = l.Arity(2, "clock +<ms>ms"); !s.ok()) return s;
    std::string_view a = w[1];
    if (a.size() < 4 || a.front() != '+' || !a.ends_with("ms")) {
      return l.Fail(absl::StrCat("expected 'clock +<ms>ms', got '", std::string(a), "'"));
    }
    absl::StatusOr<uint32_t> ms =
        l.Number(a.substr(1, a.size() - 3), 0, UINT32_MAX, "the clock step (ms)");
    if (!ms.ok()) return ms.status();
    op.kind = OpKind::kClock;
    op.clock_ms = *ms;
  } else if (w0 == "config" && w.size() == 4 && w[1] == "maxmemory") {
    absl::StatusOr<uint32_t> n = l.Number(w[2], 0, UINT32_MAX, "maxmemory");
    if (!n.ok()) return n.status();
    auto it = std::find(kPolicyNames.begin(), kPolicyNames.end(), w[3]);
    if (it == kPolicyNames.end())
      return l.Fail("unknown maxmemory-policy '" + std::string(w[3]) + "'");
    op.kind = OpKind::kConfigMaxmemory;
    op.maxmemory = *n;
    op.maxmemory_policy = static_cast<uint8_t>(it - kPolicyNames.begin());
  } else if (w0 == "config") {
    if (w.size() != 3 || w[1] != "tracking-table-max-keys") {
      return l.Fail("expected 'config tracking-table-max-keys N'");
    }
    absl::StatusOr<uint32_t> n = l.Number(w[2], 0, UINT32_MAX, "tracking-table-max-keys");
    if (!n.ok()) return n.status();
    op.kind = OpKind::kConfigTableMaxKeys;
    op.table_max_keys = *n;
  } else {
    static constexpr std::array<std::pair<std::string_view, OpKind>, 6> kBare = {{
        {"deliver-all", OpKind::kDeliverAll},
        {"active-expire", OpKind::kActiveExpire},
        {"flushall", OpKind::kFlushall},
        {"swapdb", OpKind::kSwapdb},
        {"debug-reload", OpKind::kDebugReload},
        {"tick", OpKind::kTick},
    }};
    auto it = std::find_if(kBare.begin(), kBare.end(), [&](auto& b) { return b.first == w0; });
    if (it == kBare.end()) {
      return l.Fail(absl::StrCat(
          "unknown op '", w0,
          "' (client, raw, rN COMMAND, cN read|write|block|unblock|tracking off|tracking "
          "on|multi|exec, send, "
          "deliver, "
          "deliver-all, kill, "
          "reconnect, clock, active-expire, config, flushall, swapdb, debug-reload, tick)"));
    }
    if (w.size() != 1) return l.Fail(absl::StrCat(w0, " takes no arguments"));
    op.kind = it->second;
  }
  return op;
}

}  // namespace

absl::StatusOr<Program> ProgramFromText(std::string_view text) {
  Program p;
  absl::Status parsed =
      ForEachProgramLine(text, [&](size_t line_no, std::string_view line) -> absl::Status {
        std::optional<std::vector<std::string>> words = resp::SplitInlineArgs(line);
        const LineParser l(line_no, words ? *words : std::vector<std::string>(),
                           static_cast<int>(p.clients.size()), static_cast<int>(p.raws.size()));
        if (!words || words->empty()) return l.Fail("unbalanced quotes");
        if ((*words)[0] == "client") {
          if (!p.ops.empty()) return l.Fail("client lines come before the ops");
          if (p.clients.size() == kMaxClients) {
            return l.Fail(absl::StrCat("more than ", kMaxClients, " clients"));
          }
          const std::string want = ClientName(static_cast<int>(p.clients.size()));
          if (words->size() < 2 || (*words)[1] != want) {
            return l.Fail(absl::StrCat("expected 'client ", want,
                                       " MODE' (clients are declared in "
                                       "order, c1 first)"));
          }
          absl::StatusOr<ClientSpec> spec = l.Spec(2);
          if (!spec.ok()) return spec.status();
          if (!p.raws.empty()) return l.Fail("client lines come before the raw lines");
          p.clients.push_back(*std::move(spec));
          return absl::OkStatus();
        }
        if ((*words)[0] == "raw") {
          if (!p.ops.empty()) return l.Fail("raw lines come before the ops");
          if (p.clients.empty()) return l.Fail("a raw line before any 'client c1 MODE' line");
          if (p.raws.size() == kMaxRaw) {
            return l.Fail(absl::StrCat("more than ", kMaxRaw, " raw connections"));
          }
          const std::string want = RawName(static_cast<int>(p.raws.size()));
          if (words->size() != 3 || (*words)[1] != want ||
              ((*words)[2] != "resp2" && (*words)[2] != "resp3")) {
            return l.Fail(absl::StrCat("expected 'raw ", want,
                                       " resp2|resp3' (raw connections are declared in order, "
                                       "r1 first)"));
          }
          p.raws.push_back(
              {(*words)[2] == "resp2" ? resp::Protocol::kResp2 : resp::Protocol::kResp3});
          return absl::OkStatus();
        }
        if (p.clients.empty()) return l.Fail("an op before any 'client c1 MODE' line");
        if (p.ops.size() == kMaxOps) return l.Fail(absl::StrCat("more than ", kMaxOps, " ops"));
        absl::StatusOr<Op> op = ParseOp(l);
        if (!op.ok()) return op.status();
        p.ops.push_back(*std::move(op));
        return absl::OkStatus();
      });
  if (!parsed.ok()) return parsed;
  if (p.clients.empty()) {
    // At the last line (a text of comments only, say).
    const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) +
                         (!text.empty() && text.back() != '\n' ? 1 : 0);
    return ProgramLineError(std::max<size_t>(lines, 1), "no client declared ('client c1 MODE')");
  }
  return p;
}

}  // namespace respfuzz::harnesses::invalidation
