# shellcheck shell=bash
# Sourced by the shell tests that count their checks:
#   ok [WHAT] / bad WHAT   count a passed / failed check (ok prints "ok WHAT"
#                          when given one; bad prints "FAIL WHAT" on stderr)
#   summary                prints the totals; its status is the verdict
#   finish NAME            the same as "NAME: P passed, F failed"
#   header_help "$@"       prints the calling script's header comment (its
#                          --help) and exits when the first argument asks for it
#   expect_usage_of PREFIX NAME COMMAND...
#                          runs COMMAND (needs $tmp, a scratch directory the
#                          caller removes): it must exit 2 with exactly one line
#                          on stderr, starting with PREFIX (any when empty),
#                          and nothing on stdout; then $tmp/out and $tmp/err
#                          hold them
passed=0 failed=0
ok() {
  [ $# -eq 0 ] || echo "ok    $*"
  passed=$((passed + 1))
}
bad() {
  echo "FAIL  $*" >&2
  failed=$((failed + 1))
}
summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
finish() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
header_help() {
  case ${1:-} in
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
  esac
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
  bad "$name: exit $rc, stderr: $(cat "$tmp/err")"
  return 1
}
