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
       bench/fuzz_speed.sh --floor --after BUILD [options] HARNESS...

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

With --programs N it fuzzes nothing: it replays fixed inputs through both
fuzz binaries at the same time (libFuzzer runs each file it is given RUNS
times, no mutation, no corpus): for a structured harness, one program per
seed of this tree (corpus/HARNESS/*.txt), its ops repeated in order until it
has exactly N (its client and raw lines kept first), encoded by the after build's
respfuzz_encode_seeds_HARNESS; for the others, the seeds as they are. It prints the
programs run per CPU second of each build. With --dev-before and --dev-after
(dev-preset trees: the uninstrumented replay binaries) it also prints, per
program, the instructions executed inside LLVMFuzzerTestOneInput under
callgrind and the heap allocations (valgrind's "total heap usage", over the
whole process), both load-independent; programs with INCRBYFLOAT or
HINCRBYFLOAT are left out of those two (valgrind computes x87 long doubles
in 64 bits: their results, and the cost of printing them, are not the
hardware's).

With --floor, "before" is the harness's floor in the same build tree
(BUILD/bench/floors/floor_HARNESS, built with cmake --build BUILD --target
floor_HARNESS): a target that decodes the input as the harness does and runs
the code under test once, with no check (bench/floors/README.md). The ratio
is then harness / floor: how much of the floor's rate the checks leave.

  --before BUILD   the "before" build tree (e.g. ../main/build/fuzz)
  --floor          compare each harness with its floor instead of --before
  --after BUILD    the "after" build tree (e.g. build/fuzz)
  --time SECONDS   fuzzing time per run (default 60)
  --rounds N       rounds; each round runs every harness once per build (default 2)
  --programs N     replay fixed N-op programs instead of fuzzing (see above)
  --runs R         with --programs: runs of each program per round (default 50)
  --dev-before BUILD, --dev-after BUILD
                   with --programs: also callgrind instructions and allocations
                   per program on these dev-preset trees (valgrind)
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
programs=
runs=50
dev_before=
dev_after=
floor=
harnesses=()
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --floor) floor=yes ;;
    --before | --after | --time | --rounds | --keep | --programs | --runs | --dev-before | --dev-after)
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
        --programs) programs=$2 ;;
        --runs) runs=$2 ;;
        --dev-before) dev_before=$2 ;;
        --dev-after) dev_after=$2 ;;
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
if [ -n "$floor" ] && [ -n "$before$dev_before$dev_after" ]; then
  echo "fuzz_speed: --floor takes the place of --before; --before, --dev-before and" \
    "--dev-after do not go with it (see --help)" >&2
  exit 2
fi
if { [ -z "$before" ] && [ -z "$floor" ]; } || [ -z "$after" ] || [ ${#harnesses[@]} -eq 0 ]; then
  echo "fuzz_speed: --before (or --floor), --after and at least one harness are needed" \
    "(see --help)" >&2
  exit 2
fi
for n in "$seconds" "$rounds" "$runs" ${programs:+"$programs"}; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || {
    echo "fuzz_speed: '$n' is not a positive whole number" >&2
    exit 2
  }
done
if [ -n "$dev_before$dev_after" ]; then
  if [ -z "$programs" ] || [ -z "$dev_before" ] || [ -z "$dev_after" ]; then
    echo "fuzz_speed: --dev-before and --dev-after go together, with --programs (see --help)" >&2
    exit 2
  fi
  command -v valgrind >/dev/null || {
    echo "fuzz_speed: valgrind is not installed (scripts/setup installs it)" >&2
    exit 2
  }
fi

binary_of() { # BUILD HARNESS
  local b
  b=$(respfuzz_harness_field "$1" "$2" binary) || exit 2
  [ -x "$b" ] || {
    echo "fuzz_speed: $b is not built (cmake --build $1 --target $2)" >&2
    exit 2
  }
  printf '%s\n' "$b"
}

# The "before" binary of HARNESS: --before's, or with --floor its floor in
# the --after tree.
before_of() { # HARNESS
  if [ -z "$floor" ]; then
    binary_of "$before" "$1"
    return
  fi
  local b
  b=$(cd "$after" && pwd -P)/bench/floors/floor_$1
  [ -x "$b" ] || {
    echo "fuzz_speed: $b is not built (cmake --build $after --target floor_$1; floors exist" \
      "for the harnesses in bench/floors/CMakeLists.txt)" >&2
    exit 2
  }
  printf '%s\n' "$b"
}

# Everything is checked before the first run starts.
for h in "${harnesses[@]}"; do
  binary_of "$after" "$h" >/dev/null
  before_of "$h" >/dev/null
  if [ -n "$dev_before" ]; then
    binary_of "$dev_before" "$h" >/dev/null
    binary_of "$dev_after" "$h" >/dev/null
  fi
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

# --programs: the fixed inputs of HARNESS, one file each, in DIR/bin (and
# their text in DIR/txt for a structured harness).
make_programs() { # HARNESS DIR
  local h=$1 dir=$2 f n
  mkdir -p "$dir/txt" "$dir/bin"
  if [ "$(respfuzz_harness_field "$after" "$h" structured)" != yes ]; then
    cp -r "$(respfuzz_harness_field "$after" "$h" seeds)"/. "$dir/bin/"
    return
  fi
  local encoder=$after/harnesses/respfuzz_encode_seeds_$h
  [ -x "$encoder" ] || {
    echo "fuzz_speed: $encoder is not built (cmake --build $after --target $h)" >&2
    exit 2
  }
  for f in "$root/corpus/$h"/*.txt; do
    n=$(basename "$f" .txt)
    awk -v n="$programs" '/^[[:space:]]*(#|$)/ { next } /^(client|raw) / { print; next }
      { op[k++] = $0 } END { for (i = 0; i < n && k > 0; i++) print op[i % k] }' \
      "$f" >"$dir/txt/$n.txt"
    "$encoder" "$h" "$dir/txt/$n.txt" "$dir/bin/$n.bin" || exit 2
  done
}

# One replay: BIN DIR (the programs) OUT; prints the programs run per CPU
# second, or nothing when the binary failed (its output is in OUT).
replay_one() {
  local bin=$1 dir=$2 out=$3 files
  files=("$dir"/bin/*)
  mkdir -p "$out/cwd"
  local TIMEFORMAT='%U %S'
  if { time (cd "$out/cwd" && "$bin" -runs="$runs" "${files[@]}" >"$out/log" 2>&1); } \
    2>"$out/cpu"; then
    awk -v n="$((${#files[@]} * runs))" '{ printf "%.0f\n", n / ($1 + $2) }' "$out/cpu"
  fi
}

# Callgrind and memcheck over the programs valgrind runs as the hardware
# does: BIN DIR OUT; prints instructions and allocations per program.
valgrind_one() {
  local bin=$1 dir=$2 out=$3 f files=()
  for f in "$dir"/bin/*; do
    if [ -f "$dir/txt/$(basename "$f" .bin).txt" ] &&
      grep -qi 'incrbyfloat' "$dir/txt/$(basename "$f" .bin).txt"; then
      continue
    fi
    files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  mkdir -p "$out"
  valgrind --tool=callgrind --toggle-collect=LLVMFuzzerTestOneInput \
    --callgrind-out-file="$out/callgrind.out" "$bin" "${files[@]}" >"$out/callgrind.log" 2>&1 ||
    return 0
  valgrind --tool=memcheck "$bin" "${files[@]}" >"$out/memcheck.log" 2>&1 || return 0
  local ir allocs
  ir=$(awk '/^summary:/ { print $2 }' "$out/callgrind.out")
  allocs=$(sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$out/memcheck.log" | tr -d ,)
  [ -n "$ir" ] && [ -n "$allocs" ] || return 0
  printf '%s %s %s\n' "$((ir / ${#files[@]}))" "$((allocs / ${#files[@]}))" "${#files[@]}"
}

label_before=before
label_after=after
if [ -n "$floor" ]; then
  label_before=floor
  label_after=harness
fi

ratio() { awk -v a="$2" -v b="$1" 'BEGIN { printf "%6.2fx", a / b }'; }

if [ -n "$programs" ]; then
  echo "programs/cpu-s: runs of the fixed programs per CPU second the fuzz binary used"
  echo "(libFuzzer, $runs runs of each program per round, both binaries at the same time)"
  printf '%-18s %5s %8s %14s %14s %7s\n' harness round programs "progs/cpu-s" "progs/cpu-s" ratio
  printf '%-18s %5s %8s %14s %14s %7s\n' "" "" "" "$label_before" "$label_after" ""
  for h in "${harnesses[@]}"; do make_programs "$h" "$work/$h.programs"; done
  for round in $(seq 1 "$rounds"); do
    echo "# round $round, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    for h in "${harnesses[@]}"; do
      d="$work/$h.programs"
      replay_one "$(before_of "$h")" "$d" "$d/before.$round" >"$d/before.$round.rate" &
      pb=$!
      replay_one "$(binary_of "$after" "$h")" "$d" "$d/after.$round" >"$d/after.$round.rate" &
      pa=$!
      wait "$pb" "$pa"
      read -r b <"$d/before.$round.rate" || true
      read -r a <"$d/after.$round.rate" || true
      if [ -z "${b:-}" ] || [ -z "${a:-}" ]; then
        echo "fuzz_speed: $h round $round failed (logs: $d/before.$round/log, $d/after.$round/log)" >&2
        exit 1
      fi
      printf '%-18s %5s %8s %14s %14s %s\n' "$h" "$round" "$(ls "$d/bin" | wc -l)" "$b" "$a" \
        "$(ratio "$b" "$a")"
    done
  done
  [ -n "$dev_before" ] || exit 0
  echo "valgrind on the dev (replay) binaries: instructions inside LLVMFuzzerTestOneInput and"
  echo "heap allocations (the whole process), per program"
  printf '%-18s %8s %13s %13s %7s %10s %10s %7s\n' harness programs "instr/prog" "instr/prog" \
    ratio "allocs" "allocs" ratio
  printf '%-18s %8s %13s %13s %7s %10s %10s %7s\n' "" "" before after "" before after ""
  for h in "${harnesses[@]}"; do
    d="$work/$h.programs"
    read -r bi ba bn < <(valgrind_one "$(binary_of "$dev_before" "$h")" "$d" "$d/vg.before") || true
    read -r ai aa an < <(valgrind_one "$(binary_of "$dev_after" "$h")" "$d" "$d/vg.after") || true
    if [ -z "${bi:-}" ] || [ -z "${ai:-}" ]; then
      echo "fuzz_speed: $h under valgrind failed (logs in $d/vg.before, $d/vg.after)" >&2
      exit 1
    fi
    printf '%-18s %8s %13s %13s %s %10s %10s %s\n' "$h" "$an" "$bi" "$ai" "$(ratio "$bi" "$ai")" \
      "$ba" "$aa" "$(ratio "$ba" "$aa")"
  done
  exit 0
fi

echo "exec/s: libFuzzer's average over the ${seconds}s run (wall clock); runs/cpu-s: runs per"
echo "CPU second the fuzzer process used (what it would do alone on a core)"
printf '%-18s %5s %10s %10s %7s %12s %12s %7s\n' harness round "exec/s" "exec/s" ratio \
  "runs/cpu-s" "runs/cpu-s" ratio
printf '%-18s %5s %10s %10s %7s %12s %12s %7s\n' "" "" "$label_before" "$label_after" "" \
  "$label_before" "$label_after" ""
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
    run_one "$(before_of "$h")" "$seeds" "$dict" "$max_len" "$d/before" >"$d.b" &
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
