// Request parsing as redis-server 7.0 does it (networking.c, sds.c), except
// for the chunking-invariant line limit described in request.h.
//
// Verified by sending raw bytes to redis-server 7.0.15 on 127.0.0.1 (replies
// shown after "-ERR "; every error closes the connection):
//   "*x\r\n", "*\r\n", "*01\r\n", "*+1\r\n", "*1 \r\n", "*-0\r\n", "*2147483648\r\n"
//       -> "Protocol error: invalid multibulk length"
//   "*2147483647\r\n" -> waits for the bulks (INT_MAX accepted)
//   "*0\r\nPING\r\n", "*-1\r\nPING\r\n" -> +PONG (empty requests ignored)
//   "*1\r\nfoo\r\n" -> "Protocol error: expected '$', got 'f'"
//   "*1\r\n\r\n", "*1\r\n\nfoo\r\n" -> "Protocol error: expected '$', got ' '" (\r and \n
//       become spaces: addReplyErrorFormat maps them); "*1\r\n\x01\r\n" and
//       "*1\r\n\xff\r\n" -> the raw byte between the quotes
//   "*1\r\n$x\r\n", "*1\r\n$-1\r\n", "*1\r\n$536870913\r\n", "*1\r\n$4\nPING\r\n"
//       -> "Protocol error: invalid bulk length"; "$536870912" is accepted
//   "*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n" -> two +PONG: the 2 bytes after a payload
//       are skipped unchecked; "*1\rX$4\rYPINGab" -> +PONG: so is the byte after a
//       header's '\r'
//   'ECHO "abc\r\n', 'ECHO "abc"d\r\n', 'RPUSH k "a\"' -> "Protocol error: unbalanced
//       quotes in request"
//   65537 bytes without '\n' -> "Protocol error: too big inline request"; 65536 bytes
//       then "\n" -> executed; 65536 bytes, then "\r", then "\n" in separate reads ->
//       "too big inline request"; 65537 bytes and "\n" in one write -> executed (the
//       chunk dependence this parser removes)
//   '*' + 65536 digits, no '\r' -> "Protocol error: too big mbulk count string";
//       '*' + 65535 digits -> waits
//   "*1\r\n" + '$' + 65536 digits -> "Protocol error: too big bulk count string";
//       "*1\r\n" + 65537 'x' (no '\r') -> the same, not "expected '$'"
//   "ECHO a\0b\r\nPING\r\n" -> no reply (the NUL hides the '\n'); followed by 64 KiB
//       -> "too big inline request"; "*1\0..." and "*1\r\n$\0..." likewise end in the
//       mbulk / bulk "too big" errors
//   Inline splitting: "PING\n", "PING\r\r\n" work; "a\vb" is one argument and a
//       leading \v \f is skipped; '"a"\v' and "'a'\f" close fine; '"\xZZ"' -> "xZZ",
//       '"\x4"' -> "x4", '"\xfF"' -> 0xff, '"\q"' -> "q"; "'a\\b'" keeps both
//       backslashes, "'c\'d'" -> "c'd"; "a'b c'" -> "ab c"; 'x"y"' -> "xy";
//       '"y"\'' is unbalanced; "a\tb\rc" -> three arguments; bytes >= 0x80 are kept.
#include "src/resp/request.h"

#include <algorithm>
#include <utility>

#include "src/resp/numbers.h"

namespace respfuzz::resp {

namespace {

// isspace() in the C locale (redis-server only sets LC_COLLATE).
bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Bytes that end a run of plain bytes of an unquoted argument: the blanks
// that end it (not isspace(): \v and \f stay in), the opening quotes, NUL.
bool EndsPlainRun(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0' || c == '"' || c == '\'';
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

RequestParser::RequestParser(RequestLimits limits) : limits_(limits) {}

void RequestParser::Reset() {
  error_.reset();
  buf_.clear();
  buf_.shrink_to_fit();
  pos_ = 0;
  consumed_ = 0;
  line_scanned_ = 0;
  line_blocked_ = false;
  multibulk_left_ = 0;
  bulk_len_ = -1;
  current_ = Request{};
  argc_ = 0;
  big_ = false;
  std::string().swap(big_arg_);
  spare_.clear();
}

void RequestParser::Restart(const RequestLimits& limits) {
  limits_ = limits;
  error_.reset();
  buf_.clear();
  pos_ = 0;
  consumed_ = 0;
  line_scanned_ = 0;
  line_blocked_ = false;
  multibulk_left_ = 0;
  bulk_len_ = -1;
  current_ = Request{};
  argc_ = 0;
  big_ = false;
  std::string().swap(big_arg_);  // sized for one argument: not worth keeping
}

void RequestParser::KeepSpare(std::vector<std::string>&& argv) {
  if (spare_.size() >= kMaxSpareArgv || argv.capacity() == 0) return;
  if (argv.capacity() > kMaxSpareArgs) return;
  size_t bytes = 0;
  for (const std::string& a : argv) bytes += a.capacity();
  if (bytes > kMaxSpareBytes) return;
  spare_.push_back(std::move(argv));
}

bool RequestParser::idle() const { return multibulk_left_ == 0 && buffered() == 0; }

bool RequestParser::Feed(std::string_view data, std::vector<Request>* out) {
  if (error_) return false;
  if (big_) {
    // A big argument's payload goes straight into its string; the bytes
    // after it (if this completes it) take the normal path.
    data.remove_prefix(FillBigArg(data, out));
    if (big_) return true;
  }
  // With nothing pending in buf_ (the usual case for a server: a read ends
  // where a request does), parse `data` where it is and keep only what is
  // left unparsed; otherwise append it to what is pending.
  const bool direct = pos_ == buf_.size();
  if (direct) {
    buf_.clear();
    pos_ = 0;
    in_ = data;
  } else {
    buf_.append(data);
    in_ = buf_;
  }
  while (ParseOne(out)) {
  }
  if (direct) {
    buf_.assign(in_.substr(pos_));
    pos_ = 0;
  } else if (pos_ == buf_.size()) {
    // Drop the parsed prefix once it is most of the buffer: amortized
    // linear, and the buffer never holds much more than the unparsed bytes.
    buf_.clear();
    pos_ = 0;
  } else if (pos_ >= 4096 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  in_ = {};
  return !error_;
}

bool RequestParser::ParseOne(std::vector<Request>* out) {
  if (error_ || pos_ == in_.size()) return false;
  // The first byte of a request decides its form (Redis's reqtype).
  if (multibulk_left_ > 0 || in_[pos_] == '*') return ParseMultibulk(out);
  return ParseInline(out);
}

void RequestParser::Advance(size_t n) {
  pos_ += n;
  consumed_ += n;
  line_scanned_ = 0;
  line_blocked_ = false;
}

void RequestParser::Fail(uint64_t offset, std::string message) {
  error_ = RequestError{offset, std::move(message)};
}

RequestParser::LineScan RequestParser::ScanLine(char terminator, size_t* len) {
  const size_t avail = unparsed();
  const size_t max = limits_.max_inline_len;
  // A terminator past max bytes is an error however the bytes arrived, so
  // never look further than max + 1 bytes.
  const size_t window = max >= avail ? avail : max + 1;
  if (!line_blocked_) {
    const char* p = in_.data() + pos_;
    size_t i = line_scanned_;
    for (; i < window; ++i) {
      if (p[i] == terminator) {
        line_scanned_ = i;
        *len = i;
        return LineScan::kFound;
      }
      if (p[i] == '\0') {  // strchr() stops here: the terminator stays unseen
        line_blocked_ = true;
        break;
      }
    }
    line_scanned_ = i;
  }
  return avail > max ? LineScan::kTooLong : LineScan::kNeedMore;
}

bool RequestParser::ParseInline(std::vector<Request>* out) {
  size_t len = 0;
  switch (ScanLine('\n', &len)) {
    case LineScan::kNeedMore:
      return false;
    case LineScan::kTooLong:
      Fail(consumed_, "Protocol error: too big inline request");
      return false;
    case LineScan::kFound:
      break;
  }
  std::string_view line(in_.data() + pos_, len);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Into a recycled argv when Recycle() handed one back, as for multibulk.
  std::vector<std::string> args;
  if (!spare_.empty()) {
    args = std::move(spare_.back());
    spare_.pop_back();
  }
  if (!SplitInlineArgs(line, &args)) {
    Fail(consumed_, "Protocol error: unbalanced quotes in request");
    return false;
  }
  const uint64_t offset = consumed_;
  Advance(len + 1);
  if (args.empty()) {
    KeepSpare(std::move(args));
  } else {
    out->push_back(Request{RequestKind::kInline, offset, std::move(args)});
  }
  return true;
}

bool RequestParser::ParseMultibulk(std::vector<Request>* out) {
  if (multibulk_left_ == 0) {
    size_t len = 0;
    switch (ScanLine('\r', &len)) {
      case LineScan::kNeedMore:
        return false;
      case LineScan::kTooLong:
        Fail(consumed_, "Protocol error: too big mbulk count string");
        return false;
      case LineScan::kFound:
        break;
    }
    // Redis waits for one byte after the '\r' and skips it unchecked.
    if (unparsed() < len + 2) return false;
    // string2ll(), as redis-server reads *N.
    const std::optional<int64_t> count = ParseInt64(in_.substr(pos_ + 1, len - 1));
    if (!count || *count > limits_.max_multibulk_len) {
      Fail(consumed_, "Protocol error: invalid multibulk length");
      return false;
    }
    const uint64_t offset = consumed_;
    Advance(len + 2);
    if (*count <= 0) return true;  // *0 and *-N: consumed, nothing to run
    multibulk_left_ = *count;
    bulk_len_ = -1;
    // No reserve(count): argv grows with the bulks that actually arrive
    // (into a recycled vector when Recycle() handed one back).
    current_.kind = RequestKind::kMultibulk;
    current_.offset = offset;
    current_.argv.clear();
    if (!spare_.empty()) {
      current_.argv = std::move(spare_.back());
      spare_.pop_back();
    }
    argc_ = 0;
  }

  while (multibulk_left_ > 0) {
    if (bulk_len_ < 0) {
      size_t len = 0;
      switch (ScanLine('\r', &len)) {
        case LineScan::kNeedMore:
          return false;
        case LineScan::kTooLong:
          Fail(consumed_, "Protocol error: too big bulk count string");
          return false;
        case LineScan::kFound:
          break;
      }
      if (unparsed() < len + 2) return false;
      char first = in_[pos_];
      if (first != '$') {
        // Printed with %c; addReplyErrorFormat turns \r and \n into spaces.
        if (first == '\r' || first == '\n') first = ' ';
        Fail(consumed_, std::string("Protocol error: expected '$', got '") + first + "'");
        return false;
      }
      const std::optional<int64_t> bulk_len = ParseInt64(in_.substr(pos_ + 1, len - 1));
      if (!bulk_len || *bulk_len < 0 || *bulk_len > limits_.max_bulk_len) {
        Fail(consumed_, "Protocol error: invalid bulk length");
        return false;
      }
      Advance(len + 2);
      bulk_len_ = *bulk_len;
      if (bulk_len_ >= limits_.big_arg_min && unparsed() < static_cast<uint64_t>(bulk_len_) + 2) {
        StartBigArg();  // the rest of the payload arrives in later Feed()s
        return false;
      }
      // Otherwise nothing is reserved: the payload waits in buf_ as it arrives.
    }
    // The payload and the 2 bytes after it (not checked to be CRLF, as in Redis).
    const uint64_t need = static_cast<uint64_t>(bulk_len_) + 2;
    if (unparsed() < need) return false;
    const char* payload = in_.data() + pos_;
    if (argc_ < current_.argv.size()) {
      current_.argv[argc_].assign(payload, static_cast<size_t>(bulk_len_));  // reuses its buffer
    } else {
      current_.argv.emplace_back(payload, static_cast<size_t>(bulk_len_));
    }
    Advance(static_cast<size_t>(need));
    EndBulk(out);
  }
  return true;
}

void RequestParser::EndBulk(std::vector<Request>* out) {
  ++argc_;
  bulk_len_ = -1;
  if (--multibulk_left_ > 0) return;
  current_.argv.resize(argc_);  // a recycled vector may hold more
  out->push_back(std::move(current_));
  current_.argv.clear();  // moved from: empty already, said explicitly
}

void RequestParser::StartBigArg() {
  // The payload and the 2 bytes after it, reserved at once when that is
  // little (so the string never grows, and once they are cut off it is the
  // argument); otherwise room for what is here and grown as it arrives (see
  // BigArgReserve), so that a header alone reserves nothing large.
  std::string arg;
  arg.reserve(BigArgReserve(0, in_.size() - pos_));
  arg.append(in_.substr(pos_));
  pos_ = in_.size();  // moved, not consumed: buffered() counts them in big_arg_
  big_arg_ = std::move(arg);
  big_ = true;
}

size_t RequestParser::BigArgReserve(size_t capacity, size_t have) const {
  const size_t need = static_cast<size_t>(bulk_len_) + 2;
  return std::min(need, std::max({kBigArgFirstReserve, 2 * capacity, 2 * have}));
}

size_t RequestParser::FillBigArg(std::string_view data, std::vector<Request>* out) {
  const size_t need = static_cast<size_t>(bulk_len_) + 2;
  const size_t take = std::min(data.size(), need - big_arg_.size());
  if (big_arg_.size() + take > big_arg_.capacity()) {
    big_arg_.reserve(BigArgReserve(big_arg_.capacity(), big_arg_.size() + take));
  }
  big_arg_.append(data.data(), take);
  if (big_arg_.size() < need) return take;
  // Complete: the 2 bytes after the payload are dropped unchecked, as on the
  // normal path, and the string becomes the argument without a copy.
  big_arg_.resize(static_cast<size_t>(bulk_len_));
  if (argc_ < current_.argv.size()) {
    current_.argv[argc_] = std::move(big_arg_);
  } else {
    current_.argv.push_back(std::move(big_arg_));
  }
  big_arg_.clear();  // moved from: empty already, said explicitly
  big_ = false;
  consumed_ += need;  // pos_ stays: none of it was in the parse buffer
  EndBulk(out);
  return take;
}

void RequestParser::Recycle(std::vector<Request>* done) {
  for (Request& r : *done) {
    if (spare_.size() >= kMaxSpareArgv) break;
    KeepSpare(std::move(r.argv));
  }
  done->clear();
}

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* args) {
  // Redis splits a C string: the line ends at its first NUL.
  line = line.substr(0, line.find('\0'));
  // Bytes past the end read as NUL, like the terminator Redis looks ahead to.
  auto at = [line](size_t i) { return i < line.size() ? line[i] : '\0'; };

  size_t argc = 0;  // args[argc..] are strings of an earlier line, reused
  size_t i = 0;
  while (true) {
    while (i < line.size() && IsCSpace(line[i])) ++i;
    if (i >= line.size()) break;

    enum class Mode { kPlain, kDouble, kSingle } mode = Mode::kPlain;
    if (argc == args->size()) args->emplace_back();
    std::string& arg = (*args)[argc++];
    arg.clear();
    bool done = false;
    while (!done) {
      // The bytes that stand for themselves in this mode go in as one run;
      // the byte after the run takes the steps below.
      size_t run = i;
      if (mode == Mode::kPlain) {
        while (run < line.size() && !EndsPlainRun(line[run])) ++run;
      } else {
        const char quote = mode == Mode::kDouble ? '"' : '\'';
        while (run < line.size() && line[run] != '\\' && line[run] != quote) ++run;
      }
      arg.append(line.data() + i, run - i);
      i = run;
      const char c = at(i);
      if (mode == Mode::kDouble) {
        if (c == '\\' && at(i + 1) == 'x' && IsHexDigit(at(i + 2)) && IsHexDigit(at(i + 3))) {
          arg.push_back(static_cast<char>(HexValue(at(i + 2)) * 16 + HexValue(at(i + 3))));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          ++i;
          switch (line[i]) {
            case 'n':
              arg.push_back('\n');
              break;
            case 'r':
              arg.push_back('\r');
              break;
            case 't':
              arg.push_back('\t');
              break;
            case 'b':
              arg.push_back('\b');
              break;
            case 'a':
              arg.push_back('\a');
              break;
            default:
              arg.push_back(line[i]);
              break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a blank or the end.
          if (at(i + 1) != '\0' && !IsCSpace(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;  // unterminated
        } else {
          arg.push_back(c);
        }
      } else if (mode == Mode::kSingle) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          arg.push_back('\'');
        } else if (c == '\'') {
          if (at(i + 1) != '\0' && !IsCSpace(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          arg.push_back(c);
        }
      } else {
        switch (c) {
          // Not isspace(): \v and \f do not end an unquoted argument.
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            mode = Mode::kDouble;  // may open mid-argument: a"b" is "ab"
            break;
          case '\'':
            mode = Mode::kSingle;
            break;
          default:
            arg.push_back(c);
            break;
        }
      }
      if (at(i) != '\0') ++i;
    }
  }
  args->resize(argc);
  return true;
}

std::optional<std::vector<std::string>> SplitInlineArgs(std::string_view line) {
  std::vector<std::string> args;
  if (!SplitInlineArgs(line, &args)) return std::nullopt;
  return args;
}

std::string QuoteInlineArg(std::string_view arg) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(arg.size() + 2);
  out.push_back('"');
  for (char ch : arg) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(ch);
        } else {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace respfuzz::resp
