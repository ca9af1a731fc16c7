#include "src/engine/reply.h"

#include <algorithm>

#include "src/resp/writer.h"

namespace respfuzz::engine {

// Every element goes through src/resp's writer, straight into the session's
// buffer: integers, lengths and headers are formatted on the stack. (Doubles
// are formatted into a std::string first, by resp::FormatDoubleRedis70.)

void ReplyWriter::Simple(std::string_view s) {
  resp::WriteSimple(resp::Type::kSimpleString, s, out_);
}

void ReplyWriter::Error(std::string_view msg) {
  // A plain scan: find_first_of calls memchr once per byte of the message.
  if (std::none_of(msg.begin(), msg.end(), [](char c) { return c == '\r' || c == '\n'; })) {
    resp::WriteSimple(resp::Type::kError, msg, out_);
    return;
  }
  // As Redis's addReplyErrorFormat: CR/LF trimmed from the ends, the rest
  // turned into spaces, so the error stays one line.
  out_->push_back('-');
  const size_t first = msg.find_first_not_of("\r\n");
  if (first != std::string_view::npos) {
    msg = msg.substr(first, msg.find_last_not_of("\r\n") - first + 1);
    for (char c : msg) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
  }
  out_->append("\r\n");
}

void ReplyWriter::ErrorMapped(std::string_view msg) {
  out_->push_back('-');
  for (char c : msg) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
  out_->append("\r\n");
}

void ReplyWriter::Integer(int64_t n) { resp::WriteInteger(n, out_); }

void ReplyWriter::Bulk(std::string_view s) { resp::WriteBulk(s, out_); }

void ReplyWriter::Bool(bool b) {
  if (resp3()) {
    out_->append(b ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyWriter::Verbatim(std::string_view text, std::string_view ext) {
  if (!resp3()) {
    Bulk(text);
    return;
  }
  out_->append("=");
  out_->append(std::to_string(text.size() + ext.size() + 1));
  out_->append("\r\n");
  out_->append(ext);
  out_->append(":");
  out_->append(text);
  out_->append("\r\n");
}

void ReplyWriter::Null() { out_->append(resp3() ? "_\r\n" : "$-1\r\n"); }

void ReplyWriter::NullArray() { out_->append(resp3() ? "_\r\n" : "*-1\r\n"); }

void ReplyWriter::ArrayHeader(int64_t n) { resp::WriteAggregateHeader('*', n, out_); }

void ReplyWriter::MapHeader(int64_t pairs) {
  if (resp3()) {
    resp::WriteAggregateHeader('%', pairs, out_);
  } else {
    resp::WriteAggregateHeader('*', pairs * 2, out_);
  }
}

void ReplyWriter::SetHeader(int64_t n) { resp::WriteAggregateHeader(resp3() ? '~' : '*', n, out_); }

void ReplyWriter::Double(double d) {
  resp::WriteDouble(d, protocol_, resp::DoubleStyle::kRedis70, out_);
}

void ReplyWriter::BulkDouble(double d) { Bulk(resp::FormatDoubleRedis70(d)); }

}  // namespace respfuzz::engine
