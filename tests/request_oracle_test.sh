#!/usr/bin/env bash
# request_oracle_test.sh RESPFUZZ SOURCE_DIR [--target NAME]: the
# request_parser streams (corpus/request_parser and
# tests/regressions/request_parser) sent to a real server
# (scripts/server-target's NAME, default redis-7.0: Debian's redis-server
# 7.0.15; a free loopback port) and to `respfuzz serve`:
# what each answers and whether it closes must agree for every stream
# (tests/request_oracle.py). Then the oracle must fail: against a server whose
# ECHO is disabled, the stream that sends ECHO must diverge. Both servers are
# stopped on every exit path.
set -uo pipefail
cli=$1 src=$2
shift 2
server_target=""
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
parse_target_args "$@"
trap 'stop_ours; stop_server; rm -rf "$tmp"' EXIT
start_ours "$cli"

inputs=("$src/corpus/request_parser")
[ -d "$src/tests/regressions/request_parser" ] && inputs+=("$src/tests/regressions/request_parser")

# Candidate findings on a target: streams that diverge there although no
# documented version difference covers them (docs/fidelity.md). The run must
# show exactly these, so a new one, or one that went away, fails the test.
case $server_target in
  valkey-9.1) candidates="err_unbalanced_escaped_close.bin" ;;
  *) candidates="" ;;
esac

start_server
echo "$(server_describe) on 127.0.0.1:$port, respfuzz serve on 127.0.0.1:$ours_port"
python3 "$src/tests/request_oracle.py" "$port" "$ours_port" --json "$tmp/report.json" "${inputs[@]}"
rc=$?
[ "$rc" -le 1 ] || { echo "FAIL: the request oracle could not run (exit $rc)"; exit 1; }
python3 - "$tmp/report.json" "$server_family" "$server_version" "$candidates" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
family, version, candidates = sys.argv[2], sys.argv[3], sys.argv[4].split()
assert r["compared"] >= 50, f"only {r['compared']} streams compared"
assert (r["server_family"], r["server_version"]) == (family, version), (r["server_family"], r["server_version"])
if (family, version) == ("redis", "7.0.15"):
    assert r["agreement_percent"] == 100.0 and not r["divergences"] and not r["documented"], r["divergences"][:3]
    print(f"request oracle: {r['compared']} streams, 100% agreement, {len(r['excluded'])} excluded")
else:
    got = sorted(d["stream"] for d in r["divergences"])
    assert got == sorted(candidates), f"candidates {got}, expected {sorted(candidates)}"
    print(f"request oracle: {r['compared']} streams, {len(r['documented'])} documented version "
          f"differences, candidates as expected: {got or 'none'}")
PY
# A bad table is refused: one line, exit 2.
printf 'redis>=7.0.0\tmixed.bin\t"" left open\thttps://example.org\tw\n' >"$tmp/bad.tsv"
out=$(python3 "$src/tests/request_oracle.py" "$port" "$ours_port" --documented "$tmp/bad.tsv" \
  "$src/corpus/request_parser/mixed.bin" 2>&1)
rc=$?
if [ "$rc" -ne 2 ] || [ "$(wc -l <<<"$out")" -ne 1 ] || ! grep -q "includes redis 7.0.15" <<<"$out"; then
  echo "FAIL: a table row covering 7.0.15 was not refused (exit $rc): $out"; exit 1
fi
echo "ok: $out"
if [ "$server_target" != redis-7.0 ]; then
  # The table can fail: without it, the documented streams diverge too.
  : >"$tmp/empty.tsv"
  python3 "$src/tests/request_oracle.py" "$port" "$ours_port" --documented "$tmp/empty.tsv" \
    --json "$tmp/bare.json" "${inputs[@]}" >/dev/null
  python3 - "$tmp/report.json" "$tmp/bare.json" <<'PY' || exit 1
import json, sys
r, bare = (json.load(open(p)) for p in sys.argv[1:3])
want = sorted(d["stream"] for d in r["divergences"] + r["documented"])
got = sorted(d["stream"] for d in bare["divergences"])
assert got == want and not bare["documented"], (got, want)
print(f"ok: without the version differences, {len(got)} streams diverge")
PY
fi
stop_server

# The oracle can fail.
start_server --rename-command ECHO ""
python3 "$src/tests/request_oracle.py" "$port" "$ours_port" --expect-divergence mixed.bin \
  "$src/corpus/request_parser/mixed.bin" || { echo "FAIL: a server without ECHO was not caught"; exit 1; }
