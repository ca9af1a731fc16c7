#!/usr/bin/env bash
# bench/fuzz_speed.sh: libFuzzer exec/s of two builds of the same harnesses,
# side by side. Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=../harnesses/common/harnesses.sh
. "$root/harnesses/common/harnesses.sh"

usage() {
  cat <<'EOF'
usage: bench/fuzz_speed.sh --before BUILD --after BUILD [options] HARNESS...

Runs each harness's libFuzzer binary from two fuzz-preset build trees (e.g.
the main branch's and this one's) at the same time, one job each, so both see
the same machine load: each from a fresh copy of this tree's seeds
(corpus/HARNESS, or the build's encoded seeds for structured harnesses) in
its own fresh, empty working directory, with -seed=1, the harness's max_len
and dictionary, and -max_total_time=TIME. Prints libFuzzer's
stat::average_exec_per_sec for each, per round, and the runs per CPU second
the process used (stat::number_of_executed_units over user + system time:
on a loaded machine, what one job would do alone on a core), with the ratios
after/before.

  --before BUILD   the "before" build tree (e.g. ../main/build/fuzz)
  --after BUILD    the "after" build tree (e.g. build/fuzz)
  --time SECONDS   fuzzing time per run (default 60)
  --rounds N       rounds; each round runs every harness once per build (default 2)
  --keep DIR       keep the working directories under DIR (default: a temporary
                   directory, removed at the end)
  -h, --help       this text
EOF
}

before=
after=
seconds=60
rounds=2
keep=
harnesses=()
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --before | --after | --time | --rounds | --keep)
      [ $# -ge 2 ] || {
        echo "fuzz_speed: $1 needs a value (see --help)" >&2
        exit 2
      }
      case $1 in
        --before) before=$2 ;;
        --after) after=$2 ;;
        --time) seconds=$2 ;;
        --rounds) rounds=$2 ;;
        --keep) keep=$2 ;;
      esac
      shift
      ;;
    -*)
      echo "fuzz_speed: unknown option '$1' (see --help)" >&2
      exit 2
      ;;
    *) harnesses+=("$1") ;;
  esac
  shift
done
if [ -z "$before" ] || [ -z "$after" ] || [ ${#harnesses[@]} -eq 0 ]; then
  echo "fuzz_speed: --before, --after and at least one harness are needed (see --help)" >&2
  exit 2
fi
for n in "$seconds" "$rounds"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || {
    echo "fuzz_speed: '$n' is not a positive whole number" >&2
    exit 2
  }
done

binary_of() { # BUILD HARNESS
  local b
  b=$(respfuzz_harness_field "$1" "$2" binary) || exit 2
  [ -x "$b" ] || {
    echo "fuzz_speed: $b is not built (cmake --build $1 --target $2)" >&2
    exit 2
  }
  printf '%s\n' "$b"
}

# Everything is checked before the first run starts.
for h in "${harnesses[@]}"; do
  binary_of "$before" "$h" >/dev/null
  binary_of "$after" "$h" >/dev/null
done

work=${keep:-$(mktemp -d)}
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT

# One run: BIN SEEDS DICT MAXLEN DIR; prints libFuzzer's average exec/s
# (wall clock) and the runs per CPU second the process used (user + system).
run_one() {
  local bin=$1 seeds=$2 dict=$3 max_len=$4 dir=$5
  mkdir -p "$dir/corpus" "$dir/cwd"
  cp -r "$seeds"/. "$dir/corpus/"
  local args=(-max_total_time="$seconds" -seed=1 -print_final_stats=1
    -artifact_prefix="$dir/cwd/")
  [ -n "$max_len" ] && args+=(-max_len="$max_len")
  [ -n "$dict" ] && [ -f "$dict" ] && args+=(-dict="$dict")
  local TIMEFORMAT='%U %S'
  { time (cd "$dir/cwd" && "$bin" "${args[@]}" "$dir/corpus" >"$dir/log" 2>&1); } 2>"$dir/cpu" ||
    true
  local execs runs cpu
  execs=$(awk '/stat::average_exec_per_sec:/ { print $2 }' "$dir/log")
  runs=$(awk '/stat::number_of_executed_units:/ { print $2 }' "$dir/log")
  [ -n "$execs" ] && [ -n "$runs" ] || return 0
  cpu=$(awk '{ printf "%.0f", '"$runs"' / ($1 + $2) }' "$dir/cpu")
  printf '%s %s\n' "$execs" "$cpu"
}

echo "exec/s: libFuzzer's average over the ${seconds}s run (wall clock); runs/cpu-s: runs per"
echo "CPU second the fuzzer process used (what it would do alone on a core)"
printf '%-18s %5s %10s %10s %7s %12s %12s %7s\n' harness round "exec/s" "exec/s" ratio \
  "runs/cpu-s" "runs/cpu-s" ratio
printf '%-18s %5s %10s %10s %7s %12s %12s %7s\n' "" "" before after "" before after ""
for round in $(seq 1 "$rounds"); do
  echo "# round $round, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  for h in "${harnesses[@]}"; do
    seeds=$(respfuzz_harness_field "$after" "$h" seeds)
    dict=$(respfuzz_harness_field "$after" "$h" dictionary)
    respfuzz_read_options "$(respfuzz_harness_field "$after" "$h" options)"
    max_len=
    for i in "${!opt_keys[@]}"; do
      [ "${opt_keys[$i]}" = max_len ] && max_len=${opt_vals[$i]}
    done
    d="$work/$h.$round"
    run_one "$(binary_of "$before" "$h")" "$seeds" "$dict" "$max_len" "$d/before" >"$d.b" &
    pb=$!
    mkdir -p "$d"
    run_one "$(binary_of "$after" "$h")" "$seeds" "$dict" "$max_len" "$d/after" >"$d.a" &
    pa=$!
    wait "$pb" "$pa"
    read -r b bc <"$d.b" || true
    read -r a ac <"$d.a" || true
    if [ -z "${b:-}" ] || [ -z "${a:-}" ]; then
      echo "fuzz_speed: $h round $round gave no figure (a crash? logs: $d/before/log, $d/after/log)" >&2
      exit 1
    fi
    printf '%-18s %5s %10s %10s %6.2fx %12s %12s %6.2fx\n' "$h" "$round" "$b" "$a" \
      "$(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')" "$bc" "$ac" \
      "$(awk -v a="$ac" -v b="$bc" 'BEGIN { print a / b }')"
  done
done
