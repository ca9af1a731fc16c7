# Sourced by the tests that need a real server: start one on a free loopback
# port with no persistence, and stop it on every exit path. Needs $tmp (a
# scratch directory the caller removes). Which server: $server_target, when
# set before sourcing, names a target of scripts/server-target (redis-7.0,
# the default: Debian's redis-server 7.0.15; redis-8.0; valkey-9.1); or
# $redis_server_bin and $redis_cli_bin name a server program and its cli.
# An unknown target, a target not built or a program missing: one line, exit 2.
#   start_server [extra server args...]   sets $port and $pid
#   start_cluster_server [extra args...]  the same in cluster mode (a node of
#                                         no cluster yet), its bus on a second
#                                         free port
#   stop_server
#   server_describe                       "redis-8.0 (redis-server 8.0.6)"
#   start_ours CLI [serve args...]        `CLI serve` on a free port: sets
#                                         $ours (its pid) and $ours_port
#   stop_ours
#   parse_target_args ARGS...             --target NAME among a test's own
#                                         arguments: sets $server_target
#   expect_caught WHAT PATTERN CMD...     a check's can-fail run: CMD exits 1
#                                         saying PATTERN
# A target's server must answer INFO server with its version, else exit 2.
redis_server_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
parse_target_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --target)
        [ $# -ge 2 ] || { echo "FAIL: --target needs a name"; exit 2; }
        server_target=$2
        shift
        ;;
      --target=*) server_target=${1#--target=} ;;
    esac
    shift
  done
  resolve_server
}
server_version="" server_family="" server_resolved=""
# Finds the programs (once; parse_target_args, start_server and
# server_describe call it).
resolve_server() {
  [ -z "$server_resolved" ] || return 0
  server_resolved=1
  local st=$redis_server_root/scripts/server-target
  if [ -n "${server_target:-}" ] || [ -z "${redis_server_bin:-}" ]; then
    server_target=${server_target:-redis-7.0}
    redis_server_bin=$("$st" "$server_target") || exit 2
    redis_cli_bin=$("$st" --cli "$server_target") || exit 2
    server_version=$("$st" --version "$server_target") || exit 2
    server_family=$("$st" --family "$server_target") || exit 2
  fi
  server_target=${server_target:-}
  redis_cli_bin=${redis_cli_bin:-redis-cli}
  command -v "$redis_server_bin" >/dev/null || { echo "FAIL: $redis_server_bin not found"; exit 2; }
}
server_describe() {
  resolve_server
  if [ -n "$server_target" ]; then
    echo "$server_target ($(basename "$redis_server_bin") $server_version)"
  else
    echo "$redis_server_bin"
  fi
}
pid=""
stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  pid=""
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
start_server() { start_server_mode plain "$@"; }
# The bus port is chosen too: the default, port + 10000, is past 65535 for
# a fifth of the ports free_port gives.
start_cluster_server() { start_server_mode cluster "$@"; }
start_server_mode() {
  local mode=$1 attempt
  shift
  resolve_server
  port="" pid=""
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    local extra=()
    if [ "$mode" = cluster ]; then
      extra=(--cluster-enabled yes --cluster-port "$(free_port)"
             --cluster-config-file "nodes-$port.conf")
    fi
    "$redis_server_bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$tmp" --logfile "$tmp/redis-$port.log" "${extra[@]}" "$@" >"$tmp/redis-$port.out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do
      "$redis_cli_bin" -p "$port" ping >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    # Ours, not another test's server that took the port after it was picked.
    local info
    info=$("$redis_cli_bin" -p "$port" info server 2>/dev/null | tr -d '\r')
    if [ "$(sed -n 's/^process_id://p' <<<"$info")" = "$pid" ]; then
      if [ -n "$server_version" ] &&
        [ "$(sed -n "s/^${server_family}_version://p" <<<"$info")" != "$server_version" ]; then
        echo "FAIL: $redis_server_bin is not $server_target: INFO server says" \
          "$(grep -E "^${server_family}_version:" <<<"$info" || echo "no ${server_family}_version"), expected $server_version"
        stop_server
        exit 2
      fi
      return 0
    fi
    stop_server
    # A server that refuses its options exits at once: no other port helps.
    if grep -q "FATAL CONFIG FILE ERROR" "$tmp/redis-$port.out" 2>/dev/null; then break; fi
  done
  local said
  said=$(cat "$tmp/redis-$port.out" "$tmp/redis-$port.log" 2>/dev/null | grep -v '^\*\*\*' |
    grep -v '^[[:space:]]*$' | tail -n 1)
  echo "FAIL: could not start $(server_describe) on a free loopback port${said:+: $said}"
  exit 2
}

# respfuzz serve beside the real server: on a free port (--port 0, the port
# read from its "listening on" line); a serve that does not start within 5 s
# fails the test.
ours=""
ours_port=""
start_ours() {
  local cli=$1
  shift
  : >"$tmp/serve.log"  # there before the first look (the server may not have opened it yet)
  "$cli" serve --port 0 "$@" >"$tmp/serve.log" 2>&1 &
  ours=$!
  ours_port=""
  for _ in $(seq 50); do
    ours_port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$tmp/serve.log")
    [ -n "$ours_port" ] && break
    sleep 0.1
  done
  [ -n "$ours_port" ] || { echo "FAIL: respfuzz serve did not start:"; cat "$tmp/serve.log"; exit 1; }
}
stop_ours() {
  if [ -n "$ours" ] && kill -0 "$ours" 2>/dev/null; then
    kill "$ours" 2>/dev/null
    wait "$ours" 2>/dev/null
  fi
  ours=""
}

# expect_caught WHAT PATTERN CMD...: a check's can-fail run. CMD must exit 1
# with PATTERN in its output: "ok: WHAT is seen"; otherwise one FAIL line,
# the output, and exit 1.
expect_caught() {
  local what=$1 pattern=$2 out rc
  shift 2
  out=$("$@")
  rc=$?
  if [ "$rc" -ne 1 ] || ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAIL: $what went unseen (exit $rc)"
    echo "$out"
    exit 1
  fi
  echo "ok: $what is seen"
}
