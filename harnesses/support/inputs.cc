#include "harnesses/support/inputs.h"

#include <algorithm>

namespace respfuzz::fuzz {

bool ExpandInputs(const std::vector<std::string>& args, std::vector<std::filesystem::path>* files,
                  std::string* missing) {
  for (const std::string& arg : args) {
    std::filesystem::path p(arg);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& e : std::filesystem::recursive_directory_iterator(p, ec)) {
        const std::string leaf = e.path().filename().string();
        if (e.is_regular_file() && e.path().extension() != ".txt" &&
            leaf.rfind("README", 0) != 0 && leaf[0] != '.') {
          in_dir.push_back(e.path());
        }
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
