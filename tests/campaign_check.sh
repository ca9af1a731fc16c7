#!/usr/bin/env bash
# campaign_check.sh SOURCE_DIR [SECONDS]: a campaign as a user runs it, end to
# end: `scripts/fuzz resp_reader --time SECONDS --report DIR` (default 20 s)
# must show the progress line, write a report whose figures are those of a
# real run (executions, 20 exec/s slices, coverage, corpus, RSS, a
# well-formed plot), and refuse to write a second report into DIR; then
# `--merge` must shrink the working corpus to the count it prints and
# `--promote --promote-dir` must copy exactly the files it lists.
set -uo pipefail
src=$1 seconds=${2:-20}
fail=0
bad() { echo "FAIL: $*"; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run="$tmp/run"

"$src/scripts/fuzz" resp_reader --time "$seconds" --report "$run" >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || bad "scripts/fuzz resp_reader --time $seconds --report exited $rc"
grep -qE "^resp_reader  [0-9]+s/${seconds}s  execs [0-9]+[kM]?  exec/s [0-9]+[kM]?  cov [0-9]+  ft [0-9]+[kM]?  corpus [0-9]+  rss [0-9]+Mb  crashes 0\$" "$tmp/out" ||
  bad "no progress line in the output"
if grep -qaE '^#[0-9]+[[:space:]]+(NEW|pulse|INITED)' "$tmp/out"; then
  bad "raw libFuzzer status lines in the output (they belong in the log)"
fi
grep -qaE '^#[0-9]+[[:space:]]+(NEW|pulse|INITED)' "$run/resp_reader/fuzz.log" 2>/dev/null ||
  bad "no libFuzzer status lines in $run/resp_reader/fuzz.log"
python3 - "$run" "$seconds" <<'PY' || fail=1
import json, sys, xml.etree.ElementTree as ET
run, seconds = sys.argv[1], int(sys.argv[2])
problems = []
try:
    doc = json.load(open(f"{run}/report.json"))
    r = doc["harnesses"][0]
    checks = [
        (r["harness"] == "resp_reader", f"harness {r['harness']}"),
        (r["executions"] and r["executions"] > 1000, f"executions {r['executions']}"),
        (r["exec_per_s"] and r["exec_per_s"] > 0, f"exec/s {r['exec_per_s']}"),
        (len(r["exec_per_s_slices"]) == 20 and min(r["exec_per_s_slices"]) > 0,
         f"exec/s slices {r['exec_per_s_slices']}"),
        (r["exec_per_s_cv"] is not None and 0 <= r["exec_per_s_cv"] < 5, f"CV {r['exec_per_s_cv']}"),
        (r["coverage"]["edges"] and r["coverage"]["edges"] > 100, f"edges {r['coverage']}"),
        (r["coverage"]["features"] and r["coverage"]["features"] >= r["coverage"]["edges"],
         f"features {r['coverage']}"),
        (r["corpus"] and r["corpus"] > 0, f"corpus {r['corpus']}"),
        (r["rss"]["peak_mb"] and r["rss"]["peak_mb"] > 0, f"peak RSS {r['rss']}"),
        (seconds - 2 <= r["duration_s"] <= seconds + 30, f"duration {r['duration_s']}"),
        (r["unique_crashes"] == 0, f"crashes {r['crashes']}"),
    ]
    problems += [f"report.json: {what}" for ok, what in checks if not ok]
    svg = ET.parse(f"{run}/resp_reader/plot.svg").getroot()
    if len(svg.findall("{http://www.w3.org/2000/svg}polyline")) != 5:
        problems.append("plot.svg: not five lines")
    md = open(f"{run}/report.md").read()
    if "| resp_reader |" not in md or "![resp_reader](resp_reader/plot.svg)" not in md:
        problems.append("report.md: no summary row or plot")
except (OSError, KeyError, IndexError, ValueError, ET.ParseError) as e:
    problems.append(f"report unreadable: {e}")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY

"$src/scripts/fuzz" resp_reader --time 1 --report "$run" >"$tmp/again" 2>&1
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/again")" -eq 1 ] && grep -q 'already holds a report' "$tmp/again" ||
  bad "a second --report into $run: exit $rc, $(head -3 "$tmp/again")"

corpus="$src/build/fuzz/fuzz-out/resp_reader/corpus"
"$src/scripts/fuzz" resp_reader --merge >"$tmp/merge" 2>&1 || bad "--merge exited $?"
line=$(grep -E '^merge: resp_reader: [0-9]+ -> [0-9]+ inputs' "$tmp/merge")
before=$(awk '{print $3}' <<<"$line") after=$(awk '{print $5}' <<<"$line")
if [ -z "$line" ]; then
  bad "--merge printed no counts: $(tail -3 "$tmp/merge")"
else
  [ "$after" -gt 0 ] && [ "$after" -le "$before" ] || bad "--merge: $before -> $after"
  [ "$(find "$corpus" -type f | wc -l)" -eq "$after" ] || bad "--merge: the corpus does not hold $after inputs"
fi

"$src/scripts/fuzz" resp_reader --promote --promote-dir "$tmp/corpus" >"$tmp/promote" 2>&1 ||
  bad "--promote exited $?"
n=$(sed -nE 's/^promote: resp_reader: ([0-9]+) inputs add coverage.*/\1/p' "$tmp/promote")
listed=$(grep -c '^  added ' "$tmp/promote")
found=$(find "$tmp/corpus/resp_reader/promoted" -type f 2>/dev/null | wc -l)
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -eq "$listed" ] && [ "$n" -eq "$found" ] ||
  bad "--promote: said ${n:-nothing}, listed $listed, wrote $found"
[ -z "$(git -C "$src" status --porcelain -- corpus)" ] || bad "--promote-dir still wrote into corpus/"

if [ "$fail" -ne 0 ]; then
  echo "--- scripts/fuzz output:"; tail -n 30 "$tmp/out"
  exit 1
fi
echo "ok: $(grep -m1 '^| resp_reader |' "$run/report.md")"
echo "ok: $line; promoted $n inputs"
