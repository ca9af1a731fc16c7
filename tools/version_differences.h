// Documented differences between the server the engine models (redis-server
// 7.0.15) and newer servers, as data (tools/version_differences.tsv, built
// into the tool): what `respfuzz oracle` checks each divergence against when
// the server is not 7.0.15. A divergence a row explains is documented
// behaviour of that version; one no row explains is a candidate finding.
//
// The file: one row per line, tab-separated, '#' comments and blank lines
// ignored:
//   id  applies  command  server  engine  source  what
//  - id: a unique slug;
//  - applies: comma-separated FAMILY>=VERSION (redis>=7.2.0,valkey>=7.2.4):
//    the servers that behave so (FAMILY is INFO server's: valkey when it
//    says server_name:valkey, else redis);
//  - command: the divergent op's command name (upper case), or * for any;
//  - server, engine: ECMAScript regular expressions that must match
//    somewhere in the server's and the engine's side of the divergence as the
//    oracle prints them, or * for anything; or both =double: each side is
//    one number (quoted or not) and both are the same double, written
//    differently, or the same reply but for numbers so written (SameDouble);
//    or both =coords: the same reply but for numbers where the engine's is
//    the "%.17Lf"-trimmed text of the server's double (SameCoordinates: GEO
//    coordinates, which 7.0.15 prints so); or both the same
//    =without:FIELD,FIELD...: the two sides are the same once each
//    " FIELD=value" of a CLIENT INFO or LIST line (the fields a newer
//    server adds) is taken out of both; an element FIELD=A>B instead reads
//    the server's FIELD=A as FIELD=B, and the row applies only where the
//    server has one (SameWithoutFields);
//  - source: the release note or commit that documents the change (a URL);
//  - what: one sentence.
#ifndef RESPFUZZ_TOOLS_VERSION_DIFFERENCES_H_
#define RESPFUZZ_TOOLS_VERSION_DIFFERENCES_H_

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/oracle_report.h"

namespace respfuzz::oracle {

// The server an oracle talks to, from its INFO server.
struct ServerIdentity {
  std::string family;   // "redis" or "valkey"
  std::string version;  // "8.0.6"
  std::string Describe() const { return family + "-server " + version; }
};
ServerIdentity IdentityFromInfo(std::string_view info);

// The version the engine models: its divergences are never documented.
inline constexpr std::string_view kModelledVersion = "7.0.15";

struct VersionDifference {
  std::string id;
  std::vector<std::pair<std::string, std::string>> applies;  // family, first version
  std::string command;                                       // "*" for any
  std::string server_pattern, engine_pattern;                // "*" for any
  std::regex server_re, engine_re;
  bool same_double = false;                 // both patterns were =double
  bool same_coords = false;                 // both patterns were =coords
  std::vector<std::string> without_fields;  // both patterns were =without:...
  std::string source;
  std::string what;
  int line = 0;
};

// Parses the table; an error names the line.
absl::StatusOr<std::vector<VersionDifference>> ParseVersionDifferences(std::string_view text);
// The table built into the tool (tools/version_differences.tsv).
std::string_view BuiltInVersionDifferences();

// The server and engine fields' special value (see above).
inline constexpr std::string_view kSameDouble = "=double";
// Whether `a` and `b` are different texts of the same double: one number each
// (quoted or not), the same printed reply but for numbers that read as the
// same double, or the same invalidation-oracle frames (CRLFs printed as
// \r\n) but for numbers that read as the same double and their bulk lengths.
bool SameDouble(std::string_view a, std::string_view b);
inline constexpr std::string_view kSameCoords = "=coords";
// Whether `server` and `engine` print the same reply but for numbers where
// the engine's is the "%.17Lf" text with the trailing zeros cut
// (addReplyHumanLongDouble) of the server's double, or the double that text
// reads back as when it is another; at least one differs.
bool SameCoordinates(std::string_view server, std::string_view engine);

inline constexpr std::string_view kWithoutFields = "=without:";
// Whether `server` and `engine` differ, and are the same once every
// " FIELD=value" of `fields` (the value up to the next space, backslash or
// quote: a field of a printed CLIENT INFO or LIST line) is taken out of both,
// and each of the server's " FIELD=A" of an element FIELD=A>B is read as
// " FIELD=B" (at least one, when there are such elements).
bool SameWithoutFields(std::string_view server, std::string_view engine,
                       const std::vector<std::string>& fields);

// -1, 0, 1 as `a` is older, the same, newer than `b` (dotted numbers).
int CompareVersions(std::string_view a, std::string_view b);

// The command of an op as the oracles print it: "s1 SET k v" -> "SET",
// "c2 data: MSET k 1" -> "MSET", "c1 tracking: CLIENT TRACKING on" -> "CLIENT",
// "send c3 | c3 data: FLUSHALL" -> "FLUSHALL".
std::string CommandOf(std::string_view op);

// The row that explains `d` on `server`, or nullptr.
const VersionDifference* Explain(const std::vector<VersionDifference>& table,
                                 const ServerIdentity& server, const Divergence& d);

// Every divergence grouped by command: how many, and how many each row
// explains; the rest are candidates.
struct DivergenceGroup {
  size_t count = 0;
  std::map<std::string, size_t> documented;  // row id -> divergences it explains
  size_t candidates = 0;
};
struct Classification {
  std::map<std::string, DivergenceGroup> groups;  // by command
  std::vector<const VersionDifference*> row_of;   // per divergence, nullptr: candidate
  size_t candidates = 0;
};
Classification Classify(const std::vector<VersionDifference>& table, const ServerIdentity& server,
                        const std::vector<Divergence>& divergences);

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_VERSION_DIFFERENCES_H_
