# Sourced by the shell tests of a command's plumbing (needs $tmp, a scratch
# directory the caller removes):
#   ok / bad MESSAGE...    count a passed / failed check (bad prints FAIL MESSAGE)
#   expect_usage_of PREFIX NAME COMMAND...
#                          runs COMMAND: it must exit 2 with exactly one line on
#                          stderr, starting with PREFIX (any when empty), and
#                          nothing on stdout; then $tmp/out and $tmp/err hold them
#   finish NAME            prints "NAME: P passed, F failed"; its status is the verdict
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL $*"
}
expect_usage_of() {
  local prefix=$1 name=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^$prefix" "$tmp/err" &&
    [ ! -s "$tmp/out" ]; then
    return 0
  fi
  bad "$name: exit $rc, stderr:"
  cat "$tmp/err"
  return 1
}
finish() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
