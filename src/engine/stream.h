// The stream type (Redis 7.0.15's t_stream.c): entries keyed by <ms>-<seq>
// IDs, the stream's counters (last ID, entries added, max deleted ID), its
// consumer groups with their pending entries lists, and the shape of the
// radix tree of listpack nodes Redis keeps them in.
//
// The nodes matter because what Redis replies depends on them: `~` trimming
// (MAXLEN ~ / MINID ~) removes whole nodes only, and XINFO STREAM reports
// radix-tree-keys and radix-tree-nodes. A node is modelled by what decides
// those answers: its master ID (the rax key), master fields, live and
// deleted entry counts, the last ID ever appended to it, and its listpack's
// size in bytes (lpBytes), which with stream-node-max-bytes and
// stream-node-max-entries decides when XADD opens a new node. Entries
// themselves are kept once, in an ordered map of the live ones; a deleted
// entry stays counted in its node until the node goes, as in Redis.
#ifndef RESPFUZZ_ENGINE_STREAM_H_
#define RESPFUZZ_ENGINE_STREAM_H_

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::engine {

struct StreamID {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamID&) const = default;
  bool IsZero() const { return ms == 0 && seq == 0; }
  std::string ToString() const;
  static constexpr StreamID Max() { return {UINT64_MAX, UINT64_MAX}; }
};

// streamIncrID / streamDecrID: false (and the id wrapped to 0-0 / max) at the end.
bool StreamIncrID(StreamID* id);
bool StreamDecrID(StreamID* id);

// streamGenericParseIDOrReply's grammar: "-" / "+" (unless strict), <ms>,
// <ms>-<seq>, and with `seq_given` non-null <ms>-* (then *seq_given = false).
// Numbers read as Redis's string2ull (string2ll, then strtoull). Text longer
// than 127 bytes is invalid; the rest is read as a C string.
std::optional<StreamID> ParseStreamID(std::string_view text, uint64_t missing_seq, bool strict,
                                      bool* seq_given = nullptr);

struct StreamNack {
  int64_t delivery_time = 0;  // unix ms
  uint64_t delivery_count = 1;
  std::string consumer;
};

struct StreamConsumer {
  int64_t seen_time = 0;  // unix ms
  std::set<StreamID> pel;
};

inline constexpr int64_t kInvalidEntriesRead = -1;  // SCG_INVALID_ENTRIES_READ

struct StreamGroup {
  StreamID last_id;
  int64_t entries_read = kInvalidEntriesRead;
  std::map<StreamID, StreamNack> pel;
  // By name, in rax order (bytewise, a prefix first): std::string's order.
  std::map<std::string, StreamConsumer> consumers;
};

// stream-node-max-bytes and stream-node-max-entries (Redis's defaults).
struct StreamNodeLimits {
  int64_t max_bytes = 4096;
  int64_t max_entries = 100;
};

struct StreamNode {
  std::vector<std::string> master_fields;
  int64_t count = 0;    // live entries
  int64_t deleted = 0;  // entries flagged deleted
  StreamID last;        // the last entry appended (deleted or not)
  int64_t lp_bytes = 0;
};

// XADD / XTRIM's trimming arguments (streamAddTrimArgs).
struct StreamTrimArgs {
  enum Strategy { kNone, kMaxLen, kMinId } strategy = kNone;
  bool approx = false;
  int64_t limit = 0;  // 0: no limit
  int64_t maxlen = 0;
  StreamID minid;
};

class Stream {
 public:
  using Entries = std::map<StreamID, std::vector<std::string>>;  // fields and values

  uint64_t length() const { return entries_.size(); }
  const Entries& entries() const { return entries_; }
  const std::map<StreamID, StreamNode>& nodes() const { return nodes_; }

  StreamID last_id;
  StreamID max_deleted_id;
  uint64_t entries_added = 0;
  // By name, in rax order.
  std::map<std::string, StreamGroup> groups;

  // The first live entry's ID, 0-0 when empty (Redis's first_id, which it
  // keeps equal to this).
  StreamID first_id() const { return entries_.empty() ? StreamID{} : entries_.begin()->first; }
  // streamLastValidID: the last live entry's ID, 0-0 when empty.
  StreamID last_valid_id() const {
    return entries_.empty() ? StreamID{} : entries_.rbegin()->first;
  }

  // streamAppendItem with an ID already decided (greater than last_id):
  // appends to the tail node or opens a new one.
  void Append(StreamID id, std::span<const std::string> fields_values,
              const StreamNodeLimits& limits);
  // streamDeleteItem: false when no live entry has this ID.
  bool Delete(StreamID id);
  // streamTrim: the number of entries removed.
  int64_t Trim(const StreamTrimArgs& args);

  bool Has(StreamID id) const { return entries_.contains(id); }

  // rax numnodes of the radix tree keyed by the nodes' master IDs (16 bytes,
  // big endian): the nodes of the path-compressed trie of those keys.
  int64_t RadixTreeNodes() const;

  // streamRangeHasTombstones, streamEstimateDistanceFromFirstEverEntry.
  bool RangeHasTombstones(StreamID start, std::optional<StreamID> end) const;
  int64_t EstimateDistanceFromFirstEverEntry(StreamID id) const;
  // The group's lag, or nullopt when Redis replies null.
  std::optional<int64_t> Lag(const StreamGroup& g) const;

  // RESTORE (rdb.cc): a node as a payload holds it, with its live entries,
  // all at or after `master` and before the next node's; nodes come in ID
  // order.
  void LoadNode(StreamID master, StreamNode node, Entries live);

  // Nodes and entries agree, PELs agree: the reason when not.
  std::string Check() const;

 private:
  std::map<StreamID, StreamNode>::iterator NodeOf(StreamID id);
  void SetCounts(StreamNode& n, int64_t count, int64_t deleted);

  Entries entries_;
  std::map<StreamID, StreamNode> nodes_;  // by master ID
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_STREAM_H_
