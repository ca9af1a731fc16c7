#include "tools/oracle_report.h"

#include "nlohmann/json.hpp"

namespace respfuzz::oracle {

std::string OracleReport::ToJson(const std::string& server) const {
  nlohmann::json j;
  j["server"] = server;
  j["unit"] = unit;
  j["programs"] = programs;
  j["ops"] = ops;
  j["compared"] = compared;
  j["agreed"] = agreed;
  if (frames > 0) j["frames"] = frames;
  if (datasets_compared > 0) {
    j["datasets_compared"] = datasets_compared;
    j["datasets_agreed"] = datasets_agreed;
  }
  if (streams_compared > 0) {
    j["streams_compared"] = streams_compared;
    j["streams_agreed"] = streams_agreed;
  }
  j["agreement_percent"] = agreement_percent();
  j["divergences"] = nlohmann::json::array();
  for (const Divergence& d : divergences) {
    j["divergences"].push_back({{"program", d.program},
                                {"op_index", d.op_index},
                                {"op", d.op},
                                {"engine", d.engine},
                                {"server", d.server}});
  }
  j["excluded"] = nlohmann::json::array();
  for (const Exclusion& e : excluded) {
    j["excluded"].push_back({{"program", e.program},
                             {"op_index", e.op_index},
                             {"op", e.op},
                             {"category", e.category},
                             {"reason", e.reason}});
  }
  j["notes"] = notes;
  // Replies may hold any bytes: replace invalid UTF-8 rather than throw.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace respfuzz::oracle
