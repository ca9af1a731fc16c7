#!/usr/bin/env bash
# findings_test.sh RESPFUZZ SOURCE_DIR: the findings in real servers that
# `respfuzz oracle command_handler` shows, replayed on every server target
# (tests/findings/*.txt). On redis-server 7.0.15, the version the engine
# models, every op must agree; on redis 8.0.6 and valkey 9.1.2 the oracle
# must report exactly the candidates tests/findings/expected.tsv lists
# (program, target, command, count), so a fixed server or a changed finding
# fails the test. Each server runs on a free loopback port and is stopped on
# every exit path.
set -uo pipefail
cli=$1 src=$2
tmp=$(mktemp -d)
fails=0
for target in redis-7.0 redis-8.0 valkey-9.1; do
  (
    # shellcheck disable=SC2034  # read by redis_server.sh
    server_target=$target
    # shellcheck source=tests/redis_server.sh
    . "$src/tests/redis_server.sh"
    trap 'stop_server' EXIT
    resolve_server
    start_server --enable-debug-command local
    "$cli" oracle command_handler --server "127.0.0.1:$port" --json "$tmp/$target.json" \
      "$src"/tests/findings/*.txt >"$tmp/$target.out" 2>&1
    echo $? >"$tmp/$target.rc"
  ) || { echo "FAIL: $target: the server did not start"; fails=$((fails + 1)); continue; }
  python3 - "$tmp/$target.json" "$target" "$src/tests/findings/expected.tsv" "$(cat "$tmp/$target.rc")" <<'PY' || fails=$((fails + 1))
import collections, json, os, sys
report, target, expected_path, rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
want = collections.Counter()
for line in open(expected_path):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    program, tgt, command, count = line.split("\t")
    if tgt == target:
        want[(program, command)] += int(count)
r = json.load(open(report))
got = collections.Counter()
for d in r["divergences"]:
    if d.get("documented_by"):
        continue
    command = d["op"].split()[1].upper() if len(d["op"].split()) > 1 else d["op"]
    got[(os.path.basename(d["program"]), command)] += 1
if got != want:
    print(f"FAIL: {target}: candidates {dict(got)}, expected {dict(want)}")
    sys.exit(1)
if rc != (1 if want else 0):
    print(f"FAIL: {target}: oracle exit {rc}")
    sys.exit(1)
print(f"ok: {target}: {sum(got.values())} candidate(s) as expected: {dict(got)}")
PY
done
rm -rf "$tmp"
[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
