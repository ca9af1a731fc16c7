#include "tools/oracle_random.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "harnesses/command_handler/checks.h"
#include "src/engine/engine.h"

namespace respfuzz::oracle {

namespace {

using harnesses::CommandIs;
using resp::Type;
using resp::Value;

bool IsList(const Value& v) { return v.type == Type::kArray || v.type == Type::kSet; }

// The count argument, when there is one that parses.
bool CountOf(const std::vector<std::string>& argv, int64_t* count) {
  if (argv.size() < 3) return false;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(argv[2].c_str(), &end, 10);
  if (argv[2].empty() || *end != '\0' || errno == ERANGE) return false;
  *count = n;
  return true;
}

std::string ScoreText(double d) { return resp::FormatDoubleRedis70(d); }

}  // namespace

bool IsRandomCommand(std::string_view name) {
  for (std::string_view c : {"SRANDMEMBER", "SPOP", "ZRANDMEMBER", "HRANDFIELD", "RANDOMKEY"}) {
    if (CommandIs(name, c)) return true;
  }
  return false;
}

bool IsElementScan(std::string_view name) {
  return CommandIs(name, "SSCAN") || CommandIs(name, "HSCAN") || CommandIs(name, "ZSCAN");
}

DrawPool PoolOf(const engine::Engine& e, int db, const std::vector<std::string>& argv) {
  DrawPool pool;
  const engine::Keyspace& ks = e.keyspace();
  if (CommandIs(argv[0], "RANDOMKEY")) {
    for (const auto& [key, value] : ks.db(db).dict) {
      if (!ks.IsExpired(db, key)) pool.names.insert(std::string(key));
    }
    return pool;
  }
  if (argv.size() < 2 || ks.IsExpired(db, argv[1])) return pool;
  const engine::Object* o = ks.Peek(db, argv[1]);
  if (o == nullptr) return pool;
  if (engine::Is<engine::Set>(*o)) {
    for (const std::string& m : engine::As<engine::Set>(*o)) pool.names.insert(m);
  } else if (engine::Is<engine::Hash>(*o)) {
    for (const auto& [f, v] : engine::As<engine::Hash>(*o)) {
      pool.names.insert(f);
      pool.values[f] = v;
    }
  } else if (engine::Is<engine::ZSet>(*o)) {
    for (const auto& [m, s] : engine::As<engine::ZSet>(*o).scores()) {
      pool.names.insert(m);
      pool.scores[m] = s;
    }
  }
  return pool;
}

void SummarizeRandomReply(const std::vector<std::string>& argv, const DrawPool* pool,
                          Value* reply) {
  if (reply->type == Type::kBulkString) {
    if (pool == nullptr || pool->names.count(reply->str) > 0) {
      reply->str = "(one element of the key)";
    } else {
      reply->str = "(not in the key: " + reply->str + ")";
    }
    return;
  }
  if (!IsList(*reply)) return;
  const bool with = argv.size() == 4;  // WITHSCORES / WITHVALUES (else an error)
  int64_t count = 0;
  const bool has_count = CountOf(argv, &count);
  // The picks, each a name and (with) a value.
  std::vector<std::pair<const Value*, const Value*>> picks;
  bool shape_ok = true;
  if (!with) {
    for (const Value& e : reply->elems) picks.emplace_back(&e, nullptr);
  } else if (!reply->elems.empty() && IsList(reply->elems[0])) {
    for (const Value& e : reply->elems) {
      if (!IsList(e) || e.elems.size() != 2) {
        shape_ok = false;
        break;
      }
      picks.emplace_back(&e.elems[0], &e.elems[1]);
    }
  } else {
    if (reply->elems.size() % 2 != 0) shape_ok = false;
    for (size_t i = 0; shape_ok && i + 1 < reply->elems.size(); i += 2) {
      picks.emplace_back(&reply->elems[i], &reply->elems[i + 1]);
    }
  }
  std::vector<Value> summary;
  if (!shape_ok) {
    summary.push_back(Value::Simple("malformed reply: " + resp::ToDebugString(*reply, 300)));
    reply->elems = std::move(summary);
    return;
  }
  summary.push_back(Value::Integer(static_cast<int64_t>(picks.size())));
  std::string members = "members: in the key";
  std::string pairs = "pairs: each with its own value";
  std::set<std::string> seen;
  bool repeats = false;
  for (const auto& [name, value] : picks) {
    repeats = repeats || !seen.insert(name->str).second;
    if (pool == nullptr) continue;
    if (pool->names.count(name->str) == 0) members = "not in the key: " + name->str;
    if (value == nullptr) continue;
    bool right = false;
    if (auto it = pool->values.find(name->str); it != pool->values.end()) {
      right = value->str == it->second;
    } else if (auto s = pool->scores.find(name->str); s != pool->scores.end()) {
      right = value->type == Type::kDouble ? value->dbl == s->second
                                           : value->str == ScoreText(s->second);
    }
    if (!right) pairs = "wrong value for " + name->str + ": " + resp::ToDebugString(*value, 100);
  }
  summary.push_back(Value::Simple(members));
  if (with) summary.push_back(Value::Simple(pairs));
  // A positive count (SPOP's too) asks for distinct elements.
  if (!has_count || count >= 0 || CommandIs(argv[0], "SPOP")) {
    summary.push_back(Value::Simple(repeats ? "repeats" : "distinct"));
  }
  reply->elems = std::move(summary);
}

std::vector<std::string> PoppedMembers(const Value& reply) {
  std::vector<std::string> out;
  if (reply.type == Type::kBulkString) out.push_back(reply.str);
  if (IsList(reply)) {
    for (const Value& e : reply.elems) out.push_back(e.str);
  }
  return out;
}

bool AppendScanPage(const Value& reply, std::string* cursor, std::vector<Value>* elements) {
  if (reply.type != Type::kArray || reply.elems.size() != 2 ||
      reply.elems[0].type != Type::kBulkString || !IsList(reply.elems[1])) {
    return false;
  }
  *cursor = reply.elems[0].str;
  for (const Value& e : reply.elems[1].elems) elements->push_back(e);
  return true;
}

Value ScanUnion(std::string_view command, std::vector<Value> elements) {
  const bool pairs = !CommandIs(command, "SSCAN");
  std::vector<std::vector<Value>> groups;
  const size_t step = pairs ? 2 : 1;
  for (size_t i = 0; i + step <= elements.size(); i += step) {
    groups.emplace_back(elements.begin() + static_cast<ptrdiff_t>(i),
                        elements.begin() + static_cast<ptrdiff_t>(i + step));
  }
  auto key = [](const std::vector<Value>& g) {
    std::string k;
    for (const Value& v : g) k += resp::ToDebugString(v) + '\x01';
    return k;
  };
  std::sort(groups.begin(), groups.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
  groups.erase(std::unique(groups.begin(), groups.end(),
                           [&](const auto& a, const auto& b) { return key(a) == key(b); }),
               groups.end());
  std::vector<Value> flat;
  for (auto& g : groups) {
    for (Value& v : g) flat.push_back(std::move(v));
  }
  if (elements.size() % step != 0) flat.push_back(Value::Simple("(an odd element out)"));
  return Value::Aggregate(Type::kArray,
                          {Value::Bulk("0"), Value::Aggregate(Type::kArray, std::move(flat))});
}

}  // namespace respfuzz::oracle
