// The hiredis12_format checks: hiredis 1.2.0's argv formatters write the
// spec's request and both request parsers read the argv back; each check
// fails on a deliberately broken formatter or parser; the decoder's caps
// hold at their boundaries.
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/common/registry.h"
#include "harnesses/hiredis12_format/checks.h"

namespace respfuzz::harnesses {
namespace {

std::vector<std::string_view> Views(const std::vector<std::string>& argv) {
  return std::vector<std::string_view>(argv.begin(), argv.end());
}

fuzz::Verdict Check(CommandFormatter& f, RequestReader& ours, RequestReader& ref,
                    const std::vector<std::string>& argv) {
  return CheckHiredis12Format(f, ours, ref, Views(argv));
}

const std::vector<std::vector<std::string>>& Argvs() {
  static const std::vector<std::vector<std::string>> argvs = {
      {},
      {"PING"},
      {"SET", "key", "value"},
      {"", "", ""},
      {"SET", "k\r\n", "\r\n*1\r\n$1\r\nx\r\n"},
      {"SET", std::string("\0\xff\x01", 3), "\r", "\n", std::string(1, '\0')},
      {"GET", "a b", "\"quoted\"", "'x'"},
      {std::string(4095, 'w')},
  };
  return argvs;
}

TEST(Hiredis12Format, RealPiecesPass) {
  auto f = MakeHiredis12Formatter();
  auto ours = MakeOurRequestReader();
  auto ref = MakeReferenceRequestReader();
  for (const auto& argv : Argvs()) {
    fuzz::Verdict v = Check(*f, *ours, *ref, argv);
    EXPECT_TRUE(v.ok) << v.ToString();
  }
}

TEST(Hiredis12Format, HiredisWritesTheSpecRequest) {
  auto f = MakeHiredis12Formatter();
  const std::vector<std::string> argv = {"SET", "", std::string("a\0b", 3)};
  const Formatted plain = f->FormatArgv(Views(argv));
  EXPECT_EQ(plain.bytes, std::string("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$3\r\na\0b\r\n", 28));
  EXPECT_EQ(plain.returned, 28);
  const Formatted sds = f->FormatSdsArgv(Views(argv));
  EXPECT_EQ(sds.bytes, plain.bytes);
  EXPECT_EQ(sds.returned, 28);
  EXPECT_EQ(SpecMultibulk(Views(argv)), plain.bytes);
  EXPECT_EQ(f->FormatArgv({}).bytes, "*0\r\n");
}

// --- broken pieces ----------------------------------------------------------------

// hiredis's formatters with one output rewritten.
class BrokenFormatter : public CommandFormatter {
 public:
  enum Break { kSdsDropsLastByte, kBothWriteInline, kPlainReturnsOneMore, kBothFail };
  explicit BrokenFormatter(Break b) : b_(b), real_(MakeHiredis12Formatter()) {}
  Formatted FormatArgv(const std::vector<std::string_view>& argv) override {
    Formatted out = real_->FormatArgv(argv);
    if (b_ == kBothWriteInline) out = Inline(argv);
    if (b_ == kPlainReturnsOneMore) out.returned += 1;
    if (b_ == kBothFail) out = Formatted{};
    return out;
  }
  Formatted FormatSdsArgv(const std::vector<std::string_view>& argv) override {
    Formatted out = real_->FormatSdsArgv(argv);
    if (b_ == kSdsDropsLastByte && !out.bytes.empty()) {
      out.bytes.pop_back();
      out.returned -= 1;
    }
    if (b_ == kBothWriteInline) out = Inline(argv);
    if (b_ == kBothFail) out = Formatted{};
    return out;
  }

 private:
  static Formatted Inline(const std::vector<std::string_view>& argv) {
    Formatted out;
    for (std::string_view a : argv) out.bytes += std::string(a) + " ";
    out.bytes += "\r\n";
    out.returned = static_cast<long long>(out.bytes.size());
    return out;
  }
  Break b_;
  std::unique_ptr<CommandFormatter> real_;
};

TEST(Hiredis12Format, BrokenFormattersFail) {
  auto ours = MakeOurRequestReader();
  auto ref = MakeReferenceRequestReader();
  const std::vector<std::string> argv = {"SET", "k", "v"};
  struct Case {
    BrokenFormatter::Break b;
    const char* check;
  };
  for (Case c : {Case{BrokenFormatter::kSdsDropsLastByte, "format-same"},
                 Case{BrokenFormatter::kPlainReturnsOneMore, "format-same"},
                 Case{BrokenFormatter::kBothFail, "format-same"},
                 Case{BrokenFormatter::kBothWriteInline, "format-spec"}}) {
    BrokenFormatter f(c.b);
    fuzz::Verdict v = Check(f, *ours, *ref, argv);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.check, c.check) << v.ToString();
  }
}

// A reader that edits what the real one read.
class BrokenReader : public RequestReader {
 public:
  enum Break { kDropsEmptyArgs, kLowercasesFirst, kStopsEarly, kReadsNothing, kAddsRequest };
  BrokenReader(Break b, std::unique_ptr<RequestReader> real) : b_(b), real_(std::move(real)) {}
  ParsedRequests Read(std::string_view bytes) override {
    ParsedRequests p = real_->Read(bytes);
    for (auto& argv : p.argvs) {
      if (b_ == kDropsEmptyArgs) std::erase(argv, std::string());
      if (b_ == kLowercasesFirst && !argv.empty()) {
        for (char& ch : argv[0])
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
    }
    if (b_ == kStopsEarly && p.consumed > 0) p.consumed -= 1;
    if (b_ == kReadsNothing) p.argvs.clear(), p.multibulk.clear();
    if (b_ == kAddsRequest) p.argvs.push_back({"PING"}), p.multibulk.push_back(true);
    return p;
  }

 private:
  Break b_;
  std::unique_ptr<RequestReader> real_;
};

TEST(Hiredis12Format, BrokenReadersFailOnEitherSide) {
  auto f = MakeHiredis12Formatter();
  const std::vector<std::string> argv = {"SET", "", "v"};
  for (BrokenReader::Break b :
       {BrokenReader::kDropsEmptyArgs, BrokenReader::kLowercasesFirst, BrokenReader::kStopsEarly,
        BrokenReader::kReadsNothing, BrokenReader::kAddsRequest}) {
    SCOPED_TRACE(static_cast<int>(b));
    {
      BrokenReader ours(b, MakeOurRequestReader());
      auto ref = MakeReferenceRequestReader();
      fuzz::Verdict v = Check(*f, ours, *ref, argv);
      EXPECT_FALSE(v.ok);
      EXPECT_EQ(v.check, "parse-back") << v.ToString();
    }
    {
      auto ours = MakeOurRequestReader();
      BrokenReader ref(b, MakeReferenceRequestReader());
      fuzz::Verdict v = Check(*f, *ours, ref, argv);
      EXPECT_FALSE(v.ok);
      EXPECT_EQ(v.check, "reference-parse-back") << v.ToString();
    }
  }
}

// --- the decoder and its caps ------------------------------------------------------

TEST(Hiredis12Format, DecodeLengthsAndCaps) {
  // One-byte lengths up to 0xEF, two-byte ones from 0xF0.
  const std::string small("\x03SET\x00\x01k", 7);  // the case's views point into it
  Hiredis12FormatCase c = DecodeHiredis12FormatCase(small);
  ASSERT_EQ(c.argv.size(), 3u);
  EXPECT_EQ(c.argv[0], "SET");
  EXPECT_EQ(c.argv[1], "");
  EXPECT_EQ(c.argv[2], "k");

  const std::vector<std::string> boundary = {std::string(0xEF, 'a'), std::string(0xF0, 'b'),
                                             std::string(kHiredis12FormatMaxArgLen, 'c')};
  const std::string enc = EncodeHiredis12FormatCase(boundary);
  Hiredis12FormatCase d = DecodeHiredis12FormatCase(enc);
  ASSERT_EQ(d.argv.size(), 3u);
  EXPECT_EQ(d.argv[0].size(), 0xEFu);
  EXPECT_EQ(d.argv[1].size(), 0xF0u);
  EXPECT_EQ(d.argv[2].size(), kHiredis12FormatMaxArgLen);
  EXPECT_EQ(enc.substr(0xEF + 1, 2), std::string("\xf0\xf0", 2));
  // The largest two-byte length is the cap.
  EXPECT_EQ(
      DecodeHiredis12FormatCase(std::string("\xff\xff", 2) + std::string(5000, 'x')).argv[0].size(),
      kHiredis12FormatMaxArgLen);

  // An argument is cut where the input ends; a two-byte length cut short counts as 0 low bits.
  EXPECT_EQ(DecodeHiredis12FormatCase("\x05"
                                      "ab")
                .argv[0],
            "ab");
  EXPECT_EQ(DecodeHiredis12FormatCase("\xf1").argv[0], "");

  // At most kHiredis12FormatMaxArgs arguments; the rest is ignored.
  std::vector<std::string> many(kHiredis12FormatMaxArgs, "x");
  const std::string at_input = EncodeHiredis12FormatCase(many);
  Hiredis12FormatCase at = DecodeHiredis12FormatCase(at_input);
  EXPECT_EQ(at.argv.size(), kHiredis12FormatMaxArgs);
  EXPECT_EQ(at.ignored, 0u);
  many.push_back("y");
  const std::string over_input = EncodeHiredis12FormatCase(many);
  Hiredis12FormatCase over = DecodeHiredis12FormatCase(over_input);
  EXPECT_EQ(over.argv.size(), kHiredis12FormatMaxArgs);
  EXPECT_EQ(over.ignored, 2u);
}

TEST(Hiredis12Format, RegisteredAndRunsAtTheCaps) {
  const Harness* h = FindHarness("hiredis12_format");
  ASSERT_NE(h, nullptr);
  std::vector<std::string> many(kHiredis12FormatMaxArgs,
                                std::string(kHiredis12FormatMaxArgLen, 'z'));
  EXPECT_TRUE(h->run(EncodeHiredis12FormatCase(many)).ok);
  EXPECT_NE(h->describe(EncodeHiredis12FormatCase({"SET", "k"})).find("verdict: ok"),
            std::string::npos);
}

}  // namespace
}  // namespace respfuzz::harnesses
