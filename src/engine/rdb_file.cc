#include "src/engine/rdb_file.h"

#include "src/engine/rdb.h"

namespace respfuzz::engine::rdb {

namespace {

void PutLe64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// rdbSaveAuxFieldStrStr / rdbSaveAuxFieldStrInt (an integer is saved as its
// decimal text, which rdbSaveRawString encodes as an integer).
void Aux(std::string* out, std::string_view key, std::string_view value) {
  out->push_back(static_cast<char>(kOpAux));
  AppendString(out, key);
  AppendString(out, value);
}

}  // namespace

std::string RdbFile(const Keyspace& ks, const EncodingLimits& limits, const RdbFileInputs& in) {
  std::string out = "REDIS0010";
  Aux(&out, "redis-ver", "7.0.15");
  Aux(&out, "redis-bits", "64");
  Aux(&out, "ctime", std::to_string(in.ctime_s));
  Aux(&out, "used-mem", std::to_string(in.used_mem));
  Aux(&out, "aof-base", in.aof_base ? "1" : "0");
  for (std::string_view code : in.function_codes) {
    out.push_back(static_cast<char>(kOpFunction2));
    AppendString(&out, code);
  }
  std::string value;
  for (int d = 0; d < ks.num_dbs(); ++d) {
    const Db& db = ks.db(d);
    if (db.dict.size() == 0) continue;
    out.push_back(static_cast<char>(kOpSelectDb));
    AppendLen(&out, static_cast<uint64_t>(d));
    out.push_back(static_cast<char>(kOpResizeDb));
    AppendLen(&out, db.dict.size());
    AppendLen(&out, db.expires.size());
    for (const KeyEntry& entry : db.dict) {
      const std::string_view key = entry.key();
      // Every stored key, a logically expired one too (rdbSaveDb iterates
      // the dict; a loading master drops the expired ones).
      const int64_t when = ks.GetExpire(d, key);
      if (when != -1) {
        out.push_back(static_cast<char>(kOpExpireTimeMs));
        PutLe64(&out, static_cast<uint64_t>(when));
      }
      if (in.save_lru) {
        out.push_back(static_cast<char>(kOpIdle));
        AppendLen(&out, static_cast<uint64_t>(IdleSeconds(entry.value, in.now_ms)));
      } else if (in.save_lfu) {
        out.push_back(static_cast<char>(kOpFreq));
        out.push_back(static_cast<char>(LfuDecayedCounter(entry.value, in.now_ms) & 0xff));
      }
      // rdbSaveObjectType, the key, then rdbSaveObject: AppendObject
      // writes the type byte first.
      value.clear();
      AppendObject(&value, entry.value, limits);
      out.push_back(value[0]);
      AppendString(&out, key);
      out.append(value, 1);
    }
  }
  out.push_back(static_cast<char>(kOpEof));
  PutLe64(&out, Crc64(0, out));
  return out;
}

}  // namespace respfuzz::engine::rdb
