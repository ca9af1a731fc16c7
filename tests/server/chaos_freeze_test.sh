#!/usr/bin/env bash
# chaos_freeze_test.sh RESPFUZZ CHAOS_TESTS: real-socket chaos runs write their
# event logs (RESPFUZZ_CHAOS_LOG_DIR); each log is a connection program that
# `respfuzz run connection` replays on the simulated transport and passes, and
# that `respfuzz freeze connection` refuses to freeze (exit 1, nothing
# written) because it does not fail there. The planted failure that does
# freeze is ChaosLogs.ARealRunsLogReplaysAndAPlantedFailureFreezes.
set -uo pipefail
respfuzz=$1 chaos=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkdir -p "$tmp/logs" "$tmp/root/tests/regressions"
RESPFUZZ_CHAOS_LOG_DIR=$tmp/logs "$chaos" \
  --gtest_filter='ChaosLogs.ARealRun*:Peers/Chaos.ConnectionStorm/Fork:Peers/Chaos.HardResetMidWrite/Thread' \
  >"$tmp/chaos.out" 2>&1 || { fail "the chaos tests failed"; tail -30 "$tmp/chaos.out"; }
n=0
for log in "$tmp/logs"/*.txt; do
  [ -e "$log" ] || continue
  n=$((n + 1))
  name=$(basename "$log")
  grep -q '^c[0-7] connect$' "$log" || fail "$name records no connect"
  "$respfuzz" run connection "$log" >"$tmp/run.out" 2>&1
  rc=$?
  [ "$rc" = 0 ] && grep -q "1 inputs, 1 passed, 0 failed" "$tmp/run.out" ||
    { fail "run connection $name: exit $rc"; tail -20 "$tmp/run.out"; }
  "$respfuzz" freeze connection "$log" --name real-run --root "$tmp/root" >"$tmp/freeze.out" 2>&1
  rc=$?
  [ "$rc" = 1 ] && grep -q "passes every check of connection; nothing to minimize" "$tmp/freeze.out" ||
    { fail "freeze connection $name: exit $rc, want 1"; cat "$tmp/freeze.out"; }
done
[ "$n" = 3 ] || fail "$n event logs written, want 3: $(ls "$tmp/logs")"
grep -q '^# [0-9]* more client actions not recorded' "$tmp/logs/Peers_Chaos.ConnectionStorm_Fork.txt" ||
  fail "the storm's log is not capped"
[ -z "$(ls "$tmp/root/tests/regressions")" ] || fail "freeze wrote $(ls -R "$tmp/root/tests/regressions")"

[ "$fails" = 0 ] && echo PASS || { echo "$fails failures"; exit 1; }
