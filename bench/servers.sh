# bench/servers.sh: sourced by the serve benchmarks (serve_bench.sh,
# serve_scale.sh). Starts redis-server and `respfuzz serve` side by side on
# loopback, stops them, and reads a server's CPU time. The caller sets:
#   me          its name, for messages
#   tmp         a scratch directory it removes (logs go there)
#   bin         the respfuzz binary
#   server_cpu  an array prefixed to both servers' command (taskset or empty)
#   target      which real server (scripts/server-target: redis-7.0, the
#               default, Debian's redis-server; redis-8.0; valkey-9.1)
# and gets redis_pid, redis_port, respfuzz_pid, respfuzz_port, and
# redis_server_bin, redis_cli_bin and server_label (what runs; the real
# server is "redis" in the variables' names whichever it is).

redis_pid=
respfuzz_pid=

fail() {
  echo "$me: $*" >&2
  exit 1
}

servers_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
target=${target:-redis-7.0}
# An unknown target or one not built: scripts/server-target's reason, exit 2.
if ! redis_server_bin=$("$servers_root/scripts/server-target" "$target" 2>&1); then
  echo "$me: --target: ${redis_server_bin#server-target: }" >&2
  rm -rf "$tmp" # the caller's trap is not set yet
  exit 2
fi
redis_cli_bin=$("$servers_root/scripts/server-target" --cli "$target")
server_label="$target ($(basename "$redis_server_bin") $("$servers_root/scripts/server-target" --version "$target"))"

# A free loopback port for redis-server (respfuzz serve picks its own), below
# the kernel's ephemeral range: redis-benchmark's connections hold ports in
# that range, which a listener then cannot bind.
servers_ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[[ $servers_ephemeral_low =~ ^[0-9]+$ ]] && [ "$servers_ephemeral_low" -gt 12000 ] ||
  servers_ephemeral_low=32768
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((10000 + RANDOM % (servers_ephemeral_low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  fail "no free port found"
}

# start_servers [REDIS-SERVER-ARGS...]: redis-server with no persistence (the
# arguments added), then respfuzz serve; both must answer PING.
start_servers() {
  local try
  # A few ports, in case another process takes one first.
  for try in 1 2 3 4 5; do
    redis_port=$(free_port)
    : >"$tmp/redis.log"
    "${server_cpu[@]}" "$redis_server_bin" --bind 127.0.0.1 --port "$redis_port" --save '' \
      --appendonly no --daemonize no --logfile "$tmp/redis.log" --dir "$tmp" "$@" &
    redis_pid=$!
    for _ in $(seq 200); do
      "$redis_cli_bin" -p "$redis_port" PING >/dev/null 2>&1 && break
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.05
    done
    "$redis_cli_bin" -p "$redis_port" PING >/dev/null 2>&1 && break
    kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=
    [ "$try" -lt 5 ] || fail "$server_label did not start: $(tail -1 "$tmp/redis.log")"
  done
  : >"$tmp/respfuzz.err"
  "${server_cpu[@]}" "$bin" serve --port 0 2>"$tmp/respfuzz.err" &
  respfuzz_pid=$!
  respfuzz_port=
  for _ in $(seq 200); do
    respfuzz_port=$(sed -n 's/^respfuzz serve: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
      "$tmp/respfuzz.err")
    [ -n "$respfuzz_port" ] && break
    kill -0 "$respfuzz_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$respfuzz_port" ] || fail "respfuzz serve did not start: $(head -1 "$tmp/respfuzz.err")"
  redis-cli -p "$respfuzz_port" PING >/dev/null 2>&1 || fail "respfuzz serve does not answer PING"
  echo "servers: $server_label pid $redis_pid port $redis_port," \
    "respfuzz serve pid $respfuzz_pid port $respfuzz_port" >&2
}

# Stops whichever server is still running (SIGTERM, then waits for it).
stop_servers() {
  if [ -n "$respfuzz_pid" ]; then
    kill -TERM "$respfuzz_pid" 2>/dev/null || true
    wait "$respfuzz_pid" 2>/dev/null || true
    respfuzz_pid=
  fi
  if [ -n "$redis_pid" ]; then
    kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=
  fi
}

# CPU time a process has used, in ns, over all its threads (schedstat).
cpu_ns() {
  local t sum=0
  for t in /proc/"$1"/task/*/schedstat; do
    sum=$((sum + $(cut -d' ' -f1 "$t")))
  done
  echo "$sum"
}
