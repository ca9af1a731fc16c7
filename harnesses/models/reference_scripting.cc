// Scripting in the reference model: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and
// SCRIPT LOAD / EXISTS / FLUSH / KILL / HELP (eval.c, script.c, script_lua.c
// of Redis 7.0.15), on Debian's Lua 5.1 with lua-cjson and lua-bitop (as
// Debian's redis-server loads them; struct and cmsgpack, which Debian's
// server has, are missing here).
//
// Written plainly and apart from src/script/: every script run gets a
// fresh Lua state (Redis keeps one, but its globals are read-only, so
// nothing a script does outlives it but math.random's state, kept in
// State), the cache is a map sha -> body, and redis.call runs the command
// through the model's own dispatch (RunScriptCommand, reference_model.cc)
// on the caller's session with the script client's db and protocol
// swapped in.
//
// The sandbox: the globals table and the library tables are proxies whose
// writes raise "Attempt to modify a readonly table" (Redis patches Lua for
// read-only tables); reading a missing global raises "Script attempted to
// access nonexistent global variable". print, dofile, loadfile, getfenv,
// setfenv, newproxy, debug and the os/io/package libraries are absent, as
// on the server.
//
// Documented rules shared with the engine (the server has none but SCRIPT
// KILL and maxmemory): a run is stopped after 20,000,000 Lua instructions,
// counted in steps of 1000, with the error SCRIPT KILL gives, raised again
// on every new line so pcall cannot keep it alive; a Lua state may hold
// 64 MiB.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harnesses/models/reference_scripting_detail.h"
#include "harnesses/models/reference_state.h"

extern "C" {
#include <lua5.1/lauxlib.h>
#include <lua5.1/lua.h>
#include <lua5.1/lualib.h>
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace respfuzz::models::refmodel {

using resp::Type;
using resp::Value;

namespace scripting_detail {

// ---------------------------------------------------------------------------
// SHA-1 (FIPS 180-4), for the script cache and redis.sha1hex. The project
// links no crypto library, so it is written here.

uint32_t Rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// Its rounds take the same branches for every input of a length: no
// coverage feedback to give, and trace-cmp's callbacks in every round cost
// the model's DEBUG DIGEST (the harness's end-of-program dataset check)
// about 3% of command_handler's time (docs/figures.md).
#if defined(__clang__)
__attribute__((no_sanitize("coverage")))
#endif
std::string
Sha1Hex(const std::string& data) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string m = data;
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  m.push_back(static_cast<char>(0x80));
  while (m.size() % 64 != 56) m.push_back('\0');
  for (int i = 7; i >= 0; --i) m.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      w[i] = 0;
      for (int b = 0; b < 4; ++b) {
        w[i] = (w[i] << 8) | static_cast<unsigned char>(m[off + 4 * i + b]);
      }
    }
    for (int i = 16; i < 80; ++i) w[i] = Rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      uint32_t t = Rol(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = Rol(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::string out;
  char buf[9];
  for (uint32_t v : h) {
    std::snprintf(buf, sizeof(buf), "%08x", v);
    out += buf;
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return s;
}

// ---------------------------------------------------------------------------
// The shebang (evalExtractShebangFlags).

// sdssplitargs: words split on blanks, "..." with \xHH and \n-style
// escapes, '...' with \'; false on unbalanced quotes.
bool SplitArgs(const std::string& line, std::vector<std::string>* out) {
  size_t i = 0;
  auto hex = [](char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
  };
  auto hexval = [](char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return ch - 'A' + 10;
  };
  while (true) {
    while (i < line.size() && isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) return true;
    std::string cur;
    bool inq = false, insq = false, done = false;
    while (!done) {
      if (inq) {
        if (i >= line.size()) return false;
        if (line[i] == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && hex(line[i + 2]) &&
            hex(line[i + 3])) {
          cur.push_back(static_cast<char>(hexval(line[i + 2]) * 16 + hexval(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < line.size()) {
          char c = line[++i];
          switch (c) {
            case 'n':
              c = '\n';
              break;
            case 'r':
              c = '\r';
              break;
            case 't':
              c = '\t';
              break;
            case 'b':
              c = '\b';
              break;
            case 'a':
              c = '\a';
              break;
            default:
              break;
          }
          cur.push_back(c);
        } else if (line[i] == '"') {
          if (i + 1 < line.size() && !isspace(static_cast<unsigned char>(line[i + 1]))) {
            return false;
          }
          done = true;
        } else {
          cur.push_back(line[i]);
        }
      } else if (insq) {
        if (i >= line.size()) return false;
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < line.size() && !isspace(static_cast<unsigned char>(line[i + 1]))) {
            return false;
          }
          done = true;
        } else {
          cur.push_back(line[i]);
        }
      } else {
        if (i >= line.size()) {
          done = true;
          break;
        }
        char ch = line[i];
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\0') {
          done = true;
        } else if (ch == '"') {
          inq = true;
        } else if (ch == '\'') {
          insq = true;
        } else {
          cur.push_back(ch);
        }
      }
      if (i < line.size()) ++i;
    }
    out->push_back(cur);
  }
}

// Returns false with the error text (no code) in *err.
bool ParseShebang(const std::string& body, uint32_t* flags, size_t* shebang_len, std::string* err) {
  *flags = kCompat;
  *shebang_len = 0;
  if (body.compare(0, 2, "#!") != 0) return true;
  // The server looks for the newline in a C string: a NUL before it ends
  // the search, and the shebang is invalid (redis-server 7.0.15).
  size_t nl = body.find('\n');
  if (nl == std::string::npos || body.find('\0') < nl) {
    *err = "Invalid script shebang";
    return false;
  }
  *shebang_len = nl;
  std::vector<std::string> parts;
  // sdsnewlen + sdssplitargs: the line is a C string to the parser.
  if (!SplitArgs(CString(body.substr(0, nl)), &parts) || parts.empty()) {
    *err = "Invalid engine in script shebang";
    return false;
  }
  if (parts[0] != "#!lua") {
    *err = "Unexpected engine in script shebang: " + CString(parts[0]);
    return false;
  }
  *flags = 0;
  for (size_t j = 1; j < parts.size(); ++j) {
    if (parts[j].compare(0, 6, "flags=") != 0) {
      *err = "Unknown lua shebang option: " + CString(parts[j]);
      return false;
    }
    std::string list = parts[j].substr(6);
    if (list.empty()) continue;
    size_t start = 0;
    while (true) {
      size_t comma = list.find(',', start);
      std::string f =
          list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      uint32_t bit = 0;
      if (f == "no-writes") bit = kNoWrites;
      if (f == "allow-oom") bit = kAllowOom;
      if (f == "allow-stale") bit = kAllowStale;
      if (f == "no-cluster") bit = kNoCluster;
      if (f == "allow-cross-slot-keys") bit = kAllowCrossSlot;
      if (bit == 0) {
        *err = "Unexpected flag in script shebang: " + CString(f);
        return false;
      }
      *flags |= bit;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Command facts of redis-server 7.0.15's COMMAND INFO (reference_acl_data.inc)
// for the commands a script may name, by full name ("xgroup|create").

bool IsWriteCommand(const std::string& full) { return (CommandInfoFlags(full) & kInfoWrite) != 0; }

bool IsNoScriptCommand(const std::string& full) {
  return (CommandInfoFlags(full) & kInfoNoScript) != 0;
}

// ---------------------------------------------------------------------------
// One script run.

const char kRunKey = 0;  // the registry key of the Run (its address)

Run* RunOf(lua_State* L) {
  lua_pushlightuserdata(L, const_cast<char*>(&kRunKey));
  lua_rawget(L, LUA_REGISTRYINDEX);
  Run* r = static_cast<Run*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return r;
}

void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  Run* r = static_cast<Run*>(ud);
  if (nsize == 0) {
    std::free(ptr);
    r->memory -= osize;
    return nullptr;
  }
  if (r->capped && nsize > osize && r->memory + (nsize - osize) > kMaxLuaMemory) return nullptr;
  void* p = std::realloc(ptr, nsize);
  if (p != nullptr) r->memory = r->memory - osize + nsize;
  return p;
}

// luaPushErrorBuff: the {err=...} table of an error text; "-CODE msg"
// keeps its code, anything else gets ERR.
void PushErrorTable(lua_State* L, const std::string& text) {
  std::string code = "ERR", msg = text;
  if (!text.empty() && text[0] == '-') {
    size_t sp = text.find(' ');
    if (sp == std::string::npos) {
      msg = text.substr(1);
    } else {
      code = text.substr(1, sp - 1);
      msg = text.substr(sp + 1);
    }
  }
  // sdstrim(msg, "\r\n") on both ends; the code is a C string.
  size_t b = msg.find_first_not_of("\r\n");
  size_t e = msg.find_last_not_of("\r\n");
  msg = b == std::string::npos ? "" : msg.substr(b, e - b + 1);
  std::string final_msg = CString(code) + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, final_msg.data(), final_msg.size());
  lua_settable(L, -3);
}

// Lua errors longjmp past C++ frames: no C++ object may be alive where
// lua_error runs (each C function below raises only after its C++ locals
// are gone), else it leaks.
int RaiseError(lua_State* L, const char* text) {
  PushErrorTable(L, text);
  return lua_error(L);
}

// The field redis.call and redis.pcall add to the error tables they return
// (a command's error reply, or scriptCall's refusal): the error was counted
// in INFO errorstats already.
void MarkErrorCounted(lua_State* L) {
  lua_pushstring(L, "ignore_error_stats_update");
  lua_pushboolean(L, 1);
  lua_settable(L, -3);
}

// redisProtocolToLuaType on the model's reply (in the script client's protocol).
void PushReply(lua_State* L, const Value& v) {
  luaL_checkstack(L, 4, "reached lua stack limit");
  switch (v.type) {
    case Type::kInteger:
      lua_pushnumber(L, static_cast<lua_Number>(v.integer));
      return;
    case Type::kBulkString:
      lua_pushlstring(L, v.str.data(), v.str.size());
      return;
    case Type::kSimpleString:
      lua_newtable(L);
      lua_pushstring(L, "ok");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      return;
    case Type::kError:
    case Type::kBulkError:
      lua_newtable(L);
      lua_pushstring(L, "err");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      MarkErrorCounted(L);
      return;
    case Type::kNullBulk:
    case Type::kNullArray:
      lua_pushboolean(L, 0);
      return;
    case Type::kNull:
      lua_pushnil(L);
      return;
    case Type::kBoolean:
      lua_pushboolean(L, v.boolean ? 1 : 0);
      return;
    case Type::kDouble:
      lua_newtable(L);
      lua_pushstring(L, "double");
      lua_pushnumber(L, v.dbl);
      lua_settable(L, -3);
      return;
    case Type::kBigNumber:
      lua_newtable(L);
      lua_pushstring(L, "big_number");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      return;
    case Type::kVerbatim: {
      lua_newtable(L);
      lua_pushstring(L, "verbatim_string");
      lua_newtable(L);
      lua_pushstring(L, "string");
      if (v.str.size() >= 4) {
        lua_pushlstring(L, v.str.data() + 4, v.str.size() - 4);
      } else {
        lua_pushliteral(L, "");
      }
      lua_settable(L, -3);
      lua_pushstring(L, "format");
      lua_pushlstring(L, v.str.data(), v.str.size() < 3 ? v.str.size() : 3);
      lua_settable(L, -3);
      lua_settable(L, -3);
      return;
    }
    case Type::kMap:
      lua_newtable(L);
      lua_pushstring(L, "map");
      lua_newtable(L);
      for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        PushReply(L, v.elems[i]);
        PushReply(L, v.elems[i + 1]);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      return;
    case Type::kSet:
      lua_newtable(L);
      lua_pushstring(L, "set");
      lua_newtable(L);
      for (const Value& e : v.elems) {
        PushReply(L, e);
        lua_pushboolean(L, 1);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      return;
    case Type::kArray:
    case Type::kPush:
    default:
      lua_newtable(L);
      for (size_t i = 0; i < v.elems.size(); ++i) {
        lua_pushnumber(L, static_cast<lua_Number>(i + 1));
        PushReply(L, v.elems[i]);
        lua_settable(L, -3);
      }
      return;
  }
}

// luaArgsToRedisArgv: false (with the error table pushed) when an argument
// is no string or number, or there is none.
bool ArgsToArgv(lua_State* L, std::vector<std::string>* argv) {
  int argc = lua_gettop(L);
  if (argc == 0) {
    PushErrorTable(L, "Please specify at least one argument for this redis lib call");
    return false;
  }
  for (int j = 1; j <= argc; ++j) {
    if (lua_type(L, j) == LUA_TNUMBER) {
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, j)));
      argv->emplace_back(buf, static_cast<size_t>(n));
    } else {
      size_t len = 0;
      const char* s = lua_tolstring(L, j, &len);
      if (s == nullptr) {
        PushErrorTable(L, "Lua redis lib command arguments must be strings or integers");
        return false;
      }
      argv->emplace_back(s, len);
    }
  }
  return true;
}

// scriptCall's checks: "" when the command may run, else the error text.
std::string CheckScriptCommand(Run& r, const std::vector<std::string>& argv,
                               const CommandSpec** spec, std::string* full) {
  *spec = LookupModelCommand(*r.st, argv, full);
  const int n = static_cast<int>(argv.size());
  if (*spec == nullptr) {
    // Commands the model lacks but redis-server refuses in scripts anyway:
    // the arity first, then NOSCRIPT.
    int arity = 0;
    uint32_t flags = 0;
    if (CommandInfoOf(argv, &arity, &flags) && (flags & kInfoNoScript) != 0) {
      if ((arity > 0 && arity != n) || n < -arity) {
        return "Wrong number of args calling Redis command from script";
      }
      return "This Redis command is not allowed from script";
    }
    return "Unknown Redis command called from script";
  }
  if (((*spec)->arity > 0 && (*spec)->arity != n) || n < -(*spec)->arity) {
    return "Wrong number of args calling Redis command from script";
  }
  if (IsNoScriptCommand(*full)) return "This Redis command is not allowed from script";
  if (std::string e = AclScriptRejection(*r.st, r.session, argv, *full); !e.empty()) return e;
  // (PUBLISH, SPUBLISH and PFCOUNT, MayReplicateCommand, are refused too,
  // but neither meet min-replicas-to-write nor make the script dirty.)
  if (r.read_only && (IsWriteCommand(*full) || MayReplicateCommand(*full))) {
    return "Write commands are not allowed from read-only scripts.";
  }
  // scriptVerifyWriteCommandAllow: no write before the script's first one
  // while min-replicas-to-write is set (the model has no replicas).
  const Config& cfg = r.st->config;
  if (IsWriteCommand(*full) && !r.wrote && cfg.min_replicas_to_write != 0 &&
      cfg.min_replicas_max_lag != 0) {
    return "-NOREPLICAS Not enough good replicas to write.";
  }
  // scriptVerifyOOM: until the script's first write, a denyoom command is
  // refused when memory was out as the command that runs the script began.
  if (r.st->config.maxmemory != 0 && !r.allow_oom && !r.wrote && r.st->pre_command_oom &&
      (CommandInfoFlags(*full) & kInfoDenyOom) != 0) {
    return "-OOM command not allowed when used memory > 'maxmemory'.";
  }
  if (IsWriteCommand(*full)) r.wrote = true;
  return "";
}

// Pushes the call's result (an error table when it failed); returns whether
// it failed.
bool DoCall(lua_State* L) {
  Run* r = RunOf(L);
  std::vector<std::string> argv;
  if (!ArgsToArgv(L, &argv)) return true;
  const CommandSpec* spec = nullptr;
  std::string full;
  std::string err = CheckScriptCommand(*r, argv, &spec, &full);
  if (!err.empty()) {
    PushErrorTable(L, err);
    MarkErrorCounted(L);
    return true;
  }
  Value reply = RunScriptCommand(*r->st, r->session, *spec, argv, &r->db, r->resp);
  PushReply(L, reply);
  return reply.type == Type::kError || reply.type == Type::kBulkError;
}

int GenericCall(lua_State* L, bool raise) {
  if (DoCall(L) && raise) return lua_error(L);
  return 1;
}

int LuaCall(lua_State* L) { return GenericCall(L, true); }
int LuaPcall(lua_State* L) { return GenericCall(L, false); }

int LuaSha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string digest = Sha1Hex(s == nullptr ? std::string() : std::string(s, len));
  lua_pushstring(L, digest.c_str());
  return 1;
}

int ReturnHelper(lua_State* L, const char* field) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, field);
  lua_pushvalue(L, -3);
  lua_settable(L, -3);
  return 1;
}

int LuaErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  std::string e = CString(lua_tostring(L, -1));
  if (e.empty() || e[0] != '-') e = "-" + e;
  PushErrorTable(L, e);
  return 1;
}

int LuaStatusReply(lua_State* L) { return ReturnHelper(L, "ok"); }

int LuaSetResp(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc != 1) return RaiseError(L, "redis.setresp() requires one argument.");
  int resp = static_cast<int>(lua_tonumber(L, -argc));
  if (resp != 2 && resp != 3) return RaiseError(L, "RESP version must be 2 or 3.");
  RunOf(L)->resp = resp;
  return 0;
}

int LuaLog(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) return RaiseError(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, -argc)) return RaiseError(L, "First argument must be a number (log level).");
  int level = static_cast<int>(lua_tonumber(L, -argc));
  if (level < 0 || level > 3) return RaiseError(L, "Invalid debug level.");
  return 0;  // the log line goes nowhere in the model
}

int LuaSetRepl(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc != 1) return RaiseError(L, "redis.set_repl() requires one argument.");
  int flags = static_cast<int>(lua_tonumber(L, -argc));
  if ((flags & ~3) != 0) {
    return RaiseError(L,
                      "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
                      "REPL_NONE.");
  }
  return 0;
}

// The global pcall is Redis's wrapper (luaRedisPcall): an error table
// caught is replaced by its err string.
int LuaGlobalPcall(lua_State* L) {
  int argc = lua_gettop(L);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0)) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

int LuaTrue(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int LuaFalse(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int LuaNothing(lua_State*) { return 0; }

// 0: known, 1: the argument error pushed, 2: unknown.
int AclCheck(lua_State* L, bool* allowed) {
  std::vector<std::string> argv;
  if (!ArgsToArgv(L, &argv)) return 1;
  std::string full;
  Run* r = RunOf(L);
  if (LookupModelCommand(*r->st, argv, &full) == nullptr) return 2;
  *allowed = AclScriptAllowed(*r->st, r->session, argv, full);  // reference_acl.cc
  return 0;
}

int LuaAclCheckCmd(lua_State* L) {
  bool allowed = false;
  const int status = AclCheck(L, &allowed);
  if (status == 1) return lua_error(L);
  if (status == 2) return RaiseError(L, "Invalid command passed to redis.acl_check_cmd()");
  lua_pushboolean(L, allowed ? 1 : 0);
  return 1;
}

// rand.c: the 48-bit linear congruential generator of lrand48.
int32_t Lrand48(Run& r) {
  r.rand48 = (0x5DEECE66DULL * r.rand48 + 0xB) & ((1ULL << 48) - 1);
  return static_cast<int32_t>(r.rand48 >> 17);
}

int LuaRandom(lua_State* L) {
  Run* r = RunOf(L);
  const int32_t kMax = 2147483647;
  lua_Number x = static_cast<lua_Number>(Lrand48(*r) % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, x);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(x * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(x * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int LuaRandomSeed(lua_State* L) {
  Run* r = RunOf(L);
  uint32_t seed = static_cast<uint32_t>(luaL_checkint(L, 1));
  r->rand48 = (static_cast<uint64_t>(seed) << 16) | 0x330E;
  return 0;
}

// The proxies' metamethods: writes are refused; the globals' reads of a
// missing name are refused too. Upvalue 1 is the real table.
int ReadonlyNewIndex(lua_State* L) {
  luaL_where(L, 1);
  lua_pushstring(L, "Attempt to modify a readonly table");
  lua_concat(L, 2);
  return lua_error(L);
}

int GlobalsIndex(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1)) return 1;
  if (!lua_isstring(L, 2)) {
    return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
  }
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}

// Replaces the table at `idx` of the real globals (name) by a read-only proxy.
void ProtectLibrary(lua_State* L, int real_globals, const char* name) {
  lua_getfield(L, real_globals, name);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  int real = lua_gettop(L);
  lua_newtable(L);  // proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, real);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_setfield(L, real_globals, name);
  lua_pop(L, 1);
}

// The error handler of the run (__redis__err__handler): a non-table error
// becomes {err='ERR ' .. tostring(err)}; the table gets the source and line
// of the Lua code that raised it (the caller of a C function that did).
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool have = lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar);
  if (have && std::strcmp(ar.what, "C") == 0) {
    have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
  }
  if (!lua_istable(L, 1)) {
    std::string text;
    if (luaL_callmeta(L, 1, "__tostring")) {
      size_t n = 0;
      const char* s = lua_tolstring(L, -1, &n);
      text = s != nullptr ? std::string(s, n) : "";
      lua_pop(L, 1);
    } else {
      switch (lua_type(L, 1)) {
        case LUA_TNUMBER:
        case LUA_TSTRING: {
          size_t n = 0;
          lua_pushvalue(L, 1);
          const char* s = lua_tolstring(L, -1, &n);
          text.assign(s, n);
          lua_pop(L, 1);
          break;
        }
        case LUA_TBOOLEAN:
          text = lua_toboolean(L, 1) ? "true" : "false";
          break;
        case LUA_TNIL:
          text = "nil";
          break;
        default: {
          char buf[64];
          std::snprintf(buf, sizeof(buf), "%s: %p", luaL_typename(L, 1), lua_topointer(L, 1));
          text = buf;
        }
      }
    }
    lua_settop(L, 0);
    lua_newtable(L);
    std::string err = "ERR " + text;
    lua_pushlstring(L, err.data(), err.size());
    lua_setfield(L, 1, "err");
  }
  lua_settop(L, 1);
  if (have) {
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushnumber(L, ar.currentline);
    lua_setfield(L, 1, "line");
  }
  return 1;
}

void CountHook(lua_State* L, lua_Debug*) {
  Run* r = RunOf(L);
  if (!r->killed) {
    r->instructions += kHookStep;
    if (r->instructions <= kMaxInstructions) return;
    r->killed = true;
    lua_sethook(L, CountHook, LUA_MASKLINE, 0);
  }
  RaiseError(L, "Script killed by user with SCRIPT KILL...");
}

void SetFn(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void SetNum(lua_State* L, const char* name, lua_Number n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

// A Lua state with Redis's libraries, API and sandbox; `run` lives as long.
lua_State* NewSandbox(Run* run) {
  lua_State* L = lua_newstate(Alloc, run);
  if (L == nullptr) return nullptr;
  const struct {
    const char* name;
    lua_CFunction open;
  } libs[] = {{"", luaopen_base},
              {LUA_TABLIBNAME, luaopen_table},
              {LUA_STRLIBNAME, luaopen_string},
              {LUA_MATHLIBNAME, luaopen_math},
              {LUA_DBLIBNAME, luaopen_debug},
              {"cjson", luaopen_cjson},
              {"bit", luaopen_bit}};
  for (const auto& lib : libs) {
    lua_pushcfunction(L, lib.open);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 1);
    // lua-cjson returns its table without setting the global.
    if (lib.name[0] != '\0' && lua_istable(L, -1)) lua_setfield(L, LUA_GLOBALSINDEX, lib.name);
    lua_settop(L, 0);
  }
  lua_settop(L, 0);
  lua_pushlightuserdata(L, const_cast<char*>(&kRunKey));
  lua_pushlightuserdata(L, run);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  const int g = lua_gettop(L);
  for (const char* gone :
       {"print", "dofile", "loadfile", "getfenv", "setfenv", "newproxy", "debug"}) {
    lua_pushnil(L);
    lua_setfield(L, g, gone);
  }
  lua_pushcfunction(L, LuaGlobalPcall);
  lua_setfield(L, g, "pcall");
  // math.random and math.randomseed are rand.c's.
  lua_getfield(L, g, "math");
  SetFn(L, "random", LuaRandom);
  SetFn(L, "randomseed", LuaRandomSeed);
  lua_pop(L, 1);
  lua_newtable(L);
  SetFn(L, "call", LuaCall);
  SetFn(L, "pcall", LuaPcall);
  SetFn(L, "log", LuaLog);
  SetFn(L, "setresp", LuaSetResp);
  SetFn(L, "sha1hex", LuaSha1hex);
  SetFn(L, "error_reply", LuaErrorReply);
  SetFn(L, "status_reply", LuaStatusReply);
  SetFn(L, "set_repl", LuaSetRepl);
  SetFn(L, "replicate_commands", LuaTrue);
  SetFn(L, "breakpoint", LuaFalse);
  SetFn(L, "debug", LuaNothing);
  SetFn(L, "acl_check_cmd", LuaAclCheckCmd);
  SetNum(L, "LOG_DEBUG", 0);
  SetNum(L, "LOG_VERBOSE", 1);
  SetNum(L, "LOG_NOTICE", 2);
  SetNum(L, "LOG_WARNING", 3);
  SetNum(L, "REPL_NONE", 0);
  SetNum(L, "REPL_AOF", 1);
  SetNum(L, "REPL_SLAVE", 2);
  SetNum(L, "REPL_REPLICA", 2);
  SetNum(L, "REPL_ALL", 3);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  SetNum(L, "REDIS_VERSION_NUM", 0x07000f);
  lua_setfield(L, g, "redis");
  for (const char* lib : {"redis", "math", "string", "table", "coroutine", "cjson", "bit"}) {
    ProtectLibrary(L, g, lib);
  }
  // The globals proxy becomes the globals of every chunk compiled from now on.
  lua_newtable(L);
  const int proxy = lua_gettop(L);
  lua_newtable(L);
  lua_pushvalue(L, g);
  lua_pushcclosure(L, GlobalsIndex, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, proxy);
  lua_pushvalue(L, proxy);
  lua_setfield(L, g, "_G");
  lua_pushvalue(L, g);
  lua_setfield(L, LUA_REGISTRYINDEX, "respfuzz_real_globals");
  lua_pushvalue(L, proxy);
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_settop(L, 0);
  return L;
}

// luaCreateFunction's compile: "" or the compile error (lua's text).
// Redis's Lua only ever parses text: a body whose first byte is ESC (the
// first byte of Lua's precompiled-chunk signature, which lua_load would
// undump) stops the parser at that byte, its first token (redis-server
// 7.0.15: "user_script:1: unexpected symbol near 'char(27)'", whatever
// follows).
bool Compile(lua_State* L, const std::string& body, size_t shebang_len, std::string* err) {
  if (body.size() > shebang_len && body[shebang_len] == '\x1b') {
    *err = "user_script:1: unexpected symbol near 'char(27)'";
    return false;
  }
  if (luaL_loadbuffer(L, body.data() + shebang_len, body.size() - shebang_len, "@user_script")) {
    const char* m = lua_tostring(L, -1);
    *err = m != nullptr ? m : "";
    lua_pop(L, 1);
    return false;
  }
  return true;
}

void SetArray(lua_State* L, const char* name, const std::vector<std::string>& elems) {
  lua_getfield(L, LUA_REGISTRYINDEX, "respfuzz_real_globals");
  lua_newtable(L);
  for (size_t i = 0; i < elems.size(); ++i) {
    lua_pushlstring(L, elems[i].data(), elems[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

// luaReplyToRedisReply: the Lua value on top of the stack (popped) as the
// reply to the caller (Ctx c, in its protocol).
Value ToReply(Ctx& c, lua_State* L, const Run& run) {
  if (!lua_checkstack(L, 4)) {
    lua_pop(L, 1);
    return c.Err("reached lua stack limit");
  }
  Value out;
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t n = 0;
      const char* s = lua_tolstring(L, -1, &n);
      out = c.Bulk(std::string(s, n));
      break;
    }
    case LUA_TBOOLEAN:
      if (run.resp == 2) {
        out = lua_toboolean(L, -1) ? c.Int(1) : c.Null();
      } else if (c.resp3()) {
        out = Value::Boolean(lua_toboolean(L, -1) != 0);
      } else {
        out = c.Int(lua_toboolean(L, -1) ? 1 : 0);
      }
      break;
    case LUA_TNUMBER: {
      // (long long) of a double: x86-64 gives LLONG_MIN out of range and for NaN.
      double d = lua_tonumber(L, -1);
      int64_t n = INT64_MIN;
      if (!std::isnan(d) && d > -9223372036854775808.0 && d < 9223372036854775808.0) {
        n = static_cast<int64_t>(d);
        if (c.st.broken_script_numbers) n = static_cast<int64_t>(std::ceil(d));  // test hook
      } else if (d == -9223372036854775808.0) {
        n = INT64_MIN;
      }
      out = c.Int(n);
      break;
    }
    case LUA_TTABLE: {
      lua_pushstring(L, "err");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TSTRING) {
        std::string msg = lua_tostring(L, -1);  // luaExtractErrorInformation: a C string
        lua_pop(L, 2);
        // addReplyErrorFormat("-%s"): CR/LF trimmed at the ends, spaces inside.
        return Value::Error(SanitizeErrorText("-" + msg).substr(1));
      }
      lua_pop(L, 1);
      lua_pushstring(L, "ok");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TSTRING) {
        std::string ok = lua_tostring(L, -1);
        for (char& ch : ok) {
          if (ch == '\r' || ch == '\n') ch = ' ';
        }
        lua_pop(L, 2);
        return Value::Simple(ok);
      }
      lua_pop(L, 1);
      lua_pushstring(L, "double");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TNUMBER) {
        double d = lua_tonumber(L, -1);
        lua_pop(L, 2);
        return c.Double(d);
      }
      lua_pop(L, 1);
      lua_pushstring(L, "big_number");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TSTRING) {
        size_t n = 0;
        const char* s = lua_tolstring(L, -1, &n);
        std::string num(s, n);
        for (char& ch : num) {
          if (ch == '\r' || ch == '\n') ch = ' ';
        }
        lua_pop(L, 2);
        return c.resp3() ? Value::Str(Type::kBigNumber, num) : c.Bulk(num);
      }
      lua_pop(L, 1);
      lua_pushstring(L, "verbatim_string");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        lua_pushstring(L, "format");
        lua_rawget(L, -2);
        int ft = lua_type(L, -1);
        lua_pushstring(L, "string");
        lua_rawget(L, -3);
        if (lua_type(L, -1) == LUA_TSTRING && ft == LUA_TSTRING) {
          size_t n = 0;
          const char* s = lua_tolstring(L, -1, &n);
          std::string text(s, n);
          std::string fmt = lua_tostring(L, -2);
          lua_pop(L, 4);
          if (!c.resp3()) return c.Bulk(text);
          std::string ext = "   ";
          for (size_t i = 0; i < 3 && i < fmt.size(); ++i) ext[i] = fmt[i];
          return Value::Str(Type::kVerbatim, ext + ":" + text);
        }
        lua_pop(L, 2);
      }
      lua_pop(L, 1);
      lua_pushstring(L, "map");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        std::vector<Value> flat;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          flat.push_back(ToReply(c, L, run));  // the key (a copy)
          flat.push_back(ToReply(c, L, run));  // the value
        }
        lua_pop(L, 2);
        return c.Map(std::move(flat));
      }
      lua_pop(L, 1);
      lua_pushstring(L, "set");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        std::vector<Value> elems;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          elems.push_back(ToReply(c, L, run));
        }
        lua_pop(L, 2);
        return c.SetOf(std::move(elems));
      }
      lua_pop(L, 1);
      std::vector<Value> elems;
      for (int j = 1;; ++j) {
        lua_pushnumber(L, j);
        lua_rawget(L, -2);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        elems.push_back(ToReply(c, L, run));
      }
      out = c.Array(std::move(elems));
      break;
    }
    default:
      out = c.Null();
  }
  lua_pop(L, 1);
  return out;
}

// luaCallFunction: runs the compiled chunk on top of the stack (index 2,
// the handler at 1) and returns the caller's reply.
Value CallChunk(Ctx& c, lua_State* L, Run& run, const std::string& sha, int nargs) {
  lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookStep);
  const bool saved_in_exec = c.st.in_exec;
  c.st.in_exec = true;  // CLIENT_DENY_BLOCKING: nothing blocks in a script
  int status = lua_pcall(L, nargs, 1, 1);
  c.st.in_exec = saved_in_exec;
  lua_sethook(L, nullptr, 0, 0);
  run.capped = false;
  if (status != 0) {
    if (!lua_istable(L, -1)) {
      const char* m = lua_tostring(L, -1);
      std::string msg = m != nullptr ? m : "execution failure";
      if (msg.size() > 100) msg.resize(100);
      return c.Err(SanitizeErrorText("Error running script " + sha + ", " + msg));
    }
    std::string msg, source, line;
    lua_getfield(L, -1, "err");
    if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, -1, "source");
    bool has_source = lua_isstring(L, -1);
    if (has_source) source = lua_tostring(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, -1, "line");
    bool has_line = lua_isstring(L, -1);
    if (has_line) line = lua_tostring(L, -1);
    lua_pop(L, 2);
    std::string text = msg;
    if (has_source && has_line) text += " script: " + sha + ", on " + source + ":" + line + ".";
    // The error reply carries no CR or LF: each becomes a space.
    for (char& ch : text) {
      if (ch == '\r' || ch == '\n') ch = ' ';
    }
    return Value::Error(text);
  }
  return ToReply(c, L, run);
}

Value NoScript() { return Value::Error("NOSCRIPT No matching script. Please use EVAL."); }

// evalGenericCommand.
Value EvalGeneric(Ctx& c, bool evalsha, bool ro) {
  // evalCommand / evalShaCommand feed the monitors first, so the script's
  // calls follow (EVAL* is skip_monitor in call()): reference_monitor.cc.
  MonitorFeed(c.st, c.session, c.argv, Lower(c.argv[0]), false, /*after_reply=*/false);
  if (evalsha && c.argv[1].size() != 40) return NoScript();
  int64_t numkeys = 0;
  Value err;
  if (!c.GetLongLong(c.argv[2], &numkeys, &err)) return err;
  if (numkeys > static_cast<int64_t>(c.argc()) - 3) {
    return c.Err("Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) return c.Err("Number of keys can't be negative");
  std::map<std::string, std::string>& scripts = c.st.scripts;
  std::string sha = evalsha ? Lower(c.argv[1]) : Sha1Hex(c.argv[1]);
  Run run;
  run.st = &c.st;
  run.session = c.session;
  run.db = c.db();
  run.rand48 = c.st.script_rand48;
  lua_State* L = NewSandbox(&run);
  if (L == nullptr) return c.Err("respfuzz model: no Lua state");
  struct Closer {
    lua_State* L;
    ~Closer() { lua_close(L); }
  } closer{L};
  lua_pushcfunction(L, ErrorHandler);
  auto it = scripts.find(sha);
  if (it == scripts.end() && evalsha) return NoScript();
  const std::string body = it != scripts.end() ? it->second : c.argv[1];
  uint32_t flags = kCompat;
  size_t shebang_len = 0;
  std::string serr;
  if (!ParseShebang(body, &flags, &shebang_len, &serr)) return c.Err(serr);
  std::string cerr;
  if (!Compile(L, body, shebang_len, &cerr)) {
    return c.Err(SanitizeErrorText("Error compiling script (new function): " + cerr));
  }
  if (it == scripts.end()) scripts.emplace(sha, body);
  // scriptPrepareForRun.
  const bool compat = (flags & kCompat) != 0;
  if (!compat && (flags & kNoWrites) == 0 && ro) {
    return c.Err("Can not execute a script with write flag using *_ro command.");
  }
  run.read_only = ro || (!compat && (flags & kNoWrites) != 0);
  run.allow_oom = (flags & kAllowOom) != 0;
  SetArray(L, "KEYS", std::vector<std::string>(c.argv.begin() + 3, c.argv.begin() + 3 + numkeys));
  SetArray(L, "ARGV", std::vector<std::string>(c.argv.begin() + 3 + numkeys, c.argv.end()));
  Value reply = CallChunk(c, L, run, sha, 0);
  c.st.script_rand48 = run.rand48;
  return reply;
}

Value Eval(Ctx& c) { return EvalGeneric(c, false, false); }
Value EvalSha(Ctx& c) { return EvalGeneric(c, true, false); }
Value EvalRo(Ctx& c) { return EvalGeneric(c, false, true); }
Value EvalShaRo(Ctx& c) { return EvalGeneric(c, true, true); }

// SCRIPT LOAD: luaCreateFunction without running.
Value ScriptLoad(Ctx& c) {
  const std::string& body = c.argv[2];
  const std::string sha = Sha1Hex(body);
  if (c.st.scripts.count(sha) != 0) return c.Bulk(sha);
  uint32_t flags = kCompat;
  size_t shebang_len = 0;
  std::string serr;
  if (!ParseShebang(body, &flags, &shebang_len, &serr)) return c.Err(serr);
  Run run;
  run.st = &c.st;
  lua_State* L = NewSandbox(&run);
  if (L == nullptr) return c.Err("respfuzz model: no Lua state");
  std::string cerr;
  bool ok = Compile(L, body, shebang_len, &cerr);
  lua_close(L);
  if (!ok) return c.Err(SanitizeErrorText("Error compiling script (new function): " + cerr));
  c.st.scripts.emplace(sha, body);
  return c.Bulk(sha);
}

Value ScriptExists(Ctx& c) {
  std::vector<Value> out;
  for (size_t j = 2; j < c.argc(); ++j) {
    out.push_back(c.Int(c.st.scripts.count(Lower(c.argv[j])) ? 1 : 0));
  }
  return c.Array(std::move(out));
}

Value ScriptFlush(Ctx& c) {
  if (c.argc() == 3 &&
      (EqualsIgnoreCase(c.argv[2], "sync") || EqualsIgnoreCase(c.argv[2], "async"))) {
  } else if (c.argc() != 2) {
    return c.Err("SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  c.st.scripts.clear();
  return c.Ok();
}

Value ScriptKill(Ctx& c) {
  (void)c;
  return Value::Error("NOTBUSY No scripts in execution right now.");
}

Value ScriptHelp(Ctx& c) {
  std::vector<Value> lines;
  for (const char* l : {
           "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
           "DEBUG (YES|SYNC|NO)",
           "    Set the debug mode for subsequent scripts executed.",
           "EXISTS <sha1> [<sha1> ...]",
           "    Return information about the existence of the scripts in the script cache.",
           "FLUSH [ASYNC|SYNC]",
           "    Flush the Lua scripts cache. Very dangerous on replicas.",
           "    When called without the optional mode argument, the behavior is determined by "
           "the",
           "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
           "    * ASYNC: Asynchronously flush the scripts cache.",
           "    * SYNC: Synchronously flush the scripts cache.",
           "KILL",
           "    Kill the currently executing Lua script.",
           "LOAD <script>",
           "    Load a script into the scripts cache without executing it.",
           "HELP",
           "    Prints this help.",
       }) {
    lines.push_back(Value::Simple(l));
  }
  return c.Array(std::move(lines));
}

}  // namespace scripting_detail

using namespace scripting_detail;  // NOLINT: the detail namespace is this file's and
                                   // reference_functions.cc's

std::string ScriptSha1Hex(const std::string& data) { return Sha1Hex(data); }

namespace {

// The flags a script command's script declares in its shebang; false for a
// script without one (or not a script command, or an unknown SHA).
bool DeclaredFlags(const State& st, const std::vector<std::string>& argv, const std::string& name,
                   uint32_t* flags) {
  if (argv.size() < 2) return false;
  std::string body;
  if (name == "eval" || name == "eval_ro") {
    body = argv[1];
  } else if (name == "evalsha" || name == "evalsha_ro") {
    auto it = st.scripts.find(Lower(argv[1]));
    if (it == st.scripts.end()) return false;
    body = it->second;
  } else if (name == "fcall" || name == "fcall_ro") {
    // A function always declares its flags (reference_functions.cc).
    return FunctionDeclaredFlags(st, argv[1], flags);
  } else {
    return false;
  }
  *flags = kCompat;
  size_t len = 0;
  std::string err;
  return ParseShebang(body, flags, &len, &err) && (*flags & kCompat) == 0;
}

// processCommand's is_write_command for one argv: a script's declared
// flags, else the write flag of the command lookupCommand finds (a
// container's subcommand: FUNCTION LOAD is a write, FUNCTION LIST is not).
bool IsDispatchWrite(const State& st, const std::vector<std::string>& argv) {
  uint32_t flags = 0;
  if (DeclaredFlags(st, argv, Lower(argv[0]), &flags)) return (flags & kNoWrites) == 0;
  int arity = 0;
  return CommandInfoOf(argv, &arity, &flags) && (flags & kInfoWrite) != 0;
}

}  // namespace

std::optional<bool> ScriptDeclaresWrite(const State& st, const std::vector<std::string>& argv,
                                        const std::string& name) {
  uint32_t flags = 0;
  if (!DeclaredFlags(st, argv, Lower(name), &flags)) return std::nullopt;
  return (flags & kNoWrites) == 0;
}

std::string NoReplicasRejection(const State& st, int session, const std::vector<std::string>& argv,
                                const std::string& name) {
  if (st.config.min_replicas_to_write == 0 || st.config.min_replicas_max_lag == 0) return "";
  bool write = IsDispatchWrite(st, argv);
  if (name == "exec") {
    for (const std::vector<std::string>& q : st.sessions[session].queued) {
      write = write || IsDispatchWrite(st, q);
    }
  }
  return write ? "-NOREPLICAS Not enough good replicas to write." : "";
}

bool ScriptDeniesOom(const State& st, const std::vector<std::string>& argv,
                     const std::string& name) {
  uint32_t flags = 0;
  return DeclaredFlags(st, argv, name, &flags) && (flags & (kAllowOom | kNoWrites)) == 0;
}

std::vector<CommandSpec> ScriptingCommands() {
  return {{"eval", -3, Eval},
          {"evalsha", -3, EvalSha},
          {"eval_ro", -3, EvalRo},
          {"evalsha_ro", -3, EvalShaRo}};
}

const std::map<std::string, CommandSpec>& ScriptSubcommands() {
  static const std::map<std::string, CommandSpec> subs = {
      {"script|load", {"script|load", 3, ScriptLoad}},
      {"script|exists", {"script|exists", -3, ScriptExists}},
      {"script|flush", {"script|flush", -2, ScriptFlush}},
      {"script|kill", {"script|kill", 2, ScriptKill}},
      {"script|help", {"script|help", 2, ScriptHelp}},
  };
  return subs;
}

}  // namespace respfuzz::models::refmodel
