#include <algorithm>
#include <array>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "src/engine/command.h"
#include "src/resp/numbers.h"

namespace respfuzz::engine {

namespace {

struct Table {
  std::vector<const CommandSpec*> all;
  absl::flat_hash_map<std::string, const CommandSpec*, StrHash, StrEq> by_name;
};

const Table& GetTable() {
  static const Table* table = [] {
    auto* t = new Table;
    for (auto slice : {ConnectionCommands(),  StringCommands(),     BitCommands(),
                       KeyCommands(),         ListCommands(),       HashCommands(),
                       SetCommands(),         SortedSetCommands(),  SortedSetAlgebraCommands(),
                       RandomCommands(),      PubSubCommands(),     ScriptingCommands(),
                       InfoCommands(),        StreamCommands(),     MemoryCommands(),
                       CommandCommands(),     SortCommands(),       DumpCommands(),
                       AclCommands(),         SlowlogCommands(),    GeoCommands(),
                       HllCommands(),         LatencyCommands(),    PersistCommands(),
                       MonitorCommands(),     StandaloneCommands(), DebugCommands(),
                       ReplicationCommands(), AofCommands(),        MigrateCommands()}) {
      for (const CommandSpec& c : slice) {
        t->all.push_back(&c);
        t->by_name[c.name] = &c;
      }
    }
    return t;
  }();
  return *table;
}

}  // namespace

std::span<const CommandSpec* const> AllCommands() { return GetTable().all; }

const CommandSpec* FindCommand(std::string_view name) {
  if (name.size() > 32) return nullptr;
  char buf[32];
  for (size_t i = 0; i < name.size(); ++i) {
    buf[i] = absl::ascii_tolower(static_cast<unsigned char>(name[i]));
  }
  const auto& m = GetTable().by_name;
  auto it = m.find(std::string_view(buf, name.size()));
  return it == m.end() ? nullptr : it->second;
}

bool ArityFits(int arity, size_t argc) {
  if (arity > 0) return argc == static_cast<size_t>(arity);
  return argc >= static_cast<size_t>(-arity);
}

bool ArityOk(const CommandSpec& spec, size_t argc) { return ArityFits(spec.arity, argc); }

std::vector<size_t> KeyPositions(const CommandSpec& spec, std::span<const std::string> argv) {
  std::vector<size_t> keys;
  if (spec.name == "sintercard") {
    // SINTERCARD numkeys key [key ...] [LIMIT limit]
    auto n = argv.size() > 1 ? resp::ParseInt64(argv[1]) : std::nullopt;
    if (!n || *n <= 0) return keys;
    for (int64_t i = 0; i < *n && static_cast<size_t>(2 + i) < argv.size(); ++i) {
      keys.push_back(2 + i);
    }
    return keys;
  }
  // ZUNION/ZINTER/ZDIFF/ZINTERCARD numkeys key...; the STORE forms
  // destination numkeys key...
  const bool zstore =
      spec.name == "zunionstore" || spec.name == "zinterstore" || spec.name == "zdiffstore";
  if (zstore || spec.name == "zunion" || spec.name == "zinter" || spec.name == "zdiff" ||
      spec.name == "zintercard") {
    const size_t at = zstore ? 2 : 1;
    if (zstore && argv.size() > 1) keys.push_back(1);
    auto n = argv.size() > at ? resp::ParseInt64(argv[at]) : std::nullopt;
    if (!n || *n <= 0) return keys;
    for (int64_t i = 0; i < *n && at + 1 + static_cast<size_t>(i) < argv.size(); ++i) {
      keys.push_back(at + 1 + static_cast<size_t>(i));
    }
    return keys;
  }
  // LMPOP / ZMPOP numkeys key...; BLMPOP / BZMPOP timeout numkeys key...
  const bool mpop = spec.name == "lmpop" || spec.name == "zmpop";
  if (mpop || spec.name == "blmpop" || spec.name == "bzmpop") {
    const size_t at = mpop ? 1 : 2;
    auto n = argv.size() > at ? resp::ParseInt64(argv[at]) : std::nullopt;
    if (!n || *n <= 0) return keys;
    for (int64_t i = 0; i < *n && at + 1 + i < argv.size(); ++i) keys.push_back(at + 1 + i);
    return keys;
  }
  if (spec.name == "sort") {
    // sortGetKeys: the key, and the last STORE's destination (options with
    // arguments skipped as it skips them: LIMIT 2, GET 1, BY 1, STORE 0).
    if (argv.size() > 1) keys.push_back(1);
    size_t store = 0;
    for (size_t i = 2; i < argv.size(); ++i) {
      if (OptEquals(argv[i], "limit")) {
        i += 2;
      } else if (OptEquals(argv[i], "get") || OptEquals(argv[i], "by")) {
        i += 1;
      } else if (OptEquals(argv[i], "store") && i + 1 < argv.size()) {
        store = i + 1;
      }
    }
    if (store != 0) keys.push_back(store);
    return keys;
  }
  if (spec.name == "xread" || spec.name == "xreadgroup") {
    // xreadGetKeys: the keys after the first STREAMS among the options.
    size_t streams = 0;
    for (size_t i = 1; i < argv.size(); ++i) {
      if (OptEquals(argv[i], "block") || OptEquals(argv[i], "count")) {
        ++i;
      } else if (OptEquals(argv[i], "group")) {
        i += 2;
      } else if (OptEquals(argv[i], "noack")) {
      } else {
        if (OptEquals(argv[i], "streams")) streams = i;
        break;
      }
    }
    const size_t num = streams == 0 ? 0 : argv.size() - streams - 1;
    if (streams == 0 || num == 0 || num % 2 != 0) return keys;
    for (size_t i = streams + 1; i < streams + 1 + num / 2; ++i) keys.push_back(i);
    return keys;
  }
  if (spec.name == "georadius" || spec.name == "georadiusbymember") {
    // georadiusGetKeys: the key, and the destination of the last STORE or
    // STOREDIST (with an argument) from argv[5] on.
    if (argv.size() > 1) keys.push_back(1);
    size_t store = 0;
    for (size_t i = 5; i < argv.size(); ++i) {
      if ((OptEquals(argv[i], "store") || OptEquals(argv[i], "storedist")) && i + 1 < argv.size()) {
        store = ++i;
      }
    }
    if (store != 0) keys.push_back(store);
    return keys;
  }
  if (IsScriptCommand(spec.name)) {
    // EVAL script numkeys key [key ...] arg [arg ...]
    auto n = argv.size() > 2 ? resp::ParseInt64(argv[2]) : std::nullopt;
    if (!n || *n <= 0) return keys;
    for (int64_t i = 0; i < *n && static_cast<size_t>(3 + i) < argv.size(); ++i) {
      keys.push_back(3 + i);
    }
    return keys;
  }
  if (spec.name == "migrate") {
    // migrateGetKeys: argv[3], or with KEYS (looked for from argv[6] on,
    // AUTH's one and AUTH2's two arguments skipped) the arguments after it;
    // none when KEYS comes with a non-empty argv[3].
    size_t first = 3, num = argv.size() > 3 ? 1 : 0;
    for (size_t i = 6; i < argv.size(); ++i) {
      if (OptEquals(argv[i], "keys")) {
        num = argv[3].empty() ? argv.size() - i - 1 : 0;
        first = i + 1;
        break;
      }
      if (OptEquals(argv[i], "auth")) {
        i += 1;
      } else if (OptEquals(argv[i], "auth2")) {
        i += 2;
      }
    }
    for (size_t i = 0; i < num; ++i) keys.push_back(first + i);
    return keys;
  }
  if (spec.first_key <= 0) return keys;
  const int64_t last =
      spec.last_key < 0 ? static_cast<int64_t>(argv.size()) + spec.last_key : spec.last_key;
  for (int64_t i = spec.first_key; i <= last && static_cast<size_t>(i) < argv.size();
       i += spec.key_step) {
    keys.push_back(i);
  }
  return keys;
}

}  // namespace respfuzz::engine
