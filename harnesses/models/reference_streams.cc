// Streams in the reference model (t_stream.c's commands): XADD XLEN XRANGE
// XREVRANGE XDEL XTRIM XSETID XREAD XREADGROUP XACK XPENDING XCLAIM
// XAUTOCLAIM, XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER/HELP
// and XINFO STREAM/GROUPS/CONSUMERS/HELP, Redis 7.0.15's semantics and
// texts, written plainly (reference_streams.h: a std::map of IDs and the
// documented node rule). Times (delivery, seen, idle) come from the model's
// virtual clock, the one TTLs use. XREAD and XREADGROUP BLOCK block through
// reference_blocking.cc, which calls back here to serve them
// (serveClientsBlockedOnStreamKey) or to unblock an XREADGROUP whose
// stream went away.
#include "harnesses/models/reference_streams.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

// A listpack's largest size (STREAM_LISTPACK_MAX_SIZE), which also stands
// for a stream-node-max-bytes of 0 (no limit).
constexpr int64_t kListpackMaxBytes = int64_t{1} << 30;
constexpr StreamId kMaxId = {UINT64_MAX, UINT64_MAX};
const char* const kInvalidId = "Invalid stream ID specified as stream command argument";

// string2ull (util.c): string2ll for what it takes (negative: refused),
// strtoull for the rest (leading blanks, a sign).
bool String2ull(const std::string& s, uint64_t* out) {
  int64_t ll;
  if (String2ll(s, &ll)) {
    if (ll < 0) return false;
    *out = static_cast<uint64_t>(ll);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long v = strtoull(s.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || !(!s.empty() && *end == '\0')) return false;
  *out = v;
  return true;
}

// streamGenericParseIDOrReply: "-" and "+" (unless strict), <ms>[-<seq>],
// and <ms>-* where seq_given is asked for (XADD). The argument is read as
// a C string; longer than 127 bytes is invalid.
bool ParseId(const std::string& arg, uint64_t missing_seq, bool strict, bool* seq_given,
             StreamId* id) {
  if (arg.size() > 127) return false;
  const std::string buf = CString(arg);
  if (strict && (buf == "-" || buf == "+")) return false;
  if (seq_given != nullptr) *seq_given = true;
  if (buf == "-") {
    *id = {0, 0};
    return true;
  }
  if (buf == "+") {
    *id = kMaxId;
    return true;
  }
  const size_t dash = buf.find('-');
  uint64_t ms, seq;
  if (!String2ull(buf.substr(0, dash), &ms)) return false;
  if (dash != std::string::npos) {
    const std::string tail = buf.substr(dash + 1);
    if (seq_given != nullptr && tail == "*") {
      seq = 0;
      *seq_given = false;
    } else if (!String2ull(tail, &seq)) {
      return false;
    }
  } else {
    seq = missing_seq;
  }
  *id = {ms, seq};
  return true;
}

bool ParseStrictId(Ctx& c, const std::string& arg, StreamId* id, Value* err,
                   bool* seq_given = nullptr) {
  if (ParseId(arg, 0, true, seq_given, id)) return true;
  *err = c.Err(kInvalidId);
  return false;
}

// streamIncrID / streamDecrID: false on overflow.
bool IncrId(StreamId* id) {
  if (id->seq == UINT64_MAX) {
    if (id->ms == UINT64_MAX) {
      *id = {0, 0};
      return false;
    }
    id->ms++;
    id->seq = 0;
  } else {
    id->seq++;
  }
  return true;
}

bool DecrId(StreamId* id) {
  if (id->seq == 0) {
    if (id->ms == 0) {
      *id = kMaxId;
      return false;
    }
    id->ms--;
    id->seq = UINT64_MAX;
  } else {
    id->seq--;
  }
  return true;
}

// streamParseIntervalIDOrReply: "(" excludes (strict ID after it).
bool ParseIntervalId(Ctx& c, const std::string& arg, uint64_t missing_seq, StreamId* id,
                     bool* exclude, Value* err) {
  *exclude = arg.size() > 1 && arg[0] == '(';
  bool ok = *exclude ? ParseId(arg.substr(1), missing_seq, true, nullptr, id)
                     : ParseId(arg, missing_seq, false, nullptr, id);
  if (!ok) *err = c.Err(kInvalidId);
  return ok;
}

// A range's ends: start inclusive after "(" handling, end likewise.
bool ParseRange(Ctx& c, const std::string& start_arg, const std::string& end_arg, StreamId* start,
                StreamId* end, Value* err) {
  bool ex;
  if (!ParseIntervalId(c, start_arg, 0, start, &ex, err)) return false;
  if (ex && !IncrId(start)) {
    *err = c.Err("invalid start ID for the interval");
    return false;
  }
  if (!ParseIntervalId(c, end_arg, UINT64_MAX, end, &ex, err)) return false;
  if (ex && !DecrId(end)) {
    *err = c.Err("invalid end ID for the interval");
    return false;
  }
  return true;
}

Value IdReply(Ctx& c, const StreamId& id) { return c.Bulk(id.ToString()); }

Value EntryReply(Ctx& c, const Stream& s, const StreamId& id) {
  std::vector<Value> fields;
  for (const std::string& f : s.entries.at(id)) fields.push_back(c.Bulk(f));
  return c.Array({IdReply(c, id), c.Array(std::move(fields))});
}

// Looks a stream up: nullptr and *err empty when missing; WRONGTYPE in *err.
Stream* LookupStream(Ctx& c, const std::string& key, Value* err, bool* wrongtype) {
  *wrongtype = false;
  Object* o = LookupKey(c.st, c.db(), key);
  if (o == nullptr) return nullptr;
  if (o->kind != Kind::kStream) {
    *wrongtype = true;
    *err = c.WrongType();
    return nullptr;
  }
  return &o->stream;
}

// ---------------------------------------------------------------------------
// Nodes (reference_streams.h's rule).

// The bytes one listpack element takes: its encoding and its back-length.
// A string that reads as a 64-bit integer (string2ll's rules) is stored as
// that integer.
int64_t ElementBytes(int64_t encoded) {
  int64_t back = encoded <= 127 ? 1 : encoded < 16383 ? 2 : encoded < 2097151 ? 3 : 4;
  return encoded + back;
}

int64_t IntegerBytes(int64_t v) {
  if (v >= 0 && v <= 127) return ElementBytes(1);
  if (v >= -4096 && v <= 4095) return ElementBytes(2);
  if (v >= -32768 && v <= 32767) return ElementBytes(3);
  if (v >= -8388608 && v <= 8388607) return ElementBytes(4);
  if (v >= INT32_MIN && v <= INT32_MAX) return ElementBytes(5);
  return ElementBytes(9);
}

int64_t StringBytes(const std::string& str) {
  int64_t v;
  if (String2ll(str, &v)) return IntegerBytes(v);
  const int64_t len = static_cast<int64_t>(str.size());
  return ElementBytes(len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len);
}

// streamAppendItem's choice of node and the listpack bytes it adds.
// stream-node-max-bytes: 0 or above the listpack limit means that limit;
// stream-node-max-entries: 0 means none.
void AppendToNodes(const Config& config, Stream& s, const StreamId& id,
                   const std::vector<std::string>& fv) {
  const size_t numfields = fv.size() / 2;
  int64_t totelelen = 0;
  for (const std::string& e : fv) totelelen += static_cast<int64_t>(e.size());
  bool new_node = s.nodes.empty();
  if (!new_node) {
    const StreamNode& last = s.nodes.rbegin()->second;
    int64_t max_bytes = config.stream_node_max_bytes;
    if (max_bytes == 0 || max_bytes > kListpackMaxBytes) max_bytes = kListpackMaxBytes;
    new_node = last.bytes + totelelen >= max_bytes ||
               (config.stream_node_max_entries != 0 &&
                static_cast<int64_t>(last.ids.size()) >= config.stream_node_max_entries);
  }
  if (new_node) {
    StreamNode n;
    n.bytes = 6 + 1;  // the listpack's header and end byte
    n.bytes += 3 * IntegerBytes(0) + IntegerBytes(static_cast<int64_t>(numfields));  // count,
    for (size_t i = 0; i < numfields; ++i) {  // deleted, the fields and the 0 terminator
      n.master_fields.push_back(fv[2 * i]);
      n.bytes += StringBytes(fv[2 * i]);
    }
    s.nodes[id] = std::move(n);
  }
  auto it = s.nodes.rbegin();
  StreamNode& n = it->second;
  const StreamId& master = it->first;
  bool same = n.master_fields.size() == numfields;
  for (size_t i = 0; same && i < numfields; ++i) same = n.master_fields[i] == fv[2 * i];
  n.bytes += IntegerBytes(same ? 2 : 0);  // flags
  n.bytes += IntegerBytes(static_cast<int64_t>(id.ms - master.ms));
  n.bytes += IntegerBytes(static_cast<int64_t>(id.seq - master.seq));
  if (!same) n.bytes += IntegerBytes(static_cast<int64_t>(numfields));
  for (size_t i = 0; i < numfields; ++i) {
    if (!same) n.bytes += StringBytes(fv[2 * i]);
    n.bytes += StringBytes(fv[2 * i + 1]);
  }
  const int64_t lp_count =
      same ? static_cast<int64_t>(numfields) + 3 : static_cast<int64_t>(numfields) * 2 + 4;
  n.bytes += IntegerBytes(lp_count);
  n.ids.emplace_back(id, false);
  n.live++;
}

// Deletes one entry (XDEL's streamDeleteItem): false when there is none.
bool DeleteEntry(Stream& s, const StreamId& id) {
  if (s.entries.erase(id) == 0) return false;
  auto it = s.nodes.upper_bound(id);
  --it;  // the node the ID is in
  for (auto& [nid, deleted] : it->second.ids) {
    if (nid == id) deleted = true;
  }
  if (--it->second.live == 0) s.nodes.erase(it);
  return true;
}

void UpdateFirstId(Stream& s) {
  s.first_id = s.entries.empty() ? StreamId{0, 0} : s.entries.begin()->first;
}

struct TrimArgs {
  int strategy = 0;  // 0 none, 1 MAXLEN, 2 MINID
  bool approx = false;
  int64_t maxlen = 0;
  StreamId minid;
  int64_t limit = 0;
  bool nomkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
};

// streamTrim over the nodes.
int64_t Trim(Stream& s, const TrimArgs& a) {
  if (a.strategy == 0) return 0;
  int64_t deleted = 0;
  auto it = s.nodes.begin();
  while (it != s.nodes.end()) {
    const int64_t length = static_cast<int64_t>(s.entries.size());
    if (a.strategy == 1 && length <= a.maxlen) break;
    StreamNode& n = it->second;
    const int64_t entries = n.live;
    if (a.limit && deleted + entries > a.limit) break;
    bool remove_node;
    if (a.strategy == 1) {
      remove_node = length - entries >= a.maxlen;
    } else {
      remove_node = n.ids.back().first < a.minid;
    }
    if (remove_node) {
      for (auto& [id, del] : n.ids) {
        if (!del) s.entries.erase(id);
      }
      deleted += entries;
      it = s.nodes.erase(it);
      continue;
    }
    if (a.approx) break;
    for (auto& [id, del] : n.ids) {
      if (del) continue;
      if (a.strategy == 1 && static_cast<int64_t>(s.entries.size()) <= a.maxlen) break;
      if (a.strategy == 2 && !(id < a.minid)) break;
      del = true;
      s.entries.erase(id);
      n.live--;
      deleted++;
    }
    break;
  }
  UpdateFirstId(s);
  return deleted;
}

// radix-tree-nodes: the nodes of a compressed radix tree over the keys
// (16 bytes each, sorted) in [lo, hi), all sharing their first d bytes.
int64_t RaxNodesBelow(const std::vector<std::string>& k, size_t lo, size_t hi, size_t d) {
  if (d == 16) return 1;  // the key's leaf
  auto single = [&](size_t at) { return k[lo][at] == k[hi - 1][at]; };
  if (single(d)) {
    size_t e = d;
    while (e < 16 && single(e)) ++e;
    return 1 + RaxNodesBelow(k, lo, hi, e);  // a compressed node, then what follows it
  }
  int64_t n = 1;  // a branching node
  size_t i = lo;
  while (i < hi) {
    size_t j = i;
    while (j < hi && k[j][d] == k[i][d]) ++j;
    n += RaxNodesBelow(k, i, j, d + 1);
    i = j;
  }
  return n;
}

int64_t RaxNodes(const Stream& s) {
  if (s.nodes.empty()) return 1;
  std::vector<std::string> keys;
  for (const auto& [id, node] : s.nodes) {
    std::string key;
    for (int b = 7; b >= 0; --b) key.push_back(static_cast<char>((id.ms >> (8 * b)) & 0xff));
    for (int b = 7; b >= 0; --b) key.push_back(static_cast<char>((id.seq >> (8 * b)) & 0xff));
    keys.push_back(std::move(key));
  }
  return RaxNodesBelow(keys, 0, keys.size(), 0);
}

// ---------------------------------------------------------------------------
// Consumer groups: the read counter (entries_read) and lag.

bool RangeHasTombstones(const Stream& s, const StreamId& start) {
  if (s.entries.empty() || s.max_deleted == StreamId{}) return false;
  if (s.first_id > s.max_deleted) return false;
  return start <= s.max_deleted;
}

// streamEstimateDistanceFromFirstEverEntry; -1: not obtainable.
int64_t EstimateDistance(const Stream& s, const StreamId& id) {
  if (s.entries_added == 0) return 0;
  const int64_t added = static_cast<int64_t>(s.entries_added);
  const int64_t length = static_cast<int64_t>(s.entries.size());
  if (length == 0 && id <= s.last_id) return added;
  if (id == s.last_id) return added;
  if (id > s.last_id) return -1;
  if (s.max_deleted == StreamId{} || s.max_deleted < s.first_id) {
    if (id < s.first_id) return added - length;
    if (id == s.first_id) return added - length + 1;
  }
  return -1;
}

Value LagReply(Ctx& c, const Stream& s, const StreamGroup& g) {
  if (s.entries_added == 0) return c.Int(0);
  const int64_t added = static_cast<int64_t>(s.entries_added);
  if (g.entries_read != -1 && !RangeHasTombstones(s, g.last_id)) {
    // Wrapping, as Redis's long long arithmetic does in practice.
    return c.Int(
        static_cast<int64_t>(static_cast<uint64_t>(added) - static_cast<uint64_t>(g.entries_read)));
  }
  const int64_t read = EstimateDistance(s, g.last_id);
  if (read != -1) return c.Int(added - read);
  return c.Null();
}

Value EntriesReadReply(Ctx& c, const StreamGroup& g) {
  return g.entries_read != -1 ? c.Int(g.entries_read) : c.Null();
}

// streamLookupConsumer, or streamCreateConsumer when the group has no such
// consumer: a new one publishes xgroup-createconsumer on `key` of `db`.
StreamConsumer& LookupOrCreateConsumer(Ctx& c, StreamGroup& g, const std::string& name,
                                       const std::string& key, int db) {
  auto it = g.consumers.find(name);
  if (it == g.consumers.end()) {
    it = g.consumers.emplace(name, StreamConsumer{}).first;
    NotifyKeyspaceEvent(c.st, kNotifyStream, "xgroup-createconsumer", key, db);
  }
  it->second.seen_time = c.st.now;
  return it->second;
}

// The command's reply is written here, before the events that follow it
// (7.0.15's XADD, XSETID and XGROUP publish after addReply): a sender that
// receives them gets its reply first (ReferenceModel::ReplyPosition). In
// EXEC or a script the reply goes into an array, not to the connection.
void ReplyWrittenHere(Ctx& c) {
  if (c.st.in_exec || c.st.script_call) return;
  MarkReplyHere(c.st, c.session);
}

// streamReplyWithRange without a group: the entries from `start`
// (inclusive), at most count (0: all).
Value EntriesFrom(Ctx& c, const Stream& s, const StreamId& start, int64_t count) {
  std::vector<Value> got;
  for (auto it = s.entries.lower_bound(start); it != s.entries.end(); ++it) {
    got.push_back(EntryReply(c, s, it->first));
    if (count && static_cast<int64_t>(got.size()) == count) break;
  }
  return c.Array(std::move(got));
}

// streamReplyWithRange for a group reading new entries ('>'): every entry
// after `start` (inclusive) up to count, the group's last ID and read
// counter advanced, each entry put in the PELs (taken from another
// consumer when it was pending there) unless NOACK.
Value ServeGroupNew(Ctx& c, Stream& s, StreamGroup& g, const std::string& consumer,
                    const StreamId& start, int64_t count, bool noack) {
  std::vector<Value> out;
  for (auto it = s.entries.lower_bound(start); it != s.entries.end(); ++it) {
    const StreamId id = it->first;
    if (id > g.last_id) {
      if (g.entries_read != -1 && !RangeHasTombstones(s, id)) {
        // ENTRIESREAD may have set it to LLONG_MAX: Redis's ++ wraps there.
        g.entries_read = static_cast<int64_t>(static_cast<uint64_t>(g.entries_read) + 1);
      } else if (s.entries_added != 0) {
        g.entries_read = EstimateDistance(s, id);
      }
      g.last_id = id;
    }
    out.push_back(EntryReply(c, s, id));
    if (!noack) {
      auto p = g.pel.find(id);
      if (p != g.pel.end()) {
        g.consumers[p->second.consumer].pel.erase(id);
        p->second.consumer = consumer;
        p->second.delivery_time = c.st.now;
        p->second.delivery_count = 1;
      } else {
        g.pel[id] = StreamNack{c.st.now, 1, consumer};
      }
      g.consumers[consumer].pel.insert(id);
    }
    if (count && static_cast<int64_t>(out.size()) == count) break;
  }
  return c.Array(std::move(out));
}

// streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries
// from `start`; a deleted entry shows as [id, nil array].
Value ServeGroupHistory(Ctx& c, Stream& s, StreamGroup& g, StreamConsumer& consumer,
                        const StreamId& start, int64_t count) {
  std::vector<Value> out;
  for (auto it = consumer.pel.lower_bound(start); it != consumer.pel.end(); ++it) {
    if (count && static_cast<int64_t>(out.size()) >= count) break;
    const StreamId id = *it;
    if (s.entries.count(id) == 0) {
      out.push_back(c.Array({IdReply(c, id), c.NullArray()}));
    } else {
      out.push_back(EntryReply(c, s, id));
      StreamNack& nack = g.pel.at(id);
      nack.delivery_time = c.st.now;
      nack.delivery_count++;
    }
  }
  return c.Array(std::move(out));
}

// ---------------------------------------------------------------------------
// XADD, XTRIM.

// streamParseAddOrTrimArgsOrReply: returns the index of the ID (XADD) or
// the end of the arguments, -1 with *err set.
int ParseAddOrTrim(Ctx& c, TrimArgs* a, bool xadd, Value* err) {
  bool limit_given = false;
  size_t i = 2;
  for (; i < c.argc(); ++i) {
    const size_t moreargs = c.argc() - 1 - i;
    const std::string& opt = c.argv[i];
    if (xadd && CString(opt) == "*") break;
    const bool maxlen = EqualsIgnoreCase(opt, "maxlen");
    if ((maxlen || EqualsIgnoreCase(opt, "minid")) && moreargs) {
      if (a->strategy != 0) {
        *err = c.Err("syntax error, MAXLEN and MINID options at the same time are not compatible");
        return -1;
      }
      a->approx = false;
      const std::string next = CString(c.argv[i + 1]);
      if (moreargs >= 2 && next == "~") {
        a->approx = true;
        i++;
      } else if (moreargs >= 2 && next == "=") {
        i++;
      }
      if (maxlen) {
        if (!c.GetLongLong(c.argv[i + 1], &a->maxlen, err)) return -1;
        if (a->maxlen < 0) {
          *err = c.Err("The MAXLEN argument must be >= 0.");
          return -1;
        }
      } else if (!ParseStrictId(c, c.argv[i + 1], &a->minid, err)) {
        return -1;
      }
      i++;
      a->strategy = maxlen ? 1 : 2;
    } else if (EqualsIgnoreCase(opt, "limit") && moreargs) {
      if (!c.GetLongLong(c.argv[i + 1], &a->limit, err)) return -1;
      if (a->limit < 0) {
        *err = c.Err("The LIMIT argument must be >= 0.");
        return -1;
      }
      limit_given = true;
      i++;
    } else if (xadd && EqualsIgnoreCase(opt, "nomkstream")) {
      a->nomkstream = true;
    } else if (xadd) {
      if (!ParseStrictId(c, opt, &a->id, err, &a->seq_given)) return -1;
      a->id_given = true;
      break;
    } else {
      *err = c.Syntax();
      return -1;
    }
  }
  if (a->limit && a->strategy == 0) {
    *err = c.Err("syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return -1;
  }
  if (!xadd && a->strategy == 0) {
    *err = c.Err("syntax error, XTRIM must be called with a trimming strategy");
    return -1;
  }
  if (!limit_given) {
    // 100 nodes' worth (as an unsigned product), at least 1 and at most
    // 1,000,000; 0 (no limit) without ~.
    if (a->approx) {
      const uint64_t l = static_cast<uint64_t>(c.st.config.stream_node_max_entries) * 100u;
      a->limit = l == 0 || l > static_cast<uint64_t>(INT64_MAX) ? 10000 : static_cast<int64_t>(l);
      if (a->limit > 1000000) a->limit = 1000000;
    } else {
      a->limit = 0;
    }
  } else if (!a->approx) {
    *err = c.Err("syntax error, LIMIT cannot be used without the special ~ option");
    return -1;
  }
  return static_cast<int>(i);
}

Value XAdd(Ctx& c) {
  TrimArgs a;
  Value err;
  const int idpos = ParseAddOrTrim(c, &a, true, &err);
  if (idpos < 0) return err;
  const int64_t field_pos = idpos + 1;
  const int64_t nfields = static_cast<int64_t>(c.argc()) - field_pos;
  if (nfields < 2 || nfields % 2 == 1) return c.ArityErr();
  if (a.id_given && a.seq_given && a.id == StreamId{}) {
    return c.Err("The ID specified in XADD must be greater than 0-0");
  }
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  if (s == nullptr) {
    if (a.nomkstream) return c.Null();
    Object fresh;
    fresh.kind = Kind::kStream;
    s = &DbAdd(c.st, c.db(), c.argv[1], std::move(fresh)).stream;
  }
  if (s->last_id == kMaxId) {
    return c.Err("The stream has exhausted the last possible ID, unable to add more items");
  }
  StreamId id;
  bool ok = true;
  if (a.id_given) {
    if (a.seq_given) {
      id = a.id;
    } else if (s->last_id.ms == a.id.ms) {
      if (s->last_id.seq == UINT64_MAX) ok = false;
      id = {s->last_id.ms, s->last_id.seq + 1};
    } else {
      id = a.id;
    }
  } else if (static_cast<uint64_t>(c.st.now) > s->last_id.ms) {
    id = {static_cast<uint64_t>(c.st.now), 0};
  } else {
    id = s->last_id;
    IncrId(&id);
  }
  // <ms>-* after <ms>-18446744073709551615: streamAppendItem fails with the
  // errno of no earlier check (not EDOM), and xaddCommand's other message is
  // what 7.0.15 sends (recorded in streams_engine.json).
  if (!ok) return c.Err("Elements are too large to be stored");
  if (id <= s->last_id) {
    return c.Err("The ID specified in XADD is equal or smaller than the target stream top item");
  }
  std::vector<std::string> fields(c.argv.begin() + field_pos, c.argv.end());
  AppendToNodes(c.st.config, *s, id, fields);
  s->entries[id] = std::move(fields);
  s->entries_added++;
  s->last_id = id;
  if (s->entries.size() == 1) s->first_id = id;
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  ReplyWrittenHere(c);
  c.Notify(kNotifyStream, "xadd", c.argv[1]);
  if (Trim(*s, a) != 0) c.Notify(kNotifyStream, "xtrim", c.argv[1]);
  SignalKeyAsReady(c.st, c.db(), c.argv[1], Kind::kStream);  // new data for blocked readers
  return IdReply(c, id);
}

Value XTrim(Ctx& c) {
  // The arguments first, then the key (missing: 0).
  Value err;
  TrimArgs a;
  if (ParseAddOrTrim(c, &a, false, &err) < 0) return err;
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  if (s == nullptr) return c.Int(0);
  const int64_t deleted = Trim(*s, a);
  if (deleted) {
    c.Notify(kNotifyStream, "xtrim", c.argv[1]);
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
  }
  return c.Int(deleted);
}

// ---------------------------------------------------------------------------
// XLEN, XRANGE, XREVRANGE, XDEL, XSETID.

Value XLen(Ctx& c) {
  Value err;
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  return c.Int(s == nullptr ? 0 : static_cast<int64_t>(s->entries.size()));
}

Value RangeGeneric(Ctx& c, bool rev) {
  StreamId start, end;
  Value err;
  if (!ParseRange(c, c.argv[rev ? 3 : 2], c.argv[rev ? 2 : 3], &start, &end, &err)) return err;
  int64_t count = -1;
  for (size_t j = 4; j < c.argc(); ++j) {
    const size_t additional = c.argc() - j - 1;
    if (EqualsIgnoreCase(c.argv[j], "COUNT") && additional >= 1) {
      if (!c.GetLongLong(c.argv[j + 1], &count, &err)) return err;
      if (count < 0) count = 0;
      j++;
    } else {
      return c.Syntax();
    }
  }
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  if (s == nullptr) return c.Array();
  if (count == 0) return c.NullArray();
  if (count == -1) count = 0;
  std::vector<Value> out;
  if (start <= end) {
    if (!rev) {
      for (auto it = s->entries.lower_bound(start); it != s->entries.end() && it->first <= end;
           ++it) {
        out.push_back(EntryReply(c, *s, it->first));
        if (count && static_cast<int64_t>(out.size()) == count) break;
      }
    } else {
      for (auto it = s->entries.upper_bound(end); it != s->entries.begin();) {
        --it;
        if (it->first < start) break;
        out.push_back(EntryReply(c, *s, it->first));
        if (count && static_cast<int64_t>(out.size()) == count) break;
      }
    }
  }
  return c.Array(std::move(out));
}

Value XRange(Ctx& c) { return RangeGeneric(c, false); }
Value XRevRange(Ctx& c) { return RangeGeneric(c, true); }

Value XDel(Ctx& c) {
  // The key first (a missing key answers 0 whatever the IDs), then every
  // ID before anything is deleted.
  Value err;
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  if (s == nullptr) return c.Int(0);
  std::vector<StreamId> ids;
  for (size_t j = 2; j < c.argc(); ++j) {
    StreamId id;
    if (!ParseStrictId(c, c.argv[j], &id, &err)) return err;
    ids.push_back(id);
  }
  int64_t deleted = 0;
  bool first_entry = false;
  for (const StreamId& id : ids) {
    if (!DeleteEntry(*s, id)) continue;
    if (id == s->first_id) first_entry = true;
    if (id > s->max_deleted) s->max_deleted = id;
    deleted++;
  }
  if (deleted) {
    if (s->entries.empty()) {
      s->first_id = {0, 0};
    } else if (first_entry) {
      UpdateFirstId(*s);
    }
    SignalModifiedKey(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyStream, "xdel", c.argv[1]);
  }
  return c.Int(deleted);
}

Value XSetId(Ctx& c) {
  StreamId id, max_xdel;
  int64_t entries_added = -1;
  Value err;
  if (!ParseStrictId(c, c.argv[2], &id, &err)) return err;
  for (size_t i = 3; i < c.argc(); i += 2) {
    const size_t moreargs = c.argc() - 1 - i;
    if (EqualsIgnoreCase(c.argv[i], "ENTRIESADDED") && moreargs) {
      if (!c.GetLongLong(c.argv[i + 1], &entries_added, &err)) return err;
      if (entries_added < 0) return c.Err("entries_added must be positive");
    } else if (EqualsIgnoreCase(c.argv[i], "MAXDELETEDID") && moreargs) {
      if (!ParseStrictId(c, c.argv[i + 1], &max_xdel, &err)) return err;
      if (id < max_xdel) {
        return c.Err(
            "The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
    } else {
      return c.Syntax();
    }
  }
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  if (s == nullptr) return c.Err("no such key");
  // 7.0.15 does not compare the ID with the stream's own max deleted ID: on
  // an empty stream the last ID may even go back.
  if (!s->entries.empty()) {
    if (id < s->entries.rbegin()->first) {
      return c.Err("The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entries_added != -1 && static_cast<int64_t>(s->entries.size()) > entries_added) {
      return c.Err(
          "The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s->last_id = id;
  if (entries_added != -1) s->entries_added = static_cast<uint64_t>(entries_added);
  if (!(max_xdel == StreamId{})) s->max_deleted = max_xdel;
  // No signalModifiedKey: a WATCH of the key survives XSETID in 7.0.15.
  ReplyWrittenHere(c);
  c.Notify(kNotifyStream, "xsetid", c.argv[1]);
  return c.Ok();
}

// ---------------------------------------------------------------------------
// XREAD, XREADGROUP (xreadCommand).

Value XReadGeneric(Ctx& c, bool group_cmd) {
  int64_t timeout = -1, count = 0;
  size_t streams_arg = 0, streams_count = 0;
  const std::string* groupname = nullptr;
  const std::string* consumername = nullptr;
  bool noack = false;
  Value err;
  for (size_t i = 1; i < c.argc(); ++i) {
    const size_t moreargs = c.argc() - i - 1;
    const std::string& o = c.argv[i];
    if (EqualsIgnoreCase(o, "BLOCK") && moreargs) {
      if (c.st.script_call) {
        // The name as the script spelled it.
        return c.Err(CString(c.argv[0]) + " command is not allowed with BLOCK option from scripts");
      }
      i++;
      if (!GetTimeout(c, c.argv[i], &timeout, &err, /*milliseconds=*/true)) return err;
    } else if (EqualsIgnoreCase(o, "COUNT") && moreargs) {
      i++;
      if (!c.GetLongLong(c.argv[i], &count, &err)) return err;
      if (count < 0) count = 0;
    } else if (EqualsIgnoreCase(o, "STREAMS") && moreargs) {
      streams_arg = i + 1;
      streams_count = c.argc() - streams_arg;
      if (streams_count % 2 != 0) {  // the same text for XREADGROUP in 7.0.15
        return c.Err(
            "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
            "specified.");
      }
      streams_count /= 2;
      break;
    } else if (EqualsIgnoreCase(o, "GROUP") && moreargs >= 2) {
      if (!group_cmd) {
        return c.Err("The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      }
      groupname = &c.argv[i + 1];
      consumername = &c.argv[i + 2];
      i += 2;
    } else if (EqualsIgnoreCase(o, "NOACK")) {
      if (!group_cmd) {
        return c.Err("The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      }
      noack = true;
    } else {
      return c.Syntax();
    }
  }
  if (streams_arg == 0) return c.Syntax();
  if (group_cmd && groupname == nullptr) return c.Err("Missing GROUP option for XREADGROUP");
  std::vector<StreamId> ids(streams_count);
  std::vector<bool> newest(streams_count, false);  // '>'
  for (size_t i = streams_arg + streams_count; i < c.argc(); ++i) {
    const size_t idx = i - streams_arg - streams_count;
    const std::string& key = c.argv[i - streams_count];
    bool wrongtype;
    Stream* s = LookupStream(c, key, &err, &wrongtype);
    if (wrongtype) return err;
    if (groupname != nullptr && (s == nullptr || s->groups.count(*groupname) == 0)) {
      return c.Err(SanitizeErrorText("-NOGROUP No such key '" + CString(key) +
                                     "' or consumer group '" + CString(*groupname) +
                                     "' in XREADGROUP with GROUP option"));
    }
    const std::string arg = CString(c.argv[i]);
    if (arg == "$") {
      if (group_cmd) {
        return c.Err(
            "The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
            "of this consumer by specifying a proper ID, or use the > ID to get new messages. The "
            "$ ID would just return an empty result set.");
      }
      ids[idx] = s != nullptr ? s->last_id : StreamId{0, 0};
      continue;
    }
    if (arg == ">") {
      if (!group_cmd) {
        return c.Err(
            "The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
            "<consumer> option.");
      }
      ids[idx] = kMaxId;
      newest[idx] = true;
      continue;
    }
    if (!ParseStrictId(c, c.argv[i], &ids[idx], &err)) return err;
  }
  std::vector<Value> out;
  for (size_t i = 0; i < streams_count; ++i) {
    const std::string& key = c.argv[streams_arg + i];
    bool wrongtype;
    Stream* s = LookupStream(c, key, &err, &wrongtype);
    if (s == nullptr) continue;
    StreamId gt = ids[i];
    bool serve = false, history = false;
    StreamGroup* g = nullptr;
    StreamConsumer* consumer = nullptr;
    if (groupname != nullptr) {
      g = &s->groups.at(*groupname);
      if (!(gt == kMaxId)) {
        serve = history = true;
      } else if (!s->entries.empty() && s->entries.rbegin()->first > g->last_id) {
        serve = true;
        gt = g->last_id;
      }
      // 7.0.15 looks the consumer up (or makes it) only for a stream it serves.
      if (serve) consumer = &LookupOrCreateConsumer(c, *g, *consumername, key, c.db());
    } else if (!s->entries.empty() && s->entries.rbegin()->first > gt) {
      serve = true;
    }
    if (!serve) continue;
    StreamId start = gt;
    IncrId(&start);
    Value entries;
    if (g == nullptr) {
      entries = EntriesFrom(c, *s, start, count);
    } else if (history) {
      entries = ServeGroupHistory(c, *s, *g, *consumer, start, count);
    } else {
      entries = ServeGroupNew(c, *s, *g, *consumername, start, count, noack);
    }
    if (c.resp3()) {
      out.push_back(c.Bulk(key));
      out.push_back(std::move(entries));
    } else {
      out.push_back(c.Array({c.Bulk(key), std::move(entries)}));
    }
  }
  if (!out.empty()) return c.resp3() ? c.Map(std::move(out)) : c.Array(std::move(out));
  // Nothing to serve: with BLOCK the session blocks (in a transaction,
  // CLIENT_DENY_BLOCKING, it gets the timeout's reply at once).
  if (timeout == -1 || c.st.in_exec) return c.NullArray();
  std::vector<std::string> keys(
      c.argv.begin() + static_cast<std::ptrdiff_t>(streams_arg),
      c.argv.begin() + static_cast<std::ptrdiff_t>(streams_arg + streams_count));
  Blocked& b = BlockOnStreams(c, keys, ids, timeout);
  if (groupname != nullptr) {
    b.group_read = true;
    b.group = *groupname;
    b.consumer = *consumername;
    b.noack = noack;
  }
  b.count = count != 0 ? count : 1000;  // XREAD_BLOCKED_DEFAULT_COUNT
  return Value();
}

// The reply of one stream read: [[key, entries]], {key: entries} in RESP3.
Value OneStreamReply(Ctx& c, const std::string& key, Value entries) {
  if (c.resp3()) return c.Map({c.Bulk(key), std::move(entries)});
  return c.Array({c.Array({c.Bulk(key), std::move(entries)})});
}

Value XRead(Ctx& c) { return XReadGeneric(c, false); }
Value XReadGroup(Ctx& c) { return XReadGeneric(c, true); }

// ---------------------------------------------------------------------------
// XACK, XPENDING, XCLAIM, XAUTOCLAIM.

Value NoGroup(Ctx& c, const std::string& key, const std::string& group) {
  return c.Err(SanitizeErrorText("-NOGROUP No such key '" + CString(key) + "' or consumer group '" +
                                 CString(group) + "'"));
}

StreamGroup* FindGroup(Stream* s, const std::string& name) {
  if (s == nullptr) return nullptr;
  auto it = s->groups.find(name);
  return it == s->groups.end() ? nullptr : &it->second;
}

void DropNack(StreamGroup& g, const StreamId& id) {
  auto it = g.pel.find(id);
  if (it == g.pel.end()) return;
  auto cons = g.consumers.find(it->second.consumer);
  if (cons != g.consumers.end()) cons->second.pel.erase(id);
  g.pel.erase(it);
}

Value XAck(Ctx& c) {
  Value err;
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  StreamGroup* g = FindGroup(s, c.argv[2]);
  if (g == nullptr) return c.Int(0);  // no key or no group: the IDs are not read
  std::vector<StreamId> ids;
  for (size_t j = 3; j < c.argc(); ++j) {
    StreamId id;
    if (!ParseStrictId(c, c.argv[j], &id, &err)) return err;
    ids.push_back(id);
  }
  int64_t acked = 0;
  for (const StreamId& id : ids) {
    if (g->pel.count(id) == 0) continue;
    DropNack(*g, id);
    acked++;
  }
  return c.Int(acked);
}

Value XPending(Ctx& c) {
  const bool justinfo = c.argc() == 3;
  if (c.argc() != 3 && (c.argc() < 6 || c.argc() > 9)) return c.Syntax();
  StreamId start, end;
  int64_t count = 0, minidle = 0;
  const std::string* consumername = nullptr;
  Value err;
  if (c.argc() >= 6) {
    size_t startidx = 3;
    if (EqualsIgnoreCase(c.argv[3], "IDLE")) {
      if (!c.GetLongLong(c.argv[4], &minidle, &err)) return err;
      if (c.argc() < 8) return c.Syntax();
      startidx += 2;
    }
    if (!c.GetLongLong(c.argv[startidx + 2], &count, &err)) return err;
    if (count < 0) count = 0;
    if (!ParseRange(c, c.argv[startidx], c.argv[startidx + 1], &start, &end, &err)) return err;
    if (startidx + 3 < c.argc()) consumername = &c.argv[startidx + 3];
  }
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  StreamGroup* g = FindGroup(s, c.argv[2]);
  if (g == nullptr) return NoGroup(c, c.argv[1], c.argv[2]);
  const int64_t now = c.st.now;
  if (justinfo) {
    if (g->pel.empty()) return c.Array({c.Int(0), c.Null(), c.Null(), c.NullArray()});
    std::vector<Value> consumers;
    for (const auto& [name, cons] : g->consumers) {
      if (cons.pel.empty()) continue;
      consumers.push_back(
          c.Array({c.Bulk(name), c.Bulk(std::to_string(static_cast<int64_t>(cons.pel.size())))}));
    }
    return c.Array({c.Int(static_cast<int64_t>(g->pel.size())), IdReply(c, g->pel.begin()->first),
                    IdReply(c, g->pel.rbegin()->first), c.Array(std::move(consumers))});
  }
  std::vector<StreamId> pel;
  if (consumername != nullptr) {
    auto it = g->consumers.find(*consumername);
    if (it == g->consumers.end()) return c.Array();
    pel.assign(it->second.pel.begin(), it->second.pel.end());
  } else {
    for (const auto& [id, nack] : g->pel) pel.push_back(id);
  }
  std::vector<Value> out;
  for (const StreamId& id : pel) {
    if (!count) break;
    if (id < start) continue;
    if (id > end) break;
    const StreamNack& nack = g->pel.at(id);
    if (minidle && now - nack.delivery_time < minidle) continue;
    count--;
    int64_t elapsed = now - nack.delivery_time;
    if (elapsed < 0) elapsed = 0;
    out.push_back(c.Array(
        {IdReply(c, id), c.Bulk(nack.consumer), c.Int(elapsed), c.Int(nack.delivery_count)}));
  }
  return c.Array(std::move(out));
}

// Gives the pending entry `id` to `name` (XCLAIM and XAUTOCLAIM).
void ClaimTo(StreamGroup& g, const std::string& name, const StreamId& id, int64_t delivery_time,
             int64_t retrycount, bool justid) {
  StreamNack& nack = g.pel.at(id);
  if (nack.consumer != name) g.consumers[nack.consumer].pel.erase(id);
  nack.delivery_time = delivery_time;
  if (retrycount >= 0) {
    nack.delivery_count = retrycount;
  } else if (!justid) {
    nack.delivery_count++;
  }
  nack.consumer = name;
  g.consumers[name].pel.insert(id);
}

Value XClaim(Ctx& c) {
  Value err;
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  StreamGroup* g = FindGroup(s, c.argv[2]);
  if (g == nullptr) return NoGroup(c, c.argv[1], c.argv[2]);
  int64_t minidle;
  if (!c.GetLongLong(c.argv[4], &minidle, &err, "Invalid min-idle-time argument for XCLAIM")) {
    return err;
  }
  if (minidle < 0) minidle = 0;
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < c.argc(); ++j) {
    StreamId id;
    if (!ParseId(c.argv[j], 0, true, nullptr, &id)) break;
    ids.push_back(id);
  }
  const int64_t now = c.st.now;
  int64_t deliverytime = -1, retrycount = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < c.argc(); ++j) {
    const size_t moreargs = c.argc() - 1 - j;
    const std::string& opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "FORCE")) {
      force = true;
    } else if (EqualsIgnoreCase(opt, "JUSTID")) {
      justid = true;
    } else if (EqualsIgnoreCase(opt, "IDLE") && moreargs) {
      j++;
      if (!c.GetLongLong(c.argv[j], &deliverytime, &err,
                         "Invalid IDLE option argument for XCLAIM")) {
        return err;
      }
      deliverytime =
          static_cast<int64_t>(static_cast<uint64_t>(now) - static_cast<uint64_t>(deliverytime));
    } else if (EqualsIgnoreCase(opt, "TIME") && moreargs) {
      j++;
      if (!c.GetLongLong(c.argv[j], &deliverytime, &err,
                         "Invalid TIME option argument for XCLAIM")) {
        return err;
      }
    } else if (EqualsIgnoreCase(opt, "RETRYCOUNT") && moreargs) {
      j++;
      if (!c.GetLongLong(c.argv[j], &retrycount, &err,
                         "Invalid RETRYCOUNT option argument for XCLAIM")) {
        return err;
      }
    } else if (EqualsIgnoreCase(opt, "LASTID") && moreargs) {
      j++;
      if (!ParseStrictId(c, c.argv[j], &last_id, &err)) return err;
    } else {
      return c.Err(SanitizeErrorText("Unrecognized XCLAIM option '" + CString(opt) + "'"));
    }
  }
  if (last_id > g->last_id) g->last_id = last_id;
  if (deliverytime != -1) {
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else {
    deliverytime = now;
  }
  const std::string& name = c.argv[3];
  bool have_consumer = false;
  std::vector<Value> out;
  for (const StreamId& id : ids) {
    auto p = g->pel.find(id);
    const bool exists = s->entries.count(id) > 0;
    // FORCE: an entry of the stream that no one has pending gets a new
    // NACK (streamCreateNACK: delivered once, no consumer, no idle check).
    const bool created = p == g->pel.end() && force && exists;
    if (p == g->pel.end() && !created) continue;
    if (!created) {
      if (!exists) {  // deleted from the stream: dropped from the PEL, idle or not
        DropNack(*g, id);
        continue;
      }
      if (minidle && now - p->second.delivery_time < minidle) continue;
    }
    if (!have_consumer) {
      LookupOrCreateConsumer(c, *g, name, c.argv[1], c.db());
      have_consumer = true;
    }
    if (created) {
      StreamNack nack{deliverytime, 1, name};
      if (retrycount >= 0) {
        nack.delivery_count = retrycount;
      } else if (!justid) {
        nack.delivery_count++;
      }
      g->pel[id] = nack;
      g->consumers[name].pel.insert(id);
    } else {
      ClaimTo(*g, name, id, deliverytime, retrycount, justid);
    }
    out.push_back(justid ? IdReply(c, id) : EntryReply(c, *s, id));
  }
  return c.Array(std::move(out));
}

Value XAutoClaim(Ctx& c) {
  Value err;
  int64_t minidle;
  if (!c.GetLongLong(c.argv[4], &minidle, &err, "Invalid min-idle-time argument for XAUTOCLAIM")) {
    return err;
  }
  if (minidle < 0) minidle = 0;
  StreamId start;
  bool ex;
  if (!ParseIntervalId(c, c.argv[5], 0, &start, &ex, &err)) return err;
  if (ex && !IncrId(&start)) return c.Err("invalid start ID for the interval");
  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < c.argc(); ++j) {
    const size_t moreargs = c.argc() - 1 - j;
    if (EqualsIgnoreCase(c.argv[j], "COUNT") && moreargs) {
      if (!c.GetRangeLong(c.argv[j + 1], 1, LONG_MAX / 16, &count, &err, "COUNT must be > 0")) {
        return err;
      }
      j++;
    } else if (EqualsIgnoreCase(c.argv[j], "JUSTID")) {
      justid = true;
    } else {
      return c.Syntax();
    }
  }
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[1], &err, &wrongtype);
  if (wrongtype) return err;
  StreamGroup* g = FindGroup(s, c.argv[2]);
  if (g == nullptr) return NoGroup(c, c.argv[1], c.argv[2]);
  // Redis allocates COUNT stream IDs up front (ztrymalloc) and fails when
  // it cannot: on x86-64 Linux past about 2^42 (64 TiB of IDs), a
  // machine-dependent bound the model fixes there (docs/fidelity.md).
  if (count > (int64_t{1} << 42)) {
    return c.Err("Insufficient memory, failed allocating transient memory, COUNT too high.");
  }
  int64_t attempts = count * 10;
  const int64_t now = c.st.now;
  const std::string& name = c.argv[3];
  bool have_consumer = false;
  std::vector<Value> claimed, deleted;
  StreamId cursor = start;
  bool more = true;  // whether the walk may continue from `cursor`
  while (true) {
    if (!(attempts--)) break;
    if (!count) break;
    auto p = g->pel.lower_bound(cursor);
    if (p == g->pel.end()) {
      more = false;
      break;
    }
    const StreamId id = p->first;
    cursor = id;
    if (!IncrId(&cursor)) more = false;
    if (s->entries.count(id) == 0) {
      DropNack(*g, id);
      deleted.push_back(IdReply(c, id));
      count--;
      if (!more) break;
      continue;
    }
    if (minidle && now - p->second.delivery_time < minidle) {
      if (!more) break;
      continue;
    }
    if (!have_consumer) {
      LookupOrCreateConsumer(c, *g, name, c.argv[1], c.db());
      have_consumer = true;
    }
    ClaimTo(*g, name, id, now, -1, justid);
    claimed.push_back(justid ? IdReply(c, id) : EntryReply(c, *s, id));
    count--;
    if (!more) break;
  }
  StreamId next{0, 0};
  if (more) {
    auto p = g->pel.lower_bound(cursor);
    if (p != g->pel.end()) next = p->first;
  }
  return c.Array({IdReply(c, next), c.Array(std::move(claimed)), c.Array(std::move(deleted))});
}

// ---------------------------------------------------------------------------
// XGROUP, XINFO.

Value Help(Ctx& c, const std::vector<std::string>& lines) {
  std::vector<Value> out;
  for (const std::string& l : lines) out.push_back(Value::Simple(l));
  return c.Array(std::move(out));
}

Value SubcommandSyntax(Ctx& c) {
  std::string cmd = CString(c.argv[0]);
  for (char& ch : cmd) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  return c.Err(SanitizeErrorText("unknown subcommand or wrong number of arguments for '" +
                                 CString(c.argv[1]).substr(0, 128) + "'. Try " + cmd + " HELP."));
}

// xgroupCommand for CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER.
Value XGroup(Ctx& c) {
  const std::string& opt = c.argv[1];
  const bool create = EqualsIgnoreCase(opt, "CREATE");
  const bool setid = EqualsIgnoreCase(opt, "SETID");
  bool mkstream = false;
  int64_t entries_read = -1;
  Value err;
  auto parse_options = [&](bool allow_mkstream) -> bool {
    for (size_t i = 5; i < c.argc();) {
      if (allow_mkstream && EqualsIgnoreCase(c.argv[i], "MKSTREAM")) {
        mkstream = true;
        i++;
      } else if (EqualsIgnoreCase(c.argv[i], "ENTRIESREAD") && i + 1 < c.argc()) {
        if (!c.GetLongLong(c.argv[i + 1], &entries_read, &err)) return false;
        if (entries_read < 0 && entries_read != -1) {
          err = c.Err("value for ENTRIESREAD must be positive or -1");
          return false;
        }
        i += 2;
      } else {
        err = SubcommandSyntax(c);
        return false;
      }
    }
    return true;
  };
  // The options of CREATE and SETID are read before the key is looked up.
  if ((create || setid) && !parse_options(create)) return err;
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[2], &err, &wrongtype);
  if (wrongtype) return err;
  const std::string& grpname = c.argv[3];
  StreamGroup* cg = nullptr;
  if (!mkstream) {
    if (s == nullptr) {
      return c.Err(
          "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
          "use the MKSTREAM option to create an empty stream automatically.");
    }
    cg = FindGroup(s, grpname);
    if (cg == nullptr && (setid || EqualsIgnoreCase(opt, "CREATECONSUMER") ||
                          EqualsIgnoreCase(opt, "DELCONSUMER"))) {
      return c.Err(SanitizeErrorText("-NOGROUP No such consumer group '" + CString(grpname) +
                                     "' for key name '" + CString(c.argv[2]) + "'"));
    }
  }
  if (create && c.argc() >= 5 && c.argc() <= 8) {
    StreamId id;
    if (CString(c.argv[4]) == "$") {
      id = s != nullptr ? s->last_id : StreamId{0, 0};
    } else if (!ParseStrictId(c, c.argv[4], &id, &err)) {
      return err;
    }
    if (s == nullptr) {
      Object fresh;
      fresh.kind = Kind::kStream;
      s = &DbAdd(c.st, c.db(), c.argv[2], std::move(fresh)).stream;
      SignalModifiedKey(c.st, c.db(), c.argv[2]);
    }
    if (s->groups.count(grpname)) return c.Err("-BUSYGROUP Consumer Group name already exists");
    StreamGroup g;
    g.last_id = id;
    g.entries_read = entries_read;
    s->groups.emplace(grpname, std::move(g));
    ReplyWrittenHere(c);
    c.Notify(kNotifyStream, "xgroup-create", c.argv[2]);
    return c.Ok();
  }
  if (setid && (c.argc() == 5 || c.argc() == 7)) {
    StreamId id;
    if (CString(c.argv[4]) == "$") {
      id = s->last_id;
    } else if (!ParseId(c.argv[4], 0, false, nullptr, &id)) {
      return c.Err(kInvalidId);
    }
    cg->last_id = id;
    cg->entries_read = entries_read;
    ReplyWrittenHere(c);
    c.Notify(kNotifyStream, "xgroup-setid", c.argv[2]);
    return c.Ok();
  }
  if (EqualsIgnoreCase(opt, "DESTROY") && c.argc() == 4) {
    if (cg == nullptr) return c.Int(0);
    s->groups.erase(grpname);
    ReplyWrittenHere(c);
    c.Notify(kNotifyStream, "xgroup-destroy", c.argv[2]);
    // Its blocked XREADGROUP sessions get -NOGROUP when the key is served.
    SignalKeyAsReady(c.st, c.db(), c.argv[2], Kind::kStream);
    return c.Int(1);
  }
  if (EqualsIgnoreCase(opt, "CREATECONSUMER") && c.argc() == 5) {
    if (cg->consumers.count(c.argv[4])) return c.Int(0);
    // streamCreateConsumer publishes before the reply here.
    LookupOrCreateConsumer(c, *cg, c.argv[4], c.argv[2], c.db());
    return c.Int(1);
  }
  if (EqualsIgnoreCase(opt, "DELCONSUMER") && c.argc() == 5) {
    auto it = cg->consumers.find(c.argv[4]);
    if (it == cg->consumers.end()) return c.Int(0);
    const int64_t pending = static_cast<int64_t>(it->second.pel.size());
    for (const StreamId& id : it->second.pel) cg->pel.erase(id);
    cg->consumers.erase(it);
    c.Notify(kNotifyStream, "xgroup-delconsumer", c.argv[2]);
    return c.Int(pending);
  }
  return SubcommandSyntax(c);
}

Value XGroupHelp(Ctx& c) {
  return Help(
      c,
      {"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
       "CREATE <key> <groupname> <id|$> [option]",
       "    Create a new consumer group. Options are:", "    * MKSTREAM",
       "      Create the empty stream if it does not exist.", "    * ENTRIESREAD entries_read",
       "      Set the group's entries_read counter (internal use).",
       "CREATECONSUMER <key> <groupname> <consumer>",
       "    Create a new consumer in the specified group.",
       "DELCONSUMER <key> <groupname> <consumer>", "    Remove the specified consumer.",
       "DESTROY <key> <groupname>", "    Remove the specified group.",
       "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
       "    Set the current group ID and entries_read counter.", "HELP", "    Prints this help."});
}

Value XInfoHelp(Ctx& c) {
  return Help(c,
              {"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
               "CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.", "GROUPS <key>",
               "    Show the stream consumer groups.", "STREAM <key> [FULL [COUNT <count>]",
               "    Show information about the stream.", "HELP", "    Prints this help."});
}

Value XInfoStreamReply(Ctx& c, Stream& s) {
  bool full = true;
  int64_t count = 10;
  const size_t argc = c.argc() - 3;
  Value err;
  if (argc == 0) {
    full = false;
  } else if (argc == 1 || argc == 3) {
    if (!EqualsIgnoreCase(c.argv[3], "full")) return SubcommandSyntax(c);
    if (argc == 3) {
      if (!EqualsIgnoreCase(c.argv[4], "count")) return SubcommandSyntax(c);
      if (!c.GetLongLong(c.argv[5], &count, &err)) return err;
      if (count < 0) count = 10;
    }
  } else {
    return SubcommandSyntax(c);
  }
  std::vector<Value> m = {c.Bulk("length"),
                          c.Int(static_cast<int64_t>(s.entries.size())),
                          c.Bulk("radix-tree-keys"),
                          c.Int(static_cast<int64_t>(s.nodes.size())),
                          c.Bulk("radix-tree-nodes"),
                          c.Int(RaxNodes(s)),
                          c.Bulk("last-generated-id"),
                          IdReply(c, s.last_id),
                          c.Bulk("max-deleted-entry-id"),
                          IdReply(c, s.max_deleted),
                          c.Bulk("entries-added"),
                          c.Int(static_cast<int64_t>(s.entries_added)),
                          c.Bulk("recorded-first-entry-id"),
                          IdReply(c, s.first_id)};
  if (!full) {
    m.push_back(c.Bulk("groups"));
    m.push_back(c.Int(static_cast<int64_t>(s.groups.size())));
    m.push_back(c.Bulk("first-entry"));
    m.push_back(s.entries.empty() ? c.Null() : EntryReply(c, s, s.entries.begin()->first));
    m.push_back(c.Bulk("last-entry"));
    m.push_back(s.entries.empty() ? c.Null() : EntryReply(c, s, s.entries.rbegin()->first));
    return c.Map(std::move(m));
  }
  auto within = [&](size_t n) { return !count || static_cast<int64_t>(n) < count; };
  std::vector<Value> entries;
  for (const auto& [id, fields] : s.entries) {
    if (!within(entries.size())) break;
    entries.push_back(EntryReply(c, s, id));
  }
  m.push_back(c.Bulk("entries"));
  m.push_back(c.Array(std::move(entries)));
  std::vector<Value> groups;
  for (const auto& [name, g] : s.groups) {
    std::vector<Value> pending;
    for (const auto& [id, nack] : g.pel) {
      if (!within(pending.size())) break;
      pending.push_back(c.Array({IdReply(c, id), c.Bulk(nack.consumer), c.Int(nack.delivery_time),
                                 c.Int(nack.delivery_count)}));
    }
    std::vector<Value> consumers;
    for (const auto& [cname, cons] : g.consumers) {
      std::vector<Value> cpending;
      for (const StreamId& id : cons.pel) {
        if (!within(cpending.size())) break;
        const StreamNack& nack = g.pel.at(id);
        cpending.push_back(
            c.Array({IdReply(c, id), c.Int(nack.delivery_time), c.Int(nack.delivery_count)}));
      }
      consumers.push_back(
          c.Map({c.Bulk("name"), c.Bulk(cname), c.Bulk("seen-time"), c.Int(cons.seen_time),
                 c.Bulk("pel-count"), c.Int(static_cast<int64_t>(cons.pel.size())),
                 c.Bulk("pending"), c.Array(std::move(cpending))}));
    }
    groups.push_back(
        c.Map({c.Bulk("name"), c.Bulk(name), c.Bulk("last-delivered-id"), IdReply(c, g.last_id),
               c.Bulk("entries-read"), EntriesReadReply(c, g), c.Bulk("lag"), LagReply(c, s, g),
               c.Bulk("pel-count"), c.Int(static_cast<int64_t>(g.pel.size())), c.Bulk("pending"),
               c.Array(std::move(pending)), c.Bulk("consumers"), c.Array(std::move(consumers))}));
  }
  m.push_back(c.Bulk("groups"));
  m.push_back(c.Array(std::move(groups)));
  return c.Map(std::move(m));
}

// xinfoCommand for CONSUMERS, GROUPS, STREAM.
Value XInfo(Ctx& c) {
  const std::string& opt = c.argv[1];
  Value err;
  bool wrongtype;
  Stream* s = LookupStream(c, c.argv[2], &err, &wrongtype);
  if (wrongtype) return err;
  if (s == nullptr) return c.Err("no such key");
  if (EqualsIgnoreCase(opt, "CONSUMERS") && c.argc() == 4) {
    StreamGroup* g = FindGroup(s, c.argv[3]);
    if (g == nullptr) {
      return c.Err(SanitizeErrorText("-NOGROUP No such consumer group '" + CString(c.argv[3]) +
                                     "' for key name '" + CString(c.argv[2]) + "'"));
    }
    std::vector<Value> out;
    for (const auto& [name, cons] : g->consumers) {
      int64_t idle = c.st.now - cons.seen_time;
      if (idle < 0) idle = 0;
      out.push_back(
          c.Map({c.Bulk("name"), c.Bulk(name), c.Bulk("pending"),
                 c.Int(static_cast<int64_t>(cons.pel.size())), c.Bulk("idle"), c.Int(idle)}));
    }
    return c.Array(std::move(out));
  }
  if (EqualsIgnoreCase(opt, "GROUPS") && c.argc() == 3) {
    std::vector<Value> out;
    for (const auto& [name, g] : s->groups) {
      out.push_back(c.Map({c.Bulk("name"), c.Bulk(name), c.Bulk("consumers"),
                           c.Int(static_cast<int64_t>(g.consumers.size())), c.Bulk("pending"),
                           c.Int(static_cast<int64_t>(g.pel.size())), c.Bulk("last-delivered-id"),
                           IdReply(c, g.last_id), c.Bulk("entries-read"), EntriesReadReply(c, g),
                           c.Bulk("lag"), LagReply(c, *s, g)}));
    }
    return c.Array(std::move(out));
  }
  if (EqualsIgnoreCase(opt, "STREAM")) return XInfoStreamReply(c, *s);
  return SubcommandSyntax(c);
}

const std::map<std::string, CommandSpec>& Subcommands() {
  static const std::map<std::string, CommandSpec> table = {
      {"xgroup|create", {"xgroup|create", -5, XGroup}},
      {"xgroup|setid", {"xgroup|setid", -5, XGroup}},
      {"xgroup|destroy", {"xgroup|destroy", 4, XGroup}},
      {"xgroup|createconsumer", {"xgroup|createconsumer", 5, XGroup}},
      {"xgroup|delconsumer", {"xgroup|delconsumer", 5, XGroup}},
      {"xgroup|help", {"xgroup|help", 2, XGroupHelp}},
      {"xinfo|consumers", {"xinfo|consumers", 4, XInfo}},
      {"xinfo|groups", {"xinfo|groups", 3, XInfo}},
      {"xinfo|stream", {"xinfo|stream", -3, XInfo}},
      {"xinfo|help", {"xinfo|help", 2, XInfoHelp}},
  };
  return table;
}

}  // namespace

// serveClientsBlockedOnStreamKey: each session blocked on the key for
// streams, in the order they blocked, is served the entries past its ID
// when the stream's last ID (not its last entry's: the entries past the
// ID may all be deleted) is greater. An XREADGROUP's ID is its group's last
// ID at this moment, so of the sessions of one group only the first is
// served; a group that no longer exists unblocks its sessions with an
// error.
void ServeStreamWaiters(State& st, int db, const std::string& key) {
  auto waiting = st.blocking_keys.find({db, key});
  if (waiting == st.blocking_keys.end()) return;
  const std::vector<int> clients = waiting->second;
  for (int session : clients) {
    const Blocked& b = st.sessions[session].blocked;
    if (!b.on || !b.stream) continue;
    const std::vector<std::string> argv = b.argv;  // b is cleared once served
    Ctx c{st, session, argv};
    Stream& s = st.dbs[db].dict.find(key)->second.stream;
    const size_t k =
        static_cast<size_t>(std::find(b.keys.begin(), b.keys.end(), key) - b.keys.begin());
    StreamId gt = b.stream_ids[k];
    StreamGroup* g = nullptr;
    if (b.group_read) {
      auto found = s.groups.find(b.group);
      if (found == s.groups.end()) {
        FinishBlocked(st, session,
                      Value::Error("NOGROUP the consumer group this client was blocked on no "
                                   "longer exists"));
        continue;
      }
      g = &found->second;
      gt = g->last_id;
    }
    if (!(s.last_id > gt)) continue;
    StreamId start = gt;
    IncrId(&start);
    Value entries;
    if (g != nullptr) {
      const std::string consumer = b.consumer;
      LookupOrCreateConsumer(c, *g, consumer, key, db);
      entries = ServeGroupNew(c, s, *g, consumer, start, b.count, b.noack);
    } else {
      entries = EntriesFrom(c, s, start, b.count);
    }
    FinishBlocked(st, session, OneStreamReply(c, key, std::move(entries)));
  }
}

// unblockDeletedStreamReadgroupClients: the key is gone or no longer a
// stream; its XREADGROUP sessions (XREAD's stay) get an error.
void UnblockDeletedStreamGroupWaiters(State& st, int db, const std::string& key) {
  auto waiting = st.blocking_keys.find({db, key});
  if (waiting == st.blocking_keys.end()) return;
  const std::vector<int> clients = waiting->second;
  for (int session : clients) {
    const Blocked& b = st.sessions[session].blocked;
    if (!b.on || !b.stream || !b.group_read) continue;
    FinishBlocked(st, session, Value::Error("UNBLOCKED the stream key no longer exists"));
  }
}

const CommandSpec* FindStreamSubcommand(const std::string& full_name) {
  auto it = Subcommands().find(full_name);
  return it == Subcommands().end() ? nullptr : &it->second;
}

std::vector<CommandSpec> StreamCommands() {
  return {
      {"xadd", -5, XAdd},
      {"xlen", 2, XLen},
      {"xrange", -4, XRange},
      {"xrevrange", -4, XRevRange},
      {"xdel", -3, XDel},
      {"xtrim", -4, XTrim},
      {"xsetid", -3, XSetId},
      {"xread", -4, XRead},
      {"xreadgroup", -7, XReadGroup},
      {"xack", -4, XAck},
      {"xpending", -3, XPending},
      {"xclaim", -6, XClaim},
      {"xautoclaim", -6, XAutoClaim},
      {"xgroup", -2, nullptr},  // a container: Subcommands()
      {"xinfo", -2, nullptr},
  };
}

}  // namespace respfuzz::models::refmodel
