// Lua scripting with Redis 7.0.15's semantics: the EVAL script cache and the
// FUNCTION libraries, each in its own Lua 5.1 state (Debian's liblua5.1,
// with lua-cjson and lua-bitop loaded as Redis loads its copies).
//
// The sandbox is Redis's: the globals Redis 7.0.15 leaves (print, dofile,
// loadfile, getfenv, setfenv, newproxy and the os/io/package libraries are
// gone), reading a missing global raises "Script attempted to access
// nonexistent global variable", and the global table and the library tables
// are read-only ("Attempt to modify a readonly table"). Redis patches Lua for
// read-only tables; stock Lua has no such flag, so here every protected table
// is an empty proxy whose metatable reads through to the real table and
// refuses writes, and rawset/rawget/next/pairs see through the proxies. (What
// stays different: table.insert/rawseti on a library table and the string
// metatable are not protected; struct and cmsgpack, which Debian does not
// package, are missing.)
//
// Commands called by a script (redis.call / redis.pcall) go through a
// CallHost: the engine dispatches them with the script's session and returns
// the reply bytes, which are converted to Lua values as Redis converts its
// script client's reply (redisProtocolToLuaType). The script's result is
// converted back to a reply as luaReplyToRedisReply does.
//
// Limits (not Redis's, which has none but SCRIPT KILL): a script is stopped
// after `max_instructions` Lua VM instructions (unless 0: respfuzz serve,
// where SCRIPT KILL stops a script, see CallHost::Interrupt), with the error
// SCRIPT KILL gives; a Lua state's memory is capped at `max_memory` bytes ("not enough
// memory" from Lua).
#ifndef RESPFUZZ_SCRIPT_LUA_SCRIPTS_H_
#define RESPFUZZ_SCRIPT_LUA_SCRIPTS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/resp/value.h"

struct lua_State;

namespace respfuzz::script {

// Script flags (the `#!lua flags=` shebang, FUNCTION's register_function).
enum ScriptFlag : uint32_t {
  kScriptCompat = 1u << 0,  // an EVAL script without a shebang
  kScriptNoWrites = 1u << 1,
  kScriptAllowOom = 1u << 2,
  kScriptAllowStale = 1u << 3,
  kScriptNoCluster = 1u << 4,
  kScriptAllowCrossSlot = 1u << 5,
};

// Finds a flag by its name ("no-writes"); 0 when unknown.
uint32_t ScriptFlagByName(std::string_view name);

// evalExtractShebangFlags: an EVAL body's "#!lua flags=a,b" line. Sets
// *flags (kScriptCompat without a shebang) and *shebang_len (the bytes
// before the line feed that ends it, 0 without one). On a bad shebang
// returns false with the error text (no "ERR " code) in *error.
bool ParseEvalShebang(std::string_view body, uint32_t* flags, size_t* shebang_len,
                      std::string* error);

struct ScriptLimits {
  static constexpr int64_t kDefaultMaxInstructions = 20'000'000;
  static constexpr size_t kDefaultMaxMemory = 64u << 20;
  int64_t max_instructions = kDefaultMaxInstructions;  // per script run; 0: none
  size_t max_memory = kDefaultMaxMemory;               // per Lua state
  // math.random's state (rand.c's, one per process in Redis: EVAL's and
  // the functions' Lua states share it, SCRIPT FLUSH and FUNCTION FLUSH
  // keep it). nullptr: the Lua state's own.
  uint64_t* rand48 = nullptr;
};

// What redis.call / redis.pcall run commands on.
class CallHost {
 public:
  virtual ~CallHost() = default;
  // Runs argv (argv[0] is the command name as the script gave it). On
  // success appends the reply, in `protocol`, to *reply and returns "". A
  // call the script may not make returns the rejection text without its
  // code ("Unknown Redis command called from script").
  virtual std::string Call(std::span<const std::string> argv, resp::Protocol protocol,
                           std::string* reply) = 0;
  // Every few thousand Lua instructions while the script runs (Redis's
  // luaMaskCountHook, which calls scriptInterrupt): the host may serve
  // other clients meanwhile (src/script/busy_script.cc). True: stop the
  // script as SCRIPT KILL stops it.
  virtual bool Interrupt() { return false; }
  // redis.acl_check_cmd(argv): 1 when the script's user may run argv, 0
  // when not, -1 when argv names no command (lookupCommand fails).
  // A host without users (tests) allows everything.
  virtual int AclCheck(std::span<const std::string> argv) { return argv.empty() ? -1 : 1; }
  // redis.set_repl(flags): REPL_AOF 1, REPL_REPLICA 2 (the script's later
  // calls go to the replicas only with 2 set).
  virtual void SetReplication(int flags) { (void)flags; }
  // An error the script's reply holds (at any depth), as Redis's
  // afterErrorReply sees it: `text` is the error as written, its leading
  // '-' included; `uncounted` when the error table carried
  // ignore_error_stats_update (an error a redis.call / pcall already
  // counted: ERR_REPLY_FLAG_NO_STATS_UPDATE).
  virtual void ReplyError(std::string_view text, bool uncounted) {
    (void)text;
    (void)uncounted;
  }
};

// How a script run ended, for the caller to write: the reply bytes in the
// caller's protocol (an error reply included).
struct RunOutcome {
  std::string reply;
};

// One Lua state with Redis's API and sandbox.
class LuaState {
 public:
  enum class Mode { kEval, kFunction };
  LuaState(Mode mode, ScriptLimits limits);
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* L() { return L_; }
  Mode mode() const { return mode_; }
  const ScriptLimits& limits() const { return limits_; }

  // Runs the function on top of the stack (popped) as a script invocation:
  // EVAL's globals KEYS and ARGV are set (eval mode), or FCALL's two tables
  // are passed (function mode). `name` is what error replies name (the
  // sha, or the function name). The reply is written in `caller_protocol`.
  void Run(std::string_view name, std::span<const std::string> keys,
           std::span<const std::string> args, bool read_only, CallHost& host,
           resp::Protocol caller_protocol, std::string* out);

  // Run context, for the C functions Lua calls.
  struct RunContext {
    CallHost* host = nullptr;
    bool read_only = false;
    resp::Protocol protocol = resp::Protocol::kResp2;  // redis.setresp
    int64_t instructions = 0;
    bool killed = false;
  };
  RunContext* run() { return run_; }
  void SetRun(RunContext* r) { run_ = r; }
  // Memory accounting (the allocator's).
  size_t used_memory() const { return used_; }
  uint64_t rand48 = 0x1234ABCD330Eull;  // math.random's state, as Redis's rand.c starts it
  uint64_t* rand = &rand48;             // the one in use (ScriptLimits::rand48 when given)
  bool host_alloc = false;              // allocations are not capped (converting a command's reply)
  size_t used_ = 0;

 private:
  void Init();
  Mode mode_;
  ScriptLimits limits_;
  lua_State* L_ = nullptr;
  RunContext* run_ = nullptr;
};

// The EVAL script cache (lctx.lua_scripts): scripts by sha, each compiled
// once into the eval Lua state.
class EvalScripts {
 public:
  explicit EvalScripts(ScriptLimits limits = {});
  ~EvalScripts();

  // SCRIPT FLUSH: every script and the Lua state are dropped.
  void Flush();
  // A script by its sha (case-insensitive, as Redis's dict compares), or
  // nullptr.
  struct Script {
    std::string body;
    uint32_t flags = kScriptCompat;
  };
  const Script* Find(std::string_view sha) const;
  // luaCreateFunction: adds `body` unless present. Returns its sha, or ""
  // with the error reply text (with its code) in *error.
  std::string Create(std::string_view body, std::string* error);
  // Runs a script that exists.
  void Run(std::string_view sha, std::span<const std::string> keys,
           std::span<const std::string> args, bool read_only, CallHost& host,
           resp::Protocol caller_protocol, std::string* out);
  size_t size() const { return scripts_.size(); }
  // math.random's process-wide state, which the engine's function Lua state
  // shares (ScriptLimits::rand48); lives as long as this.
  uint64_t* rand48_state() { return limits_.rand48; }

 private:
  uint64_t rand48_ = 0x1234ABCD330Eull;  // unless the limits name another
  ScriptLimits limits_;
  std::unique_ptr<LuaState> lua_;
  std::map<std::string, Script, std::less<>> scripts_;  // by lower-case sha
};

// The FUNCTION libraries: each library's code ran once in the function Lua
// state and registered its functions with redis.register_function.
class FunctionLibraries {
 public:
  explicit FunctionLibraries(ScriptLimits limits = {});
  ~FunctionLibraries();

  struct Function {
    std::string name;
    std::string library;
    std::string description;  // empty: none
    bool has_description = false;
    uint32_t flags = 0;
    int ref = 0;  // the Lua function in the registry
  };
  struct Library {
    std::string name;
    std::string engine = "LUA";
    std::string code;
    std::vector<std::string> functions;  // names, in registration order
    std::vector<Function> defs;          // the same functions
  };
  // FUNCTION LOAD [REPLACE]: the library's name, or "" with the error reply
  // text (with its code) in *error.
  std::string Load(std::string_view code, bool replace, std::string* error);
  // FUNCTION DELETE: false when no such library.
  bool Delete(std::string_view library);
  // FUNCTION FLUSH.
  void Flush();
  const Function* FindFunction(std::string_view name) const;
  const std::map<std::string, Library, std::less<>>& libraries() const { return libraries_; }
  // Functions by lower-case name.
  const std::map<std::string, Function, std::less<>>& functions() const { return functions_; }
  // FUNCTION STATS's functions_count: every registered function.
  size_t function_count() const {
    size_t n = 0;
    for (const auto& [name, lib] : libraries_) n += lib.functions.size();
    return n;
  }
  // FCALL: runs a function that exists.
  void Call(const Function& f, std::span<const std::string> keys, std::span<const std::string> args,
            bool read_only, CallHost& host, resp::Protocol caller_protocol, std::string* out);

  // FUNCTION DUMP's payload and FUNCTION RESTORE (src/script/function_dump.cc).
  enum class RestorePolicy { kAppend, kReplace, kFlush };
  std::string Dump() const;
  // Restores the libraries of a payload whose footer (version and CRC) was
  // checked; false with the error reply text in *error, nothing changed.
  bool Restore(std::string_view payload, RestorePolicy policy, std::string* error);

 private:
  using LibraryMap = std::map<std::string, Library, std::less<>>;
  // functionsCreateWithLibraryCtx up to linking: the metadata, the name,
  // the engine, the library's existence in `libs` (an error unless
  // replace; *exists says it), the code run with the load API, "No
  // functions registered". On success *out holds the library and its
  // functions (their Lua references taken), linked nowhere yet.
  bool Create(std::string_view code, bool replace, const LibraryMap& libs, Library* out,
              bool* exists, std::string* error);
  // Drops the Lua references of a library's functions (one not linked).
  void Release(const Library& lib);
  // Adds a library and its functions.
  void Link(Library lib);

  ScriptLimits limits_;
  std::unique_ptr<LuaState> lua_;
  LibraryMap libraries_;
  std::map<std::string, Function, std::less<>> functions_;  // by lower-case name
};

}  // namespace respfuzz::script

#endif  // RESPFUZZ_SCRIPT_LUA_SCRIPTS_H_
