// Server-side request parser with Redis 7 semantics: multibulk commands
// (*N then N $len bulks) and inline commands (split as redis-server splits
// them), with Redis's exact protocol error texts.
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

  size_t max_inline_len = kDefaultMaxInlineLen;  // inline line, or a *N / $N header line
  int64_t max_multibulk_len = kDefaultMaxMultibulkLen;
  int64_t max_bulk_len = kDefaultMaxBulkLen;
};

enum class RequestKind : uint8_t { kMultibulk, kInline };

struct Request {
  RequestKind kind = RequestKind::kMultibulk;
  uint64_t offset = 0;  // stream offset of the request's first byte
  std::vector<std::string> argv;

  bool operator==(const Request&) const = default;
};

struct RequestError {
  uint64_t offset = 0;  // stream offset where the offending header or line starts
  std::string message;  // exactly what redis-server replies, e.g.
                        // "Protocol error: invalid multibulk length"

  bool operator==(const RequestError&) const = default;
};

class RequestParser {
 public:
  explicit RequestParser(RequestLimits limits = {});

  // Parses every complete request in the bytes fed so far, appending them to
  // `out`. Empty requests (*0, negative counts, blank inline lines) are
  // consumed and produce nothing, as in Redis. Returns false on a protocol
  // error (sticky until Reset()).
  bool Feed(std::string_view data, std::vector<Request>* out);
  void Reset();

  bool failed() const { return error_.has_value(); }
  const std::optional<RequestError>& error() const { return error_; }
  bool idle() const;  // no partial request held
  uint64_t consumed() const { return consumed_; }
  size_t buffered() const { return buf_.size() - pos_; }
  const RequestLimits& limits() const { return limits_; }

 private:
  // Returns false when more bytes are needed or an error was recorded.
  bool ParseOne(std::vector<Request>* out);
  bool ParseInline(std::vector<Request>* out);
  bool ParseMultibulk(std::vector<Request>* out);
  void Fail(uint64_t offset, std::string message);

  RequestLimits limits_;
  std::optional<RequestError> error_;
  std::string buf_;
  size_t pos_ = 0;          // parse position in buf_
  uint64_t consumed_ = 0;   // stream offset of buf_[pos_]
  // Multibulk in progress.
  int64_t multibulk_left_ = 0;  // bulks still expected; 0 when none in progress
  int64_t bulk_len_ = -1;       // length of the bulk whose payload is awaited
  Request current_;
};

// Splits an inline command line as redis-server does (sdssplitargs): spaces
// separate arguments; "..." supports \n \r \t \b \a \\ \" and \xHH escapes;
// '...' supports \'; a closing quote must be followed by a space or the end.
// Returns nullopt for unbalanced quotes.
std::optional<std::vector<std::string>> SplitInlineArgs(std::string_view line);

// Quotes one argument so that SplitInlineArgs gives it back unchanged
// (a "..." token with \xHH for bytes that need it).
std::string QuoteInlineArg(std::string_view arg);

}  // namespace respfuzz::resp

#endif  // RESPFUZZ_RESP_REQUEST_H_
