#!/usr/bin/env bash
# seed_bank_test.sh SOURCE_DIR BUILD_DIR: scripts/seed-bank over the real seed
# bank (every seed and regression listed, replayed through the harness
# binaries and through `respfuzz run`, all passing), then over a planted tree
# where one regression fails and one encoded program is missing: both must be
# reported FAIL by name, the passing inputs PASS, and the exit status 1.
set -uo pipefail
src=$1 build=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The real seed bank: every file listed once, every input passes.
"$src/scripts/seed-bank" list --build-dir "$build" >"$tmp/list" 2>&1 || bad "list exited $?"
. "$src/harnesses/common/harnesses.sh"
want=0
for d in "$src"/tests/regressions/*/; do
  h=$(basename "$d")
  if [ "$(respfuzz_harness_field "$build" "$h" structured)" = yes ]; then
    n=$(find "$d" -type f -name '*.txt' | wc -l)
  else
    n=$(find "$d" -type f ! -name '*.txt' ! -name 'README*' | wc -l)
  fi
  want=$((want + n))
done
got=$(grep -c ' regression ' "$tmp/list")
[ "$want" -gt 0 ] && [ "$got" -eq "$want" ] || bad "list shows $got regressions, the tree has $want"
grep -qE '^[0-9]+ inputs$' "$tmp/list" || bad "list has no total line"
total=$(tail -n 1 "$tmp/list" | awk '{print $1}')
"$src/scripts/seed-bank" replay --build-dir "$build" >"$tmp/replay" 2>&1
rc=$?
[ "$rc" -eq 0 ] || bad "replay exited $rc: $(grep -m3 FAIL "$tmp/replay")"
grep -q "^$total inputs replayed: $total passed, 0 failed\$" "$tmp/replay" ||
  bad "replay totals: $(tail -n 1 "$tmp/replay") (list counted $total)"
[ "$(grep -c '^PASS ' "$tmp/replay")" -eq "$total" ] || bad "not one PASS line per input"
if [ -x "$build/tools/respfuzz" ]; then
  "$src/scripts/seed-bank" replay command_handler --cli --build-dir "$build" >"$tmp/cli" 2>&1 ||
    bad "replay command_handler --cli exited $?: $(tail -n 3 "$tmp/cli")"
  grep -q ' (respfuzz run): [0-9]* passed, 0 failed$' "$tmp/cli" || bad "--cli totals: $(tail -n 1 "$tmp/cli")"
fi
"$src/scripts/seed-bank" replay no_such_harness --build-dir "$build" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] || bad "unknown harness: exit $rc, $(cat "$tmp/err")"

# 2. A planted tree: harness "bytes" (byte-level) and "progs" (structured).
t="$tmp/tree"
mkdir -p "$t/scripts" "$t/harnesses/common" "$t/harnesses/bytes" "$t/harnesses/progs" \
  "$t/corpus/bytes" "$t/corpus/progs" "$t/tests/regressions/bytes" "$t/build/corpus/progs"
cp "$src/scripts/seed-bank" "$t/scripts/"
cp "$src/harnesses/common/harnesses.sh" "$t/harnesses/common/"
touch "$t/harnesses/bytes/CMakeLists.txt" "$t/harnesses/progs/CMakeLists.txt"
cat >"$t/build/harness" <<'SH'
#!/bin/sh
# A harness that runs each input given and stops at the first containing "BAD".
for f in "$@"; do
  if grep -q BAD "$f"; then echo "==respfuzz== check failed: harness=bytes check=planted"; exit 1; fi
done
SH
chmod +x "$t/build/harness"
printf '# name\tstructured\tseeds\toptions\tdictionary\tbinary\tregressions\n' >"$t/build/harnesses.tsv"
printf 'bytes\tno\t%s\t-\t-\t%s\t%s\n' "$t/corpus/bytes" "$t/build/harness" \
  "$t/tests/regressions/bytes" >>"$t/build/harnesses.tsv"
printf 'progs\tyes\t%s\t-\t-\t%s\t%s\n' "$t/build/corpus/progs" "$t/build/harness" \
  "$t/build/regressions/progs" >>"$t/build/harnesses.tsv"
echo ok >"$t/corpus/bytes/good.bin"
echo BAD >"$t/tests/regressions/bytes/planted.bin"
echo "a planted failure" >"$t/tests/regressions/bytes/planted.txt"
echo "s1 GET k1" >"$t/corpus/progs/one.txt"
echo ok >"$t/build/corpus/progs/one.bin"
echo "s1 GET k2" >"$t/corpus/progs/unbuilt.txt"
"$t/scripts/seed-bank" list --build-dir "$t/build" >"$tmp/plist" 2>&1
grep -q '^bytes  *regression tests/regressions/bytes/planted.bin  a planted failure$' "$tmp/plist" ||
  bad "planted list: $(cat "$tmp/plist")"
"$t/scripts/seed-bank" replay --build-dir "$t/build" >"$tmp/planted" 2>&1
rc=$?
[ "$rc" -eq 1 ] || bad "planted tree: replay exited $rc, expected 1"
grep -q '^FAIL  bytes  *regression tests/regressions/bytes/planted.bin: ==respfuzz== check failed: harness=bytes check=planted$' "$tmp/planted" ||
  bad "the planted regression is not reported FAIL with its check"
grep -q '^FAIL  progs  *seed  *corpus/progs/unbuilt.txt: not built' "$tmp/planted" ||
  bad "the unbuilt program is not reported FAIL"
grep -q '^PASS  bytes  *seed  *corpus/bytes/good.bin$' "$tmp/planted" || bad "good.bin not PASS"
grep -q '^PASS  progs  *seed  *corpus/progs/one.txt$' "$tmp/planted" || bad "one.txt not PASS"
grep -q '^4 inputs replayed: 2 passed, 2 failed$' "$tmp/planted" || bad "planted totals: $(tail -n 1 "$tmp/planted")"
if [ "$fail" -ne 0 ]; then
  echo "--- planted replay:"; cat "$tmp/planted"
  exit 1
fi
echo "seed-bank: $total inputs pass; the planted failures are caught"
