#!/usr/bin/env bash
# smoke.sh BINARY SECONDS SOURCE_DIR HARNESS WORK_ROOT [SEEDS] : a short libFuzzer run
# from the harness's seeds with its dictionary and options, in a fresh working
# corpus (corpus/ in the source tree is never written). Fails on any crash,
# leak, timeout or OOM.
set -euo pipefail
bin=$1 seconds=$2 src=$3 name=$4 root=$5 seed_dir=${6:-$3/corpus/$4}
work="$root/$name"
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
args=(-max_total_time="$seconds" -artifact_prefix="$work/artifacts/" -print_final_stats=1)
[ -f "$src/dictionaries/$name.dict" ] && args+=(-dict="$src/dictionaries/$name.dict")
if [ -f "$src/harnesses/$name.options" ]; then
  # [libfuzzer] key = value lines become -key=value flags.
  while IFS= read -r line; do
    line=${line%%#*}
    [[ "$line" =~ ^[[:space:]]*([A-Za-z_]+)[[:space:]]*=[[:space:]]*([^[:space:]]+) ]] || continue
    [ "${BASH_REMATCH[1]}" = dict ] && continue
    args+=(-"${BASH_REMATCH[1]}=${BASH_REMATCH[2]}")
  done < "$src/harnesses/$name.options"
fi
seeds=()
[ -d "$seed_dir" ] && seeds+=("$seed_dir")
echo "smoke: $name for ${seconds}s: $bin ${args[*]} $work/corpus ${seeds[*]}"
"$bin" "${args[@]}" "$work/corpus" "${seeds[@]}"
