#include "src/engine/object.h"

#include <cmath>
#include <iterator>

#include "src/resp/numbers.h"

namespace respfuzz::engine {

std::string_view ObjTypeName(ObjType t) {
  switch (t) {
    case ObjType::kString:
      return "string";
    case ObjType::kList:
      return "list";
    case ObjType::kHash:
      return "hash";
    case ObjType::kSet:
      return "set";
    case ObjType::kZSet:
      return "zset";
    case ObjType::kStream:
      return "stream";
  }
  return "none";
}

bool IsIntsetMember(std::string_view s) { return resp::ParseInt64(s).has_value(); }

namespace {

// Redis 7.0's OBJ_ENCODING_EMBSTR_SIZE_LIMIT and OBJ_SHARED_INTEGERS.
constexpr size_t kEmbstrMax = 44;
constexpr int64_t kSharedIntegers = 10000;

// tryObjectEncoding's integer test: at most 20 bytes, string2l.
bool IntEncodable(const std::string& s, int64_t* v) {
  if (s.size() > 20) return false;
  const auto n = resp::ParseInt64(s);
  if (!n) return false;
  *v = *n;
  return true;
}

}  // namespace

bool IsEmptyAggregate(const Object& o) {
  switch (TypeOf(o)) {
    case ObjType::kList:
      return As<List>(o).empty();
    case ObjType::kHash:
      return As<Hash>(o).empty();
    case ObjType::kSet:
      return As<Set>(o).empty();
    case ObjType::kZSet:
      return As<ZSet>(o).empty();
    case ObjType::kString:
    case ObjType::kStream:
      return false;
  }
  return false;
}

std::string_view EncodingName(const Object& o) {
  switch (TypeOf(o)) {
    case ObjType::kString: {
      const std::string& s = As<std::string>(o);
      int64_t v;
      switch (o.str_enc()) {
        case StrEnc::kTry:
          if (IntEncodable(s, &v)) return "int";
          return s.size() <= kEmbstrMax ? "embstr" : "raw";
        case StrEnc::kPlain:
          return s.size() <= kEmbstrMax ? "embstr" : "raw";
        case StrEnc::kRaw:
          return "raw";
      }
      return "raw";
    }
    case ObjType::kList:
      return "quicklist";
    case ObjType::kHash:
      return o.hashtable() ? "hashtable" : "listpack";
    case ObjType::kSet:
      return o.hashtable() ? "hashtable" : "intset";
    case ObjType::kZSet:
      return As<ZSet>(o).listpack() ? "listpack" : "skiplist";
    case ObjType::kStream:
      return "stream";
  }
  return "raw";
}

int64_t RefCount(const Object& o) {
  if (TypeOf(o) != ObjType::kString || o.str_enc() != StrEnc::kTry || o.unshared()) return 1;
  int64_t v;
  if (IntEncodable(As<std::string>(o), &v) && v >= 0 && v < kSharedIntegers) return 2147483647;
  return 1;
}

namespace {
constexpr uint32_t kLruClockMax = (1u << 24) - 1;  // LRU_CLOCK_MAX
}  // namespace

uint32_t LruClock(int64_t now_ms) { return static_cast<uint32_t>((now_ms / 1000) & kLruClockMax); }

int64_t IdleSeconds(const Object& o, int64_t now_ms) {
  const uint32_t clock = LruClock(now_ms);
  if (clock >= o.lru()) return clock - o.lru();
  return static_cast<int64_t>(clock) + (kLruClockMax - o.lru());
}

void SetLruOrLfu(Object* o, bool lfu, int64_t lfu_freq, int64_t lru_idle, uint32_t lru_clock,
                 int64_t now_ms) {
  if (lfu) {
    if (lfu_freq >= 0) o->set_lru((LfuMinutes(now_ms) << 8) | static_cast<uint32_t>(lfu_freq));
    return;
  }
  if (lru_idle < 0) return;
  int64_t abs = static_cast<int64_t>(lru_clock) - lru_idle;
  if (abs < 0) abs += kLruClockMax;
  o->set_lru(static_cast<uint32_t>(abs) & kLruClockMax);
}

const double* ZSet::Score(std::string_view member) const {
  auto it = scores_.find(member);
  return it == scores_.end() ? nullptr : &it->second;
}

bool ZSet::Set(std::string_view member, double score) {
  auto [it, inserted] = scores_.try_emplace(member, score);
  if (!inserted) {
    if (it->second == score) return false;
    index_.UpdateScore(it->second, it->first, score);
    it->second = score;
    return false;
  }
  index_.Insert(score, it->first);
  return true;
}

bool ZSet::Erase(std::string_view member) {
  auto it = scores_.find(member);
  if (it == scores_.end()) return false;
  index_.Erase(it->second, it->first);
  scores_.erase(it);
  return true;
}

int64_t ZSet::Rank(std::string_view member) const {
  auto it = scores_.find(member);
  if (it == scores_.end()) return -1;
  return index_.RankOf(it->second, it->first);
}

std::string ZSet::Check() const {
  std::string why = index_.Check();
  if (!why.empty()) return why;
  if (scores_.size() != index_.size()) {
    return "zset map has " + std::to_string(scores_.size()) + " members, index " +
           std::to_string(index_.size());
  }
  for (const Entry& e : index_) {
    if (std::isnan(e.first)) return "NaN score for member '" + e.second + "'";
    auto it = scores_.find(e.second);
    if (it == scores_.end()) return "index member '" + e.second + "' missing from the map";
    // The sign of zero too: 0.0 == -0.0, but ZSCORE prints them differently.
    if (it->second != e.first || std::signbit(it->second) != std::signbit(e.first)) {
      return "score of '" + e.second + "' differs in map and index";
    }
  }
  return "";
}

}  // namespace respfuzz::engine
