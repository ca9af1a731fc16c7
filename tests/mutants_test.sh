#!/usr/bin/env bash
# mutants_test.sh ROOT BUILD: scripts/mutants on two fixed mutants of the RESP
# reader, fuzzed with resp_reader from its seeds for 3 s each, in the mutants'
# own build tree BUILD: one the harness kills at once (every digit refused),
# one it cannot (an equivalent mutant: a reserve() from 3 elements instead of
# 2); the report must say so, a rerun must skip both, the tree must hold the
# original code afterwards, and bad input must give one line and exit 2.
set -euo pipefail
root=$1 build=$2
tool="$root/scripts/mutants"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() {
  echo "mutants_test: $*" >&2
  exit 1
}

# Bad input: one line on stderr, exit 2, nothing written.
for args in "--per-module 0" "--time 0" "--module nope" "--no-coverage" "--bogus" \
  "--coverage $out/missing.json" "--arms plain,foo" "--trials 2" "--arms plain,opmut --trials 0" \
  "--skip-reached $out/missing.json"; do
  set +e
  # shellcheck disable=SC2086
  "$tool" --out "$out/bad" $args 2>"$out/err" >/dev/null
  rc=$?
  set -e
  [ $rc -eq 2 ] || fail "'$args' exited $rc, not 2"
  [ "$(wc -l <"$out/err")" -eq 1 ] || fail "'$args' printed more than one line: $(cat "$out/err")"
  [ ! -e "$out/bad" ] || fail "'$args' wrote $out/bad"
done

: >"$out/equivalent.txt"  # none marked: the survivor counts
common=(--out "$out/run" --build "$build" --module resp --harness resp_reader --no-coverage
  --time 3 --equivalent "$out/equivalent.txt")
# The two mutants by their line (their ids change only when the line does).
"$tool" "${common[@]}" --per-module 100000 --op negate --op bound --list >"$out/list"
killed=$(awk -F'\t' '$3 == "negate" && $7 == "if (d > 9) return false;" {print $1}' "$out/list")
survives=$(awk -F'\t' '$3 == "bound" && $5 == "2" && $7 == "if (reserved > 1) v.elems.reserve(reserved);" {print $1}' "$out/list")
[ -n "$killed" ] && [ -n "$survives" ] ||
  fail "the two lines of src/resp/reader.cc this test mutates changed: pick two others"
# The list is the same every time.
"$tool" "${common[@]}" --per-module 100000 --op negate --op bound --list | cmp -s - "$out/list" ||
  fail "--list is not deterministic"

"$tool" "${common[@]}" --mutant "$killed" --mutant "$survives" 2>"$out/log" ||
  { cat "$out/log" >&2; fail "the run failed"; }
python3 - "$out/run/report.json" "$killed" "$survives" <<'PY' || { cat "$out/log" >&2; exit 1; }
import json, sys
doc = json.load(open(sys.argv[1]))
rows = {r["id"]: r for r in doc["mutants"]}
k, s = rows[sys.argv[2]], rows[sys.argv[3]]
errors = []
if k["status"] != "killed" or k["harness"] != "resp_reader" or not k["by"].startswith("check="):
    errors.append(f"{k['id']}: expected killed by a resp_reader check, got {k['status']} {k.get('by')}")
elif k["seconds"] > 60:
    errors.append(f"{k['id']}: killed only after {k['seconds']} s")
if s["status"] != "survived" or "reserve(reserved)" not in s["diff"]:
    errors.append(f"{s['id']}: expected a survivor with its diff, got {s['status']}")
m = doc["modules"][0]
if (m["name"], m["killed"], m["survived"], m["score"]) != ("src/resp", 1, 1, 50.0):
    errors.append(f"module line: {m}")
for e in errors:
    print("mutants_test:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
grep -q "^### \`$survives\`" "$out/run/report.md" || fail "report.md lists no diff of $survives"
grep -q "killed by \`resp_reader\` check=" "$out/run/report.md" || fail "report.md names no killing check"

# A rerun skips both; the tree holds the original reader again.
"$tool" "${common[@]}" --mutant "$killed" --mutant "$survives" 2>"$out/log2"
[ "$(grep -c 'done before, skipped' "$out/log2")" -eq 2 ] || fail "the rerun did not skip both"
grep -q '"dirty": null' "$out/run/state.json" || fail "state.json still names a mutated object"
bin=$(awk -F'\t' '$1 == "resp_reader" {print $6}' "$build/harnesses.tsv")
"$bin" -runs=0 "$root/corpus/resp_reader" >"$out/replay" 2>&1 ||
  { tail -20 "$out/replay" >&2; fail "resp_reader in $build fails its seeds after the run"; }
# --arms on a harness built without an op-level mutator variant: one line, exit 2.
set +e
"$tool" "${common[@]}" --arms plain,opmut --mutant "$killed" 2>"$out/err" >/dev/null
rc=$?
set -e
[ $rc -eq 2 ] && [ "$(wc -l <"$out/err")" -eq 1 ] && grep -q "no op-level mutator build" "$out/err" ||
  fail "--arms with resp_reader: exit $rc, $(cat "$out/err")"
echo "mutants_test: ok ($killed killed, $survives survived)"
