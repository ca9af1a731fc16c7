// Chunking plans shared by the streaming harnesses: a few input bytes choose
// how the payload is cut before it is fed, so the fuzzer explores splits at
// every position of every frame.
#ifndef RESPFUZZ_HARNESSES_COMMON_CHUNKING_H_
#define RESPFUZZ_HARNESSES_COMMON_CHUNKING_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace respfuzz::harnesses {

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

// The same chunks, one at a time, without building a vector (the harnesses
// walk them once per input): for (std::string_view c : Chunks(data, plan)).
class Chunks {
 public:
  Chunks(std::string_view data, const ChunkPlan& plan) : data_(data), plan_(plan) {}
  class iterator {
   public:
    std::string_view operator*() const { return rest_.substr(0, Size()); }
    iterator& operator++() {
      rest_.remove_prefix(Size());  // the last chunk may be shorter than its size
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return rest_.size() != o.rest_.size(); }

   private:
    friend class Chunks;
    iterator(std::string_view rest, const ChunkPlan* plan) : rest_(rest), plan_(plan) {}
    // This chunk's size: the plan's (a 0, which TakeChunkPlan never gives,
    // counts as 1 so the walk ends), or what is left.
    size_t Size() const {
      const size_t n = std::max<size_t>(plan_->sizes[i_ % ChunkPlan::kPlanBytes], 1);
      return std::min(n, rest_.size());
    }
    std::string_view rest_;
    const ChunkPlan* plan_;
    size_t i_ = 0;
  };
  iterator begin() const { return iterator(data_, &plan_); }
  iterator end() const { return iterator(std::string_view(), &plan_); }

 private:
  std::string_view data_;
  ChunkPlan plan_;
};
std::string DescribeChunkPlan(const ChunkPlan& plan);

// Exact-size heap copies of the byte ranges handed to a parser, so ASan
// flags any read past (or before) a chunk instead of it landing silently in
// the neighbouring bytes of the fuzzer's buffer. Buffers are reused per
// size; a copy is valid until the next Copy() of the same size.
class ExactCopies {
 public:
  std::string_view Copy(std::string_view bytes);

 private:
  static constexpr size_t kReusedSizes = 65;  // chunk sizes are at most 64
  std::unique_ptr<char[]> by_size_[kReusedSizes];
  std::unique_ptr<char[]> large_;
};

// Takes one byte from the front (0 when empty).
uint8_t TakeByte(std::string_view* input);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_COMMON_CHUNKING_H_
