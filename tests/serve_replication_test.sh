#!/usr/bin/env bash
# serve_replication_test.sh RESPFUZZ: the replication stream of `respfuzz
# serve` beside redis-server 7.0.15's, each on a free loopback port (stopped
# on every exit path): tests/replication_stream.py attaches a SYNC replica to
# both, runs the same scenarios (strings, expiry, lists, blocked clients
# served, sorted sets, SPOP, HINCRBYFLOAT, GEOADD, MULTI/EXEC, scripts and
# functions, FLUSHALL / FLUSHDB / PUBLISH, keys expired lazily and actively,
# XADD's IDs and `~` trims, RESTORE) and compares the two streams command by
# command.
set -uo pipefail
cli=$1
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
trap 'stop_server; stop_ours; rm -rf "$tmp"' EXIT

start_server --enable-debug-command local
mkdir -p "$tmp/ours"
start_ours "$cli" --bind 127.0.0.1 --enable-debug-command local --dir "$tmp/ours"
python3 "$(dirname "${BASH_SOURCE[0]}")/replication_stream.py" "$port" "$ours_port"
