// How the command oracle compares CLIENT LIST, whose server side also lists
// the oracle's own connections: header-only, so its test needs nothing else
// of the oracle.
#ifndef RESPFUZZ_TOOLS_ORACLE_CLIENT_LIST_H_
#define RESPFUZZ_TOOLS_ORACLE_CLIENT_LIST_H_

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "src/resp/value.h"

namespace respfuzz::oracle {

// A CLIENT LIST line's field `name` ("id", "addr"), or "" without it.
inline absl::string_view ClientField(absl::string_view line, absl::string_view name) {
  size_t at = 0;
  while (at < line.size()) {
    const size_t end = std::min(line.find(' ', at), line.size());
    const absl::string_view field = line.substr(at, end - at);
    if (field.size() > name.size() && absl::StartsWith(field, name) && field[name.size()] == '=') {
      return field.substr(name.size() + 1);
    }
    at = end + 1;
  }
  return {};
}

// A CLIENT LIST reply (a bulk string, or a verbatim one after its "txt:")
// cut to the lines of the program's sessions, in session order:
// `session_of(line)` gives a line's session, or -1 for a connection that is
// none of them (the oracle's admin connection, a replica). Any other reply
// (an error) is left as it is.
template <typename SessionOf>
void KeepSessionLines(resp::Value* v, SessionOf&& session_of) {
  if (v->type != resp::Type::kBulkString && v->type != resp::Type::kVerbatim) return;
  const size_t from = v->type == resp::Type::kVerbatim ? std::min<size_t>(4, v->str.size()) : 0;
  std::vector<std::pair<int, std::string>> kept;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(v->str).substr(from), '\n', absl::SkipEmpty())) {
    const int t = session_of(line);
    if (t >= 0) kept.emplace_back(t, std::string(line));
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = v->str.substr(0, from);
  for (const auto& [t, line] : kept) absl::StrAppend(&out, line, "\n");
  v->str = std::move(out);
}

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_ORACLE_CLIENT_LIST_H_
