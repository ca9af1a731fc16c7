// Seeds and frozen regressions of structured harnesses are kept as text
// programs; the build encodes them. Each must encode, and decoding the bytes
// must give back exactly its program lines (comments and blank lines aside):
// a text that leans on a default, a pool slot or a table position that the
// text does not spell out would otherwise change meaning silently when a
// decoder table changes. One test case per file.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harnesses/common/registry.h"

namespace respfuzz::harnesses {
namespace {

struct TextProgram {
  const Harness* harness;
  std::filesystem::path path;
};

std::vector<TextProgram> AllTextPrograms() {
  std::vector<TextProgram> out;
  const std::filesystem::path root(RESPFUZZ_SOURCE_DIR);
  for (const Harness* h : Harnesses()) {
    if (h->encode_text == nullptr) continue;
    for (const auto& dir : {root / "corpus" / h->name, root / "tests" / "regressions" / h->name}) {
      if (!std::filesystem::is_directory(dir)) continue;
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() == ".txt") files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) out.push_back({h, f});
    }
  }
  return out;
}

// The program lines of a text: no comment lines, no blank lines.
std::string ProgramLines(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    out += line + "\n";
  }
  return out;
}

class TextProgramTest : public testing::TestWithParam<TextProgram> {};

TEST_P(TextProgramTest, DecodesToExactlyItsText) {
  const TextProgram& p = GetParam();
  std::ifstream in(p.path, std::ios::binary);
  ASSERT_TRUE(in) << p.path;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  absl::StatusOr<std::string> bytes = p.harness->encode_text(text);
  ASSERT_TRUE(bytes.ok()) << p.path << ": " << bytes.status();
  EXPECT_EQ(p.harness->decode_text(*bytes), ProgramLines(text))
      << p.path << " is not in the canonical text form (rewrite it as `respfuzz decode "
      << p.harness->name << "` prints it)";
}

// Every structured harness has text seeds, so the list above is never empty.
TEST(TextProgramList, EveryStructuredHarnessHasTextSeeds) {
  size_t structured = 0;
  for (const Harness* h : Harnesses()) {
    if (h->encode_text == nullptr) continue;
    ++structured;
    size_t seeds = 0;
    for (const TextProgram& p : AllTextPrograms()) {
      seeds += p.harness == h && p.path.parent_path().parent_path().filename() == "corpus";
    }
    EXPECT_GT(seeds, 0u) << h->name << " has no corpus/" << h->name << "/*.txt";
  }
  EXPECT_GT(structured, 0u);
}

INSTANTIATE_TEST_SUITE_P(All, TextProgramTest, testing::ValuesIn(AllTextPrograms()),
                         [](const testing::TestParamInfo<TextProgram>& info) {
                           std::string name =
                               std::string(info.param.harness->name) + "_" +
                               info.param.path.parent_path().parent_path().filename().string() +
                               "_" + info.param.path.stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace respfuzz::harnesses
