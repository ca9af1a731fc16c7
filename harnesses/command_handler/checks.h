// The command_handler harness: a command program runs on the engine
// (src/engine) and on the plain reference model (reference_model.h); after
// every op:
//   reply-framing    the engine's reply bytes read (our reader) as exactly one value
//   hiredis          a RESP2 reply is accepted by hiredis, which reads the same value
//   reply-roundtrip  that value written again in the session's protocol gives the
//                    same bytes (the engine writes canonical RESP)
//   reference        the value equals the reference model's reply (elements of
//                    replies Redis does not order are sorted first)
//   validate         Engine::Validate() holds
//   pubsub           what every session receives besides its replies (messages,
//                    keyspace events, subscription confirmations, pushes in
//                    RESP3) equals what the model delivers, in order among the
//                    pushes and among the replies (SameFrames in checks.cc)
//   blocking         a session blocks (no reply) on the engine exactly when it
//                    does on the reference model, and what blocked sessions
//                    receive when served, timed out or unblocked (CLIENT
//                    UNBLOCK) matches, session by session; ops from a
//                    blocked session are dropped on both sides
//   monitor          what a monitor receives (MONITOR's lines for every
//                    command a client's call() ran, its own after its reply)
//                    equals what the model delivers (reference_monitor.cc)
#ifndef RESPFUZZ_HARNESSES_COMMAND_HANDLER_CHECKS_H_
#define RESPFUZZ_HARNESSES_COMMAND_HANDLER_CHECKS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harnesses/command_handler/program.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/common/registry.h"
#include "harnesses/common/verdict.h"
#include "src/resp/value.h"

namespace respfuzz::models {
class ReferenceModel;
}  // namespace respfuzz::models

namespace respfuzz::engine {
class Engine;
struct EngineOptions;
}  // namespace respfuzz::engine

namespace respfuzz::harnesses {

// Whether a command name equals `upper` (an upper-case name) in any case.
bool CommandIs(std::string_view name, std::string_view upper);

// Ops the reference model does not model (client tracking: the tracking
// model checks it; INFO's statistics): INFO, CLIENT REPLY (no reply) /
// TRACKING / CACHING / GETREDIR / TRACKINGINFO / KILL, SCRIPT DEBUG, and
// FUNCTION DUMP / RESTORE, DUMP and RESTORE (no serializer in the model;
// tests/recordings/dump.json checks those) (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, the other
// SCRIPT subcommands, FUNCTION's other subcommands, FCALL, FCALL_RO and the
// subscription commands are compared). RunCommandProgram skips them on
// both sides, so no program reaches tracking state.
// Streams (XADD ... XINFO) are compared while kStreamsCompared is on (it is:
// the engine's and the model's streams were written apart and merged; off
// would skip them on both sides), XREAD and XREADGROUP BLOCK included.
bool OutsideTheModel(const std::vector<std::string>& argv);
inline constexpr bool kStreamsCompared = true;
// ACL (ACL, AUTH, CONFIG SET / GET of requirepass) is compared while
// kAclCompared is on (it is: the engine's ACL, src/engine/acl.cc, and the
// model's, reference_acl.cc, were written apart and merged; off would skip
// those ops on both sides).
inline constexpr bool kAclCompared = true;
// ACL and AUTH ops, CONFIG SET / GET naming requirepass (checks.cc).
bool IsAclOp(const std::vector<std::string>& argv);

// A pub/sub frame: a push (RESP3), or a RESP2 message or (un)subscribe
// confirmation.
bool IsPubSubFrame(const resp::Value& v);
// An EXEC whose queue (in session s of the engine) holds a HELLO: it
// switches the protocol inside its own array (7.0.15 does the same: "*2"
// then a RESP3 map), so its bytes are RESP2 only when this is false.
bool ExecSwitchesProtocol(const engine::Engine& eng, int s, const std::vector<std::string>& argv);
// Two streams of frames one session received agree: the pushes in the same
// order, and the other frames (replies; RESP2 messages are arrays, so there
// everything) in the same order. Where a push falls among the replies is
// not compared (docs/harnesses.md).
bool SameFrames(const std::vector<resp::Value>& got, const std::vector<resp::Value>& want);

// Why the op is run on neither side in the state the two sides are in
// (pub/sub inside transactions, commands whose keyspace events the model
// does not publish while events are on: checks.cc), or "" to run it.
std::string NotInThisState(const models::ReferenceModel& ref, const Op& op);

struct CommandRunOptions {
  static constexpr int64_t kHarnessMaxStringLen = 64 * 1024;

  int64_t start_ms = 1'700'000'000'000;
  // proto-max-bulk-len for both sides. Small, so SETRANGE/APPEND reach the
  // limit with values from the pools (65535 / 65536) and memory stays bounded.
  int64_t max_string_len = kHarnessMaxStringLen;
  bool trace = false;  // record each op with both replies
  // The seed of the random choices (SRANDMEMBER, SPOP, ZRANDMEMBER,
  // HRANDFIELD, RANDOMKEY) on both sides, which then choose alike.
  uint64_t random_seed = 0x7e5f'0a11'd1ce'5eedULL;
  // The most draws a negative count may ask for, on both sides: 2048, so a
  // RESP2 WITHSCORES reply (two elements a draw) stays within the 4096
  // elements an array may have in the hiredis check.
  static constexpr int64_t kHarnessMaxRandomRepeats = 2048;
  int64_t max_random_repeats = kHarnessMaxRandomRepeats;

  // Test hooks, to prove each check can fail: change the engine's reply bytes
  // before they are checked, or the engine's state after an op.
  std::function<void(size_t op, std::string* reply)> corrupt_reply;
  std::function<void(size_t op, engine::Engine& e)> corrupt_engine;
  // A broken model piece: changes what the reference model delivered
  // during an op (messages, events, confirmations) before it is compared.
  std::function<void(size_t op, std::vector<std::pair<int, resp::Value>>* delivered)>
      break_model_delivery;
  // Or break the reference model's scripting (ReferenceOptions).
  bool broken_script_numbers = false;
};
// Both sides run with enable-debug-command local, as the oracle's servers:
// s1 and s2 are local connections (DEBUG runs), s3 and s4 remote ones (the
// protected-command refusal).
inline constexpr int kLocalSessions = 2;

struct OpTrace {
  std::string op;         // text form
  std::string engine;     // the engine's reply, readable (empty for clock ops)
  std::string reference;  // the reference model's reply, readable
};

struct CommandRunResult {
  fuzz::Verdict verdict;
  std::vector<OpTrace> trace;
  size_t ops_run = 0;
};

CommandRunResult RunCommandProgram(const CommandProgram& program,
                                   const CommandRunOptions& options = {});
// The engine a program runs on (before its kMaxSessions sessions open).
engine::EngineOptions CommandEngineOptions(const CommandRunOptions& options);

// The program kit's minimizer (MinimizeOps) run with `options`: drops ops,
// then trailing arguments (DropLastArgument), while the program fails the
// same way (the same check at the same command). nullopt when the program
// does not fail.
std::optional<CommandProgram> MinimizeCommandProgram(CommandProgram program,
                                                     const CommandRunOptions& options,
                                                     MinimizeReport* report);
// Drops a command's last argument (never its name); false when there is none.
bool DropLastArgument(Op* op);

// What each session has queued inside MULTI, learnt from the replies of the
// side taken as the truth, so that each element of an EXEC reply can be
// treated with the command it answers. Used by the harness and the oracle.
class TransactionTracker {
 public:
  // Calls fn(command argv, reply) for the reply to `argv` from `session`; for
  // an EXEC reply (an array as long as the queue), once per element instead.
  template <typename Fn>
  void ForEachAnswer(int session, const std::vector<std::string>& argv, resp::Value* reply,
                     Fn&& fn) const {
    const auto& q = queued_[session];
    if (!CommandIs(argv[0], "EXEC")) {
      fn(argv, reply);
    } else if (reply->type == resp::Type::kArray && reply->elems.size() == q.size()) {
      for (size_t k = 0; k < q.size(); ++k) fn(q[k], &reply->elems[k]);
    }
  }
  // Records what the true reply to `argv` says: QUEUED adds to the queue;
  // EXEC, DISCARD and an accepted MULTI empty it.
  void Observe(int session, const std::vector<std::string>& argv, const resp::Value& truth);

 private:
  std::array<std::vector<std::vector<std::string>>, kMaxSessions> queued_;
};

// CLIENT PAUSE: the command the pause postponed, per session (empty: none).
using PostponedCommands = std::array<std::vector<std::string>, kMaxSessions>;
// Gives the engine again each postponed command it has let go (the pause
// ended or weakened, or CLIENT UNBLOCK ... ERROR answered the session), in
// the order they waited, as Redis re-processes its postponed clients and
// respfuzz serve its requests: the reply stays in the session's output, a
// command postponed again stays listed, and `transactions` learns what was
// queued (or which EXEC or DISCARD ended a queue). For the harness and the
// command oracle alike.
void RerunPostponed(engine::Engine& eng, PostponedCommands* postponed,
                    TransactionTracker* transactions);

// Whether Redis defines the order of a command's reply. Only replies Redis
// documents as unordered are sorted before comparing; every other reply
// (LRANGE, the ZRANGE family, MGET, EXEC's elements, ...) is compared in order.
enum class ReplyOrder {
  kOrdered,
  kUnorderedElements,  // SMEMBERS SINTER SUNION SDIFF KEYS HKEYS HVALS (HashOrder)
  kUnorderedPairs,     // HGETALL (HashOrder), CONFIG GET: pairs, each kept together
  kUnorderedScanKeys,  // SCAN: the keys (element 1) only
};
// Whether HKEYS, HVALS and HGETALL compare in order. redis-server 7.0.15
// replies in a listpack hash's insertion order and in a hashtable's dict
// order; the engine and the reference model keep insertion order for both.
// So the harness compares them in order (kInOrder) and the oracle does while
// the engine's hash is a listpack; else they are sorted (kUnordered).
enum class HashOrder { kUnordered, kInOrder };
ReplyOrder ReplyOrderOf(std::string_view command, HashOrder hash_order);
inline ReplyOrder ReplyOrderOf(std::string_view command) {
  return ReplyOrderOf(command, HashOrder::kUnordered);
}

// Sorts the elements of replies whose order Redis does not promise
// (ReplyOrderOf), so two correct implementations compare equal.
void CanonicalizeReply(const std::vector<std::string>& argv, resp::Value* reply,
                       HashOrder hash_order);
inline void CanonicalizeReply(const std::vector<std::string>& argv, resp::Value* reply) {
  CanonicalizeReply(argv, reply, HashOrder::kUnordered);
}

// The command oracle's HashOrder for the reply to `command` (argv, key at 1)
// run in `db`: kInOrder when the engine holds the key as a listpack hash
// after the command (a hash never converts back, so it was one throughout),
// outside EXEC (inside, the key may have been a hashtable hash, deleted and
// made again, earlier in the transaction); else kUnordered.
HashOrder OracleHashOrder(const engine::Engine& e, int db, const std::vector<std::string>& command,
                          bool in_exec);

// The harness's pieces (default options) and its registered descriptor.
extern const ProgramCodec<CommandProgram> kCommandHandlerProgram;
extern const Harness kRegisteredHarness_command_handler;

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_COMMAND_HANDLER_CHECKS_H_
