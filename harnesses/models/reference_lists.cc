// List commands of the reference model (t_list.c): LPUSH RPUSH LPUSHX RPUSHX
// LPOP RPOP LLEN LRANGE LINDEX LSET LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH.
#include <climits>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

enum Where { kHead, kTail };

// lookupKey*OrReply + checkType: nullptr with *reply set when done.
Object* LookupList(Ctx& c, const std::string& key, const Value& missing, Value* reply) {
  Object* o = LookupKey(c.st, c.db(), key);
  if (o == nullptr) {
    *reply = missing;
    return nullptr;
  }
  if (o->kind != Kind::kList) {
    *reply = c.WrongType();
    return nullptr;
  }
  return o;
}

Value PushGeneric(Ctx& c, Where where, bool xx) {
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o != nullptr && o->kind != Kind::kList) return c.WrongType();
  if (o == nullptr) {
    if (xx) return c.Int(0);
    Object l;
    l.kind = Kind::kList;
    o = &DbAdd(c.st, c.db(), c.argv[1], std::move(l));
  }
  for (size_t j = 2; j < c.argc(); ++j) {
    if (where == kHead) {
      o->list.insert(o->list.begin(), c.argv[j]);
    } else {
      o->list.push_back(c.argv[j]);
    }
  }
  Value reply = c.Int(static_cast<int64_t>(o->list.size()));
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  c.Notify(kNotifyList, where == kHead ? "lpush" : "rpush", c.argv[1]);
  return reply;
}

Value LPush(Ctx& c) { return PushGeneric(c, kHead, false); }
Value RPush(Ctx& c) { return PushGeneric(c, kTail, false); }
Value LPushX(Ctx& c) { return PushGeneric(c, kHead, true); }
Value RPushX(Ctx& c) { return PushGeneric(c, kTail, true); }

Value LInsert(Ctx& c) {
  bool after;
  if (EqualsIgnoreCase(c.argv[2], "after")) {
    after = true;
  } else if (EqualsIgnoreCase(c.argv[2], "before")) {
    after = false;
  } else {
    return c.Syntax();
  }
  Value reply;
  Object* o = LookupList(c, c.argv[1], c.Int(0), &reply);
  if (o == nullptr) return reply;
  for (size_t i = 0; i < o->list.size(); ++i) {
    if (o->list[i] == c.argv[3]) {
      o->list.insert(o->list.begin() + static_cast<long>(after ? i + 1 : i), c.argv[4]);
      SignalModifiedKey(c.st, c.db(), c.argv[1]);
      c.Notify(kNotifyList, "linsert", c.argv[1]);
      return c.Int(static_cast<int64_t>(o->list.size()));
    }
  }
  return c.Int(-1);
}

Value LLen(Ctx& c) {
  Value reply;
  Object* o = LookupList(c, c.argv[1], c.Int(0), &reply);
  if (o == nullptr) return reply;
  return c.Int(static_cast<int64_t>(o->list.size()));
}

// A list index as quicklist reads it: negative counts from the tail; -1 when
// out of range.
int64_t ListIndex(const Object& o, int64_t index) {
  int64_t len = static_cast<int64_t>(o.list.size());
  if (index < 0) {
    if (index < -len) return -1;
    index += len;
  }
  if (index >= len) return -1;
  return index;
}

Value LIndex(Ctx& c) {
  Value reply;
  Object* o = LookupList(c, c.argv[1], c.Null(), &reply);
  if (o == nullptr) return reply;
  int64_t index;
  if (!c.GetLong(c.argv[2], &index, &reply)) return reply;
  int64_t i = ListIndex(*o, index);
  if (i < 0) return c.Null();
  return c.Bulk(o->list[static_cast<size_t>(i)]);
}

Value LSet(Ctx& c) {
  Value reply;
  Object* o = LookupList(c, c.argv[1], c.Err("no such key"), &reply);
  if (o == nullptr) return reply;
  int64_t index;
  if (!c.GetLong(c.argv[2], &index, &reply)) return reply;
  int64_t i = ListIndex(*o, index);
  if (i < 0) return c.Err("index out of range");
  o->list[static_cast<size_t>(i)] = c.argv[3];
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  c.Notify(kNotifyList, "lset", c.argv[1]);
  return c.Ok();
}

// addListRangeReply's index arithmetic: the inclusive [start, end] after
// normalisation, or false when the range is empty.
bool NormalizeRange(int64_t llen, int64_t* start, int64_t* end) {
  if (*start < 0) *start = llen + *start;
  if (*end < 0) *end = llen + *end;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= llen) return false;
  if (*end >= llen) *end = llen - 1;
  return true;
}

// listElementsRemoved: lpop/rpop, an emptied list is deleted (del), then
// the key is signalled.
void ElementsRemoved(Ctx& c, const std::string& key, Object* o, Where where) {
  c.Notify(kNotifyList, where == kHead ? "lpop" : "rpop", key);
  if (o->list.empty()) {
    DbDelete(c.st, c.db(), key);
    c.Notify(kNotifyGeneric, "del", key);
  }
  SignalModifiedKey(c.st, c.db(), key);
}

Value PopGeneric(Ctx& c, Where where) {
  bool hascount = c.argc() == 3;
  int64_t count = 0;
  Value reply;
  if (c.argc() > 3) return c.ArityErr();
  if (hascount && !c.GetPositiveLong(c.argv[2], &count, &reply)) return reply;
  Object* o = LookupList(c, c.argv[1], hascount ? c.NullArray() : c.Null(), &reply);
  if (o == nullptr) return reply;
  if (hascount && count == 0) return c.Array();
  if (!hascount) {
    std::string value;
    if (where == kHead) {
      value = o->list.front();
      o->list.erase(o->list.begin());
    } else {
      value = o->list.back();
      o->list.pop_back();
    }
    ElementsRemoved(c, c.argv[1], o, where);
    return c.Bulk(value);
  }
  int64_t llen = static_cast<int64_t>(o->list.size());
  int64_t rangelen = count > llen ? llen : count;
  std::vector<Value> out;
  for (int64_t i = 0; i < rangelen; ++i) {
    if (where == kHead) {
      out.push_back(c.Bulk(o->list.front()));
      o->list.erase(o->list.begin());
    } else {
      out.push_back(c.Bulk(o->list.back()));
      o->list.pop_back();
    }
  }
  ElementsRemoved(c, c.argv[1], o, where);
  return c.Array(std::move(out));
}

Value LPop(Ctx& c) { return PopGeneric(c, kHead); }
Value RPop(Ctx& c) { return PopGeneric(c, kTail); }

Value LRange(Ctx& c) {
  int64_t start, end;
  Value reply;
  if (!c.GetLong(c.argv[2], &start, &reply) || !c.GetLong(c.argv[3], &end, &reply)) return reply;
  Object* o = LookupList(c, c.argv[1], c.Array(), &reply);
  if (o == nullptr) return reply;
  if (!NormalizeRange(static_cast<int64_t>(o->list.size()), &start, &end)) return c.Array();
  std::vector<Value> out;
  for (int64_t i = start; i <= end; ++i) out.push_back(c.Bulk(o->list[static_cast<size_t>(i)]));
  return c.Array(std::move(out));
}

// LTRIM signals the key even when nothing was trimmed.
Value LTrim(Ctx& c) {
  int64_t start, end;
  Value reply;
  if (!c.GetLong(c.argv[2], &start, &reply) || !c.GetLong(c.argv[3], &end, &reply)) return reply;
  Object* o = LookupList(c, c.argv[1], c.Ok(), &reply);
  if (o == nullptr) return reply;
  int64_t llen = static_cast<int64_t>(o->list.size());
  std::vector<std::string> kept;
  if (NormalizeRange(llen, &start, &end)) {
    for (int64_t i = start; i <= end; ++i) kept.push_back(o->list[static_cast<size_t>(i)]);
  }
  o->list = std::move(kept);
  c.Notify(kNotifyList, "ltrim", c.argv[1]);
  if (o->list.empty()) {
    DbDelete(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  SignalModifiedKey(c.st, c.db(), c.argv[1]);
  return c.Ok();
}

Value LPos(Ctx& c) {
  const std::string& ele = c.argv[2];
  bool from_tail = false;
  int64_t rank = 1, count = -1, maxlen = 0;
  Value reply;
  for (size_t j = 3; j < c.argc(); ++j) {
    const std::string& opt = c.argv[j];
    size_t moreargs = (c.argc() - 1) - j;
    if (EqualsIgnoreCase(opt, "RANK") && moreargs) {
      j++;
      if (!c.GetLong(c.argv[j], &rank, &reply)) return reply;
      if (rank == 0) {
        return c.Err(
            "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or "
            "use negative to start from the end of the list");
      }
    } else if (EqualsIgnoreCase(opt, "COUNT") && moreargs) {
      j++;
      if (!c.GetPositiveLong(c.argv[j], &count, &reply, "COUNT can't be negative")) return reply;
    } else if (EqualsIgnoreCase(opt, "MAXLEN") && moreargs) {
      j++;
      if (!c.GetPositiveLong(c.argv[j], &maxlen, &reply, "MAXLEN can't be negative")) return reply;
    } else {
      return c.Syntax();
    }
  }
  if (rank < 0) {
    // -LLONG_MIN wraps to itself in Redis's build: a rank that every match reaches.
    rank = static_cast<int64_t>(0ULL - static_cast<uint64_t>(rank));
    from_tail = true;
  }
  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  if (o == nullptr) return count != -1 ? c.Array() : c.Null();
  if (o->kind != Kind::kList) return c.WrongType();

  int64_t llen = static_cast<int64_t>(o->list.size());
  int64_t index = 0, matches = 0, matchindex = -1;
  std::vector<Value> out;
  while (index < llen && (maxlen == 0 || index < maxlen)) {
    int64_t pos = from_tail ? llen - index - 1 : index;
    if (o->list[static_cast<size_t>(pos)] == ele) {
      matches++;
      matchindex = pos;
      if (matches >= rank) {
        if (count != -1) {
          out.push_back(c.Int(matchindex));
          // matches - rank + 1, with Redis's wrapping arithmetic.
          int64_t seen = static_cast<int64_t>(static_cast<uint64_t>(matches) -
                                              static_cast<uint64_t>(rank) + 1);
          if (count && seen >= count) break;
        } else {
          break;
        }
      }
    }
    index++;
    matchindex = -1;
  }
  if (count != -1) return c.Array(std::move(out));
  if (matchindex != -1) return c.Int(matchindex);
  return c.Null();
}

Value LRem(Ctx& c) {
  int64_t toremove;
  Value reply;
  if (!c.GetLong(c.argv[2], &toremove, &reply)) return reply;
  Object* o = LookupList(c, c.argv[1], c.Int(0), &reply);
  if (o == nullptr) return reply;
  const std::string& obj = c.argv[3];
  int64_t removed = 0;
  if (toremove < 0) {
    toremove = static_cast<int64_t>(0ULL - static_cast<uint64_t>(toremove));
    for (size_t i = o->list.size(); i-- > 0;) {
      if (o->list[i] == obj) {
        o->list.erase(o->list.begin() + static_cast<long>(i));
        removed++;
        if (toremove && removed == toremove) break;
      }
    }
  } else {
    for (size_t i = 0; i < o->list.size();) {
      if (o->list[i] == obj) {
        o->list.erase(o->list.begin() + static_cast<long>(i));
        removed++;
        if (toremove && removed == toremove) break;
      } else {
        ++i;
      }
    }
  }
  if (removed) c.Notify(kNotifyList, "lrem", c.argv[1]);
  if (removed) SignalModifiedKey(c.st, c.db(), c.argv[1]);
  if (o->list.empty()) {
    DbDelete(c.st, c.db(), c.argv[1]);
    c.Notify(kNotifyGeneric, "del", c.argv[1]);
  }
  return c.Int(removed);
}

bool ParseWhere(Ctx& c, const std::string& arg, Where* where) {
  if (EqualsIgnoreCase(arg, "right")) {
    *where = kTail;
  } else if (EqualsIgnoreCase(arg, "left")) {
    *where = kHead;
  } else {
    return false;
  }
  return true;
}

// lmoveGenericCommand. Source and destination may be the same list.
Value LMoveGeneric(Ctx& c, Where wherefrom, Where whereto) {
  const std::string& src = c.argv[1];
  const std::string& dst = c.argv[2];
  Value reply;
  Object* sobj = LookupList(c, src, c.Null(), &reply);
  if (sobj == nullptr) return reply;
  Object* dobj = LookupKey(c.st, c.db(), dst);
  if (dobj != nullptr && dobj->kind != Kind::kList) return c.WrongType();
  std::string value;
  if (wherefrom == kHead) {
    value = sobj->list.front();
    sobj->list.erase(sobj->list.begin());
  } else {
    value = sobj->list.back();
    sobj->list.pop_back();
  }
  if (dobj == nullptr) {
    Object l;
    l.kind = Kind::kList;
    dobj = &DbAdd(c.st, c.db(), dst, std::move(l));
  }
  SignalModifiedKey(c.st, c.db(), dst);
  if (whereto == kHead) {
    dobj->list.insert(dobj->list.begin(), value);
  } else {
    dobj->list.push_back(value);
  }
  c.Notify(kNotifyList, whereto == kHead ? "lpush" : "rpush", dst);
  c.Notify(kNotifyList, wherefrom == kHead ? "lpop" : "rpop", src);
  if (sobj->list.empty()) {
    DbDelete(c.st, c.db(), src);
    c.Notify(kNotifyGeneric, "del", src);
  }
  SignalModifiedKey(c.st, c.db(), src);
  return c.Bulk(value);
}

Value LMove(Ctx& c) {
  Where from, to;
  if (!ParseWhere(c, c.argv[3], &from)) return c.Syntax();
  if (!ParseWhere(c, c.argv[4], &to)) return c.Syntax();
  return LMoveGeneric(c, from, to);
}

Value RPopLPush(Ctx& c) { return LMoveGeneric(c, kTail, kHead); }

}  // namespace

std::vector<CommandSpec> ListCommands() {
  return {
      {"lpush", -3, LPush},        {"rpush", -3, RPush},  {"lpushx", -3, LPushX},
      {"rpushx", -3, RPushX},      {"lpop", -2, LPop},    {"rpop", -2, RPop},
      {"llen", 2, LLen},           {"lrange", 4, LRange}, {"lindex", 3, LIndex},
      {"lset", 4, LSet},           {"lrem", 4, LRem},     {"ltrim", 4, LTrim},
      {"linsert", 5, LInsert},     {"lpos", -3, LPos},    {"lmove", 5, LMove},
      {"rpoplpush", 3, RPopLPush},
  };
}

}  // namespace respfuzz::models::refmodel
