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

# planted_bug_fails BUG SEED DIVERGENCE_RE SERVER_LINE WHAT: the oracle run
# over SEED with BUG planted must exit 1 with a DIVERGENCE line matching
# DIVERGENCE_RE and the server's reply SERVER_LINE (a fixed string).
planted_bug_fails() {
  local bug=$1 seed=$2 divergence=$3 server_line=$4 what=$5 out rc
  out=$("$cli" oracle invalidation --server "127.0.0.1:$port" --engine-bug "$bug" \
    "$src/corpus/invalidation/$seed")
  rc=$?
  if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .*$divergence" <<<"$out" ||
     ! grep -qF "$server_line" <<<"$out"; then
    echo "FAIL: the oracle did not report the planted bug $bug (exit $rc):"; echo "$out"; exit 1
  fi
  echo "ok: an engine $what is reported as a divergence"
}
planted_bug_fails own-invalidation-before-reply own_write_mget.txt " c1 data: MSET" \
  "  server: c1 data: +OK" "sending own invalidations before the reply"
# The same for the admin's DEBUG RELOAD: an engine that empties the dataset
# without its flush invalidation leaves c1 without the null the server sends.
planted_bug_fails reload-without-flush-invalidation debug_reload.txt \
  ": debug-reload | admin: DEBUG RELOAD" '  server: c1 data: >2\r\n$10\r\ninvalidate\r\n_\r\n' \
  "reloading without the flush invalidation"

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
