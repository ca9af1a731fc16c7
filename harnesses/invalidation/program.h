// The invalidation program model: the input of the invalidation harness
// (docs/invalidation.md). Up to kMaxClients caching clients (each a
// cache::ClientCache in a chosen mode, or plain) talk to one in-process
// server (engine + tracking); every byte between them moves only when the
// program says so, so every interleaving of replies and pushes is reachable.
//
// A program is a client list (1..kMaxClients specs), a list of raw
// connections (0..kMaxRaw, raw_ops.cc) and a list of ops.
//
// Text form, one line each; '#' comment lines and blank lines are skipped.
// The client lines come first, c1, c2, ... in order:
//   client cN MODE               client N's first connection and its cache
//   raw rN <resp2|resp3>         raw connection N (after the clients, r1 first):
//                                no cache owns it; RESP3 sends HELLO 3 first
// MODE is `<plain|default|bcast|optin|optout> <resp2|resp3> [noloop]
// [redirect] [entries N] [bytes N] [prefix P]...` (noloop needs a tracking
// mode; redirect needs RESP3 and a tracking mode: the invalidations go to a
// second RESP3 connection, as RESP2 tracking always does; entries and bytes
// are the cache's max_entries (0..kMaxCacheEntries) and max_bytes
// (0..kMaxCacheBytes), the defaults when not given; prefixes need bcast, at
// most kMaxPrefixes, none a prefix of another, as the server and
// cache::ValidateOptions require). Then the ops, each with what it does (the
// runner, runner.h, does exactly this):
//   cN read NAME ARG...          a cacheable read (ReadCommands()) through
//                                ClientCache::Submit: a hit is served by the
//                                cache (and checked), a miss is queued to send;
//                                refused (disconnected, max_pending, ...):
//                                nothing happens
//   cN write NAME ARG...         a command that modifies keys (WriteCommands()),
//                                submitted and queued to send (SELECT changes
//                                the db); refused (e.g. SELECT inside MULTI):
//                                nothing
//   cN multi / cN exec           Submit MULTI / EXEC around the ops between them
//   cN block NAME ARG...         a blocking command (BlockCommands(): BLPOP
//                                BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN
//                                BZPOPMAX BZMPOP, the timeout in seconds on
//                                the virtual clock), submitted as a write
//                                (blocking_ops.cc). Outside MULTI the client
//                                is then blocked: every op of it that would
//                                submit is refused (nothing happens) until
//                                its cache has no command pending (the reply
//                                came: served by another client's write or
//                                EXEC, timed out on `clock`, or unblocked),
//                                or its connection is gone; refused when the
//                                client is already blocked
//   cN unblock cM [timeout|error]  client N submits CLIENT UNBLOCK with the
//                                id of client M's data connection (0 when it
//                                has none) and the reason, if given; refused
//                                while client N is blocked
//   cN tracking off              ClientCache::TrackingOff (it sends CLIENT
//                                TRACKING off and stops caching); refused when
//                                not ready, not tracking or inside MULTI: nothing
//   cN tracking on [prefix P]... a BCAST client turns tracking on again with
//                                more prefixes (ClientCache::AddPrefixes: CLIENT
//                                TRACKING on ... BCAST PREFIX P...; none: the
//                                empty prefix; none a prefix of another; the
//                                server refuses one overlapping a prefix the
//                                client has); refused when not BCAST, not
//                                ready, not tracking or inside MULTI: nothing
//   send cN                      every byte client N has queued (on each of its
//                                connections) moves to the server, which parses
//                                it and runs each complete command at once on
//                                the engine and on the reference (bytes for a
//                                killed connection are dropped); no event-loop
//                                turn ends
//   deliver cN BYTES             up to BYTES (1..kMaxDeliverBytes) bytes of the
//                                server's output move to client N's data
//                                connection (ClientCache::OnBytes); on a killed
//                                connection whose queue is empty the client
//                                gets OnEof instead (the first time); a
//                                disconnected client (after an EOF or an
//                                error) reads nothing: the bytes are dropped
//   deliver cN redirect BYTES    the same on its redirect connection (RESP2
//                                with tracking, or redirect; nothing for
//                                other clients)
//   deliver-all                  rounds of: send for every client, then deliver
//                                every queued byte (and pending EOF) on every
//                                connection, until a round moves nothing (at
//                                most kMaxDeliverAllRounds rounds); no turn ends
//   kill cN                      the server closes every connection of client N
//                                (engine CloseSession, reference Close): output
//                                it has not delivered is lost, the client sees
//                                EOF at its next deliver on that connection
//   kill cN redirect             the same for its redirect connection alone (a
//                                client with no redirect connection: nothing);
//                                its tracking client then has a broken
//                                redirect: redis-server 7.0.15 pushes
//                                tracking-redir-broken to it instead of each
//                                invalidation if it speaks RESP3, nothing in
//                                RESP2
//   reconnect cN MODE            the client closes its connections (the server
//                                side closes them as for kill; nothing more is
//                                delivered), then opens new ones (engine and
//                                reference, data first) and calls Connect().
//                                Same MODE: the same ClientCache object
//                                reconnects (so a cache kept across a reconnect
//                                is visible); another MODE: a new ClientCache
//   clock +<ms>ms                the server's virtual clock moves forward (both
//                                sides)
//   active-expire                the server deletes every expired key now (both
//                                sides)
//   config tracking-table-max-keys N
//                                the admin runs CONFIG SET of the table limit
//                                (0..2^32-1)
//   config maxmemory N POLICY    the admin runs CONFIG SET maxmemory N
//                                maxmemory-policy POLICY (0..2^32-1; one of
//                                the 8 policies): evictions before later
//                                commands (docs/fidelity.md, "Memory
//                                accounting")
//   flushall                     the admin runs FLUSHALL
//   swapdb                       the admin runs SWAPDB 0 1
//   debug-reload                 the admin runs DEBUG RELOAD (both sides
//                                allow DEBUG): redis-server 7.0.15 saves,
//                                empties every db (every tracking client,
//                                whatever its mode, NOLOOP too, gets a null
//                                invalidation; the tracking table is freed),
//                                then loads the file back without signalling
//                                a key (no BCAST array) and without the keys
//                                already expired; the admin gets +OK
//   rN NAME ARG...               raw connection N sends one command of
//                                RawCommands() (CLIENT TRACKING / CACHING /
//                                REPLY / GETREDIR / TRACKINGINFO, SUBSCRIBE,
//                                UNSUBSCRIBE, PUBLISH, PING, reads, writes,
//                                MULTI / EXEC / DISCARD); the server runs it at
//                                once (raw_ops.cc). Nobody reads a raw
//                                connection: the reference check compares every
//                                frame it is sent, and that is all. CLIENT
//                                TRACKING's REDIRECT r1 / r2 become that raw
//                                connection's id; a REDIRECT to an id of a
//                                cache's connection: nothing happens
//   tick                         the server's cron (Engine::Cron, reference
//                                Cron: the tracking-table-max-keys trim), then
//                                the end of the event-loop turn (EndTurn /
//                                EndOfTurn: BCAST invalidations collected this
//                                turn go out)
// The admin connection is not one of the clients: a plain RESP3 connection
// whose replies nobody reads. A client can issue FLUSHALL, FLUSHDB and SWAPDB
// itself through `write` (not DEBUG: only the admin reloads). Arguments that are not plain words
// are written quoted ("..." with \xHH escapes), so any bytes survive.
//
// Byte form (decode is total: every byte string is a program):
//   header:  byte n: n % kMaxClients + 1 clients, (n >> 2) % (kMaxRaw + 1)
//            raw connections; one spec each for the clients, then one byte
//            each for the raw connections (RESP2 if b & 1, else RESP3).
//   spec:    byte m: mode (m & 7) % 5 (plain default bcast optin optout),
//            RESP2 if m & 8 else RESP3, noloop = m & 16 (not for plain);
//            then byte l: redirect = l & 1 (RESP3 tracking modes only);
//            max_entries EntrySteps()[(l >> 1) & 7], the last step an
//            escape: u16 LE follows (above kMaxCacheEntries: the cap);
//            max_bytes ByteSteps()[l >> 4], the last an escape: u32 LE
//            follows (above kMaxCacheBytes: the cap);
//            bcast: (m >> 5) % (kMaxPrefixes + 1) prefix tokens follow, and a
//            prefix that overlaps one kept before it is dropped.
//            A spec that runs out leaves it and the clients after it default
//            (default mode, RESP3), and the program has no ops.
//   op:      byte h: client (h & 3) % clients, kind h >> 2 through OpTable():
//            raw: connection (h & 3) % raws, then a command of RawCommands()
//              like read/write (a program with no raw connection reads the
//              op as a read);
//            block: like read/write, from BlockCommands();
//            unblock: byte b: target client (b & 3) % clients, reason
//              (b >> 2) % 3 (none, timeout, error);
//            kill: the redirect connection alone when the op table's entry
//              says redirect;
//            read/write: command byte (index % table size), one token per
//              argument of its shape, then, if the shape has a repeated group,
//              a byte (% (kMaxTailGroups + 1)) giving the number of groups;
//            deliver: byte b < 0xff: b + 1 bytes; 0xff: u16 LE + 1;
//            reconnect: a spec; tracking on: byte m, then m % (kMaxPrefixes
//              + 1) prefix tokens (one overlapping a prefix kept before it
//              is dropped); clock / config: byte b < 0xff:
//              ClockSteps()[b % 16] / TableKeySteps()[b % 16], 0xff: u32 LE;
//            config maxmemory: byte b < 0xff: MaxmemorySteps()[b % 16], 0xff:
//              u32 LE; then byte p: policy p % 8.
//   token:   byte t < 0x80: entry t % size of the argument's pool (Pool());
//            t >= 0x80: a literal of (t & 0x7f) bytes that follow.
//   Input that runs out mid-op ends the program before that op.
#ifndef RESPFUZZ_HARNESSES_INVALIDATION_PROGRAM_H_
#define RESPFUZZ_HARNESSES_INVALIDATION_PROGRAM_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/cache/client_cache.h"
#include "src/resp/value.h"

namespace respfuzz::harnesses::invalidation {

inline constexpr int kMaxClients = 4;                // clients per program (c1..c4)
inline constexpr int kMaxRaw = 2;                    // raw connections per program (r1, r2)
inline constexpr size_t kMaxOps = 256;               // ops per program
inline constexpr size_t kMaxPrefixes = 4;            // BCAST prefixes per client spec
inline constexpr size_t kMaxTailGroups = 3;          // repeated argument groups per read/write
inline constexpr size_t kMaxLiteralLen = 127;        // bytes per argument or prefix
inline constexpr uint32_t kMaxDeliverBytes = 65536;  // bytes per deliver op
// A client's cache limits: up to the cache's defaults (CacheLimits).
inline constexpr uint32_t kMaxCacheEntries = cache::CacheLimits::kDefaultMaxEntries;
inline constexpr uint32_t kMaxCacheBytes = cache::CacheLimits::kDefaultMaxBytes;
// clock steps and tracking-table-max-keys are uint32: 0..4294967295.

// How a client connects and caches; maps onto cache::CacheOptions.
struct ClientSpec {
  cache::Mode mode = cache::Mode::kDefault;
  resp::Protocol protocol = resp::Protocol::kResp3;
  bool noloop = false;                      // never with kPlain
  bool redirect = false;                    // RESP3 tracking modes only
  uint32_t max_entries = kMaxCacheEntries;  // 0..kMaxCacheEntries
  uint32_t max_bytes = kMaxCacheBytes;      // 0..kMaxCacheBytes
  std::vector<std::string> prefixes;        // kBcast only; none a prefix of another
  bool operator==(const ClientSpec&) const = default;
};

// A raw connection (raw_ops.cc): a connection no cache owns.
struct RawSpec {
  resp::Protocol protocol = resp::Protocol::kResp3;
  bool operator==(const RawSpec&) const = default;
};

// The cache options of a spec (max_entries and max_bytes from the spec,
// max_entry_bytes the smaller of its default and max_bytes, the other limits
// and the bugs at their defaults); every spec the decoder or the text parser
// produces passes cache::ValidateOptions.
cache::CacheOptions CacheOptionsOf(const ClientSpec& spec);

enum class OpKind : uint8_t {
  kRead,
  kWrite,
  kTrackingOff,
  kTrackingOn,
  kMulti,
  kExec,
  kSend,
  kDeliver,
  kDeliverAll,
  kKill,
  kReconnect,
  kClock,
  kActiveExpire,
  kConfigTableMaxKeys,
  kConfigMaxmemory,  // memory accounting: CONFIG SET maxmemory N maxmemory-policy P
  kFlushall,
  kSwapdb,
  kDebugReload,  // the admin's DEBUG RELOAD
  kTick,
  kBlock,    // blocking_ops.cc
  kUnblock,  // blocking_ops.cc
  kRaw,      // raw_ops.cc: a command on raw connection `client`
};

struct Op {
  OpKind kind = OpKind::kTick;
  int client = 0;                 // 0-based (c1 is 0; kRaw: r1 is 0); 0 for ops without a client
  std::vector<std::string> argv;  // kRead, kWrite, kBlock, kRaw: the command name and arguments
  // kDeliver: kDataConn or kRedirectConn; kKill: kRedirectConn kills the
  // redirect connection alone, kDataConn every connection of the client.
  int conn = cache::kDataConn;
  uint32_t bytes = 0;                 // kDeliver: 1..kMaxDeliverBytes
  ClientSpec spec;                    // kReconnect
  std::vector<std::string> prefixes;  // kTrackingOn: none a prefix of another
  uint32_t clock_ms = 0;              // kClock
  uint32_t table_max_keys = 0;        // kConfigTableMaxKeys
  uint32_t maxmemory = 0;             // kConfigMaxmemory (0: no limit)
  uint8_t maxmemory_policy = 0;       // kConfigMaxmemory: index in MaxmemoryPolicies()
  int target = 0;                     // kUnblock: the client unblocked (0-based)
  uint8_t unblock_reason = 0;         // kUnblock: 0 none, 1 TIMEOUT, 2 ERROR
  bool operator==(const Op&) const = default;
};

struct Program {
  std::vector<ClientSpec> clients;  // 1..kMaxClients
  std::vector<RawSpec> raws;        // 0..kMaxRaw
  std::vector<Op> ops;
  bool operator==(const Program&) const = default;
};

// The argument kinds of a command shape, each drawn from its own pool.
enum class Arg : uint8_t {
  kKey,
  kField,
  kValue,
  kInt,
  kRange,
  kDb,
  kPrefix,
  kTimeout,
  kWhere,
  // raw_ops.cc: the raw connection's command words
  kOnOff,       // o: CLIENT TRACKING on|off
  kTrackOpt,    // p: CLIENT TRACKING's options and their values
  kYesNo,       // y: CLIENT CACHING yes|no
  kReplyMode,   // m: CLIENT REPLY ON|OFF|SKIP
  kChannel,     // c: a channel to (UN)SUBSCRIBE
  kPubChannel,  // h: a channel to PUBLISH to
  kGeoCoord,    // g: a longitude or latitude
  kRadius,      // a: a GEO radius
  kUnit,        // u: m|km|mi|ft
  kGeoWord,     // x: GEOSEARCH's FROMMEMBER, BYRADIUS, ...
};
inline constexpr int kArgKinds = 19;

// A command the read or write op can name. Its shape is one letter per
// argument (k key, f field or member, v value, i integer, r score or lex
// range, d db index, t a blocking timeout in seconds, w LEFT/RIGHT/MIN/MAX;
// the raw connection's letters are in Arg above); a raw command's name can be
// two words ("CLIENT TRACKING"):
// the fixed arguments, then a group repeated
// 0..kMaxTailGroups times (empty: none).
struct CommandShape {
  std::string_view name;
  std::string_view fixed;
  std::string_view tail;
};
// Cacheable reads, each one of cache::CacheableReads() (in shapes its
// IsCacheableRead accepts), and the writes; the byte form picks by index.
std::span<const CommandShape> ReadCommands();
std::span<const CommandShape> WriteCommands();
// The blocking commands of the block op (none of them a read or a write).
std::span<const CommandShape> BlockCommands();
// The raw connection's commands (raw_ops.cc).
std::span<const CommandShape> RawCommands();
// The shape of a raw command's argv (nullptr: none fits) and the number of
// argv words its name takes (1 or 2).
const CommandShape* RawShapeOf(const std::vector<std::string>& argv, size_t* name_words);
// The argument kind of a shape letter.
Arg ArgOfLetter(char letter);
// "HSET key field value [field value]..."
std::string ShapeUsage(const CommandShape& shape);
std::span<const std::string_view> Pool(Arg kind);
std::span<const uint32_t> ClockSteps();
std::span<const uint32_t> TableKeySteps();
// A spec's max_entries and max_bytes steps; each one's last entry stands for
// the escape (an explicit value follows), its first is the default.
std::span<const uint32_t> EntrySteps();
std::span<const uint32_t> ByteSteps();
// The keys a read or write op names (its shape's key arguments, in order,
// each once), and whether a write changes keys it does not name (FLUSHALL,
// FLUSHDB, SWAPDB). Written from the shapes, apart from the cache's own
// cache::ReadKeys, which the checks must not lean on.
std::vector<std::string> KeysOf(const std::vector<std::string>& argv);
bool WritesUnnamedKeys(const std::vector<std::string>& argv);
// The op kind of each value of the op byte's kind bits (h >> 2), and whether
// a kDeliver or kKill of that value is on the redirect connection.
struct OpCode {
  OpKind kind;
  bool redirect = false;
};
std::span<const OpCode> OpTable();

Program DecodeProgram(std::string_view bytes);
// The inverse of decode on programs within the caps: DecodeProgram(
// EncodeProgram(p)) == p for every program DecodeProgram or ProgramFromText
// returns.
std::string EncodeProgram(const Program& p);

std::string SpecToText(const ClientSpec& spec);  // "bcast resp2 noloop prefix k"
std::string OpToText(const Op& op);
// kConfigMaxmemory's values: the maxmemory steps (around the engine's 1 MiB
// baseline) and the policies' names in Redis's order.
std::span<const uint32_t> MaxmemorySteps();
std::span<const std::string_view> MaxmemoryPolicies();
// The command the admin connection runs for a config, flushall, swapdb or
// debug-reload op (CONFIG SET tracking-table-max-keys N, FLUSHALL,
// SWAPDB 0 1, DEBUG RELOAD); empty for every other op.
std::vector<std::string> AdminCommand(const Op& op);
std::string ProgramToText(const Program& p);
// Parses the text form. Errors are one line naming the line number:
// "line 3: unknown client 'c3' (c1..c2 declared)".
absl::StatusOr<Program> ProgramFromText(std::string_view text);

}  // namespace respfuzz::harnesses::invalidation

#endif  // RESPFUZZ_HARNESSES_INVALIDATION_PROGRAM_H_
