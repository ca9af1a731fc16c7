#include "harnesses/connection/program.h"

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

constexpr std::array<std::string_view, 29> kPool = {
    "*1\r\n$4\r\nPING\r\n",
    "PING\r\n",
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
    "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
    "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n",
    "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n",
    "*1\r\n$5\r\nMULTI\r\n",
    "*1\r\n$4\r\nEXEC\r\n",
    "*1\r\n$4\r\nQUIT\r\n",
    "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n",
    "*3\r\n$6\r\nCLIENT\r\n$8\r\nTRACKING\r\n$2\r\non\r\n",
    "*4\r\n$6\r\nCLIENT\r\n$8\r\nTRACKING\r\n$2\r\non\r\n$5\r\nBCAST\r\n",
    "*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n",
    "*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n$1\r\n1\r\n",
    "*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n$1\r\n2\r\n",
    "*3\r\n$6\r\nAPPEND\r\n$3\r\nbig\r\n$64\r\n"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n",
    "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n",
    "*3\r\n$7\r\nPEXPIRE\r\n$1\r\nk\r\n$3\r\n150\r\n",
    "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nport\r\n",
    "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*2\r\n$3\r\nGET\r\n$"
    "3\r\nbig\r\n",
    "*5\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    "*4\r\n$6\r\nLRANGE\r\n$1\r\nl\r\n$1\r\n0\r\n$2\r\n-1\r\n",
    "*2\r\n$5\r\nWATCH\r\n$1\r\nk\r\n",
    "*2\r\n$3\r\nGET\r\n",             // the first half of a request
    "$1\r\nk\r\n",                     // its second half
    "*1\r\n$x\r\n",                    // a protocol error
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n",  // a request cut short
    "$1\r\nw\r\n*1\r\n$4\r\nPING\r\n",
    // Counts keys the active expire cycle has not removed yet (DBSIZE does
    // not expire lazily): what shows the server's cron running on time.
    "*1\r\n$6\r\nDBSIZE\r\n",
};

std::string Quote(std::string_view bytes) {
  std::string s = "\"";
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\r':
        s += "\\r";
        break;
      case '\n':
        s += "\\n";
        break;
      case '\t':
        s += "\\t";
        break;
      case '\\':
        s += "\\\\";
        break;
      case '"':
        s += "\\\"";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          s += "\\x";
          s.push_back(kHex[c >> 4]);
          s.push_back(kHex[c & 15]);
        } else {
          s.push_back(static_cast<char>(c));
        }
    }
  }
  return s + "\"";
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses a quoted string at the start of `s`; *rest gets what follows it.
absl::StatusOr<std::string> Unquote(std::string_view s, std::string_view* rest, size_t line) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", std::string(why)));
  };
  if (s.empty() || s[0] != '"') return bad("send takes a quoted string");
  std::string out;
  size_t i = 1;
  for (; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    if (++i >= s.size()) break;
    switch (s[i]) {
      case 'r':
        out.push_back('\r');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '"':
        out.push_back('"');
        break;
      case 'x': {
        const int hi = i + 1 < s.size() ? HexDigit(s[i + 1]) : -1;
        const int lo = i + 2 < s.size() ? HexDigit(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) return bad("\\x takes two hex digits");
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        return bad(absl::StrCat("unknown escape '\\", std::string(1, s[i]), "'"));
    }
  }
  if (i >= s.size()) return bad("unterminated string");
  *rest = s.substr(i + 1);
  return out;
}

absl::StatusOr<uint32_t> ParseNumber(std::string_view t, uint32_t max, size_t line,
                                     std::string_view what) {
  uint64_t v = 0;
  bool ok = !t.empty() && t.size() <= 10;
  for (char c : t) {
    if (c < '0' || c > '9') ok = false;
    if (ok) v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || v > max) {
    return absl::InvalidArgumentError(absl::StrCat("line ", line, ": bad ", std::string(what), " '",
                                                   std::string(t), "' (0..", max, ")"));
  }
  return static_cast<uint32_t>(v);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view NextWord(std::string_view* s) {
  *s = Trim(*s);
  size_t end = s->find(' ');
  if (end == std::string_view::npos) end = s->size();
  std::string_view w = s->substr(0, end);
  s->remove_prefix(end);
  *s = Trim(*s);
  return w;
}

}  // namespace

std::span<const std::string_view> RequestPool() { return kPool; }

ConnProgram DecodeConnProgram(std::string_view bytes) {
  ConnProgram p;
  p.ops.reserve(std::min(kConnMaxOps, bytes.size()));  // an op takes a byte at least
  ByteReader r(bytes);
  while (p.ops.size() < kConnMaxOps) {
    uint8_t b;
    if (!r.Byte(&b)) break;
    ConnOp op;
    const int kind = b & 0x0f;
    op.client = (b >> 4) & 7;
    bool ok = true;
    op.kind = kind >= 10 ? ConnOpKind::kTick : static_cast<ConnOpKind>(kind);
    switch (op.kind) {
      case ConnOpKind::kSend: {
        uint8_t pb = 0, slice = 0;
        ok = r.Byte(&pb);
        if (ok && pb < 0x80) {
          op.bytes = std::string(kPool[pb % kPool.size()]);
        } else if (ok) {
          ok = r.Bytes((pb & 0x7f) + 1, &op.bytes);
        }
        ok = ok && r.Byte(&slice);
        op.slice = slice;
        break;
      }
      case ConnOpKind::kWindow:
      case ConnOpKind::kClock:
        ok = r.U16BE(&op.n);
        break;
      default:
        break;
    }
    if (op.kind == ConnOpKind::kAcceptFail || op.kind == ConnOpKind::kTick ||
        op.kind == ConnOpKind::kClock) {
      op.client = 0;
    }
    if (!ok) break;
    p.ops.push_back(std::move(op));
  }
  return p;
}

std::string EncodeConnProgram(const ConnProgram& p) {
  std::string s;
  for (size_t i = 0; i < p.ops.size() && i < kConnMaxOps; ++i) {
    const ConnOp& op = p.ops[i];
    s.push_back(static_cast<char>((op.client & 7) << 4 | static_cast<int>(op.kind)));
    switch (op.kind) {
      case ConnOpKind::kSend: {
        size_t pool = kPool.size();
        for (size_t k = 0; k < kPool.size(); ++k) {
          if (kPool[k] == op.bytes) pool = k;
        }
        if (pool < kPool.size()) {
          s.push_back(static_cast<char>(pool));
        } else {
          const size_t n = std::min(std::max<size_t>(op.bytes.size(), 1), kConnMaxSendLen);
          s.push_back(static_cast<char>(0x80 | (n - 1)));
          std::string body = op.bytes.substr(0, n);
          body.resize(n, ' ');
          s += body;
        }
        s.push_back(static_cast<char>(std::min<uint32_t>(op.slice, kConnMaxSlice)));
        break;
      }
      case ConnOpKind::kWindow:
      case ConnOpKind::kClock:
        s.push_back(static_cast<char>(op.n >> 8));
        s.push_back(static_cast<char>(op.n));
        break;
      default:
        break;
    }
  }
  return s;
}

std::string ConnOpToText(const ConnOp& op) {
  const std::string c = absl::StrCat("c", op.client, " ");
  switch (op.kind) {
    case ConnOpKind::kConnect:
      return c + "connect";
    case ConnOpKind::kSend:
      return absl::StrCat(c, "send ", Quote(op.bytes),
                          op.slice > 0 ? absl::StrCat(" /", op.slice) : "");
    case ConnOpKind::kWindow:
      return absl::StrCat(c, "window ", op.n);
    case ConnOpKind::kNeverRead:
      return c + "never-read";
    case ConnOpKind::kFin:
      return c + "fin";
    case ConnOpKind::kRst:
      return c + "rst";
    case ConnOpKind::kClose:
      return c + "close";
    case ConnOpKind::kAcceptFail:
      return "accept-fail";
    case ConnOpKind::kTick:
      return "tick";
    case ConnOpKind::kClock:
      return absl::StrCat("clock +", op.n);
  }
  return "";
}

std::string ConnProgramToText(const ConnProgram& p) { return OpsToText(p.ops, ConnOpToText); }

absl::StatusOr<ConnProgram> ConnProgramFromText(std::string_view text) {
  ConnProgram p;
  absl::Status parsed =
      ForEachProgramLine(text, [&](size_t line_no, std::string_view line) -> absl::Status {
        std::string_view rest = Trim(line);
        if (rest.empty()) return absl::OkStatus();  // spaces around a carriage return
        auto bad = [&](std::string_view why) { return ProgramLineError(line_no, why); };
        std::string_view first = NextWord(&rest);
        ConnOp op;
        if (first == "tick" || first == "accept-fail") {
          op.kind = first == "tick" ? ConnOpKind::kTick : ConnOpKind::kAcceptFail;
          if (!rest.empty())
            return bad(absl::StrCat("'", std::string(first), "' takes no arguments"));
        } else if (first == "clock") {
          std::string_view t = NextWord(&rest);
          if (t.empty() || t[0] != '+' || !rest.empty()) return bad("clock takes +MS");
          auto ms = ParseNumber(t.substr(1), kConnMaxClockStep, line_no, "clock step");
          if (!ms.ok()) return ms.status();
          op.kind = ConnOpKind::kClock;
          op.n = *ms;
        } else if (first.size() == 2 && first[0] == 'c') {
          if (first[1] < '0' || first[1] >= '0' + kConnMaxClients) {
            return bad(absl::StrCat("unknown client '", std::string(first), "' (c0..c",
                                    kConnMaxClients - 1, ")"));
          }
          op.client = first[1] - '0';
          std::string_view verb = NextWord(&rest);
          auto no_args = [&](ConnOpKind k) -> absl::Status {
            op.kind = k;
            if (!rest.empty())
              return bad(absl::StrCat("'", std::string(verb), "' takes no arguments"));
            return absl::OkStatus();
          };
          absl::Status st;
          if (verb == "connect") {
            st = no_args(ConnOpKind::kConnect);
          } else if (verb == "never-read") {
            st = no_args(ConnOpKind::kNeverRead);
          } else if (verb == "fin") {
            st = no_args(ConnOpKind::kFin);
          } else if (verb == "rst") {
            st = no_args(ConnOpKind::kRst);
          } else if (verb == "close") {
            st = no_args(ConnOpKind::kClose);
          } else if (verb == "window") {
            op.kind = ConnOpKind::kWindow;
            std::string_view t = NextWord(&rest);
            if (!rest.empty()) return bad("window takes one number");
            auto w = ParseNumber(t, kConnMaxWindow, line_no, "window");
            if (!w.ok()) return w.status();
            op.n = *w;
          } else if (verb == "send") {
            op.kind = ConnOpKind::kSend;
            std::string_view after;
            auto bytes = Unquote(rest, &after, line_no);
            if (!bytes.ok()) return bytes.status();
            if (bytes->empty() || bytes->size() > kConnMaxSendLen) {
              return bad(
                  absl::StrCat("send of ", bytes->size(), " bytes (1..", kConnMaxSendLen, ")"));
            }
            op.bytes = std::move(*bytes);
            after = Trim(after);
            if (!after.empty()) {
              std::string_view t = NextWord(&after);
              if (t[0] != '/' || !after.empty()) return bad("send takes \"BYTES\" [/SLICE]");
              auto slice = ParseNumber(t.substr(1), kConnMaxSlice, line_no, "slice");
              if (!slice.ok()) return slice.status();
              op.slice = *slice;
            }
          } else {
            return bad(absl::StrCat("unknown op '", std::string(verb), "'"));
          }
          if (!st.ok()) return st;
        } else {
          return bad(absl::StrCat("unknown op '", std::string(first), "'"));
        }
        if (p.ops.size() >= kConnMaxOps) {
          return bad(absl::StrCat("more than ", kConnMaxOps, " ops"));
        }
        p.ops.push_back(std::move(op));
        return absl::OkStatus();
      });
  if (!parsed.ok()) return parsed;
  return p;
}

}  // namespace respfuzz::harnesses
