#include "src/engine/stream.h"

#include <iterator>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "src/engine/c_string.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

std::string StreamID::ToString() const { return absl::StrCat(ms, "-", seq); }

bool StreamIncrID(StreamID* id) {
  if (id->seq == UINT64_MAX) {
    if (id->ms == UINT64_MAX) {
      *id = StreamID{};
      return false;
    }
    ++id->ms;
    id->seq = 0;
  } else {
    ++id->seq;
  }
  return true;
}

bool StreamDecrID(StreamID* id) {
  if (id->seq == 0) {
    if (id->ms == 0) {
      *id = StreamID::Max();
      return false;
    }
    --id->ms;
    id->seq = UINT64_MAX;
  } else {
    --id->seq;
  }
  return true;
}

namespace {

bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// string2ull (util.c): string2ll, and a negative number is out of range;
// else strtoull(s, 10): leading white space, an optional sign (a '-' negates
// modulo 2^64), at least one digit, nothing after, no overflow.
bool String2Ull(std::string_view s, uint64_t* out) {
  if (auto ll = resp::ParseInt64(s)) {
    if (*ll < 0) return false;
    *out = static_cast<uint64_t>(*ll);
    return true;
  }
  if (s.empty()) return false;
  size_t i = 0;
  while (i < s.size() && IsCSpace(s[i])) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  const size_t digits_at = i;
  uint64_t v = 0;
  bool overflow = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) overflow = true;
    v = v * 10 + d;
    ++i;
  }
  if (i == digits_at || i != s.size() || overflow) return false;
  *out = neg ? (~v + 1) : v;
  return true;
}

}  // namespace

std::optional<StreamID> ParseStreamID(std::string_view text, uint64_t missing_seq, bool strict,
                                      bool* seq_given) {
  if (text.size() > 127) return std::nullopt;
  const std::string_view buf = CStr(text);
  if (strict && (buf == "-" || buf == "+")) return std::nullopt;
  if (seq_given != nullptr) *seq_given = true;
  if (buf == "-") return StreamID{0, 0};
  if (buf == "+") return StreamID::Max();
  const size_t dash = buf.find('-');
  StreamID id;
  if (!String2Ull(buf.substr(0, dash), &id.ms)) return std::nullopt;
  if (dash != std::string_view::npos) {
    const std::string_view seq = buf.substr(dash + 1);
    if (seq_given != nullptr && seq == "*") {
      id.seq = 0;
      *seq_given = false;
    } else if (!String2Ull(seq, &id.seq)) {
      return std::nullopt;
    }
  } else {
    id.seq = missing_seq;
  }
  return id;
}

namespace {

// Listpack element sizes (listpack.c): an integer's encoding, a string's
// (an integer when lpStringToInt64 reads it as one), plus the back length.
int64_t BacklenLen(int64_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}
int64_t IntElem(int64_t v) {
  int64_t enc;
  if (v >= 0 && v <= 127) {
    enc = 1;
  } else if (v >= -4096 && v <= 4095) {
    enc = 2;
  } else if (v >= -32768 && v <= 32767) {
    enc = 3;
  } else if (v >= -8388608 && v <= 8388607) {
    enc = 4;
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    enc = 5;
  } else {
    enc = 9;
  }
  return enc + BacklenLen(enc);
}
int64_t StrElem(std::string_view s) {
  if (s.size() < resp::kLongStrSize) {
    if (auto v = resp::ParseInt64(s)) return IntElem(*v);
  }
  const int64_t n = static_cast<int64_t>(s.size());
  const int64_t enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + BacklenLen(enc);
}

constexpr int64_t kListpackEmpty = 7;                   // header (6) and end byte
constexpr int64_t kListpackMaxSize = int64_t{1} << 30;  // STREAM_LISTPACK_MAX_SIZE
constexpr int64_t kFlagSameFields = 2;

}  // namespace

void Stream::SetCounts(StreamNode& n, int64_t count, int64_t deleted) {
  n.lp_bytes += IntElem(count) - IntElem(n.count) + IntElem(deleted) - IntElem(n.deleted);
  n.count = count;
  n.deleted = deleted;
}

std::map<StreamID, StreamNode>::iterator Stream::NodeOf(StreamID id) {
  auto it = nodes_.upper_bound(id);
  return it == nodes_.begin() ? nodes_.end() : std::prev(it);
}

void Stream::Append(StreamID id, std::span<const std::string> fv, const StreamNodeLimits& limits) {
  const int64_t numfields = static_cast<int64_t>(fv.size() / 2);
  int64_t totelelen = 0;
  for (const std::string& s : fv) totelelen += static_cast<int64_t>(s.size());
  auto tail = nodes_.empty() ? nodes_.end() : std::prev(nodes_.end());
  if (tail != nodes_.end()) {
    int64_t max_bytes = limits.max_bytes;
    if (max_bytes <= 0 || max_bytes > kListpackMaxSize) max_bytes = kListpackMaxSize;
    const StreamNode& n = tail->second;
    if (n.lp_bytes + totelelen >= max_bytes ||
        (limits.max_entries != 0 && n.count + n.deleted >= limits.max_entries)) {
      tail = nodes_.end();
    }
  }
  StreamID master;
  bool same = false;
  if (tail == nodes_.end()) {
    master = id;
    StreamNode n;
    n.lp_bytes = kListpackEmpty + IntElem(1) + IntElem(0) + IntElem(numfields) + IntElem(0);
    n.count = 1;
    for (int64_t i = 0; i < numfields; ++i) {
      n.master_fields.push_back(fv[2 * i]);
      n.lp_bytes += StrElem(fv[2 * i]);
    }
    tail = nodes_.emplace(id, std::move(n)).first;
    same = true;
  } else {
    master = tail->first;
    StreamNode& n = tail->second;
    SetCounts(n, n.count + 1, n.deleted);
    if (static_cast<size_t>(numfields) == n.master_fields.size()) {
      same = true;
      for (int64_t i = 0; i < numfields && same; ++i) same = fv[2 * i] == n.master_fields[i];
    }
  }
  StreamNode& n = tail->second;
  int64_t bytes = IntElem(same ? kFlagSameFields : 0) +
                  IntElem(static_cast<int64_t>(id.ms - master.ms)) +
                  IntElem(static_cast<int64_t>(id.seq - master.seq));
  if (!same) bytes += IntElem(numfields);
  for (int64_t i = 0; i < numfields; ++i) {
    if (!same) bytes += StrElem(fv[2 * i]);
    bytes += StrElem(fv[2 * i + 1]);
  }
  bytes += IntElem(numfields + 3 + (same ? 0 : numfields + 1));
  n.lp_bytes += bytes;
  n.last = id;
  entries_.emplace(id, std::vector<std::string>(fv.begin(), fv.end()));
  ++entries_added;
  last_id = id;
}

bool Stream::Delete(StreamID id) {
  auto e = entries_.find(id);
  if (e == entries_.end()) return false;
  entries_.erase(e);
  auto node = NodeOf(id);
  if (node->second.count == 1) {
    nodes_.erase(node);
  } else {
    SetCounts(node->second, node->second.count - 1, node->second.deleted + 1);
  }
  return true;
}

int64_t Stream::Trim(const StreamTrimArgs& args) {
  if (args.strategy == StreamTrimArgs::kNone) return 0;
  const bool maxlen = args.strategy == StreamTrimArgs::kMaxLen;
  int64_t deleted = 0;
  auto it = nodes_.begin();
  while (it != nodes_.end()) {
    if (maxlen && length() <= static_cast<uint64_t>(args.maxlen)) break;
    const int64_t count = it->second.count;
    if (args.limit != 0 && deleted + count > args.limit) break;
    auto next = std::next(it);
    const bool remove_node = maxlen ? length() - count >= static_cast<uint64_t>(args.maxlen)
                                    : it->second.last < args.minid;
    auto first = entries_.lower_bound(it->first);
    auto last = next == nodes_.end() ? entries_.end() : entries_.lower_bound(next->first);
    if (remove_node) {
      entries_.erase(first, last);
      nodes_.erase(it);
      deleted += count;
      it = next;
      continue;
    }
    if (args.approx) break;
    int64_t from_node = 0;
    while (first != last) {
      const bool stop =
          maxlen ? length() <= static_cast<uint64_t>(args.maxlen) : first->first >= args.minid;
      if (stop) break;
      first = entries_.erase(first);
      ++from_node;
    }
    deleted += from_node;
    SetCounts(it->second, count - from_node, it->second.deleted + from_node);
    break;
  }
  return deleted;
}

int64_t Stream::RadixTreeNodes() const {
  if (nodes_.empty()) return 1;
  auto encode = [](StreamID id) {
    std::string k(16, '\0');
    for (int i = 0; i < 8; ++i) {
      k[i] = static_cast<char>(id.ms >> (56 - 8 * i));
      k[8 + i] = static_cast<char>(id.seq >> (56 - 8 * i));
    }
    return k;
  };
  absl::flat_hash_set<std::string> prefixes;
  prefixes.insert("");
  std::string prev;
  bool have_prev = false;
  for (const auto& [master, node] : nodes_) {
    std::string k = encode(master);
    prefixes.insert(k);
    if (have_prev) {
      size_t l = 0;
      while (l < 16 && prev[l] == k[l]) ++l;
      prefixes.insert(k.substr(0, l));
      prefixes.insert(k.substr(0, l + 1));
      prefixes.insert(prev.substr(0, l + 1));
    }
    prev = std::move(k);
    have_prev = true;
  }
  return static_cast<int64_t>(prefixes.size());
}

bool Stream::RangeHasTombstones(StreamID start, std::optional<StreamID> end) const {
  if (length() == 0 || max_deleted_id.IsZero()) return false;
  if (first_id() > max_deleted_id) return false;
  const StreamID e = end ? *end : StreamID::Max();
  return start <= max_deleted_id && max_deleted_id <= e;
}

namespace {

// Redis keeps these counters in long long and lets them wrap (entries_read
// past LLONG_MAX, the lag of a wrapped counter); two's complement here,
// without the undefined behaviour.
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

}  // namespace

int64_t Stream::EstimateDistanceFromFirstEverEntry(StreamID id) const {
  const int64_t added = static_cast<int64_t>(entries_added);
  if (entries_added == 0) return 0;
  if (length() == 0 && id <= last_id) return added;
  if (id == last_id) return added;
  if (id > last_id) return kInvalidEntriesRead;
  const StreamID first = first_id();
  if (max_deleted_id.IsZero() || max_deleted_id < first) {
    if (id < first) return WrapSub(added, static_cast<int64_t>(length()));
    if (id == first) return WrapSub(added, static_cast<int64_t>(length()) - 1);
  }
  return kInvalidEntriesRead;
}

std::optional<int64_t> Stream::Lag(const StreamGroup& g) const {
  const int64_t added = static_cast<int64_t>(entries_added);
  if (entries_added == 0) return 0;
  if (g.entries_read != kInvalidEntriesRead && !RangeHasTombstones(g.last_id, std::nullopt)) {
    return WrapSub(added, g.entries_read);
  }
  const int64_t read = EstimateDistanceFromFirstEverEntry(g.last_id);
  if (read != kInvalidEntriesRead) return WrapSub(added, read);
  return std::nullopt;
}

void Stream::LoadNode(StreamID master, StreamNode node, Entries live) {
  nodes_.emplace(master, std::move(node));
  entries_.merge(live);
}

std::string Stream::Check() const {
  size_t live = 0;
  for (auto it = nodes_.begin(); it != nodes_.end(); ++it) {
    auto next = std::next(it);
    auto first = entries_.lower_bound(it->first);
    auto last = next == nodes_.end() ? entries_.end() : entries_.lower_bound(next->first);
    const int64_t n = std::distance(first, last);
    if (n != it->second.count) {
      return absl::StrCat("stream node ", it->first.ToString(), " counts ", it->second.count,
                          " live entries, holds ", n);
    }
    if (it->second.count < 0 || it->second.deleted < 0 || it->second.last < it->first) {
      return "stream node " + it->first.ToString() + " has bad counters";
    }
    if (first != last && std::prev(last)->first > it->second.last) {
      return "stream node " + it->first.ToString() + " holds an entry after its last";
    }
    live += static_cast<size_t>(n);
  }
  if (live != entries_.size()) return "stream entries outside every node";
  if (!entries_.empty() && entries_.rbegin()->first > last_id) {
    return "stream entry after the last ID";
  }
  for (const auto& [name, g] : groups) {
    size_t owned = 0;
    for (const auto& [cname, consumer] : g.consumers) {
      for (const StreamID& id : consumer.pel) {
        auto n = g.pel.find(id);
        if (n == g.pel.end() || n->second.consumer != cname) {
          return "group '" + name + "': consumer '" + cname + "' owns " + id.ToString() +
                 " not in the group's PEL under its name";
        }
      }
      owned += consumer.pel.size();
    }
    if (owned != g.pel.size()) return "group '" + name + "': PEL entries without a consumer";
  }
  return "";
}

}  // namespace respfuzz::engine
