#!/usr/bin/env bash
# oracle_test.sh RESPFUZZ SOURCE_DIR: starts redis-server (Debian's 7.0) on a
# free loopback port, runs `respfuzz oracle command_handler` over the committed
# seeds and frozen regressions, and requires every compared op to agree. The
# server is stopped on every exit path.
set -uo pipefail
cli=$1 src=$2
command -v redis-server >/dev/null || { echo "FAIL: redis-server not found (scripts/setup installs it)"; exit 1; }
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# start_server [extra redis-server args...]: sets port and pid.
start_server() {
  port="" pid=""
  local attempt
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --enable-debug-command local --dir "$tmp" --logfile "$tmp/redis-$port.log" "$@" &
    pid=$!
    for _ in $(seq 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
  done
  echo "FAIL: could not start redis-server on a free loopback port"; exit 1
}
stop_server() {
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
}

# The oracle can fail: against a server whose ECHO is disabled, the seed that
# sends ECHO must come out as a divergence (exit 1).
start_server --rename-command ECHO ""
out=$("$cli" oracle command_handler --server "127.0.0.1:$port" "$src/corpus/command_handler/connection.txt")
rc=$?
stop_server
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* s1 ECHO" <<<"$out"; then
  echo "FAIL: the oracle did not report the disabled ECHO (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: a server without ECHO is reported as a divergence"

start_server
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
