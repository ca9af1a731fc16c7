// ReplyWriter: the engine writes each reply straight into the session's output
// buffer in the session's protocol, as Redis's addReply* family does. Callers
// describe the RESP3 shape (map, set, double, null); RESP2 sessions get
// Redis's downgrade of it (flat arrays, bulk-string doubles, $-1 / *-1).
// The bytes are written by src/resp/writer.h's pieces (WriteInteger,
// WriteBulk, WriteAggregateHeader, WriteDouble).
#ifndef RESPFUZZ_ENGINE_REPLY_H_
#define RESPFUZZ_ENGINE_REPLY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "src/resp/value.h"

namespace respfuzz::engine {

class ReplyWriter {
 public:
  ReplyWriter(resp::Protocol protocol, std::string* out) : protocol_(protocol), out_(out) {}

  resp::Protocol protocol() const { return protocol_; }
  bool resp3() const { return protocol_ == resp::Protocol::kResp3; }
  std::string* buffer() { return out_; }

  void Ok() { out_->append("+OK\r\n"); }
  void Simple(std::string_view s);  // +s (no CR/LF in s)
  // -msg; msg carries its code ("ERR ...", "WRONGTYPE ..."). CR/LF at the
  // ends are trimmed and inner ones become spaces, as addReplyErrorFormat does.
  void Error(std::string_view msg);
  // -msg with every CR/LF a space, the ends' too, as addReplyErrorSdsSafe
  // does (FUNCTION LIST's unknown argument).
  void ErrorMapped(std::string_view msg);
  void Integer(int64_t n);
  void Bulk(std::string_view s);
  // Null bulk: $-1 in RESP2, _ in RESP3 (addReplyNull).
  void Null();
  // Null array: *-1 in RESP2, _ in RESP3 (addReplyNullArray).
  void NullArray();
  void ArrayHeader(int64_t n);
  void MapHeader(int64_t pairs);  // %n, or *2n in RESP2
  void SetHeader(int64_t n);      // ~n, or *n in RESP2
  // A double reply (addReplyDouble): ,%.17g in RESP3, a bulk string in RESP2.
  void Double(double d);
  // addReplyVerbatim: RESP3's =<len>\r\n<ext>:<text>, a bulk string in RESP2.
  void Verbatim(std::string_view text, std::string_view ext);
  // addReplyBool: #t / #f in RESP3, :1 / :0 in RESP2.
  void Bool(bool b);
  // A double always as a bulk string, "%.17g" (addReplyDouble's RESP2 form).
  void BulkDouble(double d);

 private:
  resp::Protocol protocol_;
  std::string* out_;
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_REPLY_H_
