#include "src/resp/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/container/inlined_vector.h"

namespace respfuzz::resp {

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kSimpleString:
      return "simple-string";
    case Type::kError:
      return "error";
    case Type::kInteger:
      return "integer";
    case Type::kBulkString:
      return "bulk-string";
    case Type::kNullBulk:
      return "null-bulk";
    case Type::kNullArray:
      return "null-array";
    case Type::kArray:
      return "array";
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return "boolean";
    case Type::kDouble:
      return "double";
    case Type::kBigNumber:
      return "big-number";
    case Type::kBulkError:
      return "bulk-error";
    case Type::kVerbatim:
      return "verbatim-string";
    case Type::kMap:
      return "map";
    case Type::kSet:
      return "set";
    case Type::kAttribute:
      return "attribute";
    case Type::kPush:
      return "push";
  }
  return "?";
}

bool IsAggregate(Type t) {
  return t == Type::kArray || t == Type::kMap || t == Type::kSet || t == Type::kPush ||
         t == Type::kAttribute;
}

bool IsStringLike(Type t) {
  return t == Type::kSimpleString || t == Type::kError || t == Type::kBulkString ||
         t == Type::kBigNumber || t == Type::kBulkError || t == Type::kVerbatim;
}

bool IsResp2Type(Type t) {
  return t == Type::kSimpleString || t == Type::kError || t == Type::kInteger ||
         t == Type::kBulkString || t == Type::kNullBulk || t == Type::kNullArray ||
         t == Type::kArray;
}

Value Value::Str(Type t, std::string s) {
  Value v;
  v.type = t;
  v.str = std::move(s);
  return v;
}

Value Value::Integer(int64_t n) {
  Value v;
  v.type = Type::kInteger;
  v.integer = n;
  return v;
}

Value Value::Double(double d) {
  Value v;
  v.type = Type::kDouble;
  v.dbl = d;
  return v;
}

Value Value::Boolean(bool b) {
  Value v;
  v.type = Type::kBoolean;
  v.boolean = b;
  return v;
}

Value Value::Null(Type t) {
  Value v;
  v.type = t;
  return v;
}

Value Value::Aggregate(Type t, std::vector<Value> elems) {
  Value v;
  v.type = t;
  v.elems = std::move(elems);
  return v;
}

namespace {

bool SameDouble(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

bool ShallowEqual(const Value& a, const Value& b) {
  if (a.type != b.type || a.has_attributes != b.has_attributes ||
      a.attributes.size() != b.attributes.size() || a.elems.size() != b.elems.size()) {
    return false;
  }
  switch (a.type) {
    case Type::kInteger:
      return a.integer == b.integer;
    case Type::kBoolean:
      return a.boolean == b.boolean;
    case Type::kDouble:
      return SameDouble(a.dbl, b.dbl);
    default:
      return !IsStringLike(a.type) || a.str == b.str;
  }
}

}  // namespace

bool Equal(const Value& a, const Value& b) {
  // Inline room for the usual value: harnesses compare replies by the op.
  absl::InlinedVector<std::pair<const Value*, const Value*>, 16> work{{&a, &b}};
  while (!work.empty()) {
    auto [x, y] = work.back();
    work.pop_back();
    if (!ShallowEqual(*x, *y)) return false;
    for (size_t i = 0; i < x->elems.size(); ++i) work.push_back({&x->elems[i], &y->elems[i]});
    for (size_t i = 0; i < x->attributes.size(); ++i) {
      work.push_back({&x->attributes[i], &y->attributes[i]});
    }
  }
  return true;
}

size_t NodeCount(const Value& v) {
  size_t n = 0;
  std::vector<const Value*> work{&v};
  while (!work.empty()) {
    const Value* x = work.back();
    work.pop_back();
    ++n;
    for (const Value& c : x->elems) work.push_back(&c);
    for (const Value& c : x->attributes) work.push_back(&c);
  }
  return n;
}

size_t Depth(const Value& v) {
  size_t max_depth = 0;
  std::vector<std::pair<const Value*, size_t>> work{{&v, 1}};
  while (!work.empty()) {
    auto [x, d] = work.back();
    work.pop_back();
    if (d > max_depth) max_depth = d;
    for (const Value& c : x->elems) work.push_back({&c, d + 1});
    for (const Value& c : x->attributes) work.push_back({&c, d + 1});
  }
  return max_depth;
}

namespace {

std::string InvalidNode(const Value& v) {
  switch (v.type) {
    case Type::kSimpleString:
    case Type::kError:
      if (v.str.find_first_of("\r\n") != std::string::npos) {
        return std::string(TypeName(v.type)) + " contains CR or LF";
      }
      return {};
    case Type::kBigNumber: {
      std::string_view s = v.str;
      if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
      if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) {
        return "big-number is not [+-]digits";
      }
      return {};
    }
    case Type::kVerbatim:
      if (v.str.size() < 4 || v.str[3] != ':') return "verbatim-string lacks its 'xxx:' format";
      return {};
    case Type::kMap:
      if (v.elems.size() % 2 != 0) return "map with an odd number of elements";
      return {};
    case Type::kAttribute:
      return "attribute as a value (attributes belong in Value::attributes)";
    default:
      return {};
  }
}

}  // namespace

std::string Invalid(const Value& v) {
  std::vector<const Value*> work{&v};
  while (!work.empty()) {
    const Value* x = work.back();
    work.pop_back();
    std::string why = InvalidNode(*x);
    if (!why.empty()) return why;
    if (x->attributes.size() % 2 != 0) return "attributes with an odd number of elements";
    if (!x->has_attributes && !x->attributes.empty()) return "attributes without has_attributes";
    for (const Value& c : x->elems) work.push_back(&c);
    for (const Value& c : x->attributes) work.push_back(&c);
  }
  return {};
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

namespace {

// Fills `out` with the RESP2 form of `in`, leaving out's elements to the caller.
void DowngradeNode(const Value& in, Value* out) {
  switch (in.type) {
    case Type::kMap:
    case Type::kSet:
    case Type::kPush:
    case Type::kAttribute:
      out->type = Type::kArray;
      break;
    case Type::kNull:
      out->type = Type::kNullBulk;
      break;
    case Type::kBoolean:
      out->type = Type::kInteger;
      out->integer = in.boolean ? 1 : 0;
      break;
    case Type::kDouble:
      out->type = Type::kBulkString;
      out->str = FormatDouble(in.dbl);
      break;
    case Type::kBigNumber:
      out->type = Type::kBulkString;
      out->str = in.str;
      break;
    case Type::kVerbatim:
      out->type = Type::kBulkString;
      out->str = in.str.size() >= 4 ? in.str.substr(4) : in.str;
      break;
    case Type::kBulkError:
      out->type = Type::kError;
      out->str = in.str;
      for (char& c : out->str) {
        if (c == '\r' || c == '\n') c = ' ';
      }
      break;
    default:
      out->type = in.type;
      if (in.type == Type::kInteger) out->integer = in.integer;
      out->str = in.str;
      break;
  }
}

}  // namespace

Value Downgrade(const Value& v) {
  Value root;
  std::vector<std::pair<const Value*, Value*>> work{{&v, &root}};
  while (!work.empty()) {
    auto [in, out] = work.back();
    work.pop_back();
    DowngradeNode(*in, out);
    // Sized before any child is visited, so the pointers pushed stay valid.
    out->elems.resize(in->elems.size());
    for (size_t i = 0; i < in->elems.size(); ++i) work.push_back({&in->elems[i], &out->elems[i]});
  }
  return root;
}

void AppendEscaped(std::string_view s, std::string* out) {
  for (unsigned char c : s) {
    switch (c) {
      case '\r':
        *out += "\\r";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out->push_back(static_cast<char>(c));
        } else {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          *out += buf;
        }
    }
  }
}

namespace {

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendEscaped(s, out);
  out->push_back('"');
}

struct PrintItem {
  const Value* value;  // null for a literal
  std::string_view literal;
  bool skip_attributes;
};

void PrintScalar(const Value& v, std::string* out) {
  switch (v.type) {
    case Type::kSimpleString:
      *out += "simple(";
      AppendQuoted(v.str, out);
      *out += ")";
      break;
    case Type::kError:
      *out += "error(";
      AppendQuoted(v.str, out);
      *out += ")";
      break;
    case Type::kInteger:
      *out += std::to_string(v.integer);
      break;
    case Type::kBulkString:
      AppendQuoted(v.str, out);
      break;
    case Type::kNullBulk:
      *out += "nil";
      break;
    case Type::kNullArray:
      *out += "nil-array";
      break;
    case Type::kNull:
      *out += "null";
      break;
    case Type::kBoolean:
      *out += v.boolean ? "true" : "false";
      break;
    case Type::kDouble:
      *out += "double(" + FormatDouble(v.dbl) + ")";
      break;
    case Type::kBigNumber:
      *out += "big(" + v.str + ")";
      break;
    case Type::kBulkError:
      *out += "bulk-error(";
      AppendQuoted(v.str, out);
      *out += ")";
      break;
    case Type::kVerbatim:
      *out += "verbatim(";
      AppendQuoted(v.str, out);
      *out += ")";
      break;
    default:
      break;
  }
}

}  // namespace

std::string ToDebugString(const Value& v, size_t max_len) {
  std::string out;
  std::vector<PrintItem> work{{&v, {}, false}};
  std::vector<PrintItem> seq;  // one node's items in output order
  while (!work.empty()) {
    if (out.size() > max_len) {
      out += "...";
      break;
    }
    PrintItem item = work.back();
    work.pop_back();
    if (item.value == nullptr) {
      out += item.literal;
      continue;
    }
    const Value& x = *item.value;
    seq.clear();
    if (x.has_attributes && !item.skip_attributes) {
      seq.push_back({nullptr, "|{", false});
      for (size_t i = 0; i < x.attributes.size(); ++i) {
        if (i > 0) seq.push_back({nullptr, i % 2 ? ": " : ", ", false});
        seq.push_back({&x.attributes[i], {}, false});
      }
      seq.push_back({nullptr, "}| ", false});
      seq.push_back({&x, {}, true});
    } else if (IsAggregate(x.type)) {
      std::string_view open = "[", close = "]";
      if (x.type == Type::kMap || x.type == Type::kAttribute) open = "{", close = "}";
      if (x.type == Type::kSet) open = "~{", close = "}";
      if (x.type == Type::kPush) open = ">[", close = "]";
      bool pairs = x.type == Type::kMap || x.type == Type::kAttribute;
      seq.push_back({nullptr, open, false});
      for (size_t i = 0; i < x.elems.size(); ++i) {
        if (i > 0) seq.push_back({nullptr, pairs && i % 2 ? ": " : ", ", false});
        seq.push_back({&x.elems[i], {}, false});
      }
      seq.push_back({nullptr, close, false});
    } else {
      PrintScalar(x, &out);
      continue;
    }
    for (auto it = seq.rbegin(); it != seq.rend(); ++it) work.push_back(*it);
  }
  return out;
}

std::string FormatDoubleRedis70(double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (std::isnan(d)) return "nan";
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.17g", d);
  return std::string(buf, n);
}

}  // namespace respfuzz::resp
