// The offline oracle for invalidation programs: the server side of each
// program (harnesses/invalidation) runs against a real redis-server and
// against the engine with its tracker, in lockstep, and every reply and push
// each connection receives is compared byte for byte, in order.
//
// How a program is replayed. The harness's runner runs the program as
// always (caches, byte queues, checks), with two changes: every command is
// an event-loop turn of its own (RunOptions::turn_per_command), and an
// observer (RunOptions::observer) sees every server action. For each one:
//   open     a TCP connection to the server for that slot (the admin, each
//            client's data connection, a RESP2 client's redirect
//            connection); its server-side id is read from CLIENT LIST on a
//            control connection, so nothing is sent on the slot's own
//            connection that the program did not send.
//   command  sent alone on the slot's connection; the oracle waits for that
//            connection's reply, then sends PING on the control connection
//            (run in a later event-loop turn, so when PONG arrives every
//            byte of the command's turn has been written), then drains
//            every connection. A connection that got fewer frames than the
//            engine wrote is waited on, up to frame_timeout_ms; a command
//            the engine answered with nothing (it blocked: the block op) is
//            given 50 ms at most, so that its timeout cannot pass on the
//            server alone. CLIENT UNBLOCK's id is mapped as REDIRECT's.
//   close    the socket is closed and CLIENT LIST ID is polled until the
//            server has freed the client (a kill: the server drops it).
//   active-expire  the keys the engine expired, in the engine's order, are
//            looked up with EXISTS from the control connection (one write,
//            so one turn): Redis's lazy expiry deletes and invalidates them
//            as its active expiry would, in a deterministic order.
//   clock    slept for real (up to max_sleep_ms; a longer step stops the
//            comparison for the rest of the program).
//   tick     nothing to send: every command already ended its turn.
// The engine's and the reference model's clocks follow real time (each
// action runs at the unix ms it starts at), so TTLs mean the same on both
// sides. Before an action, a key whose expiry is too close to call (the
// server's time for the action lies between its send and its reply) is
// waited past; if the wait would be long, or the action took long enough to
// make a key ambiguous after all, the rest of the program is excluded.
//
// What is normalised: client ids. The server numbers its connections
// itself, so the REDIRECT id in CLIENT TRACKING is rewritten from the
// engine's id to the server's before sending, and the ids in what comes
// back (HELLO's id, CLIENT ID, CLIENT GETREDIR, TRACKINGINFO's redirect,
// tracking-redir-broken) from the server's to the engine's. Replies Redis
// does not order (SMEMBERS, HKEYS, HVALS, HGETALL) may differ in element
// order only, inside EXEC too.
//
// What is excluded (listed per step, with its reason; the categories):
//   clock           after a clock step longer than max_sleep_ms;
//   table-eviction  from the first action after which the tracking table is
//                   over tracking-table-max-keys: the server evicts keys
//                   picked by a random walk (also from its cron, at any
//                   time), the engine in sorted order;
//   expiry-race     after an action whose timing leaves a key's expiry
//                   undecidable;
//   block-timeout-race  the same for a blocked client's timeout (the engine
//                   times a client out at the start of the first action
//                   past its deadline, redis-server in beforeSleep, up to a
//                   serverCron period late and after the commands read
//                   then): before an action, a deadline that close is
//                   waited past, as an expiry is.
// The server must allow DEBUG (--enable-debug-command local): its active
// expiry is off while the oracle runs (expiry happens only on lookup, as in
// the engine), and proto-max-bulk-len is 1 MiB on both sides (the engine's
// string limit). Both are restored by Close().
#ifndef RESPFUZZ_TOOLS_INVALIDATION_ORACLE_H_
#define RESPFUZZ_TOOLS_INVALIDATION_ORACLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "harnesses/invalidation/program.h"
#include "src/engine/engine.h"
#include "src/resp/value.h"
#include "src/tracking/tracker.h"
#include "tools/oracle_report.h"

namespace respfuzz::oracle {

struct InvalidationOracleOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // `clock +Nms` steps up to this are slept for real; a longer one excludes
  // the rest of its program.
  uint32_t max_sleep_ms = 2000;
  // How long a frame the engine wrote but the server did not (yet) is waited for.
  int frame_timeout_ms = 1000;
  // The longest wait to step clear of a key's expiry before an action.
  int max_expiry_wait_ms = 200;
  // Every blocking call (connect, send, a control round trip, a close).
  int io_timeout_ms = 5000;
  // Planted in the engine's tracker: a deliberately broken engine, to show
  // the oracle fails (tests only).
  tracking::TrackerBugs engine_bugs;
  // The same, planted in the engine itself (e.g. DEBUG RELOAD without its
  // flush invalidation).
  engine::EngineBugs core_bugs;
};

class InvalidationOracle {
 public:
  explicit InvalidationOracle(InvalidationOracleOptions options);
  ~InvalidationOracle();
  InvalidationOracle(const InvalidationOracle&) = delete;
  InvalidationOracle& operator=(const InvalidationOracle&) = delete;

  // Opens the control connection and prepares the server (active expiry
  // off, proto-max-bulk-len 1 MiB). Fails with a readable message.
  absl::Status Connect();
  // Runs one program (FLUSHALL and tracking-table-max-keys 1000000 first)
  // and adds its results to `report` (unit "steps": server actions other
  // than opening a connection).
  absl::Status Run(const std::string& name, const harnesses::invalidation::Program& program,
                   OracleReport* report);
  // Restores what Connect() changed and closes the control connection.
  void Close();

 private:
  friend class InvalidationReplay;
  // The control connection (RESP2, no tracking): `replies` replies to the
  // commands in `bytes`, sent in one write; one command's reply.
  absl::StatusOr<std::vector<resp::Value>> ControlBatch(std::string_view bytes, size_t replies);
  absl::StatusOr<resp::Value> ControlRoundtrip(const std::vector<std::string>& argv);
  // Polls CLIENT LIST ID until none of `ids` is listed (io_timeout_ms).
  absl::Status WaitGone(const std::vector<int64_t>& ids);

  InvalidationOracleOptions options_;
  int control_fd_ = -1;
  std::string control_inbox_;
  std::string saved_bulk_len_, saved_table_max_keys_;
  std::vector<int64_t> last_ids_;  // the previous program's server-side client ids
};

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_INVALIDATION_ORACLE_H_
