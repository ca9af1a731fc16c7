// Engine costs against the size of the data they are about, driven through
// the engine's public API (Engine::Execute, the serve loop's expiry call) so
// that one source builds against an older engine too: bench/README.md runs
// it on two commits side by side.
//
//   expire_cron/N   one call of what `respfuzz serve` runs every 100 ms,
//                   N keys with a TTL, none due (the steady state)
//   zrank/N         ZRANK of members spread over a sorted set of N
//   zrange_mid/N    ZRANGE z N/2 N/2+9: a rank start offset
//   zrangebyscore_limit/N   ZRANGEBYSCORE z -inf +inf LIMIT N/2 10
//   zcount/N        ZCOUNT of the middle half of the scores
//   set_watched/N   SET of a key nobody watches while N keys are watched
//                   (1,000 sessions, N/1,000 keys each)
//   scan_page/N     SCAN 0 COUNT 10 over N keys: one call
//   set_del/N       SET then DEL of a new key in a db of N keys: what
//                   keeping SCAN's order costs every key creation
//   hash_ops/N      in a hash of N fields (a listpack up to 512): HSET of a
//                   new field (appended), HSET of an existing one, HGET,
//                   HDEL of the new field (a tombstone): what keeping the
//                   fields' insertion order costs (hash_object.h)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "src/engine/engine.h"

namespace {

using respfuzz::engine::Engine;

// The expiry call `respfuzz serve` makes: the sampled cycle where the engine
// has one, else the old full pass.
template <typename E>
void ServeExpiry(E& e) {
  if constexpr (requires { e.ActiveExpireCycle(); }) {
    e.ActiveExpireCycle();
  } else {
    e.ActiveExpire();
  }
}

struct Bench {
  Engine engine;
  int session = engine.OpenSession();
  std::string out;
  void Run(const std::vector<std::string>& argv) {
    out.clear();
    engine.Execute(session, argv, &out);
  }
};

std::string Key(const char* prefix, int64_t i) { return prefix + std::to_string(i); }

// Google Benchmark calls a benchmark function several times while it sizes
// the iteration count: the filled engine is kept between those calls (one
// at a time; every benchmark leaves it as it found it).
template <typename Fill>
Bench& Fixture(const std::string& kind, int64_t n, Fill fill) {
  static std::unique_ptr<Bench> cached;
  static std::string cached_key;
  const std::string key = kind + "/" + std::to_string(n);
  if (cached == nullptr || cached_key != key) {
    cached.reset();
    cached = std::make_unique<Bench>();
    fill(*cached, n);
    cached_key = key;
  }
  return *cached;
}

// N keys, batched MSET then one PEXPIRE each (long TTLs: none is due).
void FillKeys(Bench& b, int64_t n, bool ttl) {
  std::vector<std::string> mset = {"mset"};
  for (int64_t i = 0; i < n; ++i) {
    mset.push_back(Key("key:", i));
    mset.push_back("v");
    if (mset.size() >= 2001 || i + 1 == n) {
      b.Run(mset);
      mset.resize(1);
    }
  }
  for (int64_t i = 0; ttl && i < n; ++i) {
    b.Run({"pexpire", Key("key:", i), std::to_string(100'000'000 + i)});
    if (b.out != ":1\r\n") std::abort();  // every key has its TTL
  }
}

void FillZset(Bench& b, int64_t n) {
  std::vector<std::string> zadd = {"zadd", "z"};
  for (int64_t i = 0; i < n; ++i) {
    zadd.push_back(std::to_string((i * 7919) % n));  // scores in a scattered order
    zadd.push_back(Key("m", i));
    if (zadd.size() >= 2002 || i + 1 == n) {
      b.Run(zadd);
      zadd.resize(2);
    }
  }
}

void BM_ExpireCron(benchmark::State& state) {
  Bench* b = &Fixture("ttl", state.range(0), [](Bench& x, int64_t n) { FillKeys(x, n, true); });
  for (auto _ : state) ServeExpiry(b->engine);
  state.SetItemsProcessed(state.iterations());
}

void BM_Zrank(benchmark::State& state) {
  const int64_t n = state.range(0);
  Bench* b = &Fixture("zset", n, FillZset);
  int64_t i = 0;
  for (auto _ : state) {
    b->Run({"zrank", "z", Key("m", (i * 104729) % n)});
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ZrangeMid(benchmark::State& state) {
  const int64_t n = state.range(0);
  Bench* b = &Fixture("zset", n, FillZset);
  const std::vector<std::string> argv = {"zrange", "z", std::to_string(n / 2),
                                         std::to_string(n / 2 + 9)};
  for (auto _ : state) b->Run(argv);
  state.SetItemsProcessed(state.iterations());
}

void BM_ZrangeByScoreLimit(benchmark::State& state) {
  const int64_t n = state.range(0);
  Bench* b = &Fixture("zset", n, FillZset);
  const std::vector<std::string> argv = {"zrangebyscore",       "z", "-inf", "+inf", "limit",
                                         std::to_string(n / 2), "10"};
  for (auto _ : state) b->Run(argv);
  state.SetItemsProcessed(state.iterations());
}

void BM_Zcount(benchmark::State& state) {
  const int64_t n = state.range(0);
  Bench* b = &Fixture("zset", n, FillZset);
  const std::vector<std::string> argv = {"zcount", "z", std::to_string(n / 4),
                                         std::to_string(3 * n / 4)};
  for (auto _ : state) b->Run(argv);
  state.SetItemsProcessed(state.iterations());
}

void BM_SetWatched(benchmark::State& state) {
  const int64_t n = state.range(0);
  Bench* b = &Fixture("watch", n, [](Bench& x, int64_t keys) {
    constexpr int64_t kSessions = 1000;
    for (int64_t s = 0; s < kSessions; ++s) {
      const int w = x.engine.OpenSession();
      std::vector<std::string> watch = {"watch"};
      for (int64_t k = s; k < keys; k += kSessions) watch.push_back(Key("w", k));
      std::string out;
      x.engine.Execute(w, watch, &out);
    }
  });
  for (auto _ : state) b->Run({"set", "unwatched", "v"});
  state.SetItemsProcessed(state.iterations());
}

void BM_ScanPage(benchmark::State& state) {
  Bench* b = &Fixture("keys", state.range(0), [](Bench& x, int64_t n) { FillKeys(x, n, false); });
  const std::vector<std::string> argv = {"scan", "0", "count", "10"};
  for (auto _ : state) b->Run(argv);
  state.SetItemsProcessed(state.iterations());
}

void BM_SetDel(benchmark::State& state) {
  Bench* b = &Fixture("keys", state.range(0), [](Bench& x, int64_t n) { FillKeys(x, n, false); });
  const std::vector<std::string> set = {"set", "fresh", "v"};
  const std::vector<std::string> del = {"del", "fresh"};
  for (auto _ : state) {
    b->Run(set);
    b->Run(del);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HashOps(benchmark::State& state) {
  Bench* b = &Fixture("hash", state.range(0), [](Bench& x, int64_t n) {
    std::vector<std::string> hset = {"hset", "h"};
    for (int64_t i = 0; i < n; ++i) {
      hset.push_back(Key("f", i));
      hset.push_back("v");
      if (hset.size() >= 2002 || i + 1 == n) {
        x.Run(hset);
        hset.resize(2);
      }
    }
  });
  const std::string mid = Key("f", state.range(0) / 2);
  const std::vector<std::string> add = {"hset", "h", "fresh", "v"};
  const std::vector<std::string> update = {"hset", "h", mid, "w"};
  const std::vector<std::string> get = {"hget", "h", mid};
  const std::vector<std::string> del = {"hdel", "h", "fresh"};
  for (auto _ : state) {
    b->Run(add);
    b->Run(update);
    b->Run(get);
    b->Run(del);
  }
  state.SetItemsProcessed(state.iterations() * 4);
}

void Sizes(benchmark::internal::Benchmark* bm) {
  for (int64_t n : {1'000, 10'000, 100'000, 1'000'000}) bm->Arg(n);
  bm->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_ExpireCron)->Name("expire_cron")->Apply(Sizes);
BENCHMARK(BM_Zrank)->Name("zrank")->Apply(Sizes);
BENCHMARK(BM_ZrangeMid)->Name("zrange_mid")->Apply(Sizes);
BENCHMARK(BM_ZrangeByScoreLimit)->Name("zrangebyscore_limit")->Apply(Sizes);
BENCHMARK(BM_Zcount)->Name("zcount")->Apply(Sizes);
BENCHMARK(BM_SetWatched)->Name("set_watched")->Apply(Sizes);
BENCHMARK(BM_ScanPage)->Name("scan_page")->Apply(Sizes);
BENCHMARK(BM_SetDel)->Name("set_del")->Apply(Sizes);
BENCHMARK(BM_HashOps)
    ->Name("hash_ops")
    ->Arg(8)
    ->Arg(64)
    ->Arg(512)
    ->Arg(100'000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
