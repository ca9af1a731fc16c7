// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
// LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH LMPOP and the blocking BLPOP BRPOP
// BLMPOP BLMOVE BRPOPLPUSH (blocking.cc), as Redis 7.0.15 replies to them
// (argument checks in Redis's order, key events only on real modifications).
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

namespace {

// Which end of a list an operation works on (LMOVE's LEFT / RIGHT).
enum class End { kLeft, kRight };

// Parses LEFT / RIGHT (any case); replies a syntax error otherwise.
bool EndArg(CommandContext& c, size_t i, End* out) {
  if (c.ArgIs(i, "left")) {
    *out = End::kLeft;
  } else if (c.ArgIs(i, "right")) {
    *out = End::kRight;
  } else {
    c.reply.Error(kErrSyntax);
    return false;
  }
  return true;
}

// LPUSH / RPUSH / LPUSHX / RPUSHX key element [element ...]
void Push(CommandContext& c, End end, bool only_if_exists) {
  const std::string& key = c.arg(1);
  List* l;
  if (!c.FindAs(key, &l)) return;
  if (l == nullptr) {
    if (only_if_exists) {
      c.reply.Integer(0);
      return;
    }
    List fresh;
    for (size_t i = 2; i < c.argc(); ++i) {
      if (end == End::kLeft) {
        fresh.push_front(c.arg(i));
      } else {
        fresh.push_back(c.arg(i));
      }
    }
    const int64_t n = static_cast<int64_t>(fresh.size());
    c.ks.Store(c.db, key, Object(std::move(fresh)), false);
    c.reply.Integer(n);
    c.Notify(kNotifyList, end == End::kLeft ? "lpush" : "rpush", key);
    c.Dirty(static_cast<int64_t>(c.argc() - 2));
    return;
  }
  for (size_t i = 2; i < c.argc(); ++i) {
    if (end == End::kLeft) {
      l->push_front(c.arg(i));
    } else {
      l->push_back(c.arg(i));
    }
  }
  const int64_t n = static_cast<int64_t>(l->size());
  c.ks.Touched(c.db, key);
  c.reply.Integer(n);  // pushGenericCommand replies, then signals and notifies
  c.Notify(kNotifyList, end == End::kLeft ? "lpush" : "rpush", key);
  c.Dirty(static_cast<int64_t>(c.argc() - 2));
}

void CmdLpush(CommandContext& c) { Push(c, End::kLeft, false); }
void CmdRpush(CommandContext& c) { Push(c, End::kRight, false); }
void CmdLpushx(CommandContext& c) { Push(c, End::kLeft, true); }
void CmdRpushx(CommandContext& c) { Push(c, End::kRight, true); }

// LPOP / RPOP key [count]. The count is parsed before the key is looked up;
// with a count the reply is always an array (a null array for a missing key),
// and a count of 0 replies an empty array without touching the list.
void Pop(CommandContext& c, End end) {
  const bool has_count = c.argc() == 3;
  int64_t count = 1;
  if (c.argc() > 3) {
    c.ReplyArityError();
    return;
  }
  if (has_count && !c.NonNegativeArg(2, &count)) return;
  const std::string& key = c.arg(1);
  List* l;
  if (!c.FindAs(key, &l)) return;
  if (l == nullptr) {
    if (has_count) {
      c.reply.NullArray();
    } else {
      c.reply.Null();
    }
    return;
  }
  if (has_count && count == 0) {
    c.reply.ArrayHeader(0);
    return;
  }
  const int64_t n = std::min<int64_t>(count, static_cast<int64_t>(l->size()));
  if (has_count) c.reply.ArrayHeader(n);
  for (int64_t i = 0; i < n; ++i) {
    if (end == End::kLeft) {
      c.reply.Bulk(l->front());
      l->pop_front();
    } else {
      c.reply.Bulk(l->back());
      l->pop_back();
    }
  }
  // listElementsRemoved: the event (and "del") before the signal.
  c.NotifyTouched(kNotifyList, end == End::kLeft ? "lpop" : "rpop", key);
  c.Dirty(n);
}

void CmdLpop(CommandContext& c) { Pop(c, End::kLeft); }
void CmdRpop(CommandContext& c) { Pop(c, End::kRight); }

void CmdLlen(CommandContext& c) {
  List* l;
  if (!c.FindAs(c.arg(1), &l)) return;
  c.reply.Integer(l == nullptr ? 0 : static_cast<int64_t>(l->size()));
}

// LRANGE key start stop: the numbers are parsed before the key is looked up.
void CmdLrange(CommandContext& c) {
  int64_t start, stop;
  if (!c.IntArg(2, &start) || !c.IntArg(3, &stop)) return;
  List* l;
  if (!c.FindAs(c.arg(1), &l)) return;
  if (l == nullptr) {
    c.reply.ArrayHeader(0);
    return;
  }
  if (!ClampRange(static_cast<int64_t>(l->size()), &start, &stop)) {
    c.reply.ArrayHeader(0);
    return;
  }
  c.reply.ArrayHeader(stop - start + 1);
  for (auto it = l->begin() + start, last = l->begin() + stop + 1; it != last; ++it) {
    c.reply.Bulk(*it);
  }
}

// Maps a Redis list index (negative counts from the tail) to a position;
// -1 when out of range.
int64_t ListPosition(const List& l, int64_t index) {
  const int64_t len = static_cast<int64_t>(l.size());
  if (index < 0) index += len;  // INT64_MIN + len cannot overflow: len >= 0
  return index >= 0 && index < len ? index : -1;
}

// LINDEX key index: a missing key replies null before the index is parsed.
void CmdLindex(CommandContext& c) {
  List* l;
  if (!c.FindAs(c.arg(1), &l)) return;
  if (l == nullptr) {
    c.reply.Null();
    return;
  }
  int64_t index;
  if (!c.IntArg(2, &index)) return;
  const int64_t pos = ListPosition(*l, index);
  if (pos < 0) {
    c.reply.Null();
  } else {
    c.reply.Bulk((*l)[pos]);
  }
}

// LSET key index element: "no such key" and WRONGTYPE come before the index.
void CmdLset(CommandContext& c) {
  const std::string& key = c.arg(1);
  List* l;
  if (!c.FindAs(key, &l)) return;
  if (l == nullptr) {
    c.reply.Error(kErrNoSuchKey);
    return;
  }
  int64_t index;
  if (!c.IntArg(2, &index)) return;
  const int64_t pos = ListPosition(*l, index);
  if (pos < 0) {
    c.reply.Error(kErrIndexOutOfRange);
    return;
  }
  (*l)[pos] = c.arg(3);
  c.ks.Touched(c.db, key);  // even when the element is unchanged, as Redis
  c.Notify(kNotifyList, "lset", key);
  c.Dirty();
  c.reply.Ok();
}

// LREM key count element: count > 0 removes from the head, < 0 from the tail,
// 0 all. One O(n) compaction pass. Only a removal is a modification.
void CmdLrem(CommandContext& c) {
  int64_t count;
  if (!c.IntArg(2, &count)) return;
  const std::string& key = c.arg(1);
  List* l;
  if (!c.FindAs(key, &l)) return;
  if (l == nullptr) {
    c.reply.Integer(0);
    return;
  }
  const std::string& elem = c.arg(3);
  // Redis negates a negative count; INT64_MIN stays negative there and so
  // never reaches its limit: it removes every match, as 0 does.
  const uint64_t limit = count == 0 || count == INT64_MIN
                             ? UINT64_MAX
                             : static_cast<uint64_t>(count < 0 ? -count : count);
  uint64_t removed = 0;
  const size_t n = l->size();
  if (count >= 0) {
    size_t w = 0;
    for (size_t r = 0; r < n; ++r) {
      if (removed < limit && (*l)[r] == elem) {
        ++removed;
        continue;
      }
      if (w != r) (*l)[w] = std::move((*l)[r]);
      ++w;
    }
    l->erase(l->begin() + w, l->end());
  } else {
    size_t w = n;
    for (size_t r = n; r-- > 0;) {
      if (removed < limit && (*l)[r] == elem) {
        ++removed;
        continue;
      }
      --w;
      if (w != r) (*l)[w] = std::move((*l)[r]);
    }
    l->erase(l->begin(), l->begin() + w);
  }
  if (removed > 0) c.TouchedNotify(kNotifyList, "lrem", key);
  c.Dirty(static_cast<int64_t>(removed));
  c.reply.Integer(static_cast<int64_t>(removed));
}

// LTRIM key start stop: always a modification when the list exists, even if
// nothing is trimmed (Redis signals the key unconditionally).
void CmdLtrim(CommandContext& c) {
  int64_t start, stop;
  if (!c.IntArg(2, &start) || !c.IntArg(3, &stop)) return;
  const std::string& key = c.arg(1);
  List* l;
  if (!c.FindAs(key, &l)) return;
  if (l == nullptr) {
    c.reply.Ok();
    return;
  }
  const int64_t len = static_cast<int64_t>(l->size());
  int64_t ltrim, rtrim;
  if (!ClampRange(len, &start, &stop)) {
    ltrim = len;  // everything goes
    rtrim = 0;
  } else {
    ltrim = start;
    rtrim = len - stop - 1;
  }
  l->erase(l->begin(), l->begin() + ltrim);
  l->erase(l->end() - rtrim, l->end());
  c.NotifyTouched(kNotifyList, "ltrim", key);
  c.Dirty(ltrim + rtrim);
  c.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element: the position word is checked first;
// a missing key replies 0, a missing pivot -1 (no modification either way).
void CmdLinsert(CommandContext& c) {
  bool after;
  if (c.ArgIs(2, "after")) {
    after = true;
  } else if (c.ArgIs(2, "before")) {
    after = false;
  } else {
    c.reply.Error(kErrSyntax);
    return;
  }
  const std::string& key = c.arg(1);
  List* l;
  if (!c.FindAs(key, &l)) return;
  if (l == nullptr) {
    c.reply.Integer(0);
    return;
  }
  auto it = std::find(l->begin(), l->end(), c.arg(3));
  if (it == l->end()) {
    c.reply.Integer(-1);
    return;
  }
  if (after) ++it;
  l->insert(it, c.arg(4));
  const int64_t n = static_cast<int64_t>(l->size());
  c.ks.Touched(c.db, key);
  c.Notify(kNotifyList, "linsert", key);
  c.Dirty();
  c.reply.Integer(n);
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLpos(CommandContext& c) {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT given (reply a single index or null)
  int64_t maxlen = 0;  // 0: scan the whole list
  for (size_t j = 3; j < c.argc(); ++j) {
    const bool more = j + 1 < c.argc();
    if (c.ArgIs(j, "rank") && more) {
      if (!c.IntArg(j + 1, &rank)) return;
      if (rank == 0) {
        c.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
        return;
      }
      ++j;
    } else if (c.ArgIs(j, "count") && more) {
      if (!c.NonNegativeArg(j + 1, &count, "ERR COUNT can't be negative")) return;
      ++j;
    } else if (c.ArgIs(j, "maxlen") && more) {
      if (!c.NonNegativeArg(j + 1, &maxlen, "ERR MAXLEN can't be negative")) return;
      ++j;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  List* l;
  if (!c.FindAs(c.arg(1), &l)) return;
  if (l == nullptr) {
    if (count != -1) {
      c.reply.ArrayHeader(0);
    } else {
      c.reply.Null();
    }
    return;
  }
  const bool from_tail = rank < 0;
  // Matches to skip before reporting. RANK INT64_MIN cannot be negated: in
  // Redis it then admits every match and never reaches COUNT.
  const bool min_rank = rank == INT64_MIN;
  const uint64_t skip = min_rank ? 0 : static_cast<uint64_t>(from_tail ? -rank : rank) - 1;
  const uint64_t want =
      count == -1 ? 1 : (count == 0 || min_rank ? UINT64_MAX : static_cast<uint64_t>(count));
  const std::string& elem = c.arg(2);
  const int64_t len = static_cast<int64_t>(l->size());
  const int64_t scan = maxlen == 0 ? len : std::min(maxlen, len);
  std::vector<int64_t> found;
  uint64_t matches = 0;
  for (int64_t i = 0; i < scan && found.size() < want; ++i) {
    const int64_t pos = from_tail ? len - 1 - i : i;
    if ((*l)[pos] != elem) continue;
    if (matches++ >= skip) found.push_back(pos);
  }
  if (count == -1) {
    if (found.empty()) {
      c.reply.Null();
    } else {
      c.reply.Integer(found[0]);
    }
    return;
  }
  c.reply.ArrayHeader(static_cast<int64_t>(found.size()));
  for (int64_t pos : found) c.reply.Integer(pos);
}

// LMOVE / RPOPLPUSH: both position words are checked before any lookup; the
// destination's type is checked before popping. Events: destination, then
// source (deleted when emptied); one event when they are the same key.
void Move(CommandContext& c, End from, End to) {
  const std::string& src = c.arg(1);
  const std::string& dst = c.arg(2);
  List* sl;
  if (!c.FindAs(src, &sl)) return;
  if (sl == nullptr) {
    c.reply.Null();
    return;
  }
  List* dl;
  if (!c.FindAs(dst, &dl)) return;
  std::string value;
  if (from == End::kLeft) {
    value = std::move(sl->front());
    sl->pop_front();
  } else {
    value = std::move(sl->back());
    sl->pop_back();
  }
  if (dl == nullptr) {
    c.ks.Store(c.db, dst, Object(List{value}), false);
  } else {
    if (to == End::kLeft) {
      dl->push_front(value);
    } else {
      dl->push_back(value);
    }
    if (src != dst) c.ks.Touched(c.db, dst);
  }
  // lmoveHandlePush: the event, then the reply; then the source's
  // (listElementsRemoved's order).
  c.Notify(kNotifyList, to == End::kLeft ? "lpush" : "rpush", dst);
  c.reply.Bulk(value);
  c.NotifyTouched(kNotifyList, from == End::kLeft ? "lpop" : "rpop", src);
  c.Dirty();
}

void CmdLmove(CommandContext& c) {
  End from, to;
  if (!EndArg(c, 3, &from) || !EndArg(c, 4, &to)) return;
  Move(c, from, to);
}

void CmdRpoplpush(CommandContext& c) { Move(c, End::kRight, End::kLeft); }

// listPopRangeAndReplyWithKey: pops up to `count` elements from one end and
// replies [key, [elements...]] (the tail's in tail-first order); the key is
// signalled (or deleted when emptied).
void PopRangeWithKey(CommandContext& c, const std::string& key, List& l, End where, int64_t count) {
  const int64_t n = std::min<int64_t>(count, static_cast<int64_t>(l.size()));
  c.reply.ArrayHeader(2);
  c.reply.Bulk(key);
  c.reply.ArrayHeader(n);
  for (int64_t i = 0; i < n; ++i) {
    if (where == End::kLeft) {
      c.reply.Bulk(l.front());
      l.pop_front();
    } else {
      c.reply.Bulk(l.back());
      l.pop_back();
    }
  }
  c.NotifyTouched(kNotifyList, where == End::kLeft ? "lpop" : "rpop", key);
  c.Dirty(n);
}

// LMPOP and BLMPOP go to replicas as [LR]POP key <count> (the count at
// most the list's length); `served`: a blocked session's, an op of its own
// (alsoPropagate), else the command rewritten.
void PropagatePopCount(CommandContext& c, const std::string& key, const List& l, End where,
                       int64_t count, bool served = false) {
  if (!c.engine.propagating()) return;
  const std::string n = std::to_string(std::min<int64_t>(count, static_cast<int64_t>(l.size())));
  if (served) {
    c.AlsoPropagate({where == End::kLeft ? "LPOP" : "RPOP", key, n});
  } else {
    c.PropagateAs({where == End::kLeft ? "LPOP" : "RPOP", key, n});
  }
}

// LMPOP / BLMPOP's arguments after the timeout (lmpopGenericCommand):
// numkeys, the keys, LEFT|RIGHT, [COUNT n]. Replies the error and returns
// false on bad input.
bool ParseMpop(CommandContext& c, size_t numkeys_idx, int64_t* numkeys, End* where,
               int64_t* count) {
  if (!c.RangeArg(numkeys_idx, 1, INT64_MAX, numkeys, "ERR numkeys should be greater than 0")) {
    return false;
  }
  // where_idx = numkeys_idx + numkeys + 1 must be an argument.
  if (*numkeys >= static_cast<int64_t>(c.argc() - numkeys_idx - 1)) {
    c.reply.Error(kErrSyntax);
    return false;
  }
  const size_t where_idx = numkeys_idx + static_cast<size_t>(*numkeys) + 1;
  if (!EndArg(c, where_idx, where)) return false;
  *count = -1;
  for (size_t j = where_idx + 1; j < c.argc(); ++j) {
    if (*count == -1 && c.ArgIs(j, "count") && j + 1 < c.argc()) {
      ++j;
      if (!c.RangeArg(j, 1, INT64_MAX, count, "ERR count should be greater than 0")) return false;
    } else {
      c.reply.Error(kErrSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  return true;
}

// BLPOP / BRPOP / BLMPOP (blockingPopGenericCommand): the timeout first,
// then the first non-empty list among the keys is popped as [LR]POP (or
// LMPOP) would; none: inside MULTI a null array, else the session blocks.
// `count` is -1 for BLPOP / BRPOP.
void BlockingPop(CommandContext& c, size_t first_key, size_t numkeys, End where, size_t timeout_idx,
                 int64_t count) {
  int64_t timeout;
  if (!c.TimeoutArg(timeout_idx, &timeout)) return;
  for (size_t j = first_key; j < first_key + numkeys; ++j) {
    const std::string& key = c.arg(j);
    List* l;
    if (!c.FindAs(key, &l)) return;
    if (l == nullptr || l->empty()) continue;
    if (count != -1) {
      // Propagated as [LR]POP key <count, at most the length>.
      PropagatePopCount(c, key, *l, where, count);
      PopRangeWithKey(c, key, *l, where, count);
      return;
    }
    c.PropagateAs({where == End::kLeft ? "LPOP" : "RPOP", key});  // as [LR]POP key
    c.reply.ArrayHeader(2);
    c.reply.Bulk(key);
    if (where == End::kLeft) {
      c.reply.Bulk(l->front());
      l->pop_front();
    } else {
      c.reply.Bulk(l->back());
      l->pop_back();
    }
    c.NotifyTouched(kNotifyList, where == End::kLeft ? "lpop" : "rpop", key);
    c.Dirty();
    return;
  }
  if (c.engine.DenyBlocking()) {
    c.reply.NullArray();
    return;
  }
  BlockState b;
  b.type = BlockType::kList;
  b.db = c.db;
  b.keys.assign(c.argv.begin() + first_key, c.argv.begin() + first_key + numkeys);
  b.timeout_ms = timeout;
  b.argv.assign(c.argv.begin(), c.argv.end());
  b.left = where == End::kLeft;
  b.count = count;
  c.engine.Block(c.session, std::move(b));
}

void CmdBlpop(CommandContext& c) { BlockingPop(c, 1, c.argc() - 2, End::kLeft, c.argc() - 1, -1); }
void CmdBrpop(CommandContext& c) { BlockingPop(c, 1, c.argc() - 2, End::kRight, c.argc() - 1, -1); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] (mpopGenericCommand):
// the first non-empty list, else a null array.
void CmdLmpop(CommandContext& c) {
  int64_t numkeys, count;
  End where;
  if (!ParseMpop(c, 1, &numkeys, &where, &count)) return;
  for (size_t j = 2; j < 2 + static_cast<size_t>(numkeys); ++j) {
    const std::string& key = c.arg(j);
    List* l;
    if (!c.FindAs(key, &l)) return;
    if (l == nullptr || l->empty()) continue;
    PropagatePopCount(c, key, *l, where, count);
    PopRangeWithKey(c, key, *l, where, count);
    return;
  }
  c.reply.NullArray();
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the
// arguments after the timeout are checked first.
void CmdBlmpop(CommandContext& c) {
  int64_t numkeys, count;
  End where;
  if (!ParseMpop(c, 2, &numkeys, &where, &count)) return;
  BlockingPop(c, 3, static_cast<size_t>(numkeys), where, 1, count);
}

// blmoveGenericCommand: an existing source is LMOVE; a missing one replies
// a null bulk inside MULTI, else blocks.
void BlockingMove(CommandContext& c, End from, End to, int64_t timeout) {
  List* sl;
  if (!c.FindAs(c.arg(1), &sl)) return;
  if (sl != nullptr) {
    // Propagated as LMOVE (its position words as sent) or RPOPLPUSH.
    if (c.spec.name == "blmove") {
      c.PropagateAs({"LMOVE", c.arg(1), c.arg(2), c.arg(3), c.arg(4)});
    } else {
      c.PropagateAs({"RPOPLPUSH", c.arg(1), c.arg(2)});
    }
    Move(c, from, to);
    return;
  }
  if (c.engine.DenyBlocking()) {
    c.reply.Null();
    return;
  }
  BlockState b;
  b.type = BlockType::kList;
  b.db = c.db;
  b.keys = {c.arg(1)};
  b.timeout_ms = timeout;
  b.argv.assign(c.argv.begin(), c.argv.end());
  b.left = from == End::kLeft;
  b.to_left = to == End::kLeft;
  b.target = c.arg(2);
  b.has_target = true;
  c.engine.Block(c.session, std::move(b));
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: the positions,
// then the timeout.
void CmdBlmove(CommandContext& c) {
  End from, to;
  if (!EndArg(c, 3, &from) || !EndArg(c, 4, &to)) return;
  int64_t timeout;
  if (!c.TimeoutArg(5, &timeout)) return;
  BlockingMove(c, from, to, timeout);
}

void CmdBrpoplpush(CommandContext& c) {
  int64_t timeout;
  if (!c.TimeoutArg(3, &timeout)) return;
  BlockingMove(c, End::kRight, End::kLeft, timeout);
}

constexpr std::array<CommandSpec, 22> kCommands = {{
    {"lpush", -3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdLpush},
    {"rpush", -3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdRpush},
    {"lpushx", -3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdLpushx},
    {"rpushx", -3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdRpushx},
    {"lpop", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdLpop},
    {"rpop", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdRpop},
    {"llen", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdLlen},
    {"lrange", 4, kCmdReadonly, 1, 1, 1, CmdLrange},
    {"lindex", 3, kCmdReadonly, 1, 1, 1, CmdLindex},
    {"lset", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdLset},
    {"lrem", 4, kCmdWrite, 1, 1, 1, CmdLrem},
    {"ltrim", 4, kCmdWrite, 1, 1, 1, CmdLtrim},
    {"linsert", 5, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdLinsert},
    {"lpos", -3, kCmdReadonly, 1, 1, 1, CmdLpos},
    {"lmove", 5, kCmdWrite | kCmdDenyOom, 1, 2, 1, CmdLmove},
    {"rpoplpush", 3, kCmdWrite | kCmdDenyOom, 1, 2, 1, CmdRpoplpush},
    {"lmpop", -4, kCmdWrite | kCmdMovableKeys, 0, 0, 0, CmdLmpop},
    {"blpop", -3, kCmdWrite | kCmdNoScript, 1, -2, 1, CmdBlpop},
    {"brpop", -3, kCmdWrite | kCmdNoScript, 1, -2, 1, CmdBrpop},
    {"blmpop", -5, kCmdWrite | kCmdMovableKeys, 0, 0, 0, CmdBlmpop},
    {"blmove", 6, kCmdWrite | kCmdDenyOom | kCmdNoScript, 1, 2, 1, CmdBlmove},
    {"brpoplpush", 4, kCmdWrite | kCmdDenyOom | kCmdNoScript, 1, 2, 1, CmdBrpoplpush},
}};

}  // namespace

// serveClientBlockedOnList. BLPOP / BRPOP pop without signalling the key
// (the push that made it ready did), and delete an emptied list quietly;
// BLMPOP pops as LMPOP (signalled); BLMOVE checks the destination's type
// (WRONGTYPE to the blocked session, nothing popped), pushes there
// (signalling the destination, which may make it ready in turn) and deletes
// an emptied source quietly. The source is not looked up again (it was,
// once, by HandleClientsBlockedOnKeys): no second touch of its LRU / LFU
// (redis-server 7.0.15 with allkeys-lfu and lfu-log-factor 0: a list made
// by the RPUSH that serves a BLPOP, BLMPOP or BLMOVE has frequency 6, one
// touch past LFU_INIT_VAL).
bool ServeBlockedList(CommandContext& c, const std::string& key, const BlockState& b) {
  List& l = As<List>(*c.ks.FindNoTouch(c.db, key));
  const End where = b.left ? End::kLeft : End::kRight;
  auto pop = [&] {
    std::string v;
    if (where == End::kLeft) {
      v = std::move(l.front());
      l.pop_front();
    } else {
      v = std::move(l.back());
      l.pop_back();
    }
    return v;
  };
  // serveClientBlockedOnList's alsoPropagate, in the key's db: [LR]POP
  // key (with the count for BLMPOP), LMOVE / RPOPLPUSH after the push.
  if (!b.has_target) {
    if (b.count != -1) {
      PropagatePopCount(c, key, l, where, b.count, /*served=*/true);
      PopRangeWithKey(c, key, l, where, b.count);
      return c.ks.Peek(c.db, key) == nullptr;
    }
    c.AlsoPropagate({where == End::kLeft ? "LPOP" : "RPOP", key});
    const std::string v = pop();
    c.reply.ArrayHeader(2);
    c.reply.Bulk(key);
    c.reply.Bulk(v);
    c.Notify(kNotifyList, where == End::kLeft ? "lpop" : "rpop", key);
    if (!l.empty()) return false;
    c.ks.DeleteQuietly(c.db, key);
    c.Notify(kNotifyGeneric, "del", key);
    return true;
  }
  Object* d = c.ks.Find(c.db, b.target);
  if (d != nullptr && !Is<List>(*d)) {
    c.reply.Error(kErrWrongType);
    return false;
  }
  std::string v = pop();
  if (d == nullptr) {
    c.ks.Store(c.db, b.target, Object(List{v}), false);
  } else {
    List& dl = As<List>(*d);
    if (b.to_left) {
      dl.push_front(v);
    } else {
      dl.push_back(v);
    }
    c.ks.Touched(c.db, b.target);
  }
  c.Notify(kNotifyList, b.to_left ? "lpush" : "rpush", b.target);
  c.reply.Bulk(v);  // lmoveHandlePush: the event, then the reply
  if (OptEquals(b.argv[0], "brpoplpush")) {
    c.AlsoPropagate({"RPOPLPUSH", key, b.target});
  } else {
    c.AlsoPropagate(
        {"LMOVE", key, b.target, b.left ? "left" : "right", b.to_left ? "left" : "right"});
  }
  c.Notify(kNotifyList, where == End::kLeft ? "lpop" : "rpop", key);
  const Object* src = c.ks.Peek(c.db, key);
  if (src != nullptr && As<List>(*src).empty()) {
    c.ks.DeleteQuietly(c.db, key);
    c.Notify(kNotifyGeneric, "del", key);
    return true;
  }
  return false;
}

std::span<const CommandSpec> ListCommands() { return kCommands; }

}  // namespace respfuzz::engine
