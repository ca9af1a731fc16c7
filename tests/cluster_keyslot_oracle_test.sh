#!/usr/bin/env bash
# cluster_keyslot_oracle_test.sh SOURCE_DIR: every key slot vector of
# tests/fixtures/cluster/redis7015_keyslot.txt (what the models' and
# src/cluster's slot tests read) asked again of a real redis-server in cluster
# mode (Debian's 7.0.15, free loopback ports): each slot must be the recorded
# one. First the check must fail: a copy with one slot changed is reported,
# and a server not in cluster mode is refused. The servers are stopped on
# every exit path.
set -uo pipefail
src=$1
fixture=$src/tests/fixtures/cluster/redis7015_keyslot.txt
oracle=$src/tests/cluster_keyslot_oracle.py
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
trap 'stop_server; rm -rf "$tmp"' EXIT

start_cluster_server
echo "$(server_describe) in cluster mode on 127.0.0.1:$port"

# One slot changed (the vector of "foo", 12182): reported, exit 1.
grep -q '^666f6f 12182$' "$fixture" || { echo "FAIL: the fixture lacks the vector of foo"; exit 1; }
sed 's/^666f6f 12182$/666f6f 12183/' "$fixture" >"$tmp/wrong.txt"
out=$(python3 "$oracle" "$port" "$tmp/wrong.txt" 2>&1)
rc=$?
if [ "$rc" -ne 1 ] || ! grep -qx 'DIFFERS: key 666f6f: recorded slot 12183, the server says 12182' <<<"$out"; then
  echo "FAIL: a changed slot was not reported (exit $rc):"; echo "$out" | tail -5; exit 1
fi
echo "ok: a changed slot is reported"

out=$(python3 "$oracle" "$port" "$fixture" 2>&1)
rc=$?
echo "$out" | tail -3
[ "$rc" -eq 0 ] || { echo "FAIL: the server disagrees with the fixture (exit $rc)"; exit 1; }
n=$(grep -cv '^#' "$fixture")
grep -qx "$n vectors, $n agree, 0 differ" <<<"$out" || { echo "FAIL: not every vector was checked"; exit 1; }
stop_server

# A server not in cluster mode has no slots to compare with: usage error.
start_server
out=$(python3 "$oracle" "$port" "$fixture" 2>&1)
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q 'not in cluster mode' <<<"$out"; then
  echo "FAIL: a server not in cluster mode was not refused (exit $rc): $out"; exit 1
fi
echo "ok: a server not in cluster mode is refused"
