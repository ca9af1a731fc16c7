#include "src/resp/writer.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

#include "src/resp/reply.h"

namespace respfuzz::resp {

namespace {

void AppendInt(int64_t n, std::string* out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, n);
  out->append(buf, res.ptr);
}

void Line(char type, std::string_view s, std::string* out) {
  out->push_back(type);
  out->append(s);
  out->append("\r\n", 2);
}

// Payloads from this size on make room for the whole bulk first.
constexpr size_t kReserveBulkFrom = 4096;

void BulkOf(char type, std::string_view s, std::string* out) {
  // A big payload: room for the whole bulk at once (still growing
  // geometrically). Appended piece by piece, it filled an exactly sized
  // buffer and its CRLF then moved all of it to one twice that size (a
  // second copy of a 1 MiB value for each GET of it, and twice its size
  // reserved). Small ones skip the check (it cost LRANGE 600 5% of the
  // server's CPU).
  if (s.size() >= kReserveBulkFrom) {
    const size_t need = s.size() + 32;  // type, length, two CRLFs
    if (out->capacity() - out->size() < need) {
      out->reserve(std::max(out->size() + need, 2 * out->capacity()));
    }
  }
  out->push_back(type);
  AppendInt(static_cast<int64_t>(s.size()), out);
  out->append("\r\n", 2);
  out->append(s);
  out->append("\r\n", 2);
}

// One node as the writer sees it: the payload by type, and the flat element
// count of an aggregate.
struct NodeData {
  Type type;
  std::string_view str;
  int64_t integer = 0;
  double dbl = 0;
  bool boolean = false;
  size_t elems = 0;
};

// Everything but the elements and attributes of a node.
void WriteNode(const NodeData& v, Protocol protocol, DoubleStyle doubles, std::string* out) {
  const bool resp3 = protocol == Protocol::kResp3;
  switch (v.type) {
    case Type::kSimpleString:
      Line('+', v.str, out);
      break;
    case Type::kError:
      Line('-', v.str, out);
      break;
    case Type::kInteger:
      WriteInteger(v.integer, out);
      break;
    case Type::kBulkString:
      BulkOf('$', v.str, out);
      break;
    case Type::kNullBulk:
      out->append("$-1\r\n");
      break;
    case Type::kNullArray:
      out->append("*-1\r\n");
      break;
    case Type::kNull:
      out->append(resp3 ? "_\r\n" : "$-1\r\n");
      break;
    case Type::kBoolean:
      if (resp3) {
        out->append(v.boolean ? "#t\r\n" : "#f\r\n");
      } else {
        out->append(v.boolean ? ":1\r\n" : ":0\r\n");
      }
      break;
    case Type::kDouble:
      if (!v.str.empty()) {
        // A double that carries the text the server printed (Value::str).
        if (resp3) {
          Line(',', v.str, out);
        } else {
          BulkOf('$', v.str, out);
        }
        break;
      }
      WriteDouble(v.dbl, protocol, doubles, out);
      break;
    case Type::kBigNumber:
      if (resp3) {
        Line('(', v.str, out);
      } else {
        BulkOf('$', v.str, out);
      }
      break;
    case Type::kBulkError:
      if (resp3) {
        BulkOf('!', v.str, out);
      } else {
        // A RESP2 error is one line: CR and LF become spaces, as Redis does
        // for error replies.
        out->push_back('-');
        for (char c : v.str) out->push_back(c == '\r' || c == '\n' ? ' ' : c);
        out->append("\r\n", 2);
      }
      break;
    case Type::kVerbatim:
      if (resp3) {
        BulkOf('=', v.str, out);
      } else {
        BulkOf('$', v.str.size() >= 4 ? v.str.substr(4) : v.str, out);
      }
      break;
    case Type::kArray:
      WriteAggregateHeader('*', static_cast<int64_t>(v.elems), out);
      break;
    case Type::kMap:
    case Type::kAttribute:
      if (resp3) {
        WriteAggregateHeader(v.type == Type::kMap ? '%' : '|', static_cast<int64_t>(v.elems / 2),
                             out);
      } else {
        WriteAggregateHeader('*', static_cast<int64_t>(v.elems), out);
      }
      break;
    case Type::kSet:
      WriteAggregateHeader(resp3 ? '~' : '*', static_cast<int64_t>(v.elems), out);
      break;
    case Type::kPush:
      WriteAggregateHeader(resp3 ? '>' : '*', static_cast<int64_t>(v.elems), out);
      break;
  }
}

void WriteNode(const Value& v, Protocol protocol, DoubleStyle doubles, std::string* out) {
  NodeData d{};
  d.type = v.type;
  d.str = v.str;
  d.elems = v.elems.size();
  // Only the union member the type makes meaningful is read.
  if (v.type == Type::kInteger) d.integer = v.integer;
  if (v.type == Type::kDouble) d.dbl = v.dbl;
  if (v.type == Type::kBoolean) d.boolean = v.boolean;
  WriteNode(d, protocol, doubles, out);
}

struct WriteItem {
  const Value* value;
  bool attributes_done;
};

}  // namespace

void WriteSimple(Type type, std::string_view s, std::string* out) {
  Line(type == Type::kError ? '-' : type == Type::kBigNumber ? '(' : '+', s, out);
}

void WriteBulk(std::string_view s, std::string* out) { BulkOf('$', s, out); }

void WriteInteger(int64_t n, std::string* out) {
  out->push_back(':');
  AppendInt(n, out);
  out->append("\r\n", 2);
}

void WriteAggregateHeader(char type_byte, int64_t len, std::string* out) {
  out->push_back(type_byte);
  AppendInt(len, out);
  out->append("\r\n", 2);
}

void WriteDouble(double d, Protocol protocol, DoubleStyle doubles, std::string* out) {
  const std::string text =
      doubles == DoubleStyle::kRedis70 ? FormatDoubleRedis70(d) : FormatDouble(d);
  if (protocol == Protocol::kResp3) {
    Line(',', text, out);
  } else {
    BulkOf('$', text, out);
  }
}

void Write(const Value& root, Protocol protocol, std::string* out, DoubleStyle doubles) {
  const bool resp3 = protocol == Protocol::kResp3;
  std::vector<WriteItem> work{{&root, false}};
  while (!work.empty()) {
    WriteItem item = work.back();
    work.pop_back();
    const Value& v = *item.value;
    if (resp3 && v.has_attributes && !item.attributes_done) {
      // |N and its pairs come first; the value itself follows them.
      WriteAggregateHeader('|', v.attributes.size() / 2, out);
      work.push_back({&v, true});
      for (size_t i = v.attributes.size(); i-- > 0;) work.push_back({&v.attributes[i], false});
      continue;
    }
    WriteNode(v, protocol, doubles, out);
    for (size_t i = v.elems.size(); i-- > 0;) work.push_back({&v.elems[i], false});
  }
}

void Write(ReplyRef v, Protocol protocol, std::string* out, DoubleStyle doubles) {
  // The run is in wire order already: one pass. RESP2 drops attributes.
  const ReplyTree& t = v.tree();
  const bool resp3 = protocol == Protocol::kResp3;
  for (uint64_t i = v.begin(); i < v.end(); ++i) {
    const ReplyNode& n = t.node(i);
    if (!resp3 && n.type == Type::kAttribute) {
      i += n.b - 1;
      continue;
    }
    NodeData d{};
    d.type = n.type;
    if (IsStringLike(n.type)) {
      d.str = t.payload(n);
    } else if (n.aggregate()) {
      d.elems = n.a;
    } else {
      d.integer = static_cast<int64_t>(n.a);
      std::memcpy(&d.dbl, &n.a, sizeof d.dbl);
      d.boolean = n.a != 0;
    }
    WriteNode(d, protocol, doubles, out);
  }
}

std::string Write(ReplyRef v, Protocol protocol, DoubleStyle doubles) {
  std::string out;
  Write(v, protocol, &out, doubles);
  return out;
}

std::string Write(const Value& v, Protocol protocol, DoubleStyle doubles) {
  std::string out;
  Write(v, protocol, &out, doubles);
  return out;
}

std::string EncodeCommand(const std::vector<std::string>& argv) {
  std::string out;
  WriteAggregateHeader('*', static_cast<int64_t>(argv.size()), &out);
  for (const std::string& a : argv) BulkOf('$', a, &out);
  return out;
}

}  // namespace respfuzz::resp
