// How the command oracle puts in one order the frames whose order each
// side decides for itself: header-only, so its test needs nothing else of
// the oracle.
#ifndef RESPFUZZ_TOOLS_ORACLE_FRAMES_H_
#define RESPFUZZ_TOOLS_ORACLE_FRAMES_H_

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "src/resp/value.h"

namespace respfuzz::oracle {

// Each run of consecutive client-tracking invalidation pushes sorted by
// its keys: expiry deletes keys in each side's own order (the server's SCAN
// of its hash table, the engine's sweep), and a tracking session hears of
// each key in that order. The order of invalidations is the invalidation
// oracle's to compare (`respfuzz oracle invalidation`), this one compares
// which come.
inline void SortInvalidationRuns(std::vector<resp::Value>* frames) {
  auto is_invalidation = [](const resp::Value& v) {
    return v.type == resp::Type::kPush && !v.elems.empty() && v.elems[0].str == "invalidate";
  };
  auto key = [](const resp::Value& v) { return resp::ToDebugString(v, 2000); };
  for (size_t i = 0; i < frames->size();) {
    size_t j = i;
    while (j < frames->size() && is_invalidation((*frames)[j])) ++j;
    if (j - i > 1) {
      std::stable_sort(frames->begin() + static_cast<std::ptrdiff_t>(i),
                       frames->begin() + static_cast<std::ptrdiff_t>(j),
                       [&](const resp::Value& a, const resp::Value& b) { return key(a) < key(b); });
    }
    i = j == i ? i + 1 : j;
  }
}

// After an expiry sweep (the oracle's SCAN on the server, the engine's
// sweep), each run of consecutive `expired` keyspace notifications sorted
// by key, a key's keyspace and keyevent messages kept together: each side
// deletes the expired keys in its own order (as SortInvalidationRuns).
inline void SortExpiredEventRuns(std::vector<resp::Value>* frames) {
  // The key an `expired` notification names ("" for another frame): a
  // message or pmessage whose channel is __keyspace@N__:KEY with payload
  // "expired", or __keyevent@N__:expired with payload KEY.
  auto expired_key = [](const resp::Value& v) -> std::string {
    if ((v.type != resp::Type::kArray && v.type != resp::Type::kPush) || v.elems.size() < 3)
      return {};
    const size_t n = v.elems.size();
    if (v.elems[0].str != (n == 4 ? "pmessage" : "message")) return {};
    const std::string& channel = v.elems[n - 2].str;
    const std::string& payload = v.elems[n - 1].str;
    if (absl::StartsWith(channel, "__keyspace@") && payload == "expired") {
      return channel.substr(channel.find("__:") + 3);
    }
    if (absl::StartsWith(channel, "__keyevent@") && absl::EndsWith(channel, "__:expired")) {
      return payload;
    }
    return {};
  };
  for (size_t i = 0; i < frames->size();) {
    size_t j = i;
    std::vector<std::pair<std::string, std::vector<resp::Value>>> groups;
    while (j < frames->size()) {
      std::string key = expired_key((*frames)[j]);
      if (key.empty()) break;
      if (groups.empty() || groups.back().first != key) groups.push_back({key, {}});
      groups.back().second.push_back(std::move((*frames)[j]));
      ++j;
    }
    if (j == i) {
      ++i;
      continue;
    }
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t k = i;
    for (auto& [key, group] : groups) {
      for (resp::Value& v : group) (*frames)[k++] = std::move(v);
    }
    i = j;
  }
}

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_ORACLE_FRAMES_H_
