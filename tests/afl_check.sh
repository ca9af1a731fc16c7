#!/usr/bin/env bash
# afl_check.sh SOURCE_DIR: the AFL++ path a user takes, end to end: scripts/fuzz
# --engine afl configures the afl preset (afl-clang-fast++, libAFLDriver),
# builds a byte-seeded and a structured harness (whose text seeds the build
# encodes) and fuzzes each for a few seconds. resp_reader runs with its CmpLog
# twin from the afl-cmplog preset (the default), cluster_routing with
# --no-cmplog (one CmpLog build is enough to keep that path working).
# cluster_routing is the structured harness that builds fastest: it links no
# engine, which would take this check (both cores) about 50 s longer. Fails
# unless both runs end cleanly with a positive exec/s in the summary table,
# and afl-fuzz was given the CmpLog binary exactly when it should have been.
set -uo pipefail
src=$1 seconds=${2:-5}
fail=0
# --no-cmplog is an AFL++ option: with libFuzzer it is a usage error (exit 2,
# one line), before anything is built.
out=$("$src/scripts/fuzz" resp_reader --no-cmplog 2>&1)
rc=$?
if [ "$rc" -ne 2 ] || [ "$(wc -l <<<"$out")" -ne 1 ] || [[ $out != *"--no-cmplog only applies to --engine afl"* ]]; then
  echo "FAIL: scripts/fuzz resp_reader --no-cmplog: exit $rc, output: $out"
  fail=1
fi
for h in resp_reader cluster_routing; do
  log=$(mktemp)
  flags=()
  [ "$h" = cluster_routing ] && flags=(--no-cmplog)
  "$src/scripts/fuzz" "$h" --engine afl --time "$seconds" ${flags[@]+"${flags[@]}"} >"$log" 2>&1
  rc=$?
  # afl-fuzz records its own command line in fuzzer_stats.
  stats="$src/build/afl/fuzz-out/$h/default/fuzzer_stats"
  cmplog_bin="$src/build/afl-cmplog/harnesses/$h"
  if [ "$h" = resp_reader ]; then
    if ! grep -q -- "-c $cmplog_bin" "$stats" 2>/dev/null || [ ! -x "$cmplog_bin" ]; then
      echo "FAIL: $h ran without its CmpLog binary ($cmplog_bin); command line: $(grep command_line "$stats" 2>/dev/null)"
      fail=1
    elif ! grep -qa "Cmplog forkserver successfully started" "$src/build/afl/fuzz-out/$h/last-run.log"; then
      echo "FAIL: afl-fuzz did not start the CmpLog forkserver for $h (see build/afl/fuzz-out/$h/last-run.log)"
      fail=1
    fi
  elif grep -q -- " -c " "$stats" 2>/dev/null; then
    echo "FAIL: $h was given a CmpLog binary despite --no-cmplog: $(grep command_line "$stats")"
    fail=1
  fi
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
