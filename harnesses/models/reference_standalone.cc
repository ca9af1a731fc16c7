// The reference model's standalone server (cluster-enabled no, a master
// with no replicas), from redis-server 7.0.15's behaviour: the cluster
// commands (CLUSTER and each of its 27 subcommands, ASKING, READONLY,
// READWRITE) only refuse, each after its own arity check; ROLE describes a
// master at offset 0 with no replicas; FAILOVER finds none to fail over
// to; MODULE LIST finds no module, and DEBUG and MODULE LOAD / LOADEX /
// UNLOAD are protected commands a default server refuses. With DEBUG let
// through (ReferenceOptions::debug_command), DEBUG PROTOCOL,
// SET-ACTIVE-EXPIRE, DIGEST and DIGEST-VALUE answer as 7.0.15 does with
// enable-debug-command local. (SUBSTR,
// GETRANGE's old name, is in reference_strings.cc; WAIT, which blocks, in
// reference_blocking.cc.) Apart from the engine's
// src/engine/cmd_standalone.cc.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Type;
using resp::Value;

namespace {

Value Disabled(Ctx& c) { return c.Err("This instance has cluster support disabled"); }

Value Role(Ctx& c) { return c.Array({c.Bulk("master"), c.Int(0), c.Array()}); }

// failoverCommand: "abort" as the only argument, then the option loop (an
// option taken once, TIMEOUT n with n > 0, TO host port with an integer
// port, FORCE; anything else a syntax error), then the replica count.
Value Failover(Ctx& c) {
  const size_t argc = c.argc();
  if (argc == 2 && EqualsIgnoreCase(c.argv[1], "abort")) {
    return c.Err("No failover in progress.");
  }
  int64_t timeout_ms = 0, port = 0;
  bool host = false, force = false;
  Value err;
  size_t j = 1;
  while (j < argc) {
    const std::string& opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "timeout") && j + 1 < argc && timeout_ms == 0) {
      if (!c.GetLong(c.argv[j + 1], &timeout_ms, &err)) return err;
      if (timeout_ms <= 0) return c.Err("FAILOVER timeout must be greater than 0");
      j += 2;
    } else if (EqualsIgnoreCase(opt, "to") && j + 2 < argc && !host) {
      if (!c.GetLong(c.argv[j + 2], &port, &err)) return err;
      host = true;
      j += 3;
    } else if (EqualsIgnoreCase(opt, "force") && !force) {
      force = true;
      j += 1;
    } else {
      return c.Err("syntax error");
    }
  }
  return c.Err("FAILOVER requires connected replicas.");
}

// MODULE HELP's lines after the first (addReplyHelp), MODULE LIST: none.
Value Module(Ctx& c) {
  const std::string sub = Lowered(c.argv[1]);
  if (sub == "list") return c.Array();
  static const char* const kHelp[] = {
      "LIST",
      "    Return a list of loaded modules.",
      "LOAD <path> [<arg> ...]",
      "    Load a module library from <path>, passing to it any optional arguments.",
      "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
      "    Load a module library from <path>, while passing it module configurations and optional "
      "arguments.",
      "UNLOAD <name>",
      "    Unload a module.",
      "HELP",
      "    Prints this help.",
  };
  std::string first = c.argv[0];
  for (char& ch : first) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  std::vector<Value> lines = {
      Value::Simple(first + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")};
  for (const char* line : kHelp) lines.push_back(Value::Simple(line));
  return c.Array(std::move(lines));
}

// debug.c's digests, written from its description: SHA1 as raw bytes; xor
// folds SHA1(data) into the digest, mix then hashes the digest itself so
// that order counts.
std::string RawSha1(const std::string& data) {
  const std::string hex = ScriptSha1Hex(data);
  auto nibble = [](char h) { return h <= '9' ? h - '0' : h - 'a' + 10; };
  std::string raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    raw.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return raw;
}
void XorInto(std::string& digest, const std::string& data) {
  const std::string h = RawSha1(data);
  for (size_t i = 0; i < 20; ++i) digest[i] = static_cast<char>(digest[i] ^ h[i]);
}
void MixInto(std::string& digest, const std::string& data) {
  XorInto(digest, data);
  digest = RawSha1(digest);
}
std::string U32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * (3 - i))) & 0xff);
  return s;
}
// xorObjectDigest: the type (OBJ_STRING 0, OBJ_LIST 1, OBJ_SET 2,
// OBJ_ZSET 3, OBJ_HASH 4, OBJ_STREAM 6), then the contents; sets, sorted
// sets and hashes fold each element in by xor, so their order is moot.
void ObjectDigest(std::string& d, const Object& o, bool expires) {
  static const std::map<Kind, uint32_t> kType = {{Kind::kString, 0}, {Kind::kList, 1},
                                                 {Kind::kSet, 2},    {Kind::kZSet, 3},
                                                 {Kind::kHash, 4},   {Kind::kStream, 6}};
  MixInto(d, U32(kType.at(o.kind)));
  if (o.kind == Kind::kString) MixInto(d, o.str);
  if (o.kind == Kind::kList) {
    for (const std::string& e : o.list) MixInto(d, e);
  }
  if (o.kind == Kind::kSet) {
    for (const std::string& m : o.set) XorInto(d, m);
  }
  if (o.kind == Kind::kZSet) {
    for (const auto& [m, score] : o.zset) {
      std::string e(20, '\0');
      MixInto(e, m);
      char buf[128];
      std::snprintf(buf, sizeof buf, "%.17g", score);
      MixInto(e, buf);
      XorInto(d, e);
    }
  }
  if (o.kind == Kind::kHash) {
    for (const auto& [f, v] : o.hash) {
      std::string e(20, '\0');
      MixInto(e, f);
      MixInto(e, v);
      XorInto(d, e);
    }
  }
  if (o.kind == Kind::kStream) {
    for (const auto& [id, fv] : o.stream.entries) {
      MixInto(d, std::to_string(id.ms) + "." + std::to_string(id.seq));
      for (const std::string& x : fv) MixInto(d, x);
    }
  }
  if (expires) XorInto(d, "!!expire!!");
}
std::string HexOf(const std::string& raw) {
  std::string out;
  char b[3];
  for (unsigned char ch : raw) {
    std::snprintf(b, sizeof b, "%02x", ch);
    out += b;
  }
  return out;
}

// DEBUG as redis-server 7.0.15 answers it from a local connection, as
// recorded over a socket in both protocols:
//   PROTOCOL string    "Hello World"            integer  12345
//   PROTOCOL double    3.141 (RESP2: "3.141")   bignum   (1234567999999999999999999999999999999
//   PROTOCOL null      _ / $-1                  array    [0 1 2], set ~[0 1 2]
//   PROTOCOL map       {0: #f, 1: #t, 2: #f}    (RESP2 flat, #t/#f as :1/:0)
//   PROTOCOL attrib    |{key-popularity: [key:123 90]} "Some real reply following the attribute"
//                      (RESP2: only the string)
//   PROTOCOL push      >[server-cpu-usage 42], then "Some real reply following the push
//                      reply"; RESP2: an error
//   PROTOCOL true / false / verbatim ("txt", "This is a verbatim\nstring")
//   another type: the "Wrong protocol type name" error
//   SET-ACTIVE-EXPIRE n: OK (the model has no active expiry to turn off)
//   DIGEST: computeDatasetDigest (every db with keys mixes its number, each
//     key xors mix(key) continued by its object's digest); DIGEST-VALUE k...:
//     each key's object digest alone, 40 zeros when absent. Keys as stored,
//     expired or not.
//   LOG msg: OK (the line goes to the server's log, which no client reads).
//   POPULATE n [prefix] [size]: keys prefix:j (127 bytes at most) that do
//     not exist (lookupKeyWrite: an expired one is deleted first) get
//     value:j, NUL-padded or cut to size, as createStringObject makes it;
//     dbAdd ("new" event, ready for blocked clients) and signalModifiedKey.
//   RELOAD [MERGE|NOFLUSH|NOSAVE]: see Reload below.
// Every other word, or PROTOCOL / SET-ACTIVE-EXPIRE with another argument
// count, ends in the subcommand syntax error; the engine refuses 7.0.15's
// other subcommands by name, which the harness does not send
// (OutsideTheModel in harnesses/command_handler/checks.cc).
}  // namespace

bool HashLoadsAsListpack(const Config& cfg, const Object& o) {
  if (static_cast<int64_t>(o.hash.size()) > cfg.hash_max_listpack_entries) return false;
  for (const auto& [f, v] : o.hash) {
    if (static_cast<int64_t>(f.size()) > cfg.hash_max_listpack_value ||
        static_cast<int64_t>(v.size()) > cfg.hash_max_listpack_value) {
      return false;
    }
  }
  return true;
}

namespace {

// DEBUG RELOAD, written from debug.c and rdb.c: the options (any other word
// is refused), then, as rdbSave + emptyData + rdbLoad leave the dataset:
//   - with the flush, signalFlushedDb(-1): XREADGROUP sessions blocked on a
//     stream are unblocked as for a deleted stream, every watched key there
//     is touched, tracking clients get the flush's invalidation;
//   - the keys already expired are not loaded (gone); every other key comes
//     back with its TTL, its LRU/LFU stamp as objectSetLRUOrLFU sets it
//     (LRU policies: the saved idle time; LFU: the saved counter, decayed,
//     stamped now; otherwise createObject's), its string re-encoded by
//     tryObjectEncoding, and its encoding as rdbLoadObject chooses it:
//     a hash table hash is a hash table when longer than
//     hash-max-listpack-entries or holding a longer field or value, a
//     listpack only when longer; an intset becomes a hash table when longer
//     than set-max-intset-entries, a hash table set an intset when short
//     enough and all integers; a skiplist a listpack when short enough with
//     short enough members (an integral score then reads as an integer), a
//     listpack a skiplist when longer.
//   - with NOFLUSH MERGE every key is replaced by its reloaded copy (no
//     signal), the expired ones stay as they were.
// The FUNCTION libraries are loaded back: each library's code runs again,
// so a library's Lua locals start over (ReloadFunctionLibraries). NOSAVE (the last file, which the
// harness's engine-only SAVE writes) and NOFLUSH without MERGE (where redis-server panics on a key
// that is there) are outside the model: the harness does not send them.
Value Reload(Ctx& c) {
  bool merge = false, flush = true, save = true;
  for (size_t j = 2; j < c.argc(); ++j) {
    const std::string opt = Lowered(CString(c.argv[j]));
    if (opt == "merge") {
      merge = true;
    } else if (opt == "noflush") {
      flush = false;
    } else if (opt == "nosave") {
      save = false;
    } else {
      return c.Err("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
  }
  if (!save || (!flush && !merge)) {
    return c.Err("DEBUG RELOAD NOSAVE or NOFLUSH without MERGE: outside the reference model");
  }
  State& st = c.st;
  ReloadFunctionLibraries(st);
  if (flush) {
    for (int db = 0; db < kNumDbs; ++db) {
      SignalDeletedStreams(st, db, -1);
      TouchAllWatchedKeysInDb(st, db, -1);
    }
    SignalFlushedDb(st, -1);
  }
  const Config& cfg = st.config;
  const bool lfu = LfuPolicy(st);
  const bool lru = cfg.maxmemory_policy == 0 || cfg.maxmemory_policy == 4;
  const int64_t clock = LruClock(st);
  const int64_t lfu_minutes = NewLru(st) >> 8;
  for (int db = 0; db < kNumDbs; ++db) {
    Db& d = st.dbs[db];
    for (auto it = d.dict.begin(); it != d.dict.end();) {
      const std::string& key = it->first;
      auto ttl = d.expires.find(key);
      if (ttl != d.expires.end() && ttl->second < st.now) {
        // Saved, not loaded: gone with the flush, or left as it was.
        if (flush) {
          d.expires.erase(ttl);
          it = d.dict.erase(it);
        } else {
          ++it;
        }
        continue;
      }
      Object& o = it->second;
      // The stamp the saved file carries, then the one loading gives.
      if (lfu) {
        o.lru = (lfu_minutes << 8) | LfuCounter(st, o);
      } else if (lru) {
        const int64_t max = (1 << 24) - 1;
        const int64_t idle = clock >= o.lru ? clock - o.lru : clock + (max - o.lru);
        const int64_t abs = clock - idle;
        o.lru = abs >= 0 ? abs : abs + max;
      } else {
        o.lru = NewLru(st);
      }
      switch (o.kind) {
        case Kind::kString:
          o.str_made = 0;
          o.str_dup = false;
          break;
        case Kind::kHash:
          if (o.hash_hashtable) {
            // The harness avoids this turning false (the order).
            o.hash_hashtable = !HashLoadsAsListpack(cfg, o);
          } else {
            o.hash_hashtable = static_cast<int64_t>(o.hash.size()) > cfg.hash_max_listpack_entries;
          }
          break;
        case Kind::kSet: {
          // rdbLoadObject caps a hash table set's limit at 2^30, not an intset's.
          const int64_t max_entries =
              std::min<int64_t>(cfg.set_max_intset_entries, int64_t{1} << 30);
          if (o.set_hashtable) {
            bool ints = static_cast<int64_t>(o.set.size()) <= max_entries;
            int64_t ll;
            for (const std::string& m : o.set) ints = ints && String2ll(m, &ll);
            o.set_hashtable = !ints;
          } else {
            o.set_hashtable = static_cast<int64_t>(o.set.size()) > cfg.set_max_intset_entries;
          }
          break;
        }
        case Kind::kZSet:
          if (o.zset_skiplist) {
            bool small = static_cast<int64_t>(o.zset.size()) <= cfg.zset_max_listpack_entries;
            for (const auto& [m, score] : o.zset) {
              small = small && static_cast<int64_t>(m.size()) <= cfg.zset_max_listpack_value;
            }
            if (small) {
              o.zset_skiplist = false;
              for (auto& [m, score] : o.zset) {
                if (score == 0) score = 0.0;  // a listpack's integer
              }
            }
          } else {
            o.zset_skiplist = static_cast<int64_t>(o.zset.size()) > cfg.zset_max_listpack_entries;
          }
          break;
        case Kind::kList:
        case Kind::kStream:
          break;
      }
      ++it;
    }
  }
  return c.Ok();
}

Value Debug(Ctx& c) {
  const std::string sub = Lowered(CString(c.argv[1]));
  if (sub == "set-active-expire" && c.argc() == 3) return c.Ok();
  if (sub == "log" && c.argc() == 3) return c.Ok();
  if (sub == "reload") return Reload(c);
  if (sub == "populate" && c.argc() >= 3 && c.argc() <= 5) {
    int64_t keys = 0, size = 0;
    Value err;
    const char* kPositive = "value is out of range, must be positive";
    if (!c.GetPositiveLong(c.argv[2], &keys, &err, kPositive)) return err;
    if (c.argc() == 5 && !c.GetPositiveLong(c.argv[4], &size, &err, kPositive)) return err;
    const std::string prefix = c.argc() == 3 ? "key" : CString(c.argv[3]);
    for (int64_t j = 0; j < keys; ++j) {
      std::string key = prefix + ":" + std::to_string(j);
      if (key.size() > 127) key.resize(127);
      if (LookupKey(c.st, c.db(), key) != nullptr) continue;
      Object o;
      o.kind = Kind::kString;
      o.str = "value:" + std::to_string(j);
      if (size != 0) o.str.resize(static_cast<size_t>(size), '\0');
      o.str_made = 1;
      DbAdd(c.st, c.db(), key, std::move(o));
      SignalModifiedKey(c.st, c.db(), key);
    }
    return c.Ok();
  }
  if (sub == "digest" && c.argc() == 2) return Value::Simple(DatasetDigestHex(c.st));
  if (sub == "digest-value") {
    std::vector<Value> out;
    const Db& d = c.st.dbs[c.db()];
    for (size_t j = 2; j < c.argc(); ++j) {
      std::string one(20, '\0');
      auto it = d.dict.find(c.argv[j]);
      if (it != d.dict.end()) ObjectDigest(one, it->second, d.expires.count(c.argv[j]) > 0);
      out.push_back(Value::Simple(HexOf(one)));
    }
    return c.Array(std::move(out));
  }
  if (sub != "protocol" || c.argc() != 3) {
    std::string word = CString(c.argv[1]);
    if (word.size() > 128) word.resize(128);
    return c.Err("unknown subcommand or wrong number of arguments for '" + word +
                 "'. Try DEBUG HELP.");
  }
  const std::string type = Lowered(CString(c.argv[2]));
  const bool three = c.resp3();
  auto boolean = [&](bool b) { return three ? Value::Boolean(b) : c.Int(b ? 1 : 0); };
  auto ints = [&](Type shape) {
    return Value::Aggregate(three ? shape : Type::kArray, {c.Int(0), c.Int(1), c.Int(2)});
  };
  if (type == "string") return c.Bulk("Hello World");
  if (type == "integer") return c.Int(12345);
  if (type == "double") return c.Double(3.141);
  if (type == "bignum") {
    const std::string digits = "1234567999999999999999999999999999999";
    return three ? Value::Str(Type::kBigNumber, digits) : c.Bulk(digits);
  }
  if (type == "null") return c.Null();
  if (type == "array") return ints(Type::kArray);
  if (type == "set") return ints(Type::kSet);
  if (type == "map") {
    return c.Map({c.Int(0), boolean(false), c.Int(1), boolean(true), c.Int(2), boolean(false)});
  }
  if (type == "attrib") {
    Value reply = c.Bulk("Some real reply following the attribute");
    if (three) {
      reply.has_attributes = true;
      reply.attributes = {c.Bulk("key-popularity"),
                          Value::Aggregate(Type::kArray, {c.Bulk("key:123"), c.Int(90)})};
    }
    return reply;
  }
  if (type == "push") {
    if (!three) return c.Err("RESP2 is not supported by this command");
    DeliverFrame(c.st, c.session,
                 Value::Aggregate(Type::kPush, {c.Bulk("server-cpu-usage"), c.Int(42)}));
    return c.Bulk("Some real reply following the push reply");
  }
  if (type == "true" || type == "false") return boolean(type == "true");
  if (type == "verbatim") {
    const std::string text = "This is a verbatim\nstring";
    return three ? Value::Str(Type::kVerbatim, "txt:" + text) : c.Bulk(text);
  }
  return c.Err(
      "Wrong protocol type name. Please use one of the following: "
      "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
}

// Never reached through Process (ProtectedRejection comes first); kept
// for a caller that skips it.
Value Protected(Ctx& c) {
  const std::string top = Lowered(c.argv[0]);
  return c.Err(ProtectedRejection(top == "module" ? top + "|" + Lowered(c.argv[1]) : top));
}

}  // namespace

std::string DatasetDigestHex(const State& st) {
  std::string all(20, '\0');
  for (int db = 0; db < kNumDbs; ++db) {
    const Db& d = st.dbs[db];
    if (d.dict.empty()) continue;
    MixInto(all, U32(static_cast<uint32_t>(db)));
    for (const auto& [key, o] : d.dict) {
      std::string one(20, '\0');
      MixInto(one, key);
      ObjectDigest(one, o, d.expires.count(key) > 0);
      XorInto(all, one);
    }
  }
  return HexOf(all);
}

std::string ProtectedRejection(const std::string& fullname) {
  std::string what;
  if (fullname == "debug") {
    what = "DEBUG";
  } else if (fullname == "module|load" || fullname == "module|loadex" ||
             fullname == "module|unload") {
    what = "MODULE";
  } else {
    return "";
  }
  return what + " command not allowed. If the enable-" + Lowered(what) +
         "-command option is set to \"local\", you can run it from a local connection, "
         "otherwise you need to set this option in the configuration file, and then restart the "
         "server.";
}

const std::map<std::string, CommandSpec>& ModuleSubcommands() {
  static const std::map<std::string, CommandSpec> subs = {
      {"module|help", {"module|help", 2, Module}},
      {"module|list", {"module|list", 2, Module}},
      {"module|load", {"module|load", -3, Protected}},
      {"module|loadex", {"module|loadex", -3, Protected}},
      {"module|unload", {"module|unload", 3, Protected}},
  };
  return subs;
}

std::vector<CommandSpec> StandaloneCommands() {
  return {{"debug", -2, Debug},      {"failover", -1, Failover}, {"asking", 1, Disabled},
          {"readonly", 1, Disabled}, {"readwrite", 1, Disabled}, {"role", 1, Role}};
}

const std::map<std::string, CommandSpec>& ClusterSubcommands() {
  static const std::map<std::string, CommandSpec> subs = [] {
    // COMMAND INFO CLUSTER's subcommands and arities (7.0.15).
    const std::pair<const char*, int> kArity[] = {{"addslots", -3},
                                                  {"addslotsrange", -4},
                                                  {"bumpepoch", 2},
                                                  {"count-failure-reports", 3},
                                                  {"countkeysinslot", 3},
                                                  {"delslots", -3},
                                                  {"delslotsrange", -4},
                                                  {"failover", -2},
                                                  {"flushslots", 2},
                                                  {"forget", 3},
                                                  {"getkeysinslot", 4},
                                                  {"help", 2},
                                                  {"info", 2},
                                                  {"keyslot", 3},
                                                  {"links", 2},
                                                  {"meet", -4},
                                                  {"myid", 2},
                                                  {"nodes", 2},
                                                  {"replicas", 3},
                                                  {"replicate", 3},
                                                  {"reset", -2},
                                                  {"saveconfig", 2},
                                                  {"set-config-epoch", 3},
                                                  {"setslot", -4},
                                                  {"shards", 2},
                                                  {"slaves", 3},
                                                  {"slots", 2}};
    std::map<std::string, CommandSpec> m;
    for (const auto& [sub, arity] : kArity) {
      const std::string full = std::string("cluster|") + sub;
      auto it = m.emplace(full, CommandSpec{nullptr, arity, Disabled}).first;
      it->second.name = it->first.c_str();  // the map's key outlives the spec
    }
    return m;
  }();
  return subs;
}

}  // namespace respfuzz::models::refmodel
