#!/usr/bin/env bash
# seeds_test.sh SOURCE_DIR: every corpus/<harness>/ holds exactly what
# tools/seeds/<harness>_seeds.py generates, so seeds never drift from their
# generators.
set -uo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for gen in "$src"/tools/seeds/*_seeds.py; do
  h=$(basename "$gen" _seeds.py)
  if ! RESPFUZZ_SEEDS_ROOT="$tmp" python3 "$gen" 2>/dev/null; then
    echo "FAIL $h: generator failed"; fail=$((fail + 1)); continue
  fi
  if diff -r <(cd "$tmp/corpus/$h" && find . -name '*.bin' | sort | xargs sha1sum) \
             <(cd "$src/corpus/$h" && find . -name '*.bin' | sort | xargs sha1sum) >/dev/null; then
    pass=$((pass + 1))
  else
    echo "FAIL $h: corpus/$h differs from tools/seeds/${h}_seeds.py (rerun it and commit)"
    fail=$((fail + 1))
  fi
done
for d in "$src"/harnesses/*.cc; do
  h=$(basename "$d" .cc)
  if [ -f "$src/tools/seeds/${h}_seeds.py" ]; then pass=$((pass + 1))
  elif compgen -G "$src/corpus/$h/*.txt" >/dev/null; then
    # Structured harness: readable seeds, encoded by the build.
    if compgen -G "$src/corpus/$h/*.bin" >/dev/null; then
      echo "FAIL $h: corpus/$h holds .bin files; its seeds are .txt programs encoded by the build"
      fail=$((fail + 1))
    else
      pass=$((pass + 1))
    fi
  else
    echo "FAIL $h: no generator tools/seeds/${h}_seeds.py and no corpus/$h/*.txt programs"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
