#!/usr/bin/env bash
# stale_fuzzers_test.sh RESPFUZZ [--target NAME]: `respfuzz cmd`,
# `cache-adapter`, `kill-fuzzer` and `cache-fuzzer` against a real server
# (scripts/server-target's NAME, default redis-7.0: Debian's redis-server
# 7.0.15; a free loopback port, stopped on every exit path): bounded runs with our
# ClientCache pass, and a cache with a planted bug (invalidations ignored,
# entries kept across a reconnect) is caught, exit 1 with a valid JSON
# failure log.
set -uo pipefail
bin=$1
shift
server_target=""
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
parse_target_args "$@"
trap 'stop_server; rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect CODE NAME -- COMMAND...: runs COMMAND, keeps stdout+stderr in $out.
expect() {
  local want=$1 name=$2
  shift 3
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $name: exit $got, expected $want"; echo "$out" | tail -20; fi
}
contains() {
  if grep -qF -- "$2" <<<"$out"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: output lacks '$2'"; echo "$out" | tail -20; fi
}
# valid_log NAME FILE: a JSON failure log with stale data and steps.
valid_log() {
  if python3 - "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stale"] is True and d["finding"], d.get("finding")
assert d["steps"], "no steps"
for s in d["steps"]:
    assert {"t_ms", "iteration", "action", "client", "args", "response", "source"} <= s.keys(), s
assert any(s["source"] == "cache" for s in d["steps"]), "no read from the cache"
PY
  then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: $2 is not a valid failure log"; fi
}

start_server
srv="127.0.0.1:$port"
echo "$(server_describe) on $srv"

# cmd
expect 0 cmd-set -- "$bin" cmd --server "$srv" SET greeting hello
contains cmd-set 'simple("OK")  (from server)'
expect 0 cmd-cached -- "$bin" cmd --server "$srv" --cached --resp3 --repeat 2 GET greeting
contains cmd-cached '"hello"  (from cache)'
expect 0 cmd-cached-resp2 -- "$bin" cmd --server "$srv" --cached --repeat 2 HGETALL nokey
contains cmd-cached-resp2 '[]  (from cache)'
expect 1 cmd-error-reply -- "$bin" cmd --server "$srv" INCR greeting
expect 2 cmd-refused -- "$bin" cmd --server "127.0.0.1:1" GET k
expect 2 cmd-owned -- "$bin" cmd --server "$srv" --cached CLIENT TRACKING off

# The adapter protocol, served by our ClientCache.
out=$(printf '%s\n' '{"id":1,"op":"call","args":["GET","k"]}' \
  "{\"id\":2,\"op\":\"connect\",\"host\":\"127.0.0.1\",\"port\":$port,\"resp\":3,\"mode\":\"default\"}" \
  '{"id":3,"op":"call","args":["SET","k","v"]}' '{"id":4,"op":"call","args":["GET","k"]}' \
  '{"id":5,"op":"call","args":["GET","k"]}' '{"id":6,"op":"multi","commands":[["DEL","k"],["RPUSH","k","a"]]}' \
  '{"id":7,"op":"client_ids"}' '{"id":8,"op":"frobnicate"}' 'not json' '{"id":9,"op":"quit"}' \
  | "$bin" cache-adapter)
python3 - "$out" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL adapter-protocol:"; echo "$out"; }
import json, sys
r = [json.loads(l) for l in sys.argv[1].splitlines()]
assert [x.get("id") for x in r] == [1, 2, 3, 4, 5, 6, 7, 8, None, 9], r
assert r[0]["ok"] is False and "not connected" in r[0]["error"]
assert r[1]["ok"] and "ClientCache" in r[1]["client"]
assert r[3] == {"id": 4, "ok": True, "reply": "v", "cached": False}, r[3]
assert r[4] == {"id": 5, "ok": True, "reply": "v", "cached": True}, r[4]
assert [x["reply"] for x in r[5]["replies"]] == [1, 1], r[5]
assert r[6]["ok"] and len(r[6]["ids"]) == 1
assert r[7]["ok"] is False and r[8]["ok"] is False
assert r[9]["ok"]
PY

# Bounded runs with the real cache: no stale read.
expect 0 kill-resp3 -- "$bin" kill-fuzzer --server "$srv" --seed 1 --iterations 40
contains kill-resp3 'kill-fuzzer: no stale read: 40 iterations'
expect 0 kill-resp2 -- "$bin" kill-fuzzer --server "$srv" --seed 2 --iterations 25 --resp 2 --noloop
expect 0 kill-process -- "$bin" kill-fuzzer --server "$srv" --seed 3 --iterations 8 --kill-mode process --signal TERM
contains kill-process '8 kills'
expect 0 kill-optin -- "$bin" kill-fuzzer --server "$srv" --seed 4 --iterations 20 --mode optin --writers second-client
expect 0 cache-resp3 -- "$bin" cache-fuzzer --server "$srv" --seed 1 --iterations 1500 --kill 2 --flush 1
contains cache-resp3 'cache-fuzzer: no stale read: 1500 iterations'
expect 0 cache-resp2-bcast -- "$bin" cache-fuzzer --server "$srv" --seed 2 --iterations 800 --kill 2 --flush 1 --resp 2 --mode bcast --prefix respfuzz:
expect 0 cache-list -- "$bin" cache-fuzzer --list-commands
contains cache-list 'swapdb (not in the default --types):'

# A cache that ignores invalidations is caught, within a bounded run.
expect 1 kill-broken -- "$bin" kill-fuzzer --server "$srv" --seed 1 --iterations 30 --kill-mode none \
  --writers second-client --grace-period 200 --bug ignore-invalidations --failure-log "$tmp/kill.json"
contains kill-broken 'STALE stale read at iteration 0:'
contains kill-broken "failure log: $tmp/kill.json"
valid_log kill-broken "$tmp/kill.json"
mkdir "$tmp/logs"
expect 1 cache-broken -- "$bin" cache-fuzzer --server "$srv" --seed 1 --iterations 3000 \
  --grace-period 200 --bug ignore-invalidations --failure-log "$tmp/logs" --show-last 5
contains cache-broken 'STALE stale read at iteration'
contains cache-broken 'last steps:'
log=$(ls "$tmp"/logs/cache-fuzzer-seed1-*.json 2>/dev/null | head -1)
valid_log cache-broken "${log:-$tmp/logs/missing.json}"
# Entries kept across a reconnect: the kill makes the cache reconnect, and the
# new connection was never told about the key.
expect 1 kill-keeps-cache -- "$bin" kill-fuzzer --server "$srv" --seed 1 --iterations 30 \
  --writers second-client --grace-period 200 --bug keep-on-disconnect
contains kill-keeps-cache 'STALE'

# Usage errors: one line, exit 2.
expect 2 bad-types -- "$bin" cache-fuzzer --server "$srv" --types string,nope
contains bad-types "unknown type 'nope'"
expect 2 bad-percent -- "$bin" cache-fuzzer --server "$srv" --kill 60 --flush 50
expect 2 not-loopback -- "$bin" kill-fuzzer --server 192.0.2.1:6379
contains not-loopback 'not a loopback address'
expect 2 bad-writer -- "$bin" kill-fuzzer --server "$srv" --writers plain,carrier-pigeon
expect 2 bad-signal -- "$bin" kill-fuzzer --server "$srv" --signal NOPE
expect 2 bad-prefix -- "$bin" kill-fuzzer --server "$srv" --prefix a
contains bad-prefix 'prefixes need the bcast mode'
expect 2 no-server -- "$bin" kill-fuzzer --server "127.0.0.1:1" --iterations 1
expect 2 bug-with-adapter -- "$bin" cache-fuzzer --server "$srv" --adapter cat --bug ignore-invalidations

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
