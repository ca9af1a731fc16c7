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
