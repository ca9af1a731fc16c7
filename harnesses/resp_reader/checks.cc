#include "harnesses/resp_reader/checks.h"

#include "harnesses/common/registry.h"
#include "harnesses/models/resp_reference.h"
#include "src/resp/reader.h"

namespace respfuzz::harnesses {

using resp::Protocol;
using resp::ReaderError;
using resp::ReaderLimits;
using resp::Value;

resp::ReaderLimits ReaderProfileLimits(int profile) {
  ReaderLimits l;
  switch (profile & 3) {
    case 1:
      l.max_depth = 3;
      l.max_aggregate_len = 4;
      l.max_bulk_len = 8;
      l.max_line_len = 16;
      break;
    case 2:
      l.max_depth = 16;
      l.max_aggregate_len = 64;
      l.max_bulk_len = 256;
      l.max_line_len = 64;
      break;
    case 3:
      l.max_depth = 1;
      l.max_aggregate_len = 1;
      l.max_bulk_len = 0;
      l.max_line_len = 2;
      break;
    default:
      break;
  }
  return l;
}

ReaderCase DecodeReaderCase(std::string_view input) {
  ReaderCase c;
  uint8_t flags = TakeByte(&input);
  c.protocol = (flags & 1) ? Protocol::kResp3 : Protocol::kResp2;
  c.profile = (flags >> 1) & 3;
  c.limits = ReaderProfileLimits(c.profile);
  c.plan = TakeChunkPlan(&input);
  c.payload = input;
  return c;
}

std::string EncodeReaderCase(Protocol protocol, int profile, const ChunkPlan& plan,
                             std::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>((protocol == Protocol::kResp3 ? 1 : 0) | ((profile & 3) << 1)));
  out += EncodeChunkPlan(plan);
  out.append(payload);
  return out;
}

namespace {

std::string ValuesDiff(const resp::ReplyTree& a, const resp::ReplyTree& b, int64_t* step) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (!resp::Equal(a[i], b[i])) {
      *step = static_cast<int64_t>(i);
      return "value " + std::to_string(i) + ": whole " + resp::ToDebugString(a[i], 512) +
             " vs chunked " + resp::ToDebugString(b[i], 512);
    }
  }
  if (a.size() != b.size()) {
    *step = static_cast<int64_t>(n);
    return "whole gave " + std::to_string(a.size()) + " values, chunked " +
           std::to_string(b.size());
  }
  return {};
}

// Buffers one input's checks reuse for the next (each is emptied first), so
// a run allocates only when an input needs more room than the ones before.
struct Scratch {
  ParseResult whole;
  resp::ReplyTree chunked;
  ParseResult back;
  std::string bytes;
  std::vector<size_t> ends;
  resp::Reader walker{resp::Protocol::kResp3};  // the visitor walk's reader

  // Frees what an input left (error texts, big payloads' blocks), keeping
  // the buffers' capacity.
  void Release() {
    whole.values.Reset();
    whole.error = {};
    chunked.Reset();
    back.values.Reset();
    back.error = {};
    walker.Reset();
  }
};

Scratch& TheScratch() {
  static Scratch* const scratch = new Scratch;
  return *scratch;
}

}  // namespace

fuzz::Verdict CheckReaderCase(const ReaderCase& c, ReplyParser& chunked, ReplyParser& whole,
                              ReplyParser& reread, ValueEncoder& writer,
                              ParseResult* whole_result) {
  ExactCopies copies;  // each range a parser sees is its own heap block

  Scratch& scratch = TheScratch();
  // Whole.
  ParseResult& w = scratch.whole;
  ParseWhole(whole, copies.Copy(c.payload), c.protocol, c.limits, &w);
  if (w.error.code == resp::ReaderErrorCode::kNone &&
      whole.consumed() + whole.buffered() != c.payload.size()) {
    return fuzz::Verdict::Fail("accounting", -1,
                               "whole: consumed " + std::to_string(whole.consumed()) +
                                   " + buffered " + std::to_string(whole.buffered()) + " != fed " +
                                   std::to_string(c.payload.size()));
  }

  // Chunked.
  resp::ReplyTree& cv = scratch.chunked;
  cv.Reset();
  chunked.Start(c.protocol, c.limits);
  size_t fed = 0;
  for (std::string_view chunk : Chunks(c.payload, c.plan)) {
    bool ok = chunked.Feed(copies.Copy(chunk), &cv);
    fed += chunk.size();
    if (!ok) break;
    if (chunked.consumed() + chunked.buffered() != fed) {
      return fuzz::Verdict::Fail("accounting", static_cast<int64_t>(cv.size()),
                                 "chunked: consumed " + std::to_string(chunked.consumed()) +
                                     " + buffered " + std::to_string(chunked.buffered()) +
                                     " != fed " + std::to_string(fed));
    }
  }
  int64_t step = -1;
  std::string diff = ValuesDiff(w.values, cv, &step);
  if (!diff.empty()) return fuzz::Verdict::Fail("chunking", step, diff);
  ReaderError ce = chunked.error();
  if (!(ce == w.error)) {
    return fuzz::Verdict::Fail(
        "chunking", static_cast<int64_t>(cv.size()),
        "error whole: " + DescribeError(w.error) + "; chunked: " + DescribeError(ce));
  }
  if (chunked.idle() != w.idle) {
    return fuzz::Verdict::Fail("chunking", static_cast<int64_t>(cv.size()),
                               std::string("idle whole: ") + (w.idle ? "yes" : "no") +
                                   "; chunked: " + (chunked.idle() ? "yes" : "no"));
  }
  if (w.error.code == resp::ReaderErrorCode::kNone && chunked.consumed() != whole.consumed()) {
    return fuzz::Verdict::Fail("chunking", -1,
                               "consumed whole " + std::to_string(whole.consumed()) +
                                   " vs chunked " + std::to_string(chunked.consumed()));
  }

  // Every value re-written in the same protocol reads back equal (under
  // default limits: a rewritten double may be longer than the original text).
  // All values are written into one stream and read back in one pass.
  std::string& bytes = scratch.bytes;
  std::vector<size_t>& ends = scratch.ends;
  bytes.clear();
  ends.clear();
  for (resp::ReplyRef v : w.values) {
    writer.Write(v, c.protocol, &bytes);
    ends.push_back(bytes.size());
  }
  ParseResult& back = scratch.back;
  ParseWhole(reread, copies.Copy(bytes), c.protocol, ReaderLimits{}, &back);
  for (size_t i = 0; i < w.values.size(); ++i) {
    if (i < back.values.size() && resp::Equal(back.values[i], w.values[i])) continue;
    size_t begin = i == 0 ? 0 : ends[i - 1];
    return fuzz::Verdict::Fail(
        "rewrite", static_cast<int64_t>(i),
        "value " + resp::ToDebugString(w.values[i], 512) + " written as \"" +
            EscapeBytes(std::string_view(bytes).substr(begin, ends[i] - begin), 256) +
            "\" reads back as " +
            (i < back.values.size() ? resp::ToDebugString(back.values[i], 512)
                                    : std::string("nothing")) +
            " (error " + DescribeError(back.error) + ")");
  }
  if (back.values.size() != w.values.size() || back.error.code != resp::ReaderErrorCode::kNone ||
      !back.idle) {
    return fuzz::Verdict::Fail(
        "rewrite", static_cast<int64_t>(w.values.size()),
        "re-written stream read back as " + std::to_string(back.values.size()) + " values for " +
            std::to_string(w.values.size()) + ", error " + DescribeError(back.error));
  }
  if (whole_result != nullptr) *whole_result = w;
  return fuzz::Verdict::Ok();
}

namespace {

// Counts events without building anything: the allocation-free path must
// agree with the tree builder on the values, their nodes and their payloads.
class CountingVisitor : public resp::Visitor {
 public:
  void OnString(resp::Type, std::string_view s) override { ++nodes, bytes += s.size(); }
  void OnInteger(int64_t v) override { ++nodes, sum += static_cast<uint64_t>(v); }
  void OnDouble(double) override { ++nodes; }
  void OnBoolean(bool b) override { ++nodes, sum += b; }
  void OnNull(resp::Type) override { ++nodes; }
  void OnBegin(resp::Type t, int64_t) override {
    ++open;
    if (t != resp::Type::kAttribute) ++nodes;  // attributes are not nodes of the tree
  }
  void OnEnd() override { --open; }
  uint64_t nodes = 0, bytes = 0, sum = 0;
  int64_t open = 0;
};

// The same tallies over trees: every node but the attribute nodes (which
// are no value of their own).
void Tally(const resp::ReplyTree& values, uint64_t* nodes, uint64_t* bytes, uint64_t* sum) {
  for (resp::ReplyRef v : values) {
    for (uint64_t i = v.begin(); i < v.end(); ++i) {
      const resp::ReplyNode& n = values.node(i);
      if (n.type == resp::Type::kAttribute) continue;
      ++*nodes;
      if (resp::IsStringLike(n.type)) *bytes += n.b;
      if (n.type == resp::Type::kInteger || n.type == resp::Type::kBoolean) *sum += n.a;
    }
  }
}

}  // namespace

fuzz::Verdict CheckVisitorWalk(const ReaderCase& c, const ParseResult& tree) {
  // One reader for every input: Reset() keeps only its buffers' capacity.
  resp::Reader& reader = TheScratch().walker;
  reader.Reset(c.protocol, c.limits);
  CountingVisitor counter;
  ExactCopies copies;
  reader.Feed(copies.Copy(c.payload), counter);
  if (reader.values() != tree.values.size() || !(reader.error() == tree.error)) {
    return fuzz::Verdict::Fail("visitor", -1,
                               "visitor walk saw " + std::to_string(reader.values()) +
                                   " values, error " + DescribeError(reader.error()) +
                                   "; tree builder " + std::to_string(tree.values.size()) +
                                   ", error " + DescribeError(tree.error));
  }
  if (reader.idle() && counter.open != 0) {
    return fuzz::Verdict::Fail(
        "visitor", -1,
        "idle reader with " + std::to_string(counter.open) + " aggregates left open");
  }
  uint64_t nodes = 0, bytes = 0, sum = 0;
  Tally(tree.values, &nodes, &bytes, &sum);
  // A stream that stops inside a value has events for a value the tree does
  // not hold yet: then the visitor has seen at least as much.
  const bool whole_values = reader.idle();
  if (whole_values ? (counter.nodes != nodes || counter.bytes != bytes || counter.sum != sum)
                   : (counter.nodes < nodes || counter.bytes < bytes)) {
    return fuzz::Verdict::Fail("visitor", -1,
                               "visitor walk saw " + std::to_string(counter.nodes) + " nodes, " +
                                   std::to_string(counter.bytes) + " payload bytes, integer sum " +
                                   std::to_string(counter.sum) + "; trees hold " +
                                   std::to_string(nodes) + ", " + std::to_string(bytes) + ", " +
                                   std::to_string(sum));
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict CheckAgainstReference(const ReaderCase& c, const ParseResult& whole) {
  models::RespReferenceLimits limits;
  limits.max_depth = std::min(c.limits.max_depth, resp::ReaderLimits::kMaxDepthCeiling);
  limits.max_aggregate_len = c.limits.max_aggregate_len;
  limits.max_bulk_len = c.limits.max_bulk_len;
  limits.max_line_len = c.limits.max_line_len;
  models::RespReferenceResult ref = models::ReferenceReadResp(c.payload, c.protocol, limits);
  const size_t n = std::min(ref.values.size(), whole.values.size());
  for (size_t i = 0; i < n; ++i) {
    if (!resp::Equal(whole.values[i], ref.values[i])) {
      return fuzz::Verdict::Fail("reference", static_cast<int64_t>(i),
                                 "value " + std::to_string(i) + ": reader " +
                                     resp::ToDebugString(whole.values[i], 512) + ", reference " +
                                     resp::ToDebugString(ref.values[i], 512));
    }
  }
  const std::string_view kind = resp::ReaderErrorCodeName(whole.error.code);
  const std::string_view ref_kind = ref.error.empty() ? std::string_view("none") : ref.error;
  if (ref.values.size() != whole.values.size() || kind != ref_kind ||
      (!ref.error.empty() && ref.error_offset != whole.error.offset) ||
      ref.complete != whole.idle) {
    auto state = [](size_t values, std::string_view error, uint64_t offset, bool complete) {
      return std::to_string(values) + " values, " +
             (error == "none" ? std::string("no error")
                              : "error " + std::string(error) + " at " + std::to_string(offset)) +
             (complete          ? ", ends cleanly"
              : error == "none" ? ", ends inside a value"
                                : "");
    };
    return fuzz::Verdict::Fail(
        "reference", static_cast<int64_t>(n),
        "reader: " + state(whole.values.size(), kind, whole.error.offset, whole.idle) +
            "; reference: " + state(ref.values.size(), ref_kind, ref.error_offset, ref.complete));
  }
  return fuzz::Verdict::Ok();
}

fuzz::Verdict RunRespReader(std::string_view input) {
  // Parsers, the writer and the result are reused from input to input:
  // Start() and ParseWhole() reset everything but their buffers' capacity.
  static ReplyParser* const chunked = MakeReplyParser().release();
  static ReplyParser* const whole = MakeReplyParser().release();
  static ReplyParser* const reread = MakeReplyParser().release();
  static ValueEncoder* const writer = MakeValueEncoder().release();
  static ParseResult* const tree = new ParseResult;
  AtEndOfInput release([] {
    for (ReplyParser* p : {chunked, whole, reread}) p->Start(Protocol::kResp3, ReaderLimits{});
    tree->values.Reset();
    tree->error = {};
    TheScratch().Release();
  });
  ReaderCase c = DecodeReaderCase(input);
  fuzz::Verdict v = CheckReaderCase(c, *chunked, *whole, *reread, *writer, tree);
  if (!v.ok) return v;
  v = CheckVisitorWalk(c, *tree);
  if (!v.ok) return v;
  return CheckAgainstReference(c, *tree);
}

std::string DescribeRespReader(std::string_view input) {
  ReaderCase c = DecodeReaderCase(input);
  std::string out = "protocol: ";
  out += c.protocol == Protocol::kResp3 ? "RESP3" : "RESP2 (strict)";
  out += "\nlimits: profile " + std::to_string(c.profile) + " (max_depth " +
         std::to_string(c.limits.max_depth) + ", max_aggregate_len " +
         std::to_string(c.limits.max_aggregate_len) + ", max_bulk_len " +
         std::to_string(c.limits.max_bulk_len) + ", max_line_len " +
         std::to_string(c.limits.max_line_len) + ")";
  out += "\nchunking: " + DescribeChunkPlan(c.plan);
  out += "\npayload (" + std::to_string(c.payload.size()) + " bytes): \"" + EscapeBytes(c.payload) +
         "\"\n";
  auto parser = MakeReplyParser();
  ParseResult r = ParseWhole(*parser, c.payload, c.protocol, c.limits);
  out += "values (" + std::to_string(r.values.size()) + "):\n" + DescribeValues(r.values);
  out += "error: " + DescribeError(r.error) + "\n";
  out += std::string("ends cleanly: ") + (r.idle ? "yes" : "no (input ends inside a value)") + "\n";
  return out;
}

RESPFUZZ_REGISTER_HARNESS(
    resp_reader,
    Harness{"resp_reader",
            "raw RESP2/RESP3 reply bytes; leading bytes pick the protocol, the limits and a "
            "chunking plan",
            "chunked feeding gives the same values, error and offset as feeding whole; bytes "
            "consumed add up; every value re-written and re-read is equal; the visitor-only "
            "walk agrees with the tree builder; values, error kind and offset and the end state "
            "equal the reference reader's (the RESP3 spec written again, recursive)",
            RunRespReader, DescribeRespReader});

}  // namespace respfuzz::harnesses
