// Streaming RESP2/RESP3 reply reader.
//
// Bytes may arrive in any chunking; the reader reports values through a
// Visitor as soon as they are complete and keeps only the unconsumed tail of
// the input. It never recurses, never allocates for a declared length before
// the bytes arrive, and after an error stays failed until Reset().
#ifndef RESPFUZZ_RESP_READER_H_
#define RESPFUZZ_RESP_READER_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "src/resp/reply.h"
#include "src/resp/value.h"

namespace respfuzz::resp {

struct ReaderLimits {
  // Defaults: 512 MiB bulks like Redis's proto-max-bulk-len, INT_MAX elements
  // like Redis's multibulk limit, 64 KiB lines like PROTO_INLINE_MAX_SIZE.
  static constexpr int64_t kDefaultMaxBulkLen = 512ll * 1024 * 1024;
  static constexpr int64_t kDefaultMaxAggregateLen = std::numeric_limits<int32_t>::max();
  static constexpr size_t kDefaultMaxLineLen = 64 * 1024;
  static constexpr size_t kDefaultMaxDepth = 128;
  // Value trees are destroyed and copied by ordinary (recursive) member
  // functions, so depth itself has a ceiling no configuration may exceed.
  static constexpr size_t kMaxDepthCeiling = 4096;

  size_t max_depth = kDefaultMaxDepth;                  // open aggregates, attributes included
  int64_t max_aggregate_len = kDefaultMaxAggregateLen;  // elements (pairs for maps)
  int64_t max_bulk_len = kDefaultMaxBulkLen;            // one bulk, or a whole streamed string
  size_t max_line_len = kDefaultMaxLineLen;             // a header or simple line, CRLF excluded
};

enum class ReaderErrorCode : uint8_t {
  kNone,
  kUnknownType,        // a type byte not valid in this protocol mode
  kBadTerminator,      // CR not followed by LF, or bulk payload not followed by CRLF
  kCharInLine,         // LF inside a simple line
  kLineTooLong,        // no CR within max_line_len bytes
  kBadInteger,         // ':' payload not a 64-bit integer
  kBadLength,          // '$' '*' ... length not an integer, or negative other than -1
  kBulkTooLong,        // length above max_bulk_len
  kAggregateTooLong,   // count above max_aggregate_len
  kTooDeep,            // nesting above max_depth
  kBadDouble,          // ',' payload
  kBadBoolean,         // '#' payload
  kBadNull,            // '_' payload not empty
  kBadBigNumber,       // '(' payload
  kBadVerbatim,        // '=' payload shorter than 4 bytes or no ':' at 3
  kBadStreamChunk,     // inside $? a part that is not ';<len>'
  kUnexpectedEnd,      // '.' outside a streamed aggregate, or mid-pair in a map
  kDanglingAttribute,  // an attribute followed by '.' instead of a value
};

std::string_view ReaderErrorCodeName(ReaderErrorCode c);

struct ReaderError {
  ReaderErrorCode code = ReaderErrorCode::kNone;
  uint64_t offset = 0;  // byte offset from the start of the stream (or Reset)
  std::string reason;

  bool operator==(const ReaderError&) const = default;
};

// Receives the values as the reader completes them. Strings are views valid
// only during the call.
class Visitor {
 public:
  virtual ~Visitor() = default;
  // kSimpleString kError kBulkString kBulkError kVerbatim kBigNumber.
  virtual void OnString(Type type, std::string_view payload) = 0;
  virtual void OnInteger(int64_t value) = 0;
  virtual void OnDouble(double value) = 0;
  virtual void OnBoolean(bool value) = 0;
  // kNull kNullBulk kNullArray.
  virtual void OnNull(Type type) = 0;
  // An aggregate opens: kArray kMap kSet kPush kAttribute. `len` is the
  // declared element count (pairs for maps and attributes), or -1 when
  // streamed. An attribute annotates the value that follows it.
  virtual void OnBegin(Type type, int64_t len) = 0;
  virtual void OnEnd() = 0;
  // Optional. A bulk payload (kBulkString kBulkError kVerbatim) of at least
  // Reader::kMinHandOff bytes that arrived over several Feed calls, and so
  // fills the start of the reader's own buffer: buffer->substr(0, len) is the
  // payload, more bytes may follow. A visitor may take the buffer's storage
  // instead of copying the payload: it moves *buffer away (keeping that
  // storage alive and in place until Feed returns: the reader reads the
  // bytes after the payload from it), leaves an empty string there for the
  // reader to go on with, and returns true; the value is then reported by
  // this call alone. By default it returns false, and OnString follows.
  virtual bool OnStringBuffer(Type /*type*/, std::string* /*buffer*/, size_t /*len*/) {
    return false;
  }
  // Optional. The reader is about to grow its buffer while it gathers a
  // bulk payload. A visitor holding a larger unused string (storage it took
  // with OnStringBuffer and has since let go of) may put it in place of
  // *buffer, with *buffer's bytes copied into it. So a reader whose caller
  // drops each big reply before the next one arrives fills the same storage
  // every time, still warm in the cache, rather than a second buffer. By
  // default nothing happens.
  virtual void OnBufferGrowth(std::string* /*buffer*/) {}
};

class Reader {
 public:
  // Payloads at least this long may be handed to the visitor's
  // OnStringBuffer (heap storage: no short-string buffer moves with it).
  static constexpr size_t kMinHandOff = 64;

  explicit Reader(Protocol protocol, ReaderLimits limits = {});

  // Starts a new stream in `protocol` under `limits`, keeping the buffers'
  // capacity (Reset() with a new mode).
  void Reset(Protocol protocol, const ReaderLimits& limits);

  // Parses as much of `data` as possible, reporting complete values (and the
  // opening and closing of aggregates) to `visitor`. Returns false on a
  // protocol error (see error()); once failed, further calls return false
  // and report nothing.
  bool Feed(std::string_view data, Visitor& visitor);

  // Forgets all state, errors included, and starts a new stream.
  void Reset();

  bool failed() const { return error_.code != ReaderErrorCode::kNone; }
  const ReaderError& error() const { return error_; }
  absl::Status status() const;

  // True at a value boundary with no partial input held: the stream may end
  // here cleanly.
  bool idle() const;
  // Top-level values completed since the start (attributes do not count).
  uint64_t values() const { return values_; }
  // Bytes consumed into completed parse steps; bytes fed so far equal
  // consumed() + buffered().
  uint64_t consumed() const { return consumed_; }
  size_t buffered() const { return buf_.size(); }
  Protocol protocol() const { return protocol_; }
  const ReaderLimits& limits() const { return limits_; }
  // During a Visitor callback: input bytes available after the current
  // header. Every element takes at least 3 bytes, so an aggregate can have at
  // most bytes_ahead() / 3 elements already here; a builder can reserve that
  // much without trusting the declared length.
  size_t bytes_ahead() const { return ahead_; }

 private:
  struct Frame {
    Type type;
    bool streamed;
    bool attribute_pending;  // an attribute was read; the next element is its value
    bool mid_pair;           // streamed map: a key was read, its value is due
    int64_t remaining;       // counted: elements still expected (maps: keys + values)
  };
  enum class State : uint8_t { kHeader, kBulk, kStreamedString };

  // Parses p[0, n), which starts at stream offset consumed_. Returns the
  // bytes consumed; on error, failed() is set.
  size_t Parse(const char* p, size_t n, Visitor& visitor);
  // One header line [type byte, content, CRLF] starting at p[0]; `content`
  // excludes the type byte. Returns false on error.
  bool Header(char type, std::string_view content, uint64_t offset, Visitor& visitor);
  template <typename... Parts>
  bool Fail(ReaderErrorCode code, uint64_t offset, const Parts&... reason_parts);
  bool FailByte(ReaderErrorCode code, uint64_t offset, const char* what, char byte);
  // Called after a complete element: closes finished aggregates.
  void ValueDone(Visitor& visitor);
  bool Open(Type type, int64_t len, uint64_t offset, Visitor& visitor);
  bool* AttributePendingSlot();

  Protocol protocol_;
  ReaderLimits limits_;
  ReaderError error_;
  std::vector<Frame> stack_;
  bool top_attribute_pending_ = false;
  State state_ = State::kHeader;
  Type bulk_type_ = Type::kBulkString;  // kBulkString kBulkError kVerbatim while in kBulk
  int64_t bulk_len_ = 0;                // payload bytes of the current bulk or stream part
  std::string stream_buf_;              // accumulated parts of a $? string
  std::string buf_;                     // unconsumed input carried between Feed calls
  size_t line_scanned_ = 0;             // bytes of a pending header already known CR-free
  uint64_t consumed_ = 0;
  uint64_t values_ = 0;
  size_t ahead_ = 0;
  bool handed_off_ = false;  // buf_'s storage went to the visitor during this Feed
};

// Builds value trees from visitor events. Complete top-level values are
// appended to `out`. Given the reader that drives it, it sizes aggregates by
// the bytes already received, shared across all open aggregates (never by
// the declared length alone), so memory stays proportional to the input.
class TreeBuilder : public Visitor {
 public:
  explicit TreeBuilder(std::vector<Value>* out, const Reader* reader = nullptr)
      : out_(out), reader_(reader) {}
  void OnString(Type type, std::string_view payload) override;
  void OnInteger(int64_t value) override;
  void OnDouble(double value) override;
  void OnBoolean(bool value) override;
  void OnNull(Type type) override;
  void OnBegin(Type type, int64_t len) override;
  void OnEnd() override;
  // Drops any partially built value (after an error or Reset()).
  void Clear();

 private:
  // Where the next value goes, with any pending attribute attached.
  Value& Place(bool scalar);
  void FinishAggregate();  // a completed top-level aggregate goes to out_
  std::vector<Value>* out_;
  const Reader* reader_;
  Value root_;                    // the top-level value being built
  std::vector<Value*> open_;      // open aggregates; attributes point into attr_holders_
  std::vector<size_t> reserved_;  // slots reserved up front by each open aggregate
  size_t reserved_total_ = 0;
  std::vector<std::unique_ptr<Value>> attr_holders_;
  // Completed attributes waiting for the value they annotate, with the depth
  // (open_.size()) that value will be placed at. Consecutive attributes merge.
  std::vector<std::pair<size_t, std::vector<Value>>> pending_attrs_;
};

// Builds the lean reply tree (reply.h) from visitor events: complete
// top-level values are appended to `out`; a value still in progress lives at
// the end of `out` (invisible to its readers, kept by out->clear()) until it
// completes. Nothing is sized by a declared length: one node per value that
// arrived, one arena append per payload.
class ReplyBuilder : public Visitor {
 public:
  explicit ReplyBuilder(ReplyTree* out = nullptr) : out_(out) {}
  void OnString(Type type, std::string_view payload) override;
  void OnInteger(int64_t value) override;
  void OnDouble(double value) override;
  void OnBoolean(bool value) override;
  void OnNull(Type type) override;
  void OnBegin(Type type, int64_t len) override;
  void OnEnd() override;
  // Takes the reader's buffer as the payload's storage (one copy of a big
  // bulk instead of two), leaving it an empty string.
  bool OnStringBuffer(Type type, std::string* buffer, size_t len) override;
  // Swaps in the tree's spare buffer when it is larger.
  void OnBufferGrowth(std::string* buffer) override;
  // Drops any partially built value from the output (after an error or a
  // Reset() of the reader).
  void Clear();
  // From now on writes to `out` (may be null), starting with no value in
  // progress. The previous output is not touched (it may be gone); a partial
  // value an earlier builder left at the end of `out` is dropped.
  void SetOutput(ReplyTree* out);
  ReplyTree* output() const { return out_; }

 private:
  static constexpr uint64_t kNone = ~uint64_t{0};
  // Starts a value's node (not an attribute's): takes a pending attribute
  // and counts the element in its parent.
  ReplyNode& Place(Type type);
  ReplyNode& Open(uint64_t rel) { return out_->nodes_[out_->done_nodes_ + rel]; }
  ReplyTree* out_;
  // Open aggregates and attributes, as node indices relative to the start
  // of the value in progress (out_->done_nodes_), which clear() may move.
  std::vector<uint64_t> open_;
  uint64_t pending_attr_ = kNone;  // a complete attribute waiting for its value
};

// Replays a value as the reader would report it: the attribute first, then
// the value, aggregates as OnBegin, their elements, OnEnd. A Value of type
// kAttribute is reported as an attribute.
void Replay(ReplyRef v, Visitor& visitor);
void Replay(const Value& v, Visitor& visitor);

// Convenience: reads every complete value of `data`. Returns the values and,
// through `error`, the error if one occurred (values before it are kept), or
// leaves `error` at kNone. `*complete` is set to reader.idle() at the end.
std::vector<Value> ReadAll(std::string_view data, Protocol protocol, const ReaderLimits& limits,
                           ReaderError* error, bool* complete = nullptr);
// The same into a reply tree (values appended to `out`).
void ReadAll(std::string_view data, Protocol protocol, const ReaderLimits& limits, ReplyTree* out,
             ReaderError* error, bool* complete = nullptr);

}  // namespace respfuzz::resp

#endif  // RESPFUZZ_RESP_READER_H_
