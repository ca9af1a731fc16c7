// Memory held by the reader and tree builder stays proportional to the bytes
// received, whatever lengths the input declares. Global operator new is
// replaced in this test binary to measure the peak of live heap bytes.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/resp/reader.h"

namespace {

std::atomic<size_t> g_live{0};
std::atomic<size_t> g_peak{0};
constexpr size_t kHeader = 16;  // keeps the block's size; 16 keeps alignment

void* CountedAlloc(size_t n) {
  void* raw = std::malloc(n + kHeader);
  if (raw == nullptr) throw std::bad_alloc();
  std::memcpy(raw, &n, sizeof n);
  size_t live = g_live.fetch_add(n) + n;
  size_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return static_cast<char*>(raw) + kHeader;
}

void CountedFree(void* p) {
  if (p == nullptr) return;
  char* raw = static_cast<char*>(p) - kHeader;
  size_t n;
  std::memcpy(&n, raw, sizeof n);
  g_live.fetch_sub(n);
  std::free(raw);
}

}  // namespace

void* operator new(size_t n) { return CountedAlloc(n); }
void* operator new[](size_t n) { return CountedAlloc(n); }
void operator delete(void* p) noexcept { CountedFree(p); }
void operator delete[](void* p) noexcept { CountedFree(p); }
void operator delete(void* p, size_t) noexcept { CountedFree(p); }
void operator delete[](void* p, size_t) noexcept { CountedFree(p); }

namespace respfuzz::resp {
namespace {

// Peak live heap bytes while reading `data` in one Feed (values kept).
size_t PeakWhileReading(const std::string& data, Protocol p = Protocol::kResp3) {
  g_peak.store(g_live.load());
  const size_t base = g_live.load();
  ReaderError error;
  std::vector<Value> values = ReadAll(data, p, ReaderLimits{}, &error);
  return g_peak.load() - base;
}

TEST(ReaderMemory, HugeDeclaredLengthsAllocateNothingUpFront) {
  const std::string in = "*2147483647\r\n$536870912\r\nabc";
  EXPECT_LT(PeakWhileReading(in), 4096u);
}

TEST(ReaderMemory, NestedDeclaredAggregatesDoNotMultiplyReservations) {
  // 100 nested arrays each declaring ~10^8 elements, then 2,500 elements: the
  // builder may reserve room for what is already here, once, not per level.
  std::string in;
  for (int i = 0; i < 100; ++i) in += "*99999999\r\n";
  for (int i = 0; i < 2500; ++i) in += ":1\r\n";
  const size_t peak = PeakWhileReading(in);
  EXPECT_LT(peak, 100 * in.size()) << "peak " << peak << " bytes for " << in.size();
}

TEST(ReaderMemory, ManySmallValuesStayProportional) {
  std::string in;
  for (int i = 0; i < 5000; ++i) in += "*3\r\n:1\r\n+a\r\n_\r\n";
  const size_t peak = PeakWhileReading(in);
  EXPECT_LT(peak, 100 * in.size()) << "peak " << peak << " bytes for " << in.size();
}

// The same into the lean reply tree (src/resp/reply.h).
size_t PeakWhileReadingTree(const std::string& data, Protocol p = Protocol::kResp3) {
  g_peak.store(g_live.load());
  const size_t base = g_live.load();
  ReplyTree tree;
  ReaderError error;
  Reader reader(p);
  ReplyBuilder builder(&tree);
  reader.Feed(data, builder);
  return g_peak.load() - base;
}

TEST(ReaderMemory, ReplyTreeAllocatesNothingForDeclaredLengths) {
  EXPECT_LT(PeakWhileReadingTree("*2147483647\r\n$536870912\r\nabc"), 4096u);
  std::string nested;
  for (int i = 0; i < 100; ++i) nested += "*99999999\r\n";
  for (int i = 0; i < 2500; ++i) nested += ":1\r\n";
  const size_t peak = PeakWhileReadingTree(nested);
  EXPECT_LT(peak, 100 * nested.size()) << "peak " << peak << " bytes for " << nested.size();
}

TEST(ReaderMemory, ReplyTreeIsLeanerThanValueTrees) {
  // 5,000 small arrays: the lean tree holds 24-byte nodes and one arena; a
  // Value tree a 96-byte node per value and a vector per array. The lean
  // tree's peak (its node vector's last regrowth included) is at most two
  // thirds of the Value trees'.
  std::string in;
  for (int i = 0; i < 5000; ++i) in += "*3\r\n:1\r\n+a\r\n_\r\n";
  const size_t tree = PeakWhileReadingTree(in);
  const size_t values = PeakWhileReading(in);
  EXPECT_LT(3 * tree, 2 * values) << "reply tree " << tree << " bytes, values " << values;
}

}  // namespace
}  // namespace respfuzz::resp
