#!/usr/bin/env bash
# invalidation_oracle_test.sh RESPFUZZ SOURCE_DIR: starts redis-server
# (Debian's 7.0) on a free loopback port and runs `respfuzz oracle
# invalidation` over the committed invalidation seeds and frozen regressions:
# every reply and push on every connection must agree with the engine's,
# byte for byte. First the oracle must fail: with a tracker bug planted in
# the engine (own invalidations in front of the reply), the seed that writes
# its own tracked keys must come out as a divergence. The server is stopped
# on every exit path.
set -uo pipefail
cli=$1 src=$2
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
trap 'stop_server; rm -rf "$tmp"' EXIT

start_server --enable-debug-command local
echo "redis-server $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port"

out=$("$cli" oracle invalidation --server "127.0.0.1:$port" \
  --engine-bug own-invalidation-before-reply "$src/corpus/invalidation/own_write_mget.txt")
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* c1 data: MSET" <<<"$out" ||
   ! grep -q "^  server: c1 data: +OK" <<<"$out"; then
  echo "FAIL: the oracle did not report the planted tracker bug (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: an engine sending own invalidations before the reply is reported as a divergence"

inputs=("$src/corpus/invalidation")
[ -d "$src/tests/regressions/invalidation" ] && inputs+=("$src/tests/regressions/invalidation")
"$cli" oracle invalidation --server "127.0.0.1:$port" --json "$tmp/report.json" "${inputs[@]}"
rc=$?
if [ "$rc" -ne 0 ]; then echo "FAIL: oracle exit $rc"; exit 1; fi
python3 - "$tmp/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["compared"] > 0 and r["frames"] > 0, "nothing was compared"
assert r["agreement_percent"] == 100.0 and not r["divergences"], r["divergences"][:3]
assert not r["notes"], r["notes"]
print(f"oracle: {r['programs']} programs, {r['compared']} steps compared "
      f"({r['frames']} replies and pushes), 100% agreement, {len(r['excluded'])} excluded")
PY
