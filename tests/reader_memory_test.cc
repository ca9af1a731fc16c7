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

}  // namespace
}  // namespace respfuzz::resp
