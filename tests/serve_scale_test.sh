#!/usr/bin/env bash
# serve_scale_test.sh RESPFUZZ ROOT: bench/serve_scale.sh's plumbing, not its
# figures: --help, one error line and exit 2 on each bad input (and no
# Markdown file), a tiny run through every part with its tables, and Ctrl-C
# (SIGINT to its process group) in the middle of a fill stopping both servers.
set -uo pipefail
bin=$1
root=$2
script=$root/bench/serve_scale.sh
tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
. "$root/tests/checks.sh"

"$script" --help >"$tmp/out" 2>&1 && grep -q '^usage: bench/serve_scale.sh' "$tmp/out" && ok ||
  bad "--help"

# expect_usage NAME ARGS...: exit 2, exactly one 'serve_scale: ' line on
# stderr, nothing on stdout, no Markdown file.
expect_usage() {
  local name=$1
  shift
  rm -f "$tmp/t.md"
  expect_usage_of 'serve_scale: ' "$name" "$script" --bin "$bin" --markdown "$tmp/t.md" "$@" ||
    return
  [ ! -e "$tmp/t.md" ] && ok || bad "$name: wrote $tmp/t.md"
}
expect_usage unknown --verbose
expect_usage needs-value -n
expect_usage zero-connections --connections 0
expect_usage empty-item --connections 1,,2
expect_usage leading-zero --keyspaces 010
expect_usage too-big --keyspaces 1234567890
expect_usage text-count -n many
expect_usage bad-test --tests set,del
expect_usage bad-part --parts keyspace,cpu
expect_usage bad-memory --memory 1000
expect_usage zero-memory --memory 0:10
expect_usage requests-below-connections -n 10 --connections 1,50
expect_usage no-such-bin --bin "$tmp/nothing"
expect_usage unknown-target --target redis-6.2
RESPFUZZ_TARGETS_CACHE=$tmp/empty-cache expect_usage target-not-built --target valkey-9.1
expect_usage markdown-dir --markdown "$tmp/no/such/dir/t.md"

# A tiny run through every part: the tables, one row per cell.
if "$script" --bin "$bin" --connections 1,3 --keyspaces 20 --value-sizes 100 --value-keyspace 30 \
  --memory 2000:10 -n 300 --rounds 2 --timeout 60 --markdown "$tmp/t.md" >"$tmp/out" 2>"$tmp/err"; then
  ok
else
  bad "tiny run failed:"
  cat "$tmp/err"
fi
rows() { grep -cE "$1" "$tmp/t.md"; }
[ "$(rows '^\| (SET|GET) \| [13] \| 20 \| 1 KB \|')" -eq 4 ] && ok || bad "keyspace rows"
[ "$(rows '^\| (SET|GET) \| [13] \| 30 \| 100 B \|')" -eq 4 ] && ok || bad "values rows"
[ "$(rows '^\| 2k \| 10 B \| [0-9.]+ \| [0-9.]+ \| [0-9.]+x \|')" -eq 1 ] && ok || bad "memory row"
grep -qF -- "- Command: \`bench/serve_scale.sh --bin $bin --connections 1,3" "$tmp/t.md" && ok ||
  bad "the command line"
# Every rate in the throughput rows is positive.
if awk -F'|' '/^\| (SET|GET) / && !($6 + 0 > 0 && $7 + 0 > 0) { bad = 1 } END { exit bad }' \
  "$tmp/t.md"; then ok; else bad "a zero rate"; fi
grep -q 'cell(s) miss the goal' "$tmp/out" && ok || bad "summary line"
cp "$tmp/t.md" "$tmp/t.md.ok" 2>/dev/null

# servers_gone NAME: both servers of the last run ($tmp/err's "servers:"
# line) have exited.
servers_gone() {
  local servers p
  servers=$(sed -n 's/^servers: [^,]* pid \([0-9]*\) port [0-9]*, respfuzz serve pid \([0-9]*\) .*/\1 \2/p' \
    "$tmp/err")
  [ -n "$servers" ] && ok || bad "$1: no servers line"
  for p in $servers; do
    if kill -0 "$p" 2>/dev/null; then
      bad "$1: server pid $p still runs"
      kill -KILL "$p" 2>/dev/null
    else
      ok
    fi
  done
}
# start_bg ARGS...: the script in the background, in its own process group
# (job control, as a terminal would), once it has started a fill.
start_bg() {
  # The last run's files go first: the wait below must not see its 'filling'
  # line and signal the new process before the script has even started.
  # Until its exec, the background child is a copy of this shell, so it
  # drops this shell's traps (an EXIT trap run there would delete $tmp).
  rm -f "$tmp/out" "$tmp/err"
  set -m
  (
    trap - EXIT INT TERM
    exec "$script" --bin "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  ) &
  pid=$!
  set +m
  # Up to 60 s: on a loaded machine (ctest -j2 beside a fuzz run) the script
  # took more than the 10 s this used to wait, and a signal sent before its
  # traps are set ends it with 143, not 130.
  for _ in $(seq 1200); do
    grep -qs 'filling' "$tmp/err" && break
    sleep 0.05
  done
}

# Ctrl-C (SIGINT to the process group) during a fill: exit 130, both servers gone.
start_bg --parts memory --memory 5000000:10
kill -INT -- "-$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && ok || bad "Ctrl-C: exit $rc"
servers_gone Ctrl-C
# SIGTERM to the script alone (the servers get no signal): it stops them.
start_bg --parts memory --memory 200000:10
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && ok || bad "SIGTERM: exit $rc"
servers_gone SIGTERM
# A fill past --timeout: one error line, exit 1, both servers stopped.
"$script" --bin "$bin" --parts memory --memory 5000000:10 --timeout 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q '^serve_scale: filling 5000000 keys of 10 bytes .* (exit 124)' "$tmp/err" &&
  ok || bad "timeout: exit $rc, $(tail -1 "$tmp/err")"
servers_gone timeout

finish serve_scale_test
