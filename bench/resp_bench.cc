// resp::Reader side by side with hiredis's reader on identical bytes.
//
// For every workload these benchmarks parse the same byte string, fed in the
// same 16 KiB chunks (what a client's read() loop hands its parser):
//   respfuzz_reply/<w>  resp::Reader + resp::ReplyBuilder, RESP2: the lean
//                       reply tree (src/resp/reply.h), cleared after every
//                       Feed (as hiredis builds and frees redisReply objects)
//   respfuzz_value/<w>  resp::Reader + resp::TreeBuilder: resp::Value trees,
//                       dropped after every Feed
//   hiredis/<w>         redisReaderCreate/Feed/GetReply, default reply
//                       functions, freeReplyObject on every reply
//   respfuzz_visit/<w>  resp::Reader with a Visitor that only counts and sums
//   memcpy/big_bulk     no parsing: each chunk appended to a reply-sized
//                       buffer (emptied at every 1 MiB), the one copy of every
//                       payload byte a reader that hands out contiguous
//                       payloads cannot avoid
//
// bytes_per_second is the input size; items_per_second counts value nodes:
// every value the protocol carries, at any depth (a scalar, a null, or an
// array header; an array of 100 bulks is 101 items). The replies counter is
// top-level replies per second. Before anything is timed, main() parses every
// workload with all four parsers and aborts unless they agree with the
// generator on replies, nodes, the sum of the integers and the total string
// payload bytes.
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/resp/reader.h"
#include "src/resp/reply.h"
#include "src/resp/value.h"

namespace {

using respfuzz::resp::Protocol;
using respfuzz::resp::Reader;
using respfuzz::resp::ReplyBuilder;
using respfuzz::resp::ReplyNode;
using respfuzz::resp::ReplyRef;
using respfuzz::resp::ReplyTree;
using respfuzz::resp::TreeBuilder;
using respfuzz::resp::Type;
using respfuzz::resp::Value;

constexpr size_t kChunk = 16 * 1024;

// What a parse saw; the three parsers must agree with the generator on it.
struct Tally {
  uint64_t replies = 0;
  uint64_t nodes = 0;
  uint64_t int_sum = 0;    // wrapping sum of every integer
  uint64_t str_bytes = 0;  // payload bytes of every status, error and bulk

  bool operator==(const Tally&) const = default;
};

std::string Describe(const Tally& t) {
  char buf[160];
  std::snprintf(
      buf, sizeof buf, "replies=%llu nodes=%llu int_sum=%llu str_bytes=%llu",
      static_cast<unsigned long long>(t.replies), static_cast<unsigned long long>(t.nodes),
      static_cast<unsigned long long>(t.int_sum), static_cast<unsigned long long>(t.str_bytes));
  return buf;
}

struct Workload {
  std::string name;
  std::string bytes;
  Tally expected;
};

// splitmix64: deterministic on every platform, unlike <random> distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  uint64_t Between(uint64_t lo, uint64_t hi) { return lo + Below(hi - lo + 1); }
  std::string Letters(size_t n) {
    std::string s(n, 'a');
    for (char& c : s) c = static_cast<char>('a' + Below(26));
    return s;
  }

 private:
  uint64_t s_;
};

// Hand-written RESP2 encoding (independent of src/resp/writer) with the tally
// of what it wrote.
class Encoder {
 public:
  void Simple(std::string_view s) {
    out_ += '+';
    out_ += s;
    out_ += "\r\n";
    ++t_.nodes;
    t_.str_bytes += s.size();
  }
  void Integer(int64_t n) {
    out_ += ':';
    out_ += std::to_string(n);
    out_ += "\r\n";
    ++t_.nodes;
    t_.int_sum += static_cast<uint64_t>(n);
  }
  void Bulk(std::string_view s) {
    out_ += '$';
    out_ += std::to_string(s.size());
    out_ += "\r\n";
    out_ += s;
    out_ += "\r\n";
    ++t_.nodes;
    t_.str_bytes += s.size();
  }
  void Array(size_t n) {
    out_ += '*';
    out_ += std::to_string(n);
    out_ += "\r\n";
    ++t_.nodes;
  }
  void EndReply() { ++t_.replies; }
  Workload Done(std::string name) { return Workload{std::move(name), std::move(out_), t_}; }

 private:
  std::string out_;
  Tally t_;
};

// 10k pipelined replies: +OK, :n, and 5-20 byte bulks in random order.
Workload SmallReplies() {
  Rng rng(1);
  Encoder e;
  for (int i = 0; i < 10000; ++i) {
    switch (rng.Below(3)) {
      case 0:
        e.Simple("OK");
        break;
      case 1:
        e.Integer(static_cast<int64_t>(rng.Below(1000000)));
        break;
      default:
        e.Bulk(rng.Letters(rng.Between(5, 20)));
        break;
    }
    e.EndReply();
  }
  return e.Done("small_replies");
}

// 200 replies, each an array of 100 bulks of 10-20 bytes (LRANGE, MGET, ...).
Workload BulkArrays() {
  Rng rng(2);
  Encoder e;
  for (int i = 0; i < 200; ++i) {
    e.Array(100);
    for (int j = 0; j < 100; ++j) e.Bulk(rng.Letters(rng.Between(10, 20)));
    e.EndReply();
  }
  return e.Done("bulk_arrays");
}

// 8 bulks of 1 MiB of arbitrary bytes (CR and LF included).
Workload BigBulk() {
  Rng rng(3);
  Encoder e;
  for (int i = 0; i < 8; ++i) {
    std::string s(1 << 20, '\0');
    for (size_t j = 0; j < s.size(); j += 8) {
      uint64_t r = rng.Next();
      for (size_t k = 0; k < 8; ++k) s[j + k] = static_cast<char>(r >> (8 * k));
    }
    e.Bulk(s);
    e.EndReply();
  }
  return e.Done("big_bulk");
}

// Full trees of depth 5 and fan-out 3: 4 levels of 3-element arrays over 81
// leaves, each an integer or a 5-15 byte bulk; 121 nodes per reply, 200 replies.
void NestedTree(Rng& rng, Encoder& e, int depth) {
  if (depth == 5) {
    if (rng.Below(2) == 0) {
      e.Integer(static_cast<int64_t>(rng.Below(1u << 31)) - (1ll << 30));
    } else {
      e.Bulk(rng.Letters(rng.Between(5, 15)));
    }
    return;
  }
  e.Array(3);
  for (int i = 0; i < 3; ++i) NestedTree(rng, e, depth + 1);
}

Workload Nested() {
  Rng rng(4);
  Encoder e;
  for (int i = 0; i < 200; ++i) {
    NestedTree(rng, e, 1);
    e.EndReply();
  }
  return e.Done("nested");
}

// --- the three parsers ---------------------------------------------------------

// Calls feed(chunk) for every kChunk slice of `bytes`; stops when it returns false.
template <typename F>
bool ForEachChunk(const std::string& bytes, F&& feed) {
  for (size_t off = 0; off < bytes.size(); off += kChunk) {
    if (!feed(std::string_view(bytes.data() + off, std::min(kChunk, bytes.size() - off)))) {
      return false;
    }
  }
  return true;
}

class CountingVisitor : public respfuzz::resp::Visitor {
 public:
  void OnString(Type, std::string_view payload) override {
    ++t.nodes;
    t.str_bytes += payload.size();
  }
  void OnInteger(int64_t value) override {
    ++t.nodes;
    t.int_sum += static_cast<uint64_t>(value);
  }
  void OnDouble(double) override { ++t.nodes; }
  void OnBoolean(bool) override { ++t.nodes; }
  void OnNull(Type) override { ++t.nodes; }
  void OnBegin(Type, int64_t) override { ++t.nodes; }
  void OnEnd() override {}
  Tally t;  // replies are left to Reader::values()
};

void TallyValue(const Value& v, Tally* t) {
  ++t->nodes;
  if (v.type == Type::kInteger) t->int_sum += static_cast<uint64_t>(v.integer);
  if (respfuzz::resp::IsStringLike(v.type)) t->str_bytes += v.str.size();
  for (const Value& e : v.elems) TallyValue(e, t);
}

void TallyTree(const ReplyTree& tree, Tally* t) {
  for (ReplyRef v : tree) {
    for (uint64_t i = v.begin(); i < v.end(); ++i) {
      const ReplyNode& n = tree.node(i);
      ++t->nodes;
      if (n.type == Type::kInteger) t->int_sum += n.a;
      if (respfuzz::resp::IsStringLike(n.type)) t->str_bytes += n.b;
    }
  }
}

void TallyReply(const redisReply* r, Tally* t) {
  ++t->nodes;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      t->int_sum += static_cast<uint64_t>(r->integer);
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      t->str_bytes += r->len;
      break;
    case REDIS_REPLY_ARRAY:
      for (size_t i = 0; i < r->elements; ++i) TallyReply(r->element[i], t);
      break;
    default:
      break;
  }
}

[[noreturn]] void Die(const Workload& w, const char* who, const std::string& why) {
  std::fprintf(stderr, "resp_bench: %s on %s: %s\n", who, w.name.c_str(), why.c_str());
  std::abort();
}

// Parses `w` once with each parser, chunked as in the benchmarks, and aborts
// unless all four agree with the generator.
void Verify(const Workload& w) {
  {
    Reader reader(Protocol::kResp2);
    ReplyTree tree;
    ReplyBuilder builder(&tree);
    Tally t;
    bool ok = ForEachChunk(w.bytes, [&](std::string_view c) {
      if (!reader.Feed(c, builder)) return false;
      TallyTree(tree, &t);
      t.replies += tree.size();
      tree.clear();
      return true;
    });
    if (!ok) Die(w, "respfuzz_reply", reader.status().ToString());
    if (!reader.idle()) Die(w, "respfuzz_reply", "reader not idle at the end");
    if (t != w.expected) {
      Die(w, "respfuzz_reply", Describe(t) + " vs expected " + Describe(w.expected));
    }
  }
  {
    Reader reader(Protocol::kResp2);
    std::vector<Value> values;
    TreeBuilder builder(&values, &reader);
    Tally t;
    bool ok = ForEachChunk(w.bytes, [&](std::string_view c) {
      if (!reader.Feed(c, builder)) return false;
      for (const Value& v : values) TallyValue(v, &t);
      t.replies += values.size();
      values.clear();
      return true;
    });
    if (!ok) Die(w, "respfuzz_value", reader.status().ToString());
    if (!reader.idle()) Die(w, "respfuzz_value", "reader not idle at the end");
    if (t != w.expected) {
      Die(w, "respfuzz_value", Describe(t) + " vs expected " + Describe(w.expected));
    }
  }
  {
    redisReader* r = redisReaderCreate();
    Tally t;
    bool ok = ForEachChunk(w.bytes, [&](std::string_view c) {
      if (redisReaderFeed(r, c.data(), c.size()) != REDIS_OK) return false;
      void* reply = nullptr;
      while (true) {
        if (redisReaderGetReply(r, &reply) != REDIS_OK) return false;
        if (reply == nullptr) return true;
        ++t.replies;
        TallyReply(static_cast<redisReply*>(reply), &t);
        freeReplyObject(reply);
      }
    });
    if (!ok) Die(w, "hiredis", r->errstr);
    if (r->pos != r->len) Die(w, "hiredis", "unparsed bytes at the end");
    redisReaderFree(r);
    if (t != w.expected) Die(w, "hiredis", Describe(t) + " vs expected " + Describe(w.expected));
  }
  {
    Reader reader(Protocol::kResp2);
    CountingVisitor visitor;
    bool ok = ForEachChunk(w.bytes, [&](std::string_view c) { return reader.Feed(c, visitor); });
    if (!ok) Die(w, "respfuzz_visit", reader.status().ToString());
    if (!reader.idle()) Die(w, "respfuzz_visit", "reader not idle at the end");
    Tally t = visitor.t;
    t.replies = reader.values();
    if (t != w.expected) {
      Die(w, "respfuzz_visit", Describe(t) + " vs expected " + Describe(w.expected));
    }
  }
}

void SetCounters(benchmark::State& state, const Workload& w) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * w.bytes.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * w.expected.nodes));
  state.counters["replies"] = benchmark::Counter(static_cast<double>(w.expected.replies),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void BM_RespfuzzReply(benchmark::State& state, const Workload* w) {
  Reader reader(Protocol::kResp2);
  ReplyTree tree;
  ReplyBuilder builder(&tree);
  for (auto _ : state) {
    bool ok = ForEachChunk(w->bytes, [&](std::string_view c) {
      if (!reader.Feed(c, builder)) return false;
      benchmark::DoNotOptimize(tree.size());
      tree.clear();  // drop the replies, as freeReplyObject does
      return true;
    });
    if (!ok) {
      state.SkipWithError("respfuzz reader failed");
      return;
    }
  }
  SetCounters(state, *w);
}

void BM_Memcpy(benchmark::State& state, const Workload* w) {
  constexpr size_t kReply = size_t{1} << 20;
  std::string buffer;
  buffer.reserve(kReply + kChunk);
  for (auto _ : state) {
    ForEachChunk(w->bytes, [&](std::string_view c) {
      buffer.append(c.data(), c.size());
      benchmark::DoNotOptimize(buffer.data());
      if (buffer.size() >= kReply) buffer.clear();
      return true;
    });
  }
  SetCounters(state, *w);
}

// The same copy into two reply-sized buffers in turn: what a reader that
// hands each payload out without copying it must do while the caller still
// holds the previous reply (the reply tree's case). Not a goal; it shows
// what the second buffer costs against BM_Memcpy's one.
void BM_MemcpyTwoBuffers(benchmark::State& state, const Workload* w) {
  constexpr size_t kReply = size_t{1} << 20;
  std::string buffers[2];
  for (std::string& b : buffers) b.reserve(kReply + kChunk);
  size_t current = 0;
  for (auto _ : state) {
    ForEachChunk(w->bytes, [&](std::string_view c) {
      std::string& buffer = buffers[current];
      buffer.append(c.data(), c.size());
      benchmark::DoNotOptimize(buffer.data());
      if (buffer.size() >= kReply) {
        buffer.clear();
        current ^= 1;
      }
      return true;
    });
  }
  SetCounters(state, *w);
}

void BM_RespfuzzValue(benchmark::State& state, const Workload* w) {
  Reader reader(Protocol::kResp2);
  std::vector<Value> values;
  TreeBuilder builder(&values, &reader);
  for (auto _ : state) {
    bool ok = ForEachChunk(w->bytes, [&](std::string_view c) {
      if (!reader.Feed(c, builder)) return false;
      benchmark::DoNotOptimize(values.data());
      values.clear();  // drop the replies, as freeReplyObject does
      return true;
    });
    if (!ok) {
      state.SkipWithError("respfuzz reader failed");
      return;
    }
  }
  SetCounters(state, *w);
}

void BM_Hiredis(benchmark::State& state, const Workload* w) {
  redisReader* r = redisReaderCreate();
  for (auto _ : state) {
    bool ok = ForEachChunk(w->bytes, [&](std::string_view c) {
      if (redisReaderFeed(r, c.data(), c.size()) != REDIS_OK) return false;
      void* reply = nullptr;
      while (true) {
        if (redisReaderGetReply(r, &reply) != REDIS_OK) return false;
        if (reply == nullptr) return true;
        benchmark::DoNotOptimize(reply);
        freeReplyObject(reply);
      }
    });
    if (!ok) {
      state.SkipWithError("hiredis reader failed");
      break;
    }
  }
  redisReaderFree(r);
  SetCounters(state, *w);
}

void BM_RespfuzzVisit(benchmark::State& state, const Workload* w) {
  Reader reader(Protocol::kResp2);
  CountingVisitor visitor;
  for (auto _ : state) {
    bool ok = ForEachChunk(w->bytes, [&](std::string_view c) { return reader.Feed(c, visitor); });
    if (!ok) {
      state.SkipWithError("respfuzz reader failed");
      return;
    }
  }
  benchmark::DoNotOptimize(visitor.t);
  if (visitor.t.nodes != state.iterations() * w->expected.nodes) {
    state.SkipWithError("respfuzz_visit counted the wrong number of nodes");
    return;
  }
  SetCounters(state, *w);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  // Static storage: the registered benchmarks keep pointers to these.
  static const std::vector<Workload> workloads = {SmallReplies(), BulkArrays(), BigBulk(),
                                                  Nested()};
  for (const Workload& w : workloads) {
    Verify(w);
    benchmark::RegisterBenchmark(("respfuzz_reply/" + w.name).c_str(), BM_RespfuzzReply, &w);
    benchmark::RegisterBenchmark(("respfuzz_value/" + w.name).c_str(), BM_RespfuzzValue, &w);
    benchmark::RegisterBenchmark(("hiredis/" + w.name).c_str(), BM_Hiredis, &w);
    benchmark::RegisterBenchmark(("respfuzz_visit/" + w.name).c_str(), BM_RespfuzzVisit, &w);
    if (w.name == "big_bulk") {
      benchmark::RegisterBenchmark(("memcpy/" + w.name).c_str(), BM_Memcpy, &w);
      benchmark::RegisterBenchmark(("memcpy_two_buffers/" + w.name).c_str(), BM_MemcpyTwoBuffers,
                                   &w);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
