#include "harnesses/cluster_routing/program.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "harnesses/common/program_kit.h"

namespace respfuzz::harnesses {
namespace {

constexpr std::string_view kKeyAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789{}:._-";

constexpr std::array<std::string_view, 16> kKeyPool = {
    "foo",
    "bar",
    "hello",
    "123456789",
    "{user1000}.following",
    "{user1000}.followers",
    "{a}x",
    "{a}y",
    "foo{}{bar}",
    "a{b",
    "key:1",
    "key:2",
    "{0}",
    "{1}",
    "slot-0",
    "zzz",
};

// The words of a line, split at spaces.
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsKeyByte(char c) { return kKeyAlphabet.find(c) != std::string_view::npos; }

// A key: a pool entry, or a literal of up to kMaxKeyLen bytes mapped into the
// key alphabet.
bool ReadKey(ByteReader& r, std::string* out) {
  uint8_t k;
  if (!r.Byte(&k)) return false;
  if (k < 0x80) {
    *out = std::string(kKeyPool[k % kKeyPool.size()]);
    return true;
  }
  std::string literal;
  if (!r.Bytes((k & 0x1f) + 1, &literal)) return false;
  out->clear();
  for (char c : literal)
    out->push_back(kKeyAlphabet[static_cast<uint8_t>(c) % kKeyAlphabet.size()]);
  return true;
}

void PutKey(std::string* s, const std::string& key) {
  for (size_t i = 0; i < kKeyPool.size(); ++i) {
    if (kKeyPool[i] == key) {
      s->push_back(static_cast<char>(i));
      return;
    }
  }
  size_t n = std::min(std::max<size_t>(key.size(), 1), kMaxKeyLen);
  s->push_back(static_cast<char>(0x80 | (n - 1)));
  for (size_t i = 0; i < n; ++i) {
    size_t pos = i < key.size() ? kKeyAlphabet.find(key[i]) : 0;
    s->push_back(static_cast<char>(pos == std::string_view::npos ? 0 : pos));
  }
}

absl::StatusOr<int> ParseNode(std::string_view t, size_t line) {
  if (t.size() == 2 && t[0] == 'n' && t[1] >= '0' && t[1] < '0' + kRoutingNodes) return t[1] - '0';
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": unknown node '", std::string(t),
                                                 "' (n0..n", kRoutingNodes - 1, ")"));
}

absl::StatusOr<int> ParseSlot(std::string_view t, size_t line) {
  int v = 0;
  if (t.empty() || t.size() > 5) v = -1;
  for (char c : t) {
    if (v < 0) break;
    if (c < '0' || c > '9')
      v = -1;
    else
      v = v * 10 + (c - '0');
  }
  if (v < 0 || v > 16383) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": bad slot '", std::string(t), "' (0..16383)"));
  }
  return v;
}

absl::StatusOr<std::string> ParseKey(std::string_view t, size_t line) {
  if (t.empty() || t.size() > kMaxKeyLen) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": key of ", t.size(), " bytes (1..", kMaxKeyLen, ")"));
  }
  for (char c : t) {
    if (!IsKeyByte(c)) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ": key '", std::string(t),
                                                     "' has a byte outside [A-Za-z0-9{}:._-]"));
    }
  }
  return std::string(t);
}

}  // namespace

std::span<const std::string_view> BadTopologyNames() {
  static constexpr std::array<std::string_view, kBadTopologyKinds> kNames = {
      "host-integer",      "host-null",        "first-not-integer",
      "last-out-of-range", "first-after-last", "port-out-of-range",
      "short-entry",       "node-one-element", "error-reply"};
  return kNames;
}

std::span<const std::string_view> ShardsFormNames() {
  static constexpr std::array<std::string_view, kShardsForms> kNames = {
      "standard", "ip-only", "announced", "no-slots", "no-nodes", "nodes-not-list"};
  return kNames;
}

std::span<const std::string_view> KeyPool() { return kKeyPool; }

RoutingProgram DecodeRoutingProgram(std::string_view bytes) {
  RoutingProgram p;
  ByteReader r(bytes);
  while (p.ops.size() < kRoutingMaxOps) {
    uint8_t b;
    if (!r.Byte(&b)) break;
    RoutingOp op;
    uint8_t x = 0, y = 0, n = 0;
    uint32_t first = 0, length = 0;
    bool ok = true;
    switch (b % 8) {
      case 0:
        op.kind = RoutingOpKind::kRefresh;
        break;
      case 1:
        op.kind = RoutingOpKind::kMoveRange;
        ok = r.U16BE(&first) && r.U16BE(&length) && r.Byte(&n);
        op.first = static_cast<int>(first % 16384);
        op.last = std::min(16383, op.first + static_cast<int>(length));
        op.node = n % kRoutingNodes;
        break;
      case 2:
      case 3:
        op.kind = b % 8 == 2 ? RoutingOpKind::kMove : RoutingOpKind::kMigrate;
        ok = ReadKey(r, &op.key) && r.Byte(&n);
        op.node = n % kRoutingNodes;
        break;
      case 4:
        op.kind = RoutingOpKind::kFinish;
        ok = ReadKey(r, &op.key);
        break;
      case 5:
        op.kind = RoutingOpKind::kFail;
        ok = r.Byte(&x) && r.Byte(&y);
        op.node = x % kRoutingNodes;
        op.heir = y % kRoutingNodes;
        break;
      case 6:
        op.kind = RoutingOpKind::kGet;
        ok = ReadKey(r, &op.key);
        break;
      default:
        ok = r.Byte(&x);
        if (x % 8 < 7) {
          op.kind = RoutingOpKind::kRefreshBad;
          op.bad = x % 8;
        } else if (const int y = (x >> 4) & 7; y == 1) {
          op.kind = RoutingOpKind::kRefreshBad;
          op.bad = (x & 8) != 0 ? 8 : 7;
        } else if (y == 2) {
          op.kind = RoutingOpKind::kRedirectBad;
          op.slot = (x & 8) != 0 ? 16384 : -1;
          op.ask = (x & 0x80) != 0;
        } else {
          op.kind = RoutingOpKind::kRefreshShards;
          op.resp3 = (x & 8) != 0;
          op.form = y == 0 ? 0 : y - 2;
        }
        break;
    }
    if (!ok) break;
    p.ops.push_back(std::move(op));
  }
  return p;
}

std::string EncodeRoutingProgram(const RoutingProgram& p) {
  std::string s;
  for (size_t i = 0; i < p.ops.size() && i < kRoutingMaxOps; ++i) {
    const RoutingOp& op = p.ops[i];
    switch (op.kind) {
      case RoutingOpKind::kRefresh:
        s.push_back(0);
        break;
      case RoutingOpKind::kMoveRange: {
        s.push_back(1);
        int len = op.last - op.first;
        s.push_back(static_cast<char>(op.first >> 8));
        s.push_back(static_cast<char>(op.first));
        s.push_back(static_cast<char>(len >> 8));
        s.push_back(static_cast<char>(len));
        s.push_back(static_cast<char>(op.node));
        break;
      }
      case RoutingOpKind::kMove:
      case RoutingOpKind::kMigrate:
        s.push_back(op.kind == RoutingOpKind::kMove ? 2 : 3);
        PutKey(&s, op.key);
        s.push_back(static_cast<char>(op.node));
        break;
      case RoutingOpKind::kFinish:
        s.push_back(4);
        PutKey(&s, op.key);
        break;
      case RoutingOpKind::kFail:
        s.push_back(5);
        s.push_back(static_cast<char>(op.node));
        s.push_back(static_cast<char>(op.heir));
        break;
      case RoutingOpKind::kGet:
        s.push_back(6);
        PutKey(&s, op.key);
        break;
      case RoutingOpKind::kRefreshBad:
        s.push_back(7);
        s.push_back(static_cast<char>(op.bad < 7 ? op.bad : (op.bad == 8 ? 0x1F : 0x17)));
        break;
      case RoutingOpKind::kRefreshShards:
        s.push_back(7);
        s.push_back(
            static_cast<char>((op.form == 0 ? 0 : (op.form + 2) << 4) | 7 | (op.resp3 ? 8 : 0)));
        break;
      case RoutingOpKind::kRedirectBad:
        s.push_back(7);
        s.push_back(static_cast<char>(0x27 | (op.slot == 16384 ? 8 : 0) | (op.ask ? 0x80 : 0)));
        break;
    }
  }
  return s;
}

std::string RoutingOpToText(const RoutingOp& op) {
  switch (op.kind) {
    case RoutingOpKind::kRefresh:
      return "refresh";
    case RoutingOpKind::kMoveRange:
      return absl::StrCat("move-range ", op.first, " ", op.last, " n", op.node);
    case RoutingOpKind::kMove:
      return absl::StrCat("move ", op.key, " n", op.node);
    case RoutingOpKind::kMigrate:
      return absl::StrCat("migrate ", op.key, " n", op.node);
    case RoutingOpKind::kFinish:
      return absl::StrCat("finish ", op.key);
    case RoutingOpKind::kFail:
      return absl::StrCat("fail n", op.node, " n", op.heir);
    case RoutingOpKind::kGet:
      return absl::StrCat("get ", op.key);
    case RoutingOpKind::kRefreshBad:
      return "refresh-bad " + std::string(BadTopologyNames()[op.bad % kBadTopologyKinds]);
    case RoutingOpKind::kRefreshShards:
      return absl::StrCat(
          op.resp3 ? "refresh-shards resp3" : "refresh-shards resp2", op.form == 0 ? "" : " ",
          op.form == 0 ? std::string() : std::string(ShardsFormNames()[op.form % kShardsForms]));
    case RoutingOpKind::kRedirectBad:
      return absl::StrCat("redirect-bad ", op.ask ? "ask " : "moved ", op.slot);
  }
  return "";
}

std::string RoutingProgramToText(const RoutingProgram& p) {
  return OpsToText(p.ops, RoutingOpToText);
}

absl::StatusOr<RoutingProgram> RoutingProgramFromText(std::string_view text) {
  RoutingProgram p;
  absl::Status parsed =
      ForEachProgramLine(text, [&](size_t line_no, std::string_view line) -> absl::Status {
        // Not empty: the line holds a character other than a space or a tab.
        const std::vector<std::string_view> t = Split(line, ' ');
        auto arity = [&](size_t n) -> absl::Status {
          if (t.size() == n) return absl::OkStatus();
          return absl::InvalidArgumentError(absl::StrCat("line ", line_no, ": '", std::string(t[0]),
                                                         "' takes ", n - 1, " arguments"));
        };
        RoutingOp op;
        absl::Status st;
        if (t[0] == "refresh") {
          op.kind = RoutingOpKind::kRefresh;
          st = arity(1);
        } else if (t[0] == "move-range") {
          op.kind = RoutingOpKind::kMoveRange;
          if (st = arity(4); st.ok()) {
            auto f = ParseSlot(t[1], line_no), l = ParseSlot(t[2], line_no);
            auto n = ParseNode(t[3], line_no);
            if (!f.ok()) return f.status();
            if (!l.ok()) return l.status();
            if (!n.ok()) return n.status();
            if (*f > *l) {
              return absl::InvalidArgumentError(
                  absl::StrCat("line ", line_no, ": first slot after last"));
            }
            op.first = *f;
            op.last = *l;
            op.node = *n;
          }
        } else if (t[0] == "move" || t[0] == "migrate") {
          op.kind = t[0] == "move" ? RoutingOpKind::kMove : RoutingOpKind::kMigrate;
          if (st = arity(3); st.ok()) {
            auto k = ParseKey(t[1], line_no);
            auto n = ParseNode(t[2], line_no);
            if (!k.ok()) return k.status();
            if (!n.ok()) return n.status();
            op.key = *k;
            op.node = *n;
          }
        } else if (t[0] == "finish" || t[0] == "get") {
          op.kind = t[0] == "finish" ? RoutingOpKind::kFinish : RoutingOpKind::kGet;
          if (st = arity(2); st.ok()) {
            auto k = ParseKey(t[1], line_no);
            if (!k.ok()) return k.status();
            op.key = *k;
          }
        } else if (t[0] == "refresh-shards") {
          op.kind = RoutingOpKind::kRefreshShards;
          if (st = t.size() == 3 ? absl::OkStatus() : arity(2); st.ok()) {
            if (t[1] != "resp2" && t[1] != "resp3") {
              return ProgramLineError(line_no,
                                      absl::StrCat("refresh-shards takes resp2 or resp3, not '",
                                                   std::string(t[1]), "'"));
            }
            op.resp3 = t[1] == "resp3";
            if (t.size() == 3) {
              const auto forms = ShardsFormNames();
              const auto it = std::find(forms.begin(), forms.end(), t[2]);
              if (it == forms.end()) {
                return ProgramLineError(
                    line_no, absl::StrCat("unknown refresh-shards form '", std::string(t[2]), "'"));
              }
              op.form = static_cast<int>(it - forms.begin());
            }
          }
        } else if (t[0] == "redirect-bad") {
          op.kind = RoutingOpKind::kRedirectBad;
          if (st = arity(3); st.ok()) {
            if ((t[1] != "moved" && t[1] != "ask") || (t[2] != "-1" && t[2] != "16384")) {
              return ProgramLineError(line_no, "redirect-bad takes moved|ask and -1|16384");
            }
            op.ask = t[1] == "ask";
            op.slot = t[2] == "-1" ? -1 : 16384;
          }
        } else if (t[0] == "refresh-bad") {
          op.kind = RoutingOpKind::kRefreshBad;
          if (st = arity(2); st.ok()) {
            const auto names = BadTopologyNames();
            const auto it = std::find(names.begin(), names.end(), t[1]);
            if (it == names.end()) {
              return ProgramLineError(
                  line_no, absl::StrCat("unknown refresh-bad kind '", std::string(t[1]), "'"));
            }
            op.bad = static_cast<int>(it - names.begin());
          }
        } else if (t[0] == "fail") {
          op.kind = RoutingOpKind::kFail;
          if (st = arity(3); st.ok()) {
            auto a = ParseNode(t[1], line_no), b = ParseNode(t[2], line_no);
            if (!a.ok()) return a.status();
            if (!b.ok()) return b.status();
            op.node = *a;
            op.heir = *b;
          }
        } else {
          return ProgramLineError(line_no, absl::StrCat("unknown op '", std::string(t[0]), "'"));
        }
        if (!st.ok()) return st;
        if (p.ops.size() >= kRoutingMaxOps) {
          return ProgramLineError(line_no, absl::StrCat("more than ", kRoutingMaxOps, " ops"));
        }
        p.ops.push_back(std::move(op));
        return absl::OkStatus();
      });
  if (!parsed.ok()) return parsed;
  return p;
}

}  // namespace respfuzz::harnesses
