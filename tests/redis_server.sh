# Sourced by the tests that need a real redis-server (Debian's 7.0): start
# one on a free loopback port with no persistence, and stop it on every exit
# path. Needs $tmp (a scratch directory the caller removes). When set before
# sourcing, $redis_server_bin and $redis_cli_bin name another server and its
# cli (e.g. one scripts/targets built).
#   start_server [extra redis-server args...]   sets $port and $pid
#   start_cluster_server [extra args...]        the same in cluster mode (a
#                                               node of no cluster yet), its
#                                               bus on a second free port
#   stop_server
redis_server_bin=${redis_server_bin:-redis-server}
redis_cli_bin=${redis_cli_bin:-redis-cli}
command -v "$redis_server_bin" >/dev/null || { echo "FAIL: $redis_server_bin not found (scripts/setup installs it)"; exit 1; }
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
  port="" pid=""
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    local extra=()
    if [ "$mode" = cluster ]; then
      extra=(--cluster-enabled yes --cluster-port "$(free_port)"
             --cluster-config-file "nodes-$port.conf")
    fi
    "$redis_server_bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$tmp" --logfile "$tmp/redis-$port.log" "${extra[@]}" "$@" &
    pid=$!
    for _ in $(seq 50); do
      "$redis_cli_bin" -p "$port" ping >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    # Ours, not another test's server that took the port after it was picked.
    [ "$("$redis_cli_bin" -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')" = "$pid" ] &&
      return 0
    stop_server
  done
  echo "FAIL: could not start $redis_server_bin on a free loopback port"; exit 1
}
