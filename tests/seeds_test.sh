#!/usr/bin/env bash
# seeds_test.sh SOURCE_DIR: every harness has seeds kept one of two ways, and
# they are what they claim to be:
#   - a generator harnesses/<h>/seeds.py, and corpus/<h>/ holds exactly what it
#     writes (so seeds never drift from their generator); or
#   - readable programs corpus/<h>/*.txt (structured harnesses), encoded by the
#     build, with no .bin beside them in corpus/ or tests/regressions/.
set -uo pipefail
src=$1
. "$src/harnesses/common/harnesses.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
while IFS= read -r h; do
  gen="$src/harnesses/$h/seeds.py"
  if [ -f "$gen" ]; then
    if ! RESPFUZZ_SEEDS_ROOT="$tmp" python3 "$gen" 2>/dev/null; then
      echo "FAIL $h: generator harnesses/$h/seeds.py failed"; fail=$((fail + 1)); continue
    fi
    if diff -r <(cd "$tmp/corpus/$h" && find . -name '*.bin' | sort | xargs sha1sum) \
               <(cd "$src/corpus/$h" && find . -name '*.bin' | sort | xargs sha1sum) >/dev/null; then
      pass=$((pass + 1))
    else
      echo "FAIL $h: corpus/$h differs from harnesses/$h/seeds.py (rerun it and commit)"
      fail=$((fail + 1))
    fi
  elif compgen -G "$src/corpus/$h/*.txt" >/dev/null; then
    if compgen -G "$src/corpus/$h/*.bin" >/dev/null ||
       compgen -G "$src/tests/regressions/$h/*.bin" >/dev/null; then
      echo "FAIL $h: .bin files beside its text programs; the build encodes them"
      fail=$((fail + 1))
    else
      pass=$((pass + 1))
    fi
  else
    echo "FAIL $h: no generator harnesses/$h/seeds.py and no corpus/$h/*.txt programs"
    fail=$((fail + 1))
  fi
done < <(respfuzz_harness_names "$src")
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
