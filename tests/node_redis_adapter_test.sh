#!/usr/bin/env bash
# node_redis_adapter_test.sh RESPFUZZ SOURCE_DIR: installs the node-redis
# adapter (npm ci, tools/adapters/node-redis/install.sh) and runs both
# stale-read fuzzers against node-redis's client-side cache for a bounded
# number of iterations, on a redis-server of its own (a free loopback port,
# stopped on every exit path).
set -uo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
trap 'stop_server; rm -rf "$tmp"' EXIT
command -v node >/dev/null || { echo "FAIL: node not found (scripts/setup installs it)"; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "FAIL: node-redis 6 needs Node.js 20 or later, found $(node --version)"; exit 1; }
"$src/tools/adapters/node-redis/install.sh" || { echo "FAIL: npm ci of the adapter failed"; exit 1; }
adapter="node $src/tools/adapters/node-redis/adapter.js"
pass=0 fail=0
run() {  # run NAME WANT COMMAND...
  local name=$1 want=$2
  shift 2
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); echo "ok $name: $(tail -1 <<<"$out")"; else
    fail=$((fail + 1)); echo "FAIL $name: exit $got, expected $want"; echo "$out" | tail -30; fi
}

start_server
srv="127.0.0.1:$port"
run kill-fuzzer 0 "$bin" kill-fuzzer --server "$srv" --adapter "$adapter" --seed 1 --iterations 40 \
  --failure-log "$tmp"
run cache-fuzzer 0 "$bin" cache-fuzzer --server "$srv" --adapter "$adapter" --seed 1 \
  --iterations 1500 --kill 2 --flush 1 --failure-log "$tmp"
if grep -qF 'node-redis 6.' <<<"$out"; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL: the client is not named node-redis 6.x"; fi
# node-redis caches over RESP3 only: the adapter refuses RESP2, exit 2.
run refuses-resp2 2 "$bin" cache-fuzzer --server "$srv" --adapter "$adapter" --resp 2 --iterations 1
if pgrep -f "tools/adapters/node-redis/adapter.js" | grep -q .; then
  fail=$((fail + 1)); echo "FAIL: an adapter process was left running"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
