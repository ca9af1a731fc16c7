#!/usr/bin/env bash
# tests/redis_suite_live_test.sh RESPFUZZ ROOT: Redis 7.0.15's own suite
# (scripts/redis-suite, the pinned Debian source, fetched once per machine)
# against `respfuzz serve`: the 17 units run, the server stays up through
# them, and every test of tests/redis_suite/must-pass.txt passes. Then the
# runner's own bounds and its must-pass check: a unit cut by --timeout against
# redis-server 7.0.15 is reported as timed out with passed + failed + not
# reached = its baseline, and a must-pass entry respfuzz does not pass today
# makes the runner exit 1.
set -uo pipefail
case ${1:-} in
  -h | --help)
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
[ $# -eq 2 ] || {
  echo "usage: $0 RESPFUZZ ROOT" >&2
  exit 2
}
respfuzz=$1 root=$2
tool="$root/scripts/redis-suite"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/respfuzz-redis-suite-live.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() {
  echo "ok    $*"
  passed=$((passed + 1))
}
bad() {
  echo "FAIL  $*" >&2
  failed=$((failed + 1))
}
field() { # field JSON PYTHON-EXPRESSION-OVER-d
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# 1. The 17 units against respfuzz serve, with the must-pass list.
rc=0
"$tool" --respfuzz "$respfuzz" --timeout 120 --must-pass "$root/tests/redis_suite/must-pass.txt" \
  --json "$tmp/respfuzz.json" >"$tmp/respfuzz.out" 2>"$tmp/respfuzz.err" || rc=$?
cat "$tmp/respfuzz.out"
if [ $rc -eq 0 ]; then
  ok "must-pass: $(grep '^must-pass:' "$tmp/respfuzz.out")"
else
  bad "the must-pass run exited $rc: $(grep -E '^MUST-PASS' "$tmp/respfuzz.out" | head -n 5) $(tail -n 1 "$tmp/respfuzz.err")"
fi
if [ -f "$tmp/respfuzz.json" ] &&
  [ "$(field "$tmp/respfuzz.json" 'len(d["units"])')" = 17 ] &&
  [ "$(field "$tmp/respfuzz.json" 'sum(1 for u in d["units"] if u["timed_out"] or "server_exited" in u)')" = 0 ]; then
  ok "17 units ran, none timed out, respfuzz serve stayed up through all of them"
else
  bad "the respfuzz run's units: $(field "$tmp/respfuzz.json" '[(u["unit"], u["timed_out"], u.get("server_exited")) for u in d["units"]]' 2>&1)"
fi

# 2. A unit cut by the time bound, against the server the baseline comes from.
rc=0
"$tool" --server "$(command -v redis-server)" --timeout 3 unit/type/list --json "$tmp/cut.json" \
  >"$tmp/cut.out" 2>"$tmp/cut.err" || rc=$?
if [ $rc -eq 0 ] && [ "$(field "$tmp/cut.json" 'u=d["units"][0]; (u["timed_out"], u["passed"] > 0, u["not_reached"] > 0, u["passed"] + u["failed"] + u["not_reached"] == u["baseline_tests"])')" = "(True, True, True, True)" ]; then
  ok "--timeout 3 on unit/type/list: $(grep '^unit/type/list ' "$tmp/cut.out" | head -n 1 | tr -s ' ')"
else
  bad "--timeout 3 on unit/type/list: exit $rc, $(cat "$tmp/cut.out" "$tmp/cut.err" | head -c 400)"
fi
if grep -q 'tests reported so far' "$tmp/cut.err" || grep -q 'running' "$tmp/cut.err"; then
  ok "progress goes to stderr"
else
  bad "no progress lines on stderr"
fi

# 3. Planted: a must-pass entry respfuzz serve does not pass today.
printf '# planted\nunit/type/incr\tINCR against non existing key\n' >"$tmp/planted.txt"
if "$tool" --respfuzz "$respfuzz" --timeout 60 --must-pass "$tmp/planted.txt" unit/type/incr \
  >"$tmp/planted.out" 2>&1; then
  bad "a must-pass test that respfuzz serve does not pass went unnoticed"
elif grep -q '^MUST-PASS unit/type/incr: INCR against non existing key' "$tmp/planted.out"; then
  ok "planted must-pass entry caught: $(grep '^MUST-PASS' "$tmp/planted.out")"
else
  bad "planted must-pass entry: $(tail -n 3 "$tmp/planted.out")"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
