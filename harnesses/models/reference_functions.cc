// Functions in the reference model: FUNCTION LOAD [REPLACE] / DELETE /
// FLUSH / LIST / STATS / KILL / HELP, FCALL and FCALL_RO (functions.c and
// function_lua.c of Redis 7.0.15), written apart from src/script/ from the
// server's behaviour and Redis's sources, on the model's own sandbox
// (reference_scripting.cc).
//
// As in Redis the libraries live in one Lua state of their own, apart from
// EVAL's, made when the first library is loaded and kept until the model
// goes: a library's locals outlive its FUNCTION LOAD (its functions are
// closures over them). Its chunks see a globals table of their own, empty,
// whose __index is switched: while FUNCTION LOAD runs the library's code
// only `redis` with register_function, log, the LOG_* levels and
// REDIS_VERSION(_NUM) is there (everything else is "Script attempted to
// access nonexistent global variable"); when a function runs, the whole
// sandbox of EVAL is.
//
// Documented rules shared with the engine (docs/fidelity.md): the load run
// is stopped after kMaxInstructions with Redis's load timeout error, a
// function's run as EVAL's; the state may hold kMaxLuaMemory.
//
// Library names are case-sensitive; function names are unique across
// libraries in any letter case (FCALL finds them in any case), within a
// library only exactly. FUNCTION LIST gives libraries by name and each
// library's functions in the order they were registered (Redis gives its
// dicts' order, random per process: the comparisons sort them).

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harnesses/models/reference_dump_payload.h"
#include "harnesses/models/reference_scripting_detail.h"
#include "harnesses/models/reference_state.h"

extern "C" {
#include <lua5.1/lauxlib.h>
#include <lua5.1/lua.h>
#include <lua5.1/lualib.h>
}

namespace respfuzz::models::refmodel {

using resp::Type;
using resp::Value;
using namespace scripting_detail;  // NOLINT: the model's own scripting pieces

struct FunctionsState {
  struct Function {
    std::string name;
    std::optional<std::string> desc;
    uint32_t flags = 0;
    int ref = LUA_NOREF;  // the callback in the registry
  };
  struct Library {
    std::string name;
    std::string code;  // the whole FUNCTION LOAD payload
    std::vector<Function> functions;
  };
  Run run;
  lua_State* L = nullptr;
  std::map<std::string, Library> libraries;  // by name
  // Lower-case function name -> its library (the first one linked).
  std::map<std::string, std::string> functions;
  Library* loading = nullptr;  // while a library's code runs
  ~FunctionsState() {
    if (L != nullptr) lua_close(L);
  }
};

namespace {

const char kFunctionsKey = 0;  // the registry key of the FunctionsState

constexpr const char* kFlagNames[] = {"no-writes", "allow-oom", "allow-stale", "no-cluster",
                                      "allow-cross-slot-keys"};
constexpr uint32_t kFlagBits[] = {kNoWrites, kAllowOom, kAllowStale, kNoCluster, kAllowCrossSlot};

const char kBadName[] =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";

FunctionsState* FunctionsOf(lua_State* L) {
  lua_pushlightuserdata(L, const_cast<char*>(&kFunctionsKey));
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* f = static_cast<FunctionsState*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return f;
}

// functionsVerifyName: [a-zA-Z0-9_]+
bool ValidName(const std::string& name) {
  if (name.empty()) return false;
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_')) {
      return false;
    }
  }
  return true;
}

// luaGetStringSds: a string or a number (as Lua converts it), else nothing.
bool StringArg(lua_State* L, int index, std::string* out) {
  if (!lua_isstring(L, index)) return false;
  size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  out->assign(s, n);
  return true;
}

bool ReadFlags(lua_State* L, uint32_t* flags) {
  uint32_t f = 0;
  for (int j = 1;; ++j) {
    lua_pushnumber(L, j);
    lua_gettable(L, -2);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    const std::string flag = Lower(CString(lua_tostring(L, -1)));
    lua_pop(L, 1);
    bool found = false;
    for (size_t i = 0; i < std::size(kFlagNames); ++i) {
      if (flag == kFlagNames[i]) {
        f |= kFlagBits[i];
        found = true;
      }
    }
    if (!found) return false;
  }
  *flags = f;
  return true;
}

// register_function's arguments: "" with *fn filled (its callback
// referenced), else the error text (nothing referenced).
std::string ReadRegisterArgs(lua_State* L, FunctionsState::Function* fn) {
  const int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return "wrong number of arguments to redis.register_function";
  if (argc == 2) {
    if (!StringArg(L, 1, &fn->name)) {
      return "first argument to redis.register_function must be a string";
    }
    if (!lua_isfunction(L, 2))
      return "second argument to redis.register_function must be a function";
    fn->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return "";
  }
  if (!lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua "
           "table (representing named arguments).";
  }
  bool have_name = false;
  std::string err;
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    // Stack: table, key, value.
    if (!lua_isstring(L, -2)) {
      err = "named argument key given to redis.register_function is not a string";
      lua_pop(L, 2);
      break;
    }
    lua_pushvalue(L, -2);  // a copy: tostring of a number key would confuse lua_next
    const std::string key = Lower(CString(lua_tostring(L, -1)));
    lua_pop(L, 1);
    if (key == "function_name") {
      if (!StringArg(L, -1, &fn->name)) {
        err = "function_name argument given to redis.register_function must be a string";
      }
      have_name = have_name || err.empty();
    } else if (key == "description") {
      std::string d;
      if (!StringArg(L, -1, &d)) {
        err = "description argument given to redis.register_function must be a string";
      } else {
        fn->desc = d;
      }
    } else if (key == "callback") {
      if (!lua_isfunction(L, -1)) {
        err = "callback argument given to redis.register_function must be a function";
      } else {
        if (fn->ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, fn->ref);
        fn->ref = luaL_ref(L, LUA_REGISTRYINDEX);  // pops the value
        continue;
      }
    } else if (key == "flags") {
      if (!lua_istable(L, -1)) {
        err =
            "flags argument to redis.register_function must be a table representing function "
            "flags";
      } else if (!ReadFlags(L, &fn->flags)) {
        err = "unknown flag given";
      }
    } else {
      err = "unknown argument given to redis.register_function";
    }
    if (!err.empty()) {
      lua_pop(L, 2);
      break;
    }
    lua_pop(L, 1);
  }
  if (err.empty() && !have_name) err = "redis.register_function must get a function name argument";
  if (err.empty() && fn->ref == LUA_NOREF)
    err = "redis.register_function must get a callback argument";
  if (!err.empty() && fn->ref != LUA_NOREF) {
    luaL_unref(L, LUA_REGISTRYINDEX, fn->ref);
    fn->ref = LUA_NOREF;
  }
  return err;
}

// redis.register_function (load time only). Raises only once its C++
// locals are gone.
int LuaRegisterFunction(lua_State* L) {
  bool failed = false;
  {
    FunctionsState* fs = FunctionsOf(L);
    std::string err;
    if (fs == nullptr || fs->loading == nullptr) {
      err = "redis.register_function can only be called on FUNCTION LOAD command";
    } else {
      FunctionsState::Function fn;
      err = ReadRegisterArgs(L, &fn);
      if (err.empty()) {
        // functionLibCreateFunction.
        bool dup = false;
        for (const auto& f : fs->loading->functions) dup = dup || f.name == fn.name;
        if (!ValidName(fn.name)) {
          err = kBadName;
        } else if (dup) {
          err = "Function already exists in the library";
        }
        if (err.empty()) {
          fs->loading->functions.push_back(std::move(fn));
        } else {
          luaL_unref(L, LUA_REGISTRYINDEX, fn.ref);
        }
      }
    }
    if (!err.empty()) {
      PushErrorTable(L, err);
      failed = true;
    }
  }
  if (failed) return lua_error(L);
  return 0;
}

void LoadHook(lua_State* L, lua_Debug*) {
  Run* r = RunOf(L);
  if (!r->killed) {
    r->instructions += kHookStep;
    if (r->instructions <= kMaxInstructions) return;
    r->killed = true;
    lua_sethook(L, LoadHook, LUA_MASKLINE, 0);
  }
  RaiseError(L, "FUNCTION LOAD timeout");
}

// The functions' globals see `target` (a registry field) from now on.
void PointGlobalsAt(lua_State* L, const char* target) {
  lua_getfield(L, LUA_REGISTRYINDEX, "respfuzz_fn_globals_meta");
  lua_getfield(L, LUA_REGISTRYINDEX, target);
  lua_pushcclosure(L, GlobalsIndex, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

// A read-only proxy of the table on top (replaced), whose missing fields
// are refused as missing globals are.
void MakeProtectedProxy(lua_State* L) {
  const int real = lua_gettop(L);
  lua_newtable(L);
  lua_newtable(L);
  lua_pushvalue(L, real);
  lua_pushcclosure(L, GlobalsIndex, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_replace(L, real);
}

FunctionsState* Functions(State& st) {
  if (st.functions) return st.functions.get();
  auto fs = std::make_shared<FunctionsState>();
  fs->run.st = &st;
  fs->run.capped = false;  // set up outside any protected call
  lua_State* L = NewSandbox(&fs->run);
  if (L == nullptr) return nullptr;
  fs->L = L;
  lua_pushlightuserdata(L, const_cast<char*>(&kFunctionsKey));
  lua_pushlightuserdata(L, fs.get());
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushcfunction(L, ErrorHandler);
  lua_setfield(L, LUA_REGISTRYINDEX, "respfuzz_fn_error_handler");
  // The load-time globals: only `redis`, with only the library API.
  lua_newtable(L);  // globals
  lua_newtable(L);  // redis
  lua_pushcfunction(L, LuaRegisterFunction);
  lua_setfield(L, -2, "register_function");
  lua_pushcfunction(L, LuaLog);
  lua_setfield(L, -2, "log");
  const std::pair<const char*, int> levels[] = {
      {"LOG_DEBUG", 0}, {"LOG_VERBOSE", 1}, {"LOG_NOTICE", 2}, {"LOG_WARNING", 3}};
  for (const auto& [name, n] : levels) {
    lua_pushnumber(L, n);
    lua_setfield(L, -2, name);
  }
  lua_pushnumber(L, 0x07000f);
  lua_setfield(L, -2, "REDIS_VERSION_NUM");
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  MakeProtectedProxy(L);
  lua_setfield(L, -2, "redis");
  lua_setfield(L, LUA_REGISTRYINDEX, "respfuzz_fn_load_api");
  // The functions' own globals: empty, read-only, __index switched.
  lua_newtable(L);
  lua_newtable(L);
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, "respfuzz_fn_globals_meta");
  lua_setmetatable(L, -2);
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_settop(L, 0);
  PointGlobalsAt(L, "respfuzz_real_globals");
  st.functions = std::move(fs);
  return st.functions.get();
}

void UnrefLibrary(lua_State* L, const FunctionsState::Library& lib) {
  for (const auto& f : lib.functions) luaL_unref(L, LUA_REGISTRYINDEX, f.ref);
}

void Unlink(FunctionsState& fs, const FunctionsState::Library& lib) {
  for (const auto& f : lib.functions) {
    auto it = fs.functions.find(Lower(f.name));
    if (it != fs.functions.end() && it->second == lib.name) fs.functions.erase(it);
  }
}

void Link(FunctionsState& fs, const FunctionsState::Library& lib) {
  for (const auto& f : lib.functions) fs.functions.emplace(Lower(f.name), lib.name);
}

// Runs the library's code (the payload after its shebang line, which
// starts with that line's '\n'): "" or the error text.
std::string RunLibraryCode(State& st, FunctionsState& fs, FunctionsState::Library* lib,
                           const std::string& code) {
  lua_State* L = fs.L;
  lua_settop(L, 0);
  if (luaL_loadbuffer(L, code.data(), code.size(), "@user_function")) {
    std::string err = "Error compiling function: " + CString(lua_tostring(L, -1));
    lua_settop(L, 0);
    return err;
  }
  fs.run.st = &st;
  fs.run.instructions = 0;
  fs.run.killed = false;
  fs.run.capped = true;
  fs.loading = lib;
  PointGlobalsAt(L, "respfuzz_fn_load_api");
  lua_sethook(L, LoadHook, LUA_MASKCOUNT, kHookStep);
  const int status = lua_pcall(L, 0, 0, 0);
  fs.run.capped = false;  // outside a protected call a failed allocation would abort
  lua_sethook(L, nullptr, 0, 0);
  PointGlobalsAt(L, "respfuzz_real_globals");
  fs.loading = nullptr;
  std::string err;
  if (status != 0) {
    // luaExtractErrorInformation: a string is "ERR " + it, a table its err.
    std::string msg = "(null)";
    if (lua_isstring(L, -1)) {
      msg = "ERR " + CString(lua_tostring(L, -1));
    } else if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) msg = CString(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    err = "Error registering functions: " + msg;
  }
  lua_settop(L, 0);
  return err;
}

// functionExtractLibMetaData (on the C string) and the engine's name: ""
// or the error; *name the library's, *nl where the shebang line ends.
std::string LibraryMetadata(const std::string& payload, std::string* name, size_t* nl) {
  const std::string cpayload = CString(payload);
  if (cpayload.compare(0, 2, "#!") != 0) return "Missing library metadata";
  *nl = cpayload.find('\n');
  if (*nl == std::string::npos) return "Invalid library metadata";
  std::vector<std::string> parts;
  if (!SplitArgs(cpayload.substr(0, *nl), &parts) || parts.empty()) {
    return "Invalid library metadata";
  }
  const std::string engine = parts[0].substr(2);
  std::optional<std::string> found;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].size() >= 5 && EqualsIgnoreCase(parts[i].substr(0, 5), "name=")) {
      if (found) return "Invalid metadata value, name argument was given multiple times";
      found = parts[i].substr(5);
      continue;
    }
    return "Invalid metadata value given: " + CString(parts[i]);
  }
  if (!found) return "Library name was not given";
  if (!ValidName(*found)) return kBadName;
  if (!EqualsIgnoreCase(engine, "lua")) return "Engine '" + engine + "' not found";
  *name = *found;
  return "";
}

// The library's code run into *lib, which keeps `payload` as its code: ""
// or the error (the caller then releases what *lib registered).
std::string RunLibrary(Ctx& c, FunctionsState* fs, const std::string& payload, size_t nl,
                       FunctionsState::Library* lib) {
  lib->code = payload;
  fs->run.rand48 = c.st.script_rand48;
  std::string err = RunLibraryCode(c.st, *fs, lib, payload.substr(nl));
  c.st.script_rand48 = fs->run.rand48;
  if (err.empty() && lib->functions.empty()) err = "No functions registered";
  return err;
}

Value FunctionLoad(Ctx& c) {
  bool replace = false;
  size_t pos = 2;
  while (pos < c.argc() - 1) {
    const std::string& arg = c.argv[pos++];
    if (EqualsIgnoreCase(CString(arg), "replace")) {
      replace = true;
      continue;
    }
    return c.Err(SanitizeErrorText("Unknown option given: " + CString(arg)));
  }
  const std::string& payload = c.argv[pos];
  std::string name;
  size_t nl = 0;
  if (std::string e = LibraryMetadata(payload, &name, &nl); !e.empty()) {
    return c.Err(SanitizeErrorText(e));
  }
  FunctionsState* fs = Functions(c.st);
  if (fs == nullptr) return c.Err("respfuzz model: no Lua state");
  auto old = fs->libraries.find(name);
  if (old != fs->libraries.end() && !replace) {
    return c.Err("Library '" + name + "' already exists");
  }
  if (old != fs->libraries.end()) Unlink(*fs, old->second);
  FunctionsState::Library lib;
  lib.name = name;
  std::string err = RunLibrary(c, fs, payload, nl, &lib);
  for (size_t i = 0; i < lib.functions.size() && err.empty(); ++i) {
    if (fs->functions.count(Lower(lib.functions[i].name)) != 0) {
      err = "Function " + lib.functions[i].name + " already exists";
    }
  }
  if (!err.empty()) {
    UnrefLibrary(fs->L, lib);
    if (old != fs->libraries.end()) Link(*fs, old->second);
    return c.Err(SanitizeErrorText(err));
  }
  if (old != fs->libraries.end()) {
    UnrefLibrary(fs->L, old->second);
    fs->libraries.erase(old);
  }
  Link(*fs, lib);
  fs->libraries.emplace(name, std::move(lib));
  return c.Bulk(name);
}

// rdbFunctionLoad: one library's code at *pos, after its opcode (245: the
// code as a string; 246, 7.0's release candidates: name, engine, a
// description flag and description, the code after the shebang line, put
// together as "#!engine name=name\n" and the code, each up to a NUL).
std::string ReadLibraryPayload(const std::string& p, size_t* pos, uint8_t type, std::string* code) {
  if (type == 245) return RdbReadString(p, pos, code) ? "" : "Failed loading library payload";
  std::string name, engine, desc, blob;
  if (!RdbReadString(p, pos, &name)) return "Failed loading library name";
  if (!RdbReadString(p, pos, &engine)) return "Failed loading engine name";
  uint64_t has_desc = 0;
  bool encoded = false;
  if (!RdbReadLen(p, pos, &has_desc, &encoded)) {
    return "Failed loading library description indicator";
  }
  if (has_desc != 0 && !RdbReadString(p, pos, &desc)) {
    return "Failed loading library description";
  }
  if (!RdbReadString(p, pos, &blob)) return "Failed loading library blob";
  *code = "#!" + CString(engine) + " name=" + CString(name) + "\n" + CString(blob);
  return "";
}

// functionRestoreCommand: the arguments, the policy, the payload's footer;
// then its libraries, each created (run) in a context of their own where a
// library or function name may not come twice; then joined with the
// current ones by the policy (FLUSH: they replace all; APPEND: a library
// that exists is an error; REPLACE: it is replaced), after which no
// function may exist twice. Of several clashes the error names the first
// library in payload order and the first function in lower-case order
// (Redis: in its dicts' order, which no program can predict).
Value FunctionRestore(Ctx& c) {
  if (c.argc() > 4) {
    std::string sub = CString(c.argv[1]);
    if (sub.size() > 128) sub.resize(128);
    return c.Err(SanitizeErrorText("unknown subcommand or wrong number of arguments for '" + sub +
                                   "'. Try FUNCTION HELP."));
  }
  enum { kAppend, kReplace, kFlush } policy = kAppend;
  if (c.argc() == 4) {
    const std::string p = CString(c.argv[3]);
    if (EqualsIgnoreCase(p, "append")) {
      policy = kAppend;
    } else if (EqualsIgnoreCase(p, "replace")) {
      policy = kReplace;
    } else if (EqualsIgnoreCase(p, "flush")) {
      policy = kFlush;
    } else {
      return c.Err("Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  const std::string& payload = c.argv[2];
  if (!DumpFooterOk(payload, /*max_rdb_version=*/10)) {
    return c.Err("DUMP payload version or checksum are wrong");
  }
  FunctionsState* fs = Functions(c.st);
  if (fs == nullptr) return c.Err("respfuzz model: no Lua state");
  std::vector<FunctionsState::Library> staged;
  std::map<std::string, std::string> staged_functions;  // lower-case -> name
  const auto fail = [&](const std::string& e) {
    for (const auto& lib : staged) UnrefLibrary(fs->L, lib);
    return c.Err(SanitizeErrorText(e));
  };
  size_t pos = 0;
  while (payload.size() - pos > 10) {
    const auto type = static_cast<uint8_t>(payload[pos++]);
    if (type != 245 && type != 246) return fail("given type is not a function");
    std::string code;
    if (std::string e = ReadLibraryPayload(payload, &pos, type, &code); !e.empty()) {
      return fail(e);
    }
    std::string name;
    size_t nl = 0;
    if (std::string e = LibraryMetadata(code, &name, &nl); !e.empty()) return fail(e);
    for (const auto& lib : staged) {
      if (lib.name == name) return fail("Library '" + name + "' already exists");
    }
    FunctionsState::Library lib;
    lib.name = name;
    if (std::string e = RunLibrary(c, fs, code, nl, &lib); !e.empty()) {
      UnrefLibrary(fs->L, lib);
      return fail(e);
    }
    for (const auto& f : lib.functions) {
      if (staged_functions.count(Lower(f.name)) != 0) {
        UnrefLibrary(fs->L, lib);
        return fail("Function " + f.name + " already exists");
      }
    }
    for (const auto& f : lib.functions) staged_functions.emplace(Lower(f.name), f.name);
    staged.push_back(std::move(lib));
  }
  std::vector<std::string> replaced;
  if (policy == kFlush) {
    for (const auto& [name, lib] : fs->libraries) UnrefLibrary(fs->L, lib);
    fs->libraries.clear();
    fs->functions.clear();
  } else {
    for (const auto& lib : staged) {
      if (fs->libraries.count(lib.name) == 0) continue;
      if (policy == kAppend) return fail("Library " + lib.name + " already exists");
      replaced.push_back(lib.name);
    }
    for (const auto& [lower, name] : staged_functions) {
      auto owner = fs->functions.find(lower);
      if (owner != fs->functions.end() &&
          std::find(replaced.begin(), replaced.end(), owner->second) == replaced.end()) {
        return fail("Function " + name + " already exists");
      }
    }
    for (const std::string& name : replaced) {
      auto it = fs->libraries.find(name);
      Unlink(*fs, it->second);
      UnrefLibrary(fs->L, it->second);
      fs->libraries.erase(it);
    }
  }
  for (auto& lib : staged) {
    Link(*fs, lib);
    const std::string name = lib.name;
    fs->libraries.emplace(name, std::move(lib));
  }
  return c.Ok();
}

Value FunctionDelete(Ctx& c) {
  FunctionsState* fs = c.st.functions.get();
  auto it = fs == nullptr ? decltype(fs->libraries)::iterator() : fs->libraries.find(c.argv[2]);
  if (fs == nullptr || it == fs->libraries.end()) return c.Err("Library not found");
  Unlink(*fs, it->second);
  UnrefLibrary(fs->L, it->second);
  fs->libraries.erase(it);
  return c.Ok();
}

Value FunctionFlush(Ctx& c) {
  if (c.argc() > 3) {
    std::string cmd = CString(c.argv[0]);
    for (char& ch : cmd) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::string sub = CString(c.argv[1]);
    if (sub.size() > 128) sub.resize(128);
    return c.Err(SanitizeErrorText("unknown subcommand or wrong number of arguments for '" + sub +
                                   "'. Try " + cmd + " HELP."));
  }
  if (c.argc() == 3 && !EqualsIgnoreCase(CString(c.argv[2]), "sync") &&
      !EqualsIgnoreCase(CString(c.argv[2]), "async")) {
    return c.Err("FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  if (FunctionsState* fs = c.st.functions.get(); fs != nullptr) {
    for (const auto& [name, lib] : fs->libraries) UnrefLibrary(fs->L, lib);
    fs->libraries.clear();
    fs->functions.clear();
  }
  return c.Ok();
}

Value FunctionFlags(Ctx& c, uint32_t flags) {
  std::vector<Value> out;
  for (size_t i = 0; i < std::size(kFlagNames); ++i) {
    if ((flags & kFlagBits[i]) != 0) out.push_back(Value::Simple(kFlagNames[i]));
  }
  return c.SetOf(std::move(out));
}

Value FunctionList(Ctx& c) {
  bool with_code = false;
  std::optional<std::string> pattern;
  for (size_t i = 2; i < c.argc(); ++i) {
    const std::string arg = CString(c.argv[i]);
    if (!with_code && EqualsIgnoreCase(arg, "withcode")) {
      with_code = true;
      continue;
    }
    if (!pattern && EqualsIgnoreCase(arg, "libraryname")) {
      if (i >= c.argc() - 1) return c.Err("library name argument was not given");
      pattern = c.argv[++i];
      continue;
    }
    // addReplyErrorSdsSafe: CR and LF become spaces, at the end too (no
    // trimming, unlike addReplyErrorFormat).
    std::string text = "Unknown argument " + arg;
    std::replace(text.begin(), text.end(), '\r', ' ');
    std::replace(text.begin(), text.end(), '\n', ' ');
    return c.Err(text);
  }
  std::vector<Value> libs;
  if (FunctionsState* fs = c.st.functions.get(); fs != nullptr) {
    for (const auto& [name, lib] : fs->libraries) {
      if (pattern && !StringMatch(*pattern, name, /*nocase=*/true)) continue;
      std::vector<Value> fns;
      for (const auto& f : lib.functions) {
        fns.push_back(c.Map({c.Bulk("name"), c.Bulk(f.name), c.Bulk("description"),
                             f.desc ? c.Bulk(*f.desc) : c.Null(), c.Bulk("flags"),
                             FunctionFlags(c, f.flags)}));
      }
      std::vector<Value> flat = {c.Bulk("library_name"), c.Bulk(name),
                                 c.Bulk("engine"),       c.Bulk("LUA"),
                                 c.Bulk("functions"),    c.Array(std::move(fns))};
      if (with_code) {
        flat.push_back(c.Bulk("library_code"));
        flat.push_back(c.Bulk(lib.code));
      }
      libs.push_back(c.Map(std::move(flat)));
    }
  }
  return c.Array(std::move(libs));
}

Value FunctionStats(Ctx& c) {
  int64_t nlib = 0, nfn = 0;
  if (FunctionsState* fs = c.st.functions.get(); fs != nullptr) {
    for (const auto& [name, lib] : fs->libraries) {
      ++nlib;
      nfn += static_cast<int64_t>(lib.functions.size());
    }
  }
  return c.Map({c.Bulk("running_script"), c.Null(), c.Bulk("engines"),
                c.Map({c.Bulk("LUA"), c.Map({c.Bulk("libraries_count"), c.Int(nlib),
                                             c.Bulk("functions_count"), c.Int(nfn)})})});
}

Value FunctionKill(Ctx& c) {
  (void)c;
  return Value::Error("NOTBUSY No scripts in execution right now.");
}

Value FunctionHelp(Ctx& c) {
  std::vector<Value> lines;
  for (const char* l : {
           "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
           "LOAD [REPLACE] <FUNCTION CODE>",
           "    Create a new library with the given library name and code.",
           "DELETE <LIBRARY NAME>",
           "    Delete the given library.",
           "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
           "    Return general information on all the libraries:",
           "    * Library name",
           "    * The engine used to run the Library",
           "    * Library description",
           "    * Functions list",
           "    * Library code (if WITHCODE is given)",
           "    It also possible to get only function that matches a pattern using LIBRARYNAME "
           "argument.",
           "STATS",
           "    Return information about the current function running:",
           "    * Function name",
           "    * Command used to run the function",
           "    * Duration in MS that the function is running",
           "    If no function is running, return nil",
           "    In addition, returns a list of available engines.",
           "KILL",
           "    Kill the current running function.",
           "FLUSH [ASYNC|SYNC]",
           "    Delete all the libraries.",
           "    When called without the optional mode argument, the behavior is determined by the",
           "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
           "    * ASYNC: Asynchronously flush the libraries.",
           "    * SYNC: Synchronously flush the libraries.",
           "DUMP",
           "    Return a serialized payload representing the current libraries, can be restored "
           "using FUNCTION RESTORE command",
           "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
           "    Restore the libraries represented by the given payload, it is possible to give a "
           "restore policy to",
           "    control how to handle existing libraries (default APPEND):",
           "    * FLUSH: delete all existing libraries.",
           "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
           "abort.",
           "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
           "replace the old",
           "      libraries with the new libraries (notice that even on this option there is a "
           "chance of failure",
           "      in case of functions name collision with another library).",
           "HELP",
           "    Prints this help.",
       }) {
    lines.push_back(Value::Simple(l));
  }
  return c.Array(std::move(lines));
}

const FunctionsState::Function* FindFunction(const State& st, const std::string& name) {
  const FunctionsState* fs = st.functions.get();
  if (fs == nullptr) return nullptr;
  auto it = fs->functions.find(Lower(name));
  if (it == fs->functions.end()) return nullptr;
  const auto& lib = fs->libraries.at(it->second);
  for (const auto& f : lib.functions) {
    if (Lower(f.name) == it->first) return &f;
  }
  return nullptr;
}

void PushTable(lua_State* L, const std::vector<std::string>& argv, size_t from, size_t n) {
  lua_newtable(L);
  for (size_t i = 0; i < n; ++i) {
    lua_pushlstring(L, argv[from + i].data(), argv[from + i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

// fcallCommandGeneric and scriptPrepareForRun.
Value FcallGeneric(Ctx& c, bool ro) {
  // fcallCommandGeneric feeds the monitors first, as EVAL does.
  MonitorFeed(c.st, c.session, c.argv, Lowered(c.argv[0]), false, /*after_reply=*/false);
  const FunctionsState::Function* fn = FindFunction(c.st, c.argv[1]);
  if (fn == nullptr) return c.Err("Function not found");
  int64_t numkeys = 0;
  Value err;
  if (!c.GetLongLong(c.argv[2], &numkeys, &err, "Bad number of keys provided")) return err;
  if (numkeys > static_cast<int64_t>(c.argc()) - 3) {
    return c.Err("Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) return c.Err("Number of keys can't be negative");
  if ((fn->flags & kNoWrites) == 0 && ro) {
    return c.Err("Can not execute a script with write flag using *_ro command.");
  }
  FunctionsState& fs = *c.st.functions;
  lua_State* L = fs.L;
  Run& run = fs.run;
  run.st = &c.st;
  run.session = c.session;
  run.db = c.db();
  run.resp = 2;
  run.read_only = ro || (fn->flags & kNoWrites) != 0;
  run.allow_oom = (fn->flags & kAllowOom) != 0;
  run.wrote = false;
  run.instructions = 0;
  run.killed = false;
  run.capped = false;  // the pushes below are not in a protected call
  run.rand48 = c.st.script_rand48;
  const std::string name = fn->name;
  lua_settop(L, 0);
  lua_getfield(L, LUA_REGISTRYINDEX, "respfuzz_fn_error_handler");
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn->ref);
  const size_t nk = static_cast<size_t>(numkeys);
  PushTable(L, c.argv, 3, nk);
  PushTable(L, c.argv, 3 + nk, c.argc() - 3 - nk);
  run.capped = true;
  Value reply = CallChunk(c, L, run, name, 2);  // leaves the cap off
  lua_settop(L, 0);
  c.st.script_rand48 = run.rand48;
  return reply;
}

Value Fcall(Ctx& c) { return FcallGeneric(c, false); }
Value FcallRo(Ctx& c) { return FcallGeneric(c, true); }

}  // namespace

void ReloadFunctionLibraries(State& st) {
  if (!st.functions) return;
  FunctionsState& fs = *st.functions;
  std::map<std::string, FunctionsState::Library> reloaded;
  for (const auto& [name, old] : fs.libraries) {
    std::string lib_name;
    size_t nl = 0;
    if (!LibraryMetadata(old.code, &lib_name, &nl).empty()) continue;  // loaded once: cannot fail
    FunctionsState::Library fresh;
    fresh.name = name;
    fresh.code = old.code;
    fs.run.rand48 = st.script_rand48;
    const std::string err = RunLibraryCode(st, fs, &fresh, old.code.substr(nl));
    st.script_rand48 = fs.run.rand48;
    if (!err.empty()) {
      UnrefLibrary(fs.L, fresh);
      continue;
    }
    reloaded.emplace(name, std::move(fresh));
  }
  for (auto& [name, fresh] : reloaded) {
    FunctionsState::Library& old = fs.libraries.at(name);
    UnrefLibrary(fs.L, old);
    Unlink(fs, old);
    old = std::move(fresh);
    Link(fs, old);
  }
}

bool FunctionDeclaredFlags(const State& st, const std::string& name, uint32_t* flags) {
  const FunctionsState::Function* fn = FindFunction(st, name);
  if (fn == nullptr) return false;
  *flags = fn->flags;
  return true;
}

std::vector<CommandSpec> FunctionCommands() {
  return {{"fcall", -3, Fcall}, {"fcall_ro", -3, FcallRo}};
}

const std::map<std::string, CommandSpec>& FunctionSubcommands() {
  static const std::map<std::string, CommandSpec> subs = {
      {"function|load", {"function|load", -3, FunctionLoad}},
      {"function|delete", {"function|delete", 3, FunctionDelete}},
      {"function|flush", {"function|flush", -2, FunctionFlush}},
      {"function|list", {"function|list", -2, FunctionList}},
      {"function|stats", {"function|stats", 2, FunctionStats}},
      {"function|kill", {"function|kill", 2, FunctionKill}},
      {"function|help", {"function|help", 2, FunctionHelp}},
      {"function|restore", {"function|restore", -3, FunctionRestore}},
  };
  return subs;
}

}  // namespace respfuzz::models::refmodel
