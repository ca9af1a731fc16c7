#include "harnesses/resp_roundtrip/checks.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "harnesses/common/chunking.h"
#include "harnesses/common/registry.h"
#include "src/resp/writer.h"

namespace respfuzz::harnesses {

using resp::Protocol;
using resp::Type;
using resp::Value;

namespace {

constexpr Type kTypes[16] = {
    Type::kSimpleString, Type::kError,     Type::kInteger,   Type::kBulkString,
    Type::kNullBulk,     Type::kNullArray, Type::kArray,     Type::kNull,
    Type::kBoolean,      Type::kDouble,    Type::kBigNumber, Type::kBulkError,
    Type::kVerbatim,     Type::kMap,       Type::kSet,       Type::kPush,
};

constexpr int64_t kEdgeIntegers[] = {0,
                                     1,
                                     -1,
                                     9,
                                     10,
                                     -10,
                                     127,
                                     128,
                                     255,
                                     256,
                                     65535,
                                     std::numeric_limits<int32_t>::max(),
                                     std::numeric_limits<int32_t>::min(),
                                     std::numeric_limits<int64_t>::max(),
                                     std::numeric_limits<int64_t>::min()};

const double kEdgeDoubles[] = {0.0,
                               -0.0,
                               1.0,
                               -1.5,
                               0.1,
                               1e22,
                               1e-7,
                               3.141592653589793,
                               std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(),
                               std::numeric_limits<double>::quiet_NaN(),
                               std::numeric_limits<double>::max(),
                               std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::lowest(),
                               1e308,
                               123456789.125};

class ByteSource {
 public:
  explicit ByteSource(std::string_view in) : in_(in) {}
  uint8_t Byte() { return TakeByte(&in_); }
  uint64_t Word() {
    uint64_t w = 0;
    for (int i = 0; i < 8; ++i) w = (w << 8) | Byte();
    return w;
  }
  std::string Bytes(size_t n) {
    n = std::min(n, in_.size());
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }

 private:
  std::string_view in_;
};

std::string LineSafe(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

void DecodeScalar(Type type, ByteSource& src, Value* v) {
  v->type = type;
  switch (type) {
    case Type::kSimpleString:
    case Type::kError:
      v->str = LineSafe(src.Bytes(src.Byte() % (kRoundtripMaxString + 1)));
      break;
    case Type::kBulkString:
    case Type::kBulkError:
      v->str = src.Bytes(src.Byte() % (kRoundtripMaxString + 1));
      break;
    case Type::kVerbatim: {
      uint8_t b = src.Byte();
      v->str =
          std::string(b & 1 ? "mkd:" : "txt:") + src.Bytes((b >> 1) % (kRoundtripMaxString + 1));
      break;
    }
    case Type::kInteger: {
      uint8_t b = src.Byte();
      if (b < 128) {
        v->integer = kEdgeIntegers[b % std::size(kEdgeIntegers)];
      } else {
        v->integer = static_cast<int64_t>(src.Word());
      }
      break;
    }
    case Type::kDouble: {
      uint8_t b = src.Byte();
      if (b < 128) {
        v->dbl = kEdgeDoubles[b % std::size(kEdgeDoubles)];
      } else {
        uint64_t bits = src.Word();
        std::memcpy(&v->dbl, &bits, sizeof bits);
      }
      break;
    }
    case Type::kBoolean:
      v->boolean = src.Byte() & 1;
      break;
    case Type::kBigNumber: {
      uint8_t b = src.Byte();
      std::string digits = std::to_string(b % 10);
      for (char c : src.Bytes((b >> 4) * 3)) digits.push_back('0' + static_cast<uint8_t>(c) % 10);
      v->str = (b & 8 ? "-" : "") + digits;
      break;
    }
    default:
      break;  // the nulls carry nothing
  }
}

}  // namespace

Value DecodeTree(std::string_view input) {
  ByteSource src(input);
  Value root;
  size_t budget = kRoundtripMaxNodes - 1;  // nodes that may still be created
  // Each slot: where a node goes and its depth.
  std::vector<std::pair<Value*, size_t>> work{{&root, 1}};
  while (!work.empty()) {
    auto [v, depth] = work.back();
    work.pop_back();
    uint8_t head = src.Byte();
    Type type = kTypes[head & 15];
    bool deeper = depth < kRoundtripMaxDepth;
    if (!resp::IsAggregate(type)) {
      DecodeScalar(type, src, v);
    } else {
      v->type = type;
      size_t per = type == Type::kMap ? 2 : 1;
      size_t n = deeper ? src.Byte() % (kRoundtripMaxChildren + 1) : 0;
      n = std::min(n, budget / per);
      budget -= n * per;
      // Sized before children are visited: the slot pointers stay valid.
      v->elems.resize(n * per);
      for (size_t i = v->elems.size(); i-- > 0;) work.push_back({&v->elems[i], depth + 1});
    }
    if ((head & 16) && deeper) {
      size_t pairs = std::min<size_t>(1 + (src.Byte() & 1), budget / 2);
      budget -= 2 * pairs;
      v->has_attributes = true;  // zero pairs is a valid, empty |0
      v->attributes.resize(2 * pairs);
      for (size_t i = v->attributes.size(); i-- > 0;)
        work.push_back({&v->attributes[i], depth + 1});
    }
  }
  return root;
}

namespace {

// The read-back, reused from input to input (ParseWhole empties it first).
ParseResult& Reused() {
  static ParseResult* const reused = new ParseResult;
  return *reused;
}

}  // namespace

fuzz::Verdict CheckRoundtrip(const Value& tree, ValueEncoder& writer, ReplyParser& parser) {
  std::string invalid = resp::Invalid(tree);
  if (!invalid.empty())
    return fuzz::Verdict::Fail("decode", -1, "decoded tree invalid: " + invalid);
  ParseResult& r = Reused();
  const Value downgraded = resp::Downgrade(tree);
  struct Leg {
    const char* check;
    Protocol protocol;
    const Value* expected;
  };
  const Leg legs[] = {{"resp3", Protocol::kResp3, &tree}, {"resp2", Protocol::kResp2, &downgraded}};
  for (const Leg& leg : legs) {
    std::string bytes = writer.Write(tree, leg.protocol);
    ParseWhole(parser, bytes, leg.protocol, resp::ReaderLimits{}, &r);
    if (r.error.code != resp::ReaderErrorCode::kNone || r.values.size() != 1 || !r.idle ||
        !resp::Equal(r.values[0], *leg.expected)) {
      return fuzz::Verdict::Fail(
          leg.check, 0,
          "expected " + resp::ToDebugString(*leg.expected, 1024) + "\nwritten \"" +
              EscapeBytes(bytes, 1024) + "\"\nread back " + std::to_string(r.values.size()) +
              " values:\n" + DescribeValues(r.values, 4) + "error: " + DescribeError(r.error));
    }
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict RunRespRoundtrip(std::string_view input) {
  // Reused from input to input: Start() resets everything but capacity.
  static ValueEncoder* const writer = MakeValueEncoder().release();
  static ReplyParser* const parser = MakeReplyParser().release();
  AtEndOfInput release([] {
    parser->Start(Protocol::kResp3, resp::ReaderLimits{});
    Reused().values.Reset();
    Reused().error = {};
  });
  return CheckRoundtrip(DecodeTree(input), *writer, *parser);
}

std::string DescribeRespRoundtrip(std::string_view input) {
  Value tree = DecodeTree(input);
  std::string out = "tree (" + std::to_string(resp::NodeCount(tree)) + " nodes, depth " +
                    std::to_string(resp::Depth(tree)) + "):\n  " + resp::ToDebugString(tree) + "\n";
  out += "RESP3: \"" + EscapeBytes(resp::Write(tree, Protocol::kResp3), 2048) + "\"\n";
  out += "RESP2: \"" + EscapeBytes(resp::Write(tree, Protocol::kResp2), 2048) + "\"\n";
  out += "RESP2 view: " + resp::ToDebugString(resp::Downgrade(tree)) + "\n";
  return out;
}

RESPFUZZ_REGISTER_HARNESS(
    resp_roundtrip,
    Harness{"resp_roundtrip", "a bounded RESP3 value tree decoded from the bytes (structure-aware)",
            "write RESP3 then read gives the tree back; write RESP2 then read gives the "
            "RESP2 downgrade of the tree",
            RunRespRoundtrip, DescribeRespRoundtrip});

}  // namespace respfuzz::harnesses
