// An RDB file as Redis 7.0.15's rdbSaveRio writes one (SAVE, BGSAVE,
// SHUTDOWN SAVE, FLUSHALL with save points; src/engine/persist.cc):
//
//   "REDIS0010"
//   AUX redis-ver 7.0.15, AUX redis-bits 64, AUX ctime <unix s>,
//   AUX used-mem <bytes>, AUX aof-base 0      (rdbSaveInfoAuxFields; no
//                                              repl-* fields: no replicas)
//   FUNCTION2 <library code>                  (per FUNCTION library)
//   per non-empty db: SELECTDB <db> RESIZEDB <keys> <keys with a TTL>,
//     then per key [EXPIRETIME_MS <8 bytes LE>] [IDLE <s> | FREQ <byte>]
//     <type> <key> <value>                     (the value as DUMP writes it)
//   EOF, then the CRC-64 of everything before it (8 bytes LE).
//
// Written here from the format (docs/fidelity.md, "Persistence"); the value
// encodings are rdb.h's, DUMP's.
#ifndef RESPFUZZ_ENGINE_RDB_FILE_H_
#define RESPFUZZ_ENGINE_RDB_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/engine/config.h"
#include "src/engine/keyspace.h"

namespace respfuzz::engine::rdb {

// RDB opcodes (rdb.h).
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

struct RdbFileInputs {
  int64_t ctime_s = 0;                           // the aux field ctime: the save's time
  uint64_t used_mem = 0;                         // the aux field used-mem
  bool save_lru = false;                         // maxmemory-policy is an LRU one: IDLE per key
  bool save_lfu = false;                         // an LFU one: FREQ per key
  int64_t now_ms = 0;                            // for IDLE / FREQ
  std::vector<std::string_view> function_codes;  // FUNCTION libraries' code
  bool aof_base = false;                         // an AOF's base file: AUX aof-base 1
};

// The whole file for the keyspace.
std::string RdbFile(const Keyspace& ks, const EncodingLimits& limits, const RdbFileInputs& in);

}  // namespace respfuzz::engine::rdb

#endif  // RESPFUZZ_ENGINE_RDB_FILE_H_
