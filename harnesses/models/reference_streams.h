// The reference model's stream value (reference_streams.cc has the
// commands): written plainly from Redis's documentation and the replies of
// redis-server 7.0.15 (tests/recordings/streams.json), with std::map and
// std::vector where Redis has radix trees and listpacks.
//
// One piece of Redis's layout is observable and kept: the entries are
// packed into listpack nodes (a rax keyed by each node's first ID, its
// "master" ID), which shows in XINFO STREAM's radix-tree-keys and
// radix-tree-nodes and in what `~` trimming removes. The model keeps the
// nodes as lists of IDs under a documented rule (docs/fidelity.md):
//   - XADD appends to the last node unless there is none, it already holds
//     stream-node-max-entries (100) entries, live and deleted counted
//     together, or its listpack's bytes plus the new fields' and values'
//     lengths reach stream-node-max-bytes (4096); then the entry starts a
//     new node, keyed by its ID. The listpack's bytes are counted as
//     listpack.c encodes them: the master entry (count, deleted, the first
//     entry's fields, a 0), then per entry its flags, the ID's delta to the
//     node's, the fields unless they are the master's, the values and the
//     element count; an integer-looking string stored as an integer.
//   - XDEL flags an entry deleted; deleting a node's last live entry drops
//     the node.
//   - Trimming walks the nodes from the first: a node whose removal still
//     leaves MAXLEN entries, or whose last ID (deleted entries included) is
//     below MINID, is dropped whole; `~` stops at the first node it cannot
//     drop (and once LIMIT entries would be passed, 100 * 100 by default);
//     `=` then flags entries of that node deleted, one by one, and stops.
//   - radix-tree-nodes counts the nodes of a compressed radix tree over the
//     16-byte big-endian master IDs (a leaf per key, a node where paths
//     branch, one per compressed run, and the root).
#ifndef RESPFUZZ_HARNESSES_MODELS_REFERENCE_STREAMS_H_
#define RESPFUZZ_HARNESSES_MODELS_REFERENCE_STREAMS_H_

#include <compare>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace respfuzz::models::refmodel {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
  std::string ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }
};

// A pending entry (streamNACK): who has it, since when, how often delivered.
struct StreamNack {
  int64_t delivery_time = 0;  // unix ms, the virtual clock
  int64_t delivery_count = 1;
  std::string consumer;
};

struct StreamConsumer {
  int64_t seen_time = 0;
  std::set<StreamId> pel;
};

struct StreamGroup {
  StreamId last_id;
  int64_t entries_read = -1;  // -1: not known (SCG_INVALID_ENTRIES_READ)
  std::map<StreamId, StreamNack> pel;
  std::map<std::string, StreamConsumer> consumers;  // byte order, as a rax
};

// A listpack node: the IDs it holds in order, each flagged when deleted;
// the fields of its first entry (the master entry's); its size in bytes.
struct StreamNode {
  std::vector<std::pair<StreamId, bool>> ids;
  int64_t live = 0;
  std::vector<std::string> master_fields;
  int64_t bytes = 0;
};

struct Stream {
  std::map<StreamId, std::vector<std::string>> entries;  // field, value, field, value, ...
  std::map<StreamId, StreamNode> nodes;                  // master ID -> node
  StreamId last_id;
  StreamId first_id;     // recorded-first-entry-id
  StreamId max_deleted;  // max-deleted-entry-id
  uint64_t entries_added = 0;
  std::map<std::string, StreamGroup> groups;  // byte order, as a rax
};

}  // namespace respfuzz::models::refmodel

#endif  // RESPFUZZ_HARNESSES_MODELS_REFERENCE_STREAMS_H_
