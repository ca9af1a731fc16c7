#include "harnesses/common/program_kit.h"

#include "absl/strings/str_cat.h"

namespace respfuzz::harnesses {

bool ByteReader::Byte(uint8_t* out) {
  if (remaining() < 1) return false;
  *out = static_cast<uint8_t>(bytes_[at_++]);
  return true;
}

bool ByteReader::Bytes(size_t n, std::string* out) {
  if (remaining() < n) return false;
  out->assign(bytes_.substr(at_, n));
  at_ += n;
  return true;
}

bool ByteReader::U16BE(uint32_t* out) {
  if (remaining() < 2) return false;
  *out = uint32_t{static_cast<uint8_t>(bytes_[at_])} << 8 | static_cast<uint8_t>(bytes_[at_ + 1]);
  at_ += 2;
  return true;
}

bool ByteReader::U16LE(uint32_t* out) {
  if (remaining() < 2) return false;
  *out = uint32_t{static_cast<uint8_t>(bytes_[at_ + 1])} << 8 | static_cast<uint8_t>(bytes_[at_]);
  at_ += 2;
  return true;
}

bool ByteReader::U32LE(uint32_t* out) {
  if (remaining() < 4) return false;
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(bytes_[at_ + i]);
  *out = v;
  at_ += 4;
  return true;
}

bool SameFailure(const fuzz::Verdict& a, const fuzz::Verdict& b) {
  return !a.ok && !b.ok && a.check == b.check && a.op == b.op;
}

absl::Status ForEachProgramLine(std::string_view text,
                                absl::FunctionRef<absl::Status(size_t, std::string_view)> fn) {
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (absl::Status st = fn(line_no, line); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status ProgramLineError(size_t line_no, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line_no, ": ", std::string(why)));
}

}  // namespace respfuzz::harnesses
