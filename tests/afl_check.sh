#!/usr/bin/env bash
# afl_check.sh SOURCE_DIR: the AFL++ path a user takes, end to end: scripts/fuzz
# --engine afl configures the afl preset (afl-clang-fast++, libAFLDriver),
# builds a byte-seeded and a structured harness (whose text seeds the build
# encodes) and fuzzes each for a few seconds. Fails unless both runs end
# cleanly with a positive exec/s in the summary table.
set -uo pipefail
src=$1 seconds=${2:-5}
fail=0
for h in resp_reader command_handler; do
  log=$(mktemp)
  "$src/scripts/fuzz" "$h" --engine afl --time "$seconds" >"$log" 2>&1
  rc=$?
  row=$(grep -E "^$h +afl " "$log" | tail -1)
  execs=$(awk '{print $4}' <<<"$row")
  if [ "$rc" -eq 0 ] && [[ $execs =~ ^[0-9]+$ ]] && [ "$execs" -gt 0 ]; then
    echo "ok: $row"
  else
    echo "FAIL: scripts/fuzz $h --engine afl --time $seconds exited $rc; last lines:"
    tail -25 "$log"
    fail=1
  fi
  rm -f "$log"
done
[ "$fail" -eq 0 ]
