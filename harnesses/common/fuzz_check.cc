#include "harnesses/common/fuzz_check.h"

#include <cstdio>
#include <cstdlib>

namespace respfuzz::fuzz {
namespace {

bool Plain(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '-';
    if (!word) return false;
  }
  return true;
}

void AppendField(std::string* out, std::string_view key, std::string_view value) {
  *out += ' ';
  *out += key;
  *out += '=';
  if (Plain(value)) {
    *out += value;
    return;
  }
  *out += '"';
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      *out += "\\x";
      *out += kHex[c >> 4];
      *out += kHex[c & 15];
    } else {
      *out += static_cast<char>(c);
    }
  }
  *out += '"';
}

}  // namespace

std::string CheckFailedLine(std::string_view harness, const Verdict& v) {
  std::string line = "==respfuzz== check failed:";
  AppendField(&line, "harness", harness);
  AppendField(&line, "check", v.check);
  if (!v.op.empty()) AppendField(&line, "op", v.op);
  if (v.step >= 0) AppendField(&line, "step", std::to_string(v.step));
  return line;
}

void CheckFailed(std::string_view harness, const Verdict& v, const std::string& input) {
  const std::string text =
      "\n" + CheckFailedLine(harness, v) + "\n" + v.ToString() + "\n--- input ---\n" + input +
      (input.empty() || input.back() == '\n' ? "" : "\n") + "==respfuzz== end of check failure\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace respfuzz::fuzz
