// Chunking plans shared by the streaming harnesses: a few input bytes choose
// how the payload is cut before it is fed, so the fuzzer explores splits at
// every position of every frame.
#ifndef RESPFUZZ_HARNESSES_PROGRAMS_CHUNKING_H_
#define RESPFUZZ_HARNESSES_PROGRAMS_CHUNKING_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::programs {

// Three plan bytes give three chunk sizes, each (byte % 64) + 1, cycled over
// the payload. {0,0,0} feeds one byte at a time.
struct ChunkPlan {
  static constexpr size_t kPlanBytes = 3;
  uint8_t sizes[kPlanBytes] = {1, 1, 1};
};

// Takes kPlanBytes from the front of `input` (missing bytes count as 0).
ChunkPlan TakeChunkPlan(std::string_view* input);
// The bytes that encode `plan` (inverse of TakeChunkPlan for sizes 1..64).
std::string EncodeChunkPlan(const ChunkPlan& plan);
std::vector<std::string_view> SplitChunks(std::string_view data, const ChunkPlan& plan);
std::string DescribeChunkPlan(const ChunkPlan& plan);

// Takes one byte from the front (0 when empty).
uint8_t TakeByte(std::string_view* input);

}  // namespace respfuzz::programs

#endif  // RESPFUZZ_HARNESSES_PROGRAMS_CHUNKING_H_
