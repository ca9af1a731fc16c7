#include "harnesses/request_parser/checks.h"

#include <algorithm>
#include <limits>

#include "harnesses/common/registry.h"
#include "harnesses/common/reply_parser.h"
#include "harnesses/models/request_reference.h"
#include "src/resp/writer.h"

namespace respfuzz::harnesses {

namespace {

constexpr size_t kDescribeMaxRequests = 64;

std::string Quoted(std::string_view bytes) { return "\"" + EscapeBytes(bytes, 256) + "\""; }

std::string DescribeError(const std::optional<resp::RequestError>& e) {
  if (!e) return "no error";
  return "error @" + std::to_string(e->offset) + " " + Quoted(e->message);
}

std::string DescribeRequests(const std::vector<resp::Request>& reqs, size_t index) {
  return index < reqs.size() ? DescribeRequest(reqs[index]) : "nothing";
}

// One parse of `bytes` in a single Feed, for the round trips.
struct Reparse {
  bool ok = false;
  std::vector<resp::Request> requests;
  std::optional<resp::RequestError> error;
  uint64_t consumed = 0;
};

// Reparses into `r` (emptied first).
const Reparse& ReparseWhole(RequestParserUnderTest& parser, std::string_view bytes, Reparse* r) {
  r->requests.clear();
  parser.Start(RelaxedRequestLimits());
  r->ok = parser.Feed(bytes, &r->requests);
  r->error = parser.error();
  r->consumed = parser.consumed();
  return *r;
}

// Empty when `r` is exactly one request of kind `kind` at offset 0 with
// `original`'s argv, parsed from all of `bytes`.
std::string ReparseMismatch(const Reparse& r, resp::RequestKind kind, const resp::Request& original,
                            std::string_view bytes) {
  auto same = [&](const resp::Request& q) {
    return q.kind == kind && q.offset == 0 && q.argv == original.argv;
  };
  auto expected = [&] { return DescribeRequest(resp::Request{kind, 0, original.argv}); };
  std::string got;
  if (!r.ok || r.error) {
    got = DescribeError(r.error);
  } else if (r.requests.size() != 1) {
    got = std::to_string(r.requests.size()) + " requests";
    if (!r.requests.empty()) got += ", first " + DescribeRequest(r.requests[0]);
  } else if (!same(r.requests[0])) {
    got = DescribeRequest(r.requests[0]);
  } else if (r.consumed != bytes.size()) {
    got =
        "consumed " + std::to_string(r.consumed) + " of " + std::to_string(bytes.size()) + " bytes";
  } else {
    return "";
  }
  return "reparsing " + Quoted(bytes) + " expected " + expected() + ", got " + got;
}

}  // namespace

resp::RequestLimits RequestParserLimits(uint8_t profile) {
  resp::RequestLimits limits;
  if (profile & kRequestSmallCaps) {
    limits.max_inline_len = 64;
    limits.max_multibulk_len = 8;
    limits.max_bulk_len = 32;
  }
  if (profile & kRequestSmallBigArg) limits.big_arg_min = profile >> 2;
  return limits;
}

resp::RequestLimits RelaxedRequestLimits() {
  resp::RequestLimits limits;
  limits.max_inline_len = std::numeric_limits<size_t>::max();
  limits.max_multibulk_len = std::numeric_limits<int64_t>::max();
  limits.max_bulk_len = std::numeric_limits<int64_t>::max();
  return limits;
}

RequestParserInput DecodeRequestParserInput(std::string_view input) {
  RequestParserInput in;
  in.profile = TakeByte(&input);
  in.limits = RequestParserLimits(in.profile);
  in.plan = TakeChunkPlan(&input);
  in.payload = input;
  return in;
}

std::string DescribeRequest(const resp::Request& r) {
  std::string s = r.kind == resp::RequestKind::kInline ? "inline" : "multibulk";
  s += " @" + std::to_string(r.offset) + " [";
  for (size_t i = 0; i < r.argv.size(); ++i) {
    if (i > 0) s += " ";
    if (i == 16) {
      s += "...(" + std::to_string(r.argv.size() - i) + " more)";
      break;
    }
    s += Quoted(r.argv[i]);
  }
  return s + "]";
}

fuzz::Verdict CheckRequestsAgainstReference(const RequestParserInput& in,
                                            const std::vector<resp::Request>& requests,
                                            const std::optional<resp::RequestError>& error,
                                            uint64_t consumed) {
  models::RequestReferenceLimits limits;
  limits.max_inline_len = in.limits.max_inline_len;
  limits.max_multibulk_len = in.limits.max_multibulk_len;
  limits.max_bulk_len = in.limits.max_bulk_len;
  const models::RequestReferenceResult ref = models::ReferenceParseRequests(in.payload, limits);
  auto describe_ref = [](const models::ReferenceRequest& r) {
    return DescribeRequest(
        resp::Request{r.is_inline ? resp::RequestKind::kInline : resp::RequestKind::kMultibulk,
                      r.offset, r.argv});
  };
  const size_t n = std::min(requests.size(), ref.requests.size());
  for (size_t i = 0; i <= n; ++i) {
    if (i == n && requests.size() == ref.requests.size()) break;
    if (i < n) {
      const models::ReferenceRequest& r = ref.requests[i];
      const resp::Request& q = requests[i];
      if ((q.kind == resp::RequestKind::kInline) == r.is_inline && q.offset == r.offset &&
          q.argv == r.argv) {
        continue;
      }
    }
    return fuzz::Verdict::Fail(
        "reference", static_cast<int64_t>(i),
        "request " + std::to_string(i) + ": parser " +
            (i < requests.size() ? DescribeRequest(requests[i]) : std::string("none")) +
            ", reference " + (i < ref.requests.size() ? describe_ref(ref.requests[i]) : "none") +
            " (" + std::to_string(requests.size()) + " vs " + std::to_string(ref.requests.size()) +
            " requests)");
  }
  const std::optional<resp::RequestError> ref_error =
      ref.error ? std::optional<resp::RequestError>(
                      resp::RequestError{ref.error->offset, ref.error->message})
                : std::nullopt;
  if (error != ref_error) {
    return fuzz::Verdict::Fail("reference", static_cast<int64_t>(requests.size()),
                               "parser ended with " + DescribeError(error) + ", reference with " +
                                   DescribeError(ref_error));
  }
  if (consumed != ref.consumed) {
    return fuzz::Verdict::Fail("reference", static_cast<int64_t>(requests.size()),
                               "parser consumed " + std::to_string(consumed) +
                                   " bytes, Redis's read position is at " +
                                   std::to_string(ref.consumed));
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict CheckRequestParser(RequestParserUnderTest& chunked, RequestParserUnderTest& whole,
                                 std::string_view input) {
  const RequestParserInput in = DecodeRequestParserInput(input);
  std::optional<fuzz::Verdict> accounting;  // first violation, reported after chunking
  // `chunk` is -1 for the whole-fed parser.
  auto check_accounting = [&](const RequestParserUnderTest& p, int64_t chunk, uint64_t fed,
                              size_t requests_so_far) {
    if (accounting) return;
    const uint64_t consumed = p.consumed();
    const uint64_t buffered = p.buffered();
    if (consumed + buffered == fed) return;
    const std::string how =
        chunk < 0 ? "whole-fed" : "chunked, after chunk " + std::to_string(chunk);
    accounting = fuzz::Verdict::Fail("accounting", static_cast<int64_t>(requests_so_far),
                                     how + ": consumed " + std::to_string(consumed) +
                                         " + buffered " + std::to_string(buffered) +
                                         " != " + std::to_string(fed) + " bytes fed");
  };

  // The requests of one input are freed with it (see AtEndOfInput in
  // reply_parser.h); the round trips' line buffer keeps its capacity.
  std::vector<resp::Request> whole_reqs;
  std::vector<resp::Request> chunked_reqs;
  Reparse reparse_result;
  Reparse* const reparse = &reparse_result;
  static std::string* const line_reused = new std::string;

  // Whole.
  ExactCopies copies;  // each range a parser sees is its own heap block
  whole.Start(in.limits);
  whole.Feed(copies.Copy(in.payload), &whole_reqs);
  const std::optional<resp::RequestError> whole_error = whole.error();
  const uint64_t whole_consumed = whole.consumed();
  check_accounting(whole, -1, in.payload.size(), whole_reqs.size());

  // Chunked, stopping at the first failing Feed (errors are sticky).
  chunked.Start(in.limits);
  uint64_t fed = 0;
  int64_t chunk_index = 0;
  for (std::string_view chunk : Chunks(in.payload, in.plan)) {
    fed += chunk.size();
    const bool ok = chunked.Feed(copies.Copy(chunk), &chunked_reqs);
    check_accounting(chunked, chunk_index++, fed, chunked_reqs.size());
    if (!ok) break;
  }

  // chunking
  const size_t common = std::min(whole_reqs.size(), chunked_reqs.size());
  for (size_t i = 0; i <= common; ++i) {
    if (i < common && whole_reqs[i] == chunked_reqs[i]) continue;
    if (i == common && whole_reqs.size() == chunked_reqs.size()) break;
    return fuzz::Verdict::Fail("chunking", static_cast<int64_t>(i),
                               "whole-fed gave " + DescribeRequests(whole_reqs, i) +
                                   ", chunked gave " + DescribeRequests(chunked_reqs, i) + " (" +
                                   std::to_string(whole_reqs.size()) + " vs " +
                                   std::to_string(chunked_reqs.size()) + " requests)");
  }
  if (whole_error != chunked.error()) {
    return fuzz::Verdict::Fail("chunking", static_cast<int64_t>(whole_reqs.size()),
                               "whole-fed ended with " + DescribeError(whole_error) +
                                   ", chunked with " + DescribeError(chunked.error()));
  }
  if (whole_consumed != chunked.consumed()) {
    return fuzz::Verdict::Fail("chunking", static_cast<int64_t>(whole_reqs.size()),
                               "whole-fed consumed " + std::to_string(whole_consumed) +
                                   " bytes, chunked " + std::to_string(chunked.consumed()));
  }

  if (accounting) return *accounting;

  // multibulk-roundtrip, over every request whatever its form.
  for (size_t i = 0; i < whole_reqs.size(); ++i) {
    const resp::Request& original = whole_reqs[i];
    std::string& bytes = *line_reused;
    bytes.clear();
    resp::WriteAggregateHeader('*', static_cast<int64_t>(original.argv.size()), &bytes);
    for (const std::string& a : original.argv) resp::WriteBulk(a, &bytes);
    std::string why = ReparseMismatch(ReparseWhole(whole, bytes, reparse),
                                      resp::RequestKind::kMultibulk, original, bytes);
    if (!why.empty()) {
      return fuzz::Verdict::Fail("multibulk-roundtrip", static_cast<int64_t>(i),
                                 DescribeRequest(original) + ": " + why);
    }
  }

  // inline-roundtrip.
  for (size_t i = 0; i < whole_reqs.size(); ++i) {
    const resp::Request& original = whole_reqs[i];
    if (original.kind != resp::RequestKind::kInline) continue;
    std::string& line = *line_reused;
    line.clear();
    for (size_t a = 0; a < original.argv.size(); ++a) {
      if (a > 0) line += ' ';
      line += whole.QuoteInlineArg(original.argv[a]);
    }
    line += "\r\n";
    std::string why = ReparseMismatch(ReparseWhole(whole, line, reparse),
                                      resp::RequestKind::kInline, original, line);
    if (!why.empty()) {
      return fuzz::Verdict::Fail("inline-roundtrip", static_cast<int64_t>(i),
                                 DescribeRequest(original) + ": " + why);
    }
  }

  // reference: what redis-server makes of the same bytes.
  return CheckRequestsAgainstReference(in, whole_reqs, whole_error, whole_consumed);
}

fuzz::Verdict RunRequestParser(std::string_view input) {
  // Reused from input to input: Start() keeps only the buffer's capacity.
  static RealRequestParser* const chunked = new RealRequestParser;
  static RealRequestParser* const whole = new RealRequestParser;
  AtEndOfInput release([] {
    chunked->Start(resp::RequestLimits{});
    whole->Start(resp::RequestLimits{});
  });
  return CheckRequestParser(*chunked, *whole, input);
}

std::string DescribeRequestParser(std::string_view input) {
  const RequestParserInput in = DecodeRequestParserInput(input);
  std::string s = "profile " + std::to_string(in.profile);
  if (in.profile & kRequestSmallCaps) {
    s += ": small caps";
  } else {
    s += ": default limits";
  }
  if (in.profile & kRequestSmallBigArg) s += ", small big-argument threshold";
  s += " (max_inline_len " + std::to_string(in.limits.max_inline_len) + ", max_multibulk_len " +
       std::to_string(in.limits.max_multibulk_len) + ", max_bulk_len " +
       std::to_string(in.limits.max_bulk_len) + ", big_arg_min " +
       std::to_string(in.limits.big_arg_min) + ")\n";
  s += DescribeChunkPlan(in.plan) + "\n";
  s += "payload (" + std::to_string(in.payload.size()) + " bytes): " + Quoted(in.payload) + "\n";

  resp::RequestParser parser(in.limits);
  std::vector<resp::Request> reqs;
  parser.Feed(in.payload, &reqs);
  s += "whole-fed: " + std::to_string(reqs.size()) + " requests\n";
  for (size_t i = 0; i < reqs.size() && i < kDescribeMaxRequests; ++i) {
    s += "  #" + std::to_string(i) + " " + DescribeRequest(reqs[i]) + "\n";
  }
  if (reqs.size() > kDescribeMaxRequests) {
    s += "  ...(" + std::to_string(reqs.size() - kDescribeMaxRequests) + " more)\n";
  }
  s += DescribeError(parser.error()) + ", consumed " + std::to_string(parser.consumed()) +
       ", buffered " + std::to_string(parser.buffered()) + "\n";
  return s;
}

RESPFUZZ_REGISTER_HARNESS(
    request_parser,
    Harness{"request_parser",
            "raw client request bytes (multibulk and inline); leading bytes pick the limits "
            "and a chunking plan",
            "chunked feeding gives the same requests and error as whole; the requests, error "
            "text and offset and bytes consumed equal the reference parser's (Redis 7.0.15's "
            "rules written again); each argv encoded as multibulk parses back equal; inline "
            "arguments re-quoted split back equal",
            RunRequestParser, DescribeRequestParser});

}  // namespace respfuzz::harnesses
