#include "tools/oracle_sort.h"

#include <string_view>

#include "src/engine/engine.h"
#include "src/engine/object.h"

namespace respfuzz::oracle {

namespace {

bool IEq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool HasStar(const std::string& pattern) {
  return std::string_view(pattern).substr(0, pattern.find('\0')).find('*') !=
         std::string_view::npos;
}

}  // namespace

bool IsSortCommand(const std::string& name) { return IEq(name, "sort") || IEq(name, "sort_ro"); }

std::string SortNotComparable(const engine::Engine& e, int db,
                              const std::vector<std::string>& argv) {
  if (argv.size() < 2 || !IsSortCommand(argv[0])) return "";
  const bool ro = IEq(argv[0], "sort_ro");
  bool alpha = false, limit = false, store = false, by = false, by_star = false;
  for (size_t j = 2; j < argv.size(); ++j) {
    const size_t left = argv.size() - j - 1;
    if (IEq(argv[j], "alpha")) {
      alpha = true;
    } else if (IEq(argv[j], "limit") && left >= 2) {
      limit = true;
      j += 2;
    } else if (!ro && IEq(argv[j], "store") && left >= 1) {
      store = true;
      ++j;
    } else if (IEq(argv[j], "by") && left >= 1) {
      by = true;
      by_star = HasStar(argv[j + 1]);
      ++j;
    } else if (IEq(argv[j], "get") && left >= 1) {
      ++j;
    }
  }
  const engine::Object* o = e.keyspace().Peek(db, argv[1]);
  const bool hash_set = o != nullptr && engine::Is<engine::Set>(*o) && o->hashtable();
  const bool zset = o != nullptr && engine::Is<engine::ZSet>(*o);
  if (hash_set && by && !by_star && !store) {
    return "an unsorted hash-table set: the server's iteration order";
  }
  if (alpha && by_star && (hash_set || zset)) {
    return "ALPHA BY over a hash-table set or a sorted set: ties keep the server's iteration order";
  }
  if (alpha && by_star && limit) {
    return "ALPHA BY with LIMIT: the server's partial quicksort is not stable";
  }
  return "";
}

bool IsStaleErrnoSortError(const std::vector<std::string>& argv, const resp::Value& engine_reply,
                           const resp::Value& server_reply) {
  static constexpr std::string_view kErr = "ERR One or more scores can't be converted into double";
  if (argv.empty() || !IsSortCommand(argv[0])) return false;
  const bool server_err = server_reply.type == resp::Type::kError && server_reply.str == kErr;
  const bool engine_err = engine_reply.type == resp::Type::kError && engine_reply.str == kErr;
  return server_err && !engine_err;
}

}  // namespace respfuzz::oracle
