#include "harnesses/common/reply_parser.h"

#include "src/resp/writer.h"

namespace respfuzz::harnesses {

namespace {

class RespfuzzParser : public ReplyParser {
 public:
  void Start(resp::Protocol protocol, const resp::ReaderLimits& limits) override {
    reader_ = std::make_unique<resp::Reader>(protocol, limits);
    builder_.reset();
    builder_out_ = nullptr;
  }
  bool Feed(std::string_view chunk, std::vector<resp::Value>* out) override {
    // The builder keeps partial values between calls: one per stream and output.
    if (builder_out_ != out) {
      builder_ = std::make_unique<resp::TreeBuilder>(out, reader_.get());
      builder_out_ = out;
    }
    return reader_->Feed(chunk, *builder_);
  }
  resp::ReaderError error() const override { return reader_->error(); }
  bool idle() const override { return reader_->idle(); }
  uint64_t consumed() const override { return reader_->consumed(); }
  size_t buffered() const override { return reader_->buffered(); }

 private:
  std::unique_ptr<resp::Reader> reader_;
  std::unique_ptr<resp::TreeBuilder> builder_;
  std::vector<resp::Value>* builder_out_ = nullptr;
};

class RespfuzzEncoder : public ValueEncoder {
 public:
  std::string Write(const resp::Value& v, resp::Protocol protocol) override {
    return resp::Write(v, protocol);
  }
};

}  // namespace

std::unique_ptr<ReplyParser> MakeReplyParser() { return std::make_unique<RespfuzzParser>(); }
std::unique_ptr<ValueEncoder> MakeValueEncoder() { return std::make_unique<RespfuzzEncoder>(); }

ParseResult ParseWhole(ReplyParser& parser, std::string_view data, resp::Protocol protocol,
                       const resp::ReaderLimits& limits) {
  ParseResult r;
  parser.Start(protocol, limits);
  parser.Feed(data, &r.values);
  r.error = parser.error();
  r.idle = parser.idle();
  return r;
}

std::string DescribeValues(const std::vector<resp::Value>& values, size_t max_values) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < max_values; ++i) {
    out += "  [" + std::to_string(i) + "] " + resp::ToDebugString(values[i], 1024) + "\n";
  }
  if (values.size() > max_values) {
    out += "  ... " + std::to_string(values.size() - max_values) + " more\n";
  }
  return out;
}

std::string DescribeError(const resp::ReaderError& e) {
  if (e.code == resp::ReaderErrorCode::kNone) return "none";
  return std::string(resp::ReaderErrorCodeName(e.code)) + " at offset " + std::to_string(e.offset) +
         ": " + e.reason;
}

}  // namespace respfuzz::harnesses
