// A DUMP payload as the reference model reads it (reference_dump_payload.cc).
#ifndef RESPFUZZ_HARNESSES_MODELS_REFERENCE_DUMP_PAYLOAD_H_
#define RESPFUZZ_HARNESSES_MODELS_REFERENCE_DUMP_PAYLOAD_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace respfuzz::models::refmodel {

// Redis's CRC-64 (Jones) of the first n bytes of s.
uint64_t Crc64Jones(const std::string& s, size_t n);
// verifyDumpPayload: at least 10 bytes, an RDB version of at most
// max_rdb_version, the CRC-64 of all but the last 8 bytes in them.
bool DumpFooterOk(const std::string& payload, int max_rdb_version);
// rdbLoadLen at *pos: a length, or (*encoded) the kind of a special string
// encoding. False when the bytes run out or the form is unknown.
bool RdbReadLen(const std::string& s, size_t* pos, uint64_t* len, bool* encoded);
// rdbGenericLoadStringObject at *pos: plain, integer (its decimal text) or
// LZF (decompressed; an uncompressed length of 0 is "" whatever follows).
bool RdbReadString(const std::string& s, size_t* pos, std::string* out);

}  // namespace respfuzz::models::refmodel

#endif  // RESPFUZZ_HARNESSES_MODELS_REFERENCE_DUMP_PAYLOAD_H_
