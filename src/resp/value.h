// A RESP2/RESP3 value tree: what the reader builds and the writer writes.
#ifndef RESPFUZZ_RESP_VALUE_H_
#define RESPFUZZ_RESP_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::resp {

enum class Protocol : uint8_t { kResp2 = 2, kResp3 = 3 };

enum class Type : uint8_t {
  kSimpleString,  // +
  kError,         // -
  kInteger,       // :
  kBulkString,    // $
  kNullBulk,      // $-1 (RESP2 null; accepted in RESP3 too)
  kNullArray,     // *-1 (RESP2 null; accepted in RESP3 too)
  kArray,         // *
  kNull,          // _
  kBoolean,       // #
  kDouble,        // ,
  kBigNumber,     // (
  kBulkError,     // !
  kVerbatim,      // =   payload is "fmt:" followed by the text
  kMap,           // %   elems hold key, value, key, value, ...
  kSet,           // ~
  kAttribute,     // |   only as Value::attributes of the value it annotates
  kPush,          // >
};

std::string_view TypeName(Type t);
bool IsAggregate(Type t);   // array, map, set, push, attribute
bool IsStringLike(Type t);  // types whose payload lives in Value::str
bool IsResp2Type(Type t);   // + - : $ * and their nulls

struct Value {
  Type type = Type::kNull;
  bool has_attributes = false;  // |0 is a valid, empty attribute
  // The scalar payload; which member is meaningful follows `type`.
  union {
    int64_t integer = 0;  // kInteger
    double dbl;           // kDouble
    bool boolean;         // kBoolean
  };
  std::string str;
  std::vector<Value> elems;       // aggregates; maps as flat key/value pairs
  std::vector<Value> attributes;  // flat key/value pairs of a preceding |N

  // Constructors for the common shapes; aggregates are filled through elems.
  static Value Simple(std::string s) { return Str(Type::kSimpleString, std::move(s)); }
  static Value Error(std::string s) { return Str(Type::kError, std::move(s)); }
  static Value Bulk(std::string s) { return Str(Type::kBulkString, std::move(s)); }
  static Value Str(Type t, std::string s);
  static Value Integer(int64_t n);
  static Value Double(double d);
  static Value Boolean(bool b);
  static Value Null(Type t = Type::kNull);
  static Value Aggregate(Type t, std::vector<Value> elems = {});

  // Number of logical elements (pairs for maps).
  size_t size() const { return type == Type::kMap ? elems.size() / 2 : elems.size(); }
};

// Structural equality. Doubles compare by value, with NaN equal to NaN and
// 0.0 distinct from -0.0 (both survive a round trip). Iterative.
bool Equal(const Value& a, const Value& b);
inline bool operator==(const Value& a, const Value& b) { return Equal(a, b); }

// Number of nodes (the value, its elements and attributes, recursively) and
// nesting depth (a scalar has depth 1). Iterative.
size_t NodeCount(const Value& v);
size_t Depth(const Value& v);

// Why a tree cannot be written as valid RESP (simple strings containing CR or
// LF, a verbatim payload without "xxx:", an odd map, a malformed big number);
// empty when it can.
std::string Invalid(const Value& v);

// The RESP2 shape of a RESP3 value, as Redis downgrades types: map to flat
// array, set and push to array, double to bulk string, boolean to integer,
// null to null bulk, big number and verbatim to bulk string, bulk error to
// error, attributes dropped. Doubles use FormatDouble (shortest round-trip
// text, as Redis 7.2+ prints them; Redis 7.0 prints "%.17g", e.g.
// 0.10000000000000001 for 0.1, checked against redis-server 7.0.15).
// Iterative.
Value Downgrade(const Value& v);

// One-line readable form, e.g. [1, "a", {k: v}] with type markers where
// needed; used by tools and failure messages. Iterative.
std::string ToDebugString(const Value& v, size_t max_len = 4096);

// Appends `s` with CR, LF, tab, quote and backslash escaped and other
// non-printable bytes as \xHH: one readable line for any bytes.
void AppendEscaped(std::string_view s, std::string* out);

// The text written after ',' for a double: shortest round-trip form, or
// inf / -inf / nan.
std::string FormatDouble(double d);
// Redis 7.0's text for a double: "%.17g", or inf / -inf / nan.
std::string FormatDoubleRedis70(double d);

}  // namespace respfuzz::resp

#endif  // RESPFUZZ_RESP_VALUE_H_
