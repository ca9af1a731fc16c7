// hiredis 1.2.0's argv formatters as a CommandFormatter. hiredis 1.2.0 only in
// this translation unit (its headers share include guards with 0.14.1's).
#include <vector>

#include "harnesses/hiredis12_format/checks.h"
#include "respfuzz_hiredis12.h"

namespace respfuzz::harnesses {

namespace {

namespace h = ::hiredis12;

class Hiredis12Formatter : public CommandFormatter {
 public:
  Formatted FormatArgv(const std::vector<std::string_view>& argv) override {
    Prepare(argv);
    char* cmd = nullptr;
    Formatted out;
    out.returned =
        h::redisFormatCommandArgv(&cmd, static_cast<int>(argv.size()), ptrs_.data(), lens_.data());
    if (out.returned >= 0 && cmd != nullptr) {
      out.bytes.assign(cmd, static_cast<size_t>(out.returned));
      h::redisFreeCommand(cmd);
    }
    return out;
  }
  Formatted FormatSdsArgv(const std::vector<std::string_view>& argv) override {
    Prepare(argv);
    h::sds cmd = nullptr;
    Formatted out;
    out.returned = h::redisFormatSdsCommandArgv(&cmd, static_cast<int>(argv.size()), ptrs_.data(),
                                                lens_.data());
    if (out.returned >= 0 && cmd != nullptr) {
      out.bytes.assign(cmd, h::sdslen(cmd));
      h::redisFreeSdsCommand(cmd);
    }
    return out;
  }

 private:
  // The arguments as hiredis takes them: pointers and lengths (never
  // NUL-terminated: the lengths are always given).
  void Prepare(const std::vector<std::string_view>& argv) {
    ptrs_.clear();
    lens_.clear();
    for (std::string_view a : argv) {
      ptrs_.push_back(a.data());
      lens_.push_back(a.size());
    }
  }
  std::vector<const char*> ptrs_;
  std::vector<size_t> lens_;
};

}  // namespace

std::unique_ptr<CommandFormatter> MakeHiredis12Formatter() {
  return std::make_unique<Hiredis12Formatter>();
}

}  // namespace respfuzz::harnesses
