#!/usr/bin/env bash
# serve_cli_test.sh RESPFUZZ: `respfuzz serve` as a process, driven by real
# clients (redis-cli, redis-benchmark) over 127.0.0.1 only; stopped by SIGTERM
# and SIGINT (exit 0 and a summary line). Usage errors and a port in use exit
# 2 with one line on stderr.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"
for tool in redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null || {
    echo "serve_cli_test: $tool not found (scripts/setup installs redis-tools)"
    exit 1
  }
done

# expect_usage NAME ARGS...: exit 2 and exactly one line on stderr, nothing on stdout.
expect_usage() {
  local name=$1
  shift
  expect_usage_of '' "$name" "$bin" serve "$@" && ok
}
# eq NAME GOT WANT
eq() {
  if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi
}
# has NAME TEXT PATTERN: TEXT contains the fixed string PATTERN
has() {
  if grep -qF -- "$3" <<<"$2"; then ok; else bad "$1: '$3' not in: $2"; fi
}

# The help names the command and its required --port.
"$bin" serve --help >"$tmp/out" 2>&1 && grep -q '^Usage: respfuzz serve ' "$tmp/out" &&
  grep -qE -- '--port PORT REQUIRED' "$tmp/out" && ok || bad "serve --help"
expect_usage no-port
expect_usage bad-port --port 65536
expect_usage bad-port-text --port 12ab
expect_usage port-needs-value --port
expect_usage unknown-option --port 0 --verbose
expect_usage extra-argument --port 0 extra
expect_usage bad-bind --port 0 --bind localhost

# start NAME: runs `respfuzz serve --port 0` in the background and sets $port
# and $pid from its "listening on" line.
start() {
  local log=$tmp/$1.err
  "$bin" serve --port 0 2>"$log" &
  pid=$!
  pids+=("$pid")
  port=
  for _ in $(seq 200); do
    port=$(sed -n 's/^respfuzz serve: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL $1: no 'listening on' line; stderr:"
  cat "$log"
  exit 1
}
# stop SIGNAL NAME: sends SIGNAL, expects exit 0 within 10 s; leaves stderr in $log.
stop() {
  kill "-$1" "$pid"
  local rc=
  for _ in $(seq 200); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      rc=$?
      break
    fi
    sleep 0.05
  done
  eq "$2 exit status after SIG$1" "${rc:-still running}" 0
  log=$(cat "$tmp/$2.err")
}

start main
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@" 2>&1; }
eq ping "$(cli PING)" PONG
eq echo "$(cli ECHO 'hello world')" 'hello world'
eq config-get "$(cli CONFIG GET appendonly)" $'appendonly\nno'
hello=$(cli -3 HELLO 3)
has hello3 "$hello" 'proto 3'
has hello3-server "$hello" 'server redis'
client_id=$(cli CLIENT ID)
if [[ "$client_id" =~ ^[1-9][0-9]*$ ]]; then ok; else bad "client-id-numeric: '$client_id'"; fi
eq select "$(cli -n 3 PING)" PONG
eq unknown "$(cli NOPE x)" "ERR unknown command 'NOPE', with args beginning with: 'x' "
# MULTI/EXEC in one connection (redis-cli reads commands from stdin).
eq multi "$(printf 'MULTI\nPING\nECHO a\nEXEC\n' | cli)" $'OK\nQUEUED\nQUEUED\nPONG\na'
# --pipe: raw protocol through redis-cli's mass-insertion mode.
pipe=$(printf 'PING\r\nECHO x\r\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n' | cli --pipe)
has pipe "$pipe" 'errors: 0, replies: 3'
eq set "$(cli SET greeting hi)" OK
eq get "$(cli GET greeting)" hi
eq incr "$(cli INCR counter)" 1
# redis-benchmark: CONFIG GET at start, then pipelined PINGs; no warning, no error.
bench=$(redis-benchmark -h 127.0.0.1 -p "$port" -t ping -n 2000 -c 4 -P 8 -q 2>&1)
bench_rc=$?
eq benchmark-exit "$bench_rc" 0
has benchmark-ping "$bench" 'PING_MBULK:'
if grep -qiE 'warning|error' <<<"$bench"; then bad "benchmark output: $bench"; else ok; fi

# A second server on the same port: one line, exit 2.
"$bin" serve --port "$port" >"$tmp/out" 2>"$tmp/err"
eq port-in-use-exit $? 2
eq port-in-use-message "$(cat "$tmp/err")" \
  "respfuzz: serve: cannot listen on 127.0.0.1:$port: Address already in use"

stop TERM main
has summary "$log" 'respfuzz serve: stopped: '
has summary-commands "$log" ' commands served'
eq summary-one-line "$(grep -c 'stopped:' <<<"$log")" 1
# The port is free again.
if redis-cli -h 127.0.0.1 -p "$port" PING >/dev/null 2>&1; then bad "port still open after stop"; else ok; fi

start second
eq second-ping "$(cli PING)" PONG
stop INT second
has second-summary "$log" 'stopped: 1 connections, 1 commands served'

finish serve_cli_test
