#include "harnesses/common/inputs.h"

#include <algorithm>

namespace respfuzz::fuzz {

namespace {

// A readable .txt kept beside the input it describes (e.g. slug.txt next to
// slug.bin in tests/regressions/).
bool DescribesSibling(const std::filesystem::path& txt) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(txt.parent_path(), ec)) {
    if (e.path() != txt && e.path().stem() == txt.stem() && e.is_regular_file()) return true;
  }
  return false;
}

}  // namespace

bool ExpandInputs(const std::vector<std::string>& args, std::vector<std::filesystem::path>* files,
                  std::string* missing, bool text_programs) {
  for (const std::string& arg : args) {
    std::filesystem::path p(arg);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& e : std::filesystem::recursive_directory_iterator(p, ec)) {
        const std::string leaf = e.path().filename().string();
        if (!e.is_regular_file() || leaf.rfind("README", 0) == 0 || leaf[0] == '.') continue;
        if (e.path().extension() == ".txt" && (!text_programs || DescribesSibling(e.path()))) {
          continue;
        }
        in_dir.push_back(e.path());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files->insert(files->end(), in_dir.begin(), in_dir.end());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files->push_back(p);
    } else {
      *missing = arg;
      return false;
    }
  }
  return true;
}

}  // namespace respfuzz::fuzz
