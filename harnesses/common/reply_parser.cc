#include "harnesses/common/reply_parser.h"

#include "src/resp/writer.h"

namespace respfuzz::harnesses {

namespace {

// One reader and one builder, reused from stream to stream: Start() keeps
// their buffers, so a parser that has grown allocates nothing per stream.
class RespfuzzParser : public ReplyParser {
 public:
  using ReplyParser::Feed;
  void Start(resp::Protocol protocol, const resp::ReaderLimits& limits) override {
    reader_.Reset(protocol, limits);
    builder_.SetOutput(nullptr);
  }
  bool Feed(std::string_view chunk, resp::ReplyTree* out) override {
    // The builder keeps a partial value between calls: one per stream and output.
    if (builder_.output() != out) builder_.SetOutput(out);
    return reader_.Feed(chunk, builder_);
  }
  resp::ReaderError error() const override { return reader_.error(); }
  bool idle() const override { return reader_.idle(); }
  uint64_t consumed() const override { return reader_.consumed(); }
  size_t buffered() const override { return reader_.buffered(); }

 private:
  resp::Reader reader_{resp::Protocol::kResp3};
  resp::ReplyBuilder builder_;
};

class RespfuzzEncoder : public ValueEncoder {
 public:
  std::string Write(const resp::Value& v, resp::Protocol protocol) override {
    return resp::Write(v, protocol);
  }
  void Write(resp::ReplyRef v, resp::Protocol protocol, std::string* out) override {
    resp::Write(v, protocol, out);
  }
};

}  // namespace

bool ReplyParser::Feed(std::string_view chunk, resp::ReplyTree* out) {
  std::vector<resp::Value> values;
  const bool ok = Feed(chunk, &values);
  for (const resp::Value& v : values) {
    // A parser's values that a reply cannot hold (an attribute as a value)
    // go in as the error they are, so a comparison sees them differ.
    if (!out->Append(v).ok()) {
      (void)out->Append(resp::Value::Error("unrepresentable value: " + resp::ToDebugString(v)));
    }
  }
  return ok;
}

bool ReplyParser::Feed(std::string_view chunk, std::vector<resp::Value>* out) {
  // The scratch tree keeps a value in progress until a later chunk completes it.
  const bool ok = Feed(chunk, &values_scratch_);
  for (resp::ReplyRef v : values_scratch_) out->push_back(resp::ToValue(v));
  values_scratch_.clear();
  return ok;
}

std::unique_ptr<ReplyParser> MakeReplyParser() { return std::make_unique<RespfuzzParser>(); }
std::unique_ptr<ValueEncoder> MakeValueEncoder() { return std::make_unique<RespfuzzEncoder>(); }

ParseResult ParseWhole(ReplyParser& parser, std::string_view data, resp::Protocol protocol,
                       const resp::ReaderLimits& limits) {
  ParseResult r;
  ParseWhole(parser, data, protocol, limits, &r);
  return r;
}

void ParseWhole(ReplyParser& parser, std::string_view data, resp::Protocol protocol,
                const resp::ReaderLimits& limits, ParseResult* out) {
  out->values.Reset();
  parser.Start(protocol, limits);
  parser.Feed(data, &out->values);
  out->error = parser.error();
  out->idle = parser.idle();
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

std::string DescribeValues(const resp::ReplyTree& values, size_t max_values) {
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
