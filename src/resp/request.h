// Server-side request parser with Redis 7 semantics: multibulk commands
// (*N then N $len bulks) and inline commands (split as redis-server splits
// them), with Redis's exact protocol error texts.
//
// What it mirrors from redis-server 7.0 (processInputBuffer,
// processMultibulkBuffer, processInlineBuffer in networking.c; checked against
// a running redis-server 7.0.15, see request.cc):
//   - The first byte of each request picks the form: '*' multibulk, anything
//     else inline.
//   - Header lines (*N, $N) end at the first '\r'; the byte after it is
//     skipped without being looked at. A bulk payload is followed by two
//     bytes that are skipped unchecked too. Redis finds the '\r' (inline:
//     the '\n') with strchr(), so a NUL byte before it hides it: such a
//     request never completes and ends in the "too big" error once more than
//     max_inline_len bytes follow its start.
//   - *0 and negative counts are consumed and produce nothing; so does an
//     inline line that splits into no arguments.
//   - Numbers are parsed like string2ll(): optional '-', no '+', no leading
//     zeros, no spaces, at most 20 bytes, within int64.
//   - Not modelled: the unauthenticated limits (*N > 10, $N > 16384 before
//     AUTH), client-query-buffer-limit, and master/replica special cases.
//
// DEVIATION FROM REDIS BY DESIGN: redis-server applies PROTO_INLINE_MAX_SIZE
// to what is buffered after one read(), so whether a long line is rejected
// depends on how the bytes were split into reads. This parser decides on the
// bytes alone, as redis-server would if every byte arrived in its own read:
// an inline line may have at most max_inline_len bytes before its '\n' (a
// '\r' before the '\n' counts), a *N / $N header at most max_inline_len bytes
// before its '\r' ('*' / '$' included). Longer is an error even when the
// terminator arrives in the same chunk. As a result the parser is chunking
// invariant: any split of the same bytes gives the same requests, the same
// error and the same consumed().
//
// Memory is bounded by the bytes received: nothing is reserved from a
// declared count, and from a declared length at most kBigArgFirstReserve
// bytes (on the big-argument path below).
//
// Big arguments (redis-server's PROTO_MBULK_BIG_ARG path): once a $N header
// with N >= big_arg_min is parsed and its payload (with the 2 bytes after it)
// is not all buffered yet, the payload goes straight into the argument's own
// string: the payload bytes already buffered move there, and later Feed()
// data is appended to it directly (never to the parse buffer) until the
// payload is complete; the argument then ends up in argv without another
// copy, and what follows it in that Feed() takes the normal path. The
// requests, errors and offsets are the same as without the path; only the
// copies differ. The string is reserved to exactly N + 2 bytes when that is
// at most kBigArgFirstReserve (16 KiB) or twice the bytes already here, so
// it never grows; a larger N gets that much and doubles as bytes arrive.
// (Redis 7.0 reserves N + 2 at the header, so a header alone costs it up to
// 512 MiB of address space; here a header costs at most 16 KiB, and a
// big argument holds at most twice its received bytes or 16 KiB.)
#ifndef RESPFUZZ_RESP_REQUEST_H_
#define RESPFUZZ_RESP_REQUEST_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::resp {

struct RequestLimits {
  // PROTO_INLINE_MAX_SIZE, INT_MAX multibulk count, proto-max-bulk-len.
  static constexpr size_t kDefaultMaxInlineLen = 64 * 1024;
  static constexpr int64_t kDefaultMaxMultibulkLen = std::numeric_limits<int32_t>::max();
  static constexpr int64_t kDefaultMaxBulkLen = 512ll * 1024 * 1024;
  // PROTO_MBULK_BIG_ARG: 32 KiB.
  static constexpr int64_t kDefaultBigArgMin = 32 * 1024;

  size_t max_inline_len = kDefaultMaxInlineLen;  // inline line, or a *N / $N header line
  int64_t max_multibulk_len = kDefaultMaxMultibulkLen;
  int64_t max_bulk_len = kDefaultMaxBulkLen;
  // Bulks of at least this many bytes take the big-argument path (see above)
  // when their payload is not all buffered yet. 0: every bulk; more than
  // max_bulk_len (e.g. INT64_MAX): never. It changes only where the bytes
  // are copied, never what is parsed.
  int64_t big_arg_min = kDefaultBigArgMin;
};

enum class RequestKind : uint8_t { kMultibulk, kInline };

struct Request {
  RequestKind kind = RequestKind::kMultibulk;
  uint64_t offset = 0;  // stream offset of the request's first byte
  std::vector<std::string> argv;

  bool operator==(const Request&) const = default;
};

struct RequestError {
  // Stream offset where the offending line starts: the request's first byte
  // for inline errors and for the *N header, the '$' header's first byte for
  // errors in a bulk header ("expected '$'", "invalid bulk length", "too big
  // bulk count string").
  uint64_t offset = 0;
  std::string message;  // exactly what redis-server replies after "-ERR ", e.g.
                        // "Protocol error: invalid multibulk length"

  bool operator==(const RequestError&) const = default;
};

class RequestParser {
 public:
  explicit RequestParser(RequestLimits limits = {});

  // Parses every complete request in the bytes fed so far, appending them to
  // `out`. Empty requests (*0, negative counts, blank inline lines) are
  // consumed and produce nothing, as in Redis. Returns false on a protocol
  // error (sticky until Reset()). Once failed, further data is ignored:
  // buffered() keeps the unparsed bytes fed up to and including the chunk
  // that failed, so consumed() + buffered() is what was fed until then.
  bool Feed(std::string_view data, std::vector<Request>* out);
  // Back to a fresh stream (offsets restart at 0), same limits.
  void Reset();
  // Back to a fresh stream under `limits`, keeping the buffer's capacity
  // (and any argv vectors Recycle() kept): for a caller that parses many
  // short streams (a fuzz harness) and should not allocate for each.
  void Restart(const RequestLimits& limits);
  // Optional, for servers: takes back requests the caller is done with
  // (leaving *done empty) so that later multibulk requests reuse their argv
  // vectors and argument buffers instead of allocating new ones. What Feed()
  // produces is the same either way. At most kMaxSpareArgv vectors are kept,
  // none with room for more than kMaxSpareArgs arguments or kMaxSpareBytes of
  // argument capacity, so a parser holds at most ~64 KiB for reuse.
  void Recycle(std::vector<Request>* done);
  static constexpr size_t kMaxSpareArgv = 32;
  static constexpr size_t kMaxSpareArgs = 16;
  static constexpr size_t kMaxSpareBytes = 2048;
  // The most a big argument reserves ahead of its bytes (see the top).
  static constexpr size_t kBigArgFirstReserve = 16 * 1024;

  bool failed() const { return error_.has_value(); }
  const std::optional<RequestError>& error() const { return error_; }
  bool idle() const;  // no partial request held
  // Bytes fully parsed: complete requests, plus the *N header and whole bulks
  // of a multibulk request still in progress (as Redis advances qb_pos).
  uint64_t consumed() const { return consumed_; }
  // Bytes fed but not consumed: the parse buffer's unparsed bytes, plus the
  // payload bytes a big argument in progress holds (Redis counts those in
  // the client's query buffer too).
  size_t buffered() const { return buf_.size() - pos_ + (big_ ? big_arg_.size() : 0); }
  // A big argument's payload is being received (see above).
  bool in_big_arg() const { return big_; }
  // Bytes reserved for the big argument in progress (its string's capacity;
  // 0 when none is): at most max(kBigArgFirstReserve, 2 * buffered()).
  size_t big_arg_reserved() const { return big_ ? big_arg_.capacity() : 0; }
  const RequestLimits& limits() const { return limits_; }

 private:
  enum class LineScan { kFound, kNeedMore, kTooLong };

  // Returns false when more bytes are needed or an error was recorded.
  bool ParseOne(std::vector<Request>* out);
  bool ParseInline(std::vector<Request>* out);
  bool ParseMultibulk(std::vector<Request>* out);
  // Looks for `terminator` in the line starting at pos_ as strchr() would
  // (a NUL ends the search), within the first max_inline_len + 1 bytes.
  // kFound sets *len to the bytes before the terminator.
  LineScan ScanLine(char terminator, size_t* len);
  size_t unparsed() const { return in_.size() - pos_; }  // during Feed()
  void Advance(size_t n);
  // Moves the buffered part of the bulk whose header was just parsed into a
  // fresh big_arg_ reserved to its size; the parse buffer is then empty.
  void StartBigArg();
  // The capacity for a big argument that holds `have` bytes in `capacity`:
  // the whole payload and its CRLF when that is at most kBigArgFirstReserve
  // or twice what is held, else the larger of those (doubling as bytes come).
  size_t BigArgReserve(size_t capacity, size_t have) const;
  // Appends data to big_arg_ up to the payload's end and returns the bytes
  // taken; once complete, the argument goes to argv (EndBulk).
  size_t FillBigArg(std::string_view data, std::vector<Request>* out);
  // The bulk whose payload was awaited is complete (its argument stored as
  // argv[argc_]): counts it, and pushes the request if it was the last.
  void EndBulk(std::vector<Request>* out);
  // Keeps `argv` for reuse if within the spare caps.
  void KeepSpare(std::vector<std::string>&& argv);
  void Fail(uint64_t offset, std::string message);

  RequestLimits limits_;
  std::optional<RequestError> error_;
  // Unparsed bytes kept between Feed()s.
  std::string buf_;
  // During Feed(), the bytes being parsed: buf_, or the caller's data when
  // nothing was pending (so it is not copied; what is left unparsed goes to
  // buf_ at the end). Empty between Feed()s.
  std::string_view in_;
  size_t pos_ = 0;         // parse position in in_ (between Feed()s: in buf_)
  uint64_t consumed_ = 0;  // stream offset of in_[pos_]
  // Resumable line scan, so feeding byte by byte stays linear.
  size_t line_scanned_ = 0;    // bytes from pos_ known to hold no terminator
  bool line_blocked_ = false;  // a NUL came first: the terminator can never be seen
  // Multibulk in progress.
  int64_t multibulk_left_ = 0;  // bulks still expected; 0 when none in progress
  int64_t bulk_len_ = -1;       // length of the bulk whose payload is awaited
  Request current_;
  size_t argc_ = 0;  // bulks stored in current_.argv (a recycled vector may hold more)
  // Big argument in progress: its payload and trailing 2 bytes as received
  // so far, in a string of capacity bulk_len_ + 2; none of it is in buf_.
  bool big_ = false;
  std::string big_arg_;
  std::vector<std::vector<std::string>> spare_;  // argv vectors from Recycle()
};

// Splits an inline command line as redis-server does (sdssplitargs): blanks
// (isspace: space \t \n \v \f \r) separate arguments, but an unquoted
// argument ends only at space \t \n \r, so \v and \f inside it are kept; a
// quote may open in the middle of an argument (a"b c" is one argument);
// "..." supports \n \r \t \b \a, \xHH when both H are hex digits, and any
// other escaped byte stands for itself; '...' supports only \'; a closing
// quote must be followed by a blank or the end. The line ends at its first
// NUL byte, as the C string Redis splits. Returns nullopt for unbalanced
// quotes.
std::optional<std::vector<std::string>> SplitInlineArgs(std::string_view line);
// The same into *args, reusing the strings already there (their storage);
// false for unbalanced quotes, and then *args is unspecified.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* args);

// Quotes one argument so that SplitInlineArgs gives it back unchanged
// (always a "..." token, like sdscatrepr: \\ \" \n \r \t \a \b escaped,
// other bytes outside printable ASCII as \xHH).
std::string QuoteInlineArg(std::string_view arg);

}  // namespace respfuzz::resp

#endif  // RESPFUZZ_RESP_REQUEST_H_
