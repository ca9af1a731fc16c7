#!/usr/bin/env bash
# reload_merge_blocked_stream.sh SOURCE_DIR: a redis-server 7.0.15 abort,
# replayed on every server target. A client waits on a stream (XREAD BLOCK
# 0 on st), another sends DEBUG RELOAD NOFLUSH MERGE: 7.0.15 loads st again
# over the st it holds, deletes the old one through a key object on the
# stack, and the waiting reader makes it keep that object: "Guru
# Meditation: You tried to retain an object allocated in the stack". redis
# 8.0.6 and valkey 9.1.2 answer +OK and go on. Found by `respfuzz oracle
# command_handler` over a command_handler campaign corpus (2026-11-28).
# Expected: the abort on redis-7.0, +OK and a live server on the others, so
# a fixed or newly broken server fails the test. Each server runs on a free
# loopback port and is stopped on every exit path.
set -uo pipefail
src=$1
# shellcheck source=tests/findings/each_target.sh
. "$src/tests/findings/each_target.sh"
server_args="--enable-debug-command local"
reader=""
finding_cleanup() { [ -n "$reader" ] && kill "$reader" 2>/dev/null; }
check() {
  local target=$1 cli got alive
  cli=$("$src/scripts/server-target" --cli "$target") || exit 2
  "$cli" -p "$port" XADD st '*' f v >/dev/null || { echo "FAIL: $target: XADD"; exit 1; }
  "$cli" -p "$port" XREAD BLOCK 0 STREAMS st '$' >/dev/null 2>&1 &
  reader=$!
  # The reader is blocked once the server counts it.
  for _ in $(seq 50); do
    [ "$("$cli" -p "$port" INFO clients | tr -d '\r' | sed -n 's/^blocked_clients://p')" = 1 ] && break
    sleep 0.1
  done
  got=$("$cli" -p "$port" DEBUG RELOAD NOFLUSH MERGE 2>&1)
  sleep 0.2
  alive=$("$cli" -p "$port" PING 2>&1)
  if [ "$target" = redis-7.0 ]; then
    if [ "$alive" = PONG ] || ! grep -q "retain an object allocated in the stack" "$tmp"/*.log; then
      echo "FAIL: $target: no abort (DEBUG RELOAD: $got; PING: $alive)"; exit 1
    fi
    echo "ok: $target aborts: $(grep -ho 'Guru Meditation: .*' "$tmp"/*.log | head -1)"
  else
    if [ "$got" != OK ] || [ "$alive" != PONG ]; then
      echo "FAIL: $target: DEBUG RELOAD answered '$got', PING '$alive'"; exit 1
    fi
    echo "ok: $target answers OK and stays up"
  fi
}
each_target "$src" check
