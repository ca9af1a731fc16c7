#!/usr/bin/env bash
# oracle_test.sh RESPFUZZ SOURCE_DIR: starts redis-server (Debian's 7.0) on a
# free loopback port, runs `respfuzz oracle command_handler` over the committed
# seeds and frozen regressions, and requires every compared op to agree. The
# server is stopped on every exit path.
set -uo pipefail
cli=$1 src=$2
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
trap 'stop_server; rm -rf "$tmp"' EXIT

# The oracle can fail: against a server whose ECHO is disabled, the seed that
# sends ECHO must come out as a divergence (exit 1).
start_server --enable-debug-command local --rename-command ECHO ""
out=$("$cli" oracle command_handler --server "127.0.0.1:$port" "$src/corpus/command_handler/connection.txt")
rc=$?
stop_server
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* s1 ECHO" <<<"$out"; then
  echo "FAIL: the oracle did not report the disabled ECHO (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: a server without ECHO is reported as a divergence"

start_server --enable-debug-command local
echo "redis-server $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port"

inputs=("$src/corpus/command_handler")
[ -d "$src/tests/regressions/command_handler" ] && inputs+=("$src/tests/regressions/command_handler")
"$cli" oracle command_handler --server "127.0.0.1:$port" --json "$tmp/report.json" "${inputs[@]}"
rc=$?
if [ "$rc" -ne 0 ]; then echo "FAIL: oracle exit $rc"; exit 1; fi
python3 - "$tmp/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["compared"] > 0, "nothing was compared"
assert r["agreement_percent"] == 100.0 and not r["divergences"], r["divergences"][:3]
print(f"oracle: {r['programs']} programs, {r['compared']} ops compared, 100% agreement, "
      f"{len(r['excluded'])} excluded")
PY

# A slow server must not make a false divergence. The server is stopped for
# 2 s while the oracle sleeps out `clock +1000ms`, so its GET runs after k1
# has expired on the server (1.5 s) while the engine, at the time the op
# started, still has it. The op took over a second: the oracle must measure
# that and exclude the op as an expiry race, not report the two replies.
cat >"$tmp/slow.txt" <<'PROG'
s1 SET k1 v PX 1500
clock +1000ms
s1 GET k1
PROG
"$cli" oracle command_handler --server "127.0.0.1:$port" --json "$tmp/slow.json" "$tmp/slow.txt" \
  >"$tmp/slow.out" 2>&1 &
oracle=$!
for _ in $(seq 200); do
  [ "$(redis-cli -p "$port" exists k1 2>/dev/null)" = 1 ] && break
  sleep 0.01
done
kill -STOP "$pid"
sleep 2
kill -CONT "$pid"
wait "$oracle"
rc=$?
if [ "$rc" -ne 0 ]; then echo "FAIL: the slow server made the oracle exit $rc:"; cat "$tmp/slow.out"; exit 1; fi
python3 - "$tmp/slow.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
races = [e for e in r["excluded"] if e["category"] == "expiry-race" and "GET k1" in e["op"]]
assert not r["divergences"] and races, (r["divergences"], r["excluded"])
print("ok: an op the stopped server ran after the key's expiry is excluded:", races[0]["reason"])
PY
