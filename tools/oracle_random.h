// What the command oracle compares of replies that depend on a random draw
// or on a hash table's layout, where the engine and redis-server cannot
// agree byte for byte:
//   - SRANDMEMBER, SPOP, ZRANDMEMBER, HRANDFIELD, RANDOMKEY: each side draws
//     from its own source, so a reply is reduced to what does not depend on
//     the draw (SummarizeRandomReply): how many elements, whether each was
//     in the key (the engine's state before the op), whether a positive
//     count's picks are distinct, whether each WITHSCORES / WITHVALUES pair
//     holds the element's own score or value;
//   - SSCAN, HSCAN, ZSCAN: each side splits an iteration where its own order
//     says, so an iteration from cursor 0 is driven to its end on both sides
//     and the union of its elements (pairs kept together) is compared
//     (ScanUnion).
#ifndef RESPFUZZ_TOOLS_ORACLE_RANDOM_H_
#define RESPFUZZ_TOOLS_ORACLE_RANDOM_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "src/resp/value.h"

namespace respfuzz::engine {
class Engine;
}

namespace respfuzz::oracle {

// SRANDMEMBER SPOP ZRANDMEMBER HRANDFIELD RANDOMKEY, any letter case.
bool IsRandomCommand(std::string_view name);
// SSCAN HSCAN ZSCAN.
bool IsElementScan(std::string_view name);

// What a draw may pick: set members, hash fields with their values,
// sorted-set members with their scores, or a db's live keys.
struct DrawPool {
  std::set<std::string> names;
  std::map<std::string, std::string> values;  // HRANDFIELD: field -> value
  std::map<std::string, double> scores;       // ZRANDMEMBER: member -> score
};
// The pool of argv's command in the engine's `db`, read without side effects
// (no lazy expiry): call it before the op runs.
DrawPool PoolOf(const engine::Engine& e, int db, const std::vector<std::string>& argv);

// Replaces a successful reply of a random command by its summary; errors,
// nulls and integers stay as they are. `pool` nullptr: membership and pairs
// are not checked (a command inside EXEC, whose state before it is unknown).
void SummarizeRandomReply(const std::vector<std::string>& argv, const DrawPool* pool,
                          resp::Value* reply);

// The elements a successful SPOP reply names (empty for anything else).
std::vector<std::string> PoppedMembers(const resp::Value& reply);

// One page of an element scan: appends its elements and sets *cursor to the
// reply's cursor. False when the reply is not a scan page.
bool AppendScanPage(const resp::Value& reply, std::string* cursor,
                    std::vector<resp::Value>* elements);
// ["0", elements]: SSCAN's members sorted and deduplicated, HSCAN's and
// ZSCAN's (name, value) pairs likewise, as one array per iteration.
resp::Value ScanUnion(std::string_view command, std::vector<resp::Value> elements);

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_ORACLE_RANDOM_H_
