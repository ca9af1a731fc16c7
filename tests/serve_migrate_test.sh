#!/usr/bin/env bash
# serve_migrate_test.sh RESPFUZZ: MIGRATE between `respfuzz serve` and two
# redis-server 7.0.15 processes, each on a free loopback port (all stopped
# on every exit path). tests/migrate_check.py runs the same steps with
# redis-server on both ends, with serve as the source and with serve as the
# target, and compares every reply, both ends' digests and the source's
# replication stream. The same run with an intruding write on serve's side
# must fail (the check can fail).
set -uo pipefail
cli=$1
tmp=$(mktemp -d)
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/redis_server.sh"
dst_pid=""
stop_dst() {
  if [ -n "$dst_pid" ]; then
    pid=$dst_pid stop_server
    dst_pid=""
  fi
}
trap 'stop_server; stop_dst; stop_ours; rm -rf "$tmp"' EXIT

start_server --enable-debug-command local
dst_port=$port dst_pid=$pid
pid=""
start_server --enable-debug-command local
start_ours "$cli" --bind 127.0.0.1 --enable-debug-command local

PYTHONPATH=$here python3 "$here/migrate_check.py" "$port" "$dst_port" "$ours_port" || exit 1

# Can fail: one more key written on serve's side only.
expect_caught "an intruding write on one side" "FAIL: lane out" \
  env PYTHONPATH="$here" python3 "$here/migrate_check.py" --intrude "$port" "$dst_port" "$ours_port"
