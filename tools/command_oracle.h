// The offline oracle for command programs: each program runs against a real
// redis-server (one connection per session; RESP2 replies read by hiredis,
// RESP3 by our reader) and against the engine, and the replies are compared
// op by op. What cannot be compared is reported as excluded, with the reason.
#ifndef RESPFUZZ_TOOLS_COMMAND_ORACLE_H_
#define RESPFUZZ_TOOLS_COMMAND_ORACLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harnesses/command_handler/program.h"
#include "src/engine/engine.h"
#include "src/tracking/tracker.h"
#include "tools/oracle_report.h"

namespace respfuzz::harnesses {
class ReplyParser;
}  // namespace respfuzz::harnesses

namespace respfuzz::oracle {

struct OracleOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // `clock +Nms` steps up to this are waited out for real; a longer step
  // excludes the rest of its program.
  uint32_t max_sleep_ms = 2000;
  // Keys expiring within this many ms of an op make its reply ambiguous
  // (real time cannot be pinned): such ops are excluded.
  int64_t expiry_margin_ms = 50;
  int io_timeout_ms = 10000;
  // Attach a SYNC replica on each side and compare the replication streams
  // (redis-server 7.0.15 only; CommandOracle::Run).
  bool compare_streams = false;
  // Deliberately broken pieces planted in the engine, to see the oracle
  // fail (respfuzz oracle --engine-bug).
  tracking::TrackerBugs engine_bugs;
  engine::EngineBugs core_bugs;
};

// The string limit (proto-max-bulk-len) of both sides while the oracle
// runs: redis-server's smallest, so a SETRANGE or SETBIT at a far offset
// costs at most 1 MiB on each side instead of up to 512 MiB.
inline constexpr int64_t kOracleMaxStringLen = 1024 * 1024;

class CommandOracle {
 public:
  explicit CommandOracle(OracleOptions options) : options_(std::move(options)) {}
  // Connects an admin connection and prepares the server (active expiry off:
  // expiry happens lazily or at the program's active-expire ops, as in the
  // engine; proto-max-bulk-len kOracleMaxStringLen, as the engine's). Fails
  // with a readable message.
  absl::Status Connect();
  // Runs one program (FLUSHALL first) and adds its results to `report`.
  absl::Status Run(const std::string& name, const harnesses::CommandProgram& program,
                   OracleReport* report);
  // Restores the server's active expiry and proto-max-bulk-len.
  void Close();

 private:
  // ACL as the server starts (CommandOracle::Run, before every program).
  absl::Status ResetAcl(harnesses::ReplyParser& parser);
  OracleOptions options_;
  int admin_fd_ = -1;
  // The server is redis-server 7.0.15 (INFO server at Connect): the slow
  // log is compared against it only (docs/fidelity.md, "The slow log in
  // the reference model"); on a newer server SLOWLOG ops are excluded.
  bool modelled_server_ = true;
  // redis 7.2 and later send no reply for a failed AUTH or HELLO AUTH when
  // the client has replies pending, as inside EXEC (redis issue 15640).
  bool drops_auth_error_in_exec_ = false;
  // valkey 9.1 writes FUNCTION LIST's unknown argument into its error line
  // with its CR and LF as they are (addReplyErrorSds): the rest is read as
  // further replies (tests/findings/function_list_crlf.sh).
  bool splits_function_list_error_ = false;
  std::string saved_bulk_len_;
};

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_COMMAND_ORACLE_H_
