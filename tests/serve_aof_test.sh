#!/usr/bin/env bash
# serve_aof_test.sh RESPFUZZ: the append-only files of `respfuzz serve`
# beside redis-server 7.0.15's, each on a free loopback port in its own
# directory (stopped on every exit path). tests/aof_files.py compares the
# manifests, the incr files' commands (every replication scenario, the
# consumer groups' XCLAIM / XGROUP rewrites, redis.set_repl), the base files
# of BGREWRITEAOF without the RDB preamble, DEBUG LOADAOF's digests, and
# serve loading redis-server's AOF; then redis-server is started on serve's
# directory and must load serve's AOF to serve's digest. The same run with
# an intruding write on serve's side must fail (the check can fail).
set -uo pipefail
cli=$1
tmp=$(mktemp -d)
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/redis_server.sh"
trap 'stop_server; stop_ours; rm -rf "$tmp"' EXIT

fresh_pair() {
  stop_server
  stop_ours
  rm -rf "$tmp/ref" "$tmp/ours"
  mkdir -p "$tmp/ref" "$tmp/ours"
  start_server --enable-debug-command local --dir "$tmp/ref"
  start_ours "$cli" --bind 127.0.0.1 --enable-debug-command local --dir "$tmp/ours"
}

fresh_pair
PYTHONPATH=$here python3 "$here/aof_files.py" "$port" "$tmp/ref" "$ours_port" "$tmp/ours" || exit 1

# redis-server 7.0.15 loads serve's AOF when it starts.
want=$("$redis_cli_bin" -p "$ours_port" debug digest)
stop_server
start_server --enable-debug-command local --dir "$tmp/ours" --appendonly yes
got=$("$redis_cli_bin" -p "$port" debug digest)
if [ "$got" != "$want" ]; then
  echo "FAIL: redis-server loaded serve's AOF to digest $got, serve has $want"
  exit 1
fi
echo "ok: redis-server 7.0.15 loads serve's AOF (digest $got)"

# Can fail: one more key written on serve's side only.
fresh_pair
out=$(PYTHONPATH=$here python3 "$here/aof_files.py" --intrude "$port" "$tmp/ref" "$ours_port" "$tmp/ours")
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q "FAIL: incr files' commands differ" <<<"$out"; then
  echo "FAIL: an intruding write went unseen (exit $rc)"
  echo "$out"
  exit 1
fi
echo "ok: an intruding write on one side is seen"
