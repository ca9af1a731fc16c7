#!/usr/bin/env bash
# bench/cache_mutants_ttf.sh: how long the invalidation fuzzer takes to find
# each planted ClientCache bug (tests/cache_mutants/mutants.txt), from the
# seed corpus and from an empty corpus, side by side in one run, with the
# cache as written as the control (it must run the whole budget clean).
set -uo pipefail

usage() {
  cat <<'EOF'
usage: bench/cache_mutants_ttf.sh [--seconds N] [--mutants a,b,...] [--sides seeds,empty]
                                  [--build DIR] [--out FILE.md]
  Runs build/fuzz/tests/cache_mutants/invalidation_cache_mutants once per
  mutant and side (libFuzzer -seed=1, one process, -max_total_time=N,
  default 120) and prints a Markdown table: found or not, wall seconds to
  the failure, and libFuzzer's execution count at the failure (the
  load-independent figure). A failure during the seed replay counts as 0 s.
  The control row runs the cache as written; a failure there is a harness
  false positive and makes the script exit 1.
  --out writes the table to FILE.md as well (written whole at the end).
EOF
}

seconds=120
mutants=""
sides="seeds,empty"
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/fuzz"
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=${2:-}; shift 2 ;;
    --mutants) mutants=${2:-}; shift 2 ;;
    --sides) sides=${2:-}; shift 2 ;;
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
bin="$build/tests/cache_mutants/invalidation_cache_mutants"
[ -x "$bin" ] || {
  echo "cache_mutants_ttf.sh: $bin not built (cmake --build --preset fuzz --target invalidation_cache_mutants)" >&2
  exit 2
}
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

# run MUTANT SIDE: prints "found|clean SECONDS EXECS".
run() {
  local m=$1 side=$2 dir="$work/corpus" log="$work/log" start end rc execs
  rm -rf "$dir" && mkdir -p "$dir" "$work/artifacts"
  local args=("$dir")
  [ "$side" = seeds ] && args+=("$seeds")
  start=$(date +%s.%N)
  RESPFUZZ_CACHE_MUTANT=$m nice "$bin" -seed=1 -max_len=2048 -dict="$dict" \
    -max_total_time="$seconds" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
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
for s in ${sides//,/ }; do table+=" $s: found after |"; rule+="---|"; done
table+=$'\n'"$rule"
found_total=()
status=0
for m in "" ${mutants//,/ }; do
  name=${m:-"(cache as written)"}
  row="| \`$name\` |"
  i=0
  for s in ${sides//,/ }; do
    read -r what secs execs phase < <(run "$m" "$s")
    if [ "$what" = found ]; then
      if [ "$phase" = replay ]; then cell="seed replay"; else cell="${secs} s, ${execs} execs"; fi
      [ -z "$m" ] && status=1
      found_total[$i]=$((${found_total[$i]:-0} + 1))
    else
      cell="not in ${secs} s (${execs} execs)"
    fi
    row+=" $cell |"
    echo "cache_mutants_ttf: ${name} ${s}: ${cell}" >&2
    i=$((i + 1))
  done
  table+=$'\n'"$row"
done
n=$(printf '%s\n' ${mutants//,/ } | wc -l)
row="| found |"
i=0
for s in ${sides//,/ }; do
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
