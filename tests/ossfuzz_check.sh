#!/usr/bin/env bash
# tests/ossfuzz_check.sh: runs scripts/oss-fuzz-build the way OSS-Fuzz does
# (clang-19, ASan at -O0, -fsanitize=fuzzer) into temporary $OUT/$WORK/$SRC, then
# checks every artifact of every harness and runs each binary over its
# unzipped seed corpus. Registered as the ctest "ossfuzz-build-check" when
# configured with -DRESPFUZZ_BUILD_CHECKS=ON (scripts/test does this).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
keep=0
case ${1:-} in
  -h | --help)
    cat <<'EOF'
usage: tests/ossfuzz_check.sh [--keep]

Builds the OSS-Fuzz artifacts with scripts/oss-fuzz-build using OSS-Fuzz-like
variables (CC=clang-19, ASan flags, LIB_FUZZING_ENGINE=-fsanitize=fuzzer, an
empty $SRC so the system abseil/hiredis are used) in a temporary directory,
at -O0 where OSS-Fuzz uses -O1 (this check is of the script, the targets and
their files, which the optimisation level does not change, and -O0 builds in
60% of the time; scripts/oss-fuzz-local builds with OSS-Fuzz's own flags),
then checks for every harness X: $OUT/X is executable, X_seed_corpus.zip lists
files, X.dict and X.options exist, and "$OUT/X -runs=0 <unzipped seeds>" (with
the dictionary and options) exits 0. Temporary files are removed unless --keep.
EOF
    exit 0
    ;;
  --keep) keep=1 ;;
  "") ;;
  *)
    echo "ossfuzz_check: unknown argument '$1' (see --help)" >&2
    exit 2
    ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/respfuzz-ossfuzz-check.XXXXXX")
cleanup() {
  if [ $keep -eq 1 ]; then echo "ossfuzz_check: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
mkdir -p "$tmp/src" "$tmp/out" "$tmp/work" "$tmp/seeds"

flags="-O0 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
echo "ossfuzz_check: building into $tmp"
if ! env SRC="$tmp/src" OUT="$tmp/out" WORK="$tmp/work" \
  CC=clang-19 CXX=clang++-19 CFLAGS="$flags" CXXFLAGS="$flags" \
  LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
  "$root/scripts/oss-fuzz-build"; then
  echo "ossfuzz_check: FAILED: scripts/oss-fuzz-build exited non-zero" >&2
  exit 1
fi

. "$root/harnesses/common/harnesses.sh"
mapfile -t harnesses < <(respfuzz_harness_names "$root")

failures=0
ok() { echo "  ok    $*"; }
bad() {
  echo "  FAIL  $*" >&2
  failures=$((failures + 1))
}

out="$tmp/out"
for h in "${harnesses[@]}"; do
  echo "ossfuzz_check: $h"
  if [ -f "$out/$h" ] && [ -x "$out/$h" ]; then ok "\$OUT/$h is executable"; else bad "\$OUT/$h missing or not executable"; fi
  zip="$out/${h}_seed_corpus.zip"
  n=0
  if [ -s "$zip" ]; then
    n=$(unzip -Z1 "$zip" 2>/dev/null | grep -vc '/$' || true)
  fi
  if [ "$n" -gt 0 ]; then ok "\$OUT/${h}_seed_corpus.zip lists $n files"; else bad "\$OUT/${h}_seed_corpus.zip missing, empty or unreadable"; fi
  if [ -s "$out/$h.dict" ]; then ok "\$OUT/$h.dict"; else bad "\$OUT/$h.dict missing or empty"; fi
  if [ -s "$out/$h.options" ]; then ok "\$OUT/$h.options"; else bad "\$OUT/$h.options missing or empty"; fi
  [ -x "$out/$h" ] && [ "$n" -gt 0 ] || continue

  # Run the seeds the way ClusterFuzz would: with the dictionary and the
  # [libfuzzer] options, so a malformed dict or option also fails here.
  seeds="$tmp/seeds/$h"
  mkdir -p "$seeds"
  unzip -q -o "$zip" -d "$seeds"
  args=(-runs=0)
  [ -s "$out/$h.dict" ] && args+=(-dict="$out/$h.dict")
  respfuzz_read_options "$out/$h.options"
  for i in ${opt_keys[@]+"${!opt_keys[@]}"}; do args+=(-"${opt_keys[$i]}=${opt_vals[$i]}"); done
  log="$tmp/$h.run.log"
  rc=0
  (cd "$tmp" && "$out/$h" "${args[@]}" "$seeds") >"$log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then
    ok "\$OUT/$h ${args[*]} <$n seeds> exits 0"
  else
    tail -n 30 "$log" >&2
    bad "\$OUT/$h ${args[*]} <seeds> exited $rc (output above)"
  fi
done

if [ $failures -gt 0 ]; then
  echo "ossfuzz_check: FAILED: $failures checks failed" >&2
  exit 1
fi
echo "ossfuzz_check: all checks passed for ${#harnesses[@]} harnesses: ${harnesses[*]}"
