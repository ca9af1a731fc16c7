#include "harnesses/common/registry.h"

#include <algorithm>

#include "src/resp/value.h"

namespace respfuzz::harnesses {

std::string EscapeBytes(std::string_view bytes, size_t max_len) {
  std::string out;
  const size_t shown = std::min(bytes.size(), max_len);
  resp::AppendEscaped(bytes.substr(0, shown), &out);
  if (shown < bytes.size()) out += "...(" + std::to_string(bytes.size() - shown) + " more bytes)";
  return out;
}

}  // namespace respfuzz::harnesses
