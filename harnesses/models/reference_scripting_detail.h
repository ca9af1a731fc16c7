// The pieces of the model's scripting (reference_scripting.cc) that its
// functions (reference_functions.cc) run on as well: one run's state, the
// sandbox, the error table and handler, the conversions of a result and
// the call of a compiled chunk. Internal to the reference model.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

extern "C" {
#include <lua5.1/lua.h>
}

namespace respfuzz::models::refmodel::scripting_detail {

// Script flags (scripts_flags_def; kCompat is SCRIPT_FLAG_EVAL_COMPAT_MODE:
// an EVAL script without a shebang).
constexpr uint32_t kCompat = 1;
constexpr uint32_t kNoWrites = 2;
constexpr uint32_t kAllowOom = 4;
constexpr uint32_t kAllowStale = 8;
constexpr uint32_t kNoCluster = 16;
constexpr uint32_t kAllowCrossSlot = 32;

// The documented run limits (docs/fidelity.md, scripting).
constexpr int64_t kMaxInstructions = 20'000'000;
constexpr int kHookStep = 1000;
constexpr size_t kMaxLuaMemory = 64u << 20;

// One script run (for a function's Lua state, the state's lifetime; the
// per-call fields are set again before each call).
struct Run {
  State* st = nullptr;
  int session = 0;
  int db = 0;    // the script client's db
  int resp = 2;  // redis.setresp
  bool read_only = false;
  bool allow_oom = false;  // the script declared allow-oom
  bool wrote = false;      // a write command was called (SCRIPT_WRITE_DIRTY)
  int64_t instructions = 0;
  bool killed = false;
  size_t memory = 0;
  // The cap holds while the script runs; reading its result afterwards
  // (outside any pcall, where a memory error would abort) is not capped.
  bool capped = true;
  uint64_t rand48 = 0;  // rand.c's 48-bit state
};

std::string Lower(std::string s);
// sdssplitargs; false on unbalanced quotes.
bool SplitArgs(const std::string& line, std::vector<std::string>* out);
Run* RunOf(lua_State* L);
// luaPushErrorBuff's table; RaiseError raises it.
void PushErrorTable(lua_State* L, const std::string& text);
int RaiseError(lua_State* L, const char* text);
// A Lua state with Redis's libraries, API and sandbox; `run` lives as long.
lua_State* NewSandbox(Run* run);
// The run's error handler (__redis__err__handler).
int ErrorHandler(lua_State* L);
// The instruction cap's hook (SCRIPT KILL's error past kMaxInstructions).
void CountHook(lua_State* L, lua_Debug* ar);
// The metamethods of the read-only proxies: a write is refused; a missing
// global (upvalue 1: the real table) is refused by name.
int ReadonlyNewIndex(lua_State* L);
int GlobalsIndex(lua_State* L);
int LuaLog(lua_State* L);
// luaReplyToRedisReply of the value on top (popped).
resp::Value ToReply(Ctx& c, lua_State* L, const Run& run);
// luaCallFunction: the function at index 2 (the handler at 1) with `nargs`
// arguments above it; `name` is the sha (EVAL) or the function's name.
resp::Value CallChunk(Ctx& c, lua_State* L, Run& run, const std::string& name, int nargs);

}  // namespace respfuzz::models::refmodel::scripting_detail
