// query::Parse throughput over the query_parser seed corpus.
//
// Every corpus/query_parser/*.bin is decoded as the harness decodes it (the
// query text, its PARAMS and its document set). Benchmarks:
//   parse/all       Parse() of every seed query, errors included
//   parse/valid     the seeds that parse
//   print/valid     Print() of their ASTs
//   evaluate/valid  Evaluate() of their ASTs over their document sets
//   harness/all     the whole query_parser check (RunQueryParser) per seed,
//                   uninstrumented: what one fuzzer execution costs without
//                   libFuzzer and the sanitizers
// items_per_second is queries (or inputs) per second, bytes_per_second query
// bytes. Before timing, main() checks that the corpus is there and that the
// seeds that parse also print and reparse equal.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "harnesses/common/registry.h"
#include "harnesses/query_parser/checks.h"
#include "src/query/evaluator.h"
#include "src/query/parser.h"
#include "src/query/printer.h"

namespace {

using respfuzz::harnesses::DecodeQueryParserInput;
using respfuzz::harnesses::QueryParserInput;

struct Seed {
  std::string bytes;  // the whole fuzzer input
  QueryParserInput in;
};

std::vector<Seed>* seeds = nullptr;
std::vector<const Seed*>* valid = nullptr;
size_t all_bytes = 0, valid_bytes = 0;

void LoadCorpus() {
  const std::filesystem::path dir =
      std::filesystem::path(RESPFUZZ_SOURCE_DIR) / "corpus" / "query_parser";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".bin") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  seeds = new std::vector<Seed>(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    std::ifstream f(files[i], std::ios::binary);
    (*seeds)[i].bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  valid = new std::vector<const Seed*>;
  for (Seed& s : *seeds) {
    s.in = DecodeQueryParserInput(s.bytes);  // views into s.bytes, which no longer moves
    all_bytes += s.in.query.size();
    const respfuzz::query::ParseResult r = respfuzz::query::Parse(s.in.query, s.in.options);
    if (!r.ok()) continue;
    respfuzz::query::ParseOptions reparse = s.in.options;
    reparse.limits.max_query_len = SIZE_MAX;
    const respfuzz::query::ParseResult again =
        respfuzz::query::Parse(respfuzz::query::Print(r.ast()), reparse);
    if (!again.ok() || !(again.ast() == r.ast())) {
      std::fprintf(stderr, "query_bench: a seed does not round-trip: %s\n",
                   std::string(s.in.query.substr(0, 80)).c_str());
      std::exit(1);
    }
    valid->push_back(&s);
    valid_bytes += s.in.query.size();
  }
  if (seeds->empty() || valid->empty()) {
    std::fprintf(stderr, "query_bench: no seeds in %s\n", dir.c_str());
    std::exit(1);
  }
  std::fprintf(stderr, "query_bench: %zu seeds (%zu bytes of queries), %zu parse (%zu bytes)\n",
               seeds->size(), all_bytes, valid->size(), valid_bytes);
}

void BM_ParseAll(benchmark::State& state) {
  size_t ok = 0;
  for (auto _ : state) {
    for (const Seed& s : *seeds) {
      const respfuzz::query::ParseResult r = respfuzz::query::Parse(s.in.query, s.in.options);
      ok += r.ok();
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * seeds->size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * all_bytes));
  state.counters["parsed"] = static_cast<double>(ok) / static_cast<double>(state.iterations());
}

void BM_ParseValid(benchmark::State& state) {
  for (auto _ : state) {
    for (const Seed* s : *valid) {
      benchmark::DoNotOptimize(respfuzz::query::Parse(s->in.query, s->in.options));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * valid->size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * valid_bytes));
}

std::vector<respfuzz::query::Ast> ParsedValid() {
  std::vector<respfuzz::query::Ast> asts;
  for (const Seed* s : *valid)
    asts.push_back(respfuzz::query::Parse(s->in.query, s->in.options).ast());
  return asts;
}

void BM_PrintValid(benchmark::State& state) {
  const std::vector<respfuzz::query::Ast> asts = ParsedValid();
  for (auto _ : state) {
    for (const respfuzz::query::Ast& a : asts) benchmark::DoNotOptimize(respfuzz::query::Print(a));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * asts.size()));
}

void BM_EvaluateValid(benchmark::State& state) {
  const std::vector<respfuzz::query::Ast> asts = ParsedValid();
  for (auto _ : state) {
    for (size_t i = 0; i < asts.size(); ++i) {
      benchmark::DoNotOptimize(respfuzz::query::Evaluate(asts[i], (*valid)[i]->in.docs));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * asts.size()));
}

void BM_HarnessAll(benchmark::State& state) {
  for (auto _ : state) {
    for (const Seed& s : *seeds) {
      const respfuzz::fuzz::Verdict v = respfuzz::harnesses::RunQueryParser(s.bytes);
      if (!v.ok) state.SkipWithError(v.ToString().c_str());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * seeds->size()));
}

BENCHMARK(BM_ParseAll)->Name("parse/all");
BENCHMARK(BM_ParseValid)->Name("parse/valid");
BENCHMARK(BM_PrintValid)->Name("print/valid");
BENCHMARK(BM_EvaluateValid)->Name("evaluate/valid");
BENCHMARK(BM_HarnessAll)->Name("harness/all");

}  // namespace

int main(int argc, char** argv) {
  LoadCorpus();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
