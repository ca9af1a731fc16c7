#!/usr/bin/env bash
# bench/cache_mutants_ttf.sh: how long the invalidation fuzzer takes to find
# each planted ClientCache bug (tests/cache_mutants/mutants.txt), from the
# seed corpus and from an empty corpus, side by side in one run, with the
# cache as written as the control (it must run the whole budget clean).
# --arms plain,opmut runs the fuzz target without and with the op-level
# mutator (harnesses/common/op_mutator.h) at the same time, one process each,
# so the machine's load hits both arms alike.
set -uo pipefail

usage() {
  cat <<'EOF'
usage: bench/cache_mutants_ttf.sh [--seconds N] [--mutants a,b,...] [--sides seeds,empty]
                                  [--arms plain,opmut] [--seed K] [--build DIR] [--out FILE.md]
  Runs build/fuzz/tests/cache_mutants/invalidation_cache_mutants once per
  mutant, side and arm (libFuzzer -seed=K, default 1, one process per arm,
  -max_total_time=N, default 120) and prints a Markdown table: found or not,
  wall seconds to
  the failure, and libFuzzer's execution count at the failure (the
  load-independent figure). A failure during the seed replay counts as 0 s.
  Arms: plain (the target as it is), opmut (invalidation_cache_mutants_opmut,
  the op-level mutator); the arms of one mutant and side run at the same time.
  The control row runs the cache as written; a failure there is a harness
  false positive and makes the script exit 1.
  --out writes the table to FILE.md as well (written whole at the end).
EOF
}

seconds=120
mutants=""
sides="seeds,empty"
arms="plain"
fuzz_seed=1
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/fuzz"
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=${2:-}; shift 2 ;;
    --mutants) mutants=${2:-}; shift 2 ;;
    --sides) sides=${2:-}; shift 2 ;;
    --arms) arms=${2:-}; shift 2 ;;
    --seed) fuzz_seed=${2:-}; shift 2 ;;
    --build) build=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "cache_mutants_ttf.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case $seconds in '' | *[!0-9]*) echo "cache_mutants_ttf.sh: --seconds takes a whole number" >&2; exit 2 ;; esac
[ "$seconds" -ge 1 ] && [ "$seconds" -le 86400 ] ||
  { echo "cache_mutants_ttf.sh: --seconds must be 1..86400" >&2; exit 2; }
for s in ${sides//,/ }; do
  case $s in seeds | empty) ;; *) echo "cache_mutants_ttf.sh: unknown side '$s' (seeds, empty)" >&2; exit 2 ;; esac
done
case $fuzz_seed in '' | *[!0-9]*) echo "cache_mutants_ttf.sh: --seed takes a whole number" >&2; exit 2 ;; esac
for a in ${arms//,/ }; do
  case $a in plain) target=invalidation_cache_mutants ;; opmut) target=invalidation_cache_mutants_opmut ;;
    *) echo "cache_mutants_ttf.sh: unknown arm '$a' (plain, opmut)" >&2; exit 2 ;; esac
  [ -x "$build/tests/cache_mutants/$target" ] || {
    echo "cache_mutants_ttf.sh: $build/tests/cache_mutants/$target not built (cmake --build --preset fuzz --target $target)" >&2
    exit 2
  }
done
# The seeds as the fuzz build compiles them from corpus/invalidation/*.txt.
seeds="$build/corpus/invalidation"
case ",$sides," in
  *,seeds,*) [ -n "$(ls -A "$seeds" 2>/dev/null)" ] || {
    echo "cache_mutants_ttf.sh: no compiled seeds in $seeds (cmake --build --preset fuzz)" >&2
    exit 2
  } ;;
esac
all=$(awk '$1 == "mutant" {print $2}' "$root/tests/cache_mutants/mutants.txt" | sort -u)
if [ -z "$mutants" ]; then
  mutants=$(printf '%s\n' $all | paste -sd, -)
else
  for m in ${mutants//,/ }; do
    printf '%s\n' $all | grep -qx -- "$m" ||
      { echo "cache_mutants_ttf.sh: no mutant named '$m' in tests/cache_mutants/mutants.txt" >&2; exit 2; }
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dict="$root/dictionaries/invalidation.dict"

# run MUTANT SIDE ARM: prints "found|clean SECONDS EXECS".
run() {
  local m=$1 side=$2 arm=$3 dir="$work/$3/corpus" log="$work/$3/log" start end rc execs bin
  bin="$build/tests/cache_mutants/invalidation_cache_mutants"
  [ "$arm" = opmut ] && bin+="_opmut"
  rm -rf "$dir" && mkdir -p "$dir" "$work/$arm/artifacts"
  local args=("$dir")
  [ "$side" = seeds ] && args+=("$seeds")
  start=$(date +%s.%N)
  RESPFUZZ_CACHE_MUTANT=$m nice "$bin" -seed="$fuzz_seed" -max_len=2048 -dict="$dict" \
    -max_total_time="$seconds" -artifact_prefix="$work/$arm/artifacts/" -print_final_stats=1 \
    "${args[@]}" >"$log" 2>&1
  rc=$?
  end=$(date +%s.%N)
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
  if [ $rc -ne 0 ]; then
    grep -q 'check failed\|ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error' "$log" || {
      echo "cache_mutants_ttf.sh: $m/$side: the fuzzer exited $rc without a failure report:" >&2
      tail -n 5 "$log" >&2
      exit 1
    }
    grep -q 'INITED' "$log" || { echo "found 0 ${execs:-0} replay"; return; }
    echo "found $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.0f", b-a}') ${execs:-0} fuzz"
  else
    echo "clean $seconds ${execs:-0} -"
  fi
}

table="| mutant |"
rule="|---|"
columns=()
for s in ${sides//,/ }; do
  for a in ${arms//,/ }; do
    columns+=("$s $a")
    if [ "$arms" = plain ]; then table+=" $s: found after |"; else table+=" $s, $a: found after |"; fi
    rule+="---|"
  done
done
table+=$'\n'"$rule"
found_total=()
status=0
for m in "" ${mutants//,/ }; do
  name=${m:-"(cache as written)"}
  row="| \`$name\` |"
  # The arms of one side run at the same time; their cells are read back in
  # column order.
  for s in ${sides//,/ }; do
    for a in ${arms//,/ }; do run "$m" "$s" "$a" >"$work/result.$s.$a" & done
    wait
  done
  i=0
  for col in "${columns[@]}"; do
    read -r s a <<<"$col"
    read -r what secs execs phase <"$work/result.$s.$a"
    [ -n "${what:-}" ] || { echo "cache_mutants_ttf.sh: $name/$s/$a: no result" >&2; exit 1; }
    if [ "$what" = found ]; then
      if [ "$phase" = replay ]; then cell="seed replay"; else cell="${secs} s, ${execs} execs"; fi
      [ -z "$m" ] && status=1
      found_total[$i]=$((${found_total[$i]:-0} + 1))
    else
      cell="not in ${secs} s (${execs} execs)"
    fi
    row+=" $cell |"
    echo "cache_mutants_ttf: ${name} ${s} ${a}: ${cell}" >&2
    i=$((i + 1))
  done
  table+=$'\n'"$row"
done
n=$(printf '%s\n' ${mutants//,/ } | wc -l)
row="| found |"
i=0
for col in "${columns[@]}"; do
  f=${found_total[$i]:-0}
  [ $status -eq 1 ] && f=$((f - 1))
  row+=" $f of $n |"
  i=$((i + 1))
done
table+=$'\n'"$row"
printf '%s\n' "$table"
if [ -n "$out" ]; then
  printf '%s\n' "$table" >"$out.tmp" && mv "$out.tmp" "$out"
fi
[ $status -eq 0 ] || echo "cache_mutants_ttf.sh: the cache as written failed: a false positive" >&2
exit $status
