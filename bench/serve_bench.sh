#!/usr/bin/env bash
# bench/serve_bench.sh: redis-benchmark against redis-server and against
# `respfuzz serve` (release preset) in one run, side by side. Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

usage() {
  cat <<'EOF'
usage: bench/serve_bench.sh [options]

Starts redis-server (--save '' --appendonly no) and `respfuzz serve`, both on
127.0.0.1 and free ports, runs
  redis-benchmark -p PORT -t TESTS -n REQUESTS -P PIPELINE -q
against each (alternating which goes first, REPEAT times), prints the median
requests/s per command side by side with the ratio respfuzz / redis-server,
then stops both. The goal is a ratio of at least 0.8 on every command, with no
error from either server.

  --tests LIST     redis-benchmark -t list (default set,get,incr,lpush,rpop,sadd,hset,zadd;
                   'ping' gives PING_INLINE and PING_MBULK)
  -n N             requests per test (default 100000)
  -P N             pipeline depth (default 16)
  -c N             parallel clients (default: redis-benchmark's, 50)
  --repeat N       runs per server; the median is reported (default 3)
  --pin            pin each server to CPU 1 and redis-benchmark to CPU 0 (taskset)
  --target NAME    the real server: redis-7.0 (default, Debian's redis-server),
                   redis-8.0 or valkey-9.1 (scripts/server-target; the others
                   scripts/targets builds); redis-benchmark stays Debian's
  --bin PATH       the respfuzz binary (default: build/release/tools/respfuzz,
                   built with the release preset first)
  -h, --help       this text
EOF
}

tests=set,get,incr,lpush,rpop,sadd,hset,zadd
requests=100000
pipeline=16
clients=
repeat=3
pin=0
bin=
target=redis-7.0
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --tests | -n | -P | -c | --repeat | --bin | --target)
      [ $# -ge 2 ] || {
        echo "serve_bench: $1 needs a value (see --help)" >&2
        exit 2
      }
      case $1 in
        --tests) tests=$2 ;;
        -n) requests=$2 ;;
        -P) pipeline=$2 ;;
        -c) clients=$2 ;;
        --repeat) repeat=$2 ;;
        --bin) bin=$2 ;;
        --target) target=$2 ;;
      esac
      shift
      ;;
    --pin) pin=1 ;;
    *)
      echo "serve_bench: unknown argument '$1' (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done
for v in "$requests" "$pipeline" "$repeat" ${clients:+"$clients"}; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || {
    echo "serve_bench: '$v' is not a positive integer" >&2
    exit 2
  }
done
for tool in redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || {
    echo "serve_bench: $tool not found (scripts/setup installs redis-server and redis-tools)" >&2
    exit 2
  }
done
if [ -z "$bin" ]; then
  echo "building respfuzz (release preset)..." >&2
  (cd "$root" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target respfuzz -j2 >/dev/null) || {
    echo "serve_bench: the release build of respfuzz failed" >&2
    exit 2
  }
  bin=$root/build/release/tools/respfuzz
fi
[ -x "$bin" ] || {
  echo "serve_bench: $bin is not an executable" >&2
  exit 2
}
server_cpu=()
bench_cpu=()
if [ "$pin" -eq 1 ]; then
  server_cpu=(taskset -c 1)
  bench_cpu=(taskset -c 0)
fi

me=serve_bench
tmp=$(mktemp -d)
. "$root/bench/servers.sh"
cleanup() {
  stop_servers
  rm -rf "$tmp"
}
trap cleanup EXIT
start_servers

# run NAME PORT PID TEST ROUND: one redis-benchmark run of one test; appends
# "COMMAND rps cpu-ns-per-request" lines to $tmp/NAME.ROUND. The server's CPU
# time per request is measured around the run, so it holds under a noisy load
# (other processes slow the run down but do not add CPU time to the server).
errors=0
run() {
  local out=$tmp/raw-$1.$4.$5
  local args=(-h 127.0.0.1 -p "$2" -t "$4" -n "$requests" -P "$pipeline" -q)
  [ -n "$clients" ] && args+=(-c "$clients")
  local before after
  before=$(cpu_ns "$3")
  local rc=0
  "${bench_cpu[@]}" redis-benchmark "${args[@]}" >"$out" 2>&1 || rc=$?
  after=$(cpu_ns "$3")
  if [ "$rc" -ne 0 ] || tr '\r' '\n' <"$out" | grep -qiE 'error|warning'; then
    echo "serve_bench: $1 -t $4 round $5 (exit $rc): $(tr '\r' '\n' <"$out" |
      grep -v '^ *$' | grep -v 'rps=' | grep -iE 'error|warning' | head -1)" >&2
    errors=$((errors + 1))
  fi
  tr '\r' '\n' <"$out" | sed -n 's/^\([A-Z_]*\): \([0-9.]*\) requests per second.*/\1 \2/p' \
    >"$tmp/lines"
  # A test may print several lines (ping: PING_INLINE and PING_MBULK); they
  # share the run's CPU time.
  local lines
  lines=$(wc -l <"$tmp/lines")
  [ "$lines" -gt 0 ] || return 0
  awk -v ns=$((after - before)) -v reqs=$((requests * lines)) '{ printf "%s %s %.0f\n", $1, $2, ns / reqs }' \
    "$tmp/lines" >>"$tmp/$1.$5"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(nproc) CPUs" >&2
IFS=, read -r -a test_list <<<"$tests"
for r in $(seq "$repeat"); do
  for t in "${test_list[@]}"; do
    # Alternate which server goes first.
    if [ $((r % 2)) -eq 1 ]; then
      run redis "$redis_port" "$redis_pid" "$t" "$r"
      run respfuzz "$respfuzz_port" "$respfuzz_pid" "$t" "$r"
    else
      run respfuzz "$respfuzz_port" "$respfuzz_pid" "$t" "$r"
      run redis "$redis_port" "$redis_pid" "$t" "$r"
    fi
  done
  echo "round $r/$repeat done" >&2
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

kill -TERM "$respfuzz_pid"
wait "$respfuzz_pid" || {
  echo "serve_bench: respfuzz serve exited with status $?" >&2
  errors=$((errors + 1))
}
respfuzz_pid=
summary=$(grep 'stopped:' "$tmp/respfuzz.err" || true)
"$redis_cli_bin" -p "$redis_port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait "$redis_pid" 2>/dev/null || true
redis_pid=

# The median over the rounds, per test, side by side.
echo
printf 'redis-benchmark -t TEST -n %s -P %s%s -q for each of %s, median of %s rounds; "redis-server": %s\n' \
  "$requests" "$pipeline" "${clients:+ -c $clients}" "$tests" "$repeat" "$server_label"
awk '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  FNR == 1 { who = FILENAME; sub(/.*\//, "", who); sub(/\..*/, "", who) }
  {
    if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
    rps[who, $1] = rps[who, $1] " " $2
    cpu[who, $1] = cpu[who, $1] " " $3
  }
  END {
    printf "%-12s %13s %13s %7s %5s   %s\n", "", "requests/s", "", "", "", "server CPU ns/request"
    printf "%-12s %13s %13s %7s %5s   %8s %8s %7s\n", "command", "redis-server", "respfuzz", "ratio", "goal", "redis", "respfuzz", "ratio"
    for (i = 1; i <= n; i++) {
      t = order[i]
      r = median(rps["redis", t]); f = median(rps["respfuzz", t])
      ratio = r > 0 ? f / r : 0
      goal = (ratio >= 0.8) ? "met" : "MISS"
      rc = median(cpu["redis", t]); fc = median(cpu["respfuzz", t])
      cpu_ratio = (fc > 0) ? rc / fc : 0
      printf "%-12s %13.0f %13.0f %6.2fx %5s   %8.0f %8.0f %6.2fx\n", t, r, f, ratio, goal, rc, fc, cpu_ratio
    }
    print "(CPU ratio: redis-server CPU / respfuzz CPU per request; above 1 is respfuzz cheaper)"
  }' "$tmp"/redis.[0-9]* "$tmp"/respfuzz.[0-9]*
echo "${summary:-respfuzz serve: no summary line}"
if [ "$errors" -gt 0 ]; then
  echo "serve_bench: $errors run(s) reported errors (see above)" >&2
  exit 1
fi
