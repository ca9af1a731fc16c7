#!/usr/bin/env bash
# engine_bench.sh BASE [FILTER] [REPETITIONS]: bench/engine_bench.cc built
# against this worktree's engine and against commit BASE's, then run side by
# side: for each benchmark family, base then this tree, REPETITIONS times
# (default 3), alternating, so both see the same load. Prints one table of
# medians (CPU time per call) and writes the raw JSON next to the builds.
#
# The base build is a detached worktree at BASE under build/engine-bench-base/
# with this tree's bench/engine_bench.cc copied in (it drives the engine only
# through Engine::Execute and the expiry call, so it builds on older engines).
set -euo pipefail

usage() {
  echo "usage: bench/engine_bench.sh BASE_COMMIT [FILTER_REGEX] [REPETITIONS]" >&2
  exit 2
}
[[ $# -ge 1 && $# -le 3 && $1 != -h && $1 != --help ]] || usage
base=$1
filter=${2:-.}
reps=${3:-3}
[[ $reps =~ ^[1-9][0-9]?$ ]] || { echo "engine_bench.sh: REPETITIONS must be 1-99" >&2; exit 2; }

root=$(git rev-parse --show-toplevel)
cd "$root"
base_sha=$(git rev-parse --verify --quiet "$base^{commit}") ||
  { echo "engine_bench.sh: no commit '$base'" >&2; exit 2; }
out=$root/build/engine-bench
base_tree=$out/base-src
mkdir -p "$out"

export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}

# This tree.
cmake --preset release >/dev/null
cmake --build build/release --target engine_bench

# The base: a detached worktree with the benchmark source added.
if [[ ! -d $base_tree ]] || [[ $(git -C "$base_tree" rev-parse HEAD) != "$base_sha" ]]; then
  git worktree remove --force "$base_tree" 2>/dev/null || rm -rf "$base_tree"
  git worktree add --detach "$base_tree" "$base_sha" >/dev/null
fi
cp bench/engine_bench.cc "$base_tree/bench/engine_bench.cc"
if ! grep -q engine_bench "$base_tree/bench/CMakeLists.txt"; then
  printf '\nadd_executable(engine_bench engine_bench.cc)\ntarget_link_libraries(engine_bench PRIVATE respfuzz_engine benchmark::benchmark)\n' \
    >>"$base_tree/bench/CMakeLists.txt"
fi
(cd "$base_tree" && cmake --preset release >/dev/null && cmake --build build/release --target engine_bench)

new_bin=$root/build/release/bench/engine_bench
base_bin=$base_tree/build/release/bench/engine_bench
families=$("$new_bin" --benchmark_list_tests | sed 's|/.*||' | uniq | grep -E "$filter" || true)
[[ -n $families ]] || { echo "engine_bench.sh: no benchmark matches '$filter'" >&2; exit 2; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in $families; do
  for ((r = 1; r <= reps; r++)); do
    for side in base new; do
      bin=$new_bin
      [[ $side == base ]] && bin=$base_bin
      "$bin" --benchmark_filter="^$f/" --benchmark_format=json \
        --benchmark_out="$out/$side-$f-$r.json" --benchmark_out_format=json >/dev/null
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" "$reps" $families <<'EOF'
import json, statistics, sys
out, reps, families = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def times(side, fam):
    per = {}
    for r in range(1, reps + 1):
        for b in json.load(open(f"{out}/{side}-{fam}-{r}.json"))["benchmarks"]:
            per.setdefault(b["name"], []).append(b["cpu_time"])
    return {k: statistics.median(v) for k, v in per.items()}
def fmt(us):
    return f"{us:,.3f} us" if us < 10 else f"{us:,.1f} us" if us < 1000 else f"{us/1000:,.2f} ms"
print("| benchmark | base | this tree | base / this tree |")
print("|---|---:|---:|---:|")
for fam in families:
    b, n = times("base", fam), times("new", fam)
    for name in n:
        ratio = b[name] / n[name] if name in b else float("nan")
        print(f"| {name} | {fmt(b.get(name, float('nan')))} | {fmt(n[name])} | {ratio:,.1f}x |")
EOF
