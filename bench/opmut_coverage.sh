#!/usr/bin/env bash
# bench/opmut_coverage.sh: coverage after N seconds from a program harness's
# seeds, without and with the op-level mutator (harnesses/common/op_mutator.h),
# with and without libFuzzer's entropic schedule (--compare entropic), or
# built two ways (--compare build:DIR), the two arms fuzzing at the same time
# so the machine's load hits both alike.
set -uo pipefail

usage() {
  cat <<'EOF'
usage: bench/opmut_coverage.sh --harness NAME [--seconds N] [--seed K] [--build DIR]
                                [--compare opmut|entropic|build:DIR]
  --compare opmut (the default): Fuzzes build/fuzz/harnesses/NAME (plain) and NAME_opmut (op-level mutator;
  NAME_plain and NAME when the harness has OP_MUTATOR ON) from the seeds
  of the fuzz build, each into a fresh corpus, one process each, at the same
  time (libFuzzer -seed=K, default 1, -max_total_time=N, default 180, the
  harness's .options and dictionary). Then replays each arm's corpus through
  the plain binary (-runs=0), so both are counted by one binary, and prints
  one Markdown row per arm: edges (cov) and features (ft) of its corpus,
  corpus size, and libFuzzer's execution count. An arm that stops at a
  failure keeps its input and log in BUILD/opmut_coverage/NAME-ARM-seedK/.
  --compare entropic: the same, with both arms the harness's default binary
  (the op-level one when OP_MUTATOR is ON), arm "entropic" with libFuzzer's
  default schedule and arm "no-entropic" with -entropic=0.
  --compare build:DIR: the same, arm "base" the harness's default binary of
  --build and arm "other" the same binary of the fuzz build tree DIR (e.g.
  one configured with -DRESPFUZZ_MODEL_COVERAGE=edges); both corpora are
  counted by --build's plain binary.
EOF
}

harness=""
seconds=180
seed=1
compare=opmut
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/fuzz"
while [ $# -gt 0 ]; do
  case $1 in
    --harness) harness=${2:-}; shift 2 ;;
    --seconds) seconds=${2:-}; shift 2 ;;
    --seed) seed=${2:-}; shift 2 ;;
    --build) build=${2:-}; shift 2 ;;
    --compare) compare=${2:-}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "opmut_coverage.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$harness" ] || { echo "opmut_coverage.sh: --harness NAME is required" >&2; exit 2; }
case $seconds in '' | *[!0-9]*) echo "opmut_coverage.sh: --seconds takes a whole number" >&2; exit 2 ;; esac
case $seed in '' | *[!0-9]*) echo "opmut_coverage.sh: --seed takes a whole number" >&2; exit 2 ;; esac
case $compare in
  opmut | entropic) ;;
  build:?*)
    other_build=${compare#build:}
    [ -d "$other_build/harnesses" ] ||
      { echo "opmut_coverage.sh: --compare build:DIR: $other_build/harnesses is not a directory" >&2; exit 2; }
    ;;
  *) echo "opmut_coverage.sh: --compare takes opmut, entropic or build:DIR" >&2; exit 2 ;;
esac
dir="$build/harnesses"
# Which binary has the mutator follows the harness's OP_MUTATOR (its CMakeLists.txt).
if grep -q 'OP_MUTATOR ON' "$root/harnesses/$harness/CMakeLists.txt" 2>/dev/null; then
  plain="$dir/${harness}_plain" opmut="$dir/$harness"
else
  plain="$dir/$harness" opmut="$dir/${harness}_opmut"
fi
default=$plain
grep -q 'OP_MUTATOR ON' "$root/harnesses/$harness/CMakeLists.txt" 2>/dev/null && default=$opmut
other_bin=""
[ -n "${other_build:-}" ] && other_bin="$other_build/harnesses/${default##*/}"
for b in "$plain" "$opmut" $other_bin; do
  [ -x "$b" ] || {
    echo "opmut_coverage.sh: $b not built (cmake --build --preset fuzz --target ${plain##*/} ${opmut##*/})" >&2
    exit 2
  }
done
seeds="$build/corpus/$harness"
[ -n "$(ls -A "$seeds" 2>/dev/null)" ] ||
  { echo "opmut_coverage.sh: no compiled seeds in $seeds (cmake --build --preset fuzz)" >&2; exit 2; }
source "$root/harnesses/common/harnesses.sh"
respfuzz_read_options "$root/harnesses/$harness/$harness.options"
opts=()
for i in "${!opt_keys[@]}"; do opts+=("-${opt_keys[$i]}=${opt_vals[$i]}"); done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each arm: its name, its binary, its extra flag.
if [ "$compare" = opmut ]; then
  arms=(plain opmut) bins=("$plain" "$opmut") flags=("" "")
elif [ "$compare" = entropic ]; then
  arms=(entropic no-entropic) bins=("$default" "$default") flags=("" "-entropic=0")
else
  arms=(base other) bins=("$default" "$other_bin") flags=("" "")
fi
for i in 0 1; do
  arm=${arms[$i]} bin=${bins[$i]}
  extra=()
  [ -n "${flags[$i]}" ] && extra=("${flags[$i]}")
  mkdir -p "$work/$arm/corpus" "$work/$arm/artifacts"
  nice "$bin" "${opts[@]}" ${extra[@]+"${extra[@]}"} -seed="$seed" -dict="$root/dictionaries/$harness.dict" \
    -max_total_time="$seconds" -artifact_prefix="$work/$arm/artifacts/" -print_final_stats=1 \
    "$work/$arm/corpus" "$seeds" >"$work/$arm/log" 2>&1 &
done
wait
echo "| harness | arm | seconds | seed | edges (cov) | features (ft) | corpus | execs |"
echo "|---|---|---|---|---|---|---|---|"
for arm in "${arms[@]}"; do
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/$arm/log" | grep -oE '[0-9]+$')
  crash=""
  if grep -q 'check failed\|ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error' "$work/$arm/log"; then
    crash=" (stopped at a failure)"
    # The failure is kept: its report on stderr, its input and log in
    # BUILD/opmut_coverage/HARNESS-ARM-seedK/.
    keep="$build/opmut_coverage/$harness-$arm-seed$seed"
    rm -rf "$keep" && mkdir -p "$keep" && cp "$work/$arm/log" "$work/$arm/artifacts/"* "$keep/" 2>/dev/null
    echo "opmut_coverage.sh: $harness $arm stopped at a failure (input and log in $keep):" >&2
    grep -m 1 -A 12 'check failed\|ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error' "$work/$arm/log" >&2
  fi
  # Counted by one binary: the plain one, over the arm's corpus alone.
  "$plain" "${opts[@]}" -runs=0 "$work/$arm/corpus" >"$work/$arm/replay" 2>&1
  line=$(grep -E 'INITED' "$work/$arm/replay" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$line" | grep -oE '[0-9]+')
  ft=$(grep -oE 'ft: [0-9]+' <<<"$line" | grep -oE '[0-9]+')
  files=$(ls "$work/$arm/corpus" | wc -l)
  echo "| $harness | $arm | $seconds | $seed | ${cov:-?} | ${ft:-?} | $files | ${execs:-?}$crash |"
done
