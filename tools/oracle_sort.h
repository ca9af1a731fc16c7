// What the command oracle compares of SORT and SORT_RO (src/engine/cmd_sort.cc):
//   - orders that are redis-server's hash-table layout, or its unstable
//     partial quicksort, are not compared (SortNotComparable);
//   - redis-server 7.0.15 reads a weight with strtod and tests errno for
//     ERANGE without clearing it first, so an ERANGE left by an earlier
//     command (a weight like 1e-400, INCRBYFLOAT of 1e-5000) makes every
//     later SORT of a non-integer weight fail with "One or more scores can't
//     be converted into double" until something resets errno; accepting a new
//     connection does (its accept loop ends on EAGAIN). The oracle then opens
//     and closes a connection and sends the SORT again (IsStaleErrnoSortError):
//     a SORT that failed so changed nothing the second one cannot change again.
#ifndef RESPFUZZ_TOOLS_ORACLE_SORT_H_
#define RESPFUZZ_TOOLS_ORACLE_SORT_H_

#include <string>
#include <vector>

#include "src/resp/value.h"

namespace respfuzz::engine {
class Engine;
}

namespace respfuzz::oracle {

// SORT or SORT_RO, any letter case.
bool IsSortCommand(const std::string& name);

// Why a SORT's reply cannot be compared with the server's, given the engine's
// state before it ran ("" when it can):
//   - a hash-table set not sorted (BY without '*', no STORE): the server's
//     iteration order;
//   - ALPHA BY a pattern over a hash-table set or a sorted set: elements
//     whose values tie keep the server's iteration order;
//   - ALPHA BY a pattern with a LIMIT: the server's partial quicksort
//     (pqsort) is not stable.
std::string SortNotComparable(const engine::Engine& e, int db,
                              const std::vector<std::string>& argv);

// The server's reply is the conversion error and the engine's is not.
bool IsStaleErrnoSortError(const std::vector<std::string>& argv, const resp::Value& engine_reply,
                           const resp::Value& server_reply);

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_ORACLE_SORT_H_
