#include "src/script/lua_text_load.h"

#include <cstdio>
#include <cstring>

extern "C" {
#include <lua5.1/lauxlib.h>
}

// Raised errors use longjmp: no C++ object with a destructor is alive in a
// frame that calls a Lua function that may raise (SandboxLoad's reader runs
// under lua_load's protection; the messages are built before).

namespace respfuzz::script {

namespace {

constexpr char kBinaryError[] = ":1: unexpected symbol near 'char(27)'";
constexpr char kSignature = '\033';
// The lexer's chunk-id size (llex.h's MAXSRC: its errors name the chunk in
// 80 bytes, where other errors use LUA_IDSIZE's 60).
constexpr size_t kLexerIdSize = 80;

// Pushes Redis's parser error for a binary chunk named `name`.
void PushBinaryError(lua_State* L, const char* name) {
  char msg[kLexerIdSize + sizeof(kBinaryError)];
  {
    const std::string id = LuaChunkId(name);
    std::snprintf(msg, sizeof(msg), "%s%s", id.c_str(), kBinaryError);
  }
  lua_pushstring(L, msg);  // may raise (memory): no C++ object is alive
}

// luaB_load's reader over the function at index 1, its pieces kept in the
// reserved slot 3; the first piece is checked for the signature.
struct ReaderState {
  bool first = true;
  bool binary = false;
};

const char* Reader(lua_State* L, void* ud, size_t* size) {
  auto* st = static_cast<ReaderState*>(ud);
  luaL_checkstack(L, 2, "too many nested functions");
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) {
    *size = 0;
    return nullptr;
  }
  if (!lua_isstring(L, -1)) {
    luaL_error(L, "reader function must return a string");
    return nullptr;
  }
  lua_replace(L, 3);
  const char* piece = lua_tolstring(L, 3, size);
  if (st->first) {
    st->first = false;
    if (*size > 0 && piece[0] == kSignature) {
      // The parser would stop at this first token: end the stream here
      // (an empty chunk loads) and report the error after lua_load.
      st->binary = true;
      *size = 0;
      return nullptr;
    }
  }
  return piece;
}

// luaB_load's load_aux.
int LoadResult(lua_State* L, int status) {
  if (status == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

}  // namespace

std::string LuaChunkId(const char* name) {
  size_t room = kLexerIdSize;
  if (name[0] == '=') {
    std::string out(name + 1);
    if (out.size() > room - 1) out.resize(room - 1);
    return out;
  }
  if (name[0] == '@') {
    const char* file = name + 1;
    room -= sizeof(" '...' ");
    const size_t len = std::strlen(file);
    if (len > room) return std::string("...") + (file + (len - room));
    return file;
  }
  size_t len = std::strcspn(name, "\n\r");
  room -= sizeof(" [string \"...\"] ");
  if (len > room) len = room;
  std::string out = "[string \"";
  if (name[len] != '\0') {
    out.append(name, len);
    out += "...";
  } else {
    out += name;
  }
  return out + "\"]";
}

int LoadTextBuffer(lua_State* L, const char* buf, size_t len, const char* name) {
  if (len > 0 && buf[0] == kSignature) {
    PushBinaryError(L, name);
    return LUA_ERRSYNTAX;
  }
  return luaL_loadbuffer(L, buf, len, name);
}

int SandboxLoadstring(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, s);
  return LoadResult(L, LoadTextBuffer(L, s, len, name));
}

int SandboxLoad(lua_State* L) {
  const char* name = luaL_optstring(L, 2, "=(load)");
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 3);
  ReaderState st;
  const int status = lua_load(L, Reader, &st, name);
  if (status == 0 && st.binary) {
    lua_pop(L, 1);
    PushBinaryError(L, name);
    return LoadResult(L, LUA_ERRSYNTAX);
  }
  return LoadResult(L, status);
}

}  // namespace respfuzz::script
