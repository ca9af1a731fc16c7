// DUMP / RESTORE payloads: Redis 7.0.15's RDB object serialization
// (rdbSaveObjectType + rdbSaveObject), then the RDB version (10, two bytes
// little endian) and the CRC-64 (Jones, reflected; crc64.c) of everything
// before it, eight bytes little endian (cluster.c's createDumpPayload).
//
// Written here from the format (docs/fidelity.md, "DUMP and RESTORE"); the
// LZF compression of strings longer than 20 bytes (rdbcompression yes) is
// Debian's liblzf, the library Debian's redis-server links.
#ifndef RESPFUZZ_ENGINE_RDB_H_
#define RESPFUZZ_ENGINE_RDB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/engine/config.h"
#include "src/engine/object.h"

namespace respfuzz::engine::rdb {

inline constexpr uint16_t kRdbVersion = 10;

// crc64(crc, data): Redis's crc64 (poly 0xad93d23594c935a9, reflected in and
// out, no final xor); Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
uint64_t Crc64(uint64_t crc, std::string_view data);

// The building blocks, exposed for the tests.
// rdbSaveLen.
void AppendLen(std::string* out, uint64_t len);
// rdbSaveRawString: an integer encoding for text string2ll reads as a 32-bit
// value (at most 11 bytes), LZF for text longer than 20 bytes that
// compresses by more than 4 bytes, else the length and the bytes.
void AppendString(std::string* out, std::string_view s);
// A listpack of these elements (lpAppend each: text string2ll reads is
// stored as an integer).
std::string Listpack(const std::vector<std::string_view>& elements);
// An intset of these sorted, distinct values in the narrowest encoding.
std::string Intset(const std::vector<int64_t>& sorted);

// rdbLoadLen (an encoded length's type bits ignored, as rdbLoadLen(rdb,
// NULL) does) and rdbGenericLoadStringObject at *pos of s, advancing *pos:
// false where Redis fails to read (FUNCTION RESTORE reads its payload this
// way). A string's allocation is bounded by what is left of s (LZF: a
// hundred times that).
bool LoadLen(std::string_view s, size_t* pos, uint64_t* len);
bool LoadString(std::string_view s, size_t* pos, std::string* out);

// The DUMP footer: the RDB version (two bytes, little endian) and the
// CRC-64 of everything before it (eight bytes, little endian), appended.
void AppendFooter(std::string* payload);

// DUMP's reply for a value under these encoding limits.
std::string DumpPayload(const Object& o, const EncodingLimits& limits);
// rdbSaveObjectType + rdbSaveObject: DUMP's payload without its footer, as
// an RDB file holds a value (rdb_file.h).
void AppendObject(std::string* out, const Object& o, const EncodingLimits& limits);

// verifyDumpPayload: at least 10 bytes, an RDB version <= 10, the CRC.
bool VerifyPayload(std::string_view payload);

// rdbLoadObjectType + rdbLoadObject on a verified payload, read as Redis
// reads it: from the start of the whole payload, so a malformed object may
// run into the footer's bytes; bytes after the object are ignored.
// nullopt for every payload Redis answers "Bad data format" (and for the
// malformed ones Redis only accepts because sanitize-dump-payload is off:
// docs/fidelity.md). The object's encoding flags are the ones Redis 7.0.15
// would have after loading it.
std::optional<Object> LoadObject(std::string_view body, const EncodingLimits& limits);
// rdbLoadObject of a value whose RDB type byte was `type`, read from
// s[*pos], *pos advanced past it (an RDB file's value after its key).
std::optional<Object> LoadObjectOfType(uint8_t type, std::string_view s, size_t* pos,
                                       const EncodingLimits& limits);

}  // namespace respfuzz::engine::rdb

#endif  // RESPFUZZ_ENGINE_RDB_H_
