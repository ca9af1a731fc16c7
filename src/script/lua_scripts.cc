#include "src/script/lua_scripts.h"

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/engine/reply.h"
#include "src/resp/reader.h"
#include "src/resp/request.h"
#include "src/script/lua_text_load.h"
#include "src/script/sha1.h"

extern "C" {
#include <lua5.1/lauxlib.h>
#include <lua5.1/lua.h>
#include <lua5.1/lualib.h>
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
// Redis 7.0.15's own (third_party/redis70_lualibs/).
int luaopen_struct(lua_State* L);
int luaopen_cmsgpack(lua_State* L);
}

// Lua raises errors with longjmp (liblua5.1 is C): a C function called by
// Lua must not have C++ objects with destructors alive when it calls
// lua_error. Every such function here does its work in a helper that
// returns, then raises from a frame with only plain locals.

namespace respfuzz::script {

namespace {

// Registry keys.
constexpr char kRegState[] = "respfuzz_state";       // lightuserdata: LuaState*
constexpr char kRegProxies[] = "respfuzz_proxies";   // proxy -> real table (weak keys)
constexpr char kRegGlobals[] = "respfuzz_globals";   // the real globals
constexpr char kRegLoadApi[] = "respfuzz_load_api";  // FUNCTION LOAD's globals
constexpr char kRegSource[] = "respfuzz_source";     // what the globals proxy reads
constexpr char kRegHandler[] = "respfuzz_err_handler";
constexpr char kRegGlobalsMeta[] = "respfuzz_globals_meta";  // getmetatable(_G)
constexpr char kRegStringMeta[] = "respfuzz_string_meta";    // getmetatable('')

LuaState* StateOf(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRegState);
  auto* s = static_cast<LuaState*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return s;
}

// luaPushErrorBuff: an error table {err = "CODE msg"}. A leading '-' means
// the text carries its code (up to the first space; none: ERR); otherwise
// the code is ERR. CR/LF at the ends are trimmed.
void PushErrorTable(lua_State* L, std::string_view text) {
  std::string code = "ERR";
  std::string msg;
  if (!text.empty() && text[0] == '-') {
    const size_t sp = text.find(' ');
    if (sp == std::string_view::npos) {
      msg = std::string(text.substr(1));
    } else {
      code = std::string(text.substr(1, sp - 1));
      msg = std::string(text.substr(sp + 1));
    }
  } else {
    msg = std::string(text);
  }
  const size_t b = msg.find_first_not_of("\r\n");
  if (b == std::string::npos) {
    msg.clear();
  } else {
    msg = msg.substr(b, msg.find_last_not_of("\r\n") - b + 1);
  }
  // sdscatfmt's %s stops at a NUL, as lua_pushstring does.
  const std::string final_msg = code + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushstring(L, final_msg.c_str());
  lua_settable(L, -3);
}

// --- the sandbox ------------------------------------------------------------

// The real table behind a proxy at `idx`, pushed; or the value itself.
void PushReal(lua_State* L, int idx) {
  idx = idx < 0 && idx > LUA_REGISTRYINDEX ? lua_gettop(L) + idx + 1 : idx;
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_getfield(L, LUA_REGISTRYINDEX, kRegProxies);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (!lua_isnil(L, -1)) return;
    lua_pop(L, 1);
  }
  lua_pushvalue(L, idx);
}

bool IsProxy(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE) return false;
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  lua_getfield(L, LUA_REGISTRYINDEX, kRegProxies);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  const bool yes = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return yes;
}

int ReadonlyNewIndex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

// A library table's __index: reads through to the real table (upvalue 1).
int LibraryIndex(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

// The globals' __index: the current source table (the real globals, or
// FUNCTION LOAD's API), else Redis's nonexistent-global error.
int GlobalsIndex(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRegSource);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 2);
  if (!lua_isstring(L, 2)) {
    return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
  }
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}

// The API tables' __index when a field is missing (FUNCTION LOAD's redis
// table and globals): the same error.
int ApiIndex(lua_State* L) {
  if (!lua_isstring(L, 2)) {
    return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
  }
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}

// FUNCTION LOAD's redis table's __index: reads through to the real table
// (upvalue 1), else the nonexistent-global error.
int LoadApiIndex(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  return ApiIndex(L);
}

// Replaces the table at the top of the stack with a read-only proxy of it.
// `index` is the proxy's __index (nullptr: read through to the table);
// with `index_sees_table` it gets the table as its upvalue 1.
void MakeProxy(lua_State* L, lua_CFunction index, bool index_sees_table = false) {
  const int real = lua_gettop(L);
  lua_newtable(L);  // proxy
  lua_newtable(L);  // its metatable
  if (index == nullptr || index_sees_table) {
    lua_pushvalue(L, real);
    lua_pushcclosure(L, index == nullptr ? LibraryIndex : index, 1);
  } else {
    lua_pushcfunction(L, index);
  }
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_getfield(L, LUA_REGISTRYINDEX, kRegProxies);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, real);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_replace(L, real);
}

// rawset / rawget / next / pairs / setmetatable that see through proxies.
int SandboxRawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (IsProxy(L, 1)) {
    // Raised by the VM inside a C function in Redis: no position.
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

int SandboxRawget(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  PushReal(L, 1);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

int SandboxNext(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  PushReal(L, 1);
  lua_replace(L, 1);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int SandboxPairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushcfunction(L, SandboxNext);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

// unpack(t [, i [, j]]) with the range check Redis's vendored Lua 5.1 has
// and Debian's liblua5.1 lacks: there, e - i + 1 overflows an int for a range
// like (-2, 2147483647) and the stack check passes, so the interpreter
// writes past its stack (respfuzz serve died of SIGSEGV on unit/scripting's
// "Test table unpack with invalid indexes"). The count is taken in unsigned
// arithmetic, and a range of INT_MAX elements or more, or one the stack
// cannot grow to, is the error redis-server 7.0.15 replies.
int SafeUnpack(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const int first = luaL_optint(L, 2, 1);
  const int last = lua_isnoneornil(L, 3) ? static_cast<int>(luaL_getn(L, 1)) : luaL_checkint(L, 3);
  if (first > last) return 0;
  const unsigned span = static_cast<unsigned>(last) - static_cast<unsigned>(first);
  if (span >= static_cast<unsigned>(INT_MAX) || !lua_checkstack(L, static_cast<int>(span + 1))) {
    return luaL_error(L, "too many results to unpack");
  }
  for (unsigned k = 0; k <= span; ++k) {
    lua_rawgeti(L, 1, static_cast<int>(static_cast<unsigned>(first) + k));
  }
  return static_cast<int>(span + 1);
}

// getmetatable that sees the proxies as Redis's read-only tables: the
// globals' is a read-only table whose __index raises the nonexistent-global
// error (Redis's luaSetErrorMetatable; no __newindex), a library table has
// none; the strings' is read-only with `string` as __index (Redis 7.0.15
// protects it since CVE-2025-46818). Anything else: Lua 5.1's getmetatable.
int SandboxGetmetatable(lua_State* L) {
  luaL_checkany(L, 1);
  if (lua_type(L, 1) == LUA_TSTRING) {
    lua_getfield(L, LUA_REGISTRYINDEX, kRegStringMeta);
    return 1;
  }
  if (IsProxy(L, 1)) {
    PushReal(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobals);
    const bool globals = lua_rawequal(L, -1, -2) != 0;
    lua_pop(L, 2);
    if (globals) {
      lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobalsMeta);
    } else {
      // FUNCTION LOAD's redis table: its real table's metatable, itself a
      // read-only proxy of {__index = the nonexistent-global error}.
      PushReal(L, 1);
      if (!lua_getmetatable(L, -1)) lua_pushnil(L);
    }
    return 1;
  }
  if (!lua_getmetatable(L, 1)) {
    lua_pushnil(L);
    return 1;
  }
  luaL_getmetafield(L, 1, "__metatable");
  return 1;
}

int SandboxSetmetatable(lua_State* L) {
  if (IsProxy(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  const int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
  if (luaL_getmetafield(L, 1, "__metatable")) luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

// --- Redis's PRNG for math.random (redisLrand48's generator: the 48-bit
// linear congruential one of POSIX's lrand48). Redis keeps one state per
// process, not reset between scripts; here one per engine (EvalScripts',
// shared with the functions' Lua state), so that an engine is deterministic
// on its own. -----------------------------------

// One step of lrand48's generator over the state kept in the LuaState.
int32_t NextRand48(uint64_t* x) {
  *x = (*x * 0x5DEECE66Dull + 0xB) & ((1ull << 48) - 1);
  return static_cast<int32_t>(*x >> 17);
}
constexpr int32_t kRand48Max = INT32_MAX;

int MathRandom(lua_State* L) {
  const lua_Number r =
      static_cast<lua_Number>(NextRand48(StateOf(L)->rand) % kRand48Max) / kRand48Max;
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      const int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      const int l = luaL_checkint(L, 1);
      const int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomseed(lua_State* L) {
  *StateOf(L)->rand =
      (static_cast<uint64_t>(static_cast<uint32_t>(luaL_checkint(L, 1))) << 16) | 0x330E;
  return 0;
}

// --- RESP reply -> Lua (redisProtocolToLuaType) -----------------------------

void PushReplyValue(lua_State* L, const resp::Value& v) {
  lua_checkstack(L, 6);
  switch (v.type) {
    case resp::Type::kInteger:
      lua_pushnumber(L, static_cast<lua_Number>(v.integer));
      return;
    case resp::Type::kBulkString:
      lua_pushlstring(L, v.str.data(), v.str.size());
      return;
    case resp::Type::kNullBulk:
    case resp::Type::kNullArray:
      lua_pushboolean(L, 0);
      return;
    case resp::Type::kSimpleString:
      lua_newtable(L);
      lua_pushstring(L, "ok");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      return;
    case resp::Type::kError:
    case resp::Type::kBulkError:
      PushErrorTable(L, "-" + v.str);
      lua_pushstring(L, "ignore_error_stats_update");
      lua_pushboolean(L, 1);
      lua_settable(L, -3);
      return;
    case resp::Type::kArray:
    case resp::Type::kPush:
      lua_newtable(L);
      for (size_t i = 0; i < v.elems.size(); ++i) {
        lua_pushnumber(L, static_cast<lua_Number>(i + 1));
        PushReplyValue(L, v.elems[i]);
        lua_settable(L, -3);
      }
      return;
    case resp::Type::kMap:
      lua_newtable(L);
      lua_pushstring(L, "map");
      lua_newtable(L);
      for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        PushReplyValue(L, v.elems[i]);
        PushReplyValue(L, v.elems[i + 1]);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      return;
    case resp::Type::kSet:
      lua_newtable(L);
      lua_pushstring(L, "set");
      lua_newtable(L);
      for (const resp::Value& e : v.elems) {
        PushReplyValue(L, e);
        lua_pushboolean(L, 1);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      return;
    case resp::Type::kNull:
      lua_pushnil(L);
      return;
    case resp::Type::kBoolean:
      lua_pushboolean(L, v.boolean ? 1 : 0);
      return;
    case resp::Type::kDouble:
      lua_newtable(L);
      lua_pushstring(L, "double");
      lua_pushnumber(L, v.dbl);
      lua_settable(L, -3);
      return;
    case resp::Type::kBigNumber:
      lua_newtable(L);
      lua_pushstring(L, "big_number");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      return;
    case resp::Type::kVerbatim: {
      lua_newtable(L);
      lua_pushstring(L, "verbatim_string");
      lua_newtable(L);
      lua_pushstring(L, "string");
      const std::string_view text = v.str.size() >= 4 ? std::string_view(v.str).substr(4) : "";
      lua_pushlstring(L, text.data(), text.size());
      lua_settable(L, -3);
      lua_pushstring(L, "format");
      lua_pushlstring(L, v.str.data(), std::min<size_t>(3, v.str.size()));
      lua_settable(L, -3);
      lua_settable(L, -3);
      return;
    }
    case resp::Type::kAttribute:
      lua_pushnil(L);
      return;
  }
  lua_pushnil(L);
}

// --- Lua -> reply (luaReplyToRedisReply) ------------------------------------

// Lua's number to Redis's (long long) cast: x86-64 gives INT64_MIN for NaN
// and for anything out of range.
int64_t NumberToInt(lua_Number n) {
  if (std::isnan(n) || n >= 9223372036854775808.0 || n < -9223372036854775808.0) {
    return INT64_MIN;
  }
  return static_cast<int64_t>(n);
}

std::string MapCrLf(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

// Tells the running script's host about an error its reply holds.
void ReportReplyError(lua_State* L, std::string_view text, bool uncounted) {
  LuaState::RunContext* run = StateOf(L)->run();
  if (run != nullptr && run->host != nullptr) run->host->ReplyError(text, uncounted);
}

// Writes the value at the top of the stack (popped). `script_resp` is the
// protocol the script set (redis.setresp), which decides booleans.
void WriteLuaValue(lua_State* L, engine::ReplyWriter& out, resp::Protocol script_resp) {
  if (!lua_checkstack(L, 4)) {
    out.Error("ERR reached lua stack limit");
    ReportReplyError(L, "-ERR reached lua stack limit", false);
    lua_pop(L, 1);
    return;
  }
  std::string* buf = out.buffer();
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      out.Bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN: {
      const bool b = lua_toboolean(L, -1) != 0;
      if (script_resp == resp::Protocol::kResp2) {
        if (b) {
          out.Integer(1);
        } else {
          out.Null();
        }
      } else if (out.resp3()) {
        buf->append(b ? "#t\r\n" : "#f\r\n");
      } else {
        out.Integer(b ? 1 : 0);
      }
      break;
    }
    case LUA_TNUMBER:
      out.Integer(NumberToInt(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      lua_pushstring(L, "err");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TSTRING) {
        lua_pop(L, 1);
        // luaExtractErrorInformation's msg: the err field (a string here).
        lua_getfield(L, -1, "err");
        size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        std::string msg = s == nullptr ? "" : std::string(s, strnlen(s, len));
        lua_pop(L, 1);
        // luaExtractErrorInformation's ignore_err_stats_update.
        lua_getfield(L, -1, "ignore_error_stats_update");
        const bool uncounted = lua_isboolean(L, -1) && lua_toboolean(L, -1) != 0;
        lua_pop(L, 1);
        // addReplyErrorFormatEx("-%s"): the text as is (its own code or
        // none), CR/LF at its end trimmed, the others as spaces.
        while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
        const std::string text = "-" + MapCrLf(msg);
        buf->append(text);
        buf->append("\r\n");
        ReportReplyError(L, text, uncounted);
        lua_pop(L, 1);
        return;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "ok");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TSTRING) {
        const char* s = lua_tostring(L, -1);  // sdsnew: up to a NUL
        buf->push_back('+');
        buf->append(MapCrLf(s));
        buf->append("\r\n");
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "double");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TNUMBER) {
        out.Double(lua_tonumber(L, -1));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "big_number");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TSTRING) {
        size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        std::string num = MapCrLf(std::string(s, len));
        if (out.resp3()) {
          buf->push_back('(');
          buf->append(num);
          buf->append("\r\n");
        } else {
          out.Bulk(num);
        }
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "verbatim_string");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        lua_pushstring(L, "format");
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TSTRING) {
          const char* fmt = lua_tostring(L, -1);
          lua_pushstring(L, "string");
          lua_rawget(L, -3);
          if (lua_type(L, -1) == LUA_TSTRING) {
            size_t len = 0;
            const char* s = lua_tolstring(L, -1, &len);
            if (out.resp3()) {
              // addReplyVerbatim: the format's first 3 bytes up to its
              // first NUL, padded with spaces (redis-server 7.0.15: format
              // 'a' gives "a  :", '' gives "   :").
              std::string f(fmt, strnlen(fmt, 3));
              f.resize(3, ' ');
              resp::WriteAggregateHeader('=', static_cast<int64_t>(len + 4), buf);
              buf->append(f);
              buf->push_back(':');
              buf->append(s, len);
              buf->append("\r\n");
            } else {
              out.Bulk(std::string_view(s, len));
            }
            lua_pop(L, 4);
            return;
          }
          lua_pop(L, 1);
        }
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
      lua_pushstring(L, "map");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        std::string body;
        engine::ReplyWriter inner(out.protocol(), &body);
        int64_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          WriteLuaValue(L, inner, script_resp);  // the key
          WriteLuaValue(L, inner, script_resp);  // the value
          ++n;
        }
        out.MapHeader(n);
        buf->append(body);
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "set");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        std::string body;
        engine::ReplyWriter inner(out.protocol(), &body);
        int64_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          WriteLuaValue(L, inner, script_resp);
          ++n;
        }
        out.SetHeader(n);
        buf->append(body);
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      // An array, up to the first nil.
      std::string body;
      engine::ReplyWriter inner(out.protocol(), &body);
      int64_t n = 0;
      for (int j = 1;; ++j) {
        lua_pushnumber(L, j);
        lua_rawget(L, -2);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        WriteLuaValue(L, inner, script_resp);
        ++n;
      }
      out.ArrayHeader(n);
      buf->append(body);
      break;
    }
    default:
      out.Null();
  }
  lua_pop(L, 1);
}

// --- redis.* ----------------------------------------------------------------

// luaArgsToRedisArgv: numbers as "%.17g", strings as they are. False (and
// the error table pushed) when an argument is neither or there is none.
bool ArgsToArgv(lua_State* L, std::vector<std::string>* argv) {
  const int argc = lua_gettop(L);
  if (argc == 0) {
    PushErrorTable(L, "Please specify at least one argument for this redis lib call");
    return false;
  }
  bool ok = true;
  for (int j = 1; j <= argc; ++j) {
    if (lua_type(L, j) == LUA_TNUMBER) {
      char buf[64];
      const int n = snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, j)));
      argv->emplace_back(buf, static_cast<size_t>(n));
      continue;
    }
    size_t len = 0;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) {
      ok = false;
      break;
    }
    argv->emplace_back(s, len);
  }
  lua_pop(L, argc);
  if (!ok) {
    PushErrorTable(L, "Lua redis lib command arguments must be strings or integers");
    return false;
  }
  return true;
}

// redis.call / redis.pcall's work: leaves one value on the stack and
// returns whether it is an error to raise.
bool GenericCall(lua_State* L, bool raise) {
  LuaState* state = StateOf(L);
  LuaState::RunContext* run = state->run();
  if (run == nullptr || run->host == nullptr) {
    PushErrorTable(L, "redis.call/pcall can only be called inside a script invocation");
    return true;
  }
  std::vector<std::string> argv;
  if (!ArgsToArgv(L, &argv)) return raise;
  std::string reply;
  const std::string err = run->host->Call(argv, run->protocol, &reply);
  if (!err.empty()) {
    PushErrorTable(L, err);
    lua_pushstring(L, "ignore_error_stats_update");
    lua_pushboolean(L, 1);
    lua_settable(L, -3);
    return raise;
  }
  std::vector<resp::Value> values;
  resp::ReaderLimits limits;
  limits.max_depth = resp::ReaderLimits::kMaxDepthCeiling;
  resp::Reader reader(run->protocol, limits);
  resp::TreeBuilder builder(&values, &reader);
  state->host_alloc = true;
  if (!reader.Feed(reply, builder) || values.size() != 1) {
    // The engine wrote something that is not one reply: a bug of ours.
    PushErrorTable(L, "respfuzz: a command's reply did not parse");
    state->host_alloc = false;
    return true;
  }
  PushReplyValue(L, values[0]);
  state->host_alloc = false;
  return raise &&
         (values[0].type == resp::Type::kError || values[0].type == resp::Type::kBulkError);
}

int LuaRedisCall(lua_State* L) {
  if (GenericCall(L, true)) return lua_error(L);
  return 1;
}

// redis.acl_check_cmd(cmd, args...): whether the script's user may run it.
// Pushes the boolean, or the error table and returns false; lua_error runs
// in the caller, once argv is destroyed (a longjmp skips destructors).
bool AclCheckCmdImpl(lua_State* L) {
  LuaState::RunContext* run = StateOf(L)->run();
  if (run == nullptr || run->host == nullptr) {
    PushErrorTable(L, "redis.acl_check_cmd can only be called inside a script invocation");
    return false;
  }
  std::vector<std::string> argv;
  if (!ArgsToArgv(L, &argv)) return false;
  const int r = run->host->AclCheck(argv);
  if (r < 0) {
    PushErrorTable(L, "Invalid command passed to redis.acl_check_cmd()");
    return false;
  }
  lua_pushboolean(L, r);
  return true;
}

int LuaAclCheckCmd(lua_State* L) {
  if (!AclCheckCmdImpl(L)) return lua_error(L);
  return 1;
}

int LuaRedisPcall(lua_State* L) {
  if (GenericCall(L, false)) return lua_error(L);
  return 1;
}

bool Sha1Impl(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, "wrong number of arguments");
    return false;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  const std::string hex = Sha1Hex(s == nullptr ? std::string_view() : std::string_view(s, len));
  lua_pushstring(L, hex.c_str());
  return true;
}

int LuaSha1hex(lua_State* L) {
  if (!Sha1Impl(L)) return lua_error(L);
  return 1;
}

int LuaErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  const char* e = lua_tostring(L, -1);
  PushErrorTable(L, e[0] == '-' ? std::string(e) : "-" + std::string(e));
  return 1;
}

int LuaStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, -3);
  lua_settable(L, -3);
  return 1;
}

int LuaSetResp(lua_State* L) {
  LuaState::RunContext* run = StateOf(L)->run();
  if (run == nullptr || run->host == nullptr) {
    PushErrorTable(L, "redis.setresp can only be called inside a script invocation");
    return lua_error(L);
  }
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, "redis.setresp() requires one argument.");
    return lua_error(L);
  }
  const int r = static_cast<int>(lua_tonumber(L, 1));
  if (r != 2 && r != 3) {
    PushErrorTable(L, "RESP version must be 2 or 3.");
    return lua_error(L);
  }
  run->protocol = r == 2 ? resp::Protocol::kResp2 : resp::Protocol::kResp3;
  return 0;
}

int LuaSetRepl(lua_State* L) {
  if (StateOf(L)->run() == nullptr) {
    PushErrorTable(L, "redis.set_repl can only be called inside a script invocation");
    return lua_error(L);
  }
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, "redis.set_repl() requires two arguments.");
    return lua_error(L);
  }
  const int flags = static_cast<int>(lua_tonumber(L, -1));
  if ((flags & ~3) != 0) {
    PushErrorTable(L,
                   "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return lua_error(L);
  }
  StateOf(L)->run()->host->SetReplication(flags);
  return 0;
}

int LuaReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

// redis.log: the arguments are checked as Redis checks them; the text goes
// nowhere (respfuzz keeps no server log).
int LuaLog(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) {
    PushErrorTable(L, "redis.log() requires two arguments or more.");
    return lua_error(L);
  }
  if (!lua_isnumber(L, -argc)) {
    PushErrorTable(L, "First argument must be a number (log level).");
    return lua_error(L);
  }
  const int level = static_cast<int>(lua_tonumber(L, -argc));
  if (level < 0 || level > 3) {
    PushErrorTable(L, "Invalid debug level.");
    return lua_error(L);
  }
  return 0;
}

// redis.breakpoint / redis.debug outside a debugging session.
int LuaBreakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
int LuaDebug(lua_State*) { return 0; }

// Our pcall (luaRedisPcall): an error table's err string is what the
// caller sees.
int LuaPcall(lua_State* L) {
  const int argc = lua_gettop(L);
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

// The error handler of a script run: a non-table error becomes
// {err = "ERR " .. tostring(err)}; the table gets the source and line of
// the Lua code that raised it (the caller of a C function that raised).
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool have = lua_getstack(L, 1, &ar) != 0 && lua_getinfo(L, "nSl", &ar) != 0;
  if (have && std::strcmp(ar.what, "C") == 0) {
    have = lua_getstack(L, 2, &ar) != 0 && lua_getinfo(L, "nSl", &ar) != 0;
  }
  if (!lua_istable(L, 1)) {
    lua_getglobal(L, "tostring");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    lua_pushstring(L, "ERR ");
    lua_insert(L, -2);
    lua_concat(L, 2);
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushvalue(L, -3);
    lua_settable(L, -3);
    lua_replace(L, 1);
    lua_settop(L, 1);
  }
  if (have) {
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushnumber(L, ar.currentline);
    lua_setfield(L, 1, "line");
  }
  lua_settop(L, 1);
  return 1;
}

// The instruction cap: a script that runs too long is stopped as SCRIPT
// KILL stops one (every line raises again, so pcall cannot keep it alive).
constexpr int kHookPeriod = 1000;
void CountHook(lua_State* L, lua_Debug*) {
  LuaState* state = StateOf(L);
  LuaState::RunContext* run = state->run();
  if (run == nullptr) return;
  if (!run->killed) {
    run->instructions += kHookPeriod;
    // Without a cap, FUNCTION LOAD (no host) keeps the default one, as
    // Redis keeps its load timeout.
    int64_t cap = state->limits().max_instructions;
    if (cap <= 0 && run->host == nullptr) cap = ScriptLimits::kDefaultMaxInstructions;
    const bool over = cap > 0 && run->instructions > cap;
    if (!over && (run->host == nullptr || !run->host->Interrupt())) return;
    run->killed = true;
    lua_sethook(L, CountHook, LUA_MASKLINE, 0);
  }
  // FUNCTION LOAD's own timeout (luaEngineLoadHook) has its own text.
  PushErrorTable(L, run->host == nullptr ? "FUNCTION LOAD timeout"
                                         : "Script killed by user with SCRIPT KILL...");
  lua_error(L);
}

void* CappedAlloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* state = static_cast<LuaState*>(ud);
  if (nsize == 0) {
    state->used_ -= osize;
    std::free(ptr);
    return nullptr;
  }
  if (nsize > osize && !state->host_alloc &&
      state->used_ + (nsize - osize) > state->limits().max_memory) {
    return nullptr;
  }
  void* p = std::realloc(ptr, nsize);
  if (p != nullptr) state->used_ = state->used_ - osize + nsize;
  return p;
}

void SetField(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void SetNumber(lua_State* L, const char* name, double n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

void RegisterLogAndVersion(lua_State* L) {
  SetField(L, "log", LuaLog);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REDIS_VERSION_NUM", 0x07000f);  // (major << 16) | (minor << 8) | patch
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
}

// The globals Redis 7.0.15 leaves a script.
constexpr const char* kKeptGlobals[] = {
    "_G",           "_VERSION",       "assert",    "bit",          "cjson",
    "cmsgpack",     "collectgarbage", "coroutine", "error",        "gcinfo",
    "getmetatable", "ipairs",         "load",      "loadstring",   "math",
    "next",         "pairs",          "pcall",     "rawequal",     "rawget",
    "rawset",       "redis",          "select",    "setmetatable", "string",
    "struct",       "table",          "tonumber",  "tostring",     "type",
    "unpack",       "xpcall",
};

bool Kept(std::string_view name) {
  for (const char* k : kKeptGlobals) {
    if (name == k) return true;
  }
  return false;
}

// Compiles `code` named `chunk`, the function left on the stack; or the
// error message in *error.
bool Compile(lua_State* L, std::string_view code, const char* chunk, std::string* error) {
  if (LoadTextBuffer(L, code.data(), code.size(), chunk) != 0) {
    const char* msg = lua_tostring(L, -1);
    *error = msg == nullptr ? "" : msg;
    lua_pop(L, 1);
    return false;
  }
  return true;
}

}  // namespace

uint32_t ScriptFlagByName(std::string_view name) {
  if (name == "no-writes") return kScriptNoWrites;
  if (name == "allow-oom") return kScriptAllowOom;
  if (name == "allow-stale") return kScriptAllowStale;
  if (name == "no-cluster") return kScriptNoCluster;
  if (name == "allow-cross-slot-keys") return kScriptAllowCrossSlot;
  return 0;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return out;
}

// sdssplitlen(s, ",").
std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    if (comma == std::string::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
}

// sdssplitargs on a shebang line, as an inline command is split
// (src/resp/request.h): blanks separate words, but an unquoted word ends
// only at space, \t, \n or \r (a \v or \f stays in it). Returns false
// on unbalanced quotes.
bool SplitArgs(std::string_view line, std::vector<std::string>* out) {
  std::optional<std::vector<std::string>> parts = resp::SplitInlineArgs(line);
  if (!parts) return false;
  *out = std::move(*parts);
  return true;
}

}  // namespace

bool ParseEvalShebang(std::string_view body, uint32_t* flags, size_t* shebang_len,
                      std::string* error) {
  *flags = kScriptCompat;
  *shebang_len = 0;
  // strncmp/strchr: the body as a C string.
  const std::string_view cbody = body.substr(0, body.find('\0'));
  if (cbody.substr(0, 2) != "#!") return true;
  const size_t end = cbody.find('\n');
  if (end == std::string_view::npos) {
    *error = "Invalid script shebang";
    return false;
  }
  std::vector<std::string> parts;
  if (!SplitArgs(cbody.substr(0, end), &parts) || parts.empty()) {
    *error = "Invalid engine in script shebang";
    return false;
  }
  if (parts[0] != "#!lua") {
    *error = "Unexpected engine in script shebang: " + parts[0];
    return false;
  }
  uint32_t f = 0;
  for (size_t j = 1; j < parts.size(); ++j) {
    if (parts[j].rfind("flags=", 0) != 0) {
      *error = "Unknown lua shebang option: " + parts[j];
      return false;
    }
    const std::string list = parts[j].substr(6);
    // sdssplitlen of "" gives no element.
    if (list.empty()) continue;
    for (const std::string& name : SplitComma(list)) {
      const uint32_t one = ScriptFlagByName(name);
      if (one == 0) {
        *error = "Unexpected flag in script shebang: " + std::string(name);
        return false;
      }
      f |= one;
    }
  }
  *flags = f;
  *shebang_len = end;
  return true;
}

// --- LuaState ---------------------------------------------------------------

LuaState::LuaState(Mode mode, ScriptLimits limits) : mode_(mode), limits_(limits) {
  if (limits.rand48 != nullptr) rand = limits.rand48;
  Init();
}

LuaState::~LuaState() {
  if (L_ != nullptr) lua_close(L_);
}

void LuaState::Init() {
  host_alloc = true;  // the setup itself is not capped
  L_ = lua_newstate(CappedAlloc, this);
  lua_State* L = L_;
  lua_pushlightuserdata(L, this);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegState);
  lua_newtable(L);
  lua_newtable(L);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegProxies);

  // The libraries Redis loads, in its order.
  const struct {
    const char* name;
    lua_CFunction open;
  } libs[] = {{"", luaopen_base},
              {LUA_TABLIBNAME, luaopen_table},
              {LUA_STRLIBNAME, luaopen_string},
              {LUA_MATHLIBNAME, luaopen_math},
              {"cjson", luaopen_cjson},
              {"struct", luaopen_struct},
              {"cmsgpack", luaopen_cmsgpack},
              {"bit", luaopen_bit}};
  for (const auto& lib : libs) {
    lua_pushcfunction(L, lib.open);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 1);
    if (lib.name[0] != '\0' && lua_istable(L, -1)) {
      lua_setglobal(L, lib.name);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushcfunction(L, LuaPcall);
  lua_setglobal(L, "pcall");
  lua_pushcfunction(L, SandboxRawset);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, SandboxRawget);
  lua_setglobal(L, "rawget");
  lua_pushcfunction(L, SandboxNext);
  lua_setglobal(L, "next");
  lua_pushcfunction(L, SandboxPairs);
  lua_setglobal(L, "pairs");
  lua_pushcfunction(L, SandboxSetmetatable);
  lua_setglobal(L, "setmetatable");
  lua_pushcfunction(L, SafeUnpack);
  lua_setglobal(L, "unpack");
  lua_pushcfunction(L, SandboxLoadstring);
  lua_setglobal(L, "loadstring");
  lua_pushcfunction(L, SandboxLoad);
  lua_setglobal(L, "load");
  lua_pushcfunction(L, SandboxGetmetatable);
  lua_setglobal(L, "getmetatable");

  // The redis table.
  lua_newtable(L);
  SetField(L, "call", LuaRedisCall);
  SetField(L, "pcall", LuaRedisPcall);
  RegisterLogAndVersion(L);
  SetField(L, "setresp", LuaSetResp);
  SetField(L, "sha1hex", LuaSha1hex);
  SetField(L, "error_reply", LuaErrorReply);
  SetField(L, "status_reply", LuaStatusReply);
  SetField(L, "set_repl", LuaSetRepl);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
  SetField(L, "acl_check_cmd", LuaAclCheckCmd);
  if (mode_ == Mode::kEval) {
    SetField(L, "breakpoint", LuaBreakpoint);
    SetField(L, "debug", LuaDebug);
    SetField(L, "replicate_commands", LuaReplicateCommands);
  }
  lua_setglobal(L, "redis");

  lua_getglobal(L, "math");
  SetField(L, "random", MathRandom);
  SetField(L, "randomseed", MathRandomseed);
  lua_pop(L, 1);

  // Drop every global Redis does not leave.
  std::vector<std::string> drop;
  lua_pushnil(L);
  while (lua_next(L, LUA_GLOBALSINDEX)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING && !Kept(lua_tostring(L, -1))) {
      drop.emplace_back(lua_tostring(L, -1));
    }
  }
  for (const std::string& name : drop) {
    lua_pushnil(L);
    lua_setglobal(L, name.c_str());
  }

  lua_pushcfunction(L, ErrorHandler);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegHandler);
  if (mode_ == Mode::kEval) {
    // Redis keeps its handler as a global.
    lua_pushcfunction(L, ErrorHandler);
    lua_setglobal(L, "__redis__err__handler");
  }

  // FUNCTION LOAD's globals: redis = {register_function, log, LOG_*,
  // REDIS_VERSION*}, anything else an error. register_function is added by
  // FunctionLibraries.
  if (mode_ == Mode::kFunction) {
    lua_newtable(L);  // load globals
    lua_newtable(L);  // its redis
    RegisterLogAndVersion(L);
    lua_setfield(L, -2, "redis");
    lua_setfield(L, LUA_REGISTRYINDEX, kRegLoadApi);
  }

  // Read-only library tables, then the globals behind a proxy.
  for (const char* lib :
       {"string", "math", "table", "coroutine", "cjson", "struct", "cmsgpack", "bit", "redis"}) {
    lua_getglobal(L, lib);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    MakeProxy(L, nullptr);
    lua_setglobal(L, lib);
  }
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegGlobals);
  lua_newtable(L);  // what getmetatable('') shows
  lua_getglobal(L, "string");
  lua_setfield(L, -2, "__index");
  MakeProxy(L, nullptr);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegStringMeta);
  lua_newtable(L);  // what getmetatable(_G) shows
  lua_pushcfunction(L, GlobalsIndex);
  lua_setfield(L, -2, "__index");
  MakeProxy(L, nullptr);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegGlobalsMeta);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegSource);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  MakeProxy(L, GlobalsIndex);
  // _G is the proxy.
  lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobals);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "_G");
  lua_pop(L, 1);
  lua_replace(L, LUA_GLOBALSINDEX);
  host_alloc = false;
}

void LuaState::Run(std::string_view name, std::span<const std::string> keys,
                   std::span<const std::string> args, bool read_only, CallHost& host,
                   resp::Protocol caller_protocol, std::string* out) {
  lua_State* L = L_;
  RunContext ctx;
  ctx.host = &host;
  ctx.read_only = read_only;
  run_ = &ctx;
  // Stack: function. Put the handler under it.
  lua_getfield(L, LUA_REGISTRYINDEX, kRegHandler);
  lua_insert(L, -2);
  const int handler = lua_gettop(L) - 1;
  host_alloc = true;
  const auto push_array = [L](std::span<const std::string> items) {
    lua_createtable(L, static_cast<int>(items.size()), 0);
    for (size_t j = 0; j < items.size(); ++j) {
      lua_pushlstring(L, items[j].data(), items[j].size());
      lua_rawseti(L, -2, static_cast<int>(j + 1));
    }
  };
  int nargs = 0;
  if (mode_ == Mode::kEval) {
    lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobals);
    push_array(keys);
    lua_setfield(L, -2, "KEYS");
    push_array(args);
    lua_setfield(L, -2, "ARGV");
    lua_pop(L, 1);
  } else {
    push_array(keys);
    push_array(args);
    nargs = 2;
  }
  host_alloc = false;
  lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookPeriod);
  const int err = lua_pcall(L, nargs, 1, handler);
  lua_sethook(L, nullptr, 0, 0);
  host_alloc = true;
  engine::ReplyWriter reply(caller_protocol, out);
  if (err != 0) {
    if (!lua_istable(L, -1)) {
      const char* msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
      const size_t before = out->size();
      reply.Error("ERR Error running script " + std::string(name) + ", " +
                  std::string(std::string_view(msg).substr(0, 100)));
      host.ReplyError(std::string_view(*out).substr(before), false);
    } else {
      std::string msg, source, line;
      bool have_msg = false, have_source = false, have_line = false;
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        msg = lua_tostring(L, -1);
        have_msg = true;
      }
      lua_pop(L, 1);
      lua_getfield(L, -1, "source");
      if (lua_isstring(L, -1)) {
        source = lua_tostring(L, -1);
        have_source = true;
      }
      lua_pop(L, 1);
      lua_getfield(L, -1, "line");
      if (lua_isstring(L, -1)) {
        line = lua_tostring(L, -1);
        have_line = true;
      }
      lua_pop(L, 1);
      // Redis 7.0.15 crashes on an error table without err (a NULL %s);
      // here it is an empty message.
      (void)have_msg;
      std::string text = "-" + msg;
      if (have_source && have_line) {
        text += " script: " + std::string(name) + ", on " + source + ":" + line + ".";
      }
      // addReplyErrorSdsEx: CR/LF become spaces; a leading '-' means the
      // text carries its code.
      // The table's ignore_error_stats_update (luaExtractErrorInformation).
      lua_getfield(L, -1, "ignore_error_stats_update");
      const bool uncounted = lua_isboolean(L, -1) && lua_toboolean(L, -1) != 0;
      lua_pop(L, 1);
      std::string* buf = out;
      buf->push_back('-');
      std::string body = MapCrLf(text.substr(1));
      buf->append(body);
      buf->append("\r\n");
      host.ReplyError("-" + body, uncounted);
    }
    lua_pop(L, 1);
  } else {
    WriteLuaValue(L, reply, ctx.protocol);
  }
  lua_pop(L, 1);  // the handler
  lua_gc(L, LUA_GCSTEP, 50);
  host_alloc = false;
  run_ = nullptr;
}

// --- EvalScripts ------------------------------------------------------------

EvalScripts::EvalScripts(ScriptLimits limits) : limits_(limits) {
  if (limits_.rand48 == nullptr) limits_.rand48 = &rand48_;
  lua_ = std::make_unique<LuaState>(LuaState::Mode::kEval, limits_);
}

EvalScripts::~EvalScripts() = default;

void EvalScripts::Flush() {
  scripts_.clear();
  // math.random's state is Redis's process-wide one (limits_.rand48):
  // SCRIPT FLUSH keeps it.
  lua_ = std::make_unique<LuaState>(LuaState::Mode::kEval, limits_);
}

const EvalScripts::Script* EvalScripts::Find(std::string_view sha) const {
  auto it = scripts_.find(Lower(sha));
  return it == scripts_.end() ? nullptr : &it->second;
}

std::string EvalScripts::Create(std::string_view body, std::string* error) {
  std::string sha = Sha1Hex(body);
  if (scripts_.count(sha) != 0) return sha;
  uint32_t flags = 0;
  size_t shebang_len = 0;
  std::string why;
  if (!ParseEvalShebang(body, &flags, &shebang_len, &why)) {
    *error = "ERR " + why;
    return "";
  }
  lua_State* L = lua_->L();
  lua_->host_alloc = true;
  if (!Compile(L, body.substr(shebang_len), "@user_script", &why)) {
    lua_->host_alloc = false;
    *error = "ERR Error compiling script (new function): " + why;
    return "";
  }
  lua_setfield(L, LUA_REGISTRYINDEX, ("f_" + sha).c_str());
  lua_->host_alloc = false;
  scripts_[sha] = Script{std::string(body), flags};
  return sha;
}

void EvalScripts::Run(std::string_view sha, std::span<const std::string> keys,
                      std::span<const std::string> args, bool read_only, CallHost& host,
                      resp::Protocol caller_protocol, std::string* out) {
  const std::string lower = Lower(sha);
  lua_State* L = lua_->L();
  lua_getfield(L, LUA_REGISTRYINDEX, ("f_" + lower).c_str());
  lua_->Run(lower, keys, args, read_only, host, caller_protocol, out);
}

// --- FunctionLibraries ------------------------------------------------------

namespace {

// The library being loaded, for redis.register_function.
struct LoadContext {
  FunctionLibraries::Library* library;
  std::vector<FunctionLibraries::Function>* functions;
};
constexpr char kRegLoadCtx[] = "respfuzz_load_ctx";

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// luaGetStringSds: a Lua string with its length (a NUL kept).
std::string LuaBytes(lua_State* L, int idx) {
  size_t len = 0;
  const char* p = lua_tolstring(L, idx, &len);
  return std::string(p, len);
}

// Reads register_function's arguments into *f (its function referenced in
// the registry). Returns "" or the error text.
std::string RegisterArgs(lua_State* L, FunctionLibraries::Function* f) {
  const int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return "wrong number of arguments to redis.register_function";
  if (argc == 2) {
    if (!lua_isstring(L, 1)) return "first argument to redis.register_function must be a string";
    f->name = LuaBytes(L, 1);
    if (!lua_isfunction(L, 2))
      return "second argument to redis.register_function must be a function";
    f->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return "";
  }
  if (!lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua "
           "table (representing named arguments).";
  }
  bool have_name = false, have_callback = false;
  std::string err;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (!lua_isstring(L, -2)) {
      err = "named argument key given to redis.register_function is not a string";
      lua_pop(L, 2);
      break;
    }
    const std::string key = lua_tostring(L, -2);
    if (absl::EqualsIgnoreCase(key, "function_name")) {
      if (!lua_isstring(L, -1)) {
        err = "function_name argument given to redis.register_function must be a string";
        lua_pop(L, 2);
        break;
      }
      f->name = LuaBytes(L, -1);
      have_name = true;
    } else if (absl::EqualsIgnoreCase(key, "description")) {
      if (!lua_isstring(L, -1)) {
        err = "description argument given to redis.register_function must be a string";
        lua_pop(L, 2);
        break;
      }
      f->description = LuaBytes(L, -1);
      f->has_description = true;
    } else if (absl::EqualsIgnoreCase(key, "callback")) {
      if (!lua_isfunction(L, -1)) {
        err = "callback argument given to redis.register_function must be a function";
        lua_pop(L, 2);
        break;
      }
      if (f->ref != 0) luaL_unref(L, LUA_REGISTRYINDEX, f->ref);
      lua_pushvalue(L, -1);
      f->ref = luaL_ref(L, LUA_REGISTRYINDEX);
      have_callback = true;
    } else if (absl::EqualsIgnoreCase(key, "flags")) {
      bool ok = lua_istable(L, -1);
      uint32_t flags = 0;
      if (ok) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          if (!lua_isstring(L, -1)) {
            lua_pop(L, 2);
            ok = false;
            break;
          }
          const uint32_t one = ScriptFlagByName(Lower(lua_tostring(L, -1)));
          lua_pop(L, 1);
          if (one == 0) {
            lua_pop(L, 1);
            ok = false;
            break;
          }
          flags |= one;
        }
      }
      if (!ok) {
        err = lua_istable(L, -1) ? "unknown flag given"
                                 : "flags argument to redis.register_function must be a table "
                                   "representing function flags";
        lua_pop(L, 2);
        break;
      }
      f->flags = flags;
    } else {
      err = "unknown argument given to redis.register_function";
      lua_pop(L, 2);
      break;
    }
    lua_pop(L, 1);
  }
  if (err.empty() && !have_name) err = "redis.register_function must get a function name argument";
  if (err.empty() && !have_callback) err = "redis.register_function must get a callback argument";
  if (!err.empty() && f->ref != 0) {
    luaL_unref(L, LUA_REGISTRYINDEX, f->ref);
    f->ref = 0;
  }
  return err;
}

bool RegisterImpl(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRegLoadCtx);
  auto* ctx = static_cast<LoadContext*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (ctx == nullptr) {
    PushErrorTable(L, "redis.register_function can only be called on FUNCTION LOAD command");
    return false;
  }
  FunctionLibraries::Function f;
  std::string err = RegisterArgs(L, &f);
  if (err.empty()) {
    // functionLibCreateFunction.
    if (!ValidName(f.name)) {
      err =
          "Library names can only contain letters, numbers, or underscores(_) and must be at "
          "least one character long";
    } else {
      for (const auto& other : *ctx->functions) {
        // The library's own dict compares case-sensitively.
        if (other.name == f.name) err = "Function already exists in the library";
      }
    }
    if (!err.empty()) luaL_unref(L, LUA_REGISTRYINDEX, f.ref);
  }
  if (!err.empty()) {
    PushErrorTable(L, err);
    return false;
  }
  f.library = ctx->library->name;
  ctx->functions->push_back(std::move(f));
  return true;
}

int LuaRegisterFunction(lua_State* L) {
  if (!RegisterImpl(L)) return lua_error(L);
  return 0;
}

}  // namespace

FunctionLibraries::FunctionLibraries(ScriptLimits limits) : limits_(limits) { Flush(); }

FunctionLibraries::~FunctionLibraries() = default;

void FunctionLibraries::Flush() {
  libraries_.clear();
  functions_.clear();
  lua_ = std::make_unique<LuaState>(LuaState::Mode::kFunction, limits_);
  lua_State* L = lua_->L();
  lua_->host_alloc = true;
  lua_getfield(L, LUA_REGISTRYINDEX, kRegLoadApi);
  lua_getfield(L, -1, "redis");
  SetField(L, "register_function", LuaRegisterFunction);
  // The load API's redis raises on a missing name and is read-only (Redis
  // protects the load globals recursively: a function that kept the table
  // cannot change it either); its globals raise on a missing name.
  lua_newtable(L);
  SetField(L, "__index", ApiIndex);
  MakeProxy(L, nullptr);
  lua_setmetatable(L, -2);
  MakeProxy(L, LoadApiIndex, /*index_sees_table=*/true);
  lua_setfield(L, -2, "redis");
  lua_newtable(L);
  SetField(L, "__index", ApiIndex);
  SetField(L, "__newindex", ReadonlyNewIndex);
  lua_setmetatable(L, -2);
  lua_pop(L, 1);
  lua_->host_alloc = false;
}

const FunctionLibraries::Function* FunctionLibraries::FindFunction(std::string_view name) const {
  auto it = functions_.find(Lower(name));
  return it == functions_.end() ? nullptr : &it->second;
}

bool FunctionLibraries::Delete(std::string_view library) {
  auto it = libraries_.find(library);
  if (it == libraries_.end()) return false;
  lua_State* L = lua_->L();
  for (const Function& def : it->second.defs) {
    luaL_unref(L, LUA_REGISTRYINDEX, def.ref);
    auto f = functions_.find(Lower(def.name));
    if (f != functions_.end() && f->second.library == library) functions_.erase(f);
  }
  libraries_.erase(it);
  return true;
}

bool FunctionLibraries::Create(std::string_view code, bool replace, const LibraryMap& libs,
                               Library* out, bool* exists, std::string* error) {
  // functionExtractLibMetaData.
  const std::string_view ccode = code.substr(0, code.find('\0'));
  if (ccode.substr(0, 2) != "#!") {
    *error = "ERR Missing library metadata";
    return false;
  }
  const size_t end = ccode.find('\n');
  if (end == std::string_view::npos) {
    *error = "ERR Invalid library metadata";
    return false;
  }
  std::vector<std::string> parts;
  if (!SplitArgs(ccode.substr(0, end), &parts) || parts.empty()) {
    *error = "ERR Invalid library metadata";
    return false;
  }
  const std::string engine_name = parts[0].substr(2);
  std::string name;
  bool have_name = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].size() >= 5 && absl::EqualsIgnoreCase(parts[i].substr(0, 5), "name=")) {
      if (have_name) {
        *error = "ERR Invalid metadata value, name argument was given multiple times";
        return false;
      }
      name = parts[i].substr(5);
      have_name = true;
      continue;
    }
    *error = "ERR Invalid metadata value given: " + parts[i];
    return false;
  }
  if (!have_name) {
    *error = "ERR Library name was not given";
    return false;
  }
  if (!ValidName(name)) {
    *error =
        "ERR Library names can only contain letters, numbers, or underscores(_) and must be at "
        "least one character long";
    return false;
  }
  if (!absl::EqualsIgnoreCase(engine_name, "lua")) {
    *error = "ERR Engine '" + engine_name + "' not found";
    return false;
  }
  *exists = libs.count(name) != 0;
  if (*exists && !replace) {
    *error = "ERR Library '" + name + "' already exists";
    return false;
  }
  // Run the code (after the shebang line, its line feed kept) with the load
  // API as its globals.
  lua_State* L = lua_->L();
  Library lib;
  lib.name = name;
  lib.code = std::string(code);
  std::vector<Function> registered;
  std::string why;
  lua_->host_alloc = true;
  const bool compiled = Compile(L, code.substr(end), "@user_function", &why);
  lua_->host_alloc = false;
  if (!compiled) {
    *error = "ERR Error compiling function: " + why;
    return false;
  }
  LoadContext ctx{&lib, &registered};
  lua_pushlightuserdata(L, &ctx);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegLoadCtx);
  lua_getfield(L, LUA_REGISTRYINDEX, kRegLoadApi);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegSource);
  LuaState::RunContext run;  // for the instruction cap only: redis.call is not there
  lua_->SetRun(&run);
  lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookPeriod);
  const int err = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, nullptr, 0, 0);
  lua_->SetRun(nullptr);
  lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobals);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegSource);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegLoadCtx);
  const auto drop_registered = [&] {
    for (const Function& f : registered) luaL_unref(L, LUA_REGISTRYINDEX, f.ref);
  };
  if (err != 0) {
    // luaExtractErrorInformation: a string is "ERR msg"; a table's err.
    std::string msg;
    if (lua_isstring(L, -1)) msg = std::string("ERR ") + lua_tostring(L, -1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    drop_registered();
    *error = "ERR Error registering functions: " + msg;
    return false;
  }
  if (registered.empty()) {
    *error = "ERR No functions registered";
    return false;
  }
  lib.defs = std::move(registered);
  for (const Function& f : lib.defs) lib.functions.push_back(f.name);
  *out = std::move(lib);
  return true;
}

void FunctionLibraries::Release(const Library& lib) {
  for (const Function& f : lib.defs) luaL_unref(lua_->L(), LUA_REGISTRYINDEX, f.ref);
}

void FunctionLibraries::Link(Library lib) {
  // The server's function dict compares case-insensitively: of two names
  // of one library differing in case only, the first is the one FCALL
  // finds (Redis's dictAdd refuses the second).
  for (const Function& f : lib.defs) functions_.emplace(Lower(f.name), f);
  const std::string name = lib.name;
  libraries_[name] = std::move(lib);
}

std::string FunctionLibraries::Load(std::string_view code, bool replace, std::string* error) {
  Library lib;
  bool exists = false;
  if (!Create(code, replace, libraries_, &lib, &exists, error)) return "";
  for (const Function& f : lib.defs) {
    auto it = functions_.find(Lower(f.name));
    if (it != functions_.end() && !(exists && it->second.library == lib.name)) {
      Release(lib);
      *error = "ERR Function " + f.name + " already exists";
      return "";
    }
  }
  if (exists) Delete(lib.name);
  const std::string name = lib.name;
  Link(std::move(lib));
  return name;
}

void FunctionLibraries::Call(const Function& f, std::span<const std::string> keys,
                             std::span<const std::string> args, bool read_only, CallHost& host,
                             resp::Protocol caller_protocol, std::string* out) {
  lua_State* L = lua_->L();
  lua_rawgeti(L, LUA_REGISTRYINDEX, f.ref);
  const std::string name = f.name;  // f may go away if the function deletes its library
  lua_->Run(name, keys, args, read_only, host, caller_protocol, out);
}

}  // namespace respfuzz::script
