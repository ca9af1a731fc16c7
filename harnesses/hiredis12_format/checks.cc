#include "harnesses/hiredis12_format/checks.h"

#include "harnesses/common/registry.h"
#include "harnesses/models/request_reference.h"
#include "src/resp/request.h"

namespace respfuzz::harnesses {

Hiredis12FormatCase DecodeHiredis12FormatCase(std::string_view input) {
  Hiredis12FormatCase c;
  while (!input.empty() && c.argv.size() < kHiredis12FormatMaxArgs) {
    const auto b = static_cast<uint8_t>(input[0]);
    input.remove_prefix(1);
    size_t len = b;
    if (b >= 0xF0) {
      const size_t low = input.empty() ? 0 : static_cast<uint8_t>(input[0]);
      if (!input.empty()) input.remove_prefix(1);
      len = (size_t{b & 0x0Fu} << 8) | low;
    }
    len = std::min(len, input.size());
    c.argv.push_back(input.substr(0, len));
    input.remove_prefix(len);
  }
  c.ignored = input.size();
  return c;
}

std::string EncodeHiredis12FormatCase(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (a.size() < 0xF0) {
      out.push_back(static_cast<char>(a.size()));
    } else {
      out.push_back(static_cast<char>(0xF0 | (a.size() >> 8)));
      out.push_back(static_cast<char>(a.size() & 0xFF));
    }
    out += a;
  }
  return out;
}

std::string SpecMultibulk(const std::vector<std::string_view>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (std::string_view a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

namespace {

class OurRequestReader : public RequestReader {
 public:
  ParsedRequests Read(std::string_view bytes) override {
    parser_.Restart(resp::RequestLimits{});
    requests_.clear();
    ParsedRequests out;
    if (!parser_.Feed(bytes, &requests_)) out.error = parser_.error()->message;
    for (resp::Request& r : requests_) {
      out.argvs.push_back(std::move(r.argv));
      out.multibulk.push_back(r.kind == resp::RequestKind::kMultibulk);
    }
    out.consumed = parser_.consumed();
    out.idle = parser_.idle();
    return out;
  }

 private:
  resp::RequestParser parser_;
  std::vector<resp::Request> requests_;
};

class ReferenceRequestReader : public RequestReader {
 public:
  ParsedRequests Read(std::string_view bytes) override {
    models::RequestReferenceResult r =
        models::ReferenceParseRequests(bytes, models::RequestReferenceLimits{});
    ParsedRequests out;
    if (r.error.has_value()) out.error = r.error->message;
    for (models::ReferenceRequest& q : r.requests) {
      out.argvs.push_back(std::move(q.argv));
      out.multibulk.push_back(!q.is_inline);
    }
    out.consumed = r.consumed;
    // The reference reads one whole buffer: what it did not consume is a
    // request still in progress.
    out.idle = !r.error.has_value() && r.consumed == bytes.size();
    return out;
  }
};

std::string Show(std::string_view s) { return "\"" + EscapeBytes(s, 256) + "\""; }

// The request `p` read back from `bytes` must be `argv`, exactly.
std::string ReadBackMismatch(const ParsedRequests& p, std::string_view bytes,
                             const std::vector<std::string_view>& argv) {
  if (p.error.has_value()) return "rejected: " + *p.error;
  const size_t want = argv.empty() ? 0 : 1;  // *0 is an empty request: nothing to run
  if (p.argvs.size() != want) {
    return "read " + std::to_string(p.argvs.size()) + " requests, expected " + std::to_string(want);
  }
  if (want == 1) {
    if (!p.multibulk[0]) return "read an inline request";
    const std::vector<std::string>& got = p.argvs[0];
    if (got.size() != argv.size()) {
      return "read " + std::to_string(got.size()) + " arguments, expected " +
             std::to_string(argv.size());
    }
    for (size_t i = 0; i < argv.size(); ++i) {
      if (got[i] != argv[i]) {
        return "argument " + std::to_string(i) + " is " + Show(got[i]) + ", expected " +
               Show(argv[i]);
      }
    }
  }
  if (p.consumed != bytes.size() || !p.idle) {
    return "consumed " + std::to_string(p.consumed) + " of " + std::to_string(bytes.size()) +
           " bytes" + (p.idle ? "" : ", a request still in progress");
  }
  return {};
}

}  // namespace

std::unique_ptr<RequestReader> MakeOurRequestReader() {
  return std::make_unique<OurRequestReader>();
}
std::unique_ptr<RequestReader> MakeReferenceRequestReader() {
  return std::make_unique<ReferenceRequestReader>();
}

fuzz::Verdict CheckHiredis12Format(CommandFormatter& formatter, RequestReader& ours,
                                   RequestReader& reference,
                                   const std::vector<std::string_view>& argv) {
  const auto argc = static_cast<int64_t>(argv.size());
  const Formatted plain = formatter.FormatArgv(argv);
  const Formatted sds = formatter.FormatSdsArgv(argv);
  if (plain.returned < 0 || sds.returned < 0 ||
      plain.returned != static_cast<long long>(plain.bytes.size()) ||
      sds.returned != static_cast<long long>(sds.bytes.size()) || plain.bytes != sds.bytes) {
    return fuzz::Verdict::Fail("format-same", argc,
                               "redisFormatCommandArgv returned " + std::to_string(plain.returned) +
                                   " and wrote " + Show(plain.bytes) +
                                   "; redisFormatSdsCommandArgv returned " +
                                   std::to_string(sds.returned) + " and wrote " + Show(sds.bytes));
  }
  const std::string spec = SpecMultibulk(argv);
  if (plain.bytes != spec) {
    return fuzz::Verdict::Fail(
        "format-spec", argc,
        "hiredis wrote " + Show(plain.bytes) + ", the spec's request is " + Show(spec));
  }
  if (std::string why = ReadBackMismatch(ours.Read(plain.bytes), plain.bytes, argv); !why.empty()) {
    return fuzz::Verdict::Fail("parse-back", argc,
                               "our request parser on " + Show(plain.bytes) + ": " + why);
  }
  if (std::string why = ReadBackMismatch(reference.Read(plain.bytes), plain.bytes, argv);
      !why.empty()) {
    return fuzz::Verdict::Fail("reference-parse-back", argc,
                               "the reference request parser on " + Show(plain.bytes) + ": " + why);
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict RunHiredis12Format(std::string_view input) {
  const Hiredis12FormatCase c = DecodeHiredis12FormatCase(input);
  static CommandFormatter* const formatter = MakeHiredis12Formatter().release();
  static RequestReader* const ours = MakeOurRequestReader().release();
  static RequestReader* const reference = MakeReferenceRequestReader().release();
  return CheckHiredis12Format(*formatter, *ours, *reference, c.argv);
}

std::string DescribeHiredis12Format(std::string_view input) {
  const Hiredis12FormatCase c = DecodeHiredis12FormatCase(input);
  std::string out = "argv (" + std::to_string(c.argv.size()) + " arguments";
  if (c.ignored > 0) out += ", " + std::to_string(c.ignored) + " input bytes ignored";
  out += "):\n";
  for (size_t i = 0; i < c.argv.size(); ++i) {
    out += "  [" + std::to_string(i) + "] " + std::to_string(c.argv[i].size()) + " bytes " +
           Show(c.argv[i]) + "\n";
  }
  auto formatter = MakeHiredis12Formatter();
  const Formatted plain = formatter->FormatArgv(c.argv);
  out += "redisFormatCommandArgv: " + std::to_string(plain.returned) + " bytes " +
         Show(plain.bytes) + "\n";
  auto ours = MakeOurRequestReader();
  auto reference = MakeReferenceRequestReader();
  const fuzz::Verdict v = CheckHiredis12Format(*formatter, *ours, *reference, c.argv);
  out += "verdict: " + (v.ok ? std::string("ok") : v.ToString()) + "\n";
  return out;
}

RESPFUZZ_REGISTER_HARNESS(
    hiredis12_format,
    Harness{"hiredis12_format",
            "an argv of arbitrary bytes, to hiredis 1.2.0's redisFormatCommandArgv and "
            "redisFormatSdsCommandArgv",
            "both write the same bytes, the spec's multibulk request; our request parser and "
            "the reference request parser read back exactly the argv",
            RunHiredis12Format, DescribeHiredis12Format});

}  // namespace respfuzz::harnesses
