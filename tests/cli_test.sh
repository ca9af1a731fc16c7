#!/usr/bin/env bash
# cli_test.sh RESPFUZZ SOURCE_DIR: the respfuzz CLI's outputs and exit codes
# (0 success, 1 a protocol error or violation, 2 usage or I/O error).
set -uo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect_usage NAME COMMAND...: exit 2, exactly one line on stderr, nothing on
# stdout (a usage error never dumps the help); the line is kept in $out.
expect_usage() {
  local name=$1
  shift
  "$@" </dev/null >"$tmp/usage.out" 2>"$tmp/usage.err"
  local got=$?
  out=$(cat "$tmp/usage.err")
  if [ "$got" -eq 2 ] && [ "$(wc -l <"$tmp/usage.err")" -eq 1 ] && [ ! -s "$tmp/usage.out" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $got (expected 2 and one line on stderr), stderr:"
    head -20 "$tmp/usage.err"
  fi
}

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
printf 's1 SET k1 v1 PX 100\nclock +250ms\ns2 HELLO 3\ns2 GET k1\nactive-expire\n' > "$tmp/prog.txt"

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
expect 1 parse-last-protocol-wins -- "$bin" parse --resp3 --resp2 "$tmp/resp3only.resp"
expect_usage parse-bad-option "$bin" parse --bogus
contains parse-bad-option "respfuzz: parse: the following argument was not expected: --bogus"
expect_usage parse-two-inputs "$bin" parse "$tmp/good.resp" "$tmp/good.resp"
expect 0 parse-help -- "$bin" parse --help
expect_usage no-command "$bin"
expect_usage unknown-command "$bin" frobnicate
contains unknown-command "respfuzz: unknown command 'frobnicate'"
expect_usage unknown-top-option "$bin" --frobnicate
expect 0 help -- "$bin" --help

# Every command the tool's own help lists: its --help (and 'respfuzz help
# CMD') exits 0 and explains usage and exit codes; an unknown option is one
# line on stderr naming it, exit 2.
commands=$("$bin" --help | awk '/^Subcommands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }')
if [ -n "$commands" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL help-commands: no command listed by respfuzz --help"; fi
for c in $commands; do
  expect 0 "help-$c" -- "$bin" "$c" --help
  contains "help-$c" "Usage: respfuzz $c "
  contains "help-$c" "Exit "
  "$bin" help "$c" >"$tmp/help-alias" 2>&1
  if [ $? -eq 0 ] && [ "$(cat "$tmp/help-alias")" == "$out" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL help-alias-$c: 'respfuzz help $c' differs from '$c --help'"; fi
  expect_usage "unknown-option-$c" "$bin" "$c" --no-such-option
  contains "unknown-option-$c" "respfuzz: $c: "
  contains "unknown-option-$c" "--no-such-option"
done

# list: --names is exactly the harnesses the tree defines; --structured
# keeps those with a text program form (the ones encode accepts).
. "$src/harnesses/common/harnesses.sh"
names=$("$bin" list --names)
if [ -n "$names" ] && [ "$names" == "$(respfuzz_harness_names "$src")" ]; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); echo "FAIL list-names: '$names' is not the harnesses under harnesses/"
fi
expect 0 list -- "$bin" list
for h in $names; do contains "list-$h" "$h"; done
structured=$("$bin" list --names --structured)
if [ -n "$structured" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL list-structured: no structured harness"; fi
for h in $structured; do
  if grep -qxF -- "$h" <<<"$names"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL list-structured-$h: not among list --names"; fi
done
for h in $names; do
  "$bin" encode "$h" "$tmp/prog.txt" </dev/null >/dev/null 2>"$tmp/encode.err"
  if grep -qxF -- "$h" <<<"$structured"; then
    # encode may still reject another harness's program syntax, but not the harness.
    if grep -qF 'has no op-level form' "$tmp/encode.err"; then
      fail=$((fail + 1)); echo "FAIL encode-structured-$h: $(cat "$tmp/encode.err")"
    else pass=$((pass + 1)); fi
    continue
  fi
  expect_usage "encode-not-structured-$h" "$bin" encode "$h" "$tmp/prog.txt"
  contains "encode-not-structured-$h" 'has no op-level form'
  # Byte-level harnesses: every committed seed passes and decodes.
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
expect_usage run-unknown-harness "$bin" run nope "$tmp/good.resp"
contains run-unknown-harness "respfuzz: run: unknown harness 'nope' (harnesses: "
expect 2 run-missing-input -- "$bin" run resp_reader "$tmp/nope"
expect_usage run-no-inputs "$bin" run resp_reader
expect_usage decode-usage "$bin" decode resp_reader
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
# "--" after the --params pairs ends the options too.
expect 0 query-params-dash -- "$bin" query --params w=x -- '-$w'
contains query-params-dash 'TERM $w="x"'
contains query-params-dash 'canonical: -$w'
expect 1 query-params-empty -- "$bin" query '$w' --params
contains query-params-empty "no such parameter '\$w'"
expect_usage query-no-query "$bin" query
expect_usage query-two-queries "$bin" query a b
expect_usage query-bad-option "$bin" query --bogus a
expect_usage query-bad-param "$bin" query a --params novalue
contains query-bad-param "expects NAME=VALUE, got 'novalue'"
expect 0 query-help -- "$bin" query --help
expect 0 decode-query -- "$bin" decode query_parser "$src/corpus/query_parser/complex.bin"
contains decode-query 'evaluator: {0}'
contains decode-query 'reference: {0}'
expect 0 run-query-verbose -- "$bin" run --verbose query_parser "$src/corpus/query_parser/knn.bin"
contains run-query-verbose 'knn.bin: ok'
expect 0 run-help -- "$bin" run --help
expect 0 decode-help -- "$bin" decode --help

# Structured harness: encode / decode / run / minimize / freeze.
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
# The invalidation harness through the registry: its seeds as text, a run's
# explanation, a bad program's one-line error.
expect 0 run-invalidation -- "$bin" run invalidation "$src/corpus/invalidation"
n_inv=$(ls "$src/corpus/invalidation"/*.txt | wc -l)
contains run-invalidation "$n_inv inputs, $n_inv passed, 0 failed"
expect 0 run-invalidation-one -- "$bin" run invalidation "$src/corpus/invalidation/swapdb_hole.txt"
contains run-invalidation-one 'allowed: SWAPDB since the cache last cleared'
printf 'client c1 default resp3\nc3 read GET k1\n' > "$tmp/badinv.txt"
expect 2 encode-bad-invalidation -- "$bin" encode invalidation "$tmp/badinv.txt"
contains encode-bad-invalidation "line 2: unknown client 'c3'"
expect 1 minimize-passing-invalidation -- "$bin" minimize invalidation "$src/corpus/invalidation/null_flush.txt"
printf 's1 SET k1 v1\ns9 GET k1\n' > "$tmp/badprog.txt"
expect 2 encode-bad-program -- "$bin" encode command_handler "$tmp/badprog.txt"
contains encode-bad-program "line 2: unknown op 's9'"
expect 2 encode-missing -- "$bin" encode command_handler "$tmp/nope.txt"
expect 1 minimize-passing -- "$bin" minimize command_handler "$tmp/prog.txt"
contains minimize-passing 'passes every check'
mkdir -p "$tmp/root/tests/regressions"
expect 1 freeze-passing -- "$bin" freeze command_handler "$tmp/prog.txt" --name demo --root "$tmp/root"
if [ -z "$(ls -A "$tmp/root/tests/regressions")" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL freeze-passing: wrote files for a passing input"; fi
expect_usage freeze-bad-name "$bin" freeze command_handler "$tmp/prog.txt" --name 'Bad Name' --root "$tmp/root"
contains freeze-bad-name "invalid name 'Bad Name'"
expect_usage freeze-no-name "$bin" freeze command_handler "$tmp/prog.txt" --root "$tmp/root"
contains freeze-no-name '--name is required'
expect_usage freeze-name-needs-value "$bin" freeze command_handler "$tmp/prog.txt" --name
expect 2 freeze-no-root -- "$bin" freeze command_handler "$tmp/prog.txt" --name x --root "$tmp/nowhere"
expect 0 encode-help -- "$bin" encode --help
expect 0 minimize-help -- "$bin" minimize --help
expect 0 freeze-help -- "$bin" freeze --help
expect 0 oracle-help -- "$bin" oracle --help
expect_usage oracle-no-server "$bin" oracle command_handler "$tmp/prog.txt"
contains oracle-no-server '--server is required'
expect_usage oracle-bad-server "$bin" oracle command_handler --server localhost "$tmp/prog.txt"
expect_usage oracle-other-harness "$bin" oracle resp_reader --server 127.0.0.1:1 "$tmp/prog.txt"
expect_usage oracle-bad-sleep "$bin" oracle command_handler --server 127.0.0.1:1 --max-sleep-ms 1x "$tmp/prog.txt"
expect_usage oracle-sleep-range "$bin" oracle command_handler --server 127.0.0.1:1 --max-sleep-ms 3600001 "$tmp/prog.txt"
expect 2 oracle-refused -- "$bin" oracle command_handler --server 127.0.0.1:1 "$tmp/prog.txt"
contains oracle-refused 'cannot connect to 127.0.0.1:1'
printf 'client c1 default resp3\nc1 read GET k1\nsend c1\n' >"$tmp/inv.txt"
expect 2 oracle-inv-refused -- "$bin" oracle invalidation --server 127.0.0.1:1 "$tmp/inv.txt"
contains oracle-inv-refused 'cannot connect to 127.0.0.1:1'
expect_usage oracle-inv-bad-bug "$bin" oracle invalidation --server 127.0.0.1:1 --engine-bug nope "$tmp/inv.txt"
contains oracle-inv-bad-bug "unknown engine bug 'nope'"
expect_usage oracle-cmd-bad-bug "$bin" oracle command_handler --server 127.0.0.1:1 --engine-bug nope "$tmp/prog.txt"
contains oracle-cmd-bad-bug "unknown engine bug 'nope'"
expect_usage oracle-inv-frame-range "$bin" oracle invalidation --server 127.0.0.1:1 --frame-timeout-ms 0 "$tmp/inv.txt"
expect_usage oracle-io-timeout-low "$bin" oracle command_handler --server 127.0.0.1:1 --io-timeout-ms 99 "$tmp/prog.txt"
expect_usage oracle-io-timeout-high "$bin" oracle command_handler --server 127.0.0.1:1 --io-timeout-ms 600001 "$tmp/prog.txt"
expect 2 oracle-io-timeout-edge -- "$bin" oracle command_handler --server 127.0.0.1:1 --io-timeout-ms 100 "$tmp/prog.txt"
contains oracle-io-timeout-edge 'cannot connect to 127.0.0.1:1'
printf 'client c1 default resp3\nc1 frob\n' >"$tmp/inv-bad.txt"
expect_usage oracle-inv-bad-program "$bin" oracle invalidation --server 127.0.0.1:1 "$tmp/inv-bad.txt"
contains oracle-inv-bad-program 'line 2'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
