#!/usr/bin/env bash
# serve_replica_test.sh RESPFUZZ: redis-server 7.0.15 as a replica of
# `respfuzz serve` (REPLICAOF: PING, REPLCONF listening-port / capa, PSYNC,
# the RDB, then the stream and REPLCONF ACKs), each on a free loopback port
# (stopped on every exit path). tests/replica_follows.py runs every
# replication scenario on serve: WAIT must count the replica and the
# replica's DEBUG DIGEST must come to serve's. Then INFO replication and ROLE
# must show the replica's announced port and acknowledged offset. The same
# run with one write the stream does not carry must fail (the check can
# fail).
set -uo pipefail
cli=$1
tmp=$(mktemp -d)
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/redis_server.sh"
trap 'stop_server; stop_ours; rm -rf "$tmp"' EXIT

pair() {
  stop_server
  stop_ours
  rm -rf "$tmp/ours"
  mkdir -p "$tmp/ours"
  start_ours "$cli" --bind 127.0.0.1 --enable-debug-command local --dir "$tmp/ours"
  start_server --enable-debug-command local --replicaof 127.0.0.1 "$ours_port"
  for _ in $(seq 100); do
    "$redis_cli_bin" -p "$port" info replication | grep -q '^master_link_status:up' && return 0
    sleep 0.1
  done
  echo "FAIL: the replica never linked to serve"
  exit 1
}

pair
PYTHONPATH=$here python3 "$here/replica_follows.py" "$ours_port" "$port" || exit 1
info=$("$redis_cli_bin" -p "$ours_port" info replication | tr -d '\r')
grep -q "^slave0:ip=127.0.0.1,port=$port,state=online,offset=[1-9][0-9]*,lag=[0-9]*$" <<<"$info" || {
  echo "FAIL: INFO replication does not show the replica:"
  echo "$info"
  exit 1
}
role=$("$redis_cli_bin" -p "$ours_port" role | tr '\n' ' ')
grep -q "^master [0-9]* 127.0.0.1 $port [0-9]* $" <<<"$role" || {
  echo "FAIL: ROLE: $role"
  exit 1
}
echo "ok: INFO replication and ROLE show the replica (port $port)"

# Can fail: a write the stream does not carry.
pair
expect_caught "a write missing from the stream" "the replica's digest" \
  env PYTHONPATH="$here" python3 "$here/replica_follows.py" --miss "$ours_port" "$port"
