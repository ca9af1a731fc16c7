// RESP2/RESP3 writer. RESP2 output is Redis's downgrade of RESP3 types (see
// Downgrade() in value.h), written directly rather than through Downgrade().
#ifndef RESPFUZZ_RESP_WRITER_H_
#define RESPFUZZ_RESP_WRITER_H_

#include <string>
#include <string_view>

#include "src/resp/value.h"

namespace respfuzz::resp {

// How doubles are printed: the shortest text that reads back exactly (as
// Redis 7.2+ prints them), or "%.17g" as Redis 7.0 does (0.1 prints as
// 0.10000000000000001).
enum class DoubleStyle : uint8_t { kShortest, kRedis70 };

// Appends the encoding of `v` to `out`. The tree must be valid
// (Invalid(v) empty); an invalid simple string is written as it is, which a
// reader will then reject. Iterative.
void Write(const Value& v, Protocol protocol, std::string* out,
           DoubleStyle doubles = DoubleStyle::kShortest);
std::string Write(const Value& v, Protocol protocol, DoubleStyle doubles = DoubleStyle::kShortest);

// Low-level pieces, for callers that stream replies without building trees
// (engine::ReplyWriter writes every reply through these). Each appends one
// complete line, or a bulk string's header, payload and CRLF, to `out`.
void WriteSimple(Type type, std::string_view s, std::string* out);  // + - (
void WriteBulk(std::string_view s, std::string* out);               // $<len> s
void WriteInteger(int64_t n, std::string* out);                     // :<n>
// <type_byte><len>, e.g. *3 %2 ~0 |1 >4; the elements are the caller's.
void WriteAggregateHeader(char type_byte, int64_t len, std::string* out);
// A double as Write() writes a kDouble: ,<text> in RESP3, a bulk string of
// the text in RESP2.
void WriteDouble(double d, Protocol protocol, DoubleStyle doubles, std::string* out);

// A command as a RESP multibulk: *N then N bulk strings.
std::string EncodeCommand(const std::vector<std::string>& argv);

}  // namespace respfuzz::resp

#endif  // RESPFUZZ_RESP_WRITER_H_
