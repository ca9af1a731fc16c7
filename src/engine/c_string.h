// Redis reads most option words and some numbers from arguments as C strings
// (strcasecmp, strtoul, "%s"): the text ends at the first NUL byte, so
// "nx\0junk" is the option NX. These helpers reproduce that.
#ifndef RESPFUZZ_ENGINE_C_STRING_H_
#define RESPFUZZ_ENGINE_C_STRING_H_

#include <cstdlib>
#include <string>
#include <string_view>

namespace respfuzz::engine {

// ASCII case-insensitive equality over whole strings (command and
// subcommand names, which Redis looks up with their full length).
inline bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The argument as C code sees it: up to its first NUL.
inline std::string_view CStr(std::string_view arg) {
  const size_t nul = arg.find('\0');
  return nul == std::string_view::npos ? arg : arg.substr(0, nul);
}

// strcasecmp(arg, word) == 0, for an option word without NULs.
inline bool OptEquals(std::string_view arg, std::string_view word) {
  return IEquals(CStr(arg), word);
}

// Text for an error message built with "%s": up to the first NUL.
// (ReplyWriter::Error then trims CR/LF at the ends and turns the rest into
// spaces, as addReplyErrorFormat does.)
inline std::string ErrorText(std::string_view arg) { return std::string(CStr(arg)); }

// atoi: glibc's (int)strtol of the C string, so 4294967296 is 0.
inline int Atoi(std::string_view arg) {
  return static_cast<int>(std::strtol(std::string(CStr(arg)).c_str(), nullptr, 10));
}

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_C_STRING_H_
