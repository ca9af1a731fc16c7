#!/usr/bin/env bash
# cli_test.sh RESPFUZZ SOURCE_DIR: the respfuzz CLI's outputs and exit codes
# (0 success, 1 a protocol error or violation, 2 usage or I/O error).
set -uo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect CODE NAME -- COMMAND...: runs COMMAND, keeps stdout+stderr in $out.
expect() {
  local want=$1 name=$2
  shift 3
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $got, expected $want"
    echo "$out" | head -20
  fi
}
contains() {  # contains NAME TEXT: the last output contains TEXT
  if grep -qF -- "$2" <<<"$out"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: output lacks '$2'"
    echo "$out" | head -20
  fi
}

printf '+OK\r\n*2\r\n:1\r\n%%1\r\n+a\r\n,1.5\r\n' > "$tmp/good.resp"
printf '+OK\r\n:12x\r\n' > "$tmp/bad.resp"
printf '*2\r\n:1\r\n' > "$tmp/partial.resp"
printf '_\r\n' > "$tmp/resp3only.resp"

expect 0 parse-good -- "$bin" parse "$tmp/good.resp"
contains parse-good '#1 [1, {simple("a"): double(1.5)}]'
expect 0 parse-stdin -- bash -c "\"$bin\" parse - < \"$tmp/good.resp\""
expect 1 parse-bad -- "$bin" parse "$tmp/bad.resp"
contains parse-bad 'protocol error at offset 6: invalid integer'
expect 1 parse-partial -- "$bin" parse "$tmp/partial.resp"
contains parse-partial 'input ends inside a value'
expect 1 parse-resp2-strict -- "$bin" parse --resp2 "$tmp/resp3only.resp"
expect 0 parse-resp3 -- "$bin" parse --resp3 "$tmp/resp3only.resp"
expect 2 parse-missing-file -- "$bin" parse "$tmp/nope"
contains parse-missing-file 'cannot read'
expect 2 parse-bad-option -- "$bin" parse --bogus
expect 0 parse-help -- "$bin" parse --help
expect 2 no-command -- "$bin"
expect 2 unknown-command -- "$bin" frobnicate
expect 0 help -- "$bin" --help
expect 0 list -- "$bin" list
contains list 'resp_hiredis_diff'

. "$src/harnesses/common/harnesses.sh"
for h in $(respfuzz_harness_names "$src"); do
  [ -f "$src/harnesses/$h/seeds.py" ] || continue  # byte-seeded harnesses; structured ones below
  expect 0 "run-$h" -- "$bin" run "$h" "$src/corpus/$h"
  contains "run-$h" ' 0 failed'
  first=$(find "$src/corpus/$h" -type f | sort | head -1)
  expect 0 "decode-$h" -- "$bin" decode "$h" "$first"
done
mkdir -p "$tmp/frozen"
cp "$src/corpus/resp_reader/resp3_map.bin" "$tmp/frozen/case.bin"
echo "readable form" > "$tmp/frozen/case.txt"
echo "notes" > "$tmp/frozen/README.md"
expect 0 run-skips-descriptions -- "$bin" run resp_reader "$tmp/frozen"
contains run-skips-descriptions '1 inputs, 1 passed, 0 failed'
expect 2 run-unknown-harness -- "$bin" run nope "$tmp/good.resp"
contains run-unknown-harness "unknown harness 'nope'"
expect 2 run-missing-input -- "$bin" run resp_reader "$tmp/nope"
expect 2 decode-usage -- "$bin" decode resp_reader
# query: parse one search query.
expect 0 query-ok -- "$bin" query 'hello @a|b:(wor* -"exact phrase") @n:[(1 +inf]'
contains query-ok 'canonical: hello @a|b:(wor* -"exact phrase") @n:[(1 +inf]'
contains query-ok '    AND'
contains query-ok '      PREFIX "wor"'
expect 1 query-syntax-error -- "$bin" query 'hello (world'
contains query-syntax-error "Syntax error at offset 6 near '(world': missing ')'"
expect 0 query-params -- "$bin" query '@n:[$lo 5] $w' --params lo=2.5 w=Hello
contains query-params 'NUMERIC @n [$lo=2.5, 5]'
contains query-params 'TERM $w="hello"'
expect 0 query-params-unresolved -- "$bin" query '$w'
contains query-params-unresolved 'TERM $w (unresolved)'
expect 1 query-params-missing -- "$bin" query '$w' --params other=1
contains query-params-missing "no such parameter '\$w'"
expect 0 query-dash -- "$bin" query -- '-hello'
contains query-dash 'canonical: -hello'
expect 2 query-no-query -- "$bin" query
expect 2 query-two-queries -- "$bin" query a b
expect 2 query-bad-option -- "$bin" query --bogus a
expect 2 query-bad-param -- "$bin" query a --params novalue
expect 0 query-help -- "$bin" query --help
expect 0 decode-query -- "$bin" decode query_parser "$src/corpus/query_parser/complex.bin"
contains decode-query 'evaluator: {0}'
contains decode-query 'reference: {0}'
expect 0 run-query-verbose -- "$bin" run --verbose query_parser "$src/corpus/query_parser/knn.bin"
contains run-query-verbose 'knn.bin: ok'
expect 0 run-help -- "$bin" run --help
expect 0 decode-help -- "$bin" decode --help

# Structured harness: encode / decode / run / minimize / freeze.
printf 's1 SET k1 v1 PX 100\nclock +250ms\ns2 HELLO 3\ns2 GET k1\nactive-expire\n' > "$tmp/prog.txt"
expect 0 encode -- "$bin" encode command_handler "$tmp/prog.txt" -o "$tmp/prog.bin"
expect 0 decode-program -- "$bin" decode command_handler "$tmp/prog.bin"
contains decode-program 's1 SET k1 v1 PX 100'
contains decode-program 'clock +250ms'
"$bin" decode command_handler "$tmp/prog.bin" > "$tmp/back.txt"
if cmp -s "$tmp/prog.txt" "$tmp/back.txt"; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL decode-inverse: decode(encode(prog.txt)) differs"; fi
expect 0 run-program -- "$bin" run command_handler "$tmp/prog.txt"
contains run-program 'both:'
contains run-program 'ok'
expect 0 run-seeds -- "$bin" run command_handler "$src/corpus/command_handler" "$src/tests/regressions/command_handler"
n_programs=$(( $(ls "$src/corpus/command_handler"/*.txt | wc -l) + $(ls "$src/tests/regressions/command_handler"/*.txt | wc -l) ))
contains run-seeds "$n_programs inputs, $n_programs passed, 0 failed"
printf 's1 SET k1 v1\ns9 GET k1\n' > "$tmp/badprog.txt"
expect 2 encode-bad-program -- "$bin" encode command_handler "$tmp/badprog.txt"
contains encode-bad-program "line 2: unknown op 's9'"
expect 2 encode-not-structured -- "$bin" encode resp_reader "$tmp/prog.txt"
contains encode-not-structured 'has no op-level form'
expect 2 encode-missing -- "$bin" encode command_handler "$tmp/nope.txt"
expect 1 minimize-passing -- "$bin" minimize command_handler "$tmp/prog.txt"
contains minimize-passing 'passes every check'
mkdir -p "$tmp/root/tests/regressions"
expect 1 freeze-passing -- "$bin" freeze command_handler "$tmp/prog.txt" --name demo --root "$tmp/root"
if [ -z "$(ls -A "$tmp/root/tests/regressions")" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL freeze-passing: wrote files for a passing input"; fi
expect 2 freeze-bad-name -- "$bin" freeze command_handler "$tmp/prog.txt" --name 'Bad Name' --root "$tmp/root"
expect 2 freeze-no-name -- "$bin" freeze command_handler "$tmp/prog.txt" --root "$tmp/root"
expect 2 freeze-no-root -- "$bin" freeze command_handler "$tmp/prog.txt" --name x --root "$tmp/nowhere"
expect 0 encode-help -- "$bin" encode --help
expect 0 minimize-help -- "$bin" minimize --help
expect 0 freeze-help -- "$bin" freeze --help
expect 0 oracle-help -- "$bin" oracle --help
expect 2 oracle-no-server -- "$bin" oracle command_handler "$tmp/prog.txt"
expect 2 oracle-bad-server -- "$bin" oracle command_handler --server localhost "$tmp/prog.txt"
expect 2 oracle-other-harness -- "$bin" oracle resp_reader --server 127.0.0.1:1 "$tmp/prog.txt"
expect 2 oracle-refused -- "$bin" oracle command_handler --server 127.0.0.1:1 "$tmp/prog.txt"
contains oracle-refused 'cannot connect to 127.0.0.1:1'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
