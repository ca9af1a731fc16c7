// RESP2/RESP3 writer. RESP2 output is Redis's downgrade of RESP3 types (see
// Downgrade() in value.h), written directly rather than through Downgrade().
#ifndef RESPFUZZ_RESP_WRITER_H_
#define RESPFUZZ_RESP_WRITER_H_

#include <string>
#include <string_view>

#include "src/resp/value.h"

namespace respfuzz::resp {

// Appends the encoding of `v` to `out`. The tree must be valid
// (Invalid(v) empty); an invalid simple string is written as it is, which a
// reader will then reject. Iterative.
void Write(const Value& v, Protocol protocol, std::string* out);
std::string Write(const Value& v, Protocol protocol);

// Low-level pieces, for callers that stream replies without building trees.
void WriteSimple(Type type, std::string_view s, std::string* out);  // + - (
void WriteBulk(std::string_view s, std::string* out);
void WriteInteger(int64_t n, std::string* out);
void WriteAggregateHeader(char type_byte, int64_t len, std::string* out);

// A command as a RESP multibulk: *N then N bulk strings.
std::string EncodeCommand(const std::vector<std::string>& argv);

}  // namespace respfuzz::resp

#endif  // RESPFUZZ_RESP_WRITER_H_
