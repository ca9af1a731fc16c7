#!/usr/bin/env bash
# serve_aof_test.sh RESPFUZZ: the append-only files of `respfuzz serve`
# beside redis-server 7.0.15's, each on a free loopback port in its own
# directory (stopped on every exit path). tests/aof_files.py compares the
# manifests, the incr files' commands (every replication scenario, the
# consumer groups' XCLAIM / XGROUP rewrites, redis.set_repl), the base files
# of BGREWRITEAOF without the RDB preamble, DEBUG LOADAOF's digests, and
# serve loading redis-server's AOF; then redis-server is started on serve's
# directory and must load serve's AOF to serve's digest, and serve started
# with --appendonly yes on redis-server's directory must load its AOF; both
# started so on empty directories must write the same files. The same run
# with an intruding write on serve's side must fail (the check can fail).
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

# serve started with --appendonly yes on redis-server's directory loads
# redis-server's AOF to the digest redis-server starts with.
digest() { "$redis_cli_bin" -p "$1" debug digest; }
stop_server
stop_ours
start_server --enable-debug-command local --dir "$tmp/ref" --appendonly yes
want=$(digest "$port")
stop_server
start_ours "$cli" --bind 127.0.0.1 --enable-debug-command local --dir "$tmp/ref" --appendonly yes
got=$(digest "$ours_port")
if [ "$got" != "$want" ] || [ "$want" = 0000000000000000000000000000000000000000 ]; then
  echo "FAIL: serve --appendonly yes started on redis-server's AOF with digest $got, redis-server with $want"
  exit 1
fi
echo "ok: serve --appendonly yes starts from redis-server's AOF (digest $got)"

# Both started with --appendonly yes on empty directories: the same
# manifest; after the same writes the same incr file; each restarted on
# its own directory keeps its data.
stop_ours
rm -rf "$tmp/ref" "$tmp/ours"
mkdir -p "$tmp/ref" "$tmp/ours"
start_server --enable-debug-command local --dir "$tmp/ref" --appendonly yes
start_ours "$cli" --bind 127.0.0.1 --enable-debug-command local --dir "$tmp/ours" --appendonly yes
for p in "$port" "$ours_port"; do
  "$redis_cli_bin" -p "$p" set k v >/dev/null
  "$redis_cli_bin" -p "$p" rpush l a b c >/dev/null
  "$redis_cli_bin" -p "$p" -n 2 hset h f v >/dev/null
done
for f in appendonly.aof.manifest appendonly.aof.1.incr.aof; do
  if ! cmp -s "$tmp/ref/appendonlydir/$f" "$tmp/ours/appendonlydir/$f"; then
    echo "FAIL: $f differs after a start with --appendonly yes on an empty directory"
    exit 1
  fi
done
want=$(digest "$port")
stop_ours
start_ours "$cli" --bind 127.0.0.1 --enable-debug-command local --dir "$tmp/ours" --appendonly yes
got=$(digest "$ours_port")
if [ "$got" != "$want" ]; then
  echo "FAIL: serve restarted with --appendonly yes has digest $got, redis-server $want"
  exit 1
fi
echo "ok: from an empty directory the same manifest and incr file; serve restarted keeps its data"

# A manifest serve cannot read: one error line, exit 1.
stop_ours
echo "file appendonly.aof.1.base.rdb seq x type b" >"$tmp/ours/appendonlydir/appendonly.aof.manifest"
"$cli" serve --port 0 --dir "$tmp/ours" --appendonly yes >"$tmp/bad.log" 2>&1
rc=$?
if [ "$rc" -ne 1 ] || [ "$(wc -l <"$tmp/bad.log")" -ne 1 ]; then
  echo "FAIL: a bad manifest gave exit $rc and:"
  cat "$tmp/bad.log"
  exit 1
fi
echo "ok: a bad manifest: $(cat "$tmp/bad.log"), exit 1"

# Can fail: one more key written on serve's side only.
fresh_pair
expect_caught "an intruding write on one side" "FAIL: incr files' commands differ" \
  env PYTHONPATH="$here" python3 "$here/aof_files.py" --intrude "$port" "$tmp/ref" "$ours_port" "$tmp/ours"
