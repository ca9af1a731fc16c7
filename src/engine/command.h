// The command table and the context a command handler runs in.
//
// Each family file (cmd_strings.cc, cmd_keys.cc, ...) defines its slice of
// the table: name, arity, flags and key positions as Redis 7.0's COMMAND INFO
// reports them, and the handler. Dispatch checks the name and the arity from
// the table before a handler runs, so handlers see a well-sized argv.
#ifndef RESPFUZZ_ENGINE_COMMAND_H_
#define RESPFUZZ_ENGINE_COMMAND_H_

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/engine/c_string.h"
#include "src/engine/keyspace.h"
#include "src/engine/notify.h"
#include "src/engine/reply.h"

namespace respfuzz::engine {

class Engine;
struct Session;

enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdFast = 1u << 2,
  kCmdDenyOom = 1u << 3,
  kCmdNoScript = 1u << 4,
  kCmdLoading = 1u << 5,
  kCmdStale = 1u << 6,
  kCmdMovableKeys = 1u << 7,
  kCmdNoAuth = 1u << 8,
  kCmdAllowBusy = 1u << 9,
  kCmdSkipSlowlog = 1u << 10,
  kCmdNoMulti = 1u << 11,  // refused inside MULTI (SAVE, SHUTDOWN)
  // Not Redis flags: how respfuzz dispatches.
  kCmdTransaction = 1u << 16,  // MULTI EXEC DISCARD WATCH: run by Engine::Dispatch itself
};

struct CommandContext;
using CommandHandler = void (*)(CommandContext&);

struct CommandSpec {
  std::string_view name;  // lower case, as Redis names commands
  int arity;              // > 0: exactly; < 0: at least -arity (argv[0] included)
  uint32_t flags;
  int first_key;  // 0 when the command takes no keys (or finds them itself)
  int last_key;   // -1: up to the last argument
  int key_step;
  CommandHandler handler;
};

// The table slices, one per family file.
std::span<const CommandSpec> ConnectionCommands();
std::span<const CommandSpec> StringCommands();
std::span<const CommandSpec> BitCommands();
std::span<const CommandSpec> KeyCommands();
std::span<const CommandSpec> ListCommands();
std::span<const CommandSpec> HashCommands();
std::span<const CommandSpec> SetCommands();
std::span<const CommandSpec> SortedSetCommands();
std::span<const CommandSpec> SortedSetAlgebraCommands();  // ZUNION ZINTER ZDIFF (STORE), ZINTERCARD
std::span<const CommandSpec> RandomCommands();  // SRANDMEMBER SPOP ZRANDMEMBER HRANDFIELD RANDOMKEY
std::span<const CommandSpec> PubSubCommands();
std::span<const CommandSpec> ScriptingCommands();  // src/script/cmd_scripting.cc
// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL, FCALL_RO.
bool IsScriptCommand(std::string_view name);
// For SCRIPT and FUNCTION (containers): the unknown-subcommand or arity
// error of argv (argc >= 2), as processCommand gives it; "" when fine or
// for another command.
std::string ScriptSubcommandError(std::string_view command, std::span<const std::string> argv);
std::span<const CommandSpec> InfoCommands();
std::span<const CommandSpec> StreamCommands();   // XADD ... XINFO (cmd_streams.cc)
std::span<const CommandSpec> MemoryCommands();   // memory.cc: MEMORY
std::span<const CommandSpec> CommandCommands();  // COMMAND (cmd_command.cc)
std::span<const CommandSpec> SortCommands();     // SORT SORT_RO (cmd_sort.cc)
std::span<const CommandSpec> SlowlogCommands();  // SLOWLOG (slowlog.cc)
std::span<const CommandSpec> DumpCommands();  // DUMP RESTORE RESTORE-ASKING (cmd_dump.cc, rdb.cc)
std::span<const CommandSpec> MigrateCommands();  // MIGRATE (migrate.cc)
std::span<const CommandSpec> AclCommands();      // AUTH ACL (cmd_acl.cc)
std::span<const CommandSpec> GeoCommands();      // GEOADD ... GEOSEARCHSTORE (cmd_geo.cc)
std::span<const CommandSpec> HllCommands();      // PFADD ... PFSELFTEST (cmd_hll.cc)
std::span<const CommandSpec> LatencyCommands();  // LATENCY (latency.cc)
// CLUSTER ASKING READONLY READWRITE ROLE as a standalone master answers
// (cmd_standalone.cc).
std::span<const CommandSpec> StandaloneCommands();
std::span<const CommandSpec> DebugCommands();  // DEBUG (cmd_debug.cc)
// processCommand's protected commands (CMD_PROTECTED), which a server with
// enable-debug-command and enable-module-command at their default (no)
// refuses right after the arity check: "DEBUG" for debug, "MODULE" for
// module|load, module|loadex and module|unload, "" for any other full name
// (cmd_standalone.cc).
std::string_view ProtectedCommand(std::string_view fullname);
// rejectCommandFormat's refusal of one ("ERR DEBUG command not allowed. ...").
std::string ProtectedRefusal(std::string_view what);
// DEBUG DIGEST and DIGEST-VALUE (digest.cc): 40 hex digits.
std::string DatasetDigestHex(const Keyspace& ks);
std::string ValueDigestHex(const Keyspace& ks, int db, std::string_view key);
// INFO's latencystats lines (latency.cc); latency-tracking-info-percentiles
// as CONFIG GET prints it, and as CONFIG SET parses it (the error text when
// refused, "" when fine).
std::string LatencyStatsSection(const Engine& e);
std::string LatencyPercentilesString(const std::vector<double>& percentiles);
std::string ParseLatencyPercentiles(std::string_view value, std::vector<double>* out);
std::span<const CommandSpec> PersistCommands();  // SAVE BGSAVE LASTSAVE SHUTDOWN (persist.cc)
// CMD_MAY_REPLICATE, which COMMAND INFO hides (so 7.0.15's recorded facts
// lack it): the commands of 7.0.15's table that carry it (client_pause.cc;
// CLIENT PAUSE WRITE and a monitor's refusals read it).
bool MayReplicateCommand(std::string_view name);
std::span<const CommandSpec> MonitorCommands();      // MONITOR (monitor.cc)
std::span<const CommandSpec> ReplicationCommands();  // SYNC, PSYNC (replication.cc)
std::span<const CommandSpec> AofCommands();          // BGREWRITEAOF (aof.cc)

// Every command, and lookup by name in any letter case.
std::span<const CommandSpec* const> AllCommands();
const CommandSpec* FindCommand(std::string_view name);
// Redis's arity rule: > 0 exactly that many words, < 0 at least -arity.
bool ArityFits(int arity, size_t argc);
bool ArityOk(const CommandSpec& spec, size_t argc);
// Redis's arity error for a command's full name ("get", "client|id",
// "config|get"): dispatch, handlers with their own argument checks and the
// server layer all reply this text.
std::string ArityError(std::string_view fullname);
// Redis's client name rule (HELLO SETNAME, CLIENT SETNAME): printable ASCII
// without spaces ('!' to '~').
bool ValidClientName(std::string_view name);
// CLIENT SETNAME GETNAME INFO LIST (cmd_client_info.cc).
void ClientIntrospection(CommandContext& c);
// CLIENT PAUSE and CLIENT UNPAUSE (client_pause.cc).
void ClientPauseCommand(CommandContext& c);
// Redis's error for a container command's unknown subcommand ("ERR unknown
// subcommand 'x'. Try CLIENT HELP."): both names as given, each cut as %.128s
// prints it, the command's in upper case.
std::string UnknownSubcommandError(std::string_view command, std::string_view subcommand);
// The arguments a command redacts before it runs (redactClientCommandArgument),
// by index, as the slow log and MONITOR show them: "(redacted)" (slowlog.cc).
// With `acl`, a HELLO AUTH pair whose credentials fail ends HELLO's options
// there, as the command did (the later pairs are shown).
class Acl;
std::vector<bool> RedactedArguments(std::span<const std::string> argv, const Acl* acl = nullptr);
// MONITOR's line for a command (monitor.cc): "+<sec>.<usec> [<db> <addr>]
// "arg" ...\r\n", each argument quoted as sdscatrepr quotes it.
std::string MonitorQuote(std::string_view arg);
std::string MonitorLine(int64_t now_ms, int db, std::string_view addr,
                        std::span<const std::string> argv, const Acl* acl = nullptr);
// Indexes into argv of the keys a call names (movable keys included, e.g.
// SINTERCARD's numkeys); empty for keyless commands.
std::vector<size_t> KeyPositions(const CommandSpec& spec, std::span<const std::string> argv);

// Well-known error replies.
inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotPositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrNoSuchKey = "ERR no such key";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kErrIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kErrDbIndex = "ERR DB index is out of range";
inline constexpr std::string_view kErrStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

// Redis's index range sanitizing (LRANGE, LTRIM, ZRANGE, ZREMRANGEBYRANK)
// over `len` elements: negative indexes count from the end, start is clamped
// to 0 and end to len - 1. False when the range is empty, else
// 0 <= *start <= *end < len.
bool ClampRange(int64_t len, int64_t* start, int64_t* end);

struct CommandContext {
  Engine& engine;
  Keyspace& ks;
  Session& session;
  const CommandSpec& spec;  // the command running
  std::span<const std::string> argv;
  ReplyWriter& reply;
  int db;                  // the session's selected db
  int64_t max_string_len;  // proto-max-bulk-len
  // argv itself when the caller gave the arguments away (Engine::ExecuteOwned),
  // else empty.
  std::span<std::string> owned;

  const std::string& arg(size_t i) const { return argv[i]; }
  // Argument i as a value to keep (a string stored in the keyspace): moved
  // out of argv when the caller gave argv away, else a copy. Call it after
  // the last read of argument i: once moved, arg(i) reads as moved-from.
  // Only for value arguments: keys, option words and names are read again
  // after the handler (client tracking, the CLIENT check in Run).
  // A small string with much spare room (a recycled argv string that once
  // held a longer argument: the parser keeps at most 2 KiB of them per argv)
  // is stored as a fitted copy instead, as Redis 7.0 trims an argument with
  // more than 10% free space (trimStringObjectIfNeeded): otherwise a one-byte
  // value could keep kilobytes alive. A big argument's spare room is left
  // alone: it is the unwritten tail of the parser's doubling, pages never
  // touched, and copying 100 KB values cost CPU and, measured, more RSS.
  static constexpr size_t kFitMaxCapacity = 16 * 1024;
  std::string TakeArg(size_t i) {
    if (owned.empty()) return std::string(argv[i]);
    std::string& a = owned[i];
    if (a.capacity() <= kFitMaxCapacity && a.capacity() - a.size() > a.size() / 10) {
      return std::string(a);
    }
    return std::move(a);
  }
  // Option words compare as Redis's strcasecmp does (see OptEquals).
  bool ArgIs(size_t i, std::string_view word) const { return OptEquals(argv[i], word); }
  size_t argc() const { return argv.size(); }
  int64_t now_ms() const { return ks.now_ms(); }

  // Lookup with lazy expiry.
  Object* Find(std::string_view key) { return ks.Find(db, key); }
  // Lookup with lazy expiry that leaves the LRU clock alone (LOOKUP_NOTOUCH).
  Object* FindNoTouch(std::string_view key) { return ks.FindNoTouch(db, key); }

  // Looks up `key` expecting a T (std::string, List, Hash, Set, ZSet). Sets
  // *out to the value, or nullptr when the key does not exist. Returns false
  // after replying WRONGTYPE when the key holds another type.
  // `obj`, when given, is set to the key's Object (nullptr when absent):
  // the commands that change an encoding flag need it.
  template <typename T>
  bool FindAs(std::string_view key, T** out, Object** obj = nullptr) {
    Object* o = Find(key);
    if (obj != nullptr) *obj = o;
    if (o == nullptr) {
      *out = nullptr;
      return true;
    }
    if (!Is<T>(*o)) {
      reply.Error(kErrWrongType);
      return false;
    }
    *out = &As<T>(*o);
    return true;
  }

  // Argument parsers as Redis's get*FromObjectOrReply: each replies the
  // error and returns false on bad input. A non-empty `msg` is the whole
  // error text (code included) for every failure, as Redis's `msg` argument.
  //
  // getLongLongFromObjectOrReply: any int64 (string2ll).
  bool IntArg(size_t i, int64_t* out, std::string_view msg = kErrNotInteger);
  // getRangeLongFromObjectOrReply: an int64 in [min, max]; without `msg`, a
  // number outside is "ERR value is out of range, value must between <min>
  // and <max>".
  bool RangeArg(size_t i, int64_t min, int64_t max, int64_t* out, std::string_view msg = {});
  // getIntFromObjectOrReply: an int32.
  bool Int32Arg(size_t i, int* out, std::string_view msg = {});
  // getPositiveLongFromObjectOrReply: >= 0, with the same text for
  // non-numbers and negatives.
  bool NonNegativeArg(size_t i, int64_t* out, std::string_view msg = kErrNotPositive);
  // getDoubleFromObjectOrReply.
  bool DoubleArg(size_t i, double* out);
  // getTimeoutFromObjectOrReply in seconds (blocking.cc): the absolute
  // timeout in unix ms, 0 for none.
  bool TimeoutArg(size_t i, int64_t* out);
  // getTimeoutFromObjectOrReply in milliseconds (WAIT, XREAD BLOCK): an int64, the same
  // absolute form.
  bool MsTimeoutArg(size_t i, int64_t* out);

  // INCRBY's and HINCRBY's arithmetic: the stored text (nullptr: none, which
  // counts as 0) read with string2ll, plus `incr`. Replies `not_integer` when
  // the text is no integer, kErrOverflow when the sum overflows.
  bool AddToStoredInt(const std::string* stored, int64_t incr, std::string_view not_integer,
                      int64_t* sum);

  // Keyspace notifications and the dirty counter (notify.h): Notify is
  // notifyKeyspaceEvent for `key` in this db, Dirty is server.dirty += n.
  // TouchedNotify is the common tail of a command that changed an
  // aggregate in place: the key's signal (deleting it when emptied), then
  // `event`, then "del" when it was deleted; true when it was.
  void Notify(uint32_t type, std::string_view event, std::string_view key);
  void Dirty(int64_t n = 1);
  bool TouchedNotify(uint32_t type, std::string_view event, std::string_view key);
  // The other order, where Redis notifies before it signals (the list pops,
  // LTRIM): `event`, "del" when the aggregate is empty, then the signal
  // (deleting it); true when it was deleted.
  bool NotifyTouched(uint32_t type, std::string_view event, std::string_view key);

  // Errors that name the command: spec.name, which is Redis's
  // c->cmd->fullname for every handler here (CLIENT's subcommand errors are
  // Dispatch's).
  void ReplyArityError() { reply.Error(ArityError(spec.name)); }

  // Propagation (replication.cc): what call() sends replicas for this
  // command when it changed the dataset (dirty): its argv, or the vector
  // PropagateAs set (rewriteClientCommandVector), after the ops
  // AlsoPropagate added; nothing after PreventPropagation; the command even
  // when nothing changed after ForcePropagation (to the replicas only, as
  // PUBLISH's forceCommandPropagation(c, PROPAGATE_REPL), unless `aof_too`;
  // `force_propagation` is Engine's target mask). Each is a no-op while
  // neither a replica nor the AOF listens.
  std::optional<std::vector<std::string>> propagate_as;
  bool prevent_propagation = false;
  int force_propagation = 0;
  void PropagateAs(std::initializer_list<std::string_view> argv);
  void PropagateAs(std::vector<std::string> argv);
  void AlsoPropagate(std::initializer_list<std::string_view> argv);
  void PreventPropagation() { prevent_propagation = true; }
  void ForcePropagation(bool aof_too = true) { force_propagation = aof_too ? 3 : 2; }
  void ReplyInvalidExpireTime();
};

struct BlockState;
// Serve a session blocked on `key` (a list / a sorted set, not empty) as
// Redis's serveClientBlockedOnList / genericZpopCommand do; the context is
// the blocked session's. True when the key was emptied and deleted.
bool ServeBlockedList(CommandContext& c, const std::string& key, const BlockState& b);
bool ServeBlockedZSet(CommandContext& c, const std::string& key, const BlockState& b);
// A session blocked by XREAD / XREADGROUP on `key` (a stream): served, as
// serveClientsBlockedOnStreamKey, when the stream's last ID is past the one
// it waits for (or its group is gone: NOGROUP); false, writing nothing, when
// it stays blocked.
bool ServeBlockedStream(CommandContext& c, const std::string& key, BlockState& b);

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_COMMAND_H_
