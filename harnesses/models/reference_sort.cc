// SORT and SORT_RO in the reference model (sort.c of Redis 7.0.15), written
// plainly from the rules in docs/fidelity.md ("SORT"):
//   - options first (ASC, DESC, ALPHA, LIMIT start count, STORE dst for SORT,
//     BY pattern, GET pattern; a word short of its arguments or unknown is a
//     syntax error), then the key: list, set or sorted set, else WRONGTYPE;
//   - BY without '*' (before any NUL): no sorting (a set so treated with
//     STORE is sorted ALPHA instead); lists and sorted sets keep their order,
//     reversed by DESC; a set gives its members as an intset holds them
//     (ascending numbers), or in byte order for a hash-table set;
//   - a sorted set is converted to a skiplist;
//   - numbers are read with strtod, a failure is an error for the whole
//     command; ties between numbers order by the elements' bytes;
//   - ALPHA compares C strings (up to a NUL) unless STORE is given, then all
//     the bytes; ALPHA BY puts missing values first; ties keep their place;
//   - a pattern is '#' (the element), or a key made by replacing the '*',
//     with "->field" after it naming a hash field.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

using resp::Value;

namespace {

// What a C function sees of a byte string.
std::string UpToNul(const std::string& s) {
  size_t nul = s.find('\0');
  return nul == std::string::npos ? s : s.substr(0, nul);
}

// The value `pattern` finds for `element`; false when nothing.
bool FindByPattern(Ctx& c, const std::string& pattern, const std::string& element,
                   std::string* value) {
  std::string visible = UpToNul(pattern);
  if (visible == "#") {
    *value = element;
    return true;
  }
  size_t star = visible.find('*');
  if (star == std::string::npos) return false;
  std::string field;
  bool is_hash = false;
  std::string after = pattern.substr(star + 1);  // the rest, all bytes
  size_t arrow = visible.find("->", star + 1);
  if (arrow != std::string::npos && arrow + 2 < visible.size()) {
    is_hash = true;
    field = pattern.substr(arrow + 2);
    after = pattern.substr(star + 1, arrow - star - 1);
  }
  std::string key = pattern.substr(0, star) + element + after;
  Object* o = LookupKey(c.st, c.db(), key);
  if (o == nullptr) return false;
  if (is_hash) {
    if (o->kind != Kind::kHash) return false;
    auto it = o->hash.find(field);
    if (it == o->hash.end()) return false;
    *value = it->second;
    return true;
  }
  if (o->kind != Kind::kString) return false;
  *value = o->str;
  return true;
}

// strtod as sort.c checks it: all of the C string read, no ERANGE, no NaN.
bool ReadWeight(const std::string& text, double* out) {
  std::string visible = UpToNul(text);
  errno = 0;
  char* end = nullptr;
  *out = strtod(visible.c_str(), &end);
  if (*end != '\0') return false;
  if (errno == ERANGE) return false;
  return !std::isnan(*out);
}

// -1, 0, 1: memcmp-then-length on all bytes, or on the C strings.
int CompareText(const std::string& a, const std::string& b, bool all_bytes) {
  std::string x = all_bytes ? a : UpToNul(a);
  std::string y = all_bytes ? b : UpToNul(b);
  if (x < y) return -1;
  if (y < x) return 1;
  return 0;
}

struct Entry {
  std::string element;
  double weight = 0;
  bool found = false;  // ALPHA BY: a value was found
  std::string by;
};

Value Sort(Ctx& c, bool read_only) {
  bool desc = false, alpha = false, nosort = false;
  bool has_by = false, has_store = false;
  std::string by, store;
  std::vector<std::string> gets;
  int64_t offset = 0, count = -1;
  size_t i = 2;
  while (i < c.argc()) {
    const std::string& word = c.argv[i];
    size_t more = c.argc() - i - 1;
    if (EqualsIgnoreCase(word, "asc")) {
      desc = false;
      i += 1;
    } else if (EqualsIgnoreCase(word, "desc")) {
      desc = true;
      i += 1;
    } else if (EqualsIgnoreCase(word, "alpha")) {
      alpha = true;
      i += 1;
    } else if (EqualsIgnoreCase(word, "limit") && more >= 2) {
      Value err;
      if (!c.GetLong(c.argv[i + 1], &offset, &err)) return err;
      if (!c.GetLong(c.argv[i + 2], &count, &err)) return err;
      i += 3;
    } else if (!read_only && EqualsIgnoreCase(word, "store") && more >= 1) {
      has_store = true;
      store = c.argv[i + 1];
      i += 2;
    } else if (EqualsIgnoreCase(word, "by") && more >= 1) {
      has_by = true;
      by = c.argv[i + 1];
      nosort = UpToNul(by).find('*') == std::string::npos;
      i += 2;
    } else if (EqualsIgnoreCase(word, "get") && more >= 1) {
      gets.push_back(c.argv[i + 1]);
      i += 2;
    } else {
      return c.Syntax();
    }
  }

  Object* o = LookupKey(c.st, c.db(), c.argv[1]);
  Kind kind = Kind::kList;
  if (o != nullptr) {
    kind = o->kind;
    if (kind != Kind::kList && kind != Kind::kSet && kind != Kind::kZSet) return c.WrongType();
  }
  if (nosort && kind == Kind::kSet && has_store) {
    nosort = false;
    alpha = true;
    has_by = false;
  }
  if (kind == Kind::kZSet) o->zset_skiplist = true;

  // The elements in the key's own order.
  std::vector<std::string> elements;
  if (o != nullptr && kind == Kind::kList) elements = o->list;
  if (o != nullptr && kind == Kind::kSet) {
    for (const std::string& m : o->set) elements.push_back(m);  // byte order
    if (!o->set_hashtable) {
      std::stable_sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) {
        // Integers first, by value (an intset holds nothing else); any
        // other member after them, by bytes.
        int64_t x = 0, y = 0;
        bool xi = String2ll(a, &x), yi = String2ll(b, &y);
        if (xi != yi) return xi;
        if (xi && x != y) return x < y;
        return a < b;
      });
    }
  }
  if (o != nullptr && kind == Kind::kZSet) {
    std::vector<std::pair<double, std::string>> ranked;
    for (const auto& [m, s] : o->zset) ranked.emplace_back(s, m);
    std::sort(ranked.begin(), ranked.end());
    for (const auto& [s, m] : ranked) elements.push_back(m);
  }
  const int64_t n = static_cast<int64_t>(elements.size());

  // The window [first, last] of the result: from the offset (at least 0),
  // count elements (all when negative), within the elements.
  int64_t first = offset < 0 ? 0 : offset;
  int64_t last = n - 1;
  if (first >= n) {
    first = n - 1;
    last = n - 2;
  } else if (count >= 0 && count <= n) {
    last = std::min(first + count - 1, n - 1);
  }

  std::vector<Entry> entries;
  for (const std::string& e : elements) {
    Entry entry;
    entry.element = e;
    entries.push_back(entry);
  }
  bool bad_number = false;
  if (nosort) {
    if (kind != Kind::kSet && desc) std::reverse(entries.begin(), entries.end());
  } else {
    for (Entry& e : entries) {
      std::string value;
      if (has_by) {
        if (!FindByPattern(c, by, e.element, &value)) continue;
      } else {
        value = e.element;
      }
      if (alpha) {
        if (has_by) {
          e.found = true;
          e.by = value;
        }
      } else if (!ReadWeight(value, &e.weight)) {
        bad_number = true;
      }
    }
    auto order = [&](const Entry& a, const Entry& b) -> int {
      if (!alpha) {
        if (a.weight < b.weight) return -1;
        if (a.weight > b.weight) return 1;
        return CompareText(a.element, b.element, true);
      }
      if (has_by) {
        if (!a.found && !b.found) return 0;
        if (!a.found) return -1;
        if (!b.found) return 1;
        return CompareText(a.by, b.by, has_store);
      }
      return CompareText(a.element, b.element, has_store);
    };
    // A plain insertion sort: stable, moves an entry left past the entries
    // that order after it.
    for (size_t k = 1; k < entries.size(); ++k) {
      Entry moving = entries[k];
      size_t at = k;
      while (at > 0) {
        int r = order(entries[at - 1], moving);
        if (desc) r = -r;
        if (r <= 0) break;
        entries[at] = entries[at - 1];
        --at;
      }
      entries[at] = moving;
    }
  }
  if (bad_number) return c.Err("One or more scores can't be converted into double");

  std::vector<Value> reply;
  std::vector<std::string> stored;
  for (int64_t k = first; k <= last; ++k) {
    const std::string& e = entries[static_cast<size_t>(k)].element;
    if (gets.empty()) {
      reply.push_back(c.Bulk(e));
      stored.push_back(e);
    }
    for (const std::string& pattern : gets) {
      std::string value;
      if (FindByPattern(c, pattern, e, &value)) {
        reply.push_back(c.Bulk(value));
        stored.push_back(value);
      } else {
        reply.push_back(c.Null());
        stored.push_back("");
      }
    }
  }
  if (!has_store) return c.Array(std::move(reply));
  int64_t len = static_cast<int64_t>(stored.size());
  if (len > 0) {
    Object list;
    list.kind = Kind::kList;
    list.list = std::move(stored);
    SetKey(c.st, c.db(), store, std::move(list), false, -1);
    c.Notify(kNotifyList, "sortstore", store);
  } else if (DbDelete(c.st, c.db(), store)) {
    SignalModifiedKey(c.st, c.db(), store);
    c.Notify(kNotifyGeneric, "del", store);
  }
  return c.Int(len);
}

Value SortCmd(Ctx& c) { return Sort(c, false); }
Value SortRo(Ctx& c) { return Sort(c, true); }

}  // namespace

std::vector<CommandSpec> SortCommands() { return {{"sort", -2, SortCmd}, {"sort_ro", -2, SortRo}}; }

}  // namespace respfuzz::models::refmodel
