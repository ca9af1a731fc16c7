// What an offline oracle against a real redis-server reports, whatever the
// harness: how much was compared and agreed, each divergence, and each
// thing that could not be compared, with its category and reason. Shared by
// `respfuzz oracle command_handler` (tools/command_oracle.h) and `respfuzz
// oracle invalidation` (tools/invalidation_oracle.h).
#ifndef RESPFUZZ_TOOLS_ORACLE_REPORT_H_
#define RESPFUZZ_TOOLS_ORACLE_REPORT_H_

#include <cstddef>
#include <string>
#include <vector>

namespace respfuzz::oracle {

struct Divergence {
  std::string program;
  size_t op_index;
  std::string op;
  std::string engine;
  std::string server;
};

struct Exclusion {
  std::string program;
  size_t op_index;
  std::string op;
  std::string category;  // e.g. not-modeled, client-id, expiry-race, clock
  std::string reason;
};

struct OracleReport {
  std::string unit = "ops";  // what `ops`, `compared` and `agreed` count
  size_t programs = 0;
  size_t ops = 0;
  size_t compared = 0;
  size_t agreed = 0;
  size_t frames = 0;  // replies and pushes compared (invalidation only; 0 otherwise)
  // command_handler: programs whose whole datasets were compared after the
  // last op (DEBUG DIGEST on both sides), and of those the ones that agreed;
  // a disagreement is among `divergences` too.
  size_t datasets_compared = 0;
  size_t datasets_agreed = 0;
  // command_handler: programs whose replication streams were compared (a
  // SYNC replica on each side), and of those the ones that agreed.
  size_t streams_compared = 0;
  size_t streams_agreed = 0;
  std::vector<Divergence> divergences;
  std::vector<Exclusion> excluded;
  // One line per program that stopped early for a reason of its own (a
  // harness check that failed on the engine side).
  std::vector<std::string> notes;

  double agreement_percent() const {
    return compared == 0 ? 100.0 : 100.0 * static_cast<double>(agreed) / compared;
  }
  std::string ToJson(const std::string& server) const;
};

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_ORACLE_REPORT_H_
