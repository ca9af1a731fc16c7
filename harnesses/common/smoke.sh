#!/usr/bin/env bash
# smoke.sh BINARY SECONDS HARNESS BUILD_DIR : a short libFuzzer run from the
# harness's seeds with its dictionary and options, in a fresh working corpus
# under BUILD_DIR/smoke/HARNESS (corpus/ in the source tree is never written).
# Fails on any crash, leak, timeout or OOM.
set -euo pipefail
bin=$1 seconds=$2 name=$3 build=$4
. "$(dirname "${BASH_SOURCE[0]}")/harnesses.sh"
work="$build/smoke/$name"
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
args=(-max_total_time="$seconds" -artifact_prefix="$work/artifacts/" -print_final_stats=1)
dict=$(respfuzz_harness_field "$build" "$name" dictionary)
[ -f "$dict" ] && args+=(-dict="$dict")
respfuzz_read_options "$(respfuzz_harness_field "$build" "$name" options)"
for i in ${opt_keys[@]+"${!opt_keys[@]}"}; do args+=(-"${opt_keys[$i]}=${opt_vals[$i]}"); done
seeds=()
seed_dir=$(respfuzz_harness_field "$build" "$name" seeds)
[ -d "$seed_dir" ] && seeds+=("$seed_dir")
echo "smoke: $name for ${seconds}s: $bin ${args[*]} $work/corpus ${seeds[*]}"
"$bin" "${args[@]}" "$work/corpus" "${seeds[@]}"
