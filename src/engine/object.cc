#include "src/engine/object.h"

#include <cmath>
#include <iterator>

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
  }
  return "none";
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
