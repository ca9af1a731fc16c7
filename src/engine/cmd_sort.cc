// SORT and SORT_RO, as Redis 7.0.15's sortCommandGeneric.
//
// What fixes the answer, bit for bit:
// - The options are read first, left to right (ASC DESC ALPHA, LIMIT offset
//   count, STORE dest (SORT only), BY pattern, GET pattern); an option short
//   of its arguments is a syntax error, and a bad LIMIT number is
//   "ERR value is not an integer or out of range". Only then is the key
//   looked up: a list, a set or a sorted set, else WRONGTYPE; a missing key
//   sorts as an empty list. A standalone server applies no cluster or ACL
//   restriction to BY and GET.
// - A BY pattern without a '*' (as strchr sees it: up to a NUL) does not
//   sort: a list or a sorted set keeps its own order (DESC reverses it) and
//   LIMIT slices it; a set keeps its iteration order (DESC ignored), except
//   with STORE or inside a script, where it is sorted ALPHA (so the result is
//   the same on every replica). The iteration order of an intset is ascending
//   by value; a hash-table set's is Redis's hash order, for which the engine
//   substitutes bytewise order (a documented canonical order; the oracle does
//   not compare those replies).
// - SORT converts a listpack sorted set to a skiplist (zsetConvert) before
//   anything else, whatever it then replies.
// - Numeric sorting: each element's weight (the element itself, or the value
//   BY's pattern finds, 0 when it finds none) is read with strtod: leading
//   spaces are skipped, hex floats and inf are numbers, the empty string is 0,
//   the text ends at a NUL, and a rest, an ERANGE (overflow, underflow) or a
//   NaN is "One or more scores can't be converted into double". Equal weights
//   order by the elements' bytes (binary-safe).
// - ALPHA without BY compares the elements as strcoll in the C collation
//   (C.UTF-8 collates bytewise), which stops at a NUL; with STORE, binary-safe
//   bytes. ALPHA with BY compares the values found (a missing one sorts first)
//   the same way. Ties keep the input order (glibc 2.36's qsort is a stable
//   merge sort); DESC reverses the comparison, not the ties. Redis sorts a BY
//   with a LIMIT that narrows the range with its own partial quicksort, which
//   is not stable: there, ties under ALPHA BY may come out in another order
//   than the engine's (the oracle does not compare them).
// - A pattern (lookupKeyByPattern): "#" (up to a NUL) is the element itself;
//   without '*' nothing; else the '*' is replaced by the element, and a "->"
//   after the '*' followed by at least one byte names a hash field; the key
//   is read as lookupKeyRead (lazy expiry), and must hold a string (a hash
//   with a field), else nothing.
// - GET replies a nil for nothing; STORE pushes "" for it. STORE writes the
//   result as a list (TTL cleared), or deletes the destination when the
//   result is empty; it replies the result's length. Keyspace events:
//   "sortstore" (list class), or "del" (generic) for a deleted destination,
//   published before the reply; the dirty counter grows by the result's
//   length (1 for a deletion).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/engine/command.h"
#include "src/engine/engine.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

namespace {

// The part of `s` a C string function sees.
std::string_view CString(std::string_view s) { return s.substr(0, s.find('\0')); }

// lookupKeyByPattern: the value `pattern` finds for element `subst`.
std::optional<std::string> LookupByPattern(CommandContext& c, std::string_view pattern,
                                           std::string_view subst) {
  const std::string_view cpat = CString(pattern);
  if (cpat == "#") return std::string(subst);
  const size_t star = cpat.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  const size_t arrow = cpat.find("->", star + 1);
  const bool has_field = arrow != std::string_view::npos && arrow + 2 < cpat.size();
  const size_t fieldlen = has_field ? pattern.size() - arrow - 2 : 0;
  const size_t postfixlen = pattern.size() - (star + 1) - (has_field ? fieldlen + 2 : 0);
  std::string key;
  key.reserve(star + subst.size() + postfixlen);
  key.append(pattern.substr(0, star));
  key.append(subst);
  key.append(pattern.substr(star + 1, postfixlen));
  const Object* o = c.Find(key);
  if (o == nullptr) return std::nullopt;
  if (has_field) {
    if (!Is<Hash>(*o)) return std::nullopt;
    const Hash& h = As<Hash>(*o);
    const std::string* v = h.Find(pattern.substr(arrow + 2));
    if (v == nullptr) return std::nullopt;
    return *v;
  }
  if (!Is<std::string>(*o)) return std::nullopt;
  return As<std::string>(*o);
}

// The numeric weight of a text, as sortCommandGeneric reads it with strtod.
bool SortWeight(const std::string& text, double* out) {
  // A text an integer object would hold is converted exactly, no strtod.
  if (auto v = resp::ParseInt64(text)) {
    *out = static_cast<double>(*v);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  *out = d;
  return *end == '\0' && errno != ERANGE && !std::isnan(d);
}

// compareStringObjects (binary-safe) or strcoll in the C collation.
int CompareBytes(std::string_view a, std::string_view b, bool binary) {
  if (!binary) {
    a = CString(a);
    b = CString(b);
  }
  const int cmp = a.compare(b);
  return cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
}

struct Item {
  explicit Item(std::string e) : elem(std::move(e)) {}
  std::string elem;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the value found
};

void SortGeneric(CommandContext& c, bool readonly) {
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  const std::string* sortby = nullptr;
  const std::string* storekey = nullptr;
  std::vector<const std::string*> gets;
  for (size_t j = 2; j < c.argc(); ++j) {
    const size_t leftargs = c.argc() - j - 1;
    if (c.ArgIs(j, "asc")) {
      desc = false;
    } else if (c.ArgIs(j, "desc")) {
      desc = true;
    } else if (c.ArgIs(j, "alpha")) {
      alpha = true;
    } else if (c.ArgIs(j, "limit") && leftargs >= 2) {
      if (!c.IntArg(j + 1, &limit_start) || !c.IntArg(j + 2, &limit_count)) return;
      j += 2;
    } else if (!readonly && c.ArgIs(j, "store") && leftargs >= 1) {
      storekey = &c.arg(j + 1);
      ++j;
    } else if (c.ArgIs(j, "by") && leftargs >= 1) {
      sortby = &c.arg(j + 1);
      dontsort = CString(*sortby).find('*') == std::string_view::npos;
      ++j;
    } else if (c.ArgIs(j, "get") && leftargs >= 1) {
      gets.push_back(&c.arg(j + 1));
      ++j;
    } else {
      c.reply.Error(kErrSyntax);
      return;
    }
  }
  // SORT is a write command, but its lookups are lookupKeyRead's (hits and
  // misses counted).
  c.ks.set_count_reads(true);
  Object* o = c.Find(c.arg(1));
  if (o != nullptr && !Is<List>(*o) && !Is<Set>(*o) && !Is<ZSet>(*o)) {
    c.reply.Error(kErrWrongType);
    return;
  }
  const bool is_set = o != nullptr && Is<Set>(*o);
  const bool is_zset = o != nullptr && Is<ZSet>(*o);
  const bool is_list = !is_set && !is_zset;  // a missing key sorts as an empty list
  if (dontsort && is_set && (storekey != nullptr || c.engine.in_script())) {
    dontsort = false;
    alpha = true;
    sortby = nullptr;
  }
  if (is_zset) As<ZSet>(*o).set_listpack(false);

  int64_t vectorlen = 0;
  if (is_list && o != nullptr) vectorlen = static_cast<int64_t>(As<List>(*o).size());
  if (is_set) vectorlen = static_cast<int64_t>(As<Set>(*o).size());
  if (is_zset) vectorlen = static_cast<int64_t>(As<ZSet>(*o).size());

  // LIMIT's sanity checks (the end saturates where Redis's sum would not fit).
  int64_t start = limit_start < 0 ? 0 : limit_start;
  int64_t end = 0;
  if (limit_count < 0) {
    end = vectorlen - 1;
  } else {
    const __int128 e = static_cast<__int128>(start) + limit_count - 1;
    end = e >= vectorlen ? vectorlen - 1 : static_cast<int64_t>(e);
  }
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  std::vector<Item> vector;
  if ((is_list || is_zset) && dontsort) {
    // Only the range, in the key's own order (reversed by DESC).
    if (end >= start) {
      std::vector<std::string_view> order;
      if (is_list) {
        const List& l = As<List>(*o);
        for (int64_t i = start; i <= end; ++i) {
          order.push_back(desc ? l[static_cast<size_t>(vectorlen - 1 - i)]
                               : l[static_cast<size_t>(i)]);
        }
      } else {
        const ZSet& z = As<ZSet>(*o);
        std::vector<std::string_view> all;
        for (const ZSet::Entry& e : z.index()) all.push_back(e.second);
        for (int64_t i = start; i <= end; ++i) {
          order.push_back(desc ? all[static_cast<size_t>(vectorlen - 1 - i)]
                               : all[static_cast<size_t>(i)]);
        }
      }
      for (std::string_view e : order) vector.emplace_back(std::string(e));
      end -= start;
      start = 0;
    }
  } else if (is_list && o != nullptr) {
    for (const std::string& e : As<List>(*o)) vector.emplace_back(e);
  } else if (is_set) {
    for (const std::string& e : As<Set>(*o)) vector.emplace_back(e);
    if (!o->hashtable()) {
      // An intset iterates in ascending value (every member is an integer;
      // were one not, it would come after them, by bytes).
      std::sort(vector.begin(), vector.end(), [](const Item& a, const Item& b) {
        const auto x = resp::ParseInt64(a.elem);
        const auto y = resp::ParseInt64(b.elem);
        if (x.has_value() != y.has_value()) return x.has_value();
        if (x && *x != *y) return *x < *y;
        return a.elem < b.elem;
      });
    } else {
      std::sort(vector.begin(), vector.end(),
                [](const Item& a, const Item& b) { return a.elem < b.elem; });
    }
  } else if (is_zset) {
    for (const ZSet::Entry& e : As<ZSet>(*o).index()) vector.emplace_back(e.second);
  }

  bool conversion_error = false;
  if (!dontsort) {
    for (Item& it : vector) {
      std::optional<std::string> byval;
      if (sortby != nullptr) {
        byval = LookupByPattern(c, *sortby, it.elem);
        if (!byval) continue;
      }
      if (alpha) {
        if (sortby != nullptr) it.by = std::move(byval);
      } else {
        const std::string& text = sortby != nullptr ? *byval : it.elem;
        if (!SortWeight(text, &it.score)) conversion_error = true;
      }
    }
    const bool bypattern = sortby != nullptr;
    const bool binary = storekey != nullptr;
    auto cmp = [&](const Item& a, const Item& b) {
      int r = 0;
      if (!alpha) {
        if (a.score > b.score) {
          r = 1;
        } else if (a.score < b.score) {
          r = -1;
        } else {
          r = CompareBytes(a.elem, b.elem, true);
        }
      } else if (bypattern) {
        if (!a.by || !b.by) {
          r = a.by.has_value() == b.by.has_value() ? 0 : (!a.by ? -1 : 1);
        } else {
          r = CompareBytes(*a.by, *b.by, binary);
        }
      } else {
        r = CompareBytes(a.elem, b.elem, binary);
      }
      return (desc ? -r : r) < 0;
    };
    std::stable_sort(vector.begin(), vector.end(), cmp);
  }

  const int64_t n = end - start + 1;
  const int64_t outputlen = gets.empty() ? n : static_cast<int64_t>(gets.size()) * n;
  if (conversion_error) {
    c.reply.Error("ERR One or more scores can't be converted into double");
    return;
  }
  if (storekey == nullptr) {
    c.reply.ArrayHeader(outputlen);
    for (int64_t j = start; j <= end; ++j) {
      const std::string& elem = vector[static_cast<size_t>(j)].elem;
      if (gets.empty()) c.reply.Bulk(elem);
      for (const std::string* pattern : gets) {
        std::optional<std::string> val = LookupByPattern(c, *pattern, elem);
        if (val) {
          c.reply.Bulk(*val);
        } else {
          c.reply.Null();
        }
      }
    }
    return;
  }
  List result;
  for (int64_t j = start; j <= end; ++j) {
    const std::string& elem = vector[static_cast<size_t>(j)].elem;
    if (gets.empty()) result.push_back(elem);
    for (const std::string* pattern : gets) {
      std::optional<std::string> val = LookupByPattern(c, *pattern, elem);
      result.push_back(val ? std::move(*val) : std::string());
    }
  }
  c.ks.set_count_reads(false);
  // The events and the dirty count come before the reply, as in Redis.
  if (outputlen > 0) {
    c.ks.SetKey(c.db, *storekey, Object(std::move(result)));
    c.Notify(kNotifyList, "sortstore", *storekey);
    c.Dirty(outputlen);
  } else if (c.ks.DeleteStored(c.db, *storekey)) {
    c.Notify(kNotifyGeneric, "del", *storekey);
    c.Dirty();
  }
  c.reply.Integer(outputlen);
}

void CmdSort(CommandContext& c) { SortGeneric(c, /*readonly=*/false); }
void CmdSortRo(CommandContext& c) { SortGeneric(c, /*readonly=*/true); }

constexpr std::array<CommandSpec, 2> kCommands = {{
    {"sort", -2, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, 1, 1, 1, CmdSort},
    {"sort_ro", -2, kCmdReadonly | kCmdMovableKeys, 1, 1, 1, CmdSortRo},
}};

}  // namespace

std::span<const CommandSpec> SortCommands() { return kCommands; }

}  // namespace respfuzz::engine
