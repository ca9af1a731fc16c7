#include "harnesses/common/chunking.h"

#include <cstring>

namespace respfuzz::harnesses {

std::string_view ExactCopies::Copy(std::string_view bytes) {
  if (bytes.empty()) return {};
  std::unique_ptr<char[]>& slot = bytes.size() < kReusedSizes ? by_size_[bytes.size()] : large_;
  if (slot == nullptr || &slot == &large_) slot.reset(new char[bytes.size()]);
  std::memcpy(slot.get(), bytes.data(), bytes.size());
  return {slot.get(), bytes.size()};
}

uint8_t TakeByte(std::string_view* input) {
  if (input->empty()) return 0;
  uint8_t b = static_cast<uint8_t>((*input)[0]);
  input->remove_prefix(1);
  return b;
}

ChunkPlan TakeChunkPlan(std::string_view* input) {
  ChunkPlan plan;
  for (uint8_t& s : plan.sizes) s = static_cast<uint8_t>(TakeByte(input) % 64 + 1);
  return plan;
}

std::string EncodeChunkPlan(const ChunkPlan& plan) {
  std::string out;
  for (uint8_t s : plan.sizes) out.push_back(static_cast<char>((s - 1) % 64));
  return out;
}

std::vector<std::string_view> SplitChunks(std::string_view data, const ChunkPlan& plan) {
  std::vector<std::string_view> chunks;
  size_t i = 0;
  while (!data.empty()) {
    size_t n = plan.sizes[i++ % ChunkPlan::kPlanBytes];
    if (n > data.size()) n = data.size();
    chunks.push_back(data.substr(0, n));
    data.remove_prefix(n);
  }
  return chunks;
}

std::string DescribeChunkPlan(const ChunkPlan& plan) {
  return "chunks of " + std::to_string(plan.sizes[0]) + ", " + std::to_string(plan.sizes[1]) +
         ", " + std::to_string(plan.sizes[2]) + " bytes, cycled";
}

}  // namespace respfuzz::harnesses
