// The resp_reader and resp_roundtrip oracles pass on the real reader and
// writer, and each one fails on a deliberately broken implementation.
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/common/registry.h"
#include "harnesses/resp_reader/checks.h"
#include "harnesses/resp_roundtrip/checks.h"
#include "src/resp/writer.h"

namespace respfuzz::harnesses {
namespace {

using resp::Protocol;
using resp::Type;
using resp::Value;

const std::string kStream =
    "+OK\r\n:1\r\n$3\r\nfoo\r\n*2\r\n%1\r\n+a\r\n,0.1234567\r\n~1\r\n#t\r\n$?\r\n;2\r\nab\r\n;"
    "0\r\n";

ReaderCase Case(std::string_view payload, Protocol p = Protocol::kResp3, uint8_t chunk = 3) {
  ReaderCase c;
  c.protocol = p;
  c.plan.sizes[0] = c.plan.sizes[1] = c.plan.sizes[2] = chunk;
  c.payload = payload;
  return c;
}

// Drops the first byte of every chunk after the first: a reader that loses
// bytes at read boundaries (and hides it from the byte accounting). Fed
// whole, it is exact.
class DroppingParser : public ReplyParser {
 public:
  void Start(Protocol p, const resp::ReaderLimits& l) override {
    real_->Start(p, l);
    feeds_ = 0;
    dropped_ = 0;
  }
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    if (feeds_++ > 0 && chunk.size() > 1) {
      chunk.remove_prefix(1);
      ++dropped_;
    }
    return real_->Feed(chunk, out);
  }
  resp::ReaderError error() const override { return real_->error(); }
  bool idle() const override { return real_->idle(); }
  uint64_t consumed() const override { return real_->consumed() + dropped_; }
  size_t buffered() const override { return real_->buffered(); }

 private:
  std::unique_ptr<ReplyParser> real_ = MakeReplyParser();
  int feeds_ = 0;
  size_t dropped_ = 0;
};

// Miscounts what it holds.
class MiscountingParser : public ReplyParser {
 public:
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    return real_->Feed(chunk, out);
  }
  void Start(Protocol p, const resp::ReaderLimits& l) override { real_->Start(p, l); }
  resp::ReaderError error() const override { return real_->error(); }
  bool idle() const override { return real_->idle(); }
  uint64_t consumed() const override { return real_->consumed(); }
  size_t buffered() const override { return real_->buffered() + 1; }

 private:
  std::unique_ptr<ReplyParser> real_ = MakeReplyParser();
};

// Writes doubles with six significant digits, as a careless %g would.
class LossyDoubleWriter : public ValueEncoder {
 public:
  std::string Write(const Value& v, Protocol p) override {
    if (v.type == Type::kDouble) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", v.dbl);
      return p == Protocol::kResp3 ? "," + std::string(buf) + "\r\n"
                                   : "$" + std::to_string(strlen(buf)) + "\r\n" + buf + "\r\n";
    }
    if (resp::IsAggregate(v.type)) {
      std::string out;
      if (p == Protocol::kResp3 && v.has_attributes) {
        out += "|" + std::to_string(v.attributes.size() / 2) + "\r\n";
        for (const Value& a : v.attributes) out += Write(a, p);
      }
      char t = '*';
      size_t n = v.elems.size();
      if (p == Protocol::kResp3) {
        t = v.type == Type::kMap    ? '%'
            : v.type == Type::kSet  ? '~'
            : v.type == Type::kPush ? '>'
                                    : '*';
        if (v.type == Type::kMap) n /= 2;
      }
      out += t + std::to_string(n) + "\r\n";
      for (const Value& e : v.elems) out += Write(e, p);
      return out;
    }
    return resp::Write(v, p);
  }
};

// Downgrades booleans to the bulk strings "true"/"false" instead of 1/0.
class WrongDowngradeWriter : public ValueEncoder {
 public:
  std::string Write(const Value& v, Protocol p) override {
    if (p == Protocol::kResp2 && v.type == Type::kBoolean) {
      return v.boolean ? "$4\r\ntrue\r\n" : "$5\r\nfalse\r\n";
    }
    return resp::Write(v, p);
  }
};

TEST(RespReaderOracle, PassesOnTheRealReader) {
  for (uint8_t chunk : {1, 2, 7, 64}) {
    auto a = MakeReplyParser(), b = MakeReplyParser(), c = MakeReplyParser();
    auto w = MakeValueEncoder();
    fuzz::Verdict v = CheckReaderCase(Case(kStream, Protocol::kResp3, chunk), *a, *b, *c, *w);
    EXPECT_TRUE(v.ok) << v.ToString();
  }
}

TEST(RespReaderOracle, ChunkingCheckCatchesAByteDroppingReader) {
  DroppingParser chunked;
  auto whole = MakeReplyParser(), reread = MakeReplyParser();
  auto w = MakeValueEncoder();
  fuzz::Verdict v = CheckReaderCase(Case(kStream), chunked, *whole, *reread, *w);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "chunking") << v.ToString();
}

TEST(RespReaderOracle, AccountingCheckCatchesAMiscountingReader) {
  MiscountingParser chunked;
  auto whole = MakeReplyParser(), reread = MakeReplyParser();
  auto w = MakeValueEncoder();
  fuzz::Verdict v = CheckReaderCase(Case(kStream), chunked, *whole, *reread, *w);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "accounting") << v.ToString();
}

TEST(RespReaderOracle, RewriteCheckCatchesALossyDoubleWriter) {
  auto a = MakeReplyParser(), b = MakeReplyParser(), c = MakeReplyParser();
  LossyDoubleWriter w;
  fuzz::Verdict v = CheckReaderCase(Case(kStream), *a, *b, *c, w);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "rewrite") << v.ToString();
}

TEST(RespReaderOracle, VisitorCheckCatchesADisagreeingTree) {
  ReaderCase c = Case(kStream);
  auto p = MakeReplyParser();
  ParseResult tree = ParseWhole(*p, c.payload, c.protocol, c.limits);
  EXPECT_TRUE(CheckVisitorWalk(c, tree).ok);
  ParseResult extra = tree;
  ASSERT_TRUE(extra.values.Append(Value::Integer(1)).ok());
  fuzz::Verdict v = CheckVisitorWalk(c, extra);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "visitor");
  // Same number of values, one payload byte short: only the node and
  // payload tallies can see it.
  ASSERT_TRUE(Equal(tree.values[0], Value::Simple("OK")));
  ParseResult shortened = tree;
  shortened.values.Reset();
  ASSERT_TRUE(shortened.values.Append(Value::Simple("O")).ok());
  for (size_t i = 1; i < tree.values.size(); ++i) shortened.values.Append(tree.values[i]);
  v = CheckVisitorWalk(c, shortened);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "visitor") << v.ToString();
  EXPECT_NE(v.message.find("payload bytes"), std::string::npos) << v.message;
}

TEST(Chunking, ChunksWalksWhatSplitChunksSplits) {
  const std::string data(300, 'x');
  for (std::string_view d :
       {std::string_view(data), std::string_view(data).substr(0, 7), std::string_view()}) {
    for (uint8_t a : {1, 2, 64}) {
      for (uint8_t b : {1, 5, 63}) {
        ChunkPlan plan;
        plan.sizes[0] = a;
        plan.sizes[1] = b;
        plan.sizes[2] = static_cast<uint8_t>(a + b);
        std::vector<std::string_view> walked;
        for (std::string_view c : Chunks(d, plan)) walked.push_back(c);
        const std::vector<std::string_view> split = SplitChunks(d, plan);
        ASSERT_EQ(walked.size(), split.size());
        for (size_t i = 0; i < split.size(); ++i) {
          EXPECT_EQ(walked[i].data(), split[i].data());
          EXPECT_EQ(walked[i].size(), split[i].size());
        }
      }
    }
  }
}

TEST(RespReaderOracle, CaseEncodingRoundTrips) {
  ChunkPlan plan;
  plan.sizes[0] = 5;
  plan.sizes[1] = 64;
  plan.sizes[2] = 1;
  std::string bytes = EncodeReaderCase(Protocol::kResp2, 2, plan, "+OK\r\n");
  ReaderCase c = DecodeReaderCase(bytes);
  EXPECT_EQ(c.protocol, Protocol::kResp2);
  EXPECT_EQ(c.profile, 2);
  EXPECT_EQ(c.limits.max_depth, 16u);
  EXPECT_EQ(c.plan.sizes[0], 5);
  EXPECT_EQ(c.plan.sizes[1], 64);
  EXPECT_EQ(c.plan.sizes[2], 1);
  EXPECT_EQ(c.payload, "+OK\r\n");
  // Short inputs decode too: every byte string is a case.
  EXPECT_EQ(DecodeReaderCase("").payload, "");
  EXPECT_TRUE(RunRespReader("").ok);
}

// --- the reference reader (harnesses/models/resp_reference.h) -------------------

// A reader with one bug in one rule family, built on the real one.
class BrokenReader : public ReplyParser {
 public:
  enum Bug {
    kBareLfEndsALine,     // framing: "\n" alone ends a line
    kRejectsMinusNan,     // numbers: ",-nan" (what Redis 7.0 sends) is a bad double
    kIgnoresLimits,       // limits: always Redis's defaults
    kDropsAttributes,     // aggregates: attributes vanish from the tree
    kErrorOffsetOneLate,  // errors: the offset of the byte after the offending one
  };
  explicit BrokenReader(Bug bug) : bug_(bug) {}
  void Start(Protocol p, const resp::ReaderLimits& l) override {
    real_->Start(p, bug_ == kIgnoresLimits ? resp::ReaderLimits{} : l);
  }
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    std::string bytes(chunk);
    if (bug_ == kBareLfEndsALine) {
      std::string fixed;
      for (size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) fixed += '\r';
        fixed += bytes[i];
      }
      bytes = fixed;
    }
    if (bug_ == kRejectsMinusNan) {
      for (size_t at = bytes.find(",-nan"); at != std::string::npos; at = bytes.find(",-nan", at)) {
        bytes[at + 4] = 'x';
      }
    }
    size_t before = out->size();
    bool ok = real_->Feed(bytes, out);
    for (size_t i = before; i < out->size(); ++i) Mangle(&(*out)[i]);
    return ok;
  }
  resp::ReaderError error() const override {
    resp::ReaderError e = real_->error();
    if (bug_ == kErrorOffsetOneLate && e.code != resp::ReaderErrorCode::kNone) ++e.offset;
    return e;
  }
  bool idle() const override { return real_->idle(); }
  uint64_t consumed() const override { return real_->consumed(); }
  size_t buffered() const override { return real_->buffered(); }

 private:
  void Mangle(Value* v) {
    if (bug_ == kDropsAttributes) {
      v->has_attributes = false;
      v->attributes.clear();
    }
    for (Value& e : v->elems) Mangle(&e);
  }
  Bug bug_;
  std::unique_ptr<ReplyParser> real_ = MakeReplyParser();
};

fuzz::Verdict ReferenceVerdict(ReplyParser& parser, std::string_view payload,
                               Protocol p = Protocol::kResp3, int profile = 0) {
  ReaderCase c = Case(payload, p);
  c.profile = profile;
  c.limits = ReaderProfileLimits(profile);
  ParseResult r = ParseWhole(parser, c.payload, c.protocol, c.limits);
  return CheckAgainstReference(c, r);
}

TEST(RespReaderReference, AgreesWithTheRealReader) {
  const char* streams[] = {
      "+OK\r\n:1\r\n$3\r\nfoo\r\n*2\r\n%1\r\n+a\r\n,0.1234567\r\n~1\r\n#t\r\n$?\r\n;2\r\nab\r\n;"
      "0\r\n",
      "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*1\r\n:1\r\n",
      "*?\r\n:1\r\n|0\r\n+x\r\n.\r\n%?\r\n+k\r\n:1\r\n.\r\n>2\r\n+message\r\n+hi\r\n",
      ",-nan\r\n,nan\r\n,inf\r\n,-inf\r\n,1e-400\r\n(123\r\n=7\r\ntxt:abc\r\n!1\r\nE\r\n_\r\n",
      "$-1\r\n*-1\r\n:+007\r\n:-9223372036854775808\r\n",
      "*3\r\n:1\r\n",                   // ends inside a value
      "*1\r\n+a\nb\r\n",                // LF inside a line
      "%?\r\n+k\r\n.\r\n",              // end marker between a key and its value
      "*?\r\n|1\r\n+a\r\n+b\r\n.\r\n",  // dangling attribute
      "$3\r\nabcX",                     // bulk terminator
      "=3\r\ntxt\r\n",                  // verbatim without "xxx:"
      ",+inf\r\n",
  };
  for (const char* s : streams) {
    for (Protocol p : {Protocol::kResp2, Protocol::kResp3}) {
      for (int profile = 0; profile < 4; ++profile) {
        auto real = MakeReplyParser();
        fuzz::Verdict v = ReferenceVerdict(*real, s, p, profile);
        EXPECT_TRUE(v.ok) << v.ToString() << " for \"" << s << "\" profile " << profile;
      }
    }
  }
  EXPECT_TRUE(RunRespReader(EncodeReaderCase(Protocol::kResp3, 0, ChunkPlan{}, ",-nan\r\n")).ok);
}

struct BrokenCase {
  BrokenReader::Bug bug;
  std::string payload;
  int profile;
};

TEST(RespReaderReference, CatchesAReaderBrokenInEachRuleFamily) {
  const BrokenCase cases[] = {
      {BrokenReader::kBareLfEndsALine, "+a\n", 0},
      {BrokenReader::kRejectsMinusNan, ",-nan\r\n", 0},
      {BrokenReader::kIgnoresLimits, "$9\r\n123456789\r\n", 1},
      {BrokenReader::kDropsAttributes, "|1\r\n+a\r\n+b\r\n*1\r\n:1\r\n", 0},
      {BrokenReader::kErrorOffsetOneLate, ":12x\r\n", 0},
  };
  for (const BrokenCase& bc : cases) {
    BrokenReader broken(bc.bug);
    fuzz::Verdict v = ReferenceVerdict(broken, bc.payload, Protocol::kResp3, bc.profile);
    EXPECT_FALSE(v.ok) << "bug " << bc.bug;
    EXPECT_EQ(v.check, "reference") << v.ToString();
  }
}

// A reader that is wrong the same way everywhere passes every consistency
// check: only the reference sees it.
TEST(RespReaderReference, SeesWhatTheConsistencyChecksCannot) {
  const std::string payload = "|1\r\n+a\r\n+b\r\n*1\r\n:1\r\n";
  BrokenReader chunked(BrokenReader::kDropsAttributes), whole(BrokenReader::kDropsAttributes),
      reread(BrokenReader::kDropsAttributes);
  auto w = MakeValueEncoder();
  ParseResult tree;
  fuzz::Verdict v = CheckReaderCase(Case(payload), chunked, whole, reread, *w, &tree);
  EXPECT_TRUE(v.ok) << v.ToString();
  v = CheckAgainstReference(Case(payload), tree);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "reference");
}

Value SampleTree() {
  Value map = Value::Aggregate(Type::kMap, {Value::Simple("score"), Value::Double(0.1234567),
                                            Value::Bulk("flag"), Value::Boolean(true)});
  map.has_attributes = true;
  map.attributes = {Value::Simple("ttl"), Value::Integer(5)};
  return Value::Aggregate(Type::kPush, {map, Value::Null(), Value::Str(Type::kVerbatim, "txt:x")});
}

TEST(RespRoundtripOracle, PassesOnTheRealWriter) {
  auto w = MakeValueEncoder();
  auto p = MakeReplyParser();
  fuzz::Verdict v = CheckRoundtrip(SampleTree(), *w, *p);
  EXPECT_TRUE(v.ok) << v.ToString();
}

TEST(RespRoundtripOracle, Resp3CheckCatchesALossyDoubleWriter) {
  LossyDoubleWriter w;
  auto p = MakeReplyParser();
  fuzz::Verdict v = CheckRoundtrip(SampleTree(), w, *p);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "resp3") << v.ToString();
}

TEST(RespRoundtripOracle, Resp2CheckCatchesAWrongDowngrade) {
  WrongDowngradeWriter w;
  auto p = MakeReplyParser();
  EXPECT_TRUE(CheckRoundtrip(Value::Integer(1), w, *p).ok);
  fuzz::Verdict v = CheckRoundtrip(Value::Boolean(true), w, *p);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.check, "resp2") << v.ToString();
}

TEST(RespRoundtripOracle, DecodedTreesAreValidAndBounded) {
  std::string bytes;
  for (int seed = 0; seed < 2000; ++seed) {
    bytes.clear();
    uint32_t x = static_cast<uint32_t>(seed) * 2654435761u + 1;
    for (int i = 0; i < 300; ++i) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      bytes.push_back(static_cast<char>(x));
    }
    Value t = DecodeTree(bytes);
    ASSERT_EQ(resp::Invalid(t), "") << seed;
    ASSERT_LE(resp::NodeCount(t), kRoundtripMaxNodes) << seed;
    ASSERT_LE(resp::Depth(t), kRoundtripMaxDepth + 1) << seed;
    fuzz::Verdict v = RunRespRoundtrip(bytes);
    ASSERT_TRUE(v.ok) << seed << ": " << v.ToString();
  }
}

// The build registers every folder harnesses/<name>/ (respfuzz_add_harness);
// the scripts list them with harnesses/common/harnesses.sh. Both must name the
// same harnesses, each once, each with its descriptor filled in.
TEST(Registry, EveryHarnessFolderIsRegisteredExactlyOnce) {
  const std::string command =
      "bash -c '. \"$1/harnesses/common/harnesses.sh\" && "
      "respfuzz_harness_names \"$1\"' _ " RESPFUZZ_SOURCE_DIR;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::set<std::string> folders;
  char line[256];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    std::string name(line);
    if (!name.empty() && name.back() == '\n') name.pop_back();
    folders.insert(name);
  }
  ASSERT_EQ(pclose(pipe), 0);
  EXPECT_GE(folders.size(), 6u);
  std::set<std::string> registered;
  for (const Harness* h : Harnesses()) {
    EXPECT_TRUE(registered.insert(std::string(h->name)).second) << "listed twice: " << h->name;
    EXPECT_EQ(FindHarness(h->name), h);
    EXPECT_FALSE(h->feeds.empty());
    EXPECT_FALSE(h->checks.empty());
    EXPECT_EQ(h->encode_text == nullptr, h->decode_text == nullptr) << h->name;
  }
  EXPECT_EQ(registered, folders);
  EXPECT_EQ(FindHarness("nope"), nullptr);
}

}  // namespace
}  // namespace respfuzz::harnesses
