# shellcheck shell=bash
# Sourced by the shell tests that count their checks: ok and bad print one
# line per check and count it, summary prints the totals and fails when a
# check did; header_help prints the calling script's header comment (its
# --help) and exits when the first argument asks for help.
#   header_help "$@"    ok WHAT    bad WHAT    summary (last command)
passed=0 failed=0
ok() {
  echo "ok    $*"
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
header_help() {
  case ${1:-} in
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
  esac
}
