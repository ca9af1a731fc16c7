# Sourced by the tests that need a real redis-server (Debian's 7.0): start
# one on a free loopback port with no persistence, and stop it on every exit
# path. Needs $tmp (a scratch directory the caller removes).
#   start_server [extra redis-server args...]   sets $port and $pid
#   stop_server
command -v redis-server >/dev/null || { echo "FAIL: redis-server not found (scripts/setup installs it)"; exit 1; }
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
start_server() {
  port="" pid=""
  local attempt
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$tmp" --logfile "$tmp/redis-$port.log" "$@" &
    pid=$!
    for _ in $(seq 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    # Ours, not another test's server that took the port after it was picked.
    [ "$(redis-cli -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')" = "$pid" ] &&
      return 0
    stop_server
  done
  echo "FAIL: could not start redis-server on a free loopback port"; exit 1
}
