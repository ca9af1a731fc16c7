// Stream commands: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID XREAD
// XREADGROUP XGROUP XACK XPENDING XCLAIM XAUTOCLAIM XINFO, as Redis 7.0.15's
// t_stream.c replies to them: its argument checks in its order, its error
// texts, its RESP2 and RESP3 shapes. The type is src/engine/stream.h.
//
// Key events follow Redis's signalModifiedKey calls, which 7.0.15 makes for
// XADD, an XDEL or XTRIM that removed entries, and the stream XGROUP CREATE
// MKSTREAM creates; the consumer-group commands (XGROUP, XREADGROUP, XACK,
// XCLAIM, XAUTOCLAIM) and XSETID change a stream without one, so they
// neither invalidate tracked keys nor touch WATCHed ones.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/engine/stream.h"

namespace respfuzz::engine {

namespace {

constexpr std::string_view kErrInvalidId =
    "ERR Invalid stream ID specified as stream command argument";

StreamNodeLimits NodeLimits(CommandContext& c) {
  const EncodingLimits& l = c.engine.limits();
  return {l.stream_node_max_bytes, l.stream_node_max_entries};
}

// streamParseIDOrReply / streamParseStrictIDOrReply.
std::optional<StreamID> IdArg(CommandContext& c, std::string_view text, uint64_t missing_seq,
                              bool strict, bool* seq_given = nullptr) {
  auto id = ParseStreamID(text, missing_seq, strict, seq_given);
  if (!id) c.reply.Error(kErrInvalidId);
  return id;
}

// streamParseIntervalIDOrReply: "(" before an ID makes it exclusive (strict).
std::optional<StreamID> IntervalArg(CommandContext& c, std::string_view text, uint64_t missing_seq,
                                    bool* exclude) {
  *exclude = text.size() > 1 && text[0] == '(';
  if (*exclude) return IdArg(c, text.substr(1), missing_seq, true);
  return IdArg(c, text, missing_seq, false);
}

void ReplyId(ReplyWriter& r, StreamID id) { r.Bulk(id.ToString()); }

void ReplyEntry(ReplyWriter& r, StreamID id, const std::vector<std::string>& fv) {
  r.ArrayHeader(2);
  ReplyId(r, id);
  r.ArrayHeader(static_cast<int64_t>(fv.size()));
  for (const std::string& s : fv) r.Bulk(s);
}

// addReplySubcommandSyntaxError.
void SubcommandSyntaxError(CommandContext& c) {
  c.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                ErrorText(CStr(c.arg(1)).substr(0, 128)) + "'. Try " +
                absl::AsciiStrToUpper(std::string(CStr(c.arg(0)))) + " HELP.");
}

void ReplyHelp(CommandContext& c, std::span<const std::string_view> lines) {
  c.reply.ArrayHeader(static_cast<int64_t>(lines.size()) + 3);
  c.reply.Simple(absl::AsciiStrToUpper(std::string(CStr(c.arg(0)))) +
                 " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) c.reply.Simple(line);
  c.reply.Simple("HELP");
  c.reply.Simple("    Prints this help.");
}

// Looks up a stream: false after WRONGTYPE.
bool FindStream(CommandContext& c, std::string_view key, Stream** s) {
  return c.FindAs<Stream>(key, s);
}

// ---------------------------------------------------------------- XADD / XTRIM

struct AddTrimArgs {
  StreamTrimArgs trim;
  StreamID id;
  bool id_given = false;
  bool seq_given = true;
  bool no_mkstream = false;
  int64_t trim_arg_idx = -1;  // the MAXLEN / MINID argument (trim_strategy_arg_idx)
};

// streamRewriteApproxSpecifier and streamRewriteTrimArgument: a `~` trim
// goes to replicas as `=` with the length the stream now has (MAXLEN) or
// its first ID, a deleted entry's included (MINID: the first node's master
// ID; the largest ID when the stream is empty), so that replicas trim
// exactly as this trim did.
void PropagateExactTrim(std::vector<std::string>* as, const AddTrimArgs& a, const Stream& s) {
  const auto idx = static_cast<size_t>(a.trim_arg_idx);
  (*as)[idx - 1] = "=";
  if (a.trim.strategy == StreamTrimArgs::kMaxLen) {
    (*as)[idx] = std::to_string(s.length());
  } else {
    (*as)[idx] = (s.nodes().empty() ? StreamID::Max() : s.nodes().begin()->first).ToString();
  }
}

// streamParseAddOrTrimArgsOrReply: the index of the ID argument (XADD), or
// -1 after replying an error.
int64_t ParseAddOrTrim(CommandContext& c, AddTrimArgs* a, bool xadd) {
  const int64_t argc = static_cast<int64_t>(c.argc());
  int64_t i = 2;
  bool limit_given = false;
  StreamTrimArgs& t = a->trim;
  for (; i < argc; ++i) {
    const int64_t moreargs = argc - 1 - i;
    const std::string_view opt = CStr(c.arg(i));
    if (xadd && opt == "*") break;
    const bool maxlen = IEquals(opt, "maxlen");
    if ((maxlen || IEquals(opt, "minid")) && moreargs) {
      if (t.strategy != StreamTrimArgs::kNone) {
        c.reply.Error(
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return -1;
      }
      t.approx = false;
      const std::string_view next = CStr(c.arg(i + 1));
      if (moreargs >= 2 && next == "~") {
        t.approx = true;
        ++i;
      } else if (moreargs >= 2 && next == "=") {
        ++i;
      }
      a->trim_arg_idx = i + 1;
      if (maxlen) {
        if (!c.IntArg(i + 1, &t.maxlen)) return -1;
        if (t.maxlen < 0) {
          c.reply.Error("ERR The MAXLEN argument must be >= 0.");
          return -1;
        }
        t.strategy = StreamTrimArgs::kMaxLen;
      } else {
        auto id = IdArg(c, c.arg(i + 1), 0, true);
        if (!id) return -1;
        t.minid = *id;
        t.strategy = StreamTrimArgs::kMinId;
      }
      ++i;
    } else if (IEquals(opt, "limit") && moreargs) {
      if (!c.IntArg(i + 1, &t.limit)) return -1;
      if (t.limit < 0) {
        c.reply.Error("ERR The LIMIT argument must be >= 0.");
        return -1;
      }
      limit_given = true;
      ++i;
    } else if (xadd && IEquals(opt, "nomkstream")) {
      a->no_mkstream = true;
    } else if (xadd) {
      auto id = IdArg(c, c.arg(i), 0, true, &a->seq_given);
      if (!id) return -1;
      a->id = *id;
      a->id_given = true;
      break;
    } else {
      c.reply.Error(kErrSyntax);
      return -1;
    }
  }
  if (t.limit != 0 && t.strategy == StreamTrimArgs::kNone) {
    c.reply.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return -1;
  }
  if (!xadd && t.strategy == StreamTrimArgs::kNone) {
    c.reply.Error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return -1;
  }
  if (c.engine.aof_loading()) {
    // mustObeyClient (the AOF's client): no node limit; the propagated trim
    // argument is exact (`=` with the length or ID it reached, LIMIT kept).
    t.limit = 0;
  } else if (limit_given) {
    if (!t.approx) {
      c.reply.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return -1;
    }
  } else if (t.approx) {
    // 100 nodes' worth, capped on both sides (a wrapping product as C's).
    t.limit = static_cast<int64_t>(
        static_cast<uint64_t>(c.engine.limits().stream_node_max_entries) * 100u);
    if (t.limit <= 0) t.limit = 10000;
    if (t.limit > 1000000) t.limit = 1000000;
  } else {
    t.limit = 0;
  }
  return i;
}

constexpr int64_t kStreamListpackMaxSize = int64_t{1} << 30;

void CmdXadd(CommandContext& c) {
  AddTrimArgs a;
  const int64_t idpos = ParseAddOrTrim(c, &a, true);
  if (idpos < 0) return;
  const int64_t field_pos = idpos + 1;
  const int64_t nfv = static_cast<int64_t>(c.argc()) - field_pos;
  if (nfv < 2 || nfv % 2 == 1) {
    c.ReplyArityError();
    return;
  }
  if (a.id_given && a.seq_given && a.id.IsZero()) {
    c.reply.Error("ERR The ID specified in XADD must be greater than 0-0");
    return;
  }
  const std::string& key = c.arg(1);
  Stream* s;
  if (!FindStream(c, key, &s)) return;
  if (s == nullptr) {
    if (a.no_mkstream) {
      c.reply.Null();
      return;
    }
    // dbAdd: the key exists from here on, even if the append fails below.
    s = &As<Stream>(c.ks.AddQuietly(c.db, key, Object(Boxed<Stream>())));
  }
  if (s->last_id == StreamID::Max()) {
    c.reply.Error("ERR The stream has exhausted the last possible ID, unable to add more items");
    return;
  }
  StreamID id;
  bool ok = true;
  if (a.id_given) {
    if (a.seq_given) {
      id = a.id;
    } else if (s->last_id.ms == a.id.ms) {
      // <ms>-* on the last ID's ms: the next sequence number, if any.
      if (s->last_id.seq == UINT64_MAX) {
        ok = false;
      } else {
        id = s->last_id;
        ++id.seq;
      }
    } else {
      id = a.id;
    }
  } else {
    // streamNextID on the engine's clock.
    const uint64_t ms = static_cast<uint64_t>(c.now_ms());
    if (ms > s->last_id.ms) {
      id = {ms, 0};
    } else {
      id = s->last_id;
      StreamIncrID(&id);
    }
  }
  if (!ok) {
    // streamAppendItem fails without setting errno, and 7.0.15 reports the
    // stale one (checked on redis-server: not EDOM).
    c.reply.Error("ERR Elements are too large to be stored");
    return;
  }
  if (id <= s->last_id) {
    c.reply.Error(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item");
    return;
  }
  const std::span<const std::string> fv = c.argv.subspan(static_cast<size_t>(field_pos));
  int64_t total = 0;
  for (const std::string& x : fv) total += static_cast<int64_t>(x.size());
  if (total > kStreamListpackMaxSize) {
    c.reply.Error("ERR Elements are too large to be stored");
    return;
  }
  s->Append(id, fv, NodeLimits(c));
  ReplyId(c.reply, id);
  c.ks.Touched(c.db, key);
  c.Notify(kNotifyStream, "xadd", key);
  c.Dirty();
  if (s->Trim(a.trim) != 0) c.Notify(kNotifyStream, "xtrim", key);
  // Propagated with an exact trim for `~`, and the ID it generated (for
  // `*` or <ms>-*) in place of the one given.
  if (c.engine.propagating() && ((a.trim.strategy != StreamTrimArgs::kNone && a.trim.approx) ||
                                 !a.id_given || !a.seq_given)) {
    std::vector<std::string> as(c.argv.begin(), c.argv.end());
    if (a.trim.strategy != StreamTrimArgs::kNone && a.trim.approx) PropagateExactTrim(&as, a, *s);
    if (!a.id_given || !a.seq_given) as[static_cast<size_t>(idpos)] = id.ToString();
    c.PropagateAs(std::move(as));
  }
  c.engine.SignalKeyAsReady(c.db, key);
}

void CmdXtrim(CommandContext& c) {
  AddTrimArgs a;
  if (ParseAddOrTrim(c, &a, false) < 0) return;
  const std::string& key = c.arg(1);
  Stream* s;
  if (!FindStream(c, key, &s)) return;
  if (s == nullptr) {
    c.reply.Integer(0);
    return;
  }
  const int64_t deleted = s->Trim(a.trim);
  if (deleted != 0) {
    c.Notify(kNotifyStream, "xtrim", key);
    if (a.trim.approx && c.engine.propagating()) {
      std::vector<std::string> as(c.argv.begin(), c.argv.end());
      PropagateExactTrim(&as, a, *s);
      c.PropagateAs(std::move(as));
    }
    c.ks.Touched(c.db, key);
    c.Dirty(deleted);
  }
  c.reply.Integer(deleted);
}

// ---------------------------------------------------------------- reads

// streamReplyWithRangeFromConsumerPEL: the consumer's own history from
// `start`, each delivered again (a deleted entry as its ID and a null).
int64_t ReplyFromConsumerPel(CommandContext& c, ReplyWriter& r, Stream& s, StreamGroup& g,
                             StreamConsumer& consumer, StreamID start, int64_t count) {
  std::string body;
  ReplyWriter b(r.protocol(), &body);
  int64_t n = 0;
  for (auto it = consumer.pel.lower_bound(start); it != consumer.pel.end(); ++it) {
    if (count != 0 && n >= count) break;
    auto e = s.entries().find(*it);
    if (e == s.entries().end()) {
      b.ArrayHeader(2);
      ReplyId(b, *it);
      b.NullArray();
    } else {
      ReplyEntry(b, e->first, e->second);
      StreamNack& nack = g.pel.at(*it);
      nack.delivery_time = c.now_ms();
      ++nack.delivery_count;
    }
    ++n;
  }
  r.ArrayHeader(n);
  r.buffer()->append(body);
  return n;
}

// The consumer groups' propagation (replication.cc's stream and the AOF),
// as 7.0.15's t_stream.c writes it: XREADGROUP, XCLAIM and XAUTOCLAIM are
// never propagated themselves (preventCommandPropagation); each PEL change
// goes as an idempotent XCLAIM (streamPropagateXCLAIM), a NOACK read's new
// last ID as XGROUP SETID (streamPropagateGroupID), a consumer a NOACK
// read created as XGROUP CREATECONSUMER (streamPropagateConsumerCreation).
// `key` and `group` are the client's arguments, `id` the ID's text.
void PropagateXclaim(CommandContext& c, const std::string& key, const std::string& group,
                     const StreamGroup& g, const std::string& id, const StreamNack& nack) {
  c.AlsoPropagate({"XCLAIM", key, group, nack.consumer, "0", id, "TIME",
                   std::to_string(nack.delivery_time), "RETRYCOUNT",
                   std::to_string(nack.delivery_count), "FORCE", "JUSTID", "LASTID",
                   g.last_id.ToString()});
}

void PropagateGroupId(CommandContext& c, const std::string& key, const std::string& group,
                      const StreamGroup& g) {
  c.AlsoPropagate({"XGROUP", "SETID", key, group, g.last_id.ToString(), "ENTRIESREAD",
                   std::to_string(g.entries_read)});
}

void PropagateConsumerCreation(CommandContext& c, const std::string& key, const std::string& group,
                               const std::string& consumer) {
  c.AlsoPropagate({"XGROUP", "CREATECONSUMER", key, group, consumer});
}

// The consumer, looked up (its seen time refreshed) or created
// (streamCreateConsumer: a change, an event); *created says which.
StreamConsumer& LookupOrCreateConsumer(CommandContext& c, StreamGroup& g, const std::string& name,
                                       std::string_view key, bool* created = nullptr) {
  auto [it, made] = g.consumers.try_emplace(name);
  it->second.seen_time = c.now_ms();
  if (made) {
    c.Dirty();
    c.Notify(kNotifyStream, "xgroup-createconsumer", key);
  }
  if (created != nullptr) *created = made;
  return it->second;
}

// streamReplyWithRange: entries from start to end (inclusive), at most
// `count` (0: all). With a group: the group's last ID and read counter
// advance, and (unless NOACK) each entry enters the PELs. With `key_arg`
// and `group_arg` (streamPropInfo) those changes are propagated.
int64_t ReplyRange(CommandContext& c, ReplyWriter& r, Stream& s, StreamID start, StreamID end,
                   int64_t count, bool rev, StreamGroup* g = nullptr,
                   const std::string* consumer = nullptr, bool noack = false,
                   const std::string* key_arg = nullptr, const std::string* group_arg = nullptr) {
  std::string body;
  ReplyWriter b(r.protocol(), &body);
  int64_t n = 0;
  bool propagate_last_id = false;
  auto emit = [&](StreamID id, const std::vector<std::string>& fv) {
    if (g != nullptr && id > g->last_id) {
      if (g->entries_read != kInvalidEntriesRead && !s.RangeHasTombstones(id, std::nullopt)) {
        // Redis's long long counter wraps at LLONG_MAX (two's complement).
        g->entries_read = static_cast<int64_t>(static_cast<uint64_t>(g->entries_read) + 1);
      } else if (s.entries_added != 0) {
        g->entries_read = s.EstimateDistanceFromFirstEverEntry(id);
      }
      g->last_id = id;
      // The last ID goes on its own only after NOACK; else in the XCLAIMs.
      if (noack) propagate_last_id = true;
    }
    ReplyEntry(b, id, fv);
    if (g != nullptr && !noack) {
      StreamConsumer& cons = g->consumers.at(*consumer);
      auto [it, inserted] = g->pel.try_emplace(id);
      if (!inserted) g->consumers.at(it->second.consumer).pel.erase(id);
      it->second = StreamNack{c.now_ms(), 1, *consumer};
      cons.pel.insert(id);
      if (key_arg != nullptr)
        PropagateXclaim(c, *key_arg, *group_arg, *g, id.ToString(), it->second);
    }
    ++n;
    return count == 0 || n < count;
  };
  if (start <= end) {
    const auto& e = s.entries();
    if (!rev) {
      for (auto it = e.lower_bound(start); it != e.end() && it->first <= end; ++it) {
        if (!emit(it->first, it->second)) break;
      }
    } else {
      auto it = e.upper_bound(end);
      while (it != e.begin()) {
        --it;
        if (it->first < start) break;
        if (!emit(it->first, it->second)) break;
      }
    }
  }
  if (key_arg != nullptr && propagate_last_id) PropagateGroupId(c, *key_arg, *group_arg, *g);
  r.ArrayHeader(n);
  r.buffer()->append(body);
  return n;
}

// One entry as streamReplyWithRange(..., RAWENTRIES) emits it.
bool ReplyOneEntry(ReplyWriter& r, const Stream& s, StreamID id) {
  auto e = s.entries().find(id);
  if (e == s.entries().end()) return false;
  ReplyEntry(r, e->first, e->second);
  return true;
}

void XrangeGeneric(CommandContext& c, bool rev) {
  const std::string& startarg = rev ? c.arg(3) : c.arg(2);
  const std::string& endarg = rev ? c.arg(2) : c.arg(3);
  bool startex, endex;
  auto start = IntervalArg(c, startarg, 0, &startex);
  if (!start) return;
  if (startex && !StreamIncrID(&*start)) {
    c.reply.Error("ERR invalid start ID for the interval");
    return;
  }
  auto end = IntervalArg(c, endarg, UINT64_MAX, &endex);
  if (!end) return;
  if (endex && !StreamDecrID(&*end)) {
    c.reply.Error("ERR invalid end ID for the interval");
    return;
  }
  int64_t count = -1;
  for (size_t j = 4; j < c.argc(); ++j) {
    const size_t additional = c.argc() - j - 1;
    if (c.ArgIs(j, "COUNT") && additional >= 1) {
      if (!c.IntArg(j + 1, &count)) return;
      if (count < 0) count = 0;
      ++j;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  Stream* s;
  if (!FindStream(c, c.arg(1), &s)) return;
  if (s == nullptr) {
    c.reply.ArrayHeader(0);
    return;
  }
  if (count == 0) {
    c.reply.NullArray();
    return;
  }
  ReplyRange(c, c.reply, *s, *start, *end, count == -1 ? 0 : count, rev);
}

void CmdXrange(CommandContext& c) { XrangeGeneric(c, false); }
void CmdXrevrange(CommandContext& c) { XrangeGeneric(c, true); }

void CmdXlen(CommandContext& c) {
  Stream* s;
  if (!FindStream(c, c.arg(1), &s)) return;
  c.reply.Integer(s == nullptr ? 0 : static_cast<int64_t>(s->length()));
}

void CmdXdel(CommandContext& c) {
  const std::string& key = c.arg(1);
  Stream* s;
  if (!FindStream(c, key, &s)) return;
  if (s == nullptr) {
    c.reply.Integer(0);
    return;
  }
  std::vector<StreamID> ids;
  for (size_t j = 2; j < c.argc(); ++j) {
    auto id = IdArg(c, c.arg(j), 0, true);
    if (!id) return;
    ids.push_back(*id);
  }
  int64_t deleted = 0;
  for (StreamID id : ids) {
    if (s->Delete(id)) {
      if (id > s->max_deleted_id) s->max_deleted_id = id;
      ++deleted;
    }
  }
  if (deleted != 0) {
    c.ks.Touched(c.db, key);
    c.Notify(kNotifyStream, "xdel", key);
    c.Dirty(deleted);
  }
  c.reply.Integer(deleted);
}

void CmdXsetid(CommandContext& c) {
  auto id = IdArg(c, c.arg(2), 0, true);
  if (!id) return;
  StreamID max_xdel;
  int64_t entries_added = -1;
  size_t i = 3;
  while (i < c.argc()) {
    const size_t moreargs = c.argc() - 1 - i;
    if (c.ArgIs(i, "ENTRIESADDED") && moreargs) {
      if (!c.IntArg(i + 1, &entries_added)) return;
      if (entries_added < 0) {
        c.reply.Error("ERR entries_added must be positive");
        return;
      }
      i += 2;
    } else if (c.ArgIs(i, "MAXDELETEDID") && moreargs) {
      auto m = IdArg(c, c.arg(i + 1), 0, true);
      if (!m) return;
      if (*id < *m) {
        c.reply.Error(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
        return;
      }
      max_xdel = *m;
      i += 2;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  Stream* s;
  if (!FindStream(c, c.arg(1), &s)) return;
  if (s == nullptr) {
    c.reply.Error(kErrNoSuchKey);
    return;
  }
  if (s->length() > 0) {
    if (*id < s->last_valid_id()) {
      c.reply.Error("ERR The ID specified in XSETID is smaller than the target stream top item");
      return;
    }
    if (entries_added != -1 && s->length() > static_cast<uint64_t>(entries_added)) {
      c.reply.Error(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
      return;
    }
  }
  s->last_id = *id;
  if (entries_added != -1) s->entries_added = static_cast<uint64_t>(entries_added);
  if (!max_xdel.IsZero()) s->max_deleted_id = max_xdel;
  c.reply.Ok();
  c.Dirty();
  c.Notify(kNotifyStream, "xsetid", c.arg(1));
}

// ---------------------------------------------------------------- XREAD

// XREAD [COUNT n] [BLOCK ms] STREAMS key... id...; XREADGROUP GROUP g c
// [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...
void XreadGeneric(CommandContext& c) {
  // XREADGROUP propagates through its XCLAIMs (ReplyRange), never itself.
  c.PreventPropagation();
  const bool xreadgroup = c.arg(0).size() == 10;
  int64_t timeout = -1, count = 0;
  size_t streams_arg = 0, streams_count = 0;
  bool noack = false;
  const std::string* groupname = nullptr;
  const std::string* consumername = nullptr;
  for (size_t i = 1; i < c.argc(); ++i) {
    const size_t moreargs = c.argc() - i - 1;
    if (c.ArgIs(i, "BLOCK") && moreargs) {
      if (c.engine.in_script()) {
        c.reply.Error("ERR " + ErrorText(c.arg(0)) +
                      " command is not allowed with BLOCK option from scripts");
        return;
      }
      ++i;
      if (!c.MsTimeoutArg(i, &timeout)) return;
    } else if (c.ArgIs(i, "COUNT") && moreargs) {
      ++i;
      if (!c.IntArg(i, &count)) return;
      if (count < 0) count = 0;
    } else if (c.ArgIs(i, "STREAMS") && moreargs) {
      streams_arg = i + 1;
      streams_count = c.argc() - streams_arg;
      if (streams_count % 2 != 0) {
        c.reply.Error(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
            "specified.");
        return;
      }
      streams_count /= 2;
      break;
    } else if (c.ArgIs(i, "GROUP") && moreargs >= 2) {
      if (!xreadgroup) {
        c.reply.Error(
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return;
      }
      groupname = &c.arg(i + 1);
      consumername = &c.arg(i + 2);
      i += 2;
    } else if (c.ArgIs(i, "NOACK")) {
      if (!xreadgroup) {
        c.reply.Error(
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return;
      }
      noack = true;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  if (streams_arg == 0) {
    c.reply.Error(kErrSyntax);
    return;
  }
  if (xreadgroup && groupname == nullptr) {
    c.reply.Error("ERR Missing GROUP option for XREADGROUP");
    return;
  }
  std::vector<StreamID> ids(streams_count);
  std::vector<StreamGroup*> groups(streams_count, nullptr);
  for (size_t i = streams_arg + streams_count; i < c.argc(); ++i) {
    const size_t idx = i - streams_arg - streams_count;
    const std::string& key = c.arg(i - streams_count);
    Stream* s;
    if (!FindStream(c, key, &s)) return;
    if (groupname != nullptr) {
      StreamGroup* g = nullptr;
      if (s != nullptr) {
        auto it = s->groups.find(*groupname);
        if (it != s->groups.end()) g = &it->second;
      }
      if (g == nullptr) {
        c.reply.Error("NOGROUP No such key '" + ErrorText(key) + "' or consumer group '" +
                      ErrorText(*groupname) + "' in XREADGROUP with GROUP option");
        return;
      }
      groups[idx] = g;
    }
    const std::string_view idtext = CStr(c.arg(i));
    if (idtext == "$") {
      if (xreadgroup) {
        c.reply.Error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
            "history of this consumer by specifying a proper ID, or use the > ID to get new "
            "messages. The $ ID would just return an empty result set.");
        return;
      }
      ids[idx] = s != nullptr ? s->last_id : StreamID{};
      continue;
    }
    if (idtext == ">") {
      if (!xreadgroup) {
        c.reply.Error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
            "<consumer> option.");
        return;
      }
      ids[idx] = StreamID::Max();
      continue;
    }
    auto id = IdArg(c, c.arg(i), 0, true);
    if (!id) return;
    ids[idx] = *id;
  }
  std::string body;
  ReplyWriter b(c.reply.protocol(), &body);
  int64_t arraylen = 0;
  for (size_t i = 0; i < streams_count; ++i) {
    const std::string& key = c.arg(streams_arg + i);
    Stream* s;
    if (!FindStream(c, key, &s)) return;  // (never: checked above)
    if (s == nullptr) continue;
    StreamID gt = ids[i];
    bool serve = false, history = false;
    if (groupname != nullptr) {
      if (gt != StreamID::Max()) {
        serve = history = true;
      } else if (s->length() != 0 && s->last_valid_id() > groups[i]->last_id) {
        serve = true;
        gt = groups[i]->last_id;
      }
    } else if (s->length() != 0 && s->last_valid_id() > gt) {
      serve = true;
    }
    if (!serve) continue;
    ++arraylen;
    StreamID start = gt;
    StreamIncrID(&start);
    if (!b.resp3()) b.ArrayHeader(2);
    b.Bulk(key);
    if (groupname != nullptr) {
      StreamGroup& g = *groups[i];
      bool created;
      StreamConsumer& consumer = LookupOrCreateConsumer(c, g, *consumername, key, &created);
      if (created && noack) PropagateConsumerCreation(c, key, *groupname, *consumername);
      if (history) {
        ReplyFromConsumerPel(c, b, *s, g, consumer, start, count);
      } else {
        ReplyRange(c, b, *s, start, StreamID::Max(), count, false, &g, consumername, noack, &key,
                   groupname);
      }
    } else {
      ReplyRange(c, b, *s, start, StreamID::Max(), count, false);
    }
    if (groupname != nullptr) c.Dirty();
  }
  if (arraylen != 0) {
    if (c.reply.resp3()) {
      c.reply.MapHeader(arraylen);
    } else {
      c.reply.ArrayHeader(arraylen);
    }
    c.reply.buffer()->append(body);
    return;
  }
  if (timeout != -1 && !c.engine.DenyBlocking()) {
    BlockState st;
    st.type = BlockType::kStream;
    st.db = c.db;
    st.timeout_ms = timeout;
    st.argv.assign(c.argv.begin(), c.argv.end());
    for (size_t i = 0; i < streams_count; ++i) {
      // A key named twice waits for the first one's ID (blockForKeys).
      const std::string& key = c.arg(streams_arg + i);
      if (std::find(st.keys.begin(), st.keys.end(), key) != st.keys.end()) continue;
      st.keys.push_back(key);
      st.stream_ids.push_back(ids[i]);
    }
    st.count = count != 0 ? count : 1000;  // XREAD_BLOCKED_DEFAULT_COUNT
    if (groupname != nullptr) {
      st.has_group = true;
      st.group = *groupname;
      st.consumer = *consumername;
      st.noack = noack;
    }
    c.engine.Block(c.session, std::move(st));
    return;
  }
  c.reply.NullArray();
}

void CmdXread(CommandContext& c) { XreadGeneric(c); }

// ---------------------------------------------------------------- groups

void CmdXgroup(CommandContext& c) {
  const std::string& opt = c.arg(1);
  bool mkstream = false;
  int64_t entries_read = kInvalidEntriesRead;
  Stream* s = nullptr;
  StreamGroup* cg = nullptr;
  const std::string* grpname = nullptr;
  if (c.argc() >= 4) {
    size_t i = 5;
    const bool create = OptEquals(opt, "CREATE");
    const bool setid = OptEquals(opt, "SETID");
    while (i < c.argc()) {
      if (create && c.ArgIs(i, "MKSTREAM")) {
        mkstream = true;
        ++i;
      } else if ((create || setid) && c.ArgIs(i, "ENTRIESREAD") && i + 1 < c.argc()) {
        if (!c.IntArg(i + 1, &entries_read)) return;
        if (entries_read < 0 && entries_read != kInvalidEntriesRead) {
          c.reply.Error("ERR value for ENTRIESREAD must be positive or -1");
          return;
        }
        i += 2;
      } else {
        SubcommandSyntaxError(c);
        return;
      }
    }
    if (!FindStream(c, c.arg(2), &s)) return;
    grpname = &c.arg(3);
  }
  if (c.argc() >= 4 && !mkstream) {
    if (s == nullptr) {
      c.reply.Error(
          "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
          "to use the MKSTREAM option to create an empty stream automatically.");
      return;
    }
    auto g = s->groups.find(*grpname);
    if (g != s->groups.end()) cg = &g->second;
    if (cg == nullptr && (OptEquals(opt, "SETID") || OptEquals(opt, "CREATECONSUMER") ||
                          OptEquals(opt, "DELCONSUMER"))) {
      c.reply.Error("NOGROUP No such consumer group '" + ErrorText(*grpname) + "' for key name '" +
                    ErrorText(c.arg(2)) + "'");
      return;
    }
  }
  if (c.argc() == 2 && OptEquals(opt, "HELP")) {
    static constexpr std::string_view kHelp[] = {
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
    };
    ReplyHelp(c, kHelp);
  } else if (OptEquals(opt, "CREATE") && c.argc() >= 5 && c.argc() <= 8) {
    StreamID id;
    if (CStr(c.arg(4)) == "$") {
      if (s != nullptr) id = s->last_id;
    } else {
      auto parsed = IdArg(c, c.arg(4), 0, true);
      if (!parsed) return;
      id = *parsed;
    }
    if (s == nullptr) {
      s = &As<Stream>(c.ks.Store(c.db, c.arg(2), Object(Boxed<Stream>()), false));
    }
    auto [it, created] = s->groups.try_emplace(*grpname);
    if (created) {
      it->second.last_id = id;
      it->second.entries_read = entries_read;
      c.reply.Ok();
      c.Dirty();
      c.Notify(kNotifyStream, "xgroup-create", c.arg(2));
    } else {
      c.reply.Error("BUSYGROUP Consumer Group name already exists");
    }
  } else if (OptEquals(opt, "SETID") && (c.argc() == 5 || c.argc() == 7)) {
    StreamID id;
    if (CStr(c.arg(4)) == "$") {
      id = s->last_id;
    } else {
      auto parsed = IdArg(c, c.arg(4), 0, false);
      if (!parsed) return;
      id = *parsed;
    }
    cg->last_id = id;
    cg->entries_read = entries_read;
    c.reply.Ok();
    c.Dirty();
    c.Notify(kNotifyStream, "xgroup-setid", c.arg(2));
  } else if (OptEquals(opt, "DESTROY") && c.argc() == 4) {
    if (cg != nullptr) {
      s->groups.erase(*grpname);
      c.reply.Integer(1);
      c.Dirty();
      c.Notify(kNotifyStream, "xgroup-destroy", c.arg(2));
      // XREADGROUP sessions blocked on the key get NOGROUP.
      c.engine.SignalKeyAsReady(c.db, c.arg(2));
    } else {
      c.reply.Integer(0);
    }
  } else if (OptEquals(opt, "CREATECONSUMER") && c.argc() == 5) {
    auto [it, created] = cg->consumers.try_emplace(c.arg(4));
    if (created) {
      it->second.seen_time = c.now_ms();
      c.Dirty();
      c.Notify(kNotifyStream, "xgroup-createconsumer", c.arg(2));
    }
    c.reply.Integer(created ? 1 : 0);
  } else if (OptEquals(opt, "DELCONSUMER") && c.argc() == 5) {
    int64_t pending = 0;
    auto it = cg->consumers.find(c.arg(4));
    if (it != cg->consumers.end()) {
      pending = static_cast<int64_t>(it->second.pel.size());
      for (const StreamID& id : it->second.pel) cg->pel.erase(id);
      cg->consumers.erase(it);
      c.Dirty();
      c.Notify(kNotifyStream, "xgroup-delconsumer", c.arg(2));
    }
    c.reply.Integer(pending);
  } else {
    SubcommandSyntaxError(c);
  }
}

// Looks up key and group for XACK / XCLAIM / XAUTOCLAIM / XPENDING: false
// after WRONGTYPE. *g is null when the key or the group is missing.
bool FindGroup(CommandContext& c, const std::string& key, const std::string& group, Stream** s,
               StreamGroup** g) {
  *g = nullptr;
  if (!FindStream(c, key, s)) return false;
  if (*s != nullptr) {
    auto it = (*s)->groups.find(group);
    if (it != (*s)->groups.end()) *g = &it->second;
  }
  return true;
}

void ReplyNoGroup(CommandContext& c, const std::string& key, const std::string& group) {
  c.reply.Error("NOGROUP No such key '" + ErrorText(key) + "' or consumer group '" +
                ErrorText(group) + "'");
}

void CmdXack(CommandContext& c) {
  Stream* s;
  StreamGroup* g;
  if (!FindGroup(c, c.arg(1), c.arg(2), &s, &g)) return;
  if (g == nullptr) {
    c.reply.Integer(0);
    return;
  }
  std::vector<StreamID> ids;
  for (size_t j = 3; j < c.argc(); ++j) {
    auto id = IdArg(c, c.arg(j), 0, true);
    if (!id) return;
    ids.push_back(*id);
  }
  int64_t acked = 0;
  for (StreamID id : ids) {
    auto it = g->pel.find(id);
    if (it == g->pel.end()) continue;
    g->consumers.at(it->second.consumer).pel.erase(id);
    g->pel.erase(it);
    ++acked;
    c.Dirty();
  }
  c.reply.Integer(acked);
}

void CmdXpending(CommandContext& c) {
  const bool justinfo = c.argc() == 3;
  if (c.argc() != 3 && (c.argc() < 6 || c.argc() > 9)) {
    c.reply.Error(kErrSyntax);
    return;
  }
  StreamID start, end;
  int64_t count = 0, minidle = 0;
  const std::string* consumername = nullptr;
  if (c.argc() >= 6) {
    size_t startidx = 3;
    if (OptEquals(c.arg(3), "IDLE")) {
      if (!c.IntArg(4, &minidle)) return;
      if (c.argc() < 8) {
        c.reply.Error(kErrSyntax);
        return;
      }
      startidx += 2;
    }
    if (!c.IntArg(startidx + 2, &count)) return;
    if (count < 0) count = 0;
    bool startex, endex;
    auto st = IntervalArg(c, c.arg(startidx), 0, &startex);
    if (!st) return;
    start = *st;
    if (startex && !StreamIncrID(&start)) {
      c.reply.Error("ERR invalid start ID for the interval");
      return;
    }
    auto en = IntervalArg(c, c.arg(startidx + 1), UINT64_MAX, &endex);
    if (!en) return;
    end = *en;
    if (endex && !StreamDecrID(&end)) {
      c.reply.Error("ERR invalid end ID for the interval");
      return;
    }
    if (startidx + 3 < c.argc()) consumername = &c.arg(startidx + 3);
  }
  Stream* s;
  StreamGroup* g;
  if (!FindGroup(c, c.arg(1), c.arg(2), &s, &g)) return;
  if (g == nullptr) {
    ReplyNoGroup(c, c.arg(1), c.arg(2));
    return;
  }
  if (justinfo) {
    c.reply.ArrayHeader(4);
    c.reply.Integer(static_cast<int64_t>(g->pel.size()));
    if (g->pel.empty()) {
      c.reply.Null();
      c.reply.Null();
      c.reply.NullArray();
      return;
    }
    ReplyId(c.reply, g->pel.begin()->first);
    ReplyId(c.reply, g->pel.rbegin()->first);
    int64_t n = 0;
    for (const auto& [name, cons] : g->consumers) n += cons.pel.empty() ? 0 : 1;
    c.reply.ArrayHeader(n);
    for (const auto& [name, cons] : g->consumers) {
      if (cons.pel.empty()) continue;
      c.reply.ArrayHeader(2);
      c.reply.Bulk(name);
      c.reply.Bulk(std::to_string(cons.pel.size()));
    }
    return;
  }
  const StreamConsumer* consumer = nullptr;
  if (consumername != nullptr) {
    auto it = g->consumers.find(*consumername);
    if (it == g->consumers.end()) {
      c.reply.ArrayHeader(0);
      return;
    }
    consumer = &it->second;
  }
  const int64_t now = c.now_ms();
  std::string body;
  ReplyWriter b(c.reply.protocol(), &body);
  int64_t n = 0;
  auto one = [&](StreamID id, const StreamNack& nack) {
    if (minidle != 0 && now - nack.delivery_time < minidle) return;
    ++n;
    --count;
    b.ArrayHeader(4);
    ReplyId(b, id);
    b.Bulk(nack.consumer);
    b.Integer(std::max<int64_t>(0, now - nack.delivery_time));
    b.Integer(static_cast<int64_t>(nack.delivery_count));
  };
  if (consumer != nullptr) {
    for (auto it = consumer->pel.lower_bound(start); count != 0 && it != consumer->pel.end();
         ++it) {
      if (*it > end) break;
      one(*it, g->pel.at(*it));
    }
  } else {
    for (auto it = g->pel.lower_bound(start); count != 0 && it != g->pel.end(); ++it) {
      if (it->first > end) break;
      one(it->first, it->second);
    }
  }
  c.reply.ArrayHeader(n);
  c.reply.buffer()->append(body);
}

// Gives a PEL entry to `name` (taking it from its old owner).
void Reassign(StreamGroup& g, StreamID id, StreamNack& nack, const std::string& name) {
  if (nack.consumer == name) return;
  g.consumers.at(nack.consumer).pel.erase(id);
  g.consumers.at(name).pel.insert(id);
  nack.consumer = name;
}

void CmdXclaim(CommandContext& c) {
  c.PreventPropagation();  // its XCLAIMs (PropagateXclaim) are
  Stream* s;
  StreamGroup* g;
  if (!FindGroup(c, c.arg(1), c.arg(2), &s, &g)) return;
  if (g == nullptr) {
    ReplyNoGroup(c, c.arg(1), c.arg(2));
    return;
  }
  int64_t minidle;
  if (!c.IntArg(4, &minidle, "ERR Invalid min-idle-time argument for XCLAIM")) return;
  if (minidle < 0) minidle = 0;
  std::vector<StreamID> ids;
  size_t j = 5;
  for (; j < c.argc(); ++j) {
    auto id = ParseStreamID(c.arg(j), 0, true);
    if (!id) break;
    ids.push_back(*id);
  }
  const int64_t now = c.now_ms();
  int64_t deliverytime = -1, retrycount = -1;
  bool force = false, justid = false;
  StreamID last_id;
  for (; j < c.argc(); ++j) {
    const size_t moreargs = c.argc() - 1 - j;
    if (c.ArgIs(j, "FORCE")) {
      force = true;
    } else if (c.ArgIs(j, "JUSTID")) {
      justid = true;
    } else if (c.ArgIs(j, "IDLE") && moreargs) {
      ++j;
      if (!c.IntArg(j, &deliverytime, "ERR Invalid IDLE option argument for XCLAIM")) return;
      deliverytime =
          static_cast<int64_t>(static_cast<uint64_t>(now) - static_cast<uint64_t>(deliverytime));
    } else if (c.ArgIs(j, "TIME") && moreargs) {
      ++j;
      if (!c.IntArg(j, &deliverytime, "ERR Invalid TIME option argument for XCLAIM")) return;
    } else if (c.ArgIs(j, "RETRYCOUNT") && moreargs) {
      ++j;
      if (!c.IntArg(j, &retrycount, "ERR Invalid RETRYCOUNT option argument for XCLAIM")) return;
    } else if (c.ArgIs(j, "LASTID") && moreargs) {
      ++j;
      auto id = IdArg(c, c.arg(j), 0, true);
      if (!id) return;
      last_id = *id;
    } else {
      c.reply.Error("ERR Unrecognized XCLAIM option '" + ErrorText(c.arg(j)) + "'");
      return;
    }
  }
  bool propagate_last_id = false;
  if (last_id > g->last_id) {
    g->last_id = last_id;
    propagate_last_id = true;
  }
  if (deliverytime != -1) {
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else {
    deliverytime = now;
  }
  const std::string& name = c.arg(3);
  bool have_consumer = false;
  std::string body;
  ReplyWriter b(c.reply.protocol(), &body);
  int64_t n = 0;
  for (size_t k = 0; k < ids.size(); ++k) {
    const StreamID id = ids[k];
    const std::string& idarg = c.arg(5 + k);
    auto nit = g->pel.find(id);
    if (!s->Has(id)) {
      if (nit != g->pel.end()) {
        // The NACK of an entry that is gone: dropped, and so propagated.
        PropagateXclaim(c, c.arg(1), c.arg(2), *g, idarg, nit->second);
        propagate_last_id = false;
        c.Dirty();
        g->consumers.at(nit->second.consumer).pel.erase(id);
        g->pel.erase(nit);
      }
      continue;
    }
    // FORCE: a PEL entry with no owner yet (no idle check for it).
    bool fresh = false;
    if (force && nit == g->pel.end()) {
      nit = g->pel.emplace(id, StreamNack{now, 1, name}).first;
      fresh = true;
    }
    if (nit == g->pel.end()) continue;
    StreamNack& nack = nit->second;
    if (!fresh && minidle != 0 && now - nack.delivery_time < minidle) continue;
    if (!have_consumer) {
      LookupOrCreateConsumer(c, *g, name, c.arg(1));
      have_consumer = true;
    }
    if (fresh) g->consumers.at(name).pel.insert(id);
    nack.delivery_time = deliverytime;
    if (retrycount >= 0) {
      nack.delivery_count = static_cast<uint64_t>(retrycount);
    } else if (!justid) {
      ++nack.delivery_count;
    }
    Reassign(*g, id, nack, name);
    if (justid) {
      ReplyId(b, id);
    } else {
      ReplyOneEntry(b, *s, id);
    }
    ++n;
    PropagateXclaim(c, c.arg(1), c.arg(2), *g, idarg, nack);
    propagate_last_id = false;  // in the XCLAIM's LASTID
    c.Dirty();
  }
  if (propagate_last_id) {
    PropagateGroupId(c, c.arg(1), c.arg(2), *g);
    c.Dirty();
  }
  c.reply.ArrayHeader(n);
  c.reply.buffer()->append(body);
}

void CmdXautoclaim(CommandContext& c) {
  c.PreventPropagation();  // its XCLAIMs (PropagateXclaim) are
  int64_t minidle;
  if (!c.IntArg(4, &minidle, "ERR Invalid min-idle-time argument for XAUTOCLAIM")) return;
  if (minidle < 0) minidle = 0;
  bool startex;
  auto start = IntervalArg(c, c.arg(5), 0, &startex);
  if (!start) return;
  if (startex && !StreamIncrID(&*start)) {
    c.reply.Error("ERR invalid start ID for the interval");
    return;
  }
  int64_t count = 100;
  bool justid = false;
  constexpr int64_t kMaxCount = INT64_MAX / 16;  // LONG_MAX / max(sizeof(streamID), 10)
  for (size_t j = 6; j < c.argc(); ++j) {
    const size_t moreargs = c.argc() - 1 - j;
    if (c.ArgIs(j, "COUNT") && moreargs) {
      if (!c.RangeArg(j + 1, 1, kMaxCount, &count, "ERR COUNT must be > 0")) return;
      ++j;
    } else if (c.ArgIs(j, "JUSTID")) {
      justid = true;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  Stream* s;
  StreamGroup* g;
  if (!FindGroup(c, c.arg(1), c.arg(2), &s, &g)) return;
  if (g == nullptr) {
    ReplyNoGroup(c, c.arg(1), c.arg(2));
    return;
  }
  // ztrymalloc(count * 16) fails on redis-server from a COUNT of 2^43 (the
  // 47-bit user address space on x86-64; 2^42 succeeds there): no
  // allocation here, the same answer.
  if (count >= (int64_t{1} << 43)) {
    c.reply.Error("ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
    return;
  }
  const std::string& name = c.arg(3);
  bool have_consumer = false;
  int64_t attempts = count * 10;
  const int64_t now = c.now_ms();
  std::string body;
  ReplyWriter b(c.reply.protocol(), &body);
  int64_t n = 0;
  std::vector<StreamID> deleted;
  auto it = g->pel.lower_bound(*start);
  while (attempts-- != 0 && count != 0 && it != g->pel.end()) {
    const StreamID id = it->first;
    StreamNack& nack = it->second;
    if (!s->Has(id)) {
      PropagateXclaim(c, c.arg(1), c.arg(2), *g, id.ToString(), nack);
      c.Dirty();
      g->consumers.at(nack.consumer).pel.erase(id);
      it = g->pel.erase(it);
      deleted.push_back(id);
      --count;
      continue;
    }
    if (minidle != 0 && now - nack.delivery_time < minidle) {
      ++it;
      continue;
    }
    if (!have_consumer) {
      LookupOrCreateConsumer(c, *g, name, c.arg(1));
      have_consumer = true;
    }
    nack.delivery_time = now;
    if (!justid) ++nack.delivery_count;
    Reassign(*g, id, nack, name);
    if (justid) {
      ReplyId(b, id);
    } else {
      ReplyOneEntry(b, *s, id);
    }
    ++n;
    --count;
    PropagateXclaim(c, c.arg(1), c.arg(2), *g, id.ToString(), nack);
    c.Dirty();
    ++it;
  }
  c.reply.ArrayHeader(3);
  ReplyId(c.reply, it == g->pel.end() ? StreamID{} : it->first);
  c.reply.ArrayHeader(n);
  c.reply.buffer()->append(body);
  c.reply.ArrayHeader(static_cast<int64_t>(deleted.size()));
  for (StreamID id : deleted) ReplyId(c.reply, id);
}

// ---------------------------------------------------------------- XINFO

void ReplyNullableInt(ReplyWriter& r, std::optional<int64_t> v) {
  if (v) {
    r.Integer(*v);
  } else {
    r.Null();
  }
}

void StreamInfo(CommandContext& c, Stream& s) {
  bool full = true;
  int64_t count = 10;
  const size_t optc = c.argc() - 3;
  if (optc == 0) {
    full = false;
  } else {
    if (optc != 1 && optc != 3) {
      SubcommandSyntaxError(c);
      return;
    }
    if (!c.ArgIs(3, "full")) {
      SubcommandSyntaxError(c);
      return;
    }
    if (optc == 3) {
      if (!c.ArgIs(4, "count")) {
        SubcommandSyntaxError(c);
        return;
      }
      if (!c.IntArg(5, &count)) return;
      if (count < 0) count = 10;
    }
  }
  ReplyWriter& r = c.reply;
  r.MapHeader(full ? 9 : 10);
  r.Bulk("length");
  r.Integer(static_cast<int64_t>(s.length()));
  r.Bulk("radix-tree-keys");
  r.Integer(static_cast<int64_t>(s.nodes().size()));
  r.Bulk("radix-tree-nodes");
  r.Integer(s.RadixTreeNodes());
  r.Bulk("last-generated-id");
  ReplyId(r, s.last_id);
  r.Bulk("max-deleted-entry-id");
  ReplyId(r, s.max_deleted_id);
  r.Bulk("entries-added");
  r.Integer(static_cast<int64_t>(s.entries_added));
  r.Bulk("recorded-first-entry-id");
  ReplyId(r, s.first_id());
  if (!full) {
    r.Bulk("groups");
    r.Integer(static_cast<int64_t>(s.groups.size()));
    r.Bulk("first-entry");
    if (s.length() == 0) {
      r.Null();
    } else {
      ReplyOneEntry(r, s, s.entries().begin()->first);
    }
    r.Bulk("last-entry");
    if (s.length() == 0) {
      r.Null();
    } else {
      ReplyOneEntry(r, s, s.entries().rbegin()->first);
    }
    return;
  }
  r.Bulk("entries");
  ReplyRange(c, r, s, StreamID{}, StreamID::Max(), count, false);
  r.Bulk("groups");
  r.ArrayHeader(static_cast<int64_t>(s.groups.size()));
  for (const auto& [name, g] : s.groups) {
    r.MapHeader(7);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("last-delivered-id");
    ReplyId(r, g.last_id);
    r.Bulk("entries-read");
    ReplyNullableInt(r, g.entries_read != kInvalidEntriesRead
                            ? std::optional<int64_t>(g.entries_read)
                            : std::nullopt);
    r.Bulk("lag");
    ReplyNullableInt(r, s.Lag(g));
    r.Bulk("pel-count");
    r.Integer(static_cast<int64_t>(g.pel.size()));
    r.Bulk("pending");
    int64_t n = 0;
    for (auto it = g.pel.begin(); it != g.pel.end() && (count == 0 || n < count); ++it) ++n;
    r.ArrayHeader(n);
    n = 0;
    for (auto it = g.pel.begin(); it != g.pel.end() && (count == 0 || n < count); ++it, ++n) {
      r.ArrayHeader(4);
      ReplyId(r, it->first);
      r.Bulk(it->second.consumer);
      r.Integer(it->second.delivery_time);
      r.Integer(static_cast<int64_t>(it->second.delivery_count));
    }
    r.Bulk("consumers");
    r.ArrayHeader(static_cast<int64_t>(g.consumers.size()));
    for (const auto& [cname, cons] : g.consumers) {
      r.MapHeader(4);
      r.Bulk("name");
      r.Bulk(cname);
      r.Bulk("seen-time");
      r.Integer(cons.seen_time);
      r.Bulk("pel-count");
      r.Integer(static_cast<int64_t>(cons.pel.size()));
      r.Bulk("pending");
      int64_t m = 0;
      for (auto it = cons.pel.begin(); it != cons.pel.end() && (count == 0 || m < count); ++it) {
        ++m;
      }
      r.ArrayHeader(m);
      m = 0;
      for (auto it = cons.pel.begin(); it != cons.pel.end() && (count == 0 || m < count);
           ++it, ++m) {
        const StreamNack& nack = g.pel.at(*it);
        r.ArrayHeader(3);
        ReplyId(r, *it);
        r.Integer(nack.delivery_time);
        r.Integer(static_cast<int64_t>(nack.delivery_count));
      }
    }
  }
}

void CmdXinfo(CommandContext& c) {
  if (OptEquals(c.arg(1), "HELP")) {
    if (c.argc() != 2) {
      SubcommandSyntaxError(c);
      return;
    }
    static constexpr std::string_view kHelp[] = {
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
    };
    ReplyHelp(c, kHelp);
    return;
  }
  if (c.argc() < 3) {
    SubcommandSyntaxError(c);
    return;
  }
  const std::string& opt = c.arg(1);
  const std::string& key = c.arg(2);
  Stream* s;
  if (!FindStream(c, key, &s)) return;
  if (s == nullptr) {
    c.reply.Error(kErrNoSuchKey);
    return;
  }
  if (OptEquals(opt, "CONSUMERS") && c.argc() == 4) {
    auto g = s->groups.find(c.arg(3));
    if (g == s->groups.end()) {
      c.reply.Error("NOGROUP No such consumer group '" + ErrorText(c.arg(3)) + "' for key name '" +
                    ErrorText(key) + "'");
      return;
    }
    const int64_t now = c.now_ms();
    c.reply.ArrayHeader(static_cast<int64_t>(g->second.consumers.size()));
    for (const auto& [name, cons] : g->second.consumers) {
      c.reply.MapHeader(3);
      c.reply.Bulk("name");
      c.reply.Bulk(name);
      c.reply.Bulk("pending");
      c.reply.Integer(static_cast<int64_t>(cons.pel.size()));
      c.reply.Bulk("idle");
      c.reply.Integer(std::max<int64_t>(0, now - cons.seen_time));
    }
  } else if (OptEquals(opt, "GROUPS") && c.argc() == 3) {
    c.reply.ArrayHeader(static_cast<int64_t>(s->groups.size()));
    for (const auto& [name, g] : s->groups) {
      c.reply.MapHeader(6);
      c.reply.Bulk("name");
      c.reply.Bulk(name);
      c.reply.Bulk("consumers");
      c.reply.Integer(static_cast<int64_t>(g.consumers.size()));
      c.reply.Bulk("pending");
      c.reply.Integer(static_cast<int64_t>(g.pel.size()));
      c.reply.Bulk("last-delivered-id");
      ReplyId(c.reply, g.last_id);
      c.reply.Bulk("entries-read");
      ReplyNullableInt(c.reply, g.entries_read != kInvalidEntriesRead
                                    ? std::optional<int64_t>(g.entries_read)
                                    : std::nullopt);
      c.reply.Bulk("lag");
      ReplyNullableInt(c.reply, s->Lag(g));
    }
  } else if (OptEquals(opt, "STREAM")) {
    StreamInfo(c, *s);
  } else {
    SubcommandSyntaxError(c);
  }
}

}  // namespace

bool ServeBlockedStream(CommandContext& c, const std::string& key, BlockState& b) {
  // Looked up (and its LRU / LFU touched) once per ready key, by
  // HandleReadyKeys: serveClientsBlockedOnStreamKey takes that object, so
  // no second touch (an LFU counter's draw) per reader here.
  Stream& s = As<Stream>(*c.ks.FindNoTouch(c.db, key));
  const size_t idx =
      static_cast<size_t>(std::find(b.keys.begin(), b.keys.end(), key) - b.keys.begin());
  StreamID& gt = b.stream_ids[idx];
  StreamGroup* g = nullptr;
  if (b.has_group) {
    auto it = s.groups.find(b.group);
    if (it == s.groups.end()) {
      c.reply.Error("NOGROUP the consumer group this client was blocked on no longer exists");
      return true;
    }
    g = &it->second;
    gt = g->last_id;
  }
  if (!(s.last_id > gt)) return false;
  StreamID start = gt;
  StreamIncrID(&start);
  if (g != nullptr) {
    bool created;
    LookupOrCreateConsumer(c, *g, b.consumer, key, &created);
    if (created && b.noack) PropagateConsumerCreation(c, key, b.group, b.consumer);
  }
  if (c.reply.resp3()) {
    c.reply.MapHeader(1);
  } else {
    c.reply.ArrayHeader(1);
    c.reply.ArrayHeader(2);
  }
  c.reply.Bulk(key);
  ReplyRange(c, c.reply, s, start, StreamID::Max(), b.count, false, g, &b.consumer, b.noack,
             g != nullptr ? &key : nullptr, g != nullptr ? &b.group : nullptr);
  return true;
}

namespace {

constexpr std::array<CommandSpec, 15> kCommands = {{
    {"xadd", -5, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdXadd},
    {"xlen", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdXlen},
    {"xrange", -4, kCmdReadonly, 1, 1, 1, CmdXrange},
    {"xrevrange", -4, kCmdReadonly, 1, 1, 1, CmdXrevrange},
    {"xdel", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdXdel},
    {"xtrim", -4, kCmdWrite, 1, 1, 1, CmdXtrim},
    {"xsetid", -3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdXsetid},
    {"xread", -4, kCmdReadonly | kCmdMovableKeys, 0, 0, 0, CmdXread},
    {"xreadgroup", -7, kCmdWrite | kCmdMovableKeys, 0, 0, 0, CmdXread},
    {"xgroup", -2, kCmdWrite, 2, 2, 1, CmdXgroup},
    {"xack", -4, kCmdWrite | kCmdFast, 1, 1, 1, CmdXack},
    {"xpending", -3, kCmdReadonly, 1, 1, 1, CmdXpending},
    {"xclaim", -6, kCmdWrite | kCmdFast, 1, 1, 1, CmdXclaim},
    {"xautoclaim", -6, kCmdWrite | kCmdFast, 1, 1, 1, CmdXautoclaim},
    {"xinfo", -2, kCmdReadonly, 2, 2, 1, CmdXinfo},
}};

}  // namespace

std::span<const CommandSpec> StreamCommands() { return kCommands; }

}  // namespace respfuzz::engine
