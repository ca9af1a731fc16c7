#!/usr/bin/env bash
# real_clients_test.sh RESPFUZZ HIREDIS014_CLIENT HIREDIS12_CLIENT: the
# clients people use, run against redis-server 7.0.15 and against
# `respfuzz serve` (both on free loopback ports, started and stopped here),
# each client's transcript against ours equal to its transcript against the
# real server:
#   hiredis 0.14.1 (Debian's) and hiredis 1.2.0 (RESP3, an invalidation push)
#     through tests/real_clients/hiredis_client.cc;
#   node-redis 6.3.1 (RESP2 and RESP3) and ioredis 6.0.0 from the npm
#     registry (tests/real_clients/node, installed by scripts/setup);
#   redis-cli --scan, redis-cli --stat (its first lines' columns), and
#   redis-benchmark's default suite (every test ends, no error).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
. "$here/../checks.sh"
header_help "$@"
[ $# -eq 3 ] || { echo "usage: real_clients_test.sh RESPFUZZ HIREDIS014_CLIENT HIREDIS12_CLIENT" >&2; exit 2; }
respfuzz=$1 hc014=$2 hc12=$3
tmp=$(mktemp -d)
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
  fi
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$here/../redis_server.sh"
"$here/../../scripts/npm-ci" "$here/node" || { echo "FAIL: npm ci of tests/real_clients/node"; exit 1; }

start_server || { echo "FAIL: redis-server did not start"; exit 1; }
real=$port
"$respfuzz" serve --port 0 2>"$tmp/serve.err" &
serve_pid=$!
ours=
for _ in $(seq 200); do
  ours=$(sed -n 's/^respfuzz serve: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/serve.err" 2>/dev/null)
  [ -n "$ours" ] && break
  sleep 0.05
done
[ -n "$ours" ] || { echo "FAIL: respfuzz serve did not start:"; cat "$tmp/serve.err"; exit 1; }

# same NAME COMMAND...: COMMAND PORT against both servers (at most 20 s
# each; a shell function of this script bounds itself), exit 0 and equal
# output.
same() {
  local name=$1 rc1 rc2 bound=(timeout 20)
  shift
  declare -F "$1" >/dev/null && bound=()
  "${bound[@]}" "$@" "$real" >"$tmp/$name.real" 2>&1
  rc1=$?
  "${bound[@]}" "$@" "$ours" >"$tmp/$name.ours" 2>&1
  rc2=$?
  if [ $rc1 -ne 0 ]; then
    bad "$name: exit $rc1 against redis-server: $(tail -3 "$tmp/$name.real")"
  elif [ $rc2 -ne 0 ]; then
    bad "$name: exit $rc2 against respfuzz serve: $(tail -3 "$tmp/$name.ours")"
  elif ! diff -u "$tmp/$name.real" "$tmp/$name.ours" >"$tmp/$name.diff"; then
    bad "$name: transcripts differ (redis-server -, respfuzz serve +):"
    cat "$tmp/$name.diff" >&2
  else
    ok "$name ($(wc -l <"$tmp/$name.real") lines alike)"
  fi
}

same hiredis-0.14 "$hc014"
same hiredis-1.2 "$hc12"
same node-redis node "$here/node/clients.js" node-redis
same node-redis-resp3 node "$here/node/clients.js" node-redis-resp3
same ioredis node "$here/node/clients.js" ioredis

# redis-cli --scan over the keys the clients left (the sorted lists).
scan() { timeout 10 redis-cli -h 127.0.0.1 -p "$1" --scan --pattern 'scan:*' | sort; }
same redis-cli-scan scan

# redis-cli --stat: the first sample's columns (keys, mem, clients, blocked,
# requests, connections); only the key count is compared, the rest must be
# numbers (memory is a figure of its own per server).
stat() {
  local out
  out=$(timeout 2 stdbuf -oL redis-cli -h 127.0.0.1 -p "$1" --stat -i 0.2 2>&1)
  sed -n 3p <<<"$out" | grep -q . ||
    { echo "no sample: $out"; return 1; }
  sed -n 3p <<<"$out" |
    awk '{ ok = ($1 ~ /^[0-9]+$/) && ($3 ~ /^[0-9]+$/) && ($4 ~ /^[0-9]+$/); print "keys", $1, (ok ? "numbers" : "not numbers: " $0) }'
}
same redis-cli-stat stat

# redis-benchmark's default suite, small: every test's name in order, and
# no error line.
bench() {
  timeout 60 redis-benchmark -h 127.0.0.1 -p "$1" -n 300 -c 4 -q 2>&1 | tr '\r' '\n' |
    sed -n 's/^\([A-Z_0-9 ()a-z]*\): [0-9.]* requests per second.*/\1/p; /ERR/p; /rror/p'
}
same redis-benchmark bench

finish real_clients_test
