#!/usr/bin/env bash
# busy_script_test.sh RESPFUZZ SOURCE_DIR: busy scripts (lua-time-limit /
# busy-reply-threshold, BUSY to other clients while a script runs past it,
# the allow-busy commands, MULTI/EXEC around the timeout, SCRIPT KILL and
# FUNCTION KILL, NOTBUSY, UNKILLABLE, the killed script's reply to its
# caller), driven the same way (tests/busy_script_compare.py) on Debian's
# redis-server 7.0.15 and on `respfuzz serve`, each on a free loopback port:
# the transcripts must be equal. Then the comparison must fail: against a
# redis-server whose FUNCTION command is renamed away, the transcript must
# differ. Every server is stopped on every exit path.
set -uo pipefail
cli=$1 src=$2
tmp=$(mktemp -d)
. "$src/tests/redis_server.sh"
. "$src/tests/checks.sh"
compare=$src/tests/busy_script_compare.py
trap 'stop_ours; stop_server; rm -rf "$tmp"' EXIT
start_ours "$cli"

# transcript PORT FILE: the scenarios' transcript, without its '=== PORT' line.
transcript() { timeout 90 python3 "$compare" "$1" | tail -n +2 >"$2"; }

start_server
transcript "$port" "$tmp/redis.txt"
stop_server
transcript "$ours_port" "$tmp/ours.txt"
stop_ours
if [ "$(wc -l <"$tmp/redis.txt")" -gt 50 ] && ! grep -q '^error:' "$tmp/redis.txt"; then
  ok "redis-server's transcript is whole ($(wc -l <"$tmp/redis.txt") lines)"
else
  bad "redis-server's transcript is short or failed:"
  cat "$tmp/redis.txt"
fi
if diff -u "$tmp/redis.txt" "$tmp/ours.txt" >"$tmp/diff"; then
  ok "respfuzz serve answers as redis-server 7.0.15"
else
  bad "respfuzz serve differs from redis-server 7.0.15:"
  cat "$tmp/diff"
fi

# The broken piece: FUNCTION renamed away, so FUNCTION LOAD / KILL / STATS
# answer differently; the comparison must see it.
start_server --rename-command FUNCTION ''
transcript "$port" "$tmp/broken.txt"
stop_server
if ! diff -q "$tmp/redis.txt" "$tmp/broken.txt" >/dev/null; then
  ok "a server without FUNCTION is told apart"
else
  bad "the comparison did not see a server without FUNCTION"
fi
finish busy-script
