#!/usr/bin/env bash
# invalidation_oracle_test.sh RESPFUZZ SOURCE_DIR [--target NAME]: starts a
# server (scripts/server-target's NAME, default redis-7.0: Debian's
# redis-server 7.0.15) on a free loopback port and runs `respfuzz oracle
# invalidation` over the committed invalidation seeds and frozen regressions:
# every reply and push on every connection must agree with the engine's,
# byte for byte (on another target: every divergence a documented version
# difference, and candidates without that table). First the oracle must fail: with a tracker bug planted in
# the engine (own invalidations in front of the reply), the seed that writes
# its own tracked keys must come out as a divergence; with DEBUG RELOAD
# planted without its flush invalidation, the debug_reload seed too. The
# server is stopped on every exit path.
set -uo pipefail
cli=$1 src=$2
shift 2
server_target=""
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
parse_target_args "$@"
trap 'stop_server; rm -rf "$tmp"' EXIT

start_server --enable-debug-command local
echo "$(server_describe) on 127.0.0.1:$port"

out=$("$cli" oracle invalidation --server "127.0.0.1:$port" \
  --engine-bug own-invalidation-before-reply "$src/corpus/invalidation/own_write_mget.txt")
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* c1 data: MSET" <<<"$out" ||
   ! grep -q "^  server: c1 data: +OK" <<<"$out"; then
  echo "FAIL: the oracle did not report the planted tracker bug (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: an engine sending own invalidations before the reply is reported as a divergence"
# The same for the admin's DEBUG RELOAD: an engine that empties the dataset
# without its flush invalidation leaves c1 without the null the server sends.
out=$("$cli" oracle invalidation --server "127.0.0.1:$port" \
  --engine-bug reload-without-flush-invalidation "$src/corpus/invalidation/debug_reload.txt")
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .*: debug-reload | admin: DEBUG RELOAD" <<<"$out" ||
   ! grep -qF '  server: c1 data: >2\r\n$10\r\ninvalidate\r\n_\r\n' <<<"$out"; then
  echo "FAIL: the oracle did not report the planted reload bug (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: an engine reloading without the flush invalidation is reported as a divergence"

inputs=("$src/corpus/invalidation")
[ -d "$src/tests/regressions/invalidation" ] && inputs+=("$src/tests/regressions/invalidation")
"$cli" oracle invalidation --server "127.0.0.1:$port" --json "$tmp/report.json" "${inputs[@]}"
rc=$?
if [ "$rc" -ne 0 ]; then echo "FAIL: oracle exit $rc"; exit 1; fi
python3 - "$tmp/report.json" "$server_family" "$server_version" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
family, version = sys.argv[2], sys.argv[3]
assert r["compared"] > 0 and r["frames"] > 0, "nothing was compared"
assert (r["server_family"], r["server_version"]) == (family, version), (r["server_family"], r["server_version"])
assert not r["notes"], r["notes"]
if (family, version) == ("redis", "7.0.15"):
    assert r["agreement_percent"] == 100.0 and not r["divergences"], r["divergences"][:3]
    print(f"oracle: {r['programs']} programs, {r['compared']} steps compared "
          f"({r['frames']} replies and pushes), 100% agreement, {len(r['excluded'])} excluded")
else:
    # Another server: every divergence is a documented version difference.
    left = [d for d in r["divergences"] if not d["documented_by"]]
    assert r["candidates"] == 0 and not left, left[:3]
    groups = ", ".join(f"{c} {g['count']} ({', '.join(g['documented'])})" for c, g in r["groups"].items())
    print(f"oracle: {r['programs']} programs, {r['compared']} steps compared "
          f"({r['frames']} replies and pushes), {len(r['divergences'])} divergences, "
          f"every one documented: {groups or 'none'}")
PY
if [ "$server_target" != redis-7.0 ]; then
  # The table can fail: without it, the same run has candidates (exit 1).
  : >"$tmp/empty.tsv"
  "$cli" oracle invalidation --server "127.0.0.1:$port" --differences "$tmp/empty.tsv" \
    "${inputs[@]}" >"$tmp/bare.out" 2>&1
  rc=$?
  if [ "$rc" -ne 1 ] || ! grep -q "^  candidate: " "$tmp/bare.out"; then
    echo "FAIL: without the version differences the oracle did not report candidates (exit $rc)"
    tail -n 5 "$tmp/bare.out"; exit 1
  fi
  echo "ok: without the version differences, $(grep -c '^  candidate: ' "$tmp/bare.out") divergences are candidates (exit 1)"
fi
