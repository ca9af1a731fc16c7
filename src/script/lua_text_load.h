// Text-only chunk loading, as Redis's vendored Lua 5.1 does it: Redis
// removed precompiled (binary) chunk loading from f_parser, so a chunk is
// always parsed as source and one that starts with the binary signature's
// ESC (\27) fails at its first token. Debian's liblua5.1 would undump it
// (a way to run unchecked bytecode). The functions here refuse such a chunk
// with the parser's error text, "<chunk id>:1: unexpected symbol near
// 'char(27)'", and load everything else with liblua5.1 unchanged.
#ifndef RESPFUZZ_SCRIPT_LUA_TEXT_LOAD_H_
#define RESPFUZZ_SCRIPT_LUA_TEXT_LOAD_H_

#include <cstddef>
#include <string>
#include <string_view>

extern "C" {
#include <lua5.1/lua.h>
}

namespace respfuzz::script {

// Lua 5.1's chunk id of a chunk name (what errors print: "=x" -> "x",
// "@file" -> "file", else [string "first line..."]), within the lexer's
// MAXSRC (80), as a syntax error names it.
std::string LuaChunkId(const char* name);

// luaL_loadbuffer that refuses a binary chunk: 0 and the function pushed,
// or LUA_ERRSYNTAX (or liblua's status) and the message pushed.
int LoadTextBuffer(lua_State* L, const char* buf, size_t len, const char* name);

// The sandbox's loadstring(s [, name]) and load(f [, name]): Lua 5.1's,
// through the text-only check.
int SandboxLoadstring(lua_State* L);
int SandboxLoad(lua_State* L);

}  // namespace respfuzz::script

#endif  // RESPFUZZ_SCRIPT_LUA_TEXT_LOAD_H_
