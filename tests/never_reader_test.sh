#!/usr/bin/env bash
# never_reader_test.sh RESPFUZZ ROOT: bench/never_reader.py's plumbing, not
# its figures: --help, one error line and exit 2 on each bad input, a short
# run with its report, and SIGINT in the middle of a run stopping the server.
set -uo pipefail
bin=$1
root=$2
script=$root/bench/never_reader.py
tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
. "$root/tests/checks.sh"

"$script" --help >"$tmp/out" 2>&1 && grep -q '^usage: bench/never_reader.py' "$tmp/out" && ok ||
  bad "--help"

# expect_usage NAME ARGS...: exit 2, exactly one 'never_reader: ' line on
# stderr, nothing on stdout.
expect_usage() {
  local name=$1
  shift
  expect_usage_of 'never_reader: ' "$name" "$script" --bin "$bin" "$@" && ok
}
expect_usage unknown --verbose
expect_usage needs-value --seconds
expect_usage zero-seconds --seconds 0
expect_usage too-long --seconds 61
expect_usage text-batch --batch many
expect_usage bad-target --target memcached
expect_usage no-such-bin --bin "$tmp/nothing"

# A short run: the report's four lines, and the server gone afterwards.
if "$script" --bin "$bin" --seconds 1 --value-size 65536 --batch 16 >"$tmp/out" 2>"$tmp/err"; then
  if grep -q '^respfuzz serve (.*): a 65536-byte value, GETs in batches of 16, ' "$tmp/out" &&
    grep -Eq '^PING: [0-9]+ replies, median [0-9.]+ ms, p90 [0-9.]+ ms, max [0-9.]+ ms$' "$tmp/out" &&
    grep -Eq '^hostile client: [0-9]+ cuts seen, [0-9]+ request bytes sent$' "$tmp/out" &&
    grep -Eq '^server: peak RSS [0-9]+ MiB \([0-9]+ MiB at start\), CPU [0-9.]+ s, [0-9]+ minor page faults$' "$tmp/out"; then
    ok
  else
    bad "short run: unexpected report:"
    cat "$tmp/out"
  fi
else
  bad "short run failed:"
  cat "$tmp/err"
fi

# Ctrl-C (SIGINT to the process group) in the middle: exit 130 and no server
# left behind.
set -m
"$script" --bin "$bin" --seconds 30 --value-size 65536 >"$tmp/out" 2>"$tmp/err" &
runner=$!
set +m
sleep 2
server=$(pgrep -P "$runner" -f "serve --port" | head -1)
kill -INT -- "-$runner"
wait "$runner"
rc=$?
sleep 0.5
if [ "$rc" -eq 130 ] && [ -n "$server" ] && ! kill -0 "$server" 2>/dev/null; then
  ok
else
  bad "SIGINT: exit $rc, server pid '${server}' $(kill -0 "$server" 2>/dev/null && echo still running)"
fi

finish never_reader_test
