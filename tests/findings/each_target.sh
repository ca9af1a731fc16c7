# shellcheck shell=bash
# each_target.sh, sourced by the findings scripts (tests/findings/*.sh):
# each_target SOURCE_DIR CHECK runs the function CHECK once per server
# target (redis-7.0, redis-8.0, valkey-9.1), each in a subshell with
# $server_target set, a fresh $tmp and a server started on a free loopback
# port ($port; extra arguments to start_server in $server_args), stopped on
# every exit path after the function finding_cleanup, if the script defines
# one. Exits 1 with the number of failed targets, or prints "all ok".
each_target() {
  local src=$1 check=$2 fails=0 target
  for target in redis-7.0 redis-8.0 valkey-9.1; do
    (
      # shellcheck disable=SC2034  # read by redis_server.sh
      server_target=$target
      tmp=$(mktemp -d)
      # shellcheck source=tests/redis_server.sh
      . "$src/tests/redis_server.sh"
      trap 'declare -F finding_cleanup >/dev/null && finding_cleanup; stop_server; rm -rf "$tmp"' EXIT
      resolve_server
      # shellcheck disable=SC2086  # server_args is a list of words
      start_server ${server_args:-}
      "$check" "$target"
    ) || fails=$((fails + 1))
  done
  [ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
  echo "all ok"
}
