#include "src/engine/reply.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/numbers.h"

namespace respfuzz::engine {

namespace {

void AppendInt(int64_t n, std::string* out) {
  char buf[32];
  char* end = absl::numbers_internal::FastIntToBuffer(n, buf);
  out->append(buf, end - buf);
}

}  // namespace

void ReplyWriter::Simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyWriter::Error(std::string_view msg) {
  out_->push_back('-');
  if (msg.find_first_of("\r\n") == std::string_view::npos) {
    out_->append(msg);
  } else {
    // As Redis's addReplyErrorFormat: CR/LF trimmed from the ends, the rest
    // turned into spaces, so the error stays one line.
    const size_t first = msg.find_first_not_of("\r\n");
    if (first != std::string_view::npos) {
      msg = msg.substr(first, msg.find_last_not_of("\r\n") - first + 1);
      for (char c : msg) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
    }
  }
  out_->append("\r\n");
}

void ReplyWriter::Integer(int64_t n) {
  out_->push_back(':');
  AppendInt(n, out_);
  out_->append("\r\n");
}

void ReplyWriter::Bulk(std::string_view s) {
  out_->push_back('$');
  AppendInt(static_cast<int64_t>(s.size()), out_);
  out_->append("\r\n");
  out_->append(s);
  out_->append("\r\n");
}

void ReplyWriter::Null() { out_->append(resp3() ? "_\r\n" : "$-1\r\n"); }

void ReplyWriter::NullArray() { out_->append(resp3() ? "_\r\n" : "*-1\r\n"); }

void ReplyWriter::ArrayHeader(int64_t n) {
  out_->push_back('*');
  AppendInt(n, out_);
  out_->append("\r\n");
}

void ReplyWriter::MapHeader(int64_t pairs) {
  if (resp3()) {
    out_->push_back('%');
    AppendInt(pairs, out_);
  } else {
    out_->push_back('*');
    AppendInt(pairs * 2, out_);
  }
  out_->append("\r\n");
}

void ReplyWriter::SetHeader(int64_t n) {
  out_->push_back(resp3() ? '~' : '*');
  AppendInt(n, out_);
  out_->append("\r\n");
}

void ReplyWriter::Double(double d) {
  if (!resp3()) {
    BulkDouble(d);
    return;
  }
  out_->push_back(',');
  out_->append(resp::FormatDoubleRedis70(d));
  out_->append("\r\n");
}

void ReplyWriter::BulkDouble(double d) { Bulk(resp::FormatDoubleRedis70(d)); }

}  // namespace respfuzz::engine
